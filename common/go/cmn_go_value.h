/* cmn_go_value.h - what Go does with a value that encoding/json decoded into an interface{}
 * (numbers are float64): fmt's %v of it, and the float64 conversions KrakenD's modules apply
 * to such numbers, as Go compiles them for amd64 (KrakenD's release builds). */
#ifndef CMN_GO_VALUE_H
#define CMN_GO_VALUE_H

#include "cmn_buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* strconv.FormatFloat(x, 'g', -1, 64), which is fmt's %v of a float64: the shortest digits that
 * read back as x, in %e form with a two-digit exponent ("1e+06", "1e-05") when the decimal
 * exponent is below -4 or at least 6 (the shortest-'g' rule), else plain ("0.25", "123456").
 * out: at least 32 bytes; always NUL-terminated. */
void cmn_go_format_g(double x, char *out, size_t out_size);

/* fmt.Sprintf("%v", v) of a JSON value decoded by encoding/json: strings as they are, numbers
 * by cmn_go_format_g, true/false, null as <nil>, arrays as [a b], objects as map[k:v ...] with
 * sorted keys. Nesting deeper than 16 prints "...". False when the buffer refuses the bytes. */
bool cmn_go_sprint_v(struct cmn_buf *out, const json_t *v);

/* int64(x) for a float64: truncation toward zero; out of range (and NaN) gives INT64_MIN, the
 * "integer indefinite" value CVTTSD2SQ produces. */
int64_t cmn_go_f64_to_i64(double x);

/* uint64(x) for a float64 as amd64 computes it: below 2^63 through int64 (so negatives wrap:
 * -1 -> 2^64 - 1), from 2^63 on as x - 2^63 with the top bit set. */
uint64_t cmn_go_f64_to_u64(double x);

#endif
