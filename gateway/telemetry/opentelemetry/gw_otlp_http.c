/* gw_otlp_http.c - the OTLP/HTTP exporter's POST to a plain-http collector: one kept-alive
 * connection per collector on the sender thread, the body handed to the kernel with one
 * writev (no copy), the answer read by the backend client's HTTP/1.1 response parser. libcurl,
 * which https:// collectors keep, copies every body through its upload buffer: at a body per
 * few hundred spans that was a sixth of the exporter's cost. */
#include "gw_otlp_http.h"

#include "cmn_buf.h"
#include "gw_h1_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define ANSWER_CAP 65536 /* a collector's answer is tiny: more is refused */

struct gw_otlp_conn {
    char host[256], port[8], hostport[272];
    int fd; /* -1: not connected */
};

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct gw_otlp_conn *gw_otlp_conn_new(const char *hostport)
{
    struct gw_otlp_conn *c = calloc(1, sizeof(*c));
    const char *colon = strrchr(hostport, ':');
    size_t hl;

    if (!c || !colon || strlen(colon + 1) >= sizeof(c->port) ||
        strlen(hostport) >= sizeof(c->hostport) || strpbrk(hostport, "\r\n")) {
        free(c);
        return NULL;
    }
    memcpy(c->hostport, hostport, strlen(hostport) + 1); /* the Host header, brackets kept */
    hl = (size_t)(colon - hostport);
    if (hl >= 2 && hostport[0] == '[' && hostport[hl - 1] == ']') { /* [::1]:4318 */
        hostport++;
        hl -= 2;
    }
    if (hl >= sizeof(c->host)) {
        free(c);
        return NULL;
    }
    memcpy(c->host, hostport, hl);
    c->host[hl] = '\0';
    memcpy(c->port, colon + 1, strlen(colon + 1) + 1);
    c->fd = -1;
    return c;
}

void gw_otlp_conn_free(struct gw_otlp_conn *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}

static void drop(struct gw_otlp_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* Waits for events on fd until the deadline; false on timeout or error. */
static bool wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd p = {fd, events, 0};

    for (;;) {
        int64_t left = deadline - mono_ms();
        int rc;
        if (left <= 0)
            return false;
        rc = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (rc > 0)
            return !(p.revents & POLLNVAL);
        if (rc < 0 && errno != EINTR)
            return false;
    }
}

static bool dial(struct gw_otlp_conn *c, int64_t deadline, char *why, size_t cap)
{
    struct addrinfo hints = {0}, *res = NULL;
    int rc;

    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(c->host, c->port, &hints, &res);
    if (rc != 0) {
        snprintf(why, cap, "dial tcp: lookup %s: %s", c->host, gai_strerror(rc));
        return false;
    }
    snprintf(why, cap, "dial tcp %s: connect: connection refused", c->hostport);
    for (struct addrinfo *ai = res; ai && c->fd < 0; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int err = 0;
        socklen_t el = sizeof(err);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
            snprintf(why, cap, "dial tcp %s: connect: %s", c->hostport, strerror(errno));
            close(fd);
            continue;
        }
        if (!wait_fd(fd, POLLOUT, deadline) ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
            snprintf(why, cap, "dial tcp %s: connect: %s", c->hostport,
                     err ? strerror(err) : "i/o timeout");
            close(fd);
            continue;
        }
        c->fd = fd;
    }
    freeaddrinfo(res);
    return c->fd >= 0;
}

/* Writes every byte of the iovecs; false on error or timeout. */
static bool write_all(int fd, struct iovec *iov, int n, int64_t deadline)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN || !wait_fd(fd, POLLOUT, deadline))
                return false;
            continue;
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return true;
}

/* Reads one answer; its status into *status. */
static bool read_answer(struct gw_otlp_conn *c, int64_t deadline, long *status, bool *keep,
                        char *why, size_t cap)
{
    struct gw_h1_parser p;
    struct gw_hdrs h;
    struct cmn_buf body;
    char buf[8192];
    enum gw_h1_pstatus st = GW_H1_MORE;

    gw_hdrs_init(&h, 64);
    cmn_buf_init(&body, ANSWER_CAP);
    gw_h1_parser_init(&p, false, &h, &body);
    while (st == GW_H1_MORE) {
        ssize_t r = recv(c->fd, buf, sizeof(buf), 0);
        size_t used;
        if (r > 0) {
            st = gw_h1_parse(&p, buf, (size_t)r, &used);
        } else if (r == 0) {
            st = gw_h1_parse_eof(&p);
            *keep = false;
            if (st != GW_H1_DONE)
                snprintf(why, cap, "%s", gw_h1_parser_started(&p) ? "unexpected EOF" : "EOF");
        } else if (errno == EINTR) {
            continue;
        } else if (errno != EAGAIN || !wait_fd(c->fd, POLLIN, deadline)) {
            snprintf(why, cap, "%s",
                     errno == EAGAIN ? "context deadline exceeded" : strerror(errno));
            st = GW_H1_ERROR;
            p.error = NULL;
        }
    }
    if (st == GW_H1_DONE) {
        *status = p.status;
        *keep = *keep && p.keep_alive;
    } else if (st == GW_H1_ERROR && p.error) {
        snprintf(why, cap, "%s", p.error);
    } else if (st == GW_H1_TOO_BIG) {
        snprintf(why, cap, "the collector's answer is larger than %u bytes", ANSWER_CAP);
    }
    gw_h1_parser_free(&p);
    gw_hdrs_free(&h);
    cmn_buf_free(&body);
    return st == GW_H1_DONE;
}

bool gw_otlp_conn_post(struct gw_otlp_conn *c, const char *path, const char *fields,
                       const void *body, size_t len, int64_t timeout_ms, long *status, char *why,
                       size_t cap)
{
    int64_t deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 10000);
    char head[4096];
    int hl;

    hl = snprintf(head, sizeof(head),
                  "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: krakend-thunder-c OTLP exporter\r\n"
                  "Content-Length: %zu\r\n%s\r\n",
                  path, c->hostport, len, fields ? fields : "");
    if (hl < 0 || (size_t)hl >= sizeof(head)) {
        snprintf(why, cap, "the request's header lines are too long");
        return false;
    }
    /* a kept connection the collector closed meanwhile fails before any answer: once more on
     * a fresh one */
    for (int attempt = 0; attempt < 2; attempt++) {
        bool fresh = c->fd < 0, keep = true;
        struct iovec iov[2] = {{head, (size_t)hl}, {(void *)(uintptr_t)body, len}};
        if (fresh && !dial(c, deadline, why, cap))
            return false;
        if (write_all(c->fd, iov, 2, deadline) &&
            read_answer(c, deadline, status, &keep, why, cap)) {
            if (!keep)
                drop(c);
            return true;
        }
        drop(c);
        if (fresh || mono_ms() >= deadline) {
            if (!why[0] || mono_ms() >= deadline)
                snprintf(why, cap, "context deadline exceeded");
            return false;
        }
        why[0] = '\0';
    }
    return false;
}
