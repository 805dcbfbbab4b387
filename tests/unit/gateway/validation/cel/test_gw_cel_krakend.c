/* test_gw_cel_krakend.c - validation/cel as KrakenD runs it (spec §6.3-§6.7): classification,
 * fail-open rules, verdicts, the CE cases, bindings, caps and the allocation-free hot path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_cel.h"

#define KV(n, v)                                                                                   \
    {                                                                                              \
        n, sizeof(n) - 1, v, sizeof(v) - 1                                                         \
    }
#define NOW "2024-03-06T10:15:30.5+01:00"

static struct gw_cel_checks *checks(struct gw_cel_env *env, const char *cfg, enum gw_cel_level lvl)
{
    json_error_t je;
    json_t *j = cfg ? json_loads(cfg, JSON_DECODE_ANY, &je) : NULL;
    struct gw_cel_checks *c = NULL;
    struct cmn_err err;

    if (cfg)
        assert_non_null(j);
    assert_int_equal(gw_cel_checks_new(env, j, lvl, &c, &err), 0);
    json_decref(j);
    assert_non_null(c);
    return c;
}

/* A request with path parameter Id = id and, when header is set, X-Header: header. */
static struct gw_cel_activation *request(struct gw_cel_arena *a, struct gw_cel_env *env,
                                         const char *id, const char *header)
{
    struct gw_cel_kv params[] = {{"Id", 2, id, strlen(id)}};
    struct gw_cel_kv headers[] = {
        KV("X-Forwarded-For", "::1"),
        KV("User-Agent", "KrakenD"),
        {"X-Header", 8, header ? header : "", header ? strlen(header) : 0}};
    struct gw_cel_req_vars rv = {
        "GET", 3,   "/cel/req-resp", 13, params, 1, headers, header ? 3 : 2, NULL,
        0,     NOW, sizeof(NOW) - 1};
    struct gw_cel_activation *act;

    gw_cel_arena_reset(a);
    act = gw_cel_activation_new(a, env);
    assert_non_null(act);
    assert_int_equal(gw_cel_bind_request(act, &rv), 0);
    return act;
}

static int verdict(const struct gw_cel_checks *c, enum gw_cel_phase ph,
                   struct gw_cel_activation *act, struct gw_cel_verdict *v)
{
    return gw_cel_checks_eval(c, ph, act, v);
}

/* ---- §6.3 classification -------------------------------------------------------------------- */

static void classified_by_substring(void **state)
{
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);
    struct gw_cel_checks *c = checks(env,
                                     "[{\"check_expr\": \"'request' == 'request'\"},"
                                     " {\"check_expr\": \"'response'.size() > 0\"},"
                                     " {\"check_expr\": \"now.size() > 0\"},"
                                     " {\"check_expr\": \"now +\"},"
                                     " {\"check_expr\": \"req_method == 'GET' && resp_completed\"},"
                                     " {\"check_expr\": \"size(JWT) >= 0\"}]",
                                     GW_CEL_LEVEL_ENDPOINT);
    const struct gw_cel_expr_info *i;

    (void)state;
    assert_int_equal(gw_cel_checks_state(c), GW_CEL_ACTIVE);
    assert_int_equal(gw_cel_checks_count(c, GW_CEL_PHASE_PRE), 2);
    assert_int_equal(gw_cel_checks_count(c, GW_CEL_PHASE_POST), 2);
    assert_int_equal(gw_cel_checks_count(c, GW_CEL_PHASE_JWT), 1);
    assert_true(gw_cel_checks_jwt_enabled(c));
    /* a string literal classifies the text; `now` alone never runs (nor parses) */
    i = gw_cel_checks_expr(c, 0);
    assert_int_equal(i->phases, 1u << GW_CEL_PHASE_PRE);
    assert_int_equal(gw_cel_checks_expr(c, 1)->phases, 1u << GW_CEL_PHASE_POST);
    assert_int_equal(gw_cel_checks_expr(c, 2)->phases, 0);
    assert_int_equal(gw_cel_checks_expr(c, 3)->index[GW_CEL_PHASE_PRE], -1);
    /* one text in two phases keeps its rank in each */
    i = gw_cel_checks_expr(c, 4);
    assert_int_equal(i->index[GW_CEL_PHASE_PRE], 1);
    assert_int_equal(i->index[GW_CEL_PHASE_POST], 1);
    gw_cel_checks_destroy(c);
    gw_cel_env_destroy(env);
}

static void parse_error_drops_component(void **state)
{
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_verdict v;
    struct gw_cel_checks *c = checks(env,
                                     "[{\"check_expr\": \"req_method == 'POST'\"},"
                                     " {\"check_expr\": \"req_params.Id ==\"}]",
                                     GW_CEL_LEVEL_ENDPOINT);

    (void)state;
    assert_int_equal(gw_cel_checks_state(c), GW_CEL_DROPPED);
    assert_non_null(strstr(gw_cel_checks_drop_reason(c, GW_CEL_PHASE_PRE),
                           "error parsing the expression ERROR: <input>:1:17:"));
    assert_int_equal(gw_cel_checks_expr(c, 1)->status, GW_CEL_ERR_PARSE);
    /* fail-open: the false first check does not run either */
    assert_int_equal(verdict(c, GW_CEL_PHASE_PRE, request(a, env, "1", NULL), &v), 0);
    assert_int_equal(v.kind, GW_CEL_PASSED);
    gw_cel_checks_destroy(c);

    /* the docs' has() example does not parse: the backend's CEL checks vanish (spec §6.6) */
    c = checks(env,
               "[{\"check_expr\": \"has(req_querystring['foo[]']) && "
               "'bar' in req_querystring['foo[]']\"}]",
               GW_CEL_LEVEL_BACKEND);
    assert_int_equal(gw_cel_checks_state(c), GW_CEL_DROPPED);
    assert_non_null(
        strstr(gw_cel_checks_drop_reason(c, GW_CEL_PHASE_PRE), "invalid argument to has() macro"));
    gw_cel_checks_destroy(c);

    /* a response-phase parse error drops the request phase too */
    c = checks(env,
               "[{\"check_expr\": \"req_method == 'GET'\"}, {\"check_expr\": \"resp_data +\"}]",
               GW_CEL_LEVEL_BACKEND);
    assert_int_equal(gw_cel_checks_state(c), GW_CEL_DROPPED);
    assert_null(gw_cel_checks_drop_reason(c, GW_CEL_PHASE_PRE));
    assert_non_null(gw_cel_checks_drop_reason(c, GW_CEL_PHASE_POST));
    gw_cel_checks_destroy(c);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

static void check_error_skips_one_expression(void **state)
{
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_verdict v;
    struct gw_cel_checks *c = checks(env,
                                     "[{\"check_expr\": \"req_params.Id % 2 == 0\"},"
                                     " {\"check_expr\": \"resp_metadata_status == 200.0\"},"
                                     " {\"check_expr\": \"int(req_params.Id) % 2 == 0\"}]",
                                     GW_CEL_LEVEL_ENDPOINT);
    const struct gw_cel_expr_info *i = gw_cel_checks_expr(c, 0);

    (void)state;
    assert_int_equal(gw_cel_checks_state(c), GW_CEL_ACTIVE);
    assert_int_equal(i->status, GW_CEL_ERR_CHECK);
    assert_int_equal(i->diag.line, 1);
    assert_int_equal(i->diag.column, 15);
    assert_string_equal(i->diag.msg,
                        "found no matching overload for '_%_' applied to '(string, int)'");
    assert_int_equal(gw_cel_checks_expr(c, 1)->status, GW_CEL_ERR_CHECK);
    assert_int_equal(gw_cel_checks_count(c, GW_CEL_PHASE_PRE), 1);
    assert_int_equal(gw_cel_checks_count(c, GW_CEL_PHASE_POST), 0);
    assert_int_equal(gw_cel_checks_expr(c, 2)->index[GW_CEL_PHASE_PRE], 0);
    /* the index in the abort message counts compiled checks only */
    assert_int_equal(verdict(c, GW_CEL_PHASE_PRE, request(a, env, "3", NULL), &v), 1);
    assert_int_equal(v.kind, GW_CEL_FALSE);
    assert_string_equal(v.message, "request aborted by evaluator #0");
    gw_cel_checks_destroy(c);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

static void jwt_phase(void **state)
{
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_checks *c;
    struct gw_cel_verdict v;

    (void)state;
    c = checks(env, "[{\"check_expr\": \"size(JWT.roles)>1\"}]", GW_CEL_LEVEL_BACKEND);
    assert_false(gw_cel_checks_jwt_enabled(c)); /* no rejecter at backend level */
    assert_int_equal(gw_cel_checks_count(c, GW_CEL_PHASE_JWT), 0);
    gw_cel_checks_destroy(c);

    c = checks(env, "[{\"check_expr\": \"JWT.x +\"}, {\"check_expr\": \"req_method == 'GET'\"}]",
               GW_CEL_LEVEL_ENDPOINT);
    assert_false(gw_cel_checks_jwt_enabled(c)); /* disabled, fail-open */
    assert_int_equal(gw_cel_checks_state(c), GW_CEL_ACTIVE);
    assert_int_equal(gw_cel_checks_count(c, GW_CEL_PHASE_PRE), 1);
    gw_cel_checks_destroy(c);

    /* mentions JWT and req: both phases; the request phase has no JWT bound */
    c = checks(env, "[{\"check_expr\": \"JWT.sub == req_params.Id\"}]", GW_CEL_LEVEL_ENDPOINT);
    assert_int_equal(verdict(c, GW_CEL_PHASE_PRE, request(a, env, "1", NULL), &v), 1);
    assert_int_equal(v.kind, GW_CEL_FAILED);
    gw_cel_checks_destroy(c);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

static void config_decoded_as_go_does(void **state)
{
    static const struct {
        const char *cfg;
        enum gw_cel_state st;
        size_t pre;
    } CASES[] = {
        {NULL, GW_CEL_ABSENT, 0},
        {"{\"check_expr\": \"req_method == 'GET'\"}", GW_CEL_ABSENT, 0},
        {"[\"req_method == 'GET'\"]", GW_CEL_ABSENT, 0},
        {"[{\"check_expr\": 1}]", GW_CEL_ABSENT, 0},
        {"[{\"check_expr\": \"req_method == 'GET'\", \"mod_expr\": true}]", GW_CEL_ABSENT, 0},
        {"null", GW_CEL_ACTIVE, 0},
        {"[]", GW_CEL_ACTIVE, 0},
        {"[null, {}, {\"check_expr\": null}]", GW_CEL_ACTIVE, 0},
        {"[{\"Check_Expr\": \"req_method == 'GET'\"}]", GW_CEL_ACTIVE, 1},
        {"[{\"mod_expr\": \"req_method\", \"other\": 1}]", GW_CEL_ACTIVE, 0},
        {"[{\"check_expr\": \"req_x\", \"CHECK_EXPR\": \"req_method == 'GET'\"}]", GW_CEL_ACTIVE,
         1},
    };
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);

    (void)state;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        struct gw_cel_checks *c = checks(env, CASES[i].cfg, GW_CEL_LEVEL_ENDPOINT);
        if (gw_cel_checks_state(c) != CASES[i].st ||
            gw_cel_checks_count(c, GW_CEL_PHASE_PRE) != CASES[i].pre)
            fail_msg("case %zu: %s", i, CASES[i].cfg ? CASES[i].cfg : "NULL");
        gw_cel_checks_destroy(c);
    }
    gw_cel_env_destroy(env);
}

/* ---- §6.5 outcomes and §6.7 CE cases -------------------------------------------------------- */

static void verdicts(void **state)
{
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_verdict v;
    struct gw_cel_checks *c = checks(env,
                                     "[{\"check_expr\": \"resp_completed\"},"
                                     " {\"check_expr\": \"req_method == 'GET'\"},"
                                     " {\"check_expr\": \"req_method\"},"
                                     " {\"check_expr\": \"int(req_params.Id) > 0\"}]",
                                     GW_CEL_LEVEL_ENDPOINT);

    (void)state;
    assert_int_equal(verdict(c, GW_CEL_PHASE_PRE, request(a, env, "1", NULL), &v), 1);
    assert_int_equal(v.kind, GW_CEL_FALSE); /* a non-bool result */
    assert_int_equal(v.index, 1);
    gw_cel_checks_destroy(c);

    c = checks(env, "[{\"check_expr\": \"int(req_params.Id) > 0\"}]", GW_CEL_LEVEL_ENDPOINT);
    assert_int_equal(verdict(c, GW_CEL_PHASE_PRE, request(a, env, "abc", NULL), &v), 1);
    assert_int_equal(v.kind, GW_CEL_FAILED);
    assert_int_equal(v.result.kind, GW_CEL_ERROR);
    assert_string_equal(v.message, "request aborted by evaluator #0");
    assert_int_equal(verdict(c, GW_CEL_PHASE_PRE, request(a, env, "7", NULL), &v), 0);
    assert_int_equal(v.kind, GW_CEL_PASSED);
    assert_int_equal(v.index, -1);
    gw_cel_checks_destroy(c);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

static void ce_cases(void **state)
{
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_checks *ep =
        checks(env,
               "[{\"check_expr\": \"'something' in req_headers['X-Header']\"},"
               " {\"check_expr\": \"int(req_params.Id) % 2 == 0\"}]",
               GW_CEL_LEVEL_ENDPOINT);
    struct gw_cel_checks *b1 =
        checks(env, "[{\"check_expr\": \"int(req_params.Id) % 3 == 0\"}]", GW_CEL_LEVEL_BACKEND);
    struct gw_cel_checks *b2 =
        checks(env, "[{\"check_expr\": \"int(req_params.Id) % 5 == 0\"}]", GW_CEL_LEVEL_BACKEND);
    static const struct {
        const char *name, *id, *header;
        int ep_index, ep_kind; /* -1: passes */
        bool b1, b2;
    } CASES[] = {
        {"cel-1", "1", "something", 1, GW_CEL_FALSE, false, false},
        {"cel-2", "30", NULL, 0, GW_CEL_FAILED, false, false},
        {"cel-3", "10", "something", -1, 0, false, true},
        {"cel-4", "6", "something", -1, 0, true, false},
        {"cel-5", "30", "something", -1, 0, true, true},
    };
    struct gw_cel_verdict v;

    (void)state;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        struct gw_cel_activation *act = request(a, env, CASES[i].id, CASES[i].header);
        int rc = verdict(ep, GW_CEL_PHASE_PRE, act, &v);
        if (CASES[i].ep_index >= 0) {
            if (rc != 1 || v.index != CASES[i].ep_index || (int)v.kind != CASES[i].ep_kind)
                fail_msg("%s: endpoint verdict %d #%d", CASES[i].name, v.kind, v.index);
            continue;
        }
        assert_int_equal(rc, 0);
        if ((verdict(b1, GW_CEL_PHASE_PRE, act, &v) == 0) != CASES[i].b1 ||
            (verdict(b2, GW_CEL_PHASE_PRE, act, &v) == 0) != CASES[i].b2)
            fail_msg("%s: backend verdicts", CASES[i].name);
    }
    gw_cel_checks_destroy(ep);
    gw_cel_checks_destroy(b1);
    gw_cel_checks_destroy(b2);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

static void ce_jwt_case(void **state)
{
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_checks *c =
        checks(env, "[{\"check_expr\": \"size(JWT.roles)>1\"}]", GW_CEL_LEVEL_ENDPOINT);
    json_t *claims = json_loads("{\"sub\": \"1234567890qwertyuio\", \"roles\": [\"role_a\", "
                                "\"role_b\"], \"exp\": 2051882755, "
                                "\"http://example.com/custom\": \"foobar\"}",
                                0, NULL);
    json_t *one = json_loads("{\"roles\": [\"role_a\"]}", 0, NULL);
    struct gw_cel_activation *act;
    struct gw_cel_verdict v;

    (void)state;
    act = gw_cel_activation_new(a, env);
    assert_int_equal(gw_cel_bind_jwt(act, claims, NOW, sizeof(NOW) - 1), 0);
    assert_int_equal(verdict(c, GW_CEL_PHASE_JWT, act, &v), 0); /* cel-7 */
    gw_cel_arena_reset(a);
    act = gw_cel_activation_new(a, env);
    assert_int_equal(gw_cel_bind_jwt(act, one, NOW, sizeof(NOW) - 1), 0);
    assert_int_equal(verdict(c, GW_CEL_PHASE_JWT, act, &v), 1); /* rejected: 401 */
    json_decref(claims);
    json_decref(one);
    gw_cel_checks_destroy(c);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classified_by_substring),
        cmocka_unit_test(parse_error_drops_component),
        cmocka_unit_test(check_error_skips_one_expression),
        cmocka_unit_test(jwt_phase),
        cmocka_unit_test(config_decoded_as_go_does),
        cmocka_unit_test(verdicts),
        cmocka_unit_test(ce_cases),
        cmocka_unit_test(ce_jwt_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
