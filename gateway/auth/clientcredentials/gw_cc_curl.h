/* gw_cc_curl.h - the libcurl transport of the client credentials token requests. */
#ifndef GW_CC_CURL_H
#define GW_CC_CURL_H

#include "cmn_err.h"
#include "gw_cc_source.h"

#include <stdbool.h>

/* Fills *out with a transport of its own curl multi handle (destroyed with the source). ca_file
 * and ca_dir (copied; NULL: the system's) replace the trusted roots, as SSL_CERT_FILE and
 * SSL_CERT_DIR do for Go. false with err on failure. */
bool gw_cc_curl_transport(struct gw_cc_transport *out, const char *ca_file, const char *ca_dir,
                          struct cmn_err *err);

#endif
