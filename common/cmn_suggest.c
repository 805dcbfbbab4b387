/* cmn_suggest.c - edit distance on normalised names and the closest candidate. */
#include "cmn_suggest.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#define MAX_NAME 255

/* Lower case, '_' -> '-', a leading "github_com/" -> "github.com/". Returns the length. */
static size_t normalise(const char *s, size_t n, char *out)
{
    size_t w = 0;

    if (n > MAX_NAME)
        n = MAX_NAME;
    for (size_t i = 0; i < n; i++) {
        char c = (char)tolower((unsigned char)s[i]);
        out[w++] = c == '_' ? '-' : c;
    }
    if (w >= 10 && memcmp(out, "github-com", 10) == 0)
        out[6] = '.';
    out[w] = '\0';
    return w;
}

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;

    return m < c ? m : c;
}

/* Optimal string alignment distance of two normalised strings. */
static size_t osa(const char *a, size_t an, const char *b, size_t bn)
{
    size_t d[3][MAX_NAME + 1]; /* rows i-2, i-1, i, rolling */

    for (size_t j = 0; j <= bn; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= an; i++) {
        size_t *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];
        cur[0] = i;
        for (size_t j = 1; j <= bn; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < cur[j])
                cur[j] = prev2[j - 2] + 1;
        }
    }
    return d[an % 3][bn];
}

size_t cmn_suggest_distance(const char *a, const char *b)
{
    char na[MAX_NAME + 1], nb[MAX_NAME + 1];
    size_t an = normalise(a, strlen(a), na), bn = normalise(b, strlen(b), nb);

    return osa(na, an, nb, bn);
}

static size_t allowed(size_t len)
{
    return len <= 5 ? 1 : len <= 8 ? 2 : 3;
}

const char *cmn_suggest(const char *name, const char *const *cands, size_t n)
{
    char nn[MAX_NAME + 1], nc[MAX_NAME + 1];
    size_t len = normalise(name, strlen(name), nn), best_d = (size_t)-1;
    bool flat = strchr(name, '/') == NULL;
    const char *best = NULL;

    for (size_t i = 0; i < n; i++) {
        const char *c = cands[i], *seg;
        size_t cl, d;
        if (!c || strcmp(c, name) == 0)
            continue;
        cl = normalise(c, strlen(c), nc);
        d = osa(nn, len, nc, cl);
        seg = strrchr(c, '/');
        if (flat && seg && strlen(seg + 1) >= 4) {
            char ns[MAX_NAME + 1];
            size_t sl = normalise(seg + 1, strlen(seg + 1), ns);
            size_t ds = osa(nn, len, ns, sl);
            if (ds < d)
                d = ds;
        }
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best && (best_d == 0 || best_d <= allowed(len)) ? best : NULL;
}
