/* mt_keys.h - the token signing keys (RSA-2048 with a self-signed certificate each, kid =
 * base64url(SHA-256(cert DER))), their JWKS form and rotation; and the server's TLS
 * certificate. GnuTLS does the cryptography. */
#ifndef MT_KEYS_H
#define MT_KEYS_H

#include "cmn_err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_MAX_KEYS 4
#define MT_KID_LEN 43

struct mt_key;

/* Active keys; keys[0] signs, the others stay published until retired. */
struct mt_keyring {
    struct mt_key *keys[MT_MAX_KEYS];
    size_t n;
};

/* A new RSA-2048 key with a self-signed certificate (subject CN = cn, valid from now - 1 h for
 * ten years). Owned, NULL with err set on failure. */
struct mt_key *mt_key_generate(const char *cn, int64_t now, struct cmn_err *err);
/* A key from PEM text (PKCS#8 or PKCS#1 key, X.509 certificate); the key must be RSA of at
 * least 2048 bits and match the certificate. Owned, NULL with err set. */
struct mt_key *mt_key_load(const char *key_pem, const char *cert_pem, struct cmn_err *err);
/* Borrowed: the kid (43 characters). */
const char *mt_key_kid(const struct mt_key *k);

void mt_keyring_init(struct mt_keyring *r);
void mt_keyring_free(struct mt_keyring *r);
/* {"version":1,"keys":[{"kid","key":PEM,"cert":PEM}...]}, signer first (owned). */
json_t *mt_keyring_to_json(const struct mt_keyring *r);
/* Loads keys saved by mt_keyring_to_json into an empty ring; err names the entry. */
bool mt_keyring_from_json(struct mt_keyring *r, const json_t *doc, struct cmn_err *err);
/* {"keys":[JWK...]} of every active key (owned). */
json_t *mt_keyring_jwks(const struct mt_keyring *r);
/* Rotation: retires every key that is not the signer, then adds a new signer in front, so the
 * previous signer stays published until the next call. The retired kids are appended to
 * `retired` (a JSON array) when given. */
bool mt_keyring_rotate(struct mt_keyring *r, const char *cn, int64_t now, json_t *retired,
                       struct cmn_err *err);
/* RS256 (RSASSA-PKCS1-v1_5 with SHA-256) over data with the signer. *sig is owned (free()).
 * kid receives the signer's kid. */
bool mt_keyring_sign(const struct mt_keyring *r, const void *data, size_t len,
                     char kid[MT_KID_LEN + 1], unsigned char **sig, size_t *sig_len);
/* Whether sig is a valid RS256 signature of data by the active key `kid`. */
bool mt_keyring_verify(const struct mt_keyring *r, const char *kid, const void *data, size_t len,
                       const unsigned char *sig, size_t sig_len);

/* A self-signed TLS server certificate for the given names (DNS names or IP literals as SANs;
 * the first is the CN). Owned PEM strings; false with err set. */
bool mt_tls_generate(const char *const *names, size_t n, int64_t now, char **cert_pem,
                     char **key_pem, struct cmn_err *err);
/* Whether the certificate is valid at now and names every one of the names in its SANs. */
bool mt_tls_covers(const char *cert_pem, const char *const *names, size_t n, int64_t now);

#endif
