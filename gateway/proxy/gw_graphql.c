/* gw_graphql.c - Lura's GraphQL middleware (proxy/graphql.go, transport/http/client/graphql):
 * the request body (or, for GET, nothing reachable) built from the configured query, the
 * request's parameters or the client's body. */
#include "gw_graphql.h"

#include "gw_gojson.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_JSON_DEPTH 128

/* Lura stores a parameter under its name with the first letter upper-cased; graphql.New does the
 * same to the "{name}" of a variable: the two match when they agree past that letter. */
static bool name_eq(const char *a, size_t al, const char *b)
{
    size_t bl = strlen(b);

    return al == bl && al > 0 && toupper((unsigned char)a[0]) == toupper((unsigned char)b[0]) &&
           memcmp(a + 1, b + 1, al - 1) == 0;
}

/* params[Name] for a "{name}" variable, "" when the request has no such parameter. */
static const char *param_of(const char *v, size_t len, const struct gw_inreq *in,
                            const struct gw_seqparam *seq, size_t n_seq)
{
    const char *name = v + 1;
    size_t nl = len - 2;

    for (size_t i = n_seq; i-- > 0;) { /* set after the path parameters: they win */
        if (name_eq(name, nl, seq[i].key))
            return seq[i].value;
    }
    for (size_t i = 0; i < in->n_params; i++) {
        if (name_eq(name, nl, in->params[i].name))
            return in->params[i].value;
    }
    return "";
}

static bool is_placeholder(const json_t *v)
{
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);

    /* "" and "{}" were refused by the configuration (KrakenD panics on them) */
    return s && n >= 3 && s[0] == '{' && s[n - 1] == '}';
}

/* A query's variables: the configured ones, "{param}" strings replaced by the parameter. NULL
 * *out when there are none. */
static bool query_variables(const struct gw_graphql *g, const struct gw_inreq *in,
                            const struct gw_seqparam *seq, size_t n_seq, struct gw_json **out)
{
    const char *k;
    json_t *v;

    *out = NULL;
    if (!g->variables)
        return true;
    if (!(*out = gw_json_object()))
        return false;
    json_object_foreach(g->variables, k, v)
    {
        struct gw_json *val;
        if (is_placeholder(v)) {
            const char *p = param_of(json_string_value(v), json_string_length(v), in, seq, n_seq);
            val = gw_json_string(p, strlen(p));
        } else {
            val = gw_json_from_jansson(v);
        }
        if (!gw_json_object_set(*out, k, val))
            return false;
    }
    return true;
}

static bool only_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    }
    return true;
}

/* A mutation's variables: json.Unmarshal of the client's body into a map (numbers become
 * float64), then the configured variables it lacks. */
static bool mutation_variables(const struct gw_graphql *g, const struct gw_inreq *in,
                               struct gw_json **out, struct cmn_err *err)
{
    json_error_t je;
    json_t *body = NULL, *v;
    const char *k;
    bool ok = false;

    *out = NULL;
    if (!in->body || only_space(in->body, in->body_len))
        return cmn_err_set(err, 1, "unexpected end of JSON input"), false;
    body = json_loadb(in->body, in->body_len,
                      JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
    if (!body)
        return cmn_err_set(err, 1, "invalid JSON body: %s", je.text), false;
    if (json_is_null(body)) {
        /* Go leaves a nil map: fine without configured variables, a panic with them */
        json_decref(body);
        if (!g->variables)
            return true;
        return cmn_err_set(err, 1, "assignment to entry in nil map"), false;
    }
    if (!json_is_object(body)) {
        cmn_err_set(err, 1,
                    "json: cannot unmarshal %s into Go value of type map[string]interface {}",
                    json_is_array(body)     ? "array"
                    : json_is_string(body)  ? "string"
                    : json_is_boolean(body) ? "bool"
                                            : "number");
        goto out;
    }
    json_object_foreach(g->variables, k, v)
    {
        if (!json_object_get(body, k) && json_object_set(body, k, v) != 0)
            goto nomem;
    }
    if (json_object_size(body) && !(*out = gw_json_from_jansson(body)))
        goto nomem;
    ok = true;
    goto out;
nomem:
    cmn_err_set(err, 1, "out of memory");
out:
    json_decref(body);
    return ok;
}

bool gw_graphql_apply(const struct gw_graphql *g, const struct gw_inreq *in,
                      const struct gw_seqparam *seq, size_t n_seq, struct gw_outreq *out,
                      char **body, struct cmn_err *err)
{
    struct gw_json *req = NULL, *vars = NULL;
    char *method = strdup(g->get ? "GET" : "POST");
    size_t len = 0;
    bool ok = false;

    *body = NULL;
    if (!method)
        goto nomem;
    if (g->type == GW_GRAPHQL_MUTATION ? !mutation_variables(g, in, &vars, err)
                                       : !query_variables(g, in, seq, n_seq, &vars)) {
        if (!err->code)
            goto nomem;
        goto out;
    }
    if (!g->get) { /* GraphQLRequest's field order, omitempty on the last two */
        if (!(req = gw_json_struct()) ||
            !gw_json_object_set(req, "query", gw_json_string(g->query, g->query_len)) ||
            (g->operation_name &&
             !gw_json_object_set(req, "operationName",
                                 gw_json_string(g->operation_name, strlen(g->operation_name)))))
            goto nomem;
        if (vars && vars->n_members) {
            if (!gw_json_object_set(req, "variables", vars)) {
                vars = NULL;
                goto nomem;
            }
            vars = NULL;
        }
        if (!(*body = gw_json_render_str(req, &len)))
            goto nomem;
    }
    if (!gw_hdrs_set(&out->headers, "Content-Type", "application/json"))
        goto nomem;
    free(out->method);
    out->method = method;
    method = NULL;
    out->body = *body;
    out->body_len = len;
    out->content_length = !g->get;
    ok = true;
    goto out;
nomem:
    cmn_err_set(err, 1, "out of memory");
out:
    if (!ok) {
        free(*body);
        *body = NULL;
    }
    free(method);
    gw_json_destroy(vars);
    gw_json_destroy(req);
    return ok;
}
