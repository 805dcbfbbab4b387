/* test_gw_cc_token.c - the client credentials exchange as x/oauth2 does it
 * (krakend-telemetry-validation.md §9): the options, the token request's form and Basic header,
 * and the token endpoint's answers read into tokens or oauth2's error texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_cc_token.h"

static void config(const char *json, struct gw_cc_config *c)
{
    json_error_t je;
    json_t *ns = json_loads(json, 0, &je);
    struct cmn_err err = {0};

    assert_non_null(ns);
    if (!gw_cc_config_parse(ns, c, &err))
        fail_msg("%s: %s", json, err.msg);
    json_decref(ns);
}

static void test_config(void **state)
{
    static const struct {
        const char *json, *err;
    } bad[] = {
        {"{\"client_id\":1}", "client_id is not a string"},
        {"{\"client_secret\":null}", "client_secret is not a string"},
        {"{\"is_disabled\":\"true\"}", "is_disabled is not a bool"},
        {"{\"scopes\":[\"a\"]}", "scopes is not a string"},
        {"{\"endpoint_params\":{\"audience\":\"x\"}}", "a list of strings"},
        {"{\"endpoint_params\":{\"audience\":[1]}}", "a list of strings"},
        {"{\"endpoint_params\":[]}", "endpoint_params is not an object"},
    };
    struct gw_cc_config c;

    (void)state;
    config("{\"client_id\":\"id\",\"scopes\":\"a,,b \",\"is_disabled\":true,"
           "\"endpoint_params\":{\"z\":[\"1\",\"2\"],\"a\":[]}}",
           &c);
    assert_true(c.disabled);
    assert_string_equal(c.client_secret, "");
    assert_int_equal(c.n_scopes, 3);
    assert_string_equal(c.scopes[2], "b "); /* not trimmed */
    assert_string_equal(c.params[0].key, "a");
    assert_int_equal(c.params[1].n_values, 2);
    gw_cc_config_free(&c);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_error_t je;
        json_t *ns = json_loads(bad[i].json, 0, &je);
        struct cmn_err err = {0};
        assert_false(gw_cc_config_parse(ns, &c, &err));
        if (!strstr(err.msg, bad[i].err))
            fail_msg("%s: %s", bad[i].json, err.msg);
        gw_cc_config_free(&c);
        json_decref(ns);
    }
}

static void test_request(void **state)
{
    static const struct {
        const char *json;
        enum gw_cc_style style;
        const char *body, *basic, *err;
    } rows[] = {
        /* no scopes still sends an empty scope (strings.Split("", ",") is [""]) */
        {"{\"client_id\":\"id\",\"client_secret\":\"s\"}", GW_CC_STYLE_HEADER,
         "grant_type=client_credentials&scope=", "Basic aWQ6cw==", NULL},
        {"{\"client_id\":\"i d\",\"client_secret\":\"s:&\",\"scopes\":\"a,b c\"}",
         GW_CC_STYLE_HEADER, "grant_type=client_credentials&scope=a+b+c",
         "Basic aStkOnMlM0ElMjY=", NULL},
        {"{\"client_id\":\"id\",\"client_secret\":\"s\",\"endpoint_params\":{\"audience\":"
         "[\"api://x\",\"y\"],\"client_id\":[\"p\"]}}",
         GW_CC_STYLE_PARAMS,
         "audience=api%3A%2F%2Fx&audience=y&client_id=id&client_secret=s&grant_type=client_"
         "credentials&scope=",
         NULL, NULL},
        /* an empty secret is not sent in the form; endpoint_params may override grant_type */
        {"{\"client_id\":\"id\",\"endpoint_params\":{\"grant_type\":[\"other\"]}}",
         GW_CC_STYLE_PARAMS, "client_id=id&grant_type=other&scope=", NULL, NULL},
        {"{\"endpoint_params\":{\"scope\":[\"x\"]}}", GW_CC_STYLE_HEADER, NULL, NULL,
         "oauth2: cannot overwrite parameter \"scope\""},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct gw_cc_config c;
        struct cmn_err err = {0};
        char *body, *basic;
        bool ok;
        config(rows[i].json, &c);
        ok = gw_cc_token_request(&c, rows[i].style, &body, &basic, &err);
        if (rows[i].err) {
            assert_false(ok);
            assert_string_equal(err.msg, rows[i].err);
        } else {
            assert_true(ok);
            assert_string_equal(body, rows[i].body);
            if (rows[i].basic)
                assert_string_equal(basic, rows[i].basic);
            else
                assert_null(basic);
            free(body);
            free(basic);
        }
        gw_cc_config_free(&c);
    }
}

struct answer {
    const char *name;
    long status;
    const char *line, *ct, *body;
    bool ok;
    const char *want; /* the Authorization value, or the error */
    int64_t expiry;   /* ms after now, 0 = never (success rows) */
};

static const struct answer ANSWERS[] = {
    {"json", 200, "200 OK", "application/json", "{\"access_token\":\"t\",\"expires_in\":3600}",
     true, "Bearer t", 3600000},
    {"json_types", 200, "200 OK", "application/json; charset=utf-8",
     "{\"Access_Token\":\"t\",\"token_type\":\"mAc\",\"expires_in\":\"60\"}", true, "MAC t", 60000},
    {"json_type_verbatim", 201, "201 Created", NULL,
     "{\"access_token\":\"t\",\"token_type\":\"DPoP\",\"expires_in\":0}", true, "DPoP t", 0},
    {"json_bearer_case", 200, "200 OK", NULL, "{\"access_token\":\"t\",\"token_type\":\"BEARER\"}",
     true, "Bearer t", 0},
    {"json_expires_capped", 200, "200 OK", NULL,
     "{\"access_token\":\"t\",\"expires_in\":9999999999}", true, "Bearer t", 2147483647000LL},
    {"json_expires_negative", 200, "200 OK", NULL, "{\"access_token\":\"t\",\"expires_in\":-5}",
     true, "Bearer t", -5000},
    {"json_null_fields", 200, "200 OK", NULL,
     "{\"access_token\":\"t\",\"token_type\":null,\"expires_in\":null}", true, "Bearer t", 0},
    {"form", 200, "200 OK", "application/x-www-form-urlencoded",
     "access_token=a%2Bb&token_type=basic&expires_in=x&access_token=second", true, "Basic a+b", 0},
    {"text_plain", 200, "200 OK", "Text/Plain", "expires_in=10&access_token=t", true, "Bearer t",
     10000},
    /* errors */
    {"oauth_error", 401, "401 Unauthorized", "application/json",
     "{\"error\":\"invalid_client\",\"error_description\":\"Bad \\\"client\\\"\\n\"}", false,
     "oauth2: \"invalid_client\" \"Bad \\\"client\\\"\\n\"", 0},
    {"oauth_error_200", 200, "200 OK", NULL,
     "{\"access_token\":\"t\",\"error\":\"e\",\"error_uri\":\"u\"}", false, "oauth2: \"e\" \"u\"",
     0},
    {"status_only", 503, "503 Service Unavailable", "text/html", "<h1>down</h1>", false,
     "oauth2: cannot fetch token: 503 Service Unavailable\nResponse: <h1>down</h1>", 0},
    {"status_bad_json", 400, "400 Bad Request", NULL, "nope", false,
     "oauth2: cannot fetch token: 400 Bad Request\nResponse: nope", 0},
    {"missing_token", 200, "200 OK", NULL, "{\"token_type\":\"bearer\"}", false,
     "oauth2: server response missing access_token", 0},
    {"null_body", 200, "200 OK", NULL, "null", false,
     "oauth2: server response missing access_token", 0},
    {"bad_json", 200, "200 OK", NULL, "{\"access_token\":", false,
     "oauth2: cannot parse json: ", 0},
    {"empty_json", 200, "200 OK", NULL, "", false,
     "oauth2: cannot parse json: unexpected end of JSON input", 0},
    {"array_json", 200, "200 OK", NULL, "[]", false,
     "oauth2: cannot parse json: json: cannot unmarshal array into Go value of type "
     "internal.tokenJSON",
     0},
    {"wrong_type", 200, "200 OK", NULL, "{\"access_token\":5}", false,
     "oauth2: cannot parse json: json: cannot unmarshal number into Go struct field "
     "tokenJSON.access_token of type string",
     0},
    {"expires_real", 200, "200 OK", NULL, "{\"access_token\":\"t\",\"expires_in\":1.5}", false,
     "oauth2: cannot parse json: strconv.ParseInt", 0},
    {"expires_bool", 200, "200 OK", NULL, "{\"access_token\":\"t\",\"expires_in\":true}", false,
     "oauth2: cannot parse json: json: cannot unmarshal bool into Go value of type json.Number", 0},
    {"form_bad_escape", 200, "200 OK", "application/x-www-form-urlencoded", "access_token=%zz",
     false, "oauth2: cannot parse response: invalid URL escape \"%zz\"", 0},
    {"form_semicolon", 200, "200 OK", "application/x-www-form-urlencoded", "a=1;b=2", false,
     "oauth2: cannot parse response: invalid semicolon separator in query", 0},
    {"form_error", 400, "400 Bad Request", "application/x-www-form-urlencoded",
     "error=invalid_scope", false, "oauth2: \"invalid_scope\"", 0},
};

static void test_answers(void **state)
{
    const int64_t now = 1700000000000;

    (void)state;
    for (size_t i = 0; i < sizeof(ANSWERS) / sizeof(ANSWERS[0]); i++) {
        const struct answer *a = &ANSWERS[i];
        struct gw_cc_http_res res = {a->status, a->line, a->ct, a->body, strlen(a->body), NULL};
        struct gw_cc_token t;
        struct cmn_err err = {0};
        bool ok = gw_cc_token_parse(&res, now, &t, &err);
        if (ok != a->ok)
            fail_msg("%s: ok=%d (%s)", a->name, ok, err.msg);
        if (ok) {
            char *v = gw_cc_auth_value(&t);
            if (strcmp(v, a->want) != 0)
                fail_msg("%s: %s", a->name, v);
            assert_int_equal(t.expiry_unix_ms, a->expiry ? now + a->expiry : 0);
            free(v);
            gw_cc_token_free(&t);
        } else if (strncmp(err.msg, a->want, strlen(a->want)) != 0) {
            fail_msg("%s: %s", a->name, err.msg);
        }
    }
}

static void test_transport_error_and_validity(void **state)
{
    struct gw_cc_http_res res = {0, NULL, NULL, NULL, 0, "Post \"http://x\": connection refused"};
    struct gw_cc_token t = {0};
    struct cmn_err err = {0};
    char tok[] = "t";

    (void)state;
    assert_false(gw_cc_token_parse(&res, 0, &t, &err));
    assert_string_equal(err.msg, "Post \"http://x\": connection refused");
    /* valid until 10 s before the expiry; no expiry: always */
    t.access_token = tok;
    t.expiry_unix_ms = 100000;
    assert_true(gw_cc_token_valid(&t, 90000));
    assert_false(gw_cc_token_valid(&t, 90001));
    t.expiry_unix_ms = 0;
    assert_true(gw_cc_token_valid(&t, INT64_MAX));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_transport_error_and_validity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
