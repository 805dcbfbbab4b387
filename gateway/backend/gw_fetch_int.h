/* gw_fetch_int.h - what gw_fetch.c shares with the files beside it in the backend module: the
 * fetcher and fetch structs, and the seams between the hop logic (gw_fetch.c), the libcurl easy
 * handle (gw_fetch_easy.c) and the own HTTP/1.1 transport (gw_fetch_h1.c). */
#ifndef GW_FETCH_INT_H
#define GW_FETCH_INT_H

#include "gw_fetch.h"

#include "cmn_buf.h"
#include "gw_h1.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define EASY_POOL_MAX 1024 /* as many as case-8-like loads keep in flight: no re-creation churn */

/* lura's NewTransport on a libcurl easy handle: TCP keep-alive (dialer_keep_alive), Happy
 * Eyeballs (dialer_fallback_delay), 100-continue (expect_continue_timeout), idle age
 * (idle_connection_timeout), and client_tls (versions, CAs, client certificate). o is read
 * only; its strings must outlive the transfer (libcurl copies them, but o->tls's CA file is a
 * memfd path that must stay open). */
void gw_fetch_transport_opts(CURL *e, const struct gw_fetcher_opts *o);

/* What our epoll holds for a curl socket (fdstate[fd]). A socket curl stops watching stays
 * registered (a keep-alive connection is watched again by the next request): no epoll_ctl
 * per transfer for it. */
enum { FD_REG = 1u << 30, FD_CURL = 1u << 29, FD_EVMASK = FD_CURL - 1 };

struct gw_fetcher {
    struct gw_fetcher_opts o;
    struct gw_loop *loop;
    int epfd;          /* the loop's */
    uint32_t *fdstate; /* per descriptor, see FD_REG */
    size_t n_fdstate;
    CURLM *multi;
    int64_t timer_at; /* curl's next timeout (mono ms), -1 = none */
    struct gw_fetch *active;
    CURL *pool[EASY_POOL_MAX];
    size_t n_pool;
    struct gw_h1 *h1;      /* plain-http backends at a known address */
    unsigned hdr_timers;   /* libcurl hops waiting for their head under response_header_timeout */
    struct dns_entry *dns; /* addresses libcurl resolved, for gw_h1 */
    size_t n_dns;
};

/* host:port -> the address libcurl connected to, so the next requests can skip libcurl. */
struct dns_entry {
    char *key;
    struct sockaddr_storage addr;
    socklen_t len;
    int64_t expires;
    struct dns_entry *next;
};

struct gw_fetch {
    struct gw_fetcher *fr;
    CURL *easy;              /* the hop runs on libcurl... */
    struct gw_h1_xfer *xfer; /* ...or on gw_h1 */
    struct curl_slist *slist;
    char *method;
    char *url;
    char *host; /* Host header to send instead of the URL's, or NULL */
    struct gw_hdrs headers;
    char *body;
    size_t body_len;
    bool content_length, accept_gzip;
    int redirects;
    int64_t deadline_ms;
    struct cmn_buf resp;
    struct gw_hdrs resp_headers;
    bool too_big;
    unsigned interim;    /* 1xx answers libcurl passed over in this hop */
    bool in_interim;     /* the head being read is a 1xx one */
    bool got_head;       /* the final head was read */
    int64_t hdr_due_ms;  /* libcurl: response_header_timeout's deadline, -1 = none */
    const char *refused; /* why the hop's answer was refused (Go's transport error), static */
    char errbuf[CURL_ERROR_SIZE];
    gw_fetch_cb cb;
    void *arg;
    struct gw_fetch *prev, *next;
};

/* ---- gw_fetch.c ---- */

/* The current hop ended: status > 0 is the backend's answer, else error (owned) says why. Follows
 * redirects or completes the fetch. */
void gw_fetch_hop_end(struct gw_fetch *f, long status, char *error);
/* Go's urlErrorOp, the first word of its transport errors: "GET" -> "Get". */
void gw_fetch_op_name(const char *m, char *out, size_t n);
/* libcurl closes a socket: the fetcher forgets it (CURLOPT_CLOSESOCKETFUNCTION). */
int gw_fetch_on_close_socket(void *ud, curl_socket_t s);

/* ---- gw_fetch_easy.c ---- */

/* Configures f->easy for the current hop; false when out of memory. */
bool gw_fetch_easy_setup(struct gw_fetch *f);
/* response_header_timeout on libcurl: the final head came, or the hop ended. */
void gw_fetch_head_done(struct gw_fetch *f);
bool gw_fetch_method_is(const char *m, const char *x);
/* A POST, PUT or PATCH, or any request with a body: Go sends a Content-Length, 0 included. */
bool gw_fetch_posting(const struct gw_fetch *f);

/* ---- gw_fetch_h1.c ---- */

/* Starts the hop on gw_h1 when it can take it (plain http at a known address, keep-alive on,
 * Accept-Encoding ours to choose); false leaves it to libcurl. */
bool gw_fetch_h1_start(struct gw_fetch *f);
/* After libcurl reached a named http:// host: remember where, so gw_h1 takes the next ones. */
void gw_fetch_h1_learn(struct gw_fetcher *fr, struct gw_fetch *f);

#endif
