/* test_httpcache.c - backend exchanges through the cache (§7.3-§7.5) against a scripted
 * backend and a fake clock; the bounded LRU store; store selection (§7.2); threads. */
#include "gw_hc_int.h"
#include "tu_log.h"

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
#define D0 "Sun, 06 Nov 1994 08:49:37 GMT"
#define D0_S 784111777LL
#define D20 "Sun, 06 Nov 1994 08:49:57 GMT"
#define URL "http://backend:8080/items?id=1"

static const struct cmn_siphash_key hkey = {42, 43};

/* A header as test data. */
struct kv {
    const char *name, *value;
};

/* What a scripted backend answers. */
struct answer {
    long status;
    const struct kv *h;
    size_t n;
    const char *body;
};

/* What the client side of the backend call saw. */
struct result {
    bool called;     /* the backend was contacted */
    bool error;      /* the transport error stands */
    bool from_entry; /* answered from the store without a call */
    long status;
    char body[64];
    char headers[512]; /* "Name: value\n" lines */
    char inm[64], ims[64];
};

static void flatten(struct result *r, const struct gw_fetch_result *v)
{
    size_t off = 0;

    r->status = v->status;
    snprintf(r->body, sizeof(r->body), "%.*s", (int)v->body_len, v->body ? v->body : "");
    r->headers[0] = '\0';
    for (size_t i = 0; i < v->headers.n && off < sizeof(r->headers); i++)
        off += (size_t)snprintf(r->headers + off, sizeof(r->headers) - off, "%s: %s\n",
                                v->headers.v[i].name, v->headers.v[i].value);
}

static void add_all(struct gw_hdrs *h, const struct kv *kv, size_t n)
{
    gw_hdrs_init(h, 0);
    for (size_t i = 0; i < n; i++)
        assert_true(gw_hdrs_add(h, kv[i].name, kv[i].value));
}

/* The backend's answer as the HTTP client returns it (NULL: a transport error). */
static void fetched(struct gw_fetch_result *res, const struct answer *a, const char *url)
{
    memset(res, 0, sizeof(*res));
    res->url = strdup(url);
    if (!a) {
        gw_hdrs_init(&res->headers, 0);
        res->error = strdup("dial tcp 127.0.0.1:1: connect: connection refused");
        return;
    }
    res->status = a->status;
    add_all(&res->headers, a->h, a->n);
    res->body = strdup(a->body);
    res->body_len = strlen(a->body);
}

/* One exchange: request headers rq (n), backend answer (NULL = transport error), now in
 * seconds from D0. */
static struct result run(struct gw_hc_store *s, const char *method, const char *url,
                         const struct kv *rq, size_t n, const struct answer *backend, int64_t at_s)
{
    struct gw_outreq req;
    int64_t now = (D0_S + at_s) * S;
    struct gw_hc_plan plan;
    struct cmn_err err = {0};
    struct result r;
    struct gw_fetch_result res;

    memset(&r, 0, sizeof(r));
    memset(&req, 0, sizeof(req));
    req.method = strdup(method);
    req.url = strdup(url);
    add_all(&req.headers, rq, n);
    assert_int_equal(gw_hc_begin(s, &req, now, &plan, &err), GW_HC_OK);
    gw_outreq_free(&req); /* the fetch took it: finish must not need it */
    if (plan.action == GW_HC_SERVE) {
        struct gw_fetch_result *hit = gw_hc_result_new(plan.entry, url);

        assert_non_null(hit);
        assert_string_equal(hit->url, url);
        flatten(&r, hit);
        r.from_entry = true;
        gw_fetch_result_free(hit);
        free(hit);
        gw_hc_plan_free(&plan);
        return r;
    }
    r.called = true;
    snprintf(r.inm, sizeof(r.inm), "%s", plan.if_none_match ? plan.if_none_match : "");
    snprintf(r.ims, sizeof(r.ims), "%s", plan.if_modified_since ? plan.if_modified_since : "");
    fetched(&res, backend, url);
    assert_int_equal(gw_hc_finish(s, &plan, &res, now, &err), GW_HC_OK);
    flatten(&r, &res);
    r.error = res.error != NULL;
    assert_true(r.error == (res.status == 0));
    assert_string_equal(res.url, url);
    gw_fetch_result_free(&res);
    gw_hc_plan_free(&plan);
    return r;
}

static struct answer answer(long status, const struct kv *h, size_t n, const char *body)
{
    struct answer r = {status, h, n, body};

    return r;
}

static bool has(const struct result *r, const char *line)
{
    return strstr(r->headers, line) != NULL;
}

static struct gw_hc_store *store(void)
{
    struct gw_hc_store *s = gw_hc_store_new(1 << 20, 1000, &hkey);

    assert_non_null(s);
    return s;
}

static long stored_status(struct gw_hc_store *s, const char *key)
{
    struct gw_hc_entry *e = gw_hc_store_get(s, key, strlen(key));
    long st = e ? gw_hc_entry_result(e)->status : 0;

    gw_hc_entry_release(e);
    return st;
}

/* ---- exchanges ---- */

static void test_fresh_then_stale(void **state)
{
    struct gw_hc_store *s = store();
    struct kv h1[] = {{"Date", D0}, {"Cache-Control", "max-age=60"}};
    struct answer one = answer(200, h1, 2, "one"), two = answer(200, h1, 2, "two");
    struct result r;

    (void)state;
    r = run(s, "GET", URL, NULL, 0, &one, 0);
    assert_true(r.called);
    assert_int_equal(stored_status(s, URL), 200);
    assert_string_equal(r.body, "one");
    r = run(s, "GET", URL, NULL, 0, &two, 59);
    assert_false(r.called);
    assert_string_equal(r.body, "one");
    assert_true(has(&r, "Date: " D0));
    assert_false(has(&r, "X-From-Cache"));     /* KrakenD does not mark cached answers */
    r = run(s, "GET", URL, NULL, 0, &two, 60); /* stale at lifetime == age */
    assert_true(r.called);
    assert_string_equal(r.inm, ""); /* no validators stored */
    assert_string_equal(r.body, "two");
    r = run(s, "GET", URL, NULL, 0, &one, 59);
    assert_string_equal(r.body, "two");
    /* a request no-cache skips a fresh entry */
    {
        struct kv rq[] = {{"Cache-Control", "no-cache"}};

        r = run(s, "GET", URL, rq, 1, &one, 1);
        assert_true(r.called);
    }
    gw_hc_store_destroy(s);
}

static void test_revalidation_304(void **state)
{
    struct gw_hc_store *s = store();
    struct kv h1[] = {{"Date", D0},
                      {"Cache-Control", "max-age=10"},
                      {"ETag", "\"v1\""},
                      {"Last-Modified", "Sat, 05 Nov 1994 00:00:00 GMT"},
                      {"X-Custom", "a"},
                      {"X-Custom", "a2"},
                      {"Content-Type", "application/json"}};
    struct kv h304[] = {{"Date", D20},          {"Cache-Control", "max-age=10"},
                        {"X-Custom", "b"},      {"Connection", "close, X-Hop"},
                        {"X-Hop", "dropped"},   {"Keep-Alive", "timeout=5"},
                        {"Content-Length", "0"}};
    struct answer first = answer(200, h1, 7, "{\"a\":1}"), nm = answer(304, h304, 7, "");
    struct result r;

    (void)state;
    run(s, "GET", URL, NULL, 0, &first, 0);
    r = run(s, "GET", URL, NULL, 0, &nm, 20);
    assert_true(r.called);
    assert_string_equal(r.inm, "\"v1\"");
    assert_string_equal(r.ims, "Sat, 05 Nov 1994 00:00:00 GMT");
    assert_int_equal(r.status, 200); /* the stored response answers */
    assert_string_equal(r.body, "{\"a\":1}");
    assert_true(has(&r, "X-Custom: b\n"));
    assert_false(has(&r, "X-Custom: a")); /* every value of the name replaced */
    assert_true(has(&r, "Date: " D20));
    assert_true(has(&r, "Content-Type: application/json"));
    assert_false(has(&r, "X-Hop"));
    assert_false(has(&r, "Connection"));
    assert_false(has(&r, "Keep-Alive"));
    /* re-stored: fresh again until D20 + 10 s */
    r = run(s, "GET", URL, NULL, 0, &first, 29);
    assert_false(r.called);
    assert_true(has(&r, "X-Custom: b\n"));
    r = run(s, "GET", URL, NULL, 0, &nm, 30);
    assert_true(r.called);
    gw_hc_store_destroy(s);
}

/* The request's own validators: an "Etag" request header suppresses If-None-Match (krakend/
 * httpcache looks for the wrong name), and a client If-None-Match is replaced. */
static void test_validator_quirks(void **state)
{
    struct gw_hc_store *s = store();
    struct kv h1[] = {{"Date", D0}, {"ETag", "\"v1\""}};
    struct answer first = answer(200, h1, 2, "x");
    struct kv rq1[] = {{"Etag", "anything"}};
    struct kv rq2[] = {{"If-None-Match", "\"client\""}};
    struct result r;

    (void)state;
    run(s, "GET", URL, NULL, 0, &first, 0);
    r = run(s, "GET", URL, rq1, 1, &first, 1);
    assert_string_equal(r.inm, "");
    r = run(s, "GET", URL, rq2, 1, &first, 1);
    assert_string_equal(r.inm, "\"v1\"");
    gw_hc_store_destroy(s);
}

static void test_stale_if_error(void **state)
{
    struct gw_hc_store *s = store();
    struct kv h1[] = {{"Date", D0}, {"Cache-Control", "max-age=1, stale-if-error=100"}};
    struct kv h5[] = {{"Content-Type", "text/plain"}};
    struct answer ok = answer(200, h1, 2, "good"), bad = answer(503, h5, 1, "down");
    struct answer plain = answer(200, h5, 1, "plain");
    struct result r;

    (void)state;
    run(s, "GET", URL, NULL, 0, &ok, 0);
    r = run(s, "GET", URL, NULL, 0, &bad, 50);
    assert_true(r.called);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "good");
    r = run(s, "GET", URL, NULL, 0, NULL, 50); /* transport error */
    assert_false(r.error);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "good");
    /* too old: the 503 goes through, and is stored in its place (any status is stored) */
    r = run(s, "GET", URL, NULL, 0, &bad, 200);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body, "down");
    assert_int_equal(stored_status(s, URL), 503);
    /* no stale-if-error: a transport error deletes the entry and stands */
    run(s, "GET", URL, NULL, 0, &plain, 201);
    assert_int_equal(stored_status(s, URL), 200);
    r = run(s, "GET", URL, NULL, 0, NULL, 202);
    assert_true(r.error);
    assert_int_equal(stored_status(s, URL), 0);
    /* without an entry a transport error changes nothing */
    r = run(s, "GET", URL, NULL, 0, NULL, 203);
    assert_true(r.error);
    gw_hc_store_destroy(s);
}

/* Any status is stored, with or without Cache-Control; only Date + lifetime serve it. */
static void test_any_status(void **state)
{
    struct gw_hc_store *s = store();
    struct kv h[] = {{"Date", D0}, {"Cache-Control", "max-age=60"}};
    struct answer nf = answer(404, h, 2, "nope"), ok = answer(200, NULL, 0, "fine");
    struct result r;

    (void)state;
    run(s, "GET", URL, NULL, 0, &nf, 0);
    r = run(s, "GET", URL, NULL, 0, &ok, 10);
    assert_false(r.called);
    assert_int_equal(r.status, 404);
    run(s, "GET", URL "&b", NULL, 0, &ok, 0);
    assert_int_equal(stored_status(s, URL "&b"), 200); /* stored without Cache-Control */
    r = run(s, "GET", URL "&b", NULL, 0, &ok, 0);
    assert_true(r.called); /* ...but never fresh */
    gw_hc_store_destroy(s);
}

static void test_no_store(void **state)
{
    struct gw_hc_store *s = store();
    struct kv h[] = {{"Date", D0}, {"Cache-Control", "max-age=60"}};
    struct kv hn[] = {{"Date", D0}, {"Cache-Control", "no-store, max-age=60"}};
    struct kv rq[] = {{"Cache-Control", "no-store"}};
    struct answer ok = answer(200, h, 2, "a"), ns = answer(200, hn, 2, "b");
    struct result r;

    (void)state;
    run(s, "GET", URL, NULL, 0, &ok, 0);
    r = run(s, "GET", URL, NULL, 0, &ns, 100);
    assert_string_equal(r.body, "b");
    assert_int_equal(stored_status(s, URL), 0); /* deleted */
    run(s, "GET", URL, NULL, 0, &ok, 0);
    r = run(s, "GET", URL, rq, 1, &ok, 1); /* fresh entry: served, storage untouched */
    assert_false(r.called);
    r = run(s, "GET", URL, rq, 1, &ok, 100);
    assert_true(r.called);
    assert_int_equal(stored_status(s, URL), 0);
    gw_hc_store_destroy(s);
}

static void test_keys_and_methods(void **state)
{
    struct gw_hc_store *s = store();
    struct kv h[] = {{"Date", D0}, {"Cache-Control", "max-age=60"}};
    struct kv range[] = {{"Range", "bytes=0-1"}}, empty_range[] = {{"Range", ""}};
    struct answer ok = answer(200, h, 2, "a");
    struct result r;

    (void)state;
    run(s, "GET", URL, NULL, 0, &ok, 0);
    r = run(s, "POST", URL, NULL, 0, &ok, 1);
    assert_true(r.called);
    assert_int_equal(stored_status(s, "POST " URL), 0);
    assert_int_equal(stored_status(s, URL), 200); /* POST deletes "POST <url>" only */
    r = run(s, "HEAD", URL, NULL, 0, &ok, 1);
    assert_true(r.called); /* a key of its own */
    assert_int_equal(stored_status(s, "HEAD " URL), 200);
    r = run(s, "HEAD", URL, NULL, 0, &ok, 2);
    assert_false(r.called);
    r = run(s, "GET", URL, empty_range, 1, &ok, 2); /* an empty Range is no Range */
    assert_false(r.called);
    r = run(s, "GET", URL, range, 1, &ok, 2);
    assert_true(r.called);
    assert_int_equal(stored_status(s, URL), 0); /* deletes its own key, stores nothing */
    run(s, "GET", URL "#x", NULL, 0, &ok, 2);
    assert_int_equal(stored_status(s, URL), 0);
    gw_hc_store_destroy(s);
}

static void test_only_if_cached(void **state)
{
    struct gw_hc_store *s = store();
    struct kv oic[] = {{"Cache-Control", "only-if-cached"}};
    struct kv oic_ns[] = {{"Cache-Control", "only-if-cached, no-store"}};
    struct answer ok = answer(200, NULL, 0, "a");
    struct result r;

    (void)state;
    r = run(s, "GET", URL, oic_ns, 1, &ok, 0);
    assert_false(r.called);
    assert_int_equal(r.status, 504);
    assert_int_equal(stored_status(s, URL), 0); /* no-store: not kept */
    r = run(s, "GET", URL, oic, 1, &ok, 0);
    assert_false(r.called);
    assert_int_equal(r.status, 504);
    assert_string_equal(r.headers, "");
    assert_string_equal(r.body, "");
    assert_int_equal(stored_status(s, URL), 504); /* the synthetic answer is stored */
    r = run(s, "GET", URL, oic, 1, &ok, 1);       /* ...and only-if-cached finds it fresh */
    assert_false(r.called);
    assert_int_equal(r.status, 504);
    r = run(s, "GET", URL, NULL, 0, &ok, 2); /* without Date it is stale for others */
    assert_true(r.called);
    assert_int_equal(r.status, 200);
    gw_hc_store_destroy(s);
}

static void test_vary_and_gzip(void **state)
{
    struct gw_hc_store *s = store();
    struct kv h[] = {{"Date", D0},
                     {"Cache-Control", "max-age=60"},
                     {"Vary", "accept-language, X-Empty"},
                     {"ETag", "e1"},
                     {"Content-Encoding", "gzip"}};
    struct kv fr[] = {{"Accept-Language", "fr"}}, de[] = {{"Accept-Language", "de"}};
    struct answer ok = answer(200, h, 5, "bonjour"), ok2 = answer(200, h, 5, "hallo");
    struct result r;

    (void)state;
    r = run(s, "GET", URL, fr, 1, &ok, 0);
    assert_true(has(&r, "X-Varied-Accept-Language: fr")); /* on the live response too */
    assert_false(has(&r, "X-Varied-X-Empty"));            /* no request value */
    assert_false(has(&r, "Content-Encoding"));
    r = run(s, "GET", URL, fr, 1, &ok2, 1);
    assert_false(r.called);
    assert_string_equal(r.body, "bonjour");
    assert_true(has(&r, "X-Varied-Accept-Language: fr")); /* visible to no-op clients */
    assert_false(has(&r, "Content-Encoding"));
    r = run(s, "GET", URL, de, 1, &ok2, 2);
    assert_true(r.called);
    assert_string_equal(r.inm, ""); /* a Vary mismatch fetches without validators */
    r = run(s, "GET", URL, de, 1, &ok, 3);
    assert_false(r.called);
    assert_string_equal(r.body, "hallo");
    r = run(s, "GET", URL, NULL, 0, &ok, 3); /* no Accept-Language: "" vs "de" */
    assert_true(r.called);
    /* HEAD keeps Content-Encoding */
    r = run(s, "HEAD", URL, NULL, 0, &ok, 3);
    assert_true(has(&r, "Content-Encoding: gzip"));
    gw_hc_store_destroy(s);
}

static void test_key_too_long(void **state)
{
    struct gw_hc_store *s = store();
    char *url = malloc(GW_HC_MAX_KEY + 32);
    struct kv h[] = {{"Date", D0}, {"Cache-Control", "max-age=60"}};
    struct answer ok = answer(200, h, 2, "a");
    struct result r;

    (void)state;
    memset(url, 'a', GW_HC_MAX_KEY + 31);
    memcpy(url, "http://", 7);
    url[GW_HC_MAX_KEY + 31] = '\0';
    r = run(s, "GET", url, NULL, 0, &ok, 0);
    assert_true(r.called);
    assert_int_equal(gw_hc_store_stats(s).items, 0);
    free(url);
    gw_hc_store_destroy(s);
}

/* ---- the store ---- */

static struct gw_hc_entry *entry_of(size_t body_len)
{
    char *body = calloc(1, body_len + 1);
    struct gw_hc_entry *e;

    memset(body, 'x', body_len);
    e = gw_hc_entry_build(200, NULL, NULL, NULL, NULL, body, body_len);
    free(body);
    assert_non_null(e);
    return e;
}

static bool present(struct gw_hc_store *s, const char *k)
{
    struct gw_hc_entry *e = gw_hc_store_get(s, k, strlen(k));

    gw_hc_entry_release(e);
    return e != NULL;
}

static void test_store_lru(void **state)
{
    /* an empty 200 is "HTTP/1.1 200 OK\r\n" + "\r\n": 19 bytes plus the body */
    struct gw_hc_store *s = gw_hc_store_new(300, 3, &hkey);
    struct gw_hc_store_stats st;
    struct gw_hc_entry *empty = entry_of(0);

    (void)state;
    assert_int_equal(gw_hc_entry_size(empty), 19);
    gw_hc_entry_release(empty);
    gw_hc_store_set(s, "a", 1, entry_of(81)); /* 100 bytes */
    gw_hc_store_set(s, "b", 1, entry_of(81));
    gw_hc_store_set(s, "c", 1, entry_of(81));
    assert_true(present(s, "a"));             /* a is now the most recent */
    gw_hc_store_set(s, "d", 1, entry_of(81)); /* 400 > 300: b goes */
    assert_false(present(s, "b"));
    assert_true(present(s, "a") && present(s, "c") && present(s, "d"));
    st = gw_hc_store_stats(s);
    assert_int_equal(st.items, 3);
    assert_int_equal(st.bytes, 300);
    assert_int_equal(st.evictions, 1);
    gw_hc_store_set(s, "e", 1, entry_of(281)); /* exactly max_size: refused */
    assert_false(present(s, "e"));
    gw_hc_store_set(s, "a", 1, entry_of(290)); /* too big for a too: the old a stays */
    assert_true(present(s, "a"));
    gw_hc_store_set(s, "a", 1, entry_of(181)); /* replaced, counted, others evicted to fit */
    st = gw_hc_store_stats(s);
    assert_int_equal(st.bytes, 200 + 100);
    assert_int_equal(st.items, 2);
    gw_hc_store_set(s, "a", 1, entry_of(1)); /* smaller again: 20 bytes */
    assert_int_equal(gw_hc_store_stats(s).bytes, 120);
    gw_hc_store_delete(s, "a", 1);
    gw_hc_store_delete(s, "zz", 2);
    st = gw_hc_store_stats(s);
    assert_int_equal(st.items, 1);
    assert_int_equal(st.bytes, 100);
    gw_hc_store_destroy(s);
    gw_hc_store_destroy(NULL);

    s = gw_hc_store_new(1, 10, &hkey); /* 1 byte: nothing fits */
    gw_hc_store_set(s, "a", 1, entry_of(0));
    assert_false(present(s, "a"));
    gw_hc_store_destroy(s);
    s = gw_hc_store_new((uint64_t)INT64_MAX + 1, 10, &hkey); /* Go's int(max_size) < 0 */
    gw_hc_store_set(s, "a", 1, entry_of(0));
    assert_false(present(s, "a"));
    gw_hc_store_destroy(s);
}

/* Many distinct URLs: items, entry bytes and memory held stay under the store's bounds. */
static void test_store_bounded(void **state)
{
    struct gw_hc_store *s = gw_hc_store_new(64 * 1024, 500, &hkey);
    struct gw_hc_store_stats st;
    char key[64];

    (void)state;
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof(key), "http://b/%d", i);
        gw_hc_store_set(s, key, strlen(key), entry_of((size_t)(i % 300)));
    }
    st = gw_hc_store_stats(s);
    assert_true(st.items <= 500);
    assert_true(st.bytes <= 64 * 1024);
    assert_true(st.mem_bytes <= 64 * 1024 + st.items * 256 + 1024 * 8 + 4096);
    assert_true(st.evictions >= 100000 - 500);
    gw_hc_store_destroy(s);
}

struct worker {
    struct gw_hc_store *s;
    int id;
};

static void *worker(void *arg)
{
    struct worker *w = arg;
    uint64_t x = 0x9e3779b97f4a7c15ULL * (uint64_t)(w->id + 1);
    char key[32];

    for (int i = 0; i < 20000; i++) {
        struct gw_hc_entry *e;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        snprintf(key, sizeof(key), "k%u", (unsigned)(x % 300));
        switch (x % 4) {
        case 0:
            gw_hc_store_set(w->s, key, strlen(key), entry_of((size_t)(x % 200)));
            break;
        case 1:
            gw_hc_store_delete(w->s, key, strlen(key));
            break;
        default:
            e = gw_hc_store_get(w->s, key, strlen(key));
            if (e)
                assert_int_equal(gw_hc_entry_result(e)->status, 200);
            gw_hc_entry_release(e);
        }
    }
    return NULL;
}

static void test_store_threads(void **state)
{
    struct gw_hc_store *s = gw_hc_store_new(16 * 1024, 100, &hkey);
    struct worker w[4];
    pthread_t t[4];
    struct gw_hc_store_stats st;

    (void)state;
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){s, i};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    st = gw_hc_store_stats(s);
    assert_true(st.items <= 100);
    assert_true(st.bytes <= 16 * 1024);
    gw_hc_store_destroy(s);
}

/* ---- store selection ---- */

static void test_registry(void **state)
{
    struct gw_hc_registry_opts o = {4096, 7, {1, 2}};
    struct gw_hc_registry *reg = gw_hc_registry_new(&o);
    struct gw_hc_config priv = {true, false, 0, 0, false}, shared = {true, true, 0, 0, false},
                        lru1 = {true, true, 2048, 5, false}, lru2 = {true, true, 9999, 9, false},
                        own = {true, false, 2048, 5, false}, off = {false, false, 0, 0, false};
    struct gw_hc_store *a, *b, *c, *d, *e, *f;

    (void)state;
    assert_null(gw_hc_registry_select(reg, &off));
    a = gw_hc_registry_select(reg, &priv);
    b = gw_hc_registry_select(reg, &priv);
    assert_ptr_not_equal(a, b); /* private stores */
    c = gw_hc_registry_select(reg, &shared);
    d = gw_hc_registry_select(reg, &shared);
    assert_ptr_equal(c, d); /* the shared map */
    e = gw_hc_registry_select(reg, &lru1);
    f = gw_hc_registry_select(reg, &lru2);
    assert_ptr_equal(e, f); /* the shared LRU, sized by the first */
    assert_ptr_not_equal(e, c);
    /* the defaults bound "unbounded" stores: 7 items */
    for (int i = 0; i < 20; i++) {
        char k[8];

        snprintf(k, sizeof(k), "k%d", i);
        gw_hc_store_set(a, k, strlen(k), entry_of(1));
    }
    assert_int_equal(gw_hc_store_stats(a).items, 7);
    /* the first shared LRU's sizes: 5 items */
    for (int i = 0; i < 20; i++) {
        char k[8];

        snprintf(k, sizeof(k), "k%d", i);
        gw_hc_store_set(f, k, strlen(k), entry_of(1));
    }
    assert_int_equal(gw_hc_store_stats(e).items, 5);
    gw_hc_registry_destroy(reg); /* backends keep their references */
    assert_int_equal(gw_hc_store_stats(c).items, 0);
    gw_hc_store_destroy(a);
    gw_hc_store_destroy(b);
    gw_hc_store_destroy(c);
    gw_hc_store_destroy(d);
    gw_hc_store_destroy(e);
    gw_hc_store_destroy(f);
    b = gw_hc_store_new(1, 1, NULL);
    reg = gw_hc_registry_new(NULL);
    a = gw_hc_registry_select(reg, &own);
    assert_non_null(a);
    gw_hc_store_destroy(a);
    gw_hc_store_destroy(b);
    gw_hc_registry_destroy(reg);
}

/* ---- the stage, on a manual clock ---- */

extern char **environ;

struct stage_call {
    struct gw_stage_call call;
    struct gw_outreq out;
};

static void call_init(struct stage_call *c, const char *url, const char *inm_header)
{
    memset(c, 0, sizeof(*c));
    c->out.method = strdup("GET");
    c->out.url = strdup(url);
    gw_hdrs_init(&c->out.headers, 0);
    if (inm_header)
        assert_true(gw_hdrs_add(&c->out.headers, "Cache-Control", inm_header));
    c->call.out = &c->out;
}

/* The shared LRU's warning (read from the configuration), a stored answer served without a
 * backend call until the manual clock makes it stale, then a revalidation. */
static void test_stage(void **state)
{
    static const char cfg_text[] =
        "{\"version\":3,\"host\":[\"http://b:8080\"],\"endpoints\":[{\"endpoint\":\"/"
        "a\",\"backend\":["
        "{\"url_pattern\":\"/x\",\"extra_config\":{\"qos/http-cache\":{\"shared\":true,"
        "\"max_size\":4096,\"max_items\":10}}},"
        "{\"url_pattern\":\"/y\",\"extra_config\":{\"qos/http-cache\":{\"shared\":true,"
        "\"max_size\":8192,\"max_items\":3}}},"
        "{\"url_pattern\":\"/z\"}]}]}";
    const struct kv h[] = {{"Date", D0}, {"Cache-Control", "max-age=60"}, {"ETag", "\"e\""}};
    const struct answer ok = answer(200, h, 3, "{\"n\":1}");
    struct cmn_clock_manual clock;
    struct gw_hc_env env = {NULL, 0, 0, NULL, 0};
    struct cmn_err err = {0};
    struct gw_config *cfg;
    struct gw_stage st[3];
    struct stage_call c;
    struct gw_fetch_result *hit = NULL, res;
    struct gw_perr perr = {0};
    char *log;

    (void)state;
    cmn_clock_manual_init(&clock, 1000, D0_S * 1000);
    env.clock = &clock.clock;
    cfg = gw_config_parse(cfg_text, strlen(cfg_text), "t.json", environ, &err);
    if (!cfg)
        fail_msg("config: %s", err.msg);
    tu_log_capture(CMN_LOG_DEBUG);
    for (int i = 0; i < 3; i++) {
        memset(&st[i], 0, sizeof(st[i]));
        assert_true(gw_hc_build(&env, cfg, &cfg->endpoints[0], &cfg->endpoints[0].backends[i],
                                &st[i], &err));
    }
    log = tu_log_take();
    assert_string_equal(log,
                        "KRAKEND WARNING: endpoints[0].backend[1].extra_config.qos/http-cache: "
                        "the shared cache was sized by endpoints[0].backend[0] (max_size "
                        "4096, max_items 10); these sizes are ignored, as in KrakenD\n");
    free(log);
    tu_log_stop();
    assert_null(st[2].http_request); /* no namespace, no stage */

    /* a miss: the backend answers and the answer is stored */
    call_init(&c, "http://b:8080/x", NULL);
    assert_int_equal(st[0].http_request(st[0].ctx, &c.call, &hit, &perr), GW_STAGE_NEXT);
    fetched(&res, &ok, "http://b:8080/x");
    st[0].http_response(st[0].ctx, &c.call, &res);
    st[0].end(st[0].ctx, &c.call);
    gw_fetch_result_free(&res);
    gw_outreq_free(&c.out);
    /* 59 s later: a hit, no backend call */
    cmn_clock_manual_advance(&clock, 59000);
    call_init(&c, "http://b:8080/x", NULL);
    assert_int_equal(st[0].http_request(st[0].ctx, &c.call, &hit, &perr), GW_STAGE_ANSWER);
    assert_int_equal(hit->status, 200);
    assert_string_equal(hit->body, "{\"n\":1}");
    assert_string_equal(hit->url, "http://b:8080/x");
    gw_fetch_result_free(hit);
    free(hit);
    hit = NULL;
    st[0].end(st[0].ctx, &c.call);
    gw_outreq_free(&c.out);
    /* the other backend shares the store (the shared LRU): the same URL is a hit there too */
    call_init(&c, "http://b:8080/x", NULL);
    assert_int_equal(st[1].http_request(st[1].ctx, &c.call, &hit, &perr), GW_STAGE_ANSWER);
    gw_fetch_result_free(hit);
    free(hit);
    hit = NULL;
    st[1].end(st[1].ctx, &c.call);
    gw_outreq_free(&c.out);
    /* at 60 s it is stale: the request goes out with the stored validator */
    cmn_clock_manual_advance(&clock, 1000);
    call_init(&c, "http://b:8080/x", NULL);
    assert_int_equal(st[0].http_request(st[0].ctx, &c.call, &hit, &perr), GW_STAGE_NEXT);
    assert_string_equal(gw_hdrs_get(&c.out.headers, "If-None-Match"), "\"e\"");
    st[0].end(st[0].ctx, &c.call); /* cancelled: the plan is freed */
    assert_null(c.call.state);
    gw_outreq_free(&c.out);
    /* a request that says no-cache goes to the backend even when fresh */
    cmn_clock_manual_init(&clock, 1000, D0_S * 1000);
    call_init(&c, "http://b:8080/x", "no-cache");
    assert_int_equal(st[0].http_request(st[0].ctx, &c.call, &hit, &perr), GW_STAGE_NEXT);
    st[0].end(st[0].ctx, &c.call);
    gw_outreq_free(&c.out);
    for (int i = 0; i < 3; i++) {
        if (st[i].free)
            st[i].free(st[i].ctx);
    }
    assert_null(env.registry); /* the last stage took the registry with it */
    gw_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_then_stale),
        cmocka_unit_test(test_revalidation_304),
        cmocka_unit_test(test_validator_quirks),
        cmocka_unit_test(test_stale_if_error),
        cmocka_unit_test(test_any_status),
        cmocka_unit_test(test_no_store),
        cmocka_unit_test(test_keys_and_methods),
        cmocka_unit_test(test_only_if_cached),
        cmocka_unit_test(test_vary_and_gzip),
        cmocka_unit_test(test_key_too_long),
        cmocka_unit_test(test_store_lru),
        cmocka_unit_test(test_store_bounded),
        cmocka_unit_test(test_store_threads),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_stage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
