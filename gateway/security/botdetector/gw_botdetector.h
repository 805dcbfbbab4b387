/* gw_botdetector.h - KrakenD's security/bot-detector (krakend-botdetector): User-Agent allow
 * and deny lists, Go (RE2) patterns, an optional LRU of verdicts, and the 403 answer.
 *
 * One detector per configured level (service and/or each endpoint); both run when both are
 * configured, service first. A detector is built once from the namespace value and then used
 * by every worker thread at once: the lists and patterns are immutable, the LRU has its own
 * locks, and a request with no cache configured takes no lock at all. */
#ifndef GW_BOTDETECTOR_H
#define GW_BOTDETECTOR_H

#include "cmn_err.h"
#include "gw_sec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
    GW_BOT_NOT_INSTALLED, /* KrakenD logs a WARNING and runs without this detector; err says
                           * why, naming the JSON path (and the pattern). A gateway that would
                           * rather refuse to start treats this as fatal. */
    GW_BOT_NOMEM,
};

struct gw_bot_params {
    /* JSON path of the namespace value, for messages:
     * "extra_config.security/bot-detector" or "endpoints[2].extra_config.security/bot-detector" */
    const char *path;
    /* KrakenD's startup prefix: GW_BOT_SERVICE_PREFIX, or "[ENDPOINT: /foo][Botdetector]" */
    const char *log_prefix;
    /* Receives KrakenD's startup lines (DEBUG "... registered successfully" or the WARNING)
     * and the per-request ERROR "[SERVICE: Gin][Botdetector] bot rejected". Copied. */
    struct gw_sec_log log;
    /* Key of the cache's hash (random per process: keeps chains short whatever clients send). */
    uint64_t seed[2];
};

struct gw_botdetector;

/* Builds a detector from the namespace value v (NULL: not configured, returns GW_BOT_OK with
 * *out NULL). Decodes v as Go's encoding/json decodes it into krakend-botdetector's Config
 * (keys case-insensitive, any type mismatch fails), compiles the patterns with Go's rules and
 * checks cache_size. On GW_BOT_OK *out is owned by the caller (gw_botdetector_destroy); a
 * `null` value gives a detector that never rejects, as in KrakenD. Our own warnings (a
 * cache_size clamped to GW_BOT_CACHE_MAX) go to w, which may be NULL. */
enum gw_bot_status gw_botdetector_new(const json_t *v, const struct gw_bot_params *p,
                                      struct gw_botdetector **out, struct gw_sec_warnings *w,
                                      struct cmn_err *err);

void gw_botdetector_destroy(struct gw_botdetector *d);

/* krakend-botdetector's IsBot for a User-Agent value (NULL or "" when absent), with the cache
 * when configured. Thread-safe. */
bool gw_botdetector_is_bot(struct gw_botdetector *d, const char *ua, size_t len);

/* The stage: reads the first User-Agent line; a bot gets GW_SEC_ANSWER with 403 and an empty
 * body (no header is added: no Content-Type, no X-Krakend), and the ERROR line is logged.
 * Otherwise GW_SEC_CONTINUE. ans must have been initialised. */
enum gw_sec_action gw_botdetector_handle(struct gw_botdetector *d, const struct gw_sec_request *r,
                                         struct gw_sec_answer *ans);

/* For tests: whether the cache holds ua (and its verdict in *bot). */
bool gw_botdetector_cached(struct gw_botdetector *d, const char *ua, size_t len, bool *bot);

#endif
