/* gw_cel_tz.c - time zones for CEL's timestamp accessors: TZif data (RFC 8536) with its POSIX TZ
 * footer, looked up as Go's time package does, and a capped thread-safe cache of named zones. */
#include "gw_cel_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TZ_MAX_TIMES 4096
#define TZ_MAX_TYPES 256
#define TZ_NAME_MAX 128

struct rule {
    uint8_t kind; /* 'J' (Julian, no Feb 29), 'D' (zero-based day), 'M' (month.week.day) */
    int32_t day, week, mon;
    int32_t time; /* seconds after local midnight */
};

struct posix_tz {
    int32_t std_off, dst_off; /* east of UTC, seconds */
    bool has_dst;
    struct rule start, end;
};

struct cel_zone {
    size_t ntx, ntypes;
    int64_t *tx;
    uint8_t *txi;
    int32_t *off;
    uint8_t *isdst;
    uint8_t first;
    bool has_extend;
    struct posix_tz extend;
};

/* ---- POSIX TZ strings ----------------------------------------------------------------------- */

static const char *tz_name(const char *s)
{
    if (*s == '<') {
        const char *e = strchr(s, '>');
        return e && e - s >= 4 ? e + 1 : NULL;
    }
    const char *p = s;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
        p++;
    return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] into seconds; max_hours bounds hh. */
static const char *tz_hms(const char *s, int max_hours, int32_t *out)
{
    int32_t sign = 1, v[3] = {0, 0, 0};

    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (*s != ':')
                break;
            s++;
        }
        if (*s < '0' || *s > '9')
            return NULL;
        while (*s >= '0' && *s <= '9' && v[i] < 1000)
            v[i] = v[i] * 10 + (*s++ - '0');
    }
    if (v[0] > max_hours || v[1] > 59 || v[2] > 59)
        return NULL;
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return s;
}

static const char *tz_int(const char *s, int32_t lo, int32_t hi, int32_t *out)
{
    int32_t v = 0;

    if (*s < '0' || *s > '9')
        return NULL;
    while (*s >= '0' && *s <= '9' && v <= hi)
        v = v * 10 + (*s++ - '0');
    if (v < lo || v > hi)
        return NULL;
    *out = v;
    return s;
}

static const char *tz_rule(const char *s, struct rule *r)
{
    memset(r, 0, sizeof(*r));
    if (*s == 'J') {
        r->kind = 'J';
        s = tz_int(s + 1, 1, 365, &r->day);
    } else if (*s == 'M') {
        r->kind = 'M';
        s = tz_int(s + 1, 1, 12, &r->mon);
        if (s && *s == '.')
            s = tz_int(s + 1, 1, 5, &r->week);
        else
            s = NULL;
        if (s && *s == '.')
            s = tz_int(s + 1, 0, 6, &r->day);
        else
            s = NULL;
    } else {
        r->kind = 'D';
        s = tz_int(s, 0, 365, &r->day);
    }
    r->time = 7200;
    if (s && *s == '/')
        s = tz_hms(s + 1, 167, &r->time);
    return s;
}

static bool tz_parse(const char *s, struct posix_tz *tz)
{
    int32_t off;

    memset(tz, 0, sizeof(*tz));
    if (!(s = tz_name(s)) || !(s = tz_hms(s, 24, &off)))
        return false;
    tz->std_off = -off;
    if (*s == '\0')
        return true;
    if (!(s = tz_name(s)))
        return false;
    tz->has_dst = true;
    tz->dst_off = tz->std_off + 3600;
    if (*s != ',' && *s != '\0') {
        if (!(s = tz_hms(s, 24, &off)))
            return false;
        tz->dst_off = -off;
    }
    if (*s == '\0') { /* tzcode's default rule */
        tz->start = (struct rule){'M', 0, 2, 3, 7200};
        tz->end = (struct rule){'M', 0, 1, 11, 7200};
        return true;
    }
    if (*s != ',' || !(s = tz_rule(s + 1, &tz->start)) || *s != ',' ||
        !(s = tz_rule(s + 1, &tz->end)))
        return false;
    return *s == '\0';
}

/* Seconds from the start of UTC year y to the rule's transition, in a zone at offset off. */
static int64_t rule_time(int64_t y, const struct rule *r, int32_t off)
{
    int64_t day;

    if (r->kind == 'J') {
        day = r->day - 1;
        if (day >= 59 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
            day++;
    } else if (r->kind == 'D') {
        day = r->day;
    } else {
        int64_t first = cel_days_from_civil(y, (unsigned)r->mon, 1);
        int64_t dow = ((first + 4) % 7 + 7) % 7, d = ((r->day - dow) % 7 + 7) % 7;
        int64_t next = cel_days_from_civil(r->mon == 12 ? y + 1 : y,
                                           r->mon == 12 ? 1u : (unsigned)r->mon + 1, 1);
        for (int i = 1; i < r->week && first + d + 7 < next; i++)
            d += 7;
        day = first + d - cel_days_from_civil(y, 1, 1);
    }
    return day * 86400 + r->time - off;
}

static int32_t tz_offset(const struct posix_tz *tz, int64_t t)
{
    int64_t y, ystart, start, end;
    unsigned m, d;

    if (!tz->has_dst)
        return tz->std_off;
    cel_civil_from_days(t >= 0 ? t / 86400 : -((-t + 86399) / 86400), &y, &m, &d);
    ystart = cel_days_from_civil(y, 1, 1) * 86400;
    start = rule_time(y, &tz->start, tz->std_off);
    end = rule_time(y, &tz->end, tz->dst_off);
    t -= ystart;
    if (start < end)
        return t >= start && t < end ? tz->dst_off : tz->std_off;
    return t >= end && t < start ? tz->std_off : tz->dst_off;
}

/* ---- TZif ----------------------------------------------------------------------------------- */

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
           h->chars <= 1000 && h->isut <= h->type && h->isstd <= h->type;
}

static size_t block_len(const struct tzif_hdr *h, size_t tsize)
{
    return h->time * tsize + h->time + h->type * 6 + h->chars + h->leap * (tsize + 4) + h->isstd +
           h->isut;
}

static bool load_block(struct cel_zone *z, const unsigned char *p, const struct tzif_hdr *h,
                       size_t tsize)
{
    z->ntx = h->time;
    z->ntypes = h->type;
    z->tx = calloc(h->time + 1, sizeof(*z->tx));
    z->txi = calloc(h->time + 1, 1);
    z->off = calloc(h->type, sizeof(*z->off));
    z->isdst = calloc(h->type, 1);
    if (!z->tx || !z->txi || !z->off || !z->isdst)
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
    }
    return true;
}

/* Go's lookupFirstZone: the zone before the first transition. */
static uint8_t first_zone(const struct cel_zone *z)
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
    return 0;
}

static bool load_footer(struct cel_zone *z, const unsigned char *p, size_t len)
{
    char buf[128];
    const unsigned char *nl;

    if (len < 2 || p[0] != '\n')
        return true; /* a footer is optional */
    nl = memchr(p + 1, '\n', len - 1);
    if (!nl || (size_t)(nl - p - 1) >= sizeof(buf))
        return true;
    memcpy(buf, p + 1, (size_t)(nl - p - 1));
    buf[nl - p - 1] = '\0';
    if (buf[0] && tz_parse(buf, &z->extend))
        z->has_extend = true;
    return true;
}

void cel_zone_free(struct cel_zone *z)
{
    if (!z)
        return;
    free(z->tx);
    free(z->txi);
    free(z->off);
    free(z->isdst);
    free(z);
}

struct cel_zone *cel_zone_parse(const unsigned char *data, size_t len)
{
    struct cel_zone *z = calloc(1, sizeof(*z));
    struct tzif_hdr h;
    size_t at = 44, blen;
    bool ok = false;

    if (!z || !read_hdr(data, len, &h))
        goto out;
    blen = block_len(&h, 4);
    if (len - at < blen)
        goto out;
    if (data[4] >= '2') { /* skip the 32-bit block: the 64-bit one follows */
        at += blen;
        if (!read_hdr(data + at, len - at, &h))
            goto out;
        at += 44;
        blen = block_len(&h, 8);
        if (len - at < blen || !load_block(z, data + at, &h, 8))
            goto out;
        ok = load_footer(z, data + at + blen, len - at - blen);
    } else {
        ok = load_block(z, data + at, &h, 4);
    }
    z->first = first_zone(z);
out:
    if (!ok) {
        cel_zone_free(z);
        return NULL;
    }
    return z;
}

int32_t cel_zone_offset(const struct cel_zone *z, int64_t t)
{
    size_t lo = 0, hi = z->ntx;

    if (z->ntx == 0 || t < z->tx[0])
        return z->off[z->first];
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t < z->tx[mid])
            hi = mid;
        else
            lo = mid;
    }
    if (lo == z->ntx - 1 && z->has_extend)
        return tz_offset(&z->extend, t);
    return z->off[z->txi[lo]];
}

/* ---- cache ---------------------------------------------------------------------------------- */

struct tz_entry {
    char name[TZ_NAME_MAX + 1];
    struct cel_zone *zone; /* NULL: the loader said no */
};

struct gw_cel_tzdb {
    pthread_mutex_t lock;
    gw_cel_tz_loader loader;
    void *ctx;
    struct tz_entry *entries;
    size_t n, max;
    void (*ctx_free)(void *);
};

struct gw_cel_tzdb *gw_cel_tzdb_new(gw_cel_tz_loader loader, void *ctx, size_t max_zones)
{
    struct gw_cel_tzdb *db = calloc(1, sizeof(*db));

    if (!db)
        return NULL;
    db->max = max_zones ? max_zones : 64;
    db->entries = calloc(db->max, sizeof(*db->entries));
    if (!db->entries || pthread_mutex_init(&db->lock, NULL) != 0) {
        free(db->entries);
        free(db);
        return NULL;
    }
    db->loader = loader;
    db->ctx = ctx;
    return db;
}

void cel_tzdb_set_ctx_free(struct gw_cel_tzdb *db, void (*fn)(void *))
{
    db->ctx_free = fn;
}

void gw_cel_tzdb_destroy(struct gw_cel_tzdb *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->n; i++)
        cel_zone_free(db->entries[i].zone);
    if (db->ctx_free)
        db->ctx_free(db->ctx);
    pthread_mutex_destroy(&db->lock);
    free(db->entries);
    free(db);
}

static const struct cel_zone *load_zone(struct gw_cel_tzdb *db, const char *name)
{
    unsigned char *data = NULL;
    size_t len = 0;
    struct cel_zone *z = NULL;

    if (db->loader && db->loader(db->ctx, name, &data, &len) == 0) {
        z = cel_zone_parse(data, len);
        free(data);
    }
    if (db->n < db->max) { /* remember misses too, so a bad name costs one load */
        memcpy(db->entries[db->n].name, name, strlen(name) + 1);
        db->entries[db->n++].zone = z;
    } else {
        cel_zone_free(z);
        z = NULL;
    }
    return z;
}

int cel_tzdb_offset(struct gw_cel_tzdb *db, const char *name, size_t len, int64_t t, int32_t *off)
{
    const struct cel_zone *z = NULL;
    char key[TZ_NAME_MAX + 1];
    size_t i;

    if (!db || len == 0 || len > TZ_NAME_MAX || memchr(name, '\0', len))
        return -1;
    memcpy(key, name, len);
    key[len] = '\0';
    pthread_mutex_lock(&db->lock);
    for (i = 0; i < db->n && strcmp(db->entries[i].name, key) != 0; i++)
        ;
    z = i < db->n ? db->entries[i].zone : load_zone(db, key);
    if (z)
        *off = cel_zone_offset(z, t);
    pthread_mutex_unlock(&db->lock);
    return z ? 0 : -1;
}
