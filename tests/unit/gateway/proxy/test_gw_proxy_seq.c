/* test_gw_proxy_seq.c - the sequential merge's parameters (krakend-config-transform.md §6.2):
 * which entries Lura's two regular expressions make of url placeholders and
 * sequential_propagated_params, and the values computed from earlier responses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_proxy_int.h"

#define S(x) ((char *)(uintptr_t)(x)) /* the config holds mutable strings */

static char *PROPAGATED[] = {
    S("resp0_first.foo"), S("xresp1foo and Resp0"), S("resp3_x"), S("resp0_"), S("resp00_a"),
    S("resp_1"),          S("resp1_a-b.c")};
static char *URL_PARAMS_2[] = {S("resp1_a.b"), S("JWT.sub"), S("Resp0_c"), S("resp0_a:b"),
                               S("respx_y")};

struct fixture {
    struct gw_backend b[3];
    struct gw_endpoint ep;
    struct ep_rt rt;
    size_t bidx[3];
};

static void setup(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    for (size_t i = 0; i < 3; i++) {
        f->bidx[i] = i;
        f->b[i].encoding = i == 1 ? GW_ENC_NOOP : GW_ENC_JSON;
    }
    f->b[2].url_params = (struct gw_strlist){URL_PARAMS_2, 5, true};
    f->ep.backends = f->b;
    f->ep.n_backends = 3;
    f->ep.sequential = true;
    f->ep.sequential_propagated_params = (struct gw_strlist){PROPAGATED, 7, true};
    f->rt.cfg = &f->ep;
    f->rt.main = (struct pipe_rt){.bidx = f->bidx, .n = 3, .merging = true, .sequential = true};
}

static void plan_text(const struct pipe_rt *p, size_t pos, char *out, size_t n)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < p->n_repl[pos] && used < n; i++) {
        const struct seq_repl *r = &p->repl[pos][i];
        used += (size_t)snprintf(out + used, n - used, "%s%s<%zu%s", i ? " " : "", r->dest,
                                 r->source, r->full ? "*" : "");
        for (size_t k = 0; k < r->path.n && used < n; k++)
            used += (size_t)snprintf(out + used, n - used, "%s%s", k ? "." : ":", r->path.items[k]);
    }
}

/* The entries of each position: `dest<source[*][:path]` (* = whole response). */
static void test_plan(void **state)
{
    struct fixture f;
    struct cmn_err err = {0};
    char got[1024];

    (void)state;
    setup(&f);
    assert_true(seq_plan_build(&f.rt.main, &f.ep, &err));
    plan_text(&f.rt.main, 0, got, sizeof(got));
    assert_string_equal(got, ""); /* propagated params only from the second backend on */
    plan_text(&f.rt.main, 1, got, sizeof(got));
    /* "xresp1foo" matches inside the word and needs no '_'; resp3 is beyond the 3 backends;
     * "resp0_" is the whole response; digits are kept as written; "resp_1" has no digits */
    assert_string_equal(got, "Resp0_first.foo<0:first.foo Resp1_foo<1:foo Resp0<0* Resp0<0* "
                             "Resp00_a<0:a Resp1_a-b.c<1:a-b.c");
    plan_text(&f.rt.main, 2, got, sizeof(got));
    /* url placeholders first ({resp1_a.b}, {Resp0_c}; not {JWT.sub}, {resp0_a:b}, {respx_y}) */
    assert_string_equal(got, "Resp1_a.b<1:a.b Resp0_c<0:c Resp0_first.foo<0:first.foo "
                             "Resp1_foo<1:foo Resp0<0* Resp0<0* Resp00_a<0:a Resp1_a-b.c<1:a-b.c");
    seq_plan_free(&f.rt.main);
}

static struct gw_json *parse(const char *s)
{
    struct gw_json_limits lim = {64, 0};
    struct cmn_err err = {0};
    struct gw_json *v = gw_json_parse(s, strlen(s), &lim, &err);

    assert_non_null(v);
    return v;
}

static const char *param(const struct call *c, const char *key)
{
    for (size_t i = 0; i < c->n_params; i++)
        if (strcmp(c->params[i].key, key) == 0)
            return c->params[i].value;
    return NULL;
}

/* Values: strings as is, numbers verbatim, lists joined with ',', the walk that stops at the
 * last object reached, the whole body of a no-op backend, later backends seeing all of them. */
static void test_values(void **state)
{
    struct fixture f;
    struct cmn_err err = {0};
    struct call *c = calloc(1, sizeof(*c));
    struct gw_presp r0 = {0}, r1 = {0};

    (void)state;
    setup(&f);
    assert_non_null(c);
    assert_true(seq_plan_build(&f.rt.main, &f.ep, &err));
    c->ep = &f.rt;
    c->pipe = &f.rt.main;
    c->n_parts = 3;
    c->seq = calloc(3, sizeof(*c->seq));
    assert_non_null(c->seq);

    r0.data = parse("{\"first\":{\"foo\":4.20},\"foo\":[1,\"a\",true],\"a\":7,\"c\":\"see\"}");
    seq_record(c, 0, &r0);
    assert_true(seq_compute(c, 1));
    assert_string_equal(param(c, "Resp0_first.foo"), "4.20");
    assert_null(param(c, "Resp0"));     /* backend 0 is not no-op: no whole response */
    assert_null(param(c, "Resp1_foo")); /* backend 1 has not answered */
    assert_string_equal(param(c, "Resp00_a"), "7");
    assert_null(param(c, "Resp0_c")); /* a url placeholder of backend 2 only */

    r1.data = parse("{\"a\":{\"b\":\"B\"},\"foo\":\"f\"}");
    r1.body = (char *)(uintptr_t) "{\"raw\": true}";
    r1.body_len = strlen(r1.body);
    seq_record(c, 1, &r1);
    assert_true(seq_compute(c, 2));
    assert_string_equal(param(c, "Resp1_a.b"), "B");
    assert_string_equal(param(c, "Resp0_c"), "see");
    assert_string_equal(param(c, "Resp1_foo"), "f");
    assert_string_equal(param(c, "Resp0_first.foo"), "4.20"); /* still there for backend 2 */
    /* "a-b" is missing in backend 1's data: the walk stops at its root, "c" is not there */
    assert_null(param(c, "Resp1_a-b.c"));

    gw_json_destroy(r0.data);
    gw_json_destroy(r1.data);
    c->n_parts = 3;
    seq_call_free(c);
    free(c);
    seq_plan_free(&f.rt.main);
}

/* The walk: a key that is missing or not an object stops it, and the last segment is looked up
 * in the object reached; a list becomes "a,b"; an empty list "". */
static void test_walk_quirk(void **state)
{
    static char *prop[] = {S("resp0_x.y.z"), S("resp0_list.n"), S("resp0_empty"), S("resp0_obj.q")};
    struct fixture f;
    struct cmn_err err = {0};
    struct call *c = calloc(1, sizeof(*c));
    struct gw_presp r0 = {0};

    (void)state;
    setup(&f);
    f.ep.sequential_propagated_params = (struct gw_strlist){prop, 4, true};
    f.b[2].url_params = (struct gw_strlist){0};
    assert_non_null(c);
    assert_true(seq_plan_build(&f.rt.main, &f.ep, &err));
    c->ep = &f.rt;
    c->pipe = &f.rt.main;
    c->n_parts = 3;
    c->seq = calloc(3, sizeof(*c->seq));
    assert_non_null(c->seq);
    r0.data =
        parse("{\"x\":{\"y\":5,\"z\":\"in-x\"},\"z\":\"top\",\"n\":[\"a\",\"b\"],\"empty\":[],"
              "\"obj\":{\"q\":{\"k\":1}}}");
    seq_record(c, 0, &r0);
    assert_true(seq_compute(c, 1));
    assert_string_equal(param(c, "Resp0_x.y.z"), "in-x"); /* y is no object: z read in x */
    assert_string_equal(param(c, "Resp0_list.n"), "a,b"); /* "list" missing: n read at the root */
    assert_string_equal(param(c, "Resp0_empty"), "");
    assert_string_equal(param(c, "Resp0_obj.q"), "map[k:1]");
    gw_json_destroy(r0.data);
    seq_call_free(c);
    free(c);
    seq_plan_free(&f.rt.main);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_walk_quirk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
