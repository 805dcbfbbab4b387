/* gw_proxy_request.h - the request side of KrakenD (§2.2-§2.4): headers, query string, URL and
 * body of each backend request, built from the incoming request. Pure logic, no IO. */
#ifndef GW_PROXY_REQUEST_H
#define GW_PROXY_REQUEST_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "gw_auth.h"
#include "gw_config.h"
#include "gw_gojson.h"

#include <stdbool.h>
#include <stddef.h>

#define GW_MAX_HEADERS 256      /* headers kept per request or response */
#define GW_MAX_QUERY_PARAMS 256 /* client query parameters considered */

struct gw_hdr {
    char *name;
    char *value;
};

/* An ordered header list with duplicates; names are compared case-insensitively. */
struct gw_hdrs_block;

/* Headers in order; their strings live in blocks the list owns (a few allocations per list, not
 * one per header). A gw_hdrs may be moved by value; its strings stay where they are. */
struct gw_hdrs {
    struct gw_hdr *v;
    size_t n, cap, max;
    struct gw_hdrs_block *blocks; /* newest first */
};

void gw_hdrs_init(struct gw_hdrs *h, size_t max);
void gw_hdrs_free(struct gw_hdrs *h);
/* Appends a copy; false on allocation failure or when max is reached. */
bool gw_hdrs_add(struct gw_hdrs *h, const char *name, const char *value);
/* The same from counted strings (neither needs a NUL). */
bool gw_hdrs_add_n(struct gw_hdrs *h, const char *name, size_t name_len, const char *value,
                   size_t value_len);
/* Replaces every value of name by one value (appends if absent). */
bool gw_hdrs_set(struct gw_hdrs *h, const char *name, const char *value);
void gw_hdrs_del(struct gw_hdrs *h, const char *name);
/* First value or NULL (borrowed). */
const char *gw_hdrs_get(const struct gw_hdrs *h, const char *name);

/* A named path parameter of the incoming request. */
struct gw_reqparam {
    char *name;
    char *value;
};

/* The incoming request as the proxy sees it (owned strings). */
struct gw_inreq {
    char *method;
    char *path;             /* decoded URL path */
    char *raw_query;        /* after '?', "" when none */
    struct gw_hdrs headers; /* canonical names, arrival order, Host excluded */
    char *host;             /* Host header */
    char *client_ip;        /* gin's ClientIP */
    char *body;
    size_t body_len;
    struct gw_reqparam *params;
    size_t n_params;
    char *strs;       /* when set: the one block method, path, raw_query, host, client_ip and body
                       * live in (freed at once); else each is its own allocation */
    void *claims_ctx; /* from the auth step, may be NULL; freed with the request */
    gw_auth_claim_fn claim;
    void (*claims_free)(void *claims_ctx);
};

void gw_inreq_free(struct gw_inreq *r);

/* Sequential-proxy values: "Resp0_foo" style keys already resolved to text. */
struct gw_seqparam {
    char *key; /* e.g. "resp0_foo" as written in the url_pattern */
    char *value;
};

/* One request to a backend (owned strings). */
struct gw_outreq {
    char *method;
    char *url;
    struct gw_hdrs headers; /* to send, without Host/Content-Length/Transfer-Encoding */
    const char *body;       /* borrowed from the inreq */
    size_t body_len;
    bool content_length; /* Content-Length was forwarded: send it instead of chunking */
    bool accept_gzip;    /* no Accept-Encoding forwarded: ask for gzip and decode it */
};

void gw_outreq_free(struct gw_outreq *o);

/* gin's ClientIP with all proxies trusted: the left-most IP of X-Forwarded-For when every
 * entry parses as an IP, else X-Real-IP likewise, else remote_ip. Writes into out. */
void gw_client_ip(const struct gw_hdrs *h, const char *remote_ip, char *out, size_t out_size);
/* The same from the first X-Forwarded-For and X-Real-IP values (NULL when absent). */
void gw_client_ip_of(const char *xff, const char *x_real_ip, const char *remote_ip, char *out,
                     size_t out_size);

/* Builds the request for backend b of endpoint ep through host (one of b->hosts).
 * seq: values of {respN_x} placeholders (may be NULL). Returns false with err set. */
bool gw_request_build(const struct gw_endpoint *ep, const struct gw_backend *b, const char *host,
                      const struct gw_inreq *in, const struct gw_seqparam *seq, size_t n_seq,
                      struct gw_outreq *out, struct cmn_err *err);

/* The backend path after placeholder substitution (exposed for tests): owned or NULL. */
char *gw_request_path(const char *url_pattern, const struct gw_inreq *in,
                      const struct gw_seqparam *seq, size_t n_seq);

/* Go's url.ParseQuery + filter + Values.Encode: the client's query restricted to keys (NULL or
 * a list containing "*" = all), then to bkeys when bkeys->set and non-empty, encoded sorted by
 * key. Appends to out (nothing when no parameter survives). */
bool gw_query_encode(const char *raw_query, const struct gw_strlist *keys,
                     const struct gw_strlist *bkeys, struct cmn_buf *out);

#endif
