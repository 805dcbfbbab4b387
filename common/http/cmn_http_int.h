/* cmn_http_int.h - what cmn_http.c (the public API and the life of an exchange) shares with the
 * engines behind it: libmicrohttpd's (cmn_http_mhd.c) and our own HTTP/1.1 engine
 * (cmn_http_native.c). An engine fills the operations table below and calls back into the API
 * only through the helpers declared here. Not for users of cmn_http.h. */
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

struct cmn_http_engine;
struct cmn_hn_conn;
struct MHD_Connection;

struct cmn_http_server {
    const struct cmn_http_engine *engine;
    void *engine_data; /* the engine's own state */
    unsigned n_loops;  /* external loops, or 1 */
    bool external;
    int listen_fd;          /* shared by the external loops */
    atomic_uint n_quiesced; /* external loops that stopped accepting */
    struct cmn_http_server_opts opts;
    unsigned port;
    atomic_uint inflight; /* exchanges given to the handler, not yet answered */
    atomic_size_t head_bytes; /* native engine: head memory taken from opts.head_budget */
    atomic_bool stopped;
    pthread_mutex_t lock; /* guards the freeing handshake at stop */
    bool free_on_last;
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
    char target_text[]; /* the request-target (native engine: and the whole request) */
};

/* What an engine does; cmn_http.c calls these and nothing else of it. The loop operations are
 * those of cmn_http_server_loop_* (external loops only). */
struct cmn_http_engine {
    /* s->opts are final, s->external and s->n_loops set. False with err on failure (the
     * server is then freed through free()). */
    bool (*start)(struct cmn_http_server *s, struct cmn_err *err);
    /* ex was answered after its handler returned (SUSPENDED -> ANSWERED), from any thread:
     * send the answer (or drop it if the server stopped). */
    void (*deliver)(struct cmn_http_exchange *ex);
    int (*loop_fd)(const struct cmn_http_server *s, unsigned i);
    int (*loop_wake_fd)(const struct cmn_http_server *s, unsigned i);
    int64_t (*loop_timeout_ms)(const struct cmn_http_server *s, unsigned i);
    void (*loop_run)(struct cmn_http_server *s, unsigned i);
    void (*quiesce_loop)(struct cmn_http_server *s, unsigned i);
    /* Stop accepting (the internally polled server; external loops quiesce one by one). */
    void (*quiesce)(struct cmn_http_server *s);
    /* No loop drives the engine any more: close the connections that are left. */
    void (*stop)(struct cmn_http_server *s);
    /* Frees the engine's state (s itself is freed by cmn_http.c). */
    void (*free)(struct cmn_http_server *s);
};

extern const struct cmn_http_engine cmn_http_engine_mhd;
extern const struct cmn_http_engine cmn_http_engine_native;

/* ---- helpers the engines use ------------------------------------------------------------- */

void cmn_http_exchange_unref(struct cmn_http_exchange *ex);
/* Points the exchange's public request at its strings; q: the '?' in the target, or NULL.
 * The engine sets tls, remote_port, the body and its flags itself. */
void cmn_http_request_publish(struct cmn_http_exchange *ex, const char *q);
/* Copies n bytes of s and a NUL to *at, advances *at past them, returns the copy. */
char *cmn_http_put(char **at, const char *s, size_t n);
void cmn_http_access_log(const struct cmn_http_exchange *ex, const struct cmn_http_response *r);

#endif
