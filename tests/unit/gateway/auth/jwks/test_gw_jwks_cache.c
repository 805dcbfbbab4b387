/* test_gw_jwks_cache.c - JWKS registry: scheduling rules, options, local files, background
 * fetching, single flight, unknown-kid cooldown, staleness, rotation and bad responses.
 * The registry's clock is a manual one: the tests move time explicitly and wait only for
 * real events (a request reaching the loopback server, a fetch finishing), never for time to
 * pass; gw_jwks_cache_kick makes "nothing was fetched" checkable without a time window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmn_clock.h"
#include "cmn_http.h"
#include "cmn_log.h"
#include "gw_jwks_cache.h"
#include "gw_jwks_cache_int.h"
#include "test_gw_jwks_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The registry's time: it moves only when a test says so (advance). The network is real. */
static struct cmn_clock_manual mclock;

static int reset_clock(void **state)
{
    (void)state;
    cmn_clock_manual_init(&mclock, 1000000, 1700000000000);
    return 0;
}

static struct gw_jwks_cache_opts fast_opts(void)
{
    /* Short intervals keep the arithmetic readable; the timeouts are real time and only the
     * hanging server of test_bad_responses_keep_keys reaches one. */
    struct gw_jwks_cache_opts o = {.clock = &mclock.clock,
                                   .connect_timeout_ms = 5000,
                                   .timeout_ms = 5000,
                                   .retry_min_ms = 50,
                                   .retry_max_ms = 100,
                                   .kid_cooldown_ms = 300,
                                   .nocache_refresh_ms = 60000,
                                   .stale_grace_ms = 60000,
                                   .log_repeat_ms = 60000};
    return o;
}

/* Lets ms of the registry's time pass; returns once the fetcher has started every fetch that
 * became due. */
static void advance(struct gw_jwks_cache *c, int64_t ms)
{
    cmn_clock_manual_advance(&mclock, ms);
    gw_jwks_cache_kick(c);
}

static const char *url_of(unsigned port)
{
    static char buf[128];
    snprintf(buf, sizeof(buf), "http://127.0.0.1:%u/jwks.json", port);
    return buf;
}

static struct gw_jwks_source_opts http_src(unsigned port)
{
    struct gw_jwks_source_opts o = {.jwk_url = url_of(port), .disable_jwk_security = true};
    return o;
}

/* One non-blocking lookup; releases the set. */
static enum gw_jwks_status look(struct gw_jwks_source *s, const char *kid)
{
    struct gw_jwks *set;
    const struct gw_jwk *k;
    enum gw_jwks_status st = gw_jwks_source_lookup(s, kid, 0, &set, &k);

    if (st == GW_JWKS_OK) {
        assert_non_null(set);
        assert_string_equal(gw_jwk_kid(k), kid);
    } else {
        assert_null(set);
        assert_null(k);
    }
    gw_jwks_unref(set);
    return st;
}

/* Polls until the lookup of kid answers want (a fetch has to land first); returns the last
 * answer. */
static enum gw_jwks_status wait_for(struct gw_jwks_source *s, const char *kid,
                                    enum gw_jwks_status want)
{
    int64_t end = cmn_clock_mono_ms() + TEST_EVENT_MS;
    enum gw_jwks_status st;

    while ((st = look(s, kid)) != want && cmn_clock_mono_ms() < end)
        sleep_ms(2);
    return st;
}

static uint64_t fetches(struct gw_jwks_source *s)
{
    struct gw_jwks_source_stats st;
    gw_jwks_source_stats(s, &st);
    return st.fetches;
}

static uint64_t completions(struct gw_jwks_source *s)
{
    bool coming;
    return gw_jwks_source_progress(s, &coming);
}

/* Waits until n fetches of s have finished (each takes a loopback round trip). */
static void wait_completions(struct gw_jwks_source *s, uint64_t n)
{
    int64_t end = cmn_clock_mono_ms() + TEST_EVENT_MS;

    while (completions(s) < n) {
        if (cmn_clock_mono_ms() > end)
            fail_msg("%llu fetch(es) finished, not %llu", (unsigned long long)completions(s),
                     (unsigned long long)n);
        sleep_ms(2);
    }
}

static void test_sched_rules(void **state)
{
    struct gw_jwks_sched s = {0};

    (void)state;
    assert_int_equal(gw_jwks_sched_due(&s), 0); /* first fetch at once */
    assert_false(gw_jwks_sched_start(&s, 1000, 500));
    assert_int_equal(gw_jwks_sched_due(&s), INT64_MAX); /* single flight */
    s.miss_pending = true;
    assert_int_equal(gw_jwks_sched_due(&s), INT64_MAX);
    gw_jwks_sched_done(&s, 1100, true, 60000, 1000, 2000);
    /* the first fetch spent no cooldown: the miss goes at once, not at the refresh (61100) */
    assert_int_equal(gw_jwks_sched_due(&s), 0);
    assert_true(gw_jwks_sched_start(&s, 1100, 500));
    assert_false(s.miss_pending);
    gw_jwks_sched_done(&s, 1200, true, 60000, 1000, 2000);
    /* the next miss waits for the cooldown that miss started (1100 + 500) */
    s.miss_pending = true;
    assert_int_equal(gw_jwks_sched_due(&s), 1600);
    assert_true(gw_jwks_sched_start(&s, 1600, 500));
    assert_false(s.miss_pending);
    /* failures back off 1000, 2000, 2000 (capped); misses do not hurry a failing source */
    gw_jwks_sched_done(&s, 1600, false, 60000, 1000, 2000);
    assert_int_equal(gw_jwks_sched_due(&s), 2600);
    s.miss_pending = true;
    assert_int_equal(gw_jwks_sched_due(&s), 2600);
    gw_jwks_sched_start(&s, 2600, 500);
    gw_jwks_sched_done(&s, 2700, false, 60000, 1000, 2000);
    assert_int_equal(gw_jwks_sched_due(&s), 4700);
    gw_jwks_sched_start(&s, 4700, 500);
    gw_jwks_sched_done(&s, 4800, false, 60000, 1000, 2000);
    assert_int_equal(gw_jwks_sched_due(&s), 6800);
    gw_jwks_sched_start(&s, 6800, 500);
    gw_jwks_sched_done(&s, 6900, true, 60000, 1000, 2000);
    assert_int_equal(s.backoff_ms, 0);
    assert_int_equal(gw_jwks_sched_due(&s), 66900);
    s.never = true;
    assert_int_equal(gw_jwks_sched_due(&s), INT64_MAX);
}

static void test_options(void **state)
{
    struct cmn_err err = {0};
    struct gw_jwks_cache *c = gw_jwks_cache_new(NULL, &err); /* NULL: defaults, system clock */
    struct gw_jwks_source_opts o = {.jwk_url = "http://127.0.0.1:9/k"};
    const char *bad_fp[] = {"not-base64!"};
    const char *short_fp[] = {"AAAA"};
    struct gw_jwks_source *a, *b, *d;

    (void)state;
    assert_non_null(c);
    assert_null(gw_jwks_cache_add(c, &o, &err)); /* KrakenD's ErrInsecureJWKSource */
    assert_int_equal(err.code, GW_JWKS_CACHE_INSECURE);
    assert_non_null(strstr(err.msg, "insecure connection"));
    o.jwk_url = "ftp://example.com/k";
    assert_null(gw_jwks_cache_add(c, &o, &err));
    assert_int_equal(err.code, GW_JWKS_CACHE_BAD_SOURCE);
    o.jwk_url = NULL;
    assert_null(gw_jwks_cache_add(c, &o, &err));
    assert_int_equal(err.code, GW_JWKS_CACHE_BAD_SOURCE);
    o.jwk_url = "https://idp.example/jwks";
    o.jwk_fingerprints = bad_fp;
    o.n_fingerprints = 1;
    assert_null(gw_jwks_cache_add(c, &o, &err));
    assert_int_equal(err.code, GW_JWKS_CACHE_BAD_TLS);
    o.jwk_fingerprints = short_fp;
    assert_null(gw_jwks_cache_add(c, &o, &err));
    assert_int_equal(err.code, GW_JWKS_CACHE_BAD_TLS);
    o.n_fingerprints = 0;
    o.jwk_local_ca = "/nonexistent/ca.pem";
    assert_null(gw_jwks_cache_add(c, &o, &err));
    assert_int_equal(err.code, GW_JWKS_CACHE_BAD_TLS);
    o.jwk_local_ca = NULL;
    assert_int_equal(gw_jwks_cache_source_count(c), 0);

    /* Endpoints naming the same source share it; the shortest refresh wins. */
    o.cache = true;
    o.cache_duration_s = 600;
    a = gw_jwks_cache_add(c, &o, &err);
    assert_non_null(a);
    assert_int_equal(a->refresh_ms, 600000);
    o.cache_duration_s = 0; /* KrakenD's default: 15 minutes */
    b = gw_jwks_cache_add(c, &o, &err);
    assert_ptr_equal(a, b);
    assert_int_equal(a->refresh_ms, 600000);
    o.cache = false; /* short refresh interval instead of KrakenD's fetch per request */
    o.failed_jwk_key_cooldown_ms = 500; /* below 1 s: the default applies */
    b = gw_jwks_cache_add(c, &o, &err);
    assert_ptr_equal(a, b);
    assert_int_equal(a->refresh_ms, GW_JWKS_DEFAULT_NOCACHE_REFRESH_MS);
    assert_int_equal(a->cooldown_ms, GW_JWKS_DEFAULT_KID_COOLDOWN_MS);
    o.failed_jwk_key_cooldown_ms = 2000;
    gw_jwks_cache_add(c, &o, &err);
    assert_int_equal(a->cooldown_ms, 2000);
    /* Other TLS options: another source. */
    o.disable_jwk_security = true;
    d = gw_jwks_cache_add(c, &o, &err);
    assert_non_null(d);
    assert_ptr_not_equal(a, d);
    assert_int_equal(gw_jwks_cache_source_count(c), 2);
    assert_string_equal(gw_jwks_source_name(d), "https://idp.example/jwks");

    gw_jwks_cache_destroy(c);
}

static void test_local_path(void **state)
{
    struct cmn_err err = {0};
    struct gw_jwks_cache_opts co = {.clock = &mclock.clock}; /* the defaults otherwise */
    struct gw_jwks_cache *c = gw_jwks_cache_new(&co, &err);
    struct gw_jwks_source_opts o = {.jwk_local_path = GW_TEST_DATA "/jwks/ec_p256.json",
                                    .jwk_url = "https://ignored.example/jwks",
                                    .disable_jwk_security = true};
    struct gw_jwks_source *ok, *missing, *garbage, *empty;
    char msg[256];

    (void)state;
    tlog_begin();
    ok = gw_jwks_cache_add(c, &o, &err);
    o.jwk_local_path = GW_TEST_DATA "/jwks/does-not-exist.json";
    missing = gw_jwks_cache_add(c, &o, &err);
    o.jwk_local_path = GW_TEST_DATA "/jwks/garbage.json";
    garbage = gw_jwks_cache_add(c, &o, &err);
    o.jwk_local_path = GW_TEST_DATA "/jwks/empty.json";
    empty = gw_jwks_cache_add(c, &o, &err);
    assert_non_null(ok);
    assert_non_null(missing);
    assert_non_null(garbage);
    assert_non_null(empty);
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    /* Loaded at add time: usable at once, before any fetcher work. */
    assert_int_equal(look(ok, "local-1"), GW_JWKS_OK);
    assert_int_equal(look(ok, "other"), GW_JWKS_UNKNOWN_KID);
    assert_false(gw_jwks_source_last_error(ok, msg, sizeof(msg)));
    assert_int_equal(look(missing, "local-1"), GW_JWKS_UNAVAILABLE);
    assert_true(gw_jwks_source_last_error(missing, msg, sizeof(msg)));
    assert_non_null(strstr(msg, "cannot open"));
    assert_int_equal(look(garbage, "local-1"), GW_JWKS_UNAVAILABLE);
    assert_int_equal(look(empty, "local-1"), GW_JWKS_UNAVAILABLE);
    assert_true(tlog_contains("jwk_local_path"));
    /* A day later (far past any refresh, cooldown or grace): a local file was never fetched,
     * not even for the unknown kid above, and its keys never go stale. */
    advance(c, 86400 * 1000);
    assert_int_equal(fetches(ok), 0);
    assert_int_equal(look(ok, "local-1"), GW_JWKS_OK);
    gw_jwks_cache_destroy(c);
    tlog_end();
}

static void test_background_first_fetch(void **state)
{
    struct tsrv t = {0};
    struct cmn_err err = {0};
    struct gw_jwks_cache_opts co = fast_opts();
    struct gw_jwks_cache *c;
    struct gw_jwks_source_opts o;
    struct gw_jwks_source *s;

    (void)state;
    co.timeout_ms = 2 * TEST_EVENT_MS; /* the held answer must not time out */
    c = gw_jwks_cache_new(&co, &err);
    tsrv_start(&t, 0, NULL);
    tsrv_set_kids(&t, "a,b");
    tsrv_set_delay(&t, -1); /* a slow identity provider: it answers when the test says */
    o = http_src(t.port);
    s = gw_jwks_cache_add(c, &o, &err);
    assert_non_null(s);
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    /* Startup did not wait: the fetch cannot have finished (its answer is held). */
    assert_int_equal(completions(s), 0);
    assert_int_equal(look(s, "a"), GW_JWKS_NO_KEYS_YET);
    /* The first fetch starts at once in the background (the clock has not moved) ... */
    tsrv_wait_hits(&t, 1);
    assert_int_equal(look(s, "a"), GW_JWKS_NO_KEYS_YET);
    /* ... and its keys serve lookups as soon as it lands. */
    tsrv_release(&t);
    assert_int_equal(wait_for(s, "a", GW_JWKS_OK), GW_JWKS_OK);
    assert_int_equal(look(s, "b"), GW_JWKS_OK);
    assert_int_equal(atomic_load(&t.hits), 1);
    gw_jwks_cache_destroy(c);
    tsrv_free(&t);
}

static void test_server_down_then_recovers(void **state)
{
    struct tsrv t = {0};
    struct cmn_err err = {0};
    struct gw_jwks_cache_opts co = fast_opts();
    struct gw_jwks_cache *c = gw_jwks_cache_new(&co, &err);
    unsigned port = free_port();
    struct gw_jwks_source_opts o = http_src(port);
    struct gw_jwks_source *s = gw_jwks_cache_add(c, &o, &err);
    struct gw_jwks_source_stats st;
    static const int64_t backoff[] = {50, 100, 100}; /* doubling from 50, capped at 100 */
    char msg[256];

    (void)state;
    tlog_begin();
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    wait_completions(s, 1); /* the first attempt meets a closed port */
    /* Retries against the closed port are spaced by the backoff, not a busy loop: none a
     * millisecond early, one when it ends. Unknown kids do not hurry a failing source. */
    for (size_t i = 0; i < sizeof(backoff) / sizeof(backoff[0]); i++) {
        gw_jwks_source_report_miss(s);
        advance(c, backoff[i] - 1);
        assert_int_equal(fetches(s), i + 1);
        advance(c, 1);
        assert_int_equal(fetches(s), i + 2);
        wait_completions(s, i + 2);
    }
    assert_int_equal(look(s, "a"), GW_JWKS_NO_KEYS_YET);
    assert_true(gw_jwks_source_last_error(s, msg, sizeof(msg)));
    gw_jwks_source_stats(s, &st);
    assert_true(st.failures >= 3);
    assert_int_equal(st.failures, 4);
    /* the first failure is logged, the repeats are not */
    assert_true(tlog_contains("unable to fetch the JWKS"));
    assert_true(tlog_contains("no keys yet"));
    assert_false(tlog_contains("similar errors not logged"));
    /* once log_repeat_ms has passed, the next failure is logged with the count it skipped */
    advance(c, co.log_repeat_ms);
    wait_completions(s, 5);
    assert_true(tlog_contains("(3 similar errors not logged)"));

    tsrv_start(&t, port, NULL);
    tsrv_set_kids(&t, "a");
    advance(c, backoff[2]);
    assert_int_equal(wait_for(s, "a", GW_JWKS_OK), GW_JWKS_OK);
    assert_false(gw_jwks_source_last_error(s, msg, sizeof(msg)));
    assert_true(tlog_contains("JWKS reachable again"));
    gw_jwks_cache_destroy(c);
    tsrv_free(&t);
    tlog_end();
}

#define FLOOD_ROUNDS 500 /* per thread; two lookups each */

struct flood {
    struct gw_jwks_source *s;
    unsigned random_answers[GW_JWKS_UNAVAILABLE + 1]; /* by status, for never-seen kids */
    unsigned a_answers[GW_JWKS_UNAVAILABLE + 1];      /* by status, for kid "a" */
};

static void *flood_main(void *arg)
{
    struct flood *f = arg;

    for (unsigned i = 0; i < FLOOD_ROUNDS; i++) {
        char kid[32];
        struct gw_jwks *set;
        const struct gw_jwk *k;
        enum gw_jwks_status st;
        snprintf(kid, sizeof(kid), "random-%u-%p", i, (void *)&kid);
        st = gw_jwks_source_lookup(f->s, kid, 0, &set, &k);
        f->random_answers[st]++;
        if (st == GW_JWKS_OK)
            gw_jwks_unref(set);
        st = gw_jwks_source_lookup(f->s, "a", 0, &set, &k);
        f->a_answers[st]++;
        if (st == GW_JWKS_OK)
            gw_jwks_unref(set);
    }
    return NULL;
}

/* Four threads look up never-seen kids and "a" at once; every answer must be the one given. */
static void run_flood(struct gw_jwks_source *s, enum gw_jwks_status random_want,
                      enum gw_jwks_status a_want)
{
    pthread_t th[4];
    struct flood f[4];

    for (int i = 0; i < 4; i++) {
        f[i] = (struct flood){.s = s};
        assert_int_equal(pthread_create(&th[i], NULL, flood_main, &f[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(f[i].random_answers[random_want], FLOOD_ROUNDS);
        assert_int_equal(f[i].a_answers[a_want], FLOOD_ROUNDS);
    }
}

static void test_single_flight(void **state)
{
    struct tsrv t = {0};
    struct cmn_err err = {0};
    struct gw_jwks_cache_opts co = fast_opts();
    struct gw_jwks_cache *c;
    struct gw_jwks_source_opts o;
    struct gw_jwks_source *s;

    (void)state;
    co.kid_cooldown_ms = 250;
    c = gw_jwks_cache_new(&co, &err);
    tsrv_start(&t, 0, NULL);
    tsrv_set_kids(&t, "a");
    tsrv_set_delay(&t, -1); /* every fetch stays in flight until the test releases it */
    o = http_src(t.port);
    s = gw_jwks_cache_add(c, &o, &err);
    assert_non_null(gw_jwks_cache_add(c, &o, &err)); /* a second endpoint, same source */
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    tsrv_wait_hits(&t, 1);
    /* Thousands of lookups while the first fetch is in flight: no second fetch. */
    run_flood(s, GW_JWKS_NO_KEYS_YET, GW_JWKS_NO_KEYS_YET);
    gw_jwks_cache_kick(c);
    assert_int_equal(fetches(s), 1);
    tsrv_release(&t);
    wait_completions(s, 1);
    /* Then, for a second, floods of unknown kids: the first refetch goes at once (the first
     * fetch spent no cooldown), then one per 250 ms cooldown, and never two at a time. */
    for (unsigned i = 0; i < 4; i++) {
        run_flood(s, GW_JWKS_UNKNOWN_KID, GW_JWKS_OK);
        gw_jwks_cache_kick(c);
        if (i > 0) {
            assert_int_equal(fetches(s), 1 + i); /* cooldown */
            advance(c, co.kid_cooldown_ms - 1);
            assert_int_equal(fetches(s), 1 + i);
            advance(c, 1);
        }
        assert_int_equal(fetches(s), 2 + i);
        tsrv_wait_hits(&t, 2 + i);
        run_flood(s, GW_JWKS_UNKNOWN_KID, GW_JWKS_OK); /* while that refetch is in flight */
        gw_jwks_cache_kick(c);
        assert_int_equal(fetches(s), 2 + i);
        tsrv_release(&t);
        wait_completions(s, 2 + i);
    }
    assert_int_equal(atomic_load(&t.max_inflight), 1);
    /* first fetch + one per cooldown over 750 ms after the first refetch */
    assert_true(atomic_load(&t.hits) >= 2);
    assert_true(atomic_load(&t.hits) <= 6);
    assert_int_equal(atomic_load(&t.hits), 5);
    assert_int_equal(look(s, "a"), GW_JWKS_OK);
    gw_jwks_cache_destroy(c);
    tsrv_free(&t);
}

static void test_unknown_kid_refetch_and_cooldown(void **state)
{
    struct tsrv t = {0};
    struct cmn_err err = {0};
    struct gw_jwks_cache_opts co = fast_opts();
    struct gw_jwks_cache *c;
    struct gw_jwks_source_opts o;
    struct gw_jwks_source *s, *slow;
    struct gw_jwks_source_stats st;
    unsigned before;

    (void)state;
    co.kid_cooldown_ms = 300; /* the default when failed_jwk_key_cooldown is unset */
    c = gw_jwks_cache_new(&co, &err);
    tsrv_start(&t, 0, NULL);
    tsrv_set_kids(&t, "a");
    o = http_src(t.port);
    s = gw_jwks_cache_add(c, &o, &err);
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    assert_int_equal(wait_for(s, "a", GW_JWKS_OK), GW_JWKS_OK);
    assert_int_equal(atomic_load(&t.hits), 1);

    /* The provider adds a key: the first token naming it is refused, and triggers a refetch
     * (at once: no time passes here). */
    tsrv_set_kids(&t, "a,new");
    assert_int_equal(look(s, "new"), GW_JWKS_UNKNOWN_KID);
    assert_int_equal(wait_for(s, "new", GW_JWKS_OK), GW_JWKS_OK);
    assert_int_equal(atomic_load(&t.hits), 2);
    gw_jwks_source_stats(s, &st);
    assert_int_equal(st.miss_requests, 1);
    assert_int_equal(st.updates, 2);

    /* Random kids for 1.2 s: at most one refetch per 300 ms cooldown (the refetch above
     * started the first one). */
    before = atomic_load(&t.hits);
    for (unsigned i = 0; i < 4; i++) {
        run_flood(s, GW_JWKS_UNKNOWN_KID, GW_JWKS_OK);
        gw_jwks_cache_kick(c);
        assert_int_equal(fetches(s), 2 + i);
        advance(c, co.kid_cooldown_ms - 1);
        assert_int_equal(fetches(s), 2 + i);
        advance(c, 1);
        assert_int_equal(fetches(s), 3 + i);
        wait_completions(s, 3 + i);
    }
    assert_true(atomic_load(&t.hits) - before >= 2);
    assert_true(atomic_load(&t.hits) - before <= 5);
    assert_int_equal(atomic_load(&t.hits) - before, 4);
    gw_jwks_source_stats(s, &st);
    assert_int_equal(st.miss_requests, 5);
    assert_int_equal(st.updates, 2); /* same document: the snapshot is kept */
    gw_jwks_cache_destroy(c);

    /* A configured failed_jwk_key_cooldown is honoured too: the first unknown kid refetches
     * (the start-up fetch spent no cooldown), then nothing until the cooldown ends. */
    c = gw_jwks_cache_new(&co, &err);
    o.failed_jwk_key_cooldown_ms = 1500;
    slow = gw_jwks_cache_add(c, &o, &err);
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    assert_int_equal(wait_for(slow, "a", GW_JWKS_OK), GW_JWKS_OK);
    before = atomic_load(&t.hits);
    assert_int_equal(look(slow, "first-miss"), GW_JWKS_UNKNOWN_KID);
    wait_completions(slow, 2);
    assert_int_equal(atomic_load(&t.hits), before + 1);
    before = atomic_load(&t.hits);
    run_flood(slow, GW_JWKS_UNKNOWN_KID, GW_JWKS_OK);
    advance(c, 1499);
    assert_int_equal(fetches(slow), 2);
    assert_int_equal(atomic_load(&t.hits), before);
    advance(c, 1); /* the deferred miss runs once the cooldown ends */
    assert_int_equal(fetches(slow), 3);
    wait_completions(slow, 3);
    assert_int_equal(atomic_load(&t.hits), before + 1);
    gw_jwks_cache_destroy(c);
    tsrv_free(&t);
}

/* A lookup with wait_ms > 0, run on its own thread because it may block. */
struct waiter {
    struct gw_jwks_source *s;
    const char *kid;
    int64_t wait_ms;
    pthread_t th;
    atomic_bool done;
    enum gw_jwks_status st;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;
    struct gw_jwks *set;
    const struct gw_jwk *k;

    w->st = gw_jwks_source_lookup(w->s, w->kid, w->wait_ms, &set, &k);
    gw_jwks_unref(set);
    atomic_store(&w->done, true);
    return NULL;
}

static void waiter_start(struct waiter *w, struct gw_jwks_source *s, const char *kid)
{
    *w = (struct waiter){.s = s, .kid = kid, .wait_ms = 1000};
    atomic_init(&w->done, false);
    assert_int_equal(pthread_create(&w->th, NULL, waiter_main, w), 0);
}

/* Waits until the lookup is blocked on a fetch of s. */
static void waiter_blocked(struct gw_jwks_source *s)
{
    int64_t end = cmn_clock_mono_ms() + TEST_EVENT_MS;

    for (;;) {
        unsigned n;
        pthread_mutex_lock(&s->mu);
        n = s->waiters;
        pthread_mutex_unlock(&s->mu);
        if (n == 1)
            return;
        if (cmn_clock_mono_ms() > end)
            fail_msg("the lookup never waited");
        sleep_ms(2);
    }
}

/* The lookup's answer. The registry's clock stands still, so a lookup waiting for its
 * deadline never returns: that is a failure here, not a hang. */
static enum gw_jwks_status waiter_result(struct waiter *w)
{
    int64_t end = cmn_clock_mono_ms() + TEST_EVENT_MS;

    while (!atomic_load(&w->done)) {
        if (cmn_clock_mono_ms() > end)
            fail_msg("lookup of '%s' still waiting", w->kid);
        sleep_ms(2);
    }
    pthread_join(w->th, NULL);
    return w->st;
}

static void test_wait_lookup(void **state)
{
    struct tsrv t = {0};
    struct cmn_err err = {0};
    struct gw_jwks_cache_opts co = fast_opts();
    struct gw_jwks_cache *c;
    struct gw_jwks_source_opts o;
    struct gw_jwks_source *s;
    struct waiter w;

    (void)state;
    co.kid_cooldown_ms = 300;
    co.timeout_ms = 2 * TEST_EVENT_MS; /* a held answer must not end a wait by timing out */
    c = gw_jwks_cache_new(&co, &err);
    tsrv_start(&t, 0, NULL);
    tsrv_set_kids(&t, "a");
    tsrv_set_delay(&t, -1);
    o = http_src(t.port);
    s = gw_jwks_cache_add(c, &o, &err);
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    /* A waiting lookup rides on the first fetch. */
    tsrv_wait_hits(&t, 1);
    waiter_start(&w, s, "a");
    waiter_blocked(s);
    tsrv_release(&t);
    assert_int_equal(waiter_result(&w), GW_JWKS_OK);
    advance(c, 350); /* past the cooldown */
    /* An unknown kid waits for the refetch it asked for, and returns when it lands (the clock
     * stands still: its deadline cannot end the wait). */
    tsrv_set_kids(&t, "a,b");
    tsrv_set_delay(&t, -1);
    waiter_start(&w, s, "b");
    tsrv_wait_hits(&t, 2);
    waiter_blocked(s);
    tsrv_release(&t);
    assert_int_equal(waiter_result(&w), GW_JWKS_OK);
    /* In the cooldown nothing is coming: an unknown kid returns at once. */
    waiter_start(&w, s, "zzz");
    assert_int_equal(waiter_result(&w), GW_JWKS_UNKNOWN_KID);
    assert_int_equal(fetches(s), 2);
    /* A wait ends at its deadline in the registry's time even if the fetch never lands. */
    advance(c, co.kid_cooldown_ms);
    waiter_start(&w, s, "c");
    tsrv_wait_hits(&t, 3);
    waiter_blocked(s);
    advance(c, 999);
    assert_false(atomic_load(&w.done));
    advance(c, 1);
    assert_int_equal(waiter_result(&w), GW_JWKS_UNKNOWN_KID);
    tsrv_release(&t);
    gw_jwks_cache_destroy(c);
    tsrv_free(&t);
}

static void test_stale_when_down_and_rotation(void **state)
{
    struct tsrv t = {0};
    struct cmn_err err = {0};
    struct gw_jwks_cache_opts co = fast_opts();
    struct gw_jwks_cache *c;
    struct gw_jwks_source_opts o;
    struct gw_jwks_source *s;

    (void)state;
    co.nocache_refresh_ms = 150; /* cache false: periodic refresh */
    co.stale_grace_ms = 300;
    c = gw_jwks_cache_new(&co, &err);
    tsrv_start(&t, 0, NULL);
    tsrv_set_kids(&t, "a");
    o = http_src(t.port);
    s = gw_jwks_cache_add(c, &o, &err);
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    assert_int_equal(wait_for(s, "a", GW_JWKS_OK), GW_JWKS_OK);

    /* Rotation without any lookup of the new kid: the periodic refresh picks it up, when the
     * refresh interval has passed and not before. */
    tsrv_set_kids(&t, "b");
    advance(c, co.nocache_refresh_ms - 1);
    assert_int_equal(fetches(s), 1);
    advance(c, 1);
    assert_int_equal(fetches(s), 2);
    wait_completions(s, 2);
    assert_int_equal(look(s, "b"), GW_JWKS_OK);
    assert_int_equal(look(s, "a"), GW_JWKS_UNKNOWN_KID);
    wait_completions(s, 3); /* the refetch that miss asked for (no cooldown spent yet) */

    /* The provider goes down: known keys keep working, unknown ones are refused... */
    tsrv_stop(&t);
    advance(c, co.nocache_refresh_ms); /* the next refresh fails */
    wait_completions(s, 4);
    assert_int_equal(look(s, "b"), GW_JWKS_OK);
    assert_int_equal(look(s, "a"), GW_JWKS_UNKNOWN_KID);
    /* ... until refresh interval + grace (450 ms) after the last good fetch, not a moment
     * sooner; the failed retries in between change nothing. */
    advance(c, co.stale_grace_ms);
    assert_int_equal(look(s, "b"), GW_JWKS_OK);
    advance(c, 1);
    assert_int_equal(look(s, "b"), GW_JWKS_STALE);
    gw_jwks_cache_destroy(c);
    tsrv_free(&t);
}

static void test_bad_responses_keep_keys(void **state)
{
    struct tsrv t = {0};
    struct cmn_err err = {0};
    struct gw_jwks_cache_opts co = fast_opts();
    struct gw_jwks_cache *c;
    struct gw_jwks_source_opts o;
    struct gw_jwks_source *s;
    struct gw_jwks_source_stats st;
    char msg[256];
    size_t big_len = GW_JWKS_MAX_BYTES + 100;
    char *big = malloc(big_len);
    static const struct {
        unsigned status;
        const char *ctype, *body;
        int delay;
        const char *err;
    } cases[] = {
        {200, "application/json", "{\"keys\": [ garbage", 0, "invalid JWKS"},
        {200, "application/json", "[1,2,3]", 0, "invalid JWKS"},
        {200, "application/json", "{\"keys\":[]}", 0, "no Keys"},
        {500, "application/json", "{\"error\":\"down\"}", 0, "HTTP status 500"},
        {200, "application/json", "", -1, "timed out"}, /* hangs past the fetch timeout */
        {200, "application/json", NULL, 0, "larger than"},
    };

    (void)state;
    assert_non_null(big);
    memset(big, ' ', big_len);
    co.nocache_refresh_ms = 60;
    co.timeout_ms = 1500; /* real time: the hanging case waits for it */
    c = gw_jwks_cache_new(&co, &err);
    tsrv_start(&t, 0, NULL);
    tsrv_set_kids(&t, "a");
    o = http_src(t.port);
    s = gw_jwks_cache_add(c, &o, &err);
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    assert_int_equal(wait_for(s, "a", GW_JWKS_OK), GW_JWKS_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t before;
        gw_jwks_source_stats(s, &st);
        before = st.failures;
        if (cases[i].body)
            tsrv_set(&t, cases[i].status, cases[i].ctype, cases[i].body, strlen(cases[i].body),
                     cases[i].delay);
        else
            tsrv_set(&t, 200, "application/json", big, big_len, 0);
        /* past the refresh (60 ms) or the retry after the last failure (50, then 100 ms) */
        advance(c, co.retry_max_ms);
        assert_int_equal(fetches(s), 2 + i);
        wait_completions(s, 2 + i);
        gw_jwks_source_stats(s, &st);
        assert_true(st.failures > before);
        assert_true(gw_jwks_source_last_error(s, msg, sizeof(msg)));
        if (!strstr(msg, cases[i].err))
            fail_msg("case %zu: error '%s' lacks '%s'", i, msg, cases[i].err);
        assert_int_equal(look(s, "a"), GW_JWKS_OK); /* the old keys still work */
        tsrv_set_kids(&t, "a");
    }
    /* (max_inflight is not checked here: the hung exchange stays open on the server after
     * the client timed out; test_single_flight covers concurrency.) */
    gw_jwks_cache_destroy(c); /* aborts whatever is in flight */
    tsrv_free(&t);
    free(big);
}

static void test_content_type(void **state)
{
    struct tsrv t = {0};
    struct cmn_err err = {0};
    struct gw_jwks_cache_opts co = fast_opts();
    struct gw_jwks_cache *c;
    struct gw_jwks_source_opts o;
    struct gw_jwks_source *s;
    char *doc = jwks_doc("a");

    (void)state;
    assert_true(gw_jwks_content_type_ok("application/json"));
    assert_true(gw_jwks_content_type_ok("Application/JSON; charset=utf-8"));
    assert_true(gw_jwks_content_type_ok("application/jwk-set+json"));
    assert_false(gw_jwks_content_type_ok("text/plain"));
    assert_false(gw_jwks_content_type_ok("application/jsonx"));
    assert_false(gw_jwks_content_type_ok(NULL));

    tlog_begin();
    c = gw_jwks_cache_new(&co, &err);
    tsrv_start(&t, 0, NULL);
    tsrv_set(&t, 200, "application/jwk-set+json", doc, strlen(doc), 0);
    o = http_src(t.port);
    s = gw_jwks_cache_add(c, &o, &err);
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    assert_int_equal(wait_for(s, "a", GW_JWKS_OK), GW_JWKS_OK);
    assert_false(tlog_contains("should have a JSON content type"));
    gw_jwks_cache_destroy(c);

    /* text/plain: KrakenD refuses it; we log a warning and use the keys. */
    c = gw_jwks_cache_new(&co, &err);
    tsrv_set(&t, 200, "text/plain", doc, strlen(doc), 0);
    s = gw_jwks_cache_add(c, &o, &err);
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    assert_int_equal(wait_for(s, "a", GW_JWKS_OK), GW_JWKS_OK);
    assert_true(tlog_contains("should have a JSON content type for JWKS endpoint"));
    assert_true(tlog_contains("'text/plain'"));
    gw_jwks_cache_destroy(c);
    tsrv_free(&t);
    tlog_end();
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sched_rules, reset_clock),
        cmocka_unit_test_setup(test_options, reset_clock),
        cmocka_unit_test_setup(test_local_path, reset_clock),
        cmocka_unit_test_setup(test_background_first_fetch, reset_clock),
        cmocka_unit_test_setup(test_server_down_then_recovers, reset_clock),
        cmocka_unit_test_setup(test_single_flight, reset_clock),
        cmocka_unit_test_setup(test_unknown_kid_refetch_and_cooldown, reset_clock),
        cmocka_unit_test_setup(test_wait_lookup, reset_clock),
        cmocka_unit_test_setup(test_stale_when_down_and_rotation, reset_clock),
        cmocka_unit_test_setup(test_bad_responses_keep_keys, reset_clock),
        cmocka_unit_test_setup(test_content_type, reset_clock),
    };

    cmn_log_init("KRAKEND", CMN_LOG_WARNING, 2);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
