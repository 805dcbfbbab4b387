/* test_gw_jsonschema.c - the validator's own cases: KrakenD's error text (spec §5.3), the CE case
 * jsonschema_1 (§5.4), body parsing as Go's json.Unmarshal, numbers, regexes, drafts, no remote
 * references, and the caps that keep hostile schemas and bodies bounded. */
#include "gw_jsonschema_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tu_file.h"

static struct gw_jsonschema *compile(const char *schema, const struct gw_jsonschema_options *opt)
{
    struct cmn_err err = {0};
    struct gw_jsonschema *s = gw_jsonschema_compile_text(schema, strlen(schema), opt, &err);

    if (!s)
        fail_msg("compile %s: %s", schema, err.msg);
    return s;
}

/* The status of validating body, and the text in out (caller frees out). */
static enum gw_jsonschema_status run(const struct gw_jsonschema *s, const char *body,
                                     enum gw_jsonschema_output mode, struct cmn_buf *out)
{
    cmn_buf_init(out, 1u << 20);
    return gw_jsonschema_validate(s, body, strlen(body), mode, out);
}

/* Asserts that body gets status st with exactly the text want. */
static void expect(const char *schema, const char *body, enum gw_jsonschema_status st,
                   const char *want)
{
    struct gw_jsonschema *s = compile(schema, NULL);
    struct cmn_buf out;
    enum gw_jsonschema_status got = run(s, body, GW_JSONSCHEMA_ALL_ERRORS, &out);

    if (got != st || strcmp(cmn_buf_str(&out), want) != 0)
        fail_msg("schema %s body %s: status %d text [%s], want %d [%s]", schema, body, got,
                 cmn_buf_str(&out), st, want);
    cmn_buf_free(&out);
    gw_jsonschema_destroy(s);
}

static void valid(const char *schema, const char *body)
{
    expect(schema, body, GW_JSONSCHEMA_OK, "");
}

static bool compiles(const char *schema, struct cmn_err *err)
{
    struct gw_jsonschema *s = gw_jsonschema_compile_text(schema, strlen(schema), NULL, err);

    gw_jsonschema_destroy(s);
    return s != NULL;
}

static void refused(const char *schema, const char *needle)
{
    struct cmn_err err = {0};

    if (compiles(schema, &err))
        fail_msg("%s compiled, a compile error was expected", schema);
    assert_int_equal(err.code, GW_JSONSCHEMA_SCHEMA);
    if (!strstr(err.msg, needle))
        fail_msg("%s: error [%s] lacks [%s]", schema, err.msg, needle);
}

/* §5.4 jsonschema_1: POST /jsonschema {"foo":42} against {"type":"number"} is refused; with
 * return_error_msg the body would be this line. */
static void test_ce_jsonschema_1(void **state)
{
    (void)state;
    expect("{\"type\":\"number\"}", "{\"foo\":42}", GW_JSONSCHEMA_INVALID,
           "- at '': got object, want number");
    valid("{\"type\":\"number\"}", "42");
}

/* §5.3: the documented body, and the shapes of nested causes. */
static void test_error_text(void **state)
{
    (void)state;
    expect("{\"required\":[\"number\",\"street_name\",\"street_type\"]}", "{}",
           GW_JSONSCHEMA_INVALID,
           "- at '': missing properties 'number', 'street_name', 'street_type'");
    expect("{\"required\":[\"a\"]}", "{}", GW_JSONSCHEMA_INVALID, "- at '': missing property 'a'");
    /* a schema with several errors: the root's are lifted, a nested one is a group */
    expect("{\"required\":[\"x\"],\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"a\":1}",
           GW_JSONSCHEMA_INVALID,
           "- at '': missing property 'x'\n- at '/a': got number, want string");
    /* the only error of the root is a group: the library lifts its causes too */
    expect("{\"properties\":{\"a\":{\"minLength\":3,\"pattern\":\"^x\"}}}", "{\"a\":\"ab\"}",
           GW_JSONSCHEMA_INVALID,
           "- at '/a': minLength: got 2, want 3\n- at '/a': 'ab' does not match pattern '^x'");
    expect(
        "{\"properties\":{\"a\":{\"minLength\":3,\"pattern\":\"^x\"},\"b\":{\"type\":\"null\"}}}",
        "{\"a\":\"ab\",\"b\":0}", GW_JSONSCHEMA_INVALID,
        "- at '/a': validation failed\n  - at '/a': minLength: got 2, want 3\n"
        "  - at '/a': 'ab' does not match pattern '^x'\n- at '/b': got number, want null");
    expect("{\"allOf\":[{\"type\":\"string\"},{\"minimum\":1000}]}", "5", GW_JSONSCHEMA_INVALID,
           "- at '': allOf failed\n  - at '': got number, want string\n"
           "  - at '': minimum: got 5, want 1,000");
    expect("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"boolean\"}]}", "null",
           GW_JSONSCHEMA_INVALID,
           "- at '': anyOf failed\n  - at '': got null, want string\n"
           "  - at '': got null, want boolean");
    expect("{\"oneOf\":[{\"type\":\"number\"},{\"minimum\":0}]}", "1", GW_JSONSCHEMA_INVALID,
           "- at '': oneOf failed, subschemas 0, 1 matched");
    expect("{\"not\":{\"type\":\"number\"}}", "1", GW_JSONSCHEMA_INVALID, "- at '': not failed");
    expect("{\"additionalProperties\":false,\"properties\":{\"a\":{}}}",
           "{\"a\":1,\"b\":2,\"c'\":3}", GW_JSONSCHEMA_INVALID,
           "- at '': additional properties 'b', 'c\\'' not allowed");
    expect("{\"const\":\"x\"}", "1", GW_JSONSCHEMA_INVALID, "- at '': value must be 'x'");
    expect("{\"const\":null}", "1", GW_JSONSCHEMA_INVALID, "- at '': value must be <nil>");
    expect("{\"const\":{\"a\":1}}", "1", GW_JSONSCHEMA_INVALID, "- at '': const failed");
    expect("{\"enum\":[\"a\",1.5,true]}", "2", GW_JSONSCHEMA_INVALID,
           "- at '': value must be one of 'a', 1.5, true");
    expect("{\"enum\":[[1]]}", "2", GW_JSONSCHEMA_INVALID, "- at '': enum failed");
    expect("{\"type\":[\"integer\",\"null\",\"string\"]}", "1.5", GW_JSONSCHEMA_INVALID,
           "- at '': got number, want null or integer or string");
    expect("{\"items\":{\"type\":\"integer\"}}", "[1,\"x\"]", GW_JSONSCHEMA_INVALID,
           "- at '/1': got string, want integer");
    expect("{\"uniqueItems\":true}", "[1,2,{\"a\":[1]},2,{\"a\":[1.0]}]", GW_JSONSCHEMA_INVALID,
           "- at '': items at 1 and 3 are equal");
    expect("{\"contains\":{\"type\":\"string\"}}", "[1]", GW_JSONSCHEMA_INVALID,
           "- at '': no items match contains schema\n  - at '/0': got number, want string");
    expect("{\"contains\":{\"type\":\"string\"},\"maxContains\":1}", "[\"a\",1,\"b\"]",
           GW_JSONSCHEMA_INVALID,
           "- at '': max 1 items required to match contains schema, but matched 2 items at 0 2");
    expect("{\"multipleOf\":0.5}", "1.25", GW_JSONSCHEMA_INVALID,
           "- at '': multipleOf: got 1.25, want 0.5");
    expect("{\"maximum\":1000000}", "1234567.5", GW_JSONSCHEMA_INVALID,
           "- at '': maximum: got 1.2345675\u00d710\u2070\u2076, want 1\u00d710\u2070\u2076");
    expect("{\"dependentRequired\":{\"a\":[\"b\",\"c\"]}}", "{\"a\":1,\"c\":2}",
           GW_JSONSCHEMA_INVALID, "- at '': properties 'b' required, if 'a' exists");
    expect("{\"propertyNames\":{\"maxLength\":2}}", "{\"x\":{\"abc\":1}}", GW_JSONSCHEMA_OK, "");
    expect("{\"properties\":{\"x\":{\"propertyNames\":{\"maxLength\":2}}}}", "{\"x\":{\"abc\":1}}",
           GW_JSONSCHEMA_INVALID,
           "- at '': invalid propertyName 'abc'\n  - at '': maxLength: got 3, want 2");
    expect("{\"minLength\":2}", "\"\\n\\u00e9\\u2028\"", GW_JSONSCHEMA_OK, "");
    expect("{\"maxLength\":1}", "\"\\n\\u00e9\\u2028\"", GW_JSONSCHEMA_INVALID,
           "- at '': maxLength: got 3, want 1");
    expect("{\"pattern\":\"^a\"}", "\"\\n\\u00e9\\u2028\\\"'\"", GW_JSONSCHEMA_INVALID,
           "- at '': '\\n\u00e9\\u2028\"\\'' does not match pattern '^a'");
    expect("false", "{}", GW_JSONSCHEMA_INVALID, "- at '': false schema");
    expect("{\"properties\":{\"a~/b\":false}}", "{\"a~/b\":1}", GW_JSONSCHEMA_INVALID,
           "- at '/a~0~1b': false schema");
    expect("{\"additionalProperties\":{\"type\":\"null\"}}", "{\"a\\u0000b\":1}",
           GW_JSONSCHEMA_INVALID, "- at '/a\\x00b': got number, want null");
}

/* References: one cause hidden, several shown under "validation failed". */
static void test_references(void **state)
{
    (void)state;
    expect("{\"$ref\":\"#/$defs/s\",\"$defs\":{\"s\":{\"type\":\"string\"}}}", "1",
           GW_JSONSCHEMA_INVALID, "- at '': got number, want string");
    expect("{\"$ref\":\"#/$defs/s\",\"$defs\":{\"s\":{\"minLength\":2,\"maxLength\":0}}}", "\"a\"",
           GW_JSONSCHEMA_INVALID,
           "- at '': validation failed\n  - at '': minLength: got 1, want 2\n"
           "  - at '': maxLength: got 1, want 0");
    /* draft-07: the siblings of $ref are ignored */
    valid("{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"$ref\":\"#/definitions/s\","
          "\"maxLength\":0,\"definitions\":{\"s\":{\"type\":\"string\"}}}",
          "\"abc\"");
    /* ... except const, which KrakenD's library checks before the reference (a trap kept) */
    expect("{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"$ref\":\"#/definitions/s\","
           "\"const\":\"x\",\"definitions\":{\"s\":{\"type\":\"string\"}}}",
           "\"abc\"", GW_JSONSCHEMA_INVALID, "- at '': value must be 'x'");
    /* 2020-12 reads $recursiveRef as a plain reference */
    expect("{\"$recursiveRef\":\"#/$defs/s\",\"$defs\":{\"s\":{\"type\":\"string\"}}}", "1",
           GW_JSONSCHEMA_INVALID, "- at '': got number, want string");
    /* 2020-12: they apply */
    expect("{\"$ref\":\"#/$defs/s\",\"maxLength\":0,\"$defs\":{\"s\":{\"type\":\"string\"}}}",
           "\"abc\"", GW_JSONSCHEMA_INVALID, "- at '': maxLength: got 3, want 0");
    /* a reference that consumes nothing: reported, never a loop */
    expect("{\"$ref\":\"#\"}", "1", GW_JSONSCHEMA_INVALID,
           "- at '': a reference cycle: the schema refers to itself on the same value");
    /* recursion over the instance is fine */
    valid("{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"}}",
          "{\"a\":{\"b\":{\"c\":{}}}}");
    expect("{\"$id\":\"http://example.com/root.json\",\"items\":{\"$ref\":\"item.json\"},"
           "\"$defs\":{\"i\":{\"$id\":\"item.json\",\"type\":\"integer\"}}}",
           "[1,\"x\"]", GW_JSONSCHEMA_INVALID, "- at '/1': got string, want integer");
    expect("{\"items\":{\"$ref\":\"#num\"},\"$defs\":{\"n\":{\"$anchor\":\"num\",\"type\":"
           "\"number\"}}}",
           "[true]", GW_JSONSCHEMA_INVALID, "- at '/0': got boolean, want number");
}

/* Nothing is fetched: references outside the schema do not compile, except whole draft
 * metaschemas, which are known built in. */
static void test_no_remote(void **state)
{
    (void)state;
    refused("{\"$ref\":\"http://example.com/schema.json\"}", "no document is fetched");
    refused("{\"$ref\":\"other.json#/a\"}", "no document is fetched");
    refused("{\"$ref\":\"#/$defs/missing\"}", "JSON pointer not found");
    refused("{\"$ref\":\"#nowhere\"}", "no anchor 'nowhere'");
    refused("{\"$schema\":\"http://example.com/my-meta\"}", "unsupported $schema");
    refused("{\"$schema\":\"http://json-schema.org/draft-03/schema#\"}", "unsupported $schema");
    refused("{\"$ref\":\"https://json-schema.org/draft/2020-12/schema#/$defs/x\"}",
            "only whole draft metaschemas");
    /* a schema validating schemas */
    valid("{\"$ref\":\"http://json-schema.org/draft-07/schema#\"}", "{\"minLength\":1}");
    expect("{\"$ref\":\"http://json-schema.org/draft-07/schema#\"}", "{\"minLength\":-1}",
           GW_JSONSCHEMA_INVALID, "- at '/minLength': must be a non-negative integer");
    expect("{\"properties\":{\"s\":{\"$ref\":\"https://json-schema.org/draft/2020-12/schema\"}}}",
           "{\"s\":{\"properties\":{\"a\":{\"type\":\"nope\"}}}}", GW_JSONSCHEMA_INVALID,
           "- at '/s/properties/a/type': unknown type name");
}

/* What the metaschema refuses is a compile error naming the place. */
static void test_compile_errors(void **state)
{
    (void)state;
    refused("{\"type\":\"text\"}", "at '/type': unknown type name");
    refused("{\"properties\":{\"a\":{\"minLength\":-1}}}",
            "at '/properties/a/minLength': must be a non-negative integer");
    refused("{\"minLength\":1.5}", "non-negative integer");
    refused("{\"required\":\"a\"}", "must be an array of strings");
    refused("{\"required\":[\"a\",\"a\"]}", "unique");
    refused(
        "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"enum\":[1,{\"a\":[2]},1.0]}",
        "unique");
    refused("{\"$recursiveAnchor\":true}", "must match");
    refused("{\"allOf\":[]}", "must not be empty");
    refused("{\"items\":[{}]}", "a schema must be an object or a boolean");
    refused("{\"multipleOf\":0}", "greater than 0");
    refused("{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"not\":true}",
            "a schema must be an object");
    refused("{\"$id\":\"#frag\"}", "must not hold a fragment");
    refused("{\"$defs\":{\"a\":{\"$anchor\":\"x\"},\"b\":{\"$anchor\":\"x\"}}}",
            "duplicate anchor");
    refused("{\"$defs\":{\"a\":{\"$id\":\"http://x/a\"},\"b\":{\"$id\":\"http://x/a\"}}}",
            "duplicate schema id");
    refused("[1,2", "not JSON");
}

/* Patterns are Go's RE2 syntax; what RE2 lacks is refused, not guessed. */
static void test_regex(void **state)
{
    (void)state;
    refused("{\"pattern\":\"a(?=b)\"}", "lookahead (?= is not RE2 syntax");
    refused("{\"pattern\":\"(?<!a)b\"}", "lookbehind (?<! is not RE2 syntax");
    refused("{\"pattern\":\"(a)\\\\1\"}", "backreference \\1 is not RE2 syntax");
    refused("{\"pattern\":\"\\\\u00e9\"}", "invalid escape sequence \\u");
    refused("{\"pattern\":\"a**\"}", "invalid nested repetition operator");
    refused("{\"pattern\":\"*a\"}", "missing argument to repetition operator");
    refused("{\"pattern\":\"a{1001}\"}", "invalid repeat count");
    refused("{\"pattern\":\"(a\"}", "missing closing )");
    refused("{\"pattern\":\"[z-a]\"}", "invalid character class range");
    refused("{\"pattern\":\"(?P<n>a)(?P<n>b)\"}", "duplicate capture group name");
    refused("{\"patternProperties\":{\"(?>a)\":{}}}", "not RE2 syntax");
    valid("{\"pattern\":\"^\\\\p{Greek}+\\\\pL$\"}", "\"\u03b1\u03b2a\"");
    valid("{\"pattern\":\"(?i)^ABC\\\\x{e9}[[:digit:]]\\\\z\"}", "\"abc\u00c94\"");
    valid("{\"pattern\":\"^(?P<w>\\\\w+)\\\\s\\\\d{2,3}?$\"}", "\"a_1 123\"");
    valid("{\"pattern\":\"^\\\\Q.*\\\\E$\"}", "\".*\"");
    expect("{\"pattern\":\"^\\\\Q.*\\\\E$\"}", "\"ab\"", GW_JSONSCHEMA_INVALID,
           "- at '': 'ab' does not match pattern '^\\\\Q.*\\\\E$'");
    /* Go semantics where ECMA-262 differs: \s is ASCII, $ is the end of the text */
    expect("{\"pattern\":\"^\\\\s$\"}", "\"\\u00a0\"", GW_JSONSCHEMA_INVALID,
           "- at '': '\\u00a0' does not match pattern '^\\\\s$'");
    expect("{\"pattern\":\"^a$\"}", "\"a\\n\"", GW_JSONSCHEMA_INVALID,
           "- at '': 'a\\n' does not match pattern '^a$'");
    valid("{\"pattern\":\"(?m)^b$\"}", "\"a\\nb\\n\"");
    /* unanchored search, as Go's MatchString */
    valid("{\"pattern\":\"b+\"}", "\"abbbc\"");
    /* a pattern built to blow up a backtracking engine runs in linear time */
    valid("{\"pattern\":\"^(a+)+$\"}",
          "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"");
    expect("{\"pattern\":\"^(a+)+$\"}",
           "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"",
           GW_JSONSCHEMA_INVALID,
           "- at '': "
           "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab'"
           " does not match pattern '^(a+)+$'");
}

/* The body is read as Go's json.Unmarshal reads it, with its messages (§5.2). */
static void test_body(void **state)
{
    (void)state;
    expect("{}", "", GW_JSONSCHEMA_BAD_BODY, "could not validate an empty body");
    expect("{}", " ", GW_JSONSCHEMA_BAD_BODY, "unexpected end of JSON input");
    expect("{}", "{\"a\":", GW_JSONSCHEMA_BAD_BODY, "unexpected end of JSON input");
    expect("{}", "x", GW_JSONSCHEMA_BAD_BODY,
           "invalid character 'x' looking for beginning of value");
    expect("{}", "{} {}", GW_JSONSCHEMA_BAD_BODY, "invalid character '{' after top-level value");
    expect("{}", "[1,]", GW_JSONSCHEMA_BAD_BODY,
           "invalid character ']' looking for beginning of value");
    expect("{}", "{\"a\" 1}", GW_JSONSCHEMA_BAD_BODY, "invalid character '1' after object key");
    expect("{}", "{\"a\":1 \"b\"}", GW_JSONSCHEMA_BAD_BODY,
           "invalid character '\"' after object key:value pair");
    expect("{}", "[1 2]", GW_JSONSCHEMA_BAD_BODY, "invalid character '2' after array element");
    expect("{}", "{1:2}", GW_JSONSCHEMA_BAD_BODY,
           "invalid character '1' looking for beginning of object key string");
    expect("{}", "01", GW_JSONSCHEMA_BAD_BODY, "invalid character '1' after top-level value");
    expect("{}", "-x", GW_JSONSCHEMA_BAD_BODY, "invalid character 'x' in numeric literal");
    expect("{}", "1.e3", GW_JSONSCHEMA_BAD_BODY,
           "invalid character 'e' after decimal point in numeric literal");
    expect("{}", "1e+", GW_JSONSCHEMA_BAD_BODY, "unexpected end of JSON input");
    expect("{}", "tru", GW_JSONSCHEMA_BAD_BODY, "unexpected end of JSON input");
    expect("{}", "trux", GW_JSONSCHEMA_BAD_BODY,
           "invalid character 'x' in literal true (expecting 'e')");
    expect("{}", "\"a\tb\"", GW_JSONSCHEMA_BAD_BODY, "invalid character '\\t' in string literal");
    expect("{}", "\"\\x\"", GW_JSONSCHEMA_BAD_BODY, "invalid character 'x' in string escape code");
    expect("{}", "\"\\u12g4\"", GW_JSONSCHEMA_BAD_BODY,
           "invalid character 'g' in \\u hexadecimal character escape");
    expect("{}", "'a'", GW_JSONSCHEMA_BAD_BODY,
           "invalid character '\\'' looking for beginning of value");
    expect("{}", "\xff", GW_JSONSCHEMA_BAD_BODY,
           "invalid character '\u00ff' looking for beginning of value");
    /* a repeated key keeps its last value; bad UTF-8 and lone surrogates become U+FFFD */
    expect("{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"a\":\"x\",\"a\":1}",
           GW_JSONSCHEMA_INVALID, "- at '/a': got number, want string");
    valid("{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"a\":1,\"a\":\"x\"}");
    expect("{\"const\":\"\"}", "\"a\xffz\\ud800\"", GW_JSONSCHEMA_INVALID,
           "- at '': value must be ''");
    valid("{\"const\":\"a\ufffdz\ufffd\"}", "\"a\xffz\\ud800\"");
    valid("{\"const\":\"\U0001F600\"}", "\"\\ud83d\\ude00\"");
}

/* Numbers: 1.0 is an integer (as float64 decoding makes it), comparisons are exact. */
static void test_numbers(void **state)
{
    (void)state;
    valid("{\"type\":\"integer\"}", "1.0");
    valid("{\"type\":\"integer\"}", "1e3");
    valid("{\"type\":\"integer\"}", "-0");
    expect("{\"type\":\"integer\"}", "1.5", GW_JSONSCHEMA_INVALID,
           "- at '': got number, want integer");
    valid("{\"const\":1}", "1.000");
    valid("{\"enum\":[100]}", "1e2");
    valid("{\"multipleOf\":0.01}", "0.07");
    valid("{\"multipleOf\":0.0001}", "1e308");
    valid("{\"multipleOf\":123456789012345678901234567890}", "246913578024691357802469135780");
    expect("{\"multipleOf\":123456789012345678901234567890}", "246913578024691357802469135781",
           GW_JSONSCHEMA_INVALID,
           "- at '': multipleOf: got 2.4691357802469136\u00d710\u00b2\u2079, want "
           "1.2345678901234568\u00d710\u00b2\u2079");
    /* beyond 2^53 the comparison is still exact */
    expect("{\"maximum\":9007199254740992}", "9007199254740993", GW_JSONSCHEMA_INVALID,
           "- at '': maximum: got 9.007199254740992\u00d710\u00b9\u2075, "
           "want 9.007199254740992\u00d710\u00b9\u2075");
    valid("{\"minimum\":-1e400}", "-1e399");
    expect("{\"exclusiveMinimum\":0}", "-0.0", GW_JSONSCHEMA_INVALID,
           "- at '': exclusiveMinimum: got 0, want 0");
    expect("{\"minimum\":0.001}", "0.0001", GW_JSONSCHEMA_INVALID,
           "- at '': minimum: got 0.0001, want 0.001");
    expect("{\"minimum\":1}", "-12345.5", GW_JSONSCHEMA_INVALID,
           "- at '': minimum: got -12,345.5, want 1");
}

/* The schema as the gateway holds it: a jansson value from the configuration. */
static void test_jansson(void **state)
{
    json_error_t jerr;
    json_t *j = json_loads("{\"properties\":{\"price\":{\"multipleOf\":0.01,\"maximum\":1e3}},"
                           "\"required\":[\"price\"]}",
                           0, &jerr);
    struct cmn_err err = {0};
    struct gw_jsonschema *s;
    struct cmn_buf out;

    (void)state;
    assert_non_null(j);
    s = gw_jsonschema_compile(j, NULL, &err);
    json_decref(j);
    assert_non_null(s);
    assert_int_equal(gw_jsonschema_draft_of(s), GW_JSONSCHEMA_DRAFT2020);
    assert_int_equal(run(s, "{\"price\":19.99}", GW_JSONSCHEMA_ALL_ERRORS, &out), GW_JSONSCHEMA_OK);
    cmn_buf_free(&out);
    assert_int_equal(run(s, "{\"price\":19.995}", GW_JSONSCHEMA_ALL_ERRORS, &out),
                     GW_JSONSCHEMA_INVALID);
    assert_string_equal(cmn_buf_str(&out), "- at '/price': multipleOf: got 19.995, want 0.01");
    cmn_buf_free(&out);
    gw_jsonschema_destroy(s);
    assert_null(gw_jsonschema_compile(NULL, NULL, &err));
    assert_int_equal(err.code, GW_JSONSCHEMA_SCHEMA);
}

/* The draft comes from $schema (2020-12 without); format asserts up to draft-07 only. */
static void test_drafts(void **state)
{
    struct gw_jsonschema *s;
    struct cmn_err err = {0};

    (void)state;
    valid("{\"format\":\"email\"}", "\"not an email\"");
    expect("{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"format\":\"email\"}",
           "\"not an email\"", GW_JSONSCHEMA_INVALID,
           "- at '': 'not an email' is not valid email: missing @");
    expect("{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"format\":\"date-time\"}",
           "\"2024-02-30T10:00:00Z\"", GW_JSONSCHEMA_INVALID,
           "- at '': '2024-02-30T10:00:00Z' is not valid date-time: invalid date element");
    valid("{\"$schema\":\"http://json-schema.org/draft-06/schema\",\"format\":\"unknown\"}",
          "\"x\"");
    /* draft-04: exclusiveMaximum is a boolean beside maximum */
    expect("{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"maximum\":3,"
           "\"exclusiveMaximum\":true}",
           "3", GW_JSONSCHEMA_INVALID, "- at '': exclusiveMaximum: got 3, want 3");
    /* 2019-09: array items and additionalItems */
    expect("{\"$schema\":\"https://json-schema.org/draft/2019-09/schema\",\"items\":[{}],"
           "\"additionalItems\":false}",
           "[1,2,3]", GW_JSONSCHEMA_INVALID, "- at '': last 2 additionalItem(s) not allowed");
    /* 2020-12: prefixItems, and unevaluated* across applicators */
    expect("{\"prefixItems\":[{\"type\":\"string\"}],\"items\":{\"type\":\"integer\"}}",
           "[\"a\",1,\"b\"]", GW_JSONSCHEMA_INVALID, "- at '/2': got string, want integer");
    expect("{\"allOf\":[{\"properties\":{\"a\":{}}}],\"unevaluatedProperties\":false}",
           "{\"a\":1,\"b\":2}", GW_JSONSCHEMA_INVALID, "- at '/b': false schema");
    s = compile("{\"$schema\":\"https://json-schema.org/draft/2019-09/schema#\"}", NULL);
    assert_int_equal(gw_jsonschema_draft_of(s), GW_JSONSCHEMA_DRAFT2019);
    gw_jsonschema_destroy(s);
    s = gw_jsonschema_compile_text("{}", 2, &(struct gw_jsonschema_options){.default_draft = 3},
                                   &err);
    assert_null(s);
    assert_non_null(strstr(err.msg, "unknown default draft"));
    /* forced format assertion (the suite's optional/format runs) */
    s = compile("{\"format\":\"ipv4\"}", &(struct gw_jsonschema_options){.assert_format = true});
    {
        struct cmn_buf out;
        assert_int_equal(run(s, "\"1.2.3\"", GW_JSONSCHEMA_ALL_ERRORS, &out),
                         GW_JSONSCHEMA_INVALID);
        assert_string_equal(cmn_buf_str(&out),
                            "- at '': '1.2.3' is not valid ipv4: expected four decimals");
        cmn_buf_free(&out);
    }
    gw_jsonschema_destroy(s);
}

/* First-error output stops each schema at its first failing keyword. */
static void test_first_error(void **state)
{
    struct gw_jsonschema *s =
        compile("{\"required\":[\"x\"],\"properties\":{\"a\":{\"type\":\"string\"}}}", NULL);
    struct cmn_buf out;

    (void)state;
    assert_int_equal(run(s, "{\"a\":1}", GW_JSONSCHEMA_FIRST_ERROR, &out), GW_JSONSCHEMA_INVALID);
    assert_string_equal(cmn_buf_str(&out), "- at '': missing property 'x'");
    cmn_buf_free(&out);
    assert_int_equal(run(s, "{\"a\":1,\"x\":0}", GW_JSONSCHEMA_FIRST_ERROR, &out),
                     GW_JSONSCHEMA_INVALID);
    assert_string_equal(cmn_buf_str(&out), "- at '/a': got number, want string");
    cmn_buf_free(&out);
    gw_jsonschema_destroy(s);
}

/* Caps: nothing a client sends, nor a hostile schema, runs unbounded; a cap fails closed. */
static void test_caps(void **state)
{
    struct gw_jsonschema_options opt = {0};
    struct gw_jsonschema *s;
    struct cmn_buf out, schema, body;
    int i;

    (void)state;
    /* nesting deeper than max_depth */
    opt.limits.max_depth = 16;
    s = compile("{}", &opt);
    cmn_buf_init(&body, 1u << 20);
    for (i = 0; i < 20; i++)
        cmn_buf_append_str(&body, "[");
    for (i = 0; i < 20; i++)
        cmn_buf_append_str(&body, "]");
    assert_int_equal(run(s, cmn_buf_str(&body), GW_JSONSCHEMA_ALL_ERRORS, &out),
                     GW_JSONSCHEMA_LIMIT);
    cmn_buf_free(&out);
    gw_jsonschema_destroy(s);
    /* body size */
    opt.limits.max_depth = 0;
    opt.limits.max_instance_bytes = 8;
    s = compile("{}", &opt);
    assert_int_equal(run(s, "\"123456789\"", GW_JSONSCHEMA_ALL_ERRORS, &out), GW_JSONSCHEMA_LIMIT);
    assert_non_null(strstr(cmn_buf_str(&out), "larger than 8 bytes"));
    cmn_buf_free(&out);
    gw_jsonschema_destroy(s);
    /* 2^40 evaluations asked for by 40 definitions each referring twice to the next */
    memset(&opt, 0, sizeof(opt));
    cmn_buf_init(&schema, 1u << 20);
    cmn_buf_append_str(&schema, "{\"$ref\":\"#/$defs/d0\",\"$defs\":{");
    for (i = 0; i < 40; i++)
        cmn_buf_printf(
            &schema, "\"d%d\":{\"anyOf\":[{\"$ref\":\"#/$defs/d%d\"},{\"$ref\":\"#/$defs/d%d\"}]},",
            i, i + 1, i + 1);
    cmn_buf_append_str(&schema, "\"d40\":{\"type\":\"string\"}}}");
    s = compile(cmn_buf_str(&schema), &opt);
    assert_int_equal(run(s, "1", GW_JSONSCHEMA_ALL_ERRORS, &out), GW_JSONSCHEMA_LIMIT);
    assert_string_equal(cmn_buf_str(&out), "jsonschema: validation stopped: work limit reached");
    cmn_buf_free(&out);
    assert_int_equal(run(s, "\"a\"", GW_JSONSCHEMA_ALL_ERRORS, &out), GW_JSONSCHEMA_OK);
    cmn_buf_free(&out);
    gw_jsonschema_destroy(s);
    cmn_buf_free(&schema);
    /* a chain of references deeper than max_eval_depth */
    cmn_buf_init(&schema, 1u << 20);
    cmn_buf_append_str(&schema, "{\"$ref\":\"#/$defs/d0\",\"$defs\":{");
    for (i = 0; i < 2000; i++)
        cmn_buf_printf(&schema, "\"d%d\":{\"$ref\":\"#/$defs/d%d\"},", i, i + 1);
    cmn_buf_append_str(&schema, "\"d2000\":true}}");
    s = compile(cmn_buf_str(&schema), NULL);
    assert_int_equal(run(s, "1", GW_JSONSCHEMA_ALL_ERRORS, &out), GW_JSONSCHEMA_LIMIT);
    assert_string_equal(cmn_buf_str(&out),
                        "jsonschema: validation stopped: schemas nested too deep");
    cmn_buf_free(&out);
    gw_jsonschema_destroy(s);
    cmn_buf_free(&schema);
    /* errors past max_errors are dropped, the verdict stays */
    opt.limits.max_errors = 3;
    s = compile("{\"items\":{\"type\":\"string\"}}", &opt);
    cmn_buf_reset(&body);
    cmn_buf_append_str(&body, "[1,2,3,4,5,6,7,8,9,10]");
    assert_int_equal(run(s, cmn_buf_str(&body), GW_JSONSCHEMA_ALL_ERRORS, &out),
                     GW_JSONSCHEMA_INVALID);
    assert_string_equal(cmn_buf_str(&out), "- at '/0': got number, want string\n"
                                           "- at '/1': got number, want string\n"
                                           "- at '/2': got number, want string");
    cmn_buf_free(&out);
    gw_jsonschema_destroy(s);
    /* an object with many members: lookups stay fast */
    cmn_buf_reset(&body);
    cmn_buf_append_str(&body, "{");
    for (i = 0; i < 50000; i++)
        cmn_buf_printf(&body, "%s\"k%d\":%d", i ? "," : "", i % 40000, i);
    cmn_buf_append_str(&body, "}");
    s = compile("{\"required\":[\"k1\",\"k39999\"],\"maxProperties\":40000,"
                "\"additionalProperties\":{\"type\":\"integer\"}}",
                NULL);
    assert_int_equal(run(s, cmn_buf_str(&body), GW_JSONSCHEMA_ALL_ERRORS, &out), GW_JSONSCHEMA_OK);
    cmn_buf_free(&out);
    gw_jsonschema_destroy(s);
    cmn_buf_free(&body);
}

/* The fuzzer's seeds (tests/data/jsonschema) stay valid schemas with bodies that parse. */
static void test_seeds(void **state)
{
    static const char *const SEEDS[] = {"address", "tuple", "dynamic", "draft7", "numbers"};
    char path[512];

    (void)state;
    for (size_t i = 0; i < sizeof(SEEDS) / sizeof(SEEDS[0]); i++) {
        struct gw_jsonschema *s;
        struct cmn_buf out;
        enum gw_jsonschema_status st;
        char *schema, *body;

        snprintf(path, sizeof(path), GW_TEST_DATA "/jsonschema/%s/schema.json", SEEDS[i]);
        schema = tu_read_file(path, NULL);
        snprintf(path, sizeof(path), GW_TEST_DATA "/jsonschema/%s/body.json", SEEDS[i]);
        body = tu_read_file(path, NULL);
        assert_non_null(schema);
        assert_non_null(body);
        s = compile(schema, NULL);
        st = run(s, body, GW_JSONSCHEMA_ALL_ERRORS, &out);
        if (st != GW_JSONSCHEMA_OK && st != GW_JSONSCHEMA_INVALID)
            fail_msg("seed %s: status %d %s", SEEDS[i], st, cmn_buf_str(&out));
        cmn_buf_free(&out);
        gw_jsonschema_destroy(s);
        free(schema);
        free(body);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ce_jsonschema_1),
        cmocka_unit_test(test_error_text),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_no_remote),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_jansson),
        cmocka_unit_test(test_drafts),
        cmocka_unit_test(test_first_error),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_seeds),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
