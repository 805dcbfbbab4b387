/* test_gw_message.c - header lists, gin's ClientIP, and the request's strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gw_message.h"

static bool field_at(const void *ctx, size_t i, const char **name, const char **value)
{
    const struct gw_hdrs *h = ctx;

    if (i >= h->n)
        return false;
    *name = h->v[i].name;
    *value = h->v[i].value;
    return true;
}

static const char *cip(const struct gw_client_ip_rules *r, const struct gw_hdrs *h,
                       const char *remote)
{
    static char out[64];

    gw_client_ip(r ? r : gw_client_ip_defaults(), remote, field_at, h, out, sizeof(out));
    return out;
}

/* gin's defaults: every proxy trusted, so the left-most valid X-Forwarded-For item wins. */
static void client_ip_defaults(void **state)
{
    struct gw_hdrs h;

    (void)state;
    gw_hdrs_init(&h, 0);
    assert_string_equal(cip(NULL, &h, "127.0.0.1"), "127.0.0.1");
    assert_string_equal(cip(NULL, &h, "bogus"), ""); /* net.ParseIP(RemoteIP) == nil */
    gw_hdrs_add(&h, "X-Forwarded-For", " 123.45.67.89 , 10.0.0.1");
    assert_string_equal(cip(NULL, &h, "127.0.0.1"), "123.45.67.89");
    gw_hdrs_set(&h, "X-Forwarded-For", "bogus, 10.0.0.1");
    gw_hdrs_add(&h, "x-real-ip", "::1");
    assert_string_equal(cip(NULL, &h, "127.0.0.1"), "::1");
    gw_hdrs_set(&h, "X-Real-Ip", "::1,"); /* an empty last item rejects the header */
    assert_string_equal(cip(NULL, &h, "127.0.0.1"), "127.0.0.1");
    gw_hdrs_free(&h);

    /* gin 1.12 joins every line of the header: "1.1.1.1" "2.2.2.2, 3.3.3.3" */
    gw_hdrs_init(&h, 0);
    gw_hdrs_add(&h, "X-Forwarded-For", "1.1.1.1");
    gw_hdrs_add(&h, "Via", "x");
    gw_hdrs_add(&h, "X-Forwarded-For", "2.2.2.2, 3.3.3.3");
    assert_string_equal(cip(NULL, &h, "127.0.0.1"), "1.1.1.1");
    gw_hdrs_add(&h, "X-Forwarded-For", "");
    assert_string_equal(cip(NULL, &h, "127.0.0.1"), "127.0.0.1");
    gw_hdrs_free(&h);
}

/* With trusted proxies configured, X-Forwarded-For is read only from them, and only up to the
 * first address that is not one of them: what a client writes before that is never believed. */
static void client_ip_trusted_proxies(void **state)
{
    static const char *const xff[] = {"X-Forwarded-For", "X-Real-Ip"};
    struct cmn_go_ipnet nets[2];
    struct gw_client_ip_rules r = {true, xff, 2, nets, 2};
    struct gw_hdrs h;

    (void)state;
    assert_true(cmn_go_parse_trusted_proxy("10.0.0.0/8", 10, &nets[0]));
    assert_true(cmn_go_parse_trusted_proxy("192.0.2.7", 9, &nets[1]));
    gw_hdrs_init(&h, 0);
    gw_hdrs_add(&h, "X-Forwarded-For", "6.6.6.6");
    /* a client that is no proxy cannot choose its address */
    assert_string_equal(cip(&r, &h, "203.0.113.5"), "203.0.113.5");
    /* a trusted proxy can */
    assert_string_equal(cip(&r, &h, "10.1.2.3"), "6.6.6.6");
    assert_string_equal(cip(&r, &h, "192.0.2.7"), "6.6.6.6");
    /* a spoofed entry before the real client is skipped: the walk stops at the first address
     * that is not a trusted proxy, from the right */
    gw_hdrs_set(&h, "X-Forwarded-For", "6.6.6.6, 198.51.100.9, 10.0.0.4");
    assert_string_equal(cip(&r, &h, "10.1.2.3"), "198.51.100.9");
    /* ... and garbage on the left does not matter once an untrusted address was found */
    gw_hdrs_set(&h, "X-Forwarded-For", "not-an-ip, 198.51.100.9");
    assert_string_equal(cip(&r, &h, "10.1.2.3"), "198.51.100.9");
    /* only trusted proxies: the left-most one is the answer */
    gw_hdrs_set(&h, "X-Forwarded-For", "10.0.0.9, 10.0.0.4");
    assert_string_equal(cip(&r, &h, "10.1.2.3"), "10.0.0.9");
    /* a non-IP reached in the walk rejects the header; X-Real-Ip is next */
    gw_hdrs_set(&h, "X-Forwarded-For", "bogus, 10.0.0.4");
    gw_hdrs_add(&h, "X-Real-Ip", "198.51.100.1");
    assert_string_equal(cip(&r, &h, "10.1.2.3"), "198.51.100.1");
    /* forwarded_by_client_ip: false -> the peer, whatever it sends */
    r.forwarded = false;
    assert_string_equal(cip(&r, &h, "10.1.2.3"), "10.1.2.3");
    r.forwarded = true;
    /* remote_ip_headers: only the configured ones, in their order */
    static const char *const custom[] = {"X-Client-Ip"};
    r.headers = custom;
    r.n_headers = 1;
    assert_string_equal(cip(&r, &h, "10.1.2.3"), "10.1.2.3");
    gw_hdrs_add(&h, "x-client-ip", "198.51.100.77");
    assert_string_equal(cip(&r, &h, "10.1.2.3"), "198.51.100.77");
    /* no trusted network at all (the first entry was invalid): always the peer */
    r.n_trusted = 0;
    assert_string_equal(cip(&r, &h, "10.1.2.3"), "10.1.2.3");
    gw_hdrs_free(&h);
}

/* gin's bare-address entries become /32 or /128; "::ffff:a.b.c.d" becomes an IPv6 /32. */
static void trusted_proxy_entries(void **state)
{
    struct cmn_go_ipnet n;
    struct cmn_go_ip ip;

    (void)state;
    assert_true(cmn_go_parse_trusted_proxy("::1", 3, &n));
    assert_true(cmn_go_parse_ip("::1", 3, &ip) && cmn_go_ipnet_contains(&n, &ip));
    assert_true(cmn_go_parse_ip("::2", 3, &ip) && !cmn_go_ipnet_contains(&n, &ip));
    assert_true(cmn_go_parse_trusted_proxy("::ffff:1.2.3.4", 14, &n));
    assert_int_equal(n.len, 16);
    assert_true(cmn_go_parse_ip("1.2.3.4", 7, &ip) && !cmn_go_ipnet_contains(&n, &ip));
    assert_true(cmn_go_parse_ip("::5", 3, &ip) && cmn_go_ipnet_contains(&n, &ip));
    assert_false(cmn_go_parse_trusted_proxy("example.com", 11, &n));
    assert_false(cmn_go_parse_trusted_proxy("10.0.0.0/33", 11, &n));
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
        cmocka_unit_test(client_ip_defaults),
        cmocka_unit_test(client_ip_trusted_proxies),
        cmocka_unit_test(trusted_proxy_entries),
        cmocka_unit_test(header_cap),
        cmocka_unit_test(own_strings),
        cmocka_unit_test(header_del),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
