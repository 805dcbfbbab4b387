/* gw_tls.h - the service's `tls` block as lura's ParseTLSConfig and RunServer read it: the
 * listener's certificates (keys, then public_key/private_key), versions, suites, curves and
 * client certificates (enable_mtls), and what this gateway does differently (gw_tls_check). */
#ifndef GW_TLS_H
#define GW_TLS_H

#include "cmn_err.h"
#include "cmn_http.h"
#include "gw_config.h"
#include "gw_fetch.h"

#include <stdbool.h>
#include <stdint.h>

/* Largest certificate chain, key or CA file read. */
#define GW_TLS_MAX_PEM_BYTES (1024 * 1024)

struct gw_tls_listener;

/* Reads the files of cfg->tls and builds the listener's settings into *out (owned; free with
 * gw_tls_listener_free). *out is NULL without a tls block, with `disabled`, or with a block that
 * names no key at all (plain HTTP, which the configuration warns about). False with err (naming
 * the file or the missing key) when a certificate or key is missing, unreadable, too large or
 * not PEM: the gateway must not fall back to plain HTTP when the user asked for HTTPS. CA files
 * that cannot be read are logged and skipped, as lura does. */
bool gw_tls_listener_new(const struct gw_config *cfg, struct gw_tls_listener **out,
                         struct cmn_err *err);
/* The settings for cmn_http (borrowed from l). */
const struct cmn_http_tls *gw_tls_listener_opts(const struct gw_tls_listener *l);
void gw_tls_listener_free(struct gw_tls_listener *l);

struct gw_tls_client;

/* The backend client's TLS from cfg->client_tls (lura's ParseClientTLSConfig): *out is NULL
 * without the block (Go's defaults then apply). The CAs of ca_certs are gathered in one bundle
 * held in memory (a memfd); files that cannot be read, and client certificates that do not
 * load, are logged and skipped as lura does. False only on allocation failure. */
bool gw_tls_client_new(const struct gw_config *cfg, struct gw_tls_client **out,
                       struct cmn_err *err);
/* What the backend client is given (borrowed from c; NULL for NULL). */
const struct gw_client_tls *gw_tls_client_opts(const struct gw_tls_client *c);
void gw_tls_client_free(struct gw_tls_client *c);

/* lura's parseTLSVersion: "SSL3.0", "TLS10" ... "TLS13" as TLS wire numbers; anything else,
 * absent included, is TLS 1.3. */
uint16_t gw_tls_version(const char *name);

/* Calls warn once for each setting of cfg->tls, cfg->client_tls and the backend transport
 * this gateway cannot honour as KrakenD does, saying what it does instead. */
void gw_tls_check(const struct gw_config *cfg, void (*warn)(void *ctx, const char *msg), void *ctx);

#endif
