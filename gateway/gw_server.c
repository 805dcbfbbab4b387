/* gw_server.c - the gateway's HTTP server (minimal: listens and answers gin's 404). */
#include "gw_server.h"

#include "cmn_http.h"
#include "cmn_log.h"

#include <stdlib.h>
#include <string.h>

struct gw_server {
    const struct gw_config *cfg;
    struct cmn_http_server *http;
};

static void handle(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    struct cmn_http_response *r;
    static const char body[] = "404 page not found";

    (void)ctx;
    (void)req;
    r = cmn_http_response_text(404, "text/plain", body, sizeof(body) - 1);
    if (r) {
        cmn_http_response_add_header(r, "X-Krakend", "Version " GW_VERSION);
        cmn_http_response_add_header(r, "X-Krakend-Completed", "false");
    }
    cmn_http_exchange_respond(ex, r);
}

struct gw_server *gw_server_start(const struct gw_config *cfg, struct cmn_err *err)
{
    struct gw_server *s = calloc(1, sizeof(*s));
    struct cmn_http_server_opts o = {0};

    if (!s) {
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    o.bind = cfg->listen_ip;
    o.port = cfg->port;
    o.handler = handle;
    o.ctx = s;
    s->http = cmn_http_server_start(&o, err);
    if (!s->http) {
        free(s);
        return NULL;
    }
    cmn_log_info("[SERVICE: Gin] Listening on port: %u", cmn_http_server_port(s->http));
    return s;
}

unsigned gw_server_port(const struct gw_server *s)
{
    return cmn_http_server_port(s->http);
}

void gw_server_stop(struct gw_server *s, int wait_ms)
{
    if (!s)
        return;
    cmn_http_server_quiesce(s->http);
    cmn_http_server_stop(s->http, wait_ms);
    free(s);
}
