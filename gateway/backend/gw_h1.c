/* gw_h1.c - HTTP/1.1 over plain TCP for the backend client: one request, one send(); the
 * response read as it arrives; connections kept per host for the next request. */
#include "gw_h1.h"

#include "cmn_clock.h"
#include "cmn_h1.h"
#include "gw_h1_parse.h"
#include "gw_h1_pool_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <zlib.h>

#define RECV_CHUNK (64 * 1024)
#define MAX_FD (1 << 20)
#define KEEPALIVE_DEFAULT_S 15 /* Go's Dialer: probes after 15 s idle, every 15 s, 9 of them */
#define KEEPALIVE_COUNT 9

struct host {
    char *key;         /* authority, as in the URL */
    struct conn *idle; /* most recently used first */
    size_t n_idle;
    struct gw_h1_pool_entry *shared; /* its count over every worker, with a pool */
    struct host *next;
};

struct conn {
    int fd;
    uint32_t gen;
    struct host *host;
    struct gw_h1_xfer *x;     /* NULL while idle */
    struct conn *prev, *next; /* idle list of its host */
    struct conn *lru_prev, *lru_next; /* every idle connection of the transport, oldest first */
    int64_t idle_since;
    bool connected;
};

struct gw_h1_xfer {
    struct gw_h1 *h;
    struct conn *c;
    struct host *host;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    char *out; /* the request, head and body */
    size_t out_len, out_off;
    struct gw_h1_parser p;
    struct cmn_buf *body;
    bool accept_gzip, reused, retried;
    bool replayable; /* may be sent again after the backend saw it (Go's isReplayable) */
    bool expect_wait; /* "Expect: 100-continue": the body waits for the 100 or the timeout */
    size_t head_len;  /* bytes of out before the body */
    int64_t deadline_ms, connect_deadline_ms;
    int64_t continue_due_ms; /* when the body goes without a 100, -1 = not waiting */
    int64_t header_due_ms;   /* response_header_timeout's deadline, -1 = none */
    size_t heap_idx;
    char *failed; /* an error waiting to be reported by gw_h1_expire */
    bool fail_timeout;
    gw_h1_done_fn done;
    void *arg;
    struct gw_h1_xfer *sq_prev, *sq_next; /* waiting in gw_h1's send queue */
    bool queued;
};

struct gw_h1 {
    int epfd;
    struct gw_h1_opts o;
    struct host *hosts;
    struct conn **by_fd;
    size_t n_by_fd;
    struct conn *lru_oldest, *lru_newest; /* idle connections of every host */
    uint32_t gen;
    struct gw_h1_xfer **heap;
    size_t n_heap, cap_heap;
    char *rbuf;              /* RECV_CHUNK bytes */
    int64_t now;             /* as of the last gw_h1_expire */
    struct gw_h1_xfer *sq_head, *sq_tail; /* started, sent by gw_h1_flush */
};

/* ---- the deadline heap ----------------------------------------------------------------------- */

static int64_t due(const struct gw_h1_xfer *x)
{
    if (x->failed)
        return 0;
    int64_t d = x->deadline_ms;
    if (x->c && !x->c->connected && x->connect_deadline_ms < d)
        d = x->connect_deadline_ms;
    if (x->continue_due_ms >= 0 && x->continue_due_ms < d)
        d = x->continue_due_ms;
    if (x->header_due_ms >= 0 && x->header_due_ms < d)
        d = x->header_due_ms;
    return d;
}

static void heap_swap(struct gw_h1 *h, size_t a, size_t b)
{
    struct gw_h1_xfer *t = h->heap[a];

    h->heap[a] = h->heap[b];
    h->heap[b] = t;
    h->heap[a]->heap_idx = a;
    h->heap[b]->heap_idx = b;
}

static void heap_fix(struct gw_h1 *h, size_t i)
{
    while (i > 0 && due(h->heap[i]) < due(h->heap[(i - 1) / 2])) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n_heap && due(h->heap[l]) < due(h->heap[m]))
            m = l;
        if (r < h->n_heap && due(h->heap[r]) < due(h->heap[m]))
            m = r;
        if (m == i)
            return;
        heap_swap(h, i, m);
        i = m;
    }
}

static bool heap_add(struct gw_h1 *h, struct gw_h1_xfer *x)
{
    if (h->n_heap == h->cap_heap) {
        size_t n = h->cap_heap ? h->cap_heap * 2 : 64;
        struct gw_h1_xfer **v = realloc(h->heap, n * sizeof(*v));
        if (!v)
            return false;
        h->heap = v;
        h->cap_heap = n;
    }
    x->heap_idx = h->n_heap;
    h->heap[h->n_heap++] = x;
    heap_fix(h, x->heap_idx);
    return true;
}

static void heap_del(struct gw_h1 *h, struct gw_h1_xfer *x)
{
    size_t i = x->heap_idx, last = h->n_heap - 1;

    if (i != last) {
        heap_swap(h, i, last);
        h->n_heap--;
        heap_fix(h, i);
    } else {
        h->n_heap--;
    }
}

/* ---- connections ----------------------------------------------------------------------------- */

static struct host *host_get(struct gw_h1 *h, const char *key)
{
    struct host *p;

    for (p = h->hosts; p; p = p->next) {
        if (strcmp(p->key, key) == 0)
            return p;
    }
    p = calloc(1, sizeof(*p));
    if (!p || !(p->key = strdup(key)) ||
        (h->o.pool && !(p->shared = gw_h1_pool_host(h->o.pool, key)))) {
        if (p)
            free(p->key);
        free(p);
        return NULL;
    }
    p->next = h->hosts;
    h->hosts = p;
    return p;
}

static void idle_unlink(struct gw_h1 *h, struct conn *c)
{
    struct host *ho = c->host;

    if (c->prev)
        c->prev->next = c->next;
    else if (ho->idle == c)
        ho->idle = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    ho->n_idle--;
    if (c->lru_prev)
        c->lru_prev->lru_next = c->lru_next;
    else
        h->lru_oldest = c->lru_next;
    if (c->lru_next)
        c->lru_next->lru_prev = c->lru_prev;
    else
        h->lru_newest = c->lru_prev;
    c->lru_prev = c->lru_next = NULL;
    if (ho->shared) {
        atomic_fetch_sub(&ho->shared->n_idle, 1);
        atomic_fetch_sub(&h->o.pool->n_idle, 1);
    }
}

static void conn_close(struct gw_h1 *h, struct conn *c)
{
    if (!c)
        return;
    if ((size_t)c->fd < h->n_by_fd && h->by_fd[c->fd] == c)
        h->by_fd[c->fd] = NULL;
    close(c->fd); /* also leaves the epoll set */
    free(c);
}

static bool by_fd_put(struct gw_h1 *h, struct conn *c)
{
    if (c->fd >= MAX_FD)
        return false;
    if ((size_t)c->fd >= h->n_by_fd) {
        size_t n = h->n_by_fd ? h->n_by_fd : 1024;
        struct conn **v;
        while (n <= (size_t)c->fd)
            n *= 2;
        v = realloc(h->by_fd, n * sizeof(*v));
        if (!v)
            return false;
        memset(v + h->n_by_fd, 0, (n - h->n_by_fd) * sizeof(*v));
        h->by_fd = v;
        h->n_by_fd = n;
    }
    h->by_fd[c->fd] = c;
    return true;
}

/* "dial tcp 127.0.0.1:8081" for error texts. */
static void dial_name(const struct gw_h1_xfer *x, char *out, size_t n)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;

    if (x->addr.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&x->addr;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
        port = ntohs(a->sin_port);
        snprintf(out, n, "dial tcp %s:%u", ip, port);
    } else {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&x->addr;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
        port = ntohs(a->sin6_port);
        snprintf(out, n, "dial tcp [%s]:%u", ip, port);
    }
}

/* ---- ending a transfer ----------------------------------------------------------------------- */

static void sq_unlink(struct gw_h1_xfer *x)
{
    struct gw_h1 *h = x->h;

    if (!x->queued)
        return;
    if (x->sq_prev)
        x->sq_prev->sq_next = x->sq_next;
    else
        h->sq_head = x->sq_next;
    if (x->sq_next)
        x->sq_next->sq_prev = x->sq_prev;
    else
        h->sq_tail = x->sq_prev;
    x->sq_prev = x->sq_next = NULL;
    x->queued = false;
}

static void xfer_free(struct gw_h1_xfer *x)
{
    sq_unlink(x);
    gw_h1_parser_free(&x->p);
    free(x->out);
    free(x->failed);
    free(x);
}

/* Hands the connection back to its host's idle list, or closes it. */
/* Go's tryPutIdleConn: a host at MaxIdleConnsPerHost closes the connection coming back; over
 * MaxIdleConns the oldest idle connection goes (here: this transport's oldest, or the one
 * coming back when this transport keeps none). */
static bool make_room(struct gw_h1 *h, struct host *ho)
{
    struct gw_h1_pool *p = h->o.pool;

    if (!p)
        return ho->n_idle < h->o.max_idle_per_host;
    if (atomic_fetch_add(&ho->shared->n_idle, 1) >= p->max_per_host) {
        atomic_fetch_sub(&ho->shared->n_idle, 1);
        return false;
    }
    if (atomic_fetch_add(&p->n_idle, 1) >= p->max_total && p->max_total) {
        if (!h->lru_oldest) {
            atomic_fetch_sub(&p->n_idle, 1);
            atomic_fetch_sub(&ho->shared->n_idle, 1);
            return false;
        }
        struct conn *old = h->lru_oldest;
        idle_unlink(h, old);
        conn_close(h, old);
    }
    return true;
}

static void conn_release(struct gw_h1 *h, struct conn *c, bool reusable)
{
    struct host *ho = c->host;

    c->x = NULL;
    if (!reusable || !make_room(h, ho)) {
        conn_close(h, c);
        return;
    }
    c->lru_next = NULL;
    c->lru_prev = h->lru_newest;
    if (h->lru_newest)
        h->lru_newest->lru_next = c;
    else
        h->lru_oldest = c;
    h->lru_newest = c;
    c->idle_since = cmn_clock_mono_ms();
    c->prev = NULL;
    c->next = ho->idle;
    if (ho->idle)
        ho->idle->prev = c;
    ho->idle = c;
    ho->n_idle++;
}

/* Decodes a gzip body in place (Go's transport does it when it asked for gzip). */
static bool gunzip(struct gw_h1_xfer *x, bool *too_big)
{
    struct cmn_buf out;
    z_stream z;
    char tmp[16384];
    int rc = Z_OK;

    *too_big = false;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return false;
    cmn_buf_init(&out, x->body->cap);
    z.next_in = (Bytef *)x->body->data;
    z.avail_in = (uInt)x->body->len;
    while (rc != Z_STREAM_END) {
        z.next_out = (Bytef *)tmp;
        z.avail_out = sizeof(tmp);
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            break;
        if (cmn_buf_append(&out, tmp, sizeof(tmp) - z.avail_out) != CMN_BUF_OK) {
            *too_big = true;
            break;
        }
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0)
            break; /* truncated stream */
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END || *too_big) {
        cmn_buf_free(&out);
        return false;
    }
    cmn_buf_free(x->body);
    *x->body = out;
    return true;
}

static void finish(struct gw_h1_xfer *x, struct gw_h1_outcome *o)
{
    gw_h1_done_fn done = x->done;
    void *arg = x->arg;

    heap_del(x->h, x);
    /* An empty body stays empty: 204, 304, HEAD and Content-Length: 0 answers have none to
     * decode (Go's transport leaves them alone), and Go reads an empty gzip body as empty. */
    if (o->status > 0 && x->p.gzip && x->accept_gzip && x->body->len > 0) {
        bool too_big;
        if (!gunzip(x, &too_big)) {
            o->status = 0;
            o->too_big = too_big;
            o->error = too_big ? "response body too large" : "gzip: invalid response body";
        } else {
            gw_hdrs_del(x->p.headers, "Content-Encoding");
            gw_hdrs_del(x->p.headers, "Content-Length");
        }
    }
    done(arg, o);
    xfer_free(x);
}

static void fail_now(struct gw_h1_xfer *x, const char *msg, bool timeout)
{
    struct gw_h1_outcome o = {0, msg, false, timeout};

    if (x->c) {
        conn_close(x->h, x->c);
        x->c = NULL;
    }
    finish(x, &o);
}

/* Reports an error on the next gw_h1_expire (never from inside gw_h1_start). */
static void fail_later(struct gw_h1_xfer *x, const char *msg)
{
    if (x->c) {
        conn_close(x->h, x->c);
        x->c = NULL;
    }
    if (!x->failed)
        x->failed = strdup(msg);
    if (!x->failed)
        x->failed = strdup("out of memory");
    heap_fix(x->h, x->heap_idx);
}

static void fail_errno(struct gw_h1_xfer *x, const char *op, int e, bool later)
{
    char msg[224], dial[96], text[96];

    /* Go prints errno texts in lower case ("connection refused") */
    snprintf(text, sizeof(text), "%s", strerror(e));
    if (text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z'))
        text[0] = (char)(text[0] + 32);
    dial_name(x, dial, sizeof(dial));
    if (strcmp(op, "connect") == 0)
        snprintf(msg, sizeof(msg), "%s: connect: %s", dial, text);
    else
        snprintf(msg, sizeof(msg), "%s %s: %s", op, dial + 5, text);
    if (later)
        fail_later(x, msg);
    else
        fail_now(x, msg, false);
}

/* ---- IO -------------------------------------------------------------------------------------- */

enum send_result { SEND_DONE, SEND_WAIT, SEND_GONE };

static bool connect_new(struct gw_h1_xfer *x);
static enum send_result do_send(struct gw_h1_xfer *x, bool later);
static enum send_result send_body(struct gw_h1_xfer *x, bool later);

/* A reused connection the backend had already closed: once, on a new one, when nothing of
 * the response arrived, as Go does: always if nothing of the request went out either, else
 * only for a request that may be repeated (a POST is not sent twice). later: as for do_send. */
static bool retry_fresh(struct gw_h1_xfer *x, bool later)
{
    if (!x->reused || x->retried || gw_h1_parser_started(&x->p) ||
        (x->out_off > 0 && !x->replayable))
        return false;
    conn_close(x->h, x->c);
    x->c = NULL;
    x->retried = true;
    x->reused = false;
    x->out_off = 0;
    x->continue_due_ms = x->header_due_ms = -1;
    if (connect_new(x)) {
        heap_fix(x->h, x->heap_idx);
        if (x->c->connected)
            do_send(x, later);
    }
    return true;
}

static void on_response_done(struct gw_h1_xfer *x, bool drained)
{
    struct gw_h1_outcome o = {x->p.status, NULL, false, false};
    struct conn *c = x->c;

    x->c = NULL;
    conn_release(x->h, c, x->p.keep_alive && drained);
    finish(x, &o);
}

/* events: the epoll events that brought us here. A short read normally means the socket is
 * drained and the next edge says when more arrives; but when the peer's close came in the same
 * event as its last bytes, no other edge will follow, so read on until the end. */
static void do_recv(struct gw_h1_xfer *x, uint32_t events)
{
    struct gw_h1 *h = x->h;
    bool closing = (events & (EPOLLRDHUP | EPOLLHUP)) != 0;

    for (;;) {
        ssize_t n = recv(x->c->fd, h->rbuf, RECV_CHUNK, 0);
        size_t used = 0;
        enum gw_h1_pstatus st;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            if (e == EAGAIN || e == EWOULDBLOCK)
                return;
            if (retry_fresh(x, false))
                return;
            fail_errno(x, "read", e, false);
            return;
        }
        if (n == 0) {
            if (retry_fresh(x, false))
                return;
            st = gw_h1_parse_eof(&x->p);
            if (st == GW_H1_DONE) {
                x->p.keep_alive = false;
                on_response_done(x, false);
            } else {
                fail_now(x, x->p.error, false);
            }
            return;
        }
        st = gw_h1_parse(&x->p, h->rbuf, (size_t)n, &used);
        if (x->header_due_ms >= 0 && x->p.status > 0) {
            x->header_due_ms = -1; /* the final head is in */
            heap_fix(h, x->heap_idx);
        }
        if (st == GW_H1_DONE) {
            /* a short read means the socket had nothing more: safe to keep the connection; a
             * body that never went (Expect: 100-continue refused) leaves it unusable */
            on_response_done(x, used == (size_t)n && n < RECV_CHUNK && !closing &&
                                    x->out_off == x->out_len);
            return;
        }
        if (st == GW_H1_MORE && x->expect_wait && x->p.continued && x->p.status == 0) {
            struct conn *c = x->c;
            if (send_body(x, false) == SEND_GONE || x->c != c)
                return;
        }
        if (st == GW_H1_TOO_BIG) {
            struct gw_h1_outcome o = {0, "response body too large", true, false};
            conn_close(h, x->c);
            x->c = NULL;
            finish(x, &o);
            return;
        }
        if (st == GW_H1_ERROR) {
            fail_now(x, x->p.error, false);
            return;
        }
        if (n < RECV_CHUNK && !closing)
            return; /* drained: the next edge says when more arrives */
    }
}

/* The whole request is out: Go's ResponseHeaderTimeout starts now, unless the answer already
 * came (a backend may answer before it read the body). */
static void request_written(struct gw_h1_xfer *x)
{
    int64_t rht = x->h->o.response_header_timeout_ms;

    if (rht > 0 && x->p.status == 0) {
        x->header_due_ms = cmn_clock_mono_ms() + rht;
        heap_fix(x->h, x->heap_idx);
    }
}

/* Writes what is left of the request (only its head while it waits for a 100 Continue).
 * later: errors are reported from gw_h1_expire (the caller is gw_h1_start) instead of now.
 * SEND_GONE: x was finished and freed. */
static enum send_result do_send(struct gw_h1_xfer *x, bool later)
{
    size_t limit = x->expect_wait ? x->head_len : x->out_len;

    sq_unlink(x); /* whatever sends it, the flush has nothing left to do for it */

    if (x->out_off >= limit && x->out_off < x->out_len)
        return SEND_WAIT; /* the body waits for the 100 or the timeout */
    while (x->out_off < limit) {
        ssize_t n = send(x->c->fd, x->out + x->out_off, limit - x->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            if (e == EAGAIN || e == EWOULDBLOCK)
                return SEND_WAIT; /* the EPOLLOUT edge resumes */
            if (retry_fresh(x, later))
                return SEND_WAIT;
            fail_errno(x, "write", e, later);
            return later ? SEND_WAIT : SEND_GONE;
        }
        x->out_off += (size_t)n;
    }
    if (x->expect_wait) {
        if (x->continue_due_ms < 0) { /* Go's ExpectContinueTimeout starts with the head out */
            x->continue_due_ms = cmn_clock_mono_ms() + x->h->o.expect_continue_timeout_ms;
            heap_fix(x->h, x->heap_idx);
        }
        return SEND_WAIT;
    }
    request_written(x);
    return SEND_DONE;
}

/* The 100 came, or the time to wait for it passed: the body goes. */
static enum send_result send_body(struct gw_h1_xfer *x, bool later)
{
    x->expect_wait = false;
    x->continue_due_ms = -1;
    heap_fix(x->h, x->heap_idx);
    return do_send(x, later);
}

/* Go's Dialer.KeepAlive: probes after ka idle, every ka, nine of them; 0 = 15 s, < 0 = off. */
static void set_keepalive(int fd, int64_t ka_ms)
{
    int on = ka_ms >= 0, secs = ka_ms > 0 ? (int)((ka_ms + 999) / 1000) : KEEPALIVE_DEFAULT_S;
    int cnt = KEEPALIVE_COUNT;

    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
    if (!on)
        return;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &secs, sizeof(secs));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &secs, sizeof(secs));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static bool connect_new(struct gw_h1_xfer *x)
{
    struct gw_h1 *h = x->h;
    struct conn *c = calloc(1, sizeof(*c));
    struct epoll_event ev = {0};
    int one = 1, fd;

    if (!c) {
        fail_later(x, "out of memory");
        return false;
    }
    fd = socket(x->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        free(c);
        fail_errno(x, "socket", e, true);
        return false;
    }
    c->fd = fd;
    c->host = x->host;
    c->x = x;
    if (++h->gen == 0)
        h->gen = 1;
    c->gen = h->gen;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    set_keepalive(fd, h->o.keep_alive_ms);
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = ((uint64_t)c->gen << 32) | (uint32_t)fd;
    if (!by_fd_put(h, c) || epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        int e = errno;
        x->c = c;
        fail_errno(x, "socket", e ? e : ENOMEM, true);
        return false;
    }
    x->c = c;
    if (connect(fd, (const struct sockaddr *)&x->addr, x->addr_len) == 0) {
        c->connected = true;
    } else if (errno != EINPROGRESS) {
        fail_errno(x, "connect", errno, true);
        return false;
    }
    return true;
}

static void on_conn_event(struct gw_h1_xfer *x, uint32_t events)
{
    struct conn *c = x->c;

    if (!c->connected) {
        int err = 0;
        socklen_t len = sizeof(err);
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        if (err) {
            fail_errno(x, "connect", err, false);
            return;
        }
        c->connected = true;
        heap_fix(x->h, x->heap_idx); /* the connect deadline no longer applies */
    }
    if (x->queued) {
        /* its request waits for gw_h1_flush on a kept connection take_idle found quiet: bytes
         * or an end now mean the backend ended it before any of the request went out, and
         * retry_fresh sends it on a new one (a POST too); writable alone is for the flush */
        if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
            return;
        sq_unlink(x);
        if (retry_fresh(x, false))
            return;
    }
    if (x->out_off < x->out_len && !(x->expect_wait && x->out_off >= x->head_len)) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        enum send_result r = do_send(x, false);
        if (r == SEND_GONE || x->c != c || (r == SEND_WAIT && !x->expect_wait))
            return;
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
        do_recv(x, events);
}

void gw_h1_event(struct gw_h1 *h, uint64_t data, uint32_t events)
{
    int fd = (int)(uint32_t)data;
    uint32_t gen = (uint32_t)(data >> 32);
    struct conn *c;

    if (fd < 0 || (size_t)fd >= h->n_by_fd || !(c = h->by_fd[fd]) || c->gen != gen)
        return; /* a connection closed earlier in this batch of events */
    if (!c->x) {
        /* an idle connection spoke or closed: the backend ended it (or sent garbage) */
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
            idle_unlink(h, c);
            conn_close(h, c);
        }
        return;
    }
    if (c->x->failed)
        return;
    on_conn_event(c->x, events);
}

/* ---- starting a transfer --------------------------------------------------------------------- */

/* The digits of v in base 10 or 16, written backwards from end: returns where they start. */
static char *fmt_uint(char *end, size_t v, unsigned base)
{
    static const char digits[] = "0123456789abcdef";

    do {
        *--end = digits[v % base];
        v /= base;
    } while (v);
    return end;
}

static char *put(char *at, const char *s, size_t n)
{
    memcpy(at, s, n);
    return at + n;
}

#define PUT_LIT(at, lit) put(at, lit, sizeof(lit) - 1)

/* Go's Request.expectsContinue: an Expect field with the 100-continue token. */
static bool expects_continue(const struct gw_h1_req *rq)
{
    for (size_t i = 0; rq->headers && i < rq->headers->n; i++) {
        const struct gw_hdr *f = &rq->headers->v[i];
        if (strcasecmp(f->name, "Expect") == 0 &&
            cmn_h1_has_token(f->value, strlen(f->value), "100-continue"))
            return true;
    }
    return false;
}

/* The request as it goes on the wire, head and body, in one block: measured, then written. */
static bool build_request(struct gw_h1_xfer *x, const struct gw_h1_req *rq)
{
    char num[24], *digits = num + sizeof(num);
    const char *host = rq->host ? rq->host : rq->authority;
    size_t ml = strlen(rq->method), tl = strlen(rq->target), al = strlen(host);
    size_t dl = 0, n;
    bool has_body = rq->body_len > 0;
    char *at;

    if (has_body) {
        digits = fmt_uint(num + sizeof(num), rq->body_len, rq->chunked ? 16 : 10);
        dl = (size_t)(num + sizeof(num) - digits);
    }
    n = ml + 1 + tl + sizeof(" HTTP/1.1\r\nHost: ") - 1 + al + 2;
    for (size_t i = 0; i < rq->headers->n; i++)
        n += strlen(rq->headers->v[i].name) + 2 + strlen(rq->headers->v[i].value) + 2;
    if (has_body && !rq->chunked)
        n += sizeof("Content-Length: \r\n") - 1 + dl;
    else if (has_body)
        n += sizeof("Transfer-Encoding: chunked\r\n") - 1;
    else if (rq->empty_length)
        n += sizeof("Content-Length: 0\r\n") - 1;
    if (rq->accept_gzip)
        n += sizeof("Accept-Encoding: gzip\r\n") - 1;
    n += 2;
    if (has_body && rq->chunked)
        n += dl + 2 + rq->body_len + sizeof("\r\n0\r\n\r\n") - 1;
    else
        n += rq->body_len;
    if (!(x->out = malloc(n + 1)))
        return false;

    at = put(x->out, rq->method, ml);
    *at++ = ' ';
    at = put(at, rq->target, tl);
    at = PUT_LIT(at, " HTTP/1.1\r\nHost: ");
    at = put(at, host, al);
    at = PUT_LIT(at, "\r\n");
    for (size_t i = 0; i < rq->headers->n; i++) {
        const struct gw_hdr *h = &rq->headers->v[i];
        at = stpcpy(at, h->name); /* one pass where strlen and a copy took two */
        at = PUT_LIT(at, ": ");
        at = stpcpy(at, h->value);
        at = PUT_LIT(at, "\r\n");
    }
    if (has_body && !rq->chunked) {
        at = PUT_LIT(at, "Content-Length: ");
        at = put(at, digits, dl);
        at = PUT_LIT(at, "\r\n");
    } else if (has_body) {
        at = PUT_LIT(at, "Transfer-Encoding: chunked\r\n");
    } else if (rq->empty_length) {
        at = PUT_LIT(at, "Content-Length: 0\r\n");
    }
    if (rq->accept_gzip)
        at = PUT_LIT(at, "Accept-Encoding: gzip\r\n");
    at = PUT_LIT(at, "\r\n");
    x->head_len = (size_t)(at - x->out);
    if (has_body && rq->chunked) {
        at = put(at, digits, dl);
        at = PUT_LIT(at, "\r\n");
        at = put(at, rq->body, rq->body_len);
        at = PUT_LIT(at, "\r\n0\r\n\r\n");
    } else if (has_body) {
        at = put(at, rq->body, rq->body_len);
    }
    *at = '\0';
    x->out_len = (size_t)(at - x->out);
    x->expect_wait = has_body && x->h->o.expect_continue_timeout_ms > 0 && expects_continue(rq);
    return true;
}

/* Is a kept connection still quiet? Bytes or an end that arrived while it was idle (a stray
 * or late answer, a close) and that no loop run has seen yet would otherwise be read as the
 * next request's answer: Go's transport watches idle connections for the same reason. One
 * non-blocking peek per reuse. */
static bool still_quiet(const struct conn *c)
{
    char b;
    ssize_t n;

    do
        n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* The most recently used idle connection of the host that is still quiet; the others taken
 * on the way are closed. */
static struct conn *take_idle(struct gw_h1 *h, struct host *ho)
{
    while (ho->idle) {
        struct conn *c = ho->idle;
        idle_unlink(h, c);
        if (still_quiet(c))
            return c;
        conn_close(h, c);
    }
    return NULL;
}

struct gw_h1_xfer *gw_h1_start(struct gw_h1 *h, const struct gw_h1_req *rq, struct gw_hdrs *headers,
                               struct cmn_buf *body, gw_h1_done_fn done, void *arg)
{
    struct gw_h1_xfer *x;

    if (rq->addr_len > sizeof(x->addr) ||
        (rq->addr->sa_family != AF_INET && rq->addr->sa_family != AF_INET6))
        return NULL;
    x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    x->h = h;
    x->done = done;
    x->arg = arg;
    x->body = body;
    x->accept_gzip = rq->accept_gzip;
    x->deadline_ms = rq->deadline_ms;
    x->connect_deadline_ms = rq->connect_deadline_ms;
    x->continue_due_ms = x->header_due_ms = -1;
    memcpy(&x->addr, rq->addr, rq->addr_len);
    x->addr_len = rq->addr_len;
    gw_h1_parser_init(&x->p, strcmp(rq->method, "HEAD") == 0, headers, body);
    x->replayable = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0 ||
                    strcmp(rq->method, "OPTIONS") == 0 || strcmp(rq->method, "TRACE") == 0 ||
                    (rq->headers && (gw_hdrs_get(rq->headers, "Idempotency-Key") ||
                                     gw_hdrs_get(rq->headers, "X-Idempotency-Key")));
    x->host = host_get(h, rq->authority);
    if (!x->host || !build_request(x, rq) || !heap_add(h, x)) {
        xfer_free(x);
        return NULL;
    }
    x->c = take_idle(h, x->host);
    if (x->c) {
        x->c->x = x;
        x->reused = true;
    } else if (!connect_new(x)) {
        return x; /* the failure is reported from gw_h1_expire */
    }
    heap_fix(h, x->heap_idx);
    if (x->c->connected) { /* sent with the others of this pass: see gw_h1_flush */
        x->sq_prev = h->sq_tail;
        if (h->sq_tail)
            h->sq_tail->sq_next = x;
        else
            h->sq_head = x;
        h->sq_tail = x;
        x->queued = true;
    }
    return x;
}

void gw_h1_flush(struct gw_h1 *h)
{
    while (h->sq_head)
        do_send(h->sq_head, true); /* which takes it off the queue */
}

void gw_h1_cancel(struct gw_h1_xfer *x)
{
    if (!x)
        return;
    heap_del(x->h, x);
    conn_close(x->h, x->c);
    xfer_free(x);
}

/* ---- time ------------------------------------------------------------------------------------ */

int64_t gw_h1_next_due(const struct gw_h1 *h)
{
    int64_t d = h->n_heap ? due(h->heap[0]) : -1;

    /* Go's IdleConnTimeout closes an idle connection when its time is up, not at the next
     * request: the oldest idle one sets a wake-up */
    if (h->o.idle_timeout_ms > 0 && h->lru_oldest) {
        int64_t idle = h->lru_oldest->idle_since + h->o.idle_timeout_ms;
        if (d < 0 || idle < d)
            d = idle;
    }
    return d;
}

static void close_stale_idle(struct gw_h1 *h, int64_t now)
{
    while (h->o.idle_timeout_ms > 0 && h->lru_oldest &&
           now - h->lru_oldest->idle_since >= h->o.idle_timeout_ms) {
        struct conn *c = h->lru_oldest;
        idle_unlink(h, c);
        conn_close(h, c);
    }
}

void gw_h1_expire(struct gw_h1 *h, int64_t now)
{
    h->now = now;
    while (h->n_heap && due(h->heap[0]) <= now) {
        struct gw_h1_xfer *x = h->heap[0];
        if (x->failed) {
            struct gw_h1_outcome o = {0, x->failed, false, x->fail_timeout};
            finish(x, &o);
        } else if (x->c && !x->c->connected && now < x->deadline_ms) {
            char msg[128], dial[96];
            dial_name(x, dial, sizeof(dial));
            snprintf(msg, sizeof(msg), "%s: i/o timeout", dial);
            fail_now(x, msg, false);
        } else if (x->continue_due_ms >= 0 && x->continue_due_ms <= now && now < x->deadline_ms) {
            send_body(x, false); /* no 100 in time: the body goes anyway, as Go sends it */
        } else if (x->header_due_ms >= 0 && x->header_due_ms <= now && now < x->deadline_ms) {
            fail_now(x, "net/http: timeout awaiting response headers", false);
        } else {
            fail_now(x, "context deadline exceeded", true);
        }
    }
    close_stale_idle(h, now);
}

/* ---- life ------------------------------------------------------------------------------------ */

struct gw_h1 *gw_h1_new(int epfd, const struct gw_h1_opts *o)
{
    struct gw_h1 *h = calloc(1, sizeof(*h));

    if (!h)
        return NULL;
    h->epfd = epfd;
    if (o)
        h->o = *o;
    if (!h->o.max_idle_per_host)
        h->o.max_idle_per_host = GW_H1_DEFAULT_IDLE_PER_HOST;
    h->rbuf = malloc(RECV_CHUNK);
    if (!h->rbuf) {
        free(h);
        return NULL;
    }
    return h;
}

void gw_h1_destroy(struct gw_h1 *h)
{
    if (!h)
        return;
    while (h->n_heap)
        gw_h1_cancel(h->heap[0]);
    while (h->hosts) {
        struct host *ho = h->hosts;
        h->hosts = ho->next;
        while (ho->idle) {
            struct conn *c = ho->idle;
            idle_unlink(h, c);
            conn_close(h, c);
        }
        free(ho->key);
        free(ho);
    }
    free(h->by_fd);
    free(h->heap);
    free(h->rbuf);
    free(h);
}
