/* test_gw_otlp_export.c - the OTLP/HTTP exporter against a collector played by this test: what
 * it POSTs, where, how it is encoded; and that a slow collector costs drops, not waiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cmn_clock.h"
#include "gw_otlp_export.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h"

#define MAX_REQ 64

struct got {
    char path[64];
    char ctype[64];
    bool gzip;
    uint8_t *body;
    size_t len;
};

struct collector {
    int fd;
    unsigned port;
    bool silent; /* never answer: a stuck collector */
    bool stop;
    pthread_t th;
    pthread_mutex_t mu;
    struct got got[MAX_REQ];
    size_t n;
};

static bool read_request(int c, struct collector *col)
{
    char head[8192];
    size_t hl = 0;
    char *end = NULL, *cl, *ct, *line;
    long len;
    struct got g = {0};

    while (!end && hl < sizeof(head) - 1) {
        ssize_t r = recv(c, head + hl, sizeof(head) - 1 - hl, 0);
        if (r <= 0)
            return false;
        hl += (size_t)r;
        head[hl] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    if (!end)
        return false;
    sscanf(head, "POST %63s", g.path);
    cl = strcasestr(head, "\r\nContent-Length: ");
    ct = strcasestr(head, "\r\nContent-Type: ");
    g.gzip = strcasestr(head, "\r\nContent-Encoding: gzip") != NULL;
    len = cl ? strtol(cl + 18, NULL, 10) : 0;
    if (ct) {
        line = ct + 16;
        snprintf(g.ctype, sizeof(g.ctype), "%.*s", (int)strcspn(line, "\r"), line);
    }
    g.body = malloc((size_t)len + 1);
    g.len = 0;
    {
        size_t have = hl - (size_t)(end + 4 - head);
        memcpy(g.body, end + 4, have);
        g.len = have;
    }
    while ((long)g.len < len) {
        ssize_t r = recv(c, g.body + g.len, (size_t)len - g.len, 0);
        if (r <= 0) {
            free(g.body);
            return false;
        }
        g.len += (size_t)r;
    }
    pthread_mutex_lock(&col->mu);
    if (col->n < MAX_REQ)
        col->got[col->n++] = g;
    else
        free(g.body);
    pthread_mutex_unlock(&col->mu);
    return true;
}

static void *serve(void *arg)
{
    struct collector *col = arg;

    for (;;) {
        int c = accept(col->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        while (read_request(c, col)) {
            const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
            if (col->silent)
                continue; /* read, never answer */
            if (send(c, ok, strlen(ok), MSG_NOSIGNAL) < 0)
                break;
        }
        close(c);
        if (__atomic_load_n(&col->stop, __ATOMIC_ACQUIRE))
            return NULL;
    }
}

static void collector_start(struct collector *col, bool silent)
{
    struct sockaddr_in a = {0};
    socklen_t al = sizeof(a);

    memset(col, 0, sizeof(*col));
    col->silent = silent;
    pthread_mutex_init(&col->mu, NULL);
    col->fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(col->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(col->fd, 16), 0);
    getsockname(col->fd, (struct sockaddr *)&a, &al);
    col->port = ntohs(a.sin_port);
    pthread_create(&col->th, NULL, serve, col);
}

static void collector_stop(struct collector *col)
{
    __atomic_store_n(&col->stop, true, __ATOMIC_RELEASE);
    shutdown(col->fd, SHUT_RDWR);
    close(col->fd);
    pthread_join(col->th, NULL);
    for (size_t i = 0; i < col->n; i++)
        free(col->got[i].body);
    pthread_mutex_destroy(&col->mu);
}

static void det_fill(void *ctx, unsigned w, uint8_t *buf, size_t len)
{
    uint64_t *n = ctx;

    (void)w;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(++*n * 31 + 7);
}

struct errors {
    int n;
    char last[512];
};

static void on_error(void *ctx, const char *msg)
{
    struct errors *e = ctx;

    e->n++;
    snprintf(e->last, sizeof(e->last), "%s", msg);
}

struct env {
    struct gw_otel_config *cfg;
    struct gw_telemetry *t;
    struct gw_telemetry_endpoint *ep;
    struct gw_tel_strs warn;
    uint64_t ctr;
};

/* spans: span records per thread (0: the default). */
static void env_init(struct env *e, unsigned port, const char *timeout_ms, unsigned spans)
{
    char js[512];
    struct cmn_err err = {0};
    struct gw_otel_config_env ce = {0};
    struct gw_telemetry_opts o = {0};
    json_t *j;

    memset(e, 0, sizeof(*e));
    snprintf(js, sizeof(js),
             "{\"metric_reporting_period\":1,\"exporters\":{\"otlp\":[{\"name\":\"c\","
             "\"host\":\"http://127.0.0.1\",\"port\":%u,\"use_http\":true}]}}",
             port);
    j = json_loads(js, 0, NULL);
    ce.gateway_version = "2.13.8";
    ce.otlp_timeout_ms = timeout_ms;
    ce.otlp_headers = "x-api-key=k1";
    assert_int_equal(gw_otel_config_parse(j, &ce, &e->cfg, &err), GW_OTEL_CONFIG_OK);
    json_decref(j);
    o.threads = 1;
    o.spans_per_thread = spans;
    o.random.fill = det_fill;
    o.random.ctx = &e->ctr;
    e->t = gw_telemetry_new(e->cfg, &o, &err);
    assert_non_null(e->t);
    e->ep = gw_telemetry_endpoint_new(e->t, "/a", "GET", NULL, "endpoints[0]", &e->warn);
}

static void env_free(struct env *e)
{
    gw_telemetry_destroy(e->t);
    gw_otel_config_free(e->cfg);
    gw_tel_strs_free(&e->warn);
}

static void one_request(struct env *e)
{
    struct gw_telemetry_in in = {0};
    struct gw_telemetry_req r;
    struct gw_telemetry_out out = {0};

    in.method = "GET";
    in.method_len = 3;
    in.path = in.target = "/a";
    in.path_len = in.target_len = 2;
    in.content_length = -1;
    gw_telemetry_begin(e->t, 0, &r, &in, 1700000000000000000LL);
    gw_telemetry_route(&r, e->ep);
    out.status = 204;
    gw_telemetry_end(e->t, 0, &r, &out, 1700000000001000000LL);
}

static void posts_traces_and_metrics(void **state)
{
    struct collector col;
    struct env e;
    struct gw_otlp_export_opts o = {0};
    struct gw_otlp_exporter *x;
    struct gw_otlp_export_stats st;
    struct cmn_err err = {0};
    bool traces = false, metrics = false;

    (void)state;
    collector_start(&col, false);
    env_init(&e, col.port, NULL, 0);
    o.poll_ms = 10;
    o.batch_delay_ms = 20;
    x = gw_otlp_export_start(e.t, &o, &err);
    assert_non_null(x);
    one_request(&e);
    one_request(&e);
    gw_otlp_export_stop(x, NULL); /* flushes the spans and one reading of the metrics */
    pthread_mutex_lock(&col.mu);
    for (size_t i = 0; i < col.n; i++) {
        struct got *g = &col.got[i];
        assert_string_equal(g->ctype, "application/x-protobuf");
        if (strcmp(g->path, "/v1/traces") == 0) {
            Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest *req =
                opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
                    NULL, g->len, g->body);
            assert_non_null(req);
            assert_int_equal(req->resource_spans[0]->scope_spans[0]->n_spans, 2);
            assert_string_equal(req->resource_spans[0]->scope_spans[0]->spans[0]->name, "/a");
            opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(
                req, NULL);
            traces = true;
        } else if (strcmp(g->path, "/v1/metrics") == 0) {
            Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest *req =
                opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__unpack(
                    NULL, g->len, g->body);
            assert_non_null(req);
            opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__free_unpacked(
                req, NULL);
            metrics = true;
        } else {
            fail_msg("unexpected path %s", g->path);
        }
    }
    pthread_mutex_unlock(&col.mu);
    assert_true(traces && metrics);
    env_free(&e);
    collector_stop(&col);
    (void)st;
}

static void slow_collector_drops_and_counts(void **state)
{
    struct collector col;
    struct env e;
    struct gw_otlp_export_opts o = {0};
    struct gw_otlp_exporter *x;
    struct gw_otlp_export_stats st;
    struct cmn_err err = {0};
    struct errors errs = {0};
    struct timespec t0, t1;

    (void)state;
    collector_start(&col, true);
    env_init(&e, col.port, "300", 0);
    o.poll_ms = 5;
    o.batch_size = 1; /* one body per span */
    o.queue_cap = 1;
    o.on_error = on_error;
    o.ctx = &errs;
    x = gw_otlp_export_start(e.t, &o, &err);
    assert_non_null(x);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 20; i++) {
        one_request(&e); /* never blocks, whatever the collector does */
        usleep(2000);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
    usleep(100000);
    gw_otlp_export_get_stats(x, &st);
    assert_true(st.bodies_dropped >= 10);
    assert_true(st.spans_dropped >= 10);
    gw_otlp_export_stop(x, NULL);
    assert_true(errs.n >= 1);
    assert_non_null(strstr(errs.last, "[SERVICE: OpenTelemetry] "));
    assert_non_null(strstr(errs.last, "/v1/"));
    env_free(&e);
    collector_stop(&col);
}

/* Nothing recorded: the collector dozes longer and longer (up to 100 ms) instead of waking every
 * poll interval, so an idle gateway does not spend CPU on it. */
static void idle_collector_dozes(void **state)
{
    struct collector col;
    struct env e;
    struct gw_otlp_export_opts o = {0};
    struct gw_otlp_exporter *x;
    struct gw_otlp_export_stats st;
    struct cmn_err err = {0};

    (void)state;
    collector_start(&col, false);
    env_init(&e, col.port, NULL, 0);
    o.poll_ms = 5;
    x = gw_otlp_export_start(e.t, &o, &err);
    assert_non_null(x);
    usleep(600000);
    gw_otlp_export_get_stats(x, &st);
    /* 5, 10, 20, 40, 80, 100, 100 ... ms: about ten passes in 600 ms, where a 5 ms poll makes
     * 120; the metrics period (1 s) is not due yet */
    assert_true(st.collector_wakeups >= 3);
    assert_true(st.collector_wakeups <= 20);
    gw_otlp_export_stop(x, NULL);
    env_free(&e);
    collector_stop(&col);
}

/* The doorbell, without the exporter's timing: a thread dozes deeply for 20 s while this one
 * records spans into 64-record buffers (a ring at 16 pending). */
struct dozer {
    struct gw_telemetry *t;
    int64_t ms;
    bool deep;
    int done; /* atomic */
    int64_t took_ms;
};

static void *doze_main(void *arg)
{
    struct dozer *d = arg;
    int64_t t0 = cmn_clock_mono_ms();

    gw_telemetry_doze(d->t, d->ms, d->deep);
    d->took_ms = cmn_clock_mono_ms() - t0;
    __atomic_store_n(&d->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* A thread that dozes on t for ms (deep or not); join it with pthread_join. */
static void doze_in_thread(struct dozer *d, pthread_t *th, struct gw_telemetry *t, int64_t ms,
                           bool deep)
{
    *d = (struct dozer){.t = t, .ms = ms, .deep = deep};
    assert_int_equal(pthread_create(th, NULL, doze_main, d), 0);
}

static void doorbell_ends_a_deep_doze(void **state)
{
    struct env e;
    struct dozer d = {0};
    pthread_t th;

    (void)state;
    env_init(&e, 9, NULL, 64);
    doze_in_thread(&d, &th, e.t, 20000, true);
    usleep(100000); /* asleep by now (were it not, it would see the spans itself) */
    for (int i = 0; i < 15; i++)
        one_request(&e);
    usleep(200000);
    assert_int_equal(__atomic_load_n(&d.done, __ATOMIC_ACQUIRE), 0); /* 15 < 16: no ring */
    one_request(&e); /* the sixteenth span rings */
    pthread_join(th, NULL);
    assert_true(d.took_ms < 10000);
    env_free(&e);
}

static void deep_doze_sees_waiting_spans(void **state)
{
    struct env e;
    struct dozer d = {0};

    (void)state;
    env_init(&e, 9, NULL, 64);
    for (int i = 0; i < 16; i++)
        one_request(&e);
    d = (struct dozer){.t = e.t, .ms = 20000, .deep = true};
    doze_main(&d); /* a quarter is already waiting: no sleep at all */
    assert_true(d.took_ms < 10000);
    env_free(&e);
}

/* A short doze (the poll while spans come) is not rung: it lasts its time. */
static void shallow_doze_lasts(void **state)
{
    struct env e;
    struct dozer d = {0};
    pthread_t th;

    (void)state;
    env_init(&e, 9, NULL, 64);
    doze_in_thread(&d, &th, e.t, 300, false);
    usleep(50000);
    for (int i = 0; i < 40; i++)
        one_request(&e);
    pthread_join(th, NULL);
    assert_true(d.took_ms >= 250);
    env_free(&e);
}

static void nothing_to_export_starts_nothing(void **state)
{
    struct gw_otel_config *cfg;
    struct gw_telemetry *t;
    struct gw_telemetry_opts o = {0};
    struct cmn_err err = {0};
    json_t *j = json_loads("{\"exporters\":{\"otlp\":[{\"name\":\"g\"}]}}", 0, NULL);
    uint64_t ctr = 0;

    (void)state;
    assert_int_equal(gw_otel_config_parse(j, NULL, &cfg, &err), GW_OTEL_CONFIG_OK);
    json_decref(j);
    o.threads = 1;
    o.random.fill = det_fill;
    o.random.ctx = &ctr;
    t = gw_telemetry_new(cfg, &o, &err);
    /* gRPC only: not implemented, nothing to run (the config carries the warning) */
    assert_null(gw_otlp_export_start(t, NULL, &err));
    gw_telemetry_destroy(t);
    gw_otel_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(posts_traces_and_metrics),
        cmocka_unit_test(slow_collector_drops_and_counts),
        cmocka_unit_test(idle_collector_dozes),
        cmocka_unit_test(doorbell_ends_a_deep_doze),
        cmocka_unit_test(deep_doze_sees_waiting_spans),
        cmocka_unit_test(shallow_doze_lasts),
        cmocka_unit_test(nothing_to_export_starts_nothing),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
