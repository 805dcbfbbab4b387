/* gw_httpsecure.h - KrakenD's security/http (krakend-httpsecure over unrolled/secure v1.15.0):
 * allowed hosts, the SSL redirect, and the security headers, as one pure function from a
 * request to a verdict.
 *
 * Engine middleware #4 (KrakenD §1): after the access log, recovery and the path-parameter
 * check, before the service-level bot detector; never for /__health, gin's redirects or
 * preflights CORS answered (gw_sec_stage_runs). The config is immutable and shared by every
 * worker thread. */
#ifndef GW_HTTPSECURE_H
#define GW_HTTPSECURE_H

#include "cmn_err.h"
#include "gw_sec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
 * them, with a warning each in w (may be NULL), as are options KrakenD reads but never applies
 * (hpkp_public_key). On GW_HSEC_OK with *out set the caller owns it (gw_httpsecure_destroy). */
enum gw_hsec_status gw_httpsecure_new(const json_t *v, const char *path, struct gw_httpsecure **out,
                                      struct gw_sec_warnings *w, struct cmn_err *err);
void gw_httpsecure_destroy(struct gw_httpsecure *s);

/* Whether requests need a nonce (the Content-Security-Policy holds $NONCE): the server then
 * draws GW_HSEC_NONCE_BYTES random bytes per request for gw_httpsecure_handle. */
bool gw_httpsecure_needs_nonce(const struct gw_httpsecure *s);

/* The stage (unrolled/secure's processRequest plus krakend-httpsecure's abort):
 * - a host not in allowed_hosts: GW_SEC_ANSWER 500 "Bad Host\n" with Content-Type and
 *   X-Content-Type-Options set as Go's http.Error sets them; no security header;
 * - ssl_redirect on a request that is not HTTPS: GW_SEC_ANSWER 301 with Location (and, as Go's
 *   http.Redirect writes them, Content-Type for GET and HEAD and an HTML body for GET);
 * - otherwise the security headers are set and GW_SEC_CONTINUE.
 * nonce: GW_HSEC_NONCE_BYTES random bytes when gw_httpsecure_needs_nonce, else NULL.
 * GW_SEC_FAIL when a response callback or an allocation failed. ans must have been
 * initialised; gw_sec_answer_free releases a redirect body. */
enum gw_sec_action gw_httpsecure_handle(const struct gw_httpsecure *s,
                                        const struct gw_sec_request *r,
                                        const struct gw_sec_response *out,
                                        const unsigned char *nonce, struct gw_sec_answer *ans);

/* ---- Go's URL and fmt pieces, exposed for tests ---- */

/* The https URL Go's secure.processRequest redirects to: "https://" + host (escaped as
 * url.URL.String escapes a host) + the request's path as EscapedPath gives it + "?" + the raw
 * query when there was a '?'. Appended to out; false on allocation failure. */
bool gw_httpsecure_redirect_url(const char *host, const struct gw_sec_request *r,
                                struct cmn_buf *out);

/* fmt.Sprintf(format, arg) for one string argument, as unrolled/secure formats a CSP that
 * holds a nonce (see docs for the verbs covered). Appended to out. */
bool gw_httpsecure_go_sprintf(const char *format, const char *arg, struct cmn_buf *out);

#endif
