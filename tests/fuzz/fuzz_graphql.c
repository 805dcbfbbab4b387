/* fuzz_graphql.c - libFuzzer target for backend/graphql mutations: the client's body (bytes from
 * strangers) becomes the variables of the GraphQL request. */
#include "gw_graphql.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char q[] = "mutation M($a: Int) { m(a: $a) }", post[] = "POST", url[] = "http://b/x";
    static json_t *vars;
    struct gw_graphql g = {GW_GRAPHQL_MUTATION, false, q, sizeof(q) - 1, NULL, NULL};
    struct gw_inreq in = {0};
    struct gw_outreq out = {0};
    struct cmn_err err = {0};
    char *body = NULL;

    if (!vars)
        vars = json_pack("{s:s,s:i,s:b}", "id", "{id}", "n", 1, "z", 1);
    g.variables = size && data[0] & 1 ? vars : NULL;
    in.body = (char *)(uintptr_t)data;
    in.body_len = size;
    out.method = strdup(post);
    out.url = strdup(url);
    gw_hdrs_init(&out.headers, 16);
    if (gw_graphql_apply(&g, &in, NULL, 0, &out, &body, &err) &&
        (!body || out.body_len != strlen(body)))
        __builtin_trap(); /* a POST gets a body of the length it says */
    free(body);
    gw_outreq_free(&out);
    return 0;
}
