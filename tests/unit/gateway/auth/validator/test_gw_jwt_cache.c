/* test_gw_jwt_cache.c - the verified-token cache: hits skip the signature, expiry, key
 * rotation, bounded size, and time-based claims still checked on hits. */
#include "cmn_b64.h"
#include "gw_claims.h"
#include "gw_jwk_int.h"
#include "gw_jwt.h"
#include "gw_jwt_cache.h"
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

#define KEY_A "secret-secret-secret-secret-32!!"
#define KEY_B "another-another-another-32-bytes"
#define NOW 1700000000

static struct gw_jwks *set_with(const char *kid, const char *key)
{
    char doc[256], k[64];
    struct cmn_err err = {0};
    struct gw_jwks *s;

    cmn_b64url_encode(key, strlen(key), k);
    snprintf(doc, sizeof(doc), "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"%s\",\"k\":\"%s\"}]}", kid,
             k);
    s = gw_jwks_parse(doc, strlen(doc), NULL, &err);
    assert_non_null(s);
    return s;
}

static char *mint(const char *kid, const char *key, const char *payload)
{
    char hdr[64];
    size_t hl, pl = strlen(payload), n;
    char *t;
    struct hmac_sha256_ctx c;
    uint8_t mac[32];

    hl = (size_t)snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"kid\":\"%s\"}", kid);
    t = malloc(cmn_b64url_encoded_len(hl) + cmn_b64url_encoded_len(pl) + 64);
    n = cmn_b64url_encode(hdr, hl, t);
    t[n++] = '.';
    n += cmn_b64url_encode(payload, pl, t + n);
    hmac_sha256_set_key(&c, strlen(key), (const uint8_t *)key);
    hmac_sha256_update(&c, n, (const uint8_t *)t);
    hmac_sha256_digest(&c, 32, mac);
    t[n++] = '.';
    cmn_b64url_encode(mac, 32, t + n);
    return t;
}

static struct gw_validator_config *vc_from(const char *json)
{
    json_t *o = json_loads(json, 0, NULL);
    struct gw_validator_config *vc = NULL;
    struct cmn_err err = {0};

    assert_int_equal(gw_validator_config_parse(o, "e", &vc, &err), GW_VC_OK);
    json_decref(o);
    return vc;
}

static enum gw_jwt_result check(struct gw_validator_config *vc, struct gw_jwt_cache *cache,
                                const char *t, const struct gw_jwks *keys, int64_t now)
{
    struct gw_claims *c = NULL;
    struct cmn_err err = {0};
    enum gw_jwt_result r = gw_jwt_validate_cached(vc, cache, t, strlen(t), keys, now, NULL, &c, &err);

    gw_claims_unref(c);
    return r;
}

static void test_hit_skips_signature_and_time_still_checked(void **state)
{
    struct gw_jwt_cache *cache = gw_jwt_cache_new(64, 300);
    struct gw_validator_config *vc = vc_from("{\"alg\":\"HS256\",\"jwk_url\":\"https://x\"}");
    struct gw_jwks *keys = set_with("k1", KEY_A);
    char *t = mint("k1", KEY_A, "{\"sub\":\"a\",\"exp\":1700000100,\"nbf\":1700000000}");
    uint64_t hits, misses;
    size_t used;

    (void)state;
    assert_int_equal(check(vc, cache, t, keys, NOW), GW_JWT_OK);
    assert_int_equal(check(vc, cache, t, keys, NOW + 1), GW_JWT_OK);
    gw_jwt_cache_stats(cache, &hits, &misses, &used);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 1);
    assert_int_equal(used, 1);
    /* nbf still checked on a hit */
    assert_int_equal(check(vc, cache, t, keys, NOW - 10), GW_JWT_NOT_YET_VALID);
    /* exp: the entry is gone after it, and the token is refused */
    assert_int_equal(check(vc, cache, t, keys, 1700000102), GW_JWT_EXPIRED);
    gw_jwt_cache_stats(cache, &hits, NULL, &used);
    assert_int_equal(used, 0);
    free(t);
    gw_jwks_unref(keys);
    gw_validator_config_destroy(vc);
    gw_jwt_cache_destroy(cache);
}

/* An entry is valid only while its key is in the set: rotation forces a new verification. */
static void test_key_leaving_the_set_invalidates(void **state)
{
    struct gw_jwt_cache *cache = gw_jwt_cache_new(64, 300);
    struct gw_validator_config *vc = vc_from("{\"alg\":\"HS256\",\"jwk_url\":\"https://x\"}");
    struct gw_jwks *a = set_with("k1", KEY_A), *a2 = set_with("k1", KEY_A);
    struct gw_jwks *b = set_with("k1", KEY_B);
    char *t = mint("k1", KEY_A, "{\"sub\":\"a\"}");
    uint64_t hits;

    (void)state;
    assert_int_equal(check(vc, cache, t, a, NOW), GW_JWT_OK);
    /* same key material in a newly fetched set: still a hit */
    assert_int_equal(check(vc, cache, t, a2, NOW), GW_JWT_OK);
    gw_jwt_cache_stats(cache, &hits, NULL, NULL);
    assert_int_equal(hits, 1);
    /* rotated: same kid, other key; the cached verdict must not survive */
    assert_int_equal(check(vc, cache, t, b, NOW), GW_JWT_BAD_SIGNATURE);
    assert_int_equal(check(vc, cache, t, a, NOW), GW_JWT_OK); /* verified again */
    gw_jwt_cache_stats(cache, &hits, NULL, NULL);
    assert_int_equal(hits, 1);
    /* another endpoint's algorithm never hits */
    {
        struct gw_validator_config *vc2 = vc_from("{\"alg\":\"HS512\",\"jwk_url\":\"https://x\"}");
        assert_int_equal(check(vc2, cache, t, a, NOW), GW_JWT_ALG_MISMATCH);
        gw_validator_config_destroy(vc2);
    }
    free(t);
    gw_jwks_unref(a);
    gw_jwks_unref(a2);
    gw_jwks_unref(b);
    gw_validator_config_destroy(vc);
    gw_jwt_cache_destroy(cache);
}

static void test_bounded_and_lru(void **state)
{
    struct gw_jwt_cache *cache = gw_jwt_cache_new(8, 300);
    struct gw_validator_config *vc = vc_from("{\"alg\":\"HS256\",\"jwk_url\":\"https://x\"}");
    struct gw_jwks *keys = set_with("k1", KEY_A);
    size_t used;
    char p[64];

    (void)state;
    for (int i = 0; i < 200; i++) {
        char *t;
        snprintf(p, sizeof(p), "{\"sub\":\"user%d\"}", i);
        t = mint("k1", KEY_A, p);
        assert_int_equal(check(vc, cache, t, keys, NOW), GW_JWT_OK);
        free(t);
    }
    gw_jwt_cache_stats(cache, NULL, NULL, &used);
    assert_true(used <= 8);
    assert_true(used > 0);
    /* no exp: lives max_ttl_s */
    {
        char *t = mint("k1", KEY_A, "{\"sub\":\"ttl\"}");
        uint64_t h0, h1;
        assert_int_equal(check(vc, cache, t, keys, NOW), GW_JWT_OK);
        gw_jwt_cache_stats(cache, &h0, NULL, NULL);
        assert_int_equal(check(vc, cache, t, keys, NOW + 301), GW_JWT_OK);
        gw_jwt_cache_stats(cache, &h1, NULL, NULL);
        assert_int_equal(h1, h0); /* expired entry: a miss, verified again */
        free(t);
    }
    assert_null(gw_jwt_cache_new(0, 10));
    assert_null(gw_jwt_cache_new(8, 0));
    gw_jwt_cache_destroy(NULL);
    gw_jwks_unref(keys);
    gw_validator_config_destroy(vc);
    gw_jwt_cache_destroy(cache);
}

/* Roles/scopes run on hits too: the same token may be cached by one endpoint and refused
 * by another that requires a role. */
static void test_roles_checked_on_hits(void **state)
{
    struct gw_jwt_cache *cache = gw_jwt_cache_new(16, 300);
    struct gw_validator_config *open = vc_from("{\"alg\":\"HS256\",\"jwk_url\":\"https://x\"}");
    struct gw_validator_config *admin =
        vc_from("{\"alg\":\"HS256\",\"jwk_url\":\"https://x\",\"roles\":[\"admin\"]}");
    struct gw_jwks *keys = set_with("k1", KEY_A);
    char *t = mint("k1", KEY_A, "{\"roles\":[\"user\"]}");

    (void)state;
    assert_int_equal(check(open, cache, t, keys, NOW), GW_JWT_OK);
    assert_int_equal(check(admin, cache, t, keys, NOW), GW_JWT_ROLES);
    free(t);
    gw_jwks_unref(keys);
    gw_validator_config_destroy(open);
    gw_validator_config_destroy(admin);
    gw_jwt_cache_destroy(cache);
}

/* A hit needs the very same bytes: a cached token with another signature, one byte more or
 * less, is verified (and refused) as if nothing were cached. */
static void test_only_the_same_bytes_hit(void **state)
{
    struct gw_jwt_cache *cache = gw_jwt_cache_new(64, 300);
    struct gw_validator_config *vc = vc_from("{\"alg\":\"HS256\",\"jwk_url\":\"https://x\"}");
    struct gw_jwks *keys = set_with("k1", KEY_A);
    char *t = mint("k1", KEY_A, "{\"sub\":\"a\"}");
    size_t n = strlen(t);
    char *longer = malloc(n + 2);
    struct gw_claims *c = NULL;
    struct cmn_err err = {0};
    uint64_t hits;
    char was;

    (void)state;
    assert_int_equal(check(vc, cache, t, keys, NOW), GW_JWT_OK);
    /* another signature character (well inside the signature: the last carries padding) */
    was = t[n - 10];
    t[n - 10] = was == 'A' ? 'B' : 'A';
    assert_int_equal(check(vc, cache, t, keys, NOW), GW_JWT_BAD_SIGNATURE);
    t[n - 10] = was;
    /* a prefix of the cached token, and the cached token with a byte more */
    assert_int_not_equal(gw_jwt_validate_cached(vc, cache, t, n - 1, keys, NOW, NULL, &c, &err),
                         GW_JWT_OK);
    assert_null(c);
    memcpy(longer, t, n);
    longer[n] = 'A';
    longer[n + 1] = '\0';
    assert_int_not_equal(check(vc, cache, longer, keys, NOW), GW_JWT_OK);
    gw_jwt_cache_stats(cache, &hits, NULL, NULL);
    assert_int_equal(hits, 0);
    assert_int_equal(check(vc, cache, t, keys, NOW), GW_JWT_OK);
    gw_jwt_cache_stats(cache, &hits, NULL, NULL);
    assert_int_equal(hits, 1);
    free(longer);
    free(t);
    gw_jwks_unref(keys);
    gw_validator_config_destroy(vc);
    gw_jwt_cache_destroy(cache);
}

/* auth/revoker's hook: the rejecter sees every valid token, cached or not, after the
 * registered claims and before roles (a revoked token without the roles is a 401, not 403). */
static bool reject_sub_b(void *ctx, const json_t *claims)
{
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    int *calls = ctx;

    (*calls)++;
    return sub && strcmp(sub, "b") == 0;
}

static void test_rejecter(void **state)
{
    struct gw_jwt_cache *cache = gw_jwt_cache_new(64, 300);
    struct gw_validator_config *vc = vc_from("{\"alg\":\"HS256\",\"jwk_url\":\"https://x\","
                                             "\"roles_key\":\"roles\",\"roles\":[\"admin\"]}");
    struct gw_jwks *keys = set_with("k1", KEY_A);
    char *a = mint("k1", KEY_A, "{\"sub\":\"a\",\"roles\":[\"admin\"]}");
    char *b = mint("k1", KEY_A, "{\"sub\":\"b\",\"roles\":[\"admin\"]}");
    char *b_noroles = mint("k1", KEY_A, "{\"sub\":\"b\"}");
    char *expired = mint("k1", KEY_A, "{\"sub\":\"b\",\"exp\":1}");
    int calls = 0;
    struct gw_jwt_rejecter rej = {reject_sub_b, &calls};
    struct gw_claims *c = NULL;
    struct cmn_err err = {0};
    char text[128];

    (void)state;
    for (int i = 0; i < 2; i++) { /* a miss, then a cache hit: the rejecter runs both times */
        assert_int_equal(gw_jwt_validate_cached(vc, cache, a, strlen(a), keys, NOW, &rej, &c, &err),
                         GW_JWT_OK);
        gw_claims_unref(c);
        c = NULL;
        assert_int_equal(gw_jwt_validate_cached(vc, cache, b, strlen(b), keys, NOW, &rej, &c, &err),
                         GW_JWT_REVOKED);
        assert_null(c);
    }
    assert_int_equal(calls, 4);
    assert_int_equal(gw_jwt_validate_cached(vc, cache, b_noroles, strlen(b_noroles), keys, NOW,
                                            &rej, &c, &err),
                     GW_JWT_REVOKED);
    assert_int_equal(gw_jwt_result_status(GW_JWT_REVOKED), 401);
    assert_string_equal(gw_jwt_log_text(GW_JWT_REVOKED, &err, text, sizeof(text)),
                        "Token sent by client rejected");
    /* the registered claims come first: an expired token never reaches the rejecter */
    calls = 0;
    assert_int_equal(gw_jwt_validate_cached(vc, cache, expired, strlen(expired), keys, NOW, &rej,
                                            &c, &err),
                     GW_JWT_EXPIRED);
    assert_int_equal(calls, 0);
    /* no rejecter: the role check decides */
    assert_int_equal(gw_jwt_validate_cached(vc, cache, b_noroles, strlen(b_noroles), keys, NOW,
                                            NULL, &c, &err),
                     GW_JWT_ROLES);
    free(a);
    free(b);
    free(b_noroles);
    free(expired);
    gw_jwks_unref(keys);
    gw_validator_config_destroy(vc);
    gw_jwt_cache_destroy(cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_skips_signature_and_time_still_checked),
        cmocka_unit_test(test_key_leaving_the_set_invalidates),
        cmocka_unit_test(test_bounded_and_lru),
        cmocka_unit_test(test_roles_checked_on_hits),
        cmocka_unit_test(test_only_the_same_bytes_hit),
        cmocka_unit_test(test_rejecter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
