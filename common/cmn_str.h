/* cmn_str.h - small string helpers the banned list (strcpy, strcat, ...) would otherwise tempt. */
#ifndef CMN_STR_H
#define CMN_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copies at most size-1 bytes and always terminates; returns strlen(src) (truncated if >= size). */
size_t cmn_strlcpy(char *dst, const char *src, size_t size);
/* Owned copy of the first n bytes plus a NUL; NULL on allocation failure. */
char *cmn_strndup(const char *s, size_t n);
bool cmn_str_has_prefix(const char *s, const char *prefix);
/* ASCII case-insensitive equality (header names, tokens). Most names differ in their first
 * letter: that test is inline, the rest of the comparison is not. */
bool cmn_str_eq_nocase_rest(const char *a, const char *b);
static inline bool cmn_str_eq_nocase(const char *a, const char *b)
{
    return ((unsigned char)*a | 0x20) == ((unsigned char)*b | 0x20) && cmn_str_eq_nocase_rest(a, b);
}
/* Constant-time comparison of two byte strings of equal length n. */
bool cmn_ct_equal(const void *a, const void *b, size_t n);
/* RFC 9110 tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~" (field names, methods, tokens), as a bit
 * set of bytes 0-63 and 64-127 (none above). CMN_STR_TCHAR(c) is the same test as a constant
 * expression, for tables the compiler builds; cmn_str_is_tchar is inline: parsers ask it of
 * every byte of every field name. */
#define CMN_STR_TCHAR_0_63 0x03ff6cfa00000000u
#define CMN_STR_TCHAR_64_127 0x57ffffffc7fffffeu
#define CMN_STR_TCHAR(c)                                                                           \
    ((c) < 64    ? (CMN_STR_TCHAR_0_63 >> (c)) & 1                                                 \
     : (c) < 128 ? (CMN_STR_TCHAR_64_127 >> ((c)-64)) & 1                                          \
                 : 0)
static inline bool cmn_str_is_tchar(unsigned char c)
{
    static const uint64_t set[4] = {CMN_STR_TCHAR_0_63, CMN_STR_TCHAR_64_127, 0, 0};

    return (set[c >> 6] >> (c & 63)) & 1;
}
/* n bytes of s as an unsigned decimal of 1 to max_digits (at most 19) digits and nothing else:
 * no sign, space or other byte. False otherwise. */
bool cmn_str_parse_digits(const char *s, size_t n, size_t max_digits, uint64_t *out);
/* Parses a whole decimal string into a long long within [min, max]; false otherwise. */
bool cmn_parse_ll(const char *s, long long min, long long max, long long *out);

#endif
