/* mb_ce.c - KrakenD CE integration backend routes with Go's exact bytes. */
#include "mb_ce.h"

#include "cmn_buf.h"
#include "mb_gohttp.h"
#include "mb_gojson.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUERY_PAIRS 10000 /* Go 1.24's urlmaxqueryparams default */
#define MAX_HEADER_PAIRS 1024
#define MAX_OUT (16u * 1024 * 1024)

/* The JWKS /jwk/symmetric serves (CE's symmetricJWKEndpoint literal, no trailing newline). */
static const char MB_CE_JWK_SYMMETRIC[] =
    "{\n"
    "  \"keys\": [\n"
    "    {\n"
    "      \"kty\": \"oct\",\n"
    "      \"alg\": \"A128KW\",\n"
    "      \"k\": \"GawgguFyGrWKav7AX4VKUg\",\n"
    "      \"kid\": \"sim1\"\n"
    "    },\n"
    "    {\n"
    "      \"kty\": \"oct\",\n"
    "      \"k\": "
    "\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9"
    "CAow\",\n"
    "      \"kid\": \"sim2\",\n"
    "      \"alg\": \"HS256\"\n"
    "    }\n"
    "  ]\n"
    "}";

static const char XML_BODY[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<user type=\"admin\">\n"
                               "  <name>Elliot</name>\n"
                               "  <social>\n"
                               "    <facebook>https://facebook.com</facebook>\n"
                               "    <twitter>https://twitter.com</twitter>\n"
                               "    <youtube>https://youtube.com</youtube>\n"
                               "  </social>\n"
                               "</user>";

/* showrss.info's two feeds as CE's `rss` case reads them (its fixture asks the real site; the
 * e2e test points that host here): /user/schedule/<id>.rss and /user/<id>.rss. */
static const char FEED_HEAD[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                "<rss version=\"2.0\" xmlns:tv=\"http://showrss.info\">"
                                "<channel><title>showRSS ";
static const char FEED_TAIL[] = " feed</title><link>http://showrss.info</link><ttl>30</ttl>"
                                "<description>mock-backend</description><item><title>S01E01"
                                "</title><pubDate>Mon, 02 Jan 2006 15:04:05 +0000</pubDate>"
                                "<tv:show_id>1482</tv:show_id></item></channel></rss>\n";

enum route_kind { R_ECHO, R_XML, R_COLLECTION, R_DELAYED, R_REDIRECT, R_JWK, R_FEED };

struct route {
    const char *pattern;
    bool subtree; /* pattern ends in '/': matches every path below it */
    bool check_xff;
    enum route_kind kind;
};

static const struct route ROUTES[] = {
    {"/param_forwarding/", true, true, R_ECHO}, {"/xml", false, true, R_XML},
    {"/collection/", true, true, R_COLLECTION}, {"/delayed/", true, true, R_DELAYED},
    {"/redirect/", true, true, R_REDIRECT},     {"/jwk/symmetric", false, false, R_JWK},
    {"/user/", true, false, R_FEED},
};

/* Go's http.Error: Content-Type text/plain; charset=utf-8, X-Content-Type-Options: nosniff,
 * body msg + "\n". Owned, NULL on allocation failure. */
static struct cmn_http_response *go_error(unsigned status, const char *msg)
{
    struct cmn_http_response *r = cmn_http_response_new(status);
    size_t n = strlen(msg);
    char *body = malloc(n + 2);

    if (!r || !body)
        goto fail;
    memcpy(body, msg, n);
    body[n] = '\n';
    body[n + 1] = '\0';
    cmn_http_response_take_body(r, body, n + 1);
    body = NULL;
    if (!cmn_http_response_add_header(r, "Content-Type", "text/plain; charset=utf-8") ||
        !cmn_http_response_add_header(r, "X-Content-Type-Options", "nosniff"))
        goto fail;
    return r;
fail:
    free(body);
    cmn_http_response_destroy(r);
    return NULL;
}

static const struct route *match(const char *path)
{
    for (size_t i = 0; i < sizeof(ROUTES) / sizeof(ROUTES[0]); i++) {
        const struct route *rt = &ROUTES[i];
        if (rt->subtree ? strncmp(path, rt->pattern, strlen(rt->pattern)) == 0
                        : strcmp(path, rt->pattern) == 0)
            return rt;
    }
    return NULL;
}

/* The mux's trailing-slash redirect applies when path + "/" is exactly a subtree pattern. */
static bool wants_slash(const char *path)
{
    size_t n = strlen(path);

    for (size_t i = 0; i < sizeof(ROUTES) / sizeof(ROUTES[0]); i++) {
        const char *p = ROUTES[i].pattern;
        if (ROUTES[i].subtree && strlen(p) == n + 1 && strncmp(p, path, n) == 0)
            return true;
    }
    return false;
}

/* http.Redirect(w, r, url, code) for a url that is already an absolute, clean path. */
static struct cmn_http_response *go_redirect(const struct cmn_http_request *req, const char *url,
                                             long long code)
{
    bool get = strcmp(req->method, "GET") == 0;
    bool head = strcmp(req->method, "HEAD") == 0;
    struct cmn_http_response *r = NULL;
    struct cmn_buf loc, body;
    unsigned status = (unsigned)code;

    cmn_buf_init(&loc, MAX_OUT);
    cmn_buf_init(&body, MAX_OUT);
    if (code < 100 || code > 999 || code == 101) {
        /* WriteHeader panics (or switches protocols): Go drops the connection. */
        r = cmn_http_response_new(500);
        if (r)
            r->abort = true;
        goto out;
    }
    if (code < 200)
        status = 200; /* a 1xx is sent as an informational head, then the body means 200 */
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (*p >= 0x80)
            cmn_buf_printf(&loc, "%%%x", *p);
        else
            cmn_buf_append(&loc, p, 1);
    }
    if (get) {
        cmn_buf_append_str(&body, "<a href=\"");
        cmn_buf_append_html(&body, url, strlen(url));
        cmn_buf_printf(&body, "\">%s</a>.\n\n", mb_go_status_text((int)code));
    }
    r = cmn_http_response_new(status);
    if (!r || !loc.data || !cmn_http_response_add_header(r, "Location", cmn_buf_str(&loc)))
        goto fail;
    if ((get || head) && status != 304 &&
        !cmn_http_response_add_header(r, "Content-Type", "text/html; charset=utf-8"))
        goto fail;
    if (get && status != 204 && status != 304 &&
        !cmn_http_response_set_body(r, cmn_buf_str(&body), body.len))
        goto fail;
    goto out;
fail:
    cmn_http_response_destroy(r);
    r = NULL;
out:
    cmn_buf_free(&loc);
    cmn_buf_free(&body);
    return r;
}

/* The mux's 301 to a cleaned path or to the path with its trailing slash. */
static struct cmn_http_response *mux_redirect(const struct cmn_http_request *req,
                                              const char *clean_path)
{
    char *esc = mb_go_escape_path(clean_path);
    struct cmn_buf url;
    struct cmn_http_response *r = NULL;

    cmn_buf_init(&url, MAX_OUT);
    if (!esc)
        goto out;
    cmn_buf_append_str(&url, esc);
    if (req->query[0])
        cmn_buf_printf(&url, "?%s", req->query);
    if (url.data)
        r = go_redirect(req, cmn_buf_str(&url), 301);
out:
    free(esc);
    cmn_buf_free(&url);
    return r;
}

static struct cmn_http_response *json_response(struct cmn_buf *b, bool cookies)
{
    struct cmn_http_response *r = cmn_http_response_new(200);
    size_t len;
    char *body;

    if (!r)
        return NULL;
    body = cmn_buf_take(b, &len);
    if (!body)
        goto fail;
    cmn_http_response_take_body(r, body, len);
    if (!cmn_http_response_add_header(r, "Content-Type", "application/json"))
        goto fail;
    if (cookies && (!cmn_http_response_add_header(r, "Set-Cookie", "test1=test1") ||
                    !cmn_http_response_add_header(r, "Set-Cookie", "test2=test2")))
        goto fail;
    return r;
fail:
    cmn_http_response_destroy(r);
    return NULL;
}

/* payloads.DefaultEchoEndpoint: {"body"?, "foo":42, "headers", "path", "query"} + "\n". */
static struct cmn_http_response *echo(const struct cmn_http_request *req, const char *path)
{
    struct mb_mmap hdr, q;
    struct cmn_buf b;
    struct mb_jw w;
    struct cmn_http_response *r = NULL;
    const struct mb_mvals *dump;

    mb_mmap_init(&hdr, MAX_HEADER_PAIRS);
    mb_mmap_init(&q, MAX_QUERY_PAIRS);
    cmn_buf_init(&b, MAX_OUT);
    if (!mb_go_header_map(req, &hdr) || !mb_go_parse_query(req->query, &q, true))
        goto out;
    mb_mmap_del(&hdr, "X-Forwarded-For");
    mb_mmap_sort(&hdr);
    mb_mmap_sort(&q);
    mb_jw_init(&w, &b, true);
    mb_jw_raw(&w, "{");
    dump = mb_mmap_get(&q, "dump_body");
    if (dump && dump->n && strcmp(dump->vals[0], "1") == 0) {
        mb_jw_raw(&w, "\"body\":");
        mb_jw_str(&w, req->body ? req->body : "", req->body_len);
        mb_jw_raw(&w, ",");
    }
    mb_jw_raw(&w, "\"foo\":42,\"headers\":");
    mb_jw_mmap(&w, &hdr);
    mb_jw_raw(&w, ",\"path\":");
    mb_jw_cstr(&w, path);
    mb_jw_raw(&w, ",\"query\":");
    mb_jw_mmap(&w, &q);
    mb_jw_raw(&w, "}\n");
    if (!w.failed)
        r = json_response(&b, true);
out:
    mb_mmap_free(&hdr);
    mb_mmap_free(&q);
    cmn_buf_free(&b);
    return r;
}

static struct cmn_http_response *feed(const char *path)
{
    size_t n = strlen(path);
    const char *kind = strncmp(path, "/user/schedule/", 15) == 0 ? "schedule" : "personal";
    char body[sizeof(FEED_HEAD) + sizeof(FEED_TAIL) + 16];
    int len;

    if (n < 5 || strcmp(path + n - 4, ".rss") != 0)
        return go_error(404, "404 page not found");
    len = snprintf(body, sizeof(body), "%s%s%s", FEED_HEAD, kind, FEED_TAIL);
    return cmn_http_response_text(200, "application/rss+xml; charset=UTF-8", body, (size_t)len);
}

static struct cmn_http_response *collection(const char *path)
{
    struct cmn_buf b;
    struct mb_jw w;
    struct cmn_http_response *r = NULL;

    cmn_buf_init(&b, MAX_OUT);
    mb_jw_init(&w, &b, true);
    mb_jw_raw(&w, "[");
    for (int i = 0; i < 10; i++) {
        mb_jw_raw(&w, i ? ",{\"i\":" : "{\"i\":");
        mb_jw_int(&w, i);
        mb_jw_raw(&w, ",\"path\":");
        mb_jw_cstr(&w, path);
        mb_jw_raw(&w, "}");
    }
    mb_jw_raw(&w, "]\n");
    if (!w.failed)
        r = json_response(&b, false);
    cmn_buf_free(&b);
    return r;
}

/* behaviors.RedirectEndpoint: 301 (or ?status=N) to /param_forwarding/ keeping the query. */
static struct cmn_http_response *redirect(const struct cmn_http_request *req)
{
    struct mb_mmap q;
    const struct mb_mvals *st;
    struct cmn_buf url, msg;
    struct cmn_http_response *r = NULL;
    long long code = 301;

    mb_mmap_init(&q, MAX_QUERY_PAIRS);
    cmn_buf_init(&url, MAX_OUT);
    cmn_buf_init(&msg, 4096);
    if (!mb_go_parse_query(req->query, &q, true))
        goto out;
    st = mb_mmap_get(&q, "status");
    if (!st) {
        /* status[0] on a nil slice panics: the connection is dropped. */
        r = cmn_http_response_new(500);
        if (r)
            r->abort = true;
        goto out;
    }
    if (strcmp(st->vals[0], "301") != 0 && !mb_go_atoi(st->vals[0], &code, &msg)) {
        r = go_error(400, msg.data ? cmn_buf_str(&msg) : "invalid syntax");
        goto out;
    }
    cmn_buf_append_str(&url, "/param_forwarding/");
    if (req->has_query)
        cmn_buf_printf(&url, "?%s", req->query);
    if (url.data)
        r = go_redirect(req, cmn_buf_str(&url), code);
out:
    mb_mmap_free(&q);
    cmn_buf_free(&url);
    cmn_buf_free(&msg);
    return r;
}

static struct cmn_http_response *serve(const struct cmn_http_request *req, const char *path,
                                       const struct route *rt, unsigned delayed_ms,
                                       unsigned *delay_ms)
{
    if (rt->check_xff && !mb_go_ip_is_loopback(cmn_http_request_header(req, "X-Forwarded-For")))
        return go_error(400, "invalid X-Forwarded-For");
    switch (rt->kind) {
    case R_ECHO:
        return echo(req, path);
    case R_DELAYED:
        *delay_ms = delayed_ms;
        return echo(req, path);
    case R_XML:
        return cmn_http_response_text(200, "application/xml; charset=utf-8", XML_BODY,
                                      sizeof(XML_BODY) - 1);
    case R_COLLECTION:
        return collection(path);
    case R_FEED:
        return feed(path);
    case R_REDIRECT:
        return redirect(req);
    case R_JWK:
        return cmn_http_response_text(200, "application/json", MB_CE_JWK_SYMMETRIC,
                                      sizeof(MB_CE_JWK_SYMMETRIC) - 1);
    }
    return NULL;
}

struct cmn_http_response *mb_ce_handle(const struct cmn_http_request *req, unsigned delayed_ms,
                                       unsigned *delay_ms)
{
    char *path = NULL, *clean = NULL;
    struct cmn_http_response *r = NULL;
    const struct route *rt;

    *delay_ms = 0;
    if (req->path[0] != '/' || !mb_go_path_unescape(req->path, &path)) {
        /* Go's server refuses an unparsable request-target before any handler runs. */
        r = cmn_http_response_text(400, "text/plain; charset=utf-8", "400 Bad Request", 15);
        if (r && !cmn_http_response_add_header(r, "Connection", "close")) {
            cmn_http_response_destroy(r);
            r = NULL;
        }
        goto out;
    }
    clean = mb_go_clean_path(path);
    if (!clean)
        goto out;
    rt = match(clean);
    if (!rt && clean[strlen(clean) - 1] != '/' && wants_slash(clean)) {
        size_t n = strlen(clean);
        char *slashed = realloc(clean, n + 2);
        if (!slashed)
            goto out;
        clean = slashed;
        memcpy(clean + n, "/", 2);
        r = mux_redirect(req, clean);
    } else if (strcmp(clean, path) != 0) {
        r = mux_redirect(req, clean);
    } else if (!rt) {
        r = go_error(404, "404 page not found");
    } else {
        r = serve(req, path, rt, delayed_ms, delay_ms);
    }
out:
    free(path);
    free(clean);
    return r;
}
