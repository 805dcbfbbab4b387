/* test_cmn_b64.c - base64 / base64url: RFC 4648 §10 vectors and strictness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cmn_b64.h"

static void rfc4648_vectors(void **state)
{
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                      "Zm9vYmFy"};
    static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    char out[64];
    unsigned char dec[64];
    size_t n;

    (void)state;
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        assert_int_equal(cmn_b64_encode(in[i], strlen(in[i]), out), strlen(std[i]));
        assert_string_equal(out, std[i]);
        assert_int_equal(cmn_b64url_encode(in[i], strlen(in[i]), out), strlen(url[i]));
        assert_string_equal(out, url[i]);
        assert_true(cmn_b64_decode(std[i], strlen(std[i]), dec, &n));
        assert_int_equal(n, strlen(in[i]));
        assert_memory_equal(dec, in[i], n);
        assert_true(cmn_b64url_decode(url[i], strlen(url[i]), dec, &n));
        assert_int_equal(n, strlen(in[i]));
        assert_memory_equal(dec, in[i], n);
    }
}

static void url_alphabet(void **state)
{
    const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
    char out[8];
    unsigned char dec[8];
    size_t n;

    (void)state;
    cmn_b64url_encode(bytes, 3, out);
    assert_string_equal(out, "-_-_");
    assert_true(cmn_b64url_decode("-_-_", 4, dec, &n));
    assert_memory_equal(dec, bytes, 3);
    /* the standard alphabet's + and / are not base64url */
    assert_false(cmn_b64url_decode("+/+/", 4, dec, &n));
}

static void strict_rejections(void **state)
{
    unsigned char dec[16];
    size_t n;

    (void)state;
    assert_false(cmn_b64url_decode("Zg==", 4, dec, &n)); /* padding is not base64url (JWS) */
    assert_false(cmn_b64url_decode("Zm9v\n", 5, dec, &n));
    assert_false(cmn_b64url_decode("Z", 1, dec, &n));     /* length 1 mod 4 */
    assert_false(cmn_b64url_decode("Zh", 2, dec, &n));    /* non-zero trailing bits */
    assert_true(cmn_b64url_decode("Zg", 2, dec, &n));
    assert_false(cmn_b64_decode("Zg=", 3, dec, &n));      /* padding to a multiple of 4 */
    assert_false(cmn_b64_decode("Z===", 4, dec, &n));
    assert_false(cmn_b64_decode("Zm9v Zg==", 9, dec, &n));
}

/* The decoder as first written, a character at a time: the reference for the table decoder. */
static int ref_value(unsigned char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

static bool ref_decode(const unsigned char *in, size_t n, unsigned char *out, size_t *out_len,
                       bool url)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;

    if (n % 4 == 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        int v = ref_value(in[i], url);
        if (v < 0)
            return false;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits & 0xff);
        }
    }
    if (bits && (acc & ((1u << bits) - 1)))
        return false;
    *out_len = o;
    return true;
}

/* Every byte value in every position of a group and of both tails, and random strings mostly
 * of the alphabet: the same verdicts and bytes as the reference. */
static void same_as_reference(void **state)
{
    static const char MOSTLY[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                 "-_+/=. \n\x80\xff";
    unsigned char in[64], a[64], b[64];
    size_t an = 0, bn = 0;
    uint32_t r = 12345;

    (void)state;
    for (size_t len = 2; len <= 8; len++) {
        for (size_t pos = 0; pos < len; pos++) {
            for (int c = 0; c < 256; c++) {
                bool x, y;
                memcpy(in, "QUJDRFpm", 8);
                in[pos] = (unsigned char)c;
                x = cmn_b64url_decode((const char *)in, len, a, &an);
                y = ref_decode(in, len, b, &bn, true);
                assert_int_equal(x, y);
                if (x) {
                    assert_int_equal(an, bn);
                    assert_memory_equal(a, b, an);
                }
                if (len % 4 || c == '=')
                    continue;
                x = cmn_b64_decode((const char *)in, len, a, &an);
                y = ref_decode(in, len, b, &bn, false);
                assert_int_equal(x, y);
                if (x) {
                    assert_int_equal(an, bn);
                    assert_memory_equal(a, b, an);
                }
            }
        }
    }
    for (int i = 0; i < 200000; i++) {
        size_t len = 0;
        r = r * 1103515245u + 12345u;
        len = (r >> 16) % 40;
        for (size_t j = 0; j < len; j++) {
            r = r * 1103515245u + 12345u;
            in[j] = (unsigned char)MOSTLY[(r >> 16) % (sizeof(MOSTLY) - 1)];
        }
        bool x = cmn_b64url_decode((const char *)in, len, a, &an);
        bool y = ref_decode(in, len, b, &bn, true);
        assert_int_equal(x, y);
        if (x) {
            assert_int_equal(an, bn);
            assert_memory_equal(a, b, an);
        }
        /* standard alphabet: unpadded strings of a multiple of four */
        if (len % 4 == 0 && !memchr(in, '=', len)) {
            x = cmn_b64_decode((const char *)in, len, a, &an);
            y = ref_decode(in, len, b, &bn, false);
            assert_int_equal(x, y);
            if (x) {
                assert_int_equal(an, bn);
                assert_memory_equal(a, b, an);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4648_vectors),
        cmocka_unit_test(url_alphabet),
        cmocka_unit_test(strict_rejections),
        cmocka_unit_test(same_as_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
