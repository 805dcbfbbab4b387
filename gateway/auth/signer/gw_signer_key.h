/* gw_signer_key.h - the signing side of JOSE for auth/signer (krakend-telemetry-validation.md
 * §7): a JWK Set read as go-jose reads it (public and private keys), the key the signer names,
 * and JWS signatures with nettle (RS, PS, ES, EdDSA, HS).
 *
 * This module shares no code with the validator's JOSE (gateway/auth/jose): the validator's
 * parser refuses private keys on purpose and verifies, this one signs; a bug here can neither
 * loosen what the validator accepts nor be hidden by tests that verify with the same code (the
 * signer's tests verify with the validator's independent verifier and with KrakenD's own token). */
#ifndef GW_SIGNER_KEY_H
#define GW_SIGNER_KEY_H

#include "cmn_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps on a JWK Set the signer reads. */
#define GW_SIGNER_JWKS_MAX_BYTES (512 * 1024)
#define GW_SIGNER_JWKS_MAX_KEYS 64
/* Largest raw signature: Ed25519 64, ES512 132, RSA-8192 1024. */
#define GW_SIGNER_SIG_MAX 1024

/* JWS algorithms go-jose signs with (RFC 7518 §3.1, RFC 8037 §3.1). */
enum gw_sign_alg {
    GW_SIGN_INVALID = 0,
    GW_SIGN_HS256,
    GW_SIGN_HS384,
    GW_SIGN_HS512,
    GW_SIGN_RS256,
    GW_SIGN_RS384,
    GW_SIGN_RS512,
    GW_SIGN_PS256,
    GW_SIGN_PS384,
    GW_SIGN_PS512,
    GW_SIGN_ES256,
    GW_SIGN_ES384,
    GW_SIGN_ES512,
    GW_SIGN_EDDSA,
};

/* Exact name ("RS256", "EdDSA") to the algorithm; GW_SIGN_INVALID for anything else ("none"). */
enum gw_sign_alg gw_sign_alg_from_name(const char *name);

struct gw_signing_key;

/* Reads a JWK Set (go-jose's JSONWebKeySet: a key that does not parse fails the whole set;
 * unknown kty, OKP curves other than Ed25519, RSA private keys without p and q, EC coordinates of
 * the wrong size or off the curve are errors) and returns the first key whose kid equals kid
 * (NULL matches ""), owned, or NULL with err set ("no Keys have been found" when no key has that
 * kid). The key may be public: gw_signing_key_fits refuses it then. */
struct gw_signing_key *gw_signing_key_load(const char *jwks, size_t len, const char *kid,
                                           struct cmn_err *err);
void gw_signing_key_destroy(struct gw_signing_key *k);

/* The key's own kid (what the protected header carries), "" when it has none. Borrowed. */
const char *gw_signing_key_kid(const struct gw_signing_key *k);

/* go-jose's NewSigner: true when alg can sign with k (an oct key for HS256-512, an RSA private key
 * for RS and PS, an EC private key for ES256-512, an Ed25519 private key for EdDSA), else false
 * with "go-jose/go-jose: unsupported key type/format" or "... unknown/unsupported algorithm". An EC
 * key of another curve passes here and fails every signature, as in go-jose. */
bool gw_signing_key_fits(const struct gw_signing_key *k, enum gw_sign_alg alg, struct cmn_err *err);

/* Signs in[0..n) with k and alg (fits() said yes): writes the raw JWS signature into out (room
 * for GW_SIGNER_SIG_MAX) and its length into *out_len. false with err set (EC curve mismatch,
 * RSA key below 1024 bits, no randomness). */
bool gw_signing_key_sign(const struct gw_signing_key *k, enum gw_sign_alg alg, const uint8_t *in,
                         size_t n, uint8_t *out, size_t *out_len, struct cmn_err *err);

#endif
