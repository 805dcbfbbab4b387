/* gw_tls_int.h - what gw_tls.c shares with gw_tls_client.c. */
#ifndef GW_TLS_INT_H
#define GW_TLS_INT_H

#include "cmn_err.h"

/* Reads a whole regular file of at most GW_TLS_MAX_PEM_BYTES that looks like PEM; owned text,
 * or NULL with err naming what (the option) and path. */
char *gw_tls_read_pem(const char *what, const char *path, struct cmn_err *err);

#endif
