/* gw_cel_check.c - CEL type checker: every node typed against the environment's declarations
 * and the standard library overloads (cross-type numeric ordering off, as in KrakenD). */
#include "gw_cel_ctype.h"

#include <stdio.h>
#include <string.h>

/* Overload signatures: S_A/S_B are the overload's type parameters. */
enum sig {
    S_BOOL,
    S_INT,
    S_UINT,
    S_DOUBLE,
    S_STRING,
    S_BYTES,
    S_TS,
    S_DUR,
    S_DYN,
    S_A,
    S_B,
    S_LA,
    S_MAB,
    S_TA
};

struct overload {
    uint8_t fn, member, cross, nargs;
    uint8_t args[3];
    uint8_t result;
};

#define G(fn, r, ...)                                                                              \
    {                                                                                              \
        fn, 0, 0, sizeof((uint8_t[]){__VA_ARGS__}), {__VA_ARGS__}, r                               \
    }
#define M(fn, r, ...)                                                                              \
    {                                                                                              \
        fn, 1, 0, sizeof((uint8_t[]){__VA_ARGS__}), {__VA_ARGS__}, r                               \
    }
#define X(fn, a, b)                                                                                \
    {                                                                                              \
        fn, 0, 1, 2, {a, b}, S_BOOL                                                                \
    }
#define ORDER(fn)                                                                                  \
    G(fn, S_BOOL, S_BOOL, S_BOOL), G(fn, S_BOOL, S_INT, S_INT), X(fn, S_INT, S_DOUBLE),            \
        X(fn, S_INT, S_UINT), G(fn, S_BOOL, S_UINT, S_UINT), X(fn, S_UINT, S_DOUBLE),              \
        X(fn, S_UINT, S_INT), G(fn, S_BOOL, S_DOUBLE, S_DOUBLE), X(fn, S_DOUBLE, S_INT),           \
        X(fn, S_DOUBLE, S_UINT), G(fn, S_BOOL, S_STRING, S_STRING),                                \
        G(fn, S_BOOL, S_BYTES, S_BYTES), G(fn, S_BOOL, S_TS, S_TS), G(fn, S_BOOL, S_DUR, S_DUR)
#define TIME_GETTER(fn) M(fn, S_INT, S_TS), M(fn, S_INT, S_TS, S_STRING)

/* In cel-go's declaration order (it decides the result type when several overloads match). */
static const struct overload OVERLOADS[] = {
    G(FN_COND, S_A, S_BOOL, S_A, S_A),
    G(FN_NOT, S_BOOL, S_BOOL),
    G(FN_EQ, S_BOOL, S_A, S_A),
    G(FN_NE, S_BOOL, S_A, S_A),
    G(FN_ADD, S_BYTES, S_BYTES, S_BYTES),
    G(FN_ADD, S_DOUBLE, S_DOUBLE, S_DOUBLE),
    G(FN_ADD, S_DUR, S_DUR, S_DUR),
    G(FN_ADD, S_TS, S_DUR, S_TS),
    G(FN_ADD, S_TS, S_TS, S_DUR),
    G(FN_ADD, S_INT, S_INT, S_INT),
    G(FN_ADD, S_LA, S_LA, S_LA),
    G(FN_ADD, S_STRING, S_STRING, S_STRING),
    G(FN_ADD, S_UINT, S_UINT, S_UINT),
    G(FN_DIV, S_DOUBLE, S_DOUBLE, S_DOUBLE),
    G(FN_DIV, S_INT, S_INT, S_INT),
    G(FN_DIV, S_UINT, S_UINT, S_UINT),
    G(FN_MOD, S_INT, S_INT, S_INT),
    G(FN_MOD, S_UINT, S_UINT, S_UINT),
    G(FN_MUL, S_DOUBLE, S_DOUBLE, S_DOUBLE),
    G(FN_MUL, S_INT, S_INT, S_INT),
    G(FN_MUL, S_UINT, S_UINT, S_UINT),
    G(FN_NEG, S_DOUBLE, S_DOUBLE),
    G(FN_NEG, S_INT, S_INT),
    G(FN_SUB, S_DOUBLE, S_DOUBLE, S_DOUBLE),
    G(FN_SUB, S_DUR, S_DUR, S_DUR),
    G(FN_SUB, S_INT, S_INT, S_INT),
    G(FN_SUB, S_TS, S_TS, S_DUR),
    G(FN_SUB, S_DUR, S_TS, S_TS),
    G(FN_SUB, S_UINT, S_UINT, S_UINT),
    ORDER(FN_LT),
    ORDER(FN_LE),
    ORDER(FN_GT),
    ORDER(FN_GE),
    G(FN_INDEX, S_A, S_LA, S_INT),
    G(FN_INDEX, S_B, S_MAB, S_A),
    G(FN_IN, S_BOOL, S_A, S_LA),
    G(FN_IN, S_BOOL, S_A, S_MAB),
    G(FN_SIZE, S_INT, S_BYTES),
    M(FN_SIZE, S_INT, S_BYTES),
    G(FN_SIZE, S_INT, S_LA),
    M(FN_SIZE, S_INT, S_LA),
    G(FN_SIZE, S_INT, S_MAB),
    M(FN_SIZE, S_INT, S_MAB),
    G(FN_SIZE, S_INT, S_STRING),
    M(FN_SIZE, S_INT, S_STRING),
    G(FN_TYPE, S_TA, S_A),
    G(FN_BOOL, S_BOOL, S_BOOL),
    G(FN_BOOL, S_BOOL, S_STRING),
    G(FN_BYTES, S_BYTES, S_BYTES),
    G(FN_BYTES, S_BYTES, S_STRING),
    G(FN_DOUBLE, S_DOUBLE, S_DOUBLE),
    G(FN_DOUBLE, S_DOUBLE, S_INT),
    G(FN_DOUBLE, S_DOUBLE, S_STRING),
    G(FN_DOUBLE, S_DOUBLE, S_UINT),
    G(FN_DURATION, S_DUR, S_DUR),
    G(FN_DURATION, S_DUR, S_STRING),
    G(FN_DYN, S_DYN, S_A),
    G(FN_INT, S_INT, S_INT),
    G(FN_INT, S_INT, S_DOUBLE),
    G(FN_INT, S_INT, S_DUR),
    G(FN_INT, S_INT, S_STRING),
    G(FN_INT, S_INT, S_TS),
    G(FN_INT, S_INT, S_UINT),
    G(FN_STRING, S_STRING, S_STRING),
    G(FN_STRING, S_STRING, S_BOOL),
    G(FN_STRING, S_STRING, S_BYTES),
    G(FN_STRING, S_STRING, S_DOUBLE),
    G(FN_STRING, S_STRING, S_DUR),
    G(FN_STRING, S_STRING, S_INT),
    G(FN_STRING, S_STRING, S_TS),
    G(FN_STRING, S_STRING, S_UINT),
    G(FN_TIMESTAMP, S_TS, S_TS),
    G(FN_TIMESTAMP, S_TS, S_INT),
    G(FN_TIMESTAMP, S_TS, S_STRING),
    G(FN_UINT, S_UINT, S_UINT),
    G(FN_UINT, S_UINT, S_DOUBLE),
    G(FN_UINT, S_UINT, S_INT),
    G(FN_UINT, S_UINT, S_STRING),
    M(FN_CONTAINS, S_BOOL, S_STRING, S_STRING),
    M(FN_ENDSWITH, S_BOOL, S_STRING, S_STRING),
    M(FN_STARTSWITH, S_BOOL, S_STRING, S_STRING),
    G(FN_MATCHES, S_BOOL, S_STRING, S_STRING),
    M(FN_MATCHES, S_BOOL, S_STRING, S_STRING),
    TIME_GETTER(FN_GETFULLYEAR),
    TIME_GETTER(FN_GETMONTH),
    TIME_GETTER(FN_GETDAYOFYEAR),
    TIME_GETTER(FN_GETDAYOFMONTH),
    TIME_GETTER(FN_GETDATE),
    TIME_GETTER(FN_GETDAYOFWEEK),
    TIME_GETTER(FN_GETHOURS),
    M(FN_GETHOURS, S_INT, S_DUR),
    TIME_GETTER(FN_GETMINUTES),
    M(FN_GETMINUTES, S_INT, S_DUR),
    TIME_GETTER(FN_GETSECONDS),
    M(FN_GETSECONDS, S_INT, S_DUR),
    TIME_GETTER(FN_GETMILLISECONDS),
    M(FN_GETMILLISECONDS, S_INT, S_DUR),
};

static const struct cel_ctype *prim(enum cel_ck k)
{
    return cel_ck_prim(k);
}

static void error_at(struct cel_checker *ck, const struct cel_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void error_at(struct cel_checker *ck, const struct cel_node *n, const char *fmt, ...)
{
    va_list ap;

    if (ck->status != GW_CEL_OK)
        return;
    ck->status = GW_CEL_ERR_CHECK;
    va_start(ap, fmt);
    cel_vdiag_at(ck->p, n->pos, ck->diag, fmt, ap);
    va_end(ap);
}

static const struct cel_ctype *type_of(const struct cel_node *n)
{
    return n->ctype ? n->ctype : prim(CK_ERROR);
}

static const char *tname(struct cel_checker *ck, const struct cel_ctype *t, char *buf, size_t n)
{
    cel_ck_format(cel_ck_subst(ck, t, true), buf, n);
    return buf;
}

static const struct cel_ctype *mk(struct cel_checker *ck, enum cel_ck k, const struct cel_ctype *x,
                                  const struct cel_ctype *y)
{
    const struct cel_ctype *t = cel_ck_new(ck->a, k, x, y);

    if (!t) {
        ck->status = GW_CEL_ERR_NOMEM;
        return prim(CK_ERROR);
    }
    return t;
}

static const struct cel_ctype *sig_type(struct cel_checker *ck, uint8_t s,
                                        const struct cel_ctype *A, const struct cel_ctype *B)
{
    static const uint8_t KINDS[] = {
        [S_BOOL] = CK_BOOL,     [S_INT] = CK_INT,       [S_UINT] = CK_UINT,
        [S_DOUBLE] = CK_DOUBLE, [S_STRING] = CK_STRING, [S_BYTES] = CK_BYTES,
        [S_TS] = CK_TS,         [S_DUR] = CK_DUR,       [S_DYN] = CK_DYN};
    switch (s) {
    case S_A:
        return A;
    case S_B:
        return B;
    case S_LA:
        return mk(ck, CK_LIST, A, NULL);
    case S_MAB:
        return mk(ck, CK_MAP, A, B);
    case S_TA:
        return mk(ck, CK_TYPE, A, NULL);
    default:
        return prim((enum cel_ck)KINDS[s]);
    }
}

static bool uses_params(const struct overload *o)
{
    for (uint8_t i = 0; i < o->nargs; i++)
        if (o->args[i] >= S_A)
            return true;
    return false;
}

/* "(int, string)" or, for receiver calls, "string.(int)". */
static void signature(struct cel_checker *ck, const struct cel_ctype *const *args, size_t n,
                      bool member, char *out, size_t cap)
{
    size_t at = 0;
    char t[128];

    out[0] = '\0';
    for (size_t i = 0; i < n && at < cap; i++) {
        const char *sep = i == 0 ? (member ? "" : "(") : (member && i == 1 ? ".(" : ", ");
        tname(ck, args[i], t, sizeof(t));
        at += (size_t)snprintf(out + at, cap - at, "%s%s", sep, t);
    }
    if (at < cap)
        snprintf(out + at, cap - at, "%s", n == 0 ? "()" : (member && n == 1 ? ".()" : ")"));
}

static const struct cel_ctype *resolve_overload(struct cel_checker *ck, const struct cel_node *n,
                                                const struct cel_ctype *const *args, size_t nargs)
{
    const struct cel_ctype *result = NULL;

    for (size_t i = 0; i < sizeof(OVERLOADS) / sizeof(OVERLOADS[0]); i++) {
        const struct overload *o = &OVERLOADS[i];
        const struct cel_ctype *A = NULL, *B = NULL, *params[3], *rt;
        if (o->fn != n->op || o->cross || o->member != n->member || o->nargs != nargs)
            continue;
        if (uses_params(o)) {
            A = cel_ck_param(ck);
            B = cel_ck_param(ck);
        }
        for (uint8_t k = 0; k < o->nargs; k++)
            params[k] = sig_type(ck, o->args[k], A, B);
        if (!cel_ck_assign_list(ck, args, params, nargs))
            continue;
        rt = cel_ck_subst(ck, sig_type(ck, o->result, A, B), false);
        if (!result)
            result = rt;
        else if (result->kind != CK_DYN && !cel_ck_exact(rt, result))
            result = prim(CK_DYN);
    }
    if (!result) {
        char sig[400];
        signature(ck, args, nargs, n->member, sig, sizeof(sig));
        error_at(ck, n, "found no matching overload for '%s' applied to '%s'",
                 cel_fn_name((enum cel_fn)n->op), sig);
        return prim(CK_ERROR);
    }
    return result;
}

static void check(struct cel_checker *ck, struct cel_node *n);

static const struct cel_ctype *check_call(struct cel_checker *ck, struct cel_node *n)
{
    const struct cel_ctype *args[64];
    size_t nargs = n->u.call.nargs;
    char t[128];

    for (size_t i = 0; i < nargs; i++) {
        check(ck, n->u.call.args[i]);
        args[i] = type_of(n->u.call.args[i]);
    }
    if (n->op == FN_UNBOUND) {
        error_at(ck, n, "undeclared reference to '%.*s' (in container '')", (int)n->u.call.len,
                 n->u.call.name);
        return prim(CK_ERROR);
    }
    if (n->op == FN_AND || n->op == FN_OR) {
        for (size_t i = 0; i < nargs; i++) {
            if (!cel_ck_assign(ck, args[i], prim(CK_BOOL))) {
                error_at(ck, n->u.call.args[i], "expected type 'bool' but found '%s'",
                         tname(ck, args[i], t, sizeof(t)));
                return prim(CK_ERROR);
            }
        }
        return prim(CK_BOOL);
    }
    return resolve_overload(ck, n, args, nargs);
}

static const struct cel_ctype *check_select(struct cel_checker *ck, struct cel_node *n)
{
    const struct cel_ctype *t, *result;
    char buf[128];

    check(ck, n->u.sel.operand);
    t = cel_ck_subst(ck, type_of(n->u.sel.operand), false);
    switch (t->kind) {
    case CK_MAP:
        result = t->b;
        break;
    case CK_PARAM:
        cel_ck_assign(ck, prim(CK_DYN), t);
        result = prim(CK_DYN);
        break;
    case CK_DYN:
    case CK_ERROR:
        result = prim(CK_DYN);
        break;
    default:
        error_at(ck, n, "type '%s' does not support field selection", tname(ck, t, buf, 128));
        result = prim(CK_ERROR);
    }
    return n->op ? prim(CK_BOOL) : cel_ck_subst(ck, result, false);
}

static const struct cel_ctype *check_ident(struct cel_checker *ck, struct cel_node *n)
{
    static const uint8_t RT_KINDS[] = {
        [GW_CEL_RT_NULL] = CK_NULL,     [GW_CEL_RT_BOOL] = CK_BOOL,
        [GW_CEL_RT_INT] = CK_INT,       [GW_CEL_RT_UINT] = CK_UINT,
        [GW_CEL_RT_DOUBLE] = CK_DOUBLE, [GW_CEL_RT_STRING] = CK_STRING,
        [GW_CEL_RT_BYTES] = CK_BYTES,   [GW_CEL_RT_TIMESTAMP] = CK_TS,
        [GW_CEL_RT_DURATION] = CK_DUR,  [GW_CEL_RT_TYPE] = CK_TYPE,
    };
    const struct cel_ctype *t;

    switch (n->res) {
    case R_VAR:
        return ck->p->env->vars[n->slot].ctype;
    case R_LOCAL:
        return ck->locals[n->slot];
    case R_TYPE:
        if (n->slot == GW_CEL_RT_LIST)
            t = mk(ck, CK_LIST, prim(CK_DYN), NULL);
        else if (n->slot == GW_CEL_RT_MAP)
            t = mk(ck, CK_MAP, prim(CK_DYN), prim(CK_DYN));
        else
            t = prim((enum cel_ck)RT_KINDS[n->slot]);
        return mk(ck, CK_TYPE, t, NULL);
    default:
        error_at(ck, n, "undeclared reference to '%.*s' (in container '')", (int)n->u.id.len,
                 n->u.id.name);
        return prim(CK_ERROR);
    }
}

static const struct cel_ctype *join(struct cel_checker *ck, const struct cel_ctype *prev,
                                    const struct cel_ctype *cur)
{
    if (!prev)
        return cur;
    if (cel_ck_assign(ck, prev, cur))
        return cel_ck_most_general(prev, cur);
    return prim(CK_DYN); /* heterogeneous literals are lists/maps of dyn */
}

static const struct cel_ctype *check_aggregate(struct cel_checker *ck, struct cel_node *n)
{
    const struct cel_ctype *k = NULL, *v = NULL;
    size_t per = n->kind == N_MAP ? 2 : 1;

    for (size_t i = 0; i < n->u.agg.n; i++) {
        check(ck, n->u.agg.items[i * per]);
        k = join(ck, k, type_of(n->u.agg.items[i * per]));
        if (per == 2) {
            check(ck, n->u.agg.items[i * 2 + 1]);
            v = join(ck, v, type_of(n->u.agg.items[i * 2 + 1]));
        }
    }
    if (!k) {
        k = cel_ck_param(ck);
        v = per == 2 ? cel_ck_param(ck) : NULL;
    }
    return per == 2 ? mk(ck, CK_MAP, k, v) : mk(ck, CK_LIST, k, NULL);
}

static void expect_bool(struct cel_checker *ck, const struct cel_node *n)
{
    char t[128];

    if (!cel_ck_assign(ck, type_of(n), prim(CK_BOOL)))
        error_at(ck, n, "expected type 'bool' but found '%s'", tname(ck, type_of(n), t, 128));
}

static const struct cel_ctype *check_comp(struct cel_checker *ck, struct cel_node *n)
{
    const struct cel_ctype *rt, *var;
    char t[128];

    check(ck, n->u.comp.range);
    rt = cel_ck_subst(ck, type_of(n->u.comp.range), false);
    switch (rt->kind) {
    case CK_LIST:
    case CK_MAP:
        var = rt->a;
        break;
    case CK_DYN:
    case CK_ERROR:
    case CK_PARAM:
        cel_ck_assign(ck, prim(CK_DYN), rt);
        var = prim(CK_DYN);
        break;
    default:
        error_at(ck, n->u.comp.range,
                 "expression of type '%s' cannot be the range of a comprehension (must be "
                 "list, map, or dynamic)",
                 tname(ck, rt, t, 128));
        var = prim(CK_ERROR);
    }
    ck->locals[n->slot] = var;
    check(ck, n->u.comp.a);
    if (n->u.comp.b)
        check(ck, n->u.comp.b);
    switch (n->op) {
    case C_MAP:
        return mk(ck, CK_LIST, cel_ck_subst(ck, type_of(n->u.comp.a), false), NULL);
    case C_MAP_FILTER:
        expect_bool(ck, n->u.comp.a);
        return mk(ck, CK_LIST, cel_ck_subst(ck, type_of(n->u.comp.b), false), NULL);
    case C_FILTER:
        expect_bool(ck, n->u.comp.a);
        return mk(ck, CK_LIST, var, NULL);
    default:
        expect_bool(ck, n->u.comp.a);
        return prim(CK_BOOL);
    }
}

static const struct cel_ctype *literal_type(const struct gw_cel_val *v)
{
    switch (v->kind) {
    case GW_CEL_BOOL:
        return prim(CK_BOOL);
    case GW_CEL_INT:
        return prim(CK_INT);
    case GW_CEL_UINT:
        return prim(CK_UINT);
    case GW_CEL_DOUBLE:
        return prim(CK_DOUBLE);
    case GW_CEL_STRING:
        return prim(CK_STRING);
    case GW_CEL_BYTES:
        return prim(CK_BYTES);
    default:
        return prim(CK_NULL);
    }
}

static void check(struct cel_checker *ck, struct cel_node *n)
{
    const struct cel_ctype *t;

    if (ck->status != GW_CEL_OK)
        return;
    switch (n->kind) {
    case N_LIT:
        t = literal_type(&n->u.lit);
        break;
    case N_IDENT:
        t = check_ident(ck, n);
        break;
    case N_SELECT:
        t = check_select(ck, n);
        break;
    case N_CALL:
        t = check_call(ck, n);
        break;
    case N_LIST:
    case N_MAP:
        t = check_aggregate(ck, n);
        break;
    case N_COMP:
        t = check_comp(ck, n);
        break;
    default:
        t = prim(CK_ERROR);
        break;
    }
    n->ctype = t;
}

enum gw_cel_status cel_check(struct gw_cel_program *p, struct gw_cel_diag *diag)
{
    struct cel_checker ck;

    memset(&ck, 0, sizeof(ck));
    ck.p = p;
    ck.diag = diag;
    ck.a = &p->arena;
    check(&ck, p->root);
    return ck.status;
}
