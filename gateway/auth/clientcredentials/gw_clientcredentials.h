/* gw_clientcredentials.h - auth/client-credentials (krakend-telemetry-validation.md §9): a
 * backend stage (gw_stage.h, the innermost, where KrakenD puts its OAuth2 HTTP client) that
 * sets Authorization on every request to the backend with a token the gateway obtains from
 * token_url with the client credentials grant, replacing whatever the client's request carried.
 * The first request to need a token waits for it (GW_STAGE_WAIT), as do the requests that arrive
 * while it is fetched; a failed token request fails those backend calls. */
#ifndef GW_CLIENTCREDENTIALS_H
#define GW_CLIENTCREDENTIALS_H

#include "gw_stage.h"

/* The factory for gw_modules.c's backend stages (last: it is the HTTP client's). */
extern const struct gw_stage_factory gw_clientcredentials_factory;

#endif
