/* test_gw_mw.c - the two seams the KrakenD modules plug into, on a running server: the router's
 * middleware slots (gw_mw.h: where each runs, answers, headers on every answer, done hooks, a
 * module finding its earlier state, request values handed down to the stages) and
 * the backend stages (gw_stage.h: order, changing the request, answering from inside, failing,
 * waiting and resuming from another thread, skipping what is inside, cancellation) and the proxy
 * stages (gw_pstage.h: around the whole pipe, changing the request, failing, skipping, replacing
 * the outcome). Fake modules log what they see. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmn_http.h"
#include "cmn_log.h"
#include "gw_auth.h"
#include "gw_config.h"
#include "gw_pstage.h"
#include "gw_mw.h"
#include "gw_pstage.h"
#include "gw_server.h"
#include "tu_http.h"

extern char **environ;

/* ---- what the fake modules saw, in order ---------------------------------------------------- */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_events[4096];

static void event(const char *fmt, ...)
{
    char line[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&g_mu);
    size_t used = strlen(g_events);
    int n = snprintf(g_events + used, sizeof(g_events) - used, "%s%s", used ? " " : "", line);
    if (n < 0 || (size_t)n >= sizeof(g_events) - used)
        g_events[used] = '\0'; /* too long: keep what was there */
    pthread_mutex_unlock(&g_mu);
}

static void events_reset(void)
{
    pthread_mutex_lock(&g_mu);
    g_events[0] = '\0';
    pthread_mutex_unlock(&g_mu);
}

#define assert_events(want)                                                                        \
    do {                                                                                           \
        pthread_mutex_lock(&g_mu);                                                                 \
        char got_[sizeof(g_events)];                                                               \
        memcpy(got_, g_events, sizeof(got_));                                                      \
        pthread_mutex_unlock(&g_mu);                                                               \
        assert_string_equal(got_, want);                                                           \
    } while (0)

static const char *header_of(const struct cmn_http_request *r, const char *name)
{
    return cmn_http_request_header(r, name);
}

static struct cmn_http_response *text(unsigned status, const char *body)
{
    return cmn_http_response_text(status, "text/plain", body, strlen(body));
}

/* ---- router middlewares --------------------------------------------------------------------- */

static const char *const ROUTES[] = {"none",    "endpoint",  "health",      "debug",   "echo",
                                     "options", "not-found", "not-allowed", "redirect"};

static char g_outer_state[] = "outer-state", g_waited[] = "waited";
static char k_outer[] = "outer", k_engine[] = "engine", k_endpoint[] = "endpoint",
            k_authed[] = "authed", k_s1[] = "s1", k_s2[] = "s2", k_p1[] = "p1", k_p2[] = "p2";

static enum gw_mw_verdict outer_request(void *ctx, const struct gw_mw_request *rq,
                                        struct gw_mw_out *out)
{
    (void)ctx;
    event("outer");
    gw_hdrs_add(out->headers, "X-Outer", "1");
    *out->state = g_outer_state;
    if (strcmp(rq->path, "/preflight") == 0) {
        *out->answer = text(204, "");
        return GW_MW_ANSWER;
    }
    return GW_MW_NEXT;
}

static void outer_done(void *ctx, void *state, const struct gw_mw_request *rq,
                       struct cmn_http_response *resp)
{
    (void)ctx;
    (void)rq;
    event("outer.done:%s:%u", (const char *)state, resp ? resp->status : 0);
}

static enum gw_mw_verdict engine_request(void *ctx, const struct gw_mw_request *rq,
                                         struct gw_mw_out *out)
{
    (void)ctx;
    event("engine(%s)", ROUTES[rq->route]);
    gw_hdrs_add(out->headers, "X-Engine", "1");
    /* endpoint routes: the request the endpoint will use, changeable (service-level Lua) */
    assert_true((rq->route == GW_MW_ROUTE_ENDPOINT) == (rq->in != NULL));
    if (rq->in)
        gw_hdrs_set(&rq->in->headers, "X-Engine-Saw", "1");
    if (header_of(rq->http, "X-Drop"))
        return GW_MW_CLOSE;
    if (header_of(rq->http, "X-Block")) {
        *out->answer = text(403, "blocked");
        return GW_MW_ANSWER;
    }
    return GW_MW_NEXT;
}

static enum gw_mw_verdict endpoint_request(void *ctx, const struct gw_mw_request *rq,
                                           struct gw_mw_out *out)
{
    (void)ctx;
    (void)out;
    event("endpoint(%s)", rq->ep->path);
    assert_non_null(rq->in);
    assert_non_null(gw_hdrs_get(&rq->in->headers, "X-Engine-Saw"));
    if (header_of(rq->http, "X-Probe")) {
        const char *outer = gw_mw_state_of(rq, k_outer);
        event("endpoint.outer=%s", outer ? outer : "none");
        assert_null(gw_mw_state_of(rq, k_authed)); /* not run yet */
        assert_true(gw_inreq_set_value(rq->in, k_endpoint, (void *)(uintptr_t) "from-endpoint"));
    }
    gw_hdrs_set(&rq->in->headers, "X-From-Mw", rq->in->n_params ? rq->in->params[0].value : "-");
    return GW_MW_NEXT;
}

static enum gw_mw_verdict authed_request(void *ctx, const struct gw_mw_request *rq,
                                         struct gw_mw_out *out)
{
    (void)ctx;
    event("authed");
    if (header_of(rq->http, "X-Limit")) {
        *out->answer = text(429, "slow down");
        return GW_MW_ANSWER;
    }
    return GW_MW_NEXT;
}

static bool build_mw(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                     struct gw_mw *mw, struct cmn_err *err)
{
    const char *which = ctx;

    (void)cfg;
    (void)err;
    if (strcmp(which, "outer") == 0 && !ep)
        *mw = (struct gw_mw){"outer", GW_MW_OUTER, k_outer, outer_request, outer_done, NULL, NULL};
    else if (strcmp(which, "engine") == 0 && !ep)
        *mw = (struct gw_mw){"engine", GW_MW_ENGINE, NULL, engine_request, NULL, NULL, NULL};
    else if (strcmp(which, "endpoint") == 0 && ep)
        *mw = (struct gw_mw){"endpoint", GW_MW_ENDPOINT, NULL, endpoint_request, NULL, NULL, NULL};
    else if (strcmp(which, "authed") == 0 && ep)
        *mw = (struct gw_mw){"authed", GW_MW_AUTHENTICATED, NULL, authed_request, NULL, NULL, NULL};
    return true;
}

/* A middleware that only renders /r: its own status and body from the proxy's outcome. */
static struct cmn_http_response *render_r(void *ctx, const struct gw_endpoint *ep,
                                          struct gw_presp *resp, const struct gw_pipe_err *err)
{
    char body[512], *data = resp ? gw_json_render_str(resp->data, NULL) : NULL;

    (void)ctx;
    event("render(%s)", ep->path);
    snprintf(body, sizeof(body), "rendered %s errors=%zu", data ? data : "-", err->n);
    free(data);
    return text(202, body);
}

static char k_render[] = "render";

static bool build_render(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                         struct gw_mw *mw, struct cmn_err *err)
{
    (void)ctx;
    (void)cfg;
    (void)err;
    if (ep && strcmp(ep->path, "/r") == 0)
        *mw = (struct gw_mw){.name = "render", .slot = GW_MW_AUTHENTICATED, .render = render_r};
    return true;
}

static const struct gw_mw_factory F_OUTER = {"outer", k_outer, build_mw};
static const struct gw_mw_factory F_ENGINE = {"engine", k_engine, build_mw};
static const struct gw_mw_factory F_ENDPOINT = {"endpoint", k_endpoint, build_mw};
static const struct gw_mw_factory F_AUTHED = {"authed", k_authed, build_mw};
static const struct gw_mw_factory F_RENDER = {"render", k_render, build_render};
static const struct gw_mw_factory *const MWS[] = {&F_OUTER, &F_ENGINE, &F_ENDPOINT, &F_AUTHED,
                                                  &F_RENDER};

/* ---- a fake validator on /p ----------------------------------------------------------------- */

static bool ep_init(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                    void **state, struct cmn_err *err)
{
    (void)ctx;
    (void)cfg;
    (void)err;
    *state = strcmp(ep->path, "/p") == 0 ? (void *)(uintptr_t)1 : NULL;
    return true;
}

static void check(void *ctx, void *state, struct gw_auth_call *call)
{
    const char *a = cmn_http_request_header(gw_auth_call_request(call), "Authorization");

    (void)ctx;
    (void)state;
    event("auth");
    if (a && strcmp(a, "ok") == 0)
        gw_auth_call_accept(call, NULL, NULL, NULL);
    else
        gw_auth_call_reject(call, 401);
}

static const struct gw_auth_provider AUTH = {NULL, ep_init, NULL, check, NULL};

/* ---- backend stages ------------------------------------------------------------------------- */

static const char *in_header(const struct gw_stage_call *c, const char *name)
{
    return gw_hdrs_get(&c->in->headers, name);
}

static enum gw_stage_verdict s1_before(void *ctx, struct gw_stage_call *c, struct gw_perr *err)
{
    (void)ctx;
    event("s1.before");
    if (in_header(c, "X-Probe"))
        event("s1.value=%s", (const char *)gw_inreq_value(c->in, k_endpoint));
    c->state = strdup("s1-state");
    if (in_header(c, "X-Fail-Outer")) {
        gw_perr_set(err, "stage one says no");
        return GW_STAGE_FAIL;
    }
    if (in_header(c, "X-Skip-Outer"))
        return GW_STAGE_SKIP;
    return GW_STAGE_NEXT;
}

static void s1_after(void *ctx, struct gw_stage_call *c, struct gw_presp **resp,
                     struct gw_perr *err, bool *has_err)
{
    (void)ctx;
    (void)c;
    event("s1.after:%s", *has_err ? err->msg : (*resp ? "resp" : "nil"));
}

static void s1_end(void *ctx, struct gw_stage_call *c)
{
    (void)ctx;
    event("s1.end:%s", c->state ? (const char *)c->state : "-");
    free(c->state);
}

struct waiter {
    struct gw_stage_resume *r;
};

static atomic_int g_waiting; /* resumes not made yet: s2's free waits for them (gw_stage.h) */

static _Atomic enum gw_stage_verdict g_resume_with = GW_STAGE_NEXT;

static void *resume_later(void *arg)
{
    struct gw_stage_resume *r = arg;

    usleep(30 * 1000);
    event("s2.resumed");
    gw_stage_resume(r, atomic_load(&g_resume_with), NULL, NULL);
    atomic_fetch_sub(&g_waiting, 1);
    return NULL;
}

static void s2_free(void *ctx)
{
    (void)ctx;
    while (atomic_load(&g_waiting) > 0)
        usleep(1000);
}

static enum gw_stage_verdict s2_http(void *ctx, struct gw_stage_call *c,
                                     struct gw_fetch_result **res, struct gw_perr *err)
{
    (void)ctx;
    if (c->state) { /* resumed with GW_STAGE_AGAIN: it may change the request now */
        event("s2.again");
        gw_hdrs_set(&c->out->headers, "X-Stage", "again");
        return GW_STAGE_NEXT;
    }
    event("s2.http_request");
    gw_hdrs_set(&c->out->headers, "X-Stage", "2");
    if (in_header(c, "X-Cache")) {
        static const char body[] = "{\"cached\":true}";
        *res = calloc(1, sizeof(**res));
        gw_hdrs_init(&(*res)->headers, 0);
        gw_hdrs_add(&(*res)->headers, "Content-Type", "application/json");
        (*res)->status = 200;
        (*res)->body = strdup(body);
        (*res)->body_len = sizeof(body) - 1;
        (*res)->url = strdup(c->out->url);
        return GW_STAGE_ANSWER;
    }
    if (in_header(c, "X-Fail-Inner")) {
        gw_perr_set(err, "stage two says no");
        return GW_STAGE_FAIL;
    }
    if (in_header(c, "X-Wait")) {
        pthread_t t;
        c->state = g_waited;
        atomic_fetch_add(&g_waiting, 1);
        pthread_create(&t, NULL, resume_later, c->resume);
        pthread_detach(t);
        return GW_STAGE_WAIT;
    }
    return GW_STAGE_NEXT;
}

static void s2_http_response(void *ctx, struct gw_stage_call *c, struct gw_fetch_result *res)
{
    (void)ctx;
    (void)c;
    event("s2.http_response:%ld", res->status);
}

static void s2_end(void *ctx, struct gw_stage_call *c)
{
    (void)ctx;
    (void)c;
    event("s2.end");
}

static bool build_stage(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                        const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err)
{
    const char *which = ctx;

    (void)cfg;
    (void)b;
    (void)err;
    if (strcmp(ep->path, "/e/{id}") != 0)
        return true; /* no stage on the other endpoints */
    if (strcmp(which, "s1") == 0)
        *st = (struct gw_stage){"s1", NULL, s1_before, NULL, NULL, s1_after, s1_end, NULL};
    else
        *st = (struct gw_stage){"s2", NULL, NULL, s2_http, s2_http_response, NULL, s2_end, s2_free};
    return true;
}

static const struct gw_stage_factory F_S1 = {"s1", k_s1, build_stage};
static const struct gw_stage_factory F_S2 = {"s2", k_s2, build_stage};
static const struct gw_stage_factory *const STAGES[] = {&F_S1, &F_S2};

/* ---- proxy stages on /ps -------------------------------------------------------------------- */

static enum gw_stage_verdict p1_before(void *ctx, struct gw_pstage_call *c, struct gw_perr *err)
{
    (void)ctx;
    event("p1.before");
    if (gw_hdrs_get(&c->in->headers, "X-Probe"))
        event("p1.value=%s", (const char *)gw_inreq_value(c->in, k_endpoint));
    c->state = strdup("p1-state");
    gw_hdrs_set(&c->in->headers, "X-From-Mw", "p1"); /* reaches the backend */
    if (gw_hdrs_get(&c->in->headers, "X-Pfail")) {
        gw_perr_set(err, "p1 says no");
        return GW_STAGE_FAIL;
    }
    return GW_STAGE_NEXT;
}

static const char *outcome(struct gw_presp **resp, const struct gw_pipe_err *err)
{
    return err->n ? err->errs[0].msg : *resp ? "resp" : "nil";
}

static void p1_after(void *ctx, struct gw_pstage_call *c, struct gw_presp **resp,
                     const struct gw_pipe_err *err, struct gw_perr *fail)
{
    (void)ctx;
    (void)c;
    (void)fail;
    event("p1.after:%s", outcome(resp, err));
}

static void p1_end(void *ctx, struct gw_pstage_call *c)
{
    (void)ctx;
    event("p1.end:%s", c->state ? (const char *)c->state : "-");
    free(c->state);
}

static enum gw_stage_verdict p2_before(void *ctx, struct gw_pstage_call *c, struct gw_perr *err)
{
    (void)ctx;
    (void)err;
    event("p2.before");
    return gw_hdrs_get(&c->in->headers, "X-Pskip") ? GW_STAGE_SKIP : GW_STAGE_NEXT;
}

static void p2_after(void *ctx, struct gw_pstage_call *c, struct gw_presp **resp,
                     const struct gw_pipe_err *err, struct gw_perr *fail)
{
    (void)ctx;
    event("p2.after:%s", outcome(resp, err));
    if (!*resp)
        return;
    if (gw_hdrs_get(&c->in->headers, "X-Pfail-After")) {
        gw_perr_set(fail, "p2 changed its mind");
        return;
    }
    if (!(*resp)->data)
        (*resp)->data = gw_json_object();
    gw_json_object_set((*resp)->data, "p2", gw_json_bool(true));
    (*resp)->complete = true;
}

static void p2_end(void *ctx, struct gw_pstage_call *c)
{
    (void)ctx;
    (void)c;
    event("p2.end");
}

static bool build_pstage(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                         struct gw_pstage *st, struct cmn_err *err)
{
    const char *which = ctx;

    (void)cfg;
    (void)err;
    if (strcmp(ep->path, "/ps") != 0)
        return true;
    if (strcmp(which, "p1") == 0)
        *st = (struct gw_pstage){"p1", NULL, p1_before, p1_after, p1_end, NULL};
    else
        *st = (struct gw_pstage){"p2", NULL, p2_before, p2_after, p2_end, NULL};
    return true;
}

static const struct gw_pstage_factory F_P1 = {"p1", k_p1, build_pstage};
static const struct gw_pstage_factory F_P2 = {"p2", k_p2, build_pstage};
static const struct gw_pstage_factory *const PSTAGES[] = {&F_P1, &F_P2};

/* ---- the backend: echoes what reached it ---------------------------------------------------- */

static void backend(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    char body[512];
    const char *mw = cmn_http_request_header(req, "X-From-Mw");
    const char *st = cmn_http_request_header(req, "X-Stage");

    (void)ctx;
    event("backend");
    snprintf(body, sizeof(body), "{\"path\":\"%s\",\"mw\":\"%s\",\"stage\":\"%s\"}", req->path,
             mw ? mw : "", st ? st : "");
    cmn_http_exchange_respond(ex,
                              cmn_http_response_text(200, "application/json", body, strlen(body)));
}

/* ---- fixture and client --------------------------------------------------------------------- */

struct fixture {
    struct cmn_http_server *backend;
    struct gw_config *cfg;
    struct gw_server *gw;
    unsigned port;
};

static struct fixture g_f;

static int setup(void **state)
{
    struct cmn_http_server_opts o = {.bind = "127.0.0.1", .handler = backend, .threads = 2};
    struct gw_server_opts so = {&AUTH, MWS, 5, STAGES, 2, PSTAGES, 2};
    struct cmn_err err = {0};
    char cfg[2048];

    cmn_log_init("KRAKEND", CMN_LOG_CRITICAL, 2);
    g_f.backend = cmn_http_server_start(&o, &err);
    assert_non_null(g_f.backend);
    snprintf(cfg, sizeof(cfg),
             "{\"version\":3,\"port\":0,\"timeout\":\"2s\",\"host\":[\"http://127.0.0.1:%u\"],"
             "\"extra_config\":{\"router\":{\"disable_access_log\":true}},\"endpoints\":["
             "{\"endpoint\":\"/e/{id}\",\"input_headers\":[\"X-From-Mw\",\"X-Cache\",\"X-Wait\","
             "\"X-Fail-Outer\",\"X-Fail-Inner\",\"X-Skip-Outer\"],\"backend\":[{\"url_pattern\":\"/"
             "b/{id}\"}]},"
             "{\"endpoint\":\"/p\",\"input_headers\":[\"X-From-Mw\"],"
             "\"backend\":[{\"url_pattern\":\"/pb\"}]},"
             "{\"endpoint\":\"/ps\",\"input_headers\":[\"X-From-Mw\"],"
             "\"backend\":[{\"url_pattern\":\"/psb\"}]},"
             "{\"endpoint\":\"/r\",\"backend\":[{\"url_pattern\":\"/rb\"}]}]}",
             cmn_http_server_port(g_f.backend));
    g_f.cfg = gw_config_parse(cfg, strlen(cfg), "test.json", environ, &err);
    if (!g_f.cfg)
        fail_msg("config: %s", err.msg);
    g_f.gw = gw_server_start(g_f.cfg, &so, &err);
    if (!g_f.gw)
        fail_msg("start: %s", err.msg);
    g_f.port = gw_server_port(g_f.gw);
    *state = &g_f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    gw_server_stop(f->gw, 100);
    gw_config_destroy(f->cfg);
    cmn_http_server_stop(f->backend, 1000);
    return 0;
}

/* One request (the head's extra lines in `extra`, "" for none); returns the answer's status,
 * or 0 when the connection closed without one. */
static unsigned send_req(const char *target, const char *extra, struct tu_answer *a)
{
    struct tu_conn c;
    char raw[1024];
    int rc;

    memset(a, 0, sizeof(*a));
    events_reset();
    assert_true(tu_connect(&c, g_f.port, 5000));
    snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n", target,
             extra);
    assert_true(tu_send_str(&c, raw));
    rc = tu_read_answer(&c, false, a);
    tu_close(&c);
    return rc == 1 ? a->status : 0;
}

/* ---- the router slots ----------------------------------------------------------------------- */

static void slots_in_order_and_headers_on_the_answer(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/e/7", "", &a), 200);
    assert_string_equal(a.body, "{\"mw\":\"7\",\"path\":\"/b/7\",\"stage\":\"2\"}");
    assert_string_equal(tu_answer_header(&a, "X-Outer"), "1");
    assert_string_equal(tu_answer_header(&a, "X-Engine"), "1");
    assert_events("outer engine(endpoint) endpoint(/e/{id}) authed s1.before s2.http_request "
                  "backend s2.http_response:200 s1.after:resp s2.end s1.end:s1-state "
                  "outer.done:outer-state:200");
    tu_answer_free(&a);
}

static void outer_answers_before_routing(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/preflight", "", &a), 204); /* no such route: never routed */
    assert_string_equal(tu_answer_header(&a, "X-Outer"), "1");
    assert_null(tu_answer_header(&a, "X-Engine"));
    assert_events("outer outer.done:outer-state:204");
    tu_answer_free(&a);
}

static void engine_skips_health_and_redirects(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/__health", "", &a), 200);
    assert_string_equal(tu_answer_header(&a, "X-Outer"), "1");
    assert_null(tu_answer_header(&a, "X-Engine"));
    assert_events("outer outer.done:outer-state:200");
    tu_answer_free(&a);
    assert_int_equal(send_req("/E/7", "", &a), 301); /* gin's fixed-path redirect */
    assert_string_equal(tu_answer_header(&a, "X-Outer"), "1");
    assert_null(tu_answer_header(&a, "X-Engine"));
    tu_answer_free(&a);
    assert_int_equal(send_req("/nothing", "", &a), 404);
    assert_string_equal(tu_answer_header(&a, "X-Engine"), "1");
    assert_events("outer engine(not-found) outer.done:outer-state:404");
    tu_answer_free(&a);
}

static void an_engine_answer_stops_the_rest(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/e/7", "X-Block: 1\r\n", &a), 403);
    assert_string_equal(a.body, "blocked");
    assert_string_equal(tu_answer_header(&a, "X-Outer"), "1");
    assert_events("outer engine(endpoint) outer.done:outer-state:403");
    tu_answer_free(&a);
    assert_int_equal(send_req("/e/7", "X-Drop: 1\r\n", &a), 0); /* closed, nothing sent */
    assert_events("outer engine(endpoint) outer.done:outer-state:0");
    tu_answer_free(&a);
}

static void auth_between_the_endpoint_slots(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/p", "", &a), 401);
    assert_string_equal(tu_answer_header(&a, "X-Outer"), "1"); /* on the 401 too */
    assert_events("outer engine(endpoint) endpoint(/p) auth outer.done:outer-state:401");
    tu_answer_free(&a);
    assert_int_equal(send_req("/p", "Authorization: ok\r\n", &a), 200);
    assert_string_equal(a.body, "{\"mw\":\"-\",\"path\":\"/pb\",\"stage\":\"\"}");
    assert_events(
        "outer engine(endpoint) endpoint(/p) auth authed backend outer.done:outer-state:200");
    tu_answer_free(&a);
    assert_int_equal(send_req("/p", "Authorization: ok\r\nX-Limit: 1\r\n", &a), 429);
    assert_events("outer engine(endpoint) endpoint(/p) auth authed outer.done:outer-state:429");
    tu_answer_free(&a);
}

/* A `render` hook replaces the endpoint handler: its status and body, no X-Krakend, the other
 * middlewares' headers still on it; only one middleware of an endpoint may render. */
static void a_middleware_renders_the_endpoint(void **state)
{
    static const struct gw_mw_factory *const twice[] = {&F_RENDER, &F_RENDER};
    struct gw_mw_chains *chains = NULL;
    struct cmn_err err = {0};
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/r", "", &a), 202);
    assert_string_equal(a.body, "rendered {\"mw\":\"\",\"path\":\"/rb\",\"stage\":\"\"} errors=0");
    assert_null(tu_answer_header(&a, "X-Krakend"));
    assert_string_equal(tu_answer_header(&a, "X-Outer"), "1");
    assert_events(
        "outer engine(endpoint) endpoint(/r) authed backend render(/r) outer.done:outer-state:202");
    tu_answer_free(&a);
    assert_int_equal(send_req("/p", "Authorization: ok\r\n", &a), 200); /* the others: Lura's */
    assert_non_null(tu_answer_header(&a, "X-Krakend"));
    tu_answer_free(&a);
    assert_false(gw_mw_chains_build(g_f.cfg, twice, 2, &chains, &err));
    assert_non_null(strstr(err.msg, "both render the endpoint /r"));
    assert_null(chains);
}

/* ---- the backend stages --------------------------------------------------------------------- */

static void a_stage_answers_from_inside(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/e/8", "X-Cache: 1\r\n", &a), 200);
    assert_string_equal(a.body, "{\"cached\":true}");
    /* the stages outside it see the answer; the backend is never called */
    assert_events("outer engine(endpoint) endpoint(/e/{id}) authed s1.before s2.http_request "
                  "s1.after:resp s2.end s1.end:s1-state outer.done:outer-state:200");
    tu_answer_free(&a);
}

static void failures_reach_only_the_stages_outside(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/e/8", "X-Fail-Inner: 1\r\n", &a), 500);
    assert_events("outer engine(endpoint) endpoint(/e/{id}) authed s1.before s2.http_request "
                  "s1.after:stage two says no s2.end s1.end:s1-state "
                  "outer.done:outer-state:500");
    tu_answer_free(&a);
    assert_int_equal(send_req("/e/8", "X-Fail-Outer: 1\r\n", &a), 500);
    /* s1 failed in `before`: no `after` for it, s2 never entered, s1's state still freed */
    assert_events("outer engine(endpoint) endpoint(/e/{id}) authed s1.before s1.end:s1-state "
                  "outer.done:outer-state:500");
    tu_answer_free(&a);
}

static void a_stage_waits_and_resumes_from_another_thread(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/e/9", "X-Wait: 1\r\n", &a), 200);
    assert_string_equal(a.body, "{\"mw\":\"9\",\"path\":\"/b/9\",\"stage\":\"2\"}");
    assert_events("outer engine(endpoint) endpoint(/e/{id}) authed s1.before s2.http_request "
                  "s2.resumed backend s2.http_response:200 s1.after:resp s2.end "
                  "s1.end:s1-state outer.done:outer-state:200");
    tu_answer_free(&a);
    /* GW_STAGE_AGAIN: the waiting stage runs again on the loop thread and changes the request */
    atomic_store(&g_resume_with, GW_STAGE_AGAIN);
    assert_int_equal(send_req("/e/9", "X-Wait: 1\r\n", &a), 200);
    atomic_store(&g_resume_with, GW_STAGE_NEXT);
    assert_string_equal(a.body, "{\"mw\":\"9\",\"path\":\"/b/9\",\"stage\":\"again\"}");
    assert_events("outer engine(endpoint) endpoint(/e/{id}) authed s1.before s2.http_request "
                  "s2.resumed s2.again backend s2.http_response:200 s1.after:resp s2.end "
                  "s1.end:s1-state outer.done:outer-state:200");
    tu_answer_free(&a);
}

static void a_stage_skips_what_is_inside(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/e/8", "X-Skip-Outer: 1\r\n", &a), 200);
    assert_string_equal(tu_answer_header(&a, "X-Krakend-Completed"), "false");
    /* s1's own `after` sees the empty response; s2 and the backend never run */
    assert_events("outer engine(endpoint) endpoint(/e/{id}) authed s1.before s1.after:resp "
                  "s1.end:s1-state outer.done:outer-state:200");
    tu_answer_free(&a);
}

/* ---- the proxy stages ----------------------------------------------------------------------- */

static void proxy_stages_wrap_the_pipe(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/ps", "", &a), 200);
    /* p1's header reached the backend; p2's after changed the data */
    assert_string_equal(a.body, "{\"mw\":\"p1\",\"p2\":true,\"path\":\"/psb\",\"stage\":\"\"}");
    assert_events("outer engine(endpoint) endpoint(/ps) authed p1.before p2.before backend "
                  "p2.after:resp p1.after:resp outer.done:outer-state:200 p2.end "
                  "p1.end:p1-state");
    tu_answer_free(&a);
}

static void a_proxy_stage_fails_or_skips(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/ps", "X-Pskip: 1\r\n", &a), 200);
    assert_string_equal(a.body, "{\"p2\":true}"); /* no backend, no static data */
    assert_events("outer engine(endpoint) endpoint(/ps) authed p1.before p2.before p2.after:resp "
                  "p1.after:resp outer.done:outer-state:200 p2.end p1.end:p1-state");
    tu_answer_free(&a);
    assert_int_equal(send_req("/ps", "X-Pfail: 1\r\n", &a), 500);
    /* p1 failed in `before`: no `after` for it, p2 never entered */
    assert_events("outer engine(endpoint) endpoint(/ps) authed p1.before "
                  "outer.done:outer-state:500 p1.end:p1-state");
    tu_answer_free(&a);
    assert_int_equal(send_req("/ps", "X-Pfail-After: 1\r\n", &a), 500);
    assert_events("outer engine(endpoint) endpoint(/ps) authed p1.before p2.before backend "
                  "p2.after:resp p1.after:p2 changed its mind outer.done:outer-state:500 p2.end "
                  "p1.end:p1-state");
    tu_answer_free(&a);
}

/* A router middleware's request values (gw_inreq_set_value) reach the proxy and backend stages
 * of the same request; an endpoint middleware finds the state its module's outer one set. */
static void values_reach_the_proxy_and_backend_stages(void **state)
{
    struct tu_answer a;

    (void)state;
    assert_int_equal(send_req("/ps", "X-Probe: 1\r\n", &a), 200);
    assert_events("outer engine(endpoint) endpoint(/ps) endpoint.outer=outer-state authed "
                  "p1.before p1.value=from-endpoint p2.before backend p2.after:resp "
                  "p1.after:resp outer.done:outer-state:200 p2.end p1.end:p1-state");
    tu_answer_free(&a);
    assert_int_equal(send_req("/e/5", "X-Probe: 1\r\n", &a), 200);
    assert_events("outer engine(endpoint) endpoint(/e/{id}) endpoint.outer=outer-state authed "
                  "s1.before s1.value=from-endpoint s2.http_request backend "
                  "s2.http_response:200 s1.after:resp s2.end s1.end:s1-state "
                  "outer.done:outer-state:200");
    tu_answer_free(&a);
}

/* Last: stopping the server while a stage waits cancels the call; the resume that comes later
 * only frees (ASan and valgrind see the rest). */
static void stop_while_a_stage_waits(void **state)
{
    struct fixture *f = *state;
    struct tu_conn c;

    assert_true(tu_connect(&c, f->port, 5000));
    events_reset();
    assert_true(tu_send_str(&c, "GET /e/1 HTTP/1.1\r\nHost: x\r\nX-Wait: 1\r\n\r\n"));
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&g_mu);
        bool waiting = strstr(g_events, "s2.http_request") != NULL;
        pthread_mutex_unlock(&g_mu);
        if (waiting)
            break;
        usleep(1000);
    }
    gw_server_stop(f->gw, 0); /* s2's free waits for the resume, which then only frees */
    f->gw = NULL;
    assert_int_equal(atomic_load(&g_waiting), 0);
    tu_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(slots_in_order_and_headers_on_the_answer),
        cmocka_unit_test(outer_answers_before_routing),
        cmocka_unit_test(a_middleware_renders_the_endpoint),
        cmocka_unit_test(engine_skips_health_and_redirects),
        cmocka_unit_test(an_engine_answer_stops_the_rest),
        cmocka_unit_test(auth_between_the_endpoint_slots),
        cmocka_unit_test(a_stage_answers_from_inside),
        cmocka_unit_test(failures_reach_only_the_stages_outside),
        cmocka_unit_test(a_stage_waits_and_resumes_from_another_thread),
        cmocka_unit_test(a_stage_skips_what_is_inside),
        cmocka_unit_test(proxy_stages_wrap_the_pipe),
        cmocka_unit_test(a_proxy_stage_fails_or_skips),
        cmocka_unit_test(values_reach_the_proxy_and_backend_stages),
        cmocka_unit_test(stop_while_a_stage_waits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
