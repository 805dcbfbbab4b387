/* gw_ratelimit.h - qos/ratelimit/router (endpoint and per-client limits) and
 * qos/ratelimit/proxy (per-backend limit): config, KrakenD's token bucket, client keys, the
 * bounded client store, the verdicts, and the two factories that plug them into the router's
 * middleware seam and the proxy's stage seam (traffic spec §5, order §1).
 *
 * Time is always a parameter: `now_ns` is monotonic time in nanoseconds (any origin), read once
 * per request by the caller. Thread-safe where it says so; everything else is immutable after
 * construction. */
#ifndef GW_RATELIMIT_H
#define GW_RATELIMIT_H

#include "cmn_clock.h"
#include "cmn_err.h"
#include "cmn_siphash.h"
#include "gw_config.h"
#include "gw_message.h"
#include "gw_mw.h"
#include "gw_stage.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_RL_ROUTER_NS "qos/ratelimit/router"
#define GW_RL_PROXY_NS "qos/ratelimit/proxy"
/* KrakenD's ErrLimited text, misspelling included: the gin error of a 429/503 and the backend
 * error of the proxy limiter (the endpoint logs "[ENDPOINT: /x] rate limit exceded"). */
#define GW_RL_ERROR_TEXT "rate limit exceded"

enum gw_rl_status {
    GW_RL_OK = 0,
    GW_RL_ABSENT,  /* namespace absent: no limiter, nothing logged */
    GW_RL_WRONG,   /* namespace value is not an object: KrakenD logs "wrong extra config" at
                      ERROR and installs no limiter; the gateway starts */
    GW_RL_INVALID, /* a value KrakenD would crash on: refuse the configuration (err says where) */
    GW_RL_NOMEM,
};

/* Bucket parameters after every default of §5.4 (the capacity is never 0). */
struct gw_rl_bucket_params {
    double rate;       /* tokens per second */
    uint64_t capacity; /* bucket size */
    int64_t fill_ns;   /* trunc(1e9 / max(rate, 1e-9)), at least 1 (Go divides by zero at 0) */
};

enum gw_rl_strategy {
    GW_RL_STRATEGY_NONE = 0, /* unknown or missing: no client limiter (KrakenD warns) */
    GW_RL_STRATEGY_IP,
    GW_RL_STRATEGY_HEADER,
    GW_RL_STRATEGY_PARAM,
};

/* qos/ratelimit/router, immutable after parsing (§5.2). Rates are per second. */
struct gw_rl_router_config {
    bool endpoint_on; /* max_rate > 0: one bucket for the whole endpoint (503) */
    struct gw_rl_bucket_params endpoint;
    bool client_on; /* client_max_rate > 0 and a known strategy: a bucket per client (429) */
    struct gw_rl_bucket_params client;
    enum gw_rl_strategy strategy;
    char *strategy_text; /* the value as KrakenD prints it (Go's %v), "" when absent; owned */
    char *key;           /* as configured, "" when absent; owned */
    char *key_header;    /* key as a canonical header name ("X-Api-Key"); owned */
    double max_rate;     /* per second after `every` (0 when absent) */
    double client_max_rate;
    int64_t every_ns;         /* 1 s when absent, invalid or below 1 s */
    bool ttl_jitter;          /* every > 10 min: idle TTL = every * (1 + 0.25 r), r drawn at
                                 limiter creation; else the TTL is 10 min */
    int64_t cleanup_ns;       /* cleanup_period: 1 min default, at least 1 s */
    uint64_t num_shards;      /* read, not applied (docs/qos.md) */
    uint64_t cleanup_threads; /* read, not applied: KrakenD ignores it too */
};

/* qos/ratelimit/proxy (§5.3): one bucket per backend definition. */
struct gw_rl_proxy_config {
    bool on;
    struct gw_rl_bucket_params bucket;
    double max_rate; /* per second after `every` */
    int64_t every_ns;
};

/* Parse the namespace value ns (NULL = absent) found at `path` (used in messages, e.g.
 * "endpoints[2].extra_config.qos/ratelimit/router"). Every option is read; what KrakenD
 * ignores or bends, and what we do not apply, goes to warn (may be NULL) naming its path. On
 * GW_RL_OK, GW_RL_ABSENT and GW_RL_WRONG, out is usable (limiters off for the last two) and
 * must be freed with gw_rl_router_config_free; on errors err says why and out is empty. */
enum gw_rl_status gw_rl_router_config_parse(const json_t *ns, const char *path,
                                            struct gw_rl_router_config *out,
                                            const struct cmn_warn *warn, struct cmn_err *err);
void gw_rl_router_config_free(struct gw_rl_router_config *c);

enum gw_rl_status gw_rl_proxy_config_parse(const json_t *ns, const char *path,
                                           struct gw_rl_proxy_config *out,
                                           const struct cmn_warn *warn, struct cmn_err *err);

/* KrakenD's startup lines for this config (§5.9), to the log: endpoint is the endpoint path,
 * url_pattern the backend's. status is what the parser returned. */
void gw_rl_router_log_startup(enum gw_rl_status status, const struct gw_rl_router_config *c,
                              const char *endpoint);
void gw_rl_proxy_log_startup(enum gw_rl_status status, const struct gw_rl_proxy_config *c,
                             const char *url_pattern);

/* ---- the token bucket of §5.6, single-threaded (the caller serialises) ---- */

struct gw_rl_tb {
    uint64_t tokens;
    uint64_t capacity;
    int64_t fill_ns;
    int64_t last_refill_ns;
};

/* A full bucket whose refill clock starts at now_ns. */
void gw_rl_tb_init(struct gw_rl_tb *b, const struct gw_rl_bucket_params *p, int64_t now_ns);
/* KrakenD's Allow(): true when the request may pass (a token was used or the bucket refilled). */
bool gw_rl_tb_allow(struct gw_rl_tb *b, int64_t now_ns);

/* ---- a shared bucket: the endpoint limiter and the backend limiter (thread-safe) ---- */

struct gw_rl_limiter;

/* A full bucket created at now_ns (KrakenD builds these at startup). Owned; NULL on ENOMEM. */
struct gw_rl_limiter *gw_rl_limiter_new(const struct gw_rl_bucket_params *p, int64_t now_ns);
void gw_rl_limiter_destroy(struct gw_rl_limiter *l);
/* Same answers as gw_rl_tb_allow under a lock, without one while tokens remain: one atomic
 * decrement. Any thread. */
bool gw_rl_limiter_allow(struct gw_rl_limiter *l, int64_t now_ns);
/* Tokens left (for tests and metrics). */
uint64_t gw_rl_limiter_tokens(const struct gw_rl_limiter *l);

/* ---- client keys (§5.5) ---- */

/* The client key of the request `in` (the client's request after auth/validator: canonical
 * headers, path parameters) under c's strategy; client_ip is gin's ClientIP(). Borrowed from
 * in or client_ip (*len bytes). NULL or *len == 0 means "empty key": KrakenD answers 429. */
const char *gw_rl_client_key(const struct gw_rl_router_config *c, const struct gw_inreq *in,
                             const char *client_ip, size_t *len);

/* ---- the client store (§5.8), bounded whatever the number of clients (thread-safe) ---- */

struct gw_rl_store_opts {
    size_t max_bytes;           /* memory for client buckets; 0 = GW_RL_STORE_DEFAULT_BYTES */
    struct cmn_siphash_key key; /* secret; cmn_siphash_key_random() */
};

#define GW_RL_STORE_DEFAULT_BYTES ((size_t)16 << 20)
/* Bytes of one table set (GW_RL_STORE_WAYS client buckets and their lock). */
#define GW_RL_STORE_SET_BYTES 256
#define GW_RL_STORE_WAYS 6

struct gw_rl_store_stats {
    uint64_t reused;  /* a slot taken from an idle (TTL-expired) or refilled bucket: that client
                         starts again from a full bucket, as after KrakenD's sweep */
    uint64_t evicted; /* a slot taken from a partly drained bucket: that client may get up to
                         one full bucket more than KrakenD would give (docs/qos.md) */
};

struct gw_rl_store;

/* One table shared by any number of endpoints (each endpoint's keys are hashed apart).
 * Allocates everything here, never later: gw_rl_store_bytes() is the whole footprint. */
struct gw_rl_store *gw_rl_store_new(const struct gw_rl_store_opts *o, struct cmn_err *err);
void gw_rl_store_destroy(struct gw_rl_store *s);
size_t gw_rl_store_bytes(const struct gw_rl_store *s);
size_t gw_rl_store_slots(const struct gw_rl_store *s);
/* Summed over the table (takes no lock; approximate while requests run). */
struct gw_rl_store_stats gw_rl_store_stats(const struct gw_rl_store *s);

/* ---- verdicts ---- */

enum gw_rl_decision {
    GW_RL_PASS = 0,
    GW_RL_CLIENT_LIMITED,   /* 429: client bucket empty, or empty client key */
    GW_RL_ENDPOINT_LIMITED, /* 503: client passed (its token is spent), endpoint bucket empty */
    GW_RL_BACKEND_LIMITED,  /* the backend call fails with GW_RL_ERROR_TEXT (no network call) */
};

/* ---- the endpoint limiter (thread-safe) ---- */

struct gw_rl_router;

/* Builds the limiters of one endpoint at now_ns (startup). store: needed when c->client_on
 * (borrowed, must outlive the router; may be shared by all endpoints). jitter_r in [0,1): the
 * random draw of the idle TTL when c->ttl_jitter. NULL with err on failure; owned. */
struct gw_rl_router *gw_rl_router_new(const struct gw_rl_router_config *c,
                                      struct gw_rl_store *store, double jitter_r, int64_t now_ns,
                                      struct cmn_err *err);
void gw_rl_router_destroy(struct gw_rl_router *r);
/* Client limiter first, then the endpoint limiter (§5.7): GW_RL_PASS, GW_RL_CLIENT_LIMITED
 * (answer 429) or GW_RL_ENDPOINT_LIMITED (answer 503). Any thread. */
enum gw_rl_decision gw_rl_router_check(struct gw_rl_router *r, const struct gw_inreq *in,
                                       const char *client_ip, int64_t now_ns);
/* The idle TTL this router uses for client buckets. */
int64_t gw_rl_router_ttl_ns(const struct gw_rl_router *r);

/* ---- the factories (gw_modules.c lists them in KrakenD's order) ---- */

/* What both factories share: the clock for startup instants (NULL = the system clock; the
 * requests' times come from the seams), the client store's size (0 = the default) and the one
 * client store every endpoint of a build shares. Builds and frees run on one thread (server
 * start and stop, `check`). */
struct gw_rl_env {
    const struct cmn_clock *clock;
    size_t store_bytes;
    struct gw_rl_store *store; /* created by the first client limit built, freed by the last */
    size_t store_refs;
};
#define GW_RL_ENV_INIT                                                                             \
    {                                                                                              \
        NULL, 0, NULL, 0                                                                           \
    }

/* gw_mw_factory.build for qos/ratelimit/router: a GW_MW_AUTHENTICATED middleware on endpoints
 * that have a limit; 429/503 with an empty body, no X-Krakend. env: struct gw_rl_env. */
bool gw_rl_router_build(void *env, const struct gw_config *cfg, const struct gw_endpoint *ep,
                        struct gw_mw *mw, struct cmn_err *err);
/* gw_stage_factory.build for qos/ratelimit/proxy: a `before` stage that fails the backend call
 * with GW_RL_ERROR_TEXT when the backend's bucket is empty. */
bool gw_rl_proxy_build(void *env, const struct gw_config *cfg, const struct gw_endpoint *ep,
                       const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err);

/* The factories on the system clock and the default store (gw_modules.c). */
extern const struct gw_mw_factory gw_rl_router_factory;
extern const struct gw_stage_factory gw_rl_proxy_factory;

#endif
