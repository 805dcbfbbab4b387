/* gw_tmpl_gotime_tmp.c - TEMPORARY: Go's time.Time.Format (layouts "2006-01-02T15:04:05Z07:00")
 * and the zone of a local instant, for sprig's date functions. A private copy only until
 * common/go/cmn_go_time (feat2/gocommon) is merged: then these calls move there and this file
 * goes. Do not grow it and do not use it outside the template engine. */
#include "gw_tmpl_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const MONTHS[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};
static const char *const DAYS[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                   "Thursday", "Friday", "Saturday"};

/* Civil date of a day count from 1970-01-01 (Howard Hinnant's days_from_civil, inverted). */
static void civil(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;

    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

struct fields {
    int64_t year;
    int month, day, yday, wday, hour, min, sec;
    int32_t nsec;
};

static void split_time(const struct tgotime *t, struct fields *f)
{
    int64_t s = t->sec + t->off;
    int64_t days = (s >= 0 ? s : s - 86399) / 86400, rem = s - days * 86400;
    static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

    civil(days, &f->year, &f->month, &f->day);
    f->yday = before[f->month - 1] + f->day + (f->month > 2 && leap(f->year));
    f->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    f->hour = (int)(rem / 3600);
    f->min = (int)(rem / 60 % 60);
    f->sec = (int)(rem % 60);
    f->nsec = t->nsec;
}

bool tgotime_local(int64_t sec, int32_t *off, char *zone, size_t zsz)
{
    time_t tt = (time_t)sec;
    struct tm tm;

    if (!localtime_r(&tt, &tm))
        return false;
    *off = (int32_t)tm.tm_gmtoff;
    snprintf(zone, zsz, "%s", tm.tm_zone ? tm.tm_zone : "");
    return true;
}

/* ---- layout chunks (time.nextStdChunk) ---- */

enum std {
    S_NONE, S_LONG_MONTH, S_MONTH, S_NUM_MONTH, S_ZERO_MONTH, S_LONG_WEEKDAY, S_WEEKDAY, S_DAY,
    S_UNDER_DAY, S_ZERO_DAY, S_UNDER_YDAY, S_ZERO_YDAY, S_HOUR, S_HOUR12, S_ZERO_HOUR12, S_MINUTE,
    S_ZERO_MINUTE, S_SECOND, S_ZERO_SECOND, S_LONG_YEAR, S_YEAR, S_PM, S_pm, S_TZ,
    S_ISO_TZ, S_ISO_SECS_TZ, S_ISO_SHORT_TZ, S_ISO_COLON_TZ, S_ISO_COLON_SECS_TZ, S_NUM_TZ,
    S_NUM_SECS_TZ, S_NUM_SHORT_TZ, S_NUM_COLON_TZ, S_NUM_COLON_SECS_TZ, S_FRAC0, S_FRAC9,
};

struct chunk {
    size_t prefix; /* literal bytes before the element */
    enum std std;
    size_t len;   /* the element's length in the layout */
    int digits;   /* S_FRAC*: digits */
    char sep;     /* S_FRAC*: '.' or ',' */
};

static bool starts(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);

    return n >= k && memcmp(s, w, k) == 0;
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

/* The first layout element in l[0..n): its offset, kind and length (S_NONE: none). */
static struct chunk next_chunk(const char *l, size_t n)
{
    static const struct {
        const char *w;
        enum std s;
    } tz[] = {{"-070000", S_NUM_SECS_TZ},      {"-07:00:00", S_NUM_COLON_SECS_TZ},
              {"-0700", S_NUM_TZ},             {"-07:00", S_NUM_COLON_TZ},
              {"-07", S_NUM_SHORT_TZ},         {"Z070000", S_ISO_SECS_TZ},
              {"Z07:00:00", S_ISO_COLON_SECS_TZ}, {"Z0700", S_ISO_TZ},
              {"Z07:00", S_ISO_COLON_TZ},       {"Z07", S_ISO_SHORT_TZ}};
    static const enum std zero[] = {S_NONE, S_ZERO_MONTH, S_ZERO_DAY, S_ZERO_HOUR12,
                                    S_ZERO_MINUTE, S_ZERO_SECOND, S_YEAR};

    for (size_t i = 0; i < n; i++) {
        const char *s = l + i;
        size_t r = n - i;
        switch (*s) {
        case 'J':
            if (starts(s, r, "Jan"))
                return starts(s, r, "January") ? (struct chunk){i, S_LONG_MONTH, 7, 0, 0}
                       : r >= 4 && is_lower(s[3]) ? (struct chunk){i + 1, S_NONE, 0, 0, 0}
                                                  : (struct chunk){i, S_MONTH, 3, 0, 0};
            break;
        case 'M':
            if (starts(s, r, "Mon")) {
                if (starts(s, r, "Monday"))
                    return (struct chunk){i, S_LONG_WEEKDAY, 6, 0, 0};
                if (!(r >= 4 && is_lower(s[3])))
                    return (struct chunk){i, S_WEEKDAY, 3, 0, 0};
            }
            if (starts(s, r, "MST"))
                return (struct chunk){i, S_TZ, 3, 0, 0};
            break;
        case '0':
            if (r >= 2 && s[1] >= '1' && s[1] <= '6')
                return (struct chunk){i, zero[s[1] - '0'], 2, 0, 0};
            if (starts(s, r, "002"))
                return (struct chunk){i, S_ZERO_YDAY, 3, 0, 0};
            break;
        case '1':
            if (starts(s, r, "15"))
                return (struct chunk){i, S_HOUR, 2, 0, 0};
            return (struct chunk){i, S_NUM_MONTH, 1, 0, 0};
        case '2':
            if (starts(s, r, "2006"))
                return (struct chunk){i, S_LONG_YEAR, 4, 0, 0};
            return (struct chunk){i, S_DAY, 1, 0, 0};
        case '_':
            if (r >= 2 && s[1] == '2') {
                if (starts(s + 1, r - 1, "2006")) /* "_2006" is a literal _ and the year */
                    return (struct chunk){i + 1, S_LONG_YEAR, 4, 0, 0};
                return (struct chunk){i, S_UNDER_DAY, 2, 0, 0};
            }
            if (starts(s, r, "__2"))
                return (struct chunk){i, S_UNDER_YDAY, 3, 0, 0};
            break;
        case '3':
            return (struct chunk){i, S_HOUR12, 1, 0, 0};
        case '4':
            return (struct chunk){i, S_MINUTE, 1, 0, 0};
        case '5':
            return (struct chunk){i, S_SECOND, 1, 0, 0};
        case 'P':
            if (starts(s, r, "PM"))
                return (struct chunk){i, S_PM, 2, 0, 0};
            break;
        case 'p':
            if (starts(s, r, "pm"))
                return (struct chunk){i, S_pm, 2, 0, 0};
            break;
        case '-':
        case 'Z':
            for (size_t k = 0; k < sizeof(tz) / sizeof(tz[0]); k++) {
                if (starts(s, r, tz[k].w))
                    return (struct chunk){i, tz[k].s, strlen(tz[k].w), 0, 0};
            }
            break;
        case '.':
        case ',':
            if (r >= 2 && (s[1] == '0' || s[1] == '9')) {
                size_t j = 1;
                while (j < r && s[j] == s[1])
                    j++;
                if (!(j < r && s[j] >= '0' && s[j] <= '9'))
                    return (struct chunk){i, s[1] == '0' ? S_FRAC0 : S_FRAC9, j, (int)(j - 1),
                                          *s};
            }
            break;
        default:
            break;
        }
    }
    return (struct chunk){n, S_NONE, 0, 0, 0};
}

/* ---- formatting (time.Time.AppendFormat) ---- */

static bool put(struct cmn_buf *o, const char *s, size_t n)
{
    return cmn_buf_append(o, s, n) == CMN_BUF_OK;
}

static bool put_int(struct cmn_buf *o, int64_t v, int width)
{
    char b[32];
    int n = v < 0 ? snprintf(b, sizeof(b), "-%0*lld", width, -(long long)v)
                  : snprintf(b, sizeof(b), "%0*lld", width, (long long)v);

    return put(o, b, (size_t)n);
}

static bool put_zone(struct cmn_buf *o, enum std std, int32_t offset)
{
    bool iso = std >= S_ISO_TZ && std <= S_ISO_COLON_SECS_TZ;
    int32_t zone = offset / 60, abs = offset;

    if (offset == 0 && iso)
        return put(o, "Z", 1);
    if (zone < 0) {
        zone = -zone;
        abs = -abs;
    }
    if (!put(o, offset < 0 ? "-" : "+", 1) || !put_int(o, zone / 60, 2))
        return false;
    if ((std == S_ISO_COLON_TZ || std == S_NUM_COLON_TZ || std == S_ISO_COLON_SECS_TZ ||
         std == S_NUM_COLON_SECS_TZ) &&
        !put(o, ":", 1))
        return false;
    if (std != S_NUM_SHORT_TZ && std != S_ISO_SHORT_TZ && !put_int(o, zone % 60, 2))
        return false;
    if (std == S_ISO_SECS_TZ || std == S_NUM_SECS_TZ || std == S_NUM_COLON_SECS_TZ ||
        std == S_ISO_COLON_SECS_TZ) {
        if ((std == S_NUM_COLON_SECS_TZ || std == S_ISO_COLON_SECS_TZ) && !put(o, ":", 1))
            return false;
        return put_int(o, abs % 60, 2);
    }
    return true;
}

static bool put_nano(struct cmn_buf *o, int32_t ns, const struct chunk *c)
{
    char b[16];
    int n = c->digits < 9 ? c->digits : 9;

    if (c->std == S_FRAC9 && (c->digits == 0 || ns == 0))
        return true;
    snprintf(b, sizeof(b), "%c%09d", c->sep, (int)ns);
    n += 1;
    if (c->std == S_FRAC9) {
        while (n > 1 && b[n - 1] == '0')
            n--;
        if (n == 1)
            n = 0;
    }
    return put(o, b, (size_t)n);
}

static bool put_std(struct cmn_buf *o, const struct chunk *c, const struct fields *f,
                    const struct tgotime *t)
{
    int h12 = f->hour % 12 == 0 ? 12 : f->hour % 12;

    switch (c->std) {
    case S_YEAR:
        return put_int(o, (f->year % 100 + 100) % 100, 2);
    case S_LONG_YEAR:
        return put_int(o, f->year, 4);
    case S_MONTH:
        return put(o, MONTHS[f->month - 1], 3);
    case S_LONG_MONTH:
        return put(o, MONTHS[f->month - 1], strlen(MONTHS[f->month - 1]));
    case S_NUM_MONTH:
        return put_int(o, f->month, 0);
    case S_ZERO_MONTH:
        return put_int(o, f->month, 2);
    case S_WEEKDAY:
        return put(o, DAYS[f->wday], 3);
    case S_LONG_WEEKDAY:
        return put(o, DAYS[f->wday], strlen(DAYS[f->wday]));
    case S_DAY:
        return put_int(o, f->day, 0);
    case S_UNDER_DAY:
        return (f->day >= 10 || put(o, " ", 1)) && put_int(o, f->day, 0);
    case S_ZERO_DAY:
        return put_int(o, f->day, 2);
    case S_UNDER_YDAY:
        return (f->yday >= 100 || put(o, f->yday >= 10 ? " " : "  ", f->yday >= 10 ? 1 : 2)) &&
               put_int(o, f->yday, 0);
    case S_ZERO_YDAY:
        return put_int(o, f->yday, 3);
    case S_HOUR:
        return put_int(o, f->hour, 2);
    case S_HOUR12:
        return put_int(o, h12, 0);
    case S_ZERO_HOUR12:
        return put_int(o, h12, 2);
    case S_MINUTE:
        return put_int(o, f->min, 0);
    case S_ZERO_MINUTE:
        return put_int(o, f->min, 2);
    case S_SECOND:
        return put_int(o, f->sec, 0);
    case S_ZERO_SECOND:
        return put_int(o, f->sec, 2);
    case S_PM:
        return put(o, f->hour >= 12 ? "PM" : "AM", 2);
    case S_pm:
        return put(o, f->hour >= 12 ? "pm" : "am", 2);
    case S_TZ:
        if (t->zone && t->zone[0])
            return put(o, t->zone, strlen(t->zone));
        return put_zone(o, S_NUM_TZ, t->off);
    case S_FRAC0:
    case S_FRAC9:
        return put_nano(o, f->nsec, c);
    case S_NONE:
        return true;
    default:
        return put_zone(o, c->std, t->off);
    }
}

bool tgotime_format(const struct tgotime *t, const char *layout, size_t n, struct cmn_buf *out)
{
    struct fields f;

    split_time(t, &f);
    while (n > 0) {
        struct chunk c = next_chunk(layout, n);
        if (!put(out, layout, c.prefix))
            return false;
        if (c.std == S_NONE && c.len == 0) {
            layout += c.prefix;
            n -= c.prefix;
            continue;
        }
        if (!put_std(out, &c, &f, t))
            return false;
        layout += c.prefix + c.len;
        n -= c.prefix + c.len;
    }
    return true;
}
