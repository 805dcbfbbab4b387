/* test_gw_tmpl_parse.c - lexing and parsing as Go's text/template/parse does it: the parse
 * tree of each construct (printed back as Go's String() does), number literals, empty trees,
 * and the parse errors with their line, column and text (after Go's parse_test.go). */
#include "gw_tmpl_int.h"
#include "tmpl_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct ptest {
    const char *name;
    const char *input;
    const char *result; /* the tree printed back, or (error) a text the message contains */
    bool ok;
};

static const struct ptest parse_tests[] = {
    {"empty", "", "", true},
    {"comment", "{{/*\n\n\n*/}}", "", true},
    {"spaces", " \t\n", " \t\n", true},
    {"text", "some text", "some text", true},
    {"emptyAction", "{{}}", "missing value for command", false},
    {"field", "{{.X}}", "{{.X}}", true},
    {"simple command", "{{printf}}", "{{printf}}", true},
    {"$ invocation", "{{$}}", "{{$}}", true},
    {"variable invocation", "{{with $x := 3}}{{$x 23}}{{end}}", "{{with $x := 3}}{{$x 23}}{{end}}",
     true},
    {"variable with fields", "{{$.I}}", "{{$.I}}", true},
    {"multi-word command", "{{printf `%d` 23}}", "{{printf `%d` 23}}", true},
    {"pipeline", "{{.X|.Y}}", "{{.X | .Y}}", true},
    {"pipeline with decl", "{{$x := .X|.Y}}", "{{$x := .X | .Y}}", true},
    {"nested pipeline", "{{.X (.Y .Z) (.A | .B .C) (.E)}}", "{{.X (.Y .Z) (.A | .B .C) (.E)}}",
     true},
    {"field applied to parentheses", "{{(.Y .Z).Field}}", "{{(.Y .Z).Field}}", true},
    {"simple if", "{{if .X}}hello{{end}}", "{{if .X}}hello{{end}}", true},
    {"if with else", "{{if .X}}true{{else}}false{{end}}", "{{if .X}}true{{else}}false{{end}}",
     true},
    {"if with else if", "{{if .X}}true{{else if .Y}}false{{end}}",
     "{{if .X}}true{{else}}{{if .Y}}false{{end}}{{end}}", true},
    {"if else chain", "+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+",
     "+{{if .X}}X{{else}}{{if .Y}}Y{{else}}{{if .Z}}Z{{end}}{{end}}{{end}}+", true},
    {"simple range", "{{range .X}}hello{{end}}", "{{range .X}}hello{{end}}", true},
    {"chained field range", "{{range .X.Y.Z}}hello{{end}}", "{{range .X.Y.Z}}hello{{end}}", true},
    {"nested range", "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}",
     "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}", true},
    {"range with else", "{{range .X}}true{{else}}false{{end}}",
     "{{range .X}}true{{else}}false{{end}}", true},
    {"range over pipeline", "{{range .X|.M}}true{{else}}false{{end}}",
     "{{range .X | .M}}true{{else}}false{{end}}", true},
    {"range 1 var", "{{range $x := .SI}}{{.}}{{end}}", "{{range $x := .SI}}{{.}}{{end}}", true},
    {"range 2 vars", "{{range $x, $y := .SI}}{{.}}{{end}}", "{{range $x, $y := .SI}}{{.}}{{end}}",
     true},
    {"range with break", "{{range .SI}}{{.}}{{break}}{{end}}", "{{range .SI}}{{.}}{{break}}{{end}}",
     true},
    {"range with continue", "{{range .SI}}{{.}}{{ continue }}{{end}}",
     "{{range .SI}}{{.}}{{continue}}{{end}}", true},
    {"constants", "{{range .SI 1 -3.2 true false 'a' nil}}{{end}}",
     "{{range .SI 1 -3.2 true false 'a' nil}}{{end}}", true},
    {"template", "{{template `x`}}", "{{template \"x\"}}", true},
    {"template with arg", "{{template `x` .Y}}", "{{template \"x\" .Y}}", true},
    {"with", "{{with .X}}hello{{end}}", "{{with .X}}hello{{end}}", true},
    {"with with else", "{{with .X}}hello{{else}}goodbye{{end}}",
     "{{with .X}}hello{{else}}goodbye{{end}}", true},
    {"with else with", "{{with .X}}hello{{else with .Y}}goodbye{{end}}",
     "{{with .X}}hello{{else}}{{with .Y}}goodbye{{end}}{{end}}", true},
    {"trim left", "x \r\n\t{{- 3}}", "x{{3}}", true},
    {"trim right", "{{3 -}}\n\n\ty", "{{3}}y", true},
    {"trim left and right", "x \r\n\t{{- 3 -}}\n\n\ty", "x{{3}}y", true},
    {"trim with extra spaces", "x\n{{-  3   -}}\ny", "x{{3}}y", true},
    {"comment trim left", "x \r\n\t{{- /* hi */}}", "x", true},
    {"comment trim right", "{{/* hi */ -}}\n\n\ty", "y", true},
    {"block definition", "{{block \"foo\" .}}hello{{end}}", "{{template \"foo\" .}}", true},
    {"newline in assignment", "{{ $x \n := \n 1 \n }}", "{{$x := 1}}", true},
    {"newline in empty action", "{{\n}}", "missing value for command", false},
    {"newline in pipeline", "{{\n\"x\"\n|\nprintf\n}}", "{{\"x\" | printf}}", true},
    {"newline in comment", "{{-\n/*\nhello\n*/\n-}}", "", true},
    {"assignment", "{{$x := 0}}{{$x = 1}}", "{{$x := 0}}{{$x = 1}}", true},
    {"range assignment", "{{range $x = 0}}{{$x}}{{end}}", "{{range $x = 0}}{{$x}}{{end}}", true},
    {"trailing pipe", "{{.X |}}", "{{.X}}", true},
    {"variable then +2 with space", "{{$x:=.}}{{$x +2}}", "{{$x := .}}{{$x +2}}", true},
    /* errors */
    {"unclosed action", "hello{{range", "unclosed action", false},
    {"unmatched end", "{{end}}", "unexpected {{end}}", false},
    {"unmatched else", "{{else}}", "unexpected {{else}}", false},
    {"unmatched else after if", "{{if .X}}hello{{end}}{{else}}", "unexpected {{else}}", false},
    {"multiple else", "{{if .X}}1{{else}}2{{else}}3{{end}}", "expected end; found {{else}}", false},
    {"missing end", "hello{{range .x}}", "unexpected EOF", false},
    {"missing end after else", "hello{{range .x}}{{else}}", "unexpected EOF", false},
    {"undefined function", "hello{{undefined}}", "function \"undefined\" not defined", false},
    {"helm toYaml", "{{ toYaml . }}", "function \"toYaml\" not defined", false},
    {"undefined variable", "{{$x}}", "undefined variable \"$x\"", false},
    {"variable undefined after end", "{{with $x := 4}}{{end}}{{$x}}", "undefined variable", false},
    {"variable undefined in template", "{{template $v}}", "unexpected \"$v\" in template clause",
     false},
    {"declare with field", "{{with $x.Y := 4}}{{end}}", "undefined variable \"$x\"", false},
    {"template with field ref", "{{template .X}}", "unexpected \".X\" in template clause", false},
    {"invalid punctuation", "{{printf 3, 4}}", "unexpected \",\" in operand", false},
    {"multidecl outside range", "{{with $v, $u := 3}}{{end}}", "too many declarations in with",
     false},
    {"too many decls in range", "{{range $u, $v, $w := 3}}{{end}}",
     "too many declarations in range", false},
    {"dot applied to parentheses", "{{printf (printf .).}}", "unexpected <.> in operand", false},
    {"adjacent args", "{{printf 3`x`}}", "unexpected \"`x`\" in operand", false},
    {"adjacent args with .", "{{printf `x`.}}", "unexpected <.> in operand", false},
    {"extra end after if", "{{if .X}}a{{else if .Y}}b{{end}}{{end}}", "unexpected {{end}}", false},
    {"break outside range", "{{range .}}{{end}} {{break}}", "{{break}} outside {{range}}", false},
    {"continue outside range", "{{range .}}{{end}} {{continue}}", "{{continue}} outside {{range}}",
     false},
    {"break in range else", "{{range .}}{{else}}{{break}}{{end}}", "{{break}} outside {{range}}",
     false},
    {"break in define inside range", "{{range .}}{{end}}{{define \"x\"}}{{break}}{{end}}",
     "{{break}} outside {{range}}", false},
    {"define inside action list", "{{if true}}{{define \"x\"}}{{end}}{{end}}",
     "unexpected <define> in command", false},
    {"bug0b +=", "{{$x += 1}}{{$x}}", "", false},
    {"bug0c !", "{{$x ! 2}}{{$x}}", "", false},
    {"bug0e := twice", "{{range $x := $y := 3}}{{end}}", "", false},
    {"bug1a $x!2", "{{$x:=.}}{{$x!2}}", "bad character U+0021 '!'", false},
    {"bug1b $x+2", "{{$x:=.}}{{$x+2}}", "bad character U+002B '+'", false},
    {"dot after integer", "{{1.E}}", "illegal number syntax: \"1.E\"", false},
    {"dot after float", "{{0.1.E}}", "unexpected . after term \"0.1\"", false},
    {"dot after boolean", "{{true.E}}", "unexpected . after term \"true\"", false},
    {"dot after char", "{{'a'.any}}", "unexpected . after term \"'a'\"", false},
    {"dot after string", "{{\"hello\".guys}}", "unexpected . after term", false},
    {"dot after dot", "{{..E}}", "unexpected . after term \".\"", false},
    {"dot after nil", "{{nil.E}}", "unexpected . after term \"nil\"", false},
    {"wrong pipeline dot", "{{12|.}}", "non executable command in pipeline stage 2", false},
    {"wrong pipeline number", "{{.|12|printf}}", "non executable command in pipeline stage 2",
     false},
    {"wrong pipeline string", "{{.|printf|\"error\"}}",
     "non executable command in pipeline stage 3", false},
    {"wrong pipeline boolean", "{{.|true}}", "non executable command", false},
    {"wrong pipeline nil", "{{'c'|nil}}", "non executable command", false},
    {"empty pipeline", "{{printf \"%d\" ( ) }}", "missing value for parenthesized pipeline", false},
    {"block without pipeline", "{{block \"foo\"}}hello{{end}}", "missing value for block clause",
     false},
    {"define without name", "{{define}}x{{end}}", "unexpected \"}}\" in define clause", false},
    {"invalid escape", "{{\"\\q\"}}", "invalid syntax", false},
    {"single quote escape in string", "{{\"\\'\"}}", "invalid syntax", false},
    {"malformed char", "{{'ab'}}", "malformed character constant: 'ab'", false},
    {"empty char", "{{''}}", "invalid syntax", false},
    {"integer overflow", "{{99999999999999999999}}", "integer overflow", false},
    {"complex", "{{1+2i}}", "complex number constants are not supported", false},
    {"unrecognized character", "{{\x01}}", "unrecognized character in action: U+0001", false},
    {"non-ASCII punctuation", "{{.x\xe2\x80\xa2}}", "bad character U+2022", false},
    {"rangenotvariable", "{{range $k, .}}{{end}}", "range can only initialize variables", false},
    {"rangemissingvalue", "{{range $k, $v := }}{{end}}", "missing value for range", false},
    {"rangemissingvalue1", "{{range $k,}}{{end}}", "missing value for range", false},
};

/* The errors' line and column, as Go reports the line (the column added). */
static const struct ptest error_tests[] = {
    {"unclosed1", "line1\n{{", "template: t:2:2: unclosed action", false},
    {"unclosed2", "line1\n{{define `x`}}line2\n{{", "template: t:3:2: unclosed action", false},
    {"unclosed3", "line1\n{{\"x\"\n\"y\"\n", "template: t:4:0: unclosed action started at t:2",
     false},
    {"unclosed4", "{{\n\n\n\n\n", "template: t:6:0: unclosed action started at t:1", false},
    {"var1", "line1\n{{\nx\n}}", "template: t:3:0: function \"x\" not defined", false},
    {"comment1", "{{/*}}", "template: t:1:2: unclosed comment", false},
    {"comment2", "{{/*\nhello\n}}", "template: t:1:2: unclosed comment", false},
    {"comment3", "{{/* x */ x}}", "comment ends before closing delimiter", false},
    {"lparen", "{{.X (1 2 3}}", "unclosed left paren", false},
    {"rparen", "{{.X 1 2 3 ) }}", "unexpected right paren", false},
    {"rparen2", "{{(.X 1 2 3", "unclosed action", false},
    {"space", "{{`x`3}}", "in operand", false},
    {"idchar", "{{a#}}", "'#'", false},
    {"charconst", "{{'a}}", "unterminated character constant", false},
    {"stringconst", "{{\"a}}", "unterminated quoted string", false},
    {"rawstringconst", "{{`a}}", "unterminated raw quoted string", false},
    {"number", "{{0xi}}", "number syntax", false},
    {"eof", "{{range .X}}", "unexpected EOF", false},
    {"variable", "{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}", "unexpected \":=\"", false},
    {"multidecl", "{{$a,$b,$c := 23}}", "too many declarations", false},
    {"multilinerawstring", "{{ $v := `\n` }} {{", "template: t:2:7: unclosed action", false},
    {"unterminated raw names its line", "hello\n\n{{`unterminated\n\n\n\n}}\n some more\n\n",
     "t:3:2: unterminated raw quoted string", false},
    {"paren nesting",
     "{{ (((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((("
     "((((((((((((((((((((((((((((((((( 1 ))))))))))))))))))))))))))))))))))))))))"
     ")))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))) }}",
     "max expression depth exceeded", false},
};

static char *tree_string(struct gw_tmpl_set *s, const char *name)
{
    const struct tdef *d = tset_find(s, name, strlen(name));
    struct cmn_buf b;
    char *r;

    cmn_buf_init(&b, 1 << 20);
    if (d)
        tnode_string(d->root, &b);
    r = strdup(b.data ? b.data : "");
    cmn_buf_free(&b);
    return r;
}

static int run_parse_tests(const struct ptest *tests, size_t n, bool exact_error)
{
    int failures = 0;

    for (size_t i = 0; i < n; i++) {
        const struct ptest *t = &tests[i];
        struct gw_tmpl_set *s = gw_tmpl_set_new(NULL);
        struct cmn_err err;
        int rc = gw_tmpl_parse(s, "t", t->input, strlen(t->input), &err);
        if (t->ok) {
            char *got = rc == GW_TMPL_OK ? tree_string(s, "t") : NULL;
            if (!got || strcmp(got, t->result) != 0) {
                fprintf(stderr, "FAIL %s: %s\n  want [%s]\n  got [%s] %s\n", t->name, t->input,
                        t->result, got ? got : "", rc ? err.msg : "");
                failures++;
            }
            free(got);
        } else if (rc == GW_TMPL_OK || !strstr(err.msg, t->result) ||
                   (exact_error && !strstr(err.msg, "template: t:"))) {
            fprintf(stderr, "FAIL %s: %s\n  want error containing [%s]\n  got rc=%d [%s]\n",
                    t->name, t->input, t->result, rc, rc ? err.msg : "");
            failures++;
        }
        gw_tmpl_set_destroy(s);
    }
    return failures;
}

static void test_parse(void **state)
{
    (void)state;
    assert_int_equal(run_parse_tests(parse_tests, N(parse_tests), false), 0);
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_equal(run_parse_tests(error_tests, N(error_tests), true), 0);
}

/* A block defines its body as a template of its own. */
static void test_block(void **state)
{
    struct gw_tmpl_set *s = gw_tmpl_set_new(NULL);
    struct cmn_err err;
    const char *in = "a{{block \"inner\" .}}bar{{.}}baz{{end}}b";
    char *outer, *inner;

    (void)state;
    assert_int_equal(gw_tmpl_parse(s, "outer", in, strlen(in), &err), GW_TMPL_OK);
    outer = tree_string(s, "outer");
    inner = tree_string(s, "inner");
    assert_string_equal(outer, "a{{template \"inner\" .}}b");
    assert_string_equal(inner, "bar{{.}}baz");
    free(outer);
    free(inner);
    gw_tmpl_set_destroy(s);
}

struct ntest {
    const char *text;
    bool is_int, is_uint, is_float;
    int64_t i;
    uint64_t u;
    double f;
};

/* Go's numberTests (complex numbers excepted: the engine refuses them) */
static const struct ntest number_tests[] = {
    {"0", true, true, true, 0, 0, 0},
    {"-0", true, true, true, 0, 0, 0},
    {"73", true, true, true, 73, 73, 73},
    {"7_3", true, true, true, 73, 73, 73},
    {"0b10_010_01", true, true, true, 73, 73, 73},
    {"0B10_010_01", true, true, true, 73, 73, 73},
    {"073", true, true, true, 073, 073, 073},
    {"0o73", true, true, true, 073, 073, 073},
    {"0O73", true, true, true, 073, 073, 073},
    {"0x73", true, true, true, 0x73, 0x73, 0x73},
    {"0X73", true, true, true, 0x73, 0x73, 0x73},
    {"0x7_3", true, true, true, 0x73, 0x73, 0x73},
    {"-73", true, false, true, -73, 0, -73},
    {"+73", true, false, true, 73, 0, 73},
    {"100", true, true, true, 100, 100, 100},
    {"1e9", true, true, true, 1000000000, 1000000000, 1e9},
    {"-1e9", true, false, true, -1000000000, 0, -1e9},
    {"-1.2", false, false, true, 0, 0, -1.2},
    {"1e19", false, true, true, 0, 10000000000000000000u, 1e19},
    {"1e1_9", false, true, true, 0, 10000000000000000000u, 1e19},
    {"1E19", false, true, true, 0, 10000000000000000000u, 1e19},
    {"-1e19", false, false, true, 0, 0, -1e19},
    {"0x_1p4", true, true, true, 16, 16, 16},
    {"0X_1P4", true, true, true, 16, 16, 16},
    {"0x_1p-4", false, false, true, 0, 0, 1 / 16.},
    {"0123", true, true, true, 0123, 0123, 0123},
    {"-0x0", true, true, true, 0, 0, 0},
    {"0xdeadbeef", true, true, true, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef},
    {"0xef", true, true, true, 0xef, 0xef, 0xef},
    {"'a'", true, true, true, 'a', 'a', 'a'},
    {"'\\n'", true, true, true, '\n', '\n', '\n'},
    {"'\\\\'", true, true, true, '\\', '\\', '\\'},
    {"'\\''", true, true, true, '\'', '\'', '\''},
    {"'\\xFF'", true, true, true, 0xFF, 0xFF, 0xFF},
    {"'\xe3\x83\x91'", true, true, true, 0x30d1, 0x30d1, 0x30d1},
    {"'\\u30d1'", true, true, true, 0x30d1, 0x30d1, 0x30d1},
    {"'\\U000030d1'", true, true, true, 0x30d1, 0x30d1, 0x30d1},
    /* broken syntax */
    {"+-2", false, false, false, 0, 0, 0},
    {"0x123.", false, false, false, 0, 0, 0},
    {"1e.", false, false, false, 0, 0, 0},
    {"0xi.", false, false, false, 0, 0, 0},
    {"'x", false, false, false, 0, 0, 0},
    {"'xx'", false, false, false, 0, 0, 0},
    {"'433937734937734969526500969526500'", false, false, false, 0, 0, 0},
    {"089", false, false, false, 0, 0, 0},
};

static void test_numbers(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(number_tests); i++) {
        const struct ntest *t = &number_tests[i];
        struct tnumber num;
        char buf[128];
        enum tok_type typ = t->text[0] == '\'' ? TK_CHAR_CONSTANT : TK_NUMBER;
        const char *e = tparse_number(t->text, strlen(t->text), typ, &num, buf, sizeof(buf));
        bool ok = t->is_int || t->is_uint || t->is_float;
        if (ok != (e == NULL))
            fail_msg("%s: error %s", t->text, e ? e : "(none)");
        if (!ok)
            continue;
        if (num.is_int != t->is_int || num.is_uint != t->is_uint || num.is_float != t->is_float)
            fail_msg("%s: kinds %d%d%d", t->text, num.is_int, num.is_uint, num.is_float);
        if ((t->is_int && num.i != t->i) || (t->is_uint && num.u != t->u) ||
            (t->is_float && num.f != t->f))
            fail_msg("%s: values", t->text);
    }
}

/* Go's isEmptyTests: whether a source defines a non-empty body under its own name. */
static void test_is_empty(void **state)
{
    static const struct {
        const char *input;
        bool empty;
    } tests[] = {
        {"", true},
        {"hello", false},
        {" \t\n \t\n", true},
        {"{{/* comment */}}", true},
        {"{{define `x`}}something{{end}}", true},
        {"{{define `x`}}something{{end}}\n\n{{define `y`}}something{{end}}\n\n", true},
        {"{{define `x`}}something{{end}}\nx\n{{define `y`}}something{{end}}\ny\n", false},
        {"{{define `x`}}something{{end}}{{if 3}}foo{{end}}", false},
    };

    (void)state;
    for (size_t i = 0; i < N(tests); i++) {
        struct gw_tmpl_set *s = gw_tmpl_set_new(NULL);
        struct cmn_err err;
        const struct tdef *d;
        assert_int_equal(gw_tmpl_parse(s, "root", tests[i].input, strlen(tests[i].input), &err),
                         GW_TMPL_OK);
        d = tset_find(s, "root", 4);
        assert_non_null(d);
        assert_int_equal(tnode_is_empty_tree(d->root), tests[i].empty);
        gw_tmpl_set_destroy(s);
    }
}

/* The caps of the parser: node count, nesting, source size. */
static void test_parse_caps(void **state)
{
    struct gw_tmpl_limits lim = {0};
    struct gw_tmpl_set *s;
    struct cmn_err err;
    char big[4096];

    (void)state;
    lim.max_nodes = 50;
    s = gw_tmpl_set_new(&lim);
    memset(big, 0, sizeof(big));
    for (int i = 0; i < 100; i++)
        memcpy(big + 5 * i, "{{1}}", 5);
    assert_int_equal(gw_tmpl_parse(s, "t", big, strlen(big), &err), GW_TMPL_LIMIT);
    assert_non_null(strstr(err.msg, "too many template nodes"));
    gw_tmpl_set_destroy(s);

    memset(&lim, 0, sizeof(lim));
    lim.max_nesting = 3;
    s = gw_tmpl_set_new(&lim);
    {
        const char *nest = "{{if 1}}{{if 1}}{{if 1}}{{if 1}}{{end}}{{end}}{{end}}{{end}}";
        assert_int_equal(gw_tmpl_parse(s, "t", nest, strlen(nest), &err), GW_TMPL_LIMIT);
        assert_non_null(strstr(err.msg, "nested too deeply"));
    }
    gw_tmpl_set_destroy(s);

    memset(&lim, 0, sizeof(lim));
    lim.max_source = 10;
    s = gw_tmpl_set_new(&lim);
    assert_int_equal(gw_tmpl_parse(s, "t", "0123456789x", 11, &err), GW_TMPL_LIMIT);
    gw_tmpl_set_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),    cmocka_unit_test(test_errors),
        cmocka_unit_test(test_block),    cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_is_empty), cmocka_unit_test(test_parse_caps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
