/* gw_cli.h - what the commands of the `gateway` / `krakend` program share: cobra's flag syntax
 * and errors, and the configuration front door (the file or its flexible-configuration
 * rendering, parsed, with the messages KrakenD gives and the detail it does not). */
#ifndef GW_CLI_H
#define GW_CLI_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "gw_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define GW_EXIT_COBRA 255 /* os.Exit(-1) in KrakenD */

extern const char *gw_cli_prog; /* argv[0]'s base name: "krakend" or "gateway" */

enum gw_flag_kind { GW_F_BOOL, GW_F_COUNT, GW_F_STR, GW_F_INT };

struct gw_flag {
    char shortc; /* 0: no short form */
    const char *name;
    enum gw_flag_kind kind;
    void *dst; /* bool *, int *, const char **, long * */
};

/* pflag syntax: -c FILE, -cFILE, -c=FILE, --config FILE, --config=FILE, -dd, -dt. Returns 0, or
 * GW_EXIT_COBRA after printing cobra's error. */
int gw_cli_parse_flags(int argc, char **argv, const struct gw_flag *flags, size_t nf,
                       const char *cmd);
/* "Error: ..." then "Run 'krakend CMD --help' for usage."; returns GW_EXIT_COBRA. */
int gw_cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "ERROR ...:" as KrakenD prints it: red on a terminal (cobra's errorMsg). Borrowed, static. */
const char *gw_cli_red(const char *s);
const char *gw_cli_green(const char *s);

/* The text a command parsed: the file, or the template's rendering (KrakenD's "last source",
 * which `check --lint` reads). */
struct gw_cli_source {
    struct cmn_buf text;
    char name[4200];     /* what messages call it: the -c path, FC_OUT, or "x.tmpl (rendered)" */
    bool rendered;       /* FC_ENABLE was set */
    char detail[2048];   /* lines to print after an error: where it is, what to try */
};

/* Loads the configuration as run, check and audit do (spec §1.1): with FC_ENABLE non-empty the
 * file is rendered with FC_SETTINGS, FC_PARTIALS, FC_TEMPLATES (and written to FC_OUT), else read;
 * then parsed with the KRAKEND_* overrides. Returns an owned config, or NULL with err (message
 * "'NAME': ...", as KrakenD words it) and src->detail. src must be freed either way. */
struct gw_config *gw_cli_load(const char *path, struct gw_cli_source *src, struct cmn_err *err);
void gw_cli_source_free(struct gw_cli_source *src);

/* Whether --strict was given or KRAKEND_STRICT is true (Go's ParseBool: 1 t T TRUE true True). */
bool gw_cli_strict(bool flag);

/* The configuration's ERROR lines (misspelt security namespaces): to f with prefix, one each. */
void gw_cli_print_errors(const struct gw_config *cfg, FILE *f, const char *prefix);

/* The commands besides run and version. */
int gw_cmd_check(int argc, char **argv);
int gw_cmd_audit(int argc, char **argv);

#endif
