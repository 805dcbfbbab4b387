/* gw_martian_msg.c - the backend request and its answer as Go's http.Request/http.Response
 * hold them while martian runs: the URL's parts, Request.Host apart from the URL, the length and
 * transfer coding apart from the header map (proxyutil's special names, §3.3), cookies, Range
 * answers and the MIME types static.Modifier uses. */
#include "gw_martian_int.h"

#include "cmn_go_header.h"
#include "cmn_go_url.h"
#include "cmn_http_field.h"
#include "cmn_str.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- the URL -------------------------------------------------------------------------------- */

void gw_mart_req_init(struct gw_mart_req *req, struct gw_outreq *o)
{
    memset(req, 0, sizeof(*req));
    req->o = o;
    req->cl = o->content_length ? (long long)o->body_len : 0;
}

void gw_mart_req_free(struct gw_mart_req *req)
{
    if (!req)
        return;
    free(req->scheme);
    free(req->host);
    free(req->path);
    free(req->raw_path);
    free(req->raw_query);
    free(req->req_host);
    free(req->te);
    free(req->body);
    memset(req, 0, sizeof(*req));
}

static char *dupn(const char *s, size_t n)
{
    return cmn_strndup(s, n);
}

bool gw_mart_url(struct gw_mart_req *req)
{
    const char *u = req->o->url, *rest, *slash, *q, *at;
    size_t hl;

    if (req->parsed)
        return true;
    rest = strstr(u, "://");
    if (!rest)
        return false;
    req->scheme = dupn(u, (size_t)(rest - u));
    rest += 3;
    hl = strcspn(rest, "/?#");
    at = memchr(rest, '@', hl); /* userinfo stays in the URL text, not in Host */
    req->host = at ? dupn(at + 1, hl - (size_t)(at + 1 - rest)) : dupn(rest, hl);
    slash = rest + hl;
    q = strchr(slash, '?');
    req->raw_path = dupn(slash, q ? (size_t)(q - slash) : strcspn(slash, "#"));
    req->raw_query = q ? dupn(q + 1, strcspn(q + 1, "#")) : strdup("");
    if (!req->scheme || !req->host || !req->raw_path || !req->raw_query)
        return false;
    req->path = malloc(strlen(req->raw_path) + 1);
    if (!req->path)
        return false;
    if (!cmn_go_unescape(req->raw_path, strlen(req->raw_path), false, req->path, NULL))
        memcpy(req->path, req->raw_path, strlen(req->raw_path) + 1); /* not an escape: as is */
    if (!req->req_host && !req->host_dirty)
        req->req_host = strdup(req->o->host ? req->o->host : req->host);
    req->parsed = req->req_host != NULL;
    return req->parsed;
}

bool gw_mart_url_string(struct gw_mart_req *req, struct cmn_buf *out)
{
    const char *u = req->o->url;
    const char *rest = strstr(u, "://");
    const char *at;
    size_t hl;

    if (!gw_mart_url(req))
        return false;
    cmn_buf_append_str(out, req->scheme);
    cmn_buf_append_str(out, "://");
    rest = rest ? rest + 3 : u;
    hl = strcspn(rest, "/?#");
    at = memchr(rest, '@', hl);
    if (at)
        cmn_buf_append(out, rest, (size_t)(at + 1 - rest));
    cmn_buf_append_str(out, req->host);
    if (req->raw_path[0] && req->raw_path[0] != '/' && req->host[0])
        cmn_buf_append(out, "/", 1);
    cmn_buf_append_str(out, req->raw_path);
    if (req->raw_query[0]) {
        cmn_buf_append(out, "?", 1);
        cmn_buf_append_str(out, req->raw_query);
    }
    return cmn_buf_str(out)[0] != '\0';
}

bool gw_mart_req_finish(struct gw_mart_req *req, struct cmn_err *err)
{
    struct gw_outreq *o = req->o;

    if (req->parsed && req->url_dirty) {
        struct cmn_buf b;
        char *url;
        cmn_buf_init(&b, 1024 * 1024);
        if (!gw_mart_url_string(req, &b) || !(url = cmn_buf_take(&b, NULL))) {
            cmn_buf_free(&b);
            return cmn_err_set(err, 1, "out of memory"), false;
        }
        free(o->url);
        o->url = url;
    }
    if (req->parsed || req->host_dirty) {
        /* Go sends Request.Host; the URL's own host when Host is empty */
        const char *h;
        bool own;
        if (!req->parsed && !gw_mart_url(req))
            return cmn_err_set(err, 1, "out of memory"), false;
        h = req->req_host ? req->req_host : "";
        own = h[0] && strcmp(h, req->host) != 0;
        free(o->host);
        o->host = own ? strdup(h) : NULL;
        if (own && !o->host)
            return cmn_err_set(err, 1, "out of memory"), false;
    }
    if (req->body) {
        o->body = req->body;
        o->body_len = req->body_len;
    }
    if (req->cl_dirty) {
        if (req->cl > 0 && (size_t)req->cl != o->body_len) {
            char op[16];
            cmn_strlcpy(op, o->method, sizeof(op));
            for (size_t k = 1; op[k]; k++)
                op[k] = (char)tolower((unsigned char)op[k]);
            return cmn_err_set(err, 1, "%s \"%s\": http: ContentLength=%lld with Body length %zu",
                               op, o->url, req->cl, o->body_len),
                   false;
        }
        o->content_length = req->cl > 0;
    }
    if (req->te) {
        if (strcmp(req->te, "chunked") != 0)
            return cmn_err_set(err, 1, "net/http: unsupported Transfer-Encoding: \"%s\"", req->te),
                   false;
        o->content_length = false;
    }
    return true;
}

bool gw_mart_req_snapshot(const struct gw_mart_req *req, struct gw_outreq *copy,
                          struct gw_mart_req *snap)
{
    memset(snap, 0, sizeof(*snap));
    if (!gw_outreq_copy(copy, req->o))
        return false;
    gw_mart_req_init(snap, copy);
    snap->cl = req->cl;
    if (req->req_host && !(snap->req_host = strdup(req->req_host)))
        return false;
    snap->host_dirty = req->host_dirty;
    return true;
}

/* ---- headers -------------------------------------------------------------------------------- */

enum special { SP_NONE = 0, SP_HOST, SP_CL, SP_TE };

static enum special special_of(const char *name, char *canon, size_t size)
{
    cmn_go_canonical_header(name, canon, size);
    if (strcmp(canon, "Host") == 0)
        return SP_HOST;
    if (strcmp(canon, "Content-Length") == 0)
        return SP_CL;
    if (strcmp(canon, "Transfer-Encoding") == 0)
        return SP_TE;
    return SP_NONE;
}

static struct gw_hdrs *hdrs_of(struct gw_mart_req *req, struct gw_mart_res *res)
{
    return res ? &res->r->headers : &req->o->headers;
}

/* strconv.ParseInt(value, 10, 64). */
static bool parse_int(const char *v, long long *out, struct cmn_err *err)
{
    char *end;

    errno = 0;
    *out = strtoll(v, &end, 10);
    if (!*v || *end || isspace((unsigned char)*v)) {
        cmn_err_set(err, 1, "strconv.ParseInt: parsing \"%s\": invalid syntax", v);
        return false;
    }
    if (errno == ERANGE) {
        cmn_err_set(err, 1, "strconv.ParseInt: parsing \"%s\": value out of range", v);
        return false;
    }
    return true;
}

/* The response's length as Go's Response.ContentLength: its header, else unknown (-1). */
static long long res_cl(struct gw_mart_res *res)
{
    const char *v = gw_hdrs_get(&res->r->headers, "Content-Length");
    long long n;
    struct cmn_err e;

    return v && parse_int(v, &n, &e) ? n : -1;
}

int gw_mart_hdr_set(struct gw_mart_req *req, struct gw_mart_res *res, const char *name,
                    const char *value, struct cmn_err *err)
{
    char canon[256];
    long long n;

    switch (special_of(name, canon, sizeof(canon))) {
    case SP_HOST:
        if (res)
            return 0; /* a response has no Host */
        free(req->req_host);
        req->req_host = strdup(value);
        req->host_dirty = true;
        return req->req_host ? 0 : (cmn_err_set(err, 1, "out of memory"), -1);
    case SP_CL:
        if (!parse_int(value, &n, err))
            return -1;
        if (res) { /* Go's Response.ContentLength: Lura reads the body itself */
            char num[32];
            snprintf(num, sizeof(num), "%lld", n);
            return gw_hdrs_set(&res->r->headers, "Content-Length", num) ? 0 : -1;
        }
        req->cl = n;
        req->cl_dirty = true;
        return 0;
    case SP_TE:
        if (res) {
            gw_hdrs_set(&res->r->headers, "Transfer-Encoding", value);
            return 0;
        }
        free(req->te);
        req->te = strdup(value);
        return req->te ? 0 : (cmn_err_set(err, 1, "out of memory"), -1);
    default:
        if (!gw_hdrs_set(hdrs_of(req, res), canon, value))
            return cmn_err_set(err, 1, "martian: too many headers"), -1;
        return 0;
    }
}

int gw_mart_hdr_add(struct gw_mart_req *req, struct gw_mart_res *res, const char *name,
                    const char *value, struct cmn_err *err)
{
    char canon[256], buf[32];

    switch (special_of(name, canon, sizeof(canon))) {
    case SP_HOST:
        if (!res && gw_mart_hdr_get(req, NULL, "Host", buf, sizeof(buf))[0])
            return cmn_err_set(err, 1, "proxyutil: illegal header multiple: %s", "Host"), -1;
        return gw_mart_hdr_set(req, res, name, value, err);
    case SP_CL:
        if ((res ? res_cl(res) : req->cl) > 0)
            return cmn_err_set(err, 1, "proxyutil: illegal header multiple: %s", "Content-Length"),
                   -1;
        return gw_mart_hdr_set(req, res, name, value, err);
    case SP_TE:
        if (res ? gw_hdrs_get(&res->r->headers, "Transfer-Encoding") != NULL : req->te != NULL)
            return 0; /* a second coding: Go would refuse to send it anyway */
        return gw_mart_hdr_set(req, res, name, value, err);
    default:
        if (!gw_hdrs_add(hdrs_of(req, res), canon, value))
            return cmn_err_set(err, 1, "martian: too many headers"), -1;
        return 0;
    }
}

void gw_mart_hdr_del(struct gw_mart_req *req, struct gw_mart_res *res, const char *name)
{
    char canon[256];

    switch (special_of(name, canon, sizeof(canon))) {
    case SP_HOST:
        if (!res) {
            free(req->req_host);
            req->req_host = strdup("");
            req->host_dirty = true;
        }
        return;
    case SP_CL:
        if (res) {
            gw_hdrs_del(&res->r->headers, "Content-Length");
        } else {
            req->cl = -1;
            req->cl_dirty = true;
        }
        return;
    case SP_TE:
        if (res) {
            gw_hdrs_del(&res->r->headers, "Transfer-Encoding");
        } else {
            free(req->te);
            req->te = NULL;
        }
        return;
    default:
        gw_hdrs_del(hdrs_of(req, res), canon);
    }
}

const char *gw_mart_hdr_get(struct gw_mart_req *req, struct gw_mart_res *res, const char *name,
                            char *buf, size_t size)
{
    char canon[256];
    const char *v;
    long long cl;

    switch (special_of(name, canon, sizeof(canon))) {
    case SP_HOST:
        if (res)
            return "";
        if (!req->parsed && !req->host_dirty && !gw_mart_url(req))
            return "";
        return req->req_host ? req->req_host : "";
    case SP_CL:
        cl = res ? res_cl(res) : req->cl;
        if (cl < 0)
            return "";
        snprintf(buf, size, "%lld", cl);
        return buf;
    case SP_TE:
        v = res ? gw_hdrs_get(&res->r->headers, "Transfer-Encoding") : req->te;
        return v ? v : "";
    default:
        v = gw_hdrs_get(hdrs_of(req, res), canon);
        return v ? v : "";
    }
}

bool gw_mart_hdr_any(struct gw_mart_req *req, struct gw_mart_res *res, const char *name,
                     bool (*fn)(const char *v, void *arg), void *arg)
{
    char canon[256], buf[32];
    const struct gw_hdrs *h;
    bool found = false;

    switch (special_of(name, canon, sizeof(canon))) {
    case SP_HOST: {
        const char *v = gw_mart_hdr_get(req, res, canon, buf, sizeof(buf));
        if (!v[0])
            return false;
        fn(v, arg);
        return true;
    }
    case SP_TE: {
        const char *v = res ? gw_hdrs_get(&res->r->headers, "Transfer-Encoding") : req->te;
        if (!v)
            return false;
        fn(v, arg);
        return true;
    }
    case SP_CL: {
        long long cl = res ? res_cl(res) : req->cl;
        if (cl <= 0)
            return false;
        snprintf(buf, sizeof(buf), "%lld", cl);
        fn(buf, arg);
        return true;
    }
    default:
        h = hdrs_of(req, res);
        for (size_t i = 0; i < h->n; i++) {
            if (strcmp(h->v[i].name, canon) != 0)
                continue;
            found = true;
            if (fn(h->v[i].value, arg))
                break;
        }
        return found;
    }
}

/* ---- cookies (Go's net/http) ---------------------------------------------------------------- */

/* Go's isCookieNameValid: a token, the one field rule's name rule. */
static bool valid_name(const char *s, size_t n)
{
    return cmn_http_field_name_ok(s, n);
}

static bool valid_value_byte(unsigned char b)
{
    return b >= 0x20 && b < 0x7f && b != '"' && b != ';' && b != '\\';
}

/* sanitizeCookieValue: invalid bytes dropped, quoted when it holds a space or a comma. */
static void sanitize_value(const char *v, struct cmn_buf *out)
{
    size_t start = out->len;
    bool quote = false;

    for (const char *p = v; *p; p++) {
        if (valid_value_byte((unsigned char)*p)) {
            cmn_buf_append(out, p, 1);
            quote = quote || *p == ' ' || *p == ',';
        }
    }
    if (quote && out->len > start) {
        cmn_buf_append(out, "\"", 1);
        memmove(out->data + start + 1, out->data + start, out->len - start - 1);
        out->data[start] = '"';
        cmn_buf_append(out, "\"", 1);
    }
}

char *gw_mart_cookie_pair(const char *name, const char *value)
{
    struct cmn_buf b;

    cmn_buf_init(&b, 1024 * 1024);
    for (const char *p = name; *p; p++) /* sanitizeCookieName: CR and LF become '-' */
        cmn_buf_append(&b, *p == '\r' || *p == '\n' ? "-" : p, 1);
    cmn_buf_append(&b, "=", 1);
    sanitize_value(value, &b);
    return cmn_buf_take(&b, NULL);
}

/* Go's isCookieDomainName (a host name of letters, digits, '-', '_' and dots) or an IPv4. */
static bool valid_domain(const char *d)
{
    size_t n = strlen(d), part = 0;
    bool letter = false;
    char last = '.';

    if (*d == '.')
        d++, n--;
    if (n == 0 || n > 255)
        return false;
    for (const char *p = d; *p; p++) {
        char c = *p;
        if (isalpha((unsigned char)c) || c == '_') {
            letter = true;
            part++;
        } else if (isdigit((unsigned char)c)) {
            part++;
        } else if (c == '-') {
            if (last == '.')
                return false;
            part++;
        } else if (c == '.') {
            if (last == '.' || last == '-' || part > 63)
                return false;
            part = 0;
        } else {
            return false;
        }
        last = c;
    }
    if (last == '-' || part > 63)
        return false;
    if (letter)
        return true;
    unsigned a, b, c, e;
    char tail;
    return sscanf(d, "%u.%u.%u.%u%c", &a, &b, &c, &e, &tail) == 4 && a < 256 && b < 256 &&
           c < 256 && e < 256;
}

char *gw_mart_cookie_string(const char *name, const char *value, const char *path,
                            const char *domain, int64_t expires_unix, bool has_expires,
                            long long max_age, bool secure, bool http_only)
{
    struct cmn_buf b;

    cmn_buf_init(&b, 1024 * 1024);
    if (!valid_name(name, strlen(name)))
        return cmn_buf_take(&b, NULL); /* Go: "" for an invalid name */
    cmn_buf_append_str(&b, name);
    cmn_buf_append(&b, "=", 1);
    sanitize_value(value, &b);
    if (path[0]) {
        cmn_buf_append_str(&b, "; Path=");
        for (const char *p = path; *p; p++) { /* sanitizeCookiePath */
            if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f && *p != ';')
                cmn_buf_append(&b, p, 1);
        }
    }
    if (domain[0] && valid_domain(domain)) {
        cmn_buf_append_str(&b, "; Domain=");
        cmn_buf_append_str(&b, domain[0] == '.' ? domain + 1 : domain);
    }
    /* validCookieExpires: year 1601 or later (-11644473600 is 1601-01-01T00:00:00Z) */
    if (has_expires && expires_unix >= -11644473600LL) {
        static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        time_t t = (time_t)expires_unix;
        struct tm tm;
        gmtime_r(&t, &tm);
        cmn_buf_printf(&b, "; Expires=%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
                       tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                       tm.tm_sec);
    }
    if (max_age > 0)
        cmn_buf_printf(&b, "; Max-Age=%lld", max_age);
    else if (max_age < 0)
        cmn_buf_append_str(&b, "; Max-Age=0");
    if (http_only)
        cmn_buf_append_str(&b, "; HttpOnly");
    if (secure)
        cmn_buf_append_str(&b, "; Secure");
    return cmn_buf_take(&b, NULL);
}

bool gw_mart_add_cookie(struct gw_mart_req *req, const char *pair)
{
    const char *c = gw_hdrs_get(&req->o->headers, "Cookie");
    struct cmn_buf b;
    bool ok;

    if (!c || !c[0])
        return gw_hdrs_set(&req->o->headers, "Cookie", pair);
    cmn_buf_init(&b, 1024 * 1024);
    cmn_buf_printf(&b, "%s; %s", c, pair);
    ok = gw_hdrs_set(&req->o->headers, "Cookie", cmn_buf_str(&b));
    cmn_buf_free(&b);
    return ok;
}

/* parseCookieValue: quotes stripped, every byte valid. */
static bool cookie_value(const char *v, size_t n, const char **out, size_t *out_n)
{
    if (n > 1 && v[0] == '"' && v[n - 1] == '"') {
        v++;
        n -= 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (!valid_value_byte((unsigned char)v[i]))
            return false;
    }
    *out = v;
    *out_n = n;
    return true;
}

static bool pair_matches(const char *p, size_t n, const char *name, const char *value)
{
    const char *eq, *v;
    size_t nl, vl;

    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    eq = memchr(p, '=', n);
    nl = eq ? (size_t)(eq - p) : n;
    while (nl && (p[nl - 1] == ' ' || p[nl - 1] == '\t'))
        nl--;
    if (!valid_name(p, nl) || strlen(name) != nl || memcmp(p, name, nl) != 0)
        return false;
    if (!cookie_value(eq ? eq + 1 : "", eq ? n - nl - 1 : 0, &v, &vl))
        return false;
    return !value[0] || (strlen(value) == vl && memcmp(v, value, vl) == 0);
}

bool gw_mart_has_cookie(const struct gw_hdrs *h, bool response, const char *name, const char *value)
{
    for (size_t i = 0; i < h->n; i++) {
        const char *line = h->v[i].value;
        if (strcmp(h->v[i].name, response ? "Set-Cookie" : "Cookie") != 0)
            continue;
        if (response) { /* a Set-Cookie line: its first pair is the cookie */
            if (pair_matches(line, strcspn(line, ";"), name, value))
                return true;
            continue;
        }
        for (const char *p = line; *p;) { /* a Cookie line: pairs separated by ';' */
            size_t l = strcspn(p, ";");
            if (pair_matches(p, l, name, value))
                return true;
            p += l + (p[l] ? 1 : 0);
        }
    }
    return false;
}

/* ---- hosts and ports ------------------------------------------------------------------------ */

static bool addr_error(const char *addr, const char *why, struct cmn_err *err)
{
    cmn_err_set(err, 1, "address %s: %s", addr, why);
    return false;
}

bool gw_mart_split_host_port(const char *hp, char *host, size_t host_size, char *port,
                             size_t port_size, struct cmn_err *err)
{
    const char *i = strrchr(hp, ':'), *h, *end;
    size_t hl, j = 0, k = 0;

    if (!i)
        return addr_error(hp, "missing port in address", err);
    if (hp[0] == '[') {
        end = strchr(hp, ']');
        if (!end)
            return addr_error(hp, "missing ']' in address", err);
        if (end[1] == '\0')
            return addr_error(hp, "missing port in address", err);
        if (end + 1 != i)
            return addr_error(
                hp, end[1] == ':' ? "too many colons in address" : "missing port in address", err);
        h = hp + 1;
        hl = (size_t)(end - h);
        j = 1;
        k = (size_t)(end + 1 - hp);
    } else {
        h = hp;
        hl = (size_t)(i - hp);
        if (memchr(h, ':', hl))
            return addr_error(hp, "too many colons in address", err);
    }
    if (strchr(hp + j, '['))
        return addr_error(hp, "unexpected '[' in address", err);
    if (strchr(hp + k, ']'))
        return addr_error(hp, "unexpected ']' in address", err);
    snprintf(host, host_size, "%.*s", (int)hl, h);
    if (port)
        snprintf(port, port_size, "%s", i + 1);
    return true;
}

/* ---- Range answers -------------------------------------------------------------------------- */

/* strconv.Atoi. */
static bool atoi_go(const char *s, size_t n, long long *out, struct cmn_err *err)
{
    char buf[64];
    char *end;

    snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
    errno = 0;
    *out = strtoll(buf, &end, 10);
    if (!buf[0] || *end || errno || isspace((unsigned char)buf[0])) {
        cmn_err_set(err, 1, "strconv.Atoi: parsing \"%s\": %s", buf,
                    errno ? "value out of range" : "invalid syntax");
        return false;
    }
    return true;
}

static void trim(const char **p, size_t *n)
{
    while (*n && isspace((unsigned char)**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)(*p)[*n - 1]))
        (*n)--;
}

static void set_body(struct gw_fetch_result *r, struct cmn_buf *b)
{
    size_t len;
    char *data = cmn_buf_take(b, &len);

    if (!data)
        return;
    free(r->body);
    r->body = data;
    r->body_len = len;
}

int gw_mart_range(struct gw_fetch_result *r, const char *range, const char *data, size_t len,
                  const char *content_type, const char *boundary, struct cmn_err *err)
{
    char lower[4096];
    const char *p;
    long long starts[64], ends[64];
    size_t n = 0;
    struct cmn_buf b;

    snprintf(lower, sizeof(lower), "%s", range);
    for (char *c = lower; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    p = lower + strspn(lower, "bytes="); /* strings.TrimLeft with a cut set, as martian does */
    for (;;) {
        size_t l = strcspn(p, ",");
        char part[256];
        const char *dash;
        if (l > 200) /* no number that long fits an int: Go's Atoi refuses it too */
            return cmn_err_set(err, 1, "strconv.Atoi: parsing \"%.32s...\": value out of range", p),
                   -1;
        snprintf(part, sizeof(part), "%.*s", (int)l, p);
        if (l && part[l - 1] == '-') /* "5-": to the end */
            snprintf(part + l, sizeof(part) - l, "%lld", (long long)len - 1);
        dash = strchr(part, '-');
        if (!dash || strchr(dash + 1, '-') || n == 64) {
            r->status = 416;
            return 0;
        }
        const char *a = part, *e = dash + 1;
        size_t al = (size_t)(dash - part), el = strlen(e);
        trim(&a, &al);
        trim(&e, &el);
        if (!atoi_go(a, al, &starts[n], err) || !atoi_go(e, el, &ends[n], err))
            return -1;
        /* a start after its end is martian's 416; one outside the body would make Go panic */
        if (starts[n] > ends[n] || starts[n] < 0 || ends[n] >= (long long)len) {
            r->status = 416;
            free(r->body);
            r->body = NULL;
            r->body_len = 0;
            return 0;
        }
        n++;
        if (!p[l])
            break;
        p += l + 1;
    }
    r->status = 206;
    cmn_buf_init(&b, GW_MART_FILE_MAX + 64 * 1024);
    if (n == 1) {
        char cr[96];
        cmn_buf_append(&b, data + starts[0], (size_t)(ends[0] - starts[0] + 1));
        set_body(r, &b);
        snprintf(cr, sizeof(cr), "bytes %lld-%lld/%zu", starts[0], ends[0], len);
        gw_hdrs_set(&r->headers, "Content-Range", cr);
        return 0;
    }
    for (size_t i = 0; i < n; i++) { /* mime/multipart's writer: headers sorted by name */
        cmn_buf_printf(&b,
                       "%s--%s\r\nContent-Range: bytes %lld-%lld/%zu\r\nContent-Type: %s\r\n\r\n",
                       i ? "\r\n" : "", boundary, starts[i], ends[i], len, content_type);
        cmn_buf_append(&b, data + starts[i], (size_t)(ends[i] - starts[i] + 1));
    }
    cmn_buf_printf(&b, "\r\n--%s--\r\n", boundary);
    set_body(r, &b);
    cmn_buf_init(&b, 512);
    cmn_buf_printf(&b, "multipart/byteranges; boundary=%s", boundary);
    gw_hdrs_set(&r->headers, "Content-Type", cmn_buf_str(&b));
    cmn_buf_free(&b);
    return 0;
}

/* ---- paths and types ------------------------------------------------------------------------ */

void gw_mart_clean_path(const char *in, struct cmn_buf *out)
{
    bool rooted = in[0] == '/';
    size_t base = out->len, dotdot;

    if (!in[0]) {
        cmn_buf_append(out, ".", 1);
        return;
    }
    if (rooted)
        cmn_buf_append(out, "/", 1);
    dotdot = out->len; /* where ".." may no longer back up */
    for (const char *p = in; *p;) {
        size_t l = strcspn(p, "/");
        if (l == 0 || (l == 1 && p[0] == '.')) {
            /* empty or "." element */
        } else if (l == 2 && p[0] == '.' && p[1] == '.') {
            if (out->len > dotdot) { /* back up to the previous slash */
                while (out->len > dotdot && out->data[out->len - 1] != '/')
                    out->len--;
                if (out->len > dotdot)
                    out->len--;
                out->data[out->len] = '\0';
            } else if (!rooted) {
                if (out->len > base)
                    cmn_buf_append(out, "/", 1);
                cmn_buf_append(out, "..", 2);
                dotdot = out->len;
            }
        } else {
            if ((rooted && out->len != base + 1) || (!rooted && out->len != base))
                cmn_buf_append(out, "/", 1);
            cmn_buf_append(out, p, l);
        }
        p += l;
        while (*p == '/')
            p++;
    }
    if (out->len == base)
        cmn_buf_append(out, ".", 1);
}

const char *gw_mart_mime_type(const char *path)
{
    /* Go's builtin table (mime/type.go); the system's mime.types files are not read */
    static const char *const table[][2] = {
        {".avif", "image/avif"},
        {".css", "text/css; charset=utf-8"},
        {".gif", "image/gif"},
        {".htm", "text/html; charset=utf-8"},
        {".html", "text/html; charset=utf-8"},
        {".jpeg", "image/jpeg"},
        {".jpg", "image/jpeg"},
        {".js", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".pdf", "application/pdf"},
        {".png", "image/png"},
        {".svg", "image/svg+xml"},
        {".wasm", "application/wasm"},
        {".webp", "image/webp"},
        {".xml", "text/xml; charset=utf-8"},
    };
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');

    if (!dot)
        return "";
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcasecmp(dot, table[i][0]) == 0) /* Go tries the exact, then the lower case */
            return table[i][1];
    }
    return "";
}
