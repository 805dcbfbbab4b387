/* cmn_json.h - jansson helpers: strict loading with caps, and typed member access. */
#ifndef CMN_JSON_H
#define CMN_JSON_H

#include "cmn_err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Parses exactly one JSON value from n bytes: duplicate object members rejected, nesting at most
 * max_depth, n at most max_bytes, NUL bytes inside strings rejected (jansson's default).
 * Returns a new reference (owned) or NULL with err->msg naming line and column. */
json_t *cmn_json_loadb_strict(const char *data, size_t n, size_t max_bytes, int max_depth,
                              struct cmn_err *err);

/* Depth of a JSON value (a scalar is 0, [] is 1). */
int cmn_json_depth(json_t *v);

/* Serialises compactly (owned string, NULL on failure). Sorted keys if sort. */
char *cmn_json_dumps_compact(const json_t *v, bool sort);

/* Logs a WARNING "<path>.<key>: unknown option, ignored (as KrakenD does)" for each member of
 * obj whose key is not in known[0, n) and does not start with @ $ _ # (comments, as the
 * configuration's namespaces allow): a misspelt option silently keeps its default in KrakenD.
 * Returns how many it named. obj may be NULL or not an object (nothing to name). */
size_t cmn_json_warn_unknown(const json_t *obj, const char *const *known, size_t n,
                             const char *path);

/* Borrowed string member or NULL if absent or not a string. */
const char *cmn_json_str(const json_t *obj, const char *key);

/* Calls cb for the start of every JSON value in text with its path ("endpoints[2].backend[0]":
 * member names joined with '.', indexes in brackets, "" for the root; cut at CMN_JSON_PATH_MAX - 1
 * bytes) and its 1-based line; stops when cb returns true. Containers nested deeper than
 * CMN_JSON_SCAN_DEPTH end the scan. Text that is not JSON is scanned without harm. */
#define CMN_JSON_PATH_MAX 256
#define CMN_JSON_SCAN_DEPTH 64
typedef bool (*cmn_json_line_cb)(const char *path, size_t path_len, int line, void *ud);
void cmn_json_scan_lines(const char *text, size_t len, cmn_json_line_cb cb, void *ud);

#endif
