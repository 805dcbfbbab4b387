/* fuzz_go_values.c - libFuzzer target for Go's url.Values (common/go/cmn_go_values.h): a raw
 * query from a client, parsed as url.ParseQuery does, changed with Set/Add/Del and encoded as
 * Values.Encode does (martian's querystring modifier and filter, Lua's query setters). Nothing
 * may crash or leak, and Encode's output is canonical: parsing it and encoding again gives the
 * same bytes.
 * Input: the raw query (capped at 64 KiB). Seeds: tests/data/go/values. */
#include "cmn_go_values.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP (64 * 1024)

static void encode(const struct cmn_go_values *q, struct cmn_buf *out)
{
    if (!cmn_go_values_encode(q, out))
        abort(); /* the buffer below takes any query of CAP bytes */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cmn_go_values q, again;
    struct cmn_buf one, two;
    char *key = NULL;

    if (size > CAP)
        size = CAP;
    cmn_go_values_init(&q, 256);
    cmn_go_values_init(&again, 256);
    cmn_buf_init(&one, 16 * CAP);
    cmn_buf_init(&two, 16 * CAP);
    if (!cmn_go_values_parse(&q, (const char *)data, size))
        goto out;
    if (q.n > 0) { /* what the setters do with a key the client chose */
        key = strdup(q.v[0].key);
        if (!key)
            goto out;
        (void)cmn_go_values_get(&q, key);
        (void)cmn_go_values_has(&q, key);
        (void)cmn_go_values_add(&q, key, "a b&c=d");
        (void)cmn_go_values_set(&q, "z", q.v[q.n - 1].value);
        if (q.n > 2)
            cmn_go_values_del(&q, key);
    }
    encode(&q, &one);
    if (!cmn_go_values_parse(&again, cmn_buf_str(&one), one.len))
        goto out;
    encode(&again, &two);
    if (one.len != two.len || memcmp(cmn_buf_str(&one), cmn_buf_str(&two), one.len) != 0)
        abort(); /* Encode is not canonical */
out:
    free(key);
    cmn_buf_free(&one);
    cmn_buf_free(&two);
    cmn_go_values_free(&q);
    cmn_go_values_free(&again);
    return 0;
}
