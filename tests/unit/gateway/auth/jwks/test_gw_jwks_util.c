/* test_gw_jwks_util.c - in-process JWKS servers (HTTP and HTTPS), test PKI and log capture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmn_b64.h"
#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_http.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "test_gw_jwks_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* RFC 7517 Appendix A.1's public P-256 key; every test kid names the same key material. */
#define EC_X "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4"
#define EC_Y "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"

void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

unsigned free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

char *jwks_doc(const char *kids)
{
    struct cmn_buf b;
    const char *p = kids;

    cmn_buf_init(&b, 1 << 20);
    cmn_buf_append_str(&b, "{\"keys\":[");
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        cmn_buf_printf(&b,
                       "%s{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" EC_X "\",\"y\":\"" EC_Y
                       "\",\"kid\":\"%.*s\"}",
                       p == kids ? "" : ",", (int)n, p);
        p = comma ? comma + 1 : NULL;
    }
    cmn_buf_append_str(&b, "]}");
    return cmn_buf_take(&b, NULL);
}

/* ---- PKI ---- */

static char *export_crt(gnutls_x509_crt_t c)
{
    gnutls_datum_t d = {0};
    char *s;

    assert_int_equal(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &d), 0);
    s = cmn_strndup((const char *)d.data, d.size);
    gnutls_free(d.data);
    return s;
}

static gnutls_x509_privkey_t new_key(void)
{
    gnutls_x509_privkey_t k;

    assert_int_equal(gnutls_x509_privkey_init(&k), 0);
    assert_int_equal(gnutls_x509_privkey_generate(
                         k, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                     0);
    return k;
}

static gnutls_x509_crt_t new_crt(gnutls_x509_privkey_t key, const char *dn, unsigned serial)
{
    gnutls_x509_crt_t c;
    const char *e = NULL;
    unsigned char ser[4] = {0, 0, 0, (unsigned char)serial};
    time_t now = time(NULL);

    assert_int_equal(gnutls_x509_crt_init(&c), 0);
    assert_int_equal(gnutls_x509_crt_set_version(c, 3), 0);
    assert_int_equal(gnutls_x509_crt_set_serial(c, ser, sizeof(ser)), 0);
    assert_int_equal(gnutls_x509_crt_set_activation_time(c, now - 3600), 0);
    assert_int_equal(gnutls_x509_crt_set_expiration_time(c, now + 86400), 0);
    assert_int_equal(gnutls_x509_crt_set_dn(c, dn, &e), 0);
    assert_int_equal(gnutls_x509_crt_set_key(c, key), 0);
    return c;
}

static void spki_pin(gnutls_x509_crt_t crt, char *out)
{
    gnutls_pubkey_t pk;
    gnutls_datum_t der = {0};
    unsigned char h[32];
    char url[64];

    assert_int_equal(gnutls_pubkey_init(&pk), 0);
    assert_int_equal(gnutls_pubkey_import_x509(pk, crt, 0), 0);
    assert_int_equal(gnutls_pubkey_export2(pk, GNUTLS_X509_FMT_DER, &der), 0);
    assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, h), 0);
    /* KrakenD's format: base64 URL alphabet with padding. */
    cmn_b64url_encode(h, sizeof(h), url);
    snprintf(out, 80, "%s=", url);
    gnutls_free(der.data);
    gnutls_pubkey_deinit(pk);
}

void tpki_init(struct tpki *p)
{
    gnutls_x509_privkey_t ca_key = new_key(), srv_key = new_key();
    gnutls_x509_crt_t ca = new_crt(ca_key, "CN=gw-jwks test CA", 1);
    gnutls_x509_crt_t srv = new_crt(srv_key, "CN=localhost", 2);
    unsigned char ip[4] = {127, 0, 0, 1};
    gnutls_datum_t d = {0};
    FILE *f;

    memset(p, 0, sizeof(*p));
    assert_int_equal(gnutls_x509_crt_set_basic_constraints(ca, 1, -1), 0);
    assert_int_equal(
        gnutls_x509_crt_set_key_usage(ca, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), 0);
    {
        gnutls_privkey_t pk;
        assert_int_equal(gnutls_privkey_init(&pk), 0);
        assert_int_equal(gnutls_privkey_import_x509(pk, ca_key, 0), 0);
        assert_int_equal(gnutls_x509_crt_privkey_sign(ca, ca, pk, GNUTLS_DIG_SHA256, 0), 0);
        assert_int_equal(gnutls_x509_crt_set_basic_constraints(srv, 0, -1), 0);
        assert_int_equal(gnutls_x509_crt_set_key_usage(srv, GNUTLS_KEY_DIGITAL_SIGNATURE), 0);
        assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(srv, GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
        assert_int_equal(gnutls_x509_crt_set_subject_alt_name(srv, GNUTLS_SAN_DNSNAME, "localhost",
                                                              9, GNUTLS_FSAN_APPEND),
                         0);
        assert_int_equal(gnutls_x509_crt_set_subject_alt_name(srv, GNUTLS_SAN_IPADDRESS, ip, 4,
                                                              GNUTLS_FSAN_APPEND),
                         0);
        assert_int_equal(gnutls_x509_crt_privkey_sign(srv, ca, pk, GNUTLS_DIG_SHA256, 0), 0);
        gnutls_privkey_deinit(pk);
    }
    p->ca_pem = export_crt(ca);
    p->cert_pem = export_crt(srv);
    assert_int_equal(gnutls_x509_privkey_export2(srv_key, GNUTLS_X509_FMT_PEM, &d), 0);
    p->key_pem = cmn_strndup((const char *)d.data, d.size);
    gnutls_free(d.data);
    spki_pin(srv, p->pin);

    cmn_strlcpy(p->dir, "/tmp/gw-jwks-test-XXXXXX", sizeof(p->dir));
    assert_non_null(mkdtemp(p->dir));
    snprintf(p->ca_path, sizeof(p->ca_path), "%s/ca.pem", p->dir);
    f = fopen(p->ca_path, "w");
    assert_non_null(f);
    fputs(p->ca_pem, f);
    fclose(f);

    gnutls_x509_crt_deinit(ca);
    gnutls_x509_crt_deinit(srv);
    gnutls_x509_privkey_deinit(ca_key);
    gnutls_x509_privkey_deinit(srv_key);
}

void tpki_free(struct tpki *p)
{
    if (p->ca_path[0])
        unlink(p->ca_path);
    if (p->dir[0])
        rmdir(p->dir);
    free(p->ca_pem);
    free(p->cert_pem);
    free(p->key_pem);
    memset(p, 0, sizeof(*p));
}

/* ---- server ---- */

static struct cmn_http_response *answer(struct tsrv *t)
{
    struct cmn_http_response *r = cmn_http_response_new(t->status);

    if (t->ctype[0])
        cmn_http_response_add_header(r, "Content-Type", t->ctype);
    cmn_http_response_set_body(r, t->body ? t->body : "", t->body_len);
    return r;
}

static void respond(struct tsrv *t, struct cmn_http_exchange *ex)
{
    struct cmn_http_response *r;

    pthread_mutex_lock(&t->mu);
    r = answer(t);
    pthread_mutex_unlock(&t->mu);
    atomic_fetch_sub(&t->inflight, 1);
    cmn_http_exchange_respond(ex, r);
}

static void handler(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    struct tsrv *t = ctx;
    unsigned now_in = atomic_fetch_add(&t->inflight, 1) + 1, max;

    (void)req;
    atomic_fetch_add(&t->hits, 1);
    max = atomic_load(&t->max_inflight);
    while (now_in > max && !atomic_compare_exchange_weak(&t->max_inflight, &max, now_in))
        ;
    pthread_mutex_lock(&t->mu);
    if (t->delay_ms != 0 && t->n_pending < TSRV_MAX_PENDING) {
        t->pending[t->n_pending].ex = ex;
        t->pending[t->n_pending].due_ms =
            t->delay_ms < 0 ? INT64_MAX : cmn_clock_mono_ms() + t->delay_ms;
        t->n_pending++;
        pthread_mutex_unlock(&t->mu);
        return;
    }
    pthread_mutex_unlock(&t->mu);
    respond(t, ex);
}

/* Answers deferred exchanges when due (all of them once stopping). */
static void *responder(void *arg)
{
    struct tsrv *t = arg;

    for (;;) {
        bool stopping = atomic_load(&t->stop);
        int64_t now = cmn_clock_mono_ms();
        struct cmn_http_exchange *due[TSRV_MAX_PENDING];
        size_t n_due = 0, keep = 0;

        pthread_mutex_lock(&t->mu);
        for (size_t i = 0; i < t->n_pending; i++) {
            if (stopping || t->pending[i].due_ms <= now)
                due[n_due++] = t->pending[i].ex;
            else
                t->pending[keep++] = t->pending[i];
        }
        t->n_pending = keep;
        pthread_mutex_unlock(&t->mu);
        for (size_t i = 0; i < n_due; i++)
            respond(t, due[i]);
        if (stopping)
            return NULL;
        sleep_ms(5);
    }
}

void tsrv_start(struct tsrv *t, unsigned port, const struct tpki *pki)
{
    struct cmn_http_server_opts o = {0};
    struct cmn_err err = {0};

    if (!t->status) { /* first start */
        pthread_mutex_init(&t->mu, NULL);
        t->status = 200;
        cmn_strlcpy(t->ctype, "application/json", sizeof(t->ctype));
    }
    o.bind = "127.0.0.1";
    o.port = port;
    o.threads = 1;
    o.idle_timeout_s = 5;
    o.tls_cert_pem = pki ? pki->cert_pem : NULL;
    o.tls_key_pem = pki ? pki->key_pem : NULL;
    o.handler = handler;
    o.ctx = t;
    atomic_store(&t->stop, false);
    t->srv = cmn_http_server_start(&o, &err);
    if (!t->srv)
        fail_msg("server: %s", err.msg);
    t->port = cmn_http_server_port(t->srv);
    assert_int_equal(pthread_create(&t->responder, NULL, responder, t), 0);
}

void tsrv_stop(struct tsrv *t)
{
    if (!t->srv)
        return;
    atomic_store(&t->stop, true);
    pthread_join(t->responder, NULL);
    cmn_http_server_stop(t->srv, 1000);
    t->srv = NULL;
}

void tsrv_free(struct tsrv *t)
{
    tsrv_stop(t);
    free(t->body);
    t->body = NULL;
    if (t->status)
        pthread_mutex_destroy(&t->mu);
    t->status = 0;
}

void tsrv_set(struct tsrv *t, unsigned status, const char *ctype, const char *body, size_t len,
              int delay_ms)
{
    char *copy = malloc(len + 1);

    assert_non_null(copy);
    memcpy(copy, body, len);
    copy[len] = '\0';
    pthread_mutex_lock(&t->mu);
    free(t->body);
    t->body = copy;
    t->body_len = len;
    t->status = status;
    cmn_strlcpy(t->ctype, ctype ? ctype : "", sizeof(t->ctype));
    t->delay_ms = delay_ms;
    pthread_mutex_unlock(&t->mu);
}

void tsrv_set_kids(struct tsrv *t, const char *kids)
{
    char *doc = jwks_doc(kids);

    tsrv_set(t, 200, "application/json", doc, strlen(doc), 0);
    free(doc);
}

void tsrv_set_delay(struct tsrv *t, int delay_ms)
{
    pthread_mutex_lock(&t->mu);
    t->delay_ms = delay_ms;
    pthread_mutex_unlock(&t->mu);
}

void tsrv_release(struct tsrv *t)
{
    struct cmn_http_exchange *held[TSRV_MAX_PENDING];
    size_t n;

    pthread_mutex_lock(&t->mu);
    n = t->n_pending;
    for (size_t i = 0; i < n; i++)
        held[i] = t->pending[i].ex;
    t->n_pending = 0;
    pthread_mutex_unlock(&t->mu);
    for (size_t i = 0; i < n; i++)
        respond(t, held[i]);
}

void tsrv_wait_hits(struct tsrv *t, unsigned n)
{
    int64_t end = cmn_clock_mono_ms() + TEST_EVENT_MS;

    while (atomic_load(&t->hits) < n) {
        if (cmn_clock_mono_ms() > end)
            fail_msg("the server got %u request(s), not %u", atomic_load(&t->hits), n);
        sleep_ms(2);
    }
}

/* ---- log capture ---- */

static char log_path[64];
static int log_fd = -1;

void tlog_begin(void)
{
    cmn_strlcpy(log_path, "/tmp/gw-jwks-log-XXXXXX", sizeof(log_path));
    log_fd = mkstemp(log_path);
    assert_true(log_fd >= 0);
    cmn_log_init("KRAKEND", CMN_LOG_DEBUG, log_fd);
}

bool tlog_contains(const char *needle)
{
    char buf[65536];
    ssize_t n;
    int fd = open(log_path, O_RDONLY);

    assert_true(fd >= 0);
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return strstr(buf, needle) != NULL;
}

void tlog_end(void)
{
    cmn_log_init("KRAKEND", CMN_LOG_WARNING, 2);
    if (log_fd >= 0)
        close(log_fd);
    unlink(log_path);
    log_fd = -1;
}
