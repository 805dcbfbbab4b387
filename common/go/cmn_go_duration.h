/* cmn_go_duration.h - Go's time.ParseDuration, the one parser of the durations krakend.json
 * and every namespace use ("1.5s", "300ms", "1h2m"). */
#ifndef CMN_GO_DURATION_H
#define CMN_GO_DURATION_H

#include <stdbool.h>
#include <stdint.h>

/* [-+]? then one or more <decimal>[.<decimal>]<unit> (ns us µs μs ms s m h), or "0", as Go
 * reads it (integer arithmetic, fractions scaled as Go does, overflow refused). Writes
 * nanoseconds into *out_ns and returns true, or returns false. */
bool cmn_go_parse_duration(const char *s, int64_t *out_ns);

#endif
