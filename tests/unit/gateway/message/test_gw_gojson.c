/* test_gw_gojson.c - Go-compatible JSON: number text kept, sorted keys, HTML escaping, floats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gw_gojson.h"

static char *roundtrip(const char *in)
{
    struct cmn_err err = {0};
    struct gw_json *v = gw_json_parse(in, strlen(in), NULL, &err);
    char *out;

    if (!v)
        return strdup(err.msg);
    out = gw_json_render_str(v, NULL);
    gw_json_destroy(v);
    return out;
}

static void expect_rt(const char *in, const char *want)
{
    char *got = roundtrip(in);

    assert_string_equal(got, want);
    free(got);
}

static void numbers_keep_their_text(void **state)
{
    (void)state;
    expect_rt("{\"a\": 1.10, \"b\": 12345678901234567890, \"c\": -0.0, \"d\": 1E+3}",
              "{\"a\":1.10,\"b\":12345678901234567890,\"c\":-0.0,\"d\":1E+3}");
}

static void keys_sorted_at_every_level_and_duplicates_last_wins(void **state)
{
    (void)state;
    expect_rt("{\"lastName\":\"S\",\"id_user\":1,\"firstName\":\"J\",\"age\":25,"
              "\"n\":{\"z\":1,\"a\":[{\"y\":1,\"b\":2}]},\"age\":26}",
              "{\"age\":26,\"firstName\":\"J\",\"id_user\":1,\"lastName\":\"S\","
              "\"n\":{\"a\":[{\"b\":2,\"y\":1}],\"z\":1}}");
    /* byte order, not locale: upper case first */
    expect_rt("{\"b\":1,\"B\":2,\"_\":3}", "{\"B\":2,\"_\":3,\"b\":1}");
    /* small objects are sorted in place, large ones otherwise: the same rules for both */
    expect_rt("{\"t\":1,\"s\":2,\"r\":3,\"q\":4,\"p\":5,\"o\":6,\"n\":7,\"m\":8,\"l\":9,"
              "\"k\":10,\"j\":11,\"i\":12,\"h\":13,\"g\":14,\"f\":15,\"e\":16,\"d\":17,"
              "\"c\":18,\"b\":19,\"a\":20,\"s\":21,\"a\":22}",
              "{\"a\":22,\"b\":19,\"c\":18,\"d\":17,\"e\":16,\"f\":15,\"g\":14,\"h\":13,"
              "\"i\":12,\"j\":11,\"k\":10,\"l\":9,\"m\":8,\"n\":7,\"o\":6,\"p\":5,\"q\":4,"
              "\"r\":3,\"s\":21,\"t\":1}");
}

static void strings_escaped_like_go(void **state)
{
    (void)state;
    expect_rt("[\"<a href='x'>&</a>\"]", "[\"\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e\"]");
    expect_rt("[\"\\u2028\\u2029\\u0001\\b\\f\\n\\r\\t\\/\\\"\\\\\"]",
              "[\"\\u2028\\u2029\\u0001\\b\\f\\n\\r\\t/\\\"\\\\\"]");
    expect_rt("[\"\\ud83d\\ude00 é\"]", "[\"\xf0\x9f\x98\x80 \xc3\xa9\"]");
    /* invalid UTF-8 and lone surrogates become U+FFFD */
    expect_rt("[\"a\xff"
              "b\",\"\\udc00\"]",
              "[\"a\xef\xbf\xbd"
              "b\",\"\xef\xbf\xbd\"]");
}

static void trailing_bytes_ignored_and_errors_reported(void **state)
{
    (void)state;
    expect_rt("{\"a\":1}\n{\"b\":2}", "{\"a\":1}");
    expect_rt("", "EOF");
    expect_rt("{\"a\":", "unexpected end of JSON input");
    expect_rt("x", "invalid character 'x' looking for beginning of value");
    expect_rt("{\"a\":01}", "invalid character '1' after object key:value pair");
    expect_rt("[1.]", "invalid character ']' after decimal point in numeric literal");
}

static void depth_and_size_capped(void **state)
{
    struct gw_json_limits lim = {4, 100};
    struct cmn_err err = {0};
    struct gw_json *v;
    char deep[64];

    (void)state;
    memset(deep, '[', 10);
    deep[10] = '\0';
    v = gw_json_parse(deep, strlen(deep), &lim, &err);
    assert_null(v);
    assert_string_equal(err.msg, "exceeded max depth");
    v = gw_json_parse("[1,2,3,4,5,6,7,8,9,10]", 22, &(struct gw_json_limits){4, 5}, &err);
    assert_null(v);
}

static void go_floats(void **state)
{
    static const struct {
        double f;
        const char *s;
    } cases[] = {{42, "42"},
                 {1.5, "1.5"},
                 {1735689600, "1735689600"},
                 {1e21, "1e+21"},
                 {1e20, "100000000000000000000"},
                 {0.000001, "0.000001"},
                 {1e-7, "1e-7"},
                 {-2.5e-10, "-2.5e-10"},
                 {0.1, "0.1"},
                 {123456.789, "123456.789"},
                 {0, "0"},
                 {1.7976931348623157e308, "1.7976931348623157e+308"}};
    char out[64];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gw_json_format_float(cases[i].f, out, sizeof(out));
        assert_string_equal(out, cases[i].s);
    }
}

static void jansson_config_values_render_as_go_floats(void **state)
{
    json_t *j = json_loads("{\"foo\":42,\"bar\":\"foobar\",\"x\":1.50,\"l\":[true,null]}", 0, NULL);
    struct gw_json *v = gw_json_from_jansson(j);
    char *s = gw_json_render_str(v, NULL);

    (void)state;
    assert_string_equal(s, "{\"bar\":\"foobar\",\"foo\":42,\"l\":[true,null],\"x\":1.5}");
    free(s);
    gw_json_destroy(v);
    json_decref(j);
}

static void structs_keep_field_order_and_objects_edit(void **state)
{
    struct gw_json *s = gw_json_struct(), *o = gw_json_object(), *c;
    char *txt;

    (void)state;
    gw_json_object_set(s, "http_status_code", gw_json_number("404"));
    gw_json_object_set(s, "http_body", gw_json_string("x", 1));
    gw_json_object_set(o, "z", gw_json_null());
    gw_json_object_set(o, "a", s);
    gw_json_object_set(o, "z", gw_json_bool(true)); /* replaces */
    c = gw_json_copy(o);
    assert_true(gw_json_object_del(c, "z"));
    assert_false(gw_json_object_del(c, "z"));
    txt = gw_json_render_str(o, NULL);
    assert_string_equal(txt, "{\"a\":{\"http_status_code\":404,\"http_body\":\"x\"},\"z\":true}");
    free(txt);
    txt = gw_json_render_str(c, NULL);
    assert_string_equal(txt, "{\"a\":{\"http_status_code\":404,\"http_body\":\"x\"}}");
    free(txt);
    gw_json_destroy(o);
    gw_json_destroy(c);
}

static void param_text_like_lura(void **state)
{
    struct cmn_err err = {0};
    const char *in =
        "{\"s\":\"a b\",\"n\":42.0,\"b\":false,\"a\":[\"x\",1,[2,3]],\"o\":{\"k\":1,\"a\":\"v\"}}";
    struct gw_json *v = gw_json_parse(in, strlen(in), NULL, &err);
    static const struct {
        const char *key, *want;
    } cases[] = {
        {"s", "a b"}, {"n", "42.0"}, {"b", "false"}, {"a", "x,1,[2 3]"}, {"o", "map[a:v k:1]"}};

    (void)state;
    assert_non_null(v);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cmn_buf b;
        cmn_buf_init(&b, 1024);
        assert_true(gw_json_param_text(gw_json_object_get(v, cases[i].key), &b));
        assert_string_equal(cmn_buf_str(&b), cases[i].want);
        cmn_buf_free(&b);
    }
    gw_json_destroy(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_keep_their_text),
        cmocka_unit_test(keys_sorted_at_every_level_and_duplicates_last_wins),
        cmocka_unit_test(strings_escaped_like_go),
        cmocka_unit_test(trailing_bytes_ignored_and_errors_reported),
        cmocka_unit_test(depth_and_size_capped),
        cmocka_unit_test(go_floats),
        cmocka_unit_test(jansson_config_values_render_as_go_floats),
        cmocka_unit_test(structs_keep_field_order_and_objects_edit),
        cmocka_unit_test(param_text_like_lura),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
