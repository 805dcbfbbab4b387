/* gw_h1_pool.c - idle-connection counts shared by every worker's HTTP/1.1 transport, so that
 * max_idle_connections(_per_host) bound the gateway as Go's one Transport bounds KrakenD. */
#include "gw_h1_pool_int.h"

#include <stdlib.h>
#include <string.h>

struct gw_h1_pool *gw_h1_pool_new(size_t max_idle_per_host, size_t max_idle)
{
    struct gw_h1_pool *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->max_per_host = max_idle_per_host ? max_idle_per_host : GW_H1_DEFAULT_IDLE_PER_HOST;
    p->max_total = max_idle;
    atomic_init(&p->n_idle, 0);
    pthread_mutex_init(&p->mu, NULL);
    return p;
}

void gw_h1_pool_destroy(struct gw_h1_pool *p)
{
    if (!p)
        return;
    while (p->hosts) {
        struct gw_h1_pool_entry *h = p->hosts;
        p->hosts = h->next;
        free(h->key);
        free(h);
    }
    pthread_mutex_destroy(&p->mu);
    free(p);
}

struct gw_h1_pool_entry *gw_h1_pool_host(struct gw_h1_pool *p, const char *key)
{
    struct gw_h1_pool_entry *h;

    pthread_mutex_lock(&p->mu);
    for (h = p->hosts; h; h = h->next) {
        if (strcmp(h->key, key) == 0)
            break;
    }
    if (!h && (h = calloc(1, sizeof(*h)))) {
        if ((h->key = strdup(key))) {
            atomic_init(&h->n_idle, 0);
            h->next = p->hosts;
            p->hosts = h;
        } else {
            free(h);
            h = NULL;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return h;
}
