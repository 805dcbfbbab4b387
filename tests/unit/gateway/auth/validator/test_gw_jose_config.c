/* test_gw_jose_config.c - auth/validator options (krakend-compat §4.1-§4.2): defaults, every
 * option, errored (401) versus fatal configs, Go durations. */
#include "gw_validator_config.h"
#include "cmn_go_duration.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static enum gw_vc_status parse(const char *json, struct gw_validator_config **vc,
                               struct cmn_err *err)
{
    json_error_t je;
    json_t *o = json_loads(json, JSON_DECODE_ANY, &je);
    enum gw_vc_status st;

    assert_non_null(o);
    st = gw_validator_config_parse(o, "endpoints[1].extra_config.auth/validator", vc, err);
    json_decref(o);
    return st;
}

static void test_defaults(void **state)
{
    struct gw_validator_config *vc = NULL;
    struct cmn_err err = {0};

    (void)state;
    assert_int_equal(parse("{\"alg\":\"RS256\",\"jwk_url\":\"https://idp/jwks\"}", &vc, &err),
                     GW_VC_OK);
    assert_false(vc->errored);
    assert_int_equal(vc->alg, GW_ALG_RS256);
    assert_string_equal(vc->jwk_url, "https://idp/jwks");
    assert_string_equal(vc->roles_key, "roles");
    assert_string_equal(vc->cookie_key, "access_token");
    assert_string_equal(vc->auth_header_name, "Authorization");
    assert_int_equal(vc->leeway_s, 1);
    assert_false(vc->cache);
    assert_int_equal(vc->cache_duration_s, 0);
    assert_int_equal(vc->failed_jwk_key_cooldown_ms, 0);
    assert_int_equal(vc->key_identify_strategy, GW_KEYID_KID);
    assert_int_equal(vc->scopes_matcher, GW_SCOPES_ANY);
    assert_null(vc->issuer);
    assert_null(vc->scopes_key);
    assert_false(vc->audience.set);
    assert_null(vc->cipher_suites);
    gw_validator_config_destroy(vc);
}

static void test_every_option(void **state)
{
    struct gw_validator_config *vc = NULL;
    struct cmn_err err = {0};
    const char *cfg =
        "{\"alg\":\"ES384\",\"jwk_url\":\"http://idp/jwks\",\"disable_jwk_security\":true,"
        "\"jwk_fingerprints\":[\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"],"
        "\"jwk_local_ca\":\"/etc/ca.pem\",\"cipher_suites\":[49199,4865],\"cache\":true,"
        "\"failed_jwk_key_cooldown\":\"1m30s\",\"key_identify_strategy\":\"x5t#S256\","
        "\"issuer\":\"https://idp\",\"audience\":[\"a\",\"b\"],\"roles\":[\"r\"],"
        "\"roles_key\":\"realm_access.roles\",\"roles_key_is_nested\":true,"
        "\"scopes\":[\"s1\",\"s2\"],\"scopes_key\":\"scope\",\"scopes_matcher\":\"all\","
        "\"cookie_key\":\"jwt\",\"auth_header_name\":\"X-Token\",\"leeway\":\"2m\","
        "\"propagate_claims\":[[\"sub\",\"x-user\"],[\"a\",\"b\",\"c\"]],"
        "\"propagate_claims_preserve_array\":true,\"operation_debug\":true,"
        "\"jwk-url\":\"ignored\",\"unknown\":1}";

    (void)state;
    assert_int_equal(parse(cfg, &vc, &err), GW_VC_OK);
    assert_false(vc->errored);
    assert_int_equal(vc->alg, GW_ALG_ES384);
    assert_true(vc->disable_jwk_security);
    assert_int_equal(vc->jwk_fingerprints.n, 1);
    assert_int_equal(vc->fingerprints[0][31], 0);
    assert_string_equal(vc->jwk_local_ca, "/etc/ca.pem");
    assert_int_equal(vc->n_cipher_suites, 2);
    assert_int_equal(vc->cipher_suites[1], 4865);
    assert_true(vc->cache);
    assert_int_equal(vc->cache_duration_s, 900); /* default when cache is on */
    assert_int_equal(vc->failed_jwk_key_cooldown_ms, 90000);
    assert_int_equal(vc->key_identify_strategy, GW_KEYID_X5T_S256);
    assert_string_equal(vc->issuer, "https://idp");
    assert_int_equal(vc->audience.n, 2);
    assert_string_equal(vc->roles.items[0], "r");
    assert_true(vc->roles_key_is_nested);
    assert_string_equal(vc->scopes_key, "scope");
    assert_int_equal(vc->scopes_matcher, GW_SCOPES_ALL);
    assert_string_equal(vc->cookie_key, "jwt");
    assert_string_equal(vc->auth_header_name, "X-Token");
    assert_int_equal(vc->leeway_s, 120);
    assert_int_equal(vc->n_propagate_claims, 1);
    assert_string_equal(vc->propagate_claims[0].header, "x-user");
    assert_true(vc->propagate_claims_preserve_array);
    assert_true(vc->operation_debug);
    assert_int_equal(vc->warnings.n, 1); /* jwk-url looks like an option but is ignored */
    assert_string_equal(vc->warnings.items[0], "jwk-url");
    gw_validator_config_destroy(vc);
}

/* §4.1: an insecure jwk_url (or none, with jwk_local_path) without disable_jwk_security
 * makes the endpoint answer 401, it does not stop startup. */
static void test_insecure_jwk_url_errored(void **state)
{
    static const char *const cfgs[] = {
        "{\"alg\":\"RS256\",\"jwk_url\":\"http://idp/jwks\"}",
        "{\"alg\":\"RS256\",\"jwk_local_path\":\"/k.json\"}",
        "{\"alg\":\"RS999\",\"jwk_url\":\"http://idp/jwks\"}", /* errored before alg check */
    };

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        struct gw_validator_config *vc = NULL;
        struct cmn_err err = {0};
        assert_int_equal(parse(cfgs[i], &vc, &err), GW_VC_OK);
        assert_true(vc->errored);
        assert_string_equal(vc->error,
                            "JWK client is using an insecure connection to the JWK service");
        gw_validator_config_destroy(vc);
    }
}

/* JSON type errors: KrakenD's erroredHandler (401), with Go's message. */
static void test_type_errors_errored(void **state)
{
    static const char *const cfgs[] = {
        "{\"alg\":5,\"jwk_url\":\"https://x\"}",
        "{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"cache\":\"yes\"}",
        "{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"roles\":\"admin\"}",
        "{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"roles\":[1]}",
        "{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"cache_duration\":-1}",
        "{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"cache_duration\":1.5}",
        "{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"cipher_suites\":[70000]}",
        "{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"propagate_claims\":[[\"a\",1]]}",
        "{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"leeway\":5}",
        "[]",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
        struct gw_validator_config *vc = NULL;
        struct cmn_err err = {0};
        assert_int_equal(parse(cfgs[i], &vc, &err), GW_VC_OK);
        assert_true(vc->errored);
        assert_non_null(strstr(vc->error, "json: cannot unmarshal"));
        gw_validator_config_destroy(vc);
    }
}

/* logger.Fatal cases: startup stops with a clear message naming the endpoint. */
static void test_fatal(void **state)
{
    static const struct {
        const char *cfg, *msg;
    } cases[] = {
        {"{\"alg\":\"RS257\",\"jwk_url\":\"https://x\"}", "unknown algorithm RS257"},
        {"{\"jwk_url\":\"https://x\"}", "unknown algorithm (missing alg)"},
        {"{\"alg\":\"rs256\",\"jwk_url\":\"https://x\"}", "unknown algorithm rs256"},
        {"{\"alg\":\"none\",\"jwk_url\":\"https://x\"}", "unknown algorithm none"},
        {"{\"alg\":\"RS256\",\"jwk_local_path\":\"/k\",\"disable_jwk_security\":true,"
         "\"cache\":true}",
         "cache could not be used with jwk_local_path"},
        {"{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"jwk_fingerprints\":[\"!!\"]}",
         "jwk_fingerprints[0]"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_validator_config *vc = NULL;
        struct cmn_err err = {0};
        assert_int_equal(parse(cases[i].cfg, &vc, &err), GW_VC_FATAL);
        assert_null(vc);
        if (!strstr(err.msg, cases[i].msg))
            print_message("got: %s\n", err.msg);
        assert_non_null(strstr(err.msg, cases[i].msg));
        assert_non_null(strstr(err.msg, "endpoints[1].extra_config.auth/validator: "));
    }
}

static void test_leeway_cooldown_and_strategies(void **state)
{
    static const struct {
        const char *extra;
        int64_t leeway, cooldown_ms;
        enum gw_key_strategy strategy;
    } cases[] = {
        {"\"leeway\":\"500ms\"", 1, 0, GW_KEYID_KID}, /* raised to 1 s */
        {"\"leeway\":\"junk\"", 1, 0, GW_KEYID_KID},  /* unparsable: 1 s */
        {"\"leeway\":\"1h\"", 3600, 0, GW_KEYID_KID},
        {"\"failed_jwk_key_cooldown\":\"500ms\"", 1, 0, GW_KEYID_KID}, /* < 1 s: disabled */
        {"\"failed_jwk_key_cooldown\":\"10s\"", 1, 10000, GW_KEYID_KID},
        {"\"key_identify_strategy\":\"x5t\"", 1, 0, GW_KEYID_X5T},
        {"\"key_identify_strategy\":\"kid_x5t\"", 1, 0, GW_KEYID_KID_X5T},
        {"\"key_identify_strategy\":\"other\"", 1, 0, GW_KEYID_KID},
    };
    char cfg[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_validator_config *vc = NULL;
        struct cmn_err err = {0};
        snprintf(cfg, sizeof(cfg), "{\"alg\":\"HS256\",\"jwk_url\":\"https://x\",%s}",
                 cases[i].extra);
        assert_int_equal(parse(cfg, &vc, &err), GW_VC_OK);
        assert_int_equal(vc->leeway_s, cases[i].leeway);
        assert_int_equal(vc->failed_jwk_key_cooldown_ms, cases[i].cooldown_ms);
        assert_int_equal(vc->key_identify_strategy, cases[i].strategy);
        gw_validator_config_destroy(vc);
    }
}

static void test_go_durations(void **state)
{
    static const struct {
        const char *s;
        int64_t ns;
    } ok[] = {{"0", 0},
              {"1s", 1000000000},
              {"1m30s", 90000000000},
              {"1.5h", 5400000000000},
              {"150ms", 150000000},
              {"-2s", -2000000000},
              {"10us", 10000},
              {"10\xc2\xb5s", 10000},
              {"3ns", 3}};
    static const char *const bad[] = {"", "1", "s", "1x", "1.s.", "--1s", "1s2", "9999999999h"};
    int64_t ns;

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_true(cmn_go_parse_duration(ok[i].s, &ns));
        assert_int_equal(ns, ok[i].ns);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(cmn_go_parse_duration(bad[i], &ns));
}

static void test_shared_cache_duration_and_warnings(void **state)
{
    json_t *o = json_loads("{\"shared_cache_duration\":60}", 0, NULL);
    json_t *z = json_loads("{}", 0, NULL);
    json_t *b = json_loads("{\"shared_cache_duration\":\"1m\"}", 0, NULL);
    struct gw_validator_config *vc = NULL;
    struct cmn_err err = {0};
    int64_t s;

    (void)state;
    assert_true(gw_validator_shared_cache_duration(o, &s));
    assert_int_equal(s, 60);
    assert_true(gw_validator_shared_cache_duration(z, &s));
    assert_int_equal(s, 900);
    assert_false(gw_validator_shared_cache_duration(b, &s));
    json_decref(o);
    json_decref(z);
    json_decref(b);
    /* scopes without scopes_key: accepted, not enforced, reported */
    assert_int_equal(
        parse("{\"alg\":\"HS256\",\"jwk_url\":\"https://x\",\"scopes\":[\"a\"]}", &vc, &err),
        GW_VC_OK);
    assert_int_equal(vc->warnings.n, 1);
    assert_non_null(strstr(vc->warnings.items[0], "scopes_key"));
    gw_validator_config_destroy(vc);
    /* encrypted local JWKS is not supported: the endpoint refuses tokens (401) */
    assert_int_equal(parse("{\"alg\":\"HS256\",\"jwk_local_path\":\"/k\",\"disable_jwk_security\":"
                           "true,\"secret_url\":\"base64key://x\",\"cypher_key\":\"y\"}",
                           &vc, &err),
                     GW_VC_OK);
    assert_true(vc->errored);
    gw_validator_config_destroy(vc);
    gw_validator_config_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_option),
        cmocka_unit_test(test_insecure_jwk_url_errored),
        cmocka_unit_test(test_type_errors_errored),
        cmocka_unit_test(test_fatal),
        cmocka_unit_test(test_leeway_cooldown_and_strategies),
        cmocka_unit_test(test_go_durations),
        cmocka_unit_test(test_shared_cache_duration_and_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
