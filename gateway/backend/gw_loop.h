/* gw_loop.h - a worker's event loop: one thread waiting on one epoll descriptor. It runs jobs
 * posted from other threads, watches a few descriptors of other event sources (an HTTP server's),
 * and drives one event source of its own, the backend client (gw_fetch.h), through a small table
 * of operations. Nothing here knows about HTTP. */
#ifndef GW_LOOP_H
#define GW_LOOP_H

#include "cmn_err.h"

#include <stdbool.h>
#include <stdint.h>

struct gw_loop;

/* The loop's own source of events (the backend client). Its descriptors are registered on
 * gw_loop_epoll_fd() with an epoll data word whose upper half is non-zero, or whose lower half
 * is the descriptor number; the loop's own descriptors use the latter form too and are told apart
 * by number. All operations run on the loop thread. */
struct gw_loop_source {
    void *ctx;
    /* One epoll event that is not the loop's own. */
    void (*event)(void *ctx, uint64_t data, uint32_t events);
    /* The source's next deadline (cmn_clock_mono_ms), -1 = none; asked before each wait. */
    int64_t (*next_due)(void *ctx);
    /* Once per pass, after the events: deadlines that passed. */
    void (*expire)(void *ctx);
    /* After the events and after the jobs of a pass: report what finished. */
    void (*settle)(void *ctx);
};

/* A loop without its thread yet. Owned, or NULL with err set. */
struct gw_loop *gw_loop_new(struct cmn_err *err);
/* Starts the thread; false with err set. */
bool gw_loop_start(struct gw_loop *l, struct cmn_err *err);
/* Stops the thread and frees the loop; the source, if any, must be gone (gw_fetcher_destroy).
 * l may be NULL. */
void gw_loop_destroy(struct gw_loop *l);
/* Stops the thread (jobs already posted still run); gw_loop_post fails from then on. The loop
 * keeps its state until gw_loop_destroy. Any thread but the loop's; l may be NULL. */
void gw_loop_stop(struct gw_loop *l);
/* True on the loop's own thread. */
bool gw_loop_on_thread(const struct gw_loop *l);
/* The epoll descriptor, for the source to register its descriptors on. */
int gw_loop_epoll_fd(const struct gw_loop *l);
/* Before gw_loop_start: installs the source (copied; NULL = none). */
void gw_loop_set_source(struct gw_loop *l, const struct gw_loop_source *src);
/* Loop thread only: one more descriptor to wait for (an epoll descriptor of another event
 * source, e.g. an HTTP server's): on_ready(ctx) runs when it is readable and when timeout_ms(ctx)
 * (milliseconds from now, -1 = none, asked before each wait) has passed. At most 4. */
bool gw_loop_watch(struct gw_loop *l, int fd, void (*on_ready)(void *ctx),
                   int64_t (*timeout_ms)(void *ctx), void *ctx);
/* Loop thread only: idle(ctx, will_block) runs before every wait for events (will_block:
 * nothing is ready, the thread may sleep), e.g. to flush buffered output; it returns how long
 * the thread may sleep at most, in ms (-1: no limit of its own), e.g. to flush it soon. */
void gw_loop_set_idle(struct gw_loop *l, int (*idle)(void *ctx, bool will_block), void *ctx);
/* Runs fn(arg) on the loop thread soon. Any thread. false if the loop is stopping or out of
 * memory (fn is then not called). */
bool gw_loop_post(struct gw_loop *l, void (*fn)(void *arg), void *arg);

#endif
