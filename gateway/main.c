/* main.c - the `gateway` / `krakend` command line (KrakenD's cobra CLI): run, check, version. */
#include "cmn_log.h"
#include "cmn_signal.h"
#include "gw_config.h"
#include "gw_modules.h"
#include "gw_server.h"
#include "gw_validator.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define EXIT_COBRA 255 /* os.Exit(-1) in KrakenD */
#define DEFAULT_SHUTDOWN_WAIT_MS 10000
#define MAX_SHUTDOWN_WAIT_MS 60000

enum flag_kind { F_BOOL, F_COUNT, F_STR, F_INT };

struct flag {
    char shortc;
    const char *name;
    enum flag_kind kind;
    void *dst;
};

struct opts {
    const char *config;
    int debug;
    long port;
    bool test_routes, lint, lint_no_network, help;
    const char *indent, *lint_schema;
};

static const char *g_prog = "krakend";

static void usage(FILE *f)
{
    fprintf(f,
            "The API Gateway builder (KrakenD-compatible gateway, version %s)\n\n"
            "Usage:\n  %s [command]\n\n"
            "Available Commands:\n"
            "  check       Validates that the configuration file is valid.\n"
            "  help        Help about any command\n"
            "  run         Runs the KrakenD server.\n"
            "  version     Shows KrakenD version.\n\n"
            "Flags:\n"
            "  -c, --config string   Path to the configuration file\n"
            "  -d, --debug count     Enables the debug endpoint\n"
            "  -h, --help            help for %s\n\n"
            "run flags:   -c FILE [-d] [-p, --port int]\n"
            "check flags: -c FILE [-d[d[d]]] [-t, --test-gin-routes]\n\n"
            "Use \"%s [command] --help\" for more information about a command.\n",
            GW_VERSION, g_prog, g_prog, g_prog);
}

static int cobra_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int cobra_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "Error: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun '%s%s%s --help' for usage.\n", g_prog, cmd ? " " : "", cmd ? cmd : "");
    return EXIT_COBRA;
}

static bool set_flag(const struct flag *f, const char *val)
{
    char *end;
    long n;

    switch (f->kind) {
    case F_BOOL:
        *(bool *)f->dst = true;
        return true;
    case F_COUNT:
        (*(int *)f->dst)++;
        return true;
    case F_STR:
        *(const char **)f->dst = val;
        return true;
    case F_INT:
        errno = 0;
        n = strtol(val, &end, 0);
        if (errno || end == val || *end || n < 0 || n > 65535)
            return false;
        *(long *)f->dst = n;
        return true;
    }
    return false;
}

/* pflag syntax: -c FILE, -cFILE, -c=FILE, --config FILE, --config=FILE, -dd, -dt. */
static int parse_flags(int argc, char **argv, const struct flag *flags, size_t nf, const char *cmd)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (a[0] != '-' || a[1] == '\0')
            continue; /* positional arguments are ignored, as cobra's legacy args */
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const struct flag *f = NULL;
            for (size_t k = 0; k < nf && !f; k++) {
                if (strlen(flags[k].name) == len && strncmp(flags[k].name, name, len) == 0)
                    f = &flags[k];
            }
            if (!f)
                return cobra_error(cmd, "unknown flag: %s", a);
            const char *val = eq ? eq + 1 : NULL;
            if ((f->kind == F_STR || f->kind == F_INT) && !val) {
                if (i + 1 >= argc)
                    return cobra_error(cmd, "flag needs an argument: %s", a);
                val = argv[++i];
            }
            if (!set_flag(f, val))
                return cobra_error(cmd, "invalid argument \"%s\" for a port flag", val);
            continue;
        }
        for (const char *p = a + 1; *p; p++) {
            const struct flag *f = NULL;
            char shortname[3] = {*p, '\0', '\0'};
            for (size_t k = 0; k < nf && !f; k++) {
                if (flags[k].shortc == *p)
                    f = &flags[k];
            }
            if (!f)
                return cobra_error(cmd, "unknown shorthand flag: '%s' in the flags", shortname);
            if (f->kind == F_STR || f->kind == F_INT) {
                const char *val = p[1] == '=' ? p + 2 : p[1] ? p + 1 : NULL;
                if (!val) {
                    if (i + 1 >= argc)
                        return cobra_error(cmd, "flag needs an argument: '%s'", shortname);
                    val = argv[++i];
                }
                if (!set_flag(f, val))
                    return cobra_error(cmd, "invalid argument \"%s\" for a port flag", val);
                break;
            }
            set_flag(f, NULL);
        }
    }
    return 0;
}

/* Go's `log` line on stderr: "2006/01/02 15:04:05 message". */
static void go_log_stderr(const char *msg)
{
    char line[256];
    time_t now = time(NULL);
    struct tm tm;
    size_t n;

    localtime_r(&now, &tm);
    n = strftime(line, sizeof(line), "%Y/%m/%d %H:%M:%S ", &tm);
    n += (size_t)snprintf(line + n, sizeof(line) - n, "%s\n", msg);
    if (n >= sizeof(line))
        n = sizeof(line) - 1;
    if (write(2, line, n) < 0)
        return;
}

static int cmd_run(int argc, char **argv)
{
    struct opts o = {0};
    const struct flag flags[] = {
        {'c', "config", F_STR, &o.config},
        {'d', "debug", F_COUNT, &o.debug},
        {'p', "port", F_INT, &o.port},
        {'h', "help", F_BOOL, &o.help},
    };
    struct cmn_err err = {0};
    struct gw_config *cfg;
    struct gw_server *srv;
    struct gw_server_opts opts;
    struct gw_validator *val;
    struct gw_modules_rt *mods = NULL;
    int sig, rc, wait_ms;
    char cwd[PATH_MAX];

    rc = parse_flags(argc, argv, flags, sizeof(flags) / sizeof(flags[0]), "run");
    if (rc)
        return rc;
    if (o.help) {
        printf("Runs the KrakenD server.\n\nUsage:\n  %s run [flags]\n\nFlags:\n"
               "  -c, --config string   Path to the configuration file\n"
               "  -d, --debug count     Enables the debug endpoint\n"
               "  -p, --port int        Listening port for the http service\n",
               g_prog);
        return 0;
    }
    if (!o.config) {
        fprintf(stderr, "Please, provide the path to the configuration file with --config or "
                        "see all the options with --help\n");
        return 0;
    }
    cfg = gw_config_load(o.config, environ, &err);
    if (!cfg) {
        fprintf(stderr, "ERROR parsing the configuration file: '%s': %s\n", o.config, err.msg);
        return EXIT_COBRA;
    }
    if (o.port)
        cfg->port = (unsigned)o.port;
    if (o.debug)
        cfg->debug_endpoint = true;
    if (!gw_modules_logging(cfg, &err)) { /* KrakenD panics on what this refuses */
        fprintf(stderr, "ERROR building the logger: %s\n", err.msg);
        gw_config_destroy(cfg);
        return EXIT_COBRA;
    }
    cmn_log_info("Starting KrakenD v%s", GW_VERSION);
    if (getcwd(cwd, sizeof(cwd)))
        cmn_log_info("Working directory is %s", cwd);
    for (size_t i = 0; i < cfg->warnings.n; i++)
        cmn_log_warn("%s", cfg->warnings.items[i]);
    cmn_log_info("Starting the KrakenD instance");
    for (size_t i = 0; i < cfg->n_endpoints; i++) {
        const struct gw_endpoint *ep = &cfg->endpoints[i];
        cmn_log_debug("[ENDPOINT: %s] Building the proxy pipe", ep->path);
        for (size_t b = 0; b < ep->n_backends; b++)
            cmn_log_debug("[BACKEND: %s] Building the backend pipe", ep->backends[b].url_pattern);
    }

    /* Signals are taken synchronously by this thread; threads started later inherit the mask. */
    cmn_signal_block_stop();
    val = gw_validator_new(cfg, NULL, &err);
    if (!val) {
        cmn_log_error("%s", err.msg);
        gw_modules_stop(NULL);
        gw_config_destroy(cfg);
        return 1;
    }
    opts = gw_modules_opts();
    opts.auth = gw_validator_provider(val);
    srv = NULL;
    if (!gw_modules_start(cfg, val, &mods, &err) || !(srv = gw_server_start(cfg, &opts, &err)) ||
        !gw_validator_start(val, &err)) {
        cmn_log_error("%s", err.msg);
        cmn_log_error("Router execution ended");
        gw_server_stop(srv, 0);
        gw_validator_destroy(val);
        gw_modules_stop(mods);
        gw_config_destroy(cfg);
        return 1;
    }
    sig = cmn_signal_wait_stop();
    go_log_stderr(sig == SIGINT ? "Signal intercepted: interrupt"
                                : "Signal intercepted: terminated");
    wait_ms = cfg->max_shutdown_wait_ms > 0 ? (int)(cfg->max_shutdown_wait_ms < MAX_SHUTDOWN_WAIT_MS
                                                        ? cfg->max_shutdown_wait_ms
                                                        : MAX_SHUTDOWN_WAIT_MS)
                                            : DEFAULT_SHUTDOWN_WAIT_MS;
    gw_server_stop(srv, wait_ms);
    gw_validator_destroy(val);
    gw_modules_stop(mods);
    gw_config_destroy(cfg);
    return 0;
}

static void check_warning(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "WARNING: %s\n", msg);
}

static int cmd_check(int argc, char **argv)
{
    struct opts o = {0};
    const struct flag flags[] = {
        {'c', "config", F_STR, &o.config},
        {'d', "debug", F_COUNT, &o.debug},
        {'t', "test-gin-routes", F_BOOL, &o.test_routes},
        {'i', "indent", F_STR, &o.indent},
        {'l', "lint", F_BOOL, &o.lint},
        {'n', "lint-no-network", F_BOOL, &o.lint_no_network},
        {'s', "lint-schema", F_STR, &o.lint_schema},
        {'h', "help", F_BOOL, &o.help},
    };
    struct cmn_err err = {0};
    struct gw_config *cfg;
    int rc = parse_flags(argc, argv, flags, sizeof(flags) / sizeof(flags[0]), "check");

    if (rc)
        return rc;
    if (o.help) {
        printf("Validates that the active configuration file has a valid syntax to run the "
               "service.\n\nUsage:\n  %s check [flags]\n\nFlags:\n"
               "  -c, --config string     Path to the configuration file\n"
               "  -d, --debug count       Dumps the interpreted configuration (-dd, -ddd: more)\n"
               "  -t, --test-gin-routes   Starts the server briefly to test the routes\n",
               g_prog);
        return 0;
    }
    if (!o.config) {
        fprintf(stderr, "Please, provide the path to the configuration file with --config or "
                        "see all the options with --help\n");
        return 1;
    }
    fprintf(stderr, "Parsing configuration file: %s\n", o.config);
    cfg = gw_config_load(o.config, environ, &err);
    if (!cfg) {
        fprintf(stderr, "ERROR parsing the configuration file:\t%s\n", err.msg);
        return 1;
    }
    if (o.lint || o.lint_no_network || o.lint_schema)
        fprintf(stderr, "WARNING: linting against KrakenD's JSON schema is not supported by this "
                        "gateway; skipped\n");
    gw_config_dump(cfg, o.debug, stderr);
    for (size_t i = 0; i < cfg->warnings.n; i++)
        fprintf(stderr, "WARNING: %s\n", cfg->warnings.items[i]);
    /* What KrakenD only finds when it builds the validators and the modules: reported here
     * too. The modules log their warnings; their startup lines (DEBUG) are for `run`. */
    cmn_log_init("KRAKEND", CMN_LOG_WARNING, 2);
    if (!gw_validator_check_config(cfg, check_warning, NULL, &err) ||
        !gw_modules_check(cfg, check_warning, NULL, &err)) {
        fprintf(stderr, "ERROR parsing the configuration file:\t%s\n", err.msg);
        gw_config_destroy(cfg);
        return 1;
    }
    if (o.test_routes) {
        struct gw_server *srv = NULL;
        struct gw_validator *val;
        cmn_log_init("KRAKEND", CMN_LOG_NONE, 2);
        val = gw_validator_new(cfg, NULL, &err);
        if (val) {
            struct gw_server_opts opts = gw_modules_opts();
            opts.auth = gw_validator_provider(val);
            srv = gw_server_start(cfg, &opts, &err);
        }
        if (!srv) {
            fprintf(stderr, "ERROR testing the configuration file:\t%s\n", err.msg);
            gw_validator_destroy(val);
            gw_config_destroy(cfg);
            return 1;
        }
        gw_server_stop(srv, 1000);
        gw_validator_destroy(val);
    }
    fprintf(stderr, "Syntax OK!\n");
    gw_config_destroy(cfg);
    return 0;
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    const char *cmd;

    g_prog = base ? base + 1 : argv[0];
    signal(SIGPIPE, SIG_IGN);
    cmn_log_init("KRAKEND", CMN_LOG_DEBUG, 1);
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0 || strcmp(cmd, "validate") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "version") == 0) {
        fprintf(stderr, "KrakenD Version: %s\n", GW_VERSION);
        fprintf(stderr, "Implementation: C gateway compatible with KrakenD CE 2.13 "
                        "configurations\n");
        return 0;
    }
    if (cmd[0] == '-')
        return cobra_error(NULL, "unknown flag: %s", cmd);
    return cobra_error(NULL, "unknown command \"%s\" for \"krakend\"", cmd);
}
