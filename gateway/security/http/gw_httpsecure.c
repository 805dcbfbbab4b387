/* gw_httpsecure.c - unrolled/secure's processRequest as krakend-httpsecure runs it: host check,
 * SSL redirect (Go's url.URL.String and http.Redirect), security headers, CSP nonce. */
#include "gw_httpsecure_int.h"

#include "cmn_b64.h"
#include "cmn_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BAD_HOST_BODY "Bad Host\n"

/* ---- Go's net/url escaping ---- */

enum url_mode { MODE_PATH, MODE_HOST };

/* net/url shouldEscape for the two modes a redirect URL uses. */
static bool should_escape(unsigned char c, enum url_mode mode)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return false;
    if (mode == MODE_HOST && strchr("!$&'()*+,;=:[]<>\"", c) && c)
        return false;
    switch (c) {
    case '-':
    case '_':
    case '.':
    case '~':
        return false;
    case '$':
    case '&':
    case '+':
    case ',':
    case '/':
    case ':':
    case ';':
    case '=':
    case '?':
    case '@':
        if (mode == MODE_PATH)
            return c == '?';
        break;
    default:
        break;
    }
    return true;
}

static bool escape(struct cmn_buf *b, const char *s, size_t n, enum url_mode mode)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
        if (cmn_buf_append(b, should_escape(c, mode) ? e : (const char *)&s[i],
                           should_escape(c, mode) ? 3 : 1) != CMN_BUF_OK)
            return false;
    }
    return true;
}

/* net/url validEncoded(s, encodePath). */
static bool valid_encoded_path(const char *s)
{
    for (; *s; s++) {
        if (strchr("!$&'()*+,;=:@[]%", *s))
            continue;
        if (should_escape((unsigned char)*s, MODE_PATH))
            return false;
    }
    return true;
}

static int unhex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* url.URL.EscapedPath for a path received as p: p itself when it is a valid encoding, else
 * Go's escaping of the decoded path. A malformed escape (Go answers such a request 400 before
 * any handler) keeps p as it is. */
static bool put_escaped_path(struct cmn_buf *b, const char *p)
{
    size_t n = strlen(p), o = 0;
    char *dec;
    bool ok;

    if (valid_encoded_path(p))
        return cmn_buf_append(b, p, n) == CMN_BUF_OK;
    dec = malloc(n + 1);
    if (!dec)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '%') {
            dec[o++] = p[i];
            continue;
        }
        if (i + 2 >= n || unhex(p[i + 1]) < 0 || unhex(p[i + 2]) < 0) {
            free(dec);
            return cmn_buf_append(b, p, n) == CMN_BUF_OK;
        }
        dec[o++] = (char)(unhex(p[i + 1]) << 4 | unhex(p[i + 2]));
        i += 2;
    }
    ok = escape(b, dec, o, MODE_PATH);
    free(dec);
    return ok;
}

bool gw_httpsecure_redirect_url(const char *host, const struct gw_sec_request *r,
                                struct cmn_buf *out)
{
    size_t mark;

    if (cmn_buf_append_str(out, "https:") != CMN_BUF_OK)
        return false;
    if ((*host || *r->path) && cmn_buf_append_str(out, "//") != CMN_BUF_OK)
        return false;
    if (!escape(out, host, strlen(host), MODE_HOST))
        return false;
    mark = out->len;
    if (!put_escaped_path(out, r->path))
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

/* ---- Go's fmt.Sprintf with one string argument ---- */

static bool put_padded(struct cmn_buf *b, const char *s, size_t n, long width, bool left)
{
    long pad = width - (long)n;

    while (!left && pad-- > 0) {
        if (cmn_buf_append(b, " ", 1) != CMN_BUF_OK)
            return false;
    }
    if (cmn_buf_append(b, s, n) != CMN_BUF_OK)
        return false;
    while (left && pad-- > 0) {
        if (cmn_buf_append(b, " ", 1) != CMN_BUF_OK)
            return false;
    }
    return true;
}

/* One verb applied to the argument. */
static bool put_verb(struct cmn_buf *b, char verb, const char *arg, long width, long prec,
                     bool left)
{
    size_t n = strlen(arg);

    switch (verb) {
    case 's':
    case 'v':
        if (prec >= 0 && (size_t)prec < n)
            n = (size_t)prec; /* the argument (a nonce) is ASCII: bytes are runes */
        return put_padded(b, arg, n, width, left);
    case 'q':
        return cmn_buf_printf(b, "\"%s\"", arg) == CMN_BUF_OK;
    case 'x':
    case 'X':
        for (size_t i = 0; i < n; i++) {
            if (cmn_buf_printf(b, verb == 'x' ? "%02x" : "%02X", (unsigned char)arg[i]) !=
                CMN_BUF_OK)
                return false;
        }
        return true;
    default:
        return cmn_buf_printf(b, "%%!%c(string=%s)", verb, arg) == CMN_BUF_OK;
    }
}

bool gw_httpsecure_go_sprintf(const char *f, const char *arg, struct cmn_buf *b)
{
    int next = 0; /* index of the next argument */
    bool reordered = false;

    while (*f) {
        long width = 0, prec = -1;
        bool left = false, bad_index = false;
        const char *pct = strchr(f, '%');
        char verb;

        if (!pct) {
            if (cmn_buf_append_str(b, f) != CMN_BUF_OK)
                return false;
            break;
        }
        if (cmn_buf_append(b, f, (size_t)(pct - f)) != CMN_BUF_OK)
            return false;
        f = pct + 1;
        while (*f && strchr("+-# 0", *f))
            left |= *f++ == '-';
        if (*f == '[') { /* an explicit argument index: [1] is the only argument */
            char *end;
            long idx = strtol(f + 1, &end, 10);
            reordered = true;
            if (*end == ']') {
                bad_index = idx != 1;
                next = bad_index ? next : 0;
                f = end + 1;
            } else {
                bad_index = true;
                f = *end ? end : f + 1;
            }
        }
        while (*f >= '0' && *f <= '9' && width < 1000000)
            width = width * 10 + (*f++ - '0');
        if (*f == '.') {
            prec = 0;
            for (f++; *f >= '0' && *f <= '9' && prec < 1000000; f++)
                prec = prec * 10 + (*f - '0');
        }
        if (!*f) {
            if (cmn_buf_append_str(b, "%!(NOVERB)") != CMN_BUF_OK)
                return false;
            break;
        }
        verb = *f++;
        if (verb == '%') {
            if (cmn_buf_append(b, "%", 1) != CMN_BUF_OK)
                return false;
            continue;
        }
        if (bad_index) {
            if (cmn_buf_printf(b, "%%!%c(BADINDEX)", verb) != CMN_BUF_OK)
                return false;
            continue;
        }
        if (next >= 1) {
            if (cmn_buf_printf(b, "%%!%c(MISSING)", verb) != CMN_BUF_OK)
                return false;
            continue;
        }
        next++;
        if (!put_verb(b, verb, arg, width, prec, left))
            return false;
    }
    if (!reordered && next < 1)
        return cmn_buf_printf(b, "%%!(EXTRA string=%s)", arg) == CMN_BUF_OK;
    return true;
}

/* ---- the stage ---- */

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
        /* Go's EqualFold (non-ASCII) or the anchored regexp; an engine that gives up
         * proves nothing, so the host is not taken as good */
        if (gw_re2_match(h->re, host, strlen(host)) == GW_RE2_MATCH)
            return true;
    }
    return false;
}

/* unrolled/secure's isSSL: TLS, an absolute https target, or a configured proxy header whose
 * first value equals the configured one (Get gives "" for a missing header). */
static bool is_ssl(const struct gw_httpsecure *s, const struct gw_sec_request *r)
{
    if (r->tls || strcasecmp(r->scheme, "https") == 0)
        return true;
    for (size_t i = 0; i < s->n_ssl_proxy; i++) {
        if (strcmp(gw_sec_header_get(r, s->ssl_proxy[i].name), s->ssl_proxy[i].value) == 0)
            return true;
    }
    return false;
}

static enum gw_sec_action bad_host(const struct gw_sec_response *out, struct gw_sec_answer *ans)
{
    /* Go's http.Error */
    if (!out->set(out->ctx, "Content-Type", "text/plain; charset=utf-8") ||
        !out->set(out->ctx, "X-Content-Type-Options", "nosniff"))
        return ans->action = GW_SEC_FAIL;
    ans->status = 500;
    ans->body = BAD_HOST_BODY;
    ans->body_len = sizeof(BAD_HOST_BODY) - 1;
    return ans->action = GW_SEC_ANSWER;
}

/* Go's http.Redirect with 301: Location with non-ASCII bytes as %xx (lower-case hex, as Go's
 * hexEscapeNonASCII writes them), Content-Type for GET and HEAD, the HTML body for GET. */
static enum gw_sec_action redirect(const struct gw_httpsecure *s, const struct gw_sec_request *r,
                                   const char *host, const struct gw_sec_response *out,
                                   struct gw_sec_answer *ans)
{
    struct cmn_buf url, loc;
    bool ok, get = strcmp(r->method, "GET") == 0;

    cmn_buf_init(&url, 1 << 20);
    cmn_buf_init(&loc, 3 << 20);
    ok = gw_httpsecure_redirect_url(s->ssl_host ? s->ssl_host : host, r, &url);
    for (size_t i = 0; ok && i < url.len; i++) {
        unsigned char c = (unsigned char)url.data[i];
        ok = c < 0x80 ? cmn_buf_append(&loc, &url.data[i], 1) == CMN_BUF_OK
                      : cmn_buf_printf(&loc, "%%%x", c) == CMN_BUF_OK;
    }
    ok = ok && out->set(out->ctx, "Location", cmn_buf_str(&loc));
    if (ok && (get || strcmp(r->method, "HEAD") == 0))
        ok = out->set(out->ctx, "Content-Type", "text/html; charset=utf-8");
    if (ok && get) {
        ok = cmn_buf_append_str(&ans->buf, "<a href=\"") == CMN_BUF_OK &&
             cmn_buf_append_html(&ans->buf, cmn_buf_str(&url), url.len) == CMN_BUF_OK &&
             cmn_buf_append_str(&ans->buf, "\">Moved Permanently</a>.\n\n") == CMN_BUF_OK;
        ans->body = cmn_buf_str(&ans->buf);
        ans->body_len = ans->buf.len;
    }
    cmn_buf_free(&url);
    cmn_buf_free(&loc);
    if (!ok)
        return ans->action = GW_SEC_FAIL;
    ans->status = 301;
    return ans->action = GW_SEC_ANSWER;
}

static bool set_csp(const struct gw_httpsecure *s, const struct gw_sec_response *out,
                    const unsigned char *nonce)
{
    char b64[32] = "";
    struct cmn_buf v;
    bool ok;

    if (!s->nonce)
        return out->set(out->ctx, "Content-Security-Policy", s->csp);
    if (nonce) { /* base64.RawStdEncoding: no padding */
        size_t n = cmn_b64_encode(nonce, GW_HSEC_NONCE_BYTES, b64);
        while (n && b64[n - 1] == '=')
            b64[--n] = '\0';
    }
    cmn_buf_init(&v, 1 << 20);
    ok = gw_httpsecure_go_sprintf(s->csp, b64, &v) &&
         out->set(out->ctx, "Content-Security-Policy", cmn_buf_str(&v));
    cmn_buf_free(&v);
    return ok;
}

enum gw_sec_action gw_httpsecure_handle(const struct gw_httpsecure *s,
                                        const struct gw_sec_request *r,
                                        const struct gw_sec_response *out,
                                        const unsigned char *nonce, struct gw_sec_answer *ans)
{
    const char *host = r->host;
    bool ssl;

    for (size_t i = 0; i < s->n_proxy_headers; i++) {
        const char *h = gw_sec_header(r, s->proxy_headers[i]);
        if (h && *h) { /* the first non-empty one, verbatim */
            host = h;
            break;
        }
    }
    if (s->n_hosts && !s->dev && !host_allowed(s, host))
        return bad_host(out, ans);
    ssl = is_ssl(s, r);
    if (s->ssl_redirect && !ssl && !s->dev)
        return redirect(s, r, host, out, ans);
    if (s->sts_seconds != 0 && (ssl || s->force_sts) && !s->dev &&
        !out->set(out->ctx, "Strict-Transport-Security", s->hsts))
        return ans->action = GW_SEC_FAIL;
    if ((s->frame && !out->set(out->ctx, "X-Frame-Options", s->frame)) ||
        (s->nosniff && !out->set(out->ctx, "X-Content-Type-Options", "nosniff")) ||
        (s->xss && !out->set(out->ctx, "X-XSS-Protection", "1; mode=block")) ||
        (s->csp && !set_csp(s, out, nonce)) ||
        (s->referrer && !out->set(out->ctx, "Referrer-Policy", s->referrer)))
        return ans->action = GW_SEC_FAIL;
    return ans->action = GW_SEC_CONTINUE;
}
