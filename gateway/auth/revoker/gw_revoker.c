/* gw_revoker.c - auth/revoker: the rejecter auth/validator calls (RejectToken), the HTTP feed
 * that replaces KrakenD's Go net/rpc service, and the registration from the configuration. */
#include "gw_revoker_int.h"

#include "cmn_http.h"
#include "cmn_log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define ELEM_STACK 512 /* "<claim>-<value>" built on the stack up to this size */
#define FEED_OUT_MAX ((size_t)2 << 20)

struct gw_revoker {
    struct gw_bloom bloom;
    const struct cmn_clock *clock; /* never NULL */
    char **token_keys;
    size_t n_token_keys;
    /* the feed */
    struct cmn_http_server *http;
    pthread_t thread;
    int stop_fd;
    _Atomic bool stopping;
    unsigned port;
};

static int64_t now_ms(const struct gw_revoker *r)
{
    return cmn_clock_now_mono_ms(r->clock);
}

static void free_keys(struct gw_revoker *r)
{
    for (size_t i = 0; i < r->n_token_keys; i++)
        free(r->token_keys[i]);
    free(r->token_keys);
}

struct gw_revoker *gw_revoker_new(const struct gw_revoker_config *c, const struct cmn_clock *clock,
                                  struct cmn_err *err)
{
    struct gw_revoker *r = calloc(1, sizeof(*r));

    if (!r)
        goto nomem;
    r->stop_fd = -1;
    r->clock = cmn_clock_or_system(clock);
    r->token_keys = calloc(c->n_token_keys ? c->n_token_keys : 1, sizeof(char *));
    if (!r->token_keys)
        goto nomem;
    for (size_t i = 0; i < c->n_token_keys; i++) {
        r->token_keys[i] = strdup(c->token_keys[i]);
        if (!r->token_keys[i])
            goto nomem;
        r->n_token_keys++;
    }
    if (!gw_bloom_init(&r->bloom, c->m, c->k, gw_bloom_ttl_s_to_ms(c->ttl_s), now_ms(r)))
        goto nomem;
    return r;
nomem:
    if (r) {
        free_keys(r);
        free(r);
    }
    cmn_err_set(err, GW_REV_NOMEM, "auth/revoker: out of memory for three %llu-bit filters",
                (unsigned long long)c->m);
    return NULL;
}

static void feed_stop(struct gw_revoker *r)
{
    uint64_t one = 1;

    if (!r->http)
        return;
    atomic_store(&r->stopping, true);
    if (write(r->stop_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        abort(); /* the loop would never learn it must stop */
    pthread_join(r->thread, NULL);
    cmn_http_server_stop(r->http, 0);
    r->http = NULL;
    close(r->stop_fd);
    r->stop_fd = -1;
    r->port = 0;
}

void gw_revoker_destroy(struct gw_revoker *r)
{
    if (!r)
        return;
    feed_stop(r);
    gw_bloom_free(&r->bloom);
    free_keys(r);
    free(r);
}

void gw_revoker_add(struct gw_revoker *r, const void *elem, size_t n)
{
    gw_bloom_add(&r->bloom, elem, n, now_ms(r));
}

bool gw_revoker_check(struct gw_revoker *r, const void *elem, size_t n)
{
    return gw_bloom_check(&r->bloom, elem, n, now_ms(r));
}

/* Checks "<key>-<value>". */
static bool check_pair(struct gw_revoker *r, const char *key, const char *val, size_t vl)
{
    char small[ELEM_STACK], *e = small;
    size_t kl = strlen(key), n = kl + 1 + vl;
    bool hit;

    if (n > sizeof(small)) {
        e = malloc(n);
        if (!e)
            return false; /* cannot tell: as an unknown token (fail open, as KrakenD's nop) */
    }
    memcpy(e, key, kl);
    e[kl] = '-';
    memcpy(e + kl + 1, val, vl);
    hit = gw_revoker_check(r, e, n);
    if (e != small)
        free(e);
    return hit;
}

bool gw_revoker_rejected(void *ctx, const json_t *claims)
{
    struct gw_revoker *r = ctx;

    for (size_t i = 0; r && i < r->n_token_keys; i++) {
        const json_t *v = json_object_get(claims, r->token_keys[i]);

        /* only string claims: numbers, arrays (an array aud) are skipped */
        if (json_is_string(v) &&
            check_pair(r, r->token_keys[i], json_string_value(v), json_string_length(v)))
            return true;
    }
    return false;
}

/* ---- the feed ---- */

static unsigned feed_error(struct cmn_buf *out, unsigned status, const char *msg)
{
    cmn_buf_reset(out);
    cmn_buf_printf(out, "{\"error\":\"%s\"}", msg);
    return status;
}

unsigned gw_revoker_feed(struct gw_revoker *r, const char *method, const char *path,
                         const char *body, size_t len, struct cmn_buf *out)
{
    bool add = strcmp(path, "/add") == 0;
    json_error_t e;
    json_t *v;
    size_t n;

    if (!add && strcmp(path, "/check") != 0)
        return feed_error(out, 404, "not found: POST /add or POST /check");
    if (strcmp(method, "POST") != 0)
        return feed_error(out, 405, "method not allowed: POST");
    v = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
    n = json_array_size(v);
    if (!json_is_array(v) || n > GW_REVOKER_FEED_MAX_ELEMS) {
        json_decref(v);
        return feed_error(out, 400, "the body must be a JSON array of at most 100000 strings");
    }
    for (size_t i = 0; i < n; i++) { /* all or nothing */
        const json_t *it = json_array_get(v, i);

        if (!json_is_string(it) || json_string_length(it) > GW_REVOKER_FEED_MAX_ELEM) {
            json_decref(v);
            return feed_error(out, 400, "every element must be a string of at most 8192 bytes");
        }
    }
    cmn_buf_reset(out);
    if (add) {
        for (size_t i = 0; i < n; i++) {
            const json_t *it = json_array_get(v, i);

            gw_revoker_add(r, json_string_value(it), json_string_length(it));
        }
        cmn_buf_printf(out, "{\"count\":%zu}", n);
    } else {
        cmn_buf_append_str(out, "{\"checks\":[");
        for (size_t i = 0; i < n; i++) {
            const json_t *it = json_array_get(v, i);
            bool hit = gw_revoker_check(r, json_string_value(it), json_string_length(it));

            cmn_buf_append_str(out, i ? (hit ? ",true" : ",false") : (hit ? "true" : "false"));
        }
        cmn_buf_append_str(out, "]}");
    }
    json_decref(v);
    return 200;
}

static void feed_handler(void *ctx, struct cmn_http_exchange *ex,
                         const struct cmn_http_request *req)
{
    struct gw_revoker *r = ctx;
    struct cmn_http_response *resp;
    struct cmn_buf b;
    unsigned status;

    cmn_buf_init(&b, FEED_OUT_MAX);
    status = gw_revoker_feed(r, req->method, req->path, req->body, req->body_len, &b);
    resp = cmn_http_response_text(status, "application/json", cmn_buf_str(&b), b.len);
    if (resp && status == 405)
        cmn_http_response_add_header(resp, "Allow", "POST");
    cmn_buf_free(&b);
    cmn_http_exchange_respond(ex, resp);
}

static void *feed_main(void *arg)
{
    struct gw_revoker *r = arg;
    struct epoll_event ev = {.events = EPOLLIN}, evs[4];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int fds[3] = {cmn_http_server_loop_fd(r->http, 0), cmn_http_server_loop_wake_fd(r->http, 0),
                  r->stop_fd};

    for (int i = 0; ep >= 0 && i < 3; i++) {
        ev.data.fd = fds[i];
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) != 0)
            abort(); /* a loop that cannot wait cannot stop either */
    }
    while (ep >= 0 && !atomic_load(&r->stopping)) {
        int64_t t = cmn_http_server_loop_timeout_ms(r->http, 0);

        epoll_wait(ep, evs, 4, t < 0 ? -1 : t > INT_MAX ? INT_MAX : (int)t);
        if (atomic_load(&r->stopping))
            break;
        cmn_http_server_loop_run(r->http, 0);
    }
    if (ep >= 0)
        close(ep);
    return NULL;
}

bool gw_revoker_listen(struct gw_revoker *r, unsigned port, struct cmn_err *err)
{
    struct cmn_http_server_opts o = {.port = port,
                                     .max_connections = 64,
                                     .idle_timeout_s = 30,
                                     .max_body = GW_REVOKER_FEED_MAX_BODY,
                                     .external_loops = 1,
                                     .native = true,
                                     .handler = feed_handler,
                                     .ctx = r};

    if (r->http)
        return cmn_err_set(err, 1, "the feed already listens on %u", r->port), false;
    r->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (r->stop_fd < 0)
        return cmn_err_set(err, 1, "eventfd: %s", strerror(errno)), false;
    atomic_store(&r->stopping, false);
    r->http = cmn_http_server_start(&o, err);
    if (!r->http)
        goto fail;
    r->port = cmn_http_server_port(r->http);
    if (pthread_create(&r->thread, NULL, feed_main, r) != 0) {
        cmn_err_set(err, 1, "cannot start the feed thread");
        cmn_http_server_stop(r->http, 0);
        r->http = NULL;
        goto fail;
    }
    return true;
fail:
    close(r->stop_fd);
    r->stop_fd = -1;
    r->port = 0;
    return false;
}

unsigned gw_revoker_port(const struct gw_revoker *r)
{
    return r ? r->port : 0;
}

/* ---- from the configuration ---- */

static void log_warning(void *ctx, const char *msg)
{
    (void)ctx;
    cmn_log_warn("%s", msg);
}

enum gw_rev_status gw_revoker_from_config(const struct gw_config *cfg,
                                          const struct cmn_clock *clock, bool listen,
                                          struct gw_revoker **out, struct cmn_err *err)
{
    const json_t *ns = cfg->extra_config ? json_object_get(cfg->extra_config, GW_REVOKER_NS) : NULL;
    const struct cmn_warn warn = {log_warning, NULL};
    struct gw_revoker_config c;
    enum gw_rev_status st;
    struct cmn_err e = {0};

    *out = NULL;
    st = gw_revoker_config_parse(ns, "extra_config." GW_REVOKER_NS_ALIAS, &c, &warn, err);
    if (st == GW_REV_OFF) { /* KrakenD's lines; it runs without the revoker (fail open) */
        cmn_log_error("[SERVICE: Bloomfilter] Unable to parse the bloomfilter configuration: %s %s",
                      c.decode_error, c.raw);
        cmn_log_warn("[SERVICE: Bloomfilter] %s", c.decode_error);
        gw_revoker_config_free(&c);
        return st;
    }
    if (st != GW_REV_OK)
        return st;
    *out = gw_revoker_new(&c, clock, err);
    if (!*out) {
        gw_revoker_config_free(&c);
        return GW_REV_NOMEM;
    }
    if (listen && c.port > 0 && c.port <= 65535 && !gw_revoker_listen(*out, (unsigned)c.port, &e))
        cmn_log_warn("[SERVICE: Bloomfilter] the revocation feed cannot listen on port %lld (%s): "
                     "nothing can add to the filter",
                     (long long)c.port, e.msg);
    cmn_log_warn("[SERVICE: Bloomfilter] KrakenD's Go RPC client (net/rpc BloomfilterRPC.Add, "
                 "Check, Union) is not supported: port %lld serves HTTP instead, POST /add and "
                 "POST /check with a JSON array of elements (docs/revoker.md)",
                 (long long)c.port);
    cmn_log_debug("[SERVICE: Bloomfilter] Service registered successfully");
    gw_revoker_config_free(&c);
    return GW_REV_OK;
}
