/* test_mb_gohttp.c - Go net/http request semantics: header keys, query parsing, paths, IPs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "mb_gohttp.h"
#include "mbt_util.h"

static void canonical_keys(void **state)
{
    static const char *const cases[][2] = {
        {"x-y-z", "X-Y-Z"},
        {"autHoriZatiOn", "Authorization"},
        {"content-TYPE", "Content-Type"},
        {"x_y", "X_y"},
        {"a b", "a b"}, /* not a token: unchanged */
        {"-x", "-X"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *k = mb_go_canonical_key(cases[i][0]);
        assert_non_null(k);
        assert_string_equal(k, cases[i][1]);
        free(k);
    }
}

static void query_as_parse_query(void **state)
{
    struct mb_mmap m;
    struct cmn_buf b;
    struct mb_jw w;

    (void)state;
    mb_mmap_init(&m, 100);
    assert_true(mb_go_parse_query("b=2&a=1&b=3&&c&d=x+y%21&e=%zz&f;g=1&=v", &m, true));
    mb_mmap_sort(&m);
    cmn_buf_init(&b, 1024);
    mb_jw_init(&w, &b, true);
    mb_jw_mmap(&w, &m);
    /* %zz and the ';' pair are dropped; an empty key is kept */
    assert_string_equal(cmn_buf_str(&b),
                        "{\"\":[\"v\"],\"a\":[\"1\"],\"b\":[\"2\",\"3\"],\"c\":[\"\"],"
                        "\"d\":[\"x y!\"]}");
    mb_mmap_free(&m);
    cmn_buf_free(&b);

    mb_mmap_init(&m, 100);
    assert_true(mb_go_parse_query("e=%zz&f;g=1", &m, false));
    assert_string_equal(mb_mmap_get(&m, "e")->vals[0], "%zz");
    assert_string_equal(mb_mmap_get(&m, "f;g")->vals[0], "1");
    mb_mmap_free(&m);

    /* the pair cap is enforced */
    mb_mmap_init(&m, 2);
    assert_false(mb_go_parse_query("a=1&a=2&a=3", &m, true));
    mb_mmap_free(&m);
}

static void header_map_like_go_server(void **state)
{
    const char *const h[] = {
        "Host: example",     "x-a: 1",           "X-A: 2", "Transfer-Encoding: chunked",
        "Content-Length: 5", "Pragma: no-cache", NULL};
    struct mbt_req t;
    struct mb_mmap m;

    (void)state;
    mbt_req_init(&t, "POST", "/x", h, "hello");
    mb_mmap_init(&m, 100);
    assert_true(mb_go_header_map(&t.req, &m));
    assert_null(mb_mmap_get(&m, "Host"));
    assert_null(mb_mmap_get(&m, "Transfer-Encoding"));
    assert_null(mb_mmap_get(&m, "Content-Length"));
    assert_int_equal(mb_mmap_get(&m, "X-A")->n, 2);
    assert_string_equal(mb_mmap_get(&m, "X-A")->vals[1], "2");
    assert_string_equal(mb_mmap_get(&m, "Cache-Control")->vals[0], "no-cache");
    mb_mmap_free(&m);
    mbt_req_free(&t);
}

static void paths(void **state)
{
    static const char *const clean[][2] = {
        {"", "/"},           {"/", "/"},        {"/a/b", "/a/b"}, {"//a//b/", "/a/b/"},
        {"/a/./b", "/a/b"},  {"/a/../b", "/b"}, {"/..", "/"},     {"/a/..", "/"},
        {"/a/b/../", "/a/"}, {"a/b", "/a/b"},   {"/a/.", "/a"},
    };
    char *out;

    (void)state;
    for (size_t i = 0; i < sizeof(clean) / sizeof(clean[0]); i++) {
        out = mb_go_clean_path(clean[i][0]);
        assert_string_equal(out, clean[i][1]);
        free(out);
    }
    assert_true(mb_go_path_unescape("/a%20b+c", &out));
    assert_string_equal(out, "/a b+c");
    free(out);
    assert_false(mb_go_path_unescape("/a%zz", &out));
    assert_false(mb_go_path_unescape("/a%00b", &out));
    out = mb_go_escape_path("/a b/\xc3\xa9?#:@;=");
    assert_string_equal(out, "/a%20b/%C3%A9%3F%23:@;=");
    free(out);
}

static void loopback(void **state)
{
    (void)state;
    assert_true(mb_go_ip_is_loopback("127.0.0.1"));
    assert_true(mb_go_ip_is_loopback("127.8.9.10"));
    assert_true(mb_go_ip_is_loopback("::1"));
    assert_true(mb_go_ip_is_loopback("::ffff:127.0.0.1"));
    assert_false(mb_go_ip_is_loopback(NULL));
    assert_false(mb_go_ip_is_loopback(""));
    assert_false(mb_go_ip_is_loopback("10.0.0.1"));
    assert_false(mb_go_ip_is_loopback("127.0.0.1, 10.0.0.1"));
    assert_false(mb_go_ip_is_loopback("127.0.0.01")); /* Go rejects leading zeros */
    assert_false(mb_go_ip_is_loopback("localhost"));
    assert_false(mb_go_ip_is_loopback("::2"));
}

static void atoi_messages(void **state)
{
    static const char *const bad[][2] = {
        {"abc", "strconv.Atoi: parsing \"abc\": invalid syntax"},
        {"", "strconv.Atoi: parsing \"\": invalid syntax"},
        {"+", "strconv.Atoi: parsing \"+\": invalid syntax"},
        {"3 0", "strconv.Atoi: parsing \"3 0\": invalid syntax"},
        {"a\"b", "strconv.Atoi: parsing \"a\\\"b\": invalid syntax"},
        {"\x01", "strconv.Atoi: parsing \"\\x01\": invalid syntax"},
        {"99999999999999999999", "strconv.Atoi: parsing \"99999999999999999999\": value out of "
                                 "range"},
        {"9223372036854775808", "strconv.Atoi: parsing \"9223372036854775808\": value out of "
                                "range"},
    };
    long long v = 0;

    (void)state;
    assert_true(mb_go_atoi("302", &v, NULL));
    assert_int_equal(v, 302);
    assert_true(mb_go_atoi("+7", &v, NULL));
    assert_int_equal(v, 7);
    assert_true(mb_go_atoi("-9223372036854775808", &v, NULL));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cmn_buf msg;
        cmn_buf_init(&msg, 256);
        assert_false(mb_go_atoi(bad[i][0], &v, &msg));
        assert_string_equal(cmn_buf_str(&msg), bad[i][1]);
        cmn_buf_free(&msg);
    }
}

static void status_text(void **state)
{
    (void)state;
    assert_string_equal(mb_go_status_text(301), "Moved Permanently");
    assert_string_equal(mb_go_status_text(413), "Request Entity Too Large");
    assert_string_equal(mb_go_status_text(418), "I'm a teapot");
    assert_string_equal(mb_go_status_text(299), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(canonical_keys),
        cmocka_unit_test(query_as_parse_query),
        cmocka_unit_test(header_map_like_go_server),
        cmocka_unit_test(paths),
        cmocka_unit_test(loopback),
        cmocka_unit_test(atoi_messages),
        cmocka_unit_test(status_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
