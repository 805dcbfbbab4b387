/* cmn_go_re.c - compiles translated Go patterns with PCRE2 and matches them as Go's
 * regexp.MatchString does, from any thread. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "cmn_go_re.h"
#include "cmn_go_re_int.h"

#include <pcre2.h>
#include <pthread.h>
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#include <stdlib.h>
#include <string.h>

/* The translation of a 64 KiB pattern stays well below this. */
#define MAX_PCRE_PATTERN ((size_t)8 << 20)
/* Go's tree is at most 1000 deep; the translation adds a group or two per level. */
#define PARENS_NEST_LIMIT 4000
/* DFA workspace (ints) kept per thread: enough for patterns with thousands of live states. */
#define DFA_WORKSPACE 32768
/* Subjects this short are made valid UTF-8 on the stack. */
#define STACK_SUBJECT 1024

struct cmn_go_re {
    pcre2_code *code; /* the translation, for pcre2_match (JIT when available) */
    pcre2_code *scan; /* (?s:.)*(?:translation), for the anchored DFA fallback */
    pcre2_match_context *mctx;
    char *pattern; /* the PCRE2 text */
};

/* ---- per-thread match area ---- */

struct tls_area {
    pcre2_match_data *md;
    int *workspace;
};

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static bool tls_ok;

static void tls_area_free(void *p)
{
    struct tls_area *a = p;

    if (!a)
        return;
    pcre2_match_data_free(a->md);
    free(a->workspace);
    free(a);
}

static void tls_init(void)
{
    tls_ok = pthread_key_create(&tls_key, tls_area_free) == 0;
}

static struct tls_area *tls_get(void)
{
    struct tls_area *a;

    pthread_once(&tls_once, tls_init);
    if (!tls_ok)
        return NULL;
    a = pthread_getspecific(tls_key);
    if (a)
        return a;
    a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    /* one pair is enough: only whether there is a match matters */
    a->md = pcre2_match_data_create(1, NULL);
    if (!a->md || pthread_setspecific(tls_key, a) != 0) {
        tls_area_free(a);
        return NULL;
    }
    return a;
}

void cmn_go_re_thread_release(void)
{
    pthread_once(&tls_once, tls_init);
    if (!tls_ok)
        return;
    tls_area_free(pthread_getspecific(tls_key));
    pthread_setspecific(tls_key, NULL);
}

/* ---- compile ---- */

enum cmn_go_re_status cmn_go_re_translate(const char *pattern, size_t n, struct cmn_buf *out,
                                          struct cmn_err *err)
{
    struct gre_arena a;
    struct gre_node *root;
    enum cmn_go_re_status st = CMN_GO_RE_OK;

    gre_arena_init(&a, GRE_ARENA_CAP);
    root = cmn_gre_parse(pattern, n, &a, err);
    if (!root) {
        st = err ? (enum cmn_go_re_status)err->code : CMN_GO_RE_SYNTAX;
        goto out;
    }
    if (!cmn_gre_emit(root, out)) {
        st = CMN_GO_RE_UNSUPPORTED;
        cmn_err_set(err, st, "pattern `%.*s%s`: its PCRE2 form is too long", GRE_QUOTE(n, pattern));
    }
out:
    cmn_gre_arena_free(&a);
    return st;
}

void cmn_go_re_destroy(struct cmn_go_re *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_code_free(re->scan);
    pcre2_match_context_free(re->mctx);
    free(re->pattern);
    free(re);
}

static pcre2_code *pcre_compile(const char *pattern, size_t len, pcre2_compile_context *cctx,
                                const char *go, size_t go_len, struct cmn_err *err)
{
    int code;
    PCRE2_SIZE off;
    /* The translation is plain ASCII and uses no PCRE2 feature Go lacks; NEVER_BACKSLASH_C
     * and NEVER_UCP keep it that way should a bug let one through. */
    pcre2_code *c =
        pcre2_compile((PCRE2_SPTR)pattern, len,
                      PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C | PCRE2_NEVER_UCP | PCRE2_NO_AUTO_CAPTURE,
                      &code, &off, cctx);

    if (!c) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        cmn_err_set(err, code == PCRE2_ERROR_HEAP_FAILED ? CMN_GO_RE_NOMEM : CMN_GO_RE_UNSUPPORTED,
                    "pattern `%.*s%s` is not supported by PCRE2: %s", GRE_QUOTE(go_len, go),
                    (const char *)msg);
    }
    return c;
}

/* The DFA fallback's pattern: PCRE2's DFA matcher restarts at every start position of an
 * unanchored search (quadratic in the subject); RE2 runs one pass with an implicit leading
 * .*? instead. Matched anchored, this pattern does the same: linear in the subject. */
static pcre2_code *scan_compile(const char *pcre, size_t len, pcre2_compile_context *cctx,
                                const char *go, size_t go_len, struct cmn_err *err)
{
    struct cmn_buf b;
    pcre2_code *c = NULL;

    cmn_buf_init(&b, MAX_PCRE_PATTERN + 16);
    if (cmn_buf_append_str(&b, "(?s:.)*(?:") != CMN_BUF_OK ||
        cmn_buf_append(&b, pcre, len) != CMN_BUF_OK || cmn_buf_append_str(&b, ")") != CMN_BUF_OK)
        cmn_err_set(err, CMN_GO_RE_NOMEM, "out of memory compiling a regular expression");
    else
        c = pcre_compile(b.data, b.len, cctx, go, go_len, err);
    cmn_buf_free(&b);
    return c;
}

static struct cmn_go_re *compile_pcre(char *pcre, size_t len, const char *go, size_t go_len,
                                      unsigned flags, struct cmn_err *err)
{
    struct cmn_go_re *re = calloc(1, sizeof(*re));
    pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);

    if (!re || !cctx) {
        cmn_err_set(err, CMN_GO_RE_NOMEM, "out of memory compiling a regular expression");
        goto fail;
    }
    re->pattern = pcre;
    pcre = NULL;
    pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
    pcre2_set_parens_nest_limit(cctx, PARENS_NEST_LIMIT);
    re->code = pcre_compile(re->pattern, len, cctx, go, go_len, err);
    if (!re->code || !(re->scan = scan_compile(re->pattern, len, cctx, go, go_len, err)))
        goto fail;
    /* JIT code reads a few bytes past the subject in wide loads, which memcheck cannot tell
     * from a bug: under valgrind the interpreter runs instead (same answers). Without JIT (or
     * if it fails) pcre2_match interprets; a pattern matched once is not worth compiling. */
    if (!(flags & CMN_GO_RE_ONCE) && !RUNNING_ON_VALGRIND)
        (void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
    re->mctx = pcre2_match_context_create(NULL);
    if (!re->mctx) {
        cmn_err_set(err, CMN_GO_RE_NOMEM, "out of memory compiling a regular expression");
        goto fail;
    }
    pcre2_set_match_limit(re->mctx, CMN_GO_RE_MATCH_LIMIT);
    pcre2_set_heap_limit(re->mctx, CMN_GO_RE_HEAP_LIMIT_KIB);
    pcre2_compile_context_free(cctx);
    return re;
fail:
    free(pcre);
    pcre2_compile_context_free(cctx);
    cmn_go_re_destroy(re);
    return NULL;
}

struct cmn_go_re *cmn_go_re_compile(const char *pattern, size_t n, unsigned flags,
                                    struct cmn_err *err)
{
    struct cmn_buf out;
    size_t len;
    char *pcre;

    cmn_buf_init(&out, MAX_PCRE_PATTERN);
    if (cmn_go_re_translate(pattern, n, &out, err) != CMN_GO_RE_OK) {
        cmn_buf_free(&out);
        return NULL;
    }
    pcre = cmn_buf_take(&out, &len);
    if (!pcre) {
        cmn_err_set(err, CMN_GO_RE_NOMEM, "out of memory compiling a regular expression");
        return NULL;
    }
    return compile_pcre(pcre, len, pattern, n, flags, err);
}

struct cmn_go_re *cmn_go_re_compile_literal(const char *s, size_t n, bool fold, struct cmn_err *err)
{
    struct cmn_buf out;
    size_t i = 0, len;
    char *pcre;
    bool ok;

    cmn_buf_init(&out, MAX_PCRE_PATTERN);
    ok = cmn_buf_append_str(&out, fold ? "\\A(?i:" : "\\A(?:") == CMN_BUF_OK;
    while (ok && i < n) {
        size_t w;
        bool valid;
        uint32_t r = gre_utf8_decode((const unsigned char *)s + i, n - i, &w, &valid);
        ok = cmn_buf_printf(&out, "\\x{%X}", (unsigned)r) == CMN_BUF_OK;
        i += w;
    }
    ok = ok && cmn_buf_append_str(&out, ")\\z") == CMN_BUF_OK;
    pcre = ok ? cmn_buf_take(&out, &len) : NULL;
    cmn_buf_free(&out);
    if (!pcre) {
        cmn_err_set(err, CMN_GO_RE_NOMEM, "out of memory compiling a literal");
        return NULL;
    }
    return compile_pcre(pcre, len, s, n, 0, err);
}

const char *cmn_go_re_pcre_pattern(const struct cmn_go_re *re)
{
    return re->pattern;
}

/* ---- match ---- */

/* Go reads a string as UTF-8 and each invalid byte as U+FFFD: write s that way into out (room
 * for 3n bytes). Returns the length. */
static size_t sanitize(const char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;

    while (i < n) {
        size_t w;
        bool ok;
        if ((unsigned char)s[i] < 0x80) {
            out[o++] = s[i++];
            continue;
        }
        gre_utf8_decode((const unsigned char *)s + i, n - i, &w, &ok);
        if (ok) {
            memcpy(out + o, s + i, w);
            o += w;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
        i += w;
    }
    return o;
}

static bool valid_utf8(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t w;
        bool ok;
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        gre_utf8_decode((const unsigned char *)s + i, n - i, &w, &ok);
        if (!ok)
            return false;
        i += w;
    }
    return true;
}

static enum cmn_go_re_match run(const struct cmn_go_re *re, const char *s, size_t n,
                                struct tls_area *a)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, a->md, re->mctx);

    if (rc >= 0)
        return CMN_GO_RE_MATCH;
    if (rc == PCRE2_ERROR_NOMATCH)
        return CMN_GO_RE_NOMATCH;
    /* Backtracking ran out of budget (RE2 never does: it is linear). The DFA matcher explores
     * all paths at once, like RE2, and answers the same yes/no. */
    if (!a->workspace) {
        a->workspace = malloc(DFA_WORKSPACE * sizeof(int));
        if (!a->workspace)
            return CMN_GO_RE_ERROR;
    }
    rc = pcre2_dfa_match(re->scan, (PCRE2_SPTR)s, n, 0,
                         PCRE2_ANCHORED | PCRE2_NO_UTF_CHECK | PCRE2_DFA_SHORTEST, a->md, re->mctx,
                         a->workspace, DFA_WORKSPACE);
    if (rc >= 0)
        return CMN_GO_RE_MATCH;
    if (rc == PCRE2_ERROR_NOMATCH)
        return CMN_GO_RE_NOMATCH;
    if (rc == PCRE2_ERROR_NOMEMORY)
        return CMN_GO_RE_ERROR;
    return CMN_GO_RE_LIMIT; /* workspace, recursion, match or heap limit */
}

enum cmn_go_re_match cmn_go_re_match(const struct cmn_go_re *re, const char *s, size_t n)
{
    struct tls_area *a;
    char stack[3 * STACK_SUBJECT];
    char *heap = NULL;
    enum cmn_go_re_match m;

    if (n > CMN_GO_RE_MAX_SUBJECT)
        return CMN_GO_RE_ERROR;
    if (!s)
        s = ""; /* PCRE2 10.42 refuses a NULL subject even of length 0 */
    a = tls_get();
    if (!a)
        return CMN_GO_RE_ERROR;
    if (!valid_utf8(s, n)) {
        char *buf = stack;
        if (n > STACK_SUBJECT) {
            heap = malloc(3 * n);
            if (!heap)
                return CMN_GO_RE_ERROR;
            buf = heap;
        }
        n = sanitize(s, n, buf);
        s = buf;
    }
    m = run(re, s, n, a);
    free(heap);
    return m;
}
