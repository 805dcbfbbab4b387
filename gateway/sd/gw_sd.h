/* gw_sd.h - Lura's service discovery (sd/dnssrv): a backend with `"sd": "dns"` takes its hosts
 * from the SRV records of the name in its `host` list, looked up when the gateway starts and
 * again every `dns_cache_ttl` (30 s; values under 1 s keep 30 s). A failed lookup keeps the
 * hosts the last good one gave; before any good one the backend has none and its calls fail
 * ("no hosts available"), as Lura's balancer answers.
 *
 * Sans-IO: gw_sd_srv_parse reads a DNS answer, gw_sd_instances applies Lura's resolve rules.
 * The lookups (gw_sd_dns.c) use glibc's resolver and /etc/resolv.conf; GW_DNS_SERVER=ip:port
 * (IPv4) sends them to that server instead (tests use a local stub). */
#ifndef GW_SD_H
#define GW_SD_H

#include "cmn_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_SD_NAME_MAX 256    /* a DNS name in text form, with its NUL */
#define GW_SD_MAX_RECORDS 512 /* SRV records read from one answer; more are ignored */
#define GW_SD_HOST_MAX 320    /* "scheme://target:port" */

/* One SRV record. target: the name without its trailing dot ("api.example.com"). */
struct gw_srv {
    uint16_t priority, weight, port;
    char target[GW_SD_NAME_MAX];
};

enum gw_sd_status {
    GW_SD_OK = 0,
    GW_SD_MALFORMED, /* not a DNS message we can read */
    GW_SD_NAME,      /* a record's target is not a domain name (Go refuses the whole answer) */
    GW_SD_RCODE,     /* the server answered an error (NXDOMAIN, SERVFAIL...) */
    GW_SD_EMPTY,     /* no SRV record in the answer ("no such host" for Go) */
    GW_SD_NOMEM,
    GW_SD_LOOKUP, /* the query could not be sent or got no answer */
};

/* The SRV records of a DNS response msg (len bytes): the answer section's IN SRV records, in
 * order, at most max of them into out. Records whose target is the root (".", "service not
 * available", RFC 2782) are left out. *n receives the count. err says why on failure. */
enum gw_sd_status gw_sd_srv_parse(const unsigned char *msg, size_t len, struct gw_srv *out,
                                  size_t max, size_t *n, struct cmn_err *err);

/* A list of host URLs ("http://api.example.com:8080"), owned: gw_sd_hosts_free. */
struct gw_sd_hosts {
    char **items;
    size_t n;
};
void gw_sd_hosts_free(struct gw_sd_hosts *h);

/* Lura's resolve: the records sorted (priority up, weight down, target, port), those of the
 * lowest priority kept, each repeated as often as its weight once the weights are normalised
 * to a sum of at most max(100, n) and divided by their GCD (a weight of 0 after that drops
 * it). srvs is sorted in place. scheme: "http" when NULL or empty. false only when out of
 * memory. */
bool gw_sd_instances(struct gw_srv *srvs, size_t n, const char *scheme, struct gw_sd_hosts *out);

/* ---- lookups (IO) ---------------------------------------------------------------------------- */

struct gw_sd;
struct gw_sd_sub;

/* A resolver refreshing its subscriptions every ttl_ms (<= 0: 30 s). Owned: gw_sd_destroy. */
struct gw_sd *gw_sd_new(int64_t ttl_ms, struct cmn_err *err);

/* Subscribes to name's SRV records, building URLs with scheme; looks them up once now (Lura's
 * subscriber does, at startup) and logs a failure. Borrowed: valid until gw_sd_destroy. NULL
 * with err set when out of memory. */
struct gw_sd_sub *gw_sd_subscribe(struct gw_sd *sd, const char *name, const char *scheme,
                                  struct cmn_err *err);

/* Starts refreshing every subscription in the background; no-op without subscriptions. */
bool gw_sd_start(struct gw_sd *sd, struct cmn_err *err);

/* Copies host number `pick` (modulo the count) of s into buf (size bytes). false when s has
 * no host (yet). Thread-safe. */
bool gw_sd_pick(struct gw_sd_sub *s, unsigned pick, char *buf, size_t size);

/* One lookup of name now, for `gateway check` and tests: the hosts it gives. */
enum gw_sd_status gw_sd_lookup(const char *name, const char *scheme, struct gw_sd_hosts *out,
                               struct cmn_err *err);

/* Stops the refresher and frees every subscription. NULL accepted. */
void gw_sd_destroy(struct gw_sd *sd);

#endif
