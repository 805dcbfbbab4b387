/* gw_jsonschema_regex.c - `pattern`, `patternProperties` and the `regex` format: patterns in the
 * syntax of Go's regexp (RE2, what KrakenD's library compiles them with), checked and rewritten to
 * an equivalent PCRE2 pattern, run by PCRE2's DFA matcher (no backtracking, linear in the text). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "gw_jsonschema_int.h"

#include "cmn_str.h"

#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPEAT_MAX 1000 /* Go refuses larger counts in {n,m} */
#define NEST_MAX 1000   /* Go refuses deeper nesting */
#define WORKSPACE 4096  /* ints of DFA workspace per matcher */
#define MATCH_LIMIT 10000000u

struct gw_jsonschema_regex {
    pcre2_code *code;
    char *src;
    size_t src_n;
};

struct gw_jsonschema_matcher {
    pcre2_match_data *md;
    pcre2_match_context *mc;
    int ws[WORKSPACE];
};

struct rx {
    const char *s;
    size_t n, i;
    struct cmn_buf out;
    struct cmn_err *err;
    int depth;
    bool ml;                     /* (?m) in force: $ is the end of a line */
    bool ml_saved[NEST_MAX + 1]; /* its value outside each open group */
    char **names;                /* capture names, to refuse duplicates as Go does */
    size_t n_names;
};

static bool rx_fail(struct rx *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool rx_fail(struct rx *r, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cmn_err_set(r->err, GW_JSONSCHEMA_SCHEMA, "%s", msg);
    return false;
}

static void emit(struct rx *r, const char *s)
{
    cmn_buf_append_str(&r->out, s);
}

static void emit_cp(struct rx *r, int32_t c)
{
    cmn_buf_printf(&r->out, "\\x{%x}", (unsigned)c);
}

static int hexd(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_punct(unsigned char c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

/* Next code point of the pattern. */
static int32_t next_cp(struct rx *r)
{
    size_t size;
    int32_t c = gw_jsonschema_utf8_decode(r->s + r->i, r->n - r->i, &size);

    r->i += size;
    return c;
}

/* Go's Perl classes, written out so that PCRE2 cannot widen them (its \s also holds \v). */
static const char *perl_class(char c, bool in_class)
{
    switch (c) {
    case 'd':
        return in_class ? "0-9" : "[0-9]";
    case 'D':
        return in_class ? "\\x{0}-\\x{2f}\\x{3a}-\\x{10ffff}" : "[^0-9]";
    case 's':
        return in_class ? "\\x{9}\\x{a}\\x{c}\\x{d}\\x{20}" : "[\\x{9}\\x{a}\\x{c}\\x{d}\\x{20}]";
    case 'S':
        return in_class ? "\\x{0}-\\x{8}\\x{b}\\x{e}-\\x{1f}\\x{21}-\\x{10ffff}"
                        : "[^\\x{9}\\x{a}\\x{c}\\x{d}\\x{20}]";
    case 'w':
        return in_class ? "0-9A-Za-z_" : "[0-9A-Za-z_]";
    case 'W':
        return in_class ? "\\x{0}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{5e}\\x{60}\\x{7b}-\\x{10ffff}"
                        : "[^0-9A-Za-z_]";
    default:
        return NULL;
    }
}

/* Unicode's long names of the general categories (and the aliases Go 1.25 accepts), by the short
 * names PCRE2 knows. */
static const struct {
    const char *alias, *name;
} CATEGORY[] = {
    {"Letter", "L"},
    {"Cased_Letter", "L&"},
    {"LC", "L&"},
    {"Uppercase_Letter", "Lu"},
    {"Lowercase_Letter", "Ll"},
    {"Titlecase_Letter", "Lt"},
    {"Modifier_Letter", "Lm"},
    {"Other_Letter", "Lo"},
    {"Mark", "M"},
    {"Combining_Mark", "M"},
    {"Nonspacing_Mark", "Mn"},
    {"Spacing_Mark", "Mc"},
    {"Enclosing_Mark", "Me"},
    {"Number", "N"},
    {"Decimal_Number", "Nd"},
    {"digit", "Nd"},
    {"Letter_Number", "Nl"},
    {"Other_Number", "No"},
    {"Punctuation", "P"},
    {"punct", "P"},
    {"Connector_Punctuation", "Pc"},
    {"Dash_Punctuation", "Pd"},
    {"Open_Punctuation", "Ps"},
    {"Close_Punctuation", "Pe"},
    {"Initial_Punctuation", "Pi"},
    {"Final_Punctuation", "Pf"},
    {"Other_Punctuation", "Po"},
    {"Symbol", "S"},
    {"Math_Symbol", "Sm"},
    {"Currency_Symbol", "Sc"},
    {"Modifier_Symbol", "Sk"},
    {"Other_Symbol", "So"},
    {"Separator", "Z"},
    {"Space_Separator", "Zs"},
    {"Line_Separator", "Zl"},
    {"Paragraph_Separator", "Zp"},
    {"Other", "C"},
    {"Control", "Cc"},
    {"cntrl", "Cc"},
    {"Format", "Cf"},
    {"Surrogate", "Cs"},
    {"Private_Use", "Co"},
    {"Unassigned", "Cn"},
};

static bool same_name(const char *a, const char *b, size_t n)
{
    if (strlen(a) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

/* \pL, \p{Greek}, \P{^L}, \p{Letter}: category aliases mapped, the rest left to PCRE2 (which
 * then checks the name). */
static bool unicode_class(struct rx *r, char pc, bool in_class)
{
    size_t start, n;
    const char *name;
    bool neg = pc == 'P';

    if (r->i >= r->n)
        return rx_fail(r, "invalid character class range %s", "\\p");
    if (r->s[r->i] != '{') {
        if (!((r->s[r->i] >= 'A' && r->s[r->i] <= 'Z') || (r->s[r->i] >= 'a' && r->s[r->i] <= 'z')))
            return rx_fail(r, "invalid character class range %s", "\\p");
        cmn_buf_printf(&r->out, "\\%c%c", pc, r->s[r->i]);
        r->i++;
        return true;
    }
    start = ++r->i;
    while (r->i < r->n && r->s[r->i] != '}')
        r->i++;
    if (r->i >= r->n || r->i == start)
        return rx_fail(r, "invalid character class range %s", "\\p{");
    name = r->s + start;
    n = r->i - start;
    r->i++;
    if (name[0] == '^') {
        neg = !neg;
        name++;
        n--;
    }
    if (same_name("ASCII", name, n)) {
        if (in_class)
            emit(r, neg ? "\\x{80}-\\x{10ffff}" : "\\x{0}-\\x{7f}");
        else
            emit(r, neg ? "[^\\x{0}-\\x{7f}]" : "[\\x{0}-\\x{7f}]");
        return true;
    }
    if (same_name("Assigned", name, n)) {
        cmn_buf_printf(&r->out, "\\%c{Cn}", neg ? 'p' : 'P');
        return true;
    }
    for (size_t k = 0; k < sizeof(CATEGORY) / sizeof(CATEGORY[0]); k++) {
        if (same_name(CATEGORY[k].alias, name, n)) {
            name = CATEGORY[k].name;
            n = strlen(name);
            break;
        }
    }
    for (size_t k = 0; k < n; k++)
        if (!((name[k] >= 'A' && name[k] <= 'Z') || (name[k] >= 'a' && name[k] <= 'z') ||
              (name[k] >= '0' && name[k] <= '9') || name[k] == '_' || name[k] == '&'))
            return rx_fail(r, "invalid character class range \\p{%.*s}", (int)n, name);
    cmn_buf_printf(&r->out, "\\%c{%.*s}", neg ? 'P' : 'p', (int)n, name);
    return true;
}

/* An escape naming one code point (\n, \x41, \x{263a}, \012, \.), after the backslash. Returns
 * the code point or -1 with the error set. */
static int32_t escape_char(struct rx *r)
{
    unsigned char c;
    int32_t v = 0;
    int k;

    if (r->i >= r->n) {
        rx_fail(r, "trailing backslash at end of expression%s", "");
        return -1;
    }
    c = (unsigned char)r->s[r->i++];
    switch (c) {
    case 'a':
        return 7;
    case 'f':
        return 12;
    case 't':
        return 9;
    case 'n':
        return 10;
    case 'r':
        return 13;
    case 'v':
        return 11;
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
        if (r->i >= r->n || r->s[r->i] < '0' || r->s[r->i] > '7') {
            rx_fail(r, "backreference %s is not RE2 syntax (Go's regexp, KrakenD's engine)",
                    (const char[]){'\\', (char)c, 0});
            return -1;
        }
        /* fallthrough */
    case '0':
        v = c - '0';
        for (k = 0; k < 2 && r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '7'; k++)
            v = v * 8 + (r->s[r->i++] - '0');
        return v;
    case 'x':
        if (r->i < r->n && r->s[r->i] == '{') {
            r->i++;
            for (k = 0; r->i < r->n && hexd(r->s[r->i]) >= 0; k++) {
                v = v * 16 + hexd(r->s[r->i++]);
                if (v > 0x10ffff)
                    break;
            }
            if (k == 0 || v > 0x10ffff || r->i >= r->n || r->s[r->i] != '}') {
                rx_fail(r, "invalid escape sequence %s", "\\x{");
                return -1;
            }
            r->i++;
            return v;
        }
        if (r->i + 1 >= r->n || hexd(r->s[r->i]) < 0 || hexd(r->s[r->i + 1]) < 0) {
            rx_fail(r, "invalid escape sequence %s", "\\x");
            return -1;
        }
        v = hexd(r->s[r->i]) * 16 + hexd(r->s[r->i + 1]);
        r->i += 2;
        return v;
    default:
        if (c < 0x80 && is_punct(c))
            return c;
        if (c == 'u' || c == 'c')
            rx_fail(r,
                    "invalid escape sequence %s (not RE2 syntax: write \\x{hex} for a code point)",
                    c == 'u' ? "\\u" : "\\c");
        else
            rx_fail(r, "invalid escape sequence %s", (const char[]){'\\', (char)c, 0});
        return -1;
    }
}

/* One member of a bracket class: fills lo (a code point) or emits a class item and sets *lo -1. */
static bool class_atom(struct rx *r, int32_t *lo)
{
    const char *pc;
    size_t end;
    char c;

    *lo = -1;
    if (r->s[r->i] == '[' && r->i + 1 < r->n && r->s[r->i + 1] == ':') {
        for (end = r->i + 2; end + 1 < r->n && !(r->s[end] == ':' && r->s[end + 1] == ']'); end++)
            ;
        if (end + 1 < r->n) {
            static const char *const names[] = {"alnum", "alpha", "ascii", "blank", "cntrl",
                                                "digit", "graph", "lower", "print", "punct",
                                                "space", "upper", "word",  "xdigit"};
            const char *nm = r->s + r->i + 2;
            size_t len = end - r->i - 2;
            bool neg = len > 0 && nm[0] == '^';
            for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
                if (strlen(names[k]) == len - neg && !memcmp(names[k], nm + neg, len - neg)) {
                    cmn_buf_printf(&r->out, "[:%s%s:]", neg ? "^" : "", names[k]);
                    r->i = end + 2;
                    return true;
                }
            }
            return rx_fail(r, "invalid character class range %s", "[:");
        }
    }
    if (r->s[r->i] == '\\' && r->i + 1 < r->n) {
        c = r->s[r->i + 1];
        if ((pc = perl_class(c, true)) != NULL) {
            emit(r, pc);
            r->i += 2;
            return true;
        }
        if (c == 'p' || c == 'P') {
            r->i += 2;
            return unicode_class(r, c, true);
        }
        r->i++;
        *lo = escape_char(r);
        return *lo >= 0;
    }
    *lo = next_cp(r);
    return true;
}

static bool parse_class(struct rx *r)
{
    bool first = true;
    int32_t lo, hi;

    r->i++; /* [ */
    emit(r, "[");
    if (r->i < r->n && r->s[r->i] == '^') {
        emit(r, "^");
        r->i++;
    }
    while (r->i < r->n && (r->s[r->i] != ']' || first)) {
        first = false;
        if (!class_atom(r, &lo))
            return false;
        if (lo < 0)
            continue;
        hi = lo;
        if (r->i + 1 < r->n && r->s[r->i] == '-' && r->s[r->i + 1] != ']') {
            r->i++;
            if (r->s[r->i] == '\\' && r->i + 1 < r->n &&
                (perl_class(r->s[r->i + 1], true) || r->s[r->i + 1] == 'p' ||
                 r->s[r->i + 1] == 'P'))
                return rx_fail(r, "invalid character class range %s", "-\\");
            if (r->s[r->i] == '\\') {
                r->i++;
                hi = escape_char(r);
                if (hi < 0)
                    return false;
            } else {
                hi = next_cp(r);
            }
            if (hi < lo)
                return rx_fail(r, "invalid character class range %s", "(high < low)");
        }
        emit_cp(r, lo);
        if (hi != lo) {
            emit(r, "-");
            emit_cp(r, hi);
        }
    }
    if (r->i >= r->n)
        return rx_fail(r, "missing closing ] %s", "");
    r->i++;
    emit(r, "]");
    return true;
}

/* {n}, {n,}, {n,m}: true with *len the text length when s holds one (else `{` is a literal). */
static bool repeat_braces(const char *s, size_t n, size_t *len, long *lo, long *hi)
{
    size_t i = 1;
    long a = 0, b = -1;

    if (i >= n || s[i] < '0' || s[i] > '9')
        return false;
    while (i < n && s[i] >= '0' && s[i] <= '9' && a <= 100000)
        a = a * 10 + (s[i++] - '0');
    if (i < n && s[i] == ',') {
        i++;
        if (i < n && s[i] >= '0' && s[i] <= '9') {
            b = 0;
            while (i < n && s[i] >= '0' && s[i] <= '9' && b <= 100000)
                b = b * 10 + (s[i++] - '0');
        } else {
            b = -2; /* open */
        }
    } else {
        b = a;
    }
    if (i >= n || s[i] != '}')
        return false;
    *len = i + 1;
    *lo = a;
    *hi = b;
    return true;
}

static bool valid_name(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t k = 0; k < n; k++)
        if (!((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'z') ||
              (s[k] >= 'A' && s[k] <= 'Z') || s[k] == '_'))
            return false;
    return true;
}

/* After "(?": flags, a flag group, or a named group. *mflag: 1 when it sets m, 0 when it clears
 * it, -1 otherwise. */
static bool group_syntax(struct rx *r, bool *opened, int *mflag)
{
    size_t start, k;
    bool neg = false, any = false;
    char **nn;

    *opened = false;
    *mflag = -1;
    if (r->i < r->n && (r->s[r->i] == '=' || r->s[r->i] == '!'))
        return rx_fail(r, "lookahead %s is not RE2 syntax (Go's regexp, KrakenD's engine)",
                       r->s[r->i] == '=' ? "(?=" : "(?!");
    if (r->i + 1 < r->n && r->s[r->i] == '<' && (r->s[r->i + 1] == '=' || r->s[r->i + 1] == '!'))
        return rx_fail(r, "lookbehind %s is not RE2 syntax (Go's regexp, KrakenD's engine)",
                       r->s[r->i + 1] == '=' ? "(?<=" : "(?<!");
    if ((r->i < r->n && r->s[r->i] == '<') ||
        (r->i + 1 < r->n && r->s[r->i] == 'P' && r->s[r->i + 1] == '<')) {
        r->i += r->s[r->i] == 'P' ? 2 : 1;
        start = r->i;
        while (r->i < r->n && r->s[r->i] != '>')
            r->i++;
        if (r->i >= r->n || !valid_name(r->s + start, r->i - start))
            return rx_fail(r, "invalid named capture %s", "(?P<");
        for (k = 0; k < r->n_names; k++)
            if (strlen(r->names[k]) == r->i - start &&
                !memcmp(r->names[k], r->s + start, r->i - start))
                return rx_fail(r, "duplicate capture group name %s", r->names[k]);
        nn = realloc(r->names, (r->n_names + 1) * sizeof(*nn));
        if (!nn)
            return rx_fail(r, "out of memory%s", "");
        r->names = nn;
        r->names[r->n_names] = cmn_strndup(r->s + start, r->i - start);
        if (!r->names[r->n_names])
            return rx_fail(r, "out of memory%s", "");
        r->n_names++;
        r->i++;
        emit(r, "(");
        *opened = true;
        return true;
    }
    emit(r, "(?");
    for (; r->i < r->n; r->i++) {
        char c = r->s[r->i];
        if (c == 'i' || c == 'm' || c == 's' || c == 'U') {
            cmn_buf_append(&r->out, &c, 1);
            any = true;
            if (c == 'm')
                *mflag = !neg;
        } else if (c == '-' && !neg) {
            if (r->i + 1 < r->n && (r->s[r->i + 1] == ')' || r->s[r->i + 1] == ':'))
                break; /* "(?i-)" */
            emit(r, "-");
            neg = true;
            any = false;
        } else if ((c == ')' || c == ':') && any) {
            cmn_buf_append(&r->out, &c, 1);
            r->i++;
            *opened = c == ':';
            return true;
        } else {
            break;
        }
    }
    return rx_fail(r, "invalid or unsupported Perl syntax %s (not RE2 syntax)", "(?");
}

static bool translate(struct rx *r)
{
    bool operand = false, repeated = false, opened;
    int mflag;
    size_t len;
    long lo, hi;
    const char *pc;
    unsigned char c;
    int32_t cp;

    while (r->i < r->n) {
        c = (unsigned char)r->s[r->i];
        if (c == '*' || c == '+' || c == '?' ||
            (c == '{' && repeat_braces(r->s + r->i, r->n - r->i, &len, &lo, &hi))) {
            if (!operand)
                return rx_fail(r, "missing argument to repetition operator %.1s", r->s + r->i);
            if (repeated)
                return rx_fail(r, "invalid nested repetition operator %.1s", r->s + r->i);
            if (c == '{') {
                if (lo > REPEAT_MAX || hi > REPEAT_MAX || (hi >= 0 && hi < lo))
                    return rx_fail(r, "invalid repeat count %s", "{n,m}");
                cmn_buf_append(&r->out, r->s + r->i, len);
                r->i += len;
            } else {
                cmn_buf_append(&r->out, r->s + r->i, 1);
                r->i++;
            }
            if (r->i < r->n && r->s[r->i] == '?') {
                emit(r, "?");
                r->i++;
            }
            repeated = true;
            continue;
        }
        repeated = false;
        operand = true;
        switch (c) {
        case '(':
            if (++r->depth > NEST_MAX)
                return rx_fail(r, "expression nests too deeply%s", "");
            r->i++;
            opened = true;
            mflag = -1;
            r->ml_saved[r->depth] = r->ml;
            if (r->i < r->n && r->s[r->i] == '?') {
                r->i++;
                if (!group_syntax(r, &opened, &mflag))
                    return false;
                if (!opened)
                    r->depth--; /* (?i): flags only, nothing to repeat */
            } else {
                emit(r, "(");
            }
            if (mflag >= 0)
                r->ml = mflag; /* to the end of the group it opens or stands in */
            operand = false;
            break;
        case ')':
            if (r->depth == 0)
                return rx_fail(r, "unexpected ) %s", "");
            r->ml = r->ml_saved[r->depth];
            r->depth--;
            emit(r, ")");
            r->i++;
            break;
        case '|':
            emit(r, "|");
            r->i++;
            operand = false;
            break;
        case '^':
        case '$':
            /* wrapped so a repetition of an anchor is accepted as Go accepts it; without (?m),
             * $ is the end of the text only (PCRE2's $ would also match before a final \n) */
            emit(r, c == '^' ? "(?:^)" : r->ml ? "(?:$)" : "(?:\\z)");
            r->i++;
            break;
        case '.':
            emit(r, ".");
            r->i++;
            break;
        case '[':
            if (!parse_class(r))
                return false;
            break;
        case '\\':
            r->i++;
            if (r->i >= r->n)
                return rx_fail(r, "trailing backslash at end of expression%s", "");
            c = (unsigned char)r->s[r->i];
            if (c == 'A' || c == 'z' || c == 'b' || c == 'B') {
                cmn_buf_printf(&r->out, "(?:\\%c)", c);
                r->i++;
            } else if ((pc = perl_class((char)c, false)) != NULL) {
                emit(r, pc);
                r->i++;
            } else if (c == 'p' || c == 'P') {
                r->i++;
                if (!unicode_class(r, (char)c, false))
                    return false;
            } else if (c == 'Q') {
                r->i++;
                emit(r, "(?:");
                while (r->i < r->n &&
                       !(r->s[r->i] == '\\' && r->i + 1 < r->n && r->s[r->i + 1] == 'E'))
                    emit_cp(r, next_cp(r));
                if (r->i < r->n)
                    r->i += 2;
                emit(r, ")");
            } else {
                cp = escape_char(r);
                if (cp < 0)
                    return false;
                emit_cp(r, cp);
            }
            break;
        default:
            emit_cp(r, next_cp(r));
            break;
        }
    }
    if (r->depth != 0)
        return rx_fail(r, "missing closing ) %s", "");
    return true;
}

/* Parses, rewrites and compiles; out of the function the PCRE2 code or NULL with err set. */
static pcre2_code *build(const char *pat, size_t n, struct cmn_err *err)
{
    struct rx r = {0};
    pcre2_compile_context *cc = NULL;
    pcre2_code *code = NULL;
    int ecode = 0;
    PCRE2_SIZE eoff = 0;
    PCRE2_UCHAR msg[160];

    r.s = pat;
    r.n = n;
    r.err = err;
    cmn_buf_init(&r.out, 1u << 20);
    if (!translate(&r))
        goto out;
    if (r.out.len >= (1u << 20) - 1) {
        cmn_err_set(err, GW_JSONSCHEMA_SCHEMA, "pattern too long");
        goto out;
    }
    cc = pcre2_compile_context_create(NULL);
    if (!cc) {
        cmn_err_set(err, GW_JSONSCHEMA_NOMEM, "out of memory");
        goto out;
    }
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    code = pcre2_compile((PCRE2_SPTR)cmn_buf_str(&r.out), r.out.len,
                         PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_ALT_CIRCUMFLEX |
                             PCRE2_NEVER_BACKSLASH_C | PCRE2_NEVER_UCP,
                         &ecode, &eoff, cc);
    if (!code) {
        pcre2_get_error_message(ecode, msg, sizeof(msg));
        cmn_err_set(err, GW_JSONSCHEMA_SCHEMA, "%s", (const char *)msg);
    }
out:
    for (size_t k = 0; k < r.n_names; k++)
        free(r.names[k]);
    free(r.names);
    pcre2_compile_context_free(cc);
    cmn_buf_free(&r.out);
    return code;
}

struct gw_jsonschema_regex *gw_jsonschema_regex_compile(const char *pat, size_t n,
                                                        struct cmn_err *err)
{
    struct gw_jsonschema_regex *re = calloc(1, sizeof(*re));

    if (!re) {
        cmn_err_set(err, GW_JSONSCHEMA_NOMEM, "out of memory");
        return NULL;
    }
    re->src = cmn_strndup(pat, n);
    re->src_n = n;
    re->code = re->src ? build(pat, n, err) : NULL;
    if (!re->code) {
        if (!re->src)
            cmn_err_set(err, GW_JSONSCHEMA_NOMEM, "out of memory");
        gw_jsonschema_regex_free(re);
        return NULL;
    }
    return re;
}

void gw_jsonschema_regex_free(struct gw_jsonschema_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    free(re->src);
    free(re);
}

const char *gw_jsonschema_regex_source(const struct gw_jsonschema_regex *re, size_t *n)
{
    *n = re->src_n;
    return re->src;
}

bool gw_jsonschema_regex_valid(const char *pat, size_t n)
{
    struct cmn_err err;
    pcre2_code *code = build(pat, n, &err);

    pcre2_code_free(code);
    return code != NULL;
}

struct gw_jsonschema_matcher *gw_jsonschema_matcher_new(void)
{
    /* malloc: the DFA workspace needs no zeroing */
    struct gw_jsonschema_matcher *m = malloc(sizeof(*m));

    if (!m)
        return NULL;
    m->md = pcre2_match_data_create(1, NULL);
    m->mc = pcre2_match_context_create(NULL);
    if (!m->md || !m->mc) {
        gw_jsonschema_matcher_free(m);
        return NULL;
    }
    pcre2_set_match_limit(m->mc, MATCH_LIMIT);
    pcre2_set_depth_limit(m->mc, 1000);
    pcre2_set_heap_limit(m->mc, 4096);
    return m;
}

void gw_jsonschema_matcher_free(struct gw_jsonschema_matcher *m)
{
    if (!m)
        return;
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mc);
    free(m);
}

int gw_jsonschema_regex_search(const struct gw_jsonschema_regex *re,
                               struct gw_jsonschema_matcher *m, const char *s, size_t n)
{
    /* the text is valid UTF-8: the parser replaced every bad byte */
    int rc = pcre2_dfa_match(re->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, m->md, m->mc, m->ws,
                             WORKSPACE);

    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    return -1;
}
