/* gw_fc.c - the flexible-configuration core without IO: settings files decoded as Go's
 * encoding/json does into the template data, KrakenD's aggregated settings errors, the
 * configuration template and sub-templates parsed into one set, and the execution. */
#include "gw_fc.h"

#include "cmn_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fc_error {
    char *key;
    char *text;
};

struct gw_fc_project {
    struct gw_tmpl_set *set;
    json_t *settings; /* the template's data: one member per settings file */
    struct fc_error *errors;
    size_t nerrors, cap_errors;
    bool nomem;
};

void gw_fc_env_from_lookup(struct gw_fc_env *env, const char *(*lookup)(void *ctx, const char *),
                           void *ctx)
{
    memset(env, 0, sizeof(*env));
    env->enable = lookup(ctx, "FC_ENABLE");
    env->settings = lookup(ctx, "FC_SETTINGS");
    env->partials = lookup(ctx, "FC_PARTIALS");
    env->templates = lookup(ctx, "FC_TEMPLATES");
    env->out = lookup(ctx, "FC_OUT");
    env->getenv = lookup;
    env->getenv_ctx = ctx;
}

bool gw_fc_enabled(const struct gw_fc_env *env)
{
    return env && env->enable && env->enable[0] != '\0';
}

struct gw_fc_project *gw_fc_project_new(const struct gw_tmpl_limits *lim)
{
    struct gw_fc_project *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->set = gw_tmpl_set_new(lim);
    p->settings = json_object();
    if (!p->set || !p->settings) {
        gw_fc_project_destroy(p);
        return NULL;
    }
    return p;
}

void gw_fc_project_destroy(struct gw_fc_project *p)
{
    if (!p)
        return;
    gw_tmpl_set_destroy(p->set);
    json_decref(p->settings);
    for (size_t i = 0; i < p->nerrors; i++) {
        free(p->errors[i].key);
        free(p->errors[i].text);
    }
    free(p->errors);
    free(p);
}

void gw_fc_add_settings_error(struct gw_fc_project *p, const char *key, const char *text)
{
    struct fc_error e;

    /* Go keeps one error per key (a map): the later one wins */
    for (size_t i = 0; i < p->nerrors; i++) {
        if (strcmp(p->errors[i].key, key) == 0) {
            char *t = cmn_strndup(text, strlen(text));
            if (!t) {
                p->nomem = true;
                return;
            }
            free(p->errors[i].text);
            p->errors[i].text = t;
            return;
        }
    }
    if (p->nerrors == p->cap_errors) {
        size_t nc = p->cap_errors ? p->cap_errors * 2 : 8;
        struct fc_error *ne = realloc(p->errors, nc * sizeof(*ne));
        if (!ne) {
            p->nomem = true;
            return;
        }
        p->errors = ne;
        p->cap_errors = nc;
    }
    e.key = cmn_strndup(key, strlen(key));
    e.text = cmn_strndup(text, strlen(text));
    if (!e.key || !e.text) {
        free(e.key);
        free(e.text);
        p->nomem = true;
        return;
    }
    p->errors[p->nerrors++] = e;
}

static const char *json_kind(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    default:
        return "bool";
    }
}

void gw_fc_add_settings(struct gw_fc_project *p, const char *file_name, const char *data,
                        size_t len)
{
    json_error_t je;
    json_t *j;
    size_t nl = strlen(file_name);
    char key[1024], msg[400];

    if (nl >= 5 && strcmp(file_name + nl - 5, ".json") == 0)
        nl -= 5;
    if (nl >= sizeof(key)) {
        gw_fc_add_settings_error(p, file_name, "file name too long");
        return;
    }
    memcpy(key, file_name, nl);
    key[nl] = '\0';
    /* Go's json.Unmarshal into map[string]interface{}: every number a float64, the last of
     * duplicate members wins, nothing may follow the value */
    j = json_loadb(data, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
    if (!j) {
        snprintf(msg, sizeof(msg), "%s at line %d column %d", je.text, je.line, je.column);
        gw_fc_add_settings_error(p, file_name, msg);
        return;
    }
    if (json_is_null(j)) {
        /* a nil map in Go: reads as an empty object */
        json_decref(j);
        j = json_object();
        if (!j) {
            p->nomem = true;
            return;
        }
    }
    if (!json_is_object(j)) {
        snprintf(msg, sizeof(msg),
                 "json: cannot unmarshal %s into Go value of type map[string]interface {}",
                 json_kind(j));
        json_decref(j);
        gw_fc_add_settings_error(p, file_name, msg);
        return;
    }
    if (json_object_set_new(p->settings, key, j) != 0)
        p->nomem = true;
}

static int cmp_errors(const void *a, const void *b)
{
    return strcmp(((const struct fc_error *)a)->key, ((const struct fc_error *)b)->key);
}

bool gw_fc_check_settings(const struct gw_fc_project *p, struct cmn_err *err)
{
    struct cmn_buf b;
    struct fc_error *sorted;

    if (p->nomem)
        return cmn_err_set(err, GW_FC_NOMEM, "loading flexible-config settings: out of memory"),
               false;
    if (p->nerrors == 0)
        return true;
    /* Go lists them in map order (random); sorted here so the message is stable */
    sorted = malloc(p->nerrors * sizeof(*sorted));
    if (!sorted)
        return cmn_err_set(err, GW_FC_NOMEM, "loading flexible-config settings: out of memory"),
               false;
    memcpy(sorted, p->errors, p->nerrors * sizeof(*sorted));
    qsort(sorted, p->nerrors, sizeof(*sorted), cmp_errors);
    cmn_buf_init(&b, CMN_ERR_MSG_MAX - 1);
    (void)cmn_buf_append_str(&b, "loading flexible-config settings:");
    for (size_t i = 0; i < p->nerrors; i++)
        (void)cmn_buf_printf(&b, "\n\t- %s: %s", sorted[i].key, sorted[i].text);
    cmn_err_set(err, GW_FC_SETTINGS, "%s", b.data ? b.data : "loading flexible-config settings:");
    cmn_buf_free(&b);
    free(sorted);
    return false;
}

static bool parse(struct gw_fc_project *p, const char *stage, int code, const char *name,
                  const char *text, size_t len, struct cmn_err *err)
{
    int rc = gw_tmpl_parse(p->set, name, text, len, err);

    if (rc == GW_TMPL_OK)
        return true;
    cmn_err_prefix(err, "%s: ", stage);
    err->code = rc == GW_TMPL_LIMIT ? GW_FC_LIMIT : rc == GW_TMPL_NOMEM ? GW_FC_NOMEM : code;
    return false;
}

bool gw_fc_parse_base(struct gw_fc_project *p, const char *name, const char *text, size_t len,
                      struct cmn_err *err)
{
    return parse(p, "Unable to parse configuration file", GW_FC_PARSE, name, text, len, err);
}

bool gw_fc_parse_sub(struct gw_fc_project *p, const char *name, const char *text, size_t len,
                     struct cmn_err *err)
{
    return parse(p, "Error parsing sub-templates", GW_FC_SUBTEMPLATES, name, text, len, err);
}

bool gw_fc_execute(struct gw_fc_project *p, const char *name, const struct gw_tmpl_host *host,
                   struct cmn_buf *out, struct cmn_err *err)
{
    int rc = gw_tmpl_execute(p->set, name, p->settings, host, out, err);

    if (rc == GW_TMPL_OK)
        return true;
    cmn_err_prefix(err, "Found error while executing template: ");
    err->code = rc == GW_TMPL_LIMIT ? GW_FC_LIMIT : rc == GW_TMPL_NOMEM ? GW_FC_NOMEM : GW_FC_EXEC;
    return false;
}

/* ---- where an error is: the line of the file, a caret under the column ---- */

/* Reads "LINE" or "LINE:COL" followed by ':' at s; false when it is not there. */
static bool read_place(const char *s, long *line, long *col)
{
    char *end;

    if (*s < '0' || *s > '9')
        return false;
    *line = strtol(s, &end, 10);
    *col = -1;
    if (*end == ':' && end[1] >= '0' && end[1] <= '9') {
        char *e2;
        long c = strtol(end + 1, &e2, 10);
        if (*e2 == ':') {
            *col = c;
            return *line > 0;
        }
    }
    return *end == ':' && *line > 0;
}

#define EXCERPT_WIDTH 110

void gw_fc_text_excerpt(const char *name, const char *text, size_t len, long line, long col,
                        char *out, size_t outsz)
{
    const char *ls, *le, *p;
    long cur = 1;
    size_t start, shown, w = 0;
    int k;

    if (outsz)
        out[0] = '\0';
    if (line < 1)
        return;
    for (ls = text; cur < line; cur++) {
        const char *nl = memchr(ls, '\n', len - (size_t)(ls - text));
        if (!nl)
            return;
        ls = nl + 1;
    }
    le = memchr(ls, '\n', len - (size_t)(ls - text));
    if (!le)
        le = text + len;
    if (le > ls && le[-1] == '\r')
        le--;
    /* a window of the line around the column: long generated lines stay readable */
    start = col > EXCERPT_WIDTH - 20 ? (size_t)col - (EXCERPT_WIDTH - 40) : 0;
    if (start > (size_t)(le - ls))
        start = 0;
    while (start > 0 && ((unsigned char)ls[start] & 0xC0) == 0x80)
        start--;
    shown = (size_t)(le - ls) - start;
    if (shown > EXCERPT_WIDTH)
        shown = EXCERPT_WIDTH;
    while (shown > 0 && start + shown < (size_t)(le - ls) &&
           ((unsigned char)ls[start + shown] & 0xC0) == 0x80)
        shown--;
    if (col >= 0)
        k = snprintf(out, outsz, "    %s:%ld:%ld\n", name, line, col);
    else
        k = snprintf(out, outsz, "    %s:%ld\n", name, line);
    if (k < 0 || (size_t)k >= outsz)
        return;
    w = (size_t)k;
    k = snprintf(out + w, outsz - w, "%8ld | %s%.*s%s", line, start ? "..." : "", (int)shown,
                 ls + start, start + shown < (size_t)(le - ls) ? "..." : "");
    if (k < 0 || (size_t)k >= outsz - w)
        return;
    w += (size_t)k;
    if (col < 0 || (size_t)col < start || (size_t)col > (size_t)(le - ls))
        return;
    k = snprintf(out + w, outsz - w, "\n%8s | %s", "", start ? "   " : "");
    if (k < 0 || (size_t)k >= outsz - w)
        return;
    w += (size_t)k;
    /* the caret under the column's byte: tabs kept so it lines up, one space per character */
    for (p = ls + start; p < ls + col && w + 2 < outsz; p++) {
        if (((unsigned char)*p & 0xC0) == 0x80)
            continue;
        out[w++] = *p == '\t' ? '\t' : ' ';
    }
    if (w + 2 < outsz) {
        out[w++] = '^';
        out[w] = '\0';
    }
}

void gw_fc_excerpt(const char *msg, const char *name, const char *text, size_t len, char *out,
                   size_t outsz)
{
    char needle[300];
    const char *at;
    long line, col;

    if (outsz)
        out[0] = '\0';
    if ((size_t)snprintf(needle, sizeof(needle), "template: %s:", name) >= sizeof(needle) ||
        !(at = strstr(msg, needle)) || !read_place(at + strlen(needle), &line, &col))
        return;
    gw_fc_text_excerpt(name, text, len, line, col, out, outsz);
}

void gw_fc_exec_excerpt(const struct gw_fc_project *p, const char *msg, char *out, size_t outsz)
{
    const char *at, *text;
    char name[256];
    size_t len;
    long line, col;

    if (outsz)
        out[0] = '\0';
    /* the place follows one of the "template: " in the message (stage prefixes have some too):
     * NAME is what comes before the first ":LINE:" there */
    for (at = strstr(msg, "template: "); at; at = strstr(at + 1, "template: ")) {
        const char *c = at + strlen("template: ");
        size_t n = 0;
        for (; *c && n < sizeof(name) - 1; c++, n++) {
            if (*c == ':' && read_place(c + 1, &line, &col))
                break;
            name[n] = *c;
        }
        name[n] = '\0';
        if (*c == ':' && gw_tmpl_source(p->set, name, &text, &len)) {
            gw_fc_excerpt(msg, name, text, len, out, outsz);
            return;
        }
    }
}

/* Go's path.Clean of s[0..n) appended to out (room checked by the caller). */
static size_t clean_path(const char *s, size_t n, char *out)
{
    bool rooted = n > 0 && s[0] == '/';
    size_t r = 0, w = 0, dotdot = 0;

    if (n == 0) {
        out[0] = '.';
        return 1;
    }
    if (rooted) {
        out[w++] = '/';
        r = 1;
        dotdot = 1;
    }
    while (r < n) {
        if (s[r] == '/') {
            r++;
        } else if (s[r] == '.' && (r + 1 == n || s[r + 1] == '/')) {
            r++;
        } else if (s[r] == '.' && r + 1 < n && s[r + 1] == '.' && (r + 2 == n || s[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && out[w] != '/')
                    w--;
            } else if (!rooted) {
                if (w > 0)
                    out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0))
                out[w++] = '/';
            while (r < n && s[r] != '/')
                out[w++] = s[r++];
        }
    }
    if (w == 0)
        out[w++] = '.';
    return w;
}

bool gw_fc_path_join(const char *base, const char *name, size_t name_len, char *out, size_t outsz)
{
    size_t bl = base ? strlen(base) : 0, total;
    char *joined;
    size_t w;

    if (bl == 0 && name_len == 0) {
        if (outsz == 0)
            return false;
        out[0] = '\0';
        return true;
    }
    total = bl + 1 + name_len;
    /* cleaning never makes a path longer, except "" -> "." */
    if (total + 2 > outsz)
        return false;
    joined = malloc(total + 1);
    if (!joined)
        return false;
    w = 0;
    if (bl) {
        memcpy(joined, base, bl);
        w = bl;
    }
    if (bl && name_len)
        joined[w++] = '/';
    memcpy(joined + w, name, name_len);
    w += name_len;
    w = clean_path(joined, w, out);
    out[w] = '\0';
    free(joined);
    return true;
}
