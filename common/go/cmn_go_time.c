/* cmn_go_time.c - Go's calendar, its layout scanner (nextStdChunk), Time.Format and the RFC 3339
 * writer. Numbers are written without printf: a log line formats a dozen of them. */
#include "cmn_go_time_int.h"

#include "cmn_str.h"

#include <string.h>

#define SEC_PER_DAY 86400

const char *const cmn_go_long_months[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
const char *const cmn_go_long_days[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};

/* ---- calendar ---- */

bool cmn_go_is_leap(int64_t year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int cmn_go_days_in(int month, int64_t year)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month < 1 || month > 12)
        return 0;
    return month == 2 && cmn_go_is_leap(year) ? 29 : d[month - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Howard Hinnant's days_from_civil and civil_from_days (eras of 400 years, March-based years):
 * exact for every year an int64 count of seconds can reach. */
int64_t cmn_go_days_from_civil(int64_t year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + (int64_t)day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

void cmn_go_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;

    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

int cmn_go_weekday(int64_t days)
{
    int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */

    return (int)(w < 0 ? w + 7 : w);
}

void cmn_go_time_civil(const struct cmn_go_time *t, struct cmn_go_civil *c)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    /* days and seconds of day in UTC first, then the offset: unix + offset may not fit */
    int64_t days = floor_div(t->unix, SEC_PER_DAY);
    int64_t sod = t->unix % SEC_PER_DAY;

    sod = (sod < 0 ? sod + SEC_PER_DAY : sod) + t->offset;
    days += floor_div(sod, SEC_PER_DAY);
    sod -= floor_div(sod, SEC_PER_DAY) * SEC_PER_DAY;
    cmn_go_civil_from_days(days, &c->year, &c->month, &c->day);
    c->hour = (int)(sod / 3600);
    c->min = (int)(sod / 60 % 60);
    c->sec = (int)(sod % 60);
    c->nsec = t->nsec;
    c->wday = cmn_go_weekday(days);
    c->yday = before[c->month - 1] + c->day + (c->month > 2 && cmn_go_is_leap(c->year));
}

struct cmn_go_time cmn_go_time_unix(int64_t sec, int64_t nsec, int32_t offset, const char *zone)
{
    struct cmn_go_time t;

    if (nsec < 0 || nsec >= 1000000000) {
        int64_t n = nsec / 1000000000;
        /* Go's int64 arithmetic wraps at the ends; C's must not overflow: same bits */
        sec = (int64_t)((uint64_t)sec + (uint64_t)n);
        nsec -= n * 1000000000;
        if (nsec < 0) {
            nsec += 1000000000;
            sec = (int64_t)((uint64_t)sec - 1);
        }
    }
    memset(&t, 0, sizeof(t));
    t.unix = sec;
    t.nsec = (int32_t)nsec;
    t.offset = offset;
    cmn_strlcpy(t.zone, zone ? zone : "", sizeof(t.zone));
    return t;
}

/* ---- layout scanner ---- */

static bool has(const char *l, size_t n, size_t i, const char *s)
{
    size_t k = strlen(s);

    return n - i >= k && memcmp(l + i, s, k) == 0;
}

static bool lower_at(const char *l, size_t n, size_t i)
{
    return i < n && l[i] >= 'a' && l[i] <= 'z';
}

static bool digit_at(const char *l, size_t n, size_t i)
{
    return i < n && l[i] >= '0' && l[i] <= '9';
}

static struct cmn_go_chunk at(size_t i, enum cmn_go_std std, size_t len)
{
    struct cmn_go_chunk c = {i, std, len, 0, 0};

    return c;
}

/* The zone elements starting with c ('-' or 'Z'), longest spelling first as Go tries them. */
static bool zone_chunk(const char *l, size_t n, size_t i, struct cmn_go_chunk *c)
{
    static const struct {
        const char *s;
        enum cmn_go_std num, iso;
    } z[] = {{"070000", STD_NUM_SECONDS_TZ, STD_ISO_SECONDS_TZ},
             {"07:00:00", STD_NUM_COLON_SEC_TZ, STD_ISO_COLON_SEC_TZ},
             {"0700", STD_NUM_TZ, STD_ISO_TZ},
             {"07:00", STD_NUM_COLON_TZ, STD_ISO_COLON_TZ},
             {"07", STD_NUM_SHORT_TZ, STD_ISO_SHORT_TZ}};

    for (size_t k = 0; k < sizeof(z) / sizeof(z[0]); k++) {
        if (has(l, n, i + 1, z[k].s)) {
            *c = at(i, l[i] == '-' ? z[k].num : z[k].iso, 1 + strlen(z[k].s));
            return true;
        }
    }
    return false;
}

struct cmn_go_chunk cmn_go_next_chunk(const char *l, size_t n)
{
    static const enum cmn_go_std std0x[6] = {STD_ZERO_MONTH,  STD_ZERO_DAY,    STD_ZERO_HOUR12,
                                             STD_ZERO_MINUTE, STD_ZERO_SECOND, STD_YEAR};
    struct cmn_go_chunk c;

    for (size_t i = 0; i < n; i++) {
        switch (l[i]) {
        case 'J': /* January, Jan (not Janx) */
            if (has(l, n, i, "January"))
                return at(i, STD_LONG_MONTH, 7);
            if (has(l, n, i, "Jan") && !lower_at(l, n, i + 3))
                return at(i, STD_MONTH, 3);
            break;
        case 'M': /* Monday, Mon, MST */
            if (has(l, n, i, "Monday"))
                return at(i, STD_LONG_WEEKDAY, 6);
            if (has(l, n, i, "Mon") && !lower_at(l, n, i + 3))
                return at(i, STD_WEEKDAY, 3);
            if (has(l, n, i, "MST"))
                return at(i, STD_TZ, 3);
            break;
        case '0': /* 01 .. 06, 002 */
            if (i + 1 < n && l[i + 1] >= '1' && l[i + 1] <= '6')
                return at(i, std0x[l[i + 1] - '1'], 2);
            if (has(l, n, i, "002"))
                return at(i, STD_ZERO_YEAR_DAY, 3);
            break;
        case '1': /* 15, 1 */
            if (has(l, n, i, "15"))
                return at(i, STD_HOUR, 2);
            return at(i, STD_NUM_MONTH, 1);
        case '2': /* 2006, 2 */
            if (has(l, n, i, "2006"))
                return at(i, STD_LONG_YEAR, 4);
            return at(i, STD_DAY, 1);
        case '_': /* _2, _2006 (a literal _ and the year), __2 */
            if (i + 1 < n && l[i + 1] == '2') {
                if (has(l, n, i + 1, "2006"))
                    return at(i + 1, STD_LONG_YEAR, 4);
                return at(i, STD_UNDER_DAY, 2);
            }
            if (has(l, n, i, "__2"))
                return at(i, STD_UNDER_YEAR_DAY, 3);
            break;
        case '3':
            return at(i, STD_HOUR12, 1);
        case '4':
            return at(i, STD_MINUTE, 1);
        case '5':
            return at(i, STD_SECOND, 1);
        case 'P':
            if (has(l, n, i, "PM"))
                return at(i, STD_PM, 2);
            break;
        case 'p':
            if (has(l, n, i, "pm"))
                return at(i, STD_PM_LOWER, 2);
            break;
        case '-':
        case 'Z':
            if (zone_chunk(l, n, i, &c))
                return c;
            break;
        case '.':
        case ',': /* a run of 0s or 9s not followed by another digit */
            if (i + 1 < n && (l[i + 1] == '0' || l[i + 1] == '9')) {
                size_t j = i + 1;
                while (j < n && l[j] == l[i + 1])
                    j++;
                if (!digit_at(l, n, j)) {
                    c = at(i, l[i + 1] == '0' ? STD_FRAC0 : STD_FRAC9, j - i);
                    c.frac_digits = (int)(j - i - 1);
                    c.frac_sep = l[i];
                    return c;
                }
            }
            break;
        default:
            break;
        }
    }
    return at(n, STD_NONE, 0);
}

/* ---- Format ---- */

/* Go's appendInt: '-' for a negative x, then at least width digits (zero-padded). Into d
 * (room for 24 bytes); returns the length. */
static size_t itoa_w(char *d, int64_t x, int width)
{
    char tmp[24];
    uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    size_t n = 0, k = 0;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (x < 0)
        d[k++] = '-';
    for (int i = (int)n; i < width; i++)
        d[k++] = '0';
    while (n)
        d[k++] = tmp[--n];
    return k;
}

/* Go's appendNano: the separator and digits of a fraction (trimmed for .999). */
static size_t frac(char *d, int32_t nsec, int digits, char sep, bool trim)
{
    char nine[9];
    int32_t x = nsec;
    size_t k;

    if (trim && (digits == 0 || nsec == 0))
        return 0;
    for (int i = 8; i >= 0; i--, x /= 10)
        nine[i] = (char)('0' + x % 10);
    k = (size_t)(digits < 9 ? digits : 9);
    if (trim)
        while (k > 0 && nine[k - 1] == '0')
            k--;
    if (k == 0)
        return 0;
    d[0] = sep;
    memcpy(d + 1, nine, k);
    return k + 1;
}

/* The zone elements: offset as +hh[[:]mm[[:]ss]], or Z at UTC for the ISO forms. */
static size_t zone_text(char *d, enum cmn_go_std s, int32_t offset)
{
    bool iso = s == STD_ISO_TZ || s == STD_ISO_COLON_TZ || s == STD_ISO_SECONDS_TZ ||
               s == STD_ISO_SHORT_TZ || s == STD_ISO_COLON_SEC_TZ;
    bool colon = s == STD_ISO_COLON_TZ || s == STD_NUM_COLON_TZ || s == STD_ISO_COLON_SEC_TZ ||
                 s == STD_NUM_COLON_SEC_TZ;
    bool secs = s == STD_ISO_SECONDS_TZ || s == STD_NUM_SECONDS_TZ || s == STD_ISO_COLON_SEC_TZ ||
                s == STD_NUM_COLON_SEC_TZ;
    int64_t zone = offset / 60, abs_off = offset; /* minutes, truncated as Go's int division */
    size_t k = 0;

    if (iso && offset == 0) {
        d[0] = 'Z';
        return 1;
    }
    d[k++] = zone < 0 ? '-' : '+';
    if (zone < 0) {
        zone = -zone;
        abs_off = -abs_off;
    }
    k += itoa_w(d + k, zone / 60, 2);
    if (colon)
        d[k++] = ':';
    if (s != STD_NUM_SHORT_TZ && s != STD_ISO_SHORT_TZ)
        k += itoa_w(d + k, zone % 60, 2);
    if (secs) {
        if (colon)
            d[k++] = ':';
        k += itoa_w(d + k, abs_off % 60, 2);
    }
    return k;
}

/* One element's text into d (room for 64 bytes, or the zone name): its length. */
static size_t element(char *d, const struct cmn_go_chunk *ch, const struct cmn_go_time *t,
                      const struct cmn_go_civil *c)
{
    int hr12 = c->hour % 12 ? c->hour % 12 : 12;
    size_t k = 0;

    switch (ch->std) {
    case STD_YEAR:
        return itoa_w(d, (c->year < 0 ? -c->year : c->year) % 100, 2);
    case STD_LONG_YEAR:
        return itoa_w(d, c->year, 4);
    case STD_MONTH:
    case STD_LONG_MONTH:
        k = ch->std == STD_MONTH ? 3 : strlen(cmn_go_long_months[c->month - 1]);
        memcpy(d, cmn_go_long_months[c->month - 1], k);
        return k;
    case STD_NUM_MONTH:
    case STD_ZERO_MONTH:
        return itoa_w(d, c->month, ch->std == STD_ZERO_MONTH ? 2 : 0);
    case STD_WEEKDAY:
    case STD_LONG_WEEKDAY:
        k = ch->std == STD_WEEKDAY ? 3 : strlen(cmn_go_long_days[c->wday]);
        memcpy(d, cmn_go_long_days[c->wday], k);
        return k;
    case STD_DAY:
    case STD_ZERO_DAY:
        return itoa_w(d, c->day, ch->std == STD_ZERO_DAY ? 2 : 0);
    case STD_UNDER_DAY:
        if (c->day < 10)
            d[k++] = ' ';
        return k + itoa_w(d + k, c->day, 0);
    case STD_UNDER_YEAR_DAY:
        if (c->yday < 100)
            d[k++] = ' ';
        if (c->yday < 10)
            d[k++] = ' ';
        return k + itoa_w(d + k, c->yday, 0);
    case STD_ZERO_YEAR_DAY:
        return itoa_w(d, c->yday, 3);
    case STD_HOUR:
        return itoa_w(d, c->hour, 2);
    case STD_HOUR12:
    case STD_ZERO_HOUR12:
        return itoa_w(d, hr12, ch->std == STD_ZERO_HOUR12 ? 2 : 0);
    case STD_MINUTE:
    case STD_ZERO_MINUTE:
        return itoa_w(d, c->min, ch->std == STD_ZERO_MINUTE ? 2 : 0);
    case STD_SECOND:
    case STD_ZERO_SECOND:
        return itoa_w(d, c->sec, ch->std == STD_ZERO_SECOND ? 2 : 0);
    case STD_PM:
        memcpy(d, c->hour >= 12 ? "PM" : "AM", 2);
        return 2;
    case STD_PM_LOWER:
        memcpy(d, c->hour >= 12 ? "pm" : "am", 2);
        return 2;
    case STD_TZ:
        if (t->zone[0]) {
            k = strnlen(t->zone, sizeof(t->zone));
            memcpy(d, t->zone, k);
            return k;
        }
        return zone_text(d, STD_NUM_TZ, t->offset); /* no name: the -0700 form */
    case STD_FRAC0:
    case STD_FRAC9:
        return frac(d, t->nsec, ch->frac_digits, ch->frac_sep, ch->std == STD_FRAC9);
    case STD_NONE:
        break;
    default:
        return zone_text(d, ch->std, t->offset);
    }
    return 0;
}

bool cmn_go_time_format(const struct cmn_go_time *t, const char *layout, struct cmn_buf *out)
{
    struct cmn_go_civil c;
    size_t n = strlen(layout);

    cmn_go_time_civil(t, &c);
    while (n > 0) {
        struct cmn_go_chunk ch = cmn_go_next_chunk(layout, n);
        char d[64];
        size_t k;

        if (ch.prefix && cmn_buf_append(out, layout, ch.prefix) != CMN_BUF_OK)
            return false;
        if (ch.std == STD_NONE)
            break;
        k = element(d, &ch, t, &c);
        if (k && cmn_buf_append(out, d, k) != CMN_BUF_OK)
            return false;
        layout += ch.prefix + ch.len;
        n -= ch.prefix + ch.len;
    }
    return true;
}

size_t cmn_go_time_format_buf(const struct cmn_go_time *t, const char *layout, char *out,
                              size_t size)
{
    struct cmn_buf b;
    size_t len;

    cmn_buf_init(&b, (size_t)1 << 20);
    if (!cmn_go_time_format(t, layout, &b)) {
        cmn_buf_free(&b);
        if (size)
            out[0] = '\0';
        return 0;
    }
    len = b.len;
    if (size)
        cmn_strlcpy(out, cmn_buf_str(&b), size);
    cmn_buf_free(&b);
    return len;
}

size_t cmn_go_time_rfc3339(const struct cmn_go_time *t, bool nano, char out[CMN_GO_RFC3339_MAX])
{
    struct cmn_go_civil c;
    size_t k;

    cmn_go_time_civil(t, &c);
    k = itoa_w(out, c.year, 4);
    out[k++] = '-';
    k += itoa_w(out + k, c.month, 2);
    out[k++] = '-';
    k += itoa_w(out + k, c.day, 2);
    out[k++] = 'T';
    k += itoa_w(out + k, c.hour, 2);
    out[k++] = ':';
    k += itoa_w(out + k, c.min, 2);
    out[k++] = ':';
    k += itoa_w(out + k, c.sec, 2);
    if (nano)
        k += frac(out + k, t->nsec, 9, '.', true);
    k += zone_text(out + k, STD_ISO_COLON_TZ, t->offset);
    out[k] = '\0';
    return k;
}
