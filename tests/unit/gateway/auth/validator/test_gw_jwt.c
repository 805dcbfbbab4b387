/* test_gw_jwt.c - the validation pipeline: RFC and KrakenD vectors, claims, and one regression
 * test per attack the JWT rules stop (test names say which). */
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

#define NOW 1700000000
#define HS_KEY "secret-secret-secret-secret-32!!"
#define HS_KID "h1"

static struct gw_validator_config *vc_from(const char *json)
{
    json_error_t je;
    json_t *o = json_loads(json, 0, &je);
    struct gw_validator_config *vc = NULL;
    struct cmn_err err = {0};

    assert_non_null(o);
    assert_int_equal(gw_validator_config_parse(o, "endpoints[0]", &vc, &err), GW_VC_OK);
    json_decref(o);
    assert_non_null(vc);
    return vc;
}

static struct gw_jwks *hs_keys(void)
{
    char doc[256], k[64];
    struct cmn_err err = {0};
    struct gw_jwks *set;

    cmn_b64url_encode(HS_KEY, strlen(HS_KEY), k);
    snprintf(doc, sizeof(doc), "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"%s\",\"k\":\"%s\"}]}", HS_KID,
             k);
    set = gw_jwks_parse(doc, strlen(doc), NULL, &err);
    assert_non_null(set);
    return set;
}

/* A test-local HS256 signer (nettle directly; the gateway has no signing code). */
static char *mint_hs(const char *alg, const char *header, const char *payload, const char *key)
{
    size_t hl = strlen(header), pl = strlen(payload);
    char *t = malloc(cmn_b64url_encoded_len(hl) + cmn_b64url_encoded_len(pl) + 100);
    size_t n;
    uint8_t mac[64];
    size_t mac_len = 32;

    assert_non_null(t);
    n = cmn_b64url_encode(header, hl, t);
    t[n++] = '.';
    n += cmn_b64url_encode(payload, pl, t + n);
    if (strcmp(alg, "HS512") == 0) {
        struct hmac_sha512_ctx c;
        hmac_sha512_set_key(&c, strlen(key), (const uint8_t *)key);
        hmac_sha512_update(&c, n, (const uint8_t *)t);
        hmac_sha512_digest(&c, 64, mac);
        mac_len = 64;
    } else {
        struct hmac_sha256_ctx c;
        hmac_sha256_set_key(&c, strlen(key), (const uint8_t *)key);
        hmac_sha256_update(&c, n, (const uint8_t *)t);
        hmac_sha256_digest(&c, 32, mac);
    }
    t[n++] = '.';
    cmn_b64url_encode(mac, mac_len, t + n);
    return t;
}

static char *mint(const char *payload)
{
    return mint_hs("HS256", "{\"alg\":\"HS256\",\"kid\":\"" HS_KID "\"}", payload, HS_KEY);
}

#define HS_VC "{\"alg\":\"HS256\",\"jwk_url\":\"https://idp/jwks\""

/* Validates token with config json and the HS key set at NOW; returns the result. */
static enum gw_jwt_result run(const char *vc_json, const char *token, struct gw_claims **out)
{
    struct gw_validator_config *vc = vc_from(vc_json);
    struct gw_jwks *keys = hs_keys();
    struct gw_claims *c = NULL;
    struct cmn_err err = {0};
    enum gw_jwt_result r = gw_jwt_validate(vc, token, strlen(token), keys, NOW, &c, &err);

    if (r != GW_JWT_OK)
        assert_null(c);
    if (out)
        *out = c;
    else
        gw_claims_unref(c);
    gw_jwks_unref(keys);
    gw_validator_config_destroy(vc);
    return r;
}

static enum gw_jwt_result run_payload(const char *vc_json, const char *payload)
{
    char *t = mint(payload);
    enum gw_jwt_result r = run(vc_json, t, NULL);

    free(t);
    return r;
}

static void test_hs256_round_trip(void **state)
{
    struct gw_claims *c = NULL;
    char *t = mint("{\"sub\":\"u1\",\"exp\":1700000100}");

    (void)state;
    assert_int_equal(run(HS_VC "}", t, &c), GW_JWT_OK);
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(gw_claims_json(c), "sub")), "u1");
    gw_claims_unref(c);
    free(t);
}

/* RFC 7515 A.1-A.4, RFC 7520 §4.1-4.4, RFC 8037 A.4: signatures through the JWS layer;
 * the gateway-level verdicts for none, JSON serialization, detached content and crit. */
static void test_rfc_vectors(void **state)
{
    size_t len = 0, i;
    char *data = tu_shared_read("vectors/rfc/rfc_vectors.json", &len);
    json_t *root, *v;
    int checked = 0;

    (void)state;
    assert_non_null(data);
    root = json_loadb(data, len, 0, NULL);
    assert_non_null(root);
    json_array_foreach(json_object_get(root, "vectors"), i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *ser = json_string_value(json_object_get(v, "serialization"));
        const char *alg = json_string_value(json_object_get(v, "alg"));
        const char *expect = json_string_value(json_object_get(v, "expect_signature"));
        json_t *jws = json_object_get(v, "jws");
        struct gw_jws_token t;
        struct cmn_err err = {0};
        enum gw_jws_status st;

        if (!json_is_string(jws)) { /* JSON serialization: never a JWT */
            char *s = json_dumps(jws, JSON_COMPACT);
            assert_int_equal(gw_jws_parse(s, strlen(s), &t, &err), GW_JWS_MALFORMED);
            free(s);
            checked++;
            continue;
        }
        st = gw_jws_parse(json_string_value(jws), json_string_length(jws), &t, &err);
        if (strcmp(ser, "compact-detached") == 0 || strcmp(alg, "none") == 0) {
            if (strcmp(id, "rfc7515-E") == 0)
                assert_int_equal(st, GW_JWS_MALFORMED); /* empty signature part */
            else
                assert_int_not_equal(st, GW_JWS_OK);
            checked++;
            continue;
        }
        assert_int_equal(st, GW_JWS_OK);
        {
            json_t *jwk = json_object_get(v, "jwk_public");
            struct gw_jwk *k = gw_jwk_from_json(jwk, &err);
            bool ok;
            assert_non_null(k);
            ok = gw_jws_verify(gw_jose_alg_from_name(alg), k, t.signing_input, t.signing_input_len,
                               t.sig, t.sig_len, &err) == GW_JWS_OK;
            if (ok != (strcmp(expect, "valid") == 0))
                print_message("RFC vector %s: got %d\n", id, ok);
            assert_true(ok == (strcmp(expect, "valid") == 0));
            gw_jwk_destroy(k);
        }
        gw_jws_token_free(&t);
        checked++;
    }
    assert_int_equal(checked, 36);
    json_decref(root);
    free(data);
}

/* RFC 7515 A.2 through the whole pipeline, before its exp (1300819380). */
static void test_rfc7515_a2_pipeline(void **state)
{
    size_t len = 0, i;
    char *data = tu_shared_read("vectors/rfc/rfc_vectors.json", &len);
    json_t *root = json_loadb(data, len, 0, NULL), *v;
    struct gw_validator_config *vc =
        vc_from("{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"issuer\":\"joe\"}");

    (void)state;
    json_array_foreach(json_object_get(root, "vectors"), i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        json_t *keys = json_pack("{s:[O]}", "keys", json_object_get(v, "jwk_public"));
        char *doc = json_dumps(keys, 0);
        struct cmn_err err = {0};
        struct gw_jwks *set;
        struct gw_claims *c = NULL;
        const char *tok = json_string_value(json_object_get(v, "jws"));
        if (strncmp(id, "rfc7515-A.2", 11) != 0) {
            json_decref(keys);
            free(doc);
            continue;
        }
        set = gw_jwks_parse(doc, strlen(doc), NULL, &err);
        assert_non_null(set);
        enum gw_jwt_result r = gw_jwt_validate(vc, tok, strlen(tok), set, 1300819000, &c, &err);
        assert_int_equal(r, strcmp(id, "rfc7515-A.2") == 0 ? GW_JWT_OK : GW_JWT_BAD_SIGNATURE);
        gw_claims_unref(c);
        /* after exp + leeway: expired */
        r = gw_jwt_validate(vc, tok, strlen(tok), set, 1300819382, &c, &err);
        if (strcmp(id, "rfc7515-A.2") == 0) {
            assert_int_equal(r, GW_JWT_EXPIRED);
            assert_string_equal(err.msg,
                                "go-jose/go-jose/jwt: validation failed, token is expired (exp)");
        }
        gw_jwks_unref(set);
        json_decref(keys);
        free(doc);
    }
    gw_validator_config_destroy(vc);
    json_decref(root);
    free(data);
}

/* krakend-ce's own jwt_1 (403) and jwt_3 (200) cases, tokens minted by KrakenD's signer. */
static void test_krakend_ce_jwt_specs(void **state)
{
    static const struct {
        const char *file;
        enum gw_jwt_result want;
    } cases[] = {{"jwt_1.json", GW_JWT_ROLES}, {"jwt_3.json", GW_JWT_OK}};
    size_t len;
    char *jwks = tu_shared_read("conformance/krakend-ce/mock-backend-jwk-symmetric.json", &len);
    struct cmn_err err = {0};
    struct gw_jwks *set = gw_jwks_parse(jwks, len, NULL, &err);
    struct gw_validator_config *vc = vc_from(
        "{\"alg\":\"HS256\",\"audience\":[\"http://api.example.com\"],\"roles_key\":\"roles\","
        "\"issuer\":\"https://krakend.io\",\"roles\":[\"role_a\",\"role_c\"],"
        "\"jwk_url\":\"http://127.0.0.1:8081/jwk/symmetric\",\"disable_jwk_security\":true}");

    (void)state;
    assert_non_null(set);
    for (size_t i = 0; i < 2; i++) {
        char path[512], *spec;
        json_t *j;
        const char *hdr, *tok;
        size_t tl;
        struct gw_claims *c = NULL;
        snprintf(path, sizeof(path), "conformance/krakend-ce/krakend-ce-specs/%s", cases[i].file);
        spec = tu_shared_read(path, &len);
        assert_non_null(spec);
        j = json_loadb(spec, len, 0, NULL);
        hdr = json_string_value(
            json_object_get(json_object_get(json_object_get(j, "in"), "header"), "authorization"));
        assert_int_equal(gw_jwt_extract(vc, hdr, NULL, &tok, &tl), GW_JWT_OK);
        assert_int_equal(gw_jwt_validate(vc, tok, tl, set, NOW, &c, &err), cases[i].want);
        assert_int_equal(
            gw_jwt_result_status(cases[i].want),
            json_integer_value(json_object_get(json_object_get(j, "out"), "status_code")));
        gw_claims_unref(c);
        json_decref(j);
        free(spec);
    }
    gw_validator_config_destroy(vc);
    gw_jwks_unref(set);
    free(jwks);
}

static void test_extraction(void **state)
{
    struct gw_validator_config *vc = vc_from(HS_VC ",\"cookie_key\":\"jwt\"}");
    struct gw_validator_config *dflt = vc_from(HS_VC "}");
    const char *t;
    size_t n;

    (void)state;
    assert_int_equal(gw_jwt_extract(vc, "Bearer abc", NULL, &t, &n), GW_JWT_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(t, "abc", 3);
    assert_int_equal(gw_jwt_extract(vc, "BEARER abc", NULL, &t, &n), GW_JWT_OK);
    assert_int_equal(n, 3);
    assert_int_equal(gw_jwt_extract(vc, "abc.def.ghi", NULL, &t, &n), GW_JWT_OK); /* raw */
    assert_int_equal(n, 11);
    assert_int_equal(gw_jwt_extract(vc, "Bearer ", NULL, &t, &n), GW_JWT_OK); /* not > 7 */
    assert_int_equal(n, 7);
    /* a header, even "Basic ...", wins over the cookie (no fallback) */
    assert_int_equal(gw_jwt_extract(vc, "Basic Zm9v", "jwt=tok", &t, &n), GW_JWT_OK);
    assert_memory_equal(t, "Basic Zm9v", n);
    assert_int_equal(gw_jwt_extract(vc, NULL, "a=b; jwt=tok1; c=d", &t, &n), GW_JWT_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(t, "tok1", 4);
    assert_int_equal(gw_jwt_extract(vc, "", "jwt=\"tok2\"", &t, &n), GW_JWT_OK);
    assert_memory_equal(t, "tok2", n);
    assert_int_equal(gw_jwt_extract(vc, NULL, "xjwt=tok; jwtx=tok", &t, &n), GW_JWT_NOT_FOUND);
    assert_int_equal(gw_jwt_extract(vc, NULL, NULL, &t, &n), GW_JWT_NOT_FOUND);
    /* default cookie name access_token (§4.3) */
    assert_int_equal(gw_jwt_extract(dflt, NULL, "access_token=zz", &t, &n), GW_JWT_OK);
    assert_memory_equal(t, "zz", 2);
    gw_validator_config_destroy(vc);
    gw_validator_config_destroy(dflt);
}

static void test_time_claims_and_leeway(void **state)
{
    char p[256];

    (void)state;
    /* exp: refused once now - leeway(1 s) > exp */
    snprintf(p, sizeof(p), "{\"exp\":%d}", NOW - 1);
    assert_int_equal(run_payload(HS_VC "}", p), GW_JWT_OK);
    snprintf(p, sizeof(p), "{\"exp\":%d}", NOW - 2);
    assert_int_equal(run_payload(HS_VC "}", p), GW_JWT_EXPIRED);
    assert_int_equal(run_payload(HS_VC ",\"leeway\":\"1m\"}", p), GW_JWT_OK);
    assert_int_equal(run_payload(HS_VC ",\"leeway\":\"10ms\"}", p), GW_JWT_EXPIRED);
    snprintf(p, sizeof(p), "{\"exp\":%d.9}", NOW - 2); /* truncated to whole seconds */
    assert_int_equal(run_payload(HS_VC "}", p), GW_JWT_EXPIRED);
    /* nbf / iat in the future beyond leeway */
    snprintf(p, sizeof(p), "{\"nbf\":%d}", NOW + 1);
    assert_int_equal(run_payload(HS_VC "}", p), GW_JWT_OK);
    snprintf(p, sizeof(p), "{\"nbf\":%d}", NOW + 2);
    assert_int_equal(run_payload(HS_VC "}", p), GW_JWT_NOT_YET_VALID);
    snprintf(p, sizeof(p), "{\"iat\":%d}", NOW + 2);
    assert_int_equal(run_payload(HS_VC "}", p), GW_JWT_ISSUED_IN_FUTURE);
    /* no exp: never expires (KrakenD) */
    assert_int_equal(run_payload(HS_VC "}", "{}"), GW_JWT_OK);
}

/* exp/nbf/iat must be numbers when present (RFC 7519 §2 NumericDate). */
static void test_claim_types_refused(void **state)
{
    static const char *const bad[] = {
        "{\"exp\":\"9999999999\"}",
        "{\"nbf\":null}",
        "{\"iat\":true}",
        "{\"iss\":5}",
        "{\"sub\":[\"a\"]}",
        "{\"jti\":{}}",
        "{\"aud\":5}",
        "{\"aud\":[\"a\",1]}",
        "[1,2]",
        "\"str\"",
        "{\"a\":1,\"a\":2}",
        "{\"a\":1} x",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(run_payload(HS_VC "}", bad[i]), GW_JWT_BAD_CLAIMS);
}

static void test_issuer_and_audience(void **state)
{
    (void)state;
    assert_int_equal(run_payload(HS_VC ",\"issuer\":\"https://idp\"}", "{\"iss\":\"https://idp\"}"),
                     GW_JWT_OK);
    assert_int_equal(
        run_payload(HS_VC ",\"issuer\":\"https://idp\"}", "{\"iss\":\"https://idp/\"}"),
        GW_JWT_ISSUER);
    assert_int_equal(run_payload(HS_VC ",\"issuer\":\"https://idp\"}", "{}"), GW_JWT_ISSUER);
    /* every configured audience must be present; aud string or array */
    assert_int_equal(run_payload(HS_VC ",\"audience\":[\"a\"]}", "{\"aud\":\"a\"}"), GW_JWT_OK);
    assert_int_equal(
        run_payload(HS_VC ",\"audience\":[\"a\",\"b\"]}", "{\"aud\":[\"b\",\"x\",\"a\"]}"),
        GW_JWT_OK);
    assert_int_equal(run_payload(HS_VC ",\"audience\":[\"a\",\"b\"]}", "{\"aud\":[\"a\"]}"),
                     GW_JWT_AUDIENCE);
    assert_int_equal(run_payload(HS_VC ",\"audience\":[\"a\"]}", "{}"), GW_JWT_AUDIENCE);
}

/* §4.5: roles (any), nested roles, scopes any/all, string and array forms. */
static void test_roles_and_scopes(void **state)
{
    (void)state;
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"a\",\"b\"]}", "{\"roles\":[\"x\",\"b\"]}"),
                     GW_JWT_OK);
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"a\"]}", "{\"roles\":\"x a\"}"), GW_JWT_OK);
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"a\"]}", "{\"roles\":\"x  ab\"}"),
                     GW_JWT_ROLES);
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"A\"]}", "{\"roles\":[\"a\"]}"), GW_JWT_ROLES);
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"a\"]}", "{\"roles\":5}"), GW_JWT_ROLES);
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"a\"]}", "{\"roles\":[]}"), GW_JWT_ROLES);
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"a\"]}", "{}"), GW_JWT_ROLES);
    assert_int_equal(
        run_payload(HS_VC ",\"roles\":[\"a\"],\"roles_key\":\"r\"}", "{\"r\":[\"a\"]}"), GW_JWT_OK);
    /* nested only with roles_key_is_nested; literal key otherwise */
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"a\"],\"roles_key\":\"realm_access.roles\"}",
                                 "{\"realm_access\":{\"roles\":[\"a\"]}}"),
                     GW_JWT_ROLES);
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"a\"],\"roles_key\":\"realm_access.roles\","
                                       "\"roles_key_is_nested\":true}",
                                 "{\"realm_access\":{\"roles\":[\"a\"]}}"),
                     GW_JWT_OK);
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"a\"],\"roles_key\":\"realm_access.roles\","
                                       "\"roles_key_is_nested\":true}",
                                 "{\"realm_access\":[1]}"),
                     GW_JWT_ROLES);
    /* http... keys are literal even when nested is on */
    assert_int_equal(run_payload(HS_VC ",\"roles\":[\"a\"],\"roles_key\":\"http://x.io/roles\","
                                       "\"roles_key_is_nested\":true}",
                                 "{\"http://x.io/roles\":[\"a\"]}"),
                     GW_JWT_OK);
    /* scopes need scopes_key */
    assert_int_equal(run_payload(HS_VC ",\"scopes\":[\"a\"]}", "{}"), GW_JWT_OK);
    assert_int_equal(run_payload(HS_VC ",\"scopes\":[\"a\",\"b\"],\"scopes_key\":\"scope\"}",
                                 "{\"scope\":\"b c\"}"),
                     GW_JWT_OK);
    assert_int_equal(run_payload(HS_VC ",\"scopes\":[\"a\",\"b\"],\"scopes_key\":\"scope\","
                                       "\"scopes_matcher\":\"all\"}",
                                 "{\"scope\":\"b c\"}"),
                     GW_JWT_SCOPES);
    assert_int_equal(run_payload(HS_VC ",\"scopes\":[\"a\",\"b\"],\"scopes_key\":\"scope\","
                                       "\"scopes_matcher\":\"all\"}",
                                 "{\"scope\":[\"b\",\"a\"]}"),
                     GW_JWT_OK);
    assert_int_equal(run_payload(HS_VC ",\"scopes\":[\"a\"],\"scopes_key\":\"data.scope\"}",
                                 "{\"data\":{\"scope\":\"a\"}}"),
                     GW_JWT_OK);
    assert_int_equal(run_payload(HS_VC ",\"scopes\":[\"a\"],\"scopes_key\":\"data.scope\"}",
                                 "{\"data.scope\":\"a\"}"),
                     GW_JWT_SCOPES);
    assert_int_equal(
        run_payload(HS_VC ",\"scopes\":[\"a\"],\"scopes_key\":\"scope\"}", "{\"scope\":[]}"),
        GW_JWT_SCOPES);
    assert_int_equal(gw_jwt_result_status(GW_JWT_SCOPES), 403);
    assert_int_equal(gw_jwt_result_status(GW_JWT_ROLES), 403);
    assert_int_equal(gw_jwt_result_status(GW_JWT_EXPIRED), 401);
}

struct seen {
    char headers[8][64];
    char values[8][256];
    size_t counts[8];
    size_t n;
};

static void collect(void *ctx, const char *header, const char *const *values, size_t n)
{
    struct seen *s = ctx;

    assert_true(s->n < 8);
    snprintf(s->headers[s->n], 64, "%s", header);
    s->values[s->n][0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(s->values[s->n]);
        snprintf(s->values[s->n] + l, 256 - l, "%s%s", i ? "|" : "", values[i]);
    }
    s->counts[s->n++] = n;
}

/* §4.7 conversions (krakend-jose TestUnmarshalDataTypesGetClaim / CalculateHeadersToPropagate) */
static void test_claim_values(void **state)
{
    static const struct {
        const char *json, *want;
    } cases[] = {
        {"\"foo\"", "foo"},
        {"4.0000001", "4"},
        {"1651529725", "1651529725"},
        {"-42.42", "-42.420000"},
        {"[\"item 1\",\"item-2\",1,-2,2.99,-3.01]", "item 1,item-2,1,-2,2.99,-3.01"},
        {"[]", ""},
        {"{\"c\":[\"one\",\"two\"],\"b\":\"foo\",\"a\":1}",
         "{\"a\":1,\"b\":\"foo\",\"c\":[\"one\",\"two\"]}"},
        {"true", "true"},
        {"false", "false"},
        {"null", "null"},
        {"[1e6,1234567,0.0001,0.00001,100000,true,null]",
         "1e+06,1.234567e+06,0.0001,1e-05,100000,true,<nil>"},
        {"[[\"a\",1],{\"k\":\"v\"}]", "[a 1],map[k:v]"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        char *s = gw_claims_value_text(v);
        assert_non_null(s);
        assert_string_equal(s, cases[i].want);
        free(s);
        json_decref(v);
    }
    assert_null(gw_claims_value_text(NULL));
}

static void test_propagation(void **state)
{
    struct gw_claims *c = NULL;
    char *t = mint("{\"sub\":\"u1\",\"realm\":{\"roles\":[\"a\",\"b\"]},\"n\":3,"
                   "\"http://x.io/c\":\"cv\",\"arr\":[\"x\",\"y\"]}");
    const char *cfg =
        HS_VC ",\"propagate_claims\":[[\"sub\",\"x-user\"],[\"realm.roles\",\"x-roles\"],"
              "[\"missing\",\"x-missing\"],[\"n\",\"x-n\"],[\"bad\"],"
              "[\"http://x.io/c\",\"x-c\"],[\"arr\",\"x-arr\"]]";
    struct gw_validator_config *vc;
    struct seen s;
    char full[512];
    char *url;

    (void)state;
    snprintf(full, sizeof(full), "%s}", cfg);
    assert_int_equal(run(full, t, &c), GW_JWT_OK);
    vc = vc_from(full);
    assert_int_equal(vc->n_propagate_claims, 6); /* the 1-tuple is skipped */
    memset(&s, 0, sizeof(s));
    assert_true(gw_claims_propagate(c, vc, collect, &s));
    assert_int_equal(s.n, 6);
    assert_string_equal(s.headers[0], "x-user");
    assert_string_equal(s.values[0], "u1");
    assert_string_equal(s.values[1], "a,b");
    assert_string_equal(s.headers[2], "x-missing");
    assert_string_equal(s.values[2], ""); /* overwrite what the client sent */
    assert_string_equal(s.values[3], "3");
    assert_string_equal(s.values[4], "cv");
    assert_string_equal(s.values[5], "x,y");
    gw_validator_config_destroy(vc);
    /* _preserve_array: one value per element */
    snprintf(full, sizeof(full), "%s,\"propagate_claims_preserve_array\":true}", cfg);
    vc = vc_from(full);
    memset(&s, 0, sizeof(s));
    assert_true(gw_claims_propagate(c, vc, collect, &s));
    assert_int_equal(s.counts[1], 2);
    assert_string_equal(s.values[1], "a|b");
    assert_int_equal(s.counts[2], 1);
    assert_string_equal(s.values[5], "x|y");
    gw_validator_config_destroy(vc);
    /* {JWT.claim}: top-level only */
    url = gw_claims_url_param(c, "sub");
    assert_string_equal(url, "u1");
    free(url);
    url = gw_claims_url_param(c, "http://x.io/c");
    assert_string_equal(url, "cv");
    free(url);
    assert_null(gw_claims_url_param(c, "realm.roles"));
    assert_null(gw_claims_url_param(c, "nope"));
    gw_claims_unref(c);
    free(t);
}

static void test_log_text(void **state)
{
    struct cmn_err err = {0};
    char buf[256];
    char *t = mint("{}");
    struct gw_validator_config *vc = vc_from("{\"alg\":\"RS256\",\"jwk_url\":\"https://x\"}");
    struct gw_jwks *keys = hs_keys();
    struct gw_claims *c = NULL;

    (void)state;
    assert_int_equal(gw_jwt_validate(vc, t, strlen(t), keys, NOW, &c, &err), GW_JWT_ALG_MISMATCH);
    assert_string_equal(gw_jwt_log_text(GW_JWT_ALG_MISMATCH, &err, buf, sizeof(buf)),
                        "Unable to validate the token: algorithm is invalid");
    assert_int_equal(gw_jwt_validate(vc, "", 0, keys, NOW, &c, &err), GW_JWT_NOT_FOUND);
    assert_string_equal(gw_jwt_log_text(GW_JWT_NOT_FOUND, &err, buf, sizeof(buf)),
                        "Unable to validate the token: Token not found");
    assert_string_equal(gw_jwt_log_text(GW_JWT_ROLES, &err, buf, sizeof(buf)),
                        "Token sent by client does not have sufficient roles");
    gw_validator_config_destroy(vc);
    vc = vc_from(HS_VC "}");
    free(t);
    t = mint_hs("HS256", "{\"alg\":\"HS256\",\"kid\":\"other\"}", "{}", HS_KEY);
    assert_int_equal(gw_jwt_validate(vc, t, strlen(t), keys, NOW, &c, &err), GW_JWT_UNKNOWN_KEY);
    assert_string_equal(err.msg, "no Keys have been found");
    assert_true(gw_jwt_result_wants_refetch(GW_JWT_UNKNOWN_KEY));
    assert_int_equal(gw_jwt_validate(vc, t, strlen(t), NULL, NOW, &c, &err), GW_JWT_NO_KEYS);
    /* no key set yet: the fetcher retries by itself, the request must not spend the cooldown */
    assert_false(gw_jwt_result_wants_refetch(GW_JWT_NO_KEYS));
    assert_false(gw_jwt_result_wants_refetch(GW_JWT_EXPIRED));
    gw_validator_config_destroy(vc);
    gw_jwks_unref(keys);
    free(t);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest own[] = {
        cmocka_unit_test(test_hs256_round_trip),    cmocka_unit_test(test_extraction),
        cmocka_unit_test(test_time_claims_and_leeway),
        cmocka_unit_test(test_claim_types_refused), cmocka_unit_test(test_issuer_and_audience),
        cmocka_unit_test(test_roles_and_scopes),    cmocka_unit_test(test_claim_values),
        cmocka_unit_test(test_propagation),         cmocka_unit_test(test_log_text),
    };
    /* RFC 7515/7520/8037 examples and KrakenD CE's jwt cases, read from ../shared */
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(test_rfc_vectors),
        cmocka_unit_test(test_rfc7515_a2_pipeline),
        cmocka_unit_test(test_krakend_ce_jwt_specs),
    };
    return tu_run(argc, argv, own, TU_COUNT(own), shared, TU_COUNT(shared));
}
