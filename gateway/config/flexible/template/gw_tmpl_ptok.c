/* gw_tmpl_ptok.c - parser support: Go's three-token lookahead over the lexer, its error texts
 * (with the line and column), node allocation with the set's node cap, and variable scopes. */
#include "gw_tmpl_parse_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---- */

void tp_perrorf_at(struct parser *p, size_t pos, int line, const char *fmt, ...)
{
    char msg[CMN_ERR_MSG_MAX];
    size_t col = pos, i = pos;
    va_list ap;

    if (p->failed)
        return;
    p->failed = true;
    if (p->status == GW_TMPL_OK)
        p->status = GW_TMPL_PARSE;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (i > p->src->len)
        i = p->src->len;
    while (i > 0 && p->src->text[i - 1] != '\n')
        i--;
    col = pos >= i ? pos - i : 0;
    cmn_err_set(p->err, p->status, "template: %s:%d:%zu: %s", p->src->name, line, col, msg);
}

void tp_limit(struct parser *p, const char *what)
{
    p->status = GW_TMPL_LIMIT;
    perrorf(p, "%s", what);
}

/* Go's item.String(): EOF, an error's text, <keyword>, or the quoted value (10 runes at most). */
void tp_tok_string(const struct tok *t, char *out, size_t sz)
{
    struct cmn_buf b;
    size_t n = t->len, runes = 0, i = 0;

    if (t->type == TK_EOF) {
        snprintf(out, sz, "EOF");
        return;
    }
    if (t->type == TK_ERROR || t->type > TK_KEYWORD) {
        snprintf(out, sz, t->type == TK_ERROR ? "%.*s" : "<%.*s>", (int)n, t->val);
        return;
    }
    while (i < n && runes < 10) {
        uint32_t r;
        i += tutf8_decode(t->val + i, n - i, &r);
        runes++;
    }
    cmn_buf_init(&b, sz > 4 ? sz - 4 : 0);
    (void)tfmt_quote(&b, t->val, i, '"');
    snprintf(out, sz, "%s%s", cmn_buf_str(&b), i < n ? "..." : "");
    cmn_buf_free(&b);
}

void tp_node_str(const struct node *n, char *out, size_t sz)
{
    struct cmn_buf b;

    cmn_buf_init(&b, sz - 1);
    tnode_string(n, &b);
    snprintf(out, sz, "%s", cmn_buf_str(&b));
    cmn_buf_free(&b);
}

/* ---- tokens ---- */

struct tok tp_next(struct parser *p)
{
    if (p->peek_count > 0)
        p->peek_count--;
    else
        p->token[0] = tlex_next(&p->lex);
    return p->token[p->peek_count];
}

void tp_backup(struct parser *p)
{
    p->peek_count++;
}

void tp_backup2(struct parser *p, struct tok t1)
{
    p->token[1] = t1;
    p->peek_count = 2;
}

void tp_backup3(struct parser *p, struct tok t2, struct tok t1)
{
    p->token[1] = t1;
    p->token[2] = t2;
    p->peek_count = 3;
}

struct tok tp_peek(struct parser *p)
{
    if (p->peek_count > 0)
        return p->token[p->peek_count - 1];
    p->peek_count = 1;
    p->token[0] = tlex_next(&p->lex);
    return p->token[0];
}

struct tok tp_next_non_space(struct parser *p)
{
    struct tok t;

    do
        t = tp_next(p);
    while (t.type == TK_SPACE);
    return t;
}

struct tok tp_peek_non_space(struct parser *p)
{
    struct tok t = tp_next_non_space(p);

    tp_backup(p);
    return t;
}

void tp_unexpected(struct parser *p, const struct tok *t, const char *context)
{
    char ts[64];

    tp_tok_string(t, ts, sizeof(ts));
    if (t->type == TK_ERROR) {
        char extra[160] = "";
        if (p->action_line != 0 && p->action_line != t->line) {
            bool action = t->len >= 7 && memcmp(t->val + t->len - 7, " action", 7) == 0;
            snprintf(extra, sizeof(extra), "%s started at %s:%d", action ? "" : " in action",
                     p->src->name, p->action_line);
        }
        perrorf(p, "%s%s", ts, extra);
        return;
    }
    perrorf(p, "unexpected %s in %s", ts, context);
}

bool tp_expect(struct parser *p, enum tok_type want, const char *context, struct tok *out)
{
    struct tok t = tp_next_non_space(p);

    if (t.type != want) {
        tp_unexpected(p, &t, context);
        return false;
    }
    if (out)
        *out = t;
    return true;
}

/* ---- nodes ---- */

struct node *tp_new_node(struct parser *p, enum node_type type, size_t pos, int line)
{
    struct node *n;

    if (p->set->nodes + p->nodes >= p->set->lim.max_nodes) {
        tp_limit(p, "too many template nodes");
        return NULL;
    }
    n = tarena_alloc(p->a, sizeof(*n));
    if (!n) {
        p->status = GW_TMPL_NOMEM;
        perrorf(p, "out of memory");
        return NULL;
    }
    p->nodes++;
    memset(n, 0, sizeof(*n));
    n->type = type;
    n->pos = pos;
    n->line = line;
    n->src = p->src;
    return n;
}

/* Appends to a growable array of node pointers kept in the arena. */
bool tp_grow_append(struct parser *p, struct node ***v, size_t *n, size_t *cap, struct node *item)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        struct node **nv = tarena_alloc(p->a, nc * sizeof(*nv));
        if (!nv) {
            p->status = GW_TMPL_NOMEM;
            perrorf(p, "out of memory");
            return false;
        }
        if (*n)
            memcpy(nv, *v, *n * sizeof(*nv));
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = item;
    return true;
}

bool tp_list_append(struct parser *p, struct node *list, struct node *item)
{
    return tp_grow_append(p, &list->u.list.v, &list->u.list.n, &list->u.list.cap, item);
}

/* Splits "a.b.c" (after the leading '.' or with the leading "$x") into identifiers. */
struct tstr *tp_split_ids(struct parser *p, const char *s, size_t n, size_t *count)
{
    size_t k = 1;
    struct tstr *ids;
    size_t start = 0, j = 0;

    for (size_t i = 0; i < n; i++)
        k += s[i] == '.';
    ids = tarena_alloc(p->a, k * sizeof(*ids));
    if (!ids) {
        p->status = GW_TMPL_NOMEM;
        perrorf(p, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            ids[j].p = s + start;
            ids[j].n = i - start;
            j++;
            start = i + 1;
        }
    }
    *count = k;
    return ids;
}

/* A FIELD or VARIABLE node from text such as ".a.b" or "$x.a" (text in the arena or source). */
struct node *tp_new_ident_node(struct parser *p, enum node_type type, size_t pos, int line,
                               const char *s, size_t n)
{
    struct node *nd = tp_new_node(p, type, pos, line);

    if (!nd)
        return NULL;
    if (type == NT_FIELD) {
        s++;
        n--;
    }
    nd->u.field.ids = tp_split_ids(p, s, n, &nd->u.field.n);
    return nd->u.field.ids ? nd : NULL;
}

/* ---- variables ---- */

bool tp_push_var(struct parser *p, const char *s, size_t n)
{
    if (p->nvars == p->cap_vars) {
        size_t nc = p->cap_vars ? p->cap_vars * 2 : 16;
        struct tstr *nv = realloc(p->vars, nc * sizeof(*nv));
        if (!nv) {
            p->status = GW_TMPL_NOMEM;
            perrorf(p, "out of memory");
            return false;
        }
        p->vars = nv;
        p->cap_vars = nc;
    }
    p->vars[p->nvars].p = s;
    p->vars[p->nvars].n = n;
    p->nvars++;
    return true;
}

struct node *tp_use_var(struct parser *p, const struct tok *t)
{
    struct node *v = tp_new_ident_node(p, NT_VARIABLE, t->pos, t->line, t->val, t->len);

    if (!v)
        return NULL;
    for (size_t i = p->vars_base; i < p->nvars; i++) {
        const struct tstr *name = &v->u.field.ids[0];
        if (p->vars[i].n == name->n && memcmp(p->vars[i].p, name->p, name->n) == 0)
            return v;
    }
    perrorf(p, "undefined variable \"%.*s\"", (int)v->u.field.ids[0].n, v->u.field.ids[0].p);
    return NULL;
}
