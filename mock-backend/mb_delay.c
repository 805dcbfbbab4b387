/* mb_delay.c - a min-heap of due answers and one condition-variable timer thread. */
#include "mb_delay.h"

#include "cmn_clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct entry {
    int64_t due_ms;
    uint64_t seq; /* equal due times fire in arrival order */
    void *token;
    struct cmn_http_response *resp;
};

struct mb_delay {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* CLOCK_MONOTONIC */
    pthread_t thread;
    struct entry *heap;
    size_t n;
    size_t max;
    uint64_t seq;
    bool closing; /* no new entries */
    bool stop;    /* thread exits */
    mb_delay_fire_fn fire;
    void *ctx;
};

static bool before(const struct entry *a, const struct entry *b)
{
    return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->seq < b->seq);
}

static void swap(struct entry *a, struct entry *b)
{
    struct entry t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(struct entry *h, size_t i)
{
    while (i > 0 && before(&h[i], &h[(i - 1) / 2])) {
        swap(&h[i], &h[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(struct entry *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(&h[l], &h[m]))
            m = l;
        if (r < n && before(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        swap(&h[i], &h[m]);
        i = m;
    }
}

static struct entry pop(struct mb_delay *d)
{
    struct entry top = d->heap[0];

    d->heap[0] = d->heap[--d->n];
    sift_down(d->heap, d->n, 0);
    return top;
}

static void *timer_main(void *arg)
{
    struct mb_delay *d = arg;

    pthread_mutex_lock(&d->lock);
    while (!d->stop) {
        if (d->n == 0) {
            pthread_cond_wait(&d->cond, &d->lock);
            continue;
        }
        int64_t now = cmn_clock_mono_ms();
        if (d->heap[0].due_ms <= now) {
            struct entry e = pop(d);
            pthread_mutex_unlock(&d->lock);
            d->fire(d->ctx, e.token, e.resp);
            pthread_mutex_lock(&d->lock);
            continue;
        }
        struct timespec ts = {.tv_sec = (time_t)(d->heap[0].due_ms / 1000),
                              .tv_nsec = (long)(d->heap[0].due_ms % 1000) * 1000000L};
        pthread_cond_timedwait(&d->cond, &d->lock, &ts);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

int64_t mb_delay_due_ms(int64_t delay_ms)
{
    return (cmn_clock_mono_us() + 999) / 1000 + delay_ms;
}

struct mb_delay *mb_delay_new(size_t max_pending, mb_delay_fire_fn fire, void *ctx,
                              struct cmn_err *err)
{
    struct mb_delay *d = calloc(1, sizeof(*d));
    pthread_condattr_t ca;

    if (!d || !(d->heap = calloc(max_pending ? max_pending : 1, sizeof(*d->heap)))) {
        free(d);
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    d->max = max_pending;
    d->fire = fire;
    d->ctx = ctx;
    pthread_mutex_init(&d->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&d->thread, NULL, timer_main, d) != 0) {
        cmn_err_set(err, 1, "cannot start the timer thread: %s", strerror(errno));
        pthread_cond_destroy(&d->cond);
        pthread_mutex_destroy(&d->lock);
        free(d->heap);
        free(d);
        return NULL;
    }
    return d;
}

enum mb_delay_status mb_delay_add(struct mb_delay *d, void *token, struct cmn_http_response *resp,
                                  int64_t due_ms)
{
    enum mb_delay_status st = MB_DELAY_OK;

    pthread_mutex_lock(&d->lock);
    if (d->closing) {
        st = MB_DELAY_CLOSING;
    } else if (d->n >= d->max) {
        st = MB_DELAY_FULL;
    } else {
        d->heap[d->n] = (struct entry){due_ms, d->seq++, token, resp};
        sift_up(d->heap, d->n++);
        if (d->heap[0].seq == d->seq - 1)
            pthread_cond_signal(&d->cond); /* a new earliest deadline */
    }
    pthread_mutex_unlock(&d->lock);
    return st;
}

size_t mb_delay_pending(struct mb_delay *d)
{
    size_t n;

    pthread_mutex_lock(&d->lock);
    n = d->n;
    pthread_mutex_unlock(&d->lock);
    return n;
}

void mb_delay_flush(struct mb_delay *d)
{
    pthread_mutex_lock(&d->lock);
    d->closing = true;
    while (d->n > 0) {
        struct entry e = pop(d);
        pthread_mutex_unlock(&d->lock);
        d->fire(d->ctx, e.token, e.resp);
        pthread_mutex_lock(&d->lock);
    }
    pthread_mutex_unlock(&d->lock);
}

void mb_delay_destroy(struct mb_delay *d)
{
    if (!d)
        return;
    mb_delay_flush(d);
    pthread_mutex_lock(&d->lock);
    d->stop = true;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
    free(d->heap);
    free(d);
}
