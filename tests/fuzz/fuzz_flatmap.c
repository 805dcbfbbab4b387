/* fuzz_flatmap.c - libFuzzer target for proxy.flatmap_filter over a backend's answer: the body
 * is decoded as the proxy decodes it, its text as a sequential parameter (Go's %v, what
 * sequential_propagated_params sends on) is built, then every kind of operation (with `*`,
 * numbers, renames, promotions, embeddings, appends) runs on it and the result is rendered. */
#include "gw_flatmap.h"
#include "gw_gojson.h"
#include "gw_proxy_response.h"

#include "cmn_buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define P(...)                                                                                     \
    {                                                                                              \
        (char *[]){__VA_ARGS__}, sizeof((char *[]){__VA_ARGS__}) / sizeof(char *), true            \
    }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char a[] = "a", b[] = "b", c[] = "c", star[] = "*", zero[] = "0", one[] = "1", x[] = "x",
                y[] = "y", col[] = "collection";
    struct gw_strlist mv1[] = {P(col), P(a)}, mv2[] = {P(a, star, b), P(a, star, c)},
                      mv3[] = {P(a, zero, b), P(x)}, mv4[] = {P(b), P(x, y, c)},
                      mv5[] = {P(a, star, c, x), P(a, star, y)},
                      del[] = {P(a, one), P(x, star), P(c)}, app[] = {P(a, star, c), P(b)},
                      app2[] = {P(b), P(a)}, ren[] = {P(y), P(b)};
    struct gw_flatmap_op ops[] = {
        {GW_FLATMAP_MOVE, mv1, 2},   {GW_FLATMAP_MOVE, mv2, 2},    {GW_FLATMAP_APPEND, app, 2},
        {GW_FLATMAP_MOVE, mv3, 2},   {GW_FLATMAP_MOVE, mv4, 2},    {GW_FLATMAP_MOVE, mv5, 2},
        {GW_FLATMAP_DEL, del, 3},    {GW_FLATMAP_APPEND, app2, 2}, {GW_FLATMAP_MOVE, ren, 2},
        {GW_FLATMAP_OTHER, NULL, 0},
    };
    struct gw_flatmap fm = {ops, sizeof(ops) / sizeof(ops[0])};
    struct gw_json_limits lim = {GW_BACKEND_JSON_DEPTH, 100000};
    struct cmn_err err;
    struct gw_json *v = gw_json_parse((const char *)data, size, &lim, &err);
    struct cmn_buf text;
    char *out;

    if (!v)
        return 0;
    cmn_buf_init(&text, 1u << 20); /* the proxy caps it at 64 MiB: far above any input here */
    (void)gw_json_param_text(v, &text);
    cmn_buf_free(&text);
    if (v->type != GW_JSON_OBJECT) {
        gw_json_destroy(v);
        return 0;
    }
    (void)gw_flatmap_apply(&fm, &v);
    if (v && v->type != GW_JSON_OBJECT)
        __builtin_trap(); /* the result is an object or nothing */
    out = gw_json_render_str(v, NULL);
    free(out);
    gw_json_destroy(v);
    return 0;
}
