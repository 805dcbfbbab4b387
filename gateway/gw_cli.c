/* gw_cli.c - cobra's flag syntax and errors, and the configuration front door every command
 * uses: the file or its flexible-configuration rendering, parsed, with KrakenD's messages and the
 * detail KrakenD does not give (the template line, the rendered line, the env variable). */
#include "gw_cli.h"

#include "cmn_go_tz.h"
#include "cmn_rand.h"
#include "cmn_str.h"
#include "gw_fc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

const char *gw_cli_prog = "krakend";

#define RENDER_CAP (64u * 1024 * 1024)

/* ---- flags ---- */

int gw_cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "Error: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun '%s%s%s --help' for usage.\n", gw_cli_prog, cmd ? " " : "",
            cmd ? cmd : "");
    return GW_EXIT_COBRA;
}

static bool set_flag(const struct gw_flag *f, const char *val)
{
    char *end;
    long n;

    switch (f->kind) {
    case GW_F_BOOL:
        *(bool *)f->dst = true;
        return true;
    case GW_F_COUNT:
        (*(int *)f->dst)++;
        return true;
    case GW_F_STR:
        *(const char **)f->dst = val;
        return true;
    case GW_F_INT:
        errno = 0;
        n = strtol(val, &end, 0);
        if (errno || end == val || *end || n < 0 || n > 65535)
            return false;
        *(long *)f->dst = n;
        return true;
    }
    return false;
}

static int long_flag(const char *a, char **argv, int argc, int *i, const struct gw_flag *flags,
                     size_t nf, const char *cmd)
{
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct gw_flag *f = NULL;
    const char *val = eq ? eq + 1 : NULL;

    for (size_t k = 0; k < nf && !f; k++) {
        if (strlen(flags[k].name) == len && strncmp(flags[k].name, name, len) == 0)
            f = &flags[k];
    }
    if (!f)
        return gw_cli_error(cmd, "unknown flag: %s", a);
    if ((f->kind == GW_F_STR || f->kind == GW_F_INT) && !val) {
        if (*i + 1 >= argc)
            return gw_cli_error(cmd, "flag needs an argument: %s", a);
        val = argv[++*i];
    }
    if (!set_flag(f, val))
        return gw_cli_error(cmd, "invalid argument \"%s\" for a port flag", val);
    return 0;
}

int gw_cli_parse_flags(int argc, char **argv, const struct gw_flag *flags, size_t nf,
                       const char *cmd)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (a[0] != '-' || a[1] == '\0')
            continue; /* positional arguments are ignored, as cobra's legacy args */
        if (a[1] == '-') {
            int rc = long_flag(a, argv, argc, &i, flags, nf, cmd);
            if (rc)
                return rc;
            continue;
        }
        for (const char *p = a + 1; *p; p++) {
            const struct gw_flag *f = NULL;
            char shortname[3] = {*p, '\0', '\0'};
            for (size_t k = 0; k < nf && !f; k++) {
                if (flags[k].shortc && flags[k].shortc == *p)
                    f = &flags[k];
            }
            if (!f)
                return gw_cli_error(cmd, "unknown shorthand flag: '%s' in %s", shortname, a);
            if (f->kind == GW_F_STR || f->kind == GW_F_INT) {
                const char *val = p[1] == '=' ? p + 2 : p[1] ? p + 1 : NULL;
                if (!val) {
                    if (i + 1 >= argc)
                        return gw_cli_error(cmd, "flag needs an argument: '%s' in %s", shortname,
                                            a);
                    val = argv[++i];
                }
                if (!set_flag(f, val))
                    return gw_cli_error(cmd, "invalid argument \"%s\" for a port flag", val);
                break;
            }
            set_flag(f, NULL);
        }
    }
    return 0;
}

/* ---- terminal colours (cobra's errorMsg / successMsg on a TTY) ---- */

static const char *colour(const char *code, const char *s)
{
    static char buf[4][256];
    static int next;
    char *b;

    if (!isatty(2))
        return s;
    b = buf[next++ % 4];
    snprintf(b, sizeof(buf[0]), "\033[%sm%s\033[0m", code, s);
    return b;
}

const char *gw_cli_red(const char *s)
{
    return colour("31;1", s);
}

const char *gw_cli_green(const char *s)
{
    return colour("32;1", s);
}

/* ---- strict mode ---- */

bool gw_cli_strict(bool flag)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    const char *v = getenv("KRAKEND_STRICT");

    if (flag)
        return true;
    for (size_t i = 0; v && i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(v, yes[i]) == 0)
            return true;
    }
    return false;
}

void gw_cli_print_errors(const struct gw_config *cfg, FILE *f, const char *prefix)
{
    for (size_t i = 0; i < cfg->errors.n; i++)
        fprintf(f, "%s%s\n", prefix, cfg->errors.items[i]);
}

/* ---- loading ---- */

static const char *lookup(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

static bool random_bytes(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    return cmn_rand_bytes(buf, n);
}

static bool has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), k = strlen(ext);

    return n >= k && strcmp(path + n - k, ext) == 0;
}

/* The number after the first "line " in msg (our parser's "at line N, column M" and
 * "(line N)"), with the column when there is one; 0 when none. */
static int line_in(const char *msg, int *col)
{
    const char *p = strstr(msg, "line ");
    long l, c = 0;
    char *end;

    *col = -1;
    if (!p)
        return 0;
    l = strtol(p + 5, &end, 10);
    if (strncmp(end, ", column ", 9) == 0) {
        c = strtol(end + 9, NULL, 10);
        *col = c > 0 ? (int)c - 1 : 0; /* jansson counts from 1, the excerpt from 0 */
    }
    return l > 0 && l < 100000000 ? (int)l : 0;
}

/* KrakenD says "'<file>': <error>"; our parser's messages start with "<file>: ". */
static void krakend_words(struct cmn_err *err, const char *name)
{
    char msg[2 * CMN_ERR_MSG_MAX + 8];
    size_t n = strlen(name);

    if (strncmp(err->msg, name, n) == 0 && strncmp(err->msg + n, ": ", 2) == 0)
        snprintf(msg, sizeof(msg), "'%.*s': %s", CMN_ERR_MSG_MAX, name, err->msg + n + 2);
    else
        snprintf(msg, sizeof(msg), "'%.*s': %s", CMN_ERR_MSG_MAX, name, err->msg);
    cmn_strlcpy(err->msg, msg, sizeof(err->msg)); /* cut, as every cmn_err message may be */
}

/* The rendered text's line a JSON error names, and how to keep the text. */
static void rendered_detail(struct gw_cli_source *src, const char *msg, const char *fc_out)
{
    int col, line = line_in(msg, &col);
    char ex[1536];
    size_t w;

    src->detail[0] = '\0';
    if (line)
        gw_fc_text_excerpt("rendered text", src->text.data ? src->text.data : "", src->text.len,
                           line, col, ex, sizeof(ex));
    else
        ex[0] = '\0';
    w = (size_t)snprintf(src->detail, sizeof(src->detail), "%s%s", ex, ex[0] ? "\n" : "");
    if (w < sizeof(src->detail))
        snprintf(src->detail + w, sizeof(src->detail) - w,
                 fc_out ? "    (the rendered text is in FC_OUT=%s)"
                        : "    (set FC_OUT=rendered.json to keep the rendered text%s)",
                 fc_out ? fc_out : "");
}

static bool render(const char *path, struct gw_cli_source *src, struct cmn_err *err)
{
    struct gw_fc_env env;
    struct gw_fc_result res;
    bool ok;

    gw_fc_env_from_lookup(&env, lookup, NULL);
    env.random = random_bytes;
    env.clock = cmn_clock_system();
    if (env.out && env.out[0] && (has_ext(env.out, ".yaml") || has_ext(env.out, ".yml") ||
                                  has_ext(env.out, ".toml"))) {
        cmn_err_set(err, GW_CONFIG_INVALID,
                    "'%s': FC_OUT=%s: KrakenD parses the rendered text as %s because of that "
                    "extension; this gateway reads JSON configurations only",
                    path, env.out, has_ext(env.out, ".toml") ? "TOML" : "YAML");
        return false;
    }
    /* dateInZone's named zones, read from /usr/share/zoneinfo when a template asks for one */
    env.zones = cmn_go_tzdb_new_system(NULL);
    ok = gw_fc_render(path, &env, &src->text, &res, err);
    cmn_go_tzdb_destroy(env.zones);
    if (!ok) {
        /* KrakenD shows the raw file's JSON error here (spec §1.9): this shows the real one */
        snprintf(src->detail, sizeof(src->detail), "%s", res.excerpt);
        return false;
    }
    if (res.kept)
        snprintf(src->name, sizeof(src->name), "%s", res.path);
    else
        snprintf(src->name, sizeof(src->name), "%s (rendered)", path);
    return true;
}

struct gw_config *gw_cli_load(const char *path, struct gw_cli_source *src, struct cmn_err *err)
{
    const char *fc = getenv("FC_ENABLE"), *fc_out = getenv("FC_OUT");
    struct gw_config *cfg;
    char *data = NULL;
    size_t len = 0;

    memset(src, 0, sizeof(*src));
    cmn_buf_init(&src->text, RENDER_CAP);
    snprintf(src->name, sizeof(src->name), "%s", path);
    if (fc && fc[0]) {
        src->rendered = true;
        if (!render(path, src, err))
            return NULL;
    } else {
        if (!gw_config_read(path, &data, &len, err)) {
            krakend_words(err, path);
            return NULL;
        }
        if (cmn_buf_append(&src->text, data, len) != CMN_BUF_OK) {
            free(data);
            cmn_err_set(err, GW_CONFIG_NOMEM, "'%s': out of memory", path);
            return NULL;
        }
        free(data);
    }
    cfg = gw_config_parse(src->text.data ? src->text.data : "", src->text.len, src->name, environ,
                          err);
    if (cfg)
        return cfg;
    if (src->rendered && err->code == GW_CONFIG_SYNTAX)
        rendered_detail(src, err->msg, fc_out && fc_out[0] ? fc_out : NULL);
    else if (!src->rendered && err->code == GW_CONFIG_SYNTAX && src->text.data &&
             strstr(src->text.data, "{{"))
        snprintf(src->detail, sizeof(src->detail),
                 "    (the file holds {{ }} actions: if it is a flexible-configuration template, "
                 "set FC_ENABLE=1; docs/flexible-config.md)");
    krakend_words(err, src->name);
    return NULL;
}

void gw_cli_source_free(struct gw_cli_source *src)
{
    if (src)
        cmn_buf_free(&src->text);
}
