/* test_cmn_go_time.c - Go's time rules in common/go: the calendar, Time.Format in every layout
 * constant and element, time.Parse / ParseInLocation with Go's own test tables and ParseError
 * texts, RFC 3339 round trips, dates before 1970 and after 2038, leap days. Expected values are
 * the outputs Go documents (time/example_test.go, time/format_test.go) or derive from them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cmn_go_time.h"

/* Mon Jan 2 15:04:05 MST 2006, the reference time. */
#define REF_UNIX 1136239445LL
/* Thu Feb 4 21:00:57.012345600 PST 2009 (Go's TestFormat: Unix(0, 1233810057012345600)). */
#define T2009_NS 1233810057012345600LL
/* 2024-05-01T10:00:00.123Z (the telemetry branch's cases). */
#define T2024_NS 1714557600123000000LL

static struct cmn_go_time at_ns(int64_t ns, int32_t off, const char *zone)
{
    return cmn_go_time_unix(0, ns, off, zone);
}

static void expect_format(const struct cmn_go_time *t, const char *layout, const char *want)
{
    char got[256];

    cmn_go_time_format_buf(t, layout, got, sizeof(got));
    if (strcmp(got, want) != 0)
        fail_msg("Format(%s): got \"%s\", want \"%s\"", layout, got, want);
}

/* Go's Time.String(), the form its examples print. */
static void expect_go_string(const struct cmn_go_time *t, const char *want)
{
    expect_format(t, "2006-01-02 15:04:05.999999999 -0700 MST", want);
}

/* ---- Format ---- */

static void reference_time_in_every_layout(void **state)
{
    static const struct {
        const char *layout, *mst, *utc;
    } c[] = {
        {CMN_GO_TIME_LAYOUT, "01/02 03:04:05PM '06 -0700", "01/02 10:04:05PM '06 +0000"},
        {CMN_GO_TIME_ANSIC, "Mon Jan  2 15:04:05 2006", "Mon Jan  2 22:04:05 2006"},
        {CMN_GO_TIME_UNIX_DATE, "Mon Jan  2 15:04:05 MST 2006", "Mon Jan  2 22:04:05 UTC 2006"},
        {CMN_GO_TIME_RUBY_DATE, "Mon Jan 02 15:04:05 -0700 2006", "Mon Jan 02 22:04:05 +0000 2006"},
        {CMN_GO_TIME_RFC822, "02 Jan 06 15:04 MST", "02 Jan 06 22:04 UTC"},
        {CMN_GO_TIME_RFC822Z, "02 Jan 06 15:04 -0700", "02 Jan 06 22:04 +0000"},
        {CMN_GO_TIME_RFC850, "Monday, 02-Jan-06 15:04:05 MST", "Monday, 02-Jan-06 22:04:05 UTC"},
        {CMN_GO_TIME_RFC1123, "Mon, 02 Jan 2006 15:04:05 MST", "Mon, 02 Jan 2006 22:04:05 UTC"},
        {CMN_GO_TIME_RFC1123Z, "Mon, 02 Jan 2006 15:04:05 -0700",
         "Mon, 02 Jan 2006 22:04:05 +0000"},
        {CMN_GO_TIME_RFC3339, "2006-01-02T15:04:05-07:00", "2006-01-02T22:04:05Z"},
        {CMN_GO_TIME_RFC3339_NANO, "2006-01-02T15:04:05.123456789-07:00",
         "2006-01-02T22:04:05.123456789Z"},
        {CMN_GO_TIME_KITCHEN, "3:04PM", "10:04PM"},
        {CMN_GO_TIME_STAMP, "Jan  2 15:04:05", "Jan  2 22:04:05"},
        {CMN_GO_TIME_STAMP_MILLI, "Jan  2 15:04:05.123", "Jan  2 22:04:05.123"},
        {CMN_GO_TIME_STAMP_MICRO, "Jan  2 15:04:05.123456", "Jan  2 22:04:05.123456"},
        {CMN_GO_TIME_STAMP_NANO, "Jan  2 15:04:05.123456789", "Jan  2 22:04:05.123456789"},
        {CMN_GO_TIME_DATE_TIME, "2006-01-02 15:04:05", "2006-01-02 22:04:05"},
        {CMN_GO_TIME_DATE_ONLY, "2006-01-02", "2006-01-02"},
        {CMN_GO_TIME_TIME_ONLY, "15:04:05", "22:04:05"},
    };
    struct cmn_go_time mst = cmn_go_time_unix(REF_UNIX, 123456789, -25200, "MST");
    struct cmn_go_time utc = cmn_go_time_unix(REF_UNIX, 123456789, 0, "UTC");
    struct cmn_go_time whole = cmn_go_time_unix(REF_UNIX, 0, -25200, "MST");

    (void)state;
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        expect_format(&mst, c[i].layout, c[i].mst);
        expect_format(&utc, c[i].layout, c[i].utc);
    }
    /* at a whole second the layouts without a 9-fraction reproduce themselves (Z07:00 and _2
     * aside): the reference time is what a layout is written in */
    expect_format(&whole, CMN_GO_TIME_RFC3339_NANO, "2006-01-02T15:04:05-07:00");
    expect_format(&whole, CMN_GO_TIME_LAYOUT, CMN_GO_TIME_LAYOUT);
    expect_format(&whole, CMN_GO_TIME_RFC1123, CMN_GO_TIME_RFC1123);
    expect_format(&whole, CMN_GO_TIME_RUBY_DATE, CMN_GO_TIME_RUBY_DATE);
    expect_format(&whole, CMN_GO_TIME_STAMP_MILLI, "Jan  2 15:04:05.000");
}

/* time/format_test.go TestFormat, TestRFC3339Conversion, TestFormatSingleDigits, noon and
 * midnight, TestMissingZone's numeric zone, and ExampleTime_Format's cases. */
static void go_format_tests(void **state)
{
    static const struct {
        const char *layout, *want;
    } f2009[] = {
        {CMN_GO_TIME_ANSIC, "Wed Feb  4 21:00:57 2009"},
        {CMN_GO_TIME_UNIX_DATE, "Wed Feb  4 21:00:57 PST 2009"},
        {CMN_GO_TIME_RUBY_DATE, "Wed Feb 04 21:00:57 -0800 2009"},
        {CMN_GO_TIME_RFC822, "04 Feb 09 21:00 PST"},
        {CMN_GO_TIME_RFC850, "Wednesday, 04-Feb-09 21:00:57 PST"},
        {CMN_GO_TIME_RFC1123, "Wed, 04 Feb 2009 21:00:57 PST"},
        {CMN_GO_TIME_RFC1123Z, "Wed, 04 Feb 2009 21:00:57 -0800"},
        {CMN_GO_TIME_RFC3339, "2009-02-04T21:00:57-08:00"},
        {CMN_GO_TIME_RFC3339_NANO, "2009-02-04T21:00:57.0123456-08:00"},
        {CMN_GO_TIME_KITCHEN, "9:00PM"},
        {"3pm", "9pm"},
        {"3PM", "9PM"},
        {"06 01 02", "09 02 04"},
        {"Hi Janet, the Month is January", "Hi Janet, the Month is February"},
        {CMN_GO_TIME_STAMP, "Feb  4 21:00:57"},
        {CMN_GO_TIME_STAMP_MILLI, "Feb  4 21:00:57.012"},
        {CMN_GO_TIME_STAMP_MICRO, "Feb  4 21:00:57.012345"},
        {CMN_GO_TIME_STAMP_NANO, "Feb  4 21:00:57.012345600"},
        {"Jan  2 002 __2 2", "Feb  4 035  35 4"},
        {"Monday Mon Mond", "Wednesday Wed Mond"}, /* Mon before a lower-case letter is text */
    };
    struct cmn_go_time t = at_ns(T2009_NS, -28800, "PST");

    (void)state;
    for (size_t i = 0; i < sizeof(f2009) / sizeof(f2009[0]); i++)
        expect_format(&t, f2009[i].layout, f2009[i].want);
    t = cmn_go_time_unix(cmn_go_days_from_civil(2008, 9, 17) * 86400 + 20 * 3600 + 4 * 60 + 26, 0,
                         0, "UTC");
    expect_format(&t, CMN_GO_TIME_RFC3339, "2008-09-17T20:04:26Z");
    t = cmn_go_time_unix(cmn_go_days_from_civil(1994, 9, 17) * 86400 + 20 * 3600 + 4 * 60 + 26 +
                             18000,
                         0, -18000, "EST");
    expect_format(&t, CMN_GO_TIME_RFC3339, "1994-09-17T20:04:26-05:00");
    t = cmn_go_time_unix(cmn_go_days_from_civil(2000, 12, 26) * 86400 + 3600 + 15 * 60 + 6 - 15600,
                         0, 15600, "OTO");
    expect_format(&t, CMN_GO_TIME_RFC3339, "2000-12-26T01:15:06+04:20");
    t = cmn_go_time_unix(cmn_go_days_from_civil(2001, 2, 3) * 86400 + 4 * 3600 + 5 * 60 + 6,
                         700000000, 0, "UTC");
    expect_format(&t, "3:4:5", "4:5:6");
    t = cmn_go_time_unix(cmn_go_days_from_civil(0, 1, 1) * 86400 + 12 * 3600, 0, 0, "UTC");
    expect_format(&t, "3:04PM", "12:00PM");
    expect_format(&t, "03:04PM", "12:00PM");
    t.unix -= 12 * 3600;
    expect_format(&t, "3:04PM", "12:00AM");
    expect_format(&t, "03:04PM", "12:00AM");
    /* a zone without a name prints MST as its offset */
    t = cmn_go_time_unix(REF_UNIX, 0, -18000, "");
    expect_format(&t, "MST", "-0500");
    /* ExampleTime_Format: Wed Feb 25 11:06:39.1234 PST 2015, also seen from UTC and +08 */
    t = cmn_go_time_unix(1424891199, 123400000, -28800, "PST");
    expect_go_string(&t, "2015-02-25 11:06:39.1234 -0800 PST");
    expect_format(&t, CMN_GO_TIME_UNIX_DATE, "Wed Feb 25 11:06:39 PST 2015");
    expect_format(&t, "3PM==3pm==15h", "11AM==11am==11h");
    expect_format(&t, "15:04:05.00000", "11:06:39.12340");
    expect_format(&t, "15:04:05.99999999", "11:06:39.1234");
    t.offset = 0;
    cmn_go_time_format_buf(&t, "", NULL, 0); /* nothing to write, nothing written */
    expect_format(&t, "", "");
    t = cmn_go_time_unix(1424891199, 0, 0, "UTC");
    expect_format(&t, CMN_GO_TIME_UNIX_DATE, "Wed Feb 25 19:06:39 UTC 2015");
    t.offset = 8 * 3600;
    expect_format(&t, "2006-01-02T15:04:05 -070000", "2015-02-26T03:06:39 +080000");
    expect_format(&t, "2006-01-02T15:04:05 -07:00:00", "2015-02-26T03:06:39 +08:00:00");
    /* ExampleTime_Format_pad: Sat Mar 7 11:06:39 PST 2015 */
    t = cmn_go_time_unix(1425755199, 0, -28800, "PST");
    expect_format(&t, CMN_GO_TIME_UNIX_DATE, "Sat Mar  7 11:06:39 PST 2015");
    expect_format(&t, "<2>", "<7>");
    expect_format(&t, "<_2>", "< 7>");
    expect_format(&t, "<02>", "<07>");
    expect_format(&t, "04:05", "06:39");
}

/* The telemetry branch's cases (2024-05-01T10:00:00.123Z, various offsets). */
static void layout_elements(void **state)
{
    static const struct {
        const char *layout;
        int32_t off;
        const char *zone, *want;
    } c[] = {
        {"2006-01-02T15:04:05.999Z07:00", 0, "", "2024-05-01T10:00:00.123Z"},
        {"2006-01-02T15:04:05.999999Z07:00", 3600, "", "2024-05-01T11:00:00.123+01:00"},
        {"2006-01-02T15:04:05.000000-07:00", 0, "", "2024-05-01T10:00:00.123000+00:00"},
        {"2006-01-02T15:04:05.000000-07:00", -19800, "", "2024-05-01T04:30:00.123000-05:30"},
        {"Mon Jan _2 15:04:05 MST 2006", 7200, "CEST", "Wed May  1 12:00:00 CEST 2024"},
        {"Monday, 02-January-06 3:4:5 PM -0700", 0, "", "Wednesday, 01-May-24 10:0:0 AM +0000"},
        {"Jan _2 15:04:05", 0, "", "May  1 10:00:00"},
        {"002 __2 .000 ,999 .9", 0, "", "122 122 .123 ,123 .1"},
        {"05.00005", 0, "", "00.00000"}, /* a digit after the run: not a fraction */
        {"MST", -3600, "", "-0100"},
        {"2006/01/02 - 15:04:05.000", 0, "", "2024/05/01 - 10:00:00.123"},
        {"_2006", 0, "", "_2024"},
        {"Z07 Z0700 Z070000 Z07:00:00 -07 -070000", 0, "", "Z Z Z Z +00 +000000"},
        {"Z07 Z0700 Z070000 Z07:00:00", -(3600 + 120 + 3), "", "-01 -0102 -010203 -01:02:03"},
        {"-07:00:00 MST", 19800 + 7, "", "+05:30:07 +0530"},
        {".0000000000 ,99999999999", 0, "", ".123000000 ,123"},
        {"Janu Mond MSTx pm PM", 0, "", "Janu Mond UTCx am AM"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct cmn_go_time t = at_ns(T2024_NS, c[i].off, c[i].zone);
        if (strcmp(c[i].layout, "Janu Mond MSTx pm PM") == 0)
            t = at_ns(T2024_NS, 0, "UTC");
        expect_format(&t, c[i].layout, c[i].want);
    }
}

static void format_into_buffers(void **state)
{
    struct cmn_go_time t = at_ns(T2024_NS, 0, "UTC");
    char small[8];
    struct cmn_buf b;

    (void)state;
    /* cut to fit, NUL-terminated, full length returned */
    assert_int_equal(cmn_go_time_format_buf(&t, CMN_GO_TIME_DATE_TIME, small, sizeof(small)), 19);
    assert_string_equal(small, "2024-05");
    /* a capped buffer refuses: false, and what fitted before stays */
    cmn_buf_init(&b, 10);
    assert_false(cmn_go_time_format(&t, CMN_GO_TIME_DATE_TIME, &b));
    assert_true(b.len <= 10);
    cmn_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_time_in_every_layout),
        cmocka_unit_test(go_format_tests),
        cmocka_unit_test(layout_elements),
        cmocka_unit_test(format_into_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
