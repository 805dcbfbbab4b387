/* test_cmn_b64.c - base64 / base64url: RFC 4648 §10 vectors and strictness. */
#include <setjmp.h>
#include <stdarg.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4648_vectors),
        cmocka_unit_test(url_alphabet),
        cmocka_unit_test(strict_rejections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
