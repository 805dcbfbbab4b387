/* rs256_verify.c - single-core cost of one RS256 (RSA-2048, SHA-256) verification with nettle. */
/*
 * Does what the gateway does per uncached token: SHA-256 over a JWS signing input of typical
 * size, then rsa_sha256_verify_digest against a 2048-bit key with e = 65537. The key comes from
 * a fixed-seed generator (a benchmark needs no secret). Time is the thread's CPU time, so other
 * work on a shared machine does not inflate the figure.
 *
 * Usage: rs256_verify [SECONDS]   (default 2, at most 60)
 * Prints one line: rs256_verify nettle=V verifies=N cpu_s=X wall_s=Y per_cpu_s=Z us_each=W
 */
#include <nettle/knuth-lfib.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>
#include <nettle/version.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY_BITS 2048
#define INPUT_BYTES 600 /* header.payload of a ThunderID-like access token */
#define MAX_SECONDS 60.0
#define BATCH 256 /* verifications between clock reads */

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void random_fill(void *ctx, size_t n, uint8_t *dst)
{
    knuth_lfib_random(ctx, n, dst);
}

static int parse_seconds(int argc, char **argv, double *out)
{
    char *end = NULL;

    *out = 2.0;
    if (argc < 2)
        return 0;
    errno = 0;
    *out = strtod(argv[1], &end);
    if (errno || end == argv[1] || *end || !(*out > 0.0) || *out > MAX_SECONDS) {
        fprintf(stderr, "usage: %s [SECONDS]  (0 < SECONDS <= %.0f)\n", argv[0], MAX_SECONDS);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct knuth_lfib_ctx rnd;
    struct rsa_public_key pub;
    struct rsa_private_key key;
    struct sha256_ctx h;
    uint8_t input[INPUT_BYTES], digest[SHA256_DIGEST_SIZE];
    mpz_t sig;
    double seconds, cpu0, wall0, cpu = 0.0, wall = 0.0;
    unsigned long long n = 0;
    int rc = 1;

    if (parse_seconds(argc, argv, &seconds) != 0)
        return 2;
    knuth_lfib_init(&rnd, 20260705);
    rsa_public_key_init(&pub);
    rsa_private_key_init(&key);
    mpz_init(sig);
    mpz_set_ui(pub.e, 65537);
    if (!rsa_generate_keypair(&pub, &key, &rnd, random_fill, NULL, NULL, KEY_BITS, 0)) {
        fprintf(stderr, "rs256_verify: key generation failed\n");
        goto out;
    }
    for (size_t i = 0; i < sizeof(input); i++)
        input[i] = (uint8_t)('A' + i % 26);
    sha256_init(&h);
    sha256_update(&h, sizeof(input), input);
    sha256_digest(&h, sizeof(digest), digest);
    if (!rsa_sha256_sign_digest_tr(&pub, &key, &rnd, random_fill, digest, sig)) {
        fprintf(stderr, "rs256_verify: signing failed\n");
        goto out;
    }
    cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    wall0 = clock_s(CLOCK_MONOTONIC);
    while (cpu < seconds) {
        for (int b = 0; b < BATCH; b++) {
            sha256_init(&h);
            sha256_update(&h, sizeof(input), input);
            sha256_digest(&h, sizeof(digest), digest);
            if (!rsa_sha256_verify_digest(&pub, digest, sig)) {
                fprintf(stderr, "rs256_verify: a valid signature did not verify\n");
                goto out;
            }
        }
        n += BATCH;
        cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
        wall = clock_s(CLOCK_MONOTONIC) - wall0;
    }
    /* A tampered digest must fail, or the loop above measured nothing useful. */
    digest[0] ^= 1;
    if (rsa_sha256_verify_digest(&pub, digest, sig)) {
        fprintf(stderr, "rs256_verify: a tampered digest verified\n");
        goto out;
    }
    printf("rs256_verify nettle=%d.%d verifies=%llu cpu_s=%.3f wall_s=%.3f per_cpu_s=%.0f "
           "us_each=%.2f\n",
           nettle_version_major(), nettle_version_minor(), n, cpu, wall, (double)n / cpu,
           cpu * 1e6 / (double)n);
    rc = 0;
out:
    mpz_clear(sig);
    rsa_private_key_clear(&key);
    rsa_public_key_clear(&pub);
    return rc;
}
