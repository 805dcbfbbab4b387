/* gw_tel.h - what the telemetry modules share: owned string and key/value lists (their
 * configurations' warnings and static attributes), and per-thread slots, so that each thread
 * that records a metric or a span writes memory no other thread writes. */
#ifndef GW_TEL_H
#define GW_TEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_tel_strs {
    char **items;
    size_t n;
};

struct gw_tel_kv {
    char *key;
    char *value;
};

/* Static attributes: entries with an empty key or value already dropped. */
struct gw_tel_kvs {
    struct gw_tel_kv *items;
    size_t n;
};

/* Appends an owned copy of str ("" for NULL); false on allocation failure. */
bool gw_tel_strs_add(struct gw_tel_strs *s, const char *str);
void gw_tel_strs_free(struct gw_tel_strs *s);
/* *dst becomes a copy of src; false on allocation failure (dst then holds what was copied). */
bool gw_tel_strs_copy(struct gw_tel_strs *dst, const struct gw_tel_strs *src);
bool gw_tel_kvs_add(struct gw_tel_kvs *k, const char *key, const char *value);
void gw_tel_kvs_free(struct gw_tel_kvs *k);
bool gw_tel_kvs_copy(struct gw_tel_kvs *dst, const struct gw_tel_kvs *src);

/* Lura's normalised endpoint (gin's form), what KrakenD's telemetry names an endpoint by: each
 * "/{name}" segment start becomes "/:name" ("/users/{id}" -> "/users/:id"). Owned or NULL. */
char *gw_tel_endpoint_route(const char *path);

/* Thread slots. A thread that records asks for its slot: the first `cap` threads to ask get one
 * each, for as long as the slots live (the gateway's worker loops, which do nearly all the
 * recording); later threads (the validator's parking thread answering a 401, a test's main
 * thread) share slot `cap`, which callers protect with atomics or a lock. */
struct gw_tel_slots {
    unsigned cap;
    atomic_uint next;
    uint64_t gen; /* tells these slots from earlier ones at the same address */
};

void gw_tel_slots_init(struct gw_tel_slots *s, unsigned cap);
/* The calling thread's slot: 0..cap-1 of its own, or cap (shared). Cheap after the first call
 * (a thread-local look-up). */
unsigned gw_tel_slot(struct gw_tel_slots *s);

#endif
