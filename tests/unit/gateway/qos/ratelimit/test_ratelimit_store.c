/* test_ratelimit_store.c - the client store: a million distinct clients within a fixed memory
 * bound (its own accounting and the process RSS), what eviction may give a client (one fresh
 * bucket at most), KrakenD's idle TTL at sweep instants, threads, and the per-request cost. */
#include "gw_rl_int.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define S 1000000000LL
#define T0 (1000 * S)

static struct gw_rl_router_config parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    struct gw_rl_router_config c;
    struct cmn_err err = {0};

    assert_non_null(v);
    assert_int_equal(gw_rl_router_config_parse(v, "t", &c, NULL, &err), GW_RL_OK);
    json_decref(v);
    return c;
}

static struct gw_rl_store *store_of(size_t bytes)
{
    struct gw_rl_store_opts o = {bytes, {0x0123456789abcdefULL, 0xfedcba9876543210ULL}};
    struct cmn_err err = {0};
    struct gw_rl_store *s = gw_rl_store_new(&o, &err);

    assert_non_null(s);
    return s;
}

/* A request whose client key is the header X-Key. */
struct one {
    struct gw_inreq in;
};

static void set_key(struct one *o, const char *key)
{
    memset(&o->in, 0, sizeof(o->in));
    gw_hdrs_init(&o->in.headers, 0);
    assert_true(gw_hdrs_add(&o->in.headers, "X-Key", key));
}

static void one_free(struct one *o)
{
    gw_hdrs_free(&o->in.headers);
}

static bool allow(struct gw_rl_router *r, const char *key, int64_t now)
{
    struct one o;
    enum gw_rl_decision d;

    set_key(&o, key);
    d = gw_rl_router_check(r, &o.in, "", now);
    one_free(&o);
    return d == GW_RL_PASS;
}

static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;

    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

/* 1,000,000 distinct clients: the store's footprint never changes, the RSS grows by at most
 * the table it allocated up front, and every client beyond the table's slots took a slot. */
static void test_million_clients_bounded(void **state)
{
    const size_t budget = (size_t)8 << 20;
    struct gw_rl_router_config c =
        parse("{\"client_max_rate\":1,\"client_capacity\":5,\"strategy\":\"header\","
              "\"key\":\"X-Key\"}");
    struct gw_rl_store *s = store_of(budget);
    struct cmn_err err = {0};
    struct gw_rl_router *r = gw_rl_router_new(&c, s, 0, T0, &err);
    size_t bytes = gw_rl_store_bytes(s), slots = gw_rl_store_slots(s);
    long before, after, slack;
    struct gw_rl_store_stats st;
    char key[32];

    (void)state;
    assert_true(bytes <= budget + 4096);
    assert_true(slots >= budget / GW_RL_STORE_SET_BYTES * GW_RL_STORE_WAYS / 2);
    before = rss_bytes();
    for (int i = 0; i < 1000000; i++) {
        snprintf(key, sizeof(key), "client-%d", i);
        assert_true(allow(r, key, T0)); /* a new client always has a full bucket */
    }
    after = rss_bytes();
    st = gw_rl_store_stats(s);
    assert_int_equal(gw_rl_store_bytes(s), bytes);
    /* every insertion into a full set took a slot from someone; all were partly drained */
    assert_true(st.evicted >= 1000000 - slots);
    assert_true(st.evicted <= 1000000);
    assert_int_equal(st.reused, 0);
    /* the RSS: the table and nothing per client (valgrind's shadow memory gets slack). Not
     * under ASan: its quarantine keeps up to 256 MiB of the requests' freed memory resident,
     * which says nothing about the store (whose own size is checked above in every build). */
    slack = RUNNING_ON_VALGRIND ? (long)bytes * 3 : (long)bytes / 4;
    if (before > 0 && after > 0) {
        printf("# 1e6 clients: store %zu bytes (%zu slots), RSS +%ld bytes%s\n", bytes, slots,
               after - before, SANITIZED ? " (ASan: not checked)" : "");
        if (!SANITIZED)
            assert_true(after - before <= (long)bytes + slack + (4L << 20));
    }
    /* ten seconds later every bucket is full again: new clients reuse slots at no cost */
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof(key), "late-%d", i);
        assert_true(allow(r, key, T0 + 10 * S));
    }
    st = gw_rl_store_stats(s);
    assert_true(st.reused >= 100000 - slots / 10);
    gw_rl_router_destroy(r);
    gw_rl_router_config_free(&c);
    gw_rl_store_destroy(s);
}

/* One set of six slots: a drained client stays while partly used ones come and go; evicted
 * itself, it comes back with one fresh bucket: capacity more, never more than that. */
static void test_eviction_bound(void **state)
{
    struct gw_rl_router_config c = parse(
        "{\"client_max_rate\":1,\"client_capacity\":3,\"strategy\":\"header\",\"key\":\"X-Key\"}");
    struct gw_rl_store *s = store_of(GW_RL_STORE_SET_BYTES);
    struct cmn_err err = {0};
    struct gw_rl_router *r = gw_rl_router_new(&c, s, 0, T0, &err);
    char key[16];
    int passed = 0;

    (void)state;
    assert_int_equal(gw_rl_store_slots(s), GW_RL_STORE_WAYS);
    while (allow(r, "A", T0))
        passed++;
    assert_int_equal(passed, 3);
    /* 20 clients using one token each: they evict each other (closest to full first), not A */
    for (int i = 0; i < 20; i++) {
        snprintf(key, sizeof(key), "p%d", i);
        assert_true(allow(r, key, T0));
    }
    assert_false(allow(r, "A", T0));
    /* now five clients drain their buckets too; a sixth pushes out the oldest drained: A */
    for (int i = 0; i < 6; i++) {
        snprintf(key, sizeof(key), "d%d", i);
        while (allow(r, key, T0))
            ;
    }
    assert_true(gw_rl_store_stats(s).evicted >= 1);
    passed = 0;
    while (allow(r, "A", T0) && passed < 100)
        passed++;
    assert_int_equal(passed, 3); /* one fresh bucket: 6 in all where KrakenD allows 3 */
    gw_rl_router_destroy(r);
    gw_rl_router_config_free(&c);
    gw_rl_store_destroy(s);
}

/* KrakenD forgets a client at the first sweep (every cleanup_period from the endpoint's start)
 * after last access + TTL; then it starts with a full bucket. */
static void test_idle_ttl_at_sweep(void **state)
{
    /* 0.1 per hour: a token every ten hours; TTL = every = 1 h (jitter draw 0); sweeps each 1 m */
    struct gw_rl_router_config c =
        parse("{\"client_max_rate\":0.1,\"every\":\"1h\",\"strategy\":\"header\","
              "\"key\":\"X-Key\"}");
    struct gw_rl_store *s = store_of(64 * 1024);
    struct cmn_err err = {0};
    struct gw_rl_router *r = gw_rl_router_new(&c, s, 0, T0, &err);
    const int64_t min = 60 * S;

    (void)state;
    assert_int_equal(gw_rl_router_ttl_ns(r), 60 * min);
    for (int i = 0; i < 2; i++) {
        const char *k = i ? "B" : "A";

        assert_true(allow(r, k, T0));
        assert_false(allow(r, k, T0 + 30 * min)); /* refreshes the access time */
        /* last access T0+30m, TTL 1h: idle past T0+90m, swept at T0+91m */
        assert_false(allow(r, k, T0 + 90 * min + 30 * S));
    }
    /* refreshed at T0+90m30s: swept at the first tick after T0+150m30s, i.e. T0+151m */
    assert_false(allow(r, "A", T0 + 151 * min - 1));
    assert_true(allow(r, "B", T0 + 151 * min));
    assert_true(gw_rl_next_sweep(T0, min, T0 + 90 * min) == T0 + 91 * min);
    assert_true(gw_rl_next_sweep(T0, min, T0 - 5 * min) == T0 + min);
    assert_true(gw_rl_next_sweep(T0, min, INT64_MAX) == INT64_MAX);
    gw_rl_router_destroy(r);
    gw_rl_router_config_free(&c);
    gw_rl_store_destroy(s);
}

/* Two endpoints sharing a store keep separate buckets for the same client key. */
static void test_endpoints_apart(void **state)
{
    struct gw_rl_router_config c = parse(
        "{\"client_max_rate\":1,\"client_capacity\":1,\"strategy\":\"header\",\"key\":\"X-Key\"}");
    struct gw_rl_store *s = store_of(64 * 1024);
    struct cmn_err err = {0};
    struct gw_rl_router *a = gw_rl_router_new(&c, s, 0, T0, &err);
    struct gw_rl_router *b = gw_rl_router_new(&c, s, 0, T0, &err);

    (void)state;
    assert_true(allow(a, "same", T0));
    assert_false(allow(a, "same", T0));
    assert_true(allow(b, "same", T0));
    assert_false(allow(b, "same", T0));
    gw_rl_router_destroy(a);
    gw_rl_router_destroy(b);
    gw_rl_router_config_free(&c);
    gw_rl_store_destroy(s);
}

struct worker {
    struct gw_rl_router *r;
    int id;
    int shared_passed;
};

static void *worker(void *arg)
{
    struct worker *w = arg;
    char key[32];

    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "w%d-%d", w->id, i % 5000);
        allow(w->r, key, T0 + i);
        w->shared_passed += allow(w->r, "shared", T0);
    }
    return NULL;
}

/* Threads on the same and on different clients: the shared client gets exactly its bucket. */
static void test_threads(void **state)
{
    struct gw_rl_router_config c = parse("{\"client_max_rate\":1,\"client_capacity\":100,"
                                         "\"strategy\":\"header\",\"key\":\"X-Key\"}");
    struct gw_rl_store *s = store_of(1 << 20);
    struct cmn_err err = {0};
    struct gw_rl_router *r = gw_rl_router_new(&c, s, 0, T0, &err);
    struct worker w[4];
    pthread_t t[4];
    int total = 0;

    (void)state;
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){r, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        total += w[i].shared_passed;
    }
    assert_int_equal(total, 100);
    gw_rl_router_destroy(r);
    gw_rl_router_config_free(&c);
    gw_rl_store_destroy(s);
}

static int64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * S + ts.tv_nsec;
}

struct bench {
    struct gw_rl_router *r;
    int n;
    double ns_per_op;
};

static void *bench_run(void *arg)
{
    struct bench *b = arg;
    struct one o[64];
    char keys[64][24];
    int64_t t;

    for (int i = 0; i < 64; i++) {
        snprintf(keys[i], sizeof(keys[i]), "10.0.%d.%d", i, i * 3);
        set_key(&o[i], keys[i]);
    }
    t = mono_ns();
    for (int i = 0; i < b->n; i++) {
        if (gw_rl_router_check(b->r, &o[i & 63].in, "", T0 + i) != GW_RL_PASS)
            fail_msg("rejected at %d", i);
    }
    b->ns_per_op = (double)(mono_ns() - t) / b->n;
    for (int i = 0; i < 64; i++)
        one_free(&o[i]);
    return NULL;
}

/* The cost of limits that never reject: endpoint bucket (one atomic decrement) plus client
 * bucket (SipHash of the key, one set lock), on one and on two threads. */
static void test_cost_per_request(void **state)
{
    struct gw_rl_router_config c = parse(
        "{\"max_rate\":1e9,\"capacity\":1e15,\"client_max_rate\":1e9,\"client_capacity\":1e12,"
        "\"strategy\":\"header\",\"key\":\"X-Key\"}");
    struct gw_rl_store *s = store_of(1 << 20);
    struct cmn_err err = {0};
    struct gw_rl_router *r = gw_rl_router_new(&c, s, 0, T0, &err);
    int n = RUNNING_ON_VALGRIND ? 20000 : 2000000;
    struct bench one = {r, n, 0}, two[2] = {{r, n, 0}, {r, n, 0}};
    pthread_t t[2];

    (void)state;
    bench_run(&one);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, bench_run, &two[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("# endpoint+client limit, never rejecting: %.0f ns/request (1 thread), %.0f and %.0f "
           "ns/request (2 threads)\n",
           one.ns_per_op, two[0].ns_per_op, two[1].ns_per_op);
    if (!RUNNING_ON_VALGRIND && !SANITIZED)
        assert_true(one.ns_per_op < 1000);
    gw_rl_router_destroy(r);
    gw_rl_router_config_free(&c);
    gw_rl_store_destroy(s);
}

static void test_store_defaults(void **state)
{
    struct cmn_err err = {0};
    struct gw_rl_store *s = gw_rl_store_new(NULL, &err);

    (void)state;
    assert_non_null(s);
    assert_true(gw_rl_store_bytes(s) <= GW_RL_STORE_DEFAULT_BYTES + 4096);
    assert_true(gw_rl_store_bytes(s) > GW_RL_STORE_DEFAULT_BYTES / 2);
    gw_rl_store_destroy(s);
    gw_rl_store_destroy(NULL);
    s = store_of(1); /* below one set: one set */
    assert_int_equal(gw_rl_store_slots(s), GW_RL_STORE_WAYS);
    gw_rl_store_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_million_clients_bounded),
        cmocka_unit_test(test_eviction_bound),
        cmocka_unit_test(test_idle_ttl_at_sweep),
        cmocka_unit_test(test_endpoints_apart),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_cost_per_request),
        cmocka_unit_test(test_store_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
