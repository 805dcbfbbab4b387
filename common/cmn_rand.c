/* cmn_rand.c - random values from gnutls_rnd. */
#include "cmn_rand.h"

#include "cmn_clock.h"

#include <gnutls/crypto.h>
#include <stdint.h>
#include <stdio.h>

bool cmn_rand_bytes(void *out, size_t n)
{
    return gnutls_rnd(GNUTLS_RND_RANDOM, out, n) == 0;
}

bool cmn_rand_b64url(char *out, size_t n)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char r[64];

    while (n) {
        size_t k = n < sizeof(r) ? n : sizeof(r);
        if (!cmn_rand_bytes(r, k))
            return false;
        for (size_t i = 0; i < k; i++)
            *out++ = A[r[i] & 63];
        n -= k;
    }
    *out = '\0';
    return true;
}

bool cmn_rand_uuid7(char out[37])
{
    unsigned char b[16];
    uint64_t ms = (uint64_t)cmn_clock_unix_ms();

    if (!cmn_rand_bytes(b, sizeof(b)))
        return false;
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(ms >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return true;
}
