/* gw_httpsecure.h - KrakenD's security/http (krakend-httpsecure over unrolled/secure v1.15.0):
 * allowed hosts, the SSL redirect, and the security headers, as one pure function from a
 * request to a verdict.
 *
 * Engine middleware #4 (../shared/spec/krakend-traffic-security.md §1, §3): the router's
 * GW_MW_ENGINE slot, which runs for endpoints, /__debug/, /__echo/, auto OPTIONS routes, 404 and
 * 405, but not for /__health, gin's redirects or the preflights CORS answered. The config is
 * immutable and shared by every worker thread. */
#ifndef GW_HTTPSECURE_H
#define GW_HTTPSECURE_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "cmn_http.h"
#include "gw_hdrs.h"
#include "gw_mw.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The canonical namespace (the config rewrites the alias security/http to it). */
#define GW_NS_HTTPSECURE "github_com/devopsfaith/krakend-httpsecure"
/* KrakenD's startup line (DEBUG) once the module is loaded. */
#define GW_HSEC_STARTUP_LOG "[SERVICE: Gin][HTTPsecure] Successfully loaded module"
/* The random bytes one Content-Security-Policy nonce takes. */
#define GW_HSEC_NONCE_BYTES 16

enum gw_hsec_status {
    GW_HSEC_OK = 0,
    GW_HSEC_INVALID, /* KrakenD does not start: an allowed host that is not a valid regexp */
    GW_HSEC_NOMEM,
};

struct gw_httpsecure;

/* Builds the config from the service's security/http value v. v NULL or not an object: the
 * module is off (*out NULL, GW_HSEC_OK; the second case with a warning). path names v in
 * messages ("extra_config.security/http"). Wrong-typed options are ignored as KrakenD ignores
 * them, as are options KrakenD reads but never applies (hpkp_public_key) and unknown keys; each
 * gets a WARNING in the log naming its JSON path. On GW_HSEC_OK with *out set the caller owns
 * it (gw_httpsecure_destroy). */
enum gw_hsec_status gw_httpsecure_new(const json_t *v, const char *path, struct gw_httpsecure **out,
                                      struct cmn_err *err);
void gw_httpsecure_destroy(struct gw_httpsecure *s);

/* Whether requests need a nonce (the Content-Security-Policy holds $NONCE): the middleware then
 * draws GW_HSEC_NONCE_BYTES random bytes per request for gw_httpsecure_handle. */
bool gw_httpsecure_needs_nonce(const struct gw_httpsecure *s);

/* The middleware (unrolled/secure's processRequest plus krakend-httpsecure's abort):
 * - a host not in allowed_hosts: GW_MW_ANSWER, 500 "Bad Host\n" as Go's http.Error writes it
 *   (Content-Type, X-Content-Type-Options); no security header;
 * - ssl_redirect on a request that is not HTTPS: GW_MW_ANSWER, Go's http.Redirect with 301;
 * - otherwise the security headers are set in out and GW_MW_NEXT.
 * nonce: GW_HSEC_NONCE_BYTES random bytes when gw_httpsecure_needs_nonce, else NULL.
 * GW_MW_ANSWER with *answer NULL (a 500) when memory ran out. */
enum gw_mw_verdict gw_httpsecure_handle(const struct gw_httpsecure *s,
                                        const struct cmn_http_request *r,
                                        const unsigned char *nonce, struct gw_hdrs *out,
                                        struct cmn_http_response **answer);

/* The https URL unrolled/secure redirects to: url.URL.String() of the request's URL with
 * scheme https and host `host`: "https://" + the host escaped as Go escapes one + the path as
 * URL.EscapedPath gives it + "?" + the raw query when there was a '?'. Appended to out; false
 * on allocation failure. */
bool gw_httpsecure_redirect_url(const char *host, const struct cmn_http_request *r,
                                struct cmn_buf *out);

/* The router middleware factory (gw_mw.h): service level, slot GW_MW_ENGINE. */
extern const struct gw_mw_factory gw_httpsecure_factory;

#endif
