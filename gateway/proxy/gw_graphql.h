/* gw_graphql.h - backend/graphql (krakend-telemetry-validation.md §8): Lura's GraphQL middleware
 * turns a backend request, once its URL is built, into a GraphQL query or mutation. Pure logic,
 * no IO. */
#ifndef GW_GRAPHQL_H
#define GW_GRAPHQL_H

#include "cmn_err.h"
#include "gw_config.h"
#include "gw_message.h"
#include "gw_proxy_request.h"

#include <stdbool.h>
#include <stddef.h>

/* Rewrites out for g: POST gets the body {"query":…[,"operationName":…][,"variables":{…}]}
 * (Go's json.Marshal: variable keys sorted, config numbers as float64), Content-Type
 * application/json and its Content-Length; GET gets an empty body and Content-Type only (its
 * query parameters are lost, as in KrakenD, see gw_config.h). A query fills "{param}" variables
 * from the path parameters of in and the sequential parameters seq ("" when missing); a mutation
 * takes its variables from the client's body (a JSON object) and adds the configured ones it
 * lacks. *body is set to the new body (owned, NUL-terminated; out->body points into it) or NULL.
 * Returns false with err set when the client's body is not a JSON object (mutation). */
bool gw_graphql_apply(const struct gw_graphql *g, const struct gw_inreq *in,
                      const struct gw_seqparam *seq, size_t n_seq, struct gw_outreq *out,
                      char **body, struct cmn_err *err);

#endif
