/* gw_fetch_easy.c - a hop on libcurl: the easy handle configured as Go's transport would send
 * the request, and the callbacks that read the answer under the same field rule as gw_h1. */
#include "gw_fetch_int.h"

#include "cmn_clock.h"
#include "cmn_go_header.h"
#include "cmn_h1.h"
#include "cmn_http_field.h"
#include "cmn_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gw_fetch_head_done(struct gw_fetch *f)
{
    f->got_head = true;
    if (f->hdr_due_ms >= 0) {
        f->hdr_due_ms = -1;
        f->fr->hdr_timers--;
    }
}

/* libcurl reports progress on every step of a transfer: once the request head and all of the
 * body are out, Go's ResponseHeaderTimeout starts (gw_fetch expires it from the loop). */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct gw_fetch *f = ud;
    long sent = 0;

    (void)dltotal;
    (void)dlnow;
    if (f->got_head || f->hdr_due_ms >= 0 || ulnow < ultotal)
        return 0;
    if (curl_easy_getinfo(f->easy, CURLINFO_REQUEST_SIZE, &sent) != CURLE_OK || sent <= 0)
        return 0;
    f->hdr_due_ms = cmn_clock_mono_ms() + f->fr->o.response_header_timeout_ms;
    f->fr->hdr_timers++;
    return 0;
}

static size_t on_write(char *p, size_t sz, size_t n, void *ud)
{
    struct gw_fetch *f = ud;

    if (cmn_buf_append(&f->resp, p, sz * n) != CMN_BUF_OK) {
        f->too_big = true;
        return 0;
    }
    return sz * n;
}

/* The response head as libcurl hands it over, line by line: each field passes the rule the
 * own client's parser (cmn_h1) applies, and more than five interim answers end the transfer, as
 * in Go's transport. libcurl does not unfold obsolete line folding: such a line is refused. */
static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct gw_fetch *f = ud;
    size_t len = sz * n, nl, vs;
    char name[256], canon[256];
    const char *colon;

    if (len >= 12 && memcmp(p, "HTTP/", 5) == 0) { /* a new response (1xx, redirect hop) */
        f->in_interim = p[9] == '1' && !(p[10] == '0' && p[11] == '1');
        if (f->in_interim && ++f->interim > CMN_H1_MAX_INTERIM) {
            f->refused = "net/http: too many 1xx informational responses";
            return 0;
        }
        gw_hdrs_free(&f->resp_headers);
        gw_hdrs_init(&f->resp_headers, GW_MAX_HEADERS);
        return len;
    }
    while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
        len--;
    if (len == 0) { /* the end of the head (or of the trailers) */
        if (!f->in_interim)
            gw_fetch_head_done(f);
        return sz * n;
    }
    colon = memchr(p, ':', len);
    if (!colon || !cmn_http_field_name_ok(p, (size_t)(colon - p))) {
        f->refused = "malformed MIME header line";
        return 0;
    }
    nl = (size_t)(colon - p);
    for (vs = nl + 1; vs < len && (p[vs] == ' ' || p[vs] == '\t'); vs++)
        ;
    while (len > vs && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    if (!cmn_http_field_value_ok(p + vs, len - vs)) {
        f->refused = "malformed MIME header line";
        return 0;
    }
    if (nl >= sizeof(name))
        return sz * n; /* checked, not kept */
    memcpy(name, p, nl);
    name[nl] = '\0';
    cmn_go_canonical_header(name, canon, sizeof(canon));
    gw_hdrs_add_n(&f->resp_headers, canon, nl, p + vs, len - vs); /* beyond the cap: dropped */
    return sz * n;
}

static bool add_header(struct curl_slist **sl, const char *line)
{
    struct curl_slist *n = curl_slist_append(*sl, line);

    if (!n)
        return false;
    *sl = n;
    return true;
}

bool gw_fetch_method_is(const char *m, const char *x)
{
    return strcmp(m, x) == 0;
}

bool gw_fetch_posting(const struct gw_fetch *f)
{
    return f->body_len > 0 || gw_fetch_method_is(f->method, "POST") ||
           gw_fetch_method_is(f->method, "PUT") || gw_fetch_method_is(f->method, "PATCH");
}

/* Configures the easy handle for the current hop. */
bool gw_fetch_easy_setup(struct gw_fetch *f)
{
    struct gw_fetcher *fr = f->fr;
    CURL *e = f->easy;
    int64_t left = f->deadline_ms - cmn_clock_mono_ms();
    /* Go: the dialer's timeout, then 10 s for the TLS handshake; libcurl counts both at once */
    long tls_ms = cmn_str_has_prefix(f->url, "https:") ? 10000 : 0;
    long connect_ms = fr->o.connect_timeout_ms ? fr->o.connect_timeout_ms + tls_ms : 0;
    bool posting = gw_fetch_posting(f);
    char line[16384];

    if (left < 1)
        left = 1;
    if (!connect_ms || connect_ms > left)
        connect_ms = (long)left;
    curl_slist_free_all(f->slist);
    f->slist = NULL;
    f->errbuf[0] = '\0';
    for (size_t i = 0; i < f->headers.n; i++) {
        const char *n = f->headers.v[i].name, *v = f->headers.v[i].value;
        size_t need = strlen(n) + 2 + strlen(v) + 1;
        /* a field as long as the client's head may be (max_header_bytes) is sent whole */
        char *big = need > sizeof(line) ? malloc(need) : NULL;
        if (need > sizeof(line) && !big)
            return false;
        snprintf(big ? big : line, big ? need : sizeof(line), "%s: %s", n, v);
        bool ok = add_header(&f->slist, big ? big : line);
        free(big);
        if (!ok)
            return false;
    }
    if (f->host) {
        snprintf(line, sizeof(line), "Host: %s", f->host);
        if (!add_header(&f->slist, line))
            return false;
    }
    /* Go sends no Accept and no Expect of its own; curl would. A forwarded Expect stays, and
     * libcurl waits for its 100 as Go does (CURLOPT_EXPECT_100_TIMEOUT_MS below). */
    if ((!gw_hdrs_get(&f->headers, "Accept") && !add_header(&f->slist, "Accept:")) ||
        (!gw_hdrs_get(&f->headers, "Expect") && !add_header(&f->slist, "Expect:")))
        return false;
    if (posting && !gw_hdrs_get(&f->headers, "Content-Type") &&
        !add_header(&f->slist, "Content-Type:"))
        return false;
    if (f->body_len > 0 && !f->content_length &&
        !add_header(&f->slist, "Transfer-Encoding: chunked"))
        return false;

    curl_easy_setopt(e, CURLOPT_URL, f->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, f);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* followed here, the way Go does */
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)left);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)fr->o.max_response);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, f);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf);
    gw_fetch_transport_opts(e, &fr->o);
    if (fr->o.response_header_timeout_ms > 0) {
        curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(e, CURLOPT_XFERINFODATA, f);
    }
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, gw_fetch_on_close_socket);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, fr);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->slist);
    if (fr->o.disable_keep_alives)
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    if (!f->accept_gzip)
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* client's header goes out as is */
    else if (!fr->o.disable_compression)
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
    if (f->body_len > 0) {
        /* Without Content-Length the slist asks for chunked: curl then frames the fields as
         * chunks itself, and a small body leaves with the head in one send. */
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)f->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, f->body);
        if (!gw_fetch_method_is(f->method, "POST"))
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, f->method);
    } else if (posting) {
        /* Go sends Content-Length: 0 for an empty POST, PUT or PATCH */
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
        if (!gw_fetch_method_is(f->method, "POST"))
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, f->method);
    } else if (gw_fetch_method_is(f->method, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (gw_fetch_method_is(f->method, "GET")) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, f->method);
    }
    return true;
}
