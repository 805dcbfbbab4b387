/* h1_backend.c - a backend for the gateway_h1 end-to-end test: answers chosen by the request
 * path and written byte for byte (gzip, chunked with extensions and trailers, interim 1xx,
 * bodies cut short, dropped connections, redirects), and counts the connections it accepted so
 * the test can see keep-alive at work. mock-backend speaks through libmicrohttpd, which frames
 * every answer correctly; this one exists to frame them on purpose. Loopback only, one thread
 * per connection; SIGTERM or SIGINT ends it.
 *
 * Usage: h1_backend PORT (0: any; the line "listening on 127.0.0.1:N" names it).
 *        h1_backend --blackhole: a listener whose queue is full, so connecting to it hangs
 *        (the line "blackhole on 127.0.0.1:N" names it). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_REQUEST (64 * 1024) /* head and body of one request */

static atomic_uint n_conns, n_requests, n_dropped;
static unsigned port;

/* One request as read from the connection. */
struct req {
    char method[16];
    char target[1024];
    char path[1024];
    char referer[1024];
    char accept_encoding[256];
    const char *body;
    size_t body_len;
    unsigned nth; /* 1 for the first request on its connection */
    bool expect_continue; /* "Expect: 100-continue" */
    long body_wait_ms;    /* from the end of the head to the end of the body */
    bool rejected;        /* answered before its body was read (/expect-reject) */
};

static bool send_all(int fd, const void *data, size_t n)
{
    const char *p = data;

    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

static bool send_str(int fd, const char *s)
{
    return send_all(fd, s, strlen(s));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A complete answer with Content-Length. */
static bool answer(int fd, const char *status, const char *fields, const char *body, size_t n)
{
    char len[64];

    snprintf(len, sizeof(len), "Content-Length: %zu\r\n\r\n", n);
    return send_str(fd, "HTTP/1.1 ") && send_str(fd, status) && send_str(fd, "\r\n") &&
           send_str(fd, fields) && send_str(fd, len) && send_all(fd, body, n);
}

static bool answer_json(int fd, const char *json)
{
    return answer(fd, "200 OK", "Content-Type: application/json\r\n", json, strlen(json));
}

/* gzip of in[0..n) (malloc'd, *out_len bytes), or NULL. */
static char *gzip(const char *in, size_t n, size_t *out_len)
{
    z_stream z;
    size_t cap = n + n / 100 + 64;
    char *out = malloc(cap);

    memset(&z, 0, sizeof(z));
    if (!out || deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(out);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(out);
        return NULL;
    }
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

/* {"text":"<n times c>"} (malloc'd). */
static char *text_json(char c, size_t n)
{
    char *s = malloc(n + 16);

    if (!s)
        return NULL;
    memcpy(s, "{\"text\":\"", 9);
    memset(s + 9, c, n);
    memcpy(s + 9 + n, "\"}", 3);
    return s;
}

/* Sends body[0..n) as chunks of at most piece bytes, pausing pause_ms between them. */
static bool send_chunked(int fd, const char *body, size_t n, size_t piece, long pause_ms)
{
    char line[64];

    for (size_t off = 0; off < n; off += piece) {
        size_t k = n - off < piece ? n - off : piece;
        snprintf(line, sizeof(line), "%zx\r\n", k);
        if (!send_str(fd, line) || !send_all(fd, body + off, k) || !send_str(fd, "\r\n"))
            return false;
        if (pause_ms)
            sleep_ms(pause_ms);
    }
    return send_str(fd, "0\r\n\r\n");
}

/* JSON string contents of s[0..n) into out (capped). */
static void json_escape(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < n && o + 7 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

static bool echo(int fd, const struct req *r)
{
    char body[2048], json[8192];

    json_escape(r->body, r->body_len, body, sizeof(body));
    snprintf(json, sizeof(json),
             "{\"accept_encoding\":\"%s\",\"body\":\"%s\",\"method\":\"%s\",\"referer\":\"%s\","
             "\"target\":\"%s\"}",
             r->accept_encoding, body, r->method, r->referer, r->target);
    return answer_json(fd, json);
}

static bool redirect(int fd, const char *status, const char *location)
{
    char fields[4200];

    snprintf(fields, sizeof(fields), "Location: %s\r\n", location);
    return answer(fd, status, fields, "", 0);
}

static bool gzip_answer(int fd, const char *json, size_t n, bool chunked)
{
    size_t zl = 0;
    char *z = gzip(json, n, &zl);
    bool ok;

    if (!z)
        return false;
    if (chunked)
        ok = send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n") &&
             send_chunked(fd, z, zl, 100, 0);
    else
        ok = answer(fd, "200 OK", "Content-Type: application/json\r\nContent-Encoding: gzip\r\n", z,
                    zl);
    free(z);
    return ok;
}

static bool big_answer(int fd, char c, size_t n, int how)
{
    char *json = text_json(c, n);
    bool ok;

    if (!json)
        return false;
    if (how == 0)
        ok = answer_json(fd, json);
    else if (how == 1)
        ok = send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n") &&
             send_chunked(fd, json, strlen(json), 7000, 0);
    else
        ok = gzip_answer(fd, json, strlen(json), how == 3);
    free(json);
    return ok;
}

/* Answers r; false: close the connection afterwards. */
static bool route(int fd, const struct req *r)
{
    const char *p = r->path;
    char buf[4096];

    if (strcmp(p, "/json") == 0)
        return answer_json(fd, "{\"hello\":\"world\",\"n\":1}");
    if (strcmp(p, "/stats") == 0) {
        snprintf(buf, sizeof(buf), "{\"connections\":%u,\"dropped\":%u,\"requests\":%u}",
                 atomic_load(&n_conns), atomic_load(&n_dropped), atomic_load(&n_requests));
        return answer_json(fd, buf);
    }
    if (strcmp(p, "/echo") == 0)
        return echo(fd, r);
    if (strcmp(p, "/gzip") == 0) {
        static const char json[] = "{\"compressed\":true,\"text\":\"the quick brown fox jumps "
                                   "over the lazy dog, the quick brown fox jumps over the lazy "
                                   "dog\"}";
        return gzip_answer(fd, json, sizeof(json) - 1, false);
    }
    if (strcmp(p, "/gzip-big") == 0)
        return big_answer(fd, 'z', 500000, 2);
    if (strcmp(p, "/gzip-chunked") == 0)
        return big_answer(fd, 'g', 100000, 3);
    if (strcmp(p, "/gzip-bad") == 0)
        return answer(fd, "200 OK", "Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
                      "{\"not\":\"gzip\"}", 14);
    if (strcmp(p, "/gzip-204") == 0)
        return send_str(fd, "HTTP/1.1 204 No Content\r\nContent-Encoding: gzip\r\n\r\n");
    if (strcmp(p, "/big") == 0)
        return big_answer(fd, 'b', 300000, 0);
    if (strcmp(p, "/chunked") == 0) {
        /* pieces cut inside tokens, one with extensions, a trailer; sent apart */
        static const char *const parts[] = {"{\"chu", "nked\":true,\"par", "ts\":[\"one\",\"tw",
                                            "o\",\"three\"]}"};
        bool ok = send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               "Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n");
        for (size_t i = 0; ok && i < 4; i++) {
            snprintf(buf, sizeof(buf), i == 1 ? "%zX;name=\"v;1\"\r\n%s\r\n" : "%zx\r\n%s\r\n",
                     strlen(parts[i]), parts[i]);
            ok = send_str(fd, buf);
            sleep_ms(5);
        }
        return ok && send_str(fd, "0\r\nX-Checksum: 42\r\n\r\n");
    }
    if (strcmp(p, "/chunked-big") == 0)
        return big_answer(fd, 'c', 200000, 1);
    if (strcmp(p, "/interim") == 0) {
        return send_str(fd, "HTTP/1.1 100 Continue\r\n\r\n") &&
               send_str(fd, "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n") &&
               answer_json(fd, "{\"after\":\"interim\"}");
    }
    if (strcmp(p, "/until-close") == 0) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"until\":");
        sleep_ms(5);
        send_str(fd, "\"close\"}");
        return false;
    }
    if (strcmp(p, "/truncated") == 0) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     "Content-Length: 100\r\n\r\n{\"partial\":");
        return false;
    }
    if (strcmp(p, "/truncated-chunked") == 0) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\nb\r\n{\"partial\":\r\n");
        return false;
    }
    if (strcmp(p, "/close") == 0)
        return false;
    if (strcmp(p, "/drop-second") == 0) {
        /* a server closing a kept-alive connection as the next request arrives */
        if (r->nth > 1) {
            atomic_fetch_add(&n_dropped, 1);
            return false;
        }
        return answer_json(fd, "{\"fresh\":true}");
    }
    if (strcmp(p, "/sleep") == 0) { /* /sleep?ms=N */
        const char *q = strstr(r->target, "ms=");
        sleep_ms(q ? strtol(q + 3, NULL, 10) : 100);
        return answer_json(fd, "{\"slept\":true}");
    }
    if (strncmp(p, "/expect-", 8) == 0) {
        if (r->rejected)
            return false; /* answered already; its body was never read */
        snprintf(buf, sizeof(buf), "{\"expect\":%s,\"body_wait_ms\":%ld,\"body_len\":%zu}",
                 r->expect_continue ? "true" : "false", r->body_wait_ms, r->body_len);
        return answer_json(fd, buf);
    }
    if (strcmp(p, "/slow") == 0) {
        sleep_ms(2000);
        return answer_json(fd, "{\"slow\":true}");
    }
    if (strncmp(p, "/r30", 4) == 0 && strlen(p) == 5 && strchr("12378", p[4])) {
        static const char *const text[] = {"",
                                           "301 Moved Permanently",
                                           "302 Found",
                                           "303 See Other",
                                           "",
                                           "",
                                           "",
                                           "307 Temporary Redirect",
                                           "308 Permanent Redirect"};
        if (p[4] == '8') { /* an absolute Location */
            snprintf(buf, sizeof(buf), "http://127.0.0.1:%u/echo?from=308", port);
            return redirect(fd, text[8], buf);
        }
        return redirect(fd, text[p[4] - '0'], "/echo");
    }
    if (strncmp(p, "/redirect/", 10) == 0) {
        long left = strtol(p + 10, NULL, 10);
        if (left <= 0)
            return redirect(fd, "302 Found", "/json");
        snprintf(buf, sizeof(buf), "/redirect/%ld", left - 1);
        return redirect(fd, "302 Found", buf);
    }
    if (strcmp(p, "/loop") == 0)
        return redirect(fd, "302 Found", "/loop");
    /* fields a proxy must not pass on (RFC 9112 §5.1), and too many interim answers */
    if (strcmp(p, "/bad-te-space") == 0)
        return send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding : chunked\r\n"
                            "Content-Length: 2\r\n\r\nok");
    if (strcmp(p, "/bad-name-cr") == 0)
        return send_str(fd,
                        "HTTP/1.1 200 OK\r\nX-B\rSet-Cookie: a=b\r\nContent-Length: 2\r\n\r\nok");
    if (strcmp(p, "/bad-value") == 0)
        return send_str(fd, "HTTP/1.1 200 OK\r\nX-B: a\x01b\r\nContent-Length: 2\r\n\r\nok");
    if (strcmp(p, "/interim-6") == 0) {
        for (int i = 0; i < 6; i++)
            send_str(fd, "HTTP/1.1 100 Continue\r\n\r\n");
        return answer_json(fd, "{\"after\":\"six\"}");
    }
    /* an answer, then a stray second one on the idle connection a moment later */
    if (strcmp(p, "/stray") == 0) {
        bool ok = answer_json(fd, "{\"first\":true}");
        sleep_ms(30);
        return ok && answer_json(fd, "{\"stray\":true}");
    }
    return answer(fd, "404 Not Found", "Content-Type: text/plain\r\n", "not found\n", 10);
}

/* The value of field name in head (which starts after the request line), or "". */
static void field(const char *head, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);

    out[0] = '\0';
    for (const char *l = head; l && *l; l = strstr(l, "\r\n") ? strstr(l, "\r\n") + 2 : NULL) {
        if (strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
            const char *v = l + nl + 1, *e = strstr(v, "\r\n");
            while (*v == ' ')
                v++;
            snprintf(out, cap, "%.*s", (int)(e ? (size_t)(e - v) : strlen(v)), v);
            return;
        }
    }
}

/* Reads from fd until buf holds at least need bytes (or finds s after from when s is given);
 * false at the end of the connection or past MAX_REQUEST. */
static bool fill(int fd, char *buf, size_t *len, size_t need, const char *s, size_t from)
{
    for (;;) {
        ssize_t k;
        buf[*len] = '\0';
        if (s ? from <= *len && strstr(buf + from, s) != NULL : *len >= need)
            return true;
        if (*len >= MAX_REQUEST)
            return false;
        k = recv(fd, buf + *len, MAX_REQUEST - *len, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        *len += (size_t)k;
    }
}

/* A chunked request body from buf + *pos into out (capped); false when malformed or cut. */
static bool read_chunked(int fd, char *buf, size_t *len, size_t *pos, char *out, size_t *out_len)
{
    *out_len = 0;
    for (;;) {
        char *e;
        unsigned long size;
        if (!fill(fd, buf, len, 0, "\r\n", *pos))
            return false;
        size = strtoul(buf + *pos, &e, 16);
        *pos = (size_t)(strstr(buf + *pos, "\r\n") - buf) + 2;
        if (size == 0) /* no trailer fields from the gateway: the empty line ends it */
            return fill(fd, buf, len, *pos + 2, NULL, 0) && (*pos += 2, true);
        if (size > MAX_REQUEST - *out_len || !fill(fd, buf, len, *pos + size + 2, NULL, 0))
            return false;
        memcpy(out + *out_len, buf + *pos, size);
        *out_len += size;
        *pos += size + 2;
    }
}

/* Reads one request into r (buf holds len bytes already read, body receives a chunked body);
 * its size in buf, 0 at the end. */
static size_t read_request(int fd, char *buf, size_t *len, char *body, struct req *r)
{
    char cl[32], te[64], ex[64];
    const char *fields;
    size_t pos;

    if (!fill(fd, buf, len, 0, "\r\n\r\n", 0))
        return 0;
    pos = (size_t)(strstr(buf, "\r\n\r\n") - buf) + 4;
    memset(r, 0, sizeof(*r));
    if (sscanf(buf, "%15s %1023s", r->method, r->target) != 2)
        return 0;
    snprintf(r->path, sizeof(r->path), "%.*s", (int)strcspn(r->target, "?"), r->target);
    fields = strstr(buf, "\r\n") + 2;
    field(fields, "Referer", r->referer, sizeof(r->referer));
    field(fields, "Accept-Encoding", r->accept_encoding, sizeof(r->accept_encoding));
    field(fields, "Content-Length", cl, sizeof(cl));
    field(fields, "Transfer-Encoding", te, sizeof(te));
    field(fields, "Expect", ex, sizeof(ex));
    r->expect_continue = strcasecmp(ex, "100-continue") == 0;
    if (r->expect_continue && strcmp(r->path, "/expect-reject") == 0) {
        /* a final answer instead of the 100: the client must not send its body */
        r->rejected = true;
        answer(fd, "403 Forbidden", "Content-Type: text/plain\r\nConnection: close\r\n", "no\n", 3);
        return pos;
    }
    if (r->expect_continue && strcmp(r->path, "/expect-continue") == 0 &&
        !send_str(fd, "HTTP/1.1 100 Continue\r\n\r\n"))
        return 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (strcasecmp(te, "chunked") == 0) { /* how the gateway forwards a body of unknown length */
        if (!read_chunked(fd, buf, len, &pos, body, &r->body_len))
            return 0;
        r->body = body;
    } else {
        r->body_len = strtoul(cl, NULL, 10);
        if (r->body_len > MAX_REQUEST - pos || !fill(fd, buf, len, pos + r->body_len, NULL, 0))
            return 0;
        r->body = buf + pos;
        pos += r->body_len;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->body_wait_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    return pos;
}

static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char *buf = malloc(MAX_REQUEST + 1), *body = malloc(MAX_REQUEST);
    size_t len = 0, used;
    struct req r;
    unsigned nth = 0;

    while (buf && body && (used = read_request(fd, buf, &len, body, &r)) > 0) {
        r.nth = ++nth;
        atomic_fetch_add(&n_requests, 1);
        if (!route(fd, &r))
            break;
        memmove(buf, buf + used, len - used);
        len -= used;
    }
    free(buf);
    free(body);
    close(fd);
    return NULL;
}

/* A listener with a backlog of one that never accepts, its queue filled by a connection of its
 * own: further SYNs are dropped, so a connect to it waits until the client gives up. */
static int blackhole(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof(a);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), filler[2];

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 0) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) != 0) {
        perror("h1_backend --blackhole");
        return 1;
    }
    for (int i = 0; i < 2; i++) { /* backlog 0 still queues one; two to be sure */
        filler[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (filler[i] >= 0)
            connect(filler[i], (struct sockaddr *)&a, sizeof(a));
    }
    sleep_ms(200);
    printf("blackhole on 127.0.0.1:%u\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof(a);
    int one = 1, lfd;

    if (argc != 2) {
        fprintf(stderr, "usage: h1_backend PORT | --blackhole\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(argv[1], "--blackhole") == 0)
        return blackhole();
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)strtoul(argv[1], NULL, 10));
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 128) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) != 0) {
        perror("h1_backend");
        return 1;
    }
    port = ntohs(a.sin_port);
    printf("listening on 127.0.0.1:%u\n", port);
    fflush(stdout);
    for (;;) {
        pthread_t t;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("accept");
            return 1;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        atomic_fetch_add(&n_conns, 1);
        if (pthread_create(&t, NULL, serve, (void *)(intptr_t)fd) != 0) {
            close(fd);
            continue;
        }
        pthread_detach(t);
    }
}
