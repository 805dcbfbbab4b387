/* test_gw_logfmt.c - telemetry/logging lines byte for byte: the spec's examples (§4.1.2), Go
 * time layouts, go-logging verbs and modifiers, options, syslog frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_logfmt.h"
#include "tu_shared.h"

#define SPEC "spec/krakend-telemetry-validation.md"
/* 2024-05-01T10:00:00.123Z */
#define T_2024 1714557600123000000LL

static struct gw_log_record rec(enum gw_log_level l, const char *msg)
{
    struct gw_log_record r = {0};

    r.level = l;
    r.module = "KRAKEND";
    r.message = msg;
    r.message_len = strlen(msg);
    r.id = 7;
    r.pid = 4242;
    r.program = "krakend";
    r.unix_ns = T_2024;
    r.file = "/src/gateway/gw_proxy.c";
    r.line = 88;
    r.func = "github.com/luraproject/lura/v2/proxy.NewMergeDataMiddleware.func1";
    return r;
}

static char *line(const char *pattern, const char *prefix, const struct gw_log_record *r)
{
    struct cmn_err err = {0};
    struct gw_logfmt *f = gw_logfmt_compile(pattern, &err);
    struct cmn_buf b;

    if (!f)
        fail_msg("pattern %s: %s", pattern, err.msg);
    cmn_buf_init(&b, 1 << 16);
    assert_true(gw_logfmt_line(f, prefix, r, &b));
    gw_logfmt_free(f);
    return cmn_buf_take(&b, NULL);
}

/* The text between `start` and the next backquote in the spec, or NULL. */
static char *spec_quote(const char *spec, const char *start)
{
    const char *p = strstr(spec, start), *e;

    if (!p)
        return NULL;
    p += strlen(start);
    e = strchr(p, '`');
    return e ? strndup(p, (size_t)(e - p)) : NULL;
}

static char *replace(const char *s, const char *from, const char *to)
{
    struct cmn_buf b;
    const char *p;

    cmn_buf_init(&b, 1 << 16);
    while ((p = strstr(s, from)) != NULL) {
        cmn_buf_append(&b, s, (size_t)(p - s));
        cmn_buf_append_str(&b, to);
        s = p + strlen(from);
    }
    cmn_buf_append_str(&b, s);
    return cmn_buf_take(&b, NULL);
}

static void default_format_matches_spec_example(void **state)
{
    char *spec = tu_shared_read(SPEC, NULL), *ex, *want, *got, *cut;
    struct gw_log_record r = rec(GW_LOG_ERROR, "[ENDPOINT: /x] boom");

    (void)state;
    assert_non_null(spec);
    ex = spec_quote(spec, "Example bytes: `");
    assert_non_null(ex);
    want = replace(ex, "ESC", "\033");
    cut = strstr(want, "\xe2\x80\xa6"); /* the message is elided after "[ENDPOINT: /x] " */
    assert_non_null(cut);
    *cut = '\0';
    got = line(GW_LOG_PATTERN_DEFAULT, "[KRAKEND]", &r);
    assert_true(strncmp(got, want, strlen(want)) == 0);
    assert_string_equal(got + strlen(want), "boom\n");
    free(got);
    /* INFO has no colour but keeps the reset; every other level has its own */
    r.level = GW_LOG_INFO;
    got = line(GW_LOG_PATTERN_DEFAULT, "", &r);
    assert_string_equal(
        got, " 2024/05/01 - 10:00:00.123 \xe2\x96\xb6 INFO\033[0m [ENDPOINT: /x] boom\n");
    free(got);
    r.level = GW_LOG_WARNING; /* the full name: the docs' .6s would cut it to WARNIN */
    got = line(GW_LOG_PATTERN_DEFAULT, "", &r);
    assert_non_null(strstr(got, "\033[33m\xe2\x96\xb6 WARNING\033[0m"));
    free(got);
    free(want);
    free(ex);
    free(spec);
}

static void logstash_format_matches_spec_template(void **state)
{
    char *spec = tu_shared_read(SPEC, NULL), *ex, *a, *b, *c, *got;
    struct gw_log_record r = rec(GW_LOG_INFO, "Starting the \"KrakenD\" instance");

    (void)state;
    assert_non_null(spec);
    ex = spec_quote(spec, "one pseudo-JSON object per line:\n  `");
    assert_non_null(ex);
    a = replace(ex, "<local time as YYYY-MM-DDThh:mm:ss.mmm>", "2024-05-01T12:00:00.123");
    b = replace(a, "<LEVEL>", "INFO");
    /* the message goes in unescaped: quotes make it invalid JSON, as in KrakenD */
    c = replace(b, "<message>", "Starting the \"KrakenD\" instance");
    r.utc_offset_s = 7200; /* local time, and still "+00:00" */
    got = line(GW_LOG_PATTERN_LOGSTASH, "", &r);
    assert_int_equal(strlen(got), strlen(c) + 1);
    assert_memory_equal(got, c, strlen(c));
    free(got);
    free(a);
    free(b);
    free(c);
    free(ex);
    free(spec);
}

static void go_time_layouts(void **state)
{
    static const struct {
        const char *layout;
        int off;
        const char *zone;
        const char *want;
    } cases[] = {
        {"2006-01-02T15:04:05.999Z07:00", 0, NULL, "2024-05-01T10:00:00.123Z"},
        {"2006-01-02T15:04:05.999999Z07:00", 3600, NULL, "2024-05-01T11:00:00.123+01:00"},
        {"2006-01-02T15:04:05.000000-07:00", 0, NULL, "2024-05-01T10:00:00.123000+00:00"},
        {"2006-01-02T15:04:05.000000-07:00", -19800, NULL, "2024-05-01T04:30:00.123000-05:30"},
        {"Mon Jan _2 15:04:05 MST 2006", 7200, "CEST", "Wed May  1 12:00:00 CEST 2024"},
        {"Monday, 02-January-06 3:4:5 PM -0700", 0, NULL, "Wednesday, 01-May-24 10:0:0 AM +0000"},
        {"Jan _2 15:04:05", 0, NULL, "May  1 10:00:00"},
        {"002 __2 .000 ,999 .9", 0, NULL, "122 122 .123 ,123 .1"},
        {"05.00005", 0, NULL, "00.00000"}, /* a digit after the run: not a fraction */
        {"MST", -3600, NULL, "-0100"},
        {"2006/01/02 - 15:04:05.000", 0, NULL, "2024/05/01 - 10:00:00.123"},
        {"_2006", 0, NULL, "_2024"},
    };
    struct cmn_buf b;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cmn_buf_init(&b, 256);
        assert_true(gw_log_time_format(cases[i].layout, T_2024, cases[i].off, cases[i].zone, &b));
        if (strcmp(cmn_buf_str(&b), cases[i].want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", cases[i].layout, cmn_buf_str(&b),
                     cases[i].want);
        cmn_buf_free(&b);
    }
    /* before the epoch and a leap day */
    cmn_buf_init(&b, 64);
    gw_log_time_format("2006-01-02 15:04:05 Mon", -86400LL * 1000000000LL - 1, 0, NULL, &b);
    assert_string_equal(cmn_buf_str(&b), "1969-12-30 23:59:59 Tue");
    cmn_buf_reset(&b);
    gw_log_time_format("2006-01-02 002", 951782400LL * 1000000000LL, 0, NULL, &b);
    assert_string_equal(cmn_buf_str(&b), "2000-02-29 060");
    cmn_buf_free(&b);
}

static void custom_verbs_and_modifiers(void **state)
{
    struct gw_log_record r = rec(GW_LOG_WARNING, "héllo world");
    char *got;

    (void)state;
    got = line("%{level:.4s}|%{level:-9s}|%{id:04d}|%{pid}|%{program}|%{module}|%{message:.4s}", "",
               &r);
    assert_string_equal(got, "WARN|WARNING  |0007|4242|krakend|KRAKEND|héll\n");
    free(got);
    got = line("%{shortfile} %{longfile} %{shortpkg} %{longpkg} %{shortfunc} %{longfunc}", "", &r);
    assert_string_equal(got, "gw_proxy.c:88 /src/gateway/gw_proxy.c:88 proxy "
                             "github.com/luraproject/lura/v2/proxy func1 "
                             "NewMergeDataMiddleware.func1\n");
    free(got);
    got = line("%{color:bold}%{level:d}%{color:reset} %{message:q} %{level:x} %{id:s}", "", &r);
    assert_string_equal(got, "\033[33;1m2\033[0m \"héllo world\" 5741524e494e47 %!s(uint64=7)\n");
    free(got);
    got = line("%{time} [%{level}] %{message}", "", &r);
    assert_string_equal(got, "2024-05-01T10:00:00.123Z [WARNING] héllo world\n");
    free(got);
    got = line("%{time:15:04} %{message:5.2s} %{id:+d} 100%%", "", &r);
    assert_string_equal(got, "10:00    hé +7 100%%\n");
    free(got);
    /* Go's printf leftovers */
    got = line("%{message:s %s}", "", &r);
    assert_string_equal(got, "héllo world %!s(MISSING)\n");
    free(got);
    got = line("%{message:%}", "", &r);
    assert_string_equal(got, "%%!(EXTRA string=héllo world)\n");
    free(got);
    /* text that only looks like a verb stays text */
    got = line("%{Level} %{message} %{", "", &r);
    assert_string_equal(got, "%{Level} héllo world %{\n");
    free(got);
}

static void invalid_patterns_are_errors(void **state)
{
    struct cmn_err err = {0};

    (void)state;
    assert_null(gw_logfmt_compile("no verbs here", &err));
    assert_string_equal(err.msg, "logger: invalid log format: no verbs here");
    assert_null(gw_logfmt_compile("%{message} %{nope}", &err));
    assert_string_equal(err.msg, "logger: unknown variable: nope");
    assert_null(gw_logfmt_compile("", &err));
}

static struct gw_logging_config parse_cfg(const char *js, bool want_ok)
{
    struct gw_logging_config c;
    struct cmn_err err = {0};
    json_t *j = json_loads(js, 0, NULL);

    assert_non_null(j);
    assert_int_equal(gw_logging_config_parse(j, &c, &err), want_ok);
    json_decref(j);
    return c;
}

static bool has_warning(const struct gw_tel_strs *w, const char *part)
{
    for (size_t i = 0; i < w->n; i++)
        if (strstr(w->items[i], part))
            return true;
    return false;
}

static void logging_options(void **state)
{
    struct gw_logging_config c;

    (void)state;
    c = parse_cfg("{\"level\":\"debug\",\"prefix\":\"[KRAKEND]\",\"stdout\":true,"
                  "\"syslog\":true,\"syslog_facility\":\"LOCAL7\"}",
                  true);
    assert_true(c.level_ok);
    assert_int_equal(c.level, GW_LOG_DEBUG);
    assert_true(c.to_stdout && c.to_syslog);
    assert_int_equal(c.syslog_facility, 23);
    assert_int_equal(c.syslog_severity, 7);
    assert_string_equal(c.prefix, "[KRAKEND]");
    assert_string_equal(c.module, "[KRAKEND]");
    assert_string_equal(c.pattern, GW_LOG_PATTERN_DEFAULT);
    gw_logging_config_free(&c);
    /* logstash and custom drop the prefix; unknown facility -> local3; bad level noted */
    c = parse_cfg("{\"level\":\"FATAL\",\"prefix\":\"x\",\"format\":\"logstash\","
                  "\"syslog_facility\":\"kern\",\"stdout\":\"yes\"}",
                  true);
    assert_false(c.level_ok);
    assert_int_equal(c.syslog_severity, 0);
    assert_int_equal(c.syslog_facility, 19);
    assert_string_equal(c.prefix, "");
    assert_string_equal(c.module, "x"); /* telemetry/logstash's module: taken before */
    assert_string_equal(c.pattern, GW_LOG_PATTERN_LOGSTASH);
    assert_false(c.to_stdout);
    assert_true(has_warning(&c.warnings, "stdout: not a bool (KrakenD CE crashes"));
    assert_true(has_warning(&c.warnings, "syslog_facility: not local0..local7"));
    assert_true(has_warning(&c.warnings, "level: missing or not one of"));
    gw_logging_config_free(&c);
    c = parse_cfg("{\"level\":\"INFO\",\"format\":\"custom\",\"custom_format\":\"%{message}\"}",
                  true);
    assert_int_equal(c.format, GW_LOG_FMT_CUSTOM);
    assert_string_equal(c.pattern, "%{message}");
    assert_int_equal(c.syslog_severity, 6);
    gw_logging_config_free(&c);
    c = parse_cfg("{\"level\":\"INFO\",\"format\":\"custom\",\"custom_format\":\"plain\"}", false);
    c = parse_cfg("{\"level\":\"INFO\",\"format\":\"custom\"}", false);
    c = parse_cfg("{\"level\":\"NOTICE\",\"format\":\"fancy\"}", true);
    assert_int_equal(c.syslog_severity, 2);
    assert_true(has_warning(&c.warnings, "format: unknown"));
    gw_logging_config_free(&c);
}

static void syslog_frames(void **state)
{
    struct cmn_buf b;
    char *l;
    struct gw_log_record r = rec(GW_LOG_ERROR, "backend down");

    (void)state;
    l = line(GW_LOG_PATTERN_SYSLOG, "", &r);
    assert_string_equal(l, "ERROR > backend down\n");
    cmn_buf_init(&b, 512);
    /* local3 (19) with the level's fixed severity (debug 7): <159> */
    assert_true(
        gw_syslog_frame(19, 7, T_2024, 0, "[KRAKEND]", "/usr/bin/krakend", 4242, l, strlen(l), &b));
    assert_string_equal(cmn_buf_str(&b),
                        "<159>May  1 10:00:00 [KRAKEND][4242]: ERROR > backend down\n");
    cmn_buf_reset(&b);
    /* no prefix: the program as started; a newline is added when missing */
    assert_true(gw_syslog_frame(16, 2, T_2024, 3600, "", "/usr/bin/krakend", 1, "x", 1, &b));
    assert_string_equal(cmn_buf_str(&b), "<130>May  1 11:00:00 /usr/bin/krakend[1]: x\n");
    cmn_buf_free(&b);
    free(l);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(default_format_matches_spec_example),
        cmocka_unit_test(logstash_format_matches_spec_template),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(go_time_layouts),
        cmocka_unit_test(custom_verbs_and_modifiers),
        cmocka_unit_test(invalid_patterns_are_errors),
        cmocka_unit_test(logging_options),
        cmocka_unit_test(syslog_frames),
    };
    return tu_run(argc, argv, tests, TU_COUNT(tests), shared, TU_COUNT(shared));
}
