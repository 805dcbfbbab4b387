/* test_gw_jwt_openssl.c - tokens and keys minted at test time by the openssl command line
 * (tests/e2e/tools-jose/mint-openssl.sh), an implementation independent of ours, validated
 * through gw_jwt_validate for every algorithm; tampered copies are refused. */
#include "gw_claims.h"
#include "gw_jwk.h"
#include "gw_jwt.h"
#include "gw_validator_config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tu_file.h"

#define MINTER GW_TEST_DATA "/../e2e/tools-jose/mint-openssl.sh"
#define NOW 1750000000

static const char *const ALGS[] = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
                                   "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"};
static char dir[64];

static int setup(void **state)
{
    char cmd[512];

    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/gw-jose-openssl.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(cmd, sizeof(cmd), "bash '%s' '%s'", MINTER, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char path[256];

    (void)state;
    for (size_t i = 0; i < sizeof(ALGS) / sizeof(ALGS[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s.jwt", dir, ALGS[i]);
        unlink(path);
        snprintf(path, sizeof(path), "%s/%s.jwks", dir, ALGS[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

static enum gw_jwt_result check(const char *alg, const char *token, size_t len, const char *jwks,
                                size_t jwks_len)
{
    char cfg[512];
    json_t *o;
    struct gw_validator_config *vc = NULL;
    struct cmn_err err = {0};
    struct gw_jwks *set = gw_jwks_parse(jwks, jwks_len, NULL, &err);
    struct gw_claims *c = NULL;
    enum gw_jwt_result r;

    assert_non_null(set);
    assert_int_equal(gw_jwks_count(set), 1);
    snprintf(cfg, sizeof(cfg),
             "{\"alg\":\"%s\",\"jwk_url\":\"https://idp/jwks\",\"issuer\":\"https://openssl.test\","
             "\"audience\":[\"gw\"],\"roles\":[\"reader\"],\"scopes\":[\"items:read\"],"
             "\"scopes_key\":\"scope\"}",
             alg);
    o = json_loads(cfg, 0, NULL);
    assert_int_equal(gw_validator_config_parse(o, "e", &vc, &err), GW_VC_OK);
    r = gw_jwt_validate(vc, token, len, set, NOW, &c, &err);
    if (r != GW_JWT_OK)
        print_message("%s: %s\n", alg, err.msg);
    else
        assert_string_equal(json_string_value(json_object_get(gw_claims_json(c), "sub")),
                            "openssl-user");
    gw_claims_unref(c);
    gw_validator_config_destroy(vc);
    json_decref(o);
    gw_jwks_unref(set);
    return r;
}

static void test_openssl_minted_tokens(void **state)
{
    char path[256];

    (void)state;
    for (size_t i = 0; i < sizeof(ALGS) / sizeof(ALGS[0]); i++) {
        size_t tl = 0, kl = 0;
        char *tok, *jwks;
        snprintf(path, sizeof(path), "%s/%s.jwt", dir, ALGS[i]);
        tok = tu_read_file(path, &tl);
        snprintf(path, sizeof(path), "%s/%s.jwks", dir, ALGS[i]);
        jwks = tu_read_file(path, &kl);
        assert_non_null(tok);
        assert_non_null(jwks);
        assert_int_equal(check(ALGS[i], tok, tl, jwks, kl), GW_JWT_OK);
        /* one changed payload character: the signature no longer holds */
        *(strchr(tok, '.') + 5) ^= 1;
        assert_int_equal(check(ALGS[i], tok, tl, jwks, kl), GW_JWT_BAD_SIGNATURE);
        free(tok);
        free(jwks);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_minted_tokens),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
