/* gw_config.h - krakend.json (syntax version 3) parsed once into immutable structures.
 *
 * This header is the contract between the configuration parser (gw_config*.c) and everything
 * that runs requests (router, proxy, validator). Nothing in the request path reads JSON config:
 * modules that own an extra_config namespace parse it at build time into their own structs,
 * from the `extra_config` objects kept here (aliases already rewritten to canonical names). */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include "cmn_err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Status of parsing / validation; 0 = OK. */
enum gw_config_status {
    GW_CONFIG_OK = 0,
    GW_CONFIG_IO,      /* the file cannot be read */
    GW_CONFIG_SYNTAX,  /* not JSON (message has line and column) */
    GW_CONFIG_INVALID, /* refused as KrakenD refuses it (§1.5); message names the JSON path */
    GW_CONFIG_NOMEM,
};

/* Backend `encoding` (§3.2). Unknown names decode as JSON, as in KrakenD. */
enum gw_encoding {
    GW_ENC_JSON = 0,
    GW_ENC_SAFEJSON,
    GW_ENC_STRING,
    GW_ENC_NOOP,
    GW_ENC_XML, /* krakend-xml (gateway/encoding) */
    GW_ENC_RSS, /* krakend-rss (gateway/encoding) */
};

/* Endpoint `output_encoding` (§3.6). */
enum gw_output_encoding {
    GW_OUT_JSON = 0,
    GW_OUT_JSON_COLLECTION,
    GW_OUT_STRING,
    GW_OUT_NOOP,
    GW_OUT_XML,       /* krakend-xml's renderer (gateway/encoding) */
    GW_OUT_YAML,      /* gin's YAML */
    GW_OUT_NEGOTIATE, /* by the request's Accept: JSON, XML or YAML */
};

/* A list of strings; `set` distinguishes "absent" from "present but empty". */
struct gw_strlist {
    char **items;
    size_t n;
    bool set;
};

struct gw_kv {
    char *key;
    char *value;
};

/* `proxy.static` (§3.4). */
enum gw_static_strategy {
    GW_STATIC_NONE = 0,
    GW_STATIC_ALWAYS,
    GW_STATIC_SUCCESS,
    GW_STATIC_ERRORED,
    GW_STATIC_COMPLETE,
    GW_STATIC_INCOMPLETE,
};

/* proxy.flatmap_filter (krakend-config-transform.md §6.1), backend or endpoint level. */
enum gw_flatmap_kind {
    GW_FLATMAP_OTHER = 0, /* an unknown type: does nothing, yet counts as an operation */
    GW_FLATMAP_MOVE,
    GW_FLATMAP_DEL,
    GW_FLATMAP_APPEND,
};

struct gw_flatmap_op {
    enum gw_flatmap_kind kind;
    struct gw_strlist *args; /* each argument split on '.'; n == 0 for a non-string argument */
    size_t n_args;
};

/* n_ops == 0: no flatmap (allow/deny/mapping apply). */
struct gw_flatmap {
    struct gw_flatmap_op *ops;
    size_t n_ops;
};

/* backend/graphql (krakend-telemetry-validation.md §8): set only when the block is usable and
 * its type is query or mutation. */
enum gw_graphql_type {
    GW_GRAPHQL_QUERY = 1,
    GW_GRAPHQL_MUTATION,
};

struct gw_graphql {
    enum gw_graphql_type type;
    bool get;    /* method GET; else POST */
    char *query; /* `query`, or the content of `query_path` */
    size_t query_len;
    char *operation_name; /* NULL when empty */
    json_t *variables;    /* borrowed object, NULL when absent or empty */
};

struct gw_backend {
    char *json_path;         /* "endpoints[3].backend[0]" for messages */
    char *url_pattern;       /* CleanPath'ed path, with the pattern's own "?query" if any */
    struct gw_strlist hosts; /* sanitised "scheme://host[:port]" (as written when
                                disable_host_sanitize). n == 0 when neither the backend nor the
                                service has a host: KrakenD starts and answers such calls 500 */
    char *method;            /* upper-case; the endpoint's method when absent */
    enum gw_encoding encoding;
    bool is_collection;
    char *target; /* dot path or NULL */
    struct gw_strlist allow;
    struct gw_strlist deny;
    struct gw_kv *mapping; /* top-level renames, in file order */
    size_t n_mapping;
    char *group;                           /* NULL when absent */
    struct gw_strlist input_headers;       /* canonical header names; second-level filter */
    struct gw_strlist input_query_strings; /* second-level filter */
    bool disable_host_sanitize;
    bool sd_dns;     /* "sd": "dns": hosts from the SRV records of hosts.items[0] (gw_sd.h) */
    char *sd_scheme; /* the scheme of those hosts: "http" when absent */
    /* backend/http (§3.1) */
    char *return_error_details; /* name for "error_<name>", NULL when unset */
    bool return_error_code;
    /* copied from the endpoint, as KrakenD does (§1.4) */
    int64_t timeout_ms;
    unsigned concurrent_calls;
    json_t *extra_config;         /* borrowed (owned by the config); canonical names; may be NULL */
    struct gw_strlist url_params; /* distinct {placeholders} of url_pattern, first-seen order,
                                     including exempt {JWT.x} and {respN_x} ones */
    /* proxy namespace (krakend-config-transform.md §6) */
    struct gw_flatmap flatmap;
    bool shadow;                /* proxy.shadow: true */
    int64_t shadow_timeout_ms;  /* proxy.shadow_timeout, else the backend timeout */
    struct gw_graphql *graphql; /* NULL: no GraphQL transformation */
};

struct gw_endpoint {
    char *json_path;                 /* "endpoints[3]" */
    int line;                        /* line of the endpoint object in the file, 0 when unknown */
    char *path;                      /* as configured after CleanPath: "/api/items/{id}" */
    char *method;                    /* upper-case: GET POST PUT PATCH DELETE */
    struct gw_strlist params;        /* names of {params} in path order */
    int64_t timeout_ms;              /* endpoint timeout or the service's (2 s default) */
    int64_t cache_ttl_s;             /* 0 = no Cache-Control */
    unsigned concurrent_calls;       /* >= 1 */
    struct gw_strlist input_headers; /* canonical names; "*" allowed */
    struct gw_strlist input_query_strings; /* case-sensitive; "*" allowed */
    enum gw_output_encoding output_encoding;
    struct gw_backend *backends;
    size_t n_backends;
    /* proxy namespace (§3.4, krakend-config-transform.md §6) */
    bool sequential;           /* `sequential: true` or `strategy: "sequential"` */
    struct gw_flatmap flatmap; /* applied to merged responses only */
    struct gw_strlist sequential_propagated_params; /* as configured */
    enum gw_static_strategy static_strategy;
    json_t *static_data;  /* borrowed; NULL unless static_strategy */
    json_t *extra_config; /* borrowed; canonical names; may be NULL */
};

/* extra_config.router (§2.1) */
struct gw_router_opts {
    bool disable_redirect_trailing_slash;
    bool disable_redirect_fixed_path;
    bool disable_handle_method_not_allowed;
    bool return_error_msg;
    bool disable_health;
    char *health_path; /* default "/__health" */
    bool disable_access_log;
    bool disable_path_decoding;
    bool hide_version_header;
    bool auto_options;
    json_t *error_body_404; /* borrowed, NULL when unset */
    json_t *error_body_405;
    /* added by the config layer (gin engine options, §2.1) */
    bool forwarded_by_client_ip; /* true by default (gin) */
    bool remove_extra_slash;
    struct gw_strlist remote_ip_headers; /* default X-Forwarded-For, X-Real-IP */
    struct gw_strlist trusted_proxies;   /* unset = all trusted (gin default) */
    struct gw_strlist logger_skip_paths;
};

/* extra_config."telemetry/logging" (§6) */
struct gw_logging_opts {
    bool present; /* without the block KrakenD logs at DEBUG */
    char *level;  /* "DEBUG", "INFO", ... */
    char *prefix;
    bool stdout_enabled;
    bool syslog;
    char *format; /* "default", "logstash", "custom" or NULL */
};

/* A list of 16-bit numbers (TLS suite and curve IDs). */
struct gw_u16list {
    uint16_t *items;
    size_t n;
};

/* One certificate and its key (files). */
struct gw_tls_pair {
    char *cert; /* `public_key` in tls.keys, `certificate` in client_tls.client_certs */
    char *key;  /* `private_key` */
};

/* `tls` (§1.2, lura config.TLS): present only when the block is in the file. */
struct gw_tls_opts {
    bool present;
    bool disabled;
    char *public_key; /* file paths, NULL when unset */
    char *private_key;
    struct gw_tls_pair *keys; /* `keys`, in file order */
    size_t n_keys;
    char *min_version; /* "TLS12", ... or NULL */
    char *max_version;
    struct gw_u16list cipher_suites;     /* IANA numbers, as Go's tls constants */
    struct gw_u16list curve_preferences; /* Go's CurveIDs */
    bool prefer_server_cipher_suites;    /* a no-op in Go since 1.18, here too */
    bool enable_mtls;
    bool disable_system_ca_pool;
    struct gw_strlist ca_certs;
};

/* `client_tls` (lura config.ClientTLS) and the service's `allow_insecure_connections`: the TLS
 * settings of the backend client. */
struct gw_client_tls_opts {
    bool present; /* the block, or allow_insecure_connections: true (lura then makes one) */
    bool allow_insecure_connections;
    bool disable_system_ca_pool;
    struct gw_strlist ca_certs;
    char *min_version, *max_version;
    struct gw_u16list cipher_suites;
    struct gw_u16list curve_preferences;
    struct gw_tls_pair *client_certs; /* `client_certs`: certificate + private_key */
    size_t n_client_certs;
};

struct gw_config {
    char *path; /* the file it was read from */
    int version;
    char *name;
    unsigned port;   /* 8080 default; `-p` overrides after parsing */
    char *listen_ip; /* NULL = all interfaces */
    struct gw_strlist hosts;
    int64_t timeout_ms; /* 2000 default */
    int64_t cache_ttl_s;
    enum gw_output_encoding output_encoding;
    bool debug_endpoint; /* `-d` ORs into this */
    bool echo_endpoint;
    bool disable_rest;
    int64_t read_timeout_ms, write_timeout_ms, idle_timeout_ms, read_header_timeout_ms;
    size_t max_header_bytes;                /* 1 MB (Go's default) when 0/absent */
    unsigned max_idle_connections_per_host; /* 250 default */
    int64_t max_shutdown_wait_ms;           /* 0 = wait for every request in flight */
    bool disable_keep_alives;
    bool disable_compression;
    /* backend transport settings (§1.2); 0 = Go's default / no limit */
    unsigned max_idle_connections;
    int64_t idle_connection_timeout_ms, response_header_timeout_ms, expect_continue_timeout_ms;
    int64_t dialer_timeout_ms, dialer_fallback_delay_ms, dialer_keep_alive_ms;
    bool use_h2c;
    struct gw_tls_opts tls;
    struct gw_client_tls_opts client_tls;
    int64_t dns_cache_ttl_ms; /* sd "dns": how long SRV answers are kept (30 s; under 1 s: 30 s) */
    struct gw_router_opts router;
    struct gw_logging_opts logging;
    struct gw_endpoint *endpoints;
    size_t n_endpoints;
    json_t *extra_config;       /* borrowed from root; canonical names; may be NULL */
    json_t *root;               /* owned: the whole parsed document, keeps extra_config alive */
    struct gw_strlist warnings; /* what `check` and `run` print: skipped endpoints, unknown
                                   namespaces and options, ... */
    struct gw_strlist errors;   /* what they print at ERROR level and `--strict` refuses: a
                                   misspelt security namespace, one line per place it leaves
                                   unprotected (KrakenD starts and ignores it) */
};

/* Reads and validates a file. On success returns an owned config (free with
 * gw_config_destroy); on failure NULL and err (code = enum gw_config_status) says what and
 * where, e.g. "endpoints[2].backend[0].host[0]: host http://a b not valid: invalid host".
 * env: a NULL-terminated "KEY=VALUE" array for KRAKEND_* overrides (pass environ). */
struct gw_config *gw_config_load(const char *path, char *const *env, struct cmn_err *err);

/* Reads the file gw_config_load would read, with its size cap: owned bytes (NUL-terminated) in
 * *data, or false with err ("open PATH: No such file or directory"). */
bool gw_config_read(const char *path, char **data, size_t *len, struct cmn_err *err);

/* The same from bytes already in memory (tests, fuzzing); name is used in messages. */
struct gw_config *gw_config_parse(const char *data, size_t len, const char *name, char *const *env,
                                  struct cmn_err *err);

void gw_config_destroy(struct gw_config *cfg);

/* Canonical name of an extra_config namespace (alias table §1.6), or the name itself. */
const char *gw_config_canonical_namespace(const char *name);

/* Whether this gateway applies the namespace (short or canonical name) in an extra_config at
 * level (1 the service, 2 an endpoint, 4 a backend, 8 an async agent). */
bool gw_config_namespace_applied(const char *name, unsigned level);

/* Whether the endpoint has an auth/signer block. krakend-jose's TokenSigner then replaces the
 * whole handler below the validator (the signer's spec §7.3): the endpoint's lua-endpoint and
 * qos/ratelimit/router never run there, and their blocks are not even read. */
bool gw_endpoint_has_signer(const struct gw_endpoint *ep);

/* Writes what `check -d` shows (level 1..3, more detail each) to f. */
void gw_config_dump(const struct gw_config *cfg, int level, FILE *f);

#endif
