/* cmn_go_fmt.c - fmt.Sprintf with one string argument, as Go formats it. */
#include "cmn_go_fmt.h"

#include <stdlib.h>
#include <string.h>

static bool put_padded(struct cmn_buf *b, const char *s, size_t n, long width, bool left)
{
    long pad = width - (long)n;

    while (!left && pad-- > 0) {
        if (cmn_buf_append(b, " ", 1) != CMN_BUF_OK)
            return false;
    }
    if (cmn_buf_append(b, s, n) != CMN_BUF_OK)
        return false;
    while (left && pad-- > 0) {
        if (cmn_buf_append(b, " ", 1) != CMN_BUF_OK)
            return false;
    }
    return true;
}

/* One verb applied to the argument. */
static bool put_verb(struct cmn_buf *b, char verb, const char *arg, long width, long prec,
                     bool left)
{
    size_t n = strlen(arg);

    switch (verb) {
    case 's':
    case 'v':
        if (prec >= 0 && (size_t)prec < n)
            n = (size_t)prec; /* the argument (a nonce) is ASCII: bytes are runes */
        return put_padded(b, arg, n, width, left);
    case 'q':
        return cmn_buf_printf(b, "\"%s\"", arg) == CMN_BUF_OK;
    case 'x':
    case 'X':
        for (size_t i = 0; i < n; i++) {
            if (cmn_buf_printf(b, verb == 'x' ? "%02x" : "%02X", (unsigned char)arg[i]) !=
                CMN_BUF_OK)
                return false;
        }
        return true;
    default:
        return cmn_buf_printf(b, "%%!%c(string=%s)", verb, arg) == CMN_BUF_OK;
    }
}

bool cmn_go_sprintf_str(const char *f, const char *arg, struct cmn_buf *b)
{
    int next = 0; /* index of the next argument */
    bool reordered = false;

    while (*f) {
        long width = 0, prec = -1;
        bool left = false, bad_index = false;
        const char *pct = strchr(f, '%');
        char verb;

        if (!pct) {
            if (cmn_buf_append_str(b, f) != CMN_BUF_OK)
                return false;
            break;
        }
        if (cmn_buf_append(b, f, (size_t)(pct - f)) != CMN_BUF_OK)
            return false;
        f = pct + 1;
        while (*f && strchr("+-# 0", *f))
            left |= *f++ == '-';
        if (*f == '[') { /* an explicit argument index: [1] is the only argument */
            char *end;
            long idx = strtol(f + 1, &end, 10);
            reordered = true;
            if (*end == ']') {
                bad_index = idx != 1;
                next = bad_index ? next : 0;
                f = end + 1;
            } else {
                bad_index = true;
                f = *end ? end : f + 1;
            }
        }
        while (*f >= '0' && *f <= '9' && width < 1000000)
            width = width * 10 + (*f++ - '0');
        if (*f == '.') {
            prec = 0;
            for (f++; *f >= '0' && *f <= '9' && prec < 1000000; f++)
                prec = prec * 10 + (*f - '0');
        }
        if (!*f) {
            if (cmn_buf_append_str(b, "%!(NOVERB)") != CMN_BUF_OK)
                return false;
            break;
        }
        verb = *f++;
        if (verb == '%') {
            if (cmn_buf_append(b, "%", 1) != CMN_BUF_OK)
                return false;
            continue;
        }
        if (bad_index) {
            if (cmn_buf_printf(b, "%%!%c(BADINDEX)", verb) != CMN_BUF_OK)
                return false;
            continue;
        }
        if (next >= 1) {
            if (cmn_buf_printf(b, "%%!%c(MISSING)", verb) != CMN_BUF_OK)
                return false;
            continue;
        }
        next++;
        if (!put_verb(b, verb, arg, width, prec, left))
            return false;
    }
    if (!reordered && next < 1)
        return cmn_buf_printf(b, "%%!(EXTRA string=%s)", arg) == CMN_BUF_OK;
    return true;
}
