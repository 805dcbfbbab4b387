/* cmn_hn_tls.h - TLS for the native HTTP engine: GnuTLS sessions on non-blocking sockets, so
 * HTTPS is read by the same HTTP/1.1 parser, with the same rules, as plain HTTP. */
#ifndef CMN_HN_TLS_H
#define CMN_HN_TLS_H

#include "cmn_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cmn_hn_tls;

/* Server credentials from a PEM certificate chain and key; TLS 1.2 and 1.3, ALPN "http/1.1".
 * Owned, or NULL with err set. */
struct cmn_hn_tls *cmn_hn_tls_new(const char *cert_pem, const char *key_pem, struct cmn_err *err);
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

#endif
