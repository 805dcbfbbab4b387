/* cmn_http_field.c - field value validation, vectorised where the machine allows. */
#include "cmn_http_field.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static bool byte_ok(unsigned char ch)
{
    return (ch >= 0x20 || ch == '\t') && ch != 0x7f;
}

/* A block with a suspect byte (< 0x20 or 0x7f) is checked bytewise: tab is the one control
 * byte allowed, so a vector hit is not yet a verdict. */
static bool block_ok(const unsigned char *p, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (!byte_ok(p[k]))
            return false;
    }
    return true;
}

bool cmn_http_field_value_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;

#ifdef __SSE2__
    const __m128i ctl = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v), /* <= 0x1f */
                                   _mm_cmpeq_epi8(v, del));
        if (_mm_movemask_epi8(bad) && !block_ok(p + i, 16))
            return false;
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        /* a byte < 0x20 borrows, a 0x7f carries into its top bit; false alarms (carries
         * between bytes) only send the word to the bytewise check */
        if ((((w - 0x20 * ones) | (w + ones)) & ~w & highs) && !block_ok(p + i, 8))
            return false;
    }
    return block_ok(p + i, n - i);
}
