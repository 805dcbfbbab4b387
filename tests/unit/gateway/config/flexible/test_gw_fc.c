/* test_gw_fc.c - the flexible-configuration renderer (spec §1.1-§1.8): a whole template project
 * rendered and compared object for object with the hand-derived krakend.json, the settings
 * data model and its aggregated errors, include, sub-templates, FC_OUT (and no temporary file),
 * the error message of every stage and the excerpt showing where it is. */
#include "gw_fc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define SHOP GW_TEST_DATA "/flexible/shop"

static char tmpdir[256];

static const char *fake_env(void *ctx, const char *name)
{
    (void)ctx;
    if (strcmp(name, "SHOP_ENV") == 0)
        return "prod";
    return NULL;
}

static bool fake_random(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    memset(buf, 0x5a, n);
    return true;
}

static void shop_env(struct gw_fc_env *env)
{
    memset(env, 0, sizeof(*env));
    env->enable = "1";
    env->settings = SHOP "/settings";
    env->partials = SHOP "/partials";
    env->templates = SHOP "/templates";
    env->getenv = fake_env;
    env->random = fake_random;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    FILE *f;
    int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

    assert_true(n > 0 && (size_t)n < sizeof(path));
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_dir(const char *dir, const char *name, char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "%s/%s", dir, name);

    assert_true(n > 0 && (size_t)n < outsz);
    assert_int_equal(mkdir(out, 0700), 0);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;

    if (!d) {
        unlink(path);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        char sub[1024];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        remove_tree(sub);
    }
    closedir(d);
    rmdir(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/gw_fc_test_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmpdir);
    return 0;
}

/* Renders tmpl with env; returns the status (0 ok) and the text in *out (owned). */
static int render(const char *tmpl, const struct gw_fc_env *env, char **out,
                  struct gw_fc_result *res, struct cmn_err *err)
{
    struct cmn_buf b;
    bool ok;

    cmn_buf_init(&b, 1 << 24);
    ok = gw_fc_render(tmpl, env, &b, res, err);
    *out = strdup(b.data ? b.data : "");
    cmn_buf_free(&b);
    return ok ? 0 : err->code;
}

/* The shop project (tests/data/flexible/shop) against its hand-derived krakend.json. */
static void test_shop_project(void **state)
{
    struct gw_fc_env env;
    struct gw_fc_result res;
    struct cmn_err err;
    json_error_t je;
    json_t *got, *want;
    char *out;

    (void)state;
    shop_env(&env);
    assert_int_equal(render(SHOP "/krakend.tmpl", &env, &out, &res, &err), 0);
    got = json_loads(out, 0, &je);
    if (!got)
        fail_msg("rendered text is not JSON: %s (line %d)\n%s", je.text, je.line, out);
    want = json_load_file(SHOP "/expected.json", 0, &je);
    assert_non_null(want);
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_SORT_KEYS | JSON_INDENT(2));
        fail_msg("rendered configuration differs from expected.json:\n%s", g);
    }
    /* without FC_OUT nothing is written anywhere */
    assert_string_equal(res.path, "");
    assert_false(res.kept);
    assert_string_equal(res.excerpt, "");
    assert_int_equal(count_entries(tmpdir), 0);
    json_decref(got);
    json_decref(want);
    free(out);
}

/* FC_OUT gets the exact rendered bytes with mode 0600, replacing an older file. */
static void test_fc_out(void **state)
{
    struct gw_fc_env env;
    struct gw_fc_result res;
    struct cmn_err err;
    char path[512], missing[512], *out, buf[1 << 16];
    struct stat st;
    FILE *f;
    size_t n;

    (void)state;
    shop_env(&env);
    snprintf(path, sizeof(path), "%s/out.json", tmpdir);
    write_file(tmpdir, "out.json", "an older and much longer rendering that must be truncated");
    env.out = path;
    assert_int_equal(render(SHOP "/krakend.tmpl", &env, &out, &res, &err), 0);
    assert_string_equal(res.path, path);
    assert_true(res.kept);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, out);
    free(out);
    unlink(path);
    assert_int_equal(count_entries(tmpdir), 0);

    /* a missing parent directory fails the command, as in KrakenD, and leaves nothing */
    snprintf(missing, sizeof(missing), "%s/nope/out.json", tmpdir);
    env.out = missing;
    assert_int_equal(render(SHOP "/krakend.tmpl", &env, &out, &res, &err), GW_FC_IO);
    assert_non_null(strstr(err.msg, "failed to write FC_OUT "));
    assert_non_null(strstr(err.msg, ": open "));
    assert_non_null(strstr(err.msg, "/nope/out.json: no such file or directory"));
    assert_int_equal(count_entries(tmpdir), 0);
    free(out);

    /* an existing FC_OUT that was world-readable becomes 0600 too */
    write_file(tmpdir, "out.json", "old");
    assert_int_equal(chmod(path, 0644), 0);
    env.out = path;
    assert_int_equal(render(SHOP "/krakend.tmpl", &env, &out, &res, &err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    unlink(path);
    free(out);
}

/* Settings errors are collected and reported together, sorted by key (§1.2 step 1). */
static void test_settings_errors(void **state)
{
    struct gw_fc_env env;
    struct cmn_err err;
    char settings[512], sub[512], tmpl[512], *out;

    (void)state;
    make_dir(tmpdir, "settings", settings, sizeof(settings));
    write_file(settings, "good.json", "{\"a\": 1}");
    write_file(settings, "bad.json", "{\"a\": }");
    write_file(settings, "list.json", "[1]");
    make_dir(settings, "dir.json", sub, sizeof(sub));
    write_file(tmpdir, "k.tmpl", "{{ .good.a }}");
    snprintf(tmpl, sizeof(tmpl), "%s/k.tmpl", tmpdir);
    memset(&env, 0, sizeof(env));
    env.settings = settings;
    assert_int_equal(render(tmpl, &env, &out, NULL, &err), GW_FC_SETTINGS);
    assert_int_equal(strncmp(err.msg, "loading flexible-config settings:\n\t- bad.json: ", 47), 0);
    assert_non_null(strstr(err.msg, "\n\t- dir.json: read "));
    assert_non_null(strstr(err.msg, "dir.json: is a directory"));
    assert_non_null(strstr(err.msg, "\n\t- list.json: json: cannot unmarshal array into Go value "
                                    "of type map[string]interface {}"));
    assert_true(strstr(err.msg, "bad.json") < strstr(err.msg, "dir.json"));
    assert_true(strstr(err.msg, "dir.json") < strstr(err.msg, "list.json"));
    assert_string_equal(out, "");
    free(out);

    /* a missing directory, and a missing FC_TEMPLATES directory, are settings errors too */
    env.settings = "/nonexistent-settings";
    env.templates = "/nonexistent-templates";
    assert_int_equal(render(tmpl, &env, &out, NULL, &err), GW_FC_SETTINGS);
    assert_string_equal(err.msg, "loading flexible-config settings:\n"
                                 "\t- /nonexistent-settings: open /nonexistent-settings: no such "
                                 "file or directory\n"
                                 "\t- /nonexistent-templates: open /nonexistent-templates: no such "
                                 "file or directory");
    free(out);
    remove_tree(settings);
    unlink(tmpl);
    assert_int_equal(count_entries(tmpdir), 0);
}

/* The real template error is reported, with its stage, file, line and column: never the raw
 * file's JSON error (§1.9). */
static void test_template_errors(void **state)
{
    struct gw_fc_env env;
    struct gw_fc_result res;
    struct cmn_err err;
    char tmpl[512], templates[512], *out;

    (void)state;
    memset(&env, 0, sizeof(env));
    snprintf(tmpl, sizeof(tmpl), "%s/krakend.tmpl", tmpdir);

    write_file(tmpdir, "krakend.tmpl", "{\n  \"a\": {{ toYaml . }}\n}");
    assert_int_equal(render(tmpl, &env, &out, &res, &err), GW_FC_PARSE);
    assert_string_equal(err.msg, "Unable to parse configuration file: template: krakend.tmpl:2:10: "
                                 "function \"toYaml\" not defined");
    /* the line, with the caret under Go's column (a byte offset from 0) */
    assert_string_equal(res.excerpt, "    krakend.tmpl:2:10\n"
                                     "       2 |   \"a\": {{ toYaml . }}\n"
                                     "         |           ^");
    free(out);

    /* a template that happens to be valid JSON still reports its error */
    write_file(tmpdir, "krakend.tmpl", "{\"host\": \"{{ env \"X\" }\"}");
    assert_int_equal(render(tmpl, &env, &out, NULL, &err), GW_FC_PARSE);
    assert_non_null(
        strstr(err.msg, "Unable to parse configuration file: template: krakend.tmpl:1:"));
    free(out);

    write_file(tmpdir, "krakend.tmpl", "{\n  \"endpoints\": [{{ template \"nope.tmpl\" . }}]\n}");
    assert_int_equal(render(tmpl, &env, &out, NULL, &err), GW_FC_EXEC);
    assert_string_equal(err.msg,
                        "Found error while executing template: template: krakend.tmpl:2:28: "
                        "executing \"krakend.tmpl\" at <{{template \"nope.tmpl\" .}}>: "
                        "template \"nope.tmpl\" not defined");
    free(out);
    /* an execution error in a sub-template shows that file's line, tabs kept for the caret */
    {
        char tdir[512];
        make_dir(tmpdir, "templates", tdir, sizeof(tdir));
        write_file(tdir, "ep.tmpl", "{\n\t\"x\": {{ .a.b }}\n}");
        write_file(tmpdir, "krakend.tmpl", "{{ template \"ep.tmpl\" dict \"a\" 1 }}");
        env.templates = tdir;
        assert_int_equal(render(tmpl, &env, &out, &res, &err), GW_FC_EXEC);
        assert_non_null(strstr(err.msg, "template: ep.tmpl:2:11: executing \"ep.tmpl\""));
        assert_string_equal(res.excerpt, "    ep.tmpl:2:11\n"
                                         "       2 | \t\"x\": {{ .a.b }}\n"
                                         "         | \t          ^");
        env.templates = NULL;
        unlink(tmpl);
        free(out);
        remove_tree(tdir);
    }

    write_file(tmpdir, "krakend.tmpl", "{{ if eq .s.port 8080 }}{{ end }}");
    {
        char settings[512];
        make_dir(tmpdir, "settings", settings, sizeof(settings));
        write_file(settings, "s.json", "{\"port\": 8080}");
        env.settings = settings;
        assert_int_equal(render(tmpl, &env, &out, NULL, &err), GW_FC_EXEC);
        assert_non_null(strstr(err.msg, "error calling eq: incompatible types for comparison: "
                                        "float64 and int"));
        free(out);
        env.settings = NULL;
        remove_tree(settings);
    }

    assert_int_equal(render("/nonexistent/krakend.tmpl", &env, &out, NULL, &err), GW_FC_PARSE);
    assert_string_equal(err.msg, "Unable to parse configuration file: open "
                                 "/nonexistent/krakend.tmpl: no such file or directory");
    free(out);

    make_dir(tmpdir, "templates", templates, sizeof(templates));
    write_file(templates, "good.tmpl", "{{ define \"x\" }}X{{ end }}");
    write_file(templates, "zbad.tmpl", "line 1\n{{ if }}");
    write_file(tmpdir, "krakend.tmpl", "{{ template \"x\" }}");
    env.templates = templates;
    assert_int_equal(render(tmpl, &env, &out, NULL, &err), GW_FC_SUBTEMPLATES);
    assert_string_equal(
        err.msg, "Error parsing sub-templates: template: zbad.tmpl:2:6: missing value for if");
    free(out);
    unlink(tmpl);
    remove_tree(templates);
    assert_int_equal(count_entries(tmpdir), 0);
}

/* Sub-templates: named by base name, defines visible to all, a file named like the base
 * template replaces it (§1.2 step 4, §1.4). */
static void test_sub_templates(void **state)
{
    struct gw_fc_env env;
    struct cmn_err err;
    char tmpl[512], templates[512], *out;

    (void)state;
    memset(&env, 0, sizeof(env));
    make_dir(tmpdir, "templates", templates, sizeof(templates));
    write_file(templates, "a.tmpl", "A{{ template \"b\" . }}");
    write_file(templates, "b.tmpl", "{{ define \"b\" }}B{{ . }}{{ end }}");
    write_file(templates, "c.txt", "{{ broken");
    write_file(tmpdir, "krakend.tmpl", "[{{ template \"a.tmpl\" 7 }}][{{ template \"b.tmpl\" }}]");
    snprintf(tmpl, sizeof(tmpl), "%s/krakend.tmpl", tmpdir);
    env.templates = templates;
    assert_int_equal(render(tmpl, &env, &out, NULL, &err), 0);
    assert_string_equal(out, "[AB7][]");
    free(out);

    write_file(templates, "krakend.tmpl", "replaced");
    assert_int_equal(render(tmpl, &env, &out, NULL, &err), 0);
    assert_string_equal(out, "replaced");
    free(out);
    unlink(tmpl);
    remove_tree(templates);
}

/* include: FC_PARTIALS joined as Go's path.Join, content verbatim, unreadable gives "". */
static void test_include(void **state)
{
    struct gw_fc_env env;
    struct cmn_err err;
    char tmpl[512], partials[512], sub[512], abs[700], text[1400], *out;

    (void)state;
    memset(&env, 0, sizeof(env));
    make_dir(tmpdir, "partials", partials, sizeof(partials));
    make_dir(partials, "sub", sub, sizeof(sub));
    write_file(partials, "p.json", "{{ .not.rendered }}");
    write_file(sub, "q.json", "Q");
    write_file(tmpdir, "outside.json", "O");
    snprintf(abs, sizeof(abs), "%s/outside.json", tmpdir);
    snprintf(text, sizeof(text),
             "[{{ include \"p.json\" }}][{{ include \"sub/../sub/q.json\" }}]"
             "[{{ include \"../outside.json\" }}][{{ include \"/sub/q.json\" }}]"
             "[{{ include \"missing.json\" }}][{{ include \"sub\" }}][{{ include \"\" }}]");
    write_file(tmpdir, "krakend.tmpl", text);
    snprintf(tmpl, sizeof(tmpl), "%s/krakend.tmpl", tmpdir);
    env.partials = partials;
    assert_int_equal(render(tmpl, &env, &out, NULL, &err), 0);
    assert_string_equal(out, "[{{ .not.rendered }}][Q][O][Q][][][]");
    free(out);

    /* without FC_PARTIALS the name is used as given */
    snprintf(text, sizeof(text), "[{{ include \"%s\" }}]", abs);
    write_file(tmpdir, "krakend.tmpl", text);
    env.partials = NULL;
    assert_int_equal(render(tmpl, &env, &out, NULL, &err), 0);
    assert_string_equal(out, "[O]");
    free(out);
    unlink(tmpl);
    unlink(abs);
    remove_tree(partials);
}

/* The core without files: settings decoding, Go's path.Join, FC_ENABLE. */
static void test_core(void **state)
{
    struct gw_fc_project *p = gw_fc_project_new(NULL);
    struct cmn_err err;
    struct cmn_buf b;
    char out[256];
    const char *t = "{{.a.x}}|{{.b}}|{{.c.n}}|{{marshal .c}}|{{index . \"\"}}|{{.d.k}}";

    (void)state;
    gw_fc_add_settings(p, "a.json", "{\"x\": 1, \"x\": 2}", 16);
    gw_fc_add_settings(p, "b.json", "null", 4);
    gw_fc_add_settings(p, "c.json", "{\"n\": 1000000}", 14);
    gw_fc_add_settings(p, ".json", "{\"e\": true}", 11);
    gw_fc_add_settings(p, "d.json", "{\"k\": \"\\u0000x\"}", 16);
    assert_true(gw_fc_check_settings(p, &err));
    assert_true(gw_fc_parse_base(p, "k.tmpl", t, strlen(t), &err));
    cmn_buf_init(&b, 4096);
    assert_true(gw_fc_execute(p, "k.tmpl", NULL, &b, &err));
    {
        static const char want[] = "2|map[]|1e+06|{\"n\":1000000}|map[e:true]|\0x";
        assert_int_equal(b.len, sizeof(want) - 1);
        assert_memory_equal(b.data, want, sizeof(want) - 1);
    }
    cmn_buf_free(&b);
    gw_fc_add_settings(p, "e.json", "{} x", 4);
    gw_fc_add_settings(p, "f.json", "\"s\"", 3);
    assert_false(gw_fc_check_settings(p, &err));
    assert_int_equal(err.code, GW_FC_SETTINGS);
    assert_non_null(strstr(err.msg, "\t- f.json: json: cannot unmarshal string into Go value"));
    gw_fc_project_destroy(p);

    assert_true(gw_fc_path_join("p", "x.json", 6, out, sizeof(out)));
    assert_string_equal(out, "p/x.json");
    assert_true(gw_fc_path_join("p/", "/x.json", 7, out, sizeof(out)));
    assert_string_equal(out, "p/x.json");
    assert_true(gw_fc_path_join("p", "../../x", 7, out, sizeof(out)));
    assert_string_equal(out, "../x");
    assert_true(gw_fc_path_join("/p", "../../x", 7, out, sizeof(out)));
    assert_string_equal(out, "/x");
    assert_true(gw_fc_path_join("", "a//b/./c", 8, out, sizeof(out)));
    assert_string_equal(out, "a/b/c");
    assert_true(gw_fc_path_join(NULL, "", 0, out, sizeof(out)));
    assert_string_equal(out, "");
    assert_true(gw_fc_path_join("p", "", 0, out, sizeof(out)));
    assert_string_equal(out, "p");
    assert_false(gw_fc_path_join("p", "abcdefgh", 8, out, 6));

    {
        struct gw_fc_env env = {0};
        assert_false(gw_fc_enabled(&env));
        env.enable = "";
        assert_false(gw_fc_enabled(&env));
        env.enable = "0";
        assert_true(gw_fc_enabled(&env));
        env.enable = "false";
        assert_true(gw_fc_enabled(&env));
        assert_false(gw_fc_enabled(NULL));
    }
}

static const char *lookup(void *ctx, const char *name)
{
    (void)ctx;
    if (strcmp(name, "FC_ENABLE") == 0)
        return "1";
    if (strcmp(name, "FC_OUT") == 0)
        return "/x/out.json";
    return NULL;
}

static void test_env_from_lookup(void **state)
{
    struct gw_fc_env env;

    (void)state;
    gw_fc_env_from_lookup(&env, lookup, NULL);
    assert_string_equal(env.enable, "1");
    assert_string_equal(env.out, "/x/out.json");
    assert_null(env.settings);
    assert_null(env.partials);
    assert_null(env.templates);
    assert_ptr_equal(env.getenv, lookup);
    assert_null(env.random);
    assert_true(gw_fc_enabled(&env));
}

/* Caps of the front end: a file over 16 MiB is refused with its name. */
static void test_file_caps(void **state)
{
    struct gw_fc_env env;
    struct cmn_err err;
    char tmpl[512], *out;
    int fd;

    (void)state;
    memset(&env, 0, sizeof(env));
    snprintf(tmpl, sizeof(tmpl), "%s/huge.tmpl", tmpdir);
    fd = open(tmpl, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 17 * 1024 * 1024), 0);
    close(fd);
    assert_int_equal(render(tmpl, &env, &out, NULL, &err), GW_FC_LIMIT);
    assert_non_null(strstr(err.msg, "huge.tmpl: file larger than 16777216 bytes"));
    free(out);
    unlink(tmpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shop_project),
        cmocka_unit_test(test_fc_out),
        cmocka_unit_test(test_settings_errors),
        cmocka_unit_test(test_template_errors),
        cmocka_unit_test(test_sub_templates),
        cmocka_unit_test(test_include),
        cmocka_unit_test(test_core),
        cmocka_unit_test(test_env_from_lookup),
        cmocka_unit_test(test_file_caps),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
