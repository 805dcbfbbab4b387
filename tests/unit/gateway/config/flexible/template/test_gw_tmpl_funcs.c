/* test_gw_tmpl_funcs.c - every template function: Go's built-ins (html js urlquery...),
 * KrakenD's marshal, and sprig's string, list, dict, default, conversion, math, encoding,
 * digest, path, env and random functions with their results and error texts; the function
 * table itself (all of sprig's names parse, which ones run). */
#include "tmpl_testutil.h"
#include "cmn_go_tz.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct tcase strings[] = {
    {"trim", "[{{trim \"  a b \\n\"}}]", NULL, "[a b]", NULL},
    {"upper lower", "{{upper \"h\u00e9llo\"}} {{lower \"\u00c0B\"}}", NULL, "H\u00c9LLO \u00e0b",
     NULL},
    {"title", "{{title \"hello world-foo_bar\"}}", NULL, "Hello World-Foo_bar", NULL},
    {"untitle", "{{untitle \"Hello World\"}}", NULL, "hello world", NULL},
    {"swapcase", "{{swapcase \"This Is A.Test\"}}", NULL, "tHIS iS a.tEST", NULL},
    {"substr",
     "{{substr 1 3 \"abcdef\"}} {{substr -1 2 \"abc\"}} {{substr 2 -1 \"abcdef\"}} "
     "{{substr 2 100 \"abc\"}}",
     NULL, "bc ab cdef c", NULL},
    {"substr start past end", "{{substr 5 100 \"abc\"}}", NULL, NULL,
     "error calling substr: runtime error: slice bounds out of range [5:3]"},
    {"substr reversed", "{{substr 3 1 \"abcdef\"}}", NULL, NULL, "slice bounds out of range [3:1]"},
    {"repeat", "{{repeat 3 \"ab\"}}", NULL, "ababab", NULL},
    {"repeat negative", "{{repeat -1 \"a\"}}", NULL, NULL,
     "error calling repeat: strings: negative Repeat count"},
    {"trimAll", "{{trimAll \"$\" \"$$5.00$\"}} {{trimall \"ab\" \"abxba\"}}", NULL, "5.00 x", NULL},
    {"trimPrefix trimSuffix",
     "{{trimPrefix \"ab\" \"abab\"}} {{trimSuffix \".json\" \"x.json\"}} "
     "{{trimPrefix \"z\" \"ab\"}}",
     NULL, "ab x ab", NULL},
    {"nospace", "{{nospace \"a b\\tc\"}}|{{nospace \"\u00e9b\"}}", NULL, "abc|\u00e9b", NULL},
    {"nospace is byte-wise (goutils)", "{{nospace \"\u00e9 b\"}}", NULL, "\u00c3\u00a9b", NULL},
    {"initials", "{{initials \"First Try\"}}", NULL, "FT", NULL},
    {"contains",
     "{{contains \"cat\" \"catch\"}} {{hasPrefix \"ca\" \"cat\"}} "
     "{{hasSuffix \"at\" \"cat\"}} {{contains \"x\" \"cat\"}}",
     NULL, "true true true false", NULL},
    {"quote", "{{quote \"a\" 1 .nope \"b\\\"c\"}}", "{}", "\"a\" \"1\" \"b\\\"c\"", NULL},
    {"squote", "{{squote \"a\" 1 nil}}", NULL, "'a' '1'", NULL},
    {"cat", "{{cat \"hello\" 1 .nope \"x\"}}", "{}", "hello 1 x", NULL},
    {"indent", "[{{indent 2 \"a\\nb\"}}]", NULL, "[  a\n  b]", NULL},
    {"nindent", "[{{nindent 2 \"a\"}}]", NULL, "[\n  a]", NULL},
    {"replace", "{{replace \" \" \"-\" \"a b c\"}} {{replace \"\" \"-\" \"ab\"}}", NULL,
     "a-b-c -a-b-", NULL},
    {"plural", "{{plural \"one\" \"many\" 1}} {{plural \"one\" \"many\" 2}}", NULL, "one many",
     NULL},
    {"trunc", "{{trunc 3 \"abcdef\"}} {{trunc -2 \"abcdef\"}} {{trunc 10 \"ab\"}}", NULL,
     "abc ef ab", NULL},
    {"abbrev", "{{abbrev 5 \"hello world\"}} {{abbrev 3 \"hello\"}} {{abbrev 20 \"short\"}}", NULL,
     "he... hello short", NULL},
    {"abbrevboth", "{{abbrevboth 5 10 \"1234 5678 9123\"}}", NULL, "...5678...", NULL},
    {"toString", "{{toString 1.5}} {{toString (list 1 2)}} {{toString \"s\"}}", NULL, "1.5 [1 2] s",
     NULL},
    {"split", "{{$a := split \"$\" \"foo$bar$baz\"}}{{$a._0}}{{$a._1}} {{printf \"%T\" $a}}", NULL,
     "foobar map[string]string", NULL},
    {"splitList", "{{splitList \",\" \"a,b,,c\"}} {{len (splitList \",\" \"\")}}", NULL,
     "[a b  c] 1", NULL},
    {"splitList empty separator", "{{splitList \"\" \"ab\u00e9\"}}", NULL, "[a b \u00e9]", NULL},
    {"splitn", "{{$a := splitn \"$\" 2 \"foo$bar$baz\"}}{{$a._0}}|{{$a._1}}", NULL, "foo|bar$baz",
     NULL},
    {"join", "{{join \",\" (list 1 \"a\" .nope 2)}} {{join \"-\" \"x\"}}", "{}", "1,a,2 x", NULL},
    {"sortAlpha", "{{sortAlpha (list \"c\" \"a\" \"B\")}} {{sortAlpha 3}}", NULL, "[B a c] [3]",
     NULL},
    {"toStrings", "{{toStrings (list 1 \"a\")}} {{printf \"%T\" (toStrings (list 1))}}", NULL,
     "[1 a] []string", NULL},
    {"hello", "{{hello}}", NULL, "Hello!", NULL},
    {"html", "{{html \"<script>alert(\\\"XSS\\\");</script>\"}}", NULL,
     "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;", NULL},
    {"html pipeline", "{{printf \"<a'b>\" | html}}", NULL, "&lt;a&#39;b&gt;", NULL},
    {"html missing", "{{html .nope}} {{html 1 .nope 2}}", "{}",
     "&lt;no value&gt; 1&lt;no value&gt;2", NULL},
    {"js", "{{js \"It'd be nice.\"}}", NULL, "It\\'d be nice.", NULL},
    {"js escapes", "{{js \"Go \\\"jump\\\" \\\\ <html> = &\\n\"}}", NULL,
     "Go \\\"jump\\\" \\\\ \\u003Chtml\\u003E \\u003D \\u0026\\u000A", NULL},
    {"js unprintable", "{{js \"\uFFFE\"}}", NULL, "\\uFFFE", NULL},
    {"urlquery", "{{\"http://www.example.org/\"|urlquery}} {{urlquery \"a b&c/\u00e9\"}}", NULL,
     "http%3A%2F%2Fwww.example.org%2F a+b%26c%2F%C3%A9", NULL},
};

static const struct tcase numbers[] = {
    {"atoi", "{{atoi \"42\"}} {{atoi \"x\"}} {{atoi \"+7\"}} {{atoi \"0x10\"}}", NULL, "42 0 7 0",
     NULL},
    {"casts",
     "{{int64 \"0x10\"}} {{int \"12\"}} {{int 3.9}} {{float64 \"1.5\"}} {{int true}} "
     "{{float64 .nope}} {{int \"1_000\"}} {{int64 \"bad\"}}",
     "{}", "16 12 3 1.5 1 0 1000 0", NULL},
    {"cast types", "{{printf \"%T %T %T\" (int 1) (int64 1) (float64 1)}}", NULL,
     "int int64 float64", NULL},
    {"toDecimal", "{{toDecimal \"0777\"}} {{toDecimal 777}} {{toDecimal \"9\"}}", NULL, "511 511 0",
     NULL},
    {"seq", "{{seq 5}}|{{seq 5 1}}|{{seq 1 2 10}}|{{seq 10 -3 1}}|{{seq 1 2 -3}}|{{seq}}", NULL,
     "1 2 3 4 5|5 4 3 2 1|1 3 5 7 9|10 7 4 1||", NULL},
    {"until", "{{until 3}} {{untilStep 3 6 2}} {{until -3}} {{untilStep 1 5 0}}", NULL,
     "[0 1 2] [3 5] [0 -1 -2] []", NULL},
    {"add", "{{add1 2}} {{add 1 2 \"3\" 4.9}} {{add}} {{printf \"%T\" (add 1)}}", NULL,
     "3 10 0 int64", NULL},
    {"sub mul div mod", "{{sub 5 7}} {{mul 2 3 4}} {{div 7 2}} {{div -7 2}} {{mod -7 2}}", NULL,
     "-2 24 3 -3 -1", NULL},
    {"settings numbers in math", "{{add .port 1}} {{mul .n 2}}", "{\"port\":8080,\"n\":1.5}",
     "8081 2", NULL},
    {"div by zero", "{{div 1 0}}", NULL, NULL,
     "error calling div: runtime error: integer divide by zero"},
    {"mod by zero", "{{mod 1 0}}", NULL, NULL, "integer divide by zero"},
    {"int64 overflow wraps", "{{add 9223372036854775807 1}} {{div -9223372036854775808 -1}}", NULL,
     "-9223372036854775808 -9223372036854775808", NULL},
    {"max min", "{{max 1 5 3}} {{min 4 2 9}} {{biggest 1 9}}", NULL, "5 2 9", NULL},
    {"maxf minf", "{{maxf 1 2.5 .nope}} {{minf 1 2.5 -3}}", "{}", "2.5 -3", NULL},
    {"ceil floor round",
     "{{ceil 1.2}} {{floor 1.8}} {{round 3.14159 2}} {{round 2.5 0}} "
     "{{round 1.04 1 0.4}}",
     NULL, "2 1 3.14 3 1.1", NULL},
    {"decimal float math",
     "{{addf 0.1 0.2}} {{subf 1 0.9}} {{mulf 1.1 3}} {{divf 1 3}} "
     "{{add1f 0.1}} {{addf}} {{divf 10 4 2}}",
     NULL, "0.3 0.1 3.3 0.3333333333333333 1.1 0 1.25", NULL},
    {"divf by zero", "{{divf 1 0}}", NULL, NULL, "error calling divf: decimal division by zero"},
    {"addf NaN", "{{addf (float64 \"NaN\") 1}}", NULL, NULL, "Cannot create a Decimal from NaN"},
    {"int64 edges do not overflow",
     "{{untilStep -9223372036854775808 9223372036854775807 4611686018427387904}}|"
     "{{seq 9223372036854775806 9223372036854775807}}|{{seq -9223372036854775807 -1 "
     "-9223372036854775808}}",
     NULL, "[-9223372036854775808 -4611686018427387904 0 4611686018427387904]||", NULL},
    {"randInt full range", "{{randInt -9223372036854775808 9223372036854775807}}", NULL, NULL,
     "invalid argument to Intn"},
    {"randInt range", "{{$r := randInt 5 10}}{{and (ge $r 5) (lt $r 10)}}", NULL, "true", NULL},
    {"randInt empty range", "{{randInt 5 5}}", NULL, NULL, "invalid argument to Intn"},
    {"duration",
     "{{duration \"95\"}} {{duration 95}} {{duration (int64 3600)}} "
     "{{duration (int64 90061)}} {{duration \"-61\"}}",
     NULL, "1m35s 0s 1h0m0s 25h1m1s -1m1s", NULL},
};

static const struct tcase defaults[] = {
    {"default",
     "{{default \"d\" .nope}} {{default \"d\" \"\"}} {{default \"d\" \"x\"}} "
     "{{default \"d\" 0}} {{default \"d\" (list)}} {{default \"d\"}} "
     "{{.nope | default \"p\"}} {{default \"d\" .Null}}",
     "{\"Null\":null}", "d d x d d d p d", NULL},
    {"empty",
     "{{empty \"\"}} {{empty 0}} {{empty .nope}} {{empty (dict)}} {{empty \"a\"}} "
     "{{empty false}} {{empty 0.0}}",
     "{}", "true true true true false true true", NULL},
    {"coalesce", "{{coalesce 0 \"\" .nope \"x\" \"y\"}} {{coalesce 0}}", "{}", "x <no value>",
     NULL},
    {"all any", "{{all 1 \"a\" true}} {{all 1 \"\"}} {{any 0 \"\" 1}} {{any}} {{all}}", NULL,
     "true false true false true", NULL},
    {"ternary",
     "{{ternary \"a\" \"b\" true}} {{ternary \"a\" \"b\" false}} "
     "{{true | ternary \"y\" \"n\"}}",
     NULL, "a b y", NULL},
    {"ternary not bool", "{{ternary 1 2 .s}}", "{\"s\":\"x\"}", NULL,
     "wrong type for value; expected bool; got string"},
    {"compact", "{{compact (list 1 0 \"\" \"a\" .nope (dict) (list 2))}}", "{}", "[1 a [2]]", NULL},
    {"fromJson", "{{(fromJson \"{\\\"a\\\":[1,2]}\").a}} {{fromJson \"bad\"}}", NULL,
     "[1 2] <no value>", NULL},
    {"mustFromJson", "{{mustFromJson \"bad\"}}", NULL, NULL, "error calling mustFromJson: "},
    {"fromJson numbers are floats", "{{printf \"%T\" (fromJson \"1\")}}", NULL, "float64", NULL},
    {"deepCopy",
     "{{$a := dict \"x\" (dict \"y\" 1)}}{{$b := deepCopy $a}}"
     "{{$_ := set $b.x \"y\" 2}}{{$a.x.y}}{{$b.x.y}}",
     NULL, "12", NULL},
    {"types",
     "{{typeOf 1}} {{typeOf 1.5}} {{typeOf .l}} {{typeOf .nope}} {{typeIs \"int\" 1}} "
     "{{typeIsLike \"string\" \"a\"}} {{kindOf (list)}} {{kindOf (dict)}} "
     "{{kindIs \"int\" 1}} {{kindOf nil}} {{typeOf (add 1)}}",
     "{\"l\":[]}", "int float64 []interface {} <nil> true true slice map true invalid int64", NULL},
    {"deepEqual",
     "{{deepEqual (list 1 2) (list 1 2)}} {{deepEqual 1 1.0}} "
     "{{deepEqual (dict \"a\" 1) (dict \"a\" 1)}} {{deepEqual .nope nil}}",
     "{}", "true false true true", NULL},
    {"env", "{{env \"FOO\"}}|{{env \"NOPE\"}}|{{env \"EMPTY\"}}", NULL, "bar||", NULL},
    {"expandenv", "{{expandenv \"x$FOO-${FOO}-$NOPE-${PATHY}/$-${}-$\"}}", NULL,
     "xbar-bar--/x/y/-$", NULL},
    {"fail", "{{fail \"boom\"}}", NULL, NULL, "error calling fail: boom"},
};

static const struct tcase encodings[] = {
    {"b64", "{{b64enc \"hello\"}} {{b64dec \"aGVsbG8=\"}} {{b64enc \"\"}} {{b64enc \"ab\"}}", NULL,
     "aGVsbG8= hello  YWI=", NULL},
    {"b64dec bad", "{{b64dec \"!!\"}}|{{b64dec \"aGVsbG8\"}}", NULL,
     "illegal base64 data at input byte 0|illegal base64 data at input byte 7", NULL},
    {"b64dec newlines", "{{b64dec \"aGVs\\nbG8=\"}}", NULL, "hello", NULL},
    {"b32", "{{b32enc \"hello\"}} {{b32dec \"NBSWY3DP\"}} {{b32enc \"a\"}} {{b32dec \"ME======\"}}",
     NULL, "NBSWY3DP hello ME====== a", NULL},
    {"b32dec bad", "{{b32dec \"1\"}}", NULL, "illegal base32 data at input byte 0", NULL},
    {"adler32", "{{adler32sum \"hello\"}}", NULL, "103547413", NULL},
    {"sha1",
     "{{sha1sum \"abc\"}} {{sha1sum "
     "\"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq\"}}",
     NULL, "a9993e364706816aba3e25717850c26c9cd0d89d 84983e441c3bd26ebaae4aa1f95129e5e54670f1",
     NULL},
    {"sha256", "{{sha256sum \"abc\"}} {{sha256sum \"\"}}", NULL,
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad "
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     NULL},
    {"sha256 two blocks",
     "{{sha256sum "
     "\"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq\"}}",
     NULL, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", NULL},
    {"paths",
     "{{base \"a/b/c.txt\"}} {{dir \"a/b/c.txt\"}} {{clean \"a//b/../c/.\"}} "
     "{{ext \"a/b.tar.gz\"}} {{isAbs \"/x\"}} {{base \"\"}} {{dir \"/\"}} {{base \"/\"}} "
     "{{clean \"/../x\"}} {{clean \"../../x\"}} {{osBase \"x/y/\"}} {{ext \"a.b/c\"}}",
     NULL, "c.txt a/b a/c .gz true . / / /x ../../x y ", NULL},
};

static const struct tcase lists[] = {
    {"list", "{{list 1 \"a\" nil}} {{tuple}}", NULL, "[1 a <nil>] []", NULL},
    {"append prepend",
     "{{append (list 1 2) 3}} {{prepend (list 1 2) 0}} {{push (list) 1}} "
     "{{mustAppend (splitList \",\" \"a\") \"b\"}}",
     NULL, "[1 2 3] [0 1 2] [1] [a b]", NULL},
    {"append on map", "{{append (dict) 1}}", NULL, NULL,
     "error calling append: Cannot push on type map"},
    {"append on string", "{{mustAppend \"s\" 1}}", NULL, NULL,
     "error calling mustAppend: Cannot push on type string"},
    {"append on nil", "{{append .nope 1}}", "{}", NULL,
     "error calling append: runtime error: invalid memory address or nil pointer dereference"},
    {"first last", "{{first (list 1 2)}} {{last (list 1 2)}} {{first (list)}}", NULL,
     "1 2 <no value>", NULL},
    {"first of map", "{{first (dict)}}", NULL, NULL, "Cannot find first on type map"},
    {"rest initial reverse",
     "{{rest (list 1 2 3)}} {{initial (list 1 2 3)}} "
     "{{reverse (list 1 2 3)}} {{rest (list)}}",
     NULL, "[2 3] [1 2] [3 2 1] []", NULL},
    {"uniq without has",
     "{{uniq (list 1 1 2 \"a\" \"a\")}} {{without (list 1 2 3 2) 2}} "
     "{{has 2 (list 1 2)}} {{has 2 .nope}} {{has 2.0 (list 1 2)}}",
     "{}", "[1 2 a] [1 3] true false false", NULL},
    {"has on map", "{{has 1 (dict)}}", NULL, NULL, "Cannot find has on type map"},
    {"slice",
     "{{slice (list 1 2 3 4) 1 3}} {{slice (list 1 2 3) 1}} {{slice (list 1 2 3)}} "
     "{{slice (list)}}",
     NULL, "[2 3] [2 3] [1 2 3] <no value>", NULL},
    {"slice of string", "{{slice \"abc\" 1}}", NULL, NULL,
     "list should be type of slice or array but string"},
    {"slice out of range", "{{slice (list 1 2) 1 5}}", NULL, NULL,
     "reflect.Value.Slice: slice index out of bounds"},
    {"concat", "{{concat (list 1) (list 2 3) (splitList \",\" \"a,b\")}}", NULL, "[1 2 3 a b]",
     NULL},
    {"concat non-list", "{{concat (list 1) 2}}", NULL, NULL, "Cannot concat type int as list"},
    {"chunk", "{{chunk 2 (list 1 2 3 4 5)}} {{chunk 2 (list)}}", NULL, "[[1 2] [3 4] [5]] []",
     NULL},
    {"dict",
     "{{$d := dict \"a\" 1 \"b\"}}{{$d.a}}|{{$d.b}}|{{get $d \"a\"}}|{{get $d \"z\"}}|"
     "{{hasKey $d \"b\"}}|{{keys $d}}|{{values $d}}",
     NULL, "1||1||true|[a b]|[1 ]", NULL},
    {"dict with non-string keys", "{{dict 1 2 nil 3}}", NULL, "map[1:2 <nil>:3]", NULL},
    {"set unset",
     "{{$d := dict}}{{$_ := set $d \"k\" \"v\"}}{{$d.k}}{{$_ := unset $d \"k\"}}"
     "{{len $d}}",
     NULL, "v0", NULL},
    {"set changes the settings map", "{{$_ := set .s \"x\" 1}}{{.s.x}}", "{\"s\":{}}", "1", NULL},
    {"set on missing", "{{set .nope \"a\" 1}}", "{}", NULL,
     "error calling set: assignment to entry in nil map"},
    {"set on list", "{{set (list) \"a\" 1}}", NULL, NULL,
     "wrong type for value; expected map[string]interface {}; got []interface {}"},
    {"get on split", "{{get (split \",\" \"a,b\") \"_0\"}}", NULL, NULL,
     "expected map[string]interface {}; got map[string]string"},
    {"index on split", "{{index (split \",\" \"a,b\") \"_1\"}}", NULL, "b", NULL},
    {"pluck", "{{pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3)}}", NULL, "[1 3]", NULL},
    {"pick omit",
     "{{pick (dict \"a\" 1 \"b\" 2 \"c\" 3) \"a\" \"c\"}} "
     "{{omit (dict \"a\" 1 \"b\" 2) \"a\"}}",
     NULL, "map[a:1 c:3] map[b:2]", NULL},
    {"merge",
     "{{$d := dict \"a\" 1 \"n\" (dict \"x\" 1) \"e\" \"\"}}"
     "{{$s := dict \"a\" 2 \"b\" 3 \"n\" (dict \"y\" 2) \"e\" \"f\"}}{{merge $d $s}}",
     NULL, "map[a:1 b:3 e:f n:map[x:1 y:2]]", NULL},
    {"mergeOverwrite",
     "{{$d := dict \"a\" 1 \"n\" (dict \"x\" 1)}}"
     "{{$s := dict \"a\" 2 \"b\" 3 \"n\" (dict \"x\" 5)}}{{mergeOverwrite $d $s}}",
     NULL, "map[a:2 b:3 n:map[x:5]]", NULL},
    {"merge keeps a non-map destination",
     "{{mergeOverwrite (dict \"a\" \"s\") "
     "(dict \"a\" (dict \"b\" 1))}}",
     NULL, "map[a:s]", NULL},
    {"dig",
     "{{dig \"a\" \"b\" \"def\" (dict \"a\" (dict \"b\" 1))}} "
     "{{dig \"a\" \"x\" \"def\" (dict \"a\" (dict \"b\" 1))}}",
     NULL, "1 def", NULL},
    {"dig bad dict", "{{dig \"a\" \"def\" (list)}}", NULL, NULL,
     "interface conversion: interface {} is []interface {}, not map[string]interface {}"},
    {"dig too few", "{{dig \"a\" 1}}", NULL, NULL, "dig needs at least three arguments"},
    {"include without host", "[{{include \"x.json\"}}]", NULL, "[]", NULL},
    {"include of a number", "{{include 3}}", NULL, NULL,
     "error calling include: interface conversion: interface {} is int, not string"},
    {"include of a setting number", "{{include .n}}", "{\"n\":3}", NULL,
     "interface {} is float64, not string"},
    {"include helm style", "{{include \"x\" .}}", NULL, NULL,
     "wrong number of args for include: want 1 got 2"},
    {"unsupported", "{{regexMatch \"a\" \"a\"}}", NULL, NULL,
     "error calling regexMatch: regexMatch is not supported by this gateway"},
};

static void test_strings(void **state)
{
    (void)state;
    assert_int_equal(tt_check_table(strings, N(strings)), 0);
}

static void test_numbers(void **state)
{
    (void)state;
    assert_int_equal(tt_check_table(numbers, N(numbers)), 0);
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(tt_check_table(defaults, N(defaults)), 0);
}

static void test_encodings(void **state)
{
    (void)state;
    assert_int_equal(tt_check_table(encodings, N(encodings)), 0);
}

static void test_lists(void **state)
{
    (void)state;
    assert_int_equal(tt_check_table(lists, N(lists)), 0);
}

static bool all_in(const char *s, const char *set)
{
    for (; *s; s++)
        if (!strchr(set, *s))
            return false;
    return true;
}

/* Random values: right shape and alphabet; the bytes come from the host. */
static void test_random(void **state)
{
    char err[512], *out;
    static const struct gw_tmpl_host no_random = {0};

    (void)state;
    assert_int_equal(tt_run("{{uuidv4}}", NULL, &out, err, sizeof(err)), GW_TMPL_OK);
    assert_int_equal(strlen(out), 36);
    assert_int_equal(out[14], '4');
    assert_non_null(strchr("89ab", out[19]));
    assert_true(out[8] == '-' && out[13] == '-' && out[18] == '-' && out[23] == '-');
    assert_true(all_in(out, "0123456789abcdef-"));
    free(out);
    assert_int_equal(tt_run("{{randAlpha 40}}|{{randNumeric 40}}|{{randAlphaNum 40}}|"
                            "{{randAscii 40}}|{{randAlpha 0}}|{{randAlpha -3}}",
                            NULL, &out, err, sizeof(err)),
                     GW_TMPL_OK);
    {
        char *bar = strchr(out, '|');
        assert_non_null(bar);
        *bar = '\0';
        assert_int_equal(strlen(out), 40);
        assert_true(all_in(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"));
    }
    free(out);
    assert_int_equal(tt_run("{{randBytes 3 | b64dec | len}} {{len (shuffle \"abcdef\")}}", NULL,
                            &out, err, sizeof(err)),
                     GW_TMPL_OK);
    assert_string_equal(out, "3 6");
    free(out);
    /* without a random source the functions fail instead of returning weak values */
    assert_int_equal(tt_run_ex("{{uuidv4}}", NULL, NULL, &no_random, &out, err, sizeof(err)),
                     GW_TMPL_EXEC);
    assert_non_null(strstr(err, "error calling uuidv4: no random source available"));
    free(out);
}

/* sprig's date functions on the test host's clock (2023-11-14T22:13:20.123Z), formatted with
 * Go's layouts; zones UTC and a POSIX TZ rule for Local (no zoneinfo files needed). */
static const struct tcase dates[] = {
    {"date of Unix seconds", "{{date \"2006-01-02T15:04:05Z07:00\" 1700000000}}", NULL,
     "2023-11-14T23:13:20+01:00", NULL},
    {"every layout element",
     "{{dateInZone \"Mon Monday Jan January 1 01 2 02 _2 __2 002 06 2006 15 3 03 4 04 5 05 PM pm "
     "MST -0700 -07:00 -07 Z0700 Z07:00\" 1700000000 \"UTC\"}}",
     NULL,
     "Tue Tuesday Nov November 11 11 14 14 14 318 318 23 2023 22 10 10 13 13 20 20 PM pm UTC "
     "+0000 +00:00 +00 Z Z",
     NULL},
    {"fractions", "{{dateInZone \"05.000|05.999|05,0|05.9\" now \"UTC\"}}", NULL,
     "20.123|20.123|20,1|20.1", NULL},
    {"now prints Time.String", "{{now}}", NULL, "2023-11-14 23:13:20.123 +0100 CET", NULL},
    {"now in JSON", "{{marshal now}}", NULL, "\"2023-11-14T23:13:20.123+01:00\"", NULL},
    {"date defaults to Local", "{{date \"15:04 MST\" 1700000000}}", NULL, "23:13 CET", NULL},
    {"summer time", "{{date \"15:04 -07:00 MST\" 1690000000}}", NULL, "06:26 +02:00 CEST", NULL},
    {"a float64 is not a date: now (sprig's formatDate)", "{{date \"2006\" .y}}", "{\"y\": 5}",
     "2023", NULL},
    {"htmlDate", "{{htmlDate 86400}} {{htmlDateInZone 0 \"UTC\"}}", NULL, "1970-01-02 1970-01-01",
     NULL},
    {"unixEpoch", "{{unixEpoch now}}", NULL, "1700000000", NULL},
    {"unixEpoch wants a time", "{{unixEpoch 5}}", NULL, NULL,
     "error calling unixEpoch: wrong type for value; expected time.Time; got int"},
    {"dateModify", "{{now | dateModify \"-1h30m\" | dateInZone \"15:04:05.000\" | print}}", NULL,
     NULL, "wrong number of args"},
    {"dateModify moves", "{{dateInZone \"15:04:05.000\" (dateModify \"-1h30m\" now) \"UTC\"}}",
     NULL, "20:43:20.123", NULL},
    {"dateModify keeps the date on a bad duration",
     "{{dateInZone \"15:04\" (dateModify \"soon\" now) \"UTC\"}}", NULL, "22:13", NULL},
    {"mustDateModify fails on it", "{{mustDateModify \"soon\" now}}", NULL, NULL,
     "error calling mustDateModify: time: invalid duration \"soon\""},
    {"ago rounds to seconds", "{{ago 1699999000}} {{ago now}} {{ago \"x\"}}", NULL, "16m40s 0s 0s",
     NULL},
    {"durationRound",
     "{{durationRound \"2h5m\"}} {{durationRound \"49h\"}} {{durationRound \"800h\"}} "
     "{{durationRound \"9000h\"}} {{durationRound \"1s\"}} {{durationRound (int64 90000000000)}}",
     NULL, "2h 2d 1mo 1y 0s 1m", NULL},
    {"other zones are refused, not UTC in disguise", "{{dateInZone \"15\" 0 \"Asia/Tokyo\"}}", NULL,
     NULL, "error calling dateInZone: time zone \"Asia/Tokyo\" is not supported by this gateway"},
    {"time values", "{{typeOf now}} {{kindOf now}} {{if now}}true{{end}} {{printf \"%q\" now}}",
     NULL, "time.Time struct true \"2023-11-14 23:13:20.123 +0100 CET\"", NULL},
};

static void test_dates(void **state)
{
    (void)state;
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    tzset();
    assert_int_equal(tt_check_table(dates, N(dates)), 0);
}

/* A TZif zone "Test/Tokyo" (+09 "JST", no transitions, footer JST-9) built here byte by byte,
 * so named zones are checked without the system's tzdata. */
static void be32(unsigned char *d, size_t *n, uint32_t v)
{
    for (int i = 3; i >= 0; i--)
        d[(*n)++] = (unsigned char)(v >> (8 * i));
}

static void tzif_block(unsigned char *d, size_t *n, int32_t off, const char *abbr)
{
    memcpy(d + *n, "TZif2", 5);
    memset(d + *n + 5, 0, 15);
    *n += 20;
    for (int i = 0; i < 4; i++)
        be32(d, n, 0); /* isut, isstd, leap, transitions */
    be32(d, n, 1);     /* one type */
    be32(d, n, 4);     /* its abbreviation: 3 letters and a NUL */
    be32(d, n, (uint32_t)off);
    d[(*n)++] = 0; /* not DST */
    d[(*n)++] = 0; /* abbreviation index */
    memcpy(d + *n, abbr, 4);
    *n += 4;
}

static int tokyo_loader(void *ctx, const char *name, unsigned char **data, size_t *len)
{
    unsigned char d[128];
    size_t n = 0;

    (void)ctx;
    if (strcmp(name, "Test/Tokyo") != 0)
        return -1;
    tzif_block(d, &n, 0, "UTC");
    tzif_block(d, &n, 32400, "JST");
    memcpy(d + n, "\nJST-9\n", 7);
    n += 7;
    *data = malloc(n);
    if (!*data)
        return -1;
    memcpy(*data, d, n);
    *len = n;
    return 0;
}

/* dateInZone with a host that has a tz database: the zone's offset and abbreviation, as
 * time.LoadLocation gives them; a name it does not know is an error (sprig: UTC, silently). */
static void test_named_zones(void **state)
{
    struct gw_tmpl_host h = *tt_host();
    char *out, err[512];

    (void)state;
    h.zones = cmn_go_tzdb_new(tokyo_loader, NULL, NULL, 0);
    assert_non_null(h.zones);
    assert_int_equal(tt_run_ex("{{dateInZone \"2006-01-02 15:04 MST -07:00\" 1700000000 "
                               "\"Test/Tokyo\"}} {{htmlDateInZone 1700000000 \"Test/Tokyo\"}}",
                               NULL, NULL, &h, &out, err, sizeof(err)),
                     GW_TMPL_OK);
    assert_string_equal(out, "2023-11-15 07:13 JST +09:00 2023-11-15");
    free(out);
    assert_int_equal(tt_run_ex("{{dateInZone \"15\" 0 \"Test/Nowhere\"}}", NULL, NULL, &h, &out,
                               err, sizeof(err)),
                     GW_TMPL_EXEC);
    assert_non_null(strstr(err, "error calling dateInZone: unknown time zone \"Test/Nowhere\""));
    free(out);
    cmn_go_tzdb_destroy(h.zones);
}

/* Functions a program adds (audit's marshal and colored): they take precedence over the
 * built-ins, get their argument as JSON, and their failures are template errors. */
static bool upper_json(void *ctx, const char *js, size_t n, struct cmn_buf *out, char *why,
                       size_t whysz)
{
    (void)ctx;
    if (n && js[0] == '{') {
        snprintf(why, whysz, "no objects");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = js[i] >= 'a' && js[i] <= 'z' ? (char)(js[i] - 32) : js[i];
        if (cmn_buf_append(out, &c, 1) != CMN_BUF_OK)
            return false;
    }
    return true;
}

static void test_host_functions(void **state)
{
    struct gw_tmpl_set *s = gw_tmpl_set_new(NULL);
    struct cmn_buf out;
    struct cmn_err err;
    json_t *data = json_loads("{\"a\": [\"x\", 1]}", 0, NULL);

    (void)state;
    cmn_buf_init(&out, 1024);
    assert_true(gw_tmpl_set_func(s, "shout", upper_json, NULL));
    assert_true(gw_tmpl_set_func(s, "marshal", upper_json, NULL));
    assert_int_equal(
        gw_tmpl_parse(s, "t", "{{shout .a}}|{{marshal \"q\"}}|{{.a | shout}}", 43, &err),
        GW_TMPL_OK);
    assert_int_equal(gw_tmpl_execute(s, "t", data, NULL, &out, &err), GW_TMPL_OK);
    assert_string_equal(cmn_buf_str(&out), "[\"X\",1]|\"Q\"|[\"X\",1]");
    assert_int_equal(gw_tmpl_parse(s, "u", "{{shout .}}", 11, &err), GW_TMPL_OK);
    cmn_buf_reset(&out);
    assert_int_equal(gw_tmpl_execute(s, "u", data, NULL, &out, &err), GW_TMPL_EXEC);
    assert_non_null(strstr(err.msg, "at <shout .>: error calling shout: no objects"));
    /* a set without it does not know the name */
    gw_tmpl_set_destroy(s);
    s = gw_tmpl_set_new(NULL);
    assert_int_equal(gw_tmpl_parse(s, "t", "{{shout 1}}", 11, &err), GW_TMPL_PARSE);
    assert_non_null(strstr(err.msg, "function \"shout\" not defined"));
    gw_tmpl_set_destroy(s);
    cmn_buf_free(&out);
    json_decref(data);
}

/* The table: every sprig v3.2.3 name (and the Go built-ins, marshal, include) parses, as in
 * KrakenD; the table is sorted; the names that are not implemented are exactly the listed
 * families. */
static void test_table(void **state)
{
    static const char *const unsupported[] = {"bcrypt",
                                              "buildCustomCert",
                                              "camelcase",
                                              "decryptAES",
                                              "derivePassword",
                                              "encryptAES",
                                              "genCA",
                                              "genCAWithKey",
                                              "genPrivateKey",
                                              "genSelfSignedCert",
                                              "genSelfSignedCertWithKey",
                                              "genSignedCert",
                                              "genSignedCertWithKey",
                                              "getHostByName",
                                              "htpasswd",
                                              "kebabcase",
                                              "mustRegexFind",
                                              "mustRegexFindAll",
                                              "mustRegexMatch",
                                              "mustRegexReplaceAll",
                                              "mustRegexReplaceAllLiteral",
                                              "mustRegexSplit",
                                              "mustToDate",
                                              "regexFind",
                                              "regexFindAll",
                                              "regexMatch",
                                              "regexQuoteMeta",
                                              "regexReplaceAll",
                                              "regexReplaceAllLiteral",
                                              "regexSplit",
                                              "semver",
                                              "semverCompare",
                                              "snakecase",
                                              "toDate",
                                              "urlJoin",
                                              "urlParse",
                                              "wrap",
                                              "wrapWith"};
    size_t n = gw_tmpl_func_count(), nu = 0;

    (void)state;
    assert_int_equal(n, 230);
    for (size_t i = 0; i < n; i++) {
        const char *name = gw_tmpl_func_name(i);
        char tmpl[128], err[512], *out;
        bool listed = false;
        if (i > 0)
            assert_true(strcmp(gw_tmpl_func_name(i - 1), name) < 0);
        snprintf(tmpl, sizeof(tmpl), "{{if false}}{{%s}}{{end}}", name);
        assert_int_equal(tt_run(tmpl, NULL, &out, err, sizeof(err)), GW_TMPL_OK);
        free(out);
        for (size_t k = 0; k < N(unsupported); k++)
            listed |= strcmp(unsupported[k], name) == 0;
        assert_int_equal(gw_tmpl_func_supported(name), !listed);
        nu += !gw_tmpl_func_supported(name);
    }
    assert_int_equal(nu, N(unsupported));
    assert_null(gw_tmpl_func_name(n));
    assert_false(gw_tmpl_func_supported("toYaml"));
    assert_false(gw_tmpl_func_supported("required"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),     cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_defaults),    cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_lists),       cmocka_unit_test(test_random),
        cmocka_unit_test(test_table),       cmocka_unit_test(test_dates),
        cmocka_unit_test(test_named_zones), cmocka_unit_test(test_host_functions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
