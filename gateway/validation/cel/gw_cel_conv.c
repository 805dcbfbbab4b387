/* gw_cel_conv.c - CEL conversions (int(), string(), timestamp()...) with Go's parsing rules, and
 * arithmetic with CEL's overflow errors. */
#include "gw_cel_int.h"

#include "cmn_go_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000LL

static struct gw_cel_val no_overload(void)
{
    return cel_err_static("no such overload");
}

static struct gw_cel_val conv_err(struct cel_ectx *c, const struct gw_cel_val *x, enum cel_fn to)
{
    return cel_err(c->a, "type conversion error from '%s' to '%s'", cel_rtype_name(cel_rtype_of(x)),
                   cel_fn_name(to));
}

/* ---- Go's strconv parsing ------------------------------------------------------------------- */

/* strconv.ParseUint(s, 10, 64) */
static bool parse_uint(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* strconv.ParseInt(s, 10, 64): an optional sign, then digits. */
static bool parse_int(const char *s, size_t n, int64_t *out)
{
    bool neg = n > 0 && s[0] == '-';
    uint64_t u;

    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        s++;
        n--;
    }
    if (!parse_uint(s, n, &u) || u > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return false;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
}

static bool ieq(const char *s, size_t n, const char *w)
{
    if (strlen(w) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != w[i])
            return false;
    return true;
}

static bool digits_ok(const char *s, size_t n, bool hex)
{
    size_t i = 0, mant = 0;

    while (i < n &&
           (hex ? strchr("0123456789abcdefABCDEF", s[i]) && s[i] : s[i] >= '0' && s[i] <= '9')) {
        i++;
        mant++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && (hex ? strchr("0123456789abcdefABCDEF", s[i]) && s[i]
                             : s[i] >= '0' && s[i] <= '9')) {
            i++;
            mant++;
        }
    }
    if (mant == 0)
        return false;
    if (i < n && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
        size_t e = ++i;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            e = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e)
            return false;
    } else if (hex) {
        return false; /* Go requires the p exponent of a hexadecimal float */
    }
    return i == n;
}

/* strconv.ParseFloat(s, 64): decimal or hexadecimal floats, inf, infinity and nan. */
static bool parse_float(const char *s, size_t n, double *out)
{
    char buf[512];
    const char *b = s;
    size_t bn = n;
    double sign = 1;

    if (n == 0 || n >= sizeof(buf))
        return false;
    if (s[0] == '+' || s[0] == '-') {
        sign = s[0] == '-' ? -1 : 1;
        b++;
        bn--;
    }
    if (ieq(b, bn, "inf") || ieq(b, bn, "infinity")) {
        *out = sign * INFINITY;
        return true;
    }
    if (ieq(b, bn, "nan")) {
        *out = NAN;
        return true;
    }
    bool hex = bn > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X');
    if (!digits_ok(hex ? b + 2 : b, hex ? bn - 2 : bn, hex))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    return !isinf(*out); /* overflow is an error in Go; underflow to zero is not */
}

/* ---- conversions ---------------------------------------------------------------------------- */

static struct gw_cel_val to_int(struct cel_ectx *c, const struct gw_cel_val *x)
{
    int64_t i;

    switch (x->kind) {
    case GW_CEL_INT:
        return *x;
    case GW_CEL_UINT:
        return x->v.u > (uint64_t)INT64_MAX ? cel_err_static("integer overflow")
                                            : gw_cel_int((int64_t)x->v.u);
    case GW_CEL_DOUBLE:
        if (isnan(x->v.d) || x->v.d <= -9223372036854775808.0 || x->v.d >= 9223372036854775808.0)
            return cel_err_static("integer overflow");
        return gw_cel_int((int64_t)x->v.d);
    case GW_CEL_STRING:
        return parse_int(x->v.s, x->n, &i) ? gw_cel_int(i) : conv_err(c, x, FN_INT);
    case GW_CEL_TIMESTAMP:
        return gw_cel_int(x->v.ts.sec);
    case GW_CEL_DURATION:
        return gw_cel_int(x->v.i);
    default:
        return no_overload();
    }
}

static struct gw_cel_val to_uint(struct cel_ectx *c, const struct gw_cel_val *x)
{
    uint64_t u;

    switch (x->kind) {
    case GW_CEL_UINT:
        return *x;
    case GW_CEL_INT:
        return x->v.i < 0 ? cel_err_static("unsigned integer overflow")
                          : gw_cel_uint((uint64_t)x->v.i);
    case GW_CEL_DOUBLE:
        if (isnan(x->v.d) || x->v.d < 0 || x->v.d >= 18446744073709551616.0)
            return cel_err_static("unsigned integer overflow");
        return gw_cel_uint((uint64_t)x->v.d);
    case GW_CEL_STRING:
        return parse_uint(x->v.s, x->n, &u) ? gw_cel_uint(u) : conv_err(c, x, FN_UINT);
    default:
        return no_overload();
    }
}

static struct gw_cel_val to_double(struct cel_ectx *c, const struct gw_cel_val *x)
{
    double d;

    switch (x->kind) {
    case GW_CEL_DOUBLE:
        return *x;
    case GW_CEL_INT:
        return gw_cel_double((double)x->v.i);
    case GW_CEL_UINT:
        return gw_cel_double((double)x->v.u);
    case GW_CEL_STRING:
        return parse_float(x->v.s, x->n, &d) ? gw_cel_double(d) : conv_err(c, x, FN_DOUBLE);
    default:
        return no_overload();
    }
}

static struct gw_cel_val to_bool(struct cel_ectx *c, const struct gw_cel_val *x)
{
    static const char *const T[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const F[] = {"0", "f", "F", "FALSE", "false", "False"};

    if (x->kind == GW_CEL_BOOL)
        return *x;
    if (x->kind != GW_CEL_STRING)
        return no_overload();
    for (size_t i = 0; i < 6; i++) {
        if (strlen(T[i]) == x->n && memcmp(T[i], x->v.s, x->n) == 0)
            return gw_cel_bool(true);
        if (strlen(F[i]) == x->n && memcmp(F[i], x->v.s, x->n) == 0)
            return gw_cel_bool(false);
    }
    return conv_err(c, x, FN_BOOL);
}

static struct gw_cel_val to_string(struct cel_ectx *c, const struct gw_cel_val *x)
{
    char buf[64];
    size_t n;
    char *s;

    switch (x->kind) {
    case GW_CEL_STRING:
        return *x;
    case GW_CEL_BOOL:
        return x->v.b ? gw_cel_string("true", 4) : gw_cel_string("false", 5);
    case GW_CEL_BYTES:
        if (!cmn_go_utf8_valid(x->v.s, x->n))
            return cel_err_static("invalid UTF-8 in bytes, cannot convert to string");
        return gw_cel_string(x->v.s, x->n);
    case GW_CEL_INT:
        n = (size_t)snprintf(buf, sizeof(buf), "%lld", (long long)x->v.i);
        break;
    case GW_CEL_UINT:
        n = (size_t)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)x->v.u);
        break;
    case GW_CEL_DOUBLE:
        n = cel_format_double(x->v.d, 'g', 6, buf, sizeof(buf));
        break;
    case GW_CEL_TIMESTAMP:
        n = cel_ts_format(x, 9, buf, sizeof(buf));
        break;
    case GW_CEL_DURATION:
        n = cel_dur_format(x->v.i, buf, sizeof(buf));
        break;
    default:
        return no_overload();
    }
    s = cel_strdup(c->a, buf, n);
    return s ? gw_cel_string(s, n) : cel_err_static("evaluation memory limit exceeded");
}

static struct gw_cel_val to_timestamp(struct cel_ectx *c, const struct gw_cel_val *x)
{
    struct gw_cel_val ts;
    int rc;

    switch (x->kind) {
    case GW_CEL_TIMESTAMP:
        return *x;
    case GW_CEL_INT:
        if (x->v.i < CEL_TS_MIN || x->v.i > CEL_TS_MAX)
            return cel_err_static("timestamp overflow");
        return gw_cel_timestamp(x->v.i, 0, 0);
    case GW_CEL_STRING:
        rc = cel_ts_parse(x->v.s, x->n, &ts);
        if (rc == -2)
            return cel_err_static("timestamp overflow");
        return rc == 0 ? ts : conv_err(c, x, FN_TIMESTAMP);
    default:
        return no_overload();
    }
}

static struct gw_cel_val to_duration(struct cel_ectx *c, const struct gw_cel_val *x)
{
    int64_t ns;

    if (x->kind == GW_CEL_DURATION)
        return *x;
    if (x->kind != GW_CEL_STRING)
        return no_overload();
    if (cel_dur_parse(x->v.s, x->n, &ns) != 0)
        return conv_err(c, x, FN_DURATION);
    return gw_cel_duration(ns);
}

struct gw_cel_val cel_convert(struct cel_ectx *c, enum cel_fn fn, const struct gw_cel_val *x)
{
    switch (fn) {
    case FN_TYPE:
        return cel_type_val(cel_rtype_of(x));
    case FN_INT:
        return to_int(c, x);
    case FN_UINT:
        return to_uint(c, x);
    case FN_DOUBLE:
        return to_double(c, x);
    case FN_BOOL:
        return to_bool(c, x);
    case FN_STRING:
        return to_string(c, x);
    case FN_BYTES:
        if (x->kind == GW_CEL_BYTES)
            return *x;
        return x->kind == GW_CEL_STRING ? gw_cel_bytes(x->v.s, x->n) : no_overload();
    case FN_TIMESTAMP:
        return to_timestamp(c, x);
    case FN_DURATION:
        return to_duration(c, x);
    default:
        return no_overload();
    }
}

/* ---- arithmetic ----------------------------------------------------------------------------- */

static struct gw_cel_val int_op(enum cel_fn fn, int64_t a, int64_t b)
{
    int64_t r = 0;
    bool ovf = false;

    switch (fn) {
    case FN_ADD:
        ovf = __builtin_add_overflow(a, b, &r);
        break;
    case FN_SUB:
        ovf = __builtin_sub_overflow(a, b, &r);
        break;
    case FN_MUL:
        ovf = __builtin_mul_overflow(a, b, &r);
        break;
    case FN_DIV:
    case FN_MOD:
        if (b == 0)
            return cel_err_static(fn == FN_DIV ? "division by zero" : "modulus by zero");
        if (a == INT64_MIN && b == -1)
            return cel_err_static("integer overflow");
        r = fn == FN_DIV ? a / b : a % b;
        break;
    default:
        return no_overload();
    }
    return ovf ? cel_err_static("integer overflow") : gw_cel_int(r);
}

static struct gw_cel_val uint_op(enum cel_fn fn, uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    bool ovf = false;

    switch (fn) {
    case FN_ADD:
        ovf = __builtin_add_overflow(a, b, &r);
        break;
    case FN_SUB:
        ovf = __builtin_sub_overflow(a, b, &r);
        break;
    case FN_MUL:
        ovf = __builtin_mul_overflow(a, b, &r);
        break;
    case FN_DIV:
    case FN_MOD:
        if (b == 0)
            return cel_err_static(fn == FN_DIV ? "division by zero" : "modulus by zero");
        r = fn == FN_DIV ? a / b : a % b;
        break;
    default:
        return no_overload();
    }
    return ovf ? cel_err_static("unsigned integer overflow") : gw_cel_uint(r);
}

static struct gw_cel_val double_op(enum cel_fn fn, double a, double b)
{
    switch (fn) {
    case FN_ADD:
        return gw_cel_double(a + b);
    case FN_SUB:
        return gw_cel_double(a - b);
    case FN_MUL:
        return gw_cel_double(a * b);
    case FN_DIV:
        return gw_cel_double(a / b);
    default:
        return no_overload();
    }
}

static struct gw_cel_val concat(struct cel_ectx *c, const struct gw_cel_val *x,
                                const struct gw_cel_val *y)
{
    size_t n = (size_t)x->n + y->n;
    char *s;

    if (n > c->max_string)
        return cel_err_static("string size limit exceeded");
    s = cel_alloc(c->a, n + 1);
    if (!s)
        return cel_err_static("evaluation memory limit exceeded");
    memcpy(s, x->v.s, x->n);
    memcpy(s + x->n, y->v.s, y->n);
    struct gw_cel_val r = *x;
    r.v.s = s;
    r.n = (uint32_t)n;
    return r;
}

static struct gw_cel_val list_concat(struct cel_ectx *c, const struct gw_cel_val *x,
                                     const struct gw_cel_val *y)
{
    size_t nx = cel_len(x), ny = cel_len(y);
    struct gw_cel_val *items, out;

    if (nx + ny > c->max_string / sizeof(*items))
        return cel_err_static("list size limit exceeded");
    items = cel_alloc(c->a, (nx + ny + 1) * sizeof(*items));
    if (!items)
        return cel_err_static("evaluation memory limit exceeded");
    for (size_t i = 0; i < nx; i++)
        items[i] = cel_list_at(c->a, x, i);
    for (size_t i = 0; i < ny; i++)
        items[nx + i] = cel_list_at(c->a, y, i);
    if (gw_cel_list_new(c->a, items, nx + ny, &out) != 0)
        return cel_err_static("evaluation memory limit exceeded");
    return out;
}

/* Timestamp plus a duration, inside CEL's range (year 1 to 9999). */
static struct gw_cel_val ts_add(const struct gw_cel_val *ts, int64_t dur)
{
    int64_t sec = ts->v.ts.sec + dur / NS_PER_S;
    int64_t nsec = (int64_t)ts->n + dur % NS_PER_S;

    if (nsec < 0) {
        nsec += NS_PER_S;
        sec--;
    } else if (nsec >= NS_PER_S) {
        nsec -= NS_PER_S;
        sec++;
    }
    if (sec < CEL_TS_MIN || sec > CEL_TS_MAX)
        return cel_err_static("timestamp overflow");
    return gw_cel_timestamp(sec, (int32_t)nsec, ts->v.ts.off);
}

static struct gw_cel_val time_op(enum cel_fn fn, const struct gw_cel_val *x,
                                 const struct gw_cel_val *y)
{
    int64_t r;

    if (x->kind == GW_CEL_DURATION && y->kind == GW_CEL_DURATION) {
        bool ovf = fn == FN_ADD ? __builtin_add_overflow(x->v.i, y->v.i, &r)
                                : __builtin_sub_overflow(x->v.i, y->v.i, &r);
        return ovf ? cel_err_static("duration overflow") : gw_cel_duration(r);
    }
    if (fn == FN_ADD && x->kind == GW_CEL_TIMESTAMP && y->kind == GW_CEL_DURATION)
        return ts_add(x, y->v.i);
    if (fn == FN_ADD && x->kind == GW_CEL_DURATION && y->kind == GW_CEL_TIMESTAMP)
        return ts_add(y, x->v.i);
    if (fn == FN_SUB && x->kind == GW_CEL_TIMESTAMP && y->kind == GW_CEL_DURATION) {
        if (y->v.i == INT64_MIN)
            return cel_err_static("timestamp overflow");
        return ts_add(x, -y->v.i);
    }
    if (fn == FN_SUB && x->kind == GW_CEL_TIMESTAMP && y->kind == GW_CEL_TIMESTAMP) {
        int64_t s;
        if (__builtin_sub_overflow(x->v.ts.sec, y->v.ts.sec, &s) ||
            __builtin_mul_overflow(s, NS_PER_S, &r) ||
            __builtin_add_overflow(r, (int64_t)x->n - (int64_t)y->n, &r))
            return cel_err_static("duration overflow");
        return gw_cel_duration(r);
    }
    return no_overload();
}

struct gw_cel_val cel_arith(struct cel_ectx *c, enum cel_fn fn, const struct gw_cel_val *x,
                            const struct gw_cel_val *y)
{
    if (fn == FN_NEG) {
        if (x->kind == GW_CEL_INT)
            return x->v.i == INT64_MIN ? cel_err_static("integer overflow") : gw_cel_int(-x->v.i);
        return x->kind == GW_CEL_DOUBLE ? gw_cel_double(-x->v.d) : no_overload();
    }
    if (x->kind != y->kind)
        return (fn == FN_ADD || fn == FN_SUB) ? time_op(fn, x, y) : no_overload();
    switch (x->kind) {
    case GW_CEL_INT:
        return int_op(fn, x->v.i, y->v.i);
    case GW_CEL_UINT:
        return uint_op(fn, x->v.u, y->v.u);
    case GW_CEL_DOUBLE:
        return double_op(fn, x->v.d, y->v.d);
    case GW_CEL_STRING:
    case GW_CEL_BYTES:
        return fn == FN_ADD ? concat(c, x, y) : no_overload();
    case GW_CEL_LIST:
        return fn == FN_ADD ? list_concat(c, x, y) : no_overload();
    case GW_CEL_DURATION:
    case GW_CEL_TIMESTAMP:
        return (fn == FN_ADD || fn == FN_SUB) ? time_op(fn, x, y) : no_overload();
    default:
        return no_overload();
    }
}
