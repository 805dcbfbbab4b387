/* test_ratelimit.c - qos/ratelimit: option tables of both namespaces (§5.2-§5.4, the
 * client_capacity bug included), the token bucket of §5.6, the shared limiter against it,
 * client keys (§5.5), router verdicts (§5.7) and the startup lines (§5.9). */
#include "gw_rl_int.h"
#include "tu_log.h"
#include "tu_shared.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define S 1000000000LL
#define T0 (1000 * S)

/* ---- helpers ---- */

static json_t *js(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

    assert_non_null(v);
    return v;
}

/* The warnings a parser gave. */
struct msgs {
    size_t n;
    char v[32][512];
};

static void collect(void *ctx, const char *msg)
{
    struct msgs *w = ctx;

    if (w->n < 32)
        snprintf(w->v[w->n++], sizeof(w->v[0]), "%s", msg);
}

static bool has_msg(const struct msgs *w, const char *needle)
{
    for (size_t i = 0; i < w->n; i++) {
        if (strstr(w->v[i], needle))
            return true;
    }
    return false;
}

static enum gw_rl_status router(const char *text, struct gw_rl_router_config *c, struct msgs *w)
{
    json_t *v = text ? js(text) : NULL;
    struct cmn_err err = {0};
    struct cmn_warn cw = {collect, w};
    enum gw_rl_status st =
        gw_rl_router_config_parse(v, "ep.qos/ratelimit/router", c, w ? &cw : NULL, &err);

    json_decref(v);
    return st;
}

static enum gw_rl_status proxy(const char *text, struct gw_rl_proxy_config *c, struct msgs *w,
                               struct cmn_err *err)
{
    json_t *v = text ? js(text) : NULL;
    struct cmn_warn cw = {collect, w};
    enum gw_rl_status st =
        gw_rl_proxy_config_parse(v, "be.qos/ratelimit/proxy", c, w ? &cw : NULL, err);

    json_decref(v);
    return st;
}

/* An incoming request as the middleware sees it: headers (name, value pairs; NULL ends) and
 * path parameters. Free with req_free. */
static struct gw_inreq req(const char *const *headers, struct gw_reqparam *params, size_t n)
{
    struct gw_inreq in;

    memset(&in, 0, sizeof(in));
    gw_hdrs_init(&in.headers, 0);
    for (size_t i = 0; headers && headers[i]; i += 2) {
        if (headers[i + 1])
            assert_true(gw_hdrs_add(&in.headers, headers[i], headers[i + 1]));
    }
    in.params = params;
    in.n_params = n;
    return in;
}

static void req_free(struct gw_inreq *in)
{
    gw_hdrs_free(&in->headers);
}

/* ---- router options ---- */

/* max_rate/capacity and the §5.4 defaults of the endpoint bucket. */
static void test_router_endpoint_capacity(void **state)
{
    static const struct {
        const char *json;
        bool on;
        double rate;
        uint64_t cap;
    } cases[] = {
        {"{}", false, 0, 0},
        {"{\"max_rate\":0}", false, 0, 0},
        {"{\"max_rate\":-3}", false, 0, 0},
        {"{\"max_rate\":2}", true, 2, 2},
        {"{\"max_rate\":2.9}", true, 2.9, 2}, /* floor of the rate */
        {"{\"max_rate\":0.5}", true, 0.5, 1}, /* below 1/s: 1 */
        {"{\"max_rate\":5,\"capacity\":10}", true, 5, 10},
        {"{\"max_rate\":5,\"capacity\":0}", true, 5, 5}, /* 0 = default */
        {"{\"max_rate\":5,\"capacity\":3.7}", true, 5, 3},
        {"{\"max_rate\":60,\"every\":\"1m\"}", true, 1, 1},
        {"{\"max_rate\":120,\"every\":\"1m\"}", true, 2, 2},
        {"{\"max_rate\":\"10\"}", false, 0, 0}, /* strings are ignored */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_rl_router_config c;
        struct msgs w = {0};

        assert_int_equal(router(cases[i].json, &c, &w), GW_RL_OK);
        assert_int_equal(c.endpoint_on, cases[i].on);
        if (cases[i].on) {
            assert_true(c.max_rate == cases[i].rate);
            assert_int_equal(c.endpoint.capacity, cases[i].cap);
            assert_int_equal(c.endpoint.fill_ns, (int64_t)(1e9 / cases[i].rate));
        }
        gw_rl_router_config_free(&c);
        w.n = 0;
    }
}

/* §5.4: the client capacity default looks at max_rate (upstream bug, reproduced). */
static void test_router_client_capacity_bug(void **state)
{
    struct gw_rl_router_config c;
    struct msgs w = {0};

    (void)state;
    assert_int_equal(router("{\"client_max_rate\":10,\"strategy\":\"ip\"}", &c, &w), GW_RL_OK);
    assert_true(c.client_on);
    assert_int_equal(c.client.capacity, 1);
    assert_true(has_msg(&w, "client_capacity"));
    gw_rl_router_config_free(&c);
    w.n = 0;

    router("{\"client_max_rate\":10,\"strategy\":\"ip\",\"max_rate\":100}", &c, &w);
    assert_int_equal(c.client.capacity, 10);
    assert_false(has_msg(&w, "client_capacity"));
    gw_rl_router_config_free(&c);

    router("{\"client_max_rate\":10,\"strategy\":\"ip\",\"max_rate\":0.5}", &c, &w);
    assert_int_equal(c.client.capacity, 1);
    gw_rl_router_config_free(&c);

    router("{\"client_max_rate\":10,\"strategy\":\"ip\",\"client_capacity\":4}", &c, &w);
    assert_int_equal(c.client.capacity, 4);
    gw_rl_router_config_free(&c);

    /* client_max_rate 1: both rules give 1, no warning */
    w.n = 0;
    router("{\"client_max_rate\":1,\"strategy\":\"ip\"}", &c, &w);
    assert_int_equal(c.client.capacity, 1);
    assert_false(has_msg(&w, "client_capacity"));
    gw_rl_router_config_free(&c);
    w.n = 0;
}

static void test_router_strategy_and_key(void **state)
{
    static const struct {
        const char *json;
        enum gw_rl_strategy st;
        bool client_on;
        const char *text;
    } cases[] = {
        {"{\"client_max_rate\":1,\"strategy\":\"ip\"}", GW_RL_STRATEGY_IP, true, "ip"},
        {"{\"client_max_rate\":1,\"strategy\":\"IP\"}", GW_RL_STRATEGY_IP, true, "IP"},
        {"{\"client_max_rate\":1,\"strategy\":\"Header\"}", GW_RL_STRATEGY_HEADER, true, "Header"},
        {"{\"client_max_rate\":1,\"strategy\":\"param\"}", GW_RL_STRATEGY_PARAM, true, "param"},
        {"{\"client_max_rate\":1,\"strategy\":\"jwt\"}", GW_RL_STRATEGY_NONE, false, "jwt"},
        {"{\"client_max_rate\":1}", GW_RL_STRATEGY_NONE, false, ""},
        {"{\"client_max_rate\":1,\"strategy\":1000000}", GW_RL_STRATEGY_NONE, false, "1e+06"},
        {"{\"client_max_rate\":1,\"strategy\":0.25}", GW_RL_STRATEGY_NONE, false, "0.25"},
        {"{\"client_max_rate\":1,\"strategy\":123456}", GW_RL_STRATEGY_NONE, false, "123456"},
        {"{\"client_max_rate\":1,\"strategy\":null}", GW_RL_STRATEGY_NONE, false, "<nil>"},
        {"{\"client_max_rate\":1,\"strategy\":[\"ip\",2]}", GW_RL_STRATEGY_NONE, false, "[ip 2]"},
        {"{\"client_max_rate\":1,\"strategy\":{\"b\":true,\"a\":1e-5}}", GW_RL_STRATEGY_NONE, false,
         "map[a:1e-05 b:true]"},
        {"{\"client_max_rate\":0,\"strategy\":\"ip\"}", GW_RL_STRATEGY_IP, false, "ip"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_rl_router_config c;

        router(cases[i].json, &c, NULL);
        assert_int_equal(c.strategy, cases[i].st);
        assert_int_equal(c.client_on, cases[i].client_on);
        assert_string_equal(c.strategy_text, cases[i].text);
        gw_rl_router_config_free(&c);
    }
}

static void test_router_every(void **state)
{
    static const struct {
        const char *json;
        int64_t every;
        double rate;
        bool jitter;
        const char *warning; /* NULL: none about every */
    } cases[] = {
        {"{\"max_rate\":10}", S, 10, false, NULL},
        {"{\"max_rate\":10,\"every\":\"10s\"}", 10 * S, 1, false, NULL},
        {"{\"max_rate\":10,\"every\":\"500ms\"}", S, 10, false, "below 1s"},
        {"{\"max_rate\":10,\"every\":\"60\"}", S, 10, false, "not a Go duration"},
        {"{\"max_rate\":10,\"every\":60}", S, 10, false, "not a Go duration"},
        {"{\"max_rate\":10,\"every\":0}", S, 10, false, "below 1s"},
        {"{\"max_rate\":10,\"every\":\"-1m\"}", S, 10, false, "below 1s"},
        {"{\"max_rate\":3,\"every\":\"10m\"}", 600 * S, 3.0 * (1e9 / 6e11), false, NULL},
        {"{\"max_rate\":3,\"every\":\"1h\"}", 3600 * S, 3.0 * (1e9 / 3.6e12), true, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_rl_router_config c;
        struct msgs w = {0};

        router(cases[i].json, &c, &w);
        assert_int_equal(c.every_ns, cases[i].every);
        assert_true(c.max_rate == cases[i].rate);
        assert_int_equal(c.ttl_jitter, cases[i].jitter);
        assert_int_equal(has_msg(&w, "every"), cases[i].warning != NULL);
        if (cases[i].warning)
            assert_true(has_msg(&w, cases[i].warning));
        gw_rl_router_config_free(&c);
        w.n = 0;
    }
}

/* num_shards and cleanup_threads are read, not applied; cleanup_period is applied. */
static void test_router_store_options(void **state)
{
    struct gw_rl_router_config c;
    struct msgs w = {0};

    (void)state;
    router("{\"num_shards\":16,\"cleanup_threads\":4,\"cleanup_period\":\"5s\"}", &c, &w);
    assert_int_equal(c.num_shards, 16);
    assert_int_equal(c.cleanup_threads, 4);
    assert_int_equal(c.cleanup_ns, 5 * S);
    assert_true(has_msg(&w, "num_shards: read, not applied"));
    assert_true(has_msg(&w, "cleanup_threads: read, not applied"));
    gw_rl_router_config_free(&c);
    w.n = 0;

    router("{}", &c, &w);
    assert_int_equal(c.num_shards, 2048);
    assert_int_equal(c.cleanup_ns, 60 * S);
    assert_int_equal(w.n, 0);
    gw_rl_router_config_free(&c);

    router("{\"cleanup_period\":\"100ms\"}", &c, &w);
    assert_int_equal(c.cleanup_ns, S);
    gw_rl_router_config_free(&c);
    router("{\"cleanup_period\":\"soon\"}", &c, &w);
    assert_int_equal(c.cleanup_ns, 60 * S);
    gw_rl_router_config_free(&c);
    w.n = 0;
}

static void test_router_shapes(void **state)
{
    struct gw_rl_router_config c;
    struct msgs w = {0};

    (void)state;
    assert_int_equal(router(NULL, &c, &w), GW_RL_ABSENT);
    assert_false(c.endpoint_on || c.client_on);
    gw_rl_router_config_free(&c);
    assert_int_equal(router("[1]", &c, &w), GW_RL_WRONG);
    assert_false(c.endpoint_on || c.client_on);
    gw_rl_router_config_free(&c);
    w.n = 0;

    router("{\"max_rate\":1,\"maxrate\":2,\"@comment\":\"x\",\"capacity\":-1}", &c, &w);
    assert_true(has_msg(&w, "ep.qos/ratelimit/router.maxrate: unknown option"));
    assert_false(has_msg(&w, "@comment"));
    /* Go's uint64(-1.0) on amd64: all ones */
    assert_int_equal(c.endpoint.capacity, UINT64_MAX);
    assert_true(has_msg(&w, "capacity: -1 is not a count"));
    gw_rl_router_config_free(&c);
    w.n = 0;

    router("{\"client_max_rate\":1,\"strategy\":\"header\",\"key\":\"x-api-key\"}", &c, &w);
    assert_string_equal(c.key, "x-api-key");
    assert_string_equal(c.key_header, "X-Api-Key");
    gw_rl_router_config_free(&c);
    w.n = 0;

    /* a rate above 1e9/s would make Go divide by zero: 1 ns refills here */
    router("{\"max_rate\":2e9,\"capacity\":1}", &c, &w);
    assert_int_equal(c.endpoint.fill_ns, 1);
    assert_true(has_msg(&w, "above 1e9"));
    gw_rl_router_config_free(&c);
    w.n = 0;
}

/* ---- proxy options ---- */

static void test_proxy_options(void **state)
{
    static const struct {
        const char *json;
        enum gw_rl_status st;
        bool on;
        double rate;
        uint64_t cap;
    } cases[] = {
        {"{\"max_rate\":1,\"capacity\":1}", GW_RL_OK, true, 1, 1},
        {"{\"max_rate\":10}", GW_RL_OK, true, 10, 10},
        {"{\"max_rate\":0.5}", GW_RL_OK, true, 0.5, 1},
        {"{\"max_rate\":10,\"every\":\"100ms\"}", GW_RL_OK, true, 100, 100}, /* no 1s floor */
        {"{\"max_rate\":10,\"every\":\"1m\",\"capacity\":3}", GW_RL_OK, true, 10.0 / 60, 3},
        {"{\"max_rate\":10,\"every\":\"bad\"}", GW_RL_OK, true, 10, 10},
        {"{\"max_rate\":10,\"every\":\"-1s\"}", GW_RL_OK, false, 0, 0},
        {"{\"max_rate\":-2,\"every\":\"-1s\"}", GW_RL_OK, true, 2, 2}, /* two negatives */
        {"{\"max_rate\":10,\"every\":\"0s\"}", GW_RL_INVALID, false, 0, 0},
        {"{\"max_rate\":0,\"every\":\"0s\"}", GW_RL_OK, false, 0, 0},
        {"{}", GW_RL_OK, false, 0, 0},
        {"\"x\"", GW_RL_WRONG, false, 0, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_rl_proxy_config c;
        struct cmn_err err = {0};

        assert_int_equal(proxy(cases[i].json, &c, NULL, &err), cases[i].st);
        assert_int_equal(c.on, cases[i].on);
        if (cases[i].on) {
            assert_true(c.max_rate == cases[i].rate);
            assert_int_equal(c.bucket.capacity, cases[i].cap);
        }
        if (cases[i].st == GW_RL_INVALID)
            assert_non_null(strstr(err.msg, "be.qos/ratelimit/proxy.every"));
    }
}

/* ---- startup lines ---- */

static void test_startup_lines(void **state)
{
    struct gw_rl_router_config c;
    struct gw_rl_proxy_config p;
    struct cmn_err err = {0};
    enum gw_rl_status st;
    char *log;

    (void)state;
    tu_log_capture(CMN_LOG_DEBUG);
    st = router("{\"max_rate\":2,\"client_max_rate\":1.5,\"strategy\":\"IP\",\"key\":\"X-Real-Ip\","
                "\"client_capacity\":3}",
                &c, NULL);
    gw_rl_router_log_startup(st, &c, "/users");
    log = tu_log_take();
    assert_string_equal(log, "KRAKEND DEBUG: [ENDPOINT: /users][Ratelimit] Rate limit enabled. "
                             "MaxRate: 2.000000, Capacity: 2\n"
                             "KRAKEND DEBUG: [ENDPOINT: /users][Ratelimit] Rate limit enabled. "
                             "Strategy: IP (key: X-Real-Ip), MaxRate: 1.500000, Capacity: 3\n");
    free(log);
    gw_rl_router_config_free(&c);

    st = router("{\"client_max_rate\":1}", &c, NULL);
    gw_rl_router_log_startup(st, &c, "/a");
    log = tu_log_take();
    assert_string_equal(log, "KRAKEND WARNING: [ENDPOINT: /a][Ratelimit] Unknown strategy \n");
    free(log);
    gw_rl_router_config_free(&c);

    st = router("true", &c, NULL);
    gw_rl_router_log_startup(st, &c, "/a");
    log = tu_log_take();
    assert_string_equal(log, "KRAKEND ERROR: [ENDPOINT: /a][Ratelimit] wrong extra config\n");
    free(log);
    gw_rl_router_config_free(&c);

    st = proxy("{\"max_rate\":1}", &p, NULL, &err);
    gw_rl_proxy_log_startup(st, &p, "/items/{id}");
    st = proxy("[]", &p, NULL, &err);
    gw_rl_proxy_log_startup(st, &p, "/x");
    st = proxy("{\"max_rate\":0}", &p, NULL, &err); /* no limiter: no line */
    gw_rl_proxy_log_startup(st, &p, "/y");
    log = tu_log_take();
    assert_string_equal(
        log, "KRAKEND DEBUG: [BACKEND: /items/{id}][Ratelimit] Enabling the rate limiter\n"
             "KRAKEND ERROR: [BACKEND: /x][Ratelimit] wrong extra config\n");
    free(log);
    tu_log_stop();
}

/* ---- the token bucket ---- */

/* §5.6's example: rate 1/s, capacity 10. */
static void test_bucket_example(void **state)
{
    struct gw_rl_bucket_params p = {1, 10, S};
    struct gw_rl_tb b;

    (void)state;
    gw_rl_tb_init(&b, &p, T0);
    for (int i = 0; i < 10; i++)
        assert_true(gw_rl_tb_allow(&b, T0));
    assert_false(gw_rl_tb_allow(&b, T0));
    assert_false(gw_rl_tb_allow(&b, T0 + S - 1));
    assert_true(gw_rl_tb_allow(&b, T0 + 5200000000LL));
    assert_int_equal(b.tokens, 4);
    assert_int_equal(b.last_refill_ns, T0 + 5 * S);
}

/* A drained bucket idle for long refills to full without consuming: capacity + 1 passes. */
static void test_bucket_full_refill_is_free(void **state)
{
    struct gw_rl_bucket_params p = {1, 3, S};
    struct gw_rl_tb b;
    int n = 0;

    (void)state;
    gw_rl_tb_init(&b, &p, T0);
    while (gw_rl_tb_allow(&b, T0))
        n++;
    assert_int_equal(n, 3);
    n = 0;
    while (gw_rl_tb_allow(&b, T0 + 100 * S))
        n++;
    assert_int_equal(n, 4);
    /* exactly capacity tokens due: n == capacity, one consumed */
    gw_rl_tb_init(&b, &p, T0);
    for (int i = 0; i < 3; i++)
        gw_rl_tb_allow(&b, T0);
    assert_true(gw_rl_tb_allow(&b, T0 + 3 * S));
    assert_int_equal(b.tokens, 2);
    /* a clock read before the last refill counts as no time */
    for (int i = 0; i < 2; i++)
        gw_rl_tb_allow(&b, T0 + 3 * S);
    assert_false(gw_rl_tb_allow(&b, T0));
    assert_int_equal(b.last_refill_ns, T0 + 3 * S);
}

/* Fractional rates: refill interval trunc(1e9 / rate). */
static void test_bucket_fractional(void **state)
{
    struct gw_rl_router_config c;
    struct gw_rl_tb b;

    (void)state;
    router("{\"max_rate\":3,\"every\":\"1m\"}", &c, NULL); /* 0.05/s: one per 20 s */
    assert_int_equal(c.endpoint.fill_ns, 20 * S);
    assert_int_equal(c.endpoint.capacity, 1);
    gw_rl_tb_init(&b, &c.endpoint, T0);
    assert_true(gw_rl_tb_allow(&b, T0));
    assert_false(gw_rl_tb_allow(&b, T0 + 20 * S - 1));
    assert_true(gw_rl_tb_allow(&b, T0 + 20 * S));
    assert_false(gw_rl_tb_allow(&b, T0 + 39 * S));
    gw_rl_router_config_free(&c);
}

/* The shared limiter gives the same answers as the plain bucket on one thread. */
static void test_limiter_matches_bucket(void **state)
{
    struct gw_rl_bucket_params p = {7, 5, (int64_t)(1e9 / 7)};
    struct gw_rl_limiter *l = gw_rl_limiter_new(&p, T0);
    struct gw_rl_tb b;
    uint64_t x = 88172645463325252ULL;
    int64_t now = T0;

    (void)state;
    assert_non_null(l);
    gw_rl_tb_init(&b, &p, T0);
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (x % 3 == 0)
            now += (int64_t)(x % (400 * 1000000)); /* 0-400 ms */
        else if (x % 97 == 0)
            now -= 1000000; /* an older clock read */
        assert_int_equal(gw_rl_limiter_allow(l, now), gw_rl_tb_allow(&b, now));
        assert_int_equal(gw_rl_limiter_tokens(l), b.tokens);
    }
    gw_rl_limiter_destroy(l);
}

struct race {
    struct gw_rl_limiter *l;
    int64_t now;
    int passed;
};

static void *race_thread(void *arg)
{
    struct race *r = arg;

    for (int i = 0; i < 20000; i++)
        r->passed += gw_rl_limiter_allow(r->l, r->now);
    return NULL;
}

/* Four threads at the same instant: exactly capacity requests pass, then exactly one token
 * per elapsed interval. */
static void test_limiter_threads_exact(void **state)
{
    struct gw_rl_bucket_params p = {1000, 5000, 1000000};
    struct gw_rl_limiter *l = gw_rl_limiter_new(&p, T0);
    struct race r[4];
    pthread_t t[4];
    int total = 0;

    (void)state;
    for (int round = 0; round < 2; round++) {
        total = 0;
        for (int i = 0; i < 4; i++) {
            r[i] = (struct race){l, T0 + round * 3 * S + (round ? 500000 : 0), 0};
            assert_int_equal(pthread_create(&t[i], NULL, race_thread, &r[i]), 0);
        }
        for (int i = 0; i < 4; i++) {
            pthread_join(t[i], NULL);
            total += r[i].passed;
        }
        /* round 0: the full bucket; round 1: 3000 whole intervals, 3000 tokens */
        assert_int_equal(total, round ? 3000 : 5000);
    }
    gw_rl_limiter_destroy(l);
}

/* ---- client keys ---- */

static void test_client_key_ip(void **state)
{
    static const struct {
        const char *xff;
        const char *want;
    } cases[] = {
        {"1.2.3.4", "1.2.3.4"},
        {"1.2.3.4, 5.6.7.8", "1.2.3.4"},
        {"  10.0.0.1:8080 ,x", "10.0.0.1"},
        {"\xc2\xa0"
         "9.9.9.9",
         "9.9.9.9"},             /* Unicode space trimmed */
        {"::1", "peer"},         /* cut at ':' -> "" */
        {"2001:db8::1", "peer"}, /* IPv6 never works with a key */
        {"01.2.3.4", "peer"},    /* leading zero */
        {"256.1.1.1", "peer"},
        {"1.2.3", "peer"},
        {"1.2.3.4.5", "peer"},
        {"abc", "peer"},
        {"", "peer"},
        {NULL, "peer"},
    };
    struct gw_rl_router_config c;

    (void)state;
    router("{\"client_max_rate\":1,\"strategy\":\"ip\",\"key\":\"x-forwarded-for\"}", &c, NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *h[] = {"X-Forwarded-For", cases[i].xff, NULL};
        struct gw_inreq in = req(h, NULL, 0);
        size_t n;
        const char *k = gw_rl_client_key(&c, &in, "peer", &n);

        assert_non_null(k);
        assert_int_equal(n, strlen(cases[i].want));
        assert_memory_equal(k, cases[i].want, n);
        req_free(&in);
    }
    gw_rl_router_config_free(&c);

    /* without key: gin's ClientIP(), whatever the headers */
    router("{\"client_max_rate\":1,\"strategy\":\"ip\"}", &c, NULL);
    {
        const char *h[] = {"X-Forwarded-For", "1.2.3.4", NULL};
        struct gw_inreq in = req(h, NULL, 0);
        size_t n;

        assert_string_equal(gw_rl_client_key(&c, &in, "5.6.7.8", &n), "5.6.7.8");
        gw_rl_client_key(&c, &in, "", &n);
        assert_int_equal(n, 0);
        req_free(&in);
    }
    gw_rl_router_config_free(&c);
}

static void test_client_key_header_param(void **state)
{
    struct gw_rl_router_config c;
    const char *h[] = {"Authorization", "Bearer a, b", "Authorization", "second", NULL};
    char pn[] = "customer_id", pv[] = "42";
    struct gw_reqparam p[] = {{pn, pv}};
    struct gw_inreq in = req(h, p, 1);
    size_t n;

    (void)state;
    router("{\"client_max_rate\":1,\"strategy\":\"header\",\"key\":\"authorization\"}", &c, NULL);
    assert_string_equal(gw_rl_client_key(&c, &in, "1.1.1.1", &n), "Bearer a, b"); /* first */
    gw_rl_router_config_free(&c);
    router("{\"client_max_rate\":1,\"strategy\":\"header\",\"key\":\"X-Missing\"}", &c, NULL);
    assert_null(gw_rl_client_key(&c, &in, "1.1.1.1", &n));
    gw_rl_router_config_free(&c);
    router("{\"client_max_rate\":1,\"strategy\":\"header\"}", &c, NULL); /* no key */
    assert_null(gw_rl_client_key(&c, &in, "1.1.1.1", &n));
    gw_rl_router_config_free(&c);
    router("{\"client_max_rate\":1,\"strategy\":\"param\",\"key\":\"customer_id\"}", &c, NULL);
    assert_string_equal(gw_rl_client_key(&c, &in, "1.1.1.1", &n), "42");
    gw_rl_router_config_free(&c);
    router("{\"client_max_rate\":1,\"strategy\":\"param\",\"key\":\"Customer_id\"}", &c, NULL);
    assert_null(gw_rl_client_key(&c, &in, "1.1.1.1", &n)); /* case-sensitive */
    gw_rl_router_config_free(&c);
    req_free(&in);
}

/* ---- verdicts ---- */

static void test_router_verdicts(void **state)
{
    struct gw_rl_router_config c;
    struct gw_rl_store_opts so = {0, {1, 2}};
    struct gw_rl_store *store;
    struct gw_rl_router *r;
    struct cmn_err err = {0};
    const char *ha[] = {"X-Key", "a", NULL}, *hb[] = {"X-Key", "b", NULL};
    struct gw_inreq ra = req(ha, NULL, 0), rb = req(hb, NULL, 0), rn = req(NULL, NULL, 0);

    (void)state;
    so.max_bytes = 64 * 1024;
    store = gw_rl_store_new(&so, &err);
    assert_non_null(store);
    router("{\"max_rate\":3,\"client_max_rate\":2,\"client_capacity\":2,\"strategy\":\"header\","
           "\"key\":\"X-Key\"}",
           &c, NULL);
    r = gw_rl_router_new(&c, store, 0, T0, &err);
    assert_non_null(r);

    /* empty key: 429, nothing consumed */
    assert_int_equal(gw_rl_router_check(r, &rn, "1.1.1.1", T0), GW_RL_CLIENT_LIMITED);
    for (int i = 0; i < 2; i++)
        assert_int_equal(gw_rl_router_check(r, &ra, "1.1.1.1", T0), GW_RL_PASS);
    /* a's bucket is empty */
    assert_int_equal(gw_rl_router_check(r, &ra, "1.1.1.1", T0), GW_RL_CLIENT_LIMITED);
    /* the endpoint's third token */
    assert_int_equal(gw_rl_router_check(r, &rb, "1.1.1.1", T0), GW_RL_PASS);
    /* b passes, the endpoint is empty */
    assert_int_equal(gw_rl_router_check(r, &rb, "1.1.1.1", T0), GW_RL_ENDPOINT_LIMITED);
    /* b's token went with the 503 */
    assert_int_equal(gw_rl_router_check(r, &rb, "1.1.1.1", T0), GW_RL_CLIENT_LIMITED);
    gw_rl_router_destroy(r);

    /* a client limit needs a store */
    assert_null(gw_rl_router_new(&c, NULL, 0, T0, &err));
    assert_int_equal(err.code, GW_RL_INVALID);
    gw_rl_router_config_free(&c);

    /* endpoint only: no store needed, never 429 */
    router("{\"max_rate\":1,\"capacity\":1}", &c, NULL);
    r = gw_rl_router_new(&c, NULL, 0, T0, &err);
    assert_int_equal(gw_rl_router_check(r, &rn, "", T0), GW_RL_PASS);
    assert_int_equal(gw_rl_router_check(r, &rn, "", T0), GW_RL_ENDPOINT_LIMITED);
    assert_int_equal(gw_rl_router_check(r, &rn, "", T0 + S), GW_RL_PASS);
    gw_rl_router_destroy(r);
    gw_rl_router_config_free(&c);
    gw_rl_store_destroy(store);
    req_free(&ra);
    req_free(&rb);
    req_free(&rn);
}

/* The TTL of client entries: 10 min, or every * (1 + 0.25 r) when every > 10 min. */
static void test_router_ttl(void **state)
{
    struct gw_rl_router_config c;
    struct gw_rl_store_opts so = {4096, {3, 4}};
    struct cmn_err err = {0};
    struct gw_rl_store *store = gw_rl_store_new(&so, &err);
    struct gw_rl_router *r;

    (void)state;
    router("{\"client_max_rate\":1,\"strategy\":\"ip\"}", &c, NULL);
    r = gw_rl_router_new(&c, store, 0.9, T0, &err);
    assert_int_equal(gw_rl_router_ttl_ns(r), 600 * S);
    gw_rl_router_destroy(r);
    gw_rl_router_config_free(&c);
    router("{\"client_max_rate\":1,\"strategy\":\"ip\",\"every\":\"1h\"}", &c, NULL);
    r = gw_rl_router_new(&c, store, 0.5, T0, &err);
    assert_int_equal(gw_rl_router_ttl_ns(r), 4050 * S); /* 1h * (1 + 0.25 * 0.5) */
    gw_rl_router_destroy(r);
    gw_rl_router_config_free(&c);
    gw_rl_store_destroy(store);
}

/* Walks shared CE configurations and parses every qos/ratelimit namespace in them. */
static int walk(const json_t *v, int depth)
{
    const char *k;
    json_t *m;
    size_t i;
    int n = 0;

    if (depth > 64)
        return 0;
    if (json_is_array(v)) {
        json_array_foreach((json_t *)(uintptr_t)v, i, m) n += walk(m, depth + 1);
        return n;
    }
    if (!json_is_object(v))
        return 0;
    json_object_foreach((json_t *)(uintptr_t)v, k, m)
    {
        struct cmn_err err = {0};

        if (strcmp(k, GW_RL_ROUTER_NS) == 0) {
            struct gw_rl_router_config c;

            assert_int_equal(gw_rl_router_config_parse(m, k, &c, NULL, &err), GW_RL_OK);
            assert_true(c.endpoint_on || c.client_on);
            gw_rl_router_config_free(&c);
            n++;
        } else if (strcmp(k, GW_RL_PROXY_NS) == 0) {
            struct gw_rl_proxy_config c;

            assert_int_equal(gw_rl_proxy_config_parse(m, k, &c, NULL, &err), GW_RL_OK);
            assert_true(c.on);
            n++;
        } else {
            n += walk(m, depth + 1);
        }
    }
    return n;
}

/* ---- the factories: the middleware and the stage as the seams run them ---- */

extern char **environ;

static struct gw_config *config(const char *endpoints)
{
    char text[4096];
    struct cmn_err err = {0};
    struct gw_config *cfg;

    snprintf(text, sizeof(text), "{\"version\":3,\"host\":[\"http://b:8080\"],\"endpoints\":[%s]}",
             endpoints);
    cfg = gw_config_parse(text, strlen(text), "t.json", environ, &err);
    if (!cfg)
        fail_msg("config: %s", err.msg);
    return cfg;
}

/* One request through a router middleware: its verdict and, when it answered, the status. */
static unsigned through(const struct gw_mw *mw, struct gw_inreq *in, const char *ip, int64_t now_ms)
{
    struct gw_mw_request rq = {0};
    struct gw_hdrs added;
    struct cmn_http_response *answer = NULL;
    void *st = NULL;
    struct gw_mw_out out = {&added, &answer, &st};
    unsigned status = 0;

    gw_hdrs_init(&added, 0);
    rq.in = in;
    rq.client_ip = ip;
    rq.now_ms = now_ms;
    rq.route = GW_MW_ROUTE_ENDPOINT;
    if (mw->request(mw->ctx, &rq, &out) == GW_MW_ANSWER) {
        assert_non_null(answer);
        status = answer->status;
        assert_int_equal(answer->n_headers, 0); /* the status alone */
        assert_int_equal(answer->body_len, 0);
        cmn_http_response_destroy(answer);
    } else {
        assert_null(answer);
    }
    assert_int_equal(added.n, 0);
    gw_hdrs_free(&added);
    return status;
}

static void test_factories(void **state)
{
    struct gw_config *cfg = config(
        "{\"endpoint\":\"/a\",\"extra_config\":{\"qos/ratelimit/router\":{\"max_rate\":2,"
        "\"client_max_rate\":1,\"client_capacity\":1,\"strategy\":\"header\",\"key\":\"X-Key\"}},"
        "\"backend\":[{\"url_pattern\":\"/x\",\"extra_config\":{\"qos/ratelimit/proxy\":"
        "{\"max_rate\":1,\"capacity\":2}}}]},"
        "{\"endpoint\":\"/b\",\"extra_config\":{\"qos/ratelimit/router\":{\"client_max_rate\":3,"
        "\"strategy\":\"ip\"}},\"backend\":[{\"url_pattern\":\"/y\"}]},"
        "{\"endpoint\":\"/c\",\"extra_config\":{\"qos/ratelimit/router\":[1]},"
        "\"backend\":[{\"url_pattern\":\"/z\"}]}");
    struct cmn_clock_manual clock;
    struct gw_rl_env env = GW_RL_ENV_INIT;
    struct gw_mw mw[3];
    struct gw_stage st;
    struct cmn_err err = {0};
    const char *ka[] = {"X-Key", "a", NULL}, *kb[] = {"X-Key", "b", NULL};
    struct gw_inreq a = req(ka, NULL, 0), b = req(kb, NULL, 0), none = req(NULL, NULL, 0);
    int64_t t0;
    char *log;

    (void)state;
    cmn_clock_manual_init(&clock, 5000, 1700000000000);
    env.clock = &clock.clock;
    t0 = cmn_clock_now_mono_ms(&clock.clock);
    tu_log_capture(CMN_LOG_DEBUG);
    for (int i = 0; i < 3; i++) {
        memset(&mw[i], 0, sizeof(mw[i]));
        assert_true(gw_rl_router_build(&env, cfg, &cfg->endpoints[i], &mw[i], &err));
    }
    log = tu_log_take();
    assert_string_equal(
        log, "KRAKEND DEBUG: [ENDPOINT: /a][Ratelimit] Rate limit enabled. MaxRate: 2.000000, "
             "Capacity: 2\n"
             "KRAKEND DEBUG: [ENDPOINT: /a][Ratelimit] Rate limit enabled. Strategy: header (key: "
             "X-Key), MaxRate: 1.000000, Capacity: 1\n"
             "KRAKEND WARNING: endpoints[1].extra_config.qos/ratelimit/router.client_capacity: "
             "absent, and max_rate is below 1 per second: the client bucket holds 1 token, not 3 "
             "(KrakenD's default uses max_rate; set client_capacity)\n"
             "KRAKEND DEBUG: [ENDPOINT: /b][Ratelimit] Rate limit enabled. Strategy: ip (key: ), "
             "MaxRate: 3.000000, Capacity: 1\n"
             "KRAKEND ERROR: [ENDPOINT: /c][Ratelimit] wrong extra config\n");
    free(log);
    assert_int_equal(mw[0].slot, GW_MW_AUTHENTICATED);
    assert_string_equal(mw[0].name, "qos/ratelimit/router");
    assert_null(mw[2].request); /* wrong extra config: no limiter */
    assert_int_equal(env.store_refs, 2);

    /* /a: client a, then b; the endpoint's two tokens go; then 503 and 429 */
    assert_int_equal(through(&mw[0], &a, "1.1.1.1", t0), 0);
    assert_int_equal(through(&mw[0], &a, "1.1.1.1", t0), 429);
    assert_int_equal(through(&mw[0], &b, "1.1.1.1", t0), 0);
    assert_int_equal(through(&mw[0], &none, "1.1.1.1", t0), 429);
    cmn_clock_manual_advance(&clock, 1000); /* a's token is back, the endpoint's one too */
    t0 += 1000;
    assert_int_equal(through(&mw[0], &a, "1.1.1.1", t0), 0);
    assert_int_equal(through(&mw[0], &b, "1.1.1.1", t0), 0); /* both buckets refilled at once */
    cmn_clock_manual_advance(&clock, 1000);
    t0 += 1000;
    /* the endpoint refills 2 per second: a and b pass, a third client gets the 503 */
    assert_int_equal(through(&mw[0], &a, "1.1.1.1", t0), 0);
    assert_int_equal(through(&mw[0], &b, "1.1.1.1", t0), 0);
    {
        const char *kc[] = {"X-Key", "c", NULL};
        struct gw_inreq c = req(kc, NULL, 0);

        assert_int_equal(through(&mw[0], &c, "1.1.1.1", t0), 503);
        req_free(&c);
    }
    /* /b: ip strategy, the seam's ClientIP */
    assert_int_equal(through(&mw[1], &none, "10.0.0.1", t0), 0);
    assert_int_equal(through(&mw[1], &none, "10.0.0.1", t0), 429);
    assert_int_equal(through(&mw[1], &none, "10.0.0.2", t0), 0);
    mw[0].free(mw[0].ctx);
    assert_int_equal(env.store_refs, 1);
    mw[1].free(mw[1].ctx);
    assert_null(env.store); /* the last client limit took the store with it */

    /* the backend limiter: a `before` that fails the call */
    memset(&st, 0, sizeof(st));
    assert_true(gw_rl_proxy_build(&env, cfg, &cfg->endpoints[0], &cfg->endpoints[0].backends[0],
                                  &st, &err));
    {
        struct gw_stage_call call = {0};
        struct gw_perr perr = {0};

        call.now_ms = cmn_clock_now_mono_ms(&clock.clock);
        assert_int_equal(st.before(st.ctx, &call, &perr), GW_STAGE_NEXT);
        assert_int_equal(st.before(st.ctx, &call, &perr), GW_STAGE_NEXT);
        assert_int_equal(st.before(st.ctx, &call, &perr), GW_STAGE_FAIL);
        assert_string_equal(perr.msg, "rate limit exceded");
        gw_perr_free(&perr);
        call.now_ms += 1000;
        assert_int_equal(st.before(st.ctx, &call, &perr), GW_STAGE_NEXT);
    }
    st.free(st.ctx);
    memset(&st, 0, sizeof(st));
    assert_true(gw_rl_proxy_build(&env, cfg, &cfg->endpoints[1], &cfg->endpoints[1].backends[0],
                                  &st, &err));
    assert_null(st.before); /* no namespace, no stage */
    log = tu_log_take();
    assert_string_equal(log, "KRAKEND DEBUG: [BACKEND: /x][Ratelimit] Enabling the rate limiter\n");
    free(log);
    tu_log_stop();
    req_free(&a);
    req_free(&b);
    req_free(&none);
    gw_config_destroy(cfg);

    /* what KrakenD would crash on stops the build, with the path */
    cfg = config("{\"endpoint\":\"/d\",\"backend\":[{\"url_pattern\":\"/x\",\"extra_config\":"
                 "{\"qos/ratelimit/proxy\":{\"max_rate\":1,\"every\":\"0s\"}}}]}");
    assert_false(gw_rl_proxy_build(&env, cfg, &cfg->endpoints[0], &cfg->endpoints[0].backends[0],
                                   &st, &err));
    assert_non_null(
        strstr(err.msg, "endpoints[0].backend[0].extra_config.qos/ratelimit/proxy.every"));
    gw_config_destroy(cfg);
}

/* The namespaces as KrakenD's CE fixture and a real public config write them. */
static void test_shared_configs(void **state)
{
    static const char *const files[] = {
        "conformance/krakend-ce/krakend-ce-fixture-krakend.json",
        "conformance/krakend-ce/real-configs/"
        "krakend__playground-community__config_krakend_krakend.json",
    };
    int found = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[1024];
        json_error_t e;
        json_t *root;

        assert_non_null(tu_shared_path(files[i], path, sizeof(path)));
        root = json_load_file(path, 0, &e);
        assert_non_null(root);
        found += walk(root, 0);
        json_decref(root);
    }
    assert_true(found >= 2);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest own[] = {
        cmocka_unit_test(test_router_endpoint_capacity),
        cmocka_unit_test(test_router_client_capacity_bug),
        cmocka_unit_test(test_router_strategy_and_key),
        cmocka_unit_test(test_router_every),
        cmocka_unit_test(test_router_store_options),
        cmocka_unit_test(test_router_shapes),
        cmocka_unit_test(test_proxy_options),
        cmocka_unit_test(test_startup_lines),
        cmocka_unit_test(test_bucket_example),
        cmocka_unit_test(test_bucket_full_refill_is_free),
        cmocka_unit_test(test_bucket_fractional),
        cmocka_unit_test(test_limiter_matches_bucket),
        cmocka_unit_test(test_limiter_threads_exact),
        cmocka_unit_test(test_client_key_ip),
        cmocka_unit_test(test_client_key_header_param),
        cmocka_unit_test(test_router_verdicts),
        cmocka_unit_test(test_router_ttl),
        cmocka_unit_test(test_factories),
    };
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(test_shared_configs),
    };
    return tu_run(argc, argv, own, TU_COUNT(own), shared, TU_COUNT(shared));
}
