/* mt_keys.c - RSA signing keys, their certificates and JWKs, rotation, and the TLS certificate. */
#include "mt_keys.h"

#include "cmn_b64.h"
#include "cmn_rand.h"
#include "cmn_str.h"

#include <arpa/inet.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdlib.h>
#include <string.h>

#define KEY_BITS 2048
#define CERT_YEARS 10
#define PEM_MAX (64 * 1024)

struct mt_key {
    char kid[MT_KID_LEN + 1];
    char *key_pem;
    char *cert_pem;
    gnutls_privkey_t priv;
    gnutls_pubkey_t pub;
    json_t *jwk;
};

static char *datum_str(const gnutls_datum_t *d)
{
    return cmn_strndup((const char *)d->data, d->size);
}

static json_t *b64url_json(const unsigned char *p, size_t n)
{
    char *s;
    json_t *j;

    while (n > 1 && p[0] == 0) { /* RFC 7518 §6.3.1: minimal big-endian */
        p++;
        n--;
    }
    s = malloc(cmn_b64url_encoded_len(n) + 1);
    if (!s)
        return NULL;
    cmn_b64url_encode(p, n, s);
    j = json_string(s);
    free(s);
    return j;
}

/* Builds kid and JWK from the certificate (DER) and public key. */
static bool key_describe(struct mt_key *k, gnutls_x509_crt_t crt, struct cmn_err *err)
{
    gnutls_datum_t der = {0}, m = {0}, e = {0};
    unsigned char sha1[20], sha256[32];
    char t1[32], *x5c = NULL;
    bool ok = false;

    if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0 ||
        gnutls_pubkey_export_rsa_raw2(k->pub, &m, &e, 0) < 0) {
        cmn_err_set(err, 1, "cannot export the key or certificate");
        goto out;
    }
    gnutls_hash_fast(GNUTLS_DIG_SHA1, der.data, der.size, sha1);
    gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, sha256);
    cmn_b64url_encode(sha256, sizeof(sha256), k->kid);
    cmn_b64url_encode(sha1, sizeof(sha1), t1);
    if (!(x5c = malloc(cmn_b64_encoded_len(der.size) + 1)))
        goto out;
    cmn_b64_encode(der.data, der.size, x5c);
    /* Field order of ThunderID's JWKS (spec §9). */
    k->jwk = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:[s], s:s, s:s}", "kid", k->kid, "kty",
                       "RSA", "use", "sig", "alg", "RS256", "n", b64url_json(m.data, m.size), "e",
                       b64url_json(e.data, e.size), "x5c", x5c, "x5t", t1, "x5t#S256", k->kid);
    ok = k->jwk != NULL;
out:
    free(x5c);
    gnutls_free(der.data);
    gnutls_free(m.data);
    gnutls_free(e.data);
    return ok;
}

static void key_destroy(struct mt_key *k)
{
    if (!k)
        return;
    free(k->key_pem);
    free(k->cert_pem);
    if (k->priv)
        gnutls_privkey_deinit(k->priv);
    if (k->pub)
        gnutls_pubkey_deinit(k->pub);
    json_decref(k->jwk);
    free(k);
}

/* Signs a probe with priv and verifies it with pub: the key belongs to the certificate. */
static bool key_pair_matches(gnutls_privkey_t priv, gnutls_pubkey_t pub)
{
    static const char probe[] = "mock-thunder key check";
    gnutls_datum_t d = {(unsigned char *)(uintptr_t)probe, sizeof(probe) - 1}, sig = {0};
    bool ok = gnutls_privkey_sign_data(priv, GNUTLS_DIG_SHA256, 0, &d, &sig) >= 0 &&
              gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256, 0, &d, &sig) >= 0;
    gnutls_free(sig.data);
    return ok;
}

struct mt_key *mt_key_load(const char *key_pem, const char *cert_pem, struct cmn_err *err)
{
    struct mt_key *k = calloc(1, sizeof(*k));
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t kd = {(unsigned char *)(uintptr_t)key_pem, (unsigned)strlen(key_pem)};
    gnutls_datum_t cd = {(unsigned char *)(uintptr_t)cert_pem, (unsigned)strlen(cert_pem)};
    unsigned bits = 0;

    if (!k || strlen(key_pem) > PEM_MAX || strlen(cert_pem) > PEM_MAX) {
        cmn_err_set(err, 1, "key or certificate too large");
        goto fail;
    }
    if (gnutls_privkey_init(&k->priv) < 0 || gnutls_pubkey_init(&k->pub) < 0 ||
        gnutls_x509_crt_init(&crt) < 0)
        goto fail;
    if (gnutls_privkey_import_x509_raw(k->priv, &kd, GNUTLS_X509_FMT_PEM, NULL, 0) < 0) {
        cmn_err_set(err, 1, "the private key is not a readable PEM key");
        goto fail;
    }
    if (gnutls_x509_crt_import(crt, &cd, GNUTLS_X509_FMT_PEM) < 0 ||
        gnutls_pubkey_import_x509(k->pub, crt, 0) < 0) {
        cmn_err_set(err, 1, "the certificate is not a readable PEM X.509 certificate");
        goto fail;
    }
    if (gnutls_privkey_get_pk_algorithm(k->priv, &bits) != GNUTLS_PK_RSA || bits < KEY_BITS) {
        cmn_err_set(err, 1, "the signing key must be RSA with at least %d bits", KEY_BITS);
        goto fail;
    }
    if (!key_pair_matches(k->priv, k->pub)) {
        cmn_err_set(err, 1, "the private key does not match the certificate");
        goto fail;
    }
    if (!(k->key_pem = cmn_strndup(key_pem, strlen(key_pem))) ||
        !(k->cert_pem = cmn_strndup(cert_pem, strlen(cert_pem))) || !key_describe(k, crt, err))
        goto fail;
    gnutls_x509_crt_deinit(crt);
    return k;
fail:
    if (err && !err->code)
        cmn_err_set(err, 1, "cannot load the signing key");
    if (crt)
        gnutls_x509_crt_deinit(crt);
    key_destroy(k);
    return NULL;
}

/* Fills the fields every certificate we make shares and self-signs it. */
static int cert_make(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *cn, int64_t now,
                     bool tls)
{
    unsigned char serial[16];
    int rc;

    if (!cmn_rand_bytes(serial, sizeof(serial)))
        return GNUTLS_E_RANDOM_FAILED;
    serial[0] &= 0x7f;
    if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
        (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) < 0 ||
        (rc = gnutls_x509_crt_set_activation_time(crt, (time_t)(now - 3600))) < 0 ||
        (rc = gnutls_x509_crt_set_expiration_time(
             crt, (time_t)(now + (int64_t)CERT_YEARS * 365 * 86400))) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                            (unsigned)strlen(cn))) < 0 ||
        (rc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
        (rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
        (rc = gnutls_x509_crt_set_key_usage(crt, tls ? GNUTLS_KEY_DIGITAL_SIGNATURE |
                                                           GNUTLS_KEY_KEY_ENCIPHERMENT
                                                     : GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0)
        return rc;
    if (tls && (rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0)
        return rc;
    return gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
}

/* A fresh RSA key and self-signed certificate as PEM; names (SANs) only for TLS. */
static bool make_pair(const char *cn, const char *const *names, size_t n, int64_t now,
                      char **cert_pem, char **key_pem, struct cmn_err *err)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t c = {0}, k = {0};
    bool ok = false;
    int rc;

    *cert_pem = *key_pem = NULL;
    if ((rc = gnutls_x509_privkey_init(&key)) < 0 || (rc = gnutls_x509_crt_init(&crt)) < 0 ||
        (rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_RSA, KEY_BITS, 0)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        unsigned char ip[16];
        if (inet_pton(AF_INET, names[i], ip) == 1)
            rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4,
                                                      GNUTLS_FSAN_APPEND);
        else if (inet_pton(AF_INET6, names[i], ip) == 1)
            rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 16,
                                                      GNUTLS_FSAN_APPEND);
        else
            rc = gnutls_x509_crt_set_subject_alt_name(
                crt, GNUTLS_SAN_DNSNAME, names[i], (unsigned)strlen(names[i]), GNUTLS_FSAN_APPEND);
        if (rc < 0)
            goto out;
    }
    if ((rc = cert_make(crt, key, cn, now, names != NULL)) < 0 ||
        (rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &c)) < 0 ||
        (rc = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                                &k)) < 0)
        goto out;
    *cert_pem = datum_str(&c);
    *key_pem = datum_str(&k);
    ok = *cert_pem && *key_pem;
out:
    if (!ok) {
        cmn_err_set(err, 1, "cannot create a key and certificate: %s",
                    rc < 0 ? gnutls_strerror(rc) : "out of memory");
        free(*cert_pem);
        free(*key_pem);
        *cert_pem = *key_pem = NULL;
    }
    gnutls_free(c.data);
    gnutls_free(k.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return ok;
}

struct mt_key *mt_key_generate(const char *cn, int64_t now, struct cmn_err *err)
{
    char *cert = NULL, *key = NULL;
    struct mt_key *k = NULL;

    if (make_pair(cn, NULL, 0, now, &cert, &key, err))
        k = mt_key_load(key, cert, err);
    free(cert);
    free(key);
    return k;
}

const char *mt_key_kid(const struct mt_key *k)
{
    return k->kid;
}

void mt_keyring_init(struct mt_keyring *r)
{
    memset(r, 0, sizeof(*r));
}

void mt_keyring_free(struct mt_keyring *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        key_destroy(r->keys[i]);
    r->n = 0;
}

json_t *mt_keyring_to_json(const struct mt_keyring *r)
{
    json_t *keys = json_array();

    for (size_t i = 0; i < r->n; i++)
        json_array_append_new(keys, json_pack("{s:s, s:s, s:s}", "kid", r->keys[i]->kid, "key",
                                              r->keys[i]->key_pem, "cert", r->keys[i]->cert_pem));
    return json_pack("{s:i, s:o}", "version", 1, "keys", keys);
}

bool mt_keyring_from_json(struct mt_keyring *r, const json_t *doc, struct cmn_err *err)
{
    json_t *keys = json_object_get(doc, "keys"), *e;
    size_t i;

    if (!json_is_object(doc) || json_integer_value(json_object_get(doc, "version")) != 1 ||
        !json_is_array(keys) || !json_array_size(keys) || json_array_size(keys) > MT_MAX_KEYS)
        return cmn_err_set(err, 1, "expected {\"version\":1,\"keys\":[1..%d keys]}", MT_MAX_KEYS),
               false;
    json_array_foreach(keys, i, e)
    {
        const char *kp = json_string_value(json_object_get(e, "key"));
        const char *cp = json_string_value(json_object_get(e, "cert"));
        struct mt_key *k = kp && cp ? mt_key_load(kp, cp, err) : NULL;
        if (!k) {
            if (!kp || !cp)
                cmn_err_set(err, 1, "missing key or cert");
            cmn_err_prefix(err, "keys[%zu]: ", i);
            mt_keyring_free(r);
            return false;
        }
        r->keys[r->n++] = k;
    }
    return true;
}

json_t *mt_keyring_jwks(const struct mt_keyring *r)
{
    json_t *keys = json_array();

    for (size_t i = 0; i < r->n; i++)
        json_array_append(keys, r->keys[i]->jwk);
    return json_pack("{s:o}", "keys", keys);
}

bool mt_keyring_rotate(struct mt_keyring *r, const char *cn, int64_t now, json_t *retired,
                       struct cmn_err *err)
{
    struct mt_key *k = mt_key_generate(cn, now, err);

    if (!k)
        return false;
    while (r->n > 1) {
        struct mt_key *old = r->keys[--r->n];
        if (retired)
            json_array_append_new(retired, json_string(old->kid));
        key_destroy(old);
    }
    if (r->n == 1)
        r->keys[1] = r->keys[0];
    r->keys[0] = k;
    r->n++;
    return true;
}

bool mt_keyring_sign(const struct mt_keyring *r, const void *data, size_t len,
                     char kid[MT_KID_LEN + 1], unsigned char **sig, size_t *sig_len)
{
    gnutls_datum_t d = {(unsigned char *)(uintptr_t)data, (unsigned)len}, s = {0};

    *sig = NULL;
    if (!r->n || gnutls_privkey_sign_data(r->keys[0]->priv, GNUTLS_DIG_SHA256, 0, &d, &s) < 0)
        return false;
    *sig = malloc(s.size);
    if (*sig)
        memcpy(*sig, s.data, s.size);
    *sig_len = s.size;
    gnutls_free(s.data);
    cmn_strlcpy(kid, r->keys[0]->kid, MT_KID_LEN + 1);
    return *sig != NULL;
}

bool mt_keyring_verify(const struct mt_keyring *r, const char *kid, const void *data, size_t len,
                       const unsigned char *sig, size_t sig_len)
{
    gnutls_datum_t d = {(unsigned char *)(uintptr_t)data, (unsigned)len};
    gnutls_datum_t s = {(unsigned char *)(uintptr_t)sig, (unsigned)sig_len};

    for (size_t i = 0; i < r->n; i++)
        if (kid && !strcmp(r->keys[i]->kid, kid))
            return gnutls_pubkey_verify_data2(r->keys[i]->pub, GNUTLS_SIGN_RSA_SHA256, 0, &d, &s) >=
                   0;
    return false;
}

bool mt_tls_generate(const char *const *names, size_t n, int64_t now, char **cert_pem,
                     char **key_pem, struct cmn_err *err)
{
    return make_pair(n ? names[0] : "localhost", names, n, now, cert_pem, key_pem, err);
}

/* Whether the certificate lists name among its SANs (IP literals compared as addresses). */
static bool has_san(gnutls_x509_crt_t crt, const char *name)
{
    unsigned char want[16];
    size_t want_len = 0;

    if (inet_pton(AF_INET, name, want) == 1)
        want_len = 4;
    else if (inet_pton(AF_INET6, name, want) == 1)
        want_len = 16;
    for (unsigned seq = 0; seq < 64; seq++) {
        char buf[512];
        size_t size = sizeof(buf) - 1;
        unsigned critical;
        int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &size, &critical);
        if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            return false;
        if (type < 0)
            continue;
        buf[size] = '\0';
        if (want_len && type == GNUTLS_SAN_IPADDRESS && size == want_len &&
            !memcmp(buf, want, want_len))
            return true;
        if (!want_len && type == GNUTLS_SAN_DNSNAME && cmn_str_eq_nocase(buf, name))
            return true;
    }
    return false;
}

bool mt_tls_covers(const char *cert_pem, const char *const *names, size_t n, int64_t now)
{
    gnutls_x509_crt_t crt;
    gnutls_datum_t d = {(unsigned char *)(uintptr_t)cert_pem, (unsigned)strlen(cert_pem)};
    bool ok;

    if (gnutls_x509_crt_init(&crt) < 0)
        return false;
    ok = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) >= 0 &&
         gnutls_x509_crt_get_expiration_time(crt) > (time_t)(now + 86400) &&
         gnutls_x509_crt_get_activation_time(crt) <= (time_t)now;
    for (size_t i = 0; ok && i < n; i++)
        ok = has_san(crt, names[i]);
    gnutls_x509_crt_deinit(crt);
    return ok;
}
