/* cmn_siphash.c - SipHash-2-4-128, written from the SipHash paper's description. */
#include "cmn_siphash.h"

#include "cmn_rand.h"

static uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

struct sip {
    uint64_t v0, v1, v2, v3;
};

static void rounds(struct sip *s, unsigned n)
{
    while (n--) {
        s->v0 += s->v1;
        s->v1 = rotl(s->v1, 13);
        s->v1 ^= s->v0;
        s->v0 = rotl(s->v0, 32);
        s->v2 += s->v3;
        s->v3 = rotl(s->v3, 16);
        s->v3 ^= s->v2;
        s->v0 += s->v3;
        s->v3 = rotl(s->v3, 21);
        s->v3 ^= s->v0;
        s->v2 += s->v1;
        s->v1 = rotl(s->v1, 17);
        s->v1 ^= s->v2;
        s->v2 = rotl(s->v2, 32);
    }
}

static void absorb(struct sip *s, uint64_t m)
{
    s->v3 ^= m;
    rounds(s, 2);
    s->v0 ^= m;
}

void cmn_siphash128(const struct cmn_siphash_key *key, const void *data, size_t n, uint64_t out[2])
{
    const uint8_t *p = data;
    struct sip s = {
        key->k0 ^ 0x736f6d6570736575ULL,
        key->k1 ^ 0x646f72616e646f6dULL ^ 0xee, /* the 128-bit output variant */
        key->k0 ^ 0x6c7967656e657261ULL,
        key->k1 ^ 0x7465646279746573ULL,
    };
    size_t whole = n - (n % 8);
    uint64_t last = (uint64_t)(n & 0xff) << 56;

    for (size_t i = 0; i < whole; i += 8)
        absorb(&s, load_le64(p + i));
    for (size_t i = 0; i < n % 8; i++)
        last |= (uint64_t)p[whole + i] << (8 * i);
    absorb(&s, last);
    s.v2 ^= 0xee;
    rounds(&s, 4);
    out[0] = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    s.v1 ^= 0xdd;
    rounds(&s, 4);
    out[1] = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

struct cmn_siphash_key cmn_siphash_key_from_bytes(const uint8_t bytes[16])
{
    struct cmn_siphash_key k = {load_le64(bytes), load_le64(bytes + 8)};

    return k;
}

bool cmn_siphash_key_random(struct cmn_siphash_key *key)
{
    uint8_t b[16];

    if (!cmn_rand_bytes(b, sizeof(b)))
        return false;
    *key = cmn_siphash_key_from_bytes(b);
    return true;
}
