/* cmn_go_time.h - Go's time package rules, each once: the proleptic Gregorian calendar,
 * Time.Format with a layout (every element Go knows), time.Parse and time.ParseInLocation with
 * fixed-offset locations and Go's ParseError texts, RFC 3339 in both directions. Pure: no
 * clock, no files, no C library time zone state (named zones: cmn_go_tz.h). */
#ifndef CMN_GO_TIME_H
#define CMN_GO_TIME_H

#include "cmn_buf.h"
#include "cmn_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Go's layout constants (time.Layout, time.ANSIC, ...): the reference time
 * Mon Jan 2 15:04:05 MST 2006 written the way the output should look. */
#define CMN_GO_TIME_LAYOUT "01/02 03:04:05PM '06 -0700"
#define CMN_GO_TIME_ANSIC "Mon Jan _2 15:04:05 2006"
#define CMN_GO_TIME_UNIX_DATE "Mon Jan _2 15:04:05 MST 2006"
#define CMN_GO_TIME_RUBY_DATE "Mon Jan 02 15:04:05 -0700 2006"
#define CMN_GO_TIME_RFC822 "02 Jan 06 15:04 MST"
#define CMN_GO_TIME_RFC822Z "02 Jan 06 15:04 -0700"
#define CMN_GO_TIME_RFC850 "Monday, 02-Jan-06 15:04:05 MST"
#define CMN_GO_TIME_RFC1123 "Mon, 02 Jan 2006 15:04:05 MST"
#define CMN_GO_TIME_RFC1123Z "Mon, 02 Jan 2006 15:04:05 -0700"
#define CMN_GO_TIME_RFC3339 "2006-01-02T15:04:05Z07:00"
#define CMN_GO_TIME_RFC3339_NANO "2006-01-02T15:04:05.999999999Z07:00"
#define CMN_GO_TIME_KITCHEN "3:04PM"
#define CMN_GO_TIME_STAMP "Jan _2 15:04:05"
#define CMN_GO_TIME_STAMP_MILLI "Jan _2 15:04:05.000"
#define CMN_GO_TIME_STAMP_MICRO "Jan _2 15:04:05.000000"
#define CMN_GO_TIME_STAMP_NANO "Jan _2 15:04:05.000000000"
#define CMN_GO_TIME_DATE_TIME "2006-01-02 15:04:05"
#define CMN_GO_TIME_DATE_ONLY "2006-01-02"
#define CMN_GO_TIME_TIME_ONLY "15:04:05"

/* A zone abbreviation as kept in a time: longer names are cut. */
#define CMN_GO_ZONE_MAX 16

/* Go's time.Time without its monotonic reading: an instant and the zone it is shown in. */
struct cmn_go_time {
    int64_t unix;               /* seconds since 1970-01-01T00:00:00Z */
    int32_t nsec;               /* 0 .. 999,999,999 */
    int32_t offset;             /* the zone's offset east of UTC, seconds */
    char zone[CMN_GO_ZONE_MAX]; /* its abbreviation ("UTC", "MST"); "" for a nameless fixed
                                 * zone, which "MST" in a layout prints as -0700 */
};

/* ---- calendar (proleptic Gregorian, any int64 year a time can reach) ---- */

bool cmn_go_is_leap(int64_t year);
/* Days in month (1..12) of year. */
int cmn_go_days_in(int month, int64_t year);
/* Days since 1970-01-01 of year-month-day; month 1..12, day may run past the month (31 Jan + 1
 * is 1 Feb) or be 0 or negative, as time.Date normalises it. */
int64_t cmn_go_days_from_civil(int64_t year, int month, int day);
/* The date of a day count since 1970-01-01. */
void cmn_go_civil_from_days(int64_t days, int64_t *year, int *month, int *day);
/* Day of the week of a day count: 0 Sunday .. 6 Saturday (time.Weekday). */
int cmn_go_weekday(int64_t days);

/* A time's fields in its own zone, as Time.Date, Clock, Weekday and YearDay give them. */
struct cmn_go_civil {
    int64_t year;
    int month, day, hour, min, sec; /* month 1..12, day 1..31 */
    int32_t nsec;
    int wday; /* 0 Sunday .. 6 Saturday */
    int yday; /* 1 .. 366 */
};
void cmn_go_time_civil(const struct cmn_go_time *t, struct cmn_go_civil *c);

/* time.Unix(sec, nsec).In(FixedZone(zone, offset)): nsec outside 0..999,999,999 carries into
 * the seconds as Go's does; zone may be NULL (""), a longer one is cut. */
struct cmn_go_time cmn_go_time_unix(int64_t sec, int64_t nsec, int32_t offset, const char *zone);

/* ---- Format ---- */

/* Time.Format(layout) appended to out: every element of Go's layouts (2006 06 Jan January 01
 * 1 Mon Monday 02 _2 2 __2 002 15 03 3 04 4 05 5 PM pm MST Z0700 Z07:00 Z07 Z070000 Z07:00:00
 * -0700 -07:00 -07 -070000 -07:00:00 and .000/.999/,000/,999 fractions), everything else
 * copied. False when the buffer refuses the bytes. */
bool cmn_go_time_format(const struct cmn_go_time *t, const char *layout, struct cmn_buf *out);

/* The same into out[0..size), NUL-terminated and cut to fit; returns the full length (as
 * snprintf), so a result >= size means it was cut. */
size_t cmn_go_time_format_buf(const struct cmn_go_time *t, const char *layout, char *out,
                              size_t size);

/* Room for any RFC 3339 text of a cmn_go_time, NUL included. */
#define CMN_GO_RFC3339_MAX 64

/* Time.Format(time.RFC3339) (nano false) or time.RFC3339Nano (fraction with trailing zeros
 * removed) into out; returns the length. This is also json.Marshal's form of a time. */
size_t cmn_go_time_rfc3339(const struct cmn_go_time *t, bool nano, char out[CMN_GO_RFC3339_MAX]);

/* ---- Parse ---- */

enum cmn_go_time_status {
    CMN_GO_TIME_OK = 0,
    CMN_GO_TIME_PARSE, /* Go's *time.ParseError: err->msg is its Error() text */
};

/* A fixed-offset location, time.FixedZone(name, offset); name NULL is "". */
struct cmn_go_loc {
    const char *name;
    int32_t offset;
};

/* time.Parse(layout, value[0..n)) in a process whose time.Local is local (NULL: UTC, as in the
 * gateway's container). Fills *t or returns CMN_GO_TIME_PARSE with Go's message in err (err may
 * be NULL: no message is built, for callers trying layouts in turn), e.g.
 * `parsing time "2023-1-02" as "2006-01-02": cannot parse "1-02" as "01"` or
 * `parsing time "2023-02-29": day out of range`. An unknown zone abbreviation gives a zone of
 * that name at offset 0 (GMT+h at +h), as Go does. */
enum cmn_go_time_status cmn_go_time_parse(const char *layout, const char *value, size_t n,
                                          const struct cmn_go_loc *local, struct cmn_go_time *t,
                                          struct cmn_err *err);

/* time.ParseInLocation(layout, value[0..n), loc) for a fixed location (NULL: UTC): a value
 * without zone is read in loc, and a zone offset or abbreviation is matched against loc. */
enum cmn_go_time_status cmn_go_time_parse_in(const char *layout, const char *value, size_t n,
                                             const struct cmn_go_loc *loc, struct cmn_go_time *t,
                                             struct cmn_err *err);

#endif
