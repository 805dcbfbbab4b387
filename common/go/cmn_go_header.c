/* cmn_go_header.c - canonical header names in one pass. */
#include "cmn_go_header.h"

#include "cmn_str.h"

#include <stdbool.h>

/* Each byte's canonical spelling at the start of a word (after '-' or at the name's start) and
 * inside one; 0 for a byte that is no token character (cmn_str.h's set). Built by the compiler:
 * the lookups are the whole per-byte cost, where testing the classes took four times as many
 * instructions. */
#define UP(c) (char)(!CMN_STR_TCHAR(c) ? 0 : (c) >= 'a' && (c) <= 'z' ? (c)-32 : (c))
#define LO(c) (char)(!CMN_STR_TCHAR(c) ? 0 : (c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))
#define ROW(F, b)                                                                                  \
    F(b), F(b + 1), F(b + 2), F(b + 3), F(b + 4), F(b + 5), F(b + 6), F(b + 7), F(b + 8),          \
        F(b + 9), F(b + 10), F(b + 11), F(b + 12), F(b + 13), F(b + 14), F(b + 15)
#define TABLE(F)                                                                                   \
    ROW(F, 0), ROW(F, 16), ROW(F, 32), ROW(F, 48), ROW(F, 64), ROW(F, 80), ROW(F, 96), ROW(F, 112)

static const char CASE[2][128] = {{TABLE(LO)}, {TABLE(UP)}};

void cmn_go_canonical_header(const char *name, char *out, size_t out_size)
{
    bool upper = true;
    size_t i = 0;

    if (out_size == 0)
        return;
    /* One pass: copy, check and fix the case; a name that is not a token stays as it is. */
    for (; i + 1 < out_size && name[i]; i++) {
        unsigned char c = (unsigned char)name[i];
        char o = c < 128 ? CASE[upper][c] : 0;
        if (!o) {
            cmn_strlcpy(out, name, out_size);
            return;
        }
        out[i] = o;
        upper = c == '-';
    }
    out[i] = '\0';
}
