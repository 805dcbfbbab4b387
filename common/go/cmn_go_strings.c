/* cmn_go_strings.c - strings.TrimSpace. */
#include "cmn_go_strings.h"

/* Length of the white-space rune starting at s (0 if none), per unicode.IsSpace. */
static size_t space_at(const unsigned char *s, size_t n)
{
    unsigned cp;

    if (n == 0)
        return 0;
    if (s[0] < 0x80)
        return (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')) ? 1 : 0;
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
        return 2; /* U+0085, U+00A0 */
    if (n < 3 || (s[0] & 0xf0) != 0xe0 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
        return 0;
    cp = ((unsigned)(s[0] & 0x0f) << 12) | ((unsigned)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
    if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0x202f || cp == 0x205f || cp == 0x3000)
        return 3;
    return 0;
}

/* Length of the white-space rune ending at s + n (0 if none). Every space rune is one, two or
 * three bytes long and its last byte cannot start a rune, so checking each length is enough. */
static size_t space_before(const unsigned char *s, size_t n)
{
    if (n >= 1 && s[n - 1] < 0x80)
        return space_at(s + n - 1, 1);
    if (n >= 2 && space_at(s + n - 2, 2) == 2)
        return 2;
    if (n >= 3 && space_at(s + n - 3, 3) == 3)
        return 3;
    return 0;
}

void cmn_go_trim_space(const char **s, size_t *n)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t len = *n, k;

    while ((k = space_at(p, len)) > 0) {
        p += k;
        len -= k;
    }
    while ((k = space_before(p, len)) > 0)
        len -= k;
    *s = (const char *)p;
    *n = len;
}
