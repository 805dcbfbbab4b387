/* fuzz_cel.c - libFuzzer target for CEL: parse, check and evaluate an expression (the input)
 * against fixed request, response and JWT activations; also the unchecked path. */
#include "gw_cel.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KV(n, v)                                                                                   \
    {                                                                                              \
        n, sizeof(n) - 1, v, sizeof(v) - 1                                                         \
    }

static const struct gw_cel_kv PARAMS[] = {KV("Id", "30"), KV("Nick", "mike")};
static const struct gw_cel_kv HEADERS[] = {KV("X-Header", "something"),
                                           KV("X-Forwarded-For", "::1"), KV("Accept", "a"),
                                           KV("Accept", "b")};
static const struct gw_cel_kv QUERY[] = {KV("y", "1"), KV("y", "2"), KV("foo[]", "bar")};
static const char NOW[] = "2024-03-06T10:15:30.5+01:00";

struct world {
    struct gw_cel_env *env;
    struct gw_cel_arena *arena;
    json_t *data, *claims;
};

static struct world *world(void)
{
    static struct world w;
    struct gw_cel_options o = {.max_iterations = 2000, .max_string_bytes = 1 << 16};

    if (w.env)
        return &w;
    w.env = gw_cel_env_new_krakend(&o);
    w.arena = gw_cel_arena_new(1 << 20);
    w.data = json_loads("{\"Id\": 42, \"github\": {\"company\": \"acme\"}, \"l\": [1, 2.5, "
                        "\"x\", null, true, {\"k\": []}]}",
                        0, NULL);
    w.claims =
        json_loads("{\"sub\": \"u\", \"roles\": [\"a\", \"b\"], \"exp\": 2051882755}", 0, NULL);
    if (!w.env || !w.arena || !w.data || !w.claims)
        abort();
    return &w;
}

/* Every variable bound, so that evaluation goes as deep as the expression asks. */
static struct gw_cel_activation *activation(struct world *w)
{
    struct gw_cel_req_vars rq = {"GET",   3, "/cel/30", 7, PARAMS, 2,
                                 HEADERS, 4, QUERY,     3, NOW,    sizeof(NOW) - 1};
    struct gw_cel_resp_vars rs = {
        true, 0, HEADERS, 1, gw_cel_json(w->data, GW_CEL_NUMBERS_TEXT), NOW, sizeof(NOW) - 1};
    struct gw_cel_activation *act;

    gw_cel_arena_reset(w->arena);
    act = gw_cel_activation_new(w->arena, w->env);
    if (!act || gw_cel_bind_request(act, &rq) || gw_cel_bind_response(act, &rs) ||
        gw_cel_activation_set(act, GW_CEL_VAR_JWT, gw_cel_json(w->claims, GW_CEL_NUMBERS_DOUBLE)))
        abort();
    return act;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct world *w = world();
    char out[256];

    for (unsigned flags = 0; flags <= GW_CEL_NO_CHECK; flags += GW_CEL_NO_CHECK) {
        struct gw_cel_program *p = NULL;
        struct gw_cel_diag diag;
        if (gw_cel_compile(w->env, (const char *)data, size, flags, &p, &diag) != GW_CEL_OK) {
            if (p || diag.line == 0)
                __builtin_trap(); /* a failed compile says where */
            continue;
        }
        struct gw_cel_val v = gw_cel_eval(p, activation(w));
        gw_cel_format(&v, out, sizeof(out));
        gw_cel_program_destroy(p);
    }
    return 0;
}
