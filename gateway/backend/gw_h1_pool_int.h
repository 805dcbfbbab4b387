/* gw_h1_pool_int.h - the idle-connection counts every worker's gw_h1 shares (Go's one
 * Transport): their layout, for gw_h1.c. */
#ifndef GW_H1_POOL_INT_H
#define GW_H1_POOL_INT_H

#include "gw_h1.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#define GW_H1_DEFAULT_IDLE_PER_HOST 250 /* lura's MaxIdleConnsPerHost when 0 */

struct gw_h1_pool_entry {
    char *key;
    atomic_size_t n_idle; /* over every worker */
    struct gw_h1_pool_entry *next;
};

struct gw_h1_pool {
    size_t max_per_host, max_total;
    atomic_size_t n_idle;
    pthread_mutex_t mu; /* guards the host list (entries are never removed) */
    struct gw_h1_pool_entry *hosts;
};

/* The pool's count for host key (an authority), made on first use; borrowed from p, lives
 * until gw_h1_pool_destroy. NULL when out of memory. Each worker asks once per host. */
struct gw_h1_pool_entry *gw_h1_pool_host(struct gw_h1_pool *p, const char *key);

#endif
