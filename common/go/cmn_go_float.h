/* cmn_go_float.h - Go's text of a float64, each form once: strconv.FormatFloat with the shortest
 * precision ('g' is what fmt's %v prints: expvar's /__stats values, Prometheus samples; 'f' the
 * InfluxDB line protocol's fields) and encoding/json's choice between 'f' and 'e'. */
#ifndef CMN_GO_FLOAT_H
#define CMN_GO_FLOAT_H

#include <stddef.h>

/* Room for any of the texts below plus the NUL: 'f' of 5e-324 has 326 characters. */
#define CMN_GO_FLOAT_MAX 352

/* strconv.FormatFloat(v, fmt, -1, 64) for fmt 'g', 'e' or 'f': the fewest digits that read back
 * as v ("1.5e+06", "0.0031", "1", "-0", "1e+21" for 'g'; "1500000" for 'f'), "NaN", "+Inf",
 * "-Inf". Writes a NUL-terminated text into out (CMN_GO_FLOAT_MAX bytes) and returns its
 * length. Any other fmt is taken as 'g'. */
size_t cmn_go_format_float(double v, char fmt, char *out);

/* encoding/json's float64: the 'f' form for 1e-6 <= |v| < 1e21, else 'e' with a negative
 * one-digit exponent written without its zero ("1e-7", but "1e+21"). NaN and the infinities,
 * which encoding/json refuses, print as "null". Same out and return as above. */
size_t cmn_go_json_float(double v, char *out);

#endif
