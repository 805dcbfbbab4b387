/* cmn_hn_tls.c - GnuTLS server sessions for the native HTTP engine. */
#include "cmn_hn_tls.h"

#include <gnutls/gnutls.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* TLS 1.2 and 1.3 with GnuTLS's default suites, the server's order first. */
#define PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"

struct cmn_hn_tls {
    gnutls_certificate_credentials_t cred;
    gnutls_priority_t prio;
};

struct cmn_hn_tls *cmn_hn_tls_new(const char *cert_pem, const char *key_pem, struct cmn_err *err)
{
    struct cmn_hn_tls *t = calloc(1, sizeof(*t));
    gnutls_datum_t cert = {(unsigned char *)(uintptr_t)cert_pem, (unsigned)strlen(cert_pem)};
    gnutls_datum_t key = {(unsigned char *)(uintptr_t)key_pem, (unsigned)strlen(key_pem)};
    int rc;

    if (!t) {
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    if ((rc = gnutls_certificate_allocate_credentials(&t->cred)) < 0 ||
        (rc = gnutls_certificate_set_x509_key_mem2(t->cred, &cert, &key, GNUTLS_X509_FMT_PEM, NULL,
                                                   0)) < 0) {
        cmn_err_set(err, 1, "tls: cannot use the certificate and key: %s", gnutls_strerror(rc));
        goto fail;
    }
    if ((rc = gnutls_priority_init(&t->prio, PRIORITY, NULL)) < 0) {
        cmn_err_set(err, 1, "tls: %s", gnutls_strerror(rc));
        goto fail;
    }
    return t;
fail:
    cmn_hn_tls_free(t);
    return NULL;
}

void cmn_hn_tls_free(struct cmn_hn_tls *t)
{
    if (!t)
        return;
    if (t->prio)
        gnutls_priority_deinit(t->prio);
    if (t->cred)
        gnutls_certificate_free_credentials(t->cred);
    free(t);
}

void *cmn_hn_tls_session(struct cmn_hn_tls *t, int fd)
{
    static const gnutls_datum_t h1 = {(unsigned char *)(uintptr_t) "http/1.1", 8};
    gnutls_session_t s;

    if (gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL) < 0)
        return NULL;
    if (gnutls_priority_set(s, t->prio) < 0 ||
        gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, t->cred) < 0 ||
        gnutls_alpn_set_protocols(s, &h1, 1, GNUTLS_ALPN_SERVER_PRECEDENCE) < 0) {
        gnutls_deinit(s);
        return NULL;
    }
    gnutls_certificate_server_set_request(s, GNUTLS_CERT_IGNORE);
    gnutls_transport_set_int(s, fd);
    return s;
}

void cmn_hn_tls_session_free(void *s)
{
    if (s)
        gnutls_deinit(s);
}

int cmn_hn_tls_handshake(void *s)
{
    int rc;

    do
        rc = gnutls_handshake(s);
    while (rc == GNUTLS_E_INTERRUPTED);
    if (rc == GNUTLS_E_SUCCESS)
        return 1;
    return rc == GNUTLS_E_AGAIN ? CMN_HN_TLS_AGAIN : CMN_HN_TLS_ERROR;
}

ssize_t cmn_hn_tls_recv(void *s, char *buf, size_t n)
{
    ssize_t rc;

    do
        rc = gnutls_record_recv(s, buf, n);
    while (rc == GNUTLS_E_INTERRUPTED);
    if (rc >= 0)
        return rc;
    if (rc == GNUTLS_E_PREMATURE_TERMINATION)
        return 0; /* a TCP close without close_notify: the end, as Go reads it */
    return rc == GNUTLS_E_AGAIN ? CMN_HN_TLS_AGAIN : CMN_HN_TLS_ERROR; /* renegotiation too */
}

ssize_t cmn_hn_tls_send(void *s, const char *buf, size_t n)
{
    ssize_t rc;

    do
        rc = gnutls_record_send(s, buf, n);
    while (rc == GNUTLS_E_INTERRUPTED);
    if (rc >= 0)
        return rc;
    return rc == GNUTLS_E_AGAIN ? CMN_HN_TLS_AGAIN : CMN_HN_TLS_ERROR;
}

bool cmn_hn_tls_pending(void *s)
{
    return gnutls_record_check_pending(s) > 0;
}

void cmn_hn_tls_bye(void *s)
{
    gnutls_bye(s, GNUTLS_SHUT_WR); /* non-blocking: AGAIN just means no close_notify */
}
