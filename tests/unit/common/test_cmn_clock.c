/* test_cmn_clock.c - the system clock behind struct cmn_clock, the manual clock tests drive,
 * and the capped real-time condition wait. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmn_clock.h"

#include <pthread.h>

static void test_system_clock(void **state)
{
    const struct cmn_clock *c = cmn_clock_system();
    int64_t m0, m1, m2, u0, u1, u2;

    (void)state;
    assert_non_null(c);
    assert_ptr_equal(cmn_clock_system(), c);
    assert_ptr_equal(cmn_clock_or_system(NULL), c);
    /* The readings are the process's clocks, not a copy frozen at some point. */
    m0 = cmn_clock_mono_ms();
    u0 = cmn_clock_unix_ms();
    m1 = cmn_clock_now_mono_ms(c);
    u1 = cmn_clock_now_unix_ms(c);
    m2 = cmn_clock_mono_ms();
    u2 = cmn_clock_unix_ms();
    assert_true(m0 <= m1 && m1 <= m2);
    assert_true(u0 <= u1 && u1 <= u2);
    assert_true(u1 / 1000 >= cmn_clock_unix() - 1);
    assert_true(u1 > 1600000000000); /* milliseconds since the epoch, not seconds */
    for (int i = 0; i < 1000; i++) {
        int64_t m = cmn_clock_now_mono_ms(c);
        assert_true(m >= m1);
        m1 = m;
    }
}

static void test_manual_clock(void **state)
{
    struct cmn_clock_manual m;
    const struct cmn_clock *c;

    (void)state;
    cmn_clock_manual_init(&m, 5000, 1700000000000);
    c = &m.clock;
    assert_ptr_equal(cmn_clock_or_system(c), c);
    assert_int_equal(cmn_clock_now_mono_ms(c), 5000);
    assert_int_equal(cmn_clock_now_unix_ms(c), 1700000000000);
    /* It stands still until moved... */
    assert_int_equal(cmn_clock_now_mono_ms(c), 5000);
    /* ... and then both readings move by the same amount. */
    cmn_clock_manual_advance(&m, 250);
    assert_int_equal(cmn_clock_now_mono_ms(c), 5250);
    assert_int_equal(cmn_clock_now_unix_ms(c), 1700000000250);
    cmn_clock_manual_advance(&m, 0);
    cmn_clock_manual_advance(&m, -100); /* monotonic time never goes back */
    assert_int_equal(cmn_clock_now_mono_ms(c), 5250);
    assert_int_equal(cmn_clock_now_unix_ms(c), 1700000000250);
}

struct reader {
    const struct cmn_clock *c;
    _Atomic int done;
    int backwards;
    int64_t last;
};

static void *read_main(void *arg)
{
    struct reader *r = arg;
    int64_t prev = cmn_clock_now_mono_ms(r->c);

    while (!atomic_load(&r->done)) {
        int64_t now = cmn_clock_now_mono_ms(r->c);
        if (now < prev)
            r->backwards++;
        prev = now;
    }
    r->last = cmn_clock_now_mono_ms(r->c);
    return NULL;
}

/* One thread moves the clock while another reads it (run under TSan/helgrind to see races). */
static void test_manual_clock_threads(void **state)
{
    struct cmn_clock_manual m;
    struct reader r = {0};
    pthread_t th;

    (void)state;
    cmn_clock_manual_init(&m, 0, 0);
    r.c = &m.clock;
    assert_int_equal(pthread_create(&th, NULL, read_main, &r), 0);
    for (int i = 0; i < 100000; i++)
        cmn_clock_manual_advance(&m, 1);
    atomic_store(&r.done, 1);
    pthread_join(th, NULL);
    assert_int_equal(r.backwards, 0);
    assert_int_equal(r.last, 100000);
    assert_int_equal(cmn_clock_now_unix_ms(&m.clock), 100000);
}

struct waker {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int flag;
};

static void *wake_main(void *arg)
{
    struct waker *w = arg;

    pthread_mutex_lock(&w->mu);
    w->flag = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void test_cond_wait(void **state)
{
    struct waker w = {.flag = 0};
    pthread_t th;
    int64_t t0;
    bool woken = true;

    (void)state;
    pthread_mutex_init(&w.mu, NULL);
    assert_int_equal(cmn_clock_cond_init(&w.cv), 0);
    pthread_mutex_lock(&w.mu);
    /* Nothing to wait for: no wait at all. */
    assert_false(cmn_clock_cond_wait_ms(&w.cv, &w.mu, 0));
    assert_false(cmn_clock_cond_wait_ms(&w.cv, &w.mu, -5));
    /* Nobody signals: the wait ends when the time is up, not before (a spurious wake-up may
     * end one wait early, hence the loop). */
    t0 = cmn_clock_mono_ms();
    while (woken)
        woken = cmn_clock_cond_wait_ms(&w.cv, &w.mu, 30);
    assert_true(cmn_clock_mono_ms() - t0 >= 30);
    /* A signal ends the wait (the cap is only an upper bound: a day here, clamped). */
    assert_int_equal(pthread_create(&th, NULL, wake_main, &w), 0);
    while (!w.flag)
        assert_true(cmn_clock_cond_wait_ms(&w.cv, &w.mu, INT64_MAX));
    pthread_mutex_unlock(&w.mu);
    pthread_join(th, NULL);
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_system_clock),
        cmocka_unit_test(test_manual_clock),
        cmocka_unit_test(test_manual_clock_threads),
        cmocka_unit_test(test_cond_wait),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
