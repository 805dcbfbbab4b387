/* test_cmn_http_smuggling.c - the request-smuggling, header-injection and slow-client attacks
 * of the security issue, replayed from raw sockets against the gateway's HTTP engine, every
 * case over plain HTTP and over HTTPS: one parser, one set of rules for every listener. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmn_buf.h"
#include "cmn_log.h"
#include "hs_harness.h"
#include "tu_http.h"

#define ERR_HEADERS "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
#define ANS400 "HTTP/1.1 400 Bad Request" ERR_HEADERS "400 Bad Request"
#define ANS400_WHY(why) "HTTP/1.1 400 Bad Request: " why ERR_HEADERS "400 Bad Request: " why

static int setup_plain(void **state)
{
    return hs_setup(state);
}

static int setup_tls(void **state)
{
    int rc = hs_setup(state);

    if (rc == 0)
        ((struct harness *)*state)->tls = true;
    return rc;
}

/* Sends raw bytes on a new connection and reads everything until the server closes. */
static char *exchange(struct harness *h, const char *req, size_t len)
{
    struct tu_conn c;
    size_t n;
    char *got;

    hs_connect_to(h, &c);
    assert_true(tu_send(&c, req, len));
    got = tu_read_all(&c, &n);
    assert_non_null(got);
    tu_close(&c);
    return got;
}

/* req is refused with exactly `want` and a close, and the handler never sees a request. */
static void refused(struct harness *h, const char *req, size_t len, const char *want)
{
    unsigned before = atomic_load(&h->handled);
    char *got = exchange(h, req, len);

    if (strcmp(got, want) != 0)
        fprintf(stderr, "request: %s\nanswer: %s\n", req, got);
    assert_string_equal(got, want);
    assert_int_equal(atomic_load(&h->handled), before);
    free(got);
}

#define REFUSED(h, lit, want) refused(h, lit, sizeof(lit) - 1, want)

/* How many answers a byte stream holds ("HTTP/1.1 " at line starts). */
static unsigned count_answers(const char *s)
{
    unsigned n = 0;

    for (const char *p = s; (p = strstr(p, "HTTP/1.")); p++)
        n += p == s || p[-1] == '\n';
    return n;
}

/* Issue item 2: both framings, with a request hidden in what Content-Length calls the body. */
static void both_framings_never_serve_the_hidden_request(void **state)
{
    struct harness *h = *state;
    static const char req[] = "POST /first HTTP/1.1\r\nHost: t\r\nContent-Length: 49\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n"
                              "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\nX: 12345\r\n\r\n";
    char *got;

    hs_start(h, 1);
    got = exchange(h, req, sizeof(req) - 1);
    assert_int_equal(count_answers(got), 1);
    assert_non_null(strstr(got, "POST /first HTTP/1.1"));
    assert_null(strstr(got, "/smuggled"));
    assert_int_equal(atomic_load(&h->handled), 1);
    free(got);
    hs_finish(h);
}

static void conflicting_lengths_and_control_bytes(void **state)
{
    struct harness *h = *state;

    hs_start(h, 1);
    REFUSED(h,
            "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 30\r\n\r\n"
            "helloGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n",
            ANS400);
    REFUSED(h, "GET /a HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n", ANS400);
    REFUSED(h, "GET /a HTTP/1.1\r\nHost: x\ry\r\n\r\n", ANS400);
    REFUSED(h, "GET /a HTTP/1.1\r\nHost: t\r\nX-A: a\x01z\r\n\r\n", ANS400);
    REFUSED(h, "GET /a HTTP/1.1\r\nHost: t\r\nX-A: a\0z\r\n\r\n", ANS400);
    REFUSED(h, "GET /a HTTP/1.1\r\nHost: t\r\nX-B\rSet-Cookie: a=b\r\n\r\n", ANS400);
    REFUSED(h, "GET /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\n\r\n", ANS400);
    REFUSED(h, "GET /a HTTP/1.1\r\nHost: t\r\nX-A: a\r\n folded\r\n\r\n", ANS400);
    hs_finish(h);
}

/* Issue item 6: lenient chunked bodies (CVE-2025-22871, CVE-2023-39326 patterns). */
static void strict_chunked_bodies(void **state)
{
    struct harness *h = *state;
    struct cmn_buf big;

#define CHUNKED "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    hs_start(h, 1);
    REFUSED(h, CHUNKED "5\nhello\r\n0\r\n\r\n", ANS400);
    REFUSED(h, CHUNKED "5\r\nhello\n0\r\n\r\n", ANS400);
    REFUSED(h, CHUNKED "5 garbage\r\nhello\r\n0\r\n\r\n", ANS400);
    REFUSED(h, CHUNKED "0\r\nX-T: a\0b\r\n\r\n", ANS400);
    REFUSED(h, CHUNKED "0\r\nno colon\r\n\r\n", ANS400);
    /* 400 KB of extensions for 100 bytes of body */
    cmn_buf_init(&big, 1 << 22);
    cmn_buf_append_str(&big, CHUNKED);
    for (int i = 0; i < 100; i++) {
        cmn_buf_append_str(&big, "1;");
        for (int k = 0; k < 4000; k++)
            cmn_buf_append(&big, "e", 1);
        cmn_buf_append_str(&big, "\r\nx\r\n");
    }
    cmn_buf_append_str(&big, "0\r\n\r\n");
    refused(h, big.data, big.len, ANS400);
    /* 100 KB of trailers */
    cmn_buf_reset(&big);
    cmn_buf_append_str(&big, CHUNKED "1\r\nx\r\n0\r\n");
    for (int i = 0; i < 4000; i++)
        cmn_buf_append_str(&big, "X-Trailer: 0123456789\r\n");
    cmn_buf_append_str(&big, "\r\n");
    refused(h, big.data, big.len, ANS400);
    cmn_buf_free(&big);
    hs_finish(h);
#undef CHUNKED
}

/* Issue item 7: HTTP/1.0 with Transfer-Encoding and a pipelined request after it. */
static void http10_transfer_encoding_closes(void **state)
{
    struct harness *h = *state;

    hs_start(h, 1);
    REFUSED(h,
            "POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
            "0\r\n\r\nGET /smuggled HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            ANS400);
    hs_finish(h);
}

/* Issue item 9: Go's current answers. */
static void go_parity(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;

    hs_start(h, 1);
    REFUSED(h,
            "POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: abc\r\n"
            "\r\n0\r\n\r\n",
            ANS400);
    hs_connect_to(h, &c);
    /* 100-continue anywhere in the Expect list (Go's hasToken) */
    assert_true(tu_send_str(&c, "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue, foo\r\n"
                                "Content-Length: 2\r\n\r\n"));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.status, 100);
    tu_answer_free(&a);
    assert_true(tu_send_str(&c, "hi"));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    /* a 21-digit Content-Length with leading zeros (strconv.ParseUint reads it) */
    hs_ask(&c, "POST /z HTTP/1.1\r\nHost: t\r\nContent-Length: 000000000000000000002\r\n\r\nok",
           false, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "\n\nok"));
    tu_answer_free(&a);
    /* absolute-form: the URL's path is served and its host replaces Host */
    hs_ask(&c, "GET http://example.com:8080/abs?q=1 HTTP/1.1\r\nHost: other\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "path=/abs query=q=1 has_query=1"));
    assert_non_null(strstr(a.body, "authority=example.com:8080"));
    tu_answer_free(&a);
    /* OPTIONS * is the server's, as Go's globalOptionsHandler: 200, empty, no handler */
    unsigned before = atomic_load(&h->handled);
    hs_ask(&c, "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_string_equal(a.status_line, "HTTP/1.1 200 OK");
    assert_string_equal(hs_hv(&a, "Content-Length"), "0");
    assert_int_equal(atomic_load(&h->handled), before);
    tu_answer_free(&a);
    tu_close(&c);
    hs_finish(h);
}

/* Every field written to a client passes the field rule: one with a control byte is left out
 * (and logged), it never splits the answer. */
static void answers_carry_no_invalid_fields(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;

    hs_start(h, 1);
    hs_connect_to(h, &c);
    hs_ask(&c, "GET /split HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    assert_null(tu_answer_header(&a, "X-Injected"));
    assert_null(tu_answer_header(&a, "X-Passed"));
    assert_null(tu_answer_header(&a, "X-Nul"));
    assert_null(tu_answer_header(&a, "Bad Name"));
    assert_string_equal(hs_hv(&a, "X-Fine"), "tab\tand \xc3\xa9");
    tu_answer_free(&a);
    tu_close(&c);
    hs_finish(h);
}

/* A checked line is the field rule applied once: what it refuses never becomes a line, nor
 * does a field the server writes itself. */
static void lines_are_checked_once(void **state)
{
    static const char *const refused_fields[][2] = {
        {"X-A", "a\r\nX-Injected: 1"},
        {"X-A", "nul\x01"},
        {"X-A", "del\x7f"},
        {"Bad Name", "v"},
        {"", "v"},
        {"X:A", "v"},
        {"Content-Length", "1"},
        {"connection", "close"},
        {"Transfer-Encoding", "chunked"},
        {"DATE", "Mon, 02 Jan 2006 15:04:05 GMT"},
        {"Content-Type", "text/plain"},
    };
    static const struct cmn_http_line lit = CMN_HTTP_LINE_LITERAL("X-Krakend", "Version 2");
    struct cmn_http_line l;
    struct cmn_err err;

    (void)state;
    for (size_t i = 0; i < sizeof(refused_fields) / sizeof(refused_fields[0]); i++) {
        assert_false(cmn_http_line_init(&l, refused_fields[i][0], refused_fields[i][1], &err));
        assert_null(l.name);
        assert_true(err.msg[0] != '\0');
    }
    assert_true(cmn_http_line_init(&l, "X-Fine", "tab\tand \xc3\xa9", &err));
    assert_string_equal(l.name, "X-Fine");
    assert_string_equal(l.value, "tab\tand \xc3\xa9");
    assert_int_equal(l.wire_len, strlen("X-Fine: tab\tand \xc3\xa9\r\n"));
    assert_memory_equal(l.wire, "X-Fine: tab\tand \xc3\xa9\r\n", l.wire_len);
    cmn_http_line_free(&l);
    assert_null(l.name);
    cmn_http_line_free(&l); /* twice is harmless */
    /* the compiler's layout is the same, and the literal passes the rule */
    assert_int_equal(lit.wire_len, strlen(lit.wire));
    assert_string_equal(lit.wire, "X-Krakend: Version 2\r\n");
    assert_true(cmn_http_line_init(&l, lit.name, lit.value, &err));
    assert_memory_equal(l.wire, lit.wire, lit.wire_len);
    cmn_http_line_free(&l);
}

/* Lines go out as laid out, among copied headers, in order, and del_header removes them too. */
static void lines_go_out_in_order(void **state)
{
    struct harness *h = *state;
    struct tu_conn c;
    struct tu_answer a;
    static const char *const want[][2] = {
        {"X-Copied", "a"},        {"Vary", "Origin"},          {"X-Copied", "b"},
        {"Vary", "Origin"},       {"X-Frame-Options", "DENY"}, {"X-Last", "z"},
        {"Content-Length", NULL},
    };
    const size_t n_want = sizeof(want) / sizeof(want[0]);

    hs_start(h, 1);
    hs_connect_to(h, &c);
    for (int i = 0; i < 2; i++) { /* the second answer reuses the connection's buffer */
        hs_ask(&c, "GET /lines HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
        assert_int_equal(a.status, 200);
        /* after the echo's Content-Type (and the Date), exactly these, in this order */
        assert_true(a.n_hdr >= n_want);
        for (size_t k = 0; k < n_want; k++) {
            const struct tu_header *g = &a.hdr[a.n_hdr - n_want + k];
            assert_string_equal(g->name, want[k][0]);
            if (want[k][1])
                assert_string_equal(g->value, want[k][1]);
        }
        assert_null(tu_answer_header(&a, "X-Gone"));
        assert_int_equal(tu_answer_count(&a, "X-Frame-Options"), 1);
        tu_answer_free(&a);
    }
    tu_close(&c);
    hs_finish(h);
}

/* Issue item 3: a head trickled a byte at a time is cut at the head deadline, although the
 * connection is never idle for long. */
static void trickled_head_is_cut_at_its_deadline(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = hs_default_opts(h, 1);
    static const char req[] =
        "GET /slow HTTP/1.1\r\nHost: t\r\nX-Pad: abcdefghijklmnopqrst\r\n\r\n";
    struct tu_conn c;
    struct timespec t0, t1;
    size_t i = 0;

    o.idle_timeout_s = 30;
    o.head_timeout_ms = 600;
    hs_start_with(h, o);
    hs_connect_to(h, &c);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (; i < sizeof(req) - 1; i++) {
        if (!tu_send(&c, req + i, 1) || tu_closed_within(&c, 0))
            break;
        hs_msleep(40);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* cut after 0.6 s (15 bytes or so), well before the whole head (2.4 s) went out */
    assert_true(i < sizeof(req) - 1);
    assert_true(s >= 0.5 && s < 2.0);
    assert_int_equal(atomic_load(&h->handled), 0);
    tu_close(&c);
    hs_finish(h);
}

/* A whole request (head and body) is bounded by the request deadline. */
static void trickled_body_is_cut_at_the_request_deadline(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = hs_default_opts(h, 1);
    struct tu_conn c;
    int sent = 0;

    o.idle_timeout_s = 30;
    o.request_timeout_ms = 700;
    hs_start_with(h, o);
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n"));
    for (; sent < 100; sent++) {
        if (!tu_send(&c, "b", 1) || tu_closed_within(&c, 0))
            break;
        hs_msleep(40);
    }
    assert_true(sent < 40);
    assert_int_equal(atomic_load(&h->handled), 0);
    tu_close(&c);
    hs_finish(h);
}

/* When the table is full, connections still without a request head make room for a new
 * client instead of the new client being refused. */
static void full_table_sheds_unfinished_heads(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = hs_default_opts(h, 1);
    struct tu_conn slow[8], c;
    struct tu_answer a;
    unsigned shed = 0;

    o.max_connections = 8;
    o.idle_timeout_s = 30;
    hs_start_with(h, o);
    for (int i = 0; i < 8; i++) {
        hs_connect_to(h, &slow[i]);
        assert_true(tu_send_str(&slow[i], "GET /never HTTP/1.1\r\nHo"));
    }
    hs_msleep(100);
    hs_connect_to(h, &c);
    hs_ask(&c, "GET /ok HTTP/1.1\r\nHost: t\r\n\r\n", false, &a);
    assert_int_equal(a.status, 200);
    tu_answer_free(&a);
    for (int i = 0; i < 8; i++) {
        shed += tu_closed_within(&slow[i], 200);
        tu_close(&slow[i]);
    }
    assert_true(shed >= 1);
    tu_close(&c);
    hs_finish(h);
}

#define BOTH(t)                                                                                    \
    cmocka_unit_test_setup_teardown(t, setup_plain, hs_teardown),                                  \
        cmocka_unit_test_setup_teardown(t, setup_tls, hs_teardown)

/* Go's WriteTimeout: an answer that is ready after its request's deadline (head read + write
 * timeout) is not sent; the connection ends instead. One ready in time is. */
static void late_answer_is_dropped_at_the_write_deadline(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = hs_default_opts(h, 1);
    struct cmn_http_exchange *ex;
    struct tu_conn c;
    struct tu_answer a;

    o.write_timeout_ms = 300;
    hs_start_with(h, o);
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    ex = hs_take_held(h, IO_MS);
    assert_non_null(ex);
    cmn_http_exchange_respond(ex, cmn_http_response_text(200, "text/plain", "in time", 7));
    assert_int_equal(tu_read_answer(&c, false, &a), 1);
    assert_string_equal(a.body, "in time");
    tu_answer_free(&a);
    /* the next request on the same connection gets a deadline of its own */
    hs_msleep(400);
    assert_true(tu_send_str(&c, "GET /defer HTTP/1.1\r\nHost: t\r\n\r\n"));
    ex = hs_take_held(h, IO_MS);
    assert_non_null(ex);
    hs_msleep(500);
    cmn_http_exchange_respond(ex, cmn_http_response_text(200, "text/plain", "too late", 8));
    assert_true(tu_closed_within(&c, IO_MS));
    tu_close(&c);
    hs_finish(h);
}

/* Heads beyond 64 KiB draw on one budget for the whole server: a connection that would need
 * more than is left gets 431; once the memory is back, a large head is served again. */
static void large_heads_share_one_budget(void **state)
{
    struct harness *h = *state;
    struct cmn_http_server_opts o = hs_default_opts(h, 1);
    struct tu_conn a, b, c;
    struct tu_answer ans;
    char *pad = malloc(160 * 1024);

    assert_non_null(pad);
    memset(pad, 'a', 160 * 1024);
    o.max_header_bytes = 256 * 1024;
    o.head_budget = 200 * 1024;
    hs_start_with(h, o);
    /* a: 150 KiB of an unfinished head; its buffer (256 KiB) takes 192 KiB of the budget */
    hs_connect_to(h, &a);
    assert_true(tu_send_str(&a, "GET / HTTP/1.1\r\nHost: t\r\nX-A: "));
    assert_true(tu_send(&a, pad, 150 * 1024));
    assert_true(tu_quiet(&a, 200));
    /* b: 100 KiB would need 64 KiB more than the 8 KiB left */
    hs_connect_to(h, &b);
    assert_true(tu_send_str(&b, "GET / HTTP/1.1\r\nHost: t\r\nX-B: "));
    assert_true(tu_send(&b, pad, 100 * 1024));
    hs_expect_final(&b, "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                        "\r\n431 Request Header Fields Too Large");
    tu_close(&b);
    /* small heads are not affected */
    hs_connect_to(h, &c);
    hs_ask(&c, "GET /small HTTP/1.1\r\nHost: t\r\n\r\n", false, &ans);
    assert_string_equal(ans.status_line, "HTTP/1.1 200 OK");
    tu_answer_free(&ans);
    tu_close(&c);
    /* a goes away: its memory is back, and a 150 KiB head is served */
    tu_close(&a);
    hs_msleep(100);
    hs_connect_to(h, &c);
    assert_true(tu_send_str(&c, "GET /big-head HTTP/1.1\r\nHost: t\r\nX-C: "));
    assert_true(tu_send(&c, pad, 150 * 1024));
    assert_true(tu_send_str(&c, "\r\n\r\n"));
    assert_int_equal(tu_read_answer(&c, false, &ans), 1);
    assert_string_equal(ans.status_line, "HTTP/1.1 200 OK");
    tu_answer_free(&ans);
    tu_close(&c);
    free(pad);
    hs_finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(both_framings_never_serve_the_hidden_request),
        BOTH(conflicting_lengths_and_control_bytes),
        BOTH(strict_chunked_bodies),
        BOTH(http10_transfer_encoding_closes),
        BOTH(go_parity),
        BOTH(answers_carry_no_invalid_fields),
        cmocka_unit_test(lines_are_checked_once),
        BOTH(lines_go_out_in_order),
        BOTH(trickled_head_is_cut_at_its_deadline),
        BOTH(trickled_body_is_cut_at_the_request_deadline),
        BOTH(full_table_sheds_unfinished_heads),
        BOTH(late_answer_is_dropped_at_the_write_deadline),
        BOTH(large_heads_share_one_budget),
    };

    cmn_log_init("TEST", CMN_LOG_NONE, 2);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
