/* test_mt_token.c - form parsing, scope filtering, claims, signing round trip, the token
 * endpoint's errors in spec §8 order, management authorisation, and configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_b64.h"
#include "mt_config.h"
#include "mt_token.h"

#define NOW 1800000000
#define ISS "https://localhost:8090"

static struct mt_store store;
static struct mt_keyring keys;

static int setup(void **state)
{
    struct cmn_err err = {0};
    struct mt_key *k;

    (void)state;
    mt_store_init(&store);
    mt_keyring_init(&keys);
    if (!mt_store_bootstrap(&store, ISS, "admin", "secret", NOW, &err))
        return -1;
    k = mt_key_generate("test", NOW, &err);
    if (!k)
        return -1;
    keys.keys[keys.n++] = k;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mt_store_free(&store);
    mt_keyring_free(&keys);
    return 0;
}

static void form(void **state)
{
    struct mt_form f;
    const char *ok = "grant_type=client_credentials&scope=a+b%20c&&empty=&x";

    (void)state;
    assert_true(mt_form_parse(&f, ok, strlen(ok)));
    assert_string_equal(mt_form_get(&f, "scope"), "a b c");
    assert_string_equal(mt_form_get(&f, "empty"), "");
    assert_string_equal(mt_form_get(&f, "x"), "");
    assert_null(mt_form_get(&f, "nope"));
    mt_form_free(&f);
    assert_false(mt_form_parse(&f, "a=%zz", 5));
    mt_form_free(&f);
    assert_false(mt_form_parse(&f, "a=%00", 5)); /* NUL inside a value */
    mt_form_free(&f);
}

static void scope_filter(void **state)
{
    json_t *held = json_pack("[s,s,s]", "a:read", "b", "system");
    json_t *g;
    char many[2048] = "";

    (void)state;
    g = mt_scope_filter("  b nope a:read b  a:read ", held);
    assert_int_equal(json_array_size(g), 2);
    assert_string_equal(json_string_value(json_array_get(g, 0)), "b");
    assert_string_equal(json_string_value(json_array_get(g, 1)), "a:read");
    json_decref(g);
    g = mt_scope_filter("A:READ a", held); /* exact, case-sensitive matches only */
    assert_int_equal(json_array_size(g), 0);
    json_decref(g);
    g = mt_scope_filter(NULL, held);
    assert_int_equal(json_array_size(g), 0);
    json_decref(g);
    for (int i = 0; i <= MT_MAX_SCOPES; i++) {
        many[2 * i] = 's';
        many[2 * i + 1] = ' ';
    }
    assert_null(mt_scope_filter(many, held));
    json_decref(held);
}

static void claims(void **state)
{
    json_t *app = json_pack("{s:s, s:s, s:s}", "id", "app-1", "clientId", "cid", "ouId", "ou-1");
    json_t *ou = json_pack("{s:s, s:s}", "handle", "default", "name", "Default");
    json_t *granted = json_pack("[s,s]", "a", "b"), *aud = json_pack("[s]", "https://api");
    json_t *c = mt_token_claims(ISS, app, ou, granted, aud, NOW, 600, "jti-1");
    char *s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);

    (void)state;
    assert_string_equal(s, "{\"aud\":\"https://api\",\"client_id\":\"cid\",\"exp\":1800000600,"
                           "\"grant_type\":\"client_credentials\",\"iat\":1800000000,\"iss\":"
                           "\"https://localhost:8090\",\"jti\":\"jti-1\",\"nbf\":1800000000,"
                           "\"ouHandle\":\"default\",\"ouId\":\"ou-1\",\"ouName\":\"Default\","
                           "\"scope\":\"a b\",\"sub\":\"app-1\"}");
    free(s);
    json_decref(c);
    json_array_append_new(aud, json_string("https://other"));
    json_array_clear(granted);
    c = mt_token_claims(ISS, app, ou, granted, aud, NOW, 600, "jti-1");
    assert_true(json_is_array(json_object_get(c, "aud")));
    assert_null(json_object_get(c, "scope")); /* no scope survives: no claim */
    json_decref(c);
    json_decref(app);
    json_decref(ou);
    json_decref(granted);
    json_decref(aud);
}

static void sign_and_verify(void **state)
{
    struct mt_oauth_ctx c = {&store, &keys, ISS, false, NOW};
    json_t *cl = json_pack("{s:s, s:I, s:I, s:s}", "iss", ISS, "exp", (json_int_t)NOW + 60, "nbf",
                           (json_int_t)NOW, "sub", MT_ID_ADMIN_APP);
    char *tok = mt_jwt_sign(&keys, cl), *bad;
    unsigned char hdr[256];
    size_t n;
    json_t *v;

    (void)state;
    assert_non_null(tok);
    assert_true(cmn_b64url_decode(tok, strchr(tok, '.') - tok, hdr, &n));
    hdr[n] = '\0';
    assert_non_null(strstr((char *)hdr, "\"typ\":\"at+jwt\""));
    assert_non_null(strstr((char *)hdr, mt_key_kid(keys.keys[0])));
    v = mt_token_verify(&c, tok);
    assert_non_null(v);
    json_decref(v);
    c.now = NOW + 60; /* exp is exclusive */
    assert_null(mt_token_verify(&c, tok));
    c.now = NOW;
    c.issuer = "https://elsewhere";
    assert_null(mt_token_verify(&c, tok));
    c.issuer = ISS;
    bad = strdup(tok);
    bad[strlen(bad) - 2] = bad[strlen(bad) - 2] == 'A' ? 'B' : 'A';
    assert_null(mt_token_verify(&c, bad));
    free(bad);
    assert_null(mt_token_verify(&c, "a.b"));
    assert_null(mt_token_verify(&c, "a.b.c.d"));
    free(tok);
    json_decref(cl);
}

/* Runs the token endpoint on a form body (and optional Authorization header). */
static json_t *token(bool strict, const char *auth, const char *body, unsigned *status, bool *basic)
{
    struct mt_oauth_ctx c = {&store, &keys, ISS, strict, NOW};
    struct mt_oauth_req r = {auth, "application/x-www-form-urlencoded", body, strlen(body)};
    struct mt_oauth_reply out;

    mt_oauth_token(&c, &r, &out);
    *status = out.status;
    *basic = out.www_basic;
    return out.body;
}

static void token_errors(void **state)
{
    static const struct {
        bool strict;
        const char *auth, *body;
        unsigned status;
        const char *error;
        bool basic;
    } cases[] = {
        {false, NULL, "grant_type=client_credentials", 400, "invalid_request", false},
        {false, NULL, "grant_type=client_credentials&client_id=x&client_secret=y", 401,
         "invalid_client", false},
        {false, "Basic YWRtaW46d3Jvbmc=", "grant_type=client_credentials", 401, "invalid_client",
         true},
        {false, "Basic !!!", "grant_type=client_credentials", 401, "invalid_client", true},
        {false, "Basic YWRtaW46c2VjcmV0", "grant_type=client_credentials&client_secret=x", 400,
         "invalid_request", false},
        {false, "Basic YWRtaW46c2VjcmV0", "grant_type=client_credentials&client_id=other", 400,
         "invalid_request", false},
        {false, NULL, "client_id=admin&client_secret=secret", 400, "invalid_request", false},
        {false, NULL, "grant_type=password&client_id=admin&client_secret=secret", 400,
         "unsupported_grant_type", false},
        {false, NULL, "grant_type=refresh_token&client_id=admin&client_secret=secret", 400,
         "unauthorized_client", false},
        {false, NULL, "grant_type=client_credentials&client_id=admin", 400, "unauthorized_client",
         false},
        {true, NULL, "grant_type=client_credentials&client_id=admin&client_secret=secret", 400,
         "unauthorized_client", false},
        /* strict: the method is checked before the secret */
        {true, NULL, "grant_type=client_credentials&client_id=admin&client_secret=wrong", 400,
         "unauthorized_client", false},
        {false, NULL, "grant_type=client_credentials&client_id=admin&client_secret=secret", 200,
         NULL, false},
        {true, "Basic YWRtaW46c2VjcmV0", "grant_type=client_credentials", 200, NULL, false},
    };
    unsigned status;
    bool basic;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *b = token(cases[i].strict, cases[i].auth, cases[i].body, &status, &basic);
        assert_int_equal(status, cases[i].status);
        assert_int_equal(basic, cases[i].basic);
        if (cases[i].error)
            assert_string_equal(json_string_value(json_object_get(b, "error")), cases[i].error);
        else
            assert_non_null(json_object_get(b, "access_token"));
        json_decref(b);
    }
}

static void authorize(void **state)
{
    struct mt_oauth_ctx c = {&store, &keys, ISS, false, NOW};
    unsigned status;
    bool basic;
    char hdr[4096];
    json_t *b = token(false, NULL,
                      "grant_type=client_credentials&client_id=admin&client_secret=secret&"
                      "scope=system+other",
                      &status, &basic);

    (void)state;
    assert_string_equal(json_string_value(json_object_get(b, "scope")), "system");
    snprintf(hdr, sizeof(hdr), "Bearer %s", json_string_value(json_object_get(b, "access_token")));
    json_decref(b);
    assert_int_equal(mt_token_authorize(&c, hdr, "system"), MT_E_OK);
    assert_int_equal(mt_token_authorize(&c, hdr, "system:ou:view"), MT_E_OK);
    assert_int_equal(mt_token_authorize(&c, hdr, "systemx"), MT_E_AUTH_FORBIDDEN);
    assert_int_equal(mt_token_authorize(&c, NULL, "system"), MT_E_AUTH_UNAUTHORIZED);
    assert_int_equal(mt_token_authorize(&c, "Basic x", "system"), MT_E_AUTH_UNAUTHORIZED);
    assert_true(mt_perm_covers("system:ou", "system:ou:view"));
    assert_false(mt_perm_covers("system:o", "system:ou:view"));
    assert_false(mt_perm_covers("", "system"));
}

static const char *fake_env(const char *name)
{
    if (!strcmp(name, "THUNDER_PORT"))
        return "9000";
    if (!strcmp(name, "THUNDER_ADMIN_CLIENT_ID"))
        return "env-id";
    if (!strcmp(name, "THUNDER_HOSTNAME"))
        return "a.example,b.example";
    if (!strcmp(name, "THUNDER_EPHEMERAL"))
        return "true";
    return NULL;
}

static void config(void **state)
{
    struct mt_config c;
    struct cmn_err err = {0};
    char a[9][32] = {"mt",         "--port=7000", "--admin-client-id",
                     "flag-id",    "--issuer",    "https://idp.example:7000/",
                     "--data-dir", "d",           "--help"};
    char *argv1[] = {a[0], a[1], a[2], a[3], a[4], a[5], NULL};
    char *argv2[] = {a[0], a[6], a[7], NULL};
    char c3[2][16] = {"--cert", "c.pem"};
    char *argv3[] = {a[0], c3[0], c3[1], NULL};
    char *argv4[] = {a[0], a[8], NULL};

    (void)state;
    assert_int_equal(mt_config_parse(&c, 6, argv1, fake_env, &err), MT_CONFIG_OK);
    assert_int_equal(c.port, 7000);                    /* flag beats THUNDER_PORT */
    assert_string_equal(c.admin_client_id, "flag-id"); /* flag beats the variable */
    assert_string_equal(c.admin_client_secret, "thunder-admin-secret");
    assert_string_equal(c.issuer, "https://idp.example:7000"); /* no trailing slash */
    assert_int_equal(c.n_hostnames, 2);
    assert_true(c.ephemeral);
    assert_null(c.data_dir);
    mt_config_free(&c);
    assert_int_equal(mt_config_parse(&c, 3, argv2, fake_env, &err), MT_CONFIG_OK);
    assert_false(c.ephemeral); /* --data-dir beats THUNDER_EPHEMERAL */
    assert_string_equal(c.data_dir, "d");
    assert_int_equal(c.port, 9000);
    mt_config_free(&c);
    assert_int_equal(mt_config_parse(&c, 3, argv3, NULL, &err), MT_CONFIG_ERROR);
    assert_string_equal(err.msg, "--cert and --key go together");
    mt_config_free(&c);
    assert_int_equal(mt_config_parse(&c, 2, argv4, NULL, &err), MT_CONFIG_HELP);
    mt_config_free(&c);
    assert_int_equal(mt_config_parse(&c, 1, argv4, NULL, &err), MT_CONFIG_OK);
    assert_string_equal(c.data_dir, "thunder-data");
    assert_true(c.admin_from_defaults);
    mt_config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(form),         cmocka_unit_test(scope_filter),
        cmocka_unit_test(claims),       cmocka_unit_test(sign_and_verify),
        cmocka_unit_test(token_errors), cmocka_unit_test(authorize),
        cmocka_unit_test(config),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
