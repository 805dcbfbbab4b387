/* gw_proxy_response.c - backend status rule, decoding, formatting, merging and static data. */
#include "gw_proxy_response.h"
#include "gw_encoding.h"

#include "cmn_str.h"
#include "gw_flatmap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void presp_format(const struct gw_backend *b, struct gw_presp *p);

struct gw_presp *gw_presp_new(void)
{
    struct gw_presp *p = calloc(1, sizeof(*p));

    if (p)
        gw_hdrs_init(&p->headers, GW_MAX_HEADERS);
    return p;
}

void gw_presp_destroy(struct gw_presp *p)
{
    if (!p)
        return;
    gw_json_destroy(p->data);
    gw_hdrs_free(&p->headers);
    free(p->body);
    free(p);
}

void gw_perr_free(struct gw_perr *e)
{
    if (!e)
        return;
    free(e->msg);
    free(e->enc);
    memset(e, 0, sizeof(*e));
}

void gw_perr_set(struct gw_perr *e, const char *msg)
{
    gw_perr_free(e);
    e->kind = GW_PERR_PLAIN;
    e->status = 500;
    e->msg = strdup(msg ? msg : "");
}

/* Lura's backend URL pattern as it names it in errors: "{id}" -> "{{.Id}}". Owned. */
static char *lura_pattern(const char *p)
{
    struct cmn_buf b;

    cmn_buf_init(&b, 64 * 1024);
    while (*p) {
        const char *o = strchr(p, '{');
        const char *c = o ? strchr(o, '}') : NULL;
        if (!o || !c || c == o + 1) {
            cmn_buf_append_str(&b, p);
            break;
        }
        cmn_buf_append(&b, p, (size_t)(o - p));
        cmn_buf_printf(&b, "{{.%c%.*s}}", toupper((unsigned char)o[1]), (int)(c - o - 2), o + 2);
        p = c + 1;
    }
    return cmn_buf_take(&b, NULL);
}

/* ---- status handling and decoding ------------------------------------------------------------ */

static struct gw_json *error_details(long status, const char *body, size_t len, const char *enc)
{
    struct gw_json *s = gw_json_struct();
    char num[32];

    if (!s)
        return NULL;
    snprintf(num, sizeof(num), "%ld", status);
    if (!gw_json_object_set(s, "http_status_code", gw_json_number(num)) ||
        (len && !gw_json_object_set(s, "http_body", gw_json_string(body, len))) ||
        (enc && enc[0] &&
         !gw_json_object_set(s, "http_body_encoding", gw_json_string(enc, strlen(enc))))) {
        gw_json_destroy(s);
        return NULL;
    }
    return s;
}

static bool fail_nomem(struct gw_perr *err)
{
    gw_perr_set(err, "out of memory");
    return false;
}

static bool decode(const struct gw_backend *b, const char *body, size_t len, struct gw_presp *p,
                   struct gw_perr *err)
{
    struct gw_json_limits lim = {GW_BACKEND_JSON_DEPTH, GW_BACKEND_JSON_NODES};
    struct cmn_err jerr = {0};
    struct gw_json *v;

    if (b->encoding == GW_ENC_XML || b->encoding == GW_ENC_RSS) {
        /* krakend-xml and krakend-rss; a decoding error fails the backend as a JSON one does */
        p->data = b->encoding == GW_ENC_XML
                      ? gw_enc_xml_decode(body, len, b->is_collection, NULL, &jerr)
                      : gw_enc_rss_decode(body, len, NULL, &jerr);
        if (!p->data) {
            if (jerr.code == GW_ENC_NOMEM)
                return fail_nomem(err);
            gw_perr_set(err, jerr.msg);
            return false;
        }
        return true;
    }
    if (b->encoding == GW_ENC_STRING) {
        p->data = gw_json_object();
        if (!p->data || !gw_json_object_set(p->data, "content", gw_json_string(body, len)))
            return fail_nomem(err);
        return true;
    }
    v = gw_json_parse(body, len, &lim, &jerr);
    if (!v) {
        gw_perr_set(err, jerr.msg);
        return false;
    }
    if (b->encoding == GW_ENC_SAFEJSON) {
        if (v->type == GW_JSON_OBJECT) {
            p->data = v;
            return true;
        }
        p->data = gw_json_object();
        if (!p->data ||
            !gw_json_object_set(p->data, v->type == GW_JSON_ARRAY ? "collection" : "content", v))
            return fail_nomem(err);
        return true;
    }
    if (b->is_collection) {
        if (v->type != GW_JSON_ARRAY) {
            gw_json_destroy(v);
            gw_perr_set(err, "json: cannot unmarshal object into Go value of type []interface {}");
            return false;
        }
        p->data = gw_json_object();
        if (!p->data || !gw_json_object_set(p->data, "collection", v))
            return fail_nomem(err);
        return true;
    }
    if (v->type == GW_JSON_NULL) { /* Go decodes null into a nil map */
        gw_json_destroy(v);
        p->data = NULL;
        return true;
    }
    if (v->type != GW_JSON_OBJECT) {
        static const char *names[] = {"null", "bool", "number", "string", "array", "object"};
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "json: cannot unmarshal %s into Go value of type map[string]interface {}",
                 names[v->type]);
        gw_json_destroy(v);
        gw_perr_set(err, msg);
        return false;
    }
    p->data = v;
    return true;
}

bool gw_presp_from_fetch(const struct gw_backend *b, struct gw_fetch_result *res,
                         struct gw_presp **out, struct gw_perr *err)
{
    struct gw_presp *p = NULL;

    *out = NULL;
    if (res->error || res->status == 0) {
        gw_perr_set(err, res->error ? res->error : "no response");
        return false;
    }
    p = gw_presp_new();
    if (!p)
        return fail_nomem(err);
    if (b->encoding == GW_ENC_NOOP) {
        /* only the no-op parser fills Lura's Metadata (status, headers) */
        p->status = (unsigned)res->status;
        /* NoOpHTTPResponseParser: status, headers and body untouched, empty data */
        p->data = gw_json_object();
        if (!p->data)
            goto nomem;
        for (size_t i = 0; i < res->headers.n; i++) {
            if (!gw_hdrs_add(&p->headers, res->headers.v[i].name, res->headers.v[i].value))
                goto nomem;
        }
        p->body = res->body;
        p->body_len = res->body_len;
        res->body = NULL;
        res->body_len = 0;
        p->complete = true;
        *out = p;
        return true;
    }
    if (res->status != 200 && res->status != 201) {
        const char *ct = gw_hdrs_get(&res->headers, "Content-Type");
        if (b->return_error_details && b->return_error_details[0]) {
            char key[512];
            snprintf(key, sizeof(key), "error_%s", b->return_error_details);
            p->data = gw_json_object();
            if (!p->data ||
                !gw_json_object_set(p->data, key,
                                    error_details(res->status, res->body, res->body_len, ct)))
                goto nomem;
            p->complete = false;
            *out = p;
            return true;
        }
        gw_presp_destroy(p);
        gw_perr_free(err);
        if (b->return_error_code) {
            err->kind = GW_PERR_STATUS;
            err->status = (unsigned)res->status;
            err->msg = cmn_strndup(res->body ? res->body : "", res->body_len);
            err->enc = strdup(ct ? ct : "");
            return err->msg && err->enc ? false : fail_nomem(err);
        }
        char *pat = lura_pattern(b->url_pattern);
        struct cmn_buf m;
        cmn_buf_init(&m, 16 * 1024);
        cmn_buf_printf(&m, "invalid status code %ld [%s %s]: %s", res->status, b->method,
                       pat ? pat : b->url_pattern, res->url ? res->url : "");
        gw_perr_set(err, cmn_buf_str(&m));
        cmn_buf_free(&m);
        free(pat);
        return false;
    }
    if (!decode(b, res->body ? res->body : "", res->body_len, p, err)) {
        gw_presp_destroy(p);
        return false;
    }
    p->complete = true;
    presp_format(b, p);
    *out = p;
    return true;
nomem:
    gw_presp_destroy(p);
    return fail_nomem(err);
}

/* ---- formatting ------------------------------------------------------------------------------ */

static void extract_target(const char *target, struct gw_presp *p)
{
    char part[512];
    const char *s = target;

    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        struct gw_json *v;
        snprintf(part, sizeof(part), "%.*s", (int)l, s);
        v = gw_json_object_take(p->data, part);
        gw_json_destroy(p->data);
        p->data = NULL;
        if (!v || v->type != GW_JSON_OBJECT) {
            gw_json_destroy(v);
            p->data = gw_json_object();
            return;
        }
        p->data = v;
        if (!dot)
            break;
        s = dot + 1;
    }
}

/* Whitelist tree node: a leaf (keep whole value) or children. */
struct wl {
    char *key;
    bool leaf;
    struct wl *kids;
    size_t n_kids;
};

static void wl_free(struct wl *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(w[i].key);
        wl_free(w[i].kids, w[i].n_kids);
    }
    free(w);
}

static struct wl *wl_child(struct wl **kids, size_t *n, const char *key, size_t kl)
{
    struct wl *k;

    for (size_t i = 0; i < *n; i++) {
        if (strlen((*kids)[i].key) == kl && memcmp((*kids)[i].key, key, kl) == 0)
            return &(*kids)[i];
    }
    k = realloc(*kids, (*n + 1) * sizeof(**kids));
    if (!k)
        return NULL;
    *kids = k;
    k = &(*kids)[(*n)++];
    memset(k, 0, sizeof(*k));
    k->key = cmn_strndup(key, kl);
    return k->key ? k : NULL;
}

/* buildDictPath: later entries override earlier leaves/maps on the same key. */
static bool wl_add(struct wl **root, size_t *n, const char *path)
{
    struct wl **kids = root;
    size_t *nk = n;

    for (;;) {
        const char *dot = strchr(path, '.');
        size_t l = dot ? (size_t)(dot - path) : strlen(path);
        struct wl *k = wl_child(kids, nk, path, l);
        if (!k)
            return false;
        if (!dot) {
            wl_free(k->kids, k->n_kids);
            k->kids = NULL;
            k->n_kids = 0;
            k->leaf = true;
            return true;
        }
        if (k->leaf)
            k->leaf = false;
        kids = &k->kids;
        nk = &k->n_kids;
        path = dot + 1;
    }
}

/* whitelistPrune: true when everything in obj was deleted. */
static bool wl_prune(const struct wl *w, size_t nw, struct gw_json *obj)
{
    bool can_delete = true;
    size_t i = 0;

    while (i < obj->n_members) {
        const struct wl *k = NULL;
        bool del = true;
        for (size_t j = 0; j < nw && !k; j++) {
            if (strcmp(w[j].key, obj->members[i].key) == 0)
                k = &w[j];
        }
        if (k) {
            if (k->leaf)
                del = false;
            else if (obj->members[i].val->type == GW_JSON_OBJECT &&
                     !wl_prune(k->kids, k->n_kids, obj->members[i].val))
                del = false;
        }
        if (del) {
            gw_json_object_del(obj, obj->members[i].key);
            continue;
        }
        can_delete = false;
        i++;
    }
    return can_delete;
}

static void apply_allow(const struct gw_strlist *allow, struct gw_presp *p)
{
    struct wl *root = NULL;
    size_t n = 0;

    for (size_t i = 0; i < allow->n; i++) {
        if (!wl_add(&root, &n, allow->items[i]))
            break;
    }
    if (wl_prune(root, n, p->data)) {
        while (p->data->n_members)
            gw_json_object_del(p->data, p->data->members[0].key);
    }
    wl_free(root, n);
}

/* newBlacklistingFilter: "a" deletes a; "a.b" (and deeper, which only uses "b") deletes
 * a.b inside an object a; a non-object a becomes {} when it has sub-entries. */
static void apply_deny(const struct gw_strlist *deny, struct gw_presp *p)
{
    for (size_t i = 0; i < deny->n; i++) {
        const char *d = deny->items[i];
        const char *dot = strchr(d, '.');
        char k0[512];
        bool later_plain = false;
        if (!dot) {
            gw_json_object_del(p->data, d);
            continue;
        }
        snprintf(k0, sizeof(k0), "%.*s", (int)(dot - d), d);
        /* a later plain "a" resets a's sub-list in Lura's map */
        for (size_t j = i + 1; j < deny->n; j++)
            later_plain = later_plain || strcmp(deny->items[j], k0) == 0;
        if (later_plain)
            continue;
        const char *k1 = dot + 1;
        const char *dot2 = strchr(k1, '.');
        char sub[512];
        snprintf(sub, sizeof(sub), "%.*s", (int)(dot2 ? (size_t)(dot2 - k1) : strlen(k1)), k1);
        struct gw_json *v = gw_json_object_get(p->data, k0);
        /* blacklistFilterSub: a non-object yields an empty map, stored only when non-empty */
        if (v && v->type == GW_JSON_OBJECT)
            gw_json_object_del(v, sub);
    }
}

/* target -> allow|deny -> mapping -> group, applied to p->data in place; flatmap_filter, when
 * configured, replaces allow, deny and mapping (newFlatmapFormatter). */
static void presp_format(const struct gw_backend *b, struct gw_presp *p)
{
    if (b->target && b->target[0] && p->data)
        extract_target(b->target, p);
    if (b->flatmap.n_ops > 0) {
        /* on failure (memory, node cap) the data stays as it was */
        (void)gw_flatmap_apply(&b->flatmap, &p->data);
    } else if (p->data && p->data->n_members > 0) {
        if (b->allow.n > 0)
            apply_allow(&b->allow, p);
        else if (b->deny.n > 0)
            apply_deny(&b->deny, p);
    }
    if (b->flatmap.n_ops == 0 && p->data && p->data->n_members > 0) {
        for (size_t i = 0; i < b->n_mapping; i++) {
            char to[512];
            const char *nk = b->mapping[i].value;
            const char *dot = strchr(nk, '.');
            struct gw_json *v = gw_json_object_take(p->data, b->mapping[i].key);
            if (!v)
                continue;
            snprintf(to, sizeof(to), "%.*s", (int)(dot ? (size_t)(dot - nk) : strlen(nk)), nk);
            gw_json_object_set(p->data, to, v);
        }
    }
    if (b->group && b->group[0]) {
        struct gw_json *g = gw_json_object();
        if (!g)
            return;
        if (!gw_json_object_set(g, b->group, p->data ? p->data : gw_json_null())) {
            p->data = NULL; /* consumed by the failed set */
            return;
        }
        p->data = g;
    }
}

/* ---- merging --------------------------------------------------------------------------------- */

void gw_merge_init(struct gw_merge *m, size_t total)
{
    memset(m, 0, sizeof(*m));
    m->pending = total;
}

static void push_err(struct gw_merge *m, struct gw_perr *err)
{
    if (m->n_errs == m->cap_errs) {
        size_t cap = m->cap_errs ? m->cap_errs * 2 : 4;
        struct gw_perr *n = realloc(m->errs, cap * sizeof(*n));
        if (!n) {
            gw_perr_free(err);
            return;
        }
        m->errs = n;
        m->cap_errs = cap;
    }
    m->errs[m->n_errs++] = *err;
    memset(err, 0, sizeof(*err));
}

void gw_merge_add(struct gw_merge *m, struct gw_presp *resp, struct gw_perr *err)
{
    if (m->pending)
        m->pending--;
    if (!resp) {
        struct gw_perr none = {0};
        if (!err) {
            gw_perr_set(&none, "null result");
            err = &none;
        }
        push_err(m, err);
        if (m->data)
            m->data->complete = false;
        return;
    }
    if (!m->data) {
        m->data = resp;
        return;
    }
    /* combineData(2, [acc, resp]): shallow merge, later arrival overwrites */
    bool complete = m->data->complete && resp->complete;
    if (!m->data->data) {
        complete = false;
        if (resp->data) {
            m->data->data = resp->data;
            resp->data = NULL;
        }
    } else if (!resp->data) {
        complete = false;
    } else {
        for (size_t i = 0; i < resp->data->n_members; i++) {
            gw_json_object_set(m->data->data, resp->data->members[i].key,
                               resp->data->members[i].val);
            free(resp->data->members[i].key);
            resp->data->members[i].val = NULL;
        }
        resp->data->n_members = 0;
    }
    if (!m->data->data) {
        m->data->data = gw_json_object();
    }
    /* combineData returns a fresh Response: no metadata (status, headers) or body survive */
    m->data->status = 0;
    gw_hdrs_free(&m->data->headers);
    free(m->data->body);
    m->data->body = NULL;
    m->data->body_len = 0;
    m->data->complete = complete;
    gw_presp_destroy(resp);
}

struct gw_presp *gw_merge_result(struct gw_merge *m)
{
    struct gw_presp *r = m->data;

    m->data = NULL;
    if (r && (m->pending != 0 || m->n_errs != 0))
        r->complete = false;
    return r;
}

void gw_merge_free(struct gw_merge *m)
{
    gw_presp_destroy(m->data);
    for (size_t i = 0; i < m->n_errs; i++)
        gw_perr_free(&m->errs[i]);
    free(m->errs);
    memset(m, 0, sizeof(*m));
}

/* ---- static ---------------------------------------------------------------------------------- */

void gw_static_apply(enum gw_static_strategy s, const struct gw_json *data, struct gw_presp **resp,
                     bool has_err)
{
    bool match = false;

    switch (s) {
    case GW_STATIC_NONE:
        return;
    case GW_STATIC_ALWAYS:
        match = true;
        break;
    case GW_STATIC_SUCCESS:
        match = !has_err;
        break;
    case GW_STATIC_ERRORED:
        match = has_err;
        break;
    case GW_STATIC_COMPLETE:
        match = !has_err && *resp && (*resp)->complete;
        break;
    case GW_STATIC_INCOMPLETE:
        match = has_err || !*resp || !(*resp)->complete;
        break;
    }
    if (!match || !data || data->type != GW_JSON_OBJECT)
        return;
    if (!*resp) {
        *resp = gw_presp_new();
        if (!*resp)
            return;
    }
    if (!(*resp)->data) {
        (*resp)->data = gw_json_object();
        if (!(*resp)->data)
            return;
    }
    for (size_t i = 0; i < data->n_members; i++)
        gw_json_object_set((*resp)->data, data->members[i].key, gw_json_copy(data->members[i].val));
}
