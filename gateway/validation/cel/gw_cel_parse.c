/* gw_cel_parse.c - CEL parser: recursive descent over cel-go's grammar, macros expanded here. */
#include "gw_cel_lex.h"

#include "cmn_go_json.h"

#include <stdio.h>
#include <string.h>

struct parser {
    struct gw_cel_program *p;
    const char *s;
    size_t n;
    struct cel_token tok;
    struct gw_cel_diag *diag;
    enum gw_cel_status status;
    uint32_t nest, max_depth, nodes, max_nodes;
    uint32_t neg_pos; /* where the '-' of a signed literal was */
    bool backtick;
};

static const char *const RESERVED[] = {
    "as",  "break", "const",   "continue",  "else",   "for", "function", "if",    "import",
    "let", "loop",  "package", "namespace", "return", "var", "void",     "while",
};

static void advance(struct parser *ps)
{
    cel_lex(ps->s, ps->n, ps->tok.pos + ps->tok.len, &ps->tok);
}

static void *fail(struct parser *ps, uint32_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void *fail(struct parser *ps, uint32_t pos, const char *fmt, ...)
{
    va_list ap;

    if (ps->status == GW_CEL_OK) {
        ps->status = GW_CEL_ERR_PARSE;
        va_start(ap, fmt);
        cel_vdiag_at(ps->p, pos, ps->diag, fmt, ap);
        va_end(ap);
    }
    return NULL;
}

static void *unexpected(struct parser *ps, const char *expecting)
{
    const struct cel_token *t = &ps->tok;
    int len = (int)(t->len > 40 ? 40 : t->len);

    if (t->type == T_EOF)
        return fail(ps, t->pos, "Syntax error: mismatched input '<EOF>' expecting %s", expecting);
    if (t->type == T_UNTERMINATED)
        return fail(ps, t->pos, "Syntax error: token recognition error: unterminated string");
    if (t->type == T_ERROR)
        return fail(ps, t->pos, "Syntax error: token recognition error at: '%c'", ps->s[t->pos]);
    return fail(ps, t->pos, "Syntax error: mismatched input '%.*s' expecting %s", len,
                ps->s + t->pos, expecting);
}

static bool expect(struct parser *ps, enum cel_tok type, const char *what)
{
    if (ps->tok.type != type) {
        unexpected(ps, what);
        return false;
    }
    advance(ps);
    return true;
}

static struct cel_node *new_node(struct parser *ps, enum cel_node_kind kind, uint32_t pos)
{
    struct cel_node *n;

    if (++ps->nodes > ps->max_nodes)
        return fail(ps, pos, "expression too complex: more than %u nodes", ps->max_nodes);
    n = cel_alloc(&ps->p->arena, sizeof(*n));
    if (!n) {
        ps->status = GW_CEL_ERR_NOMEM;
        return NULL;
    }
    n->kind = (uint8_t)kind;
    n->pos = pos;
    n->id = ps->nodes;
    n->depth = 1;
    return n;
}

/* Records the height of n from its children; refuses trees deeper than the cap. */
static struct cel_node *seal(struct parser *ps, struct cel_node *n, struct cel_node *const *kids,
                             size_t nk)
{
    uint32_t d = 0;

    for (size_t i = 0; i < nk; i++)
        if (kids[i] && kids[i]->depth > d)
            d = kids[i]->depth;
    n->depth = d + 1;
    if (n->depth > ps->max_depth)
        return fail(ps, n->pos, "expression nesting exceeds the limit of %u", ps->max_depth);
    return n;
}

static struct cel_node **node_array(struct parser *ps, size_t n)
{
    struct cel_node **a = cel_alloc(&ps->p->arena, (n ? n : 1) * sizeof(*a));

    if (!a)
        ps->status = GW_CEL_ERR_NOMEM;
    return a;
}

static struct cel_node *mk_call(struct parser *ps, const char *name, uint32_t pos, bool member,
                                struct cel_node **args, size_t nargs)
{
    struct cel_node *n;

    for (size_t i = 0; i < nargs; i++)
        if (!args[i])
            return NULL;
    n = new_node(ps, N_CALL, pos);
    if (!n)
        return NULL;
    n->u.call.name = name;
    n->u.call.len = (uint32_t)strlen(name);
    n->u.call.nargs = (uint32_t)nargs;
    n->u.call.args = node_array(ps, nargs);
    if (!n->u.call.args)
        return NULL;
    memcpy(n->u.call.args, args, nargs * sizeof(*args));
    n->member = member;
    n->op = (uint8_t)cel_fn_lookup(name, n->u.call.len);
    return seal(ps, n, args, nargs);
}

static struct cel_node *call2(struct parser *ps, const char *op, uint32_t pos, struct cel_node *a,
                              struct cel_node *b)
{
    struct cel_node *args[2] = {a, b};
    return mk_call(ps, op, pos, false, args, 2);
}

static struct cel_node *parse_expr(struct parser *ps);

/* ---- macros --------------------------------------------------------------------------------- */

static struct cel_node *expand_has(struct parser *ps, struct cel_node *arg)
{
    if (arg->kind != N_SELECT || arg->op != 0)
        return fail(ps, arg->pos, "invalid argument to has() macro");
    arg->op = 1;
    return arg;
}

static int macro_kind(const char *name, size_t len, size_t nargs)
{
    if (nargs == 2 && len == 3 && memcmp(name, "all", 3) == 0)
        return C_ALL;
    if (nargs == 2 && len == 6 && memcmp(name, "exists", 6) == 0)
        return C_EXISTS;
    if (nargs == 2 && ((len == 10 && memcmp(name, "exists_one", 10) == 0) ||
                       (len == 9 && memcmp(name, "existsOne", 9) == 0)))
        return C_EXISTS_ONE;
    if ((nargs == 2 || nargs == 3) && len == 3 && memcmp(name, "map", 3) == 0)
        return nargs == 2 ? C_MAP : C_MAP_FILTER;
    if (nargs == 2 && len == 6 && memcmp(name, "filter", 6) == 0)
        return C_FILTER;
    return -1;
}

static struct cel_node *expand_comprehension(struct parser *ps, int kind, uint32_t pos,
                                             struct cel_node *target, struct cel_node **args,
                                             size_t nargs)
{
    struct cel_node *v = args[0], *n, *kids[3];

    if (v->kind != N_IDENT || v->member)
        return fail(ps, v->pos, "%s",
                    kind == C_MAP || kind == C_MAP_FILTER || kind == C_FILTER
                        ? "argument is not an identifier"
                        : "argument must be a simple name");
    if (v->u.id.len == 10 && memcmp(v->u.id.name, "__result__", 10) == 0)
        return fail(ps, v->pos, "iteration variable overwrites accumulator variable");
    n = new_node(ps, N_COMP, pos);
    if (!n)
        return NULL;
    n->op = (uint8_t)kind;
    n->u.comp.range = target;
    n->u.comp.var = v->u.id.name;
    n->u.comp.len = v->u.id.len;
    n->u.comp.a = args[1];
    n->u.comp.b = nargs == 3 ? args[2] : NULL;
    kids[0] = target;
    kids[1] = args[1];
    kids[2] = n->u.comp.b;
    return seal(ps, n, kids, 3);
}

/* ---- postfix and calls ---------------------------------------------------------------------- */

/* '(' [expr {',' expr}] ')' with room for a target in slot 0 when member. */
static struct cel_node **parse_args(struct parser *ps, struct cel_node *target, size_t *nargs)
{
    struct cel_node *buf[64], **out;
    size_t n = 0;

    if (target)
        buf[n++] = target;
    advance(ps); /* ( */
    if (ps->tok.type != T_RPAREN) {
        for (;;) {
            if (n >= sizeof(buf) / sizeof(buf[0]))
                return fail(ps, ps->tok.pos, "too many call arguments");
            buf[n] = parse_expr(ps);
            if (!buf[n++])
                return NULL;
            if (ps->tok.type != T_COMMA)
                break;
            advance(ps);
        }
    }
    if (!expect(ps, T_RPAREN, "')'"))
        return NULL;
    out = node_array(ps, n);
    if (out)
        memcpy(out, buf, n * sizeof(*buf));
    *nargs = n;
    return out;
}

static struct cel_node *parse_member_call(struct parser *ps, struct cel_node *target,
                                          const char *name, size_t len)
{
    uint32_t pos = ps->tok.pos;
    size_t nargs = 0;
    struct cel_node **args = parse_args(ps, target, &nargs);
    char *fname;
    int kind;

    if (!args)
        return NULL;
    kind = macro_kind(name, len, nargs - 1);
    if (kind >= 0)
        return expand_comprehension(ps, kind, pos, target, args + 1, nargs - 1);
    fname = cel_strdup(&ps->p->arena, name, len);
    if (!fname) {
        ps->status = GW_CEL_ERR_NOMEM;
        return NULL;
    }
    return mk_call(ps, fname, pos, true, args, nargs);
}

static struct cel_node *mk_select(struct parser *ps, struct cel_node *operand, uint32_t pos,
                                  const char *field, size_t len)
{
    struct cel_node *n = new_node(ps, N_SELECT, pos);

    if (!n)
        return NULL;
    n->u.sel.operand = operand;
    n->u.sel.field = field;
    n->u.sel.len = (uint32_t)len;
    return seal(ps, n, &operand, 1);
}

static struct cel_node *parse_dot(struct parser *ps, struct cel_node *operand)
{
    uint32_t dot = ps->tok.pos;
    struct cel_token id;

    advance(ps);
    id = ps->tok;
    if (id.type == T_QUESTION)
        return fail(ps, dot, "unsupported syntax '.?'");
    if (id.type == T_ESCIDENT) {
        if (!ps->backtick)
            return fail(ps, id.pos, "unsupported syntax: '`'");
        advance(ps);
        return mk_select(ps, operand, dot, ps->s + id.pos + 1, id.len - 2);
    }
    if (id.type != T_IDENT)
        return unexpected(ps, "IDENTIFIER");
    advance(ps);
    if (ps->tok.type == T_LPAREN)
        return parse_member_call(ps, operand, ps->s + id.pos, id.len);
    return mk_select(ps, operand, dot, ps->s + id.pos, id.len);
}

static struct cel_node *parse_primary(struct parser *ps, bool negative);

static struct cel_node *parse_member(struct parser *ps, bool negative)
{
    struct cel_node *n = parse_primary(ps, negative);

    while (n) {
        if (ps->tok.type == T_DOT) {
            n = parse_dot(ps, n);
        } else if (ps->tok.type == T_LBRACKET) {
            uint32_t pos = ps->tok.pos;
            struct cel_node *idx;
            advance(ps);
            if (ps->tok.type == T_QUESTION)
                return fail(ps, pos, "unsupported syntax '[?'");
            idx = parse_expr(ps);
            if (!idx || !expect(ps, T_RBRACKET, "']'"))
                return NULL;
            n = call2(ps, "_[_]", pos, n, idx);
        } else {
            break;
        }
    }
    return n;
}

/* ---- primaries ------------------------------------------------------------------------------ */

static struct cel_node *parse_literal(struct parser *ps, bool negative, uint32_t pos)
{
    struct cel_token t = ps->tok;
    struct cel_node *n = new_node(ps, N_LIT, pos);
    const char *s = ps->s + t.pos, *msg = NULL;
    int rc = 0;

    if (!n)
        return NULL;
    switch (t.type) {
    case T_INT:
        n->u.lit = gw_cel_int(0);
        rc = cel_lit_int(s, t.len, negative, &n->u.lit.v.i);
        msg = "invalid int literal";
        break;
    case T_UINT:
        n->u.lit = gw_cel_uint(0);
        rc = cel_lit_uint(s, t.len, &n->u.lit.v.u);
        msg = "invalid uint literal";
        break;
    case T_DOUBLE:
        n->u.lit = gw_cel_double(0);
        rc = cel_lit_double(s, t.len, negative, &n->u.lit.v.d);
        msg = "invalid double literal";
        break;
    case T_STRING:
    case T_BYTES:
        rc = cel_lit_string(&ps->p->arena, s, t.len, t.type == T_BYTES, &n->u.lit, &msg);
        break;
    case T_TRUE:
    case T_FALSE:
        n->u.lit = gw_cel_bool(t.type == T_TRUE);
        break;
    default:
        n->u.lit = gw_cel_null();
        break;
    }
    if (rc)
        return fail(ps, pos, "%s", msg);
    advance(ps);
    return n;
}

static bool is_reserved(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof(RESERVED) / sizeof(RESERVED[0]); i++)
        if (strlen(RESERVED[i]) == len && memcmp(RESERVED[i], s, len) == 0)
            return true;
    return false;
}

/* IDENT {'.' IDENT} '{' ahead? Then this is a message literal. */
static bool message_ahead(struct parser *ps)
{
    struct cel_token t = ps->tok;

    for (;;) {
        cel_lex(ps->s, ps->n, t.pos + t.len, &t);
        if (t.type == T_LBRACE)
            return true;
        if (t.type != T_DOT)
            return false;
        cel_lex(ps->s, ps->n, t.pos + t.len, &t);
        if (t.type != T_IDENT)
            return false;
    }
}

static struct cel_node *parse_message(struct parser *ps, uint32_t pos)
{
    struct cel_node *n = new_node(ps, N_STRUCT, pos), *kids[64];
    size_t nk = 0;

    while (n && ps->tok.type != T_LBRACE)
        advance(ps);
    if (!n)
        return NULL;
    advance(ps);
    while (ps->tok.type != T_RBRACE) {
        if (ps->tok.type == T_QUESTION)
            return fail(ps, ps->tok.pos, "unsupported syntax '?'");
        if (ps->tok.type != T_IDENT && ps->tok.type != T_ESCIDENT)
            return unexpected(ps, "IDENTIFIER");
        advance(ps);
        if (!expect(ps, T_COLON, "':'"))
            return NULL;
        if (nk >= sizeof(kids) / sizeof(kids[0]))
            return fail(ps, ps->tok.pos, "too many message fields");
        kids[nk] = parse_expr(ps);
        if (!kids[nk++])
            return NULL;
        if (ps->tok.type != T_COMMA)
            break;
        advance(ps);
    }
    if (!expect(ps, T_RBRACE, "'}'"))
        return NULL;
    return seal(ps, n, kids, nk);
}

static struct cel_node *parse_ident(struct parser *ps)
{
    bool dot = ps->tok.type == T_DOT;
    uint32_t pos = ps->tok.pos;
    struct cel_token id;
    struct cel_node *n;

    if (dot)
        advance(ps);
    id = ps->tok;
    if (id.type != T_IDENT)
        return unexpected(ps, "IDENTIFIER");
    if (message_ahead(ps))
        return parse_message(ps, pos);
    advance(ps);
    if (is_reserved(ps->s + id.pos, id.len))
        return fail(ps, id.pos, "reserved identifier: %.*s", (int)id.len, ps->s + id.pos);
    if (ps->tok.type == T_LPAREN) {
        uint32_t open = ps->tok.pos;
        size_t nargs = 0;
        struct cel_node **args = parse_args(ps, NULL, &nargs);
        char *name;
        if (!args)
            return NULL;
        if (!dot && nargs == 1 && id.len == 3 && memcmp(ps->s + id.pos, "has", 3) == 0)
            return expand_has(ps, args[0]);
        name = cel_strdup(&ps->p->arena, ps->s + id.pos, id.len);
        if (!name) {
            ps->status = GW_CEL_ERR_NOMEM;
            return NULL;
        }
        return mk_call(ps, name, open, false, args, nargs);
    }
    n = new_node(ps, N_IDENT, id.pos);
    if (n) {
        n->u.id.name = ps->s + id.pos;
        n->u.id.len = id.len;
        n->member = dot;
    }
    return n;
}

/* Comma-separated expressions up to close (a trailing comma allowed); map entries when map. */
static struct cel_node *parse_aggregate(struct parser *ps, enum cel_node_kind kind,
                                        enum cel_tok close)
{
    struct cel_node *n = new_node(ps, kind, ps->tok.pos), **items = NULL;
    size_t count = 0, cap = 0, per = kind == N_MAP ? 2 : 1;

    if (!n)
        return NULL;
    advance(ps);
    while (ps->tok.type != close) {
        if (ps->tok.type == T_QUESTION)
            return fail(ps, ps->tok.pos, "unsupported syntax '?'");
        if (count + per > cap) {
            struct cel_node **grown = node_array(ps, cap ? cap * 2 : 8);
            if (!grown)
                return NULL;
            if (count)
                memcpy(grown, items, count * sizeof(*items));
            items = grown;
            cap = cap ? cap * 2 : 8;
        }
        items[count] = parse_expr(ps);
        if (!items[count++])
            return NULL;
        if (per == 2) {
            if (!expect(ps, T_COLON, "':'"))
                return NULL;
            items[count] = parse_expr(ps);
            if (!items[count++])
                return NULL;
        }
        if (ps->tok.type != T_COMMA)
            break;
        advance(ps);
    }
    if (!expect(ps, close, close == T_RBRACKET ? "']'" : "'}'"))
        return NULL;
    n->u.agg.n = (uint32_t)(count / per);
    n->u.agg.items = items;
    return seal(ps, n, items, count);
}

static struct cel_node *parse_primary(struct parser *ps, bool negative)
{
    uint32_t pos = ps->tok.pos;
    struct cel_node *e;

    if (negative) /* the '-' was consumed: the literal starts there */
        return parse_literal(ps, true, ps->neg_pos);
    switch (ps->tok.type) {
    case T_DOT:
    case T_IDENT:
        return parse_ident(ps);
    case T_LPAREN:
        advance(ps);
        e = parse_expr(ps);
        if (!e || !expect(ps, T_RPAREN, "')'"))
            return NULL;
        return e;
    case T_LBRACKET:
        return parse_aggregate(ps, N_LIST, T_RBRACKET);
    case T_LBRACE:
        return parse_aggregate(ps, N_MAP, T_RBRACE);
    case T_INT:
    case T_UINT:
    case T_DOUBLE:
    case T_STRING:
    case T_BYTES:
    case T_TRUE:
    case T_FALSE:
    case T_NULL:
        return parse_literal(ps, false, pos);
    default:
        return unexpected(ps, "an expression");
    }
}

/* ---- operators ------------------------------------------------------------------------------ */

static struct cel_node *parse_unary(struct parser *ps)
{
    enum cel_tok op = (enum cel_tok)ps->tok.type;
    uint32_t pos = ps->tok.pos, count = 0;
    struct cel_node *m, *args[1];
    struct cel_token next;

    if (op != T_NOT && op != T_MINUS)
        return parse_member(ps, false);
    while (ps->tok.type == op) {
        count++;
        advance(ps);
    }
    /* "-1": cel-go's grammar makes a single '-' before a number part of the literal. */
    next = ps->tok;
    if (op == T_MINUS && count == 1 && (next.type == T_INT || next.type == T_DOUBLE)) {
        ps->neg_pos = pos;
        return parse_member(ps, true);
    }
    m = parse_member(ps, false);
    if (!m || count % 2 == 0)
        return m;
    args[0] = m;
    return mk_call(ps, op == T_NOT ? "!_" : "-_", pos, false, args, 1);
}

static const char *binop_name(enum cel_tok t, int level)
{
    static const struct {
        enum cel_tok tok;
        int level;
        const char *name;
    } OPS[] = {
        {T_STAR, 0, "_*_"},  {T_SLASH, 0, "_/_"}, {T_PERCENT, 0, "_%_"}, {T_PLUS, 1, "_+_"},
        {T_MINUS, 1, "_-_"}, {T_EQ, 2, "_==_"},   {T_NE, 2, "_!=_"},     {T_LT, 2, "_<_"},
        {T_LE, 2, "_<=_"},   {T_GT, 2, "_>_"},    {T_GE, 2, "_>=_"},     {T_IN, 2, "@in"},
        {T_AND, 3, "_&&_"},  {T_OR, 4, "_||_"},
    };

    for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++)
        if (OPS[i].tok == t && OPS[i].level == level)
            return OPS[i].name;
    return NULL;
}

/* Left-associative binary levels: 0 = * / %, 1 = + -, 2 = relations, 3 = &&, 4 = ||. */
static struct cel_node *parse_binary(struct parser *ps, int level)
{
    struct cel_node *l = level ? parse_binary(ps, level - 1) : parse_unary(ps);
    const char *name;

    while (l && (name = binop_name((enum cel_tok)ps->tok.type, level)) != NULL) {
        uint32_t pos = ps->tok.pos;
        struct cel_node *r;
        advance(ps);
        r = level ? parse_binary(ps, level - 1) : parse_unary(ps);
        l = r ? call2(ps, name, pos, l, r) : NULL;
    }
    return l;
}

static struct cel_node *parse_expr(struct parser *ps)
{
    struct cel_node *c, *args[3];
    uint32_t pos;

    if (++ps->nest > ps->max_depth)
        return fail(ps, ps->tok.pos, "expression recursion limit exceeded: %u", ps->max_depth);
    c = parse_binary(ps, 4);
    if (c && ps->tok.type == T_QUESTION) {
        pos = ps->tok.pos;
        advance(ps);
        args[0] = c;
        args[1] = parse_binary(ps, 4);
        if (!args[1] || !expect(ps, T_COLON, "':'"))
            return NULL;
        args[2] = parse_expr(ps);
        c = args[2] ? mk_call(ps, "_?_:_", pos, false, args, 3) : NULL;
    }
    ps->nest--;
    return c;
}

enum gw_cel_status cel_parse(struct gw_cel_program *p, struct gw_cel_diag *diag)
{
    const struct gw_cel_options *o = &p->env->opt;
    struct parser ps = {
        .p = p,
        .s = p->src,
        .n = p->src_len,
        .diag = diag,
        .max_depth = o->max_depth,
        .max_nodes = o->max_nodes,
        .backtick = o->backtick_idents,
    };
    size_t cps;

    if (!cmn_go_utf8_valid(p->src, p->src_len)) {
        fail(&ps, 0, "expression is not valid UTF-8");
        return ps.status;
    }
    cps = cmn_go_utf8_count(p->src, p->src_len);
    if (cps > o->max_expr_codepoints) {
        fail(&ps, 0, "expression code point size exceeds limit: size: %zu, limit %zu", cps,
             o->max_expr_codepoints);
        return ps.status;
    }
    cel_lex(ps.s, ps.n, 0, &ps.tok);
    p->root = parse_expr(&ps);
    if (p->root && ps.tok.type != T_EOF)
        unexpected(&ps, "<EOF>");
    p->n_nodes = ps.nodes;
    if (ps.status != GW_CEL_OK)
        p->root = NULL;
    return ps.status;
}
