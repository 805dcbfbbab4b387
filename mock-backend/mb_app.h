/* mb_app.h - mock-backend request handling: scripted faults, then the route (items API, echo,
 * CE routes, Go 404). Pure logic apart from the items store's lock; no sockets, no timers. */
#ifndef MB_APP_H
#define MB_APP_H

#include "cmn_err.h"
#include "cmn_http.h"
#include "mb_items.h"

#include <stdbool.h>

#define MB_FAULT_DELAY_MAX_MS 60000u
#define MB_FAULT_HEADERS_MAX 8
#define MB_CE_DELAY_DEFAULT_MS 200u

/* Scripted faults read from request headers (see docs/mock-backend.md). */
struct mb_faults {
    unsigned delay_ms;        /* X-Mock-Delay-Ms: 0..60000 */
    unsigned status;          /* X-Mock-Status: 200..999, 0 = keep the route's */
    bool close;               /* X-Mock-Close: 1 = drop the connection without an answer */
    const char *body;         /* X-Mock-Body: replaces the body (borrowed from the request) */
    const char *content_type; /* X-Mock-Content-Type: replaces the Content-Type (borrowed) */
    const char *headers[MB_FAULT_HEADERS_MAX]; /* X-Mock-Header: "Name: value", each added */
    size_t n_headers;
};

/* Reads X-Mock-* headers. Returns false and fills msg (room for 128 bytes) on a bad value. */
bool mb_faults_parse(const struct cmn_http_request *req, struct mb_faults *f, char msg[128]);

struct mb_app_opts {
    unsigned ce_delay_ms;       /* /delayed/ hold time; 0 = CE's default, 200 ms */
    struct mb_items_caps items; /* zeros take the store's defaults */
    const char *files_dir;      /* served under /__files/; NULL = off (borrowed) */
};

struct mb_app {
    struct mb_items *items; /* owned */
    unsigned ce_delay_ms;
    const char *files_dir; /* borrowed */
};

/* Returns 0, or non-zero with err set. */
int mb_app_init(struct mb_app *app, const struct mb_app_opts *opts, struct cmn_err *err);
void mb_app_free(struct mb_app *app);

/* What to answer and when. */
struct mb_reply {
    struct cmn_http_response *resp; /* owned; NULL = allocation failure (the glue sends 500) */
    unsigned delay_ms;              /* hold the answer this long before sending it */
};

/* Handles one request: the caller sends out->resp after out->delay_ms. */
void mb_app_handle(struct mb_app *app, const struct cmn_http_request *req, struct mb_reply *out);

#endif
