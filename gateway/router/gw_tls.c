/* gw_tls.c - the service `tls` block as lura reads it (transport/http/server: ParseTLSConfig,
 * RunServer), turned into the HTTP engine's TLS settings, and the check of what differs. */
#include "gw_tls.h"
#include "gw_tls_int.h"

#include "cmn_buf.h"
#include "cmn_file.h"
#include "cmn_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* lura's defaults when the lists are empty: defaultCipherSuites, defaultCurves. */
static const uint16_t DEFAULT_SUITES[] = {0xc02f, 0xc02b, 0xc030, 0xc02c, 0xcca8, 0xcca9};
static const uint16_t DEFAULT_CURVES[] = {25, 24, 23};

struct gw_tls_listener {
    struct cmn_http_tls o;
    char **certs, **keys; /* PEM texts, n_pairs of each */
    size_t n_pairs;
    char *client_cas; /* ca_certs and the keys' certificates, concatenated */
};

uint16_t gw_tls_version(const char *name)
{
    static const struct {
        const char *name;
        uint16_t v;
    } versions[] = {{"SSL3.0", 0x0300},
                    {"TLS10", 0x0301},
                    {"TLS11", 0x0302},
                    {"TLS12", 0x0303},
                    {"TLS13", 0x0304}};

    for (size_t i = 0; name && i < sizeof(versions) / sizeof(versions[0]); i++) {
        if (strcmp(name, versions[i].name) == 0)
            return versions[i].v;
    }
    return 0x0304;
}

char *gw_tls_read_pem(const char *what, const char *path, struct cmn_err *err)
{
    char *data;
    size_t len;
    int e;

    switch (cmn_file_read(path, GW_TLS_MAX_PEM_BYTES, 0, &data, &len, &e)) {
    case CMN_FILE_OK:
        break;
    case CMN_FILE_NOT_REGULAR:
        cmn_err_set(err, 1, "%s: '%s' is not a regular file", what, path);
        return NULL;
    case CMN_FILE_TOO_BIG:
        cmn_err_set(err, 1, "%s: '%s' is larger than %d bytes", what, path, GW_TLS_MAX_PEM_BYTES);
        return NULL;
    case CMN_FILE_NOMEM:
        cmn_err_set(err, 1, "%s: out of memory", what);
        return NULL;
    case CMN_FILE_READ:
        cmn_err_set(err, 1, "%s: cannot read '%s': %s", what, path, strerror(e));
        return NULL;
    default:
        cmn_err_set(err, 1, "%s: cannot open '%s': %s", what, path, strerror(e));
        return NULL;
    }
    if (!strstr(data, "-----BEGIN ")) {
        cmn_err_set(err, 1, "%s: '%s' is not a PEM file", what, path);
        free(data);
        return NULL;
    }
    return data;
}

/* One certificate and key, as RunServer checks them: public key first. */
static bool load_pair(struct gw_tls_listener *l, const char *where, const char *cert,
                      const char *key, struct cmn_err *err)
{
    char what[96];
    size_t i = l->n_pairs;

    if (!cert || !*cert)
        return cmn_err_set(err, 1, "%s: public key not defined", where), false;
    if (!key || !*key)
        return cmn_err_set(err, 1, "%s: private key not defined", where), false;
    snprintf(what, sizeof(what), "%s.public_key", where);
    l->certs[i] = gw_tls_read_pem(what, cert, err);
    if (!l->certs[i])
        return false;
    snprintf(what, sizeof(what), "%s.private_key", where);
    l->keys[i] = gw_tls_read_pem(what, key, err);
    if (!l->keys[i]) {
        free(l->certs[i]);
        l->certs[i] = NULL;
        return false;
    }
    l->n_pairs++;
    return true;
}

/* lura's loadCertPool for enable_mtls: ca_certs, then the certificates of `keys` (the
 * top-level public_key is added to the key list only after the pool was built). Files that
 * cannot be read are logged and skipped. */
static bool client_cas(struct gw_tls_listener *l, const struct gw_tls_opts *t)
{
    struct cmn_buf b;

    cmn_buf_init(&b, 64u * 1024 * 1024);
    for (size_t i = 0; i < t->ca_certs.n + t->n_keys; i++) {
        bool is_ca = i < t->ca_certs.n;
        const char *path = is_ca ? t->ca_certs.items[i] : t->keys[i - t->ca_certs.n].cert;
        char *pem = NULL;
        size_t len;
        int e = 0;
        if (!path)
            continue;
        if (cmn_file_read(path, GW_TLS_MAX_PEM_BYTES, 0, &pem, &len, &e) != CMN_FILE_OK) {
            cmn_log_error("[SERVICE: HTTP Server] Cannot load %s %s: %s",
                          is_ca ? "certificate CA" : "public key", path,
                          e ? strerror(e) : "not a regular file of at most 1 MiB");
            continue;
        }
        cmn_buf_append(&b, pem, len);
        cmn_buf_append_str(&b, "\n");
        free(pem);
    }
    l->client_cas = cmn_buf_take(&b, NULL);
    return l->client_cas != NULL;
}

bool gw_tls_listener_new(const struct gw_config *cfg, struct gw_tls_listener **out,
                         struct cmn_err *err)
{
    const struct gw_tls_opts *t = &cfg->tls;
    bool top = (t->public_key && *t->public_key) || (t->private_key && *t->private_key);
    struct gw_tls_listener *l;
    char where[64];

    *out = NULL;
    if (!t->present || t->disabled || (!top && t->n_keys == 0))
        return true;
    l = calloc(1, sizeof(*l));
    if (!l || !(l->certs = calloc(t->n_keys + 1, sizeof(char *))) ||
        !(l->keys = calloc(t->n_keys + 1, sizeof(char *)))) {
        gw_tls_listener_free(l);
        return cmn_err_set(err, 1, "out of memory"), false;
    }
    /* RunServer: the keys, then the top-level pair appended; Go serves the first certificate
     * that suits the client's name (SNI), else the first one */
    for (size_t i = 0; i < t->n_keys; i++) {
        snprintf(where, sizeof(where), "tls.keys[%zu]", i);
        if (!load_pair(l, where, t->keys[i].cert, t->keys[i].key, err))
            goto fail;
    }
    if (top && !load_pair(l, "tls", t->public_key, t->private_key, err))
        goto fail;
    l->o.cert_pem = (const char *const *)l->certs;
    l->o.key_pem = (const char *const *)l->keys;
    l->o.n_pairs = l->n_pairs;
    l->o.min_version = gw_tls_version(t->min_version);
    l->o.max_version = gw_tls_version(t->max_version);
    l->o.suites = t->cipher_suites.n ? t->cipher_suites.items : DEFAULT_SUITES;
    l->o.n_suites = t->cipher_suites.n ? t->cipher_suites.n
                                       : sizeof(DEFAULT_SUITES) / sizeof(DEFAULT_SUITES[0]);
    l->o.groups = t->curve_preferences.n ? t->curve_preferences.items : DEFAULT_CURVES;
    l->o.n_groups = t->curve_preferences.n ? t->curve_preferences.n
                                           : sizeof(DEFAULT_CURVES) / sizeof(DEFAULT_CURVES[0]);
    if (t->enable_mtls) {
        if (!client_cas(l, t)) {
            cmn_err_set(err, 1, "out of memory");
            goto fail;
        }
        l->o.verify_clients = true;
        l->o.client_ca_pem = l->client_cas;
        l->o.client_ca_system = !t->disable_system_ca_pool;
    }
    *out = l;
    return true;
fail:
    gw_tls_listener_free(l);
    return false;
}

const struct cmn_http_tls *gw_tls_listener_opts(const struct gw_tls_listener *l)
{
    return l ? &l->o : NULL;
}

void gw_tls_listener_free(struct gw_tls_listener *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n_pairs; i++) {
        free(l->certs[i]);
        free(l->keys[i]);
    }
    free(l->certs);
    free(l->keys);
    free(l->client_cas);
    free(l);
}

/* ---- what differs -----------------------------------------------------------------------------
 */

static void warnf(void (*warn)(void *, const char *), void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warnf(void (*warn)(void *, const char *), void *ctx, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    warn(ctx, msg);
}

static void check_listener(const struct gw_tls_opts *t, void (*warn)(void *, const char *),
                           void *ctx)
{
    uint16_t lo = gw_tls_version(t->min_version), hi = gw_tls_version(t->max_version);
    size_t usable = 0;
    const char *name;

    if ((lo < 0x0301 ? 0x0301 : lo) > hi)
        warnf(warn, ctx,
              "tls: min_version %s is above max_version %s: no TLS version is left and every "
              "handshake fails, as in KrakenD",
              t->min_version ? t->min_version : "(TLS13)",
              t->max_version ? t->max_version : "(TLS13)");
    for (size_t i = 0; i < t->cipher_suites.n; i++) {
        uint16_t id = t->cipher_suites.items[i];
        if (!cmn_http_tls_suite_usable(id, &name) && name)
            warnf(warn, ctx, "tls.cipher_suites[%zu]: %s (%u) has no GnuTLS counterpart: left out",
                  i, name, id);
    }
    for (size_t i = 0; i < t->curve_preferences.n; i++) {
        uint16_t id = t->curve_preferences.items[i];
        if (cmn_http_tls_group_usable(id))
            usable++;
        else if (id == 4588)
            warnf(warn, ctx,
                  "tls.curve_preferences[%zu]: X25519MLKEM768 (4588) is not in this GnuTLS: "
                  "left out",
                  i);
    }
    if (t->curve_preferences.n && !usable)
        warnf(warn, ctx,
              "tls.curve_preferences: none of the curves is one this gateway has (23 P-256, 24 "
              "P-384, 25 P-521, 29 X25519): only TLS 1.2 suites without ECDHE can work");
}

static void check_client(const struct gw_client_tls_opts *t, void (*warn)(void *, const char *),
                         void *ctx)
{
    if (t->cipher_suites.n)
        warnf(warn, ctx,
              "client_tls.cipher_suites: not applied: https backends are called through libcurl "
              "with GnuTLS, which cannot be given a list of suites; GnuTLS's default suites are "
              "offered");
    if (t->curve_preferences.n)
        warnf(warn, ctx,
              "client_tls.curve_preferences: not applied: https backends are called through "
              "libcurl with GnuTLS, which offers its default groups");
    if (t->n_client_certs > 1)
        warnf(warn, ctx,
              "client_tls.client_certs: %zu certificates, but libcurl offers one: the first "
              "loadable one is sent to every backend that asks (Go picks among them by the "
              "backend's request)",
              t->n_client_certs);
}

/* libcurl (every https hop) keeps no per-host count of idle connections. */
static void check_transport(const struct gw_config *cfg, void (*warn)(void *, const char *),
                            void *ctx)
{
    if (!cfg->max_idle_connections_per_host)
        return;
    for (size_t i = 0; i < cfg->n_endpoints; i++) {
        const struct gw_endpoint *e = &cfg->endpoints[i];
        for (size_t j = 0; j < e->n_backends; j++) {
            const struct gw_strlist *h = &e->backends[j].hosts;
            for (size_t k = 0; k < h->n; k++) {
                if (strncmp(h->items[k], "https://", 8) != 0)
                    continue;
                warnf(warn, ctx,
                      "max_idle_connections_per_host: not applied to https backends (%s in "
                      "%s): their connections are kept by libcurl, whose cache has no per-host "
                      "limit; max_idle_connections still bounds them",
                      h->items[k], e->backends[j].json_path);
                return;
            }
        }
    }
}

void gw_tls_check(const struct gw_config *cfg, void (*warn)(void *ctx, const char *msg), void *ctx)
{
    check_transport(cfg, warn, ctx);
    if (cfg->tls.present && !cfg->tls.disabled)
        check_listener(&cfg->tls, warn, ctx);
    if (cfg->client_tls.present)
        check_client(&cfg->client_tls, warn, ctx);
}
