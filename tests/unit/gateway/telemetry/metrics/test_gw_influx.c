/* test_gw_influx.c - telemetry/influx: its options and the InfluxDB line protocol it pushes
 * from a telemetry/metrics snapshot (spec §4.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_influx.h"

static char NAME0[] =
    "krakend.proxy.requests.layer.backend.name./foo/{{.Id}}.complete.true.error.false";
static char NAME1[] = "krakend.router.response./foo/:id.status.200.count";
static char NAME2[] = "krakend.router.response./foo/:id.status";
static char NAME3[] = "krakend.router.connected";
static char NAME4[] = "krakend.router.connected-total";
static char NAME5[] = "krakend.router.connected-gauge";
static char NAME6[] = "krakend.service.runtime.NumThread";
static char NAME7[] = "krakend.service.debug.GCStats.NumGC";
static char NAME8[] = "krakend.proxy.latency.layer.pipe.name./a b.complete.false.error.true";
static char NAME9[] = "krakend.router.response./foo/:id.size";

static void influx_body_from_a_snapshot(void **state)
{
    struct gw_stats_named counters[] = {
        {NAME0, 10, {0}}, {NAME1, 8, {0}}, {NAME2, 0, {0}}, {NAME3, 0, {0}}, {NAME4, 12, {0}},
    };
    struct gw_stats_named gauges[] = {
        {NAME5, 3, {0}},
        {NAME6, 9, {0}},
        {NAME7, 0, {0}},
    };
    struct gw_stats_named hists[] = {
        {NAME8, 0, {1000, 5000, 2500.5, 10.9, 99.4, {1, 2, 3, 4, 5, 6, 7.25}}},
        {NAME9, 0, {0}}, /* empty: skipped */
    };
    struct gw_stats_snapshot s = {1700000000, counters, gauges, hists, 5, 3, 2};
    struct gw_influx *st = gw_influx_new();
    struct cmn_buf b;
    bool skipped;

    (void)state;
    cmn_buf_init(&b, 1 << 16);
    assert_true(gw_influx_body(st, &s, "gw-1", &b, &skipped));
    assert_false(skipped);
    assert_string_equal(
        cmn_buf_str(&b),
        "requests,complete=true,error=false,host=gw-1,layer=backend,name=/foo/{{.Id}} "
        "count=10i,total=10i 1700000000\n"
        "responses,host=gw-1,name=/foo/:id,status=200 count=8i,total=8i 1700000000\n"
        "router,direction=in,host=gw-1 current=0i,total=12i 1700000000\n"
        "router,direction=out,host=gw-1 current=0i,total=0i 1700000000\n"
        "router,direction=in,host=gw-1 gauge=3i 1700000000\n"
        "router,direction=out,host=gw-1 gauge=0i 1700000000\n"
        "debug,host=gw-1 GCStats.NumGC=0i 1700000000\n"
        "runtime,host=gw-1 NumThread=9i 1700000000\n"
        "requests,complete=false,error=true,host=gw-1,layer=pipe,name=/a\\ b max=5000i,"
        "mean=2500i,min=1000i,p0.1=1,p0.25=2,p0.5=3,p0.75=4,p0.9=5,p0.95=6,p0.99=7.25,"
        "stddev=10i,variance=99i 1700000000\n");
    /* the next push reports deltas in "count" */
    counters[0].value = 15;
    cmn_buf_reset(&b);
    assert_true(gw_influx_body(st, &s, "gw-1", &b, &skipped));
    assert_non_null(strstr(cmn_buf_str(&b), "count=5i,total=15i"));
    /* nothing to push: the tick is skipped */
    s.n_counters = s.n_gauges = 0;
    cmn_buf_reset(&b);
    assert_true(gw_influx_body(st, &s, "gw-1", &b, &skipped));
    assert_true(skipped);
    assert_int_equal(b.len, 0);
    cmn_buf_free(&b);
    gw_influx_destroy(st);
}

static void influx_config(void **state)
{
    struct gw_influx_config c;
    struct cmn_err err = {0};
    json_t *j = json_loads("{\"address\":\"http://influx:8086/\",\"ttl\":\"25s\","
                           "\"buffer_size\":100,\"username\":\"u\"}",
                           0, NULL);
    char *url;

    (void)state;
    assert_true(gw_influx_config_parse(j, &c, &err));
    assert_int_equal(c.ttl_ns, 25000000000LL);
    assert_string_equal(c.db, "krakend");
    assert_int_equal(c.buffer_size, 0);
    assert_int_equal(c.warnings.n, 1);
    url = gw_influx_write_url(&c);
    assert_string_equal(url, "http://influx:8086/write?db=krakend&precision=s");
    free(url);
    gw_influx_config_free(&c);
    json_decref(j);
    j = json_loads("{\"ttl\":\"1m\"}", 0, NULL);
    assert_false(gw_influx_config_parse(j, &c, &err));
    assert_non_null(strstr(err.msg, "address is required"));
    json_decref(j);
    j = json_loads("{\"address\":\"x\",\"ttl\":\"soon\"}", 0, NULL);
    assert_false(gw_influx_config_parse(j, &c, &err));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(influx_body_from_a_snapshot),
        cmocka_unit_test(influx_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
