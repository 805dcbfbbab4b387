/* gw_cc_token.h - the OAuth2 client credentials exchange as golang.org/x/oauth2 does it
 * (krakend-telemetry-validation.md §9.2): the token request's form and client authentication,
 * and the token endpoint's answer read into a token or into oauth2's error text. Pure logic: the
 * HTTP exchange and the clock are the caller's. */
#ifndef GW_CC_TOKEN_H
#define GW_CC_TOKEN_H

#include "cmn_err.h"
#include "gw_cc_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_CC_BODY_MAX (1024 * 1024) /* oauth2 reads at most 1 MiB of the answer */

/* How the client authenticates (oauth2's AuthStyle): unknown = try the header, then the form. */
enum gw_cc_style {
    GW_CC_STYLE_UNKNOWN = 0,
    GW_CC_STYLE_PARAMS = 1, /* client_id and client_secret in the form */
    GW_CC_STYLE_HEADER = 2, /* HTTP Basic with the url-encoded id and secret */
};

/* The token request for style (HEADER or PARAMS): *body the url.Values.Encode form (keys
 * sorted: grant_type=client_credentials, scope=<scopes joined by ' '>, endpoint_params, and in
 * the form style client_id/client_secret when not empty), *basic "Basic <b64>" or NULL. Owned.
 * false with err set: "oauth2: cannot overwrite parameter \"scope\"" when endpoint_params names
 * scope, or out of memory. */
bool gw_cc_token_request(const struct gw_cc_config *c, enum gw_cc_style style, char **body,
                         char **basic, struct cmn_err *err);

/* What the token endpoint answered (all borrowed). */
struct gw_cc_http_res {
    long status;              /* 0 when the exchange failed: see error */
    const char *status_line;  /* Go's Response.Status: "400 Bad Request" */
    const char *content_type; /* may be NULL */
    const char *body;         /* at most GW_CC_BODY_MAX bytes */
    size_t body_len;
    const char *error; /* the transport's error (Go: `Post "<url>": ...`), when status is 0 */
};

struct gw_cc_token {
    char *access_token, *token_type; /* owned */
    int64_t expiry_unix_ms;          /* 0: never expires */
};

void gw_cc_token_free(struct gw_cc_token *t);

/* doTokenRoundTrip: a JSON answer, or a form one for application/x-www-form-urlencoded and
 * text/plain; success needs a 2xx status, no "error" and an access_token. expires_in (number,
 * or a string holding one, capped at 2^31-1; a form's by Atoi) sets the expiry from now.
 * false with err set to oauth2's text: `oauth2: "<error>" "<description>" "<uri>"`,
 * "oauth2: cannot fetch token: <status>\nResponse: <body>", "oauth2: server response missing
 * access_token", "oauth2: cannot parse json: <why>", "oauth2: cannot parse response: <why>". */
bool gw_cc_token_parse(const struct gw_cc_http_res *res, int64_t now_unix_ms,
                       struct gw_cc_token *out, struct cmn_err *err);

/* oauth2's Token.Type() + " " + access_token: Bearer for "" and any case of "bearer", MAC and
 * Basic likewise, else the server's type as sent. Owned, or NULL (memory). */
char *gw_cc_auth_value(const struct gw_cc_token *t);

/* Valid: an access token, and an expiry (if any) more than 10 s away (oauth2's expiryDelta). */
bool gw_cc_token_valid(const struct gw_cc_token *t, int64_t now_unix_ms);

#endif
