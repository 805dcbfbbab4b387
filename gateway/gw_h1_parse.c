/* gw_h1_parse.c - HTTP/1.1 response parsing for the backend client (RFC 9112). */
#include "gw_h1_parse.h"

#include "cmn_str.h"

#include <string.h>
#include <strings.h>

#define MAX_CHUNK_LINE 4096 /* a chunk-size line with its extensions, or one trailer field */
#define MAX_CHUNK_SIZE ((uint64_t)1 << 60)

enum {
    P_HEAD,        /* status line and fields, gathered in p->line */
    P_LENGTH,      /* Content-Length body */
    P_CHUNK_SIZE,  /* a chunk-size line */
    P_CHUNK_DATA,  /* chunk bytes */
    P_CHUNK_CRLF,  /* the CRLF after a chunk */
    P_TRAILER,     /* trailer fields, up to an empty line */
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

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* "HTTP/1.x NNN[ reason]": the status, or -1. Sets keep_alive from the version. */
static long status_line(struct gw_h1_parser *p, const char *s, size_t n)
{
    long st;

    if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') || s[8] != ' ')
        return -1;
    if (s[9] < '1' || s[9] > '9' || s[10] < '0' || s[10] > '9' || s[11] < '0' || s[11] > '9')
        return -1;
    if (n > 12 && s[12] != ' ')
        return -1;
    st = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    p->keep_alive = s[7] == '1';
    return st;
}

/* Does the comma-separated list s (n bytes) hold token tok (case-insensitive)? */
static bool list_has(const char *s, size_t n, const char *tok)
{
    size_t tl = strlen(tok);

    for (size_t i = 0; i < n;) {
        size_t b, e;
        while (i < n && (is_ows(s[i]) || s[i] == ','))
            i++;
        b = i;
        while (i < n && s[i] != ',')
            i++;
        e = i;
        while (e > b && is_ows(s[e - 1]))
            e--;
        if (e - b == tl && strncasecmp(s + b, tok, tl) == 0)
            return true;
    }
    return false;
}

/* The last coding of a Transfer-Encoding list is chunked. */
static bool last_is_chunked(const char *s, size_t n)
{
    size_t e = n, b;

    while (e > 0 && (is_ows(s[e - 1]) || s[e - 1] == ','))
        e--;
    b = e;
    while (b > 0 && s[b - 1] != ',' && !is_ows(s[b - 1]))
        b--;
    return e - b == 7 && strncasecmp(s + b, "chunked", 7) == 0;
}

/* Parses the gathered head (p->line, n bytes up to and including the empty line) and picks
 * the body framing. */
static enum gw_h1_pstatus parse_head(struct gw_h1_parser *p, size_t n)
{
    char *s = p->line.data, *end = s + n, *eol;
    bool chunked = false, te = false, have_len = false;
    uint64_t len = 0;
    long st;

    eol = memchr(s, '\n', n);
    st = status_line(p, s, (size_t)(eol - s) - (eol > s && eol[-1] == '\r'));
    if (st < 0)
        return fail(p, "malformed HTTP response");
    for (s = eol + 1; s < end; s = eol + 1) {
        size_t ln, nl, vs;
        char *colon, name[256], canon[256];
        eol = memchr(s, '\n', (size_t)(end - s));
        ln = (size_t)(eol - s);
        if (ln > 0 && s[ln - 1] == '\r')
            ln--;
        if (ln == 0)
            break;
        colon = memchr(s, ':', ln);
        if (is_ows(s[0]) || !colon) /* obsolete line folding or no field: skipped */
            continue;
        nl = (size_t)(colon - s);
        if (nl == 0 || nl >= sizeof(name))
            continue;
        memcpy(name, s, nl);
        name[nl] = '\0';
        vs = nl + 1;
        while (vs < ln && is_ows(s[vs]))
            vs++;
        while (ln > vs && is_ows(s[ln - 1]))
            ln--;
        /* canonical form first: then the names that matter compare exactly */
        gw_canonical_header(name, canon, sizeof(canon));
        if (nl == 17 && memcmp(canon, "Transfer-Encoding", 17) == 0) {
            te = true;
            chunked = last_is_chunked(s + vs, ln - vs);
        } else if (nl == 14 && memcmp(canon, "Content-Length", 14) == 0) {
            uint64_t v;
            if (!cmn_str_parse_digits(s + vs, ln - vs, 18, &v) || (have_len && v != len))
                return fail(p, "invalid Content-Length in the response");
            have_len = true;
            len = v;
        } else if (nl == 10 && memcmp(canon, "Connection", 10) == 0) {
            if (list_has(s + vs, ln - vs, "close"))
                p->keep_alive = false;
        } else if (nl == 16 && memcmp(canon, "Content-Encoding", 16) == 0) {
            p->gzip = ln - vs == 4 && strncasecmp(s + vs, "gzip", 4) == 0;
        }
        s[ln] = '\0'; /* the value ends here: the '\r' or '\n' is overwritten */
        if (!gw_hdrs_add(p->headers, canon, s + vs) && p->headers->n < p->headers->max)
            return fail(p, "out of memory");
    }
    if (st >= 100 && st < 200 && st != 101) { /* interim answer: the real one follows */
        size_t max = p->headers->max;
        gw_hdrs_free(p->headers);
        gw_hdrs_init(p->headers, max);
        p->gzip = false;
        return GW_H1_MORE;
    }
    p->status = st;
    if (p->head_request || st == 204 || st == 304 || st < 200) {
        p->keep_alive = p->keep_alive && st != 101;
        p->state = P_DONE;
        return GW_H1_DONE;
    }
    if (te) {
        if (have_len)
            p->keep_alive = false; /* RFC 9112 §6.3: both present, close afterwards */
        p->state = chunked ? P_CHUNK_SIZE : P_UNTIL_CLOSE;
        if (!chunked)
            p->keep_alive = false;
        return GW_H1_MORE;
    }
    if (have_len) {
        p->remaining = len;
        p->state = len ? P_LENGTH : P_DONE;
        return len ? GW_H1_MORE : GW_H1_DONE;
    }
    p->keep_alive = false;
    p->state = P_UNTIL_CLOSE;
    return GW_H1_MORE;
}

/* Gathers head bytes; on the empty line, parses the head. */
static enum gw_h1_pstatus head_bytes(struct gw_h1_parser *p, const char *d, size_t n, size_t *used)
{
    size_t old = p->line.len, room = GW_H1_MAX_HEAD - old, take = n < room ? n : room;
    size_t from = p->scanned;
    const char *s;

    if (take == 0)
        return fail(p, "response header section too large");
    if (cmn_buf_append(&p->line, d, take) != CMN_BUF_OK)
        return fail(p, "out of memory");
    s = p->line.data;
    for (const char *lf = s + from; (lf = memchr(lf, '\n', p->line.len - (size_t)(lf - s))); lf++) {
        size_t i = (size_t)(lf - s), end;
        enum gw_h1_pstatus st;
        /* skip empty lines before the status line (RFC 9112 §2.2) */
        if (i == 0 || (i == 1 && s[0] == '\r')) {
            *used = i + 1 - old;
            cmn_buf_reset(&p->line);
            p->scanned = 0;
            return GW_H1_MORE;
        }
        if (!(s[i - 1] == '\n' || (i >= 2 && s[i - 1] == '\r' && s[i - 2] == '\n')))
            continue;
        end = i + 1;
        *used = end - old;
        st = parse_head(p, end);
        cmn_buf_reset(&p->line);
        p->scanned = 0;
        return st;
    }
    p->scanned = p->line.len;
    *used = take;
    return take < n ? fail(p, "response header section too large") : GW_H1_MORE;
}

/* Gathers one line (chunk size or trailer) in p->line; true when complete (p->line holds it
 * without CRLF). */
static bool line_bytes(struct gw_h1_parser *p, const char *d, size_t n, size_t *used, bool *err)
{
    const char *nl = memchr(d, '\n', n);
    size_t take = nl ? (size_t)(nl - d) + 1 : n;

    *err = false;
    if (p->line.len + take > MAX_CHUNK_LINE || cmn_buf_append(&p->line, d, take) != CMN_BUF_OK) {
        *err = true;
        return false;
    }
    *used = take;
    if (!nl)
        return false;
    p->line.len--; /* the '\n' */
    if (p->line.len && p->line.data[p->line.len - 1] == '\r')
        p->line.len--;
    p->line.data[p->line.len] = '\0';
    return true;
}

static enum gw_h1_pstatus chunk_size(struct gw_h1_parser *p)
{
    const char *s = p->line.data;
    uint64_t v = 0;
    size_t i = 0;

    for (; s[i]; i++) {
        int d = s[i] >= '0' && s[i] <= '9'   ? s[i] - '0'
                : s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
                : s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10
                                             : -1;
        if (d < 0)
            break;
        v = v * 16 + (uint64_t)d;
        if (v >= MAX_CHUNK_SIZE)
            return fail(p, "invalid chunk size in the response");
    }
    while (is_ows(s[i]))
        i++;
    if (i == 0 || (s[i] && s[i] != ';'))
        return fail(p, "invalid chunk size in the response");
    cmn_buf_reset(&p->line);
    p->remaining = v;
    p->state = v ? P_CHUNK_DATA : P_TRAILER;
    return GW_H1_MORE;
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

enum gw_h1_pstatus gw_h1_parse(struct gw_h1_parser *p, const char *data, size_t n, size_t *used)
{
    size_t off = 0;

    if (n > 0)
        p->began = true;
    while (off < n) {
        const char *d = data + off;
        size_t left = n - off, k = 0, take;
        enum gw_h1_pstatus st = GW_H1_MORE;
        bool err;

        switch (p->state) {
        case P_HEAD:
            st = head_bytes(p, d, left, &k);
            break;
        case P_LENGTH:
        case P_CHUNK_DATA:
            take = left < p->remaining ? left : (size_t)p->remaining;
            st = body_bytes(p, d, take);
            k = take;
            p->remaining -= take;
            if (st == GW_H1_MORE && p->remaining == 0) {
                if (p->state == P_LENGTH) {
                    p->state = P_DONE;
                    st = GW_H1_DONE;
                } else {
                    p->state = P_CHUNK_CRLF;
                }
            }
            break;
        case P_CHUNK_CRLF:
            if (line_bytes(p, d, left, &k, &err)) {
                if (p->line.len != 0)
                    st = fail(p, "malformed chunked encoding in the response");
                cmn_buf_reset(&p->line);
                if (st == GW_H1_MORE)
                    p->state = P_CHUNK_SIZE;
            } else if (err) {
                st = fail(p, "malformed chunked encoding in the response");
            }
            break;
        case P_CHUNK_SIZE:
            if (line_bytes(p, d, left, &k, &err))
                st = chunk_size(p);
            else if (err)
                st = fail(p, "invalid chunk size in the response");
            break;
        case P_TRAILER:
            if (line_bytes(p, d, left, &k, &err)) {
                bool last = p->line.len == 0;
                cmn_buf_reset(&p->line);
                if (last) {
                    p->state = P_DONE;
                    st = GW_H1_DONE;
                }
            } else if (err) {
                st = fail(p, "response trailer too large");
            }
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
