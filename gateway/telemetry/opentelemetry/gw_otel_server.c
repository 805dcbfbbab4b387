/* gw_otel_server.c - the Prometheus exporters' listeners (spec §3.4): one HTTP server per
 * exporters.prometheus entry, serving /metrics only (any method, as Go's ServeMux), the text
 * format, gzip when asked; its own threads (libmicrohttpd), never the gateway's workers. */
#include "gw_otel_module.h"

#include "cmn_http.h"
#include "gw_process.h"
#include "gw_prom.h"
#include "gw_telemetry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BODY_CAP (64u << 20) /* an exposition larger than this is a 500 */

struct listener {
    struct gw_telemetry *t;
    const struct gw_otel_prom_exporter *x;
    const struct gw_otel_config *cfg;
    struct cmn_http_server *http;
};

struct gw_prom_servers {
    struct listener *v;
    size_t n;
};

/* gzip (RFC 1952) of the body into an owned buffer, NULL on failure. */
static char *gzip_body(const char *body, size_t len, size_t *out_len)
{
    z_stream z;
    uLong cap = compressBound((uLong)len) + 32;
    char *out = malloc(cap);

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
    z.next_out = (Bytef *)out;
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

static bool accepts_gzip(const struct cmn_http_request *req)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        if (strcasecmp(req->headers[i].name, "Accept-Encoding") == 0 &&
            strstr(req->headers[i].value, "gzip"))
            return true;
    }
    return false;
}

static struct cmn_http_response *metrics(struct listener *l, const struct cmn_http_request *req)
{
    struct gw_otel_metrics *m = gw_telemetry_metrics(l->t);
    struct gw_metrics_snapshot snap;
    struct gw_process_stats ps;
    struct gw_prom_input in = {0};
    struct cmn_http_response *resp = NULL;
    struct cmn_err err = {0};
    struct cmn_buf b;
    bool have_snap = false, ok;
    char *body;
    size_t len;

    if (!l->x->disable_metrics && m) {
        if (!gw_metrics_collect(gw_otel_metrics_registry(m), &snap, &err))
            return cmn_http_response_text(500, "text/plain; charset=utf-8", err.msg,
                                          strlen(err.msg));
        have_snap = true;
        in.snap = &snap;
        in.resource = &l->cfg->resource;
    }
    if (l->x->process_metrics && gw_process_collect(gw_process_proc_reader(), &ps))
        in.proc = &ps;
    cmn_buf_init(&b, BODY_CAP);
    ok = gw_prom_render(&in, &b);
    if (have_snap)
        gw_metrics_snapshot_free(&snap);
    body = ok ? cmn_buf_take(&b, &len) : NULL;
    cmn_buf_free(&b);
    if (!body)
        return cmn_http_response_text(500, "text/plain; charset=utf-8", "cannot render metrics",
                                      21);
    resp = cmn_http_response_new(200);
    if (!resp) {
        free(body);
        return NULL;
    }
    cmn_http_response_add_header(resp, "Content-Type", GW_PROM_CONTENT_TYPE);
    if (accepts_gzip(req)) {
        size_t zl;
        char *z = gzip_body(body, len, &zl);
        if (z) {
            free(body);
            body = z;
            len = zl;
            cmn_http_response_add_header(resp, "Content-Encoding", "gzip");
        }
    }
    cmn_http_response_add_header(resp, "Vary", "Accept-Encoding");
    cmn_http_response_take_body(resp, body, len);
    return resp;
}

static void handle(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    struct listener *l = ctx;

    if (strcmp(req->path, GW_PROM_PATH) != 0) {
        static const char nf[] = "404 page not found\n";
        cmn_http_exchange_respond(
            ex, cmn_http_response_text(404, "text/plain; charset=utf-8", nf, sizeof(nf) - 1));
        return;
    }
    cmn_http_exchange_respond(ex, metrics(l, req));
}

/* Go's net.Listen("tcp", host+":"+port) refusals that our listener would not make itself. */
static bool go_address_ok(const char *host, long long port, char *why, size_t cap)
{
    if (strchr(host, ':')) { /* "::1:9090": KrakenD does not bracket IPv6 literals */
        snprintf(why, cap, "listen tcp: address %s:%lld: too many colons in address", host, port);
        return false;
    }
    if (port < 0 || port > 65535) {
        snprintf(why, cap, "listen tcp: address %lld: invalid port", port);
        return false;
    }
    return true;
}

struct gw_prom_servers *gw_prom_servers_start(struct gw_telemetry *t,
                                              const struct gw_otel_config *cfg)
{
    struct gw_prom_servers *s;

    if (!cfg || cfg->n_prometheus == 0)
        return NULL;
    s = calloc(1, sizeof(*s));
    if (!s || !(s->v = calloc(cfg->n_prometheus, sizeof(*s->v)))) {
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < cfg->n_prometheus; i++) {
        const struct gw_otel_prom_exporter *x = &cfg->prometheus[i];
        struct listener *l = &s->v[s->n];
        struct cmn_http_server_opts o = {0};
        struct cmn_err err = {0};
        char why[sizeof(err.msg)];

        *l = (struct listener){t, x, cfg, NULL};
        if (go_address_ok(x->host, x->port, why, sizeof(why))) {
            o.bind = x->host;
            o.port = (unsigned)x->port;
            o.threads = 1;
            o.max_connections = 64;
            o.head_timeout_ms = 3000; /* the exporter's ReadHeaderTimeout */
            o.handler = handle;
            o.ctx = l;
            l->http = cmn_http_server_start(&o, &err);
            snprintf(why, sizeof(why), "%s", err.msg);
        }
        if (!l->http) {
            /* KrakenD prints it with Go's standard logger and keeps running */
            fprintf(stderr,
                    "[SERVICE: kotel] The Prometheus exporter failed to listen and serve: %s\n",
                    why);
            continue;
        }
        s->n++;
    }
    return s;
}

void gw_prom_servers_stop(struct gw_prom_servers *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        cmn_http_server_stop(s->v[i].http, 5000);
    free(s->v);
    free(s);
}
