/* test_gw_prom.c - the Prometheus exposition of KrakenD's instruments against the spec's
 * §3.13 example, Go's ordering and float formatting, process metrics, promtool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gw_otel_metrics.h"
#include "gw_prom.h"
#include "tu_file.h"
#include "tu_shared.h"

#define SPEC "spec/krakend-telemetry-validation.md"
#define ELLIPSIS "\xe2\x80\xa6"

struct world {
    struct gw_otel_config *cfg;
    struct gw_otel_metrics *m;
    struct gw_otel_metrics_endpoint *ep;
    struct gw_otel_metrics_backend *be;
    struct gw_otel_endpoint_opts eo;
    struct gw_otel_backend_eff bo;
    struct gw_tel_strs warn;
};

static void world_init(struct world *w, const char *otel_json)
{
    struct cmn_err err = {0};
    struct gw_otel_config_env env = {0};
    json_error_t je;
    json_t *j = json_loads(otel_json, 0, &je);
    const char *hosts[] = {"http://127.0.0.1:8081"};
    char *route = gw_tel_endpoint_route("/users/{id}");

    memset(w, 0, sizeof(*w));
    env.gateway_version = "2.13.8";
    assert_non_null(j);
    assert_int_equal(gw_otel_config_parse(j, &env, &w->cfg, &err), GW_OTEL_CONFIG_OK);
    json_decref(j);
    w->m = gw_otel_metrics_new(w->cfg, 2, 0, 1000, &err);
    assert_non_null(w->m);
    assert_string_equal(route, "/users/:id");
    assert_true(gw_otel_config_endpoint(w->cfg, route, NULL, "endpoints[0]", &w->eo, &w->warn));
    w->ep = gw_otel_metrics_endpoint_new(w->m, route, "GET", &w->eo);
    assert_true(
        gw_otel_config_backend(w->cfg, route, NULL, "endpoints[0].backend[0]", &w->bo, &w->warn));
    w->be = gw_otel_metrics_backend_new(w->m, w->ep, "/api/users/{id}", "GET", &w->bo, hosts, 1);
    assert_non_null(w->ep);
    assert_non_null(w->be);
    free(route);
}

static void world_free(struct world *w)
{
    gw_otel_endpoint_opts_free(&w->eo);
    gw_otel_backend_eff_free(&w->bo);
    gw_tel_strs_free(&w->warn);
    gw_otel_metrics_destroy(w->m);
    gw_otel_config_free(w->cfg);
}

/* The §3.13 request: GET /users/42 -> backend /api/users/42 on 127.0.0.1:8081, 3.1 ms. */
static void one_request(struct world *w, unsigned worker)
{
    struct gw_metrics_shard *s = gw_otel_metrics_shard(w->m, worker);
    struct gw_otel_rt rt = {0, -1, GW_OTEL_RT_OK, 200, 0, 42, false, 0.0012, 0, 0, 0};

    gw_otel_metrics_roundtrip(s, w->be, &rt);
    gw_otel_metrics_payload(s, w->be, 42, 0.0001, false);
    gw_otel_metrics_backend(s, w->be, gw_otel_outcome(false, false, false, true), 0.002);
    gw_otel_metrics_proxy(s, w->ep, gw_otel_outcome(false, false, false, true), 0.0025);
    gw_otel_metrics_global(w->m, s, w->ep, GW_OTEL_M_GET, 200, false, 0.0031, 42);
}

static char *render(struct world *w, bool process)
{
    struct gw_metrics_snapshot snap;
    struct cmn_err err = {0};
    struct cmn_buf b;
    struct gw_process_stats ps = {0};
    struct gw_prom_input in = {&snap, &w->cfg->resource, NULL};

    if (process) {
        ps.have_stat = ps.have_fds = ps.have_limits = ps.have_net = true;
        ps.cpu_seconds = 0.25;
        ps.rss = 1048576;
        ps.max_vsize = 18446744073709551615.0;
        in.proc = &ps;
    }
    assert_true(gw_metrics_collect(gw_otel_metrics_registry(w->m), &snap, &err));
    cmn_buf_init(&b, 1 << 20);
    assert_true(gw_prom_render(&in, &b));
    gw_metrics_snapshot_free(&snap);
    return cmn_buf_take(&b, NULL);
}

/* '…' in a spec line stands for any text. */
static bool glob(const char *pat, const char *s)
{
    const char *e = strstr(pat, ELLIPSIS);

    if (!e)
        return strcmp(pat, s) == 0;
    if (strncmp(pat, s, (size_t)(e - pat)) != 0)
        return false;
    s += e - pat;
    for (const char *t = s;; t++) {
        if (glob(e + 3, t))
            return true;
        if (!*t)
            return false;
    }
}

static bool has_line(const char *text, const char *pat)
{
    char line[4096];

    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        snprintf(line, sizeof(line), "%.*s", (int)n, p);
        if (glob(pat, line))
            return true;
        p += n + (p[n] ? 1 : 0);
    }
    return false;
}

static void exposition_matches_spec_3_13(void **state)
{
    struct world w;
    char *spec = tu_shared_read(SPEC, NULL), *out, *block, *end;
    int checked = 0;

    (void)state;
    assert_non_null(spec);
    world_init(&w, "{\"exporters\":{\"prometheus\":[{\"name\":\"p\"}]}}");
    one_request(&w, 0);
    out = render(&w, false);
    block = strstr(spec, "### 3.13");
    assert_non_null(block);
    block = strstr(block, "```\n");
    assert_non_null(block);
    block += 4;
    end = strstr(block, "```");
    assert_non_null(end);
    *end = '\0';
    {
        char *p = block;
        while (*p) {
            size_t n = strcspn(p, "\n");
            char pat[4096];
            snprintf(pat, sizeof(pat), "%.*s", (int)n, p);
            p += n + (p[n] ? 1 : 0);
            if (strcmp(pat, ELLIPSIS) == 0 || !*pat)
                continue;
            if (!has_line(out, pat))
                fail_msg("spec line not in the exposition:\n%s\n--- exposition:\n%s", pat, out);
            checked++;
        }
    }
    assert_true(checked >= 11);
    free(out);
    free(spec);
    world_free(&w);
}

/* Family names of the "# TYPE" lines, in order. */
static size_t type_names(const char *text, char names[][128], size_t cap)
{
    size_t n = 0;

    for (const char *p = strstr(text, "# TYPE "); p && n < cap; p = strstr(p + 1, "# TYPE ")) {
        size_t l = strcspn(p + 7, " ");
        snprintf(names[n++], 128, "%.*s", (int)l, p + 7);
    }
    return n;
}

static void families_sorted_by_name_as_client_golang(void **state)
{
    struct world w;
    char names[64][128];
    char *out;
    size_t n;

    (void)state;
    world_init(&w, "{\"exporters\":{\"prometheus\":[{\"name\":\"p\"}]}}");
    one_request(&w, 0);
    out = render(&w, true);
    n = type_names(out, names, 64);
    assert_true(n > 10);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(names[i - 1], names[i]) < 0);
    assert_string_equal(names[n - 1], "target_info");
    /* KrakenD's instruments have an empty description: the HELP line names the instrument */
    assert_non_null(strstr(out, "# HELP krakend_proxy_duration krakend.proxy.duration\n"
                                "# TYPE krakend_proxy_duration "
                                "histogram\n"));
    free(out);
    world_free(&w);
}

static void histogram_buckets_cumulative_and_go_floats(void **state)
{
    struct world w;
    struct gw_metrics_shard *s0, *s1, *sh;
    char *out;

    (void)state;
    world_init(&w, "{\"exporters\":{\"prometheus\":[{}]}}");
    s0 = gw_otel_metrics_shard(w.m, 0);
    s1 = gw_otel_metrics_shard(w.m, 1);
    sh = gw_otel_metrics_shard(w.m, 2);
    /* three workers' shards summed; 0.01 is inclusive; 2e6 bytes lands in the 4 MiB bucket */
    gw_otel_metrics_global(w.m, s0, w.ep, GW_OTEL_M_GET, 200, false, 0.01, 1048576);
    gw_otel_metrics_global(w.m, s1, w.ep, GW_OTEL_M_GET, 200, false, 0.5, 2000000);
    gw_otel_metrics_global(w.m, sh, w.ep, GW_OTEL_M_GET, 200, false, 12, 10);
    gw_otel_metrics_payload(s0, w.be, 1000000, 0.5, false);
    out = render(&w, false);
#define L                                                                                          \
    "http_request_method=\"GET\",http_response_status_code=\"200\",http_route="                    \
    "\"/users/:id\",otel_scope_name=\"io.krakend.krakend-otel\",otel_scope_version="               \
    "\"\",url_scheme=\"http\""
    assert_non_null(strstr(out, "http_server_duration_bucket{" L ",le=\"0.01\"} 1\n"));
    assert_non_null(strstr(out, "http_server_duration_bucket{" L ",le=\"0.5\"} 2\n"));
    assert_non_null(strstr(out, "http_server_duration_bucket{" L ",le=\"10\"} 2\n"));
    assert_non_null(strstr(out, "http_server_duration_bucket{" L ",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(out, "http_server_duration_sum{" L "} 12.51\n"));
    assert_non_null(strstr(out, "http_server_duration_count{" L "} 3\n"));
    assert_non_null(strstr(out, "http_server_response_size_bucket{" L ",le=\"1.048576e+06\"} 2\n"));
    assert_non_null(strstr(out, "http_server_response_size_bucket{" L ",le=\"4.194304e+06\"} 3\n"));
    assert_non_null(strstr(out, "http_server_response_size_sum{" L "} 3.048586e+06\n"));
    /* a counter of a million prints as Go prints float64s */
    assert_non_null(strstr(out, "http_client_response_read_size_total{"));
    assert_non_null(strstr(out, "} 1e+06\n"));
    assert_non_null(strstr(out, "http_client_response_read_time_seconds_total{"));
    assert_non_null(strstr(out, "http_client_response_read_time_hist_seconds_bucket{"));
#undef L
    free(out);
    world_free(&w);
}

static void no_endpoint_routes_by_status_text(void **state)
{
    struct world w;
    struct gw_metrics_shard *s;
    char *out;

    (void)state;
    world_init(&w, "{\"exporters\":{\"prometheus\":[{}]}}");
    s = gw_otel_metrics_shard(w.m, 0);
    gw_otel_metrics_global(w.m, s, NULL, gw_otel_method_index("get", 3), 404, false, 0.001, 19);
    gw_otel_metrics_global(w.m, s, NULL, gw_otel_method_index("BREW", 4), 405, false, 0.001, 0);
    gw_otel_metrics_global(w.m, s, NULL, GW_OTEL_M_GET, 101, true, 0.001, 0);
    gw_otel_metrics_global(w.m, s, NULL, GW_OTEL_M_GET, 599, false, 0.001, 0);
    out = render(&w, false);
    assert_non_null(strstr(out, "http_server_duration_count{http_request_method=\"GET\","
                                "http_response_status_code=\"404\",http_route=\"404 Not Found\""));
    assert_non_null(strstr(out, "{http_request_method=\"_OTHER\",http_response_status_code=\"405\","
                                "http_route=\"405 Method Not Allowed\""));
    assert_non_null(strstr(out, "http_route=\"Upgraded Connection\""));
    assert_non_null(strstr(out, "http_route=\"599 \""));
    /* no proxy or backend series were recorded, so none is served */
    assert_null(strstr(out, "krakend_proxy_duration"));
    free(out);
    world_free(&w);
}

static void skipped_endpoint_measured_as_unmatched(void **state)
{
    struct world w;
    char *out;

    (void)state;
    world_init(&w, "{\"skip_paths\":[\"/users/:id\"],\"exporters\":{\"prometheus\":[{}]}}");
    one_request(&w, 1);
    out = render(&w, false);
    assert_non_null(strstr(out, "http_route=\"200 OK\""));
    assert_null(strstr(out, "http_route=\"/users/:id\""));
    assert_null(strstr(out, "krakend_proxy_duration"));
    assert_null(strstr(out, "krakend_backend_duration"));
    assert_null(strstr(out, "http_client_duration"));
    free(out);
    world_free(&w);
}

static void semconv_1_27_names_units_help(void **state)
{
    struct world w;
    char *out;

    (void)state;
    world_init(&w, "{\"layers\":{\"global\":{\"semantic_convention\":\"1.27\"}},"
                   "\"exporters\":{\"prometheus\":[{}]}}");
    one_request(&w, 0);
    out = render(&w, false);
    assert_non_null(strstr(out, "# HELP http_server_request_duration_seconds Duration of HTTP "
                                "server requests.\n# TYPE http_server_request_duration_seconds "
                                "histogram\n"));
    assert_non_null(strstr(out, "http_server_response_body_size_bytes_bucket{"));
    assert_non_null(strstr(out, "http_client_request_duration_seconds_bucket{"));
    assert_non_null(strstr(out, "http_client_request_body_size_bytes_count{"));
    assert_non_null(strstr(out, "http_client_response_body_size_bytes_sum{"));
    /* the defaults' layers.backend has detailed_connection: the counters stay */
    assert_non_null(strstr(out, "http_client_request_started_count_total{"));
    assert_non_null(strstr(out, "http_client_request_get_conn_duration_seconds_bucket{"));
    assert_null(strstr(out, "http_client_request_size_total"));
    assert_null(strstr(out, "http_server_duration_bucket"));
    free(out);
    world_free(&w);
}

static void static_attributes_escaped_and_sorted(void **state)
{
    struct world w;
    char *out;

    (void)state;
    world_init(&w, "{\"layers\":{\"proxy\":{\"metrics_static_attributes\":["
                   "{\"key\":\"a.team\",\"value\":\"x\\\"y\\\\z\\nw\"},"
                   "{\"key\":\"http.route\",\"value\":\"override\"},"
                   "{\"key\":\"\",\"value\":\"dropped\"}]}},"
                   "\"exporters\":{\"prometheus\":[{}]}}");
    one_request(&w, 0);
    out = render(&w, false);
    /* quote, backslash and newline escaped; a static attribute wins over http.route */
    assert_non_null(strstr(out, "krakend_proxy_duration_count{a_team=\"x\\\"y\\\\z\\nw\","
                                "canceled=\"false\",complete=\"true\",error=\"false\","
                                "http_request_method=\"GET\",http_route=\"override\","));
    assert_null(strstr(out, "dropped"));
    free(out);
    world_free(&w);
}

static void process_metrics_and_disabled_exporter(void **state)
{
    struct world w;
    struct gw_process_stats ps = {0};
    struct gw_prom_input in = {NULL, NULL, &ps};
    struct cmn_buf b;
    char *out;

    (void)state;
    world_init(&w, "{\"exporters\":{\"prometheus\":[{\"process_metrics\":true}]}}");
    ps.have_stat = true;
    ps.cpu_seconds = 1.5;
    ps.start_time = 1714557600.25;
    ps.have_limits = true;
    ps.max_fds = 1024;
    ps.max_vsize = 18446744073709551615.0;
    cmn_buf_init(&b, 1 << 16);
    /* disable_metrics: no KrakenD series, no target_info, process collector only */
    assert_true(gw_prom_render(&in, &b));
    out = cmn_buf_take(&b, NULL);
    assert_non_null(strstr(out, "# HELP process_cpu_seconds_total Total user and system CPU "
                                "time spent in seconds.\n# TYPE process_cpu_seconds_total "
                                "counter\nprocess_cpu_seconds_total 1.5\n"));
    assert_non_null(strstr(out, "process_start_time_seconds 1.71455760025e+09\n"));
    assert_non_null(strstr(out, "process_virtual_memory_max_bytes 1.8446744073709552e+19\n"));
    assert_non_null(strstr(out, "process_max_fds 1024\n"));
    assert_null(strstr(out, "process_open_fds"));
    assert_null(strstr(out, "target_info"));
    free(out);
    world_free(&w);
}

static void promtool_accepts_the_exposition(void **state)
{
    struct world w;
    char path[] = "/tmp/test_gw_prom_XXXXXX", cmd[256];
    char *out;
    FILE *f;
    int fd, rc;

    (void)state;
    if (access("/usr/bin/promtool", X_OK) != 0) {
        skip(); /* promtool (Debian package prometheus) is not installed */
        return;
    }
    world_init(&w, "{\"exporters\":{\"prometheus\":[{\"process_metrics\":true}]}}");
    one_request(&w, 0);
    gw_otel_metrics_global(w.m, gw_otel_metrics_shard(w.m, 1), NULL, GW_OTEL_M_POST, 404, false,
                           0.2, 19);
    out = render(&w, true);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs(out, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "/usr/bin/promtool check metrics < %s > %s.log 2>&1", path, path);
    rc = system(cmd);
    if (rc != 0) {
        char log[300];
        char *msg;
        snprintf(log, sizeof(log), "%s.log", path);
        msg = tu_read_file(log, NULL);
        /* lint findings too (exit 3): KrakenD's empty HELP lines would be one, ours name the
         * instrument instead (docs/metrics.md) */
        fail_msg("promtool check metrics failed (%d):\n%s\n--- input:\n%s", rc, msg ? msg : "",
                 out);
    }
    snprintf(cmd, sizeof(cmd), "%s.log", path);
    unlink(cmd);
    unlink(path);
    free(out);
    world_free(&w);
}

/* fuzz_traceparent found a read past "GET" for a method holding NUL bytes (method-with-nul) */
static void method_normalisation(void **state)
{
    (void)state;
    assert_int_equal(gw_otel_method_index("get", 3), GW_OTEL_M_GET);
    assert_int_equal(gw_otel_method_index("Patch", 5), GW_OTEL_M_PATCH);
    assert_int_equal(gw_otel_method_index("PUT", 3), GW_OTEL_M_PUT);
    assert_int_equal(gw_otel_method_index("POST", 4), GW_OTEL_M_POST);
    assert_int_equal(gw_otel_method_index("options", 7), GW_OTEL_M_OPTIONS);
    assert_int_equal(gw_otel_method_index("PURGE", 5), GW_OTEL_M_OTHER);
    assert_int_equal(gw_otel_method_index("GETS", 4), GW_OTEL_M_OTHER);
    assert_int_equal(gw_otel_method_index("GET\0\0\0\0", 7), GW_OTEL_M_OTHER);
    assert_int_equal(gw_otel_method_index("", 0), GW_OTEL_M_OTHER);
    assert_string_equal(gw_otel_method_name(GW_OTEL_M_OTHER), "_OTHER");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(exposition_matches_spec_3_13),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(families_sorted_by_name_as_client_golang),
        cmocka_unit_test(histogram_buckets_cumulative_and_go_floats),
        cmocka_unit_test(no_endpoint_routes_by_status_text),
        cmocka_unit_test(skipped_endpoint_measured_as_unmatched),
        cmocka_unit_test(semconv_1_27_names_units_help),
        cmocka_unit_test(static_attributes_escaped_and_sorted),
        cmocka_unit_test(process_metrics_and_disabled_exporter),
        cmocka_unit_test(promtool_accepts_the_exposition),
        cmocka_unit_test(method_normalisation),
    };
    return tu_run(argc, argv, tests, TU_COUNT(tests), shared, TU_COUNT(shared));
}
