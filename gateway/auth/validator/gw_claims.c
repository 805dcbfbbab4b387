/* gw_claims.c - registered-claim checks, roles/scopes matching and claim rendering, as
 * krakend-jose and go-jose do them (krakend-compat §4.4, §4.5, §4.7). */
#include "gw_claims.h"

#include "cmn_buf.h"
#include "cmn_json.h"
#include "cmn_str.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_SEGMENTS 32

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* What the registered-claims check needs from an immutable payload, read once: a cached
 * token is checked on every request, and each jansson lookup costs a hash. */
struct reg_claims {
    bool types_ok;           /* check_types() passed */
    bool has_nbf, has_exp, has_iat;
    double nbf, exp, iat;    /* numeric_date() of each */
};

struct gw_claims {
    atomic_uint refs;
    json_t *payload;
    struct reg_claims reg;
};

static void read_registered(const json_t *p, struct reg_claims *r);

struct gw_claims *gw_claims_new(json_t *payload)
{
    struct gw_claims *c = calloc(1, sizeof(*c));

    if (!c) {
        json_decref(payload);
        return NULL;
    }
    atomic_init(&c->refs, 1);
    c->payload = payload;
    read_registered(payload, &c->reg);
    return c;
}

struct gw_claims *gw_claims_ref(struct gw_claims *c)
{
    if (c)
        atomic_fetch_add(&c->refs, 1);
    return c;
}

void gw_claims_unref(struct gw_claims *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    json_decref(c->payload);
    free(c);
}

const json_t *gw_claims_json(const struct gw_claims *c)
{
    return c ? c->payload : NULL;
}

/* A claim by name. nested: follow "a.b.c" through objects. Borrowed, NULL when missing. */
static const json_t *claims_lookup(const struct gw_claims *c, const char *name, bool nested)
{
    const json_t *v;
    const char *p, *dot;
    char seg[512];
    int depth = 0;

    if (!c || !name)
        return NULL;
    if (!nested || !strchr(name, '.'))
        return json_object_get(c->payload, name);
    v = c->payload;
    for (p = name; v && depth < PATH_MAX_SEGMENTS; p = dot + 1, depth++) {
        size_t n;
        dot = strchr(p, '.');
        n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof(seg) || !json_is_object(v))
            return NULL; /* a missing level or a non-object on the way: no value */
        memcpy(seg, p, n);
        seg[n] = '\0';
        v = json_object_get(v, seg);
        if (!dot)
            return v;
    }
    return NULL;
}

/* Go's strconv.FormatFloat(f, 'g', -1, 64), which fmt's %v uses for float64: the shortest
 * digits that read back as f; %e form when the exponent is < -4 or >= 6. */
static void go_float_v(double f, struct cmn_buf *b)
{
    char e[48], digits[32];
    int prec, exp, nd = 0;
    const char *p;

    if (isnan(f) || isinf(f)) {
        cmn_buf_append_str(b, isnan(f) ? "NaN" : (f > 0 ? "+Inf" : "-Inf"));
        return;
    }
    for (prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec, f);
        if (strtod(e, NULL) == f)
            break;
    }
    snprintf(e, sizeof(e), "%.*e", prec, f);
    p = e;
    if (*p == '-') {
        cmn_buf_append_str(b, "-");
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (*p != '.' && nd < (int)sizeof(digits) - 1)
            digits[nd++] = *p;
    exp = *p ? (int)strtol(p + 1, NULL, 10) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (exp < -4 || exp >= 6) {
        cmn_buf_append(b, digits, 1);
        if (nd > 1) {
            cmn_buf_append_str(b, ".");
            cmn_buf_append(b, digits + 1, (size_t)nd - 1);
        }
        cmn_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    } else if (exp < 0) {
        cmn_buf_append_str(b, "0.");
        for (int i = -1; i > exp; i--)
            cmn_buf_append_str(b, "0");
        cmn_buf_append(b, digits, (size_t)nd);
    } else {
        for (int i = 0; i <= exp || i < nd; i++) {
            if (i == exp + 1)
                cmn_buf_append_str(b, ".");
            cmn_buf_append(b, i < nd ? &digits[i] : "0", 1);
        }
    }
}

/* jansson's object iteration takes a non-const pointer although it does not modify. */
static json_t *unconst(const json_t *v)
{
    json_t *m;

    memcpy(&m, &v, sizeof(m));
    return m;
}

static double num(const json_t *v)
{
    return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

/* fmt's %v of a value decoded by encoding/json into interface{}. Depth is bounded by the
 * claims' JSON depth cap. */
static void go_v(const json_t *v, struct cmn_buf *b)
{
    if (json_is_string(v)) {
        cmn_buf_append(b, json_string_value(v), json_string_length(v));
    } else if (json_is_number(v)) {
        go_float_v(num(v), b);
    } else if (json_is_boolean(v)) {
        cmn_buf_append_str(b, json_is_true(v) ? "true" : "false");
    } else if (json_is_array(v)) {
        size_t i;
        json_t *it;
        cmn_buf_append_str(b, "[");
        json_array_foreach(v, i, it)
        {
            if (i)
                cmn_buf_append_str(b, " ");
            go_v(it, b);
        }
        cmn_buf_append_str(b, "]");
    } else if (json_is_object(v)) {
        /* map[k:v ...] with sorted keys, as fmt prints maps since Go 1.12 */
        const char **keys = malloc((json_object_size(v) + 1) * sizeof(*keys));
        const char *k;
        json_t *it;
        size_t n = 0;
        if (!keys)
            return;
        json_object_foreach(unconst(v), k, it) keys[n++] = k;
        qsort(keys, n, sizeof(*keys), cmp_str);
        cmn_buf_append_str(b, "map[");
        for (size_t i = 0; i < n; i++) {
            if (i)
                cmn_buf_append_str(b, " ");
            cmn_buf_printf(b, "%s:", keys[i]);
            go_v(json_object_get(v, keys[i]), b);
        }
        cmn_buf_append_str(b, "]");
        free(keys);
    } else {
        cmn_buf_append_str(b, "<nil>");
    }
}

char *gw_claims_value_text(const json_t *v)
{
    struct cmn_buf b;

    if (!v)
        return NULL;
    if (json_is_object(v))
        return cmn_json_dumps_compact(v, true); /* json.Marshal of a map: sorted keys */
    if (json_is_null(v))
        return cmn_strndup("null", 4);
    cmn_buf_init(&b, GW_CLAIM_VALUE_MAX);
    if (json_is_number(v)) {
        double f = num(v);
        /* Claims.Get: whole numbers (within 1e-6) as integers, others with %f */
        if (fabs(f - round(f)) <= 1e-6 && fabs(f) < 9.2e18)
            cmn_buf_printf(&b, "%lld", (long long)llround(f));
        else
            cmn_buf_printf(&b, "%f", f);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it)
        {
            if (i)
                cmn_buf_append_str(&b, ",");
            go_v(it, &b);
        }
    } else {
        go_v(v, &b);
    }
    return cmn_buf_take(&b, NULL);
}

static enum gw_jwt_result fail(struct cmn_err *err, enum gw_jwt_result r, const char *msg)
{
    cmn_err_set(err, (int)r, "%s", msg);
    return r;
}

/* RFC 7519 §4.1: iss/sub/jti are StringOrURI, aud a string or an array of them, exp/nbf/iat
 * NumericDates. go-jose refuses other types when it decodes the claims; so do we. */
static enum gw_jwt_result check_types(const json_t *p, struct cmn_err *err)
{
    static const char *const STRS[] = {"iss", "sub", "jti"};
    static const char *const NUMS[] = {"exp", "nbf", "iat"};
    const json_t *aud = json_object_get(p, "aud");

    for (size_t i = 0; i < 3; i++) {
        const json_t *v = json_object_get(p, STRS[i]);
        if (v && !json_is_string(v)) {
            cmn_err_set(err, GW_JWT_BAD_CLAIMS,
                        "go-jose/go-jose/jwt: claim \"%s\" is not a "
                        "string",
                        STRS[i]);
            return GW_JWT_BAD_CLAIMS;
        }
        v = json_object_get(p, NUMS[i]);
        /* RFC 7519 §2 NumericDate: a JSON number; "exp":"9999999999" or null are refused */
        if (v && !json_is_number(v)) {
            cmn_err_set(err, GW_JWT_BAD_CLAIMS,
                        "go-jose/go-jose/jwt: claim \"%s\" is not a "
                        "number",
                        NUMS[i]);
            return GW_JWT_BAD_CLAIMS;
        }
    }
    if (aud && !json_is_string(aud)) {
        size_t i;
        json_t *it;
        if (!json_is_array(aud))
            return fail(err, GW_JWT_BAD_CLAIMS,
                        "go-jose/go-jose/jwt: expected string or "
                        "array value to unmarshal to Audience");
        json_array_foreach(aud, i, it)
        {
            if (!json_is_string(it))
                return fail(err, GW_JWT_BAD_CLAIMS,
                            "go-jose/go-jose/jwt: expected string or "
                            "array value to unmarshal to Audience");
        }
    }
    return GW_JWT_OK;
}

static bool aud_contains(const json_t *aud, const char *want)
{
    size_t i;
    json_t *it;

    if (json_is_string(aud))
        return strcmp(json_string_value(aud), want) == 0;
    json_array_foreach(aud, i, it)
    {
        if (strcmp(json_string_value(it), want) == 0)
            return true;
    }
    return false;
}

/* NumericDate: float seconds truncated to whole seconds (go-jose), clamped to stay finite. */
static double numeric_date(const json_t *v)
{
    double f = trunc(num(v));

    return f > 1e18 ? 1e18 : (f < -1e18 ? -1e18 : f);
}

static void read_registered(const json_t *p, struct reg_claims *r)
{
    const json_t *v;

    memset(r, 0, sizeof(*r));
    if (!json_is_object(p) || check_types(p, NULL) != GW_JWT_OK)
        return;
    r->types_ok = true;
    if ((v = json_object_get(p, "nbf"))) {
        r->has_nbf = true;
        r->nbf = numeric_date(v);
    }
    if ((v = json_object_get(p, "exp"))) {
        r->has_exp = true;
        r->exp = numeric_date(v);
    }
    if ((v = json_object_get(p, "iat"))) {
        r->has_iat = true;
        r->iat = numeric_date(v);
    }
}

enum gw_jwt_result gw_claims_check_registered(const struct gw_claims *c,
                                              const struct gw_validator_config *vc, int64_t now,
                                              struct cmn_err *err)
{
    const json_t *p = c->payload, *v;
    const struct reg_claims *reg = &c->reg;
    double t = (double)now, leeway = (double)vc->leeway_s;

    if (!json_is_object(p))
        return fail(err, GW_JWT_BAD_CLAIMS, "go-jose/go-jose/jwt: payload is not a JSON object");
    if (!reg->types_ok)
        return check_types(p, err); /* again, for its message */
    if (vc->issuer && *vc->issuer &&
        (!(v = json_object_get(p, "iss")) || strcmp(json_string_value(v), vc->issuer) != 0))
        return fail(err, GW_JWT_ISSUER,
                    "go-jose/go-jose/jwt: validation failed, invalid issuer claim (iss)");
    /* every configured audience must be in aud (§4.2: ALL, not ANY) */
    for (size_t i = 0; i < vc->audience.n; i++) {
        v = json_object_get(p, "aud");
        if (!v || !aud_contains(v, vc->audience.items[i]))
            return fail(err, GW_JWT_AUDIENCE,
                        "go-jose/go-jose/jwt: validation failed, invalid audience claim (aud)");
    }
    if (reg->has_nbf && t + leeway < reg->nbf)
        return fail(err, GW_JWT_NOT_YET_VALID,
                    "go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)");
    if (reg->has_exp && t - leeway > reg->exp)
        return fail(err, GW_JWT_EXPIRED,
                    "go-jose/go-jose/jwt: validation failed, token is expired (exp)");
    if (reg->has_iat && t + leeway < reg->iat)
        return fail(err, GW_JWT_ISSUED_IN_FUTURE,
                    "go-jose/go-jose/jwt: validation field, token issued in the future (iat)");
    return GW_JWT_OK;
}

/* A roles/scopes claim as a list: an array (non-strings never match; KrakenD panics on them,
 * answering 500, we answer 403) or a string split on single spaces (§4.5). */
static bool claim_has(const json_t *claim, const char *want)
{
    if (json_is_array(claim)) {
        size_t i;
        json_t *it;
        json_array_foreach(claim, i, it)
        {
            if (json_is_string(it) && strcmp(json_string_value(it), want) == 0)
                return true;
        }
        return false;
    }
    if (json_is_string(claim)) {
        const char *s = json_string_value(claim), *sp;
        size_t wl = strlen(want);
        for (;;) {
            sp = strchr(s, ' ');
            size_t n = sp ? (size_t)(sp - s) : strlen(s);
            if (n == wl && memcmp(s, want, n) == 0)
                return true;
            if (!sp)
                return false;
            s = sp + 1;
        }
    }
    return false;
}

bool gw_claims_roles_ok(const struct gw_claims *c, const struct gw_validator_config *vc)
{
    const char *key = vc->roles_key ? vc->roles_key : "roles";
    bool nested = vc->roles_key_is_nested && strchr(key, '.') && !cmn_str_has_prefix(key, "http");
    const json_t *claim;

    if (vc->roles.n == 0)
        return true;
    claim = claims_lookup(c, key, nested);
    if (!claim || (json_is_array(claim) && json_array_size(claim) == 0))
        return false;
    for (size_t i = 0; i < vc->roles.n; i++)
        if (claim_has(claim, vc->roles.items[i]))
            return true;
    return false;
}

bool gw_claims_scopes_ok(const struct gw_claims *c, const struct gw_validator_config *vc)
{
    const json_t *claim;
    size_t found = 0;

    if (vc->scopes.n == 0 || !vc->scopes_key || !*vc->scopes_key)
        return true;
    /* a dot in scopes_key always means nesting (no http exemption, §4.5) */
    claim = claims_lookup(c, vc->scopes_key, true);
    if (!claim || (json_is_array(claim) && json_array_size(claim) == 0))
        return false;
    for (size_t i = 0; i < vc->scopes.n; i++)
        if (claim_has(claim, vc->scopes.items[i]))
            found++;
    return vc->scopes_matcher == GW_SCOPES_ALL ? found == vc->scopes.n : found > 0;
}

/* preserve_array: one value per array element (%v each), capped. */
static bool set_array(const json_t *arr, const char *header, gw_claims_header_fn set, void *ctx)
{
    size_t n = json_array_size(arr), i;
    const char *vals[GW_CLAIM_VALUES_MAX];
    char *owned[GW_CLAIM_VALUES_MAX];
    bool ok = true;

    if (n > GW_CLAIM_VALUES_MAX)
        n = GW_CLAIM_VALUES_MAX;
    for (i = 0; i < n; i++) {
        struct cmn_buf b;
        cmn_buf_init(&b, GW_CLAIM_VALUE_MAX);
        go_v(json_array_get(arr, i), &b);
        owned[i] = cmn_buf_take(&b, NULL);
        vals[i] = owned[i];
        if (!owned[i])
            ok = false;
    }
    if (ok && n == 0) {
        static const char *const EMPTY[] = {""};
        set(ctx, header, EMPTY, 1);
    } else if (ok) {
        set(ctx, header, vals, n);
    }
    for (size_t j = 0; j < i; j++)
        free(owned[j]);
    return ok;
}

bool gw_claims_propagate(const struct gw_claims *c, const struct gw_validator_config *vc,
                         gw_claims_header_fn set, void *ctx)
{
    for (size_t i = 0; i < vc->n_propagate_claims; i++) {
        const struct gw_claim_header *ch = &vc->propagate_claims[i];
        bool nested = !cmn_str_has_prefix(ch->claim, "http");
        const json_t *v = claims_lookup(c, ch->claim, nested);
        const char *one[1];
        char *text;

        if (v && json_is_array(v) && vc->propagate_claims_preserve_array) {
            if (!set_array(v, ch->header, set, ctx))
                return false;
            continue;
        }
        /* a missing claim still sets the header, to "": the client's value never survives */
        text = v ? gw_claims_value_text(v) : NULL;
        if (v && !text)
            return false;
        one[0] = text ? text : "";
        set(ctx, ch->header, one, 1);
        free(text);
    }
    return true;
}

char *gw_claims_url_param(const struct gw_claims *c, const char *name)
{
    return gw_claims_value_text(claims_lookup(c, name, false));
}
