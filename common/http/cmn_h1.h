/* cmn_h1.h - HTTP/1.1 message syntax and framing without IO (RFC 9112), one parser for both
 * directions as nginx keeps one ngx_http_parse.c: the server reads requests with the request
 * reader, the backend client reads responses with the head parser and the chunked decoder.
 *
 * Bytes in, verdicts out: nothing here reads a socket or a clock. The rules follow Go's
 * net/http, which KrakenD serves and calls with, and are stricter where Go's leniency lets two
 * parsers read one byte stream two ways (request smuggling, RFC 9112 §11.2): bare LF in chunked
 * framing, chunk extensions and trailers without bounds, Transfer-Encoding in HTTP/1.0. */
#ifndef CMN_H1_H
#define CMN_H1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits Go applies (net/http/internal/chunked.go, transfer.go), and ours where Go has none. */
#define CMN_H1_MAX_CHUNK_LINE 4096    /* a chunk-size line with its extensions, CRLF excluded */
#define CMN_H1_MAX_TRAILER 4096       /* the whole trailer section */
#define CMN_H1_MAX_EXCESS (16 * 1024) /* chunk framing beyond 16 B + 2 x data per chunk */
#define CMN_H1_MAX_INTERIM 5          /* 1xx answers before the final one (Go's transport) */

/* Bytes [off, off + len) of the buffer a head was parsed from. */
struct cmn_h1_span {
    size_t off, len;
};

/* Receives each field of a head, name and value (OWS trimmed) pointing into the parsed buffer.
 * Returning false stops the parse with CMN_H1_TOO_MANY (the caller's field table is full). */
typedef bool (*cmn_h1_field_fn)(void *ctx, const char *name, size_t name_len, const char *value,
                                size_t value_len);

/* Why a message is refused, with the answer Go's server gives for it (a request) or the error
 * text Go's transport reports (a response). */
enum cmn_h1_error {
    CMN_H1_OK = 0,
    CMN_H1_BAD,       /* malformed: 400 */
    CMN_H1_BAD_HOST,  /* Host missing, repeated or malformed: 400 with Go's reason */
    CMN_H1_VERSION,   /* not HTTP/1.x: 505 */
    CMN_H1_TOO_LARGE, /* the head passed its cap, or too many fields: 431 */
    CMN_H1_TE,        /* Transfer-Encoding other than one "chunked": 501 */
};

struct cmn_h1_verdict {
    enum cmn_h1_error error;
    const char *why; /* static text: Go's reason or error message */
};

/* ---- heads ------------------------------------------------------------------------------- */

/* Where the head that starts at buf[0] ends (after its empty line: "\n\n" or "\n\r\n"), or 0
 * while it is incomplete. *scan keeps the search position between calls with a growing buffer
 * (start it at 0). */
size_t cmn_h1_head_end(const char *buf, size_t len, size_t *scan);

enum cmn_h1_form {
    CMN_H1_ORIGIN,   /* "/path?query" */
    CMN_H1_ABSOLUTE, /* "http://authority/path?query": the authority replaces Host */
    CMN_H1_ASTERISK, /* "*" */
};

/* A request head and how its body is framed. Spans are relative to the parsed buffer. */
struct cmn_h1_request {
    struct cmn_h1_span method, target, version;
    enum cmn_h1_form form;
    struct cmn_h1_span path, query; /* of the target; path is empty for "http://host" */
    bool has_query;                 /* a '?' was present */
    struct cmn_h1_span authority;   /* CMN_H1_ABSOLUTE: the URL's host[:port] */
    struct cmn_h1_span host;        /* the Host field (has_host) */
    bool has_host;
    unsigned minor; /* HTTP/1.0 -> 0; 1.1 and later 1.x -> 1 */
    bool head_method;
    bool chunked;
    uint64_t length;      /* Content-Length, 0 when chunked or absent */
    bool has_body;        /* chunked, or a length above 0 */
    bool keep_alive;      /* another request may follow on this connection */
    bool expect_continue; /* "Expect: 100-continue" on an HTTP/1.1 request with a body */
    bool expect_failed;   /* another expectation: answer 417 and close */
};


/* A response head and how its body is framed. */
struct cmn_h1_response {
    unsigned status;
    unsigned minor;
    bool interim;    /* 1xx but 101: another head follows */
    bool no_body;    /* HEAD request, 1xx, 204, 304 */
    bool chunked;    /* Transfer-Encoding: chunked */
    bool has_length; /* else (and not chunked) the body runs until the connection closes */
    uint64_t length;
    bool keep_alive; /* the connection may carry another request afterwards */
    bool gzip;       /* Content-Encoding: gzip */
};

/* Parses the response head buf[0, len) (mutable: obsolete line folding is unfolded in place,
 * as Go's textproto does) into *rs; head_request: the request was HEAD. Refusals are Go's
 * transport errors: invalid field names or values, missing colons, a Transfer-Encoding other
 * than chunked, a bad or conflicting Content-Length (why says which). */
struct cmn_h1_verdict cmn_h1_parse_response(char *buf, size_t len, bool head_request,
                                            struct cmn_h1_response *rs, cmn_h1_field_fn on_field,
                                            void *ctx);

/* ---- chunked bodies ---------------------------------------------------------------------- */

/* A chunked-body decoder: any split of the input gives the same result. */
struct cmn_h1_chunked {
    uint8_t st;
    uint8_t digits;
    uint64_t size;  /* the current chunk's size, then its data bytes still to come */
    int64_t excess; /* framing bytes beyond the allowance (Go's chunkedReader.excess) */
    size_t line;    /* bytes of the current chunk-size line */
    size_t trailer; /* bytes of the trailer section */
};

enum cmn_h1_chunk_status {
    CMN_H1_CHUNK_MORE,  /* all input consumed, more needed */
    CMN_H1_CHUNK_DATA,  /* *data, *data_len: body bytes inside the input (consumed) */
    CMN_H1_CHUNK_DONE,  /* the last chunk and the trailer section are read */
    CMN_H1_CHUNK_ERROR, /* malformed: *why */
};

void cmn_h1_chunked_init(struct cmn_h1_chunked *c);
/* Decodes in[0, n); *used: bytes consumed. Returns at the first body span, at the end, or at an
 * error; call again with the rest. */
enum cmn_h1_chunk_status cmn_h1_chunked_feed(struct cmn_h1_chunked *c, const char *in, size_t n,
                                             size_t *used, const char **data, size_t *data_len,
                                             const char **why);

/* ---- the request reader ------------------------------------------------------------------ */

/* A connection's request stream: heads, bodies, pipelined requests, split anywhere. */
struct cmn_h1_reader {
    size_t max_head; /* a head over this is refused with 431 */
    uint8_t st;
    size_t scan;
    uint64_t left;
    struct cmn_h1_chunked ch;
};

enum cmn_h1_event {
    CMN_H1_MORE, /* everything usable was consumed: come back with more bytes */
    CMN_H1_HEAD, /* out->req: a request head (spans relative to buf) */
    CMN_H1_DATA, /* out->data: body bytes (inside buf) */
    CMN_H1_END,  /* the request is complete; the next call starts the next one */
    CMN_H1_FAIL, /* out->fail: refuse and close; the reader is spent */
};

struct cmn_h1_out {
    struct cmn_h1_request req;
    const char *data;
    size_t data_len;
    struct cmn_h1_verdict fail;
};

void cmn_h1_reader_init(struct cmn_h1_reader *r, size_t max_head);
/* Reads from buf[0, len); *used: bytes consumed (a head is consumed whole with its HEAD event,
 * so the caller keeps the bytes of an incomplete head and calls again with more). */
enum cmn_h1_event cmn_h1_read(struct cmn_h1_reader *r, const char *buf, size_t len, size_t *used,
                              cmn_h1_field_fn on_field, void *ctx, struct cmn_h1_out *out);
/* The reader is between requests: no byte of the next one was consumed yet. */
bool cmn_h1_reader_idle(const struct cmn_h1_reader *r);

/* The raw answer Go's server writes for a refused request ("HTTP/1.1 400 Bad Request\r\n...",
 * no Date, Connection: close) into out (room for 256 bytes); its length. */
size_t cmn_h1_answer(struct cmn_h1_verdict v, char *out, size_t size);

/* Does the comma-separated list s[0, n) hold token tok (ASCII case-insensitive)? */
bool cmn_h1_has_token(const char *s, size_t n, const char *tok);

#endif
