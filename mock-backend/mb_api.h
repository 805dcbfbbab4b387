/* mb_api.h - the guide's items REST API (/api/items) over the in-memory store. Pure logic. */
#ifndef MB_API_H
#define MB_API_H

#include "cmn_http.h"
#include "mb_items.h"

#include <stdbool.h>


/* True for /api/items and every path below /api/items/. */
bool mb_api_owns(const char *path);

/* Answers one request to an owned path: GET/HEAD list, POST create (201, or 200 with the
 * guide's sample when there is no body), GET/HEAD/PUT/DELETE one item; errors as JSON
 * {"error": "..."} with 400/404/405 (+Allow)/413/507. Owned response, NULL on allocation
 * failure. */
struct cmn_http_response *mb_api_handle(struct mb_items *items, const struct cmn_http_request *req);

/* {"error": msg} as application/json with the given status. Owned, NULL on allocation failure. */
struct cmn_http_response *mb_api_error(unsigned status, const char *msg);

#endif
