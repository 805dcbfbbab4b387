/* test_gw_graphql.c - backend/graphql's request (krakend-telemetry-validation.md §8.2): body,
 * method and headers for queries and mutations, POST and GET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_graphql.h"

#define S(x) ((char *)(uintptr_t)(x))

struct row {
    const char *name;
    enum gw_graphql_type type;
    bool get;
    const char *op;        /* operationName or NULL */
    const char *variables; /* configured, JSON, or NULL */
    const char *client;    /* the client's body, or NULL */
    bool ok;
    const char *body; /* expected body (POST) or error substring */
};

static const struct row ROWS[] = {
    {"query_plain", GW_GRAPHQL_QUERY, false, NULL, NULL, NULL, true, "{\"query\":\"Q\"}"},
    /* empty variables are omitted (omitempty) */
    {"query_empty_vars", GW_GRAPHQL_QUERY, false, "", "{}", NULL, true, "{\"query\":\"Q\"}"},
    {"query_op_vars", GW_GRAPHQL_QUERY, false, "Op", "{\"z\":1,\"a\":2.50,\"big\":1e21}", NULL,
     true,
     "{\"query\":\"Q\",\"operationName\":\"Op\",\"variables\":{\"a\":2.5,\"big\":1e+21,\"z\":1}}"},
    /* "{id}" takes the path parameter (first letter either case), missing ones become "" */
    {"query_params", GW_GRAPHQL_QUERY, false, NULL,
     "{\"a\":\"{id}\",\"b\":\"{Id}\",\"c\":\"{nope}\",\"d\":\"{resp0_x}\",\"e\":\"{x\",\"f\":\"x}"
     "\"}",
     NULL, true,
     "{\"query\":\"Q\",\"variables\":{\"a\":\"42\",\"b\":\"42\",\"c\":\"\",\"d\":\"seq\",\"e\":\"{"
     "x\","
     "\"f\":\"x}\"}}"},
    /* a query ignores the client's body */
    {"query_ignores_body", GW_GRAPHQL_QUERY, false, NULL, NULL, "{\"x\":1}", true,
     "{\"query\":\"Q\"}"},
    /* mutation: the client's object, configured variables for the keys it lacks, no {param} */
    {"mutation", GW_GRAPHQL_MUTATION, false, NULL, "{\"id\":\"{id}\",\"k\":\"cfg\"}",
     "{\"k\":\"client\",\"n\":12345678901234567890}", true,
     "{\"query\":\"Q\",\"variables\":{\"id\":\"{id}\",\"k\":\"client\",\"n\":12345678901234567000}"
     "}"},
    {"mutation_empty_object", GW_GRAPHQL_MUTATION, false, NULL, NULL, " {} ", true,
     "{\"query\":\"Q\"}"},
    {"mutation_null_no_vars", GW_GRAPHQL_MUTATION, false, NULL, NULL, "null", true,
     "{\"query\":\"Q\"}"},
    {"mutation_null_with_vars", GW_GRAPHQL_MUTATION, false, NULL, "{\"a\":1}", "null", false,
     "assignment to entry in nil map"},
    {"mutation_empty", GW_GRAPHQL_MUTATION, false, NULL, NULL, "", false,
     "unexpected end of JSON input"},
    {"mutation_array", GW_GRAPHQL_MUTATION, false, NULL, NULL, "[1]", false,
     "cannot unmarshal array into Go value of type map[string]interface {}"},
    {"mutation_garbage", GW_GRAPHQL_MUTATION, false, NULL, NULL, "{\"a\":", false,
     "invalid JSON body"},
    {"mutation_trailing", GW_GRAPHQL_MUTATION, false, NULL, NULL, "{} x", false,
     "invalid JSON body"},
    /* GET: no body at all */
    {"query_get", GW_GRAPHQL_QUERY, true, "Op", "{\"a\":1}", NULL, true, NULL},
    {"mutation_get_bad", GW_GRAPHQL_MUTATION, true, NULL, NULL, "x", false, "invalid JSON body"},
};

static void check_row(const struct row *r)
{
    struct gw_reqparam params[] = {{S("id"), S("42")}};
    struct gw_seqparam seq[] = {{S("Resp0_x"), S("seq")}};
    struct gw_graphql g = {.type = r->type, .get = r->get, .query = S("Q"), .query_len = 1};
    struct gw_inreq in = {.params = params, .n_params = 1};
    struct gw_outreq out = {0};
    struct cmn_err err = {0};
    json_error_t je;
    char *body = NULL;
    bool ok;

    g.operation_name = r->op && *r->op ? S(r->op) : NULL;
    g.variables = r->variables ? json_loads(r->variables, JSON_DECODE_INT_AS_REAL, &je) : NULL;
    if (g.variables && json_object_size(g.variables) == 0) {
        json_decref(g.variables); /* the config passes empty variables as NULL */
        g.variables = NULL;
    }
    in.body = r->client ? S(r->client) : NULL;
    in.body_len = r->client ? strlen(r->client) : 0;
    out.method = strdup("PUT");
    gw_hdrs_init(&out.headers, 16);
    gw_hdrs_add(&out.headers, "Content-Type", "text/plain");
    ok = gw_graphql_apply(&g, &in, seq, 1, &out, &body, &err);
    if (ok != r->ok)
        fail_msg("%s: ok=%d, err=%s", r->name, ok, err.msg);
    if (!ok) {
        if (!strstr(err.msg, r->body))
            fail_msg("%s: error %s, want %s", r->name, err.msg, r->body);
        assert_string_equal(out.method, "PUT"); /* untouched on failure */
    } else {
        assert_string_equal(out.method, r->get ? "GET" : "POST");
        assert_string_equal(gw_hdrs_get(&out.headers, "Content-Type"), "application/json");
        if (r->get) {
            assert_null(body);
            assert_int_equal(out.body_len, 0);
            assert_false(out.content_length);
        } else {
            if (strcmp(body, r->body) != 0)
                fail_msg("%s: body %s, want %s", r->name, body, r->body);
            assert_ptr_equal(out.body, body);
            assert_int_equal(out.body_len, strlen(body));
            assert_true(out.content_length);
        }
    }
    free(body);
    json_decref(g.variables);
    gw_outreq_free(&out);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++)
        check_row(&ROWS[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
