/* mbt_util.h - builds plain cmn_http_request values for mock-backend unit tests. */
#ifndef MBT_UTIL_H
#define MBT_UTIL_H

#include "cmn_http.h"
#include "tu_file.h"

#include <stddef.h>

#define MBT_MAX_HEADERS 32

struct mbt_req {
    struct cmn_http_request req;
    struct cmn_http_kv kv[MBT_MAX_HEADERS];
    char *owned[2 * MBT_MAX_HEADERS + 2];
    size_t n_owned;
};

/* Fills t from a method, a raw request-target, "Name: value" header lines (NULL-terminated
 * list, may be NULL) and a body (NULL = none). Free with mbt_req_free. */
void mbt_req_init(struct mbt_req *t, const char *method, const char *target,
                  const char *const *headers, const char *body);
void mbt_req_free(struct mbt_req *t);

/* First value of a response header (case-insensitive), borrowed, or NULL. */
const char *mbt_resp_header(const struct cmn_http_response *r, const char *name);
/* Number of response headers with that name. */
size_t mbt_resp_header_count(const struct cmn_http_response *r, const char *name);
/* The body as a NUL-terminated string ("" when empty), borrowed. */
const char *mbt_body(const struct cmn_http_response *r);

#endif
