/* gw_config.c - krakend.json to struct gw_config: document loading, KRAKEND_* overrides,
 * service-level fields and options, error messages with JSON path and line. */
#include "gw_config_int.h"

#include "cmn_file.h"
#include "cmn_go_net.h"
#include "cmn_str.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVC(f) offsetof(struct gw_config, f)
#define DUR(name, f)                                                                               \
    {                                                                                              \
        name, GW_CFG_DUR_MS, SVC(f), 0, 0                                                          \
    }
static const struct gw_cfg_field SERVICE_FIELDS[] = {
    {"name", GW_CFG_STRING, SVC(name), 0, 0},
    {"port", GW_CFG_UINT, SVC(port), 0, 65535},
    {"listen_ip", GW_CFG_STRING, SVC(listen_ip), 0, 0},
    {"host", GW_CFG_STRLIST, SVC(hosts), 0, 0},
    DUR("timeout", timeout_ms),
    {"cache_ttl", GW_CFG_DUR_S, SVC(cache_ttl_s), 0, 0},
    {"debug_endpoint", GW_CFG_BOOL, SVC(debug_endpoint), 0, 0},
    {"echo_endpoint", GW_CFG_BOOL, SVC(echo_endpoint), 0, 0},
    {"disable_rest", GW_CFG_BOOL, SVC(disable_rest), 0, 0},
    DUR("read_timeout", read_timeout_ms),
    DUR("write_timeout", write_timeout_ms),
    DUR("idle_timeout", idle_timeout_ms),
    DUR("read_header_timeout", read_header_timeout_ms),
    {"max_header_bytes", GW_CFG_SIZE, SVC(max_header_bytes), 0, 1LL << 30},
    {"max_idle_connections", GW_CFG_UINT, SVC(max_idle_connections), 0, 1 << 30},
    {"max_idle_connections_per_host", GW_CFG_UINT, SVC(max_idle_connections_per_host), 0, 1 << 30},
    DUR("idle_connection_timeout", idle_connection_timeout_ms),
    DUR("response_header_timeout", response_header_timeout_ms),
    DUR("expect_continue_timeout", expect_continue_timeout_ms),
    DUR("dialer_timeout", dialer_timeout_ms),
    DUR("dialer_fallback_delay", dialer_fallback_delay_ms),
    DUR("dialer_keep_alive", dialer_keep_alive_ms),
    DUR("max_shutdown_wait_time", max_shutdown_wait_ms),
    DUR("dns_cache_ttl", dns_cache_ttl_ms),
    {"disable_keep_alives", GW_CFG_BOOL, SVC(disable_keep_alives), 0, 0},
    {"disable_compression", GW_CFG_BOOL, SVC(disable_compression), 0, 0},
    {"use_h2c", GW_CFG_BOOL, SVC(use_h2c), 0, 0},
};

#define RT(f) offsetof(struct gw_router_opts, f)
static const struct gw_cfg_field ROUTER_FIELDS[] = {
    {"disable_redirect_trailing_slash", GW_CFG_BOOL, RT(disable_redirect_trailing_slash), 0, 0},
    {"disable_redirect_fixed_path", GW_CFG_BOOL, RT(disable_redirect_fixed_path), 0, 0},
    {"disable_handle_method_not_allowed", GW_CFG_BOOL, RT(disable_handle_method_not_allowed), 0, 0},
    {"return_error_msg", GW_CFG_BOOL, RT(return_error_msg), 0, 0},
    {"disable_health", GW_CFG_BOOL, RT(disable_health), 0, 0},
    {"health_path", GW_CFG_STRING, RT(health_path), 0, 0},
    {"disable_access_log", GW_CFG_BOOL, RT(disable_access_log), 0, 0},
    {"disable_path_decoding", GW_CFG_BOOL, RT(disable_path_decoding), 0, 0},
    {"hide_version_header", GW_CFG_BOOL, RT(hide_version_header), 0, 0},
    {"auto_options", GW_CFG_BOOL, RT(auto_options), 0, 0},
    {"forwarded_by_client_ip", GW_CFG_BOOL, RT(forwarded_by_client_ip), 0, 0},
    {"remove_extra_slash", GW_CFG_BOOL, RT(remove_extra_slash), 0, 0},
    {"remote_ip_headers", GW_CFG_HDRLIST, RT(remote_ip_headers), 0, 0},
    {"trusted_proxies", GW_CFG_STRLIST, RT(trusted_proxies), 0, 0},
    {"logger_skip_paths", GW_CFG_STRLIST, RT(logger_skip_paths), 0, 0},
};

#define LG(f) offsetof(struct gw_logging_opts, f)
static const struct gw_cfg_field LOGGING_FIELDS[] = {
    {"level", GW_CFG_STRING, LG(level), 0, 0},         {"prefix", GW_CFG_STRING, LG(prefix), 0, 0},
    {"stdout", GW_CFG_BOOL, LG(stdout_enabled), 0, 0}, {"syslog", GW_CFG_BOOL, LG(syslog), 0, 0},
    {"format", GW_CFG_STRING, LG(format), 0, 0},
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

/* The path (lower case, as set) of a key a variable set, and the variable's name. */
static bool remember_env_key(struct gw_cfg_ctx *c, const char *key, size_t klen, const char *var,
                             size_t vlen)
{
    struct gw_cfg_env_key *k = realloc(c->env_keys, (c->n_env_keys + 1) * sizeof(*k));

    if (!k)
        return false;
    c->env_keys = k;
    k = &c->env_keys[c->n_env_keys];
    k->path = cmn_strndup(key, klen);
    k->var = cmn_strndup(var, vlen);
    if (!k->path || !k->var) {
        free(k->path);
        free(k->var);
        return false;
    }
    for (char *p = k->path; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    c->n_env_keys++;
    return true;
}

/* The variable that set the value at path (or one of its parents), or NULL. */
static const char *env_var_of(const struct gw_cfg_ctx *c, const char *path)
{
    for (size_t i = c->n_env_keys; i > 0; i--) {
        const struct gw_cfg_env_key *k = &c->env_keys[i - 1];
        size_t n = strlen(k->path);
        if (strncmp(path, k->path, n) == 0 && (path[n] == '\0' || path[n] == '.' || path[n] == '['))
            return k->var;
    }
    return NULL;
}

static void env_keys_free(struct gw_cfg_ctx *c)
{
    for (size_t i = 0; i < c->n_env_keys; i++) {
        free(c->env_keys[i].path);
        free(c->env_keys[i].var);
    }
    free(c->env_keys);
    c->env_keys = NULL;
    c->n_env_keys = 0;
}

/* koanf's env provider: KRAKEND_A_B=v sets key "a_b" (lower-cased, '.' nests), even when the
 * file does not have it. */
static bool apply_env(struct gw_cfg_ctx *c, json_t *root, char *const *env)
{
    size_t seen = 0;

    for (; env && *env && seen < GW_CFG_MAX_ENV; env++, seen++) {
        const char *kv = *env, *eq = strchr(kv, '=');
        char key[256];
        size_t klen;
        json_t *obj = root;
        char *seg, *dot;

        if (!eq || strncmp(kv, "KRAKEND_", 8) != 0)
            continue;
        klen = (size_t)(eq - kv) - 8;
        if (klen == 0 || klen >= sizeof(key))
            continue;
        for (size_t i = 0; i < klen; i++)
            key[i] = (char)tolower((unsigned char)kv[8 + i]);
        key[klen] = '\0';
        for (seg = key; (dot = strchr(seg, '.')) != NULL; seg = dot + 1) {
            json_t *child;
            *dot = '\0';
            child = json_object_get(obj, seg);
            if (!json_is_object(child)) {
                child = json_object();
                if (!child || json_object_set_new(obj, seg, child) != 0)
                    return gw_cfg_oom(c);
            }
            obj = child;
        }
        if (*seg && json_object_set_new(obj, seg, json_string(eq + 1)) != 0) {
            /* json_string refuses invalid UTF-8: such a value cannot be a config value */
            gw_cfg_warn(c, "environment variable %.*s ignored: its value is not UTF-8",
                        (int)(eq - kv), kv);
        } else if (*seg && !remember_env_key(c, kv + 8, klen, kv, (size_t)(eq - kv))) {
            return gw_cfg_oom(c);
        }
    }
    return true;
}

static bool valid_ip(const char *s)
{
    unsigned char buf[16];

    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static bool service_hosts(struct gw_cfg_ctx *c)
{
    struct gw_config *cfg = c->cfg;
    char p[GW_CFG_PATH_MAX];

    for (size_t i = 0; i < cfg->hosts.n; i++) {
        char *clean = gw_cfg_clean_host(cfg->hosts.items[i]);
        if (!clean) {
            gw_cfg_path_idx(p, "host", i);
            return gw_cfg_fail(c, p, "host %s not valid: invalid host", cfg->hosts.items[i]);
        }
        free(cfg->hosts.items[i]);
        cfg->hosts.items[i] = clean;
    }
    return true;
}

/* Options read from the file (and shown by `check -d`) that the runtime does not apply yet:
 * never silently ignored, each named in a startup warning. */
static const char *const SERVICE_NOT_APPLIED[] = {"use_h2c"};

static void warn_not_applied(struct gw_cfg_ctx *c, json_t *obj, const char *where,
                             const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (gw_cfg_member(obj, keys[i]))
            gw_cfg_warn(c, "%s%s%s is read but not applied by this gateway yet", where,
                        where[0] ? "." : "", keys[i]);
    }
}

/* gin keeps the trusted networks parsed before the first invalid entry and drops the rest
 * without a word; say it. */
static void trusted_proxies(struct gw_cfg_ctx *c, const struct gw_router_opts *r)
{
    for (size_t i = 0; i < r->trusted_proxies.n; i++) {
        const char *t = r->trusted_proxies.items[i];
        struct cmn_go_ipnet net;
        if (cmn_go_parse_trusted_proxy(t, strlen(t), &net))
            continue;
        gw_cfg_warn(c,
                    "extra_config.router.trusted_proxies[%zu]: \"%s\" is neither an IP nor a "
                    "CIDR: as in KrakenD (gin), it and the %zu entries after it are ignored%s",
                    i, t, r->trusted_proxies.n - i - 1,
                    i ? "" : " and no proxy is trusted: the client IP is always the peer's");
        return;
    }
}

static bool router_opts(struct gw_cfg_ctx *c, json_t *ns)
{
    struct gw_router_opts *r = &c->cfg->router;
    const char *p = "extra_config.router";
    json_t *eb;

    r->forwarded_by_client_ip = true;
    if (!gw_strlist_push(&r->remote_ip_headers, "X-Forwarded-For") ||
        !gw_strlist_push(&r->remote_ip_headers, "X-Real-Ip"))
        return gw_cfg_oom(c);
    r->remote_ip_headers.set = false;
    if (ns) {
        if (!json_is_object(ns)) {
            gw_cfg_warn(c, "%s: expected an object; router options ignored", p);
        } else {
            gw_cfg_decode_fields_soft(c, ns, p, ROUTER_FIELDS, NFIELDS(ROUTER_FIELDS), r);
            trusted_proxies(c, r);
            eb = json_object_get(ns, "error_body");
            if (json_is_object(eb)) {
                r->error_body_404 = json_object_get(eb, "404");
                r->error_body_405 = json_object_get(eb, "405");
            }
        }
    }
    if (!r->health_path || !*r->health_path) {
        free(r->health_path);
        r->health_path = gw_cfg_strdup("/__health");
        if (!r->health_path)
            return gw_cfg_oom(c);
    }
    return !c->failed;
}

static bool logging_opts(struct gw_cfg_ctx *c, json_t *ns)
{
    struct gw_logging_opts *l = &c->cfg->logging;

    if (!ns)
        return true;
    if (!json_is_object(ns)) {
        gw_cfg_warn(c, "extra_config.telemetry/logging: expected an object; ignored");
        return true;
    }
    l->present = true;
    gw_cfg_decode_fields_soft(c, ns, "extra_config.telemetry/logging", LOGGING_FIELDS,
                              NFIELDS(LOGGING_FIELDS), l);
    return !c->failed;
}

static bool service_extra(struct gw_cfg_ctx *c, json_t *root)
{
    struct gw_config *cfg = c->cfg;
    json_t *ec, *val;
    const char *k;

    if (!gw_cfg_extra_config(c, root, "", GW_LVL_SERVICE, &ec))
        return false;
    cfg->extra_config = ec;
    if (!router_opts(c, ec ? json_object_get(ec, GW_NS_ROUTER) : NULL) ||
        !logging_opts(c, ec ? json_object_get(ec, GW_NS_LOGGING) : NULL))
        return false;
    val = ec ? json_object_get(ec, GW_NS_VALIDATOR) : NULL;
    if (json_is_object(val)) {
        json_t *m;
        json_object_foreach(val, k, m)
        {
            if (strcmp(k, "shared_cache_duration") != 0 && *k != '@') {
                gw_cfg_warn(c,
                            "extra_config.auth/validator at the service level only reads "
                            "shared_cache_duration; \"%s\" protects nothing here (set the "
                            "validator in each endpoint)",
                            k);
                break;
            }
        }
    }
    return true;
}

static bool service_misc(struct gw_cfg_ctx *c, json_t *root)
{
    json_t *v;

    if (!gw_cfg_tls(c, root))
        return false;
    v = gw_cfg_member(root, "async_agent");
    if (json_array_size(v) > 0 || json_is_object(v))
        gw_cfg_warn(c, "async_agent is not supported by this gateway: %zu agent(s) ignored",
                    json_is_object(v) ? (size_t)1 : json_array_size(v));
    v = gw_cfg_member(root, "plugin");
    if (v && !json_is_null(v))
        gw_cfg_warn(c, "plugin: Go plugins are not supported by this gateway and are ignored");
    warn_not_applied(c, root, "", SERVICE_NOT_APPLIED, NFIELDS(SERVICE_NOT_APPLIED));
    if (!gw_cfg_get_string(c, root, "output_encoding", "", &c->svc_output_encoding))
        return false;
    return true;
}

static bool service(struct gw_cfg_ctx *c, json_t *root)
{
    struct gw_config *cfg = c->cfg;
    long long version = 0;

    if (!gw_cfg_get_int(c, root, "version", "", -(1LL << 31), (1LL << 31) - 1, &version))
        return false;
    cfg->version = (int)version;
    if (version != 3)
        return gw_cfg_fail(c, "version", "unsupported version: %lld (want: 3)", version);
    if (!gw_cfg_decode_fields(c, root, "", SERVICE_FIELDS, NFIELDS(SERVICE_FIELDS), cfg))
        return false;
    if (cfg->port == 0)
        cfg->port = 8080;
    if (cfg->timeout_ms == 0)
        cfg->timeout_ms = 2000;
    if (cfg->max_idle_connections_per_host == 0)
        cfg->max_idle_connections_per_host = 250;
    if (cfg->max_header_bytes == 0)
        cfg->max_header_bytes = 1u << 20;
    if (cfg->listen_ip && !*cfg->listen_ip) {
        free(cfg->listen_ip);
        cfg->listen_ip = NULL;
    }
    if (cfg->listen_ip && !valid_ip(cfg->listen_ip))
        return gw_cfg_fail(c, "listen_ip", "invalid ip address %s", cfg->listen_ip);
    return service_hosts(c) && service_extra(c, root) && service_misc(c, root);
}

/* "<name>: <path> (line N): <msg>" into the caller's error; "environment variable
 * KRAKEND_X: <msg>" when a variable set the value, which then has no line in the file. */
static void finish_error(struct gw_cfg_ctx *c, const char *name, struct cmn_err *out)
{
    char msg[CMN_ERR_MSG_MAX];
    const char *var = c->err_path[0] ? env_var_of(c, c->err_path) : NULL;
    int line = c->err_path[0] && !var ? gw_cfg_line_of(c->text, c->len, c->err_path) : 0;

    snprintf(msg, sizeof(msg), "%s", c->e.msg);
    if (var)
        cmn_err_set(out, c->e.code, "environment variable %s: %s", var, msg);
    else if (c->err_path[0] && line)
        cmn_err_set(out, c->e.code, "%s: %s (line %d): %s", name, c->err_path, line, msg);
    else if (c->err_path[0])
        cmn_err_set(out, c->e.code, "%s: %s: %s", name, c->err_path, msg);
    else
        cmn_err_set(out, c->e.code, "%s: %s", name, msg);
}

static json_t *load_json(const char *data, size_t len, const char *name, struct gw_cfg_ctx *c,
                         struct cmn_err *err)
{
    json_error_t je;
    json_t *root;
    int dup_line;

    if (len > GW_CFG_MAX_BYTES) {
        cmn_err_set(err, GW_CONFIG_INVALID, "%s: file of %zu bytes is over the limit of %u", name,
                    len, GW_CFG_MAX_BYTES);
        return NULL;
    }
    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!root && strstr(je.text, "duplicate object key")) {
        /* Go keeps the last value of a repeated key: accept, but say so */
        dup_line = je.line;
        root = json_loadb(data, len, 0, &je);
        if (root)
            gw_cfg_warn(c, "line %d: repeated key in an object; the last value is used", dup_line);
    }
    if (!root) {
        cmn_err_set(err, GW_CONFIG_SYNTAX, "%s: invalid JSON at line %d, column %d: %s", name,
                    je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        cmn_err_set(err, GW_CONFIG_INVALID, "%s: the configuration must be a JSON object", name);
        return NULL;
    }
    return root;
}

struct gw_config *gw_config_parse(const char *data, size_t len, const char *name, char *const *env,
                                  struct cmn_err *err)
{
    struct gw_cfg_ctx c;
    struct gw_config *cfg = calloc(1, sizeof(*cfg));
    json_t *root = NULL;

    memset(&c, 0, sizeof(c));
    c.err = &c.e;
    c.text = data;
    c.len = len;
    c.cfg = cfg;
    name = name ? name : "krakend.json";
    if (!cfg || !(cfg->path = gw_cfg_strdup(name))) {
        free(cfg);
        cmn_err_set(err, GW_CONFIG_NOMEM, "out of memory");
        return NULL;
    }
    c.schema = gw_schema_builtin(err);
    if (!c.schema)
        goto fail_quiet;
    root = load_json(data, len, name, &c, err);
    if (!root)
        goto fail_quiet;
    cfg->root = root;
    if (!apply_env(&c, root, env) || !service(&c, root) || !gw_cfg_endpoints(&c, root))
        goto fail;
    gw_cfg_ns_flush(&c);
    if (c.failed)
        goto fail;
    free(c.svc_output_encoding);
    gw_strlist_free(&c.warned);
    gw_schema_destroy(c.schema);
    env_keys_free(&c);
    cmn_err_clear(err);
    return cfg;
fail:
    finish_error(&c, name, err);
fail_quiet:
    gw_cfg_ns_free(&c);
    free(c.svc_output_encoding);
    gw_strlist_free(&c.warned);
    gw_schema_destroy(c.schema);
    env_keys_free(&c);
    gw_config_destroy(cfg);
    return NULL;
}

bool gw_config_read(const char *path, char **data, size_t *len, struct cmn_err *err)
{
    int e = 0;

    *data = NULL;
    *len = 0;
    switch (cmn_file_read(path, GW_CFG_MAX_BYTES, 0, data, len, &e)) {
    case CMN_FILE_OK:
        return true;
    case CMN_FILE_TOO_BIG:
        cmn_err_set(err, GW_CONFIG_INVALID, "%s: file over the limit of %u bytes", path,
                    GW_CFG_MAX_BYTES);
        return false;
    case CMN_FILE_NOMEM:
        cmn_err_set(err, GW_CONFIG_NOMEM, "out of memory");
        return false;
    case CMN_FILE_NOT_REGULAR:
        cmn_err_set(err, GW_CONFIG_IO, "read %s: %s", path, strerror(EISDIR));
        return false;
    case CMN_FILE_READ:
        cmn_err_set(err, GW_CONFIG_IO, "read %s: %s", path, strerror(e));
        return false;
    default:
        cmn_err_set(err, GW_CONFIG_IO, "open %s: %s", path, strerror(e));
        return false;
    }
}

struct gw_config *gw_config_load(const char *path, char *const *env, struct cmn_err *err)
{
    char *data = NULL;
    size_t len = 0;
    struct gw_config *cfg;

    if (!gw_config_read(path, &data, &len, err))
        return NULL;
    cfg = gw_config_parse(data, len, path, env, err);
    free(data);
    return cfg;
}

void gw_config_destroy(struct gw_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_endpoints; i++)
        gw_cfg_endpoint_free(&cfg->endpoints[i]);
    free(cfg->endpoints);
    free(cfg->path);
    free(cfg->name);
    free(cfg->listen_ip);
    gw_strlist_free(&cfg->hosts);
    free(cfg->router.health_path);
    gw_strlist_free(&cfg->router.remote_ip_headers);
    gw_strlist_free(&cfg->router.trusted_proxies);
    gw_strlist_free(&cfg->router.logger_skip_paths);
    free(cfg->logging.level);
    free(cfg->logging.prefix);
    free(cfg->logging.format);
    gw_cfg_tls_free(cfg);
    gw_strlist_free(&cfg->warnings);
    gw_strlist_free(&cfg->errors);
    json_decref(cfg->root);
    free(cfg);
}
