/* test_cmn_buf.c - the capped buffer never grows past its cap and stays terminated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_buf.h"

static void append_and_cap(void **state)
{
    struct cmn_buf b;

    (void)state;
    cmn_buf_init(&b, 10);
    assert_string_equal(cmn_buf_str(&b), "");
    assert_int_equal(cmn_buf_append_str(&b, "hello"), CMN_BUF_OK);
    assert_int_equal(cmn_buf_printf(&b, "%d", 12345), CMN_BUF_OK);
    assert_string_equal(cmn_buf_str(&b), "hello12345");
    assert_int_equal(cmn_buf_append(&b, "x", 1), CMN_BUF_TOO_BIG);
    assert_int_equal(cmn_buf_printf(&b, "%s", "y"), CMN_BUF_TOO_BIG);
    assert_int_equal(b.len, 10);
    assert_string_equal(cmn_buf_str(&b), "hello12345");
    cmn_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(cmn_buf_append(&b, "abc", 3), CMN_BUF_OK);
    cmn_buf_free(&b);
    cmn_buf_free(NULL);
}

static void huge_append_is_refused(void **state)
{
    struct cmn_buf b;

    (void)state;
    cmn_buf_init(&b, 100);
    assert_int_equal(cmn_buf_append(&b, "", SIZE_MAX), CMN_BUF_TOO_BIG);
    assert_int_equal(cmn_buf_append(&b, "abc", 3), CMN_BUF_OK);
    assert_int_equal(cmn_buf_append(&b, "", SIZE_MAX - 1), CMN_BUF_TOO_BIG);
    cmn_buf_free(&b);
}

static void unbounded_cap(void **state)
{
    struct cmn_buf b;

    (void)state;
    cmn_buf_init(&b, SIZE_MAX);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(cmn_buf_append_str(&b, "0123456789"), CMN_BUF_OK);
    assert_int_equal(b.len, 10000);
    assert_true(b.alloc > b.len);
    assert_int_equal(cmn_buf_append(&b, "", SIZE_MAX - b.len), CMN_BUF_TOO_BIG);
    cmn_buf_free(&b);
}

static void html_escape_as_go(void **state)
{
    struct cmn_buf b;
    const char in[] = "<a href='x'>\"&\"</a> ok";

    (void)state;
    cmn_buf_init(&b, 1000);
    assert_int_equal(cmn_buf_append_html(&b, in, strlen(in)), CMN_BUF_OK);
    assert_string_equal(cmn_buf_str(&b), "&lt;a href=&#39;x&#39;&gt;&#34;&amp;&#34;&lt;/a&gt; ok");
    cmn_buf_free(&b);
    cmn_buf_init(&b, 4);
    assert_int_equal(cmn_buf_append_html(&b, "&", 1), CMN_BUF_TOO_BIG);
    cmn_buf_free(&b);
}

static void take_leaves_empty(void **state)
{
    struct cmn_buf b;
    size_t n;
    char *p;

    (void)state;
    cmn_buf_init(&b, 1000);
    p = cmn_buf_take(&b, &n);
    assert_non_null(p);
    assert_int_equal(n, 0);
    assert_string_equal(p, "");
    free(p);
    for (int i = 0; i < 100; i++)
        assert_int_equal(cmn_buf_append_str(&b, "0123456789"), CMN_BUF_OK);
    p = cmn_buf_take(&b, &n);
    assert_int_equal(n, 1000);
    assert_int_equal(strlen(p), 1000);
    assert_int_equal(b.len, 0);
    assert_null(b.data);
    free(p);
}

/* A writer that fills the room itself: the room is where len ends, within the cap. */
static void room_for_a_writer(void **state)
{
    struct cmn_buf b;
    char *w;

    (void)state;
    cmn_buf_init(&b, 10);
    assert_true(cmn_buf_append(&b, "ab", 2) == CMN_BUF_OK);
    w = cmn_buf_room(&b, 8);
    assert_non_null(w);
    assert_ptr_equal(w, b.data + 2);
    memcpy(w, "12345678", 8);
    b.len += 8;
    assert_memory_equal(b.data, "ab12345678", 10);
    assert_null(cmn_buf_room(&b, 1)); /* the cap */
    assert_non_null(cmn_buf_room(&b, 0));
    cmn_buf_free(&b);
    cmn_buf_init(&b, SIZE_MAX - 1);
    assert_null(cmn_buf_room(&b, SIZE_MAX)); /* over the cap: refused, not wrapped */
    assert_non_null(w = cmn_buf_room(&b, 100000));
    memset(w, 'x', 100000);
    cmn_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* clang-format off */
        cmocka_unit_test(append_and_cap),
        cmocka_unit_test(huge_append_is_refused),
        cmocka_unit_test(unbounded_cap),
        cmocka_unit_test(html_escape_as_go),
        cmocka_unit_test(take_leaves_empty),
        cmocka_unit_test(room_for_a_writer),
        /* clang-format on */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
