/* gw_cel_re.c - matches(): RE2 syntax (Go's regexp) checked and translated for PCRE2, matched
 * with step and memory limits (PCRE2 backtracks where RE2 would not: a pattern that needs more
 * steps than the limit is an error rather than a slow request). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "gw_cel_int.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RE_MAX_PATTERN 4096
#define RE_MAX_REPEAT 1000
#define RE_MATCH_LIMIT 1000000 /* backtracking steps per match */
#define RE_HEAP_LIMIT 2048     /* KiB of backtracking frames */

struct cel_regex {
    pcre2_code *code;
};

struct tr {
    const char *s;
    size_t n, i;
    char *out;
    size_t len, cap;
    const char *err;
    bool multiline;             /* (?m) in effect */
    bool saved[RE_MAX_PATTERN]; /* multiline outside each open group */
    size_t depth;
};

static bool emit(struct tr *t, const char *s, size_t n)
{
    if (t->len + n >= t->cap) {
        t->err = "expression too large";
        return false;
    }
    memcpy(t->out + t->len, s, n);
    t->len += n;
    return true;
}

static bool emitc(struct tr *t, char c)
{
    return emit(t, &c, 1);
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Octal \0, \12, \123 (a lone \1-\7 is a backreference: refused) as \x{..}. */
static bool escape_octal(struct tr *t, char c)
{
    unsigned v = (unsigned)(c - '0');
    char buf[16];

    for (int k = 0; k < 2 && t->i < t->n && t->s[t->i] >= '0' && t->s[t->i] <= '7'; k++)
        v = v * 8 + (unsigned)(t->s[t->i++] - '0');
    snprintf(buf, sizeof(buf), "\\x{%x}", v);
    return emit(t, buf, strlen(buf));
}

/* \xHH, \x{H...}, \pN, \p{Name}, \P...: copied when well formed. */
static bool escape_arg(struct tr *t, char c)
{
    size_t j;

    if (c == 'x' && t->i < t->n && t->s[t->i] == '{') {
        for (j = t->i + 1; j < t->n && is_hex(t->s[j]) && j - t->i <= 8; j++)
            ;
        if (j == t->i + 1 || j >= t->n || t->s[j] != '}')
            return false;
    } else if (c == 'x') {
        if (t->i + 1 >= t->n || !is_hex(t->s[t->i]) || !is_hex(t->s[t->i + 1]))
            return false;
        j = t->i + 1;
    } else if (t->i < t->n && t->s[t->i] == '{') {
        for (j = t->i; j < t->n && t->s[j] != '}'; j++)
            ;
        if (j >= t->n)
            return false;
    } else if (t->i < t->n) {
        j = t->i;
    } else {
        return false;
    }
    emitc(t, '\\');
    emitc(t, c);
    emit(t, t->s + t->i, j + 1 - t->i);
    t->i = j + 1;
    return t->err == NULL;
}

/* An escape (s[i] == '\\') as Go's regexp/syntax reads it, rewritten for PCRE2. */
static bool escape(struct tr *t, bool in_class)
{
    char c, pair[2] = {'\\', 0};

    if (t->i + 1 >= t->n) {
        t->err = "trailing backslash at end of expression";
        return false;
    }
    c = t->s[t->i + 1];
    pair[1] = c;
    t->i += 2;
    if (c == '0' || (c >= '1' && c <= '7' && t->i < t->n && t->s[t->i] >= '0' && t->s[t->i] <= '7'))
        return escape_octal(t, c);
    if (strchr("aftnrdDwW", c) || (!in_class && strchr("AzbB", c)) ||
        ((unsigned char)c < 0x80 && !is_alnum(c))) /* escaped punctuation is itself */
        return emit(t, pair, 2);
    if (c == 'v') /* a vertical tab in Go; PCRE2's \v is a class */
        return emit(t, "\\x{0b}", 6);
    if (c == 's') /* Go's \s is [\t\n\f\r ]: PCRE2's includes \v */
        return emit(t, in_class ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]", in_class ? 9 : 11);
    if (c == 'S')
        return emit(t, in_class ? "\\S" : "[^\\t\\n\\f\\r ]", in_class ? 2 : 12);
    if ((c == 'x' || c == 'p' || c == 'P') && escape_arg(t, c))
        return true;
    if (!t->err)
        t->err = "invalid escape sequence";
    return false;
}

static bool char_class(struct tr *t)
{
    emitc(t, '[');
    t->i++;
    if (t->i < t->n && t->s[t->i] == '^')
        emitc(t, t->s[t->i++]);
    if (t->i < t->n && t->s[t->i] == ']') /* a leading ] is a literal */
        emit(t, "\\]", 2), t->i++;
    while (t->i < t->n && t->s[t->i] != ']') {
        char c = t->s[t->i];
        if (c == '\\') {
            if (!escape(t, true))
                return false;
        } else if (c == '[' && t->i + 1 < t->n && t->s[t->i + 1] == ':') {
            const char *end = strstr(t->s + t->i, ":]");
            if (!end || (size_t)(end - t->s) >= t->n)
                return emit(t, "\\[", 2) && (t->i++, true) && char_class(t);
            emit(t, t->s + t->i, (size_t)(end + 2 - (t->s + t->i)));
            t->i = (size_t)(end + 2 - t->s);
        } else {
            if (c == '[')
                emitc(t, '\\');
            emitc(t, c);
            t->i++;
        }
        if (t->err)
            return false;
    }
    if (t->i >= t->n) {
        t->err = "missing closing ]";
        return false;
    }
    t->i++;
    return emitc(t, ']');
}

/* {n}, {n,} or {n,m} at s[i]: its length, 0 when not a repetition (then '{' is a literal). */
static size_t repeat_len(struct tr *t, bool *bad)
{
    size_t j = t->i + 1;
    long lo = 0, hi = -1;

    if (j >= t->n || t->s[j] < '0' || t->s[j] > '9')
        return 0;
    while (j < t->n && t->s[j] >= '0' && t->s[j] <= '9' && lo <= 100000)
        lo = lo * 10 + (t->s[j++] - '0');
    if (j < t->n && t->s[j] == ',') {
        j++;
        if (j < t->n && t->s[j] >= '0' && t->s[j] <= '9') {
            hi = 0;
            while (j < t->n && t->s[j] >= '0' && t->s[j] <= '9' && hi <= 100000)
                hi = hi * 10 + (t->s[j++] - '0');
        }
    } else {
        hi = lo;
    }
    if (j >= t->n || t->s[j] != '}')
        return 0;
    *bad = lo > RE_MAX_REPEAT || hi > RE_MAX_REPEAT || (hi >= 0 && hi < lo);
    return j + 1 - t->i;
}

static size_t quantifier_len(struct tr *t, bool *bad)
{
    char c = t->s[t->i];

    *bad = false;
    if (c == '*' || c == '+' || c == '?')
        return 1;
    return c == '{' ? repeat_len(t, bad) : 0;
}

static bool group(struct tr *t)
{
    const char *s = t->s + t->i;
    size_t rest = t->n - t->i, j;

    if (rest >= 2 && s[1] == '*') {
        t->err = "missing argument to repetition operator: `*`";
        return false;
    }
    if (rest < 2 || s[1] != '?') {
        t->i++;
        t->saved[t->depth++] = t->multiline;
        return emitc(t, '(');
    }
    if (rest >= 3 && (s[2] == ':' || (s[2] == 'P' && rest >= 4 && s[3] == '<') ||
                      (s[2] == '<' && rest >= 4 && s[3] != '=' && s[3] != '!'))) {
        j = s[2] == ':' ? 3 : (s[2] == 'P' ? 4 : 3);
        emit(t, s, j);
        t->i += j;
        t->saved[t->depth++] = t->multiline;
        return t->err == NULL;
    }
    for (j = 2;
         j < rest && (s[j] == 'i' || s[j] == 'm' || s[j] == 's' || s[j] == 'U' || s[j] == '-'); j++)
        ;
    if (j > 2 && j < rest && (s[j] == ')' || s[j] == ':')) {
        bool on = true;
        if (s[j] == ':')
            t->saved[t->depth++] = t->multiline;
        for (size_t k = 2; k < j; k++) {
            if (s[k] == '-')
                on = false;
            else if (s[k] == 'm')
                t->multiline = on;
        }
        emit(t, s, j + 1);
        t->i += j + 1;
        return t->err == NULL;
    }
    t->err = "invalid or unsupported Perl syntax"; /* lookaround, atomic, recursion... */
    return false;
}

/* A quantifier of length q at s[i] (with its lazy '?'); a second one directly after it
 * (possessive a*+, nested a**) is refused as Go refuses it. */
static bool quantifier(struct tr *t, size_t q, bool bad, bool can_repeat)
{
    bool b2;

    if (bad)
        t->err = "invalid repeat count";
    else if (!can_repeat)
        t->err = "missing argument to repetition operator";
    if (t->err)
        return false;
    emit(t, t->s + t->i, q);
    t->i += q;
    if (t->i < t->n && t->s[t->i] == '?')
        emitc(t, t->s[t->i++]);
    if (t->i < t->n && quantifier_len(t, &b2)) {
        t->err = "invalid nested repetition operator";
        return false;
    }
    return t->err == NULL;
}

/* \Q...\E: literal text, copied (an unterminated one runs to the end, as in Go). */
static void quoted(struct tr *t)
{
    const char *end = NULL;
    size_t q;

    for (size_t k = t->i + 2; k + 1 < t->n && !end; k++)
        if (t->s[k] == '\\' && t->s[k + 1] == 'E')
            end = t->s + k;
    q = end ? (size_t)(end + 2 - (t->s + t->i)) : t->n - t->i;
    emit(t, t->s + t->i, q);
    if (!end)
        emit(t, "\\E", 2);
    t->i += q;
}

/* One non-quantifier item at s[i]; returns whether a quantifier may follow it. */
static bool item(struct tr *t)
{
    char c = t->s[t->i];

    if (c == '\\' && t->i + 1 < t->n && t->s[t->i + 1] == 'Q') {
        quoted(t);
        return true;
    }
    if (c == '\\')
        return escape(t, false);
    if (c == '[')
        return char_class(t);
    if (c == '(') {
        group(t);
        return false;
    }
    t->i++;
    if (c == ')') {
        if (t->depth > 0)
            t->multiline = t->saved[--t->depth];
        return emitc(t, c);
    }
    if (c == '$' && !t->multiline) /* Go's $ without (?m) is the end of the text only */
        return !emit(t, "\\z", 2);
    if (c == '|' || c == '^' || c == '$')
        return !emitc(t, c);
    return c == '{' ? emit(t, "\\{", 2) : emitc(t, c);
}

/* Copies the pattern, refusing what RE2 refuses (backreferences, lookaround, possessive and
 * nested quantifiers, atomic groups...) and spelling Go's semantics in PCRE2 syntax. */
static bool translate(struct tr *t)
{
    bool can_repeat = false, bad;

    while (t->i < t->n && !t->err) {
        size_t q = quantifier_len(t, &bad);
        if (q) {
            quantifier(t, q, bad, can_repeat);
            can_repeat = false;
        } else {
            can_repeat = item(t);
        }
    }
    return t->err == NULL && emitc(t, '\0');
}

struct cel_regex *cel_regex_compile(const char *pat, size_t n, char *errbuf, size_t errlen)
{
    struct tr t = {.s = pat, .n = n};
    struct cel_regex *re = NULL;
    int code;
    PCRE2_SIZE off;
    char msg[160];

    if (n > RE_MAX_PATTERN) {
        snprintf(errbuf, errlen, "error parsing regexp: expression too large");
        return NULL;
    }
    t.cap = n * 12 + 16;
    t.out = malloc(t.cap);
    if (!t.out || !translate(&t)) {
        snprintf(errbuf, errlen, "error parsing regexp: %s: `%.*s`",
                 t.err ? t.err : "out of memory", (int)(n > 64 ? 64 : n), pat);
        goto out;
    }
    re = calloc(1, sizeof(*re));
    if (!re)
        goto out;
    re->code = pcre2_compile((PCRE2_SPTR)t.out, t.len - 1,
                             PCRE2_UTF | PCRE2_ALT_CIRCUMFLEX | PCRE2_NEVER_BACKSLASH_C |
                                 PCRE2_NO_AUTO_CAPTURE,
                             &code, &off, NULL);
    if (!re->code) {
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
        snprintf(errbuf, errlen, "error parsing regexp: %s: `%.*s`", msg, (int)(n > 64 ? 64 : n),
                 pat);
        free(re);
        re = NULL;
    }
out:
    free(t.out);
    return re;
}

void cel_regex_free(struct cel_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    free(re);
}

/* ---- matching ------------------------------------------------------------------------------- */

struct re_scratch {
    pcre2_general_context *gctx;
    pcre2_match_context *mctx;
    pcre2_match_data *md;
};

static void *arena_malloc(PCRE2_SIZE size, void *data)
{
    return cel_alloc(data, size);
}

static void arena_free(void *p, void *data)
{
    (void)p; /* the arena is reset as a whole */
    (void)data;
}

static struct re_scratch *scratch(struct cel_ectx *c)
{
    struct re_scratch *s = c->re_scratch;

    if (s)
        return s;
    s = cel_alloc(c->a, sizeof(*s));
    if (!s)
        return NULL;
    s->gctx = pcre2_general_context_create(arena_malloc, arena_free, c->a);
    s->mctx = s->gctx ? pcre2_match_context_create(s->gctx) : NULL;
    s->md = s->gctx ? pcre2_match_data_create(1, s->gctx) : NULL;
    if (!s->mctx || !s->md)
        return NULL;
    pcre2_set_match_limit(s->mctx, RE_MATCH_LIMIT);
    pcre2_set_heap_limit(s->mctx, RE_HEAP_LIMIT);
    c->re_scratch = s;
    return s;
}

/* Go's regexp reads each byte of an invalid UTF-8 sequence as U+FFFD: so does the copy. */
static const char *sanitize(struct cel_ectx *c, const char *s, size_t *n)
{
    char *out = cel_alloc(c->a, *n * 3 + 1), *o = out;
    size_t i = 0;

    if (!out)
        return NULL;
    while (i < *n) {
        size_t k = 1;
        while (k <= 4 && i + k <= *n && !cel_utf8_valid(s + i, k))
            k++;
        if (k <= 4 && i + k <= *n) {
            memcpy(o, s + i, k);
            o += k;
            i += k;
        } else {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    *n = (size_t)(o - out);
    return out;
}

int cel_regex_match(struct cel_ectx *c, const struct cel_regex *re, const char *s, size_t n,
                    const char **msg)
{
    struct re_scratch *sc = scratch(c);
    int rc;

    *msg = "evaluation memory limit exceeded";
    if (!sc)
        return -1;
    if (!cel_utf8_valid(s, n) && !(s = sanitize(c, s, &n)))
        return -1;
    rc =
        pcre2_match(re->code, (PCRE2_SPTR)(n ? s : ""), n, 0, PCRE2_NO_UTF_CHECK, sc->md, sc->mctx);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    *msg = rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT
               ? "regular expression match exceeded its step limit"
               : "regular expression match failed";
    return -1;
}
