/* test_gw_schema.c - the built-in v2.13 rules: they parse; namespaces are found by short and long
 * name with their levels; misspellings find what they meant; the linter reports unknown keys and
 * namespaces (with suggestions), wrong types, ranges, enums, missing keys, with pointer and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_schema.h"

static struct gw_schema *S;

static int setup(void **state)
{
    struct cmn_err err;

    (void)state;
    S = gw_schema_builtin(&err);
    if (!S)
        fprintf(stderr, "%s\n", err.msg);
    return S ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    gw_schema_destroy(S);
    return 0;
}

static void namespaces(void **state)
{
    struct gw_schema_ns_info ns;
    char where[96];

    (void)state;
    assert_true(gw_schema_namespace(S, "auth/validator", &ns));
    assert_string_equal(ns.name, "auth/validator");
    assert_string_equal(ns.alias, "github.com/devopsfaith/krakend-jose/validator");
    assert_true(ns.security);
    assert_true(ns.checked);
    assert_int_equal(ns.levels, GW_SCHEMA_SERVICE | GW_SCHEMA_ENDPOINT);
    assert_true(gw_schema_namespace(S, "github_com/devopsfaith/krakend-cors", &ns));
    assert_string_equal(ns.name, "security/cors");
    /* one name, other options per level: the union of its levels */
    assert_true(gw_schema_namespace(S, "proxy", &ns));
    assert_int_equal(ns.levels, GW_SCHEMA_ENDPOINT | GW_SCHEMA_BACKEND);
    assert_false(gw_schema_namespace(S, "auth/validater", &ns));
    gw_schema_levels_text(GW_SCHEMA_SERVICE | GW_SCHEMA_ENDPOINT | GW_SCHEMA_BACKEND, where,
                          sizeof(where));
    assert_string_equal(where, "the service, an endpoint or a backend");

    assert_string_equal(gw_schema_suggest_namespace(S, "auth/validater"), "auth/validator");
    assert_string_equal(gw_schema_suggest_namespace(S, "security/cros"), "security/cors");
    assert_string_equal(gw_schema_suggest_namespace(S, "qos/ratelimit/routers"),
                        "qos/ratelimit/router");
    assert_string_equal(
        gw_schema_suggest_namespace(S, "github_com/devopsfaith/krakend-jose/validator"),
        "github.com/devopsfaith/krakend-jose/validator");
    assert_null(gw_schema_suggest_namespace(S, "completely/different"));
}

struct seen {
    char keys[8][64];
    char hints[8][64];
    bool renamed[8];
    int n;
};

static void on_unknown(void *ctx, const char *key, const char *suggestion, bool renamed)
{
    struct seen *s = ctx;

    snprintf(s->keys[s->n], 64, "%s", key);
    snprintf(s->hints[s->n], 64, "%s", suggestion ? suggestion : "");
    s->renamed[s->n++] = renamed;
}

static void unknown_options(void **state)
{
    json_t *v = json_loads("{\"alg\":\"RS256\",\"scope_matcher\":\"all\",\"@c\":1,"
                           "\"jwk-url\":\"x\",\"zzz\":1}",
                           0, NULL);
    struct seen s = {0};

    (void)state;
    gw_schema_unknown_options(S, "auth/validator", GW_SCHEMA_ENDPOINT, v, on_unknown, &s);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.keys[0], "scope_matcher");
    assert_string_equal(s.hints[0], "scopes_matcher");
    assert_false(s.renamed[0]);
    assert_string_equal(s.keys[1], "jwk-url");
    assert_string_equal(s.hints[1], "jwk_url");
    assert_true(s.renamed[1]);
    assert_string_equal(s.keys[2], "zzz");
    assert_string_equal(s.hints[2], "");
    /* namespaces whose options are not in the rules say nothing */
    s.n = 0;
    gw_schema_unknown_options(S, "backend/lambda", GW_SCHEMA_BACKEND, v, on_unknown, &s);
    assert_int_equal(s.n, 0);
    json_decref(v);
}

/* Lints text and checks that the report holds exactly the expected "pointer|line|message"
 * lines, in order. */
static void lint_is(const char *text, const char *const *want, size_t nwant)
{
    struct gw_lint_report rep;
    struct cmn_err err;
    char got[1024];

    assert_true(gw_schema_lint(S, text, strlen(text), &rep, &err));
    for (size_t i = 0; i < rep.n || i < nwant; i++) {
        if (i < rep.n)
            snprintf(got, sizeof(got), "%s|%d|%s", rep.items[i].pointer, rep.items[i].line,
                     rep.items[i].msg);
        if (i >= rep.n)
            fail_msg("missing issue %zu: %s", i, want[i]);
        if (i >= nwant)
            fail_msg("unexpected issue %zu: %s", i, got);
        if (strcmp(got, want[i]) != 0)
            fail_msg("issue %zu:\n want %s\n got  %s", i, want[i], got);
    }
    gw_lint_report_free(&rep);
}

#define LINT(text, ...)                                                                            \
    do {                                                                                           \
        const char *const w_[] = {__VA_ARGS__};                                                    \
        lint_is(text, w_, sizeof(w_) / sizeof(w_[0]));                                             \
    } while (0)

static void lint_valid(void **state)
{
    static const char ok[] =
        "{\"$schema\":\"https://www.krakend.io/schema/v2.13/krakend.json\",\"version\":3,\n"
        " \"port\":8080,\"timeout\":\"3s\",\"@comment\":\"x\",\n"
        " \"extra_config\":{\"router\":{\"return_error_msg\":true},"
        "\"security/cors\":{\"allow_origins\":[\"*\"],\"max_age\":\"12h\"}},\n"
        " \"endpoints\":[{\"endpoint\":\"/a\",\"method\":\"GET\",\n"
        "   \"extra_config\":{\"auth/validator\":{\"alg\":\"RS256\",\"jwk_url\":\"https://x\"},"
        "\"qos/ratelimit/router\":{\"max_rate\":10}},\n"
        "   \"backend\":[{\"url_pattern\":\"/b\",\"host\":[\"http://h\"],\n"
        "     \"extra_config\":{\"qos/circuit-breaker\":{\"interval\":60,\"timeout\":10,"
        "\"max_errors\":1},\"validation/cel\":[{\"check_expr\":\"true\"}]}}]}]}";
    struct gw_lint_report rep;
    struct cmn_err err;

    (void)state;
    assert_true(gw_schema_lint(S, ok, strlen(ok), &rep, &err));
    if (rep.n)
        fail_msg("%s: %s", rep.items[0].pointer, rep.items[0].msg);
    gw_lint_report_free(&rep);
    assert_false(gw_schema_lint(S, "{\"version\":", 11, &rep, &err));
    assert_non_null(strstr(err.msg, "invalid JSON at line 1"));
}

static void lint_typos(void **state)
{
    (void)state;
    /* the case: a misspelt validator protects nothing */
    LINT("{\"version\": 3,\n"
         " \"endpoints\": [{\"endpoint\": \"/private\",\n"
         "   \"extra_config\": {\"auth/validater\": {\"alg\": \"RS256\"}},\n"
         "   \"backend\": [{\"url_pattern\": \"/x\"}]}]}",
         "/endpoints/0/extra_config/auth~1validater|3|additional properties 'auth/validater' "
         "not allowed; did you mean 'auth/validator'? (a security feature: as written it "
         "protects nothing)");
    /* an option misspelt inside a namespace, a type, an enum, a duration, a range */
    LINT("{\"version\": 3, \"port\": \"8080\", \"timeout\": \"1.5s\",\n"
         " \"endpoints\": [{\"endpoint\": \"/a\", \"method\": \"get\",\n"
         "   \"extra_config\": {\"auth/validator\": {\"alg\": \"RS256\",\n"
         "      \"scope_matcher\": \"all\", \"cache_duration\": -1}},\n"
         "   \"backend\": [{\"url_pattern\": \"/x\", \"whitelist\": [\"a\"]}]}]}",
         "/port|1|got string, want integer",
         "/timeout|1|'1.5s' does not match pattern '^[0-9]+(ns|ms|us|\xc2\xb5s|s|m|h)$'",
         "/endpoints/0/method|2|value must be one of 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'; "
         "did you mean 'GET'?",
         "/endpoints/0/extra_config/auth~1validator/scope_matcher|4|additional properties "
         "'scope_matcher' not allowed; did you mean 'scopes_matcher'?",
         "/endpoints/0/extra_config/auth~1validator/cache_duration|4|minimum: got -1, want 0",
         "/endpoints/0/backend/0/whitelist|5|additional properties 'whitelist' not allowed; "
         "KrakenD 2 calls it 'allow'");
}

static void lint_structure(void **state)
{
    (void)state;
    /* missing keys, a constant, a namespace at the wrong level, a long name, an unknown one */
    LINT("{\"version\": 2,\n"
         " \"extra_config\": {\"qos/ratelimit/router\": {},\n"
         "   \"github_com/devopsfaith/krakend-gologging\": {\"level\": \"DEBUG\"},\n"
         "   \"my/own\": {}},\n"
         " \"endpoints\": [{\"endpoint\": \"/a\"}]}",
         "/version|1|value must be 3",
         "/extra_config/qos~1ratelimit~1router|2|additional properties 'qos/ratelimit/router' "
         "not allowed in the service's extra_config; it belongs in the extra_config of an "
         "endpoint",
         "/extra_config/github_com~1devopsfaith~1krakend-gologging|3|additional properties "
         "'github_com/devopsfaith/krakend-gologging' not allowed; KrakenD's schema only knows "
         "its short name 'telemetry/logging' (run accepts both)",
         "/extra_config/my~1own|4|additional properties 'my/own' not allowed: no such namespace",
         "/endpoints/0|5|missing property 'backend'");
    /* comment keys are allowed everywhere; open objects (json-schema) take anything */
    LINT("{\"version\": 3, \"_x\": 1, \"#y\": 2,\n"
         " \"endpoints\": [{\"endpoint\": \"/a\", \"@c\": 1, \"backend\": [{\"url_pattern\": "
         "\"/b\"}],\n"
         "   \"extra_config\": {\"validation/json-schema\": {\"type\": \"object\"},\n"
         "     \"proxy\": {\"shadow\": true}}}]}",
         "/endpoints/0/extra_config/proxy/shadow|4|additional properties 'shadow' not allowed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(namespaces),     cmocka_unit_test(unknown_options),
        cmocka_unit_test(lint_valid),     cmocka_unit_test(lint_typos),
        cmocka_unit_test(lint_structure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
