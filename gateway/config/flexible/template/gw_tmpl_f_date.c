/* gw_tmpl_f_date.c - sprig's date functions (now, date, dateInZone, htmlDate, htmlDateInZone,
 * unixEpoch, dateModify, ago, durationRound) on the host's clock. Zones: UTC, Local (the
 * process's TZ) and the host's tz database names; an unknown name is an error here, where sprig
 * silently falls back to UTC (docs/flexible-config.md). Go's layouts: common/go's cmn_go_time. */
#include "gw_tmpl_fns.h"

#include "cmn_go_duration.h"
#include "cmn_go_time.h"
#include "cmn_go_tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000LL

bool tgotime_local(int64_t sec, int32_t *off, char *zone, size_t zsz)
{
    time_t tt = (time_t)sec;
    struct tm tm;

    if ((int64_t)tt != sec || !localtime_r(&tt, &tm))
        return false;
    *off = (int32_t)tm.tm_gmtoff;
    snprintf(zone, zsz, "%s", tm.tm_zone ? tm.tm_zone : "");
    return true;
}

bool tgotime_format(const struct tgotime *t, const char *layout, size_t n, struct cmn_buf *out)
{
    struct cmn_go_time g = cmn_go_time_unix(t->sec, t->nsec, t->off, t->zone);
    char piece[256];

    /* cmn_go_time_format reads a C string; a NUL in the layout is a literal byte that no
     * layout element contains or looks past, so the pieces between NULs format alone */
    while (n > 0) {
        const char *nul = memchr(layout, '\0', n);
        size_t k = nul ? (size_t)(nul - layout) : n;
        char *heap = NULL, *l = piece;

        if (k >= sizeof(piece)) {
            heap = malloc(k + 1);
            if (!heap)
                return false;
            l = heap;
        }
        memcpy(l, layout, k);
        l[k] = '\0';
        bool ok = cmn_go_time_format(&g, l, out);
        free(heap);
        if (!ok || (nul && cmn_buf_append(out, "", 1) != CMN_BUF_OK))
            return false;
        layout += k + (nul != NULL);
        n -= k + (nul != NULL);
    }
    return true;
}

/* The host's wall clock in nanoseconds; false (and the call fails) without one. */
static bool now_ns(struct texec *x, int64_t *ns)
{
    if (!x->host->clock) {
        tfn_fail(x, "no clock: the date functions are not available here");
        return false;
    }
    *ns = cmn_clock_now_unix_ms(x->host->clock) * 1000000;
    return true;
}

/* An instant in a zone ("", "UTC", "Local", or a tz database name when the host has zones);
 * false after failing the call for other names. */
static bool in_zone(struct texec *x, int64_t sec, int32_t nsec, const struct tstr *zone,
                    struct tgotime *t, char *zbuf, size_t zsz)
{
    t->sec = sec;
    t->nsec = nsec;
    t->off = 0;
    t->zone = "UTC";
    if (zone->n == 0 || (zone->n == 3 && memcmp(zone->p, "UTC", 3) == 0))
        return true;
    if (zone->n == 5 && memcmp(zone->p, "Local", 5) == 0) {
        if (!tgotime_local(sec, &t->off, zbuf, zsz))
            return tfn_fail(x, "cannot read the local time zone"), false;
        t->zone = zbuf;
        return true;
    }
    /* time.LoadLocation: a name of the tz database; sprig falls back to UTC for a name it does
     * not find, which would print a wrong time silently: that is an error here */
    if (x->host->zones) {
        char abbr[CMN_GO_ZONE_MAX];
        if (cmn_go_tzdb_lookup(x->host->zones, zone->p, zone->n, sec, &t->off, abbr) !=
            CMN_GO_TZ_OK)
            return tfn_fail(x, "unknown time zone \"%.*s\"", (int)(zone->n > 64 ? 64 : zone->n),
                            zone->p),
                   false;
        snprintf(zbuf, zsz, "%s", abbr);
        t->zone = zbuf;
        return true;
    }
    tfn_fail(x, "time zone \"%.*s\" is not supported by this gateway (UTC and Local are)",
             (int)(zone->n > 64 ? 64 : zone->n), zone->p);
    return false;
}

/* sprig's formatDate: a time.Time, or Unix seconds (int, int64), else now. */
static struct tv *format_date(struct texec *x, const struct tv *date, const struct tstr *layout,
                              const struct tstr *zone)
{
    struct tgotime t;
    char zbuf[64];
    int64_t sec, ns;
    int32_t nsec = 0;

    if (date->kind == TV_TIME) {
        sec = date->u.t.sec;
        nsec = date->u.t.nsec;
    } else if (date->kind == TV_INT) {
        sec = date->u.i;
    } else {
        if (!now_ns(x, &ns))
            return NULL;
        sec = ns / NS_PER_S;
        nsec = (int32_t)(ns % NS_PER_S);
    }
    if (!in_zone(x, sec, nsec, zone, &t, zbuf, sizeof(zbuf)))
        return NULL;
    cmn_buf_reset(&x->tmp);
    if (!tgotime_format(&t, layout->p, layout->n, &x->tmp))
        return texec_limitf(x, "formatted date exceeds %zu bytes", x->tmp.cap);
    return texec_tmp_string(x);
}

static const struct tstr LOCAL = {"Local", 5};

TFN_DECL(tfd_now)
{
    struct tgotime t;
    char zbuf[64];
    int64_t ns;

    if (!now_ns(x, &ns) ||
        !in_zone(x, ns / NS_PER_S, (int32_t)(ns % NS_PER_S), &LOCAL, &t, zbuf, sizeof(zbuf)))
        return NULL;
    return tv_time(x, &t);
}

TFN_DECL(tfd_date)
{
    return format_date(x, a[1], &a[0]->u.s, &LOCAL);
}

TFN_DECL(tfd_date_in_zone)
{
    return format_date(x, a[1], &a[0]->u.s, &a[2]->u.s);
}

TFN_DECL(tfd_html_date)
{
    static const struct tstr L = {"2006-01-02", 10};

    return format_date(x, a[0], &L, &LOCAL);
}

TFN_DECL(tfd_html_date_in_zone)
{
    static const struct tstr L = {"2006-01-02", 10};

    return format_date(x, a[0], &L, &a[1]->u.s);
}

static bool need_time(struct texec *x, const struct tv *v)
{
    if (v->kind == TV_TIME)
        return true;
    tfn_fail(x, "wrong type for value; expected time.Time; got %s", tv_type_name(v));
    return false;
}

TFN_DECL(tfd_unix_epoch)
{
    char b[32];

    if (!need_time(x, a[0]))
        return NULL;
    snprintf(b, sizeof(b), "%lld", (long long)a[0]->u.t.sec);
    return tv_str_copy(x, b, strlen(b));
}

/* dateModify "-1.5h" date: the date moved by a Go duration (an invalid one: the date as is;
 * mustDateModify fails instead). */
static struct tv *modify(struct texec *x, struct tv **a, bool must)
{
    struct tgotime t;
    char d[64];
    int64_t ns, total;

    if (!need_time(x, a[1]))
        return NULL;
    snprintf(d, sizeof(d), "%.*s", (int)(a[0]->u.s.n < 63 ? a[0]->u.s.n : 63), a[0]->u.s.p);
    if (a[0]->u.s.n >= 63 || !cmn_go_parse_duration(d, &ns)) {
        if (must)
            return tfn_fail(x, "time: invalid duration \"%s\"", d);
        return a[1];
    }
    t = a[1]->u.t;
    total = t.nsec + ns % NS_PER_S;
    t.sec += ns / NS_PER_S + (total >= NS_PER_S) - (total < 0);
    t.nsec = (int32_t)((total % NS_PER_S + NS_PER_S) % NS_PER_S);
    if (strcmp(t.zone, "UTC") != 0) {
        /* a Local time moved across a zone change takes the offset in force then */
        char zbuf[64];
        if (tgotime_local(t.sec, &t.off, zbuf, sizeof(zbuf)))
            t.zone = zbuf;
        return tv_time(x, &t);
    }
    return tv_time(x, &t);
}

TFN_DECL(tfd_date_modify)
{
    return modify(x, a, false);
}

TFN_DECL(tfd_must_date_modify)
{
    return modify(x, a, true);
}

/* Duration.Round(time.Second), Go's rule: halves away from zero, saturating. */
static int64_t round_seconds(int64_t d)
{
    int64_t m = NS_PER_S, r = d % m;

    if (d < 0) {
        r = -r;
        if ((uint64_t)r + (uint64_t)r < (uint64_t)m)
            return d + r;
        return d - m + r < d ? d - m + r : INT64_MIN;
    }
    if ((uint64_t)r + (uint64_t)r < (uint64_t)m)
        return d - r;
    return d + m - r > d ? d + m - r : INT64_MAX;
}

/* time.Since(t) in nanoseconds, saturating as Go's Time.Sub does. */
static bool since(struct texec *x, int64_t sec, int32_t nsec, int64_t *out)
{
    int64_t now, t;

    if (!now_ns(x, &now))
        return false;
    if (__builtin_mul_overflow(sec, NS_PER_S, &t) || __builtin_add_overflow(t, nsec, &t)) {
        *out = sec < 0 ? INT64_MAX : INT64_MIN;
        return true;
    }
    if (__builtin_sub_overflow(now, t, out))
        *out = t < 0 ? INT64_MAX : INT64_MIN;
    return true;
}

TFN_DECL(tfd_ago)
{
    char b[64];
    int64_t d = 0;

    if (a[0]->kind == TV_TIME && !since(x, a[0]->u.t.sec, a[0]->u.t.nsec, &d))
        return NULL;
    if (a[0]->kind == TV_INT && !since(x, a[0]->u.i, 0, &d))
        return NULL;
    cmn_go_format_duration(round_seconds(d), b, sizeof(b));
    return tv_str_copy(x, b, strlen(b));
}

/* durationRound: a duration (Go string, int64 nanoseconds, or the time since a time.Time) as
 * its largest whole unit: "2h", "3d", "1y" (years of 365 days, months of 30). */
TFN_DECL(tfd_duration_round)
{
    static const struct {
        uint64_t ns;
        const char *unit;
    } U[] = {{365ULL * 86400 * NS_PER_S, "y"}, {30ULL * 86400 * NS_PER_S, "mo"},
             {86400ULL * NS_PER_S, "d"},       {3600ULL * NS_PER_S, "h"},
             {60ULL * NS_PER_S, "m"},          {(uint64_t)NS_PER_S, "s"}};
    int64_t d = 0;
    uint64_t u;
    char b[48];

    if (a[0]->kind == TV_STRING) {
        char s[64];
        snprintf(s, sizeof(s), "%.*s", (int)(a[0]->u.s.n < 63 ? a[0]->u.s.n : 63), a[0]->u.s.p);
        if (a[0]->u.s.n >= 63 || !cmn_go_parse_duration(s, &d))
            d = 0;
    } else if (a[0]->kind == TV_INT && a[0]->type == GT_INT64) {
        d = a[0]->u.i;
    } else if (a[0]->kind == TV_TIME && !since(x, a[0]->u.t.sec, a[0]->u.t.nsec, &d)) {
        return NULL;
    }
    u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    for (size_t i = 0; i < sizeof(U) / sizeof(U[0]); i++) {
        if (u > U[i].ns) {
            snprintf(b, sizeof(b), "%llu%s", (unsigned long long)(u / U[i].ns), U[i].unit);
            return tv_str_copy(x, b, strlen(b));
        }
    }
    return tv_str_ref(x, "0s", 2);
}
