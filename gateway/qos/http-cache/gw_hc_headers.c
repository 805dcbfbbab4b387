/* gw_hc_headers.c - what krakend/httpcache reads from backend headers: Cache-Control
 * directives, RFC 1123 dates (Go's time.Parse), freshness, stale-if-error, no-store, Vary.
 * These bytes come from backends: every loop is bounded by the input's length. */
#include "gw_hc_int.h"

#include "cmn_go_duration.h"
#include "cmn_go_header.h"
#include "cmn_go_strings.h"
#include "cmn_go_time.h"
#include "cmn_str.h"

#include <stdlib.h>
#include <string.h>

#define SECOND_NS 1000000000LL

/* ---- Cache-Control ---- */

static void trim_spaces(const char **s, const char **e)
{
    while (*s < *e && **s == ' ')
        (*s)++;
    while (*e > *s && (*e)[-1] == ' ')
        (*e)--;
}

bool gw_hc_cc_get(const char *cc, const char *directive, const char **val, size_t *len)
{
    size_t dlen = strlen(directive);
    bool found = false;

    if (!cc)
        return false;
    for (const char *p = cc;;) {
        const char *end = strchr(p, ',');
        const char *s = p, *e = end ? end : p + strlen(p), *eq, *ks, *ke, *vs, *ve;

        trim_spaces(&s, &e);
        if (s < e) {
            eq = memchr(s, '=', (size_t)(e - s));
            ks = s;
            ke = eq ? eq : e;
            trim_spaces(&ks, &ke);
            if ((size_t)(ke - ks) == dlen && memcmp(ks, directive, dlen) == 0) {
                vs = eq ? eq + 1 : e;
                ve = eq ? memchr(vs, '=', (size_t)(e - vs)) : NULL; /* Split(part, "=")[1] */
                *val = vs;
                *len = (size_t)((ve ? ve : e) - vs);
                found = true; /* a map: the last occurrence wins */
            }
        }
        if (!end)
            break;
        p = end + 1;
    }
    return found;
}

static bool cc_has(const char *cc, const char *directive)
{
    const char *v;
    size_t n;

    return gw_hc_cc_get(cc, directive, &v, &n);
}

/* time.ParseDuration(value + "s"): Cache-Control numbers are seconds, any other text (quotes,
 * spaces) fails; "10m" reads as 10 ms, as in Go. */
static bool seconds_value(const char *v, size_t n, int64_t *ns)
{
    char small[64];
    char *buf = n + 2 <= sizeof(small) ? small : malloc(n + 2);
    bool ok;

    if (!buf)
        return false;
    memcpy(buf, v, n);
    buf[n] = 's';
    buf[n + 1] = '\0';
    ok = memchr(buf, '\0', n) == NULL && cmn_go_parse_duration(buf, ns);
    if (buf != small)
        free(buf);
    return ok;
}

/* ---- RFC 1123 dates: time.Parse(time.RFC1123, v) in a process whose Local is UTC ---- */

bool gw_hc_parse_http_date(const char *s, int64_t *unix_s, int32_t *nsec)
{
    struct cmn_go_time t;

    if (!s ||
        cmn_go_time_parse(CMN_GO_TIME_RFC1123, s, strlen(s), NULL, &t, NULL) != CMN_GO_TIME_OK)
        return false;
    *unix_s = t.unix;
    *nsec = t.nsec;
    return true;
}

/* ---- durations between instants, as Go's Time.Sub (saturating) ---- */

int64_t gw_hc_sub(int64_t a_s, int32_t a_ns, int64_t b_s, int32_t b_ns)
{
    int64_t ds = a_s - b_s, r; /* |ds| < 2^40: dates are years 0-9999, now is a real clock */
    int64_t dn = (int64_t)a_ns - b_ns;

    if (__builtin_mul_overflow(ds, SECOND_NS, &r) || __builtin_add_overflow(r, dn, &r))
        return ds < 0 ? INT64_MIN : INT64_MAX;
    return r;
}

static bool resp_date(const struct gw_hdrs *r, int64_t *s, int32_t *ns)
{
    const char *d = gw_hc_get(r, "Date");

    return d && *d && gw_hc_parse_http_date(d, s, ns);
}

/* time.Since(date) for a wall-clock now in nanoseconds. */
static int64_t age_at(int64_t now_unix_ns, int64_t ds, int32_t dns)
{
    int64_t now_s = now_unix_ns / SECOND_NS, now_n = now_unix_ns % SECOND_NS;

    if (now_n < 0) {
        now_s--;
        now_n += SECOND_NS;
    }
    return gw_hc_sub(now_s, (int32_t)now_n, ds, dns);
}

static const char *req_cc(const struct gw_hdrs *req)
{
    return gw_hc_get(req, "Cache-Control");
}

static const char *resp_cc(const struct gw_hdrs *r)
{
    return gw_hc_get(r, "Cache-Control");
}

enum gw_hc_freshness gw_hc_freshness(const struct gw_hdrs *stored, const struct gw_hdrs *req,
                                     int64_t now_unix_ns)
{
    const char *rq = req_cc(req), *rs = resp_cc(stored), *v, *exp;
    int64_t ds, es, lifetime = 0, age, d;
    int32_t dns, ens;
    size_t n;

    if (cc_has(rq, "no-cache"))
        return GW_HC_TRANSPARENT;
    if (cc_has(rs, "no-cache"))
        return GW_HC_STALE;
    if (cc_has(rq, "only-if-cached"))
        return GW_HC_FRESH;
    if (!resp_date(stored, &ds, &dns))
        return GW_HC_STALE;
    age = age_at(now_unix_ns, ds, dns);
    if (gw_hc_cc_get(rs, "max-age", &v, &n)) {
        if (!seconds_value(v, n, &lifetime))
            lifetime = 0;
    } else if ((exp = gw_hc_get(stored, "Expires")) && *exp) {
        lifetime = gw_hc_parse_http_date(exp, &es, &ens) ? gw_hc_sub(es, ens, ds, dns) : 0;
    }
    if (gw_hc_cc_get(rq, "max-age", &v, &n) && !seconds_value(v, n, &lifetime))
        lifetime = 0;
    /* Go adds and subtracts Durations without overflow checks: they wrap */
    if (gw_hc_cc_get(rq, "min-fresh", &v, &n) && seconds_value(v, n, &d))
        age = (int64_t)((uint64_t)age + (uint64_t)d);
    if (gw_hc_cc_get(rq, "max-stale", &v, &n)) {
        if (n == 0)
            return GW_HC_FRESH; /* any staleness accepted */
        if (seconds_value(v, n, &d))
            age = (int64_t)((uint64_t)age - (uint64_t)d);
    }
    return lifetime > age ? GW_HC_FRESH : GW_HC_STALE;
}

/* One stale-if-error directive: -1 = absent, 1 = yes at once, 0 = refuse at once, 2 = a
 * lifetime was read into *lifetime. */
static int stale_directive(const char *cc, int64_t *lifetime)
{
    const char *v;
    size_t n;

    if (!gw_hc_cc_get(cc, "stale-if-error", &v, &n))
        return -1;
    if (n == 0)
        return 1;
    return seconds_value(v, n, lifetime) ? 2 : 0;
}

bool gw_hc_stale_on_error(const struct gw_hdrs *stored, const struct gw_hdrs *req,
                          int64_t now_unix_ns)
{
    int64_t lifetime = -1, ds;
    int32_t dns;
    int r;

    r = stale_directive(resp_cc(stored), &lifetime);
    if (r == 0 || r == 1)
        return r == 1;
    r = stale_directive(req_cc(req), &lifetime);
    if (r == 0 || r == 1)
        return r == 1;
    if (lifetime < 0 || !resp_date(stored, &ds, &dns))
        return false;
    return lifetime > age_at(now_unix_ns, ds, dns);
}

bool gw_hc_can_store(const struct gw_hdrs *req, const struct gw_hdrs *resp)
{
    return !cc_has(resp_cc(resp), "no-store") && !cc_has(req_cc(req), "no-store");
}

bool gw_hc_vary_each(const struct gw_hdrs *r, gw_hc_vary_fn fn, void *ud)
{
    char name[GW_HC_MAX_NAME];

    for (size_t i = 0; r && i < r->n; i++) {
        const char *v = r->v[i].value;

        if (!r->v[i].name || !v || !cmn_str_eq_nocase(r->v[i].name, "Vary"))
            continue;
        for (;;) {
            const char *comma = strchr(v, ','), *s = v;
            size_t n = comma ? (size_t)(comma - v) : strlen(v);
            bool too_long;

            cmn_go_trim_space(&s, &n);
            too_long = n >= sizeof(name);
            if (!too_long) {
                memcpy(name, s, n);
                name[n] = '\0';
                cmn_go_canonical_header(name, name, sizeof(name));
            }
            if (!fn(ud, too_long ? NULL : name))
                return false;
            if (!comma)
                break;
            v = comma + 1;
        }
    }
    return true;
}

struct vary_ctx {
    const struct gw_hdrs *stored;
    const struct gw_hdrs *req;
};

static bool vary_one(void *ud, const char *name)
{
    const struct vary_ctx *c = ud;
    char fake[GW_HC_MAX_NAME + 16];
    const char *want, *have;

    if (!name)
        return false; /* a name too long to remember: revalidate */
    if (!*name)
        return true;
    memcpy(fake, "X-Varied-", 9);
    memcpy(fake + 9, name, strlen(name) + 1);
    want = gw_hc_get(c->req, name);
    have = gw_hc_get(c->stored, fake);
    return strcmp(want ? want : "", have ? have : "") == 0;
}

bool gw_hc_vary_matches(const struct gw_hdrs *stored, const struct gw_hdrs *req)
{
    struct vary_ctx c = {stored, req};

    return gw_hc_vary_each(stored, vary_one, &c);
}

const char *gw_hc_get(const struct gw_hdrs *h, const char *name)
{
    return h ? gw_hdrs_get(h, name) : NULL;
}
