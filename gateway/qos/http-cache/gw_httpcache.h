/* gw_httpcache.h - qos/http-cache: krakend-httpcache v2.2.0 over krakend/httpcache (traffic
 * spec §7): config and store selection, cache keys, freshness, validation, Vary, storage
 * decisions, a thread-safe LRU bounded by bytes and items, and the backend stage that puts it
 * where KrakenD's caching RoundTripper sits: around the HTTP exchange, inside the circuit
 * breaker and the backend rate limiter (§1).
 *
 * One backend exchange, on the seams' types (gw_outreq, gw_fetch_result):
 *     gw_hc_begin(store, request, now, &plan)
 *       SERVE -> answer with gw_hc_result_new(plan.entry, url), no backend call
 *       FETCH -> send the request with plan.if_none_match / plan.if_modified_since set, then
 *     gw_hc_finish(store, &plan, result, now)   (the result is edited or replaced in place)
 *     gw_hc_plan_free(&plan)
 * `now_unix_ns` is the wall clock in nanoseconds: freshness compares it with the backend's Date
 * header. */
#ifndef GW_HTTPCACHE_H
#define GW_HTTPCACHE_H

#include "cmn_clock.h"
#include "cmn_err.h"
#include "cmn_siphash.h"
#include "gw_config.h"
#include "gw_hdrs.h"
#include "gw_message.h"
#include "gw_stage.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_HC_NS "github.com/devopsfaith/krakend-httpcache"
#define GW_HC_NS_ALIAS "qos/http-cache"
/* Vary names a stored entry remembers (X-Varied-*); beyond that, requests revalidate. */
#define GW_HC_MAX_VARY 32
/* Longest cache key (the backend URL); longer requests bypass the cache. */
#define GW_HC_MAX_KEY 8192
/* What KrakenD leaves unbounded is bounded here by default (docs/qos.md). */
#define GW_HC_DEFAULT_MAX_BYTES ((uint64_t)32 << 20)
#define GW_HC_DEFAULT_MAX_ITEMS ((uint64_t)8192)

enum gw_hc_status {
    GW_HC_OK = 0,
    GW_HC_ABSENT, /* namespace absent: no cache */
    GW_HC_NOMEM,
};

/* ---- config (§7.2) ---- */

struct gw_hc_config {
    bool on;            /* the namespace is present (any value installs a cache) */
    bool shared;        /* the process-wide store */
    uint64_t max_size;  /* bytes; with max_items, a bounded LRU */
    uint64_t max_items; /* with max_size, a bounded LRU */
    bool fallback;      /* Go's decoding failed: a private store, sizes ignored */
};

/* Parses the namespace value ns (NULL = absent) at path, as Go's encoding/json decodes it
 * (key names case-insensitive, wrong types or non-integral sizes -> fallback). warn may be
 * NULL. */
enum gw_hc_status gw_hc_config_parse(const json_t *ns, const char *path, struct gw_hc_config *out,
                                     const struct cmn_warn *warn, struct cmn_err *err);

/* ---- entries: stored responses, immutable and reference-counted ---- */

struct gw_hc_entry;

/* The stored response (status, headers, body; no url, no error), borrowed while the caller
 * holds its reference. */
const struct gw_fetch_result *gw_hc_entry_result(const struct gw_hc_entry *e);
/* The size KrakenD counts for the entry: its HTTP/1.1 serialisation (status line, headers,
 * blank line, body). */
uint64_t gw_hc_entry_size(const struct gw_hc_entry *e);
/* Drops one reference; e may be NULL. */
void gw_hc_entry_release(struct gw_hc_entry *e);
/* A copy of the stored response for the proxy, with url (copied; may be NULL): malloc'ed,
 * owned by the caller (gw_fetch_result_free + free). NULL on allocation failure. */
struct gw_fetch_result *gw_hc_result_new(const struct gw_hc_entry *e, const char *url);

/* ---- the store (thread-safe, reference-counted) ---- */

struct gw_hc_store;

struct gw_hc_store_stats {
    uint64_t items;
    uint64_t bytes;     /* sum of gw_hc_entry_size(): what max_size bounds */
    uint64_t mem_bytes; /* memory held: entries, keys, nodes and the table (approximate) */
    uint64_t evictions;
};

/* An LRU store holding at most max_items entries and max_bytes of entry sizes (both > 0); an
 * entry of max_bytes or more is never stored. key: secret hashing key. Owned (one reference);
 * NULL on ENOMEM. */
struct gw_hc_store *gw_hc_store_new(uint64_t max_bytes, uint64_t max_items,
                                    const struct cmn_siphash_key *key);
/* Takes one more reference. */
struct gw_hc_store *gw_hc_store_ref(struct gw_hc_store *s);
/* Drops a reference; the last one frees the store. s may be NULL. */
void gw_hc_store_destroy(struct gw_hc_store *s);
/* A new reference to the entry under key (most recently used from now), or NULL. */
struct gw_hc_entry *gw_hc_store_get(struct gw_hc_store *s, const char *key, size_t key_len);
/* Stores e under key, taking over the caller's reference (released when not stored). */
void gw_hc_store_set(struct gw_hc_store *s, const char *key, size_t key_len, struct gw_hc_entry *e);
void gw_hc_store_delete(struct gw_hc_store *s, const char *key, size_t key_len);
struct gw_hc_store_stats gw_hc_store_stats(struct gw_hc_store *s);

/* ---- store selection: private, shared, bounded (§7.2) ---- */

struct gw_hc_registry_opts {
    uint64_t default_max_bytes; /* 0 = GW_HC_DEFAULT_MAX_BYTES: bound of "unbounded" stores */
    uint64_t default_max_items; /* 0 = GW_HC_DEFAULT_MAX_ITEMS */
    struct cmn_siphash_key key; /* secret; cmn_siphash_key_random() */
};

struct gw_hc_registry;

struct gw_hc_registry *gw_hc_registry_new(const struct gw_hc_registry_opts *o);
/* Drops the registry's references to the shared stores (backends keep theirs). */
void gw_hc_registry_destroy(struct gw_hc_registry *r);
/* The store of a backend with config c, as a new reference (NULL when !c->on or ENOMEM). Call
 * in configuration order at startup: the first shared bounded backend sizes the shared LRU,
 * whatever the later ones declare. Thread-safe. */
struct gw_hc_store *gw_hc_registry_select(struct gw_hc_registry *r, const struct gw_hc_config *c);

/* ---- header semantics (pure; header lists may be NULL = none) ---- */

enum gw_hc_freshness {
    GW_HC_STALE = 0,
    GW_HC_FRESH,
    GW_HC_TRANSPARENT, /* the request says no-cache: fetch without validators */
};

/* Go's time.Parse(time.RFC1123, s) ("Mon, 02 Jan 2006 15:04:05 GMT") by common/go's
 * cmn_go_time_parse, every zone name taken as UTC (as Go does for names it does not know, with
 * Local = UTC; GMT+h too: Go keeps the clock reading). */
bool gw_hc_parse_http_date(const char *s, int64_t *unix_s, int32_t *nsec);
/* The value of a Cache-Control directive as krakend/httpcache reads it: one header line,
 * comma-separated, spaces trimmed, value up to a second '=', case-sensitive names, last one
 * wins. Borrowed (*val, *len) into cc; false when absent. */
bool gw_hc_cc_get(const char *cc, const char *directive, const char **val, size_t *len);

/* getFreshness of a stored response (its headers) for a request (its headers) at now. */
enum gw_hc_freshness gw_hc_freshness(const struct gw_hdrs *stored, const struct gw_hdrs *req,
                                     int64_t now_unix_ns);
/* canStaleOnError: may the stored response answer a failed or 5xx fetch. */
bool gw_hc_stale_on_error(const struct gw_hdrs *stored, const struct gw_hdrs *req,
                          int64_t now_unix_ns);
/* canStore: neither request nor response says no-store. */
bool gw_hc_can_store(const struct gw_hdrs *req, const struct gw_hdrs *resp);
/* varyMatches: every name in the stored Vary has the same request value as its X-Varied-*. */
bool gw_hc_vary_matches(const struct gw_hdrs *stored, const struct gw_hdrs *req);

/* ---- one backend exchange ---- */

enum gw_hc_action {
    GW_HC_FETCH = 0, /* call the backend */
    GW_HC_SERVE,     /* answer with plan.entry (fresh, or the only-if-cached 504) */
};

struct gw_hc_plan {
    enum gw_hc_action action;
    bool cacheable; /* GET or HEAD without a Range header */
    bool get;       /* the backend method is GET */
    char *key;      /* owned: the URL for GET, "<METHOD> <url>" otherwise; NULL: URL too long */
    size_t key_len;
    struct gw_hc_entry *stored; /* owned reference while the fetch runs; NULL if none */
    struct gw_hc_entry *entry;  /* SERVE: owned reference to answer with */
    /* FETCH: set (replace) these request headers when non-NULL; borrowed from stored */
    const char *if_none_match;
    const char *if_modified_since;
    struct gw_hdrs sent; /* FETCH of a cacheable request: its headers as sent (validators
                          * included), which gw_hc_finish reads: the request itself is gone */
};

/* Decides how to serve req (its method, URL and headers). The plan is owned by the caller
 * (gw_hc_plan_free) whatever the result. */
enum gw_hc_status gw_hc_begin(struct gw_hc_store *s, const struct gw_outreq *req,
                              int64_t now_unix_ns, struct gw_hc_plan *plan, struct cmn_err *err);
/* After a FETCH: res is the backend's answer (status 0 = a transport error). It is changed in
 * place as krakend/httpcache changes what it returns: replaced by the stored response (a 304
 * that refreshed it, or stale-if-error), or given its X-Varied-* headers and stripped of
 * Content-Encoding: gzip; the store is updated (stored, refreshed or deleted). */
enum gw_hc_status gw_hc_finish(struct gw_hc_store *s, struct gw_hc_plan *plan,
                               struct gw_fetch_result *res, int64_t now_unix_ns,
                               struct cmn_err *err);
void gw_hc_plan_free(struct gw_hc_plan *plan);

/* ---- the stage (gw_modules.c lists its factory innermost) ---- */

/* The factory's context: the wall clock freshness reads (NULL = the system clock), the bounds
 * of KrakenD's unbounded stores (0 = defaults), and the registry of shared stores of one build
 * (created by the first cache built, freed with the last). Builds and frees run on one thread. */
struct gw_hc_env {
    const struct cmn_clock *clock;
    uint64_t default_max_bytes, default_max_items;
    struct gw_hc_registry *registry;
    size_t registry_refs;
};

/* gw_stage_factory.build: an http_request/http_response stage on each backend with the
 * namespace. A fresh hit answers without a backend call (inside the breaker and the backend
 * limiter: it still passed both). */
bool gw_hc_build(void *env, const struct gw_config *cfg, const struct gw_endpoint *ep,
                 const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err);

extern const struct gw_stage_factory gw_hc_factory; /* system clock, default bounds */

#endif
