/* gw_jwks_cache.h - the JWKS source registry: one key set per distinct source, fetched in the
 * background, shared by every endpoint that names it, refreshed and rotated without restart.
 *
 * Life cycle (startup, then requests, then shutdown):
 *   c = gw_jwks_cache_new(&opts, &err);            registry-wide tuning, NULL opts = defaults
 *   s = gw_jwks_cache_add(c, &src, &err);          once per protected endpoint; sources with the
 *                                                  same URL and TLS options (or the same local
 *                                                  path) come back as the same handle
 *   gw_jwks_cache_start(c, &err);                  starts the fetcher thread; returns at once
 *   ... per request: gw_jwks_source_lookup(s, kid, 0, &set, &key) → verify → gw_jwks_unref(set)
 *   gw_jwks_cache_destroy(c);                      after the server stopped taking requests
 *
 * Lookups never block (wait_ms 0): until the first fetch succeeds they answer
 * GW_JWKS_NO_KEYS_YET; an unknown kid answers GW_JWKS_UNKNOWN_KID and asks the fetcher for a
 * refetch, at most one per cooldown per source. docs/jwks-cache.md has the timing rules.
 *
 * Every time the registry keeps (refresh, retry, cooldown, staleness, lookup waits) is read
 * from the clock in its options and nowhere else; real time only caps how long a thread
 * sleeps. A test drives a manual clock: advance it, then gw_jwks_cache_kick(c). */
#ifndef GW_JWKS_CACHE_H
#define GW_JWKS_CACHE_H

#include "cmn_clock.h"
#include "cmn_err.h"
#include "gw_jwk.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Distinct sources one gateway may have (endpoints naming the same source share one). */
#define GW_JWKS_MAX_SOURCES 256

/* Defaults (milliseconds). */
#define GW_JWKS_DEFAULT_CONNECT_TIMEOUT_MS 3000
#define GW_JWKS_DEFAULT_TIMEOUT_MS 5000
#define GW_JWKS_DEFAULT_RETRY_MIN_MS 1000
#define GW_JWKS_DEFAULT_RETRY_MAX_MS 2000
#define GW_JWKS_DEFAULT_KID_COOLDOWN_MS 10000
#define GW_JWKS_DEFAULT_NOCACHE_REFRESH_MS 30000
#define GW_JWKS_DEFAULT_CACHE_DURATION_S 900
#define GW_JWKS_DEFAULT_STALE_GRACE_MS 3600000
#define GW_JWKS_DEFAULT_LOG_REPEAT_MS 60000
#define GW_JWKS_MIN_KID_COOLDOWN_MS 1000

enum gw_jwks_cache_status {
    GW_JWKS_CACHE_OK = 0,
    GW_JWKS_CACHE_BAD_SOURCE, /* neither jwk_url nor jwk_local_path, or a bad URL scheme */
    GW_JWKS_CACHE_INSECURE,   /* jwk_url is not https and disable_jwk_security is false */
    GW_JWKS_CACHE_BAD_TLS,    /* jwk_fingerprints / jwk_local_ca / cipher_suites unusable */
    GW_JWKS_CACHE_TOO_MANY,   /* more than GW_JWKS_MAX_SOURCES distinct sources */
    GW_JWKS_CACHE_STARTED,    /* gw_jwks_cache_add after gw_jwks_cache_start */
    GW_JWKS_CACHE_NOMEM,
    GW_JWKS_CACHE_THREAD, /* the fetcher thread could not start */
};

/* Registry-wide tuning; 0 (NULL) in any field takes the default above. Tests shorten them. */
struct gw_jwks_cache_opts {
    const struct cmn_clock *clock; /* NULL: cmn_clock_system(); borrowed, outlives the cache */
    int64_t connect_timeout_ms;
    int64_t timeout_ms;         /* a whole fetch, body included */
    int64_t retry_min_ms;       /* first retry after a failed fetch; doubles per failure */
    int64_t retry_max_ms;       /* ... up to this */
    int64_t kid_cooldown_ms;    /* unknown-kid refetch spacing when a source sets none */
    int64_t nocache_refresh_ms; /* refresh interval of sources with cache false */
    int64_t stale_grace_ms;     /* how long keys outlive a failed refresh (see lookup) */
    int64_t log_repeat_ms;      /* a failing source logs at most once per this */
};

/* One endpoint's JWKS options (the lead maps auth/validator onto it). Strings are copied. */
struct gw_jwks_source_opts {
    const char *jwk_url;        /* may be NULL when jwk_local_path is set */
    const char *jwk_local_path; /* preferred over jwk_url, as KrakenD does */
    bool disable_jwk_security;
    const char *const *jwk_fingerprints; /* n_fingerprints entries */
    size_t n_fingerprints;
    const char *jwk_local_ca;
    const uint16_t *cipher_suites; /* IANA numbers; n_cipher_suites entries */
    size_t n_cipher_suites;
    bool cache;
    int64_t cache_duration_s;           /* 0 = 900 when cache is true */
    int64_t failed_jwk_key_cooldown_ms; /* 0 or below 1000 = the registry's kid_cooldown_ms */
};

struct gw_jwks_cache;
struct gw_jwks_source; /* borrowed handle, valid until gw_jwks_cache_destroy */

/* Returns an owned registry or NULL with err set (allocation failure only). Calls
 * curl_global_init (reference-counted by libcurl); destroy calls curl_global_cleanup. */
struct gw_jwks_cache *gw_jwks_cache_new(const struct gw_jwks_cache_opts *opts, struct cmn_err *err);

/* Registers an endpoint's source, before gw_jwks_cache_start. Returns the shared, borrowed
 * handle, or NULL with err (code: enum gw_jwks_cache_status) when the options are invalid; the
 * caller then makes that endpoint refuse every token (KrakenD's insecure-URL behaviour) or
 * stops startup. A jwk_local_path is read here, once: if it cannot be read or parsed, the
 * handle is still returned, the error is logged, and lookups answer GW_JWKS_UNAVAILABLE
 * (gw_jwks_source_last_error says why). Endpoints sharing a source share the shortest
 * refresh interval and the shortest cooldown any of them asked for. */
struct gw_jwks_source *gw_jwks_cache_add(struct gw_jwks_cache *c,
                                         const struct gw_jwks_source_opts *o, struct cmn_err *err);

/* Starts the fetcher thread; every URL source starts its first fetch at once in the
 * background. Returns GW_JWKS_CACHE_OK without waiting for any fetch. */
int gw_jwks_cache_start(struct gw_jwks_cache *c, struct cmn_err *err);

/* Makes the registry look at its clock again: wakes lookups waiting on a fetch (wait_ms > 0)
 * so they re-check their deadline, and wakes the fetcher, returning once it has started every
 * fetch due at the clock's reading when kick was called (at once when the fetcher is not
 * running). For tests driving a manual clock, which moves without the fetcher noticing; the
 * system clock needs no kick. Call it from one thread, between start and destroy. */
void gw_jwks_cache_kick(struct gw_jwks_cache *c);

/* Stops the fetcher (aborting fetches in flight) and frees every source and key set still
 * held by the registry. Sets handed out by lookups stay valid until their holders unref them.
 * NULL is accepted. No lookup may run concurrently or afterwards. */
void gw_jwks_cache_destroy(struct gw_jwks_cache *c);

size_t gw_jwks_cache_source_count(const struct gw_jwks_cache *c);

enum gw_jwks_status {
    GW_JWKS_OK = 0,
    GW_JWKS_NO_KEYS_YET, /* no fetch has succeeded yet (first fetch pending or failing) */
    GW_JWKS_UNKNOWN_KID, /* the current set has no such key; a refetch was requested */
    GW_JWKS_STALE,       /* refreshes failed for longer than the refresh interval + grace */
    GW_JWKS_UNAVAILABLE, /* the local file could not be read or parsed */
};

/* Finds the key for kid (NULL kid: a set's only key, as gw_jwks_find). On GW_JWKS_OK, *set
 * receives a new reference to the current snapshot (release it with gw_jwks_unref) and *key a
 * key borrowed from it; otherwise both are NULL. An unknown kid requests a background
 * refetch, spaced by the source's cooldown. wait_ms 0 never blocks (recommended); a positive
 * wait_ms lets a lookup whose kid is unknown, or whose source has no keys yet, wait up to that
 * long (and never past the fetch timeout) for a fetch already in flight, then look again. */
enum gw_jwks_status gw_jwks_source_lookup(struct gw_jwks_source *s, const char *kid,
                                          int64_t wait_ms, struct gw_jwks **set,
                                          const struct gw_jwk **key);

/* The current snapshot, for callers that match keys themselves (key_identify_strategy x5t,
 * x5t#S256, kid_x5t): GW_JWKS_OK with a new reference in *set, or the reason there is none.
 * Report a failed match with gw_jwks_source_report_miss. */
enum gw_jwks_status gw_jwks_source_current(struct gw_jwks_source *s, struct gw_jwks **set);
/* Asks for a refetch because a token named a key the set lacks (rate-limited; never blocks). */
void gw_jwks_source_report_miss(struct gw_jwks_source *s);
/* The timeout of one fetch (connect to last byte), as configured. */
int64_t gw_jwks_cache_timeout_ms(const struct gw_jwks_cache *c);
/* Non-blocking probe for callers that park a request instead of blocking a thread: the number
 * of fetches finished so far (it changes when one ends), and in *coming whether a fetch is
 * running or due now, so that waiting for the next change makes sense. */
uint64_t gw_jwks_source_progress(struct gw_jwks_source *s, bool *coming);

/* Copies the last fetch or load error of the source into buf (NUL-terminated); returns false
 * and an empty buf when the last attempt succeeded or none was made. */
bool gw_jwks_source_last_error(struct gw_jwks_source *s, char *buf, size_t n);
/* Where the source comes from (the URL or the local path), borrowed. */
const char *gw_jwks_source_name(const struct gw_jwks_source *s);

/* Counters for tests and diagnostics. */
struct gw_jwks_source_stats {
    uint64_t fetches;       /* started */
    uint64_t failures;      /* fetches that kept the old keys (transport, status, parse) */
    uint64_t updates;       /* fetches that installed a different key set */
    uint64_t miss_requests; /* unknown-kid refetches actually started */
};
void gw_jwks_source_stats(struct gw_jwks_source *s, struct gw_jwks_source_stats *out);

#endif
