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
    struct cmn_go_time t;

    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        if (cmn_go_time_parse(layouts[i], v, n, NULL, &t, NULL) == CMN_GO_TIME_OK)
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
