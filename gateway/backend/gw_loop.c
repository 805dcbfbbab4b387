/* gw_loop.c - a worker's epoll thread: posted jobs, watched descriptors, one event source. */
#include "gw_loop.h"

#include "cmn_clock.h"
#include "cmn_log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MAX_WATCH 4
/* Events handled per pass: between passes the HTTP server runs (new requests, answers). Large
 * passes (a burst of slow answers) would make a fast request wait for all of them. */
#define MAX_EVENTS 32

struct job {
    void (*fn)(void *);
    void *arg;
    struct job *next;
};

struct watch {
    int fd;
    void (*on_ready)(void *ctx);
    int64_t (*timeout_ms)(void *ctx);
    void *ctx;
    int64_t due; /* mono ms, -1 = none */
};

struct gw_loop {
    struct watch watch[MAX_WATCH];
    size_t n_watch;
    int (*idle)(void *ctx, bool will_block);
    void *idle_ctx;
    struct gw_loop_source src; /* all NULL when none */
    int epfd, evfd;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;
    struct job *jobs, *jobs_tail;
    atomic_bool stopping;
};

static void run_jobs(struct gw_loop *l)
{
    struct job *j;

    pthread_mutex_lock(&l->lock);
    j = l->jobs;
    l->jobs = l->jobs_tail = NULL;
    pthread_mutex_unlock(&l->lock);
    while (j) {
        struct job *next = j->next;
        j->fn(j->arg);
        free(j);
        j = next;
    }
}

static bool jobs_pending(struct gw_loop *l)
{
    bool p;

    pthread_mutex_lock(&l->lock);
    p = l->jobs != NULL;
    pthread_mutex_unlock(&l->lock);
    return p;
}

bool gw_loop_watch(struct gw_loop *l, int fd, void (*on_ready)(void *ctx),
                   int64_t (*timeout_ms)(void *ctx), void *ctx)
{
    struct epoll_event ev = {.events = EPOLLIN};

    if (l->n_watch == MAX_WATCH || fd < 0)
        return false;
    ev.data.fd = fd;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return false;
    l->watch[l->n_watch++] = (struct watch){fd, on_ready, timeout_ms, ctx, -1};
    return true;
}

static struct watch *find_watch(struct gw_loop *l, int fd)
{
    for (size_t i = 0; i < l->n_watch; i++) {
        if (l->watch[i].fd == fd)
            return &l->watch[i];
    }
    return NULL;
}

/* How long epoll may wait: the source's next deadline and every watch's timeout, at most 1 s. */
static int wait_ms(struct gw_loop *l)
{
    int64_t now = cmn_clock_mono_ms(), until = now + 1000;
    int64_t src_due = l->src.next_due ? l->src.next_due(l->src.ctx) : -1;

    if (src_due >= 0 && src_due < until)
        until = src_due;
    for (size_t i = 0; i < l->n_watch; i++) {
        struct watch *w = &l->watch[i];
        int64_t t = w->timeout_ms ? w->timeout_ms(w->ctx) : -1;
        w->due = t < 0 ? -1 : now + t;
        if (w->due >= 0 && w->due < until)
            until = w->due;
    }
    return until <= now ? 0 : (int)(until - now);
}

void gw_loop_set_idle(struct gw_loop *l, int (*idle)(void *ctx, bool will_block), void *ctx)
{
    l->idle = idle;
    l->idle_ctx = ctx;
}

void gw_loop_set_source(struct gw_loop *l, const struct gw_loop_source *src)
{
    if (src)
        l->src = *src;
    else
        memset(&l->src, 0, sizeof(l->src));
}

int gw_loop_epoll_fd(const struct gw_loop *l)
{
    return l->epfd;
}

/* One event: the wake-up descriptor, a watched descriptor, or the source's. */
static void dispatch(struct gw_loop *l, const struct epoll_event *ev)
{
    struct watch *w;

    if ((ev->data.u64 >> 32) == 0) {
        if (ev->data.fd == l->evfd) {
            uint64_t v;
            if (read(l->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
                cmn_log_error("[BACKEND] eventfd read: %s", strerror(errno));
            return;
        }
        if ((w = find_watch(l, ev->data.fd))) {
            w->due = -1;
            w->on_ready(w->ctx);
            return;
        }
    }
    if (l->src.event)
        l->src.event(l->src.ctx, ev->data.u64, ev->events);
}

static void settle(struct gw_loop *l)
{
    if (l->src.settle)
        l->src.settle(l->src.ctx);
}

static void *loop_main(void *arg)
{
    struct gw_loop *l = arg;
    struct epoll_event evs[MAX_EVENTS];

    for (;;) {
        int ms = wait_ms(l);
        if (l->idle) {
            int cap = l->idle(l->idle_ctx, ms > 0);
            if (cap >= 0 && cap < ms)
                ms = cap;
        }
        int n = epoll_wait(l->epfd, evs, MAX_EVENTS, ms);
        for (int i = 0; i < n; i++)
            dispatch(l, &evs[i]);
        if (l->src.expire)
            l->src.expire(l->src.ctx);
        settle(l);
        for (size_t i = 0; i < l->n_watch; i++) {
            struct watch *w = &l->watch[i];
            /* also when the events just handled made it ready (an answer resumed a
             * connection): now, rather than after one more pass through epoll */
            if ((w->due >= 0 && cmn_clock_mono_ms() >= w->due) ||
                (w->timeout_ms && w->timeout_ms(w->ctx) == 0)) {
                w->due = -1;
                w->on_ready(w->ctx);
            }
        }
        run_jobs(l);
        settle(l);
        if (atomic_load(&l->stopping) && !jobs_pending(l))
            break;
    }
    return NULL;
}

static void wake(struct gw_loop *l)
{
    uint64_t one = 1;

    if (write(l->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        cmn_log_error("[BACKEND] eventfd write: %s", strerror(errno));
}

bool gw_loop_post(struct gw_loop *l, void (*fn)(void *), void *arg)
{
    struct job *j = malloc(sizeof(*j));

    if (!j)
        return false;
    j->fn = fn;
    j->arg = arg;
    j->next = NULL;
    pthread_mutex_lock(&l->lock);
    if (atomic_load(&l->stopping)) {
        pthread_mutex_unlock(&l->lock);
        free(j);
        return false;
    }
    if (l->jobs_tail)
        l->jobs_tail->next = j;
    else
        l->jobs = j;
    l->jobs_tail = j;
    pthread_mutex_unlock(&l->lock);
    wake(l);
    return true;
}

struct gw_loop *gw_loop_new(struct cmn_err *err)
{
    struct gw_loop *l = calloc(1, sizeof(*l));
    struct epoll_event ev = {.events = EPOLLIN};

    if (!l) {
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&l->lock, NULL);
    atomic_init(&l->stopping, false);
    if (l->epfd < 0 || l->evfd < 0) {
        cmn_err_set(err, 1, "cannot create the backend event loop: %s", strerror(errno));
        goto fail;
    }
    ev.data.fd = l->evfd;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->evfd, &ev) != 0) {
        cmn_err_set(err, 1, "cannot create the backend event loop: %s", strerror(errno));
        goto fail;
    }
    return l;
fail:
    gw_loop_destroy(l);
    return NULL;
}

bool gw_loop_start(struct gw_loop *l, struct cmn_err *err)
{
    if (pthread_create(&l->thread, NULL, loop_main, l) != 0) {
        cmn_err_set(err, 1, "cannot start the backend event loop thread");
        return false;
    }
    l->thread_started = true;
    return true;
}

bool gw_loop_on_thread(const struct gw_loop *l)
{
    return pthread_equal(pthread_self(), l->thread); /* set once, before any job runs */
}

void gw_loop_stop(struct gw_loop *l)
{
    if (!l || !l->thread_started)
        return;
    pthread_mutex_lock(&l->lock);
    atomic_store(&l->stopping, true);
    pthread_mutex_unlock(&l->lock);
    wake(l);
    pthread_join(l->thread, NULL);
    l->thread_started = false;
}

void gw_loop_destroy(struct gw_loop *l)
{
    if (!l)
        return;
    gw_loop_stop(l);
    if (l->epfd >= 0)
        close(l->epfd);
    if (l->evfd >= 0)
        close(l->evfd);
    while (l->jobs) { /* posted before the stop, never run: only their memory is ours */
        struct job *j = l->jobs;
        l->jobs = j->next;
        free(j);
    }
    pthread_mutex_destroy(&l->lock);
    free(l);
}
