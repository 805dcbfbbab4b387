/* cmn_http_int.h - what the two engines behind cmn_http.h share: libmicrohttpd's (cmn_http.c)
 * and our own HTTP/1.1 engine for plain-HTTP external loops (cmn_http_native.c). Not for
 * users of cmn_http.h. */
#ifndef CMN_HTTP_INT_H
#define CMN_HTTP_INT_H

#include "cmn_buf.h"
#include "cmn_http.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

enum ex_state {
    EX_READING = 0, /* collecting the body */
    EX_HANDLING,    /* inside the handler */
    EX_SUSPENDED,   /* handler returned without an answer; connection suspended */
    EX_ANSWERED,    /* an answer is stored */
    EX_DONE,        /* the answer was queued (or refused early) */
};

struct cmn_http_daemon; /* libmicrohttpd engine: one daemon per loop */
struct cmn_hn_loop;     /* native engine: one per external loop */
struct cmn_hn_conn;
struct cmn_hn_tls;
struct MHD_Connection;

struct cmn_http_server {
    struct cmn_http_daemon *daemons;
    unsigned n_daemons;
    bool external;
    int listen_fd;          /* shared by the external loops */
    atomic_uint n_quiesced; /* external loops that stopped accepting */
    struct cmn_http_server_opts opts;
    unsigned port;
    atomic_uint inflight; /* exchanges given to the handler, not yet answered */
    atomic_bool stopped;
    pthread_mutex_t lock; /* guards the freeing handshake at stop */
    bool free_on_last;
    struct cmn_hn_loop *nloops; /* native engine; NULL with libmicrohttpd */
    struct cmn_hn_tls *tls;     /* native engine serving HTTPS */
};

struct cmn_http_exchange {
    struct cmn_http_server *server;
    struct MHD_Connection *conn;     /* libmicrohttpd engine */
    struct cmn_hn_conn *nc;          /* native engine: the connection, NULL once it is gone */
    struct cmn_http_exchange *qnext; /* native engine: answered-exchange queue */
    unsigned loop;
    atomic_int state;
    atomic_int refs; /* the engine's reference + the handler's while it holds one */
    struct cmn_http_request req;
    struct cmn_http_kv *headers; /* in block */
    size_t n_headers;
    bool too_many_headers;
    const char *content_length; /* first Content-Length value, in block, or NULL */
    char *block; /* one allocation: headers[], then method, version, path and header strings */
    char *target;
    char *path;
    char *method;
    char *version;
    char *authority; /* absolute-form target's host[:port], or NULL */
    char remote_ip[INET6_ADDRSTRLEN];
    struct cmn_buf body;
    bool body_too_big;
    struct cmn_http_response *resp;
    void *user;
    char target_text[]; /* the request-target (native engine: and the whole request) */
};

void cmn_http_exchange_unref(struct cmn_http_exchange *ex);
/* Points the exchange's public request at its strings; q: the '?' in the target, or NULL.
 * The engine sets tls, remote_port, the body and its flags itself. */
void cmn_http_request_publish(struct cmn_http_exchange *ex, const char *q);
/* Copies n bytes of s and a NUL to *at, advances *at past them, returns the copy. */
char *cmn_http_put(char **at, const char *s, size_t n);
void cmn_http_access_log(const struct cmn_http_exchange *ex, const struct cmn_http_response *r);

/* Native engine (cmn_http_native.c). s->opts are final and s->external is set. */
bool cmn_hn_start(struct cmn_http_server *s, struct cmn_err *err);
/* An exchange answered after its handler returned (state went SUSPENDED -> ANSWERED), from
 * any thread: its loop sends the answer on its next run. */
void cmn_hn_deliver(struct cmn_http_exchange *ex);
int cmn_hn_loop_fd(const struct cmn_http_server *s, unsigned i);
int cmn_hn_loop_wake_fd(const struct cmn_http_server *s, unsigned i);
int64_t cmn_hn_loop_timeout_ms(const struct cmn_http_server *s, unsigned i);
void cmn_hn_loop_run(struct cmn_http_server *s, unsigned i);
void cmn_hn_quiesce_loop(struct cmn_http_server *s, unsigned i);
/* After the loops stopped: closes every connection; unanswered exchanges are answered into
 * the void later. */
void cmn_hn_stop(struct cmn_http_server *s);
void cmn_hn_free(struct cmn_http_server *s);

#endif
