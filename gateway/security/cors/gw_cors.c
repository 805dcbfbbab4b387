/* gw_cors.c - rs/cors v1.11.1's Handler, handlePreflight and handleActualRequest as KrakenD CE
 * runs them, with the debug trace krakend-cors forwards to the log, and the router table. */
#include "gw_cors_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H_ORIGIN "Origin"
#define H_ACRM "Access-Control-Request-Method"
#define H_ACRH "Access-Control-Request-Headers"
#define H_ACRPN "Access-Control-Request-Private-Network"
#define H_ACAO "Access-Control-Allow-Origin"
#define H_ACAM "Access-Control-Allow-Methods"
#define H_ACAH "Access-Control-Allow-Headers"
#define H_ACAC "Access-Control-Allow-Credentials"
#define H_ACAPN "Access-Control-Allow-Private-Network"
#define H_ACMA "Access-Control-Max-Age"
#define H_ACEH "Access-Control-Expose-Headers"
#define VARY_PREFLIGHT "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
#define VARY_PREFLIGHT_PN VARY_PREFLIGHT ", Access-Control-Request-Private-Network"

/* Origins up to this size are lower-cased on the stack; longer ones (rare) on the heap. */
#define ORIGIN_STACK 1024
/* rs/cors tolerates this many empty elements and one OWS byte on each side of a name. */
#define MAX_EMPTY_ELEMENTS 16
#define MAX_OWS 1
/* One debug line; longer ones are cut (KrakenD's log pipe would stall on a 64 KiB line). */
#define TRACE_MAX 4096

/* ---- the checks ---- */

bool gw_cors_origin_allowed(const struct gw_cors *c, const char *origin, size_t len)
{
    char stack[3 * ORIGIN_STACK];
    char *low = stack;
    size_t n;
    bool ok = false;

    if (c->all_origins)
        return true;
    if (len > ORIGIN_STACK) {
        low = malloc(3 * len);
        if (!low)
            return false;
    }
    n = gw_cors_lower(origin, len, low);
    for (size_t i = 0; !ok && i < c->n_origins; i++)
        ok = c->origins[i].len == n && memcmp(c->origins[i].s, low, n) == 0;
    for (size_t i = 0; !ok && i < c->n_wild; i++) {
        const struct gw_cors_wildcard *w = &c->wild[i];
        /* the '*' may stand for nothing; prefix and suffix may not overlap */
        ok = n >= w->prefix.len + w->suffix.len && memcmp(low, w->prefix.s, w->prefix.len) == 0 &&
             memcmp(low + n - w->suffix.len, w->suffix.s, w->suffix.len) == 0;
    }
    if (low != stack)
        free(low);
    return ok;
}

bool gw_cors_method_allowed(const struct gw_cors *c, const char *method)
{
    if (c->n_methods == 0)
        return false;
    if (strcmp(method, "OPTIONS") == 0) /* always: a preflight asks with OPTIONS */
        return true;
    for (size_t i = 0; i < c->n_methods; i++) {
        if (strcmp(c->methods[i], method) == 0)
            return true;
    }
    return false;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* rs/cors trimOWS with n = 1: at most one space or tab is cut from each end; more is a
 * failure, except that a name made of at most two of them becomes empty. */
static bool trim_ows(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len, i;

    for (i = 0; n > 0; i++) {
        if (i > MAX_OWS)
            return false;
        if (!is_ows(p[n - 1]))
            break;
        n--;
    }
    for (i = 0; n > 0; i++) {
        if (i > MAX_OWS)
            return false;
        if (!is_ows(p[0]))
            break;
        p++;
        n--;
    }
    *s = p;
    *len = n;
    return true;
}

/* Position of name in the sorted set, or -1. */
static long find_header(const struct gw_cors *c, const char *name, size_t len)
{
    size_t lo = 0, hi = c->n_headers;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct gw_cors_str *h = &c->headers[mid];
        size_t m = h->len < len ? h->len : len;
        int cmp = memcmp(h->s, name, m);
        if (cmp == 0)
            cmp = h->len < len ? -1 : h->len > len;
        if (cmp == 0)
            return (long)mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* rs/cors SortedSet.Accepts, one line at a time: every name is in the set, byte for byte (so
 * lower-case), and the names come sorted and unique across all lines. */
struct accept_state {
    long last; /* set position of the previous name */
    int empty; /* empty elements seen */
};

static bool accept_line(const struct gw_cors *c, struct accept_state *st, const char *s)
{
    size_t max = MAX_OWS + c->headers_max_len + MAX_OWS + 1;
    size_t rest = strlen(s);

    for (;;) {
        /* only the first max bytes are searched for a comma: a longer name cannot be in the
         * set anyway */
        size_t lim = rest < max ? rest : max;
        const char *comma = memchr(s, ',', lim);
        const char *name = s;
        size_t len = comma ? (size_t)(comma - s) : rest;
        long pos;

        if (comma) {
            rest -= len + 1;
            s = comma + 1;
        }
        if (!trim_ows(&name, &len))
            return false;
        if (len == 0) {
            if (++st->empty > MAX_EMPTY_ELEMENTS)
                return false;
            if (!comma)
                return true;
            continue;
        }
        pos = find_header(c, name, len);
        if (pos < 0 || pos <= st->last)
            return false;
        st->last = pos;
        if (!comma)
            return true;
    }
}

bool gw_cors_headers_accepted(const struct gw_cors *c, const char *const *lines, size_t n)
{
    struct accept_state st = {-1, 0};

    for (size_t i = 0; i < n; i++) {
        if (!accept_line(c, &st, lines[i]))
            return false;
    }
    return true;
}

bool gw_cors_is_preflight(const struct gw_sec_request *r)
{
    const char *m = gw_sec_header(r, H_ACRM);

    return strcmp(r->method, "OPTIONS") == 0 && m && *m;
}

/* ---- debug trace ---- */

struct trace {
    const struct gw_sec_log *log;
    const struct tm *now;
    bool on;
};

static void tracef(const struct trace *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* krakend-cors: rs/cors writes through a Go logger with date and time, a goroutine re-logs
 * each line at DEBUG as "[CORS] <line>". */
static void tracef(const struct trace *t, const char *fmt, ...)
{
    char msg[TRACE_MAX];
    char when[32] = "";
    va_list ap;

    if (!t->on)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (t->now)
        strftime(when, sizeof(when), "%Y/%m/%d %H:%M:%S ", t->now);
    gw_sec_log_emit(t->log, CMN_LOG_DEBUG, "[CORS] %s%s", when, msg);
}

/* A fixed buffer that keeps what fits, always NUL-terminated. */
struct tbuf {
    char *p;
    size_t len, size;
};

static void tput(struct tbuf *b, const char *s)
{
    size_t n = strlen(s);

    if (b->len + 1 >= b->size)
        return;
    if (n > b->size - 1 - b->len)
        n = b->size - 1 - b->len;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* All lines of a request header as Go's %v prints a []string: "[a b]". */
static void put_lines(struct tbuf *b, const struct gw_sec_request *r, const char *name)
{
    const char *v;

    tput(b, "[");
    for (size_t i = 0; (v = r->header(r->ctx, name, i)) && b->len + 1 < b->size; i++) {
        if (i)
            tput(b, " ");
        tput(b, v);
    }
    tput(b, "]");
}

enum added {
    ADD_ACAC = 1 << 0,
    ADD_ACAH = 1 << 1,
    ADD_ACAM = 1 << 2,
    ADD_ACAO = 1 << 3,
    ADD_ACAPN = 1 << 4,
    ADD_ACEH = 1 << 5,
    ADD_ACMA = 1 << 6,
};

/* The response headers as Go's %v prints an http.Header: map[Name:[v ...] ...], names sorted
 * (the order below). Only what CORS added is there: it runs first. */
static void trace_headers(const struct trace *t, const struct gw_cors *c,
                          const struct gw_sec_request *r, unsigned added, const char *vary,
                          const char *what)
{
    char mem[TRACE_MAX];
    struct tbuf b = {mem, 0, sizeof(mem)};

    if (!t->on)
        return;
    mem[0] = '\0';
    tput(&b, "map[");
    if (added & ADD_ACAC)
        tput(&b, H_ACAC ":[true] ");
    if (added & ADD_ACAH) {
        tput(&b, H_ACAH ":");
        put_lines(&b, r, H_ACRH);
        tput(&b, " ");
    }
    if (added & ADD_ACAM) {
        tput(&b, H_ACAM ":");
        put_lines(&b, r, H_ACRM);
        tput(&b, " ");
    }
    if (added & ADD_ACAO) {
        tput(&b, H_ACAO ":");
        if (c->all_origins)
            tput(&b, "[*]");
        else
            put_lines(&b, r, H_ORIGIN);
        tput(&b, " ");
    }
    if (added & ADD_ACAPN)
        tput(&b, H_ACAPN ":[true] ");
    if (added & ADD_ACEH) {
        tput(&b, H_ACEH ":[");
        tput(&b, c->expose);
        tput(&b, "] ");
    }
    if (added & ADD_ACMA) {
        tput(&b, H_ACMA ":[");
        tput(&b, c->max_age);
        tput(&b, "] ");
    }
    tput(&b, "Vary:[");
    tput(&b, vary);
    tput(&b, "]]");
    tracef(t, "  %s: %s", what, mem);
}

/* ---- the handler ---- */

/* Writes every line of the request header `from` as response header `to` (Go assigns the
 * request's []string). */
static bool copy_lines(const struct gw_sec_request *r, const struct gw_sec_response *out,
                       const char *from, const char *to)
{
    const char *v;

    for (size_t i = 0; (v = r->header(r->ctx, from, i)); i++) {
        if (!(i == 0 ? out->set : out->add)(out->ctx, to, v))
            return false;
    }
    return true;
}

static bool set_allow_origin(const struct gw_cors *c, const struct gw_sec_request *r,
                             const struct gw_sec_response *out)
{
    if (c->all_origins)
        return out->set(out->ctx, H_ACAO, "*");
    return copy_lines(r, out, H_ORIGIN, H_ACAO);
}

static enum gw_sec_action preflight_status(const struct gw_cors *c, struct gw_sec_answer *ans)
{
    if (c->passthrough)
        return ans->action = GW_SEC_CONTINUE;
    if (c->status_kind == GW_CORS_STATUS_PANIC)
        return ans->action = GW_SEC_CLOSE;
    ans->status =
        c->status_kind == GW_CORS_STATUS_INFORMATIONAL ? 200u : (unsigned)c->success_status;
    ans->body = NULL;
    ans->body_len = 0;
    return ans->action = GW_SEC_ANSWER;
}

static bool request_headers_accepted(const struct gw_cors *c, const struct gw_sec_request *r)
{
    struct accept_state st = {-1, 0};
    const char *v;

    for (size_t i = 0; (v = r->header(r->ctx, H_ACRH, i)); i++) {
        if (!accept_line(c, &st, v))
            return false;
    }
    return true;
}

static enum gw_sec_action preflight(const struct gw_cors *c, const struct gw_sec_request *r,
                                    const struct gw_sec_response *out, const struct trace *t,
                                    struct gw_sec_answer *ans)
{
    const char *vary = c->private_network ? VARY_PREFLIGHT_PN : VARY_PREFLIGHT;
    const char *origin = gw_sec_header_get(r, H_ORIGIN);
    const char *method = gw_sec_header_get(r, H_ACRM);
    const char *acrh = gw_sec_header(r, H_ACRH);
    unsigned added = ADD_ACAO | ADD_ACAM;

    tracef(t, "Handler: Preflight request");
    if (!out->add(out->ctx, "Vary", vary))
        return ans->action = GW_SEC_FAIL;
    if (!*origin) {
        tracef(t, "  Preflight aborted: empty origin");
        return preflight_status(c, ans);
    }
    if (!gw_cors_origin_allowed(c, origin, strlen(origin))) {
        tracef(t, "  Preflight aborted: origin '%s' not allowed", origin);
        return preflight_status(c, ans);
    }
    if (!gw_cors_method_allowed(c, method)) {
        tracef(t, "  Preflight aborted: method '%s' not allowed", method);
        return preflight_status(c, ans);
    }
    if (acrh && !c->all_headers && !request_headers_accepted(c, r)) {
        if (t->on) {
            char mem[TRACE_MAX];
            struct tbuf b = {mem, 0, sizeof(mem)};
            put_lines(&b, r, H_ACRH);
            tracef(t, "  Preflight aborted: headers '%s' not allowed", mem);
        }
        return preflight_status(c, ans);
    }
    if (!set_allow_origin(c, r, out) || !copy_lines(r, out, H_ACRM, H_ACAM))
        return ans->action = GW_SEC_FAIL;
    if (acrh && *acrh) {
        if (!copy_lines(r, out, H_ACRH, H_ACAH))
            return ans->action = GW_SEC_FAIL;
        added |= ADD_ACAH;
    }
    if (c->credentials) {
        if (!out->set(out->ctx, H_ACAC, "true"))
            return ans->action = GW_SEC_FAIL;
        added |= ADD_ACAC;
    }
    if (c->private_network && strcmp(gw_sec_header_get(r, H_ACRPN), "true") == 0) {
        if (!out->set(out->ctx, H_ACAPN, "true"))
            return ans->action = GW_SEC_FAIL;
        added |= ADD_ACAPN;
    }
    if (c->max_age[0]) {
        if (!out->set(out->ctx, H_ACMA, c->max_age))
            return ans->action = GW_SEC_FAIL;
        added |= ADD_ACMA;
    }
    trace_headers(t, c, r, added, vary, "Preflight response headers");
    return preflight_status(c, ans);
}

static enum gw_sec_action actual(const struct gw_cors *c, const struct gw_sec_request *r,
                                 const struct gw_sec_response *out, const struct trace *t,
                                 struct gw_sec_answer *ans)
{
    const char *origin = gw_sec_header_get(r, H_ORIGIN);
    unsigned added = ADD_ACAO;

    ans->action = GW_SEC_CONTINUE;
    tracef(t, "Handler: Actual request");
    if (!out->add(out->ctx, "Vary", "Origin")) /* always, even without an Origin */
        return ans->action = GW_SEC_FAIL;
    if (!*origin) {
        tracef(t, "  Actual request no headers added: missing origin");
        return GW_SEC_CONTINUE;
    }
    if (!gw_cors_origin_allowed(c, origin, strlen(origin))) {
        tracef(t, "  Actual request no headers added: origin '%s' not allowed", origin);
        return GW_SEC_CONTINUE;
    }
    if (!gw_cors_method_allowed(c, r->method)) {
        tracef(t, "  Actual request no headers added: method '%s' not allowed", r->method);
        return GW_SEC_CONTINUE;
    }
    if (!set_allow_origin(c, r, out))
        return ans->action = GW_SEC_FAIL;
    if (c->expose) {
        if (!out->set(out->ctx, H_ACEH, c->expose))
            return ans->action = GW_SEC_FAIL;
        added |= ADD_ACEH;
    }
    if (c->credentials) {
        if (!out->set(out->ctx, H_ACAC, "true"))
            return ans->action = GW_SEC_FAIL;
        added |= ADD_ACAC;
    }
    trace_headers(t, c, r, added, "Origin", "Actual response added headers");
    return GW_SEC_CONTINUE;
}

enum gw_sec_action gw_cors_handle(const struct gw_cors *c, const struct gw_sec_request *r,
                                  const struct gw_sec_response *out, const struct gw_sec_log *log,
                                  const struct tm *now, struct gw_sec_answer *ans)
{
    struct trace t = {log, now, c->debug && log && log->fn};

    if (gw_cors_is_preflight(r))
        return preflight(c, r, out, &t, ans);
    return actual(c, r, out, &t, ans);
}

/* ---- the router table (KrakenD §2.7) ---- */

enum gw_cors_outcome gw_cors_flow(enum gw_sec_action cors, enum gw_cors_route route)
{
    switch (cors) {
    case GW_SEC_ANSWER:
        return GW_CORS_OUT_PREFLIGHT; /* whatever the path: /__health and unknown ones too */
    case GW_SEC_CLOSE:
        return GW_CORS_OUT_CLOSED;
    case GW_SEC_FAIL: /* the server answers 500; treat as found so nothing else runs */
    case GW_SEC_CONTINUE:
        break;
    }
    switch (route) {
    case GW_CORS_ROUTE_FOUND:
        return GW_CORS_OUT_ENDPOINT;
    case GW_CORS_ROUTE_AUTO_OPTIONS:
        return GW_CORS_OUT_AUTO_OPTIONS;
    case GW_CORS_ROUTE_REDIRECT:
        return GW_CORS_OUT_REDIRECT;
    case GW_CORS_ROUTE_NOT_ALLOWED:
        return GW_CORS_OUT_NOT_ALLOWED;
    case GW_CORS_ROUTE_NOT_FOUND:
        break;
    }
    return GW_CORS_OUT_NOT_FOUND;
}
