/* gw_tmpl_parse.c - the template parser: Go's text/template/parse grammar (pipelines, variables,
 * if/else if/range/with/else with, break/continue, define/template/block, parentheses, field
 * chains) with its error texts, plus the template set and Go's rules for redefinitions. */
#include "gw_tmpl_parse_int.h"

#include "cmn_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- grammar ---- */

static struct node *pipeline(struct parser *p, const char *context, enum tok_type end);
static struct node *item_list(struct parser *p, struct node **endp);
static struct node *text_or_action(struct parser *p);
static struct node *if_control(struct parser *p);
static struct node *with_control(struct parser *p);

static struct node *term(struct parser *p)
{
    struct tok t = tp_next_non_space(p);
    struct node *n;
    char buf[128];

    switch (t.type) {
    case TK_IDENTIFIER:
        if (!tfn_find(p->set, t.val, t.len)) {
            perrorf(p, "function \"%.*s\" not defined", (int)t.len, t.val);
            return NULL;
        }
        n = tp_new_node(p, NT_IDENT, t.pos, t.line);
        if (n)
            n->u.text = (struct tstr){t.val, t.len};
        return n;
    case TK_DOT:
        return tp_new_node(p, NT_DOT, t.pos, t.line);
    case TK_NIL:
        return tp_new_node(p, NT_NIL, t.pos, t.line);
    case TK_VARIABLE:
        return tp_use_var(p, &t);
    case TK_FIELD:
        return tp_new_ident_node(p, NT_FIELD, t.pos, t.line, t.val, t.len);
    case TK_BOOL:
        n = tp_new_node(p, NT_BOOL, t.pos, t.line);
        if (n)
            n->u.b = t.len == 4;
        return n;
    case TK_CHAR_CONSTANT:
    case TK_COMPLEX:
    case TK_NUMBER: {
        struct tnumber num;
        const char *e = tparse_number(t.val, t.len, t.type, &num, buf, sizeof(buf));
        if (e) {
            perrorf(p, "%s", e);
            return NULL;
        }
        n = tp_new_node(p, NT_NUMBER, t.pos, t.line);
        if (n) {
            n->u.num.v = num;
            n->u.num.text = (struct tstr){t.val, t.len};
        }
        return n;
    }
    case TK_LEFT_PAREN:
        if (p->paren_depth >= p->set->lim.max_nesting) {
            tp_limit(p, "max expression depth exceeded");
            return NULL;
        }
        p->paren_depth++;
        n = pipeline(p, "parenthesized pipeline", TK_RIGHT_PAREN);
        p->paren_depth--;
        return n;
    case TK_STRING:
    case TK_RAW_STRING:
        n = tp_new_node(p, NT_STRING, t.pos, t.line);
        if (!n)
            return NULL;
        n->u.str.quoted = (struct tstr){t.val, t.len};
        if (!tunquote(p->a, t.val, t.len, &n->u.str.text)) {
            perrorf(p, "invalid syntax");
            return NULL;
        }
        return n;
    default:
        tp_backup(p);
        return NULL;
    }
}

static bool chain_add(struct parser *p, struct cmn_buf *b, const struct tok *f)
{
    if (cmn_buf_append(b, f->val, f->len) != CMN_BUF_OK) {
        p->status = GW_TMPL_NOMEM;
        perrorf(p, "out of memory");
        return false;
    }
    return true;
}

static struct node *operand(struct parser *p)
{
    struct node *node = term(p);
    struct cmn_buf b;
    size_t chain_pos;
    int chain_line;
    struct node *res = NULL;

    if (!node || p->failed || tp_peek(p).type != TK_FIELD)
        return node;
    chain_pos = tp_peek(p).pos;
    chain_line = tp_peek(p).line;
    cmn_buf_init(&b, p->src->len + 2);
    if (node->type == NT_FIELD || node->type == NT_VARIABLE)
        tnode_string(node, &b);
    while (tp_peek(p).type == TK_FIELD) {
        struct tok f = tp_next(p);
        if (!chain_add(p, &b, &f))
            goto out;
    }
    switch (node->type) {
    case NT_FIELD:
    case NT_VARIABLE: {
        char *s = tarena_strdup(p->a, cmn_buf_str(&b), b.len);
        if (!s) {
            p->status = GW_TMPL_NOMEM;
            perrorf(p, "out of memory");
            goto out;
        }
        res = tp_new_ident_node(p, node->type, chain_pos, chain_line, s, b.len);
        break;
    }
    case NT_BOOL:
    case NT_STRING:
    case NT_NUMBER:
    case NT_NIL:
    case NT_DOT: {
        char ns[96];
        struct cmn_buf q;
        tp_node_str(node, ns, sizeof(ns));
        cmn_buf_init(&q, 200);
        (void)tfmt_quote(&q, ns, strlen(ns), '"');
        perrorf(p, "unexpected . after term %s", cmn_buf_str(&q));
        cmn_buf_free(&q);
        break;
    }
    default: {
        char *s = tarena_strdup(p->a, cmn_buf_str(&b), b.len);
        res = s ? tp_new_node(p, NT_CHAIN, chain_pos, chain_line) : NULL;
        if (!s && !p->failed) {
            p->status = GW_TMPL_NOMEM;
            perrorf(p, "out of memory");
        }
        if (res) {
            res->u.field.node = node;
            /* the fields text starts with '.': drop it and split */
            res->u.field.ids = tp_split_ids(p, s + 1, b.len - 1, &res->u.field.n);
            if (!res->u.field.ids)
                res = NULL;
        }
        break;
    }
    }
out:
    cmn_buf_free(&b);
    return res;
}

static struct node *command(struct parser *p)
{
    struct node *cmd =
        tp_new_node(p, NT_COMMAND, tp_peek_non_space(p).pos, tp_peek_non_space(p).line);

    if (!cmd)
        return NULL;
    for (;;) {
        struct node *op;
        struct tok t;
        (void)tp_peek_non_space(p);
        op = operand(p);
        if (p->failed)
            return NULL;
        if (op && !tp_list_append(p, cmd, op))
            return NULL;
        t = tp_next(p);
        if (t.type == TK_SPACE)
            continue;
        if (t.type == TK_RIGHT_DELIM || t.type == TK_RIGHT_PAREN) {
            tp_backup(p);
        } else if (t.type != TK_PIPE) {
            tp_unexpected(p, &t, "operand");
            return NULL;
        }
        break;
    }
    if (cmd->u.list.n == 0) {
        perrorf(p, "empty command");
        return NULL;
    }
    return cmd;
}

static bool check_pipeline(struct parser *p, struct node *pipe, const char *context)
{
    if (pipe->u.pipe.ncmds == 0) {
        perrorf(p, "missing value for %s", context);
        return false;
    }
    for (size_t i = 1; i < pipe->u.pipe.ncmds; i++) {
        switch (pipe->u.pipe.cmds[i]->u.list.v[0]->type) {
        case NT_BOOL:
        case NT_DOT:
        case NT_NIL:
        case NT_NUMBER:
        case NT_STRING:
            perrorf(p, "non executable command in pipeline stage %zu", i + 1);
            return false;
        default:
            break;
        }
    }
    return true;
}

static bool add_decl(struct parser *p, struct node *pipe, const struct tok *v)
{
    struct node *var = tp_new_ident_node(p, NT_VARIABLE, v->pos, v->line, v->val, v->len);

    if (!var ||
        !tp_grow_append(p, &pipe->u.pipe.decl, &pipe->u.pipe.ndecl, &pipe->u.pipe.cap_decl, var))
        return false;
    return tp_push_var(p, v->val, v->len);
}

static bool declarations(struct parser *p, struct node *pipe, const char *context)
{
    for (;;) {
        struct tok v = tp_peek_non_space(p), after, nx;
        if (v.type != TK_VARIABLE)
            return true;
        tp_next(p);
        after = tp_peek(p);
        nx = tp_peek_non_space(p);
        if (nx.type == TK_ASSIGN || nx.type == TK_DECLARE) {
            pipe->u.pipe.is_assign = nx.type == TK_ASSIGN;
            tp_next_non_space(p);
            return add_decl(p, pipe, &v);
        }
        if (nx.type == TK_CHAR && nx.len == 1 && nx.val[0] == ',') {
            tp_next_non_space(p);
            if (!add_decl(p, pipe, &v))
                return false;
            if (strcmp(context, "range") == 0 && pipe->u.pipe.ndecl < 2) {
                enum tok_type t = tp_peek_non_space(p).type;
                if (t == TK_VARIABLE || t == TK_RIGHT_DELIM || t == TK_RIGHT_PAREN)
                    continue;
                perrorf(p, "range can only initialize variables");
                return false;
            }
            perrorf(p, "too many declarations in %s", context);
            return false;
        }
        if (after.type == TK_SPACE)
            tp_backup3(p, v, after);
        else
            tp_backup2(p, v);
        return true;
    }
}

static struct node *pipeline(struct parser *p, const char *context, enum tok_type end)
{
    struct tok t = tp_peek_non_space(p);
    struct node *pipe = tp_new_node(p, NT_PIPE, t.pos, t.line);

    if (!pipe || !declarations(p, pipe, context))
        return NULL;
    for (;;) {
        t = tp_next_non_space(p);
        if (t.type == end)
            return check_pipeline(p, pipe, context) ? pipe : NULL;
        switch (t.type) {
        case TK_BOOL:
        case TK_CHAR_CONSTANT:
        case TK_COMPLEX:
        case TK_DOT:
        case TK_FIELD:
        case TK_IDENTIFIER:
        case TK_NUMBER:
        case TK_NIL:
        case TK_RAW_STRING:
        case TK_STRING:
        case TK_VARIABLE:
        case TK_LEFT_PAREN: {
            struct node *cmd;
            tp_backup(p);
            cmd = command(p);
            if (!cmd || !tp_grow_append(p, &pipe->u.pipe.cmds, &pipe->u.pipe.ncmds,
                                        &pipe->u.pipe.cap_cmds, cmd))
                return NULL;
            break;
        }
        default:
            tp_unexpected(p, &t, context);
            return NULL;
        }
    }
}

/* Parses {{if/range/with pipeline}} list [{{else}} list] {{end}}; the keyword is past. */
static struct node *parse_control(struct parser *p, enum node_type type, const char *context)
{
    size_t saved = p->nvars;
    struct node *n = NULL, *pipe, *list, *nx = NULL;

    if (p->nest >= p->set->lim.max_nesting) {
        tp_limit(p, "control structures nested too deeply");
        return NULL;
    }
    p->nest++;
    pipe = pipeline(p, context, TK_RIGHT_DELIM);
    if (!pipe)
        goto out;
    if (type == NT_RANGE)
        p->range_depth++;
    list = item_list(p, &nx);
    if (type == NT_RANGE)
        p->range_depth--;
    if (!list)
        goto out;
    n = tp_new_node(p, type, pipe->pos, pipe->line);
    if (!n)
        goto out;
    n->u.branch.pipe = pipe;
    n->u.branch.list = list;
    if (nx->type == NT_ELSE) {
        enum tok_type pk = tp_peek(p).type;
        if ((type == NT_IF && pk == TK_IF) || (type == NT_WITH && pk == TK_WITH)) {
            struct node *inner;
            tp_next(p);
            n->u.branch.else_list = tp_new_node(p, NT_LIST, nx->pos, nx->line);
            inner = type == NT_IF ? if_control(p) : with_control(p);
            if (!n->u.branch.else_list || !inner ||
                !tp_list_append(p, n->u.branch.else_list, inner))
                n = NULL;
        } else {
            struct node *end = NULL;
            n->u.branch.else_list = item_list(p, &end);
            if (!n->u.branch.else_list) {
                n = NULL;
            } else if (end->type != NT_END) {
                char es[32];
                tp_node_str(end, es, sizeof(es));
                perrorf(p, "expected end; found %s", es);
                n = NULL;
            }
        }
    }
out:
    p->nest--;
    p->nvars = saved;
    return p->failed ? NULL : n;
}

static struct node *if_control(struct parser *p)
{
    return parse_control(p, NT_IF, "if");
}

static struct node *with_control(struct parser *p)
{
    return parse_control(p, NT_WITH, "with");
}

static bool template_name(struct parser *p, const struct tok *t, const char *context,
                          struct tstr *name)
{
    if (t->type != TK_STRING && t->type != TK_RAW_STRING) {
        tp_unexpected(p, t, context);
        return false;
    }
    if (!tunquote(p->a, t->val, t->len, name)) {
        perrorf(p, "invalid syntax");
        return false;
    }
    return true;
}

/* Records a finished tree of this source (Go's Tree.add on the local tree set). */
static bool add_tree(struct parser *p, struct tstr name, struct node *root)
{
    for (size_t i = 0; i < p->ndefs; i++) {
        struct tparsed *d = &p->defs[i];
        if (d->name.n == name.n && memcmp(d->name.p, name.p, name.n) == 0) {
            if (tnode_is_empty_tree(d->root)) {
                d->root = root;
                return true;
            }
            if (!tnode_is_empty_tree(root)) {
                perrorf(p, "template: multiple definition of template \"%.*s\"", (int)name.n,
                        name.p);
                return false;
            }
            return true;
        }
    }
    if (p->ndefs == p->cap_defs) {
        size_t nc = p->cap_defs ? p->cap_defs * 2 : 8;
        struct tparsed *nd = realloc(p->defs, nc * sizeof(*nd));
        if (!nd) {
            p->status = GW_TMPL_NOMEM;
            perrorf(p, "out of memory");
            return false;
        }
        p->defs = nd;
        p->cap_defs = nc;
    }
    p->defs[p->ndefs++] = (struct tparsed){name, root};
    return true;
}

/* The body of a define or block: its own variables ($ only) and range depth. */
static struct node *sub_tree(struct parser *p, struct tstr name, const char *context)
{
    size_t saved_base = p->vars_base, saved_n = p->nvars;
    int saved_range = p->range_depth;
    struct node *root, *end = NULL;

    p->vars_base = p->nvars;
    p->range_depth = 0;
    if (!tp_push_var(p, "$", 1))
        return NULL;
    root = item_list(p, &end);
    p->vars_base = saved_base;
    p->nvars = saved_n;
    p->range_depth = saved_range;
    if (!root)
        return NULL;
    if (end->type != NT_END) {
        char es[32];
        tp_node_str(end, es, sizeof(es));
        perrorf(p, "unexpected %s in %s", es, context);
        return NULL;
    }
    return add_tree(p, name, root) ? root : NULL;
}

static struct node *block_control(struct parser *p)
{
    const char *context = "block clause";
    struct tok t = tp_next_non_space(p);
    struct tstr name;
    struct node *pipe, *n;

    if (!template_name(p, &t, context, &name))
        return NULL;
    pipe = pipeline(p, context, TK_RIGHT_DELIM);
    if (!pipe || !sub_tree(p, name, context))
        return NULL;
    n = tp_new_node(p, NT_TEMPLATE, t.pos, t.line);
    if (n) {
        n->u.tmpl.name = name;
        n->u.tmpl.pipe = pipe;
    }
    return n;
}

static struct node *template_control(struct parser *p)
{
    const char *context = "template clause";
    struct tok t = tp_next_non_space(p);
    struct tstr name;
    struct node *pipe = NULL, *n;

    if (!template_name(p, &t, context, &name))
        return NULL;
    if (tp_next_non_space(p).type != TK_RIGHT_DELIM) {
        tp_backup(p);
        pipe = pipeline(p, context, TK_RIGHT_DELIM);
        if (!pipe)
            return NULL;
    }
    n = tp_new_node(p, NT_TEMPLATE, t.pos, t.line);
    if (n) {
        n->u.tmpl.name = name;
        n->u.tmpl.pipe = pipe;
    }
    return n;
}

static struct node *loop_control(struct parser *p, const struct tok *kw, enum node_type type,
                                 const char *what)
{
    struct tok t = tp_next_non_space(p);

    if (t.type != TK_RIGHT_DELIM) {
        tp_unexpected(p, &t, what);
        return NULL;
    }
    if (p->range_depth == 0) {
        perrorf(p, "%s outside {{range}}", what);
        return NULL;
    }
    return tp_new_node(p, type, kw->pos, kw->line);
}

static struct node *action(struct parser *p)
{
    struct tok t = tp_next_non_space(p);
    struct node *pipe, *n;

    switch (t.type) {
    case TK_BLOCK:
        return block_control(p);
    case TK_BREAK:
        return loop_control(p, &t, NT_BREAK, "{{break}}");
    case TK_CONTINUE:
        return loop_control(p, &t, NT_CONTINUE, "{{continue}}");
    case TK_ELSE: {
        struct tok pk = tp_peek_non_space(p);
        if (pk.type == TK_IF || pk.type == TK_WITH)
            return tp_new_node(p, NT_ELSE, pk.pos, pk.line);
        if (!tp_expect(p, TK_RIGHT_DELIM, "else", &t))
            return NULL;
        return tp_new_node(p, NT_ELSE, t.pos, t.line);
    }
    case TK_END:
        if (!tp_expect(p, TK_RIGHT_DELIM, "end", &t))
            return NULL;
        return tp_new_node(p, NT_END, t.pos, t.line);
    case TK_IF:
        return if_control(p);
    case TK_RANGE:
        return parse_control(p, NT_RANGE, "range");
    case TK_TEMPLATE:
        return template_control(p);
    case TK_WITH:
        return with_control(p);
    default:
        break;
    }
    tp_backup(p);
    t = tp_peek(p);
    pipe = pipeline(p, "command", TK_RIGHT_DELIM);
    if (!pipe)
        return NULL;
    n = tp_new_node(p, NT_ACTION, t.pos, t.line);
    if (n)
        n->u.action = pipe;
    return n;
}

static struct node *text_or_action(struct parser *p)
{
    struct tok t = tp_next_non_space(p);
    struct node *n;

    switch (t.type) {
    case TK_TEXT:
        n = tp_new_node(p, NT_TEXT, t.pos, t.line);
        if (n)
            n->u.text = (struct tstr){t.val, t.len};
        return n;
    case TK_LEFT_DELIM:
        p->action_line = t.line;
        n = action(p);
        p->action_line = 0;
        return n;
    default:
        tp_unexpected(p, &t, "input");
        return NULL;
    }
}

static struct node *item_list(struct parser *p, struct node **endp)
{
    struct tok t = tp_peek_non_space(p);
    struct node *list = tp_new_node(p, NT_LIST, t.pos, t.line);

    if (!list)
        return NULL;
    while (tp_peek_non_space(p).type != TK_EOF) {
        struct node *n = text_or_action(p);
        if (!n)
            return NULL;
        if (n->type == NT_END || n->type == NT_ELSE) {
            *endp = n;
            return list;
        }
        if (!tp_list_append(p, list, n))
            return NULL;
    }
    perrorf(p, "unexpected EOF");
    return NULL;
}

static bool parse_definition(struct parser *p)
{
    const char *context = "define clause";
    struct tok t = tp_next_non_space(p);
    struct tstr name;

    if (t.type != TK_STRING && t.type != TK_RAW_STRING) {
        tp_unexpected(p, &t, context);
        return false;
    }
    if (!tunquote(p->a, t.val, t.len, &name)) {
        perrorf(p, "invalid syntax");
        return false;
    }
    if (!tp_expect(p, TK_RIGHT_DELIM, context, NULL))
        return false;
    return sub_tree(p, name, context) != NULL;
}

/* The top level: text, actions and {{define}}s up to EOF. */
static struct node *parse_top(struct parser *p)
{
    struct node *root = tp_new_node(p, NT_LIST, tp_peek(p).pos, tp_peek(p).line);

    if (!root)
        return NULL;
    while (tp_peek(p).type != TK_EOF) {
        struct node *n;
        if (tp_peek(p).type == TK_LEFT_DELIM) {
            struct tok delim = tp_next(p);
            if (tp_next_non_space(p).type == TK_DEFINE) {
                if (!parse_definition(p))
                    return NULL;
                continue;
            }
            tp_backup2(p, delim);
        }
        n = text_or_action(p);
        if (!n)
            return NULL;
        if (n->type == NT_END || n->type == NT_ELSE) {
            char ns[32];
            tp_node_str(n, ns, sizeof(ns));
            perrorf(p, "unexpected %s", ns);
            return NULL;
        }
        if (!tp_list_append(p, root, n))
            return NULL;
    }
    return root;
}

int gw_tmpl_parse(struct gw_tmpl_set *s, const char *name, const char *text, size_t len,
                  struct cmn_err *err)
{
    struct parser p;
    struct tsrc *src = NULL;
    struct node *root;
    int rc = GW_TMPL_NOMEM;

    memset(&p, 0, sizeof(p));
    cmn_err_clear(err);
    if (len > s->lim.max_source)
        return cmn_err_set(err, GW_TMPL_LIMIT, "template: %s: source of %zu bytes exceeds %zu",
                           name, len, s->lim.max_source);
    src = calloc(1, sizeof(*src));
    if (!src)
        goto nomem;
    tarena_init(&src->arena, SIZE_MAX / 4);
    src->name = cmn_strndup(name, strlen(name));
    src->text = cmn_strndup(text ? text : "", len);
    src->len = len;
    if (!src->name || !src->text)
        goto nomem;
    p.set = s;
    p.src = src;
    p.a = &src->arena;
    p.err = err;
    tlex_init(&p.lex, src->text, src->len);
    if (!tp_push_var(&p, "$", 1))
        goto fail;
    p.tree_name = (struct tstr){src->name, strlen(src->name)};
    root = parse_top(&p);
    if (!root || !add_tree(&p, p.tree_name, root))
        goto fail;
    if (!tset_commit(s, src, p.defs, p.ndefs, p.nodes))
        goto nomem;
    src = NULL;
    rc = GW_TMPL_OK;
    goto out;
nomem:
    rc = cmn_err_set(err, GW_TMPL_NOMEM, "template: %s: out of memory", name);
    goto out;
fail:
    rc = p.status ? p.status : GW_TMPL_PARSE;
out:
    tsrc_destroy(src);
    free(p.vars);
    free(p.defs);
    return rc;
}
