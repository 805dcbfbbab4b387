/* test_gw_cel_stage.c - validation/cel at its two places in the gateway (spec §6.3-§6.5): the
 * variables each level binds from the real request, the verdicts the pipe sees, post checks only
 * on an error-free outcome, and the fail-open rules at build time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gw_cel_stage.h"
#include "gw_proxy_request.h"

extern char **environ;

/* One endpoint /e/{id_user} (POST) with the given endpoint and backend CEL checks. */
static struct gw_config *config(const char *ep_checks, const char *be_checks)
{
    char buf[4096];
    struct cmn_err err = {0};
    struct gw_config *cfg;

    snprintf(buf, sizeof(buf),
             "{\"version\": 3, \"endpoints\": [{\"endpoint\": \"/e/{id_user}\", \"method\": "
             "\"POST\", \"input_headers\": [\"X-Header\", \"User-Agent\"], "
             "\"input_query_strings\": [\"a\"], \"extra_config\": {%s%s}, \"backend\": [{"
             "\"host\": [\"http://backend.example:8080\"], \"url_pattern\": \"/b/{id_user}\", "
             "\"method\": \"GET\", \"extra_config\": {%s%s}}]}]}",
             ep_checks ? "\"validation/cel\": " : "", ep_checks ? ep_checks : "",
             be_checks ? "\"validation/cel\": " : "", be_checks ? be_checks : "");
    cfg = gw_config_parse(buf, strlen(buf), "test.json", environ, &err);
    if (!cfg)
        fail_msg("%s", err.msg);
    return cfg;
}

static void request(struct gw_inreq *in, const char *x_header, const char *query)
{
    memset(in, 0, sizeof(*in));
    gw_hdrs_init(&in->headers, 0);
    in->method = strdup("POST");
    in->path = strdup("/e/7");
    in->raw_query = strdup(query);
    in->host = strdup("gw.example");
    in->client_ip = strdup("10.0.0.1");
    if (x_header)
        assert_true(gw_hdrs_add(&in->headers, "X-Header", x_header));
    assert_true(gw_hdrs_add(&in->headers, "X-Other", "o"));
    in->params = calloc(1, sizeof(*in->params));
    in->params[0].name = strdup("id_user");
    in->params[0].value = strdup("7");
    in->n_params = 1;
}

static void build_ep(const struct gw_config *cfg, struct gw_pstage *st)
{
    struct cmn_err err = {0};

    memset(st, 0, sizeof(*st));
    assert_true(gw_cel_endpoint_factory.build(NULL, cfg, &cfg->endpoints[0], st, &err));
}

/* Runs the endpoint's pre phase: NULL when it passed, else the error (owned). */
static char *ep_pre(const struct gw_config *cfg, struct gw_pstage *st, struct gw_inreq *in)
{
    struct gw_pstage_call call = {&cfg->endpoints[0], in, 0, 0, 0, NULL};
    struct gw_perr err = {0};
    enum gw_stage_verdict v = st->before(st->ctx, &call, &err);

    if (v == GW_STAGE_NEXT) {
        assert_null(err.msg);
        return NULL;
    }
    assert_int_equal(v, GW_STAGE_FAIL);
    assert_int_equal(err.kind, GW_PERR_PLAIN); /* no status of its own: 500 */
    return err.msg;
}

static void endpoint_pre_reads_the_request_krakend_builds(void **state)
{
    /* one check per fact, so the failing index says which one broke */
    struct gw_config *cfg = config(
        "[{\"check_expr\": \"req_method == 'POST'\"},"
        " {\"check_expr\": \"req_path == '/e/7'\"},"
        " {\"check_expr\": \"req_params.Id_user == '7' && !has(req_params.id_user)\"},"
        " {\"check_expr\": \"!('X-Other' in req_headers) && req_headers['X-Forwarded-For'] == "
        "['10.0.0.1']\"},"
        " {\"check_expr\": \"req_headers['X-Forwarded-Host'] == ['gw.example'] && "
        "req_headers['User-Agent'][0].startsWith('KrakenD Version ')\"},"
        " {\"check_expr\": \"req_querystring.a == ['1', '2 3'] && !has(req_querystring.b)\"},"
        " {\"check_expr\": \"'something' in req_headers['X-Header']\"},"
        " {\"check_expr\": \"timestamp(now) > timestamp('2020-01-01T00:00:00Z')\"}]",
        NULL);
    struct gw_pstage st;
    struct gw_inreq in;
    char *msg;

    (void)state;
    build_ep(cfg, &st);
    assert_non_null(st.before);
    request(&in, "something", "b=x&a=1&a=2+3");
    assert_null(ep_pre(cfg, &st, &in));
    gw_inreq_free(&in);
    /* no X-Header: the map lookup is an error, which rejects like false */
    request(&in, NULL, "a=1&a=2%203");
    msg = ep_pre(cfg, &st, &in);
    assert_string_equal(msg, "request aborted by evaluator #6");
    free(msg);
    gw_inreq_free(&in);
    request(&in, "other", "a=1");
    msg = ep_pre(cfg, &st, &in);
    assert_string_equal(msg, "request aborted by evaluator #5");
    free(msg);
    gw_inreq_free(&in);
    st.free(st.ctx);
    gw_config_destroy(cfg);
}

static struct gw_presp *response(const char *json, bool complete)
{
    struct gw_presp *r = gw_presp_new();
    struct cmn_err err = {0};

    assert_non_null(r);
    r->data = gw_json_parse(json, strlen(json), NULL, &err);
    assert_non_null(r->data);
    r->complete = complete;
    return r;
}

static void endpoint_post_only_on_an_error_free_outcome(void **state)
{
    struct gw_config *cfg = config(
        "[{\"check_expr\": \"resp_completed && resp_metadata_status == 0\"},"
        " {\"check_expr\": \"resp_data.user.name == 'ann' && int(resp_data.user.id) == 42\"}]",
        NULL);
    struct gw_pstage st;
    struct gw_inreq in;
    struct gw_pstage_call call;
    struct gw_presp *resp;
    struct gw_perr fail = {0}, one = {0};
    struct gw_pipe_err none = {false, NULL, 0}, some = {false, &one, 1};

    (void)state;
    build_ep(cfg, &st);
    request(&in, NULL, "");
    call = (struct gw_pstage_call){&cfg->endpoints[0], &in, 0, 0, 0, NULL};
    /* no pre checks: every request goes on */
    assert_null(ep_pre(cfg, &st, &in));
    resp = response("{\"user\": {\"name\": \"ann\", \"id\": 42}}", true);
    st.after(st.ctx, &call, &resp, &none, &fail);
    assert_null(fail.msg);
    assert_non_null(resp);
    gw_presp_destroy(resp);
    resp = response("{\"user\": {\"name\": \"bob\", \"id\": 42}}", true);
    st.after(st.ctx, &call, &resp, &none, &fail);
    assert_string_equal(fail.msg, "request aborted by evaluator #1");
    gw_perr_free(&fail);
    gw_presp_destroy(resp);
    /* a partial merge (incomplete, with an error) is returned as it is: no post checks */
    resp = response("{\"user\": {\"name\": \"bob\"}}", false);
    gw_perr_set(&one, "backend down");
    st.after(st.ctx, &call, &resp, &some, &fail);
    assert_null(fail.msg);
    gw_perr_free(&one);
    gw_presp_destroy(resp);
    /* no data at all */
    resp = NULL;
    st.after(st.ctx, &call, &resp, &none, &fail);
    assert_string_equal(fail.msg, "request aborted by evaluator #0");
    gw_perr_free(&fail);
    gw_inreq_free(&in);
    st.free(st.ctx);
    gw_config_destroy(cfg);
}

static void build_rules_fail_open(void **state)
{
    struct gw_config *cfg;
    struct gw_pstage st;
    struct gw_inreq in;
    char *msg;

    (void)state;
    /* a parse error (has() on an index, spec §6.6 trap) drops the whole component */
    cfg = config("[{\"check_expr\": \"has(req_querystring['foo[]'])\"},"
                 " {\"check_expr\": \"req_method == 'GET'\"}]",
                 NULL);
    build_ep(cfg, &st);
    assert_null(st.before);
    assert_null(st.after);
    gw_config_destroy(cfg);
    /* a type-check error skips that check only; indexes count the compiled ones */
    cfg = config("[{\"check_expr\": \"req_params.Id_user % 2 == 0\"},"
                 " {\"check_expr\": \"req_method == 'GET'\"}]",
                 NULL);
    build_ep(cfg, &st);
    request(&in, NULL, "");
    msg = ep_pre(cfg, &st, &in);
    assert_string_equal(msg, "request aborted by evaluator #0");
    free(msg);
    gw_inreq_free(&in);
    st.free(st.ctx);
    gw_config_destroy(cfg);
    /* not an array, or only expressions no phase selects: nothing runs */
    cfg = config("{\"check_expr\": \"req_method == 'GET'\"}", NULL);
    build_ep(cfg, &st);
    assert_null(st.before);
    gw_config_destroy(cfg);
    cfg =
        config("[{\"check_expr\": \"timestamp(now) < timestamp('2000-01-01T00:00:00Z')\"}]", NULL);
    build_ep(cfg, &st);
    assert_null(st.before);
    gw_config_destroy(cfg);
}

/* The backend's pre phase reads the backend request (its path, method, filtered query); its post
 * phase the backend's manipulated data, and a rejection makes the backend a failing one. */
static void backend_stage(void **state)
{
    struct gw_config *cfg =
        config(NULL, "[{\"check_expr\": \"req_path == '/b/7' && req_method == 'GET'\"},"
                     " {\"check_expr\": \"req_querystring == {'a': ['1']}\"},"
                     " {\"check_expr\": \"req_params == {'Id_user': '7', 'Resp0_a.b': 'x'}\"},"
                     " {\"check_expr\": \"resp_data.ok == true\"}]");
    const struct gw_endpoint *ep = &cfg->endpoints[0];
    struct gw_stage st = {0};
    struct gw_inreq in;
    struct gw_outreq out = {0};
    struct gw_stage_call call;
    struct gw_perr err = {0};
    struct cmn_err cerr = {0};
    struct gw_presp *resp;
    bool has_err = false;
    char seq_key[] = "Resp0_a.b", seq_val[] = "x";
    const struct gw_seqparam seq = {seq_key, seq_val};

    (void)state;
    assert_true(gw_cel_backend_factory.build(NULL, cfg, ep, &ep->backends[0], &st, &cerr));
    assert_non_null(st.before);
    assert_non_null(st.after);
    request(&in, "x", "a=1&b=2");
    assert_true(gw_request_build(ep, &ep->backends[0], ep->backends[0].hosts.items[0], &in, NULL, 0,
                                 &out, &cerr));
    /* what a sequential proxy's earlier backend left (Lura's Params keys) */
    call = (struct gw_stage_call){.ep = ep,
                                  .backend = &ep->backends[0],
                                  .in = &in,
                                  .out = &out,
                                  .seq_params = &seq,
                                  .n_seq_params = 1};
    assert_int_equal(st.before(st.ctx, &call, &err), GW_STAGE_NEXT);
    resp = response("{\"ok\": true}", true);
    st.after(st.ctx, &call, &resp, &err, &has_err);
    assert_false(has_err);
    assert_non_null(resp);
    gw_presp_destroy(resp);
    resp = response("{\"ok\": false}", true);
    st.after(st.ctx, &call, &resp, &err, &has_err);
    assert_true(has_err);
    assert_null(resp);
    assert_string_equal(err.msg, "request aborted by evaluator #0");
    gw_perr_free(&err);
    gw_outreq_free(&out);
    gw_inreq_free(&in);
    /* another query: the pre phase fails the backend call */
    request(&in, "x", "a=2");
    memset(&out, 0, sizeof(out));
    assert_true(gw_request_build(ep, &ep->backends[0], ep->backends[0].hosts.items[0], &in, NULL, 0,
                                 &out, &cerr));
    call.out = &out;
    call.in = &in;
    assert_int_equal(st.before(st.ctx, &call, &err), GW_STAGE_FAIL);
    assert_string_equal(err.msg, "request aborted by evaluator #1");
    gw_perr_free(&err);
    gw_outreq_free(&out);
    gw_inreq_free(&in);
    st.free(st.ctx);
    gw_config_destroy(cfg);
}

/* The JWT phase, ready for auth/validator: spec §6.7 cel-7's rejecter, and fail-open rules. */
static void jwt_rejecter(void **state)
{
    struct gw_config *cfg = config("[{\"check_expr\": \"size(JWT.roles)>1\"},"
                                   " {\"check_expr\": \"req_method == 'POST'\"}]",
                                   NULL);
    struct gw_cel_rejecter *r;
    struct cmn_err err = {0};
    json_t *claims;
    bool ok;

    (void)state;
    r = gw_cel_rejecter_new(&cfg->endpoints[0], &err, &ok);
    assert_true(ok);
    assert_non_null(r);
    claims = json_pack("{s:s, s:[s,s]}", "sub", "1234567890qwertyuio", "roles", "role_a", "role_b");
    assert_false(gw_cel_rejecter_rejects(r, claims));
    json_decref(claims);
    claims = json_pack("{s:[s]}", "roles", "role_a");
    assert_true(gw_cel_rejecter_rejects(r, claims));
    json_decref(claims);
    /* no roles claim: an error, which rejects */
    claims = json_object();
    assert_true(gw_cel_rejecter_rejects(r, claims));
    json_decref(claims);
    gw_cel_rejecter_destroy(r);
    gw_config_destroy(cfg);
    /* a parse error in a JWT expression disables the rejecter only; none: no rejecter */
    cfg = config("[{\"check_expr\": \"has(JWT['roles'])\"}]", NULL);
    assert_null(gw_cel_rejecter_new(&cfg->endpoints[0], &err, &ok));
    assert_true(ok);
    gw_config_destroy(cfg);
    cfg = config("[{\"check_expr\": \"req_method == 'POST'\"}]", NULL);
    assert_null(gw_cel_rejecter_new(&cfg->endpoints[0], &err, &ok));
    assert_true(ok);
    gw_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(endpoint_pre_reads_the_request_krakend_builds),
        cmocka_unit_test(endpoint_post_only_on_an_error_free_outcome),
        cmocka_unit_test(build_rules_fail_open),
        cmocka_unit_test(backend_stage),
        cmocka_unit_test(jwt_rejecter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
