/* gw_cli_check.c - `check` (alias `validate`), spec §2.1-§2.2: parse (rendering the template when
 * FC_ENABLE is set), report what the configuration leaves unprotected, lint against KrakenD
 * v2.13's rules, dump, test the routes. Exit status as KrakenD's: 1 for any failure. */
#include "gw_cli.h"

#include "cmn_log.h"
#include "gw_modules.h"
#include "gw_schema.h"
#include "gw_server.h"
#include "gw_tls.h"
#include "gw_validator.h"

#include <stdlib.h>
#include <string.h>

#define SCHEMA_URL "https://www.krakend.io/schema/v2.13/krakend.json"

struct check_opts {
    const char *config;
    int debug;
    bool test_routes, lint, lint_no_network, help, strict;
    const char *indent, *lint_schema;
};

static void help(void)
{
    printf("Validates that the active configuration file has a valid syntax to run the "
           "service.\nChange the configuration file by using the --config flag\n\nUsage:\n"
           "  %s check [flags]\n\nAliases:\n  check, validate\n\nFlags:\n"
           "  -c, --config string        Path to the configuration file\n"
           "  -d, --debug count          Dumps the interpreted configuration (-dd, -ddd: more)\n"
           "  -h, --help                 help for check\n"
           "  -i, --indent string        Indentation of the check dump (default \"\\t\")\n"
           "  -l, --lint                 Validates against KrakenD v2.13's schema rules\n"
           "  -n, --lint-no-network      The same (the rules are built in: no download)\n"
           "  -s, --lint-schema string   The same, with a note that the given schema is not read\n"
           "      --strict               Fails on a misspelt security namespace (also "
           "KRAKEND_STRICT=1)\n"
           "  -t, --test-gin-routes      Starts the server briefly to test the routes\n",
           gw_cli_prog);
}

static void check_warning(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "WARNING: %s\n", msg);
}

/* -l/-n/-s: the rendered text (or the file), never the env-overridden config (spec §2.2). */
static int lint(const struct check_opts *o, const struct gw_cli_source *src)
{
    struct gw_lint_report rep;
    struct cmn_err err;
    struct gw_schema *s = gw_schema_builtin(&err);

    if (!s) {
        fprintf(stderr, "%s\t%s\n\n", gw_cli_red("ERROR compiling the schema:"), err.msg);
        return 1;
    }
    if (o->lint_schema)
        fprintf(stderr,
                "WARNING: --lint-schema %s is not read: this gateway lints against its built-in "
                "rules of KrakenD v2.13's schema\n",
                o->lint_schema);
    if (!gw_schema_lint(s, src->text.data ? src->text.data : "", src->text.len, &rep, &err)) {
        fprintf(stderr, "%s\t%s\n\n", gw_cli_red("ERROR converting configuration content to JSON:"),
                err.msg);
        gw_schema_destroy(s);
        return 1;
    }
    gw_schema_destroy(s);
    if (rep.n == 0)
        return 0;
    fprintf(stderr, "%s\tjsonschema validation failed with '%s#' (this gateway's rules of it)\n",
            gw_cli_red("ERROR linting the configuration file:"), SCHEMA_URL);
    for (size_t i = 0; i < rep.n; i++) {
        const struct gw_lint_issue *it = &rep.items[i];
        if (it->line)
            fprintf(stderr, "- at '%s' (line %d%s): %s\n", it->pointer, it->line,
                    src->rendered ? " of the rendered text" : "", it->msg);
        else
            fprintf(stderr, "- at '%s': %s\n", it->pointer, it->msg);
    }
    if (rep.dropped)
        fprintf(stderr, "- ... and %zu more\n", rep.dropped);
    fprintf(stderr, "\n");
    gw_lint_report_free(&rep);
    return 1;
}

static int test_routes(struct gw_config *cfg, struct cmn_err *err)
{
    struct gw_server *srv = NULL;
    struct gw_validator *val;

    cmn_log_init("KRAKEND", CMN_LOG_NONE, 2);
    val = gw_validator_new(cfg, NULL, err);
    if (val) {
        struct gw_server_opts opts = gw_modules_opts();
        opts.auth = gw_validator_provider(val);
        srv = gw_server_start(cfg, &opts, err);
    }
    if (!srv) {
        fprintf(stderr, "%s\t%s\n", gw_cli_red("ERROR testing the configuration file:"), err->msg);
        gw_validator_destroy(val);
        return 1;
    }
    gw_server_stop(srv, 1000);
    gw_validator_destroy(val);
    return 0;
}

static int run_check(struct check_opts *o)
{
    struct gw_cli_source src;
    struct cmn_err err = {0};
    struct gw_config *cfg;
    int rc = 1;

    fprintf(stderr, "Parsing configuration file: %s\n", o->config);
    cfg = gw_cli_load(o->config, &src, &err);
    if (!cfg) {
        fprintf(stderr, "%s\t%s\n%s%s\n", gw_cli_red("ERROR parsing the configuration file:"),
                err.msg, src.detail, src.detail[0] ? "\n" : "");
        goto out;
    }
    for (size_t i = 0; i < cfg->warnings.n; i++)
        fprintf(stderr, "WARNING: %s\n", cfg->warnings.items[i]);
    gw_tls_check(cfg, check_warning, NULL);
    gw_cli_print_errors(cfg, stderr, "ERROR: ");
    if ((o->lint || o->lint_no_network || o->lint_schema) && lint(o, &src))
        goto out;
    gw_config_dump(cfg, o->debug, stderr);
    /* What KrakenD only finds when it builds the validators and the modules: reported here
     * too. The modules log their warnings; their startup lines (DEBUG) are for `run`. */
    cmn_log_init("KRAKEND", CMN_LOG_WARNING, 2);
    if (!gw_validator_check_config(cfg, check_warning, NULL, &err) ||
        !gw_modules_check(cfg, check_warning, NULL, &err)) {
        fprintf(stderr, "%s\t%s\n", gw_cli_red("ERROR parsing the configuration file:"), err.msg);
        goto out;
    }
    if (cfg->errors.n && gw_cli_strict(o->strict)) {
        fprintf(stderr, "%s\t'%s': %zu misspelt security namespace%s (ERROR above): refused "
                        "with --strict / KRAKEND_STRICT\n",
                gw_cli_red("ERROR parsing the configuration file:"), src.name, cfg->errors.n,
                cfg->errors.n == 1 ? "" : "s");
        goto out;
    }
    if (o->test_routes && test_routes(cfg, &err))
        goto out;
    fprintf(stderr, "%s\n", gw_cli_green("Syntax OK!"));
    if (cfg->errors.n)
        fprintf(stderr,
                "%zu ERROR line%s above: `run` starts with %s, as KrakenD does; --strict or "
                "KRAKEND_STRICT=1 refuses such a configuration\n",
                cfg->errors.n, cfg->errors.n == 1 ? "" : "s",
                cfg->errors.n == 1 ? "it" : "them");
    rc = 0;
out:
    gw_config_destroy(cfg);
    gw_cli_source_free(&src);
    return rc;
}

int gw_cmd_check(int argc, char **argv)
{
    struct check_opts o = {0};
    const struct gw_flag flags[] = {
        {'c', "config", GW_F_STR, &o.config},
        {'d', "debug", GW_F_COUNT, &o.debug},
        {'t', "test-gin-routes", GW_F_BOOL, &o.test_routes},
        {'i', "indent", GW_F_STR, &o.indent},
        {'l', "lint", GW_F_BOOL, &o.lint},
        {'n', "lint-no-network", GW_F_BOOL, &o.lint_no_network},
        {'s', "lint-schema", GW_F_STR, &o.lint_schema},
        {0, "strict", GW_F_BOOL, &o.strict},
        {'h', "help", GW_F_BOOL, &o.help},
    };
    int rc = gw_cli_parse_flags(argc, argv, flags, sizeof(flags) / sizeof(flags[0]), "check");

    if (rc)
        return rc;
    if (o.help) {
        help();
        return 0;
    }
    if ((o.lint + o.lint_no_network + (o.lint_schema != NULL)) > 1) {
        char set[64];
        snprintf(set, sizeof(set), "%s%s%s%s", o.lint ? "lint" : "",
                 o.lint && o.lint_no_network ? " " : "", o.lint_no_network ? "lint-no-network" : "",
                 o.lint_schema ? " lint-schema" : "");
        return gw_cli_error("check",
                            "if any flags in the group [lint lint-no-network lint-schema] are "
                            "set none of the others can be; [%s] were all set",
                            set);
    }
    if (!o.config) {
        fprintf(stderr, "%s\n",
                gw_cli_red("Please, provide the path to the configuration file with --config or "
                           "see all the options with --help"));
        return 1;
    }
    return run_check(&o);
}
