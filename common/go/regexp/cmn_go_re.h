/* cmn_go_re.h - Go regular expressions (regexp.Compile, RE2 syntax) run by PCRE2: the one
 * implementation every module that reads a Go pattern uses (bot detector patterns, allowed
 * hosts, CEL's matches()).
 *
 * A pattern is parsed with Go's rules (Go 1.25 regexp/syntax, Perl flags): what Go refuses is
 * refused with Go's message ("error parsing regexp: invalid escape sequence: `\C`"), and what
 * Go accepts is rewritten into a PCRE2 pattern that means the same thing: no PCRE2 syntax
 * reaches PCRE2 unchecked. Matching is regexp.MatchString: unanchored, a yes/no answer, the
 * subject read as UTF-8 with each invalid byte standing for U+FFFD as Go reads it.
 *
 * Compiled patterns are immutable and may be matched from any number of threads at once; each
 * thread keeps one small match area of its own (freed when the thread exits). */
#ifndef CMN_GO_RE_H
#define CMN_GO_RE_H

#include "cmn_buf.h"
#include "cmn_err.h"

#include <stdbool.h>
#include <stddef.h>

/* Patterns longer than this are refused as CMN_GO_RE_UNSUPPORTED (Go has no such cap; its size
 * limits are reached later, and no configuration has a use for longer ones). */
#define CMN_GO_RE_MAX_PATTERN (64 * 1024)
/* Subjects longer than this are not matched (cmn_go_re_match answers CMN_GO_RE_ERROR). */
#define CMN_GO_RE_MAX_SUBJECT (1024 * 1024)
/* Backtracking steps and KiB of backtracking memory one match may use before the DFA matcher
 * takes over; the DFA's own workspace is fixed per thread. */
#define CMN_GO_RE_MATCH_LIMIT 1000000
#define CMN_GO_RE_HEAP_LIMIT_KIB 16384

enum cmn_go_re_status {
    CMN_GO_RE_OK = 0,
    CMN_GO_RE_SYNTAX,      /* Go refuses the pattern; err->msg is Go's message */
    CMN_GO_RE_UNSUPPORTED, /* Go accepts it but PCRE2 cannot run it the same way (or too long) */
    CMN_GO_RE_NOMEM,
};

/* cmn_go_re_compile flags. */
#define CMN_GO_RE_ONCE 0x1u /* matched once or twice (a pattern built at run time): no JIT */

struct cmn_go_re;

/* Translates a Go pattern (n bytes, need not be NUL-terminated, may hold NUL) into the PCRE2
 * pattern cmn_go_re_compile would compile, appended to out. For tests and diagnostics. */
enum cmn_go_re_status cmn_go_re_translate(const char *pattern, size_t n, struct cmn_buf *out,
                                          struct cmn_err *err);

/* regexp.Compile(pattern): an owned regexp (cmn_go_re_destroy) or NULL with err set: code is
 * an enum cmn_go_re_status, msg Go's text for CMN_GO_RE_SYNTAX ("error parsing regexp: ..."),
 * and for the others a text that quotes the pattern. flags: 0 or CMN_GO_RE_ONCE. */
struct cmn_go_re *cmn_go_re_compile(const char *pattern, size_t n, unsigned flags,
                                    struct cmn_err *err);

/* Compiles the literal string s (n bytes, UTF-8): matching answers whether the whole subject
 * equals s as Go's strings.EqualFold does (fold) or byte for byte (!fold). For host lists. */
struct cmn_go_re *cmn_go_re_compile_literal(const char *s, size_t n, bool fold,
                                            struct cmn_err *err);

/* Frees re; NULL is accepted. */
void cmn_go_re_destroy(struct cmn_go_re *re);

/* The PCRE2 pattern a regexp was compiled from (borrowed, lives as long as re). */
const char *cmn_go_re_pcre_pattern(const struct cmn_go_re *re);

enum cmn_go_re_match {
    CMN_GO_RE_NOMATCH = 0,
    CMN_GO_RE_MATCH,
    CMN_GO_RE_LIMIT, /* no answer: backtracking and the DFA both ran out of budget (RE2 never
                      * does: callers say so, e.g. CEL's "exceeded its step limit") */
    CMN_GO_RE_ERROR, /* no answer: subject over CMN_GO_RE_MAX_SUBJECT, or no memory */
};

/* regexp.MatchString(s): whether any substring of s[0..n) matches (s may be NULL when n is 0).
 * Thread-safe; allocates only the calling thread's match area on first use (and a copy of a
 * subject holding invalid UTF-8 longer than 1 KiB). */
enum cmn_go_re_match cmn_go_re_match(const struct cmn_go_re *re, const char *s, size_t n);

/* Frees the calling thread's match area now (it is also freed when the thread exits); the next
 * match on this thread makes a new one. Lets tests end with no memory held. */
void cmn_go_re_thread_release(void);

#endif
