/* gw_jwk_int.h - key material behind struct gw_jwk, for the JOSE layer's own modules only. */
#ifndef GW_JWK_INT_H
#define GW_JWK_INT_H

#include "gw_jwk.h"

#include <jansson.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/rsa.h>

enum gw_jwk_type {
    GW_JWK_RSA = 1,
    GW_JWK_EC,
    GW_JWK_OKP,
    GW_JWK_OCT,
};

/* Curves we verify with: EC (RFC 7518 §6.2.1.1) and OKP (RFC 8037 §2). */
enum gw_jwk_curve {
    GW_CRV_NONE = 0,
    GW_CRV_P256,
    GW_CRV_P384,
    GW_CRV_P521,
    GW_CRV_ED25519,
    GW_CRV_ED448,
};

#define GW_JWK_OKP_MAX 57 /* Ed448 public key bytes (RFC 8032 §5.2.5) */
#define GW_JWK_OCT_MAX 1024

#define GW_JWK_RSA_N_MAX 1024 /* bytes of an RSA modulus: 8192 bits at most (docs/security.md) */

struct gw_jwk {
    enum gw_jwk_type type;
    enum gw_jwk_curve crv;
    char *kty, *kid, *alg, *use, *crv_name;
    char *x5t, *x5t_s256;              /* unpadded base64url, NULL when absent */
    unsigned char fingerprint[32];     /* SHA-256 over type and public material: identity of
                                          the key for the verified-token cache */
    struct rsa_public_key rsa;         /* GW_JWK_RSA: n, e, size (bytes of the modulus) */
    mpz_t rsa_rr;                      /* GW_JWK_RSA: R^2 mod n, R = 2^(limb bits * limbs of n) */
    mp_limb_t rsa_ninv;                /* GW_JWK_RSA: -1/n mod 2^(limb bits) (Montgomery) */
    struct ecc_point ec;               /* GW_JWK_EC */
    unsigned char raw[GW_JWK_OCT_MAX]; /* GW_JWK_OKP public key, GW_JWK_OCT secret */
    size_t raw_len;
};

/* Unique, never reused number of a parsed set (the verified-token cache compares it to tell
 * whether the set it saw is still the current one). */
uint64_t gw_jwks_serial(const struct gw_jwks *set);

/* out = s^e mod n with the RSA key k, for 0 <= s < n: what mpz_powm(out, s, k->rsa.e,
 * k->rsa.n) computes, with the key's Montgomery constants made once at parse time. */
void gw_jwk_rsa_public(const struct gw_jwk *k, mpz_t out, const mpz_t s);

/* Bits of an RSA key's modulus. */
size_t gw_jwk_rsa_bits(const struct gw_jwk *k);

/* Parses one JWK object (borrowed json_t). Returns an owned key or NULL with err set (the key
 * does not fit its kty, carries private material, or is not for signatures). */
struct gw_jwk *gw_jwk_from_json(const json_t *obj, struct cmn_err *err);
void gw_jwk_destroy(struct gw_jwk *k);

#endif
