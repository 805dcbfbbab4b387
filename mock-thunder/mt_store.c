/* mt_store.c - the entity store: life cycle, shape validation on load, lookups, permissions,
 * sanitising and pagination. */
#include "mt_store_int.h"

#include "cmn_buf.h"
#include "cmn_rand.h"
#include "cmn_str.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kinds[] = {"organizationUnits", "applications", "resourceServers",
                                    "resources",         "actions",      "roles"};

static json_t **member(struct mt_store *s, size_t i)
{
    json_t **m[] = {&s->ous, &s->apps, &s->servers, &s->resources, &s->actions, &s->roles};
    return m[i];
}

void mt_store_init(struct mt_store *s)
{
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < 6; i++)
        *member(s, i) = json_array();
    s->max_per_kind = MT_MAX_PER_KIND;
}

void mt_store_free(struct mt_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < 6; i++) {
        json_decref(*member(s, i));
        *member(s, i) = NULL;
    }
}

json_t *mt_store_to_json(const struct mt_store *s)
{
    json_t *doc = json_pack("{s:i}", "version", 1);
    struct mt_store *m = (struct mt_store *)(uintptr_t)s;

    if (!doc)
        return NULL;
    for (size_t i = 0; i < 6; i++)
        json_object_set(doc, kinds[i], *member(m, i));
    return doc;
}

/* Required string members of each kind, in the order of kinds[]. */
static const char *const required_members[6][6] = {
    {"id", "handle", "name", NULL},
    {"id", "name", "ouId", NULL},
    {"id", "name", "ouId", "delimiter", NULL},
    {"id", "name", "handle", "permission", "_rsId", NULL},
    {"id", "name", "handle", "permission", "_rsId", NULL},
    {"id", "name", "ouId", NULL},
};

static bool check_kind(const json_t *arr, size_t kind, struct cmn_err *err)
{
    size_t i;
    json_t *e;

    if (!json_is_array(arr))
        return cmn_err_set(err, 1, "%s: not an array", kinds[kind]), false;
    if (json_array_size(arr) > MT_MAX_PER_KIND)
        return cmn_err_set(err, 1, "%s: more than %d entries", kinds[kind], MT_MAX_PER_KIND), false;
    json_array_foreach(arr, i, e)
    {
        if (!json_is_object(e))
            return cmn_err_set(err, 1, "%s[%zu]: not an object", kinds[kind], i), false;
        for (const char *const *k = required_members[kind]; *k; k++) {
            const char *v = mt_str(e, *k);
            if (!v || !*v)
                return cmn_err_set(err, 1, "%s[%zu].%s: missing or not a string", kinds[kind], i,
                                   *k),
                       false;
        }
        if (mt_store_find(arr, "id", mt_str(e, "id")) != e)
            return cmn_err_set(err, 1, "%s[%zu].id: duplicate id", kinds[kind], i), false;
    }
    return true;
}

static bool check_ref(const json_t *arr, const char *kind, const char *key, const json_t *target,
                      bool optional, struct cmn_err *err)
{
    size_t i;
    json_t *e;

    json_array_foreach(arr, i, e)
    {
        json_t *v = json_object_get(e, key);
        if (optional && (!v || json_is_null(v)))
            continue;
        if (!json_is_string(v) || !mt_store_find(target, "id", json_string_value(v)))
            return cmn_err_set(err, 1, "%s[%zu].%s: refers to nothing", kind, i, key), false;
    }
    return true;
}

static bool check_roles(const json_t *roles, struct cmn_err *err)
{
    size_t i, j;
    json_t *r, *p;

    json_array_foreach(roles, i, r)
    {
        if (!json_is_array(json_object_get(r, "assignments")))
            return cmn_err_set(err, 1, "roles[%zu].assignments: not an array", i), false;
        p = json_object_get(r, "permissions");
        if (!json_is_array(p) && !json_is_null(p))
            return cmn_err_set(err, 1, "roles[%zu].permissions: not an array", i), false;
        json_array_foreach(p, j, r)
        {
            if (!mt_str(r, "resourceServerId") || !json_is_array(json_object_get(r, "permissions")))
                return cmn_err_set(err, 1, "roles[%zu].permissions[%zu]: bad entry", i, j), false;
        }
    }
    return true;
}

bool mt_store_from_json(struct mt_store *s, const json_t *doc, struct cmn_err *err)
{
    struct mt_store n;
    size_t i;
    json_t *a;

    if (!json_is_object(doc) || json_integer_value(json_object_get(doc, "version")) != 1)
        return cmn_err_set(err, 1, "not a mock-thunder store (version 1 expected)"), false;
    for (i = 0; i < 6; i++)
        if (!check_kind(json_object_get(doc, kinds[i]), i, err))
            return false;
    n.ous = json_object_get(doc, kinds[0]);
    n.apps = json_object_get(doc, kinds[1]);
    n.servers = json_object_get(doc, kinds[2]);
    n.resources = json_object_get(doc, kinds[3]);
    n.actions = json_object_get(doc, kinds[4]);
    n.roles = json_object_get(doc, kinds[5]);
    if (!check_ref(n.ous, "organizationUnits", "parent", n.ous, true, err) ||
        !check_ref(n.apps, "applications", "ouId", n.ous, false, err) ||
        !check_ref(n.servers, "resourceServers", "ouId", n.ous, false, err) ||
        !check_ref(n.resources, "resources", "_rsId", n.servers, false, err) ||
        !check_ref(n.resources, "resources", "parent", n.resources, true, err) ||
        !check_ref(n.actions, "actions", "_rsId", n.servers, false, err) ||
        !check_ref(n.actions, "actions", "_resourceId", n.resources, true, err) ||
        !check_ref(n.roles, "roles", "ouId", n.ous, false, err) || !check_roles(n.roles, err))
        return false;
    json_array_foreach(n.apps, i, a)
    {
        const char *cid = mt_str(a, "clientId");
        if (*cid && mt_store_app_by_client(&n, cid) != a)
            return cmn_err_set(err, 1, "applications[%zu].clientId: duplicate", i), false;
    }
    for (i = 0; i < 6; i++) {
        json_t **m = member(s, i);
        json_decref(*m);
        *m = json_deep_copy(json_object_get(doc, kinds[i]));
    }
    return true;
}

json_t *mt_store_find(const json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *e;

    if (!value)
        return NULL;
    json_array_foreach(arr, i, e)
    {
        const char *v = json_string_value(json_object_get(e, key));
        if (v && strcmp(v, value) == 0)
            return e;
    }
    return NULL;
}

json_t *mt_store_app_by_client(const struct mt_store *s, const char *client_id)
{
    return mt_store_find(s->apps, "clientId", client_id);
}

char *mt_perm_derive(const char *parent_perm, const char *rs_handle, char delim, const char *handle)
{
    struct cmn_buf b;
    const char *prefix = parent_perm && *parent_perm ? parent_perm : rs_handle;

    cmn_buf_init(&b, 4 * MT_HANDLE_MAX * 8);
    if (prefix && *prefix)
        cmn_buf_printf(&b, "%s%c", prefix, delim);
    cmn_buf_append_str(&b, handle);
    return cmn_buf_take(&b, NULL);
}

char *mt_sanitize(const char *in)
{
    struct cmn_buf b;
    const char *end = in + strlen(in);

    cmn_buf_init(&b, strlen(in) * 6 + 1);
    while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
        in++;
    while (end > in && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
        end--;
    for (; in < end; in++) {
        unsigned char c = (unsigned char)*in;
        if (c < 0x20 || c == 0x7f)
            continue;
        cmn_buf_append_html(&b, in, 1);
    }
    return cmn_buf_take(&b, NULL);
}

void mt_secret_hash(const char *secret, char out[65])
{
    unsigned char d[32];

    gnutls_hash_fast(GNUTLS_DIG_SHA256, secret, strlen(secret), d);
    for (size_t i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

bool mt_store_perm_on_server(const struct mt_store *s, const char *rs_id, const char *p)
{
    const json_t *arrs[] = {s->resources, s->actions};
    size_t i;
    json_t *e;

    for (size_t k = 0; k < 2; k++)
        json_array_foreach(arrs[k], i, e)
        {
            if (strcmp(mt_str(e, "_rsId"), rs_id) == 0 && strcmp(mt_str(e, "permission"), p) == 0)
                return true;
        }
    return false;
}

static bool has_string(const json_t *arr, const char *v)
{
    size_t i;
    json_t *e;

    json_array_foreach(arr, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), v) == 0)
            return true;
    }
    return false;
}

json_t *mt_store_app_permissions(const struct mt_store *s, const char *app_id)
{
    json_t *out = json_array();
    size_t i, j, k;
    json_t *r, *a, *g, *p;

    json_array_foreach(s->roles, i, r)
    {
        bool assigned = false;
        json_array_foreach(json_object_get(r, "assignments"), j, a)
        {
            if (strcmp(mt_str(a, "id"), app_id) == 0)
                assigned = true;
        }
        if (!assigned)
            continue;
        json_array_foreach(json_object_get(r, "permissions"), j, g)
        {
            json_array_foreach(json_object_get(g, "permissions"), k, p)
            {
                if (json_is_string(p) && !has_string(out, json_string_value(p)))
                    json_array_append(out, p);
            }
        }
    }
    return out;
}

void mt_time_format(int64_t unix_s, char out[32])
{
    time_t t = (time_t)unix_s;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void add_link(json_t *links, const char *base, long offset, long limit, const char *rel)
{
    char href[512];

    snprintf(href, sizeof(href), "%s?offset=%ld&limit=%ld", base, offset, limit);
    json_array_append_new(links, json_pack("{s:s, s:s}", "href", href, "rel", rel));
}

json_t *mt_page(const json_t *items, const char *key, const char *base_path, long offset,
                long limit)
{
    long total = (long)json_array_size(items);
    json_t *slice = json_array();
    json_t *links = json_array();

    for (long i = offset; i < total && i < offset + limit; i++)
        json_array_append(slice, json_array_get(items, (size_t)i));
    if (offset > 0) {
        add_link(links, base_path, 0, limit, "first");
        add_link(links, base_path, offset - limit > 0 ? offset - limit : 0, limit, "prev");
    }
    if (offset + limit < total) {
        add_link(links, base_path, offset + limit, limit, "next");
        add_link(links, base_path, ((total - 1) / limit) * limit, limit, "last");
    }
    return json_pack("{s:I, s:I, s:I, s:o, s:o}", "totalResults", (json_int_t)total, "startIndex",
                     (json_int_t)offset + 1, "count", (json_int_t)json_array_size(slice), key,
                     slice, "links", links);
}

/* ---- helpers for the service files ---- */

enum mt_e mt_body_str(const json_t *body, const char *key, bool required, size_t max, bool sanitize,
                      enum mt_e bad, char **out)
{
    json_t *v = json_object_get(body, key);
    char *s;

    *out = NULL;
    if (!v || json_is_null(v))
        return required ? bad : MT_E_OK;
    if (!json_is_string(v) || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v))
        return bad;
    s = sanitize ? mt_sanitize(json_string_value(v)) : NULL;
    if (!sanitize) {
        const char *b = json_string_value(v), *e = b + strlen(b);
        while (*b == ' ' || *b == '\t')
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        s = cmn_strndup(b, (size_t)(e - b));
    }
    if (!s)
        return MT_E_INTERNAL;
    if (required && !*s) {
        free(s);
        return bad;
    }
    *out = s;
    return MT_E_OK;
}

bool mt_new_id(char out[37])
{
    return cmn_rand_uuid7(out);
}

bool mt_store_has_room(const struct mt_store *s, const json_t *arr)
{
    return json_array_size(arr) < s->max_per_kind;
}

bool mt_set_opt(json_t *o, const char *k, const char *v)
{
    if (!v || !*v)
        return true;
    return json_object_set_new(o, k, json_string(v)) == 0;
}

void mt_store_remove(json_t *arr, const char *id)
{
    size_t i;
    json_t *e;

    json_array_foreach(arr, i, e)
    {
        if (strcmp(mt_str(e, "id"), id) == 0) {
            json_array_remove(arr, i);
            return;
        }
    }
}

bool mt_handle_valid(const char *h)
{
    size_t n = strlen(h);

    if (n == 0 || n > MT_HANDLE_MAX)
        return false;
    for (; *h; h++) {
        char c = *h;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("._:-/", c)))
            return false;
    }
    return true;
}

json_t *mt_public_copy(const json_t *o)
{
    json_t *c = json_object();
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)(uintptr_t)o, k, v)
    {
        if (k[0] != '_')
            json_object_set(c, k, v);
    }
    return c;
}
