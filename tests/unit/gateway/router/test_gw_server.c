/* test_gw_server.c - the running server: auth seam (reject without X-Krakend, claims into the
 * backend URL, propagated headers), router answers, and a clean stop with requests in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
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
#include "gw_server.h"

extern char **environ;

/* ---- a backend that echoes what it received ---------------------------------------------- */

static atomic_int slow_seen;

static void backend(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    char body[1024];
    const char *user = cmn_http_request_header(req, "X-User");
    const char *xff = cmn_http_request_header(req, "X-Forwarded-For");

    (void)ctx;
    if (strncmp(req->path, "/slow", 5) == 0) {
        atomic_fetch_add(&slow_seen, 1);
        usleep(300 * 1000); /* blocks one of the backend's threads: fine for a test */
    }
    snprintf(body, sizeof(body), "{\"path\":\"%s\",\"user\":\"%s\",\"xff\":\"%s\",\"n\":1.10}",
             req->target, user ? user : "", xff ? xff : "");
    cmn_http_exchange_respond(ex,
                              cmn_http_response_text(200, "application/json", body, strlen(body)));
}

/* ---- a fake validator ---------------------------------------------------------------------- */

static int inits;

static bool ep_init(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                    void **state, struct cmn_err *err)
{
    (void)ctx;
    (void)cfg;
    (void)err;
    inits++;
    *state = strncmp(ep->path, "/private", 8) == 0 ? (void *)(uintptr_t)1 : NULL;
    return true;
}

static const char *claim(void *c, const char *name, char *buf, size_t n)
{
    if (strcmp(name, "sub") != 0)
        return NULL;
    snprintf(buf, n, "%s", (const char *)c);
    return buf;
}

static atomic_int freed;

static void claims_free(void *c)
{
    free(c);
    freed++;
}

struct later {
    struct gw_auth_call *call;
};

static void *accept_later(void *arg)
{
    struct gw_auth_call *call = arg;

    usleep(20 * 1000);
    gw_auth_call_accept(call, strdup("bob"), claim, claims_free);
    return NULL;
}

static void check(void *ctx, void *state, struct gw_auth_call *call)
{
    const char *a = cmn_http_request_header(gw_auth_call_request(call), "Authorization");

    (void)ctx;
    (void)state;
    if (!a) {
        gw_auth_call_reject(call, 401);
    } else if (strcmp(a, "ok") == 0) {
        gw_auth_call_set_header(call, "x-user", "alice");
        gw_auth_call_accept(call, strdup("alice"), claim, claims_free);
    } else if (strcmp(a, "later") == 0) {
        pthread_t t;
        gw_auth_call_set_header(call, "X-User", "bob");
        pthread_create(&t, NULL, accept_later, call);
        pthread_detach(t);
    } else {
        gw_auth_call_reject(call, 403);
    }
}

static const struct gw_auth_provider provider = {NULL, ep_init, NULL, check, NULL};

/* ---- client -------------------------------------------------------------------------------- */

struct reply {
    long status;
    char body[4096];
    size_t len;
    char headers[4096];
    size_t hlen;
};

static size_t sink(char *p, size_t s, size_t n, void *ud)
{
    struct reply *r = ud;
    size_t l = s * n;

    if (r->len + l < sizeof(r->body)) {
        memcpy(r->body + r->len, p, l);
        r->len += l;
        r->body[r->len] = '\0';
    }
    return l;
}

static size_t hsink(char *p, size_t s, size_t n, void *ud)
{
    struct reply *r = ud;
    size_t l = s * n;

    if (r->hlen + l < sizeof(r->headers)) {
        memcpy(r->headers + r->hlen, p, l);
        r->hlen += l;
        r->headers[r->hlen] = '\0';
    }
    return l;
}

/* Performs a GET; returns the curl code (asserting only on the main thread). */
static CURLcode get_rc(unsigned port, const char *path, const char *auth, struct reply *r)
{
    CURLcode rc;
    CURL *e = curl_easy_init();
    char url[512], h[128];
    struct curl_slist *sl = NULL;

    memset(r, 0, sizeof(*r));
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
    if (auth) {
        snprintf(h, sizeof(h), "Authorization: %s", auth);
        sl = curl_slist_append(sl, h);
    }
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, sl);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, hsink);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 10L);
    rc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(sl);
    curl_easy_cleanup(e);
    return rc;
}

static void get(unsigned port, const char *path, const char *auth, struct reply *r)
{
    assert_int_equal(get_rc(port, path, auth, r), CURLE_OK);
}

struct fixture {
    struct cmn_http_server *backend;
    struct gw_config *cfg;
    struct gw_server *gw;
    unsigned port;
};

static int setup(void **state)
{
    static struct fixture f;
    struct cmn_http_server_opts o = {.bind = "127.0.0.1", .handler = backend, .threads = 4};
    struct cmn_err err = {0};
    char cfg[2048];

    cmn_log_init("KRAKEND", CMN_LOG_CRITICAL, 2);
    f.backend = cmn_http_server_start(&o, &err);
    assert_non_null(f.backend);
    snprintf(cfg, sizeof(cfg),
             "{\"version\":3,\"port\":0,\"timeout\":\"2s\",\"host\":[\"http://127.0.0.1:%u\"],"
             "\"extra_config\":{\"router\":{\"disable_access_log\":true}},"
             "\"endpoints\":["
             "{\"endpoint\":\"/private/{id}\",\"input_headers\":[\"X-User\"],"
             "\"backend\":[{\"url_pattern\":\"/b/{id}/{JWT.sub}/{JWT.missing}\"}]},"
             "{\"endpoint\":\"/public\",\"backend\":[{\"url_pattern\":\"/pub\"}]},"
             "{\"endpoint\":\"/slow\",\"backend\":[{\"url_pattern\":\"/slow\"}]}]}",
             cmn_http_server_port(f.backend));
    f.cfg = gw_config_parse(cfg, strlen(cfg), "test.json", environ, &err);
    if (!f.cfg)
        fail_msg("config: %s", err.msg);
    f.cfg->port = 0;
    f.gw = gw_server_start(f.cfg, &(struct gw_server_opts){.auth = &provider}, &err);
    if (!f.gw)
        fail_msg("start: %s", err.msg);
    f.port = gw_server_port(f.gw);
    *state = &f;
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

static void rejected_requests_are_bare(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    assert_int_equal(inits, 3);
    get(f->port, "/private/7", NULL, &r);
    assert_int_equal(r.status, 401);
    assert_int_equal(r.len, 0);
    assert_null(strcasestr(r.headers, "X-Krakend"));
    assert_null(strcasestr(r.headers, "Content-Type"));
    get(f->port, "/private/7", "nope", &r);
    assert_int_equal(r.status, 403);
    assert_null(strcasestr(r.headers, "X-Krakend"));
}

static void accepted_requests_carry_claims(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    int before = atomic_load(&freed);

    get(f->port, "/private/7", "ok", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"n\":1.10,\"path\":\"/b/7/alice/%7BJWT.missing%7D\","
                                "\"user\":\"alice\",\"xff\":\"127.0.0.1\"}");
    assert_non_null(strcasestr(r.headers, "X-Krakend-Completed: true"));
    get(f->port, "/private/8", "later", &r); /* accepted from another thread */
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "/b/8/bob/"));
    assert_non_null(strstr(r.body, "\"user\":\"bob\""));
    /* claims are freed with the request, just after its answer went out */
    for (int i = 0; i < 200 && atomic_load(&freed) < before + 2; i++)
        usleep(5 * 1000);
    assert_int_equal(atomic_load(&freed), before + 2);
}

static void unprotected_and_router_answers(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    get(f->port, "/public", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"path\":\"/pub\""));
    get(f->port, "/nothing", NULL, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "404 page not found");
    get(f->port, "/PUBLIC", NULL, &r); /* libcurl does not follow: the redirect itself */
    assert_int_equal(r.status, 301);
    assert_non_null(strcasestr(r.headers, "Location: /public"));
    get(f->port, "/private/a%252Fb", "ok", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "error: encoded url params");
    get(f->port, "/__health", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strcasestr(r.headers, "X-Krakend"));
}

static void *slow_client(void *arg)
{
    struct fixture *f = arg;
    struct reply r;

    if (get_rc(f->port, "/slow", NULL, &r) != CURLE_OK)
        return (void *)(intptr_t)-1;
    return (void *)(intptr_t)r.status;
}

static void stop_with_requests_in_flight(void **state)
{
    struct fixture *f = *state;
    pthread_t t[3];

    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, slow_client, f);
    for (int i = 0; i < 500 && atomic_load(&slow_seen) < 3; i++)
        usleep(10 * 1000); /* all three reached the backend: they are in flight */
    assert_int_equal(atomic_load(&slow_seen), 3);
    gw_server_stop(f->gw, 1000); /* waits for them: the backend answers in 300 ms */
    f->gw = NULL;
    for (int i = 0; i < 3; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_int_equal((intptr_t)rc, 200);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rejected_requests_are_bare),
        cmocka_unit_test(accepted_requests_carry_claims),
        cmocka_unit_test(unprotected_and_router_answers),
        cmocka_unit_test(stop_with_requests_in_flight),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
