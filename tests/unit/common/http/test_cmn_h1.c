/* test_cmn_h1.c - the sans-IO HTTP/1.1 parser: request streams fed whole, byte by byte and
 * split at every offset must read the same; each smuggling pattern of the security issue is
 * refused the way docs/security.md says; response heads as Go's transport reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_buf.h"
#include "cmn_h1.h"
#include "cmn_http_field.h"

/* ---- a transcript of what the reader says about a byte stream ------------------------------ */

struct fields {
    struct cmn_buf *t;
    size_t n, max;
};

static bool on_field(void *ctx, const char *n, size_t nl, const char *v, size_t vl)
{
    struct fields *f = ctx;

    if (f->n == f->max)
        return false;
    f->n++;
    cmn_buf_printf(f->t, " [%.*s=%.*s]", (int)nl, n, (int)vl, v);
    return true;
}

static void span(struct cmn_buf *t, const char *what, const char *base, struct cmn_h1_span s)
{
    cmn_buf_printf(t, " %s=%.*s", what, (int)s.len, base + s.off);
}

static void describe_head(struct cmn_buf *t, const char *base, const struct cmn_h1_request *r)
{
    static const char *const forms[] = {"origin", "absolute", "asterisk"};

    cmn_buf_printf(t, "HEAD");
    span(t, "method", base, r->method);
    span(t, "target", base, r->target);
    cmn_buf_printf(t, " form=%s", forms[r->form]);
    span(t, "path", base, r->path);
    if (r->has_query)
        span(t, "query", base, r->query);
    if (r->form == CMN_H1_ABSOLUTE)
        span(t, "authority", base, r->authority);
    if (r->has_host)
        span(t, "host", base, r->host);
    cmn_buf_printf(t, " 1.%u keep=%d chunked=%d length=%llu", r->minor, r->keep_alive, r->chunked,
                   (unsigned long long)r->length);
    if (r->expect_continue)
        cmn_buf_printf(t, " continue");
    if (r->expect_failed)
        cmn_buf_printf(t, " expect-failed");
    cmn_buf_printf(t, "\n");
}

/* Feeds in[0, n) in pieces of at most `piece` bytes (0: whole), keeping unconsumed bytes as
 * the server does; consecutive body spans are reported as one DATA line. */
static char *transcript(const char *in, size_t n, size_t piece, size_t max_head, size_t max_fields)
{
    struct cmn_buf t, held, body;
    struct cmn_h1_reader r;
    size_t fed = 0;
    bool failed = false;

    cmn_buf_init(&t, 1 << 20);
    cmn_buf_init(&held, 1 << 20);
    cmn_buf_init(&body, 1 << 20);
    cmn_h1_reader_init(&r, max_head);
    while (!failed && fed < n) {
        size_t take = piece && n - fed > piece ? piece : n - fed;
        cmn_buf_append(&held, in + fed, take);
        fed += take;
        size_t pos = 0;
        for (;;) {
            struct cmn_h1_out out;
            struct cmn_buf fl;
            struct fields f = {&fl, 0, max_fields};
            size_t used = 0;
            cmn_buf_init(&fl, 1 << 16);
            enum cmn_h1_event ev =
                cmn_h1_read(&r, held.data + pos, held.len - pos, &used, on_field, &f, &out);
            assert_true(used <= held.len - pos);
            if (ev == CMN_H1_HEAD) {
                describe_head(&t, held.data + pos, &out.req);
                cmn_buf_printf(&t, "fields%s\n", cmn_buf_str(&fl));
            } else if (ev == CMN_H1_DATA) {
                assert_true(out.data >= held.data + pos &&
                            out.data + out.data_len <= held.data + pos + used);
                cmn_buf_append(&body, out.data, out.data_len);
            } else if (ev == CMN_H1_END) {
                if (body.len)
                    cmn_buf_printf(&t, "DATA %s\n", cmn_buf_str(&body));
                cmn_buf_reset(&body);
                cmn_buf_printf(&t, "END\n");
            } else if (ev == CMN_H1_FAIL) {
                char ans[256];
                cmn_h1_answer(out.fail, ans, sizeof(ans));
                *strstr(ans, "\r\n") = '\0';
                cmn_buf_printf(&t, "FAIL %s (%s)\n", ans + 9, out.fail.why ? out.fail.why : "");
                failed = true;
            }
            cmn_buf_free(&fl);
            pos += used;
            if (ev == CMN_H1_MORE || ev == CMN_H1_FAIL)
                break;
        }
        /* keep what was not consumed, as the engine's buffer does */
        memmove(held.data, held.data + pos, held.len - pos);
        held.len -= pos;
    }
    cmn_buf_free(&held);
    cmn_buf_free(&body);
    return cmn_buf_take(&t, NULL);
}

/* The transcript of in[0, n), the same whatever the split, and equal to want. */
static void check_n(const char *in, size_t n, const char *want)
{
    char *whole = transcript(in, n, 0, 4096, 32);

    if (strcmp(whole, want) != 0)
        fprintf(stderr, "input: %s\ngot:\n%swant:\n%s", in, whole, want);
    assert_string_equal(whole, want);
    for (size_t piece = 1; piece <= 7; piece++) {
        char *split = transcript(in, n, piece, 4096, 32);
        if (strcmp(split, whole) != 0)
            fprintf(stderr, "piece %zu of %s\ngot:\n%s", piece, in, split);
        assert_string_equal(split, whole);
        free(split);
    }
    free(whole);
}

static void check(const char *in, const char *want)
{
    check_n(in, strlen(in), want);
}

/* For inputs with NUL bytes: a string literal's length. */
#define CHECK_LIT(lit, want) check_n(lit, sizeof(lit) - 1, want)

#define GET_HEAD(path) "HEAD method=GET target=" path " form=origin path=" path " host=h"

/* ---- requests ------------------------------------------------------------------------------ */

static void test_simple_and_pipelined(void **state)
{
    (void)state;
    check("GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
          GET_HEAD("/a") " 1.1 keep=1 chunked=0 length=0\nfields [Host=h]\nEND\n");
    check("GET /a?x=1&y HTTP/1.1\r\nHost: h\r\nX-A:  v  \r\n\r\nGET /b HTTP/1.1\nHost: h\n\n",
          "HEAD method=GET target=/a?x=1&y form=origin path=/a query=x=1&y host=h 1.1 keep=1 "
          "chunked=0 length=0\nfields [Host=h] [X-A=v]\nEND\n" GET_HEAD(
              "/b") " 1.1 keep=1 "
                    "chunked=0 length=0\nfields [Host=h]\nEND\n");
    check("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n"
          "Host: h\r\n\r\n",
          "HEAD method=POST target=/p form=origin path=/p host=h 1.1 keep=1 chunked=0 length=5\n"
          "fields [Host=h] [Content-Length=5]\nDATA hello\nEND\n" GET_HEAD(
              "/b") " 1.1 keep=1 "
                    "chunked=0 length=0\nfields [Host=h]\nEND\n");
    /* Go's tolerance of up to four CR/LF bytes before a request, and no more */
    check("\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n",
          GET_HEAD("/a") " 1.1 keep=1 chunked=0 length=0\nfields [Host=h]\nEND\n");
    check("\r\n\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n",
          "FAIL 400 Bad Request (malformed HTTP request)\n");
}

#define CHUNKED_REQ "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
#define CHUNKED_HEAD                                                                               \
    "HEAD method=POST target=/p form=origin path=/p host=h 1.1 keep=1 chunked=1 length=0\n"        \
    "fields [Host=h] [Transfer-Encoding=chunked]\n"

static void test_chunked_bodies(void **state)
{
    (void)state;
    /* extensions, trailing OWS on the size, upper-case hex, trailers: all read */
    check(CHUNKED_REQ "5\r\nhello\r\n6;name=\"v\"\r\n world\r\nA \t\r\n0123456789\r\n"
                      "0\r\nX-T: 1\r\nX-U:\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
          CHUNKED_HEAD "DATA hello world0123456789\nEND\n" GET_HEAD(
              "/b") " 1.1 keep=1 "
                    "chunked=0 length=0\nfields [Host=h]\nEND\n");
    check(CHUNKED_REQ "0\r\n\r\n", CHUNKED_HEAD "END\n");
}

/* The chunked patterns of the issue, each refused before the handler sees the request. */
static void test_chunked_refusals(void **state)
{
    (void)state;
    /* CVE-2025-22871: a bare LF ends the size line */
    check(CHUNKED_REQ "5\nhello\r\n0\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (chunked line ends with bare LF)\n");
    check(CHUNKED_REQ "5;ext\nhello\r\n0\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (chunked line ends with bare LF)\n");
    /* a bare LF (or anything but CRLF) after the chunk data */
    check(CHUNKED_REQ "5\r\nhello\n0\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (malformed chunked encoding)\n");
    check(CHUNKED_REQ "5\r\nhelloXX0\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (malformed chunked encoding)\n");
    /* "5 garbage", a CR inside the line, no digits, too many digits, a sign */
    check(CHUNKED_REQ "5 garbage\r\nhello\r\n0\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (invalid byte in chunk length)\n");
    check(CHUNKED_REQ "5 ;x\r\nhello\r\n0\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (invalid byte in chunk length)\n");
    check(CHUNKED_REQ "5\r\r\nhello\r\n0\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (invalid CR in chunked line)\n");
    check(CHUNKED_REQ ";x\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (empty hex number for chunk length)\n");
    check(CHUNKED_REQ "00000000000000001\r\nx\r\n0\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (http chunk length too large)\n");
    check(CHUNKED_REQ "+5\r\nhello\r\n0\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (invalid byte in chunk length)\n");
    check(CHUNKED_REQ "5;a\x01\r\nhello\r\n0\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (invalid byte in chunk extension)\n");
    /* trailers: a NUL, no colon, a space before the colon, a folded line, a bare LF */
    CHECK_LIT(CHUNKED_REQ "0\r\nX-T: a\0b\r\n\r\n",
              CHUNKED_HEAD "FAIL 400 Bad Request (malformed MIME header line in the trailer)\n");
    CHECK_LIT("GET /a HTTP/1.1\r\nHost: h\r\nX-A: a\0b\r\n\r\n",
              "FAIL 400 Bad Request (malformed MIME header line)\n");
    check(CHUNKED_REQ "0\r\nX-T\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (malformed MIME header line in the trailer)\n");
    check(CHUNKED_REQ "0\r\nX-T : 1\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (malformed MIME header line in the trailer)\n");
    check(CHUNKED_REQ "0\r\nX-T: 1\r\n 2\r\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (malformed MIME header line in the trailer)\n");
    check(CHUNKED_REQ "0\r\nX-T: 1\n\r\n",
          CHUNKED_HEAD "FAIL 400 Bad Request (malformed MIME header line in the trailer)\n");
}

/* Caps relative to the body: chunk extensions (CVE-2023-39326) and trailers. */
static void test_chunked_caps(void **state)
{
    struct cmn_buf in;
    char ext[300], *t;

    (void)state;
    memset(ext, 'e', sizeof(ext) - 1);
    ext[sizeof(ext) - 1] = '\0';
    /* one-byte chunks with 300 bytes of extension each: too much non-data within 60 chunks */
    cmn_buf_init(&in, 1 << 20);
    cmn_buf_append_str(&in, CHUNKED_REQ);
    for (int i = 0; i < 100; i++)
        cmn_buf_printf(&in, "1;%s\r\nx\r\n", ext);
    cmn_buf_append_str(&in, "0\r\n\r\n");
    t = transcript(in.data, in.len, 0, 4096, 32);
    assert_non_null(strstr(t, "FAIL 400 Bad Request (chunked encoding contains too much "
                              "non-data)\n"));
    free(t);
    /* the same extensions on chunks of 1000 bytes are fine */
    cmn_buf_reset(&in);
    cmn_buf_append_str(&in, CHUNKED_REQ);
    for (int i = 0; i < 100; i++) {
        cmn_buf_printf(&in, "3e8;%s\r\n", ext);
        for (int k = 0; k < 1000; k++)
            cmn_buf_append(&in, "y", 1);
        cmn_buf_append_str(&in, "\r\n");
    }
    cmn_buf_append_str(&in, "0\r\n\r\n");
    t = transcript(in.data, in.len, 0, 4096, 32);
    assert_non_null(strstr(t, "END\n"));
    assert_null(strstr(t, "FAIL"));
    free(t);
    /* a size line of 4095 bytes is read, 4096 is not (Go's maxLineLength) */
    for (size_t len = 4095; len <= 4096; len++) {
        cmn_buf_reset(&in);
        cmn_buf_append_str(&in, CHUNKED_REQ "1;");
        for (size_t k = 2; k < len; k++)
            cmn_buf_append(&in, "e", 1);
        cmn_buf_append_str(&in, "\r\nx\r\n0\r\n\r\n");
        t = transcript(in.data, in.len, 0, 4096, 32);
        assert_non_null(strstr(t, len == 4095 ? "DATA x\nEND\n" : "(header line too long)"));
        free(t);
    }
    /* trailers: 4 KiB in all */
    cmn_buf_reset(&in);
    cmn_buf_append_str(&in, CHUNKED_REQ "0\r\n");
    for (int i = 0; i < 200; i++)
        cmn_buf_append_str(&in, "X-Trailer: 0123456789\r\n");
    cmn_buf_append_str(&in, "\r\n");
    t = transcript(in.data, in.len, 0, 4096, 32);
    assert_non_null(strstr(t, "(http: suspiciously long trailer after chunked body)"));
    free(t);
    cmn_buf_free(&in);
}

/* Transfer-Encoding and Content-Length as Go reads them, and the stricter cases. */
static void test_framing(void **state)
{
    (void)state;
    /* both framings: chunked wins, the connection closes after the answer */
    check("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
          "0\r\n\r\n",
          "HEAD method=POST target=/p form=origin path=/p host=h 1.1 keep=0 chunked=1 length=0\n"
          "fields [Host=h] [Content-Length=3] [Transfer-Encoding=chunked]\nEND\n");
    /* ... but a Content-Length that is not a number is refused even then */
    check("POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: abc\r\n"
          "\r\n0\r\n\r\n",
          "FAIL 400 Bad Request (bad Content-Length)\n");
    check("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
          "FAIL 400 Bad Request (message cannot contain multiple Content-Length headers)\n");
    check("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na",
          "HEAD method=POST target=/p form=origin path=/p host=h 1.1 keep=1 chunked=0 length=1\n"
          "fields [Host=h] [Content-Length=1] [Content-Length=1]\nDATA a\nEND\n");
    /* 21 digits with leading zeros: Go's ParseUint reads them */
    check("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 000000000000000000002\r\n\r\nab",
          "HEAD method=POST target=/p form=origin path=/p host=h 1.1 keep=1 chunked=0 length=2\n"
          "fields [Host=h] [Content-Length=000000000000000000002]\nDATA ab\nEND\n");
    check("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775808\r\n\r\n",
          "FAIL 400 Bad Request (bad Content-Length)\n");
    check("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\na",
          "FAIL 400 Bad Request (bad Content-Length)\n");
    check("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n",
          "FAIL 400 Bad Request (bad Content-Length)\n");
    check("POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
          "FAIL 501 Not Implemented (unsupported transfer encoding)\n");
    check("POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
          "chunked\r\n\r\n",
          "FAIL 501 Not Implemented (unsupported transfer encoding)\n");
    /* RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing */
    check("POST /p HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
          "0\r\n\r\nGET /smuggled HTTP/1.0\r\n\r\n",
          "FAIL 400 Bad Request (Transfer-Encoding in an HTTP/1.0 request)\n");
}

static void test_heads(void **state)
{
    (void)state;
    /* HTTP/1.0 keep-alive rules, a later 1.x read as 1.1, other majors refused */
    check("GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
          "HEAD method=GET target=/a form=origin path=/a 1.0 keep=1 chunked=0 length=0\n"
          "fields [Connection=Keep-Alive]\nEND\n");
    check("GET /a HTTP/1.0\r\n\r\n", "HEAD method=GET target=/a form=origin path=/a 1.0 keep=0 "
                                     "chunked=0 length=0\nfields\nEND\n");
    check("GET /a HTTP/1.7\r\nHost: h\r\nConnection: x, close\r\n\r\n",
          GET_HEAD("/a") " 1.1 keep=0 chunked=0 length=0\nfields [Host=h] [Connection=x, "
                         "close]\nEND\n");
    check("GET /a HTTP/2.0\r\nHost: h\r\n\r\n",
          "FAIL 505 HTTP Version Not Supported: unsupported protocol version (unsupported "
          "protocol version)\n");
    check("GET /a HTTP/1.1 x\r\nHost: h\r\n\r\n",
          "FAIL 400 Bad Request (malformed HTTP version)\n");
    check("G@T /a HTTP/1.1\r\nHost: h\r\n\r\n", "FAIL 400 Bad Request (malformed HTTP request)\n");
    check("GET  /a HTTP/1.1\r\nHost: h\r\n\r\n", "FAIL 400 Bad Request (malformed HTTP request)\n");
    check("GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n",
          "FAIL 400 Bad Request (malformed HTTP request)\n");
    /* Host */
    check("GET /a HTTP/1.1\r\n\r\n",
          "FAIL 400 Bad Request: missing required Host header (missing required Host header)\n");
    check("GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
          "FAIL 400 Bad Request: too many Host headers (too many Host headers)\n");
    check("GET /a HTTP/1.1\r\nHost: a b\r\n\r\n",
          "FAIL 400 Bad Request: malformed Host header (malformed Host header)\n");
    /* field syntax: folding, space before the colon, control bytes, an empty name */
    check("GET /a HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n",
          "FAIL 400 Bad Request (malformed MIME header line: obsolete line folding)\n");
    check("GET /a HTTP/1.1\r\n Host: h\r\n\r\n",
          "FAIL 400 Bad Request (malformed MIME header initial line)\n");
    check("GET /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n",
          "FAIL 400 Bad Request (malformed MIME header line)\n");
    check("GET /a HTTP/1.1\r\nHost: x\ry\r\n\r\n",
          "FAIL 400 Bad Request (malformed MIME header line)\n");
    check("GET /a HTTP/1.1\r\nHost: h\r\nX-B\rSet-Cookie: 1\r\n\r\n",
          "FAIL 400 Bad Request (malformed MIME header line)\n");
    check("GET /a HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n",
          "FAIL 400 Bad Request (malformed MIME header line)\n");
    check("GET /a HTTP/1.1\r\nHost: h\r\nX-A: a\x7f\r\n\r\n",
          "FAIL 400 Bad Request (malformed MIME header line)\n");
    check("GET /a HTTP/1.1\r\nHost: h\r\nX-A: tab\there \xc3\xa9\r\n\r\n",
          GET_HEAD("/a") " 1.1 keep=1 chunked=0 length=0\nfields [Host=h] [X-A=tab\there "
                         "\xc3\xa9]\nEND\n");
}

static void test_targets_and_expect(void **state)
{
    (void)state;
    check("GET http://example.com:81/a/b?c=d HTTP/1.1\r\nHost: other\r\n\r\n",
          "HEAD method=GET target=http://example.com:81/a/b?c=d form=absolute path=/a/b "
          "query=c=d authority=example.com:81 host=other 1.1 keep=1 chunked=0 length=0\n"
          "fields [Host=other]\nEND\n");
    check("GET http://example.com HTTP/1.1\r\nHost: h\r\n\r\n",
          "HEAD method=GET target=http://example.com form=absolute path= authority=example.com "
          "host=h 1.1 keep=1 chunked=0 length=0\nfields [Host=h]\nEND\n");
    check("GET http://u@example.com/ HTTP/1.1\r\nHost: h\r\n\r\n",
          "FAIL 400 Bad Request (malformed HTTP request)\n");
    check("GET example.com:80 HTTP/1.1\r\nHost: h\r\n\r\n",
          "FAIL 400 Bad Request (malformed HTTP request)\n");
    check("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
          "HEAD method=OPTIONS target=* form=asterisk path=* host=h 1.1 keep=1 chunked=0 "
          "length=0\nfields [Host=h]\nEND\n");
    /* Go's hasToken: 100-continue anywhere in the list */
    check("POST /p HTTP/1.1\r\nHost: h\r\nExpect: 100-continue, foo\r\nContent-Length: 1\r\n\r\n"
          "a",
          "HEAD method=POST target=/p form=origin path=/p host=h 1.1 keep=1 chunked=0 length=1 "
          "continue\nfields [Host=h] [Expect=100-continue, foo] [Content-Length=1]\nDATA a\n"
          "END\n");
    check("POST /p HTTP/1.1\r\nHost: h\r\nExpect: foo\r\nContent-Length: 1\r\n\r\na",
          "HEAD method=POST target=/p form=origin path=/p host=h 1.1 keep=0 chunked=0 length=1 "
          "expect-failed\nfields [Host=h] [Expect=foo] [Content-Length=1]\nDATA a\nEND\n");
}

static void test_head_limits(void **state)
{
    struct cmn_buf in;
    char *t;

    (void)state;
    cmn_buf_init(&in, 1 << 20);
    /* a head of exactly the cap is read; one byte more is a 431 */
    cmn_buf_append_str(&in, "GET /a HTTP/1.1\r\nHost: h\r\nX-Pad: ");
    while (in.len < 4096 - 4)
        cmn_buf_append(&in, "p", 1);
    cmn_buf_append_str(&in, "\r\n\r\n");
    assert_int_equal(in.len, 4096);
    t = transcript(in.data, in.len, 0, 4096, 32);
    assert_non_null(strstr(t, "END\n"));
    free(t);
    t = transcript(in.data, in.len, 0, 4095, 32);
    assert_string_equal(t, "FAIL 431 Request Header Fields Too Large ()\n");
    free(t);
    /* an endless head is refused once past the cap, whatever the split */
    cmn_buf_reset(&in);
    cmn_buf_append_str(&in, "GET /a HTTP/1.1\r\nHost: h\r\nX-Pad: ");
    while (in.len < 9000)
        cmn_buf_append(&in, "p", 1);
    for (size_t piece = 0; piece < 3; piece++) {
        t = transcript(in.data, in.len, piece * 1000, 4096, 32);
        assert_string_equal(t, "FAIL 431 Request Header Fields Too Large ()\n");
        free(t);
    }
    /* the caller's field table full: 431 */
    t = transcript("GET /a HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", 41, 0, 4096, 2);
    assert_string_equal(t, "FAIL 431 Request Header Fields Too Large (too many header fields)\n");
    free(t);
    cmn_buf_free(&in);
}

/* ---- responses ----------------------------------------------------------------------------- */

static char *response(const char *head, bool head_request, struct cmn_h1_response *rs)
{
    struct cmn_buf t;
    struct fields f = {&t, 0, 64};
    char *buf = strdup(head);
    struct cmn_h1_verdict v;

    cmn_buf_init(&t, 1 << 16);
    v = cmn_h1_parse_response(buf, strlen(buf), head_request, rs, on_field, &f);
    if (v.error)
        cmn_buf_printf(&t, " ERROR %d %s", v.error, v.why);
    free(buf);
    return cmn_buf_take(&t, NULL);
}

static void test_responses(void **state)
{
    struct cmn_h1_response rs;
    char *t;

    (void)state;
    t = response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Encoding: gzip\r\n\r\n", false,
                 &rs);
    assert_string_equal(t, " [Content-Length=3] [Content-Encoding=gzip]");
    assert_true(rs.has_length && rs.length == 3 && rs.keep_alive && rs.gzip && !rs.chunked);
    free(t);
    /* obsolete folding is unfolded as Go's textproto does */
    t = response("HTTP/1.1 200 OK\r\nX-F: a  \r\n \t b \r\n\tc\r\nX-E:\r\n  d\r\n\r\n", false, &rs);
    assert_string_equal(t, " [X-F=a b c] [X-E=d]");
    assert_false(rs.keep_alive); /* no length: the body runs to the close */
    free(t);
    /* Go's transport refuses what a proxy must not pass on (RFC 9112 §5.1) */
    t = response("HTTP/1.1 200 OK\r\nTransfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\n",
                 false, &rs);
    assert_non_null(strstr(t, "ERROR 1 malformed MIME header line"));
    free(t);
    t = response("HTTP/1.1 200 OK\r\nX-B\rSet-Cookie: a=b\r\n\r\n", false, &rs);
    assert_non_null(strstr(t, "ERROR 1 malformed MIME header line"));
    free(t);
    t = response("HTTP/1.1 200 OK\r\nX-B: a\x01z\r\n\r\n", false, &rs);
    assert_non_null(strstr(t, "ERROR 1 malformed MIME header line"));
    free(t);
    t = response("HTTP/1.1 200 OK\r\nno colon\r\n\r\n", false, &rs);
    assert_non_null(strstr(t, "ERROR 1 malformed MIME header line"));
    free(t);
    t = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", false, &rs);
    assert_non_null(strstr(t, "ERROR 5 unsupported transfer encoding"));
    free(t);
    t = response("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false, &rs);
    assert_non_null(strstr(t, "ERROR 1 message cannot contain multiple Content-Length"));
    free(t);
    /* Transfer-Encoding is not read on HTTP/1.0 answers */
    t = response("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n",
                 false, &rs);
    assert_true(!rs.chunked && rs.has_length && rs.length == 2 && !rs.keep_alive);
    free(t);
    t = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n",
                 false, &rs);
    assert_true(rs.chunked && !rs.has_length && !rs.keep_alive);
    free(t);
    /* no body: HEAD, 204, 304, 1xx */
    t = response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true, &rs);
    assert_true(rs.no_body && rs.keep_alive);
    free(t);
    t = response("HTTP/1.1 100 Continue\r\n\r\n", false, &rs);
    assert_true(rs.interim && rs.no_body);
    free(t);
    t = response("HTTP/1.1 101 Switching Protocols\r\n\r\n", false, &rs);
    assert_true(!rs.interim && rs.no_body && !rs.keep_alive);
    free(t);
    t = response("HTTP/1.1 2000 OK\r\n\r\n", false, &rs);
    assert_non_null(strstr(t, "ERROR 1 malformed HTTP response"));
    free(t);
}

/* ---- the field rule ------------------------------------------------------------------------ */

static void test_field_rule(void **state)
{
    char v[64];

    (void)state;
    assert_true(cmn_http_field_name_ok_str("X-User"));
    assert_false(cmn_http_field_name_ok_str(""));
    assert_false(cmn_http_field_name_ok_str("X User"));
    assert_false(cmn_http_field_name_ok_str("X-B\rSet-Cookie"));
    assert_false(cmn_http_field_name_ok_str("X:Y"));
    /* every position of a long value, each forbidden byte */
    for (int bad = 0; bad < 0x80; bad++) {
        bool allowed = bad == '\t' || (bad >= 0x20 && bad != 0x7f);
        for (size_t pos = 0; pos < sizeof(v); pos++) {
            memset(v, 'a', sizeof(v));
            v[pos] = (char)bad;
            assert_int_equal(cmn_http_field_value_ok(v, sizeof(v)), allowed);
        }
    }
    memset(v, 0xc3, sizeof(v)); /* obs-text */
    assert_true(cmn_http_field_value_ok(v, sizeof(v)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_and_pipelined),
        cmocka_unit_test(test_chunked_bodies),
        cmocka_unit_test(test_chunked_refusals),
        cmocka_unit_test(test_chunked_caps),
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_heads),
        cmocka_unit_test(test_targets_and_expect),
        cmocka_unit_test(test_head_limits),
        cmocka_unit_test(test_responses),
        cmocka_unit_test(test_field_rule),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
