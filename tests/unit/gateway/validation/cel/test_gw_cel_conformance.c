/* test_gw_cel_conformance.c - runs the cel-spec "simple" conformance files (read at run time from
 * ../shared/vectors/cel-spec through tu_shared.h; skipped where the material is absent) through
 * gw_cel and asserts that every selected test passes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_textproto.h"
#include "gw_cel_int.h"
#include "tu_shared.h"

#define VECTORS "vectors/cel-spec"

/* Files run in full (tests needing protobuf messages are skipped one by one, with a reason). */
static const char *const FILES[] = {
    "basic", "comparisons", "conversions", "fields",   "fp_math", "integer_math", "lists",
    "logic", "macros",      "parse",       "plumbing", "string",  "timestamps",
};

/* Files left out, and why. */
static const struct {
    const char *file, *why;
} LEFT_OUT[] = {
    {"dynamic", "google.protobuf wrapper/Struct/Any messages: KrakenD never exposes protobuf"},
    {"macros2", "two-variable comprehensions are a cel-go extension KrakenD does not enable"},
    {"string_ext", "the strings extension (lowerAscii, split, format...) is not in KrakenD's env"},
};

/* cel-go keeps behaviour the spec files reject; we follow cel-go (KrakenD runs cel-go). */
static const struct {
    const char *test, *why;
} AS_CEL_GO[] = {
    {"timestamps/duration_converters/get_milliseconds",
     "needs a protobuf Duration binding; getMilliseconds() is Go's total milliseconds anyway"},
};

struct counts {
    int pass, fail, skip;
};

struct run {
    struct cmn_go_tzdb *tzdb;
    struct gw_cel_arena *arena;
    char skip_why[200];
};

/* ---- expected values ------------------------------------------------------------------------ */

static bool parse_double(const char *s, double *d)
{
    if (strcmp(s, "inf") == 0 || strcmp(s, "Infinity") == 0) {
        *d = INFINITY;
        return true;
    }
    if (strcmp(s, "-inf") == 0 || strcmp(s, "-Infinity") == 0) {
        *d = -INFINITY;
        return true;
    }
    if (strcmp(s, "nan") == 0 || strcmp(s, "NaN") == 0) {
        *d = NAN;
        return true;
    }
    *d = strtod(s, NULL);
    return true;
}

static int type_by_name(const char *s, struct gw_cel_val *out)
{
    static const char *const NAMES[] = {"null_type",
                                        "bool",
                                        "int",
                                        "uint",
                                        "double",
                                        "string",
                                        "bytes",
                                        "list",
                                        "map",
                                        "google.protobuf.Timestamp",
                                        "google.protobuf.Duration",
                                        "type"};
    for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++) {
        if (strcmp(NAMES[i], s) == 0) {
            struct gw_cel_env *env = gw_cel_env_new(NULL);
            struct gw_cel_program *p = NULL;
            struct gw_cel_activation *act;
            struct gw_cel_arena *a = gw_cel_arena_new(0);
            int rc = -1;
            if (gw_cel_compile(env, s, strlen(s), 0, &p, NULL) == GW_CEL_OK &&
                (act = gw_cel_activation_new(a, env)) != NULL) {
                *out = gw_cel_eval(p, act);
                rc = out->kind == GW_CEL_TYPE ? 0 : -1;
            }
            gw_cel_program_destroy(p);
            gw_cel_arena_destroy(a);
            gw_cel_env_destroy(env);
            return rc;
        }
    }
    return -1;
}

/* A cel.expr.Value message as a gw_cel value (in the run's arena). -1 when unsupported. */
static int to_val(struct run *r, const struct tp_node *v, struct gw_cel_val *out)
{
    const struct tp_node *f;
    double d;

    if (!v || !v->is_msg || v->n == 0)
        return -1;
    f = v->kids[0];
    if (strcmp(f->name, "null_value") == 0) {
        *out = gw_cel_null();
    } else if (strcmp(f->name, "bool_value") == 0) {
        *out = gw_cel_bool(strcmp(f->text, "true") == 0);
    } else if (strcmp(f->name, "int64_value") == 0) {
        *out = gw_cel_int(strtoll(f->text, NULL, 10));
    } else if (strcmp(f->name, "uint64_value") == 0) {
        *out = gw_cel_uint(strtoull(f->text, NULL, 10));
    } else if (strcmp(f->name, "double_value") == 0) {
        parse_double(f->text, &d);
        *out = gw_cel_double(d);
    } else if (strcmp(f->name, "string_value") == 0) {
        *out = gw_cel_string(f->text, f->len);
    } else if (strcmp(f->name, "bytes_value") == 0) {
        *out = gw_cel_bytes(f->text, f->len);
    } else if (strcmp(f->name, "type_value") == 0) {
        return type_by_name(f->text, out);
    } else if (strcmp(f->name, "list_value") == 0) {
        struct gw_cel_val items[128];
        size_t n = 0;
        for (size_t i = 0; i < f->n && n < 128; i++)
            if (strcmp(f->kids[i]->name, "values") == 0 && to_val(r, f->kids[i], &items[n++]))
                return -1;
        return gw_cel_list_new(r->arena, items, n, out);
    } else if (strcmp(f->name, "map_value") == 0) {
        struct gw_cel_val keys[128], vals[128];
        size_t n = 0;
        for (size_t i = 0; i < f->n && n < 128; i++) {
            const struct tp_node *e = f->kids[i];
            if (strcmp(e->name, "entries") != 0)
                continue;
            if (to_val(r, tp_get(e, "key"), &keys[n]) || to_val(r, tp_get(e, "value"), &vals[n]))
                return -1;
            n++;
        }
        return gw_cel_map_new(r->arena, keys, vals, n, out);
    } else {
        return -1; /* object_value, enum_value: protobuf */
    }
    return 0;
}

/* Strict comparison of results: same kinds (no numeric cross-equality), doubles bit-for-bit
 * apart from NaN, maps order-insensitively. */
static bool same(struct run *r, const struct gw_cel_val *x, const struct gw_cel_val *y, int d)
{
    char bx[256], by[256];

    if (x->kind != y->kind || d > 64)
        return false;
    switch (x->kind) {
    case GW_CEL_DOUBLE:
        return (isnan(x->v.d) && isnan(y->v.d)) ||
               (x->v.d == y->v.d && signbit(x->v.d) == signbit(y->v.d));
    case GW_CEL_STRING:
    case GW_CEL_BYTES:
        return x->n == y->n && memcmp(x->v.s, y->v.s, x->n) == 0;
    case GW_CEL_LIST:
        if (cel_len(x) != cel_len(y))
            return false;
        for (size_t i = 0; i < cel_len(x); i++) {
            struct gw_cel_val a = cel_list_at(r->arena, x, i), b = cel_list_at(r->arena, y, i);
            if (!same(r, &a, &b, d + 1))
                return false;
        }
        return true;
    case GW_CEL_MAP: {
        struct gw_cel_val kx, vx, ky, vy;
        void *ix = NULL;
        if (cel_len(x) != cel_len(y))
            return false;
        while (cel_map_next(r->arena, x, &ix, &kx, &vx)) {
            void *iy = NULL;
            bool found = false;
            while (!found && cel_map_next(r->arena, y, &iy, &ky, &vy))
                found = same(r, &kx, &ky, d + 1) && same(r, &vx, &vy, d + 1);
            if (!found)
                return false;
        }
        return true;
    }
    default:
        gw_cel_format(x, bx, sizeof(bx));
        gw_cel_format(y, by, sizeof(by));
        return strcmp(bx, by) == 0;
    }
}

/* ---- one test ------------------------------------------------------------------------------- */

/* A cel.expr.Type as a declaration spec; false when it needs protobuf. */
static bool type_spec(const struct tp_node *t, char *out, size_t n)
{
    static const struct {
        const char *pb, *cel;
    } PRIMS[] = {{"BOOL", "bool"},     {"INT64", "int"},     {"UINT64", "uint"},
                 {"DOUBLE", "double"}, {"STRING", "string"}, {"BYTES", "bytes"}};
    const struct tp_node *f = t && t->n ? t->kids[0] : NULL;
    char a[128], b[128];

    if (!f)
        return false;
    if (strcmp(f->name, "primitive") == 0) {
        for (size_t i = 0; i < 6; i++)
            if (strcmp(f->text, PRIMS[i].pb) == 0)
                return snprintf(out, n, "%s", PRIMS[i].cel) > 0;
        return false;
    }
    if (strcmp(f->name, "null") == 0)
        return snprintf(out, n, "null_type") > 0;
    if (strcmp(f->name, "dyn") == 0)
        return snprintf(out, n, "dyn") > 0;
    if (strcmp(f->name, "list_type") == 0)
        return type_spec(tp_get(f, "elem_type"), a, sizeof(a)) &&
               snprintf(out, n, "list(%s)", a) > 0;
    if (strcmp(f->name, "map_type") == 0)
        return type_spec(tp_get(f, "key_type"), a, sizeof(a)) &&
               type_spec(tp_get(f, "value_type"), b, sizeof(b)) &&
               snprintf(out, n, "map(%s, %s)", a, b) > 0;
    return false;
}

static bool declare_all(struct run *r, const struct tp_node *test, struct gw_cel_env *env)
{
    char spec[300];

    for (size_t i = 0; i < test->n; i++) {
        const struct tp_node *te = test->kids[i];
        if (strcmp(te->name, "type_env") != 0)
            continue;
        const struct tp_node *ident = tp_get(te, "ident");
        if (!ident || !type_spec(tp_get(ident, "type"), spec, sizeof(spec))) {
            snprintf(r->skip_why, sizeof(r->skip_why), "declaration needs protobuf types");
            return false;
        }
        gw_cel_env_declare(env, tp_text(te, "name", ""), spec, NULL);
    }
    for (size_t i = 0; i < test->n; i++) { /* bindings without a declaration: dyn */
        const struct tp_node *b = test->kids[i];
        if (strcmp(b->name, "bindings") == 0)
            gw_cel_env_declare(env, tp_text(b, "key", ""), "dyn", NULL);
    }
    return true;
}

static bool bind_all(struct run *r, const struct tp_node *test, struct gw_cel_activation *act)
{
    for (size_t i = 0; i < test->n; i++) {
        const struct tp_node *b = test->kids[i];
        struct gw_cel_val v;
        if (strcmp(b->name, "bindings") != 0)
            continue;
        if (to_val(r, tp_get(tp_get(b, "value"), "value"), &v) != 0) {
            snprintf(r->skip_why, sizeof(r->skip_why), "binding needs protobuf values");
            return false;
        }
        gw_cel_activation_set_name(act, tp_text(b, "key", ""), v);
    }
    return true;
}

/* 1 pass, 0 fail, -1 skipped (reason in r->skip_why). */
static int run_one(struct run *r, const char *id, const struct tp_node *test)
{
    struct gw_cel_options opt = {.backtick_idents = true, .tzdb = r->tzdb};
    struct gw_cel_env *env = gw_cel_env_new(&opt);
    const struct tp_node *expr = tp_get(test, "expr"), *want = tp_get(test, "value");
    bool no_check = strcmp(tp_text(test, "disable_check", "false"), "true") == 0;
    struct gw_cel_program *p = NULL;
    struct gw_cel_diag diag;
    struct gw_cel_activation *act;
    struct gw_cel_val got, exp;
    enum gw_cel_status st;
    char g[512], e[512];
    int rc = -1;

    r->skip_why[0] = '\0';
    gw_cel_arena_reset(r->arena);
    for (size_t i = 0; i < sizeof(AS_CEL_GO) / sizeof(AS_CEL_GO[0]); i++)
        if (strcmp(AS_CEL_GO[i].test, id) == 0)
            snprintf(r->skip_why, sizeof(r->skip_why), "%s", AS_CEL_GO[i].why);
    if (r->skip_why[0] || tp_get(test, "container") || tp_contains(test, "object_value") ||
        !declare_all(r, test, env) || !expr)
        goto out;
    if (!want && !tp_get(test, "eval_error")) {
        snprintf(r->skip_why, sizeof(r->skip_why), "expects an unknown or typed result");
        goto out;
    }
    st = gw_cel_compile(env, expr->text, expr->len, no_check ? GW_CEL_NO_CHECK : 0, &p, &diag);
    if (st == GW_CEL_ERR_UNSUPPORTED) {
        snprintf(r->skip_why, sizeof(r->skip_why), "protobuf message literal");
        goto out;
    }
    rc = 0;
    if (st != GW_CEL_OK) {
        print_message("FAIL %s: compile %u:%u: %s\n", id, diag.line, diag.column, diag.msg);
        goto out;
    }
    act = gw_cel_activation_new(r->arena, env);
    if (!act || !bind_all(r, test, act)) {
        rc = -1;
        goto out;
    }
    got = gw_cel_eval(p, act);
    gw_cel_format(&got, g, sizeof(g));
    if (!want) {
        rc = got.kind == GW_CEL_ERROR;
        if (!rc)
            print_message("FAIL %s: want an error, got %s\n", id, g);
    } else if (to_val(r, want, &exp) != 0) {
        rc = -1;
        snprintf(r->skip_why, sizeof(r->skip_why), "expected value needs protobuf");
    } else {
        rc = same(r, &got, &exp, 0);
        gw_cel_format(&exp, e, sizeof(e));
        if (!rc)
            print_message("FAIL %s: want %s, got %s (kind %d)\n", id, e, g, got.kind);
    }
out:
    gw_cel_program_destroy(p);
    gw_cel_env_destroy(env);
    if (rc < 0 && !r->skip_why[0])
        snprintf(r->skip_why, sizeof(r->skip_why), "needs protobuf messages");
    return rc;
}

static struct counts run_file(struct run *r, const char *file)
{
    char path[512], err[256], id[300];
    struct counts c = {0, 0, 0};
    size_t len;
    char *text;
    struct tp_node *root;

    snprintf(path, sizeof(path), "%s/%s.textproto", VECTORS, file);
    text = tu_shared_read(path, &len);
    assert_non_null(text);
    root = tp_parse(text, len, err, sizeof(err));
    if (!root)
        print_message("%s: %s\n", path, err);
    assert_non_null(root);
    for (size_t s = 0; s < root->n; s++) {
        const struct tp_node *sec = root->kids[s];
        if (strcmp(sec->name, "section") != 0)
            continue;
        for (size_t t = 0; t < sec->n; t++) {
            const struct tp_node *test = sec->kids[t];
            if (strcmp(test->name, "test") != 0)
                continue;
            snprintf(id, sizeof(id), "%s/%s/%s", file, tp_text(sec, "name", "?"),
                     tp_text(test, "name", "?"));
            int rc = run_one(r, id, test);
            if (rc > 0)
                c.pass++;
            else if (rc == 0)
                c.fail++;
            else {
                c.skip++;
                print_message("  skip %s: %s\n", id, r->skip_why);
            }
        }
    }
    tp_free(root);
    free(text);
    return c;
}

static void conformance(void **state)
{
    struct run r;
    int fails = 0, passes = 0, skips = 0;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.tzdb = cmn_go_tzdb_new_system(NULL);
    r.arena = gw_cel_arena_new(0);
    assert_non_null(r.arena);
    for (size_t i = 0; i < sizeof(FILES) / sizeof(FILES[0]); i++) {
        struct counts c = run_file(&r, FILES[i]);
        print_message("%-13s pass %4d  fail %3d  skipped %3d\n", FILES[i], c.pass, c.fail, c.skip);
        passes += c.pass;
        fails += c.fail;
        skips += c.skip;
    }
    print_message("%-13s pass %4d  fail %3d  skipped %3d\n", "total", passes, fails, skips);
    for (size_t i = 0; i < sizeof(LEFT_OUT) / sizeof(LEFT_OUT[0]); i++)
        print_message("left out %s.textproto: %s\n", LEFT_OUT[i].file, LEFT_OUT[i].why);
    gw_cel_arena_destroy(r.arena);
    cmn_go_tzdb_destroy(r.tzdb);
    assert_int_equal(fails, 0);
    assert_true(passes > 900);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(conformance),
    };
    return tu_run(argc, argv, NULL, 0, shared, TU_COUNT(shared));
}
