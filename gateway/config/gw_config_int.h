/* gw_config_int.h - internals shared by the gw_config*.c files (not for other modules). */
#ifndef GW_CONFIG_INT_H
#define GW_CONFIG_INT_H

#include "gw_config.h"
#include "gw_schema.h"

#include <stdarg.h>

/* Caps on what the input drives. */
#define GW_CFG_MAX_BYTES (16u * 1024u * 1024u) /* krakend.json size */
#define GW_CFG_MAX_DEPTH 64                    /* JSON nesting */
#define GW_CFG_MAX_ENDPOINTS 10000
#define GW_CFG_MAX_BACKENDS 64 /* per endpoint */
#define GW_CFG_MAX_LIST 4096   /* entries of any string list (hosts, headers, ...) */
#define GW_CFG_MAX_PARAMS 64   /* {params} per path */
#define GW_CFG_MAX_WARNINGS 1000
#define GW_CFG_MAX_ENV 4096    /* KRAKEND_* variables looked at */
#define GW_CFG_MAX_NS_USES 512 /* distinct unsupported namespaces remembered */
#define GW_CFG_PATH_MAX 256    /* JSON path strings in messages */

/* One unsupported/misspelt namespace, reported once with where it was first seen. */
struct gw_cfg_ns_use {
    char *name;
    char *first_path;
    size_t count;
    int kind; /* enum ns_kind in gw_config_ns.c */
};

/* A key a KRAKEND_* variable set: an error at that path is the variable's, not the file's. */
struct gw_cfg_env_key {
    char *path; /* "port", "extra_config.x" */
    char *var;  /* "KRAKEND_PORT" */
};

/* Parsing state shared by the decoding functions. */
struct gw_cfg_ctx {
    const char *text; /* the raw document, for line numbers */
    size_t len;
    struct gw_config *cfg;
    struct cmn_err e;               /* the first error; copied to the caller's at the end */
    struct cmn_err *err;            /* == &e */
    char *svc_output_encoding;      /* the service's output_encoding, default for endpoints */
    struct gw_strlist warned;       /* keys of gw_cfg_warn_once warnings already given */
    char err_path[GW_CFG_PATH_MAX]; /* JSON path of the first error */
    bool failed;
    bool nomem;
    struct gw_cfg_ns_use *ns_uses;
    size_t n_ns_uses;
    struct gw_schema *schema; /* the v2.13 rules: namespaces, options, suggestions */
    struct gw_cfg_env_key *env_keys; /* what KRAKEND_* variables set, for error messages */
    size_t n_env_keys;
};

/* ---- errors and warnings (gw_config_value.c) ---- */

/* Records the first error (GW_CONFIG_INVALID) at path; later calls are ignored. Returns false. */
bool gw_cfg_fail(struct gw_cfg_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool gw_cfg_oom(struct gw_cfg_ctx *c);
/* Appends a warning (copied) to cfg->warnings; silently dropped past the cap. */
void gw_cfg_warn(struct gw_cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like gw_cfg_warn, once per key (e.g. one warning per unsupported option name). */
void gw_cfg_warn_once(struct gw_cfg_ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends an ERROR-level line (copied) to cfg->errors; dropped past the cap. */
void gw_cfg_error(struct gw_cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "parent.key" / "parent[i]" into out (truncated to GW_CFG_PATH_MAX). */
void gw_cfg_path_key(char *out, const char *parent, const char *key);
void gw_cfg_path_idx(char *out, const char *parent, size_t i);

/* ---- weakly typed member access, as mapstructure's WeaklyTypedInput (gw_config_value.c) ----
 * Each getter looks `key` up in obj (exact name first, then case-insensitively, as
 * mapstructure does), leaves *out untouched when the member is absent or null, and returns
 * false after gw_cfg_fail when the value cannot be converted. */
json_t *gw_cfg_member(const json_t *obj, const char *key);
bool gw_cfg_get_bool(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                     bool *out);
bool gw_cfg_get_int(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                    long long min, long long max, long long *out);
bool gw_cfg_get_duration(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                         int64_t *out_ns);
/* *out is replaced by an owned string. */
bool gw_cfg_get_string(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                       char **out);
/* A list of strings; a single value is taken as a one-element list (mapstructure). */
bool gw_cfg_get_strlist(struct gw_cfg_ctx *c, const json_t *obj, const char *key, const char *path,
                        struct gw_strlist *out);
/* Converts one JSON scalar as mapstructure converts to string; owned result or NULL. */
char *gw_cfg_weak_string(const json_t *v, bool *ok);

/* Table-driven decoding of scalar fields into a struct. */
enum gw_cfg_type {
    GW_CFG_BOOL,
    GW_CFG_UINT,    /* unsigned, bounded by [min, max] */
    GW_CFG_SIZE,    /* size_t, bounded */
    GW_CFG_DUR_MS,  /* int64_t milliseconds (Go duration; sub-ms values round up) */
    GW_CFG_DUR_S,   /* int64_t seconds (truncated, as int(d.Seconds())) */
    GW_CFG_STRING,  /* char *, owned */
    GW_CFG_STRLIST, /* struct gw_strlist */
    GW_CFG_HDRLIST, /* struct gw_strlist of canonical header names */
};

struct gw_cfg_field {
    const char *name;
    enum gw_cfg_type type;
    size_t offset;
    long long min, max;
};

bool gw_cfg_decode_fields(struct gw_cfg_ctx *c, const json_t *obj, const char *path,
                          const struct gw_cfg_field *fields, size_t n, void *dst);

/* The same, each failure demoted to a warning (namespace options lura ignores when wrong). */
void gw_cfg_decode_fields_soft(struct gw_cfg_ctx *c, const json_t *obj, const char *path,
                               const struct gw_cfg_field *fields, size_t n, void *dst);

/* ---- the tls and client_tls blocks (gw_config_tls.c) ---- */
bool gw_cfg_tls(struct gw_cfg_ctx *c, json_t *root);
void gw_cfg_tls_free(struct gw_config *cfg);

/* ---- strings and lists (gw_config_util.c) ---- */
char *gw_cfg_strdup(const char *s);
void gw_strlist_free(struct gw_strlist *l);
bool gw_strlist_push(struct gw_strlist *l, const char *s);
bool gw_strlist_has(const struct gw_strlist *l, const char *s);
bool gw_strlist_copy(struct gw_strlist *dst, const struct gw_strlist *src);

/* "/" + path without one leading "/" (lura CleanPath); owned. */
char *gw_cfg_clean_path(const char *path);
/* lura SafeCleanHost: scheme://host[:port] or NULL when the host is invalid; owned. */
char *gw_cfg_clean_host(const char *host);
/* Endpoint {params}: whole segments "/{name}" (RESTful) or anywhere (disable_rest). Appends
 * names in path order to out (duplicates kept, as the regexp finds them). */
bool gw_cfg_endpoint_params(const char *path, bool disable_rest, struct gw_strlist *out);
/* Placeholders of a url_pattern, regexp \{([\w\-\.:/]+)\}, in order (duplicates kept). */
bool gw_cfg_url_params(const char *pattern, struct gw_strlist *out);
/* ^(resp[\d]+_.+)?(JWT\.([\w\-\.:/]+))?$ : sequential and JWT placeholders are exempt. */
bool gw_cfg_is_exempt_param(const char *name);
/* Go strconv.ParseInt(s, 0, 64): sign, 0x/0o/0b/0 prefixes, underscores after a prefix. */
bool gw_cfg_parse_goint(const char *s, long long *out);
/* Go strconv.ParseBool. */
bool gw_cfg_parse_gobool(const char *s, bool *out);

/* Calls cb for the start of every JSON value with its path ("endpoints[2].backend[0]", "" for
 * the root) and 1-based line; stops when cb returns true. text must be valid JSON. */
typedef bool (*gw_cfg_line_cb)(const char *path, size_t path_len, int line, void *ud);
void gw_cfg_scan_lines(const char *text, size_t len, gw_cfg_line_cb cb, void *ud);
/* Line of the value at path, 0 when not found. */
int gw_cfg_line_of(const char *text, size_t len, const char *path);

/* ---- namespaces (gw_config_ns.c) ---- */
enum gw_cfg_level {
    GW_LVL_SERVICE = 1,
    GW_LVL_ENDPOINT = 2,
    GW_LVL_BACKEND = 4,
    GW_LVL_AGENT = 8,
};
/* Rewrites aliases of an extra_config object to canonical names (alias wins when both are
 * present, as lura's Normalize does) and records unsupported / misspelt namespaces. Fails when
 * extra_config is not an object. *out is the borrowed object or NULL. */
bool gw_cfg_extra_config(struct gw_cfg_ctx *c, json_t *parent, const char *path,
                         enum gw_cfg_level level, json_t **out);
/* Turns the recorded namespace uses into warnings (once per namespace) and frees them. */
void gw_cfg_ns_flush(struct gw_cfg_ctx *c);
void gw_cfg_ns_free(struct gw_cfg_ctx *c);

/* Canonical namespaces we implement. */
#define GW_NS_VALIDATOR "github.com/devopsfaith/krakend-jose/validator"
#define GW_NS_PROXY "github.com/devopsfaith/krakend/proxy"
#define GW_NS_ROUTER "github_com/luraproject/lura/router/gin"
#define GW_NS_BACKEND_HTTP "github.com/devopsfaith/krakend/http"
#define GW_NS_LOGGING "github_com/devopsfaith/krakend-gologging"

/* Runs with errors demoted to warnings: lura ignores namespace options of the wrong type. */
void gw_cfg_soft_end(struct gw_cfg_ctx *c, bool was_failed);

/* ---- the proxy namespace and backend/graphql (gw_config_proxy.c) ---- */
/* Endpoint level: sequential/strategy, static, flatmap_filter, sequential_propagated_params. */
bool gw_cfg_endpoint_proxy(struct gw_cfg_ctx *c, struct gw_endpoint *e, const char *path);
/* After the endpoint's backends were parsed: what depends on how many are not shadows. */
bool gw_cfg_endpoint_proxy_check(struct gw_cfg_ctx *c, struct gw_endpoint *e, const char *path);
/* Backend level: flatmap_filter, shadow, shadow_timeout (after timeout_ms is known). */
bool gw_cfg_backend_proxy(struct gw_cfg_ctx *c, struct gw_backend *b, const char *bpath);
/* backend/graphql: b->graphql set when the block is usable; query_path is read here. */
bool gw_cfg_backend_graphql(struct gw_cfg_ctx *c, struct gw_backend *b, const char *bpath);
void gw_cfg_flatmap_free(struct gw_flatmap *f);
void gw_cfg_graphql_free(struct gw_graphql *g);

/* ---- endpoints (gw_config_endpoint.c) ---- */
bool gw_cfg_endpoints(struct gw_cfg_ctx *c, json_t *root);
void gw_cfg_endpoint_free(struct gw_endpoint *e);

#endif
