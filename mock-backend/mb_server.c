/* mb_server.c - the HTTP handler callback: run the app, answer now or hand to the timer. */
#include "mb_server.h"

#include "cmn_clock.h"
#include "cmn_http.h"
#include "mb_api.h"
#include "mb_delay.h"

#include <stdlib.h>
#include <time.h>

#define MAX_DELAYED_DEFAULT 10000
#define FLUSH_GRACE_MS 200 /* lets resumed connections write their answers before the stop */

struct mb_server {
    struct cmn_http_server *http;
    struct mb_delay *delay;
    struct mb_app app;
};

static void fire(void *ctx, void *token, struct cmn_http_response *resp)
{
    (void)ctx;
    cmn_http_exchange_respond(token, resp);
}

static void on_request(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    struct mb_server *s = ctx;
    struct mb_reply rep;

    mb_app_handle(&s->app, req, &rep);
    if (rep.resp && rep.delay_ms > 0) {
        switch (mb_delay_add(s->delay, ex, rep.resp, mb_delay_due_ms(rep.delay_ms))) {
        case MB_DELAY_OK:
            return; /* the timer answers; the connection stays suspended meanwhile */
        case MB_DELAY_FULL:
            cmn_http_response_destroy(rep.resp);
            rep.resp = mb_api_error(503, "too many delayed answers pending");
            break;
        case MB_DELAY_CLOSING:
            break; /* shutting down: answer at once */
        }
    }
    cmn_http_exchange_respond(ex, rep.resp);
}

struct mb_server *mb_server_start(const struct mb_server_opts *opts, struct cmn_err *err)
{
    struct mb_server *s = calloc(1, sizeof(*s));
    struct cmn_http_server_opts ho = {0};

    if (!s) {
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    if (mb_app_init(&s->app, &opts->app, err) != 0)
        goto fail;
    s->delay =
        mb_delay_new(opts->max_delayed ? opts->max_delayed : MAX_DELAYED_DEFAULT, fire, s, err);
    if (!s->delay)
        goto fail;
    ho.bind = opts->bind;
    ho.port = opts->port;
    ho.threads = opts->threads;
    ho.max_body = opts->max_body;
    /* Longer than the longest scripted delay, so keep-alive clients are not cut meanwhile. */
    ho.idle_timeout_s = MB_FAULT_DELAY_MAX_MS / 1000 + 30;
    ho.access_log = opts->access_log;
    ho.handler = on_request;
    ho.ctx = s;
    s->http = cmn_http_server_start(&ho, err);
    if (!s->http)
        goto fail;
    return s;
fail:
    mb_delay_destroy(s->delay);
    mb_app_free(&s->app);
    free(s);
    return NULL;
}

unsigned mb_server_port(const struct mb_server *s)
{
    return cmn_http_server_port(s->http);
}

void mb_server_stop(struct mb_server *s, int wait_ms)
{
    int64_t deadline;
    struct timespec grace = {0, FLUSH_GRACE_MS * 1000000L};

    if (!s)
        return;
    deadline = cmn_clock_mono_ms() + wait_ms;
    cmn_http_server_quiesce(s->http);
    mb_delay_flush(s->delay);
    while (cmn_http_server_inflight(s->http) > 0 && cmn_clock_mono_ms() < deadline) {
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    nanosleep(&grace, NULL);
    cmn_http_server_stop(s->http, 0);
    mb_delay_destroy(s->delay);
    mb_app_free(&s->app);
    free(s);
}
