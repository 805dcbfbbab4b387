/* test_gw_jwks_util.h - in-process JWKS servers (HTTP and HTTPS) and test PKI for the JWKS
 * cache tests. */
#ifndef TEST_GW_JWKS_UTIL_H
#define TEST_GW_JWKS_UTIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A CA and a server certificate it signed (127.0.0.1 and localhost), PEM strings. */
struct tpki {
    char *ca_pem;
    char *cert_pem;    /* server certificate */
    char *key_pem;     /* server key */
    char ca_path[256]; /* ca_pem written to a temp file */
    char pin[80];      /* base64url (padded) SHA-256 of the server's SubjectPublicKeyInfo */
    char dir[128];     /* temp directory */
};

/* Generates fresh ECDSA P-256 keys and certificates; asserts on failure. */
void tpki_init(struct tpki *p);
void tpki_free(struct tpki *p);

#define TSRV_MAX_PENDING 64

/* A JWKS server whose answer the test changes at will. */
struct tsrv {
    struct cmn_http_server *srv;
    unsigned port;
    pthread_mutex_t mu;
    char *body; /* answer body */
    size_t body_len;
    char ctype[64]; /* Content-Type */
    unsigned status;
    int delay_ms; /* answer this late; < 0: never (until stop) */
    atomic_uint hits;
    atomic_uint inflight;
    atomic_uint max_inflight;
    /* deferred answers */
    struct {
        struct cmn_http_exchange *ex;
        int64_t due_ms;
    } pending[TSRV_MAX_PENDING];
    size_t n_pending;
    pthread_t responder;
    atomic_bool stop;
};

/* Starts a server on port (0 = ephemeral), TLS when pki is non-NULL. */
void tsrv_start(struct tsrv *t, unsigned port, const struct tpki *pki);
/* Stops the server (answering what is pending) but keeps the answer settings and counters. */
void tsrv_stop(struct tsrv *t);
void tsrv_free(struct tsrv *t);
void tsrv_set(struct tsrv *t, unsigned status, const char *ctype, const char *body, size_t len,
              int delay_ms);
/* Sets a JWKS body with one P-256 key per kid in the comma-separated list. */
void tsrv_set_kids(struct tsrv *t, const char *kids);
/* Sets how late the server answers from now on (ms; < 0: it holds every answer until
 * tsrv_release or stop). The answer settings above reset it to 0. */
void tsrv_set_delay(struct tsrv *t, int delay_ms);
/* Answers every request held so far, now, with the current answer settings. */
void tsrv_release(struct tsrv *t);
/* Waits until the server has received n requests; fails the test if that takes longer than
 * TEST_EVENT_MS. */
void tsrv_wait_hits(struct tsrv *t, unsigned n);

/* Upper bound on waiting for something that happens in real time (a request arriving, a
 * transfer ending): generous, since it is only reached when the event never comes (or under
 * valgrind on a loaded machine). Tests never wait for time to pass: they move a manual clock. */
#define TEST_EVENT_MS 30000

/* An owned JWKS document with one P-256 key per kid of the comma-separated list. */
char *jwks_doc(const char *kids);

/* A port that was free a moment ago. */
unsigned free_port(void);
void sleep_ms(int ms);

/* Logging into a temp file, to assert on log lines. */
void tlog_begin(void);
/* True when the log so far contains needle. */
bool tlog_contains(const char *needle);
void tlog_end(void);

#endif
