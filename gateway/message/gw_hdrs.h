/* gw_hdrs.h - an ordered list of header fields with duplicates, as both sides of the gateway
 * carry them: incoming requests, backend requests and backend answers. */
#ifndef GW_HDRS_H
#define GW_HDRS_H

#include <stdbool.h>
#include <stddef.h>

#define GW_MAX_HEADERS 256 /* headers kept per request or response */

struct cmn_http_line;

struct gw_hdr {
    const char *name;
    const char *value;
    const struct cmn_http_line *line; /* the checked line name and value belong to, or NULL */
};

/* An ordered header list with duplicates; names are compared case-insensitively. */
struct gw_hdrs_block;

/* Headers in order; their strings live in blocks the list owns (a few allocations per list, not
 * one per header). A gw_hdrs may be moved by value; its strings stay where they are. */
struct gw_hdrs {
    struct gw_hdr *v;
    size_t n, cap, max;
    struct gw_hdrs_block *blocks; /* newest first */
};

void gw_hdrs_init(struct gw_hdrs *h, size_t max);
void gw_hdrs_free(struct gw_hdrs *h);
/* Appends a copy; false on allocation failure or when max is reached. */
bool gw_hdrs_add(struct gw_hdrs *h, const char *name, const char *value);
/* The same from counted strings (neither needs a NUL). */
bool gw_hdrs_add_n(struct gw_hdrs *h, const char *name, size_t name_len, const char *value,
                   size_t value_len);
/* Appends a checked line (cmn_http.h) by reference: name and value are the line's, which
 * must outlive the list; an answer built from the list carries the line as it is. */
bool gw_hdrs_add_line(struct gw_hdrs *h, const struct cmn_http_line *line);
/* Header.Set with a line: replaces every value of the line's name. fresh: the caller knows the
 * list holds none, and the scan is saved. */
bool gw_hdrs_set_line(struct gw_hdrs *h, const struct cmn_http_line *line, bool fresh);
/* Replaces every value of name by one value (appends if absent). */
bool gw_hdrs_set(struct gw_hdrs *h, const char *name, const char *value);
void gw_hdrs_del(struct gw_hdrs *h, const char *name);
/* First value or NULL (borrowed). */
const char *gw_hdrs_get(const struct gw_hdrs *h, const char *name);

#endif
