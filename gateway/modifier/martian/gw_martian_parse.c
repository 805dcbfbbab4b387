/* gw_martian_parse.c - modifier/martian's configuration as krakend-martian's ConfigGetter and
 * google/martian's parse.FromJSON read it (../shared/spec/krakend-config-transform.md §3.2):
 * one modifier name per object, each body decoded as Go's encoding/json decodes it into the
 * modifier's struct (keys matched without regard to case, unknown keys ignored, a wrong type
 * an error with Go's text), scopes, filters and groups nested to any depth we allow. */
#include "gw_martian_int.h"

#include "cmn_b64.h"
#include "cmn_go_header.h"
#include "cmn_go_re.h"
#include "cmn_http_field.h"
#include "cmn_rand.h"
#include "cmn_str.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- Go's json.Unmarshal into a struct ------------------------------------------------------ */

enum ftype {
    FT_STRING = 0,
    FT_INT, /* Go int / int64 */
    FT_BOOL,
    FT_STRINGS, /* []string */
    FT_SCOPE,   /* []parse.ModifierType */
    FT_RAW,     /* json.RawMessage: any value, null included */
    FT_BYTES,   /* []byte: base64 */
    FT_TIME,    /* time.Time: RFC 3339 */
    FT_MAP,     /* map[string]string */
    FT_LIST,    /* []json.RawMessage or []struct: an array */
};

struct fdef {
    const char *name; /* the JSON tag */
    enum ftype type;
};

#define MAX_FIELDS 10

/* Decoded fields by index: the value of the last key that matched (NULL: absent; json null
 * only for FT_RAW). */
struct fvals {
    const json_t *v[MAX_FIELDS];
};

struct parser {
    struct gw_mart_tree *tree;
    struct cmn_err *err;
    bool refused; /* a header that can never be sent (reported when the rest parses) */
    char refusal[CMN_ERR_MSG_MAX];
    int depth;
};

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    default:
        return "number";
    }
}

static const char *go_type(enum ftype t)
{
    static const char *const names[] = {
        "string",          "int",     "bool",      "string", "parse.ModifierType",
        "json.RawMessage", "[]uint8", "time.Time", "string", "[]json.RawMessage"};
    return names[t];
}

static int type_error(struct parser *p, const char *sname, const char *field, const json_t *v,
                      enum ftype t)
{
    if (json_is_real(v) || json_is_integer(v)) {
        char num[64];
        if (json_is_integer(v))
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        else
            snprintf(num, sizeof(num), "%g", json_real_value(v));
        return cmn_err_set(p->err, GW_MART_CONFIG,
                           "json: cannot unmarshal number %s into Go struct field %s.%s of type %s",
                           num, sname, field, go_type(t));
    }
    return cmn_err_set(p->err, GW_MART_CONFIG,
                       "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
                       json_kind(v), sname, field, go_type(t));
}

static bool type_ok(const json_t *v, enum ftype t)
{
    switch (t) {
    case FT_STRING:
    case FT_BYTES:
    case FT_TIME:
        return json_is_string(v);
    case FT_INT:
        return json_is_integer(v);
    case FT_BOOL:
        return json_is_boolean(v);
    case FT_STRINGS:
    case FT_SCOPE:
    case FT_LIST:
        return json_is_array(v);
    case FT_MAP:
        return json_is_object(v);
    case FT_RAW:
        return true;
    }
    return false;
}

/* Decodes obj into the fields of struct sname (Go's "header.modifierJSON" for errors). */
static bool decode(struct parser *p, const json_t *obj, const char *pkg, const char *sname,
                   const struct fdef *defs, size_t n, struct fvals *out)
{
    const char *key;
    const json_t *v;

    memset(out, 0, sizeof(*out));
    if (json_is_null(obj))
        return true; /* a null body leaves every field empty */
    if (!json_is_object(obj)) {
        cmn_err_set(p->err, GW_MART_CONFIG, "json: cannot unmarshal %s into Go value of type %s.%s",
                    json_kind(obj), pkg, sname);
        return false;
    }
    json_object_foreach((json_t *)(uintptr_t)obj, key, v)
    {
        size_t f = n;
        for (size_t i = 0; i < n && f == n; i++) /* an exact match first, then any case */
            f = strcmp(defs[i].name, key) == 0 ? i : n;
        for (size_t i = 0; i < n && f == n; i++)
            f = strcasecmp(defs[i].name, key) == 0 ? i : n;
        if (f == n)
            continue; /* unknown keys are ignored */
        if (json_is_null(v) && defs[f].type != FT_RAW) {
            out->v[f] = NULL; /* null leaves the field as it was */
            continue;
        }
        if (!type_ok(v, defs[f].type)) {
            type_error(p, sname, defs[f].name, v, defs[f].type);
            return false;
        }
        /* the modifiers keep C strings: a NUL byte (JSON's \u0000) would cut a value short,
         * and sent whole it breaks the field rule, so no value with one is taken */
        if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v) &&
            !p->refused) {
            p->refused = true;
            snprintf(p->refusal, sizeof(p->refusal), "%s.%s: the %s field holds a NUL byte", pkg,
                     sname, defs[f].name);
        }
        if (defs[f].type == FT_STRINGS || defs[f].type == FT_SCOPE) {
            size_t i;
            const json_t *item;
            json_array_foreach(v, i, item)
            {
                if (!json_is_string(item) && !json_is_null(item)) {
                    type_error(p, sname, defs[f].name, item, defs[f].type);
                    return false;
                }
            }
        }
        if (defs[f].type == FT_MAP) {
            const char *k;
            const json_t *item;
            json_object_foreach((json_t *)(uintptr_t)v, k, item)
            {
                if (!json_is_string(item) && !json_is_null(item)) {
                    type_error(p, sname, defs[f].name, item, FT_STRING);
                    return false;
                }
            }
        }
        out->v[f] = v;
    }
    return true;
}

static const char *str_of(const json_t *v)
{
    return v && json_is_string(v) ? json_string_value(v) : "";
}

static char *dup_str(struct parser *p, const json_t *v)
{
    char *s = strdup(str_of(v));

    if (!s)
        cmn_err_set(p->err, GW_MART_NOMEM, "out of memory");
    return s;
}

static char *dup_canon(struct parser *p, const json_t *v)
{
    char canon[1024];
    char *s;

    cmn_go_canonical_header(str_of(v), canon, sizeof(canon));
    s = strdup(canon);
    if (!s)
        cmn_err_set(p->err, GW_MART_NOMEM, "out of memory");
    return s;
}

/* A header the modifier will write: refused when Go's client could never send it. */
static void must_send(struct parser *p, const char *what, const char *name, const char *value)
{
    if (p->refused)
        return;
    if (!cmn_http_field_name_ok_str(name)) {
        p->refused = true;
        snprintf(p->refusal, sizeof(p->refusal), "%s: invalid header name \"%s\"", what, name);
    } else if (value && !cmn_http_field_value_ok_str(value)) {
        p->refused = true;
        snprintf(p->refusal, sizeof(p->refusal),
                 "%s: the value of header %s is not a valid header value", what, name);
    } else if (value && strcmp(name, "Content-Length") == 0) {
        char *end;
        errno = 0;
        (void)strtoll(value, &end, 10);
        if (!*value || *end || errno) {
            p->refused = true;
            snprintf(p->refusal, sizeof(p->refusal),
                     "%s: Content-Length \"%s\" is not an integer (strconv.ParseInt fails on "
                     "every request)",
                     what, value);
        }
    }
}

/* ---- nodes and results ---------------------------------------------------------------------- */

struct spec;
static bool from_json(struct parser *p, const json_t *raw, struct gw_mart_ref *out);

static struct gw_mart_node *node_new(struct parser *p, enum gw_mart_kind kind)
{
    struct gw_mart_tree *t = p->tree;
    struct gw_mart_node *n;

    if (t->n_all >= GW_MART_NODES_MAX) {
        cmn_err_set(p->err, GW_MART_CONFIG, "martian: more than %d modifiers in one backend",
                    GW_MART_NODES_MAX);
        return NULL;
    }
    if (t->n_all == t->cap_all) {
        size_t cap = t->cap_all ? t->cap_all * 2 : 8;
        struct gw_mart_node **a = realloc(t->all, cap * sizeof(*a));
        if (!a)
            goto nomem;
        t->all = a;
        t->cap_all = cap;
    }
    n = calloc(1, sizeof(*n));
    if (!n)
        goto nomem;
    n->kind = kind;
    t->all[t->n_all++] = n;
    return n;
nomem:
    cmn_err_set(p->err, GW_MART_NOMEM, "out of memory");
    return NULL;
}

/* parse.NewResult: which directions the node is attached in. */
static bool result(struct parser *p, struct gw_mart_node *n, bool can_req, bool can_res,
                   const json_t *scope, struct gw_mart_ref *out)
{
    size_t i;
    const json_t *s;

    *out = (struct gw_mart_ref){n, false, false};
    if (!scope) {
        out->req = can_req;
        out->res = can_res;
        return true;
    }
    json_array_foreach(scope, i, s)
    {
        const char *v = str_of(s);
        if (strcmp(v, "request") == 0) {
            if (!can_req)
                return cmn_err_set(p->err, GW_MART_CONFIG,
                                   "parse: invalid scope \"request\" for modifier"),
                       false;
            out->req = true;
        } else if (strcmp(v, "response") == 0) {
            if (!can_res)
                return cmn_err_set(p->err, GW_MART_CONFIG,
                                   "parse: invalid scope \"response\" for modifier"),
                       false;
            out->res = true;
        } else {
            return cmn_err_set(p->err, GW_MART_CONFIG,
                               "parse: invalid scope: %s not in [\"request\", \"response\"]", v),
                   false;
        }
    }
    return true;
}

/* ---- the modifiers -------------------------------------------------------------------------- */

static bool p_header(struct parser *p, const json_t *b, enum gw_mart_kind kind,
                     struct gw_mart_ref *out)
{
    static const struct fdef f[] = {{"name", FT_STRING}, {"value", FT_STRING}, {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;

    if (!decode(p, b, "header", "modifierJSON", f, 3, &v) || !(n = node_new(p, kind)) ||
        !(n->name = dup_canon(p, v.v[0])) || !(n->value = dup_str(p, v.v[1])))
        return false;
    if (kind != GW_MART_HEADER_VERIFY)
        must_send(p, kind == GW_MART_HEADER_SET ? "header.Modifier" : "header.Append", n->name,
                  n->value);
    return result(p, n, true, true, v.v[2], out);
}

static bool p_blacklist(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {{"names", FT_STRINGS}, {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;
    size_t i;
    const json_t *s;

    if (!decode(p, b, "header", "blacklistModifierJSON", f, 2, &v) ||
        !(n = node_new(p, GW_MART_HEADER_DELETE)))
        return false;
    if (v.v[0] && json_array_size(v.v[0])) {
        n->names = calloc(json_array_size(v.v[0]), sizeof(*n->names));
        if (!n->names)
            return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
        json_array_foreach(v.v[0], i, s)
        {
            if (!(n->names[n->n_names++] = dup_canon(p, s)))
                return false;
        }
    }
    return result(p, n, true, true, v.v[1], out);
}

static bool p_copy(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {{"from", FT_STRING}, {"to", FT_STRING}, {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;

    if (!decode(p, b, "header", "copyModifierJSON", f, 3, &v) ||
        !(n = node_new(p, GW_MART_HEADER_COPY)) || !(n->from = dup_canon(p, v.v[0])) ||
        !(n->to = dup_canon(p, v.v[1])))
        return false;
    must_send(p, "header.Copy", n->to, NULL);
    return result(p, n, true, true, v.v[2], out);
}

static bool p_id(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {{"scope", FT_SCOPE}, {"header", FT_STRING}};
    struct fvals v;
    struct gw_mart_node *n;

    if (!decode(p, b, "header", "idModifierJSON", f, 2, &v) ||
        !(n = node_new(p, GW_MART_HEADER_ID)))
        return false;
    n->name = v.v[1] && str_of(v.v[1])[0] ? dup_canon(p, v.v[1]) : strdup("X-Krakend-Id");
    if (!n->name)
        return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
    must_send(p, "header.Id", n->name, NULL);
    return result(p, n, true, false, v.v[0], out);
}

static bool p_url(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {{"scheme", FT_STRING},
                                    {"host", FT_STRING},
                                    {"path", FT_STRING},
                                    {"query", FT_STRING},
                                    {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;

    if (!decode(p, b, "martianurl", "modifierJSON", f, 5, &v) || !(n = node_new(p, GW_MART_URL)) ||
        !(n->scheme = dup_str(p, v.v[0])) || !(n->host = dup_str(p, v.v[1])) ||
        !(n->path = dup_str(p, v.v[2])) || !(n->query = dup_str(p, v.v[3])))
        return false;
    return result(p, n, true, false, v.v[4], out);
}

static bool p_port(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {
        {"port", FT_INT}, {"defaultForScheme", FT_BOOL}, {"remove", FT_BOOL}, {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;
    int set;

    if (!decode(p, b, "port", "modifierJSON", f, 4, &v) || !(n = node_new(p, GW_MART_PORT)))
        return false;
    n->port = v.v[0] ? json_integer_value(v.v[0]) : 0;
    n->default_for_scheme = v.v[1] && json_is_true(v.v[1]);
    n->remove = v.v[2] && json_is_true(v.v[2]);
    set = (n->port != 0) + n->default_for_scheme + n->remove;
    if (set != 1)
        return cmn_err_set(p->err, GW_MART_CONFIG,
                           "Must specify only one of port, defaultForScheme or remove"),
               false;
    return result(p, n, true, false, v.v[3], out);
}

static bool p_query(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {{"name", FT_STRING}, {"value", FT_STRING}, {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;

    if (!decode(p, b, "querystring", "modifierJSON", f, 3, &v) ||
        !(n = node_new(p, GW_MART_QUERY)) || !(n->name = dup_str(p, v.v[0])) ||
        !(n->value = dup_str(p, v.v[1])))
        return false;
    return result(p, n, true, false, v.v[2], out);
}

/* time.Time.UnmarshalJSON: RFC 3339 with optional fraction and a zone. */
static bool parse_rfc3339(const char *s, int64_t *unix_s)
{
    int y, mo, d, h, mi, sec, n = 0;
    struct tm tm = {0};
    const char *z;
    long off = 0;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return false;
    z = s + 19;
    if (*z == '.') {
        z++;
        if (!isdigit((unsigned char)*z))
            return false;
        while (isdigit((unsigned char)*z))
            z++;
    }
    if (*z == 'Z' || *z == 'z') {
        z++;
    } else if (*z == '+' || *z == '-') {
        int oh, om;
        if (sscanf(z + 1, "%2d:%2d", &oh, &om) != 2 || strlen(z) != 6)
            return false;
        off = (oh * 60 + om) * 60 * (*z == '-' ? -1 : 1);
        z += 6;
    } else {
        return false;
    }
    if (*z || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *unix_s = (int64_t)timegm(&tm) - off;
    return true;
}

static bool p_cookie(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {
        {"name", FT_STRING},   {"value", FT_STRING}, {"path", FT_STRING},
        {"domain", FT_STRING}, {"expires", FT_TIME}, {"secure", FT_BOOL},
        {"httpOnly", FT_BOOL}, {"maxAge", FT_INT},   {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;
    int64_t expires = 0;

    if (!decode(p, b, "cookie", "modifierJSON", f, 9, &v) || !(n = node_new(p, GW_MART_COOKIE)))
        return false;
    if (v.v[4] && !parse_rfc3339(str_of(v.v[4]), &expires))
        return cmn_err_set(p->err, GW_MART_CONFIG,
                           "parsing time \"\\\"%s\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
                           "cannot parse as RFC 3339",
                           str_of(v.v[4])),
               false;
    n->cookie = gw_mart_cookie_pair(str_of(v.v[0]), str_of(v.v[1]));
    n->set_cookie =
        gw_mart_cookie_string(str_of(v.v[0]), str_of(v.v[1]), str_of(v.v[2]), str_of(v.v[3]),
                              expires, v.v[4] != NULL, v.v[7] ? json_integer_value(v.v[7]) : 0,
                              v.v[5] && json_is_true(v.v[5]), v.v[6] && json_is_true(v.v[6]));
    if (!n->cookie || !n->set_cookie)
        return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
    return result(p, n, true, true, v.v[8], out);
}

static bool p_body(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {
        {"contentType", FT_STRING}, {"body", FT_BYTES}, {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;
    unsigned char rnd[30];

    if (!decode(p, b, "body", "modifierJSON", f, 3, &v) || !(n = node_new(p, GW_MART_BODY)) ||
        !(n->content_type = dup_str(p, v.v[0])))
        return false;
    if (v.v[1]) { /* []byte: standard base64 with padding, as encoding/json reads it */
        const char *s = str_of(v.v[1]);
        size_t len = strlen(s), bad = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                                                "vwxyz0123456789+/=");
        n->body = malloc(cmn_b64_decoded_max(len) + 1);
        if (!n->body)
            return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
        if (!cmn_b64_decode(s, len, (unsigned char *)n->body, &n->body_len))
            return cmn_err_set(p->err, GW_MART_CONFIG, "illegal base64 data at input byte %zu",
                               bad < len ? bad : len),
                   false;
    }
    must_send(p, "body.Modifier", "Content-Type", n->content_type);
    n->boundary = malloc(61);
    if (!n->boundary || !cmn_rand_bytes(rnd, sizeof(rnd)))
        return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(n->boundary + 2 * i, 3, "%02x", rnd[i]);
    return result(p, n, true, true, v.v[2], out);
}

static bool p_stash(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {{"headerName", FT_STRING}, {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;

    if (!decode(p, b, "stash", "modifierJSON", f, 2, &v) || !(n = node_new(p, GW_MART_STASH)) ||
        !(n->name = dup_canon(p, v.v[0])) || !result(p, n, true, true, v.v[1], out))
        return false;
    if (out->res && !out->req)
        return cmn_err_set(p->err, GW_MART_CONFIG,
                           "to write header on a response, specify scope as both request and "
                           "response"),
               false;
    must_send(p, "stash.Modifier", n->name, NULL);
    p->tree->needs_request = true;
    return true;
}

static bool p_status(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {{"statusCode", FT_INT}, {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;

    if (!decode(p, b, "status", "statusJSON", f, 2, &v) || !(n = node_new(p, GW_MART_STATUS)))
        return false;
    n->status = v.v[0] ? (int)json_integer_value(v.v[0]) : 0;
    return result(p, n, false, true, v.v[1], out);
}

static bool p_static(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {
        {"explicitPaths", FT_MAP}, {"rootPath", FT_STRING}, {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n;
    struct cmn_buf root;

    if (!decode(p, b, "martian", "staticJSON", f, 3, &v) || !(n = node_new(p, GW_MART_STATIC)))
        return false;
    cmn_buf_init(&root, 64 * 1024);
    gw_mart_clean_path(str_of(v.v[1]), &root);
    n->root = cmn_buf_take(&root, NULL);
    if (!n->root)
        return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
    if (v.v[0] && json_object_size(v.v[0])) {
        const char *k;
        const json_t *item;
        size_t cnt = json_object_size(v.v[0]);
        n->map_from = calloc(cnt, sizeof(*n->map_from));
        n->map_to = calloc(cnt, sizeof(*n->map_to));
        if (!n->map_from || !n->map_to)
            return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
        json_object_foreach((json_t *)(uintptr_t)v.v[0], k, item)
        {
            n->map_from[n->n_map] = strdup(k);
            n->map_to[n->n_map] = strdup(str_of(item));
            if (!n->map_from[n->n_map++] || !n->map_to[n->n_map - 1])
                return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
        }
    }
    p->tree->needs_request = true;
    return result(p, n, true, true, v.v[2], out);
}

/* ---- filters and groups --------------------------------------------------------------------- */

/* modifier (required) and else (when present) of a filter. */
static bool branches(struct parser *p, struct gw_mart_node *n, const json_t *mod, const json_t *els,
                     bool has_else)
{
    if (!from_json(p, mod, &n->then))
        return false;
    if (has_else && els && !from_json(p, els, &n->els))
        return false;
    return true;
}

static bool compile_re(struct parser *p, struct gw_mart_node *n, const char *pattern)
{
    struct cmn_err e = {0};

    n->re = cmn_go_re_compile(pattern, strlen(pattern), 0, &e);
    if (!n->re)
        return cmn_err_set(p->err, e.code == CMN_GO_RE_NOMEM ? GW_MART_NOMEM : GW_MART_CONFIG, "%s",
                           e.msg),
               false;
    return true;
}

static bool p_filter(struct parser *p, const json_t *b, enum gw_mart_kind kind,
                     struct gw_mart_ref *out)
{
    /* the fields each filter reads, in its struct's order */
    static const struct fdef fh[] = {{"name", FT_STRING},
                                     {"value", FT_STRING},
                                     {"modifier", FT_RAW},
                                     {"else", FT_RAW},
                                     {"scope", FT_SCOPE}};
    static const struct fdef fhr[] = {
        {"regex", FT_STRING}, {"header", FT_STRING}, {"modifier", FT_RAW}, {"scope", FT_SCOPE}};
    static const struct fdef fu[] = {
        {"scheme", FT_STRING}, {"host", FT_STRING}, {"path", FT_STRING}, {"query", FT_STRING},
        {"modifier", FT_RAW},  {"else", FT_RAW},    {"scope", FT_SCOPE}};
    static const struct fdef fur[] = {
        {"regex", FT_STRING}, {"modifier", FT_RAW}, {"else", FT_RAW}, {"scope", FT_SCOPE}};
    static const struct fdef fp[] = {{"port", FT_INT}, {"modifier", FT_RAW}, {"scope", FT_SCOPE}};
    struct fvals v;
    struct gw_mart_node *n = NULL;

    switch (kind) {
    case GW_MART_F_HEADER:
    case GW_MART_F_QUERY:
    case GW_MART_F_COOKIE:
        if (!decode(p, b,
                    kind == GW_MART_F_HEADER  ? "header"
                    : kind == GW_MART_F_QUERY ? "querystring"
                                              : "cookie",
                    "filterJSON", fh, 5, &v) ||
            !(n = node_new(p, kind)))
            return false;
        n->name = kind == GW_MART_F_HEADER ? dup_canon(p, v.v[0]) : dup_str(p, v.v[0]);
        if (!n->name || !(n->value = dup_str(p, v.v[1])))
            return false;
        /* cookie.Filter parses `else` whenever it is set, the others when it is not empty */
        if (!branches(p, n, v.v[2], v.v[3], v.v[3] != NULL))
            return false;
        return result(p, n, true, true, v.v[4], out);
    case GW_MART_F_HEADER_REGEX:
        if (!decode(p, b, "header", "headerValueRegexFilterJSON", fhr, 4, &v) ||
            !(n = node_new(p, kind)) || !(n->name = dup_str(p, v.v[1])) ||
            !compile_re(p, n, str_of(v.v[0])) || !branches(p, n, v.v[2], NULL, false))
            return false;
        p->tree->needs_request = true;
        return result(p, n, true, true, v.v[3], out);
    case GW_MART_F_URL:
        if (!decode(p, b, "martianurl", "filterJSON", fu, 7, &v) || !(n = node_new(p, kind)) ||
            !(n->scheme = dup_str(p, v.v[0])) || !(n->host = dup_str(p, v.v[1])) ||
            !(n->path = dup_str(p, v.v[2])) || !(n->query = dup_str(p, v.v[3])) ||
            !branches(p, n, v.v[4], v.v[5], v.v[5] != NULL))
            return false;
        p->tree->needs_request = true;
        return result(p, n, true, true, v.v[6], out);
    case GW_MART_F_URL_REGEX:
        if (!decode(p, b, "martianurl", "regexFilterJSON", fur, 4, &v) ||
            !(n = node_new(p, kind)) || !compile_re(p, n, str_of(v.v[0])) ||
            !branches(p, n, v.v[1], v.v[2], v.v[2] != NULL))
            return false;
        p->tree->needs_request = true;
        return result(p, n, true, true, v.v[3], out);
    default: /* GW_MART_F_PORT */
        if (!decode(p, b, "port", "filterJSON", fp, 3, &v) || !(n = node_new(p, kind)))
            return false;
        n->port = v.v[0] ? json_integer_value(v.v[0]) : 0;
        if (!branches(p, n, v.v[1], NULL, false))
            return false;
        p->tree->needs_request = true;
        return result(p, n, true, true, v.v[2], out);
    }
}

static bool p_fifo(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {
        {"modifiers", FT_LIST}, {"scope", FT_SCOPE}, {"aggregateErrors", FT_BOOL}};
    struct fvals v;
    struct gw_mart_node *n;
    size_t i;
    const json_t *m;

    if (!decode(p, b, "fifo", "groupJSON", f, 3, &v) || !(n = node_new(p, GW_MART_FIFO)))
        return false;
    n->aggregate = v.v[2] && json_is_true(v.v[2]);
    if (v.v[0] && json_array_size(v.v[0])) {
        n->items = calloc(json_array_size(v.v[0]), sizeof(*n->items));
        if (!n->items)
            return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
        json_array_foreach(v.v[0], i, m)
        {
            if (!from_json(p, m, &n->items[n->n_items]))
                return false;
            n->n_items++;
        }
    }
    return result(p, n, true, true, v.v[1], out);
}

struct prio {
    long long priority;
    size_t index;
    struct gw_mart_ref ref;
};

static int prio_cmp(const void *a, const void *b)
{
    const struct prio *x = a, *y = b;

    if (x->priority != y->priority)
        return x->priority > y->priority ? -1 : 1; /* higher first */
    return x->index > y->index ? -1 : 1;           /* equal: the later one first */
}

static bool p_priority(struct parser *p, const json_t *b, struct gw_mart_ref *out)
{
    static const struct fdef f[] = {{"modifiers", FT_LIST}, {"scope", FT_SCOPE}};
    static const struct fdef fm[] = {{"priority", FT_INT}, {"modifier", FT_RAW}};
    struct fvals v, mv;
    struct gw_mart_node *n;
    struct prio *ps = NULL;
    size_t i, cnt = 0;
    const json_t *m;

    if (!decode(p, b, "priority", "groupJSON", f, 2, &v) || !(n = node_new(p, GW_MART_PRIORITY)))
        return false;
    if (v.v[0] && json_array_size(v.v[0])) {
        ps = calloc(json_array_size(v.v[0]), sizeof(*ps));
        if (!ps)
            return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
        json_array_foreach(v.v[0], i, m)
        {
            if (!decode(p, m, "priority", "modifierJSON", fm, 2, &mv) ||
                !from_json(p, mv.v[1], &ps[cnt].ref)) {
                free(ps);
                return false;
            }
            ps[cnt].priority = mv.v[0] ? json_integer_value(mv.v[0]) : 0;
            ps[cnt].index = cnt;
            cnt++;
        }
        qsort(ps, cnt, sizeof(*ps), prio_cmp);
        n->items = calloc(cnt, sizeof(*n->items));
        if (!n->items) {
            free(ps);
            return cmn_err_set(p->err, GW_MART_NOMEM, "out of memory"), false;
        }
        for (i = 0; i < cnt; i++)
            n->items[i] = ps[i].ref;
        n->n_items = cnt;
        free(ps);
    }
    return result(p, n, true, true, v.v[1], out);
}

/* Verifiers whose KrakenD build dereferences a martian context it never sets: they panic on
 * the first request. Refused as configuration errors instead. */
static bool p_panicking_verifier(struct parser *p, const char *name)
{
    return cmn_err_set(p->err, GW_MART_CONFIG,
                       "parse: %s is not supported (KrakenD's would panic on every request)", name),
           false;
}

/* ---- parse.FromJSON ------------------------------------------------------------------------- */

static const char *const NAMES[] = {
    "header.Modifier",      "header.Append",      "header.Blacklist",
    "header.Copy",          "header.Id",          "header.Verifier",
    "url.Modifier",         "port.Modifier",      "querystring.Modifier",
    "cookie.Modifier",      "body.Modifier",      "stash.Modifier",
    "status.Modifier",      "static.Modifier",    "header.Filter",
    "header.RegexFilter",   "querystring.Filter", "url.Filter",
    "url.RegexFilter",      "cookie.Filter",      "port.Filter",
    "fifo.Group",           "priority.Group",     "url.Verifier",
    "querystring.Verifier", "status.Verifier",
};

static bool dispatch(struct parser *p, const char *name, const json_t *body,
                     struct gw_mart_ref *out)
{
    size_t i;

    for (i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++) {
        if (strcmp(NAMES[i], name) == 0)
            break;
    }
    switch (i) {
    case 0:
        return p_header(p, body, GW_MART_HEADER_SET, out);
    case 1:
        return p_header(p, body, GW_MART_HEADER_APPEND, out);
    case 2:
        return p_blacklist(p, body, out);
    case 3:
        return p_copy(p, body, out);
    case 4:
        return p_id(p, body, out);
    case 5:
        return p_header(p, body, GW_MART_HEADER_VERIFY, out);
    case 6:
        return p_url(p, body, out);
    case 7:
        return p_port(p, body, out);
    case 8:
        return p_query(p, body, out);
    case 9:
        return p_cookie(p, body, out);
    case 10:
        return p_body(p, body, out);
    case 11:
        return p_stash(p, body, out);
    case 12:
        return p_status(p, body, out);
    case 13:
        return p_static(p, body, out);
    case 14:
        return p_filter(p, body, GW_MART_F_HEADER, out);
    case 15:
        return p_filter(p, body, GW_MART_F_HEADER_REGEX, out);
    case 16:
        return p_filter(p, body, GW_MART_F_QUERY, out);
    case 17:
        return p_filter(p, body, GW_MART_F_URL, out);
    case 18:
        return p_filter(p, body, GW_MART_F_URL_REGEX, out);
    case 19:
        return p_filter(p, body, GW_MART_F_COOKIE, out);
    case 20:
        return p_filter(p, body, GW_MART_F_PORT, out);
    case 21:
        return p_fifo(p, body, out);
    case 22:
        return p_priority(p, body, out);
    case 23:
    case 24:
    case 25:
        return p_panicking_verifier(p, name);
    default:
        return cmn_err_set(p->err, GW_MART_CONFIG, "parse: unknown modifier: %s", name), false;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool from_json(struct parser *p, const json_t *raw, struct gw_mart_ref *out)
{
    const char *keys[64];
    const char *key;
    const json_t *v;
    size_t n = 0;
    char list[CMN_ERR_MSG_MAX] = "";
    bool ok;

    *out = (struct gw_mart_ref){0};
    if (!raw)
        return cmn_err_set(p->err, GW_MART_CONFIG, "unexpected end of JSON input"), false;
    if (!json_is_object(raw) && !json_is_null(raw))
        return cmn_err_set(p->err, GW_MART_CONFIG,
                           "json: cannot unmarshal %s into Go value of type "
                           "map[string]json.RawMessage",
                           json_kind(raw)),
               false;
    if (p->depth >= GW_MART_DEPTH_MAX)
        return cmn_err_set(p->err, GW_MART_CONFIG,
                           "martian: modifiers nested deeper than %d levels", GW_MART_DEPTH_MAX),
               false;
    json_object_foreach((json_t *)(uintptr_t)raw, key, v)
    {
        if (n < sizeof(keys) / sizeof(keys[0]))
            keys[n] = key;
        n++;
    }
    if (n != 1) {
        /* Go lists the keys in its map's random order: sorted here */
        size_t shown = n < 64 ? n : 64;
        qsort(keys, shown, sizeof(keys[0]), cmp_str);
        for (size_t i = 0; i < shown; i++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof(list) - l, ", %s", keys[i]);
        }
        return cmn_err_set(p->err, GW_MART_CONFIG, "parse: expected one modifier, received %zu: %s",
                           n, list),
               false;
    }
    p->depth++;
    ok = dispatch(p, keys[0], json_object_get(raw, keys[0]), out);
    p->depth--;
    return ok;
}

enum gw_mart_parse_status gw_mart_parse(const json_t *ns, struct gw_mart_tree **out,
                                        struct cmn_err *err)
{
    struct parser p = {0};

    *out = NULL;
    cmn_err_clear(err);
    if (!json_is_object(ns))
        return cmn_err_set(err, GW_MART_CONFIG, "casting the extra config for the martian module");
    p.tree = calloc(1, sizeof(*p.tree));
    p.err = err;
    if (!p.tree)
        return cmn_err_set(err, GW_MART_NOMEM, "out of memory");
    if (!from_json(&p, ns, &p.tree->root)) {
        gw_mart_tree_free(p.tree);
        return err->code ? err->code : GW_MART_CONFIG;
    }
    if (p.refused) {
        gw_mart_tree_free(p.tree);
        return cmn_err_set(err, GW_MART_REFUSED, "%s", p.refusal);
    }
    *out = p.tree;
    return GW_MART_OK;
}

void gw_mart_tree_free(struct gw_mart_tree *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_all; i++) {
        struct gw_mart_node *n = t->all[i];
        free(n->name);
        free(n->value);
        free(n->from);
        free(n->to);
        for (size_t k = 0; k < n->n_names; k++)
            free(n->names[k]);
        free(n->names);
        free(n->scheme);
        free(n->host);
        free(n->path);
        free(n->query);
        free(n->cookie);
        free(n->set_cookie);
        free(n->body);
        free(n->content_type);
        free(n->boundary);
        free(n->root);
        for (size_t k = 0; k < n->n_map; k++) {
            free(n->map_from[k]);
            free(n->map_to[k]);
        }
        free(n->map_from);
        free(n->map_to);
        cmn_go_re_destroy(n->re);
        free(n->items);
        free(n);
    }
    free(t->all);
    free(t);
}
