/* tu_http.c - a raw HTTP/1.x client for server tests: exact bytes out, exact bytes in. */
#include "tu_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

bool tu_connect(struct tu_conn *c, unsigned port, int timeout_ms)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int one = 1;

    memset(c, 0, sizeof(*c));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        c->err = errno;
        return false;
    }
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        c->err = errno;
        close(c->fd);
        c->fd = -1;
        return false;
    }
    return true;
}

bool tu_connect_tls(struct tu_conn *c, unsigned port, int timeout_ms)
{
    gnutls_session_t s;
    gnutls_certificate_credentials_t cred;
    int rc;

    if (!tu_connect(c, port, timeout_ms))
        return false;
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        goto fail;
    c->cred = cred;
    if (gnutls_init(&s, GNUTLS_CLIENT) < 0)
        goto fail;
    c->tls = s;
    gnutls_set_default_priority(s);
    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
    gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9);
    gnutls_transport_set_int(s, c->fd);
    gnutls_handshake_set_timeout(s, (unsigned)timeout_ms);
    do
        rc = gnutls_handshake(s);
    while (rc < 0 && !gnutls_error_is_fatal(rc));
    if (rc >= 0)
        return true;
fail:
    tu_close(c);
    c->err = EPROTO;
    return false;
}

bool tu_connect_as(struct tu_conn *c, unsigned port, int timeout_ms, bool tls)
{
    return tls ? tu_connect_tls(c, port, timeout_ms) : tu_connect(c, port, timeout_ms);
}

void tu_close(struct tu_conn *c)
{
    if (c->tls)
        gnutls_deinit(c->tls);
    if (c->cred)
        gnutls_certificate_free_credentials(c->cred);
    c->tls = c->cred = NULL;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->in);
    c->in = NULL;
    c->len = c->cap = 0;
}

void tu_reset(struct tu_conn *c)
{
    struct linger l = {1, 0};

    if (c->fd >= 0)
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    tu_close(c);
}

bool tu_send(struct tu_conn *c, const void *p, size_t n)
{
    const char *b = p;

    while (n) {
        ssize_t k = c->tls ? gnutls_record_send(c->tls, b, n) : send(c->fd, b, n, MSG_NOSIGNAL);
        if (c->tls && k < 0 && !gnutls_error_is_fatal((int)k))
            continue;
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            c->err = errno;
            return false;
        }
        b += k;
        n -= (size_t)k;
    }
    return true;
}

bool tu_send_str(struct tu_conn *c, const char *s)
{
    return tu_send(c, s, strlen(s));
}

bool tu_send_slowly(struct tu_conn *c, const char *s, size_t n, size_t piece, unsigned pause_us)
{
    for (size_t i = 0; i < n; i += piece) {
        struct timespec ts = {0, (long)pause_us * 1000};
        if (!tu_send(c, s + i, n - i < piece ? n - i : piece))
            return false;
        nanosleep(&ts, NULL);
    }
    return true;
}

/* Receives more into c->in: >0 bytes, 0 at EOF, -1 on error or timeout (c->err). */
static ssize_t fill(struct tu_conn *c)
{
    ssize_t n;

    if (c->cap - c->len < 4096) {
        size_t cap = c->cap ? c->cap * 2 : 16384;
        char *p = realloc(c->in, cap + 1);
        if (!p) {
            c->err = ENOMEM;
            return -1;
        }
        c->in = p;
        c->cap = cap;
    }
    if (c->tls) {
        do
            n = gnutls_record_recv(c->tls, c->in + c->len, c->cap - c->len);
        while (n == GNUTLS_E_INTERRUPTED);
        if (n == GNUTLS_E_PREMATURE_TERMINATION)
            n = 0; /* the peer closed without close_notify: an EOF for these tests */
        if (n < 0) {
            c->err = n == GNUTLS_E_AGAIN ? EAGAIN : ECONNRESET;
            return -1;
        }
    } else {
        do
            n = recv(c->fd, c->in + c->len, c->cap - c->len, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            c->err = errno;
            return -1;
        }
    }
    c->err = 0;
    c->len += (size_t)n;
    c->in[c->len] = '\0';
    return n;
}

/* Takes the first n buffered bytes out as an owned, NUL-terminated string. */
static char *take(struct tu_conn *c, size_t n)
{
    char *p = malloc(n + 1);

    if (!p)
        return NULL;
    memcpy(p, c->in, n);
    p[n] = '\0';
    memmove(c->in, c->in + n, c->len - n);
    c->len -= n;
    return p;
}

static bool parse_head(struct tu_answer *a)
{
    char *p = a->head, *eol = strstr(p, "\r\n");

    if (!eol || strncmp(p, "HTTP/1.", 7) != 0 || eol - p < 12 || p[8] != ' ')
        return false;
    *eol = '\0';
    a->status_line = p;
    a->status = (unsigned)strtoul(p + 9, NULL, 10);
    for (p = eol + 2; *p && strncmp(p, "\r\n", 2) != 0; p = eol + 2) {
        char *colon;
        eol = strstr(p, "\r\n");
        if (!eol || a->n_hdr == sizeof(a->hdr) / sizeof(a->hdr[0]))
            return false;
        *eol = '\0';
        colon = strchr(p, ':');
        if (!colon)
            return false;
        *colon = '\0';
        for (colon++; *colon == ' '; colon++)
            ;
        a->hdr[a->n_hdr].name = p;
        a->hdr[a->n_hdr].value = colon;
        a->n_hdr++;
    }
    return true;
}

int tu_read_answer(struct tu_conn *c, bool no_body, struct tu_answer *a)
{
    char *end;
    const char *cl;

    memset(a, 0, sizeof(*a));
    while (!c->len || !(end = strstr(c->in, "\r\n\r\n"))) {
        ssize_t n = fill(c);
        if (n == 0)
            return c->len ? -1 : 0;
        if (n < 0)
            return c->len || c->err != ECONNRESET ? -1 : 0;
    }
    a->head_len = (size_t)(end - c->in) + 4;
    a->head = take(c, a->head_len);
    if (!a->head || !parse_head(a))
        return -1;
    if (no_body || a->status < 200 || a->status == 204 || a->status == 304)
        return 1;
    cl = tu_answer_header(a, "Content-Length");
    if (cl) {
        size_t want = (size_t)strtoull(cl, NULL, 10);
        while (c->len < want) {
            if (fill(c) <= 0)
                return -1;
        }
        a->body = take(c, want);
        a->body_len = want;
        return a->body ? 1 : -1;
    }
    a->body = tu_read_all(c, &a->body_len);
    return a->body ? 1 : -1;
}

void tu_answer_free(struct tu_answer *a)
{
    free(a->head);
    free(a->body);
    memset(a, 0, sizeof(*a));
}

const char *tu_answer_header(const struct tu_answer *a, const char *name)
{
    for (size_t i = 0; i < a->n_hdr; i++) {
        if (strcasecmp(a->hdr[i].name, name) == 0)
            return a->hdr[i].value;
    }
    return NULL;
}

size_t tu_answer_count(const struct tu_answer *a, const char *name)
{
    size_t n = 0;

    for (size_t i = 0; i < a->n_hdr; i++)
        n += strcasecmp(a->hdr[i].name, name) == 0;
    return n;
}

char *tu_read_all(struct tu_conn *c, size_t *len)
{
    while (fill(c) > 0)
        ;
    *len = c->len;
    return take(c, c->len);
}

bool tu_read_exact(struct tu_conn *c, char *out, size_t n)
{
    while (c->len < n) {
        if (fill(c) <= 0)
            return false;
    }
    memcpy(out, c->in, n);
    memmove(c->in, c->in + n, c->len - n);
    c->len -= n;
    return true;
}

bool tu_quiet(struct tu_conn *c, int ms)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};

    if (c->tls && gnutls_record_check_pending(c->tls))
        return false;
    return c->len == 0 && poll(&p, 1, ms) == 0;
}

bool tu_closed_within(struct tu_conn *c, int ms)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    char b;
    ssize_t n;

    if (c->len || poll(&p, 1, ms) != 1)
        return false;
    if (c->tls) {
        /* a close_notify, a TCP FIN or a reset; application data is not a close */
        n = gnutls_record_recv(c->tls, &b, 1);
        c->err = n < 0 && n != GNUTLS_E_PREMATURE_TERMINATION ? ECONNRESET : 0;
        return n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION || (n < 0 && n != GNUTLS_E_AGAIN);
    }
    n = recv(c->fd, &b, 1, MSG_DONTWAIT);
    c->err = n < 0 ? errno : 0;
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

static pthread_once_t cert_once = PTHREAD_ONCE_INIT;
static char *cert_text, *key_text;

static char *export_pem(int rc, gnutls_datum_t *d)
{
    char *p;

    if (rc < 0)
        abort();
    p = malloc(d->size + 1);
    if (!p)
        abort();
    memcpy(p, d->data, d->size);
    p[d->size] = '\0';
    gnutls_free(d->data);
    return p;
}

static void make_cert(void)
{
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    gnutls_datum_t d;
    unsigned char serial[8] = {1, 2, 3, 4, 5, 6, 7, 8}, ip[4] = {127, 0, 0, 1};
    time_t now = time(NULL);

    if (gnutls_x509_privkey_init(&key) < 0 || gnutls_x509_crt_init(&crt) < 0 ||
        gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0)
        abort();
    gnutls_x509_crt_set_version(crt, 3);
    gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
    gnutls_x509_crt_set_activation_time(crt, now - 3600);
    gnutls_x509_crt_set_expiration_time(crt, now + 86400);
    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost", 9);
    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9, GNUTLS_FSAN_SET);
    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4, GNUTLS_FSAN_APPEND);
    gnutls_x509_crt_set_key(crt, key);
    if (gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0)
        abort();
    cert_text = export_pem(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d), &d);
    key_text = export_pem(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &d), &d);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
}

void tu_test_cert(const char **cert_pem, const char **key_pem)
{
    pthread_once(&cert_once, make_cert);
    *cert_pem = cert_text;
    *key_pem = key_text;
}
