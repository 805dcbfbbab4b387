/* test_gw_jwt_attacks.c - regression tests, each named after the attack on JWT validators it
 * stops (RFC 8725, libjwt/haproxy/go-jose history). */
#include "cmn_b64.h"
#include "gw_claims.h"
#include "gw_jwk_int.h"
#include "gw_jws.h"
#include "gw_jwt.h"
#include "gw_validator_config.h"

#include <nettle/hmac.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tu_file.h"
#include "tu_shared.h"

#define HS_KEY "secret-secret-secret-secret-32!!"
#define NOW 1300819000 /* before the RFC 7515 examples' exp */

struct vec {
    char *token;
    char *jwks; /* {"keys":[jwk_public]} with a kid added */
};

/* Loads an RFC vector's token and public key (as a one-key set). */
static struct vec load_vec(const char *id)
{
    size_t len = 0, i;
    char *data = tu_shared_read("vectors/rfc/rfc_vectors.json", &len);
    json_t *root = json_loadb(data, len, 0, NULL), *v;
    struct vec out = {0};

    assert_non_null(root);
    json_array_foreach(json_object_get(root, "vectors"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0) {
            json_t *keys = json_pack("{s:[O]}", "keys", json_object_get(v, "jwk_public"));
            out.token = strdup(json_string_value(json_object_get(v, "jws")));
            out.jwks = json_dumps(keys, JSON_COMPACT);
            json_decref(keys);
        }
    }
    json_decref(root);
    free(data);
    assert_non_null(out.token);
    return out;
}

static void free_vec(struct vec *v)
{
    free(v->token);
    free(v->jwks);
}

static struct gw_validator_config *vc_from(const char *json)
{
    json_t *o = json_loads(json, 0, NULL);
    struct gw_validator_config *vc = NULL;
    struct cmn_err err = {0};

    assert_non_null(o);
    assert_int_equal(gw_validator_config_parse(o, "endpoints[0]", &vc, &err), GW_VC_OK);
    json_decref(o);
    return vc;
}

static enum gw_jwt_result validate(const char *alg, const char *jwks, const char *token, size_t len)
{
    char cfg[256];
    struct cmn_err err = {0};
    struct gw_jwks *set = gw_jwks_parse(jwks, strlen(jwks), NULL, &err);
    struct gw_validator_config *vc;
    struct gw_claims *c = NULL;
    enum gw_jwt_result r;

    assert_non_null(set);
    snprintf(cfg, sizeof(cfg), "{\"alg\":\"%s\",\"jwk_url\":\"https://idp/jwks\"}", alg);
    vc = vc_from(cfg);
    r = gw_jwt_validate(vc, token, len, set, NOW, &c, &err);
    if (r == GW_JWT_OK)
        assert_non_null(c);
    else
        assert_null(c);
    gw_claims_unref(c);
    gw_validator_config_destroy(vc);
    gw_jwks_unref(set);
    return r;
}

/* header and payload JSON -> "b64.b64." + HMAC-SHA256 with key (any bytes). */
static char *mint_hs256(const char *header, const char *payload, const void *key, size_t kl)
{
    size_t hl = strlen(header), pl = strlen(payload), n;
    char *t = malloc(cmn_b64url_encoded_len(hl) + cmn_b64url_encoded_len(pl) + 64);
    struct hmac_sha256_ctx c;
    uint8_t mac[32];

    assert_non_null(t);
    n = cmn_b64url_encode(header, hl, t);
    t[n++] = '.';
    n += cmn_b64url_encode(payload, pl, t + n);
    hmac_sha256_set_key(&c, kl, key);
    hmac_sha256_update(&c, n, (const uint8_t *)t);
    hmac_sha256_digest(&c, 32, mac);
    t[n++] = '.';
    cmn_b64url_encode(mac, 32, t + n);
    return t;
}

static char *hs_jwks(void)
{
    char k[64], *doc = malloc(256);

    cmn_b64url_encode(HS_KEY, strlen(HS_KEY), k);
    snprintf(doc, 256, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h1\",\"k\":\"%s\"}]}", k);
    return doc;
}

/* Replaces the signature part of token with sig (raw bytes). */
static char *with_sig(const char *token, const unsigned char *sig, size_t n)
{
    const char *dot = strrchr(token, '.');
    size_t head = (size_t)(dot - token) + 1;
    char *t = malloc(head + cmn_b64url_encoded_len(n) + 1);

    memcpy(t, token, head);
    cmn_b64url_encode(sig, n, t + head);
    return t;
}

static size_t sig_of(const char *token, unsigned char *out)
{
    const char *dot = strrchr(token, '.');
    size_t n;

    assert_true(cmn_b64url_decode(dot + 1, strlen(dot + 1), out, &n));
    return n;
}

/* CVE-2015-9235 class: an RS256 key set, a token signed HS256 with the public key as secret. */
static void test_alg_confusion_rs_to_hs_with_public_key_as_secret(void **state)
{
    struct vec v = load_vec("rfc7515-A.2");
    struct cmn_err err = {0};
    struct gw_jwks *set = gw_jwks_parse(v.jwks, strlen(v.jwks), NULL, &err);
    const struct gw_jwk *rsa = gw_jwks_at(set, 0);
    unsigned char n[512];
    size_t nl = mpz_sizeinbase(rsa->rsa.n, 256);
    char *forged;

    (void)state;
    nettle_mpz_get_str_256(nl, n, rsa->rsa.n);
    /* the secret an attacker would try: the JWKS text, or the modulus bytes */
    forged = mint_hs256("{\"alg\":\"HS256\"}", "{\"iss\":\"joe\"}", v.jwks, strlen(v.jwks));
    assert_int_equal(validate("RS256", v.jwks, forged, strlen(forged)), GW_JWT_ALG_MISMATCH);
    assert_int_equal(validate("HS256", v.jwks, forged, strlen(forged)), GW_JWT_KEY_UNFIT);
    free(forged);
    forged = mint_hs256("{\"alg\":\"HS256\"}", "{\"iss\":\"joe\"}", n, nl);
    assert_int_equal(validate("HS256", v.jwks, forged, strlen(forged)), GW_JWT_KEY_UNFIT);
    /* and the primitive itself never takes an RSA key for HMAC */
    assert_int_equal(gw_jws_verify(GW_ALG_HS256, rsa, "a", 1, n, 32, &err), GW_JWS_KEY_UNFIT);
    free(forged);
    gw_jwks_unref(set);
    free_vec(&v);
}

/* libjwt CVE-2026-44699: RSA key used as an empty HMAC key; and short HMAC secrets. */
static void test_rsa_key_never_an_empty_hmac_secret(void **state)
{
    struct vec v = load_vec("rfc7515-A.2");
    char *forged = mint_hs256("{\"alg\":\"HS256\"}", "{}", "", 0);
    char *short_jwks = strdup("{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2hvcnQ\"}]}");
    char *t2 = mint_hs256("{\"alg\":\"HS256\"}", "{}", "short", 5);

    (void)state;
    assert_int_equal(validate("HS256", v.jwks, forged, strlen(forged)), GW_JWT_KEY_UNFIT);
    /* RFC 7518 §3.2: HS256 needs a key of at least 256 bits */
    assert_int_equal(validate("HS256", short_jwks, t2, strlen(t2)), GW_JWT_KEY_UNFIT);
    free(forged);
    free(t2);
    free(short_jwks);
    free_vec(&v);
}

/* RFC 8725 §3.1 / RFC 7515 A.5: "none" never validates, whatever the signature part holds. */
static void test_alg_none_rejected(void **state)
{
    char *jwks = hs_jwks();
    char *t = mint_hs256("{\"alg\":\"none\",\"kid\":\"h1\"}", "{}", HS_KEY, strlen(HS_KEY));
    const char *unsigned_tok = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UifQ.";
    json_t *o = json_loads("{\"alg\":\"none\",\"jwk_url\":\"https://x\"}", 0, NULL);
    struct gw_validator_config *vc = NULL;
    struct cmn_err err = {0};

    (void)state;
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_ALG_MISMATCH);
    assert_int_equal(validate("HS256", jwks, unsigned_tok, strlen(unsigned_tok)), GW_JWT_MALFORMED);
    /* "none" cannot even be configured */
    assert_int_equal(gw_validator_config_parse(o, "e", &vc, &err), GW_VC_FATAL);
    assert_non_null(strstr(err.msg, "unknown algorithm none"));
    assert_int_equal(gw_jose_alg_from_name("none"), GW_ALG_INVALID);
    json_decref(o);
    free(t);
    free(jwks);
}

/* haproxy 726635018: "n" (a prefix of "none") was taken for none. Exact comparison only. */
static void test_alg_n_not_parsed_as_none(void **state)
{
    static const char *const algs[] = {"n", "no", "None", "NONE", "hs256", "HS256 ", "HS", ""};
    char *jwks = hs_jwks();
    char hdr[64];

    (void)state;
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        char *t;
        snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"kid\":\"h1\"}", algs[i]);
        t = mint_hs256(hdr, "{}", HS_KEY, strlen(HS_KEY));
        assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_ALG_MISMATCH);
        assert_int_equal(gw_jose_alg_from_name(algs[i]), GW_ALG_INVALID);
        free(t);
    }
    free(jwks);
}

/* RFC 7515 §4.1.11 / Appendix E: unknown critical extensions are refused, b64 included. */
static void test_crit_rejected(void **state)
{
    static const char *const hdrs[] = {
        ("{\"alg\":\"HS256\",\"kid\":\"h1\",\"crit\":[\"http://example.com/x\"],"
         "\"http://example.com/x\":true}"),
        "{\"alg\":\"HS256\",\"kid\":\"h1\",\"b64\":false,\"crit\":[\"b64\"]}",
        "{\"alg\":\"HS256\",\"kid\":\"h1\",\"crit\":[]}",
        "{\"alg\":\"HS256\",\"kid\":\"h1\",\"crit\":\"exp\"}",
    };
    char *jwks = hs_jwks();

    (void)state;
    for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
        char *t = mint_hs256(hdrs[i], "{}", HS_KEY, strlen(HS_KEY));
        assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_CRIT);
        free(t);
    }
    free(jwks);
}

/* RFC 8725 §3.10 / CVE-2018-0114: keys and URLs in the header are never used. */
static void test_jwk_jku_x5u_x5c_injection_ignored(void **state)
{
    const char *attacker = "attacker-attacker-attacker-32!!!";
    char hdr[512], k[64];
    char *jwks = hs_jwks(), *t;

    (void)state;
    cmn_b64url_encode(attacker, strlen(attacker), k);
    snprintf(hdr, sizeof(hdr),
             "{\"alg\":\"HS256\",\"kid\":\"h1\",\"jwk\":{\"kty\":\"oct\",\"k\":\"%s\"},"
             "\"jku\":\"http://127.0.0.1:1/jwks\",\"x5u\":\"http://127.0.0.1:1/c\","
             "\"x5c\":[\"MIIB\"]}",
             k);
    t = mint_hs256(hdr, "{}", attacker, strlen(attacker));
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    snprintf(hdr, sizeof(hdr),
             "{\"alg\":\"HS256\",\"kid\":\"evil\",\"jwk\":{\"kty\":\"oct\","
             "\"kid\":\"evil\",\"k\":\"%s\"}}",
             k);
    t = mint_hs256(hdr, "{}", attacker, strlen(attacker));
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_UNKNOWN_KEY);
    free(t);
    free(jwks);
}

/* RFC 7518 §3.4: r||s of exactly 2x32 bytes; DER, truncated, padded or zero r/s refused
 * (CVE-2022-21449 "psychic signatures": r = s = 0). */
static void test_ecdsa_sig_wrong_length_or_zero_rs_refused(void **state)
{
    struct vec v = load_vec("rfc7515-A.3");
    unsigned char sig[200], bad[200];
    size_t n = sig_of(v.token, sig);
    char *t;

    (void)state;
    assert_int_equal(n, 64);
    assert_int_equal(validate("ES256", v.jwks, v.token, strlen(v.token)), GW_JWT_OK);
    t = with_sig(v.token, sig, 63);
    assert_int_equal(validate("ES256", v.jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    memcpy(bad, sig, 64);
    bad[64] = 0;
    t = with_sig(v.token, bad, 65);
    assert_int_equal(validate("ES256", v.jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    bad[0] = 0; /* leading zero inserted into r: r||s shifts */
    memcpy(bad + 1, sig, 64);
    t = with_sig(v.token, bad, 65);
    assert_int_equal(validate("ES256", v.jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    memset(bad, 0, 64);
    t = with_sig(v.token, bad, 64);
    assert_int_equal(validate("ES256", v.jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    memcpy(bad, sig, 64);
    memset(bad, 0, 32); /* r = 0 */
    t = with_sig(v.token, bad, 64);
    assert_int_equal(validate("ES256", v.jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    memcpy(bad, sig, 64);
    memset(bad + 32, 0, 32); /* s = 0 */
    t = with_sig(v.token, bad, 64);
    assert_int_equal(validate("ES256", v.jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    /* the P-256 key does not serve ES384 or ES512 */
    assert_int_equal(validate("ES384", v.jwks, v.token, strlen(v.token)), GW_JWT_ALG_MISMATCH);
    free_vec(&v);
}

/* RFC 8017 §8.2.2: the signature is exactly as long as the modulus; a leading zero byte
 * (same integer, 257 bytes) or a value >= n is refused. */
static void test_rsa_sig_length_mismatch_refused(void **state)
{
    struct vec v = load_vec("rfc7515-A.2");
    unsigned char sig[600], bad[600];
    size_t n = sig_of(v.token, sig);
    char *t;

    (void)state;
    assert_int_equal(n, 256);
    assert_int_equal(validate("RS256", v.jwks, v.token, strlen(v.token)), GW_JWT_OK);
    bad[0] = 0;
    memcpy(bad + 1, sig, n);
    t = with_sig(v.token, bad, n + 1);
    assert_int_equal(validate("RS256", v.jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    t = with_sig(v.token, sig + 1, n - 1);
    assert_int_equal(validate("RS256", v.jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    memset(bad, 0xff, n); /* >= n */
    t = with_sig(v.token, bad, n);
    assert_int_equal(validate("RS256", v.jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    /* PKCS#1 v1.5 signature is no PS256 signature */
    assert_int_equal(validate("PS256", v.jwks, v.token, strlen(v.token)), GW_JWT_ALG_MISMATCH);
    free_vec(&v);
}

/* RFC 7515 §2: base64url without padding, whitespace or the standard alphabet. */
static void test_padding_in_base64url_refused(void **state)
{
    struct vec v = load_vec("rfc7515-A.2");
    size_t n = strlen(v.token);
    char *t = malloc(n + 8);
    const char *dot1 = strchr(v.token, '.');
    size_t h = (size_t)(dot1 - v.token);

    (void)state;
    snprintf(t, n + 8, "%s=", v.token); /* padded signature */
    assert_int_equal(validate("RS256", v.jwks, t, strlen(t)), GW_JWT_MALFORMED);
    snprintf(t, n + 8, "%.*s=%s", (int)h, v.token, dot1); /* padded header */
    assert_int_equal(validate("RS256", v.jwks, t, strlen(t)), GW_JWT_MALFORMED);
    snprintf(t, n + 8, "%.*s %s", (int)h, v.token, dot1); /* whitespace */
    assert_int_equal(validate("RS256", v.jwks, t, strlen(t)), GW_JWT_MALFORMED);
    snprintf(t, n + 8, " %s", v.token);
    assert_int_equal(validate("RS256", v.jwks, t, strlen(t)), GW_JWT_MALFORMED);
    memcpy(t, v.token, n + 1);
    for (size_t i = 0; i < n; i++)
        if (t[i] == '-' || t[i] == '_')
            t[i] = t[i] == '-' ? '+' : '/';
    assert_int_equal(validate("RS256", v.jwks, t, strlen(t)), GW_JWT_MALFORMED);
    /* the token with a NUL inside is not the token */
    memcpy(t, v.token, n + 1);
    t[5] = '\0';
    assert_int_equal(validate("RS256", v.jwks, t, n), GW_JWT_MALFORMED);
    free(t);
    free_vec(&v);
}

/* Duplicate members make two parsers read two different tokens (RFC 7515 §5.2 step 4). */
static void test_duplicate_claims_refused(void **state)
{
    char *jwks = hs_jwks();
    char *t = mint_hs256("{\"alg\":\"HS256\",\"kid\":\"h1\"}",
                         "{\"sub\":\"user\",\"roles\":[\"a\"],\"roles\":[\"admin\"]}", HS_KEY,
                         strlen(HS_KEY));

    (void)state;
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_BAD_CLAIMS);
    free(t);
    t = mint_hs256("{\"alg\":\"HS256\",\"alg\":\"none\",\"kid\":\"h1\"}", "{}", HS_KEY,
                   strlen(HS_KEY));
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_MALFORMED);
    free(t);
    free(jwks);
}

static char *nested(int depth)
{
    size_t cap = (size_t)depth * 8 + 16, n = 0;
    char *p = malloc(cap);

    for (int i = 0; i < depth; i++)
        n += (size_t)snprintf(p + n, cap - n, "{\"a\":");
    n += (size_t)snprintf(p + n, cap - n, "1");
    for (int i = 0; i < depth; i++)
        p[n++] = '}';
    p[n] = '\0';
    return p;
}

/* Stack exhaustion by nesting: claims up to 16 levels are fine, deeper is refused. */
static void test_deep_nesting_refused(void **state)
{
    char *jwks = hs_jwks();
    char *p = nested(10), *t = mint_hs256("{\"alg\":\"HS256\",\"kid\":\"h1\"}", p, HS_KEY, 32);

    (void)state;
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_OK);
    free(p);
    free(t);
    p = nested(12000);
    t = mint_hs256("{\"alg\":\"HS256\",\"kid\":\"h1\"}", p, HS_KEY, 32);
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_MALFORMED); /* > 64 KiB */
    free(p);
    free(t);
    p = nested(1000);
    t = mint_hs256("{\"alg\":\"HS256\",\"kid\":\"h1\"}", p, HS_KEY, 32);
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_BAD_CLAIMS);
    free(p);
    free(t);
    t = mint_hs256("{\"alg\":\"HS256\",\"kid\":\"h1\",\"x\":[[[[[[[[]]]]]]]]}", "{}", HS_KEY, 32);
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_MALFORMED);
    free(t);
    free(jwks);
}

/* haproxy 648b0e7be (overflow before verification): size caps apply before any decoding;
 * real big tokens (16 KB of claims) still pass. */
static void test_huge_token_refused_16kb_token_accepted(void **state)
{
    char *jwks = hs_jwks(), *t;
    size_t big = 20000;
    char *p = malloc(big + 64);

    (void)state;
    snprintf(p, 64, "{\"groups\":\"");
    memset(p + strlen(p), 'g', big);
    snprintf(p + 11 + big, 8, "\"}");
    t = mint_hs256("{\"alg\":\"HS256\",\"kid\":\"h1\"}", p, HS_KEY, 32);
    assert_true(strlen(t) > 16 * 1024);
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_OK);
    free(t);
    free(p);
    p = malloc(GW_JWS_MAX_TOKEN + 2);
    memset(p, 'A', GW_JWS_MAX_TOKEN + 1);
    p[10] = '.';
    p[20] = '.';
    assert_int_equal(validate("HS256", jwks, p, GW_JWS_MAX_TOKEN + 1), GW_JWT_MALFORMED);
    free(p);
    free(jwks);
}

/* A JWE (five parts) or a JWS JSON serialization is no JWT here (RFC 7519 §7.2 step 1). */
static void test_jwe_and_json_serialization_refused(void **state)
{
    char *jwks = hs_jwks();
    const char *jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d";
    const char *json = "{\"payload\":\"e30\",\"protected\":\"eyJhbGciOiJIUzI1NiJ9\","
                       "\"signature\":\"AAAA\"}";
    const char *bad[] = {"a.bad.token", "a.b", "a..c", ".b.c", "a.b.", "....", "x"};

    (void)state;
    assert_int_equal(validate("HS256", jwks, jwe, strlen(jwe)), GW_JWT_MALFORMED);
    assert_int_equal(validate("HS256", jwks, json, strlen(json)), GW_JWT_MALFORMED);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(validate("HS256", jwks, bad[i], strlen(bad[i])), GW_JWT_MALFORMED);
    free(jwks);
}

/* The signature is checked before the payload is parsed (RFC 8725 §3.11 spirit): garbage
 * claims under a bad signature report the signature. */
static void test_claims_not_read_before_signature(void **state)
{
    char *jwks = hs_jwks();
    char *t = mint_hs256("{\"alg\":\"HS256\",\"kid\":\"h1\"}", "{not json", "wrong-key", 9);

    (void)state;
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_BAD_SIGNATURE);
    free(t);
    t = mint_hs256("{\"alg\":\"HS256\",\"kid\":\"h1\"}", "{not json", HS_KEY, 32);
    assert_int_equal(validate("HS256", jwks, t, strlen(t)), GW_JWT_BAD_CLAIMS);
    free(t);
    free(jwks);
}

/* Key/alg mismatches from the key side: JWK "alg", curve, RSA size (RFC 7518 §3.3). */
static void test_key_alg_curve_and_size_must_fit(void **state)
{
    struct vec v = load_vec("rfc7515-A.2");
    struct cmn_err err = {0};
    json_t *keys = json_loads(v.jwks, 0, NULL);
    json_t *k = json_array_get(json_object_get(keys, "keys"), 0);
    char *doc;
    struct gw_jwks *set;
    char n[400];
    unsigned char nb[300];
    size_t nl;

    (void)state;
    json_object_set_new(k, "alg", json_string("RS512"));
    doc = json_dumps(keys, JSON_COMPACT);
    assert_int_equal(validate("RS256", doc, v.token, strlen(v.token)), GW_JWT_KEY_UNFIT);
    free(doc);
    /* a 1024-bit modulus: parsed, but refused for RS256 */
    assert_true(cmn_b64url_decode(json_string_value(json_object_get(k, "n")), 342, nb, &nl));
    nb[127] |= 1; /* the first 128 bytes of the modulus, made odd */
    cmn_b64url_encode(nb, 128, n);
    json_object_set_new(k, "n", json_string(n));
    json_object_del(k, "alg");
    doc = json_dumps(keys, JSON_COMPACT);
    set = gw_jwks_parse(doc, strlen(doc), NULL, &err);
    assert_int_equal(gw_jwks_count(set), 1);
    assert_true(gw_jwk_rsa_bits(gw_jwks_at(set, 0)) <= 1024);
    assert_int_equal(gw_jws_key_fits(GW_ALG_RS256, gw_jwks_at(set, 0), &err), GW_JWS_KEY_UNFIT);
    assert_non_null(strstr(err.msg, "2048"));
    gw_jwks_unref(set);
    free(doc);
    json_decref(keys);
    free_vec(&v);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest own[] = {
        cmocka_unit_test(test_alg_none_rejected),
        cmocka_unit_test(test_alg_n_not_parsed_as_none),
        cmocka_unit_test(test_crit_rejected),
        cmocka_unit_test(test_jwk_jku_x5u_x5c_injection_ignored),
        cmocka_unit_test(test_duplicate_claims_refused),
        cmocka_unit_test(test_deep_nesting_refused),
        cmocka_unit_test(test_huge_token_refused_16kb_token_accepted),
        cmocka_unit_test(test_jwe_and_json_serialization_refused),
        cmocka_unit_test(test_claims_not_read_before_signature),
    };
    /* attacks built on the RFC 7515 examples, read from ../shared */
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(test_alg_confusion_rs_to_hs_with_public_key_as_secret),
        cmocka_unit_test(test_rsa_key_never_an_empty_hmac_secret),
        cmocka_unit_test(test_ecdsa_sig_wrong_length_or_zero_rs_refused),
        cmocka_unit_test(test_rsa_sig_length_mismatch_refused),
        cmocka_unit_test(test_padding_in_base64url_refused),
        cmocka_unit_test(test_key_alg_curve_and_size_must_fit),
    };
    return tu_run(argc, argv, own, TU_COUNT(own), shared, TU_COUNT(shared));
}
