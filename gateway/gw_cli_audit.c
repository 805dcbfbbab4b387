/* gw_cli_audit.c - `audit` (krakend-cobra v2.8.2 audit.go, spec §2.3): parse as run does, evaluate
 * the rules not ignored and of the selected severities, render them with a Go template (-f, with
 * KrakenD's `marshal` and `colored`) to stderr, exit 1 when there is any recommendation. */
#include "gw_cli.h"

#include "cmn_go_json.h"
#include "gw_audit.h"
#include "gw_tmpl.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_FORMAT                                                                             \
    "{{ range .Recommendations }}{{.Rule}}\t[{{.Severity}}]   \t{{.Message}}\n{{ end }}"
#define TERMINAL_FORMAT                                                                            \
    "{{ range .Recommendations }}{{.Rule}}\t[{{colored .Severity}}]   \t{{.Message}}\n{{ end }}"
#define MAX_IGNORE 4096

struct audit_opts {
    const char *config, *ignore, *ignore_file, *severity, *format;
    bool help;
};

/* ---- the template's functions ---- */

/* colored: the severity in the colours KrakenD uses on a terminal. */
static bool fn_colored(void *ctx, const char *js, size_t n, struct cmn_buf *out, char *why,
                       size_t whysz)
{
    static const struct {
        const char *sev, *code;
    } C[] = {{"LOW", "32;1"}, {"MEDIUM", "33;1"}, {"HIGH", "31;1"}, {"CRITICAL", "41;1"}};
    json_t *v = json_loadb(js, n, JSON_DECODE_ANY, NULL);
    const char *s = json_string_value(v);
    bool ok = true;

    (void)ctx;
    if (!s) {
        snprintf(why, whysz, "wrong type for value; expected string");
        json_decref(v);
        return false;
    }
    for (size_t i = 0; i < sizeof(C) / sizeof(C[0]); i++) {
        if (strcmp(s, C[i].sev) == 0) {
            ok = cmn_buf_printf(out, "\033[%sm%s\033[0m", C[i].code, s) == CMN_BUF_OK;
            json_decref(v);
            return ok;
        }
    }
    ok = cmn_buf_append_str(out, s) == CMN_BUF_OK;
    json_decref(v);
    return ok;
}

/* Go's json.Marshal of the audit structs: field names as their json tags, in struct order. */
static const char *const FIELD_ORDER[][2] = {
    {"Recommendations", "recommendations"},
    {"Stats", "stats"},
    {"Rule", "rule"},
    {"Severity", "severity"},
    {"Message", "message"},
};
#define N_FIELDS (sizeof(FIELD_ORDER) / sizeof(FIELD_ORDER[0]))

static bool go_marshal(const json_t *v, struct cmn_buf *out, int depth);

static bool is_struct(const json_t *v)
{
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (json_object_get(v, FIELD_ORDER[i][0]))
            return true;
    }
    return false;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A map's members, keys sorted as Go's encoding/json writes them. */
static bool go_map(const json_t *v, struct cmn_buf *out, int depth)
{
    size_t n = json_object_size(v), k = 0;
    const char **keys = calloc(n ? n : 1, sizeof(*keys));
    const char *key;
    json_t *m;
    bool ok = keys != NULL;

    json_object_foreach((json_t *)(uintptr_t)v, key, m) if (keys) keys[k++] = key;
    if (keys)
        qsort(keys, n, sizeof(*keys), cmp_keys);
    for (size_t i = 0; ok && i < n; i++) {
        ok = (i == 0 || cmn_buf_append(out, ",", 1) == CMN_BUF_OK) &&
             cmn_go_json_string(out, keys[i], strlen(keys[i]), true) &&
             cmn_buf_append(out, ":", 1) == CMN_BUF_OK &&
             go_marshal(json_object_get(v, keys[i]), out, depth + 1);
    }
    free(keys);
    return ok;
}

static bool go_marshal(const json_t *v, struct cmn_buf *out, int depth)
{
    size_t i;
    json_t *m;
    bool first = true;

    if (depth > 16)
        return false;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        if (cmn_buf_append(out, "{", 1) != CMN_BUF_OK)
            return false;
        if (!is_struct(v))
            return go_map(v, out, depth) && cmn_buf_append(out, "}", 1) == CMN_BUF_OK;
        /* an audit struct: its fields in their order, by their json names */
        for (i = 0; i < N_FIELDS; i++) {
            const json_t *f = json_object_get(v, FIELD_ORDER[i][0]);
            if (!f)
                continue;
            if ((!first && cmn_buf_append(out, ",", 1) != CMN_BUF_OK) ||
                !cmn_go_json_string(out, FIELD_ORDER[i][1], strlen(FIELD_ORDER[i][1]), true) ||
                cmn_buf_append(out, ":", 1) != CMN_BUF_OK || !go_marshal(f, out, depth + 1))
                return false;
            first = false;
        }
        return cmn_buf_append(out, "}", 1) == CMN_BUF_OK;
    case JSON_ARRAY:
        if (cmn_buf_append(out, "[", 1) != CMN_BUF_OK)
            return false;
        json_array_foreach(v, i, m)
        {
            if ((i && cmn_buf_append(out, ",", 1) != CMN_BUF_OK) || !go_marshal(m, out, depth + 1))
                return false;
        }
        return cmn_buf_append(out, "]", 1) == CMN_BUF_OK;
    case JSON_STRING:
        return cmn_go_json_string(out, json_string_value(v), json_string_length(v), true);
    default: {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        bool ok = s && cmn_buf_append_str(out, s) == CMN_BUF_OK;
        free(s);
        return ok;
    }
    }
}

static bool fn_marshal(void *ctx, const char *js, size_t n, struct cmn_buf *out, char *why,
                       size_t whysz)
{
    json_t *v = json_loadb(js, n, JSON_DECODE_ANY, NULL);
    bool ok;

    (void)ctx;
    (void)why;
    (void)whysz;
    if (!v)
        return cmn_buf_append(out, js, n) == CMN_BUF_OK;
    ok = go_marshal(v, out, 0);
    json_decref(v);
    return ok;
}

/* ---- the command ---- */

static json_t *result_data(const struct gw_audit_result *r)
{
    json_t *root = json_object(), *list = json_array();

    if (!root || !list || json_object_set_new(root, "Recommendations", list) != 0 ||
        json_object_set_new(root, "Stats", json_object()) != 0) {
        json_decref(root);
        return NULL;
    }
    for (size_t i = 0; i < r->n; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s}", "Rule", r->items[i].rule, "Severity",
                              r->items[i].severity, "Message", r->items[i].message);
        if (!o || json_array_append_new(list, o) != 0) {
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

/* Rule ids from -i (comma list) and -I (a line each), spaces removed, as KrakenD reads them. */
static int ignore_list(const struct audit_opts *o, char **buf, const char **ids, size_t *n)
{
    struct cmn_buf b;
    struct cmn_err err;
    char *file = NULL;
    size_t len = 0;

    *n = 0;
    cmn_buf_init(&b, 1u << 20);
    if (o->ignore && (cmn_buf_append_str(&b, o->ignore) != CMN_BUF_OK ||
                      cmn_buf_append(&b, ",", 1) != CMN_BUF_OK))
        goto nomem;
    if (o->ignore_file) {
        if (!gw_config_read(o->ignore_file, &file, &len, &err)) {
            fprintf(stderr, "%s\t%s\n\n", gw_cli_red("ERROR accessing the ignore file:"), err.msg);
            cmn_buf_free(&b);
            return 1;
        }
        for (size_t i = 0; i < len; i++) {
            if (cmn_buf_append(&b, file[i] == '\n' ? "," : file + i, 1) != CMN_BUF_OK)
                goto nomem;
        }
        free(file);
        file = NULL;
    }
    *buf = cmn_buf_take(&b, &len);
    if (!*buf)
        goto nomem;
    /* drop every space, then split on commas; empty ids are skipped */
    {
        size_t w = 0;
        for (size_t i = 0; i < len; i++) {
            if ((*buf)[i] != ' ' && (*buf)[i] != '\r')
                (*buf)[w++] = (*buf)[i];
        }
        (*buf)[w] = '\0';
    }
    for (char *p = *buf; *p && *n < MAX_IGNORE;) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        if (*p)
            ids[(*n)++] = p;
        if (!c)
            break;
        p = c + 1;
    }
    return 0;
nomem:
    free(file);
    cmn_buf_free(&b);
    fprintf(stderr, "%s\tout of memory\n", gw_cli_red("ERROR accessing the ignore file:"));
    return 1;
}

static int render(const struct audit_opts *o, const struct gw_audit_result *r)
{
    const char *format = o->format ? o->format : isatty(2) ? TERMINAL_FORMAT : DEFAULT_FORMAT;
    struct gw_tmpl_set *set = gw_tmpl_set_new(NULL);
    json_t *data = result_data(r);
    struct cmn_buf out;
    struct cmn_err err;
    int rc = 1;

    cmn_buf_init(&out, 64u * 1024 * 1024);
    if (!set || !data || !gw_tmpl_set_func(set, "marshal", fn_marshal, NULL) ||
        !gw_tmpl_set_func(set, "colored", fn_colored, NULL)) {
        fprintf(stderr, "%s\tout of memory\n", gw_cli_red("ERROR parsing the template:"));
        goto out;
    }
    if (gw_tmpl_parse(set, "audit", format, strlen(format), &err) != GW_TMPL_OK) {
        fprintf(stderr, "%s\t%s\n\n", gw_cli_red("ERROR parsing the template:"), err.msg);
        goto out;
    }
    if (gw_tmpl_execute(set, "audit", data, NULL, &out, &err) != GW_TMPL_OK) {
        if (out.len)
            fwrite(out.data, 1, out.len, stderr);
        fprintf(stderr, "%s\t%s\n\n", gw_cli_red("ERROR rendering the results:"), err.msg);
        goto out;
    }
    if (out.len)
        fwrite(out.data, 1, out.len, stderr);
    rc = r->n ? 1 : 0;
out:
    cmn_buf_free(&out);
    json_decref(data);
    gw_tmpl_set_destroy(set);
    return rc;
}

static int run_audit(const struct audit_opts *o)
{
    static const char *ids[MAX_IGNORE];
    struct gw_cli_source src;
    struct gw_audit_result res = {0};
    struct cmn_err err = {0};
    struct gw_config *cfg;
    char *ignore_buf = NULL, sev[128];
    const char *unknown;
    size_t n_ids = 0, ulen, w = 0;
    unsigned sevs;
    int rc = 1;

    cfg = gw_cli_load(o->config, &src, &err);
    if (!cfg) {
        fprintf(stderr, "%s\t%s\n%s%s\n", gw_cli_red("ERROR parsing the configuration file:"),
                err.msg, src.detail, src.detail[0] ? "\n" : "");
        goto out;
    }
    if (ignore_list(o, &ignore_buf, ids, &n_ids))
        goto out;
    for (const char *p = o->severity ? o->severity : "CRITICAL,HIGH,MEDIUM,LOW";
         *p && w + 1 < sizeof(sev); p++) {
        if (*p != ' ')
            sev[w++] = *p;
    }
    sev[w] = '\0';
    sevs = gw_audit_severities(sev, &unknown, &ulen);
    if (unknown)
        fprintf(stderr, "WARNING: --severity: \"%.*s\" is none of CRITICAL, HIGH, MEDIUM, LOW and "
                        "selects nothing\n",
                (int)ulen, unknown);
    if (!gw_audit_run(cfg, ids, n_ids, sevs, &res, &err)) {
        fprintf(stderr, "%s\t%s\n\n", gw_cli_red("ERROR auditing the configuration file:"),
                err.msg);
        goto out;
    }
    rc = render(o, &res);
out:
    gw_audit_result_free(&res);
    free(ignore_buf);
    gw_config_destroy(cfg);
    gw_cli_source_free(&src);
    return rc;
}

int gw_cmd_audit(int argc, char **argv)
{
    struct audit_opts o = {0};
    const struct gw_flag flags[] = {
        {'c', "config", GW_F_STR, &o.config},
        {'i', "ignore", GW_F_STR, &o.ignore},
        {'I', "ignore-file", GW_F_STR, &o.ignore_file},
        {'s', "severity", GW_F_STR, &o.severity},
        {'f', "format", GW_F_STR, &o.format},
        {'h', "help", GW_F_BOOL, &o.help},
    };
    int rc = gw_cli_parse_flags(argc, argv, flags, sizeof(flags) / sizeof(flags[0]), "audit");

    if (rc)
        return rc;
    if (o.help) {
        printf("Audits a KrakenD configuration.\n\nUsage:\n  %s audit [flags]\n\nExamples:\n"
               "%s audit -i 1.1.1,1.1.2 -s CRITICAL -c krakend.json\n\nFlags:\n"
               "  -c, --config string        Path to the configuration file\n"
               "  -f, --format string        Inline go template to render the results\n"
               "  -h, --help                 help for audit\n"
               "  -i, --ignore string        List of rules to ignore (comma-separated, no "
               "spaces)\n"
               "  -I, --ignore-file string   Path to a text-plain file containing the list of "
               "rules to exclude\n"
               "  -s, --severity string      List of severities to include (comma-separated, no "
               "spaces) (default \"CRITICAL,HIGH,MEDIUM,LOW\")\n",
               gw_cli_prog, gw_cli_prog);
        return 0;
    }
    if (!o.config) {
        fprintf(stderr, "%s\n",
                gw_cli_red("Please, provide the path to the configuration file with --config or "
                           "see all the options with --help"));
        return 1;
    }
    return run_audit(&o);
}
