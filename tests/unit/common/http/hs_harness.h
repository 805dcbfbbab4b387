/* hs_harness.h - a cmn_http server on external loops, driven the way gw_server drives them
 * (epoll on the loop's two descriptors, for the time the loop asks), for raw-socket tests of
 * the HTTP engines. Its handler echoes the request as text and serves a few test routes:
 * /defer (held for the test to answer), /abort, /status?N, /close, /big?N, /date, /split,
 * /null. With h->tls the server speaks HTTPS and hs_connect_to() connects with TLS. */
#ifndef HS_HARNESS_H
#define HS_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "cmn_http.h"
#include "tu_http.h"

#define MAX_HELD 64
#define IO_MS 5000 /* a client gives up on a read after this */

struct harness;

struct driver {
    struct harness *h;
    unsigned i;
    pthread_t th;
    int cmd_fd; /* eventfd: the test wakes the driver to stop or quiesce */
};

struct harness {
    struct cmn_http_server *s;
    unsigned port;
    unsigned n_loops;
    struct driver drv[2];
    atomic_bool stop;
    atomic_bool quiesce;
    atomic_uint quiesced;
    atomic_uint runs;                /* loop runs, to see a loop that spins */
    atomic_uint handled;             /* requests the handler saw */
    atomic_uint loop_seen;           /* bit i: loop i ran a handler */
    bool loops_running, server_live; /* for the teardown of a test that failed midway */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct cmn_http_exchange *held[MAX_HELD]; /* /defer exchanges, answered by the test */
    unsigned n_held;
    bool tls; /* serve HTTPS with tu_test_cert(), and connect with TLS */
};

struct cmn_http_exchange *hs_take_held(struct harness *h, int ms);
struct cmn_http_server_opts hs_default_opts(struct harness *h, unsigned loops);
void hs_start_with(struct harness *h, struct cmn_http_server_opts o);
void hs_start(struct harness *h, unsigned loops);
void hs_stop_loops(struct harness *h);
void hs_finish(struct harness *h);
int hs_setup(void **state);
int hs_teardown(void **state);
void hs_msleep(int ms);
/* Wakes every driver (to see stop or quiesce). */
void hs_poke(struct harness *h);
void hs_connect_to(struct harness *h, struct tu_conn *c);
void hs_ask(struct tu_conn *c, const char *req, bool head, struct tu_answer *a);
void hs_expect_final(struct tu_conn *c, const char *want);
const char *hs_hv(const struct tu_answer *a, const char *name);
const char *hs_body_line(const struct tu_answer *a, unsigned n);

#endif
