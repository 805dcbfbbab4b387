/* test_gw_jsonschema_suite.c - the official JSON-Schema-Test-Suite, read at run time from
 * ../shared/vectors (tu_shared.h; skipped where the material is absent): every required test of
 * drafts 4, 6, 7, 2019-09 and 2020-12 must pass; the optional ones are printed as a table (file,
 * passed/total). remotes/ is served from local files. */
#include "gw_jsonschema_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <cmocka.h>

#include "tu_file.h"
#include "tu_shared.h"

#define SUITE_REL "vectors/json-schema-test-suite"
#define REMOTE_PREFIX "http://localhost:1234/"
#define MAX_FILES 128

struct tally {
    unsigned passed, total;
    unsigned shown; /* failures printed */
};

/* The suite's directory (tu_run has checked that the material exists). */
static const char *suite_dir(void)
{
    static char dir[512];

    if (!dir[0])
        assert_non_null(tu_shared_path(SUITE_REL, dir, sizeof(dir)));
    return dir;
}

/* The suite's remotes/ for http://localhost:1234/... (README: "Additional Assumptions"). */
static char *load_remote(void *ctx, const char *uri, size_t *len)
{
    char path[1024];

    (void)ctx;
    if (strncmp(uri, REMOTE_PREFIX, strlen(REMOTE_PREFIX)) || strstr(uri, ".."))
        return NULL;
    snprintf(path, sizeof(path), "%s/remotes/%s", suite_dir(), uri + strlen(REMOTE_PREFIX));
    return tu_read_file(path, len);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The *.json names in dir, sorted (owned; free each and the array). */
static size_t list_json(const char *dir, char **names)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0, len;

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL && n < MAX_FILES) {
        len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".json"))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_str);
    return n;
}

static int draft_number(const char *draft)
{
    if (!strcmp(draft, "draft4"))
        return 4;
    if (!strcmp(draft, "draft6"))
        return 6;
    if (!strcmp(draft, "draft7"))
        return 7;
    if (!strcmp(draft, "draft2019-09"))
        return 2019;
    return 2020;
}

/* Runs one file of cases; counts into t, prints failures (up to a few) with the reason. */
static void run_file(const char *path, const char *label, int draft, bool formats, struct tally *t,
                     bool print_failures)
{
    struct gw_jsonschema_arena a;
    struct gw_jsonschema_parse_limits lim = {64u << 20, 256, 10000000};
    struct gw_jsonschema_value *doc = NULL;
    struct gw_jsonschema_options opt;
    struct cmn_err err = {0};
    size_t len = 0;
    char *text = tu_read_file(path, &len);

    assert_non_null(text);
    gw_jsonschema_arena_init(&a, 256u << 20);
    assert_int_equal(gw_jsonschema_parse(&a, text, len, &lim, &doc, &err), GW_JSONSCHEMA_OK);
    assert_int_equal(doc->type, GW_JST_ARRAY);
    memset(&opt, 0, sizeof(opt));
    opt.default_draft = (enum gw_jsonschema_draft)draft;
    opt.assert_format = formats;
    opt.load = load_remote;
    for (uint32_t i = 0; i < doc->len; i++) {
        const struct gw_jsonschema_value *c = doc->items[i];
        const struct gw_jsonschema_value *tests = gw_jsonschema_getz(c, "tests");
        const struct gw_jsonschema_value *desc = gw_jsonschema_getz(c, "description");
        struct gw_jsonschema *s;

        memset(&err, 0, sizeof(err));
        s = gw_jsonschema_compile_value(gw_jsonschema_getz(c, "schema"), &opt, &err);
        for (uint32_t k = 0; k < tests->len; k++) {
            const struct gw_jsonschema_value *tc = tests->items[k];
            bool want = gw_jsonschema_getz(tc, "valid")->b, got = false;
            enum gw_jsonschema_status st = GW_JSONSCHEMA_SCHEMA;
            struct cmn_buf out;

            cmn_buf_init(&out, 1u << 16);
            if (s) {
                st = gw_jsonschema_validate_value(s, gw_jsonschema_getz(tc, "data"),
                                                  GW_JSONSCHEMA_ALL_ERRORS, &out);
                got = st == GW_JSONSCHEMA_OK;
            }
            t->total++;
            if (got == want && (st == GW_JSONSCHEMA_OK || st == GW_JSONSCHEMA_INVALID)) {
                t->passed++;
            } else if (print_failures && t->shown++ < 40) {
                printf("FAIL %s: %s / %s: want %s, got %s%s%s\n", label, desc->str,
                       gw_jsonschema_getz(tc, "description")->str, want ? "valid" : "invalid",
                       s ? (got ? "valid" : "invalid") : "compile error: ",
                       s ? (st == GW_JSONSCHEMA_LIMIT ? " (limit)" : "") : err.msg,
                       s && !got ? "" : "");
                if (s && !got && out.len)
                    printf("     %s\n", cmn_buf_str(&out));
            }
            cmn_buf_free(&out);
        }
        gw_jsonschema_destroy(s);
    }
    gw_jsonschema_arena_free(&a);
    free(text);
}

static void required(const char *draft)
{
    char dir[512], path[1024], label[256], *names[MAX_FILES];
    struct tally t = {0};
    size_t n;

    assert_true(snprintf(dir, sizeof(dir), "%s/tests/%s", suite_dir(), draft) < (int)sizeof(dir));
    n = list_json(dir, names);
    assert_true(n > 10);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        snprintf(label, sizeof(label), "%s/%s", draft, names[i]);
        run_file(path, label, draft_number(draft), false, &t, true);
        free(names[i]);
    }
    printf("%s required: %u/%u passed\n", draft, t.passed, t.total);
    assert_int_equal(t.passed, t.total);
}

static void optional_dir(const char *draft, const char *sub, bool formats, struct tally *all)
{
    char dir[512], path[1024], label[256], *names[MAX_FILES];
    size_t n;

    assert_true(snprintf(dir, sizeof(dir), "%s/tests/%s/%s", suite_dir(), draft, sub) <
                (int)sizeof(dir));
    n = list_json(dir, names);
    for (size_t i = 0; i < n; i++) {
        struct tally t = {0};
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        snprintf(label, sizeof(label), "%s/%s", sub, names[i]);
        run_file(path, label, draft_number(draft), formats, &t, getenv("GW_JSONSCHEMA_VERBOSE"));
        printf("| %s | %s | %u/%u |\n", draft, label, t.passed, t.total);
        all->passed += t.passed;
        all->total += t.total;
        free(names[i]);
    }
}

/* Optional tests are not required by the drafts: reported, and guarded against regressions by a
 * floor well under today's figure (see docs/json-schema.md). */
static void optional(const char *draft)
{
    struct tally all = {0};

    printf("| draft | optional file | passed/total |\n|---|---|---|\n");
    optional_dir(draft, "optional", false, &all);
    optional_dir(draft, "optional/format", true, &all);
    printf("%s optional: %u/%u passed\n", draft, all.passed, all.total);
    assert_true(all.total > 0);
    assert_true(all.passed * 10 >= all.total * 7);
}

static void test_draft4(void **state)
{
    (void)state;
    required("draft4");
}
static void test_draft6(void **state)
{
    (void)state;
    required("draft6");
}
static void test_draft7(void **state)
{
    (void)state;
    required("draft7");
}
static void test_draft2019(void **state)
{
    (void)state;
    required("draft2019-09");
}
static void test_draft2020(void **state)
{
    (void)state;
    required("draft2020-12");
}
static void test_optional4(void **state)
{
    (void)state;
    optional("draft4");
}
static void test_optional6(void **state)
{
    (void)state;
    optional("draft6");
}
static void test_optional7(void **state)
{
    (void)state;
    optional("draft7");
}
static void test_optional2019(void **state)
{
    (void)state;
    optional("draft2019-09");
}
static void test_optional2020(void **state)
{
    (void)state;
    optional("draft2020-12");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(test_draft4),       cmocka_unit_test(test_draft6),
        cmocka_unit_test(test_draft7),       cmocka_unit_test(test_draft2019),
        cmocka_unit_test(test_draft2020),    cmocka_unit_test(test_optional4),
        cmocka_unit_test(test_optional6),    cmocka_unit_test(test_optional7),
        cmocka_unit_test(test_optional2019), cmocka_unit_test(test_optional2020),
    };

    return tu_run(argc, argv, NULL, 0, shared, TU_COUNT(shared));
}
