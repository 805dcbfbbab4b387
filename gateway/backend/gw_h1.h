/* gw_h1.h - the backend client's own HTTP/1.1 transport for plain-http backends at a known
 * address: non-blocking sockets on the loop's epoll (edge-triggered, registered once per
 * connection), one send per request, keep-alive pools per host, deadlines on a heap.
 * libcurl still serves everything else (https, names not yet resolved, proxies, forwarded
 * Accept-Encoding); gw_fetch.c picks the transport for each hop. */
#ifndef GW_H1_H
#define GW_H1_H

#include "cmn_buf.h"
#include "gw_hdrs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct gw_h1;
struct gw_h1_xfer;

/* Idle-connection counts shared by every worker's transport: Go's one Transport keeps at most
 * MaxIdleConnsPerHost idle connections per host and MaxIdleConns in all. */
struct gw_h1_pool;

/* Owned, or NULL. max_idle_per_host 0 = 250 (Go's default as lura sets it); max_idle 0 = no
 * limit. */
struct gw_h1_pool *gw_h1_pool_new(size_t max_idle_per_host, size_t max_idle);
/* After every transport that used it is destroyed. p may be NULL. */
void gw_h1_pool_destroy(struct gw_h1_pool *p);

struct gw_h1_opts {
    size_t max_idle_per_host; /* idle connections kept per host; 0 = 250 (without a pool) */
    int64_t idle_timeout_ms;  /* idle connections closed after this; 0 = never */
    struct gw_h1_pool *pool;  /* shared counts (borrowed), or NULL: this transport's own */
    int64_t response_header_timeout_ms; /* the final head must come this long after the whole
                                         * request was written; 0 = no limit (Go) */
    int64_t expect_continue_timeout_ms; /* a request with a body and "Expect: 100-continue"
                                         * waits this long for the 100 before its body; 0 =
                                         * the body goes at once (Go) */
    int64_t keep_alive_ms;              /* TCP keep-alive probes' idle time and interval; 0 =
                                         * 15 s (Go's default), < 0 = no keep-alive */
};

/* What a request needs; everything is copied by gw_h1_start. */
struct gw_h1_req {
    const struct sockaddr *addr; /* where to connect */
    socklen_t addr_len;
    const char *authority; /* host[:port] as in the URL: Host header and pool key */
    const char *host;      /* the Host header when it is not the authority (NULL: authority) */
    const char *method;
    const char *target; /* origin-form: path and query */
    const struct gw_hdrs *headers;
    const char *body;
    size_t body_len;
    bool chunked;      /* frame the body as one chunk (no Content-Length known) */
    bool empty_length; /* no body but "Content-Length: 0" (POST, PUT, PATCH) */
    bool accept_gzip;  /* ask for gzip and decode it */
    int64_t deadline_ms, connect_deadline_ms; /* cmn_clock_mono_ms() clock */
};

/* How a transfer ended. status > 0: a response (headers and body are in the buffers given to
 * gw_h1_start); else error holds Go-style text ("dial tcp 127.0.0.1:1: connect: connection
 * refused", "EOF", "context deadline exceeded") and too_big/timed_out say why. */
struct gw_h1_outcome {
    long status;
    const char *error;
    bool too_big, timed_out;
};

typedef void (*gw_h1_done_fn)(void *arg, const struct gw_h1_outcome *o);

/* A transport on epoll descriptor epfd (borrowed). Owned, or NULL. */
struct gw_h1 *gw_h1_new(int epfd, const struct gw_h1_opts *o);
/* Closes every connection; transfers still running are dropped without callbacks. */
void gw_h1_destroy(struct gw_h1 *h);

/* Starts a transfer; the response goes to headers and body (borrowed until done runs, body's cap
 * is the size limit). NULL when it could not start (done is then not called). done runs later,
 * from gw_h1_event or gw_h1_expire, never from inside gw_h1_start. On a kept connection the
 * request waits for gw_h1_flush, which the loop's driver calls once its pass is over. */
struct gw_h1_xfer *gw_h1_start(struct gw_h1 *h, const struct gw_h1_req *rq, struct gw_hdrs *headers,
                               struct cmn_buf *body, gw_h1_done_fn done, void *arg);
/* Aborts a transfer (its connection is closed); done is not called. x may be NULL. */
void gw_h1_cancel(struct gw_h1_xfer *x);
/* Sends the requests started on kept connections since the last flush, in the order they were
 * started, so that one pass's requests leave back to back rather than between the pass's other
 * work (bench/pair on a core shared with the backend, sides swapped to cancel the side's bias:
 * ~5 % more requests a second than a send from inside gw_h1_start). Errors are reported from
 * gw_h1_expire. */
void gw_h1_flush(struct gw_h1 *h);

/* An epoll event whose data.u64 has a non-zero upper half belongs to this transport. */
static inline bool gw_h1_is_ours(uint64_t epoll_data)
{
    return (epoll_data >> 32) != 0;
}
/* Handles one epoll event of ours (stale events of closed connections are ignored). */
void gw_h1_event(struct gw_h1 *h, uint64_t epoll_data, uint32_t events);
/* The earliest deadline (cmn_clock_mono_ms), -1 = none. */
int64_t gw_h1_next_due(const struct gw_h1 *h);
/* Fails transfers whose deadline passed and closes idle connections past their timeout. */
void gw_h1_expire(struct gw_h1 *h, int64_t now_ms);

#endif
