/* test_cmn_suggest.c - the did-you-mean rule: normalisation, distance, thresholds, ties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cmn_suggest.h"

static const char *const NS[] = {
    "auth/validator", "auth/signer",   "security/cors", "security/http", "security/bot-detector",
    "qos/ratelimit/router", "qos/ratelimit/proxy", "proxy",  "router", "backend/http",
    "github.com/devopsfaith/krakend-jose/validator",
};
#define N_NS (sizeof(NS) / sizeof(NS[0]))

static void distance(void **state)
{
    (void)state;
    assert_int_equal(cmn_suggest_distance("abc", "abc"), 0);
    assert_int_equal(cmn_suggest_distance("Auth/Validator", "auth/validator"), 0);
    assert_int_equal(cmn_suggest_distance("jwk-url", "jwk_url"), 0);
    assert_int_equal(cmn_suggest_distance("github_com/devopsfaith/krakend-jose/validator",
                                          "github.com/devopsfaith/krakend-jose/validator"),
                     0);
    assert_int_equal(cmn_suggest_distance("auth/validater", "auth/validator"), 1);
    assert_int_equal(cmn_suggest_distance("scope_matcher", "scopes_matcher"), 1);
    assert_int_equal(cmn_suggest_distance("auth/valdiator", "auth/validator"), 1); /* swap */
    assert_int_equal(cmn_suggest_distance("", "abc"), 3);
    assert_int_equal(cmn_suggest_distance("kitten", "sitting"), 3);
}

static void suggestions(void **state)
{
    static const char *const KEYS[] = {"scopes_matcher", "scopes_key", "scopes", "roles",
                                       "jwk_url", "alg"};
    (void)state;
    assert_string_equal(cmn_suggest("auth/validater", NS, N_NS), "auth/validator");
    assert_string_equal(cmn_suggest("auth/Validator", NS, N_NS), "auth/validator");
    assert_string_equal(cmn_suggest("security/cros", NS, N_NS), "security/cors");
    assert_string_equal(cmn_suggest("qos/ratelimit/routers", NS, N_NS), "qos/ratelimit/router");
    assert_string_equal(cmn_suggest("security_http", NS, N_NS), "security/http");
    /* the underscore spelling seen in the wild (krakend-compat.md §1.6) */
    assert_string_equal(cmn_suggest("github_com/devopsfaith/krakend-jose/validator", NS, N_NS),
                        "github.com/devopsfaith/krakend-jose/validator");
    /* a bare last segment finds the namespace it ends */
    assert_string_equal(cmn_suggest("validator", NS, N_NS), "auth/validator");
    assert_string_equal(cmn_suggest("bot-detector", NS, N_NS), "security/bot-detector");
    assert_string_equal(cmn_suggest("scope_matcher", KEYS, 6), "scopes_matcher");
    assert_string_equal(cmn_suggest("jwk-url", KEYS, 6), "jwk_url");
    assert_string_equal(cmn_suggest("role", KEYS, 6), "roles");
    /* too far: nothing */
    assert_null(cmn_suggest("telemetry/logging", NS, N_NS));
    assert_null(cmn_suggest("xyz", KEYS, 6));
    assert_null(cmn_suggest("al", KEYS, 0));
    /* a short name allows one edit only */
    assert_null(cmn_suggest("agl1", KEYS, 6));
    /* an exact name is not a suggestion for itself */
    assert_null(cmn_suggest("proxy", (const char *const[]){"proxy"}, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(distance),
        cmocka_unit_test(suggestions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
