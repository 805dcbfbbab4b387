/* gw_influx.c - krakend-influx's points in InfluxDB line protocol (tags and fields sorted,
 * integers with an "i", floats in Go's shortest 'f' form, escaping of the Go client). */
#include "gw_influx.h"

#include "cmn_str.h"
#include "cmn_go_duration.h"
#include "cmn_go_float.h"
#include "cmn_go_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool gw_influx_config_parse(const json_t *block, struct gw_influx_config *out, struct cmn_err *err)
{
    const char *key;
    json_t *v;

    memset(out, 0, sizeof(*out));
    out->ttl_ns = 60000000000LL;
    if (!json_is_object(block)) {
        cmn_err_set(err, 1, "[SERVICE: InfluxDB] Parsing the configuration: not an object");
        return false;
    }
    json_object_foreach((json_t *)(uintptr_t)block, key, v)
    {
        char **dst = strcmp(key, "address") == 0    ? &out->address
                     : strcmp(key, "username") == 0 ? &out->username
                     : strcmp(key, "password") == 0 ? &out->password
                     : strcmp(key, "db") == 0       ? &out->db
                                                    : NULL;
        char w[256];

        if (dst && json_is_string(v)) {
            free(*dst);
            *dst = strdup(json_string_value(v));
        } else if (strcmp(key, "ttl") == 0 && json_is_string(v)) {
            if (!cmn_go_parse_duration(json_string_value(v), &out->ttl_ns) || out->ttl_ns <= 0) {
                cmn_err_set(err, 1,
                            "[SERVICE: InfluxDB] Parsing the configuration: time: invalid "
                            "duration \"%s\"",
                            json_string_value(v));
                gw_influx_config_free(out);
                return false;
            }
        } else if (strcmp(key, "buffer_size") == 0) {
            snprintf(w, sizeof(w),
                     "extra_config.telemetry/influx.buffer_size: KrakenD CE "
                     "reads only a Go int here, never a JSON number: 0 used");
            gw_tel_strs_add(&out->warnings, w);
        } else {
            snprintf(w, sizeof(w), "extra_config.telemetry/influx.%s: %s", key,
                     dst || strcmp(key, "ttl") == 0 ? "not a string: ignored"
                                                    : "unknown key, ignored");
            gw_tel_strs_add(&out->warnings, w);
        }
    }
    if (!out->db)
        out->db = strdup("krakend");
    if (!out->address || !*out->address) {
        cmn_err_set(err, 1, "[SERVICE: InfluxDB] Parsing the configuration: address is required");
        gw_influx_config_free(out);
        return false;
    }
    return out->db != NULL;
}

void gw_influx_config_free(struct gw_influx_config *c)
{
    if (!c)
        return;
    free(c->address);
    free(c->username);
    free(c->password);
    free(c->db);
    gw_tel_strs_free(&c->warnings);
    memset(c, 0, sizeof(*c));
}

char *gw_influx_write_url(const struct gw_influx_config *c)
{
    struct cmn_buf b;
    size_t al = strlen(c->address);

    cmn_buf_init(&b, 8192);
    cmn_buf_append(&b, c->address, al && c->address[al - 1] == '/' ? al - 1 : al);
    cmn_buf_append_str(&b, "/write?db=");
    if (!cmn_go_query_escape(c->db, strlen(c->db), &b) ||
        cmn_buf_append_str(&b, "&precision=s") != CMN_BUF_OK) {
        cmn_buf_free(&b);
        return NULL;
    }
    return cmn_buf_take(&b, NULL);
}

/* ---- state: previous totals by key ---- */

struct last {
    char *key;
    int64_t v;
};

struct gw_influx {
    struct last *l;
    size_t n, cap;
};

struct gw_influx *gw_influx_new(void)
{
    return calloc(1, sizeof(struct gw_influx));
}

void gw_influx_destroy(struct gw_influx *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->l[i].key);
    free(s->l);
    free(s);
}

/* The previous total of key (0 the first time), replaced by v. */
static int64_t swap_last(struct gw_influx *s, const char *key, int64_t v, bool *nomem)
{
    int64_t old;

    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->l[i].key, key) == 0) {
            old = s->l[i].v;
            s->l[i].v = v;
            return old;
        }
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 32;
        struct last *nl = realloc(s->l, nc * sizeof(*nl));
        if (!nl) {
            *nomem = true;
            return 0;
        }
        s->l = nl;
        s->cap = nc;
    }
    s->l[s->n].key = strdup(key);
    if (!s->l[s->n].key) {
        *nomem = true;
        return 0;
    }
    s->l[s->n++].v = v;
    return 0;
}

/* ---- line protocol ---- */

static void esc(struct cmn_buf *b, const char *s, size_t n, const char *special)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr(special, s[i]) && s[i])
            cmn_buf_append(b, "\\", 1);
        cmn_buf_append(b, s + i, 1);
    }
}

struct tag {
    const char *k;
    const char *v;
    size_t vn;
};

struct field {
    const char *k;
    bool is_int;
    int64_t i;
    double d;
};

static int tag_cmp(const void *a, const void *b)
{
    return strcmp(((const struct tag *)a)->k, ((const struct tag *)b)->k);
}

static int field_cmp(const void *a, const void *b)
{
    return strcmp(((const struct field *)a)->k, ((const struct field *)b)->k);
}

static void point(struct cmn_buf *o, const char *measurement, struct tag *t, size_t nt,
                  struct field *f, size_t nf, int64_t ts)
{
    char num[CMN_GO_FLOAT_MAX];

    if (!nf)
        return; /* the Go client refuses a point without fields */
    qsort(t, nt, sizeof(*t), tag_cmp);
    qsort(f, nf, sizeof(*f), field_cmp);
    esc(o, measurement, strlen(measurement), ", ");
    for (size_t i = 0; i < nt; i++) {
        if (!t[i].vn)
            continue; /* empty tag values are left out */
        cmn_buf_append(o, ",", 1);
        esc(o, t[i].k, strlen(t[i].k), ",= ");
        cmn_buf_append(o, "=", 1);
        esc(o, t[i].v, t[i].vn, ",= ");
    }
    for (size_t i = 0; i < nf; i++) {
        cmn_buf_append(o, i ? "," : " ", 1);
        esc(o, f[i].k, strlen(f[i].k), ",= ");
        if (f[i].is_int) {
            cmn_buf_printf(o, "=%lldi", (long long)f[i].i);
        } else {
            cmn_go_format_float(f[i].d, 'f', num);
            cmn_buf_printf(o, "=%s", num);
        }
    }
    cmn_buf_printf(o, " %lld\n", (long long)ts);
}

static const char *suffix_at(const char *s, const char *pre, const char *mid)
{
    return cmn_str_has_prefix(s, pre) ? strstr(s + strlen(pre), mid) : NULL;
}

/* name = <prefix><layer>.name.<name>.complete.<c>.error.<e>[rest]: the layer and name
 * (krakend-influx's greedy (.*) takes the last ".complete." before the flags). */
static bool layer_parts(const char *k, const char *pre, const char **layer, size_t *ll,
                        const char **name, size_t *nl, const char **c, const char **e)
{
    const char *n = suffix_at(k, pre, ".name."), *last = NULL, *p;

    if (!n)
        return false;
    *layer = k + strlen(pre);
    *ll = (size_t)(n - *layer);
    for (p = strstr(n + 6, ".complete."); p; p = strstr(p + 1, ".complete."))
        last = p;
    if (!last || *ll == 0)
        return false;
    *name = n + 6;
    *nl = (size_t)(last - *name);
    *c = last + 10;
    if (strncmp(*c, "true.error.", 11) != 0 && strncmp(*c, "false.error.", 12) != 0)
        return false;
    *e = *c + (**c == 't' ? 11 : 12);
    return strncmp(*e, "true", 4) == 0 || strncmp(*e, "false", 5) == 0;
}

static size_t hist_fields(const struct gw_stats_hist_data *h, struct field *f)
{
    static const char *const P[7] = {"p0.1", "p0.25", "p0.5", "p0.75", "p0.9", "p0.95", "p0.99"};
    size_t n = 0;

    f[n++] = (struct field){"max", true, h->max, 0};
    f[n++] = (struct field){"min", true, h->min, 0};
    f[n++] = (struct field){"mean", true, (int64_t)h->mean, 0};
    f[n++] = (struct field){"stddev", true, (int64_t)h->stddev, 0};
    f[n++] = (struct field){"variance", true, (int64_t)h->variance, 0};
    for (int i = 0; i < 7; i++)
        f[n++] = (struct field){P[i], false, 0, h->p[i]};
    return n;
}

static bool empty(const struct gw_stats_hist_data *h)
{
    return h->max == 0 && h->min == 0 && h->mean == 0 && h->stddev == 0 && h->variance == 0 &&
           h->p[0] == 0 && h->p[6] == 0;
}

static int64_t counter(const struct gw_stats_snapshot *s, const char *k)
{
    for (size_t i = 0; i < s->n_counters; i++)
        if (strcmp(s->counters[i].name, k) == 0)
            return s->counters[i].value;
    return 0;
}

static int64_t gauge(const struct gw_stats_snapshot *s, const char *k)
{
    for (size_t i = 0; i < s->n_gauges; i++)
        if (strcmp(s->gauges[i].name, k) == 0)
            return s->gauges[i].value;
    return 0;
}

static bool counters(struct gw_influx *st, const struct gw_stats_snapshot *s, const char *host,
                     struct cmn_buf *o)
{
    bool nomem = false;

    for (size_t i = 0; i < s->n_counters; i++) {
        const char *k = s->counters[i].name, *layer, *name, *c, *e, *stat;
        size_t ll, nl;
        int64_t v = s->counters[i].value;
        char key[1200];

        if (layer_parts(k, "krakend.proxy.requests.layer.", &layer, &ll, &name, &nl, &c, &e)) {
            struct tag t[5] = {{"host", host, strlen(host)},
                               {"layer", layer, ll},
                               {"name", name, nl},
                               {"complete", c, *c == 't' ? 4u : 5u},
                               {"error", e, *e == 't' ? 4u : 5u}};
            struct field f[2];
            snprintf(key, sizeof(key), "req.%s", k);
            f[0] = (struct field){"total", true, v, 0};
            f[1] = (struct field){"count", true, v - swap_last(st, key, v, &nomem), 0};
            point(o, "requests", t, 5, f, 2, s->unix_s);
        } else if ((stat = suffix_at(k, "krakend.router.response.", ".status.")) != NULL) {
            const char *last = stat, *p;
            for (p = strstr(stat + 1, ".status."); p; p = strstr(p + 1, ".status."))
                last = p;
            if (strlen(last) == 8 + 3 + 6 && strcmp(last + 11, ".count") == 0) {
                struct tag t[3] = {{"host", host, strlen(host)},
                                   {"name", k + 24, (size_t)(last - (k + 24))},
                                   {"status", last + 8, 3}};
                struct field f[2];
                snprintf(key, sizeof(key), "resp.%s", k);
                f[0] = (struct field){"total", true, v, 0};
                f[1] = (struct field){"count", true, v - swap_last(st, key, v, &nomem), 0};
                point(o, "responses", t, 3, f, 2, s->unix_s);
            }
        }
    }
    for (int in = 1; in >= 0; in--) {
        struct tag t[2] = {{"host", host, strlen(host)},
                           {"direction", in ? "in" : "out", in ? 2u : 3u}};
        struct field f[2] = {
            {"current", true,
             counter(s, in ? "krakend.router.connected" : "krakend.router.disconnected"), 0},
            {"total", true,
             counter(s,
                     in ? "krakend.router.connected-total" : "krakend.router.disconnected-total"),
             0}};
        point(o, "router", t, 2, f, 2, s->unix_s);
    }
    return !nomem;
}

static void gauges(const struct gw_stats_snapshot *s, const char *host, struct cmn_buf *o)
{
    struct field *debug = calloc(s->n_gauges + 1, sizeof(*debug));
    struct field *runtime = calloc(s->n_gauges + 1, sizeof(*runtime));
    size_t nd = 0, nr = 0;

    for (int in = 1; in >= 0; in--) {
        struct tag t[2] = {{"host", host, strlen(host)},
                           {"direction", in ? "in" : "out", in ? 2u : 3u}};
        struct field f = {
            "gauge", true,
            gauge(s, in ? "krakend.router.connected-gauge" : "krakend.router.disconnected-gauge"),
            0};
        point(o, "router", t, 2, &f, 1, s->unix_s);
    }
    for (size_t i = 0; debug && runtime && i < s->n_gauges; i++) {
        const char *k = s->gauges[i].name;
        if (cmn_str_has_prefix(k, "krakend.service.debug."))
            debug[nd++] = (struct field){k + 22, true, s->gauges[i].value, 0};
        else if (cmn_str_has_prefix(k, "krakend.service.runtime."))
            runtime[nr++] = (struct field){k + 24, true, s->gauges[i].value, 0};
    }
    {
        struct tag t[1] = {{"host", host, strlen(host)}};
        point(o, "debug", t, 1, debug, nd, s->unix_s);
        point(o, "runtime", t, 1, runtime, nr, s->unix_s);
    }
    free(debug);
    free(runtime);
}

static void histograms(const struct gw_stats_snapshot *s, const char *host, struct cmn_buf *o)
{
    for (size_t i = 0; i < s->n_histograms; i++) {
        const char *k = s->histograms[i].name, *layer, *name, *c, *e;
        const struct gw_stats_hist_data *h = &s->histograms[i].hist;
        struct field f[12];
        size_t ll, nl, nf;

        if (empty(h))
            continue;
        nf = hist_fields(h, f);
        if (layer_parts(k, "krakend.proxy.latency.layer.", &layer, &ll, &name, &nl, &c, &e)) {
            struct tag t[5] = {{"host", host, strlen(host)},
                               {"layer", layer, ll},
                               {"name", name, nl},
                               {"complete", c, *c == 't' ? 4u : 5u},
                               {"error", e, *e == 't' ? 4u : 5u}};
            point(o, "requests", t, 5, f, nf, s->unix_s);
        } else if (cmn_str_has_prefix(k, "krakend.router.response.")) {
            size_t kl = strlen(k);
            bool size = kl > 29 && strcmp(k + kl - 5, ".size") == 0;
            bool time = kl > 29 && strcmp(k + kl - 5, ".time") == 0;
            struct tag t[2] = {{"host", host, strlen(host)}, {"name", k + 24, kl - 29}};
            if (size || time)
                point(o, size ? "router.response-size" : "router.response-time", t, 2, f, nf,
                      s->unix_s);
        } else if (strcmp(k, "krakend.service.debug.GCStats.Pause") == 0 ||
                   strcmp(k, "krakend.service.runtime.MemStats.PauseNs") == 0) {
            struct tag t[1] = {{"host", host, strlen(host)}};
            point(o, k + 8, t, 1, f, nf, s->unix_s);
        }
    }
}

bool gw_influx_body(struct gw_influx *st, const struct gw_stats_snapshot *snap,
                    const char *hostname, struct cmn_buf *out, bool *skipped)
{
    struct cmn_buf b;
    bool ok;

    *skipped = snap->n_counters == 0 && snap->n_gauges == 0;
    if (*skipped)
        return true;
    cmn_buf_init(&b, (size_t)64 << 20); /* the append to out below is the checked one */
    ok = counters(st, snap, hostname ? hostname : "localhost", &b);
    gauges(snap, hostname ? hostname : "localhost", &b);
    histograms(snap, hostname ? hostname : "localhost", &b);
    ok = ok && b.len < b.cap && cmn_buf_append(out, cmn_buf_str(&b), b.len) == CMN_BUF_OK;
    cmn_buf_free(&b);
    return ok;
}
