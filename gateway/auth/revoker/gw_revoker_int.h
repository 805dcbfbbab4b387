/* gw_revoker_int.h - what the revoker's files share and tests may call; not for other modules. */
#ifndef GW_REVOKER_INT_H
#define GW_REVOKER_INT_H

#include "gw_revoker.h"

#include <pthread.h>
#include <stdatomic.h>

enum { GW_BLOOM_PREV = 0, GW_BLOOM_CUR = 1, GW_BLOOM_NEXT = 2 };

/* The sliding set of three filters (gw_bloom.c). */
struct gw_bloom {
    uint64_t m, k, words;
    int64_t ttl_ms, t0_ms;
    uint64_t ticks;          /* rotations done (under the write lock) */
    _Atomic int64_t next_ms; /* when the next one is due */
    pthread_rwlock_t lock;   /* read: add and check; write: rotate */
    _Atomic uint64_t *f[3];
};

/* Three empty filters of m bits, k positions per element, rotating every ttl_ms from now_ms.
 * false on ENOMEM (nothing to free). */
bool gw_bloom_init(struct gw_bloom *b, uint64_t m, uint64_t k, int64_t ttl_ms, int64_t now_ms);
void gw_bloom_free(struct gw_bloom *b);
void gw_bloom_add(struct gw_bloom *b, const void *elem, size_t n, int64_t now_ms);
bool gw_bloom_check(struct gw_bloom *b, const void *elem, size_t n, int64_t now_ms);
/* TTL seconds as milliseconds, capped far below overflow. */
int64_t gw_bloom_ttl_s_to_ms(uint64_t ttl_s);

#endif
