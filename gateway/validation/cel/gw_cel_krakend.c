/* gw_cel_krakend.c - KrakenD's validation/cel on top of the CEL engine (spec §6): the config
 * decoded as Go decodes it, expressions classified by substring, phases bound and evaluated. */
#include "gw_cel_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXPRS 1024

struct gw_cel_checks {
    enum gw_cel_state state;
    bool jwt_enabled;
    enum gw_cel_level level;
    char *drop[GW_CEL_PHASE_COUNT]; /* owned reason strings */
    struct gw_cel_expr_info *info;
    struct gw_cel_program **prog; /* by configured expression, NULL when not compiled */
    size_t n;
    const struct gw_cel_program **phase[GW_CEL_PHASE_COUNT];
    size_t count[GW_CEL_PHASE_COUNT];
};

static const struct gw_cel_map EMPTY_MAP = {0, NULL, NULL, NULL, 0};

static struct gw_cel_val empty_map(void)
{
    struct gw_cel_val v;

    memset(&v, 0, sizeof(v));
    v.kind = GW_CEL_MAP;
    v.v.p.a = &EMPTY_MAP;
    return v;
}

/* ---- bindings ------------------------------------------------------------------------------- */

static int bind_kv(struct gw_cel_activation *act, int slot, const struct gw_cel_kv *kv, size_t n,
                   bool lists)
{
    struct gw_cel_val v = empty_map();

    if (n && gw_cel_map_from_kv(act->arena, kv, n, lists, &v) != 0)
        return -1;
    return gw_cel_activation_set(act, slot, v);
}

int gw_cel_bind_request(struct gw_cel_activation *act, const struct gw_cel_req_vars *rv)
{
    if (!act || !rv || act->env->n_vars != GW_CEL_VAR_COUNT)
        return -1;
    gw_cel_activation_set(act, GW_CEL_VAR_NOW, gw_cel_string(rv->now, rv->now_len));
    gw_cel_activation_set(act, GW_CEL_VAR_REQ_METHOD, gw_cel_string(rv->method, rv->method_len));
    gw_cel_activation_set(act, GW_CEL_VAR_REQ_PATH, gw_cel_string(rv->path, rv->path_len));
    if (bind_kv(act, GW_CEL_VAR_REQ_PARAMS, rv->params, rv->n_params, false) != 0 ||
        bind_kv(act, GW_CEL_VAR_REQ_HEADERS, rv->headers, rv->n_headers, true) != 0 ||
        bind_kv(act, GW_CEL_VAR_REQ_QUERYSTRING, rv->query, rv->n_query, true) != 0)
        return -1;
    return 0;
}

int gw_cel_bind_response(struct gw_cel_activation *act, const struct gw_cel_resp_vars *rv)
{
    struct gw_cel_val data = rv ? rv->data : gw_cel_null();

    if (!act || !rv || act->env->n_vars != GW_CEL_VAR_COUNT)
        return -1;
    if (data.kind != GW_CEL_MAP)
        data = empty_map(); /* a nil Go map: no keys */
    gw_cel_activation_set(act, GW_CEL_VAR_NOW, gw_cel_string(rv->now, rv->now_len));
    gw_cel_activation_set(act, GW_CEL_VAR_RESP_COMPLETED, gw_cel_bool(rv->completed));
    gw_cel_activation_set(act, GW_CEL_VAR_RESP_METADATA_STATUS, gw_cel_int(rv->metadata_status));
    gw_cel_activation_set(act, GW_CEL_VAR_RESP_DATA, data);
    return bind_kv(act, GW_CEL_VAR_RESP_METADATA_HEADERS, rv->metadata_headers,
                   rv->n_metadata_headers, true);
}

int gw_cel_bind_jwt(struct gw_cel_activation *act, const json_t *claims, const char *now,
                    size_t now_len)
{
    if (!act || act->env->n_vars != GW_CEL_VAR_COUNT)
        return -1;
    gw_cel_activation_set(act, GW_CEL_VAR_NOW, gw_cel_string(now, now_len));
    return gw_cel_activation_set(act, GW_CEL_VAR_JWT,
                                 json_is_object(claims) ? gw_cel_json(claims, GW_CEL_NUMBERS_DOUBLE)
                                                        : empty_map());
}

/* ---- configuration -------------------------------------------------------------------------- */

static bool name_is(const char *key, const char *want)
{
    /* encoding/json matches struct fields case-insensitively */
    size_t n = strlen(want);

    if (strlen(key) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)key[i]) != want[i])
            return false;
    return true;
}

/* One {"check_expr": ..., "mod_expr": ...} element; false when Go's decoder would fail. */
static bool decode_def(const json_t *el, const char **expr, size_t *len)
{
    const char *key;
    json_t *val;

    *expr = "";
    *len = 0;
    if (json_is_null(el))
        return true;
    if (!json_is_object(el))
        return false;
    json_object_foreach((json_t *)(uintptr_t)el, key, val)
    {
        bool check = name_is(key, "check_expr");
        if (!check && !name_is(key, "mod_expr"))
            continue;
        if (json_is_null(val))
            continue;
        if (!json_is_string(val))
            return false;
        if (check) {
            *expr = json_string_value(val);
            *len = json_string_length(val);
        }
    }
    return true;
}

static unsigned classify(const char *s, size_t n)
{
    unsigned bits = 0;

    if (memmem(s, n, "req", 3))
        bits |= 1u << GW_CEL_PHASE_PRE;
    if (memmem(s, n, "resp", 4))
        bits |= 1u << GW_CEL_PHASE_POST;
    if (memmem(s, n, "JWT", 3))
        bits |= 1u << GW_CEL_PHASE_JWT;
    return bits;
}

void gw_cel_checks_destroy(struct gw_cel_checks *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        gw_cel_program_destroy(c->prog[i]);
        free((char *)(uintptr_t)c->info[i].expr);
    }
    for (int p = 0; p < GW_CEL_PHASE_COUNT; p++) {
        free(c->drop[p]);
        free(c->phase[p]);
    }
    free(c->prog);
    free(c->info);
    free(c);
}

static char *drop_reason(const struct gw_cel_diag *d)
{
    char buf[512];

    snprintf(buf, sizeof(buf), "error parsing the expression ERROR: <input>:%u:%u: %s", d->line,
             d->column, d->msg);
    return strdup(buf);
}

/* Compiles expression i and files it under its phases; -1 only when out of memory. */
static int compile_one(struct gw_cel_checks *c, const struct gw_cel_env *env, size_t i)
{
    struct gw_cel_expr_info *info = &c->info[i];
    unsigned phases = info->phases;
    enum gw_cel_status st;

    if (c->level == GW_CEL_LEVEL_BACKEND)
        phases &= ~(1u << GW_CEL_PHASE_JWT); /* no rejecter at backend level */
    if (!phases)
        return 0; /* never evaluated: not even parsed */
    st = gw_cel_compile(env, info->expr, strlen(info->expr), 0, &c->prog[i], &info->diag);
    info->status = st;
    if (st == GW_CEL_ERR_NOMEM)
        return -1;
    for (int p = 0; p < GW_CEL_PHASE_COUNT; p++) {
        if (!(phases & (1u << p)))
            continue;
        if (st == GW_CEL_ERR_PARSE) {
            if (!c->drop[p] && !(c->drop[p] = drop_reason(&info->diag)))
                return -1;
        } else if (st == GW_CEL_OK) {
            info->index[p] = (int)c->count[p];
            c->phase[p][c->count[p]++] = c->prog[i];
        }
    }
    return 0;
}

static int build(struct gw_cel_checks *c, const struct gw_cel_env *env, const json_t *cfg)
{
    size_t n = json_array_size(cfg);

    c->n = n;
    c->info = calloc(n + 1, sizeof(*c->info));
    c->prog = calloc(n + 1, sizeof(*c->prog));
    for (int p = 0; p < GW_CEL_PHASE_COUNT; p++)
        c->phase[p] = calloc(n + 1, sizeof(*c->phase[p]));
    if (!c->info || !c->prog || !c->phase[0] || !c->phase[1] || !c->phase[2])
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *expr;
        size_t len;
        if (!decode_def(json_array_get(cfg, i), &expr, &len)) {
            c->n = i;
            c->state = GW_CEL_ABSENT;
            return 0;
        }
        c->info[i].expr = strndup(expr, len); /* an embedded NUL ends it, as in a C config */
        if (!c->info[i].expr)
            return -1;
        c->info[i].phases = classify(expr, len);
        for (int p = 0; p < GW_CEL_PHASE_COUNT; p++)
            c->info[i].index[p] = -1;
    }
    for (size_t i = 0; i < n; i++)
        if (compile_one(c, env, i) != 0)
            return -1;
    /* A parse error in a pre or post expression drops the whole component (fail-open). */
    c->state =
        c->drop[GW_CEL_PHASE_PRE] || c->drop[GW_CEL_PHASE_POST] ? GW_CEL_DROPPED : GW_CEL_ACTIVE;
    c->jwt_enabled = c->level == GW_CEL_LEVEL_ENDPOINT && !c->drop[GW_CEL_PHASE_JWT];
    return 0;
}

int gw_cel_checks_new(const struct gw_cel_env *env, const json_t *cfg, enum gw_cel_level level,
                      struct gw_cel_checks **out, struct cmn_err *err)
{
    struct gw_cel_checks *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (!c) {
        cmn_err_set(err, -1, "out of memory");
        return -1;
    }
    c->level = level;
    if (cfg && (json_is_array(cfg) || json_is_null(cfg))) {
        if (json_array_size(cfg) > MAX_EXPRS) {
            c->state = GW_CEL_ABSENT;
        } else if (build(c, env, cfg) != 0) {
            gw_cel_checks_destroy(c);
            cmn_err_set(err, -1, "out of memory");
            return -1;
        }
    }
    *out = c;
    return 0;
}

enum gw_cel_state gw_cel_checks_state(const struct gw_cel_checks *c)
{
    return c ? c->state : GW_CEL_ABSENT;
}

bool gw_cel_checks_jwt_enabled(const struct gw_cel_checks *c)
{
    return c && c->state != GW_CEL_ABSENT && c->jwt_enabled;
}

const char *gw_cel_checks_drop_reason(const struct gw_cel_checks *c, enum gw_cel_phase ph)
{
    return c && (unsigned)ph < GW_CEL_PHASE_COUNT ? c->drop[ph] : NULL;
}

size_t gw_cel_checks_count(const struct gw_cel_checks *c, enum gw_cel_phase ph)
{
    return c && (unsigned)ph < GW_CEL_PHASE_COUNT ? c->count[ph] : 0;
}

size_t gw_cel_checks_exprs(const struct gw_cel_checks *c)
{
    return c ? c->n : 0;
}

const struct gw_cel_expr_info *gw_cel_checks_expr(const struct gw_cel_checks *c, size_t i)
{
    return c && i < c->n ? &c->info[i] : NULL;
}

static bool phase_runs(const struct gw_cel_checks *c, enum gw_cel_phase ph)
{
    if (!c || (unsigned)ph >= GW_CEL_PHASE_COUNT || c->state == GW_CEL_ABSENT)
        return false;
    return ph == GW_CEL_PHASE_JWT ? c->jwt_enabled : c->state == GW_CEL_ACTIVE;
}

int gw_cel_checks_eval(const struct gw_cel_checks *c, enum gw_cel_phase ph,
                       struct gw_cel_activation *act, struct gw_cel_verdict *v)
{
    memset(v, 0, sizeof(*v));
    v->index = -1;
    if (!phase_runs(c, ph))
        return 0;
    for (size_t i = 0; i < c->count[ph]; i++) {
        struct gw_cel_val r = gw_cel_eval(c->phase[ph][i], act);
        if (r.kind == GW_CEL_BOOL && r.v.b)
            continue;
        /* cel-go: an error is a failure; false, non-bool and unknown results are "false" */
        v->kind = r.kind == GW_CEL_ERROR ? GW_CEL_FAILED : GW_CEL_FALSE;
        v->index = (int)i;
        v->result = r;
        snprintf(v->message, sizeof(v->message), "request aborted by evaluator #%zu", i);
        return 1;
    }
    return 0;
}
