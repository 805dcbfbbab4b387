/* gw_config_value.c - errors, warnings and weakly typed field decoding (mapstructure rules:
 * "8080" is a port, "true" a bool, a bare number a duration in nanoseconds). */
#include "gw_config_int.h"

#include "cmn_str.h"
#include "cmn_go_duration.h"
#include "cmn_go_header.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool gw_cfg_fail(struct gw_cfg_ctx *c, const char *path, const char *fmt, ...)
{
    va_list ap;

    if (c->failed)
        return false;
    c->failed = true;
    snprintf(c->err_path, sizeof(c->err_path), "%s", path ? path : "");
    if (c->err) {
        c->err->code = GW_CONFIG_INVALID;
        va_start(ap, fmt);
        vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
        va_end(ap);
    }
    return false;
}

void gw_cfg_soft_end(struct gw_cfg_ctx *c, bool was_failed)
{
    char msg[CMN_ERR_MSG_MAX];

    if (was_failed || !c->failed || c->nomem)
        return;
    snprintf(msg, sizeof(msg), "%s", c->e.msg);
    c->failed = false;
    cmn_err_clear(&c->e);
    gw_cfg_warn(c, "%s: %s (option ignored)", c->err_path, msg);
    c->err_path[0] = '\0';
}

bool gw_cfg_oom(struct gw_cfg_ctx *c)
{
    if (!c->failed) {
        c->failed = true;
        c->nomem = true;
        c->err_path[0] = '\0';
        cmn_err_set(c->err, GW_CONFIG_NOMEM, "out of memory");
    }
    return false;
}

void gw_cfg_warn(struct gw_cfg_ctx *c, const char *fmt, ...)
{
    char msg[CMN_ERR_MSG_MAX];
    va_list ap;

    if (c->cfg->warnings.n >= GW_CFG_MAX_WARNINGS)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (gw_strlist_has(&c->cfg->warnings, msg))
        return;
    if (!gw_strlist_push(&c->cfg->warnings, msg))
        gw_cfg_oom(c);
}

void gw_cfg_error(struct gw_cfg_ctx *c, const char *fmt, ...)
{
    char msg[CMN_ERR_MSG_MAX];
    va_list ap;

    if (c->cfg->errors.n >= GW_CFG_MAX_WARNINGS)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!gw_strlist_has(&c->cfg->errors, msg) && !gw_strlist_push(&c->cfg->errors, msg))
        gw_cfg_oom(c);
}

void gw_cfg_warn_once(struct gw_cfg_ctx *c, const char *key, const char *fmt, ...)
{
    char msg[CMN_ERR_MSG_MAX];
    va_list ap;

    if (gw_strlist_has(&c->warned, key))
        return;
    if (!gw_strlist_push(&c->warned, key)) {
        gw_cfg_oom(c);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gw_cfg_warn(c, "%s", msg);
}

/* Appends src to out (GW_CFG_PATH_MAX bytes, holding *n), truncating. */
static void path_cat(char *out, size_t *n, const char *src)
{
    size_t len = strlen(src);

    if (len > GW_CFG_PATH_MAX - 1 - *n)
        len = GW_CFG_PATH_MAX - 1 - *n;
    memmove(out + *n, src, len);
    *n += len;
    out[*n] = '\0';
}

void gw_cfg_path_key(char *out, const char *parent, const char *key)
{
    size_t n = 0;

    if (out != parent)
        path_cat(out, &n, parent);
    else
        n = strlen(out);
    if (n)
        path_cat(out, &n, ".");
    path_cat(out, &n, key);
}

void gw_cfg_path_idx(char *out, const char *parent, size_t i)
{
    char num[32];
    size_t n = 0, k = sizeof(num) - 1;

    num[k] = '\0';
    num[--k] = ']';
    do {
        num[--k] = (char)('0' + i % 10);
        i /= 10;
    } while (i && k > 1);
    num[--k] = '[';
    if (out != parent)
        path_cat(out, &n, parent);
    else
        n = strlen(out);
    path_cat(out, &n, num + k);
}

json_t *gw_cfg_member(const json_t *obj, const char *key)
{
    const char *k;
    json_t *v, *o;

    if (!json_is_object(obj))
        return NULL;
    v = json_object_get(obj, key);
    if (v)
        return v;
    memcpy(&o, &obj, sizeof(o)); /* jansson's iteration API is not const-correct */
    json_object_foreach(o, k, v)
    {
        if (strcasecmp(k, key) == 0)
            return v;
    }
    return NULL;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a bool";
    default:
        return "null";
    }
}

static bool weak_bool(const json_t *v, bool *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    }
    if (json_is_integer(v)) {
        *out = json_integer_value(v) != 0;
        return true;
    }
    if (json_is_real(v)) {
        *out = json_real_value(v) != 0;
        return true;
    }
    if (json_is_string(v)) {
        if (json_string_length(v) == 0) {
            *out = false;
            return true;
        }
        return strlen(json_string_value(v)) == json_string_length(v) &&
               gw_cfg_parse_gobool(json_string_value(v), out);
    }
    return false;
}

static bool weak_int(const json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || d >= 9.2233720368547758e18 || d < -9.2233720368547758e18)
            return false;
        *out = (long long)d;
        return true;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    }
    if (json_is_string(v)) {
        if (json_string_length(v) == 0) {
            *out = 0;
            return true;
        }
        return strlen(json_string_value(v)) == json_string_length(v) &&
               gw_cfg_parse_goint(json_string_value(v), out);
    }
    return false;
}

/* Go's strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip digits, no exponent. */
static void format_go_float(double d, char *out, size_t n)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, n, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    if (strchr(out, 'e')) {
        char *end;
        snprintf(out, n, "%.17f", d);
        end = out + strlen(out) - 1;
        while (end > out && *end == '0')
            *end-- = '\0';
        if (*end == '.')
            *end = '\0';
    }
}

char *gw_cfg_weak_string(const json_t *v, bool *ok)
{
    char buf[64];

    *ok = true;
    if (json_is_string(v))
        return cmn_strndup(json_string_value(v), json_string_length(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        return gw_cfg_strdup(buf);
    }
    if (json_is_real(v)) {
        format_go_float(json_real_value(v), buf, sizeof(buf));
        return gw_cfg_strdup(buf);
    }
    if (json_is_boolean(v))
        return gw_cfg_strdup(json_is_true(v) ? "1" : "0");
    if (json_is_null(v))
        return gw_cfg_strdup("");
    *ok = false;
    return NULL;
}

bool gw_cfg_get_bool(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                     bool *out)
{
    json_t *v = gw_cfg_member(obj, key);
    char p[GW_CFG_PATH_MAX];

    if (!v || json_is_null(v))
        return true;
    if (weak_bool(v, out))
        return true;
    gw_cfg_path_key(p, path, key);
    if (json_is_string(v))
        return gw_cfg_fail(c, p, "cannot parse '%s' as bool: \"%s\" is not a bool", key,
                           json_string_value(v));
    return gw_cfg_fail(c, p, "'%s' expected a bool, got %s", key, type_name(v));
}

bool gw_cfg_get_int(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                    long long min, long long max, long long *out)
{
    json_t *v = gw_cfg_member(obj, key);
    char p[GW_CFG_PATH_MAX];
    long long n;

    if (!v || json_is_null(v))
        return true;
    gw_cfg_path_key(p, path, key);
    if (!weak_int(v, &n)) {
        if (json_is_string(v))
            return gw_cfg_fail(c, p, "cannot parse '%s' as int: \"%s\" is not a number", key,
                               json_string_value(v));
        return gw_cfg_fail(c, p, "'%s' expected a number, got %s", key, type_name(v));
    }
    if (n < min || n > max)
        return gw_cfg_fail(c, p, "'%s' is %lld, out of range [%lld, %lld]", key, n, min, max);
    *out = n;
    return true;
}

bool gw_cfg_get_duration(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                         int64_t *out_ns)
{
    json_t *v = gw_cfg_member(obj, key);
    char p[GW_CFG_PATH_MAX];
    long long n;

    if (!v || json_is_null(v))
        return true;
    gw_cfg_path_key(p, path, key);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        int64_t ns;
        if (strlen(s) == json_string_length(v) && cmn_go_parse_duration(s, &ns)) {
            *out_ns = ns;
            return true;
        }
        if (*s && strspn(s, "+-0123456789.") == strlen(s))
            return gw_cfg_fail(c, p, "time: missing unit in duration \"%s\"", s);
        return gw_cfg_fail(c, p, "time: invalid duration \"%s\"", s);
    }
    if (weak_int(v, &n)) {
        *out_ns = n;
        return true;
    }
    return gw_cfg_fail(c, p, "'%s' expected a duration, got %s", key, type_name(v));
}

bool gw_cfg_get_string(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                       char **out)
{
    json_t *v = gw_cfg_member(obj, key);
    char p[GW_CFG_PATH_MAX];
    bool ok;
    char *s;

    if (!v || json_is_null(v))
        return true;
    s = gw_cfg_weak_string(v, &ok);
    if (!ok) {
        gw_cfg_path_key(p, path, key);
        return gw_cfg_fail(c, p, "'%s' expected a string, got %s", key, type_name(v));
    }
    if (!s)
        return gw_cfg_oom(c);
    free(*out);
    *out = s;
    return true;
}

static bool push_weak(struct gw_cfg_ctx *c, struct gw_strlist *l, const json_t *v, const char *p)
{
    bool ok;
    char *s = gw_cfg_weak_string(v, &ok);

    if (!ok)
        return gw_cfg_fail(c, p, "expected a string, got %s", type_name(v));
    if (!s)
        return gw_cfg_oom(c);
    if (l->n >= GW_CFG_MAX_LIST) {
        free(s);
        return gw_cfg_fail(c, p, "more than %d entries", GW_CFG_MAX_LIST);
    }
    ok = gw_strlist_push(l, s);
    free(s);
    return ok ? true : gw_cfg_oom(c);
}

bool gw_cfg_get_strlist(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                        struct gw_strlist *out)
{
    json_t *v = gw_cfg_member(obj, key);
    char p[GW_CFG_PATH_MAX], pi[GW_CFG_PATH_MAX];
    size_t i;
    json_t *m;

    if (!v || json_is_null(v))
        return true;
    gw_cfg_path_key(p, path, key);
    gw_strlist_free(out);
    out->set = true;
    if (json_is_array(v)) {
        json_array_foreach(v, i, m)
        {
            gw_cfg_path_idx(pi, p, i);
            if (!push_weak(c, out, m, pi))
                return false;
        }
        return true;
    }
    if (json_is_object(v) && json_object_size(v) == 0)
        return true;                /* weak: an empty map is an empty slice */
    return push_weak(c, out, v, p); /* weak: a single value is a one-element list */
}

static bool canonical_list(struct gw_cfg_ctx *c, struct gw_strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        size_t n = strlen(l->items[i]) + 1;
        char *canon = malloc(n);
        if (!canon)
            return gw_cfg_oom(c);
        cmn_go_canonical_header(l->items[i], canon, n);
        free(l->items[i]);
        l->items[i] = canon;
    }
    return true;
}

static int64_t ns_to_ms(int64_t ns)
{
    if (ns > 0)
        return ns / 1000000 + (ns % 1000000 != 0);
    return ns / 1000000;
}

static bool decode_field(struct gw_cfg_ctx *c, const json_t *obj, const char *path,
                         const struct gw_cfg_field *f, char *base)
{
    void *dst = base + f->offset;
    long long n;
    int64_t ns;

    switch (f->type) {
    case GW_CFG_BOOL:
        return gw_cfg_get_bool(c, obj, f->name, path, dst);
    case GW_CFG_UINT:
    case GW_CFG_SIZE:
        n = f->type == GW_CFG_UINT ? *(unsigned *)dst : (long long)*(size_t *)dst;
        if (!gw_cfg_get_int(c, obj, f->name, path, f->min, f->max, &n))
            return false;
        if (f->type == GW_CFG_UINT)
            *(unsigned *)dst = (unsigned)n;
        else
            *(size_t *)dst = (size_t)n;
        return true;
    case GW_CFG_DUR_MS:
    case GW_CFG_DUR_S:
        ns = 0;
        if (!gw_cfg_get_duration(c, obj, f->name, path, &ns))
            return false;
        if (!gw_cfg_member(obj, f->name))
            return true;
        if (ns < 0) {
            gw_cfg_warn(c, "%s%s%s: negative duration, taken as 0 (the default)", path,
                        *path ? "." : "", f->name);
            ns = 0;
        }
        *(int64_t *)dst = f->type == GW_CFG_DUR_MS ? ns_to_ms(ns) : ns / 1000000000;
        return true;
    case GW_CFG_STRING:
        return gw_cfg_get_string(c, obj, f->name, path, dst);
    case GW_CFG_STRLIST:
        return gw_cfg_get_strlist(c, obj, f->name, path, dst);
    case GW_CFG_HDRLIST:
        return gw_cfg_get_strlist(c, obj, f->name, path, dst) && canonical_list(c, dst);
    }
    return false;
}

bool gw_cfg_decode_fields(struct gw_cfg_ctx *c, const json_t *obj, const char *path,
                          const struct gw_cfg_field *fields, size_t n, void *dst)
{
    for (size_t i = 0; i < n; i++) {
        if (!decode_field(c, obj, path, &fields[i], dst))
            return false;
    }
    return true;
}

void gw_cfg_decode_fields_soft(struct gw_cfg_ctx *c, const json_t *obj, const char *path,
                               const struct gw_cfg_field *fields, size_t n, void *dst)
{
    for (size_t i = 0; i < n && !c->nomem; i++) {
        bool was = c->failed;
        decode_field(c, obj, path, &fields[i], dst);
        gw_cfg_soft_end(c, was);
    }
}
