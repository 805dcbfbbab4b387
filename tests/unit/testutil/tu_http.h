/* tu_http.h - a raw HTTP/1.x client for server tests: exact bytes out, exact bytes in. */
#ifndef TU_HTTP_H
#define TU_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* A connection to 127.0.0.1 with what has been received and not yet consumed; over TLS when
 * tls is set (a GnuTLS session that verifies nothing: the tests look at bytes, not trust). */
struct tu_conn {
    int fd;
    void *tls;  /* gnutls_session_t */
    void *cred; /* gnutls_certificate_credentials_t */
    char *in;   /* owned */
    size_t len, cap;
    int err; /* errno of the last failed read (ECONNRESET, EAGAIN for a timeout), 0 at EOF */
};

struct tu_header {
    char *name; /* both point into the answer's head */
    char *value;
};

struct tu_answer {
    unsigned status;
    char *head; /* owned, NUL-terminated: the status line and header lines, CR LF kept */
    size_t head_len;
    char *status_line; /* in head, without CR LF */
    struct tu_header hdr[64];
    size_t n_hdr;
    char *body; /* owned, NUL-terminated; NULL when there was none */
    size_t body_len;
};

/* Connects to 127.0.0.1:port; reads give up after timeout_ms. Returns false when the
 * connection cannot be made (c->err says why). */
bool tu_connect(struct tu_conn *c, unsigned port, int timeout_ms);
/* The same, then a TLS handshake; false (c->err = EPROTO) when it fails. */
bool tu_connect_tls(struct tu_conn *c, unsigned port, int timeout_ms);
/* tls ? tu_connect_tls : tu_connect. */
bool tu_connect_as(struct tu_conn *c, unsigned port, int timeout_ms, bool tls);
void tu_close(struct tu_conn *c);
/* Closes with a reset (SO_LINGER 0) instead of a FIN. */
void tu_reset(struct tu_conn *c);
/* Writes all n bytes; false on error. */
bool tu_send(struct tu_conn *c, const void *p, size_t n);
bool tu_send_str(struct tu_conn *c, const char *s);
/* Sends s in pieces of `piece` bytes with pause_us between them. */
bool tu_send_slowly(struct tu_conn *c, const char *s, size_t n, size_t piece, unsigned pause_us);

/* Reads one answer: its head, then Content-Length bytes of body, or nothing when no_body (the
 * request was HEAD), or up to EOF when the answer has no Content-Length. Returns 1 on success,
 * 0 when the connection ended before any byte of it, -1 on a malformed or truncated answer or
 * a timeout. Free the answer with tu_answer_free. */
int tu_read_answer(struct tu_conn *c, bool no_body, struct tu_answer *a);
void tu_answer_free(struct tu_answer *a);
/* First value of a header (case-insensitive name), or NULL; how many there are. */
const char *tu_answer_header(const struct tu_answer *a, const char *name);
size_t tu_answer_count(const struct tu_answer *a, const char *name);

/* Reads until the peer closes (or the timeout): everything received, owned and
 * NUL-terminated; *len its length. c->err tells a reset from an EOF. */
char *tu_read_all(struct tu_conn *c, size_t *len);
/* Exactly n bytes, or false. */
bool tu_read_exact(struct tu_conn *c, char *out, size_t n);
/* True when nothing arrives within ms (no byte, no EOF). */
bool tu_quiet(struct tu_conn *c, int ms);
/* True when the peer closes within ms without sending anything more. */
bool tu_closed_within(struct tu_conn *c, int ms);

/* A self-signed ECDSA P-256 certificate for 127.0.0.1 and localhost, made once per process:
 * PEM texts, borrowed. */
void tu_test_cert(const char **cert_pem, const char **key_pem);

#endif
