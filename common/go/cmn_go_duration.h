/* cmn_go_duration.h - Go's time.ParseDuration, the one parser of the durations krakend.json
 * and every namespace use ("1.5s", "300ms", "1h2m"), and Go's Duration.String() for logs. */
#ifndef CMN_GO_DURATION_H
#define CMN_GO_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* [-+]? then one or more <decimal>[.<decimal>]<unit> (ns us µs μs ms s m h), or "0", as Go
 * reads it (integer arithmetic, fractions scaled as Go does, overflow refused). Writes
 * nanoseconds into *out_ns and returns true, or returns false. */
bool cmn_go_parse_duration(const char *s, int64_t *out_ns);

/* The same for s[0, n), which need not be NUL-terminated (a CEL string): a NUL byte inside is
 * an unknown unit, as Go reads it. */
bool cmn_go_parse_duration_n(const char *s, size_t n, int64_t *out_ns);

/* Go's time.Duration.String(), integer for integer: "0s", "999ns", "1.5µs", "1.234567ms",
 * "2.5s", "1m35s", "25h0m0s", "-1m1s" (truncated to fit out_size, always NUL-terminated). */
void cmn_go_format_duration(int64_t ns, char *out, size_t out_size);

#endif
