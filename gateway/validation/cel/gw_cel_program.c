/* gw_cel_program.c - CEL environments (declared variables, limits) and compilation: parse, plan,
 * check and fold one expression into an immutable program shared by all threads. */
#include "gw_cel_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM_ARENA_CAP ((size_t)64 << 20)

static void set_defaults(struct gw_cel_options *o)
{
    if (!o->max_expr_codepoints)
        o->max_expr_codepoints = 100000;
    if (!o->max_nodes)
        o->max_nodes = 16384;
    if (!o->max_depth)
        o->max_depth = 250;
    if (o->max_depth > 1000) /* the parser, checker and evaluator recurse this deep */
        o->max_depth = 1000;
    if (o->max_nodes > (1u << 20))
        o->max_nodes = 1u << 20;
    if (!o->max_iterations)
        o->max_iterations = 100000;
    if (!o->max_string_bytes)
        o->max_string_bytes = (size_t)1 << 20;
}

struct gw_cel_env *gw_cel_env_new(const struct gw_cel_options *opt)
{
    struct gw_cel_env *env = calloc(1, sizeof(*env));

    if (!env)
        return NULL;
    if (opt)
        env->opt = *opt;
    set_defaults(&env->opt);
    cel_arena_init(&env->arena, (size_t)16 << 20);
    return env;
}

void gw_cel_env_destroy(struct gw_cel_env *env)
{
    if (!env)
        return;
    cel_arena_free(&env->arena);
    free(env->vars);
    free(env);
}

int cel_env_find(const struct gw_cel_env *env, const char *name, size_t len)
{
    for (size_t i = 0; i < env->n_vars; i++)
        if (env->vars[i].len == len && memcmp(env->vars[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

int gw_cel_env_declare(struct gw_cel_env *env, const char *name, const char *type,
                       struct cmn_err *err)
{
    size_t len = name ? strlen(name) : 0;
    const void *t;

    if (!env || len == 0 || !type) {
        cmn_err_set(err, -1, "a variable needs a name and a type");
        return -1;
    }
    if (cel_env_find(env, name, len) >= 0) {
        cmn_err_set(err, -1, "variable %s declared twice", name);
        return -1;
    }
    t = cel_ctype_parse(&env->arena, type, strlen(type));
    if (!t) {
        cmn_err_set(err, -1, "variable %s: unknown type %s", name, type);
        return -1;
    }
    if (env->n_vars == env->cap_vars) {
        size_t cap = env->cap_vars ? env->cap_vars * 2 : 16;
        struct cel_var *v = realloc(env->vars, cap * sizeof(*v));
        if (!v) {
            cmn_err_set(err, -1, "out of memory");
            return -1;
        }
        env->vars = v;
        env->cap_vars = cap;
    }
    env->vars[env->n_vars].name = cel_strdup(&env->arena, name, len);
    env->vars[env->n_vars].len = len;
    env->vars[env->n_vars].ctype = t;
    if (!env->vars[env->n_vars].name) {
        cmn_err_set(err, -1, "out of memory");
        return -1;
    }
    return (int)env->n_vars++;
}

struct gw_cel_env *gw_cel_env_new_krakend(const struct gw_cel_options *opt)
{
    static const struct {
        const char *name, *type;
    } VARS[GW_CEL_VAR_COUNT] = {
        [GW_CEL_VAR_NOW] = {"now", "string"},
        [GW_CEL_VAR_REQ_METHOD] = {"req_method", "string"},
        [GW_CEL_VAR_REQ_PATH] = {"req_path", "string"},
        [GW_CEL_VAR_REQ_PARAMS] = {"req_params", "map(string, string)"},
        [GW_CEL_VAR_REQ_HEADERS] = {"req_headers", "map(string, list(string))"},
        [GW_CEL_VAR_REQ_QUERYSTRING] = {"req_querystring", "map(string, list(string))"},
        [GW_CEL_VAR_RESP_COMPLETED] = {"resp_completed", "bool"},
        [GW_CEL_VAR_RESP_METADATA_STATUS] = {"resp_metadata_status", "int"},
        [GW_CEL_VAR_RESP_METADATA_HEADERS] = {"resp_metadata_headers", "map(string, list(string))"},
        [GW_CEL_VAR_RESP_DATA] = {"resp_data", "map(string, dyn)"},
        [GW_CEL_VAR_JWT] = {"JWT", "map(string, dyn)"},
    };
    struct gw_cel_env *env = gw_cel_env_new(opt);

    for (int i = 0; env && i < GW_CEL_VAR_COUNT; i++) {
        if (gw_cel_env_declare(env, VARS[i].name, VARS[i].type, NULL) != i) {
            gw_cel_env_destroy(env);
            env = NULL;
        }
    }
    return env;
}

/* ---- diagnostics ---------------------------------------------------------------------------- */

void cel_vdiag_at(const struct gw_cel_program *p, uint32_t pos, struct gw_cel_diag *diag,
                  const char *fmt, va_list ap)
{
    unsigned line = 1, col = 1;

    if (!diag)
        return;
    for (uint32_t i = 0; i < pos && i < p->src_len; i++) {
        unsigned char c = (unsigned char)p->src[i];
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    diag->line = line;
    diag->column = col;
    vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
}

void cel_diag_at(const struct gw_cel_program *p, uint32_t pos, struct gw_cel_diag *diag,
                 const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cel_vdiag_at(p, pos, diag, fmt, ap);
    va_end(ap);
}

/* ---- programs ------------------------------------------------------------------------------- */

void gw_cel_program_destroy(struct gw_cel_program *p)
{
    if (!p)
        return;
    cel_program_free_regex(p);
    cel_arena_free(&p->arena);
    free(p);
}

const char *gw_cel_program_warning(const struct gw_cel_program *p)
{
    return p ? p->warning : NULL;
}

enum gw_cel_status gw_cel_compile(const struct gw_cel_env *env, const char *expr, size_t len,
                                  unsigned flags, struct gw_cel_program **out,
                                  struct gw_cel_diag *diag)
{
    struct gw_cel_program *p = calloc(1, sizeof(*p));
    enum gw_cel_status st = GW_CEL_ERR_NOMEM;

    *out = NULL;
    if (diag)
        memset(diag, 0, sizeof(*diag));
    if (!p || !env || (!expr && len))
        goto out;
    p->env = env;
    cel_arena_init(&p->arena, PROGRAM_ARENA_CAP);
    p->src = cel_strdup(&p->arena, expr ? expr : "", len);
    p->src_len = len;
    if (!p->src)
        goto out;
    st = cel_parse(p, diag);
    if (st == GW_CEL_OK)
        st = cel_plan(p, diag);
    if (st == GW_CEL_OK && !(flags & GW_CEL_NO_CHECK))
        st = cel_check(p, diag);
    if (st == GW_CEL_OK)
        st = cel_fold(p);
out:
    if (st != GW_CEL_OK) {
        if (st == GW_CEL_ERR_NOMEM && diag && !diag->msg[0])
            snprintf(diag->msg, sizeof(diag->msg), "out of memory");
        gw_cel_program_destroy(p);
        return st;
    }
    *out = p;
    return GW_CEL_OK;
}
