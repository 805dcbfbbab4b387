/* gw_cel_unify.c - checker type unification (cel-go's checker/types.go semantics): type
 * parameters bound through an undo trail, dyn as the wildcard, most general joins. */
#include "gw_cel_ctype.h"

#include <string.h>

#define MAX_PARAMS (1u << 20)

static const struct cel_ctype *prim(enum cel_ck k)
{
    return cel_ck_prim(k);
}

static void oom(struct cel_checker *ck)
{
    ck->status = GW_CEL_ERR_NOMEM;
}

/* ---- type parameters and substitutions ------------------------------------------------------ */

const struct cel_ctype *cel_ck_param(struct cel_checker *ck)
{
    struct cel_ctype *t;

    if (ck->nparams >= MAX_PARAMS) {
        oom(ck);
        return prim(CK_DYN);
    }
    if (ck->nparams == ck->cap) {
        uint32_t cap = ck->cap ? ck->cap * 2 : 64;
        const struct cel_ctype **s = cel_alloc(ck->a, cap * sizeof(*s));
        if (!s) {
            oom(ck);
            return prim(CK_DYN);
        }
        if (ck->nparams)
            memcpy(s, ck->subst, ck->nparams * sizeof(*s));
        ck->subst = s;
        ck->cap = cap;
    }
    t = cel_alloc(ck->a, sizeof(*t));
    if (!t) {
        oom(ck);
        return prim(CK_DYN);
    }
    t->kind = CK_PARAM;
    t->param = ck->nparams;
    ck->subst[ck->nparams++] = NULL;
    return t;
}

static const struct cel_ctype *find(const struct cel_checker *ck, const struct cel_ctype *t)
{
    return t->kind == CK_PARAM ? ck->subst[t->param] : NULL;
}

static void bind(struct cel_checker *ck, const struct cel_ctype *param, const struct cel_ctype *t)
{
    if (ck->ntrail == ck->captrail) {
        uint32_t cap = ck->captrail ? ck->captrail * 2 : 256;
        struct cel_undo *u = cel_alloc(ck->a, cap * sizeof(*u));
        if (!u) {
            oom(ck);
            return;
        }
        if (ck->ntrail)
            memcpy(u, ck->trail, ck->ntrail * sizeof(*u));
        ck->trail = u;
        ck->captrail = cap;
    }
    ck->trail[ck->ntrail].param = param->param;
    ck->trail[ck->ntrail++].old = ck->subst[param->param];
    ck->subst[param->param] = t;
}

static void rollback(struct cel_checker *ck, uint32_t mark)
{
    while (ck->ntrail > mark) {
        ck->ntrail--;
        ck->subst[ck->trail[ck->ntrail].param] = ck->trail[ck->ntrail].old;
    }
}

bool cel_ck_exact(const struct cel_ctype *x, const struct cel_ctype *y)
{
    if (x == y)
        return true;
    if (!x || !y || x->kind != y->kind)
        return false;
    switch (x->kind) {
    case CK_PARAM:
        return x->param == y->param;
    case CK_LIST:
        return cel_ck_exact(x->a, y->a);
    case CK_MAP:
        return cel_ck_exact(x->a, y->a) && cel_ck_exact(x->b, y->b);
    case CK_TYPE:
        return (!x->a && !y->a) || cel_ck_exact(x->a, y->a);
    default:
        return true;
    }
}

static bool is_dyn(const struct cel_ctype *t)
{
    return t->kind == CK_DYN;
}

static bool dyn_or_error(const struct cel_ctype *t)
{
    return t->kind == CK_DYN || t->kind == CK_ERROR;
}

static bool less_specific(const struct cel_ctype *x, const struct cel_ctype *y)
{
    if (is_dyn(x) || x->kind == CK_PARAM)
        return true;
    if (is_dyn(y) || y->kind == CK_PARAM || x->kind != y->kind)
        return false;
    switch (x->kind) {
    case CK_LIST:
        return less_specific(x->a, y->a);
    case CK_MAP:
        return less_specific(x->a, y->a) && less_specific(x->b, y->b);
    case CK_TYPE:
        return true;
    default:
        return cel_ck_exact(x, y);
    }
}

const struct cel_ctype *cel_ck_most_general(const struct cel_ctype *x, const struct cel_ctype *y)
{
    return less_specific(x, y) ? x : y;
}

static bool not_referenced_in(const struct cel_checker *ck, const struct cel_ctype *t,
                              const struct cel_ctype *within)
{
    const struct cel_ctype *sub;

    if (cel_ck_exact(t, within))
        return false;
    switch (within->kind) {
    case CK_PARAM:
        sub = find(ck, within);
        return !sub || not_referenced_in(ck, t, sub);
    case CK_LIST:
        return not_referenced_in(ck, t, within->a);
    case CK_MAP:
        return not_referenced_in(ck, t, within->a) && not_referenced_in(ck, t, within->b);
    case CK_TYPE:
        return !within->a || not_referenced_in(ck, t, within->a);
    default:
        return true;
    }
}

static bool assignable(struct cel_checker *ck, const struct cel_ctype *x,
                       const struct cel_ctype *y);

/* Whether param y (or its binding) can stand for x; binds it when possible. */
static bool valid_subst(struct cel_checker *ck, const struct cel_ctype *x,
                        const struct cel_ctype *y, bool *has_sub)
{
    const struct cel_ctype *sub = find(ck, y);

    *has_sub = sub != NULL;
    if (cel_ck_exact(x, y))
        return *has_sub = true;
    if (sub) {
        if (cel_ck_exact(x, sub))
            return true;
        if (assignable(ck, x, sub)) {
            const struct cel_ctype *g = cel_ck_most_general(x, sub);
            if (not_referenced_in(ck, y, g))
                bind(ck, y, g);
            return true;
        }
        return false;
    }
    if (not_referenced_in(ck, y, x)) {
        bind(ck, y, x);
        return true;
    }
    return false;
}

static bool nullable(const struct cel_ctype *t)
{
    return t->kind == CK_TS || t->kind == CK_DUR;
}

/* cel-go's internalIsAssignable: may bind type parameters (callers roll back on failure). */
static bool assignable(struct cel_checker *ck, const struct cel_ctype *x, const struct cel_ctype *y)
{
    bool has_sub;

    if (y->kind == CK_PARAM) {
        if (valid_subst(ck, x, y, &has_sub))
            return true;
        if (has_sub)
            return false;
    }
    if (x->kind == CK_PARAM)
        return valid_subst(ck, y, x, &has_sub);
    if (dyn_or_error(x) || dyn_or_error(y))
        return true;
    if (x->kind == CK_NULL)
        return y->kind == CK_NULL || nullable(y);
    if (y->kind == CK_NULL)
        return nullable(x);
    switch (x->kind) {
    case CK_LIST:
        return y->kind == CK_LIST && assignable(ck, x->a, y->a);
    case CK_MAP:
        return y->kind == CK_MAP && assignable(ck, x->a, y->a) && assignable(ck, x->b, y->b);
    case CK_TYPE:
        return y->kind == CK_TYPE;
    default:
        return x->kind == y->kind;
    }
}

bool cel_ck_assign(struct cel_checker *ck, const struct cel_ctype *x, const struct cel_ctype *y)
{
    uint32_t mark = ck->ntrail;

    if (assignable(ck, x, y))
        return true;
    rollback(ck, mark);
    return false;
}

const struct cel_ctype *cel_ck_subst(struct cel_checker *ck, const struct cel_ctype *t, bool to_dyn)
{
    const struct cel_ctype *sub = find(ck, t), *x, *y;

    if (sub)
        return cel_ck_subst(ck, sub, to_dyn);
    switch (t->kind) {
    case CK_PARAM:
        return to_dyn ? prim(CK_DYN) : t;
    case CK_LIST:
        x = cel_ck_subst(ck, t->a, to_dyn);
        return x == t->a ? t : cel_ck_new(ck->a, CK_LIST, x, NULL);
    case CK_MAP:
        x = cel_ck_subst(ck, t->a, to_dyn);
        y = cel_ck_subst(ck, t->b, to_dyn);
        return x == t->a && y == t->b ? t : cel_ck_new(ck->a, CK_MAP, x, y);
    case CK_TYPE:
        if (!t->a)
            return t;
        x = cel_ck_subst(ck, t->a, to_dyn);
        return x == t->a ? t : cel_ck_new(ck->a, CK_TYPE, x, NULL);
    default:
        return t;
    }
}

bool cel_ck_assign_list(struct cel_checker *ck, const struct cel_ctype *const *x,
                        const struct cel_ctype *const *y, size_t n)
{
    uint32_t mark = ck->ntrail;

    for (size_t i = 0; i < n; i++) {
        if (!assignable(ck, x[i], y[i])) {
            rollback(ck, mark);
            return false;
        }
    }
    return true;
}
