/* gw_tmpl_exec.c - executes a parsed template as Go's text/template does: walking text, actions,
 * if/with/range (with else, break, continue), {{template}} calls, pipelines and their variables,
 * and field chains on maps; with caps on output, steps, nesting and template depth. */
#include "gw_tmpl_exec_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WALK_NEST 1000

enum walk_rc { W_OK, W_BREAK, W_CONTINUE, W_ERR };

/* ---- errors and resources ---- */

static void location(const struct node *n, char *buf, size_t sz)
{
    const char *t = n->src->text;
    size_t pos = n->pos <= n->src->len ? n->pos : n->src->len;
    size_t line = 1, ls = 0;

    for (size_t i = 0; i < pos; i++) {
        if (t[i] == '\n') {
            line++;
            ls = i + 1;
        }
    }
    snprintf(buf, sz, "%s:%zu:%zu", n->src->name, line, pos - ls);
}

static void verr(struct texec *x, int status, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void verr(struct texec *x, int status, const char *fmt, va_list ap)
{
    char msg[CMN_ERR_MSG_MAX];
    char loc[200];
    struct cmn_buf ctx, name;

    if (x->failed)
        return;
    x->failed = true;
    x->status = status;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    cmn_buf_init(&name, 200);
    (void)tfmt_quote(&name, x->tmpl->name, strlen(x->tmpl->name), '"');
    if (!x->node) {
        cmn_err_set(x->err, status, "template: %s: %s", x->tmpl->name, msg);
        cmn_buf_free(&name);
        return;
    }
    location(x->node, loc, sizeof(loc));
    cmn_buf_init(&ctx, 4096);
    tnode_string(x->node, &ctx);
    if (ctx.len > 120)
        cmn_err_set(x->err, status, "template: %s: executing %s at <%.117s...>: %s", loc,
                    cmn_buf_str(&name), cmn_buf_str(&ctx), msg);
    else
        cmn_err_set(x->err, status, "template: %s: executing %s at <%s>: %s", loc,
                    cmn_buf_str(&name), cmn_buf_str(&ctx), msg);
    cmn_buf_free(&ctx);
    cmn_buf_free(&name);
}

void *texec_errorf(struct texec *x, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    verr(x, GW_TMPL_EXEC, fmt, ap);
    va_end(ap);
    return NULL;
}

void *texec_limitf(struct texec *x, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    verr(x, GW_TMPL_LIMIT, fmt, ap);
    va_end(ap);
    return NULL;
}

void *tfn_fail(struct texec *x, const char *fmt, ...)
{
    va_list ap;

    if (x->fnfailed || x->failed)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(x->fnerr, sizeof(x->fnerr), fmt, ap);
    va_end(ap);
    x->fnfailed = true;
    return NULL;
}

void *texec_nomem(struct texec *x)
{
    return texec_limitf(x, "template values exceed the memory cap of %zu bytes",
                        x->lim->max_memory);
}

void *texec_alloc(struct texec *x, size_t n)
{
    void *p;

    if (x->failed)
        return NULL;
    p = tarena_alloc(&x->arena, n);
    if (!p) {
        if (n > x->arena.cap || x->arena.used > x->arena.cap - n)
            return texec_nomem(x);
        x->failed = true;
        x->status = GW_TMPL_NOMEM;
        cmn_err_set(x->err, GW_TMPL_NOMEM, "template: out of memory");
    }
    return p;
}

bool texec_step(struct texec *x)
{
    if (++x->steps > x->lim->max_steps) {
        texec_limitf(x, "template execution exceeds %llu steps",
                     (unsigned long long)x->lim->max_steps);
        return false;
    }
    return !x->failed;
}

struct tv *texec_tmp_string(struct texec *x)
{
    return tv_str_copy(x, x->tmp.data ? x->tmp.data : "", x->tmp.len);
}

static bool write_out(struct texec *x, const char *s, size_t n)
{
    if (x->out->len - x->out_start > x->lim->max_output - n || n > x->lim->max_output) {
        texec_limitf(x, "template output exceeds %zu bytes", x->lim->max_output);
        return false;
    }
    switch (cmn_buf_append(x->out, s, n)) {
    case CMN_BUF_OK:
        return true;
    case CMN_BUF_TOO_BIG:
        texec_limitf(x, "template output exceeds %zu bytes", x->out->cap);
        return false;
    default:
        texec_limitf(x, "out of memory writing the output");
        return false;
    }
}

/* ---- variables ---- */

static bool push_var(struct texec *x, const char *name, size_t n, struct tv *v, bool boxed)
{
    if (x->nvars == x->cap_vars) {
        size_t nc = x->cap_vars ? x->cap_vars * 2 : 32;
        struct tvar *nv;
        if (nc > 1000000) {
            texec_limitf(x, "too many template variables");
            return false;
        }
        nv = realloc(x->vars, nc * sizeof(*nv));
        if (!nv) {
            texec_nomem(x);
            return false;
        }
        x->vars = nv;
        x->cap_vars = nc;
    }
    x->vars[x->nvars++] = (struct tvar){name, n, v, boxed};
    return true;
}

static struct tvar *find_var(struct texec *x, const char *name, size_t n)
{
    for (size_t i = x->nvars; i > 0; i--) {
        struct tvar *v = &x->vars[i - 1];
        if (v->nlen == n && memcmp(v->name, name, n) == 0)
            return v;
        if (v->name == NULL) /* a template call's frame marker */
            break;
    }
    return NULL;
}

/* ---- evaluation ---- */

struct tv *texec_pipeline(struct texec *x, struct ev dot, const struct node *pipe)
{
    struct tv *value = NULL;

    if (!pipe)
        return &tv_missing;
    x->node = pipe;
    for (size_t i = 0; i < pipe->u.pipe.ncmds; i++) {
        const struct node *cmd = pipe->u.pipe.cmds[i];
        struct node *const *args = cmd->u.list.v;
        size_t nargs = cmd->u.list.n;
        const struct node *first = args[0];
        struct ev r = EV_ERR;

        if (!texec_step(x))
            return NULL;
        switch (first->type) {
        case NT_FIELD:
            x->node = first;
            r = texec_field_chain(x, dot, dot, first, first->u.field.ids, first->u.field.n, args,
                                  nargs, value);
            break;
        case NT_CHAIN:
            r = texec_chain(x, dot, first, args, nargs, value);
            break;
        case NT_IDENT:
            r = texec_function(x, dot, first, cmd, args, nargs, value);
            break;
        case NT_PIPE:
            if (!texec_not_a_function(x, args, nargs, value))
                return NULL;
            r.v = texec_pipeline(x, dot, first);
            break;
        case NT_VARIABLE:
            r = texec_variable(x, dot, first, args, nargs, value);
            break;
        default:
            x->node = first;
            if (!texec_not_a_function(x, args, nargs, value))
                return NULL;
            switch (first->type) {
            case NT_BOOL:
                r.v = tv_bool(first->u.b);
                break;
            case NT_DOT:
                r = dot;
                break;
            case NT_NIL:
                return texec_errorf(x, "nil is not a command");
            case NT_NUMBER:
                r.v = texec_ideal_constant(x, first);
                break;
            case NT_STRING:
                r.v = tv_str_ref(x, first->u.str.text.p, first->u.str.text.n);
                break;
            default:
                return texec_errorf(x, "can't evaluate command");
            }
        }
        if (!r.v)
            return NULL;
        /* an interface{} holding nil is no value at all once it leaves a command */
        value = r.v->kind == TV_NIL ? &tv_missing : r.v;
    }
    for (size_t i = 0; i < pipe->u.pipe.ndecl; i++) {
        const struct tstr *name = &pipe->u.pipe.decl[i]->u.field.ids[0];
        if (pipe->u.pipe.is_assign) {
            struct tvar *v = find_var(x, name->p, name->n);
            if (!v)
                return texec_errorf(x, "undefined variable: %.*s", (int)name->n, name->p);
            v->v = value;
            v->boxed = false;
        } else if (!push_var(x, name->p, name->n, value, false)) {
            return NULL;
        }
    }
    return value;
}

bool texec_not_a_function(struct texec *x, struct node *const *args, size_t nargs, struct tv *final)
{
    if (nargs > 1 || final) {
        struct cmn_buf b;
        cmn_buf_init(&b, 200);
        tnode_string(args[0], &b);
        texec_errorf(x, "can't give argument to non-function %s", cmn_buf_str(&b));
        cmn_buf_free(&b);
        return false;
    }
    return true;
}

static struct ev eval_field(struct texec *x, const struct tstr *name, struct node *const *args,
                            size_t nargs, struct tv *final, struct ev recv)
{
    struct tv *r = recv.v;

    (void)args;
    if (r->kind == TV_MISSING)
        return (struct ev){&tv_missing, false};
    if (r->kind == TV_NIL) {
        texec_errorf(x, "nil pointer evaluating interface {}.%.*s", (int)name->n, name->p);
        return EV_ERR;
    }
    if (r->kind == TV_MAP) {
        struct tv *v;
        if (nargs > 1 || final) {
            texec_errorf(x, "%.*s is not a method but has arguments", (int)name->n, name->p);
            return EV_ERR;
        }
        v = tv_map_get(r->u.m, name->p, name->n);
        if (!v)
            return (struct ev){&tv_missing, false};
        return (struct ev){v, tv_elem_boxed(r)};
    }
    texec_errorf(x, "can't evaluate field %.*s in type %s", (int)name->n, name->p,
                 recv.boxed ? "interface {}" : tv_type_name(r));
    return EV_ERR;
}

struct ev texec_field_chain(struct texec *x, struct ev dot, struct ev recv, const struct node *n,
                            const struct tstr *ids, size_t nids, struct node *const *args,
                            size_t nargs, struct tv *final)
{
    (void)dot;
    x->node = n;
    for (size_t i = 0; i + 1 < nids; i++) {
        recv = eval_field(x, &ids[i], NULL, 0, NULL, recv);
        if (!recv.v)
            return EV_ERR;
    }
    return eval_field(x, &ids[nids - 1], args, nargs, final, recv);
}

struct ev texec_variable(struct texec *x, struct ev dot, const struct node *var,
                         struct node *const *args, size_t nargs, struct tv *final)
{
    const struct tstr *ids = var->u.field.ids;
    struct tvar *v;

    x->node = var;
    v = find_var(x, ids[0].p, ids[0].n);
    if (!v) {
        texec_errorf(x, "undefined variable: %.*s", (int)ids[0].n, ids[0].p);
        return EV_ERR;
    }
    if (var->u.field.n == 1) {
        if (!texec_not_a_function(x, args, nargs, final))
            return EV_ERR;
        return (struct ev){v->v, v->boxed};
    }
    return texec_field_chain(x, dot, (struct ev){v->v, v->boxed}, var, ids + 1, var->u.field.n - 1,
                             args, nargs, final);
}

struct ev texec_chain(struct texec *x, struct ev dot, const struct node *chain,
                      struct node *const *args, size_t nargs, struct tv *final)
{
    const struct node *term = chain->u.field.node;
    struct ev recv = EV_ERR;

    x->node = chain;
    if (term->type == NT_NIL) {
        struct cmn_buf b;
        cmn_buf_init(&b, 200);
        tnode_string(chain, &b);
        texec_errorf(x, "indirection through explicit nil in %s", cmn_buf_str(&b));
        cmn_buf_free(&b);
        return EV_ERR;
    }
    if (term->type == NT_PIPE) {
        recv.v = texec_pipeline(x, dot, term);
    } else if (term->type == NT_IDENT) {
        recv = texec_function(x, dot, term, term, NULL, 0, NULL);
        if (recv.v && recv.v->kind == TV_NIL)
            recv.v = &tv_missing;
    } else {
        texec_errorf(x, "can't evaluate chain");
    }
    if (!recv.v)
        return EV_ERR;
    recv.boxed = false;
    return texec_field_chain(x, dot, recv, chain, chain->u.field.ids, chain->u.field.n, args, nargs,
                             final);
}

/* ---- walking ---- */

static enum walk_rc walk(struct texec *x, struct ev dot, const struct node *n);

static enum walk_rc walk_list(struct texec *x, struct ev dot, const struct node *list)
{
    for (size_t i = 0; list && i < list->u.list.n; i++) {
        enum walk_rc rc = walk(x, dot, list->u.list.v[i]);
        if (rc != W_OK)
            return rc;
    }
    return W_OK;
}

static enum walk_rc walk_if_or_with(struct texec *x, struct ev dot, const struct node *n)
{
    size_t mark = x->nvars;
    struct tv *val = texec_pipeline(x, dot, n->u.branch.pipe);
    enum walk_rc rc = W_OK;

    if (!val)
        return W_ERR;
    if (tv_truth(val)) {
        if (n->type == NT_WITH)
            rc = walk_list(x, (struct ev){val, false}, n->u.branch.list);
        else
            rc = walk_list(x, dot, n->u.branch.list);
    } else if (n->u.branch.else_list) {
        rc = walk_list(x, dot, n->u.branch.else_list);
    }
    x->nvars = mark;
    return rc;
}

static bool set_top_var(struct texec *x, size_t k, struct ev v)
{
    x->vars[x->nvars - k].v = v.v;
    x->vars[x->nvars - k].boxed = v.boxed;
    return true;
}

static bool assign_var(struct texec *x, const struct node *decl, struct ev v)
{
    const struct tstr *name = &decl->u.field.ids[0];
    struct tvar *t = find_var(x, name->p, name->n);

    if (!t) {
        texec_errorf(x, "undefined variable: %.*s", (int)name->n, name->p);
        return false;
    }
    t->v = v.v;
    t->boxed = v.boxed;
    return true;
}

/* One iteration of a range: sets the variables, walks the body, pops what it declared. */
static enum walk_rc one_iteration(struct texec *x, const struct node *r, size_t mark,
                                  struct ev index, struct ev elem)
{
    const struct node *pipe = r->u.branch.pipe;
    size_t nd = pipe->u.pipe.ndecl;
    enum walk_rc rc;

    if (!texec_step(x))
        return W_ERR;
    if (nd > 0) {
        if (pipe->u.pipe.is_assign) {
            if (!assign_var(x, pipe->u.pipe.decl[0], nd > 1 ? index : elem))
                return W_ERR;
        } else {
            set_top_var(x, 1, elem);
        }
    }
    if (nd > 1) {
        if (pipe->u.pipe.is_assign) {
            if (!assign_var(x, pipe->u.pipe.decl[1], elem))
                return W_ERR;
        } else {
            set_top_var(x, 2, index);
        }
    }
    rc = walk_list(x, elem, r->u.branch.list);
    x->nvars = mark;
    return rc == W_CONTINUE ? W_OK : rc;
}

static enum walk_rc walk_range(struct texec *x, struct ev dot, const struct node *r)
{
    size_t outer = x->nvars, mark;
    const struct node *pipe = r->u.branch.pipe;
    bool want_index = pipe->u.pipe.ndecl > 1;
    struct tv *val;
    enum walk_rc rc = W_OK;
    bool ran = false;

    x->node = r;
    val = texec_pipeline(x, dot, pipe);
    if (!val)
        return W_ERR;
    mark = x->nvars;
    switch (val->kind) {
    case TV_INT:
        if (want_index) {
            struct cmn_buf b;
            cmn_buf_init(&b, 64);
            (void)tfmt_value(x, &b, val);
            texec_errorf(x, "can't use %s to iterate over more than one variable", cmn_buf_str(&b));
            cmn_buf_free(&b);
            return W_ERR;
        }
        for (int64_t i = 0; i < val->u.i && rc == W_OK; i++) {
            struct tv *e = tv_int(x, i);
            if (!e)
                return W_ERR;
            ran = true;
            rc = one_iteration(x, r, mark, (struct ev){&tv_missing, false}, (struct ev){e, false});
        }
        break;
    case TV_LIST:
        for (size_t i = 0; i < val->u.l.n && rc == W_OK; i++) {
            struct ev idx = {&tv_missing, false};
            if (want_index && !(idx.v = tv_int(x, (int64_t)i)))
                return W_ERR;
            ran = true;
            rc = one_iteration(x, r, mark, idx, (struct ev){val->u.l.v[i], tv_elem_boxed(val)});
        }
        break;
    case TV_MAP: {
        /* Go sorts the keys once, before the first iteration: a body that sets or unsets
         * members does not change what is visited */
        size_t n = val->u.m->n;
        struct tmember *snap = n ? texec_alloc(x, n * sizeof(*snap)) : NULL;
        if (n && !snap)
            return W_ERR;
        if (n)
            memcpy(snap, val->u.m->m, n * sizeof(*snap));
        for (size_t i = 0; i < n && rc == W_OK; i++) {
            struct ev key = {&tv_missing, false};
            if (want_index && !(key.v = tv_str_ref(x, snap[i].k, snap[i].kn)))
                return W_ERR;
            ran = true;
            rc = one_iteration(x, r, mark, key, (struct ev){snap[i].v, tv_elem_boxed(val)});
        }
        break;
    }
    case TV_MISSING:
        break;
    default: {
        struct cmn_buf b;
        cmn_buf_init(&b, 200);
        (void)tfmt_value(x, &b, val);
        texec_errorf(x, "range can't iterate over %s", cmn_buf_str(&b));
        cmn_buf_free(&b);
        return W_ERR;
    }
    }
    if (rc == W_ERR)
        return W_ERR;
    if (!ran && r->u.branch.else_list)
        rc = walk_list(x, dot, r->u.branch.else_list);
    x->nvars = outer;
    return rc == W_BREAK ? W_OK : rc;
}

static enum walk_rc walk_template(struct texec *x, struct ev dot, const struct node *t)
{
    const struct tdef *def;
    const struct tdef *saved_tmpl = x->tmpl;
    size_t mark;
    struct tv *val;
    enum walk_rc rc;

    x->node = t;
    def = tset_find(x->set, t->u.tmpl.name.p, t->u.tmpl.name.n);
    if (!def) {
        struct cmn_buf q;
        cmn_buf_init(&q, 300);
        (void)tfmt_quote(&q, t->u.tmpl.name.p, t->u.tmpl.name.n, '"');
        texec_errorf(x, "template %s not defined", cmn_buf_str(&q));
        cmn_buf_free(&q);
        return W_ERR;
    }
    if (x->depth >= x->lim->max_depth) {
        texec_limitf(x, "exceeded maximum template depth (%d)", x->lim->max_depth);
        return W_ERR;
    }
    val = texec_pipeline(x, dot, t->u.tmpl.pipe);
    if (!val)
        return W_ERR;
    mark = x->nvars;
    /* a frame marker, then the callee's "$": no variable of the caller is visible */
    if (!push_var(x, NULL, 0, NULL, false) || !push_var(x, "$", 1, val, false))
        return W_ERR;
    x->depth++;
    x->tmpl = def;
    rc = walk_list(x, (struct ev){val, false}, def->root);
    x->tmpl = saved_tmpl;
    x->depth--;
    x->nvars = mark;
    return rc;
}

static enum walk_rc walk(struct texec *x, struct ev dot, const struct node *n)
{
    enum walk_rc rc = W_OK;

    if (!texec_step(x))
        return W_ERR;
    if (x->nest >= MAX_WALK_NEST) {
        texec_limitf(x, "template execution nested deeper than %d levels", MAX_WALK_NEST);
        return W_ERR;
    }
    x->nest++;
    x->node = n;
    switch (n->type) {
    case NT_ACTION: {
        struct tv *val = texec_pipeline(x, dot, n->u.action);
        if (!val) {
            rc = W_ERR;
        } else if (n->u.action->u.pipe.ndecl == 0) {
            size_t before = x->out->len;
            x->node = n;
            if (!tfmt_value(x, x->out, val)) {
                /* an action prints all of its value or nothing */
                x->out->len = before;
                if (x->out->data)
                    x->out->data[before] = '\0';
                if (!x->failed)
                    texec_limitf(x, "template output exceeds %zu bytes", x->lim->max_output);
                rc = W_ERR;
            } else if (x->out->len - x->out_start > x->lim->max_output) {
                x->out->len = before;
                x->out->data[before] = '\0';
                texec_limitf(x, "template output exceeds %zu bytes", x->lim->max_output);
                rc = W_ERR;
            }
        }
        break;
    }
    case NT_IF:
    case NT_WITH:
        rc = walk_if_or_with(x, dot, n);
        break;
    case NT_LIST:
        rc = walk_list(x, dot, n);
        break;
    case NT_RANGE:
        rc = walk_range(x, dot, n);
        break;
    case NT_TEMPLATE:
        rc = walk_template(x, dot, n);
        break;
    case NT_TEXT:
        rc = write_out(x, n->u.text.p, n->u.text.n) ? W_OK : W_ERR;
        break;
    case NT_BREAK:
        rc = W_BREAK;
        break;
    case NT_CONTINUE:
        rc = W_CONTINUE;
        break;
    default:
        texec_errorf(x, "unknown node");
        rc = W_ERR;
    }
    x->nest--;
    if (x->failed)
        return W_ERR;
    return rc;
}

int gw_tmpl_execute(const struct gw_tmpl_set *s, const char *name, const json_t *data,
                    const struct gw_tmpl_host *host, struct cmn_buf *out, struct cmn_err *err)
{
    static const struct gw_tmpl_host no_host = {0};
    struct texec x;
    struct tdef top;
    struct tv *dotv;
    int rc;

    memset(&x, 0, sizeof(x));
    cmn_err_clear(err);
    x.set = s;
    x.lim = &s->lim;
    x.host = host ? host : &no_host;
    x.out = out;
    x.out_start = out->len;
    x.err = err;
    tarena_init(&x.arena, s->lim.max_memory);
    cmn_buf_init(&x.tmp, s->lim.max_memory);
    x.tmpl = tset_find(s, name, strlen(name));
    if (!x.tmpl) {
        top = (struct tdef){(char *)(uintptr_t)name, NULL, NULL};
        x.tmpl = &top;
        rc = cmn_err_set(err, GW_TMPL_EXEC, "template: no template %s defined", name);
        goto out;
    }
    dotv = data ? tv_from_json(&x, data, s->lim.max_value_depth) : &tv_missing;
    if (!dotv || !push_var(&x, "$", 1, dotv, false)) {
        rc = x.status ? x.status : GW_TMPL_NOMEM;
        goto out;
    }
    if (walk_list(&x, (struct ev){dotv, false}, x.tmpl->root) == W_ERR || x.failed) {
        rc = x.status ? x.status : GW_TMPL_EXEC;
        goto out;
    }
    rc = GW_TMPL_OK;
out:
    free(x.vars);
    cmn_buf_free(&x.tmp);
    tarena_free(&x.arena);
    return rc;
}
