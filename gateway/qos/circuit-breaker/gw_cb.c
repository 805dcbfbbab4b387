/* gw_cb.c - gobreaker v2's state machine (one fixed window, MaxRequests 1) [gobreaker:v2/
 * gobreaker.go], the failure classification of §6.4 and the state-change lines of §6.6.
 *
 * gobreaker takes a mutex twice per call. Here every transition still happens under a mutex,
 * exactly as gobreaker orders them, but the common answers are read without it: (state,
 * generation) and the deadline of the current state are published through a sequence word, so
 * a closed breaker admits a call with three loads, an open one refuses it the same way, and a
 * success while closed without pending failures changes nothing (gobreaker would only bump
 * counters nobody reads). Everything that can change the state takes the lock. */
#include "gw_circuitbreaker.h"

#include "cmn_log.h"
#include "cmn_str.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define NEVER INT64_MAX

/* word = generation << 3 | busy << 2 | state */
#define W_STATE(w) ((enum gw_cb_state)((w)&3u))
#define W_BUSY 4u
#define W_GEN(w) ((w) >> 3)
#define W_MAKE(gen, st) (((gen) << 3) | (uint64_t)(st))

struct gw_cb {
    _Alignas(64) _Atomic uint64_t word;
    _Atomic int64_t expiry; /* closed: end of the window (NEVER without interval); open: end
                               of the timeout; half-open: NEVER */
    _Atomic uint32_t consecutive_failures;
    _Alignas(64) pthread_mutex_t mu;
    /* under mu */
    enum gw_cb_state state;
    uint64_t generation;
    uint32_t requests;   /* half-open: trials started in this generation */
    uint32_t exclusions; /* half-open: trials that ended excluded */
    int64_t interval_ns;
    int64_t timeout_ns;
    uint32_t trip_above;
    char *name;
    bool log; /* log_status_change */
};

const char *gw_cb_state_name(enum gw_cb_state s)
{
    switch (s) {
    case GW_CB_CLOSED:
        return "closed";
    case GW_CB_HALF_OPEN:
        return "half-open";
    case GW_CB_OPEN:
        return "open";
    }
    return "unknown";
}

const char *gw_cb_admit_error(enum gw_cb_admit a)
{
    switch (a) {
    case GW_CB_ADMIT:
        return NULL;
    case GW_CB_REJECT_OPEN:
        return GW_CB_ERROR_OPEN;
    case GW_CB_REJECT_TOO_MANY:
        return GW_CB_ERROR_TOO_MANY;
    }
    return NULL;
}

/* ---- transitions, under mu ---- */

static void publish(struct gw_cb *cb, int64_t expiry)
{
    uint64_t w = atomic_load_explicit(&cb->word, memory_order_relaxed);

    /* a sequence lock: readers that see BUSY, or a different word afterwards, retry locked */
    atomic_store_explicit(&cb->word, w | W_BUSY, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&cb->expiry, expiry, memory_order_relaxed);
    atomic_store_explicit(&cb->consecutive_failures, 0, memory_order_relaxed);
    atomic_store_explicit(&cb->word, W_MAKE(cb->generation, cb->state), memory_order_release);
}

static int64_t deadline(int64_t now, int64_t d)
{
    int64_t r;

    return __builtin_add_overflow(now, d, &r) ? NEVER : r;
}

/* gobreaker's toNewGeneration: new generation, counts cleared, the state's deadline. */
static void new_generation(struct gw_cb *cb, int64_t now)
{
    int64_t expiry = NEVER;

    cb->generation++;
    cb->requests = 0;
    cb->exclusions = 0;
    if (cb->state == GW_CB_CLOSED && cb->interval_ns > 0)
        expiry = deadline(now, cb->interval_ns);
    else if (cb->state == GW_CB_OPEN)
        expiry = deadline(now, cb->timeout_ns);
    publish(cb, expiry);
}

static void set_state(struct gw_cb *cb, enum gw_cb_state to, int64_t now)
{
    enum gw_cb_state from = cb->state;

    if (from == to)
        return;
    cb->state = to;
    new_generation(cb, now);
    /* KrakenD's OnStateChange line: no [BACKEND] prefix; one write, under the lock, so the
     * lines come out in the order of the changes */
    if (cb->log)
        cmn_log_warn("[CB] Circuit breaker named '%s' went from '%s' to '%s'", cb->name,
                     gw_cb_state_name(from), gw_cb_state_name(to));
}

/* gobreaker's currentState: deadlines are crossed lazily, by whoever comes next. A deadline
 * is crossed when it is strictly before now (time.Before). */
static void current_state(struct gw_cb *cb, int64_t now)
{
    int64_t expiry = atomic_load_explicit(&cb->expiry, memory_order_relaxed);

    if (cb->state == GW_CB_CLOSED && expiry != NEVER && expiry < now)
        new_generation(cb, now);
    else if (cb->state == GW_CB_OPEN && expiry < now)
        set_state(cb, GW_CB_HALF_OPEN, now);
}

/* ---- lock-free reads ---- */

struct snap {
    uint64_t word;
    int64_t expiry;
    uint32_t failures;
};

static bool snapshot(const struct gw_cb *cb, struct snap *s)
{
    s->word = atomic_load_explicit(&cb->word, memory_order_acquire);
    if (s->word & W_BUSY)
        return false;
    s->expiry = atomic_load_explicit(&cb->expiry, memory_order_relaxed);
    s->failures = atomic_load_explicit(&cb->consecutive_failures, memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    return atomic_load_explicit(&cb->word, memory_order_relaxed) == s->word;
}

/* ---- public ---- */

struct gw_cb *gw_cb_new(const struct gw_cb_config *c, int64_t now_ns)
{
    struct gw_cb *cb;

    if (posix_memalign((void **)&cb, 64, sizeof(*cb)) != 0)
        return NULL;
    memset(cb, 0, sizeof(*cb));
    cb->name = cmn_strndup(c->name ? c->name : "", c->name ? strlen(c->name) : 0);
    if (!cb->name || pthread_mutex_init(&cb->mu, NULL) != 0) {
        free(cb->name);
        free(cb);
        return NULL;
    }
    cb->interval_ns = c->interval_ns > 0 ? c->interval_ns : 0;
    cb->timeout_ns = c->timeout_ns > 0 ? c->timeout_ns : 60LL * 1000000000;
    cb->trip_above = c->trip_above;
    cb->log = c->log_status_change;
    cb->state = GW_CB_CLOSED;
    atomic_init(&cb->word, 0);
    atomic_init(&cb->expiry, NEVER);
    atomic_init(&cb->consecutive_failures, 0);
    new_generation(cb, now_ns);
    return cb;
}

void gw_cb_destroy(struct gw_cb *cb)
{
    if (!cb)
        return;
    pthread_mutex_destroy(&cb->mu);
    free(cb->name);
    free(cb);
}

enum gw_cb_admit gw_cb_before(struct gw_cb *cb, int64_t now_ns, struct gw_cb_ticket *t)
{
    struct snap s;
    enum gw_cb_admit a = GW_CB_ADMIT;

    if (snapshot(cb, &s) && now_ns <= s.expiry) {
        if (W_STATE(s.word) == GW_CB_CLOSED) {
            t->generation = W_GEN(s.word);
            return GW_CB_ADMIT;
        }
        if (W_STATE(s.word) == GW_CB_OPEN)
            return GW_CB_REJECT_OPEN;
    }
    pthread_mutex_lock(&cb->mu);
    current_state(cb, now_ns);
    if (cb->state == GW_CB_OPEN)
        a = GW_CB_REJECT_OPEN;
    else if (cb->state == GW_CB_HALF_OPEN && cb->requests - cb->exclusions >= 1)
        a = GW_CB_REJECT_TOO_MANY; /* MaxRequests = 1 */
    else if (cb->state == GW_CB_HALF_OPEN)
        cb->requests++;
    t->generation = cb->generation;
    pthread_mutex_unlock(&cb->mu);
    return a;
}

/* True when after() needs no lock: no deadline crossed, and the result either belongs to an
 * older generation or would change nothing. */
static bool after_is_noop(const struct gw_cb *cb, const struct gw_cb_ticket *t,
                          enum gw_cb_outcome o, int64_t now)
{
    struct snap s;

    if (!snapshot(cb, &s) || now > s.expiry)
        return false;
    if (W_GEN(s.word) != t->generation)
        return true; /* gobreaker drops results of an older generation */
    if (W_STATE(s.word) != GW_CB_CLOSED)
        return false;
    return o == GW_CB_EXCLUDED || (o == GW_CB_SUCCESS && s.failures == 0);
}

void gw_cb_after(struct gw_cb *cb, const struct gw_cb_ticket *t, enum gw_cb_outcome o,
                 int64_t now_ns)
{
    uint32_t failures;

    if (after_is_noop(cb, t, o, now_ns))
        return;
    pthread_mutex_lock(&cb->mu);
    current_state(cb, now_ns);
    if (cb->generation != t->generation)
        goto out;
    failures = atomic_load_explicit(&cb->consecutive_failures, memory_order_relaxed);
    switch (o) {
    case GW_CB_EXCLUDED:
        if (cb->state == GW_CB_HALF_OPEN)
            cb->exclusions++;
        break;
    case GW_CB_SUCCESS:
        if (cb->state == GW_CB_HALF_OPEN)
            set_state(cb, GW_CB_CLOSED, now_ns); /* one success closes it */
        else
            atomic_store_explicit(&cb->consecutive_failures, 0, memory_order_relaxed);
        break;
    case GW_CB_FAILURE:
        if (cb->state == GW_CB_HALF_OPEN) {
            set_state(cb, GW_CB_OPEN, now_ns);
            break;
        }
        failures++;
        atomic_store_explicit(&cb->consecutive_failures, failures, memory_order_relaxed);
        if (failures > cb->trip_above) /* ReadyToTrip: ConsecutiveFailures > max_errors */
            set_state(cb, GW_CB_OPEN, now_ns);
        break;
    }
out:
    pthread_mutex_unlock(&cb->mu);
}

enum gw_cb_state gw_cb_state(struct gw_cb *cb, int64_t now_ns)
{
    enum gw_cb_state s;

    pthread_mutex_lock(&cb->mu);
    current_state(cb, now_ns);
    s = cb->state;
    pthread_mutex_unlock(&cb->mu);
    return s;
}

uint32_t gw_cb_consecutive_failures(const struct gw_cb *cb)
{
    return atomic_load_explicit(&cb->consecutive_failures, memory_order_relaxed);
}
