/* gw_enc_negotiate.c - `output_encoding: "negotiate"`: gin's parseAccept and NegotiateFormat over
 * lura's offers (application/json, text/plain, application/xml, application/x-yaml). */
#include "gw_enc_int.h"

#include <string.h>

static const char *const OFFERS[] = {"application/json", "text/plain", "application/xml",
                                     "application/x-yaml"};
static const enum gw_enc_format FORMATS[] = {GW_ENC_FMT_JSON, GW_ENC_FMT_YAML, GW_ENC_FMT_XML,
                                             GW_ENC_FMT_YAML};

/* NegotiateFormat's comparison: a '*' at the same position in either string wins the offer, a
 * differing byte loses it, an accepted value that is a prefix of the offer wins it. */
static bool matches(const char *acc, size_t n, const char *offer)
{
    size_t ol = strlen(offer), i;

    for (i = 0; i < n && i < ol; i++) {
        if (acc[i] == '*' || offer[i] == '*')
            return true;
        if (acc[i] != offer[i])
            return false;
    }
    return i == n;
}

enum gw_enc_format gw_enc_negotiate(const char *accept, size_t len)
{
    size_t start = 0;

    if (!accept)
        return GW_ENC_FMT_JSON;
    /* parseAccept: split on ',', cut at a ';' that is not the first byte, trim, drop empties;
     * then every accepted value in header order (q-values ignored) against every offer */
    while (start <= len) {
        const char *end = memchr(accept + start, ',', len - start);
        size_t pl = end ? (size_t)(end - (accept + start)) : len - start;
        const unsigned char *p = (const unsigned char *)accept + start;
        const char *semi = memchr(p, ';', pl);
        size_t l;

        if (semi && semi != (const char *)p)
            pl = (size_t)((const unsigned char *)semi - p);
        while (pl && (l = gw_enc_space_len(p, pl)) > 0)
            p += l, pl -= l;
        while (pl && (l = gw_enc_space_len_back(p, pl)) > 0)
            pl -= l;
        for (size_t o = 0; pl && o < sizeof(OFFERS) / sizeof(OFFERS[0]); o++) {
            if (matches((const char *)p, pl, OFFERS[o]))
                return FORMATS[o];
        }
        if (!end)
            break;
        start = (size_t)(end - accept) + 1;
    }
    /* no value at all picks the first offer; no match at all returns "" -> lura's JSON */
    return GW_ENC_FMT_JSON;
}
