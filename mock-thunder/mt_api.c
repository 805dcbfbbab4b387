/* mt_api.c - the management API's routing: bearer check before routing (as the real server's
 * middleware does), bare paths plus /api/server/v1 aliases, JSON bodies, pagination, status
 * codes, and the commit (persist or roll back) of every change. */
#include "mt_server.h"

#include "cmn_json.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "mt_token.h"
#include "cmn_go_url.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 8
#define ALIAS_PREFIX "/api/server/v1"
#define JSON_DEPTH_MAX 32

struct call {
    struct mt_server *s;
    const char *p[3]; /* the path's wildcard segments, in order */
    const struct mt_form *q;
    const json_t *body;
    int64_t now;
    const char *path; /* bare path, for pagination links */
    const struct route *r;
    struct mt_reply *out;
};

typedef enum mt_e (*api_fn)(struct call *c);

struct route {
    const char *pattern; /* segments, '*' matches one */
    enum mt_e bad;       /* the service's "invalid request" */
    enum mt_e bad_limit;
    enum mt_e bad_offset;
    api_fn get, post, put, del;
};

/* ---- helpers ---- */

static enum mt_e ok_json(struct call *c, unsigned status, json_t *j)
{
    c->out->status = status;
    c->out->json = j;
    return MT_E_OK;
}

/* j is read only after e was computed: C leaves argument evaluation order open. */
static enum mt_e done(struct call *c, enum mt_e e, unsigned status, json_t **j)
{
    if (e) {
        json_decref(*j);
        return e;
    }
    return ok_json(c, status, *j);
}

static enum mt_e no_content(struct call *c, enum mt_e e)
{
    if (!e)
        c->out->status = 204;
    return e;
}

/* Wraps a full list in the pagination envelope after checking limit and offset. */
static enum mt_e paged(struct call *c, enum mt_e e, json_t **itemsp, const char *key)
{
    json_t *items = *itemsp;
    const char *l = mt_form_get(c->q, "limit"), *o = mt_form_get(c->q, "offset");
    long long limit = 30, offset = 0;

    if (!e && l && !cmn_parse_ll(l, 1, 100, &limit))
        e = c->r->bad_limit;
    if (!e && o && !cmn_parse_ll(o, 0, 1000000000, &offset))
        e = c->r->bad_offset;
    if (e) {
        json_decref(items);
        return e;
    }
    e = ok_json(c, 200, mt_page(items, key, c->path, (long)offset, (long)limit));
    json_decref(items);
    return e;
}

/* ---- organization units ---- */

static enum mt_e ou_list(struct call *c)
{
    json_t *items = NULL;
    return paged(c, mt_ou_list(&c->s->store, NULL, &items), &items, "organizationUnits");
}
static enum mt_e ou_children(struct call *c)
{
    json_t *items = NULL;
    return paged(c, mt_ou_list(&c->s->store, c->p[0], &items), &items, "organizationUnits");
}
static enum mt_e ou_members(struct call *c, const char *key)
{
    if (!mt_store_find(c->s->store.ous, "id", c->p[0]))
        return MT_E_OU_NOT_FOUND;
    json_t *items = json_array();
    return paged(c, MT_E_OK, &items, key); /* the mock has no users or groups */
}
static enum mt_e ou_users(struct call *c)
{
    return ou_members(c, "users");
}
static enum mt_e ou_groups(struct call *c)
{
    return ou_members(c, "groups");
}
static enum mt_e ou_create(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_ou_create(&c->s->store, c->body, c->now, &o), 201, &o);
}
static enum mt_e ou_get(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_ou_get(&c->s->store, c->p[0], &o), 200, &o);
}
static enum mt_e ou_put(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_ou_update(&c->s->store, c->p[0], c->body, c->now, &o), 200, &o);
}
static enum mt_e ou_del(struct call *c)
{
    return no_content(c, mt_ou_delete(&c->s->store, c->p[0]));
}

/* ---- applications ---- */

static enum mt_e app_list(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_app_list(&c->s->store, &o), 200, &o);
}
static enum mt_e app_create(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_app_create(&c->s->store, c->body, &o), 201, &o);
}
static enum mt_e app_get(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_app_get(&c->s->store, c->p[0], &o), 200, &o);
}
static enum mt_e app_put(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_app_update(&c->s->store, c->p[0], c->body, &o), 200, &o);
}
static enum mt_e app_del(struct call *c)
{
    return no_content(c, mt_app_delete(&c->s->store, c->p[0]));
}
static enum mt_e app_roles(struct call *c)
{
    return no_content(c, mt_app_assign_roles(&c->s->store, c->p[0], c->body));
}

/* ---- resource servers, resources, actions ---- */

static enum mt_e rs_list(struct call *c)
{
    json_t *items = NULL;
    return paged(c, mt_rs_list(&c->s->store, &items), &items, "resourceServers");
}
static enum mt_e rs_create(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_rs_create(&c->s->store, c->body, &o), 201, &o);
}
static enum mt_e rs_get(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_rs_get(&c->s->store, c->p[0], &o), 200, &o);
}
static enum mt_e rs_put(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_rs_update(&c->s->store, c->p[0], c->body, &o), 200, &o);
}
static enum mt_e rs_del(struct call *c)
{
    return no_content(c, mt_rs_delete(&c->s->store, c->p[0]));
}
static enum mt_e res_list(struct call *c)
{
    json_t *items = NULL;
    const char *parent = mt_form_get(c->q, "parentId");
    return paged(c, mt_res_list(&c->s->store, c->p[0], parent && *parent ? parent : NULL, &items),
                 &items, "resources");
}
static enum mt_e res_create(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_res_create(&c->s->store, c->p[0], c->body, &o), 201, &o);
}
static enum mt_e res_get(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_res_get(&c->s->store, c->p[0], c->p[1], &o), 200, &o);
}
static enum mt_e res_put(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_res_update(&c->s->store, c->p[0], c->p[1], c->body, &o), 200, &o);
}
static enum mt_e res_del(struct call *c)
{
    return no_content(c, mt_res_delete(&c->s->store, c->p[0], c->p[1]));
}

/* Actions on the server (two wildcards) or on a resource (three). */
static const char *act_res(const struct call *c)
{
    return c->p[2] || strstr(c->r->pattern, "resources/*/actions") ? c->p[1] : NULL;
}
static const char *act_id(const struct call *c)
{
    return act_res(c) ? c->p[2] : c->p[1];
}
static enum mt_e act_list(struct call *c)
{
    json_t *items = NULL;
    return paged(c, mt_act_list(&c->s->store, c->p[0], act_res(c), &items), &items, "actions");
}
static enum mt_e act_create(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_act_create(&c->s->store, c->p[0], act_res(c), c->body, &o), 201, &o);
}
static enum mt_e act_get(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_act_get(&c->s->store, c->p[0], act_res(c), act_id(c), &o), 200, &o);
}
static enum mt_e act_put(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_act_update(&c->s->store, c->p[0], act_res(c), act_id(c), c->body, &o), 200,
                &o);
}
static enum mt_e act_del(struct call *c)
{
    return no_content(c, mt_act_delete(&c->s->store, c->p[0], act_res(c), act_id(c)));
}

/* ---- roles ---- */

static enum mt_e role_list(struct call *c)
{
    json_t *items = NULL;
    return paged(c, mt_role_list(&c->s->store, &items), &items, "roles");
}
static enum mt_e role_create(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_role_create(&c->s->store, c->body, &o), 201, &o);
}
static enum mt_e role_get(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_role_get(&c->s->store, c->p[0], &o), 200, &o);
}
static enum mt_e role_put(struct call *c)
{
    json_t *o = NULL;
    return done(c, mt_role_update(&c->s->store, c->p[0], c->body, &o), 200, &o);
}
static enum mt_e role_del(struct call *c)
{
    return no_content(c, mt_role_delete(&c->s->store, c->p[0]));
}
static enum mt_e role_assignments(struct call *c)
{
    json_t *items = NULL;
    const char *type = mt_form_get(c->q, "type");
    const char *inc = mt_form_get(c->q, "include");
    bool display = inc && !strcmp(inc, "display");
    return paged(c, mt_role_assignments(&c->s->store, c->p[0], type, display, &items), &items,
                 "assignments");
}
static enum mt_e role_add(struct call *c)
{
    return no_content(c, mt_role_assign(&c->s->store, c->p[0], c->body, true));
}
static enum mt_e role_remove(struct call *c)
{
    return no_content(c, mt_role_assign(&c->s->store, c->p[0], c->body, false));
}

/* ---- mock-only: key rotation ---- */

static enum mt_e keys_rotate(struct call *c)
{
    struct cmn_err err = {0};
    json_t *retired = json_array(), *active = json_array();

    if (!mt_keyring_rotate(&c->s->keys, "mock-thunder signing key", c->now, retired, &err) ||
        !mt_server_save_keys(c->s)) {
        cmn_log_error("key rotation failed: %s", err.msg);
        json_decref(retired);
        json_decref(active);
        return MT_E_INTERNAL;
    }
    for (size_t i = 0; i < c->s->keys.n; i++)
        json_array_append_new(active, json_string(mt_key_kid(c->s->keys.keys[i])));
    cmn_log_info("signing key rotated: new signer %s", mt_key_kid(c->s->keys.keys[0]));
    return ok_json(c, 200,
                   json_pack("{s:s, s:o, s:o}", "signer", mt_key_kid(c->s->keys.keys[0]), "active",
                             active, "retired", retired));
}

#define RES_CODES MT_E_RES_INVALID_REQUEST, MT_E_RES_INVALID_LIMIT, MT_E_RES_INVALID_OFFSET
#define ROL_CODES MT_E_ROL_INVALID_REQUEST, MT_E_ROL_INVALID_LIMIT, MT_E_ROL_INVALID_OFFSET
#define OU_CODES MT_E_OU_INVALID_REQUEST, MT_E_OU_INVALID_LIMIT, MT_E_OU_INVALID_OFFSET
#define APP_CODES MT_E_APP_INVALID_REQUEST, MT_E_APP_INVALID_REQUEST, MT_E_APP_INVALID_REQUEST

static const struct route routes[] = {
    {"organization-units", OU_CODES, ou_list, ou_create, NULL, NULL},
    {"organization-units/*", OU_CODES, ou_get, NULL, ou_put, ou_del},
    {"organization-units/*/ous", OU_CODES, ou_children, NULL, NULL, NULL},
    {"organization-units/*/users", OU_CODES, ou_users, NULL, NULL, NULL},
    {"organization-units/*/groups", OU_CODES, ou_groups, NULL, NULL, NULL},
    {"applications", APP_CODES, app_list, app_create, NULL, NULL},
    {"applications/*", APP_CODES, app_get, NULL, app_put, app_del},
    {"applications/*/roles", ROL_CODES, NULL, app_roles, NULL, NULL},
    {"resource-servers", RES_CODES, rs_list, rs_create, NULL, NULL},
    {"resource-servers/*", RES_CODES, rs_get, NULL, rs_put, rs_del},
    {"resource-servers/*/resources", RES_CODES, res_list, res_create, NULL, NULL},
    {"resource-servers/*/resources/*", RES_CODES, res_get, NULL, res_put, res_del},
    {"resource-servers/*/actions", RES_CODES, act_list, act_create, NULL, NULL},
    {"resource-servers/*/actions/*", RES_CODES, act_get, NULL, act_put, act_del},
    {"resource-servers/*/resources/*/actions", RES_CODES, act_list, act_create, NULL, NULL},
    {"resource-servers/*/resources/*/actions/*", RES_CODES, act_get, NULL, act_put, act_del},
    {"roles", ROL_CODES, role_list, role_create, NULL, NULL},
    {"roles/*", ROL_CODES, role_get, NULL, role_put, role_del},
    {"roles/*/assignments", ROL_CODES, role_assignments, NULL, NULL, NULL},
    {"roles/*/assignments/add", ROL_CODES, NULL, role_add, NULL, NULL},
    {"roles/*/assignments/remove", ROL_CODES, NULL, role_remove, NULL, NULL},
    {"admin/keys/rotate", RES_CODES, NULL, keys_rotate, NULL, NULL},
};

/* Splits a path ("/a/b/c") into percent-decoded segments; false if empty segments or too many. */
static bool split(const char *path, char seg[MAX_SEGMENTS][256], size_t *n)
{
    *n = 0;
    if (*path != '/')
        return false;
    path++;
    while (*path) {
        size_t len = strcspn(path, "/"), ol;
        if (!len || *n >= MAX_SEGMENTS || len > 255 ||
            !cmn_go_unescape(path, len, false, seg[*n], &ol) || strlen(seg[*n]) != ol)
            return false;
        (*n)++;
        path += len;
        if (*path == '/' && !*++path)
            return false; /* trailing slash: Go's mux has no such route */
    }
    return *n > 0;
}

/* Matches segments against a pattern, collecting wildcards into c->p. */
static bool match(const char *pattern, char seg[MAX_SEGMENTS][256], size_t n, struct call *c)
{
    size_t i = 0, np = 0;
    const char *p = pattern;

    memset(c->p, 0, sizeof(c->p));
    while (*p) {
        size_t len = strcspn(p, "/");
        if (i >= n)
            return false;
        if (len == 1 && *p == '*') {
            if (np < 3)
                c->p[np++] = seg[i];
        } else if (strlen(seg[i]) != len || strncmp(seg[i], p, len)) {
            return false;
        }
        i++;
        p += len + (p[len] == '/');
    }
    return i == n;
}

static void reply_error(struct mt_reply *out, enum mt_e e)
{
    out->status = mt_apierr_get(e)->status;
    out->json = mt_apierr_body(e);
    if (e == MT_E_AUTH_UNAUTHORIZED)
        out->www_auth = "Bearer";
}

static void allow_header(const struct route *r, struct mt_reply *out)
{
    static const char *const allow[16] = {"",
                                          "GET",
                                          "POST",
                                          "GET, POST",
                                          "PUT",
                                          "GET, PUT",
                                          "POST, PUT",
                                          "GET, POST, PUT",
                                          "DELETE",
                                          "GET, DELETE",
                                          "POST, DELETE",
                                          "GET, POST, DELETE",
                                          "PUT, DELETE",
                                          "GET, PUT, DELETE",
                                          "POST, PUT, DELETE",
                                          "GET, POST, PUT, DELETE"};
    unsigned m = (r->get ? 1u : 0) | (r->post ? 2u : 0) | (r->put ? 4u : 0) | (r->del ? 8u : 0);
    out->status = 405;
    out->text = "Method Not Allowed\n";
    out->allow = allow[m];
}

void mt_api_handle(struct mt_server *s, const struct cmn_http_request *req, int64_t now,
                   struct mt_reply *out)
{
    char path[2048], seg[MAX_SEGMENTS][256];
    struct mt_oauth_ctx oc = {&s->store, &s->keys, s->issuer, s->strict_client_auth, now};
    struct call c = {.s = s, .now = now, .out = out, .path = path};
    struct mt_form q = {0};
    const struct route *r = NULL;
    const char *bare = req->path;
    json_t *body = NULL, *before = NULL, *doc;
    size_t n = 0;
    api_fn fn = NULL;
    enum mt_e e;
    bool write = strcmp(req->method, "GET") && strcmp(req->method, "HEAD");

    if (cmn_str_has_prefix(bare, ALIAS_PREFIX "/")) /* guide compatibility */
        bare += strlen(ALIAS_PREFIX);
    cmn_strlcpy(path, bare, sizeof(path));
    e = mt_token_authorize(&oc, cmn_http_request_header(req, "Authorization"),
                           !cmn_str_has_prefix(path, "/organization-units") ? "system"
                           : write                                          ? "system:ou"
                                                                            : "system:ou:view");
    if (e) {
        reply_error(out, e);
        return;
    }
    if (strlen(bare) < sizeof(path) && split(path, seg, &n))
        for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]) && !r; i++)
            if (match(routes[i].pattern, seg, n, &c))
                r = &routes[i];
    if (!r && n >= 3 && !strcmp(seg[0], "organization-units") && !strcmp(seg[1], "tree") &&
        !write) {
        json_t *o = NULL;
        e = mt_ou_get_path(&s->store, path + strlen("/organization-units/tree/"), &o);
        if (e)
            reply_error(out, e);
        else
            ok_json(&c, 200, o);
        return;
    }
    if (!r) {
        out->status = 404;
        out->text = "404 page not found\n";
        return;
    }
    c.r = r;
    fn = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD") ? r->get
         : !strcmp(req->method, "POST")                              ? r->post
         : !strcmp(req->method, "PUT")                               ? r->put
         : !strcmp(req->method, "DELETE")                            ? r->del
                                                                     : NULL;
    if (!fn) {
        allow_header(r, out);
        return;
    }
    if (!mt_form_parse(&q, req->query, strlen(req->query))) {
        reply_error(out, r->bad);
        goto out;
    }
    c.q = &q;
    if (write && fn != keys_rotate && strcmp(req->method, "DELETE")) {
        struct cmn_err jerr = {0};
        body = cmn_json_loadb_strict(req->body ? req->body : "", req->body_len, 1024 * 1024,
                                     JSON_DEPTH_MAX, &jerr);
        if (!body) {
            cmn_log_debug("%s %s: %s", req->method, req->path, jerr.msg);
            reply_error(out, r->bad);
            goto out;
        }
        c.body = body;
    }
    if (write && fn != keys_rotate) {
        doc = mt_store_to_json(&s->store);
        before = json_deep_copy(doc);
        json_decref(doc);
        if (!before) {
            reply_error(out, MT_E_INTERNAL);
            goto out;
        }
    }
    e = fn(&c);
    if (before && !e && !mt_server_save_store(s)) {
        json_decref(out->json);
        out->json = NULL;
        e = MT_E_INTERNAL;
    }
    if (before && e) /* nothing changed, or undo a partial or unsaved change */
        mt_store_from_json(&s->store, before, NULL);
    if (e)
        reply_error(out, e);
out:
    json_decref(before);
    json_decref(body);
    mt_form_free(&q);
}
