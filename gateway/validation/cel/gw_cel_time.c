/* gw_cel_time.c - CEL timestamps and durations: parsing and printing through Go's rules in
 * common/go (time.Parse with RFC 3339, Time.Format, time.ParseDuration, the calendar, named
 * zones), CEL's range checks, cel-go's own duration text and calendar accessors. */
#include "gw_cel_int.h"

#include "cmn_go_duration.h"
#include "cmn_go_time.h"
#include "cmn_go_tz.h"

#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000LL

/* ---- RFC 3339 ------------------------------------------------------------------------------- */

int cel_ts_parse(const char *s, size_t n, struct gw_cel_val *out)
{
    struct cmn_go_time t;

    /* cel-go: time.Parse(time.RFC3339, s), so every offset Go accepts (+24:00 included) */
    if (cmn_go_time_parse(CMN_GO_TIME_RFC3339, s, n, NULL, &t, NULL) != CMN_GO_TIME_OK)
        return -1;
    if (t.unix < CEL_TS_MIN || t.unix > CEL_TS_MAX)
        return -2;
    *out = gw_cel_timestamp(t.unix, t.nsec, t.offset);
    return 0;
}

/* The value as a Go time in its own offset. */
static struct cmn_go_time go_time(const struct gw_cel_val *ts)
{
    return cmn_go_time_unix(ts->v.ts.sec, (int64_t)ts->n, ts->v.ts.off, NULL);
}

size_t cel_ts_format(const struct gw_cel_val *ts, int max_frac, char *out, size_t n)
{
    struct cmn_go_time t = go_time(ts);

    /* string(timestamp): RFC3339Nano; `now`: KrakenD's "2006-01-02T15:04:05.999Z07:00" */
    return cmn_go_time_format_buf(&t,
                                  max_frac > 3 ? CMN_GO_TIME_RFC3339_NANO
                                               : "2006-01-02T15:04:05.999Z07:00",
                                  out, n);
}

size_t gw_cel_format_now(int64_t unix_sec, int32_t nsec, int32_t utc_offset,
                         char out[GW_CEL_NOW_MAX])
{
    struct gw_cel_val ts = gw_cel_timestamp(unix_sec, nsec, utc_offset);
    return cel_ts_format(&ts, 3, out, GW_CEL_NOW_MAX);
}

/* ---- durations ------------------------------------------------------------------------------ */

int cel_dur_parse(const char *s, size_t n, int64_t *nanos)
{
    return cmn_go_parse_duration_n(s, n, nanos) ? 0 : -1;
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
    /* time.LoadLocation: "" and "UTC" need no database */
    if (tz->n == 0 || (tz->n == 3 && memcmp(s, "UTC", 3) == 0)) {
        *off = 0;
        return gw_cel_null();
    }
    if (!c->p->env->opt.tzdb ||
        cmn_go_tzdb_lookup(c->p->env->opt.tzdb, s, tz->n, t, off, NULL) != CMN_GO_TZ_OK)
        return cel_err(c->a, "unknown time zone %.*s", (int)tz->n, s);
    return gw_cel_null();
}

struct gw_cel_val cel_ts_get(struct cel_ectx *c, enum cel_fn fn, const struct gw_cel_val *ts,
                             const struct gw_cel_val *tz)
{
    struct cmn_go_time t;
    struct cmn_go_civil cv;
    int32_t off = 0;

    if (tz) {
        struct gw_cel_val e = zone_offset(c, tz, ts->v.ts.sec, &off);
        if (e.kind == GW_CEL_ERROR)
            return e;
    }
    /* without a zone argument the accessors read UTC, whatever offset the value carries */
    t = cmn_go_time_unix(ts->v.ts.sec, (int64_t)ts->n, off, NULL);
    cmn_go_time_civil(&t, &cv);
    switch (fn) {
    case FN_GETFULLYEAR:
        return gw_cel_int(cv.year);
    case FN_GETMONTH:
        return gw_cel_int(cv.month - 1);
    case FN_GETDAYOFYEAR:
        return gw_cel_int(cv.yday - 1);
    case FN_GETDAYOFMONTH:
        return gw_cel_int(cv.day - 1);
    case FN_GETDATE:
        return gw_cel_int(cv.day);
    case FN_GETDAYOFWEEK:
        return gw_cel_int(cv.wday);
    case FN_GETHOURS:
        return gw_cel_int(cv.hour);
    case FN_GETMINUTES:
        return gw_cel_int(cv.min);
    case FN_GETSECONDS:
        return gw_cel_int(cv.sec);
    default:
        return gw_cel_int(cv.nsec / 1000000);
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
