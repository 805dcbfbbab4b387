/* test_mb_gojson.c - strings come out as Go's encoding/json (with HTML escaping) writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "mb_gojson.h"

static void check(const char *in, size_t n, bool html, const char *want)
{
    struct cmn_buf b;
    struct mb_jw w;

    cmn_buf_init(&b, 4096);
    mb_jw_init(&w, &b, html);
    mb_jw_str(&w, in, n);
    assert_false(w.failed);
    assert_string_equal(cmn_buf_str(&b), want);
    cmn_buf_free(&b);
}

#define CHECK(lit, html, want) check(lit, sizeof(lit) - 1, html, want)

static void escapes_like_go(void **state)
{
    (void)state;
    CHECK("plain", true, "\"plain\"");
    CHECK("a\"b\\c", true, "\"a\\\"b\\\\c\"");
    /* Go >= 1.22 writes \b and \f short; other control bytes as \u00XX lower-case */
    CHECK("\b\f\n\r\t", true, "\"\\b\\f\\n\\r\\t\"");
    CHECK("\x01\x1f", true, "\"\\u0001\\u001f\"");
    CHECK("\x7f", true, "\"\x7f\"");
    CHECK("a\0b", true, "\"a\\u0000b\"");
}

static void html_escaping(void **state)
{
    (void)state;
    CHECK("<a>&", true, "\"\\u003ca\\u003e\\u0026\"");
    CHECK("<a>&", false, "\"<a>&\"");
}

static void utf8_handling(void **state)
{
    (void)state;
    CHECK("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", true,
          "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* each invalid byte becomes U+FFFD, as utf8.DecodeRune consumes one byte */
    CHECK("\xff", true, "\"\\ufffd\"");
    CHECK("\xe2\x82", true, "\"\\ufffd\\ufffd\"");
    CHECK("\xc0\xaf", true, "\"\\ufffd\\ufffd\"");            /* overlong */
    CHECK("\xed\xa0\x80", true, "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
    CHECK("\xf4\x90\x80\x80", true, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    /* line and paragraph separators are escaped for JSONP safety */
    CHECK("\xe2\x80\xa8\xe2\x80\xa9", true, "\"\\u2028\\u2029\"");
    assert_true(mb_utf8_valid("caf\xc3\xa9", 5));
    assert_false(mb_utf8_valid("\xc3", 1));
}

static void sticky_failure_at_cap(void **state)
{
    struct cmn_buf b;
    struct mb_jw w;

    (void)state;
    cmn_buf_init(&b, 8);
    mb_jw_init(&w, &b, true);
    mb_jw_cstr(&w, "0123456789");
    assert_true(w.failed);
    mb_jw_raw(&w, "x"); /* ignored once failed */
    assert_true(w.failed);
    assert_true(b.len <= 8);
    cmn_buf_free(&b);
}

static void integers(void **state)
{
    struct cmn_buf b;
    struct mb_jw w;

    (void)state;
    cmn_buf_init(&b, 64);
    mb_jw_init(&w, &b, true);
    mb_jw_int(&w, 42);
    mb_jw_raw(&w, ",");
    mb_jw_int(&w, -7);
    assert_string_equal(cmn_buf_str(&b), "42,-7");
    cmn_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_like_go), cmocka_unit_test(html_escaping),
        cmocka_unit_test(utf8_handling),   cmocka_unit_test(sticky_failure_at_cap),
        cmocka_unit_test(integers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
