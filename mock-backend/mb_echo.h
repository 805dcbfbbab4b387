/* mb_echo.h - /__echo/...: answers with the request as received, as JSON. Pure logic. */
#ifndef MB_ECHO_H
#define MB_ECHO_H

#include "cmn_http.h"

#include <stdbool.h>

/* True for /__echo and every path below /__echo/. */
bool mb_echo_owns(const char *path);

/* 200 application/json describing req (shape in docs/mock-backend.md):
 * {"body", ["body_base64",] "headers", "method", "path", "query", "raw_headers",
 *  "raw_query", "remote_addr", "target", "version"}. Owned, NULL on allocation failure. */
struct cmn_http_response *mb_echo_handle(const struct cmn_http_request *req);

#endif
