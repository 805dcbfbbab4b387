/* gw_bot_lru.h - a bounded, thread-safe LRU map from User-Agent strings to bot verdicts
 * (hashicorp/golang-lru's Get/Add as krakend-botdetector uses them). Private to the module. */
#ifndef GW_BOT_LRU_H
#define GW_BOT_LRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_bot_lru;

/* capacity entries (> 0) of keys up to key_max bytes, at most max_bytes of keys in all; the
 * hash is keyed by seed. Large caches are split into shards with a lock each; a cache below
 * GW_BOT_LRU_SHARD_MIN entries is one exact LRU. NULL on allocation failure. */
#define GW_BOT_LRU_SHARD_MIN 4096
struct gw_bot_lru *gw_bot_lru_new(size_t capacity, size_t key_max, size_t max_bytes,
                                  const uint64_t seed[2]);
void gw_bot_lru_destroy(struct gw_bot_lru *c);

/* Looks key up; a hit makes it the most recently used. Returns true and sets *bot on a hit. */
bool gw_bot_lru_get(struct gw_bot_lru *c, const char *key, size_t len, bool *bot);
/* Inserts or updates key as the most recently used, evicting the least recently used entry
 * when full. Keys longer than key_max are not stored. false only on allocation failure. */
bool gw_bot_lru_add(struct gw_bot_lru *c, const char *key, size_t len, bool bot);
/* Entries held (all shards). */
size_t gw_bot_lru_len(struct gw_bot_lru *c);

/* SipHash-2-4 of data with key k (also used to pick a shard). */
uint64_t gw_bot_siphash(const uint64_t k[2], const void *data, size_t len);

#endif
