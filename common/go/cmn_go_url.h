/* cmn_go_url.h - Go's net/url escaping, each rule once: percent-decoding (PathUnescape,
 * QueryUnescape), QueryEscape, path and host escaping (shouldEscape for a path, a host) and
 * URL.EscapedPath. */
#ifndef CMN_GO_URL_H
#define CMN_GO_URL_H

#include "cmn_buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Decodes s[0, n) into out (room for n + 1 bytes, NUL-terminated; *out_len may be NULL): %XX
 * escapes, and with query '+' as a space (QueryUnescape; PathUnescape without). False on a
 * malformed escape ("%zz", "%4"). The result may hold NUL bytes. */
bool cmn_go_unescape(const char *s, size_t n, bool query, char *out, size_t *out_len);

/* url.QueryEscape: ALPHA DIGIT - _ . ~ kept, space as '+', every other byte as %XX
 * (upper-case hex). Appends to out; false when the buffer refuses. */
bool cmn_go_query_escape(const char *s, size_t n, struct cmn_buf *out);

/* Escapes a decoded path as Go does for a URL's path: ALPHA DIGIT and "-_.~$&+,/:;=@" kept,
 * every other byte as %XX. Appends to out. */
bool cmn_go_path_escape(const char *s, size_t n, struct cmn_buf *out);

/* Escapes a URL's host as url.URL.String writes it: ALPHA DIGIT "-_.~" and the characters
 * Go lets stand in a host ("!$&'()*+,;=:[]<>\"") kept, every other byte (spaces, '/', '@',
 * '%', non-ASCII) as %XX. Appends to out; false when the buffer refuses. */
bool cmn_go_host_escape(const char *s, size_t n, struct cmn_buf *out);

/* URL.EscapedPath for a path taken from raw text: the raw text itself when it is a valid
 * encoding of its decoded form, else the decoded path escaped again. False on a malformed
 * escape (nothing appended) or when the buffer refuses. */
bool cmn_go_escaped_path(const char *raw, size_t n, struct cmn_buf *out);

#endif
