/* gw_cel_eval.c - CEL evaluator: a recursive walk over the planned AST with values by value, the
 * commutative logical operators, comprehensions with an iteration budget, and activations. */
#include "gw_cel_int.h"

#include <string.h>

#define MAX_ARGS 3 /* no standard function takes more; keeps evaluation frames small */

/* ---- activations ---------------------------------------------------------------------------- */

struct gw_cel_activation *gw_cel_activation_new(struct gw_cel_arena *a,
                                                const struct gw_cel_env *env)
{
    struct gw_cel_activation *act = cel_alloc(a, sizeof(*act));
    size_t n = env->n_vars ? env->n_vars : 1;

    if (!act)
        return NULL;
    act->env = env;
    act->arena = a;
    act->vals = cel_alloc(a, n * sizeof(*act->vals));
    act->state = cel_alloc(a, n);
    return act->vals && act->state ? act : NULL;
}

int gw_cel_activation_set(struct gw_cel_activation *act, int slot, struct gw_cel_val v)
{
    if (!act || slot < 0 || (size_t)slot >= act->env->n_vars)
        return -1;
    act->vals[slot] = v;
    act->state[slot] = 1;
    return 0;
}

int gw_cel_activation_set_name(struct gw_cel_activation *act, const char *name, struct gw_cel_val v)
{
    return act ? gw_cel_activation_set(act, cel_env_find(act->env, name, strlen(name)), v) : -1;
}

int gw_cel_activation_set_unknown(struct gw_cel_activation *act, int slot)
{
    if (!act || slot < 0 || (size_t)slot >= act->env->n_vars)
        return -1;
    act->state[slot] = 2;
    return 0;
}

struct gw_cel_arena *gw_cel_activation_arena(struct gw_cel_activation *act)
{
    return act ? act->arena : NULL;
}

/* ---- nodes ---------------------------------------------------------------------------------- */

static struct gw_cel_val unknown(const struct cel_node *n)
{
    struct gw_cel_val v;

    memset(&v, 0, sizeof(v));
    v.kind = GW_CEL_UNKNOWN;
    v.v.i = n->id;
    return v;
}

static struct gw_cel_val eval_ident(struct cel_ectx *c, const struct cel_node *n)
{
    switch (n->res) {
    case R_VAR:
        if (c->act->state[n->slot] == 1)
            return c->act->vals[n->slot];
        if (c->act->state[n->slot] == 2)
            return unknown(n);
        return cel_err(c->a, "no such attribute(s): %.*s", (int)n->u.id.len, n->u.id.name);
    case R_LOCAL:
        return c->locals[n->slot];
    case R_TYPE:
        return cel_type_val((enum gw_cel_rtype)n->slot);
    default:
        return cel_err(c->a, "undeclared reference to '%.*s' (in container '')", (int)n->u.id.len,
                       n->u.id.name);
    }
}

static struct gw_cel_val eval_select(struct cel_ectx *c, const struct cel_node *n)
{
    struct gw_cel_val x = cel_eval_node(c, n->u.sel.operand), key, out;

    if (cel_is_err_or_unknown(&x))
        return x;
    if (x.kind != GW_CEL_MAP)
        return cel_err(c->a, "type '%s' does not support field selection",
                       cel_rtype_name(cel_rtype_of(&x)));
    key = gw_cel_string(n->u.sel.field, n->u.sel.len);
    if (cel_map_find(c->a, &x, &key, &out))
        return n->op ? gw_cel_bool(true) : out;
    if (n->op)
        return gw_cel_bool(false);
    return cel_err(c->a, "no such key: %.*s", (int)n->u.sel.len, n->u.sel.field);
}

/* _&&_ and _||_: an operand equal to `decisive` decides, whatever the other one is (errors
 * included); otherwise unknowns win over errors, errors over type mismatches. */
static struct gw_cel_val eval_logic(struct cel_ectx *c, const struct cel_node *n, bool decisive)
{
    struct gw_cel_val l = cel_eval_node(c, n->u.call.args[0]), r;

    if (l.kind == GW_CEL_BOOL && l.v.b == decisive)
        return l;
    r = cel_eval_node(c, n->u.call.args[1]);
    if (r.kind == GW_CEL_BOOL && r.v.b == decisive)
        return r;
    if (l.kind == GW_CEL_BOOL && r.kind == GW_CEL_BOOL)
        return gw_cel_bool(!decisive);
    if (l.kind == GW_CEL_UNKNOWN)
        return l;
    if (r.kind == GW_CEL_UNKNOWN)
        return r;
    if (l.kind == GW_CEL_ERROR)
        return l;
    if (r.kind == GW_CEL_ERROR)
        return r;
    return cel_err_static("no such overload");
}

static struct gw_cel_val eval_call(struct cel_ectx *c, const struct cel_node *n)
{
    struct gw_cel_val args[MAX_ARGS], cond;
    uint32_t nargs = n->u.call.nargs;

    switch (n->op) {
    case FN_AND:
        return eval_logic(c, n, false);
    case FN_OR:
        return eval_logic(c, n, true);
    case FN_COND:
        cond = cel_eval_node(c, n->u.call.args[0]);
        if (cel_is_err_or_unknown(&cond))
            return cond;
        if (cond.kind != GW_CEL_BOOL)
            return cel_err_static("no such overload");
        return cel_eval_node(c, n->u.call.args[cond.v.b ? 1 : 2]);
    case FN_UNBOUND:
        return cel_err(c->a, "unbound function: %.*s", (int)n->u.call.len, n->u.call.name);
    default:
        break;
    }
    if (nargs > MAX_ARGS)
        return cel_err_static("no such overload");
    for (uint32_t i = 0; i < nargs; i++) {
        args[i] = cel_eval_node(c, n->u.call.args[i]);
        if (cel_is_err_or_unknown(&args[i]))
            return args[i];
    }
    return cel_call(c, n, args, nargs);
}

static struct gw_cel_val eval_list(struct cel_ectx *c, const struct cel_node *n)
{
    struct gw_cel_val *items = cel_alloc(c->a, (n->u.agg.n + 1) * sizeof(*items)), out;

    if (!items)
        return cel_err_static("evaluation memory limit exceeded");
    for (uint32_t i = 0; i < n->u.agg.n; i++) {
        items[i] = cel_eval_node(c, n->u.agg.items[i]);
        if (cel_is_err_or_unknown(&items[i]))
            return items[i];
    }
    memset(&out, 0, sizeof(out));
    struct gw_cel_list *l = cel_alloc(c->a, sizeof(*l));
    if (!l)
        return cel_err_static("evaluation memory limit exceeded");
    l->n = n->u.agg.n;
    l->items = items;
    out.kind = GW_CEL_LIST;
    out.v.p.a = l;
    return out;
}

static struct gw_cel_val eval_map(struct cel_ectx *c, const struct cel_node *n)
{
    uint32_t cnt = n->u.agg.n;
    struct gw_cel_val *keys = cel_alloc(c->a, (cnt + 1) * sizeof(*keys));
    struct gw_cel_val *vals = cel_alloc(c->a, (cnt + 1) * sizeof(*vals)), out;
    int rc;

    if (!keys || !vals)
        return cel_err_static("evaluation memory limit exceeded");
    for (uint32_t i = 0; i < cnt; i++) {
        keys[i] = cel_eval_node(c, n->u.agg.items[2 * i]);
        if (cel_is_err_or_unknown(&keys[i]))
            return keys[i];
        vals[i] = cel_eval_node(c, n->u.agg.items[2 * i + 1]);
        if (cel_is_err_or_unknown(&vals[i]))
            return vals[i];
    }
    rc = cel_map_build(c->a, keys, vals, cnt, &out);
    if (rc == -2)
        return cel_err_static("unsupported key type");
    if (rc == -3)
        return cel_err_static("Failed with repeated key");
    return rc ? cel_err_static("evaluation memory limit exceeded") : out;
}

/* ---- comprehensions ------------------------------------------------------------------------- */

struct comp_state {
    struct gw_cel_val *items; /* map/filter results */
    size_t n, cap;
    struct gw_cel_val pending; /* all/exists: first non-decisive, non-bool outcome */
    bool has_pending;
    int64_t count; /* exists_one */
};

static bool push(struct cel_ectx *c, struct comp_state *st, struct gw_cel_val v)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 8;
        struct gw_cel_val *grown;
        if (cap > c->max_string / sizeof(*grown))
            return false;
        grown = cel_alloc(c->a, cap * sizeof(*grown));
        if (!grown)
            return false;
        if (st->n)
            memcpy(grown, st->items, st->n * sizeof(*grown));
        st->items = grown;
        st->cap = cap;
    }
    st->items[st->n++] = v;
    return true;
}

/* One step; returns true to stop with *result set. */
static bool comp_step(struct cel_ectx *c, const struct cel_node *n, struct comp_state *st,
                      struct gw_cel_val elem, struct gw_cel_val *result)
{
    struct gw_cel_val v = cel_eval_node(c, n->u.comp.a);
    bool decisive = n->op == C_EXISTS;

    if (n->op == C_ALL || n->op == C_EXISTS) {
        if (v.kind == GW_CEL_BOOL) {
            if (v.v.b == decisive) {
                *result = v;
                return true;
            }
        } else if (!st->has_pending ||
                   (v.kind == GW_CEL_UNKNOWN && st->pending.kind != GW_CEL_UNKNOWN)) {
            st->pending = v.kind == GW_CEL_UNKNOWN || v.kind == GW_CEL_ERROR
                              ? v
                              : cel_err_static("no such overload");
            st->has_pending = true;
        }
        return false;
    }
    if (cel_is_err_or_unknown(&v)) {
        *result = v;
        return true;
    }
    if (n->op == C_MAP)
        goto add;
    if (v.kind != GW_CEL_BOOL) {
        *result = cel_err_static("no such overload");
        return true;
    }
    if (n->op == C_EXISTS_ONE) {
        st->count += v.v.b;
        return false;
    }
    if (!v.v.b)
        return false;
    if (n->op == C_MAP_FILTER) {
        v = cel_eval_node(c, n->u.comp.b);
        if (cel_is_err_or_unknown(&v)) {
            *result = v;
            return true;
        }
    } else {
        v = elem; /* filter keeps the element */
    }
add:
    if (!push(c, st, v)) {
        *result = cel_err_static("evaluation memory limit exceeded");
        return true;
    }
    return false;
}

static struct gw_cel_val comp_result(struct cel_ectx *c, const struct cel_node *n,
                                     struct comp_state *st)
{
    struct gw_cel_val out;

    switch (n->op) {
    case C_ALL:
    case C_EXISTS:
        return st->has_pending ? st->pending : gw_cel_bool(n->op == C_ALL);
    case C_EXISTS_ONE:
        return gw_cel_bool(st->count == 1);
    default:
        if (gw_cel_list_new(c->a, st->items, st->n, &out) != 0)
            return cel_err_static("evaluation memory limit exceeded");
        return out;
    }
}

static struct gw_cel_val eval_comp(struct cel_ectx *c, const struct cel_node *n)
{
    struct gw_cel_val range = cel_eval_node(c, n->u.comp.range), elem, val, result;
    struct comp_state st;
    void *it = NULL;
    size_t len, i = 0;

    if (cel_is_err_or_unknown(&range))
        return range;
    if (range.kind != GW_CEL_LIST && range.kind != GW_CEL_MAP)
        return cel_err(c->a, "expression of type '%s' cannot be the range of a comprehension",
                       cel_rtype_name(cel_rtype_of(&range)));
    memset(&st, 0, sizeof(st));
    len = cel_len(&range);
    for (;;) {
        if (range.kind == GW_CEL_LIST) {
            if (i >= len)
                break;
            elem = cel_list_at(c->a, &range, i++);
        } else if (!cel_map_next(c->a, &range, &it, &elem, &val)) {
            break;
        }
        if (c->iters_left == 0)
            return cel_err_static("comprehension iteration limit exceeded");
        c->iters_left--;
        c->locals[n->slot] = elem;
        if (comp_step(c, n, &st, elem, &result))
            return result;
    }
    return comp_result(c, n, &st);
}

struct gw_cel_val cel_eval_node(struct cel_ectx *c, const struct cel_node *n)
{
    switch (n->kind) {
    case N_LIT:
        return n->u.lit;
    case N_IDENT:
        return eval_ident(c, n);
    case N_SELECT:
        return eval_select(c, n);
    case N_CALL:
        return eval_call(c, n);
    case N_LIST:
        return eval_list(c, n);
    case N_MAP:
        return eval_map(c, n);
    case N_COMP:
        return eval_comp(c, n);
    default:
        return cel_err_static("protobuf message literals are not supported");
    }
}

struct gw_cel_val gw_cel_eval(const struct gw_cel_program *p, struct gw_cel_activation *act)
{
    struct gw_cel_val locals[64];
    struct cel_ectx c;

    if (!p || !act || act->env != p->env)
        return cel_err_static("program and activation do not share an environment");
    memset(&c, 0, sizeof(c));
    c.p = p;
    c.act = act;
    c.a = act->arena;
    c.locals = locals;
    c.iters_left = p->env->opt.max_iterations;
    c.max_string = p->env->opt.max_string_bytes;
    return cel_eval_node(&c, p->root);
}
