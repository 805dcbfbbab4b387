/* test_cmn_siphash.c - SipHash-2-4-128 against an independent implementation: OpenSSL's SIPHASH
 * MAC, run as the `openssl mac` command on the same keys and messages (every length from 0 to
 * 40 bytes, so every tail length meets every block count). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmn_siphash.h"

/* OpenSSL's answer for key and msg[0, n), as 32 upper-case hex digits; false without openssl. */
static bool openssl_siphash(const uint8_t key[16], const uint8_t *msg, size_t n, char hex[33])
{
    char path[] = "/tmp/siphash.XXXXXX", cmd[256], kh[33];
    int fd = mkstemp(path);
    FILE *p;
    bool ok = false;

    if (fd < 0)
        return false;
    if (write(fd, msg, n) != (ssize_t)n) {
        close(fd);
        unlink(path);
        return false;
    }
    close(fd);
    for (int i = 0; i < 16; i++)
        snprintf(kh + 2 * i, 3, "%02x", key[i]);
    snprintf(cmd, sizeof(cmd),
             "openssl mac -macopt hexkey:%s -macopt size:16 -in %s SIPHASH 2>/dev/null", kh, path);
    p = popen(cmd, "r");
    if (p) {
        ok = fscanf(p, "%32s", hex) == 1 && strlen(hex) == 32;
        pclose(p);
    }
    unlink(path);
    return ok;
}

static void ours(const uint8_t key[16], const uint8_t *msg, size_t n, char hex[33])
{
    struct cmn_siphash_key k = cmn_siphash_key_from_bytes(key);
    uint64_t h[2];

    cmn_siphash128(&k, msg, n, h);
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02X", (unsigned)(h[i / 8] >> (8 * (i % 8))) & 0xff);
}

static void against_openssl(void **state)
{
    uint8_t keys[2][16], msg[41];
    char want[33], got[33];

    (void)state;
    for (int i = 0; i < 16; i++) {
        keys[0][i] = (uint8_t)i; /* the paper's key */
        keys[1][i] = (uint8_t)(0xf0 ^ i * 37);
    }
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    if (!openssl_siphash(keys[0], msg, 0, want))
        skip(); /* no openssl command here */
    for (int k = 0; k < 2; k++) {
        for (size_t n = 0; n < sizeof(msg); n++) {
            assert_true(openssl_siphash(keys[k], msg, n, want));
            ours(keys[k], msg, n, got);
            assert_string_equal(got, want);
        }
    }
}

/* The key matters and every byte matters; a random key is drawn. */
static void keyed(void **state)
{
    struct cmn_siphash_key a = {1, 2}, b = {1, 3}, r1, r2;
    const char *m = "a message longer than sixteen bytes";
    uint64_t x[2], y[2], z[2];

    (void)state;
    cmn_siphash128(&a, m, strlen(m), x);
    cmn_siphash128(&a, m, strlen(m), y);
    cmn_siphash128(&b, m, strlen(m), z);
    assert_true(x[0] == y[0] && x[1] == y[1]);
    assert_false(x[0] == z[0] && x[1] == z[1]);
    cmn_siphash128(&a, m, strlen(m) - 1, z);
    assert_false(x[0] == z[0] && x[1] == z[1]);
    assert_true(cmn_siphash_key_random(&r1));
    assert_true(cmn_siphash_key_random(&r2));
    assert_false(r1.k0 == r2.k0 && r1.k1 == r2.k1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(against_openssl),
        cmocka_unit_test(keyed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
