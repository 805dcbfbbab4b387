/* cmn_siphash.h - SipHash-2-4 with a 128-bit output: keyed hashing of strings that strangers
 * choose (rate-limit client keys, cache keys), so nobody can aim keys at one slot of a table. */
#ifndef CMN_SIPHASH_H
#define CMN_SIPHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A secret hashing key; cmn_siphash_key_random() at startup (tests use fixed keys). */
struct cmn_siphash_key {
    uint64_t k0, k1;
};

/* SipHash-2-4-128 of n bytes (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 128-bit variant). out[0] is the first eight output bytes read little-endian, out[1] the last
 * eight: the sixteen bytes OpenSSL's SIPHASH MAC prints, in that order. */
void cmn_siphash128(const struct cmn_siphash_key *key, const void *data, size_t n, uint64_t out[2]);

/* The key as 16 bytes, k0 and k1 little-endian (how reference vectors and OpenSSL state keys). */
struct cmn_siphash_key cmn_siphash_key_from_bytes(const uint8_t bytes[16]);

/* A fresh random key (cmn_rand_bytes); false when the generator fails. */
bool cmn_siphash_key_random(struct cmn_siphash_key *key);

#endif
