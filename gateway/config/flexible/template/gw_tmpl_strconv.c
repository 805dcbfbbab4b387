/* gw_tmpl_strconv.c - Go's strconv for the template engine: FormatFloat (shortest round-trip
 * digits and fixed precisions in the e, E, f, g, G forms fmt and encoding/json print) and Quote
 * (%q: printable runes kept, the rest escaped). */
#include "gw_tmpl_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- strconv.FormatFloat ---- */

static int parse_exp(const char *s)
{
    int sign = 1, v = 0;

    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    while (*s >= '0' && *s <= '9' && v < 100000)
        v = v * 10 + (*s++ - '0');
    return sign * v;
}

/* Digits of f (finite, > 0) rounded to prec significant digits, or the shortest digits that read
 * back as f when prec < 0; value = 0.DIGITS x 10^dp. Trailing zeros are dropped. */
static void float_digits(double f, int prec, char *digits, int *nd, int *dp)
{
    char buf[64];
    int p = prec - 1, n = 0;
    char *e;

    if (prec < 0) {
        for (p = 0; p < 17; p++) {
            snprintf(buf, sizeof(buf), "%.*e", p, f);
            if (strtod(buf, NULL) == f)
                break;
        }
    }
    if (p > 40)
        p = 40;
    if (p < 0)
        p = 0;
    snprintf(buf, sizeof(buf), "%.*e", p, f);
    e = strchr(buf, 'e');
    for (char *c = buf; c < e; c++)
        if (*c >= '0' && *c <= '9')
            digits[n++] = *c;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *nd = n;
    *dp = parse_exp(e + 1) + 1;
}

static size_t put_exp(char *o, char e, int exp)
{
    size_t k = 0;

    o[k++] = e;
    o[k++] = exp < 0 ? '-' : '+';
    if (exp < 0)
        exp = -exp;
    if (exp < 10)
        o[k++] = '0';
    k += (size_t)snprintf(o + k, 8, "%d", exp);
    return k;
}

void tfmt_float(double f, char fmt, int prec, char *out, size_t outsz)
{
    char digits[64], buf[400];
    int nd, dp;
    size_t k = 0;
    bool neg = signbit(f);

    if (isnan(f)) {
        snprintf(out, outsz, "NaN");
        return;
    }
    if (isinf(f)) {
        snprintf(out, outsz, neg ? "-Inf" : "+Inf");
        return;
    }
    if (prec >= 0 && fmt != 'g' && fmt != 'G') {
        /* fixed precision %e and %f: C rounds the exact binary value, as Go does */
        if (prec > 300)
            prec = 300;
        snprintf(out, outsz, fmt == 'f' ? "%.*f" : fmt == 'E' ? "%.*E" : "%.*e", prec, f);
        return;
    }
    if (f == 0) {
        digits[0] = '0';
        digits[1] = '\0';
        nd = 1;
        dp = 1;
    } else {
        float_digits(fabs(f), prec == 0 ? 1 : prec, digits, &nd, &dp);
    }
    if (neg)
        buf[k++] = '-';
    if (fmt == 'g' || fmt == 'G') {
        int eprec = prec < 0 ? 6 : (prec == 0 ? 1 : prec);
        int exp = dp - 1;
        if (prec >= 0 && eprec > nd && nd >= dp)
            eprec = nd;
        if (prec < 0)
            eprec = 6;
        if (exp < -4 || exp >= eprec) {
            fmt = fmt == 'G' ? 'E' : 'e';
        } else {
            fmt = 'f';
        }
        if (fmt == 'f') {
            /* %f with exactly the significant digits */
            if (dp <= 0) {
                buf[k++] = '0';
                buf[k++] = '.';
                for (int i = 0; i < -dp; i++)
                    buf[k++] = '0';
                memcpy(buf + k, digits, (size_t)nd);
                k += (size_t)nd;
            } else if (dp >= nd) {
                memcpy(buf + k, digits, (size_t)nd);
                k += (size_t)nd;
                for (int i = nd; i < dp && k < sizeof(buf) - 2; i++)
                    buf[k++] = '0';
            } else {
                memcpy(buf + k, digits, (size_t)dp);
                k += (size_t)dp;
                buf[k++] = '.';
                memcpy(buf + k, digits + dp, (size_t)(nd - dp));
                k += (size_t)(nd - dp);
            }
            buf[k] = '\0';
            snprintf(out, outsz, "%s", buf);
            return;
        }
    }
    if (fmt == 'f') { /* shortest %f */
        if (dp <= 0) {
            buf[k++] = '0';
            buf[k++] = '.';
            for (int i = 0; i < -dp && k < sizeof(buf) - 70; i++)
                buf[k++] = '0';
            memcpy(buf + k, digits, (size_t)nd);
            k += (size_t)nd;
        } else if (dp >= nd) {
            memcpy(buf + k, digits, (size_t)nd);
            k += (size_t)nd;
            for (int i = nd; i < dp && k < sizeof(buf) - 2; i++)
                buf[k++] = '0';
        } else {
            memcpy(buf + k, digits, (size_t)dp);
            k += (size_t)dp;
            buf[k++] = '.';
            memcpy(buf + k, digits + dp, (size_t)(nd - dp));
            k += (size_t)(nd - dp);
        }
        buf[k] = '\0';
        snprintf(out, outsz, "%s", buf);
        return;
    }
    /* e-form: d[.ddd]e±XX */
    buf[k++] = digits[0];
    if (nd > 1) {
        buf[k++] = '.';
        memcpy(buf + k, digits + 1, (size_t)(nd - 1));
        k += (size_t)(nd - 1);
    }
    k += put_exp(buf + k, fmt == 'E' ? 'E' : 'e', dp - 1);
    buf[k] = '\0';
    snprintf(out, outsz, "%s", buf);
}

/* ---- strconv.Quote ---- */

static void quote_rune_into(struct cmn_buf *b, uint32_t r, size_t width, const char *raw, char q,
                            bool ascii_only)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[16];

    if (r == (uint32_t)(unsigned char)q || r == '\\') {
        tmp[0] = '\\';
        tmp[1] = (char)r;
        (void)cmn_buf_append(b, tmp, 2);
        return;
    }
    if (r == 0xFFFD && width == 1) { /* an invalid byte */
        tmp[0] = '\\';
        tmp[1] = 'x';
        tmp[2] = hex[((unsigned char)raw[0]) >> 4];
        tmp[3] = hex[((unsigned char)raw[0]) & 15];
        (void)cmn_buf_append(b, tmp, 4);
        return;
    }
    if (tuni_is_print(r) && (!ascii_only || r < 0x80)) {
        (void)cmn_buf_append(b, raw, width);
        return;
    }
    switch (r) {
    case 7:
        (void)cmn_buf_append_str(b, "\\a");
        return;
    case 8:
        (void)cmn_buf_append_str(b, "\\b");
        return;
    case 12:
        (void)cmn_buf_append_str(b, "\\f");
        return;
    case 10:
        (void)cmn_buf_append_str(b, "\\n");
        return;
    case 13:
        (void)cmn_buf_append_str(b, "\\r");
        return;
    case 9:
        (void)cmn_buf_append_str(b, "\\t");
        return;
    case 11:
        (void)cmn_buf_append_str(b, "\\v");
        return;
    }
    if (r < ' ' || r == 0x7F)
        snprintf(tmp, sizeof(tmp), "\\x%02x", (unsigned)r);
    else if (r < 0x10000)
        snprintf(tmp, sizeof(tmp), "\\u%04x", (unsigned)r);
    else
        snprintf(tmp, sizeof(tmp), "\\U%08x", (unsigned)r);
    (void)cmn_buf_append_str(b, tmp);
}

bool tfmt_quote_ex(struct cmn_buf *b, const char *s, size_t n, char q, bool ascii_only)
{
    size_t before = b->len;

    (void)cmn_buf_append(b, &q, 1);
    for (size_t i = 0; i < n;) {
        uint32_t r;
        size_t wd = tutf8_decode(s + i, n - i, &r);
        quote_rune_into(b, r, wd, s + i, q, ascii_only);
        i += wd;
    }
    if (cmn_buf_append(b, &q, 1) != CMN_BUF_OK) {
        if (b->data)
            b->len = before;
        return false;
    }
    return true;
}

bool tfmt_quote(struct cmn_buf *out, const char *s, size_t n, char q)
{
    return tfmt_quote_ex(out, s, n, q, false);
}
