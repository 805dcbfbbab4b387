/* test_gw_jwks_tls.c - JWKS over HTTPS: certificate verification, jwk_local_ca,
 * disable_jwk_security, jwk_fingerprints pinning and cipher_suites. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmn_clock.h"
#include "cmn_http.h"
#include "cmn_log.h"
#include "gw_jwks_cache.h"
#include "gw_jwks_fetch.h"
#include "test_gw_jwks_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tpki pki;
static struct tsrv srv;
static char url[128];

static int setup(void **state)
{
    (void)state;
    tpki_init(&pki);
    tsrv_start(&srv, 0, &pki);
    tsrv_set_kids(&srv, "a");
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/jwks.json", srv.port);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tsrv_free(&srv);
    tpki_free(&pki);
    return 0;
}

/* Runs one source until it has keys or fails twice; returns the lookup status of kid "a" and
 * copies the last error into msg. The registry's clock is a manual one: the retry after the
 * first failure happens because the test moves it past the backoff, not because time passed. */
static enum gw_jwks_status fetch_with(const struct gw_jwks_source_opts *o, char *msg, size_t n)
{
    struct cmn_clock_manual mc;
    struct gw_jwks_cache_opts co = {
        /* generous: loading the system CA directory takes seconds under ASan or valgrind */
        .connect_timeout_ms = 15000, .timeout_ms = 20000, .retry_min_ms = 50, .retry_max_ms = 50};
    struct cmn_err err = {0};
    struct gw_jwks_cache *c;
    struct gw_jwks_source *s;
    struct gw_jwks_source_stats st;
    enum gw_jwks_status res;
    int64_t end = cmn_clock_mono_ms() + 30000;
    uint64_t done = 0;

    cmn_clock_manual_init(&mc, 1000000, 1700000000000);
    co.clock = &mc.clock;
    c = gw_jwks_cache_new(&co, &err);
    s = gw_jwks_cache_add(c, o, &err);
    if (!s)
        fail_msg("add: %s", err.msg);
    assert_int_equal(gw_jwks_cache_start(c, &err), GW_JWKS_CACHE_OK);
    for (;;) {
        struct gw_jwks *set;
        const struct gw_jwk *k;
        bool coming;
        /* wait for the fetch under way to finish (a real TLS exchange) */
        while (gw_jwks_source_progress(s, &coming) == done && cmn_clock_mono_ms() <= end)
            sleep_ms(5);
        done = gw_jwks_source_progress(s, &coming);
        res = gw_jwks_source_lookup(s, "a", 0, &set, &k);
        gw_jwks_unref(set);
        gw_jwks_source_stats(s, &st);
        if (res == GW_JWKS_OK || st.failures >= 2 || cmn_clock_mono_ms() > end)
            break;
        cmn_clock_manual_advance(&mc, co.retry_min_ms); /* the retry is due */
        gw_jwks_cache_kick(c);
    }
    gw_jwks_source_last_error(s, msg, n);
    if (res != GW_JWKS_OK)
        print_message("fetch of %s: %s\n", o->jwk_url, msg);
    gw_jwks_cache_destroy(c);
    return res;
}

static void test_verified_with_local_ca(void **state)
{
    struct gw_jwks_source_opts o = {.jwk_url = url, .jwk_local_ca = pki.ca_path};
    char msg[256];

    (void)state;
    assert_int_equal(fetch_with(&o, msg, sizeof(msg)), GW_JWKS_OK);
    /* localhost is in the certificate too */
    snprintf(url, sizeof(url), "https://localhost:%u/jwks.json", srv.port);
    assert_int_equal(fetch_with(&o, msg, sizeof(msg)), GW_JWKS_OK);
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/jwks.json", srv.port);
}

static void test_unknown_ca_refused(void **state)
{
    struct gw_jwks_source_opts o = {.jwk_url = url};
    char msg[256];

    (void)state;
    assert_int_equal(fetch_with(&o, msg, sizeof(msg)), GW_JWKS_NO_KEYS_YET);
    assert_true(msg[0] != '\0');
}

static void test_disable_jwk_security_accepts(void **state)
{
    struct gw_jwks_source_opts o = {.jwk_url = url, .disable_jwk_security = true};
    char msg[256];

    (void)state;
    assert_int_equal(fetch_with(&o, msg, sizeof(msg)), GW_JWKS_OK);
}

static void test_pinning(void **state)
{
    const char *good[] = {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", pki.pin};
    const char *bad[] = {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="};
    struct gw_jwks_source_opts o = {
        .jwk_url = url, .jwk_local_ca = pki.ca_path, .jwk_fingerprints = good, .n_fingerprints = 2};
    char msg[256];

    (void)state;
    assert_int_equal(fetch_with(&o, msg, sizeof(msg)), GW_JWKS_OK); /* one of them matches */
    o.jwk_fingerprints = bad;
    o.n_fingerprints = 1;
    assert_int_equal(fetch_with(&o, msg, sizeof(msg)), GW_JWKS_NO_KEYS_YET);
    assert_non_null(strstr(msg, "public key"));
    /* the pin still applies when certificate checks are disabled */
    o.jwk_local_ca = NULL;
    o.disable_jwk_security = true;
    assert_int_equal(fetch_with(&o, msg, sizeof(msg)), GW_JWKS_NO_KEYS_YET);
    o.jwk_fingerprints = good;
    o.n_fingerprints = 2;
    assert_int_equal(fetch_with(&o, msg, sizeof(msg)), GW_JWKS_OK);
}

static void test_fingerprint_forms(void **state)
{
    /* 32 bytes of 0xfb: base64 "+/v7...", base64url "-_v7..." */
    const char *forms[] = {"-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_s=",
                           "+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s=",
                           "-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_s"};
    struct gw_jwks_tls t;
    struct cmn_err err = {0};

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(gw_jwks_tls_init(&t, false, &forms[i], 1, NULL, NULL, 0, &err),
                         GW_JWKS_FETCH_OK);
        assert_string_equal(t.pins, "sha256//+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s=");
        gw_jwks_tls_free(&t);
    }
}

static void test_cipher_suites(void **state)
{
    /* KrakenD's default list (Go's crypto/tls numbers) */
    const uint16_t suites[] = {49199, 49195, 49200, 49196, 52392, 52393, 0xffff};
    struct gw_jwks_tls t;
    struct cmn_err err = {0};
    struct gw_jwks_source_opts o = {
        .jwk_url = url, .jwk_local_ca = pki.ca_path, .cipher_suites = suites, .n_cipher_suites = 7};
    char msg[256];

    (void)state;
    assert_int_equal(gw_jwks_tls_init(&t, false, NULL, 0, NULL, suites, 7, &err), GW_JWKS_FETCH_OK);
    assert_non_null(t.priority);
    assert_non_null(strstr(t.priority, "+ECDHE-RSA"));
    assert_non_null(strstr(t.priority, "+ECDHE-ECDSA"));
    assert_non_null(strstr(t.priority, "+AES-128-GCM"));
    assert_non_null(strstr(t.priority, "+CHACHA20-POLY1305"));
    assert_null(strstr(t.priority, "CBC"));
    gw_jwks_tls_free(&t);
    assert_int_equal(fetch_with(&o, msg, sizeof(msg)), GW_JWKS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verified_with_local_ca),
        cmocka_unit_test(test_unknown_ca_refused),
        cmocka_unit_test(test_disable_jwk_security_accepts),
        cmocka_unit_test(test_pinning),
        cmocka_unit_test(test_fingerprint_forms),
        cmocka_unit_test(test_cipher_suites),
    };

    cmn_log_init("KRAKEND", CMN_LOG_CRITICAL, 2);
    return cmocka_run_group_tests(tests, setup, teardown);
}
