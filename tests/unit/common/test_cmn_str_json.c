/* test_cmn_str_json.c - constant-time compare, number parsing, tchar, strict JSON loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_json.h"
#include "cmn_str.h"

static void ct_equal_and_parse(void **state)
{
    long long v;

    (void)state;
    assert_true(cmn_ct_equal("abc", "abc", 3));
    assert_false(cmn_ct_equal("abc", "abd", 3));
    assert_true(cmn_parse_ll("8080", 1, 65535, &v));
    assert_int_equal(v, 8080);
    assert_false(cmn_parse_ll("80x", 1, 65535, &v));
    assert_false(cmn_parse_ll("", 1, 65535, &v));
    assert_false(cmn_parse_ll("70000", 1, 65535, &v));
}

static void tchar_and_digits(void **state)
{
    uint64_t v = 7;
    const char *tokens = "!#$%&'*+-.^_`|~09AZaz";
    const char *not_tokens = " \t\"(),/:;<=>?@[\\]{}\x7f\x80\xff";

    (void)state;
    for (const char *p = tokens; *p; p++)
        assert_true(cmn_str_is_tchar((unsigned char)*p));
    for (const char *p = not_tokens; *p; p++)
        assert_false(cmn_str_is_tchar((unsigned char)*p));
    assert_false(cmn_str_is_tchar(0));
    for (unsigned c = 0; c < 256; c++) { /* every byte, against the RFC's list */
        bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        assert_int_equal(cmn_str_is_tchar((unsigned char)c),
                         alnum || (c && strchr("!#$%&'*+-.^_`|~", (int)c)));
    }

    assert_true(cmn_str_parse_digits("0", 1, 19, &v));
    assert_int_equal(v, 0);
    assert_true(cmn_str_parse_digits("18446744073709551615x", 19, 19, &v)); /* n bytes only */
    assert_true(v == 1844674407370955161u);
    assert_true(cmn_str_parse_digits("9223372036854775807", 19, 19, &v));
    assert_true(v == 9223372036854775807u);
    assert_false(cmn_str_parse_digits("12345", 5, 4, &v)); /* more digits than allowed */
    assert_false(cmn_str_parse_digits("18446744073709551615", 20, 20, &v)); /* 19 at most */
    assert_false(cmn_str_parse_digits("", 0, 19, &v));
    assert_false(cmn_str_parse_digits("+1", 2, 19, &v));
    assert_false(cmn_str_parse_digits(" 1", 2, 19, &v));
    assert_false(cmn_str_parse_digits("1 ", 2, 19, &v));
    assert_false(cmn_str_parse_digits("-1", 2, 19, &v));
    assert_false(cmn_str_parse_digits("0x1", 3, 19, &v));
}

static void json_strict(void **state)
{
    struct cmn_err err;
    json_t *v;
    const char deep[] = "[[[[[[[[[[1]]]]]]]]]]";

    (void)state;
    v = cmn_json_loadb_strict("{\"a\":1}", 7, 100, 4, &err);
    assert_non_null(v);
    json_decref(v);
    assert_null(cmn_json_loadb_strict("{\"a\":1,\"a\":2}", 13, 100, 4, &err));
    assert_non_null(strstr(err.msg, "duplicate"));
    assert_null(cmn_json_loadb_strict(deep, strlen(deep), 100, 4, &err));
    assert_non_null(strstr(err.msg, "nesting"));
    assert_null(cmn_json_loadb_strict("{\"a\":1}", 7, 6, 4, &err));
    assert_null(cmn_json_loadb_strict("{\"a\":1} x", 9, 100, 4, &err));
    /* brackets inside strings do not count as depth */
    v = cmn_json_loadb_strict("{\"a\":\"[[[[[[[[\"}", 16, 100, 2, &err);
    assert_non_null(v);
    assert_int_equal(cmn_json_depth(v), 1);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ct_equal_and_parse),
        cmocka_unit_test(tchar_and_digits),
        cmocka_unit_test(json_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
