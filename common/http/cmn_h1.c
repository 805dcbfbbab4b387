/* cmn_h1.c - HTTP/1.1 heads and bodies without IO, for requests and responses alike. */
#include "cmn_h1.h"

#include "cmn_http_field.h"
#include "cmn_str.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_LEADING_CRLF 4 /* Go's server discards up to four CR or LF bytes before a request */

static const struct cmn_h1_verdict OK = {CMN_H1_OK, NULL};

static struct cmn_h1_verdict refuse(enum cmn_h1_error e, const char *why)
{
    return (struct cmn_h1_verdict){e, why};
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* ---- small field rules ----------------------------------------------------------------------- */

bool cmn_h1_has_token(const char *s, size_t n, const char *tok)
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

/* httpguts.ValidHostHeader: only bytes that may appear in a uri-host and port. */
static bool valid_host(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i], l = ch | 0x20;
        if (!(l >= 'a' && l <= 'z') && !(ch >= '0' && ch <= '9') &&
            !strchr("!$%&'()*+,-.:;=[]_~", ch))
            return false;
    }
    return true;
}

/* Content-Length as Go's strconv.ParseUint(v, 10, 63): digits only (leading zeros allowed),
 * below 2^63. */
static bool parse_length(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (INT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return false; /* ParseUint(v, 10, 63): below 2^63 */
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* ---- heads ----------------------------------------------------------------------------------- */

size_t cmn_h1_head_end(const char *buf, size_t len, size_t *scan)
{
    size_t i = *scan;

    while (i < len) {
        const char *lf = memchr(buf + i, '\n', len - i);
        if (!lf)
            break;
        i = (size_t)(lf - buf);
        if (i + 1 < len && buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
        if (i + 2 >= len)
            break; /* the bytes after this LF decide: look again from it */
        i++;
    }
    *scan = i < len ? i : len;
    return 0;
}

/* The fields that frame a message, gathered as the head goes by. */
struct scan {
    unsigned te;     /* Transfer-Encoding fields */
    bool te_chunked; /* the first of them is exactly "chunked" */
    unsigned cl;     /* Content-Length fields */
    const char *cl_v;
    size_t cl_n;
    bool cl_differ; /* two of them are not the same bytes */
    unsigned hosts;
    const char *host;
    size_t host_n;
    bool conn_close, conn_keep;
    const char *expect; /* the first Expect */
    size_t expect_n;
    bool encoding_seen, gzip; /* the first Content-Encoding is "gzip" */
};

/* Callers compare lengths first; most names differ from the literal in their first letter. */
static bool name_is(const char *n, size_t nl, const char *lit)
{
    return ((unsigned char)n[0] | 0x20) == ((unsigned char)lit[0] | 0x20) &&
           strncasecmp(n + 1, lit + 1, nl - 1) == 0;
}

static void note_field(struct scan *s, const char *n, size_t nl, const char *v, size_t vl)
{
    switch (nl) {
    case 4:
        if (name_is(n, nl, "Host")) {
            if (!s->hosts++) {
                s->host = v;
                s->host_n = vl;
            }
        }
        break;
    case 6:
        if (name_is(n, nl, "Expect") && !s->expect) {
            s->expect = v;
            s->expect_n = vl;
        }
        break;
    case 10:
        if (name_is(n, nl, "Connection")) {
            s->conn_close = s->conn_close || cmn_h1_has_token(v, vl, "close");
            s->conn_keep = s->conn_keep || cmn_h1_has_token(v, vl, "keep-alive");
        }
        break;
    case 14:
        if (name_is(n, nl, "Content-Length")) {
            if (s->cl++ && (vl != s->cl_n || memcmp(v, s->cl_v, vl) != 0))
                s->cl_differ = true;
            else if (s->cl == 1) {
                s->cl_v = v;
                s->cl_n = vl;
            }
        }
        break;
    case 16:
        if (name_is(n, nl, "Content-Encoding") && !s->encoding_seen) {
            s->encoding_seen = true;
            s->gzip = vl == 4 && strncasecmp(v, "gzip", 4) == 0;
        }
        break;
    case 17:
        if (name_is(n, nl, "Transfer-Encoding") && !s->te++)
            s->te_chunked = vl == 7 && strncasecmp(v, "chunked", 7) == 0;
        break;
    default:
        break;
    }
}

/* Joins the continuation lines that follow a field line (obsolete folding, RFC 9112 §5.2) to
 * its value as Go's textproto does: each trimmed, one space between. Only bytes already read
 * are written, so the buffer can be rewritten in place. *next: the line after the last one
 * joined; returns the value's new end. */
static size_t unfold(char *b, size_t ve, size_t len, size_t *next)
{
    size_t p = *next;

    while (p < len && is_ows(b[p])) {
        const char *lf = memchr(b + p, '\n', len - p);
        size_t cs = p, ce = (size_t)(lf - b);
        if (ce > cs && b[ce - 1] == '\r')
            ce--;
        while (cs < ce && is_ows(b[cs]))
            cs++;
        while (ce > cs && is_ows(b[ce - 1]))
            ce--;
        b[ve++] = ' ';
        memmove(b + ve, b + cs, ce - cs);
        ve += ce - cs;
        p = (size_t)(lf - b) + 1;
    }
    *next = p;
    return ve;
}

/* The field lines of buf[pos, len) up to the empty line, each ending in LF (CR LF or LF).
 * wr == NULL (requests): a folded line is refused; else (responses, wr == buf) it is unfolded
 * in place. */
static struct cmn_h1_verdict parse_fields(const char *buf, char *wr, size_t pos, size_t len,
                                          struct scan *s, cmn_h1_field_fn fn, void *ctx)
{
    size_t p = pos;

    for (bool first = true;; first = false) {
        const char *lf = memchr(buf + p, '\n', len - p);
        size_t e, colon, vs, ve, next;
        if (!lf)
            return refuse(CMN_H1_BAD, "malformed MIME header: missing empty line");
        next = (size_t)(lf - buf) + 1;
        e = (size_t)(lf - buf);
        if (e > p && buf[e - 1] == '\r')
            e--;
        if (e == p)
            return OK; /* the empty line */
        if (is_ows(buf[p]))
            return refuse(CMN_H1_BAD, first ? "malformed MIME header initial line"
                                            : "malformed MIME header line: obsolete line folding");
        /* the name: the bytes before the first colon, all of them tchar */
        const char *cp = memchr(buf + p, ':', e - p);
        colon = cp ? (size_t)(cp - buf) : e;
        if (colon == e || !cmn_http_field_name_ok(buf + p, colon - p))
            return refuse(CMN_H1_BAD, "malformed MIME header line");
        for (vs = colon + 1; vs < e && is_ows(buf[vs]); vs++)
            ;
        for (ve = e; ve > vs && is_ows(buf[ve - 1]); ve--)
            ;
        if (next < len && is_ows(buf[next])) {
            if (!wr)
                return refuse(CMN_H1_BAD, "malformed MIME header line: obsolete line folding");
            ve = unfold(wr, ve, len, &next);
            while (vs < ve && is_ows(buf[vs]))
                vs++;
        }
        if (!cmn_http_field_value_ok(buf + vs, ve - vs))
            return refuse(CMN_H1_BAD, "malformed MIME header line");
        note_field(s, buf + p, colon - p, buf + vs, ve - vs);
        if (fn && !fn(ctx, buf + p, colon - p, buf + vs, ve - vs))
            return refuse(CMN_H1_TOO_LARGE, "too many header fields");
        p = next;
    }
}

/* "HTTP/d.d" as Go's ParseHTTPVersion; *major and *minor. */
static bool parse_version(const char *v, size_t n, unsigned *major, unsigned *minor)
{
    if (n != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
        v[7] < '0' || v[7] > '9')
        return false;
    *major = (unsigned)(v[5] - '0');
    *minor = (unsigned)(v[7] - '0');
    return true;
}

/* The request-target (RFC 9112 §3.2): origin-form, absolute-form (Go takes the host from the
 * URL, and so do we), or "*". Authority-form and opaque URIs are refused. */
static bool parse_target(const char *buf, struct cmn_h1_request *rq)
{
    const char *t = buf + rq->target.off;
    size_t n = rq->target.len, i = 0, path;

    for (size_t k = 0; k < n; k++) {
        unsigned char ch = (unsigned char)t[k];
        if (ch < 0x21 || ch == 0x7f)
            return false; /* Go: "invalid control character in URL" */
    }
    if (n == 1 && t[0] == '*') {
        rq->form = CMN_H1_ASTERISK;
        rq->path = rq->target;
        return true;
    }
    if (t[0] == '/') {
        rq->form = CMN_H1_ORIGIN;
        path = 0;
    } else {
        /* scheme "://" authority: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
        if (!((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z'))
            return false;
        while (i < n && (((t[i] | 0x20) >= 'a' && (t[i] | 0x20) <= 'z') ||
                         (t[i] >= '0' && t[i] <= '9') || t[i] == '+' || t[i] == '-' || t[i] == '.'))
            i++;
        if (n - i < 3 || memcmp(t + i, "://", 3) != 0)
            return false;
        i += 3;
        path = i;
        while (path < n && t[path] != '/' && t[path] != '?')
            path++;
        if (path == i || !valid_host(t + i, path - i) || memchr(t + i, '@', path - i))
            return false; /* no host, or user info: refused rather than guessed */
        rq->form = CMN_H1_ABSOLUTE;
        rq->authority = (struct cmn_h1_span){rq->target.off + i, path - i};
    }
    const char *q = memchr(t + path, '?', n - path);
    size_t pe = q ? (size_t)(q - t) : n;
    rq->path = (struct cmn_h1_span){rq->target.off + path, pe - path};
    rq->has_query = q != NULL;
    if (q)
        rq->query = (struct cmn_h1_span){rq->target.off + pe + 1, n - pe - 1};
    return true;
}

/* "METHOD SP request-target SP HTTP-version", split at the first two spaces as Go does. */
static bool parse_request_line(const char *buf, size_t len, struct cmn_h1_request *rq)
{
    const char *sp1, *sp2;

    for (sp1 = buf; sp1 < buf + len && cmn_str_is_tchar((unsigned char)*sp1); sp1++)
        ;
    if (sp1 == buf || sp1 == buf + len || *sp1 != ' ')
        return false;
    sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - buf));
    if (!sp2 || sp2 == sp1 + 1)
        return false;
    rq->method = (struct cmn_h1_span){0, (size_t)(sp1 - buf)};
    rq->target = (struct cmn_h1_span){(size_t)(sp1 + 1 - buf), (size_t)(sp2 - sp1 - 1)};
    rq->version = (struct cmn_h1_span){(size_t)(sp2 + 1 - buf), len - (size_t)(sp2 + 1 - buf)};
    return parse_target(buf, rq);
}

/* Parses the request head buf[0, len) (len from cmn_h1_head_end; leading empty lines already
 * skipped) into *rq, handing each field to on_field. Returns the verdict: CMN_H1_OK, or why
 * the request is refused (the answer is cmn_h1_answer()'s). */
static struct cmn_h1_verdict parse_request(const char *buf, size_t len, struct cmn_h1_request *rq,
                                           cmn_h1_field_fn on_field, void *ctx)
{
    const char *lf = memchr(buf, '\n', len);
    struct scan s = {0};
    struct cmn_h1_verdict v;
    unsigned major, minor;
    size_t ll;

    memset(rq, 0, sizeof(*rq));
    if (!lf)
        return refuse(CMN_H1_BAD, "malformed HTTP request");
    ll = (size_t)(lf - buf);
    if (ll && buf[ll - 1] == '\r')
        ll--;
    if (!parse_request_line(buf, ll, rq))
        return refuse(CMN_H1_BAD, "malformed HTTP request");
    if (!parse_version(buf + rq->version.off, rq->version.len, &major, &minor))
        return refuse(CMN_H1_BAD, "malformed HTTP version");
    v = parse_fields(buf, NULL, (size_t)(lf - buf) + 1, len, &s, on_field, ctx);
    if (v.error)
        return v;
    rq->minor = minor ? 1 : 0;
    /* Framing (Go's readTransfer): the transfer coding, then the length. */
    if (s.te) {
        /* RFC 9112 §6.1: a Transfer-Encoding in HTTP/1.0 means faulty framing (Go ignores
         * it and reads the chunks as the next request). */
        if (rq->minor == 0)
            return refuse(CMN_H1_BAD, "Transfer-Encoding in an HTTP/1.0 request");
        if (s.te > 1 || !s.te_chunked)
            return refuse(CMN_H1_TE, "unsupported transfer encoding");
        rq->chunked = true;
    }
    if (s.cl_differ)
        return refuse(CMN_H1_BAD, "message cannot contain multiple Content-Length headers");
    /* A Content-Length is checked even beside chunked framing: a value two parsers may read
     * differently is refused whatever wins. */
    if (s.cl && !parse_length(s.cl_v, s.cl_n, &rq->length))
        return refuse(CMN_H1_BAD, "bad Content-Length");
    if (major != 1)
        return refuse(CMN_H1_VERSION, "unsupported protocol version");
    if (rq->minor && s.hosts == 0)
        return refuse(CMN_H1_BAD_HOST, "missing required Host header");
    if (s.hosts > 1)
        return refuse(CMN_H1_BAD_HOST, "too many Host headers");
    if (s.hosts && !valid_host(s.host, s.host_n))
        return refuse(CMN_H1_BAD_HOST, "malformed Host header");
    if (s.hosts) {
        rq->has_host = true;
        rq->host = (struct cmn_h1_span){(size_t)(s.host - buf), s.host_n};
    }
    if (rq->chunked)
        rq->length = 0;
    rq->has_body = rq->chunked || rq->length > 0;
    rq->keep_alive = rq->minor ? !s.conn_close : s.conn_keep && !s.conn_close;
    if (rq->chunked && s.cl)
        rq->keep_alive = false; /* both framings: answer, then close (RFC 9112 §6.3) */
    rq->head_method = rq->method.len == 4 && memcmp(buf, "HEAD", 4) == 0;
    if (s.expect && s.expect_n) {
        if (cmn_h1_has_token(s.expect, s.expect_n, "100-continue"))
            rq->expect_continue = rq->minor && rq->has_body;
        else
            rq->expect_failed = true;
    }
    if (rq->expect_failed)
        rq->keep_alive = false;
    return OK;
}

/* "HTTP/1.x NNN[ reason]" as Go's ReadResponse reads it. */
static bool parse_status_line(const char *s, size_t n, struct cmn_h1_response *rs)
{
    unsigned major, minor;

    if (n < 12 || !parse_version(s, 8, &major, &minor) || major != 1 || s[8] != ' ')
        return false;
    if (s[9] < '0' || s[9] > '9' || s[10] < '0' || s[10] > '9' || s[11] < '0' || s[11] > '9')
        return false;
    if (n > 12 && s[12] != ' ')
        return false;
    rs->status = (unsigned)((s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0'));
    rs->minor = minor ? 1 : 0;
    return rs->status >= 100;
}

struct cmn_h1_verdict cmn_h1_parse_response(char *buf, size_t len, bool head_request,
                                            struct cmn_h1_response *rs, cmn_h1_field_fn on_field,
                                            void *ctx)
{
    const char *lf = memchr(buf, '\n', len);
    struct scan s = {0};
    struct cmn_h1_verdict v;
    size_t ll;

    memset(rs, 0, sizeof(*rs));
    if (!lf)
        return refuse(CMN_H1_BAD, "malformed HTTP response");
    ll = (size_t)(lf - buf);
    if (ll && buf[ll - 1] == '\r')
        ll--;
    if (!parse_status_line(buf, ll, rs))
        return refuse(CMN_H1_BAD, "malformed HTTP response");
    v = parse_fields(buf, buf, (size_t)(lf - buf) + 1, len, &s, on_field, ctx);
    if (v.error)
        return v;
    rs->gzip = s.gzip;
    rs->keep_alive = rs->minor ? !s.conn_close : s.conn_keep && !s.conn_close;
    rs->interim = rs->status < 200 && rs->status != 101;
    if (s.cl_differ)
        return refuse(CMN_H1_BAD, "message cannot contain multiple Content-Length headers");
    if (s.cl && !parse_length(s.cl_v, s.cl_n, &rs->length))
        return refuse(CMN_H1_BAD, "bad Content-Length");
    rs->has_length = s.cl > 0;
    /* Go reads Transfer-Encoding on HTTP/1.1 answers only, and only one "chunked". */
    if (s.te && rs->minor) {
        if (s.te > 1 || !s.te_chunked)
            return refuse(CMN_H1_TE, "unsupported transfer encoding");
        rs->chunked = true;
        rs->has_length = false;
        rs->length = 0;
        if (s.cl)
            rs->keep_alive = false; /* both framings: read this one, then close */
    }
    if (head_request || rs->status < 200 || rs->status == 204 || rs->status == 304) {
        rs->no_body = true;
        rs->chunked = false;
        rs->keep_alive = rs->keep_alive && rs->status != 101;
        return OK;
    }
    if (!rs->chunked && !rs->has_length)
        rs->keep_alive = false; /* the body ends with the connection */
    return OK;
}

/* ---- chunked bodies (Go's internal/chunked.go, CRLF required) -------------------------------- */

enum {
    CH_SIZE,    /* hex digits */
    CH_SIZE_WS, /* trailing OWS after the digits */
    CH_EXT,     /* a chunk extension, ignored (but counted) */
    CH_SIZE_LF, /* the LF of the size line's CRLF */
    CH_DATA,    /* chunk bytes */
    CH_DATA_CR, /* the CRLF after them */
    CH_DATA_LF,
    CH_TRAILER, /* at the start of a trailer line (or the final CRLF) */
    CH_TNAME,   /* a trailer field name */
    CH_TVALUE,  /* its value */
    CH_TLF,     /* the LF ending a trailer line */
    CH_END_LF,  /* the LF of the final CRLF */
    CH_DONE,
    CH_ERROR,
};

void cmn_h1_chunked_init(struct cmn_h1_chunked *c)
{
    memset(c, 0, sizeof(*c));
}

static int hexval(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch |= 0x20;
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

static enum cmn_h1_chunk_status chunk_fail(struct cmn_h1_chunked *c, const char **why,
                                           const char *text)
{
    c->st = CH_ERROR;
    *why = text;
    return CMN_H1_CHUNK_ERROR;
}

/* A size line is complete: account for its overhead (Go allows 16 bytes per chunk plus twice
 * its data before a sender is padding the stream with framing), then on to the data. */
static bool end_size_line(struct cmn_h1_chunked *c)
{
    c->excess +=
        (int64_t)c->line + 2 - 16 - 2 * (int64_t)(c->size > INT32_MAX ? INT32_MAX : c->size);
    if (c->excess < 0)
        c->excess = 0;
    if (c->excess > CMN_H1_MAX_EXCESS)
        return false;
    c->line = 0;
    c->digits = 0;
    c->st = c->size ? CH_DATA : CH_TRAILER;
    return true;
}

enum cmn_h1_chunk_status cmn_h1_chunked_feed(struct cmn_h1_chunked *c, const char *in, size_t n,
                                             size_t *used, const char **data, size_t *data_len,
                                             const char **why)
{
    size_t i = 0;

    *used = 0;
    while (i < n) {
        unsigned char ch = (unsigned char)in[i];
        if (c->st == CH_DATA) {
            size_t take = n - i < c->size ? n - i : (size_t)c->size;
            *data = in + i;
            *data_len = take;
            c->size -= take;
            if (!c->size)
                c->st = CH_DATA_CR;
            *used = i + take;
            return CMN_H1_CHUNK_DATA;
        }
        if (c->st == CH_SIZE || c->st == CH_SIZE_WS || c->st == CH_EXT) {
            /* the line's length leaves its CR out, as Go measures it */
            if (ch != '\r' && ++c->line >= CMN_H1_MAX_CHUNK_LINE)
                return chunk_fail(c, why, "header line too long");
        } else if (c->st >= CH_TRAILER && c->st <= CH_END_LF) {
            if (++c->trailer > CMN_H1_MAX_TRAILER)
                return chunk_fail(c, why, "http: suspiciously long trailer after chunked body");
        }
        switch (c->st) {
        case CH_SIZE: {
            int d = hexval(ch);
            if (d >= 0) {
                if (c->digits++ == 16)
                    return chunk_fail(c, why, "http chunk length too large");
                c->size = c->size << 4 | (uint64_t)d;
                break;
            }
            if (c->digits == 0 && (ch == '\r' || ch == ';' || is_ows((char)ch)))
                return chunk_fail(c, why, "empty hex number for chunk length");
            if (ch == ';')
                c->st = CH_EXT;
            else if (is_ows((char)ch))
                c->st = CH_SIZE_WS;
            else if (ch == '\r')
                c->st = CH_SIZE_LF;
            else if (ch == '\n')
                return chunk_fail(c, why, "chunked line ends with bare LF");
            else
                return chunk_fail(c, why, "invalid byte in chunk length");
            break;
        }
        case CH_SIZE_WS:
            if (ch == '\r') {
                c->st = CH_SIZE_LF;
            } else if (ch == '\n') {
                return chunk_fail(c, why, "chunked line ends with bare LF");
            } else if (!is_ows((char)ch)) {
                return chunk_fail(c, why, "invalid byte in chunk length");
            }
            break;
        case CH_EXT:
            /* Go drops extensions unread; control bytes in one are refused here. */
            if (ch == '\r') {
                c->st = CH_SIZE_LF;
            } else if (ch == '\n') {
                return chunk_fail(c, why, "chunked line ends with bare LF");
            } else if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                return chunk_fail(c, why, "invalid byte in chunk extension");
            }
            break;
        case CH_SIZE_LF:
            if (ch != '\n')
                return chunk_fail(c, why, "invalid CR in chunked line");
            if (!end_size_line(c))
                return chunk_fail(c, why, "chunked encoding contains too much non-data");
            break;
        case CH_DATA_CR:
            if (ch != '\r')
                return chunk_fail(c, why, "malformed chunked encoding");
            c->st = CH_DATA_LF;
            break;
        case CH_DATA_LF:
            if (ch != '\n')
                return chunk_fail(c, why, "malformed chunked encoding");
            c->st = CH_SIZE;
            break;
        case CH_TRAILER:
            if (ch == '\r')
                c->st = CH_END_LF;
            else if (cmn_str_is_tchar(ch))
                c->st = CH_TNAME;
            else
                return chunk_fail(c, why, "malformed MIME header line in the trailer");
            break;
        case CH_TNAME:
            if (ch == ':')
                c->st = CH_TVALUE;
            else if (!cmn_str_is_tchar(ch))
                return chunk_fail(c, why, "malformed MIME header line in the trailer");
            break;
        case CH_TVALUE:
            if (ch == '\r')
                c->st = CH_TLF;
            else if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
                return chunk_fail(c, why, "malformed MIME header line in the trailer");
            break;
        case CH_TLF:
            if (ch != '\n')
                return chunk_fail(c, why, "malformed MIME header line in the trailer");
            c->st = CH_TRAILER;
            break;
        case CH_END_LF:
            if (ch != '\n')
                return chunk_fail(c, why, "malformed chunked encoding");
            c->st = CH_DONE;
            *used = i + 1;
            return CMN_H1_CHUNK_DONE;
        case CH_DONE:
            *used = i;
            return CMN_H1_CHUNK_DONE;
        default:
            *used = i;
            return chunk_fail(c, why, "malformed chunked encoding");
        }
        i++;
    }
    *used = i;
    if (c->st == CH_DONE)
        return CMN_H1_CHUNK_DONE;
    return CMN_H1_CHUNK_MORE;
}

/* ---- the request reader ---------------------------------------------------------------------- */

enum { RD_HEAD, RD_LENGTH, RD_CHUNKED, RD_END, RD_FAILED };

void cmn_h1_reader_init(struct cmn_h1_reader *r, size_t max_head)
{
    memset(r, 0, sizeof(*r));
    r->max_head = max_head;
    r->st = RD_HEAD;
}

bool cmn_h1_reader_idle(const struct cmn_h1_reader *r)
{
    return r->st == RD_HEAD && r->scan == 0;
}

static enum cmn_h1_event fail(struct cmn_h1_reader *r, struct cmn_h1_out *out, enum cmn_h1_error e,
                              const char *why)
{
    r->st = RD_FAILED;
    out->fail = refuse(e, why);
    return CMN_H1_FAIL;
}

static enum cmn_h1_event read_head(struct cmn_h1_reader *r, const char *buf, size_t len,
                                   size_t *used, cmn_h1_field_fn fn, void *ctx,
                                   struct cmn_h1_out *out)
{
    size_t skip = 0, end, scan;

    /* Go's server tolerates up to four CR or LF bytes before a request line (RFC 9112 §2.2). */
    while (skip < len && skip < MAX_LEADING_CRLF && (buf[skip] == '\r' || buf[skip] == '\n'))
        skip++;
    if (skip == len && skip < MAX_LEADING_CRLF)
        return CMN_H1_MORE; /* *used stays 0: the bytes are looked at again with more */
    scan = r->scan > skip ? r->scan - skip : 0;
    end = cmn_h1_head_end(buf + skip, len - skip, &scan);
    r->scan = scan + skip;
    if (end && end > r->max_head)
        return fail(r, out, CMN_H1_TOO_LARGE, NULL);
    if (!end) {
        /* One byte over the cap is kept to see a head that ends exactly at it. */
        if (len - skip > r->max_head)
            return fail(r, out, CMN_H1_TOO_LARGE, NULL);
        return CMN_H1_MORE;
    }
    struct cmn_h1_verdict v = parse_request(buf + skip, end, &out->req, fn, ctx);
    if (v.error) {
        r->st = RD_FAILED;
        out->fail = v;
        return CMN_H1_FAIL;
    }
    /* Spans relative to buf, as promised. */
    struct cmn_h1_span *spans[] = {&out->req.method, &out->req.target, &out->req.version,
                                   &out->req.path,   &out->req.query,  &out->req.authority,
                                   &out->req.host};
    for (size_t k = 0; k < sizeof(spans) / sizeof(spans[0]); k++)
        spans[k]->off += skip;
    *used = skip + end;
    r->scan = 0;
    if (out->req.chunked) {
        cmn_h1_chunked_init(&r->ch);
        r->st = RD_CHUNKED;
    } else {
        r->left = out->req.length;
        r->st = r->left ? RD_LENGTH : RD_END;
    }
    return CMN_H1_HEAD;
}

enum cmn_h1_event cmn_h1_read(struct cmn_h1_reader *r, const char *buf, size_t len, size_t *used,
                              cmn_h1_field_fn on_field, void *ctx, struct cmn_h1_out *out)
{
    const char *why = NULL;

    *used = 0;
    switch (r->st) {
    case RD_HEAD:
        return read_head(r, buf, len, used, on_field, ctx, out);
    case RD_LENGTH: {
        size_t take = len < r->left ? len : (size_t)r->left;
        if (!take)
            return CMN_H1_MORE;
        out->data = buf;
        out->data_len = take;
        r->left -= take;
        *used = take;
        if (!r->left)
            r->st = RD_END;
        return CMN_H1_DATA;
    }
    case RD_CHUNKED:
        switch (cmn_h1_chunked_feed(&r->ch, buf, len, used, &out->data, &out->data_len, &why)) {
        case CMN_H1_CHUNK_DATA:
            return CMN_H1_DATA;
        case CMN_H1_CHUNK_DONE:
            r->st = RD_HEAD;
            r->scan = 0;
            return CMN_H1_END;
        case CMN_H1_CHUNK_MORE:
            return CMN_H1_MORE;
        default:
            return fail(r, out, CMN_H1_BAD, why);
        }
    case RD_END:
        r->st = RD_HEAD;
        r->scan = 0;
        return CMN_H1_END;
    default:
        return CMN_H1_FAIL;
    }
}

size_t cmn_h1_answer(struct cmn_h1_verdict v, char *out, size_t size)
{
    static const char tail[] = "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                               "Connection: close\r\n\r\n";
    const char *line, *body;
    char text[160];
    int n;

    switch (v.error) {
    case CMN_H1_BAD_HOST:
        snprintf(text, sizeof(text), "400 Bad Request: %s", v.why);
        line = body = text;
        break;
    case CMN_H1_VERSION:
        line = body = "505 HTTP Version Not Supported: unsupported protocol version";
        break;
    case CMN_H1_TOO_LARGE:
        line = body = "431 Request Header Fields Too Large";
        break;
    case CMN_H1_TE:
        line = "501 Not Implemented";
        body = "Unsupported transfer encoding";
        break;
    default:
        line = body = "400 Bad Request";
        break;
    }
    n = snprintf(out, size, "HTTP/1.1 %s%s%s", line, tail, body);
    return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}
