/* gw_jose_json.h - strict JSON loading for token headers and claims, with a fast path for the
 * plain JSON that tokens carry and jansson (cmn_json_loadb_strict) for everything else. */
#ifndef GW_JOSE_JSON_H
#define GW_JOSE_JSON_H

#include "cmn_err.h"

#include <jansson.h>
#include <stddef.h>

/* Same contract and same results as cmn_json_loadb_strict (common/cmn_json.h): the value, or
 * NULL with err set to jansson's or the cap's message. Owned. */
json_t *gw_jose_json_load(const char *data, size_t n, size_t max_bytes, int max_depth,
                          struct cmn_err *err);

/* The fast path alone (exposed for the differential unit test): an object of plain members
 * (strings of printable ASCII with simple escapes, integers of at most 18 digits, true, false,
 * null, arrays and objects of those) within max_depth, or NULL when the text is anything else
 * (invalid or merely unusual). Whatever it returns, jansson returns too: equal values, same
 * types, same member order. Owned. */
json_t *gw_jose_json_fast(const char *data, size_t n, int max_depth);

#endif
