/* gw_cel_plan.c - name resolution (variables, qualified names, comprehension locals, types) and
 * constant regular expressions, run on every program whether or not it is type-checked. */
#include "gw_cel_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SCOPES 64

struct planner {
    struct gw_cel_program *p;
    struct gw_cel_diag *diag;
    enum gw_cel_status status;
    const char *scope_name[MAX_SCOPES];
    uint32_t scope_len[MAX_SCOPES];
    uint32_t depth;
};

struct cel_rx_const {
    struct cmn_go_re *re;
    const char *err;
};

static const struct {
    const char *name;
    enum gw_cel_rtype t;
} TYPE_NAMES[] = {
    {"bool", GW_CEL_RT_BOOL},     {"bytes", GW_CEL_RT_BYTES},
    {"double", GW_CEL_RT_DOUBLE}, {"google.protobuf.Duration", GW_CEL_RT_DURATION},
    {"int", GW_CEL_RT_INT},       {"list", GW_CEL_RT_LIST},
    {"map", GW_CEL_RT_MAP},       {"null_type", GW_CEL_RT_NULL},
    {"string", GW_CEL_RT_STRING}, {"google.protobuf.Timestamp", GW_CEL_RT_TIMESTAMP},
    {"type", GW_CEL_RT_TYPE},     {"uint", GW_CEL_RT_UINT},
};

int cel_type_name(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof(TYPE_NAMES) / sizeof(TYPE_NAMES[0]); i++)
        if (strlen(TYPE_NAMES[i].name) == len && memcmp(TYPE_NAMES[i].name, s, len) == 0)
            return (int)TYPE_NAMES[i].t;
    return -1;
}

static int find_local(const struct planner *pl, const char *name, size_t len)
{
    for (uint32_t i = pl->depth; i-- > 0;)
        if (pl->scope_len[i] == len && memcmp(pl->scope_name[i], name, len) == 0)
            return (int)i;
    return -1;
}

/* Resolves a global name: R_VAR (slot) or R_TYPE (rtype), R_NONE when undeclared. */
static enum cel_res resolve_global(const struct planner *pl, const char *name, size_t len,
                                   uint32_t *slot)
{
    int v = cel_env_find(pl->p->env, name, len);

    if (v >= 0) {
        *slot = (uint32_t)v;
        return R_VAR;
    }
    v = cel_type_name(name, len);
    if (v >= 0) {
        *slot = (uint32_t)v;
        return R_TYPE;
    }
    return R_NONE;
}

static void plan_node(struct planner *pl, struct cel_node *n);

static void plan_ident(struct planner *pl, struct cel_node *n)
{
    int local;

    if (!n->member) {
        local = find_local(pl, n->u.id.name, n->u.id.len);
        if (local >= 0) {
            n->res = R_LOCAL;
            n->slot = (uint32_t)local;
            return;
        }
    }
    n->res = (uint8_t)resolve_global(pl, n->u.id.name, n->u.id.len, &n->slot);
}

/* The root identifier of a chain of field selections, or NULL. */
static const struct cel_node *chain_root(const struct cel_node *n, size_t *links)
{
    *links = 0;
    while (n->kind == N_SELECT && n->op == 0) {
        n = n->u.sel.operand;
        (*links)++;
    }
    return n->kind == N_IDENT ? n : NULL;
}

/* Qualified name of a select chain truncated to its first `links` selections, in buf. */
static size_t chain_name(const struct cel_node *n, size_t total, size_t links, char *buf,
                         size_t cap)
{
    const struct cel_node *sel[256];
    size_t k = 0, len;

    while (n->kind == N_SELECT && k < 256) {
        sel[k++] = n;
        n = n->u.sel.operand;
    }
    (void)total;
    len = n->u.id.len;
    if (len >= cap)
        return 0;
    memcpy(buf, n->u.id.name, len);
    for (size_t i = 0; i < links; i++) {
        const struct cel_node *s = sel[k - 1 - i];
        if (len + 1 + s->u.sel.len >= cap)
            return 0;
        buf[len++] = '.';
        memcpy(buf + len, s->u.sel.field, s->u.sel.len);
        len += s->u.sel.len;
    }
    return len;
}

/* The longest prefix of n's chain (of `links` selections) naming a global: its link count, or
 * -1. Leading-dot chains resolve from the root scope (the dot is not part of the name). */
static long longest_global(struct planner *pl, const struct cel_node *n, size_t links, char *buf,
                           size_t cap, size_t *len, enum cel_res *res, uint32_t *slot)
{
    for (size_t i = links + 1; i-- > 1;) {
        *len = chain_name(n, links, i, buf, cap);
        if (*len && (*res = resolve_global(pl, buf, *len, slot)) != R_NONE)
            return (long)i;
    }
    return -1;
}

/* a.b.c: the longest declared prefix wins (cel-spec "Name Resolution"): the select node ending
 * it becomes an identifier; the selections above it stay field selections. */
static bool plan_qualified(struct planner *pl, struct cel_node *n)
{
    size_t links, len;
    const struct cel_node *root = chain_root(n, &links);
    struct cel_node *target = n;
    char buf[512], *name;
    enum cel_res res = R_NONE;
    uint32_t slot = 0;
    long at;

    if (!root || links > 200 ||
        (!root->member && find_local(pl, root->u.id.name, root->u.id.len) >= 0))
        return false;
    at = longest_global(pl, n, links, buf, sizeof(buf), &len, &res, &slot);
    if (at < 0)
        return false;
    for (long i = (long)links; i > at; i--)
        target = target->u.sel.operand;
    name = cel_strdup(&pl->p->arena, buf, len);
    if (!name) {
        pl->status = GW_CEL_ERR_NOMEM;
        return true;
    }
    target->kind = N_IDENT;
    target->u.id.name = name;
    target->u.id.len = (uint32_t)len;
    target->member = 0;
    target->res = (uint8_t)res;
    target->slot = slot;
    return true;
}

static void plan_regex(struct planner *pl, struct cel_node *n)
{
    const struct cel_node *pat = n->u.call.args[1];
    struct cel_rx_const *rx, *grown;
    struct cmn_err err = {0};

    if (n->u.call.nargs != 2 || pat->kind != N_LIT || pat->u.lit.kind != GW_CEL_STRING)
        return;
    grown = cel_alloc(&pl->p->arena, (pl->p->n_regex + 1) * sizeof(*grown));
    if (!grown) {
        pl->status = GW_CEL_ERR_NOMEM;
        return;
    }
    if (pl->p->n_regex)
        memcpy(grown, pl->p->regex, pl->p->n_regex * sizeof(*grown));
    rx = &grown[pl->p->n_regex];
    /* cel-go compiles the pattern when it evaluates: a bad one is an evaluation error */
    rx->re = cmn_go_re_compile(pat->u.lit.v.s, pat->u.lit.n, 0, &err);
    if (!rx->re) {
        rx->err = cel_strdup(&pl->p->arena, err.msg, strlen(err.msg));
        if (!rx->err) {
            pl->status = GW_CEL_ERR_NOMEM;
            return;
        }
        if (!pl->p->warning)
            pl->p->warning = rx->err;
    }
    pl->p->regex = grown;
    n->slot = ++pl->p->n_regex;
}

/* A list or map literal of constants becomes a constant: built once, not per evaluation. */
static void fold(struct planner *pl, struct cel_node *n)
{
    uint32_t count = n->u.agg.n * (n->kind == N_MAP ? 2u : 1u);
    struct gw_cel_val *vals, out;

    for (uint32_t i = 0; i < count; i++)
        if (n->u.agg.items[i]->kind != N_LIT)
            return;
    vals = cel_alloc(&pl->p->arena, (count + 1) * sizeof(*vals));
    if (!vals) {
        pl->status = GW_CEL_ERR_NOMEM;
        return;
    }
    for (uint32_t i = 0; i < count; i++)
        vals[i] = n->u.agg.items[i]->u.lit;
    if (n->kind == N_LIST) {
        if (gw_cel_list_new(&pl->p->arena, vals, count, &out) != 0)
            return;
    } else {
        struct gw_cel_val *keys = cel_alloc(&pl->p->arena, (n->u.agg.n + 1) * sizeof(*keys));
        struct gw_cel_val *v = cel_alloc(&pl->p->arena, (n->u.agg.n + 1) * sizeof(*v));
        if (!keys || !v)
            return;
        for (uint32_t i = 0; i < n->u.agg.n; i++) {
            keys[i] = vals[2 * i];
            v[i] = vals[2 * i + 1];
        }
        if (cel_map_build(&pl->p->arena, keys, v, n->u.agg.n, &out) != 0)
            return; /* bad or repeated keys: an error at run time */
    }
    n->kind = N_LIT;
    n->u.lit = out;
}

/* getHours('Europe/Paris'): the zone is read now, at startup, rather than by a request. */
static void preload_zone(struct planner *pl, struct cel_node *n)
{
    const struct cel_node *tz = n->u.call.args[1];
    int32_t off;

    if (n->op < FN_GETFULLYEAR || n->op > FN_GETMILLISECONDS || n->u.call.nargs != 2 ||
        tz->kind != N_LIT || tz->u.lit.kind != GW_CEL_STRING || tz->u.lit.n == 0 ||
        memchr(tz->u.lit.v.s, ':', tz->u.lit.n) ||
        (tz->u.lit.n == 3 && memcmp(tz->u.lit.v.s, "UTC", 3) == 0))
        return;
    if ((!pl->p->env->opt.tzdb ||
         cmn_go_tzdb_lookup(pl->p->env->opt.tzdb, tz->u.lit.v.s, tz->u.lit.n, 0, &off, NULL) !=
             CMN_GO_TZ_OK) &&
        !pl->p->warning) {
        char msg[200];
        int len =
            snprintf(msg, sizeof(msg), "unknown time zone %.*s", (int)tz->u.lit.n, tz->u.lit.v.s);
        pl->p->warning =
            cel_strdup(&pl->p->arena, msg, (size_t)len < sizeof(msg) ? (size_t)len : 0);
    }
}

static void plan_comp(struct planner *pl, struct cel_node *n)
{
    plan_node(pl, n->u.comp.range);
    if (pl->depth >= MAX_SCOPES) {
        pl->status = GW_CEL_ERR_PARSE;
        cel_diag_at(pl->p, n->pos, pl->diag, "comprehensions nested too deeply");
        return;
    }
    pl->scope_name[pl->depth] = n->u.comp.var;
    pl->scope_len[pl->depth] = n->u.comp.len;
    n->slot = pl->depth++;
    if (pl->depth > pl->p->max_locals)
        pl->p->max_locals = pl->depth;
    plan_node(pl, n->u.comp.a);
    if (n->u.comp.b)
        plan_node(pl, n->u.comp.b);
    pl->depth--;
}

static void plan_node(struct planner *pl, struct cel_node *n)
{
    if (!n || pl->status != GW_CEL_OK)
        return;
    switch (n->kind) {
    case N_IDENT:
        plan_ident(pl, n);
        break;
    case N_SELECT:
        if (n->op != 0 || !plan_qualified(pl, n))
            plan_node(pl, n->u.sel.operand);
        break;
    case N_CALL:
        for (uint32_t i = 0; i < n->u.call.nargs; i++)
            plan_node(pl, n->u.call.args[i]);
        if (n->op == FN_MATCHES)
            plan_regex(pl, n);
        else
            preload_zone(pl, n);
        break;
    case N_LIST:
    case N_MAP:
        for (uint32_t i = 0; i < n->u.agg.n * (n->kind == N_MAP ? 2u : 1u); i++)
            plan_node(pl, n->u.agg.items[i]);
        break;
    case N_STRUCT:
        pl->status = GW_CEL_ERR_UNSUPPORTED;
        cel_diag_at(pl->p, n->pos, pl->diag, "protobuf message literals are not supported");
        break;
    case N_COMP:
        plan_comp(pl, n);
        break;
    default:
        break;
    }
}

enum gw_cel_status cel_plan(struct gw_cel_program *p, struct gw_cel_diag *diag)
{
    struct planner pl = {.p = p, .diag = diag};

    plan_node(&pl, p->root);
    return pl.status;
}

static void fold_walk(struct planner *pl, struct cel_node *n, int depth)
{
    if (!n || depth > 10000)
        return;
    switch (n->kind) {
    case N_SELECT:
        fold_walk(pl, n->u.sel.operand, depth + 1);
        break;
    case N_CALL:
        for (uint32_t i = 0; i < n->u.call.nargs; i++)
            fold_walk(pl, n->u.call.args[i], depth + 1);
        break;
    case N_LIST:
    case N_MAP:
        for (uint32_t i = 0; i < n->u.agg.n * (n->kind == N_MAP ? 2u : 1u); i++)
            fold_walk(pl, n->u.agg.items[i], depth + 1);
        fold(pl, n);
        break;
    case N_COMP:
        fold_walk(pl, n->u.comp.range, depth + 1);
        fold_walk(pl, n->u.comp.a, depth + 1);
        fold_walk(pl, n->u.comp.b, depth + 1);
        break;
    default:
        break;
    }
}

enum gw_cel_status cel_fold(struct gw_cel_program *p)
{
    struct planner pl = {.p = p};

    fold_walk(&pl, p->root, 0);
    return pl.status;
}

void cel_program_free_regex(struct gw_cel_program *p)
{
    struct cel_rx_const *rx = p->regex;

    for (uint32_t i = 0; i < p->n_regex; i++)
        cmn_go_re_destroy(rx[i].re);
}

const struct cmn_go_re *cel_program_regex(const struct gw_cel_program *p, uint32_t slot,
                                          const char **err)
{
    const struct cel_rx_const *rx = p->regex;

    *err = rx[slot - 1].err;
    return rx[slot - 1].re;
}
