/* cmn_http.c - the HTTP server API: responses, the life of an exchange (one dispatch, one
 * answer), and the server's start, loops and stop, each handed to the engine that serves
 * (libmicrohttpd's in cmn_http_mhd.c, our own in cmn_http_native.c). */
#include "cmn_http.h"
#include "cmn_http_field.h"
#include "cmn_http_int.h"

#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_log.h"
#include "cmn_str.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_LOOPS 256

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
    free(r->headers); /* and the line slots after them */
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

/* Room for one more header. The line slots live in the same block, after cap_headers
 * headers: a response with lines costs no allocation more. */
static bool header_room(struct cmn_http_response *r)
{
    size_t cap;
    struct cmn_http_kv *h;

    if (r->n_headers < r->cap_headers)
        return true;
    cap = r->cap_headers ? r->cap_headers * 2 : 8;
    if (!(h = realloc(r->headers, cap * (sizeof(*h) + sizeof(*r->lines)))))
        return false;
    if (r->lines) { /* the slots move behind the larger header part */
        r->lines = (const struct cmn_http_line **)(void *)(h + cap);
        memmove(r->lines, h + r->cap_headers, r->n_headers * sizeof(*r->lines));
    }
    r->headers = h;
    r->cap_headers = cap;
    return true;
}

bool cmn_http_response_add_header(struct cmn_http_response *r, const char *name, const char *value)
{
    char *n, *v;

    if (!header_room(r))
        return false;
    n = response_strdup(r, name, strlen(name));
    v = n ? response_strdup(r, value, strlen(value)) : NULL;
    if (!v)
        return false;
    if (r->lines)
        r->lines[r->n_headers] = NULL;
    r->headers[r->n_headers].name = n;
    r->headers[r->n_headers].value = v;
    r->n_headers++;
    return true;
}

bool cmn_http_response_add_line(struct cmn_http_response *r, const struct cmn_http_line *l)
{
    if (!header_room(r))
        return false;
    if (!r->lines) { /* the first line: the headers before it are not lines */
        r->lines = (const struct cmn_http_line **)(void *)(r->headers + r->cap_headers);
        memset(r->lines, 0, r->n_headers * sizeof(*r->lines));
    }
    r->lines[r->n_headers] = l;
    r->headers[r->n_headers].name = l->name;
    r->headers[r->n_headers].value = l->value;
    r->n_headers++;
    return true;
}

void cmn_http_response_del_header(struct cmn_http_response *r, const char *name)
{
    size_t o = 0;

    for (size_t i = 0; i < r->n_headers; i++) {
        if (cmn_str_eq_nocase(r->headers[i].name, name))
            continue;
        if (r->lines)
            r->lines[o] = r->lines[i];
        r->headers[o++] = r->headers[i];
    }
    r->n_headers = o;
}

/* The names the server writes or drops itself: never a line (cmn_http_line_init). */
static const char *const NOT_A_LINE[] = {"Content-Length", "Transfer-Encoding", "Connection",
                                         "Date", "Content-Type"};

bool cmn_http_line_init(struct cmn_http_line *l, const char *name, const char *value,
                        struct cmn_err *err)
{
    size_t nl = strlen(name), vl = strlen(value);
    char *b;

    *l = (struct cmn_http_line){0};
    if (!cmn_http_field_name_ok(name, nl) || !cmn_http_field_value_ok(value, vl)) {
        cmn_err_set(err, 1, "the header %.64s has an invalid name or value", name);
        return false;
    }
    for (size_t i = 0; i < sizeof(NOT_A_LINE) / sizeof(NOT_A_LINE[0]); i++) {
        if (cmn_str_eq_nocase(name, NOT_A_LINE[i])) {
            cmn_err_set(err, 1, "the header %s is not a fixed line", NOT_A_LINE[i]);
            return false;
        }
    }
    /* name NUL value NUL "name: value\r\n" */
    if (!(b = malloc(2 * (nl + vl) + 6))) {
        cmn_err_set(err, 1, "out of memory");
        return false;
    }
    memcpy(b, name, nl + 1);
    memcpy(b + nl + 1, value, vl + 1);
    l->name = b;
    l->value = b + nl + 1;
    l->wire = b + nl + vl + 2;
    l->wire_len = nl + vl + 4;
    memcpy(b + nl + vl + 2, name, nl);
    memcpy(b + 2 * nl + vl + 2, ": ", 2);
    memcpy(b + 2 * nl + vl + 4, value, vl);
    memcpy(b + 2 * (nl + vl) + 4, "\r\n", 2);
    return true;
}

void cmn_http_line_init_opt(struct cmn_http_line *l, const char *name, const char *value)
{
    *l = (struct cmn_http_line){0};
    if (value)
        (void)cmn_http_line_init(l, name, value, NULL);
}

void cmn_http_line_free(struct cmn_http_line *l)
{
    free((void *)(uintptr_t)l->name); /* the block */
    *l = (struct cmn_http_line){0};
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

unsigned cmn_http_exchange_loop(const struct cmn_http_exchange *ex)
{
    return ex->loop;
}

static void server_free(struct cmn_http_server *s)
{
    if (s->engine && s->engine->free)
        s->engine->free(s);
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
    if (old == EX_SUSPENDED)
        s->engine->deliver(ex);
    cmn_http_exchange_unref(ex);

    pthread_mutex_lock(&s->lock);
    last = atomic_fetch_sub(&s->inflight, 1) == 1 && s->free_on_last;
    pthread_mutex_unlock(&s->lock);
    if (last)
        server_free(s);
}

/* ---- requests ---------------------------------------------------------------------------- */

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

/* ---- the server ---------------------------------------------------------------------------- */

struct cmn_http_server *cmn_http_server_start(const struct cmn_http_server_opts *opts,
                                              struct cmn_err *err)
{
    struct cmn_http_server *s = calloc(1, sizeof(*s));

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
    if (!s->opts.head_budget)
        s->opts.head_budget = 64 * 1024 * 1024;
    pthread_mutex_init(&s->lock, NULL);
    atomic_init(&s->inflight, 0);
    atomic_init(&s->head_bytes, 0);
    atomic_init(&s->stopped, false);
    atomic_init(&s->n_quiesced, 0);
    s->listen_fd = -1;
    s->external = opts->external_loops > 0;
    s->n_loops = !s->external                       ? 1
                 : opts->external_loops > MAX_LOOPS ? MAX_LOOPS
                                                    : opts->external_loops;
    /* our engine serves external loops only; libmicrohttpd polls on its own threads too */
    s->engine = s->external && opts->native ? &cmn_http_engine_native : &cmn_http_engine_mhd;
    if (!s->engine->start(s, err)) {
        server_free(s);
        return NULL;
    }
    return s;
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
    return s->external && i < s->n_loops ? s->engine->loop_fd(s, i) : -1;
}

int cmn_http_server_loop_wake_fd(const struct cmn_http_server *s, unsigned i)
{
    return s->external && i < s->n_loops ? s->engine->loop_wake_fd(s, i) : -1;
}

int64_t cmn_http_server_loop_timeout_ms(const struct cmn_http_server *s, unsigned i)
{
    return s->external && i < s->n_loops ? s->engine->loop_timeout_ms(s, i) : -1;
}

void cmn_http_server_loop_run(struct cmn_http_server *s, unsigned i)
{
    if (s->external && i < s->n_loops)
        s->engine->loop_run(s, i);
}

void cmn_http_server_quiesce_loop(struct cmn_http_server *s, unsigned i)
{
    if (s->external && i < s->n_loops)
        s->engine->quiesce_loop(s, i);
}

void cmn_http_server_quiesce(struct cmn_http_server *s)
{
    if (!s->external) {
        s->engine->quiesce(s);
        return;
    }
    for (unsigned i = 0; i < s->n_loops; i++)
        s->engine->quiesce_loop(s, i);
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
        cmn_http_server_quiesce(s); /* the shared socket is closed once, not per loop */
    s->engine->stop(s);
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
