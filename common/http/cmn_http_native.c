/* cmn_http_native.c - cmn_http's own HTTP/1.1 engine, plain or over TLS, for servers driven by
 * their callers' event loops (the gateway's workers).
 *
 * libmicrohttpd re-arms a suspended connection with two epoll_ctl calls and a recv that finds
 * nothing, and clears a 64 KiB pool per request: on a proxy's hot path that was a third of the
 * server's CPU. Here each loop owns an epoll set: a connection is registered once
 * (edge-triggered), a request costs one recv and one sendmsg, and a short read means the socket
 * is drained. What clients see follows Go's net/http, which KrakenD serves with: Date on every
 * answer, Content-Length, keep-alive rules of HTTP/1.0 and 1.1, 100-continue, chunked request
 * bodies, and its raw error answers (400, 431, 501, 505) for requests it cannot read. Requests
 * are read by cmn_h1 (the sans-IO parser the backend client shares) and HTTPS by the same code
 * over a GnuTLS session (cmn_hn_tls), so every listener refuses what docs/security.md lists.
 * Heads have a deadline from their first byte, requests one when configured, and a full table
 * sheds connections that have not sent a whole head yet (slow-client attacks). */
#include "cmn_clock.h"
#include "cmn_h1.h"
#include "cmn_hn_tls.h"
#include "cmn_http_field.h"
#include "cmn_http_int.h"
#include "cmn_log.h"
#include "cmn_str.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS 128
#define EVENTS_PER_RUN 64
#define ACCEPTS_PER_RUN 64
#define IN_FIRST 4096          /* first read buffer of a connection */
#define IN_KEEP (16 * 1024)    /* larger buffers are freed between requests */
#define HEAD_FREE (64 * 1024)  /* read-buffer bytes a connection holds without the head budget */
#define BODY_READ (64 * 1024)  /* body bytes buffered at a time */
#define LINGER_MS 2000         /* a closing connection drains its input at most this long */
#define LINGER_BYTES (1 << 20) /* ... and at most this much */
#define ACCEPT_PAUSE_MS 100    /* out of descriptors: accept again after this */
#define HEAD_TIMEOUT_MS 10000  /* a request head's deadline when none is configured */
#define SHED_LOOK 64           /* connections looked at for one to shed when the table is full */

enum conn_state {
    CS_HANDSHAKE, /* TLS: the handshake is under way */
    CS_READ,      /* reading a request: its head, then its body */
    CS_HANDLING,  /* the handler has the exchange */
    CS_WRITING,   /* sending an answer */
    CS_LINGER,    /* answer sent, write side shut: draining input until EOF */
};

struct cmn_hn_conn {
    struct cmn_hn_loop *lp;
    int fd;
    enum conn_state st;
    bool readable;    /* an input edge was seen and no short read since */
    bool peer_shut;   /* the client's FIN arrived (EPOLLRDHUP): no edge will announce EOF */
    bool gone;        /* the socket is closed; the struct waits for its exchange's answer */
    bool keep_alive;  /* the current request allows another one after it */
    bool head_method; /* HEAD: the answer has no body */
    bool expect_continue;
    bool asterisk;           /* "OPTIONS *": the server answers it, not the handler */
    void *tls;               /* gnutls session, or NULL for plain HTTP */
    struct cmn_h1_reader rd; /* the request stream's framing */
    char *in;                /* read buffer: [in_pos, in_len) not consumed yet */
    size_t in_len, in_cap, in_pos;
    char *out; /* the answer's head (or a whole raw error answer, or 100 Continue) */
    size_t out_len, out_cap, out_pos;
    const char *body; /* the answer's body, owned by ex->resp */
    size_t body_len, body_pos;
    struct cmn_http_exchange *ex;
    int64_t active_ms;
    int64_t linger_until;
    size_t lingered;
    struct cmn_hn_conn *prev, *next; /* on the loop's activity list (not while handling) */
    bool listed;
    int64_t req_start_ms;              /* the current request's first byte, -1 between */
    struct cmn_hn_conn *rprev, *rnext; /* on the loop's list of requests being read */
    bool rlisted;
    int64_t write_due_ms;              /* the answer's write deadline, -1 = none */
    struct cmn_hn_conn *wprev, *wnext; /* on the loop's list of write deadlines */
    bool wlisted;
    bool write_expired; /* the deadline passed while the handler had the exchange */
    size_t in_reserved; /* bytes of `in` taken from the server's head budget */
    char remote_ip[INET6_ADDRSTRLEN];
    unsigned remote_port;
};

/* The fields of the head being parsed, as offsets from base (the reader's buffer). */
struct head {
    const char *base;
    struct cmn_h1_span name[MAX_HEADERS], value[MAX_HEADERS];
    size_t n;
    size_t strings; /* bytes the field strings need with their NULs */
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
    struct cmn_hn_conn *oldest, *newest;     /* connections by last activity */
    struct cmn_hn_conn *r_oldest, *r_newest; /* requests being read, by their first byte */
    struct cmn_hn_conn *w_oldest, *w_newest; /* write deadlines, earliest first */
    struct cmn_hn_conn *graveyard;           /* closed this run, freed at its end */
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

/* The engine's state behind s->engine_data. */
struct native {
    struct cmn_hn_loop *loops; /* one per external loop */
    struct cmn_hn_tls *tls;    /* HTTPS, or NULL */
};

static struct native *native(const struct cmn_http_server *s)
{
    return s->engine_data;
}

static struct cmn_hn_loop *loops(const struct cmn_http_server *s)
{
    return native(s)->loops;
}

static void conn_drive(struct cmn_hn_conn *c);

/* ---- small helpers ------------------------------------------------------------------------ */

static int64_t idle_ms(const struct cmn_hn_loop *lp)
{
    return (int64_t)lp->s->opts.idle_timeout_s * 1000;
}

static int64_t head_ms(const struct cmn_hn_loop *lp)
{
    return lp->s->opts.head_timeout_ms ? lp->s->opts.head_timeout_ms : HEAD_TIMEOUT_MS;
}

/* The first deadline a request being read can meet: its head's, or the whole request's. */
static int64_t first_deadline_ms(const struct cmn_hn_loop *lp)
{
    int64_t h = head_ms(lp), r = lp->s->opts.request_timeout_ms;

    return r && r < h ? r : h;
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

/* The request is no longer being read (it was dispatched, answered early, or the connection
 * closed): its deadlines no longer apply. */
static void reading_end(struct cmn_hn_conn *c)
{
    struct cmn_hn_loop *lp = c->lp;

    c->req_start_ms = -1;
    if (!c->rlisted)
        return;
    if (c->rprev)
        c->rprev->rnext = c->rnext;
    else
        lp->r_oldest = c->rnext;
    if (c->rnext)
        c->rnext->rprev = c->rprev;
    else
        lp->r_newest = c->rprev;
    c->rprev = c->rnext = NULL;
    c->rlisted = false;
}

/* A request starts (its first byte, or the connection for the first one, as in Go): from now
 * its head and the whole request have their deadlines. The list stays in start order. */
static void reading_start(struct cmn_hn_conn *c, int64_t now)
{
    struct cmn_hn_loop *lp = c->lp;

    if (c->req_start_ms >= 0)
        return;
    c->req_start_ms = now;
    c->rprev = lp->r_newest;
    c->rnext = NULL;
    if (lp->r_newest)
        lp->r_newest->rnext = c;
    else
        lp->r_oldest = c;
    lp->r_newest = c;
    c->rlisted = true;
}

/* Go's WriteTimeout: the answer to the request whose head was just read (or a TLS handshake
 * that starts) must be out by now + write_timeout. The deadline is the same offset for every
 * connection, so appending keeps the list in deadline order. */
static void write_end(struct cmn_hn_conn *c)
{
    struct cmn_hn_loop *lp = c->lp;

    c->write_due_ms = -1;
    c->write_expired = false;
    if (!c->wlisted)
        return;
    if (c->wprev)
        c->wprev->wnext = c->wnext;
    else
        lp->w_oldest = c->wnext;
    if (c->wnext)
        c->wnext->wprev = c->wprev;
    else
        lp->w_newest = c->wprev;
    c->wprev = c->wnext = NULL;
    c->wlisted = false;
}

static void write_start(struct cmn_hn_conn *c, int64_t now)
{
    struct cmn_hn_loop *lp = c->lp;
    unsigned wt = lp->s->opts.write_timeout_ms;

    if (!wt)
        return;
    write_end(c);
    c->write_due_ms = now + wt;
    c->wprev = lp->w_newest;
    if (lp->w_newest)
        lp->w_newest->wnext = c;
    else
        lp->w_oldest = c;
    lp->w_newest = c;
    c->wlisted = true;
}

/* Read-buffer memory beyond HEAD_FREE comes from the server-wide head budget, so that large
 * max_header_bytes cost nothing for small heads and cannot add up past the budget. */
static bool in_reserve(struct cmn_hn_conn *c, size_t cap)
{
    struct cmn_http_server *s = c->lp->s;
    size_t want = cap > HEAD_FREE ? cap - HEAD_FREE : 0;

    if (want <= c->in_reserved)
        return true;
    size_t more = want - c->in_reserved;
    size_t before = atomic_fetch_add(&s->head_bytes, more);
    if (before + more > s->opts.head_budget) {
        atomic_fetch_sub(&s->head_bytes, more);
        return false;
    }
    c->in_reserved = want;
    return true;
}

static void in_release(struct cmn_hn_conn *c)
{
    if (c->in_reserved)
        atomic_fetch_sub(&c->lp->s->head_bytes, c->in_reserved);
    c->in_reserved = 0;
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
    in_release(c);
    cmn_hn_tls_session_free(c->tls);
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
    reading_end(c);
    write_end(c);
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

    if (c->tls)
        cmn_hn_tls_bye(c->tls);
    shutdown(c->fd, SHUT_WR);
    reading_end(c);
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

/* One write of what is pending: bytes sent, 0 when the socket is full, -1 on an error. */
static ssize_t send_some(struct cmn_hn_conn *c)
{
    if (c->tls) {
        /* A record at a time; after AGAIN the same buffer is offered again, as GnuTLS asks. */
        const char *p = c->out_pos < c->out_len ? c->out + c->out_pos : c->body + c->body_pos;
        size_t n = c->out_pos < c->out_len ? c->out_len - c->out_pos : c->body_len - c->body_pos;
        ssize_t k = cmn_hn_tls_send(c->tls, p, n);
        return k == CMN_HN_TLS_AGAIN ? 0 : k < 0 ? -1 : k;
    }
    struct iovec iov[2];
    struct msghdr m = {.msg_iov = iov};
    ssize_t k;

    if (c->out_pos < c->out_len)
        iov[m.msg_iovlen++] = (struct iovec){c->out + c->out_pos, c->out_len - c->out_pos};
    if (c->body_pos < c->body_len) {
        void *rest = (void *)(uintptr_t)(c->body + c->body_pos);
        iov[m.msg_iovlen++] = (struct iovec){rest, c->body_len - c->body_pos};
    }
    do
        k = sendmsg(c->fd, &m, MSG_NOSIGNAL);
    while (k < 0 && errno == EINTR);
    if (k < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    return k;
}

/* Sends what is pending; true when all of it is out (or the connection was closed: then
 * c->gone is set). */
static bool conn_flush(struct cmn_hn_conn *c)
{
    while (c->out_pos < c->out_len || c->body_pos < c->body_len) {
        ssize_t n = send_some(c);
        if (n == 0)
            return false; /* EPOLLOUT brings us back */
        if (n < 0) {
            if (c->st != CS_HANDLING)
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
static void send_raw_error(struct cmn_hn_conn *c, struct cmn_h1_verdict v)
{
    char text[256];
    size_t n = cmn_h1_answer(v, text, sizeof(text));

    c->out_len = c->out_pos = 0;
    c->body = NULL;
    c->body_len = c->body_pos = 0;
    c->keep_alive = false;
    reading_end(c);
    if (!out_add(c, text, n)) {
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

static bool status_has_body(unsigned st)
{
    return !(st < 200 || st == 204 || st == 304);
}

/* Every field an answer carries passes the one field rule (cmn_http_field.h); one that does not
 * is left out and logged: it can neither end the head early nor carry control bytes. */
static bool field_ok(const struct cmn_http_kv *h, size_t nl, size_t vl)
{
    if (cmn_http_field_name_ok(h->name, nl) && cmn_http_field_value_ok(h->value, vl))
        return true;
    cmn_log_error(
        "[HTTP] an answer's header field \"%.64s\" has an invalid name or value: left out",
        h->name);
    return false;
}

/* Lays out the answer's head; its body is sent from the response itself. */
static bool build_answer(struct cmn_hn_conn *c, struct cmn_http_response *r)
{
    struct cmn_hn_loop *lp = c->lp;
    const char *reason = cmn_http_reason(r->status);
    bool http10 = c->ex && strcmp(c->ex->req.version, "HTTP/1.0") == 0;
    bool said_close = false, has_date = false;

    for (size_t i = 0; i < r->n_headers; i++) {
        const char *n = r->headers[i].name, *v = r->headers[i].value;
        if (r->lines && r->lines[i]) /* never Connection nor Date */
            continue;
        if ((n[0] | 0x20) == 'c' && cmn_str_eq_nocase(n, "Connection") &&
            cmn_h1_has_token(v, strlen(v), "close"))
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
        if (r->lines && r->lines[i]) { /* checked and laid out once (cmn_http_line_init) */
            if (!out_add(c, r->lines[i]->wire, r->lines[i]->wire_len))
                return false;
            continue;
        }
        if (cmn_str_eq_nocase(h->name, "Content-Length") ||
            cmn_str_eq_nocase(h->name, "Connection") ||
            cmn_str_eq_nocase(h->name, "Transfer-Encoding"))
            continue;
        /* Go's suppressedHeaders(304) drops the type as well */
        if (r->status == 304 && cmn_str_eq_nocase(h->name, "Content-Type"))
            continue;
        size_t nl = strlen(h->name), vl = strlen(h->value);
        if (!field_ok(h, nl, vl))
            continue;
        if (!out_reserve(c, nl + 2 + vl + 2))
            return false;
        char *at = c->out + c->out_len;
        memcpy(at, h->name, nl);
        memcpy(at + nl, ": ", 2);
        memcpy(at + nl + 2, h->value, vl);
        memcpy(at + nl + 2 + vl, "\r\n", 2);
        c->out_len += nl + 2 + vl + 2;
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

    int64_t now = cmn_clock_mono_ms();

    atomic_store(&ex->state, EX_DONE);
    reading_end(c);
    c->st = CS_WRITING;
    /* Go writes nothing after the write deadline: the connection just ends */
    if (c->gone || c->write_expired || (c->write_due_ms >= 0 && now >= c->write_due_ms)) {
        conn_close(c);
        return;
    }
    touch(c, now);
    if (r->abort || !build_answer(c, r)) {
        conn_close(c);
        return;
    }
}

/* An answer the server gives itself, with an access-log line when the server logs. */
static void answer_now(struct cmn_hn_conn *c, struct cmn_http_response *r)
{
    if (!r) {
        conn_close(c);
        return;
    }
    c->ex->resp = r;
    if (c->lp->s->opts.access_log)
        cmn_http_access_log(c->ex, r);
    atomic_store(&c->ex->state, EX_ANSWERED);
    start_answer(c);
}

static void too_large(struct cmn_hn_conn *c)
{
    c->keep_alive = false;
    answer_now(c, cmn_http_response_text(413, "text/plain; charset=utf-8",
                                         "request body too large\n", 23));
}

/* ---- reading -------------------------------------------------------------------------------- */

/* One read from the socket (or the TLS session) into dst: > 0 bytes, 0 at the end of the
 * stream, -1 when nothing is there, -2 on an error. Clears `readable` when the source is
 * drained. */
static ssize_t recv_some(struct cmn_hn_conn *c, char *dst, size_t room)
{
    ssize_t n;

    if (c->tls) {
        n = cmn_hn_tls_recv(c->tls, dst, room);
        if (n == CMN_HN_TLS_AGAIN) {
            c->readable = false;
            return -1;
        }
        if (n < 0)
            return -2;
        /* a record may be shorter than the room: only AGAIN says the socket is drained */
        return n;
    }
    do
        n = recv(c->fd, dst, room, 0);
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
    return n;
}

/* Reads what the socket has into the buffer, keeping at most `limit` unconsumed bytes.
 * Returns >0 bytes read, 0 at EOF, -1 when nothing is there (EAGAIN), -2 on error, -3 when the
 * buffer is full at its limit, -4 when growing it would exceed the head budget. */
static ssize_t conn_read(struct cmn_hn_conn *c, size_t limit)
{
    size_t have = c->in_len - c->in_pos, room;
    ssize_t n;

    if (c->in_pos && (c->in_pos == c->in_len || c->in_cap - c->in_len < 1024)) {
        memmove(c->in, c->in + c->in_pos, have);
        c->in_len = have;
        c->in_pos = 0;
    }
    if (c->in_cap - c->in_len < 1024 && c->in_cap < limit + 1) {
        size_t cap = c->in_cap ? c->in_cap * 2 : IN_FIRST;
        if (cap > limit + 1)
            cap = limit + 1;
        if (!in_reserve(c, cap))
            return -4;
        char *p = realloc(c->in, cap);
        if (!p)
            return -2;
        c->in = p;
        c->in_cap = cap;
    }
    room = c->in_cap - c->in_len;
    if (room == 0)
        return -3;
    n = recv_some(c, c->in + c->in_len, room);
    if (n <= 0)
        return n;
    if (c->tls && cmn_hn_tls_pending(c->tls))
        c->readable = true;
    c->in_len += (size_t)n;
    touch(c, cmn_clock_mono_ms());
    return n;
}

/* The reader's field callback: offsets into the head scratch, up to MAX_HEADERS. */
static bool on_field(void *ctx, const char *name, size_t nl, const char *value, size_t vl)
{
    struct head *h = ctx;

    if (h->n == MAX_HEADERS)
        return false;
    h->name[h->n] = (struct cmn_h1_span){(size_t)(name - h->base), nl};
    h->value[h->n] = (struct cmn_h1_span){(size_t)(value - h->base), vl};
    h->strings += nl + 1 + vl + 1;
    h->n++;
    return true;
}

/* The exchange for a parsed head: one allocation holds it, the target and every string. */
static struct cmn_http_exchange *make_exchange(struct cmn_hn_conn *c, const char *base,
                                               const struct cmn_h1_request *rq,
                                               const struct head *h)
{
    struct cmn_http_server *s = c->lp->s;
    size_t strings = rq->method.len + 1 + rq->version.len + 1 + rq->path.len + 1 +
                     rq->authority.len + 1 + h->strings;
    size_t size = sizeof(struct cmn_http_exchange) + rq->target.len + 1 + _Alignof(max_align_t) +
                  h->n * sizeof(struct cmn_http_kv) + strings;
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
    ex->target = cmn_http_put(&(char *){ex->target_text}, base + rq->target.off, rq->target.len);
    uintptr_t kv = (uintptr_t)(ex->target_text + rq->target.len + 1);
    kv = (kv + _Alignof(max_align_t) - 1) & ~(uintptr_t)(_Alignof(max_align_t) - 1);
    ex->headers = (struct cmn_http_kv *)kv;
    at = (char *)(ex->headers + h->n);
    ex->method = cmn_http_put(&at, base + rq->method.off, rq->method.len);
    ex->version = cmn_http_put(&at, base + rq->version.off, rq->version.len);
    ex->path = cmn_http_put(&at, base + rq->path.off, rq->path.len);
    if (rq->form == CMN_H1_ABSOLUTE)
        ex->authority = cmn_http_put(&at, base + rq->authority.off, rq->authority.len);
    for (size_t i = 0; i < h->n; i++) {
        ex->headers[i].name = cmn_http_put(&at, base + h->name[i].off, h->name[i].len);
        ex->headers[i].value = cmn_http_put(&at, base + h->value[i].off, h->value[i].len);
    }
    ex->n_headers = h->n;
    cmn_strlcpy(ex->remote_ip, c->remote_ip, sizeof(ex->remote_ip));
    cmn_http_request_publish(ex, rq->has_query ? ex->target + (rq->query.off - rq->target.off) - 1
                                               : NULL);
    r->remote_port = c->remote_port;
    r->tls = c->tls != NULL;
    r->body = "";
    r->has_body = rq->has_body;
    cmn_buf_init(&ex->body, s->opts.max_body);
    return ex;
}

/* A head was read: the exchange is made and its body awaited. False when the connection was
 * answered (417, 413) or closed instead. */
static bool take_head(struct cmn_hn_conn *c, const char *base, const struct cmn_h1_request *rq)
{
    struct cmn_http_server *s = c->lp->s;

    c->ex = make_exchange(c, base, rq, &c->lp->head);
    if (!c->ex) {
        conn_close(c);
        return false;
    }
    c->ex->req.start_us = cmn_clock_mono_us();
    write_start(c, cmn_clock_mono_ms()); /* Go: reset whenever a new request's head is read */
    c->keep_alive = rq->keep_alive;
    c->head_method = rq->head_method;
    c->expect_continue = rq->expect_continue;
    c->asterisk = rq->form == CMN_H1_ASTERISK && rq->method.len == 7 &&
                  memcmp(base + rq->method.off, "OPTIONS", 7) == 0;
    if (!s->opts.request_timeout_ms)
        reading_end(c); /* the head is in: only the idle timeout bounds the body */
    if (rq->expect_failed) {
        /* Go's sendExpectationFailed says "Connection: close" itself, 1.0 requests included. */
        struct cmn_http_response *r = cmn_http_response_new(417);
        c->keep_alive = false;
        if (r && !cmn_http_response_add_header(r, "Connection", "close")) {
            cmn_http_response_destroy(r);
            r = NULL;
        }
        answer_now(c, r);
        return false;
    }
    if (!rq->chunked && rq->length > s->opts.max_body) {
        too_large(c);
        return false;
    }
    return true;
}

static bool body_add(struct cmn_hn_conn *c, const char *p, size_t n)
{
    if (cmn_buf_append(&c->ex->body, p, n) == CMN_BUF_OK)
        return true;
    too_large(c);
    return false;
}

/* The request is whole: the handler gets it ("OPTIONS *" is answered here, as Go's
 * globalOptionsHandler does). */
static void dispatch(struct cmn_hn_conn *c)
{
    struct cmn_http_exchange *ex = c->ex;
    struct cmn_http_server *s = c->lp->s;
    int expected = EX_HANDLING;

    reading_end(c);
    ex->req.body = cmn_buf_str(&ex->body);
    ex->req.body_len = ex->body.len;
    if (c->asterisk) {
        answer_now(c, cmn_http_response_new(200));
        return;
    }
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
    write_end(c);
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
    c->st = CS_READ;
    c->asterisk = false;
    if (c->in_pos == c->in_len) {
        c->in_pos = c->in_len = 0;
        if (c->in_cap > IN_KEEP) {
            free(c->in);
            c->in = NULL;
            c->in_cap = 0;
            in_release(c);
        }
    }
}

/* "100 Continue" before the body is read; it goes out ahead of anything else. */
static void send_continue(struct cmn_hn_conn *c)
{
    c->expect_continue = false;
    if (!out_str(c, "HTTP/1.1 100 Continue\r\n\r\n"))
        conn_close(c);
}

/* One step of reading: true to go on, false when the connection waits (for input or an
 * answer) or is gone. */
static bool read_step(struct cmn_hn_conn *c)
{
    struct cmn_hn_loop *lp = c->lp;
    struct cmn_http_server *s = lp->s;
    const char *base = c->in + c->in_pos;
    struct cmn_h1_out out;
    size_t used = 0;
    ssize_t n;

    if (c->out_pos < c->out_len) { /* a 100 Continue still on its way */
        if (!conn_flush(c) || c->gone)
            return false;
        c->out_len = c->out_pos = 0;
    }
    if (c->in_len > c->in_pos && cmn_h1_reader_idle(&c->rd))
        reading_start(c, cmn_clock_mono_ms());
    lp->head.base = base;
    lp->head.n = 0;
    lp->head.strings = 0;
    switch (cmn_h1_read(&c->rd, base, c->in_len - c->in_pos, &used, on_field, &lp->head, &out)) {
    case CMN_H1_HEAD:
        if (take_head(c, base, &out.req))
            c->in_pos += used;
        return !c->gone;
    case CMN_H1_DATA:
        c->in_pos += used;
        return body_add(c, out.data, out.data_len) || !c->gone;
    case CMN_H1_END:
        c->in_pos += used;
        dispatch(c);
        return !c->gone;
    case CMN_H1_FAIL:
        send_raw_error(c, out.fail);
        return !c->gone;
    case CMN_H1_MORE:
        break;
    }
    c->in_pos += used;
    if (c->ex && c->expect_continue) {
        send_continue(c);
        return !c->gone;
    }
    if (!c->readable)
        return false;
    n = conn_read(c, c->ex ? BODY_READ : s->opts.max_header_bytes + 1);
    if (n == -1)
        return false;
    if (n == -3) /* a head fills the buffer without ending: the reader says 431 next */
        return true;
    if (n == -4) { /* the head budget is used up by other connections' large heads */
        send_raw_error(c, (struct cmn_h1_verdict){CMN_H1_TOO_LARGE, NULL});
        return !c->gone;
    }
    if (n <= 0) { /* EOF or an error: nothing to answer */
        conn_close(c);
        return false;
    }
    return true;
}

static void handshake_step(struct cmn_hn_conn *c)
{
    int rc = cmn_hn_tls_handshake(c->tls);

    if (rc == CMN_HN_TLS_AGAIN)
        return;
    if (rc < 0) {
        conn_close(c);
        return;
    }
    c->st = CS_READ;
    c->readable = true; /* application data may have come with the last flight */
    write_end(c);       /* the handshake wrote in time; the first head sets the next deadline */
}

static void linger_step(struct cmn_hn_conn *c)
{
    char sink[4096];

    for (;;) {
        ssize_t n = recv(c->fd, sink, sizeof(sink), 0);
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

/* Advances the connection as far as its input and output allow. */
static void conn_drive(struct cmn_hn_conn *c)
{
    for (;;) {
        if (c->gone) /* closed on the way (out of memory for an error answer, say) */
            return;
        switch (c->st) {
        case CS_HANDSHAKE:
            handshake_step(c);
            if (c->st == CS_HANDSHAKE)
                return;
            continue;
        case CS_READ:
            if (!read_step(c))
                return;
            continue;
        case CS_HANDLING:
            return;
        case CS_WRITING:
            if (!conn_flush(c) || c->gone)
                return;
            finish_answer(c);
            continue;
        case CS_LINGER:
            linger_step(c);
            return;
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

/* The table is full: a connection that has not sent a whole request head yet (the oldest such
 * request, else the longest idle connection between requests) makes room for a new one, so
 * that clients trickling heads cannot hold every slot. False when none could be shed. */
static bool shed_one(struct cmn_hn_loop *lp)
{
    int k = 0;

    for (struct cmn_hn_conn *c = lp->r_oldest; c && k < SHED_LOOK; c = c->rnext, k++) {
        if (!c->ex && (c->st == CS_READ || c->st == CS_HANDSHAKE)) {
            conn_close(c);
            return true;
        }
    }
    k = 0;
    for (struct cmn_hn_conn *c = lp->oldest; c && k < SHED_LOOK; c = c->next, k++) {
        if (c->st == CS_LINGER ||
            (c->st == CS_READ && !c->ex && cmn_h1_reader_idle(&c->rd) && c->in_len == c->in_pos)) {
            conn_close(c);
            return true;
        }
    }
    return false;
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
        if ((lp->n_conns >= lp->max_conns && !shed_one(lp)) || !(c = calloc(1, sizeof(*c)))) {
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c->lp = lp;
        c->fd = fd;
        c->st = CS_READ;
        c->req_start_ms = -1;
        c->write_due_ms = -1;
        c->readable = true; /* a client usually writes right after connecting */
        cmn_h1_reader_init(&c->rd, lp->s->opts.max_header_bytes);
        format_remote(c, &ss);
        if (native(lp->s)->tls) {
            c->tls = cmn_hn_tls_session(native(lp->s)->tls, fd);
            c->st = CS_HANDSHAKE;
            if (!c->tls) {
                close(fd);
                free(c);
                continue;
            }
        }
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET};
        ev.data.ptr = c;
        if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            conn_free(c);
            continue;
        }
        lp->n_conns++;
        int64_t now = cmn_clock_mono_ms();
        touch(c, now);
        reading_start(c, now); /* Go's deadlines for a first request run from the accept */
        if (c->tls)
            write_start(c, now); /* ... and so does the write deadline of a TLS handshake */
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

/* Requests past their head or request deadline are dropped without an answer, as Go's server
 * does when a read deadline passes. */
static void expire_requests(struct cmn_hn_loop *lp, int64_t now)
{
    int64_t head = head_ms(lp), whole = lp->s->opts.request_timeout_ms,
            first = first_deadline_ms(lp);

    for (struct cmn_hn_conn *c = lp->r_oldest, *next; c; c = next) {
        next = c->rnext;
        if (now - c->req_start_ms < first)
            break; /* the list is in start order */
        if ((!c->ex && now - c->req_start_ms >= head) || (whole && now - c->req_start_ms >= whole))
            conn_close(c);
    }
}

/* Connections past their write deadline: a handshake or an answer being written is cut; a
 * request still reading its body or with the handler is marked, so that its answer closes the
 * connection instead of being sent (Go lets the handler run and fails its write). */
static void expire_writes(struct cmn_hn_loop *lp, int64_t now)
{
    while (lp->w_oldest && now >= lp->w_oldest->write_due_ms) {
        struct cmn_hn_conn *c = lp->w_oldest;
        if (c->st == CS_HANDLING || (c->st == CS_READ && c->ex)) {
            write_end(c);
            c->write_expired = true;
        } else {
            conn_close(c);
        }
    }
}

static void expire(struct cmn_hn_loop *lp, int64_t now)
{
    int64_t limit = idle_ms(lp);

    while (lp->oldest && now - lp->oldest->active_ms >= limit)
        conn_close(lp->oldest);
    expire_requests(lp, now);
    expire_writes(lp, now);
    /* Lingering connections have a shorter leash; they are few, walk them all. */
    for (struct cmn_hn_conn *c = lp->n_linger ? lp->oldest : NULL, *next; c; c = next) {
        next = c->next;
        if (c->st == CS_LINGER && now >= c->linger_until)
            conn_close(c);
    }
}

static void engine_loop_run(struct cmn_http_server *s, unsigned i)
{
    struct cmn_hn_loop *lp = &loops(s)[i];
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

static int64_t engine_loop_timeout_ms(const struct cmn_http_server *s, unsigned i)
{
    struct cmn_hn_loop *lp = &loops(s)[i];
    int64_t now = cmn_clock_mono_ms(), due = -1;
    bool queued;

    pthread_mutex_lock(&lp->qlock);
    queued = lp->qhead != NULL;
    pthread_mutex_unlock(&lp->qlock);
    if (queued)
        return 0;
    if (lp->oldest)
        due = lp->oldest->active_ms + idle_ms(lp);
    if (lp->r_oldest && (due < 0 || lp->r_oldest->req_start_ms + first_deadline_ms(lp) < due))
        due = lp->r_oldest->req_start_ms + first_deadline_ms(lp);
    for (struct cmn_hn_conn *c = lp->n_linger ? lp->oldest : NULL; c; c = c->next) {
        if (c->st == CS_LINGER && (due < 0 || c->linger_until < due))
            due = c->linger_until;
    }
    if (lp->accept_again_ms >= 0 && (due < 0 || lp->accept_again_ms < due))
        due = lp->accept_again_ms;
    if (lp->w_oldest && (due < 0 || lp->w_oldest->write_due_ms < due))
        due = lp->w_oldest->write_due_ms;
    if (due < 0)
        return -1;
    return due <= now ? 0 : due - now;
}

static void engine_deliver(struct cmn_http_exchange *ex)
{
    struct cmn_hn_loop *lp = &loops(ex->server)[ex->loop];
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

static int engine_loop_fd(const struct cmn_http_server *s, unsigned i)
{
    return loops(s)[i].epfd;
}

static int engine_loop_wake_fd(const struct cmn_http_server *s, unsigned i)
{
    return loops(s)[i].wake_fd;
}

static void engine_quiesce_loop(struct cmn_http_server *s, unsigned i)
{
    struct cmn_hn_loop *lp = &loops(s)[i];

    if (lp->quiesced)
        return;
    if (lp->listening)
        epoll_ctl(lp->epfd, EPOLL_CTL_DEL, s->listen_fd, NULL);
    lp->listening = false;
    lp->quiesced = true;
    if (atomic_fetch_add(&s->n_quiesced, 1) + 1 == s->n_loops && s->listen_fd >= 0) {
        close(s->listen_fd);
        s->listen_fd = -1;
    }
}

static void engine_stop(struct cmn_http_server *s)
{
    for (unsigned i = 0; i < s->n_loops; i++) {
        struct cmn_hn_loop *lp = &loops(s)[i];
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
         * them and engine_deliver() drops them; close the sockets of the listed ones. */
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

static bool engine_start(struct cmn_http_server *s, struct cmn_err *err)
{
    unsigned per_loop = (s->opts.max_connections + s->n_loops - 1) / s->n_loops;

    struct native *nat = calloc(1, sizeof(*nat));

    if (nat)
        nat->loops = calloc(s->n_loops, sizeof(*nat->loops));
    s->engine_data = nat;
    if (!nat || !nat->loops) {
        cmn_err_set(err, 1, "out of memory");
        return false;
    }
    for (unsigned i = 0; i < s->n_loops; i++) {
        struct cmn_hn_loop *lp = &loops(s)[i];
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
    if (s->opts.tls && !(nat->tls = cmn_hn_tls_new_opts(s->opts.tls, err)))
        return false;
    if (!s->opts.tls && s->opts.tls_cert_pem && s->opts.tls_key_pem &&
        !(nat->tls = cmn_hn_tls_new(s->opts.tls_cert_pem, s->opts.tls_key_pem, err)))
        return false;
    s->listen_fd = open_listener(s, err);
    if (s->listen_fd < 0)
        return false;
    for (unsigned i = 0; i < s->n_loops; i++) {
        struct cmn_hn_loop *lp = &loops(s)[i];
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

static void engine_free(struct cmn_http_server *s)
{
    if (!native(s))
        return;
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    s->listen_fd = -1;
    for (unsigned i = 0; loops(s) && i < s->n_loops; i++) {
        struct cmn_hn_loop *lp = &loops(s)[i];
        while (lp->oldest)
            conn_close(lp->oldest);
        bury(lp);
        if (lp->epfd >= 0)
            close(lp->epfd);
        if (lp->wake_fd >= 0)
            close(lp->wake_fd);
        pthread_mutex_destroy(&lp->qlock);
    }
    free(loops(s));
    cmn_hn_tls_free(native(s)->tls);
    free(native(s));
    s->engine_data = NULL;
}

const struct cmn_http_engine cmn_http_engine_native = {
    .start = engine_start,
    .deliver = engine_deliver,
    .loop_fd = engine_loop_fd,
    .loop_wake_fd = engine_loop_wake_fd,
    .loop_timeout_ms = engine_loop_timeout_ms,
    .loop_run = engine_loop_run,
    .quiesce_loop = engine_quiesce_loop,
    .quiesce = NULL, /* external loops only: quiesced one by one */
    .stop = engine_stop,
    .free = engine_free,
};
