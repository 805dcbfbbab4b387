/* test_gw_enc_yaml.c - `output_encoding: "yaml"` prints what goccy/go-yaml v1.19.2 prints for gin
 * (layout, quoting, literal blocks), CE's negotitate_plain, and libyaml reads it back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "gw_encoding.h"
#include "tu_shared.h"
#include "tu_file.h"

#define SPECS "conformance/krakend-ce/krakend-ce-specs/"

static struct gw_json *json(const char *s)
{
    struct cmn_err err = {0};
    struct gw_json *v = gw_json_parse(s, strlen(s), NULL, &err);

    if (!v)
        fail_msg("bad test JSON %s: %s", s, err.msg);
    return v;
}

static char *yaml_of(const struct gw_json *v, size_t cap, int *rc)
{
    struct cmn_err err = {0};
    struct cmn_buf b;
    char *out;

    cmn_buf_init(&b, cap);
    *rc = gw_enc_yaml_render(v, &b, &err);
    out = cmn_buf_take(&b, NULL);
    assert_non_null(out);
    return out;
}

static void expect_yaml(const char *in_json, const char *want)
{
    struct gw_json *v = json(in_json);
    int rc;
    char *got = yaml_of(v, 1 << 20, &rc);

    assert_int_equal(rc, GW_ENC_OK);
    if (strcmp(got, want) != 0)
        fail_msg("for %s\n--- got ---\n%s--- want ---\n%s", in_json, got, want);
    free(got);
    gw_json_destroy(v);
}

/* {"k": s} must print as "k: <want>\n". */
static void expect_scalar(const char *s, const char *want)
{
    struct gw_json *v = gw_json_object();
    char *line, *got;
    int rc;

    assert_true(gw_json_object_set(v, "k", gw_json_string(s, strlen(s))));
    got = yaml_of(v, 1 << 16, &rc);
    assert_int_equal(rc, GW_ENC_OK);
    line = malloc(strlen(want) + 8);
    assert_non_null(line);
    snprintf(line, strlen(want) + 8, "k: %s\n", want);
    if (strcmp(got, line) != 0)
        fail_msg("for [%s]: got [%s] want [%s]", s, got, line);
    free(line);
    free(got);
    gw_json_destroy(v);
}

static void empty_and_nil_maps(void **state)
{
    int rc;
    char *got = yaml_of(NULL, 64, &rc);

    (void)state;
    assert_int_equal(rc, GW_ENC_OK);
    assert_string_equal(got, "{}\n");
    free(got);
    expect_yaml("{}", "{}\n");
}

static void scalars_and_backend_numbers(void **state)
{
    (void)state;
    /* backend numbers are json.Number, a Go string: quoted when they look like numbers */
    expect_yaml("{\"n\":42}", "\"n\": \"42\"\n"); /* §5.4's example */
    expect_yaml("{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":null,\"e\":1.5,\"f\":-2,\"g\":false,"
                "\"h\":1e5,\"i\":12345678901234567890}",
                "a: \"1\"\nb: x\nc: true\nd: null\ne: \"1.5\"\nf: \"-2\"\ng: false\nh: 1e5\n"
                "i: \"12345678901234567890\"\n");
}

static void keys_sorted_and_quoted_like_values(void **state)
{
    (void)state;
    expect_yaml("{\"yes\":\"c\",\"n\":\"a\",\"y\":\"b\",\"1\":\"d\",\"\":\"e\",\"B\":\"f\"}",
                "\"\": e\n\"1\": d\nB: f\n\"n\": a\n\"y\": b\n\"yes\": c\n");
}

static void quoting_rules(void **state)
{
    static const char *const quoted[] = {
        /* YAML 1.2 null and bool words, and YAML 1.1 booleans */
        "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE", "y", "Y",
        "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
        /* anything goccy's toNumber accepts, range errors included */
        "123", "-1", "+1", "1.5", ".5", "1.", "-.5", "0x1f", "-0x1f", "0o17", "0b101", "0755",
        "1_000", "1.5e5", "1.0e999", "99999999999999999999", "-99999999999999999999", "+-5",
        /* indicators and spaces at either end */
        "-", "*a", "&a", "[a", "{a", "}a", "]a", ",a", "!a", "|a", ">a", "%a", "'a", "@a", "`a",
        " a", "a:", "a ",
        /* timestamps (RFC 3339 with T or t, DateTime, DateOnly, "15:4") */
        "2024-01-01", "2024-02-29", "2006-01-02T15:04:05Z", "2006-01-02t15:04:05.5+01:00",
        "2006-01-02 15:04:05", "2006-01-02 15:04:05.123", "12:30", "1:5", "0:00",
        /* comment and escape characters, ": " and "- " anywhere */
        "a#b", "http://x/y?q=1#f", "a: b", "a - b", "- a"};
    static const char *const plain[] = {"nULL",
                                        "yEs",
                                        "tRUE",
                                        "089",
                                        "_1",
                                        "1e5",
                                        "1.5e",
                                        ".inf",
                                        ".nan",
                                        "1.2.3",
                                        ".",
                                        "0x",
                                        "-+5",
                                        "--",
                                        "-a",
                                        "-type",
                                        "a-b",
                                        "a:b",
                                        "https://facebook.com",
                                        "Elliot",
                                        "2024-13-01",
                                        "2024-02-30",
                                        "2023-02-29",
                                        "2006-1-02",
                                        "24:00",
                                        "12:60",
                                        "tab\there",
                                        "\xC2\xA0x",
                                        "a'b",
                                        "a\"b",
                                        "?x",
                                        "=",
                                        "a,b",
                                        "a!",
                                        "inf",
                                        "NaN"};
    char want[128];

    (void)state;
    for (size_t i = 0; i < sizeof(quoted) / sizeof(quoted[0]); i++) {
        snprintf(want, sizeof(want), "\"%s\"", quoted[i]);
        expect_scalar(quoted[i], want);
    }
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        expect_scalar(plain[i], plain[i]);
    expect_scalar("", "\"\"");
    expect_scalar("\"a", "\"\\\"a\"");
    expect_scalar("a\\b", "\"a\\\\b\"");
}

static void double_quotes_use_go_escapes(void **state)
{
    (void)state;
    /* control bytes as \x, line separators and NBSP as \u, bad UTF-8 as \x, printable kept */
    expect_scalar("a#\x01\xC3\xA9\xE2\x80\xA8\xFF", "\"a#\\x01\xC3\xA9\\u2028\\xff\"");
    expect_scalar("#\t\n\r\a\b\f\v\x7F", "\"#\\t\\n\\r\\a\\b\\f\\v\\x7f\"");
    expect_scalar("#\xC2\xA0\xC2\xAD\xEF\xBB\xBF\xF0\x9F\x98\x80",
                  "\"#\\u00a0\\u00ad\\ufeff\xF0\x9F\x98\x80\"");
    expect_scalar("#\xF3\xA0\x80\x81", "\"#\\U000e0001\"");
    /* a multi-line string that needs quotes stays on one line */
    expect_scalar("a\nb: c", "\"a\\nb: c\"");
}

static void literal_blocks(void **state)
{
    (void)state;
    expect_yaml("{\"k\":\"a\\nb\"}", "k: |-\n  a\n  b\n");
    expect_yaml("{\"k\":\"a\\n\"}", "k: |\n  a\n");
    expect_yaml("{\"k\":\"a\\n\\n\"}", "k: |+\n  a\n\n");
    /* goccy indents an empty line inside a block of a map */
    expect_yaml("{\"k\":\"a\\n\\nb\"}", "k: |-\n  a\n  \n  b\n");
    expect_yaml("{\"k\":\"a\\n  b\"}", "k: |-\n  a\n    b\n");
    expect_yaml("{\"m\":{\"k\":\"a\\nb\"}}", "m:\n  k: |-\n    a\n    b\n");
    /* its TrimSuffix calls eat trailing spaces of the last line when the text ends in "\n" */
    expect_yaml("{\"k\":\"a  \\n\"}", "k: |\n  a\n");
    expect_yaml("{\"m\":{\"k\":\"a   \\n\"}}", "m:\n  k: |\n    a   \n");
    /* CRLF line breaks are kept as the block's line breaks */
    expect_yaml("{\"k\":\"a\\r\\nb\"}", "k: |-\r\n  a\r\n  b\n");
    /* in a sequence: lines re-indented, empty lines left empty */
    expect_yaml("{\"l\":[\"a\\nb\",\"c\"]}", "l:\n- |-\n  a\n  b\n- c\n");
    expect_yaml("{\"l\":[\"a\\n\\nb\"]}", "l:\n- |-\n  a\n\n  b\n");
    expect_yaml("{\"l\":[{\"k\":\"a\\nb\"}]}", "l:\n- k: |-\n    a\n    b\n");
    expect_yaml("{\"l\":[{\"k\":\"a\\n\\nb\"}]}", "l:\n- k: |-\n    a\n    \n    b\n");
}

static void sequences_sit_at_their_keys_column(void **state)
{
    (void)state;
    expect_yaml("{\"arr\":[\"a\",\"b\"]}", "arr:\n- a\n- b\n");
    expect_yaml("{\"m\":{\"arr\":[\"a\"]}}", "m:\n  arr:\n  - a\n");
    expect_yaml("{\"l\":[{\"x\":1,\"y\":\"2\"}]}", "l:\n- x: \"1\"\n  \"y\": \"2\"\n");
    expect_yaml("{\"l\":[[1,2],[]]}", "l:\n- - \"1\"\n  - \"2\"\n- []\n");
    expect_yaml("{\"l\":[{\"a\":{\"b\":\"c\"}}]}", "l:\n- a:\n    b: c\n");
    expect_yaml("{\"l\":[{\"a\":[\"x\",\"z\",\"y\"]}]}", "l:\n- a:\n  - x\n  - z\n  - \"y\"\n");
    expect_yaml("{\"m\":{\"x\":[{\"a\":[\"1\"]}]}}", "m:\n  x:\n  - a:\n    - \"1\"\n");
    expect_yaml("{\"e\":{},\"l\":[]}", "e: {}\nl: []\n");
    expect_yaml("{\"l\":[null,true,{},[]]}", "l:\n- null\n- true\n- {}\n- []\n");
    expect_yaml("{\"l\":[[[\"deep\"]]]}", "l:\n- - - deep\n");
    expect_yaml("{\"l\":[[{\"a\":1,\"b\":2}]]}", "l:\n- - a: \"1\"\n    b: \"2\"\n");
    expect_yaml("{\"m\":{\"l\":[[1]]}}", "m:\n  l:\n  - - \"1\"\n");
    expect_yaml("{\"m\":{\"l\":[{\"a\":1,\"b\":[2,3]}]}}",
                "m:\n  l:\n  - a: \"1\"\n    b:\n    - \"2\"\n    - \"3\"\n");
}

static void structs_keep_field_order(void **state)
{
    struct gw_json *root = gw_json_object(), *s = gw_json_struct();
    int rc;
    char *got;

    (void)state;
    assert_true(gw_json_object_set(s, "z", gw_json_number("1")));
    assert_true(gw_json_object_set(s, "a", gw_json_string("x", 1)));
    assert_true(gw_json_object_set(root, "s", s));
    got = yaml_of(root, 1 << 10, &rc);
    assert_int_equal(rc, GW_ENC_OK);
    assert_string_equal(got, "s:\n  z: \"1\"\n  a: x\n");
    free(got);
    gw_json_destroy(root);
}

static void a_multi_line_key_prints_as_goccy_prints_it(void **state)
{
    (void)state;
    /* goccy's key is a StringNode like any other: a literal block before ": " (not YAML) */
    expect_yaml("{\"a\\nb\":\"c\"}", "|-\n  a\n  b: c\n");
}

static void long_strings_are_not_folded(void **state)
{
    char want[600];

    (void)state;
    memset(want, 'w', 300);
    memcpy(want + 300, " and more words after a space", 30);
    expect_scalar(want, want);
}

static void output_cap_is_an_error_and_writes_nothing(void **state)
{
    struct gw_json *v = json("{\"k\":\"0123456789012345678901234567890123456789\",\"l\":[1,2,3]}");
    struct cmn_err err = {0};
    struct cmn_buf b;

    (void)state;
    cmn_buf_init(&b, 20);
    assert_int_equal(gw_enc_yaml_render(v, &b, &err), GW_ENC_LIMIT);
    assert_int_equal(b.len, 0);
    cmn_buf_free(&b);
    gw_json_destroy(v);
}

static void ce_negotitate_plain(void **state)
{
    static const char XML[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<user type=\"admin\">\n"
                              "  <name>Elliot</name>\n  <social>\n"
                              "    <facebook>https://facebook.com</facebook>\n"
                              "    <twitter>https://twitter.com</twitter>\n"
                              "    <youtube>https://youtube.com</youtube>\n  </social>\n</user>";
    static const char WANT[] = "user:\n  -type: admin\n  name: Elliot\n  social:\n"
                               "    facebook: https://facebook.com\n"
                               "    twitter: https://twitter.com\n"
                               "    youtube: https://youtube.com\n";
    struct cmn_err err = {0};
    struct gw_json *v = gw_enc_xml_decode(XML, strlen(XML), false, NULL, &err);
    char *text, *got;
    json_t *spec;
    int rc;

    (void)state;
    assert_non_null(v);
    got = yaml_of(v, 1 << 16, &rc);
    gw_json_destroy(v);
    assert_string_equal(got, WANT);
    assert_int_equal(gw_enc_negotiate("text/plain", 10), GW_ENC_FMT_YAML);
    text = tu_shared_read(SPECS "negotitate_plain.json", NULL);
    if (!text) {
        free(got);
        skip(); /* the krakend-ce specs are not beside this checkout */
    }
    spec = json_loads(text, 0, NULL);
    free(text);
    assert_string_equal(got,
                        json_string_value(json_object_get(json_object_get(spec, "out"), "body")));
    assert_string_equal(GW_ENC_YAML_CT,
                        json_string_value(json_array_get(
                            json_object_get(json_object_get(json_object_get(spec, "out"), "header"),
                                            "content-type"),
                            0)));
    json_decref(spec);
    free(got);
}

/* ---- read back with libyaml ---------------------------------------------------------------- */

/* libyaml events to a gw_json of strings (maps sorted, like Go maps). */
static struct gw_json *from_events(yaml_parser_t *p, yaml_event_t *ev, int depth)
{
    struct gw_json *v = NULL;

    assert_true(depth < 64);
    if (ev->type == YAML_SCALAR_EVENT)
        return gw_json_string((const char *)ev->data.scalar.value, ev->data.scalar.length);
    if (ev->type == YAML_SEQUENCE_START_EVENT) {
        v = gw_json_array();
        for (;;) {
            yaml_event_t e;
            assert_true(yaml_parser_parse(p, &e));
            if (e.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&e);
                return v;
            }
            assert_true(gw_json_array_append(v, from_events(p, &e, depth + 1)));
            yaml_event_delete(&e);
        }
    }
    assert_int_equal(ev->type, YAML_MAPPING_START_EVENT);
    v = gw_json_object();
    for (;;) {
        yaml_event_t k, e;
        struct gw_json *key;
        assert_true(yaml_parser_parse(p, &k));
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            return v;
        }
        key = from_events(p, &k, depth + 1);
        yaml_event_delete(&k);
        assert_int_equal(key->type, GW_JSON_STRING);
        assert_true(yaml_parser_parse(p, &e));
        assert_true(gw_json_object_set(v, key->str, from_events(p, &e, depth + 1)));
        yaml_event_delete(&e);
        gw_json_destroy(key);
    }
}

static struct gw_json *libyaml_read(const char *text, size_t n)
{
    yaml_parser_t p;
    yaml_event_t e;
    struct gw_json *v = NULL;

    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, n);
    for (;;) {
        if (!yaml_parser_parse(&p, &e))
            fail_msg("libyaml: %s at line %zu in:\n%s", p.problem ? p.problem : "?",
                     p.problem_mark.line + 1, text);
        if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT ||
            e.type == YAML_SCALAR_EVENT)
            v = from_events(&p, &e, 0);
        bool end = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
        if (end)
            break;
    }
    yaml_parser_delete(&p);
    return v;
}

/* The tree as YAML's reader sees it: every scalar is its text. */
static struct gw_json *as_text(const struct gw_json *v)
{
    struct gw_json *o;

    switch (v->type) {
    case GW_JSON_NULL:
        return gw_json_string("null", 4);
    case GW_JSON_BOOL:
        return v->boolean ? gw_json_string("true", 4) : gw_json_string("false", 5);
    case GW_JSON_NUMBER:
    case GW_JSON_STRING:
        return gw_json_string(v->str, v->len);
    case GW_JSON_ARRAY:
        o = gw_json_array();
        for (size_t i = 0; i < v->n_items; i++)
            assert_true(gw_json_array_append(o, as_text(v->items[i])));
        return o;
    case GW_JSON_OBJECT:
        o = gw_json_object();
        for (size_t i = 0; i < v->n_members; i++)
            assert_true(gw_json_object_set(o, v->members[i].key, as_text(v->members[i].val)));
        return o;
    }
    return NULL;
}

static uint32_t rng = 12345;

static uint32_t next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* Strings goccy prints as valid YAML (it prints raw control bytes and some indicators plain). */
static const char *const POOL[] = {"a",
                                   "Elliot",
                                   "https://x.y/z?a=b",
                                   "-type",
                                   "with space",
                                   "123",
                                   "1.5",
                                   "-7",
                                   "yes",
                                   "no",
                                   "null",
                                   "~",
                                   "true",
                                   "",
                                   " lead",
                                   "trail ",
                                   "a: b",
                                   "a #b",
                                   "#x",
                                   "x#",
                                   "\"q\"",
                                   "'s'",
                                   "back\\slash",
                                   "[x]",
                                   "{x}",
                                   "*star",
                                   "&amp",
                                   "!bang",
                                   "%p",
                                   "@at",
                                   "`bt",
                                   "2024-01-01",
                                   "12:30",
                                   "a\nb",
                                   "a\n",
                                   "a\n\nb",
                                   "line\n\n",
                                   "\xC3\xA9 \xC3\xBC",
                                   "tab\tin",
                                   "0x1F",
                                   "0755",
                                   "1e5",
                                   ".5",
                                   "--",
                                   "-",
                                   "a-b",
                                   "- a",
                                   "x\n  y\nz",
                                   "\xC2\xA0nb"};

static struct gw_json *random_tree(int depth)
{
    uint32_t k = next_rand() % (depth > 3 ? 5 : 8);
    struct gw_json *v;

    switch (k) {
    case 0:
        return gw_json_null();
    case 1:
        return gw_json_bool(next_rand() & 1);
    case 2: {
        static const char *const nums[] = {"0", "-1", "1.5", "1e3", "42", "1.10"};
        return gw_json_number(nums[next_rand() % 6]);
    }
    case 3:
    case 4: {
        const char *s = POOL[next_rand() % (sizeof(POOL) / sizeof(POOL[0]))];
        return gw_json_string(s, strlen(s));
    }
    case 5:
        v = gw_json_array();
        for (uint32_t i = 0, n = next_rand() % 4; i < n; i++)
            assert_true(gw_json_array_append(v, random_tree(depth + 1)));
        return v;
    default:
        v = gw_json_object();
        for (uint32_t i = 0, n = next_rand() % 5; i < n; i++) {
            const char *key = POOL[next_rand() % (sizeof(POOL) / sizeof(POOL[0]))];
            if (strchr(key, '\n'))
                continue; /* a multi-line key is not YAML (see the test above) */
            assert_true(gw_json_object_set(v, key, random_tree(depth + 1)));
        }
        return v;
    }
}

static void libyaml_reads_back_what_we_print(void **state)
{
    (void)state;
    for (int round = 0; round < 3000; round++) {
        struct gw_json *root = gw_json_object(), *text, *back;
        char *want, *got, *y;
        int rc;

        for (uint32_t i = 0, n = 1 + next_rand() % 4; i < n; i++) {
            const char *key = POOL[next_rand() % (sizeof(POOL) / sizeof(POOL[0]))];
            if (!strchr(key, '\n'))
                assert_true(gw_json_object_set(root, key, random_tree(1)));
        }
        y = yaml_of(root, 1 << 20, &rc);
        assert_int_equal(rc, GW_ENC_OK);
        back = libyaml_read(y, strlen(y));
        text = as_text(root);
        want = gw_json_render_str(text, NULL);
        got = gw_json_render_str(back, NULL);
        if (strcmp(want, got) != 0)
            fail_msg("YAML:\n%s\nread back %s\nwanted    %s", y, got, want);
        free(want);
        free(got);
        free(y);
        gw_json_destroy(text);
        gw_json_destroy(back);
        gw_json_destroy(root);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest own[] = {
        cmocka_unit_test(empty_and_nil_maps),
        cmocka_unit_test(scalars_and_backend_numbers),
        cmocka_unit_test(keys_sorted_and_quoted_like_values),
        cmocka_unit_test(quoting_rules),
        cmocka_unit_test(double_quotes_use_go_escapes),
        cmocka_unit_test(literal_blocks),
        cmocka_unit_test(sequences_sit_at_their_keys_column),
        cmocka_unit_test(structs_keep_field_order),
        cmocka_unit_test(a_multi_line_key_prints_as_goccy_prints_it),
        cmocka_unit_test(long_strings_are_not_folded),
        cmocka_unit_test(output_cap_is_an_error_and_writes_nothing),
        cmocka_unit_test(libyaml_reads_back_what_we_print),
    };
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(ce_negotitate_plain),
    };
    return tu_run(argc, argv, own, TU_COUNT(own), shared, TU_COUNT(shared));
}
