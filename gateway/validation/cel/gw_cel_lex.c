/* gw_cel_lex.c - CEL lexer (cel-spec langdef lexis, cel-go's CEL.g4) and literal decoding. */
#include "gw_cel_lex.h"

#include "cmn_go_json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int hexval(char c)
{
    if (is_digit(c))
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

/* Skips whitespace and // comments. */
static size_t skip_space(const char *s, size_t n, size_t i)
{
    while (i < n) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            i++;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '/') {
            while (i < n && s[i] != '\n')
                i++;
        } else {
            break;
        }
    }
    return i;
}

/* A string body starting at i (at the quote). Returns the end offset or 0 if unterminated. */
static size_t lex_quoted(const char *s, size_t n, size_t i, bool raw)
{
    char q = s[i];

    if (i + 2 < n && s[i + 1] == q && s[i + 2] == q) {
        for (size_t j = i + 3; j < n; j++) {
            if (!raw && s[j] == '\\') {
                j++;
                continue;
            }
            if (s[j] == q && j + 2 < n && s[j + 1] == q && s[j + 2] == q)
                return j + 3;
        }
        return 0;
    }
    for (size_t j = i + 1; j < n; j++) {
        if (s[j] == '\n' || s[j] == '\r')
            return 0;
        if (!raw && s[j] == '\\') {
            j++;
            continue;
        }
        if (s[j] == q)
            return j + 1;
    }
    return 0;
}

/* Length of a string/bytes token starting at i, 0 if none starts here, (size_t)-1 if it is
 * unterminated. */
static size_t lex_string(const char *s, size_t n, size_t i, enum cel_tok *type)
{
    size_t j = i, end;
    bool bytes = false, raw = false;

    if (j < n && (s[j] == 'b' || s[j] == 'B')) {
        bytes = true;
        j++;
    }
    if (j < n && (s[j] == 'r' || s[j] == 'R')) {
        raw = true;
        j++;
    }
    if (j >= n || (s[j] != '"' && s[j] != '\''))
        return 0;
    *type = bytes ? T_BYTES : T_STRING;
    end = lex_quoted(s, n, j, raw);
    return end ? end - i : (size_t)-1;
}

static size_t lex_exponent(const char *s, size_t n, size_t j)
{
    size_t k = j + 1;

    if (j >= n || (s[j] != 'e' && s[j] != 'E'))
        return j;
    if (k < n && (s[k] == '+' || s[k] == '-'))
        k++;
    if (k >= n || !is_digit(s[k]))
        return j;
    while (k < n && is_digit(s[k]))
        k++;
    return k;
}

static size_t lex_number(const char *s, size_t n, size_t i, enum cel_tok *type)
{
    size_t j = i;

    if (s[j] == '.') { /* '.' DIGIT+ EXPONENT? */
        j++;
        while (j < n && is_digit(s[j]))
            j++;
        *type = T_DOUBLE;
        return lex_exponent(s, n, j) - i;
    }
    if (s[j] == '0' && j + 2 < n && s[j + 1] == 'x' && is_hex(s[j + 2])) {
        j += 2;
        while (j < n && is_hex(s[j]))
            j++;
    } else {
        while (j < n && is_digit(s[j]))
            j++;
        if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1])) {
            j++;
            while (j < n && is_digit(s[j]))
                j++;
            *type = T_DOUBLE;
            return lex_exponent(s, n, j) - i;
        }
        size_t e = lex_exponent(s, n, j);
        if (e != j) {
            *type = T_DOUBLE;
            return e - i;
        }
    }
    if (j < n && (s[j] == 'u' || s[j] == 'U')) {
        *type = T_UINT;
        return j + 1 - i;
    }
    *type = T_INT;
    return j - i;
}

static bool word_is(const char *s, size_t len, const char *w)
{
    return strlen(w) == len && memcmp(s, w, len) == 0;
}

static enum cel_tok lex_punct(const char *s, size_t n, size_t i, size_t *len)
{
    char c = s[i], d = i + 1 < n ? s[i + 1] : '\0';

    *len = 2;
    if (c == '=' && d == '=')
        return T_EQ;
    if (c == '!' && d == '=')
        return T_NE;
    if (c == '<' && d == '=')
        return T_LE;
    if (c == '>' && d == '=')
        return T_GE;
    if (c == '&' && d == '&')
        return T_AND;
    if (c == '|' && d == '|')
        return T_OR;
    *len = 1;
    switch (c) {
    case '<':
        return T_LT;
    case '>':
        return T_GT;
    case '[':
        return T_LBRACKET;
    case ']':
        return T_RBRACKET;
    case '{':
        return T_LBRACE;
    case '}':
        return T_RBRACE;
    case '(':
        return T_LPAREN;
    case ')':
        return T_RPAREN;
    case '.':
        return T_DOT;
    case ',':
        return T_COMMA;
    case '-':
        return T_MINUS;
    case '!':
        return T_NOT;
    case '?':
        return T_QUESTION;
    case ':':
        return T_COLON;
    case '+':
        return T_PLUS;
    case '*':
        return T_STAR;
    case '/':
        return T_SLASH;
    case '%':
        return T_PERCENT;
    default:
        return T_ERROR;
    }
}

static size_t lex_escident(const char *s, size_t n, size_t i)
{
    size_t j = i + 1;

    while (j < n && (is_letter(s[j]) || is_digit(s[j]) || s[j] == '.' || s[j] == '-' ||
                     s[j] == '/' || s[j] == ' '))
        j++;
    if (j == i + 1 || j >= n || s[j] != '`')
        return 0;
    return j + 1 - i;
}

void cel_lex(const char *s, size_t n, size_t at, struct cel_token *t)
{
    size_t i = skip_space(s, n, at), len = 0;
    enum cel_tok type = T_ERROR;

    t->pos = (uint32_t)i;
    t->len = 0;
    t->type = T_EOF;
    if (i >= n)
        return;
    len = lex_string(s, n, i, &type);
    if (len == (size_t)-1) {
        t->type = T_UNTERMINATED;
        return;
    }
    if (len == 0 && (is_digit(s[i]) || (s[i] == '.' && i + 1 < n && is_digit(s[i + 1]))))
        len = lex_number(s, n, i, &type);
    if (len == 0 && is_letter(s[i])) {
        len = 1;
        while (i + len < n && (is_letter(s[i + len]) || is_digit(s[i + len])))
            len++;
        type = T_IDENT;
        if (word_is(s + i, len, "true"))
            type = T_TRUE;
        else if (word_is(s + i, len, "false"))
            type = T_FALSE;
        else if (word_is(s + i, len, "null"))
            type = T_NULL;
        else if (word_is(s + i, len, "in"))
            type = T_IN;
    }
    if (len == 0 && s[i] == '`') {
        len = lex_escident(s, n, i);
        type = len ? T_ESCIDENT : T_ERROR;
    }
    if (len == 0)
        type = lex_punct(s, n, i, &len);
    t->type = (uint8_t)type;
    t->len = (uint32_t)len;
}

/* ---- literals ------------------------------------------------------------------------------- */

int cel_lit_int(const char *s, size_t len, bool negative, int64_t *out)
{
    uint64_t v = 0, limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    unsigned base = 10;

    if (len > 2 && s[0] == '0' && s[1] == 'x') {
        base = 16;
        s += 2;
        len -= 2;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)hexval(s[i]);
        if (v > (limit - d) / base)
            return -1;
        v = v * base + d;
    }
    *out = negative ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int cel_lit_uint(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;

    len--; /* the u suffix */
    if (len > 2 && s[0] == '0' && s[1] == 'x') {
        base = 16;
        s += 2;
        len -= 2;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)hexval(s[i]);
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
    }
    *out = v;
    return 0;
}

int cel_lit_double(const char *s, size_t len, bool negative, double *out)
{
    char buf[512];
    double d;

    if (len >= sizeof(buf) - 1)
        return -1;
    buf[0] = '-';
    memcpy(buf + 1, s, len);
    buf[len + 1] = '\0';
    errno = 0;
    d = strtod(negative ? buf : buf + 1, NULL);
    if (isinf(d)) /* Go's ParseFloat: overflow is an error, underflow is not */
        return -1;
    *out = d;
    return 0;
}

static int simple_escape(char c)
{
    switch (c) {
    case 'a':
        return '\a';
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'v':
        return '\v';
    case '\\':
    case '\'':
    case '"':
    case '`':
    case '?':
        return c;
    default:
        return -1;
    }
}

/* One escape at s[0] == '\\': writes to o, returns the bytes consumed or 0 with *msg. */
static size_t unescape_one(const char *s, size_t n, bool bytes, char *o, size_t *olen,
                           const char **msg)
{
    int simple;
    uint32_t v = 0;
    size_t digits = 0;

    *msg = "unable to unescape string";
    if (n < 2)
        return 0;
    simple = simple_escape(s[1]);
    if (simple >= 0) {
        o[0] = (char)simple;
        *olen = 1;
        return 2;
    }
    if (s[1] >= '0' && s[1] <= '3') {
        if (n < 4 || s[2] < '0' || s[2] > '7' || s[3] < '0' || s[3] > '7') {
            *msg = "unable to unescape octal sequence in string";
            return 0;
        }
        v = (uint32_t)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
        digits = 3;
    } else {
        switch (s[1]) {
        case 'x':
        case 'X':
            digits = 2;
            break;
        case 'u':
            digits = bytes ? 0 : 4;
            break;
        case 'U':
            digits = bytes ? 0 : 8;
            break;
        default:
            return 0;
        }
        if (!digits || n < 2 + digits)
            return 0;
        for (size_t i = 0; i < digits; i++) {
            if (!is_hex(s[2 + i]))
                return 0;
            v = (v << 4) | (uint32_t)hexval(s[2 + i]);
        }
    }
    if (bytes && (s[1] == 'x' || s[1] == 'X' || digits == 3)) {
        o[0] = (char)v;
        *olen = 1;
        return digits == 3 ? 4 : 2 + digits;
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *msg = "invalid unicode code point";
        return 0;
    }
    *olen = cmn_go_utf8_encode(v, o);
    return digits == 3 ? 4 : 2 + digits;
}

int cel_lit_string(struct gw_cel_arena *a, const char *tok, size_t len, bool bytes,
                   struct gw_cel_val *out, const char **msg)
{
    bool raw = false;
    size_t q = 1;
    char *buf, *o;

    if (bytes) {
        tok++;
        len--;
    }
    if (tok[0] == 'r' || tok[0] == 'R') {
        raw = true;
        tok++;
        len--;
    }
    if (len >= 6 && tok[1] == tok[0] && tok[2] == tok[0])
        q = 3;
    tok += q;
    len -= 2 * q;
    buf = cel_alloc(a, len + 1);
    if (!buf) {
        *msg = "out of memory";
        return -1;
    }
    o = buf;
    for (size_t i = 0; i < len;) {
        size_t used, olen;
        if (tok[i] == '\r') { /* all strings normalise newlines to \n */
            *o++ = '\n';
            i += (i + 1 < len && tok[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        if (raw || tok[i] != '\\') {
            *o++ = tok[i++];
            continue;
        }
        used = unescape_one(tok + i, len - i, bytes, o, &olen, msg);
        if (!used)
            return -1;
        o += olen;
        i += used;
    }
    *out = bytes ? gw_cel_bytes(buf, (size_t)(o - buf)) : gw_cel_string(buf, (size_t)(o - buf));
    return 0;
}
