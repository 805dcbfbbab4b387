/* gw_enc_gotime.c - Go's time.Parse layouts (reference time Mon Jan 2 15:04:05 MST 2006) and the
 * RFC 3339 text json.Marshal writes for a time.Time; the local zone is taken to be UTC. */
#include "gw_enc_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum std {
    S_NONE = 0,
    S_LONG_MONTH, /* January */
    S_MONTH,      /* Jan */
    S_NUM_MONTH,  /* 1 */
    S_ZERO_MONTH, /* 01 */
    S_LONG_WEEKDAY,
    S_WEEKDAY,
    S_DAY,       /* 2 */
    S_UNDER_DAY, /* _2 */
    S_ZERO_DAY,  /* 02 */
    S_HOUR,      /* 15 */
    S_HOUR12,    /* 3 */
    S_ZERO_HOUR12,
    S_MINUTE,
    S_ZERO_MINUTE,
    S_SECOND,
    S_ZERO_SECOND,
    S_LONG_YEAR, /* 2006 */
    S_YEAR,      /* 06 */
    S_PM,
    S_pm,
    S_TZ,               /* MST */
    S_ISO_SECONDS_TZ,   /* Z070000 */
    S_ISO_SHORT_TZ,     /* Z07 */
    S_ISO_TZ,           /* Z0700 */
    S_ISO_COLON_SEC_TZ, /* Z07:00:00 */
    S_ISO_COLON_TZ,     /* Z07:00 */
    S_NUM_SECONDS_TZ,   /* -070000 */
    S_NUM_TZ,           /* -0700 */
    S_NUM_SHORT_TZ,     /* -07 */
    S_NUM_COLON_SEC_TZ, /* -07:00:00 */
    S_NUM_COLON_TZ,     /* -07:00 */
    S_FRAC0,            /* .000 (digits in frac_len) */
    S_FRAC9,            /* .999 */
};

struct chunk {
    size_t prefix; /* literal bytes before the element */
    enum std std;
    size_t len; /* bytes of the element in the layout */
};

static bool has(const char *l, size_t n, size_t i, const char *s)
{
    size_t k = strlen(s);

    return n - i >= k && memcmp(l + i, s, k) == 0;
}

static bool lower_at(const char *l, size_t n, size_t i)
{
    return i < n && l[i] >= 'a' && l[i] <= 'z';
}

/* Go's nextStdChunk: the first layout element in l[0..n). */
static struct chunk next_chunk(const char *l, size_t n)
{
    struct chunk c = {0, S_NONE, 0};
    static const struct {
        const char *s;
        enum std std;
    } tz[] = {{"Z070000", S_ISO_SECONDS_TZ},
              {"Z07:00:00", S_ISO_COLON_SEC_TZ},
              {"Z0700", S_ISO_TZ},
              {"Z07:00", S_ISO_COLON_TZ},
              {"Z07", S_ISO_SHORT_TZ},
              {"-070000", S_NUM_SECONDS_TZ},
              {"-07:00:00", S_NUM_COLON_SEC_TZ},
              {"-0700", S_NUM_TZ},
              {"-07:00", S_NUM_COLON_TZ},
              {"-07", S_NUM_SHORT_TZ}};

    for (size_t i = 0; i < n; i++) {
        c.prefix = i;
        switch (l[i]) {
        case 'J':
            if (has(l, n, i, "January"))
                return c.std = S_LONG_MONTH, c.len = 7, c;
            if (has(l, n, i, "Jan") && !lower_at(l, n, i + 3))
                return c.std = S_MONTH, c.len = 3, c;
            break;
        case 'M':
            if (has(l, n, i, "Monday"))
                return c.std = S_LONG_WEEKDAY, c.len = 6, c;
            if (has(l, n, i, "Mon") && !lower_at(l, n, i + 3))
                return c.std = S_WEEKDAY, c.len = 3, c;
            if (has(l, n, i, "MST"))
                return c.std = S_TZ, c.len = 3, c;
            break;
        case '0':
            if (i + 1 < n && l[i + 1] >= '1' && l[i + 1] <= '6') {
                static const enum std z[] = {S_ZERO_MONTH,  S_ZERO_DAY,    S_ZERO_HOUR12,
                                             S_ZERO_MINUTE, S_ZERO_SECOND, S_YEAR};
                return c.std = z[l[i + 1] - '1'], c.len = 2, c;
            }
            break;
        case '1':
            if (has(l, n, i, "15"))
                return c.std = S_HOUR, c.len = 2, c;
            return c.std = S_NUM_MONTH, c.len = 1, c;
        case '2':
            if (has(l, n, i, "2006"))
                return c.std = S_LONG_YEAR, c.len = 4, c;
            return c.std = S_DAY, c.len = 1, c;
        case '_':
            if (i + 1 < n && l[i + 1] == '2') {
                if (has(l, n, i + 1, "2006")) /* "_2006" is a literal _ and the year */
                    return c.prefix = i + 1, c.std = S_LONG_YEAR, c.len = 4, c;
                return c.std = S_UNDER_DAY, c.len = 2, c;
            }
            break;
        case '3':
            return c.std = S_HOUR12, c.len = 1, c;
        case '4':
            return c.std = S_MINUTE, c.len = 1, c;
        case '5':
            return c.std = S_SECOND, c.len = 1, c;
        case 'P':
            if (has(l, n, i, "PM"))
                return c.std = S_PM, c.len = 2, c;
            break;
        case 'p':
            if (has(l, n, i, "pm"))
                return c.std = S_pm, c.len = 2, c;
            break;
        case '-':
        case 'Z':
            for (size_t k = 0; k < sizeof(tz) / sizeof(tz[0]); k++) {
                if (has(l, n, i, tz[k].s))
                    return c.std = tz[k].std, c.len = strlen(tz[k].s), c;
            }
            break;
        case '.':
        case ',':
            if (i + 1 < n && (l[i + 1] == '0' || l[i + 1] == '9')) {
                size_t j = i + 1;
                while (j < n && l[j] == l[i + 1])
                    j++;
                if (!(j < n && l[j] >= '0' && l[j] <= '9'))
                    return c.std = l[i + 1] == '0' ? S_FRAC0 : S_FRAC9, c.len = j - i, c;
            }
            break;
        default:
            break;
        }
    }
    c.prefix = n;
    return c;
}

struct val {
    const char *s;
    size_t n;
};

static bool digit(const struct val *v, size_t i)
{
    return i < v->n && v->s[i] >= '0' && v->s[i] <= '9';
}

static void adv(struct val *v, size_t k)
{
    v->s += k;
    v->n -= k;
}

/* getnum: one or two digits (exactly two when fixed). */
static bool getnum(struct val *v, bool fixed, int *out)
{
    if (!digit(v, 0))
        return false;
    if (!digit(v, 1)) {
        if (fixed)
            return false;
        *out = v->s[0] - '0';
        adv(v, 1);
        return true;
    }
    *out = (v->s[0] - '0') * 10 + (v->s[1] - '0');
    adv(v, 2);
    return true;
}

/* Go's atoi on a short string: optional sign, then digits only. */
static bool atoi_s(const char *s, size_t n, long *out)
{
    bool neg = false;
    long x = 0;

    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++, n--;
    }
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || x > 100000000L)
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *out = neg ? -x : x;
    return true;
}

/* lookup: a case-insensitive name from tab at the start of v. */
static bool lookup(struct val *v, const char *const *tab, int count, int *idx)
{
    for (int i = 0; i < count; i++) {
        size_t k = strlen(tab[i]);
        if (v->n >= k && strncasecmp(v->s, tab[i], k) == 0) {
            *idx = i;
            adv(v, k);
            return true;
        }
    }
    return false;
}

static const char *const LONG_MONTHS[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const SHORT_MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const LONG_DAYS[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};
static const char *const SHORT_DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

/* skip: the literal prefix; a space run in the layout matches any run of spaces. */
static bool skip(struct val *v, const char *p, size_t n)
{
    while (n > 0) {
        if (p[0] == ' ') {
            if (v->n > 0 && v->s[0] != ' ')
                return false;
            while (n && p[0] == ' ')
                p++, n--;
            while (v->n && v->s[0] == ' ')
                adv(v, 1);
            continue;
        }
        if (v->n == 0 || v->s[0] != p[0])
            return false;
        p++, n--;
        adv(v, 1);
    }
    return true;
}

static bool nanos(const struct val *v, size_t nbytes, int32_t *ns)
{
    long x;

    if (v->s[0] != '.' && v->s[0] != ',')
        return false;
    if (nbytes > 10)
        nbytes = 10;
    if (!atoi_s(v->s + 1, nbytes - 1, &x) || x < 0)
        return false;
    for (size_t i = 0; i < 10 - nbytes; i++)
        x *= 10;
    *ns = (int32_t)x;
    return true;
}

/* parseTimeZone's length for an abbreviation at v (0 if it is not one). */
static size_t tz_len(const struct val *v)
{
    size_t up = 0;

    if (v->n < 3)
        return 0;
    if (v->n >= 4 && (strncmp(v->s, "ChST", 4) == 0 || strncmp(v->s, "MeST", 4) == 0))
        return 4;
    if (strncmp(v->s, "GMT", 3) == 0) {
        /* GMT, or GMT followed by a signed hour offset of -23..+23 */
        size_t k = 3;
        if (v->n > 3 && (v->s[3] == '+' || v->s[3] == '-')) {
            long x = 0;
            size_t d = 4;
            while (d < v->n && v->s[d] >= '0' && v->s[d] <= '9' && d < 12)
                x = x * 10 + (v->s[d] - '0'), d++;
            if (d > 4 && x <= 23)
                k = d;
        }
        return k;
    }
    if (v->s[0] == '+' || v->s[0] == '-') {
        size_t d = 1;
        long x = 0;
        while (d < v->n && v->s[d] >= '0' && v->s[d] <= '9' && d < 12)
            x = x * 10 + (v->s[d] - '0'), d++;
        return d > 1 && x <= 23 ? d : 0;
    }
    while (up < 6 && up < v->n && v->s[up] >= 'A' && v->s[up] <= 'Z')
        up++;
    if (up == 3)
        return 3;
    if (up == 4 && (v->s[3] == 'T' || strncmp(v->s, "WITA", 4) == 0))
        return 4;
    if (up == 5 && v->s[4] == 'T')
        return 5;
    return 0;
}

static bool leap(long y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in(int m, long y)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(long y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

struct fields {
    long year;
    int month, day, hour, min, sec;
    int32_t nsec;
    bool pm, am;
    int zone_off; /* -1 = none */
    bool has_off, utc;
    char zone[8];
};

static bool num_tz(struct val *v, enum std s, struct fields *f)
{
    const char *h, *m = "00", *sc = "00";
    size_t take;
    int hr, mm, ss;
    struct val t;

    if (s == S_ISO_COLON_TZ || s == S_NUM_COLON_TZ) {
        if (v->n < 6 || v->s[3] != ':')
            return false;
        h = v->s + 1, m = v->s + 4, take = 6;
    } else if (s == S_ISO_SHORT_TZ || s == S_NUM_SHORT_TZ) {
        if (v->n < 3)
            return false;
        h = v->s + 1, take = 3;
    } else if (s == S_ISO_COLON_SEC_TZ || s == S_NUM_COLON_SEC_TZ) {
        if (v->n < 9 || v->s[3] != ':' || v->s[6] != ':')
            return false;
        h = v->s + 1, m = v->s + 4, sc = v->s + 7, take = 9;
    } else if (s == S_ISO_SECONDS_TZ || s == S_NUM_SECONDS_TZ) {
        if (v->n < 7)
            return false;
        h = v->s + 1, m = v->s + 3, sc = v->s + 5, take = 7;
    } else {
        if (v->n < 5)
            return false;
        h = v->s + 1, m = v->s + 3, take = 5;
    }
    t = (struct val){h, 2};
    if (!getnum(&t, true, &hr))
        return false;
    t = (struct val){m, 2};
    if (!getnum(&t, true, &mm))
        return false;
    t = (struct val){sc, 2};
    if (!getnum(&t, true, &ss))
        return false;
    if (hr > 24 || mm > 60 || ss > 60)
        return false;
    f->zone_off = (hr * 60 + mm) * 60 + ss;
    if (v->s[0] == '-')
        f->zone_off = -f->zone_off;
    else if (v->s[0] != '+')
        return false;
    f->has_off = true;
    adv(v, take);
    return true;
}

/* One layout element against the value; false on a mismatch or a range error. */
static bool element(struct val *v, enum std s, const char *rest, size_t rest_n, size_t std_len,
                    struct fields *f)
{
    int x, idx;
    long y;

    switch (s) {
    case S_YEAR:
        if (v->n < 2 || !atoi_s(v->s, 2, &y))
            return false;
        f->year = y >= 69 ? y + 1900 : y + 2000;
        adv(v, 2);
        return true;
    case S_LONG_YEAR:
        if (v->n < 4 || !digit(v, 0) || !atoi_s(v->s, 4, &y))
            return false;
        f->year = y;
        adv(v, 4);
        return true;
    case S_MONTH:
    case S_LONG_MONTH:
        if (!lookup(v, s == S_MONTH ? SHORT_MONTHS : LONG_MONTHS, 12, &idx))
            return false;
        f->month = idx + 1;
        return true;
    case S_NUM_MONTH:
    case S_ZERO_MONTH:
        if (!getnum(v, s == S_ZERO_MONTH, &x) || x <= 0 || x > 12)
            return false;
        f->month = x;
        return true;
    case S_WEEKDAY:
    case S_LONG_WEEKDAY:
        return lookup(v, s == S_WEEKDAY ? SHORT_DAYS : LONG_DAYS, 7, &idx);
    case S_DAY:
    case S_UNDER_DAY:
    case S_ZERO_DAY:
        if (s == S_UNDER_DAY && v->n && v->s[0] == ' ')
            adv(v, 1);
        if (!getnum(v, s == S_ZERO_DAY, &x))
            return false;
        f->day = x;
        return true;
    case S_HOUR:
        if (!getnum(v, false, &x) || x >= 24)
            return false;
        f->hour = x;
        return true;
    case S_HOUR12:
    case S_ZERO_HOUR12:
        if (!getnum(v, s == S_ZERO_HOUR12, &x) || x > 12)
            return false;
        f->hour = x;
        return true;
    case S_MINUTE:
    case S_ZERO_MINUTE:
        if (!getnum(v, s == S_ZERO_MINUTE, &x) || x >= 60)
            return false;
        f->min = x;
        return true;
    case S_SECOND:
    case S_ZERO_SECOND: {
        if (!getnum(v, s == S_ZERO_SECOND, &x) || x >= 60)
            return false;
        f->sec = x;
        /* a fraction in the value that the layout does not have is taken anyway */
        if (v->n >= 2 && (v->s[0] == '.' || v->s[0] == ',') && digit(v, 1)) {
            struct chunk c = next_chunk(rest, rest_n);
            if (c.std == S_FRAC0 || c.std == S_FRAC9)
                return true;
            size_t k = 2;
            while (digit(v, k))
                k++;
            if (!nanos(v, k, &f->nsec))
                return false;
            adv(v, k);
        }
        return true;
    }
    case S_PM:
    case S_pm:
        if (v->n < 2)
            return false;
        if (strncmp(v->s, s == S_PM ? "PM" : "pm", 2) == 0)
            f->pm = true;
        else if (strncmp(v->s, s == S_PM ? "AM" : "am", 2) == 0)
            f->am = true;
        else
            return false;
        adv(v, 2);
        return true;
    case S_ISO_SECONDS_TZ:
    case S_ISO_SHORT_TZ:
    case S_ISO_TZ:
    case S_ISO_COLON_SEC_TZ:
    case S_ISO_COLON_TZ:
        if (v->n >= 1 && v->s[0] == 'Z') {
            adv(v, 1);
            f->utc = true;
            return true;
        }
        return num_tz(v, s, f);
    case S_NUM_SECONDS_TZ:
    case S_NUM_TZ:
    case S_NUM_SHORT_TZ:
    case S_NUM_COLON_SEC_TZ:
    case S_NUM_COLON_TZ:
        return num_tz(v, s, f);
    case S_TZ: {
        size_t k;
        if (v->n >= 3 && strncmp(v->s, "UTC", 3) == 0) {
            adv(v, 3);
            f->utc = true;
            return true;
        }
        k = tz_len(v);
        if (k == 0 || k >= sizeof(f->zone))
            return false;
        memcpy(f->zone, v->s, k);
        f->zone[k] = '\0';
        adv(v, k);
        return true;
    }
    case S_FRAC0:
        if (v->n < std_len || !nanos(v, std_len, &f->nsec))
            return false;
        adv(v, std_len);
        return true;
    case S_FRAC9: {
        size_t i = 0;
        if (v->n < 2 || (v->s[0] != '.' && v->s[0] != ',') || !digit(v, 1))
            return true; /* the fraction is optional */
        while (digit(v, i + 1))
            i++;
        if (!nanos(v, i + 1, &f->nsec))
            return false;
        adv(v, i + 1);
        return true;
    }
    case S_NONE:
        break;
    }
    return false;
}

bool gw_gotime_parse(const char *layout, const char *value, size_t n, struct gw_gotime *t)
{
    struct fields f = {0, -1, -1, 0, 0, 0, 0, false, false, 0, false, false, ""};
    struct val v = {value, n};
    size_t ln = strlen(layout);
    const char *l = layout;

    for (;;) {
        struct chunk c = next_chunk(l, ln);
        if (!skip(&v, l, c.prefix))
            return false;
        if (c.std == S_NONE) {
            if (v.n != 0)
                return false; /* extra text */
            break;
        }
        l += c.prefix + c.len;
        ln -= c.prefix + c.len;
        if (!element(&v, c.std, l, ln, c.len, &f))
            return false;
    }
    if (f.pm && f.hour < 12)
        f.hour += 12;
    else if (f.am && f.hour == 12)
        f.hour = 0;
    if (f.month < 0)
        f.month = 1;
    if (f.day < 0)
        f.day = 1;
    if (f.day < 1 || f.day > days_in(f.month, f.year))
        return false;
    memset(t, 0, sizeof(*t));
    t->unix = days_from_civil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.min * 60 + f.sec;
    t->nsec = f.nsec;
    if (f.utc)
        return true;
    if (f.has_off) {
        t->unix -= f.zone_off;
        t->offset = f.zone_off;
        return true;
    }
    if (f.zone[0]) {
        /* an abbreviation Go does not know: a zone of that name at offset 0, or GMT+h */
        memcpy(t->zone_name, f.zone, sizeof(t->zone_name));
        t->has_zone_name = true;
        if (strlen(f.zone) > 3 && strncmp(f.zone, "GMT", 3) == 0) {
            long h = 0;
            if (atoi_s(f.zone + 3, strlen(f.zone) - 3, &h)) {
                t->offset = (int32_t)(h * 3600);
                t->unix -= t->offset;
            }
        }
    }
    return true;
}

void gw_gotime_rfc3339nano(const struct gw_gotime *t, bool utc, char *out, size_t out_size)
{
    int32_t off = utc ? 0 : t->offset;
    int64_t s = t->unix + off;
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int64_t rem = s - days * 86400;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    long y = (long)(yoe + era * 400 + (m <= 2));
    char frac[16] = "", zone[24] = "Z";
    size_t fl;

    if (t->nsec > 0) {
        snprintf(frac, sizeof(frac), ".%09d", (int)t->nsec);
        fl = strlen(frac);
        while (fl > 1 && frac[fl - 1] == '0')
            frac[--fl] = '\0';
    }
    if (off != 0)
        snprintf(zone, sizeof(zone), "%c%02d:%02d", off < 0 ? '-' : '+',
                 (off < 0 ? -off : off) / 3600, ((off < 0 ? -off : off) / 60) % 60);
    snprintf(out, out_size, "%04ld-%02d-%02dT%02d:%02d:%02d%s%s", y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60), frac, zone);
}
