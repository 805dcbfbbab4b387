/* fuzz_go_net.c - libFuzzer target for Go's address rules (common/go/cmn_go_net.h), which read
 * what clients send: X-Forwarded-For and the other remote-IP headers, the peer's address.
 * net.ParseIP, ParseCIDR and IPNet.Contains must not crash, and the own dotted-decimal parser
 * must agree with glibc's inet_pton, whose AF_INET form is Go's (same verdict, same bytes).
 * Input: the text; when it holds a NUL, the part before is a CIDR and the part after an
 * address tested against it. Seeds: a few addresses written below by scripts/fuzz. */
#include "cmn_go_net.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    struct cmn_go_ip ip;
    struct cmn_go_ipnet net;
    uint8_t ours[4], theirs[4];
    char buf[64];

    if (size < sizeof(buf) && !nul) {
        memcpy(buf, s, size);
        buf[size] = '\0';
        bool a = cmn_go_parse_ipv4(s, size, ours), b = inet_pton(AF_INET, buf, theirs) == 1;
        if (a != b || (a && memcmp(ours, theirs, sizeof(ours)) != 0))
            abort();
    }
    if (nul) {
        size_t n = (size_t)(nul - s);
        if (cmn_go_parse_cidr(s, n, &net) && cmn_go_parse_ip(nul + 1, size - n - 1, &ip))
            (void)cmn_go_ipnet_contains(&net, &ip);
    } else {
        (void)cmn_go_parse_ip(s, size, &ip);
        (void)cmn_go_parse_cidr(s, size, &net);
    }
    return 0;
}
