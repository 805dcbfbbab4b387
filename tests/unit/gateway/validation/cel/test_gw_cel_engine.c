/* test_gw_cel_engine.c - the CEL engine's contracts: no allocation on the hot path, caps that turn
 * into errors, builders and host documents, unknowns, threads, and linear-time regexes. */
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

static struct gw_cel_program *compile(const struct gw_cel_env *env, const char *expr)
{
    struct gw_cel_program *p = NULL;
    struct gw_cel_diag d;
    enum gw_cel_status st = gw_cel_compile(env, expr, strlen(expr), 0, &p, &d);

    if (st != GW_CEL_OK)
        fail_msg("%.60s: %u:%u: %s", expr, d.line, d.column, d.msg);
    return p;
}

static void render(struct gw_cel_val v, char *out, size_t n)
{
    gw_cel_format(&v, out, n);
}

/* ---- the hot path --------------------------------------------------------------------------- */

static void request_checks_allocate_nothing(void **state)
{
    static const struct gw_cel_kv params[] = {KV("Id", "30")};
    static const struct gw_cel_kv headers[] = {KV("X-Header", "something"),
                                               KV("X-Forwarded-For", "::1")};
    static const struct gw_cel_kv query[] = {KV("y", "1"), KV("y", "2")};
    struct gw_cel_req_vars rv = {
        "GET", 3, "/x", 2, params, 1, headers, 2, query, 2, "2024-03-06T10:15:30Z", 20};
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_program *p =
        compile(env, "'something' in req_headers['X-Header'] && int(req_params.Id) % 2 == 0 &&"
                     " '::1' in req_headers['X-Forwarded-For'] && '2' in req_querystring.y &&"
                     " req_params.Id.matches('^[0-9]+$') && has(req_querystring.y) &&"
                     " ['GET', 'POST'].exists(m, m == req_method) &&"
                     " (timestamp(now).getDayOfWeek() + 6) % 7 <= 4");
    struct gw_cel_activation *act;
    size_t before;
    struct gw_cel_val v;

    (void)state;
    for (int round = 0; round < 3; round++) {
        gw_cel_arena_reset(a);
        act = gw_cel_activation_new(a, env);
        assert_int_equal(gw_cel_bind_request(act, &rv), 0);
        before = gw_cel_arena_used(a);
        v = gw_cel_eval(p, act);
        assert_int_equal(v.kind, GW_CEL_BOOL);
        assert_true(v.v.b);
        /* the first matches() sets up its matcher state once per evaluation */
        if (round > 0)
            assert_true(gw_cel_arena_used(a) - before < 32 * 1024);
    }
    gw_cel_program_destroy(p);
    p = compile(env, "'something' in req_headers['X-Header'] && int(req_params.Id) % 2 == 0");
    before = gw_cel_arena_used(a);
    v = gw_cel_eval(p, act);
    assert_true(v.v.b);
    assert_int_equal(gw_cel_arena_used(a), before);
    gw_cel_program_destroy(p);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

/* ---- caps ----------------------------------------------------------------------------------- */

static enum gw_cel_status compile_with(const struct gw_cel_options *o, const char *expr,
                                       struct gw_cel_diag *d)
{
    struct gw_cel_env *env = gw_cel_env_new(o);
    struct gw_cel_program *p = NULL;
    enum gw_cel_status st = gw_cel_compile(env, expr, strlen(expr), 0, &p, d);

    gw_cel_program_destroy(p);
    gw_cel_env_destroy(env);
    return st;
}

static char *repeat(const char *a, int n, const char *mid, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), lm = strlen(mid);
    char *s = malloc(n * (la + lb) + lm + 1), *o = s;

    for (int i = 0; i < n; i++, o += la)
        memcpy(o, a, la);
    memcpy(o, mid, lm);
    o += lm;
    for (int i = 0; i < n; i++, o += lb)
        memcpy(o, b, lb);
    *o = '\0';
    return s;
}

static void compile_caps(void **state)
{
    struct gw_cel_options small = {.max_expr_codepoints = 20};
    struct gw_cel_options few = {.max_nodes = 10};
    struct gw_cel_diag d;
    char *deep = repeat("(", 400, "1", ")"), *chain = repeat("1 + ", 300, "1", "");
    char *wide = repeat("[", 1, "1,1,1,1,1,1,1,1,1,1,1,1,1", "]");

    (void)state;
    assert_int_equal(compile_with(&small, "'12345678901234567890'", &d), GW_CEL_ERR_PARSE);
    assert_non_null(strstr(d.msg, "code point size exceeds limit"));
    assert_int_equal(compile_with(&small, "'\xc3\xa9\xc3\xa9\xc3\xa9'", &d), GW_CEL_OK);
    assert_int_equal(compile_with(&few, wide, &d), GW_CEL_ERR_PARSE);
    assert_non_null(strstr(d.msg, "too complex"));
    assert_int_equal(compile_with(NULL, deep, &d), GW_CEL_ERR_PARSE);
    assert_non_null(strstr(d.msg, "recursion limit"));
    assert_int_equal(compile_with(NULL, chain, &d), GW_CEL_ERR_PARSE);
    assert_non_null(strstr(d.msg, "nesting exceeds the limit"));
    assert_int_equal(compile_with(NULL, "[1,\n '\xc3\xa9', y]", &d), GW_CEL_ERR_CHECK);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.column, 7); /* columns count code points */
    free(deep);
    free(chain);
    free(wide);
    /* just inside the limits: parsed, checked and evaluated without trouble */
    deep = repeat("dyn([", 80, "1", "])[0]");
    chain = repeat("1 + ", 240, "1", "");
    assert_int_equal(compile_with(NULL, deep, &d), GW_CEL_OK);
    assert_int_equal(compile_with(NULL, chain, &d), GW_CEL_OK);
    struct gw_cel_env *env = gw_cel_env_new(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_program *p = compile(env, deep);
    struct gw_cel_val v = gw_cel_eval(p, gw_cel_activation_new(a, env));
    assert_int_equal(v.kind, GW_CEL_INT);
    assert_int_equal(v.v.i, 1);
    gw_cel_program_destroy(p);
    p = compile(env, chain);
    v = gw_cel_eval(p, gw_cel_activation_new(a, env));
    assert_int_equal(v.v.i, 241);
    gw_cel_program_destroy(p);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
    free(deep);
    free(chain);
}

static void evaluation_caps(void **state)
{
    struct gw_cel_options o = {.max_iterations = 10, .max_string_bytes = 16};
    struct gw_cel_env *env = gw_cel_env_new(&o);
    struct gw_cel_arena *a = gw_cel_arena_new(4096);
    struct gw_cel_program *p;
    struct gw_cel_val v;
    char out[256];

    (void)state;
    p = compile(env, "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].all(x, true)");
    v = gw_cel_eval(p, gw_cel_activation_new(a, env));
    render(v, out, sizeof(out));
    assert_string_equal(out, "comprehension iteration limit exceeded");
    gw_cel_program_destroy(p);

    p = compile(env, "'aaaaaaaaaa' + 'bbbbbbbbbb'");
    v = gw_cel_eval(p, gw_cel_activation_new(a, env));
    render(v, out, sizeof(out));
    assert_string_equal(out, "string size limit exceeded");
    gw_cel_program_destroy(p);
    gw_cel_env_destroy(env);

    /* a 4 KiB arena: building lists runs out, as an error value */
    env = gw_cel_env_new(NULL);
    p = compile(env, "[1, 2, 3, 4, 5, 6, 7, 8].map(x, [x, x, x, x].map(y, [y, y, y, y]))");
    gw_cel_arena_reset(a);
    v = gw_cel_eval(p, gw_cel_activation_new(a, env));
    assert_int_equal(v.kind, GW_CEL_ERROR);
    render(v, out, sizeof(out));
    assert_string_equal(out, "evaluation memory limit exceeded");
    gw_cel_program_destroy(p);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

static void binding_beyond_the_arena_fails_cleanly(void **state)
{
    struct gw_cel_kv many[200];
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(2048);
    struct gw_cel_req_vars rv = {"GET", 3, "/", 1, NULL, 0, many, 200, NULL, 0, "", 0};
    struct gw_cel_activation *act;

    (void)state;
    for (int i = 0; i < 200; i++)
        many[i] = (struct gw_cel_kv){"X-A", 3, "v", 1};
    act = gw_cel_activation_new(a, env);
    assert_non_null(act);
    assert_int_equal(gw_cel_bind_request(act, &rv), -1);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

/* ---- values --------------------------------------------------------------------------------- */

static void builders(void **state)
{
    static const struct gw_cel_kv kv[] = {KV("b", "1"), KV("a", "2"), KV("b", "3")};
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_val keys[100], vals[100], m;
    char out[256];
    struct gw_cel_env *env = gw_cel_env_new(NULL);
    struct gw_cel_program *p;
    struct gw_cel_activation *act;

    (void)state;
    assert_int_equal(gw_cel_map_from_kv(a, kv, 3, true, &m), 0);
    render(m, out, sizeof(out));
    assert_string_equal(out, "{b: [1, 3], a: [2]}");
    assert_int_equal(gw_cel_map_from_kv(a, kv, 3, false, &m), 0);
    render(m, out, sizeof(out));
    assert_string_equal(out, "{b: 3, a: 2}");
    keys[0] = gw_cel_int(1);
    keys[1] = gw_cel_uint(1);
    assert_int_equal(gw_cel_map_new(a, keys, vals, 2, &m), -2); /* 1 and 1u are one key */
    keys[1] = gw_cel_double(2);
    assert_int_equal(gw_cel_map_new(a, keys, vals, 2, &m), -2); /* no double keys */
    /* a large map is hashed: every key found, numeric keys across int/uint/double */
    for (int i = 0; i < 100; i++) {
        keys[i] = i % 2 ? gw_cel_int(i) : gw_cel_uint((uint64_t)i);
        vals[i] = gw_cel_int(i * 10);
    }
    assert_int_equal(gw_cel_map_new(a, keys, vals, 100, &m), 0);
    gw_cel_env_declare(env, "m", "map(dyn, int)", NULL);
    p = compile(env, "[0, 1u, 98.0, 99].all(k, m[k] == int(k) * 10) && !(100 in m) && size(m) "
                     "== 100 && m.all(k, k in m)");
    act = gw_cel_activation_new(a, env);
    gw_cel_activation_set_name(act, "m", m);
    render(gw_cel_eval(p, act), out, sizeof(out));
    assert_string_equal(out, "true");
    gw_cel_program_destroy(p);
    gw_cel_env_destroy(env);
    gw_cel_arena_destroy(a);
}

/* A host document with number lexemes, as the gateway's own JSON keeps them. */
struct hnode {
    enum gw_cel_host_type t;
    const char *s; /* string value or number lexeme */
    const char *key[2];
    const struct hnode *kid[2];
    size_t n;
};

static enum gw_cel_host_type h_type(const void *n)
{
    return ((const struct hnode *)n)->t;
}

static bool h_bool(const void *n)
{
    return ((const struct hnode *)n)->s[0] == 't';
}

static void h_number(const void *n, double *d, const char **text, size_t *len)
{
    *d = strtod(((const struct hnode *)n)->s, NULL);
    *text = ((const struct hnode *)n)->s;
    *len = strlen(*text);
}

static void h_string(const void *n, const char **s, size_t *len)
{
    *s = ((const struct hnode *)n)->s;
    *len = strlen(*s);
}

static size_t h_size(const void *n)
{
    return ((const struct hnode *)n)->n;
}

static const void *h_at(const void *n, size_t i)
{
    return ((const struct hnode *)n)->kid[i];
}

static const void *h_get(const void *n, const char *k, size_t klen)
{
    const struct hnode *h = n;
    for (size_t i = 0; i < h->n; i++)
        if (strlen(h->key[i]) == klen && memcmp(h->key[i], k, klen) == 0)
            return h->kid[i];
    return NULL;
}

static bool h_next(const void *n, void **it, const char **k, size_t *klen, const void **v)
{
    const struct hnode *h = n;
    size_t i = (size_t)(uintptr_t)*it;
    if (i >= h->n)
        return false;
    *k = h->key[i];
    *klen = strlen(*k);
    *v = h->kid[i];
    *it = (void *)(uintptr_t)(i + 1);
    return true;
}

static const struct gw_cel_host_ops HOST = {h_type, h_bool, h_number, NULL,  h_string,
                                            h_size, h_at,   h_get,    h_next};

static void host_documents(void **state)
{
    static const struct hnode num = {GW_CEL_HOST_NUMBER, "1.10", {0}, {0}, 0};
    static const struct hnode yes = {GW_CEL_HOST_BOOL, "true", {0}, {0}, 0};
    static const struct hnode arr = {GW_CEL_HOST_ARRAY, NULL, {0}, {&num, &yes}, 2};
    static const struct hnode obj = {GW_CEL_HOST_OBJECT, NULL, {"price", "list"}, {&num, &arr}, 2};
    struct gw_cel_env *env = gw_cel_env_new_krakend(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_resp_vars rv = {.data = gw_cel_host(&HOST, &obj, GW_CEL_NUMBERS_TEXT)};
    struct gw_cel_program *p;
    struct gw_cel_activation *act;
    char out[128];

    (void)state;
    act = gw_cel_activation_new(a, env);
    assert_int_equal(gw_cel_bind_response(act, &rv), 0);
    /* json.Number keeps its text: "1.10", not 1.1 */
    p = compile(env, "resp_data.price == '1.10' && resp_data.list[1] && double(resp_data.price) "
                     "== 1.1 && resp_data.list == ['1.10', true] && resp_data == {'price': "
                     "'1.10', 'list': ['1.10', true]}");
    render(gw_cel_eval(p, act), out, sizeof(out));
    assert_string_equal(out, "true");
    gw_cel_program_destroy(p);
    /* the same document with float64 numbers */
    gw_cel_arena_reset(a);
    act = gw_cel_activation_new(a, env);
    rv.data = gw_cel_host(&HOST, &obj, GW_CEL_NUMBERS_DOUBLE);
    assert_int_equal(gw_cel_bind_response(act, &rv), 0);
    p = compile(env, "resp_data.price == 1.1 && resp_data.price > 1");
    render(gw_cel_eval(p, act), out, sizeof(out));
    assert_string_equal(out, "true");
    gw_cel_program_destroy(p);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

static void unknowns(void **state)
{
    static const struct {
        const char *expr, *want;
    } ROWS[] = {
        {"x || true", "true"},    {"true && x", "unknown"},        {"x == true", "unknown"},
        {"x ? 1 : 2", "unknown"}, {"[1].exists(i, x)", "unknown"}, {"[1].all(i, x)", "unknown"},
        {"false && x", "false"},  {"x || y.z == 1", "unknown"},
    };
    struct gw_cel_env *env = gw_cel_env_new(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    char out[64];

    (void)state;
    gw_cel_env_declare(env, "x", "bool", NULL);
    gw_cel_env_declare(env, "y", "map(string, int)", NULL);
    for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++) {
        struct gw_cel_program *p = compile(env, ROWS[i].expr);
        struct gw_cel_activation *act = gw_cel_activation_new(a, env);
        gw_cel_activation_set_unknown(act, 0);
        render(gw_cel_eval(p, act), out, sizeof(out));
        if (strcmp(out, ROWS[i].want) != 0)
            fail_msg("%s: want %s, got %s", ROWS[i].expr, ROWS[i].want, out);
        gw_cel_program_destroy(p);
    }
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

static void format_now(void **state)
{
    char out[GW_CEL_NOW_MAX];

    (void)state;
    gw_cel_format_now(1709716530, 500000000, 3600, out);
    assert_string_equal(out, "2024-03-06T10:15:30.5+01:00");
    gw_cel_format_now(0, 0, 0, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    gw_cel_format_now(1709716530, 123456789, -16200, out);
    assert_string_equal(out, "2024-03-06T04:45:30.123-04:30");
    gw_cel_format_now(1709716530, 999999, 0, out); /* below a millisecond: no fraction */
    assert_string_equal(out, "2024-03-06T09:15:30Z");
}

static void constant_regex_errors_surface_at_compile_time(void **state)
{
    struct gw_cel_env *env = gw_cel_env_new(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_program *p = compile(env, "'x'.matches('a(?=b)') || true");
    char out[128];

    (void)state;
    assert_non_null(gw_cel_program_warning(p));
    assert_non_null(strstr(gw_cel_program_warning(p), "invalid or unsupported Perl syntax"));
    render(gw_cel_eval(p, gw_cel_activation_new(a, env)), out, sizeof(out));
    assert_string_equal(out, "true"); /* an error at run time, absorbed by || as in cel-go */
    gw_cel_program_destroy(p);
    /* a constant zone name is looked up at compile time; an unknown one is reported */
    gw_cel_env_destroy(env);
    struct cmn_go_tzdb *tz = cmn_go_tzdb_new_system("/nonexistent");
    struct gw_cel_options o = {.tzdb = tz};
    env = gw_cel_env_new(&o);
    p = compile(env, "timestamp(0).getHours('Europe/Nowhere') == 0 || true");
    assert_non_null(gw_cel_program_warning(p));
    assert_string_equal(gw_cel_program_warning(p), "unknown time zone Europe/Nowhere");
    gw_cel_program_destroy(p);
    cmn_go_tzdb_destroy(tz);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
}

static void regex_time_is_bounded(void **state)
{
    /* (a|aa)*$ against a run of a's and one mismatch: exponential for a backtracking matcher;
     * cmn_go_re's DFA fallback answers like RE2, in one pass; short subjects too */
    char *expr = repeat("a", 20000, "", "");
    char *full = malloc(strlen(expr) + 128);
    struct gw_cel_env *env = gw_cel_env_new(NULL);
    struct gw_cel_arena *a = gw_cel_arena_new(0);
    struct gw_cel_program *p;
    char out[128];

    (void)state;
    snprintf(full, strlen(expr) + 128, "'%s!'.matches('^(a|aa)*$')", expr);
    p = compile(env, full);
    render(gw_cel_eval(p, gw_cel_activation_new(a, env)), out, sizeof(out));
    assert_string_equal(out, "false");
    gw_cel_program_destroy(p);
    snprintf(full, strlen(expr) + 128, "'%.12s!'.matches('^(a+)+$') || '%.12s'.matches('(a|aa)+$')",
             expr, expr);
    p = compile(env, full);
    render(gw_cel_eval(p, gw_cel_activation_new(a, env)), out, sizeof(out));
    assert_string_equal(out, "true");
    gw_cel_program_destroy(p);
    gw_cel_arena_destroy(a);
    gw_cel_env_destroy(env);
    free(full);
    free(expr);
}

/* ---- threads -------------------------------------------------------------------------------- */

struct shared {
    const struct gw_cel_env *env;
    const struct gw_cel_program *p;
    int ok;
};

static void *worker(void *arg)
{
    struct shared *s = arg;
    struct gw_cel_arena *a = gw_cel_arena_new(0);

    for (int i = 0; i < 500; i++) {
        gw_cel_arena_reset(a);
        struct gw_cel_val v = gw_cel_eval(s->p, gw_cel_activation_new(a, s->env));
        if (v.kind == GW_CEL_BOOL && v.v.b)
            __atomic_add_fetch(&s->ok, 1, __ATOMIC_RELAXED);
    }
    gw_cel_arena_destroy(a);
    return NULL;
}

static void programs_are_shared_across_threads(void **state)
{
    struct cmn_go_tzdb *tz = cmn_go_tzdb_new_system(NULL);
    struct gw_cel_options o = {.tzdb = tz};
    struct gw_cel_env *env = gw_cel_env_new(&o);
    struct shared s = {env, NULL, 0};
    pthread_t th[4];

    (void)state;
    s.p = compile(env, "[1, 2, 3].map(x, string(x) + 'a').exists(s, s.matches('^2a$')) && "
                       "timestamp('2024-03-06T09:15:30Z').getHours('+01:00') == 10 && "
                       "(timestamp('2024-03-06T09:15:30Z').getHours('Europe/Paris') == 10 || "
                       "timestamp('2024-03-06T09:15:30Z').getHours('Europe/Paris') == 0 || "
                       "true)");
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, &s), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(s.ok, 2000);
    gw_cel_program_destroy((struct gw_cel_program *)(uintptr_t)s.p);
    gw_cel_env_destroy(env);
    cmn_go_tzdb_destroy(tz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_checks_allocate_nothing),
        cmocka_unit_test(compile_caps),
        cmocka_unit_test(evaluation_caps),
        cmocka_unit_test(binding_beyond_the_arena_fails_cleanly),
        cmocka_unit_test(builders),
        cmocka_unit_test(host_documents),
        cmocka_unit_test(unknowns),
        cmocka_unit_test(format_now),
        cmocka_unit_test(constant_regex_errors_surface_at_compile_time),
        cmocka_unit_test(regex_time_is_bounded),
        cmocka_unit_test(programs_are_shared_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
