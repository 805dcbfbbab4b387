/* test_gw_signer.c - auth/signer (krakend-telemetry-validation.md §7). Keys come from nettle's
 * own key generation, tokens are checked with the validator's verifier (gateway/auth/jose, code
 * the signer does not share), and with --shared against the token KrakenD itself produces for
 * CE's jwt_4 case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/eddsa.h>
#include <nettle/rsa.h>

#include "cmn_b64.h"
#include "cmn_log.h"
#include "cmn_rand.h"
#include "gw_jwk.h"
#include "gw_jws.h"
#include "gw_signer.h"
#include "tu_file.h"
#include "tu_shared.h"

static void rnd(void *ctx, size_t n, uint8_t *dst)
{
    (void)ctx;
    assert_true(cmn_rand_bytes(dst, n));
}

/* base64url of an mpz padded to size bytes (0: its own size). */
static void b64_mpz(const mpz_t z, size_t size, char *out)
{
    uint8_t b[1024];
    size_t n = size ? size : nettle_mpz_sizeinbase_256_u(z);

    nettle_mpz_get_str_256(n, b, z);
    cmn_b64url_encode(b, n, out);
}

/* A key pair for alg as two JWK Sets: the private one (the signer's) and the public one (the
 * verifier's). Buffers of 16 KiB. */
static void make_keys(const char *alg, char *priv, char *pub)
{
    char n[1400], e[16], d[1400], p[700], q[700], dp[700], dq[700], qi[700], x[100], y[100],
        dd[100];
    uint8_t raw[64];

    if (alg[0] == 'H') {
        char k[100];
        assert_true(cmn_rand_bytes(raw, 64));
        cmn_b64url_encode(raw, 64, k);
        snprintf(priv, 16384, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k1\",\"k\":\"%s\"}]}", k);
        memcpy(pub, priv, strlen(priv) + 1);
    } else if (alg[0] == 'R' || alg[0] == 'P') {
        struct rsa_public_key pk;
        struct rsa_private_key sk;
        rsa_public_key_init(&pk);
        rsa_private_key_init(&sk);
        mpz_set_ui(pk.e, 65537);
        assert_true(rsa_generate_keypair(&pk, &sk, NULL, rnd, NULL, NULL, 2048, 0));
        b64_mpz(pk.n, 0, n), b64_mpz(pk.e, 0, e), b64_mpz(sk.d, 0, d), b64_mpz(sk.p, 0, p);
        b64_mpz(sk.q, 0, q), b64_mpz(sk.a, 0, dp), b64_mpz(sk.b, 0, dq), b64_mpz(sk.c, 0, qi);
        snprintf(
            priv, 16384,
            "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":\"%s\",\"e\":\"%s\",\"d\":\"%s\","
            "\"p\":\"%s\",\"q\":\"%s\",\"dp\":\"%s\",\"dq\":\"%s\",\"qi\":\"%s\"}]}",
            n, e, d, p, q, dp, dq, qi);
        snprintf(pub, 16384,
                 "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":\"%s\",\"e\":\"%s\"}]}", n, e);
        rsa_public_key_clear(&pk);
        rsa_private_key_clear(&sk);
    } else if (alg[0] == 'E' && alg[1] == 'S') {
        const struct ecc_curve *c = strcmp(alg, "ES256") == 0   ? nettle_get_secp_256r1()
                                    : strcmp(alg, "ES384") == 0 ? nettle_get_secp_384r1()
                                                                : nettle_get_secp_521r1();
        const char *crv = c == nettle_get_secp_256r1()   ? "P-256"
                          : c == nettle_get_secp_384r1() ? "P-384"
                                                         : "P-521";
        size_t size = c == nettle_get_secp_256r1() ? 32 : c == nettle_get_secp_384r1() ? 48 : 66;
        struct ecc_point pt;
        struct ecc_scalar sc;
        mpz_t mx, my, md;
        ecc_point_init(&pt, c);
        ecc_scalar_init(&sc, c);
        mpz_inits(mx, my, md, NULL);
        ecdsa_generate_keypair(&pt, &sc, NULL, rnd);
        ecc_point_get(&pt, mx, my);
        ecc_scalar_get(&sc, md);
        b64_mpz(mx, size, x), b64_mpz(my, size, y), b64_mpz(md, size, dd);
        snprintf(
            priv, 16384,
            "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"k1\",\"crv\":\"%s\",\"x\":\"%s\",\"y\":\"%s\","
            "\"d\":\"%s\"}]}",
            crv, x, y, dd);
        snprintf(
            pub, 16384,
            "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"k1\",\"crv\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"}"
            "]}",
            crv, x, y);
        mpz_clears(mx, my, md, NULL);
        ecc_point_clear(&pt);
        ecc_scalar_clear(&sc);
    } else {
        uint8_t pk[32];
        assert_true(cmn_rand_bytes(raw, 32));
        ed25519_sha512_public_key(pk, raw);
        cmn_b64url_encode(pk, 32, x);
        cmn_b64url_encode(raw, 32, dd);
        snprintf(priv, 16384,
                 "{\"keys\":[{\"kty\":\"OKP\",\"kid\":\"k1\",\"crv\":\"Ed25519\",\"x\":\"%s\","
                 "\"d\":\"%s\"}]}",
                 x, dd);
        snprintf(pub, 16384,
                 "{\"keys\":[{\"kty\":\"OKP\",\"kid\":\"k1\",\"crv\":\"Ed25519\",\"x\":\"%s\"}]}",
                 x);
    }
}

static char g_path[64];

static void write_file(const char *text)
{
    FILE *f;

    snprintf(g_path, sizeof(g_path), "/tmp/test_gw_signer.%d.jwks", (int)getpid());
    f = fopen(g_path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A signer over the JWK Set text with extra options (",\"full\":true" etc.); NULL and err when
 * it cannot be built. */
static struct gw_signer *signer(const char *jwks, const char *alg, const char *extra,
                                struct cmn_err *err)
{
    char cfg[1024];
    json_error_t je;
    json_t *ns;
    struct gw_signer *s;

    write_file(jwks);
    snprintf(cfg, sizeof(cfg),
             "{\"alg\":\"%s\",\"kid\":\"k1\",\"keys_to_sign\":[\"t\",\"arr\",\"str\",\"none\"],"
             "\"jwk_local_path\":\"%s\",\"disable_jwk_security\":true%s}",
             alg, g_path, extra);
    ns = json_loads(cfg, 0, &je);
    assert_non_null(ns);
    s = gw_signer_new(ns, "/token", err);
    json_decref(ns);
    unlink(g_path);
    return s;
}

static struct gw_json *doc(const char *s)
{
    struct gw_json_limits lim = {64, 0};
    struct cmn_err err = {0};
    struct gw_json *v = gw_json_parse(s, strlen(s), &lim, &err);

    assert_non_null(v);
    return v;
}

/* The token verifies with the public key under the validator's verifier. */
static void verify(const char *alg, const char *token, const char *pub_jwks, const char *typ)
{
    struct gw_jws_token t;
    struct cmn_err err = {0};
    struct gw_jwks *set = gw_jwks_parse(pub_jwks, strlen(pub_jwks), NULL, &err);
    char want[128], *tok = strdup(token); /* the signing input points into it */
    char *hdr;

    assert_non_null(set);
    assert_non_null(tok);
    assert_int_equal(gw_jws_parse(tok, strlen(tok), &t, &err), GW_JWS_OK);
    hdr = json_dumps(t.header, JSON_COMPACT | JSON_PRESERVE_ORDER);
    snprintf(want, sizeof(want), "{\"alg\":\"%s\",\"kid\":\"k1\",\"typ\":\"%s\"}", alg, typ);
    assert_string_equal(hdr, want);
    free(hdr);
    assert_int_equal(t.payload_len, strlen("{\"a\":1,\"h\":\"\\u003c\\u0026\"}"));
    assert_memory_equal(t.payload, "{\"a\":1,\"h\":\"\\u003c\\u0026\"}", t.payload_len);
    if (gw_jws_verify(gw_jose_alg_from_name(alg), gw_jwks_find(set, "k1"), t.signing_input,
                      t.signing_input_len, t.sig, t.sig_len, &err) != GW_JWS_OK)
        fail_msg("%s: %s", alg, err.msg);
    /* and a changed payload does not */
    tok[t.signing_input_len - 1] ^= 1;
    assert_int_not_equal(gw_jws_verify(gw_jose_alg_from_name(alg), gw_jwks_find(set, "k1"),
                                       t.signing_input, t.signing_input_len, t.sig, t.sig_len,
                                       &err),
                         GW_JWS_OK);
    gw_jws_token_free(&t);
    free(tok);
    gw_jwks_unref(set);
}

static void test_every_algorithm(void **state)
{
    static const char *const algs[] = {"HS256", "HS384", "HS512", "RS256", "RS384",
                                       "RS512", "PS256", "PS384", "PS512", "ES256",
                                       "ES384", "ES512", "EdDSA"};
    static char priv[16384], pub[16384];

    (void)state;
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        struct cmn_err err = {0};
        struct gw_signer *s;
        struct gw_json *data;
        char *out;
        make_keys(algs[i], priv, pub);
        s = signer(priv, algs[i], "", &err);
        if (!s)
            fail_msg("%s: %s", algs[i], err.msg);
        data =
            doc("{\"t\":{\"h\":\"<&\",\"a\":1},\"arr\":[{\"a\":1}],\"str\":\"s\",\"o\":{\"a\":1}}");
        assert_true(gw_signer_sign_fields(s, data, &err));
        verify(algs[i], gw_json_object_get(data, "t")->str, pub, "JWT");
        /* lists, strings, missing keys and keys not listed stay as they are */
        out = gw_json_render_str(data, NULL);
        assert_non_null(strstr(out, "\"arr\":[{\"a\":1}],\"o\":{\"a\":1},\"str\":\"s\""));
        free(out);
        gw_json_destroy(data);
        gw_signer_destroy(s);
    }
}

/* `full`: go-jose's JSON serialization, its fields in struct order; `typ` overrides JWT. */
static void test_full_and_typ(void **state)
{
    static char priv[16384], pub[16384];
    struct cmn_err err = {0};
    struct gw_signer *s;
    struct gw_json *data = doc("{\"t\":{\"a\":1,\"h\":\"<&\"}}");
    json_error_t je;
    json_t *full;
    char token[8192];

    (void)state;
    make_keys("ES256", priv, pub);
    s = signer(priv, "ES256", ",\"full\":true,\"typ\":\"at+jwt\"", &err);
    assert_non_null(s);
    assert_true(gw_signer_sign_fields(s, data, &err));
    full = json_loads(gw_json_object_get(data, "t")->str, JSON_PRESERVE_ORDER, &je);
    assert_non_null(full);
    assert_string_equal(json_object_iter_key(json_object_iter(full)), "payload");
    snprintf(token, sizeof(token), "%s.%s.%s",
             json_string_value(json_object_get(full, "protected")),
             json_string_value(json_object_get(full, "payload")),
             json_string_value(json_object_get(full, "signature")));
    verify("ES256", token, pub, "at+jwt");
    json_decref(full);
    gw_json_destroy(data);
    gw_signer_destroy(s);
}

/* Construction failures: what krakend-jose's NewSigner refuses (the endpoint answers 401). */
static void test_construction_errors(void **state)
{
    static char priv[16384], pub[16384], hs[16384], hs_pub[16384], two[33000];
    static const struct {
        const char *name, *jwks, *alg, *extra, *want;
    } rows[] = {
        {"insecure", hs, "HS256", ",\"disable_jwk_security\":false", "insecure connection"},
        {"unknown kid", hs, "HS256", ",\"kid\":\"nope\"", "no Keys have been found"},
        {"public key", pub, "RS256", "", "unsupported key type/format"},
        {"alg of another key type", priv, "HS256", "", "unknown/unsupported algorithm"},
        {"unknown alg", hs, "none", "", "unknown/unsupported algorithm"},
        {"empty set", "{\"keys\":[]}", "HS256", "", "no Keys has been found"},
        {"one bad key fails the set", two, "HS256", "", "unknown json web key type 'XYZ'"},
        {"not JSON", "{", "HS256", "", ""},
        {"missing file", NULL, "HS256", ",\"jwk_local_path\":\"/nonexistent/k.json\"",
         "open /nonexistent/k.json"},
        {"encrypted local key", hs, "HS256", ",\"cypher_key\":\"AAAA\"", "not supported"},
        {"wrong option type", hs, "HS256", ",\"full\":\"yes\"",
         "cannot unmarshal string into Go struct field SignerConfig.full of type bool"},
        {"wrong list item type", hs, "HS256", ",\"keys_to_sign\":[1]",
         "SignerConfig.keys_to_sign of type string"},
        {"cipher suite out of range", hs, "HS256", ",\"cipher_suites\":[70000]", "uint16"},
    };

    (void)state;
    make_keys("RS256", priv, pub);
    make_keys("HS256", hs, hs_pub);
    snprintf(two, sizeof(two), "{\"keys\":[%.*s,{\"kty\":\"XYZ\"}]}", (int)(strlen(hs) - 11),
             hs + 9);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct cmn_err err = {0};
        struct gw_signer *s =
            signer(rows[i].jwks ? rows[i].jwks : hs, rows[i].alg, rows[i].extra, &err);
        if (s)
            fail_msg("%s: built", rows[i].name);
        if (!strstr(err.msg, rows[i].want))
            fail_msg("%s: %s", rows[i].name, err.msg);
    }
}

/* An EC key of another curve passes NewSigner and fails each signature (go-jose). */
static void test_curve_mismatch_fails_signing(void **state)
{
    static char priv[16384], pub[16384];
    struct cmn_err err = {0};
    struct gw_signer *s;
    struct gw_json *data = doc("{\"t\":{\"a\":1}}");

    (void)state;
    make_keys("ES384", priv, pub);
    s = signer(priv, "ES256", "", &err);
    assert_non_null(s);
    assert_false(gw_signer_sign_fields(s, data, &err));
    assert_non_null(strstr(err.msg, "expected 256 bit key, got 384 bits instead"));
    assert_true(gw_signer_sign_fields(s, NULL, &err)); /* NULL data: nothing to sign */
    gw_json_destroy(data);
    gw_signer_destroy(s);
}

/* CE's jwt_4: the static access_token signed with HS256 key sim2 of CE's symmetric JWK Set must
 * give exactly the token KrakenD answers. */
static void test_ce_jwt_4(void **state)
{
    char *jwks = tu_shared_read("conformance/krakend-ce/mock-backend-jwk-symmetric.json", NULL);
    char *fixture = tu_shared_read("conformance/krakend-ce/krakend-ce-fixture-krakend.json", NULL);
    char *spec = tu_shared_read("conformance/krakend-ce/krakend-ce-specs/jwt_4.json", NULL);
    json_error_t je;
    json_t *fx, *sp, *ep = NULL, *want = NULL, *ns;
    struct gw_json *data = NULL;
    struct cmn_err err = {0};
    struct gw_signer *s;
    size_t i;

    (void)state;
    assert_non_null(jwks);
    assert_non_null(fixture);
    assert_non_null(spec);
    fx = json_loads(fixture, 0, &je);
    sp = json_loads(spec, 0, &je);
    assert_non_null(fx);
    assert_non_null(sp);
    json_array_foreach(json_object_get(fx, "endpoints"), i, ep)
    {
        if (strcmp(json_string_value(json_object_get(ep, "endpoint")), "/token") == 0)
            break;
    }
    assert_non_null(ep);
    data = gw_json_from_jansson(json_object_get(
        json_object_get(json_object_get(json_object_get(ep, "extra_config"), "proxy"), "static"),
        "data"));
    want =
        json_loads(json_string_value(json_object_get(json_object_get(sp, "out"), "body")), 0, &je);
    assert_non_null(want);
    write_file(jwks);
    ns = json_deep_copy(json_object_get(json_object_get(ep, "extra_config"), "auth/signer"));
    json_object_del(ns, "jwk_url");
    json_object_set_new(ns, "jwk_local_path", json_string(g_path));
    s = gw_signer_new(ns, "/token", &err);
    unlink(g_path);
    if (!s)
        fail_msg("%s", err.msg);
    assert_true(gw_signer_sign_fields(s, data, &err));
    assert_string_equal(gw_json_object_get(data, "access_token")->str,
                        json_string_value(json_object_get(want, "access_token")));
    gw_signer_destroy(s);
    gw_json_destroy(data);
    json_decref(ns);
    json_decref(want);
    json_decref(fx);
    json_decref(sp);
    free(jwks);
    free(fixture);
    free(spec);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest own[] = {
        cmocka_unit_test(test_every_algorithm),
        cmocka_unit_test(test_full_and_typ),
        cmocka_unit_test(test_construction_errors),
        cmocka_unit_test(test_curve_mismatch_fails_signing),
    };
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(test_ce_jwt_4),
    };

    cmn_log_init("KRAKEND", CMN_LOG_CRITICAL, 2);
    return tu_run(argc, argv, own, TU_COUNT(own), shared, TU_COUNT(shared));
}
