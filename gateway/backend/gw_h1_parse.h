/* gw_h1_parse.h - an HTTP/1.1 response reader for the backend client: bytes in, status, headers
 * and body out, in any split (RFC 9112 §4-§7). The head and the chunked framing are read by
 * cmn_h1, the parser the server reads requests with, under Go's transport rules: a response
 * Go would refuse (invalid field names or values, Transfer-Encoding other than chunked, bare
 * LF in chunked framing, more than five 1xx answers) fails here too. No IO; every size is
 * capped. */
#ifndef GW_H1_PARSE_H
#define GW_H1_PARSE_H

#include "cmn_buf.h"
#include "cmn_h1.h"
#include "gw_hdrs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_H1_MAX_HEAD (100u * 1024) /* status line + fields, as libcurl's CURL_MAX_HTTP_HEADER */

enum gw_h1_pstatus {
    GW_H1_MORE,    /* give it more bytes (or gw_h1_parse_eof) */
    GW_H1_DONE,    /* the response is complete */
    GW_H1_ERROR,   /* malformed response: see p->error */
    GW_H1_TOO_BIG, /* the body passed the body buffer's cap */
};

struct gw_h1_parser {
    int state;
    bool head_request;  /* answer to HEAD: no body whatever the fields say */
    long status;        /* final status, once the head is parsed */
    bool keep_alive;    /* the connection may carry another request afterwards */
    bool gzip;          /* Content-Encoding: gzip */
    bool began;         /* a byte arrived (an interim answer's count: they leave no other trace) */
    uint64_t remaining; /* body bytes (Content-Length) still to come */
    unsigned interim;   /* 1xx answers skipped so far */
    bool continued;     /* one of them was a 100 Continue */
    struct cmn_h1_chunked ch;
    struct cmn_buf line;     /* the head being gathered */
    size_t scanned;          /* bytes of line already searched for the end of the head */
    struct gw_hdrs *headers; /* receives the fields (canonical names), borrowed */
    struct cmn_buf *body;    /* receives the body, borrowed; its cap is the body cap */
    const char *error;       /* static text, for GW_H1_ERROR */
};

/* Prepares p to read one response into headers and body (both borrowed, already initialised;
 * headers are cleared when an interim 1xx answer is skipped). */
void gw_h1_parser_init(struct gw_h1_parser *p, bool head_request, struct gw_hdrs *headers,
                       struct cmn_buf *body);
void gw_h1_parser_free(struct gw_h1_parser *p);

/* Feeds n bytes; *used receives how many were consumed (bytes after a complete response are
 * left: the server sent more than one answer). */
enum gw_h1_pstatus gw_h1_parse(struct gw_h1_parser *p, const char *data, size_t n, size_t *used);

/* The peer closed the connection: DONE if the response was delimited by the close, else ERROR. */
enum gw_h1_pstatus gw_h1_parse_eof(struct gw_h1_parser *p);

/* True once any byte of the response (or of an interim answer) was seen. */
bool gw_h1_parser_started(const struct gw_h1_parser *p);

#endif
