/* gw_circuitbreaker.h - qos/circuit-breaker: gobreaker v2's state machine as krakend-
 * circuitbreaker v3 configures it (traffic spec §6): config, what counts as a failure, the
 * admission verdicts, the state-change log lines, and the backend stage that puts it outside
 * every other stage (§1: a proxy rate-limit rejection or a failed cache call is its failure).
 *
 * One breaker per backend definition, shared by every worker thread. A call is
 *     gw_cb_before(cb, now, &ticket)   -> GW_CB_ADMIT, or refuse with gw_cb_admit_error()
 *     ...the inner backend pipe runs (rate limit, Lua, CEL, HTTP, cache)...
 *     gw_cb_after(cb, &ticket, GW_CB_SUCCESS / _FAILURE / _EXCLUDED, now)
 * `now_ns` is monotonic time in nanoseconds, read by the caller. */
#ifndef GW_CIRCUITBREAKER_H
#define GW_CIRCUITBREAKER_H

#include "cmn_clock.h"
#include "cmn_err.h"
#include "gw_config.h"
#include "gw_stage.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define GW_CB_NS "github.com/devopsfaith/krakend-circuitbreaker/gobreaker"
#define GW_CB_NS_ALIAS "qos/circuit-breaker"
/* gobreaker's errors: what the backend call fails with instead of reaching the backend. */
#define GW_CB_ERROR_OPEN "circuit breaker is open"
#define GW_CB_ERROR_TOO_MANY "too many requests"

enum gw_cb_cfg_status {
    GW_CB_CFG_OK = 0,
    GW_CB_CFG_ABSENT, /* no breaker: namespace absent, not an object, or every field zero */
    GW_CB_CFG_NOMEM,
};

/* Immutable after parsing (§6.2). */
struct gw_cb_config {
    bool on;
    char *name;          /* "" by default; only used in log lines; owned */
    int64_t interval_s;  /* as read: int(float64) */
    int64_t timeout_s;   /* as read */
    int64_t max_errors;  /* as read */
    int64_t interval_ns; /* closed-state counting window; 0 = counts never reset */
    int64_t timeout_ns;  /* open period; 60 s when timeout <= 0 */
    uint32_t trip_above; /* uint32(max_errors): opens when consecutive failures exceed it */
    bool log_status_change;
};

/* Parses the namespace value ns (NULL = absent) found at path (for messages). Every option
 * is read; what KrakenD ignores or bends goes to warn (may be NULL). out is usable (on == false
 * unless GW_CB_CFG_OK) and must be freed with gw_cb_config_free. */
enum gw_cb_cfg_status gw_cb_config_parse(const json_t *ns, const char *path,
                                         struct gw_cb_config *out, const struct cmn_warn *warn,
                                         struct cmn_err *err);
void gw_cb_config_free(struct gw_cb_config *c);

/* The startup line of §6.6 (DEBUG "[BACKEND: <url_pattern>][CB] Creating the circuit breaker
 * named '<name>'") when a breaker is installed, to the log. */
void gw_cb_log_startup(const struct gw_cb_config *c, const char *url_pattern);

/* ---- what counts (§6.4) ---- */

enum gw_cb_outcome {
    GW_CB_SUCCESS = 0, /* the inner pipe returned a response (no-op and return_error_details
                          turn any status into one; otherwise only 200 and 201 do) */
    GW_CB_FAILURE,     /* it returned an error: connect/DNS/TLS, deadline, a status Lura refuses,
                          decoding, the backend rate limit, Lua, CEL ... */
    GW_CB_EXCLUDED,    /* neither (context.Canceled: the client left, a concurrent_calls sibling
                          won): frees a half-open trial slot */
};

/* ---- the breaker (thread-safe) ---- */

enum gw_cb_state {
    GW_CB_CLOSED = 0,
    GW_CB_HALF_OPEN = 1,
    GW_CB_OPEN = 2,
};

/* "closed", "half-open", "open". */
const char *gw_cb_state_name(enum gw_cb_state s);

enum gw_cb_admit {
    GW_CB_ADMIT = 0,
    GW_CB_REJECT_OPEN,     /* fail the call with GW_CB_ERROR_OPEN */
    GW_CB_REJECT_TOO_MANY, /* half-open, its one trial in flight: GW_CB_ERROR_TOO_MANY */
};

/* The error text a refused call fails with (static), NULL for GW_CB_ADMIT. The pipeline treats
 * it as any backend error: single backend -> 500 (body = this text only with
 * router.return_error_msg), X-Krakend-Completed: false; ERROR "[ENDPOINT: <path>] <text>". */
const char *gw_cb_admit_error(enum gw_cb_admit a);

struct gw_cb_ticket {
    uint64_t generation;
};

struct gw_cb;

/* A closed breaker whose first window starts at now_ns (startup). With c->log_status_change,
 * every state change logs the WARNING line of §6.6. Owned; NULL on ENOMEM. */
struct gw_cb *gw_cb_new(const struct gw_cb_config *c, int64_t now_ns);
void gw_cb_destroy(struct gw_cb *cb);

/* Before a backend call. On GW_CB_ADMIT, *t must be handed to gw_cb_after() when the call
 * ends. Closed and open (before the timeout) take no lock and write nothing. */
enum gw_cb_admit gw_cb_before(struct gw_cb *cb, int64_t now_ns, struct gw_cb_ticket *t);
/* After an admitted call; results from an older generation are ignored. A success while
 * closed and already without failures takes no lock and writes nothing. */
void gw_cb_after(struct gw_cb *cb, const struct gw_cb_ticket *t, enum gw_cb_outcome o,
                 int64_t now_ns);

/* The state at now_ns, evaluated as gobreaker's State() does (it may move open -> half-open
 * and log that). */
enum gw_cb_state gw_cb_state(struct gw_cb *cb, int64_t now_ns);
/* Consecutive failures counted in the current generation. */
uint32_t gw_cb_consecutive_failures(const struct gw_cb *cb);

/* ---- the stage (gw_modules.c lists its factory before every other backend stage) ---- */

/* The factory's context: the clock the breaker reads when a call ends and at startup (NULL =
 * the system clock; a call's start comes from the seam). */
struct gw_cb_env {
    const struct cmn_clock *clock;
};

/* gw_stage_factory.build: a breaker on each backend whose qos/circuit-breaker block is not all
 * zero. `before` refuses with "circuit breaker is open" / "too many requests"; `after` counts the
 * call's error (any) as a failure and its response as a success; an attempt cancelled before its
 * end (a concurrent_calls sibling won, the client left) counts as neither. */
bool gw_cb_build(void *env, const struct gw_config *cfg, const struct gw_endpoint *ep,
                 const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err);

extern const struct gw_stage_factory gw_cb_factory; /* on the system clock */

#endif
