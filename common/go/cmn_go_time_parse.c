/* cmn_go_time_parse.c - Go's time.Parse and time.ParseInLocation for fixed-offset locations:
 * the same elements, leniency (one-digit hours, a fraction the layout lacks, runs of spaces)
 * and range checks as Go's parse(), and its ParseError texts. */
#include "cmn_go_time_int.h"

#include "cmn_str.h"

#include <string.h>

/* The remaining value: Go re-slices a string, we move a pointer. */
struct val {
    const char *s;
    size_t n;
};

static void adv(struct val *v, size_t k)
{
    v->s += k;
    v->n -= k;
}

static bool digit(const struct val *v, size_t i)
{
    return i < v->n && v->s[i] >= '0' && v->s[i] <= '9';
}

/* Go's getnum: one or two digits (exactly two when fixed). */
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

/* Go's getnum3: one to three digits (exactly three when fixed). */
static bool getnum3(struct val *v, bool fixed, int *out)
{
    int x = 0;
    size_t i = 0;

    for (; i < 3 && digit(v, i); i++)
        x = x * 10 + (v->s[i] - '0');
    if (i == 0 || (fixed && i != 3))
        return false;
    *out = x;
    adv(v, i);
    return true;
}

/* Go's leadingInt: the digits at s (none is fine), false on overflow past 2^63. */
static bool leading_int(const char *s, size_t n, uint64_t *x, size_t *used)
{
    size_t i = 0;

    *x = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (*x > ((uint64_t)1 << 63) / 10)
            return false;
        *x = *x * 10 + (uint64_t)(s[i] - '0');
        if (*x > (uint64_t)1 << 63)
            return false;
    }
    *used = i;
    return true;
}

/* Go's time.atoi: an optional sign, then digits only. */
static bool atoi_go(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    uint64_t x;
    size_t used;

    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (!leading_int(s, n, &x, &used) || used != n || x > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? -(int64_t)x : (int64_t)x;
    return true;
}

/* Go's lookup: a name of tab (or its first three letters) at v, ASCII letters matched without
 * regard to case. */
static bool lookup(struct val *v, const char *const *tab, int count, bool short_names, int *idx)
{
    for (int i = 0; i < count; i++) {
        size_t k = short_names ? 3 : strlen(tab[i]);
        bool ok = v->n >= k;
        for (size_t j = 0; ok && j < k; j++) {
            unsigned char a = (unsigned char)v->s[j], b = (unsigned char)tab[i][j];
            if (a != b && ((a | 0x20) != (b | 0x20) || (a | 0x20) < 'a' || (a | 0x20) > 'z'))
                ok = false;
        }
        if (ok) {
            *idx = i;
            adv(v, k);
            return true;
        }
    }
    return false;
}

/* Go's skip: the literal prefix, where a space in the layout matches any run of spaces. */
static bool skip(struct val *v, const char *p, size_t n)
{
    while (n > 0) {
        if (p[0] == ' ') {
            if (v->n > 0 && v->s[0] != ' ')
                return false;
            while (n > 0 && p[0] == ' ')
                p++, n--;
            while (v->n > 0 && v->s[0] == ' ')
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

/* Go's parseNanoseconds over v->s[0..nbytes): separator then digits. *range_err for a signed
 * fraction (".-5"), false for anything else that is not a number. */
static bool nanos(const struct val *v, size_t nbytes, int32_t *ns, const char **range_err)
{
    int64_t x;

    if (v->s[0] != '.' && v->s[0] != ',')
        return false;
    if (nbytes > 10)
        nbytes = 10;
    if (!atoi_go(v->s + 1, nbytes - 1, &x))
        return false;
    if (x < 0) {
        *range_err = "fractional second";
        return true;
    }
    for (size_t i = 0; i < 10 - nbytes; i++)
        x *= 10;
    *ns = (int32_t)x;
    return true;
}

/* Go's parseSignedOffset: "+h" or "-h" with h <= 23; its length or 0. */
static size_t signed_offset(const char *s, size_t n)
{
    uint64_t x;
    size_t used;

    if (n == 0 || (s[0] != '-' && s[0] != '+'))
        return 0;
    if (!leading_int(s + 1, n - 1, &x, &used) || used == 0 || x > 23)
        return 0;
    return 1 + used;
}

/* Go's parseTimeZone: the length of a zone abbreviation at v, 0 if there is none. */
static size_t zone_len(const struct val *v)
{
    size_t up = 0;

    if (v->n < 3)
        return 0;
    if (v->n >= 4 && (memcmp(v->s, "ChST", 4) == 0 || memcmp(v->s, "MeST", 4) == 0))
        return 4;
    if (memcmp(v->s, "GMT", 3) == 0)
        return 3 + signed_offset(v->s + 3, v->n - 3);
    if (v->s[0] == '+' || v->s[0] == '-')
        return signed_offset(v->s, v->n);
    while (up < 6 && up < v->n && v->s[up] >= 'A' && v->s[up] <= 'Z')
        up++;
    if (up == 3)
        return 3;
    if (up == 4 && (v->s[3] == 'T' || memcmp(v->s, "WITA", 4) == 0))
        return 4;
    if (up == 5 && v->s[4] == 'T')
        return 5;
    return 0;
}

/* What the value said, as Go's parse() collects it. */
struct fields {
    int64_t year;
    int month, day, yday, hour, min, sec;
    int32_t nsec;
    bool pm, am, utc;
    int32_t zone_off; /* -1: none */
    bool has_off;
    char zone[CMN_GO_ZONE_MAX];
    bool has_zone;
    int32_t gmt_off; /* the offset of a GMT+h name, else 0 */
};

/* A numeric zone (Z-forms without their Z). Go reads fixed digit pairs; an hour above 24 or a
 * minute or second above 60 is a range error. */
static bool num_zone(struct val *v, enum cmn_go_std s, struct fields *f, const char **range_err)
{
    const char *h, *m = "00", *sec = "00";
    size_t take;
    int hr, mm, ss;
    struct val t;

    if (s == STD_ISO_COLON_TZ || s == STD_NUM_COLON_TZ) {
        if (v->n < 6 || v->s[3] != ':')
            return false;
        h = v->s + 1, m = v->s + 4, take = 6;
    } else if (s == STD_ISO_SHORT_TZ || s == STD_NUM_SHORT_TZ) {
        if (v->n < 3)
            return false;
        h = v->s + 1, take = 3;
    } else if (s == STD_ISO_COLON_SEC_TZ || s == STD_NUM_COLON_SEC_TZ) {
        if (v->n < 9 || v->s[3] != ':' || v->s[6] != ':')
            return false;
        h = v->s + 1, m = v->s + 4, sec = v->s + 7, take = 9;
    } else if (s == STD_ISO_SECONDS_TZ || s == STD_NUM_SECONDS_TZ) {
        if (v->n < 7)
            return false;
        h = v->s + 1, m = v->s + 3, sec = v->s + 5, take = 7;
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
    t = (struct val){sec, 2};
    if (!getnum(&t, true, &ss))
        return false;
    if (hr > 24)
        *range_err = "time zone offset hour";
    if (mm > 60)
        *range_err = "time zone offset minute";
    if (ss > 60)
        *range_err = "time zone offset second";
    f->zone_off = (hr * 60 + mm) * 60 + ss;
    if (v->s[0] == '-')
        f->zone_off = -f->zone_off;
    else if (v->s[0] != '+')
        return false;
    f->has_off = true;
    adv(v, take);
    return true;
}

/* The digits of a fraction at v (after its separator). */
static size_t frac_len(const struct val *v, size_t from)
{
    size_t k = from;

    while (digit(v, k))
        k++;
    return k;
}

/* Seconds, with the fraction Go takes when the value has one and the layout does not. */
static bool seconds(struct val *v, bool fixed, const char *rest, size_t rest_n, struct fields *f,
                    const char **range_err)
{
    struct cmn_go_chunk next;
    size_t k;

    if (!getnum(v, fixed, &f->sec))
        return false;
    if (f->sec >= 60) {
        *range_err = "second";
        return true;
    }
    if (v->n < 2 || (v->s[0] != '.' && v->s[0] != ',') || !digit(v, 1))
        return true;
    next = cmn_go_next_chunk(rest, rest_n);
    if (next.std == STD_FRAC0 || next.std == STD_FRAC9)
        return true; /* the layout's own fraction element reads it */
    k = frac_len(v, 2);
    if (!nanos(v, k, &f->nsec, range_err))
        return false;
    adv(v, k);
    return true;
}

/* One layout element against the value. false: Go's errBad (cannot parse); *range_err: Go's
 * rangeErrString. rest: the layout after the element. */
static bool element(struct val *v, const struct cmn_go_chunk *c, const char *rest, size_t rest_n,
                    struct fields *f, const char **range_err)
{
    enum cmn_go_std s = c->std;
    int64_t y;
    int x = 0, idx;
    size_t k;

    switch (s) {
    case STD_YEAR:
        if (v->n < 2 || !atoi_go(v->s, 2, &y))
            return false;
        f->year = y >= 69 ? y + 1900 : y + 2000;
        adv(v, 2);
        return true;
    case STD_LONG_YEAR:
        if (v->n < 4 || !digit(v, 0) || !atoi_go(v->s, 4, &f->year))
            return false;
        adv(v, 4);
        return true;
    case STD_MONTH:
    case STD_LONG_MONTH:
        if (!lookup(v, cmn_go_long_months, 12, s == STD_MONTH, &idx))
            return false;
        f->month = idx + 1;
        return true;
    case STD_NUM_MONTH:
    case STD_ZERO_MONTH:
        if (!getnum(v, s == STD_ZERO_MONTH, &f->month))
            return false;
        if (f->month <= 0 || f->month > 12)
            *range_err = "month";
        return true;
    case STD_WEEKDAY:
    case STD_LONG_WEEKDAY: /* checked, then ignored */
        return lookup(v, cmn_go_long_days, 7, s == STD_WEEKDAY, &idx);
    case STD_DAY:
    case STD_UNDER_DAY:
    case STD_ZERO_DAY:
        if (s == STD_UNDER_DAY && v->n > 0 && v->s[0] == ' ')
            adv(v, 1);
        return getnum(v, s == STD_ZERO_DAY, &f->day); /* checked against the month later */
    case STD_UNDER_YEAR_DAY:
    case STD_ZERO_YEAR_DAY:
        for (int i = 0; i < 2 && s == STD_UNDER_YEAR_DAY && v->n > 0 && v->s[0] == ' '; i++)
            adv(v, 1);
        return getnum3(v, s == STD_ZERO_YEAR_DAY, &f->yday);
    case STD_HOUR:
    case STD_HOUR12:
    case STD_ZERO_HOUR12: {
        bool ok = getnum(v, s == STD_ZERO_HOUR12, &x);
        f->hour = ok ? x : 0;
        if (f->hour >= (s == STD_HOUR ? 24 : 13))
            *range_err = "hour";
        return ok;
    }
    case STD_MINUTE:
    case STD_ZERO_MINUTE: {
        bool ok = getnum(v, s == STD_ZERO_MINUTE, &x);
        f->min = ok ? x : 0;
        if (f->min >= 60)
            *range_err = "minute";
        return ok;
    }
    case STD_SECOND:
    case STD_ZERO_SECOND:
        return seconds(v, s == STD_ZERO_SECOND, rest, rest_n, f, range_err);
    case STD_PM:
    case STD_PM_LOWER:
        if (v->n < 2)
            return false;
        if (memcmp(v->s, s == STD_PM ? "PM" : "pm", 2) == 0)
            f->pm = true;
        else if (memcmp(v->s, s == STD_PM ? "AM" : "am", 2) == 0)
            f->am = true;
        else
            return false;
        adv(v, 2);
        return true;
    case STD_ISO_TZ:
    case STD_ISO_SHORT_TZ:
    case STD_ISO_COLON_TZ:
    case STD_ISO_SECONDS_TZ:
    case STD_ISO_COLON_SEC_TZ:
        if (v->n >= 1 && v->s[0] == 'Z') {
            adv(v, 1);
            f->utc = true;
            return true;
        }
        return num_zone(v, s, f, range_err);
    case STD_TZ:
        if (v->n >= 3 && memcmp(v->s, "UTC", 3) == 0) {
            adv(v, 3);
            f->utc = true;
            return true;
        }
        k = zone_len(v);
        if (k == 0)
            return false;
        f->has_zone = true;
        memcpy(f->zone, v->s, k < sizeof(f->zone) ? k : sizeof(f->zone) - 1);
        f->zone[k < sizeof(f->zone) ? k : sizeof(f->zone) - 1] = '\0';
        /* GMT+h: Go later reads h back from the name, which may be longer than we keep */
        if (k > 3 && memcmp(v->s, "GMT", 3) == 0 && atoi_go(v->s + 3, k - 3, &y))
            f->gmt_off = (int32_t)(y * 3600);
        adv(v, k);
        return true;
    case STD_FRAC0:
        k = 1 + (size_t)c->frac_digits;
        if (v->n < k || !nanos(v, k, &f->nsec, range_err))
            return false;
        adv(v, k);
        return true;
    case STD_FRAC9:
        if (v->n < 2 || (v->s[0] != '.' && v->s[0] != ',') || !digit(v, 1))
            return true; /* the fraction may be left out */
        k = frac_len(v, 1);
        if (!nanos(v, k, &f->nsec, range_err))
            return false;
        adv(v, k);
        return true;
    case STD_NONE:
        break;
    default: /* STD_NUM_* */
        return num_zone(v, s, f, range_err);
    }
    return false;
}

/* ---- errors ---- */

/* Go's time.quote: "..." with " and \ escaped, and each byte of a control character, of a
 * non-ASCII character or of invalid UTF-8 as \xNN. */
static void quote(struct cmn_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    cmn_buf_append(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < ' ' || c >= 0x80) {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            cmn_buf_append(b, e, 4);
            continue;
        }
        if (c == '"' || c == '\\')
            cmn_buf_append(b, "\\", 1);
        cmn_buf_append(b, s + i, 1);
    }
    cmn_buf_append(b, "\"", 1);
}

/* Go's ParseError.Error(): with a message, `parsing time "V"` + message; without one,
 * `parsing time "V" as "L": cannot parse "VE" as "LE"`. */
static enum cmn_go_time_status parse_error(struct cmn_err *err, const char *layout,
                                           const char *value, size_t n, const char *lelem,
                                           size_t lelem_n, const struct val *velem, const char *msg,
                                           const char *msg_arg)
{
    struct cmn_buf b;

    if (!err) /* a caller trying layouts in turn wants no message */
        return CMN_GO_TIME_PARSE;
    cmn_buf_init(&b, CMN_ERR_MSG_MAX * 2);
    cmn_buf_append_str(&b, "parsing time ");
    quote(&b, value, n);
    if (msg) {
        cmn_buf_append_str(&b, msg);
        if (msg_arg) /* extra text */
            quote(&b, velem->s, velem->n);
        else
            cmn_buf_append_str(&b, " out of range");
    } else {
        cmn_buf_append_str(&b, " as ");
        quote(&b, layout, strlen(layout));
        cmn_buf_append_str(&b, ": cannot parse ");
        quote(&b, velem->s, velem->n);
        cmn_buf_append_str(&b, " as ");
        quote(&b, lelem, lelem_n);
    }
    cmn_err_set(err, CMN_GO_TIME_PARSE, "%s", cmn_buf_str(&b));
    cmn_buf_free(&b);
    return CMN_GO_TIME_PARSE;
}

static enum cmn_go_time_status message(struct cmn_err *err, const char *value, size_t n,
                                       const char *msg)
{
    struct cmn_buf b;

    if (!err)
        return CMN_GO_TIME_PARSE;
    cmn_buf_init(&b, CMN_ERR_MSG_MAX * 2);
    cmn_buf_append_str(&b, "parsing time ");
    quote(&b, value, n);
    cmn_buf_append_str(&b, msg);
    cmn_err_set(err, CMN_GO_TIME_PARSE, "%s", cmn_buf_str(&b));
    cmn_buf_free(&b);
    return CMN_GO_TIME_PARSE;
}

/* ---- the parse ---- */

/* Go's yday -> month and day, checked against a month or day the value also gave. */
static const char *from_yday(struct fields *f)
{
    static const int before[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};
    int yday = f->yday, m = 0, d = 0;

    if (cmn_go_is_leap(f->year)) {
        if (yday == 31 + 29) {
            m = 2;
            d = 29;
        } else if (yday > 31 + 29) {
            yday--;
        }
    }
    if (yday < 1 || yday > 365)
        return ": day-of-year out of range";
    if (m == 0) {
        m = (yday - 1) / 31 + 1;
        if (before[m] < yday)
            m++;
        d = yday - before[m - 1];
    }
    if (f->month >= 0 && f->month != m)
        return ": day-of-year does not match month";
    f->month = m;
    if (f->day >= 0 && f->day != d)
        return ": day-of-year does not match day";
    f->day = d;
    return NULL;
}

static void set_zone(struct cmn_go_time *t, const char *name, int32_t offset)
{
    t->offset = offset;
    cmn_strlcpy(t->zone, name ? name : "", sizeof(t->zone));
}

/* The end of Go's parse(): which zone the time is in. local: the location offsets and
 * abbreviations are matched against; deflt: the one of a value without zone. */
static void place(struct cmn_go_time *t, const struct fields *f, const struct cmn_go_loc *local,
                  const struct cmn_go_loc *deflt)
{
    static const struct cmn_go_loc utc = {"UTC", 0};

    if (!local)
        local = &utc;
    if (!deflt)
        deflt = &utc;
    if (f->utc) {
        set_zone(t, "UTC", 0);
    } else if (f->has_off) {
        t->unix -= f->zone_off;
        /* the local zone when it has that offset (and that name, if one was given) */
        if (local->offset == f->zone_off &&
            (!f->has_zone || strcmp(local->name ? local->name : "", f->zone) == 0))
            set_zone(t, local->name, local->offset);
        else
            set_zone(t, f->has_zone ? f->zone : "", f->zone_off);
    } else if (f->has_zone) {
        if (local != &utc && strcmp(local->name ? local->name : "", f->zone) == 0) {
            t->unix -= local->offset; /* Location.lookupName found it */
            set_zone(t, local->name, local->offset);
        } else {
            /* unknown: a zone of that name at offset 0, or at h hours for GMT+h; Go keeps the
             * clock reading as UTC here (10:00 GMT+3 is 10:00Z, shown as 13:00+03:00) */
            set_zone(t, f->zone, f->gmt_off);
        }
    } else {
        t->unix -= deflt->offset;
        set_zone(t, deflt->name, deflt->offset);
    }
}

static enum cmn_go_time_status parse(const char *layout, const char *value, size_t n,
                                     const struct cmn_go_loc *deflt, const struct cmn_go_loc *local,
                                     struct cmn_go_time *t, struct cmn_err *err)
{
    struct fields f = {.month = -1, .day = -1, .yday = -1, .zone_off = -1};
    struct val v = {value, n};
    const char *l = layout, *msg;
    size_t ln = strlen(layout);

    for (;;) {
        struct cmn_go_chunk c = cmn_go_next_chunk(l, ln);
        const char *range_err = NULL;
        struct val hold;

        if (!skip(&v, l, c.prefix))
            return parse_error(err, layout, value, n, l, c.prefix, &v, NULL, NULL);
        if (c.std == STD_NONE) {
            if (v.n != 0)
                return parse_error(err, layout, value, n, "", 0, &v, ": extra text: ", "");
            break;
        }
        hold = v;
        if (!element(&v, &c, l + c.prefix + c.len, ln - c.prefix - c.len, &f, &range_err) &&
            !range_err)
            return parse_error(err, layout, value, n, l + c.prefix, c.len, &hold, NULL, NULL);
        if (range_err) {
            char m[64];
            cmn_strlcpy(m, ": ", sizeof(m));
            cmn_strlcpy(m + 2, range_err, sizeof(m) - 2);
            return parse_error(err, layout, value, n, "", 0, &v, m, NULL);
        }
        l += c.prefix + c.len;
        ln -= c.prefix + c.len;
    }
    if (f.pm && f.hour < 12)
        f.hour += 12;
    else if (f.am && f.hour == 12)
        f.hour = 0;
    if (f.yday >= 0) {
        if ((msg = from_yday(&f)) != NULL)
            return message(err, value, n, msg);
    } else {
        if (f.month < 0)
            f.month = 1;
        if (f.day < 0)
            f.day = 1;
    }
    if (f.day < 1 || f.day > cmn_go_days_in(f.month, f.year))
        return message(err, value, n, ": day out of range");
    memset(t, 0, sizeof(*t));
    t->unix =
        cmn_go_days_from_civil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.min * 60 + f.sec;
    t->nsec = f.nsec;
    place(t, &f, local, deflt);
    return CMN_GO_TIME_OK;
}

enum cmn_go_time_status cmn_go_time_parse(const char *layout, const char *value, size_t n,
                                          const struct cmn_go_loc *local, struct cmn_go_time *t,
                                          struct cmn_err *err)
{
    return parse(layout, value, n, NULL, local, t, err);
}

enum cmn_go_time_status cmn_go_time_parse_in(const char *layout, const char *value, size_t n,
                                             const struct cmn_go_loc *loc, struct cmn_go_time *t,
                                             struct cmn_err *err)
{
    return parse(layout, value, n, loc, loc, t, err);
}
