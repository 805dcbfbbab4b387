/* test_cmn_http_native.c - cmn_http's own HTTP/1.1 engine seen from raw sockets: what a client
 * reads back (Go net/http's answers), keep-alive, pipelining, split input, deferred answers,
 * timeouts, limits, quiesce and stop. The server runs on external loops driven here the way
 * gw_server drives them: epoll on the loop's two descriptors, for the time the loop asks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cmn_buf.h"
#include "cmn_http.h"
#include "cmn_log.h"
#include "tu_http.h"

#define MAX_HELD 64
#define IO_MS 5000 /* a client gives up on a read after this */

struct harness;

struct driver {
    struct harness *h;
    unsigned i;
    pthread_t th;
    int cmd_fd; /* eventfd: the test wakes the driver to stop or quiesce */
};

struct harness {
    struct cmn_http_server *s;
    unsigned port;
    unsigned n_loops;
    struct driver drv[2];
    atomic_bool stop;
    atomic_bool quiesce;
    atomic_uint quiesced;
    atomic_uint runs;                /* loop runs, to see a loop that spins */
    atomic_uint handled;             /* requests the handler saw */
    atomic_uint loop_seen;           /* bit i: loop i ran a handler */
    bool loops_running, server_live; /* for the teardown of a test that failed midway */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct cmn_http_exchange *held[MAX_HELD]; /* /defer exchanges, answered by the test */
    unsigned n_held;
};

/* ---- the handler ------------------------------------------------------------------------- */

static void hold(struct harness *h, struct cmn_http_exchange *ex)
{
    pthread_mutex_lock(&h->mu);
    assert_true(h->n_held < MAX_HELD);
    h->held[h->n_held++] = ex;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

/* The oldest held exchange, waiting up to ms for one; NULL if none came. */
static struct cmn_http_exchange *take_held(struct harness *h, int ms)
{
    struct timespec dl;
    struct cmn_http_exchange *ex = NULL;

    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += ms / 1000;
    dl.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&h->mu);
    while (h->n_held == 0 && pthread_cond_timedwait(&h->cv, &h->mu, &dl) == 0)
        ;
    if (h->n_held) {
        ex = h->held[0];
        memmove(h->held, h->held + 1, --h->n_held * sizeof(h->held[0]));
    }
    pthread_mutex_unlock(&h->mu);
    return ex;
}

/* The request as text: "METHOD TARGET VERSION\n" "path=.. query=.. has_query=. has_body=.
 * peer=ip:port\n", one "name: value\n" per header, an empty line, the body. */
static struct cmn_http_response *echo(const struct cmn_http_request *req)
{
    struct cmn_buf b;
    struct cmn_http_response *r;

    cmn_buf_init(&b, 1 << 20);
    cmn_buf_printf(&b, "%s %s %s\npath=%s query=%s has_query=%d has_body=%d peer=%s:%u\n",
                   req->method, req->target, req->version, req->path, req->query, req->has_query,
                   req->has_body, req->remote_ip, req->remote_port);
    for (size_t i = 0; i < req->n_headers; i++)
        cmn_buf_printf(&b, "%s: %s\n", req->headers[i].name, req->headers[i].value);
    cmn_buf_append(&b, "\n", 1);
    cmn_buf_append(&b, req->body, req->body_len);
    assert_int_equal(strlen(req->body), req->body_len); /* NUL-terminated */
    r = cmn_http_response_text(200, "text/plain", cmn_buf_str(&b), b.len);
    cmn_buf_free(&b);
    return r;
}

static void handler(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    struct harness *h = ctx;
    struct cmn_http_response *r;

    atomic_fetch_add(&h->handled, 1);
    atomic_fetch_or(&h->loop_seen, 1u << cmn_http_exchange_loop(ex));
    if (strcmp(req->path, "/defer") == 0) {
        hold(h, ex);
        return;
    }
    if (strcmp(req->path, "/abort") == 0) {
        r = cmn_http_response_new(200);
        r->abort = true;
    } else if (strcmp(req->path, "/status") == 0) {
        r = cmn_http_response_text((unsigned)strtoul(req->query, NULL, 10), "text/plain", "body!",
                                   5);
    } else if (strcmp(req->path, "/close") == 0) {
        r = echo(req);
        cmn_http_response_add_header(r, "Connection", "close");
    } else if (strcmp(req->path, "/big") == 0) {
        size_t n = (size_t)strtoull(req->query, NULL, 10);
        char *body = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
            body[i] = (char)('a' + i % 26);
        r = cmn_http_response_new(200);
        cmn_http_response_take_body(r, body, n);
    } else if (strcmp(req->path, "/date") == 0) {
        r = echo(req);
        cmn_http_response_add_header(r, "date", "Mon, 02 Jan 2006 15:04:05 GMT");
    } else if (strcmp(req->path, "/split") == 0) {
        r = echo(req);
        cmn_http_response_add_header(r, "X-Passed", "a\r\nX-Injected: 1\nb");
    } else if (strcmp(req->path, "/null") == 0) {
        r = NULL;
    } else {
        r = echo(req);
    }
    cmn_http_exchange_respond(ex, r);
}

/* ---- the loops ---------------------------------------------------------------------------- */

static void *drive(void *arg)
{
    struct driver *d = arg;
    struct harness *h = d->h;
    struct epoll_event ev = {.events = EPOLLIN}, evs[4];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int fds[3] = {cmn_http_server_loop_fd(h->s, d->i), cmn_http_server_loop_wake_fd(h->s, d->i),
                  d->cmd_fd};
    bool quiesced = false;
    uint64_t v;

    for (int k = 0; k < 3; k++) {
        ev.data.fd = fds[k];
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[k], &ev) != 0)
            abort();
    }
    while (!atomic_load(&h->stop)) {
        if (atomic_load(&h->quiesce) && !quiesced) {
            cmn_http_server_quiesce_loop(h->s, d->i);
            quiesced = true;
            atomic_fetch_add(&h->quiesced, 1);
        }
        /* Exactly the time the loop asks for: a wrong timeout shows as a test that hangs. */
        int64_t t = cmn_http_server_loop_timeout_ms(h->s, d->i);
        epoll_wait(ep, evs, 4, t < 0 ? -1 : t > INT_MAX ? INT_MAX : (int)t);
        if (read(d->cmd_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
            abort();
        if (atomic_load(&h->stop))
            break;
        atomic_fetch_add(&h->runs, 1);
        cmn_http_server_loop_run(h->s, d->i);
    }
    close(ep);
    return NULL;
}

static void poke(struct harness *h)
{
    uint64_t one = 1;

    for (unsigned i = 0; i < h->n_loops; i++)
        assert_int_equal(write(h->drv[i].cmd_fd, &one, sizeof(one)), sizeof(one));
}

static struct cmn_http_server_opts default_opts(struct harness *h, unsigned loops)
{
    return (struct cmn_http_server_opts){.bind = "127.0.0.1",
                                         .native = true,
                                         .external_loops = loops,
                                         .max_body = 1000,
                                         .access_log = true, /* its lines go nowhere: main */
                                         .handler = handler,
                                         .ctx = h};
}

static void start_with(struct harness *h, struct cmn_http_server_opts o)
{
    struct cmn_err err;

    o.ctx = h;
    h->n_loops = o.external_loops;
    h->s = cmn_http_server_start(&o, &err);
    assert_non_null(h->s);
    h->server_live = true;
    h->port = cmn_http_server_port(h->s);
    assert_true(h->port > 0);
    for (unsigned i = 0; i < h->n_loops; i++) {
        assert_true(cmn_http_server_loop_fd(h->s, i) >= 0);
        h->drv[i] = (struct driver){.h = h, .i = i};
        h->drv[i].cmd_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        assert_int_equal(pthread_create(&h->drv[i].th, NULL, drive, &h->drv[i]), 0);
    }
    h->loops_running = true;
}

static void start(struct harness *h, unsigned loops)
{
    start_with(h, default_opts(h, loops));
}

static void stop_loops(struct harness *h)
{
    h->loops_running = false;
    atomic_store(&h->stop, true);
    poke(h);
    for (unsigned i = 0; i < h->n_loops; i++) {
        pthread_join(h->drv[i].th, NULL);
        close(h->drv[i].cmd_fd);
    }
}

/* Stops a server none of whose exchanges is still held. */
static void finish(struct harness *h)
{
    stop_loops(h);
    assert_int_equal(h->n_held, 0);
    assert_int_equal(cmn_http_server_inflight(h->s), 0);
    h->server_live = false;
    cmn_http_server_stop(h->s, 1000);
}

static int setup(void **state)
{
    struct harness *h = calloc(1, sizeof(*h));

    if (!h)
        return -1;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    *state = h;
    return 0;
}

/* Also cleans up after a test that failed midway: its loops and server must not outlive it. */
static int teardown(void **state)
{
    struct harness *h = *state;
    struct cmn_http_exchange *ex;

    if (h->loops_running)
        stop_loops(h);
    while ((ex = take_held(h, 0)) != NULL) {
        struct cmn_http_response *r = cmn_http_response_new(500);
        r->abort = true;
        cmn_http_exchange_respond(ex, r);
    }
    if (h->server_live)
        cmn_http_server_stop(h->s, 1000);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
    return 0;
}

static void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static void connect_to(struct harness *h, struct tu_conn *c)
{
    assert_true(tu_connect(c, h->port, IO_MS));
}

/* Sends a request and reads its answer. */
static void ask(struct tu_conn *c, const char *req, bool head, struct tu_answer *a)
{
    assert_true(tu_send_str(c, req));
    assert_int_equal(tu_read_answer(c, head, a), 1);
}

/* Everything until the server closes: it must close (with a FIN, not a reset) and send
 * exactly `want`. */
static void expect_final(struct tu_conn *c, const char *want)
{
    size_t len;
    char *got = tu_read_all(c, &len);

    assert_int_equal(c->err, 0);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    free(got);
}

/* A header's value, "(none)" when absent (cmocka's string asserts take no NULL). */
static const char *hv(const struct tu_answer *a, const char *name)
{
    const char *v = tu_answer_header(a, name);

    return v ? v : "(none)";
}

static const char *body_line(const struct tu_answer *a, unsigned n)
{
    static char line[512];
    const char *p = a->body;

    for (; n && p; n--) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!p)
        return "";
    size_t len = strcspn(p, "\n");
    if (len >= sizeof(line))
        len = sizeof(line) - 1;
    memcpy(line, p, len);
    line[len] = '\0';
    return line;
}

/* ---- what every answer carries ----------------------------------------------------------- */

static void assert_date(const struct tu_answer *a)
{
    const char *d = tu_answer_header(a, "Date");
    struct tm tm = {0};
    const char *end;

    assert_non_null(d);
    assert_int_equal(tu_answer_count(a, "Date"), 1);
    assert_int_equal(strlen(d), 29); /* "Mon, 02 Jan 2006 15:04:05 GMT" */
    end = strptime(d, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    assert_non_null(end);
    assert_int_equal(*end, '\0');
    assert_true(llabs((long long)(timegm(&tm) - time(NULL))) <= 5);
}

static void get_has_date_length_and_keeps_alive(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    struct sockaddr_in me;
    socklen_t ml = sizeof(me);
    char peer[64];

    start(h, 2);
    connect_to(h, &c);
    getsockname(c.fd, (struct sockaddr *)&me, &ml);
    snprintf(peer, sizeof(peer), "peer=127.0.0.1:%u", ntohs(me.sin_port));
    ask(&c, "GET /a%20b?x=1&x=2 HTTP/1.1\r\nHost: t\r\nX-A: 1\r\nx-a:  2 \r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 200 OK");
    assert_date(&a);
    assert_string_equal(hv(&a, "Content-Type"), "text/plain");
    assert_non_null(tu_answer_header(&a, "Content-Length"));
    assert_int_equal(strtoul(tu_answer_header(&a, "Content-Length"), NULL, 10), a.body_len);
    assert_null(tu_answer_header(&a, "Connection"));
    assert_null(tu_answer_header(&a, "Transfer-Encoding"));
    assert_string_equal(body_line(&a, 0), "GET /a%20b?x=1&x=2 HTTP/1.1");
    assert_non_null(strstr(a.body, "path=/a%20b query=x=1&x=2 has_query=1 has_body=0 "));
    assert_non_null(strstr(a.body, peer));
    assert_non_null(strstr(a.body, "\nHost: t\nX-A: 1\nx-a: 2\n\n")); /* order, names as sent */
    tu_answer_free(&a);

    /* Same connection, next request; "?" alone is a query, empty. */
    ask(&c, "GET /p? HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "path=/p query= has_query=1 has_body=0"));
    tu_answer_free(&a);
    ask(&c, "DELETE /q HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", false, &a);
    assert_non_null(strstr(a.body, "path=/q query= has_query=0 has_body=0"));
    tu_answer_free(&a);
    /* A Date from the handler (a backend's, passed on) replaces the server's. */
    ask(&c, "GET /date HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(tu_answer_count(&a, "Date"), 1);
    assert_string_equal(hv(&a, "Date"), "Mon, 02 Jan 2006 15:04:05 GMT");
    tu_answer_free(&a);
    /* A value with CR or LF (a backend's, passed on by no-op) cannot add a field of its own. */
    ask(&c, "GET /split HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    assert_null(tu_answer_header(&a, "X-Injected"));
    assert_string_equal(hv(&a, "X-Passed"), "a  X-Injected: 1 b");
    tu_answer_free(&a);
    /* A handler answering NULL means 500. */
    ask(&c, "GET /null HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 500 Internal Server Error");
    assert_string_equal(a.body, "internal error\n");
    tu_answer_free(&a);
    assert_true(tu_quiet(&c, 50));
    tu_close(&c);
    finish(h);
}

/* Status lines carry Go's reason phrases (http.StatusText), "status code N" for others. */
static void go_status_lines(void **state)
{
    static const char *const cases[][2] = {
        {"413", "HTTP/1.1 413 Request Entity Too Large"},
        {"414", "HTTP/1.1 414 Request URI Too Long"},
        {"416", "HTTP/1.1 416 Requested Range Not Satisfiable"},
        {"418", "HTTP/1.1 418 I'm a teapot"},
        {"422", "HTTP/1.1 422 Unprocessable Entity"},
        {"299", "HTTP/1.1 299 status code 299"},
        {"599", "HTTP/1.1 599 status code 599"},
    };
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    char req[64];

    start(h, 1);
    connect_to(h, &c);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(req, sizeof(req), "GET /status?%s HTTP/1.1\r\nHost: t\r\n\r\n", cases[i][0]);
        ask(&c, req, false, &a);
        assert_string_equal(a.status_line, cases[i][1]);
        assert_string_equal(a.body, "body!");
        tu_answer_free(&a);
    }
    tu_close(&c);
    finish(h);
}

/* HEAD: the length a GET would get, no body; 204 and 304: neither; 1.0 keep-alive too. */
static void bodyless_answers(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;

    start(h, 1);
    connect_to(h, &c);
    /* The answers arrive back to back: a body where none belongs would show up as the start
     * of the next answer. */
    assert_true(tu_send_str(&c, "HEAD /big?1234 HTTP/1.1\r\nHost: t\r\n\r\n"
                                "GET /status?204 HTTP/1.1\r\nHost: t\r\n\r\n"
                                "GET /status?304 HTTP/1.1\r\nHost: t\r\n\r\n"
                                "GET /big?0 HTTP/1.1\r\nHost: t\r\n\r\n"
                                "HEAD /status?204 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                                "GET /status?201 HTTP/1.1\r\nHost: t\r\n\r\n"));
    assert_int_equal(tu_read_answer(&c, true, &a), 1);
    assert_string_equal(a.status_line, "HTTP/1.1 200 OK");
    assert_string_equal(hv(&a, "Content-Length"), "1234");
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.status_line, "HTTP/1.1 204 No Content");
    assert_null(tu_answer_header(&a, "Content-Length"));
    assert_string_equal(hv(&a, "Content-Type"), "text/plain");
    assert_date(&a);
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.status_line, "HTTP/1.1 304 Not Modified");
    assert_null(tu_answer_header(&a, "Content-Length"));
    assert_null(tu_answer_header(&a, "Content-Type")); /* Go's suppressedHeaders(304) */
    assert_date(&a);
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(hv(&a, "Content-Length"), "0");
    assert_int_equal(a.body_len, 0);
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, true, &a), 1);
    assert_int_equal(a.status, 204);
    assert_string_equal(hv(&a, "Connection"), "keep-alive");
    assert_null(tu_answer_header(&a, "Content-Length"));
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.status_line, "HTTP/1.1 201 Created");
    assert_string_equal(a.body, "body!");
    tu_answer_free(&a);
    assert_true(tu_quiet(&c, 50));
    tu_close(&c);
    finish(h);
}

/* ---- keep-alive rules --------------------------------------------------------------------- */

static void http10_and_connection_rules(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;

    start(h, 2);
    /* HTTP/1.0 without keep-alive: Go answers in 1.0 and closes, saying nothing about it. */
    connect_to(h, &c);
    ask(&c, "GET /x HTTP/1.0\r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.0 200 OK");
    assert_null(tu_answer_header(&a, "Connection"));
    assert_date(&a);
    assert_non_null(tu_answer_header(&a, "Content-Length"));
    tu_answer_free(&a);
    expect_final(&c, "");
    tu_close(&c);

    /* HTTP/1.0 with keep-alive: said back, and the connection stays. */
    connect_to(h, &c);
    for (int i = 0; i < 3; i++) {
        ask(&c, "GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", false, &a);
        assert_string_equal(a.status_line, "HTTP/1.0 200 OK");
        assert_string_equal(hv(&a, "Connection"), "keep-alive");
        tu_answer_free(&a);
    }
    /* ... until a handler says close. */
    ask(&c, "GET /close HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false, &a);
    assert_string_equal(hv(&a, "Connection"), "close");
    assert_int_equal(tu_answer_count(&a, "Connection"), 1);
    tu_answer_free(&a);
    expect_final(&c, "");
    tu_close(&c);

    /* HTTP/1.1 "Connection: close" in any of its headers, any case, among other tokens. */
    static const char *const closing[] = {
        "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: t\r\nConnection: keep-alive, CLOSE\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: t\r\nConnection: te\r\nConnection: Close\r\n\r\n",
        "GET /close HTTP/1.1\r\nHost: t\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(closing) / sizeof(closing[0]); i++) {
        connect_to(h, &c);
        ask(&c, closing[i], false, &a);
        assert_string_equal(a.status_line, "HTTP/1.1 200 OK");
        assert_string_equal(hv(&a, "Connection"), "close");
        assert_int_equal(tu_answer_count(&a, "Connection"), 1);
        tu_answer_free(&a);
        expect_final(&c, "");
        tu_close(&c);
    }
    /* Go serves any HTTP/1.x, as 1.1. */
    connect_to(h, &c);
    ask(&c, "GET /x HTTP/1.2\r\nHost: t\r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 200 OK");
    assert_string_equal(body_line(&a, 0), "GET /x HTTP/1.2");
    tu_answer_free(&a);
    ask(&c, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    tu_close(&c);
    finish(h);
}

/* ---- pipelining --------------------------------------------------------------------------- */

static void pipelined_requests_in_order(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    struct cmn_buf all;
    enum { N = 60 };

    start(h, 2);
    cmn_buf_init(&all, 1 << 20);
    for (int i = 0; i < N; i++) {
        if (i % 4 == 0)
            cmn_buf_printf(&all,
                           "POST /echo?%d HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n"
                           "b%03d",
                           i, 4, i);
        else if (i % 4 == 1)
            cmn_buf_printf(&all, "HEAD /echo?%d HTTP/1.1\r\nHost: t\r\n\r\n", i);
        else if (i % 4 == 2)
            cmn_buf_printf(&all,
                           "POST /echo?%d HTTP/1.1\r\nHost: t\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n2\r\nc%d\r\n0\r\n\r\n",
                           i, i % 10);
        else
            cmn_buf_printf(&all, "GET /echo?%d HTTP/1.1\r\nHost: t\r\n\r\n", i);
    }
    cmn_buf_append_str(&all, "GET /echo?last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                             "GET /echo?never HTTP/1.1\r\nHost: t\r\n\r\n");
    connect_to(h, &c);
    assert_true(tu_send(&c, all.data, all.len)); /* one write */
    for (int i = 0; i < N; i++) {
        char want[64];
        assert_int_equal(tu_read_answer(&c, i % 4 == 1, &a), 1);
        assert_int_equal(a.status, 200);
        if (i % 4 != 1) {
            snprintf(want, sizeof(want), "/echo?%d HTTP/1.1", i);
            assert_non_null(strstr(body_line(&a, 0), want));
        }
        if (i % 4 == 0) {
            snprintf(want, sizeof(want), "\n\nb%03d", i);
            assert_non_null(strstr(a.body, want));
        } else if (i % 4 == 2) {
            snprintf(want, sizeof(want), "\n\nc%d", i % 10);
            assert_non_null(strstr(a.body, want));
        }
        tu_answer_free(&a);
    }
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(body_line(&a, 0), "GET /echo?last HTTP/1.1");
    tu_answer_free(&a);
    expect_final(&c, ""); /* the request after "close" is not answered */
    assert_int_equal(atomic_load(&h->handled), N + 1);
    tu_close(&c);
    cmn_buf_free(&all);

    /* A deferred answer holds back the pipelined request behind it. */
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /defer?1 HTTP/1.1\r\nHost: t\r\n\r\n"
                                "GET /echo?2 HTTP/1.1\r\nHost: t\r\n\r\n"));
    struct cmn_http_exchange *ex = take_held(h, IO_MS);
    assert_non_null(ex);
    assert_string_equal(cmn_http_exchange_request(ex)->target, "/defer?1");
    assert_true(tu_quiet(&c, 100));
    assert_int_equal(atomic_load(&h->handled), N + 2); /* the second one waits */
    cmn_http_exchange_respond(ex, cmn_http_response_text(202, "text/plain", "later", 5));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.status_line, "HTTP/1.1 202 Accepted");
    assert_string_equal(a.body, "later");
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(body_line(&a, 0), "GET /echo?2 HTTP/1.1");
    tu_answer_free(&a);
    tu_close(&c);
    finish(h);
}

/* ---- input in pieces ---------------------------------------------------------------------- */

static void check_echo_body(struct tu_conn *c, const char *target, const char *body)
{
    struct tu_answer a;
    char want[128];

    assert_int_equal(tu_read_answer(c, false, &a), 1);
    assert_int_equal(a.status, 200);
    snprintf(want, sizeof(want), "POST %s HTTP/1.1", target);
    assert_string_equal(body_line(&a, 0), want);
    assert_non_null(strstr(a.body, "has_body=1"));
    assert_int_equal(strlen(strstr(a.body, "\n\n") + 2), strlen(body));
    assert_string_equal(strstr(a.body, "\n\n") + 2, body);
    tu_answer_free(&a);
}

static void requests_split_anywhere(void **state)
{
    static const char *const reqs[] = {
        "POST /cl HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world",
        "POST /ch HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=value\r\nhello\r\n5;x\r\n worl\r\nA\r\nd and more\r\n0\r\n"
        "Trailer-One: 1\r\nTrailer-Two: 2\r\n\r\n",
        /* Bare LF line ends, and an empty line before the request. */
        "\r\nPOST /lf HTTP/1.1\nHost: t\nContent-Length: 3\n\nabc",
    };
    static const char *const bodies[] = {"hello world", "hello world and more", "abc"};
    static const char *const targets[] = {"/cl", "/ch", "/lf"};
    struct harness *h = *state;
    struct tu_conn c;

    start(h, 1);
    connect_to(h, &c);
    for (size_t r = 0; r < 3; r++) {
        size_t n = strlen(reqs[r]);
        /* Two pieces, split at every byte. */
        for (size_t k = 1; k < n; k++) {
            assert_true(tu_send(&c, reqs[r], k));
            msleep(1);
            assert_true(tu_send(&c, reqs[r] + k, n - k));
            check_echo_body(&c, targets[r], bodies[r]);
        }
        /* One byte at a time. */
        assert_true(tu_send_slowly(&c, reqs[r], n, 1, 300));
        check_echo_body(&c, targets[r], bodies[r]);
    }
    /* A body in three pieces with pauses, after the head on its own. */
    assert_true(tu_send_str(&c, "POST /cl HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n"));
    msleep(20);
    assert_true(tu_send_str(&c, "012"));
    msleep(20);
    assert_true(tu_send_str(&c, "3456"));
    msleep(20);
    assert_true(tu_quiet(&c, 20));
    assert_true(tu_send_str(&c, "789"));
    check_echo_body(&c, "/cl", "0123456789");
    tu_close(&c);
    finish(h);
}

/* ---- heads: sizes and counts -------------------------------------------------------------- */

static const char ans431[] = "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                             "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                             "\r\n431 Request Header Fields Too Large";

static char *head_with(size_t value_len, unsigned fields)
{
    struct cmn_buf b;
    char *value = malloc(value_len + 1);
    char *out;

    memset(value, 'v', value_len);
    value[value_len] = '\0';
    cmn_buf_init(&b, 1 << 22);
    cmn_buf_append_str(&b, "GET /echo HTTP/1.1\r\nHost: t\r\n");
    if (value_len)
        cmn_buf_printf(&b, "X-Big: %s\r\n", value);
    for (unsigned i = 0; i < fields; i++)
        cmn_buf_printf(&b, "X-F%u: %u\r\n", i, i);
    cmn_buf_append_str(&b, "\r\n");
    out = cmn_buf_take(&b, NULL);
    free(value);
    return out;
}

static void large_heads(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    char *req;

    start(h, 2); /* max_header_bytes 0: 64 KiB */
    /* A 60 KB header line is served, whole or arriving in pieces. */
    req = head_with(60000, 0);
    connect_to(h, &c);
    ask(&c, req, false, &a);
    assert_int_equal(a.status, 200);
    assert_true(a.body_len > 60000);
    assert_non_null(strstr(a.body, "X-Big: vvvv"));
    tu_answer_free(&a);
    assert_true(tu_send_slowly(&c, req, strlen(req), 7000, 2000));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    tu_close(&c);
    free(req);

    /* Over 64 KiB: Go's raw 431, and the connection closes cleanly although the client sent
     * more than the server read. */
    req = head_with(70000, 0);
    connect_to(h, &c);
    assert_true(tu_send_str(&c, req));
    expect_final(&c, ans431);
    tu_close(&c);
    free(req);

    /* 128 fields are served; the 129th is one too many. */
    req = head_with(0, 127);
    connect_to(h, &c);
    ask(&c, req, false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    tu_close(&c);
    free(req);
    req = head_with(0, 128);
    connect_to(h, &c);
    assert_true(tu_send_str(&c, req));
    expect_final(&c, ans431);
    tu_close(&c);
    free(req);

    /* A head that never ends is cut at the limit too. */
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET / HTTP/1.1\r\nHost: t\r\n"));
    for (int i = 0; i < 3000; i++) /* ~90 KB of fields, without the empty line */
        assert_true(tu_send_str(&c, "X-Some-Header: some value\r\n"));
    expect_final(&c, ans431);
    tu_close(&c);
    finish(h);
}

/* A head of exactly max_header_bytes is served, one byte more is not. */
static void head_size_boundary(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = default_opts(h, 1);
    struct tu_conn c;
    struct tu_answer a;
    char *req;
    size_t base;

    o.max_header_bytes = 1024;
    start_with(h, o);
    req = head_with(0, 0);
    base = strlen(req); /* the head without X-Big */
    free(req);
    for (size_t len = 1020; len <= 1026; len++) {
        req = head_with(len - base - strlen("X-Big: \r\n"), 0);
        assert_int_equal(strlen(req), len);
        connect_to(h, &c);
        assert_true(tu_send_str(&c, req));
        if (len <= 1024) {
            assert_int_equal(tu_read_answer(&c, false, &a), 1);
            assert_int_equal(a.status, 200);
            tu_answer_free(&a);
        } else {
            expect_final(&c, ans431);
        }
        tu_close(&c);
        free(req);
    }
    finish(h);
}

/* ---- Go's raw answers to requests it cannot read ----------------------------------------- */

#define ERR_HEADERS "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
#define ANS400 "HTTP/1.1 400 Bad Request" ERR_HEADERS "400 Bad Request"
#define ANS400_WHY(why) "HTTP/1.1 400 Bad Request: " why ERR_HEADERS "400 Bad Request: " why
#define ANS501 "HTTP/1.1 501 Not Implemented" ERR_HEADERS "Unsupported transfer encoding"
#define ANS505                                                                                     \
    "HTTP/1.1 505 HTTP Version Not Supported: unsupported protocol version" ERR_HEADERS            \
    "505 HTTP Version Not Supported: unsupported protocol version"

static void raw_error_answers(void **state)
{
    static const struct {
        const char *req, *want;
    } cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", ANS400_WHY("missing required Host header")},
        {"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", ANS400_WHY("too many Host headers")},
        {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", ANS400_WHY("malformed Host header")},
        {"GET / HTTP/1.0\r\nHost: a/b\r\n\r\n", ANS400_WHY("malformed Host header")},
        {"GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n", ANS400_WHY("malformed Host header")},
        {"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", ANS400}, /* framing first */
        {"POST / HTTP/1.1\r\nTransfer-Encoding: x\r\n\r\n", ANS501},
        {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", ANS505},
        {"GET / HTTP/0.9\r\n\r\n", ANS505},
        {"GET / HTTP/1.10\r\nHost: a\r\n\r\n", ANS400},
        {"GET / http/1.1\r\nHost: a\r\n\r\n", ANS400},
        {"GET /\r\nHost: a\r\n\r\n", ANS400},
        {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", ANS400},
        {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", ANS400},
        {"GET / HTTP/1.1\r\n Host: a\r\n\r\n", ANS400},
        {"GET / HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n", ANS400},
        {"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", ANS400},
        {"GET / HTTP/1.1\r\nHost: a\r\n: empty name\r\n\r\n", ANS400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: a\001b\r\n\r\n", ANS400},
        /* control bytes anywhere in long values: in a 16-byte block, an 8-byte one, the tail */
        {"GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789\177abcdefghij\r\n\r\n", ANS400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789abcdef\001xyz\r\n\r\n", ANS400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789abcdef0123456789abcdefxyz\037\r\n\r\n",
         ANS400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", ANS400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", ANS400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\nx", ANS400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", ANS400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 01\r\n\r\nx",
         ANS400}, /* Go compares the strings */
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n",
         ANS400}, /* over 2^63-1 */
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n", ANS400},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", ANS501},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ANS501},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
         "Transfer-Encoding: chunked\r\n\r\n",
         ANS501},
        /* Broken chunked bodies. */
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ANS400},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", ANS400},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n",
         ANS400},
    };
    struct harness *h = *state;
    struct tu_conn c;

    start(h, 2);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        connect_to(h, &c);
        assert_true(tu_send_str(&c, cases[i].req));
        expect_final(&c, cases[i].want);
        tu_close(&c);
    }
    /* Same after a served request on the connection; and 1.0 needs no Host. */
    connect_to(h, &c);
    struct tu_answer a;
    ask(&c, "GET /ok HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false, &a);
    tu_answer_free(&a);
    /* Any byte of a host, IPv6 literal and port: served; an empty Host too. */
    ask(&c, "GET /ok HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    ask(&c, "GET /ok HTTP/1.1\r\nHost: a-Z.0_9~!$&'()*+,;=%41\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    ask(&c, "GET /ok HTTP/1.1\r\nHost:\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    /* tab and obs-text are allowed in values, long ones included */
    ask(&c,
        "GET /ok HTTP/1.1\r\nHost: a\r\nX: 0123456789abcdef\t\x80\xff 0123456789abcdef~\r\n\r\n",
        false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    assert_true(tu_send_str(&c, "GET / HTTP/1.1\r\n\r\n"));
    expect_final(&c, ANS400_WHY("missing required Host header"));
    tu_close(&c);
    assert_int_equal(atomic_load(&h->handled), 5); /* none of the bad ones reached it */
    finish(h);
}

/* ---- bodies: framing, expectations, limits ----------------------------------------------- */

static void expect_and_body_limits(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;

    start(h, 1); /* max_body 1000 */
    /* 100-continue with the body not sent yet: the interim answer, then the real one. */
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                                "Content-Length: 5\r\n\r\n"));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.head_len, 25);
    assert_string_equal(a.head, "HTTP/1.1 100 Continue"); /* CR LF CR LF cut by the parser */
    tu_answer_free(&a);
    assert_true(tu_send_str(&c, "hello"));
    check_echo_body(&c, "/e", "hello");
    /* ... chunked too. */
    assert_true(tu_send_str(&c, "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-Continue\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n"));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.status, 100);
    tu_answer_free(&a);
    assert_true(tu_send_str(&c, "2\r\nhi\r\n0\r\n\r\n"));
    check_echo_body(&c, "/e", "hi");
    /* With the body already there, no interim answer. */
    assert_true(tu_send_str(&c, "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                                "Content-Length: 5\r\n\r\nhello"));
    check_echo_body(&c, "/e", "hello");
    /* No body, or HTTP/1.0: no interim answer either. */
    ask(&c, "GET /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    assert_true(tu_send_str(&c, "POST /e HTTP/1.0\r\nConnection: keep-alive\r\n"
                                "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
    assert_true(tu_quiet(&c, 100));
    assert_true(tu_send_str(&c, "ok"));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.status_line, "HTTP/1.0 200 OK");
    tu_answer_free(&a);
    tu_close(&c);

    /* Any other expectation: 417, and close; said even to 1.0 (Go's sendExpectationFailed). */
    unsigned before = atomic_load(&h->handled);
    connect_to(h, &c);
    ask(&c, "GET /e HTTP/1.0\r\nConnection: keep-alive\r\nExpect: x\r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.0 417 Expectation Failed");
    assert_string_equal(hv(&a, "Connection"), "close");
    tu_answer_free(&a);
    expect_final(&c, "");
    tu_close(&c);
    connect_to(h, &c);
    ask(&c, "POST /e HTTP/1.1\r\nHost: t\r\nExpect: something\r\nContent-Length: 2\r\n\r\nxx",
        false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 417 Expectation Failed");
    assert_string_equal(hv(&a, "Connection"), "close");
    assert_string_equal(hv(&a, "Content-Length"), "0");
    assert_date(&a);
    tu_answer_free(&a);
    expect_final(&c, "");
    tu_close(&c);

    /* Over max_body by Content-Length: 413 at once, before any body (and no 100). */
    static const char too_large[] = "request body too large\n";
    connect_to(h, &c);
    ask(&c, "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1001\r\n\r\n",
        false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 413 Request Entity Too Large");
    assert_string_equal(hv(&a, "Content-Type"), "text/plain; charset=utf-8");
    assert_string_equal(hv(&a, "Connection"), "close");
    assert_string_equal(a.body, too_large);
    assert_date(&a);
    tu_answer_free(&a);
    expect_final(&c, "");
    tu_close(&c);
    /* ... or as chunks add up. */
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "POST /e HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                                "\r\n3e8\r\n"));
    for (int i = 0; i < 10; i++)
        assert_true(tu_send_str(&c, "0123456789012345678901234567890123456789012345678901234567"
                                    "890123456789012345678901234567890123456789"));
    assert_true(tu_send_str(&c, "\r\n1\r\nx\r\n0\r\n\r\n"));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.status, 413);
    assert_string_equal(a.body, too_large);
    tu_answer_free(&a);
    expect_final(&c, "");
    tu_close(&c);
    assert_int_equal(atomic_load(&h->handled), before);
    /* Exactly max_body is fine. */
    connect_to(h, &c);
    char *req = malloc(1200);
    int n = snprintf(req, 1200, "POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n");
    memset(req + n, 'b', 1000);
    req[n + 1000] = '\0';
    ask(&c, req, false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    free(req);
    tu_close(&c);

    /* Lengths Go accepts: the largest it parses (too large here), repeats of one value. */
    connect_to(h, &c);
    ask(&c, "POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 9223372036854775807\r\n\r\n", false,
        &a);
    assert_int_equal(a.status, 413);
    tu_answer_free(&a);
    tu_close(&c);
    connect_to(h, &c);
    ask(&c, "POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\ncontent-length:  2\r\n\r\nok",
        false, &a);
    assert_int_equal(a.status, 200);
    assert_string_equal(strstr(a.body, "\n\n") + 2, "ok");
    tu_answer_free(&a);
    tu_close(&c);
    /* Transfer-Encoding and Content-Length: chunked wins, then the connection closes; Go does
     * not even read the length then. */
    connect_to(h, &c);
    ask(&c,
        "POST /te HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n"
        "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        false, &a);
    assert_string_equal(hv(&a, "Connection"), "close");
    assert_string_equal(strstr(a.body, "\n\n") + 2, "ok");
    tu_answer_free(&a);
    expect_final(&c, "");
    tu_close(&c);
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "POST /te HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"
                                "GET /never HTTP/1.1\r\nHost: t\r\n\r\n"));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(hv(&a, "Connection"), "close");
    assert_string_equal(strstr(a.body, "\n\n") + 2, "abcd");
    tu_answer_free(&a);
    expect_final(&c, "");
    tu_close(&c);
    finish(h);
}

/* ---- answers that close ------------------------------------------------------------------- */

static void abort_and_linger(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;

    start(h, 2);
    /* abort: the connection closes with nothing sent, whatever was pipelined behind. */
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /abort HTTP/1.1\r\nHost: t\r\n\r\n"
                                "GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
    assert_true(tu_closed_within(&c, IO_MS));
    tu_close(&c);
    /* ... deferred too. */
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    struct cmn_http_exchange *ex = take_held(h, IO_MS);
    assert_non_null(ex);
    struct cmn_http_response *r = cmn_http_response_new(200);
    r->abort = true;
    cmn_http_exchange_respond(ex, r);
    assert_true(tu_closed_within(&c, IO_MS));
    tu_close(&c);

    /* A closing answer while the client is still sending: the server drains its input, so
     * the client gets the answer and a clean end instead of a reset. */
    size_t junk_len = 256 * 1024;
    char *junk = malloc(junk_len);
    for (size_t i = 0; i < junk_len; i += 32)
        memcpy(junk + i, "GET /x HTTP/1.1\r\nHost: ttt\r\n\r\n\r\n", 32);
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /close HTTP/1.1\r\nHost: t\r\n\r\n"));
    assert_true(tu_send(&c, junk, junk_len));
    msleep(50); /* the server answered and closed meanwhile */
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(hv(&a, "Connection"), "close");
    tu_answer_free(&a);
    expect_final(&c, "");
    tu_close(&c);
    /* Same for a raw error answer. */
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n"));
    assert_true(tu_send(&c, junk, junk_len));
    msleep(50);
    expect_final(&c, ANS400);
    tu_close(&c);
    free(junk);
    finish(h);
}

/* ---- deferred answers and clients that leave ---------------------------------------------- */

static void deferred_answers_and_departed_clients(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    struct cmn_http_exchange *ex;

    start(h, 2);
    /* Answered from this thread, later, on a connection kept alive. */
    connect_to(h, &c);
    for (int i = 0; i < 3; i++) {
        assert_true(tu_send_str(&c, "GET /defer?x HTTP/1.1\r\nHost: t\r\n\r\n"));
        ex = take_held(h, IO_MS);
        assert_non_null(ex);
        assert_int_equal(cmn_http_server_inflight(h->s), 1);
        assert_string_equal(cmn_http_exchange_request(ex)->query, "x");
        assert_true(tu_quiet(&c, 30));
        cmn_http_exchange_respond(ex, cmn_http_response_text(202, "text/plain", "later", 5));
        assert_int_equal(tu_read_answer(&c, false, &a), 1);
        assert_string_equal(a.status_line, "HTTP/1.1 202 Accepted");
        assert_date(&a);
        tu_answer_free(&a);
        assert_int_equal(cmn_http_server_inflight(h->s), 0);
    }
    /* NULL from afar is a 500 as well. */
    assert_true(tu_send_str(&c, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    ex = take_held(h, IO_MS);
    cmn_http_exchange_respond(ex, NULL);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.status, 500);
    tu_answer_free(&a);
    tu_close(&c);

    /* The client closes, half-closes or resets while the handler holds the exchange; the
     * answer comes later and goes nowhere (or, half-closed, still reaches the client). */
    for (int how = 0; how < 3; how++) {
        connect_to(h, &c);
        assert_true(tu_send_str(&c, "POST /defer HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
                                    "\r\nhi"));
        ex = take_held(h, IO_MS);
        assert_non_null(ex);
        if (how == 0) {
            tu_close(&c);
        } else if (how == 1) {
            shutdown(c.fd, SHUT_WR);
        } else {
            tu_reset(&c);
        }
        msleep(50); /* the loop sees it go; the request stays valid meanwhile */
        assert_string_equal(cmn_http_exchange_request(ex)->body, "hi");
        cmn_http_exchange_respond(ex, cmn_http_response_text(200, "text/plain", "late", 4));
        if (how == 1) {
            assert_int_equal(tu_read_answer(&c, false, &a), 1);
            assert_string_equal(a.body, "late");
            tu_answer_free(&a);
            expect_final(&c, "");
            tu_close(&c);
        }
        msleep(20);
        assert_int_equal(cmn_http_server_inflight(h->s), 0);
    }
    /* A client that sends its last request and half-closes gets the answer and then the end
     * of the connection, as from Go, not an idle wait; here both arrive while the handler
     * holds the request before, so the server reads them together. */
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    ex = take_held(h, IO_MS);
    assert_non_null(ex);
    assert_true(tu_send_str(&c, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
    shutdown(c.fd, SHUT_WR);
    msleep(50);
    cmn_http_exchange_respond(ex, cmn_http_response_text(200, "text/plain", "first", 5));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.body, "first");
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(body_line(&a, 0), "GET /x HTTP/1.1");
    tu_answer_free(&a);
    assert_true(tu_closed_within(&c, 1000));
    tu_close(&c);
    /* The server is fine afterwards. */
    connect_to(h, &c);
    ask(&c, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    tu_close(&c);
    finish(h);
}

/* ---- many clients on two loops ------------------------------------------------------------- */

struct client_arg {
    struct harness *h;
    int id;
    int failures;
};

static void *client_main(void *arg)
{
    struct client_arg *ca = arg;
    struct tu_conn c;
    char req[128], want[64];

    if (!tu_connect(&c, ca->h->port, IO_MS)) {
        ca->failures++;
        return NULL;
    }
    for (int i = 0; i < 30; i++) {
        struct tu_answer a;
        bool deferred = i % 3 == 0;
        snprintf(req, sizeof(req), "GET %s?%d.%d HTTP/1.1\r\nHost: t\r\n\r\n",
                 deferred ? "/defer" : "/echo", ca->id, i);
        snprintf(want, sizeof(want), "?%d.%d HTTP/1.1", ca->id, i);
        int rc = tu_send_str(&c, req) ? tu_read_answer(&c, false, &a) : -2;
        if (rc != 1) {
            fprintf(stderr, "client %d request %d: %d (errno %d)\n", ca->id, i, rc, c.err);
            ca->failures++;
            break;
        }
        if (a.status != 200 || !a.body || !strstr(a.body, want)) {
            fprintf(stderr, "client %d request %d: %u %s\n", ca->id, i, a.status,
                    a.body ? a.body : "(no body)");
            ca->failures++;
        }
        tu_answer_free(&a);
    }
    tu_close(&c);
    return NULL;
}

struct responder {
    struct harness *h;
    atomic_bool done;
};

static void *responder_main(void *arg)
{
    struct responder *rs = arg;
    struct cmn_http_exchange *ex;

    while (!atomic_load(&rs->done)) {
        if (!(ex = take_held(rs->h, 20)))
            continue;
        char body[128];
        snprintf(body, sizeof(body), "%s HTTP/1.1", cmn_http_exchange_request(ex)->target);
        cmn_http_exchange_respond(ex,
                                  cmn_http_response_text(200, "text/plain", body, strlen(body)));
    }
    return NULL;
}

static void many_clients_two_loops(void **state)
{
    enum { N = 8 };
    struct harness *h = *state;
    struct client_arg ca[N];
    pthread_t th[N], resp;
    struct responder rs = {.h = h};

    start(h, 2);
    atomic_init(&rs.done, false);
    assert_int_equal(pthread_create(&resp, NULL, responder_main, &rs), 0);
    for (int i = 0; i < N; i++) {
        ca[i] = (struct client_arg){.h = h, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, client_main, &ca[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    atomic_store(&rs.done, true);
    pthread_join(resp, NULL);
    for (int i = 0; i < N; i++)
        assert_int_equal(ca[i].failures, 0);
    assert_int_equal(atomic_load(&h->handled), N * 30);
    finish(h);
}

static void large_answer_to_a_slow_reader(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    size_t n = 8u << 20;

    start(h, 1);
    connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /big?8388608 HTTP/1.1\r\nHost: t\r\n\r\n"
                                "GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
    msleep(200); /* the socket buffers fill; the rest waits for room */
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.body_len, n);
    for (size_t i = 0; i < n; i++) {
        if (a.body[i] != (char)('a' + i % 26))
            fail_msg("byte %zu differs", i);
    }
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(body_line(&a, 0), "GET /x HTTP/1.1");
    tu_answer_free(&a);
    tu_close(&c);
    finish(h);
}

/* ---- timeouts and limits ------------------------------------------------------------------ */

static void idle_timeout(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = default_opts(h, 2);
    struct tu_conn idle, partial, served, slow_body, held;
    struct tu_answer a;
    struct cmn_http_exchange *ex;

    o.idle_timeout_s = 1;
    start_with(h, o);
    connect_to(h, &idle);
    connect_to(h, &partial);
    assert_true(tu_send_str(&partial, "GET / HTTP/1.1\r\nHo"));
    connect_to(h, &served);
    ask(&served, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    connect_to(h, &slow_body);
    assert_true(tu_send_str(&slow_body, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\n"
                                        "abc"));
    connect_to(h, &held);
    assert_true(tu_send_str(&held, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    ex = take_held(h, IO_MS);
    assert_non_null(ex);
    /* Nothing before the second is up... */
    assert_true(tu_quiet(&idle, 300));
    unsigned runs = atomic_load(&h->runs);
    /* ... then each closes without a word (Go says nothing on a read timeout). */
    assert_true(tu_closed_within(&idle, 2500));
    assert_true(tu_closed_within(&partial, 1000));
    assert_true(tu_closed_within(&served, 1000));
    assert_true(tu_closed_within(&slow_body, 1000));
    /* The loops slept meanwhile instead of spinning. */
    assert_true(atomic_load(&h->runs) - runs < 40);
    /* A request with its handler is not idle: the late answer still arrives. */
    assert_true(tu_quiet(&held, 500));
    cmn_http_exchange_respond(ex, cmn_http_response_text(200, "text/plain", "slow", 4));
    assert_int_equal(tu_read_answer(&held, false, &a), 1);
    assert_string_equal(a.body, "slow");
    tu_answer_free(&a);
    /* ... and then its idle time starts. */
    assert_true(tu_closed_within(&held, 2500));
    tu_close(&idle);
    tu_close(&partial);
    tu_close(&served);
    tu_close(&slow_body);
    tu_close(&held);
    finish(h);
}

static void connection_limit(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = default_opts(h, 1);
    struct tu_conn c1, c2, c3;
    struct tu_answer a;

    o.max_connections = 2;
    start_with(h, o);
    connect_to(h, &c1);
    ask(&c1, "GET /1 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    connect_to(h, &c2);
    ask(&c2, "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    /* The third is accepted by the kernel and closed by the server unanswered. */
    connect_to(h, &c3);
    tu_send_str(&c3, "GET /3 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_int_equal(tu_read_answer(&c3, false, &a), 0);
    tu_close(&c3);
    /* Room again once one leaves. */
    tu_close(&c1);
    msleep(100);
    connect_to(h, &c3);
    ask(&c3, "GET /3 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    ask(&c2, "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    tu_close(&c2);
    tu_close(&c3);
    finish(h);
}

/* ---- quiesce and stop --------------------------------------------------------------------- */

static void quiesce_keeps_established_connections(void **state)
{
    struct harness *h = *state;
    struct tu_conn c, d;
    struct tu_answer a;

    start(h, 2);
    connect_to(h, &c);
    ask(&c, "GET /1 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    atomic_store(&h->quiesce, true);
    poke(h);
    for (int i = 0; i < 200 && atomic_load(&h->quiesced) < h->n_loops; i++)
        msleep(5);
    assert_int_equal(atomic_load(&h->quiesced), 2);
    assert_false(tu_connect(&d, h->port, IO_MS));
    assert_int_equal(d.err, ECONNREFUSED);
    ask(&c, "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    tu_close(&c);
    finish(h);
}

struct answer_arg {
    struct cmn_http_exchange *ex;
    pthread_barrier_t *go;
};

static void *answer_main(void *arg)
{
    struct answer_arg *aa = arg;

    pthread_barrier_wait(aa->go);
    cmn_http_exchange_respond(aa->ex, cmn_http_response_text(200, "text/plain", "void", 4));
    return NULL;
}

/* Stop with exchanges still held (their clients present, gone, or reset), one answered but not
 * yet sent, idle and half-read connections: everything closes, the late answers go nowhere, and
 * nothing leaks (ASan/valgrind) or is touched after it is freed. */
static void stop_with_exchanges_unanswered(void **state)
{
    enum { HELD = 16 };
    struct harness *h = *state;
    struct tu_conn held[HELD], queued, idle, partial;
    struct tu_answer a;
    struct cmn_http_exchange *ex[HELD], *qex;
    struct answer_arg aa[HELD];
    pthread_t th[HELD];
    pthread_barrier_t go;

    start(h, 2);
    for (int i = 0; i < HELD; i++) {
        connect_to(h, &held[i]);
        assert_true(tu_send_str(&held[i], "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
        ex[i] = take_held(h, IO_MS);
        assert_non_null(ex[i]);
    }
    for (int i = 1; i < HELD; i += 4) {
        tu_close(&held[i]);
        tu_reset(&held[i + 1]);
    }
    connect_to(h, &queued);
    assert_true(tu_send_str(&queued, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    qex = take_held(h, IO_MS);
    assert_non_null(qex);
    connect_to(h, &idle);
    ask(&idle, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    connect_to(h, &partial);
    assert_true(tu_send_str(&partial, "GET /x HTTP/1.1\r\nHost"));
    msleep(50);

    stop_loops(h);
    h->server_live = false;
    /* Answered after its loop stopped, before the server stops: never sent. */
    cmn_http_exchange_respond(qex, cmn_http_response_text(200, "text/plain", "void", 4));
    assert_int_equal(cmn_http_server_inflight(h->s), HELD);
    cmn_http_server_stop(h->s, 50);
    assert_true(tu_closed_within(&idle, IO_MS));
    assert_true(tu_closed_within(&partial, IO_MS));
    assert_true(tu_closed_within(&queued, IO_MS));
    /* Late answers, from several threads at once; the last one frees the server. */
    pthread_barrier_init(&go, NULL, HELD);
    for (int i = 0; i < HELD; i++) {
        aa[i] = (struct answer_arg){.ex = ex[i], .go = &go};
        assert_int_equal(pthread_create(&th[i], NULL, answer_main, &aa[i]), 0);
    }
    for (int i = 0; i < HELD; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
    for (int i = 0; i < HELD; i += 4) {
        assert_true(tu_closed_within(&held[i], IO_MS));
        assert_true(tu_closed_within(&held[i + 3], IO_MS));
    }
    for (int i = 0; i < HELD; i++)
        tu_close(&held[i]);
    tu_close(&queued);
    tu_close(&idle);
    tu_close(&partial);
}

/* Stop with nothing held frees at once; a server with no loop ever run stops too. */
static void stop_idle_servers(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    struct cmn_http_server_opts o = default_opts(h, 2);
    struct cmn_err err;
    struct cmn_http_server *s;

    start(h, 2);
    connect_to(h, &c);
    ask(&c, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    finish(h);
    assert_true(tu_closed_within(&c, IO_MS));
    tu_close(&c);

    s = cmn_http_server_start(&o, &err);
    assert_non_null(s);
    o.port = cmn_http_server_port(s); /* taken: the start fails cleanly */
    assert_null(cmn_http_server_start(&o, &err));
    cmn_http_server_stop(s, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(get_has_date_length_and_keeps_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(go_status_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(bodyless_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(http10_and_connection_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(pipelined_requests_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_split_anywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(large_heads, setup, teardown),
        cmocka_unit_test_setup_teardown(head_size_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(raw_error_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(expect_and_body_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(abort_and_linger, setup, teardown),
        cmocka_unit_test_setup_teardown(deferred_answers_and_departed_clients, setup, teardown),
        cmocka_unit_test_setup_teardown(many_clients_two_loops, setup, teardown),
        cmocka_unit_test_setup_teardown(large_answer_to_a_slow_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(idle_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(connection_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(quiesce_keeps_established_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_with_exchanges_unanswered, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_idle_servers, setup, teardown),
    };

    cmn_log_init("TEST", CMN_LOG_NONE, 2);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
