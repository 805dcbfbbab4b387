/* gw_rl_key.c - the client key of a request under the `ip`, `header` and `param` strategies
 * (§5.5, [rl:router/gin/tokenextractor.go]). */
#include "gw_rl_int.h"

#include "cmn_go_strings.h"

#include <string.h>

/* Go's net.ParseIP on a string without ':' (the caller cut there): a dotted quad of decimal
 * fields 0-255 without leading zeros (netip rejects "01"). */
static bool is_ipv4(const char *s, size_t n)
{
    unsigned fields = 0;
    size_t i = 0;

    while (fields < 4) {
        unsigned v = 0, digits = 0;

        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (digits == 1 && v == 0)
                return false; /* leading zero */
            v = v * 10 + (unsigned)(s[i] - '0');
            if (++digits > 3 || v > 255)
                return false;
            i++;
        }
        if (digits == 0)
            return false;
        fields++;
        if (fields < 4) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
    }
    return i == n;
}

/* `ip` with a key: the header's first value, cut at the first ',', trimmed, cut at the first
 * ':'; used when that parses as an IP. A port goes, and so does any IPv6 address. */
static const char *ip_from_header(const char *v, size_t *len)
{
    const char *comma, *colon;
    size_t n;

    if (!v)
        return NULL;
    n = strlen(v);
    comma = memchr(v, ',', n);
    if (comma)
        n = (size_t)(comma - v);
    cmn_go_trim_space(&v, &n);
    if (n == 0)
        return NULL;
    colon = memchr(v, ':', n);
    if (colon)
        n = (size_t)(colon - v);
    if (!is_ipv4(v, n))
        return NULL;
    *len = n;
    return v;
}

/* gin's Param: the first path parameter of that name (case-sensitive). */
static const char *param(const struct gw_inreq *in, const char *name)
{
    for (size_t i = 0; in && i < in->n_params; i++) {
        if (strcmp(in->params[i].name, name) == 0)
            return in->params[i].value;
    }
    return NULL;
}

/* Go's Header.Get on the request's headers (kept under canonical names). */
static const char *header(const struct gw_inreq *in, const char *canonical)
{
    return in && *canonical ? gw_hdrs_get(&in->headers, canonical) : NULL;
}

const char *gw_rl_client_key(const struct gw_rl_router_config *c, const struct gw_inreq *in,
                             const char *client_ip, size_t *len)
{
    const char *v = NULL;

    *len = 0;
    switch (c->strategy) {
    case GW_RL_STRATEGY_IP:
        v = ip_from_header(header(in, c->key_header), len);
        if (v)
            return v;
        v = client_ip; /* gin's ClientIP() */
        break;
    case GW_RL_STRATEGY_HEADER:
        v = header(in, c->key_header);
        break;
    case GW_RL_STRATEGY_PARAM:
        v = param(in, c->key);
        break;
    case GW_RL_STRATEGY_NONE:
        break;
    }
    if (v)
        *len = strlen(v);
    return v;
}
