/* test_gw_revoker.c - auth/revoker: the options as Go decodes them (§8.2, every option, the
 * fail-open decode errors and what KrakenD panics on), M and K, the FNV-1 128 words, the
 * sliding filters on a manual clock (two to three TTLs, §8.3), RejectToken, the HTTP feed and
 * its listener, and the startup lines. */
#include "gw_revoker_int.h"
#include "tu_http.h"
#include "tu_log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

extern char **environ;

struct msgs {
    size_t n;
    char v[16][512];
};

static void collect(void *ctx, const char *msg)
{
    struct msgs *w = ctx;

    if (w->n < 16)
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

static enum gw_rev_status parse(const char *text, struct gw_revoker_config *c, struct msgs *w,
                                struct cmn_err *err)
{
    json_error_t e;
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, &e) : NULL;
    struct cmn_warn cw = {collect, w};
    enum gw_rev_status st;

    if (text)
        assert_non_null(v);
    st = gw_revoker_config_parse(v, "extra_config.auth/revoker", c, w ? &cw : NULL, err);
    json_decref(v);
    return st;
}

#define GOOD "\"N\":1000,\"P\":0.01,\"hash_name\":\"optimal\",\"TTL\":60,\"port\":1234"

static void test_options(void **state)
{
    struct gw_revoker_config c;
    struct cmn_err err = {0};
    struct msgs w = {0};

    (void)state;
    assert_int_equal(parse(NULL, &c, &w, &err), GW_REV_ABSENT);
    assert_int_equal(
        parse("{" GOOD ",\"token_keys\":[\"jti\",\"sub\"],\"headers\":[\"X-Id\"]}", &c, &w, &err),
        GW_REV_OK);
    assert_int_equal(c.n, 1000);
    assert_true(c.p == 0.01);
    assert_string_equal(c.hash_name, "optimal");
    assert_int_equal(c.ttl_s, 60);
    assert_int_equal(c.port, 1234);
    assert_int_equal(c.n_token_keys, 2);
    assert_string_equal(c.token_keys[1], "sub");
    assert_int_equal(c.n_headers, 1);
    assert_int_equal(c.m, 9586); /* ceil(-1000 ln 0.01 / (ln 2)^2) */
    assert_int_equal(c.k, 7);
    assert_true(has_msg(&w, "extra_config.auth/revoker.headers: read, not applied"));
    assert_int_equal(w.n, 1);
    gw_revoker_config_free(&c);

    /* key names fold case (Go), applied in sorted order: "n" comes after "N" and wins */
    w.n = 0;
    assert_int_equal(parse("{\"n\":5,\"N\":7,\"p\":0.5,\"HASH_NAME\":\"default\",\"ttl\":1,"
                           "\"Port\":9,\"Token_Keys\":[\"jti\",null],\"revoke_server_ping_url\":"
                           "\"x\",\"@c\":1}",
                           &c, &w, &err),
                     GW_REV_OK);
    assert_int_equal(c.n, 5);
    assert_int_equal(c.port, 9);
    assert_int_equal(c.n_token_keys, 2);
    assert_string_equal(c.token_keys[1], ""); /* null is Go's zero string */
    assert_true(has_msg(&w, "hash_name: \"default\" is hashed as \"optimal\""));
    assert_true(has_msg(&w, "revoke_server_ping_url: not a KrakenD CE option"));
    assert_false(has_msg(&w, "@c"));
    gw_revoker_config_free(&c);

    /* no port, no token keys: said */
    w.n = 0;
    assert_int_equal(parse("{\"N\":1,\"P\":0.5,\"hash_name\":\"optimal\",\"TTL\":1}", &c, &w, &err),
                     GW_REV_OK);
    assert_true(has_msg(&w, "port: 0 is no port"));
    assert_true(has_msg(&w, "token_keys: empty"));
    gw_revoker_config_free(&c);
}

/* A type Go's decoder refuses: KrakenD logs it and runs without the revoker. */
static void test_decode_errors(void **state)
{
    static const struct {
        const char *json, *err;
    } cases[] = {
        {"{" GOOD ",\"N\":-1}",
         "json: cannot unmarshal number -1 into Go struct field Config.n of type uint"},
        {"{" GOOD ",\"N\":1.5}",
         "json: cannot unmarshal number 1.5 into Go struct field Config.n of type uint"},
        {"{" GOOD ",\"TTL\":\"60s\"}",
         "json: cannot unmarshal string into Go struct field Config.ttl of type uint"},
        {"{" GOOD ",\"P\":\"0.1\"}",
         "json: cannot unmarshal string into Go struct field Config.p of type float64"},
        {"{" GOOD ",\"port\":true}",
         "json: cannot unmarshal bool into Go struct field Config.port of type int"},
        {"{" GOOD ",\"hash_name\":1}",
         "json: cannot unmarshal number 1 into Go struct field Config.hash_name of type string"},
        {"{" GOOD ",\"token_keys\":\"jti\"}",
         "json: cannot unmarshal string into Go struct field Config.token_keys of type []string"},
        {"{" GOOD ",\"token_keys\":[\"jti\",2]}",
         "json: cannot unmarshal number 2 into Go struct field Config.token_keys of type string"},
        {"[]", "json: cannot unmarshal array into Go value of type krakend.Config"},
        {"\"x\"", "json: cannot unmarshal string into Go value of type krakend.Config"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_revoker_config c;
        struct cmn_err err = {0};

        assert_int_equal(parse(cases[i].json, &c, NULL, &err), GW_REV_OFF);
        assert_string_equal(c.decode_error, cases[i].err);
        assert_non_null(c.raw);
        gw_revoker_config_free(&c);
    }
}

/* What KrakenD panics on, or cannot run: refused at startup with the path. */
static void test_invalid(void **state)
{
    static const struct {
        const char *json, *err;
    } cases[] = {
        {"{\"N\":10,\"P\":0.1,\"TTL\":1}", "hash_name: \"\" is neither"},
        {"{\"N\":10,\"P\":0.1,\"TTL\":1,\"hash_name\":\"md5\"}", "hash_name: \"md5\" is neither"},
        {"{\"N\":10,\"P\":0.1,\"hash_name\":\"optimal\"}", "TTL: must be a positive number"},
        {"{\"N\":10,\"P\":0.1,\"TTL\":0,\"hash_name\":\"optimal\"}", "TTL: must be a positive"},
        {"{\"N\":0,\"P\":0.1,\"TTL\":1,\"hash_name\":\"optimal\"}", "N 0 and P 0.1 make no"},
        {"{\"N\":10,\"P\":1,\"TTL\":1,\"hash_name\":\"optimal\"}", "make no bloom filter"},
        {"{\"N\":10,\"P\":0,\"TTL\":1,\"hash_name\":\"optimal\"}", "make no bloom filter"},
        {"{\"N\":10000000000,\"P\":1e-12,\"TTL\":1,\"hash_name\":\"optimal\"}",
         "need three filters of"},
        {"null", "hash_name: \"\" is neither"}, /* a zero Config */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_revoker_config c;
        struct cmn_err err = {0};

        assert_int_equal(parse(cases[i].json, &c, NULL, &err), GW_REV_INVALID);
        if (!strstr(err.msg, cases[i].err) || !strstr(err.msg, "extra_config.auth/revoker"))
            fail_msg("case %zu: %s", i, err.msg);
    }
}

/* M and K of krakend/bloomfilter, and the FNV-1 128 words of its "optimal" hasher (expected
 * values computed with Python's integers from the FNV definition). */
static void test_params_and_hash(void **state)
{
    static const struct {
        const char *in;
        uint64_t h0, h1;
    } words[] = {
        {"", 0x4201bb072e27626cULL, 0x8dc595627521b862ULL},
        {"a", 0xaf8c1a1069cb28d2ULL, 0x1e144a4e702b9178ULL},
        {"jti-mnb23", 0xe4b1038ded512bf2ULL, 0xdfbe1c89e14f2145ULL},
        {"foobar", 0xbf643c9ceabf9678ULL, 0xaa93c2d25383c56dULL},
    };
    uint64_t m, k, h[2];

    (void)state;
    assert_true(gw_revoker_params(10000000, 1e-7, &m, &k)); /* a real config's values */
    assert_int_equal(m, 335477044);
    assert_int_equal(k, 24);
    assert_false(gw_revoker_params(0, 0.1, &m, &k));
    assert_false(gw_revoker_params(10, 1.5, &m, &k));
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        gw_revoker_hash(words[i].in, strlen(words[i].in), h);
        assert_true(h[0] == words[i].h0);
        assert_true(h[1] == words[i].h1);
    }
}

static struct gw_revoker *revoker(const char *json, struct cmn_clock_manual *clock)
{
    struct gw_revoker_config c;
    struct cmn_err err = {0};
    struct gw_revoker *r;

    assert_int_equal(parse(json, &c, NULL, &err), GW_REV_OK);
    r = gw_revoker_new(&c, &clock->clock, &err);
    assert_non_null(r);
    gw_revoker_config_free(&c);
    return r;
}

/* An element added between ticks i and i+1 is reported until tick i+3. */
static void test_sliding(void **state)
{
    struct cmn_clock_manual clock;
    struct gw_revoker *r;

    (void)state;
    cmn_clock_manual_init(&clock, 1000000, 1700000000000);
    r = revoker("{" GOOD ",\"token_keys\":[\"jti\"]}", &clock); /* TTL 60 s */
    assert_false(gw_revoker_check(r, "jti-1", 5));
    cmn_clock_manual_advance(&clock, 30000); /* t0 + 30 s */
    gw_revoker_add(r, "jti-1", 5);
    assert_true(gw_revoker_check(r, "jti-1", 5));
    assert_false(gw_revoker_check(r, "jti-2", 5));
    cmn_clock_manual_advance(&clock, 30000); /* tick 1 */
    assert_true(gw_revoker_check(r, "jti-1", 5));
    cmn_clock_manual_advance(&clock, 60000); /* tick 2 */
    assert_true(gw_revoker_check(r, "jti-1", 5));
    cmn_clock_manual_advance(&clock, 59999); /* just before tick 3 */
    assert_true(gw_revoker_check(r, "jti-1", 5));
    cmn_clock_manual_advance(&clock, 1); /* tick 3: 2.5 TTLs after the add */
    assert_false(gw_revoker_check(r, "jti-1", 5));
    /* several ticks at once (an idle gateway): everything is gone */
    gw_revoker_add(r, "jti-3", 5);
    cmn_clock_manual_advance(&clock, 10 * 60000);
    assert_false(gw_revoker_check(r, "jti-3", 5));
    gw_revoker_add(r, "jti-4", 5); /* and the set works on */
    assert_true(gw_revoker_check(r, "jti-4", 5));
    gw_revoker_destroy(r);
}

/* RejectToken: string claims of the token keys, "<key>-<value>". */
static void test_rejected(void **state)
{
    struct cmn_clock_manual clock;
    struct gw_revoker *r;
    json_t *c1 = json_loads("{\"jti\":\"abc\",\"sub\":\"alice\",\"aud\":[\"x\"],\"n\":5}", 0, NULL);
    json_t *c2 = json_loads("{\"jti\":\"other\",\"sub\":\"bob\"}", 0, NULL);
    char longv[2000];
    json_t *c3;

    (void)state;
    cmn_clock_manual_init(&clock, 1000, 0);
    r = revoker("{" GOOD ",\"token_keys\":[\"jti\",\"aud\",\"n\",\"sub\"]}", &clock);
    assert_false(gw_revoker_rejected(r, c1));
    gw_revoker_add(r, "sub-bob", 7);
    assert_false(gw_revoker_rejected(r, c1));
    assert_true(gw_revoker_rejected(r, c2)); /* a later key matches */
    gw_revoker_add(r, "n-5", 3);             /* a number claim is never looked at */
    gw_revoker_add(r, "aud-x", 5);           /* nor an array one */
    assert_false(gw_revoker_rejected(r, c1));
    gw_revoker_add(r, "jti-abc", 7);
    assert_true(gw_revoker_rejected(r, c1));
    memset(longv, 'v', sizeof(longv) - 1); /* past the stack buffer */
    longv[sizeof(longv) - 1] = '\0';
    c3 = json_pack("{s:s}", "jti", longv);
    assert_false(gw_revoker_rejected(r, c3));
    {
        char e[2100];

        snprintf(e, sizeof(e), "jti-%s", longv);
        gw_revoker_add(r, e, strlen(e));
    }
    assert_true(gw_revoker_rejected(r, c3));
    assert_false(gw_revoker_rejected(NULL, c3));
    json_decref(c1);
    json_decref(c2);
    json_decref(c3);
    gw_revoker_destroy(r);
}

static unsigned feed(struct gw_revoker *r, const char *method, const char *path, const char *body,
                     char *out, size_t size)
{
    struct cmn_buf b;
    unsigned st;

    cmn_buf_init(&b, 1 << 20);
    st = gw_revoker_feed(r, method, path, body, body ? strlen(body) : 0, &b);
    snprintf(out, size, "%s", cmn_buf_str(&b));
    cmn_buf_free(&b);
    return st;
}

static void test_feed(void **state)
{
    struct cmn_clock_manual clock;
    struct gw_revoker *r;
    char out[256];
    char *many;

    (void)state;
    cmn_clock_manual_init(&clock, 1000, 0);
    r = revoker("{" GOOD ",\"token_keys\":[\"jti\"]}", &clock);
    assert_int_equal(feed(r, "POST", "/add", "[\"jti-a\",\"jti-b\"]", out, sizeof(out)), 200);
    assert_string_equal(out, "{\"count\":2}");
    assert_int_equal(feed(r, "POST", "/check", "[\"jti-a\",\"jti-c\",\"jti-b\"]", out, sizeof(out)),
                     200);
    assert_string_equal(out, "{\"checks\":[true,false,true]}");
    assert_int_equal(feed(r, "POST", "/check", "[]", out, sizeof(out)), 200);
    assert_string_equal(out, "{\"checks\":[]}");
    /* an element with a NUL byte is the element with it */
    assert_int_equal(feed(r, "POST", "/add", "[\"jti-\\u0000x\"]", out, sizeof(out)), 200);
    assert_true(gw_revoker_check(r, "jti-\0x", 6));
    assert_false(gw_revoker_check(r, "jti-", 4));
    /* refusals: nothing is added */
    assert_int_equal(feed(r, "GET", "/add", NULL, out, sizeof(out)), 405);
    assert_int_equal(feed(r, "POST", "/remove", "[]", out, sizeof(out)), 404);
    assert_int_equal(feed(r, "POST", "/add", "{\"jti\":\"z\"}", out, sizeof(out)), 400);
    assert_int_equal(feed(r, "POST", "/add", "[\"jti-z\",3]", out, sizeof(out)), 400);
    assert_false(gw_revoker_check(r, "jti-z", 5));
    assert_int_equal(feed(r, "POST", "/add", "[\"jti-z\"", out, sizeof(out)), 400);
    assert_int_equal(feed(r, "POST", "/add", "", out, sizeof(out)), 400);
    assert_non_null(strstr(out, "\"error\""));
    { /* one element too many */
        struct cmn_buf b;

        cmn_buf_init(&b, 1 << 20);
        cmn_buf_append_str(&b, "[\"\"");
        for (int i = 0; i < GW_REVOKER_FEED_MAX_ELEMS; i++)
            cmn_buf_append_str(&b, ",\"\"");
        cmn_buf_append_str(&b, "]");
        many = cmn_buf_take(&b, NULL);
        assert_int_equal(feed(r, "POST", "/add", many, out, sizeof(out)), 400);
        free(many);
    }
    gw_revoker_destroy(r);
}

/* The feed on a socket, and KrakenD's startup lines from the configuration. */
static void test_listen_and_config(void **state)
{
    static const char cfg_fmt[] =
        "{\"version\":3,\"extra_config\":{\"auth/revoker\":{\"N\":1000,\"P\":0.01,"
        "\"hash_name\":\"optimal\",\"TTL\":60,\"port\":%u,\"token_keys\":[\"jti\"]}},"
        "\"endpoints\":[]}";
    char text[512];
    struct cmn_err err = {0};
    struct gw_config *cfg;
    struct gw_revoker *r = NULL;
    struct tu_conn c;
    struct tu_answer a;
    const char *body = "[\"jti-x\"]";
    char req[256], *log;

    (void)state;
    tu_log_capture(CMN_LOG_DEBUG);
    snprintf(text, sizeof(text), cfg_fmt, 0u);
    cfg = gw_config_parse(text, strlen(text), "t.json", environ, &err);
    assert_non_null(cfg);
    assert_int_equal(gw_revoker_from_config(cfg, NULL, false, &r, &err), GW_REV_OK);
    assert_non_null(r);
    assert_int_equal(gw_revoker_port(r), 0);
    log = tu_log_take();
    assert_non_null(strstr(log, "KRAKEND WARNING: extra_config.auth/revoker.port: 0 is no port"));
    assert_non_null(strstr(log, "KRAKEND WARNING: [SERVICE: Bloomfilter] KrakenD's Go RPC client "
                                "(net/rpc BloomfilterRPC.Add, Check, Union) is not supported"));
    assert_non_null(strstr(log, "KRAKEND DEBUG: [SERVICE: Bloomfilter] Service registered "
                                "successfully\n"));
    free(log);

    assert_true(gw_revoker_listen(r, 0, &err));
    assert_true(gw_revoker_port(r) > 0);
    assert_true(tu_connect(&c, gw_revoker_port(r), 5000));
    snprintf(req, sizeof(req),
             "POST /add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    assert_true(tu_send_str(&c, req));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.body, "{\"count\":1}");
    assert_string_equal(tu_answer_header(&a, "Content-Type"), "application/json");
    tu_answer_free(&a);
    assert_true(tu_send_str(&c, "GET /check HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.status, 405);
    assert_string_equal(tu_answer_header(&a, "Allow"), "POST");
    tu_answer_free(&a);
    tu_close(&c);
    assert_true(gw_revoker_check(r, "jti-x", 5));
    gw_revoker_destroy(r); /* stops the listener */
    gw_config_destroy(cfg);

    /* a value Go refuses: KrakenD's two lines, no revoker */
    snprintf(text, sizeof(text),
             "{\"version\":3,\"extra_config\":{\"auth/revoker\":{\"N\":\"many\"}},"
             "\"endpoints\":[]}");
    cfg = gw_config_parse(text, strlen(text), "t.json", environ, &err);
    assert_non_null(cfg);
    assert_int_equal(gw_revoker_from_config(cfg, NULL, true, &r, &err), GW_REV_OFF);
    assert_null(r);
    log = tu_log_take();
    assert_string_equal(
        log, "KRAKEND ERROR: [SERVICE: Bloomfilter] Unable to parse the bloomfilter configuration: "
             "json: cannot unmarshal string into Go struct field Config.n of type uint "
             "{\"N\":\"many\"}\n"
             "KRAKEND WARNING: [SERVICE: Bloomfilter] json: cannot unmarshal string into Go struct "
             "field Config.n of type uint\n");
    free(log);
    gw_config_destroy(cfg);
    /* none: nothing at all */
    snprintf(text, sizeof(text), "{\"version\":3,\"endpoints\":[]}");
    cfg = gw_config_parse(text, strlen(text), "t.json", environ, &err);
    assert_int_equal(gw_revoker_from_config(cfg, NULL, true, &r, &err), GW_REV_ABSENT);
    assert_null(r);
    gw_config_destroy(cfg);
    tu_log_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options), cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_invalid), cmocka_unit_test(test_params_and_hash),
        cmocka_unit_test(test_sliding), cmocka_unit_test(test_rejected),
        cmocka_unit_test(test_feed),    cmocka_unit_test(test_listen_and_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
