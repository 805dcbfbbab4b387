/* gw_config_proxy.c - the `proxy` namespace of endpoints and backends (sequential, strategy,
 * static, flatmap_filter, sequential_propagated_params, shadow, shadow_timeout) and the
 * backend's `backend/graphql` block (krakend-compat.md §3.4, krakend-config-transform.md §6,
 * krakend-telemetry-validation.md §8). Lura reads these with Go type assertions on exact keys:
 * a value of the wrong type is ignored (with a warning here), and the combinations that make
 * KrakenD panic at request or start time are refused with the JSON path. */
#include "gw_config_int.h"

#include "cmn_file.h"
#include "cmn_go_duration.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRAPHQL_QUERY_MAX (1024 * 1024) /* bytes of a query_path file */
#define GW_NS_GRAPHQL "github.com/devopsfaith/krakend/transport/http/client/graphql"

/* ---- flatmap_filter ------------------------------------------------------------------------ */

void gw_cfg_flatmap_free(struct gw_flatmap *f)
{
    for (size_t i = 0; f && i < f->n_ops; i++) {
        for (size_t k = 0; k < f->ops[i].n_args; k++)
            gw_strlist_free(&f->ops[i].args[k]);
        free(f->ops[i].args);
    }
    if (f) {
        free(f->ops);
        memset(f, 0, sizeof(*f));
    }
}

/* strings.Split(s, "."): "" is one empty segment. */
static bool split_path(const char *s, struct gw_strlist *out)
{
    char seg[GW_CFG_PATH_MAX * 4];

    for (;;) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        if (l >= sizeof(seg) || out->n >= GW_CFG_MAX_LIST)
            return false;
        memcpy(seg, s, l);
        seg[l] = '\0';
        if (!gw_strlist_push(out, seg))
            return false;
        if (!dot)
            return true;
        s = dot + 1;
    }
}

static enum gw_flatmap_kind flatmap_kind(const char *t)
{
    if (strcmp(t, "move") == 0)
        return GW_FLATMAP_MOVE;
    if (strcmp(t, "del") == 0)
        return GW_FLATMAP_DEL;
    if (strcmp(t, "append") == 0)
        return GW_FLATMAP_APPEND;
    return GW_FLATMAP_OTHER;
}

static bool flatmap_op(struct gw_cfg_ctx *c, json_t *item, const char *ipath,
                       struct gw_flatmap_op *op)
{
    json_t *args = json_object_get(item, "args");
    size_t n;

    op->kind = flatmap_kind(json_string_value(json_object_get(item, "type")));
    if (op->kind == GW_FLATMAP_OTHER)
        gw_cfg_warn(c,
                    "%s.type \"%s\" is not move, del or append: the operation does nothing, yet "
                    "it still turns allow, deny and mapping off, as in KrakenD",
                    ipath, json_string_value(json_object_get(item, "type")));
    if (!json_is_array(args)) {
        if (args)
            gw_cfg_warn(c, "%s.args is not a list: ignored, as KrakenD does", ipath);
        return true;
    }
    n = json_array_size(args);
    if (n > GW_CFG_MAX_LIST)
        return gw_cfg_fail(c, ipath, "more than %d args", GW_CFG_MAX_LIST);
    op->args = calloc(n ? n : 1, sizeof(*op->args));
    if (!op->args)
        return gw_cfg_oom(c);
    for (size_t k = 0; k < n; k++) {
        json_t *a = json_array_get(args, k);
        op->n_args++;
        if (!json_is_string(a)) {
            gw_cfg_warn(c, "%s.args[%zu] is not a string: it names no path, as in KrakenD", ipath,
                        k);
            continue;
        }
        if (!split_path(json_string_value(a), &op->args[k]))
            return gw_cfg_fail(c, ipath, "args[%zu]: path too long", k);
    }
    return true;
}

/* Reads ns.flatmap_filter into *out (n_ops 0 when absent, empty or without a usable op). */
static bool flatmap_parse(struct gw_cfg_ctx *c, json_t *ns, const char *path,
                          struct gw_flatmap *out)
{
    json_t *list = json_object_get(ns, "flatmap_filter");
    char fpath[GW_CFG_PATH_MAX];
    size_t n;

    memset(out, 0, sizeof(*out));
    if (!list)
        return true;
    gw_cfg_path_key(fpath, path, "flatmap_filter");
    if (!json_is_array(list)) {
        gw_cfg_warn(c, "%s is not a list: ignored, as KrakenD does", fpath);
        return true;
    }
    n = json_array_size(list);
    if (n > GW_CFG_MAX_LIST)
        return gw_cfg_fail(c, fpath, "more than %d operations", GW_CFG_MAX_LIST);
    out->ops = calloc(n ? n : 1, sizeof(*out->ops));
    if (!out->ops)
        return gw_cfg_oom(c);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(list, i);
        char ipath[GW_CFG_PATH_MAX];
        gw_cfg_path_idx(ipath, fpath, i);
        if (!json_is_object(item) || !json_is_string(json_object_get(item, "type"))) {
            gw_cfg_warn(c, "%s has no string \"type\": skipped, as KrakenD does", ipath);
            continue;
        }
        if (!flatmap_op(c, item, ipath, &out->ops[out->n_ops++]))
            return false;
    }
    return true;
}

/* Lura indexes Args[0] and Args[1] of move and append, and the first segment of move's source,
 * at request time: a panic on every response. Refused here instead. */
static bool flatmap_check(struct gw_cfg_ctx *c, const struct gw_flatmap *f, const char *path)
{
    for (size_t i = 0; i < f->n_ops; i++) {
        const struct gw_flatmap_op *op = &f->ops[i];
        if (op->kind != GW_FLATMAP_MOVE && op->kind != GW_FLATMAP_APPEND)
            continue;
        if (op->n_args < 2)
            return gw_cfg_fail(c, path,
                               "flatmap_filter operation #%zu (%s) needs two string args: "
                               "KrakenD panics on every response with fewer",
                               i, op->kind == GW_FLATMAP_MOVE ? "move" : "append");
        if (op->kind == GW_FLATMAP_MOVE && (op->args[0].n == 0 || op->args[1].n == 0))
            return gw_cfg_fail(c, path,
                               "flatmap_filter operation #%zu (move) needs string paths: KrakenD "
                               "panics on every response with a missing one",
                               i);
    }
    return true;
}

/* ---- endpoint level ------------------------------------------------------------------------- */

static enum gw_static_strategy static_strategy(const json_t *st)
{
    static const char *const names[] = {"always", "success", "errored", "complete", "incomplete"};
    const char *s = json_string_value(json_object_get(st, "strategy"));

    for (size_t i = 0; s && i < 5; i++) {
        if (strcmp(s, names[i]) == 0)
            return (enum gw_static_strategy)(GW_STATIC_ALWAYS + i);
    }
    return GW_STATIC_ALWAYS; /* lura: missing or unknown strategy = always */
}

/* getMergerFactory: a `strategy` key decides alone (only "sequential" is sequential); without
 * it, `sequential: true`. */
static void merger(struct gw_cfg_ctx *c, struct gw_endpoint *e, json_t *ns, const char *path)
{
    json_t *v = json_object_get(ns, "strategy");

    if (v) {
        e->sequential = json_is_string(v) && strcmp(json_string_value(v), "sequential") == 0;
        if (!json_is_string(v) || (!e->sequential && strcmp(json_string_value(v), "parallel") != 0))
            gw_cfg_warn(c,
                        "%s.extra_config.proxy.strategy is neither \"parallel\" nor "
                        "\"sequential\": the backends run in parallel, as in KrakenD",
                        path);
        if (json_object_get(ns, "sequential"))
            gw_cfg_warn(c,
                        "%s.extra_config.proxy: \"strategy\" is set, so \"sequential\" is not "
                        "read, as in KrakenD",
                        path);
        return;
    }
    v = json_object_get(ns, "sequential");
    if (json_is_true(v))
        e->sequential = true;
    else if (v && !json_is_boolean(v))
        gw_cfg_warn(c,
                    "%s.extra_config.proxy.sequential is not a JSON bool: ignored (the "
                    "backends run in parallel), as KrakenD does",
                    path);
}

static bool propagated_params(struct gw_cfg_ctx *c, struct gw_endpoint *e, json_t *ns,
                              const char *path)
{
    json_t *v = json_object_get(ns, "sequential_propagated_params");
    json_t *item;
    size_t i;

    if (!v)
        return true;
    if (!json_is_array(v)) {
        gw_cfg_warn(c,
                    "%s.extra_config.proxy.sequential_propagated_params is not a list: ignored, "
                    "as KrakenD does",
                    path);
        return true;
    }
    e->sequential_propagated_params.set = true;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item))
            continue; /* refused by gw_cfg_endpoint_proxy_check when KrakenD reads the list */
        if (e->sequential_propagated_params.n >= GW_CFG_MAX_LIST ||
            !gw_strlist_push(&e->sequential_propagated_params, json_string_value(item)))
            return gw_cfg_oom(c);
    }
    return true;
}

bool gw_cfg_endpoint_proxy(struct gw_cfg_ctx *c, struct gw_endpoint *e, const char *path)
{
    json_t *ns = e->extra_config ? json_object_get(e->extra_config, GW_NS_PROXY) : NULL;
    char ppath[GW_CFG_PATH_MAX];
    json_t *v;
    const char *k;

    if (!json_is_object(ns))
        return true;
    snprintf(ppath, sizeof(ppath), "%s.extra_config.proxy", path);
    merger(c, e, ns, path);
    v = json_object_get(ns, "static");
    if (v) {
        json_t *data = json_object_get(v, "data");
        if (json_is_object(data)) {
            e->static_strategy = static_strategy(v);
            e->static_data = data;
        } else {
            gw_cfg_warn(c,
                        "%s.extra_config.proxy.static needs an object \"data\": ignored, as "
                        "KrakenD does",
                        path);
        }
    }
    if (!flatmap_parse(c, ns, ppath, &e->flatmap) || !propagated_params(c, e, ns, path))
        return false;
    json_object_foreach(ns, k, v)
    {
        static const char *const known[] = {"sequential", "strategy", "static", "flatmap_filter",
                                            "sequential_propagated_params"};
        char key[96];
        bool ok = *k == '@';
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !ok; i++)
            ok = strcmp(k, known[i]) == 0;
        if (ok)
            continue;
        snprintf(key, sizeof(key), "proxy:%.80s", k);
        gw_cfg_warn_once(c, key,
                         "proxy option \"%s\" is not supported by this gateway and is "
                         "ignored (first in %s)",
                         k, path);
    }
    return true;
}

/* After the backends are known: what only applies with several non-shadow backends. */
bool gw_cfg_endpoint_proxy_check(struct gw_cfg_ctx *c, struct gw_endpoint *e, const char *path)
{
    size_t regular = 0;
    char ppath[GW_CFG_PATH_MAX];

    for (size_t i = 0; i < e->n_backends; i++)
        regular += !e->backends[i].shadow;
    snprintf(ppath, sizeof(ppath), "%s.extra_config.proxy", path);
    if (regular == 0)
        gw_cfg_warn(c,
                    "%s: every backend is a shadow backend: KrakenD cannot build the endpoint "
                    "(all endpoints must have at least one backend) and answers 500 to every "
                    "request; so does this gateway",
                    path);
    if (e->flatmap.n_ops > 0 && regular < 2) {
        gw_cfg_warn(c,
                    "%s.flatmap_filter applies to merged responses only: ignored with a single "
                    "backend, as in KrakenD",
                    ppath);
        gw_cfg_flatmap_free(&e->flatmap);
    } else if (e->flatmap.n_ops > 0 && !flatmap_check(c, &e->flatmap, ppath)) {
        return false;
    }
    if (e->sequential && regular >= 2 && e->sequential_propagated_params.set) {
        json_t *list = json_object_get(json_object_get(e->extra_config, GW_NS_PROXY),
                                       "sequential_propagated_params");
        for (size_t i = 0; i < json_array_size(list); i++) {
            char lp[GW_CFG_PATH_MAX], p[GW_CFG_PATH_MAX];
            if (json_is_string(json_array_get(list, i)))
                continue;
            gw_cfg_path_key(lp, ppath, "sequential_propagated_params");
            gw_cfg_path_idx(p, lp, i);
            return gw_cfg_fail(c, p, "not a string (KrakenD panics at startup)");
        }
    }
    if (e->sequential_propagated_params.set && (!e->sequential || regular < 2))
        gw_cfg_warn(c,
                    "%s.sequential_propagated_params is only read by the sequential merge of "
                    "several backends: ignored here, as in KrakenD",
                    ppath);
    return true;
}

/* ---- backend level -------------------------------------------------------------------------- */

static void shadow(struct gw_cfg_ctx *c, struct gw_backend *b, json_t *ns, const char *ppath)
{
    json_t *v = json_object_get(ns, "shadow");
    int64_t ns_val;

    if (v && !json_is_boolean(v))
        gw_cfg_warn(c, "%s.shadow is not a JSON bool: ignored, as KrakenD does", ppath);
    b->shadow = json_is_true(v);
    b->shadow_timeout_ms = b->timeout_ms;
    v = json_object_get(ns, "shadow_timeout");
    if (!v)
        return;
    if (!b->shadow)
        gw_cfg_warn(c, "%s.shadow_timeout without \"shadow\": true is not read", ppath);
    else if (!json_is_string(v) || !cmn_go_parse_duration(json_string_value(v), &ns_val))
        gw_cfg_warn(c,
                    "%s.shadow_timeout is not a Go duration string: the backend timeout is used, "
                    "as in KrakenD",
                    ppath);
    else
        b->shadow_timeout_ms = ns_val <= 0 ? 0 : (ns_val + 999999) / 1000000;
}

bool gw_cfg_backend_proxy(struct gw_cfg_ctx *c, struct gw_backend *b, const char *bpath)
{
    json_t *ns = b->extra_config ? json_object_get(b->extra_config, GW_NS_PROXY) : NULL;
    char ppath[GW_CFG_PATH_MAX];
    json_t *v;
    const char *k;

    b->shadow_timeout_ms = b->timeout_ms;
    if (!json_is_object(ns))
        return true;
    snprintf(ppath, sizeof(ppath), "%s.extra_config.proxy", bpath);
    if (!flatmap_parse(c, ns, ppath, &b->flatmap) ||
        (b->flatmap.n_ops > 0 && !flatmap_check(c, &b->flatmap, ppath)))
        return false;
    shadow(c, b, ns, ppath);
    json_object_foreach(ns, k, v)
    {
        char key[96];
        if (*k == '@' || strcmp(k, "flatmap_filter") == 0 || strcmp(k, "shadow") == 0 ||
            strcmp(k, "shadow_timeout") == 0)
            continue;
        snprintf(key, sizeof(key), "proxy-backend:%.80s", k);
        gw_cfg_warn_once(c, key,
                         "proxy option \"%s\" in a backend is not supported by this "
                         "gateway and is ignored (first in %s)",
                         k, bpath);
    }
    return true;
}

/* ---- backend/graphql ------------------------------------------------------------------------ */

void gw_cfg_graphql_free(struct gw_graphql *g)
{
    if (!g)
        return;
    free(g->query);
    free(g->operation_name);
    free(g);
}

/* One string option of the Options struct (Go matches keys case-insensitively). */
static bool gql_string(const json_t *ns, const char *key, const char **out, char *why, size_t n)
{
    json_t *v = gw_cfg_member(ns, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v)) {
        snprintf(why, n, "json: cannot unmarshal %s into Go struct field Options.%s of type string",
                 json_is_object(v)    ? "object"
                 : json_is_array(v)   ? "array"
                 : json_is_boolean(v) ? "bool"
                                      : "number",
                 key);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

/* graphql.New indexes val[0] and slices val[2:len-1] of every string variable that starts with
 * '{' and ends with '}': "" and "{}" make KrakenD panic at startup. */
static bool gql_variables_check(struct gw_cfg_ctx *c, json_t *vars, const char *gpath)
{
    const char *k;
    json_t *v;

    json_object_foreach(vars, k, v)
    {
        const char *s = json_string_value(v);
        char p[GW_CFG_PATH_MAX];
        if (!s)
            continue;
        if (*s && !(strcmp(s, "{}") == 0))
            continue;
        gw_cfg_path_key(p, gpath, "variables");
        gw_cfg_path_key(p, p, k);
        return gw_cfg_fail(c, p,
                           "the value %s makes KrakenD panic at startup (graphql.New indexes "
                           "it); refused",
                           *s ? "\"{}\"" : "\"\" (an empty string)");
    }
    return true;
}

static bool gql_query_file(struct gw_cfg_ctx *c, struct gw_graphql *g, const char *file,
                           const char *gpath)
{
    int e = 0;
    enum cmn_file_status st =
        cmn_file_read(file, GRAPHQL_QUERY_MAX, 0, &g->query, &g->query_len, &e);

    if (st == CMN_FILE_OK)
        return true;
    if (st == CMN_FILE_NOMEM)
        return gw_cfg_oom(c);
    gw_cfg_warn(c, "%s: query_path: open %s: %s: the GraphQL block is ignored, as KrakenD does",
                gpath, file,
                st == CMN_FILE_TOO_BIG       ? "larger than 1 MiB"
                : st == CMN_FILE_NOT_REGULAR ? "not a regular file"
                : e                          ? strerror(e)
                                             : "unreadable");
    return false;
}

bool gw_cfg_backend_graphql(struct gw_cfg_ctx *c, struct gw_backend *b, const char *bpath)
{
    json_t *ns = b->extra_config ? json_object_get(b->extra_config, GW_NS_GRAPHQL) : NULL;
    const char *query = NULL, *op = NULL, *type = NULL, *method = NULL, *qpath = NULL;
    char gpath[GW_CFG_PATH_MAX], why[256];
    struct gw_graphql *g;
    json_t *vars;
    bool ok;

    if (!ns || json_is_null(ns))
        return true;
    snprintf(gpath, sizeof(gpath), "%s.extra_config.backend/graphql", bpath);
    if (!json_is_object(ns)) {
        gw_cfg_warn(c, "%s: not an object: the GraphQL block is ignored, as KrakenD does", gpath);
        return true;
    }
    vars = gw_cfg_member(ns, "variables");
    ok = gql_string(ns, "query", &query, why, sizeof(why)) &&
         gql_string(ns, "operationName", &op, why, sizeof(why)) &&
         gql_string(ns, "type", &type, why, sizeof(why)) &&
         gql_string(ns, "method", &method, why, sizeof(why)) &&
         gql_string(ns, "query_path", &qpath, why, sizeof(why));
    if (ok && vars && !json_is_null(vars) && !json_is_object(vars)) {
        snprintf(why, sizeof(why),
                 "json: cannot unmarshal %s into Go struct field Options.variables of type "
                 "map[string]interface {}",
                 json_is_array(vars)    ? "array"
                 : json_is_string(vars) ? "string"
                                        : "number");
        ok = false;
    }
    if (!ok) {
        gw_cfg_warn(c, "%s: %s: the GraphQL block is ignored, as KrakenD does", gpath, why);
        return true;
    }
    if (!(g = calloc(1, sizeof(*g))))
        return gw_cfg_oom(c);
    if (qpath && *qpath) {
        if (!gql_query_file(c, g, qpath, gpath)) {
            gw_cfg_graphql_free(g);
            return !c->failed;
        }
    } else if (!(g->query = gw_cfg_strdup(query ? query : ""))) {
        gw_cfg_graphql_free(g);
        return gw_cfg_oom(c);
    } else {
        g->query_len = strlen(g->query);
    }
    if (json_is_object(vars) && !gql_variables_check(c, vars, gpath)) {
        gw_cfg_graphql_free(g);
        return false;
    }
    /* type lower-cased, method upper-cased; anything but GET is POST */
    g->get = method && strcasecmp(method, "GET") == 0 && strlen(method) == 3;
    if (type && strcasecmp(type, "query") == 0 && strlen(type) == 5)
        g->type = GW_GRAPHQL_QUERY;
    else if (type && strcasecmp(type, "mutation") == 0 && strlen(type) == 8)
        g->type = GW_GRAPHQL_MUTATION;
    if (!g->type) {
        gw_cfg_warn(c,
                    "%s.type \"%s\" is neither query nor mutation: the GraphQL block does "
                    "nothing, as in KrakenD",
                    gpath, type ? type : "");
        gw_cfg_graphql_free(g);
        return true;
    }
    if (op && *op && !(g->operation_name = gw_cfg_strdup(op))) {
        gw_cfg_graphql_free(g);
        return gw_cfg_oom(c);
    }
    g->variables = json_is_object(vars) && json_object_size(vars) ? vars : NULL;
    if (g->get)
        gw_cfg_warn(c,
                    "%s.method GET: KrakenD adds the query, operationName and variables to the "
                    "request after its URL was built, so the backend receives none of them; this "
                    "gateway does the same",
                    gpath);
    b->graphql = g;
    return true;
}
