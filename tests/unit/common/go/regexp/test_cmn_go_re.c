/* test_cmn_go_re.c - Go (RE2) syntax run by PCRE2: what Go refuses is refused with Go's message,
 * what Go accepts matches as regexp.MatchString does, Go's limits, threads, and bad subjects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmn_go_re.h"
#include "cmn_go_re_int.h"

/* ---- refused: PCRE (or Perl) syntax Go does not accept, with Go's error text ---- */

struct refused {
    const char *pattern;
    const char *msg; /* NULL: only the status is checked */
};

static const struct refused refused_cases[] = {
    /* back-references */
    {"(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"},
    {"(?P<n>a)(?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`"},
    {"(?<n>a)\\k<n>", "error parsing regexp: invalid escape sequence: `\\k`"},
    {"(a)\\g1", "error parsing regexp: invalid escape sequence: `\\g`"},
    {"(a)\\g{1}", "error parsing regexp: invalid escape sequence: `\\g`"},
    /* look-around */
    {"a(?=b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
    {"a(?!b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"},
    {"(?<=a)b", "error parsing regexp: invalid named capture: `(?<=a)b`"},
    {"(?<!a)b", "error parsing regexp: invalid named capture: `(?<!a)b`"},
    {"(?<=a)b>c", "error parsing regexp: invalid named capture: `(?<=a)b>`"},
    /* possessive quantifiers and stacked repetition */
    {"a*+", "error parsing regexp: invalid nested repetition operator: `*+`"},
    {"a++", "error parsing regexp: invalid nested repetition operator: `++`"},
    {"a?+", "error parsing regexp: invalid nested repetition operator: `?+`"},
    {"a{2}+", "error parsing regexp: invalid nested repetition operator: `{2}+`"},
    {"a**", "error parsing regexp: invalid nested repetition operator: `**`"},
    {"a*?*", "error parsing regexp: invalid nested repetition operator: `*?*`"},
    {"x{2}{3}", "error parsing regexp: invalid nested repetition operator: `{2}{3}`"},
    /* atomic groups, conditionals, recursion, subroutines, branch reset, comments */
    {"(?>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?>`"},
    {"(?(1)a|b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?(`"},
    {"(?R)", "error parsing regexp: invalid or unsupported Perl syntax: `(?R`"},
    {"(a)(?1)", "error parsing regexp: invalid or unsupported Perl syntax: `(?1`"},
    {"(?&n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?&`"},
    {"(?P>n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`"},
    {"(?|a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?|`"},
    {"(?#note)", "error parsing regexp: invalid or unsupported Perl syntax: `(?#`"},
    {"(?'n'a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?'`"},
    {"(?x)a b", "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"},
    {"(?J)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?J`"},
    {"(?C1)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?C`"},
    /* backtracking verbs */
    {"(*FAIL)", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"(*UTF)a", "error parsing regexp: missing argument to repetition operator: `*`"},
    /* escapes PCRE knows and Go does not */
    {"\\C", "error parsing regexp: invalid escape sequence: `\\C`"},
    {"a\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"},
    {"\\Ga", "error parsing regexp: invalid escape sequence: `\\G`"},
    {"a\\Kb", "error parsing regexp: invalid escape sequence: `\\K`"},
    {"\\R", "error parsing regexp: invalid escape sequence: `\\R`"},
    {"\\X", "error parsing regexp: invalid escape sequence: `\\X`"},
    {"\\h", "error parsing regexp: invalid escape sequence: `\\h`"},
    {"\\H", "error parsing regexp: invalid escape sequence: `\\H`"},
    {"\\V", "error parsing regexp: invalid escape sequence: `\\V`"},
    {"\\N", "error parsing regexp: invalid escape sequence: `\\N`"},
    {"\\e", "error parsing regexp: invalid escape sequence: `\\e`"},
    {"\\cA", "error parsing regexp: invalid escape sequence: `\\c`"},
    {"\\o{12}", "error parsing regexp: invalid escape sequence: `\\o`"},
    {"\\u0041", "error parsing regexp: invalid escape sequence: `\\u`"},
    {"\\x4", "error parsing regexp: invalid escape sequence: `\\x4`"},
    {"\\x{110000}", "error parsing regexp: invalid escape sequence: `\\x{110000`"},
    {"\\x{}", "error parsing regexp: invalid escape sequence: `\\x{}`"},
    {"\\8", "error parsing regexp: invalid escape sequence: `\\8`"},
    {"\\é", "error parsing regexp: invalid escape sequence: `\\é`"},
    {"[\\b]", "error parsing regexp: invalid escape sequence: `\\b`"},
    {"[\\Q]\\E]", "error parsing regexp: invalid escape sequence: `\\Q`"},
    {"[a-\\d]", "error parsing regexp: invalid escape sequence: `\\d`"},
    {"a\\", "error parsing regexp: trailing backslash at end of expression: ``"},
    /* classes */
    {"[a", "error parsing regexp: missing closing ]: `[a`"},
    {"[]", "error parsing regexp: missing closing ]: `[]`"},
    {"[^]", "error parsing regexp: missing closing ]: `[^]`"},
    {"[z-a]", "error parsing regexp: invalid character class range: `z-a`"},
    {"(?i)[a-Z]", "error parsing regexp: invalid character class range: `a-Z`"},
    {"[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`"},
    {"[[:<:]]", "error parsing regexp: invalid character class range: `[:<:]`"},
    {"\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`"},
    {"\\pX", "error parsing regexp: invalid character class range: `\\pX`"},
    {"\\p{L&}", "error parsing regexp: invalid character class range: `\\p{L&}`"},
    {"\\p{Grek}", "error parsing regexp: invalid character class range: `\\p{Grek}`"},
    {"\\p{sc=Greek}", "error parsing regexp: invalid character class range: `\\p{sc=Greek}`"},
    {"\\p{Alphabetic}", "error parsing regexp: invalid character class range: `\\p{Alphabetic}`"},
    {"\\p{Xan}", "error parsing regexp: invalid character class range: `\\p{Xan}`"},
    {"\\p{Greek", "error parsing regexp: invalid character class range: `\\p{Greek`"},
    {"\\p", "error parsing regexp: invalid character class range: `\\p`"},
    /* groups */
    {"(a", "error parsing regexp: missing closing ): `(a`"},
    {"a)", "error parsing regexp: unexpected ): `a)`"},
    {"(a))", "error parsing regexp: unexpected ): `(a))`"},
    {"(?i", "error parsing regexp: invalid or unsupported Perl syntax: `(?i`"},
    {"(?-)", "error parsing regexp: invalid or unsupported Perl syntax: `(?-)`"},
    {"(?i-)", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`"},
    {"(?i-m-s)", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-m-`"},
    {"(?P<n>", "error parsing regexp: missing closing ): `(?P<n>`"},
    {"(?P<n", "error parsing regexp: invalid named capture: `(?P<n`"},
    {"(?P<x y>a)", "error parsing regexp: invalid named capture: `(?P<x y>`"},
    {"(?<>a)", "error parsing regexp: invalid named capture: `(?<>`"},
    /* repetition counts */
    {"*a", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a|*", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"(?i)*", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"\\Q\\E*", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"??", "error parsing regexp: missing argument to repetition operator: `??`"},
    {"x{1001}", "error parsing regexp: invalid repeat count: `{1001}`"},
    {"x{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`"},
    {"x{9876543210}", "error parsing regexp: invalid repeat count: `{9876543210}`"},
    {"a{100000,}", "error parsing regexp: invalid repeat count: `{100000,}`"},
    {"((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})",
     "error parsing regexp: invalid repeat count: `{2}`"},
    {"(?:[a-z]{4}){0,251}", "error parsing regexp: invalid repeat count: `{0,251}`"},
    /* UTF-8 */
    {"\xff", "error parsing regexp: invalid UTF-8: `\xff`"},
    {"a[\xff]", "error parsing regexp: invalid UTF-8: `\xff]`"},
    /* Unicode that needs folding PCRE2 does not do on properties */
    {"(?i)\\p{Lu}", NULL},
    {"(?i)[\\p{Ll}a]", NULL},
    {"(?i)\\P{Titlecase_Letter}", NULL},
};

static void refuses_what_go_refuses(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(refused_cases) / sizeof(refused_cases[0]); i++) {
        const struct refused *c = &refused_cases[i];
        struct cmn_err err = {0};
        struct cmn_go_re *re = cmn_go_re_compile(c->pattern, strlen(c->pattern), 0, &err);

        if (re)
            fail_msg("accepted %s", c->pattern);
        if (c->msg) {
            if (err.code != CMN_GO_RE_SYNTAX || strcmp(err.msg, c->msg) != 0)
                fail_msg("%s: got %d \"%s\", want \"%s\"", c->pattern, err.code, err.msg, c->msg);
        } else {
            assert_int_equal(err.code, CMN_GO_RE_UNSUPPORTED);
            assert_non_null(strstr(err.msg, c->pattern));
        }
    }
}

/* ---- accepted: Go syntax, some of which PCRE reads differently, and what it matches ---- */

struct accepted {
    const char *pattern;
    const char *subject;
    bool match;
};

static const struct accepted accepted_cases[] = {
    /* the CE fixture's patterns */
    {"(Pingdom.com_bot_version_).*", "Pingdom.com_bot_version_1.14", true},
    {"(Pingdom.com_bot_version_).*", "xPingdomXcom_bot_version_", true},
    {"(Pingdom.com_bot_version_).*", "Pingdom.com_bot_version", false},
    {"(facebookexternalhit)/.*", "facebookexternalhit/1.2.3", true},
    {"(facebookexternalhit)/.*", "Mozilla facebookexternalhit/", true},
    {"(facebookexternalhit)/.*", "facebookexternalhit", false},
    /* unanchored, case-sensitive */
    {"bot", "Googlebot/2.1", true},
    {"Bot", "Googlebot/2.1", false},
    {"(?i)BOT", "Googlebot/2.1", true},
    {"(?i:B)ot", "GooglebOT", false},
    {"a(?i)b", "aB", true},
    {"(a(?i)b)c", "aBC", false},
    {"(?i)a(?-i)b", "Ab", true},
    {"(?i)a(?-i)b", "AB", false},
    /* anchors: Go's ^ $ are text anchors; $ does not match before a final \n; \z exists */
    {"^a$", "a", true},
    {"^a$", "a\n", false},
    {"a\\z", "a\n", false},
    {"\\Aa", "ba", false},
    {"(?m)^b$", "a\nb\nc", true},
    {"(?m)^$", "a\n", true},
    {"(?m)a$", "a\n", true},
    /* . and newlines */
    {"a.b", "a\nb", false},
    {"(?s)a.b", "a\nb", true},
    {"[^x]", "\n", true},
    /* Go's Perl classes are ASCII; \s has no \v; \v is the vertical tab */
    {"\\d", "\xd9\xa3", false},
    {"\\w", "\xc3\xa9", false},
    {"\\s", "\v", false},
    {"\\v", "\v", true},
    {"[[:space:]]", "\v", true},
    {"\\bbot\\b", "a bot here", true},
    {"\\bbot\\b", "robots", false},
    {"\\bbot",
     "\xc3\xa9"
     "bot",
     true},
    {"\\Bbot", "robot", true},
    {"(?i)\\W", "\xe2\x84\xaa", false},
    {"(?i)k", "\xe2\x84\xaa", true},
    {"(?i)[[:lower:]]", "\xc5\xbf", true},
    {"[[:lower:]]", "K", false},
    /* literal braces (PCRE2 >= 10.43 reads {,2} as a quantifier) */
    {"a{,2}", "a{,2}", true},
    {"a{,2}", "aa", false},
    {"x{1", "x{1", true},
    {"a{2}", "aa", true},
    {"a{2}", "a", false},
    {"^a{2,3}$", "aaaa", false},
    {"{", "{", true},
    /* Go-only and renamed syntax */
    {"(?P<name>bot)", "bot", true},
    {"(?<name>bot)", "bot", true},
    {"(?P<n>a)(?P<n>b)", "ab", true},
    {"\\Q.*+\\E", ".*+", true},
    {"\\Q.*+\\E", "aaa", false},
    {"\\Qab", "ab", true},
    {"\\x41\\x{42}\\101", "ABA", true},
    {"\\08",
     "\x00"
     "8",
     false}, /* subject with NUL is tested separately */
    {"[[.a.]]", "a]", true},
    {"[]a]", "]", true},
    {"[\\d-z]", "-", true},
    {"\\pL", "\xce\xb1", true},
    {"\\pN", "\xd9\xa3", true},
    {"\\p{Greek}", "\xce\xb1", true},
    {"\\p{greek}", "\xce\xb1", true},
    {"\\p{Old Italic}", "\xf0\x90\x8c\x80", true},
    {"\\P{Greek}", "\xce\xb1", false},
    {"\\p{^Greek}", "a", true},
    {"(?i)\\p{Greek}", "\xc2\xb5", true},
    {"\\p{Greek}", "\xc2\xb5", false},
    {"(?i)\\P{Greek}", "\xc2\xb5", false},
    {"(?i)[^\\P{Greek}x]", "X", false},
    {"(?i)[^\\P{Greek}x]", "\xce\xb1", true},
    {"\\p{Any}", "\n", true},
    {"\\P{Any}", "a", false},
    {"[^\\P{Any}]", "a", true},
    {"\\p{ASCII}", "\xc3\xa9", false},
    {"\\p{Letter}", "a", true},
    {"\\p{digit}", "7", true},
    {"\\p{Assigned}", "a", true},
    {"\\pC", "a", false},
    {"\\pC", "\xf0\xaf\xa8\xa0", true}, /* unassigned U+2FA20: Go 1.25's C includes Cn */
    /* empty and alternation */
    {"", "", true},
    {"", "anything", true},
    {"|", "x", true},
    {"a|b|", "c", true},
    {"(|a)+", "b", true},
    {"^*", "a", true},
    {"a(?i)*", "aAA", true},
    {"a\\Q\\E*", "", true},
    /* invalid UTF-8 in the subject: Go reads each bad byte as U+FFFD */
    {"^.$", "\xff", true},
    {"^..$", "\xe2\x84", true},
    {"\\x{FFFD}", "a\xffz", true},
    {"^[^a]$", "\xc0", true},
    {"a.c",
     "a\xed\xa0\x80"
     "c",
     false}, /* a surrogate is three bad bytes */
    {"a...c",
     "a\xed\xa0\x80"
     "c",
     true},
};

static void accepts_and_matches_as_go(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(accepted_cases) / sizeof(accepted_cases[0]); i++) {
        const struct accepted *c = &accepted_cases[i];
        struct cmn_err err = {0};
        struct cmn_go_re *re = cmn_go_re_compile(c->pattern, strlen(c->pattern), 0, &err);
        enum cmn_go_re_match m;

        if (!re)
            fail_msg("refused %s: %s", c->pattern, err.msg);
        m = cmn_go_re_match(re, c->subject, strlen(c->subject));
        if (m != (c->match ? CMN_GO_RE_MATCH : CMN_GO_RE_NOMATCH))
            fail_msg("%s on \"%s\": got %d (pcre %s)", c->pattern, c->subject, m,
                     cmn_go_re_pcre_pattern(re));
        cmn_go_re_destroy(re);
    }
    cmn_go_re_thread_release();
}

static void nul_in_pattern_and_subject(void **state)
{
    struct cmn_err err = {0};
    struct cmn_go_re *re = cmn_go_re_compile("a\\08", 4, 0, &err);

    (void)state;
    assert_non_null(re);
    assert_int_equal(cmn_go_re_match(re,
                                     "xa\0"
                                     "8",
                                     4),
                     CMN_GO_RE_MATCH);
    assert_int_equal(cmn_go_re_match(re, "xa8", 3), CMN_GO_RE_NOMATCH);
    cmn_go_re_destroy(re);
    re = cmn_go_re_compile("a\0b", 3, 0, &err); /* a literal NUL in the pattern */
    assert_non_null(re);
    assert_int_equal(cmn_go_re_match(re, "a\0b", 3), CMN_GO_RE_MATCH);
    cmn_go_re_destroy(re);
    cmn_go_re_thread_release();
}

/* ---- what PCRE2 is actually given ---- */

static void translation_spells_go_semantics(void **state)
{
    static const struct {
        const char *go, *pcre;
    } t[] = {
        {"^a$", "\\Aa\\z"},
        {"(?m)^a$", "(?<![^\\n])a(?![^\\n])"},
        {"a.", "a[^\\n]"},
        {"\\d\\s", "[0-9][\\x{9}-\\x{A}\\x{C}-\\x{D}\\x{20}]"},
        {"(?i)[[:lower:]]", "(?i:[A-Za-z\\x{17F}\\x{212A}])"},
        {"(?P<n>a)b*?", "(a)b*?"},
        {"(?U)a*", "a*?"},
        {"a{,2}", "a\\x{7B}\\x{2C}2\\x{7D}"},
        {"\\p{LC}", "[\\p{L&}]"},
        {"\\p{Assigned}", "[\\P{Cn}]"},
        {"(?i)\\pL", "(?i:[\\p{L}\\x{345}])"},
        {"(?i)\\P{Greek}", "(?:(?![\\x{B5}\\x{345}])\\P{Greek})"},
        {"\\P{Any}", "(?!)"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct cmn_buf b;
        struct cmn_err err = {0};

        cmn_buf_init(&b, 1 << 16);
        assert_int_equal(cmn_go_re_translate(t[i].go, strlen(t[i].go), &b, &err), CMN_GO_RE_OK);
        if (strcmp(cmn_buf_str(&b), t[i].pcre) != 0)
            fail_msg("%s -> %s, want %s", t[i].go, cmn_buf_str(&b), t[i].pcre);
        cmn_buf_free(&b);
    }
}

/* Every Unicode name Go knows compiles, except the two scripts Unicode 15 added after the
 * PCRE2 this gateway is built with, which are refused as unsupported (not as Go errors). */
static void every_unicode_name_compiles(void **state)
{
    (void)state;
    for (size_t i = 0; i < cmn_gre_uname_count(); i++) {
        const struct gre_uname *u = cmn_gre_uname_get((int)i);
        char pat[128];
        struct cmn_err err = {0};
        struct cmn_go_re *re;

        snprintf(pat, sizeof(pat), "\\p{%s}", u->go);
        re = cmn_go_re_compile(pat, strlen(pat), 0, &err);
        if (!re) {
            if (strcmp(u->go, "Kawi") != 0 && strcmp(u->go, "Nag_Mundari") != 0)
                fail_msg("%s: %s", pat, err.msg);
            assert_int_equal(err.code, CMN_GO_RE_UNSUPPORTED);
            continue;
        }
        cmn_go_re_destroy(re);
    }
}

/* ---- Go's size and depth limits ---- */

static char *repeat_str(const char *a, size_t n, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(n * (la + lb) + 1);
    char *p = s;

    for (size_t i = 0; i < n; i++, p += la)
        memcpy(p, a, la);
    for (size_t i = 0; i < n; i++, p += lb)
        memcpy(p, b, lb);
    *p = '\0';
    return s;
}

static enum cmn_go_re_status compile_status(const char *pat, struct cmn_err *err)
{
    struct cmn_go_re *re = cmn_go_re_compile(pat, strlen(pat), 0, err);

    if (!re)
        return (enum cmn_go_re_status)err->code;
    cmn_go_re_destroy(re);
    return CMN_GO_RE_OK;
}

static void go_limits(void **state)
{
    struct cmn_err err = {0};
    char *s;

    (void)state;
    s = repeat_str("(", 999, ")");
    assert_int_equal(compile_status(s, &err), CMN_GO_RE_OK);
    free(s);
    s = repeat_str("(", 1000, ")");
    assert_int_equal(compile_status(s, &err), CMN_GO_RE_SYNTAX);
    assert_non_null(strstr(err.msg, "expression nests too deeply"));
    free(s);
    s = repeat_str("(?:", 999, ")*");
    assert_int_equal(compile_status(s, &err), CMN_GO_RE_OK);
    free(s);
    s = repeat_str("(?:", 1000, ")*");
    assert_int_equal(compile_status(s, &err), CMN_GO_RE_SYNTAX);
    free(s);
    /* 1000 copies of (xx?){1000}: Go's "expression too large" */
    s = repeat_str("(xx?){1000}", 1000, "");
    assert_int_equal(compile_status(s, &err), CMN_GO_RE_SYNTAX);
    assert_non_null(strstr(err.msg, "expression too large"));
    free(s);
    assert_int_equal(compile_status("((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}))", &err),
                     CMN_GO_RE_OK);
    assert_int_equal(compile_status("(?:[a-z]{4}){0,250}", &err), CMN_GO_RE_OK);
    s = malloc(CMN_GO_RE_MAX_PATTERN + 2);
    memset(s, 'a', CMN_GO_RE_MAX_PATTERN + 1);
    s[CMN_GO_RE_MAX_PATTERN + 1] = '\0';
    assert_int_equal(compile_status(s, &err), CMN_GO_RE_UNSUPPORTED);
    free(s);
}

/* ---- matching guarantees ---- */

static void catastrophic_pattern_answers_in_time(void **state)
{
    struct cmn_err err = {0};
    struct cmn_go_re *re = cmn_go_re_compile("(a*)*b", 6, 0, &err);
    char subject[20001];
    clock_t t0 = clock();

    (void)state;
    assert_non_null(re);
    memset(subject, 'a', sizeof(subject) - 1);
    subject[sizeof(subject) - 1] = '\0';
    /* backtracking alone would take forever; the DFA fallback answers like RE2 */
    assert_int_equal(cmn_go_re_match(re, subject, strlen(subject)), CMN_GO_RE_NOMATCH);
    subject[sizeof(subject) - 2] = 'b';
    assert_int_equal(cmn_go_re_match(re, subject, strlen(subject)), CMN_GO_RE_MATCH);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 20.0);
    cmn_go_re_destroy(re);
    cmn_go_re_thread_release();
}

static void oversized_subject_is_no_answer(void **state)
{
    struct cmn_err err = {0};
    struct cmn_go_re *re = cmn_go_re_compile("a", 1, 0, &err);
    char *big = malloc(CMN_GO_RE_MAX_SUBJECT + 1);

    (void)state;
    memset(big, 'a', CMN_GO_RE_MAX_SUBJECT + 1);
    assert_int_equal(cmn_go_re_match(re, big, CMN_GO_RE_MAX_SUBJECT + 1), CMN_GO_RE_ERROR);
    /* a long subject with a bad byte goes through the heap copy */
    big[5000] = '\xff';
    assert_int_equal(cmn_go_re_match(re, big, 10000), CMN_GO_RE_MATCH);
    free(big);
    cmn_go_re_destroy(re);
    cmn_go_re_thread_release();
}

static void literal_equal_fold_as_go(void **state)
{
    struct cmn_err err = {0};
    struct cmn_go_re *re = cmn_go_re_compile_literal("key.example.com", 15, true, &err);

    (void)state;
    assert_non_null(re);
    assert_int_equal(cmn_go_re_match(re, "KEY.Example.COM", 15), CMN_GO_RE_MATCH);
    assert_int_equal(cmn_go_re_match(re,
                                     "\xe2\x84\xaa"
                                     "ey.example.com",
                                     17),
                     CMN_GO_RE_MATCH);
    assert_int_equal(cmn_go_re_match(re, "key.example.com.", 16), CMN_GO_RE_NOMATCH);
    assert_int_equal(cmn_go_re_match(re, "keyxexample.com", 15), CMN_GO_RE_NOMATCH);
    cmn_go_re_destroy(re);
    re = cmn_go_re_compile_literal("a.b", 3, false, &err);
    assert_int_equal(cmn_go_re_match(re, "a.b", 3), CMN_GO_RE_MATCH);
    assert_int_equal(cmn_go_re_match(re, "A.b", 3), CMN_GO_RE_NOMATCH);
    cmn_go_re_destroy(re);
    cmn_go_re_thread_release();
}

struct thread_arg {
    const struct cmn_go_re *re;
    int errors;
};

static void *hammer(void *p)
{
    struct thread_arg *a = p;

    for (int i = 0; i < 20000; i++) {
        const char *s = (i & 1) ? "Mozilla facebookexternalhit/1.1" : "Mozilla/5.0 Firefox";
        enum cmn_go_re_match want = (i & 1) ? CMN_GO_RE_MATCH : CMN_GO_RE_NOMATCH;
        if (cmn_go_re_match(a->re, s, strlen(s)) != want)
            a->errors++;
    }
    return NULL; /* the thread's match area is freed at exit */
}

static void shared_across_threads(void **state)
{
    struct cmn_err err = {0};
    struct cmn_go_re *re = cmn_go_re_compile("(facebookexternalhit)/.*", 24, 0, &err);
    pthread_t th[4];
    struct thread_arg args[4];

    (void)state;
    assert_non_null(re);
    for (int i = 0; i < 4; i++) {
        args[i].re = re;
        args[i].errors = 0;
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].errors, 0);
    }
    cmn_go_re_destroy(re);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refuses_what_go_refuses),
        cmocka_unit_test(accepts_and_matches_as_go),
        cmocka_unit_test(nul_in_pattern_and_subject),
        cmocka_unit_test(translation_spells_go_semantics),
        cmocka_unit_test(every_unicode_name_compiles),
        cmocka_unit_test(go_limits),
        cmocka_unit_test(catastrophic_pattern_answers_in_time),
        cmocka_unit_test(oversized_subject_is_no_answer),
        cmocka_unit_test(literal_equal_fold_as_go),
        cmocka_unit_test(shared_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
