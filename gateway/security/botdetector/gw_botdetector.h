/* gw_botdetector.h - KrakenD's security/bot-detector (krakend-botdetector): User-Agent allow
 * and deny lists, Go (RE2) patterns, an optional LRU of verdicts, and the 403 answer
 * (../shared/spec/krakend-traffic-security.md §4).
 *
 * One detector per configured level: the service's runs among gin's engine middlewares (the
 * router's GW_MW_ENGINE slot, after security/http), an endpoint's first in its chain
 * (GW_MW_ENDPOINT, before auth/validator); both run when both are configured, service first. A
 * detector is built once and then used by every worker thread at once: the lists and patterns
 * are immutable, the LRU has its own locks, and a detector without a cache takes no lock. */
#ifndef GW_BOTDETECTOR_H
#define GW_BOTDETECTOR_H

#include "cmn_err.h"
#include "cmn_http.h"
#include "gw_mw.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The canonical namespace (the config rewrites the alias security/bot-detector to it). */
#define GW_NS_BOTDETECTOR "github_com/devopsfaith/krakend-botdetector"
/* The log prefix KrakenD uses for the per-request line of both levels. */
#define GW_BOT_SERVICE_PREFIX "[SERVICE: Gin][Botdetector]"
/* A larger cache_size is clamped to this, with a warning (KrakenD has no cap). */
#define GW_BOT_CACHE_MAX 1000000
/* User-Agents longer than this are judged every time instead of being cached, and the keys
 * of one cache never hold more than GW_BOT_CACHE_BYTES in all (older entries are evicted). */
#define GW_BOT_CACHE_KEY_MAX 512
#define GW_BOT_CACHE_BYTES ((size_t)64 << 20)

enum gw_bot_status {
    GW_BOT_OK = 0,
    GW_BOT_NOT_INSTALLED, /* KrakenD logs a WARNING and runs without this detector (a type
                           * mismatch, a pattern Go's regexp refuses, a negative cache_size):
                           * logged the same way, err names the JSON path (and the pattern) */
    GW_BOT_INVALID,       /* a pattern Go accepts but this gateway cannot run as Go would:
                           * refused at startup rather than run without it (err names it) */
    GW_BOT_NOMEM,
};

struct gw_bot_params {
    /* JSON path of the namespace value, for messages:
     * "extra_config.security/bot-detector" or "endpoints[2].extra_config.security/bot-detector" */
    const char *path;
    /* KrakenD's startup prefix: GW_BOT_SERVICE_PREFIX, or "[ENDPOINT: /foo][Botdetector]" */
    const char *log_prefix;
    /* Key of the cache's hash (random per process: keeps chains short whatever clients send). */
    uint64_t seed[2];
};

struct gw_botdetector;

/* Builds a detector from the namespace value v (NULL: not configured, GW_BOT_OK with *out
 * NULL). Decodes v as Go's encoding/json decodes it into krakend-botdetector's Config (keys
 * case-insensitive, any type mismatch fails), compiles the patterns with Go's rules and checks
 * cache_size. Logs KrakenD's startup lines (DEBUG "... registered successfully", or the
 * WARNING) and our own warnings (unknown keys, a clamped cache_size, a detector left out). On
 * GW_BOT_OK *out is owned by the caller (gw_botdetector_destroy); a `null` value gives a
 * detector that never rejects, as in KrakenD. */
enum gw_bot_status gw_botdetector_new(const json_t *v, const struct gw_bot_params *p,
                                      struct gw_botdetector **out, struct cmn_err *err);

void gw_botdetector_destroy(struct gw_botdetector *d);

/* krakend-botdetector's IsBot for a User-Agent value (NULL or "" when absent), with the cache
 * when configured. Thread-safe. */
bool gw_botdetector_is_bot(struct gw_botdetector *d, const char *ua, size_t len);

/* The middleware: reads the first User-Agent line; a bot gets GW_MW_ANSWER with an empty 403
 * (no Content-Type, no X-Krakend) and the ERROR line "[SERVICE: Gin][Botdetector] bot
 * rejected" is logged (the endpoint level too uses that prefix). Otherwise GW_MW_NEXT. */
enum gw_mw_verdict gw_botdetector_handle(struct gw_botdetector *d, const struct cmn_http_request *r,
                                         struct cmn_http_response **answer);

/* For tests: whether the cache holds ua (and its verdict in *bot). */
bool gw_botdetector_cached(struct gw_botdetector *d, const char *ua, size_t len, bool *bot);

/* The router middleware factory (gw_mw.h): GW_MW_ENGINE for the service, GW_MW_ENDPOINT for
 * each endpoint that configures one. */
extern const struct gw_mw_factory gw_botdetector_factory;

#endif
