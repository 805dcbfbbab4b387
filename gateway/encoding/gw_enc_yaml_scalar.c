/* gw_enc_yaml_scalar.c - which strings goccy/go-yaml v1.19.2 double-quotes (token.IsNeedQuoted,
 * with its number and timestamp tests) and Go's strconv.Quote it quotes them with. */
#include "gw_enc_int.h"

#include <stdlib.h>
#include <string.h>

/* Words quoted at encoding time: YAML 1.2 null/bool keywords and YAML 1.1 booleans. */
static const char *const RESERVED[] = {"null",  "Null",  "NULL",  "~",   "true", "True", "TRUE",
                                       "false", "False", "FALSE", "y",   "Y",    "yes",  "Yes",
                                       "YES",   "n",     "N",     "no",  "No",   "NO",   "on",
                                       "On",    "ON",    "off",   "Off", "OFF"};

enum num { NUM_NO = 0, NUM_OK, NUM_RANGE };

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* strconv.ParseUint(s, base, 64) (base 2, 8, 10 or 16): a syntax error, a value, or range. */
static enum num parse_uint(const char *s, size_t n, unsigned base, uint64_t *v)
{
    uint64_t x = 0;
    bool range = false;

    if (n == 0)
        return NUM_NO;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)digit_value(s[i]);
        if (d >= base)
            return NUM_NO;
        if (x > (UINT64_MAX - d) / base)
            range = true;
        else
            x = x * base + d;
    }
    *v = x;
    return range ? NUM_RANGE : NUM_OK;
}

/* strconv.ParseInt(s, base, 64) for s starting with '-' (the only way goccy calls it). */
static enum num parse_neg_int(const char *s, size_t n, unsigned base)
{
    uint64_t v;
    enum num r = parse_uint(s + 1, n - 1, base, &v);

    if (r == NUM_OK && v > (uint64_t)INT64_MAX + 1)
        return NUM_RANGE;
    return r;
}

/* strconv.ParseFloat(s, 64) for a decimal literal: syntax only (±Inf overflow is ErrRange, which
 * goccy's isNumber also counts as a number). */
static bool parse_float(const char *s, size_t n)
{
    size_t i = 0, digits = 0;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        e0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e0)
            return false;
    }
    return i == n;
}

/* toNumber on the normalized text t[0..l) (no signs, no '_'), neg: the value began with '-'. */
static bool number_text(char *t, size_t l, bool neg, size_t dots)
{
    unsigned base = 10;
    char *s = t + 1; /* t[0] is reserved for the '-' */
    uint64_t u;

    if (l >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
        base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
        memmove(s, s + 2, l - 2);
        l -= 2;
    } else if (l > 1 && s[0] == '0' && dots == 0) {
        base = 8;
    } else if (dots == 1) {
        return neg ? parse_float(t, l + 1) : parse_float(s, l);
    }
    if (neg)
        return parse_neg_int(t, l + 1, base) != NUM_NO;
    return parse_uint(s, l, base, &u) != NUM_NO;
}

/* goccy's isNumber (toNumber, range errors included). */
GW_ENC_STATIC bool yaml_is_number(const char *v, size_t n)
{
    char small[128], *t = small;
    const char *s = v;
    size_t l = n, dots = 0, tl = 1;
    bool neg, r;

    if (n == 0 || v[0] == '_')
        return false;
    for (size_t i = 0; i < n; i++)
        dots += v[i] == '.';
    if (dots > 1)
        return false;
    neg = v[0] == '-';
    if (l && s[0] == '+')
        s++, l--;
    if (l && s[0] == '-')
        s++, l--;
    if (l + 1 > sizeof(small) && !(t = malloc(l + 1)))
        return false;
    t[0] = '-';
    for (size_t i = 0; i < l; i++) {
        if (s[i] != '_')
            t[tl++] = s[i];
    }
    r = number_text(t, tl - 1, neg, dots);
    if (t != small)
        free(t);
    return r;
}

/* goccy's isTimestamp: time.Parse with RFC 3339 (either T), DateTime, DateOnly or "15:4". */
static bool yaml_is_timestamp(const char *v, size_t n)
{
    static const char *const layouts[] = {"2006-01-02T15:04:05.999999999Z07:00",
                                          "2006-01-02t15:04:05.999999999Z07:00",
                                          "2006-01-02 15:04:05", "2006-01-02", "15:4"};
    struct gw_gotime t;

    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        if (gw_gotime_parse(layouts[i], v, n, &t))
            return true;
    }
    return false;
}

bool gw_yaml_need_quote(const char *v, size_t n)
{
    char c0;

    if (n == 0)
        return true;
    c0 = v[0];
    for (size_t i = 0; n <= 5 && i < sizeof(RESERVED) / sizeof(RESERVED[0]); i++) {
        if (strlen(RESERVED[i]) == n && memcmp(RESERVED[i], v, n) == 0)
            return true;
    }
    /* a number starts with a digit, a sign or a dot (a letter can only start inf or nan,
     * which have no dot and so never reach ParseFloat) */
    if (((c0 >= '0' && c0 <= '9') || c0 == '+' || c0 == '-' || c0 == '.') && yaml_is_number(v, n))
        return true;
    if (n == 1 && v[0] == '-')
        return true;
    if (strchr("*&[{}],!|>%'\"@ `", v[0]) && v[0] != '\0')
        return true;
    if (v[n - 1] == ':' || v[n - 1] == ' ')
        return true;
    /* every timestamp layout starts with a digit */
    if (c0 >= '0' && c0 <= '9' && yaml_is_timestamp(v, n))
        return true;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '#' || v[i] == '\\')
            return true;
        if ((v[i] == ':' || v[i] == '-') && i + 1 < n && v[i + 1] == ' ')
            return true;
    }
    return false;
}

/* strconv.IsPrint beyond Latin-1: letters, marks, numbers, punctuation and symbols. Format and
 * separator characters, private use and non-characters are not; code points unassigned in
 * Go's Unicode tables are taken as printable here (docs/encodings.md). */
static bool is_print(uint32_t r)
{
    static const uint32_t NOT_PRINT[][2] = {
        {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},   {0x070F, 0x070F},
        {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x1680, 0x1680},   {0x180E, 0x180E},
        {0x2000, 0x200F},   {0x2028, 0x202F},   {0x205F, 0x2064},   {0x2066, 0x206F},
        {0x3000, 0x3000},   {0xD800, 0xF8FF},   {0xFDD0, 0xFDEF},   {0xFEFF, 0xFEFF},
        {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F},
        {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
        {0xF0000, 0x10FFFF}};

    if (r < 0x100)
        return (r >= 0x20 && r < 0x7F) || (r >= 0xA1 && r != 0xAD);
    if ((r & 0xFFFE) == 0xFFFE)
        return false;
    for (size_t i = 0; i < sizeof(NOT_PRINT) / sizeof(NOT_PRINT[0]); i++) {
        if (r >= NOT_PRINT[i][0] && r <= NOT_PRINT[i][1])
            return false;
    }
    return true;
}

bool gw_go_quote(struct cmn_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    char esc[12];

    if (cmn_buf_append(out, "\"", 1))
        return false;
    for (size_t i = 0; i < n;) {
        uint32_t r;
        size_t w = gw_enc_utf8_next(p + i, n - i, &r);
        size_t el = 0;

        if (w == 0) { /* a byte that is not UTF-8 */
            esc[0] = '\\', esc[1] = 'x', esc[2] = hex[p[i] >> 4], esc[3] = hex[p[i] & 15];
            if (cmn_buf_append(out, esc, 4))
                return false;
            i++;
            continue;
        }
        if (r == '"' || r == '\\') {
            esc[0] = '\\', esc[1] = (char)r, el = 2;
        } else if (is_print(r)) {
            if (cmn_buf_append(out, p + i, w))
                return false;
            i += w;
            continue;
        } else if (r == '\a' || r == '\b' || r == '\f' || r == '\n' || r == '\r' || r == '\t' ||
                   r == '\v') {
            static const char letters[] = "abtnvfr"; /* \a=7 ... \r=13 */
            esc[0] = '\\', esc[1] = letters[r - 7], el = 2;
        } else if (r < ' ' || r == 0x7F) {
            esc[0] = '\\', esc[1] = 'x', esc[2] = hex[r >> 4], esc[3] = hex[r & 15], el = 4;
        } else if (r < 0x10000) {
            esc[0] = '\\', esc[1] = 'u', el = 2;
            for (int k = 12; k >= 0; k -= 4)
                esc[el++] = hex[(r >> k) & 15];
        } else {
            esc[0] = '\\', esc[1] = 'U', el = 2;
            for (int k = 28; k >= 0; k -= 4)
                esc[el++] = hex[(r >> k) & 15];
        }
        if (cmn_buf_append(out, esc, el))
            return false;
        i += w;
    }
    return cmn_buf_append(out, "\"", 1) == CMN_BUF_OK;
}
