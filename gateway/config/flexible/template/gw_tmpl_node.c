/* gw_tmpl_node.c - parse-node helpers: Go's String() of a node (the `at <...>` text of errors),
 * strconv.Unquote of string and character literals, and number literals read the way
 * text/template's parse.newNumber reads them (ParseUint/ParseInt/ParseFloat with base prefixes
 * and underscores). */
#include "gw_tmpl_fns.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- String() ---- */

static void put(struct cmn_buf *b, const char *s, size_t n)
{
    (void)cmn_buf_append(b, s, n);
}

static void puts_(struct cmn_buf *b, const char *s)
{
    (void)cmn_buf_append_str(b, s);
}

static void list_string(const struct node *n, struct cmn_buf *out)
{
    for (size_t i = 0; n && i < n->u.list.n; i++)
        tnode_string(n->u.list.v[i], out);
}

static void pipe_string(const struct node *p, struct cmn_buf *out)
{
    if (p->u.pipe.ndecl) {
        for (size_t i = 0; i < p->u.pipe.ndecl; i++) {
            if (i)
                puts_(out, ", ");
            tnode_string(p->u.pipe.decl[i], out);
        }
        puts_(out, p->u.pipe.is_assign ? " = " : " := ");
    }
    for (size_t i = 0; i < p->u.pipe.ncmds; i++) {
        if (i)
            puts_(out, " | ");
        tnode_string(p->u.pipe.cmds[i], out);
    }
}

static void branch_string(const struct node *n, const char *kw, struct cmn_buf *out)
{
    puts_(out, "{{");
    puts_(out, kw);
    puts_(out, " ");
    pipe_string(n->u.branch.pipe, out);
    puts_(out, "}}");
    list_string(n->u.branch.list, out);
    if (n->u.branch.else_list) {
        puts_(out, "{{else}}");
        list_string(n->u.branch.else_list, out);
    }
    puts_(out, "{{end}}");
}

void tnode_string(const struct node *n, struct cmn_buf *out)
{
    switch (n->type) {
    case NT_TEXT:
    case NT_IDENT:
        put(out, n->u.text.p, n->u.text.n);
        break;
    case NT_ACTION:
        puts_(out, "{{");
        pipe_string(n->u.action, out);
        puts_(out, "}}");
        break;
    case NT_IF:
        branch_string(n, "if", out);
        break;
    case NT_RANGE:
        branch_string(n, "range", out);
        break;
    case NT_WITH:
        branch_string(n, "with", out);
        break;
    case NT_TEMPLATE:
        puts_(out, "{{template ");
        (void)tfmt_quote(out, n->u.tmpl.name.p, n->u.tmpl.name.n, '"');
        if (n->u.tmpl.pipe) {
            puts_(out, " ");
            pipe_string(n->u.tmpl.pipe, out);
        }
        puts_(out, "}}");
        break;
    case NT_BREAK:
        puts_(out, "{{break}}");
        break;
    case NT_CONTINUE:
        puts_(out, "{{continue}}");
        break;
    case NT_LIST:
        list_string(n, out);
        break;
    case NT_PIPE:
        pipe_string(n, out);
        break;
    case NT_COMMAND:
        for (size_t i = 0; i < n->u.list.n; i++) {
            const struct node *a = n->u.list.v[i];
            if (i)
                puts_(out, " ");
            if (a->type == NT_PIPE) {
                puts_(out, "(");
                pipe_string(a, out);
                puts_(out, ")");
            } else {
                tnode_string(a, out);
            }
        }
        break;
    case NT_FIELD:
        for (size_t i = 0; i < n->u.field.n; i++) {
            puts_(out, ".");
            put(out, n->u.field.ids[i].p, n->u.field.ids[i].n);
        }
        break;
    case NT_VARIABLE:
        for (size_t i = 0; i < n->u.field.n; i++) {
            if (i)
                puts_(out, ".");
            put(out, n->u.field.ids[i].p, n->u.field.ids[i].n);
        }
        break;
    case NT_CHAIN:
        if (n->u.field.node->type == NT_PIPE) {
            puts_(out, "(");
            pipe_string(n->u.field.node, out);
            puts_(out, ")");
        } else {
            tnode_string(n->u.field.node, out);
        }
        for (size_t i = 0; i < n->u.field.n; i++) {
            puts_(out, ".");
            put(out, n->u.field.ids[i].p, n->u.field.ids[i].n);
        }
        break;
    case NT_DOT:
        puts_(out, ".");
        break;
    case NT_NIL:
        puts_(out, "nil");
        break;
    case NT_BOOL:
        puts_(out, n->u.b ? "true" : "false");
        break;
    case NT_NUMBER:
        put(out, n->u.num.text.p, n->u.num.text.n);
        break;
    case NT_STRING:
        put(out, n->u.str.quoted.p, n->u.str.quoted.n);
        break;
    case NT_END:
        puts_(out, "{{end}}");
        break;
    case NT_ELSE:
        puts_(out, "{{else}}");
        break;
    }
}

bool tnode_is_empty_tree(const struct node *n)
{
    if (!n)
        return true;
    switch (n->type) {
    case NT_LIST:
        for (size_t i = 0; i < n->u.list.n; i++)
            if (!tnode_is_empty_tree(n->u.list.v[i]))
                return false;
        return true;
    case NT_TEXT:
        for (size_t i = 0; i < n->u.text.n;) {
            uint32_t r;
            size_t w = tutf8_decode(n->u.text.p + i, n->u.text.n - i, &r);
            if (!tuni_is_space(r))
                return false;
            i += w;
        }
        return true;
    default:
        return false;
    }
}

/* ---- strconv.Unquote ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* strconv.UnquoteChar: decodes one character of s[0..n) quoted by q. Appends its bytes to out
 * (room for 4) and sets *olen and *rune; returns bytes consumed, 0 on bad syntax. */
static size_t unquote_char(const char *s, size_t n, char q, char *out, size_t *olen, uint32_t *rune)
{
    unsigned char c = (unsigned char)s[0];
    uint32_t v = 0;
    size_t digits;

    if (c == (unsigned char)q && (q == '\'' || q == '"'))
        return 0;
    if (c >= 0x80) {
        size_t w = tutf8_decode(s, n, rune);
        *olen = tutf8_encode(*rune, out);
        return w;
    }
    if (c != '\\') {
        out[0] = (char)c;
        *olen = 1;
        *rune = c;
        return 1;
    }
    if (n <= 1)
        return 0;
    c = (unsigned char)s[1];
    switch (c) {
    case 'a':
        v = 7;
        break;
    case 'b':
        v = 8;
        break;
    case 'f':
        v = 12;
        break;
    case 'n':
        v = 10;
        break;
    case 'r':
        v = 13;
        break;
    case 't':
        v = 9;
        break;
    case 'v':
        v = 11;
        break;
    case '\\':
        v = '\\';
        break;
    case '\'':
    case '"':
        if (c != (unsigned char)q)
            return 0;
        v = c;
        break;
    case 'x':
    case 'u':
    case 'U':
        digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        if (n < 2 + digits)
            return 0;
        for (size_t i = 0; i < digits; i++) {
            int h = hexval(s[2 + i]);
            if (h < 0)
                return 0;
            v = (v << 4) | (uint32_t)h;
        }
        if (c == 'x') {
            out[0] = (char)v;
            *olen = 1;
            *rune = v;
            return 4;
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        *olen = tutf8_encode(v, out);
        *rune = v;
        return 2 + digits;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
        if (n < 4)
            return 0;
        for (size_t i = 1; i < 4; i++) {
            if (s[i] < '0' || s[i] > '7')
                return 0;
            v = (v << 3) | (uint32_t)(s[i] - '0');
        }
        if (v > 255)
            return 0;
        out[0] = (char)v;
        *olen = 1;
        *rune = v;
        return 4;
    default:
        return 0;
    }
    out[0] = (char)v;
    *olen = 1;
    *rune = v;
    return 2;
}

bool tunquote(struct tarena *a, const char *s, size_t n, struct tstr *out)
{
    char *buf;
    size_t o = 0;

    if (n < 2 || s[0] != s[n - 1])
        return false;
    buf = tarena_alloc(a, n);
    if (!buf)
        return false;
    if (s[0] == '`') {
        for (size_t i = 1; i < n - 1; i++)
            if (s[i] != '\r')
                buf[o++] = s[i];
    } else if (s[0] == '"') {
        for (size_t i = 1; i < n - 1;) {
            char tmp[4];
            size_t tl;
            uint32_t r;
            size_t w = unquote_char(s + i, n - 1 - i, '"', tmp, &tl, &r);
            if (!w)
                return false;
            memcpy(buf + o, tmp, tl);
            o += tl;
            i += w;
        }
    } else {
        return false;
    }
    buf[o] = '\0';
    out->p = buf;
    out->n = o;
    return true;
}

/* ---- numbers ---- */

static char lower(char c)
{
    return (char)(c | 0x20);
}

/* Go's underscoreOK: underscores only between digits (or after a base prefix). */
static bool underscore_ok(const char *s, size_t n)
{
    char saw = '^';
    size_t i = 0;
    bool hex = false;

    if (n >= 1 && (s[0] == '-' || s[0] == '+')) {
        s++;
        n--;
    }
    if (n >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
        hex = lower(s[1]) == 'x';
        i = 2;
        saw = '0';
    }
    for (; i < n; i++) {
        char c = s[i];
        if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
            saw = '0';
            continue;
        }
        if (c == '_') {
            if (saw != '0')
                return false;
            saw = '_';
            continue;
        }
        if (saw == '_')
            return false;
        saw = '!';
    }
    return saw != '_';
}

/* strconv.ParseUint(s, 0, 64): 0 ok, 1 syntax error, 2 out of range. */
static int parse_uint0(const char *s, size_t n, uint64_t *out)
{
    unsigned base = 10;
    size_t i = 0;
    bool under = false;
    uint64_t v = 0;
    bool range = false;

    if (n == 0)
        return 1;
    if (s[0] == '0') {
        if (n >= 3 && lower(s[1]) == 'b') {
            base = 2;
            i = 2;
        } else if (n >= 3 && lower(s[1]) == 'o') {
            base = 8;
            i = 2;
        } else if (n >= 3 && lower(s[1]) == 'x') {
            base = 16;
            i = 2;
        } else {
            base = 8;
            i = 1;
        }
    }
    for (; i < n; i++) {
        int d;
        char c = s[i];
        if (c == '_') {
            under = true;
            continue;
        }
        d = hexval(c);
        if (d < 0 || (unsigned)d >= base)
            return 1;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            range = true;
        else
            v = v * base + (uint64_t)d;
    }
    if (under && !underscore_ok(s, n))
        return 1;
    if (range)
        return 2;
    *out = v;
    return 0;
}

static int parse_int0(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    uint64_t u;
    int rc;

    if (n && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    rc = parse_uint0(s, n, &u);
    if (rc)
        return rc;
    if (!neg && u > (uint64_t)INT64_MAX)
        return 2;
    if (neg && u > (uint64_t)INT64_MAX + 1)
        return 2;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

/* strconv.ParseFloat(s, 64) for the literals the lexer lets through; false on error. */
static bool parse_float(const char *s, size_t n, double *out)
{
    char buf[128];
    size_t o = 0;
    bool hex = false, has_p = false, under = false;
    char *end;
    double f;

    if (n == 0 || n >= sizeof(buf))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '_') {
            under = true;
            continue;
        }
        if (i + 1 < n && c == '0' && lower(s[i + 1]) == 'x')
            hex = true;
        if (hex && lower(c) == 'p')
            has_p = true;
        buf[o++] = c;
    }
    buf[o] = '\0';
    if (under && !underscore_ok(s, n))
        return false;
    if (hex && !has_p)
        return false;
    /* only digits, signs, '.', exponents and hex digits may appear: no inf/nan words */
    for (size_t i = 0; i < o; i++) {
        char c = lower(buf[i]);
        if (!((c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'p' ||
              c == 'x' || (hex && c >= 'a' && c <= 'f')))
            return false;
    }
    errno = 0;
    f = strtod(buf, &end);
    if (end != buf + o || end == buf)
        return false;
    if (errno == ERANGE && isinf(f))
        return false;
    *out = f;
    return true;
}

static bool has_any(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (strchr(set, s[i]))
            return true;
    return false;
}

const char *tparse_number(const char *s, size_t n, enum tok_type typ, struct tnumber *num,
                          char *buf, size_t bufsz)
{
    memset(num, 0, sizeof(*num));
    if (typ == TK_CHAR_CONSTANT) {
        char tmp[4];
        size_t tl, w;
        uint32_t r;
        if (n < 2)
            return "invalid syntax";
        w = unquote_char(s + 1, n - 1, '\'', tmp, &tl, &r);
        if (!w)
            return "invalid syntax";
        if (1 + w != n - 1 || s[n - 1] != '\'') {
            snprintf(buf, bufsz, "malformed character constant: %.*s", (int)(n > 64 ? 64 : n), s);
            return buf;
        }
        num->is_int = num->is_uint = num->is_float = true;
        num->i = r;
        num->u = r;
        num->f = r;
        return NULL;
    }
    if (typ == TK_COMPLEX)
        return "complex number constants are not supported";
    if (n > 1 && s[n - 1] == 'i') {
        double im;
        if (parse_float(s, n - 1, &im))
            return "complex number constants are not supported";
    }
    {
        uint64_t u;
        int64_t i;
        if (parse_uint0(s, n, &u) == 0) {
            num->is_uint = true;
            num->u = u;
        }
        if (parse_int0(s, n, &i) == 0) {
            num->is_int = true;
            num->i = i;
            if (i == 0) {
                num->is_uint = true;
                num->u = 0;
            }
        }
    }
    if (num->is_int) {
        num->is_float = true;
        num->f = (double)num->i;
    } else if (num->is_uint) {
        num->is_float = true;
        num->f = (double)num->u;
    } else {
        double f;
        if (parse_float(s, n, &f)) {
            if (!has_any(s, n, ".eEpP")) {
                snprintf(buf, bufsz, "integer overflow: \"%.*s\"", (int)(n > 64 ? 64 : n), s);
                return buf;
            }
            num->is_float = true;
            num->f = f;
            if (f >= -9223372036854775808.0 && f < 9223372036854775808.0 &&
                (double)(int64_t)f == f) {
                num->is_int = true;
                num->i = (int64_t)f;
            }
            if (f >= 0 && f < 18446744073709551616.0 && (double)(uint64_t)f == f) {
                num->is_uint = true;
                num->u = (uint64_t)f;
            }
        }
    }
    if (!num->is_int && !num->is_uint && !num->is_float) {
        snprintf(buf, bufsz, "illegal number syntax: \"%.*s\"", (int)(n > 64 ? 64 : n), s);
        return buf;
    }
    return NULL;
}

/* ---- strconv for the functions (cast.ToInt64, cast.ToFloat64) ---- */

bool tgo_parse_int0(const char *s, size_t n, int64_t *out)
{
    return parse_int0(s, n, out) == 0;
}

static bool eq_fold(const char *s, size_t n, const char *word)
{
    size_t k = strlen(word);

    if (n != k)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != word[i])
            return false;
    return true;
}

bool tgo_parse_float(const char *s, size_t n, double *out)
{
    const char *b = s;
    size_t bn = n;
    double sign = 1;

    if (bn && (b[0] == '+' || b[0] == '-')) {
        sign = b[0] == '-' ? -1 : 1;
        b++;
        bn--;
    }
    if (eq_fold(b, bn, "inf") || eq_fold(b, bn, "infinity")) {
        *out = sign * INFINITY;
        return true;
    }
    if (eq_fold(s, n, "nan")) {
        *out = NAN;
        return true;
    }
    return parse_float(s, n, out);
}
