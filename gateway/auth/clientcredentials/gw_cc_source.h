/* gw_cc_source.h - one backend's OAuth2 token (oauth2.ReuseTokenSource over a client credentials
 * source): the token cached until 10 s before it expires, one request for it at a time however
 * many calls need it (the others wait for that one), the client authentication style probed
 * once (HTTP Basic, then the form) and remembered.
 *
 * The token requests run on a thread of the source's own, started when a token is needed and
 * gone when nothing waits; the HTTP exchange sits behind a transport interface (libcurl in
 * production, a fake in tests) and time comes from an injected clock. */
#ifndef GW_CC_SOURCE_H
#define GW_CC_SOURCE_H

#include "cmn_clock.h"
#include "cmn_err.h"
#include "gw_cc_config.h"
#include "gw_cc_token.h"

#include <stdbool.h>
#include <stdint.h>

/* One token request. */
struct gw_cc_http_req {
    const char *url;
    const char *body; /* application/x-www-form-urlencoded */
    size_t body_len;
    const char *authorization; /* "Basic …" or NULL */
};

/* The token endpoint's transport: the source's thread drives one exchange at a time. */
struct gw_cc_transport {
    void *ctx;
    /* Starts the POST: a handle, or NULL with err set when it failed at once. */
    void *(*start)(void *ctx, const struct gw_cc_http_req *rq, struct cmn_err *err);
    /* Waits at most ms of real time for h: true when it finished, with *res filled (valid until
     * finish); false when the time ran out or wake was called. */
    bool (*wait)(void *ctx, void *h, int64_t ms, struct gw_cc_http_res *res);
    /* Any thread: makes a pending wait return. */
    void (*wake)(void *ctx);
    /* Ends h, finished or not, and frees what its result pointed at. */
    void (*finish)(void *ctx, void *h);
    void (*destroy)(void *ctx); /* may be NULL */
};

/* A call waiting for the token. The caller owns it (and keeps it alive until done ran). */
struct gw_cc_waiter {
    /* On the source's thread, exactly once: value ("Bearer …", borrowed for the call) or, when
     * NULL, error (oauth2's text, or "context deadline exceeded" when deadline_ms passed). */
    void (*done)(struct gw_cc_waiter *w, const char *value, const char *error);
    int64_t deadline_ms;       /* in the clock's mono_ms */
    struct gw_cc_waiter *next; /* the source's */
};

struct gw_cc_source;

/* A source for cfg (moved into it: *cfg is left empty) over transport t (copied; its destroy runs
 * with the source's) and clock (NULL: the system's; borrowed). NULL with err on failure. */
struct gw_cc_source *gw_cc_source_new(struct gw_cc_config *cfg, const struct gw_cc_transport *t,
                                      const struct cmn_clock *clock, struct cmn_err *err);
/* Stops the thread: every waiter still there gets done() with an error first. */
void gw_cc_source_destroy(struct gw_cc_source *s);

enum gw_cc_acquire {
    GW_CC_READY = 0, /* *value is the Authorization value (owned) */
    GW_CC_WAIT,      /* w was queued: its done() runs later */
    GW_CC_NOMEM,     /* nothing was queued */
};

/* Any thread: the cached token when it is still valid, else w waits for the token request in
 * flight (starting one when none is). w NULL only looks: GW_CC_WAIT then queues nothing (the
 * hot path tries that first and builds a waiter only when it must wait). */
enum gw_cc_acquire gw_cc_source_acquire(struct gw_cc_source *s, struct gw_cc_waiter *w,
                                        char **value);

/* For tests with a manual clock: the thread looks at the clock again now (deadlines); returns
 * once it has. */
void gw_cc_source_kick(struct gw_cc_source *s);

/* Counters (tests, logs). */
struct gw_cc_stats {
    unsigned long fetches;  /* token requests sent (a probe's second request counts too) */
    unsigned long failures; /* token fetches that ended in an error */
};
void gw_cc_source_stats(struct gw_cc_source *s, struct gw_cc_stats *out);

#endif
