/* gw_proxy_request.h - the request side of KrakenD (§2.2-§2.4): headers, query string, URL and
 * body of each backend request, built from the incoming request. Pure logic, no IO. */
#ifndef GW_PROXY_REQUEST_H
#define GW_PROXY_REQUEST_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "gw_config.h"
#include "gw_gojson.h"
#include "gw_message.h"

#include <stdbool.h>
#include <stddef.h>

#define GW_MAX_QUERY_PARAMS 256 /* client query parameters considered */

/* Sequential-proxy values: "Resp0_foo" style keys already resolved to text. */
struct gw_seqparam {
    char *key; /* Lura's Params key: "Resp0_foo", "Resp0_first.foo", "Resp1" (capital R) */
    char *value;
};

/* Builds the request for backend b of endpoint ep through host (one of b->hosts).
 * seq: values of {respN_x} placeholders (may be NULL). Returns false with err set. */
bool gw_request_build(const struct gw_endpoint *ep, const struct gw_backend *b, const char *host,
                      const struct gw_inreq *in, const struct gw_seqparam *seq, size_t n_seq,
                      struct gw_outreq *out, struct cmn_err *err);

/* Whether every header of o passes the one field rule (cmn_http_field.h); else false with Go's
 * transport error in err ("Post \"<url>\": net/http: invalid header field value for \"X\""). For
 * stages that change a request after it was built (Lua, martian). */
bool gw_outreq_fields_ok(const struct gw_outreq *o, struct cmn_err *err);

/* The headers Lura's request carries (§2.2): the client's, filtered by the endpoint's
 * input_headers, with X-Forwarded-For/-Host and User-Agent (or X-Forwarded-Via), then b's own
 * input_headers filter; b NULL: the endpoint's request before any backend (what endpoint-level
 * validation/cel reads). out is initialised by the caller and empty. false when out of memory. */
bool gw_request_headers(const struct gw_endpoint *ep, const struct gw_backend *b,
                        const struct gw_inreq *in, struct gw_hdrs *out);

/* The backend path after placeholder substitution (exposed for tests): owned or NULL. */
char *gw_request_path(const char *url_pattern, const struct gw_inreq *in,
                      const struct gw_seqparam *seq, size_t n_seq);

/* Go's url.ParseQuery + filter + Values.Encode: the client's query restricted to keys (NULL or
 * a list containing "*" = all), then to bkeys when bkeys->set and non-empty, encoded sorted by
 * key. Appends to out (nothing when no parameter survives). */
bool gw_query_encode(const char *raw_query, const struct gw_strlist *keys,
                     const struct gw_strlist *bkeys, struct cmn_buf *out);

#endif
