/* test_gw_otel_config.c - "telemetry/opentelemetry" parsing: defaults, Go decoding rules,
 * exporters, resource, overrides, skip_paths and report_headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_otel_config.h"

static struct gw_otel_config_env ENV = {.gateway_version = "2.13.8"};

static enum gw_otel_config_status parse_env(const char *js, const struct gw_otel_config_env *env,
                                            struct gw_otel_config **c, struct cmn_err *err)
{
    json_error_t je;
    json_t *j = json_loads(js, JSON_DECODE_ANY, &je);
    enum gw_otel_config_status st;

    if (!j)
        fail_msg("bad test JSON: %s", je.text);
    st = gw_otel_config_parse(j, env, c, err);
    json_decref(j);
    return st;
}

static struct gw_otel_config *parse_ok(const char *js)
{
    struct gw_otel_config *c = NULL;
    struct cmn_err err = {0};

    if (parse_env(js, &ENV, &c, &err) != GW_OTEL_CONFIG_OK)
        fail_msg("%s: %s", js, err.msg);
    return c;
}

static void expect_invalid(const char *js, const char *msg_part)
{
    struct gw_otel_config *c = NULL;
    struct cmn_err err = {0};

    assert_int_equal(parse_env(js, &ENV, &c, &err), GW_OTEL_CONFIG_INVALID);
    assert_null(c);
    if (!strstr(err.msg, msg_part))
        fail_msg("%s\n  got: %s\n  want: ...%s...", js, err.msg, msg_part);
}

static bool has_warning(const struct gw_tel_strs *w, const char *part)
{
    for (size_t i = 0; i < w->n; i++)
        if (strstr(w->items[i], part))
            return true;
    return false;
}

static const char *kv(const struct gw_tel_kvs *k, const char *key)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->items[i].key, key) == 0)
            return k->items[i].value;
    return NULL;
}

static void absent_block_is_absent(void **state)
{
    struct gw_otel_config *c = (void *)1;
    struct cmn_err err = {0};

    (void)state;
    assert_int_equal(gw_otel_config_parse(NULL, &ENV, &c, &err), GW_OTEL_CONFIG_ABSENT);
    assert_null(c);
}

static void defaults_of_an_empty_block(void **state)
{
    struct gw_otel_config *c = parse_ok("{}");

    (void)state;
    assert_string_equal(c->service_name, "KrakenD");
    assert_string_equal(c->service_version, "2.13.8");
    assert_string_equal(c->deploy_env, "");
    assert_int_equal(c->metric_reporting_period, 30);
    assert_true(c->trace_sample_rate == 1.0);
    assert_false(c->ratio_sampler);
    assert_int_equal(c->skip_paths.n, 4);
    assert_string_equal(c->skip_paths.items[0], "/__health");
    assert_string_equal(c->skip_paths.items[3], "/__stats/");
    assert_false(c->global.disable_metrics || c->global.disable_traces ||
                 c->global.disable_propagation || c->proxy.disable_metrics);
    /* absent layers.backend objects: round trip, payload and connection details on */
    assert_true(c->backend.metrics.round_trip && c->backend.metrics.read_payload &&
                c->backend.metrics.detailed_connection && !c->backend.metrics.disable_stage);
    assert_true(c->backend.traces.round_trip && c->backend.traces.detailed_connection);
    /* no exporter: instruments and spans record nothing */
    assert_false(c->any_metrics_exporter || c->any_traces_exporter);
    assert_int_equal(c->resource.n, 2);
    assert_string_equal(kv(&c->resource, "service.name"), "KrakenD");
    assert_string_equal(kv(&c->resource, "service.version"), "2.13.8");
    assert_int_equal(c->otlp_timeout_ms, 10000);
    gw_otel_config_free(c);
}

static void root_name_and_explicit_values(void **state)
{
    struct gw_otel_config_env env = ENV;
    struct gw_otel_config *c = NULL;
    struct cmn_err err = {0};

    (void)state;
    env.root_name = "My API";
    assert_int_equal(parse_env("{\"deploy_env\":\"prod\",\"metric_reporting_period\":5,"
                               "\"trace_sample_rate\":0.25,\"service_version\":\"v9\"}",
                               &env, &c, &err),
                     GW_OTEL_CONFIG_OK);
    assert_string_equal(c->service_name, "My API");
    assert_string_equal(c->service_version, "v9");
    assert_int_equal(c->metric_reporting_period, 5);
    assert_true(c->ratio_sampler);
    assert_string_equal(kv(&c->resource, "deployment.environment"), "prod");
    gw_otel_config_free(c);
}

static void sample_rate_outside_zero_one_samples_everything(void **state)
{
    static const char *const rates[] = {"0", "-1", "1", "1.5", "100"};

    (void)state;
    for (size_t i = 0; i < 5; i++) {
        char js[64];
        struct gw_otel_config *c;
        snprintf(js, sizeof(js), "{\"trace_sample_rate\":%s}", rates[i]);
        c = parse_ok(js);
        assert_false(c->ratio_sampler);
        gw_otel_config_free(c);
    }
}

static void type_mismatch_disables_with_go_message(void **state)
{
    (void)state;
    expect_invalid("{\"exporters\":{\"prometheus\":[{\"port\":\"9090\"}]}}",
                   "json: cannot unmarshal string into Go struct field "
                   "PrometheusExporter.exporters.prometheus.port of type int (at "
                   "exporters.prometheus[0].port)");
    expect_invalid("{\"metric_reporting_period\":30.5}",
                   "cannot unmarshal number 30.5 into Go struct field "
                   "ConfigData.metric_reporting_period of type int");
    expect_invalid("{\"layers\":{\"global\":{\"disable_metrics\":\"yes\"}}}",
                   "GlobalOpts.layers.global.disable_metrics of type bool");
    expect_invalid("{\"skip_paths\":[\"/a\",3]}", "of type string");
    expect_invalid("{\"exporters\":{\"otlp\":[{\"custom_metric_reporting_period\":-1}]}}",
                   "of type uint");
    expect_invalid("{\"layers\":[]}", "cannot unmarshal array into Go struct field "
                                      "ConfigData.layers of type config.LayersOpts");
    expect_invalid("true", "cannot unmarshal bool into Go value of type config.ConfigData");
}

static void declared_layer_objects_default_to_false(void **state)
{
    struct gw_otel_config *c =
        parse_ok("{\"layers\":{\"backend\":{\"metrics\":{\"disable_stage\":false}}}}");

    (void)state;
    assert_false(c->backend.metrics.round_trip || c->backend.metrics.read_payload ||
                 c->backend.metrics.detailed_connection);
    /* the absent traces object keeps the all-true default */
    assert_true(c->backend.traces.round_trip && c->backend.traces.read_payload);
    gw_otel_config_free(c);
}

static void go_decoding_null_and_case(void **state)
{
    struct gw_otel_config *c = parse_ok("{\"Service_Name\":\"svc\",\"layers\":null,"
                                        "\"trace_sample_rate\":null,\"skip_paths\":null}");

    (void)state;
    assert_string_equal(c->service_name, "svc");
    assert_true(c->trace_sample_rate == 1.0);
    assert_int_equal(c->skip_paths.n, 4);
    assert_true(c->backend.metrics.round_trip);
    gw_otel_config_free(c);
}

static void skip_paths_exact_and_empty_entry(void **state)
{
    struct gw_otel_config *c = parse_ok("{}");

    (void)state;
    assert_true(gw_otel_config_skips(c, "/__health", 9));
    assert_true(gw_otel_config_skips(c, "/__debug/", 9));
    assert_false(gw_otel_config_skips(c, "/__debug/x", 10));
    assert_false(gw_otel_config_skips(c, "/__health/", 10));
    gw_otel_config_free(c);
    c = parse_ok("{\"skip_paths\":[\"\"]}");
    assert_false(gw_otel_config_skips(c, "/__health", 9));
    assert_true(gw_otel_config_skips(c, "", 0));
    gw_otel_config_free(c);
}

static void exporter_names_unique_across_lists(void **state)
{
    (void)state;
    expect_invalid(
        "{\"exporters\":{\"otlp\":[{\"name\":\"a\"}],\"prometheus\":[{\"name\":\"a\"}]}}",
        "prometheus with duplicate name: a (at idx 0)");
    expect_invalid("{\"exporters\":{\"otlp\":[{\"name\":\"x\"},{\"name\":\"x\"}]}}",
                   "OTLP exporter with duplicate name: x (at idx 1)");
    /* two unnamed exporters share the name "" */
    expect_invalid("{\"exporters\":{\"prometheus\":[{},{}]}}",
                   "prometheus with duplicate name:  (at idx 1)");
}

static void exporters_derived_settings_and_warnings(void **state)
{
    struct gw_otel_config *c = parse_ok(
        "{\"metric_reporting_period\":0,\"histograms\":{},\"foo\":1,"
        "\"exporters\":{\"otlp\":["
        "{\"name\":\"a\",\"host\":\"http://collector\",\"port\":4318,\"use_http\":true},"
        "{\"name\":\"b\",\"host\":\"https://otel.example.com/v1\",\"port\":4318,\"use_http\":true,"
        "\"custom_metric_reporting_period\":7,\"disable_traces\":true},"
        "{\"name\":\"c\"}],"
        "\"prometheus\":[{\"name\":\"p\",\"listen_ip\":\"0.0.0.0\",\"go_metrics\":true,"
        "\"disable_metrics\":true}]}}");

    (void)state;
    assert_int_equal(c->n_otlp, 3);
    assert_string_equal(c->otlp[0].endpoint, "collector:4318");
    assert_false(c->otlp[0].tls);
    assert_string_equal(c->otlp[0].traces_url, "http://collector:4318/v1/traces");
    assert_string_equal(c->otlp[0].metrics_url, "http://collector:4318/v1/metrics");
    assert_int_equal(c->otlp[0].period_s, 60); /* 0 s: the SDK's 60 s */
    /* a path in "host" swallows the port, as url.Parse does in KrakenD */
    assert_string_equal(c->otlp[1].endpoint, "otel.example.com");
    assert_true(c->otlp[1].tls);
    assert_string_equal(c->otlp[1].traces_url, "https://otel.example.com/v1/traces");
    assert_int_equal(c->otlp[1].period_s, 7);
    /* defaults: localhost:4317, gRPC (not implemented: a warning) */
    assert_string_equal(c->otlp[2].endpoint, "localhost:4317");
    assert_false(c->otlp[2].use_http);
    assert_int_equal(c->prometheus[0].port, 9090);
    assert_true(c->any_metrics_exporter);
    assert_true(c->any_traces_exporter);
    assert_true(has_warning(&c->warnings, "exporters.otlp[2]: OTLP over gRPC"));
    assert_true(has_warning(&c->warnings, "exporters.prometheus[0].listen_ip: not read"));
    assert_true(has_warning(&c->warnings, "exporters.prometheus[0].go_metrics"));
    assert_true(has_warning(&c->warnings, "histograms: not read by KrakenD CE"));
    assert_true(has_warning(&c->warnings, "foo: unknown key"));
    gw_otel_config_free(c);
    expect_invalid("{\"exporters\":{\"otlp\":[{\"host\":\"http://a b\",\"use_http\":true}]}}",
                   "OTLP Exporter  (at idx 0) failed");
}

static void resource_from_environment_under_config(void **state)
{
    struct gw_otel_config_env env = ENV;
    struct gw_otel_config *c = NULL;
    struct cmn_err err = {0};

    (void)state;
    env.otel_resource_attributes = " team = a%20b ,service.name=zzz,bad,k8s.pod=p1,team=c";
    env.otel_service_name = "from-env";
    env.otlp_headers = "api-key=s%3Dcret,x-b=2";
    env.otlp_compression = "gzip";
    env.otlp_timeout_ms = "2500";
    assert_int_equal(parse_env("{}", &env, &c, &err), GW_OTEL_CONFIG_OK);
    assert_string_equal(kv(&c->resource, "team"), "c");
    assert_string_equal(kv(&c->resource, "k8s.pod"), "p1");
    assert_string_equal(kv(&c->resource, "service.name"), "KrakenD");
    assert_int_equal(c->resource.n, 4);
    /* sorted by key */
    assert_string_equal(c->resource.items[0].key, "k8s.pod");
    assert_true(has_warning(&c->warnings, "OTEL_RESOURCE_ATTRIBUTES: \"bad\""));
    assert_string_equal(kv(&c->otlp_headers, "api-key"), "s=cret");
    assert_true(c->otlp_gzip);
    assert_int_equal(c->otlp_timeout_ms, 2500);
    assert_false(c->otlp_json);
    assert_true(c->propagate_tracecontext && c->propagate_baggage);
    gw_otel_config_free(c);
    env = ENV;
    env.otlp_protocol = "http/json";
    env.propagators = "tracecontext,b3";
    env.otlp_timeout_ms = "soon";
    env.otlp_compression = "zstd";
    assert_int_equal(parse_env("{}", &env, &c, &err), GW_OTEL_CONFIG_OK);
    assert_true(c->otlp_json);
    assert_true(c->propagate_tracecontext);
    assert_false(c->propagate_baggage);
    assert_int_equal(c->otlp_timeout_ms, 10000);
    assert_false(c->otlp_gzip);
    assert_true(has_warning(&c->warnings, "OTEL_PROPAGATORS: \"b3\" is not implemented"));
    assert_true(has_warning(&c->warnings, "OTEL_EXPORTER_OTLP_TIMEOUT"));
    assert_true(has_warning(&c->warnings, "OTEL_EXPORTER_OTLP_COMPRESSION"));
    gw_otel_config_free(c);
    env.propagators = "none";
    env.otlp_protocol = "grpc";
    assert_int_equal(parse_env("{}", &env, &c, &err), GW_OTEL_CONFIG_OK);
    assert_false(c->propagate_tracecontext || c->propagate_baggage || c->otlp_json);
    assert_true(has_warning(&c->warnings, "OTEL_EXPORTER_OTLP_PROTOCOL"));
    gw_otel_config_free(c);
}

static void endpoint_override_replaces_proxy(void **state)
{
    struct gw_otel_config *c =
        parse_ok("{\"skip_paths\":[\"/skip/:id\"],\"layers\":{\"proxy\":{\"disable_traces\":true,"
                 "\"metrics_static_attributes\":[{\"key\":\"svc\",\"value\":\"s\"}]}}}");
    struct gw_otel_endpoint_opts o;
    struct gw_tel_strs w = {0};
    json_t *blk = json_loads("{\"proxy\":{\"report_headers\":true},\"global\":{"
                             "\"metrics_static_attributes\":[{\"key\":\"e\",\"value\":\"1\"}]},"
                             "\"backend\":{},\"exporters_override\":{}}",
                             0, NULL);
    json_t *bad = json_loads("{\"proxy\":{\"disable_metrics\":1}}", 0, NULL);

    (void)state;
    assert_true(gw_otel_config_endpoint(c, "/a", blk, "endpoints[1]", &o, &w));
    assert_false(o.skip);
    /* replaced, not merged: the service's disable_traces and statics are gone */
    assert_true(o.proxy.report_headers);
    assert_false(o.proxy.disable_traces);
    assert_int_equal(o.proxy.metrics_static.n, 0);
    assert_string_equal(kv(&o.global_metrics_static, "e"), "1");
    assert_true(has_warning(&w, "endpoints[1].extra_config.telemetry/opentelemetry.backend: "
                                "ignored at endpoint level"));
    assert_true(has_warning(&w, "exporters_override: ignored"));
    gw_otel_endpoint_opts_free(&o);
    assert_true(gw_otel_config_endpoint(c, "/skip/:id", bad, "endpoints[2]", &o, &w));
    assert_true(o.skip);
    assert_true(o.proxy.disable_traces); /* service-level options kept */
    assert_true(has_warning(&w, "endpoints[2].extra_config.telemetry/opentelemetry: "
                                "cannot register exporters: json: cannot unmarshal number 1"));
    gw_otel_endpoint_opts_free(&o);
    gw_tel_strs_free(&w);
    json_decref(blk);
    json_decref(bad);
    gw_otel_config_free(c);
}

static void eff(const struct gw_otel_config *c, const char *js, struct gw_otel_backend_eff *o,
                struct gw_tel_strs *w)
{
    json_t *b = js ? json_loads(js, 0, NULL) : NULL;

    assert_true(gw_otel_config_backend(c, "/e", b, "endpoints[0].backend[0]", o, w));
    json_decref(b);
}

static void backend_override_decisions(void **state)
{
    struct gw_otel_config *c = parse_ok("{}");
    struct gw_otel_backend_eff o;
    struct gw_tel_strs w = {0};

    (void)state;
    eff(c, NULL, &o, &w);
    assert_true(o.stage_metrics && o.stage_traces && o.client_instrumented);
    assert_true(o.rt_metrics && o.rt_detailed && o.payload_metrics);
    assert_true(o.rt_span && o.payload_span && o.rt_detailed_span);
    gw_otel_backend_eff_free(&o);
    /* metrics without traces: KrakenD crashes; handled as an empty traces object */
    eff(c, "{\"backend\":{\"metrics\":{\"round_trip\":true}}}", &o, &w);
    assert_true(has_warning(&w, "no \"traces\" object"));
    assert_true(o.stage_metrics && o.stage_traces && o.client_instrumented && o.rt_metrics);
    assert_false(o.rt_detailed || o.payload_metrics || o.rt_span || o.payload_span);
    gw_otel_backend_eff_free(&o);
    /* both stages disabled, nothing else on: no instrumentation at all */
    eff(c,
        "{\"backend\":{\"metrics\":{\"disable_stage\":true},\"traces\":{\"disable_stage\":true}}}",
        &o, &w);
    assert_false(o.stage_metrics || o.stage_traces || o.client_instrumented || o.rt_metrics ||
                 o.rt_span);
    gw_otel_backend_eff_free(&o);
    /* traces only: the absent metrics object takes the all-true defaults for the client */
    eff(c, "{\"backend\":{\"traces\":{\"round_trip\":true,\"disable_stage\":true}}}", &o, &w);
    assert_true(o.stage_metrics);
    assert_false(o.stage_traces);
    assert_true(o.rt_metrics && o.rt_detailed && o.payload_metrics && o.rt_span);
    assert_false(o.payload_span || o.rt_detailed_span);
    gw_otel_backend_eff_free(&o);
    gw_tel_strs_free(&w);
    gw_otel_config_free(c);
    c = parse_ok("{\"skip_paths\":[\"/e\"]}");
    eff(c, NULL, &o, &w);
    assert_true(o.skip);
    assert_false(o.stage_metrics || o.client_instrumented);
    gw_otel_backend_eff_free(&o);
    gw_otel_config_free(c);
}

static void report_headers_helpers(void **state)
{
    struct gw_tel_strs skip = {0};
    char attr[64];

    (void)state;
    gw_tel_strs_add(&skip, "x-api-key");
    assert_false(gw_otel_header_reported(&skip, "X-Api-Key", 9));
    assert_true(gw_otel_header_reported(&skip, "X-Api-Keys", 10));
    assert_true(gw_otel_header_reported(NULL, "Accept", 6));
    assert_int_equal(gw_otel_header_attr(attr, sizeof(attr), false, "X-Api-Key", 9), 29);
    assert_string_equal(attr, "http.request.header.x-api-key");
    gw_otel_header_attr(attr, sizeof(attr), true, "Content-Type", 12);
    assert_string_equal(attr, "http.response.header.content-type");
    assert_int_equal(gw_otel_header_attr(attr, 20, true, "Content-Type", 12), 0);
    gw_tel_strs_free(&skip);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(absent_block_is_absent),
        cmocka_unit_test(defaults_of_an_empty_block),
        cmocka_unit_test(root_name_and_explicit_values),
        cmocka_unit_test(sample_rate_outside_zero_one_samples_everything),
        cmocka_unit_test(type_mismatch_disables_with_go_message),
        cmocka_unit_test(declared_layer_objects_default_to_false),
        cmocka_unit_test(go_decoding_null_and_case),
        cmocka_unit_test(skip_paths_exact_and_empty_entry),
        cmocka_unit_test(exporter_names_unique_across_lists),
        cmocka_unit_test(exporters_derived_settings_and_warnings),
        cmocka_unit_test(resource_from_environment_under_config),
        cmocka_unit_test(endpoint_override_replaces_proxy),
        cmocka_unit_test(backend_override_decisions),
        cmocka_unit_test(report_headers_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
