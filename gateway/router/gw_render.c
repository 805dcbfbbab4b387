/* gw_render.c - client responses: endpoint handler rules, output encodings, router answers. */
#include "gw_render.h"

#include "cmn_str.h"
#include "gw_encoding.h"
#include "cmn_go_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JSON_CT "application/json; charset=utf-8"
#define TEXT_CT "text/plain; charset=utf-8"

/* The fields the router's answers carry, laid out once. */
static const struct cmn_http_line X_KRAKEND =
                                      CMN_HTTP_LINE_LITERAL("X-Krakend", "Version " GW_VERSION),
                                  X_KRAKEND_HIDDEN =
                                      CMN_HTTP_LINE_LITERAL("X-Krakend", "Version undefined"),
                                  COMPLETED[2] = {
                                      CMN_HTTP_LINE_LITERAL("X-Krakend-Completed", "false"),
                                      CMN_HTTP_LINE_LITERAL("X-Krakend-Completed", "true"),
};

const struct cmn_http_line *gw_render_version_line(const struct gw_render_opts *o)
{
    return o && o->hide_version_header ? &X_KRAKEND_HIDDEN : &X_KRAKEND;
}

/* A reduced http.DetectContentType: HTML, binary or UTF-8 text. */
static const char *sniff(const char *b, size_t n)
{
    static const char *const html[] = {"<!DOCTYPE HTML",
                                       "<HTML",
                                       "<HEAD",
                                       "<SCRIPT",
                                       "<IFRAME",
                                       "<H1",
                                       "<DIV",
                                       "<FONT",
                                       "<TABLE",
                                       "<A",
                                       "<STYLE",
                                       "<TITLE",
                                       "<B",
                                       "<BODY",
                                       "<BR",
                                       "<P",
                                       "<!--"};
    size_t i = 0;

    if (n > 512)
        n = 512;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r' || b[i] == '\f'))
        i++;
    for (size_t k = 0; k < sizeof(html) / sizeof(html[0]); k++) {
        size_t l = strlen(html[k]);
        if (n - i > l && strncasecmp(b + i, html[k], l) == 0 &&
            (b[i + l] == ' ' || b[i + l] == '>'))
            return "text/html; charset=utf-8";
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)b[i];
        if (c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F))
            return "application/octet-stream";
    }
    return TEXT_CT;
}

static struct cmn_http_response *with_body(struct cmn_http_response *r, const char *ct, char *body,
                                           size_t len)
{
    if (!r) {
        free(body);
        return NULL;
    }
    if (ct && !cmn_http_response_add_header(r, "Content-Type", ct)) {
        free(body);
        cmn_http_response_destroy(r);
        return NULL;
    }
    if (body)
        cmn_http_response_take_body(r, body, len);
    return r;
}

static char *render_json(const struct gw_json *v, size_t *len)
{
    return gw_json_render_str(v, len);
}

/* The most a rendered XML or YAML body may grow to: as large as the biggest body the gateway
 * accepts from a backend, with room for the markup. */
#define ENC_RENDER_CAP ((size_t)64 << 20)

/* output_encoding xml (krakend-xml) and yaml (gin's YAML on goccy/go-yaml); resp NULL is a nil
 * response. An XML attribute that is not a scalar makes krakend-xml fail after gin has written
 * the status and Content-Type: 200 with an empty body, which is what the client gets here too. */
static struct cmn_http_response *render_markup(struct cmn_http_response *r, enum gw_enc_format fmt,
                                               const struct gw_presp *resp)
{
    struct cmn_buf b;
    struct cmn_err err = {0};
    char *body;
    size_t len;
    int rc;

    if (fmt == GW_ENC_FMT_XML && !resp) /* gin's XML of nil: no body */
        return with_body(r, GW_ENC_XML_NIL_CT, NULL, 0);
    cmn_buf_init(&b, ENC_RENDER_CAP);
    if (fmt == GW_ENC_FMT_XML)
        rc = gw_enc_xml_render(resp->data, &b, &err);
    else
        rc = gw_enc_yaml_render(resp ? resp->data : NULL, &b, &err);
    if (rc == GW_ENC_RENDER) {
        cmn_buf_free(&b);
        return with_body(r, GW_ENC_XML_CT, NULL, 0);
    }
    if (rc != GW_ENC_OK) {
        cmn_buf_free(&b);
        cmn_http_response_destroy(r);
        return NULL;
    }
    body = cmn_buf_take(&b, &len);
    if (!body) /* nothing appended: an empty body */
        body = strdup(""), len = 0;
    if (!body) {
        cmn_http_response_destroy(r);
        return NULL;
    }
    return with_body(r, fmt == GW_ENC_FMT_XML ? GW_ENC_XML_CT : GW_ENC_YAML_CT, body, len);
}

static bool is_dropped_backend_header(const char *n)
{
    static const char *const drop[] = {"Content-Length", "Transfer-Encoding", "Connection",
                                       "Keep-Alive", "Content-Encoding"};

    for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
        if (cmn_str_eq_nocase(n, drop[i]))
            return true;
    }
    return false;
}

static struct cmn_http_response *render_error(const struct gw_render_opts *o,
                                              const struct gw_pipe_err *err,
                                              struct cmn_http_response *r)
{
    const struct gw_perr *e = &err->errs[0];
    bool status_err = !err->merged && err->n == 1 && e->kind == GW_PERR_STATUS;
    struct cmn_buf msg;
    size_t len;
    char *body;

    r->status = status_err ? e->status : 500;
    if (!o->return_error_msg)
        return r;
    cmn_buf_init(&msg, 1024 * 1024);
    for (size_t i = 0; i < (err->merged ? err->n : 1); i++) {
        if (i)
            cmn_buf_append(&msg, "\n", 1);
        cmn_buf_append_str(&msg, err->errs[i].msg ? err->errs[i].msg : "");
    }
    body = cmn_buf_take(&msg, &len);
    if (!body)
        return r;
    if (status_err && e->enc && e->enc[0])
        return with_body(r, e->enc, body, len);
    return with_body(r, len ? sniff(body, len) : NULL, body, len);
}

static struct cmn_http_response *render_noop(const struct gw_presp *resp,
                                             struct cmn_http_response *r)
{
    bool has_ct = false;
    char *body = NULL;

    if (!resp) {
        r->status = 500;
        return r;
    }
    r->status = resp->status ? resp->status : 200;
    for (size_t i = 0; i < resp->headers.n; i++) {
        const struct gw_hdr *h = &resp->headers.v[i];
        if (is_dropped_backend_header(h->name))
            continue;
        has_ct = has_ct || cmn_str_eq_nocase(h->name, "Content-Type");
        if (!cmn_http_response_add_header(r, h->name, h->value))
            goto fail;
    }
    if (resp->body_len) {
        body = cmn_strndup(resp->body, resp->body_len);
        if (!body)
            goto fail;
    }
    return with_body(r, has_ct || !resp->body_len ? NULL : sniff(resp->body, resp->body_len), body,
                     resp->body_len);
fail:
    cmn_http_response_destroy(r);
    return NULL;
}

/* "public, max-age=N" for a positive cache_ttl_s, in cc (64 bytes), without printf. */
static const char *cache_control(const struct gw_endpoint *ep, char *cc)
{
    static const char prefix[] = "public, max-age=";
    char digits[24], *d = digits + sizeof(digits);
    unsigned long long v = (unsigned long long)ep->cache_ttl_s;

    do
        *--d = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    memcpy(cc, prefix, sizeof(prefix) - 1);
    memcpy(cc + sizeof(prefix) - 1, d, (size_t)(digits + sizeof(digits) - d));
    cc[sizeof(prefix) - 1 + (size_t)(digits + sizeof(digits) - d)] = '\0';
    return cc;
}

struct cmn_http_response *gw_render_endpoint(const struct gw_endpoint *ep,
                                             const struct gw_render_opts *o,
                                             const struct gw_presp *resp,
                                             const struct gw_pipe_err *err, const char *accept)
{
    struct cmn_http_response *r = cmn_http_response_new(200);
    bool complete = false;
    char cc[64];
    char *body = NULL;
    size_t len = 0;

    if (!r || !cmn_http_response_add_line(r, gw_render_version_line(o)))
        goto fail;
    if (resp && resp->data && resp->data->n_members > 0) {
        if (resp->complete) {
            complete = true;
            if (ep->cache_ttl_s > 0) {
                if (!cmn_http_response_add_header(r, "Cache-Control", cache_control(ep, cc)))
                    goto fail;
            }
        }
        if (ep->output_encoding != GW_OUT_NOOP) {
            for (size_t i = 0; i < resp->headers.n; i++) {
                if (!cmn_http_response_add_header(r, resp->headers.v[i].name,
                                                  resp->headers.v[i].value))
                    goto fail;
            }
        }
    }
    if (!cmn_http_response_add_line(r, &COMPLETED[complete]))
        goto fail;
    if (err && err->n > 0 && !resp)
        return render_error(o, err, r);
    switch (ep->output_encoding) {
    case GW_OUT_XML:
        return render_markup(r, GW_ENC_FMT_XML, resp);
    case GW_OUT_YAML:
        return render_markup(r, GW_ENC_FMT_YAML, resp);
    case GW_OUT_NEGOTIATE: {
        enum gw_enc_format fmt = gw_enc_negotiate(accept, accept ? strlen(accept) : 0);
        if (fmt != GW_ENC_FMT_JSON)
            return render_markup(r, fmt, resp);
        break;
    }
    case GW_OUT_NOOP:
        return render_noop(resp, r);
    case GW_OUT_STRING: {
        const struct gw_json *c = resp ? gw_json_object_get(resp->data, "content") : NULL;
        if (c && c->type == GW_JSON_STRING) {
            body = cmn_strndup(c->str, c->len);
            len = c->len;
            if (!body)
                goto fail;
        }
        return with_body(r, TEXT_CT, body, len);
    }
    case GW_OUT_JSON_COLLECTION: {
        const struct gw_json *c = resp ? gw_json_object_get(resp->data, "collection") : NULL;
        if (c && c->type == GW_JSON_ARRAY)
            body = render_json(c, &len);
        else
            body = strdup("[]"), len = 2;
        if (!body)
            goto fail;
        return with_body(r, JSON_CT, body, len);
    }
    default:
        break;
    }
    if (!resp) {
        body = strdup("{}");
        len = 2;
    } else {
        body = render_json(resp->data, &len); /* NULL data renders "null" */
    }
    if (!body)
        goto fail;
    return with_body(r, JSON_CT, body, len);
fail:
    cmn_http_response_destroy(r);
    return NULL;
}

static struct cmn_http_response *router_error(const struct gw_render_opts *o, unsigned status,
                                              const char *text, const struct gw_json *custom,
                                              const char *allow)
{
    struct cmn_http_response *r = cmn_http_response_new(status);
    char *body;
    size_t len;

    if (!r)
        return NULL;
    if ((allow && !cmn_http_response_add_header(r, "Allow", allow)) ||
        !cmn_http_response_add_line(r, gw_render_version_line(o)) ||
        !cmn_http_response_add_line(r, &COMPLETED[false]))
        goto fail;
    if (custom) {
        body = render_json(custom, &len);
        if (!body)
            goto fail;
        return with_body(r, JSON_CT, body, len);
    }
    body = strdup(text);
    if (!body)
        goto fail;
    return with_body(r, "text/plain", body, strlen(text));
fail:
    cmn_http_response_destroy(r);
    return NULL;
}

struct cmn_http_response *gw_render_not_found(const struct gw_render_opts *o)
{
    return router_error(o, 404, "404 page not found", o ? o->error_body_404 : NULL, NULL);
}

struct cmn_http_response *gw_render_not_allowed(const struct gw_render_opts *o, const char *allow)
{
    return router_error(o, 405, "405 method not allowed", o ? o->error_body_405 : NULL, allow);
}

/* net/http's hexEscapeNonASCII: each byte >= 0x80 as %xx (lower-case hex). */
static char *hex_escape_non_ascii(const char *s)
{
    struct cmn_buf b;

    cmn_buf_init(&b, 3 * strlen(s) + 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80)
            cmn_buf_append(&b, p, 1);
        else
            cmn_buf_printf(&b, "%%%x", *p);
    }
    return cmn_buf_take(&b, NULL);
}

struct cmn_http_response *gw_render_redirect(const char *method, unsigned status,
                                             const char *location)
{
    struct cmn_http_response *r = cmn_http_response_new(status);
    char *loc = hex_escape_non_ascii(location);
    struct cmn_buf b;
    size_t len;
    char *body;
    bool ok = r && loc && cmn_http_response_add_header(r, "Location", loc);

    free(loc);
    if (!ok)
        goto fail;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return r;
    if (!cmn_http_response_add_header(r, "Content-Type", "text/html; charset=utf-8"))
        goto fail;
    if (strcmp(method, "HEAD") == 0)
        return r;
    cmn_buf_init(&b, 64 * 1024);
    cmn_buf_append_str(&b, "<a href=\"");
    cmn_buf_append_html(&b, location, strlen(location));
    cmn_buf_printf(&b, "\">%s</a>.\n\n", cmn_http_reason(status));
    body = cmn_buf_take(&b, &len);
    if (!body)
        goto fail;
    cmn_http_response_take_body(r, body, len);
    return r;
fail:
    cmn_http_response_destroy(r);
    return NULL;
}

struct cmn_http_response *gw_render_bad_param(const char *msg)
{
    return cmn_http_response_text(400, TEXT_CT, msg, strlen(msg));
}

void gw_render_go_now(int64_t unix_ns, int64_t mono_ns, char *out, size_t out_size)
{
    time_t secs = (time_t)(unix_ns / 1000000000);
    long ns = (long)(unix_ns % 1000000000);
    struct tm tm;
    char date[32], frac[16] = "", zone[48];
    long off;

    localtime_r(&secs, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
    if (ns) {
        snprintf(frac, sizeof(frac), ".%09ld", ns);
        size_t l = strlen(frac);
        while (l > 1 && frac[l - 1] == '0')
            frac[--l] = '\0';
    }
    off = tm.tm_gmtoff;
    snprintf(zone, sizeof(zone), "%c%02ld%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
             (labs(off) % 3600) / 60);
    snprintf(out, out_size, "%s%s %s %s m=+%lld.%09lld", date, frac, zone,
             tm.tm_zone ? tm.tm_zone : "UTC", (long long)(mono_ns / 1000000000),
             (long long)(mono_ns % 1000000000));
}

struct cmn_http_response *gw_render_health(const char *now_text)
{
    struct gw_json *o = gw_json_object();
    struct cmn_http_response *r;
    char *body;
    size_t len;

    if (!o || !gw_json_object_set(o, "agents", gw_json_object()) ||
        !gw_json_object_set(o, "now", gw_json_string(now_text, strlen(now_text))) ||
        !gw_json_object_set(o, "status", gw_json_string("ok", 2))) {
        gw_json_destroy(o);
        return NULL;
    }
    body = render_json(o, &len);
    gw_json_destroy(o);
    if (!body)
        return NULL;
    r = cmn_http_response_new(200);
    return with_body(r, JSON_CT, body, len);
}

struct cmn_http_response *gw_render_debug(void)
{
    static const char pong[] = "{\"message\":\"pong\"}";

    return cmn_http_response_text(200, JSON_CT, pong, sizeof(pong) - 1);
}

/* Parses an encoded, sorted query ("a=1&a=2&b=3") into {k:[v...]}. */
static struct gw_json *query_map(const char *enc)
{
    struct gw_json *m = gw_json_object();
    const char *p = enc;

    while (m && *p) {
        const char *amp = strchr(p, '&');
        size_t l = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', l);
        size_t kl = eq ? (size_t)(eq - p) : l;
        char *k = malloc(kl + 1), *v = malloc(l + 1);
        if (k && v && cmn_go_unescape(p, kl, true, k, NULL) &&
            cmn_go_unescape(eq ? eq + 1 : "", eq ? l - kl - 1 : 0, true, v, NULL)) {
            struct gw_json *arr = gw_json_object_get(m, k);
            if (!arr) {
                arr = gw_json_array();
                if (!gw_json_object_set(m, k, arr))
                    arr = NULL;
            }
            if (arr)
                gw_json_array_append(arr, gw_json_string(v, strlen(v)));
        }
        free(k);
        free(v);
        if (!amp)
            break;
        p = amp + 1;
    }
    return m;
}

struct cmn_http_response *gw_render_echo(const struct cmn_http_request *req,
                                         const struct gw_inreq *in)
{
    static char star[] = "*";
    static char *all_items[] = {star};
    const struct gw_strlist all = {all_items, 1, true};
    struct gw_json *o = gw_json_struct(), *d = gw_json_object(), *h = gw_json_object();
    struct cmn_buf q;
    struct cmn_http_response *r = NULL;
    char *body;
    size_t len;

    cmn_buf_init(&q, 1024 * 1024);
    gw_query_encode(in->raw_query ? in->raw_query : "", &all, NULL, &q);
    if (!o || !d || !h)
        goto out;
    gw_json_object_set(d, "fragment", gw_json_string("", 0));
    gw_json_object_set(d, "host",
                       gw_json_string(in->host ? in->host : "", in->host ? strlen(in->host) : 0));
    gw_json_object_set(d, "path", gw_json_string(in->path, strlen(in->path)));
    gw_json_object_set(d, "query", gw_json_string(cmn_buf_str(&q), q.len));
    gw_json_object_set(d, "scheme", gw_json_string("", 0));
    gw_json_object_set(d, "user", gw_json_string("", 0));
    for (size_t i = 0; i < in->headers.n; i++) {
        struct gw_json *arr = gw_json_object_get(h, in->headers.v[i].name);
        if (!arr) {
            arr = gw_json_array();
            if (!gw_json_object_set(h, in->headers.v[i].name, arr))
                continue;
        }
        gw_json_array_append(
            arr, gw_json_string(in->headers.v[i].value, strlen(in->headers.v[i].value)));
    }
    gw_json_object_set(o, "req_uri", gw_json_string(req->target, strlen(req->target)));
    gw_json_object_set(o, "req_uri_details", d);
    d = NULL;
    gw_json_object_set(o, "req_method", gw_json_string(in->method, strlen(in->method)));
    gw_json_object_set(o, "req_querystring", query_map(cmn_buf_str(&q)));
    gw_json_object_set(o, "req_body", gw_json_string(in->body ? in->body : "", in->body_len));
    gw_json_object_set(o, "req_headers", h);
    h = NULL;
    body = render_json(o, &len);
    if (body)
        r = with_body(cmn_http_response_new(200), JSON_CT, body, len);
out:
    cmn_buf_free(&q);
    gw_json_destroy(o);
    gw_json_destroy(d);
    gw_json_destroy(h);
    return r;
}
