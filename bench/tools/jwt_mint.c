/* jwt_mint.c - mints many distinct RS256 tokens with OpenSSL's libcrypto for the benchmark. */
/*
 * The `openssl` command signs one file per process, which is far too slow for a pool of tens of
 * thousands of tokens; this does the same RSASSA-PKCS1-v1_5 / SHA-256 signature with OpenSSL's
 * EVP API (independent of the gateway's nettle code). Each token gets its own jti, so every one
 * is a different string with a different signature.
 *
 * Usage: jwt_mint KEY.pem KID ISS AUD SCOPE EXP FROM COUNT
 * Writes COUNT tokens, one a line, to stdout; the jti of token i is "bench-pool-<FROM+i>".
 */
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COUNT 5000000L
#define MAX_ARG 256
#define SEG_MAX 2048 /* encoded header + payload */
#define SIG_MAX 1024 /* RSA-8192 at most */

/* Unpadded base64url of n bytes into dst (room for 4 * ceil(n / 3) + 1); returns its length. */
static size_t b64url(const unsigned char *src, size_t n, char *dst)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0, i = 0;

    for (; i + 2 < n; i += 3) {
        unsigned long v = (unsigned long)src[i] << 16 | (unsigned long)src[i + 1] << 8 | src[i + 2];
        dst[o++] = tab[v >> 18 & 63];
        dst[o++] = tab[v >> 12 & 63];
        dst[o++] = tab[v >> 6 & 63];
        dst[o++] = tab[v & 63];
    }
    if (n - i == 1) {
        unsigned long v = (unsigned long)src[i] << 16;
        dst[o++] = tab[v >> 18 & 63];
        dst[o++] = tab[v >> 12 & 63];
    } else if (n - i == 2) {
        unsigned long v = (unsigned long)src[i] << 16 | (unsigned long)src[i + 1] << 8;
        dst[o++] = tab[v >> 18 & 63];
        dst[o++] = tab[v >> 12 & 63];
        dst[o++] = tab[v >> 6 & 63];
    }
    dst[o] = '\0';
    return o;
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;

    errno = 0;
    *out = strtol(s, &end, 10);
    return (errno || end == s || *end || *out < min || *out > max) ? -1 : 0;
}

/* Builds "<b64 header>.<b64 payload>" for token number id into seg; returns its length or 0. */
static size_t signing_input(char *seg, const char *kid, const char *iss, const char *aud,
                            const char *scope, long exp, long id)
{
    char json[SEG_MAX / 2];
    size_t o;
    int n;

    n = snprintf(json, sizeof(json), "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
    if (n < 0 || (size_t)n >= sizeof(json))
        return 0;
    o = b64url((const unsigned char *)json, (size_t)n, seg);
    seg[o++] = '.';
    n = snprintf(json, sizeof(json),
                 "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"bench-client\",\"iat\":1700000000,"
                 "\"exp\":%ld,\"jti\":\"bench-pool-%ld\",\"scope\":\"%s\"}",
                 iss, aud, exp, id, scope);
    if (n < 0 || (size_t)n >= sizeof(json))
        return 0;
    return o + b64url((const unsigned char *)json, (size_t)n, seg + o);
}

static EVP_PKEY *load_key(const char *path)
{
    EVP_PKEY *pk = NULL;
    FILE *f = fopen(path, "r");

    if (!f) {
        fprintf(stderr, "jwt_mint: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!pk || EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
        fprintf(stderr, "jwt_mint: %s is not an RSA private key in PEM\n", path);
        EVP_PKEY_free(pk);
        return NULL;
    }
    return pk;
}

int main(int argc, char **argv)
{
    EVP_PKEY *pk = NULL;
    EVP_MD_CTX *md = NULL;
    char seg[SEG_MAX], sig64[SIG_MAX * 2];
    unsigned char sig[SIG_MAX];
    long exp, from, count;
    int rc = 1;

    if (argc != 9) {
        fprintf(stderr, "usage: %s KEY.pem KID ISS AUD SCOPE EXP FROM COUNT\n", argv[0]);
        return 2;
    }
    for (int i = 2; i <= 5; i++) {
        if (strlen(argv[i]) > MAX_ARG || strpbrk(argv[i], "\"\\")) {
            fprintf(stderr, "jwt_mint: argument %d is too long or holds a quote\n", i);
            return 2;
        }
    }
    if (parse_long(argv[6], 0, 253402300799L, &exp) != 0 ||
        parse_long(argv[7], 0, 1000000000L, &from) != 0 ||
        parse_long(argv[8], 1, MAX_COUNT, &count) != 0) {
        fprintf(stderr, "jwt_mint: EXP, FROM or COUNT out of range (COUNT <= %ld)\n", MAX_COUNT);
        return 2;
    }
    pk = load_key(argv[1]);
    md = EVP_MD_CTX_new();
    if (!pk || !md || EVP_PKEY_get_size(pk) > SIG_MAX)
        goto out;
    for (long i = 0; i < count; i++) {
        size_t seg_len = signing_input(seg, argv[2], argv[3], argv[4], argv[5], exp, from + i);
        size_t sig_len = sizeof(sig);
        if (!seg_len || !EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pk) ||
            !EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)seg, seg_len)) {
            fprintf(stderr, "jwt_mint: signing token %ld failed\n", from + i);
            goto out;
        }
        b64url(sig, sig_len, sig64);
        if (printf("%s.%s\n", seg, sig64) < 0)
            goto out;
    }
    if (fflush(stdout) != 0)
        goto out;
    rc = 0;
out:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    return rc;
}
