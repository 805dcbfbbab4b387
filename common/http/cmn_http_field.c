/* cmn_http_field.c - field value validation, vectorised where the machine allows. */
#include "cmn_http_field.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* 1 for the bytes a value may not hold: controls but HTAB, and DEL. */
static const uint8_t BAD[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1,          1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, [0x7f] = 1,
};

const unsigned char cmn_http_tchar[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
    ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1,  ['~'] = 1, ['0'] = 1,
    ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,  ['7'] = 1, ['8'] = 1,
    ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,  ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,  ['N'] = 1, ['O'] = 1,
    ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,  ['V'] = 1, ['W'] = 1,
    ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,  ['d'] = 1, ['e'] = 1,
    ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,  ['l'] = 1, ['m'] = 1,
    ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,  ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

/* Short values (most are: "application/json", an IP, a host) are checked with the table and
 * no branch per byte. */
static bool short_ok(const unsigned char *p, size_t n)
{
    unsigned acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= BAD[p[i]];
    return acc == 0;
}

#ifdef __SSE2__
/* The bytes of a 16-byte block that are below 0x20 or DEL, as a vector mask. */
static inline __m128i suspects(const unsigned char *p)
{
    const __m128i ctl = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

    return _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v), _mm_cmpeq_epi8(v, del));
}

/* A block with a suspect byte is settled bytewise: tab is the one allowed control byte. */
static inline bool block16_ok(const unsigned char *p)
{
    return !_mm_movemask_epi8(suspects(p)) || short_ok(p, 16);
}
#endif

bool cmn_http_field_value_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;

#ifdef __SSE2__
    if (n < 16)
        return short_ok(p, n);
    size_t i = 0;
    /* tokens make values long: 64 bytes a step, one mask for the four blocks */
    for (; i + 64 <= n; i += 64) {
        __m128i m = _mm_or_si128(_mm_or_si128(suspects(p + i), suspects(p + i + 16)),
                                 _mm_or_si128(suspects(p + i + 32), suspects(p + i + 48)));
        if (_mm_movemask_epi8(m) && !short_ok(p + i, 64))
            return false;
    }
    for (; i + 16 <= n; i += 16) {
        if (!block16_ok(p + i))
            return false;
    }
    /* the rest: the last sixteen bytes, which overlap what was checked */
    return i == n || block16_ok(p + n - 16);
#else
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        /* a byte < 0x20 borrows, a 0x7f carries into its top bit; false alarms (carries
         * between bytes) only send the word to the bytewise check */
        if ((((w - 0x20 * ones) | (w + ones)) & ~w & highs) && !short_ok(p + i, 8))
            return false;
    }
    return short_ok(p + i, n - i);
#endif
}
