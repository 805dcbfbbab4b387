/* fuzz_token.c - libFuzzer target for the token path: compact JWS parsing, header checks,
 * verification for each algorithm family, and (through a fuzzer-side HMAC signature) claims
 * checks, roles/scopes, propagation and claim rendering. */
#include "cmn_b64.h"
#include "gw_claims.h"
#include "gw_jwk.h"
#include "gw_jws.h"
#include "gw_jwt.h"
#include "gw_validator_config.h"

#include <nettle/hmac.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HS_KEY "secret-secret-secret-secret-32!!"

static const char JWKS[] = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h1\",\"k\":"
                           "\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyISE\"},"
                           "{\"kty\":\"EC\",\"kid\":\"e1\",\"crv\":\"P-256\",\"x\":"
                           "\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                           "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
                           "{\"kty\":\"OKP\",\"kid\":\"o1\",\"crv\":\"Ed25519\",\"x\":"
                           "\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"},"
                           "{\"kty\":\"RSA\",\"kid\":\"r1\",\"e\":\"AQAB\",\"n\":"
                           "\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0"
                           "l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-"
                           "pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9"
                           "wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
                           "UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5"
                           "ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
                           "h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\"}]}";

static const char *const CONFIGS[] = {
    "{\"alg\":\"HS256\",\"jwk_url\":\"https://x\",\"issuer\":\"i\",\"audience\":[\"a\"],"
    "\"roles\":[\"r\"],\"roles_key\":\"realm.roles\",\"roles_key_is_nested\":true,"
    "\"scopes\":[\"s\",\"t\"],\"scopes_key\":\"d.scope\",\"scopes_matcher\":\"all\","
    "\"propagate_claims\":[[\"sub\",\"x-sub\"],[\"realm.roles\",\"x-r\"],[\"o\",\"x-o\"]],"
    "\"propagate_claims_preserve_array\":true}",
    "{\"alg\":\"ES256\",\"jwk_url\":\"https://x\",\"key_identify_strategy\":\"kid_x5t\"}",
    "{\"alg\":\"EdDSA\",\"jwk_url\":\"https://x\"}",
    "{\"alg\":\"RS256\",\"jwk_url\":\"https://x\",\"key_identify_strategy\":\"x5t\"}",
    "{\"alg\":\"PS256\",\"jwk_url\":\"https://x\"}",
};
#define N_CONFIGS (sizeof(CONFIGS) / sizeof(CONFIGS[0]))

static struct gw_validator_config *vcs[N_CONFIGS];
static struct gw_jwks *keys;

static void init(void)
{
    struct cmn_err err;

    keys = gw_jwks_parse(JWKS, strlen(JWKS), NULL, &err);
    for (size_t i = 0; i < N_CONFIGS; i++) {
        json_t *o = json_loads(CONFIGS[i], 0, NULL);
        if (gw_validator_config_parse(o, "fuzz", &vcs[i], &err) != GW_VC_OK)
            abort();
        json_decref(o);
    }
    if (!keys || gw_jwks_count(keys) != 4)
        abort();
}

static void sink(void *ctx, const char *header, const char *const *values, size_t n)
{
    size_t *total = ctx;

    *total += strlen(header);
    for (size_t i = 0; i < n; i++)
        *total += strlen(values[i]);
}

static void use_claims(const struct gw_validator_config *vc, struct gw_claims *c)
{
    size_t total = 0;
    char *s;

    if (!c)
        return;
    gw_claims_propagate(c, vc, sink, &total);
    s = gw_claims_url_param(c, "sub");
    free(s);
    gw_claims_unref(c);
}

/* Signs the fuzzer's bytes as a payload so the claims code is reached. */
static char *sign_payload(const uint8_t *data, size_t size)
{
    static const char HDR[] = "{\"alg\":\"HS256\",\"kid\":\"h1\"}";
    char *t = malloc(cmn_b64url_encoded_len(sizeof(HDR) - 1) + cmn_b64url_encoded_len(size) + 64);
    struct hmac_sha256_ctx c;
    uint8_t mac[32];
    size_t n;

    if (!t)
        return NULL;
    n = cmn_b64url_encode(HDR, sizeof(HDR) - 1, t);
    t[n++] = '.';
    n += cmn_b64url_encode(data, size, t + n);
    hmac_sha256_set_key(&c, strlen(HS_KEY), (const uint8_t *)HS_KEY);
    hmac_sha256_update(&c, n, (const uint8_t *)t);
    hmac_sha256_digest(&c, 32, mac);
    t[n++] = '.';
    cmn_b64url_encode(mac, 32, t + n);
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cmn_err err;
    struct gw_claims *c = NULL;
    const char *tok;
    size_t tl;
    char *copy;

    if (!keys)
        init();
    if (size < 1 || size > 128 * 1024)
        return 0;
    if (data[0] & 1) {
        /* payload mode: a validly signed HS256 token around arbitrary claims */
        char *t = sign_payload(data + 1, size - 1);
        if (!t)
            return 0;
        if (gw_jwt_validate(vcs[0], t, strlen(t), keys, 1700000000, &c, &err) == GW_JWT_OK)
            use_claims(vcs[0], c);
        free(t);
        return 0;
    }
    /* token mode: the bytes are what a client sends in the header */
    copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    if (gw_jwt_extract(vcs[0], copy, copy, &tok, &tl) == GW_JWT_OK) {
        struct gw_jws_token jt;
        if (gw_jws_parse(tok, tl, &jt, &err) == GW_JWS_OK)
            gw_jws_token_free(&jt);
        for (size_t i = 0; i < N_CONFIGS; i++) {
            c = NULL;
            if (gw_jwt_validate(vcs[i], tok, tl, keys, 1700000000, &c, &err) == GW_JWT_OK)
                use_claims(vcs[i], c);
        }
    }
    /* the Cookie header path */
    if (gw_jwt_extract(vcs[0], NULL, copy, &tok, &tl) == GW_JWT_OK &&
        gw_jwt_validate(vcs[0], tok, tl, keys, 1700000000, &c, &err) == GW_JWT_OK)
        use_claims(vcs[0], c);
    free(copy);
    return 0;
}
