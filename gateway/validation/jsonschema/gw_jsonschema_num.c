/* gw_jsonschema_num.c - exact decimal numbers: parsing a lexeme, comparison, the integer test,
 * and multipleOf by exact division. */
#include "gw_jsonschema_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXP_MAX 1000000000LL /* |exponent| of a lexeme: beyond, the number is refused */

bool gw_jsonschema_num_parse(struct gw_jsonschema_arena *a, const char *lex, size_t n,
                             struct gw_jsonschema_num *out)
{
    size_t i = 0, nd = 0, frac = 0, lead, trail;
    int64_t e = 0;
    bool eneg = false, in_frac = false;
    char *d;

    memset(out, 0, sizeof(*out));
    d = gw_jsonschema_alloc(a, n + 1);
    if (!d)
        return false;
    if (i < n && lex[i] == '-') {
        out->neg = true;
        i++;
    }
    for (; i < n; i++) {
        if (lex[i] >= '0' && lex[i] <= '9') {
            d[nd++] = lex[i];
            if (in_frac)
                frac++;
        } else if (lex[i] == '.') {
            in_frac = true;
        } else {
            break; /* exponent */
        }
    }
    if (i < n) {
        i++;
        if (i < n && (lex[i] == '+' || lex[i] == '-'))
            eneg = lex[i++] == '-';
        for (; i < n; i++) {
            e = e * 10 + (lex[i] - '0');
            if (e > EXP_MAX)
                return false;
        }
        if (eneg)
            e = -e;
    }
    for (lead = 0; lead < nd && d[lead] == '0'; lead++)
        ;
    for (trail = 0; trail < nd - lead && d[nd - 1 - trail] == '0'; trail++)
        ;
    out->ndig = (uint32_t)(nd - lead - trail);
    out->dig = d + lead;
    if (out->ndig == 0) {
        out->neg = false;
        out->exp = 0;
        return true;
    }
    /* value = int(dig) x 10^(e - frac + trail) = 0.dig x 10^(that + ndig) */
    out->exp = e - (int64_t)frac + (int64_t)trail + (int64_t)out->ndig;
    return true;
}

bool gw_jsonschema_num_is_zero(const struct gw_jsonschema_num *a)
{
    return a->ndig == 0;
}

static int mag_cmp(const struct gw_jsonschema_num *a, const struct gw_jsonschema_num *b)
{
    uint32_t n = a->ndig < b->ndig ? a->ndig : b->ndig;
    int c;

    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    c = memcmp(a->dig, b->dig, n);
    if (c)
        return c < 0 ? -1 : 1;
    return a->ndig < b->ndig ? -1 : a->ndig > b->ndig;
}

int gw_jsonschema_num_cmp(const struct gw_jsonschema_num *a, const struct gw_jsonschema_num *b)
{
    int sa = a->ndig == 0 ? 0 : a->neg ? -1 : 1;
    int sb = b->ndig == 0 ? 0 : b->neg ? -1 : 1;

    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    return sa * mag_cmp(a, b);
}

bool gw_jsonschema_num_is_int(const struct gw_jsonschema_num *a)
{
    return a->ndig == 0 || a->exp >= (int64_t)a->ndig;
}

bool gw_jsonschema_num_to_i64(const struct gw_jsonschema_num *a, int64_t *out)
{
    uint64_t v = 0;
    int64_t k;

    if (!gw_jsonschema_num_is_int(a) || a->exp > 18)
        return false;
    for (k = 0; k < a->exp; k++)
        v = v * 10 + (uint64_t)(k < a->ndig ? a->dig[k] - '0' : 0);
    *out = a->neg ? -(int64_t)v : (int64_t)v;
    return true;
}

double gw_jsonschema_num_double(const struct gw_jsonschema_num *a)
{
    char buf[800];
    uint32_t nd = a->ndig > 700 ? 700 : a->ndig;

    if (a->ndig == 0)
        return 0.0;
    if (a->exp > 400)
        return a->neg ? -HUGE_VAL : HUGE_VAL;
    if (a->exp < -400)
        return a->neg ? -0.0 : 0.0;
    snprintf(buf, sizeof(buf), "%s0.%.*se%lld", a->neg ? "-" : "", (int)nd, a->dig,
             (long long)a->exp);
    return strtod(buf, NULL);
}

/* ---- multipleOf: exact, with base-1e9 limbs when the divisor is large ---- */

#define LIMB 1000000000u
#define LIMBS_MAX 64 /* divisors up to 576 digits */

struct big {
    uint32_t l[LIMBS_MAX + 1]; /* little-endian base 1e9 */
    int n;
};

static bool big_from_digits(struct big *b, const char *d, uint32_t nd)
{
    uint32_t i;
    uint64_t carry;

    b->n = 0;
    for (i = 0; i < nd; i++) {
        carry = (uint64_t)(d[i] - '0');
        for (int k = 0; k < b->n; k++) {
            carry += (uint64_t)b->l[k] * 10u;
            b->l[k] = (uint32_t)(carry % LIMB);
            carry /= LIMB;
        }
        if (carry) {
            if (b->n == LIMBS_MAX)
                return false;
            b->l[b->n++] = (uint32_t)carry;
        }
    }
    return true;
}

/* b /= s when s divides b; returns whether it did. */
static bool big_div_exact(struct big *b, uint32_t s)
{
    struct big q = *b;
    uint64_t r = 0;

    for (int k = q.n - 1; k >= 0; k--) {
        r = r * LIMB + q.l[k];
        q.l[k] = (uint32_t)(r / s);
        r %= s;
    }
    if (r)
        return false;
    while (q.n > 0 && q.l[q.n - 1] == 0)
        q.n--;
    *b = q;
    return true;
}

static int big_cmp(const struct big *a, const struct big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (int k = a->n - 1; k >= 0; k--)
        if (a->l[k] != b->l[k])
            return a->l[k] < b->l[k] ? -1 : 1;
    return 0;
}

static void big_sub(struct big *a, const struct big *b)
{
    int64_t borrow = 0;

    for (int k = 0; k < a->n; k++) {
        int64_t v = (int64_t)a->l[k] - borrow - (k < b->n ? (int64_t)b->l[k] : 0);
        borrow = v < 0;
        a->l[k] = (uint32_t)(v < 0 ? v + LIMB : v);
    }
    while (a->n > 0 && a->l[a->n - 1] == 0)
        a->n--;
}

/* r = r * 10 + d, r < m before and after. */
static void big_mod_step(struct big *r, uint32_t d, const struct big *m)
{
    uint64_t carry = d;

    for (int k = 0; k < r->n; k++) {
        carry += (uint64_t)r->l[k] * 10u;
        r->l[k] = (uint32_t)(carry % LIMB);
        carry /= LIMB;
    }
    if (carry)
        r->l[r->n++] = (uint32_t)carry;
    while (big_cmp(r, m) >= 0)
        big_sub(r, m);
}

int gw_jsonschema_num_multiple(const struct gw_jsonschema_num *a, const struct gw_jsonschema_num *b,
                               uint64_t *budget)
{
    struct big m, r = {{0}, 0};
    int64_t ea, eb, e, twos, fives;
    uint64_t cost, mod, rem;
    uint32_t i;

    if (a->ndig == 0)
        return 1;
    /* a = A x 10^ea, b = B x 10^eb with A and B free of trailing zeros */
    ea = a->exp - (int64_t)a->ndig;
    eb = b->exp - (int64_t)b->ndig;
    e = ea - eb;
    if (e < 0)
        return 0; /* B x 10^-e divides A only if 10 divides A, which it does not */
    cost = (uint64_t)a->ndig * ((uint64_t)b->ndig / 9u + 2u) + (uint64_t)b->ndig * 8u;
    if (cost > *budget)
        return -1;
    *budget -= cost;
    if (!big_from_digits(&m, b->dig, b->ndig))
        return -1;
    /* B divides A x 10^e  <=>  B / gcd(B, 10^e) divides A */
    for (twos = 0; twos < e && big_div_exact(&m, 2); twos++)
        ;
    for (fives = 0; fives < e && big_div_exact(&m, 5); fives++)
        ;
    if (m.n == 1 && m.l[0] == 1)
        return 1;
    if (m.n <= 2) {
        mod = m.n == 1 ? m.l[0] : (uint64_t)m.l[1] * LIMB + m.l[0];
        rem = 0;
        for (i = 0; i < a->ndig; i++)
            rem = (rem * 10u + (uint64_t)(a->dig[i] - '0')) % mod; /* mod < 1e18: no overflow */
        return rem == 0;
    }
    for (i = 0; i < a->ndig; i++)
        big_mod_step(&r, (uint32_t)(a->dig[i] - '0'), &m);
    return r.n == 0;
}
