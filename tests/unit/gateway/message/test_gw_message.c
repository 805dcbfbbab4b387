/* test_gw_message.c - header lists, gin's ClientIP, and the request's strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gw_message.h"

/* The router passes the first values of the two headers. */
static void client_ip(const struct gw_hdrs *h, const char *remote, char *out, size_t n)
{
    gw_client_ip_of(gw_hdrs_get(h, "X-Forwarded-For"), gw_hdrs_get(h, "X-Real-Ip"), remote, out, n);
}

static void client_ip_rules(void **state)
{
    struct gw_hdrs h;
    char ip[64];

    (void)state;
    gw_hdrs_init(&h, 0);
    client_ip(&h, "127.0.0.1", ip, sizeof(ip));
    assert_string_equal(ip, "127.0.0.1");
    gw_hdrs_add(&h, "X-Forwarded-For", "123.45.67.89, 10.0.0.1");
    client_ip(&h, "127.0.0.1", ip, sizeof(ip));
    assert_string_equal(ip, "123.45.67.89");
    gw_hdrs_set(&h, "X-Forwarded-For", "bogus, 10.0.0.1");
    gw_hdrs_add(&h, "X-Real-Ip", "::1");
    client_ip(&h, "127.0.0.1", ip, sizeof(ip));
    assert_string_equal(ip, "::1");
    gw_hdrs_free(&h);
}

static void header_cap(void **state)
{
    struct gw_hdrs h;

    (void)state;
    gw_hdrs_init(&h, 2);
    assert_true(gw_hdrs_add(&h, "A", "1"));
    assert_true(gw_hdrs_add(&h, "B", "1"));
    assert_false(gw_hdrs_add(&h, "C", "1"));
    assert_true(gw_hdrs_set(&h, "a", "2"));
    assert_string_equal(gw_hdrs_get(&h, "A"), "2");
    gw_hdrs_free(&h);
}

/* A request whose strings share one block can have them replaced one by one afterwards. */
static void own_strings(void **state)
{
    static const char block[] = "GET\0/a\0x=1\0host\0" "10.0.0.1\0b\0dy";
    struct gw_inreq r = {0};

    (void)state;
    r.strs = malloc(sizeof(block));
    memcpy(r.strs, block, sizeof(block));
    r.method = r.strs;
    r.path = r.strs + 4;
    r.raw_query = r.strs + 7;
    r.host = r.strs + 11;
    r.client_ip = r.strs + 16;
    r.body = r.strs + 25;
    r.body_len = 4; /* a NUL inside the body survives */
    gw_hdrs_init(&r.headers, 8);
    assert_true(gw_inreq_own_strings(&r));
    assert_null(r.strs);
    free(r.path);
    r.path = strdup("/b");
    assert_string_equal(r.method, "GET");
    assert_string_equal(r.raw_query, "x=1");
    assert_string_equal(r.host, "host");
    assert_string_equal(r.client_ip, "10.0.0.1");
    assert_memory_equal(r.body, "b\0dy", 4);
    assert_true(gw_inreq_own_strings(&r)); /* already owned: nothing to do */
    gw_inreq_free(&r);                     /* ASan/valgrind: each freed once */
}

/* gw_hdrs_del removes every line of the name (any case), keeps the others in order, and leaves
 * the list as it is when the name is absent. */
static void header_del(void **state)
{
    static const char *const names[] = {"Vary", "x-a", "B", "X-A", "C"};
    struct gw_hdrs h;

    (void)state;
    gw_hdrs_init(&h, 0);
    for (size_t i = 0; i < 5; i++)
        assert_true(gw_hdrs_add(&h, names[i], names[i]));
    gw_hdrs_del(&h, "Absent");
    assert_int_equal(h.n, 5);
    gw_hdrs_del(&h, "X-a");
    assert_int_equal(h.n, 3);
    assert_string_equal(h.v[0].name, "Vary");
    assert_string_equal(h.v[1].name, "B");
    assert_string_equal(h.v[2].name, "C");
    gw_hdrs_del(&h, "vary");
    assert_int_equal(h.n, 2);
    assert_string_equal(h.v[0].name, "B");
    gw_hdrs_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_ip_rules),
        cmocka_unit_test(header_cap),
        cmocka_unit_test(own_strings),
        cmocka_unit_test(header_del),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
