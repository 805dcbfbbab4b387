/* cmn_go_re_parse.c - Go's regexp/syntax parser (Perl flags) rebuilt to accept and refuse exactly
 * what Go 1.25 does, with Go's error texts, producing a tree cmn_go_re_emit.c turns into PCRE2. */
#include "cmn_go_re_int.h"

#include <stdlib.h>
#include <string.h>

/* Go's limits (regexp/syntax/parse.go): tree height, compiled size in instructions, and the
 * product of nested counted repetitions. */
#define MAX_HEIGHT 1000
#define MAX_SIZE ((int64_t)(128 << 20) / 40)
#define MAX_REPEAT 1000

/* ---- arena ---- */

struct gre_chunk {
    struct gre_chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

void *cmn_gre_arena_alloc(struct gre_arena *a, size_t n)
{
    struct gre_chunk *c = a->head;
    void *p;

    n = (n + 15) & ~(size_t)15;
    if (!c || c->size - c->used < n) {
        size_t size = n > 65536 ? n : 65536;
        if (a->used_total + size > a->cap_total)
            return NULL;
        c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->next = a->head;
        c->size = size;
        c->used = 0;
        a->head = c;
        a->used_total += size;
    }
    p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void cmn_gre_arena_free(struct gre_arena *a)
{
    struct gre_chunk *c = a->head;

    while (c) {
        struct gre_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used_total = 0;
}

bool cmn_gre_grow(struct gre_arena *a, void **arr, size_t n, size_t need, size_t *cap, size_t elem)
{
    size_t ncap;
    void *p;

    if (need <= *cap)
        return true;
    ncap = *cap ? *cap * 2 : 4;
    while (ncap < need)
        ncap *= 2;
    p = cmn_gre_arena_alloc(a, ncap * elem);
    if (!p)
        return false;
    if (n)
        memcpy(p, *arr, n * elem);
    *arr = p;
    *cap = ncap;
    return true;
}

/* ---- parser state ---- */

void cmn_gre_fail(struct gre_parser *p, const char *code, const char *expr, size_t len)
{
    cmn_err_set(p->err, CMN_GO_RE_SYNTAX, "error parsing regexp: %s: `%.*s`", code, (int)len, expr);
}

static void fail_whole(struct gre_parser *p, const char *code)
{
    cmn_gre_fail(p, code, p->whole, p->n);
}

void cmn_gre_nomem(struct gre_parser *p)
{
    cmn_err_set(p->err, CMN_GO_RE_NOMEM, "out of memory compiling a regular expression");
}

static struct gre_frame *top(struct gre_parser *p)
{
    return &p->frames[p->depth - 1];
}

struct gre_node *cmn_gre_new_node(struct gre_parser *p, enum gre_op op)
{
    struct gre_node *n = cmn_gre_arena_alloc(p->a, sizeof(*n));

    if (!n) {
        cmn_gre_nomem(p);
        return NULL;
    }
    n->op = op;
    n->height = 1;
    n->size = 1;
    return n;
}

/* Go's calcSize and calcHeight for a node whose children are final; then the limit checks. */
static bool check_limits(struct gre_parser *p, struct gre_node *n)
{
    int64_t size = 0;
    int h = 1;

    for (size_t i = 0; i < n->nsub; i++) {
        if (n->sub[i]->height + 1 > h)
            h = n->sub[i]->height + 1;
    }
    switch (n->op) {
    case GRE_LIT:
        size = (int64_t)n->nrunes;
        break;
    case GRE_CAP:
    case GRE_STAR:
        size = 2 + n->sub[0]->size;
        break;
    case GRE_PLUS:
    case GRE_QUEST:
        size = 1 + n->sub[0]->size;
        break;
    case GRE_CONCAT:
    case GRE_ALT:
        for (size_t i = 0; i < n->nsub; i++)
            size += n->sub[i]->size;
        if (n->op == GRE_ALT && n->nsub > 1)
            size += (int64_t)n->nsub - 1;
        break;
    case GRE_REPEAT:
        if (n->max == -1)
            size = n->min == 0 ? 2 + n->sub[0]->size : 1 + (int64_t)n->min * n->sub[0]->size;
        else
            size = (int64_t)n->max * n->sub[0]->size + (n->max - n->min);
        break;
    default:
        break;
    }
    n->size = size < 1 ? 1 : size;
    n->height = h;
    if (n->size > MAX_SIZE) {
        fail_whole(p, ERR_LARGE);
        return false;
    }
    if (n->height > MAX_HEIGHT) {
        fail_whole(p, ERR_DEPTH);
        return false;
    }
    return true;
}

bool cmn_gre_push_item(struct gre_parser *p, struct gre_node *n)
{
    struct gre_frame *f = top(p);

    if (!n)
        return false;
    if (!cmn_gre_grow(p->a, (void **)&f->items, f->nitems, f->nitems + 1, &f->cap_items,
                      sizeof(*f->items))) {
        cmn_gre_nomem(p);
        return false;
    }
    f->items[f->nitems++] = n;
    return check_limits(p, n);
}

static bool push_op(struct gre_parser *p, enum gre_op op)
{
    return cmn_gre_push_item(p, cmn_gre_new_node(p, op));
}

static bool literal(struct gre_parser *p, uint32_t r)
{
    struct gre_node *n = cmn_gre_new_node(p, GRE_LIT);

    if (!n)
        return false;
    n->flags = p->flags & GRE_F_FOLD;
    if (!cmn_gre_grow(p->a, (void **)&n->runes, 0, 1, &n->cap_runes, sizeof(*n->runes))) {
        cmn_gre_nomem(p);
        return false;
    }
    n->runes[0] = r;
    n->nrunes = 1;
    return cmn_gre_push_item(p, n);
}

/* Adds sub to a concatenation or alternation, splicing a node of the same kind (Go's collapse)
 * and, in a concatenation, joining neighbouring literals of the same case mode. */
static bool add_sub(struct gre_parser *p, struct gre_node *n, struct gre_node *sub)
{
    if (sub->op == n->op) {
        for (size_t i = 0; i < sub->nsub; i++) {
            if (!add_sub(p, n, sub->sub[i]))
                return false;
        }
        return true;
    }
    if (n->op == GRE_CONCAT && sub->op == GRE_LIT && n->nsub > 0) {
        struct gre_node *last = n->sub[n->nsub - 1];
        if (last->op == GRE_LIT && last->flags == sub->flags) {
            for (size_t i = 0; i < sub->nrunes; i++) {
                if (!cmn_gre_grow(p->a, (void **)&last->runes, last->nrunes, last->nrunes + 1,
                                  &last->cap_runes, sizeof(*last->runes))) {
                    cmn_gre_nomem(p);
                    return false;
                }
                last->runes[last->nrunes++] = sub->runes[i];
            }
            last->size = (int64_t)last->nrunes;
            return true;
        }
    }
    if (!cmn_gre_grow(p->a, (void **)&n->sub, n->nsub, n->nsub + 1, &n->cap_sub, sizeof(*n->sub))) {
        cmn_gre_nomem(p);
        return false;
    }
    n->sub[n->nsub++] = sub;
    return true;
}

static struct gre_node *collapse(struct gre_parser *p, struct gre_node **subs, size_t n,
                                 enum gre_op op)
{
    struct gre_node *r;

    if (n == 0)
        return cmn_gre_new_node(p, GRE_EMPTY);
    if (n == 1)
        return subs[0];
    r = cmn_gre_new_node(p, op);
    if (!r)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!add_sub(p, r, subs[i]))
            return NULL;
    }
    if (r->nsub == 1)
        return r->sub[0];
    if (!check_limits(p, r))
        return NULL;
    return r;
}

/* Ends the current alternative: the concatenation joins the frame's alternatives. */
static bool end_concat(struct gre_parser *p)
{
    struct gre_frame *f = top(p);
    struct gre_node *c = collapse(p, f->items, f->nitems, GRE_CONCAT);

    if (!c)
        return false;
    f->nitems = 0;
    if (!cmn_gre_grow(p->a, (void **)&f->alts, f->nalts, f->nalts + 1, &f->cap_alts,
                      sizeof(*f->alts))) {
        cmn_gre_nomem(p);
        return false;
    }
    f->alts[f->nalts++] = c;
    return true;
}

/* Ends the frame's alternation: its node, or NULL on error. */
static struct gre_node *end_alternate(struct gre_parser *p)
{
    struct gre_frame *f = top(p);

    if (!end_concat(p))
        return NULL;
    return collapse(p, f->alts, f->nalts, GRE_ALT);
}

static bool open_group(struct gre_parser *p, bool capture, unsigned saved_flags)
{
    struct gre_frame *f;

    if (!cmn_gre_grow(p->a, (void **)&p->frames, p->depth, p->depth + 1, &p->cap_frames,
                      sizeof(*p->frames))) {
        cmn_gre_nomem(p);
        return false;
    }
    f = &p->frames[p->depth++];
    memset(f, 0, sizeof(*f));
    f->capture = capture;
    f->saved_flags = saved_flags;
    return true;
}

static bool close_group(struct gre_parser *p)
{
    struct gre_node *body = end_alternate(p);
    struct gre_frame f;
    struct gre_node *n;

    if (!body)
        return false;
    if (p->depth < 2) {
        fail_whole(p, ERR_UNEXPECTED_PAREN);
        return false;
    }
    f = *top(p);
    p->depth--;
    p->flags = f.saved_flags;
    if (!f.capture)
        return cmn_gre_push_item(p, body);
    n = cmn_gre_new_node(p, GRE_CAP);
    if (!n || !cmn_gre_grow(p->a, (void **)&n->sub, 0, 1, &n->cap_sub, sizeof(*n->sub))) {
        if (n)
            cmn_gre_nomem(p);
        return false;
    }
    n->sub[n->nsub++] = body;
    return cmn_gre_push_item(p, n);
}

/* ---- UTF-8 ---- */

/* Go's nextRune: the rune at s, or an invalid-UTF-8 error quoting s[0..end). */
bool cmn_gre_next_rune(struct gre_parser *p, const char *s, const char *end, uint32_t *r, size_t *w)
{
    bool ok;

    if (s >= end) {
        *r = 0xFFFD; /* Go decodes "" as RuneError of width 0 without error */
        *w = 0;
        return true;
    }
    *r = gre_utf8_decode((const unsigned char *)s, (size_t)(end - s), w, &ok);
    if (!ok) {
        cmn_gre_fail(p, ERR_UTF8, s, (size_t)(end - s));
        return false;
    }
    return true;
}

bool cmn_gre_check_utf8(struct gre_parser *p, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint32_t r;
        size_t w;
        if (!cmn_gre_next_rune(p, s + i, s + n, &r, &w))
            return false;
        i += w;
    }
    return true;
}

static bool is_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* ---- repetition ---- */

/* Go's parseInt: digits without a leading zero; values of 1e8 and more become -1. */
static bool parse_int(const char **s, const char *end, int *out)
{
    const char *t = *s;
    int n = 0;

    if (t >= end || *t < '0' || *t > '9')
        return false;
    if (end - t >= 2 && t[0] == '0' && t[1] >= '0' && t[1] <= '9')
        return false;
    while (t < end && *t >= '0' && *t <= '9') {
        if (n >= 100000000)
            n = -1;
        else if (n >= 0)
            n = n * 10 + (*t - '0');
        t++;
    }
    *s = t;
    *out = n;
    return true;
}

/* Go's parseRepeat: {n}, {n,} or {n,m}; false when s is not of that form. */
static bool parse_repeat(const char *s, const char *end, int *min, int *max, const char **rest)
{
    if (s >= end || *s != '{')
        return false;
    s++;
    if (!parse_int(&s, end, min) || s >= end)
        return false;
    if (*s != ',') {
        *max = *min;
    } else {
        s++;
        if (s >= end)
            return false;
        if (*s == '}') {
            *max = -1;
        } else {
            if (!parse_int(&s, end, max))
                return false;
            if (*max < 0)
                *min = -1;
        }
    }
    if (s >= end || *s != '}')
        return false;
    *rest = s + 1;
    return true;
}

/* Go's repeatIsValid: nested counted repetitions copy their operand at most n times. */
static bool repeat_is_valid(const struct gre_node *n, int lim)
{
    if (n->op == GRE_REPEAT) {
        int m = n->max;
        if (m == 0)
            return true;
        if (m < 0)
            m = n->min;
        if (m > lim)
            return false;
        if (m > 0)
            lim /= m;
    }
    for (size_t i = 0; i < n->nsub; i++) {
        if (!repeat_is_valid(n->sub[i], lim))
            return false;
    }
    return true;
}

/* Applies a repetition to the last item. before: the operator; after: what follows it.
 * Returns the new position or NULL on error. */
static const char *repeat(struct gre_parser *p, enum gre_op op, int min, int max,
                          const char *before, const char *after, const char *last_repeat)
{
    const char *end = p->whole + p->n;
    unsigned flags = p->flags;
    struct gre_frame *f = top(p);
    struct gre_node *n;

    if (after < end && *after == '?') {
        after++;
        flags ^= GRE_F_NONGREEDY;
    }
    if (last_repeat) {
        /* Perl refuses a** and a++ (possessive) alike */
        cmn_gre_fail(p, ERR_REPEAT_OP, last_repeat, (size_t)(after - last_repeat));
        return NULL;
    }
    if (f->nitems == 0) {
        cmn_gre_fail(p, ERR_REPEAT_ARG, before, (size_t)(after - before));
        return NULL;
    }
    n = cmn_gre_new_node(p, op);
    if (!n || !cmn_gre_grow(p->a, (void **)&n->sub, 0, 1, &n->cap_sub, sizeof(*n->sub))) {
        if (n)
            cmn_gre_nomem(p);
        return NULL;
    }
    n->min = min;
    n->max = max;
    n->flags = flags & GRE_F_NONGREEDY;
    n->sub[n->nsub++] = f->items[f->nitems - 1];
    f->items[f->nitems - 1] = n;
    if (!check_limits(p, n))
        return NULL;
    if (op == GRE_REPEAT && (min >= 2 || max >= 2) && !repeat_is_valid(n, MAX_REPEAT)) {
        cmn_gre_fail(p, ERR_REPEAT_SIZE, before, (size_t)(after - before));
        return NULL;
    }
    return after;
}

/* ---- groups and flags ---- */

static bool valid_capture_name(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '_' && !is_alnum((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* Go's parsePerlFlags: (?P<name>, (?<name>, (?flags), (?flags:. s points at "(?". */
static const char *perl_flags(struct gre_parser *p, const char *s)
{
    const char *end = p->whole + p->n;
    size_t len = (size_t)(end - s);
    bool starts_p = len > 4 && s[2] == 'P' && s[3] == '<';
    bool starts_name = len > 3 && s[2] == '<';
    unsigned flags = p->flags;
    int sign = 1;
    bool saw_flag = false;
    const char *t;

    if (starts_p || starts_name) {
        size_t start = starts_name ? 3 : 4;
        const char *gt = memchr(s, '>', len);
        if (!gt) {
            if (cmn_gre_check_utf8(p, s, len))
                cmn_gre_fail(p, ERR_NAMED_CAPTURE, s, len);
            return NULL;
        }
        if (!cmn_gre_check_utf8(p, s + start, (size_t)(gt - s) - start))
            return NULL;
        if (!valid_capture_name(s + start, (size_t)(gt - s) - start)) {
            cmn_gre_fail(p, ERR_NAMED_CAPTURE, s, (size_t)(gt - s) + 1);
            return NULL;
        }
        if (!open_group(p, true, p->flags))
            return NULL;
        return gt + 1;
    }
    t = s + 2;
    while (t < end) {
        uint32_t c;
        size_t w;
        if (!cmn_gre_next_rune(p, t, end, &c, &w))
            return NULL;
        t += w;
        switch (c) {
        case 'i':
            flags = sign > 0 ? flags | GRE_F_FOLD : flags & ~GRE_F_FOLD;
            saw_flag = true;
            continue;
        case 'm':
            flags = sign > 0 ? flags & ~GRE_F_ONELINE : flags | GRE_F_ONELINE;
            saw_flag = true;
            continue;
        case 's':
            flags = sign > 0 ? flags | GRE_F_DOTNL : flags & ~GRE_F_DOTNL;
            saw_flag = true;
            continue;
        case 'U':
            flags = sign > 0 ? flags | GRE_F_NONGREEDY : flags & ~GRE_F_NONGREEDY;
            saw_flag = true;
            continue;
        case '-':
            if (sign < 0)
                break;
            sign = -1;
            saw_flag = false;
            continue;
        case ':':
        case ')':
            if (sign < 0 && !saw_flag)
                break;
            if (c == ':' && !open_group(p, false, p->flags))
                return NULL;
            p->flags = flags;
            return t;
        default:
            break;
        }
        break;
    }
    cmn_gre_fail(p, ERR_PERL_OP, s, (size_t)(t - s));
    return NULL;
}

/* ---- escapes outside classes ---- */

static const char *backslash(struct gre_parser *p, const char *t)
{
    const char *end = p->whole + p->n;
    uint32_t c;

    if (end - t >= 2) {
        switch (t[1]) {
        case 'A':
            return push_op(p, GRE_BOT) ? t + 2 : NULL;
        case 'b':
            return push_op(p, GRE_WB) ? t + 2 : NULL;
        case 'B':
            return push_op(p, GRE_NWB) ? t + 2 : NULL;
        case 'C':
            cmn_gre_fail(p, ERR_ESCAPE, t, 2); /* any byte: Go does not support it */
            return NULL;
        case 'z':
            return push_op(p, GRE_EOT) ? t + 2 : NULL;
        case 'Q': {
            const char *lit = t + 2, *stop = end, *next = end;
            for (const char *q = lit; q + 1 < end; q++) {
                if (q[0] == '\\' && q[1] == 'E') {
                    stop = q;
                    next = q + 2;
                    break;
                }
            }
            while (lit < stop) {
                size_t w;
                if (!cmn_gre_next_rune(p, lit, stop, &c, &w) || !literal(p, c))
                    return NULL;
                lit += w;
            }
            return next;
        }
        default:
            break;
        }
    }
    if (end - t >= 2 && (t[1] == 'p' || t[1] == 'P')) {
        struct gre_class *cls = cmn_gre_new_class(p);
        const char *rest;
        if (!cls || !(rest = cmn_gre_unicode_class(p, t, end, cls)))
            return NULL;
        return cmn_gre_push_class(p, cls) ? rest : NULL;
    }
    if (end - t >= 2 && cmn_gre_perl_group(t[1])) {
        struct gre_class *cls = cmn_gre_new_class(p);
        if (!cls || !cmn_gre_add_perl_group(p, cls, t[1]))
            return NULL;
        return cmn_gre_push_class(p, cls) ? t + 2 : NULL;
    }
    t = cmn_gre_parse_escape(p, t, end, &c);
    if (!t || !literal(p, c))
        return NULL;
    return t;
}

/* ---- main loop ---- */

struct gre_node *cmn_gre_parse(const char *pattern, size_t n, struct gre_arena *a,
                               struct cmn_err *err)
{
    struct gre_parser p = {.whole = pattern, .n = n, .flags = GRE_F_ONELINE, .a = a, .err = err};
    const char *t = pattern, *end = pattern + n;
    const char *last_repeat = NULL;
    struct gre_node *root;

    if (n > CMN_GO_RE_MAX_PATTERN) {
        cmn_err_set(err, CMN_GO_RE_UNSUPPORTED, "pattern `%.*s%s` of %zu bytes: longer than %d",
                    GRE_QUOTE(n, pattern), n, CMN_GO_RE_MAX_PATTERN);
        return NULL;
    }
    if (!open_group(&p, false, p.flags))
        return NULL;
    while (t < end) {
        const char *repeat_at = NULL;
        uint32_t c;
        size_t w;
        int min, max;
        const char *after;

        switch (*t) {
        case '(':
            if (end - t >= 2 && t[1] == '?')
                t = perl_flags(&p, t);
            else
                t = open_group(&p, true, p.flags) ? t + 1 : NULL;
            break;
        case '|':
            t = end_concat(&p) ? t + 1 : NULL;
            break;
        case ')':
            t = close_group(&p) ? t + 1 : NULL;
            break;
        case '^':
            t = push_op(&p, p.flags & GRE_F_ONELINE ? GRE_BOT : GRE_BOL) ? t + 1 : NULL;
            break;
        case '$':
            t = push_op(&p, p.flags & GRE_F_ONELINE ? GRE_EOT : GRE_EOL) ? t + 1 : NULL;
            break;
        case '.':
            t = push_op(&p, p.flags & GRE_F_DOTNL ? GRE_ANY : GRE_ANY_NOT_NL) ? t + 1 : NULL;
            break;
        case '[':
            t = cmn_gre_parse_class(&p, t, end);
            break;
        case '*':
        case '+':
        case '?':
            repeat_at = t;
            t = repeat(&p,
                       *t == '*'   ? GRE_STAR
                       : *t == '+' ? GRE_PLUS
                                   : GRE_QUEST,
                       0, 0, t, t + 1, last_repeat);
            break;
        case '{':
            if (!parse_repeat(t, end, &min, &max, &after)) {
                t = literal(&p, '{') ? t + 1 : NULL; /* not a repetition: a literal brace */
                break;
            }
            if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
                cmn_gre_fail(&p, ERR_REPEAT_SIZE, t, (size_t)(after - t));
                t = NULL;
                break;
            }
            repeat_at = t;
            t = repeat(&p, GRE_REPEAT, min, max, t, after, last_repeat);
            break;
        case '\\':
            t = backslash(&p, t);
            break;
        default:
            if (!cmn_gre_next_rune(&p, t, end, &c, &w) || !literal(&p, c))
                t = NULL;
            else
                t += w;
            break;
        }
        if (!t)
            return NULL;
        last_repeat = repeat_at;
    }
    root = end_alternate(&p);
    if (!root)
        return NULL;
    if (p.depth != 1) {
        fail_whole(&p, ERR_PAREN);
        return NULL;
    }
    return root;
}
