/* cmn_hn_tls.h - TLS for the native HTTP engine: GnuTLS sessions on non-blocking sockets, so
 * HTTPS is read by the same HTTP/1.1 parser, with the same rules, as plain HTTP. */
#ifndef CMN_HN_TLS_H
#define CMN_HN_TLS_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "cmn_http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cmn_hn_tls;

/* Server credentials from a PEM certificate chain and key; TLS 1.2 and 1.3, ALPN "http/1.1".
 * Owned, or NULL with err set. */
struct cmn_hn_tls *cmn_hn_tls_new(const char *cert_pem, const char *key_pem, struct cmn_err *err);
/* The same from a listener's settings (cmn_http.h); err names what was refused. */
struct cmn_hn_tls *cmn_hn_tls_new_opts(const struct cmn_http_tls *o, struct cmn_err *err);
void cmn_hn_tls_free(struct cmn_hn_tls *t);

/* A server session on the accepted, non-blocking socket fd (borrowed): owned, or NULL. */
void *cmn_hn_tls_session(struct cmn_hn_tls *t, int fd);
void cmn_hn_tls_session_free(void *s);

enum {
    CMN_HN_TLS_AGAIN = -1, /* the socket would block: wait for its next edge */
    CMN_HN_TLS_ERROR = -2, /* fatal: close the connection */
};

/* Advances the handshake: 1 when done, CMN_HN_TLS_AGAIN, or CMN_HN_TLS_ERROR. */
int cmn_hn_tls_handshake(void *s);
/* Application data: > 0 bytes, 0 at the end of the stream (close_notify or a bare TCP close),
 * CMN_HN_TLS_AGAIN or CMN_HN_TLS_ERROR. */
ssize_t cmn_hn_tls_recv(void *s, char *buf, size_t n);
/* > 0 bytes sent, CMN_HN_TLS_AGAIN (call again with the same buffer) or CMN_HN_TLS_ERROR. */
ssize_t cmn_hn_tls_send(void *s, const char *buf, size_t n);
/* Decrypted bytes wait inside the session (no socket edge will announce them). */
bool cmn_hn_tls_pending(void *s);
/* Sends close_notify if the socket takes it now; never waits. */
void cmn_hn_tls_bye(void *s);

/* ---- TLS 1.0-1.2 suites (cmn_hn_tls_suites.c) ----------------------------------------------- */

/* The suites of a ClientHello body (the handshake message without its 4-byte header), at most
 * max of them into out (*n): false when the message is malformed. */
bool cmn_hn_tls_hello_suites(const unsigned char *msg, size_t len, uint16_t *out, size_t max,
                             size_t *n);
/* The allowed suites the client offered, in Go's order of preference, without those whose
 * GnuTLS priorities would also let in an offered suite that is not allowed: into out, count
 * returned. */
size_t cmn_hn_tls_pick_suites(const uint16_t *allowed, size_t n_allowed, const uint16_t *offered,
                              size_t n_offered, uint16_t *out, size_t max);
/* Appends the GnuTLS priority tokens (":+AES-128-GCM", ...) of suites ids[0, n): their ciphers,
 * key exchanges and MACs. */
void cmn_hn_tls_suite_tokens(const uint16_t *ids, size_t n, struct cmn_buf *b);
/* Appends ":+token" once. */
void cmn_hn_tls_token(struct cmn_buf *b, const char *token);

#endif
