/* cmn_go_duration.c - Go's time.ParseDuration and Duration.String(). */
#include "cmn_go_duration.h"

#include "cmn_str.h"

#include <stdio.h>
#include <string.h>

static int64_t unit_ns(const char *u, size_t n)
{
    static const struct {
        const char *name;
        int64_t ns;
    } units[] = {
        {"ns", 1},
        {"us", 1000},
        {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
        {"\xce\xbcs", 1000}, /* U+03BC Greek mu */
        {"ms", 1000000},
        {"s", 1000000000},
        {"m", 60LL * 1000000000},
        {"h", 3600LL * 1000000000},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
            return units[i].ns;
    }
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* One <decimal>[.<decimal>]<unit> group at *sp: its nanoseconds added to *total. */
static bool group(const char **sp, const char *e, uint64_t *total)
{
    const uint64_t limit = (uint64_t)1 << 63;
    const char *s = *sp, *u;
    uint64_t v = 0, f = 0;
    double scale = 1;
    bool digits = false;
    int64_t unit;

    if (!(*s == '.' || is_digit(*s)))
        return false;
    for (; s < e && is_digit(*s); s++, digits = true) {
        if (v > (limit - 1) / 10)
            return false; /* overflow */
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (s < e && *s == '.') {
        bool overflow = false;
        for (s++; s < e && is_digit(*s); s++, digits = true) {
            if (overflow || f > (limit - 1) / 10) {
                overflow = true; /* Go ignores digits past int64 precision */
                continue;
            }
            f = f * 10 + (uint64_t)(*s - '0');
            scale *= 10;
        }
    }
    if (!digits)
        return false;
    for (u = s; s < e && *s != '.' && !is_digit(*s); s++)
        ;
    unit = unit_ns(u, (size_t)(s - u));
    if (!unit)
        return false; /* missing or unknown unit */
    if (v > limit / (uint64_t)unit)
        return false;
    v *= (uint64_t)unit;
    if (f > 0) {
        v += (uint64_t)((double)f * ((double)unit / scale));
        if (v > limit)
            return false;
    }
    *total += v;
    *sp = s;
    return *total <= limit;
}

bool cmn_go_parse_duration_n(const char *s, size_t n, int64_t *out_ns)
{
    const uint64_t limit = (uint64_t)1 << 63;
    const char *e;
    uint64_t total = 0;
    bool neg = false;

    if (!s || n == 0)
        return false;
    e = s + n;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    if (e - s == 1 && *s == '0') {
        *out_ns = 0;
        return true;
    }
    if (s == e)
        return false;
    while (s < e) {
        if (!group(&s, e, &total))
            return false;
    }
    if (total == limit && !neg)
        return false;
    *out_ns = neg ? (int64_t)(0 - total) : (int64_t)total;
    return true;
}

bool cmn_go_parse_duration(const char *s, int64_t *out_ns)
{
    return s && cmn_go_parse_duration_n(s, strlen(s), out_ns);
}

/* v as printf's "%.9f" with trailing zeros and then a trailing '.' trimmed (the original form,
 * kept for values the integer path below does not take). */
static void duration_printf(double v, const char *unit, char *out, size_t out_size)
{
    char num[48];

    snprintf(num, sizeof(num), "%.9f", v);
    size_t l = strlen(num);
    while (l > 1 && num[l - 1] == '0')
        num[--l] = '\0';
    if (l && num[l - 1] == '.')
        num[--l] = '\0';
    snprintf(out, out_size, "%s%s", num, unit);
}

void cmn_go_format_duration(int64_t ns, char *out, size_t out_size)
{
    const char *unit;
    int64_t div;
    int digits;
    char buf[64], *p = buf + sizeof(buf);

    if (ns < 1000) {
        snprintf(out, out_size, "%lldns", (long long)ns);
        return;
    }
    if (ns < 1000000) {
        div = 1000, digits = 3, unit = "µs";
    } else if (ns < 1000000000LL) {
        div = 1000000, digits = 6, unit = "ms";
    } else {
        div = 1000000000, digits = 9, unit = "s";
        /* beyond 10^6 s a double no longer holds every nanosecond: printf's rounding rules */
        if (ns >= 1000000000000000LL) {
            duration_printf((double)ns / 1e9, unit, out, out_size);
            return;
        }
    }
    /* ns / div has at most 9 decimals, which "%.9f" of the double prints exactly: the same
     * text from integers, built backwards */
    int64_t ip = ns / div, frac = ns % div;
    size_t ul = strlen(unit);
    p -= ul + 1;
    memcpy(p, unit, ul + 1);
    if (frac) {
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        for (; digits > 0; digits--, frac /= 10)
            *--p = (char)('0' + frac % 10);
        *--p = '.';
    }
    do
        *--p = (char)('0' + ip % 10);
    while ((ip /= 10) > 0);
    cmn_strlcpy(out, p, out_size);
}
