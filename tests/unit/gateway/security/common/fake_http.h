/* fake_http.h - a request view and a response recorder for the security modules' unit tests. */
#ifndef FAKE_HTTP_H
#define FAKE_HTTP_H

#include "gw_sec.h"

#include <stdbool.h>
#include <stddef.h>

#define FAKE_MAX_HEADERS 48

struct fake_req {
    struct gw_sec_request view;
    const char *names[FAKE_MAX_HEADERS];
    const char *values[FAKE_MAX_HEADERS];
    size_t n;
};

/* A request with method and path; target "" query. Headers are added with fake_req_add. */
void fake_req_init(struct fake_req *r, const char *method, const char *path);
void fake_req_add(struct fake_req *r, const char *name, const char *value);

struct fake_op {
    bool set; /* Header.Set (else Add) */
    char name[64];
    char value[512];
};

struct fake_resp {
    struct gw_sec_response view;
    struct fake_op ops[FAKE_MAX_HEADERS];
    size_t n;
    int fail_after; /* callbacks fail once this many succeeded; -1: never */
};

void fake_resp_init(struct fake_resp *r);
/* The lines the response holds for name after all operations, joined by "\n" into out. */
size_t fake_resp_lines(const struct fake_resp *r, const char *name, char *out, size_t size);
/* Number of distinct header names the response holds. */
size_t fake_resp_names(const struct fake_resp *r);

/* A log that keeps its lines. */
struct fake_log {
    struct gw_sec_log view;
    char lines[32][1024];
    int levels[32];
    size_t n;
};

void fake_log_init(struct fake_log *l);

#endif
