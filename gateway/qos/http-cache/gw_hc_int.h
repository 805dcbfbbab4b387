/* gw_hc_int.h - what the http-cache files share and tests may call; not for other modules. */
#ifndef GW_HC_INT_H
#define GW_HC_INT_H

#include "gw_httpcache.h"

#include <stdatomic.h>

/* Longest Vary name handled (canonicalised in a buffer of this size). */
#define GW_HC_MAX_NAME 256

struct gw_hc_entry {
    _Atomic uint32_t refs;
    struct gw_fetch_result r; /* status, headers, body; url and error NULL */
    uint64_t size;            /* KrakenD's measure: the HTTP/1.1 serialisation */
    size_t alloc;             /* bytes held by the entry (approximate) */
};

/* A new entry (one reference) holding status, body and the headers of h for which drop (may be
 * NULL) says false, then the headers of add (may be NULL); NULL on ENOMEM. */
struct gw_hc_entry *gw_hc_entry_build(long status, const struct gw_hdrs *h,
                                      bool (*drop)(const void *ud, const char *name),
                                      const void *ud, const struct gw_hdrs *add, const char *body,
                                      size_t body_len);
/* One more reference. */
struct gw_hc_entry *gw_hc_entry_ref(struct gw_hc_entry *e);

/* First value of name in h (NULL-safe), borrowed. */
const char *gw_hc_get(const struct gw_hdrs *h, const char *name);

/* Calls fn with every name listed in h's Vary lines, trimmed and canonical (NULL for a name
 * of GW_HC_MAX_NAME bytes or more); stops and returns false when fn does. */
typedef bool (*gw_hc_vary_fn)(void *ud, const char *name);
bool gw_hc_vary_each(const struct gw_hdrs *h, gw_hc_vary_fn fn, void *ud);

/* a - b for two instants (seconds, nanoseconds), saturating as Go's Time.Sub. */
int64_t gw_hc_sub(int64_t a_s, int32_t a_ns, int64_t b_s, int32_t b_ns);

#endif
