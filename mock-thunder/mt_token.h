/* mt_token.h - the OAuth 2.0 side: form parsing, client authentication, the client_credentials
 * grant (scope filtering, audience, claims, RS256 signing), token verification for the
 * management API and introspection. No IO: callers pass the request pieces and `now`. */
#ifndef MT_TOKEN_H
#define MT_TOKEN_H

#include "mt_keys.h"
#include "mt_store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_FORM_MAX_PARAMS 64
#define MT_FORM_MAX_VALUE 8192
#define MT_MAX_SCOPES 100
#define MT_TOKEN_MAX 16384
#define MT_LEEWAY_S 30

/* A decoded application/x-www-form-urlencoded body. */
struct mt_form {
    size_t n;
    char *names[MT_FORM_MAX_PARAMS];
    char *values[MT_FORM_MAX_PARAMS];
};

/* Parses n bytes ('+' is a space, %XX escapes, at most MT_FORM_MAX_PARAMS pairs of at most
 * MT_FORM_MAX_VALUE bytes). False on malformed input; free with mt_form_free either way. */
bool mt_form_parse(struct mt_form *f, const char *s, size_t n);
void mt_form_free(struct mt_form *f);
/* First value of name (borrowed) or NULL. */
const char *mt_form_get(const struct mt_form *f, const char *name);

/* What the OAuth endpoints need; all borrowed. */
struct mt_oauth_ctx {
    struct mt_store *store;
    const struct mt_keyring *keys;
    const char *issuer;
    bool strict_client_auth;
    int64_t now;
};

/* An OAuth endpoint's answer: status, JSON body (owned) and whether to send
 * `WWW-Authenticate: Basic` (a failed Basic authentication). */
struct mt_oauth_reply {
    unsigned status;
    json_t *body;
    bool www_basic;
};

/* The pieces of an HTTP request the OAuth endpoints read (borrowed). */
struct mt_oauth_req {
    const char *authorization; /* header value or NULL */
    const char *content_type;  /* header value or NULL */
    const char *body;
    size_t body_len;
};

/* Requested scopes after filtering: those in `held` (exact match), request order, no
 * duplicates, empty strings dropped. Owned array of strings; NULL if there are more than
 * MT_MAX_SCOPES. */
json_t *mt_scope_filter(const char *requested, const json_t *held);

/* The claims of a client_credentials access token (owned), spec §8. aud is a string for one
 * audience and an array for several. */
json_t *mt_token_claims(const char *issuer, const json_t *app, const json_t *ou,
                        const json_t *granted, const json_t *aud, int64_t now, int64_t validity,
                        const char *jti);

/* Serialises and signs header and claims as a compact JWS (owned string), NULL on failure. */
char *mt_jwt_sign(const struct mt_keyring *keys, const json_t *claims);

/* POST /oauth2/token and POST /oauth2/introspect. */
void mt_oauth_token(const struct mt_oauth_ctx *c, const struct mt_oauth_req *r,
                    struct mt_oauth_reply *out);
void mt_oauth_introspect(const struct mt_oauth_ctx *c, const struct mt_oauth_req *r,
                         struct mt_oauth_reply *out);

/* The claims of a token this server issued, if its signature (by an active key), issuer, expiry
 * and not-before check out at c->now. Owned, or NULL. */
json_t *mt_token_verify(const struct mt_oauth_ctx *c, const char *token);

/* Management API access (spec §3): MT_E_OK, MT_E_AUTH_UNAUTHORIZED (no or bad bearer token,
 * or its application is gone) or MT_E_AUTH_FORBIDDEN (no permission covering `required`). */
enum mt_e mt_token_authorize(const struct mt_oauth_ctx *c, const char *authorization,
                             const char *required);
/* Whether held permission p covers required: p == required or required starts with p + ":". */
bool mt_perm_covers(const char *p, const char *required);

#endif
