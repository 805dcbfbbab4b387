/* test_cmn_go_time_parse.c - time.Parse and ParseInLocation (fixed zones) in common/go: Go's own
 * tables from time/format_test.go and example_test.go (Local there is America/Los_Angeles: a
 * fixed "PST" zone here), Go's ParseError texts, the encoding branch's feed cases, RFC 3339
 * round trips, leap days, dates before 1970 and after 2038. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_go_time.h"

static const struct cmn_go_loc PST = {"PST", -28800};

static struct cmn_go_time must_parse(const char *layout, const char *value,
                                     const struct cmn_go_loc *local)
{
    struct cmn_go_time t;
    struct cmn_err err = {0};

    if (cmn_go_time_parse(layout, value, strlen(value), local, &t, &err) != CMN_GO_TIME_OK)
        fail_msg("Parse(%s, %s): %s", layout, value, err.msg);
    return t;
}

static void expect_str(const struct cmn_go_time *t, const char *want)
{
    char got[128];

    cmn_go_time_format_buf(t, "2006-01-02 15:04:05.999999999 -0700 MST", got, sizeof(got));
    if (strcmp(got, want) != 0)
        fail_msg("got \"%s\", want \"%s\"", got, want);
}

/* Go's parseTests: each value is Thu Feb 4 21:00:57 PST 2010 (year unknown for Stamps) with
 * the fraction digits of "012345678" the value holds. */
static const struct {
    const char *layout, *value;
    bool tz, wd, year;
    int frac;
} go_parse[] = {
    {CMN_GO_TIME_ANSIC, "Thu Feb  4 21:00:57 2010", false, true, true, 0},
    {CMN_GO_TIME_UNIX_DATE, "Thu Feb  4 21:00:57 PST 2010", true, true, true, 0},
    {CMN_GO_TIME_RUBY_DATE, "Thu Feb 04 21:00:57 -0800 2010", true, true, true, 0},
    {CMN_GO_TIME_RFC850, "Thursday, 04-Feb-10 21:00:57 PST", true, true, true, 0},
    {CMN_GO_TIME_RFC1123, "Thu, 04 Feb 2010 21:00:57 PST", true, true, true, 0},
    {CMN_GO_TIME_RFC1123Z, "Thu, 04 Feb 2010 21:00:57 -0800", true, true, true, 0},
    {CMN_GO_TIME_RFC3339, "2010-02-04T21:00:57-08:00", true, false, true, 0},
    {"2006-01-02 15:04:05-07", "2010-02-04 21:00:57-08", true, false, true, 0},
    {CMN_GO_TIME_ANSIC, "Thu Feb  4 21:00:57.0 2010", false, true, true, 1},
    {CMN_GO_TIME_UNIX_DATE, "Thu Feb  4 21:00:57.01 PST 2010", true, true, true, 2},
    {CMN_GO_TIME_RUBY_DATE, "Thu Feb 04 21:00:57.012 -0800 2010", true, true, true, 3},
    {CMN_GO_TIME_RFC850, "Thursday, 04-Feb-10 21:00:57.0123 PST", true, true, true, 4},
    {CMN_GO_TIME_RFC1123, "Thu, 04 Feb 2010 21:00:57.01234 PST", true, true, true, 5},
    {CMN_GO_TIME_RFC1123Z, "Thu, 04 Feb 2010 21:00:57.01234 -0800", true, true, true, 5},
    {CMN_GO_TIME_RFC3339, "2010-02-04T21:00:57.012345678-08:00", true, false, true, 9},
    {"2006-01-02 15:04:05", "2010-02-04 21:00:57.0", false, false, true, 0},
    {CMN_GO_TIME_ANSIC, "Thu Feb 4 21:00:57 2010", false, true, true, 0},
    {CMN_GO_TIME_ANSIC, "Thu      Feb     4     21:00:57     2010", false, true, true, 0},
    {CMN_GO_TIME_ANSIC, "THU FEB 4 21:00:57 2010", false, true, true, 0},
    {CMN_GO_TIME_ANSIC, "thu feb 4 21:00:57 2010", false, true, true, 0},
    {"Mon Jan _2 15:04:05.000 2006", "Thu Feb  4 21:00:57.012 2010", false, true, true, 3},
    {"Mon Jan _2 15:04:05.000000 2006", "Thu Feb  4 21:00:57.012345 2010", false, true, true, 6},
    {"Mon Jan _2 15:04:05.000000000 2006", "Thu Feb  4 21:00:57.012345678 2010", false, true, true,
     9},
    {"Mon Jan _2 15:04:05,000 2006", "Thu Feb  4 21:00:57.012 2010", false, true, true, 3},
    {"Mon Jan _2 15:04:05,000000 2006", "Thu Feb  4 21:00:57.012345 2010", false, true, true, 6},
    {"Mon Jan _2 15:04:05,000000000 2006", "Thu Feb  4 21:00:57.012345678 2010", false, true, true,
     9},
    {"2006.01.02.15.04.05.0", "2010.02.04.21.00.57.0", false, false, true, 1},
    {"2006.01.02.15.04.05.00", "2010.02.04.21.00.57.01", false, false, true, 2},
    {"Hi Janet, the Month is January: Jan _2 15:04:05 2006",
     "Hi Janet, the Month is February: Feb  4 21:00:57 2010", false, true, true, 0},
    /* GMT-8: unknown to Local, so the clock reading stays UTC and is shown at -8 */
    {CMN_GO_TIME_UNIX_DATE, "Fri Feb  5 05:00:57 GMT-8 2010", true, true, true, 0},
    {"2006-01-02 15:04:05.9999 -0700 MST", "2010-02-04 21:00:57 -0800 PST", true, false, true, 0},
    {"2006-01-02 15:04:05.999999999 -0700 MST", "2010-02-04 21:00:57 -0800 PST", true, false, true,
     0},
    {"2006-01-02 15:04:05.9999 -0700 MST", "2010-02-04 21:00:57.0123 -0800 PST", true, false, true,
     4},
    {"2006-01-02 15:04:05.9999 -0700 MST", "2010-02-04 21:00:57.012345678 -0800 PST", true, false,
     true, 9},
    {"2006-01-02 15:04:05,9999 -0700 MST", "2010-02-04 21:00:57.0123 -0800 PST", true, false, true,
     4},
    {"2006-01-02 15:04:05,999999999 -0700 MST", "2010-02-04 21:00:57.012345678 -0800 PST", true,
     false, true, 9},
    {CMN_GO_TIME_STAMP_NANO, "Feb  4 21:00:57.012345678", false, false, false, 9},
    {"Jan _2 15:04:05.999", "Feb  4 21:00:57.012300000", false, false, false, 4},
    {"Jan _2 15:04:05.999", "Feb  4 21:00:57.012345678", false, false, false, 9},
    {"Jan _2 15:04:05.999999999", "Feb  4 21:00:57.0123", false, false, false, 4},
    {"2006-01-02 002 15:04:05", "2010-02-04 035 21:00:57", false, false, true, 0},
    {"2006-01 002 15:04:05", "2010-02 035 21:00:57", false, false, true, 0},
    {"2006-002 15:04:05", "2010-035 21:00:57", false, false, true, 0},
    {"200600201 15:04:05", "201003502 21:00:57", false, false, true, 0},
    {"200600204 15:04:05", "201003504 21:00:57", false, false, true, 0},
    /* rubyTests */
    {CMN_GO_TIME_RUBY_DATE, "Thu Feb 04 21:00:57 -0000 2010", false, true, true, 0},
    {CMN_GO_TIME_RUBY_DATE, "Thu Feb 04 21:00:57 +1130 2010", false, true, true, 0},
};

static void go_parse_tests(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(go_parse) / sizeof(go_parse[0]); i++) {
        struct cmn_go_time t = must_parse(go_parse[i].layout, go_parse[i].value, &PST);
        struct cmn_go_civil c;
        char digits[10] = "000000000";
        cmn_go_time_civil(&t, &c);
        memcpy(digits, "012345678", (size_t)go_parse[i].frac);
        if ((go_parse[i].year && c.year != 2010) || c.month != 2 || c.day != 4 || c.hour != 21 ||
            c.min != 0 || c.sec != 57 || c.nsec != strtol(digits, NULL, 10) ||
            (go_parse[i].tz && t.offset != -28800) || (go_parse[i].wd && c.wday != 4))
            fail_msg("%s / %s: %lld-%d-%d %d:%d:%d.%09d off %d wday %d", go_parse[i].layout,
                     go_parse[i].value, (long long)c.year, c.month, c.day, c.hour, c.min, c.sec,
                     (int)c.nsec, (int)t.offset, c.wday);
    }
}

/* Go's parseErrorTests (the text must appear in the error), and exact texts. */
static void go_parse_errors(void **state)
{
    static const struct {
        const char *layout, *value, *want;
        bool exact;
    } c[] = {
        {CMN_GO_TIME_ANSIC, "Feb  4 21:00:60 2010", "cannot parse", false},
        {CMN_GO_TIME_ANSIC, "Thu Feb  4 21:00:57 @2010", "cannot parse", false},
        {CMN_GO_TIME_ANSIC, "Thu Feb  4 21:00:60 2010", "second out of range", false},
        {CMN_GO_TIME_ANSIC, "Thu Feb  4 21:61:57 2010", "minute out of range", false},
        {CMN_GO_TIME_ANSIC, "Thu Feb  4 24:00:60 2010", "hour out of range", false},
        {"Mon Jan _2 15:04:05.000 2006", "Thu Feb  4 23:00:59x01 2010", "cannot parse", false},
        {"Mon Jan _2 15:04:05.000 2006", "Thu Feb  4 23:00:59.xxx 2010", "cannot parse", false},
        {"Mon Jan _2 15:04:05.000 2006", "Thu Feb  4 23:00:59.-123 2010",
         "fractional second out of range", false},
        {CMN_GO_TIME_STAMP_NANO, "Dec  7 11:22:01.000000",
         "cannot parse \".000000\" as \".000000000\"", false},
        {CMN_GO_TIME_STAMP_NANO, "Dec  7 11:22:01.0000000000", "extra text: \"0\"", false},
        {CMN_GO_TIME_RFC3339, "2006-01-02T15:04:05Z07:00",
         "parsing time \"2006-01-02T15:04:05Z07:00\": extra text: \"07:00\"", true},
        {CMN_GO_TIME_RFC3339, "2006-01-02T15:04_abc",
         "parsing time \"2006-01-02T15:04_abc\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
         "\"_abc\" as \":\"",
         true},
        {CMN_GO_TIME_RFC3339, "2006-01-02T15:04:05_abc",
         "parsing time \"2006-01-02T15:04:05_abc\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
         "\"_abc\" as \"Z07:00\"",
         true},
        {CMN_GO_TIME_RFC3339, "2006-01-02T15:04:05Z_abc",
         "parsing time \"2006-01-02T15:04:05Z_abc\": extra text: \"_abc\"", true},
        {CMN_GO_TIME_RFC3339, "2010-02-04T21:00:67.012345678-08:00", "second out of range", false},
        {"_2 Jan 06 15:04 MST", "4 --- 00 00:00 GMT", "cannot parse", false},
        {"_2 January 06 15:04 MST", "4 --- 00 00:00 GMT", "cannot parse", false},
        {"Jan _2 002 2006", "Feb  4 034 2006", "day-of-year does not match day", false},
        {"Jan _2 002 2006", "Feb  4 004 2006", "day-of-year does not match month", false},
        {"2006-002", "2010-366", "parsing time \"2010-366\": day-of-year out of range", true},
        {"01 MST", "0 MST",
         "parsing time \"0 MST\" as \"01 MST\": cannot parse \"0 MST\" as \"01\"", true},
        {"01 MST", "1 MST", "cannot parse \"1 MST\" as \"01\"", false},
        {CMN_GO_TIME_RFC850, "Thursday, 04-Feb-1 21:00:57 PST", "cannot parse \"1 21", false},
        {"01-02", "00-01", "parsing time \"00-01\": month out of range", true},
        {"01-02", "13-01", "parsing time \"13-01\": month out of range", true},
        /* the encoding branch's cases, with Go's messages */
        {CMN_GO_TIME_DATE_ONLY, "2023-02-29", "parsing time \"2023-02-29\": day out of range",
         true},
        {CMN_GO_TIME_DATE_ONLY, "2023-1-02",
         "parsing time \"2023-1-02\" as \"2006-01-02\": cannot parse \"1-02\" as \"01\"", true},
        {CMN_GO_TIME_DATE_ONLY, "2023-01-02 ", "parsing time \"2023-01-02 \": extra text: \" \"",
         true},
        {"15:4", "24:00", "parsing time \"24:00\": hour out of range", true},
        {CMN_GO_TIME_DATE_ONLY, "2023/01/02",
         "parsing time \"2023/01/02\" as \"2006-01-02\": cannot parse \"/01/02\" as \"-\"", true},
        /* time.quote: control bytes, non-ASCII and invalid UTF-8 as \x, " and \ escaped */
        {"2006", "\"\\\x01\xc3\xa9\xff",
         "parsing time \"\\\"\\\\\\x01\\xc3\\xa9\\xff\" as \"2006\": cannot parse "
         "\"\\\"\\\\\\x01\\xc3\\xa9\\xff\" as \"2006\"",
         true},
        {"Z07:00", "+25:00", "time zone offset hour out of range", false},
        {"Z07:00", "+02:61", "time zone offset minute out of range", false},
        {"-07:00:00", "+02:00:61", "time zone offset second out of range", false},
        {"Z07:00", "x02:00", "cannot parse \"x02:00\" as \"Z07:00\"", false},
        {"MST", "Mst", "cannot parse \"Mst\" as \"MST\"", false},
        {"MST", "ESASTT", "cannot parse \"ESASTT\" as \"MST\"", false},
        {"PM", "XM", "cannot parse \"XM\" as \"PM\"", false},
        {"Jan", "Jun", "", false}, /* no error: see below */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct cmn_go_time t;
        struct cmn_err err = {0};
        enum cmn_go_time_status st =
            cmn_go_time_parse(c[i].layout, c[i].value, strlen(c[i].value), NULL, &t, &err);
        if (!c[i].want[0]) {
            assert_int_equal(st, CMN_GO_TIME_OK);
            continue;
        }
        if (st != CMN_GO_TIME_PARSE ||
            (c[i].exact ? strcmp(err.msg, c[i].want) != 0 : !strstr(err.msg, c[i].want)))
            fail_msg("Parse(%s, %s): got %d \"%s\", want \"%s\"", c[i].layout, c[i].value, st,
                     err.msg, c[i].want);
    }
}

/* TestParseDayOutOfRange, TestParseYday, noon/midnight, TestMinutesInTimeZone, seconds in zone
 * offsets (parse and format back), TestUnderscoreTwoThousand, TestMissingZone. */
static void go_parse_fields(void **state)
{
    static const struct {
        const char *v;
        bool ok;
    } days[] = {
        {"Thu Jan 99 21:00:57 2010", false}, {"Thu Jan 31 21:00:57 2010", true},
        {"Thu Jan 32 21:00:57 2010", false}, {"Thu Feb 28 21:00:57 2012", true},
        {"Thu Feb 29 21:00:57 2012", true},  {"Thu Feb 29 21:00:57 2010", false},
        {"Thu Mar 31 21:00:57 2010", true},  {"Thu Mar 32 21:00:57 2010", false},
        {"Thu Apr 30 21:00:57 2010", true},  {"Thu Apr 31 21:00:57 2010", false},
        {"Thu Jun 31 21:00:57 2010", false}, {"Thu Sep 31 21:00:57 2010", false},
        {"Thu Nov 30 21:00:57 2010", true},  {"Thu Nov 31 21:00:57 2010", false},
        {"Thu Dec 31 21:00:57 2010", true},  {"Thu Dec 32 21:00:57 2010", false},
        {"Thu Dec 00 21:00:57 2010", false}, {"Thu Feb 29 21:00:57 2000", true},
        {"Thu Feb 29 21:00:57 1900", false}, {"Thu Feb 29 21:00:57 2100", false},
    };
    static const struct {
        const char *layout, *value;
        int32_t off;
    } zs[] = {
        {"2006-01-02T15:04:05-070000", "1871-01-01T05:33:02-003408", -(34 * 60 + 8)},
        {"2006-01-02T15:04:05-07:00:00", "1871-01-01T05:33:02-00:34:08", -(34 * 60 + 8)},
        {"2006-01-02T15:04:05-070000", "1871-01-01T05:33:02+003408", 34 * 60 + 8},
        {"2006-01-02T15:04:05-07:00:00", "1871-01-01T05:33:02+00:34:08", 34 * 60 + 8},
        {"2006-01-02T15:04:05Z070000", "1871-01-01T05:33:02-003408", -(34 * 60 + 8)},
        {"2006-01-02T15:04:05Z07:00:00", "1871-01-01T05:33:02+00:34:08", 34 * 60 + 8},
        {"2006-01-02T15:04:05-07", "1871-01-01T05:33:02+01", 3600},
        {"2006-01-02T15:04:05-07", "1871-01-01T05:33:02-02", -7200},
        {"2006-01-02T15:04:05Z07", "1871-01-01T05:33:02-02", -7200},
    };
    struct cmn_go_time t;
    struct cmn_go_civil c;
    struct cmn_err err;
    char v[64];

    (void)state;
    for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
        err.msg[0] = '\0';
        if ((cmn_go_time_parse(CMN_GO_TIME_ANSIC, days[i].v, strlen(days[i].v), NULL, &t, &err) ==
             CMN_GO_TIME_OK) != days[i].ok)
            fail_msg("%s: %s", days[i].v, err.msg);
        if (!days[i].ok)
            assert_non_null(strstr(err.msg, "day out of range"));
    }
    for (int d = 1; d <= 365; d++) {
        snprintf(v, sizeof(v), "2020-%03d", d);
        t = must_parse("2006-002", v, NULL);
        cmn_go_time_civil(&t, &c);
        assert_int_equal(c.yday, d);
        assert_int_equal(c.year, 2020);
    }
    cmn_go_time_civil((t = must_parse("3:04PM", "12:00PM", NULL), &t), &c);
    assert_int_equal(c.hour, 12);
    cmn_go_time_civil((t = must_parse("03:04PM", "12:00AM", NULL), &t), &c);
    assert_int_equal(c.hour, 0);
    t = must_parse(CMN_GO_TIME_RUBY_DATE, "Mon Jan 02 15:04:05 +0123 2006", NULL);
    assert_int_equal(t.offset, 83 * 60);
    for (size_t i = 0; i < sizeof(zs) / sizeof(zs[0]); i++) {
        char back[64];
        t = must_parse(zs[i].layout, zs[i].value, NULL);
        assert_int_equal(t.offset, zs[i].off);
        cmn_go_time_format_buf(&t, zs[i].layout, back, sizeof(back));
        assert_string_equal(back, zs[i].value);
    }
    t = must_parse("15:04_20060102", "14:38_20150618", NULL);
    cmn_go_time_civil(&t, &c);
    assert_true(c.year == 2015 && c.month == 6 && c.day == 18 && c.hour == 14 && c.min == 38);
    t = must_parse(CMN_GO_TIME_RUBY_DATE, "Thu Feb 02 16:10:03 -0500 2006", NULL);
    cmn_go_time_format_buf(&t, CMN_GO_TIME_UNIX_DATE, v, sizeof(v));
    assert_string_equal(v, "Thu Feb  2 16:10:03 -0500 2006");
}

/* Go's parseTimeZoneTests through Parse("MST", v): what parseTimeZone does not take is extra
 * text; the zone keeps the name, GMT+h also its offset. */
static void go_zone_abbreviations(void **state)
{
    static const struct {
        const char *value, *zone; /* zone NULL: refused; "" with rest: extra text */
        int32_t off;
        const char *rest;
    } c[] = {
        {"gmt", NULL, 0, NULL},        {"GMT", "GMT", 0, NULL},   {"GMT+12", "GMT+12", 43200, NULL},
        {"GMT+00", "GMT+00", 0, NULL}, {"GMT+", "", 0, "+"},      {"GMT+3", "GMT+3", 10800, NULL},
        {"GMT+a", "", 0, "+a"},        {"GMT+3a", "", 0, "a"},    {"GMT-5", "GMT-5", -18000, NULL},
        {"GMT-51", "", 0, "-51"},      {"ChST", "ChST", 0, NULL}, {"MeST", "MeST", 0, NULL},
        {"MSDx", "", 0, "x"},          {"MSDY", NULL, 0, NULL},   {"ESAST", "ESAST", 0, NULL},
        {"ESASTT", NULL, 0, NULL},     {"ESATY", NULL, 0, NULL},  {"WITA", "WITA", 0, NULL},
        {"+03", "+03", 0, NULL},       {"-04", "-04", 0, NULL},   {"-23", "-23", 0, NULL},
        {"-24", NULL, 0, NULL},        {"+24", NULL, 0, NULL},    {"UTC", "UTC", 0, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct cmn_go_time t;
        struct cmn_err err = {0};
        enum cmn_go_time_status st =
            cmn_go_time_parse("MST", c[i].value, strlen(c[i].value), NULL, &t, &err);
        if (!c[i].zone) {
            if (st == CMN_GO_TIME_OK || !strstr(err.msg, "as \"MST\""))
                fail_msg("%s: %d %s", c[i].value, st, err.msg);
        } else if (c[i].rest) {
            char want[64];
            snprintf(want, sizeof(want), "extra text: \"%s\"", c[i].rest);
            if (st == CMN_GO_TIME_OK || !strstr(err.msg, want))
                fail_msg("%s: %d %s", c[i].value, st, err.msg);
        } else if (st != CMN_GO_TIME_OK || strcmp(t.zone, c[i].zone) != 0 || t.offset != c[i].off ||
                   t.unix != -62167219200LL) {
            fail_msg("%s: %d %s zone %s off %d unix %lld", c[i].value, st, err.msg, t.zone,
                     (int)t.offset, (long long)t.unix);
        }
    }
}

/* ExampleParse and ExampleParseInLocation (Europe/Berlin in July: a fixed CEST here). */
static void go_parse_examples(void **state)
{
    static const struct cmn_go_loc cest = {"CEST", 7200};
    struct cmn_go_time t;
    struct cmn_err err;
    const char *v;

    (void)state;
    t = must_parse("Jan 2, 2006 at 3:04pm (MST)", "Feb 3, 2013 at 7:54pm (PST)", &PST);
    expect_str(&t, "2013-02-03 19:54:00 -0800 PST");
    t = must_parse("2006-Jan-02", "2013-Feb-03", &PST);
    expect_str(&t, "2013-02-03 00:00:00 +0000 UTC");
    t = must_parse(CMN_GO_TIME_RFC3339, "2006-01-02T15:04:05Z", &PST);
    expect_str(&t, "2006-01-02 15:04:05 +0000 UTC");
    t = must_parse(CMN_GO_TIME_RFC3339, "2006-01-02T15:04:05+07:00", &PST);
    expect_str(&t, "2006-01-02 15:04:05 +0700 +0700");
    /* with Local = UTC (the container): an offset of zero is UTC itself, PST is unknown */
    t = must_parse(CMN_GO_TIME_RFC3339, "2006-01-02T15:04:05+00:00", NULL);
    expect_str(&t, "2006-01-02 15:04:05 +0000 UTC");
    t = must_parse("Jan 2, 2006 at 3:04pm (MST)", "Feb 3, 2013 at 7:54pm (PST)", NULL);
    expect_str(&t, "2013-02-03 19:54:00 +0000 PST");
    t = must_parse("-0700 MST", "-0800 PST", NULL);
    expect_str(&t, "0000-01-01 00:00:00 -0800 PST");
    v = "Jul 9, 2012 at 5:02am (CEST)";
    assert_int_equal(
        cmn_go_time_parse_in("Jan 2, 2006 at 3:04pm (MST)", v, strlen(v), &cest, &t, &err),
        CMN_GO_TIME_OK);
    expect_str(&t, "2012-07-09 05:02:00 +0200 CEST");
    v = "2012-Jul-09";
    assert_int_equal(cmn_go_time_parse_in("2006-Jan-02", v, strlen(v), &cest, &t, &err),
                     CMN_GO_TIME_OK);
    expect_str(&t, "2012-07-09 00:00:00 +0200 CEST");
    assert_int_equal(t.unix, 1341784800);
    /* ParseInLocation(UTC) is Parse */
    assert_int_equal(cmn_go_time_parse_in("2006-Jan-02", v, strlen(v), NULL, &t, &err),
                     CMN_GO_TIME_OK);
    expect_str(&t, "2012-07-09 00:00:00 +0000 UTC");
}

/* The encoding branch's cases: feeds, goccy/go-yaml timestamps. */
static void encoding_cases(void **state)
{
    struct cmn_go_time t;
    char out[CMN_GO_RFC3339_MAX];

    (void)state;
    t = must_parse(CMN_GO_TIME_RFC3339, "2024-02-29T23:59:59+14:00", NULL);
    cmn_go_time_rfc3339(&t, true, out);
    assert_string_equal(out, "2024-02-29T23:59:59+14:00");
    t = cmn_go_time_unix(t.unix, t.nsec, 0, "UTC");
    cmn_go_time_rfc3339(&t, true, out);
    assert_string_equal(out, "2024-02-29T09:59:59Z");
    must_parse("15:4", "9:5", NULL);
    /* the feed parser tries layouts in turn without messages */
    assert_int_equal(cmn_go_time_parse("2006", "x", 1, NULL, &t, NULL), CMN_GO_TIME_PARSE);
    assert_int_equal(cmn_go_time_parse("2006-01", "2006-13", 7, NULL, &t, NULL), CMN_GO_TIME_PARSE);
    assert_int_equal(cmn_go_time_parse("2006", "1999", 4, NULL, &t, NULL), CMN_GO_TIME_OK);
    t = must_parse("Jan 2 2006", "Feb   3 1999", NULL);
    cmn_go_time_rfc3339(&t, true, out);
    assert_string_equal(out, "1999-02-03T00:00:00Z");
    t = must_parse("02 Jan 06", "01 Mar 69", NULL);
    cmn_go_time_rfc3339(&t, true, out);
    assert_string_equal(out, "1969-03-01T00:00:00Z");
    t = must_parse("02 Jan 06", "01 Mar 68", NULL);
    cmn_go_time_rfc3339(&t, true, out);
    assert_string_equal(out, "2068-03-01T00:00:00Z");
    /* GMT+h is a fixed zone at +h, and (as in Go) the clock reading stays UTC: the branch read
     * 10:00 GMT+3 as 10:00+03:00, Go as 13:00+03:00 */
    t = must_parse("15:04 MST", "10:00 GMT+3", NULL);
    cmn_go_time_rfc3339(&t, true, out);
    assert_string_equal(out, "0000-01-01T13:00:00+03:00");
    t = must_parse("2006-01-02t15:04:05.999999999Z07:00", "2001-12-14t21:59:43.10-05:00", NULL);
    cmn_go_time_rfc3339(&t, true, out);
    assert_string_equal(out, "2001-12-14T21:59:43.1-05:00");
}

/* RFC 3339 both ways around the calendar's edges: before 1970, 2^31 seconds and after, leap
 * days, year 0 and 9999, nanoseconds; the fixed writer agrees with the layout writer. */
static void rfc3339_round_trips(void **state)
{
    static const struct {
        const char *text;
        int64_t unix;
    } c[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"1969-12-31T23:59:59.999999999Z", -1},
        {"1969-12-30T23:59:59Z", -86401},
        {"1900-02-28T23:59:59Z", -2203891201LL},
        {"1900-03-01T00:00:00Z", -2203891200LL},
        {"1600-02-29T12:00:00Z", -11670955200LL},
        {"0001-01-01T00:00:00Z", -62135596800LL},
        {"0000-03-01T00:00:00Z", -62162035200LL},
        {"2000-02-29T00:00:00Z", 951782400},
        {"2038-01-19T03:14:07Z", 2147483647},
        {"2038-01-19T03:14:08Z", 2147483648LL},
        {"2106-02-07T06:28:16Z", 4294967296LL},
        {"2024-02-29T23:59:59.5+14:00", 1709200799},
        {"2262-04-11T23:47:16.854775807Z", 9223372036LL},
        {"9999-12-31T23:59:59.999999999-23:59", 253402387139LL},
    };
    char out[CMN_GO_RFC3339_MAX], via[CMN_GO_RFC3339_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct cmn_go_time t = must_parse(CMN_GO_TIME_RFC3339_NANO, c[i].text, NULL);
        if (t.unix != c[i].unix)
            fail_msg("%s: unix %lld, want %lld", c[i].text, (long long)t.unix,
                     (long long)c[i].unix);
        cmn_go_time_rfc3339(&t, true, out);
        assert_string_equal(out, c[i].text);
        cmn_go_time_format_buf(&t, CMN_GO_TIME_RFC3339_NANO, via, sizeof(via));
        assert_string_equal(via, out);
        cmn_go_time_rfc3339(&t, false, out);
        cmn_go_time_format_buf(&t, CMN_GO_TIME_RFC3339, via, sizeof(via));
        assert_string_equal(via, out);
        assert_int_equal(strncmp(out, c[i].text, 19), 0);
    }
    /* RFC 3339 parse is Go's Parse: one-digit hours and comma fractions pass, zones up to 24h */
    must_parse(CMN_GO_TIME_RFC3339, "2024-01-02T3:04:05Z", NULL);
    must_parse(CMN_GO_TIME_RFC3339, "2024-01-02T03:04:05,5Z", NULL);
    must_parse(CMN_GO_TIME_RFC3339, "2024-01-02T03:04:05+24:00", NULL);
}

/* Format then Parse gives the same instant (Go's TestFormatAndParse with "Mon MST RFC3339"),
 * for a sweep of seconds from 1000 to 9999 AD; and the calendar's two directions agree. */
static void format_parse_and_calendar(void **state)
{
    const char *layout = "Mon MST " CMN_GO_TIME_RFC3339;
    char text[96];

    (void)state;
    for (int64_t s = -30610224000LL; s < 253402300799LL; s += 86400LL * 3653 + 12345) {
        struct cmn_go_time t = cmn_go_time_unix(s, 0, 0, "UTC"), u;
        cmn_go_time_format_buf(&t, layout, text, sizeof(text));
        u = must_parse(layout, text, NULL);
        if (u.unix != t.unix || u.nsec != t.nsec)
            fail_msg("%s: %lld vs %lld", text, (long long)u.unix, (long long)t.unix);
    }
    for (int64_t d = -800000; d <= 3000000; d += 7) {
        int64_t y;
        int m, day;
        cmn_go_civil_from_days(d, &y, &m, &day);
        if (cmn_go_days_from_civil(y, m, day) != d || day < 1 || day > cmn_go_days_in(m, y))
            fail_msg("day %lld -> %lld-%d-%d", (long long)d, (long long)y, m, day);
    }
    assert_int_equal(cmn_go_days_from_civil(2024, 1, 32), cmn_go_days_from_civil(2024, 2, 1));
    assert_int_equal(cmn_go_days_from_civil(2024, 3, 0), cmn_go_days_from_civil(2024, 2, 29));
    assert_true(cmn_go_is_leap(2000) && cmn_go_is_leap(2024) && cmn_go_is_leap(-4));
    assert_false(cmn_go_is_leap(1900) || cmn_go_is_leap(2100) || cmn_go_is_leap(2023));
    assert_int_equal(cmn_go_days_in(2, 2024), 29);
    assert_int_equal(cmn_go_days_in(2, 2023), 28);
    assert_int_equal(cmn_go_days_in(13, 2023), 0);
    assert_int_equal(cmn_go_weekday(0), 4);                                  /* Thursday */
    assert_int_equal(cmn_go_weekday(cmn_go_days_from_civil(2000, 1, 1)), 6); /* Saturday */
    assert_int_equal(cmn_go_weekday(-1), 3);
    /* time.Unix carries nanoseconds into seconds, both ways (ExampleTime_Unix) */
    struct cmn_go_time t = cmn_go_time_unix(2000000000LL, -1000000000000000000LL, 0, "UTC");
    assert_int_equal(t.unix, 1000000000);
    assert_int_equal(t.nsec, 0);
    t = cmn_go_time_unix(0, -1, 0, NULL);
    assert_int_equal(t.unix, -1);
    assert_int_equal(t.nsec, 999999999);
    assert_string_equal(t.zone, "");
    /* the ends of int64: no overflow (UBSan watches), Go's wrap-around for nanoseconds */
    t = cmn_go_time_unix(INT64_MAX, 0, 86399, "");
    cmn_go_time_format_buf(&t, CMN_GO_TIME_RFC3339_NANO, text, sizeof(text));
    assert_string_equal(text, "292277026596-12-05T15:30:06+23:59");
    t = cmn_go_time_unix(INT64_MIN, 0, -86399, "");
    cmn_go_time_format_buf(&t, CMN_GO_TIME_RFC3339, text, sizeof(text));
    assert_string_equal(text, "-292277022657-01-26T08:29:53-23:59");
    t = cmn_go_time_unix(INT64_MAX, 1000000000, 0, NULL);
    assert_int_equal(t.unix, INT64_MIN);
    t = cmn_go_time_unix(0, 0, 0, "a zone name longer than we keep");
    assert_int_equal(strlen(t.zone), CMN_GO_ZONE_MAX - 1);
    /* far years: Go prints them whole, with a sign, 06 from the absolute value */
    t = cmn_go_time_unix(cmn_go_days_from_civil(-100001, 1, 1) * 86400, 0, 0, "UTC");
    cmn_go_time_format_buf(&t, "2006.01.02 06", text, sizeof(text));
    assert_string_equal(text, "-100001.01.01 01");
    t = cmn_go_time_unix(cmn_go_days_from_civil(-9, 1, 1) * 86400, 0, 0, "UTC");
    cmn_go_time_format_buf(&t, "2006.01.02", text, sizeof(text));
    assert_string_equal(text, "-0009.01.01");
    t = cmn_go_time_unix(cmn_go_days_from_civil(100000, 1, 1) * 86400, 0, 0, "UTC");
    cmn_go_time_format_buf(&t, "2006.01.02", text, sizeof(text));
    assert_string_equal(text, "100000.01.01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(go_parse_tests),      cmocka_unit_test(go_parse_errors),
        cmocka_unit_test(go_parse_fields),     cmocka_unit_test(go_zone_abbreviations),
        cmocka_unit_test(go_parse_examples),   cmocka_unit_test(encoding_cases),
        cmocka_unit_test(rfc3339_round_trips), cmocka_unit_test(format_parse_and_calendar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
