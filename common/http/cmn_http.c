/* cmn_http.c - libmicrohttpd glue: request gathering, suspend/resume answers, TLS, shutdown. */
#include "cmn_http.h"
#include "cmn_http_int.h"

#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_log.h"
#include "cmn_str.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS 128

#define MAX_LOOPS 256

/* One MHD daemon: the server's only one, or one per external loop. */
struct cmn_http_daemon {
    struct cmn_http_server *server;
    struct MHD_Daemon *mhd;
    unsigned idx;
    bool quiesced;
    /* MHD's external mode does not wake its driver when a connection is resumed: */
    int wake_fd;         /* written when an answer comes from another thread */
    atomic_bool pending; /* resumed connections wait for the next run */
    atomic_bool woken;   /* wake_fd holds a count to drain */
    pthread_t owner;     /* the thread driving this daemon (set by its first run) */
    atomic_bool owned;
};

/* ---- responses ------------------------------------------------------------------------- */

struct cmn_http_response *cmn_http_response_new(unsigned status)
{
    struct cmn_http_response *r = calloc(1, sizeof(*r));

    if (r)
        r->status = status;
    return r;
}

struct cmn_http_strblock {
    struct cmn_http_strblock *next;
    size_t used, size;
    char data[];
};

#define STRBLOCK 512

void cmn_http_response_destroy(struct cmn_http_response *r)
{
    if (!r)
        return;
    while (r->strings) {
        struct cmn_http_strblock *b = r->strings;
        r->strings = b->next;
        free(b);
    }
    free(r->headers);
    free(r->body);
    free(r);
}

/* A copy of s (n bytes and a NUL) in the response's string blocks. */
static char *response_strdup(struct cmn_http_response *r, const char *s, size_t n)
{
    struct cmn_http_strblock *b = r->strings;
    char *p;

    if (!b || b->size - b->used < n + 1) {
        size_t size = n + 1 > STRBLOCK ? n + 1 : STRBLOCK;
        b = malloc(sizeof(*b) + size);
        if (!b)
            return NULL;
        b->used = 0;
        b->size = size;
        b->next = r->strings;
        r->strings = b;
    }
    p = b->data + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

bool cmn_http_response_add_header(struct cmn_http_response *r, const char *name, const char *value)
{
    char *n, *v;

    if (r->n_headers == r->cap_headers) {
        size_t cap = r->cap_headers ? r->cap_headers * 2 : 8;
        struct cmn_http_kv *h = realloc(r->headers, cap * sizeof(*h));
        if (!h)
            return false;
        r->headers = h;
        r->cap_headers = cap;
    }
    n = response_strdup(r, name, strlen(name));
    v = n ? response_strdup(r, value, strlen(value)) : NULL;
    if (!v)
        return false;
    r->headers[r->n_headers].name = n;
    r->headers[r->n_headers].value = v;
    r->n_headers++;
    return true;
}

void cmn_http_response_del_header(struct cmn_http_response *r, const char *name)
{
    size_t o = 0;

    for (size_t i = 0; i < r->n_headers; i++) {
        if (!cmn_str_eq_nocase(r->headers[i].name, name))
            r->headers[o++] = r->headers[i];
    }
    r->n_headers = o;
}

bool cmn_http_response_set_body(struct cmn_http_response *r, const void *data, size_t len)
{
    char *b = malloc(len + 1);

    if (!b)
        return false;
    if (len)
        memcpy(b, data, len);
    b[len] = '\0';
    cmn_http_response_take_body(r, b, len);
    return true;
}

void cmn_http_response_take_body(struct cmn_http_response *r, char *data, size_t len)
{
    free(r->body);
    r->body = data;
    r->body_len = len;
}

struct cmn_http_response *cmn_http_response_text(unsigned status, const char *content_type,
                                                 const char *body, size_t len)
{
    struct cmn_http_response *r = cmn_http_response_new(status);

    if (!r)
        return NULL;
    if ((content_type && !cmn_http_response_add_header(r, "Content-Type", content_type)) ||
        !cmn_http_response_set_body(r, body, len)) {
        cmn_http_response_destroy(r);
        return NULL;
    }
    return r;
}

/* ---- exchanges ------------------------------------------------------------------------- */

const char *cmn_http_request_header(const struct cmn_http_request *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        if (cmn_str_eq_nocase(r->headers[i].name, name))
            return r->headers[i].value;
    }
    return NULL;
}

const struct cmn_http_request *cmn_http_exchange_request(const struct cmn_http_exchange *ex)
{
    return &ex->req;
}

void cmn_http_exchange_set_user(struct cmn_http_exchange *ex, void *user)
{
    ex->user = user;
}

void *cmn_http_exchange_user(const struct cmn_http_exchange *ex)
{
    return ex->user;
}

unsigned cmn_http_exchange_loop(const struct cmn_http_exchange *ex)
{
    return ex->loop;
}

static void server_free(struct cmn_http_server *s)
{
    for (unsigned i = 0; s->daemons && s->external && i < s->n_daemons; i++) {
        if (s->daemons[i].wake_fd >= 0)
            close(s->daemons[i].wake_fd);
    }
    free(s->daemons);
    if (s->nloops)
        cmn_hn_free(s);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void cmn_http_exchange_unref(struct cmn_http_exchange *ex)
{
    if (atomic_fetch_sub(&ex->refs, 1) != 1)
        return;
    free(ex->block);
    cmn_buf_free(&ex->body);
    cmn_http_response_destroy(ex->resp);
    free(ex);
}

void cmn_http_access_log(const struct cmn_http_exchange *ex, const struct cmn_http_response *r)
{
    double ms = (double)(cmn_clock_mono_us() - ex->req.start_us) / 1000.0;

    if (r->abort)
        cmn_log_info("%s %s %s -> connection closed (%.1f ms)", ex->remote_ip, ex->method,
                     ex->target, ms);
    else
        cmn_log_info("%s %s %s -> %u (%zu bytes, %.1f ms)", ex->remote_ip, ex->method, ex->target,
                     r->status, r->body_len, ms);
}

/* Makes the loop driving d run MHD soon: on its own thread a flag is enough (the loop asks
 * for the timeout before it waits), from another thread its eventfd wakes it. */
static void wake_loop(struct cmn_http_daemon *d)
{
    uint64_t one = 1;

    atomic_store(&d->pending, true);
    if (atomic_load(&d->owned) && pthread_equal(pthread_self(), d->owner))
        return;
    if (!atomic_exchange(&d->woken, true) && write(d->wake_fd, &one, sizeof(one)) < 0)
        cmn_log_error("[HTTP] cannot wake a loop: %s", strerror(errno));
}

void cmn_http_exchange_respond(struct cmn_http_exchange *ex, struct cmn_http_response *resp)
{
    struct cmn_http_server *s = ex->server;
    int old;
    bool last;

    if (!resp)
        resp = cmn_http_response_text(500, "text/plain; charset=utf-8", "internal error\n", 15);
    if (!resp) {
        /* Out of memory even for the error: close the connection instead. */
        static struct cmn_http_response oom = {.status = 500, .abort = true};
        resp = calloc(1, sizeof(*resp));
        if (!resp)
            resp = &oom;
        resp->abort = true;
    }
    if (s->opts.access_log)
        cmn_http_access_log(ex, resp);
    ex->resp = resp;
    old = atomic_exchange(&ex->state, EX_ANSWERED);
    if (old == EX_SUSPENDED && s->nloops) {
        cmn_hn_deliver(ex);
    } else if (old == EX_SUSPENDED && !atomic_load(&s->stopped)) {
        MHD_resume_connection(ex->conn);
        if (s->external)
            wake_loop(&s->daemons[ex->loop]);
    }
    cmn_http_exchange_unref(ex);

    pthread_mutex_lock(&s->lock);
    last = atomic_fetch_sub(&s->inflight, 1) == 1 && s->free_on_last;
    pthread_mutex_unlock(&s->lock);
    if (last)
        server_free(s);
}

/* ---- MHD callbacks ----------------------------------------------------------------------- */

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct cmn_http_daemon *d = cls;
    size_t ul = uri ? strlen(uri) : 0;
    struct cmn_http_exchange *ex = calloc(1, sizeof(*ex) + ul + 1);

    if (!ex)
        return NULL;
    ex->server = d->server;
    ex->loop = d->idx;
    ex->conn = conn;
    ex->req.start_us = cmn_clock_mono_us();
    atomic_init(&ex->state, EX_READING);
    atomic_init(&ex->refs, 1);
    ex->target = ex->target_text;
    if (ul)
        memcpy(ex->target, uri, ul);
    cmn_buf_init(&ex->body, ex->server->opts.max_body);
    return ex;
}

/* Header gathering in two passes: sizes, then copies into the exchange's one block (the
 * request must outlive MHD's buffers: a handler may still read it after a disconnect). */
struct gather {
    struct cmn_http_exchange *ex;
    size_t n, bytes;
    char *at;
};

static enum MHD_Result size_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct gather *g = cls;

    (void)kind;
    if (g->n == MAX_HEADERS) {
        g->ex->too_many_headers = true;
        return MHD_NO;
    }
    g->n++;
    g->bytes += strlen(key) + 1 + strlen(value ? value : "") + 1;
    return MHD_YES;
}

void cmn_http_request_publish(struct cmn_http_exchange *ex, const char *q)
{
    struct cmn_http_request *r = &ex->req;

    r->method = ex->method;
    r->version = ex->version;
    r->authority = ex->authority;
    r->target = ex->target;
    r->path = ex->path;
    r->has_query = q != NULL;
    r->query = q ? q + 1 : "";
    r->headers = ex->headers;
    r->n_headers = ex->n_headers;
    r->remote_ip = ex->remote_ip;
}

char *cmn_http_put(char **at, const char *s, size_t n)
{
    char *p = *at;

    memcpy(p, s, n);
    p[n] = '\0';
    *at += n + 1;
    return p;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    struct gather *g = cls;
    struct cmn_http_exchange *ex = g->ex;

    (void)kind;
    if (ex->n_headers == g->n)
        return MHD_NO;
    value = value ? value : "";
    ex->headers[ex->n_headers].name = cmn_http_put(&g->at, key, strlen(key));
    ex->headers[ex->n_headers].value = cmn_http_put(&g->at, value, strlen(value));
    ex->n_headers++;
    return MHD_YES;
}

/* inet_ntop's dotted quad without its sprintf; out has room for 16 bytes. */
static void format_ipv4(const unsigned char *a, char *out)
{
    for (int i = 0; i < 4; i++) {
        unsigned v = a[i];
        if (v >= 100)
            *out++ = (char)('0' + v / 100);
        if (v >= 10)
            *out++ = (char)('0' + v / 10 % 10);
        *out++ = (char)('0' + v % 10);
        *out++ = i < 3 ? '.' : '\0';
    }
}

static void fill_remote(struct cmn_http_exchange *ex)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(ex->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char port[16] = "0";

    cmn_strlcpy(ex->remote_ip, "unknown", sizeof(ex->remote_ip));
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ci->client_addr;
        format_ipv4((const unsigned char *)&in->sin_addr, ex->remote_ip);
        ex->req.remote_port = ntohs(in->sin_port);
        return;
    }
    if (ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ci->client_addr;
        /* An IPv4 client on a dual-stack socket (::ffff:a.b.c.d): report a.b.c.d. */
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            format_ipv4(&in6->sin6_addr.s6_addr[12], ex->remote_ip);
            ex->req.remote_port = ntohs(in6->sin6_port);
            return;
        }
    }
    socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                           : sizeof(struct sockaddr_in);
    if (getnameinfo(ci->client_addr, len, ex->remote_ip, sizeof(ex->remote_ip), port, sizeof(port),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        cmn_strlcpy(ex->remote_ip, "unknown", sizeof(ex->remote_ip));
    ex->req.remote_port = (unsigned)strtoul(port, NULL, 10);
    /* An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; report a.b.c.d. */
    if (cmn_str_has_prefix(ex->remote_ip, "::ffff:") && strchr(ex->remote_ip, '.'))
        memmove(ex->remote_ip, ex->remote_ip + 7, strlen(ex->remote_ip + 7) + 1);
}

/* Fills the request from the connection once its head has arrived. */
static bool start_request(struct cmn_http_exchange *ex, const char *method, const char *version)
{
    struct cmn_http_request *r = &ex->req;
    const char *q;
    const char *cl, *te;

    struct gather g = {.ex = ex};
    size_t path_len;

    if (!ex->target)
        return false;
    q = strchr(ex->target, '?');
    path_len = q ? (size_t)(q - ex->target) : strlen(ex->target);
    MHD_get_connection_values(ex->conn, MHD_HEADER_KIND, size_header, &g);
    g.bytes += strlen(method) + 1 + strlen(version) + 1 + path_len + 1;
    ex->block = malloc(g.n * sizeof(struct cmn_http_kv) + g.bytes);
    if (!ex->block)
        return false;
    ex->headers = (struct cmn_http_kv *)(void *)ex->block;
    g.at = ex->block + g.n * sizeof(struct cmn_http_kv);
    ex->version = cmn_http_put(&g.at, version, strlen(version));
    ex->path = cmn_http_put(&g.at, ex->target, path_len);
    MHD_get_connection_values(ex->conn, MHD_HEADER_KIND, collect_header, &g);
    /* set last: marks the request started */
    ex->method = cmn_http_put(&g.at, method, strlen(method));
    fill_remote(ex);
    cmn_http_request_publish(ex, q);
    r->tls = ex->server->opts.tls_cert_pem != NULL;
    cl = cmn_http_request_header(r, "Content-Length");
    te = cmn_http_request_header(r, "Transfer-Encoding");
    ex->content_length = cl;
    r->has_body = te != NULL || (cl && strtoull(cl, NULL, 10) > 0);
    return true;
}

static enum MHD_Result queue(struct cmn_http_exchange *ex, struct cmn_http_response *r)
{
    struct MHD_Response *mr;
    enum MHD_Result ret;

    atomic_store(&ex->state, EX_DONE);
    if (r->abort)
        return MHD_NO;
    static char empty[1];

    mr = MHD_create_response_from_buffer(r->body_len, r->body ? r->body : empty,
                                         r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!mr)
        return MHD_NO;
    r->body = NULL; /* now MHD's */
    for (size_t i = 0; i < r->n_headers; i++) {
        if (cmn_str_eq_nocase(r->headers[i].name, "Content-Length"))
            continue;
        MHD_add_response_header(mr, r->headers[i].name, r->headers[i].value);
    }
    ret = MHD_queue_response(ex->conn, r->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result queue_error(struct cmn_http_exchange *ex, unsigned status, const char *msg)
{
    struct cmn_http_response *r =
        cmn_http_response_text(status, "text/plain; charset=utf-8", msg, strlen(msg));
    enum MHD_Result ret;

    if (!r)
        return MHD_NO;
    if (ex->server->opts.access_log)
        cmn_http_access_log(ex, r);
    ret = queue(ex, r);
    cmn_http_response_destroy(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct cmn_http_server *s = ((struct cmn_http_daemon *)cls)->server;
    struct cmn_http_exchange *ex = *req_cls;
    int state;

    (void)url;
    if (!ex)
        return MHD_NO; /* the URI logger could not allocate */
    state = atomic_load(&ex->state);
    if (state == EX_DONE) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (state == EX_ANSWERED)
        return queue(ex, ex->resp);
    if (!ex->method) {
        if (!start_request(ex, method, version))
            return MHD_NO;
        if (ex->too_many_headers)
            return queue_error(ex, 431, "too many request headers\n");
        const char *cl = ex->content_length;
        if (cl && strtoull(cl, NULL, 10) > s->opts.max_body)
            return queue_error(ex, 413, "request body too large\n");
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (cmn_buf_append(&ex->body, upload_data, *upload_data_size) != CMN_BUF_OK) {
            *upload_data_size = 0;
            return queue_error(ex, 413, "request body too large\n");
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    ex->req.body = cmn_buf_str(&ex->body);
    ex->req.body_len = ex->body.len;
    atomic_store(&ex->state, EX_HANDLING);
    atomic_fetch_add(&ex->refs, 1);
    atomic_fetch_add(&s->inflight, 1);
    s->opts.handler(s->opts.ctx, ex, &ex->req);
    if (atomic_load(&ex->state) == EX_ANSWERED)
        return queue(ex, ex->resp);
    MHD_suspend_connection(conn);
    int expected = EX_HANDLING;
    if (!atomic_compare_exchange_strong(&ex->state, &expected, EX_SUSPENDED))
        MHD_resume_connection(conn); /* answered between the check and the suspend */
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct cmn_http_exchange *ex = *req_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (ex)
        cmn_http_exchange_unref(ex);
    *req_cls = NULL;
}

/* MHD's format strings are its own literals; the attribute tells the compiler so. */
__attribute__((format(printf, 2, 0))) static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    cmn_log_debug("[HTTP] %s", msg);
}

/* ---- server ------------------------------------------------------------------------------ */

static bool resolve_bind(const char *bind, unsigned port, struct sockaddr_storage *ss,
                         struct cmn_err *err)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    char portstr[16];
    int rc;

    snprintf(portstr, sizeof(portstr), "%u", port);
    rc = getaddrinfo(bind, portstr, &hints, &res);
    if (rc != 0 || !res) {
        cmn_err_set(err, 1, "cannot resolve bind address '%s': %s", bind, gai_strerror(rc));
        return false;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return true;
}

/* Starts daemon i with the shared options; i > 0 of external loops take daemon 0's socket. */
static bool start_daemon(struct cmn_http_server *s, unsigned i, unsigned flags,
                         const struct MHD_OptionItem *base, int n_base, struct cmn_err *err)
{
    struct MHD_OptionItem ops[24];
    struct cmn_http_daemon *d = &s->daemons[i];
    unsigned limit = s->opts.max_connections;
    int n = 0;

    d->server = s;
    d->idx = i;
    if (s->external) {
        d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (d->wake_fd < 0) {
            cmn_err_set(err, 1, "cannot create an eventfd: %s", strerror(errno));
            return false;
        }
    }
    for (int k = 0; k < n_base; k++)
        ops[n++] = base[k];
    if (s->external) {
        limit = (limit + s->n_daemons - 1) / s->n_daemons;
        if (i > 0)
            ops[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, s->listen_fd, NULL};
    } else if (s->opts.threads > 1) {
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, s->opts.threads, NULL};
    }
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, limit, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_logger, d};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, d};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    /* The logger goes first, or MHD reports its own options through the default logger. */
    d->mhd = MHD_start_daemon(flags, (uint16_t)s->opts.port, NULL, NULL, on_request, d,
                              MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL, MHD_OPTION_ARRAY, ops,
                              MHD_OPTION_END);
    if (!d->mhd) {
        bool all = !s->opts.bind || !s->opts.bind[0];
        cmn_err_set(err, 1, "cannot listen on %s:%u (address in use, or no permission?)",
                    all ? "*" : s->opts.bind, s->opts.port);
        return false;
    }
    if (s->external && i == 0) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_LISTEN_FD);
        if (!di) {
            cmn_err_set(err, 1, "cannot share the listening socket");
            return false;
        }
        s->listen_fd = di->listen_fd;
    }
    return true;
}

struct cmn_http_server *cmn_http_server_start(const struct cmn_http_server_opts *opts,
                                              struct cmn_err *err)
{
    struct cmn_http_server *s = calloc(1, sizeof(*s));
    struct sockaddr_storage ss;
    struct MHD_OptionItem ops[16];
    unsigned flags = MHD_USE_EPOLL_LINUX_ONLY | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    int n = 0;
    bool all = !opts->bind || !opts->bind[0];

    if (!s) {
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    s->opts = *opts;
    if (!s->opts.threads)
        s->opts.threads = 2;
    if (!s->opts.max_connections)
        s->opts.max_connections = 4096;
    if (!s->opts.idle_timeout_s)
        s->opts.idle_timeout_s = 30;
    if (!s->opts.max_body)
        s->opts.max_body = 1024 * 1024;
    if (!s->opts.max_header_bytes)
        s->opts.max_header_bytes = 64 * 1024;
    pthread_mutex_init(&s->lock, NULL);
    atomic_init(&s->inflight, 0);
    atomic_init(&s->stopped, false);
    atomic_init(&s->n_quiesced, 0);
    s->listen_fd = MHD_INVALID_SOCKET;
    s->external = opts->external_loops > 0;
    s->n_daemons = !s->external                       ? 1
                   : opts->external_loops > MAX_LOOPS ? MAX_LOOPS
                                                      : opts->external_loops;
    if (s->external && opts->native) {
        if (!cmn_hn_start(s, err))
            goto fail;
        return s;
    }
    s->daemons = calloc(s->n_daemons, sizeof(*s->daemons));
    if (!s->daemons) {
        cmn_err_set(err, 1, "out of memory");
        goto fail;
    }
    for (unsigned i = 0; i < s->n_daemons; i++) {
        s->daemons[i].wake_fd = -1;
        atomic_init(&s->daemons[i].pending, false);
        atomic_init(&s->daemons[i].woken, false);
        atomic_init(&s->daemons[i].owned, false);
    }
    if (!s->external)
        flags |= MHD_USE_INTERNAL_POLLING_THREAD;
    else
        flags |= MHD_USE_TURBO; /* read, write and accept before asking epoll */

    if (all) {
        flags |= MHD_USE_DUAL_STACK;
    } else {
        if (!resolve_bind(opts->bind, opts->port, &ss, err))
            goto fail;
        if (ss.ss_family == AF_INET6)
            flags |= MHD_USE_IPv6;
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
    }
    if (opts->tls_cert_pem && opts->tls_key_pem) {
        flags |= MHD_USE_TLS;
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
                                           (void *)(uintptr_t)opts->tls_cert_pem};
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0,
                                           (void *)(uintptr_t)opts->tls_key_pem};
        static char prio[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE";
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, prio};
    }
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, s->opts.idle_timeout_s, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                       (intptr_t)s->opts.max_header_bytes, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096, NULL};

    for (unsigned i = 0; i < s->n_daemons; i++) {
        if (!start_daemon(s, i, flags, ops, n, err))
            goto fail;
    }
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(s->daemons[0].mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : opts->port;
    return s;
fail:
    /* Daemons after the first share its socket: they must not close it, the first does. */
    for (unsigned i = s->daemons ? s->n_daemons : 0; i-- > 0;) {
        if (!s->daemons[i].mhd)
            continue;
        if (i > 0)
            MHD_quiesce_daemon(s->daemons[i].mhd);
        MHD_stop_daemon(s->daemons[i].mhd);
    }
    server_free(s);
    return NULL;
}

unsigned cmn_http_server_port(const struct cmn_http_server *s)
{
    return s->port;
}

unsigned cmn_http_server_inflight(const struct cmn_http_server *s)
{
    return atomic_load(&s->inflight);
}

int cmn_http_server_loop_fd(const struct cmn_http_server *s, unsigned i)
{
    const union MHD_DaemonInfo *di;

    if (!s->external || i >= s->n_daemons)
        return -1;
    if (s->nloops)
        return cmn_hn_loop_fd(s, i);
    di = MHD_get_daemon_info(s->daemons[i].mhd, MHD_DAEMON_INFO_EPOLL_FD);
    return di ? di->epoll_fd : -1;
}

int cmn_http_server_loop_wake_fd(const struct cmn_http_server *s, unsigned i)
{
    if (!s->external || i >= s->n_daemons)
        return -1;
    return s->nloops ? cmn_hn_loop_wake_fd(s, i) : s->daemons[i].wake_fd;
}

int64_t cmn_http_server_loop_timeout_ms(const struct cmn_http_server *s, unsigned i)
{
    MHD_UNSIGNED_LONG_LONG ms = 0;

    if (!s->external || i >= s->n_daemons)
        return -1;
    if (s->nloops)
        return cmn_hn_loop_timeout_ms(s, i);
    if (atomic_load(&s->daemons[i].pending))
        return 0;
    if (MHD_get_timeout(s->daemons[i].mhd, &ms) != MHD_YES)
        return -1;
    return ms > INT32_MAX ? INT32_MAX : (int64_t)ms;
}

void cmn_http_server_loop_run(struct cmn_http_server *s, unsigned i)
{
    struct cmn_http_daemon *d;
    uint64_t v;

    if (!s->external || i >= s->n_daemons)
        return;
    if (s->nloops) {
        cmn_hn_loop_run(s, i);
        return;
    }
    d = &s->daemons[i];
    if (!atomic_load(&d->owned)) {
        d->owner = pthread_self();
        atomic_store(&d->owned, true);
    }
    if (atomic_exchange(&d->woken, false) && read(d->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
        cmn_log_error("[HTTP] cannot read a loop's eventfd: %s", strerror(errno));
    atomic_store(&d->pending, false);
    MHD_run(d->mhd);
}

void cmn_http_server_quiesce_loop(struct cmn_http_server *s, unsigned i)
{
    struct cmn_http_daemon *d;

    if (!s->external || i >= s->n_daemons)
        return;
    if (s->nloops) {
        cmn_hn_quiesce_loop(s, i);
        return;
    }
    if (s->daemons[i].quiesced)
        return;
    d = &s->daemons[i];
    MHD_quiesce_daemon(d->mhd); /* returns the shared socket: closed once, by the last */
    d->quiesced = true;
    if (atomic_fetch_add(&s->n_quiesced, 1) + 1 == s->n_daemons &&
        s->listen_fd != MHD_INVALID_SOCKET)
        close(s->listen_fd);
}

void cmn_http_server_quiesce(struct cmn_http_server *s)
{
    MHD_socket fd;

    if (s->external) {
        for (unsigned i = 0; i < s->n_daemons; i++)
            cmn_http_server_quiesce_loop(s, i);
        return;
    }
    fd = MHD_quiesce_daemon(s->daemons[0].mhd);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

void cmn_http_server_stop(struct cmn_http_server *s, int wait_ms)
{
    int64_t deadline = cmn_clock_mono_ms() + wait_ms;
    bool free_now;

    if (!s)
        return;
    while (atomic_load(&s->inflight) > 0 && cmn_clock_mono_ms() < deadline) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    atomic_store(&s->stopped, true);
    if (s->external)
        cmn_http_server_quiesce(s); /* the shared socket is closed once, not per daemon */
    if (s->nloops)
        cmn_hn_stop(s);
    for (unsigned i = 0; s->daemons && i < s->n_daemons; i++)
        MHD_stop_daemon(s->daemons[i].mhd);
    pthread_mutex_lock(&s->lock);
    free_now = atomic_load(&s->inflight) == 0;
    s->free_on_last = !free_now;
    pthread_mutex_unlock(&s->lock);
    if (free_now)
        server_free(s);
}

void cmn_http_raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Go's http.StatusText: what KrakenD's status lines say (libmicrohttpd's own list uses newer
 * names for some, "Content Too Large" for 413, and "Unknown" for codes it does not know). */
struct status_name {
    unsigned code;
    const char *text;
};

static const struct status_name STATUS[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {102, "Processing"},
    {103, "Early Hints"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {207, "Multi-Status"},
    {208, "Already Reported"},
    {226, "IM Used"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Request Entity Too Large"},
    {414, "Request URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Requested Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {418, "I'm a teapot"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Entity"},
    {423, "Locked"},
    {424, "Failed Dependency"},
    {425, "Too Early"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {451, "Unavailable For Legal Reasons"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
    {506, "Variant Also Negotiates"},
    {507, "Insufficient Storage"},
    {508, "Loop Detected"},
    {510, "Not Extended"},
    {511, "Network Authentication Required"},
};

const char *cmn_http_reason(unsigned status)
{
    for (size_t i = 0; i < sizeof(STATUS) / sizeof(STATUS[0]); i++) {
        if (STATUS[i].code == status)
            return STATUS[i].text;
    }
    return "";
}
