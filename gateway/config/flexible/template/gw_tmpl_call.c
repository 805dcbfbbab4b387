/* gw_tmpl_call.c - function calls as Go's evalCall makes them: arity checks, each argument
 * evaluated for its parameter type (constants typed by the parameter, values checked with
 * validateType), the piped value as last argument, and/or short-circuit, and errors wrapped as
 * "error calling NAME: ...". */
#include "gw_tmpl_exec_int.h"

#include <string.h>

static const char *ptype_name(uint8_t t)
{
    switch (t) {
    case TP_STRING:
        return "string";
    case TP_INT:
        return "int";
    case TP_FLOAT:
        return "float64";
    case TP_BOOL:
        return "bool";
    case TP_MAP:
        return "map[string]interface {}";
    case TP_VALUE:
        return "reflect.Value";
    default:
        return "interface {}";
    }
}

static bool type_ok(const struct tv *v, uint8_t t)
{
    switch (t) {
    case TP_STRING:
        return v->type == GT_STRING;
    case TP_INT:
        return v->type == GT_INT;
    case TP_FLOAT:
        return v->type == GT_FLOAT64;
    case TP_BOOL:
        return v->type == GT_BOOL;
    case TP_MAP:
        return v->type == GT_MAP;
    default:
        return true;
    }
}

/* Go's validateType: is v (possibly missing) assignable to a parameter of type t? */
static struct tv *validate(struct texec *x, struct tv *v, uint8_t t)
{
    if (!v)
        return NULL;
    if (v->kind == TV_MISSING) {
        if (t == TP_ANY || t == TP_MAP)
            return &tv_nil;
        if (t == TP_VALUE)
            return &tv_missing;
        return texec_errorf(x, "invalid value; expected %s", ptype_name(t));
    }
    if (v->kind == TV_NIL) {
        if (t == TP_ANY || t == TP_VALUE)
            return &tv_nil;
        return texec_errorf(x, "wrong type for value; expected %s; got interface {}",
                            ptype_name(t));
    }
    if (!type_ok(v, t))
        return texec_errorf(x, "wrong type for value; expected %s; got %s", ptype_name(t),
                            tv_type_name(v));
    return v;
}

static bool is_hex_int(const struct tstr *s)
{
    if (s->n <= 2 || s->p[0] != '0' || (s->p[1] != 'x' && s->p[1] != 'X'))
        return false;
    return !memchr(s->p, 'p', s->n) && !memchr(s->p, 'P', s->n);
}

struct tv *texec_ideal_constant(struct texec *x, const struct node *n)
{
    const struct tnumber *v = &n->u.num.v;
    const struct tstr *t = &n->u.num.text;
    bool floaty = false;

    x->node = n;
    for (size_t i = 0; i < t->n; i++)
        if (strchr(".eEpP", t->p[i]))
            floaty = true;
    if (v->is_float && !is_hex_int(t) && t->p[0] != '\'' && floaty)
        return tv_float(x, v->f);
    if (v->is_int)
        return tv_int(x, v->i);
    if (v->is_uint)
        return texec_errorf(x, "%.*s overflows int", (int)t->n, t->p);
    return &tv_missing;
}

static struct tv *expected(struct texec *x, const char *what, const struct node *n)
{
    struct cmn_buf b;

    cmn_buf_init(&b, 200);
    tnode_string(n, &b);
    texec_errorf(x, "expected %s; found %s", what, cmn_buf_str(&b));
    cmn_buf_free(&b);
    return NULL;
}

/* Go's evalArg: the argument node n evaluated for a parameter of type t. */
static struct tv *eval_arg(struct texec *x, struct ev dot, uint8_t t, const struct node *n)
{
    struct node *const self[1] = {(struct node *)(uintptr_t)n};

    x->node = n;
    switch (n->type) {
    case NT_DOT:
        return validate(x, dot.v, t);
    case NT_NIL:
        if (t == TP_ANY || t == TP_VALUE || t == TP_MAP)
            return &tv_nil;
        return texec_errorf(x, "cannot assign nil to %s", ptype_name(t));
    case NT_FIELD:
        return validate(
            x, texec_field_chain(x, dot, dot, n, n->u.field.ids, n->u.field.n, self, 1, NULL).v, t);
    case NT_VARIABLE:
        return validate(x, texec_variable(x, dot, n, NULL, 0, NULL).v, t);
    case NT_PIPE:
        return validate(x, texec_pipeline(x, dot, n), t);
    case NT_IDENT:
        return validate(x, texec_function(x, dot, n, n, NULL, 0, NULL).v, t);
    case NT_CHAIN:
        return validate(x, texec_chain(x, dot, n, NULL, 0, NULL).v, t);
    default:
        break;
    }
    switch (t) {
    case TP_BOOL:
        if (n->type == NT_BOOL)
            return tv_bool(n->u.b);
        return expected(x, "bool", n);
    case TP_FLOAT:
        if (n->type == NT_NUMBER && n->u.num.v.is_float)
            return tv_float(x, n->u.num.v.f);
        return expected(x, "float", n);
    case TP_INT:
        if (n->type == NT_NUMBER && n->u.num.v.is_int)
            return tv_int(x, n->u.num.v.i);
        return expected(x, "integer", n);
    case TP_STRING:
        if (n->type == NT_STRING)
            return tv_str_ref(x, n->u.str.text.p, n->u.str.text.n);
        return expected(x, "string", n);
    case TP_ANY:
    case TP_VALUE:
        if (n->type == NT_BOOL)
            return tv_bool(n->u.b);
        if (n->type == NT_NUMBER)
            return texec_ideal_constant(x, n);
        if (n->type == NT_STRING)
            return tv_str_ref(x, n->u.str.text.p, n->u.str.text.n);
        break;
    default:
        break;
    }
    {
        struct cmn_buf b;
        cmn_buf_init(&b, 200);
        tnode_string(n, &b);
        texec_errorf(x, "can't handle %s for arg of type %s", cmn_buf_str(&b), ptype_name(t));
        cmn_buf_free(&b);
    }
    return NULL;
}

static struct ev and_or(struct texec *x, struct ev dot, const struct tfn *f,
                        struct node *const *args, size_t nargs, struct tv *final)
{
    bool is_or = f->special == TFN_OR;
    struct tv *v = &tv_missing;

    for (size_t i = 0; i < nargs; i++) {
        v = eval_arg(x, dot, TP_VALUE, args[i]);
        if (!v)
            return EV_ERR;
        if (tv_truth(v) == is_or)
            return (struct ev){v, false};
    }
    if (final)
        v = final;
    return (struct ev){v, false};
}

/* A gw_tmpl_set_func function: its argument marshalled, its text returned as a string. */
static struct tv *host_call(struct texec *x, const struct tfn *fn, struct tv *arg)
{
    const struct thostfn *f = (const struct thostfn *)fn;
    struct cmn_buf in, out;
    struct tv *res = NULL;
    const char *why = NULL;
    char reason[256] = "";
    int rc;

    cmn_buf_init(&in, x->lim->max_output);
    cmn_buf_init(&out, x->lim->max_output);
    rc = tjson_marshal(x, &in, arg, TJSON_COMPACT, &why);
    if (rc == 0)
        tfn_fail(x, "%s", why);
    else if (rc > 0 &&
             !f->fn(f->ctx, in.data ? in.data : "null", in.len, &out, reason, sizeof(reason)))
        tfn_fail(x, "%s", reason[0] ? reason : "failed");
    else if (rc > 0)
        res = tv_str_copy(x, out.data ? out.data : "", out.len);
    cmn_buf_free(&in);
    cmn_buf_free(&out);
    return res;
}

struct ev texec_function(struct texec *x, struct ev dot, const struct node *ident,
                         const struct node *cmd, struct node *const *args, size_t nargs,
                         struct tv *final)
{
    const struct tstr *name = &ident->u.text;
    const struct tfn *f;
    size_t num_in, num_fixed, i = 0;
    struct tv *stack_argv[8], **argv = stack_argv, *res;

    x->node = ident;
    f = tfn_find(x->set, name->p, name->n);
    if (!f) {
        texec_errorf(x, "\"%.*s\" is not a defined function", (int)name->n, name->p);
        return EV_ERR;
    }
    if (args) {
        args++;
        nargs--;
    }
    num_in = nargs + (final ? 1 : 0);
    num_fixed = nargs;
    if (f->variadic != TP_NONE) {
        num_fixed = f->nfixed;
        if (num_in < num_fixed) {
            texec_errorf(x, "wrong number of args for %.*s: want at least %u got %zu", (int)name->n,
                         name->p, f->nfixed, nargs);
            return EV_ERR;
        }
    } else if (num_in != f->nfixed) {
        texec_errorf(x, "wrong number of args for %.*s: want %u got %zu", (int)name->n, name->p,
                     f->nfixed, num_in);
        return EV_ERR;
    }
    if (f->special == TFN_AND || f->special == TFN_OR)
        return and_or(x, dot, f, args, nargs, final);
    if (num_in > sizeof(stack_argv) / sizeof(stack_argv[0])) {
        argv = texec_alloc(x, num_in * sizeof(*argv));
        if (!argv)
            return EV_ERR;
    }
    for (; i < num_fixed && i < nargs; i++)
        if (!(argv[i] = eval_arg(x, dot, f->fixed[i], args[i])))
            return EV_ERR;
    for (; i < nargs; i++)
        if (!(argv[i] = eval_arg(x, dot, f->variadic, args[i])))
            return EV_ERR;
    if (final) {
        uint8_t t;
        if (f->variadic != TP_NONE)
            t = num_in - 1 < num_fixed ? f->fixed[num_in - 1] : f->variadic;
        else
            t = f->fixed[f->nfixed - 1];
        x->node = cmd;
        if (!(argv[i] = validate(x, final, t)))
            return EV_ERR;
    }
    x->node = cmd;
    if (f->special == TFN_UNSUPPORTED) {
        texec_errorf(x, "error calling %.*s: %.*s is not supported by this gateway", (int)name->n,
                     name->p, (int)name->n, name->p);
        return EV_ERR;
    }
    if (f->special == TFN_CALL) {
        /* no template value is a function: Go's call fails for every argument */
        struct cmn_buf b;
        cmn_buf_init(&b, 200);
        if (nargs)
            tnode_string(args[0], &b);
        if (tv_is_nilish(argv[0]))
            texec_errorf(x, "error calling call: call of nil");
        else
            texec_errorf(x, "error calling call: non-function %s of type %s", cmn_buf_str(&b),
                         tv_type_name(argv[0]));
        cmn_buf_free(&b);
        return EV_ERR;
    }
    x->fnfailed = false;
    if (f->special == TFN_HOST)
        res = host_call(x, f, argv[0]);
    else
        res = f->fn(x, argv, num_in);
    if (!res) {
        if (x->fnfailed && !x->failed) {
            x->node = cmd;
            texec_errorf(x, "error calling %.*s: %s", (int)name->n, name->p, x->fnerr);
        }
        return EV_ERR;
    }
    if (x->failed)
        return EV_ERR;
    return (struct ev){res, false};
}
