/* gw_sd_srv.c - the sans-IO half of sd/dnssrv (gw_sd.h): SRV records out of a DNS answer
 * (glibc's ns_parserr and dn_expand read the wire format), and Lura's resolve rules. */
#include "gw_sd.h"

#include "cmn_go_net.h"

#include <arpa/nameser.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum gw_sd_status gw_sd_srv_parse(const unsigned char *msg, size_t len, struct gw_srv *out,
                                  size_t max, size_t *n, struct cmn_err *err)
{
    ns_msg m;
    int count;

    *n = 0;
    if (len > 65535 || ns_initparse(msg, (int)len, &m) < 0)
        return cmn_err_set(err, GW_SD_MALFORMED, "malformed DNS message"), GW_SD_MALFORMED;
    if (ns_msg_getflag(m, ns_f_rcode) != ns_r_noerror)
        return cmn_err_set(err, GW_SD_RCODE, "DNS answer code %d", ns_msg_getflag(m, ns_f_rcode)),
               GW_SD_RCODE;
    count = ns_msg_count(m, ns_s_an);
    for (int i = 0; i < count; i++) {
        ns_rr rr;
        struct gw_srv srv;
        const unsigned char *rd;
        int got;

        if (ns_parserr(&m, ns_s_an, i, &rr) < 0)
            return cmn_err_set(err, GW_SD_MALFORMED, "malformed DNS record"), GW_SD_MALFORMED;
        if (ns_rr_type(rr) != ns_t_srv || ns_rr_class(rr) != ns_c_in)
            continue; /* a CNAME on the way, or anything else: Go skips it too */
        rd = ns_rr_rdata(rr);
        if (ns_rr_rdlen(rr) < 7)
            return cmn_err_set(err, GW_SD_MALFORMED, "short SRV record"), GW_SD_MALFORMED;
        srv.priority = (uint16_t)(rd[0] << 8 | rd[1]);
        srv.weight = (uint16_t)(rd[2] << 8 | rd[3]);
        srv.port = (uint16_t)(rd[4] << 8 | rd[5]);
        got = dn_expand(ns_msg_base(m), ns_msg_end(m), rd + 6, srv.target, sizeof(srv.target));
        if (got < 0 || got != ns_rr_rdlen(rr) - 6)
            return cmn_err_set(err, GW_SD_MALFORMED, "malformed SRV target"), GW_SD_MALFORMED;
        /* dn_expand writes the root as "" and escapes odd bytes ("\\046"), which the name
         * rule refuses, as Go's resolver refuses the whole answer for one bad name */
        if (srv.target[0] == '\0' || strcmp(srv.target, ".") == 0)
            continue;
        if (!cmn_go_is_domain_name(srv.target, strlen(srv.target)))
            return cmn_err_set(err, GW_SD_NAME,
                               "DNS response contained records which contain invalid names"),
                   GW_SD_NAME;
        if (*n < max)
            out[(*n)++] = srv;
    }
    if (*n == 0)
        return cmn_err_set(err, GW_SD_EMPTY, "no such host"), GW_SD_EMPTY;
    return GW_SD_OK;
}

void gw_sd_hosts_free(struct gw_sd_hosts *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->items[i]);
    free(h->items);
    h->items = NULL;
    h->n = 0;
}

static int by_lura_order(const void *pa, const void *pb)
{
    const struct gw_srv *a = pa, *b = pb;
    int c;

    if (a->priority != b->priority)
        return a->priority < b->priority ? -1 : 1;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    if ((c = strcmp(a->target, b->target)) != 0)
        return c;
    return a->port < b->port ? -1 : a->port > b->port;
}

static uint16_t gcd(uint16_t a, uint16_t b)
{
    while (b) {
        uint16_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

bool gw_sd_instances(struct gw_srv *srvs, size_t n, const char *scheme, struct gw_sd_hosts *out)
{
    uint16_t *w = NULL;
    size_t k = 0, total = 0, scale;
    uint64_t sum = 0;
    uint16_t div = 0;

    *out = (struct gw_sd_hosts){0};
    if (!scheme || !*scheme)
        scheme = "http";
    if (n == 0)
        return true;
    qsort(srvs, n, sizeof(*srvs), by_lura_order);
    while (k < n && srvs[k].priority == srvs[0].priority)
        k++;
    if (!(w = malloc(k * sizeof(*w))))
        return false;
    scale = k > 100 ? k : 100;
    for (size_t i = 0; i < k; i++)
        sum += srvs[i].weight;
    for (size_t i = 0; i < k; i++) {
        w[i] = sum <= scale ? srvs[i].weight : (uint16_t)((uint64_t)srvs[i].weight * scale / sum);
        div = gcd(div, w[i]);
    }
    for (size_t i = 0; i < k; i++) {
        if (div >= 2)
            w[i] /= div;
        total += w[i];
    }
    if (total && !(out->items = calloc(total, sizeof(*out->items)))) {
        free(w);
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        char url[GW_SD_HOST_MAX];
        snprintf(url, sizeof(url), "%s://%s:%u", scheme, srvs[i].target, (unsigned)srvs[i].port);
        for (uint16_t j = 0; j < w[i]; j++) {
            if (!(out->items[out->n] = strdup(url))) {
                free(w);
                gw_sd_hosts_free(out);
                return false;
            }
            out->n++;
        }
    }
    free(w);
    return true;
}
