/* gw_tmpl_f_str.c - sprig's string functions (trim*, upper, lower, title, replace, split*,
 * quote, cat, indent, substr, repeat...) with Go's strings package semantics, including the
 * runtime panics Go turns into "error calling NAME: ..." and goutils' byte-wise quirks. */
#include "gw_tmpl_fns.h"

#include <stdio.h>
#include <string.h>

static struct tstr S(const struct tv *v) {
    return v->u.s;
}

static bool
app(struct texec *x, const char *s, size_t n)
{
    if (cmn_buf_append(&x->tmp, s, n) == CMN_BUF_OK)
        return true;
    texec_limitf(x, "string exceeds %zu bytes", x->tmp.cap);
    return false;
}

static bool app_rune(struct texec *x, uint32_t r)
{
    char enc[4];

    return app(x, enc, tutf8_encode(r, enc));
}

/* strings.Map: each rune through fn; invalid bytes become U+FFFD. */
static struct tv *map_runes(struct texec *x, struct tstr s, uint32_t (*fn)(uint32_t))
{
    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < s.n;) {
        uint32_t r;
        i += tutf8_decode(s.p + i, s.n - i, &r);
        if (!app_rune(x, fn(r)))
            return NULL;
    }
    return texec_tmp_string(x);
}

TFN_DECL(tfs_upper)
{
    (void)n;
    return map_runes(x, S(a[0]), tuni_to_upper);
}

TFN_DECL(tfs_lower)
{
    (void)n;
    return map_runes(x, S(a[0]), tuni_to_lower);
}

static bool is_separator(uint32_t r)
{
    if (r <= 0x7F)
        return !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
                 r == '_');
    if (tuni_is_letter(r) || tuni_is_digit(r))
        return false;
    return tuni_is_space(r);
}

TFN_DECL(tfs_title)
{
    struct tstr s = S(a[0]);
    uint32_t prev = ' ';

    (void)n;
    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < s.n;) {
        uint32_t r;
        i += tutf8_decode(s.p + i, s.n - i, &r);
        if (!app_rune(x, is_separator(prev) ? tuni_to_title(r) : r))
            return NULL;
        prev = r;
    }
    return texec_tmp_string(x);
}

/* goutils.Uncapitalize: the first letter of every space-separated word in lower case */
TFN_DECL(tfs_untitle)
{
    struct tstr s = S(a[0]);
    bool next = true;

    (void)n;
    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < s.n;) {
        uint32_t r;
        i += tutf8_decode(s.p + i, s.n - i, &r);
        if (tuni_is_space(r)) {
            next = true;
        } else if (next) {
            r = tuni_to_lower(r);
            next = false;
        }
        if (!app_rune(x, r))
            return NULL;
    }
    return texec_tmp_string(x);
}

/* goutils.SwapCase */
TFN_DECL(tfs_swapcase)
{
    struct tstr s = S(a[0]);

    (void)n;
    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < s.n;) {
        uint32_t r, lo, up;
        i += tutf8_decode(s.p + i, s.n - i, &r);
        lo = tuni_to_lower(r);
        up = tuni_to_upper(r);
        if (lo != r)
            r = lo;
        else if (up != r)
            r = up;
        if (!app_rune(x, r))
            return NULL;
    }
    return texec_tmp_string(x);
}

static size_t space_prefix(struct tstr s)
{
    size_t i = 0;

    while (i < s.n) {
        uint32_t r;
        size_t w = tutf8_decode(s.p + i, s.n - i, &r);
        if (!tuni_is_space(r))
            break;
        i += w;
    }
    return i;
}

static size_t last_rune_start(const char *s, size_t n)
{
    size_t p = n - 1;
    uint32_t r;

    while (p > 0 && n - p < 4 && ((unsigned char)s[p] & 0xC0) == 0x80)
        p--;
    if (p + tutf8_decode(s + p, n - p, &r) != n)
        p = n - 1;
    return p;
}

TFN_DECL(tfs_trim)
{
    struct tstr s = S(a[0]);
    size_t b = space_prefix(s), e = s.n;

    (void)n;
    while (e > b) {
        size_t p = last_rune_start(s.p, e);
        uint32_t r;
        tutf8_decode(s.p + p, e - p, &r);
        if (!tuni_is_space(r))
            break;
        e = p;
    }
    return tv_str_ref(x, s.p + b, e - b);
}

static bool in_cutset(struct tstr cut, uint32_t r)
{
    /* an invalid byte decodes as U+FFFD on both sides, as strings.ContainsRune sees it */
    for (size_t i = 0; i < cut.n;) {
        uint32_t c;
        i += tutf8_decode(cut.p + i, cut.n - i, &c);
        if (c == r)
            return true;
    }
    return false;
}

/* strings.Trim(b, a): the runes of the cutset a removed from both ends of b */
TFN_DECL(tfs_trimall)
{
    struct tstr cut = S(a[0]), s = S(a[1]);
    size_t b = 0, e = s.n;

    (void)n;
    while (b < e) {
        uint32_t r;
        size_t w = tutf8_decode(s.p + b, e - b, &r);
        if (!in_cutset(cut, r))
            break;
        b += w;
    }
    while (e > b) {
        size_t p = last_rune_start(s.p, e);
        uint32_t r;
        tutf8_decode(s.p + p, e - p, &r);
        if (!in_cutset(cut, r))
            break;
        e = p;
    }
    return tv_str_ref(x, s.p + b, e - b);
}

TFN_DECL(tfs_trim_prefix)
{
    struct tstr p = S(a[0]), s = S(a[1]);

    (void)n;
    if (s.n >= p.n && memcmp(s.p, p.p, p.n) == 0)
        return tv_str_ref(x, s.p + p.n, s.n - p.n);
    return a[1];
}

TFN_DECL(tfs_trim_suffix)
{
    struct tstr p = S(a[0]), s = S(a[1]);

    (void)n;
    if (s.n >= p.n && memcmp(s.p + s.n - p.n, p.p, p.n) == 0)
        return tv_str_ref(x, s.p, s.n - p.n);
    return a[1];
}

static bool contains_at(struct tstr s, struct tstr sub, size_t *at)
{
    if (sub.n == 0) {
        *at = 0;
        return true;
    }
    for (size_t i = 0; i + sub.n <= s.n; i++)
        if (s.p[i] == sub.p[0] && memcmp(s.p + i, sub.p, sub.n) == 0) {
            *at = i;
            return true;
        }
    return false;
}

TFN_DECL(tfs_contains)
{
    size_t at;

    (void)n;
    return tv_bool(contains_at(S(a[1]), S(a[0]), &at));
}

TFN_DECL(tfs_has_prefix)
{
    struct tstr p = S(a[0]), s = S(a[1]);

    (void)n;
    return tv_bool(s.n >= p.n && memcmp(s.p, p.p, p.n) == 0);
}

TFN_DECL(tfs_has_suffix)
{
    struct tstr p = S(a[0]), s = S(a[1]);

    (void)n;
    return tv_bool(s.n >= p.n && memcmp(s.p + s.n - p.n, p.p, p.n) == 0);
}

/* goutils' byte-wise helpers: each byte becomes a rune (non-ASCII text is re-encoded as
 * Latin-1, as goutils does). */
TFN_DECL(tfs_nospace)
{
    struct tstr s = S(a[0]);
    size_t count = 0;

    (void)n;
    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < s.n; i++) {
        uint32_t ch = (unsigned char)s.p[i];
        if (!tuni_is_space(ch)) {
            if (!app_rune(x, ch))
                return NULL;
            count++;
        }
    }
    if (count == s.n)
        return a[0];
    return texec_tmp_string(x);
}

TFN_DECL(tfs_initials)
{
    struct tstr s = S(a[0]);
    bool gap = true;

    (void)n;
    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < s.n; i++) {
        uint32_t ch = (unsigned char)s.p[i];
        if (tuni_is_space(ch)) {
            gap = true;
        } else if (gap) {
            if (!app_rune(x, ch))
                return NULL;
            gap = false;
        }
    }
    return texec_tmp_string(x);
}

TFN_DECL(tfs_replace)
{
    struct tstr old = S(a[0]), nw = S(a[1]), s = S(a[2]);
    size_t i = 0;

    (void)n;
    cmn_buf_reset(&x->tmp);
    if (old.n == 0) {
        /* matches at the start and after each UTF-8 sequence */
        if (!app(x, nw.p, nw.n))
            return NULL;
        while (i < s.n) {
            uint32_t r;
            size_t w = tutf8_decode(s.p + i, s.n - i, &r);
            if (!app(x, s.p + i, w) || !app(x, nw.p, nw.n))
                return NULL;
            i += w;
        }
        return texec_tmp_string(x);
    }
    while (i < s.n) {
        size_t at;
        struct tstr rest = {s.p + i, s.n - i};
        if (!contains_at(rest, old, &at)) {
            if (!app(x, rest.p, rest.n))
                return NULL;
            break;
        }
        if (!app(x, rest.p, at) || !app(x, nw.p, nw.n))
            return NULL;
        i += at + old.n;
    }
    return texec_tmp_string(x);
}

TFN_DECL(tfs_repeat)
{
    int64_t count = a[0]->u.i;
    struct tstr s = S(a[1]);

    (void)n;
    if (count < 0)
        return tfn_fail(x, "strings: negative Repeat count");
    if (s.n && (uint64_t)count > x->lim->max_output / s.n)
        return texec_limitf(x, "repeat: %lld copies of %zu bytes exceed the cap of %zu bytes",
                            (long long)count, s.n, x->lim->max_output);
    cmn_buf_reset(&x->tmp);
    for (int64_t i = 0; i < count && s.n; i++)
        if (!app(x, s.p, s.n))
            return NULL;
    return texec_tmp_string(x);
}

static struct tv *indent_str(struct texec *x, int64_t spaces, struct tstr s, bool nl)
{
    if (spaces < 0)
        return tfn_fail(x, "strings: negative Repeat count");
    if ((uint64_t)spaces > x->lim->max_output)
        return texec_limitf(x, "indent of %lld spaces exceeds the output cap", (long long)spaces);
    cmn_buf_reset(&x->tmp);
    if (nl && !app(x, "\n", 1))
        return NULL;
    for (int64_t k = 0; k < spaces; k++)
        if (!app(x, " ", 1))
            return NULL;
    for (size_t i = 0; i < s.n; i++) {
        if (!app(x, s.p + i, 1))
            return NULL;
        if (s.p[i] == '\n')
            for (int64_t k = 0; k < spaces; k++)
                if (!app(x, " ", 1))
                    return NULL;
    }
    return texec_tmp_string(x);
}

TFN_DECL(tfs_indent)
{
    (void)n;
    return indent_str(x, a[0]->u.i, S(a[1]), false);
}

TFN_DECL(tfs_nindent)
{
    (void)n;
    return indent_str(x, a[0]->u.i, S(a[1]), true);
}

TFN_DECL(tfs_plural)
{
    (void)n;
    return a[2]->u.i == 1 ? a[0] : a[1];
}

TFN_DECL(tfs_trunc)
{
    int64_t c = a[0]->u.i;
    struct tstr s = S(a[1]);

    (void)n;
    if (c < 0 && (int64_t)s.n + c > 0)
        return tv_str_ref(x, s.p + (int64_t)s.n + c, (size_t)(-c));
    if (c >= 0 && (int64_t)s.n > c)
        return tv_str_ref(x, s.p, (size_t)c);
    return a[1];
}

TFN_DECL(tfs_substr)
{
    int64_t start = a[0]->u.i, end = a[1]->u.i, len;
    struct tstr s = S(a[2]);

    (void)n;
    len = (int64_t)s.n;
    if (start < 0) {
        if (end < 0 || end > len)
            return tfn_fail(x, "runtime error: slice bounds out of range [:%lld] with length %lld",
                            (long long)end, (long long)len);
        return tv_str_ref(x, s.p, (size_t)end);
    }
    if (end < 0 || end > len) {
        if (start > len)
            return tfn_fail(x, "runtime error: slice bounds out of range [%lld:%lld]",
                            (long long)start, (long long)len);
        return tv_str_ref(x, s.p + start, (size_t)(len - start));
    }
    if (start > end)
        return tfn_fail(x, "runtime error: slice bounds out of range [%lld:%lld]", (long long)start,
                        (long long)end);
    return tv_str_ref(x, s.p + start, (size_t)(end - start));
}

/* goutils.AbbreviateFull (byte offsets) */
static struct tv *abbreviate(struct texec *x, struct tv *orig, int64_t offset, int64_t max)
{
    struct tstr s = S(orig);
    int64_t len = (int64_t)s.n;

    if (len == 0 || max < 4 || len <= max)
        return orig;
    if (offset > len)
        offset = len;
    if (len - offset < max - 3)
        offset = len - (max - 3);
    cmn_buf_reset(&x->tmp);
    if (offset <= 4) {
        if (!app(x, s.p, (size_t)(max - 3)) || !app(x, "...", 3))
            return NULL;
        return texec_tmp_string(x);
    }
    if (max < 7)
        return orig;
    if (offset + max - 3 < len) {
        struct tv sub = {.kind = TV_STRING, .type = GT_STRING};
        struct tv *r;
        sub.u.s.p = s.p + offset;
        sub.u.s.n = (size_t)(len - offset);
        r = abbreviate(x, &sub, 0, max - 3);
        if (!r)
            return NULL;
        cmn_buf_reset(&x->tmp);
        if (!app(x, "...", 3) || !app(x, r->u.s.p, r->u.s.n))
            return NULL;
        return texec_tmp_string(x);
    }
    if (!app(x, "...", 3) || !app(x, s.p + (len - (max - 3)), (size_t)(max - 3)))
        return NULL;
    return texec_tmp_string(x);
}

TFN_DECL(tfs_abbrev)
{
    (void)n;
    if (a[0]->u.i < 4)
        return a[1];
    return abbreviate(x, a[1], 0, a[0]->u.i);
}

TFN_DECL(tfs_abbrevboth)
{
    int64_t left = a[0]->u.i, right = a[1]->u.i;

    (void)n;
    if (right < 4 || (left > 0 && right < 7))
        return a[2];
    return abbreviate(x, a[2], left, right);
}

TFN_DECL(tfs_quote)
{
    bool first = true;

    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < n; i++) {
        struct cmn_buf sv;
        bool ok;
        if (tv_is_nilish(a[i]))
            continue;
        if (!first && !app(x, " ", 1))
            return NULL;
        first = false;
        cmn_buf_init(&sv, x->lim->max_output);
        ok = tfmt_strval(x, &sv, a[i]) && tfmt_quote(&x->tmp, sv.data ? sv.data : "", sv.len, '"');
        cmn_buf_free(&sv);
        if (!ok)
            return x->failed ? NULL : texec_limitf(x, "quoted text exceeds the cap");
    }
    return texec_tmp_string(x);
}

TFN_DECL(tfs_squote)
{
    bool first = true;

    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < n; i++) {
        if (tv_is_nilish(a[i]))
            continue;
        if ((!first && !app(x, " ", 1)) || !app(x, "'", 1))
            return NULL;
        first = false;
        if (!tfmt_strval(x, &x->tmp, a[i]) || !app(x, "'", 1))
            return NULL;
    }
    return texec_tmp_string(x);
}

TFN_DECL(tfs_cat)
{
    bool first = true;

    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < n; i++) {
        if (tv_is_nilish(a[i]))
            continue;
        if (!first && !app(x, " ", 1))
            return NULL;
        first = false;
        if (!tfmt_strval(x, &x->tmp, a[i]))
            return NULL;
    }
    return texec_tmp_string(x);
}

TFN_DECL(tfs_to_string)
{
    (void)n;
    if (a[0]->kind == TV_STRING)
        return a[0];
    cmn_buf_reset(&x->tmp);
    if (!tfmt_strval(x, &x->tmp, a[0]))
        return NULL;
    return texec_tmp_string(x);
}

/* strings.SplitN(s, sep, max) as a list of strings (max < 0: all) */
static struct tv *split_list(struct texec *x, struct tstr s, struct tstr sep, int64_t max)
{
    size_t count = 0, i = 0;
    struct tv *l;

    if (max == 0)
        return tv_list(x, GT_LIST_STRING, NULL, 0);
    if (sep.n == 0) {
        /* explode into UTF-8 sequences */
        count = tutf8_count(s.p, s.n);
        if (max > 0 && (size_t)max < count)
            count = (size_t)max;
        l = tv_list(x, GT_LIST_STRING, NULL, count);
        for (size_t k = 0; l && k < count; k++) {
            uint32_t r;
            size_t w = k + 1 == count ? s.n - i : tutf8_decode(s.p + i, s.n - i, &r);
            if (!(l->u.l.v[k] = tv_str_ref(x, s.p + i, w)))
                return NULL;
            i += w;
        }
        return l;
    }
    count = 1;
    for (size_t at, k = 0;
         (max < 0 || count < (size_t)max) && contains_at((struct tstr){s.p + k, s.n - k}, sep, &at);
         k += at + sep.n)
        count++;
    l = tv_list(x, GT_LIST_STRING, NULL, count);
    if (!l)
        return NULL;
    for (size_t k = 0; k < count; k++) {
        size_t at;
        struct tstr rest = {s.p + i, s.n - i};
        if (k + 1 == count || !contains_at(rest, sep, &at))
            at = rest.n;
        if (!(l->u.l.v[k] = tv_str_ref(x, rest.p, at)))
            return NULL;
        i += at + sep.n;
    }
    return l;
}

TFN_DECL(tfs_split_list)
{
    (void)n;
    return split_list(x, S(a[1]), S(a[0]), -1);
}

static struct tv *split_map(struct texec *x, struct tv *parts)
{
    struct tv *m;
    char key[32];

    if (!parts)
        return NULL;
    m = tv_map_new(x, GT_MAP_STRING);
    for (size_t i = 0; m && i < parts->u.l.n; i++) {
        int kn = snprintf(key, sizeof(key), "_%zu", i);
        if (!tv_map_set(x, m->u.m, key, (size_t)kn, parts->u.l.v[i]))
            return NULL;
    }
    return m;
}

TFN_DECL(tfs_split)
{
    (void)n;
    return split_map(x, split_list(x, S(a[1]), S(a[0]), -1));
}

TFN_DECL(tfs_splitn)
{
    (void)n;
    return split_map(x, split_list(x, S(a[2]), S(a[0]), a[1]->u.i));
}

TFN_DECL(tfs_hello)
{
    (void)a;
    (void)n;
    return tv_str_ref(x, "Hello!", 6);
}
