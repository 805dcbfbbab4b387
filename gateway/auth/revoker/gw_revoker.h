/* gw_revoker.h - auth/revoker (krakend/bloomfilter as KrakenD CE uses it, traffic spec §8): a
 * sliding set of three bloom filters rotated every TTL seconds, checked for every token
 * auth/validator accepts (through its rejecter hook, gw_jwt.h), and fed over HTTP on the
 * configured port instead of Go's net/rpc (docs/revoker.md). */
#ifndef GW_REVOKER_H
#define GW_REVOKER_H

#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_err.h"
#include "gw_config.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_REVOKER_NS "github_com/devopsfaith/bloomfilter"
#define GW_REVOKER_NS_ALIAS "auth/revoker"
/* Three filters of at most this many bytes together: a larger N or a smaller P is refused. */
#define GW_REVOKER_MAX_BYTES ((uint64_t)3 << 30)
/* The feed: request bodies, elements per request, bytes per element. */
#define GW_REVOKER_FEED_MAX_BODY ((size_t)1 << 20)
#define GW_REVOKER_FEED_MAX_ELEMS 100000
#define GW_REVOKER_FEED_MAX_ELEM 8192

enum gw_rev_status {
    GW_REV_OK = 0,
    GW_REV_ABSENT,  /* no namespace: no revoker */
    GW_REV_OFF,     /* Go's decoder refused a value: KrakenD logs it and runs without revoker */
    GW_REV_INVALID, /* what KrakenD panics on (hash_name, TTL 0) or fails later (N 0, P out of
                       (0,1)), or a filter past GW_REVOKER_MAX_BYTES: refused at startup */
    GW_REV_NOMEM,
};

/* ---- config (§8.2) ---- */

struct gw_revoker_config {
    uint64_t n;      /* expected elements */
    double p;        /* false-positive rate */
    char *hash_name; /* "optimal" or "default"; owned */
    uint64_t ttl_s;  /* rotation period */
    int64_t port;    /* the feed's port (KrakenD's RPC port); <= 0: no feed */
    char **token_keys;
    size_t n_token_keys;
    char **headers; /* read; CE never checks them */
    size_t n_headers;
    uint64_t m, k; /* bits per filter and positions per element, as krakend/bloomfilter */
    char *raw;     /* the namespace as Go re-encodes it (sorted keys), for KrakenD's log line */
    char *decode_error; /* GW_REV_OFF: Go's error text; owned */
};

/* Parses the namespace value ns (NULL = absent) at path as Go's encoding/json decodes it into
 * krakend/bloomfilter's Config (key names case-insensitive, applied in sorted order). What is
 * read but not applied goes to warn. On GW_REV_OK and GW_REV_OFF out must be freed with
 * gw_revoker_config_free; on GW_REV_INVALID err names the path. */
enum gw_rev_status gw_revoker_config_parse(const json_t *ns, const char *path,
                                           struct gw_revoker_config *out,
                                           const struct cmn_warn *warn, struct cmn_err *err);
void gw_revoker_config_free(struct gw_revoker_config *c);

/* m = ceil(-n ln p / (ln 2)^2) and k = ceil(ln 2 m / n), as krakend/bloomfilter's M and K; false
 * when they are not usable (n 0, p outside (0, 1), m or k 0, m beyond 2^40). */
bool gw_revoker_params(uint64_t n, double p, uint64_t *m, uint64_t *k);

/* The two words krakend/bloomfilter's "optimal" hasher derives from an element: its FNV-1
 * 128-bit digest, cut into two 8-byte little-endian words. Position i is h[0] + i * h[1]
 * (mod m). */
void gw_revoker_hash(const void *data, size_t n, uint64_t h[2]);

/* ---- the sliding filter set (thread-safe) ---- */

struct gw_revoker;

/* A revoker for c at the clock's now (borrowed clock, NULL = system): three empty filters,
 * rotated every c->ttl_s seconds from now on. Owned; NULL with err on failure. */
struct gw_revoker *gw_revoker_new(const struct gw_revoker_config *c, const struct cmn_clock *clock,
                                  struct cmn_err *err);
/* Stops the feed if it runs and frees everything; NULL accepted. */
void gw_revoker_destroy(struct gw_revoker *r);
/* Adds an element to the current and the next filter: it is reported for two to three TTLs. */
void gw_revoker_add(struct gw_revoker *r, const void *elem, size_t n);
/* True when the element is in the previous or the current filter (or a false positive). */
bool gw_revoker_check(struct gw_revoker *r, const void *elem, size_t n);
/* RejectToken: for each token key, in order, a string claim of that name makes the element
 * "<key>-<value>"; any element found refuses the token. ctx: the revoker. For gw_jwt_rejecter. */
bool gw_revoker_rejected(void *ctx, const json_t *claims);

/* ---- the feed (docs/revoker.md) ---- */

/* One request to the feed: POST /add and POST /check with a JSON array of strings (the
 * elements, "jti-<value>"), answered {"count":N} / {"checks":[...]}; other requests get 404,
 * 405 or 400 with {"error":"..."}. Writes the answer's body into out and returns its status. */
unsigned gw_revoker_feed(struct gw_revoker *r, const char *method, const char *path,
                         const char *body, size_t len, struct cmn_buf *out);
/* Serves the feed on every interface at port (its own thread). false with err when it cannot
 * listen (KrakenD ignores that; the caller logs it). */
bool gw_revoker_listen(struct gw_revoker *r, unsigned port, struct cmn_err *err);
/* The port the feed listens on (0 when it does not). */
unsigned gw_revoker_port(const struct gw_revoker *r);

/* ---- from the configuration ---- */

/* The service's auth/revoker, as KrakenD registers it: nothing (GW_REV_ABSENT, or GW_REV_OFF
 * after KrakenD's ERROR and WARNING lines), or a running revoker (*out, owned) whose feed
 * listens on the configured port when listen is true; with KrakenD's DEBUG line and a WARNING
 * that the Go RPC client is not supported. GW_REV_INVALID / GW_REV_NOMEM: err set. */
enum gw_rev_status gw_revoker_from_config(const struct gw_config *cfg,
                                          const struct cmn_clock *clock, bool listen,
                                          struct gw_revoker **out, struct cmn_err *err);

#endif
