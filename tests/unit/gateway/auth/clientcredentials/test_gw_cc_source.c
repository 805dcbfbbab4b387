/* test_gw_cc_source.c - the token source (oauth2.ReuseTokenSource over client credentials) with
 * a fake token endpoint the test answers by hand and a manual clock: caching until 10 s before
 * expiry, one request for many waiting calls, the Basic-then-form probe remembered, failures not
 * cached, deadlines of waiting calls, and stopping with calls still waiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_log.h"
#include "gw_cc_source.h"

/* ---- the fake token endpoint ---------------------------------------------------------------- */

struct fake {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned requests; /* started so far */
    char body[8][512]; /* each request's form (first 8) */
    char auth[8][256]; /* and its Authorization, "" for none */
    bool answered, woken;
    long status;
    char ct[64], reply[512];
};

static struct fake g_fake = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *f_start(void *ctx, const struct gw_cc_http_req *rq, struct cmn_err *err)
{
    struct fake *f = ctx;

    (void)err;
    pthread_mutex_lock(&f->mu);
    if (f->requests < 8) {
        snprintf(f->body[f->requests], sizeof(f->body[0]), "%.*s", (int)rq->body_len, rq->body);
        snprintf(f->auth[f->requests], sizeof(f->auth[0]), "%s",
                 rq->authorization ? rq->authorization : "");
    }
    f->requests++;
    f->answered = false;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return f;
}

static bool f_wait(void *ctx, void *h, int64_t ms, struct gw_cc_http_res *res)
{
    struct fake *f = ctx;
    bool done;

    (void)h;
    pthread_mutex_lock(&f->mu);
    if (!f->answered && !f->woken) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (ms % 1000) * 1000000;
        ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000;
        ts.tv_nsec %= 1000000000;
        pthread_cond_timedwait(&f->cv, &f->mu, &ts);
    }
    f->woken = false;
    done = f->answered;
    if (done)
        *res = (struct gw_cc_http_res){f->status, "400 Bad Request", f->ct,
                                       f->reply,  strlen(f->reply),  NULL};
    pthread_mutex_unlock(&f->mu);
    return done;
}

static void f_wake(void *ctx)
{
    struct fake *f = ctx;

    pthread_mutex_lock(&f->mu);
    f->woken = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static void f_finish(void *ctx, void *h)
{
    (void)ctx;
    (void)h;
}

static const struct gw_cc_transport FAKE = {&g_fake, f_start, f_wait, f_wake, f_finish, NULL};

/* Waits (real time) until the fake has seen n requests. */
static void await_requests(unsigned n)
{
    pthread_mutex_lock(&g_fake.mu);
    while (g_fake.requests < n)
        pthread_cond_wait(&g_fake.cv, &g_fake.mu);
    pthread_mutex_unlock(&g_fake.mu);
}

static void answer(long status, const char *body)
{
    pthread_mutex_lock(&g_fake.mu);
    g_fake.status = status;
    snprintf(g_fake.ct, sizeof(g_fake.ct), "application/json");
    snprintf(g_fake.reply, sizeof(g_fake.reply), "%s", body);
    g_fake.answered = true;
    pthread_cond_broadcast(&g_fake.cv);
    pthread_mutex_unlock(&g_fake.mu);
}

/* ---- calls waiting for a token -------------------------------------------------------------- */

struct call {
    struct gw_cc_waiter w;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    char value[128], error[256];
};

static void on_done(struct gw_cc_waiter *w, const char *value, const char *error)
{
    struct call *c = (struct call *)w;

    pthread_mutex_lock(&c->mu);
    snprintf(c->value, sizeof(c->value), "%s", value ? value : "");
    snprintf(c->error, sizeof(c->error), "%s", error ? error : "");
    c->done = true;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void call_init(struct call *c, int64_t deadline)
{
    memset(c, 0, sizeof(*c));
    c->w.done = on_done;
    c->w.deadline_ms = deadline;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
}

static void call_await(struct call *c)
{
    pthread_mutex_lock(&c->mu);
    while (!c->done)
        pthread_cond_wait(&c->cv, &c->mu);
    pthread_mutex_unlock(&c->mu);
}

/* ---- fixture -------------------------------------------------------------------------------- */

static struct cmn_clock_manual g_clock;

static struct gw_cc_source *source(const char *json)
{
    json_error_t je;
    json_t *ns = json_loads(json, 0, &je);
    struct gw_cc_config cfg;
    struct cmn_err err = {0};
    struct gw_cc_source *s;

    assert_non_null(ns);
    assert_true(gw_cc_config_parse(ns, &cfg, &err));
    json_decref(ns);
    pthread_mutex_lock(&g_fake.mu);
    g_fake.requests = 0;
    g_fake.answered = false;
    pthread_mutex_unlock(&g_fake.mu);
    cmn_clock_manual_init(&g_clock, 1000000, 1700000000000);
    s = gw_cc_source_new(&cfg, &FAKE, &g_clock.clock, &err);
    assert_non_null(s);
    return s;
}

#define CFG "{\"client_id\":\"id\",\"client_secret\":\"secret\",\"token_url\":\"http://t\"}"
#define FAR 1000000000 /* a deadline that does not come */

/* One request for many calls; the token cached until 10 s before it expires, then fetched
 * again, in the style the first exchange settled on. */
static void test_single_flight_and_refresh(void **state)
{
    struct gw_cc_source *s = source(CFG);
    struct call calls[5], again;
    struct gw_cc_stats st;
    char *v = NULL;

    (void)state;
    for (int i = 0; i < 5; i++) {
        call_init(&calls[i], FAR);
        assert_int_equal(gw_cc_source_acquire(s, &calls[i].w, &v), GW_CC_WAIT);
    }
    await_requests(1);
    assert_string_equal(g_fake.auth[0], "Basic aWQ6c2VjcmV0");
    assert_string_equal(g_fake.body[0], "grant_type=client_credentials&scope=");
    answer(200, "{\"access_token\":\"one\",\"expires_in\":60}");
    for (int i = 0; i < 5; i++) {
        call_await(&calls[i]);
        assert_string_equal(calls[i].value, "Bearer one");
    }
    gw_cc_source_stats(s, &st);
    assert_int_equal(st.fetches, 1);
    assert_int_equal(gw_cc_source_acquire(s, &again.w, &v), GW_CC_READY);
    assert_string_equal(v, "Bearer one");
    free(v);
    cmn_clock_manual_advance(&g_clock, 50000); /* 10 s before the expiry: still good */
    assert_int_equal(gw_cc_source_acquire(s, &again.w, &v), GW_CC_READY);
    free(v);
    cmn_clock_manual_advance(&g_clock, 1); /* within the last 10 s: fetched again */
    call_init(&again, FAR);
    assert_int_equal(gw_cc_source_acquire(s, &again.w, &v), GW_CC_WAIT);
    await_requests(2);
    assert_string_equal(g_fake.auth[1], "Basic aWQ6c2VjcmV0");
    answer(200, "{\"access_token\":\"two\"}");
    call_await(&again);
    assert_string_equal(again.value, "Bearer two");
    gw_cc_source_destroy(s);
}

/* HTTP Basic first; on any failure the form, and that style is kept. */
static void test_probe_remembered(void **state)
{
    struct gw_cc_source *s = source(CFG);
    struct call c;
    char *v;

    (void)state;
    call_init(&c, FAR);
    assert_int_equal(gw_cc_source_acquire(s, &c.w, &v), GW_CC_WAIT);
    await_requests(1);
    answer(401, "{\"error\":\"invalid_client\"}");
    await_requests(2);
    assert_string_equal(g_fake.auth[1], "");
    assert_string_equal(g_fake.body[1],
                        "client_id=id&client_secret=secret&grant_type=client_credentials&scope=");
    answer(200, "{\"access_token\":\"t\",\"expires_in\":1}"); /* invalid at once: 1 s < 10 s */
    call_await(&c);
    assert_string_equal(c.value, "Bearer t"); /* the call that waited gets it all the same */
    call_init(&c, FAR);
    assert_int_equal(gw_cc_source_acquire(s, &c.w, &v), GW_CC_WAIT);
    await_requests(3);
    assert_string_equal(g_fake.auth[2], ""); /* straight to the form */
    answer(200, "{\"access_token\":\"u\"}");
    call_await(&c);
    assert_string_equal(c.value, "Bearer u");
    gw_cc_source_destroy(s);
}

/* A failure reaches every waiting call and is not cached: the next call asks again. */
static void test_failure_not_cached(void **state)
{
    struct gw_cc_source *s = source(CFG);
    struct call a, b;
    struct gw_cc_stats st;
    char *v;

    (void)state;
    call_init(&a, FAR);
    call_init(&b, FAR);
    assert_int_equal(gw_cc_source_acquire(s, &a.w, &v), GW_CC_WAIT);
    assert_int_equal(gw_cc_source_acquire(s, &b.w, &v), GW_CC_WAIT);
    await_requests(1);
    answer(401, "{\"error\":\"invalid_client\",\"error_description\":\"Bad client credentials\"}");
    await_requests(2);
    answer(400, "{\"error\":\"invalid_request\"}");
    call_await(&a);
    call_await(&b);
    assert_string_equal(a.value, "");
    assert_string_equal(a.error, "oauth2: \"invalid_request\""); /* the second attempt's */
    assert_string_equal(b.error, a.error);
    gw_cc_source_stats(s, &st);
    assert_int_equal(st.failures, 1);
    call_init(&a, FAR);
    assert_int_equal(gw_cc_source_acquire(s, &a.w, &v), GW_CC_WAIT);
    await_requests(3);
    answer(200, "{\"access_token\":\"ok\"}");
    call_await(&a);
    assert_string_equal(a.value, "Bearer ok");
    gw_cc_source_destroy(s);
}

/* A call gives up at its deadline while the token request hangs; the token, when it comes, is
 * kept for the calls after it. */
static void test_deadline(void **state)
{
    struct gw_cc_source *s = source(CFG);
    struct call early, late;
    char *v;

    (void)state;
    call_init(&early, 1000000 + 100);
    call_init(&late, FAR);
    assert_int_equal(gw_cc_source_acquire(s, &early.w, &v), GW_CC_WAIT);
    assert_int_equal(gw_cc_source_acquire(s, &late.w, &v), GW_CC_WAIT);
    await_requests(1);
    cmn_clock_manual_advance(&g_clock, 99);
    gw_cc_source_kick(s);
    assert_false(early.done);
    cmn_clock_manual_advance(&g_clock, 1);
    gw_cc_source_kick(s);
    call_await(&early);
    assert_string_equal(early.error, "context deadline exceeded");
    assert_false(late.done);
    answer(200, "{\"access_token\":\"slow\"}");
    call_await(&late);
    assert_string_equal(late.value, "Bearer slow");
    assert_int_equal(gw_cc_source_acquire(s, &early.w, &v), GW_CC_READY);
    free(v);
    gw_cc_source_destroy(s);
}

/* Stopping with calls still waiting: each hears once, before destroy returns. */
static void test_stop_while_waiting(void **state)
{
    struct gw_cc_source *s = source(CFG);
    struct call c;
    char *v;

    (void)state;
    call_init(&c, FAR);
    assert_int_equal(gw_cc_source_acquire(s, &c.w, &v), GW_CC_WAIT);
    await_requests(1);
    gw_cc_source_destroy(s);
    assert_true(c.done);
    assert_string_equal(c.error, "the gateway is stopping");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_flight_and_refresh), cmocka_unit_test(test_probe_remembered),
        cmocka_unit_test(test_failure_not_cached),        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_stop_while_waiting),
    };

    cmn_log_init("KRAKEND", CMN_LOG_CRITICAL, 2);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
