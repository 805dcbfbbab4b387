/* gw_jws.c - compact JWS parsing and signature verification (RFC 7515, RFC 7518, RFC 8037). */
#include "gw_jws.h"

#include "cmn_b64.h"
#include "cmn_json.h"
#include "gw_jose_json.h"
#include "cmn_str.h"
#include "gw_jwk_int.h"

#include <nettle/bignum.h>
#include <nettle/ecdsa.h>
#include <nettle/eddsa.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>

#include <stdlib.h>
#include <string.h>

#define ED25519_SIG 64
#define ED448_SIG 114

/* DER DigestInfo prefixes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2 note 1). */
static const uint8_t SHA256_DIGEST_INFO[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                             0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                             0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t SHA384_DIGEST_INFO[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                             0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                             0x02, 0x05, 0x00, 0x04, 0x30};
static const uint8_t SHA512_DIGEST_INFO[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                             0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                             0x03, 0x05, 0x00, 0x04, 0x40};

static enum gw_jws_status set(struct cmn_err *err, enum gw_jws_status st, const char *msg)
{
    cmn_err_set(err, (int)st, "%s", msg);
    return st;
}

/* Decodes one strict base64url segment into an owned buffer. */
static bool decode_part(const char *s, size_t n, unsigned char **out, size_t *out_len)
{
    *out = malloc(cmn_b64_decoded_max(n) + 1);
    if (!*out)
        return false;
    if (!cmn_b64url_decode(s, n, *out, out_len)) {
        free(*out);
        *out = NULL;
        return false;
    }
    return true;
}

/* Optional string header member: absent is fine, any other type is a malformed header. */
static bool header_str(json_t *h, const char *name, const char **out)
{
    json_t *v = json_object_get(h, name);

    *out = NULL;
    if (!v)
        return true;
    if (!json_is_string(v))
        return false;
    *out = json_string_value(v);
    return true;
}

static enum gw_jws_status parse_header(struct gw_jws_token *t, const unsigned char *raw, size_t n,
                                       struct cmn_err *err)
{
    struct cmn_err jerr = {0};

    t->header =
        gw_jose_json_load((const char *)raw, n, GW_JWS_MAX_HEADER, GW_JWS_HEADER_DEPTH, &jerr);
    if (!t->header || !json_is_object(t->header)) {
        cmn_err_set(err, GW_JWS_MALFORMED, "JOSE header is not a JSON object%s%s",
                    t->header ? "" : ": ", t->header ? "" : jerr.msg);
        return GW_JWS_MALFORMED;
    }
    /* RFC 7515 §4.1.1: alg is required and a string; its value is compared by the caller. */
    if (!header_str(t->header, "alg", &t->alg) || !t->alg)
        return set(err, GW_JWS_MALFORMED, "JOSE header without a string \"alg\"");
    if (!header_str(t->header, "kid", &t->kid) || !header_str(t->header, "x5t", &t->x5t) ||
        !header_str(t->header, "x5t#S256", &t->x5t_s256))
        return set(err, GW_JWS_MALFORMED, "JOSE header member kid/x5t is not a string");
    /* RFC 7515 §4.1.11: a recipient MUST reject a JWS whose "crit" lists an extension it does
     * not understand; we implement none (not even RFC 7797 "b64"), so any crit is refused. */
    if (json_object_get(t->header, "crit"))
        return set(err, GW_JWS_CRIT,
                   "JOSE header lists critical extensions (crit) that are "
                   "not supported");
    /* jwk, jku, x5u and x5c (RFC 7515 §4.1.2-6) are deliberately never read: the key always
     * comes from the configured key set (RFC 8725 §3.10). */
    return GW_JWS_OK;
}

enum gw_jws_status gw_jws_parse(const char *token, size_t len, struct gw_jws_token *out,
                                struct cmn_err *err)
{
    const char *dot1, *dot2;
    unsigned char *hdr = NULL;
    size_t hdr_len;
    enum gw_jws_status st = GW_JWS_MALFORMED;

    memset(out, 0, sizeof(*out));
    if (!token || len == 0)
        return set(err, GW_JWS_MALFORMED, "empty token");
    if (len > GW_JWS_MAX_TOKEN) {
        cmn_err_set(err, GW_JWS_MALFORMED, "token of %zu bytes is over the limit of %d", len,
                    GW_JWS_MAX_TOKEN);
        return GW_JWS_MALFORMED;
    }
    /* RFC 7515 §7.1: exactly three parts; a JWE (RFC 7516 §7.1) has five and is refused. */
    dot1 = memchr(token, '.', len);
    dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (!dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
        return set(err, GW_JWS_MALFORMED, "token is not a compact JWS of three parts");
    if (dot1 == token || dot2 == dot1 + 1 || dot2 + 1 == token + len)
        return set(err, GW_JWS_MALFORMED, "token has an empty part (unsecured or detached)");
    out->signing_input = token;
    out->signing_input_len = (size_t)(dot2 - token);
    if (!decode_part(token, (size_t)(dot1 - token), &hdr, &hdr_len) ||
        !decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1), &out->payload, &out->payload_len) ||
        !decode_part(dot2 + 1, len - (size_t)(dot2 + 1 - token), &out->sig, &out->sig_len)) {
        st = set(err, GW_JWS_MALFORMED, "token part is not strict base64url (RFC 7515 §2)");
        goto out;
    }
    st = parse_header(out, hdr, hdr_len, err);
out:
    free(hdr);
    if (st != GW_JWS_OK)
        gw_jws_token_free(out);
    return st;
}

void gw_jws_token_free(struct gw_jws_token *t)
{
    if (!t)
        return;
    json_decref(t->header);
    free(t->payload);
    free(t->sig);
    memset(t, 0, sizeof(*t));
}

static enum gw_jwk_curve curve_for(enum gw_jose_alg alg)
{
    switch (alg) {
    case GW_ALG_ES256:
        return GW_CRV_P256;
    case GW_ALG_ES384:
        return GW_CRV_P384;
    case GW_ALG_ES512:
        return GW_CRV_P521;
    default:
        return GW_CRV_NONE;
    }
}

/* Type and curve only: the part of key fitness that verification itself depends on. */
static enum gw_jws_status type_fits(enum gw_jose_alg alg, const struct gw_jwk *key,
                                    struct cmn_err *err)
{
    bool ok;

    if (!key)
        return set(err, GW_JWS_KEY_UNFIT, "no key");
    if (gw_jose_alg_is_hmac(alg))
        ok = key->type == GW_JWK_OCT; /* never an RSA/EC key as an HMAC secret */
    else if (gw_jose_alg_is_rsa(alg))
        ok = key->type == GW_JWK_RSA;
    else if (gw_jose_alg_is_ecdsa(alg))
        ok = key->type == GW_JWK_EC && key->crv == curve_for(alg);
    else if (alg == GW_ALG_EDDSA)
        ok = key->type == GW_JWK_OKP && (key->crv == GW_CRV_ED25519 || key->crv == GW_CRV_ED448);
    else
        ok = false;
    if (!ok) {
        cmn_err_set(err, GW_JWS_KEY_UNFIT, "key of type %s%s%s does not fit algorithm %s",
                    key->kty ? key->kty : "?", key->crv_name ? "/" : "",
                    key->crv_name ? key->crv_name : "", gw_jose_alg_name(alg));
        return GW_JWS_KEY_UNFIT;
    }
    return GW_JWS_OK;
}

enum gw_jws_status gw_jws_key_fits(enum gw_jose_alg alg, const struct gw_jwk *key,
                                   struct cmn_err *err)
{
    enum gw_jws_status st = type_fits(alg, key, err);

    if (st != GW_JWS_OK)
        return st;
    /* RFC 7517 §4.4: the key's alg names the one algorithm it is intended for. */
    if (key->alg && strcmp(key->alg, gw_jose_alg_name(alg)) != 0) {
        cmn_err_set(err, GW_JWS_KEY_UNFIT, "key is for algorithm %s, not %s", key->alg,
                    gw_jose_alg_name(alg));
        return GW_JWS_KEY_UNFIT;
    }
    /* RFC 7518 §3.2: a key of the same size as the hash output or larger MUST be used. */
    if (gw_jose_alg_is_hmac(alg) && key->raw_len < gw_jose_alg_hash_len(alg)) {
        cmn_err_set(err, GW_JWS_KEY_UNFIT,
                    "HMAC key of %zu bytes is shorter than %zu (RFC 7518 "
                    "§3.2)",
                    key->raw_len, gw_jose_alg_hash_len(alg));
        return GW_JWS_KEY_UNFIT;
    }
    /* RFC 7518 §3.3 / §3.5: a key of size 2048 bits or larger MUST be used. */
    if (gw_jose_alg_is_rsa(alg) && gw_jwk_rsa_bits(key) < 2048) {
        cmn_err_set(err, GW_JWS_KEY_UNFIT,
                    "RSA key of %zu bits is shorter than 2048 (RFC 7518 "
                    "§3.3)",
                    gw_jwk_rsa_bits(key));
        return GW_JWS_KEY_UNFIT;
    }
    return GW_JWS_OK;
}

static bool verify_hmac(enum gw_jose_alg alg, const struct gw_jwk *key, const void *msg, size_t n,
                        const unsigned char *sig, size_t sig_len)
{
    uint8_t mac[SHA512_DIGEST_SIZE];
    size_t want = gw_jose_alg_hash_len(alg);

    if (sig_len != want)
        return false;
    if (alg == GW_ALG_HS256) {
        struct hmac_sha256_ctx c;
        hmac_sha256_set_key(&c, key->raw_len, key->raw);
        hmac_sha256_update(&c, n, msg);
        hmac_sha256_digest(&c, SHA256_DIGEST_SIZE, mac);
    } else if (alg == GW_ALG_HS384) {
        struct hmac_sha384_ctx c;
        hmac_sha384_set_key(&c, key->raw_len, key->raw);
        hmac_sha384_update(&c, n, msg);
        hmac_sha384_digest(&c, SHA384_DIGEST_SIZE, mac);
    } else {
        struct hmac_sha512_ctx c;
        hmac_sha512_set_key(&c, key->raw_len, key->raw);
        hmac_sha512_update(&c, n, msg);
        hmac_sha512_digest(&c, SHA512_DIGEST_SIZE, mac);
    }
    /* RFC 7515 §10.7 / RFC 8725 §3.4: compare in constant time. */
    return cmn_ct_equal(mac, sig, want);
}

static void digest(enum gw_jose_alg alg, const void *msg, size_t n, uint8_t *out)
{
    size_t len = gw_jose_alg_hash_len(alg);

    if (len == SHA256_DIGEST_SIZE) {
        struct sha256_ctx c;
        sha256_init(&c);
        sha256_update(&c, n, msg);
        sha256_digest(&c, len, out);
    } else if (len == SHA384_DIGEST_SIZE) {
        struct sha384_ctx c;
        sha384_init(&c);
        sha384_update(&c, n, msg);
        sha384_digest(&c, len, out);
    } else {
        struct sha512_ctx c;
        sha512_init(&c);
        sha512_update(&c, n, msg);
        sha512_digest(&c, len, out);
    }
}

/* Big-endian bytes to a number a limb at a time (nettle_mpz_set_str_256_u goes through
 * mpz_import byte by byte: 7,700 instructions for a 2048-bit signature). */
static void mpz_from_be(mpz_t x, const uint8_t *p, size_t n)
{
    size_t limbs = (n + sizeof(mp_limb_t) - 1) / sizeof(mp_limb_t);
    mp_limb_t *l;

    if (n == 0) {
        mpz_set_ui(x, 0);
        return;
    }
    l = mpz_limbs_write(x, (mp_size_t)limbs);
    for (size_t i = 0; i < limbs; i++) {
        size_t end = n - i * sizeof(mp_limb_t);
        size_t start = end > sizeof(mp_limb_t) ? end - sizeof(mp_limb_t) : 0;
        mp_limb_t v = 0;
        for (size_t j = start; j < end; j++)
            v = v << 8 | p[j];
        l[i] = v;
    }
    mpz_limbs_finish(x, (mp_size_t)limbs);
}

/* RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) given the hash h of hl bytes and its
 * DigestInfo prefix: s in [1, n-1], m = s^e mod n (gw_jwk_rsa_public), and I2OSP(m, k) must
 * be exactly 0x00 0x01 0xff.. 0x00 DigestInfo h. The comparison is of octet strings, as the
 * RFC words it (nettle compares numbers, building one from the expected octets, at the cost
 * of a slow import); both refuse and accept the same signatures. */
static bool pkcs1_v15_ok(const struct gw_jwk *jwk, const uint8_t *info, size_t info_len,
                         const uint8_t *h, size_t hl, const mpz_t s)
{
    const struct rsa_public_key *key = &jwk->rsa;
    uint8_t em[GW_JWK_RSA_N_MAX], want[GW_JWK_RSA_N_MAX];
    size_t k = key->size, pad, limbs;
    const mp_limb_t *l;
    mpz_t m;
    bool ok;

    /* RFC 8017 §9.2 step 3: at least eight 0xff octets */
    if (k > sizeof(em) || k < info_len + hl + 11)
        return false;
    if (mpz_sgn(s) <= 0 || mpz_cmp(s, key->n) >= 0)
        return false;
    mpz_init(m);
    gw_jwk_rsa_public(jwk, m, s);
    /* I2OSP(m, k): m < n < 256^k, so it fits */
    ok = mpz_sizeinbase(m, 256) <= k;
    memset(em, 0, k);
    limbs = mpz_size(m);
    l = mpz_limbs_read(m);
    for (size_t i = 0; ok && i < limbs; i++)
        for (size_t b = 0; b < sizeof(mp_limb_t) && i * sizeof(mp_limb_t) + b < k; b++)
            em[k - 1 - (i * sizeof(mp_limb_t) + b)] = (uint8_t)(l[i] >> (8 * b));
    mpz_clear(m);
    pad = k - info_len - hl - 3;
    want[0] = 0x00;
    want[1] = 0x01;
    memset(want + 2, 0xff, pad);
    want[2 + pad] = 0x00;
    memcpy(want + 3 + pad, info, info_len);
    memcpy(want + 3 + pad + info_len, h, hl);
    return ok && memcmp(em, want, k) == 0;
}

static bool verify_rsa(enum gw_jose_alg alg, const struct gw_jwk *key, const void *msg, size_t n,
                       const unsigned char *sig, size_t sig_len)
{
    uint8_t h[SHA512_DIGEST_SIZE];
    size_t hl = gw_jose_alg_hash_len(alg);
    mpz_t s;
    int ok;

    /* RFC 8017 §8.2.2 step 1 / §8.1.2 step 1: the signature is exactly k octets long. */
    if (sig_len != key->rsa.size)
        return false;
    digest(alg, msg, n, h);
    mpz_init(s);
    mpz_from_be(s, sig, sig_len);
    if (mpz_cmp(s, key->rsa.n) >= 0) {
        ok = 0;
    } else if (alg == GW_ALG_RS256) {
        ok = pkcs1_v15_ok(key, SHA256_DIGEST_INFO, sizeof(SHA256_DIGEST_INFO), h, hl, s);
    } else if (alg == GW_ALG_RS384) {
        ok = pkcs1_v15_ok(key, SHA384_DIGEST_INFO, sizeof(SHA384_DIGEST_INFO), h, hl, s);
    } else if (alg == GW_ALG_RS512) {
        ok = pkcs1_v15_ok(key, SHA512_DIGEST_INFO, sizeof(SHA512_DIGEST_INFO), h, hl, s);
    } else if (alg == GW_ALG_PS256) {
        /* RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output. */
        ok = rsa_pss_sha256_verify_digest(&key->rsa, hl, h, s);
    } else if (alg == GW_ALG_PS384) {
        ok = rsa_pss_sha384_verify_digest(&key->rsa, hl, h, s);
    } else {
        ok = rsa_pss_sha512_verify_digest(&key->rsa, hl, h, s);
    }
    mpz_clear(s);
    return ok != 0;
}

/* Group orders of P-256, P-384, P-521 (SEC 2 §2.4.2, §2.5.1, §2.6.1). */
static const char *const CURVE_ORDER[] = {
    "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC529"
    "73",
    "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F7"
    "09A5D03BB5C9B8899C47AEBB6FB71E91386409",
};

/* nettle's ecdsa_verify adds u1*G and u2*Q with a formula that cannot double, so a valid
 * signature where u1*G == u2*Q fails there (its source says so; Wycheproof "point duplication").
 * Only then do we finish the check with nettle's public point operations: the sum is
 * (2*u1)*G, and the signature holds when its x coordinate is r mod q (FIPS 186-5 §6.4.2).
 * The scalar arithmetic is GMP's; the curve arithmetic nettle's. */
static bool ecdsa_point_dup(const struct gw_jwk *key, const uint8_t *h, size_t hl,
                            const struct dsa_signature *ds)
{
    const struct ecc_curve *c = key->ec.ecc;
    mpz_t q, w, u1, u2, x1, y1, x2, y2;
    struct ecc_scalar s1, s2;
    struct ecc_point p1, p2;
    bool ok = false;

    mpz_inits(q, w, u1, u2, x1, y1, x2, y2, NULL);
    ecc_scalar_init(&s1, c);
    ecc_scalar_init(&s2, c);
    ecc_point_init(&p1, c);
    ecc_point_init(&p2, c);
    mpz_set_str(q, CURVE_ORDER[key->crv - GW_CRV_P256], 16);
    nettle_mpz_set_str_256_u(u1, hl, h); /* hash no longer than q's bit size for ES* */
    if (mpz_cmp(ds->r, q) >= 0 || mpz_cmp(ds->s, q) >= 0 || !mpz_invert(w, ds->s, q))
        goto out;
    mpz_mul(u1, u1, w);
    mpz_mod(u1, u1, q);
    mpz_mul(u2, ds->r, w);
    mpz_mod(u2, u2, q);
    if (!ecc_scalar_set(&s1, u1) || !ecc_scalar_set(&s2, u2))
        goto out;
    ecc_point_mul_g(&p1, &s1);
    ecc_point_mul(&p2, &s2, &key->ec);
    ecc_point_get(&p1, x1, y1);
    ecc_point_get(&p2, x2, y2);
    if (mpz_cmp(x1, x2) != 0 || mpz_cmp(y1, y2) != 0)
        goto out; /* not the doubling case: nettle's verdict stands */
    mpz_mul_2exp(u1, u1, 1);
    mpz_mod(u1, u1, q);
    if (!ecc_scalar_set(&s1, u1))
        goto out;
    ecc_point_mul_g(&p1, &s1);
    ecc_point_get(&p1, x1, y1);
    mpz_mod(x1, x1, q);
    ok = mpz_cmp(x1, ds->r) == 0;
out:
    ecc_point_clear(&p1);
    ecc_point_clear(&p2);
    ecc_scalar_clear(&s1);
    ecc_scalar_clear(&s2);
    mpz_clears(q, w, u1, u2, x1, y1, x2, y2, NULL);
    return ok;
}

static bool verify_ecdsa(enum gw_jose_alg alg, const struct gw_jwk *key, const void *msg, size_t n,
                         const unsigned char *sig, size_t sig_len)
{
    uint8_t h[SHA512_DIGEST_SIZE];
    size_t half = (ecc_bit_size(key->ec.ecc) + 7) / 8;
    struct dsa_signature ds;
    int ok;

    /* RFC 7518 §3.4: R and S as fixed-size big-endian octet strings, concatenated. A DER
     * signature, or any other length, is refused. */
    if (sig_len != 2 * half)
        return false;
    digest(alg, msg, n, h);
    dsa_signature_init(&ds);
    nettle_mpz_set_str_256_u(ds.r, half, sig);
    nettle_mpz_set_str_256_u(ds.s, half, sig + half);
    /* r, s in [1, q-1] is checked by nettle too; zero is spelled out for the reader. */
    if (mpz_sgn(ds.r) == 0 || mpz_sgn(ds.s) == 0)
        ok = 0;
    else
        ok = ecdsa_verify(&key->ec, gw_jose_alg_hash_len(alg), h, &ds) ||
             ecdsa_point_dup(key, h, gw_jose_alg_hash_len(alg), &ds);
    dsa_signature_clear(&ds);
    return ok != 0;
}

static bool verify_eddsa(const struct gw_jwk *key, const void *msg, size_t n,
                         const unsigned char *sig, size_t sig_len)
{
    if (key->crv == GW_CRV_ED25519)
        return sig_len == ED25519_SIG && ed25519_sha512_verify(key->raw, n, msg, sig);
    /* RFC 8032 §5.2.7: S must be below L, so the last of its 57 octets is zero; nettle only
     * range-checks the first 56 (Wycheproof ed448 tcId 76). */
    return sig_len == ED448_SIG && sig[ED448_SIG - 1] == 0 &&
           ed448_shake256_verify(key->raw, n, msg, sig);
}

enum gw_jws_status gw_jws_verify(enum gw_jose_alg alg, const struct gw_jwk *key, const void *msg,
                                 size_t msg_len, const unsigned char *sig, size_t sig_len,
                                 struct cmn_err *err)
{
    enum gw_jws_status st = type_fits(alg, key, err);
    bool ok;

    if (st != GW_JWS_OK)
        return st;
    if (!sig || sig_len == 0 || sig_len > GW_JWS_MAX_SIG)
        return set(err, GW_JWS_BAD_SIGNATURE, "signature of a wrong length");
    if (gw_jose_alg_is_hmac(alg))
        ok = verify_hmac(alg, key, msg, msg_len, sig, sig_len);
    else if (gw_jose_alg_is_rsa(alg))
        ok = verify_rsa(alg, key, msg, msg_len, sig, sig_len);
    else if (gw_jose_alg_is_ecdsa(alg))
        ok = verify_ecdsa(alg, key, msg, msg_len, sig, sig_len);
    else
        ok = verify_eddsa(key, msg, msg_len, sig, sig_len);
    if (!ok)
        return set(err, GW_JWS_BAD_SIGNATURE, "go-jose/go-jose: error in cryptographic primitive");
    return GW_JWS_OK;
}
