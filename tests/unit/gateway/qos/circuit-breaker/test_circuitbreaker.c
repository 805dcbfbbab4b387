/* test_circuitbreaker.c - qos/circuit-breaker: options (§6.2), gobreaker's state machine on
 * instants the test chooses (§6.3), the stage on a manual clock (what counts, §6.4; what a
 * refused call fails with, §6.5), the log lines (§6.6), threads, and the cost of the closed
 * path. */
#include "gw_circuitbreaker.h"
#include "tu_log.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#define S 1000000000LL
#define T0 (5000 * S)

static json_t *js(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

    assert_non_null(v);
    return v;
}

struct msgs {
    size_t n;
    char v[32][512];
};

static void collect_msg(void *ctx, const char *msg)
{
    struct msgs *w = ctx;

    if (w->n < 32)
        snprintf(w->v[w->n++], sizeof(w->v[0]), "%s", msg);
}

static enum gw_cb_cfg_status parse(const char *text, struct gw_cb_config *c, struct msgs *w)
{
    json_t *v = text ? js(text) : NULL;
    struct cmn_err err = {0};
    struct cmn_warn cw = {collect_msg, w};
    enum gw_cb_cfg_status st =
        gw_cb_config_parse(v, "be.qos/circuit-breaker", c, w ? &cw : NULL, &err);

    json_decref(v);
    return st;
}

static bool has_msg(const struct msgs *w, const char *needle)
{
    for (size_t i = 0; i < w->n; i++) {
        if (strstr(w->v[i], needle))
            return true;
    }
    return false;
}

/* The state-change lines logged since the last call, one per line (time stamps cut). */
static char *lines(void)
{
    char *l = tu_log_take();

    assert_non_null(l);
    return l;
}

#define assert_lines(want)                                                                         \
    do {                                                                                           \
        char *got_ = lines();                                                                      \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static struct gw_cb *breaker(const char *json)
{
    struct gw_cb_config c;
    struct gw_cb *cb;

    assert_int_equal(parse(json, &c, NULL), GW_CB_CFG_OK);
    cb = gw_cb_new(&c, T0);
    assert_non_null(cb);
    gw_cb_config_free(&c);
    tu_log_capture(CMN_LOG_DEBUG);
    return cb;
}

/* One whole call: admitted or refused, then the outcome. */
static enum gw_cb_admit call(struct gw_cb *cb, int64_t now, enum gw_cb_outcome o)
{
    struct gw_cb_ticket t;
    enum gw_cb_admit a = gw_cb_before(cb, now, &t);

    if (a == GW_CB_ADMIT)
        gw_cb_after(cb, &t, o, now);
    return a;
}

/* ---- options ---- */

static void test_options(void **state)
{
    static const struct {
        const char *json;
        enum gw_cb_cfg_status st;
        int64_t interval_ns, timeout_ns;
        uint32_t trip;
    } cases[] = {
        {"{\"interval\":60,\"timeout\":10,\"max_errors\":1}", GW_CB_CFG_OK, 60 * S, 10 * S, 1},
        {"{\"interval\":1.9,\"timeout\":2.5,\"max_errors\":3.99}", GW_CB_CFG_OK, S, 2 * S, 3},
        {"{\"max_errors\":2}", GW_CB_CFG_OK, 0, 60 * S, 2}, /* timeout 0: 60 s */
        {"{\"timeout\":-5,\"max_errors\":1}", GW_CB_CFG_OK, 0, 60 * S, 1},
        {"{\"interval\":-5,\"max_errors\":1}", GW_CB_CFG_OK, 0, 60 * S, 1},
        {"{\"interval\":\"60s\",\"max_errors\":1}", GW_CB_CFG_OK, 0, 60 * S, 1}, /* ignored */
        {"{\"max_errors\":-1}", GW_CB_CFG_OK, 0, 60 * S, UINT32_MAX},            /* never trips */
        {"{\"max_errors\":4294967296}", GW_CB_CFG_OK, 0, 60 * S, 0},             /* low 32 bits */
        {"{\"name\":\"cb-1\"}", GW_CB_CFG_OK, 0, 60 * S, 0},
        {"{\"log_status_change\":true}", GW_CB_CFG_OK, 0, 60 * S, 0},
        {"{}", GW_CB_CFG_ABSENT, 0, 60 * S, 0}, /* all zero */
        {"{\"max_errors\":0,\"interval\":0.5}", GW_CB_CFG_ABSENT, 0, 60 * S, 0},
        {"{\"log_status_change\":\"yes\"}", GW_CB_CFG_ABSENT, 0, 60 * S, 0},
        {"[1]", GW_CB_CFG_ABSENT, 0, 60 * S, 0},
        {NULL, GW_CB_CFG_ABSENT, 0, 60 * S, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_cb_config c;

        assert_int_equal(parse(cases[i].json, &c, NULL), cases[i].st);
        assert_int_equal(c.on, cases[i].st == GW_CB_CFG_OK);
        if (c.on) {
            assert_int_equal(c.interval_ns, cases[i].interval_ns);
            assert_int_equal(c.timeout_ns, cases[i].timeout_ns);
            assert_int_equal(c.trip_above, cases[i].trip);
        }
        gw_cb_config_free(&c);
    }
}

static void test_option_warnings(void **state)
{
    struct gw_cb_config c;
    struct msgs w = {0};

    (void)state;
    parse("{\"interval\":\"60s\",\"timeout\":1.5,\"max_errors\":-1,\"nme\":\"x\",\"name\":3,"
          "\"_c\":1,\"log_status_change\":1}",
          &c, &w);
    assert_true(has_msg(&w, "be.qos/circuit-breaker.interval: not a number"));
    assert_true(has_msg(&w, "timeout: 1.5 truncated to 1"));
    assert_true(has_msg(&w, "max_errors: -1 is read as uint32 4294967295"));
    assert_true(has_msg(&w, "nme: unknown option"));
    assert_true(has_msg(&w, "name: not a string"));
    assert_true(has_msg(&w, "log_status_change: not a boolean"));
    assert_false(has_msg(&w, "._c:"));
    assert_false(c.log_status_change);
    gw_cb_config_free(&c);
    w.n = 0;
    parse("{\"interval\":1e10}", &c, &w);
    assert_true(has_msg(&w, "overflow Go's Duration"));
    gw_cb_config_free(&c);
    w.n = 0;
}

static void test_startup_line(void **state)
{
    struct gw_cb_config c;

    (void)state;
    tu_log_capture(CMN_LOG_DEBUG);
    parse("{\"max_errors\":1}", &c, NULL);
    gw_cb_log_startup(&c, "/items/{id}");
    gw_cb_config_free(&c);
    parse("{\"max_errors\":1,\"name\":\"b1\"}", &c, NULL);
    gw_cb_log_startup(&c, "/x");
    gw_cb_config_free(&c);
    parse("{}", &c, NULL);
    gw_cb_log_startup(&c, "/x"); /* no breaker, no line */
    gw_cb_config_free(&c);
    assert_lines("KRAKEND DEBUG: [BACKEND: /items/{id}][CB] Creating the circuit breaker named ''\n"
                 "KRAKEND DEBUG: [BACKEND: /x][CB] Creating the circuit breaker named 'b1'\n");
    tu_log_stop();
}

/* ---- the state machine ---- */

/* max_errors 1: opens on the second consecutive failure; a success in between resets. */
static void test_trip_consecutive(void **state)
{
    struct gw_cb *cb = breaker("{\"max_errors\":1,\"timeout\":10}");

    (void)state;
    assert_int_equal(call(cb, T0, GW_CB_FAILURE), GW_CB_ADMIT);
    assert_int_equal(gw_cb_consecutive_failures(cb), 1);
    assert_int_equal(call(cb, T0, GW_CB_SUCCESS), GW_CB_ADMIT);
    assert_int_equal(gw_cb_consecutive_failures(cb), 0);
    assert_int_equal(call(cb, T0, GW_CB_FAILURE), GW_CB_ADMIT);
    assert_int_equal(call(cb, T0, GW_CB_EXCLUDED), GW_CB_ADMIT); /* neither */
    assert_int_equal(gw_cb_consecutive_failures(cb), 1);
    assert_int_equal(gw_cb_state(cb, T0), GW_CB_CLOSED);
    assert_int_equal(call(cb, T0, GW_CB_FAILURE), GW_CB_ADMIT); /* the tripping call ran */
    assert_int_equal(gw_cb_state(cb, T0), GW_CB_OPEN);
    assert_int_equal(call(cb, T0, GW_CB_SUCCESS), GW_CB_REJECT_OPEN);
    assert_lines(""); /* log_status_change is off */
    gw_cb_destroy(cb);

    cb = breaker("{\"max_errors\":0,\"timeout\":10}"); /* the first failure opens */
    call(cb, T0, GW_CB_FAILURE);
    assert_int_equal(gw_cb_state(cb, T0), GW_CB_OPEN);
    gw_cb_destroy(cb);
}

/* Open for exactly timeout seconds; the first request after that is the half-open trial. */
static void test_timeout_and_half_open(void **state)
{
    struct gw_cb *cb =
        breaker("{\"max_errors\":0,\"timeout\":10,\"name\":\"b\",\"log_status_change\":true}");
    struct gw_cb_ticket trial, other;

    (void)state;
    call(cb, T0, GW_CB_FAILURE);
    assert_lines("KRAKEND WARNING: [CB] Circuit breaker named 'b' went from 'closed' to 'open'\n");
    assert_int_equal(call(cb, T0 + 10 * S, GW_CB_SUCCESS), GW_CB_REJECT_OPEN); /* not before */
    assert_string_equal(gw_cb_admit_error(GW_CB_REJECT_OPEN), "circuit breaker is open");
    assert_lines("");
    assert_int_equal(gw_cb_before(cb, T0 + 10 * S + 1, &trial), GW_CB_ADMIT);
    /* logged lazily, by this request */
    assert_lines(
        "KRAKEND WARNING: [CB] Circuit breaker named 'b' went from 'open' to 'half-open'\n");
    assert_int_equal(gw_cb_before(cb, T0 + 11 * S, &other), GW_CB_REJECT_TOO_MANY);
    assert_string_equal(gw_cb_admit_error(GW_CB_REJECT_TOO_MANY), "too many requests");
    gw_cb_after(cb, &trial, GW_CB_FAILURE, T0 + 12 * S); /* back to open, a fresh timeout */
    assert_int_equal(gw_cb_state(cb, T0 + 12 * S), GW_CB_OPEN);
    assert_int_equal(call(cb, T0 + 22 * S, GW_CB_SUCCESS), GW_CB_REJECT_OPEN);
    assert_int_equal(gw_cb_before(cb, T0 + 22 * S + 1, &trial), GW_CB_ADMIT);
    gw_cb_after(cb, &trial, GW_CB_SUCCESS, T0 + 23 * S); /* one success closes it */
    assert_int_equal(gw_cb_state(cb, T0 + 23 * S), GW_CB_CLOSED);
    assert_lines("KRAKEND WARNING: [CB] Circuit breaker named 'b' went from 'half-open' to 'open'\n"
                 "KRAKEND WARNING: [CB] Circuit breaker named 'b' went from 'open' to 'half-open'\n"
                 "KRAKEND WARNING: [CB] Circuit breaker named 'b' went from 'half-open' to "
                 "'closed'\n");
    gw_cb_destroy(cb);
}

/* An excluded trial (a cancelled call) frees the half-open slot; nothing changes state. */
static void test_excluded_trial(void **state)
{
    struct gw_cb *cb = breaker("{\"max_errors\":0,\"timeout\":1}");
    struct gw_cb_ticket t1, t2;

    (void)state;
    call(cb, T0, GW_CB_FAILURE);
    assert_int_equal(gw_cb_before(cb, T0 + 2 * S, &t1), GW_CB_ADMIT);
    assert_int_equal(gw_cb_before(cb, T0 + 2 * S, &t2), GW_CB_REJECT_TOO_MANY);
    gw_cb_after(cb, &t1, GW_CB_EXCLUDED, T0 + 2 * S);
    assert_int_equal(gw_cb_state(cb, T0 + 2 * S), GW_CB_HALF_OPEN);
    assert_int_equal(gw_cb_before(cb, T0 + 2 * S, &t2), GW_CB_ADMIT);
    gw_cb_after(cb, &t2, GW_CB_SUCCESS, T0 + 2 * S);
    assert_int_equal(gw_cb_state(cb, T0 + 2 * S), GW_CB_CLOSED);
    gw_cb_destroy(cb);
}

/* interval: the counts of a window are cleared by the first call after it ends; results of
 * calls from an older generation are dropped. */
static void test_interval_and_generations(void **state)
{
    struct gw_cb *cb = breaker("{\"interval\":60,\"max_errors\":2,\"timeout\":5}");
    struct gw_cb_ticket old;

    (void)state;
    call(cb, T0, GW_CB_FAILURE);
    call(cb, T0 + 60 * S, GW_CB_FAILURE); /* the window ends after T0+60s, not at it */
    assert_int_equal(gw_cb_consecutive_failures(cb), 2);
    assert_int_equal(gw_cb_before(cb, T0 + 60 * S, &old), GW_CB_ADMIT);
    call(cb, T0 + 60 * S + 1, GW_CB_SUCCESS); /* a new window: counts cleared, then success */
    assert_int_equal(gw_cb_consecutive_failures(cb), 0);
    gw_cb_after(cb, &old, GW_CB_FAILURE, T0 + 61 * S); /* from the old window: dropped */
    assert_int_equal(gw_cb_consecutive_failures(cb), 0);
    for (int i = 0; i < 3; i++)
        call(cb, T0 + 70 * S, GW_CB_FAILURE);
    assert_int_equal(gw_cb_state(cb, T0 + 70 * S), GW_CB_OPEN);
    /* a call admitted before the trip that ends after it changes nothing */
    gw_cb_destroy(cb);

    cb = breaker("{\"max_errors\":1,\"timeout\":5}"); /* no interval: never cleared */
    assert_int_equal(gw_cb_before(cb, T0, &old), GW_CB_ADMIT);
    call(cb, T0, GW_CB_FAILURE);
    call(cb, T0 + 1000000 * S, GW_CB_FAILURE);
    assert_int_equal(gw_cb_state(cb, T0 + 1000000 * S), GW_CB_OPEN);
    gw_cb_after(cb, &old, GW_CB_SUCCESS, T0 + 1000000 * S); /* older generation */
    assert_int_equal(gw_cb_state(cb, T0 + 1000000 * S), GW_CB_OPEN);
    gw_cb_destroy(cb);
}

/* The default timeout (60 s) and a breaker that never trips (max_errors -1). */
static void test_defaults(void **state)
{
    struct gw_cb *cb = breaker("{\"max_errors\":0,\"name\":\"d\"}"); /* not all zero */

    (void)state;
    call(cb, T0, GW_CB_FAILURE);
    assert_int_equal(call(cb, T0 + 60 * S, GW_CB_SUCCESS), GW_CB_REJECT_OPEN);
    assert_int_equal(call(cb, T0 + 60 * S + 1, GW_CB_SUCCESS), GW_CB_ADMIT);
    gw_cb_destroy(cb);
    cb = breaker("{\"max_errors\":-1}");
    for (int i = 0; i < 1000; i++)
        call(cb, T0, GW_CB_FAILURE);
    assert_int_equal(gw_cb_state(cb, T0), GW_CB_CLOSED);
    gw_cb_destroy(cb);
}

/* ---- the stage, on a manual clock (what counts, §6.4; what a refused call gets, §6.5) ---- */

struct stage_fixture {
    struct cmn_clock_manual clock;
    struct gw_cb_env env;
    struct gw_config cfg;
    struct gw_endpoint ep;
    struct gw_backend b;
    struct gw_stage st;
    json_t *extra;
};

static void stage_build(struct stage_fixture *f, const char *cb_json)
{
    struct cmn_err err = {0};
    char bp[] = "endpoints[0].backend[0]", url[] = "/items";

    memset(f, 0, sizeof(*f));
    cmn_clock_manual_init(&f->clock, 1000000, 1700000000000);
    f->env.clock = &f->clock.clock;
    f->extra = json_object();
    if (cb_json)
        json_object_set_new(f->extra, GW_CB_NS, js(cb_json));
    f->b.json_path = strdup(bp);
    f->b.url_pattern = strdup(url);
    f->b.extra_config = f->extra;
    assert_true(gw_cb_build(&f->env, &f->cfg, &f->ep, &f->b, &f->st, &err));
}

static void stage_free(struct stage_fixture *f)
{
    if (f->st.free)
        f->st.free(f->st.ctx);
    json_decref(f->extra);
    free(f->b.json_path);
    free(f->b.url_pattern);
}

/* One attempt through the stage: its error (the message `before` failed with, NULL when it
 * let the call in) after the inner pipe answered (inner_err: the pipe's error) or, with
 * cancel, after the attempt was cancelled before its end. */
static const char *attempt(struct stage_fixture *f, bool inner_err, bool cancel)
{
    static char failed[128];
    struct gw_stage_call call = {0};
    struct gw_perr err = {0};
    struct gw_presp *resp = NULL;
    bool has_err = inner_err;

    call.now_ms = cmn_clock_now_mono_ms(&f->clock.clock);
    if (f->st.before(f->st.ctx, &call, &err) != GW_STAGE_NEXT) {
        snprintf(failed, sizeof(failed), "%s", err.msg);
        gw_perr_free(&err);
        f->st.end(f->st.ctx, &call);
        return failed;
    }
    assert_non_null(call.state);
    if (!cancel)
        f->st.after(f->st.ctx, &call, &resp, &err, &has_err);
    f->st.end(f->st.ctx, &call);
    assert_null(call.state);
    return NULL;
}

static void test_stage(void **state)
{
    struct stage_fixture f;

    (void)state;
    tu_log_capture(CMN_LOG_DEBUG);
    stage_build(&f, "{\"interval\":60,\"timeout\":10,\"max_errors\":1,\"name\":\"s\","
                    "\"log_status_change\":true}");
    assert_lines("KRAKEND DEBUG: [BACKEND: /items][CB] Creating the circuit breaker named 's'\n");
    assert_string_equal(f.st.name, "qos/circuit-breaker");
    assert_null(attempt(&f, true, false));  /* one failure */
    assert_null(attempt(&f, false, true));  /* cancelled: neither */
    assert_null(attempt(&f, false, false)); /* success: the count starts again */
    assert_null(attempt(&f, true, false));
    assert_null(attempt(&f, true, false)); /* the second in a row trips it */
    assert_lines("KRAKEND WARNING: [CB] Circuit breaker named 's' went from 'closed' to 'open'\n");
    cmn_clock_manual_advance(&f.clock, 10000); /* the whole timeout: still open */
    assert_string_equal(attempt(&f, false, false), "circuit breaker is open");
    cmn_clock_manual_advance(&f.clock, 1);
    {
        /* the half-open trial, and a second call while it is in flight */
        struct gw_stage_call trial = {0}, other = {0};
        struct gw_perr err = {0};
        struct gw_presp *resp = NULL;
        bool has_err = false;

        trial.now_ms = other.now_ms = cmn_clock_now_mono_ms(&f.clock.clock);
        assert_int_equal(f.st.before(f.st.ctx, &trial, &err), GW_STAGE_NEXT);
        assert_int_equal(f.st.before(f.st.ctx, &other, &err), GW_STAGE_FAIL);
        assert_string_equal(err.msg, "too many requests");
        gw_perr_free(&err);
        f.st.end(f.st.ctx, &other);
        f.st.end(f.st.ctx, &trial);             /* cancelled: the slot is free again */
        assert_null(attempt(&f, false, false)); /* this trial succeeds: closed */
        (void)resp;
        (void)has_err;
    }
    assert_lines("KRAKEND WARNING: [CB] Circuit breaker named 's' went from 'open' to 'half-open'\n"
                 "KRAKEND WARNING: [CB] Circuit breaker named 's' went from 'half-open' to "
                 "'closed'\n");
    stage_free(&f);

    /* all zero, or absent: no stage */
    stage_build(&f, "{\"max_errors\":0}");
    assert_null(f.st.before);
    stage_free(&f);
    assert_lines("KRAKEND WARNING: endpoints[0].backend[0].extra_config.qos/circuit-breaker: every "
                 "field is zero; no circuit breaker (as in KrakenD)\n");
    stage_build(&f, NULL);
    assert_null(f.st.before);
    stage_free(&f);
    assert_lines("");
    tu_log_stop();
    assert_null(gw_cb_admit_error(GW_CB_ADMIT));
    assert_string_equal(gw_cb_state_name(GW_CB_HALF_OPEN), "half-open");
}

/* ---- threads ---- */

struct worker {
    struct gw_cb *cb;
    int64_t now;
    enum gw_cb_outcome o;
    int admitted;
};

static void *worker(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < 20000; i++)
        w->admitted += call(w->cb, w->now, w->o) == GW_CB_ADMIT;
    return NULL;
}

static int run(struct gw_cb *cb, int64_t now, enum gw_cb_outcome a, enum gw_cb_outcome b)
{
    struct worker w[4];
    pthread_t t[4];
    int admitted = 0;

    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){cb, now, i % 2 ? a : b, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        admitted += w[i].admitted;
    }
    return admitted;
}

/* Successes from every thread keep it closed; failures open it once; while open nothing is
 * admitted; after the timeout exactly one trial at a time runs. */
static void test_threads(void **state)
{
    struct gw_cb *cb = breaker("{\"max_errors\":5,\"timeout\":10,\"log_status_change\":true}");

    (void)state;
    assert_int_equal(run(cb, T0, GW_CB_SUCCESS, GW_CB_EXCLUDED), 80000);
    assert_int_equal(gw_cb_state(cb, T0), GW_CB_CLOSED);
    assert_lines("");
    run(cb, T0, GW_CB_FAILURE, GW_CB_FAILURE);
    assert_int_equal(gw_cb_state(cb, T0), GW_CB_OPEN);
    assert_lines("KRAKEND WARNING: [CB] Circuit breaker named '' went from 'closed' to 'open'\n");
    assert_int_equal(run(cb, T0 + 5 * S, GW_CB_SUCCESS, GW_CB_SUCCESS), 0);
    /* after the timeout: the first trial succeeds and closes it, the rest flow */
    run(cb, T0 + 11 * S, GW_CB_SUCCESS, GW_CB_SUCCESS);
    assert_int_equal(gw_cb_state(cb, T0 + 11 * S), GW_CB_CLOSED);
    assert_lines("KRAKEND WARNING: [CB] Circuit breaker named '' went from 'open' to 'half-open'\n"
                 "KRAKEND WARNING: [CB] Circuit breaker named '' went from 'half-open' to "
                 "'closed'\n");
    gw_cb_destroy(cb);
}

static int64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * S + ts.tv_nsec;
}

/* The closed path: before + after(success) with no lock and no write. */
static void test_closed_path_cost(void **state)
{
    struct gw_cb *cb = breaker("{\"interval\":60,\"max_errors\":3,\"timeout\":10}");
    int n = RUNNING_ON_VALGRIND ? 10000 : 5000000;
    int64_t t = mono_ns();
    double ns;

    (void)state;
    for (int i = 0; i < n; i++)
        call(cb, T0 + i, GW_CB_SUCCESS);
    ns = (double)(mono_ns() - t) / n;
    printf("# closed breaker, success: %.1f ns per call (before + after)\n", ns);
    if (!RUNNING_ON_VALGRIND)
        assert_true(ns < 1000);
    gw_cb_destroy(cb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_option_warnings),
        cmocka_unit_test(test_startup_line),
        cmocka_unit_test(test_trip_consecutive),
        cmocka_unit_test(test_timeout_and_half_open),
        cmocka_unit_test(test_excluded_trial),
        cmocka_unit_test(test_interval_and_generations),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_stage),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_closed_path_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
