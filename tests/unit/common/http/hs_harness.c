/* hs_harness.c - the raw-socket test server of hs_harness.h. */
#include "hs_harness.h"

#include "cmn_buf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

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
struct cmn_http_exchange *hs_take_held(struct harness *h, int ms)
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
    if (req->authority)
        cmn_buf_printf(&b, "authority=%s\n", req->authority);
    for (size_t i = 0; i < req->n_headers; i++)
        cmn_buf_printf(&b, "%s: %s\n", req->headers[i].name, req->headers[i].value);
    cmn_buf_append(&b, "\n", 1);
    cmn_buf_append(&b, req->body, req->body_len);
    assert_int_equal(strlen(req->body), req->body_len); /* NUL-terminated */
    r = cmn_http_response_text(200, "text/plain", cmn_buf_str(&b), b.len);
    cmn_buf_free(&b);
    return r;
}

/* Checked lines, as modules keep them: one laid out by the compiler, one at run time (kept for
 * the process: answers borrow them). */
static const struct cmn_http_line LINE_FIXED = CMN_HTTP_LINE_LITERAL("X-Frame-Options", "DENY");
static struct cmn_http_line line_made;
static pthread_once_t line_once = PTHREAD_ONCE_INIT;

static void make_line(void)
{
    if (!cmn_http_line_init(&line_made, "Vary", "Origin", NULL))
        abort();
}

/* Lines and copied headers mixed, one of each removed again: the rest go out in order. */
static struct cmn_http_response *with_lines(const struct cmn_http_request *req)
{
    struct cmn_http_response *r = echo(req);

    pthread_once(&line_once, make_line);
    if (!cmn_http_response_add_header(r, "X-Gone", "1") ||
        !cmn_http_response_add_line(r, &LINE_FIXED) ||
        !cmn_http_response_add_header(r, "X-Copied", "a") ||
        !cmn_http_response_add_line(r, &line_made) || !cmn_http_response_add_line(r, &LINE_FIXED) ||
        !cmn_http_response_add_header(r, "X-Copied", "b"))
        abort();
    for (int i = 0; i < 10; i++) { /* the header block grows twice with lines in it */
        if (!cmn_http_response_add_line(r, &LINE_FIXED))
            abort();
    }
    cmn_http_response_del_header(r, "x-gone");
    if (!cmn_http_response_add_line(r, &line_made))
        abort();
    cmn_http_response_del_header(r, "X-FRAME-OPTIONS");
    if (!cmn_http_response_add_line(r, &LINE_FIXED) ||
        !cmn_http_response_add_header(r, "X-Last", "z"))
        abort();
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
        cmn_http_response_add_header(r, "X-Nul", "a\x01z");
        cmn_http_response_add_header(r, "Bad Name", "v");
        cmn_http_response_add_header(r, "X-Fine", "tab\tand \xc3\xa9");
    } else if (strcmp(req->path, "/lines") == 0) {
        r = with_lines(req);
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

void hs_poke(struct harness *h)
{
    uint64_t one = 1;

    for (unsigned i = 0; i < h->n_loops; i++)
        assert_int_equal(write(h->drv[i].cmd_fd, &one, sizeof(one)), sizeof(one));
}

struct cmn_http_server_opts hs_default_opts(struct harness *h, unsigned loops)
{
    const char *cert, *key;

    tu_test_cert(&cert, &key);
    return (struct cmn_http_server_opts){.bind = "127.0.0.1",
                                         .native = true,
                                         .external_loops = loops,
                                         .max_body = 1000,
                                         .access_log = true, /* its lines go nowhere: main */
                                         .handler = handler,
                                         .ctx = h,
                                         .tls_cert_pem = h->tls ? cert : NULL,
                                         .tls_key_pem = h->tls ? key : NULL};
}

void hs_start_with(struct harness *h, struct cmn_http_server_opts o)
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

void hs_start(struct harness *h, unsigned loops)
{
    hs_start_with(h, hs_default_opts(h, loops));
}

void hs_stop_loops(struct harness *h)
{
    h->loops_running = false;
    atomic_store(&h->stop, true);
    hs_poke(h);
    for (unsigned i = 0; i < h->n_loops; i++) {
        pthread_join(h->drv[i].th, NULL);
        close(h->drv[i].cmd_fd);
    }
}

/* Stops a server none of whose exchanges is still held. */
void hs_finish(struct harness *h)
{
    hs_stop_loops(h);
    assert_int_equal(h->n_held, 0);
    assert_int_equal(cmn_http_server_inflight(h->s), 0);
    h->server_live = false;
    cmn_http_server_stop(h->s, 1000);
}

int hs_setup(void **state)
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
int hs_teardown(void **state)
{
    struct harness *h = *state;
    struct cmn_http_exchange *ex;

    if (h->loops_running)
        hs_stop_loops(h);
    while ((ex = hs_take_held(h, 0)) != NULL) {
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

void hs_msleep(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

void hs_connect_to(struct harness *h, struct tu_conn *c)
{
    assert_true(tu_connect_as(c, h->port, IO_MS, h->tls));
}

/* Sends a request and reads its answer. */
void hs_ask(struct tu_conn *c, const char *req, bool head, struct tu_answer *a)
{
    assert_true(tu_send_str(c, req));
    assert_int_equal(tu_read_answer(c, head, a), 1);
}

/* Everything until the server closes: it must close (with a FIN, not a reset) and send
 * exactly `want`. */
void hs_expect_final(struct tu_conn *c, const char *want)
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
const char *hs_hv(const struct tu_answer *a, const char *name)
{
    const char *v = tu_answer_header(a, name);

    return v ? v : "(none)";
}

const char *hs_body_line(const struct tu_answer *a, unsigned n)
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
