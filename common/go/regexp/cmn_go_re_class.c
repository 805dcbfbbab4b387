/* cmn_go_re_class.c - character classes and escapes of Go's regexp syntax: [...], POSIX [:name:],
 * Perl \d \s \w, Unicode \p{Name}, and single-character escapes, with Go's errors. */
#include "cmn_go_re_int.h"

#include <stdlib.h>
#include <string.h>

/* ASCII tables of Go's perl_groups.go: pairs lo, hi, ended by 0, 0 (no table starts at 0 but
 * ascii and cntrl, which are written out with their own length). */
struct ascii_group {
    const char *name; /* "[:alpha:]" or "\\d" */
    const uint32_t *r;
    size_t nr; /* pairs */
};

static const uint32_t g_digit[] = {'0', '9'};
static const uint32_t g_space_perl[] = {'\t', '\n', '\f', '\r', ' ', ' '};
static const uint32_t g_word[] = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
static const uint32_t g_alnum[] = {'0', '9', 'A', 'Z', 'a', 'z'};
static const uint32_t g_alpha[] = {'A', 'Z', 'a', 'z'};
static const uint32_t g_ascii[] = {0x00, 0x7F};
static const uint32_t g_blank[] = {'\t', '\t', ' ', ' '};
static const uint32_t g_cntrl[] = {0x00, 0x1F, 0x7F, 0x7F};
static const uint32_t g_graph[] = {'!', '~'};
static const uint32_t g_lower[] = {'a', 'z'};
static const uint32_t g_print[] = {' ', '~'};
static const uint32_t g_punct[] = {'!', '/', ':', '@', '[', '`', '{', '~'};
static const uint32_t g_space[] = {'\t', '\r', ' ', ' '};
static const uint32_t g_upper[] = {'A', 'Z'};
static const uint32_t g_xdigit[] = {'0', '9', 'A', 'F', 'a', 'f'};

#define G(name, t)                                                                                 \
    {                                                                                              \
        name, t, sizeof(t) / sizeof(t[0]) / 2                                                      \
    }

static const struct ascii_group posix_groups[] = {
    G("alnum", g_alnum), G("alpha", g_alpha),   G("ascii", g_ascii), G("blank", g_blank),
    G("cntrl", g_cntrl), G("digit", g_digit),   G("graph", g_graph), G("lower", g_lower),
    G("print", g_print), G("punct", g_punct),   G("space", g_space), G("upper", g_upper),
    G("word", g_word),   G("xdigit", g_xdigit),
};

/* Ranges of at most this many pairs are built on the stack when folding or negating. */
#define SMALL_PAIRS 64

struct gre_class *cmn_gre_new_class(struct gre_parser *p)
{
    struct gre_class *c = cmn_gre_arena_alloc(p->a, sizeof(*c));

    if (!c) {
        cmn_gre_nomem(p);
        return NULL;
    }
    c->fold = (p->flags & GRE_F_FOLD) != 0;
    return c;
}

static bool add_range(struct gre_parser *p, struct gre_class *c, uint32_t lo, uint32_t hi)
{
    if (!cmn_gre_grow(p->a, (void **)&c->r, c->nr, c->nr + 2, &c->cap_r, sizeof(*c->r))) {
        cmn_gre_nomem(p);
        return false;
    }
    c->r[c->nr++] = lo;
    c->r[c->nr++] = hi;
    return true;
}

bool cmn_gre_push_class(struct gre_parser *p, struct gre_class *cls)
{
    struct gre_node *n = cmn_gre_new_node(p, GRE_CLASS);

    if (!n)
        return false;
    n->cls = cls;
    return cmn_gre_push_item(p, n);
}

static int cmp_pair(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;

    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? 1 : x[1] > y[1] ? -1 : 0;
}

/* Sorts and merges n pairs in place (Go's cleanClass); returns the new pair count. */
static size_t clean_pairs(uint32_t *r, size_t n)
{
    size_t w = 0;

    if (n == 0)
        return 0;
    qsort(r, n, 2 * sizeof(*r), cmp_pair);
    for (size_t i = 1; i < n; i++) {
        if (r[2 * i] <= r[2 * w + 1] + 1) {
            if (r[2 * i + 1] > r[2 * w + 1])
                r[2 * w + 1] = r[2 * i + 1];
            continue;
        }
        w++;
        r[2 * w] = r[2 * i];
        r[2 * w + 1] = r[2 * i + 1];
    }
    return w + 1;
}

/* Adds an ASCII group (Go's appendGroup): folded when the class folds, negated when sign < 0.
 * Folding an ASCII set adds the other case of its letters and, as Go's tables do, U+017F (long
 * s) with s and U+212A (Kelvin) with k; the result is closed under folding, so PCRE2's own
 * folding of the class leaves it as it is. */
static bool add_ascii_group(struct gre_parser *p, struct gre_class *c, const uint32_t *g, size_t ng,
                            int sign)
{
    uint32_t r[2 * SMALL_PAIRS];
    size_t n = 0;
    bool has_s = false, has_k = false;

    for (size_t i = 0; i < ng && n + 3 <= SMALL_PAIRS - 2; i++) {
        uint32_t lo = g[2 * i], hi = g[2 * i + 1];
        r[2 * n] = lo;
        r[2 * n + 1] = hi;
        n++;
        if (!c->fold)
            continue;
        if (lo <= 'z' && hi >= 'a') { /* lower-case letters bring their upper case */
            r[2 * n] = (lo > 'a' ? lo : 'a') - 32;
            r[2 * n + 1] = (hi < 'z' ? hi : 'z') - 32;
            n++;
        }
        if (lo <= 'Z' && hi >= 'A') {
            r[2 * n] = (lo > 'A' ? lo : 'A') + 32;
            r[2 * n + 1] = (hi < 'Z' ? hi : 'Z') + 32;
            n++;
        }
        has_s |= (lo <= 's' && hi >= 's') || (lo <= 'S' && hi >= 'S');
        has_k |= (lo <= 'k' && hi >= 'k') || (lo <= 'K' && hi >= 'K');
    }
    if (has_s) {
        r[2 * n] = r[2 * n + 1] = 0x017F;
        n++;
    }
    if (has_k) {
        r[2 * n] = r[2 * n + 1] = 0x212A;
        n++;
    }
    n = clean_pairs(r, n);
    if (sign > 0) {
        for (size_t i = 0; i < n; i++) {
            if (!add_range(p, c, r[2 * i], r[2 * i + 1]))
                return false;
        }
        return true;
    }
    uint32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[2 * i] > next && !add_range(p, c, next, r[2 * i] - 1))
            return false;
        next = r[2 * i + 1] + 1;
    }
    return next > GRE_MAX_RUNE || add_range(p, c, next, GRE_MAX_RUNE);
}

bool cmn_gre_perl_group(char c)
{
    return c == 'd' || c == 'D' || c == 's' || c == 'S' || c == 'w' || c == 'W';
}

bool cmn_gre_add_perl_group(struct gre_parser *p, struct gre_class *cls, char c)
{
    int sign = (c >= 'A' && c <= 'Z') ? -1 : 1;

    switch (c | 0x20) {
    case 'd':
        return add_ascii_group(p, cls, g_digit, 1, sign);
    case 's':
        return add_ascii_group(p, cls, g_space_perl, 3, sign);
    default:
        return add_ascii_group(p, cls, g_word, 4, sign);
    }
}

/* [:name:] at t (t[0..1] is "[:"): the position after it, t itself when it is not a named
 * class (no ":]"), or NULL with an error for an unknown name. */
static const char *named_class(struct gre_parser *p, const char *t, const char *end,
                               struct gre_class *cls)
{
    const char *q = NULL;
    size_t len;
    const char *name;
    int sign = 1;

    for (const char *s = t + 2; s + 1 < end; s++) {
        if (s[0] == ':' && s[1] == ']') {
            q = s;
            break;
        }
    }
    if (!q)
        return t;
    name = t + 2;
    len = (size_t)(q - name);
    if (len > 0 && name[0] == '^') {
        sign = -1;
        name++;
        len--;
    }
    for (size_t i = 0; i < sizeof(posix_groups) / sizeof(posix_groups[0]); i++) {
        const struct ascii_group *g = &posix_groups[i];
        if (strlen(g->name) == len && memcmp(g->name, name, len) == 0)
            return add_ascii_group(p, cls, g->r, g->nr, sign) ? q + 2 : NULL;
    }
    cmn_gre_fail(p, ERR_CHAR_RANGE, t, (size_t)(q + 2 - t));
    return NULL;
}

const char *cmn_gre_unicode_class(struct gre_parser *p, const char *s, const char *end,
                                  struct gre_class *cls)
{
    int sign = s[1] == 'P' ? -1 : 1;
    const char *t = s + 2, *name, *rest, *seq_end;
    size_t name_len, w;
    uint32_t c;
    int id;
    const struct gre_uname *u;

    if (!cmn_gre_next_rune(p, t, end, &c, &w))
        return NULL;
    if (c != '{') {
        name = t;
        name_len = w;
        rest = seq_end = t + w;
    } else {
        const char *close = memchr(s, '}', (size_t)(end - s));
        if (!close) {
            if (cmn_gre_check_utf8(p, s, (size_t)(end - s)))
                cmn_gre_fail(p, ERR_CHAR_RANGE, s, (size_t)(end - s));
            return NULL;
        }
        name = s + 3;
        name_len = (size_t)(close - name);
        rest = seq_end = close + 1;
        if (!cmn_gre_check_utf8(p, name, name_len))
            return NULL;
    }
    if (name_len > 0 && name[0] == '^') {
        sign = -sign;
        name++;
        name_len--;
    }
    id = cmn_gre_uname_lookup(name, name_len);
    u = cmn_gre_uname_get(id);
    if (!u) {
        cmn_gre_fail(p, ERR_CHAR_RANGE, s, (size_t)(seq_end - s));
        return NULL;
    }
    switch (u->kind) {
    case GRE_UC_ANY:
        return sign < 0 || add_range(p, cls, 0, GRE_MAX_RUNE) ? rest : NULL;
    case GRE_UC_ASCII:
        return add_ascii_group(p, cls, g_ascii, 1, sign) ? rest : NULL;
    case GRE_UC_ASSIGNED:
        sign = -sign; /* Assigned is "not Cn" */
        break;
    case GRE_UC_PCRE:
        break;
    }
    if (cls->fold && u->fold == GRE_FOLD_CASED) {
        cmn_err_set(p->err, CMN_GO_RE_UNSUPPORTED,
                    "pattern `%.*s%s`: (?i) with %.*s is not supported (PCRE2 does not fold "
                    "Unicode properties; Go adds every other case to the class)",
                    GRE_QUOTE(p->n, p->whole), (int)(seq_end - s), s);
        return NULL;
    }
    if (!cmn_gre_grow(p->a, (void **)&cls->p, cls->np, cls->np + 1, &cls->cap_p, sizeof(*cls->p))) {
        cmn_gre_nomem(p);
        return NULL;
    }
    cls->p[cls->np].id = (uint16_t)id;
    cls->p[cls->np].neg = sign < 0;
    cls->np++;
    return rest;
}

static int unhex(uint32_t c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (int)(c - 'A' + 10);
    return -1;
}

static bool is_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

const char *cmn_gre_parse_escape(struct gre_parser *p, const char *s, const char *end, uint32_t *r)
{
    const char *t = s + 1;
    uint32_t c;
    size_t w;

    if (t >= end) {
        cmn_gre_fail(p, ERR_BACKSLASH, "", 0);
        return NULL;
    }
    if (!cmn_gre_next_rune(p, t, end, &c, &w))
        return NULL;
    t += w;
    switch (c) {
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
        /* a single non-zero digit is a back-reference: Go has none */
        if (t >= end || *t < '0' || *t > '7')
            break;
        /* fall through */
    case '0':
        *r = c - '0';
        for (int i = 1; i < 3 && t < end && *t >= '0' && *t <= '7'; i++, t++)
            *r = *r * 8 + (uint32_t)(*t - '0');
        return t;
    case 'x': {
        int x, y;
        if (t >= end)
            break;
        if (!cmn_gre_next_rune(p, t, end, &c, &w))
            return NULL;
        t += w;
        if (c == '{') {
            int nhex = 0;
            uint32_t v = 0;
            for (;;) {
                if (t >= end)
                    goto bad;
                if (!cmn_gre_next_rune(p, t, end, &c, &w))
                    return NULL;
                t += w;
                if (c == '}')
                    break;
                if (unhex(c) < 0)
                    goto bad;
                v = v * 16 + (uint32_t)unhex(c);
                if (v > GRE_MAX_RUNE)
                    goto bad;
                nhex++;
            }
            if (nhex == 0)
                break;
            *r = v;
            return t;
        }
        x = unhex(c);
        if (!cmn_gre_next_rune(p, t, end, &c, &w))
            return NULL;
        t += w;
        y = unhex(c);
        if (x < 0 || y < 0)
            break;
        *r = (uint32_t)(x * 16 + y);
        return t;
    }
    case 'a':
        *r = '\a';
        return t;
    case 'f':
        *r = '\f';
        return t;
    case 'n':
        *r = '\n';
        return t;
    case 'r':
        *r = '\r';
        return t;
    case 't':
        *r = '\t';
        return t;
    case 'v':
        *r = '\v';
        return t;
    default:
        /* escaped punctuation is itself; an escaped letter or digit Go does not know is an
         * error (\C \Z \G \K \R \X \h \e \c \k \g \N \o \u \1 ...) */
        if (c < 0x80 && !is_alnum(c)) {
            *r = c;
            return t;
        }
        break;
    }
bad:
    cmn_gre_fail(p, ERR_ESCAPE, s, (size_t)(t - s));
    return NULL;
}

/* Go's parseClassChar. whole: the class from its '[' (for the missing-bracket message). */
static const char *class_char(struct gre_parser *p, const char *t, const char *end,
                              const char *whole, uint32_t *r)
{
    size_t w;

    if (t >= end) {
        cmn_gre_fail(p, ERR_BRACKET, whole, (size_t)(end - whole));
        return NULL;
    }
    if (*t == '\\')
        return cmn_gre_parse_escape(p, t, end, r);
    if (!cmn_gre_next_rune(p, t, end, r, &w))
        return NULL;
    return t + w;
}

const char *cmn_gre_parse_class(struct gre_parser *p, const char *s, const char *end)
{
    const char *t = s + 1;
    struct gre_class *cls = cmn_gre_new_class(p);
    bool first = true;

    if (!cls)
        return NULL;
    if (t < end && *t == '^') {
        cls->neg = true; /* Perl flags include ClassNL: [^a] matches \n */
        t++;
    }
    while (t >= end || *t != ']' || first) {
        const char *rng = t;
        uint32_t lo, hi;

        first = false;
        if (end - t > 2 && t[0] == '[' && t[1] == ':') {
            const char *q = named_class(p, t, end, cls);
            if (!q)
                return NULL;
            if (q != t) {
                t = q;
                continue;
            }
        }
        if (end - t >= 2 && t[0] == '\\' && (t[1] == 'p' || t[1] == 'P')) {
            t = cmn_gre_unicode_class(p, t, end, cls);
            if (!t)
                return NULL;
            continue;
        }
        if (end - t >= 2 && t[0] == '\\' && cmn_gre_perl_group(t[1])) {
            if (!cmn_gre_add_perl_group(p, cls, t[1]))
                return NULL;
            t += 2;
            continue;
        }
        t = class_char(p, t, end, s, &lo);
        if (!t)
            return NULL;
        hi = lo;
        if (end - t >= 2 && t[0] == '-' && t[1] != ']') {
            t = class_char(p, t + 1, end, s, &hi);
            if (!t)
                return NULL;
            if (hi < lo) {
                cmn_gre_fail(p, ERR_CHAR_RANGE, rng, (size_t)(t - rng));
                return NULL;
            }
        }
        if (!add_range(p, cls, lo, hi))
            return NULL;
    }
    if (!cmn_gre_push_class(p, cls))
        return NULL;
    return t + 1;
}
