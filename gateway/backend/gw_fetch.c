/* gw_fetch.c - a worker's backend client: each hop on gw_h1 or libcurl's multi interface, both
 * on the loop's epoll; Go-style redirects, caps and timeouts. */
#include "gw_fetch.h"

#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_str.h"
#include "gw_fetch_int.h"
#include "gw_h1.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_REDIRECTS 10
#define MAX_FD (1 << 20) /* descriptors above are registered the plain way */

/* Go's urlErrorOp: "GET" -> "Get". */
void gw_fetch_op_name(const char *m, char *out, size_t n)
{
    snprintf(out, n, "%s", m);
    for (size_t i = 1; out[i]; i++)
        out[i] = (char)(out[i] >= 'A' && out[i] <= 'Z' ? out[i] + 32 : out[i]);
}

/* ---- libcurl's sockets on the loop's epoll -------------------------------------------------- */

static uint32_t *fd_slot(struct gw_fetcher *fr, int fd)
{
    if (fd < 0 || fd >= MAX_FD)
        return NULL;
    if ((size_t)fd >= fr->n_fdstate) {
        size_t n = fr->n_fdstate ? fr->n_fdstate : 1024;
        uint32_t *v;
        while (n <= (size_t)fd)
            n *= 2;
        v = realloc(fr->fdstate, n * sizeof(*v));
        if (!v)
            return NULL;
        memset(v + fr->n_fdstate, 0, (n - fr->n_fdstate) * sizeof(*v));
        fr->fdstate = v;
        fr->n_fdstate = n;
    }
    return &fr->fdstate[fd];
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *ud, void *sockp)
{
    struct gw_fetcher *fr = ud;
    struct epoll_event ev = {0};
    uint32_t *st = fd_slot(fr, s);

    (void)e;
    (void)sockp;
    if (st) {
        uint32_t want = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
        if (what == CURL_POLL_REMOVE) {
            *st &= ~FD_CURL; /* stays registered until an event comes while unwatched */
            return 0;
        }
        ev.events = want;
        ev.data.fd = s;
        if (!(*st & FD_REG)) {
            if (epoll_ctl(fr->epfd, EPOLL_CTL_ADD, s, &ev) != 0 && errno == EEXIST)
                epoll_ctl(fr->epfd, EPOLL_CTL_MOD, s, &ev);
        } else if ((*st & FD_EVMASK) != want) {
            if (epoll_ctl(fr->epfd, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT)
                epoll_ctl(fr->epfd, EPOLL_CTL_ADD, s, &ev);
        }
        *st = FD_REG | FD_CURL | want;
        return 0;
    }
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(fr->epfd, EPOLL_CTL_DEL, s, NULL);
        curl_multi_assign(fr->multi, s, NULL);
        return 0;
    }
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    ev.data.fd = s;
    if (sockp) {
        epoll_ctl(fr->epfd, EPOLL_CTL_MOD, s, &ev);
    } else {
        epoll_ctl(fr->epfd, EPOLL_CTL_ADD, s, &ev);
        curl_multi_assign(fr->multi, s, fr);
    }
    return 0;
}

/* curl closes a socket: the kernel drops it from epoll, and so do we. */
int gw_fetch_on_close_socket(void *ud, curl_socket_t s)
{
    struct gw_fetcher *fr = ud;

    if (s >= 0 && (size_t)s < fr->n_fdstate)
        fr->fdstate[s] = 0;
    return close(s);
}

/* An event on a socket curl no longer watches (an idle keep-alive connection closed by the
 * backend): unregister it; curl finds out when it next tries the connection. */
static bool unwatched(struct gw_fetcher *fr, int fd)
{
    if (fd < 0 || (size_t)fd >= fr->n_fdstate || !(fr->fdstate[fd] & FD_REG) ||
        (fr->fdstate[fd] & FD_CURL))
        return false;
    epoll_ctl(fr->epfd, EPOLL_CTL_DEL, fd, NULL);
    fr->fdstate[fd] = 0;
    return true;
}

static int on_timer(CURLM *m, long timeout_ms, void *ud)
{
    struct gw_fetcher *fr = ud;

    (void)m;
    fr->timer_at = timeout_ms < 0 ? -1 : cmn_clock_mono_ms() + timeout_ms;
    return 0;
}

/* ---- fetches ------------------------------------------------------------------------------- */

static void drop_easy(struct gw_fetch *f)
{
    struct gw_fetcher *fr = f->fr;

    if (!f->easy)
        return;
    gw_fetch_head_done(f);
    curl_multi_remove_handle(fr->multi, f->easy);
    if (fr->n_pool < EASY_POOL_MAX) {
        curl_easy_reset(f->easy);
        fr->pool[fr->n_pool++] = f->easy;
    } else {
        curl_easy_cleanup(f->easy);
    }
    f->easy = NULL;
}

static void fetch_free(struct gw_fetch *f)
{
    drop_easy(f);
    gw_h1_cancel(f->xfer);
    curl_slist_free_all(f->slist);
    free(f->method);
    free(f->url);
    free(f->host);
    gw_hdrs_free(&f->headers);
    free(f->body);
    cmn_buf_free(&f->resp);
    gw_hdrs_free(&f->resp_headers);
    free(f);
}

static void unlink_active(struct gw_fetch *f)
{
    struct gw_fetcher *fr = f->fr;

    if (f->prev)
        f->prev->next = f->next;
    else if (fr->active == f)
        fr->active = f->next;
    if (f->next)
        f->next->prev = f->prev;
    f->prev = f->next = NULL;
}

static CURL *get_easy(struct gw_fetcher *fr)
{
    if (fr->n_pool)
        return fr->pool[--fr->n_pool];
    return curl_easy_init();
}

/* Starts the current hop (f->method, f->url) on gw_h1 or libcurl. */
static bool start_hop(struct gw_fetch *f)
{
    struct gw_fetcher *fr = f->fr;

    cmn_buf_reset(&f->resp);
    gw_hdrs_free(&f->resp_headers);
    gw_hdrs_init(&f->resp_headers, GW_MAX_HEADERS);
    f->too_big = false;
    f->interim = 0;
    f->refused = NULL;
    drop_easy(f);
    f->in_interim = f->got_head = false;
    f->hdr_due_ms = -1;
    if (gw_fetch_h1_start(f))
        return true;
    f->easy = get_easy(fr);
    if (!f->easy)
        return false;
    if (!gw_fetch_easy_setup(f) || curl_multi_add_handle(fr->multi, f->easy) != CURLM_OK) {
        curl_easy_cleanup(f->easy);
        f->easy = NULL;
        return false;
    }
    return true;
}

struct gw_fetch *gw_fetch_start(struct gw_fetcher *fr, struct gw_outreq *rq, bool take,
                                int64_t deadline_ms, gw_fetch_cb cb, void *arg)
{
    struct gw_fetch *f = calloc(1, sizeof(*f));

    if (!f)
        return NULL;
    f->fr = fr;
    f->cb = cb;
    f->arg = arg;
    f->deadline_ms = deadline_ms;
    f->hdr_due_ms = -1;
    f->content_length = rq->content_length;
    f->accept_gzip = rq->accept_gzip;
    cmn_buf_init(&f->resp, fr->o.max_response);
    gw_hdrs_init(&f->headers, GW_MAX_HEADERS);
    gw_hdrs_init(&f->resp_headers, GW_MAX_HEADERS);
    if (take) {
        f->method = rq->method;
        f->url = rq->url;
        f->headers = rq->headers;
        rq->method = rq->url = NULL;
        gw_hdrs_init(&rq->headers, GW_MAX_HEADERS);
    } else {
        f->method = strdup(rq->method);
        f->url = strdup(rq->url);
        for (size_t i = 0; i < rq->headers.n; i++) {
            if (!gw_hdrs_add(&f->headers, rq->headers.v[i].name, rq->headers.v[i].value))
                goto fail;
        }
    }
    if (rq->body_len) {
        f->body = cmn_strndup(rq->body, rq->body_len);
        f->body_len = rq->body_len;
    }
    if (rq->host && !(f->host = strdup(rq->host)))
        goto fail;
    if (!f->method || !f->url || (rq->body_len && !f->body))
        goto fail;
    if (!start_hop(f))
        goto fail;
    f->next = fr->active;
    if (fr->active)
        fr->active->prev = f;
    fr->active = f;
    return f;
fail:
    fetch_free(f);
    return NULL;
}

void gw_fetch_cancel(struct gw_fetch *f)
{
    if (!f)
        return;
    unlink_active(f);
    fetch_free(f);
}

static bool same_host(const char *a, const char *b)
{
    const char *pa = strstr(a, "://"), *pb = strstr(b, "://");
    size_t la, lb;

    if (!pa || !pb)
        return false;
    pa += 3;
    pb += 3;
    la = strcspn(pa, "/?#");
    lb = strcspn(pb, "/?#");
    return la == lb && strncasecmp(pa, pb, la) == 0;
}

/* The Location of a redirect, resolved against the current URL (owned), or NULL. */
static char *redirect_target(const struct gw_fetch *f)
{
    const char *loc = gw_hdrs_get(&f->resp_headers, "Location");
    CURLU *u;
    char *out = NULL, *copy;

    if (!loc || !*loc || !(u = curl_url()))
        return NULL;
    if (curl_url_set(u, CURLUPART_URL, f->url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, loc, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
        curl_url_get(u, CURLUPART_URL, &out, 0);
    curl_url_cleanup(u);
    copy = out ? strdup(out) : NULL;
    curl_free(out);
    return copy;
}

/* Prepares the next hop of a redirect; false when the response is final. */
static bool next_hop(struct gw_fetch *f, long status, struct gw_fetch_result *res)
{
    char *next;
    char op[16];

    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
        return false;
    if ((status == 307 || status == 308) && f->body_len > 0)
        return false; /* Go cannot replay a streamed body: the 307 itself is returned */
    next = redirect_target(f);
    if (!next)
        return false;
    gw_fetch_op_name(f->method, op, sizeof(op));
    if (++f->redirects > MAX_REDIRECTS) {
        res->error = malloc(strlen(next) + 64);
        if (res->error)
            snprintf(res->error, strlen(next) + 64, "%s \"%s\": stopped after 10 redirects", op,
                     next);
        free(next);
        return false;
    }
    if ((status == 301 || status == 302 || status == 303) &&
        !gw_fetch_method_is(f->method, "GET") && !gw_fetch_method_is(f->method, "HEAD")) {
        free(f->method);
        f->method = strdup("GET");
        free(f->body);
        f->body = NULL;
        f->body_len = 0;
        f->content_length = false;
        if (!f->method) {
            free(next);
            return false;
        }
    }
    if (!same_host(f->url, next)) {
        /* Go keeps a custom Host only through a relative redirect (same host here) */
        free(f->host);
        f->host = NULL;
        gw_hdrs_del(&f->headers, "Authorization");
        gw_hdrs_del(&f->headers, "Www-Authenticate");
        gw_hdrs_del(&f->headers, "Cookie");
        gw_hdrs_del(&f->headers, "Cookie2");
    }
    if (!(cmn_str_has_prefix(f->url, "https:") && cmn_str_has_prefix(next, "http:")))
        gw_hdrs_set(&f->headers, "Referer", f->url);
    free(f->url);
    f->url = next;
    if (!start_hop(f)) {
        res->error = malloc(strlen(next) + 64);
        if (res->error)
            snprintf(res->error, strlen(next) + 64, "%s \"%s\": cannot start the request", op,
                     next);
        return false;
    }
    return true;
}

/* A hop ended with a response (status) or an error (owned): follow a redirect, or finish. */
void gw_fetch_hop_end(struct gw_fetch *f, long status, char *error)
{
    struct gw_fetch_result res = {0};

    gw_hdrs_init(&res.headers, GW_MAX_HEADERS);
    if (!error) {
        if (next_hop(f, status, &res))
            return; /* the same fetch continues with the next hop */
        if (!res.error) {
            res.status = status;
            res.headers = f->resp_headers;
            gw_hdrs_init(&f->resp_headers, GW_MAX_HEADERS);
            res.body = cmn_buf_take(&f->resp, &res.body_len);
        }
    } else {
        res.error = error;
    }
    res.url = f->url;
    f->url = NULL;
    unlink_active(f);
    gw_fetch_cb cb = f->cb;
    void *arg = f->arg;
    fetch_free(f);
    cb(arg, &res);
}

static void complete(struct gw_fetcher *fr, CURL *e, CURLcode rc)
{
    struct gw_fetch *f = NULL;
    long status = 0;
    char op[16];
    struct cmn_buf m;

    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&f);
    if (!f)
        return;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        gw_fetch_h1_learn(fr, f);
        gw_fetch_hop_end(f, status, NULL);
        return;
    }
    gw_fetch_op_name(f->method, op, sizeof(op));
    cmn_buf_init(&m, 4096);
    if (rc == CURLE_OPERATION_TIMEDOUT && cmn_clock_mono_ms() >= f->deadline_ms - 2)
        cmn_buf_append_str(&m, "context deadline exceeded");
    else if (f->refused)
        cmn_buf_printf(&m, "%s \"%s\": %s", op, f->url, f->refused);
    else if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED)
        cmn_buf_printf(&m, "%s \"%s\": response body larger than %zu bytes", op, f->url,
                       fr->o.max_response);
    else
        cmn_buf_printf(&m, "%s \"%s\": %s", op, f->url,
                       f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc));
    gw_fetch_hop_end(f, 0, cmn_buf_take(&m, NULL));
}

static void check_done(struct gw_fetcher *fr)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(fr->multi, &left))) {
        if (msg->msg == CURLMSG_DONE)
            complete(fr, msg->easy_handle, msg->data.result);
    }
}

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- the loop's source ------------------------------------------------------------------- */

static void src_event(void *ctx, uint64_t data, uint32_t events)
{
    struct gw_fetcher *fr = ctx;
    int running, flags;

    if (gw_h1_is_ours(data)) {
        gw_h1_event(fr->h1, data, events);
        return;
    }
    if (unwatched(fr, (int)data))
        return;
    flags = (events & EPOLLIN ? CURL_CSELECT_IN : 0) | (events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
            (events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
    curl_multi_socket_action(fr->multi, (curl_socket_t)data, flags, &running);
}

static int64_t earlier(int64_t a, int64_t b)
{
    return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static int64_t src_next_due(void *ctx)
{
    struct gw_fetcher *fr = ctx;
    int64_t due = earlier(gw_h1_next_due(fr->h1), fr->timer_at);

    for (struct gw_fetch *f = fr->hdr_timers ? fr->active : NULL; f; f = f->next)
        due = earlier(due, f->hdr_due_ms);
    return due;
}

/* libcurl hops whose head did not come in time: Go's "timeout awaiting response headers". */
static void expire_heads(struct gw_fetcher *fr, int64_t now)
{
    struct gw_fetch *f = fr->active, *next;
    char op[16];
    struct cmn_buf m;

    for (; fr->hdr_timers && f; f = next) {
        next = f->next;
        if (f->hdr_due_ms < 0 || now < f->hdr_due_ms || now >= f->deadline_ms)
            continue;
        drop_easy(f);
        gw_fetch_op_name(f->method, op, sizeof(op));
        cmn_buf_init(&m, 4096);
        cmn_buf_printf(&m, "%s \"%s\": net/http: timeout awaiting response headers", op, f->url);
        gw_fetch_hop_end(f, 0, cmn_buf_take(&m, NULL));
        next = fr->active; /* the callback may have started or ended other fetches */
    }
}

static void src_expire(void *ctx)
{
    struct gw_fetcher *fr = ctx;
    int running;

    gw_h1_expire(fr->h1, cmn_clock_mono_ms());
    if (fr->hdr_timers)
        expire_heads(fr, cmn_clock_mono_ms());
    if (fr->timer_at >= 0 && cmn_clock_mono_ms() >= fr->timer_at) {
        fr->timer_at = -1;
        curl_multi_socket_action(fr->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
}

static void src_settle(void *ctx)
{
    struct gw_fetcher *fr = ctx;

    gw_h1_flush(fr->h1);
    check_done(ctx);
}

/* ---- life ---------------------------------------------------------------------------------- */

struct gw_fetcher *gw_fetcher_new(struct gw_loop *loop, const struct gw_fetcher_opts *o,
                                  struct cmn_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct gw_fetcher *fr = calloc(1, sizeof(*fr));

    pthread_once(&once, global_init);
    if (!fr) {
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    if (o)
        fr->o = *o;
    if (!fr->o.max_response)
        fr->o.max_response = 32u * 1024 * 1024;
    if (!fr->o.max_connects)
        fr->o.max_connects = 1024;
    fr->loop = loop;
    fr->epfd = gw_loop_epoll_fd(loop);
    fr->timer_at = -1;
    fr->multi = curl_multi_init();
    fr->h1 = gw_h1_new(fr->epfd, &(struct gw_h1_opts){
                                     .max_idle_per_host = fr->o.max_idle_per_host,
                                     .idle_timeout_ms = fr->o.idle_timeout_ms,
                                     .pool = fr->o.pool,
                                     .response_header_timeout_ms = fr->o.response_header_timeout_ms,
                                     .expect_continue_timeout_ms = fr->o.expect_continue_timeout_ms,
                                     .keep_alive_ms = fr->o.keep_alive_ms});
    if (!fr->multi || !fr->h1) {
        cmn_err_set(err, 1, "cannot create the backend client: out of memory");
        gw_fetcher_destroy(fr);
        return NULL;
    }
    curl_multi_setopt(fr->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(fr->multi, CURLMOPT_SOCKETDATA, fr);
    curl_multi_setopt(fr->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(fr->multi, CURLMOPT_TIMERDATA, fr);
    curl_multi_setopt(fr->multi, CURLMOPT_MAXCONNECTS, fr->o.max_connects);
    gw_loop_set_source(loop, &(struct gw_loop_source){fr, src_event, src_next_due, src_expire,
                                                      src_settle});
    return fr;
}

struct gw_loop *gw_fetcher_loop(const struct gw_fetcher *fr)
{
    return fr->loop;
}

void gw_fetcher_destroy(struct gw_fetcher *fr)
{
    if (!fr)
        return;
    gw_loop_set_source(fr->loop, NULL);
    while (fr->active)
        gw_fetch_cancel(fr->active);
    gw_h1_destroy(fr->h1);
    while (fr->dns) {
        struct dns_entry *d = fr->dns;
        fr->dns = d->next;
        free(d->key);
        free(d);
    }
    for (size_t i = 0; i < fr->n_pool; i++)
        curl_easy_cleanup(fr->pool[i]);
    if (fr->multi)
        curl_multi_cleanup(fr->multi); /* closes cached connections through fr->fdstate */
    free(fr->fdstate);
    free(fr);
}
