/* gw_tmpl_utf8.c - UTF-8 decoding as Go does it, and the handful of Unicode classes Go's template
 * functions consult (letters for identifiers, spaces for trim, printable runes for %q, case
 * mapping). Tables cover Latin, Greek and Cyrillic exactly and approximate the rest by block. */
#include "gw_tmpl_int.h"

#include "cmn_go_json.h"

/* Go's utf8.DecodeRuneInString on common/go's decoder: an invalid byte is U+FFFD of width 1. */
size_t tutf8_decode(const char *s, size_t n, uint32_t *r)
{
    size_t len = cmn_go_utf8_decode((const unsigned char *)s, n, r);

    if (len == 0) {
        *r = 0xFFFD;
        return 1;
    }
    return len;
}

size_t tutf8_encode(uint32_t r, char *out)
{
    unsigned char *o = (unsigned char *)out;

    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        r = 0xFFFD;
    if (r < 0x80) {
        o[0] = (unsigned char)r;
        return 1;
    }
    if (r < 0x800) {
        o[0] = (unsigned char)(0xC0 | (r >> 6));
        o[1] = (unsigned char)(0x80 | (r & 0x3F));
        return 2;
    }
    if (r < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (r >> 12));
        o[1] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (r & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (r >> 18));
    o[1] = (unsigned char)(0x80 | ((r >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (r & 0x3F));
    return 4;
}

size_t tutf8_count(const char *s, size_t n)
{
    size_t count = 0;
    uint32_t r;

    for (size_t i = 0; i < n; count++)
        i += tutf8_decode(s + i, n - i, &r);
    return count;
}

bool tutf8_valid(const char *s, size_t n)
{
    uint32_t r;

    for (size_t i = 0; i < n;) {
        size_t w = tutf8_decode(s + i, n - i, &r);
        if (r == 0xFFFD && w == 1 && (unsigned char)s[i] >= 0x80)
            return false;
        i += w;
    }
    return true;
}

struct range {
    uint32_t lo, hi;
};

static bool in_ranges(uint32_t r, const struct range *t, size_t n)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r < t[mid].lo)
            hi = mid;
        else if (r > t[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* Letters outside ASCII: the common scripts' blocks (marks and symbols inside them are counted as
 * letters, which only makes a few more identifiers legal than in Go). */
static const struct range letters[] = {
    {0xAA, 0xAA},     {0xB5, 0xB5},     {0xBA, 0xBA},     {0xC0, 0xD6},     {0xD8, 0xF6},
    {0xF8, 0x2C1},    {0x2C6, 0x2D1},   {0x2E0, 0x2E4},   {0x370, 0x374},   {0x376, 0x37D},
    {0x37F, 0x37F},   {0x386, 0x386},   {0x388, 0x3FF},   {0x400, 0x481},   {0x48A, 0x52F},
    {0x531, 0x556},   {0x561, 0x587},   {0x5D0, 0x5EA},   {0x620, 0x64A},   {0x671, 0x6D3},
    {0x904, 0x939},   {0xE01, 0xE30},   {0x10A0, 0x10FF}, {0x1E00, 0x1FFF}, {0x3041, 0x3096},
    {0x30A1, 0x30FA}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
    {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A},
};

static const struct range digits[] = {
    {0x660, 0x669},
    {0x6F0, 0x6F9},
    {0x966, 0x96F},
    {0xFF10, 0xFF19},
};

bool tuni_is_letter(uint32_t r)
{
    if (r < 0x80)
        return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
    return in_ranges(r, letters, sizeof(letters) / sizeof(letters[0]));
}

bool tuni_is_digit(uint32_t r)
{
    if (r < 0x80)
        return r >= '0' && r <= '9';
    return in_ranges(r, digits, sizeof(digits) / sizeof(digits[0]));
}

bool tuni_is_space(uint32_t r)
{
    switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    }
    return r >= 0x2000 && r <= 0x200A;
}

/* Not printable in Go's sense beyond controls: format characters, separators other than
 * U+0020, surrogates, private use and noncharacters. */
static const struct range nonprint[] = {
    {0x7F, 0xA0},     {0xAD, 0xAD},     {0x378, 0x379},     {0x380, 0x383},      {0x38B, 0x38B},
    {0x38D, 0x38D},   {0x3A2, 0x3A2},   {0x600, 0x605},     {0x61C, 0x61C},      {0x6DD, 0x6DD},
    {0x70F, 0x70F},   {0x1680, 0x1680}, {0x180E, 0x180E},   {0x2000, 0x200F},    {0x2028, 0x202F},
    {0x205F, 0x206F}, {0x3000, 0x3000}, {0xD800, 0xF8FF},   {0xFDD0, 0xFDEF},    {0xFEFF, 0xFEFF},
    {0xFFF0, 0xFFFB}, {0xFFFE, 0xFFFF}, {0xE0000, 0xE0FFF}, {0xF0000, 0x10FFFF},
};

bool tuni_is_print(uint32_t r)
{
    if (r < 0x80)
        return r >= 0x20 && r < 0x7F;
    if (r > 0x10FFFF)
        return false;
    if ((r & 0xFFFE) == 0xFFFE)
        return false;
    return !in_ranges(r, nonprint, sizeof(nonprint) / sizeof(nonprint[0]));
}

/* Simple case pairs of Latin-1, Latin Extended-A, Greek and Cyrillic. */
uint32_t tuni_to_upper(uint32_t r)
{
    if (r < 0x80)
        return (r >= 'a' && r <= 'z') ? r - 32 : r;
    if ((r >= 0xE0 && r <= 0xFE && r != 0xF7))
        return r - 32;
    if (r == 0xFF)
        return 0x178;
    if (r == 0xB5)
        return 0x39C;
    if (r >= 0x100 && r <= 0x17F) {
        if (r == 0x131)
            return 'I';
        if (r == 0x17F)
            return 'S';
        if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E))
            return (r % 2 == 0) ? r - 1 : r;
        if (r == 0x138 || r == 0x149 || r == 0x130)
            return r;
        return (r % 2 == 1) ? r - 1 : r;
    }
    if (r >= 0x3B1 && r <= 0x3C9 && r != 0x3C2)
        return r - 32;
    if (r == 0x3C2)
        return 0x3A3;
    if (r >= 0x430 && r <= 0x44F)
        return r - 32;
    if (r >= 0x450 && r <= 0x45F)
        return r - 80;
    return r;
}

uint32_t tuni_to_lower(uint32_t r)
{
    if (r < 0x80)
        return (r >= 'A' && r <= 'Z') ? r + 32 : r;
    if (r >= 0xC0 && r <= 0xDE && r != 0xD7)
        return r + 32;
    if (r == 0x178)
        return 0xFF;
    if (r >= 0x100 && r <= 0x17F) {
        if (r == 0x130)
            return 'i';
        if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E))
            return (r % 2 == 1) ? r + 1 : r;
        if (r == 0x131 || r == 0x138 || r == 0x149 || r == 0x17F)
            return r;
        return (r % 2 == 0) ? r + 1 : r;
    }
    if (r >= 0x391 && r <= 0x3A9 && r != 0x3A2)
        return r + 32;
    if (r >= 0x410 && r <= 0x42F)
        return r + 32;
    if (r >= 0x400 && r <= 0x40F)
        return r + 80;
    return r;
}

uint32_t tuni_to_title(uint32_t r)
{
    return tuni_to_upper(r);
}
