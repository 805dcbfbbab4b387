/* gw_jwks_fetch.h - one JWKS download over HTTP(S) with libcurl, under a source's TLS policy.
 *
 * The JWKS cache drives these transfers from its fetcher thread through a curl multi handle;
 * this module only builds the easy handle (timeouts, protocols, size cap, certificate checks,
 * public-key pinning, extra CA, cipher suites) and judges the finished response. */
#ifndef GW_JWKS_FETCH_H
#define GW_JWKS_FETCH_H

#include "cmn_buf.h"
#include "cmn_err.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps on what the configuration may list. */
#define GW_JWKS_MAX_FINGERPRINTS 16
#define GW_JWKS_MAX_CIPHER_SUITES 64

enum gw_jwks_fetch_status {
    GW_JWKS_FETCH_OK = 0,
    GW_JWKS_FETCH_BAD_OPTION, /* a fingerprint, CA file or cipher list is unusable */
    GW_JWKS_FETCH_NOMEM,
    GW_JWKS_FETCH_TRANSPORT, /* connect, TLS, timeout, pin mismatch, size cap */
    GW_JWKS_FETCH_HTTP,      /* a status other than 2xx */
};

/* The TLS policy of one source, prepared once at startup. All strings owned. */
struct gw_jwks_tls {
    bool insecure;  /* disable_jwk_security: no certificate or host name check, http allowed */
    char *pins;     /* "sha256//<b64>;sha256//<b64>" for CURLOPT_PINNEDPUBLICKEY, or NULL */
    char *local_ca; /* PEM file trusted in addition to the system CAs, or NULL */
    char *priority; /* GnuTLS priority string built from cipher_suites, or NULL (default) */
};

void gw_jwks_tls_free(struct gw_jwks_tls *t);

/* Fills t from the validator options. fingerprints: KrakenD's jwk_fingerprints, base64 (URL
 * or standard alphabet, padding optional) of the SHA-256 of a certificate's
 * SubjectPublicKeyInfo; each must decode to 32 bytes. local_ca must be a readable file.
 * cipher_suites: IANA TLS cipher suite numbers (as Go's crypto/tls uses); unknown ones are
 * skipped with a warning. Returns GW_JWKS_FETCH_OK or an error (t left empty). */
enum gw_jwks_fetch_status gw_jwks_tls_init(struct gw_jwks_tls *t, bool insecure,
                                           const char *const *fingerprints, size_t n_fingerprints,
                                           const char *local_ca, const uint16_t *cipher_suites,
                                           size_t n_cipher_suites, struct cmn_err *err);

struct gw_jwks_fetch_limits {
    long connect_timeout_ms;
    long timeout_ms; /* whole transfer */
};

/* One transfer. Fields are for the cache's fetcher thread; treat them as read-only. */
struct gw_jwks_fetch {
    CURL *easy;
    struct cmn_buf body; /* capped at GW_JWKS_MAX_BYTES */
    bool too_big;
    char errbuf[CURL_ERROR_SIZE];
    void *owner; /* the caller's pointer (its source) */
};

/* Builds a GET of url (http or https only) under tls and lim; owner is kept for the caller.
 * Returns an owned transfer (not yet added to any multi handle) or NULL with err set. */
struct gw_jwks_fetch *gw_jwks_fetch_new(const char *url, const struct gw_jwks_tls *tls,
                                        const struct gw_jwks_fetch_limits *lim, void *owner,
                                        struct cmn_err *err);
void gw_jwks_fetch_destroy(struct gw_jwks_fetch *f);

/* What a finished transfer produced. */
struct gw_jwks_fetch_result {
    long http_status;
    const char *content_type; /* borrowed from the handle, may be NULL */
    bool content_type_ok;     /* application/json or application/jwk-set+json */
    const char *body;         /* borrowed from f */
    size_t body_len;
};

/* Judges a transfer curl finished with rc: GW_JWKS_FETCH_OK with res filled when a 2xx body
 * arrived whole, else an error with a message in err. */
enum gw_jwks_fetch_status gw_jwks_fetch_finish(struct gw_jwks_fetch *f, CURLcode rc,
                                               struct gw_jwks_fetch_result *res,
                                               struct cmn_err *err);

/* True when a Content-Type value names a JSON JWKS (RFC 7517 §8.5, RFC 8259 §11), ignoring
 * case and parameters; NULL is false. */
bool gw_jwks_content_type_ok(const char *content_type);

#endif
