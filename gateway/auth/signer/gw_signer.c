/* gw_signer.c - auth/signer: building the signer of an endpoint (krakend-jose NewSigner), signing
 * response fields (SignFields) and the answer that replaces Lura's endpoint handler
 * (TokenSigner), krakend-telemetry-validation.md §7. */
#include "gw_signer.h"

#include "cmn_b64.h"
#include "cmn_file.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "gw_jwks_fetch.h"
#include "gw_signer_config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JSON_CT "application/json; charset=utf-8"
#define FETCH_CONNECT_MS 10000
#define FETCH_TOTAL_MS 30000

struct gw_signer {
    char *prefix; /* "[ENDPOINT: /token][JWTSigner]" */
    struct gw_signer_config cfg;
    struct gw_signing_key *key;
    enum gw_sign_alg alg;
    char *protected_b64; /* base64url of {"alg":…,"kid":…,"typ":…}, sorted as Go prints a map */
};

/* ---- building ------------------------------------------------------------------------------- */

/* The JWK Set from jwk_local_path (read once) or jwk_url (fetched once, under the validator's
 * TLS rules and content-type check). Owned text or NULL with err set. */
static char *key_set(const struct gw_signer_config *c, size_t *len, struct cmn_err *err)
{
    struct gw_jwks_fetch_limits lim = {FETCH_CONNECT_MS, FETCH_TOTAL_MS};
    struct gw_jwks_fetch_result res;
    struct gw_jwks_tls tls = {0};
    struct gw_jwks_fetch *f = NULL;
    char *text = NULL;
    int e = 0;

    if (c->jwk_local_path && *c->jwk_local_path) { /* krakend-jose: a local path wins */
        enum cmn_file_status st =
            cmn_file_read(c->jwk_local_path, GW_SIGNER_JWKS_MAX_BYTES, 0, &text, len, &e);
        if (st != CMN_FILE_OK)
            cmn_err_set(err, 1, "open %s: %s", c->jwk_local_path,
                        st == CMN_FILE_TOO_BIG       ? "larger than 512 KiB"
                        : st == CMN_FILE_NOT_REGULAR ? "not a regular file"
                        : e                          ? strerror(e)
                                                     : "cannot be read");
        return text;
    }
    if (gw_jwks_tls_init(&tls, c->disable_jwk_security, (const char *const *)c->fingerprints,
                         c->n_fingerprints, c->jwk_local_ca, c->cipher_suites, c->n_cipher_suites,
                         err) != GW_JWKS_FETCH_OK)
        return NULL;
    if (!(f = gw_jwks_fetch_new(c->jwk_url ? c->jwk_url : "", &tls, &lim, NULL, err)))
        goto out;
    if (gw_jwks_fetch_finish(f, curl_easy_perform(f->easy), &res, err) != GW_JWKS_FETCH_OK)
        goto out;
    if (!res.content_type_ok) {
        cmn_err_set(err, 1, "should have a JSON content type for JWKS endpoint");
        goto out;
    }
    if (!(text = cmn_strndup(res.body, res.body_len)))
        cmn_err_set(err, 1, "out of memory");
    *len = res.body_len;
out:
    gw_jwks_fetch_destroy(f);
    gw_jwks_tls_free(&tls);
    return text;
}

static bool protected_header(struct gw_signer *s, struct cmn_err *err)
{
    struct gw_json *h = gw_json_object();
    const char *kid = gw_signing_key_kid(s->key),
               *typ = s->cfg.typ && *s->cfg.typ ? s->cfg.typ : "JWT";
    char *json = NULL;
    size_t len = 0;
    bool ok = h && gw_json_object_set(h, "alg", gw_json_string(s->cfg.alg, strlen(s->cfg.alg))) &&
              gw_json_object_set(h, "kid", gw_json_string(kid, strlen(kid))) &&
              gw_json_object_set(h, "typ", gw_json_string(typ, strlen(typ))) &&
              (json = gw_json_render_str(h, &len)) &&
              (s->protected_b64 = malloc(cmn_b64url_encoded_len(len) + 1));

    if (ok)
        cmn_b64url_encode(json, len, s->protected_b64);
    else
        cmn_err_set(err, 1, "out of memory");
    free(json);
    gw_json_destroy(h);
    return ok;
}

static bool build(struct gw_signer *s, const json_t *ns, struct cmn_err *err)
{
    size_t len = 0;
    char *jwks;

    if (!gw_signer_config_parse(ns, &s->cfg, err))
        return false;
    if ((!s->cfg.jwk_url || strncmp(s->cfg.jwk_url, "https://", 8) != 0) &&
        !s->cfg.disable_jwk_security)
        return cmn_err_set(err, 1, "JWK client is using an insecure connection to the JWK service"),
               false;
    if (s->cfg.jwk_local_path && *s->cfg.jwk_local_path &&
        ((s->cfg.secret_url && *s->cfg.secret_url) || s->cfg.has_cypher_key))
        return cmn_err_set(err, 1,
                           "secret_url/cypher_key (an encrypted jwk_local_path) is not supported "
                           "by this gateway"),
               false;
    if ((!s->cfg.jwk_local_path || !*s->cfg.jwk_local_path) &&
        ((s->cfg.secret_url && *s->cfg.secret_url) || s->cfg.has_cypher_key))
        cmn_log_warn("%s secret_url/cypher_key only apply to jwk_local_path: ignored, as in "
                     "KrakenD",
                     s->prefix);
    if (!(jwks = key_set(&s->cfg, &len, err)))
        return false;
    s->key = gw_signing_key_load(jwks, len, s->cfg.kid, err);
    free(jwks);
    if (!s->key)
        return false;
    s->alg = gw_sign_alg_from_name(s->cfg.alg);
    if (!gw_signing_key_fits(s->key, s->alg, err))
        return false;
    return protected_header(s, err);
}

struct gw_signer *gw_signer_new(const json_t *ns, const char *path, struct cmn_err *err)
{
    struct gw_signer *s = calloc(1, sizeof(*s));
    size_t n = strlen(path) + 32;

    if (!s || !(s->prefix = malloc(n))) {
        free(s);
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    snprintf(s->prefix, n, "[ENDPOINT: %s][JWTSigner]", path);
    if (!build(s, ns, err)) {
        gw_signer_destroy(s);
        return NULL;
    }
    return s;
}

void gw_signer_destroy(struct gw_signer *s)
{
    if (!s)
        return;
    gw_signer_config_free(&s->cfg);
    gw_signing_key_destroy(s->key);
    free(s->protected_b64);
    free(s->prefix);
    free(s);
}

/* ---- signing -------------------------------------------------------------------------------- */

/* The JWS of obj: payload = Go's compact JSON of it (sorted keys, HTML-escaped). Owned. */
static char *jws(const struct gw_signer *s, const struct gw_json *obj, struct cmn_err *err)
{
    uint8_t sig[GW_SIGNER_SIG_MAX];
    size_t plen = 0, hl = strlen(s->protected_b64), sl = 0, il;
    char *payload = gw_json_render_str(obj, &plen), *input = NULL, *out = NULL;
    struct gw_json *full = NULL;

    if (!payload || !(input = malloc(hl + 1 + cmn_b64url_encoded_len(plen) + 1)))
        goto nomem;
    memcpy(input, s->protected_b64, hl);
    input[hl] = '.';
    il = hl + 1 + cmn_b64url_encode(payload, plen, input + hl + 1);
    if (!gw_signing_key_sign(s->key, s->alg, (const uint8_t *)input, il, sig, &sl, err))
        goto out;
    if (!s->cfg.full) { /* compact: header.payload.signature */
        if (!(out = malloc(il + 1 + cmn_b64url_encoded_len(sl) + 1)))
            goto nomem;
        memcpy(out, input, il);
        out[il] = '.';
        cmn_b64url_encode(sig, sl, out + il + 1);
        goto out;
    }
    { /* go-jose's FullSerialize: {"payload","protected","signature"} (struct order) */
        char *sb = malloc(cmn_b64url_encoded_len(sl) + 1);
        if (!sb)
            goto nomem;
        cmn_b64url_encode(sig, sl, sb);
        full = gw_json_struct();
        if (!full ||
            !gw_json_object_set(full, "payload", gw_json_string(input + hl + 1, il - hl - 1)) ||
            !gw_json_object_set(full, "protected", gw_json_string(input, hl)) ||
            !gw_json_object_set(full, "signature", gw_json_string(sb, strlen(sb)))) {
            free(sb);
            goto nomem;
        }
        free(sb);
        if (!(out = gw_json_render_str(full, NULL)))
            goto nomem;
    }
    goto out;
nomem:
    cmn_err_set(err, 1, "out of memory");
out:
    gw_json_destroy(full);
    free(payload);
    free(input);
    return out;
}

bool gw_signer_sign_fields(const struct gw_signer *s, struct gw_json *data, struct cmn_err *err)
{
    for (size_t i = 0; data && i < s->cfg.n_keys_to_sign; i++) {
        const char *k = s->cfg.keys_to_sign[i];
        struct gw_json *v = gw_json_object_get(data, k);
        char *token;
        /* only a Go map is signed: arrays, strings and structs are skipped */
        if (!v || v->type != GW_JSON_OBJECT || v->is_struct)
            continue;
        if (!(token = jws(s, v, err)))
            return false;
        if (!gw_json_object_set(data, k, gw_json_string(token, strlen(token)))) {
            free(token);
            return cmn_err_set(err, 1, "out of memory"), false;
        }
        free(token);
    }
    return true;
}

/* ---- the answer ----------------------------------------------------------------------------- */

static bool hop_by_hop(const char *n)
{
    static const char *const drop[] = {"Content-Length", "Transfer-Encoding", "Connection",
                                       "Keep-Alive", "Content-Encoding"};

    for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
        if (strcasecmp(n, drop[i]) == 0)
            return true;
    }
    return false;
}

static struct cmn_http_response *bad_request(void)
{
    return cmn_http_response_new(400); /* gin's AbortWithStatus: no body */
}

/* TokenSigner: any proxy error (a partial merge included) or no response is a 400; the signed
 * data goes out as c.JSON(Metadata.StatusCode, Data) after the metadata headers (first value). */
static struct cmn_http_response *render(void *ctx, const struct gw_endpoint *ep,
                                        struct gw_presp *resp, const struct gw_pipe_err *err)
{
    const struct gw_signer *s = ctx;
    struct cmn_http_response *r;
    struct cmn_err e = {0};
    bool has_ct = false;
    char *body;
    size_t len = 0;

    (void)ep;
    if (err->n > 0) {
        struct cmn_buf m;
        cmn_buf_init(&m, 64 * 1024);
        for (size_t i = 0; i < err->n; i++)
            cmn_buf_printf(&m, "%s%s", i ? "\n" : "", err->errs[i].msg ? err->errs[i].msg : "");
        cmn_log_error("%s Proxy response: %s", s->prefix, cmn_buf_str(&m));
        cmn_buf_free(&m);
        return bad_request();
    }
    if (!resp) {
        cmn_log_error("%s Empty proxy response", s->prefix);
        return bad_request();
    }
    if (!gw_signer_sign_fields(s, resp->data, &e)) {
        cmn_log_error("%s Signing fields: %s", s->prefix, e.msg);
        return bad_request();
    }
    if (!(r = cmn_http_response_new(resp->status ? resp->status : 200)))
        return NULL;
    for (size_t i = 0; i < resp->headers.n; i++) {
        const struct gw_hdr *h = &resp->headers.v[i];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcasecmp(resp->headers.v[k].name, h->name) == 0;
        if (seen || hop_by_hop(h->name))
            continue;
        has_ct = has_ct || strcasecmp(h->name, "Content-Type") == 0;
        if (!cmn_http_response_add_header(r, h->name, h->value))
            goto fail;
    }
    /* gin writes its JSON type only when none was set (a no-op backend's stays) */
    if (!has_ct && !cmn_http_response_add_header(r, "Content-Type", JSON_CT))
        goto fail;
    body = resp->data ? gw_json_render_str(resp->data, &len) : strdup("null");
    if (!body)
        goto fail;
    if (!resp->data)
        len = 4;
    cmn_http_response_take_body(r, body, len);
    return r;
fail:
    cmn_http_response_destroy(r);
    return NULL;
}

/* The signer could not be built: krakend-jose's erroredHandler, a 401 once the validator (if
 * any) let the request through. */
static enum gw_mw_verdict errored(void *ctx, const struct gw_mw_request *rq, struct gw_mw_out *out)
{
    (void)ctx;
    (void)rq;
    *out->answer = cmn_http_response_new(401);
    return GW_MW_ANSWER;
}

static void signer_free(void *ctx)
{
    gw_signer_destroy(ctx);
}

static bool build_mw(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                     struct gw_mw *mw, struct cmn_err *err)
{
    json_t *ns =
        ep && ep->extra_config ? json_object_get(ep->extra_config, GW_SIGNER_NAMESPACE) : NULL;
    struct cmn_err e = {0};
    struct gw_signer *s;

    (void)ctx;
    (void)cfg;
    (void)err;
    if (!ns)
        return true;
    if (json_object_get(ns, "leeway"))
        cmn_log_warn("[ENDPOINT: %s][JWTSigner] leeway is not read by KrakenD's signer: ignored",
                     ep->path);
    s = gw_signer_new(ns, ep->path, &e);
    mw->name = "auth/signer";
    mw->slot = GW_MW_AUTHENTICATED;
    if (!s) {
        cmn_log_error("[ENDPOINT: %s][JWTSigner] Unable to create the signer: %s", ep->path, e.msg);
        mw->request = errored;
        return true;
    }
    cmn_log_debug("[ENDPOINT: %s][JWTSigner] Signer enabled", ep->path);
    mw->ctx = s;
    mw->render = render;
    mw->free = signer_free;
    return true;
}

const struct gw_mw_factory gw_signer_factory = {"auth/signer", NULL, build_mw};
