/* cmn_go_re_emit.c - writes a parsed Go regexp as a PCRE2 pattern with the same meaning: every
 * character escaped, Go's ASCII-only \b \d \s \w written as explicit classes, text and line
 * anchors written so PCRE2's newline rules do not apply, and case folding limited to the
 * literals and classes Go folds. */
#include "cmn_go_re_int.h"

#include <stdio.h>

#define WORD "[0-9A-Za-z_]"

static bool put(struct cmn_buf *o, const char *s)
{
    return cmn_buf_append_str(o, s) == CMN_BUF_OK;
}

static bool put_rune(struct cmn_buf *o, uint32_t r)
{
    if ((r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z')) {
        char c = (char)r;
        return cmn_buf_append(o, &c, 1) == CMN_BUF_OK;
    }
    return cmn_buf_printf(o, "\\x{%X}", (unsigned)r) == CMN_BUF_OK;
}

static bool put_range(struct cmn_buf *o, uint32_t lo, uint32_t hi)
{
    if (!put_rune(o, lo))
        return false;
    return lo == hi || (put(o, "-") && put_rune(o, hi));
}

static bool put_prop(struct cmn_buf *o, const struct gre_prop *p)
{
    const struct gre_uname *u = cmn_gre_uname_get(p->id);

    return cmn_buf_printf(o, "\\%c{%s}", p->neg ? 'P' : 'p', u->pcre) == CMN_BUF_OK;
}

static const uint32_t *extras(const struct gre_class *c, const struct gre_prop *p)
{
    static const uint32_t none[] = {0};

    if (!c->fold)
        return none;
    return cmn_gre_fold_extra_points(cmn_gre_uname_get(p->id)->fold);
}

/* The bracket part of a class: ranges, positive properties with the code points Go's folding
 * adds to them, and the negated properties folding adds nothing to. */
static bool put_bracket_items(struct cmn_buf *o, const struct gre_class *c)
{
    for (size_t i = 0; i < c->nr; i += 2) {
        if (!put_range(o, c->r[i], c->r[i + 1]))
            return false;
    }
    for (size_t i = 0; i < c->np; i++) {
        const uint32_t *x = extras(c, &c->p[i]);
        if (c->p[i].neg && *x)
            continue; /* written as an alternative, see emit_class */
        if (!put_prop(o, &c->p[i]))
            return false;
        for (; *x; x++) {
            if (!put_rune(o, *x))
                return false;
        }
    }
    return true;
}

static bool emit_class(struct cmn_buf *o, const struct gre_class *c)
{
    size_t n_negx = 0, n_plain = c->nr;

    for (size_t i = 0; i < c->np; i++) {
        if (c->p[i].neg && *extras(c, &c->p[i]))
            n_negx++;
        else
            n_plain++;
    }
    if (n_negx == 0) {
        if (n_plain == 0) /* Go's empty class: nothing, or (negated) anything */
            return put(o, c->neg ? "(?s:.)" : "(?!)");
        return put(o, c->fold ? "(?i:[" : "[") && (!c->neg || put(o, "^")) &&
               put_bracket_items(o, c) && put(o, c->fold ? "])" : "]");
    }
    /* Go folds a negated property before negating it: (?i)\P{Greek} leaves out U+00B5 and
     * U+0345 as well. PCRE2 cannot subtract inside a class, so the union becomes alternatives,
     * each one character wide. */
    if (!put(o, c->neg ? "(?!(?:" : "(?:"))
        return false;
    bool first = true;
    if (n_plain) {
        if (!put(o, "(?i:[") || !put_bracket_items(o, c) || !put(o, "])"))
            return false;
        first = false;
    }
    for (size_t i = 0; i < c->np; i++) {
        const uint32_t *x = extras(c, &c->p[i]);
        if (!c->p[i].neg || !*x)
            continue;
        if (!first && !put(o, "|"))
            return false;
        first = false;
        if (!put(o, "(?!["))
            return false;
        for (; *x; x++) {
            if (!put_rune(o, *x))
                return false;
        }
        if (!put(o, "])") || !put_prop(o, &c->p[i]))
            return false;
    }
    return put(o, c->neg ? "))(?s:.)" : ")");
}

static bool emit_node(struct cmn_buf *o, const struct gre_node *n);

/* Groups are written as plain parentheses: PCRE2 keeps a bounded stack for nested "(?:" (it
 * may set options) and refuses Go's 1000 levels with it; plain groups have no such limit.
 * PCRE2_NO_AUTO_CAPTURE makes them non-capturing: a capture would put the whole capture
 * vector into every backtracking frame, and a match here never reads what was captured. */
#define OPEN "("

/* n as one quantifiable unit. */
static bool emit_atom(struct cmn_buf *o, const struct gre_node *n)
{
    if (n->op == GRE_LIT && n->nrunes == 1 && !(n->flags & GRE_F_FOLD))
        return put_rune(o, n->runes[0]);
    return put(o, OPEN) && emit_node(o, n) && put(o, ")");
}

static bool emit_repeat(struct cmn_buf *o, const struct gre_node *n)
{
    bool ok = emit_atom(o, n->sub[0]);

    switch (n->op) {
    case GRE_STAR:
        ok = ok && put(o, "*");
        break;
    case GRE_PLUS:
        ok = ok && put(o, "+");
        break;
    case GRE_QUEST:
        ok = ok && put(o, "?");
        break;
    default:
        if (n->max == n->min)
            ok = ok && cmn_buf_printf(o, "{%d}", n->min) == CMN_BUF_OK;
        else if (n->max < 0)
            ok = ok && cmn_buf_printf(o, "{%d,}", n->min) == CMN_BUF_OK;
        else
            ok = ok && cmn_buf_printf(o, "{%d,%d}", n->min, n->max) == CMN_BUF_OK;
        break;
    }
    return ok && (!(n->flags & GRE_F_NONGREEDY) || put(o, "?"));
}

static bool emit_node(struct cmn_buf *o, const struct gre_node *n)
{
    switch (n->op) {
    case GRE_EMPTY:
        return true;
    case GRE_LIT:
        if ((n->flags & GRE_F_FOLD) && !put(o, "(?i:"))
            return false;
        for (size_t i = 0; i < n->nrunes; i++) {
            if (!put_rune(o, n->runes[i]))
                return false;
        }
        return !(n->flags & GRE_F_FOLD) || put(o, ")");
    case GRE_CLASS:
        return emit_class(o, n->cls);
    case GRE_ANY:
        return put(o, "(?s:.)");
    case GRE_ANY_NOT_NL:
        return put(o, "[^\\n]");
    case GRE_BOL: /* Go: at the start, or after any \n (also one that ends the text) */
        return put(o, "(?<![^\\n])");
    case GRE_EOL:
        return put(o, "(?![^\\n])");
    case GRE_BOT:
        return put(o, "\\A");
    case GRE_EOT:
        return put(o, "\\z");
    case GRE_WB: /* ASCII word characters only, as Go's \b */
        return put(o, "(?:(?<=" WORD ")(?!" WORD ")|(?<!" WORD ")(?=" WORD "))");
    case GRE_NWB:
        return put(o, "(?:(?<=" WORD ")(?=" WORD ")|(?<!" WORD ")(?!" WORD "))");
    case GRE_CAP:
        return put(o, OPEN) && emit_node(o, n->sub[0]) && put(o, ")");
    case GRE_STAR:
    case GRE_PLUS:
    case GRE_QUEST:
    case GRE_REPEAT:
        return emit_repeat(o, n);
    case GRE_CONCAT:
        for (size_t i = 0; i < n->nsub; i++) {
            const struct gre_node *s = n->sub[i];
            bool wrap = s->op == GRE_ALT;
            if ((wrap && !put(o, OPEN)) || !emit_node(o, s) || (wrap && !put(o, ")")))
                return false;
        }
        return true;
    case GRE_ALT:
        if (!put(o, OPEN))
            return false;
        for (size_t i = 0; i < n->nsub; i++) {
            if ((i && !put(o, "|")) || !emit_node(o, n->sub[i]))
                return false;
        }
        return put(o, ")");
    }
    return false;
}

bool cmn_gre_emit(const struct gre_node *root, struct cmn_buf *out)
{
    return emit_node(out, root);
}
