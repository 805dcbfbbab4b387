/* gw_cel_time.c - CEL timestamps and durations with Go's rules: RFC 3339 parsing and printing,
 * time.ParseDuration, calendar fields in UTC, a fixed offset or a named zone. */
#include "gw_cel_int.h"

#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000LL
#define SEC_PER_DAY 86400LL

/* ---- calendar (proleptic Gregorian, Howard Hinnant's algorithms) ----------------------------- */

int64_t cel_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cel_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in(unsigned m, int64_t y)
{
    static const unsigned D[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : D[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* ---- RFC 3339 ------------------------------------------------------------------------------- */

static bool num(const char *s, size_t n, size_t at, size_t len, int *out)
{
    int v = 0;

    if (at + len > n)
        return false;
    for (size_t i = at; i < at + len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool is_digit_at(const char *s, size_t n, size_t i)
{
    return i < n && s[i] >= '0' && s[i] <= '9';
}

/* Zone suffix at s[i..n): "Z" or "+hh:mm"/"-hh:mm". */
static bool parse_zone(const char *s, size_t n, size_t i, int32_t *off)
{
    int hh, mm;

    if (n - i == 1 && s[i] == 'Z') {
        *off = 0;
        return true;
    }
    if (n - i != 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':' ||
        !num(s, n, i + 1, 2, &hh) || !num(s, n, i + 4, 2, &mm) || hh > 23 || mm > 59)
        return false;
    *off = (int32_t)((hh * 60 + mm) * 60 * (s[i] == '-' ? -1 : 1));
    return true;
}

int cel_ts_parse(const char *s, size_t n, struct gw_cel_val *out)
{
    int y, mo, d, h, mi, sec, hlen;
    int32_t nsec = 0, off = 0;
    size_t i;
    int64_t days, t;

    if (!num(s, n, 0, 4, &y) || n < 5 || s[4] != '-' || !num(s, n, 5, 2, &mo) || n < 8 ||
        s[7] != '-' || !num(s, n, 8, 2, &d) || n < 11 || s[10] != 'T')
        return -1;
    hlen = is_digit_at(s, n, 12) ? 2 : 1; /* Go's "15" accepts one or two digits */
    i = 11 + (size_t)hlen;
    if (!num(s, n, 11, (size_t)hlen, &h) || i >= n || s[i] != ':' || !num(s, n, i + 1, 2, &mi) ||
        i + 3 >= n || s[i + 3] != ':' || !num(s, n, i + 4, 2, &sec))
        return -1;
    i += 6;
    if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > days_in((unsigned)mo, y) || h > 23 || mi > 59 ||
        sec > 59)
        return -1;
    if (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_digit_at(s, n, i + 1)) {
        int digits = 0;
        for (i++; is_digit_at(s, n, i); i++, digits++)
            if (digits < 9)
                nsec = nsec * 10 + (s[i] - '0');
        for (; digits < 9; digits++)
            nsec *= 10;
    }
    if (!parse_zone(s, n, i, &off))
        return -1;
    days = cel_days_from_civil(y, (unsigned)mo, (unsigned)d);
    t = days * SEC_PER_DAY + h * 3600 + mi * 60 + sec - off;
    if (t < CEL_TS_MIN || t > CEL_TS_MAX)
        return -2;
    *out = gw_cel_timestamp(t, nsec, off);
    return 0;
}

size_t cel_ts_format(const struct gw_cel_val *ts, int max_frac, char *out, size_t n)
{
    int64_t local = ts->v.ts.sec + ts->v.ts.off, days = floor_div(local, SEC_PER_DAY), y;
    int64_t sod = local - days * SEC_PER_DAY;
    unsigned m, d;
    char frac[16] = "", zone[24] = "Z";
    int32_t off = ts->v.ts.off;

    cel_civil_from_days(days, &y, &m, &d);
    if (max_frac > 0 && ts->n) {
        char digits[16];
        int len = max_frac > 9 ? 9 : max_frac;
        snprintf(digits, sizeof(digits), "%09u", (unsigned)ts->n);
        while (len > 0 && digits[len - 1] == '0')
            len--;
        if (len > 0)
            snprintf(frac, sizeof(frac), ".%.*s", len, digits);
    }
    if (off)
        snprintf(zone, sizeof(zone), "%c%02d:%02d", off < 0 ? '-' : '+',
                 (off < 0 ? -off : off) / 3600, ((off < 0 ? -off : off) / 60) % 60);
    return (size_t)snprintf(out, n, "%04lld-%02u-%02uT%02d:%02d:%02d%s%s", (long long)y, m, d,
                            (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), frac, zone);
}

size_t gw_cel_format_now(int64_t unix_sec, int32_t nsec, int32_t utc_offset,
                         char out[GW_CEL_NOW_MAX])
{
    struct gw_cel_val ts = gw_cel_timestamp(unix_sec, nsec, utc_offset);
    return cel_ts_format(&ts, 3, out, GW_CEL_NOW_MAX);
}

/* ---- durations ------------------------------------------------------------------------------ */

static uint64_t unit_of(const char *u, size_t len)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } UNITS[] = {
        {"ns", 1},           {"us", 1000},      {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
        {"\xce\xbcs", 1000},                                         /* U+03BC Greek mu */
        {"ms", 1000000},     {"s", 1000000000}, {"m", 60000000000ULL}, {"h", 3600000000000ULL},
    };

    for (size_t i = 0; i < sizeof(UNITS) / sizeof(UNITS[0]); i++)
        if (strlen(UNITS[i].name) == len && memcmp(UNITS[i].name, u, len) == 0)
            return UNITS[i].ns;
    return 0;
}

/* One "<number><unit>" group of time.ParseDuration; adds to *total. */
static bool dur_group(const char *s, size_t n, size_t *i, uint64_t *total)
{
    uint64_t v = 0, f = 0, unit;
    double scale = 1;
    bool pre = false, post = false, fover = false;
    size_t u;

    if (!(s[*i] == '.' || (s[*i] >= '0' && s[*i] <= '9')))
        return false;
    for (; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++, pre = true) {
        if (v > ((uint64_t)1 << 63) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[*i] - '0');
        if (v > (uint64_t)1 << 63)
            return false;
    }
    if (*i < n && s[*i] == '.') {
        for ((*i)++; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++, post = true) {
            if (fover)
                continue;
            if (f > (UINT64_MAX / 2 - 9) / 10) { /* Go stops accumulating on overflow */
                fover = true;
                continue;
            }
            f = f * 10 + (uint64_t)(s[*i] - '0');
            scale *= 10;
        }
    }
    if (!pre && !post)
        return false;
    for (u = *i; *i < n && s[*i] != '.' && !(s[*i] >= '0' && s[*i] <= '9'); (*i)++)
        ;
    unit = unit_of(s + u, *i - u);
    if (!unit || v > ((uint64_t)1 << 63) / unit)
        return false;
    v *= unit;
    if (f > 0) {
        v += (uint64_t)((double)f * ((double)unit / scale));
        if (v > (uint64_t)1 << 63)
            return false;
    }
    *total += v;
    return *total <= (uint64_t)1 << 63;
}

int cel_dur_parse(const char *s, size_t n, int64_t *nanos)
{
    uint64_t total = 0;
    bool neg = false;
    size_t i = 0;

    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (n - i == 1 && s[i] == '0') {
        *nanos = 0;
        return 0;
    }
    if (i == n)
        return -1;
    while (i < n)
        if (!dur_group(s, n, &i, &total))
            return -1;
    if (!neg && total > (uint64_t)INT64_MAX)
        return -1;
    *nanos = neg ? (int64_t)(0 - total) : (int64_t)total;
    return 0;
}

size_t cel_dur_format(int64_t nanos, char *out, size_t n)
{
    /* strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s" */
    double secs = (double)(nanos / NS_PER_S) + (double)(nanos % NS_PER_S) / 1e9;
    size_t len = cel_format_double(secs, 'f', 0, out, n);

    if (len + 1 < n) {
        out[len] = 's';
        out[len + 1] = '\0';
    }
    return len + 1;
}

/* ---- accessors ------------------------------------------------------------------------------ */

/* strconv.Atoi */
static bool go_atoi(const char *s, size_t n, int64_t *out)
{
    bool neg = n > 0 && s[0] == '-';
    int64_t v = 0;
    size_t i = (n > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;

    if (i == n)
        return false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > 100000000)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

/* cel-go's inTimeZone: "hh:mm" offsets, else a zone name. */
static struct gw_cel_val zone_offset(struct cel_ectx *c, const struct gw_cel_val *tz, int64_t t,
                                     int32_t *off)
{
    const char *s = tz->v.s, *colon = memchr(s, ':', tz->n);
    int64_t hr, mi, minutes;

    if (colon) {
        size_t hl = (size_t)(colon - s);
        if (!go_atoi(s, hl, &hr) || !go_atoi(colon + 1, tz->n - hl - 1, &mi))
            return cel_err(c->a, "invalid time zone offset: %.*s", (int)tz->n, s);
        minutes = s[0] == '-' ? hr * 60 - mi : hr * 60 + mi;
        if (minutes < -100000 || minutes > 100000)
            return cel_err(c->a, "invalid time zone offset: %.*s", (int)tz->n, s);
        *off = (int32_t)(minutes * 60);
        return gw_cel_null();
    }
    if (tz->n == 0 || (tz->n == 3 && memcmp(s, "UTC", 3) == 0)) {
        *off = 0;
        return gw_cel_null();
    }
    if (cel_tzdb_offset(c->p->env->opt.tzdb, s, tz->n, t, off) != 0)
        return cel_err(c->a, "unknown time zone %.*s", (int)tz->n, s);
    return gw_cel_null();
}

struct gw_cel_val cel_ts_get(struct cel_ectx *c, enum cel_fn fn, const struct gw_cel_val *ts,
                             const struct gw_cel_val *tz)
{
    int32_t off = 0;
    int64_t local, days, sod, y;
    unsigned m, d;

    if (tz) {
        struct gw_cel_val e = zone_offset(c, tz, ts->v.ts.sec, &off);
        if (e.kind == GW_CEL_ERROR)
            return e;
    }
    local = ts->v.ts.sec + off;
    days = floor_div(local, SEC_PER_DAY);
    sod = local - days * SEC_PER_DAY;
    cel_civil_from_days(days, &y, &m, &d);
    switch (fn) {
    case FN_GETFULLYEAR:
        return gw_cel_int(y);
    case FN_GETMONTH:
        return gw_cel_int((int64_t)m - 1);
    case FN_GETDAYOFYEAR:
        return gw_cel_int(days - cel_days_from_civil(y, 1, 1));
    case FN_GETDAYOFMONTH:
        return gw_cel_int((int64_t)d - 1);
    case FN_GETDATE:
        return gw_cel_int(d);
    case FN_GETDAYOFWEEK:
        return gw_cel_int(((days + 4) % 7 + 7) % 7);
    case FN_GETHOURS:
        return gw_cel_int(sod / 3600);
    case FN_GETMINUTES:
        return gw_cel_int(sod / 60 % 60);
    case FN_GETSECONDS:
        return gw_cel_int(sod % 60);
    default:
        return gw_cel_int(ts->n / 1000000);
    }
}

struct gw_cel_val cel_dur_get(enum cel_fn fn, const struct gw_cel_val *d)
{
    int64_t ns = d->v.i;

    /* Go's Duration.Hours()/Minutes()/Seconds() are float64s, truncated by Int(). */
    switch (fn) {
    case FN_GETHOURS:
        return gw_cel_int(
            (int64_t)((double)(ns / 3600000000000LL) + (double)(ns % 3600000000000LL) / 3.6e12));
    case FN_GETMINUTES:
        return gw_cel_int(
            (int64_t)((double)(ns / 60000000000LL) + (double)(ns % 60000000000LL) / 6e10));
    case FN_GETSECONDS:
        return gw_cel_int((int64_t)((double)(ns / NS_PER_S) + (double)(ns % NS_PER_S) / 1e9));
    case FN_GETMILLISECONDS:
        return gw_cel_int(ns / 1000000);
    default:
        return cel_err_static("no such overload");
    }
}
