/* cmn_go_header.c - canonical header names in one pass. */
#include "cmn_go_header.h"

#include "cmn_str.h"

#include <stdbool.h>

void cmn_go_canonical_header(const char *name, char *out, size_t out_size)
{
    bool upper = true;
    size_t i = 0;

    if (out_size == 0)
        return;
    /* One pass: copy, check and fix the case; a name that is not a token stays as it is. */
    for (; i + 1 < out_size && name[i]; i++) {
        unsigned char c = (unsigned char)name[i];
        if ((unsigned)((c | 0x20) - 'a') < 26)
            out[i] = (char)(upper ? c & ~0x20 : c | 0x20);
        else if (c == '-' || cmn_str_is_tchar(c))
            out[i] = (char)c;
        else {
            cmn_strlcpy(out, name, out_size);
            return;
        }
        upper = c == '-';
    }
    out[i] = '\0';
}
