/* test_gw_jwk.c - JWK / JWK Set parsing: key kinds, strictness, caps, refcounting. */
#include "cmn_b64.h"
#include "gw_jwk_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* RFC 7515 A.2 RSA public key (2048 bits), A.3 P-256 key, RFC 8037 Ed25519 key. */
#define RSA_N                                                                                      \
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4" \
    "d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5r"  \
    "exMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhy"  \
    "xXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
#define RSA_JWK "{\"kty\":\"RSA\",\"kid\":\"r1\",\"n\":\"" RSA_N "\",\"e\":\"AQAB\"}"
#define EC_JWK                                                                                     \
    "{\"kty\":\"EC\",\"kid\":\"e1\",\"crv\":\"P-256\",\"x\":"                                      \
    "\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":"                                       \
    "\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}"
#define ED_JWK                                                                                     \
    "{\"kty\":\"OKP\",\"kid\":\"o1\",\"crv\":\"Ed25519\",\"x\":"                                   \
    "\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"
#define OCT_JWK                                                                                    \
    "{\"kty\":\"oct\",\"kid\":\"h1\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyISE\"}"

static struct gw_jwks *parse(const char *doc, size_t *skipped)
{
    struct cmn_err err = {0};
    struct gw_jwks *set = gw_jwks_parse(doc, strlen(doc), skipped, &err);

    if (!set)
        print_message("parse error: %s\n", err.msg);
    return set;
}

static void test_all_kinds(void **state)
{
    size_t skipped = 99;
    struct gw_jwks *set =
        parse("{\"keys\":[" RSA_JWK "," EC_JWK "," ED_JWK "," OCT_JWK "]}", &skipped);
    const struct gw_jwk *k;

    (void)state;
    assert_non_null(set);
    assert_int_equal(skipped, 0);
    assert_int_equal(gw_jwks_count(set), 4);
    k = gw_jwks_find(set, "r1");
    assert_non_null(k);
    assert_string_equal(gw_jwk_kty(k), "RSA");
    assert_int_equal(gw_jwk_rsa_bits(k), 2048);
    assert_int_equal(gw_jwks_find(set, "e1")->crv, GW_CRV_P256);
    assert_int_equal(gw_jwks_find(set, "o1")->crv, GW_CRV_ED25519);
    assert_int_equal(gw_jwks_find(set, "h1")->raw_len, 32);
    assert_null(gw_jwks_find(set, "nope"));
    assert_null(gw_jwks_find(set, NULL)); /* four keys: no implicit choice */
    assert_null(gw_jwks_at(set, 4));
    gw_jwks_unref(set);
}

static void test_refcount_and_serial(void **state)
{
    struct gw_jwks *a = parse("{\"keys\":[" OCT_JWK "]}", NULL);
    struct gw_jwks *b = parse("{\"keys\":[" OCT_JWK "]}", NULL);

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    assert_true(gw_jwks_serial(a) != gw_jwks_serial(b));
    /* identical key material gives identical fingerprints across sets */
    assert_memory_equal(gw_jwks_at(a, 0)->fingerprint, gw_jwks_at(b, 0)->fingerprint, 32);
    assert_ptr_equal(gw_jwks_ref(a), a);
    gw_jwks_unref(a);
    assert_non_null(gw_jwks_find(a, NULL)); /* one key: found without kid; still alive */
    gw_jwks_unref(a);
    gw_jwks_unref(b);
    gw_jwks_unref(NULL);
}

/* Keys that do not fit their kty are skipped (RFC 7517 §5), the rest stays usable. */
static void test_bad_keys_skipped(void **state)
{
    static const char *const bad[] = {
        "{\"kty\":\"RSA\",\"n\":\"" RSA_N "\",\"e\":\"AQAB\",\"d\":\"AQAB\"}", /* private */
        "{\"kty\":\"RSA\",\"n\":\"" RSA_N "\",\"e\":\"AQA\"}",   /* non-canonical b64 tail */
        "{\"kty\":\"RSA\",\"n\":\"" RSA_N "\",\"e\":\"Ag\"}",    /* even exponent */
        "{\"kty\":\"RSA\",\"n\":\"" RSA_N "=\",\"e\":\"AQAB\"}", /* padding */
        "{\"kty\":\"RSA\",\"n\":\"" RSA_N "\",\"e\":\"AQAB\",\"use\":\"enc\"}",
        "{\"kty\":\"RSA\",\"n\":\"" RSA_N "\",\"e\":\"AQAB\",\"key_ops\":[\"encrypt\"]}",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1\"}", /* not on the curve */
        "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}", /* wrong size for curve */
        "{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AA\",\"y\":\"AA\"}",
        "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"11qYAYKxCrfVS_"
        "7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_"
        "7TyWQHOg7hcvPapiMlrwIaaPcHUR\"}",
        "{\"kty\":\"oct\",\"k\":\"\"}",
        "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"x5c\":[\"AAAA\"]}",
        "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":5}",
        "{\"kty\":\"RSA\",\"n\":\"" RSA_N "\",\"e\":\"AQAB\",\"x5t\":\"AAAA\"}", /* not SHA-1 */
        "{\"kty\":\"DSA\"}",
        "{\"n\":\"AQAB\"}",
        "[]",
        "7",
    };
    char doc[4096];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t skipped = 0;
        struct gw_jwks *set;
        snprintf(doc, sizeof(doc), "{\"keys\":[%s," OCT_JWK "]}", bad[i]);
        set = parse(doc, &skipped);
        assert_non_null(set);
        if (skipped != 1)
            print_message("case %zu not skipped: %s\n", i, bad[i]);
        assert_int_equal(skipped, 1);
        assert_int_equal(gw_jwks_count(set), 1);
        assert_string_equal(gw_jwk_kid(gw_jwks_at(set, 0)), "h1");
        gw_jwks_unref(set);
    }
}

static void test_bad_documents(void **state)
{
    static const char *const bad[] = {
        "",
        "{}",
        "{\"keys\":{}}",
        "[" OCT_JWK "]",
        "{\"keys\":[" OCT_JWK "],\"keys\":[]}", /* duplicate member */
        "{\"keys\":[" OCT_JWK "]} trailing",
        "{\"keys\":[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]}",
    };
    struct cmn_err err = {0};
    char *big;
    size_t n;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_null(gw_jwks_parse(bad[i], strlen(bad[i]), NULL, &err));
    assert_null(gw_jwks_parse(NULL, 0, NULL, &err));
    /* more than GW_JWKS_MAX_KEYS keys */
    big = malloc(200 * 80);
    assert_non_null(big);
    n = (size_t)snprintf(big, 32, "{\"keys\":[");
    for (int i = 0; i < GW_JWKS_MAX_KEYS + 1; i++)
        n += (size_t)snprintf(big + n, 80, "%s{\"kty\":\"oct\",\"k\":\"AAAA\"}", i ? "," : "");
    n += (size_t)snprintf(big + n, 8, "]}");
    assert_null(gw_jwks_parse(big, n, NULL, &err));
    assert_non_null(strstr(err.msg, "limit"));
    free(big);
    /* larger than GW_JWKS_MAX_BYTES */
    big = calloc(1, GW_JWKS_MAX_BYTES + 2);
    assert_non_null(big);
    memset(big, ' ', GW_JWKS_MAX_BYTES + 1);
    memcpy(big, "{\"keys\":[]}", 11);
    assert_null(gw_jwks_parse(big, GW_JWKS_MAX_BYTES + 1, NULL, &err));
    free(big);
}

static void test_x5t_and_x5c(void **state)
{
    /* x5t given with padding-free base64url is kept; x5c computes it when absent. */
    const char *doc = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":\"a\","
                      "\"x5t\":\"3q2-796tvu_erb7v3q2-796tvu8\"},"
                      "{\"kty\":\"RSA\",\"kid\":\"b\",\"n\":\"" RSA_N "\",\"e\":\"AQAB\","
                      "\"x5c\":[\"MIIB\"]}]}";
    struct gw_jwks *set = parse(doc, NULL);

    (void)state;
    assert_non_null(set);
    assert_int_equal(gw_jwks_count(set), 2);
    assert_string_equal(gw_jwk_x5t(gw_jwks_find(set, "a")), "3q2-796tvu_erb7v3q2-796tvu8");
    assert_null(gw_jwk_x5t_s256(gw_jwks_find(set, "a")));
    /* SHA-1 of the three bytes 30 82 01 */
    assert_non_null(gw_jwk_x5t(gw_jwks_find(set, "b")));
    assert_int_equal(strlen(gw_jwk_x5t(gw_jwks_find(set, "b"))), 27);
    assert_int_equal(strlen(gw_jwk_x5t_s256(gw_jwks_find(set, "b"))), 43);
    gw_jwks_unref(set);
}

/* gw_jwk_rsa_public against mpz_powm: moduli of several sizes (not only whole limbs),
 * exponents 3, 65537 and random odd ones below 2^32, bases at the edges and random. */
static void test_rsa_public_is_powm(void **state)
{
    static const unsigned BITS[] = {1024, 1032, 2048, 2049, 3072, 4096, 8192};
    gmp_randstate_t r;
    mpz_t n, s, want, got;
    unsigned char nb[GW_JWK_RSA_N_MAX];
    char doc[3 * GW_JWK_RSA_N_MAX], n64[GW_JWK_RSA_N_MAX * 2], e64[16];
    struct cmn_err err = {0};

    (void)state;
    gmp_randinit_default(r);
    gmp_randseed_ui(r, 20260705);
    mpz_inits(n, s, want, got, NULL);
    for (int i = 0; i < 140; i++) {
        unsigned bits = BITS[i % 7];
        unsigned long e = i % 3 == 0 ? 65537 : (i % 3 == 1 ? 3 : (gmp_urandomb_ui(r, 32) | 1));
        unsigned char eb[4] = {(unsigned char)(e >> 24), (unsigned char)(e >> 16),
                               (unsigned char)(e >> 8), (unsigned char)e};
        size_t nl, el = 4;
        const unsigned char *ep = eb;
        struct gw_jwk *k;
        json_t *obj;

        if (e < 3)
            e = 3, eb[3] = 3;
        while (el > 1 && *ep == 0)
            ep++, el--;
        mpz_urandomb(n, r, bits);
        mpz_setbit(n, bits - 1);
        mpz_setbit(n, 0);
        mpz_export(nb, &nl, 1, 1, 1, 0, n);
        cmn_b64url_encode(nb, nl, n64);
        cmn_b64url_encode(ep, el, e64);
        snprintf(doc, sizeof(doc), "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"}", n64, e64);
        obj = json_loads(doc, 0, NULL);
        k = gw_jwk_from_json(obj, &err);
        json_decref(obj);
        assert_non_null(k);
        for (int j = 0; j < 8; j++) {
            if (j == 0)
                mpz_set_ui(s, 0);
            else if (j == 1)
                mpz_set_ui(s, 1);
            else if (j == 2)
                mpz_sub_ui(s, n, 1);
            else if (j == 3)
                mpz_set_ui(s, 2);
            else
                mpz_urandomm(s, r, n);
            mpz_powm(want, s, k->rsa.e, n);
            gw_jwk_rsa_public(k, got, s);
            if (mpz_cmp(want, got) != 0)
                fail_msg("%u-bit modulus, e=%lu, case %d: not s^e mod n", bits, e, j);
        }
        gw_jwk_destroy(k);
    }
    mpz_clears(n, s, want, got, NULL);
    gmp_randclear(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_kinds),        cmocka_unit_test(test_refcount_and_serial),
        cmocka_unit_test(test_bad_keys_skipped), cmocka_unit_test(test_bad_documents),
        cmocka_unit_test(test_x5t_and_x5c),
        cmocka_unit_test(test_rsa_public_is_powm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
