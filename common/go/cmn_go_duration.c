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

/* Writes v / 10^prec's fraction (".12345", trailing zeros and then the '.' omitted) before *w;
 * returns v / 10^prec. time.fmtFrac. */
static uint64_t fmt_frac(char **w, uint64_t v, int prec)
{
    bool print = false;

    for (int i = 0; i < prec; i++) {
        unsigned digit = (unsigned)(v % 10);
        print = print || digit != 0;
        if (print)
            *--*w = (char)('0' + digit);
        v /= 10;
    }
    if (print)
        *--*w = '.';
    return v;
}

static void fmt_int(char **w, uint64_t v)
{
    do
        *--*w = (char)('0' + v % 10);
    while ((v /= 10) > 0);
}

void cmn_go_format_duration(int64_t ns, char *out, size_t out_size)
{
    char buf[40], *w = buf + sizeof(buf);
    bool neg = ns < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

    *--w = '\0';
    *--w = 's';
    if (u < 1000000000u) {
        int prec;
        if (u == 0) {
            cmn_strlcpy(out, "0s", out_size);
            return;
        }
        if (u < 1000u) {
            prec = 0;
            *--w = 'n';
        } else if (u < 1000000u) {
            prec = 3;
            w -= 2;
            memcpy(w, "\xc2\xb5", 2); /* U+00B5 MICRO SIGN, as Go writes it */
        } else {
            prec = 6;
            *--w = 'm';
        }
        u = fmt_frac(&w, u, prec);
        fmt_int(&w, u);
    } else {
        u = fmt_frac(&w, u, 9);
        fmt_int(&w, u % 60);
        u /= 60;
        if (u > 0) {
            *--w = 'm';
            fmt_int(&w, u % 60);
            u /= 60;
            if (u > 0) {
                *--w = 'h';
                fmt_int(&w, u);
            }
        }
    }
    if (neg)
        *--w = '-';
    cmn_strlcpy(out, w, out_size);
}
