/* gw_jws.h - JWS compact serialization (RFC 7515 §7.1) parsing and signature verification with
 * nettle/hogweed. Policy (which algorithm, which key) is the caller's: nothing here trusts the
 * token to choose. */
#ifndef GW_JWS_H
#define GW_JWS_H

#include "cmn_err.h"
#include "gw_jose.h"
#include "gw_jwk.h"

#include <jansson.h>
#include <stddef.h>

/* Caps: a token of 64 KiB holds the biggest real tokens (16 KB+ of claims); a JOSE header of
 * 16 KiB holds an x5c chain; claims nest at most 16 levels. */
#define GW_JWS_MAX_TOKEN (64 * 1024)
#define GW_JWS_MAX_HEADER (16 * 1024)
#define GW_JWS_HEADER_DEPTH 4
#define GW_JWS_CLAIMS_DEPTH 16
#define GW_JWS_MAX_SIG 1024 /* 8192-bit RSA */

enum gw_jws_status {
    GW_JWS_OK = 0,
    GW_JWS_MALFORMED,     /* not three strict base64url parts, header not a JSON object, ... */
    GW_JWS_CRIT,          /* RFC 7515 §4.1.11: a critical extension we do not implement */
    GW_JWS_KEY_UNFIT,     /* the key's type, curve, size or "alg" does not fit the algorithm */
    GW_JWS_BAD_SIGNATURE, /* wrong length or does not verify */
    GW_JWS_NOMEM,
};

/* A compact JWS split and decoded. Header members are borrowed from `header`. */
struct gw_jws_token {
    const char *signing_input; /* borrowed from the caller's token: "header.payload" */
    size_t signing_input_len;
    json_t *header;                   /* owned: the protected header (strict JSON object) */
    const char *alg;                  /* header "alg" (always a string when parsing succeeded) */
    const char *kid, *x5t, *x5t_s256; /* NULL when absent */
    unsigned char *payload;           /* owned, decoded bytes (not yet parsed: claims come after the
                                         signature) */
    size_t payload_len;
    unsigned char *sig; /* owned */
    size_t sig_len;
};

/* Splits and decodes a compact JWS of len bytes (not NUL-terminated necessarily). Refuses
 * anything but exactly three non-empty-header parts of strict base64url (no padding, no
 * whitespace), a header that is not a strict JSON object with a string "alg", header members
 * of the wrong type, and any "crit" (GW_JWS_CRIT). On success fills *out (free with
 * gw_jws_token_free); the token must outlive *out. */
enum gw_jws_status gw_jws_parse(const char *token, size_t len, struct gw_jws_token *out,
                                struct cmn_err *err);
void gw_jws_token_free(struct gw_jws_token *t);

/* Whether key may verify alg under our policy: HS* need an oct key of at least the hash size
 * (RFC 7518 §3.2), RS and PS an RSA key of at least 2048 bits (RFC 7518 §3.3), ES256/384/512
 * an EC key on P-256/P-384/P-521 (RFC 7518 §3.4), EdDSA an OKP Ed25519/Ed448 key (RFC 8037 §3.1);
 * a key's own "alg", when present, must name the same algorithm (RFC 7517 §4.4). */
enum gw_jws_status gw_jws_key_fits(enum gw_jose_alg alg, const struct gw_jwk *key,
                                   struct cmn_err *err);

/* Verifies sig over msg with key under alg. Checks that the key's type and curve fit the
 * algorithm (never an RSA or EC key as an HMAC secret) and exact signature lengths (HMAC the
 * hash size, RSA the modulus size, ECDSA twice the curve size, Ed25519 64, Ed448 114 bytes);
 * MACs are compared in constant time. Does not apply gw_jws_key_fits' size policy. */
enum gw_jws_status gw_jws_verify(enum gw_jose_alg alg, const struct gw_jwk *key, const void *msg,
                                 size_t msg_len, const unsigned char *sig, size_t sig_len,
                                 struct cmn_err *err);

#endif
