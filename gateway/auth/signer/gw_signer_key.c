/* gw_signer_key.c - JWK Set reading for signing (go-jose v3 jwk.go rules, private keys included)
 * and JWS signatures with nettle (RFC 7515 §5.1, RFC 7518 §3.2-§3.5, RFC 8037 §3.1). */
#include "gw_signer_key.h"

#include "cmn_b64.h"
#include "cmn_json.h"
#include "cmn_rand.h"
#include "cmn_str.h"

#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/eddsa.h>
#include <nettle/hmac.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>

#include <stdlib.h>
#include <string.h>

#define JWKS_DEPTH 16
#define MEMBER_MAX 4096 /* bytes of one decoded member (an RSA-8192 modulus is 1024) */
#define OCT_MAX 1024
#define RSA_BITS_MIN 1024 /* Go 1.24+ refuses to sign with smaller keys */

enum kty { KTY_RSA = 1, KTY_EC, KTY_OKP, KTY_OCT };

struct gw_signing_key {
    enum kty kty;
    char *kid;
    bool priv;
    struct rsa_public_key rsa_pub;
    struct rsa_private_key rsa_priv;
    bool rsa_init;
    const struct ecc_curve *curve;
    unsigned curve_bits;
    struct ecc_scalar ec_d;
    bool ec_init;
    uint8_t ed_pub[ED25519_KEY_SIZE], ed_seed[ED25519_KEY_SIZE];
    uint8_t *secret;
    size_t secret_len;
};

static const struct {
    const char *name;
    enum gw_sign_alg alg;
} ALGS[] = {
    {"HS256", GW_SIGN_HS256}, {"HS384", GW_SIGN_HS384}, {"HS512", GW_SIGN_HS512},
    {"RS256", GW_SIGN_RS256}, {"RS384", GW_SIGN_RS384}, {"RS512", GW_SIGN_RS512},
    {"PS256", GW_SIGN_PS256}, {"PS384", GW_SIGN_PS384}, {"PS512", GW_SIGN_PS512},
    {"ES256", GW_SIGN_ES256}, {"ES384", GW_SIGN_ES384}, {"ES512", GW_SIGN_ES512},
    {"EdDSA", GW_SIGN_EDDSA},
};

enum gw_sign_alg gw_sign_alg_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof(ALGS) / sizeof(ALGS[0]); i++) {
        if (strcmp(ALGS[i].name, name) == 0)
            return ALGS[i].alg;
    }
    return GW_SIGN_INVALID;
}

void gw_signing_key_destroy(struct gw_signing_key *k)
{
    if (!k)
        return;
    if (k->rsa_init) {
        rsa_public_key_clear(&k->rsa_pub);
        rsa_private_key_clear(&k->rsa_priv);
    }
    if (k->ec_init)
        ecc_scalar_clear(&k->ec_d);
    if (k->secret) {
        memset(k->secret, 0, k->secret_len);
        free(k->secret);
    }
    memset(k->ed_seed, 0, sizeof(k->ed_seed));
    free(k->kid);
    free(k);
}

const char *gw_signing_key_kid(const struct gw_signing_key *k)
{
    return k->kid ? k->kid : "";
}

/* ---- reading a JWK -------------------------------------------------------------------------- */

/* A base64url member (go-jose trims '=' padding) into *out (owned) and *len; absent: *out NULL
 * and true. */
static bool member(const json_t *obj, const char *name, uint8_t **out, size_t *len,
                   struct cmn_err *err)
{
    json_t *v = json_object_get(obj, name);
    size_t n;

    *out = NULL;
    *len = 0;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v))
        return cmn_err_set(err, 1, "go-jose/go-jose: member \"%s\" is not a string", name), false;
    n = json_string_length(v);
    while (n > 0 && json_string_value(v)[n - 1] == '=')
        n--;
    if (cmn_b64_decoded_max(n) > MEMBER_MAX)
        return cmn_err_set(err, 1, "member \"%s\" is too long", name), false;
    *out = malloc(cmn_b64_decoded_max(n) + 1);
    if (!*out)
        return cmn_err_set(err, 1, "out of memory"), false;
    if (!cmn_b64url_decode(json_string_value(v), n, *out, len)) {
        free(*out);
        *out = NULL;
        return cmn_err_set(err, 1, "illegal base64 data in member \"%s\"", name), false;
    }
    return true;
}

static void mpz_from(mpz_t z, const uint8_t *b, size_t n)
{
    nettle_mpz_set_str_256_u(z, n, b);
}

/* crypto/rsa's Validate: N = p*q, and d*e = 1 modulo p-1 and q-1. */
static bool rsa_valid(const mpz_t n, const mpz_t e, const mpz_t d, const mpz_t p, const mpz_t q,
                      struct cmn_err *err)
{
    mpz_t t, m, de;
    bool ok = true;

    mpz_inits(t, m, de, NULL);
    mpz_mul(t, p, q);
    if (mpz_cmp(t, n) != 0 || mpz_cmp_ui(p, 1) <= 0 || mpz_cmp_ui(q, 1) <= 0) {
        cmn_err_set(err, 1, "crypto/rsa: invalid modulus");
        ok = false;
    }
    mpz_mul(de, d, e);
    for (int i = 0; ok && i < 2; i++) {
        mpz_sub_ui(m, i ? q : p, 1);
        mpz_mod(t, de, m);
        if (mpz_cmp_ui(t, 1) != 0) {
            cmn_err_set(err, 1, "crypto/rsa: invalid exponents");
            ok = false;
        }
    }
    mpz_clears(t, m, de, NULL);
    return ok;
}

static bool parse_rsa(const json_t *o, struct gw_signing_key *k, struct cmn_err *err)
{
    uint8_t *b[5] = {0};
    size_t l[5] = {0};
    static const char *const names[] = {"n", "e", "d", "p", "q"};
    bool ok = false;

    for (int i = 0; i < 5; i++) {
        if (!member(o, names[i], &b[i], &l[i], err))
            goto out;
    }
    if (!b[0] || !b[1]) {
        cmn_err_set(err, 1, "go-jose/go-jose: invalid RSA key, missing n/e values");
        goto out;
    }
    rsa_public_key_init(&k->rsa_pub);
    rsa_private_key_init(&k->rsa_priv);
    k->rsa_init = true;
    mpz_from(k->rsa_pub.n, b[0], l[0]);
    mpz_from(k->rsa_pub.e, b[1], l[1]);
    if (!rsa_public_key_prepare(&k->rsa_pub)) {
        cmn_err_set(err, 1, "go-jose/go-jose: invalid RSA key");
        goto out;
    }
    if (!b[2]) { /* a public key: parses, but cannot sign */
        ok = true;
        goto out;
    }
    if (!b[3] || !b[4]) {
        cmn_err_set(err, 1, "go-jose/go-jose: invalid RSA private key, missing %s value(s)",
                    !b[3] ? "P" : "Q");
        goto out;
    }
    k->priv = true;
    mpz_from(k->rsa_priv.d, b[2], l[2]);
    mpz_from(k->rsa_priv.p, b[3], l[3]);
    mpz_from(k->rsa_priv.q, b[4], l[4]);
    if (!rsa_valid(k->rsa_pub.n, k->rsa_pub.e, k->rsa_priv.d, k->rsa_priv.p, k->rsa_priv.q, err))
        goto out;
    /* the CRT values from d, p and q (correct whatever dp/dq/qi the key carries) */
    mpz_sub_ui(k->rsa_priv.a, k->rsa_priv.p, 1);
    mpz_mod(k->rsa_priv.a, k->rsa_priv.d, k->rsa_priv.a);
    mpz_sub_ui(k->rsa_priv.b, k->rsa_priv.q, 1);
    mpz_mod(k->rsa_priv.b, k->rsa_priv.d, k->rsa_priv.b);
    if (!mpz_invert(k->rsa_priv.c, k->rsa_priv.q, k->rsa_priv.p) ||
        !rsa_private_key_prepare(&k->rsa_priv)) {
        cmn_err_set(err, 1, "crypto/rsa: invalid modulus");
        goto out;
    }
    ok = true;
out:
    for (int i = 0; i < 5; i++) {
        if (b[i])
            memset(b[i], 0, l[i]);
        free(b[i]);
    }
    return ok;
}

static bool parse_ec(const json_t *o, struct gw_signing_key *k, struct cmn_err *err)
{
    const char *crv = json_string_value(json_object_get(o, "crv"));
    uint8_t *x = NULL, *y = NULL, *d = NULL;
    size_t xl, yl, dl, size;
    struct ecc_point pt;
    mpz_t mx, my, md;
    bool ok = false;

    if (crv && strcmp(crv, "P-256") == 0)
        k->curve = nettle_get_secp_256r1(), k->curve_bits = 256;
    else if (crv && strcmp(crv, "P-384") == 0)
        k->curve = nettle_get_secp_384r1(), k->curve_bits = 384;
    else if (crv && strcmp(crv, "P-521") == 0)
        k->curve = nettle_get_secp_521r1(), k->curve_bits = 521;
    else
        return cmn_err_set(err, 1, "go-jose/go-jose: unsupported elliptic curve '%s'",
                           crv ? crv : ""),
               false;
    size = (k->curve_bits + 7) / 8;
    if (!member(o, "x", &x, &xl, err) || !member(o, "y", &y, &yl, err) ||
        !member(o, "d", &d, &dl, err))
        goto out;
    if (!x || !y) {
        cmn_err_set(err, 1, "go-jose/go-jose: invalid EC key, missing x/y values");
        goto out;
    }
    if (xl != size || yl != size || (d && dl != size)) {
        cmn_err_set(err, 1, "go-jose/go-jose: invalid EC key, wrong length for %s",
                    xl != size   ? "x"
                    : yl != size ? "y"
                                 : "d");
        goto out;
    }
    mpz_inits(mx, my, md, NULL);
    ecc_point_init(&pt, k->curve);
    mpz_from(mx, x, xl);
    mpz_from(my, y, yl);
    if (!ecc_point_set(&pt, mx, my)) {
        cmn_err_set(err, 1, "go-jose/go-jose: invalid EC key, X/Y are not on declared curve");
    } else if (d) {
        ecc_scalar_init(&k->ec_d, k->curve);
        k->ec_init = true;
        mpz_from(md, d, dl);
        if (!ecc_scalar_set(&k->ec_d, md))
            cmn_err_set(err, 1, "go-jose/go-jose: invalid EC private key");
        else
            ok = k->priv = true;
    } else {
        ok = true;
    }
    ecc_point_clear(&pt);
    mpz_clears(mx, my, md, NULL);
out:
    if (d)
        memset(d, 0, dl);
    free(x);
    free(y);
    free(d);
    return ok;
}

static bool parse_okp(const json_t *o, struct gw_signing_key *k, struct cmn_err *err)
{
    const char *crv = json_string_value(json_object_get(o, "crv"));
    uint8_t *x = NULL, *d = NULL;
    size_t xl, dl;
    bool ok = false;

    if (!member(o, "x", &x, &xl, err) || !member(o, "d", &d, &dl, err))
        goto out;
    if (!crv || strcmp(crv, "Ed25519") != 0 || !x) {
        cmn_err_set(err, 1, "go-jose/go-jose: unknown curve %s'", crv ? crv : "");
        goto out;
    }
    if (xl != ED25519_KEY_SIZE || (d && dl != ED25519_KEY_SIZE)) {
        cmn_err_set(err, 1, "go-jose/go-jose: invalid Ed25519 key, wrong length");
        goto out;
    }
    memcpy(k->ed_pub, x, xl);
    if (d) {
        /* go-jose signs with d as the seed and x as the public half, as given */
        memcpy(k->ed_seed, d, dl);
        k->priv = true;
    }
    ok = true;
out:
    if (d)
        memset(d, 0, dl);
    free(x);
    free(d);
    return ok;
}

static bool parse_key(const json_t *o, struct gw_signing_key *k, struct cmn_err *err)
{
    const char *kty = json_string_value(json_object_get(o, "kty"));
    json_t *kid = json_object_get(o, "kid");
    static const struct {
        const char *name;
        size_t len;
    } thumbs[] = {{"x5t", 20}, {"x5t#S256", 32}};

    if (!json_is_object(o))
        return cmn_err_set(err, 1, "go-jose/go-jose: a key is not a JSON object"), false;
    if (kid && !json_is_string(kid))
        return cmn_err_set(err, 1, "go-jose/go-jose: kid is not a string"), false;
    if (json_is_string(kid) && !(k->kid = strdup(json_string_value(kid))))
        return cmn_err_set(err, 1, "out of memory"), false;
    for (size_t i = 0; i < 2; i++) { /* go-jose checks the thumbprints' sizes */
        uint8_t *t;
        size_t tl;
        if (!member(o, thumbs[i].name, &t, &tl, err))
            return false;
        free(t);
        if (t && tl != thumbs[i].len)
            return cmn_err_set(err, 1, "go-jose/go-jose: invalid JWK, %s header has invalid size",
                               thumbs[i].name),
                   false;
    }
    if (kty && strcmp(kty, "RSA") == 0)
        return k->kty = KTY_RSA, parse_rsa(o, k, err);
    if (kty && strcmp(kty, "EC") == 0)
        return k->kty = KTY_EC, parse_ec(o, k, err);
    if (kty && strcmp(kty, "OKP") == 0)
        return k->kty = KTY_OKP, parse_okp(o, k, err);
    if (kty && strcmp(kty, "oct") == 0) {
        k->kty = KTY_OCT;
        if (!member(o, "k", &k->secret, &k->secret_len, err))
            return false;
        if (!k->secret || k->secret_len > OCT_MAX)
            return cmn_err_set(err, 1, "go-jose/go-jose: invalid oct key"), false;
        k->priv = true;
        return true;
    }
    return cmn_err_set(err, 1, "go-jose/go-jose: unknown json web key type '%s'", kty ? kty : ""),
           false;
}

struct gw_signing_key *gw_signing_key_load(const char *jwks, size_t len, const char *kid,
                                           struct cmn_err *err)
{
    json_t *doc = cmn_json_loadb_strict(jwks, len, GW_SIGNER_JWKS_MAX_BYTES, JWKS_DEPTH, err);
    json_t *keys = doc ? json_object_get(doc, "keys") : NULL, *o;
    struct gw_signing_key *found = NULL;
    size_t i;

    if (!doc)
        return NULL;
    if (!json_is_array(keys) || json_array_size(keys) == 0) {
        cmn_err_set(err, 1, "no Keys has been found");
        goto out;
    }
    if (json_array_size(keys) > GW_SIGNER_JWKS_MAX_KEYS) {
        cmn_err_set(err, 1, "more than %d keys in the JWK set", GW_SIGNER_JWKS_MAX_KEYS);
        goto out;
    }
    json_array_foreach(keys, i, o)
    {
        struct gw_signing_key *k = calloc(1, sizeof(*k));
        if (!k) {
            cmn_err_set(err, 1, "out of memory");
            goto fail;
        }
        if (!parse_key(o, k, err)) { /* one bad key fails the set, as in go-jose */
            gw_signing_key_destroy(k);
            goto fail;
        }
        if (!found && strcmp(gw_signing_key_kid(k), kid ? kid : "") == 0)
            found = k;
        else
            gw_signing_key_destroy(k);
    }
    if (!found)
        cmn_err_set(err, 1, "no Keys have been found");
    goto out;
fail:
    gw_signing_key_destroy(found);
    found = NULL;
out:
    json_decref(doc);
    return found;
}

/* ---- signing -------------------------------------------------------------------------------- */

bool gw_signing_key_fits(const struct gw_signing_key *k, enum gw_sign_alg alg, struct cmn_err *err)
{
    bool fits;

    if (alg == GW_SIGN_INVALID)
        return cmn_err_set(err, 1, "go-jose/go-jose: unknown/unsupported algorithm"), false;
    if (!k->priv) /* a public key is no signing key */
        return cmn_err_set(err, 1, "go-jose/go-jose: unsupported key type/format"), false;
    switch (k->kty) {
    case KTY_OCT:
        fits = alg >= GW_SIGN_HS256 && alg <= GW_SIGN_HS512;
        break;
    case KTY_RSA:
        fits = alg >= GW_SIGN_RS256 && alg <= GW_SIGN_PS512;
        break;
    case KTY_EC:
        fits = alg >= GW_SIGN_ES256 && alg <= GW_SIGN_ES512;
        break;
    default:
        fits = alg == GW_SIGN_EDDSA;
    }
    if (!fits)
        cmn_err_set(err, 1, "go-jose/go-jose: unknown/unsupported algorithm");
    return fits;
}

struct rnd {
    bool failed;
};

static void rnd(void *ctx, size_t n, uint8_t *dst)
{
    struct rnd *r = ctx;

    if (!cmn_rand_bytes(dst, n)) {
        r->failed = true;
        memset(dst, 0, n);
    }
}

/* SHA-256/384/512 of in into d; returns the digest size (32, 48, 64). */
static size_t digest(int bits, const uint8_t *in, size_t n, uint8_t *d)
{
    struct sha256_ctx s256;
    struct sha384_ctx s384;
    struct sha512_ctx s512;

    if (bits == 256) {
        sha256_init(&s256);
        sha256_update(&s256, n, in);
        sha256_digest(&s256, SHA256_DIGEST_SIZE, d);
        return SHA256_DIGEST_SIZE;
    }
    if (bits == 384) {
        sha384_init(&s384);
        sha384_update(&s384, n, in);
        sha384_digest(&s384, SHA384_DIGEST_SIZE, d);
        return SHA384_DIGEST_SIZE;
    }
    sha512_init(&s512);
    sha512_update(&s512, n, in);
    sha512_digest(&s512, SHA512_DIGEST_SIZE, d);
    return SHA512_DIGEST_SIZE;
}

static size_t hmac(const struct gw_signing_key *k, int bits, const uint8_t *in, size_t n,
                   uint8_t *out)
{
    struct hmac_sha256_ctx h256;
    struct hmac_sha384_ctx h384;
    struct hmac_sha512_ctx h512;

    if (bits == 256) {
        hmac_sha256_set_key(&h256, k->secret_len, k->secret);
        hmac_sha256_update(&h256, n, in);
        hmac_sha256_digest(&h256, SHA256_DIGEST_SIZE, out);
        return SHA256_DIGEST_SIZE;
    }
    if (bits == 384) {
        hmac_sha384_set_key(&h384, k->secret_len, k->secret);
        hmac_sha384_update(&h384, n, in);
        hmac_sha384_digest(&h384, SHA384_DIGEST_SIZE, out);
        return SHA384_DIGEST_SIZE;
    }
    hmac_sha512_set_key(&h512, k->secret_len, k->secret);
    hmac_sha512_update(&h512, n, in);
    hmac_sha512_digest(&h512, SHA512_DIGEST_SIZE, out);
    return SHA512_DIGEST_SIZE;
}

/* DER DigestInfo prefixes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2 note 1). */
static const uint8_t DI_256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t DI_384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
static const uint8_t DI_512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

static bool rsa_sign(const struct gw_signing_key *k, int bits, bool pss, const uint8_t *in,
                     size_t n, uint8_t *out, size_t *out_len, struct cmn_err *err)
{
    uint8_t d[SHA512_DIGEST_SIZE], info[sizeof(DI_512) + SHA512_DIGEST_SIZE],
        salt[SHA512_DIGEST_SIZE];
    const uint8_t *prefix = bits == 256 ? DI_256 : bits == 384 ? DI_384 : DI_512;
    size_t dl = digest(bits, in, n, d), bits_n = mpz_sizeinbase(k->rsa_pub.n, 2);
    struct rnd r = {false};
    mpz_t s;
    int ok;

    if (bits_n < RSA_BITS_MIN)
        return cmn_err_set(err, 1,
                           "crypto/rsa: %zu-bit keys are insecure (see "
                           "https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)",
                           bits_n),
               false;
    if (k->rsa_pub.size > GW_SIGNER_SIG_MAX)
        return cmn_err_set(err, 1, "RSA key too large"), false;
    mpz_init(s);
    if (pss) { /* go-jose: PSSSaltLengthEqualsHash */
        rnd(&r, dl, salt);
        ok =
            bits == 256
                ? rsa_pss_sha256_sign_digest_tr(&k->rsa_pub, &k->rsa_priv, &r, rnd, dl, salt, d, s)
            : bits == 384
                ? rsa_pss_sha384_sign_digest_tr(&k->rsa_pub, &k->rsa_priv, &r, rnd, dl, salt, d, s)
                : rsa_pss_sha512_sign_digest_tr(&k->rsa_pub, &k->rsa_priv, &r, rnd, dl, salt, d, s);
    } else {
        memcpy(info, prefix, sizeof(DI_256));
        memcpy(info + sizeof(DI_256), d, dl);
        ok = rsa_pkcs1_sign_tr(&k->rsa_pub, &k->rsa_priv, &r, rnd, sizeof(DI_256) + dl, info, s);
    }
    if (ok && !r.failed) {
        nettle_mpz_get_str_256(k->rsa_pub.size, out, s);
        *out_len = k->rsa_pub.size;
    } else {
        cmn_err_set(err, 1, "crypto/rsa: signing failed");
    }
    mpz_clear(s);
    return ok && !r.failed;
}

static bool ec_sign(const struct gw_signing_key *k, int bits, const uint8_t *in, size_t n,
                    uint8_t *out, size_t *out_len, struct cmn_err *err)
{
    unsigned want = bits == 512 ? 521 : (unsigned)bits;
    size_t size = (k->curve_bits + 7) / 8, dl;
    uint8_t d[SHA512_DIGEST_SIZE];
    struct dsa_signature sig;
    struct rnd r = {false};

    if (k->curve_bits != want)
        return cmn_err_set(err, 1, "go-jose/go-jose: expected %u bit key, got %u bits instead",
                           want, k->curve_bits),
               false;
    dl = digest(bits, in, n, d);
    dsa_signature_init(&sig);
    ecdsa_sign(&k->ec_d, &r, rnd, dl, d, &sig);
    if (!r.failed) { /* r || s, each left-padded to the curve size (RFC 7518 §3.4) */
        nettle_mpz_get_str_256(size, out, sig.r);
        nettle_mpz_get_str_256(size, out + size, sig.s);
        *out_len = 2 * size;
    } else {
        cmn_err_set(err, 1, "no randomness for ECDSA");
    }
    dsa_signature_clear(&sig);
    return !r.failed;
}

bool gw_signing_key_sign(const struct gw_signing_key *k, enum gw_sign_alg alg, const uint8_t *in,
                         size_t n, uint8_t *out, size_t *out_len, struct cmn_err *err)
{
    static const int bits[] = {0, 256, 384, 512, 256, 384, 512, 256, 384, 512, 256, 384, 512, 0};

    if (!gw_signing_key_fits(k, alg, err))
        return false;
    switch (alg) {
    case GW_SIGN_HS256:
    case GW_SIGN_HS384:
    case GW_SIGN_HS512:
        *out_len = hmac(k, bits[alg], in, n, out);
        return true;
    case GW_SIGN_RS256:
    case GW_SIGN_RS384:
    case GW_SIGN_RS512:
        return rsa_sign(k, bits[alg], false, in, n, out, out_len, err);
    case GW_SIGN_PS256:
    case GW_SIGN_PS384:
    case GW_SIGN_PS512:
        return rsa_sign(k, bits[alg], true, in, n, out, out_len, err);
    case GW_SIGN_ES256:
    case GW_SIGN_ES384:
    case GW_SIGN_ES512:
        return ec_sign(k, bits[alg], in, n, out, out_len, err);
    case GW_SIGN_EDDSA:
        ed25519_sha512_sign(k->ed_pub, k->ed_seed, n, in, out);
        *out_len = ED25519_SIGNATURE_SIZE;
        return true;
    default:
        return cmn_err_set(err, 1, "go-jose/go-jose: unknown/unsupported algorithm"), false;
    }
}
