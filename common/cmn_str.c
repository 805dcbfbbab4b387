/* cmn_str.c - string helpers. */
#include "cmn_str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t cmn_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);

    if (size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

char *cmn_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

bool cmn_str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool cmn_str_eq_nocase_rest(const char *a, const char *b)
{
    /* ASCII only, as strcasecmp in the C locale */
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x == y) {
            if (!x)
                return true;
            continue;
        }
        x |= 0x20;
        if (x != (y | 0x20) || x < 'a' || x > 'z')
            return false;
    }
}

bool cmn_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a;
    const volatile unsigned char *y = b;
    unsigned char d = 0;

    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

bool cmn_str_parse_digits(const char *s, size_t n, size_t max_digits, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > max_digits || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

bool cmn_parse_ll(const char *s, long long min, long long max, long long *out)
{
    char *end;
    long long v;

    if (!s || !*s)
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}
