/* cmn_go_net.h - Go's net package rules for addresses, each once: net.ParseIP, net.ParseCIDR,
 * IPNet.Contains (with its IPv4-in-IPv6 folding), which gin's ClientIP and trusted proxies are
 * built from (strings.TrimSpace is cmn_go_strings.h), and the resolver's domain name rule. */
#ifndef CMN_GO_NET_H
#define CMN_GO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An address as net.ParseIP returns it, folded to 4 bytes when it is IPv4 or IPv4-mapped
 * (IP.To4), else 16 bytes. */
struct cmn_go_ip {
    uint8_t b[16];
    uint8_t len; /* 4 or 16 */
};

/* A network as IPNet.Contains sees it (networkNumberAndMask): 4 bytes of address and mask
 * when the masked address is IPv4 or IPv4-mapped, else 16. */
struct cmn_go_ipnet {
    uint8_t ip[16];
    uint8_t mask[16];
    uint8_t len; /* 4 or 16 */
};

/* net.ParseIP on s[0, n): dotted-decimal IPv4 (four fields, no leading zeros), IPv6 with an
 * optional trailing IPv4 part; no zone, no brackets, no spaces. False when it is none. */
bool cmn_go_parse_ip(const char *s, size_t n, struct cmn_go_ip *out);

/* The dotted-decimal IPv4 form alone (net.ParseIP's parseIPv4): four decimal fields of at most
 * 255 without leading zeros, nothing else; into out in network order. */
bool cmn_go_parse_ipv4(const char *s, size_t n, uint8_t out[4]);

/* net.ParseCIDR on s[0, n) ("10.0.0.0/8", "::1/128", "::ffff:10.0.0.0/104"): the network, or
 * false. The prefix is decimal digits only and at most the address's bit length. */
bool cmn_go_parse_cidr(const char *s, size_t n, struct cmn_go_ipnet *out);

/* IPNet.Contains: an IPv4 address is only in an IPv4 network and an IPv6 one only in an IPv6
 * network (after the folding above). */
bool cmn_go_ipnet_contains(const struct cmn_go_ipnet *net, const struct cmn_go_ip *ip);

/* gin's SetTrustedProxies for one entry (prepareTrustedCIDRs): a CIDR as ParseCIDR reads it, or
 * a bare address, to which "/32" (IPv4 and IPv4-mapped) or "/128" is appended first. False
 * when it is neither: gin stops there and trusts only the entries before it. */
bool cmn_go_parse_trusted_proxy(const char *s, size_t n, struct cmn_go_ipnet *out);

/* net's isDomainName on s[0, n), which its resolver applies to every name a DNS answer gives
 * (LookupSRV refuses the answer otherwise): "." alone, or labels of letters, digits, '_' and
 * '-' (not first), 1 to 63 bytes, joined by single dots, an optional final dot, at most 253
 * bytes (254 with the final dot), and at least one letter, '_' or '-' somewhere (so
 * "127.0.0.1" is not a name). */
bool cmn_go_is_domain_name(const char *s, size_t n);

#endif
