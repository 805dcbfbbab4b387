/* mb_ce.h - the routes of KrakenD CE's integration-test backend (tests/integration.go),
 * answered byte for byte as its Go http.ServeMux and handlers do. Pure logic. */
#ifndef MB_CE_H
#define MB_CE_H

#include "cmn_http.h"

#include <stddef.h>


/* Routes a request through the CE mux: /param_forwarding/, /xml, /collection/, /delayed/,
 * /redirect/, /jwk/symmetric, and Go's "404 page not found" for anything else (plus the mux's
 * 301 redirects for unclean paths and a missing trailing slash). delayed_ms is the /delayed/
 * hold time (CE's default 200); *delay_ms receives how long to hold this answer. Returns an
 * owned response (abort set where Go would drop the connection), NULL on allocation failure. */
struct cmn_http_response *mb_ce_handle(const struct cmn_http_request *req, unsigned delayed_ms,
                                       unsigned *delay_ms);


#endif
