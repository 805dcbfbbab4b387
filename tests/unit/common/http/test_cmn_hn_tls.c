/* test_cmn_hn_tls.c - the TLS 1.0-1.2 suite rules of the native engine: a ClientHello's suites
 * read from its bytes (whole and cut at every length), Go's order of preference among the
 * allowed ones, and the GnuTLS tokens that allow exactly them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cmn_hn_tls.h"

/* A ClientHello body: version, random, a session id of sid bytes, the suites, compression. */
static size_t hello(unsigned char *out, size_t sid, const uint16_t *suites, size_t n)
{
    size_t at = 0;

    out[at++] = 3;
    out[at++] = 3;
    memset(out + at, 0x5a, 32);
    at += 32;
    out[at++] = (unsigned char)sid;
    memset(out + at, 0x11, sid);
    at += sid;
    out[at++] = (unsigned char)(n * 2 >> 8);
    out[at++] = (unsigned char)(n * 2);
    for (size_t i = 0; i < n; i++) {
        out[at++] = (unsigned char)(suites[i] >> 8);
        out[at++] = (unsigned char)suites[i];
    }
    out[at++] = 1; /* compression methods: null */
    out[at++] = 0;
    return at;
}

static void hello_suites(void **state)
{
    static const uint16_t offered[] = {0x1301, 0xc02f, 0xcca8, 0x00ff};
    unsigned char msg[256];
    uint16_t got[8];
    size_t len = hello(msg, 32, offered, 4), n;

    (void)state;
    assert_true(cmn_hn_tls_hello_suites(msg, len, got, 8, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(got, offered, sizeof(offered));
    /* every cut before the end of the suites is refused, none reads past the end */
    for (size_t cut = 0; cut < 2 + 32 + 1 + 32 + 2 + 8; cut++)
        assert_false(cmn_hn_tls_hello_suites(msg, cut, got, 8, &n));
    assert_true(cmn_hn_tls_hello_suites(msg, len, got, 2, &n)); /* capped, not refused */
    assert_int_equal(n, 2);
    msg[34] = 33; /* a session id longer than 32 */
    assert_false(cmn_hn_tls_hello_suites(msg, len, got, 8, &n));
    len = hello(msg, 0, offered, 4);
    msg[36] = 7; /* an odd suite length */
    assert_false(cmn_hn_tls_hello_suites(msg, len, got, 8, &n));
}

static size_t pick(const uint16_t *allowed, size_t na, const uint16_t *offered, size_t no,
                   uint16_t *out)
{
    return cmn_hn_tls_pick_suites(allowed, na, offered, no, out, 16);
}

static void go_preference_and_no_leak(void **state)
{
    static const uint16_t allowed[] = {0xc02c, 0xc02f}; /* ECDSA-AES256, RSA-AES128 */
    uint16_t out[16];
    (void)state;

    /* Go's order (AES-128 before AES-256), whatever order the list has */
    static const uint16_t both[] = {0xc02c, 0xc02f};
    static const uint16_t both_and_leak[] = {0xc02c, 0xc02f, 0xc030};
    assert_int_equal(pick(allowed, 2, both, 2, out), 2);
    assert_int_equal(out[0], 0xc02f);
    assert_int_equal(out[1], 0xc02c);
    /* with RSA-AES256 offered too, the two together would let GnuTLS pick it: only the
     * preferred one is kept */
    assert_int_equal(pick(allowed, 2, both_and_leak, 3, out), 1);
    assert_int_equal(out[0], 0xc02f);
    /* nothing allowed was offered */
    static const uint16_t other[] = {0xc030, 0xcca8};
    assert_int_equal(pick(allowed, 2, other, 2, out), 0);
    /* ChaCha20 first when the client puts it before AES-GCM (Go's NoAES order) */
    static const uint16_t mixed[] = {0xc02f, 0xcca8};
    static const uint16_t chacha_first[] = {0xcca8, 0xc02f};
    assert_int_equal(pick(mixed, 2, chacha_first, 2, out), 2);
    assert_int_equal(out[0], 0xcca8);
    assert_int_equal(pick(mixed, 2, mixed, 2, out), 2);
    assert_int_equal(out[0], 0xc02f);
    /* RC4 has no GnuTLS counterpart */
    static const uint16_t rc4[] = {0xc011};
    assert_int_equal(pick(rc4, 1, rc4, 1, out), 0);
}

static void priority_tokens(void **state)
{
    static const uint16_t ids[] = {0xc02f, 0x002f, 0xc02f};
    struct cmn_buf b;
    (void)state;

    cmn_buf_init(&b, 1024);
    cmn_buf_append_str(&b, "NONE");
    cmn_hn_tls_suite_tokens(ids, 3, &b);
    assert_string_equal(cmn_buf_str(&b),
                        "NONE:+AES-128-GCM:+AES-128-CBC:+ECDHE-RSA:+RSA:+AEAD:+SHA1");
    cmn_buf_free(&b);
    const char *name = NULL;
    assert_true(cmn_http_tls_suite_usable(0xcca9, &name));
    assert_string_equal(name, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    assert_false(cmn_http_tls_suite_usable(0x0005, &name));
    assert_string_equal(name, "TLS_RSA_WITH_RC4_128_SHA");
    assert_false(cmn_http_tls_suite_usable(0x1301, &name)); /* TLS 1.3: not configurable */
    assert_null(name);
    assert_true(cmn_http_tls_group_usable(29));
    assert_false(cmn_http_tls_group_usable(4588));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hello_suites),
        cmocka_unit_test(go_preference_and_no_leak),
        cmocka_unit_test(priority_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
