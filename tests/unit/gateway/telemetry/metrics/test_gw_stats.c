/* test_gw_stats.c - telemetry/metrics: configuration, go-metrics' statistics, the /__stats
 * document, the collection tick and the Influx snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_stats.h"

static json_t *js(const char *s)
{
    json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);

    assert_non_null(j);
    return j;
}

static bool has_warning(const struct gw_tel_strs *w, const char *part)
{
    for (size_t i = 0; i < w->n; i++)
        if (strstr(w->items[i], part))
            return true;
    return false;
}

static void config_defaults_and_fallbacks(void **state)
{
    struct gw_stats_config c;
    struct cmn_err err = {0};
    json_t *j = js("{}");

    (void)state;
    assert_true(gw_stats_config_parse(j, &c, &err));
    assert_int_equal(c.collection_ns, 60000000000LL);
    assert_string_equal(c.listen_address, ":8090");
    assert_false(c.proxy_disabled || c.router_disabled || c.backend_disabled ||
                 c.endpoint_disabled);
    gw_stats_config_free(&c);
    json_decref(j);
    j = js("{\"collection_time\":\"10s\",\"listen_address\":\"127.0.0.1:9000\","
           "\"proxy_disabled\":true,\"router_disabled\":\"yes\",\"x\":1}");
    assert_true(gw_stats_config_parse(j, &c, &err));
    assert_int_equal(c.collection_ns, 10000000000LL);
    assert_string_equal(c.listen_address, "127.0.0.1:9000");
    assert_true(c.proxy_disabled);
    assert_false(c.router_disabled);
    assert_true(has_warning(&c.warnings, "router_disabled: not a bool"));
    assert_true(has_warning(&c.warnings, "telemetry/metrics.x: unknown key"));
    gw_stats_config_free(&c);
    json_decref(j);
    j = js("{\"collection_time\":60,\"listen_address\":8090}");
    assert_true(gw_stats_config_parse(j, &c, &err));
    assert_int_equal(c.collection_ns, 60000000000LL);
    assert_string_equal(c.listen_address, ":8090");
    assert_true(has_warning(&c.warnings, "collection_time: not a string (KrakenD CE crashes"));
    gw_stats_config_free(&c);
    json_decref(j);
    j = js("{\"collection_time\":\"soon\"}");
    assert_true(gw_stats_config_parse(j, &c, &err));
    assert_int_equal(c.collection_ns, 60000000000LL);
    gw_stats_config_free(&c);
    json_decref(j);
    j = js("[]");
    assert_false(gw_stats_config_parse(j, &c, &err));
    json_decref(j);
}

struct fixture {
    struct gw_stats_config cfg;
    struct gw_stats *s;
    struct gw_stats_endpoint *ep;
    struct gw_stats_backend *be;
};

static void fixture_init(struct fixture *f, const char *cfg_json, unsigned workers)
{
    struct cmn_err err = {0};
    json_t *j = js(cfg_json);
    char *bname = gw_stats_backend_name("/foo/{id}");

    assert_true(gw_stats_config_parse(j, &f->cfg, &err));
    json_decref(j);
    f->s = gw_stats_new(&f->cfg, workers, 42, &err);
    assert_non_null(f->s);
    f->ep = gw_stats_endpoint_new(f->s, "/foo/:id");
    f->be = gw_stats_backend_new(f->s, bname);
    assert_non_null(f->ep);
    assert_non_null(f->be);
    free(bname);
}

static void fixture_free(struct fixture *f)
{
    gw_stats_destroy(f->s);
    gw_stats_config_free(&f->cfg);
}

static char *render(struct fixture *f)
{
    const char *argv[] = {"/usr/bin/krakend", "run", "-c", "/etc/krakend/<k>.json"};
    struct cmn_buf b;

    cmn_buf_init(&b, 1 << 22);
    assert_true(gw_stats_render(f->s, argv, 4, NULL, &b));
    return cmn_buf_take(&b, NULL);
}

static void requests(struct fixture *f, unsigned w, int n)
{
    for (int i = 1; i <= n; i++) {
        gw_stats_router_begin(f->s, w);
        gw_stats_backend(f->s, w, f->be, true, false, 1000000 * i);
        gw_stats_pipe(f->s, w, f->ep, true, false, 1000000 * i);
        gw_stats_router_end(f->s, w, f->ep, i % 5 == 0 ? 404 : 200, 100 * i, 1000000 * i);
    }
}

static void document_layout_and_values(void **state)
{
    struct fixture f;
    char *out;
    json_error_t je;
    json_t *doc;

    (void)state;
    fixture_init(&f, "{}", 2);
    requests(&f, 0, 6);
    requests(&f, 1, 4);
    out = render(&f);
    /* expvar layout: "{\n", one `%q: value` per line joined by ",\n", "\n}\n" */
    {
        const char *want = "{\n\"cmdline\": [\"/usr/bin/krakend\",\"run\",\"-c\","
                           "\"/etc/krakend/\\u003ck\\u003e.json\"],\n";
        assert_true(strncmp(out, want, strlen(want)) == 0);
    }
    assert_string_equal(out + strlen(out) - 3, "\n}\n");
    assert_non_null(strstr(out, ",\n\"krakend.router.connected\": 10,\n"));
    assert_non_null(strstr(out, "\"krakend.router.response./foo/:id.status\": 0,\n"));
    assert_non_null(strstr(out, "\"krakend.router.response./foo/:id.status.200.count\": 9,\n"));
    assert_non_null(strstr(out, "\"krakend.router.response./foo/:id.status.404.count\": 1,\n"));
    /* times 1..6 ms and 1..4 ms: mean 3.1e+06 ns, Go's %g */
    assert_non_null(strstr(out, "\"krakend.router.response./foo/:id.time.count\": 10,\n"));
    assert_non_null(strstr(out, "\"krakend.router.response./foo/:id.time.mean\": 3.1e+06,\n"));
    assert_non_null(strstr(out, "\"krakend.router.response./foo/:id.time.max\": 6e+06,\n"));
    assert_non_null(strstr(out, "\"krakend.router.response./foo/:id.size.min\": 100,\n"));
    assert_non_null(strstr(out,
                           "\"krakend.proxy.requests.layer.backend.name./foo/{{.Id}}.complete.true."
                           "error.false\": 10,\n"));
    assert_non_null(strstr(out, "\"krakend.proxy.requests.layer.pipe.name./foo/:id.complete."
                                "false.error.true\": 0,\n"));
    assert_non_null(strstr(out, "\"krakend.proxy.latency.layer.pipe.name./foo/:id.complete."
                                "false.error.false.count\": 0,\n"));
    assert_non_null(strstr(out, "\"krakend.service.runtime.ReadMemStats.mean-rate\": 0"));
    assert_non_null(strstr(out, "\"memstats\": {}"));
    /* valid JSON, keys in byte order */
    doc = json_loads(out, 0, &je);
    if (!doc)
        fail_msg("not JSON: %s (line %d)", je.text, je.line);
    json_decref(doc);
    {
        char prev[1024] = "", key[1024];
        for (const char *p = strstr(out, "\n\""); p; p = strstr(p + 1, "\n\"")) {
            const char *end = strstr(p + 2, "\": ");
            assert_non_null(end);
            snprintf(key, sizeof(key), "%.*s", (int)(end - p - 2), p + 2);
            assert_true(strcmp(prev, key) < 0);
            memcpy(prev, key, sizeof(prev));
        }
    }
    free(out);
    fixture_free(&f);
}

static void percentiles_as_go_metrics(void **state)
{
    struct fixture f;
    char *out;

    (void)state;
    fixture_init(&f, "{}", 1);
    for (int i = 1; i <= 10; i++)
        gw_stats_pipe(f.s, 0, f.ep, true, true, i);
    out = render(&f);
#define K "\"krakend.proxy.latency.layer.pipe.name./foo/:id.complete.true.error.true"
    assert_non_null(strstr(out, K ".50-percentile\": 5.5,"));
    assert_non_null(strstr(out, K ".75-percentile\": 8.25,"));
    assert_non_null(strstr(out, K ".95-percentile\": 10,"));
    assert_non_null(strstr(out, K ".std-dev\": 2.8722813232690143,"));
    assert_non_null(strstr(out, K ".mean\": 5.5,"));
    assert_non_null(strstr(out, K ".min\": 1,"));
#undef K
    free(out);
    fixture_free(&f);
}

static void tick_moves_connections_and_clears_histograms(void **state)
{
    struct fixture f;
    struct gw_stats_snapshot snap;
    struct gw_stats_runtime rt = {0};
    bool found_hist = false, found_counter = false;
    char *out;

    (void)state;
    fixture_init(&f, "{}", 2);
    requests(&f, 1, 3);
    gw_stats_router_begin(f.s, 0); /* one still in flight */
    rt.num_thread = 7;
    assert_true(gw_stats_tick(f.s, &rt, 1700000000, &snap));
    assert_int_equal(snap.unix_s, 1700000000);
    for (size_t i = 0; i < snap.n_histograms; i++)
        if (strcmp(snap.histograms[i].name, "krakend.router.response./foo/:id.size") == 0) {
            found_hist = true;
            assert_int_equal(snap.histograms[i].hist.max, 300);
            assert_true(snap.histograms[i].hist.mean == 200);
        }
    /* KrakenD aggregates the router first, then takes the snapshot: connected reads 0 */
    for (size_t i = 0; i < snap.n_counters; i++)
        if (strcmp(snap.counters[i].name, "krakend.router.connected") == 0) {
            found_counter = true;
            assert_int_equal(snap.counters[i].value, 0);
        }
    for (size_t i = 0; i < snap.n_gauges; i++)
        if (strcmp(snap.gauges[i].name, "krakend.router.connected-gauge") == 0)
            assert_int_equal(snap.gauges[i].value, 4);
    assert_true(found_hist && found_counter);
    gw_stats_snapshot_free(&snap);
    out = render(&f);
    assert_non_null(strstr(out, "\"krakend.router.connected\": 0,\n"));
    assert_non_null(strstr(out, "\"krakend.router.connected-total\": 4,\n"));
    assert_non_null(strstr(out, "\"krakend.router.connected-gauge\": 4,\n"));
    assert_non_null(strstr(out, "\"krakend.router.disconnected-gauge\": 3,\n"));
    assert_non_null(strstr(out, "\"krakend.router.response./foo/:id.size.count\": 0,\n"));
    assert_non_null(strstr(out, "\"krakend.router.response./foo/:id.status.200.count\": 3,\n"));
    assert_non_null(strstr(out, "\"krakend.service.runtime.NumThread\": 7,\n"));
    free(out);
    /* the next period starts from zero and records again */
    requests(&f, 0, 1);
    assert_true(gw_stats_tick(f.s, NULL, 1700000060, NULL));
    out = render(&f);
    assert_non_null(strstr(out, "\"krakend.router.connected-total\": 5,\n"));
    assert_non_null(strstr(out, "\"krakend.router.connected-gauge\": 1,\n"));
    free(out);
    fixture_free(&f);
}

static void reservoir_bounded_count_exact(void **state)
{
    struct fixture f;
    struct gw_stats_snapshot snap;
    char *out;

    (void)state;
    fixture_init(&f, "{}", 4);
    for (int i = 0; i < 20000; i++)
        gw_stats_backend(f.s, (unsigned)(i % 5), f.be, false, true, 1000 + i % 1000);
    out = render(&f);
    assert_non_null(strstr(out, "name./foo/{{.Id}}.complete.false.error.true\": 20000,\n"));
    assert_non_null(strstr(out, "name./foo/{{.Id}}.complete.false.error.true.count\": 20000,\n"));
    free(out);
    assert_true(gw_stats_tick(f.s, NULL, 1, &snap));
    for (size_t i = 0; i < snap.n_histograms; i++)
        if (strstr(snap.histograms[i].name,
                   "backend.name./foo/{{.Id}}.complete.false.error.true")) {
            assert_true(snap.histograms[i].hist.min >= 1000);
            assert_true(snap.histograms[i].hist.max <= 1999);
            assert_true(snap.histograms[i].hist.mean > 1300 && snap.histograms[i].hist.mean < 1700);
        }
    gw_stats_snapshot_free(&snap);
    fixture_free(&f);
}

static void disabled_layers(void **state)
{
    struct fixture f;
    char *out;

    (void)state;
    fixture_init(&f, "{\"router_disabled\":true,\"backend_disabled\":true}", 1);
    requests(&f, 0, 2);
    out = render(&f);
    assert_non_null(strstr(out, "\"krakend.router.connected\": 0,\n"));
    assert_null(strstr(out, "krakend.router.response."));
    assert_null(strstr(out, "layer.backend"));
    assert_non_null(strstr(out, "layer.pipe.name./foo/:id.complete.true.error.false\": 2,\n"));
    free(out);
    fixture_free(&f);
}

static void tls_counters_and_names(void **state)
{
    struct fixture f;
    char name[64], *out;

    (void)state;
    gw_stats_tls_version_name(0x0304, name, sizeof(name));
    assert_string_equal(name, "VersionTLS13");
    gw_stats_tls_suite_name(0xc02f, name, sizeof(name));
    assert_string_equal(name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    gw_stats_tls_suite_name(0x1234, name, sizeof(name));
    assert_string_equal(name, "");
    fixture_init(&f, "{}", 1);
    gw_stats_router_tls(f.s, 0, 0x0304, 0x1301);
    gw_stats_router_tls(f.s, 1, 0x0304, 0x1301); /* the shared shard */
    out = render(&f);
    assert_non_null(strstr(out, "\"krakend.router.tls_version.VersionTLS13.count\": 2,\n"));
    assert_non_null(strstr(out, "\"krakend.router.tls_cipher.TLS_AES_128_GCM_SHA256.count\": 2,"));
    free(out);
    fixture_free(&f);
}

static void backend_internal_names(void **state)
{
    char *n = gw_stats_backend_name("/foo/{id}/{userId}?q={x}");

    (void)state;
    assert_string_equal(n, "/foo/{{.Id}}/{{.UserId}}?q={{.X}}");
    free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_defaults_and_fallbacks),
        cmocka_unit_test(document_layout_and_values),
        cmocka_unit_test(percentiles_as_go_metrics),
        cmocka_unit_test(tick_moves_connections_and_clears_histograms),
        cmocka_unit_test(reservoir_bounded_count_exact),
        cmocka_unit_test(disabled_layers),
        cmocka_unit_test(tls_counters_and_names),
        cmocka_unit_test(backend_internal_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
