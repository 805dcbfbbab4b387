/* sec_util.h - what the security modules' tests share: a request as the server hands it to the
 * middlewares (struct cmn_http_request), the headers a middleware added (struct gw_hdrs), and
 * the log lines a module wrote (cmn_log into a temporary file). */
#ifndef SEC_UTIL_H
#define SEC_UTIL_H

#include "cmn_http.h"
#include "cmn_log.h"
#include "gw_hdrs.h"

#include <stdbool.h>
#include <stddef.h>

#define ST_MAX_HEADERS 48

struct st_req {
    struct cmn_http_request r;
    struct cmn_http_kv kv[ST_MAX_HEADERS];
    char pool[16384]; /* the strings r and kv point into */
    size_t used;
};

/* A request line: method and raw target ("/a%20b?x=1", or absolute "https://h:1/p"), no
 * headers, plain HTTP from 127.0.0.1. */
void st_req_init(struct st_req *q, const char *method, const char *target);
/* Appends a header line (name as sent). */
void st_req_add(struct st_req *q, const char *name, const char *value);

/* The lines of name in h, joined by "\n" into buf; NULL when h has none. */
const char *st_lines(const struct gw_hdrs *h, const char *name, char *buf, size_t n);
/* The number of distinct header names in h. */
size_t st_names(const struct gw_hdrs *h);
/* The lines of name in a response, joined by "\n" into buf; NULL when it has none. */
const char *st_resp_lines(const struct cmn_http_response *r, const char *name, char *buf, size_t n);

/* Log capture: lines at min_level and above go to a temporary file until st_log_end. */
void st_log_begin(enum cmn_log_level min_level);
/* Everything logged since st_log_begin (or the last st_log_clear); owned by sec_util. */
const char *st_log_text(void);
bool st_log_has(const char *needle);
/* Whether one line at level ("WARNING", "DEBUG", ...) holds part. */
bool st_log_line(const char *level, const char *part);
/* Occurrences of needle in the log. */
size_t st_log_count(const char *needle);
void st_log_clear(void);
void st_log_end(void);

#endif
