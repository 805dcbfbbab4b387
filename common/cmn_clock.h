/* cmn_clock.h - wall and monotonic clocks, read only at the edges (parsers take `now`), and the
 * clock handed to the modules that keep time themselves (JWKS cache, validator). */
#ifndef CMN_CLOCK_H
#define CMN_CLOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Seconds since the Unix epoch (CLOCK_REALTIME). */
int64_t cmn_clock_unix(void);
/* Milliseconds since the Unix epoch. */
int64_t cmn_clock_unix_ms(void);
/* Milliseconds of CLOCK_MONOTONIC, for timeouts and durations. */
int64_t cmn_clock_mono_ms(void);
/* Microseconds of CLOCK_MONOTONIC. */
int64_t cmn_clock_mono_us(void);

/* A source of time passed to a module instead of read from the system, so a test can decide
 * when time passes. mono_ms: monotonic milliseconds (durations, schedules, deadlines);
 * unix_ms: milliseconds since the Unix epoch (token times). Both are called from any thread,
 * and must be cheap: the validator reads one per request. */
struct cmn_clock {
    int64_t (*mono_ms)(void *ctx);
    int64_t (*unix_ms)(void *ctx);
    void *ctx;
};

/* The real clocks (CLOCK_MONOTONIC and CLOCK_REALTIME). Borrowed, static, never NULL. */
const struct cmn_clock *cmn_clock_system(void);

/* c, or the system clock when c is NULL (the convention of every module taking a clock). */
static inline const struct cmn_clock *cmn_clock_or_system(const struct cmn_clock *c)
{
    return c ? c : cmn_clock_system();
}

static inline int64_t cmn_clock_now_mono_ms(const struct cmn_clock *c)
{
    return c->mono_ms(c->ctx);
}

static inline int64_t cmn_clock_now_unix_ms(const struct cmn_clock *c)
{
    return c->unix_ms(c->ctx);
}

/* For tests (and fuzzers): a clock that stands still until the test moves it. Any thread may
 * read it while another moves it. Usage:
 *   struct cmn_clock_manual m;
 *   cmn_clock_manual_init(&m, 1000000, 1700000000000);   then hand &m.clock to the module
 *   cmn_clock_manual_advance(&m, 250);                     250 ms pass, on both clocks
 * A module that sleeps until a due time must then be told to look again (gw_jwks_cache_kick):
 * its real-time waits are only caps. */
struct cmn_clock_manual {
    struct cmn_clock clock; /* points at this struct; borrowed by the code under test */
    _Atomic int64_t mono_ms;
    _Atomic int64_t unix_ms;
};

/* Starts the clock at the given readings. m is the caller's; nothing to free. */
void cmn_clock_manual_init(struct cmn_clock_manual *m, int64_t mono_ms, int64_t unix_ms);
/* Moves both readings forward by ms; a negative ms is ignored (monotonic time never goes
 * back). */
void cmn_clock_manual_advance(struct cmn_clock_manual *m, int64_t ms);

/* Real-time waits, for events that happen in real time (a transfer ending, a thread's
 * signal). A deadline in a struct cmn_clock's time is re-checked by the caller after each
 * wait, so with a manual clock these waits only bound how long a waiter sleeps. */

/* Initialises cv so that cmn_clock_cond_wait_ms measures CLOCK_MONOTONIC (immune to wall
 * clock steps). Returns pthread_cond_init's result. Destroy with pthread_cond_destroy. */
int cmn_clock_cond_init(pthread_cond_t *cv);
/* With mu held, waits on cv (from cmn_clock_cond_init) for at most ms milliseconds of real
 * time (ms <= 0: returns at once; capped at a day). Returns false when the time ran out, true when
 * woken (possibly spuriously: callers loop on their condition). */
bool cmn_clock_cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms);

#endif
