/* gw_backend.h - the backend HTTP client: one event-loop thread driving libcurl's multi interface
 * (epoll + curl_multi_socket_action), keep-alive connection reuse, explicit timeouts and size
 * caps, and redirects followed as Go's http.Client follows them. Fetches never hold a thread. */
#ifndef GW_BACKEND_H
#define GW_BACKEND_H

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
};

/* Starts the loop thread. Owned, or NULL with err set. */
struct gw_loop *gw_loop_new(const struct gw_loop_opts *o, struct cmn_err *err);
/* Stops the thread; fetches still running are dropped without callbacks. l may be NULL. */
void gw_loop_destroy(struct gw_loop *l);
/* Runs fn(arg) on the loop thread soon. Any thread. false if the loop is stopping or out of
 * memory (fn is then not called). */
bool gw_loop_post(struct gw_loop *l, void (*fn)(void *arg), void *arg);

/* Called on the loop thread when a fetch ends; res is owned by the callee. */
typedef void (*gw_fetch_cb)(void *arg, struct gw_fetch_result *res);

/* Loop thread only: starts a request (copies what it needs from rq). deadline_ms is on
 * cmn_clock_mono_ms()'s clock. Returns a handle for gw_fetch_cancel, or NULL when it could not
 * start (cb is then not called). */
struct gw_fetch *gw_fetch_start(struct gw_loop *l, const struct gw_outreq *rq, int64_t deadline_ms,
                                gw_fetch_cb cb, void *arg);
/* Loop thread only: aborts a fetch; its callback is not called. */
void gw_fetch_cancel(struct gw_fetch *f);

/* Requests currently running (loop thread). */
size_t gw_loop_active(const struct gw_loop *l);

#endif
