/* gw_otlp_http.h - POSTs to a plain-http OTLP collector over one kept-alive connection (the
 * sender thread's; blocking, with a deadline). https:// collectors go through libcurl. */
#ifndef GW_OTLP_HTTP_H
#define GW_OTLP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_otlp_conn;

/* A connection to "host:port" ("[v6]:port" too), opened on the first POST. Owned
 * (gw_otlp_conn_free); NULL when the address has no port or is too long. */
struct gw_otlp_conn *gw_otlp_conn_new(const char *hostport);
void gw_otlp_conn_free(struct gw_otlp_conn *c);

/* POSTs len bytes of body to path, with `fields` (complete header lines, "Name: v\r\n" each,
 * Content-Type included; may be NULL) and a Content-Length, within timeout_ms. True with the
 * answer's status in *status, or false with why set (Go's words where they exist: "dial tcp
 * ...: connect: connection refused", "context deadline exceeded", "EOF"). */
bool gw_otlp_conn_post(struct gw_otlp_conn *c, const char *path, const char *fields,
                       const void *body, size_t len, int64_t timeout_ms, long *status, char *why,
                       size_t cap);

#endif
