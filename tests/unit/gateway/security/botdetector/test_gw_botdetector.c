/* test_gw_botdetector.c - security/bot-detector: the CE cases, the detection order, the config
 * as Go's encoding/json decodes it, the verdict cache, the 403 stage and KrakenD's log lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_go_re.h"
#include "gw_bot_lru.h"
#include "gw_botdetector.h"
#include "sec_util.h"
#include "tu_shared.h"

#define PATH "extra_config.security/bot-detector"

static struct gw_bot_params params(void)
{
    struct gw_bot_params p = {
        .path = PATH,
        .log_prefix = GW_BOT_SERVICE_PREFIX,
        .seed = {0x0123456789abcdefULL, 0xfedcba9876543210ULL},
    };
    return p;
}

/* Builds a detector from JSON text; status in *st; the log from here on is captured. */
static struct gw_botdetector *make(const char *json, enum gw_bot_status *st, struct cmn_err *err)
{
    json_error_t jerr;
    json_t *v = json_loads(json, JSON_DECODE_ANY, &jerr);
    struct gw_bot_params p = params();
    struct gw_botdetector *d = NULL;

    assert_non_null(v);
    st_log_begin(CMN_LOG_DEBUG);
    *st = gw_botdetector_new(v, &p, &d, err);
    json_decref(v);
    return d;
}

static size_t log_lines(void)
{
    return st_log_count("\n");
}

/* The CE fixture's service-level block, written as our own unit case. */
#define CE_FIXTURE                                                                                 \
    "{\"deny\":[\"a\",\"b\"],\"allow\":[\"c\",\"Pingdom.com_bot_version_1.1\"],"                   \
    "\"patterns\":[\"(Pingdom.com_bot_version_).*\",\"(facebookexternalhit)/.*\"]}"

static void ce_cases(void **state)
{
    static const struct {
        const char *ua;
        bool bot;
    } t[] = {
        {"a", true},                            /* botdetector_1: deny */
        {"b", true},                            /* botdetector_2: deny */
        {"Pingdom.com_bot_version_1.14", true}, /* botdetector_3: not the allowed 1.1; pattern */
        {"facebookexternalhit/1.2.3", true},    /* botdetector_4: pattern */
        {"Pingdom.com_bot_version_1.1", false}, /* allowed exactly, though a pattern matches */
        {"c", false},
        {"Go-http-client/1.1", false}, /* every other CE case */
        {"some", false},               /* cors_* */
        {"", false},
        {"A", false},  /* deny is case-sensitive */
        {"ab", false}, /* and exact */
    };
    enum gw_bot_status st;
    struct cmn_err err = {0};
    struct gw_botdetector *d = make(CE_FIXTURE, &st, &err);

    (void)state;
    assert_int_equal(st, GW_BOT_OK);
    assert_int_equal(log_lines(), 1);
    assert_true(st_log_has(
        " DEBUG: [SERVICE: Gin][Botdetector] The bot detector has been registered successfully\n"));
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (gw_botdetector_is_bot(d, t[i].ua, strlen(t[i].ua)) != t[i].bot)
            fail_msg("\"%s\": want %d", t[i].ua, t[i].bot);
    }
    gw_botdetector_destroy(d);
    cmn_go_re_thread_release();
}

/* ---- the middleware ---- */

static void middleware_answers_403_and_logs(void **state)
{
    enum gw_bot_status st;
    struct cmn_err err = {0};
    struct gw_botdetector *d = make(CE_FIXTURE, &st, &err);
    struct st_req r;
    struct cmn_http_response *answer = (struct cmn_http_response *)(uintptr_t)1;

    (void)state;
    st_req_init(&r, "GET", "/");
    st_req_add(&r, "user-agent", "a");           /* the name in any case */
    st_req_add(&r, "User-Agent", "Mozilla/5.0"); /* only the first line counts */
    st_log_clear();
    assert_int_equal(gw_botdetector_handle(d, &r.r, &answer), GW_MW_ANSWER);
    assert_non_null(answer);
    assert_int_equal(answer->status, 403);
    assert_int_equal(answer->body_len, 0);
    assert_int_equal(answer->n_headers, 0);
    cmn_http_response_destroy(answer);
    assert_int_equal(log_lines(), 1);
    assert_true(st_log_has(" ERROR: [SERVICE: Gin][Botdetector] bot rejected\n"));
    st_req_init(&r, "GET", "/");
    st_req_add(&r, "User-Agent", "Mozilla/5.0");
    st_log_clear();
    assert_int_equal(gw_botdetector_handle(d, &r.r, &answer), GW_MW_NEXT);
    assert_null(answer);
    assert_int_equal(log_lines(), 0);
    st_req_init(&r, "GET", "/"); /* no User-Agent: not a bot unless empty_user_agent_is_bot */
    assert_int_equal(gw_botdetector_handle(d, &r.r, &answer), GW_MW_NEXT);
    gw_botdetector_destroy(d);
    cmn_go_re_thread_release();
}

static void endpoint_detector_logs_with_service_prefix(void **state)
{
    json_t *v = json_loads("{\"deny\":[\"x\"]}", 0, NULL);
    struct gw_bot_params p = params();
    struct gw_botdetector *d = NULL;
    struct cmn_err err = {0};
    struct st_req r;
    struct cmn_http_response *answer = NULL;

    (void)state;
    p.log_prefix = "[ENDPOINT: /foo][Botdetector]";
    p.path = "endpoints[0].extra_config.security/bot-detector";
    st_log_begin(CMN_LOG_DEBUG);
    assert_int_equal(gw_botdetector_new(v, &p, &d, &err), GW_BOT_OK);
    assert_true(st_log_has(
        " DEBUG: [ENDPOINT: /foo][Botdetector] The bot detector has been registered successfully"));
    st_req_init(&r, "GET", "/foo");
    st_req_add(&r, "User-Agent", "x");
    assert_int_equal(gw_botdetector_handle(d, &r.r, &answer), GW_MW_ANSWER);
    cmn_http_response_destroy(answer);
    assert_true(st_log_has(" ERROR: [SERVICE: Gin][Botdetector] bot rejected"));
    gw_botdetector_destroy(d);
    json_decref(v);
}

/* ---- detection order ---- */

static void empty_user_agent_flag(void **state)
{
    enum gw_bot_status st;
    struct cmn_err err = {0};
    struct gw_botdetector *d =
        make("{\"empty_user_agent_is_bot\":true,\"allow\":[\"\"]}", &st, &err);

    (void)state;
    assert_int_equal(st, GW_BOT_OK);
    /* the empty check comes before the allow list */
    assert_true(gw_botdetector_is_bot(d, "", 0));
    assert_true(gw_botdetector_is_bot(d, NULL, 0));
    assert_false(gw_botdetector_is_bot(d, "x", 1));
    gw_botdetector_destroy(d);
    d = make("{}", &st, &err);
    assert_int_equal(st, GW_BOT_OK);
    assert_false(gw_botdetector_is_bot(d, "", 0));
    gw_botdetector_destroy(d);
    d = make("null", &st, &err); /* decodes to an empty Config: installed, never rejects */
    assert_int_equal(st, GW_BOT_OK);
    assert_non_null(d);
    assert_false(gw_botdetector_is_bot(d, "", 0));
    gw_botdetector_destroy(d);
}

static void allow_beats_deny_beats_patterns(void **state)
{
    enum gw_bot_status st;
    struct cmn_err err = {0};
    struct gw_botdetector *d =
        make("{\"allow\":[\"bot\"],\"deny\":[\"bot\",\"curl/8\"],\"patterns\":[\"^curl\",\"bot\"]}",
             &st, &err);

    (void)state;
    assert_false(gw_botdetector_is_bot(d, "bot", 3));
    assert_true(gw_botdetector_is_bot(d, "curl/8", 6));
    assert_true(gw_botdetector_is_bot(d, "curl/7", 6));
    assert_true(gw_botdetector_is_bot(d, "a bot!", 6));
    assert_false(gw_botdetector_is_bot(d, "xcurl", 5));
    gw_botdetector_destroy(d);
    cmn_go_re_thread_release();
}

/* ---- config decoding ---- */

static void config_errors_leave_the_detector_out(void **state)
{
    static const struct {
        const char *json;
        const char *err;  /* our message (path) */
        const char *warn; /* KrakenD's WARNING line */
    } t[] = {
        {"[]",
         "extra_config.security/bot-detector: json: cannot unmarshal array into Go value of type "
         "botdetector.Config",
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal array into Go value of type "
         "botdetector.Config"},
        {"\"x\"", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal string into Go value of type "
         "botdetector.Config"},
        {"{\"deny\":\"a\"}", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal string into Go struct field "
         "Config.deny of type []string"},
        {"{\"allow\":[\"a\",1]}", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal number into Go struct field "
         "Config.allow of type string"},
        {"{\"patterns\":[{}]}", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal object into Go struct field "
         "Config.patterns of type string"},
        {"{\"cache_size\":1.5}", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal number 1.5 into Go struct field "
         "Config.cache_size of type int"},
        {"{\"cache_size\":1e21}", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal number 1e+21 into Go struct field "
         "Config.cache_size of type int"},
        {"{\"cache_size\":1e-7}", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal number 1e-7 into Go struct field "
         "Config.cache_size of type int"},
        {"{\"cache_size\":0.25}", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal number 0.25 into Go struct field "
         "Config.cache_size of type int"},
        {"{\"cache_size\":\"10\"}", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal string into Go struct field "
         "Config.cache_size of type int"},
        {"{\"empty_user_agent_is_bot\":\"true\"}", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal string into Go struct field "
         "Config.empty_user_agent_is_bot of type bool"},
        /* sorted key order: "allow" is decoded before "deny" */
        {"{\"deny\":7,\"allow\":true}", NULL,
         "[SERVICE: Gin][Botdetector] json: cannot unmarshal bool into Go struct field "
         "Config.allow of type []string"},
        {"{\"cache_size\":-1}",
         "extra_config.security/bot-detector.cache_size: -1: must provide a positive size",
         "[SERVICE: Gin][Botdetector] Unable to create the bot detector: must provide a positive "
         "size"},
        /* a pattern error comes before the cache_size check */
        {"{\"cache_size\":-1,\"patterns\":[\"ok\",\"a(?=b)\"]}",
         "extra_config.security/bot-detector.patterns[1] \"a(?=b)\": error parsing regexp: invalid "
         "or unsupported Perl syntax: `(?=`",
         "[SERVICE: Gin][Botdetector] Unable to create the bot detector: error parsing regexp: "
         "invalid or unsupported Perl syntax: `(?=`"},
        {"{\"patterns\":[\"(a)\\\\1\"]}", NULL,
         "[SERVICE: Gin][Botdetector] Unable to create the bot detector: error parsing regexp: "
         "invalid escape sequence: `\\1`"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        enum gw_bot_status st;
        struct cmn_err err = {0};
        struct gw_botdetector *d = make(t[i].json, &st, &err);

        char want[1024];

        if (st != GW_BOT_NOT_INSTALLED || d)
            fail_msg("%s: status %d", t[i].json, st);
        if (t[i].err && strcmp(err.msg, t[i].err) != 0)
            fail_msg("%s: err \"%s\"", t[i].json, err.msg);
        /* KrakenD's line, then ours naming the setting and what it means */
        snprintf(want, sizeof(want), " WARNING: %s\n", t[i].warn);
        if (log_lines() != 2 || !st_log_has(want))
            fail_msg("%s: log \"%s\"", t[i].json, st_log_text());
        snprintf(want, sizeof(want), " WARNING: %s: the bot detector is NOT installed", err.msg);
        if (strncmp(err.msg, PATH, strlen(PATH)) != 0)
            fail_msg("%s: err \"%s\" does not name the path", t[i].json, err.msg);
        if (!st_log_has(want) || !st_log_has("requests are not checked for bots"))
            fail_msg("%s: log \"%s\"", t[i].json, st_log_text());
    }
}

static void config_keys_as_go_decodes_them(void **state)
{
    enum gw_bot_status st;
    struct cmn_err err = {0};
    struct gw_botdetector *d;

    (void)state;
    /* case-insensitive keys; unknown keys ignored; null leaves a field as it is */
    d = make("{\"DENY\":[\"x\"],\"Patterns\":[\"y$\"],\"extra\":1,\"cache_size\":null}", &st, &err);
    assert_int_equal(st, GW_BOT_OK);
    assert_true(gw_botdetector_is_bot(d, "x", 1));
    assert_true(gw_botdetector_is_bot(d, "zy", 2));
    gw_botdetector_destroy(d);
    /* two keys for one field: applied in sorted order, so "deny" (after "Deny") wins */
    d = make("{\"deny\":[\"lower\"],\"Deny\":[\"upper\"]}", &st, &err);
    assert_true(gw_botdetector_is_bot(d, "lower", 5));
    assert_false(gw_botdetector_is_bot(d, "upper", 5));
    gw_botdetector_destroy(d);
    /* U+017F (long s) folds to s in Go's key matching */
    d = make("{\"pattern\\u017f\":[\"q\"]}", &st, &err);
    assert_true(gw_botdetector_is_bot(d, "q", 1));
    gw_botdetector_destroy(d);
    /* a null element is "" */
    d = make("{\"deny\":[null,\"n\"]}", &st, &err);
    assert_int_equal(st, GW_BOT_OK);
    assert_true(gw_botdetector_is_bot(d, "n", 1));
    gw_botdetector_destroy(d);
    /* cache_size as an integral float */
    d = make("{\"cache_size\":2.0,\"deny\":[\"k\"]}", &st, &err);
    assert_int_equal(st, GW_BOT_OK);
    assert_true(gw_botdetector_is_bot(d, "k", 1));
    assert_true(gw_botdetector_cached(d, "k", 1, &(bool){false}));
    gw_botdetector_destroy(d);
    cmn_go_re_thread_release();
}

static void absent_namespace(void **state)
{
    struct gw_bot_params p = params();
    struct gw_botdetector *d = (struct gw_botdetector *)&p; /* must be cleared */
    struct cmn_err err = {0};

    (void)state;
    st_log_begin(CMN_LOG_DEBUG);
    assert_int_equal(gw_botdetector_new(NULL, &p, &d, &err), GW_BOT_OK);
    assert_null(d);
    assert_int_equal(log_lines(), 0);
}

static void cache_size_clamped_with_warning(void **state)
{
    enum gw_bot_status st;
    struct cmn_err err = {0};
    struct gw_botdetector *d = make("{\"cache_size\":2000000000}", &st, &err);

    (void)state;
    assert_int_equal(st, GW_BOT_OK);
    assert_true(st_log_line("WARNING", PATH ".cache_size: 2000000000 is above this gateway's cap"));
    gw_botdetector_destroy(d);
}

static void unknown_keys_warned(void **state)
{
    enum gw_bot_status st;
    struct cmn_err err = {0};
    struct gw_botdetector *d =
        make("{\"denny\":[\"x\"],\"Deny\":[\"y\"],\"@comment\":1}", &st, &err);

    (void)state;
    assert_int_equal(st, GW_BOT_OK);
    assert_true(st_log_line("WARNING", PATH ".denny: unknown option"));
    assert_int_equal(st_log_count("WARNING: "), 1); /* "Deny" is deny, in Go's matching */
    assert_false(gw_botdetector_is_bot(d, "x", 1));
    assert_true(gw_botdetector_is_bot(d, "y", 1));
    gw_botdetector_destroy(d);
}

/* A pattern Go accepts but PCRE2 cannot run as Go would: refused at startup, naming it (a
 * detector without it would let through what KrakenD stops). */
static void unsupported_pattern_stops_startup(void **state)
{
    enum gw_bot_status st;
    struct cmn_err err = {0};
    struct gw_botdetector *d = make("{\"patterns\":[\"ok\",\"\\\\p{Kawi}\"]}", &st, &err);

    (void)state;
    assert_int_equal(st, GW_BOT_INVALID);
    assert_null(d);
    assert_int_equal(err.code, GW_BOT_INVALID);
    if (!strstr(err.msg, PATH ".patterns[1] \"\\p{Kawi}\": "))
        fail_msg("%s", err.msg);
}

/* ---- the cache ---- */

static void cache_keeps_verdicts_lru(void **state)
{
    enum gw_bot_status st;
    struct cmn_err err = {0};
    struct gw_botdetector *d = make("{\"cache_size\":2,\"deny\":[\"b\"]}", &st, &err);
    bool bot;
    char longua[GW_BOT_CACHE_KEY_MAX + 2];

    (void)state;
    assert_false(gw_botdetector_is_bot(d, "a", 1));
    assert_true(gw_botdetector_is_bot(d, "b", 1));
    assert_true(gw_botdetector_cached(d, "a", 1, &bot)); /* refreshes a */
    assert_false(bot);
    assert_false(gw_botdetector_is_bot(d, "c", 1)); /* evicts b, the least recent */
    assert_false(gw_botdetector_cached(d, "b", 1, &bot));
    assert_true(gw_botdetector_cached(d, "a", 1, &bot));
    assert_true(gw_botdetector_cached(d, "c", 1, &bot));
    /* the empty User-Agent is cached too */
    assert_false(gw_botdetector_is_bot(d, "", 0));
    assert_true(gw_botdetector_cached(d, "", 0, &bot));
    /* over-long User-Agents are judged but not kept */
    memset(longua, 'x', sizeof(longua));
    assert_false(gw_botdetector_is_bot(d, longua, sizeof(longua)));
    assert_false(gw_botdetector_cached(d, longua, sizeof(longua), &bot));
    gw_botdetector_destroy(d);
}

static void lru_byte_budget_and_update(void **state)
{
    const uint64_t seed[2] = {1, 2};
    struct gw_bot_lru *c = gw_bot_lru_new(100, 64, 10, seed);
    bool bot;

    (void)state;
    assert_true(gw_bot_lru_add(c, "aaaa", 4, true));
    assert_true(gw_bot_lru_add(c, "bbbb", 4, false));
    assert_true(gw_bot_lru_add(c, "cccc", 4, false)); /* 12 bytes > 10: aaaa goes */
    assert_false(gw_bot_lru_get(c, "aaaa", 4, &bot));
    assert_int_equal(gw_bot_lru_len(c), 2);
    assert_true(gw_bot_lru_add(c, "bbbb", 4, true)); /* update in place */
    assert_true(gw_bot_lru_get(c, "bbbb", 4, &bot));
    assert_true(bot);
    assert_int_equal(gw_bot_lru_len(c), 2);
    gw_bot_lru_destroy(c);
}

/* SipHash-2-4 reference vector (key 00..0f, message 00..0e: 0xa129ca6149be45e5). */
static void siphash_reference(void **state)
{
    const uint64_t k[2] = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
    unsigned char m[15];

    (void)state;
    for (int i = 0; i < 15; i++)
        m[i] = (unsigned char)i;
    assert_true(gw_bot_siphash(k, m, 15) == 0xa129ca6149be45e5ULL);
    assert_true(gw_bot_siphash(k, m, 0) == 0x726fdb47dd0e0e31ULL);
}

struct worker {
    struct gw_botdetector *d;
    int seed, errors;
};

static void *work(void *p)
{
    struct worker *w = p;
    char ua[32];

    for (int i = 0; i < 20000; i++) {
        int k = (i * 7919 + w->seed) % 6000;
        snprintf(ua, sizeof(ua), "%s-%d", k % 3 ? "Mozilla" : "facebookexternalhit/", k);
        if (gw_botdetector_is_bot(w->d, ua, strlen(ua)) != (k % 3 == 0))
            w->errors++;
    }
    return NULL;
}

static void shared_by_worker_threads(void **state)
{
    enum gw_bot_status st;
    struct cmn_err err = {0};
    /* 5000 >= the shard threshold: a sharded cache, smaller than the key set so it evicts */
    struct gw_botdetector *d =
        make("{\"cache_size\":5000,\"patterns\":[\"^facebookexternalhit/\"]}", &st, &err);
    pthread_t th[4];
    struct worker w[4];

    (void)state;
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){d, i * 1000, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].errors, 0);
    }
    gw_botdetector_destroy(d);
}

/* ---- the CE specs themselves, read at run time when the shared material is present ---- */

static void ce_specs_replayed(void **state)
{
    char rel[256];
    char *fixture;
    json_t *root, *ns;
    struct gw_bot_params p = params();
    struct gw_botdetector *d = NULL;
    struct cmn_err err = {0};
    const char *names[] = {"botdetector_1", "botdetector_2", "botdetector_3",     "botdetector_4",
                           "cors_1",        "cors_5",        "param_forwarding_1"};

    (void)state;
    fixture = tu_shared_read("conformance/krakend-ce/krakend-ce-fixture-krakend.json", NULL);
    assert_non_null(fixture);
    root = json_loads(fixture, 0, NULL);
    free(fixture);
    assert_non_null(root);
    ns = json_object_get(json_object_get(root, "extra_config"), "security/bot-detector");
    assert_int_equal(gw_botdetector_new(ns, &p, &d, &err), GW_BOT_OK);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *spec;
        json_t *c, *ua;
        long status;

        snprintf(rel, sizeof(rel), "conformance/krakend-ce/krakend-ce-specs/%s.json", names[i]);
        spec = tu_shared_read(rel, NULL);
        assert_non_null(spec);
        c = json_loads(spec, 0, NULL);
        free(spec);
        ua = json_object_get(json_object_get(json_object_get(c, "in"), "header"), "User-Agent");
        status =
            (long)json_integer_value(json_object_get(json_object_get(c, "out"), "status_code"));
        /* a detector verdict of bot is exactly the cases that want a 403 */
        if (gw_botdetector_is_bot(d, json_string_value(ua), json_string_length(ua)) !=
            (status == 403))
            fail_msg("%s", names[i]);
        json_decref(c);
    }
    gw_botdetector_destroy(d);
    json_decref(root);
    cmn_go_re_thread_release();
}

static int teardown(void **state)
{
    (void)state;
    st_log_end();
    cmn_go_re_thread_release();
    return 0;
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(int argc, char **argv)
{
    const struct CMUnitTest own[] = {
        T(ce_cases),
        T(middleware_answers_403_and_logs),
        T(endpoint_detector_logs_with_service_prefix),
        T(empty_user_agent_flag),
        T(allow_beats_deny_beats_patterns),
        T(config_errors_leave_the_detector_out),
        T(config_keys_as_go_decodes_them),
        T(absent_namespace),
        T(cache_size_clamped_with_warning),
        T(unknown_keys_warned),
        T(unsupported_pattern_stops_startup),
        T(cache_keeps_verdicts_lru),
        T(lru_byte_budget_and_update),
        T(siphash_reference),
        T(shared_by_worker_threads),
    };
    const struct CMUnitTest shared[] = {
        T(ce_specs_replayed),
    };
    return tu_run(argc, argv, own, TU_COUNT(own), shared, TU_COUNT(shared));
}
