/* cmn_http_mhd.c - the libmicrohttpd engine behind cmn_http.h, which serves the mock services:
 * request gathering, suspend/resume answers, TLS, external loops or MHD's own threads. */
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
#include <sys/socket.h>
#include <unistd.h>

#define MAX_HEADERS 128

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

static struct cmn_http_daemon *daemons(const struct cmn_http_server *s)
{
    return s->engine_data;
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

/* An answer after the handler returned: the connection is resumed and its loop woken. */
static void deliver(struct cmn_http_exchange *ex)
{
    struct cmn_http_server *s = ex->server;

    if (atomic_load(&s->stopped))
        return;
    MHD_resume_connection(ex->conn);
    if (s->external)
        wake_loop(&daemons(s)[ex->loop]);
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
    struct cmn_http_daemon *d = &daemons(s)[i];
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
        limit = (limit + s->n_loops - 1) / s->n_loops;
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

static bool start(struct cmn_http_server *s, struct cmn_err *err)
{
    const struct cmn_http_server_opts *opts = &s->opts;
    struct cmn_http_daemon *d;
    struct sockaddr_storage ss;
    struct MHD_OptionItem ops[16];
    unsigned flags = MHD_USE_EPOLL_LINUX_ONLY | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    int n = 0;
    bool all = !opts->bind || !opts->bind[0];

    s->listen_fd = MHD_INVALID_SOCKET;
    d = calloc(s->n_loops, sizeof(*d));
    if (!d) {
        cmn_err_set(err, 1, "out of memory");
        return false;
    }
    s->engine_data = d;
    for (unsigned i = 0; i < s->n_loops; i++) {
        daemons(s)[i].wake_fd = -1;
        atomic_init(&daemons(s)[i].pending, false);
        atomic_init(&daemons(s)[i].woken, false);
        atomic_init(&daemons(s)[i].owned, false);
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

    for (unsigned i = 0; i < s->n_loops; i++) {
        if (!start_daemon(s, i, flags, ops, n, err))
            goto fail;
    }
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(daemons(s)[0].mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : opts->port;
    return true;
fail:
    /* Daemons after the first share its socket: they must not close it, the first does. */
    for (unsigned i = s->n_loops; i-- > 0;) {
        if (!daemons(s)[i].mhd)
            continue;
        if (i > 0)
            MHD_quiesce_daemon(daemons(s)[i].mhd);
        MHD_stop_daemon(daemons(s)[i].mhd);
        daemons(s)[i].mhd = NULL;
    }
    return false;
}

static int loop_fd(const struct cmn_http_server *s, unsigned i)
{
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(daemons(s)[i].mhd, MHD_DAEMON_INFO_EPOLL_FD);

    return di ? di->epoll_fd : -1;
}

static int loop_wake_fd(const struct cmn_http_server *s, unsigned i)
{
    return daemons(s)[i].wake_fd;
}

static int64_t loop_timeout_ms(const struct cmn_http_server *s, unsigned i)
{
    MHD_UNSIGNED_LONG_LONG ms = 0;

    if (atomic_load(&daemons(s)[i].pending))
        return 0;
    if (MHD_get_timeout(daemons(s)[i].mhd, &ms) != MHD_YES)
        return -1;
    return ms > INT32_MAX ? INT32_MAX : (int64_t)ms;
}

static void loop_run(struct cmn_http_server *s, unsigned i)
{
    struct cmn_http_daemon *d = &daemons(s)[i];
    uint64_t v;

    if (!atomic_load(&d->owned)) {
        d->owner = pthread_self();
        atomic_store(&d->owned, true);
    }
    if (atomic_exchange(&d->woken, false) && read(d->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
        cmn_log_error("[HTTP] cannot read a loop's eventfd: %s", strerror(errno));
    atomic_store(&d->pending, false);
    MHD_run(d->mhd);
}

static void quiesce_loop(struct cmn_http_server *s, unsigned i)
{
    struct cmn_http_daemon *d = &daemons(s)[i];

    if (d->quiesced)
        return;
    MHD_quiesce_daemon(d->mhd); /* returns the shared socket: closed once, by the last */
    d->quiesced = true;
    if (atomic_fetch_add(&s->n_quiesced, 1) + 1 == s->n_loops && s->listen_fd != MHD_INVALID_SOCKET)
        close(s->listen_fd);
}

static void quiesce(struct cmn_http_server *s)
{
    MHD_socket fd = MHD_quiesce_daemon(daemons(s)[0].mhd);

    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

static void stop(struct cmn_http_server *s)
{
    for (unsigned i = 0; i < s->n_loops; i++) {
        MHD_stop_daemon(daemons(s)[i].mhd);
        daemons(s)[i].mhd = NULL;
    }
}

static void engine_free(struct cmn_http_server *s)
{
    struct cmn_http_daemon *d = daemons(s);

    for (unsigned i = 0; d && s->external && i < s->n_loops; i++) {
        if (d[i].wake_fd >= 0)
            close(d[i].wake_fd);
    }
    free(d);
    s->engine_data = NULL;
}

const struct cmn_http_engine cmn_http_engine_mhd = {
    .start = start,
    .deliver = deliver,
    .loop_fd = loop_fd,
    .loop_wake_fd = loop_wake_fd,
    .loop_timeout_ms = loop_timeout_ms,
    .loop_run = loop_run,
    .quiesce_loop = quiesce_loop,
    .quiesce = quiesce,
    .stop = stop,
    .free = engine_free,
};
