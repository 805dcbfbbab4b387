/* test_gw_tracecontext.c - traceparent, tracestate and baggage as OpenTelemetry Go accepts
 * and writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gw_tracecontext.h"

static bool tp(const char *s, struct gw_trace_ctx *c)
{
    return gw_traceparent_parse(s, strlen(s), c);
}

static void traceparent_valid(void **state)
{
    struct gw_trace_ctx c;
    char out[GW_TRACEPARENT_LEN + 1];

    (void)state;
    assert_true(tp("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &c));
    assert_int_equal(c.trace_id[0], 0x4b);
    assert_int_equal(c.trace_id[15], 0x36);
    assert_int_equal(c.span_id[7], 0xb7);
    assert_int_equal(c.flags, GW_TRACE_FLAG_SAMPLED);
    assert_true(c.remote);
    assert_int_equal(gw_traceparent_format(&c, out), 55);
    assert_string_equal(out, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    /* not sampled; flag 02 is allowed for version 00 but only the sampled bit is kept */
    assert_true(tp("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", &c));
    assert_int_equal(c.flags, 0);
    assert_true(tp("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02", &c));
    assert_int_equal(c.flags, 0);
    /* a future version may carry more after the flags */
    assert_true(tp("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-whatever", &c));
    assert_int_equal(c.flags, 1);
    assert_true(tp("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff", &c));
}

static void traceparent_invalid(void **state)
{
    static const char *const bad[] = {
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",     /* no flags */
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  /* upper case */
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  /* version ff */
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  /* zero trace id */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  /* zero span id */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03",  /* v00 flags > 02 */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", /* v00 with more */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01", /* wrong part sizes */
        "0-04bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",  /* not hex */
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011", /* flags too long */
    };
    struct gw_trace_ctx c;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (tp(bad[i], &c))
            fail_msg("accepted: \"%s\"", bad[i]);
    /* an embedded NUL is not a shorter string */
    assert_false(
        gw_traceparent_parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\0", 56, &c));
}

static void tracestate_rules(void **state)
{
    struct gw_trace_ctx c;
    const char *ok = " congo=t61rcWkgMzE ,,rojo=00f067aa0ba902b7\t, a1@b-2=x y ";
    char many[1200] = "";

    (void)state;
    assert_true(gw_tracestate_parse(ok, strlen(ok), &c));
    assert_string_equal(c.tracestate, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,a1@b-2=x y");
    assert_int_equal(c.tracestate_len, strlen(c.tracestate));
    assert_true(gw_tracestate_parse("", 0, &c));
    assert_int_equal(c.tracestate_len, 0);
    /* any invalid member invalidates the whole header */
    static const char *const bad[] = {"a=1,A=2", "a=1,a=2",   "a",    "a= ",  "a=x=y",
                                      "1a=b",    "a=1, ,b=2", "@x=1", "a@=1", "a=1\x7f"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (gw_tracestate_parse(bad[i], strlen(bad[i]), &c))
            fail_msg("accepted tracestate \"%s\"", bad[i]);
        assert_int_equal(c.tracestate_len, 0);
    }
    /* 32 members fit, 33 do not */
    for (int i = 0, off = 0; i < 33; i++) {
        off += snprintf(many + off, sizeof(many) - (size_t)off, "%sk%d=v", i ? "," : "", i);
        if (i == 31)
            assert_true(gw_tracestate_parse(many, strlen(many), &c));
    }
    assert_false(gw_tracestate_parse(many, strlen(many), &c));
}

static void baggage_rules(void **state)
{
    size_t a, l;
    const char *ok = "  userId=alice,serverNode=DF%2028,isProduction=false;ttl=30;sec  ";
    char big[GW_BAGGAGE_MAX_LEN + 8];

    (void)state;
    assert_true(gw_baggage_valid(ok, strlen(ok), &a, &l));
    assert_int_equal(a, 2);
    assert_int_equal(l, strlen(ok) - 4);
    static const char *const bad[] = {"",      "   ",    "=v",       "k v=1",  "k=v,",
                                      "k=%zz", "k=a\"b", "k=a,,b=c", "k=v;=x", "k=\\"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (gw_baggage_valid(bad[i], strlen(bad[i]), &a, &l))
            fail_msg("accepted baggage \"%s\"", bad[i]);
    memset(big, 'a', sizeof(big));
    big[0] = 'k';
    big[1] = '=';
    assert_false(gw_baggage_valid(big, GW_BAGGAGE_MAX_LEN + 1, &a, &l));
    assert_true(gw_baggage_valid(big, GW_BAGGAGE_MAX_LEN, &a, &l));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traceparent_valid),
        cmocka_unit_test(traceparent_invalid),
        cmocka_unit_test(tracestate_rules),
        cmocka_unit_test(baggage_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
