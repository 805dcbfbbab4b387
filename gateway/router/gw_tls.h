/* gw_tls.h - the service's `tls` block: the PEM files the gateway serves HTTPS with. */
#ifndef GW_TLS_H
#define GW_TLS_H

#include "cmn_err.h"
#include "gw_config.h"

#include <stdbool.h>

/* Largest certificate chain or key file read. */
#define GW_TLS_MAX_PEM_BYTES (1024 * 1024)

/* When cfg->tls is present and not disabled, reads public_key (certificate chain) and
 * private_key into *cert_pem / *key_pem (owned, NUL-terminated) and returns true; with no tls
 * block, `disabled`, or a block naming neither file, sets both to NULL and returns true. Returns false with err (naming the
 * file) when a file is missing, unreadable, too large or not PEM: the gateway must not fall
 * back to plain HTTP when the user asked for HTTPS. */
bool gw_tls_load(const struct gw_config *cfg, char **cert_pem, char **key_pem,
                 struct cmn_err *err);

#endif
