/* gw_h1_parse.c - HTTP/1.1 response reading for the backend client (RFC 9112), on cmn_h1. */
#include "gw_h1_parse.h"
#include "cmn_go_header.h"

#include <string.h>

#define MAX_NAME 256 /* longer field names are checked but not kept (Go keeps them) */

enum {
    P_HEAD,        /* status line and fields, gathered in p->line */
    P_LENGTH,      /* Content-Length body */
    P_CHUNKED,     /* chunked body, decoded by cmn_h1 */
    P_UNTIL_CLOSE, /* no framing: the body ends when the connection does */
    P_DONE,
    P_ERROR,
};

void gw_h1_parser_init(struct gw_h1_parser *p, bool head_request, struct gw_hdrs *headers,
                       struct cmn_buf *body)
{
    memset(p, 0, sizeof(*p));
    p->state = P_HEAD;
    p->head_request = head_request;
    p->headers = headers;
    p->body = body;
    cmn_buf_init(&p->line, GW_H1_MAX_HEAD);
}

void gw_h1_parser_free(struct gw_h1_parser *p)
{
    if (p)
        cmn_buf_free(&p->line);
}

bool gw_h1_parser_started(const struct gw_h1_parser *p)
{
    return p->began;
}

static enum gw_h1_pstatus fail(struct gw_h1_parser *p, const char *why)
{
    p->state = P_ERROR;
    p->error = why;
    return GW_H1_ERROR;
}

/* Each field as the proxy keeps it: canonical name; past the list's cap it is dropped (the
 * framing fields were read by cmn_h1 all the same). */
static bool add_field(void *ctx, const char *name, size_t nl, const char *value, size_t vl)
{
    struct gw_h1_parser *p = ctx;
    char raw[MAX_NAME], canon[MAX_NAME];

    if (nl >= sizeof(raw) || p->headers->n >= p->headers->max)
        return true;
    memcpy(raw, name, nl);
    raw[nl] = '\0';
    cmn_go_canonical_header(raw, canon, sizeof(canon));
    if (!gw_hdrs_add_n(p->headers, canon, nl, value, vl))
        p->error = "out of memory";
    return true;
}

/* The gathered head (p->line, n bytes up to and including the empty line): its verdict and
 * the body framing. */
static enum gw_h1_pstatus parse_head(struct gw_h1_parser *p, size_t n)
{
    struct cmn_h1_response rs;
    struct cmn_h1_verdict v;

    p->error = NULL;
    v = cmn_h1_parse_response(p->line.data, n, p->head_request, &rs, add_field, p);
    if (v.error)
        return fail(p, v.why);
    if (p->error)
        return fail(p, p->error);
    if (rs.interim) { /* an interim answer: the real one follows */
        size_t max = p->headers->max;
        if (++p->interim > CMN_H1_MAX_INTERIM)
            return fail(p, "net/http: too many 1xx informational responses");
        if (rs.status == 100)
            p->continued = true;
        gw_hdrs_free(p->headers);
        gw_hdrs_init(p->headers, max);
        return GW_H1_MORE;
    }
    p->status = rs.status;
    p->keep_alive = rs.keep_alive;
    p->gzip = rs.gzip;
    if (rs.no_body) {
        p->state = P_DONE;
        return GW_H1_DONE;
    }
    if (rs.chunked) {
        cmn_h1_chunked_init(&p->ch);
        p->state = P_CHUNKED;
        return GW_H1_MORE;
    }
    if (rs.has_length) {
        p->remaining = rs.length;
        p->state = rs.length ? P_LENGTH : P_DONE;
        return rs.length ? GW_H1_MORE : GW_H1_DONE;
    }
    p->state = P_UNTIL_CLOSE;
    return GW_H1_MORE;
}

/* Gathers head bytes; on the empty line, parses the head. */
static enum gw_h1_pstatus head_bytes(struct gw_h1_parser *p, const char *d, size_t n, size_t *used)
{
    size_t old = p->line.len, room = GW_H1_MAX_HEAD - old, take = n < room ? n : room, end;
    size_t skip = 0;
    char *s;

    if (take == 0)
        return fail(p, "response header section too large");
    if (cmn_buf_append(&p->line, d, take) != CMN_BUF_OK)
        return fail(p, "out of memory");
    /* empty lines before a status line are skipped (RFC 9112 §2.2); only a lone CR at the
     * end of what came so far can be the start of one still */
    s = p->line.data;
    while (skip < p->line.len &&
           (s[skip] == '\n' || (s[skip] == '\r' && skip + 1 < p->line.len && s[skip + 1] == '\n')))
        skip += s[skip] == '\n' ? 1 : 2;
    if (skip) {
        memmove(s, s + skip, p->line.len - skip);
        p->line.len -= skip;
        s[p->line.len] = '\0';
        p->scanned = 0;
    }
    end = p->line.len ? cmn_h1_head_end(s, p->line.len, &p->scanned) : 0;
    if (!end) {
        *used = take;
        return take < n ? fail(p, "response header section too large") : GW_H1_MORE;
    }
    enum gw_h1_pstatus st = parse_head(p, end);
    *used = skip + end - old;
    cmn_buf_reset(&p->line);
    p->scanned = 0;
    return st;
}

static enum gw_h1_pstatus body_bytes(struct gw_h1_parser *p, const char *d, size_t n)
{
    enum cmn_buf_status st = cmn_buf_append(p->body, d, n);

    if (st == CMN_BUF_TOO_BIG) {
        p->state = P_ERROR;
        p->error = "response body too large";
        return GW_H1_TOO_BIG;
    }
    return st == CMN_BUF_OK ? GW_H1_MORE : fail(p, "out of memory");
}

static enum gw_h1_pstatus chunked_bytes(struct gw_h1_parser *p, const char *d, size_t n,
                                        size_t *used)
{
    const char *data = NULL, *why = NULL;
    size_t dl = 0;

    switch (cmn_h1_chunked_feed(&p->ch, d, n, used, &data, &dl, &why)) {
    case CMN_H1_CHUNK_DATA:
        return body_bytes(p, data, dl);
    case CMN_H1_CHUNK_DONE:
        p->state = P_DONE;
        return GW_H1_DONE;
    case CMN_H1_CHUNK_MORE:
        return GW_H1_MORE;
    default:
        return fail(p, why);
    }
}

enum gw_h1_pstatus gw_h1_parse(struct gw_h1_parser *p, const char *data, size_t n, size_t *used)
{
    size_t off = 0;

    if (n > 0)
        p->began = true;
    while (off < n) {
        const char *d = data + off;
        size_t left = n - off, k = 0, take;
        enum gw_h1_pstatus st = GW_H1_MORE;

        switch (p->state) {
        case P_HEAD:
            st = head_bytes(p, d, left, &k);
            break;
        case P_LENGTH:
            take = left < p->remaining ? left : (size_t)p->remaining;
            st = body_bytes(p, d, take);
            k = take;
            p->remaining -= take;
            if (st == GW_H1_MORE && p->remaining == 0) {
                p->state = P_DONE;
                st = GW_H1_DONE;
            }
            break;
        case P_CHUNKED:
            st = chunked_bytes(p, d, left, &k);
            break;
        case P_UNTIL_CLOSE:
            st = body_bytes(p, d, left);
            k = left;
            break;
        case P_DONE:
            *used = off;
            return GW_H1_DONE;
        default:
            *used = off;
            return GW_H1_ERROR;
        }
        off += k;
        if (st != GW_H1_MORE) {
            *used = off;
            return st;
        }
    }
    *used = off;
    return p->state == P_DONE ? GW_H1_DONE : GW_H1_MORE;
}

enum gw_h1_pstatus gw_h1_parse_eof(struct gw_h1_parser *p)
{
    if (p->state == P_UNTIL_CLOSE) {
        p->state = P_DONE;
        return GW_H1_DONE;
    }
    if (p->state == P_DONE)
        return GW_H1_DONE;
    if (p->state == P_ERROR)
        return GW_H1_ERROR;
    return fail(p, gw_h1_parser_started(p) ? "unexpected EOF" : "EOF");
}
