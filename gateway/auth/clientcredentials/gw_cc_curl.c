/* gw_cc_curl.c - the token endpoint over libcurl, as Go's default client reaches it: POST with a
 * form body, redirects followed (at most 10), system CAs (SSL_CERT_FILE / SSL_CERT_DIR honoured
 * as Go honours them), the proxy from the environment, gzip decoded, at most 1 MiB of the
 * answer read. Connect and total timeouts are ours (Go's default transport has no total one). */
#include "gw_cc_curl.h"

#include "cmn_buf.h"
#include "cmn_go_json.h"
#include "cmn_str.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNECT_MS 10000
#define TOTAL_MS 30000

struct tr {
    CURLM *multi;
    char *ca_file, *ca_dir;
};

struct xfer {
    CURL *easy;
    struct curl_slist *hdrs;
    char *url, *body;
    struct cmn_buf resp;
    char status_line[256], ctype[256], errbuf[CURL_ERROR_SIZE];
    char *error;
    bool done;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct xfer *x = arg;
    size_t len = size * n, room = GW_CC_BODY_MAX - x->resp.len;

    /* io.LimitReader: what is past 1 MiB is read and dropped */
    if (room)
        cmn_buf_append(&x->resp, p, len < room ? len : room);
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct xfer *x = arg;
    size_t len = size * n;

    while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
        len--;
    if (len > 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response (after a redirect or 1xx) */
        const char *sp = memchr(p, ' ', len);
        size_t l = sp ? len - (size_t)(sp + 1 - p) : 0;
        snprintf(x->status_line, sizeof(x->status_line), "%.*s", (int)l, sp ? sp + 1 : "");
        x->ctype[0] = '\0';
    } else if (len > 13 && strncasecmp(p, "Content-Type:", 13) == 0 && !x->ctype[0]) {
        const char *v = p + 13;
        while (v < p + len && (*v == ' ' || *v == '\t'))
            v++;
        snprintf(x->ctype, sizeof(x->ctype), "%.*s", (int)(p + len - v), v);
    }
    return size * n;
}

static void xfer_free(struct xfer *x)
{
    if (!x)
        return;
    if (x->easy)
        curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->hdrs);
    cmn_buf_free(&x->resp);
    free(x->url);
    free(x->body);
    free(x->error);
    free(x);
}

static bool add_hdr(struct xfer *x, const char *h)
{
    struct curl_slist *l = curl_slist_append(x->hdrs, h);

    if (l)
        x->hdrs = l;
    return l != NULL;
}

static void *start(void *ctx, const struct gw_cc_http_req *rq, struct cmn_err *err)
{
    struct tr *t = ctx;
    struct xfer *x = calloc(1, sizeof(*x));
    char auth[8192];
    bool ok;

    if (!x)
        goto nomem;
    cmn_buf_init(&x->resp, GW_CC_BODY_MAX);
    x->url = strdup(rq->url);
    x->body = cmn_strndup(rq->body, rq->body_len);
    if (!x->url || !x->body || !(x->easy = curl_easy_init()))
        goto nomem;
    snprintf(auth, sizeof(auth), "Authorization: %s", rq->authorization ? rq->authorization : "");
    ok = add_hdr(x, "Content-Type: application/x-www-form-urlencoded") && add_hdr(x, "Expect:") &&
         add_hdr(x, "Accept:") && (!rq->authorization || add_hdr(x, auth));
    ok = ok && curl_easy_setopt(x->easy, CURLOPT_URL, x->url) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_MAXREDIRS, 10L) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_MS) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)TOTAL_MS) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len) ==
             CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hdrs) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "Go-http-client/1.1") == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_ACCEPT_ENCODING, "gzip") == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x) == CURLE_OK &&
         curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf) == CURLE_OK &&
         (!t->ca_file || curl_easy_setopt(x->easy, CURLOPT_CAINFO, t->ca_file) == CURLE_OK) &&
         (!t->ca_dir || curl_easy_setopt(x->easy, CURLOPT_CAPATH, t->ca_dir) == CURLE_OK) &&
         curl_multi_add_handle(t->multi, x->easy) == CURLM_OK;
    if (!ok) {
        cmn_err_set(err, 1, "Post %s: cannot start the token request", rq->url);
        xfer_free(x);
        return NULL;
    }
    return x;
nomem:
    xfer_free(x);
    cmn_err_set(err, 1, "out of memory");
    return NULL;
}

/* Go's url.Error text: Post "<url>": <why>. */
static void set_error(struct xfer *x, CURLcode rc)
{
    struct cmn_buf m;

    cmn_buf_init(&m, 4096);
    cmn_buf_append_str(&m, "Post ");
    cmn_go_quote(&m, x->url, strlen(x->url));
    cmn_buf_printf(&m, ": %s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
    x->error = cmn_buf_take(&m, NULL);
    cmn_buf_free(&m);
}

static bool wait_xfer(void *ctx, void *h, int64_t ms, struct gw_cc_http_res *res)
{
    struct tr *t = ctx;
    struct xfer *x = h;
    int running = 0, left;
    CURLMsg *m;

    if (!x->done) {
        curl_multi_perform(t->multi, &running);
        if (running)
            curl_multi_poll(t->multi, NULL, 0, (int)(ms > 0 ? ms : 0), NULL);
        curl_multi_perform(t->multi, &running);
        while ((m = curl_multi_info_read(t->multi, &left))) {
            long status = 0;
            if (m->msg != CURLMSG_DONE || m->easy_handle != x->easy)
                continue;
            x->done = true;
            curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
            memset(res, 0, sizeof(*res));
            if (m->data.result != CURLE_OK) {
                set_error(x, m->data.result);
                res->error = x->error ? x->error : "token request failed";
                return true;
            }
            res->status = status;
            res->status_line = x->status_line;
            res->content_type = x->ctype[0] ? x->ctype : NULL;
            res->body = x->resp.data ? x->resp.data : "";
            res->body_len = x->resp.len;
            return true;
        }
    }
    return false;
}

static void wake(void *ctx)
{
    struct tr *t = ctx;

    curl_multi_wakeup(t->multi);
}

static void finish(void *ctx, void *h)
{
    struct tr *t = ctx;
    struct xfer *x = h;

    if (x && x->easy)
        curl_multi_remove_handle(t->multi, x->easy);
    xfer_free(x);
}

static void destroy(void *ctx)
{
    struct tr *t = ctx;

    if (!t)
        return;
    curl_multi_cleanup(t->multi);
    free(t->ca_file);
    free(t->ca_dir);
    free(t);
}

bool gw_cc_curl_transport(struct gw_cc_transport *out, const char *ca_file, const char *ca_dir,
                          struct cmn_err *err)
{
    struct tr *t = calloc(1, sizeof(*t));

    if (!t || !(t->multi = curl_multi_init()) || (ca_file && !(t->ca_file = strdup(ca_file))) ||
        (ca_dir && !(t->ca_dir = strdup(ca_dir)))) {
        if (t && t->multi)
            curl_multi_cleanup(t->multi);
        if (t) {
            free(t->ca_file);
            free(t);
        }
        cmn_err_set(err, 1, "out of memory");
        return false;
    }
    *out = (struct gw_cc_transport){t, start, wait_xfer, wake, finish, destroy};
    return true;
}
