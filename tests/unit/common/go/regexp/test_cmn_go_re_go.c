/* test_cmn_go_re_go.c - cmn_go_re against Go's documented regexp/syntax behaviour: the patterns
 * Go's own parser tests refuse (and the Perl-only/POSIX-only split), more accepted syntax with
 * flags, anchors, classes and escapes, the repeat limit of 1000, invalid UTF-8 as U+FFFD, and
 * the API's edges (flags, NULL subjects, the linear DFA fallback, LIMIT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmn_go_re.h"

static char *repeat_str(const char *a, size_t n, const char *b, size_t m)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(n * la + m * lb + 1);
    char *p = s;

    for (size_t i = 0; i < n; i++, p += la)
        memcpy(p, a, la);
    for (size_t i = 0; i < m; i++, p += lb)
        memcpy(p, b, lb);
    *p = '\0';
    return s;
}

/* Compiles p[0..n), returns the status and leaves Go's message in err. */
static int status_of(const char *p, size_t n, struct cmn_err *err)
{
    struct cmn_go_re *re = cmn_go_re_compile(p, n, 0, err);

    if (!re)
        return err->code;
    cmn_go_re_destroy(re);
    return CMN_GO_RE_OK;
}

/* ---- Go's invalidRegexps (regexp/syntax parse_test.go) with the messages Go gives ---- */

static const struct {
    const char *re, *msg;
} go_invalid[] = {
    {"(", "error parsing regexp: missing closing ): `(`"},
    {")", "error parsing regexp: unexpected ): `)`"},
    {"(a", "error parsing regexp: missing closing ): `(a`"},
    {"a)", "error parsing regexp: unexpected ): `a)`"},
    {"(a))", "error parsing regexp: unexpected ): `(a))`"},
    {"(a|b|", "error parsing regexp: missing closing ): `(a|b|`"},
    {"a|b|)", "error parsing regexp: unexpected ): `a|b|)`"},
    {"(a|b|))", "error parsing regexp: unexpected ): `(a|b|))`"},
    {"(a|b", "error parsing regexp: missing closing ): `(a|b`"},
    {"a|b)", "error parsing regexp: unexpected ): `a|b)`"},
    {"(a|b))", "error parsing regexp: unexpected ): `(a|b))`"},
    {"[a-z", "error parsing regexp: missing closing ]: `[a-z`"},
    {"([a-z)", "error parsing regexp: missing closing ]: `[a-z)`"},
    {"[a-z)", "error parsing regexp: missing closing ]: `[a-z)`"},
    {"([a-z]))", "error parsing regexp: unexpected ): `([a-z]))`"},
    {"x{1001}", "error parsing regexp: invalid repeat count: `{1001}`"},
    {"x{9876543210}", "error parsing regexp: invalid repeat count: `{9876543210}`"},
    {"x{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`"},
    {"x{1,9876543210}", "error parsing regexp: invalid repeat count: `{1,9876543210}`"},
    {"\xff", "error parsing regexp: invalid UTF-8: `\xff`"},
    {"[\xff]", "error parsing regexp: invalid UTF-8: `\xff]`"},
    {"[\\\xff]", "error parsing regexp: invalid UTF-8: `\xff]`"},
    {"\\\xff", "error parsing regexp: invalid UTF-8: `\xff`"},
    {"(?P<name>a", "error parsing regexp: missing closing ): `(?P<name>a`"},
    {"(?P<name>", "error parsing regexp: missing closing ): `(?P<name>`"},
    {"(?P<name", "error parsing regexp: invalid named capture: `(?P<name`"},
    {"(?P<x y>a)", "error parsing regexp: invalid named capture: `(?P<x y>`"},
    {"(?P<>a)", "error parsing regexp: invalid named capture: `(?P<>`"},
    {"(?<name>a", "error parsing regexp: missing closing ): `(?<name>a`"},
    {"(?<name>", "error parsing regexp: missing closing ): `(?<name>`"},
    {"(?<name", "error parsing regexp: invalid named capture: `(?<name`"},
    {"(?<x y>a)", "error parsing regexp: invalid named capture: `(?<x y>`"},
    {"(?<>a)", "error parsing regexp: invalid named capture: `(?<>`"},
    {"[a-Z]", "error parsing regexp: invalid character class range: `a-Z`"},
    {"(?i)[a-Z]", "error parsing regexp: invalid character class range: `a-Z`"},
    {"\\Q\\E*", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a{100000}", "error parsing regexp: invalid repeat count: `{100000}`"},
    {"a{100000,}", "error parsing regexp: invalid repeat count: `{100000,}`"},
    {"((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})",
     "error parsing regexp: invalid repeat count: `{2}`"},
    {"(?:[a-z]{4}){0,251}", "error parsing regexp: invalid repeat count: `{0,251}`"},
    /* Go's onlyPOSIX: stacked repetition is an error with Perl flags */
    {"a++", "error parsing regexp: invalid nested repetition operator: `++`"},
    {"a**", "error parsing regexp: invalid nested repetition operator: `**`"},
    {"a?*", "error parsing regexp: invalid nested repetition operator: `?*`"},
    {"a+*", "error parsing regexp: invalid nested repetition operator: `+*`"},
    {"a{1}*", "error parsing regexp: invalid nested repetition operator: `{1}*`"},
    {".{1}{2}.{3}", "error parsing regexp: invalid nested repetition operator: `{1}{2}`"},
    /* more of Go's messages: look-around, back-references, \C, ranges, escapes in classes */
    {"(?i)(?=x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
    {"(?<!x)", "error parsing regexp: invalid named capture: `(?<!x)`"},
    {"(a)(?P=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`"},
    {"(a)\\2", "error parsing regexp: invalid escape sequence: `\\2`"},
    {"a\\C*", "error parsing regexp: invalid escape sequence: `\\C`"},
    {"[\\C]", "error parsing regexp: invalid escape sequence: `\\C`"},
    {"[b-a]", "error parsing regexp: invalid character class range: `b-a`"},
    {"[\\x{10FFFF}-\\x{0}]", "error parsing regexp: invalid character class range: "
                             "`\\x{10FFFF}-\\x{0}`"},
    {"[a-\\pL]", "error parsing regexp: invalid escape sequence: `\\p`"},
    {"[\\A]", "error parsing regexp: invalid escape sequence: `\\A`"},
    {"\\x{11FFFF}", "error parsing regexp: invalid escape sequence: `\\x{11FFFF`"},
    {"\\xZ1", "error parsing regexp: invalid escape sequence: `\\xZ1`"},
    {"(?i", "error parsing regexp: invalid or unsupported Perl syntax: `(?i`"},
    {"(?z)", "error parsing regexp: invalid or unsupported Perl syntax: `(?z`"},
    {"(?--i)", "error parsing regexp: invalid or unsupported Perl syntax: `(?--`"},
    {"x|*", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"(*)", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"{2}*", "error parsing regexp: missing argument to repetition operator: `{2}`"},
};

static void go_invalid_regexps(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(go_invalid) / sizeof(go_invalid[0]); i++) {
        struct cmn_err err = {0};
        int st = status_of(go_invalid[i].re, strlen(go_invalid[i].re), &err);
        if (st != CMN_GO_RE_SYNTAX || strcmp(err.msg, go_invalid[i].msg) != 0)
            fail_msg("%s: got %d \"%s\", want \"%s\"", go_invalid[i].re, st, err.msg,
                     go_invalid[i].msg);
    }
}

/* The long ones of Go's list: nesting 1000 deep, and sizes past Go's 3.3M instructions. */
static void go_invalid_long(void **state)
{
    struct cmn_err err = {0};
    char *s, *t;

    (void)state;
    s = repeat_str("(", 1000, ")", 1000);
    assert_int_equal(status_of(s, strlen(s), &err), CMN_GO_RE_SYNTAX);
    assert_non_null(strstr(err.msg, "error parsing regexp: expression nests too deeply: `((((("));
    free(s);
    s = repeat_str("(?:", 1000, ")*", 1000);
    assert_int_equal(status_of(s, strlen(s), &err), CMN_GO_RE_SYNTAX);
    assert_non_null(strstr(err.msg, "expression nests too deeply"));
    free(s);
    t = repeat_str("(xx?)", 1000, "", 0);
    s = malloc(strlen(t) + 16);
    snprintf(s, strlen(t) + 16, "(%s){1000}", t);
    assert_int_equal(status_of(s, strlen(s), &err), CMN_GO_RE_SYNTAX);
    assert_non_null(strstr(err.msg, "error parsing regexp: expression too large: `"));
    free(s);
    free(t);
    /* 27,000 \pL: Go's rune-count limit; longer than our 64 KiB pattern cap already */
    s = repeat_str("\\pL", 27000, "", 0);
    assert_int_equal(status_of(s, strlen(s), &err), CMN_GO_RE_UNSUPPORTED);
    free(s);
}

/* Go's onlyPerl list, and other syntax Go accepts (some of it unusual). */
static void go_accepted_syntax(void **state)
{
    static const char *const ok[] = {
        "[a-b-c]",
        "\\Qabc\\E",
        "\\Q*+?{[\\E",
        "\\Q\\\\E",
        "\\Q\\\\\\E",
        "\\Q\\\\\\\\E",
        "(?:a)",
        "(?P<name>a)",
        "(?<name>a)",
        "(?)",
        "(?:)",
        "(?i)(?-i)",
        "(?i-s:a)",
        "(?U)a*",
        "x{1000}",
        "x{0,1000}",
        "x{1000,}",
        "(?:x{10}){100}",
        "(?:x{2}){500}",
        "(?:x{1000}){0}",
        "[[:word:]]",
        "[[:^alpha:]]",
        "[^[:space:]]",
        "\\pN",
        "\\PN",
        "\\p{^N}",
        "\\P{^N}",
        "[\\p{Han}\\d]",
        "\\x{10FFFF}",
        "\\0",
        "\\177",
        "\\z",
        "\\A",
        "a{,5}",
        "a{",
        "{",
        "}",
        "]",
        "a|",
        "|a",
        "^*",
        "$+",
        "\\b*",
        "(?s).",
        "(?m)^$",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct cmn_err err = {0};
        if (status_of(ok[i], strlen(ok[i]), &err) != CMN_GO_RE_OK)
            fail_msg("refused %s: %s", ok[i], err.msg);
    }
}

static const struct {
    const char *re, *subject;
    bool match;
} go_matches[] = {
    /* repetition: {1000} is the most Go allows, and means it */
    {"^x{1000}$", NULL, true}, /* NULL subject: 1000 x (built in the test) */
    {"^(?:x{2}){500}$", NULL, true},
    {"^x{999}$", NULL, false},
    {"^a{2,}$", "aaaaa", true},
    {"^a{2,3}$", "a", false},
    {"^a{0}$", "", true},
    {"a{,2}", "a{,2}", true},
    /* flags: i, m, s, U, set, cleared and scoped */
    {"(?i)straße", "STRASSE", false}, /* simple folding only, as Go */
    {"(?i)σ", "ς", true},
    {"(?i)σ", "Σ", true},
    {"(?i)ǅ", "ǆ", true},
    {"(?i:a)b", "Ab", true},
    {"(?i:a)b", "AB", false},
    {"(?i)a(?-i:b)", "Ab", true},
    {"(?i)a(?-i:b)", "aB", false},
    {"(?s:.)", "\n", true},
    {"(?s-s:.)", "\n", false},
    {"(?m)a$", "a\nb", true},
    {"a$", "a\nb", false},
    {"(?m)^b", "a\nb", true},
    {"^b", "a\nb", false},
    {"(?U)a+b", "aab", true},
    /* anchors */
    {"\\Aab\\z", "ab", true},
    {"\\Aab\\z", "ab\n", false},
    {"^$", "", true},
    {"^$", "\n", false},
    {"(?m)^$", "\n", true},
    {"x^", "x", false},
    {"$x", "x", false},
    {"\\bfoo\\b", "a foo.", true},
    {"\\Bfoo", "afoo", true},
    {"\\bé", "é", false}, /* \b is ASCII: é is no word character */
    /* classes: Perl and POSIX are ASCII, \pX are Unicode */
    {"^\\w+$", "abc_123", true},
    {"^\\w+$", "çé", false},
    {"^\\d$", "٣", false},
    {"^\\D$", "٣", true},
    {"^\\pN$", "٣", true},
    {"^\\s$", "\f", true},
    {"^\\S$", "\v", true},
    {"^[[:space:]]$", "\v", true},
    {"^[[:^alpha:]]$", "1", true},
    {"^[[:^alpha:]]$", "a", false},
    {"^[^[:alpha:]]$", "é", true},
    {"^[[:word:]]$", "_", true},
    {"^\\p{Han}+$", "漢字", true},
    {"^\\p{Greek}$", "a", false},
    {"^\\PL$", "1", true},
    {"^\\p{^L}$", "1", true},
    {"^[\\P{L}a]$", "a", true},
    {"^[^\\PL]$", "x", true},
    {"^.$", "\r", true},
    {"^.$", "\n", false},
    {"^[^a]$", "\n", true},
    {"^[a-c-e]+$", "a-e", true},
    /* escapes */
    {"^\\a\\f\\t\\n\\r\\v$", "\a\f\t\n\r\v", true},
    {"^\\x41\\x{1F600}\\101\\0$", NULL, true}, /* subject built in the test (holds NUL) */
    {"^\\Q^$.*\\E$", "^$.*", true},
    {"^\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\$", ".*+?()[]{}|^$\\", true},
    {"^\\-\\_\\~\\#\\ $", "-_~# ", true},
    /* empty pieces */
    {"a|", "b", true},
    {"(?:)", "x", true},
    {"^(?:)$", "", true},
    {"()", "", true},
    /* invalid UTF-8 in the subject: each bad byte is one U+FFFD */
    {"^\\x{FFFD}{3}$", "\xe2\x28\xa1", false}, /* E2 then ( then A1 */
    {"^\\x{FFFD}\\(\\x{FFFD}$", "\xe2\x28\xa1", true},
    {"^\\x{FFFD}\\x{FFFD}$", "\xf0\x9f", true}, /* a cut 4-byte sequence: two bytes */
    {"^.{2}$", "\xc0\x80", true},               /* overlong NUL: two bad bytes */
    {"^\\p{Cs}$", "\xed\xa0\x80", false},       /* no surrogate ever reaches the matcher */
    {"^\\W$", "\xff", true},
    {"^[^\\x00-\\x{10FFFF}]$", "\xff", false},
    {"^\\P{Any}$", "\xff", false},
};

static void go_matching(void **state)
{
    char thousand[1001], special[16];
    size_t special_len;

    (void)state;
    memset(thousand, 'x', 1000);
    thousand[1000] = '\0';
    memcpy(special,
           "A\xf0\x9f\x98\x80"
           "A",
           6);
    special[6] = '\0';
    special_len = 7;
    for (size_t i = 0; i < sizeof(go_matches) / sizeof(go_matches[0]); i++) {
        struct cmn_err err = {0};
        const char *re = go_matches[i].re, *s = go_matches[i].subject;
        size_t n = s ? strlen(s) : 0;
        struct cmn_go_re *r = cmn_go_re_compile(re, strlen(re), 0, &err);
        enum cmn_go_re_match m;

        if (!r)
            fail_msg("refused %s: %s", re, err.msg);
        if (!s && re[1] == '\\') {
            s = special;
            n = special_len;
        } else if (!s) {
            s = thousand;
            n = 1000;
        }
        m = cmn_go_re_match(r, s, n);
        if (m != (go_matches[i].match ? CMN_GO_RE_MATCH : CMN_GO_RE_NOMATCH))
            fail_msg("%s on \"%s\": got %d (pcre %s)", re, s, m, cmn_go_re_pcre_pattern(r));
        cmn_go_re_destroy(r);
    }
    cmn_go_re_thread_release();
}

/* CMN_GO_RE_ONCE compiles without JIT: the same answers. A NULL subject of length 0 is "". */
static void once_flag_and_null_subject(void **state)
{
    struct cmn_err err = {0};
    struct cmn_go_re *re = cmn_go_re_compile("^(?:ab)*$", 9, CMN_GO_RE_ONCE, &err);

    (void)state;
    assert_non_null(re);
    assert_int_equal(cmn_go_re_match(re, "abab", 4), CMN_GO_RE_MATCH);
    assert_int_equal(cmn_go_re_match(re, "aba", 3), CMN_GO_RE_NOMATCH);
    assert_int_equal(cmn_go_re_match(re, NULL, 0), CMN_GO_RE_MATCH);
    cmn_go_re_destroy(re);
    re = cmn_go_re_compile("a", 1, 0, &err);
    assert_int_equal(cmn_go_re_match(re, NULL, 0), CMN_GO_RE_NOMATCH);
    cmn_go_re_destroy(re);
    cmn_go_re_destroy(NULL);
    cmn_go_re_thread_release();
}

/* PCRE2's DFA matcher restarts at every position of an unanchored search: a pattern that
 * exhausts backtracking on a long subject took 20 s for 30 KB that way. The fallback runs one
 * anchored pass, as RE2 does: 1 MiB of subject here, and seconds to spare under sanitizers. */
static void fallback_is_linear(void **state)
{
    static const char *const pats[] = {"(a*)*[^a]", "(a|aa)*[^a]", "(?:a|a)*[^a]"};
    struct cmn_err err = {0};
    size_t n = CMN_GO_RE_MAX_SUBJECT;
    char *s = malloc(n);
    clock_t t0 = clock();

    (void)state;
    memset(s, 'a', n);
    for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
        struct cmn_go_re *re = cmn_go_re_compile(pats[i], strlen(pats[i]), 0, &err);
        assert_non_null(re);
        assert_int_equal(cmn_go_re_match(re, s, n), CMN_GO_RE_NOMATCH);
        s[n - 1] = 'b';
        assert_int_equal(cmn_go_re_match(re, s, n), CMN_GO_RE_MATCH);
        s[n - 1] = 'a';
        cmn_go_re_destroy(re);
    }
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 60.0);
    free(s);
    cmn_go_re_thread_release();
}

/* A pattern both engines give up on is CMN_GO_RE_LIMIT, not a wrong answer (RE2 would say
 * no match): thousands of live DFA states fill its workspace. */
static void both_engines_out_of_budget(void **state)
{
    static const char pat[] = "(a?){1000}(a?){1000}(a?){1000}[^a]";
    struct cmn_err err = {0};
    struct cmn_go_re *re = cmn_go_re_compile(pat, sizeof(pat) - 1, 0, &err);
    char s[5000];

    (void)state;
    assert_non_null(re);
    memset(s, 'a', sizeof(s));
    assert_int_equal(cmn_go_re_match(re, s, sizeof(s)), CMN_GO_RE_LIMIT);
    assert_int_equal(cmn_go_re_match(re, "ab", 2), CMN_GO_RE_MATCH);
    cmn_go_re_destroy(re);
    cmn_go_re_thread_release();
}

/* Go accepts it, PCRE2's compiled-size limit does not: unsupported, quoting the pattern. */
static void pcre_size_limit_is_unsupported(void **state)
{
    char *s = repeat_str("(?:(?:a|b)?){1000}", 6, "", 0);
    struct cmn_err err = {0};

    (void)state;
    assert_int_equal(status_of(s, strlen(s), &err), CMN_GO_RE_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "is not supported by PCRE2"));
    assert_non_null(strstr(err.msg, "(?:(?:a|b)?){1000}"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(go_invalid_regexps),
        cmocka_unit_test(go_invalid_long),
        cmocka_unit_test(go_accepted_syntax),
        cmocka_unit_test(go_matching),
        cmocka_unit_test(once_flag_and_null_subject),
        cmocka_unit_test(fallback_is_linear),
        cmocka_unit_test(both_engines_out_of_budget),
        cmocka_unit_test(pcre_size_limit_is_unsupported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
