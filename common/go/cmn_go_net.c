/* cmn_go_net.c - net.ParseIP, net.ParseCIDR, IPNet.Contains and strings.TrimSpace as Go has
 * them (see cmn_go_net.h). */
#include "cmn_go_net.h"

#include <arpa/inet.h>
#include <string.h>

static const uint8_t V4_IN_V6[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* IP.To4 on 16 bytes: true when they are ::ffff:a.b.c.d. */
static bool is_v4_in_v6(const uint8_t *b16)
{
    return memcmp(b16, V4_IN_V6, sizeof(V4_IN_V6)) == 0;
}

bool cmn_go_parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    unsigned v = 0, digits = 0, field = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d < 10) {
            if (digits == 3 || (digits == 1 && v == 0))
                return false; /* a fourth digit, or a leading zero */
            v = v * 10 + d;
            digits++;
        } else if (s[i] == '.' && digits && field < 3 && v <= 255) {
            out[field++] = (uint8_t)v;
            v = digits = 0;
        } else {
            return false;
        }
    }
    if (field != 3 || !digits || v > 255)
        return false;
    out[3] = (uint8_t)v;
    return true;
}

/* netip.ParseAddr without a zone; *bits: 32 for IPv4 text, 128 for IPv6 text (IPv4-mapped
 * included); b16 holds the address in 16-byte form either way. */
static bool parse_addr(const char *s, size_t n, uint8_t b16[16], unsigned *bits)
{
    char buf[64];

    if (!memchr(s, ':', n)) {
        /* net.ParseIP refuses "01.2.3.4" since Go 1.17 */
        memcpy(b16, V4_IN_V6, sizeof(V4_IN_V6));
        if (!cmn_go_parse_ipv4(s, n, b16 + 12))
            return false;
        *bits = 32;
        return true;
    }
    if (n >= sizeof(buf) || memchr(s, '\0', n))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    /* glibc's inet_pton takes what netip does: 1-4 hex digits per group, one "::", an IPv4
     * tail without leading zeros; a zone ("%eth0") is refused by both here. */
    if (inet_pton(AF_INET6, buf, b16) != 1)
        return false;
    *bits = 128;
    return true;
}

bool cmn_go_parse_ip(const char *s, size_t n, struct cmn_go_ip *out)
{
    uint8_t b[16];
    unsigned bits;

    if (!parse_addr(s, n, b, &bits))
        return false;
    if (is_v4_in_v6(b)) {
        memcpy(out->b, b + 12, 4);
        out->len = 4;
    } else {
        memcpy(out->b, b, 16);
        out->len = 16;
    }
    return true;
}

bool cmn_go_parse_cidr(const char *s, size_t n, struct cmn_go_ipnet *out)
{
    const char *slash = memchr(s, '/', n);
    uint8_t b[16], mask[16] = {0};
    unsigned bits, prefix = 0;
    size_t digits;

    if (!slash || !parse_addr(s, (size_t)(slash - s), b, &bits))
        return false;
    digits = n - (size_t)(slash - s) - 1;
    if (digits == 0)
        return false;
    for (size_t i = 0; i < digits; i++) {
        char ch = slash[1 + i];
        if (ch < '0' || ch > '9' || prefix > 0xFFFFFF)
            return false; /* dtoi: digits only; big values fail */
        prefix = prefix * 10 + (unsigned)(ch - '0');
    }
    if (prefix > bits)
        return false;
    /* CIDRMask(prefix, bits), placed over the last bytes for an IPv4 text. */
    uint8_t *m = bits == 32 ? mask + 12 : mask;
    for (unsigned i = 0; i < prefix; i++)
        m[i / 8] |= (uint8_t)(0x80u >> (i % 8));
    if (bits == 32)
        memset(mask, 0xff, 12); /* IP.Mask keeps the IPv4-in-IPv6 prefix of a 4-byte mask */
    for (int i = 0; i < 16; i++)
        b[i] &= mask[i];
    /* networkNumberAndMask: a network whose masked address reads as IPv4 is an IPv4 one. */
    if (is_v4_in_v6(b)) {
        memcpy(out->ip, b + 12, 4);
        memcpy(out->mask, mask + 12, 4);
        out->len = 4;
    } else {
        memcpy(out->ip, b, 16);
        memcpy(out->mask, mask, 16);
        out->len = 16;
    }
    return true;
}

bool cmn_go_ipnet_contains(const struct cmn_go_ipnet *net, const struct cmn_go_ip *ip)
{
    if (ip->len != net->len)
        return false;
    for (unsigned i = 0; i < net->len; i++) {
        if ((ip->b[i] & net->mask[i]) != (net->ip[i] & net->mask[i]))
            return false;
    }
    return true;
}

bool cmn_go_parse_trusted_proxy(const char *s, size_t n, struct cmn_go_ipnet *out)
{
    struct cmn_go_ip ip;
    char buf[72];

    if (memchr(s, '/', n))
        return cmn_go_parse_cidr(s, n, out);
    if (n > 60 || !cmn_go_parse_ip(s, n, &ip))
        return false;
    /* The suffix follows the folded length, not the text: "::ffff:1.2.3.4" becomes
     * "::ffff:1.2.3.4/32", an IPv6 network of 32 bits, as in gin. */
    memcpy(buf, s, n);
    memcpy(buf + n, ip.len == 4 ? "/32" : "/128", ip.len == 4 ? 3 : 4);
    return cmn_go_parse_cidr(buf, n + (ip.len == 4 ? 3 : 4), out);
}

bool cmn_go_is_domain_name(const char *s, size_t n)
{
    bool letter = false; /* a letter, '_' or '-' seen */
    size_t label = 0;    /* bytes in the current label */
    char prev = '.';

    if (n == 1 && s[0] == '.')
        return true;
    if (n == 0 || n > 254 || (n == 254 && s[n - 1] != '.'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_') {
            letter = true;
            label++;
        } else if (ch >= '0' && ch <= '9') {
            label++;
        } else if (ch == '-') {
            if (prev == '.') /* a label does not start with '-' */
                return false;
            letter = true;
            label++;
        } else if (ch == '.') {
            if (prev == '.' || prev == '-' || label == 0 || label > 63)
                return false;
            label = 0;
        } else {
            return false;
        }
        prev = ch;
    }
    return prev != '-' && label <= 63 && letter;
}
