/* cmn_go_float.c - strconv.FormatFloat's shortest forms and encoding/json's float64. */
#include "cmn_go_float.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shortest decimal digits that read back as a (finite, > 0), as strconv's shortest mode
 * finds them: value = 0.d1d2... * 10^dp. glibc rounds %.*e exactly, so the first precision
 * whose text reads back is the shortest, and its digits are the closest of that length. */
static int shortest_digits(double a, char digits[24], int *dp)
{
    char tmp[48];
    int prec, nd = 0;
    const char *e;

    for (prec = 0; prec < 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec, a);
        if (strtod(tmp, NULL) == a)
            break;
    }
    snprintf(tmp, sizeof(tmp), "%.*e", prec, a);
    e = strchr(tmp, 'e');
    for (const char *c = tmp; c < e && nd < 23; c++) {
        if (*c >= '0' && *c <= '9')
            digits[nd++] = *c;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    *dp = (int)strtol(e + 1, NULL, 10) + 1;
    return nd;
}

/* strconv's %e: d.ddde±XX, at least two exponent digits. */
static size_t fmt_e(char *out, size_t at, const char *d, int nd, int dp)
{
    int x = dp - 1;

    out[at++] = d[0];
    if (nd > 1) {
        out[at++] = '.';
        memcpy(out + at, d + 1, (size_t)nd - 1);
        at += (size_t)nd - 1;
    }
    at += (size_t)snprintf(out + at, CMN_GO_FLOAT_MAX - at, "e%c%02d", x < 0 ? '-' : '+',
                           x < 0 ? -x : x);
    return at;
}

/* strconv's %f with the shortest precision: the integer part, then the digits left over. */
static size_t fmt_f(char *out, size_t at, const char *d, int nd, int dp)
{
    if (dp > 0) {
        for (int i = 0; i < dp; i++)
            out[at++] = i < nd ? d[i] : '0';
    } else {
        out[at++] = '0';
    }
    if (nd > dp) {
        out[at++] = '.';
        for (int j = dp; j < nd; j++)
            out[at++] = j >= 0 ? d[j] : '0';
    }
    return at;
}

/* NaN, the infinities and zero; false for anything else. */
static bool special(double v, char *out, size_t *len)
{
    const char *t = NULL;

    if (isnan(v))
        t = "NaN";
    else if (isinf(v))
        t = v > 0 ? "+Inf" : "-Inf";
    else if (v == 0)
        t = signbit(v) ? "-0" : "0";
    if (!t)
        return false;
    *len = strlen(t);
    memcpy(out, t, *len + 1);
    return true;
}

size_t cmn_go_format_float(double v, char fmt, char *out)
{
    char d[24];
    int dp, nd, x;
    size_t at = 0;

    if (special(v, out, &at))
        return at;
    nd = shortest_digits(fabs(v), d, &dp);
    if (v < 0)
        out[at++] = '-';
    x = dp - 1;
    /* 'g' with the shortest precision: %e when the exponent is < -4 or >= 6 (strconv's eprec
     * is 6 when the precision is the shortest) */
    if (fmt == 'e' || (fmt != 'f' && (x < -4 || x >= 6)))
        at = fmt_e(out, at, d, nd, dp);
    else
        at = fmt_f(out, at, d, nd, dp);
    out[at] = '\0';
    return at;
}

size_t cmn_go_json_float(double v, char *out)
{
    char d[24];
    int dp, nd, x;
    size_t at = 0;
    double a = fabs(v);

    if (!isfinite(v)) {
        memcpy(out, "null", 5);
        return 4;
    }
    if (special(v, out, &at))
        return at;
    nd = shortest_digits(a, d, &dp);
    if (v < 0)
        out[at++] = '-';
    if (a < 1e-6 || a >= 1e21) {
        at = fmt_e(out, at, d, nd, dp);
        x = dp - 1;
        if (x < 0 && x > -10) { /* "e-07" -> "e-7" */
            out[at - 2] = out[at - 1];
            at--;
        }
    } else {
        at = fmt_f(out, at, d, nd, dp);
    }
    out[at] = '\0';
    return at;
}
