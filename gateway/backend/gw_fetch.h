/* gw_fetch.h - the backend HTTP client of one worker loop: libcurl's multi interface and the
 * own HTTP/1.1 transport (gw_h1.h) on the loop's epoll, keep-alive connection reuse, explicit
 * timeouts and size caps, and redirects followed as Go's http.Client follows them. Fetches never
 * hold a thread. */
#ifndef GW_FETCH_H
#define GW_FETCH_H

#include "cmn_err.h"
#include "gw_h1.h"
#include "gw_loop.h"
#include "gw_message.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_fetcher;
struct gw_fetch;

/* TLS towards https backends (lura's client_tls): what libcurl is given. */
struct gw_client_tls {
    uint16_t min_version, max_version; /* TLS wire numbers (0x0301 TLS 1.0 ... 0x0304) */
    bool insecure;                     /* no verification of the backend's certificate */
    const char *ca_file;               /* PEM bundle of extra CAs, or NULL */
    bool system_cas;                   /* the system's CAs as well */
    const char *cert_file, *key_file;  /* the client certificate offered, or NULL */
};

struct gw_fetcher_opts {
    size_t max_response;      /* backend body cap; 0 = 32 MiB */
    long max_connects;        /* connection cache size; 0 = 1024 */
    bool disable_keep_alives; /* a fresh connection per request */
    bool disable_compression; /* no Accept-Encoding: gzip */
    long connect_timeout_ms;  /* cap on connecting (Go's Dialer.Timeout; https: plus Go's 10 s
                               * TLS handshake); 0 = none but the request's deadline */
    size_t max_idle_per_host; /* kept-alive idle connections per backend host; 0 = 250 */
    int64_t idle_timeout_ms;  /* idle backend connections closed after this; 0 = never */
    struct gw_h1_pool *pool;  /* idle counts shared by every worker (borrowed), or NULL */
    int64_t response_header_timeout_ms; /* 0 = none (Go's ResponseHeaderTimeout) */
    int64_t expect_continue_timeout_ms; /* 0 = the body goes at once (ExpectContinueTimeout) */
    int64_t keep_alive_ms;     /* TCP keep-alive (Go's Dialer.KeepAlive): 0 = 15 s, < 0 = off */
    int64_t fallback_delay_ms; /* Happy Eyeballs (Dialer.FallbackDelay): 0 = 300 ms */
    const struct gw_client_tls *tls; /* borrowed; NULL = Go's defaults (TLS 1.2-1.3, system
                                      * CAs, no client certificate) */
};

/* The client of loop l, installed as its event source: before gw_loop_start. Owned, or NULL
 * with err set. */
struct gw_fetcher *gw_fetcher_new(struct gw_loop *l, const struct gw_fetcher_opts *o,
                                  struct cmn_err *err);
/* With the loop's thread stopped: drops the fetches still running (without callbacks), closes
 * every connection and uninstalls itself from the loop. fr may be NULL. */
void gw_fetcher_destroy(struct gw_fetcher *fr);
/* The loop the client runs on. */
struct gw_loop *gw_fetcher_loop(const struct gw_fetcher *fr);

/* Called on the loop thread when a fetch ends; res is owned by the callee. */
typedef void (*gw_fetch_cb)(void *arg, struct gw_fetch_result *res);

/* Loop thread only: starts a request (copies what it needs from rq; with take, moves rq's
 * method, URL and headers instead, leaving rq empty). deadline_ms is on cmn_clock_mono_ms()'s
 * clock. Returns a handle for gw_fetch_cancel, or NULL when it could not start (cb is then not
 * called). */
struct gw_fetch *gw_fetch_start(struct gw_fetcher *fr, struct gw_outreq *rq, bool take,
                                int64_t deadline_ms, gw_fetch_cb cb, void *arg);
/* Loop thread only: aborts a fetch; its callback is not called. */
void gw_fetch_cancel(struct gw_fetch *f);

#endif
