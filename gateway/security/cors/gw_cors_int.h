/* gw_cors_int.h - the built CORS config shared by gw_cors_config.c and gw_cors.c. Private. */
#ifndef GW_CORS_INT_H
#define GW_CORS_INT_H

#include "gw_cors.h"

struct gw_cors_str {
    char *s;
    size_t len;
};

struct gw_cors_wildcard {
    struct gw_cors_str prefix, suffix;
};

enum gw_cors_status_kind {
    GW_CORS_STATUS_FINAL = 0,     /* 200-999: written as is */
    GW_CORS_STATUS_INFORMATIONAL, /* 100-199: Go sends it, then 200 when the handler ends */
    GW_CORS_STATUS_PANIC,         /* outside 100-999: Go's WriteHeader panics */
};

struct gw_cors {
    bool all_origins;
    struct gw_cors_str *origins; /* lower-cased, exact */
    size_t n_origins;
    struct gw_cors_wildcard *wild; /* split at the first '*' */
    size_t n_wild;
    char **methods; /* case-sensitive; GET POST HEAD by default */
    size_t n_methods;
    bool all_headers;
    struct gw_cors_str *headers; /* lower-cased, sorted, unique */
    size_t n_headers;
    size_t headers_max_len;
    char *expose; /* canonical names joined by ", "; NULL: none */
    size_t expose_len;
    bool credentials, private_network, passthrough, debug;
    long long success_status; /* 204 when unset */
    enum gw_cors_status_kind status_kind;
    char max_age[24]; /* "" when no Access-Control-Max-Age */
    /* The answer's fixed fields, checked and laid out once (cmn_http_line); one the field rule
     * refuses has no line (name NULL) and goes the ordinary way, where the writer leaves it
     * out. */
    struct cmn_http_line vary_actual, vary_preflight, acao_all, aceh, acac, acapn, acma;
};

/* The fixed fields' names, and the preflight's Vary (rs/cors). */
#define GW_CORS_ACAO "Access-Control-Allow-Origin"
#define GW_CORS_ACAC "Access-Control-Allow-Credentials"
#define GW_CORS_ACAPN "Access-Control-Allow-Private-Network"
#define GW_CORS_ACMA "Access-Control-Max-Age"
#define GW_CORS_ACEH "Access-Control-Expose-Headers"
#define GW_CORS_VARY_PREFLIGHT                                                                     \
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
#define GW_CORS_VARY_PREFLIGHT_PN GW_CORS_VARY_PREFLIGHT ", Access-Control-Request-Private-Network"

/* rs/cors lower-cases with strings.ToLower: ASCII letters are lowered and, as Go's strings.Map
 * does for a string with non-ASCII bytes, each invalid UTF-8 byte becomes U+FFFD (other
 * non-ASCII letters keep their case here; docs/security-modules.md). Writes into out (room for
 * 3n bytes) and returns the length. */
size_t gw_cors_lower(const char *s, size_t n, char *out);

#endif
