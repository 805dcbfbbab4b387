/* gw_fetch_h1.c - a hop on the own HTTP/1.1 transport (gw_h1): plain-http URLs split for it,
 * the addresses libcurl resolved kept for it, Go's error texts for its failures. */
#include "gw_fetch_int.h"

#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_go_net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DNS_TTL_MS 60000 /* as libcurl's DNS cache */
#define DNS_MAX 256

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
    if (cmn_go_parse_ipv4(u->host, strlen(u->host), (uint8_t *)&v4->sin_addr)) {
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
void gw_fetch_h1_learn(struct gw_fetcher *fr, struct gw_fetch *f)
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

static void h1_done(void *arg, const struct gw_h1_outcome *o)
{
    struct gw_fetch *f = arg;
    struct cmn_buf m;
    char op[16];

    f->xfer = NULL;
    if (o->status > 0) {
        gw_fetch_hop_end(f, o->status, NULL);
        return;
    }
    gw_fetch_op_name(f->method, op, sizeof(op));
    cmn_buf_init(&m, 4096);
    if (o->timed_out)
        cmn_buf_append_str(&m, "context deadline exceeded");
    else if (o->too_big)
        cmn_buf_printf(&m, "%s \"%s\": response body larger than %zu bytes", op, f->url,
                       f->fr->o.max_response);
    else
        cmn_buf_printf(&m, "%s \"%s\": %s", op, f->url, o->error ? o->error : "EOF");
    gw_fetch_hop_end(f, 0, cmn_buf_take(&m, NULL));
}

/* Starts the hop on gw_h1 when it can take it: plain http at a known address, keep-alive on,
 * and the Accept-Encoding ours to choose. */
bool gw_fetch_h1_start(struct gw_fetch *f)
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
    rq.empty_length = f->body_len == 0 && gw_fetch_posting(f);
    rq.accept_gzip = !fr->o.disable_compression;
    rq.deadline_ms = f->deadline_ms;
    rq.connect_deadline_ms =
        fr->o.connect_timeout_ms ? cmn_clock_mono_ms() + fr->o.connect_timeout_ms : f->deadline_ms;
    f->xfer = gw_h1_start(fr->h1, &rq, &f->resp_headers, &f->resp, h1_done, f);
    return f->xfer != NULL;
}
