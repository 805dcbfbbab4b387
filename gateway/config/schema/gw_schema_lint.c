/* gw_schema_lint.c - `check --lint`: walks a configuration against the rules and reports, with
 * KrakenD's reasons (santhosh-tekuri/jsonschema's wording, spec §2.2), the JSON pointer, the
 * line, and what a misspelt key or namespace most likely meant. */
#include "gw_schema_int.h"

#include "cmn_json.h"
#include "cmn_suggest.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64
#define PATH_MAX_LEN 256

struct lint {
    const struct gw_schema *s;
    struct gw_lint_report *rep;
    char (*dotted)[PATH_MAX_LEN]; /* per issue: the path cmn_json_scan_lines uses, for its line */
    size_t cap;
    bool nomem;
};

/* ---- issues ---- */

static void issue(struct lint *L, const char *ptr, const char *dotted, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void issue(struct lint *L, const char *ptr, const char *dotted, const char *fmt, ...)
{
    struct gw_lint_report *r = L->rep;
    struct gw_lint_issue *it;
    va_list ap;

    if (r->n >= GW_LINT_MAX_ISSUES) {
        r->dropped++;
        return;
    }
    if (r->n == L->cap) {
        size_t nc = L->cap ? L->cap * 2 : 16;
        struct gw_lint_issue *ni = realloc(r->items, nc * sizeof(*ni));
        char(*nd)[PATH_MAX_LEN];
        if (!ni) {
            L->nomem = true;
            return;
        }
        r->items = ni;
        nd = realloc(L->dotted, nc * sizeof(*nd));
        if (!nd) {
            L->nomem = true;
            return;
        }
        L->dotted = nd;
        L->cap = nc;
    }
    it = &r->items[r->n];
    snprintf(it->pointer, sizeof(it->pointer), "%s", ptr);
    snprintf(L->dotted[r->n], PATH_MAX_LEN, "%s", dotted);
    it->line = 0;
    va_start(ap, fmt);
    vsnprintf(it->msg, sizeof(it->msg), fmt, ap);
    va_end(ap);
    r->n++;
}

/* JSON pointer and dotted path of a member / an element. */
static void child_key(char *ptr, char *dotted, const char *pptr, const char *pdot, const char *k)
{
    size_t w = (size_t)snprintf(ptr, PATH_MAX_LEN, "%s/", pptr);

    /* RFC 6901: ~ as ~0, / as ~1 */
    for (const char *c = k; *c && w + 3 < PATH_MAX_LEN; c++) {
        if (*c == '~' || *c == '/') {
            ptr[w++] = '~';
            ptr[w++] = *c == '~' ? '0' : '1';
        } else {
            ptr[w++] = *c;
        }
    }
    ptr[w < PATH_MAX_LEN ? w : PATH_MAX_LEN - 1] = '\0';
    snprintf(dotted, PATH_MAX_LEN, "%s%s%s", pdot, pdot[0] ? "." : "", k);
}

static void child_idx(char *ptr, char *dotted, const char *pptr, const char *pdot, size_t i)
{
    snprintf(ptr, PATH_MAX_LEN, "%s/%zu", pptr, i);
    snprintf(dotted, PATH_MAX_LEN, "%s[%zu]", pdot, i);
}

/* ---- values ---- */

static const char *kind_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

static const char *type_word(const struct st_type *t)
{
    switch (t->kind) {
    case ST_STRING:
    case ST_DURATION:
        return "string";
    case ST_INTEGER:
        return "integer";
    case ST_NUMBER:
        return "number";
    case ST_BOOLEAN:
        return "boolean";
    case ST_ARRAY:
        return "array";
    case ST_OBJECT:
    case ST_MAP:
    case ST_EXTRA:
        return "object";
    default:
        return "any";
    }
}

static bool type_fits(const struct st_type *t, const json_t *v)
{
    switch (t->kind) {
    case ST_ANY:
        return true;
    case ST_STRING:
    case ST_DURATION:
        return json_is_string(v);
    case ST_INTEGER:
        return json_is_number(v) && json_number_value(v) == floor(json_number_value(v));
    case ST_NUMBER:
        return json_is_number(v);
    case ST_BOOLEAN:
        return json_is_boolean(v);
    case ST_ARRAY:
        return json_is_array(v);
    default:
        return json_is_object(v);
    }
}

/* KrakenD's timeunits: ^[0-9]+(ns|ms|us|µs|s|m|h)$ */
static bool is_duration(const char *s)
{
    static const char *const units[] = {"ns", "ms", "us", "\xc2\xb5s", "s", "m", "h"};
    const char *p = s;

    while (*p >= '0' && *p <= '9')
        p++;
    if (p == s)
        return false;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(p, units[i]) == 0)
            return true;
    }
    return false;
}

static void fmt_num(double d, char *out, size_t sz)
{
    if (d == floor(d) && fabs(d) < 1e15)
        snprintf(out, sz, "%.0f", d);
    else
        snprintf(out, sz, "%.15g", d);
}

static bool enum_has(const struct st_key *k, const json_t *v)
{
    for (size_t i = 0; i < k->nenums; i++) {
        if (json_is_string(v) && strcmp(json_string_value(v), k->enums[i]) == 0)
            return true;
        if (json_is_number(v) && strtod(k->enums[i], NULL) == json_number_value(v))
            return true;
    }
    return false;
}

static void check_enum(struct lint *L, const struct st_key *k, const json_t *v, const char *ptr,
                       const char *dotted)
{
    char list[320];
    size_t w = 0;

    if (!k->nenums || enum_has(k, v))
        return;
    if (k->nenums == 1) {
        issue(L, ptr, dotted, "value must be %s%s%s", json_is_string(v) ? "'" : "", k->enums[0],
              json_is_string(v) ? "'" : "");
        return;
    }
    list[0] = '\0';
    for (size_t i = 0; i < k->nenums && w < sizeof(list); i++) {
        int n = snprintf(list + w, sizeof(list) - w, "%s'%s'", i ? ", " : "", k->enums[i]);
        if (n < 0)
            break;
        w += (size_t)n;
    }
    {
        /* a value that differs from an allowed one by case or a letter: say which */
        const char *hint = json_is_string(v)
                               ? cmn_suggest(json_string_value(v), k->enums, k->nenums)
                               : NULL;
        issue(L, ptr, dotted, "value must be one of %s%s%s%s", list, hint ? "; did you mean '" : "",
              hint ? hint : "", hint ? "'?" : "");
    }
}

static void check_bounds(struct lint *L, const struct st_key *k, const json_t *v, const char *ptr,
                         const char *dotted)
{
    char got[40], want[40];
    double d;

    if (!json_is_number(v))
        return;
    d = json_number_value(v);
    fmt_num(d, got, sizeof(got));
    if (k->has_min && d < k->min) {
        fmt_num(k->min, want, sizeof(want));
        issue(L, ptr, dotted, "minimum: got %s, want %s", got, want);
    }
    if (k->has_max && d > k->max) {
        fmt_num(k->max, want, sizeof(want));
        issue(L, ptr, dotted, "maximum: got %s, want %s", got, want);
    }
}

static void check_type(struct lint *L, const json_t *v, const struct st_type *t, const char *ptr,
                       const char *dotted, int depth);

/* A member's value against its key: the first alternative whose JSON type fits. */
static void check_key(struct lint *L, const json_t *v, const struct st_key *k, const char *ptr,
                      const char *dotted, int depth)
{
    const struct st_type *fit = NULL;

    for (size_t i = 0; i < k->ntypes && !fit; i++) {
        if (type_fits(k->types[i], v))
            fit = k->types[i];
    }
    if (!fit) {
        char want[160];
        size_t w = 0;
        want[0] = '\0';
        for (size_t i = 0; i < k->ntypes && w < sizeof(want); i++) {
            int n = snprintf(want + w, sizeof(want) - w, "%s%s", i ? " or " : "",
                             type_word(k->types[i]));
            if (n < 0)
                break;
            w += (size_t)n;
        }
        issue(L, ptr, dotted, "got %s, want %s", kind_of(v), want);
        return;
    }
    check_enum(L, k, v, ptr, dotted);
    check_bounds(L, k, v, ptr, dotted);
    if (k->min_items >= 0 && json_is_array(v) && (long)json_array_size(v) < k->min_items)
        issue(L, ptr, dotted, "minItems: got %zu, want %ld", json_array_size(v), k->min_items);
    check_type(L, v, fit, ptr, dotted, depth);
}

static void unknown_key(struct lint *L, const struct st_obj *o, const char *k, const char *ptr,
                        const char *dotted)
{
    const struct st_key *key = gw_schema_key(o, k);
    const char **names;
    const char *hint;
    size_t n;

    if (key && key->renamed) {
        issue(L, ptr, dotted, "additional properties '%s' not allowed; KrakenD 2 calls it '%s'", k,
              key->renamed);
        return;
    }
    names = gw_schema_key_names(o, &n);
    hint = names ? cmn_suggest(k, names, n) : NULL;
    if (hint)
        issue(L, ptr, dotted, "additional properties '%s' not allowed; did you mean '%s'?", k,
              hint);
    else
        issue(L, ptr, dotted, "additional properties '%s' not allowed", k);
    free(names);
}

static void check_object(struct lint *L, const json_t *v, const struct st_obj *o, const char *ptr,
                         const char *dotted, int depth)
{
    char cp[PATH_MAX_LEN], cd[PATH_MAX_LEN];
    const char *k;
    json_t *m;

    if (o->min_props >= 0 && (long)json_object_size(v) < o->min_props)
        issue(L, ptr, dotted, "minProperties: got %zu, want %ld", json_object_size(v),
              o->min_props);
    if (o->max_props >= 0 && (long)json_object_size(v) > o->max_props)
        issue(L, ptr, dotted, "maxProperties: got %zu, want %ld", json_object_size(v),
              o->max_props);
    for (size_t i = 0; i < o->nkeys; i++) {
        if (o->keys[i].required && !json_object_get(v, o->keys[i].name))
            issue(L, ptr, dotted, "missing property '%s'", o->keys[i].name);
    }
    json_object_foreach((json_t *)(uintptr_t)v, k, m)
    {
        const struct st_key *key = gw_schema_key(o, k);
        child_key(cp, cd, ptr, dotted, k);
        if (gw_schema_is_comment_key(k))
            continue;
        if (key && !key->renamed)
            check_key(L, m, key, cp, cd, depth + 1);
        else if (!o->open)
            unknown_key(L, o, k, cp, cd);
    }
}

/* One member of an extra_config at level. */
static void check_namespace(struct lint *L, const char *k, const json_t *m, unsigned level,
                            const char *ptr, const char *dotted, int depth)
{
    const struct st_ns *ns = gw_schema_ns_at(L->s, k, level);
    char where[96];

    if (!ns) {
        const char *hint = gw_schema_suggest_namespace(L->s, k);
        const struct st_ns *h = hint ? gw_schema_ns_at(L->s, hint, level) : NULL;
        if (h)
            issue(L, ptr, dotted,
                  "additional properties '%s' not allowed; did you mean '%s'?%s", k, h->name,
                  h->security ? " (a security feature: as written it protects nothing)" : "");
        else
            issue(L, ptr, dotted, "additional properties '%s' not allowed: no such namespace", k);
        return;
    }
    if (!(ns->levels & level)) {
        gw_schema_levels_text(ns->levels, where, sizeof(where));
        issue(L, ptr, dotted,
              "additional properties '%s' not allowed in %s's extra_config; it belongs in the "
              "extra_config of %s",
              k, gw_schema_level_name(level), where);
        return;
    }
    if (strcmp(k, ns->name) != 0)
        issue(L, ptr, dotted,
              "additional properties '%s' not allowed; KrakenD's schema only knows its short "
              "name '%s' (run accepts both)",
              k, ns->name);
    if (ns->type && type_fits(ns->type, m))
        check_type(L, m, ns->type, ptr, dotted, depth + 1);
    else if (ns->type)
        issue(L, ptr, dotted, "got %s, want %s", kind_of(m), type_word(ns->type));
}

static void check_type(struct lint *L, const json_t *v, const struct st_type *t, const char *ptr,
                       const char *dotted, int depth)
{
    char cp[PATH_MAX_LEN], cd[PATH_MAX_LEN];
    const char *k;
    json_t *m;
    size_t i;

    if (depth > MAX_DEPTH || L->nomem)
        return;
    switch (t->kind) {
    case ST_DURATION:
        if (!is_duration(json_string_value(v)))
            issue(L, ptr, dotted, "'%.80s' does not match pattern '^[0-9]+(ns|ms|us|\xc2\xb5s|s|m|h)$'",
                  json_string_value(v));
        return;
    case ST_OBJECT:
        check_object(L, v, t->obj, ptr, dotted, depth);
        return;
    case ST_ARRAY:
        json_array_foreach(v, i, m)
        {
            child_idx(cp, cd, ptr, dotted, i);
            if (!type_fits(t->elem, m))
                issue(L, cp, cd, "got %s, want %s", kind_of(m), type_word(t->elem));
            else
                check_type(L, m, t->elem, cp, cd, depth + 1);
        }
        return;
    case ST_MAP:
        if (!t->elem)
            return;
        json_object_foreach((json_t *)(uintptr_t)v, k, m)
        {
            child_key(cp, cd, ptr, dotted, k);
            if (!type_fits(t->elem, m))
                issue(L, cp, cd, "got %s, want %s", kind_of(m), type_word(t->elem));
            else
                check_type(L, m, t->elem, cp, cd, depth + 1);
        }
        return;
    case ST_EXTRA:
        json_object_foreach((json_t *)(uintptr_t)v, k, m)
        {
            if (gw_schema_is_comment_key(k))
                continue;
            child_key(cp, cd, ptr, dotted, k);
            check_namespace(L, k, m, t->level, cp, cd, depth);
        }
        return;
    default:
        return;
    }
}

/* ---- lines: one scan of the text for every issue's path ---- */

struct line_fill {
    struct lint *L;
    size_t left;
};

static bool line_cb(const char *path, size_t path_len, int line, void *ud)
{
    struct line_fill *f = ud;

    for (size_t i = 0; i < f->L->rep->n; i++) {
        struct gw_lint_issue *it = &f->L->rep->items[i];
        if (it->line == 0 && strlen(f->L->dotted[i]) == path_len &&
            memcmp(f->L->dotted[i], path, path_len) == 0) {
            it->line = line;
            f->left--;
        }
    }
    return f->left == 0;
}

bool gw_schema_lint(const struct gw_schema *s, const char *text, size_t len,
                    struct gw_lint_report *rep, struct cmn_err *err)
{
    struct lint L = {s, rep, NULL, 0, false};
    const struct st_obj *svc = gw_schema_obj(s, "service");
    json_error_t je;
    json_t *root;

    memset(rep, 0, sizeof(*rep));
    cmn_err_clear(err);
    root = json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &je);
    if (!root) {
        cmn_err_set(err, 1, "invalid JSON at line %d, column %d: %s", je.line, je.column,
                    je.text);
        return false;
    }
    if (!json_is_object(root))
        issue(&L, "", "", "got %s, want object", kind_of(root));
    else
        check_object(&L, root, svc, "", "", 0);
    json_decref(root);
    if (!L.nomem && rep->n) {
        struct line_fill f = {&L, rep->n};
        cmn_json_scan_lines(text, len, line_cb, &f);
    }
    free(L.dotted);
    if (L.nomem) {
        gw_lint_report_free(rep);
        cmn_err_set(err, 2, "out of memory");
        return false;
    }
    return true;
}

void gw_lint_report_free(struct gw_lint_report *rep)
{
    if (!rep)
        return;
    free(rep->items);
    memset(rep, 0, sizeof(*rep));
}
