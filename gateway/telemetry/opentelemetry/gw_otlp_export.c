/* gw_otlp_export.c - the OTLP/HTTP exporter threads: collect and encode (collector thread),
 * POST with libcurl (sender thread), a bounded queue in between. All the IO of gw_otel. */
#include "gw_otlp_export.h"

#include "gw_otlp.h"
#include "gw_otlp_http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

struct item {
    size_t exp;  /* index into the config's otlp exporters */
    bool traces; /* else metrics */
    uint8_t *body;
    size_t len;
    size_t spans;
};

struct gw_otlp_exporter {
    struct gw_telemetry *t;
    const struct gw_otel_config *cfg;
    struct gw_otlp_export_opts o;
    struct gw_otlp_source src;
    pthread_t collector, sender;
    pthread_mutex_t mu;
    pthread_cond_t queue_cv;
    struct item *q;
    size_t qhead, qlen;
    bool stopping, stop_sender;
    struct gw_otlp_export_stats stats;
    /* collector thread only */
    struct gw_otlp_enc *enc;
    struct gw_span **batch;
    unsigned *batch_w;
    size_t nbatch;
    int64_t batch_started;
    int64_t *next_metrics;
    /* sender thread only */
    CURL *curl;                  /* https:// collectors */
    struct gw_otlp_conn **conns; /* plain-http collectors, per exporter */
};

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t unix_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool exporter_used(const struct gw_otel_otlp_exporter *x, bool traces)
{
    return x->use_http && (traces ? !x->disable_traces : !x->disable_metrics);
}

/* Queues body for exporter exp; takes ownership. Drops (and counts) when the queue is full. */
static void enqueue(struct gw_otlp_exporter *e, size_t exp, bool traces, uint8_t *body, size_t len,
                    size_t spans)
{
    pthread_mutex_lock(&e->mu);
    if (e->qlen == e->o.queue_cap) {
        e->stats.bodies_dropped++;
        e->stats.spans_dropped += spans;
        pthread_mutex_unlock(&e->mu);
        free(body);
        return;
    }
    e->q[(e->qhead + e->qlen++) % e->o.queue_cap] = (struct item){exp, traces, body, len, spans};
    pthread_cond_signal(&e->queue_cv);
    pthread_mutex_unlock(&e->mu);
}

/* One encoding, one queued copy per exporter that takes it. */
static void dispatch(struct gw_otlp_exporter *e, bool traces, uint8_t *body, size_t len,
                     size_t spans)
{
    size_t users = 0, done = 0;

    for (size_t i = 0; i < e->cfg->n_otlp; i++)
        users += exporter_used(&e->cfg->otlp[i], traces);
    for (size_t i = 0; i < e->cfg->n_otlp && body; i++) {
        uint8_t *copy;
        if (!exporter_used(&e->cfg->otlp[i], traces))
            continue;
        if (++done == users) {
            enqueue(e, i, traces, body, len, spans);
            return;
        }
        copy = malloc(len ? len : 1);
        if (copy) {
            memcpy(copy, body, len);
            enqueue(e, i, traces, copy, len, spans);
        }
    }
    free(body);
}

/* Sends the spans gathered so far as one body. Protobuf bodies are built as the spans arrive
 * (drain); OTLP/JSON ones here, from the records held until now. */
static void flush_traces(struct gw_otlp_exporter *e)
{
    uint8_t *body = NULL;
    size_t len = 0, n = e->nbatch;
    bool ok;

    if (!n)
        return;
    if (e->cfg->otlp_json) {
        struct cmn_buf b;
        cmn_buf_init(&b, e->o.max_body);
        ok = gw_otlp_traces_json(&e->src, e->batch, n, &b);
        body = ok ? (uint8_t *)cmn_buf_take(&b, &len) : NULL;
        cmn_buf_free(&b);
        ok = ok && body;
        for (size_t i = 0; i < n; i++)
            gw_span_buf_release(gw_telemetry_spans(e->t, e->batch_w[i]), e->batch[i]);
    } else {
        ok = gw_otlp_enc_finish(e->enc, e->o.max_body, &body, &len);
    }
    e->nbatch = 0;
    if (ok) {
        dispatch(e, true, body, len, n);
    } else {
        pthread_mutex_lock(&e->mu);
        e->stats.spans_dropped += n;
        pthread_mutex_unlock(&e->mu);
    }
}

static void flush_metrics(struct gw_otlp_exporter *e, size_t exp)
{
    struct gw_otel_metrics *m = gw_telemetry_metrics(e->t);
    struct gw_metrics_snapshot snap;
    struct cmn_err err = {0};
    uint8_t *body = NULL;
    size_t len = 0;
    bool ok;

    if (!m || !gw_metrics_collect(gw_otel_metrics_registry(m), &snap, &err))
        return;
    if (e->cfg->otlp_json) {
        struct cmn_buf b;
        cmn_buf_init(&b, e->o.max_body);
        ok = gw_otlp_metrics_json(&e->src, &snap, unix_ns(), &b);
        body = ok ? (uint8_t *)cmn_buf_take(&b, &len) : NULL;
        cmn_buf_free(&b);
        ok = ok && body;
    } else {
        ok = gw_otlp_metrics_pb(&e->src, &snap, unix_ns(), e->o.max_body, &body, &len);
    }
    gw_metrics_snapshot_free(&snap);
    if (ok)
        enqueue(e, exp, false, body, len, 0);
}

/* Takes the finished spans of every worker. Protobuf: each span is written into the body at
 * once and its record given back, so the records in use stay few and in cache: a worker takes
 * the last one given back for its next span. OTLP/JSON: the records wait for flush_traces. */
static size_t drain(struct gw_otlp_exporter *e, int64_t now)
{
    unsigned nw = gw_telemetry_n_slots(e->t);
    bool json = e->cfg->otlp_json;
    size_t took = 0;

    for (unsigned w = 0; w < nw; w++) {
        struct gw_span_buf *b = gw_telemetry_spans(e->t, w);
        size_t got;
        if (!b)
            continue;
        do {
            struct gw_span **in = json ? e->batch + e->nbatch : e->batch;
            uint64_t failed = 0;
            got = gw_span_buf_drain(b, in, e->o.batch_size - e->nbatch);
            took += got;
            if (got && e->nbatch == 0)
                e->batch_started = now;
            for (size_t i = 0; i < got; i++) {
                if (json) {
                    e->batch_w[e->nbatch++] = w;
                    continue;
                }
                if (gw_otlp_enc_add(e->enc, in[i]))
                    e->nbatch++;
                else
                    failed++;
                gw_span_buf_release(b, in[i]);
            }
            if (failed) {
                pthread_mutex_lock(&e->mu);
                e->stats.spans_dropped += failed;
                pthread_mutex_unlock(&e->mu);
            }
            if (e->nbatch == e->o.batch_size ||
                (!json && gw_otlp_enc_pending(e->enc) >= e->o.max_body / 2))
                flush_traces(e);
        } while (got);
    }
    return took;
}

/* How long the collector may sleep: the poll interval while spans come, doubling up to
 * IDLE_MS while none do (an idle gateway wakes ten times a second, not two hundred), and never
 * past the next deadline (a partial batch's delay, a metrics period). */
#define IDLE_MS 100

static int64_t next_sleep(const struct gw_otlp_exporter *e, int64_t slept, size_t took, int64_t now)
{
    int64_t ms = took ? e->o.poll_ms : slept * 2 > IDLE_MS ? IDLE_MS : slept * 2;

    if (ms < e->o.poll_ms)
        ms = e->o.poll_ms;
    if (e->nbatch && e->batch_started + e->o.batch_delay_ms - now < ms)
        ms = e->batch_started + e->o.batch_delay_ms - now;
    for (size_t i = 0; i < e->cfg->n_otlp; i++)
        if (exporter_used(&e->cfg->otlp[i], false) && e->next_metrics[i] - now < ms)
            ms = e->next_metrics[i] - now;
    return ms < 1 ? 1 : ms;
}

static void *collector_main(void *arg)
{
    struct gw_otlp_exporter *e = arg;
    bool stop = false;
    int64_t slept = e->o.poll_ms;

    while (!stop) {
        int64_t now = mono_ms();
        size_t took = drain(e, now);

        if (e->nbatch && now - e->batch_started >= e->o.batch_delay_ms)
            flush_traces(e);
        for (size_t i = 0; i < e->cfg->n_otlp; i++) {
            if (exporter_used(&e->cfg->otlp[i], false) && now >= e->next_metrics[i]) {
                flush_metrics(e, i);
                e->next_metrics[i] = now + e->cfg->otlp[i].period_s * 1000;
            }
        }
        slept = next_sleep(e, slept, took, now);
        /* deep when longer than the poll: a burst of spans rings the doorbell */
        gw_telemetry_doze(e->t, slept, slept > e->o.poll_ms);
        pthread_mutex_lock(&e->mu);
        e->stats.collector_wakeups++;
        stop = e->stopping;
        pthread_mutex_unlock(&e->mu);
    }
    /* the last spans and one last reading of the metrics */
    drain(e, mono_ms());
    flush_traces(e);
    for (size_t i = 0; i < e->cfg->n_otlp; i++)
        if (exporter_used(&e->cfg->otlp[i], false))
            flush_metrics(e, i);
    return NULL;
}

/* gzip (RFC 1952) of body; owned, NULL on failure. */
static uint8_t *gzip(const uint8_t *body, size_t len, size_t *out_len)
{
    z_stream z;
    uLong cap = compressBound((uLong)len) + 32;
    uint8_t *out = malloc(cap);

    if (!out)
        return NULL;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        free(out);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)body;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(out);
        return NULL;
    }
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    size_t *got = ctx;

    (void)p;
    *got += size * n;
    return *got > 65536 ? 0 : size * n; /* the collector's answer is tiny: cap it */
}

/* "[SERVICE: OpenTelemetry] <what> export: <url>: <detail>" to the error callback. */
static void report(struct gw_otlp_exporter *e, const char *what, const char *url,
                   const char *detail)
{
    char msg[768];

    if (!e->o.on_error)
        return;
    snprintf(msg, sizeof(msg), "[SERVICE: OpenTelemetry] %s export: %s: %s", what, url, detail);
    e->o.on_error(e->o.ctx, msg);
}

/* The Content-Type, OTEL_EXPORTER_OTLP_HEADERS and Content-Encoding lines of a POST. */
static void field_lines(const struct gw_otlp_exporter *e, bool gz, struct cmn_buf *b)
{
    cmn_buf_printf(b, "Content-Type: %s\r\n",
                   e->cfg->otlp_json ? GW_OTLP_JSON_CONTENT_TYPE : GW_OTLP_PB_CONTENT_TYPE);
    for (size_t i = 0; i < e->cfg->otlp_headers.n; i++)
        cmn_buf_printf(b, "%s: %s\r\n", e->cfg->otlp_headers.items[i].key,
                       e->cfg->otlp_headers.items[i].value);
    if (gz)
        cmn_buf_append_str(b, "Content-Encoding: gzip\r\n");
}

/* A plain-http collector: our own kept-alive connection. */
static bool post_plain(struct gw_otlp_exporter *e, const struct item *it)
{
    const struct gw_otel_otlp_exporter *x = &e->cfg->otlp[it->exp];
    const char *url = it->traces ? x->traces_url : x->metrics_url;
    const char *what = it->traces ? "traces" : "metrics";
    struct gw_otlp_conn **c = &e->conns[it->exp];
    uint8_t *gz = NULL;
    size_t gzlen = 0;
    struct cmn_buf fields;
    char why[512] = "";
    long code = 0;
    bool ok;

    if (!*c && !(*c = gw_otlp_conn_new(x->endpoint))) {
        report(e, what, url, "invalid collector address");
        return false;
    }
    if (e->cfg->otlp_gzip)
        gz = gzip(it->body, it->len, &gzlen);
    cmn_buf_init(&fields, 16384);
    field_lines(e, gz != NULL, &fields);
    ok = gw_otlp_conn_post(*c, it->traces ? "/v1/traces" : "/v1/metrics", cmn_buf_str(&fields),
                           gz ? gz : it->body, gz ? gzlen : it->len, e->cfg->otlp_timeout_ms, &code,
                           why, sizeof(why));
    cmn_buf_free(&fields);
    free(gz);
    if (!ok) {
        report(e, what, url, why);
        return false;
    }
    if (code < 200 || code > 299) {
        snprintf(why, sizeof(why), "HTTP status %ld", code);
        report(e, what, url, why);
        return false;
    }
    return true;
}

static bool post(struct gw_otlp_exporter *e, const struct item *it)
{
    const struct gw_otel_otlp_exporter *x = &e->cfg->otlp[it->exp];
    const char *url = it->traces ? x->traces_url : x->metrics_url;
    const char *what = it->traces ? "traces" : "metrics";
    struct curl_slist *h = NULL;
    uint8_t *gz = NULL;
    size_t gzlen = 0, got = 0;
    long code = 0;
    CURLcode rc;
    char line[1024];

    curl_easy_reset(e->curl);
    snprintf(line, sizeof(line), "Content-Type: %s",
             e->cfg->otlp_json ? GW_OTLP_JSON_CONTENT_TYPE : GW_OTLP_PB_CONTENT_TYPE);
    h = curl_slist_append(h, line);
    for (size_t i = 0; i < e->cfg->otlp_headers.n; i++) {
        snprintf(line, sizeof(line), "%s: %s", e->cfg->otlp_headers.items[i].key,
                 e->cfg->otlp_headers.items[i].value);
        h = curl_slist_append(h, line);
    }
    if (e->cfg->otlp_gzip && (gz = gzip(it->body, it->len, &gzlen)) != NULL)
        h = curl_slist_append(h, "Content-Encoding: gzip");
    curl_easy_setopt(e->curl, CURLOPT_URL, url);
    curl_easy_setopt(e->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(e->curl, CURLOPT_POSTFIELDS, gz ? gz : it->body);
    curl_easy_setopt(e->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(gz ? gzlen : it->len));
    curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e->curl, CURLOPT_USERAGENT, "krakend-thunder-c OTLP/HTTP exporter");
    curl_easy_setopt(e->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, (long)e->cfg->otlp_timeout_ms);
    curl_easy_setopt(e->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)e->cfg->otlp_timeout_ms);
    curl_easy_setopt(e->curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e->curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(e->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)65536);
    curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, &got);
    rc = curl_easy_perform(e->curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    free(gz);
    if (rc != CURLE_OK) {
        report(e, what, url, curl_easy_strerror(rc));
        return false;
    }
    if (code < 200 || code > 299) {
        char c[32];
        snprintf(c, sizeof(c), "HTTP status %ld", code);
        report(e, what, url, c);
        return false;
    }
    return true;
}

static void *sender_main(void *arg)
{
    struct gw_otlp_exporter *e = arg;

    for (;;) {
        struct item it;
        bool ok;

        pthread_mutex_lock(&e->mu);
        while (e->qlen == 0 && !e->stop_sender)
            pthread_cond_wait(&e->queue_cv, &e->mu);
        if (e->qlen == 0) {
            pthread_mutex_unlock(&e->mu);
            break;
        }
        it = e->q[e->qhead];
        e->qhead = (e->qhead + 1) % e->o.queue_cap;
        e->qlen--;
        pthread_mutex_unlock(&e->mu);
        ok = e->cfg->otlp[it.exp].tls ? e->curl && post(e, &it) : post_plain(e, &it);
        pthread_mutex_lock(&e->mu);
        if (ok) {
            e->stats.bodies_sent++;
            e->stats.spans_sent += it.spans;
        } else {
            e->stats.bodies_failed++;
            e->stats.spans_dropped += it.spans;
        }
        pthread_mutex_unlock(&e->mu);
        free(it.body);
    }
    return NULL;
}

static void destroy(struct gw_otlp_exporter *e)
{
    if (!e)
        return;
    while (e->qlen) {
        free(e->q[e->qhead].body);
        e->qhead = (e->qhead + 1) % e->o.queue_cap;
        e->qlen--;
    }
    if (e->curl)
        curl_easy_cleanup(e->curl);
    for (size_t i = 0; e->conns && i < e->cfg->n_otlp; i++)
        gw_otlp_conn_free(e->conns[i]);
    free(e->conns);
    gw_otlp_enc_free(e->enc);
    free(e->q);
    free(e->batch);
    free(e->batch_w);
    free(e->next_metrics);
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->queue_cv);
    free(e);
}

struct gw_otlp_exporter *gw_otlp_export_start(struct gw_telemetry *t,
                                              const struct gw_otlp_export_opts *o,
                                              struct cmn_err *err)
{
    const struct gw_otel_config *cfg = gw_telemetry_config(t);
    struct gw_otlp_exporter *e;
    bool any = false;

    for (size_t i = 0; i < cfg->n_otlp; i++)
        any = any || exporter_used(&cfg->otlp[i], true) || exporter_used(&cfg->otlp[i], false);
    if (!any)
        return NULL;
    e = calloc(1, sizeof(*e));
    if (!e)
        goto nomem;
    e->t = t;
    e->cfg = cfg;
    if (o)
        e->o = *o;
    e->o.queue_cap = e->o.queue_cap ? e->o.queue_cap : 16;
    e->o.max_body = e->o.max_body ? e->o.max_body : 4u << 20;
    e->o.batch_size = e->o.batch_size ? e->o.batch_size : 512;
    e->o.batch_delay_ms = e->o.batch_delay_ms ? e->o.batch_delay_ms : 5000;
    e->o.poll_ms = e->o.poll_ms ? e->o.poll_ms : 5;
    e->src.resource = &cfg->resource;
    e->src.schema_url = GW_OTLP_SCHEMA_URL;
    e->src.scope_name = GW_OTEL_SCOPE;
    e->src.scope_version = "";
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->queue_cv, NULL);
    e->q = calloc(e->o.queue_cap, sizeof(*e->q));
    e->batch = calloc(e->o.batch_size, sizeof(*e->batch));
    e->batch_w = calloc(e->o.batch_size, sizeof(*e->batch_w));
    e->next_metrics = calloc(cfg->n_otlp ? cfg->n_otlp : 1, sizeof(*e->next_metrics));
    e->curl = curl_easy_init();
    e->enc = gw_otlp_enc_new(&e->src);
    e->conns = calloc(cfg->n_otlp ? cfg->n_otlp : 1, sizeof(*e->conns));
    if (!e->q || !e->batch || !e->batch_w || !e->next_metrics || !e->curl || !e->enc || !e->conns)
        goto nomem;
    for (size_t i = 0; i < cfg->n_otlp; i++)
        e->next_metrics[i] = mono_ms() + cfg->otlp[i].period_s * 1000;
    if (pthread_create(&e->sender, NULL, sender_main, e) != 0)
        goto nomem;
    if (pthread_create(&e->collector, NULL, collector_main, e) != 0) {
        pthread_mutex_lock(&e->mu);
        e->stop_sender = true;
        pthread_cond_signal(&e->queue_cv);
        pthread_mutex_unlock(&e->mu);
        pthread_join(e->sender, NULL);
        goto nomem;
    }
    return e;
nomem:
    cmn_err_set(err, 2, "OTLP exporter: out of memory or threads");
    destroy(e);
    return NULL;
}

void gw_otlp_export_stop(struct gw_otlp_exporter *e, struct gw_otlp_export_stats *last)
{
    if (last)
        memset(last, 0, sizeof(*last));
    if (!e)
        return;
    pthread_mutex_lock(&e->mu);
    e->stopping = true;
    pthread_mutex_unlock(&e->mu);
    gw_telemetry_wake(e->t);
    pthread_join(e->collector, NULL);
    pthread_mutex_lock(&e->mu);
    e->stop_sender = true;
    pthread_cond_signal(&e->queue_cv);
    pthread_mutex_unlock(&e->mu);
    pthread_join(e->sender, NULL);
    if (last)
        gw_otlp_export_get_stats(e, last);
    destroy(e);
}

void gw_otlp_export_get_stats(struct gw_otlp_exporter *e, struct gw_otlp_export_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!e)
        return;
    pthread_mutex_lock(&e->mu);
    *out = e->stats;
    pthread_mutex_unlock(&e->mu);
    for (unsigned w = 0; w < gw_telemetry_n_slots(e->t); w++) {
        struct gw_span_buf *b = gw_telemetry_spans(e->t, w);
        if (b)
            out->spans_not_recorded += gw_span_buf_dropped(b);
    }
}
