/* test_gw_sec.c - what the security modules share: where each stage runs (KrakenD §1), the
 * warning list, Go's canonical header names and UTF-8 decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gw_sec.h"

static void stage_table(void **state)
{
    static const struct {
        enum gw_sec_route route;
        bool cors, secure, bot_service, bot_endpoint;
    } t[] = {
        {GW_SEC_ROUTE_ENDPOINT, true, true, true, true},
        {GW_SEC_ROUTE_DEBUG, true, true, true, false},
        {GW_SEC_ROUTE_ECHO, true, true, true, false},
        {GW_SEC_ROUTE_AUTO_OPTIONS, true, true, true, false},
        {GW_SEC_ROUTE_HEALTH, true, false, false, false}, /* bound before the middlewares */
        {GW_SEC_ROUTE_NOT_FOUND, true, true, true, false},
        {GW_SEC_ROUTE_NOT_ALLOWED, true, true, true, false},
        {GW_SEC_ROUTE_REDIRECT, true, false, false, false}, /* gin runs no middleware */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        assert_int_equal(gw_sec_stage_runs(GW_SEC_STAGE_CORS, t[i].route), t[i].cors);
        assert_int_equal(gw_sec_stage_runs(GW_SEC_STAGE_HTTPSECURE, t[i].route), t[i].secure);
        assert_int_equal(gw_sec_stage_runs(GW_SEC_STAGE_BOT_SERVICE, t[i].route), t[i].bot_service);
        assert_int_equal(gw_sec_stage_runs(GW_SEC_STAGE_BOT_ENDPOINT, t[i].route),
                         t[i].bot_endpoint);
    }
}

static void warnings_are_capped(void **state)
{
    struct gw_sec_warnings w = {0};

    (void)state;
    for (int i = 0; i < GW_SEC_MAX_WARNINGS + 5; i++)
        gw_sec_warn(&w, "w%d", i);
    gw_sec_warn(NULL, "ignored");
    assert_int_equal(w.n, GW_SEC_MAX_WARNINGS);
    assert_int_equal(w.dropped, 5);
    assert_string_equal(w.msg[3], "w3");
    gw_sec_warnings_free(&w);
    assert_int_equal(w.n, 0);
}

static void canonical_header(void **state)
{
    static const char *const t[][2] = {
        {"content-type", "Content-Type"},
        {"X-FOO-bar", "X-Foo-Bar"},
        {"x y", "x y"}, /* not a token: unchanged, as Go does */
        {"", ""},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char *c = gw_sec_canonical_header(t[i][0]);
        assert_string_equal(c, t[i][1]);
        free(c);
    }
}

static void utf8_as_go(void **state)
{
    static const struct {
        const char *s;
        size_t n;
        uint32_t r;
        size_t w;
        bool ok;
    } t[] = {
        {"a", 1, 'a', 1, true},
        {"\xc3\xa9", 2, 0xE9, 2, true},
        {"\xe2\x84\xaa", 3, 0x212A, 3, true},
        {"\xf0\x9f\x98\x80", 4, 0x1F600, 4, true},
        {"\xc0\x80", 2, 0xFFFD, 1, false},         /* overlong */
        {"\xed\xa0\x80", 3, 0xFFFD, 1, false},     /* surrogate */
        {"\xf4\x90\x80\x80", 4, 0xFFFD, 1, false}, /* past U+10FFFF */
        {"\xe2\x84", 2, 0xFFFD, 1, false},         /* cut short */
        {"\xff", 1, 0xFFFD, 1, false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        size_t w;
        bool ok;
        assert_int_equal(gw_sec_utf8_decode(t[i].s, t[i].n, &w, &ok), t[i].r);
        assert_int_equal(w, t[i].w);
        assert_int_equal(ok, t[i].ok);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stage_table),
        cmocka_unit_test(warnings_are_capped),
        cmocka_unit_test(canonical_header),
        cmocka_unit_test(utf8_as_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
