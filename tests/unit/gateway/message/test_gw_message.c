/* test_gw_message.c - header lists and gin's ClientIP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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
        cmocka_unit_test(header_del),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
