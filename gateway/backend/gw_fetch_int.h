/* gw_fetch_int.h - what gw_fetch.c shares with the files beside it in the backend module. */
#ifndef GW_FETCH_INT_H
#define GW_FETCH_INT_H

#include "gw_fetch.h"

#include <curl/curl.h>

/* lura's NewTransport on a libcurl easy handle: TCP keep-alive (dialer_keep_alive), Happy
 * Eyeballs (dialer_fallback_delay), 100-continue (expect_continue_timeout), idle age
 * (idle_connection_timeout), and client_tls (versions, CAs, client certificate). o is read
 * only; its strings must outlive the transfer (libcurl copies them, but o->tls's CA file is a
 * memfd path that must stay open). */
void gw_fetch_transport_opts(CURL *e, const struct gw_fetcher_opts *o);

#endif
