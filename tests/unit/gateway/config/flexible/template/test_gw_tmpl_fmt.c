/* test_gw_tmpl_fmt.c - how values print: the value-semantics table of spec §1.6 (float64
 * from settings, ints, nil, missing, lists, maps), marshal's JSON numbers and escaping, and
 * Go's fmt through print/printf/println (verbs, flags, widths, precisions, error forms). */
#include "tmpl_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* spec §1.6 "Printing": settings numbers are float64 */
static const struct tcase printing[] = {
    {"8080", "{{.n}}", "{\"n\":8080}", "8080", NULL},
    {"999999", "{{.n}}", "{\"n\":999999}", "999999", NULL},
    {"1000000", "{{.n}}", "{\"n\":1000000}", "1e+06", NULL},
    {"1234567", "{{.n}}", "{\"n\":1234567}", "1.234567e+06", NULL},
    {"12345678901", "{{.n}}", "{\"n\":12345678901}", "1.2345678901e+10", NULL},
    {"0.0001", "{{.n}}", "{\"n\":0.0001}", "0.0001", NULL},
    {"0.00001", "{{.n}}", "{\"n\":0.00001}", "1e-05", NULL},
    {"1.5", "{{.n}}", "{\"n\":1.5}", "1.5", NULL},
    {"3.0", "{{.n}}", "{\"n\":3.0}", "3", NULL},
    {"negative", "{{.n}}", "{\"n\":-2.5}", "-2.5", NULL},
    {"big negative", "{{.n}}", "{\"n\":-1e21}", "-1e+21", NULL},
    {"0.1+0.2 shortest", "{{.n}}", "{\"n\":0.30000000000000004}", "0.30000000000000004", NULL},
    {"max float", "{{.n}}", "{\"n\":1.7976931348623157e308}", "1.7976931348623157e+308", NULL},
    {"tiny", "{{.n}}", "{\"n\":5e-324}", "5e-324", NULL},
    {"int literal", "{{1000000}}", NULL, "1000000", NULL},
    {"float literal", "{{1000000.0}}", NULL, "1e+06", NULL},
    {"bools", "{{.t}} {{.f}}", "{\"t\":true,\"f\":false}", "true false", NULL},
    {"list", "{{.l}}", "{\"l\":[1,\"x\",true]}", "[1 x true]", NULL},
    {"map sorted", "{{.m}}", "{\"m\":{\"b\":1,\"a\":\"<\"}}", "map[a:< b:1]", NULL},
    {"empty list and map", "{{.l}} {{.m}}", "{\"l\":[],\"m\":{}}", "[] map[]", NULL},
    {"nested", "{{.m}}", "{\"m\":{\"a\":[1,{\"b\":null}]}}", "map[a:[1 map[b:<nil>]]]", NULL},
    {"missing", "{{.nope}}", "{}", "<no value>", NULL},
    {"null", "{{.n}}", "{\"n\":null}", "<no value>", NULL},
    {"strings raw", "{{.s}}", "{\"s\":\"<a href=\\\"x\\\">&amp;\\n\"}", "<a href=\"x\">&amp;\n",
     NULL},
    {"float keys order as bytes", "{{.m}}", "{\"m\":{\"B\":1,\"a\":2,\"_\":3}}", "map[B:1 _:3 a:2]",
     NULL},
};

/* spec §1.4/§1.6: marshal (= toJson) is encoding/json */
static const struct tcase marshal[] = {
    {"big number plain", "{{marshal .n}}", "{\"n\":1000000}", "1000000", NULL},
    {"1e21", "{{marshal .n}}", "{\"n\":1e21}", "1e+21", NULL},
    {"1e-7", "{{marshal .n}}", "{\"n\":1e-7}", "1e-7", NULL},
    {"1e-6 plain", "{{marshal .n}}", "{\"n\":0.000001}", "0.000001", NULL},
    {"html escaped", "{{marshal .s}}", "{\"s\":\"<a&b>\"}", "\"\\u003ca\\u0026b\\u003e\"", NULL},
    {"control chars", "{{marshal .s}}", "{\"s\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\"}",
     "\"\\b\\f\\n\\r\\t\\u0001\\u001f\"", NULL},
    {"line separators", "{{marshal .s}}", "{\"s\":\"\u2028\u2029\"}", "\"\\u2028\\u2029\"", NULL},
    {"object sorted compact", "{{marshal .}}",
     "{\"b\":[1,2.5,true,null],\"a\":{\"y\":\"\",\"x\":{}}}",
     "{\"a\":{\"x\":{},\"y\":\"\"},\"b\":[1,2.5,true,null]}", NULL},
    {"missing is null", "{{marshal .nope}}", "{}", "null", NULL},
    {"int", "{{marshal 42}}", NULL, "42", NULL},
    {"toJson same", "{{toJson .}}", "{\"a\":1}", "{\"a\":1}", NULL},
    {"toRawJson no html escaping", "{{toRawJson .}}", "{\"a\":\"<&>\"}", "{\"a\":\"<&>\"}", NULL},
    {"toPrettyJson", "{{toPrettyJson .}}", "{\"a\":[1,{}],\"b\":{\"c\":[]}}",
     "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": {\n    \"c\": []\n  }\n}", NULL},
    {"marshal NaN is empty", "[{{marshal (float64 \"NaN\")}}]", NULL, "[]", NULL},
    {"mustToJson NaN fails", "{{mustToJson (float64 \"NaN\")}}", NULL, NULL,
     "error calling mustToJson: json: unsupported value: NaN"},
    {"toRawJson Inf fails", "{{toRawJson (float64 \"-Inf\")}}", NULL, NULL,
     "json: unsupported value: -Inf"},
    {"invalid utf8 replaced", "{{marshal (b64dec \"/w==\")}}", NULL, "\"\\ufffd\"", NULL},
    {"KrakenD idiom", "\"extra_config\": {{marshal .s.cfg}}",
     "{\"s\":{\"cfg\":{\"qos/ratelimit/router\":{\"max_rate\":50}}}}",
     "\"extra_config\": {\"qos/ratelimit/router\":{\"max_rate\":50}}", NULL},
    {"trim idiom", "{{ marshal .x | trimSuffix \"}\" | trimPrefix \"{\" }}",
     "{\"x\":{\"a\":1,\"b\":2}}", "\"a\":1,\"b\":2", NULL},
};

static const struct tcase fmt[] = {
    {"print", "{{print \"hello, print\"}}", NULL, "hello, print", NULL},
    {"print 123", "{{print 1 2 3}}", NULL, "1 2 3", NULL},
    {"print spacing", "{{print 1 2 \"a\" \"b\" 3}}", NULL, "1 2ab3", NULL},
    {"print nil", "{{print nil}}", NULL, "<nil>", NULL},
    {"print missing", "{{print .nope}}", "{}", "<nil>", NULL},
    {"println", "{{println 1 2 3}}", NULL, "1 2 3\n", NULL},
    {"println strings", "{{println \"a\" \"b\"}}", NULL, "a b\n", NULL},
    {"printf int", "{{printf \"%04x\" 127}}", NULL, "007f", NULL},
    {"printf float", "{{printf \"%g\" 3.5}}", NULL, "3.5", NULL},
    {"printf string", "{{printf \"%s\" \"hello\"}}", NULL, "hello", NULL},
    {"printf field", "{{printf \"%s\" .s}}", "{\"s\":\"v\"}", "v", NULL},
    {"printf dot", "{{with .i}}{{printf \"%v\" .}}{{end}}", "{\"i\":17}", "17", NULL},
    {"%d of float", "{{printf \"%d\" .i}}", "{\"i\":17}", "%!d(float64=17)", NULL},
    {"%s of int", "{{printf \"%s\" 7}}", NULL, "%!s(int=7)", NULL},
    {"%s of list", "{{printf \"%s\" .l}}", "{\"l\":[1,\"a\"]}", "[%!s(float64=1) a]", NULL},
    {"%d of list", "{{printf \"%d\" (list 1 2)}}", NULL, "[1 2]", NULL},
    {"%q of list", "{{printf \"%q\" (list \"a\" \"b\")}}", NULL, "[\"a\" \"b\"]", NULL},
    {"%v of map", "{{printf \"%v\" .}}", "{\"b\":1,\"a\":[true]}", "map[a:[true] b:1]", NULL},
    {"%d of nil", "{{printf \"%d\" nil}}", NULL, "%!d(<nil>)", NULL},
    {"%v of nil", "{{printf \"%v\" nil}}", NULL, "<nil>", NULL},
    {"missing args", "{{printf \"%d %s\"}}", NULL, "%!d(MISSING) %!s(MISSING)", NULL},
    {"extra args", "{{printf \"%d\" 1 2 \"x\"}}", NULL, "1%!(EXTRA int=2, string=x)", NULL},
    {"no verb", "{{printf \"%\"}}", NULL, "%!(NOVERB)", NULL},
    {"percent", "{{printf \"100%%\"}}", NULL, "100%", NULL},
    {"bad verb", "{{printf \"%z\" 1}}", NULL, "%!z(int=1)", NULL},
    {"arg index", "{{printf \"%[2]d %[1]d\" 1 2}}", NULL, "2 1", NULL},
    {"bad index", "{{printf \"%[3]d\" 1 2}}", NULL, "%!d(BADINDEX)", NULL},
    {"star width", "{{printf \"%*d|%-*d|\" 5 1 5 2}}", NULL, "    1|2    |", NULL},
    {"bad width", "{{printf \"%*d\" \"x\" 1}}", NULL, "%!(BADWIDTH)1", NULL},
    {"floats",
     "{{printf \"%e %E %f %.2f %g %G %.3g %8.3f|%-8.2f|%+.1f|% .1f|%08.3f\" 1234.5678 1234.5678 "
     "1234.5678 1234.5678 1234.5678 1e-7 1234.5678 3.14159 3.14159 2.0 2.0 -3.14159}}",
     NULL,
     "1.234568e+03 1.234568E+03 1234.567800 1234.57 1234.5678 1E-07 1.23e+03    3.142|3.14    "
     "|+2.0| 2.0|-003.142",
     NULL},
    {"%v floats", "{{printf \"%v %v %v %v %v\" 1e6 123456789.0 0.0001 0.00001 100000.0}}", NULL,
     "1e+06 1.23456789e+08 0.0001 1e-05 100000", NULL},
    {"special floats",
     "{{printf \"%v %v %v %5.1f|%+v\" (float64 \"Inf\") (float64 \"-Inf\") (float64 \"NaN\") "
     "(float64 \"+Inf\") (float64 \"NaN\")}}",
     NULL, "+Inf -Inf NaN  +Inf|NaN", NULL},
    {"ints",
     "{{printf \"%d|%5d|%-5d|%05d|%+d|% d|%x|%X|%#x|%o|%#o|%O|%b|%c|%q|%U|%.3d|%.0d\" 42 42 42 "
     "-42 42 42 -255 255 255 8 8 8 5 65 65 65 7 0}}",
     NULL, "42|   42|42   |-0042|+42| 42|-ff|FF|0xff|10|010|0o10|101|A|'A'|U+0041|007|", NULL},
    {"strings",
     "{{printf \"%5s|%-5s|%.2s|%q|%x|% x|%#x|%X\" \"ab\" \"ab\" \"h\u00e9llo\" \"a\\\"b\\n\" "
     "\"hi\" \"hi\" \"hi\" \"hi\"}}",
     NULL, "   ab|ab   |h\u00e9|\"a\\\"b\\n\"|6869|68 69|0x6869|6869", NULL},
    {"%T", "{{printf \"%T %T %T %T %T %T %T\" 1 1.5 \"s\" true .l .m nil}}", "{\"l\":[],\"m\":{}}",
     "int float64 string bool []interface {} map[string]interface {} <nil>", NULL},
    {"%t", "{{printf \"%t %t\" true 1}}", NULL, "true %!t(int=1)", NULL},
    {"%q unicode", "{{printf \"%q %+q\" \"\u00e9\u2028\" \"\u00e9\"}}", NULL,
     "\"\u00e9\\u2028\" \"\\u00e9\"", NULL},
    {"%#q backquotes", "{{printf \"%#q\" \"a\"}}", NULL, "`a`", NULL},
    {"%#v string", "{{printf \"%#v\" \"a\"}}", NULL, "\"a\"", NULL},
    {"%x float", "{{printf \"%x\" 1.5}}", NULL, "0x1.8p+00", NULL},
};

static void test_printing(void **state)
{
    (void)state;
    assert_int_equal(tt_check_table(printing, N(printing)), 0);
}

static void test_marshal(void **state)
{
    (void)state;
    assert_int_equal(tt_check_table(marshal, N(marshal)), 0);
}

static void test_fmt(void **state)
{
    (void)state;
    assert_int_equal(tt_check_table(fmt, N(fmt)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printing),
        cmocka_unit_test(test_marshal),
        cmocka_unit_test(test_fmt),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
