/* test_gw_jsonschema_stage.c - validation/json-schema as an endpoint's proxy stage (spec §5.2,
 * §5.3): every method's body is checked, failures are 400 errors with the cause lines, a schema
 * that does not compile leaves the endpoint unvalidated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gw_jsonschema_stage.h"

extern char **environ;

static struct gw_config *config(const char *schema)
{
    char buf[2048];
    struct cmn_err err = {0};
    struct gw_config *cfg;

    snprintf(buf, sizeof(buf),
             "{\"version\": 3, \"endpoints\": [{\"endpoint\": \"/j\", \"method\": \"GET\", "
             "\"extra_config\": {\"validation/json-schema\": %s}, \"backend\": [{\"host\": "
             "[\"http://backend.example:8080\"], \"url_pattern\": \"/b\"}]}]}",
             schema);
    cfg = gw_config_parse(buf, strlen(buf), "test.json", environ, &err);
    if (!cfg)
        fail_msg("%s", err.msg);
    return cfg;
}

/* Runs the stage on body: NULL when it went on, else the error message (owned) and *status. */
static char *run(const struct gw_config *cfg, const struct gw_pstage *st, const char *body,
                 unsigned *status)
{
    struct gw_inreq in;
    struct gw_pstage_call call;
    struct gw_perr err = {0};
    enum gw_stage_verdict v;

    memset(&in, 0, sizeof(in));
    in.method = strdup("GET");
    in.path = strdup("/j");
    in.body = body ? strdup(body) : NULL;
    in.body_len = body ? strlen(body) : 0;
    call = (struct gw_pstage_call){&cfg->endpoints[0], &in, 0, 0, 0, NULL};
    v = st->before(st->ctx, &call, &err);
    gw_inreq_free(&in);
    if (v == GW_STAGE_NEXT) {
        assert_null(err.msg);
        return NULL;
    }
    assert_int_equal(v, GW_STAGE_FAIL);
    assert_int_equal(err.kind, GW_PERR_STATUS);
    assert_null(err.enc); /* the router sniffs text/plain */
    *status = err.status;
    free(err.enc);
    return err.msg;
}

static void body_is_validated_whatever_the_method(void **state)
{
    struct gw_config *cfg = config("{\"type\": \"object\", \"required\": [\"a\", \"b\"], "
                                   "\"properties\": {\"a\": {\"type\": \"number\"}}}");
    struct gw_pstage st = {0};
    struct cmn_err err = {0};
    unsigned status = 0;
    char *msg;

    (void)state;
    assert_true(gw_jsonschema_factory.build(NULL, cfg, &cfg->endpoints[0], &st, &err));
    assert_non_null(st.before);
    assert_null(run(cfg, &st, "{\"a\": 1, \"b\": null}", &status));
    msg = run(cfg, &st, "{\"a\": \"x\"}", &status);
    assert_int_equal(status, 400);
    assert_string_equal(msg, "- at '': missing property 'b'\n- at '/a': got string, want number");
    free(msg);
    /* a GET without a body is refused too */
    msg = run(cfg, &st, NULL, &status);
    assert_int_equal(status, 400);
    assert_string_equal(msg, "could not validate an empty body");
    free(msg);
    msg = run(cfg, &st, "{\"a\": 1", &status);
    assert_int_equal(status, 400);
    assert_string_equal(msg, "unexpected end of JSON input");
    free(msg);
    st.free(st.ctx);
    gw_config_destroy(cfg);
}

static void schema_that_does_not_compile_fails_open(void **state)
{
    struct gw_config *cfg = config("{\"type\": 12}");
    struct gw_pstage st = {0};
    struct cmn_err err = {0};

    (void)state;
    assert_true(gw_jsonschema_factory.build(NULL, cfg, &cfg->endpoints[0], &st, &err));
    assert_null(st.before);
    gw_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(body_is_validated_whatever_the_method),
        cmocka_unit_test(schema_that_does_not_compile_fails_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
