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
#include "hs_harness.h"
#include "tu_http.h"

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

    hs_start(h, 2);
    hs_connect_to(h, &c);
    getsockname(c.fd, (struct sockaddr *)&me, &ml);
    snprintf(peer, sizeof(peer), "peer=127.0.0.1:%u", ntohs(me.sin_port));
    hs_ask(&c, "GET /a%20b?x=1&x=2 HTTP/1.1\r\nHost: t\r\nX-A: 1\r\nx-a:  2 \r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 200 OK");
    assert_date(&a);
    assert_string_equal(hs_hv(&a, "Content-Type"), "text/plain");
    assert_non_null(tu_answer_header(&a, "Content-Length"));
    assert_int_equal(strtoul(tu_answer_header(&a, "Content-Length"), NULL, 10), a.body_len);
    assert_null(tu_answer_header(&a, "Connection"));
    assert_null(tu_answer_header(&a, "Transfer-Encoding"));
    assert_string_equal(hs_body_line(&a, 0), "GET /a%20b?x=1&x=2 HTTP/1.1");
    assert_non_null(strstr(a.body, "path=/a%20b query=x=1&x=2 has_query=1 has_body=0 "));
    assert_non_null(strstr(a.body, peer));
    assert_non_null(strstr(a.body, "\nHost: t\nX-A: 1\nx-a: 2\n\n")); /* order, names as sent */
    tu_answer_free(&a);

    /* Same connection, next request; "?" alone is a query, empty. */
    hs_ask(&c, "GET /p? HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "path=/p query= has_query=1 has_body=0"));
    tu_answer_free(&a);
    hs_ask(&c, "DELETE /q HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", false, &a);
    assert_non_null(strstr(a.body, "path=/q query= has_query=0 has_body=0"));
    tu_answer_free(&a);
    /* A Date from the handler (a backend's, passed on) replaces the server's. */
    hs_ask(&c, "GET /date HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(tu_answer_count(&a, "Date"), 1);
    assert_string_equal(hs_hv(&a, "Date"), "Mon, 02 Jan 2006 15:04:05 GMT");
    tu_answer_free(&a);
    /* A value with CR or LF cannot add a field of its own: the field is left out (see
     * test_cmn_http_smuggling.c for the rule). */
    hs_ask(&c, "GET /split HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    assert_null(tu_answer_header(&a, "X-Injected"));
    assert_null(tu_answer_header(&a, "X-Passed"));
    tu_answer_free(&a);
    /* A handler answering NULL means 500. */
    hs_ask(&c, "GET /null HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 500 Internal Server Error");
    assert_string_equal(a.body, "internal error\n");
    tu_answer_free(&a);
    assert_true(tu_quiet(&c, 50));
    tu_close(&c);
    hs_finish(h);
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

    hs_start(h, 1);
    hs_connect_to(h, &c);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(req, sizeof(req), "GET /status?%s HTTP/1.1\r\nHost: t\r\n\r\n", cases[i][0]);
        hs_ask(&c, req, false, &a);
        assert_string_equal(a.status_line, cases[i][1]);
        assert_string_equal(a.body, "body!");
        tu_answer_free(&a);
    }
    tu_close(&c);
    hs_finish(h);
}

/* HEAD: the length a GET would get, no body; 204 and 304: neither; 1.0 keep-alive too. */
static void bodyless_answers(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;

    hs_start(h, 1);
    hs_connect_to(h, &c);
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
    assert_string_equal(hs_hv(&a, "Content-Length"), "1234");
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.status_line, "HTTP/1.1 204 No Content");
    assert_null(tu_answer_header(&a, "Content-Length"));
    assert_string_equal(hs_hv(&a, "Content-Type"), "text/plain");
    assert_date(&a);
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.status_line, "HTTP/1.1 304 Not Modified");
    assert_null(tu_answer_header(&a, "Content-Length"));
    assert_null(tu_answer_header(&a, "Content-Type")); /* Go's suppressedHeaders(304) */
    assert_date(&a);
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(hs_hv(&a, "Content-Length"), "0");
    assert_int_equal(a.body_len, 0);
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, true, &a), 1);
    assert_int_equal(a.status, 204);
    assert_string_equal(hs_hv(&a, "Connection"), "keep-alive");
    assert_null(tu_answer_header(&a, "Content-Length"));
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.status_line, "HTTP/1.1 201 Created");
    assert_string_equal(a.body, "body!");
    tu_answer_free(&a);
    assert_true(tu_quiet(&c, 50));
    tu_close(&c);
    hs_finish(h);
}

/* ---- keep-alive rules --------------------------------------------------------------------- */

static void http10_and_connection_rules(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;

    hs_start(h, 2);
    /* HTTP/1.0 without keep-alive: Go answers in 1.0 and closes, saying nothing about it. */
    hs_connect_to(h, &c);
    hs_ask(&c, "GET /x HTTP/1.0\r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.0 200 OK");
    assert_null(tu_answer_header(&a, "Connection"));
    assert_date(&a);
    assert_non_null(tu_answer_header(&a, "Content-Length"));
    tu_answer_free(&a);
    hs_expect_final(&c, "");
    tu_close(&c);

    /* HTTP/1.0 with keep-alive: said back, and the connection stays. */
    hs_connect_to(h, &c);
    for (int i = 0; i < 3; i++) {
        hs_ask(&c, "GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", false, &a);
        assert_string_equal(a.status_line, "HTTP/1.0 200 OK");
        assert_string_equal(hs_hv(&a, "Connection"), "keep-alive");
        tu_answer_free(&a);
    }
    /* ... until a handler says close. */
    hs_ask(&c, "GET /close HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false, &a);
    assert_string_equal(hs_hv(&a, "Connection"), "close");
    assert_int_equal(tu_answer_count(&a, "Connection"), 1);
    tu_answer_free(&a);
    hs_expect_final(&c, "");
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
        hs_connect_to(h, &c);
        hs_ask(&c, closing[i], false, &a);
        assert_string_equal(a.status_line, "HTTP/1.1 200 OK");
        assert_string_equal(hs_hv(&a, "Connection"), "close");
        assert_int_equal(tu_answer_count(&a, "Connection"), 1);
        tu_answer_free(&a);
        hs_expect_final(&c, "");
        tu_close(&c);
    }
    /* Go serves any HTTP/1.x, as 1.1. */
    hs_connect_to(h, &c);
    hs_ask(&c, "GET /x HTTP/1.2\r\nHost: t\r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 200 OK");
    assert_string_equal(hs_body_line(&a, 0), "GET /x HTTP/1.2");
    tu_answer_free(&a);
    hs_ask(&c, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    tu_close(&c);
    hs_finish(h);
}

/* ---- pipelining --------------------------------------------------------------------------- */

static void pipelined_requests_in_order(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    struct cmn_buf all;
    enum { N = 60 };

    hs_start(h, 2);
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
    hs_connect_to(h, &c);
    assert_true(tu_send(&c, all.data, all.len)); /* one write */
    for (int i = 0; i < N; i++) {
        char want[64];
        assert_int_equal(tu_read_answer(&c, i % 4 == 1, &a), 1);
        assert_int_equal(a.status, 200);
        if (i % 4 != 1) {
            snprintf(want, sizeof(want), "/echo?%d HTTP/1.1", i);
            assert_non_null(strstr(hs_body_line(&a, 0), want));
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
    assert_string_equal(hs_body_line(&a, 0), "GET /echo?last HTTP/1.1");
    tu_answer_free(&a);
    hs_expect_final(&c, ""); /* the request after "close" is not answered */
    assert_int_equal(atomic_load(&h->handled), N + 1);
    tu_close(&c);
    cmn_buf_free(&all);

    /* A deferred answer holds back the pipelined request behind it. */
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /defer?1 HTTP/1.1\r\nHost: t\r\n\r\n"
                                "GET /echo?2 HTTP/1.1\r\nHost: t\r\n\r\n"));
    struct cmn_http_exchange *ex = hs_take_held(h, IO_MS);
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
    assert_string_equal(hs_body_line(&a, 0), "GET /echo?2 HTTP/1.1");
    tu_answer_free(&a);
    tu_close(&c);
    hs_finish(h);
}

/* ---- input in pieces ---------------------------------------------------------------------- */

static void check_echo_body(struct tu_conn *c, const char *target, const char *body)
{
    struct tu_answer a;
    char want[128];

    assert_int_equal(tu_read_answer(c, false, &a), 1);
    assert_int_equal(a.status, 200);
    snprintf(want, sizeof(want), "POST %s HTTP/1.1", target);
    assert_string_equal(hs_body_line(&a, 0), want);
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

    hs_start(h, 1);
    hs_connect_to(h, &c);
    for (size_t r = 0; r < 3; r++) {
        size_t n = strlen(reqs[r]);
        /* Two pieces, split at every byte. */
        for (size_t k = 1; k < n; k++) {
            assert_true(tu_send(&c, reqs[r], k));
            hs_msleep(1);
            assert_true(tu_send(&c, reqs[r] + k, n - k));
            check_echo_body(&c, targets[r], bodies[r]);
        }
        /* One byte at a time. */
        assert_true(tu_send_slowly(&c, reqs[r], n, 1, 300));
        check_echo_body(&c, targets[r], bodies[r]);
    }
    /* A body in three pieces with pauses, after the head on its own. */
    assert_true(tu_send_str(&c, "POST /cl HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n"));
    hs_msleep(20);
    assert_true(tu_send_str(&c, "012"));
    hs_msleep(20);
    assert_true(tu_send_str(&c, "3456"));
    hs_msleep(20);
    assert_true(tu_quiet(&c, 20));
    assert_true(tu_send_str(&c, "789"));
    check_echo_body(&c, "/cl", "0123456789");
    tu_close(&c);
    hs_finish(h);
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

    hs_start(h, 2); /* max_header_bytes 0: 64 KiB */
    /* A 60 KB header line is served, whole or arriving in pieces. */
    req = head_with(60000, 0);
    hs_connect_to(h, &c);
    hs_ask(&c, req, false, &a);
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
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, req));
    hs_expect_final(&c, ans431);
    tu_close(&c);
    free(req);

    /* 128 fields are served; the 129th is one too many. */
    req = head_with(0, 127);
    hs_connect_to(h, &c);
    hs_ask(&c, req, false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    tu_close(&c);
    free(req);
    req = head_with(0, 128);
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, req));
    hs_expect_final(&c, ans431);
    tu_close(&c);
    free(req);

    /* A head that never ends is cut at the limit too. */
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET / HTTP/1.1\r\nHost: t\r\n"));
    for (int i = 0; i < 3000; i++) /* ~90 KB of fields, without the empty line */
        assert_true(tu_send_str(&c, "X-Some-Header: some value\r\n"));
    hs_expect_final(&c, ans431);
    tu_close(&c);
    hs_finish(h);
}

/* A head of exactly max_header_bytes is served, one byte more is not. */
static void head_size_boundary(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = hs_default_opts(h, 1);
    struct tu_conn c;
    struct tu_answer a;
    char *req;
    size_t base;

    o.max_header_bytes = 1024;
    hs_start_with(h, o);
    req = head_with(0, 0);
    base = strlen(req); /* the head without X-Big */
    free(req);
    for (size_t len = 1020; len <= 1026; len++) {
        req = head_with(len - base - strlen("X-Big: \r\n"), 0);
        assert_int_equal(strlen(req), len);
        hs_connect_to(h, &c);
        assert_true(tu_send_str(&c, req));
        if (len <= 1024) {
            assert_int_equal(tu_read_answer(&c, false, &a), 1);
            assert_int_equal(a.status, 200);
            tu_answer_free(&a);
        } else {
            hs_expect_final(&c, ans431);
        }
        tu_close(&c);
        free(req);
    }
    hs_finish(h);
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
        {"GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789abcdef0123456789abcdefxyz\037\r\n\r\n", ANS400},
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

    hs_start(h, 2);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hs_connect_to(h, &c);
        assert_true(tu_send_str(&c, cases[i].req));
        hs_expect_final(&c, cases[i].want);
        tu_close(&c);
    }
    /* Same after a served request on the connection; and 1.0 needs no Host. */
    hs_connect_to(h, &c);
    struct tu_answer a;
    hs_ask(&c, "GET /ok HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false, &a);
    tu_answer_free(&a);
    /* Any byte of a host, IPv6 literal and port: served; an empty Host too. */
    hs_ask(&c, "GET /ok HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    hs_ask(&c, "GET /ok HTTP/1.1\r\nHost: a-Z.0_9~!$&'()*+,;=%41\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    hs_ask(&c, "GET /ok HTTP/1.1\r\nHost:\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    /* tab and obs-text are allowed in values, long ones included */
    hs_ask(&c,
           "GET /ok HTTP/1.1\r\nHost: a\r\nX: 0123456789abcdef\t\x80\xff 0123456789abcdef~\r\n\r\n",
           false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    assert_true(tu_send_str(&c, "GET / HTTP/1.1\r\n\r\n"));
    hs_expect_final(&c, ANS400_WHY("missing required Host header"));
    tu_close(&c);
    assert_int_equal(atomic_load(&h->handled), 5); /* none of the bad ones reached it */
    hs_finish(h);
}

/* ---- bodies: framing, expectations, limits ----------------------------------------------- */

static void expect_and_body_limits(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;

    hs_start(h, 1); /* max_body 1000 */
    /* 100-continue with the body not sent yet: the interim answer, then the real one. */
    hs_connect_to(h, &c);
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
    hs_ask(&c, "GET /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n", false, &a);
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
    hs_connect_to(h, &c);
    hs_ask(&c, "GET /e HTTP/1.0\r\nConnection: keep-alive\r\nExpect: x\r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.0 417 Expectation Failed");
    assert_string_equal(hs_hv(&a, "Connection"), "close");
    tu_answer_free(&a);
    hs_expect_final(&c, "");
    tu_close(&c);
    hs_connect_to(h, &c);
    hs_ask(&c, "POST /e HTTP/1.1\r\nHost: t\r\nExpect: something\r\nContent-Length: 2\r\n\r\nxx",
           false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 417 Expectation Failed");
    assert_string_equal(hs_hv(&a, "Connection"), "close");
    assert_string_equal(hs_hv(&a, "Content-Length"), "0");
    assert_date(&a);
    tu_answer_free(&a);
    hs_expect_final(&c, "");
    tu_close(&c);

    /* Over max_body by Content-Length: 413 at once, before any body (and no 100). */
    static const char too_large[] = "request body too large\n";
    hs_connect_to(h, &c);
    hs_ask(&c,
           "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1001\r\n\r\n",
           false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 413 Request Entity Too Large");
    assert_string_equal(hs_hv(&a, "Content-Type"), "text/plain; charset=utf-8");
    assert_string_equal(hs_hv(&a, "Connection"), "close");
    assert_string_equal(a.body, too_large);
    assert_date(&a);
    tu_answer_free(&a);
    hs_expect_final(&c, "");
    tu_close(&c);
    /* ... or as chunks add up. */
    hs_connect_to(h, &c);
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
    hs_expect_final(&c, "");
    tu_close(&c);
    assert_int_equal(atomic_load(&h->handled), before);
    /* Exactly max_body is fine. */
    hs_connect_to(h, &c);
    char *req = malloc(1200);
    int n = snprintf(req, 1200, "POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n");
    memset(req + n, 'b', 1000);
    req[n + 1000] = '\0';
    hs_ask(&c, req, false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    free(req);
    tu_close(&c);

    /* Lengths Go accepts: the largest it parses (too large here), repeats of one value. */
    hs_connect_to(h, &c);
    hs_ask(&c, "POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 9223372036854775807\r\n\r\n", false,
           &a);
    assert_int_equal(a.status, 413);
    tu_answer_free(&a);
    tu_close(&c);
    hs_connect_to(h, &c);
    hs_ask(&c, "POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\ncontent-length:  2\r\n\r\nok",
           false, &a);
    assert_int_equal(a.status, 200);
    assert_string_equal(strstr(a.body, "\n\n") + 2, "ok");
    tu_answer_free(&a);
    tu_close(&c);
    /* Transfer-Encoding and Content-Length: chunked wins, then the connection closes (a
     * length that is not a number is refused even then: test_cmn_http_smuggling.c). */
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "POST /te HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"
                                "GET /never HTTP/1.1\r\nHost: t\r\n\r\n"));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(hs_hv(&a, "Connection"), "close");
    assert_string_equal(strstr(a.body, "\n\n") + 2, "abcd");
    tu_answer_free(&a);
    hs_expect_final(&c, "");
    tu_close(&c);
    hs_finish(h);
}

/* ---- answers that close ------------------------------------------------------------------- */

static void abort_and_linger(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;

    hs_start(h, 2);
    /* abort: the connection closes with nothing sent, whatever was pipelined behind. */
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /abort HTTP/1.1\r\nHost: t\r\n\r\n"
                                "GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
    assert_true(tu_closed_within(&c, IO_MS));
    tu_close(&c);
    /* ... deferred too. */
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    struct cmn_http_exchange *ex = hs_take_held(h, IO_MS);
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
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /close HTTP/1.1\r\nHost: t\r\n\r\n"));
    assert_true(tu_send(&c, junk, junk_len));
    hs_msleep(50); /* the server answered and closed meanwhile */
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(hs_hv(&a, "Connection"), "close");
    tu_answer_free(&a);
    hs_expect_final(&c, "");
    tu_close(&c);
    /* Same for a raw error answer. */
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n"));
    assert_true(tu_send(&c, junk, junk_len));
    hs_msleep(50);
    hs_expect_final(&c, ANS400);
    tu_close(&c);
    free(junk);
    hs_finish(h);
}

/* ---- deferred answers and clients that leave ---------------------------------------------- */

static void deferred_answers_and_departed_clients(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    struct cmn_http_exchange *ex;

    hs_start(h, 2);
    /* Answered from this thread, later, on a connection kept alive. */
    hs_connect_to(h, &c);
    for (int i = 0; i < 3; i++) {
        assert_true(tu_send_str(&c, "GET /defer?x HTTP/1.1\r\nHost: t\r\n\r\n"));
        ex = hs_take_held(h, IO_MS);
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
    ex = hs_take_held(h, IO_MS);
    cmn_http_exchange_respond(ex, NULL);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.status, 500);
    tu_answer_free(&a);
    tu_close(&c);

    /* The client closes, half-closes or resets while the handler holds the exchange; the
     * answer comes later and goes nowhere (or, half-closed, still reaches the client). */
    for (int how = 0; how < 3; how++) {
        hs_connect_to(h, &c);
        assert_true(tu_send_str(&c, "POST /defer HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
                                    "\r\nhi"));
        ex = hs_take_held(h, IO_MS);
        assert_non_null(ex);
        if (how == 0) {
            tu_close(&c);
        } else if (how == 1) {
            shutdown(c.fd, SHUT_WR);
        } else {
            tu_reset(&c);
        }
        hs_msleep(50); /* the loop sees it go; the request stays valid meanwhile */
        assert_string_equal(cmn_http_exchange_request(ex)->body, "hi");
        cmn_http_exchange_respond(ex, cmn_http_response_text(200, "text/plain", "late", 4));
        if (how == 1) {
            assert_int_equal(tu_read_answer(&c, false, &a), 1);
            assert_string_equal(a.body, "late");
            tu_answer_free(&a);
            hs_expect_final(&c, "");
            tu_close(&c);
        }
        hs_msleep(20);
        assert_int_equal(cmn_http_server_inflight(h->s), 0);
    }
    /* A client that sends its last request and half-closes gets the answer and then the end
     * of the connection, as from Go, not an idle wait; here both arrive while the handler
     * holds the request before, so the server reads them together. */
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    ex = hs_take_held(h, IO_MS);
    assert_non_null(ex);
    assert_true(tu_send_str(&c, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
    shutdown(c.fd, SHUT_WR);
    hs_msleep(50);
    cmn_http_exchange_respond(ex, cmn_http_response_text(200, "text/plain", "first", 5));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.body, "first");
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(hs_body_line(&a, 0), "GET /x HTTP/1.1");
    tu_answer_free(&a);
    assert_true(tu_closed_within(&c, 1000));
    tu_close(&c);
    /* The server is fine afterwards. */
    hs_connect_to(h, &c);
    hs_ask(&c, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    tu_close(&c);
    hs_finish(h);
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
        if (!(ex = hs_take_held(rs->h, 20)))
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

    hs_start(h, 2);
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
    hs_finish(h);
}

static void large_answer_to_a_slow_reader(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    size_t n = 8u << 20;

    hs_start(h, 1);
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /big?8388608 HTTP/1.1\r\nHost: t\r\n\r\n"
                                "GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
    hs_msleep(200); /* the socket buffers fill; the rest waits for room */
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.body_len, n);
    for (size_t i = 0; i < n; i++) {
        if (a.body[i] != (char)('a' + i % 26))
            fail_msg("byte %zu differs", i);
    }
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(hs_body_line(&a, 0), "GET /x HTTP/1.1");
    tu_answer_free(&a);
    tu_close(&c);
    hs_finish(h);
}

/* ---- timeouts and limits ------------------------------------------------------------------ */

static void idle_timeout(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = hs_default_opts(h, 2);
    struct tu_conn idle, partial, served, slow_body, held;
    struct tu_answer a;
    struct cmn_http_exchange *ex;

    o.idle_timeout_s = 1;
    hs_start_with(h, o);
    hs_connect_to(h, &idle);
    hs_connect_to(h, &partial);
    assert_true(tu_send_str(&partial, "GET / HTTP/1.1\r\nHo"));
    hs_connect_to(h, &served);
    hs_ask(&served, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    hs_connect_to(h, &slow_body);
    assert_true(tu_send_str(&slow_body, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\n"
                                        "abc"));
    hs_connect_to(h, &held);
    assert_true(tu_send_str(&held, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    ex = hs_take_held(h, IO_MS);
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
    hs_finish(h);
}

static void connection_limit(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = hs_default_opts(h, 1);
    struct tu_conn c1, c2, c3;
    struct tu_answer a;
    struct cmn_http_exchange *ex1, *ex2;

    o.max_connections = 2;
    hs_start_with(h, o);
    /* Two requests with the handler: nothing can be shed, the third connection is accepted by
     * the kernel and closed by the server unanswered. */
    hs_connect_to(h, &c1);
    assert_true(tu_send_str(&c1, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    hs_connect_to(h, &c2);
    assert_true(tu_send_str(&c2, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    ex1 = hs_take_held(h, IO_MS);
    ex2 = hs_take_held(h, IO_MS);
    assert_non_null(ex1);
    assert_non_null(ex2);
    hs_connect_to(h, &c3);
    tu_send_str(&c3, "GET /3 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_int_equal(tu_read_answer(&c3, false, &a), 0);
    tu_close(&c3);
    cmn_http_exchange_respond(ex1, cmn_http_response_text(200, "text/plain", "1", 1));
    cmn_http_exchange_respond(ex2, cmn_http_response_text(200, "text/plain", "2", 1));
    assert_int_equal(tu_read_answer(&c1, false, &a), 1);
    tu_answer_free(&a);
    assert_int_equal(tu_read_answer(&c2, false, &a), 1);
    tu_answer_free(&a);
    /* Both now idle between requests: the one idle longest makes room for a new client. */
    hs_msleep(20);
    hs_ask(&c2, "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    hs_connect_to(h, &c3);
    hs_ask(&c3, "GET /3 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    assert_true(tu_closed_within(&c1, IO_MS));
    hs_ask(&c2, "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    tu_close(&c1);
    tu_close(&c2);
    tu_close(&c3);
    hs_finish(h);
}

/* ---- quiesce and stop --------------------------------------------------------------------- */

static void quiesce_keeps_established_connections(void **state)
{
    struct harness *h = *state;
    struct tu_conn c, d;
    struct tu_answer a;

    hs_start(h, 2);
    hs_connect_to(h, &c);
    hs_ask(&c, "GET /1 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    atomic_store(&h->quiesce, true);
    hs_poke(h);
    for (int i = 0; i < 200 && atomic_load(&h->quiesced) < h->n_loops; i++)
        hs_msleep(5);
    assert_int_equal(atomic_load(&h->quiesced), 2);
    assert_false(tu_connect(&d, h->port, IO_MS));
    assert_int_equal(d.err, ECONNREFUSED);
    hs_ask(&c, "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    tu_close(&c);
    hs_finish(h);
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

    hs_start(h, 2);
    for (int i = 0; i < HELD; i++) {
        hs_connect_to(h, &held[i]);
        assert_true(tu_send_str(&held[i], "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
        ex[i] = hs_take_held(h, IO_MS);
        assert_non_null(ex[i]);
    }
    for (int i = 1; i < HELD; i += 4) {
        tu_close(&held[i]);
        tu_reset(&held[i + 1]);
    }
    hs_connect_to(h, &queued);
    assert_true(tu_send_str(&queued, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    qex = hs_take_held(h, IO_MS);
    assert_non_null(qex);
    hs_connect_to(h, &idle);
    hs_ask(&idle, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    hs_connect_to(h, &partial);
    assert_true(tu_send_str(&partial, "GET /x HTTP/1.1\r\nHost"));
    hs_msleep(50);

    hs_stop_loops(h);
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
    struct cmn_http_server_opts o = hs_default_opts(h, 2);
    struct cmn_err err;
    struct cmn_http_server *s;

    hs_start(h, 2);
    hs_connect_to(h, &c);
    hs_ask(&c, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    tu_answer_free(&a);
    hs_finish(h);
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
        cmocka_unit_test_setup_teardown(get_has_date_length_and_keeps_alive, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(go_status_lines, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(bodyless_answers, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(http10_and_connection_rules, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(pipelined_requests_in_order, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(requests_split_anywhere, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(large_heads, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(head_size_boundary, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(raw_error_answers, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(expect_and_body_limits, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(abort_and_linger, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(deferred_answers_and_departed_clients, hs_setup,
                                        hs_teardown),
        cmocka_unit_test_setup_teardown(many_clients_two_loops, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(large_answer_to_a_slow_reader, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(idle_timeout, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(connection_limit, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(quiesce_keeps_established_connections, hs_setup,
                                        hs_teardown),
        cmocka_unit_test_setup_teardown(stop_with_exchanges_unanswered, hs_setup, hs_teardown),
        cmocka_unit_test_setup_teardown(stop_idle_servers, hs_setup, hs_teardown),
    };

    cmn_log_init("TEST", CMN_LOG_NONE, 2);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
