/* gw_jwk.c - strict JWK / JWK Set parsing (RFC 7517, RFC 7518 §6, RFC 8037 §2) into immutable,
 * reference-counted key sets with nettle key structures ready for verification. */
#include "gw_jwk_int.h"

#include "cmn_b64.h"
#include "cmn_json.h"
#include "cmn_str.h"

#include <nettle/bignum.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define JWKS_MAX_DEPTH 16
#define MEMBER_MAX 1024 /* kid, alg, use, crv: real ones are far shorter */
#define RSA_E_MAX 4     /* e < 2^32, as Go's crypto/rsa requires */
#define X5C_MAX_CERTS 10
#define X5C_CERT_MAX (16 * 1024) /* DER bytes of one certificate */

struct gw_jwks {
    atomic_uint refs;
    uint64_t serial;
    size_t n;
    struct gw_jwk **keys;
};

static atomic_uint_fast64_t next_serial = 1;

/* Members that mean "private key": a JWKS is public, and go-jose refuses to verify with them. */
static const char *const PRIVATE_MEMBERS[] = {"d", "p", "q", "dp", "dq", "qi", "oth"};

/* Copies an optional string member into *out (owned). Absent: *out stays NULL, true. */
static bool opt_str(const json_t *obj, const char *name, char **out, struct cmn_err *err)
{
    json_t *v = json_object_get(obj, name);

    if (!v)
        return true;
    if (!json_is_string(v)) {
        cmn_err_set(err, 1, "member \"%s\" is not a string", name);
        return false;
    }
    if (json_string_length(v) > MEMBER_MAX) {
        cmn_err_set(err, 1, "member \"%s\" is longer than %d bytes", name, MEMBER_MAX);
        return false;
    }
    *out = cmn_strndup(json_string_value(v), json_string_length(v));
    if (!*out) {
        cmn_err_set(err, 1, "out of memory");
        return false;
    }
    return true;
}

/* Decodes a required base64url member (RFC 7518 §6: Base64urlUInt / octets) into out. */
static bool b64u_member(const json_t *obj, const char *name, unsigned char *out, size_t max,
                        size_t *out_len, struct cmn_err *err)
{
    json_t *v = json_object_get(obj, name);
    size_t n;

    if (!json_is_string(v)) {
        cmn_err_set(err, 1, "member \"%s\" is missing or not a string", name);
        return false;
    }
    n = json_string_length(v);
    if (n == 0 || n > cmn_b64url_encoded_len(max)) {
        cmn_err_set(err, 1, "member \"%s\" is empty or longer than %zu bytes", name, max);
        return false;
    }
    {
        unsigned char *tmp = malloc(cmn_b64_decoded_max(n));
        bool ok;
        if (!tmp) {
            cmn_err_set(err, 1, "out of memory");
            return false;
        }
        ok = cmn_b64url_decode(json_string_value(v), n, tmp, out_len) && *out_len <= max;
        if (ok)
            memcpy(out, tmp, *out_len);
        free(tmp);
        if (!ok) {
            cmn_err_set(err, 1, "member \"%s\" is not strict base64url", name);
            return false;
        }
    }
    return true;
}

static void fingerprint_add(struct sha256_ctx *c, const void *p, size_t n)
{
    uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};

    sha256_update(c, sizeof(len), len);
    sha256_update(c, n, p);
}

/* Montgomery constants of an odd modulus n of L limbs, R = 2^(limb bits * L): R^2 mod n, and
 * -1/n mod 2^(limb bits) by Newton's iteration (each step doubles the correct low bits; an odd
 * n is its own inverse to 3 bits). */
static void montgomery_prepare(struct gw_jwk *k)
{
    mp_limb_t n0 = mpz_getlimbn(k->rsa.n, 0), inv = n0;

    for (int i = 0; i < 6; i++)
        inv *= 2 - n0 * inv;
    k->rsa_ninv = -inv;
    mpz_set_ui(k->rsa_rr, 0);
    mpz_setbit(k->rsa_rr, 2 * GMP_NUMB_BITS * mpz_size(k->rsa.n));
    mpz_mod(k->rsa_rr, k->rsa_rr, k->rsa.n);
}

#define RSA_LIMBS_MAX (GW_JWK_RSA_N_MAX * 8 / GMP_NUMB_BITS)

/* Montgomery reduction (REDC): r = t / R mod n, fully reduced, for t < n * R of 2L limbs
 * (destroyed). Each step adds a multiple of n that clears the lowest limb and parks the carry
 * in that limb, to be added at the end (as GMP's mpn_redc_1 does). */
static void redc(mp_limb_t *r, mp_limb_t *t, const mp_limb_t *n, mp_size_t l, mp_limb_t ninv)
{
    mp_limb_t cy;

    for (mp_size_t i = 0; i < l; i++)
        t[i] = mpn_addmul_1(t + i, n, l, t[i] * ninv);
    cy = mpn_add_n(r, t + l, t, l);
    /* the sum is below 2n: one subtraction reduces it (with cy, it wraps to the right value) */
    if (cy || mpn_cmp(r, n, l) >= 0)
        mpn_sub_n(r, r, n, l);
}

/* s^e mod n, left to right, in Montgomery form: x = sR, acc = x^(e's leading bits) R; e is odd,
 * so the last step multiplies by s itself, which also leaves Montgomery form. For e = 65537:
 * 16 squarings, 2 multiplications, 18 reductions. mpz_powm spends 20 reductions, a division
 * and a table on the same work: it knows nothing of the key in advance. */
void gw_jwk_rsa_public(const struct gw_jwk *k, mpz_t out, const mpz_t s)
{
    mp_size_t l = (mp_size_t)mpz_size(k->rsa.n);
    const mp_limb_t *n = mpz_limbs_read(k->rsa.n);
    mp_limb_t sb[RSA_LIMBS_MAX], x[RSA_LIMBS_MAX], acc[RSA_LIMBS_MAX], rr[RSA_LIMBS_MAX];
    mp_limb_t t[2 * RSA_LIMBS_MAX], *o;
    unsigned long e = mpz_get_ui(k->rsa.e);
    int top;

    if (l > RSA_LIMBS_MAX || mpz_sgn(s) < 0 || mpz_cmp(s, k->rsa.n) >= 0 ||
        !mpz_fits_ulong_p(k->rsa.e) || e < 3 || !(e & 1)) {
        mpz_powm(out, s, k->rsa.e, k->rsa.n); /* not a key gw_jwk_from_json accepts */
        return;
    }
    memset(sb, 0, (size_t)l * sizeof(mp_limb_t));
    memcpy(sb, mpz_limbs_read(s), mpz_size(s) * sizeof(mp_limb_t));
    memset(rr, 0, (size_t)l * sizeof(mp_limb_t));
    memcpy(rr, mpz_limbs_read(k->rsa_rr), mpz_size(k->rsa_rr) * sizeof(mp_limb_t));
    mpn_mul_n(t, sb, rr, l);
    redc(x, t, n, l, k->rsa_ninv);
    memcpy(acc, x, (size_t)l * sizeof(mp_limb_t));
    top = (int)(sizeof(e) * 8) - 1 - __builtin_clzl(e);
    for (int b = top - 1; b >= 1; b--) {
        mpn_sqr(t, acc, l);
        redc(acc, t, n, l, k->rsa_ninv);
        if (e >> b & 1) {
            mpn_mul_n(t, acc, x, l);
            redc(acc, t, n, l, k->rsa_ninv);
        }
    }
    mpn_sqr(t, acc, l);
    redc(acc, t, n, l, k->rsa_ninv);
    mpn_mul_n(t, acc, sb, l);
    redc(acc, t, n, l, k->rsa_ninv);
    o = mpz_limbs_write(out, l);
    memcpy(o, acc, (size_t)l * sizeof(mp_limb_t));
    mpz_limbs_finish(out, l);
}

static bool parse_rsa(const json_t *obj, struct gw_jwk *k, struct sha256_ctx *fp,
                      struct cmn_err *err)
{
    unsigned char n[GW_JWK_RSA_N_MAX], e[RSA_E_MAX + 4];
    size_t n_len, e_len;

    if (!b64u_member(obj, "n", n, sizeof(n), &n_len, err) ||
        !b64u_member(obj, "e", e, sizeof(e), &e_len, err))
        return false;
    rsa_public_key_init(&k->rsa);
    mpz_init(k->rsa_rr);
    k->type = GW_JWK_RSA;
    nettle_mpz_set_str_256_u(k->rsa.n, n_len, n);
    nettle_mpz_set_str_256_u(k->rsa.e, e_len, e);
    /* An even or tiny exponent is no RSA key; a huge one makes verification slow. */
    if (mpz_sizeinbase(k->rsa.e, 256) > RSA_E_MAX || mpz_cmp_ui(k->rsa.e, 3) < 0 ||
        mpz_even_p(k->rsa.e)) {
        cmn_err_set(err, 1, "RSA exponent \"e\" is not an odd number in [3, 2^32)");
        return false;
    }
    if (mpz_even_p(k->rsa.n) || !rsa_public_key_prepare(&k->rsa)) {
        cmn_err_set(err, 1, "RSA modulus \"n\" is not a usable modulus");
        return false;
    }
    montgomery_prepare(k);
    fingerprint_add(fp, n, n_len);
    fingerprint_add(fp, e, e_len);
    return true;
}

static const struct ecc_curve *curve_of(enum gw_jwk_curve c)
{
    switch (c) {
    case GW_CRV_P256:
        return nettle_get_secp_256r1();
    case GW_CRV_P384:
        return nettle_get_secp_384r1();
    case GW_CRV_P521:
        return nettle_get_secp_521r1();
    default:
        return NULL;
    }
}

static bool parse_ec(const json_t *obj, struct gw_jwk *k, struct sha256_ctx *fp,
                     struct cmn_err *err)
{
    unsigned char x[66], y[66];
    size_t x_len, y_len, want;
    const struct ecc_curve *curve;
    mpz_t mx, my;
    bool ok;

    if (!k->crv_name) {
        cmn_err_set(err, 1, "EC key without \"crv\"");
        return false;
    }
    if (strcmp(k->crv_name, "P-256") == 0)
        k->crv = GW_CRV_P256, want = 32;
    else if (strcmp(k->crv_name, "P-384") == 0)
        k->crv = GW_CRV_P384, want = 48;
    else if (strcmp(k->crv_name, "P-521") == 0)
        k->crv = GW_CRV_P521, want = 66;
    else {
        cmn_err_set(err, 1, "EC curve \"%s\" is not supported", k->crv_name);
        return false;
    }
    if (!b64u_member(obj, "x", x, sizeof(x), &x_len, err) ||
        !b64u_member(obj, "y", y, sizeof(y), &y_len, err))
        return false;
    /* RFC 7518 §6.2.1.2/3: x and y MUST be the full size of a coordinate of the curve. */
    if (x_len != want || y_len != want) {
        cmn_err_set(err, 1, "EC coordinates must be %zu bytes for %s", want, k->crv_name);
        return false;
    }
    curve = curve_of(k->crv);
    ecc_point_init(&k->ec, curve);
    k->type = GW_JWK_EC;
    mpz_init(mx);
    mpz_init(my);
    nettle_mpz_set_str_256_u(mx, x_len, x);
    nettle_mpz_set_str_256_u(my, y_len, y);
    ok = ecc_point_set(&k->ec, mx, my) != 0; /* refuses points not on the curve */
    mpz_clear(mx);
    mpz_clear(my);
    if (!ok) {
        cmn_err_set(err, 1, "EC point is not on curve %s", k->crv_name);
        return false;
    }
    fingerprint_add(fp, x, x_len);
    fingerprint_add(fp, y, y_len);
    return true;
}

static bool parse_okp(const json_t *obj, struct gw_jwk *k, struct sha256_ctx *fp,
                      struct cmn_err *err)
{
    size_t want;

    if (!k->crv_name) {
        cmn_err_set(err, 1, "OKP key without \"crv\"");
        return false;
    }
    /* RFC 8037 §3.1: only Ed25519 and Ed448 sign; X25519/X448 are for key agreement. */
    if (strcmp(k->crv_name, "Ed25519") == 0)
        k->crv = GW_CRV_ED25519, want = 32;
    else if (strcmp(k->crv_name, "Ed448") == 0)
        k->crv = GW_CRV_ED448, want = 57;
    else {
        cmn_err_set(err, 1, "OKP curve \"%s\" is not a signature curve", k->crv_name);
        return false;
    }
    if (!b64u_member(obj, "x", k->raw, GW_JWK_OKP_MAX, &k->raw_len, err))
        return false;
    if (k->raw_len != want) {
        cmn_err_set(err, 1, "OKP \"x\" must be %zu bytes for %s", want, k->crv_name);
        return false;
    }
    k->type = GW_JWK_OKP;
    fingerprint_add(fp, k->raw, k->raw_len);
    return true;
}

static bool parse_oct(const json_t *obj, struct gw_jwk *k, struct sha256_ctx *fp,
                      struct cmn_err *err)
{
    if (json_object_get(obj, "x5c")) {
        cmn_err_set(err, 1, "oct key with a certificate chain");
        return false;
    }
    if (!b64u_member(obj, "k", k->raw, GW_JWK_OCT_MAX, &k->raw_len, err))
        return false;
    k->type = GW_JWK_OCT;
    fingerprint_add(fp, k->raw, k->raw_len);
    return true;
}

/* Re-encodes a thumbprint member as unpadded base64url of exactly want bytes. */
static bool parse_thumbprint(const json_t *obj, const char *name, size_t want, char **out,
                             struct cmn_err *err)
{
    unsigned char d[32];
    size_t len;

    if (!json_object_get(obj, name))
        return true;
    if (!b64u_member(obj, name, d, sizeof(d), &len, err))
        return false;
    if (len != want) {
        cmn_err_set(err, 1, "member \"%s\" is not a %zu-byte thumbprint", name, want);
        return false;
    }
    *out = malloc(cmn_b64url_encoded_len(want) + 1);
    if (!*out) {
        cmn_err_set(err, 1, "out of memory");
        return false;
    }
    cmn_b64url_encode(d, want, *out);
    return true;
}

/* x5c (RFC 7517 §4.7): standard base64 DER certificates. The leaf's thumbprints must agree
 * with x5t / x5t#S256 when those are given, and stand in for them when they are not. */
static bool parse_x5c(const json_t *obj, struct gw_jwk *k, struct cmn_err *err)
{
    json_t *arr = json_object_get(obj, "x5c");
    json_t *leaf;
    unsigned char *der = NULL;
    size_t der_len;
    uint8_t h1[SHA1_DIGEST_SIZE], h256[SHA256_DIGEST_SIZE];
    char e1[32], e256[48];
    bool ok = false;

    if (!arr)
        return true;
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > X5C_MAX_CERTS) {
        cmn_err_set(err, 1, "member \"x5c\" is not an array of 1 to %d certificates",
                    X5C_MAX_CERTS);
        return false;
    }
    leaf = json_array_get(arr, 0);
    if (!json_is_string(leaf) || json_string_length(leaf) > X5C_CERT_MAX * 4 / 3 + 4) {
        cmn_err_set(err, 1, "x5c[0] is not a certificate");
        return false;
    }
    der = malloc(cmn_b64_decoded_max(json_string_length(leaf)));
    if (!der || !cmn_b64_decode(json_string_value(leaf), json_string_length(leaf), der, &der_len) ||
        der_len == 0) {
        cmn_err_set(err, 1, "x5c[0] is not strict base64");
        goto out;
    }
    {
        struct sha1_ctx c1;
        struct sha256_ctx c256;
        sha1_init(&c1);
        sha1_update(&c1, der_len, der);
        sha1_digest(&c1, sizeof(h1), h1);
        sha256_init(&c256);
        sha256_update(&c256, der_len, der);
        sha256_digest(&c256, sizeof(h256), h256);
    }
    cmn_b64url_encode(h1, sizeof(h1), e1);
    cmn_b64url_encode(h256, sizeof(h256), e256);
    if ((k->x5t && strcmp(k->x5t, e1) != 0) || (k->x5t_s256 && strcmp(k->x5t_s256, e256) != 0)) {
        cmn_err_set(err, 1, "x5c thumbprint does not match x5t");
        goto out;
    }
    if (!k->x5t)
        k->x5t = cmn_strndup(e1, strlen(e1));
    if (!k->x5t_s256)
        k->x5t_s256 = cmn_strndup(e256, strlen(e256));
    if (!k->x5t || !k->x5t_s256) {
        cmn_err_set(err, 1, "out of memory");
        goto out;
    }
    ok = true;
out:
    free(der);
    return ok;
}

/* RFC 7517 §4.2/§4.3: a key published for encryption only is not for verifying tokens. */
static bool usable_for_signatures(const json_t *obj, const struct gw_jwk *k, struct cmn_err *err)
{
    json_t *ops = json_object_get(obj, "key_ops");

    if (k->use && strcmp(k->use, "sig") != 0) {
        cmn_err_set(err, 1, "key \"use\" is \"%s\", not \"sig\"", k->use);
        return false;
    }
    if (ops) {
        size_t i;
        json_t *op;
        bool verify = false;
        if (!json_is_array(ops)) {
            cmn_err_set(err, 1, "member \"key_ops\" is not an array");
            return false;
        }
        json_array_foreach(ops, i, op)
        {
            if (json_is_string(op) && strcmp(json_string_value(op), "verify") == 0)
                verify = true;
        }
        if (!verify) {
            cmn_err_set(err, 1, "key_ops does not include \"verify\"");
            return false;
        }
    }
    return true;
}

struct gw_jwk *gw_jwk_from_json(const json_t *obj, struct cmn_err *err)
{
    struct gw_jwk *k = NULL;
    struct sha256_ctx fp;
    bool ok = false;

    if (!json_is_object(obj)) {
        cmn_err_set(err, 1, "key is not a JSON object");
        return NULL;
    }
    k = calloc(1, sizeof(*k));
    if (!k) {
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    if (!opt_str(obj, "kty", &k->kty, err) || !opt_str(obj, "kid", &k->kid, err) ||
        !opt_str(obj, "alg", &k->alg, err) || !opt_str(obj, "use", &k->use, err) ||
        !opt_str(obj, "crv", &k->crv_name, err))
        goto out;
    if (!k->kty) {
        cmn_err_set(err, 1, "key without \"kty\"");
        goto out;
    }
    if (strcmp(k->kty, "oct") != 0) {
        for (size_t i = 0; i < sizeof(PRIVATE_MEMBERS) / sizeof(PRIVATE_MEMBERS[0]); i++) {
            if (json_object_get(obj, PRIVATE_MEMBERS[i])) {
                cmn_err_set(err, 1, "key carries private material (\"%s\")", PRIVATE_MEMBERS[i]);
                goto out;
            }
        }
    }
    if (!usable_for_signatures(obj, k, err))
        goto out;
    sha256_init(&fp);
    fingerprint_add(&fp, k->kty, strlen(k->kty));
    if (k->crv_name)
        fingerprint_add(&fp, k->crv_name, strlen(k->crv_name));
    if (strcmp(k->kty, "RSA") == 0)
        ok = parse_rsa(obj, k, &fp, err);
    else if (strcmp(k->kty, "EC") == 0)
        ok = parse_ec(obj, k, &fp, err);
    else if (strcmp(k->kty, "OKP") == 0)
        ok = parse_okp(obj, k, &fp, err);
    else if (strcmp(k->kty, "oct") == 0)
        ok = parse_oct(obj, k, &fp, err);
    else
        cmn_err_set(err, 1, "key type \"%s\" is not supported", k->kty);
    if (!ok)
        goto out;
    ok = parse_thumbprint(obj, "x5t", SHA1_DIGEST_SIZE, &k->x5t, err) &&
         parse_thumbprint(obj, "x5t#S256", SHA256_DIGEST_SIZE, &k->x5t_s256, err) &&
         parse_x5c(obj, k, err);
    sha256_digest(&fp, sizeof(k->fingerprint), k->fingerprint);
out:
    if (!ok) {
        gw_jwk_destroy(k);
        return NULL;
    }
    return k;
}

void gw_jwk_destroy(struct gw_jwk *k)
{
    if (!k)
        return;
    if (k->type == GW_JWK_RSA) {
        rsa_public_key_clear(&k->rsa);
        mpz_clear(k->rsa_rr);
    }
    else if (k->type == GW_JWK_EC)
        ecc_point_clear(&k->ec);
    /* An HMAC secret should not linger in freed memory. */
    memset(k->raw, 0, sizeof(k->raw));
    free(k->kty);
    free(k->kid);
    free(k->alg);
    free(k->use);
    free(k->crv_name);
    free(k->x5t);
    free(k->x5t_s256);
    free(k);
}

struct gw_jwks *gw_jwks_parse(const char *data, size_t len, size_t *skipped, struct cmn_err *err)
{
    json_t *root = NULL, *keys, *item;
    struct gw_jwks *set = NULL;
    size_t i, n_skipped = 0;

    if (skipped)
        *skipped = 0;
    if (!data) {
        cmn_err_set(err, 1, "no JWKS document");
        return NULL;
    }
    root = cmn_json_loadb_strict(data, len, GW_JWKS_MAX_BYTES, JWKS_MAX_DEPTH, err);
    if (!root) {
        cmn_err_prefix(err, "JWKS: ");
        return NULL;
    }
    keys = json_object_get(root, "keys");
    if (!json_is_object(root) || !json_is_array(keys)) {
        cmn_err_set(err, 1, "JWKS: not a JSON object with a \"keys\" array");
        goto out;
    }
    if (json_array_size(keys) > GW_JWKS_MAX_KEYS) {
        cmn_err_set(err, 1, "JWKS: %zu keys, more than the limit of %d", json_array_size(keys),
                    GW_JWKS_MAX_KEYS);
        goto out;
    }
    set = calloc(1, sizeof(*set));
    if (!set || !(set->keys = calloc(json_array_size(keys) + 1, sizeof(*set->keys)))) {
        cmn_err_set(err, 1, "out of memory");
        free(set);
        set = NULL;
        goto out;
    }
    atomic_init(&set->refs, 1);
    set->serial = atomic_fetch_add(&next_serial, 1);
    json_array_foreach(keys, i, item)
    {
        struct cmn_err kerr = {0};
        struct gw_jwk *k = gw_jwk_from_json(item, &kerr);
        if (k)
            set->keys[set->n++] = k;
        else
            n_skipped++; /* RFC 7517 §5: ignore keys we cannot use */
    }
    if (skipped)
        *skipped = n_skipped;
out:
    json_decref(root);
    return set;
}

struct gw_jwks *gw_jwks_ref(struct gw_jwks *set)
{
    if (set)
        atomic_fetch_add(&set->refs, 1);
    return set;
}

void gw_jwks_unref(struct gw_jwks *set)
{
    if (!set || atomic_fetch_sub(&set->refs, 1) != 1)
        return;
    for (size_t i = 0; i < set->n; i++)
        gw_jwk_destroy(set->keys[i]);
    free(set->keys);
    free(set);
}

size_t gw_jwks_count(const struct gw_jwks *set)
{
    return set ? set->n : 0;
}

const struct gw_jwk *gw_jwks_at(const struct gw_jwks *set, size_t i)
{
    return set && i < set->n ? set->keys[i] : NULL;
}

const struct gw_jwk *gw_jwks_find(const struct gw_jwks *set, const char *kid)
{
    if (!set)
        return NULL;
    if (!kid)
        return set->n == 1 ? set->keys[0] : NULL;
    for (size_t i = 0; i < set->n; i++)
        if (set->keys[i]->kid && strcmp(set->keys[i]->kid, kid) == 0)
            return set->keys[i];
    return NULL;
}

uint64_t gw_jwks_serial(const struct gw_jwks *set)
{
    return set ? set->serial : 0;
}

const char *gw_jwk_kid(const struct gw_jwk *k)
{
    return k ? k->kid : NULL;
}

const char *gw_jwk_kty(const struct gw_jwk *k)
{
    return k ? k->kty : NULL;
}

const char *gw_jwk_alg(const struct gw_jwk *k)
{
    return k ? k->alg : NULL;
}

const char *gw_jwk_x5t(const struct gw_jwk *k)
{
    return k ? k->x5t : NULL;
}

const char *gw_jwk_x5t_s256(const struct gw_jwk *k)
{
    return k ? k->x5t_s256 : NULL;
}

size_t gw_jwk_rsa_bits(const struct gw_jwk *k)
{
    return k && k->type == GW_JWK_RSA ? mpz_sizeinbase(k->rsa.n, 2) : 0;
}
