/* mt_config.c - flags and THUNDER_* variables, from one table (name, variable, kind). */
#include "mt_config.h"

#include "cmn_str.h"

#include <stdlib.h>
#include <string.h>

enum kind { K_STR, K_BOOL, K_PORT, K_LIST };

struct opt {
    const char *flag;
    const char *env;
    enum kind kind;
    size_t offset; /* of the member in struct mt_config */
    const char *arg;
    const char *help;
};

#define OFF(m) offsetof(struct mt_config, m)

static const struct opt opts[] = {
    {"--port", "THUNDER_PORT", K_PORT, OFF(port), "N",
     "TCP port (default 8090; 0 picks a free port, logged at start)"},
    {"--bind", "THUNDER_BIND", K_STR, OFF(bind), "ADDR", "address to listen on (default: all)"},
    {"--issuer", "THUNDER_ISSUER", K_STR, OFF(issuer), "URL",
     "`iss` of tokens and discovery `issuer` (default https://localhost:<port>)"},
    {"--hostname", "THUNDER_HOSTNAME", K_LIST, OFF(hostnames), "NAME",
     "extra name for the generated TLS certificate; repeatable (variable: comma-separated)"},
    {"--data-dir", "THUNDER_DATA_DIR", K_STR, OFF(data_dir), "DIR",
     "where state, keys and certificate live (default ./" MT_DEFAULT_DATA_DIR ")"},
    {"--ephemeral", "THUNDER_EPHEMERAL", K_BOOL, OFF(ephemeral), NULL,
     "keep everything in memory; nothing is read or written"},
    {"--cert", "THUNDER_CERT", K_STR, OFF(cert_file), "FILE",
     "TLS certificate (PEM) instead of the generated one; needs --key"},
    {"--key", "THUNDER_KEY", K_STR, OFF(key_file), "FILE", "TLS private key (PEM)"},
    {"--http", "THUNDER_HTTP", K_BOOL, OFF(http), NULL, "serve plain HTTP instead of HTTPS"},
    {"--seed", "THUNDER_SEED", K_STR, OFF(seed_file), "FILE",
     "JSON file of applications, resource servers, roles... to create at start"},
    {"--strict-client-auth", "THUNDER_STRICT_CLIENT_AUTH", K_BOOL, OFF(strict_client_auth), NULL,
     "accept only each client's registered auth method, like the real server"},
    {"--admin-client-id", "THUNDER_ADMIN_CLIENT_ID", K_STR, OFF(admin_client_id), "ID",
     "client id of the admin application (default " MT_DEFAULT_ADMIN_ID ")"},
    {"--admin-client-secret", "THUNDER_ADMIN_CLIENT_SECRET", K_STR, OFF(admin_client_secret),
     "SECRET", "its secret (default " MT_DEFAULT_ADMIN_SECRET ")"},
    {"--log-level", "THUNDER_LOG_LEVEL", K_STR, OFF(log_level), "LEVEL",
     "DEBUG, INFO (default), WARNING, ERROR"},
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

void mt_config_usage(FILE *out, const char *prog)
{
    fprintf(out,
            "Usage: %s [options]\n\n"
            "A mock of the ThunderID identity server: OAuth 2.0 client_credentials tokens\n"
            "(RS256), JWKS, discovery, introspection and the management API, over HTTPS.\n\n"
            "Options (each also settable by the variable shown; a flag wins):\n",
            prog);
    for (size_t i = 0; i < N_OPTS; i++) {
        char left[64];
        snprintf(left, sizeof(left), "%s%s%s", opts[i].flag, opts[i].arg ? " " : "",
                 opts[i].arg ? opts[i].arg : "");
        fprintf(out, "  %-28s %s\n  %-28s   [%s]\n", left, opts[i].help, "", opts[i].env);
    }
    fprintf(out,
            "  %-28s this text\n\n"
            "Data directory files: store.json (entities), signing-keys.json (token keys),\n"
            "tls-cert.pem and tls-key.pem (the generated self-signed TLS certificate and key;\n"
            "trust it with e.g. curl --cacert %s/tls-cert.pem).\n"
            "Admin application: client id %s, secret %s unless set; it holds the\n"
            "Administrator role, so `scope=system` gives a management token.\n"
            "Key rotation: POST /admin/keys/rotate with a `system` bearer token.\n",
            "-h, --help", MT_DEFAULT_DATA_DIR, MT_DEFAULT_ADMIN_ID, MT_DEFAULT_ADMIN_SECRET);
}

static bool parse_bool(const char *v, bool *out)
{
    static const char *const t[] = {"1", "true", "yes", "on"};
    static const char *const f[] = {"0", "false", "no", "off", ""};

    for (size_t i = 0; i < 4; i++)
        if (cmn_str_eq_nocase(v, t[i]))
            return *out = true, true;
    for (size_t i = 0; i < 5; i++)
        if (cmn_str_eq_nocase(v, f[i]))
            return *out = false, true;
    return false;
}

static bool add_host(struct mt_config *c, const char *v, size_t n, struct cmn_err *err)
{
    if (!n)
        return true;
    if (c->n_hostnames >= MT_MAX_HOSTNAMES || n > 253)
        return cmn_err_set(err, 1, "at most %d host names of at most 253 characters",
                           MT_MAX_HOSTNAMES),
               false;
    c->hostnames[c->n_hostnames++] = cmn_strndup(v, n);
    return true;
}

/* Sets one option from a value; `source` names it in errors. */
static bool set_opt(struct mt_config *c, const struct opt *o, const char *v, const char *source,
                    struct cmn_err *err)
{
    char *base = (char *)c;
    long long port;
    bool b;

    switch (o->kind) {
    case K_PORT:
        if (!cmn_parse_ll(v, 0, 65535, &port))
            return cmn_err_set(err, 1, "%s: \"%s\" is not a port (0-65535)", source, v), false;
        c->port = (unsigned)port;
        return true;
    case K_BOOL:
        if (!parse_bool(v, &b))
            return cmn_err_set(err, 1, "%s: \"%s\" is not a boolean (true/false)", source, v),
                   false;
        *(bool *)(base + o->offset) = b;
        return true;
    case K_LIST:
        for (const char *p = v;;) {
            size_t n = strcspn(p, ",");
            if (!add_host(c, p, n, err))
                return false;
            if (!p[n])
                return true;
            p += n + 1;
        }
    case K_STR:
        if (strlen(v) > 4096)
            return cmn_err_set(err, 1, "%s: value too long", source), false;
        free(*(char **)(base + o->offset));
        *(char **)(base + o->offset) = cmn_strndup(v, strlen(v));
        return true;
    }
    return false;
}

/* Normalises and checks the issuer: http(s)://host[:port][/path], no trailing slash. */
static bool check_issuer(char *iss, struct cmn_err *err)
{
    size_t n = strlen(iss);
    const char *host;

    while (n > 0 && iss[n - 1] == '/')
        iss[--n] = '\0';
    host = cmn_str_has_prefix(iss, "https://")  ? iss + 8
           : cmn_str_has_prefix(iss, "http://") ? iss + 7
                                                : NULL;
    if (!host || !*host || *host == '/' || *host == ':' || strpbrk(iss, " ?#\t"))
        return cmn_err_set(err, 1, "--issuer: \"%s\" is not an http(s) URL with a host", iss),
               false;
    return true;
}

static bool finish(struct mt_config *c, bool flag_dir, bool flag_eph, struct cmn_err *err)
{
    if (c->data_dir && c->ephemeral) {
        if (flag_dir == flag_eph)
            return cmn_err_set(err, 1, "--data-dir and --ephemeral exclude each other"), false;
        if (flag_eph) {
            free(c->data_dir);
            c->data_dir = NULL;
        } else {
            c->ephemeral = false;
        }
    }
    if (!c->ephemeral && !c->data_dir)
        c->data_dir = cmn_strndup(MT_DEFAULT_DATA_DIR, strlen(MT_DEFAULT_DATA_DIR));
    if (!c->cert_file != !c->key_file)
        return cmn_err_set(err, 1, "--cert and --key go together"), false;
    if (c->issuer && !check_issuer(c->issuer, err))
        return false;
    c->admin_from_defaults = !c->admin_client_id && !c->admin_client_secret;
    if (!c->admin_client_id)
        c->admin_client_id = cmn_strndup(MT_DEFAULT_ADMIN_ID, strlen(MT_DEFAULT_ADMIN_ID));
    if (!c->admin_client_secret)
        c->admin_client_secret =
            cmn_strndup(MT_DEFAULT_ADMIN_SECRET, strlen(MT_DEFAULT_ADMIN_SECRET));
    if (!*c->admin_client_id || strlen(c->admin_client_id) > 255 || !*c->admin_client_secret)
        return cmn_err_set(err, 1, "the admin client id and secret must not be empty"), false;
    return true;
}

enum mt_config_status mt_config_parse(struct mt_config *c, int argc, char **argv,
                                      const char *(*getenv_fn)(const char *name),
                                      struct cmn_err *err)
{
    bool seen[N_OPTS] = {false};

    memset(c, 0, sizeof(*c));
    c->port = MT_DEFAULT_PORT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a), k;
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return MT_CONFIG_HELP;
        for (k = 0; k < N_OPTS; k++)
            if (strlen(opts[k].flag) == n && !strncmp(a, opts[k].flag, n))
                break;
        if (k == N_OPTS)
            return cmn_err_set(err, 1, "unknown option %s (see --help)", a), MT_CONFIG_ERROR;
        seen[k] = true;
        if (opts[k].kind == K_BOOL && !eq) {
            *(bool *)((char *)c + opts[k].offset) = true;
            continue;
        }
        if (!eq && i + 1 >= argc)
            return cmn_err_set(err, 1, "%s needs a value", opts[k].flag), MT_CONFIG_ERROR;
        if (!set_opt(c, &opts[k], eq ? eq + 1 : argv[++i], opts[k].flag, err))
            return MT_CONFIG_ERROR;
    }
    for (size_t k = 0; k < N_OPTS; k++) {
        const char *v = getenv_fn ? getenv_fn(opts[k].env) : NULL;
        bool conflict_pair = (opts[k].offset == OFF(data_dir) && seen[5]) ||
                             (opts[k].offset == OFF(ephemeral) && seen[4]);
        if (!v || seen[k] || conflict_pair)
            continue;
        if (!set_opt(c, &opts[k], v, opts[k].env, err))
            return MT_CONFIG_ERROR;
    }
    return finish(c, seen[4], seen[5], err) ? MT_CONFIG_OK : MT_CONFIG_ERROR;
}

void mt_config_free(struct mt_config *c)
{
    if (!c)
        return;
    free(c->bind);
    free(c->issuer);
    for (size_t i = 0; i < c->n_hostnames; i++)
        free(c->hostnames[i]);
    free(c->data_dir);
    free(c->cert_file);
    free(c->key_file);
    free(c->seed_file);
    free(c->admin_client_id);
    free(c->admin_client_secret);
    free(c->log_level);
    memset(c, 0, sizeof(*c));
}
