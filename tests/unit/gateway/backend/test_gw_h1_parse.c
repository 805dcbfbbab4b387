/* test_gw_h1_parse.c - the backend client's HTTP/1.1 response parser: framing, interim answers,
 * keep-alive, caps and errors; every case is fed whole, split at every byte and byte by byte, and
 * must end the same way each time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_h1_parse.h"

#define BODY_CAP (1024 * 1024)

/* How a case is fed. */
struct feed {
    bool head;          /* the request was HEAD */
    bool eof;           /* the peer closes after the bytes (gw_h1_parse_eof if still MORE) */
    size_t body_cap;    /* 0 = BODY_CAP */
    size_t max_headers; /* 0 = GW_MAX_HEADERS */
};

/* What a case must end with. */
struct want {
    enum gw_h1_pstatus st;
    long status;
    bool keep_alive;
    bool gzip;
    const char *headers; /* "Name: value\n" per field, in order */
    const char *body;
    size_t used; /* bytes consumed; 0 = all of them (not checked after an error) */
    const char *error;
    size_t body_len; /* 0 = strlen(body) */
};
#define WANT(st, status, keep_alive, gzip, headers, body, used, error)                             \
    (&(struct want){st, status, keep_alive, gzip, headers, body, used, error, 0})
/* a body with NUL bytes */
#define WANT_BIN(st, status, keep_alive, gzip, headers, body, body_len)                            \
    (&(struct want){st, status, keep_alive, gzip, headers, body, 0, NULL, body_len})

/* What one feed produced. */
struct outcome {
    enum gw_h1_pstatus st;
    size_t used;
    long status;
    bool keep_alive, gzip, started;
    struct cmn_buf headers; /* "Name: value\n" per field */
    struct cmn_buf body;
    const char *error;
};

/* Feeds in[0..n) in pieces ending at cuts[0..ncuts) (the last piece ends at n); stops at the
 * first status other than MORE, as gw_h1.c does. */
static void run(const char *in, size_t n, const struct feed *f, const size_t *cuts, size_t ncuts,
                struct outcome *o)
{
    struct gw_h1_parser p;
    struct gw_hdrs h;
    size_t from = 0;

    memset(o, 0, sizeof(*o));
    cmn_buf_init(&o->headers, 2 * GW_H1_MAX_HEAD);
    cmn_buf_init(&o->body, f->body_cap ? f->body_cap : BODY_CAP);
    gw_hdrs_init(&h, f->max_headers);
    gw_h1_parser_init(&p, f->head, &h, &o->body);
    o->st = GW_H1_MORE;
    for (size_t i = 0; i <= ncuts && o->st == GW_H1_MORE; i++) {
        size_t to = i < ncuts ? cuts[i] : n, used = 0;
        o->st = gw_h1_parse(&p, in + from, to - from, &used);
        assert_true(used <= to - from);
        if (o->st == GW_H1_MORE)
            assert_int_equal(used, to - from); /* MORE means every byte was taken */
        o->used = from + used;
        from = to;
    }
    if (o->st == GW_H1_MORE && f->eof)
        o->st = gw_h1_parse_eof(&p);
    o->status = p.status;
    o->keep_alive = p.keep_alive;
    o->gzip = p.gzip;
    o->started = gw_h1_parser_started(&p);
    o->error = o->st == GW_H1_ERROR || o->st == GW_H1_TOO_BIG ? p.error : NULL;
    for (size_t i = 0; i < h.n; i++) {
        assert_int_equal(cmn_buf_printf(&o->headers, "%s: %s\n", h.v[i].name, h.v[i].value),
                         CMN_BUF_OK);
    }
    gw_hdrs_free(&h);
    gw_h1_parser_free(&p);
}

static void done(struct outcome *o)
{
    cmn_buf_free(&o->headers);
    cmn_buf_free(&o->body);
}

static void expect(const struct outcome *o, const struct want *w, size_t n, const char *how)
{
    size_t used = w->used ? w->used : n;
    const char *body = o->body.data ? o->body.data : "", *wbody = w->body ? w->body : "";
    size_t wlen = w->body_len ? w->body_len : strlen(wbody);

    if (o->st != w->st)
        fail_msg("%s: status %d, want %d (error %s)", how, o->st, w->st,
                 o->error ? o->error : "none");
    if (w->error && (!o->error || strcmp(o->error, w->error) != 0))
        fail_msg("%s: error \"%s\", want \"%s\"", how, o->error ? o->error : "", w->error);
    if (w->st == GW_H1_ERROR || w->st == GW_H1_TOO_BIG)
        return; /* the connection is dropped: what was read before the error does not matter */
    if (o->used != used)
        fail_msg("%s: used %zu, want %zu", how, o->used, used);
    if (n > 0 && !o->started)
        fail_msg("%s: bytes were read but the parser says nothing started", how);
    if (o->status != w->status || o->keep_alive != w->keep_alive || o->gzip != w->gzip)
        fail_msg("%s: status %ld keep-alive %d gzip %d, want %ld %d %d", how, o->status,
                 o->keep_alive, o->gzip, w->status, w->keep_alive, w->gzip);
    if (strcmp(o->headers.data ? o->headers.data : "", w->headers ? w->headers : "") != 0)
        fail_msg("%s: headers\n%s\nwant\n%s", how, o->headers.data, w->headers ? w->headers : "");
    if (o->body.len != wlen || memcmp(body, wbody, wlen) != 0)
        fail_msg("%s: body \"%s\" (%zu bytes), want \"%s\" (%zu)", how, body, o->body.len, wbody,
                 wlen);
}

/* Feeds in whole, split in two at every byte, and one byte at a time; each must give w. */
static void check_n(const char *in, size_t n, const struct feed *f, const struct want *w)
{
    struct outcome o;
    char how[64];
    size_t *cuts = malloc((n + 1) * sizeof(*cuts));

    assert_non_null(cuts);
    run(in, n, f, NULL, 0, &o);
    expect(&o, w, n, "whole");
    done(&o);
    for (size_t at = 0; at <= n; at++) {
        snprintf(how, sizeof(how), "split at %zu", at);
        run(in, n, f, &at, 1, &o);
        expect(&o, w, n, how);
        done(&o);
    }
    for (size_t i = 0; i < n; i++)
        cuts[i] = i + 1;
    run(in, n, f, cuts, n, &o);
    expect(&o, w, n, "byte by byte");
    done(&o);
    free(cuts);
}

static void check(const char *in, const struct feed *f, const struct want *w)
{
    check_n(in, strlen(in), f, w);
}

static const struct feed plain = {0}, closing = {.eof = true}, head = {.head = true};

/* ---- framing --------------------------------------------------------------------------------- */

static void content_length(void **state)
{
    (void)state;
    check("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 13\r\n"
          "x-multi: a\r\nX-MULTI: b\r\n\r\n{\"a\":\"hello\"}",
          &plain,
          WANT(GW_H1_DONE, 200, true, false,
               "Content-Type: application/json\nContent-Length: 13\nX-Multi: a\n"
               "X-Multi: b\n",
               "{\"a\":\"hello\"}", 0, NULL));
    /* an empty body ends with the head */
    check("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", &plain,
          WANT(GW_H1_DONE, 201, true, false, "Content-Length: 0\n", "", 0, NULL));
    /* the same length twice is one length (RFC 9110 §8.6) */
    check("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Content-Length: 2\nContent-Length: 2\n", "ok", 0,
               NULL));
    /* bare LF line ends (RFC 9112 §2.2) and no reason phrase */
    check("HTTP/1.1 404\nContent-Length: 3\n\nnot", &plain,
          WANT(GW_H1_DONE, 404, true, false, "Content-Length: 3\n", "not", 0, NULL));
    /* a body with NUL and CR LF bytes is opaque */
    check_n("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\na\0\r\n\r\n", 44, &plain,
            WANT_BIN(GW_H1_DONE, 200, true, false, "Content-Length: 6\n", "a\0\r\n\r\n", 6));
}

static void chunked(void **state)
{
    (void)state;
    /* extensions, OWS after the size, upper case and zero-padded sizes, trailers (RFC 9112
     * §7.1; Go's chunkedReader) */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
          "5;name=value\r\nhello\r\n6;a=\"b;c\"\r\n world\r\n000A \t\r\n0123456789\r\n"
          "0;last\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n",
          &plain,
          WANT(GW_H1_DONE, 200, true, false,
               "Transfer-Encoding: chunked\nContent-Type: text/plain\n", "hello world0123456789", 0,
               NULL));
    /* bare LF ends the head's lines, never the chunked framing's (Go, CVE-2025-22871); trailers
     * never reach the header list (Go keeps them in resp.Trailer) */
    check("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\r\nabc\r\n0\r\n\r\n", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Transfer-Encoding: chunked\n", "abc", 0, NULL));
    /* only a last chunk: an empty body */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Transfer-Encoding: chunked\n", "", 0, NULL));
    /* chunked in any case; other codings are Go's "unsupported transfer encoding" */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n2\r\nok\r\n0\r\n\r\n", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Transfer-Encoding: CHUNKED\n", "ok", 0, NULL));
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", &plain,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "unsupported transfer encoding"));
    /* RFC 9112 §6.3: Transfer-Encoding wins over Content-Length, and the connection closes */
    check("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
          "2\r\nok\r\n0\r\n\r\n",
          &plain,
          WANT(GW_H1_DONE, 200, false, false, "Content-Length: 100\nTransfer-Encoding: chunked\n",
               "ok", 0, NULL));
}

static void until_close(void **state)
{
    (void)state;
    /* neither Content-Length nor chunked: the close ends the body (RFC 9112 §6.3 item 8) */
    check("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome body\r\nmore", &closing,
          WANT(GW_H1_DONE, 200, false, false, "Content-Type: text/plain\n", "some body\r\nmore", 0,
               NULL));
    check("HTTP/1.0 200 OK\r\n\r\n", &closing,
          WANT(GW_H1_DONE, 200, false, false, "", "", 0, NULL));
    /* a coding list not ending in chunked is refused, as Go's transport does */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxyz", &closing,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "unsupported transfer encoding"));
    /* HTTP/1.0 answers: Transfer-Encoding is not read (Go), the close ends the body */
    check("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok", &closing,
          WANT(GW_H1_DONE, 200, false, false, "Transfer-Encoding: chunked\n", "2\r\nok", 0, NULL));
    /* without the close it is not over */
    check("HTTP/1.1 200 OK\r\n\r\nsome body", &plain,
          WANT(GW_H1_MORE, 200, false, false, "", "some body", 0, NULL));
}

static void interim_answers(void **state)
{
    (void)state;
    /* 100 and 103 are skipped with their fields; the final answer's fields stay */
    check("HTTP/1.1 100 Continue\r\n\r\n"
          "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
          &plain, WANT(GW_H1_DONE, 200, true, false, "Content-Length: 2\n", "ok", 0, NULL));
    /* an interim Content-Encoding is not the final one's */
    check("HTTP/1.1 103 Early Hints\r\nContent-Encoding: gzip\r\n\r\n"
          "HTTP/1.1 204 No Content\r\n\r\n",
          &plain, WANT(GW_H1_DONE, 204, true, false, "", "", 0, NULL));
    /* 101 is final: no body, and the connection is no longer HTTP */
    check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", &plain,
          WANT(GW_H1_DONE, 101, false, false, "Upgrade: websocket\n", "", 0, NULL));
    /* empty lines before a status line are ignored (RFC 9112 §2.2) */
    check("\r\n\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Content-Length: 1\n", "x", 0, NULL));
}

static void no_body_answers(void **state)
{
    const char *pipelined = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\nHTTP/1.1 200 OK\r\n";

    (void)state;
    /* HEAD: the fields describe the GET answer; no body follows (RFC 9110 §9.3.2) */
    check("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", &head,
          WANT(GW_H1_DONE, 200, true, false, "Content-Length: 1234\n", "", 0, NULL));
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", &head,
          WANT(GW_H1_DONE, 200, true, false, "Transfer-Encoding: chunked\n", "", 0, NULL));
    /* what follows the head is the next answer, not this one's body */
    check(pipelined, &head,
          WANT(GW_H1_DONE, 200, true, false, "Content-Length: 1234\n", "", 41, NULL));
    /* 204 and 304 never have a body (RFC 9112 §6.3 item 1) */
    check("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", &plain,
          WANT(GW_H1_DONE, 204, true, false, "Content-Length: 5\n", "", 0, NULL));
    check("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\nContent-Encoding: gzip\r\n\r\n",
          &plain,
          WANT(GW_H1_DONE, 304, true, true, "Content-Length: 5\nContent-Encoding: gzip\n", "", 0,
               NULL));
    check("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", &plain,
          WANT(GW_H1_DONE, 304, true, false, "Transfer-Encoding: chunked\n", "", 0, NULL));
}

static void bytes_after_the_answer(void **state)
{
    static const char two[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
    static const char chunked_two[] =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\nHTTP/1.1";
    struct gw_h1_parser p;
    struct gw_hdrs h;
    struct cmn_buf body;
    size_t used = 99;

    (void)state;
    check(two, &plain, WANT(GW_H1_DONE, 200, true, false, "Content-Length: 2\n", "ok", 40, NULL));
    check(chunked_two, &plain,
          WANT(GW_H1_DONE, 200, true, false, "Transfer-Encoding: chunked\n", "a",
               sizeof(chunked_two) - 1 - 8, NULL));
    /* once done, more bytes are left alone */
    gw_hdrs_init(&h, 0);
    cmn_buf_init(&body, 100);
    gw_h1_parser_init(&p, false, &h, &body);
    assert_int_equal(gw_h1_parse(&p, two, 40, &used), GW_H1_DONE);
    assert_int_equal(used, 40);
    assert_int_equal(gw_h1_parse(&p, two + 40, 10, &used), GW_H1_DONE);
    assert_int_equal(used, 0);
    assert_int_equal(gw_h1_parse_eof(&p), GW_H1_DONE);
    gw_h1_parser_free(&p);
    gw_hdrs_free(&h);
    cmn_buf_free(&body);
}

/* ---- fields and connection ------------------------------------------------------------------- */

static void fields(void **state)
{
    (void)state;
    /* canonical names (Go's CanonicalMIMEHeaderKey), OWS trimmed, empty values kept, folded
     * continuation lines joined with one space as Go's textproto does */
    check("HTTP/1.1 200 OK\r\ncontent-type:text/plain\r\nx-a: \t v w \t\r\nX-EMPTY:\r\n"
          "X-Fold: one \r\n  two\r\n\tthree\r\nContent-Length: 0\r\n\r\n",
          &plain,
          WANT(GW_H1_DONE, 200, true, false,
               "Content-Type: text/plain\nX-A: v w\nX-Empty: \nX-Fold: one two three\n"
               "Content-Length: 0\n",
               "", 0, NULL));
    /* Content-Encoding: gzip flags the body for decoding, whatever the case */
    check("HTTP/1.1 200 OK\r\nContent-Encoding: GZip\r\nContent-Length: 0\r\n\r\n", &plain,
          WANT(GW_H1_DONE, 200, true, true, "Content-Encoding: GZip\nContent-Length: 0\n", "", 0,
               NULL));
    check("HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 0\r\n\r\n", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Content-Encoding: br\nContent-Length: 0\n", "", 0,
               NULL));
}

/* Fields a proxy must not pass on (RFC 9112 §5.1): Go's transport fails the response. */
static void invalid_fields(void **state)
{
    static const char *const bad[] = {
        "Transfer-Encoding : chunked", /* a space before the colon */
        "X-B\rSet-Cookie: a=b",        /* a bare CR in a name */
        "X-A: a\x01b",                 /* control bytes in a value */
        "X-A: a\x7f",
        "X-A: a\rb",
        "no colon here",
        ":novalue",
        "X A: b",
    };
    char in[256];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(in, sizeof(in), "HTTP/1.1 200 OK\r\n%s\r\nContent-Length: 2\r\n\r\nok", bad[i]);
        check(in, &plain,
              WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "malformed MIME header line"));
    }
    check_n("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nok", 48, &plain,
            WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "malformed MIME header line"));
    check("HTTP/1.1 200 OK\r\n X-A: b\r\nContent-Length: 2\r\n\r\nok", &plain,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "malformed MIME header initial line"));
}

static void header_count_cap(void **state)
{
    (void)state;
    /* fields past the cap are dropped, but framing fields still count */
    check("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 2\r\nConnection: close"
          "\r\n\r\nok",
          &(struct feed){.max_headers = 2},
          WANT(GW_H1_DONE, 200, false, false, "A: 1\nB: 2\n", "ok", 0, NULL));
}

static void keep_alive(void **state)
{
    (void)state;
    check("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx", &plain,
          WANT(GW_H1_DONE, 200, false, false, "Connection: close\nContent-Length: 1\n", "x", 0,
               NULL));
    check("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 1\r\n\r\nx", &plain,
          WANT(GW_H1_DONE, 200, false, false, "Connection: Keep-Alive, CLOSE\nContent-Length: 1\n",
               "x", 0, NULL));
    /* "closed" is not "close" */
    check("HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 1\r\n\r\nx", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Connection: closed\nContent-Length: 1\n", "x", 0,
               NULL));
    /* HTTP/1.0 closes after the answer */
    check("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", &plain,
          WANT(GW_H1_DONE, 200, false, false, "Content-Length: 1\n", "x", 0, NULL));
    /* the final answer's version counts, not an interim one's */
    check("HTTP/1.0 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Content-Length: 1\n", "x", 0, NULL));
    check("HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
          &plain, WANT(GW_H1_DONE, 200, true, false, "Content-Length: 1\n", "x", 0, NULL));
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void bad_status_lines(void **state)
{
    static const char *const bad[] = {
        "HTTP/2 200 OK\r\n\r\n",   "HTTP/2.0 200 OK\r\n\r\n",  "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",  "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
        "ICY 200 OK\r\n\r\n",      "HTTP/1.1\r\n\r\n",         "<html>\r\n\r\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        check(bad[i], &plain,
              WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "malformed HTTP response"));
    /* Go reads any HTTP/1.x */
    check("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Content-Length: 0\n", "", 0, NULL));
    /* the status line is checked once the head is complete, like the rest of it */
    check("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nHTTP/9", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Content-Length: 1\n", "H", 39, NULL));
}

static void bad_content_length(void **state)
{
    static const char *const bad[] = {
        "abc", "-1", "+5", "0x10", "1 2", "5, 5", "99999999999999999999", "9223372036854775808"};
    char in[256];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(in, sizeof(in), "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\nhello", bad[i]);
        check(in, &plain, WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "bad Content-Length"));
    }
    /* two different lengths: which one frames the body is unknowable (RFC 9112 §6.3 item 5) */
    check("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", &plain,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0,
               "message cannot contain multiple Content-Length headers"));
    /* even when Transfer-Encoding would frame the body */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: x\r\n\r\n0\r\n\r\n",
          &plain, WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "bad Content-Length"));
    /* leading zeros, as many as they come (strconv.ParseUint) */
    check("HTTP/1.1 200 OK\r\nContent-Length: 000000000000000000002\r\n\r\nok", &plain,
          WANT(GW_H1_DONE, 200, true, false, "Content-Length: 000000000000000000002\n", "ok", 0,
               NULL));
}

static void bad_chunks(void **state)
{
    static const char *const bad_size[][2] = {
        {"g", "invalid byte in chunk length"},          {"", "empty hex number for chunk length"},
        {";ext", "empty hex number for chunk length"},  {" 5", "empty hex number for chunk length"},
        {"5 x", "invalid byte in chunk length"},        {"5x", "invalid byte in chunk length"},
        {"-5", "invalid byte in chunk length"},         {"0x5", "invalid byte in chunk length"},
        {"5\t;\tx", "invalid byte in chunk length"},    {"5\r", "invalid CR in chunked line"},
        {"5;a\x01", "invalid byte in chunk extension"},
    };
    static const char te[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    char in[256];

    (void)state;
    for (size_t i = 0; i < sizeof(bad_size) / sizeof(bad_size[0]); i++) {
        snprintf(in, sizeof(in), "%s%s\r\nhello\r\n0\r\n\r\n", te, bad_size[i][0]);
        check(in, &plain, WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, bad_size[i][1]));
    }
    /* chunk data must be followed by CRLF, and a size line ended by one (CVE-2025-22871) */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n", &plain,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "malformed chunked encoding"));
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n", &plain,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "malformed chunked encoding"));
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", &plain,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "chunked line ends with bare LF"));
    /* trailers: field syntax, CRLF */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n", &plain,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0,
               "malformed MIME header line in the trailer"));
}

static void chunk_size_overflow(void **state)
{
    (void)state;
    /* sixteen hex digits at most, leading zeros included (Go's parseHexUint) */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000001\r\nx", &plain,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "http chunk length too large"));
    /* 2^64 + 5 would read as 5 if it wrapped */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          "10000000000000005\r\nhello\r\n0\r\n\r\n",
          &plain, WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "http chunk length too large"));
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          "00000000000000000000000000000002\r\nok\r\n0\r\n\r\n",
          &plain, WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "http chunk length too large"));
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n000000000000002\r\nok\r\n0\r\n\r\n",
          &plain,
          WANT(GW_H1_DONE, 200, true, false, "Transfer-Encoding: chunked\n", "ok", 0, NULL));
    /* the largest size is read (the body cap ends the transfer, not the arithmetic) */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc", &plain,
          WANT(GW_H1_MORE, 200, true, false, "Transfer-Encoding: chunked\n", "abc", 0, NULL));
}

/* Go's transport gives up after five interim answers. */
static void interim_cap(void **state)
{
    char in[512];
    size_t n = 0;

    (void)state;
    for (int i = 0; i < 5; i++)
        n += (size_t)snprintf(in + n, sizeof(in) - n, "HTTP/1.1 100 Continue\r\n\r\n");
    snprintf(in + n, sizeof(in) - n, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    check(in, &plain, WANT(GW_H1_DONE, 200, true, false, "Content-Length: 2\n", "ok", 0, NULL));
    n = 0;
    for (int i = 0; i < 6; i++)
        n += (size_t)snprintf(in + n, sizeof(in) - n, "HTTP/1.1 103 Early Hints\r\n\r\n");
    snprintf(in + n, sizeof(in) - n, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    check(in, &plain,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0,
               "net/http: too many 1xx informational responses"));
}

/* ---- caps ------------------------------------------------------------------------------------ */

/* A response whose head is exactly head_len bytes (status line, one padded field, CRLF CRLF). */
static char *head_of(size_t head_len, const char *after)
{
    static const char first[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: ";
    size_t fixed = sizeof(first) - 1 + 4, al = strlen(after);
    char *s = malloc(head_len + al + 1);

    assert_non_null(s);
    assert_true(head_len > fixed);
    memcpy(s, first, sizeof(first) - 1);
    memset(s + sizeof(first) - 1, 'p', head_len - fixed);
    memcpy(s + head_len - 4, "\r\n\r\n", 4);
    memcpy(s + head_len, after, al + 1);
    return s;
}

static void head_cap(void **state)
{
    char *ok = head_of(GW_H1_MAX_HEAD, "ok"), *big = head_of(GW_H1_MAX_HEAD + 1, "ok");
    struct outcome o;
    struct feed f = {0};
    size_t cuts[3];

    (void)state;
    /* exactly at the cap: accepted, whole and in pieces (not every split: 100 KiB squared) */
    run(ok, strlen(ok), &f, NULL, 0, &o);
    assert_int_equal(o.st, GW_H1_DONE);
    assert_string_equal(o.body.data, "ok");
    done(&o);
    cuts[0] = 1;
    cuts[1] = GW_H1_MAX_HEAD - 1;
    cuts[2] = GW_H1_MAX_HEAD;
    run(ok, strlen(ok), &f, cuts, 3, &o);
    assert_int_equal(o.st, GW_H1_DONE);
    assert_string_equal(o.body.data, "ok");
    done(&o);
    /* one byte more: an error (the body cap is what TOO_BIG reports), whole or in pieces */
    run(big, strlen(big), &f, NULL, 0, &o);
    assert_int_equal(o.st, GW_H1_ERROR);
    assert_string_equal(o.error, "response header section too large");
    assert_int_equal(o.used, GW_H1_MAX_HEAD);
    done(&o);
    cuts[0] = 10;
    cuts[1] = GW_H1_MAX_HEAD;
    cuts[2] = GW_H1_MAX_HEAD + 1;
    run(big, strlen(big), &f, cuts, 3, &o);
    assert_int_equal(o.st, GW_H1_ERROR);
    assert_string_equal(o.error, "response header section too large");
    done(&o);
    free(ok);
    free(big);
}

static void chunk_line_cap(void **state)
{
    static const char te[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    char in[16384];
    size_t n;

    (void)state;
    /* a size line with extensions: 4095 bytes before its CRLF are read (Go's maxLineLength)... */
    n = (size_t)snprintf(in, sizeof(in), "%s2;x=", te);
    memset(in + n, 'e', 4095 - 4);
    n += 4095 - 4;
    n += (size_t)snprintf(in + n, sizeof(in) - n, "\r\nok\r\n0\r\n\r\n");
    check_n(in, n, &plain,
            WANT(GW_H1_DONE, 200, true, false, "Transfer-Encoding: chunked\n", "ok", 0, NULL));
    /* ...one more is not */
    n = (size_t)snprintf(in, sizeof(in), "%s2;x=", te);
    memset(in + n, 'e', 4096 - 4);
    n += 4096 - 4;
    n += (size_t)snprintf(in + n, sizeof(in) - n, "\r\nok\r\n0\r\n\r\n");
    check_n(in, n, &plain,
            WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "header line too long"));
    /* the trailer section has 4 KiB in all */
    n = (size_t)snprintf(in, sizeof(in), "%s0\r\n", te);
    for (int i = 0; i < 300; i++) /* 5,100 bytes */
        n += (size_t)snprintf(in + n, sizeof(in) - n, "X-T: 0123456789\r\n");
    n += (size_t)snprintf(in + n, sizeof(in) - n, "\r\n");
    check_n(in, n, &plain,
            WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0,
                 "http: suspiciously long trailer after chunked body"));
}

static void body_cap(void **state)
{
    const struct feed cap5 = {.body_cap = 5}, cap5_eof = {.eof = true, .body_cap = 5};

    (void)state;
    check("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", &cap5,
          WANT(GW_H1_DONE, 200, true, false, "Content-Length: 5\n", "hello", 0, NULL));
    check("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello!", &cap5,
          WANT(GW_H1_TOO_BIG, 0, false, false, NULL, NULL, 0, "response body too large"));
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n"
          "0\r\n\r\n",
          &cap5, WANT(GW_H1_TOO_BIG, 0, false, false, NULL, NULL, 0, "response body too large"));
    check("HTTP/1.1 200 OK\r\n\r\nhello!", &cap5_eof,
          WANT(GW_H1_TOO_BIG, 0, false, false, NULL, NULL, 0, "response body too large"));
    /* a large Content-Length alone is no reason to fail: the bytes are */
    check("HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\nhel", &cap5,
          WANT(GW_H1_MORE, 200, true, false, "Content-Length: 999999999999\n", "hel", 0, NULL));
}

/* ---- the end of the connection --------------------------------------------------------------- */

static void truncated(void **state)
{
    (void)state;
    /* nothing at all: Go's "EOF" */
    check("", &closing, WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "EOF"));
    /* anything short of the end: "unexpected EOF" */
    check("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", &closing,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "unexpected EOF"));
    check("HTTP/1.1 200 OK\r\nContent-Len", &closing,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "unexpected EOF"));
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", &closing,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "unexpected EOF"));
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", &closing,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "unexpected EOF"));
    /* the last chunk without the empty line that ends the trailers */
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", &closing,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "unexpected EOF"));
    /* an interim answer is an answer begun: Go reads on for the final one and meets the end */
    check("HTTP/1.1 100 Continue\r\n\r\n", &closing,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "unexpected EOF"));
    check("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", &closing,
          WANT(GW_H1_ERROR, 0, false, false, NULL, NULL, 0, "unexpected EOF"));
}

static void eof_after_an_error_stays_an_error(void **state)
{
    struct gw_h1_parser p;
    struct gw_hdrs h;
    struct cmn_buf body;
    size_t used;

    (void)state;
    gw_hdrs_init(&h, 0);
    cmn_buf_init(&body, 100);
    gw_h1_parser_init(&p, false, &h, &body);
    assert_int_equal(gw_h1_parse(&p, "XTTP/1.1 200 OK\r\n\r\n", 19, &used), GW_H1_ERROR);
    assert_int_equal(gw_h1_parse_eof(&p), GW_H1_ERROR);
    assert_string_equal(p.error, "malformed HTTP response");
    assert_int_equal(gw_h1_parse(&p, "more", 4, &used), GW_H1_ERROR);
    assert_int_equal(used, 0);
    gw_h1_parser_free(&p);
    gw_hdrs_free(&h);
    cmn_buf_free(&body);
    gw_h1_parser_free(NULL);
}

/* gw_h1 retries a reused connection only while nothing of an answer arrived. */
static void started(void **state)
{
    static const char *const begun[] = {
        "H", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe",
        /* a retry after these would send the request twice, and Go does not retry then */
        "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", "\r\n"};
    struct gw_h1_parser p;
    struct gw_hdrs h;
    struct cmn_buf body;
    size_t used;

    (void)state;
    for (size_t i = 0; i < sizeof(begun) / sizeof(begun[0]); i++) {
        gw_hdrs_init(&h, 0);
        cmn_buf_init(&body, 100);
        gw_h1_parser_init(&p, false, &h, &body);
        assert_false(gw_h1_parser_started(&p));
        assert_int_equal(gw_h1_parse(&p, begun[i], 0, &used), GW_H1_MORE);
        assert_false(gw_h1_parser_started(&p));
        assert_int_equal(gw_h1_parse(&p, begun[i], strlen(begun[i]), &used), GW_H1_MORE);
        if (!gw_h1_parser_started(&p))
            fail_msg("not started after \"%s\"", begun[i]);
        gw_h1_parser_free(&p);
        gw_hdrs_free(&h);
        cmn_buf_free(&body);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_length),
        cmocka_unit_test(chunked),
        cmocka_unit_test(until_close),
        cmocka_unit_test(interim_answers),
        cmocka_unit_test(no_body_answers),
        cmocka_unit_test(bytes_after_the_answer),
        cmocka_unit_test(fields),
        cmocka_unit_test(invalid_fields),
        cmocka_unit_test(interim_cap),
        cmocka_unit_test(header_count_cap),
        cmocka_unit_test(keep_alive),
        cmocka_unit_test(bad_status_lines),
        cmocka_unit_test(bad_content_length),
        cmocka_unit_test(bad_chunks),
        cmocka_unit_test(chunk_size_overflow),
        cmocka_unit_test(head_cap),
        cmocka_unit_test(chunk_line_cap),
        cmocka_unit_test(body_cap),
        cmocka_unit_test(truncated),
        cmocka_unit_test(eof_after_an_error_stays_an_error),
        cmocka_unit_test(started),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
