/* gw_gotime.c - Go's time.Format layouts ("2006-01-02T15:04:05.000Z07:00") on a Unix time
 * and a zone offset, without the C library's locale or time zone state. */
#include "gw_logfmt.h"

#include <stdio.h>
#include <string.h>

struct civil {
    int64_t year;
    int month, day, hour, min, sec, wday, yday;
    int64_t nsec;
};

/* days since 1970-01-01 -> y/m/d (proleptic Gregorian; Hinnant's civil_from_days) */
static void from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void civil_of(int64_t unix_ns, int off, struct civil *c)
{
    int64_t s = unix_ns / 1000000000LL, ns = unix_ns % 1000000000LL, days, secs;
    static const int cum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

    if (ns < 0) {
        ns += 1000000000LL;
        s--;
    }
    s += off;
    days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
    secs = s - days * 86400;
    from_days(days, &c->year, &c->month, &c->day);
    c->hour = (int)(secs / 3600);
    c->min = (int)(secs / 60 % 60);
    c->sec = (int)(secs % 60);
    c->nsec = ns;
    c->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday (4) */
    c->yday = cum[c->month - 1] + c->day + (c->month > 2 && leap(c->year));
}

static const char *const MONTHS[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};
static const char *const DAYS[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                   "Thursday", "Friday", "Saturday"};

static bool st(struct cmn_buf *o, const char *s, size_t n)
{
    return cmn_buf_append(o, s, n) == CMN_BUF_OK;
}

/* Decimal digits without printf (every log line formats a dozen numbers). */
static bool num(struct cmn_buf *o, int64_t v, int width, char pad)
{
    char digits[24], out[48];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = 0, k = 0;

    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[k++] = '-';
    for (int i = n; i < width; i++)
        out[k++] = pad;
    while (n)
        out[k++] = digits[--n];
    return st(o, out, (size_t)k);
}

/* Zone forms: Z07:00:00 Z07:00 Z0700 Z070000 Z07 and the same with '-' (no 'Z' at UTC). */
static bool zone(struct cmn_buf *o, int off, bool z, bool colon, bool secs, bool mins)
{
    int a = off < 0 ? -off : off;

    if (z && off == 0)
        return st(o, "Z", 1);
    if (!st(o, off < 0 ? "-" : "+", 1) || !num(o, a / 3600, 2, '0'))
        return false;
    if (mins && (!(colon ? st(o, ":", 1) : true) || !num(o, a / 60 % 60, 2, '0')))
        return false;
    if (secs && (!(colon ? st(o, ":", 1) : true) || !num(o, a % 60, 2, '0')))
        return false;
    return true;
}

static bool has(const char *l, const char *p)
{
    return strncmp(l, p, strlen(p)) == 0;
}

/* The element of the layout at l: what it writes and how many layout bytes it takes (0: a
 * literal byte). Dispatched on the first byte, as Go's nextStdChunk does. */
static size_t element(const char *l, const struct civil *c, int off, const char *zname,
                      struct cmn_buf *o, bool *ok)
{
    switch (*l) {
    case 'J':
        if (has(l, "January"))
            return *ok = st(o, MONTHS[c->month - 1], strlen(MONTHS[c->month - 1])), 7;
        if (has(l, "Jan"))
            return *ok = st(o, MONTHS[c->month - 1], 3), 3;
        return 0;
    case 'M':
        if (has(l, "Monday"))
            return *ok = st(o, DAYS[c->wday], strlen(DAYS[c->wday])), 6;
        if (has(l, "Mon"))
            return *ok = st(o, DAYS[c->wday], 3), 3;
        if (has(l, "MST")) {
            /* no abbreviation known: Go prints the -0700 form */
            *ok = zname && *zname ? st(o, zname, strlen(zname))
                                  : zone(o, off, false, false, false, true);
            return 3;
        }
        return 0;
    case '0':
        if (has(l, "002"))
            return *ok = num(o, c->yday, 3, '0'), 3;
        switch (l[1]) {
        case '1':
            return *ok = num(o, c->month, 2, '0'), 2;
        case '2':
            return *ok = num(o, c->day, 2, '0'), 2;
        case '3':
            return *ok = num(o, c->hour % 12 ? c->hour % 12 : 12, 2, '0'), 2;
        case '4':
            return *ok = num(o, c->min, 2, '0'), 2;
        case '5':
            return *ok = num(o, c->sec, 2, '0'), 2;
        case '6':
            return *ok = num(o, c->year % 100, 2, '0'), 2;
        default:
            return 0;
        }
    case '1':
        if (l[1] == '5')
            return *ok = num(o, c->hour, 2, '0'), 2;
        return *ok = num(o, c->month, 0, '0'), 1;
    case '2':
        if (has(l, "2006"))
            return *ok = num(o, c->year, 4, '0'), 4;
        return *ok = num(o, c->day, 0, '0'), 1;
    case '_':
        if (has(l, "_2006"))
            return 0; /* a literal '_' before the year, as Go reads it */
        if (has(l, "__2"))
            return *ok = num(o, c->yday, 3, ' '), 3;
        if (has(l, "_2"))
            return *ok = num(o, c->day, 2, ' '), 2;
        return 0;
    case '3':
        return *ok = num(o, c->hour % 12 ? c->hour % 12 : 12, 0, '0'), 1;
    case '4':
        return *ok = num(o, c->min, 0, '0'), 1;
    case '5':
        return *ok = num(o, c->sec, 0, '0'), 1;
    case 'P':
        return l[1] == 'M' ? (*ok = st(o, c->hour >= 12 ? "PM" : "AM", 2), 2) : 0;
    case 'p':
        return l[1] == 'm' ? (*ok = st(o, c->hour >= 12 ? "pm" : "am", 2), 2) : 0;
    case 'Z':
    case '-':
        if (has(l + 1, "07:00:00") || has(l + 1, "070000")) {
            bool colon = l[3] == ':';
            *ok = zone(o, off, *l == 'Z', colon, true, true);
            return colon ? 9 : 7;
        }
        if (has(l + 1, "07:00") || has(l + 1, "0700")) {
            bool colon = l[3] == ':';
            *ok = zone(o, off, *l == 'Z', colon, false, true);
            return colon ? 6 : 5;
        }
        if (has(l + 1, "07"))
            return *ok = zone(o, off, *l == 'Z', false, false, false), 3;
        return 0;
    case '.':
    case ',':
        if (l[1] == '0' || l[1] == '9') {
            /* fractional seconds: a run of 0s (fixed) or 9s (trailing zeros trimmed) */
            char d = l[1], frac[10];
            size_t n = 1, digits, keep;
            int64_t x = c->nsec;
            while (l[n] == d)
                n++;
            if (l[n] >= '0' && l[n] <= '9')
                return 0; /* not a fraction: the '.' is literal */
            digits = n - 1 > 9 ? 9 : n - 1;
            keep = digits;
            for (int i = 8; i >= 0; i--, x /= 10)
                frac[i] = (char)('0' + x % 10);
            if (d == '9')
                while (keep && frac[keep - 1] == '0')
                    keep--;
            if (keep)
                *ok = st(o, l, 1) && st(o, frac, keep);
            return n;
        }
        return 0;
    default:
        return 0;
    }
}

bool gw_gotime_format(const char *layout, int64_t unix_ns, int off, const char *zname,
                      struct cmn_buf *o)
{
    struct civil c;
    const char *l = layout;
    bool ok = true;

    civil_of(unix_ns, off, &c);
    while (*l && ok) {
        size_t adv = element(l, &c, off, zname, o, &ok);
        if (!adv) {
            ok = st(o, l, 1);
            adv = 1;
        }
        l += adv;
    }
    return ok;
}
