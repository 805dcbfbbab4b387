/* gw_config_tls.c - the service's `tls` block (the listener) and `client_tls` with
 * `allow_insecure_connections` (the backend client), decoded as lura's config.TLS and
 * config.ClientTLS with mapstructure's weak typing. */
#include "gw_config_int.h"

#include <stdlib.h>
#include <string.h>

#define TLS(f) offsetof(struct gw_tls_opts, f)
static const struct gw_cfg_field TLS_FIELDS[] = {
    {"disabled", GW_CFG_BOOL, TLS(disabled), 0, 0},
    {"public_key", GW_CFG_STRING, TLS(public_key), 0, 0},
    {"private_key", GW_CFG_STRING, TLS(private_key), 0, 0},
    {"min_version", GW_CFG_STRING, TLS(min_version), 0, 0},
    {"max_version", GW_CFG_STRING, TLS(max_version), 0, 0},
    {"enable_mtls", GW_CFG_BOOL, TLS(enable_mtls), 0, 0},
    {"disable_system_ca_pool", GW_CFG_BOOL, TLS(disable_system_ca_pool), 0, 0},
    {"prefer_server_cipher_suites", GW_CFG_BOOL, TLS(prefer_server_cipher_suites), 0, 0},
    {"ca_certs", GW_CFG_STRLIST, TLS(ca_certs), 0, 0},
};

#define CTLS(f) offsetof(struct gw_client_tls_opts, f)
static const struct gw_cfg_field CLIENT_TLS_FIELDS[] = {
    {"allow_insecure_connections", GW_CFG_BOOL, CTLS(allow_insecure_connections), 0, 0},
    {"disable_system_ca_pool", GW_CFG_BOOL, CTLS(disable_system_ca_pool), 0, 0},
    {"ca_certs", GW_CFG_STRLIST, CTLS(ca_certs), 0, 0},
    {"min_version", GW_CFG_STRING, CTLS(min_version), 0, 0},
    {"max_version", GW_CFG_STRING, CTLS(max_version), 0, 0},
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

/* A []uint16 as mapstructure decodes it: numbers (or numeric strings, weakly) from 0 to 65535;
 * a single value is a one-element list. */
static bool u16_list(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                     struct gw_u16list *out)
{
    json_t *v = gw_cfg_member(obj, key), *m;
    char p[GW_CFG_PATH_MAX], pi[GW_CFG_PATH_MAX];
    size_t n, i;

    if (!v || json_is_null(v))
        return true;
    gw_cfg_path_key(p, path, key);
    n = json_is_array(v) ? json_array_size(v) : 1;
    if (n > GW_CFG_MAX_LIST)
        return gw_cfg_fail(c, p, "more than %d entries", GW_CFG_MAX_LIST);
    free(out->items);
    out->items = calloc(n ? n : 1, sizeof(*out->items));
    out->n = 0;
    if (!out->items)
        return gw_cfg_oom(c);
    for (i = 0; i < n; i++) {
        json_t *holder = json_object();
        long long x = 0;
        m = json_is_array(v) ? json_array_get(v, i) : v;
        gw_cfg_path_idx(pi, p, i);
        /* the getter reads a member: give it one */
        if (!holder || json_object_set(holder, "v", m) != 0) {
            json_decref(holder);
            return gw_cfg_oom(c);
        }
        bool ok = gw_cfg_get_int(c, holder, "v", pi, 0, 65535, &x);
        json_decref(holder);
        if (!ok)
            return false;
        out->items[out->n++] = (uint16_t)x;
    }
    return true;
}

/* An array of {<cert_key>, private_key} maps. */
static bool pairs(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *cert_key,
                  const char *path, struct gw_tls_pair **out, size_t *n_out)
{
    json_t *v = gw_cfg_member(obj, key), *m;
    char p[GW_CFG_PATH_MAX], pi[GW_CFG_PATH_MAX];
    size_t i;

    if (!v || json_is_null(v))
        return true;
    gw_cfg_path_key(p, path, key);
    if (!json_is_array(v))
        return gw_cfg_fail(c, p, "expected a list of maps");
    if (json_array_size(v) > GW_CFG_MAX_LIST)
        return gw_cfg_fail(c, p, "more than %d entries", GW_CFG_MAX_LIST);
    *out = calloc(json_array_size(v) + 1, sizeof(**out));
    if (!*out)
        return gw_cfg_oom(c);
    json_array_foreach(v, i, m)
    {
        gw_cfg_path_idx(pi, p, i);
        if (!json_is_object(m))
            return gw_cfg_fail(c, pi, "expected a map");
        (*n_out)++;
        if (!gw_cfg_get_string(c, m, cert_key, pi, &(*out)[i].cert) ||
            !gw_cfg_get_string(c, m, "private_key", pi, &(*out)[i].key))
            return false;
    }
    return true;
}

static bool listener(struct gw_cfg_ctx *c, json_t *v)
{
    struct gw_tls_opts *t = &c->cfg->tls;

    if (!json_is_object(v))
        return gw_cfg_fail(c, "tls", "'tls' expected a map");
    t->present = true;
    if (!gw_cfg_decode_fields(c, v, "tls", TLS_FIELDS, NFIELDS(TLS_FIELDS), t) ||
        !u16_list(c, v, "cipher_suites", "tls", &t->cipher_suites) ||
        !u16_list(c, v, "curve_preferences", "tls", &t->curve_preferences) ||
        !pairs(c, v, "keys", "public_key", "tls", &t->keys, &t->n_keys))
        return false;
    if (t->disabled)
        return true;
    if (!t->public_key && !t->private_key && t->n_keys == 0)
        gw_cfg_warn(c, "tls: the block names no public_key/private_key: the gateway serves "
                       "plain HTTP");
    return true;
}

static bool client(struct gw_cfg_ctx *c, json_t *root)
{
    struct gw_client_tls_opts *t = &c->cfg->client_tls;
    json_t *v = gw_cfg_member(root, "client_tls");
    bool insecure = false;

    if (!gw_cfg_get_bool(c, root, "allow_insecure_connections", "", &insecure))
        return false;
    if (v && !json_is_null(v)) {
        if (!json_is_object(v))
            return gw_cfg_fail(c, "client_tls", "'client_tls' expected a map");
        t->present = true;
        if (!gw_cfg_decode_fields(c, v, "client_tls", CLIENT_TLS_FIELDS, NFIELDS(CLIENT_TLS_FIELDS),
                                  t) ||
            !u16_list(c, v, "cipher_suites", "client_tls", &t->cipher_suites) ||
            !u16_list(c, v, "curve_preferences", "client_tls", &t->curve_preferences) ||
            !pairs(c, v, "client_certs", "certificate", "client_tls", &t->client_certs,
                   &t->n_client_certs))
            return false;
    }
    /* lura: the service-level flag makes a client_tls block if there is none */
    if (insecure) {
        t->present = true;
        t->allow_insecure_connections = true;
    }
    return true;
}

bool gw_cfg_tls(struct gw_cfg_ctx *c, json_t *root)
{
    json_t *v = gw_cfg_member(root, "tls");

    if (v && !json_is_null(v) && !listener(c, v))
        return false;
    return client(c, root);
}

static void pairs_free(struct gw_tls_pair *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        free(p[i].cert);
        free(p[i].key);
    }
    free(p);
}

void gw_cfg_tls_free(struct gw_config *cfg)
{
    struct gw_tls_opts *t = &cfg->tls;
    struct gw_client_tls_opts *ct = &cfg->client_tls;

    free(t->public_key);
    free(t->private_key);
    free(t->min_version);
    free(t->max_version);
    pairs_free(t->keys, t->n_keys);
    free(t->cipher_suites.items);
    free(t->curve_preferences.items);
    gw_strlist_free(&t->ca_certs);
    free(ct->min_version);
    free(ct->max_version);
    pairs_free(ct->client_certs, ct->n_client_certs);
    free(ct->cipher_suites.items);
    free(ct->curve_preferences.items);
    gw_strlist_free(&ct->ca_certs);
}
