/* gw_tracecontext.h - W3C Trace Context (traceparent, tracestate) and W3C Baggage headers,
 * parsed and written as OpenTelemetry Go's propagators do (spec §3.10). Clients send these:
 * every input is bounded and malformed values are refused, never trusted. */
#ifndef GW_TRACECONTEXT_H
#define GW_TRACECONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_TRACESTATE_MAX_MEMBERS 32
#define GW_TRACESTATE_MAX_LEN 512 /* W3C: vendors should propagate at least 512 characters */
#define GW_BAGGAGE_MAX_LEN 8192   /* W3C Baggage limits */
#define GW_BAGGAGE_MAX_MEMBERS 180
#define GW_TRACEPARENT_LEN 55 /* "00-" 32 "-" 16 "-" 2 */

#define GW_TRACE_FLAG_SAMPLED 0x01

/* A span context: ids, the sampled flag, whether it came from a remote peer, its tracestate. */
struct gw_trace_ctx {
    uint8_t trace_id[16];
    uint8_t span_id[8];
    uint8_t flags; /* only the sampled bit is kept */
    bool remote;
    uint16_t tracestate_len; /* 0 = none */
    char tracestate[GW_TRACESTATE_MAX_LEN + 1];
};

/* A context is valid when both ids are non-zero. */
bool gw_trace_ctx_valid(const struct gw_trace_ctx *c);

/* Parses a traceparent value (n bytes) into out (remote, no tracestate). Rules of OpenTelemetry
 * Go's TraceContext.Extract: lower-case hex only, version ff refused, version 00 exactly 55
 * characters with flags <= 02, later versions may carry more after a '-', all-zero ids refused;
 * only the sampled flag is kept. Returns false (out untouched) when invalid. */
bool gw_traceparent_parse(const char *s, size_t n, struct gw_trace_ctx *out);

/* Writes "00-<trace>-<span>-<flags>" (GW_TRACEPARENT_LEN chars + NUL) into out; flags keep only
 * the sampled bit. Returns the length, 0 when the context is invalid. */
size_t gw_traceparent_format(const struct gw_trace_ctx *c, char out[GW_TRACEPARENT_LEN + 1]);

/* Parses a tracestate value into c->tracestate (normalised: members trimmed, empty members
 * dropped, joined by ','). Any invalid member, a duplicate key or more than 32 members makes the
 * whole header invalid: then the state is empty and false is returned, as Go's ParseTraceState
 * errors (the traceparent still counts). A state longer than GW_TRACESTATE_MAX_LEN is dropped
 * too. */
bool gw_tracestate_parse(const char *s, size_t n, struct gw_trace_ctx *c);

/* Checks a W3C baggage value: list-members "key=value[;properties]" with token keys and
 * baggage-octet values (percent-encoding allowed), at most GW_BAGGAGE_MAX_MEMBERS members and
 * GW_BAGGAGE_MAX_LEN bytes. OpenTelemetry Go drops an invalid header entirely; so does the
 * caller when this returns false. *out_len gets the length trimmed of surrounding spaces. */
bool gw_baggage_valid(const char *s, size_t n, size_t *trim_start, size_t *trim_len);

/* Hex of n bytes into out (2n chars + NUL). */
void gw_hex_encode(const uint8_t *b, size_t n, char *out);

#endif
