/* gw_cel_value.c - CEL values: the evaluation arena, errors, equality, ordering, formatting. */
#include "gw_cel_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_DEFAULT_CAP ((size_t)8 << 20)
#define ARENA_KEEP ((size_t)64 << 10)
#define CHUNK_MIN ((size_t)4 << 10)

/* ---- arena ---------------------------------------------------------------------------------- */

void cel_arena_init(struct gw_cel_arena *a, size_t cap)
{
    a->head = NULL;
    a->total = 0;
    a->cap = cap ? cap : ARENA_DEFAULT_CAP;
}

void cel_arena_free(struct gw_cel_arena *a)
{
    struct gw_cel_chunk *c = a->head;

    while (c) {
        struct gw_cel_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

void *cel_alloc(struct gw_cel_arena *a, size_t n)
{
    struct gw_cel_chunk *c = a->head;
    size_t need = (n + 15) & ~(size_t)15;

    if (need < n || need > a->cap || a->total > a->cap - need)
        return NULL;
    if (!c || c->size - c->used < need) {
        size_t size = c ? c->size * 2 : CHUNK_MIN;

        if (size < need)
            size = need;
        if (size > ((size_t)1 << 20) && need <= ((size_t)1 << 20))
            size = (size_t)1 << 20;
        c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->total += need;
    memset(p, 0, n);
    return p;
}

char *cel_strdup(struct gw_cel_arena *a, const char *s, size_t n)
{
    char *p = cel_alloc(a, n + 1);

    if (p) {
        if (n)
            memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

struct gw_cel_arena *gw_cel_arena_new(size_t max_bytes)
{
    struct gw_cel_arena *a = malloc(sizeof(*a));

    if (a)
        cel_arena_init(a, max_bytes);
    return a;
}

void gw_cel_arena_reset(struct gw_cel_arena *a)
{
    struct gw_cel_chunk *keep = NULL, *c;

    if (!a)
        return;
    /* Keep the newest chunk if it is small: the next request most likely needs the same. */
    c = a->head;
    if (c && c->size <= ARENA_KEEP) {
        keep = c;
        c = c->next;
        keep->next = NULL;
        keep->used = 0;
    }
    while (c) {
        struct gw_cel_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = keep;
    a->total = 0;
}

void gw_cel_arena_destroy(struct gw_cel_arena *a)
{
    if (!a)
        return;
    cel_arena_free(a);
    free(a);
}

size_t gw_cel_arena_used(const struct gw_cel_arena *a)
{
    return a ? a->total : 0;
}

/* ---- scalars -------------------------------------------------------------------------------- */

static struct gw_cel_val mk(uint8_t kind)
{
    struct gw_cel_val v;

    memset(&v, 0, sizeof(v));
    v.kind = kind;
    return v;
}

struct gw_cel_val gw_cel_null(void)
{
    return mk(GW_CEL_NULL);
}

struct gw_cel_val gw_cel_bool(bool b)
{
    struct gw_cel_val v = mk(GW_CEL_BOOL);
    v.v.b = b;
    return v;
}

struct gw_cel_val gw_cel_int(int64_t i)
{
    struct gw_cel_val v = mk(GW_CEL_INT);
    v.v.i = i;
    return v;
}

struct gw_cel_val gw_cel_uint(uint64_t u)
{
    struct gw_cel_val v = mk(GW_CEL_UINT);
    v.v.u = u;
    return v;
}

struct gw_cel_val gw_cel_double(double d)
{
    struct gw_cel_val v = mk(GW_CEL_DOUBLE);
    v.v.d = d;
    return v;
}

struct gw_cel_val gw_cel_string(const char *s, size_t n)
{
    struct gw_cel_val v = mk(GW_CEL_STRING);
    v.v.s = s ? s : "";
    v.n = (uint32_t)n;
    return v;
}

struct gw_cel_val gw_cel_bytes(const void *s, size_t n)
{
    struct gw_cel_val v = mk(GW_CEL_BYTES);
    v.v.s = s ? s : "";
    v.n = (uint32_t)n;
    return v;
}

struct gw_cel_val gw_cel_timestamp(int64_t sec, int32_t nsec, int32_t utc_offset)
{
    struct gw_cel_val v = mk(GW_CEL_TIMESTAMP);
    v.v.ts.sec = sec;
    v.v.ts.off = utc_offset;
    v.n = (uint32_t)nsec;
    return v;
}

struct gw_cel_val gw_cel_duration(int64_t nanos)
{
    struct gw_cel_val v = mk(GW_CEL_DURATION);
    v.v.i = nanos;
    return v;
}

struct gw_cel_val cel_type_val(enum gw_cel_rtype t)
{
    struct gw_cel_val v = mk(GW_CEL_TYPE);
    v.v.i = t;
    return v;
}

struct gw_cel_val cel_err_static(const char *msg)
{
    struct gw_cel_val v = mk(GW_CEL_ERROR);
    v.v.s = msg;
    v.n = (uint32_t)strlen(msg);
    return v;
}

struct gw_cel_val cel_err(struct gw_cel_arena *a, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return cel_err_static("error");
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    p = a ? cel_strdup(a, buf, (size_t)n) : NULL;
    if (!p)
        return cel_err_static("evaluation memory limit exceeded");
    struct gw_cel_val v = mk(GW_CEL_ERROR);
    v.v.s = p;
    v.n = (uint32_t)n;
    return v;
}

bool cel_is_err_or_unknown(const struct gw_cel_val *v)
{
    return v->kind == GW_CEL_ERROR || v->kind == GW_CEL_UNKNOWN;
}

static const char *const RTYPE_NAMES[] = {
    [GW_CEL_RT_NULL] = "null_type",
    [GW_CEL_RT_BOOL] = "bool",
    [GW_CEL_RT_INT] = "int",
    [GW_CEL_RT_UINT] = "uint",
    [GW_CEL_RT_DOUBLE] = "double",
    [GW_CEL_RT_STRING] = "string",
    [GW_CEL_RT_BYTES] = "bytes",
    [GW_CEL_RT_LIST] = "list",
    [GW_CEL_RT_MAP] = "map",
    [GW_CEL_RT_TIMESTAMP] = "google.protobuf.Timestamp",
    [GW_CEL_RT_DURATION] = "google.protobuf.Duration",
    [GW_CEL_RT_TYPE] = "type",
};

const char *cel_rtype_name(enum gw_cel_rtype t)
{
    return (unsigned)t <= GW_CEL_RT_TYPE ? RTYPE_NAMES[t] : "unknown";
}

enum gw_cel_rtype cel_rtype_of(const struct gw_cel_val *v)
{
    switch (v->kind) {
    case GW_CEL_BOOL:
        return GW_CEL_RT_BOOL;
    case GW_CEL_INT:
        return GW_CEL_RT_INT;
    case GW_CEL_UINT:
        return GW_CEL_RT_UINT;
    case GW_CEL_DOUBLE:
        return GW_CEL_RT_DOUBLE;
    case GW_CEL_STRING:
        return GW_CEL_RT_STRING;
    case GW_CEL_BYTES:
        return GW_CEL_RT_BYTES;
    case GW_CEL_LIST:
        return GW_CEL_RT_LIST;
    case GW_CEL_MAP:
        return GW_CEL_RT_MAP;
    case GW_CEL_TIMESTAMP:
        return GW_CEL_RT_TIMESTAMP;
    case GW_CEL_DURATION:
        return GW_CEL_RT_DURATION;
    case GW_CEL_TYPE:
        return GW_CEL_RT_TYPE;
    default:
        return GW_CEL_RT_NULL;
    }
}

/* ---- equality and ordering ----------------------------------------------------------------- */

static int cmp_double(double a, double b)
{
    return a < b ? -1 : (a > b ? 1 : 0);
}

/* cel-go's cross-type comparisons: ints and uints meet doubles through float64. */
static int cmp_double_int(double d, int64_t i)
{
    if (d < -9223372036854775808.0)
        return -1;
    if (d > 9223372036854775807.0)
        return 1;
    return cmp_double(d, (double)i);
}

static int cmp_double_uint(double d, uint64_t u)
{
    if (d < 0)
        return -1;
    if (d > 18446744073709551615.0)
        return 1;
    return cmp_double(d, (double)u);
}

static int cmp_int_uint(int64_t i, uint64_t u)
{
    if (i < 0 || u > (uint64_t)INT64_MAX)
        return -1;
    return (uint64_t)i < u ? -1 : ((uint64_t)i > u ? 1 : 0);
}

static bool is_num(uint8_t k)
{
    return k == GW_CEL_INT || k == GW_CEL_UINT || k == GW_CEL_DOUBLE;
}

/* Numeric comparison: -1/0/1, 3 when a NaN is involved. */
static int cmp_num(const struct gw_cel_val *x, const struct gw_cel_val *y)
{
    if ((x->kind == GW_CEL_DOUBLE && isnan(x->v.d)) || (y->kind == GW_CEL_DOUBLE && isnan(y->v.d)))
        return 3;
    switch (x->kind) {
    case GW_CEL_INT:
        if (y->kind == GW_CEL_INT)
            return x->v.i < y->v.i ? -1 : (x->v.i > y->v.i ? 1 : 0);
        if (y->kind == GW_CEL_UINT)
            return cmp_int_uint(x->v.i, y->v.u);
        return -cmp_double_int(y->v.d, x->v.i);
    case GW_CEL_UINT:
        if (y->kind == GW_CEL_UINT)
            return x->v.u < y->v.u ? -1 : (x->v.u > y->v.u ? 1 : 0);
        if (y->kind == GW_CEL_INT)
            return -cmp_int_uint(y->v.i, x->v.u);
        return -cmp_double_uint(y->v.d, x->v.u);
    default:
        if (y->kind == GW_CEL_DOUBLE)
            return cmp_double(x->v.d, y->v.d);
        if (y->kind == GW_CEL_INT)
            return cmp_double_int(x->v.d, y->v.i);
        return cmp_double_uint(x->v.d, y->v.u);
    }
}

static int cmp_bytes(const struct gw_cel_val *x, const struct gw_cel_val *y)
{
    size_t n = x->n < y->n ? x->n : y->n;
    int c = n ? memcmp(x->v.s, y->v.s, n) : 0;

    if (c)
        return c < 0 ? -1 : 1;
    return x->n < y->n ? -1 : (x->n > y->n ? 1 : 0);
}

int cel_compare(const struct gw_cel_val *x, const struct gw_cel_val *y)
{
    if (is_num(x->kind) && is_num(y->kind))
        return cmp_num(x, y);
    if (x->kind != y->kind)
        return 2;
    switch (x->kind) {
    case GW_CEL_BOOL:
        return (int)x->v.b - (int)y->v.b;
    case GW_CEL_STRING:
    case GW_CEL_BYTES:
        return cmp_bytes(x, y);
    case GW_CEL_TIMESTAMP:
        if (x->v.ts.sec != y->v.ts.sec)
            return x->v.ts.sec < y->v.ts.sec ? -1 : 1;
        return x->n < y->n ? -1 : (x->n > y->n ? 1 : 0);
    case GW_CEL_DURATION:
        return x->v.i < y->v.i ? -1 : (x->v.i > y->v.i ? 1 : 0);
    default:
        return 2;
    }
}

static bool list_equal(struct gw_cel_arena *a, const struct gw_cel_val *x,
                       const struct gw_cel_val *y, int depth)
{
    size_t n = cel_len(x);

    if (n != cel_len(y))
        return false;
    for (size_t i = 0; i < n; i++) {
        struct gw_cel_val ex = cel_list_at(a, x, i), ey = cel_list_at(a, y, i);
        if (!cel_equal(a, &ex, &ey, depth + 1))
            return false;
    }
    return true;
}

static bool map_equal(struct gw_cel_arena *a, const struct gw_cel_val *x,
                      const struct gw_cel_val *y, int depth)
{
    struct gw_cel_val k, vx, vy;
    void *it = NULL;

    if (cel_len(x) != cel_len(y))
        return false;
    while (cel_map_next(a, x, &it, &k, &vx)) {
        if (!cel_map_find(a, y, &k, &vy) || !cel_equal(a, &vx, &vy, depth + 1))
            return false;
    }
    return true;
}

bool cel_equal(struct gw_cel_arena *a, const struct gw_cel_val *x, const struct gw_cel_val *y,
               int depth)
{
    if (depth > 1000)
        return false;
    if (is_num(x->kind) && is_num(y->kind))
        return cmp_num(x, y) == 0;
    if (x->kind != y->kind)
        return false;
    switch (x->kind) {
    case GW_CEL_NULL:
        return true;
    case GW_CEL_BOOL:
        return x->v.b == y->v.b;
    case GW_CEL_STRING:
    case GW_CEL_BYTES:
        return x->n == y->n && (x->n == 0 || memcmp(x->v.s, y->v.s, x->n) == 0);
    case GW_CEL_TIMESTAMP:
        return x->v.ts.sec == y->v.ts.sec && x->n == y->n;
    case GW_CEL_DURATION:
    case GW_CEL_TYPE:
        return x->v.i == y->v.i;
    case GW_CEL_LIST:
        return list_equal(a, x, y, depth);
    case GW_CEL_MAP:
        return map_equal(a, x, y, depth);
    default:
        return false;
    }
}

/* ---- double formatting (Go's strconv shortest) ---------------------------------------------- */

/* Shortest decimal digits that read back as d (d finite, > 0): digits in dig, returns count,
 * *dp = position of the decimal point (value = 0.dig * 10^dp). */
static int shortest_digits(double d, char dig[24], int *dp)
{
    char buf[40];

    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
        char *e = strchr(buf, 'e');
        int exp = (int)strtol(e + 1, NULL, 10), nd = 0;
        for (char *q = buf; q < e; q++)
            if (*q >= '0' && *q <= '9')
                dig[nd++] = *q;
        dig[nd] = '\0';
        double back = strtod(buf, NULL);
        if (back != d && prec < 17) {
            /* printf rounds to nearest; on an asymmetric interval the other neighbour may be
             * the shortest that round-trips, as Go would find. */
            char alt[40], adig[24];
            int carry = back < d ? 1 : -1, i = nd - 1, aexp = exp;
            memcpy(adig, dig, (size_t)nd + 1);
            while (i >= 0) {
                int v = adig[i] - '0' + carry;
                if (v >= 0 && v <= 9) {
                    adig[i] = (char)('0' + v);
                    break;
                }
                adig[i] = carry > 0 ? '0' : '9';
                i--;
            }
            if (i >= 0 && adig[0] != '0') {
                snprintf(alt, sizeof(alt), "%c.%se%d", adig[0], adig + 1, aexp);
                if (strtod(alt, NULL) == d) {
                    memcpy(dig, adig, (size_t)nd + 1);
                    back = d;
                }
            }
        }
        if (back == d) {
            while (nd > 1 && dig[nd - 1] == '0')
                nd--;
            dig[nd] = '\0';
            *dp = exp + 1;
            return nd;
        }
    }
    return 0;
}

static size_t put(char *out, size_t n, size_t at, char c)
{
    if (at + 1 < n)
        out[at] = c;
    return at + 1;
}

static size_t fmt_f(const char *dig, int nd, int dp, char *out, size_t n, size_t at)
{
    int decimals = nd - dp > 0 ? nd - dp : 0;

    if (dp <= 0) {
        at = put(out, n, at, '0');
    } else {
        for (int i = 0; i < dp; i++)
            at = put(out, n, at, i < nd ? dig[i] : '0');
    }
    if (decimals > 0) {
        at = put(out, n, at, '.');
        for (int i = dp; i < nd; i++)
            at = put(out, n, at, i < 0 ? '0' : dig[i]);
    }
    return at;
}

static size_t fmt_e(const char *dig, int nd, int exp, char *out, size_t n, size_t at)
{
    char eb[16];

    at = put(out, n, at, dig[0]);
    if (nd > 1) {
        at = put(out, n, at, '.');
        for (int i = 1; i < nd; i++)
            at = put(out, n, at, dig[i]);
    }
    snprintf(eb, sizeof(eb), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    for (char *q = eb; *q; q++)
        at = put(out, n, at, *q);
    return at;
}

size_t cel_format_double(double d, char fmt, int eprec, char *out, size_t n)
{
    char dig[24];
    int nd, dp = 1;
    size_t at = 0;

    if (isnan(d))
        return (size_t)snprintf(out, n, "NaN");
    if (isinf(d))
        return (size_t)snprintf(out, n, "%cInf", d < 0 ? '-' : '+');
    if (signbit(d)) {
        at = put(out, n, at, '-');
        d = -d;
    }
    if (d == 0) {
        dig[0] = '0';
        nd = 1;
        dp = 1;
    } else {
        nd = shortest_digits(d, dig, &dp);
    }
    if (fmt == 'g' && (dp - 1 < -4 || dp - 1 >= eprec))
        at = fmt_e(dig, nd, dp - 1, out, n, at);
    else
        at = fmt_f(dig, nd, dp, out, n, at);
    if (n)
        out[at < n ? at : n - 1] = '\0';
    return at;
}

/* ---- %v ------------------------------------------------------------------------------------- */

struct fmtbuf {
    char *buf;
    size_t n, at;
};

static void fb_put(struct fmtbuf *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        f->at = put(f->buf, f->n, f->at, s[i]);
}

static void fb_str(struct fmtbuf *f, const char *s)
{
    fb_put(f, s, strlen(s));
}

static void format_val(struct fmtbuf *f, const struct gw_cel_val *v, int depth);

static void format_agg(struct fmtbuf *f, const struct gw_cel_val *v, int depth)
{
    struct gw_cel_val k, e;
    void *it = NULL;
    size_t i = 0;

    if (v->kind == GW_CEL_LIST) {
        fb_str(f, "[");
        for (i = 0; i < cel_len(v); i++) {
            e = cel_list_at(NULL, v, i);
            if (i)
                fb_str(f, ", ");
            format_val(f, &e, depth + 1);
        }
        fb_str(f, "]");
        return;
    }
    fb_str(f, "{");
    while (cel_map_next(NULL, v, &it, &k, &e)) {
        if (i++)
            fb_str(f, ", ");
        format_val(f, &k, depth + 1);
        fb_str(f, ": ");
        format_val(f, &e, depth + 1);
    }
    fb_str(f, "}");
}

static void format_val(struct fmtbuf *f, const struct gw_cel_val *v, int depth)
{
    char tmp[64];

    if (depth > 32) {
        fb_str(f, "...");
        return;
    }
    switch (v->kind) {
    case GW_CEL_NULL:
        fb_str(f, "null");
        break;
    case GW_CEL_BOOL:
        fb_str(f, v->v.b ? "true" : "false");
        break;
    case GW_CEL_INT:
        snprintf(tmp, sizeof(tmp), "%lld", (long long)v->v.i);
        fb_str(f, tmp);
        break;
    case GW_CEL_UINT:
        snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v->v.u);
        fb_str(f, tmp);
        break;
    case GW_CEL_DOUBLE:
        cel_format_double(v->v.d, 'g', 6, tmp, sizeof(tmp));
        fb_str(f, tmp);
        break;
    case GW_CEL_STRING:
    case GW_CEL_BYTES:
    case GW_CEL_ERROR:
        fb_put(f, v->v.s, v->n);
        break;
    case GW_CEL_TIMESTAMP:
        cel_ts_format(v, 9, tmp, sizeof(tmp));
        fb_str(f, tmp);
        break;
    case GW_CEL_DURATION:
        cel_dur_format(v->v.i, tmp, sizeof(tmp));
        fb_str(f, tmp);
        break;
    case GW_CEL_TYPE:
        fb_str(f, cel_rtype_name((enum gw_cel_rtype)v->v.i));
        break;
    case GW_CEL_UNKNOWN:
        fb_str(f, "unknown");
        break;
    default:
        format_agg(f, v, depth);
        break;
    }
}

size_t gw_cel_format(const struct gw_cel_val *v, char *buf, size_t n)
{
    struct fmtbuf f = {buf, n, 0};

    format_val(&f, v, 0);
    if (n)
        buf[f.at < n ? f.at : n - 1] = '\0';
    return f.at;
}
