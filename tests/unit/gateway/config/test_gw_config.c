/* test_gw_config.c - config cases as data: tests/data/config/{valid,invalid}/<case>/ hold a
 * krakend.json, an expected.txt and optionally an env.txt (KRAKEND_* variables).
 * valid:   "key = value" lines compare a field of the parsed config (see describe()),
 *          "warning ~ text" needs a warning containing text, "!warning ~ text" none.
 * invalid: every line must be a substring of the error; "code=SYNTAX" checks the code. */
#include "gw_config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define CASES GW_TEST_DATA "/config"
#define MAX_FILE (1 << 20)

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (!f)
        return NULL;
    buf = malloc(MAX_FILE + 1);
    assert_non_null(buf);
    n = fread(buf, 1, MAX_FILE, f);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* env.txt -> NULL-terminated array (pointers into *store). */
static char **read_env(const char *dir, char **store)
{
    char path[700];
    char **env = calloc(64, sizeof(char *));
    size_t n = 0;

    assert_non_null(env);
    snprintf(path, sizeof(path), "%s/env.txt", dir);
    *store = read_all(path, NULL);
    for (char *line = *store, *next; line && *line && n < 63; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        else
            next = line + strlen(line);
        if (*line)
            env[n++] = line;
    }
    return env;
}

static void join(char *out, size_t n, const struct gw_strlist *l)
{
    size_t used = 0;

    out[0] = '\0';
    if (!l->set && l->n == 0) {
        snprintf(out, n, "(unset)");
        return;
    }
    for (size_t i = 0; i < l->n && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "," : "", l->items[i]);
}

static void keys(char *out, size_t n, const json_t *obj)
{
    const char *names[64];
    size_t k = 0, used = 0;
    const char *key;
    json_t *v;

    out[0] = '\0';
    json_object_foreach((json_t *)(uintptr_t)obj, key, v)
    {
        if (k < 64)
            names[k++] = key;
    }
    for (size_t i = 0; i < k; i++) { /* sorted, for stable expectations */
        for (size_t j = i + 1; j < k; j++) {
            if (strcmp(names[j], names[i]) < 0) {
                const char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
        }
    }
    for (size_t i = 0; i < k && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "," : "", names[i]);
}

static void dump(char *out, size_t n, const json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    snprintf(out, n, "%s", s ? s : "(null)");
    free(s);
}

/* "move a.b>c|del x.*.i" : kinds and arguments, a non-string argument as "-". */
static void flatmap_text(char *out, size_t n, const struct gw_flatmap *f)
{
    static const char *const kinds[] = {"other", "move", "del", "append"};
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < f->n_ops && used < n; i++) {
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "|" : "", kinds[f->ops[i].kind]);
        for (size_t k = 0; k < f->ops[i].n_args && used < n; k++) {
            char a[256];
            const struct gw_strlist *p = &f->ops[i].args[k];
            size_t u = 0;
            a[0] = '\0';
            for (size_t s = 0; s < p->n && u < sizeof(a); s++)
                u += (size_t)snprintf(a + u, sizeof(a) - u, "%s%s", s ? "." : "", p->items[s]);
            used += (size_t)snprintf(out + used, n - used, "%s%s", k ? ">" : " ", p->n ? a : "-");
        }
    }
}

static void graphql_text(char *out, size_t n, const struct gw_graphql *g)
{
    char *vars = g && g->variables ? json_dumps(g->variables, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

    if (!g)
        snprintf(out, n, "(none)");
    else
        snprintf(out, n, "%s %s query=%s op=%s vars=%s",
                 g->type == GW_GRAPHQL_QUERY ? "query" : "mutation", g->get ? "GET" : "POST",
                 g->query, g->operation_name ? g->operation_name : "(null)",
                 vars ? vars : "(null)");
    free(vars);
}

static const char *const OUT_NAMES[] = {"json", "json-collection", "string", "no-op", "xml",
                                        "yaml", "negotiate"};
static const char *const ENC_NAMES[] = {"json", "safejson", "string", "no-op", "xml", "rss"};

#define S(name, expr)                                                                              \
    else if (strcmp(f, name) == 0) snprintf(out, n, "%s", (expr) ? (expr) : "(null)")
#define I(name, expr) else if (strcmp(f, name) == 0) snprintf(out, n, "%lld", (long long)(expr))
#define L(name, expr) else if (strcmp(f, name) == 0) join(out, n, &(expr))

static bool describe_backend(const struct gw_backend *b, const char *f, char *out, size_t n)
{
    if (0)
        ;
    S("url_pattern", b->url_pattern);
    S("method", b->method);
    S("json_path", b->json_path);
    S("target", b->target);
    S("group", b->group);
    S("return_error_details", b->return_error_details);
    S("encoding", ENC_NAMES[b->encoding]);
    L("hosts", b->hosts);
    L("allow", b->allow);
    L("deny", b->deny);
    L("input_headers", b->input_headers);
    L("input_query_strings", b->input_query_strings);
    L("url_params", b->url_params);
    I("is_collection", b->is_collection);
    I("return_error_code", b->return_error_code);
    I("timeout_ms", b->timeout_ms);
    I("concurrent_calls", b->concurrent_calls);
    I("shadow", b->shadow);
    I("shadow_timeout_ms", b->shadow_timeout_ms);
    else if (strcmp(f, "flatmap") == 0) flatmap_text(out, n, &b->flatmap);
    else if (strcmp(f, "graphql") == 0) graphql_text(out, n, b->graphql);
    else if (strcmp(f, "extra_config") == 0) keys(out, n, b->extra_config);
    else if (strcmp(f, "mapping") == 0)
    {
        size_t used = 0;
        out[0] = '\0';
        for (size_t i = 0; i < b->n_mapping && used < n; i++)
            used += (size_t)snprintf(out + used, n - used, "%s%s=%s", i ? "," : "",
                                     b->mapping[i].key, b->mapping[i].value);
    }
    else return false;
    return true;
}

static bool describe_endpoint(const struct gw_endpoint *e, const char *f, char *out, size_t n)
{
    size_t j;
    int used;

    if (sscanf(f, "backends[%zu].%n", &j, &used) == 1 && used > 0) {
        assert_true(j < e->n_backends);
        return describe_backend(&e->backends[j], f + used, out, n);
    }
    if (0)
        ;
    S("path", e->path);
    S("method", e->method);
    S("json_path", e->json_path);
    S("output_encoding", OUT_NAMES[e->output_encoding]);
    L("params", e->params);
    L("input_headers", e->input_headers);
    L("input_query_strings", e->input_query_strings);
    I("timeout_ms", e->timeout_ms);
    I("cache_ttl_s", e->cache_ttl_s);
    I("concurrent_calls", e->concurrent_calls);
    I("n_backends", e->n_backends);
    I("sequential", e->sequential);
    L("sequential_propagated_params", e->sequential_propagated_params);
    else if (strcmp(f, "flatmap") == 0) flatmap_text(out, n, &e->flatmap);
    I("static_strategy", e->static_strategy);
    I("line", e->line);
    else if (strcmp(f, "static_data") == 0) dump(out, n, e->static_data);
    else if (strcmp(f, "extra_config") == 0) keys(out, n, e->extra_config);
    else if (strcmp(f, "validator_alg") == 0)
        dump(out, n,
             json_object_get(
                 json_object_get(e->extra_config, "github.com/devopsfaith/krakend-jose/validator"),
                 "alg"));
    else return false;
    return true;
}

static void u16s(char *out, size_t n, const struct gw_u16list *l)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < l->n && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%u", i ? "," : "", l->items[i]);
}

static bool describe(const struct gw_config *c, const char *f, char *out, size_t n)
{
    size_t i;
    int used;

    if (sscanf(f, "endpoints[%zu].%n", &i, &used) == 1 && used > 0) {
        assert_true(i < c->n_endpoints);
        return describe_endpoint(&c->endpoints[i], f + used, out, n);
    }
    if (0)
        ;
    S("name", c->name);
    S("listen_ip", c->listen_ip);
    S("output_encoding", OUT_NAMES[c->output_encoding]);
    S("router.health_path", c->router.health_path);
    S("logging.level", c->logging.level);
    S("logging.prefix", c->logging.prefix);
    S("tls.public_key", c->tls.public_key);
    S("tls.min_version", c->tls.min_version);
    S("client_tls.max_version", c->client_tls.max_version);
    L("tls.ca_certs", c->tls.ca_certs);
    L("client_tls.ca_certs", c->client_tls.ca_certs);
    L("hosts", c->hosts);
    L("router.remote_ip_headers", c->router.remote_ip_headers);
    I("version", c->version);
    I("port", c->port);
    I("timeout_ms", c->timeout_ms);
    I("cache_ttl_s", c->cache_ttl_s);
    I("n_endpoints", c->n_endpoints);
    I("debug_endpoint", c->debug_endpoint);
    I("echo_endpoint", c->echo_endpoint);
    I("disable_rest", c->disable_rest);
    I("max_idle_connections_per_host", c->max_idle_connections_per_host);
    I("max_header_bytes", c->max_header_bytes);
    I("read_timeout_ms", c->read_timeout_ms);
    I("write_timeout_ms", c->write_timeout_ms);
    I("idle_timeout_ms", c->idle_timeout_ms);
    I("read_header_timeout_ms", c->read_header_timeout_ms);
    I("dialer_timeout_ms", c->dialer_timeout_ms);
    I("max_shutdown_wait_ms", c->max_shutdown_wait_ms);
    I("router.return_error_msg", c->router.return_error_msg);
    I("router.disable_access_log", c->router.disable_access_log);
    I("router.forwarded_by_client_ip", c->router.forwarded_by_client_ip);
    I("router.auto_options", c->router.auto_options);
    I("router.hide_version_header", c->router.hide_version_header);
    I("router.disable_health", c->router.disable_health);
    I("logging.present", c->logging.present);
    I("logging.stdout_enabled", c->logging.stdout_enabled);
    I("tls.present", c->tls.present);
    I("tls.enable_mtls", c->tls.enable_mtls);
    I("tls.n_keys", c->tls.n_keys);
    I("client_tls.present", c->client_tls.present);
    I("client_tls.allow_insecure_connections", c->client_tls.allow_insecure_connections);
    I("client_tls.n_client_certs", c->client_tls.n_client_certs);
    I("dns_cache_ttl_ms", c->dns_cache_ttl_ms);
    else if (strcmp(f, "tls.cipher_suites") == 0) u16s(out, n, &c->tls.cipher_suites);
    else if (strcmp(f, "tls.curve_preferences") == 0) u16s(out, n, &c->tls.curve_preferences);
    else if (strcmp(f, "tls.keys[1].key") == 0)
        snprintf(out, n, "%s", c->tls.n_keys > 1 && c->tls.keys[1].key ? c->tls.keys[1].key : "");
    else if (strcmp(f, "client_tls.client_certs[0].cert") == 0)
        snprintf(out, n, "%s", c->client_tls.n_client_certs ? c->client_tls.client_certs[0].cert : "");
    I("warnings", c->warnings.n);
    I("errors", c->errors.n);
    else if (strcmp(f, "router.error_body_404") == 0) dump(out, n, c->router.error_body_404);
    else if (strcmp(f, "extra_config") == 0) keys(out, n, c->extra_config);
    else return false;
    return true;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

static bool has_line(const struct gw_strlist *l, const char *text)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strstr(l->items[i], text))
            return true;
    }
    return false;
}

static void print_warnings(const struct gw_config *c)
{
    for (size_t i = 0; i < c->warnings.n; i++)
        print_message("    warning: %s\n", c->warnings.items[i]);
    for (size_t i = 0; i < c->errors.n; i++)
        print_message("    error: %s\n", c->errors.items[i]);
}

static void check_expectation(const char *name, const struct gw_config *c, char *line)
{
    char got[2048];
    char *sep;
    bool neg = line[0] == '!';

    /* "warning ~ TEXT" / "error ~ TEXT": a warning / an ERROR line contains TEXT ("!": none) */
    if (strncmp(line + neg, "warning ~ ", 10) == 0 || strncmp(line + neg, "error ~ ", 8) == 0) {
        bool warning = line[neg] == 'w';
        if (has_line(warning ? &c->warnings : &c->errors, line + neg + (warning ? 10 : 8)) ==
            neg) {
            print_warnings(c);
            fail_msg("%s: %s", name, line);
        }
        return;
    }
    sep = strstr(line, " = ");
    if (!sep) {
        sep = line + strlen(line) - 2;
        if (strcmp(sep, " =") != 0)
            fail_msg("%s: bad expectation line '%s'", name, line);
    }
    *sep = '\0';
    if (!describe(c, line, got, sizeof(got)))
        fail_msg("%s: unknown field '%s'", name, line);
    if (strcmp(got, sep[1] ? sep + 3 : "") != 0) {
        print_warnings(c);
        fail_msg("%s: %s: expected '%s', got '%s'", name, line, sep[1] ? sep + 3 : "", got);
    }
}

static void run_case(const char *kind, const char *name, bool valid)
{
    char dir[512], path[700];
    char *json, *expected, *env_store = NULL;
    char **env;
    size_t len = 0;
    struct cmn_err err = {0};
    struct gw_config *c;

    snprintf(dir, sizeof(dir), "%s/%s/%s", CASES, kind, name);
    snprintf(path, sizeof(path), "%s/krakend.json", dir);
    json = read_all(path, &len);
    snprintf(path, sizeof(path), "%s/expected.txt", dir);
    expected = read_all(path, NULL);
    if (!json || !expected)
        fail_msg("%s: missing krakend.json or expected.txt", name);
    env = read_env(dir, &env_store);
    c = gw_config_parse(json, len, "krakend.json", env, &err);
    if (valid && !c)
        fail_msg("%s: refused: %s", name, err.msg);
    if (!valid && c)
        fail_msg("%s: accepted, expected an error", name);
    for (char *line = expected, *next; *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        else
            next = line + strlen(line);
        trim(line);
        if (!*line)
            continue;
        if (valid) {
            check_expectation(name, c, line);
        } else if (strcmp(line, "code=SYNTAX") == 0) {
            assert_int_equal(err.code, GW_CONFIG_SYNTAX);
        } else if (!strstr(err.msg, line)) {
            fail_msg("%s: error '%s' lacks '%s'", name, err.msg, line);
        }
    }
    if (!valid && strstr(expected, "code=") == NULL && err.code != GW_CONFIG_INVALID)
        fail_msg("%s: code %d, expected GW_CONFIG_INVALID", name, err.code);
    gw_config_destroy(c);
    free(env);
    free(env_store);
    free(json);
    free(expected);
}

static void run_all(const char *kind, bool valid)
{
    char dir[512];
    DIR *d;
    struct dirent *de;
    int n = 0;

    snprintf(dir, sizeof(dir), "%s/%s", CASES, kind);
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        run_case(kind, de->d_name, valid);
        n++;
    }
    closedir(d);
    print_message("    %d %s cases\n", n, kind);
    assert_true(n >= 10);
}

static void test_valid_cases(void **state)
{
    (void)state;
    run_all("valid", true);
}

static void test_invalid_cases(void **state)
{
    (void)state;
    run_all("invalid", false);
}

static void test_load_io_error(void **state)
{
    struct cmn_err err = {0};

    (void)state;
    assert_null(gw_config_load(CASES "/does-not-exist.json", NULL, &err));
    assert_int_equal(err.code, GW_CONFIG_IO);
    assert_non_null(strstr(err.msg, "does-not-exist.json"));
}

static void test_load_file(void **state)
{
    struct cmn_err err = {0};
    struct gw_config *c;

    (void)state;
    c = gw_config_load(CASES "/valid/endpoint_defaults/krakend.json", NULL, &err);
    assert_non_null(c);
    assert_string_equal(c->path, CASES "/valid/endpoint_defaults/krakend.json");
    assert_int_equal(c->n_endpoints, 1);
    gw_config_destroy(c);
    gw_config_destroy(NULL);
}

static void test_truncated_inputs(void **state)
{
    /* every prefix of a real config is either parsed or refused cleanly */
    size_t len = 0;
    char *json = read_all(CASES "/valid/aliases/krakend.json", &len);

    (void)state;
    assert_non_null(json);
    for (size_t i = 0; i <= len; i++) {
        struct cmn_err err = {0};
        struct gw_config *c = gw_config_parse(json, i, "t.json", NULL, &err);
        if (!c)
            assert_true(err.code != 0 && err.msg[0] != '\0');
        gw_config_destroy(c);
    }
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_cases),      cmocka_unit_test(test_invalid_cases),
        cmocka_unit_test(test_load_io_error),    cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_truncated_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
