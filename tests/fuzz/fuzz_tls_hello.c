/* fuzz_tls_hello.c - a ClientHello's suites read from untrusted bytes, then the suite choice
 * and priority tokens made from them (cmn_hn_tls_suites.c). */
#include "cmn_hn_tls.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t allowed[] = {0xc02f, 0xc02c, 0xcca8, 0x002f, 0xc012};
    uint16_t offered[512], chosen[32];
    struct cmn_buf b;
    size_t n;

    if (!cmn_hn_tls_hello_suites(data, size, offered, 512, &n))
        return 0;
    n = cmn_hn_tls_pick_suites(allowed, 5, offered, n, chosen, 32);
    cmn_buf_init(&b, 4096);
    cmn_hn_tls_suite_tokens(chosen, n, &b);
    cmn_buf_free(&b);
    return 0;
}
