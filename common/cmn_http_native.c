/* cmn_http_native.c - cmn_http's own HTTP/1.1 engine, for plain-HTTP servers driven by their
 * callers' event loops (the gateway's workers).
 *
 * libmicrohttpd re-arms a suspended connection with two epoll_ctl calls and a recv that finds
 * nothing, and clears a 64 KiB pool per request: on a proxy's hot path that was a third of the
 * server's CPU. Here each loop owns an epoll set: a connection is registered once
 * (edge-triggered), a request costs one recv and one sendmsg, and a short read means the socket
 * is drained. What clients see follows Go's net/http, which KrakenD serves with: Date on every
 * answer, Content-Length, keep-alive rules of HTTP/1.0 and 1.1, 100-continue, chunked request
 * bodies, and its raw error answers (400, 431, 501, 505) for requests it cannot read. */
#include "cmn_clock.h"
#include "cmn_http_int.h"
#include "cmn_log.h"
#include "cmn_str.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h> /* value_ok: sixteen bytes at a time */
#endif

#define MAX_HEADERS 128
#define EVENTS_PER_RUN 64
#define ACCEPTS_PER_RUN 64
#define IN_FIRST 4096          /* first read buffer of a connection */
#define IN_KEEP (16 * 1024)    /* larger buffers are freed between requests */
#define LINE_MAX_CHUNK 4096    /* chunk-size and trailer lines */
#define LINGER_MS 2000         /* a closing connection drains its input at most this long */
#define LINGER_BYTES (1 << 20) /* ... and at most this much */
#define ACCEPT_PAUSE_MS 100    /* out of descriptors: accept again after this */

enum conn_state {
    CS_HEAD,     /* waiting for (the rest of) a request head */
    CS_BODY,     /* reading the request body */
    CS_HANDLING, /* the handler has the exchange */
    CS_WRITING,  /* sending an answer */
    CS_LINGER,   /* answer sent, write side shut: draining input until EOF */
};

enum chunk_state { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER };

struct cmn_hn_conn {
    struct cmn_hn_loop *lp;
    int fd;
    enum conn_state st;
    bool readable;    /* an input edge was seen and no short read since */
    bool peer_shut;   /* the client's FIN arrived (EPOLLRDHUP): no edge will announce EOF */
    bool gone;        /* the socket is closed; the struct waits for its exchange's answer */
    bool keep_alive;  /* the current request allows another one after it */
    bool head_method; /* HEAD: the answer has no body */
    bool chunked;
    bool expect_continue;
    enum chunk_state ch;
    uint64_t left; /* Content-Length bytes, or bytes of the current chunk, still to read */
    char *in;      /* read buffer: [in_pos, in_len) not consumed yet */
    size_t in_len, in_cap, in_pos, scan;
    char *out; /* the answer's head (or a whole raw error answer) */
    size_t out_len, out_cap, out_pos;
    const char *body; /* the answer's body, owned by ex->resp */
    size_t body_len, body_pos;
    struct cmn_http_exchange *ex;
    int64_t active_ms;
    int64_t linger_until;
    size_t lingered;
    struct cmn_hn_conn *prev, *next; /* on the loop's idle list (not while handling) */
    bool listed;
    char remote_ip[INET6_ADDRSTRLEN];
    unsigned remote_port;
};

struct span {
    size_t off, len;
};

struct head {
    struct span method, target, version;
    struct span name[MAX_HEADERS], value[MAX_HEADERS];
    size_t n;
    size_t strings; /* bytes the strings need with their NULs */
};

struct cmn_hn_loop {
    struct cmn_http_server *s;
    unsigned idx;
    int epfd;
    int wake_fd;
    bool listening; /* the listening socket is in epfd */
    bool quiesced;
    int64_t accept_again_ms; /* >= 0: accepting is paused until then */
    unsigned n_conns, max_conns;
    struct cmn_hn_conn *oldest, *newest; /* connections by last activity */
    struct cmn_hn_conn *graveyard;       /* closed this run, freed at its end */
    unsigned n_linger;
    pthread_t owner;
    atomic_bool owned;
    atomic_bool woken;
    pthread_mutex_t qlock;
    struct cmn_http_exchange *qhead, *qtail; /* answered, waiting to be sent */
    bool dead;                               /* stopped: answers go nowhere */
    int64_t date_sec;
    char date[40]; /* "Date: Fri, 04 Dec 2026 15:01:55 GMT\r\n" */
    size_t date_len;
    struct head head; /* scratch for the head being parsed */
};

static void conn_drive(struct cmn_hn_conn *c);

/* ---- small helpers ------------------------------------------------------------------------ */

static int64_t idle_ms(const struct cmn_hn_loop *lp)
{
    return (int64_t)lp->s->opts.idle_timeout_s * 1000;
}

static void list_remove(struct cmn_hn_conn *c)
{
    struct cmn_hn_loop *lp = c->lp;

    if (!c->listed)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        lp->oldest = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        lp->newest = c->prev;
    c->prev = c->next = NULL;
    c->listed = false;
}

/* Marks activity: the connection moves to the young end of the timeout list. */
static void touch(struct cmn_hn_conn *c, int64_t now)
{
    struct cmn_hn_loop *lp = c->lp;

    c->active_ms = now;
    if (c->listed && lp->newest == c)
        return;
    list_remove(c);
    c->prev = lp->newest;
    if (lp->newest)
        lp->newest->next = c;
    else
        lp->oldest = c;
    lp->newest = c;
    c->listed = true;
}

/* Does a comma-separated header value hold the token (case-insensitive)? */
static bool has_token(const char *v, const char *tok)
{
    size_t tl = strlen(tok);

    while (*v) {
        while (*v == ' ' || *v == '\t' || *v == ',')
            v++;
        const char *e = v;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > v && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if ((size_t)(t - v) == tl && strncasecmp(v, tok, tl) == 0)
            return true;
        v = e;
    }
    return false;
}

static void refresh_date(struct cmn_hn_loop *lp)
{
    int64_t now = cmn_clock_unix();
    time_t t = (time_t)now;
    struct tm tm;

    if (now == lp->date_sec)
        return;
    lp->date_sec = now;
    gmtime_r(&t, &tm);
    lp->date_len = strftime(lp->date, sizeof(lp->date), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
}

/* ---- closing -------------------------------------------------------------------------------- */

static void conn_free(struct cmn_hn_conn *c)
{
    free(c->in);
    free(c->out);
    free(c);
}

/* Closes the socket. A connection whose exchange is with the handler stays allocated (the
 * exchange points to it) until the answer comes; any other is freed at the end of the run
 * (callers up the stack may still look at c->gone). */
static void conn_close(struct cmn_hn_conn *c)
{
    struct cmn_hn_loop *lp = c->lp;

    if (!c->gone) {
        close(c->fd); /* also leaves the epoll set */
        c->gone = true;
        lp->n_conns--;
        if (c->st == CS_LINGER)
            lp->n_linger--;
    }
    list_remove(c);
    if (c->st == CS_HANDLING)
        return;
    if (c->ex) {
        c->ex->nc = NULL;
        cmn_http_exchange_unref(c->ex);
        c->ex = NULL;
    }
    c->next = lp->graveyard;
    lp->graveyard = c;
}

static void bury(struct cmn_hn_loop *lp)
{
    while (lp->graveyard) {
        struct cmn_hn_conn *c = lp->graveyard;
        lp->graveyard = c->next;
        conn_free(c);
    }
}

/* The answer is out: the write side is shut and the input drained until the client closes, so
 * that unread input does not turn our close into a reset that destroys the answer in flight. */
static void conn_linger(struct cmn_hn_conn *c)
{
    int64_t now = cmn_clock_mono_ms();

    shutdown(c->fd, SHUT_WR);
    c->st = CS_LINGER;
    c->lp->n_linger++;
    c->linger_until = now + LINGER_MS;
    c->readable = true;
    touch(c, now);
}

/* ---- writing -------------------------------------------------------------------------------- */

static bool out_reserve(struct cmn_hn_conn *c, size_t more)
{
    size_t need = c->out_len + more, cap;
    char *p;

    if (need <= c->out_cap)
        return true;
    cap = c->out_cap ? c->out_cap : 512;
    while (cap < need)
        cap *= 2;
    p = realloc(c->out, cap);
    if (!p)
        return false;
    c->out = p;
    c->out_cap = cap;
    return true;
}

static bool out_add(struct cmn_hn_conn *c, const char *s, size_t n)
{
    if (!out_reserve(c, n))
        return false;
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
    return true;
}

static bool out_str(struct cmn_hn_conn *c, const char *s)
{
    return out_add(c, s, strlen(s));
}

static bool out_uint(struct cmn_hn_conn *c, uint64_t v)
{
    char buf[24];
    int i = (int)sizeof(buf);

    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return out_add(c, buf + i, sizeof(buf) - (size_t)i);
}

/* Sends what is pending; true when all of it is out (or the connection was closed: then
 * c->gone is set). */
static bool conn_flush(struct cmn_hn_conn *c)
{
    while (c->out_pos < c->out_len || c->body_pos < c->body_len) {
        struct iovec iov[2];
        struct msghdr m = {.msg_iov = iov};
        ssize_t n;

        if (c->out_pos < c->out_len)
            iov[m.msg_iovlen++] = (struct iovec){c->out + c->out_pos, c->out_len - c->out_pos};
        if (c->body_pos < c->body_len) {
            void *rest = (void *)(uintptr_t)(c->body + c->body_pos);
            iov[m.msg_iovlen++] = (struct iovec){rest, c->body_len - c->body_pos};
        }
        n = sendmsg(c->fd, &m, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return false; /* EPOLLOUT brings us back */
            if (errno == EINTR)
                continue;
            c->st = CS_WRITING;
            conn_close(c);
            return true;
        }
        size_t k = (size_t)n, h = c->out_len - c->out_pos;
        if (k <= h) {
            c->out_pos += k;
        } else {
            c->out_pos = c->out_len;
            c->body_pos += k - h;
        }
        touch(c, cmn_clock_mono_ms());
    }
    return true;
}

/* Go's answer to a request it cannot read (net/http server.go): no Date, no Content-Length,
 * the connection closes after it. */
static void send_raw_error(struct cmn_hn_conn *c, const char *status_line, const char *body)
{
    c->out_len = c->out_pos = 0;
    c->body = NULL;
    c->body_len = c->body_pos = 0;
    c->keep_alive = false;
    if (!out_str(c, "HTTP/1.1 ") || !out_str(c, status_line) ||
        !out_str(c, "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n") ||
        !out_str(c, body)) {
        conn_close(c);
        return;
    }
    if (c->ex) {
        c->ex->nc = NULL;
        cmn_http_exchange_unref(c->ex);
        c->ex = NULL;
    }
    c->st = CS_WRITING;
}

/* Go's answer to a statusError (net/http server.go): the reason follows the status in the
 * status line and in the body alike, "400 Bad Request: missing required Host header". */
static void status_error(struct cmn_hn_conn *c, const char *status, const char *why)
{
    char line[128];

    snprintf(line, sizeof(line), "%s: %s", status, why);
    send_raw_error(c, line, line);
}

static void bad_request(struct cmn_hn_conn *c, const char *why)
{
    if (why)
        status_error(c, "400 Bad Request", why);
    else
        send_raw_error(c, "400 Bad Request", "400 Bad Request");
}

static bool status_has_body(unsigned st)
{
    return !(st < 200 || st == 204 || st == 304);
}

/* A field value never ends its line early (response splitting): CR and LF become spaces, as
 * Go's headerNewlineToSpace does. */
static void newlines_to_spaces(char *p, size_t n)
{
    if (!memchr(p, '\r', n) && !memchr(p, '\n', n))
        return; /* the usual case, settled by two vector scans */
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\r' || p[i] == '\n')
            p[i] = ' ';
    }
}

/* Lays out the answer's head; its body is sent from the response itself. */
static bool build_answer(struct cmn_hn_conn *c, struct cmn_http_response *r)
{
    struct cmn_hn_loop *lp = c->lp;
    const char *reason = cmn_http_reason(r->status);
    bool http10 = c->ex && strcmp(c->ex->req.version, "HTTP/1.0") == 0;
    bool said_close = false, has_date = false;

    for (size_t i = 0; i < r->n_headers; i++) {
        const char *n = r->headers[i].name;
        if ((n[0] | 0x20) == 'c' && cmn_str_eq_nocase(n, "Connection") &&
            has_token(r->headers[i].value, "close"))
            said_close = true;
        else if ((n[0] | 0x20) == 'd' && cmn_str_eq_nocase(n, "Date"))
            has_date = true; /* Go adds its own only when the handler set none */
    }
    if (said_close)
        c->keep_alive = false;
    c->out_len = c->out_pos = 0;
    refresh_date(lp);
    /* Go answers a 1.0 request in 1.0, and closing one says nothing unless the handler did. */
    if (!out_str(c, http10 ? "HTTP/1.0 " : "HTTP/1.1 ") || !out_uint(c, r->status) ||
        !out_add(c, " ", 1) ||
        (reason[0] ? !out_str(c, reason)
                   : !out_str(c, "status code ") || !out_uint(c, r->status)) ||
        !out_add(c, "\r\n", 2) || (!has_date && !out_add(c, lp->date, lp->date_len)))
        return false;
    if (!c->keep_alive && (said_close || !http10) && !out_str(c, "Connection: close\r\n"))
        return false;
    if (c->keep_alive && http10 && !out_str(c, "Connection: keep-alive\r\n"))
        return false;
    for (size_t i = 0; i < r->n_headers; i++) {
        const struct cmn_http_kv *h = &r->headers[i];
        if (cmn_str_eq_nocase(h->name, "Content-Length") ||
            cmn_str_eq_nocase(h->name, "Connection") ||
            cmn_str_eq_nocase(h->name, "Transfer-Encoding"))
            continue;
        /* Go's suppressedHeaders(304) drops the type as well */
        if (r->status == 304 && cmn_str_eq_nocase(h->name, "Content-Type"))
            continue;
        if (!out_str(c, h->name) || !out_add(c, ": ", 2))
            return false;
        size_t v = c->out_len;
        if (!out_str(c, h->value) || !out_add(c, "\r\n", 2))
            return false;
        newlines_to_spaces(c->out + v, c->out_len - 2 - v);
    }
    if (status_has_body(r->status) &&
        (!out_str(c, "Content-Length: ") || !out_uint(c, r->body_len) || !out_add(c, "\r\n", 2)))
        return false;
    if (!out_add(c, "\r\n", 2))
        return false;
    c->body = r->body;
    c->body_len = status_has_body(r->status) && !c->head_method ? r->body_len : 0;
    c->body_pos = 0;
    return true;
}

/* The exchange is answered: its answer goes out (or the connection closes for an abort). */
static void start_answer(struct cmn_hn_conn *c)
{
    struct cmn_http_exchange *ex = c->ex;
    struct cmn_http_response *r = ex->resp;

    atomic_store(&ex->state, EX_DONE);
    c->st = CS_WRITING;
    if (c->gone) {
        conn_close(c);
        return;
    }
    touch(c, cmn_clock_mono_ms());
    if (r->abort || !build_answer(c, r)) {
        conn_close(c);
        return;
    }
}

/* ---- reading -------------------------------------------------------------------------------- */

/* Reads what the socket has into the buffer, keeping at most `limit` unconsumed bytes.
 * Returns >0 bytes read, 0 at EOF, -1 when nothing is there (EAGAIN), -2 on error, -3 when the
 * buffer is full at its limit. */
static ssize_t conn_read(struct cmn_hn_conn *c, size_t limit)
{
    size_t have = c->in_len - c->in_pos, room;
    ssize_t n;

    if (c->in_pos && (c->in_pos == c->in_len || c->in_cap - c->in_len < 1024)) {
        memmove(c->in, c->in + c->in_pos, have);
        c->scan = c->scan > c->in_pos ? c->scan - c->in_pos : 0;
        c->in_len = have;
        c->in_pos = 0;
    }
    if (c->in_cap - c->in_len < 1024 && c->in_cap < limit + 1) {
        size_t cap = c->in_cap ? c->in_cap * 2 : IN_FIRST;
        if (cap > limit + 1)
            cap = limit + 1;
        char *p = realloc(c->in, cap);
        if (!p)
            return -2;
        c->in = p;
        c->in_cap = cap;
    }
    room = c->in_cap - c->in_len;
    if (room == 0)
        return -3;
    do
        n = recv(c->fd, c->in + c->in_len, room, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->readable = false;
            return -1;
        }
        return -2;
    }
    if (n == 0) {
        c->readable = false;
        return 0;
    }
    /* Drained: the next arrival raises a new edge; but a FIN that came with the data had its
     * edge already, and only reading on finds the end. */
    if ((size_t)n < room && !c->peer_shut)
        c->readable = false;
    c->in_len += (size_t)n;
    touch(c, cmn_clock_mono_ms());
    return n;
}

/* Next line of [p, end): its length without CR LF, *next after the LF; false if incomplete. */
static bool next_line(const char *p, const char *end, size_t *len, const char **next)
{
    const char *lf = memchr(p, '\n', (size_t)(end - p));

    if (!lf)
        return false;
    *next = lf + 1;
    *len = (size_t)(lf - p) - (lf > p && lf[-1] == '\r');
    return true;
}

enum parse_result { P_OK, P_BAD, P_TOO_MANY, P_VERSION };

static enum parse_result parse_request_line(const char *base, const char *p, size_t len,
                                            struct head *h)
{
    const char *end = p + len, *sp1, *sp2;

    for (sp1 = p; sp1 < end && cmn_str_is_tchar((unsigned char)*sp1); sp1++)
        ;
    if (sp1 == p || sp1 == end || *sp1 != ' ')
        return P_BAD;
    for (sp2 = sp1 + 1; sp2 < end && *sp2 != ' '; sp2++) {
        unsigned char ch = (unsigned char)*sp2;
        if (ch < 0x21 || ch == 0x7f)
            return P_BAD;
    }
    if (sp2 == sp1 + 1 || sp2 == end)
        return P_BAD;
    h->method = (struct span){(size_t)(p - base), (size_t)(sp1 - p)};
    h->target = (struct span){(size_t)(sp1 + 1 - base), (size_t)(sp2 - sp1 - 1)};
    h->version = (struct span){(size_t)(sp2 + 1 - base), (size_t)(end - sp2 - 1)};
    const char *v = sp2 + 1;
    if (end - v != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return P_BAD;
    if (v[5] != '1') /* Go serves any HTTP/1.x, 1.2 and up as 1.1 */
        return P_VERSION;
    h->strings = h->method.len + 1 + h->target.len + 1 + h->version.len + 1;
    return P_OK;
}

static bool byte_ok(unsigned char ch)
{
    return (ch >= 0x20 || ch == '\t') && ch != 0x7f;
}

/* A field value has no control characters but tab (RFC 9110 section 5.5). Tokens make values
 * long: sixteen (SSE2) or eight bytes at a time, a block with a suspect byte (< 0x20 or 0x7f)
 * checked bytewise. */
static bool value_ok(const unsigned char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;

#ifdef __SSE2__
    const __m128i ctl = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v), /* <= 0x1f */
                                   _mm_cmpeq_epi8(v, del));
        if (_mm_movemask_epi8(bad)) {
            for (size_t k = 0; k < 16; k++) {
                if (!byte_ok(p[i + k]))
                    return false;
            }
        }
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        /* a byte < 0x20 borrows, a 0x7f carries into its top bit; false alarms (carries
         * between bytes) only send the word to the bytewise check */
        if (((w - 0x20 * ones) | (w + ones)) & ~w & highs) {
            for (size_t k = 0; k < 8; k++) {
                if (!byte_ok(p[i + k]))
                    return false;
            }
        }
    }
    for (; i < n; i++) {
        if (!byte_ok(p[i]))
            return false;
    }
    return true;
}

static enum parse_result parse_field(const char *base, const char *p, size_t len, struct head *h)
{
    const char *end = p + len, *colon, *v, *ve;

    if (*p == ' ' || *p == '\t')
        return P_BAD; /* obsolete line folding */
    for (colon = p; colon < end && cmn_str_is_tchar((unsigned char)*colon); colon++)
        ;
    if (colon == p || colon == end || *colon != ':')
        return P_BAD;
    for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
        ;
    for (ve = end; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
        ;
    if (!value_ok((const unsigned char *)v, (size_t)(ve - v)))
        return P_BAD;
    if (h->n == MAX_HEADERS)
        return P_TOO_MANY;
    h->name[h->n] = (struct span){(size_t)(p - base), (size_t)(colon - p)};
    h->value[h->n] = (struct span){(size_t)(v - base), (size_t)(ve - v)};
    h->strings += (size_t)(colon - p) + 1 + (size_t)(ve - v) + 1;
    h->n++;
    return P_OK;
}

/* The exchange for a parsed head: one allocation holds it, the target and every string. */
static struct cmn_http_exchange *make_exchange(struct cmn_hn_conn *c, const char *base,
                                               const struct head *h)
{
    struct cmn_http_server *s = c->lp->s;
    size_t size = sizeof(struct cmn_http_exchange) + h->target.len + 1 + _Alignof(max_align_t) +
                  h->n * sizeof(struct cmn_http_kv) + h->strings;
    struct cmn_http_exchange *ex = malloc(size);
    struct cmn_http_request *r;
    char *at;

    if (!ex)
        return NULL;
    memset(ex, 0, sizeof(*ex));
    r = &ex->req;
    ex->server = s;
    ex->nc = c;
    ex->loop = c->lp->idx;
    atomic_init(&ex->state, EX_READING);
    atomic_init(&ex->refs, 1);
    ex->target = cmn_http_put(&(char *){ex->target_text}, base + h->target.off, h->target.len);
    uintptr_t kv = (uintptr_t)(ex->target_text + h->target.len + 1);
    kv = (kv + _Alignof(max_align_t) - 1) & ~(uintptr_t)(_Alignof(max_align_t) - 1);
    ex->headers = (struct cmn_http_kv *)kv;
    at = (char *)(ex->headers + h->n);
    ex->method = cmn_http_put(&at, base + h->method.off, h->method.len);
    ex->version = cmn_http_put(&at, base + h->version.off, h->version.len);
    const char *q = memchr(ex->target, '?', h->target.len);
    size_t path_len = q ? (size_t)(q - ex->target) : h->target.len;
    ex->path = cmn_http_put(&at, ex->target, path_len);
    for (size_t i = 0; i < h->n; i++) {
        ex->headers[i].name = cmn_http_put(&at, base + h->name[i].off, h->name[i].len);
        ex->headers[i].value = cmn_http_put(&at, base + h->value[i].off, h->value[i].len);
    }
    ex->n_headers = h->n;
    cmn_strlcpy(ex->remote_ip, c->remote_ip, sizeof(ex->remote_ip));
    cmn_http_request_publish(ex, q);
    r->remote_port = c->remote_port;
    r->tls = false;
    r->body = "";
    cmn_buf_init(&ex->body, s->opts.max_body);
    return ex;
}

/* httpguts.ValidHostHeader: only bytes that may appear in a uri-host and port. */
static bool valid_host(const char *h)
{
    for (; *h; h++) {
        unsigned char ch = (unsigned char)*h, l = ch | 0x20;
        if (!(l >= 'a' && l <= 'z') && !(ch >= '0' && ch <= '9') &&
            !strchr("!$%&'()*+,-.:;=[]_~", ch))
            return false;
    }
    return true;
}

/* Content-Length as Go reads it (transfer.go fixLength): repeated headers must say the same
 * thing byte for byte; a chunked body makes the value irrelevant; otherwise digits only, at
 * most 2^63-1 (strconv.ParseUint(v, 10, 63)). */
static bool content_length(const struct cmn_http_request *r, bool chunked, bool *present,
                           uint64_t *len)
{
    const char *first = NULL;
    uint64_t n = 0;

    for (size_t i = 0; i < r->n_headers; i++) {
        if (!cmn_str_eq_nocase(r->headers[i].name, "Content-Length"))
            continue;
        if (first && strcmp(first, r->headers[i].value) != 0)
            return false;
        first = r->headers[i].value;
    }
    *present = first != NULL;
    *len = 0;
    if (!first || chunked)
        return true;
    if (!cmn_str_parse_digits(first, strlen(first), 19, &n) || n > INT64_MAX)
        return false;
    *len = n;
    return true;
}

/* Framing and expectations of a parsed request; false when an error answer was queued. */
static bool frame_request(struct cmn_hn_conn *c, struct cmn_http_exchange *ex)
{
    const struct cmn_http_request *r = &ex->req;
    struct cmn_http_server *s = c->lp->s;
    bool http11 = r->version[7] != '0', cl_present, te = false, says_close = false;
    const char *conn = NULL, *expect = NULL, *host = NULL;
    unsigned hosts = 0;
    uint64_t cl;

    for (size_t i = 0; i < r->n_headers; i++) {
        const char *n = r->headers[i].name, *v = r->headers[i].value;
        if (cmn_str_eq_nocase(n, "Host")) {
            hosts++;
            host = v;
        } else if (cmn_str_eq_nocase(n, "Transfer-Encoding")) {
            if (te || !cmn_str_eq_nocase(v, "chunked")) {
                send_raw_error(c, "501 Not Implemented", "Unsupported transfer encoding");
                return false;
            }
            te = true;
        } else if (cmn_str_eq_nocase(n, "Connection")) {
            /* Go: "close" in any Connection header closes; the first one (and the first
             * Expect) is the one read for anything else. */
            says_close = says_close || has_token(v, "close");
            if (!conn)
                conn = v;
        } else if (cmn_str_eq_nocase(n, "Expect")) {
            if (!expect)
                expect = v;
        }
    }
    /* Go's order: the framing (transfer coding, then length) before the Host checks */
    if (!content_length(r, te, &cl_present, &cl)) {
        bad_request(c, NULL);
        return false;
    }
    if (http11 && hosts == 0) {
        bad_request(c, "missing required Host header");
        return false;
    }
    if (hosts > 1) {
        bad_request(c, "too many Host headers");
        return false;
    }
    if (host && !valid_host(host)) {
        bad_request(c, "malformed Host header");
        return false;
    }
    c->keep_alive = http11 ? !says_close : (conn && has_token(conn, "keep-alive"));
    c->head_method = strcmp(r->method, "HEAD") == 0;
    c->chunked = te;
    c->ch = CH_SIZE;
    c->left = te ? 0 : cl;
    if (te && cl_present)
        c->keep_alive = false; /* both framings: answer, then close (RFC 9112 section 6.3) */
    ex->req.has_body = te || cl > 0;
    c->expect_continue = false;
    if (expect) {
        if (!cmn_str_eq_nocase(expect, "100-continue")) {
            c->keep_alive = false;
            ex->resp = cmn_http_response_new(417);
            /* Go's sendExpectationFailed says so itself, 1.0 requests included. */
            if (ex->resp && !cmn_http_response_add_header(ex->resp, "Connection", "close")) {
                cmn_http_response_destroy(ex->resp);
                ex->resp = NULL;
            }
            if (!ex->resp) {
                conn_close(c);
                return false;
            }
            atomic_store(&ex->state, EX_ANSWERED);
            start_answer(c);
            return false;
        }
        c->expect_continue = http11 && ex->req.has_body;
    }
    if (!te && cl > s->opts.max_body) {
        c->keep_alive = false;
        ex->resp = cmn_http_response_text(413, "text/plain; charset=utf-8",
                                          "request body too large\n", 23);
        if (!ex->resp) {
            conn_close(c);
            return false;
        }
        if (s->opts.access_log)
            cmn_http_access_log(ex, ex->resp);
        atomic_store(&ex->state, EX_ANSWERED);
        start_answer(c);
        return false;
    }
    return true;
}

/* Parses a complete head in [in_pos, end_of_head); false when an error answer was queued. */
static bool take_head(struct cmn_hn_conn *c, size_t head_end)
{
    const char *base = c->in, *p = c->in + c->in_pos, *end = c->in + head_end, *next;
    struct head *h = &c->lp->head;
    enum parse_result pr;
    size_t len;

    h->n = 0;
    while (next_line(p, end, &len, &next) && len == 0) /* empty lines before a request */
        p = next;
    if (!next_line(p, end, &len, &next)) {
        bad_request(c, NULL);
        return false;
    }
    pr = parse_request_line(base, p, len, h);
    for (p = next; pr == P_OK && next_line(p, end, &len, &next) && len > 0; p = next)
        pr = parse_field(base, p, len, h);
    if (pr != P_OK) {
        if (pr == P_VERSION)
            status_error(c, "505 HTTP Version Not Supported", "unsupported protocol version");
        else if (pr == P_TOO_MANY)
            send_raw_error(c, "431 Request Header Fields Too Large",
                           "431 Request Header Fields Too Large");
        else
            bad_request(c, NULL);
        return false;
    }
    c->ex = make_exchange(c, base, h);
    c->in_pos = head_end;
    c->scan = head_end;
    if (!c->ex) {
        conn_close(c);
        return false;
    }
    c->ex->req.start_us = cmn_clock_mono_us();
    return frame_request(c, c->ex);
}

/* Where the head ends (after its empty line) within the buffer, or 0 if it is incomplete. */
static size_t find_head_end(struct cmn_hn_conn *c)
{
    size_t i = c->scan > c->in_pos ? c->scan : c->in_pos;

    /* Leading empty lines belong to no head: step over them first. */
    if (i == c->in_pos) {
        while (i < c->in_len && (c->in[i] == '\r' || c->in[i] == '\n'))
            i++;
        if (i == c->in_len)
            return 0;
    }
    while (i < c->in_len) {
        const char *lf = memchr(c->in + i, '\n', c->in_len - i);
        if (!lf)
            break;
        i = (size_t)(lf - c->in);
        if (i + 1 < c->in_len && c->in[i + 1] == '\n')
            return i + 2;
        if (i + 2 < c->in_len && c->in[i + 1] == '\r' && c->in[i + 2] == '\n')
            return i + 3;
        i++;
    }
    c->scan = c->in_len > 2 ? c->in_len - 2 : c->in_pos;
    return 0;
}

static bool body_add(struct cmn_hn_conn *c, const char *p, size_t n)
{
    if (cmn_buf_append(&c->ex->body, p, n) == CMN_BUF_OK)
        return true;
    c->keep_alive = false;
    c->ex->resp =
        cmn_http_response_text(413, "text/plain; charset=utf-8", "request body too large\n", 23);
    if (!c->ex->resp) {
        conn_close(c);
        return false;
    }
    if (c->lp->s->opts.access_log)
        cmn_http_access_log(c->ex, c->ex->resp);
    atomic_store(&c->ex->state, EX_ANSWERED);
    start_answer(c);
    return false;
}

enum body_result { B_DONE, B_MORE, B_STOP };

/* Moves buffered body bytes into the exchange. */
static enum body_result take_body(struct cmn_hn_conn *c)
{
    const char *next;
    size_t len;

    if (!c->chunked) {
        size_t n = c->in_len - c->in_pos;
        if (n > c->left)
            n = (size_t)c->left;
        if (n && !body_add(c, c->in + c->in_pos, n))
            return B_STOP;
        c->in_pos += n;
        c->left -= n;
        return c->left ? B_MORE : B_DONE;
    }
    for (;;) {
        const char *p = c->in + c->in_pos, *end = c->in + c->in_len;
        switch (c->ch) {
        case CH_SIZE:
        case CH_TRAILER:
        case CH_DATA_END:
            if (!next_line(p, end, &len, &next)) {
                if ((size_t)(end - p) > LINE_MAX_CHUNK) {
                    bad_request(c, NULL);
                    return B_STOP;
                }
                return B_MORE;
            }
            c->in_pos = (size_t)(next - c->in);
            if (c->ch == CH_DATA_END) {
                if (len != 0) {
                    bad_request(c, NULL);
                    return B_STOP;
                }
                c->ch = CH_SIZE;
            } else if (c->ch == CH_TRAILER) {
                if (len == 0)
                    return B_DONE;
            } else {
                uint64_t n = 0;
                size_t i = 0;
                for (; i < len && i < 16 && isxdigit((unsigned char)p[i]); i++)
                    n = n * 16 + (uint64_t)(p[i] <= '9' ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10);
                if (i == 0 || (i < len && p[i] != ';' && p[i] != ' ' && p[i] != '\t')) {
                    bad_request(c, NULL);
                    return B_STOP;
                }
                c->left = n;
                c->ch = n ? CH_DATA : CH_TRAILER;
            }
            break;
        case CH_DATA: {
            size_t n = (size_t)(end - p);
            if (n == 0)
                return B_MORE;
            if (n > c->left)
                n = (size_t)c->left;
            if (!body_add(c, p, n))
                return B_STOP;
            c->in_pos += n;
            c->left -= n;
            if (!c->left)
                c->ch = CH_DATA_END;
            break;
        }
        }
    }
}

/* The request is whole: the handler gets it. */
static void dispatch(struct cmn_hn_conn *c)
{
    struct cmn_http_exchange *ex = c->ex;
    struct cmn_http_server *s = c->lp->s;
    int expected = EX_HANDLING;

    ex->req.body = cmn_buf_str(&ex->body);
    ex->req.body_len = ex->body.len;
    c->st = CS_HANDLING;
    list_remove(c); /* a waiting request is bounded by its handler, not the idle timeout */
    atomic_store(&ex->state, EX_HANDLING);
    atomic_fetch_add(&ex->refs, 1);
    atomic_fetch_add(&s->inflight, 1);
    s->opts.handler(s->opts.ctx, ex, &ex->req);
    if (!atomic_compare_exchange_strong(&ex->state, &expected, EX_SUSPENDED))
        start_answer(c); /* answered inside the handler */
}

/* An answer went out completely: on to the next request, or close. */
static void finish_answer(struct cmn_hn_conn *c)
{
    if (c->ex) {
        c->ex->nc = NULL;
        cmn_http_exchange_unref(c->ex);
        c->ex = NULL;
    }
    c->body = NULL;
    c->body_len = c->body_pos = 0;
    c->out_len = c->out_pos = 0;
    if (!c->keep_alive) {
        conn_linger(c);
        return;
    }
    c->st = CS_HEAD;
    c->scan = c->in_pos;
    if (c->in_pos == c->in_len) {
        c->in_pos = c->in_len = c->scan = 0;
        if (c->in_cap > IN_KEEP) {
            free(c->in);
            c->in = NULL;
            c->in_cap = 0;
        }
    }
}

static void send_continue(struct cmn_hn_conn *c)
{
    static const char msg[] = "HTTP/1.1 100 Continue\r\n\r\n";

    c->expect_continue = false;
    /* A fresh connection's send buffer takes 25 bytes; if it does not, give up on it. */
    if (send(c->fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(msg) - 1))
        conn_close(c);
}

/* Advances the connection as far as its input and output allow. */
static void conn_drive(struct cmn_hn_conn *c)
{
    struct cmn_http_server *s = c->lp->s;

    for (;;) {
        ssize_t n;
        if (c->gone) /* closed on the way (out of memory for an error answer, say) */
            return;
        switch (c->st) {
        case CS_HEAD: {
            size_t end = c->in_len > c->in_pos ? find_head_end(c) : 0;
            /* The buffer holds one byte over the cap to see a head end there: not served. */
            if (end && end - c->in_pos > s->opts.max_header_bytes) {
                send_raw_error(c, "431 Request Header Fields Too Large",
                               "431 Request Header Fields Too Large");
                continue;
            }
            if (end) {
                if (take_head(c, end) && !c->gone)
                    c->st = CS_BODY;
                if (c->gone)
                    return;
                continue;
            }
            if (c->in_len - c->in_pos > s->opts.max_header_bytes) {
                send_raw_error(c, "431 Request Header Fields Too Large",
                               "431 Request Header Fields Too Large");
                continue;
            }
            if (!c->readable)
                return;
            n = conn_read(c, s->opts.max_header_bytes + 1);
            if (n == -1)
                return;
            if (n == -3) {
                send_raw_error(c, "431 Request Header Fields Too Large",
                               "431 Request Header Fields Too Large");
                continue;
            }
            if (n <= 0) { /* EOF or error while idle or mid-head: just close */
                conn_close(c);
                return;
            }
            continue;
        }
        case CS_BODY: {
            enum body_result br = take_body(c);
            if (c->gone)
                return;
            if (br == B_STOP)
                continue;
            if (br == B_DONE) {
                dispatch(c);
                if (c->gone)
                    return;
                continue;
            }
            if (c->expect_continue) {
                send_continue(c);
                if (c->gone)
                    return;
            }
            if (!c->readable)
                return;
            n = conn_read(c, 64 * 1024);
            if (n == -1)
                return;
            if (n <= 0) {
                conn_close(c);
                return;
            }
            continue;
        }
        case CS_HANDLING:
            return;
        case CS_WRITING:
            if (!conn_flush(c) || c->gone)
                return;
            finish_answer(c);
            continue;
        case CS_LINGER: {
            char sink[4096];
            for (;;) {
                n = recv(c->fd, sink, sizeof(sink), 0);
                if (n > 0 && c->lingered + (size_t)n <= LINGER_BYTES) {
                    c->lingered += (size_t)n;
                    continue;
                }
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                    c->readable = false;
                    return;
                }
                if (n < 0 && errno == EINTR)
                    continue;
                conn_close(c); /* EOF, error or too much */
                return;
            }
        }
        }
    }
}

/* ---- accepting ------------------------------------------------------------------------------ */

static void format_remote(struct cmn_hn_conn *c, const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)ss;
        inet_ntop(AF_INET, &in->sin_addr, c->remote_ip, sizeof(c->remote_ip));
        c->remote_port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)ss;
        /* An IPv4 client on a dual-stack socket (::ffff:a.b.c.d): report a.b.c.d. */
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], c->remote_ip, sizeof(c->remote_ip));
        else
            inet_ntop(AF_INET6, &in6->sin6_addr, c->remote_ip, sizeof(c->remote_ip));
        c->remote_port = ntohs(in6->sin6_port);
    } else {
        cmn_strlcpy(c->remote_ip, "unknown", sizeof(c->remote_ip));
    }
}

static void pause_accepting(struct cmn_hn_loop *lp)
{
    if (lp->listening && epoll_ctl(lp->epfd, EPOLL_CTL_DEL, lp->s->listen_fd, NULL) == 0)
        lp->listening = false;
    lp->accept_again_ms = cmn_clock_mono_ms() + ACCEPT_PAUSE_MS;
}

static void listen_in_epoll(struct cmn_hn_loop *lp)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL};

    if (!lp->listening && !lp->quiesced &&
        epoll_ctl(lp->epfd, EPOLL_CTL_ADD, lp->s->listen_fd, &ev) == 0)
        lp->listening = true;
}

static void accept_some(struct cmn_hn_loop *lp)
{
    for (int k = 0; k < ACCEPTS_PER_RUN && lp->listening; k++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int fd =
            accept4(lp->s->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct cmn_hn_conn *c;
        int one = 1;

        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                cmn_log_error("[HTTP] cannot accept a connection: %s", strerror(errno));
                pause_accepting(lp);
            }
            return; /* EAGAIN, or a connection that went away before we took it */
        }
        if (lp->n_conns >= lp->max_conns || !(c = calloc(1, sizeof(*c)))) {
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c->lp = lp;
        c->fd = fd;
        c->st = CS_HEAD;
        c->readable = true; /* a client usually writes right after connecting */
        format_remote(c, &ss);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET};
        ev.data.ptr = c;
        if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        lp->n_conns++;
        touch(c, cmn_clock_mono_ms());
        conn_drive(c);
    }
}

/* ---- the loop ------------------------------------------------------------------------------- */

static void take_answers(struct cmn_hn_loop *lp)
{
    struct cmn_http_exchange *ex;

    pthread_mutex_lock(&lp->qlock);
    ex = lp->qhead;
    lp->qhead = lp->qtail = NULL;
    pthread_mutex_unlock(&lp->qlock);
    while (ex) {
        struct cmn_http_exchange *next = ex->qnext;
        struct cmn_hn_conn *c = ex->nc;
        ex->qnext = NULL;
        if (c && c->ex == ex && c->st == CS_HANDLING) {
            start_answer(c);
            if (!c->gone)
                conn_drive(c);
        }
        ex = next;
    }
}

static void expire(struct cmn_hn_loop *lp, int64_t now)
{
    int64_t limit = idle_ms(lp);

    while (lp->oldest && now - lp->oldest->active_ms >= limit)
        conn_close(lp->oldest);
    /* Lingering connections have a shorter leash; they are few, walk them all. */
    for (struct cmn_hn_conn *c = lp->n_linger ? lp->oldest : NULL, *next; c; c = next) {
        next = c->next;
        if (c->st == CS_LINGER && now >= c->linger_until)
            conn_close(c);
    }
}

void cmn_hn_loop_run(struct cmn_http_server *s, unsigned i)
{
    struct cmn_hn_loop *lp = &s->nloops[i];
    struct epoll_event evs[EVENTS_PER_RUN];
    int64_t now;
    uint64_t v;
    int n;

    if (!atomic_load(&lp->owned)) {
        lp->owner = pthread_self();
        atomic_store(&lp->owned, true);
    }
    if (atomic_exchange(&lp->woken, false) && read(lp->wake_fd, &v, sizeof(v)) < 0 &&
        errno != EAGAIN)
        cmn_log_error("[HTTP] cannot read a loop's eventfd: %s", strerror(errno));
    take_answers(lp);
    now = cmn_clock_mono_ms();
    if (lp->accept_again_ms >= 0 && now >= lp->accept_again_ms) {
        lp->accept_again_ms = -1;
        listen_in_epoll(lp);
    }
    n = epoll_wait(lp->epfd, evs, EVENTS_PER_RUN, 0);
    for (int k = 0; k < n; k++) {
        struct cmn_hn_conn *c = evs[k].data.ptr;
        uint32_t e = evs[k].events;
        if (!c) {
            accept_some(lp);
            continue;
        }
        if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            c->readable = true;
        if (e & (EPOLLRDHUP | EPOLLHUP))
            c->peer_shut = true;
        if ((e & (EPOLLHUP | EPOLLERR)) && c->st == CS_HANDLING) {
            conn_close(c); /* nobody to answer; the struct waits for the exchange */
            continue;
        }
        conn_drive(c);
    }
    expire(lp, cmn_clock_mono_ms());
    bury(lp);
}

int64_t cmn_hn_loop_timeout_ms(const struct cmn_http_server *s, unsigned i)
{
    struct cmn_hn_loop *lp = &s->nloops[i];
    int64_t now = cmn_clock_mono_ms(), due = -1;
    bool queued;

    pthread_mutex_lock(&lp->qlock);
    queued = lp->qhead != NULL;
    pthread_mutex_unlock(&lp->qlock);
    if (queued)
        return 0;
    if (lp->oldest)
        due = lp->oldest->active_ms + idle_ms(lp);
    for (struct cmn_hn_conn *c = lp->n_linger ? lp->oldest : NULL; c; c = c->next) {
        if (c->st == CS_LINGER && (due < 0 || c->linger_until < due))
            due = c->linger_until;
    }
    if (lp->accept_again_ms >= 0 && (due < 0 || lp->accept_again_ms < due))
        due = lp->accept_again_ms;
    if (due < 0)
        return -1;
    return due <= now ? 0 : due - now;
}

void cmn_hn_deliver(struct cmn_http_exchange *ex)
{
    struct cmn_hn_loop *lp = &ex->server->nloops[ex->loop];
    uint64_t one = 1;
    bool dead;

    pthread_mutex_lock(&lp->qlock);
    dead = lp->dead;
    if (dead && ex->nc) {
        /* The loops are gone: so is this answer; its connection goes with it. Under the lock:
         * late answers from several threads share the loop's counts and graveyard. */
        struct cmn_hn_conn *c = ex->nc;
        c->ex = NULL;
        c->st = CS_WRITING;
        conn_close(c);
        bury(lp);
    } else if (!dead) {
        if (lp->qtail)
            lp->qtail->qnext = ex;
        else
            lp->qhead = ex;
        lp->qtail = ex;
    }
    pthread_mutex_unlock(&lp->qlock);
    if (dead) {
        cmn_http_exchange_unref(ex);
        return;
    }
    if (atomic_load(&lp->owned) && pthread_equal(pthread_self(), lp->owner))
        return; /* the loop asks for its timeout (0 now) before it waits again */
    if (!atomic_exchange(&lp->woken, true) && write(lp->wake_fd, &one, sizeof(one)) < 0)
        cmn_log_error("[HTTP] cannot wake a loop: %s", strerror(errno));
}

int cmn_hn_loop_fd(const struct cmn_http_server *s, unsigned i)
{
    return s->nloops[i].epfd;
}

int cmn_hn_loop_wake_fd(const struct cmn_http_server *s, unsigned i)
{
    return s->nloops[i].wake_fd;
}

void cmn_hn_quiesce_loop(struct cmn_http_server *s, unsigned i)
{
    struct cmn_hn_loop *lp = &s->nloops[i];

    if (lp->quiesced)
        return;
    if (lp->listening)
        epoll_ctl(lp->epfd, EPOLL_CTL_DEL, s->listen_fd, NULL);
    lp->listening = false;
    lp->quiesced = true;
    if (atomic_fetch_add(&s->n_quiesced, 1) + 1 == s->n_daemons && s->listen_fd >= 0) {
        close(s->listen_fd);
        s->listen_fd = -1;
    }
}

void cmn_hn_stop(struct cmn_http_server *s)
{
    for (unsigned i = 0; i < s->n_daemons; i++) {
        struct cmn_hn_loop *lp = &s->nloops[i];
        struct cmn_http_exchange *ex;

        /* Held throughout: from here on, late answers close their connections themselves. */
        pthread_mutex_lock(&lp->qlock);
        lp->dead = true;
        ex = lp->qhead;
        lp->qhead = lp->qtail = NULL;
        for (struct cmn_http_exchange *next; ex; ex = next) {
            next = ex->qnext;
            if (ex->nc) {
                ex->nc->ex = NULL;
                ex->nc->st = CS_WRITING;
                conn_close(ex->nc);
            }
            cmn_http_exchange_unref(ex);
        }
        /* Connections still waiting for an answer are not on the list: their exchanges hold
         * them and cmn_hn_deliver() drops them; close the sockets of the listed ones. */
        while (lp->oldest)
            conn_close(lp->oldest);
        bury(lp);
        pthread_mutex_unlock(&lp->qlock);
    }
}

/* ---- start and free ------------------------------------------------------------------------ */

static int open_listener(struct cmn_http_server *s, struct cmn_err *err)
{
    const char *bind_to = s->opts.bind && s->opts.bind[0] ? s->opts.bind : NULL;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL, *ai;
    char port[16];
    int fd = -1, one = 1, rc;

    snprintf(port, sizeof(port), "%u", s->opts.port);
    if (!bind_to)
        hints.ai_family = AF_INET6; /* "::" with IPV6_V6ONLY off takes IPv4 too */
    rc = getaddrinfo(bind_to, port, &hints, &res);
    if (rc != 0 && !bind_to) {
        hints.ai_family = AF_INET;
        rc = getaddrinfo(NULL, port, &hints, &res);
    }
    if (rc != 0 || !res) {
        cmn_err_set(err, 1, "cannot resolve bind address '%s': %s", bind_to ? bind_to : "*",
                    gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6 && !bind_to) {
            int zero = 0;
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 4096) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        cmn_err_set(err, 1, "cannot listen on %s:%u (address in use, or no permission?)",
                    bind_to ? bind_to : "*", s->opts.port);
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    s->port = s->opts.port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

bool cmn_hn_start(struct cmn_http_server *s, struct cmn_err *err)
{
    unsigned per_loop = (s->opts.max_connections + s->n_daemons - 1) / s->n_daemons;

    s->nloops = calloc(s->n_daemons, sizeof(*s->nloops));
    if (!s->nloops) {
        cmn_err_set(err, 1, "out of memory");
        return false;
    }
    for (unsigned i = 0; i < s->n_daemons; i++) {
        struct cmn_hn_loop *lp = &s->nloops[i];
        lp->epfd = lp->wake_fd = -1;
        lp->s = s;
        lp->idx = i;
        lp->max_conns = per_loop;
        lp->accept_again_ms = -1;
        lp->date_sec = -1;
        atomic_init(&lp->owned, false);
        atomic_init(&lp->woken, false);
        pthread_mutex_init(&lp->qlock, NULL);
    }
    s->listen_fd = open_listener(s, err);
    if (s->listen_fd < 0)
        return false;
    for (unsigned i = 0; i < s->n_daemons; i++) {
        struct cmn_hn_loop *lp = &s->nloops[i];
        lp->epfd = epoll_create1(EPOLL_CLOEXEC);
        lp->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (lp->epfd < 0 || lp->wake_fd < 0) {
            cmn_err_set(err, 1, "cannot create an epoll set or eventfd: %s", strerror(errno));
            return false;
        }
        listen_in_epoll(lp);
        if (!lp->listening) {
            cmn_err_set(err, 1, "cannot watch the listening socket: %s", strerror(errno));
            return false;
        }
    }
    return true;
}

void cmn_hn_free(struct cmn_http_server *s)
{
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    s->listen_fd = -1;
    for (unsigned i = 0; i < s->n_daemons; i++) {
        struct cmn_hn_loop *lp = &s->nloops[i];
        while (lp->oldest)
            conn_close(lp->oldest);
        bury(lp);
        if (lp->epfd >= 0)
            close(lp->epfd);
        if (lp->wake_fd >= 0)
            close(lp->wake_fd);
        pthread_mutex_destroy(&lp->qlock);
    }
    free(s->nloops);
    s->nloops = NULL;
}
