/* gw_tmpl_f_math.c - sprig's math: integer functions (add sub mul div mod max min add1 ...) on
 * cast.ToInt64 with Go's wrapping int64 arithmetic, float functions (addf subf mulf divf maxf
 * minf) through decimal arithmetic as shopspring/decimal does, ceil floor round, seq, until. */
#include "gw_tmpl_fns.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- integer math: cast.ToInt64 then Go's wrapping int64 arithmetic ---- */

static int64_t wrap_add(int64_t p, int64_t q)
{
    return (int64_t)((uint64_t)p + (uint64_t)q);
}

static int64_t wrap_mul(int64_t p, int64_t q)
{
    return (int64_t)((uint64_t)p * (uint64_t)q);
}

TFN_DECL(tfm_add1)
{
    (void)n;
    return tv_int64(x, wrap_add(tcast_int64(a[0]), 1));
}

TFN_DECL(tfm_add)
{
    int64_t s = 0;

    for (size_t i = 0; i < n; i++)
        s = wrap_add(s, tcast_int64(a[i]));
    return tv_int64(x, s);
}

TFN_DECL(tfm_sub)
{
    (void)n;
    return tv_int64(x, (int64_t)((uint64_t)tcast_int64(a[0]) - (uint64_t)tcast_int64(a[1])));
}

TFN_DECL(tfm_mul)
{
    int64_t s = tcast_int64(a[0]);

    for (size_t i = 1; i < n; i++)
        s = wrap_mul(s, tcast_int64(a[i]));
    return tv_int64(x, s);
}

TFN_DECL(tfm_div)
{
    int64_t p = tcast_int64(a[0]), q = tcast_int64(a[1]);

    (void)n;
    if (q == 0)
        return tfn_fail(x, "runtime error: integer divide by zero");
    if (p == INT64_MIN && q == -1)
        return tv_int64(x, INT64_MIN);
    return tv_int64(x, p / q);
}

TFN_DECL(tfm_mod)
{
    int64_t p = tcast_int64(a[0]), q = tcast_int64(a[1]);

    (void)n;
    if (q == 0)
        return tfn_fail(x, "runtime error: integer divide by zero");
    if (q == -1)
        return tv_int64(x, 0);
    return tv_int64(x, p % q);
}

TFN_DECL(tfm_max)
{
    int64_t m = tcast_int64(a[0]);

    for (size_t i = 1; i < n; i++) {
        int64_t v = tcast_int64(a[i]);
        if (v > m)
            m = v;
    }
    return tv_int64(x, m);
}

TFN_DECL(tfm_min)
{
    int64_t m = tcast_int64(a[0]);

    for (size_t i = 1; i < n; i++) {
        int64_t v = tcast_int64(a[i]);
        if (v < m)
            m = v;
    }
    return tv_int64(x, m);
}

/* math.Max / math.Min: NaN wins, +0 beats -0 */
static double go_max(double p, double q)
{
    if (isinf(p) && p > 0)
        return p;
    if (isinf(q) && q > 0)
        return q;
    if (isnan(p) || isnan(q))
        return NAN;
    if (p == 0 && p == q)
        return signbit(p) ? q : p;
    return p > q ? p : q;
}

static double go_min(double p, double q)
{
    if (isinf(p) && p < 0)
        return p;
    if (isinf(q) && q < 0)
        return q;
    if (isnan(p) || isnan(q))
        return NAN;
    if (p == 0 && p == q)
        return signbit(p) ? p : q;
    return p < q ? p : q;
}

TFN_DECL(tfm_maxf)
{
    double m = tcast_float64(a[0]);

    for (size_t i = 1; i < n; i++)
        m = go_max(m, tcast_float64(a[i]));
    return tv_float(x, m);
}

TFN_DECL(tfm_minf)
{
    double m = tcast_float64(a[0]);

    for (size_t i = 1; i < n; i++)
        m = go_min(m, tcast_float64(a[i]));
    return tv_float(x, m);
}

TFN_DECL(tfm_ceil)
{
    (void)n;
    return tv_float(x, ceil(tcast_float64(a[0])));
}

TFN_DECL(tfm_floor)
{
    (void)n;
    return tv_float(x, floor(tcast_float64(a[0])));
}

TFN_DECL(tfm_round)
{
    double round_on = n > 2 ? a[2]->u.f : .5;
    double val = tcast_float64(a[0]);
    double pw = pow(10, (double)a[1]->u.i);
    double digit = pw * val, ip, frac = modf(digit, &ip);
    double r = frac >= round_on ? ceil(digit) : floor(digit);

    return tv_float(x, r / pw);
}

/* ---- float math through decimals (sprig uses shopspring/decimal) ---- */

/* a GCC/Clang extension: 128-bit integers hold the exact decimal mantissas */
__extension__ typedef __int128 i128;

/* value = m * 10^e exactly; or, once an operation leaves what an int128 mantissa holds, a plain
 * double (dbl), whose rounding then matches the decimal result's float64 conversion */
struct dec {
    i128 m;
    int e;
    bool dbl;
    double d;
};

static const i128 DEC_BIG = (i128)1000000000000000000LL * 1000000000000LL; /* 1e30 */
static const i128 DEC_MUL = (i128)1000000000000000000LL;                   /* 1e18 */

static bool dec_from_double(struct texec *x, double f, struct dec *d)
{
    char buf[64];
    const char *e;
    int dp = 0, sign;

    memset(d, 0, sizeof(*d));
    if (isnan(f) || isinf(f)) {
        tfn_fail(x, "Cannot create a Decimal from %s", isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
        return false;
    }
    if (f == 0)
        return true;
    tfmt_float(fabs(f), 'e', -1, buf, sizeof(buf));
    e = strchr(buf, 'e');
    for (const char *c = buf; c < e; c++) {
        if (*c >= '0' && *c <= '9') {
            d->m = d->m * 10 + (*c - '0');
            d->e--;
        }
    }
    sign = e[1] == '-' ? -1 : 1;
    for (const char *c = e + 2; *c; c++)
        dp = dp * 10 + (*c - '0');
    d->e += sign * dp + 1;
    if (f < 0)
        d->m = -d->m;
    return true;
}

static i128 abs128(i128 v)
{
    return v < 0 ? -v : v;
}

/* Rounds the mantissa (half away from zero) until it is at most lim. */
static void dec_norm(struct dec *d, i128 lim)
{
    while (abs128(d->m) > lim) {
        i128 q = d->m / 10, r = d->m % 10;
        if (r >= 5)
            q++;
        else if (r <= -5)
            q--;
        d->m = q;
        d->e++;
    }
}

static double dec_to_double(const struct dec *d)
{
    char buf[60], out[100];
    i128 m = abs128(d->m);
    int k = sizeof(buf) - 1;

    if (d->dbl)
        return d->d;
    buf[k] = '\0';
    do {
        buf[--k] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    snprintf(out, sizeof(out), "%s%se%d", d->m < 0 ? "-" : "", buf + k, d->e);
    return strtod(out, NULL);
}

static void to_dbl(struct dec *d, double v)
{
    d->dbl = true;
    d->d = v;
}

static bool pow10_128(int k, i128 *out)
{
    i128 p = 1;

    if (k < 0 || k > 36)
        return false;
    for (int i = 0; i < k; i++)
        p *= 10;
    *out = p;
    return true;
}

static void dec_add(struct dec *d1, const struct dec *d2)
{
    struct dec a = *d1, b = *d2;
    i128 p;

    if (a.dbl || b.dbl) {
        to_dbl(d1, dec_to_double(&a) + dec_to_double(&b));
        return;
    }
    if (b.m == 0)
        return;
    if (a.m == 0) {
        *d1 = b;
        return;
    }
    if (a.e < b.e) {
        struct dec t = a;
        a = b;
        b = t;
    }
    /* far apart exponents: the smaller term cannot reach a float64's digits */
    if (!pow10_128(a.e - b.e, &p) || abs128(a.m) > DEC_BIG / p * 100) {
        to_dbl(d1, dec_to_double(&a) + dec_to_double(&b));
        return;
    }
    d1->m = a.m * p + b.m;
    d1->e = b.e;
    dec_norm(d1, DEC_BIG);
}

static void dec_mul(struct dec *d1, const struct dec *d2)
{
    struct dec b = *d2;

    if (d1->dbl || b.dbl) {
        to_dbl(d1, dec_to_double(d1) * dec_to_double(&b));
        return;
    }
    dec_norm(d1, DEC_MUL);
    dec_norm(&b, DEC_MUL);
    d1->m *= b.m;
    d1->e += b.e;
    dec_norm(d1, DEC_BIG);
}

/* DivRound(d2, 16): the quotient rounded half away from zero to 16 decimal places */
static bool dec_div(struct texec *x, struct dec *d1, const struct dec *d2)
{
    int shift;
    i128 p, num, q, r;

    if ((!d2->dbl && d2->m == 0) || (d2->dbl && d2->d == 0)) {
        tfn_fail(x, "decimal division by zero");
        return false;
    }
    shift = d1->e - d2->e + 16;
    num = d1->m;
    if (!d1->dbl && !d2->dbl && shift >= 0 && pow10_128(shift, &p) &&
        abs128(num) < DEC_BIG / p * 1000) {
        num *= p;
        q = num / d2->m;
        r = num % d2->m;
        if (abs128(r) * 2 >= abs128(d2->m))
            q += ((num < 0) != (d2->m < 0)) ? -1 : 1;
        d1->m = q;
        d1->e = -16;
        dec_norm(d1, DEC_BIG);
        return true;
    }
    {
        double f = dec_to_double(d1) / dec_to_double(d2);
        char buf[400];
        if (isfinite(f) && fabs(f) < 1e300) {
            snprintf(buf, sizeof(buf), "%.16f", f);
            f = strtod(buf, NULL);
        }
        to_dbl(d1, f);
        return true;
    }
}

enum decop { D_ADD, D_SUB, D_MUL, D_DIV };

static struct tv *dec_op(struct texec *x, double first, struct tv **rest, size_t n, enum decop op)
{
    struct dec acc, d;

    if (!dec_from_double(x, first, &acc))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!dec_from_double(x, tcast_float64(rest[i]), &d))
            return NULL;
        switch (op) {
        case D_ADD:
            dec_add(&acc, &d);
            break;
        case D_SUB:
            d.m = -d.m;
            dec_add(&acc, &d);
            break;
        case D_MUL:
            dec_mul(&acc, &d);
            break;
        case D_DIV:
            if (!dec_div(x, &acc, &d))
                return NULL;
            break;
        }
    }
    return tv_float(x, dec_to_double(&acc));
}

TFN_DECL(tfm_add1f)
{
    struct tv one = {.kind = TV_INT, .type = GT_INT, .u.i = 1}, *o = &one;

    (void)n;
    return dec_op(x, tcast_float64(a[0]), &o, 1, D_ADD);
}

TFN_DECL(tfm_addf)
{
    return dec_op(x, 0, a, n, D_ADD);
}

TFN_DECL(tfm_subf)
{
    return dec_op(x, tcast_float64(a[0]), a + 1, n - 1, D_SUB);
}

TFN_DECL(tfm_mulf)
{
    return dec_op(x, tcast_float64(a[0]), a + 1, n - 1, D_MUL);
}

TFN_DECL(tfm_divf)
{
    return dec_op(x, tcast_float64(a[0]), a + 1, n - 1, D_DIV);
}
