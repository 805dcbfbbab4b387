/* mb_gohttp.h - how Go's net/http sees a request: canonical header map, url.ParseQuery,
 * path unescaping and cleaning, net.ParseIP loopback, strconv.Atoi, StatusText. Pure logic. */
#ifndef MB_GOHTTP_H
#define MB_GOHTTP_H

#include "cmn_http.h"
#include "mb_gojson.h"

#include <stdbool.h>
#include <stddef.h>

/* One key with its values in arrival order. */
struct mb_mvals {
    char *key;   /* owned */
    char **vals; /* owned */
    size_t n;
    size_t cap;
};

/* A multi-valued map (Go's http.Header / url.Values). Keys keep first-arrival order until
 * mb_mmap_sort(). Caps: max_pairs total values; adding past it fails. */
struct mb_mmap {
    struct mb_mvals *e;
    size_t n;
    size_t cap;
    size_t pairs;
    size_t max_pairs;
};

void mb_mmap_init(struct mb_mmap *m, size_t max_pairs);
void mb_mmap_free(struct mb_mmap *m);
/* Appends a value under key (both copied). False on allocation failure or past the cap. */
bool mb_mmap_add(struct mb_mmap *m, const char *key, size_t klen, const char *val, size_t vlen);
/* Borrowed entry or NULL. */
const struct mb_mvals *mb_mmap_get(const struct mb_mmap *m, const char *key);
void mb_mmap_del(struct mb_mmap *m, const char *key);
/* Sorts keys bytewise, as Go's encoding/json orders map keys. */
void mb_mmap_sort(struct mb_mmap *m);
/* Writes {"key":["v1","v2"],...} in the map's current key order. */
void mb_jw_mmap(struct mb_jw *w, const struct mb_mmap *m);

/* textproto.CanonicalMIMEHeaderKey: "x-y-z" -> "X-Y-Z"; a name with a byte that is not an
 * HTTP token character is returned unchanged. Owned result, NULL on allocation failure. */
char *mb_go_canonical_key(const char *name);

/* r.Header as Go's server builds it: canonical keys, values in order, Host removed,
 * Transfer-Encoding removed (and Content-Length too when a Transfer-Encoding is present),
 * "Pragma: no-cache" implying "Cache-Control: no-cache". False on allocation failure. */
bool mb_go_header_map(const struct cmn_http_request *req, struct mb_mmap *out);

/* url.ParseQuery into out (appending). go_strict: as Go, pairs containing ';' or a bad
 * %-escape are dropped; otherwise they are kept with the undecodable part raw. '+' is a
 * space. False on allocation failure or past the map's cap. */
bool mb_go_parse_query(const char *q, struct mb_mmap *out, bool go_strict);

/* url.PathUnescape of the raw path ('+' stays). Owned result in *out; false on a malformed
 * escape or an escaped NUL (Go's server answers 400 then). */
bool mb_go_path_unescape(const char *raw, char **out);
/* net/http cleanPath: path.Clean keeping a trailing slash, leading '/' ensured. Owned. */
char *mb_go_clean_path(const char *p);
/* url.URL{Path: p}.EscapedPath(): escapes bytes outside Go's path-safe set. Owned. */
char *mb_go_escape_path(const char *p);

/* net.ParseIP(s).IsLoopback(): 127.0.0.0/8 (also IPv4-mapped) or ::1. */
bool mb_go_ip_is_loopback(const char *s);

/* strconv.Atoi: on failure false, and msg gets Go's error text, e.g.
 * `strconv.Atoi: parsing "abc": invalid syntax`. */
bool mb_go_atoi(const char *s, long long *out, struct cmn_buf *msg);

/* http.StatusText: "" for codes Go does not know. */
const char *mb_go_status_text(int code);

#endif
