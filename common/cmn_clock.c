/* cmn_clock.c - clocks: the system's, a manual one for tests, and capped real-time waits. */
#include "cmn_clock.h"

#include <errno.h>
#include <time.h>

#define WAIT_MAX_MS (86400 * 1000) /* keeps the deadline far from time_t's limits */

static int64_t read_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t cmn_clock_unix(void)
{
    return read_ns(CLOCK_REALTIME) / 1000000000;
}

int64_t cmn_clock_unix_ms(void)
{
    return read_ns(CLOCK_REALTIME) / 1000000;
}

int64_t cmn_clock_mono_ms(void)
{
    return read_ns(CLOCK_MONOTONIC) / 1000000;
}

int64_t cmn_clock_mono_us(void)
{
    return read_ns(CLOCK_MONOTONIC) / 1000;
}

static int64_t system_mono_ms(void *ctx)
{
    (void)ctx;
    return cmn_clock_mono_ms();
}

static int64_t system_unix_ms(void *ctx)
{
    (void)ctx;
    return cmn_clock_unix_ms();
}

static const struct cmn_clock system_clock = {
    .mono_ms = system_mono_ms, .unix_ms = system_unix_ms, .ctx = NULL};

const struct cmn_clock *cmn_clock_system(void)
{
    return &system_clock;
}

static int64_t manual_mono_ms(void *ctx)
{
    struct cmn_clock_manual *m = ctx;

    return atomic_load(&m->mono_ms);
}

static int64_t manual_unix_ms(void *ctx)
{
    struct cmn_clock_manual *m = ctx;

    return atomic_load(&m->unix_ms);
}

void cmn_clock_manual_init(struct cmn_clock_manual *m, int64_t mono_ms, int64_t unix_ms)
{
    m->clock = (struct cmn_clock){.mono_ms = manual_mono_ms, .unix_ms = manual_unix_ms, .ctx = m};
    atomic_init(&m->mono_ms, mono_ms);
    atomic_init(&m->unix_ms, unix_ms);
}

void cmn_clock_manual_advance(struct cmn_clock_manual *m, int64_t ms)
{
    if (ms <= 0)
        return;
    atomic_fetch_add(&m->unix_ms, ms);
    atomic_fetch_add(&m->mono_ms, ms);
}

int cmn_clock_cond_init(pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    int rc;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
    return rc;
}

bool cmn_clock_cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms)
{
    struct timespec ts;
    int64_t ns;

    if (ms <= 0)
        return false;
    if (ms > WAIT_MAX_MS)
        ms = WAIT_MAX_MS;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ns = (int64_t)ts.tv_nsec + (ms % 1000) * 1000000;
    ts.tv_sec += (time_t)(ms / 1000 + ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    return pthread_cond_timedwait(cv, mu, &ts) != ETIMEDOUT;
}
