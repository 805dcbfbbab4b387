/* fuzz_jsonschema.c - libFuzzer target for validation/json-schema: the first half of the input is
 * compiled as a schema, the second half validated against it, in both output modes. */
#include "gw_jsonschema.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gw_jsonschema_options opt;
    struct gw_jsonschema *s;
    struct cmn_err err;
    struct cmn_buf all, first;
    enum gw_jsonschema_status a, f;
    size_t half = size / 2;

    memset(&opt, 0, sizeof(opt));
    /* small caps keep each run short; a hostile pair must hit them, never hang */
    opt.limits.max_schema_nodes = 5000;
    opt.limits.max_memory = 32u << 20;
    opt.limits.max_work = 200000;
    opt.limits.max_errors = 64;
    s = gw_jsonschema_compile_text((const char *)data, half, &opt, &err);
    if (!s)
        return 0;
    cmn_buf_init(&all, 1u << 16);
    cmn_buf_init(&first, 1u << 16);
    a = gw_jsonschema_validate(s, (const char *)data + half, size - half, GW_JSONSCHEMA_ALL_ERRORS,
                               &all);
    f = gw_jsonschema_validate(s, (const char *)data + half, size - half,
                               GW_JSONSCHEMA_FIRST_ERROR, &first);
    /* both modes reach the same verdict unless a cap stopped one of them */
    if (a != GW_JSONSCHEMA_LIMIT && f != GW_JSONSCHEMA_LIMIT && a != f)
        __builtin_trap();
    /* an invalid body always says why */
    if (a == GW_JSONSCHEMA_INVALID && all.len == 0 && all.cap > 0)
        __builtin_trap();
    cmn_buf_free(&all);
    cmn_buf_free(&first);
    gw_jsonschema_destroy(s);
    return 0;
}
