/* mb_files.h - /__files/<name>: serves files of a directory given with --files, re-read on every
 * request (so a test can rotate or corrupt a JWKS between calls), with faults chosen by the
 * query string (a JWKS URL in krakend.json cannot carry request headers). */
#ifndef MB_FILES_H
#define MB_FILES_H

#include "cmn_http.h"

#include <stdbool.h>

#define MB_FILES_PREFIX "/__files/"
#define MB_FILES_MAX_BYTES (4u * 1024 * 1024)

bool mb_files_owns(const char *path);

/* Answers GET/HEAD /__files/<name>[?status=N&delay_ms=N&content_type=T&close=1] from dir (NULL:
 * the route is off, 404). Names are one path segment of [A-Za-z0-9._-], not starting with '.'.
 * Sets *delay_ms from the query. Returns an owned response, NULL on allocation failure. */
struct cmn_http_response *mb_files_handle(const char *dir, const struct cmn_http_request *req,
                                          unsigned *delay_ms);

#endif
