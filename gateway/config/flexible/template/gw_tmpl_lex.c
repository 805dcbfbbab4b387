/* gw_tmpl_lex.c - the template lexer: text, {{ }} actions with Go's trim markers, comments,
 * strings, raw strings, character constants, numbers as Go scans them, keywords. One token per
 * call, pulled by the parser (Go's text/template/parse lexer, same states and error texts). */
#include "gw_tmpl_int.h"

#include <stdio.h>
#include <string.h>

#define LEFT_DELIM "{{"
#define RIGHT_DELIM "}}"
#define DELIM_LEN 2
#define TRIM_MARKER_LEN 2 /* the marker and the space beside it */

void tlex_init(struct tlexer *l, const char *input, size_t len)
{
    memset(l, 0, sizeof(*l));
    l->input = input;
    l->len = len;
    l->line = 1;
    l->start_line = 1;
}

static bool is_space(uint32_t r)
{
    return r == ' ' || r == '\t' || r == '\r' || r == '\n';
}

bool tlex_is_alnum(uint32_t r)
{
    return r == '_' || tuni_is_letter(r) || tuni_is_digit(r);
}

static bool has_prefix(const struct tlexer *l, size_t at, const char *p)
{
    size_t n = strlen(p);

    return at <= l->len && l->len - at >= n && memcmp(l->input + at, p, n) == 0;
}

#define EOF_RUNE 0xFFFFFFFFu

static uint32_t next(struct tlexer *l)
{
    uint32_t r;

    if (l->pos >= l->len) {
        l->at_eof = true;
        return EOF_RUNE;
    }
    l->pos += tutf8_decode(l->input + l->pos, l->len - l->pos, &r);
    if (r == '\n')
        l->line++;
    return r;
}

/* Steps back one rune (never past the start), as Go's backup. */
static void backup(struct tlexer *l)
{
    if (!l->at_eof && l->pos > 0) {
        size_t p = l->pos - 1;
        while (p > 0 && ((unsigned char)l->input[p] & 0xC0) == 0x80 && l->pos - p < 4)
            p--;
        /* a decode from p must end at pos; otherwise the last byte was a lone byte */
        uint32_t r;
        if (p + tutf8_decode(l->input + p, l->len - p, &r) != l->pos)
            p = l->pos - 1;
        if (l->input[p] == '\n')
            l->line--;
        l->pos = p;
    }
}

static uint32_t peek(struct tlexer *l)
{
    uint32_t r = next(l);

    backup(l);
    return r;
}

static struct tok this_item(struct tlexer *l, enum tok_type t)
{
    struct tok i = {t, l->start, l->input + l->start, l->pos - l->start, l->start_line};

    l->start = l->pos;
    l->start_line = l->line;
    return i;
}

/* Emitting ends the state machine's run for this token. */
static bool emit_item(struct tlexer *l, struct tok i)
{
    l->item = i;
    return false;
}

static bool emit(struct tlexer *l, enum tok_type t)
{
    return emit_item(l, this_item(l, t));
}

static size_t count_nl(const char *s, size_t n)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++)
        c += s[i] == '\n';
    return c;
}

static void ignore(struct tlexer *l)
{
    l->line += (int)count_nl(l->input + l->start, l->pos - l->start);
    l->start = l->pos;
    l->start_line = l->line;
}

static bool accept(struct tlexer *l, const char *valid)
{
    uint32_t r = next(l);

    if (r != EOF_RUNE && r < 0x80 && r != 0 && strchr(valid, (int)r))
        return true;
    backup(l);
    return false;
}

static void accept_run(struct tlexer *l, const char *valid)
{
    for (;;) {
        uint32_t r = next(l);
        if (r == EOF_RUNE || r >= 0x80 || r == 0 || !strchr(valid, (int)r)) {
            backup(l);
            return;
        }
    }
}

static bool errorf(struct tlexer *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool errorf(struct tlexer *l, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(l->errbuf, sizeof(l->errbuf), fmt, ap);
    va_end(ap);
    l->item = (struct tok){TK_ERROR, l->start, l->errbuf, strlen(l->errbuf), l->start_line};
    /* Go empties the input: every later call returns EOF */
    l->start = 0;
    l->pos = 0;
    l->len = 0;
    return false;
}

/* Go's %#U: U+0041 'A' */
static void fmt_rune(char *buf, size_t sz, uint32_t r)
{
    char enc[5] = {0};

    if (r == EOF_RUNE) {
        snprintf(buf, sz, "U+FFFFFFFFFFFFFFFF");
        return;
    }
    if (tuni_is_print(r)) {
        enc[tutf8_encode(r, enc)] = '\0';
        snprintf(buf, sz, "U+%04X '%s'", (unsigned)r, enc);
    } else {
        snprintf(buf, sz, "U+%04X", (unsigned)r);
    }
}

static bool has_left_trim_marker(const struct tlexer *l, size_t at)
{
    return l->len - at >= 2 && l->input[at] == '-' && is_space((unsigned char)l->input[at + 1]);
}

static bool has_right_trim_marker(const struct tlexer *l, size_t at)
{
    return l->len - at >= 2 && is_space((unsigned char)l->input[at]) && l->input[at + 1] == '-';
}

static size_t right_trim_length(const char *s, size_t n)
{
    size_t k = n;

    while (k > 0 && is_space((unsigned char)s[k - 1]))
        k--;
    return n - k;
}

static size_t left_trim_length(const char *s, size_t n)
{
    size_t k = 0;

    while (k < n && is_space((unsigned char)s[k]))
        k++;
    return k;
}

static bool at_right_delim(const struct tlexer *l, bool *trim)
{
    if (has_right_trim_marker(l, l->pos) && has_prefix(l, l->pos + TRIM_MARKER_LEN, RIGHT_DELIM)) {
        *trim = true;
        return true;
    }
    *trim = false;
    return has_prefix(l, l->pos, RIGHT_DELIM);
}

static bool lex_text(struct tlexer *l);
static bool lex_inside_action(struct tlexer *l);

static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
    if (m > n)
        return NULL;
    for (size_t i = 0; i + m <= n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

static bool lex_comment(struct tlexer *l)
{
    const char *e;
    bool trim;

    l->pos += 2; /* the comment opener */
    e = find(l->input + l->pos, l->len - l->pos, "*/", 2);
    if (!e)
        return errorf(l, "unclosed comment");
    l->pos = (size_t)(e - l->input) + 2;
    if (!at_right_delim(l, &trim))
        return errorf(l, "comment ends before closing delimiter");
    l->line += (int)count_nl(l->input + l->start, l->pos - l->start);
    (void)this_item(l, TK_TEXT); /* comments are not emitted */
    if (trim)
        l->pos += TRIM_MARKER_LEN;
    l->pos += DELIM_LEN;
    if (trim)
        l->pos += left_trim_length(l->input + l->pos, l->len - l->pos);
    ignore(l);
    return true; /* continue with text */
}

static bool lex_left_delim(struct tlexer *l, bool *comment)
{
    bool trim;
    size_t after = 0;
    struct tok i;

    l->pos += DELIM_LEN;
    trim = has_left_trim_marker(l, l->pos);
    if (trim)
        after = TRIM_MARKER_LEN;
    if (has_prefix(l, l->pos + after, "/*")) {
        l->pos += after;
        ignore(l);
        *comment = true;
        return true;
    }
    *comment = false;
    i = this_item(l, TK_LEFT_DELIM);
    l->inside_action = true;
    l->pos += after;
    ignore(l);
    l->paren_depth = 0;
    return emit_item(l, i);
}

/* Text up to the next action; returns false once a token was emitted. */
static bool lex_text(struct tlexer *l)
{
    for (;;) {
        const char *x = find(l->input + l->pos, l->len - l->pos, LEFT_DELIM, DELIM_LEN);
        bool comment;

        if (!x) {
            l->pos = l->len;
            if (l->pos > l->start) {
                l->line += (int)count_nl(l->input + l->start, l->pos - l->start);
                return emit(l, TK_TEXT);
            }
            return emit(l, TK_EOF);
        }
        if (x > l->input + l->pos || l->pos > l->start) {
            size_t trim = 0;
            struct tok i;
            l->pos = (size_t)(x - l->input);
            if (has_left_trim_marker(l, l->pos + DELIM_LEN))
                trim = right_trim_length(l->input + l->start, l->pos - l->start);
            l->pos -= trim;
            l->line += (int)count_nl(l->input + l->start, l->pos - l->start);
            i = this_item(l, TK_TEXT);
            l->pos += trim;
            ignore(l);
            if (i.len > 0)
                return emit_item(l, i);
        }
        if (!lex_left_delim(l, &comment))
            return false;
        if (comment && !lex_comment(l))
            return false;
    }
}

static bool lex_right_delim(struct tlexer *l)
{
    bool trim;
    struct tok i;

    (void)at_right_delim(l, &trim);
    if (trim) {
        l->pos += TRIM_MARKER_LEN;
        ignore(l);
    }
    l->pos += DELIM_LEN;
    i = this_item(l, TK_RIGHT_DELIM);
    if (trim) {
        l->pos += left_trim_length(l->input + l->pos, l->len - l->pos);
        ignore(l);
    }
    l->inside_action = false;
    return emit_item(l, i);
}

static bool lex_space(struct tlexer *l)
{
    int n = 0;

    while (is_space(peek(l))) {
        next(l);
        n++;
    }
    /* a trim-marked closing delimiter begins with a space: leave that space to it */
    if (has_right_trim_marker(l, l->pos - 1) &&
        has_prefix(l, l->pos - 1 + TRIM_MARKER_LEN, RIGHT_DELIM)) {
        backup(l);
        if (n == 1)
            return lex_right_delim(l);
    }
    return emit(l, TK_SPACE);
}

static bool at_terminator(struct tlexer *l)
{
    uint32_t r = peek(l);

    if (is_space(r))
        return true;
    switch (r) {
    case EOF_RUNE:
    case '.':
    case ',':
    case '|':
    case ':':
    case ')':
    case '(':
        return true;
    }
    return has_prefix(l, l->pos, RIGHT_DELIM);
}

static const struct {
    const char *word;
    enum tok_type type;
} keywords[] = {
    {".", TK_DOT},
    {"block", TK_BLOCK},
    {"break", TK_BREAK},
    {"continue", TK_CONTINUE},
    {"define", TK_DEFINE},
    {"else", TK_ELSE},
    {"end", TK_END},
    {"if", TK_IF},
    {"range", TK_RANGE},
    {"nil", TK_NIL},
    {"template", TK_TEMPLATE},
    {"with", TK_WITH},
};

static enum tok_type keyword(const char *w, size_t n)
{
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
        if (strlen(keywords[i].word) == n && memcmp(keywords[i].word, w, n) == 0)
            return keywords[i].type;
    return TK_ERROR;
}

static bool lex_identifier(struct tlexer *l)
{
    for (;;) {
        uint32_t r = next(l);
        if (tlex_is_alnum(r))
            continue;
        backup(l);
        const char *w = l->input + l->start;
        size_t n = l->pos - l->start;
        if (!at_terminator(l)) {
            char buf[48];
            fmt_rune(buf, sizeof(buf), r);
            return errorf(l, "bad character %s", buf);
        }
        enum tok_type k = keyword(w, n);
        /* no function named break/continue can exist, so these are always keywords */
        if (k != TK_ERROR)
            return emit(l, k);
        if (w[0] == '.')
            return emit(l, TK_FIELD);
        if ((n == 4 && memcmp(w, "true", 4) == 0) || (n == 5 && memcmp(w, "false", 5) == 0))
            return emit(l, TK_BOOL);
        return emit(l, TK_IDENTIFIER);
    }
}

static bool lex_field_or_variable(struct tlexer *l, enum tok_type typ)
{
    uint32_t r;

    if (at_terminator(l))
        return emit(l, typ == TK_VARIABLE ? TK_VARIABLE : TK_DOT);
    for (;;) {
        r = next(l);
        if (!tlex_is_alnum(r)) {
            backup(l);
            break;
        }
    }
    if (!at_terminator(l)) {
        char buf[48];
        fmt_rune(buf, sizeof(buf), r);
        return errorf(l, "bad character %s", buf);
    }
    return emit(l, typ);
}

static bool lex_quote_like(struct tlexer *l, uint32_t q, enum tok_type t, const char *what)
{
    for (;;) {
        uint32_t r = next(l);
        if (r == '\\') {
            r = next(l);
            if (r != EOF_RUNE && r != '\n')
                continue;
            return errorf(l, "unterminated %s", what);
        }
        if (r == EOF_RUNE || r == '\n')
            return errorf(l, "unterminated %s", what);
        if (r == q)
            return emit(l, t);
    }
}

static bool lex_raw_quote(struct tlexer *l)
{
    for (;;) {
        uint32_t r = next(l);
        if (r == EOF_RUNE)
            return errorf(l, "unterminated raw quoted string");
        if (r == '`')
            return emit(l, TK_RAW_STRING);
    }
}

static bool scan_number(struct tlexer *l)
{
    const char *digits = "0123456789_";

    accept(l, "+-");
    if (accept(l, "0")) {
        if (accept(l, "xX"))
            digits = "0123456789abcdefABCDEF_";
        else if (accept(l, "oO"))
            digits = "01234567_";
        else if (accept(l, "bB"))
            digits = "01_";
    }
    accept_run(l, digits);
    if (accept(l, "."))
        accept_run(l, digits);
    if (strlen(digits) == 11 && accept(l, "eE")) {
        accept(l, "+-");
        accept_run(l, "0123456789_");
    }
    if (strlen(digits) == 23 && accept(l, "pP")) {
        accept(l, "+-");
        accept_run(l, "0123456789_");
    }
    accept(l, "i");
    if (tlex_is_alnum(peek(l))) {
        next(l);
        return false;
    }
    return true;
}

static bool lex_number(struct tlexer *l)
{
    uint32_t sign;

    if (!scan_number(l))
        return errorf(l, "bad number syntax: \"%.*s\"", (int)(l->pos - l->start),
                      l->input + l->start);
    sign = peek(l);
    if (sign == '+' || sign == '-') {
        if (!scan_number(l) || l->input[l->pos - 1] != 'i')
            return errorf(l, "bad number syntax: \"%.*s\"", (int)(l->pos - l->start),
                          l->input + l->start);
        return emit(l, TK_COMPLEX);
    }
    return emit(l, TK_NUMBER);
}

static bool lex_inside_action(struct tlexer *l)
{
    bool trim;
    uint32_t r;

    if (at_right_delim(l, &trim)) {
        if (l->paren_depth == 0)
            return lex_right_delim(l);
        return errorf(l, "unclosed left paren");
    }
    r = next(l);
    if (r == EOF_RUNE)
        return errorf(l, "unclosed action");
    if (is_space(r)) {
        backup(l);
        return lex_space(l);
    }
    switch (r) {
    case '=':
        return emit(l, TK_ASSIGN);
    case ':':
        if (next(l) != '=')
            return errorf(l, "expected :=");
        return emit(l, TK_DECLARE);
    case '|':
        return emit(l, TK_PIPE);
    case '"':
        return lex_quote_like(l, '"', TK_STRING, "quoted string");
    case '`':
        return lex_raw_quote(l);
    case '$':
        if (at_terminator(l))
            return emit(l, TK_VARIABLE);
        return lex_field_or_variable(l, TK_VARIABLE);
    case '\'':
        return lex_quote_like(l, '\'', TK_CHAR_CONSTANT, "character constant");
    case '(':
        l->paren_depth++;
        return emit(l, TK_LEFT_PAREN);
    case ')':
        l->paren_depth--;
        if (l->paren_depth < 0)
            return errorf(l, "unexpected right paren");
        return emit(l, TK_RIGHT_PAREN);
    }
    if (r == '.') {
        if (l->pos < l->len) {
            unsigned char c = (unsigned char)l->input[l->pos];
            if (c < '0' || c > '9')
                return lex_field_or_variable(l, TK_FIELD);
        }
        backup(l);
        return lex_number(l);
    }
    if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
        backup(l);
        return lex_number(l);
    }
    if (tlex_is_alnum(r)) {
        backup(l);
        return lex_identifier(l);
    }
    if (r < 0x7F && r >= 0x20)
        return emit(l, TK_CHAR);
    {
        char buf[48];
        fmt_rune(buf, sizeof(buf), r);
        return errorf(l, "unrecognized character in action: %s", buf);
    }
}

struct tok tlex_next(struct tlexer *l)
{
    l->item = (struct tok){TK_EOF, l->pos, "EOF", 3, l->start_line};
    if (l->inside_action)
        (void)lex_inside_action(l);
    else
        (void)lex_text(l);
    return l->item;
}
