/* cmn_go_tz.c - one time zone from TZif data (RFC 8536) and its POSIX TZ footer, looked up as
 * Go's Location.lookup does (first zone before the first transition, the footer's rule after
 * the last one). Ported from the CEL branch's gw_cel_tz.c, with abbreviations and Go's tzset
 * parsing rules. */
#include "cmn_go_tz.h"

#include "cmn_str.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TZ_MAX_TIMES 4096
#define TZ_MAX_TYPES 256
#define TZ_MAX_CHARS 1000
#define SEC_PER_DAY 86400

/* A POSIX TZ transition rule: 'J' Julian day 1..365 (no Feb 29), 'D' zero-based day 0..365,
 * 'M' month.week.weekday. */
struct rule {
    char kind;
    int32_t day, week, mon;
    int32_t time; /* seconds after local midnight (may be negative or past a day) */
};

struct posix_tz {
    char std_name[CMN_GO_ZONE_MAX], dst_name[CMN_GO_ZONE_MAX];
    int32_t std_off, dst_off; /* east of UTC */
    bool has_dst;
    struct rule start, end;
};

struct cmn_go_tz {
    size_t ntx, ntypes;
    int64_t *tx;     /* transition times */
    uint8_t *txi;    /* the type of each transition */
    int32_t *off;    /* per type */
    uint8_t *isdst;  /* per type */
    uint8_t *abbr_i; /* per type: index into chars */
    char *chars;     /* abbreviations, NUL-separated (and NUL-terminated by us) */
    size_t nchars;
    uint8_t first; /* the type before the first transition */
    bool has_extend;
    struct posix_tz extend;
};

/* ---- POSIX TZ strings (Go's tzset* functions) ---- */

/* A zone name: <...> quoted, or at least three characters up to a digit, ',', '-' or '+'. */
static const char *tz_name(const char *s, char out[CMN_GO_ZONE_MAX])
{
    const char *start = s, *end;

    if (*s == '<') {
        end = strchr(s, '>');
        if (!end)
            return NULL;
        start = s + 1;
        s = end + 1;
    } else {
        while (*s && !(*s >= '0' && *s <= '9') && *s != ',' && *s != '-' && *s != '+')
            s++;
        if (s - start < 3)
            return NULL;
        end = s;
    }
    size_t n =
        (size_t)(end - start) < CMN_GO_ZONE_MAX - 1 ? (size_t)(end - start) : CMN_GO_ZONE_MAX - 1;
    memcpy(out, start, n);
    out[n] = '\0';
    return s;
}

static const char *tz_num(const char *s, int32_t lo, int32_t hi, int32_t *out)
{
    int32_t v = 0;

    if (*s < '0' || *s > '9')
        return NULL;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s++ - '0');
        if (v > hi)
            return NULL;
    }
    if (v < lo)
        return NULL;
    *out = v;
    return s;
}

/* [+-]hh[:mm[:ss]] in seconds, hours up to 24*7 as tzcode allows. */
static const char *tz_offset(const char *s, int32_t *out)
{
    int32_t sign = 1, h, m = 0, sec = 0;

    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (!(s = tz_num(s, 0, 24 * 7, &h)))
        return NULL;
    if (*s == ':' && !(s = tz_num(s + 1, 0, 59, &m)))
        return NULL;
    if (s && *s == ':' && !(s = tz_num(s + 1, 0, 59, &sec)))
        return NULL;
    *out = sign * (h * 3600 + m * 60 + sec);
    return s;
}

static const char *tz_rule(const char *s, struct rule *r)
{
    memset(r, 0, sizeof(*r));
    if (*s == 'J') {
        r->kind = 'J';
        s = tz_num(s + 1, 1, 365, &r->day);
    } else if (*s == 'M') {
        r->kind = 'M';
        s = tz_num(s + 1, 1, 12, &r->mon);
        s = s && *s == '.' ? tz_num(s + 1, 1, 5, &r->week) : NULL;
        s = s && *s == '.' ? tz_num(s + 1, 0, 6, &r->day) : NULL;
    } else {
        r->kind = 'D';
        s = tz_num(s, 0, 365, &r->day);
    }
    if (!s)
        return NULL;
    r->time = 7200; /* 02:00 unless said otherwise */
    if (*s == '/')
        s = tz_offset(s + 1, &r->time);
    return s;
}

static bool tz_parse(const char *s, struct posix_tz *tz)
{
    int32_t off;

    memset(tz, 0, sizeof(*tz));
    if (!(s = tz_name(s, tz->std_name)) || !(s = tz_offset(s, &off)))
        return false;
    tz->std_off = -off; /* POSIX offsets are west of UTC */
    if (*s == '\0' || *s == ',')
        return true; /* no daylight saving time */
    if (!(s = tz_name(s, tz->dst_name)))
        return false;
    tz->has_dst = true;
    tz->dst_off = tz->std_off + 3600;
    if (*s != '\0' && *s != ',') {
        if (!(s = tz_offset(s, &off)))
            return false;
        tz->dst_off = -off;
    }
    if (*s == '\0') /* tzcode's default rule: ,M3.2.0,M11.1.0 */
        s = ",M3.2.0,M11.1.0";
    if ((*s != ',' && *s != ';') || !(s = tz_rule(s + 1, &tz->start)) || *s != ',' ||
        !(s = tz_rule(s + 1, &tz->end)))
        return false;
    return *s == '\0';
}

/* Seconds from the start of UTC year y to the rule's transition in a zone at offset off (Go's
 * tzruleTime). */
static int64_t rule_time(int64_t y, const struct rule *r, int32_t off)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int64_t day;

    if (r->kind == 'J') {
        day = r->day - 1 + (cmn_go_is_leap(y) && r->day >= 60);
    } else if (r->kind == 'D') {
        day = r->day;
    } else {
        int64_t first = cmn_go_days_from_civil(y, r->mon, 1);
        int64_t d = ((r->day - cmn_go_weekday(first)) % 7 + 7) % 7;
        for (int i = 1; i < r->week && d + 7 < cmn_go_days_in(r->mon, y); i++)
            d += 7;
        day = d + before[r->mon - 1] + (cmn_go_is_leap(y) && r->mon > 2);
    }
    return day * SEC_PER_DAY + r->time - off;
}

/* Go's tzset for a time after the last transition: the rules of t's UTC year, compared with
 * the seconds since that year began (computed from the day count: no int64 overflow at the
 * ends of time). */
static int32_t extend_lookup(const struct posix_tz *tz, int64_t t, char *abbr)
{
    int64_t days, sod, y, ysec, start, end;
    int m, d;
    bool dst;

    if (!tz->has_dst) {
        if (abbr)
            cmn_strlcpy(abbr, tz->std_name, CMN_GO_ZONE_MAX);
        return tz->std_off;
    }
    sod = t % SEC_PER_DAY;
    days = t / SEC_PER_DAY - (sod < 0);
    sod += sod < 0 ? SEC_PER_DAY : 0;
    cmn_go_civil_from_days(days, &y, &m, &d);
    ysec = (days - cmn_go_days_from_civil(y, 1, 1)) * SEC_PER_DAY + sod;
    start = rule_time(y, &tz->start, tz->std_off);
    end = rule_time(y, &tz->end, tz->dst_off);
    if (start < end)
        dst = ysec >= start && ysec < end;
    else /* southern hemisphere: daylight time spans the new year */
        dst = !(ysec >= end && ysec < start);
    if (abbr)
        cmn_strlcpy(abbr, dst ? tz->dst_name : tz->std_name, CMN_GO_ZONE_MAX);
    return dst ? tz->dst_off : tz->std_off;
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_hdr {
    uint32_t isut, isstd, leap, time, type, chars;
};

static bool read_hdr(const unsigned char *d, size_t len, struct tzif_hdr *h)
{
    if (len < 44 || memcmp(d, "TZif", 4) != 0)
        return false;
    h->isut = be32(d + 20);
    h->isstd = be32(d + 24);
    h->leap = be32(d + 28);
    h->time = be32(d + 32);
    h->type = be32(d + 36);
    h->chars = be32(d + 40);
    return h->time <= TZ_MAX_TIMES && h->type >= 1 && h->type <= TZ_MAX_TYPES && h->leap <= 1000 &&
           h->chars <= TZ_MAX_CHARS && h->isut <= h->type && h->isstd <= h->type;
}

static size_t block_len(const struct tzif_hdr *h, size_t tsize)
{
    return h->time * tsize + h->time + h->type * 6 + h->chars + h->leap * (tsize + 4) + h->isstd +
           h->isut;
}

static bool load_block(struct cmn_go_tz *z, const unsigned char *p, const struct tzif_hdr *h,
                       size_t tsize)
{
    z->ntx = h->time;
    z->ntypes = h->type;
    z->nchars = h->chars;
    z->tx = calloc(h->time + 1, sizeof(*z->tx));
    z->txi = calloc(h->time + 1, 1);
    z->off = calloc(h->type, sizeof(*z->off));
    z->isdst = calloc(h->type, 1);
    z->abbr_i = calloc(h->type, 1);
    z->chars = calloc(h->chars + 1, 1);
    if (!z->tx || !z->txi || !z->off || !z->isdst || !z->abbr_i || !z->chars)
        return false;
    for (size_t i = 0; i < h->time; i++)
        z->tx[i] = tsize == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
    p += h->time * tsize;
    for (size_t i = 0; i < h->time; i++)
        if ((z->txi[i] = p[i]) >= h->type)
            return false;
    p += h->time;
    for (size_t i = 0; i < h->type; i++) {
        z->off[i] = (int32_t)be32(p + i * 6);
        z->isdst[i] = p[i * 6 + 4];
        z->abbr_i[i] = p[i * 6 + 5];
        if (z->abbr_i[i] > h->chars)
            return false;
    }
    memcpy(z->chars, p + h->type * 6, h->chars);
    return true;
}

/* Go's lookupFirstZone: the zone before the first transition. */
static uint8_t first_zone(const struct cmn_go_tz *z)
{
    bool used = false;

    for (size_t i = 0; i < z->ntx; i++)
        used |= z->txi[i] == 0;
    if (!used)
        return 0;
    if (z->ntx > 0 && z->isdst[z->txi[0]]) {
        for (int i = (int)z->txi[0] - 1; i >= 0; i--)
            if (!z->isdst[i])
                return (uint8_t)i;
    }
    for (size_t i = 0; i < z->ntypes; i++)
        if (!z->isdst[i])
            return (uint8_t)i;
    return 0;
}

/* The footer: "\n<POSIX TZ>\n" after the 64-bit block; optional, and ignored when Go could
 * not use it either. */
static void load_footer(struct cmn_go_tz *z, const unsigned char *p, size_t len)
{
    char buf[128];
    const unsigned char *nl;

    if (len < 2 || p[0] != '\n')
        return;
    nl = memchr(p + 1, '\n', len - 1);
    if (!nl || (size_t)(nl - p - 1) >= sizeof(buf) || memchr(p + 1, '\0', (size_t)(nl - p - 1)))
        return;
    memcpy(buf, p + 1, (size_t)(nl - p - 1));
    buf[nl - p - 1] = '\0';
    z->has_extend = buf[0] && tz_parse(buf, &z->extend);
}

void cmn_go_tz_destroy(struct cmn_go_tz *z)
{
    if (!z)
        return;
    free(z->tx);
    free(z->txi);
    free(z->off);
    free(z->isdst);
    free(z->abbr_i);
    free(z->chars);
    free(z);
}

struct cmn_go_tz *cmn_go_tz_parse(const unsigned char *data, size_t len)
{
    struct cmn_go_tz *z = calloc(1, sizeof(*z));
    struct tzif_hdr h;
    size_t at = 44, blen;
    bool ok = false;

    if (!z || !read_hdr(data, len, &h))
        goto out;
    blen = block_len(&h, 4);
    if (len - at < blen)
        goto out;
    if (data[4] >= '2') { /* the 64-bit block follows the 32-bit one: use it */
        at += blen;
        if (!read_hdr(data + at, len - at, &h))
            goto out;
        at += 44;
        blen = block_len(&h, 8);
        if (len - at < blen || !load_block(z, data + at, &h, 8))
            goto out;
        load_footer(z, data + at + blen, len - at - blen);
        ok = true;
    } else {
        ok = load_block(z, data + at, &h, 4);
    }
    if (ok)
        z->first = first_zone(z);
out:
    if (!ok) {
        cmn_go_tz_destroy(z);
        return NULL;
    }
    return z;
}

static int32_t type_lookup(const struct cmn_go_tz *z, size_t type, char *abbr)
{
    if (abbr)
        cmn_strlcpy(abbr, z->chars + z->abbr_i[type], CMN_GO_ZONE_MAX);
    return z->off[type];
}

int32_t cmn_go_tz_lookup(const struct cmn_go_tz *z, int64_t t, char abbr[CMN_GO_ZONE_MAX])
{
    size_t lo = 0, hi = z->ntx;

    /* Go gives a zone without transitions one at the beginning of time */
    if (z->ntx > 0 && t < z->tx[0])
        return type_lookup(z, z->first, abbr);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t < z->tx[mid])
            hi = mid;
        else
            lo = mid;
    }
    if ((z->ntx == 0 || lo == z->ntx - 1) && z->has_extend)
        return extend_lookup(&z->extend, t, abbr);
    return type_lookup(z, z->ntx ? z->txi[lo] : 0, abbr);
}
