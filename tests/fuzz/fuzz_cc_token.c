/* fuzz_cc_token.c - libFuzzer target for the client credentials token endpoint's answer
 * (gw_cc_token_parse): JSON or form bodies under any status, then the Authorization value. The
 * first byte picks the Content-Type and the status, the rest is the body. */
#include "gw_cc_token.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const CT[] = {"application/json", "application/x-www-form-urlencoded",
                                     "text/plain; charset=utf-8", NULL};
    static const long STATUS[] = {200, 201, 400, 401};
    struct gw_cc_http_res res;
    struct gw_cc_token t;
    struct cmn_err err;
    char *v;

    if (size < 1)
        return 0;
    res = (struct gw_cc_http_res){STATUS[(data[0] >> 2) & 3], "200 OK", CT[data[0] & 3],
                                  (const char *)data + 1,     size - 1, NULL};
    if (size - 1 > GW_CC_BODY_MAX)
        return 0;
    if (!gw_cc_token_parse(&res, 1700000000000, &t, &err))
        return 0;
    if (!t.access_token || !t.access_token[0])
        __builtin_trap(); /* success means an access token */
    v = gw_cc_auth_value(&t);
    (void)gw_cc_token_valid(&t, 1700000000000);
    free(v);
    gw_cc_token_free(&t);
    return 0;
}
