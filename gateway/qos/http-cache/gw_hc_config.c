/* gw_hc_config.c - qos/http-cache options as Go's encoding/json decodes them into
 * krakend-httpcache's struct, and the store each backend gets (§7.2, [hcache:http.go]). */
#include "gw_hc_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum field { F_SHARED, F_MAX_SIZE, F_MAX_ITEMS, F_NONE };

static enum field field_of(const char *k)
{
    /* encoding/json matches field names case-insensitively */
    if (strcasecmp(k, "shared") == 0)
        return F_SHARED;
    if (strcasecmp(k, "max_size") == 0)
        return F_MAX_SIZE;
    if (strcasecmp(k, "max_items") == 0)
        return F_MAX_ITEMS;
    return F_NONE;
}

/* A uint64 field: the value went through float64 and json.Marshal before Unmarshal, so only a
 * non-negative whole number below 2^64 (and 1e21, where Go switches to exponents) decodes. */
static bool read_u64(const json_t *v, uint64_t *out)
{
    double d;

    if (json_is_null(v))
        return true; /* null leaves the field alone */
    if (!json_is_number(v))
        return false;
    d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
    if (signbit(d) || d != floor(d) || d >= 18446744073709551616.0)
        return false; /* "-0", "-1", "1.5", overflow or "1e+21" */
    *out = (uint64_t)d;
    return true;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Decodes the object: false (with *bad, the first such key) when Go would refuse a value.
 * -1 on ENOMEM. */
static int decode(const json_t *ns, const char *path, struct gw_hc_config *out,
                  const struct cmn_warn *w, const char **bad)
{
    size_t n = json_object_size(ns), i = 0;
    const char **keys = calloc(n ? n : 1, sizeof(*keys));
    const char *k;
    json_t *v;
    bool ok = true;

    if (!keys)
        return -1;
    json_object_foreach((json_t *)(uintptr_t)ns, k, v) keys[i++] = k;
    qsort(keys, n, sizeof(*keys), cmp_keys); /* Go re-encodes the map with sorted keys */
    for (i = 0; i < n; i++) {
        bool good = true;

        v = json_object_get(ns, keys[i]);
        switch (field_of(keys[i])) {
        case F_SHARED:
            if (json_is_boolean(v))
                out->shared = json_is_true(v);
            else
                good = json_is_null(v);
            break;
        case F_MAX_SIZE:
            good = read_u64(v, &out->max_size);
            break;
        case F_MAX_ITEMS:
            good = read_u64(v, &out->max_items);
            break;
        case F_NONE:
            if (!keys[i][0] || !strchr("@$_#", keys[i][0]))
                cmn_warnf(w, "%s.%s: unknown option; ignored", path, keys[i]);
            break;
        }
        if (!good && ok) {
            ok = false;
            *bad = keys[i];
            cmn_warnf(w,
                      "%s.%s: not what Go decodes (a boolean, or a whole number >= 0); "
                      "KrakenD falls back to a private cache without sizes",
                      path, keys[i]);
        }
    }
    free(keys);
    return ok ? 1 : 0;
}

enum gw_hc_status gw_hc_config_parse(const json_t *ns, const char *path, struct gw_hc_config *out,
                                     const struct cmn_warn *warnings, struct cmn_err *err)
{
    const char *bad = "";
    int r = 0;

    memset(out, 0, sizeof(*out));
    if (!ns)
        return GW_HC_ABSENT;
    out->on = true; /* any value installs a cache */
    if (json_is_null(ns))
        return GW_HC_OK;
    if (json_is_object(ns))
        r = decode(ns, path, out, warnings, &bad);
    else
        cmn_warnf(warnings, "%s: not an object; KrakenD falls back to a private cache", path);
    if (r < 0)
        return cmn_err_set(err, GW_HC_NOMEM, "%s: out of memory", path);
    if (r == 0) {
        memset(out, 0, sizeof(*out));
        out->on = true;
        out->fallback = true;
    }
    return GW_HC_OK;
}

/* ---- store selection ---- */

struct gw_hc_registry {
    pthread_mutex_t mu;
    struct gw_hc_store *shared_map; /* KrakenD's globalCache (here bounded by the defaults) */
    struct gw_hc_store *shared_lru; /* KrakenD's globalLruCache, sized by its first user */
    uint64_t def_bytes, def_items;
    struct cmn_siphash_key key;
};

struct gw_hc_registry *gw_hc_registry_new(const struct gw_hc_registry_opts *o)
{
    struct gw_hc_registry *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        free(r);
        return NULL;
    }
    r->def_bytes = o && o->default_max_bytes ? o->default_max_bytes : GW_HC_DEFAULT_MAX_BYTES;
    r->def_items = o && o->default_max_items ? o->default_max_items : GW_HC_DEFAULT_MAX_ITEMS;
    if (o)
        r->key = o->key;
    return r;
}

void gw_hc_registry_destroy(struct gw_hc_registry *r)
{
    if (!r)
        return;
    gw_hc_store_destroy(r->shared_map);
    gw_hc_store_destroy(r->shared_lru);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

struct gw_hc_store *gw_hc_registry_select(struct gw_hc_registry *r, const struct gw_hc_config *c)
{
    struct gw_hc_store *s = NULL;
    bool bounded = c->max_size > 0 && c->max_items > 0;

    if (!c->on)
        return NULL;
    if (c->fallback || (!bounded && !c->shared))
        return gw_hc_store_new(r->def_bytes, r->def_items, &r->key);
    if (!c->shared)
        return gw_hc_store_new(c->max_size, c->max_items, &r->key);
    pthread_mutex_lock(&r->mu);
    if (!bounded) {
        if (!r->shared_map)
            r->shared_map = gw_hc_store_new(r->def_bytes, r->def_items, &r->key);
        s = gw_hc_store_ref(r->shared_map);
    } else {
        if (!r->shared_lru) {
            r->shared_lru = gw_hc_store_new(c->max_size, c->max_items, &r->key);
        }
        s = gw_hc_store_ref(r->shared_lru);
    }
    pthread_mutex_unlock(&r->mu);
    return s;
}
