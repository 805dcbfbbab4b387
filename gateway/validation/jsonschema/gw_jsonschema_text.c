/* gw_jsonschema_text.c - the text of validation errors as KrakenD's library prints them: Go's
 * quoting of strings and bytes, %v of values and numbers (fmt, and golang.org/x/text's English
 * printer with its digit grouping), and the indented list of causes. */
#include "gw_jsonschema_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ---- */

/* The exponent of "e+05"-style text at p (p at 'e'). */
static int exp_of(const char *p)
{
    int v = 0, neg = 0;

    if (*p == 'e')
        p++;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (*p++ - '0');
    return neg ? -v : v;
}

/* Shortest decimal digits of |d| that read back as d: digits in out (>= 20 bytes), value
 * 0.out x 10^*dp. Returns the digit count (0 for zero). */
static int shortest(double d, char *out, int *dp)
{
    char buf[40];
    int nd = 0;
    char *p;

    *dp = 0;
    if (d == 0) {
        out[0] = '\0';
        return 0;
    }
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(buf, sizeof(buf), "%.*e", prec, fabs(d));
        if (strtod(buf, NULL) == fabs(d))
            break;
    }
    for (p = buf; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            out[nd++] = *p;
    while (nd > 1 && out[nd - 1] == '0')
        nd--;
    out[nd] = '\0';
    *dp = exp_of(p) + 1;
    return nd;
}

void gw_jsonschema_fmt_go_float(double d, char *out, size_t out_size)
{
    char dig[24];
    int dp, nd, exp, k = 0;
    size_t w = 0;

    if (isnan(d)) {
        snprintf(out, out_size, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(out, out_size, "%sInf", d < 0 ? "-" : "+");
        return;
    }
    nd = shortest(d, dig, &dp);
    if (nd == 0) {
        snprintf(out, out_size, "%s0", signbit(d) ? "-" : "");
        return;
    }
    if (out_size < 32)
        return;
    if (d < 0)
        out[w++] = '-';
    exp = dp - 1;
    if (exp < -4 || exp >= 6) { /* %e with the shortest digits */
        out[w++] = dig[0];
        if (nd > 1) {
            out[w++] = '.';
            for (k = 1; k < nd; k++)
                out[w++] = dig[k];
        }
        snprintf(out + w, out_size - w, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return;
    }
    if (dp <= 0) {
        out[w++] = '0';
        out[w++] = '.';
        for (k = dp; k < 0; k++)
            out[w++] = '0';
        for (k = 0; k < nd; k++)
            out[w++] = dig[k];
    } else {
        for (k = 0; k < dp; k++)
            out[w++] = k < nd ? dig[k] : '0';
        if (nd > dp) {
            out[w++] = '.';
            for (k = dp; k < nd; k++)
                out[w++] = dig[k];
        }
    }
    out[w] = '\0';
}

/* Integer digits with x/text's English grouping ("1,234,567"). */
static void grouped(struct cmn_buf *b, const char *dig, int n)
{
    for (int k = 0; k < n; k++) {
        cmn_buf_append(b, dig + k, 1);
        if ((n - k - 1) % 3 == 0 && k != n - 1)
            cmn_buf_append(b, ",", 1);
    }
}

void gw_jsonschema_fmt_text_int(struct cmn_buf *b, int64_t v)
{
    char dig[24];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    snprintf(dig, sizeof(dig), "%llu", (unsigned long long)u);
    if (v < 0)
        cmn_buf_append(b, "-", 1);
    grouped(b, dig, (int)strlen(dig));
}

/* superscript digits for the scientific form (x/text writes 1e6 as 1×10⁰⁶) */
static const char *const SUPER[10] = {"\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
                                      "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};

void gw_jsonschema_fmt_text_float(struct cmn_buf *b, double d)
{
    char dig[24], ed[16];
    int dp, nd, exp, k;

    if (isnan(d)) {
        cmn_buf_append_str(b, "NaN");
        return;
    }
    if (isinf(d)) {
        cmn_buf_append_str(b, d < 0 ? "-\u221e" : "\u221e");
        return;
    }
    nd = shortest(d, dig, &dp);
    if (nd == 0) {
        cmn_buf_append_str(b, "0");
        return;
    }
    if (d < 0)
        cmn_buf_append(b, "-", 1);
    exp = dp - 1;
    if (exp < -4 || exp >= 6) {
        cmn_buf_append(b, dig, 1);
        if (nd > 1) {
            cmn_buf_append(b, ".", 1);
            cmn_buf_append(b, dig + 1, (size_t)nd - 1);
        }
        cmn_buf_append_str(b, "\u00d710");
        if (exp < 0)
            cmn_buf_append_str(b, "\u207b");
        snprintf(ed, sizeof(ed), "%02d", exp < 0 ? -exp : exp);
        for (k = 0; ed[k]; k++)
            cmn_buf_append_str(b, SUPER[ed[k] - '0']);
        return;
    }
    if (dp <= 0) {
        cmn_buf_append_str(b, "0.");
        for (k = dp; k < 0; k++)
            cmn_buf_append(b, "0", 1);
        cmn_buf_append(b, dig, (size_t)nd);
        return;
    }
    if (nd >= dp) {
        grouped(b, dig, dp);
        if (nd > dp) {
            cmn_buf_append(b, ".", 1);
            cmn_buf_append(b, dig + dp, (size_t)(nd - dp));
        }
    } else {
        char full[24];
        memcpy(full, dig, (size_t)nd);
        for (k = nd; k < dp; k++)
            full[k] = '0';
        grouped(b, full, dp);
    }
}

/* ---- strings and values ---- */

/* Code points Go's unicode.IsPrint refuses (controls, format characters, separators other than
 * the ASCII space, surrogates, private use, noncharacters). Unassigned code points, which Go also
 * refuses, are treated as printable: the table would be larger than this file. */
static const struct {
    int32_t lo, hi;
} NONPRINT[] = {
    {0x00, 0x1f},       {0x7f, 0xa0},       {0xad, 0xad},       {0x600, 0x605},
    {0x61c, 0x61c},     {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x890, 0x891},
    {0x8e2, 0x8e2},     {0x1680, 0x1680},   {0x180e, 0x180e},   {0x2000, 0x200f},
    {0x2028, 0x202f},   {0x205f, 0x2064},   {0x2066, 0x206f},   {0x3000, 0x3000},
    {0xd800, 0xf8ff},   {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0xfffe, 0xffff},
    {0x110bd, 0x110bd}, {0x110cd, 0x110cd}, {0x13430, 0x1343f}, {0x1bca0, 0x1bca3},
    {0x1d173, 0x1d17a}, {0xe0001, 0xe0001}, {0xe0020, 0xe007f}, {0xf0000, 0x10ffff},
};

static bool is_print(int32_t c)
{
    for (size_t i = 0; i < sizeof(NONPRINT) / sizeof(NONPRINT[0]); i++)
        if (c >= NONPRINT[i].lo && c <= NONPRINT[i].hi)
            return false;
    return true;
}

/* strconv.Quote's escaping of one code point (c < 0: the invalid byte b). */
static void quote_rune(struct cmn_buf *b, int32_t c, unsigned char byte, const char *raw,
                       size_t size)
{
    char esc[16];

    if (c < 0) {
        snprintf(esc, sizeof(esc), "\\x%02x", byte);
        cmn_buf_append_str(b, esc);
        return;
    }
    switch (c) {
    case '\a':
        cmn_buf_append_str(b, "\\a");
        return;
    case '\b':
        cmn_buf_append_str(b, "\\b");
        return;
    case '\f':
        cmn_buf_append_str(b, "\\f");
        return;
    case '\n':
        cmn_buf_append_str(b, "\\n");
        return;
    case '\r':
        cmn_buf_append_str(b, "\\r");
        return;
    case '\t':
        cmn_buf_append_str(b, "\\t");
        return;
    case '\v':
        cmn_buf_append_str(b, "\\v");
        return;
    case '\\':
        cmn_buf_append_str(b, "\\\\");
        return;
    default:
        break;
    }
    if (is_print(c)) {
        cmn_buf_append(b, raw, size);
        return;
    }
    if (c < 0x80)
        snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)c);
    else if (c < 0x10000)
        snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)c);
    else
        snprintf(esc, sizeof(esc), "\\U%08x", (unsigned)c);
    cmn_buf_append_str(b, esc);
}

void gw_jsonschema_quote(struct cmn_buf *b, const char *s, size_t n)
{
    size_t i = 0, size;
    int32_t c;

    cmn_buf_append(b, "'", 1);
    while (i < n) {
        c = gw_jsonschema_utf8_decode(s + i, n - i, &size);
        if (c == '\'')
            cmn_buf_append_str(b, "\\'"); /* after Quote, ' is escaped and " is not */
        else if (c == '"')
            cmn_buf_append(b, "\"", 1);
        else
            quote_rune(b, c, (unsigned char)s[i], s + i, size);
        i += size;
    }
    cmn_buf_append(b, "'", 1);
}

void gw_jsonschema_quote_char(struct cmn_buf *b, unsigned char c)
{
    char raw[4];
    size_t n;

    if (c == '\'') {
        cmn_buf_append_str(b, "'\\''");
        return;
    }
    if (c == '"') {
        cmn_buf_append_str(b, "'\"'");
        return;
    }
    /* Go converts the byte to the code point of the same value */
    if (c < 0x80) {
        raw[0] = (char)c;
        n = 1;
    } else {
        raw[0] = (char)(0xc0 | (c >> 6));
        raw[1] = (char)(0x80 | (c & 0x3f));
        n = 2;
    }
    cmn_buf_append(b, "'", 1);
    quote_rune(b, c, c, raw, n);
    cmn_buf_append(b, "'", 1);
}

void gw_jsonschema_display(struct cmn_buf *b, const struct gw_jsonschema_value *v)
{
    char num[40];

    switch (v->type) {
    case GW_JST_NULL:
        cmn_buf_append_str(b, "<nil>");
        break;
    case GW_JST_BOOL:
        cmn_buf_append_str(b, v->b ? "true" : "false");
        break;
    case GW_JST_STRING:
        gw_jsonschema_quote(b, v->str, v->len);
        break;
    case GW_JST_NUMBER:
        /* KrakenD decodes numbers into float64s and prints them with %v */
        gw_jsonschema_fmt_go_float(gw_jsonschema_num_double(&v->num), num, sizeof(num));
        cmn_buf_append_str(b, num);
        break;
    default:
        cmn_buf_append_str(b, "value");
        break;
    }
}

/* santhosh's display(): one line per error, causes indented; a reference with one cause is not
 * shown (its cause takes its place). */
static void display(struct cmn_buf *b, const struct gw_jsonschema_error *e, int indent, bool *first)
{
    const struct gw_jsonschema_error *c;
    bool skip = e->kind == GW_JSE_REFERENCE && e->n_causes == 1;

    if (!skip) {
        if (!*first)
            cmn_buf_append(b, "\n", 1);
        *first = false;
        for (int i = 0; i < indent - 1; i++)
            cmn_buf_append(b, "  ", 2);
        cmn_buf_append_str(b, "- at ");
        gw_jsonschema_quote(b, e->loc ? e->loc : "", e->loc ? e->loc_len : 0);
        cmn_buf_append_str(b, ": ");
        cmn_buf_append_str(b, e->msg ? e->msg : "validation failed");
        indent++;
    }
    for (c = e->causes; c; c = c->next)
        display(b, c, indent, first);
}

void gw_jsonschema_error_render(struct cmn_buf *b, const struct gw_jsonschema_error *list)
{
    bool first = true;

    for (; list; list = list->next)
        display(b, list, 1, &first);
}
