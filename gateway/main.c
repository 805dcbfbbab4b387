/* main.c - the `gateway` / `krakend` command line (KrakenD's cobra CLI): run and version here;
 * check and audit in gw_cli_check.c / gw_cli_audit.c, the shared front door in gw_cli.c. */
#include "cmn_log.h"
#include "cmn_signal.h"
#include "gw_cli.h"
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



struct opts {
    const char *config;
    int debug;
    long port;
    bool help, strict;
};

static void usage(FILE *f)
{
    fprintf(f,
            "The API Gateway builder (KrakenD-compatible gateway, version %s)\n\n"
            "Usage:\n  %s [command]\n\n"
            "Available Commands:\n"
            "  audit       Audits a KrakenD configuration.\n"
            "  check       Validates that the configuration file is valid.\n"
            "  help        Help about any command\n"
            "  run         Runs the KrakenD server.\n"
            "  version     Shows KrakenD version.\n\n"
            "Flags:\n"
            "  -c, --config string   Path to the configuration file\n"
            "  -d, --debug count     Enables the debug endpoint\n"
            "  -h, --help            help for %s\n\n"
            "run flags:   -c FILE [-d] [-p, --port int] [--strict]\n"
            "check flags: -c FILE [-d[d[d]]] [-t, --test-gin-routes] [-l, --lint] [--strict]\n"
            "audit flags: -c FILE [-i IDS] [-I FILE] [-s SEVERITIES] [-f TEMPLATE]\n\n"
            "Flexible configuration: FC_ENABLE=1 with FC_SETTINGS, FC_PARTIALS, FC_TEMPLATES, "
            "FC_OUT\n(docs/flexible-config.md).\n\n"
            "Use \"%s [command] --help\" for more information about a command.\n",
            GW_VERSION, gw_cli_prog, gw_cli_prog, gw_cli_prog);
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
    const struct gw_flag flags[] = {
        {'c', "config", GW_F_STR, &o.config},
        {'d', "debug", GW_F_COUNT, &o.debug},
        {'p', "port", GW_F_INT, &o.port},
        {0, "strict", GW_F_BOOL, &o.strict},
        {'h', "help", GW_F_BOOL, &o.help},
    };
    struct cmn_err err = {0};
    struct gw_cli_source src;
    struct gw_config *cfg;
    struct gw_server *srv;
    struct gw_server_opts opts;
    struct gw_validator *val;
    struct gw_modules_rt *mods = NULL;
    int sig, rc, wait_ms;
    char cwd[PATH_MAX];

    rc = gw_cli_parse_flags(argc, argv, flags, sizeof(flags) / sizeof(flags[0]), "run");
    if (rc)
        return rc;
    if (o.help) {
        printf("Runs the KrakenD server.\n\nUsage:\n  %s run [flags]\n\nFlags:\n"
               "  -c, --config string   Path to the configuration file\n"
               "  -d, --debug count     Enables the debug endpoint\n"
               "  -p, --port int        Listening port for the http service\n"
               "      --strict          Refuses a misspelt security namespace (also "
               "KRAKEND_STRICT=1)\n",
               gw_cli_prog);
        return 0;
    }
    if (!o.config) {
        fprintf(stderr, "Please, provide the path to the configuration file with --config or "
                        "see all the options with --help\n");
        return 0;
    }
    cfg = gw_cli_load(o.config, &src, &err);
    if (!cfg) {
        fprintf(stderr, "%s %s\n%s%s", gw_cli_red("ERROR parsing the configuration file:"),
                err.msg, src.detail, src.detail[0] ? "\n" : "");
        gw_cli_source_free(&src);
        return GW_EXIT_COBRA;
    }
    if (cfg->errors.n && gw_cli_strict(o.strict)) {
        gw_cli_print_errors(cfg, stderr, "ERROR: ");
        fprintf(stderr, "%s '%s': %zu misspelt security namespace%s: refused with --strict / "
                        "KRAKEND_STRICT\n",
                gw_cli_red("ERROR parsing the configuration file:"), src.name, cfg->errors.n,
                cfg->errors.n == 1 ? "" : "s");
        gw_cli_source_free(&src);
        gw_config_destroy(cfg);
        return GW_EXIT_COBRA;
    }
    gw_cli_source_free(&src);
    if (o.port)
        cfg->port = (unsigned)o.port;
    if (o.debug)
        cfg->debug_endpoint = true;
    if (!gw_modules_logging(cfg, &err)) { /* KrakenD panics on what this refuses */
        fprintf(stderr, "ERROR building the logger: %s\n", err.msg);
        gw_config_destroy(cfg);
        return GW_EXIT_COBRA;
    }
    cmn_log_info("Starting KrakenD v%s", GW_VERSION);
    if (getcwd(cwd, sizeof(cwd)))
        cmn_log_info("Working directory is %s", cwd);
    for (size_t i = 0; i < cfg->warnings.n; i++)
        cmn_log_warn("%s", cfg->warnings.items[i]);
    for (size_t i = 0; i < cfg->errors.n; i++)
        cmn_log_error("%s", cfg->errors.items[i]);
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
    /* lura: max_shutdown_wait_time 0 lets Shutdown wait for every request in flight */
    wait_ms = cfg->max_shutdown_wait_ms <= 0        ? -1
              : cfg->max_shutdown_wait_ms > INT_MAX ? INT_MAX
                                                    : (int)cfg->max_shutdown_wait_ms;
    gw_server_stop(srv, wait_ms);
    gw_validator_destroy(val);
    gw_modules_stop(mods);
    gw_config_destroy(cfg);
    return 0;
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    const char *cmd;

    gw_cli_prog = base ? base + 1 : argv[0];
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
        return gw_cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "audit") == 0)
        return gw_cmd_audit(argc - 2, argv + 2);
    if (strcmp(cmd, "version") == 0) {
        fprintf(stderr, "KrakenD Version: %s\n", GW_VERSION);
        fprintf(stderr, "Implementation: C gateway compatible with KrakenD CE 2.13 "
                        "configurations\n");
        return 0;
    }
    if (cmd[0] == '-')
        return gw_cli_error(NULL, "unknown flag: %s", cmd);
    return gw_cli_error(NULL, "unknown command \"%s\" for \"krakend\"", cmd);
}
