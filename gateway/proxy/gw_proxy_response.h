/* gw_proxy_response.h - the response side of KrakenD (§3.1-§3.4): backend status rule, decoding
 * by `encoding`, target/allow/deny/mapping/group, merging several backends, proxy.static.
 * Pure logic over a backend's answer; no IO. */
#ifndef GW_PROXY_RESPONSE_H
#define GW_PROXY_RESPONSE_H

#include "gw_config.h"
#include "gw_gojson.h"
#include "gw_proxy_request.h"

#include <stdbool.h>
#include <stddef.h>

/* Lura's proxy.Response. */
struct gw_presp {
    struct gw_json *data; /* an object, or NULL (Go's nil map) */
    bool complete;
    unsigned status;        /* Metadata.StatusCode: no-op backends only, 0 otherwise and after a
                               merge of several responses */
    struct gw_hdrs headers; /* Metadata.Headers (no-op backends) */
    char *body;             /* no-op: the raw backend body */
    size_t body_len;
};

struct gw_presp *gw_presp_new(void);
void gw_presp_destroy(struct gw_presp *p);

enum gw_perr_kind {
    GW_PERR_PLAIN = 0, /* any error: 500 */
    GW_PERR_STATUS,    /* return_error_code: carries the backend status, body and type */
};

struct gw_perr {
    enum gw_perr_kind kind;
    unsigned status;
    char *msg; /* Error() text */
    char *enc; /* backend Content-Type (GW_PERR_STATUS) */
};

void gw_perr_free(struct gw_perr *e);
/* Sets a plain error (message copied). */
void gw_perr_set(struct gw_perr *e, const char *msg);

/* The pipe's error, as the endpoint handler sees it. */
struct gw_pipe_err {
    bool merged; /* a mergeError (several backends): never carries a status */
    const struct gw_perr *errs;
    size_t n;
};

/* Caps for decoding backend bodies. */
#define GW_BACKEND_JSON_DEPTH 128
#define GW_BACKEND_JSON_NODES 4000000

/* Turns one backend answer into a response (true, *out owned) or an error (false, err set),
 * following the backend's status handler, decoder and formatter. res's body may be moved. */
bool gw_presp_from_fetch(const struct gw_backend *b, struct gw_fetch_result *res,
                         struct gw_presp **out, struct gw_perr *err);


/* Lura's incrementalMergeAccumulator + combineData. */
struct gw_merge {
    struct gw_presp *data;
    size_t pending;
    struct gw_perr *errs;
    size_t n_errs, cap_errs;
};

void gw_merge_init(struct gw_merge *m, size_t total);
/* Adds one part: either resp (owned) or err (contents moved). */
void gw_merge_add(struct gw_merge *m, struct gw_presp *resp, struct gw_perr *err);
/* Ends the merge: returns the data (owned, may be NULL) and leaves the errors in m. */
struct gw_presp *gw_merge_result(struct gw_merge *m);
void gw_merge_free(struct gw_merge *m);

/* proxy.static: merges data (a Go map) into *resp when the strategy matches (creating it when
 * NULL). has_err: the pipe returned an error. */
void gw_static_apply(enum gw_static_strategy strategy, const struct gw_json *data,
                     struct gw_presp **resp, bool has_err);


#endif
