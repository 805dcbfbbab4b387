/* cmn_hn_tls.c - GnuTLS server sessions for the native HTTP engine, with Go's crypto/tls
 * settings (versions, TLS 1.0-1.2 suites by number, groups, certificates chosen by SNI, client
 * certificates required and verified) turned into GnuTLS priorities and credentials. */
#include "cmn_hn_tls.h"

#include "cmn_buf.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUITES 32
#define MAX_OFFERED 512 /* suites of a ClientHello looked at */

/* Go's CurveIDs with a GnuTLS group (X25519MLKEM768, 4588, has none in GnuTLS 3.7). */
static const struct group {
    uint16_t id;
    const char *name;
} GROUPS[] = {
    {23, "GROUP-SECP256R1"},
    {24, "GROUP-SECP384R1"},
    {25, "GROUP-SECP521R1"},
    {29, "GROUP-X25519"},
};

static const char *const VERSIONS[] = {"VERS-TLS1.0", "VERS-TLS1.1", "VERS-TLS1.2", "VERS-TLS1.3"};

struct cmn_hn_tls {
    gnutls_certificate_credentials_t cred;
    gnutls_priority_t prio;
    bool refuse_all;     /* no TLS version is left between min and max: every handshake fails */
    bool verify_clients; /* client certificates are required and verified */
    uint16_t allowed[MAX_SUITES]; /* TLS 1.0-1.2 suites (cipher_suites); */
    size_t n_allowed;             /* 0: any the priorities allow */
    char *base12; /* a TLS <= 1.2 session's priorities without suites (versions, groups) */
};

/* A session with a suite list: what its ClientHello offered. */
struct sess {
    struct cmn_hn_tls *t;
    uint16_t offered[MAX_OFFERED];
    size_t n_offered;
    bool hello_ok;
};

static const char *group_of(uint16_t id)
{
    for (size_t i = 0; i < sizeof(GROUPS) / sizeof(GROUPS[0]); i++) {
        if (GROUPS[i].id == id)
            return GROUPS[i].name;
    }
    return NULL;
}

bool cmn_http_tls_group_usable(uint16_t id)
{
    return group_of(id) != NULL;
}

/* Versions from hi down to lo, then what every suite needs, then the groups. */
static void common_tokens(const struct cmn_http_tls *o, unsigned lo, unsigned hi, struct cmn_buf *b)
{
    cmn_buf_append_str(b, "NONE");
    for (unsigned v = hi; v >= lo; v--)
        cmn_hn_tls_token(b, VERSIONS[v - 0x0301]);
    cmn_hn_tls_token(b, "CTYPE-X509");
    cmn_hn_tls_token(b, "COMP-NULL");
    cmn_hn_tls_token(b, "SIGN-ALL");
    for (size_t i = 0; i < o->n_groups; i++) {
        const char *g = group_of(o->groups[i]);
        if (g)
            cmn_hn_tls_token(b, g);
    }
    if (!o->n_groups) {
        for (size_t i = 0; i < sizeof(GROUPS) / sizeof(GROUPS[0]); i++)
            cmn_hn_tls_token(b, GROUPS[(i + 3) % 4].name); /* X25519 first, as GnuTLS */
    }
}

/* GnuTLS priorities for o (and, with a suite list, the base of a TLS <= 1.2 session's); false
 * when no version is left (Go then fails every handshake). */
static bool build_priority(struct cmn_hn_tls *t, const struct cmn_http_tls *o, struct cmn_buf *b)
{
    unsigned lo = o->min_version ? o->min_version : 0x0303;
    unsigned hi = o->max_version ? o->max_version : 0x0304;

    if (lo < 0x0301)
        lo = 0x0301; /* Go has no SSL 3.0: its lowest is TLS 1.0 */
    if (hi > 0x0304)
        hi = 0x0304;
    if (lo > hi)
        return false;
    if (!o->n_suites && !o->n_groups) {
        cmn_buf_append_str(b, "NORMAL:-VERS-ALL");
        for (unsigned v = hi; v >= lo; v--)
            cmn_hn_tls_token(b, VERSIONS[v - 0x0301]);
        cmn_buf_append_str(b, ":%SERVER_PRECEDENCE");
        return true;
    }
    if (o->n_suites && lo <= 0x0303) {
        struct cmn_buf b12;
        cmn_buf_init(&b12, 4096);
        common_tokens(o, lo, hi < 0x0303 ? hi : 0x0303, &b12);
        t->base12 = cmn_buf_take(&b12, NULL);
    }
    common_tokens(o, lo, hi, b);
    /* TLS 1.0-1.2: the listed suites' parts (each session narrows them to exactly the suites
     * it may use, see pick()); TLS 1.3: its three suites, all on in Go whatever the list */
    if (o->n_suites)
        cmn_hn_tls_suite_tokens(o->suites, o->n_suites, b);
    else
        cmn_buf_append_str(b, ":+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CBC:"
                              "+AES-256-CBC:+ECDHE-RSA:+ECDHE-ECDSA:+RSA:+AEAD:+SHA1:+SHA256");
    if (hi == 0x0304) {
        cmn_hn_tls_token(b, "AES-128-GCM");
        cmn_hn_tls_token(b, "CHACHA20-POLY1305");
        cmn_hn_tls_token(b, "AES-256-GCM");
        cmn_hn_tls_token(b, "AEAD");
    }
    cmn_buf_append_str(b, ":%SERVER_PRECEDENCE");
    return true;
}

/* Go's RequireAndVerifyClientCert: the chain must verify against the client CAs and the leaf
 * be usable for client authentication (an EKU list without it is refused). */
static int verify_client(gnutls_session_t s)
{
    gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
                                     (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_CLIENT, 0};
    unsigned status = 0;

    if (gnutls_certificate_verify_peers(s, &purpose, 1, &status) < 0 || status != 0)
        return GNUTLS_E_CERTIFICATE_ERROR;
    return 0;
}

static bool load_pairs(struct cmn_hn_tls *t, const struct cmn_http_tls *o, struct cmn_err *err)
{
    for (size_t i = 0; i < o->n_pairs; i++) {
        gnutls_datum_t c = {(unsigned char *)(uintptr_t)o->cert_pem[i],
                            (unsigned)strlen(o->cert_pem[i])};
        gnutls_datum_t k = {(unsigned char *)(uintptr_t)o->key_pem[i],
                            (unsigned)strlen(o->key_pem[i])};
        int rc =
            gnutls_certificate_set_x509_key_mem2(t->cred, &c, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
        if (rc < 0) {
            cmn_err_set(err, 1, "tls: cannot use certificate and key #%zu: %s", i + 1,
                        gnutls_strerror(rc));
            return false;
        }
    }
    return true;
}

bool cmn_http_tls_check_pair(const char *cert_pem, const char *key_pem, struct cmn_err *err)
{
    gnutls_certificate_credentials_t cred;
    gnutls_datum_t c = {(unsigned char *)(uintptr_t)cert_pem, (unsigned)strlen(cert_pem)};
    gnutls_datum_t k = {(unsigned char *)(uintptr_t)key_pem, (unsigned)strlen(key_pem)};
    int rc;

    if ((rc = gnutls_certificate_allocate_credentials(&cred)) < 0)
        return cmn_err_set(err, 1, "%s", gnutls_strerror(rc)), false;
    rc = gnutls_certificate_set_x509_key_mem2(cred, &c, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
    gnutls_certificate_free_credentials(cred);
    if (rc < 0)
        return cmn_err_set(err, 1, "%s", gnutls_strerror(rc)), false;
    return true;
}

static bool load_client_cas(struct cmn_hn_tls *t, const struct cmn_http_tls *o, struct cmn_err *err)
{
    if (!o->verify_clients)
        return true;
    t->verify_clients = true;
    /* x509.CertPool.AppendCertsFromPEM skips what it cannot read; so does this */
    if (o->client_ca_system)
        gnutls_certificate_set_x509_system_trust(t->cred);
    if (o->client_ca_pem && *o->client_ca_pem) {
        gnutls_datum_t d = {(unsigned char *)(uintptr_t)o->client_ca_pem,
                            (unsigned)strlen(o->client_ca_pem)};
        int rc = gnutls_certificate_set_x509_trust_mem(t->cred, &d, GNUTLS_X509_FMT_PEM);
        if (rc < 0 && rc != GNUTLS_E_BASE64_DECODING_ERROR) {
            cmn_err_set(err, 1, "tls: cannot read the client CAs: %s", gnutls_strerror(rc));
            return false;
        }
    }
    gnutls_certificate_set_verify_function(t->cred, verify_client);
    return true;
}

/* cipher_suites: the TLS 1.0-1.2 suites a handshake may end with. */
static void allow_suites(struct cmn_hn_tls *t, const struct cmn_http_tls *o)
{
    for (size_t i = 0; i < o->n_suites && t->n_allowed < MAX_SUITES; i++) {
        if (cmn_http_tls_suite_usable(o->suites[i], NULL))
            t->allowed[t->n_allowed++] = o->suites[i];
    }
}

struct cmn_hn_tls *cmn_hn_tls_new_opts(const struct cmn_http_tls *o, struct cmn_err *err)
{
    struct cmn_hn_tls *t = calloc(1, sizeof(*t));
    struct cmn_buf prio;
    int rc;

    cmn_buf_init(&prio, 4096);
    if (!t) {
        cmn_err_set(err, 1, "out of memory");
        goto fail;
    }
    if ((rc = gnutls_certificate_allocate_credentials(&t->cred)) < 0) {
        cmn_err_set(err, 1, "tls: %s", gnutls_strerror(rc));
        goto fail;
    }
    if (!load_pairs(t, o, err) || !load_client_cas(t, o, err))
        goto fail;
    allow_suites(t, o);
    if (!build_priority(t, o, &prio)) {
        t->refuse_all = true;
        cmn_buf_free(&prio);
        return t;
    }
    if ((rc = gnutls_priority_init(&t->prio, cmn_buf_str(&prio), NULL)) < 0) {
        cmn_err_set(err, 1, "tls: %s (priorities %s)", gnutls_strerror(rc), cmn_buf_str(&prio));
        goto fail;
    }
    cmn_buf_free(&prio);
    return t;
fail:
    cmn_buf_free(&prio);
    cmn_hn_tls_free(t);
    return NULL;
}

struct cmn_hn_tls *cmn_hn_tls_new(const char *cert_pem, const char *key_pem, struct cmn_err *err)
{
    struct cmn_http_tls o = {.cert_pem = &cert_pem, .key_pem = &key_pem, .n_pairs = 1};

    return cmn_hn_tls_new_opts(&o, err);
}

void cmn_hn_tls_free(struct cmn_hn_tls *t)
{
    if (!t)
        return;
    if (t->prio)
        gnutls_priority_deinit(t->prio);
    if (t->cred)
        gnutls_certificate_free_credentials(t->cred);
    free(t->base12);
    free(t);
}

/* The ClientHello as it arrives: its suites are kept for pick(). */
static int hello_hook(gnutls_session_t s, unsigned type, unsigned when, unsigned incoming,
                      const gnutls_datum_t *msg)
{
    struct sess *ss = gnutls_session_get_ptr(s);

    (void)type;
    (void)when;
    if (incoming && msg)
        ss->hello_ok =
            cmn_hn_tls_hello_suites(msg->data, msg->size, ss->offered, MAX_OFFERED, &ss->n_offered);
    return 0;
}

/* After the ClientHello, before GnuTLS chooses a suite: a TLS 1.0-1.2 session gets priorities
 * that allow only the listed suites the client offered, so that GnuTLS cannot pick a
 * combination of their parts the list does not name; none left is Go's handshake failure. */
static int pick(gnutls_session_t s)
{
    struct sess *ss = gnutls_session_get_ptr(s);
    struct cmn_hn_tls *t = ss->t;
    uint16_t chosen[MAX_SUITES];
    struct cmn_buf b;
    size_t n;
    int rc;

    if (gnutls_protocol_get_version(s) == GNUTLS_TLS1_3)
        return 0;
    if (!ss->hello_ok || !t->base12)
        return GNUTLS_E_NO_CIPHER_SUITES;
    n = cmn_hn_tls_pick_suites(t->allowed, t->n_allowed, ss->offered, ss->n_offered, chosen,
                               MAX_SUITES);
    if (n == 0)
        return GNUTLS_E_NO_CIPHER_SUITES;
    cmn_buf_init(&b, 4096);
    cmn_buf_append_str(&b, t->base12);
    cmn_hn_tls_suite_tokens(chosen, n, &b);
    cmn_buf_append_str(&b, ":%SERVER_PRECEDENCE");
    rc = gnutls_priority_set_direct(s, cmn_buf_str(&b), NULL);
    cmn_buf_free(&b);
    return rc < 0 ? rc : 0;
}

void *cmn_hn_tls_session(struct cmn_hn_tls *t, int fd)
{
    static const gnutls_datum_t h1 = {(unsigned char *)(uintptr_t) "http/1.1", 8};
    struct sess *ss = NULL;
    gnutls_session_t s;

    if (t->refuse_all || gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL) < 0)
        return NULL;
    if (t->base12 && !(ss = calloc(1, sizeof(*ss)))) {
        gnutls_deinit(s);
        return NULL;
    }
    if (gnutls_priority_set(s, t->prio) < 0 ||
        gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, t->cred) < 0 ||
        gnutls_alpn_set_protocols(s, &h1, 1, GNUTLS_ALPN_SERVER_PRECEDENCE) < 0) {
        free(ss);
        gnutls_deinit(s);
        return NULL;
    }
    gnutls_certificate_server_set_request(s, t->verify_clients ? GNUTLS_CERT_REQUIRE
                                                               : GNUTLS_CERT_IGNORE);
    if (ss) {
        ss->t = t;
        gnutls_session_set_ptr(s, ss);
        gnutls_handshake_set_hook_function(s, GNUTLS_HANDSHAKE_CLIENT_HELLO, GNUTLS_HOOK_PRE,
                                           hello_hook);
        gnutls_handshake_set_post_client_hello_function(s, pick);
    }
    gnutls_transport_set_int(s, fd);
    return s;
}

void cmn_hn_tls_session_free(void *s)
{
    if (!s)
        return;
    free(gnutls_session_get_ptr(s)); /* struct sess, or NULL */
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
    if (rc == GNUTLS_E_NO_CIPHER_SUITES)
        gnutls_alert_send(s, GNUTLS_AL_FATAL, GNUTLS_A_HANDSHAKE_FAILURE); /* once; no wait */
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
