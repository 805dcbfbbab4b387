/* test_gw_h1.c - the backend client's HTTP/1.1 transport against a loopback server the test
 * drives by hand: requests on the wire, keep-alive reuse, the retry on a kept connection the
 * server closed, gzip, and the Go error texts of refused, slow and cut-short answers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "cmn_clock.h"
#include "gw_h1.h"

/* The client side: a transport on its own epoll, one transfer at a time. */
struct client {
    int epfd;
    struct gw_h1 *h;
    struct sockaddr_in to;
    char authority[32];
    struct gw_hdrs headers, resp_headers;
    struct cmn_buf body;
    bool done;
    struct gw_h1_outcome o;
    char error[256];
};

/* The server side: a listening socket; connections are accepted and answered by the test. */
struct server {
    int lfd;
    unsigned port;
};

static void server_open(struct server *s)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s->lfd >= 0);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->lfd, 16), 0);
    assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
}

/* A connection waiting on the listener within ms, or -1. */
static int server_accept(struct server *s, int ms)
{
    struct pollfd p = {s->lfd, POLLIN, 0};

    if (poll(&p, 1, ms) != 1)
        return -1;
    return accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
}

static void on_done(void *arg, const struct gw_h1_outcome *o)
{
    struct client *c = arg;

    c->done = true;
    c->o = *o;
    snprintf(c->error, sizeof(c->error), "%s", o->error ? o->error : "");
    c->o.error = c->error;
}

/* Runs the loop for up to ms or until the transfer is done. */
static void pump(struct client *c, int ms)
{
    int64_t end = cmn_clock_mono_ms() + ms;

    while (!c->done && cmn_clock_mono_ms() < end) {
        struct epoll_event ev[8];
        int n;
        gw_h1_flush(c->h); /* what gw_fetch does when the loop's pass settles */
        n = epoll_wait(c->epfd, ev, 8, 5);
        for (int i = 0; i < n; i++) {
            assert_true(gw_h1_is_ours(ev[i].data.u64));
            gw_h1_event(c->h, ev[i].data.u64, ev[i].events);
        }
        gw_h1_expire(c->h, cmn_clock_mono_ms());
    }
}

static void client_open_with(struct client *c, unsigned port, const struct gw_h1_opts *o)
{
    memset(c, 0, sizeof(*c));
    c->epfd = epoll_create1(EPOLL_CLOEXEC);
    assert_true(c->epfd >= 0);
    c->h = gw_h1_new(c->epfd, o);
    assert_non_null(c->h);
    c->to.sin_family = AF_INET;
    c->to.sin_port = htons((uint16_t)port);
    c->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(c->authority, sizeof(c->authority), "127.0.0.1:%u", port);
    gw_hdrs_init(&c->headers, 0);
    gw_hdrs_add(&c->headers, "User-Agent", "KrakenD Version test");
    gw_hdrs_init(&c->resp_headers, 0);
    cmn_buf_init(&c->body, 1024 * 1024);
}

static void client_open(struct client *c, unsigned port)
{
    client_open_with(c, port, NULL);
}

static void client_close(struct client *c)
{
    gw_h1_destroy(c->h);
    close(c->epfd);
    gw_hdrs_free(&c->headers);
    gw_hdrs_free(&c->resp_headers);
    cmn_buf_free(&c->body);
}

/* Starts method target (with body, if any) with deadlines ms from now for the connect and the
 * whole transfer; returns the transfer. */
static struct gw_h1_xfer *start_req(struct client *c, const char *method, const char *target,
                                    const char *body, int64_t connect_ms, int64_t total_ms)
{
    struct gw_h1_req rq = {0};
    struct gw_h1_xfer *x;

    rq.addr = (const struct sockaddr *)&c->to;
    rq.addr_len = sizeof(c->to);
    rq.authority = c->authority;
    rq.method = method;
    rq.target = target;
    rq.headers = &c->headers;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    rq.accept_gzip = true;
    rq.connect_deadline_ms = cmn_clock_mono_ms() + connect_ms;
    rq.deadline_ms = cmn_clock_mono_ms() + total_ms;
    c->done = false;
    gw_hdrs_free(&c->resp_headers);
    gw_hdrs_init(&c->resp_headers, 0);
    cmn_buf_reset(&c->body);
    x = gw_h1_start(c->h, &rq, &c->resp_headers, &c->body, on_done, c);
    assert_non_null(x);
    assert_false(c->done); /* never from inside gw_h1_start */
    return x;
}

static void get_within(struct client *c, const char *target, int64_t connect_ms, int64_t total_ms)
{
    start_req(c, "GET", target, NULL, connect_ms, total_ms);
}

/* Starts POST target with a small body (Content-Length framing). */
static void post(struct client *c, const char *target, int64_t deadline_ms)
{
    start_req(c, "POST", target, "{}", deadline_ms, deadline_ms);
}

static void get(struct client *c, const char *target, int64_t deadline_ms)
{
    get_within(c, target, deadline_ms, deadline_ms);
}

/* Pumps the client until the server side of fd has a whole request head; returns it. */
static char *read_request(struct client *c, int fd, char *buf, size_t cap)
{
    size_t len = 0;
    int64_t end = cmn_clock_mono_ms() + 2000;

    while (cmn_clock_mono_ms() < end) {
        ssize_t n;
        pump(c, 5);
        n = recv(fd, buf + len, cap - 1 - len, MSG_DONTWAIT);
        if (n > 0) {
            len += (size_t)n;
            buf[len] = '\0';
            if (strstr(buf, "\r\n\r\n"))
                return buf;
        }
    }
    fail_msg("no request arrived");
    return NULL;
}

static void send_str(int fd, const char *s)
{
    assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* One answered GET, so the client holds a kept connection: returns the server's end of it. */
static int kept_connection(struct server *s, struct client *c)
{
    char req[4096];
    int fd;

    get(c, "/1", 5000);
    fd = server_accept(s, 2000);
    read_request(c, fd, req, sizeof(req));
    send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    pump(c, 2000);
    assert_int_equal(c->o.status, 200);
    return fd;
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void request_and_keep_alive(void **state)
{
    struct server s;
    struct client c;
    char req[4096], want[256];
    int fd;

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    get(&c, "/a?b=1", 5000);
    fd = server_accept(&s, 2000);
    assert_true(fd >= 0);
    read_request(&c, fd, req, sizeof(req));
    snprintf(want, sizeof(want),
             "GET /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUser-Agent: KrakenD Version test\r\n"
             "Accept-Encoding: gzip\r\n\r\n",
             s.port);
    assert_string_equal(req, want);
    send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
    pump(&c, 2000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 200);
    assert_string_equal(c.body.data, "ok");
    assert_string_equal(gw_hdrs_get(&c.resp_headers, "Content-Type"), "text/plain");

    /* the next request to the host goes on the same connection */
    for (int i = 0; i < 3; i++) {
        get(&c, "/again", 5000);
        read_request(&c, fd, req, sizeof(req));
        assert_true(strncmp(req, "GET /again HTTP/1.1\r\n", 21) == 0);
        send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        pump(&c, 2000);
        assert_true(c.done);
        assert_int_equal(c.o.status, 200);
        assert_string_equal(c.body.data, "abc");
    }
    assert_int_equal(server_accept(&s, 50), -1);
    close(fd);
    client_close(&c);
    close(s.lfd);
}

/* A request on a kept connection leaves at gw_h1_flush, not from inside gw_h1_start; one
 * cancelled before the flush never leaves, and its connection is closed. */
static void kept_requests_leave_at_the_flush(void **state)
{
    struct server s;
    struct client c;
    struct gw_h1_xfer *x;
    char req[4096];
    int fd;

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    fd = kept_connection(&s, &c);
    get(&c, "/later", 5000);
    assert_int_equal(recv(fd, req, sizeof(req), MSG_DONTWAIT), -1); /* not yet on the wire */
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    gw_h1_flush(c.h);
    read_request(&c, fd, req, sizeof(req));
    assert_true(strncmp(req, "GET /later HTTP/1.1\r\n", 21) == 0);
    send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    pump(&c, 2000);
    assert_int_equal(c.o.status, 200);

    x = start_req(&c, "GET", "/cancelled", NULL, 5000, 5000);
    gw_h1_cancel(x);
    gw_h1_flush(c.h);
    assert_int_equal(recv(fd, req, sizeof(req), 0), 0); /* closed, nothing sent */
    assert_false(c.done);
    close(fd);
    client_close(&c);
    close(s.lfd);
}

/* The backend ends a kept connection while a request for it waits for the flush: nothing of
 * the request went out, so it goes on a fresh connection, a POST too (Go retries a request
 * none of which was written). */
static void kept_connection_ends_before_the_flush(void **state)
{
    struct server s;
    struct client c;
    char req[4096];
    int fd, fd2;

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    fd = kept_connection(&s, &c);
    post(&c, "/queued", 5000);
    close(fd);
    for (int64_t end = cmn_clock_mono_ms() + 50; cmn_clock_mono_ms() < end;) {
        struct epoll_event ev[8]; /* the loop's events, no flush yet */
        int n = epoll_wait(c.epfd, ev, 8, 5);
        for (int i = 0; i < n; i++)
            gw_h1_event(c.h, ev[i].data.u64, ev[i].events);
    }
    assert_false(c.done);
    pump(&c, 20);
    fd2 = server_accept(&s, 2000);
    assert_true(fd2 >= 0);
    read_request(&c, fd2, req, sizeof(req));
    assert_true(strncmp(req, "POST /queued HTTP/1.1\r\n", 23) == 0);
    send_str(fd2, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    pump(&c, 2000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 201);
    close(fd2);
    client_close(&c);
    close(s.lfd);
}

static void connection_close_is_not_reused(void **state)
{
    struct server s;
    struct client c;
    char req[4096];
    int fd, fd2;

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    get(&c, "/", 5000);
    fd = server_accept(&s, 2000);
    read_request(&c, fd, req, sizeof(req));
    send_str(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    pump(&c, 2000);
    assert_int_equal(c.o.status, 200);
    get(&c, "/", 5000);
    fd2 = server_accept(&s, 2000);
    assert_true(fd2 >= 0);
    read_request(&c, fd2, req, sizeof(req));
    send_str(fd2, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    pump(&c, 2000);
    assert_int_equal(c.o.status, 200);
    close(fd);
    close(fd2);
    client_close(&c);
    close(s.lfd);
}

/* A server that closes a kept connection as the next request arrives: one retry, fresh. */
static void retry_on_a_fresh_connection(void **state)
{
    struct server s;
    struct client c;
    char req[4096];
    int fd, fd2;

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    fd = kept_connection(&s, &c);

    get(&c, "/2", 5000);
    read_request(&c, fd, req, sizeof(req));
    close(fd); /* nothing of an answer */
    pump(&c, 20);
    fd2 = server_accept(&s, 2000);
    assert_true(fd2 >= 0);
    read_request(&c, fd2, req, sizeof(req));
    assert_true(strncmp(req, "GET /2 HTTP/1.1\r\n", 17) == 0);
    send_str(fd2, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
    pump(&c, 2000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 200);
    assert_string_equal(c.body.data, "fresh");

    /* once only: when the fresh connection closes too, that is the answer */
    get(&c, "/3", 5000);
    read_request(&c, fd2, req, sizeof(req));
    close(fd2);
    pump(&c, 20);
    fd = server_accept(&s, 2000);
    assert_true(fd >= 0);
    read_request(&c, fd, req, sizeof(req));
    assert_true(strncmp(req, "GET /3 HTTP/1.1\r\n", 17) == 0);
    close(fd);
    pump(&c, 2000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 0);
    assert_string_equal(c.o.error, "EOF");
    assert_int_equal(server_accept(&s, 50), -1);
    client_close(&c);
    close(s.lfd);
}

/* A POST the backend received on a kept connection and closed without answering is not sent
 * again (it may have been acted on): Go's transport retries only requests it may repeat. */
static void post_not_repeated(void **state)
{
    struct server s;
    struct client c;
    char req[4096];
    int fd;

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    fd = kept_connection(&s, &c);

    post(&c, "/items", 5000);
    read_request(&c, fd, req, sizeof(req));
    assert_true(strncmp(req, "POST /items HTTP/1.1\r\n", 22) == 0);
    close(fd); /* received, no answer */
    pump(&c, 2000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 0);
    assert_string_equal(c.o.error, "EOF");
    assert_int_equal(server_accept(&s, 100), -1); /* no second delivery */
    client_close(&c);
    close(s.lfd);
}

static void connection_refused(void **state)
{
    struct server s;
    struct client c;
    char want[128];

    (void)state;
    server_open(&s);
    close(s.lfd); /* nobody listens there now */
    client_open(&c, s.port);
    get(&c, "/", 5000);
    pump(&c, 2000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 0);
    assert_false(c.o.timed_out);
    snprintf(want, sizeof(want), "dial tcp 127.0.0.1:%u: connect: connection refused", s.port);
    assert_string_equal(c.o.error, want);
    client_close(&c);
}

/* A listener whose accept queue is full drops new SYNs: the connect never completes. */
static void connect_timeout(void **state)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    struct client c;
    char want[128];
    int lfd, fill[4];

    (void)state;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(lfd, 0), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
    for (int i = 0; i < 4; i++) { /* more than the queue takes */
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        connect(fill[i], (struct sockaddr *)&a, sizeof(a));
    }
    usleep(50 * 1000);
    client_open(&c, ntohs(a.sin_port));
    get_within(&c, "/", 100, 5000);
    pump(&c, 2000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 0);
    assert_false(c.o.timed_out); /* the endpoint's deadline is still ahead */
    snprintf(want, sizeof(want), "dial tcp 127.0.0.1:%u: i/o timeout", ntohs(a.sin_port));
    assert_string_equal(c.o.error, want);
    client_close(&c);
    for (int i = 0; i < 4; i++)
        close(fill[i]);
    close(lfd);
}

static void deadline(void **state)
{
    struct server s;
    struct client c;
    char req[4096];
    int fd;
    int64_t t0;

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    t0 = cmn_clock_mono_ms();
    get(&c, "/slow", 150);
    fd = server_accept(&s, 2000);
    read_request(&c, fd, req, sizeof(req));
    send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"); /* and nothing more */
    pump(&c, 2000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 0);
    assert_true(c.o.timed_out);
    assert_string_equal(c.o.error, "context deadline exceeded");
    assert_true(cmn_clock_mono_ms() - t0 >= 150);
    close(fd);
    client_close(&c);
    close(s.lfd);
}

static void gzip_decoded(void **state)
{
    static const char json[] =
        "{\"compressed\":true,\"text\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}";
    struct server s;
    struct client c;
    char req[4096], head[128];
    unsigned char z[256];
    uLongf zl = sizeof(z);
    z_stream zs;
    int fd;

    (void)state;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)json;
    zs.avail_in = sizeof(json) - 1;
    zs.next_out = z;
    zs.avail_out = (uInt)zl;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    zl = zs.total_out;
    deflateEnd(&zs);

    server_open(&s);
    client_open(&c, s.port);
    get(&c, "/gz", 5000);
    fd = server_accept(&s, 2000);
    read_request(&c, fd, req, sizeof(req));
    snprintf(head, sizeof(head),
             "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %lu\r\n"
             "X-After: 1\r\n\r\n",
             (unsigned long)zl);
    send_str(fd, head);
    assert_int_equal(send(fd, z, zl, MSG_NOSIGNAL), (ssize_t)zl);
    pump(&c, 2000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 200);
    assert_string_equal(c.body.data, json);
    /* as Go's transport: the encoding and the length no longer describe the body */
    assert_null(gw_hdrs_get(&c.resp_headers, "Content-Encoding"));
    assert_null(gw_hdrs_get(&c.resp_headers, "Content-Length"));
    assert_string_equal(gw_hdrs_get(&c.resp_headers, "X-After"), "1");

    /* a body that is not gzip */
    get(&c, "/gz", 5000);
    read_request(&c, fd, req, sizeof(req));
    send_str(fd, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope");
    pump(&c, 2000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 0);
    assert_string_equal(c.o.error, "gzip: invalid response body");
    close(fd);
    client_close(&c);
    close(s.lfd);
}

/* No body to decode: 204 and 304 name the coding a GET answer would have. Go's transport puts
 * no gzip reader on a body it knows is empty, and reads an empty gzip body as empty. */
static void gzip_named_on_an_empty_answer(void **state)
{
    static const struct {
        const char *answer;
        long status;
    } empty[] = {
        {"HTTP/1.1 204 No Content\r\nContent-Encoding: gzip\r\n\r\n", 204},
        {"HTTP/1.1 304 Not Modified\r\nContent-Encoding: gzip\r\nContent-Length: 120\r\n\r\n", 304},
        {"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n", 200},
        {"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
         "0\r\n\r\n",
         200},
    };
    struct server s;
    struct client c;
    char req[4096];
    int fd;

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    get(&c, "/", 5000);
    fd = server_accept(&s, 2000);
    read_request(&c, fd, req, sizeof(req));
    send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    pump(&c, 2000);
    assert_int_equal(c.o.status, 200);
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        get(&c, "/gz", 5000);
        read_request(&c, fd, req, sizeof(req));
        send_str(fd, empty[i].answer);
        pump(&c, 2000);
        assert_true(c.done);
        if (c.o.status != empty[i].status)
            fail_msg("empty answer %zu: status %ld (%s)", i, c.o.status, c.o.error);
        assert_int_equal(c.body.len, 0);
    }
    close(fd);
    client_close(&c);
    close(s.lfd);
}

/* The last bytes and the close arrive before the loop looks: one edge-triggered event carries
 * both, and no other will come. */
static void close_in_the_same_event_as_the_last_bytes(void **state)
{
    static const struct {
        const char *answer;
        long status;
        const char *body_or_error;
    } cases[] = {
        {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"until\":\"close\"}", 200,
         "{\"until\":\"close\"}"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", 0, "unexpected EOF"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhal", 0, "unexpected EOF"},
        {"HTTP/1.1 200 OK\r\nContent-Le", 0, "unexpected EOF"},
    };
    struct server s;
    struct client c;
    char req[4096];

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int fd;
        get(&c, "/", 5000);
        fd = server_accept(&s, 2000);
        assert_true(fd >= 0);
        read_request(&c, fd, req, sizeof(req));
        send_str(fd, cases[i].answer);
        close(fd);
        pump(&c, 1000); /* the deadline is 5 s away: only the close can end it sooner */
        if (!c.done)
            fail_msg("case %zu: the close went unnoticed", i);
        assert_int_equal(c.o.status, cases[i].status);
        if (cases[i].status)
            assert_string_equal(c.body.data, cases[i].body_or_error);
        else
            assert_string_equal(c.o.error, cases[i].body_or_error);
    }
    client_close(&c);
    close(s.lfd);
}

/* The same for a kept connection: an interim answer and the close is no reason to retry (the
 * request was being handled), and the end of it is Go's "unexpected EOF". */
static void no_retry_after_an_interim_answer(void **state)
{
    struct server s;
    struct client c;
    char req[4096];
    int fd;

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    fd = kept_connection(&s, &c);
    get(&c, "/2", 5000);
    read_request(&c, fd, req, sizeof(req));
    send_str(fd, "HTTP/1.1 100 Continue\r\n\r\n");
    close(fd);
    pump(&c, 1000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 0);
    assert_string_equal(c.o.error, "unexpected EOF");
    assert_int_equal(server_accept(&s, 50), -1);
    client_close(&c);
    close(s.lfd);
}

/* Security issue item 4: bytes a backend sends on an idle kept connection (a late or stray
 * answer) must never be read as the answer to the next request that takes the connection, even
 * when no loop run saw them arrive. */
static void stray_bytes_on_an_idle_connection_are_not_an_answer(void **state)
{
    struct server s;
    struct client c;
    char req[4096];
    int fd, fd2;

    (void)state;
    server_open(&s);
    client_open(&c, s.port);
    fd = kept_connection(&s, &c);
    send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray");
    usleep(20000); /* in the client's socket buffer; no epoll event handled yet */
    get(&c, "/2", 5000);
    fd2 = server_accept(&s, 2000);
    assert_true(fd2 >= 0); /* the kept connection was not handed out */
    read_request(&c, fd2, req, sizeof(req));
    assert_true(strncmp(req, "GET /2 HTTP/1.1\r\n", 17) == 0);
    send_str(fd2, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nmine");
    pump(&c, 2000);
    assert_int_equal(c.o.status, 200);
    assert_string_equal(c.body.data, "mine");
    close(fd);
    /* a kept connection the backend closed while idle is not handed out either */
    close(fd2);
    usleep(20000);
    get(&c, "/3", 5000);
    fd = server_accept(&s, 2000);
    assert_true(fd >= 0);
    read_request(&c, fd, req, sizeof(req));
    send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    pump(&c, 2000);
    assert_string_equal(c.body.data, "ok");
    close(fd);
    client_close(&c);
    close(s.lfd);
}

/* ---- lura's transport options ---------------------------------------------------------------- */

/* response_header_timeout: the whole request went out and no head came in time: Go's error, long
 * before the call's own deadline. */
static void response_header_timeout(void **state)
{
    struct server s;
    struct client c;
    char req[4096];
    int fd;

    (void)state;
    server_open(&s);
    client_open_with(&c, s.port, &(struct gw_h1_opts){.response_header_timeout_ms = 50});
    get(&c, "/", 10000);
    fd = server_accept(&s, 2000);
    read_request(&c, fd, req, sizeof(req));
    pump(&c, 5000);
    assert_true(c.done);
    assert_int_equal(c.o.status, 0);
    assert_string_equal(c.o.error, "net/http: timeout awaiting response headers");
    close(fd);
    client_close(&c);
    close(s.lfd);
}

/* Pumps the client for ms and returns what of the request body arrived on fd since. */
static size_t body_bytes(struct client *c, int fd, int ms, char *buf, size_t cap)
{
    size_t len = 0;
    int64_t end = cmn_clock_mono_ms() + ms;

    while (cmn_clock_mono_ms() < end && len < cap - 1) {
        pump(c, 5);
        ssize_t n = recv(fd, buf + len, cap - 1 - len, MSG_DONTWAIT);
        if (n > 0)
            len += (size_t)n;
    }
    buf[len] = '\0';
    return len;
}

/* expect_continue_timeout: with "Expect: 100-continue" only the head goes; the body follows the
 * 100, or the timeout when no 100 comes. */
static void expect_continue(void **state)
{
    struct server s;
    struct client c;
    char req[4096], body[64];
    int fd;

    (void)state;
    server_open(&s);
    client_open_with(&c, s.port, &(struct gw_h1_opts){.expect_continue_timeout_ms = 60000});
    gw_hdrs_add(&c.headers, "Expect", "100-continue");
    post(&c, "/", 10000);
    fd = server_accept(&s, 2000);
    read_request(&c, fd, req, sizeof(req));
    assert_non_null(strstr(req, "\r\nExpect: 100-continue\r\n"));
    assert_string_equal(strstr(req, "\r\n\r\n"), "\r\n\r\n"); /* no body yet */
    assert_int_equal(body_bytes(&c, fd, 100, body, sizeof(body)), 0);
    send_str(fd, "HTTP/1.1 100 Continue\r\n\r\n");
    assert_int_equal(body_bytes(&c, fd, 200, body, sizeof(body)), 2);
    assert_string_equal(body, "{}");
    send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    pump(&c, 2000);
    assert_int_equal(c.o.status, 200);
    close(fd);
    client_close(&c);

    /* no 100: the body goes when the (short) timeout ends */
    client_open_with(&c, s.port, &(struct gw_h1_opts){.expect_continue_timeout_ms = 30});
    gw_hdrs_add(&c.headers, "Expect", "100-continue");
    post(&c, "/", 10000);
    fd = server_accept(&s, 2000);
    read_request(&c, fd, req, sizeof(req));
    assert_int_equal(body_bytes(&c, fd, 1000, body, 3), 2);
    send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    pump(&c, 2000);
    assert_int_equal(c.o.status, 200);
    close(fd);
    client_close(&c);
    close(s.lfd);
}

/* max_idle_connections_per_host over two transports (two workers): the pool keeps one idle
 * connection for the host, so the second one coming back is closed. */
static void shared_idle_pool(void **state)
{
    struct server s;
    struct client a, b;
    struct gw_h1_pool *pool = gw_h1_pool_new(1, 0);
    char req[4096], one;
    int fa, fb;

    (void)state;
    assert_non_null(pool);
    server_open(&s);
    client_open_with(&a, s.port, &(struct gw_h1_opts){.pool = pool});
    client_open_with(&b, s.port, &(struct gw_h1_opts){.pool = pool});
    get(&a, "/a", 5000);
    get(&b, "/b", 5000);
    fa = server_accept(&s, 2000);
    read_request(&a, fa, req, sizeof(req));
    fb = server_accept(&s, 2000);
    read_request(&b, fb, req, sizeof(req));
    send_str(fa, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    pump(&a, 2000);
    send_str(fb, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    pump(&b, 2000);
    assert_int_equal(a.o.status, 200);
    assert_int_equal(b.o.status, 200);
    assert_int_equal(poll(&(struct pollfd){fb, POLLIN, 0}, 1, 2000), 1);
    assert_int_equal(recv(fb, &one, 1, 0), 0);             /* closed: no room */
    assert_int_equal(recv(fa, &one, 1, MSG_DONTWAIT), -1); /* kept */
    close(fa);
    close(fb);
    client_close(&a);
    client_close(&b);
    gw_h1_pool_destroy(pool);
    close(s.lfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_and_keep_alive),
        cmocka_unit_test(kept_requests_leave_at_the_flush),
        cmocka_unit_test(kept_connection_ends_before_the_flush),
        cmocka_unit_test(connection_close_is_not_reused),
        cmocka_unit_test(retry_on_a_fresh_connection),
        cmocka_unit_test(post_not_repeated),
        cmocka_unit_test(connection_refused),
        cmocka_unit_test(connect_timeout),
        cmocka_unit_test(deadline),
        cmocka_unit_test(gzip_decoded),
        cmocka_unit_test(gzip_named_on_an_empty_answer),
        cmocka_unit_test(close_in_the_same_event_as_the_last_bytes),
        cmocka_unit_test(no_retry_after_an_interim_answer),
        cmocka_unit_test(stray_bytes_on_an_idle_connection_are_not_an_answer),
        cmocka_unit_test(response_header_timeout),
        cmocka_unit_test(expect_continue),
        cmocka_unit_test(shared_idle_pool),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
