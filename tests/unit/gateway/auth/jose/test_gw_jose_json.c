/* test_gw_jose_json.c - the fast JSON path of token headers and claims agrees with jansson
 * (cmn_json_loadb_strict) on every document: same values, types and member order when it
 * answers, and the same answer and error text through gw_jose_json_load always. */
#include "cmn_json.h"
#include "gw_jose_json.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MAX_BYTES 4096
#define DEPTH 4
#define RANDOM_DOCS 200000

static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Checks one document of n bytes; returns whether the fast path answered. */
static bool check_doc(const char *doc, size_t n)
{
    struct cmn_err e1 = {0}, e2 = {0};
    json_t *fast = gw_jose_json_fast(doc, n, DEPTH);
    json_t *ref = cmn_json_loadb_strict(doc, n, MAX_BYTES, DEPTH, &e1);
    json_t *got = gw_jose_json_load(doc, n, MAX_BYTES, DEPTH, &e2);
    bool answered = fast != NULL;

    if (fast) {
        char *a = dump(fast), *b = ref ? dump(ref) : NULL;
        if (!ref || !json_equal(fast, ref) || strcmp(a, b) != 0)
            fail_msg("fast path disagrees with jansson on [%.*s]: %s vs %s", (int)n, doc, a,
                     b ? b : e1.msg);
        free(a);
        free(b);
    }
    if (!ref != !got)
        fail_msg("load disagrees with jansson on [%.*s]", (int)n, doc);
    if (ref) {
        char *a = dump(got), *b = dump(ref);
        assert_string_equal(a, b);
        free(a);
        free(b);
    } else {
        assert_string_equal(e1.msg, e2.msg);
    }
    json_decref(fast);
    json_decref(ref);
    json_decref(got);
    return answered;
}

static void test_plain_documents_take_the_fast_path(void **state)
{
    static const char *const DOCS[] = {
        "{}",
        " \t\r\n{ } \n",
        "{\"alg\":\"RS256\",\"kid\":\"bench-rs256-1\",\"typ\":\"JWT\"}",
        "{\"iss\":\"https://localhost:8090\",\"aud\":\"https://api.example.com/booking\","
        "\"sub\":\"bench-client\",\"iat\":1700000000,\"exp\":4102444800,\"jti\":\"j-1\","
        "\"scope\":\"booking-api:item:read\"}",
        "{\"aud\":[\"a\",\"b\"],\"roles\":[],\"o\":{},\"n\":{\"x\":{\"y\":1}}}",
        "{ \"a\" : 1 , \"b\" : [ 1 , -2 , 0 , -0 ] }",
        "{\"t\":true,\"f\":false,\"z\":null}",
        "{\"e\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"}",
        "{\"\":\"\",\"~\":\"\x7f\"}",
        "{\"big\":999999999999999999,\"neg\":-999999999999999999}",
        "{\"https://example.com/claims\":{\"roles\":[\"admin\"]}}",
        "{\"a\":\"b\",\"A\":\"b\"}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(DOCS) / sizeof(DOCS[0]); i++)
        if (!check_doc(DOCS[i], strlen(DOCS[i])))
            fail_msg("expected the fast path to answer [%s]", DOCS[i]);
}

static void test_other_documents_go_to_jansson(void **state)
{
    static const char *const DOCS[] = {
        "",
        " ",
        "[]",
        "\"s\"",
        "1",
        "{",
        "}",
        "{\"a\":1,}",
        "{\"a\":1 \"b\":2}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":1}x",
        "{\"a\":1}{}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":{\"b\":1,\"b\":1}}",
        "{\"a\":\"\\u0041\"}",
        "{\"a\":\"\\u0000\"}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\\"}",
        "{\"a\":\"caf\xc3\xa9\"}",
        "{\"a\":\"\xff\"}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":1.0}",
        "{\"a\":1e3}",
        "{\"a\":1E3}",
        "{\"a\":-1.5e-3}",
        "{\"a\":01}",
        "{\"a\":-01}",
        "{\"a\":-}",
        "{\"a\":+1}",
        "{\"a\":.5}",
        "{\"a\":1234567890123456789}",
        "{\"a\":-9223372036854775808}",
        "{\"a\":99999999999999999999999}",
        "{\"a\":truex}",
        "{\"a\":tru}",
        "{\"a\":True}",
        "{\"a\":nul}",
        "{\"a\":[1,]}",
        "{\"a\":[,1]}",
        "{\"a\":[1 2]}",
        "{\"a\":[[[[1]]]]}",
        "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}",
        "\xef\xbb\xbf{}",
        "{\"a\":1}\v",
        "{\"a\"\f:1}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(DOCS) / sizeof(DOCS[0]); i++) {
        if (check_doc(DOCS[i], strlen(DOCS[i])))
            fail_msg("expected the fast path to leave [%s] to jansson", DOCS[i]);
    }
    /* a NUL byte inside a string */
    assert_false(check_doc("{\"a\":\"x\0y\"}", 11));
}

/* Random documents from a small grammar, then mutated: the fast path must never answer what
 * jansson refuses, nor answer it differently. */
static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void gen_value(char *b, size_t *o, size_t cap, int depth);

static void put(char *b, size_t *o, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (*o + n < cap) {
        memcpy(b + *o, s, n);
        *o += n;
    }
}

static void gen_ws(char *b, size_t *o, size_t cap)
{
    static const char *const WS[] = {"", "", "", " ", "\n", "\t", "\r", "  "};

    put(b, o, cap, WS[rnd(8)]);
}

static void gen_string(char *b, size_t *o, size_t cap)
{
    static const char *const PIECES[] = {"a",  "kid", "RS256", "x y", "\\\"", "\\\\", "\\/",
                                         "\\n", "\\u0041", "\xc3\xa9", "~", ":", ",", "}"};
    int n = (int)rnd(4);

    put(b, o, cap, "\"");
    for (int i = 0; i < n; i++)
        put(b, o, cap, PIECES[rnd(sizeof(PIECES) / sizeof(PIECES[0]))]);
    put(b, o, cap, "\"");
}

static void gen_members(char *b, size_t *o, size_t cap, int depth, bool object)
{
    int n = (int)rnd(5);

    put(b, o, cap, object ? "{" : "[");
    gen_ws(b, o, cap);
    for (int i = 0; i < n; i++) {
        if (i) {
            put(b, o, cap, ",");
            gen_ws(b, o, cap);
        }
        if (object) {
            if (rnd(4) == 0) {
                static const char *const NAMES[] = {"\"a\"", "\"b\"", "\"exp\""};
                put(b, o, cap, NAMES[rnd(3)]); /* duplicates now and then */
            } else {
                gen_string(b, o, cap);
            }
            gen_ws(b, o, cap);
            put(b, o, cap, ":");
            gen_ws(b, o, cap);
        }
        gen_value(b, o, cap, depth + 1);
        gen_ws(b, o, cap);
    }
    put(b, o, cap, object ? "}" : "]");
}

static void gen_value(char *b, size_t *o, size_t cap, int depth)
{
    static const char *const SCALARS[] = {
        "0",          "-0",         "7",    "-42",  "1700000000", "999999999999999999",
        "1000000000000000000", "1.5", "2e9", "true", "false",      "null",
        "01",         "-"};

    switch (depth < 6 ? rnd(4) : 3) {
    case 0:
        gen_members(b, o, cap, depth, true);
        break;
    case 1:
        gen_members(b, o, cap, depth, false);
        break;
    case 2:
        gen_string(b, o, cap);
        break;
    default:
        put(b, o, cap, SCALARS[rnd(sizeof(SCALARS) / sizeof(SCALARS[0]))]);
        break;
    }
}

static void test_random_documents_agree_with_jansson(void **state)
{
    static const char MUT[] = "{}[],:\"\\ 0-.eatnu\x01\x80";
    char doc[1024];
    unsigned answered = 0;

    (void)state;
    for (int i = 0; i < RANDOM_DOCS; i++) {
        size_t n = 0;
        gen_members(doc, &n, sizeof(doc) - 8, 0, true);
        for (int m = rnd(3) == 0 ? (int)rnd(3) + 1 : 0; m > 0 && n > 0; m--) {
            size_t at = rnd((unsigned)n);
            switch (rnd(3)) {
            case 0: /* replace */
                doc[at] = MUT[rnd(sizeof(MUT) - 1)];
                break;
            case 1: /* delete */
                memmove(doc + at, doc + at + 1, n - at - 1);
                n--;
                break;
            default: /* insert */
                memmove(doc + at + 1, doc + at, n - at);
                doc[at] = MUT[rnd(sizeof(MUT) - 1)];
                n++;
                break;
            }
        }
        if (check_doc(doc, n))
            answered++;
    }
    /* the generator must exercise the fast path a lot, not only the fallback */
    assert_true(answered > RANDOM_DOCS / 10);
}

static void test_caps_are_jansson_s(void **state)
{
    struct cmn_err err = {0};
    const char *doc = "{\"a\":[[1]]}";

    (void)state;
    /* over max_bytes: refused with cmn_json_loadb_strict's message */
    assert_null(gw_jose_json_load(doc, strlen(doc), 4, DEPTH, &err));
    assert_non_null(strstr(err.msg, "over the limit"));
    /* deeper than max_depth */
    assert_null(gw_jose_json_fast(doc, strlen(doc), 2));
    assert_null(gw_jose_json_load(doc, strlen(doc), MAX_BYTES, 2, &err));
    assert_non_null(strstr(err.msg, "nesting deeper"));
    {
        json_t *v = gw_jose_json_fast(doc, strlen(doc), 3);
        assert_non_null(v);
        json_decref(v);
    }
    assert_null(gw_jose_json_fast(NULL, 0, DEPTH));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_documents_take_the_fast_path),
        cmocka_unit_test(test_other_documents_go_to_jansson),
        cmocka_unit_test(test_random_documents_agree_with_jansson),
        cmocka_unit_test(test_caps_are_jansson_s),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
