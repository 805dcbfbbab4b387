/* gw_fetch.h - the backend HTTP client: one event-loop thread driving libcurl's multi interface
 * (epoll + curl_multi_socket_action), keep-alive connection reuse, explicit timeouts and size
 * caps, and redirects followed as Go's http.Client follows them. Fetches never hold a thread. */
#ifndef GW_FETCH_H
#define GW_FETCH_H

#include "cmn_err.h"
#include "gw_proxy_request.h"
#include "gw_proxy_response.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_loop;
struct gw_fetch;

struct gw_loop_opts {
    size_t max_response;      /* backend body cap; 0 = 32 MiB */
    long max_connects;        /* connection cache size; 0 = 1024 */
    bool disable_keep_alives; /* a fresh connection per request */
    bool disable_compression; /* no Accept-Encoding: gzip */
    long connect_timeout_ms;  /* cap on connecting; 0 = 10 s */
    size_t max_idle_per_host; /* kept-alive idle connections per backend host; 0 = 250 */
    int64_t idle_timeout_ms;  /* idle backend connections closed after this; 0 = never */
};

/* Starts the loop thread. Owned, or NULL with err set. */
struct gw_loop *gw_loop_new(const struct gw_loop_opts *o, struct cmn_err *err);
/* Stops the thread; fetches still running are dropped without callbacks. l may be NULL. */
void gw_loop_destroy(struct gw_loop *l);
/* Stops the thread (jobs already posted still run); gw_loop_post fails from then on. The loop
 * keeps its state until gw_loop_destroy. Any thread but the loop's; l may be NULL. */
void gw_loop_stop(struct gw_loop *l);
/* True on the loop's own thread. */
bool gw_loop_on_thread(const struct gw_loop *l);
/* Loop thread only: one more descriptor to wait for (an epoll descriptor of another event
 * source, e.g. an HTTP server's): on_ready(ctx) runs when it is readable and when timeout_ms(ctx)
 * (milliseconds from now, -1 = none, asked before each wait) has passed. At most 4. */
bool gw_loop_watch(struct gw_loop *l, int fd, void (*on_ready)(void *ctx),
                   int64_t (*timeout_ms)(void *ctx), void *ctx);
/* Loop thread only: idle(ctx, will_block) runs before every wait for events (will_block:
 * nothing is ready, the thread may sleep), e.g. to flush buffered output. */
void gw_loop_set_idle(struct gw_loop *l, void (*idle)(void *ctx, bool will_block), void *ctx);
/* Runs fn(arg) on the loop thread soon. Any thread. false if the loop is stopping or out of
 * memory (fn is then not called). */
bool gw_loop_post(struct gw_loop *l, void (*fn)(void *arg), void *arg);

/* Called on the loop thread when a fetch ends; res is owned by the callee. */
typedef void (*gw_fetch_cb)(void *arg, struct gw_fetch_result *res);

/* Loop thread only: starts a request (copies what it needs from rq; with take, moves rq's
 * method, URL and headers instead, leaving rq empty). deadline_ms is on cmn_clock_mono_ms()'s
 * clock. Returns a handle for gw_fetch_cancel, or NULL when it could not start (cb is then not
 * called). */
struct gw_fetch *gw_fetch_start(struct gw_loop *l, struct gw_outreq *rq, bool take,
                                int64_t deadline_ms, gw_fetch_cb cb, void *arg);
/* Loop thread only: aborts a fetch; its callback is not called. */
void gw_fetch_cancel(struct gw_fetch *f);

/* Requests currently running (loop thread). */
size_t gw_loop_active(const struct gw_loop *l);

#endif
