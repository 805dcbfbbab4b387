/* gw_cors.c - rs/cors v1.11.1's Handler, handlePreflight and handleActualRequest as KrakenD CE
 * runs them, with the debug trace krakend-cors forwards to the log. */
#include "gw_cors_int.h"

#include "cmn_log.h"
#include "cmn_str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H_ORIGIN "Origin"
#define H_ACRM "Access-Control-Request-Method"
#define H_ACRH "Access-Control-Request-Headers"
#define H_ACRPN "Access-Control-Request-Private-Network"
#define H_ACAO GW_CORS_ACAO
#define H_ACAM "Access-Control-Allow-Methods"
#define H_ACAH "Access-Control-Allow-Headers"
#define H_ACAC GW_CORS_ACAC
#define H_ACAPN GW_CORS_ACAPN
#define H_ACMA GW_CORS_ACMA
#define H_ACEH GW_CORS_ACEH
#define VARY_PREFLIGHT GW_CORS_VARY_PREFLIGHT
#define VARY_PREFLIGHT_PN GW_CORS_VARY_PREFLIGHT_PN

/* Origins up to this size are lower-cased on the stack; longer ones (rare) on the heap. */
#define ORIGIN_STACK 1024
/* rs/cors tolerates this many empty elements and one OWS byte on each side of a name. */
#define MAX_EMPTY_ELEMENTS 16
#define MAX_OWS 1
/* One debug line; longer ones are cut (KrakenD's log pipe would stall on a 64 KiB line). */
#define TRACE_MAX 4096

/* ---- the checks ---- */

/* s[0, n) equals low[0, n), s read as strings.ToLower reads ASCII (fold) or as it is. */
static bool same(const char *low, const char *s, size_t n, bool fold)
{
    if (memcmp(low, s, n) == 0) /* browsers send origins in lower case */
        return true;
    if (!fold)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((char)(c >= 'A' && c <= 'Z' ? c + 32 : c) != low[i])
            return false;
    }
    return true;
}

/* The exact and wildcard entries against an origin already lowered (fold false) or ASCII to be
 * lowered as it is read (fold true). */
static bool origin_matches(const struct gw_cors *c, const char *o, size_t n, bool fold)
{
    for (size_t i = 0; i < c->n_origins; i++) {
        if (c->origins[i].len == n && same(c->origins[i].s, o, n, fold))
            return true;
    }
    for (size_t i = 0; i < c->n_wild; i++) {
        const struct gw_cors_wildcard *w = &c->wild[i];
        /* the '*' may stand for nothing; prefix and suffix may not overlap */
        if (n >= w->prefix.len + w->suffix.len && same(w->prefix.s, o, w->prefix.len, fold) &&
            same(w->suffix.s, o + n - w->suffix.len, w->suffix.len, fold))
            return true;
    }
    return false;
}

bool gw_cors_origin_allowed(const struct gw_cors *c, const char *origin, size_t len)
{
    char stack[3 * ORIGIN_STACK];
    char *low = stack;
    size_t n, i;
    bool ok;

    if (c->all_origins)
        return true;
    for (i = 0; i < len && !((unsigned char)origin[i] & 0x80); i++)
        ;
    if (i == len) /* ASCII (every browser's origin): lowered while compared */
        return origin_matches(c, origin, len, true);
    /* strings.ToLower first: each invalid UTF-8 byte becomes U+FFFD (3 bytes) */
    if (len > ORIGIN_STACK) {
        low = malloc(3 * len);
        if (!low)
            return false;
    }
    n = gw_cors_lower(origin, len, low);
    ok = origin_matches(c, low, n, false);
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

/* ---- the request ---- */

/* The i-th line (0-based, arrival order) of a request header, NULL past the last. Go keys its
 * header map by canonical name, which for the names rs/cors reads is a case-insensitive match. */
static const char *line_of(const struct cmn_http_request *r, const char *name, size_t i)
{
    for (size_t k = 0; k < r->n_headers; k++) {
        if (cmn_str_eq_nocase(r->headers[k].name, name) && i-- == 0)
            return r->headers[k].value;
    }
    return NULL;
}

/* What rs/cors reads of a request: the first line of each header, found in one pass. */
struct view {
    const struct cmn_http_request *r;
    const char *origin, *acrm, *acrh, *acrpn; /* NULL when absent */
};

static void view_init(struct view *v, const struct cmn_http_request *r)
{
    memset(v, 0, sizeof(*v));
    v->r = r;
    for (size_t k = 0; k < r->n_headers; k++) {
        const char *n = r->headers[k].name;
        const char **slot = NULL;
        if (cmn_str_eq_nocase(n, H_ORIGIN))
            slot = &v->origin;
        else if ((n[0] | 0x20) != 'a' || strlen(n) < 29)
            continue; /* the three below all start "Access-Control-Request-" */
        else if (cmn_str_eq_nocase(n, H_ACRM))
            slot = &v->acrm;
        else if (cmn_str_eq_nocase(n, H_ACRH))
            slot = &v->acrh;
        else if (cmn_str_eq_nocase(n, H_ACRPN))
            slot = &v->acrpn;
        if (slot && !*slot)
            *slot = r->headers[k].value;
    }
}

bool gw_cors_is_preflight(const struct cmn_http_request *r)
{
    const char *m;

    if (strcmp(r->method, "OPTIONS") != 0)
        return false;
    m = line_of(r, H_ACRM, 0);
    return m && *m;
}

/* ---- debug trace ---- */

struct trace {
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
    cmn_log_debug("[CORS] %s%s", when, msg);
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
static void put_lines(struct tbuf *b, const struct cmn_http_request *r, const char *name)
{
    const char *v;

    tput(b, "[");
    for (size_t i = 0; (v = line_of(r, name, i)) && b->len + 1 < b->size; i++) {
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
                          const struct cmn_http_request *r, unsigned added, const char *vary,
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

/* Where the headers go. rs/cors sets them (Header.Set) on a response nothing has touched yet:
 * when the list was empty as CORS began (CORS is the first middleware), the only line in it is
 * CORS's own Vary, so a Set of another name is an Add and the scan for an older line is saved. */
struct put {
    struct gw_hdrs *out;
    bool fresh;
};

#define NAME(h) h, sizeof(h) - 1

static bool put_set(const struct put *p, const char *name, size_t nl, const char *v, size_t vl)
{
    if (!p->fresh)
        gw_hdrs_del(p->out, name);
    return gw_hdrs_add_n(p->out, name, nl, v, vl);
}

/* A fixed field: its line when it has one, else the ordinary way. */
static bool put_fixed(const struct put *p, const struct cmn_http_line *l, const char *name,
                      size_t nl, const char *v, size_t vl)
{
    return l->name ? gw_hdrs_set_line(p->out, l, p->fresh) : put_set(p, name, nl, v, vl);
}

/* Every line of the request header `from` as response header `to` (Go assigns the request's
 * []string: the lines replace any earlier value). */
static bool copy_lines(const struct cmn_http_request *r, const struct put *p, const char *from,
                       const char *to, size_t tl)
{
    const char *v;

    for (size_t i = 0; (v = line_of(r, from, i)); i++) {
        if (!(i == 0 ? put_set(p, to, tl, v, strlen(v))
                     : gw_hdrs_add_n(p->out, to, tl, v, strlen(v))))
            return false;
    }
    return true;
}

static bool set_allow_origin(const struct gw_cors *c, const struct cmn_http_request *r,
                             const struct put *p)
{
    if (c->all_origins)
        return put_fixed(p, &c->acao_all, NAME(H_ACAO), "*", 1);
    return copy_lines(r, p, H_ORIGIN, NAME(H_ACAO));
}

/* Out of memory while adding headers: a 500, as Go would have no answer to give either. */
static enum gw_mw_verdict fail(struct cmn_http_response **answer)
{
    *answer = NULL;
    return GW_MW_ANSWER;
}

static enum gw_mw_verdict preflight_status(const struct gw_cors *c,
                                           struct cmn_http_response **answer)
{
    if (c->passthrough)
        return GW_MW_NEXT;
    if (c->status_kind == GW_CORS_STATUS_PANIC)
        return GW_MW_CLOSE;
    /* no body: the server adds only Date (and Content-Length: 0 where the status has a body) */
    *answer = cmn_http_response_new(
        c->status_kind == GW_CORS_STATUS_INFORMATIONAL ? 200u : (unsigned)c->success_status);
    return GW_MW_ANSWER;
}

static bool request_headers_accepted(const struct gw_cors *c, const struct cmn_http_request *r)
{
    struct accept_state st = {-1, 0};
    const char *v;

    for (size_t i = 0; (v = line_of(r, H_ACRH, i)); i++) {
        if (!accept_line(c, &st, v))
            return false;
    }
    return true;
}

static enum gw_mw_verdict preflight(const struct gw_cors *c, const struct view *v,
                                    const struct trace *t, const struct put *p,
                                    struct cmn_http_response **answer)
{
    const char *vary = c->private_network ? VARY_PREFLIGHT_PN : VARY_PREFLIGHT;
    const char *origin = v->origin ? v->origin : "";
    const char *method = v->acrm ? v->acrm : "";
    unsigned added = ADD_ACAO | ADD_ACAM;

    tracef(t, "Handler: Preflight request");
    if (!(c->vary_preflight.name ? gw_hdrs_add_line(p->out, &c->vary_preflight)
                                 : gw_hdrs_add_n(p->out, "Vary", 4, vary, strlen(vary))))
        return fail(answer);
    if (!*origin) {
        tracef(t, "  Preflight aborted: empty origin");
        return preflight_status(c, answer);
    }
    if (!gw_cors_origin_allowed(c, origin, strlen(origin))) {
        tracef(t, "  Preflight aborted: origin '%s' not allowed", origin);
        return preflight_status(c, answer);
    }
    if (!gw_cors_method_allowed(c, method)) {
        tracef(t, "  Preflight aborted: method '%s' not allowed", method);
        return preflight_status(c, answer);
    }
    if (v->acrh && !c->all_headers && !request_headers_accepted(c, v->r)) {
        if (t->on) {
            char mem[TRACE_MAX];
            struct tbuf b = {mem, 0, sizeof(mem)};
            put_lines(&b, v->r, H_ACRH);
            tracef(t, "  Preflight aborted: headers '%s' not allowed", mem);
        }
        return preflight_status(c, answer);
    }
    if (!set_allow_origin(c, v->r, p) || !copy_lines(v->r, p, H_ACRM, NAME(H_ACAM)))
        return fail(answer);
    if (v->acrh && *v->acrh) {
        if (!copy_lines(v->r, p, H_ACRH, NAME(H_ACAH)))
            return fail(answer);
        added |= ADD_ACAH;
    }
    if (c->credentials) {
        if (!put_fixed(p, &c->acac, NAME(H_ACAC), "true", 4))
            return fail(answer);
        added |= ADD_ACAC;
    }
    if (c->private_network && v->acrpn && strcmp(v->acrpn, "true") == 0) {
        if (!put_fixed(p, &c->acapn, NAME(H_ACAPN), "true", 4))
            return fail(answer);
        added |= ADD_ACAPN;
    }
    if (c->max_age[0]) {
        if (!put_fixed(p, &c->acma, NAME(H_ACMA), c->max_age, strlen(c->max_age)))
            return fail(answer);
        added |= ADD_ACMA;
    }
    trace_headers(t, c, v->r, added, vary, "Preflight response headers");
    return preflight_status(c, answer);
}

static enum gw_mw_verdict actual(const struct gw_cors *c, const struct view *v,
                                 const struct trace *t, const struct put *p,
                                 struct cmn_http_response **answer)
{
    const char *origin = v->origin ? v->origin : "";
    unsigned added = ADD_ACAO;

    tracef(t, "Handler: Actual request");
    if (!(c->vary_actual.name /* always, even without an Origin */
              ? gw_hdrs_add_line(p->out, &c->vary_actual)
              : gw_hdrs_add_n(p->out, "Vary", 4, "Origin", 6)))
        return fail(answer);
    if (!*origin) {
        tracef(t, "  Actual request no headers added: missing origin");
        return GW_MW_NEXT;
    }
    if (!gw_cors_origin_allowed(c, origin, strlen(origin))) {
        tracef(t, "  Actual request no headers added: origin '%s' not allowed", origin);
        return GW_MW_NEXT;
    }
    if (!gw_cors_method_allowed(c, v->r->method)) {
        tracef(t, "  Actual request no headers added: method '%s' not allowed", v->r->method);
        return GW_MW_NEXT;
    }
    if (!set_allow_origin(c, v->r, p))
        return fail(answer);
    if (c->expose) {
        if (!put_fixed(p, &c->aceh, NAME(H_ACEH), c->expose, c->expose_len))
            return fail(answer);
        added |= ADD_ACEH;
    }
    if (c->credentials) {
        if (!put_fixed(p, &c->acac, NAME(H_ACAC), "true", 4))
            return fail(answer);
        added |= ADD_ACAC;
    }
    trace_headers(t, c, v->r, added, "Origin", "Actual response added headers");
    return GW_MW_NEXT;
}

enum gw_mw_verdict gw_cors_handle(const struct gw_cors *c, const struct cmn_http_request *r,
                                  const struct tm *now, struct gw_hdrs *out,
                                  struct cmn_http_response **answer)
{
    struct trace t = {now, c->debug && cmn_log_enabled(CMN_LOG_DEBUG)};
    struct put p = {out, out->n == 0};
    struct view v;

    *answer = NULL;
    view_init(&v, r);
    /* rs/cors: OPTIONS with a non-empty Access-Control-Request-Method is a preflight */
    if (strcmp(r->method, "OPTIONS") == 0 && v.acrm && *v.acrm)
        return preflight(c, &v, &t, &p, answer);
    return actual(c, &v, &t, &p, answer);
}
