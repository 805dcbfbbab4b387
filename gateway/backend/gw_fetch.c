/* gw_fetch.c - a worker's backend client: each hop on gw_h1 or libcurl's multi interface, both
 * on the loop's epoll; Go-style redirects, caps and timeouts. */
#include "gw_fetch.h"

#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_go_header.h"
#include "cmn_h1.h"
#include "cmn_http_field.h"
#include "cmn_str.h"
#include "gw_fetch_int.h"
#include "gw_h1.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_REDIRECTS 10
#define EASY_POOL_MAX 1024 /* as many as case-8-like loads keep in flight: no re-creation churn */
#define MAX_FD (1 << 20) /* descriptors above are registered the plain way */
#define DNS_TTL_MS 60000 /* as libcurl's DNS cache */
#define DNS_MAX 256

/* What our epoll holds for a curl socket (fdstate[fd]). A socket curl stops watching stays
 * registered (a keep-alive connection is watched again by the next request): no epoll_ctl
 * per transfer for it. */
enum { FD_REG = 1u << 30, FD_CURL = 1u << 29, FD_EVMASK = FD_CURL - 1 };

struct gw_fetcher {
    struct gw_fetcher_opts o;
    struct gw_loop *loop;
    int epfd;          /* the loop's */
    uint32_t *fdstate; /* per descriptor, see FD_REG */
    size_t n_fdstate;
    CURLM *multi;
    int64_t timer_at; /* curl's next timeout (mono ms), -1 = none */
    struct gw_fetch *active;
    CURL *pool[EASY_POOL_MAX];
    size_t n_pool;
    struct gw_h1 *h1;      /* plain-http backends at a known address */
    unsigned hdr_timers;   /* libcurl hops waiting for their head under response_header_timeout */
    struct dns_entry *dns; /* addresses libcurl resolved, for gw_h1 */
    size_t n_dns;
};

/* host:port -> the address libcurl connected to, so the next requests can skip libcurl. */
struct dns_entry {
    char *key;
    struct sockaddr_storage addr;
    socklen_t len;
    int64_t expires;
    struct dns_entry *next;
};

struct gw_fetch {
    struct gw_fetcher *fr;
    CURL *easy;              /* the hop runs on libcurl... */
    struct gw_h1_xfer *xfer; /* ...or on gw_h1 */
    struct curl_slist *slist;
    char *method;
    char *url;
    char *host; /* Host header to send instead of the URL's, or NULL */
    struct gw_hdrs headers;
    char *body;
    size_t body_len;
    bool content_length, accept_gzip;
    int redirects;
    int64_t deadline_ms;
    struct cmn_buf resp;
    struct gw_hdrs resp_headers;
    bool too_big;
    unsigned interim;    /* 1xx answers libcurl passed over in this hop */
    bool in_interim;     /* the head being read is a 1xx one */
    bool got_head;       /* the final head was read */
    int64_t hdr_due_ms;  /* libcurl: response_header_timeout's deadline, -1 = none */
    const char *refused; /* why the hop's answer was refused (Go's transport error), static */
    char errbuf[CURL_ERROR_SIZE];
    gw_fetch_cb cb;
    void *arg;
    struct gw_fetch *prev, *next;
};

/* ---- curl callbacks ------------------------------------------------------------------------ */

/* response_header_timeout on libcurl: the final head came, or the hop ended. */
static void hdr_timer_stop(struct gw_fetch *f)
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
            hdr_timer_stop(f);
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

static uint32_t *fd_slot(struct gw_fetcher *fr, int fd)
{
    if (fd < 0 || fd >= MAX_FD)
        return NULL;
    if ((size_t)fd >= fr->n_fdstate) {
        size_t n = fr->n_fdstate ? fr->n_fdstate : 1024;
        uint32_t *v;
        while (n <= (size_t)fd)
            n *= 2;
        v = realloc(fr->fdstate, n * sizeof(*v));
        if (!v)
            return NULL;
        memset(v + fr->n_fdstate, 0, (n - fr->n_fdstate) * sizeof(*v));
        fr->fdstate = v;
        fr->n_fdstate = n;
    }
    return &fr->fdstate[fd];
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *ud, void *sockp)
{
    struct gw_fetcher *fr = ud;
    struct epoll_event ev = {0};
    uint32_t *st = fd_slot(fr, s);

    (void)e;
    (void)sockp;
    if (st) {
        uint32_t want = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
        if (what == CURL_POLL_REMOVE) {
            *st &= ~FD_CURL; /* stays registered until an event comes while unwatched */
            return 0;
        }
        ev.events = want;
        ev.data.fd = s;
        if (!(*st & FD_REG)) {
            if (epoll_ctl(fr->epfd, EPOLL_CTL_ADD, s, &ev) != 0 && errno == EEXIST)
                epoll_ctl(fr->epfd, EPOLL_CTL_MOD, s, &ev);
        } else if ((*st & FD_EVMASK) != want) {
            if (epoll_ctl(fr->epfd, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT)
                epoll_ctl(fr->epfd, EPOLL_CTL_ADD, s, &ev);
        }
        *st = FD_REG | FD_CURL | want;
        return 0;
    }
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(fr->epfd, EPOLL_CTL_DEL, s, NULL);
        curl_multi_assign(fr->multi, s, NULL);
        return 0;
    }
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    ev.data.fd = s;
    if (sockp) {
        epoll_ctl(fr->epfd, EPOLL_CTL_MOD, s, &ev);
    } else {
        epoll_ctl(fr->epfd, EPOLL_CTL_ADD, s, &ev);
        curl_multi_assign(fr->multi, s, fr);
    }
    return 0;
}

/* curl closes a socket: the kernel drops it from epoll, and so do we. */
static int on_close_socket(void *ud, curl_socket_t s)
{
    struct gw_fetcher *fr = ud;

    if (s >= 0 && (size_t)s < fr->n_fdstate)
        fr->fdstate[s] = 0;
    return close(s);
}

/* An event on a socket curl no longer watches (an idle keep-alive connection closed by the
 * backend): unregister it; curl finds out when it next tries the connection. */
static bool unwatched(struct gw_fetcher *fr, int fd)
{
    if (fd < 0 || (size_t)fd >= fr->n_fdstate || !(fr->fdstate[fd] & FD_REG) ||
        (fr->fdstate[fd] & FD_CURL))
        return false;
    epoll_ctl(fr->epfd, EPOLL_CTL_DEL, fd, NULL);
    fr->fdstate[fd] = 0;
    return true;
}

static int on_timer(CURLM *m, long timeout_ms, void *ud)
{
    struct gw_fetcher *fr = ud;

    (void)m;
    fr->timer_at = timeout_ms < 0 ? -1 : cmn_clock_mono_ms() + timeout_ms;
    return 0;
}

/* ---- fetches ------------------------------------------------------------------------------- */

static void drop_easy(struct gw_fetch *f)
{
    struct gw_fetcher *fr = f->fr;

    if (!f->easy)
        return;
    hdr_timer_stop(f);
    curl_multi_remove_handle(fr->multi, f->easy);
    if (fr->n_pool < EASY_POOL_MAX) {
        curl_easy_reset(f->easy);
        fr->pool[fr->n_pool++] = f->easy;
    } else {
        curl_easy_cleanup(f->easy);
    }
    f->easy = NULL;
}

static void fetch_free(struct gw_fetch *f)
{
    drop_easy(f);
    gw_h1_cancel(f->xfer);
    curl_slist_free_all(f->slist);
    free(f->method);
    free(f->url);
    free(f->host);
    gw_hdrs_free(&f->headers);
    free(f->body);
    cmn_buf_free(&f->resp);
    gw_hdrs_free(&f->resp_headers);
    free(f);
}

static void unlink_active(struct gw_fetch *f)
{
    struct gw_fetcher *fr = f->fr;

    if (f->prev)
        f->prev->next = f->next;
    else if (fr->active == f)
        fr->active = f->next;
    if (f->next)
        f->next->prev = f->prev;
    f->prev = f->next = NULL;
}

static bool add_header(struct curl_slist **sl, const char *line)
{
    struct curl_slist *n = curl_slist_append(*sl, line);

    if (!n)
        return false;
    *sl = n;
    return true;
}

static bool is_method(const char *m, const char *x)
{
    return strcmp(m, x) == 0;
}

static bool is_posting(const struct gw_fetch *f)
{
    return f->body_len > 0 || is_method(f->method, "POST") || is_method(f->method, "PUT") ||
           is_method(f->method, "PATCH");
}

/* Configures the easy handle for the current hop. */
static bool setup_easy(struct gw_fetch *f)
{
    struct gw_fetcher *fr = f->fr;
    CURL *e = f->easy;
    int64_t left = f->deadline_ms - cmn_clock_mono_ms();
    /* Go: the dialer's timeout, then 10 s for the TLS handshake; libcurl counts both at once */
    long tls_ms = cmn_str_has_prefix(f->url, "https:") ? 10000 : 0;
    long connect_ms = fr->o.connect_timeout_ms ? fr->o.connect_timeout_ms + tls_ms : 0;
    bool posting = is_posting(f);
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
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
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
        if (!is_method(f->method, "POST"))
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, f->method);
    } else if (posting) {
        /* Go sends Content-Length: 0 for an empty POST, PUT or PATCH */
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
        if (!is_method(f->method, "POST"))
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, f->method);
    } else if (is_method(f->method, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (is_method(f->method, "GET")) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, f->method);
    }
    return true;
}

static CURL *get_easy(struct gw_fetcher *fr)
{
    if (fr->n_pool)
        return fr->pool[--fr->n_pool];
    return curl_easy_init();
}

/* ---- the own HTTP/1.1 transport (gw_h1) ------------------------------------------------------ */

/* The parts of an http:// URL gw_h1 needs. */
struct h1_url {
    char host[256]; /* without brackets, lower case */
    unsigned port;
    char authority[272];
    const char *target; /* path and query, NULL when they are only "/" implied */
    size_t target_len;
};

/* false for anything libcurl should take: another scheme, userinfo, odd bytes. */
static bool split_http_url(const char *url, struct h1_url *u)
{
    const char *a, *end, *colon, *host = NULL;
    size_t al, hl = 0;

    if (strncasecmp(url, "http://", 7) != 0)
        return false;
    a = url + 7;
    al = strcspn(a, "/?#");
    if (al == 0 || al >= sizeof(u->authority) || memchr(a, '@', al))
        return false;
    memcpy(u->authority, a, al);
    u->authority[al] = '\0';
    u->port = 80;
    if (a[0] == '[') {
        const char *rb = memchr(a, ']', al);
        if (!rb)
            return false;
        host = a + 1;
        hl = (size_t)(rb - host);
        colon = rb + 1 < a + al ? rb + 1 : NULL;
        if (colon && *colon != ':')
            return false;
    } else {
        colon = memchr(a, ':', al);
        host = a;
        hl = colon ? (size_t)(colon - a) : al;
    }
    if (hl == 0 || hl >= sizeof(u->host))
        return false;
    if (colon && colon + 1 < a + al) {
        unsigned long p = 0;
        for (const char *d = colon + 1; d < a + al; d++) {
            if (*d < '0' || *d > '9' || (p = p * 10 + (unsigned long)(*d - '0')) > 65535)
                return false;
        }
        if (p == 0)
            return false;
        u->port = (unsigned)p;
    }
    for (size_t i = 0; i < hl; i++)
        u->host[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
    u->host[hl] = '\0';
    u->target = a + al;
    end = u->target + strcspn(u->target, "#");
    u->target_len = (size_t)(end - u->target);
    for (const char *p = u->target; p < end; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return false; /* libcurl escapes these its own way */
    }
    return true;
}

static void dns_key(const struct h1_url *u, char *out, size_t n)
{
    snprintf(out, n, "%s:%u", u->host, u->port);
}

/* The address to connect to: a literal, or what libcurl resolved less than a minute ago. */
static bool h1_address(struct gw_fetcher *fr, const struct h1_url *u, struct sockaddr_storage *ss,
                       socklen_t *len)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    char key[300];
    int64_t now;

    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, u->host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)u->port);
        *len = sizeof(*v4);
        return true;
    }
    if (inet_pton(AF_INET6, u->host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)u->port);
        *len = sizeof(*v6);
        return true;
    }
    dns_key(u, key, sizeof(key));
    now = cmn_clock_mono_ms();
    for (struct dns_entry *d = fr->dns; d; d = d->next) {
        if (strcmp(d->key, key) == 0) {
            if (now >= d->expires)
                return false; /* libcurl resolves it again, and the entry is refreshed */
            memcpy(ss, &d->addr, d->len);
            *len = d->len;
            return true;
        }
    }
    return false;
}

/* After libcurl reached a named http:// host: remember where, for gw_h1. */
static void dns_learn(struct gw_fetcher *fr, struct gw_fetch *f)
{
    struct h1_url u;
    struct sockaddr_storage ss;
    struct dns_entry *d;
    char *ip = NULL, key[300];
    long port = 0;

    if (!split_http_url(f->url, &u) ||
        curl_easy_getinfo(f->easy, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK || !ip ||
        curl_easy_getinfo(f->easy, CURLINFO_PRIMARY_PORT, &port) != CURLE_OK ||
        port != (long)u.port)
        return;
    memset(&ss, 0, sizeof(ss));
    if (inet_pton(AF_INET, u.host, &((struct sockaddr_in *)&ss)->sin_addr) == 1 ||
        inet_pton(AF_INET6, u.host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
        return; /* a literal needs no entry */
    dns_key(&u, key, sizeof(key));
    for (d = fr->dns; d && strcmp(d->key, key) != 0; d = d->next)
        ;
    if (!d) {
        if (fr->n_dns >= DNS_MAX || !(d = calloc(1, sizeof(*d))) || !(d->key = strdup(key))) {
            free(d);
            return;
        }
        d->next = fr->dns;
        fr->dns = d;
        fr->n_dns++;
    }
    memset(&d->addr, 0, sizeof(d->addr));
    if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&d->addr)->sin_addr) == 1) {
        ((struct sockaddr_in *)&d->addr)->sin_family = AF_INET;
        ((struct sockaddr_in *)&d->addr)->sin_port = htons((uint16_t)port);
        d->len = sizeof(struct sockaddr_in);
    } else if (inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&d->addr)->sin6_addr) == 1) {
        ((struct sockaddr_in6 *)&d->addr)->sin6_family = AF_INET6;
        ((struct sockaddr_in6 *)&d->addr)->sin6_port = htons((uint16_t)port);
        d->len = sizeof(struct sockaddr_in6);
    } else {
        d->expires = 0;
        return;
    }
    d->expires = cmn_clock_mono_ms() + DNS_TTL_MS;
}

static void hop_end(struct gw_fetch *f, long status, char *error);

/* Go's urlErrorOp: "GET" -> "Get". */
static void op_name(const char *m, char *out, size_t n)
{
    snprintf(out, n, "%s", m);
    for (size_t i = 1; out[i]; i++)
        out[i] = (char)(out[i] >= 'A' && out[i] <= 'Z' ? out[i] + 32 : out[i]);
}

static void h1_done(void *arg, const struct gw_h1_outcome *o)
{
    struct gw_fetch *f = arg;
    struct cmn_buf m;
    char op[16];

    f->xfer = NULL;
    if (o->status > 0) {
        hop_end(f, o->status, NULL);
        return;
    }
    op_name(f->method, op, sizeof(op));
    cmn_buf_init(&m, 4096);
    if (o->timed_out)
        cmn_buf_append_str(&m, "context deadline exceeded");
    else if (o->too_big)
        cmn_buf_printf(&m, "%s \"%s\": response body larger than %zu bytes", op, f->url,
                       f->fr->o.max_response);
    else
        cmn_buf_printf(&m, "%s \"%s\": %s", op, f->url, o->error ? o->error : "EOF");
    hop_end(f, 0, cmn_buf_take(&m, NULL));
}

/* Starts the hop on gw_h1 when it can take it: plain http at a known address, keep-alive on,
 * and the Accept-Encoding ours to choose. */
static bool start_h1(struct gw_fetch *f)
{
    struct gw_fetcher *fr = f->fr;
    struct h1_url u;
    struct sockaddr_storage ss;
    socklen_t len;
    struct gw_h1_req rq = {0};
    char target[16384];

    if (!fr->h1 || fr->o.disable_keep_alives || !f->accept_gzip || !split_http_url(f->url, &u) ||
        !h1_address(fr, &u, &ss, &len) || u.target_len + 2 > sizeof(target))
        return false;
    if (u.target_len == 0 || u.target[0] != '/') {
        target[0] = '/';
        memcpy(target + 1, u.target, u.target_len);
        target[u.target_len + 1] = '\0';
    } else {
        memcpy(target, u.target, u.target_len);
        target[u.target_len] = '\0';
    }
    rq.addr = (const struct sockaddr *)&ss;
    rq.addr_len = len;
    rq.authority = u.authority;
    rq.host = f->host;
    rq.method = f->method;
    rq.target = target;
    rq.headers = &f->headers;
    rq.body = f->body;
    rq.body_len = f->body_len;
    rq.chunked = f->body_len > 0 && !f->content_length;
    rq.empty_length = f->body_len == 0 && is_posting(f);
    rq.accept_gzip = !fr->o.disable_compression;
    rq.deadline_ms = f->deadline_ms;
    rq.connect_deadline_ms =
        fr->o.connect_timeout_ms ? cmn_clock_mono_ms() + fr->o.connect_timeout_ms : f->deadline_ms;
    f->xfer = gw_h1_start(fr->h1, &rq, &f->resp_headers, &f->resp, h1_done, f);
    return f->xfer != NULL;
}

/* ---- fetches ------------------------------------------------------------------------------- */

/* Starts the current hop (f->method, f->url) on gw_h1 or libcurl. */
static bool start_hop(struct gw_fetch *f)
{
    struct gw_fetcher *fr = f->fr;

    cmn_buf_reset(&f->resp);
    gw_hdrs_free(&f->resp_headers);
    gw_hdrs_init(&f->resp_headers, GW_MAX_HEADERS);
    f->too_big = false;
    f->interim = 0;
    f->refused = NULL;
    drop_easy(f);
    f->in_interim = f->got_head = false;
    f->hdr_due_ms = -1;
    if (start_h1(f))
        return true;
    f->easy = get_easy(fr);
    if (!f->easy)
        return false;
    if (!setup_easy(f) || curl_multi_add_handle(fr->multi, f->easy) != CURLM_OK) {
        curl_easy_cleanup(f->easy);
        f->easy = NULL;
        return false;
    }
    return true;
}

struct gw_fetch *gw_fetch_start(struct gw_fetcher *fr, struct gw_outreq *rq, bool take,
                                int64_t deadline_ms, gw_fetch_cb cb, void *arg)
{
    struct gw_fetch *f = calloc(1, sizeof(*f));

    if (!f)
        return NULL;
    f->fr = fr;
    f->cb = cb;
    f->arg = arg;
    f->deadline_ms = deadline_ms;
    f->hdr_due_ms = -1;
    f->content_length = rq->content_length;
    f->accept_gzip = rq->accept_gzip;
    cmn_buf_init(&f->resp, fr->o.max_response);
    gw_hdrs_init(&f->headers, GW_MAX_HEADERS);
    gw_hdrs_init(&f->resp_headers, GW_MAX_HEADERS);
    if (take) {
        f->method = rq->method;
        f->url = rq->url;
        f->headers = rq->headers;
        rq->method = rq->url = NULL;
        gw_hdrs_init(&rq->headers, GW_MAX_HEADERS);
    } else {
        f->method = strdup(rq->method);
        f->url = strdup(rq->url);
        for (size_t i = 0; i < rq->headers.n; i++) {
            if (!gw_hdrs_add(&f->headers, rq->headers.v[i].name, rq->headers.v[i].value))
                goto fail;
        }
    }
    if (rq->body_len) {
        f->body = cmn_strndup(rq->body, rq->body_len);
        f->body_len = rq->body_len;
    }
    if (rq->host && !(f->host = strdup(rq->host)))
        goto fail;
    if (!f->method || !f->url || (rq->body_len && !f->body))
        goto fail;
    if (!start_hop(f))
        goto fail;
    f->next = fr->active;
    if (fr->active)
        fr->active->prev = f;
    fr->active = f;
    return f;
fail:
    fetch_free(f);
    return NULL;
}

void gw_fetch_cancel(struct gw_fetch *f)
{
    if (!f)
        return;
    unlink_active(f);
    fetch_free(f);
}

static bool same_host(const char *a, const char *b)
{
    const char *pa = strstr(a, "://"), *pb = strstr(b, "://");
    size_t la, lb;

    if (!pa || !pb)
        return false;
    pa += 3;
    pb += 3;
    la = strcspn(pa, "/?#");
    lb = strcspn(pb, "/?#");
    return la == lb && strncasecmp(pa, pb, la) == 0;
}

/* The Location of a redirect, resolved against the current URL (owned), or NULL. */
static char *redirect_target(const struct gw_fetch *f)
{
    const char *loc = gw_hdrs_get(&f->resp_headers, "Location");
    CURLU *u;
    char *out = NULL, *copy;

    if (!loc || !*loc || !(u = curl_url()))
        return NULL;
    if (curl_url_set(u, CURLUPART_URL, f->url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, loc, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
        curl_url_get(u, CURLUPART_URL, &out, 0);
    curl_url_cleanup(u);
    copy = out ? strdup(out) : NULL;
    curl_free(out);
    return copy;
}

/* Prepares the next hop of a redirect; false when the response is final. */
static bool next_hop(struct gw_fetch *f, long status, struct gw_fetch_result *res)
{
    char *next;
    char op[16];

    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
        return false;
    if ((status == 307 || status == 308) && f->body_len > 0)
        return false; /* Go cannot replay a streamed body: the 307 itself is returned */
    next = redirect_target(f);
    if (!next)
        return false;
    op_name(f->method, op, sizeof(op));
    if (++f->redirects > MAX_REDIRECTS) {
        res->error = malloc(strlen(next) + 64);
        if (res->error)
            snprintf(res->error, strlen(next) + 64, "%s \"%s\": stopped after 10 redirects", op,
                     next);
        free(next);
        return false;
    }
    if ((status == 301 || status == 302 || status == 303) && !is_method(f->method, "GET") &&
        !is_method(f->method, "HEAD")) {
        free(f->method);
        f->method = strdup("GET");
        free(f->body);
        f->body = NULL;
        f->body_len = 0;
        f->content_length = false;
        if (!f->method) {
            free(next);
            return false;
        }
    }
    if (!same_host(f->url, next)) {
        /* Go keeps a custom Host only through a relative redirect (same host here) */
        free(f->host);
        f->host = NULL;
        gw_hdrs_del(&f->headers, "Authorization");
        gw_hdrs_del(&f->headers, "Www-Authenticate");
        gw_hdrs_del(&f->headers, "Cookie");
        gw_hdrs_del(&f->headers, "Cookie2");
    }
    if (!(cmn_str_has_prefix(f->url, "https:") && cmn_str_has_prefix(next, "http:")))
        gw_hdrs_set(&f->headers, "Referer", f->url);
    free(f->url);
    f->url = next;
    if (!start_hop(f)) {
        res->error = malloc(strlen(next) + 64);
        if (res->error)
            snprintf(res->error, strlen(next) + 64, "%s \"%s\": cannot start the request", op,
                     next);
        return false;
    }
    return true;
}

/* A hop ended with a response (status) or an error (owned): follow a redirect, or finish. */
static void hop_end(struct gw_fetch *f, long status, char *error)
{
    struct gw_fetch_result res = {0};

    gw_hdrs_init(&res.headers, GW_MAX_HEADERS);
    if (!error) {
        if (next_hop(f, status, &res))
            return; /* the same fetch continues with the next hop */
        if (!res.error) {
            res.status = status;
            res.headers = f->resp_headers;
            gw_hdrs_init(&f->resp_headers, GW_MAX_HEADERS);
            res.body = cmn_buf_take(&f->resp, &res.body_len);
        }
    } else {
        res.error = error;
    }
    res.url = f->url;
    f->url = NULL;
    unlink_active(f);
    gw_fetch_cb cb = f->cb;
    void *arg = f->arg;
    fetch_free(f);
    cb(arg, &res);
}

static void complete(struct gw_fetcher *fr, CURL *e, CURLcode rc)
{
    struct gw_fetch *f = NULL;
    long status = 0;
    char op[16];
    struct cmn_buf m;

    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&f);
    if (!f)
        return;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        dns_learn(fr, f);
        hop_end(f, status, NULL);
        return;
    }
    op_name(f->method, op, sizeof(op));
    cmn_buf_init(&m, 4096);
    if (rc == CURLE_OPERATION_TIMEDOUT && cmn_clock_mono_ms() >= f->deadline_ms - 2)
        cmn_buf_append_str(&m, "context deadline exceeded");
    else if (f->refused)
        cmn_buf_printf(&m, "%s \"%s\": %s", op, f->url, f->refused);
    else if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED)
        cmn_buf_printf(&m, "%s \"%s\": response body larger than %zu bytes", op, f->url,
                       fr->o.max_response);
    else
        cmn_buf_printf(&m, "%s \"%s\": %s", op, f->url,
                       f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc));
    hop_end(f, 0, cmn_buf_take(&m, NULL));
}

static void check_done(struct gw_fetcher *fr)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(fr->multi, &left))) {
        if (msg->msg == CURLMSG_DONE)
            complete(fr, msg->easy_handle, msg->data.result);
    }
}

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- the loop's source ------------------------------------------------------------------- */

static void src_event(void *ctx, uint64_t data, uint32_t events)
{
    struct gw_fetcher *fr = ctx;
    int running, flags;

    if (gw_h1_is_ours(data)) {
        gw_h1_event(fr->h1, data, events);
        return;
    }
    if (unwatched(fr, (int)data))
        return;
    flags = (events & EPOLLIN ? CURL_CSELECT_IN : 0) | (events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
            (events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
    curl_multi_socket_action(fr->multi, (curl_socket_t)data, flags, &running);
}

static int64_t earlier(int64_t a, int64_t b)
{
    return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static int64_t src_next_due(void *ctx)
{
    struct gw_fetcher *fr = ctx;
    int64_t due = earlier(gw_h1_next_due(fr->h1), fr->timer_at);

    for (struct gw_fetch *f = fr->hdr_timers ? fr->active : NULL; f; f = f->next)
        due = earlier(due, f->hdr_due_ms);
    return due;
}

/* libcurl hops whose head did not come in time: Go's "timeout awaiting response headers". */
static void expire_heads(struct gw_fetcher *fr, int64_t now)
{
    struct gw_fetch *f = fr->active, *next;
    char op[16];
    struct cmn_buf m;

    for (; fr->hdr_timers && f; f = next) {
        next = f->next;
        if (f->hdr_due_ms < 0 || now < f->hdr_due_ms || now >= f->deadline_ms)
            continue;
        drop_easy(f);
        op_name(f->method, op, sizeof(op));
        cmn_buf_init(&m, 4096);
        cmn_buf_printf(&m, "%s \"%s\": net/http: timeout awaiting response headers", op, f->url);
        hop_end(f, 0, cmn_buf_take(&m, NULL));
        next = fr->active; /* the callback may have started or ended other fetches */
    }
}

static void src_expire(void *ctx)
{
    struct gw_fetcher *fr = ctx;
    int running;

    gw_h1_expire(fr->h1, cmn_clock_mono_ms());
    if (fr->hdr_timers)
        expire_heads(fr, cmn_clock_mono_ms());
    if (fr->timer_at >= 0 && cmn_clock_mono_ms() >= fr->timer_at) {
        fr->timer_at = -1;
        curl_multi_socket_action(fr->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
}

static void src_settle(void *ctx)
{
    check_done(ctx);
}

/* ---- life ---------------------------------------------------------------------------------- */

struct gw_fetcher *gw_fetcher_new(struct gw_loop *loop, const struct gw_fetcher_opts *o,
                                  struct cmn_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct gw_fetcher *fr = calloc(1, sizeof(*fr));

    pthread_once(&once, global_init);
    if (!fr) {
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    if (o)
        fr->o = *o;
    if (!fr->o.max_response)
        fr->o.max_response = 32u * 1024 * 1024;
    if (!fr->o.max_connects)
        fr->o.max_connects = 1024;
    fr->loop = loop;
    fr->epfd = gw_loop_epoll_fd(loop);
    fr->timer_at = -1;
    fr->multi = curl_multi_init();
    fr->h1 = gw_h1_new(fr->epfd, &(struct gw_h1_opts){
                                     .max_idle_per_host = fr->o.max_idle_per_host,
                                     .idle_timeout_ms = fr->o.idle_timeout_ms,
                                     .pool = fr->o.pool,
                                     .response_header_timeout_ms = fr->o.response_header_timeout_ms,
                                     .expect_continue_timeout_ms = fr->o.expect_continue_timeout_ms,
                                     .keep_alive_ms = fr->o.keep_alive_ms});
    if (!fr->multi || !fr->h1) {
        cmn_err_set(err, 1, "cannot create the backend client: out of memory");
        gw_fetcher_destroy(fr);
        return NULL;
    }
    curl_multi_setopt(fr->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(fr->multi, CURLMOPT_SOCKETDATA, fr);
    curl_multi_setopt(fr->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(fr->multi, CURLMOPT_TIMERDATA, fr);
    curl_multi_setopt(fr->multi, CURLMOPT_MAXCONNECTS, fr->o.max_connects);
    gw_loop_set_source(loop, &(struct gw_loop_source){fr, src_event, src_next_due, src_expire,
                                                      src_settle});
    return fr;
}

struct gw_loop *gw_fetcher_loop(const struct gw_fetcher *fr)
{
    return fr->loop;
}

void gw_fetcher_destroy(struct gw_fetcher *fr)
{
    if (!fr)
        return;
    gw_loop_set_source(fr->loop, NULL);
    while (fr->active)
        gw_fetch_cancel(fr->active);
    gw_h1_destroy(fr->h1);
    while (fr->dns) {
        struct dns_entry *d = fr->dns;
        fr->dns = d->next;
        free(d->key);
        free(d);
    }
    for (size_t i = 0; i < fr->n_pool; i++)
        curl_easy_cleanup(fr->pool[i]);
    if (fr->multi)
        curl_multi_cleanup(fr->multi); /* closes cached connections through fr->fdstate */
    free(fr->fdstate);
    free(fr);
}
