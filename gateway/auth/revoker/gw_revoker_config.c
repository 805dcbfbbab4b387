/* gw_revoker_config.c - auth/revoker's options as Go's encoding/json decodes them into
 * krakend/bloomfilter's Config (§8.2), and the filter size its M and K give. */
#include "gw_revoker.h"

#include "cmn_str.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_KEYS 64        /* token_keys / headers kept */
#define MAX_M (1ULL << 40) /* bits per filter: 128 GiB; far past GW_REVOKER_MAX_BYTES anyway */

enum field { F_N, F_P, F_HASH, F_TTL, F_PORT, F_TOKEN_KEYS, F_HEADERS, F_NONE };

static const char *const FIELD_NAMES[] = {"n",    "p",          "hash_name", "ttl",
                                          "port", "token_keys", "headers"};
static const char *const FIELD_TYPES[] = {"uint", "float64",  "string",  "uint",
                                          "int",  "[]string", "[]string"};

static enum field field_of(const char *k)
{
    for (int i = 0; i < F_NONE; i++) {
        if (strcasecmp(k, FIELD_NAMES[i]) == 0) /* encoding/json folds case */
            return (enum field)i;
    }
    return F_NONE;
}

/* Go's UnmarshalTypeError.Value for a JSON value. */
static void value_text(const json_t *v, char *out, size_t size)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        snprintf(out, size, "string");
        break;
    case JSON_INTEGER:
        snprintf(out, size, "number %lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(out, size, "number %.17g", json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        snprintf(out, size, "bool");
        break;
    case JSON_ARRAY:
        snprintf(out, size, "array");
        break;
    case JSON_OBJECT:
        snprintf(out, size, "object");
        break;
    case JSON_NULL:
        snprintf(out, size, "null");
        break;
    }
}

/* The first decoding error, in Go's words. */
static void type_error(struct gw_revoker_config *c, const json_t *v, enum field f, const char *type)
{
    char val[64], msg[256];

    if (c->decode_error)
        return;
    value_text(v, val, sizeof(val));
    snprintf(msg, sizeof(msg),
             "json: cannot unmarshal %s into Go struct field Config.%s of type %s", val,
             FIELD_NAMES[f], type);
    c->decode_error = cmn_strndup(msg, strlen(msg));
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* A []string: null items are "" (Go leaves the zero value), others must be strings. */
static bool read_list(struct gw_revoker_config *c, const json_t *v, enum field f, char ***out,
                      size_t *n)
{
    size_t cap = json_array_size(v) < MAX_KEYS ? json_array_size(v) : MAX_KEYS;
    char **items = calloc(cap ? cap : 1, sizeof(*items));
    size_t got = 0;

    if (!items)
        return false;
    for (size_t i = 0; i < json_array_size(v) && got < cap; i++) {
        const json_t *it = json_array_get(v, i);
        const char *s = json_is_string(it) ? json_string_value(it) : "";

        if (!json_is_string(it) && !json_is_null(it)) {
            type_error(c, it, f, "string");
            continue;
        }
        items[got] = cmn_strndup(s, strlen(s));
        if (!items[got]) {
            free_list(items, got);
            return false;
        }
        got++;
    }
    free_list(*out, *n);
    *out = items;
    *n = got;
    return true;
}

static bool read_field(struct gw_revoker_config *c, enum field f, const json_t *v)
{
    if (json_is_null(v))
        return true; /* null leaves the field alone */
    switch (f) {
    case F_N:
    case F_TTL:
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            type_error(c, v, f, "uint");
        else if (f == F_N)
            c->n = (uint64_t)json_integer_value(v);
        else
            c->ttl_s = (uint64_t)json_integer_value(v);
        return true;
    case F_P:
        if (!json_is_number(v))
            type_error(c, v, f, "float64");
        else
            c->p = json_number_value(v);
        return true;
    case F_PORT:
        if (!json_is_integer(v))
            type_error(c, v, f, "int");
        else
            c->port = (int64_t)json_integer_value(v);
        return true;
    case F_HASH:
        if (!json_is_string(v)) {
            type_error(c, v, f, "string");
            return true;
        }
        free(c->hash_name);
        c->hash_name = cmn_strndup(json_string_value(v), strlen(json_string_value(v)));
        return c->hash_name != NULL;
    case F_TOKEN_KEYS:
    case F_HEADERS:
        if (!json_is_array(v)) {
            type_error(c, v, f, FIELD_TYPES[f]);
            return true;
        }
        return f == F_TOKEN_KEYS ? read_list(c, v, f, &c->token_keys, &c->n_token_keys)
                                 : read_list(c, v, f, &c->headers, &c->n_headers);
    case F_NONE:
        break;
    }
    return true;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Decodes the object's members in sorted order (Go re-encodes the map before decoding). */
static bool decode(const json_t *ns, const char *path, struct gw_revoker_config *c,
                   const struct cmn_warn *warn)
{
    size_t n = json_object_size(ns), i = 0;
    const char **keys = calloc(n ? n : 1, sizeof(*keys));
    const char *k;
    json_t *v;
    bool ok = true;

    if (!keys)
        return false;
    json_object_foreach((json_t *)(uintptr_t)ns, k, v) keys[i++] = k;
    qsort(keys, n, sizeof(*keys), cmp_keys);
    for (i = 0; i < n && ok; i++) {
        enum field f = field_of(keys[i]);

        if (f != F_NONE)
            ok = read_field(c, f, json_object_get(ns, keys[i]));
        else if (!keys[i][0] || !strchr("@$_#", keys[i][0]))
            cmn_warnf(warn, "%s.%s: not a KrakenD CE option; ignored", path, keys[i]);
    }
    free(keys);
    return ok;
}

bool gw_revoker_params(uint64_t n, double p, uint64_t *m, uint64_t *k)
{
    double ln2 = log(2.0), fm, fk;

    if (n == 0 || !(p > 0 && p < 1))
        return false;
    fm = ceil(-((double)n * log(p)) / (ln2 * ln2));
    if (!(fm >= 1 && fm <= (double)MAX_M))
        return false;
    fk = ceil(ln2 * fm / (double)n);
    if (!(fk >= 1 && fk <= 1e6))
        return false;
    *m = (uint64_t)fm;
    *k = (uint64_t)fk;
    return true;
}

/* What KrakenD accepts but cannot run with; and what we read without applying. */
static enum gw_rev_status validate(struct gw_revoker_config *c, const char *path,
                                   const struct cmn_warn *warn, struct cmn_err *err)
{
    const char *h = c->hash_name ? c->hash_name : "";

    if (strcmp(h, "optimal") != 0 && strcmp(h, "default") != 0)
        return cmn_err_set(err, GW_REV_INVALID,
                           "%s.hash_name: \"%s\" is neither \"optimal\" nor \"default\" (KrakenD "
                           "panics at startup)",
                           path, h);
    if (c->ttl_s == 0)
        return cmn_err_set(err, GW_REV_INVALID,
                           "%s.TTL: must be a positive number of seconds (KrakenD panics at "
                           "startup)",
                           path);
    if (!gw_revoker_params(c->n, c->p, &c->m, &c->k))
        return cmn_err_set(err, GW_REV_INVALID,
                           "%s: N %llu and P %g make no bloom filter (N must be at least 1 and P "
                           "between 0 and 1)",
                           path, (unsigned long long)c->n, c->p);
    if ((c->m + 63) / 64 * 8 * 3 > GW_REVOKER_MAX_BYTES)
        return cmn_err_set(err, GW_REV_INVALID,
                           "%s: N %llu and P %g need three filters of %llu bytes each, more than "
                           "the %llu bytes the gateway allows",
                           path, (unsigned long long)c->n, c->p,
                           (unsigned long long)((c->m + 63) / 64 * 8),
                           (unsigned long long)GW_REVOKER_MAX_BYTES);
    if (strcmp(h, "default") == 0)
        cmn_warnf(warn,
                  "%s.hash_name: \"default\" is hashed as \"optimal\": membership is the same, "
                  "only which elements collide (and the bits Go's Union would merge) differ",
                  path);
    if (c->n_headers)
        cmn_warnf(warn, "%s.headers: read, not applied (KrakenD CE never checks them either)",
                  path);
    if (c->port <= 0 || c->port > 65535)
        cmn_warnf(warn, "%s.port: %lld is no port: nothing can feed the filter", path,
                  (long long)c->port);
    if (c->n_token_keys == 0)
        cmn_warnf(warn, "%s.token_keys: empty: no token is ever checked", path);
    return GW_REV_OK;
}

enum gw_rev_status gw_revoker_config_parse(const json_t *ns, const char *path,
                                           struct gw_revoker_config *out,
                                           const struct cmn_warn *warn, struct cmn_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!ns)
        return GW_REV_ABSENT;
    out->raw = json_dumps(ns, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!out->raw)
        goto nomem;
    if (json_is_null(ns)) /* decodes into a zero Config: KrakenD then panics on hash_name */
        goto check;
    if (!json_is_object(ns)) {
        char val[64], msg[160];

        value_text(ns, val, sizeof(val));
        snprintf(msg, sizeof(msg), "json: cannot unmarshal %s into Go value of type krakend.Config",
                 val);
        out->decode_error = cmn_strndup(msg, strlen(msg));
        if (!out->decode_error)
            goto nomem;
        return GW_REV_OFF;
    }
    if (!decode(ns, path, out, warn))
        goto nomem;
    if (out->decode_error)
        return GW_REV_OFF;
check:
    if (validate(out, path, warn, err) == GW_REV_OK)
        return GW_REV_OK;
    gw_revoker_config_free(out);
    return GW_REV_INVALID;
nomem:
    gw_revoker_config_free(out);
    return cmn_err_set(err, GW_REV_NOMEM, "%s: out of memory", path);
}

void gw_revoker_config_free(struct gw_revoker_config *c)
{
    if (!c)
        return;
    free(c->hash_name);
    free_list(c->token_keys, c->n_token_keys);
    free_list(c->headers, c->n_headers);
    free(c->raw);
    free(c->decode_error);
    memset(c, 0, sizeof(*c));
}
