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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_ip_rules),
        cmocka_unit_test(header_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
