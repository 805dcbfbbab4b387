/* gw_httpsecure.c - unrolled/secure's processRequest as krakend-httpsecure runs it: host check,
 * SSL redirect (Go's url.URL.String and http.Redirect), security headers, CSP nonce. */
#include "gw_httpsecure_int.h"

#include "cmn_b64.h"
#include "cmn_go_fmt.h"
#include "cmn_go_url.h"
#include "cmn_str.h"
#include "gw_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BAD_HOST_BODY "Bad Host\n"

bool gw_httpsecure_redirect_url(const char *host, const struct cmn_http_request *r,
                                struct cmn_buf *out)
{
    size_t mark;

    if (cmn_buf_append_str(out, "https://") != CMN_BUF_OK ||
        !cmn_go_host_escape(host, strlen(host), out))
        return false;
    mark = out->len;
    /* a malformed escape never gets here: the server answers such a request 400 first */
    if (!cmn_go_escaped_path(r->path, strlen(r->path), out) &&
        cmn_buf_append_str(out, r->path) != CMN_BUF_OK)
        return false;
    if (out->len > mark && out->data[mark] != '/' && *host) {
        /* url.URL.String: a host followed by a path not starting with '/' gets one */
        if (cmn_buf_append(out, "/", 1) != CMN_BUF_OK)
            return false;
        memmove(out->data + mark + 1, out->data + mark, out->len - mark - 1);
        out->data[mark] = '/';
    }
    if (r->has_query && (cmn_buf_append(out, "?", 1) != CMN_BUF_OK ||
                         cmn_buf_append_str(out, r->query) != CMN_BUF_OK))
        return false;
    return true;
}

/* ---- the middleware ---- */

static bool host_allowed(const struct gw_httpsecure *s, const char *host)
{
    bool host_ascii = true;

    for (const char *p = host; *p; p++)
        host_ascii &= (unsigned char)*p < 0x80;
    for (size_t i = 0; i < s->n_hosts; i++) {
        const struct gw_hsec_host *h = &s->hosts[i];
        if (!s->hosts_regex && h->ascii_lower && host_ascii) {
            if (cmn_str_eq_nocase(h->ascii_lower, host))
                return true;
            continue;
        }
        /* Go's EqualFold (non-ASCII) or the anchored regexp; an engine that gives up proves
         * nothing, so the host is not taken as good */
        if (cmn_go_re_match(h->re, host, strlen(host)) == CMN_GO_RE_MATCH)
            return true;
    }
    return false;
}

/* Go's Header.Get: the first line, "" when absent. */
static const char *header_get(const struct cmn_http_request *r, const char *name)
{
    const char *v = cmn_http_request_header(r, name);

    return v ? v : "";
}

/* unrolled/secure's isSSL: TLS, an absolute https target (url.Parse lower-cases the scheme), or
 * a configured proxy header whose first value equals the configured one (Get gives "" for a
 * missing header). */
static bool is_ssl(const struct gw_httpsecure *s, const struct cmn_http_request *r)
{
    if (r->tls || (r->authority && strncasecmp(r->target, "https://", 8) == 0))
        return true;
    for (size_t i = 0; i < s->n_ssl_proxy; i++) {
        if (strcmp(header_get(r, s->ssl_proxy[i].name), s->ssl_proxy[i].value) == 0)
            return true;
    }
    return false;
}

/* Go's http.Error(w, "Bad Host", 500). */
static enum gw_mw_verdict bad_host(struct cmn_http_response **answer)
{
    static const char body[] = "Bad Host\n";

    *answer = cmn_http_response_text(500, "text/plain; charset=utf-8", body, sizeof(body) - 1);
    if (*answer && !cmn_http_response_add_header(*answer, "X-Content-Type-Options", "nosniff")) {
        cmn_http_response_destroy(*answer);
        *answer = NULL;
    }
    return GW_MW_ANSWER;
}

/* Go's http.Redirect(w, r, url, 301). */
static enum gw_mw_verdict redirect(const struct gw_httpsecure *s, const struct cmn_http_request *r,
                                   const char *host, struct cmn_http_response **answer)
{
    struct cmn_buf url;

    cmn_buf_init(&url, 1 << 20);
    if (gw_httpsecure_redirect_url(s->ssl_host ? s->ssl_host : host, r, &url))
        *answer = gw_render_redirect(r->method, 301, cmn_buf_str(&url));
    cmn_buf_free(&url);
    return GW_MW_ANSWER;
}

/* Where the headers go. unrolled/secure sets them (Header.Set); the lines already in the list
 * come from the middlewares before it (CORS: Vary, Access-Control-*), and when none of them
 * starts like one of ours (S X C R), a Set is an Add and the scan for an older line is saved. */
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

static bool fresh_for_us(const struct gw_hdrs *out)
{
    for (size_t i = 0; i < out->n; i++) {
        switch (out->v[i].name[0] | 0x20) {
        case 's':
        case 'x':
        case 'c':
        case 'r':
            return false;
        default:
            break;
        }
    }
    return true;
}

static bool set_csp(const struct gw_httpsecure *s, const struct put *p, const unsigned char *nonce)
{
    char b64[32] = "";
    struct cmn_buf v;
    bool ok;

    if (!s->nonce)
        return put_fixed(p, &s->csp_line, NAME("Content-Security-Policy"), s->csp, s->csp_len);
    if (nonce) { /* base64.RawStdEncoding: no padding */
        size_t n = cmn_b64_encode(nonce, GW_HSEC_NONCE_BYTES, b64);
        while (n && b64[n - 1] == '=')
            b64[--n] = '\0';
    }
    cmn_buf_init(&v, 1 << 20);
    ok = cmn_go_sprintf_str(s->csp, b64, &v) &&
         put_set(p, NAME("Content-Security-Policy"), cmn_buf_str(&v), v.len);
    cmn_buf_free(&v);
    return ok;
}

enum gw_mw_verdict gw_httpsecure_handle(const struct gw_httpsecure *s,
                                        const struct cmn_http_request *r,
                                        const unsigned char *nonce, struct gw_hdrs *out,
                                        struct cmn_http_response **answer)
{
    const char *host = r->authority ? r->authority : header_get(r, "Host");
    bool ssl;

    *answer = NULL;
    for (size_t i = 0; i < s->n_proxy_headers; i++) {
        const char *h = cmn_http_request_header(r, s->proxy_headers[i]);
        if (h && *h) { /* the first non-empty one, verbatim */
            host = h;
            break;
        }
    }
    if (s->n_hosts && !s->dev && !host_allowed(s, host))
        return bad_host(answer);
    ssl = is_ssl(s, r);
    if (s->ssl_redirect && !ssl && !s->dev)
        return redirect(s, r, host, answer);
    /* Header.Set, in unrolled/secure's order; the answer (NULL: 500) when out is full */
    struct put p = {out, fresh_for_us(out)};
    if ((s->sts_seconds != 0 && (ssl || s->force_sts) && !s->dev &&
         !put_fixed(&p, &s->sts_line, NAME("Strict-Transport-Security"), s->hsts, s->hsts_len)) ||
        (s->frame &&
         !put_fixed(&p, &s->frame_line, NAME("X-Frame-Options"), s->frame, s->frame_len)) ||
        (s->nosniff &&
         !put_fixed(&p, &s->nosniff_line, NAME("X-Content-Type-Options"), "nosniff", 7)) ||
        (s->xss && !put_fixed(&p, &s->xss_line, NAME("X-XSS-Protection"), "1; mode=block", 13)) ||
        (s->csp && !set_csp(s, &p, nonce)) ||
        (s->referrer &&
         !put_fixed(&p, &s->referrer_line, NAME("Referrer-Policy"), s->referrer, s->referrer_len)))
        return GW_MW_ANSWER;
    return GW_MW_NEXT;
}
