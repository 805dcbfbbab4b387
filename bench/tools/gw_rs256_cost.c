/* gw_rs256_cost.c - single-core cost of one RS256 verification as the gateway does it.
 *
 * Parses the JWKS with the gateway's parser, then times gw_jws_verify (SHA-256 with nettle,
 * the RSA public operation on GMP with the key's Montgomery constants, the PKCS#1 v1.5 check)
 * over a real token's signing input and signature, made by OpenSSL in bench/lib/keys.sh. Time is
 * the thread's CPU time, so other work on a shared machine does not inflate the figure.
 *
 * Usage: gw_rs256_cost JWKS SIGNING_INPUT SIGNATURE [SECONDS]   (default 2, at most 60)
 * Prints one line: gw_rs256_cost verifies=N cpu_s=X per_cpu_s=Z us_each=W
 */
#include "cmn_err.h"
#include "gw_jwk.h"
#include "gw_jws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FILE (1024 * 1024)
#define BATCH 256

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(MAX_FILE + 1);

    if (!f || !buf) {
        fprintf(stderr, "gw_rs256_cost: cannot read %s\n", path);
        exit(2);
    }
    *len = fread(buf, 1, MAX_FILE, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct cmn_err err = {0};
    size_t jl, ml, sl;
    char *jwks, *msg, *sig;
    struct gw_jwks *set;
    double seconds = argc > 4 ? strtod(argv[4], NULL) : 2.0, start, used;
    unsigned long n = 0;

    if (argc < 4) {
        fprintf(stderr, "usage: gw_rs256_cost JWKS SIGNING_INPUT SIGNATURE [SECONDS]\n");
        return 2;
    }
    if (!(seconds > 0) || seconds > 60)
        seconds = 2.0;
    jwks = slurp(argv[1], &jl);
    msg = slurp(argv[2], &ml);
    sig = slurp(argv[3], &sl);
    set = gw_jwks_parse(jwks, jl, NULL, &err);
    if (!set || gw_jwks_count(set) == 0) {
        fprintf(stderr, "gw_rs256_cost: %s: %s\n", argv[1], err.msg[0] ? err.msg : "no key");
        return 1;
    }
    const struct gw_jwk *key = gw_jwks_at(set, 0);
    if (gw_jws_verify(GW_ALG_RS256, key, msg, ml, (const unsigned char *)sig, sl, &err) !=
        GW_JWS_OK) {
        fprintf(stderr, "gw_rs256_cost: the signature does not verify: %s\n", err.msg);
        return 1;
    }
    start = cpu_s();
    do {
        for (int i = 0; i < BATCH; i++) {
            if (gw_jws_verify(GW_ALG_RS256, key, msg, ml, (const unsigned char *)sig, sl, &err) !=
                GW_JWS_OK)
                return 1;
        }
        n += BATCH;
        used = cpu_s() - start;
    } while (used < seconds);
    printf("gw_rs256_cost verifies=%lu cpu_s=%.3f per_cpu_s=%.0f us_each=%.2f\n", n, used,
           (double)n / used, used * 1e6 / (double)n);
    gw_jwks_unref(set);
    free(jwks);
    free(msg);
    free(sig);
    return 0;
}
