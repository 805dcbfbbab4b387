/* gw_cel_func.c - the CEL standard library at run time: dispatch of strict functions, equality
 * and ordering operators, indexing, membership, size, string predicates and matches(). */
#include "gw_cel_int.h"

#include "cmn_go_json.h"

#include <string.h>

static const char *const FN_NAMES[FN_COUNT] = {
    [FN_UNBOUND] = "",
    [FN_COND] = "_?_:_",
    [FN_AND] = "_&&_",
    [FN_OR] = "_||_",
    [FN_NOT] = "!_",
    [FN_NEG] = "-_",
    [FN_EQ] = "_==_",
    [FN_NE] = "_!=_",
    [FN_LT] = "_<_",
    [FN_LE] = "_<=_",
    [FN_GT] = "_>_",
    [FN_GE] = "_>=_",
    [FN_ADD] = "_+_",
    [FN_SUB] = "_-_",
    [FN_MUL] = "_*_",
    [FN_DIV] = "_/_",
    [FN_MOD] = "_%_",
    [FN_INDEX] = "_[_]",
    [FN_IN] = "@in",
    [FN_SIZE] = "size",
    [FN_TYPE] = "type",
    [FN_BOOL] = "bool",
    [FN_BYTES] = "bytes",
    [FN_DOUBLE] = "double",
    [FN_DURATION] = "duration",
    [FN_DYN] = "dyn",
    [FN_INT] = "int",
    [FN_STRING] = "string",
    [FN_TIMESTAMP] = "timestamp",
    [FN_UINT] = "uint",
    [FN_CONTAINS] = "contains",
    [FN_ENDSWITH] = "endsWith",
    [FN_STARTSWITH] = "startsWith",
    [FN_MATCHES] = "matches",
    [FN_GETFULLYEAR] = "getFullYear",
    [FN_GETMONTH] = "getMonth",
    [FN_GETDAYOFYEAR] = "getDayOfYear",
    [FN_GETDAYOFMONTH] = "getDayOfMonth",
    [FN_GETDATE] = "getDate",
    [FN_GETDAYOFWEEK] = "getDayOfWeek",
    [FN_GETHOURS] = "getHours",
    [FN_GETMINUTES] = "getMinutes",
    [FN_GETSECONDS] = "getSeconds",
    [FN_GETMILLISECONDS] = "getMilliseconds",
};

enum cel_fn cel_fn_lookup(const char *name, size_t len)
{
    for (int i = 1; i < FN_COUNT; i++)
        if (strlen(FN_NAMES[i]) == len && memcmp(FN_NAMES[i], name, len) == 0)
            return (enum cel_fn)i;
    return FN_UNBOUND;
}

const char *cel_fn_name(enum cel_fn fn)
{
    return (unsigned)fn < FN_COUNT ? FN_NAMES[fn] : "";
}

static struct gw_cel_val no_overload(void)
{
    return cel_err_static("no such overload");
}

/* A list index as CEL accepts it: int, uint, or a double holding an integer. */
static bool list_index(const struct gw_cel_val *x, int64_t *i)
{
    switch (x->kind) {
    case GW_CEL_INT:
        *i = x->v.i;
        return true;
    case GW_CEL_UINT:
        *i = x->v.u > (uint64_t)INT64_MAX ? -1 : (int64_t)x->v.u;
        return true;
    case GW_CEL_DOUBLE:
        if (!(x->v.d > -9223372036854775808.0 && x->v.d < 9223372036854775808.0) ||
            (double)(int64_t)x->v.d != x->v.d)
            return false;
        *i = (int64_t)x->v.d;
        return true;
    default:
        return false;
    }
}

static struct gw_cel_val index_of(struct cel_ectx *c, const struct gw_cel_val *x,
                                  const struct gw_cel_val *y)
{
    struct gw_cel_val out;
    char key[128];
    int64_t i;

    if (x->kind == GW_CEL_LIST) {
        size_t n = cel_len(x);
        if (!list_index(y, &i))
            return cel_err(c->a, "unsupported index value");
        if (i < 0 || (uint64_t)i >= n)
            return cel_err(c->a, "index '%lld' out of range in list size '%zu'", (long long)i, n);
        return cel_list_at(c->a, x, (size_t)i);
    }
    if (x->kind == GW_CEL_MAP) {
        if (cel_map_find(c->a, x, y, &out))
            return out;
        gw_cel_format(y, key, sizeof(key));
        return cel_err(c->a, "no such key: %s", key);
    }
    return no_overload();
}

static struct gw_cel_val member_of(struct cel_ectx *c, const struct gw_cel_val *x,
                                   const struct gw_cel_val *y)
{
    struct gw_cel_val e;

    if (y->kind == GW_CEL_LIST) {
        size_t n = cel_len(y);
        for (size_t i = 0; i < n; i++) {
            e = cel_list_at(c->a, y, i);
            if (cel_equal(c->a, x, &e, 0))
                return gw_cel_bool(true);
        }
        return gw_cel_bool(false);
    }
    if (y->kind == GW_CEL_MAP)
        return gw_cel_bool(cel_map_find(c->a, y, x, &e));
    return no_overload();
}

static struct gw_cel_val size_of(const struct gw_cel_val *x)
{
    switch (x->kind) {
    case GW_CEL_STRING:
        return gw_cel_int((int64_t)cmn_go_utf8_count(x->v.s, x->n));
    case GW_CEL_BYTES:
        return gw_cel_int((int64_t)x->n);
    case GW_CEL_LIST:
    case GW_CEL_MAP:
        return gw_cel_int((int64_t)cel_len(x));
    default:
        return no_overload();
    }
}

static struct gw_cel_val order(enum cel_fn fn, const struct gw_cel_val *x,
                               const struct gw_cel_val *y)
{
    int c = cel_compare(x, y);

    if (c == 2)
        return no_overload();
    if (c == 3)
        return cel_err_static("NaN values cannot be ordered");
    switch (fn) {
    case FN_LT:
        return gw_cel_bool(c < 0);
    case FN_LE:
        return gw_cel_bool(c <= 0);
    case FN_GT:
        return gw_cel_bool(c > 0);
    default:
        return gw_cel_bool(c >= 0);
    }
}

static struct gw_cel_val string_pred(enum cel_fn fn, const struct gw_cel_val *s,
                                     const struct gw_cel_val *t)
{
    if (s->kind != GW_CEL_STRING || t->kind != GW_CEL_STRING)
        return no_overload();
    if (t->n > s->n)
        return gw_cel_bool(false);
    switch (fn) {
    case FN_STARTSWITH:
        return gw_cel_bool(memcmp(s->v.s, t->v.s, t->n) == 0);
    case FN_ENDSWITH:
        return gw_cel_bool(memcmp(s->v.s + s->n - t->n, t->v.s, t->n) == 0);
    default:
        if (t->n == 0)
            return gw_cel_bool(true);
        return gw_cel_bool(memmem(s->v.s, s->n, t->v.s, t->n) != NULL);
    }
}

/* cel-go: regexp.MatchString(pattern, s), the pattern compiled when the call runs (once at
 * plan time when it is a constant). RE2 never gives up; PCRE2 may, and then the check fails. */
static struct gw_cel_val matches(struct cel_ectx *c, const struct cel_node *n,
                                 const struct gw_cel_val *s, const struct gw_cel_val *pat)
{
    const struct cmn_go_re *re = NULL;
    struct cmn_go_re *own = NULL;
    enum cmn_go_re_match rc;

    if (s->kind != GW_CEL_STRING || pat->kind != GW_CEL_STRING)
        return no_overload();
    if (n->slot) {
        const char *msg = NULL;
        re = cel_program_regex(c->p, n->slot, &msg);
        if (!re)
            return cel_err(c->a, "%s", msg);
    } else {
        struct cmn_err err = {0};
        own = cmn_go_re_compile(pat->v.s, pat->n, CMN_GO_RE_ONCE, &err);
        if (!own)
            return cel_err(c->a, "%s", err.msg);
        re = own;
    }
    rc = cmn_go_re_match(re, s->v.s, s->n);
    cmn_go_re_destroy(own);
    switch (rc) {
    case CMN_GO_RE_MATCH:
        return gw_cel_bool(true);
    case CMN_GO_RE_NOMATCH:
        return gw_cel_bool(false);
    case CMN_GO_RE_LIMIT:
        return cel_err_static("regular expression match exceeded its step limit");
    default:
        return cel_err_static("regular expression match failed");
    }
}

static bool is_getter(enum cel_fn fn)
{
    return fn >= FN_GETFULLYEAR && fn <= FN_GETMILLISECONDS;
}

static struct gw_cel_val call1(struct cel_ectx *c, enum cel_fn fn, struct gw_cel_val *x)
{
    switch (fn) {
    case FN_NOT:
        return x->kind == GW_CEL_BOOL ? gw_cel_bool(!x->v.b) : no_overload();
    case FN_NEG:
        return cel_arith(c, fn, x, NULL);
    case FN_SIZE:
        return size_of(x);
    case FN_DYN:
        return *x;
    case FN_TYPE:
    case FN_BOOL:
    case FN_BYTES:
    case FN_DOUBLE:
    case FN_DURATION:
    case FN_INT:
    case FN_STRING:
    case FN_TIMESTAMP:
    case FN_UINT:
        return cel_convert(c, fn, x);
    default:
        return no_overload();
    }
}

static struct gw_cel_val call2(struct cel_ectx *c, const struct cel_node *n,
                               struct gw_cel_val *args)
{
    enum cel_fn fn = (enum cel_fn)n->op;

    switch (fn) {
    case FN_EQ:
    case FN_NE:
        return gw_cel_bool(cel_equal(c->a, &args[0], &args[1], 0) == (fn == FN_EQ));
    case FN_LT:
    case FN_LE:
    case FN_GT:
    case FN_GE:
        return order(fn, &args[0], &args[1]);
    case FN_ADD:
    case FN_SUB:
    case FN_MUL:
    case FN_DIV:
    case FN_MOD:
        return cel_arith(c, fn, &args[0], &args[1]);
    case FN_INDEX:
        return index_of(c, &args[0], &args[1]);
    case FN_IN:
        return member_of(c, &args[0], &args[1]);
    case FN_CONTAINS:
    case FN_STARTSWITH:
    case FN_ENDSWITH:
        return string_pred(fn, &args[0], &args[1]);
    case FN_MATCHES:
        return matches(c, n, &args[0], &args[1]);
    default:
        return no_overload();
    }
}

struct gw_cel_val cel_call(struct cel_ectx *c, const struct cel_node *n, struct gw_cel_val *args,
                           size_t nargs)
{
    enum cel_fn fn = (enum cel_fn)n->op;

    if (is_getter(fn)) {
        if (nargs == 1 && args[0].kind == GW_CEL_DURATION)
            return cel_dur_get(fn, &args[0]);
        if ((nargs == 1 || nargs == 2) && args[0].kind == GW_CEL_TIMESTAMP &&
            (nargs == 1 || args[1].kind == GW_CEL_STRING))
            return cel_ts_get(c, fn, &args[0], nargs == 2 ? &args[1] : NULL);
        return no_overload();
    }
    if (nargs == 1)
        return call1(c, fn, &args[0]);
    return nargs == 2 ? call2(c, n, args) : no_overload();
}
