/* gw_metrics.c - the metric registry: schemas, bases, groups, shards and collection. */
#include "gw_metrics.h"

#include "cmn_go_float.h"

#include "cmn_buf.h"
#include "cmn_str.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct gw_metrics {
    struct gw_metrics_opts o;
    char *scope_name, *scope_version;
    struct gw_metrics_schema schemas[GW_METRICS_MAX_SCHEMAS];
    unsigned n_schemas;
    struct gw_metrics_shard *shards; /* n_workers + 1 */
    uint32_t cells_used;             /* under lock */
    struct gw_metrics_group *groups; /* max_groups, stable addresses */
    unsigned n_groups;               /* published with release */
    struct gw_metrics_base **bases;
    unsigned n_bases, cap_bases;
    uint64_t dropped; /* atomic */
    pthread_mutex_t lock;
};

struct gw_metrics *gw_metrics_new(const struct gw_metrics_opts *o, struct cmn_err *err)
{
    struct gw_metrics *m = NULL;

    if (!o || o->n_workers == 0 || o->n_workers > 4096) {
        cmn_err_set(err, 1, "metrics: n_workers must be 1..4096");
        return NULL;
    }
    m = calloc(1, sizeof(*m));
    if (!m)
        goto nomem;
    m->o = *o;
    if (!m->o.slots_per_worker)
        m->o.slots_per_worker = 65536;
    if (!m->o.max_groups)
        m->o.max_groups = 8192;
    if (!m->o.table_cap)
        m->o.table_cap = 64;
    if (m->o.slots_per_worker > UINT32_MAX / 2 || (m->o.table_cap & (m->o.table_cap - 1)) ||
        m->o.table_cap > 65536) {
        cmn_err_set(err, 1, "metrics: slots_per_worker too large or table_cap not a power of two");
        free(m);
        return NULL;
    }
    m->scope_name = strdup(o->scope_name ? o->scope_name : "");
    m->scope_version = strdup(o->scope_version ? o->scope_version : "");
    m->o.scope_name = m->scope_name;
    m->o.scope_version = m->scope_version;
    m->shards = calloc(o->n_workers + 1, sizeof(*m->shards));
    m->groups = calloc(m->o.max_groups, sizeof(*m->groups));
    if (!m->scope_name || !m->scope_version || !m->shards || !m->groups)
        goto nomem;
    for (unsigned i = 0; i <= o->n_workers; i++) {
        /* each shard on its own cache lines: no false sharing between workers */
        size_t bytes = (m->o.slots_per_worker * sizeof(uint64_t) + 63) & ~(size_t)63;
        m->shards[i].cells = aligned_alloc(64, bytes);
        if (!m->shards[i].cells)
            goto nomem;
        memset(m->shards[i].cells, 0, bytes);
        m->shards[i].shared = i == o->n_workers;
    }
    pthread_mutex_init(&m->lock, NULL);
    return m;
nomem:
    cmn_err_set(err, 2, "metrics: out of memory");
    if (m) {
        if (m->shards) {
            for (unsigned i = 0; i <= o->n_workers; i++)
                free(m->shards[i].cells);
        }
        free(m->shards);
        free(m->groups);
        free(m->scope_name);
        free(m->scope_version);
        free(m);
    }
    return NULL;
}

static void base_free(struct gw_metrics_base *b)
{
    if (!b)
        return;
    free(b->table);
    free(b->attrs);
    free(b->arena);
    free(b);
}

void gw_metrics_destroy(struct gw_metrics *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i <= m->o.n_workers; i++)
        free(m->shards[i].cells);
    for (unsigned i = 0; i < m->n_groups; i++) {
        free(m->groups[i].attrs);
        free(m->groups[i].label_names);
        free(m->groups[i].labels);
        free(m->groups[i].arena);
        free(m->groups[i].attr_arena);
    }
    for (unsigned i = 0; i < m->n_bases; i++)
        base_free(m->bases[i]);
    free(m->bases);
    free(m->shards);
    free(m->groups);
    free(m->scope_name);
    free(m->scope_version);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static const struct {
    const char *unit, *suffix;
} UNIT_SUFFIX[] = {
    {"d", "_days"},         {"h", "_hours"},         {"min", "_minutes"},
    {"s", "_seconds"},      {"ms", "_milliseconds"}, {"us", "_microseconds"},
    {"ns", "_nanoseconds"}, {"By", "_bytes"},        {"KiBy", "_kibibytes"},
    {"MiBy", "_mebibytes"}, {"GiBy", "_gibibytes"},  {"TiBy", "_tibibytes"},
    {"KBy", "_kilobytes"},  {"MBy", "_megabytes"},   {"GBy", "_gigabytes"},
    {"TBy", "_terabytes"},  {"m", "_meters"},        {"V", "_volts"},
    {"A", "_amperes"},      {"J", "_joules"},        {"W", "_watts"},
    {"g", "_grams"},        {"Cel", "_celsius"},     {"Hz", "_hertz"},
    {"1", "_ratio"},        {"%", "_percent"},
};

static bool name_char(unsigned char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
}

/* One '_' per invalid character; a UTF-8 sequence is one character. */
static void sanitize(struct cmn_buf *b, const char *s, bool metric)
{
    for (size_t i = 0; s[i];) {
        unsigned char c = (unsigned char)s[i];
        size_t l = 1;

        if (c >= 0xc0)
            while (((unsigned char)s[i + l] & 0xc0) == 0x80)
                l++;
        if (i == 0 && metric && c >= '0' && c <= '9') {
            cmn_buf_append(b, "_", 1);
            cmn_buf_append(b, s, 1);
        } else if (name_char(c, false)) {
            cmn_buf_append(b, s + i, 1);
        } else {
            cmn_buf_append(b, "_", 1);
        }
        i += l;
    }
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
    size_t l = strlen(suf);
    return n >= l && memcmp(s + n - l, suf, l) == 0;
}

bool gw_metrics_prom_name(const struct gw_metric_def *d, char *out, size_t cap)
{
    struct cmn_buf b;
    bool counter = d->kind == GW_METRIC_COUNTER_INT || d->kind == GW_METRIC_COUNTER_FLOAT;
    bool ok;

    cmn_buf_init(&b, 4096);
    sanitize(&b, d->name, true);
    /* the exporter drops a "_total" already there and re-adds it after the unit suffix */
    if (counter && has_suffix(b.data ? b.data : "", b.len, "_total"))
        b.len -= 6;
    for (size_t i = 0; d->unit && i < sizeof(UNIT_SUFFIX) / sizeof(UNIT_SUFFIX[0]); i++) {
        if (strcmp(d->unit, UNIT_SUFFIX[i].unit) == 0) {
            if (!has_suffix(b.data ? b.data : "", b.len, UNIT_SUFFIX[i].suffix))
                cmn_buf_append_str(&b, UNIT_SUFFIX[i].suffix);
            break;
        }
    }
    if (counter)
        cmn_buf_append_str(&b, "_total");
    ok = b.data && b.len < cap;
    if (ok) {
        memcpy(out, b.data, b.len);
        out[b.len] = '\0';
    }
    cmn_buf_free(&b);
    return ok;
}

char *gw_metrics_label_name(const char *key)
{
    struct cmn_buf b;

    cmn_buf_init(&b, 4096);
    sanitize(&b, key, false);
    return cmn_buf_take(&b, NULL);
}

int gw_metrics_schema(struct gw_metrics *m, const struct gw_metric_def *defs, unsigned n)
{
    struct gw_metrics_schema *s;
    uint32_t off = 0;

    if (!m || n == 0 || n > GW_METRICS_MAX_INSTR || m->n_schemas >= GW_METRICS_MAX_SCHEMAS)
        return -1;
    s = &m->schemas[m->n_schemas];
    memset(s, 0, sizeof(*s));
    for (unsigned i = 0; i < n; i++) {
        bool hist = defs[i].kind == GW_METRIC_HIST_INT || defs[i].kind == GW_METRIC_HIST_FLOAT;
        if (!defs[i].name || (hist && (!defs[i].bounds || defs[i].n_bounds == 0)) ||
            defs[i].n_bounds > 256 ||
            !gw_metrics_prom_name(&defs[i], s->prom[i], sizeof(s->prom[i])))
            return -1;
        s->defs[i] = defs[i];
        if (!hist)
            s->defs[i].n_bounds = 0;
        s->off[i] = off;
        off += hist ? defs[i].n_bounds + 2 : 1;
    }
    s->n = n;
    s->cells = off;
    return (int)m->n_schemas++;
}

/* Total bytes the strings of attrs need (with NULs). */
static size_t attrs_bytes(const struct gw_attr *a, unsigned n)
{
    size_t t = 0;

    for (unsigned i = 0; i < n; i++)
        t += strlen(a[i].key) + 1 + (a[i].type == GW_ATTR_STR && a[i].str ? strlen(a[i].str) : 0) +
             1;
    return t;
}

/* Copies a's strings into arena (advanced). */
static void attr_copy(struct gw_attr *dst, const struct gw_attr *src, char **arena)
{
    size_t l = strlen(src->key) + 1;

    *dst = *src;
    memcpy(*arena, src->key, l);
    dst->key = *arena;
    *arena += l;
    if (src->type == GW_ATTR_STR) {
        const char *s = src->str ? src->str : "";
        l = strlen(s) + 1;
        memcpy(*arena, s, l);
        dst->str = *arena;
        *arena += l;
    } else {
        dst->str = NULL;
    }
}

struct gw_metrics_base *gw_metrics_base_new(struct gw_metrics *m, int schema,
                                            const struct gw_attr *attrs, unsigned n,
                                            gw_metrics_dyn_fn dyn, const void *dyn_ctx)
{
    struct gw_metrics_base *b;
    char *at;

    if (!m || schema < 0 || (unsigned)schema >= m->n_schemas || n > GW_METRICS_MAX_ATTRS ||
        (n && !attrs))
        return NULL;
    if (m->n_bases == m->cap_bases) {
        unsigned nc = m->cap_bases ? m->cap_bases * 2 : 16;
        struct gw_metrics_base **nb = realloc(m->bases, nc * sizeof(*nb));
        if (!nb)
            return NULL;
        m->bases = nb;
        m->cap_bases = nc;
    }
    b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->reg = m;
    b->schema = schema;
    b->mask = m->o.table_cap - 1;
    b->table = calloc(m->o.table_cap, sizeof(*b->table));
    b->attrs = calloc(n ? n : 1, sizeof(*b->attrs));
    b->arena = malloc(attrs_bytes(attrs, n) + 1);
    if (!b->table || !b->attrs || !b->arena) {
        base_free(b);
        return NULL;
    }
    at = b->arena;
    for (unsigned i = 0; i < n; i++)
        attr_copy(&b->attrs[i], &attrs[i], &at);
    b->n_attrs = n;
    b->dyn = dyn;
    b->dyn_ctx = dyn_ctx;
    m->bases[m->n_bases++] = b;
    return b;
}

struct gw_metrics_shard *gw_metrics_shard(struct gw_metrics *m, unsigned i)
{
    return m && i <= m->o.n_workers ? &m->shards[i] : NULL;
}

uint64_t gw_metrics_dropped(const struct gw_metrics *m)
{
    return m ? __atomic_load_n(&m->dropped, __ATOMIC_RELAXED) : 0;
}

static int attr_cmp(const void *a, const void *b)
{
    return strcmp(((const struct gw_attr *)a)->key, ((const struct gw_attr *)b)->key);
}

/* Text of an attribute value as OpenTelemetry's Value.Emit gives it. */
static void attr_text(const struct gw_attr *a, char *buf, size_t cap, const char **out)
{
    switch (a->type) {
    case GW_ATTR_STR:
        *out = a->str ? a->str : "";
        return;
    case GW_ATTR_INT:
        snprintf(buf, cap, "%" PRId64, a->i);
        break;
    case GW_ATTR_BOOL:
        snprintf(buf, cap, "%s", a->b ? "true" : "false");
        break;
    case GW_ATTR_DOUBLE:
        cmn_go_format_float(a->d, 'g', buf);
        break;
    }
    *out = buf;
}

struct label {
    char *name;
    struct cmn_buf value;
};

static int label_cmp(const void *a, const void *b)
{
    return strcmp(((const struct label *)a)->name, ((const struct label *)b)->name);
}

/* Prometheus labels of a group: sanitized keys (values of colliding keys joined with ';', as
 * the exporter does), plus otel_scope_name/version, sorted by name; rendered with the text
 * format's escaping (\\ \n \"). */
static bool group_labels(struct gw_metrics *m, struct gw_metrics_group *g)
{
    struct label lb[2 * GW_METRICS_MAX_ATTRS + 2];
    unsigned n = 0;
    struct cmn_buf r;
    bool ok = false;
    size_t total = 0;

    for (unsigned i = 0; i < g->n_attrs; i++) {
        char num[CMN_GO_FLOAT_MAX];
        const char *v;
        char *name = gw_metrics_label_name(g->attrs[i].key);
        unsigned j;

        if (!name)
            goto out;
        attr_text(&g->attrs[i], num, sizeof(num), &v);
        for (j = 0; j < n && strcmp(lb[j].name, name) != 0; j++)
            ;
        if (j < n) {
            free(name);
            cmn_buf_append(&lb[j].value, ";", 1);
        } else {
            lb[n].name = name;
            cmn_buf_init(&lb[n].value, 1 << 20);
            j = n++;
        }
        cmn_buf_append_str(&lb[j].value, v);
    }
    lb[n].name = strdup("otel_scope_name");
    cmn_buf_init(&lb[n].value, 1 << 20);
    cmn_buf_append_str(&lb[n++].value, m->scope_name);
    lb[n].name = strdup("otel_scope_version");
    cmn_buf_init(&lb[n].value, 1 << 20);
    cmn_buf_append_str(&lb[n++].value, m->scope_version);
    if (!lb[n - 1].name || !lb[n - 2].name)
        goto out;
    qsort(lb, n, sizeof(lb[0]), label_cmp);
    cmn_buf_init(&r, 1 << 22);
    for (unsigned i = 0; i < n; i++) {
        const char *v = cmn_buf_str(&lb[i].value);
        cmn_buf_printf(&r, "%s%s=\"", i ? "," : "", lb[i].name);
        for (const char *c = v; *c; c++) {
            if (*c == '\\' || *c == '"')
                cmn_buf_printf(&r, "\\%c", *c);
            else if (*c == '\n')
                cmn_buf_append(&r, "\\n", 2);
            else
                cmn_buf_append(&r, c, 1);
        }
        cmn_buf_append(&r, "\"", 1);
        total += strlen(lb[i].name) + 1 + lb[i].value.len + 1;
    }
    g->labels = cmn_buf_take(&r, NULL);
    g->label_names = calloc(2 * n, sizeof(char *));
    g->arena = malloc(total + 1);
    if (g->labels && g->label_names && g->arena) {
        char *at = g->arena;
        g->label_values = g->label_names + n;
        for (unsigned i = 0; i < n; i++) {
            size_t l = strlen(lb[i].name) + 1;
            memcpy(at, lb[i].name, l);
            g->label_names[i] = at;
            at += l;
            memcpy(at, cmn_buf_str(&lb[i].value), lb[i].value.len + 1);
            g->label_values[i] = at;
            at += lb[i].value.len + 1;
        }
        g->n_labels = n;
        ok = true;
    }
out:
    for (unsigned i = 0; i < n; i++) {
        free(lb[i].name);
        cmn_buf_free(&lb[i].value);
    }
    return ok;
}

/* Fills group g for (b, key): merged attributes (later wins), sorted; labels. */
static bool group_build(struct gw_metrics_base *b, uint64_t key, struct gw_metrics_group *g)
{
    struct gw_attr all[2 * GW_METRICS_MAX_ATTRS], dyn[GW_METRICS_MAX_ATTRS];
    char scratch[1024];
    unsigned n = 0, nd = 0;
    char *at;

    if (b->dyn)
        nd = b->dyn(b->dyn_ctx, key, dyn, GW_METRICS_MAX_ATTRS, scratch, sizeof(scratch));
    for (unsigned i = 0; i < b->n_attrs + nd; i++) {
        const struct gw_attr *a = i < b->n_attrs ? &b->attrs[i] : &dyn[i - b->n_attrs];
        unsigned j;
        for (j = 0; j < n && strcmp(all[j].key, a->key) != 0; j++)
            ;
        all[j] = *a;
        if (j == n)
            n++;
    }
    qsort(all, n, sizeof(all[0]), attr_cmp);
    g->attrs = calloc(n ? n : 1, sizeof(*g->attrs));
    g->attr_arena = malloc(attrs_bytes(all, n) + 1);
    if (!g->attrs || !g->attr_arena)
        goto fail;
    at = g->attr_arena;
    for (unsigned i = 0; i < n; i++)
        attr_copy(&g->attrs[i], &all[i], &at);
    g->n_attrs = n;
    if (group_labels(b->reg, g))
        return true;
fail:
    free(g->attrs);
    free(g->attr_arena);
    free(g->labels);
    free(g->label_names);
    free(g->arena);
    memset(g, 0, sizeof(*g));
    return false;
}

struct gw_metrics_group *gw_metrics_group_slow(struct gw_metrics_base *b, uint64_t key)
{
    struct gw_metrics *m = b->reg;
    const struct gw_metrics_schema *s = &m->schemas[b->schema];
    struct gw_metrics_group *g = NULL;
    uint64_t k1 = key + 1;
    unsigned i = (unsigned)((k1 * 0x9E3779B97F4A7C15ull) >> 40) & b->mask, n;

    pthread_mutex_lock(&m->lock);
    for (n = 0; n <= b->mask; n++, i = (i + 1) & b->mask) {
        uint64_t have = __atomic_load_n(&b->table[i].key1, __ATOMIC_ACQUIRE);
        if (have == k1) {
            g = b->table[i].g;
            goto out;
        }
        if (have == 0)
            break;
    }
    if (n > b->mask || m->n_groups >= m->o.max_groups ||
        (size_t)m->cells_used + s->cells > m->o.slots_per_worker)
        goto out;
    g = &m->groups[m->n_groups];
    memset(g, 0, sizeof(*g));
    if (!group_build(b, key, g)) {
        g = NULL;
        goto out;
    }
    g->schema = s;
    g->off = m->cells_used;
    m->cells_used += s->cells;
    __atomic_store_n(&m->n_groups, m->n_groups + 1, __ATOMIC_RELEASE);
    b->table[i].g = g;
    __atomic_store_n(&b->table[i].key1, k1, __ATOMIC_RELEASE);
out:
    pthread_mutex_unlock(&m->lock);
    if (!g)
        __atomic_fetch_add(&m->dropped, 1, __ATOMIC_RELAXED);
    return g;
}

/* client_golang's order: family name, then label count, then label values pairwise. */
static int point_cmp(const void *pa, const void *pb)
{
    const struct gw_metrics_point *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);

    if (c)
        return c;
    if (a->group->n_labels != b->group->n_labels)
        return a->group->n_labels < b->group->n_labels ? -1 : 1;
    for (unsigned i = 0; i < a->group->n_labels; i++) {
        c = strcmp(a->group->label_values[i], b->group->label_values[i]);
        if (c)
            return c;
    }
    return 0;
}

bool gw_metrics_collect(struct gw_metrics *m, struct gw_metrics_snapshot *out, struct cmn_err *err)
{
    unsigned ng = __atomic_load_n(&m->n_groups, __ATOMIC_ACQUIRE);
    size_t np = 0, nb = 0, bi = 0;

    memset(out, 0, sizeof(*out));
    out->scope_name = m->scope_name;
    out->scope_version = m->scope_version;
    out->start_unix_ns = m->o.start_unix_ns;
    for (unsigned g = 0; g < ng; g++) {
        const struct gw_metrics_schema *s = m->groups[g].schema;
        uint32_t t = __atomic_load_n(&m->groups[g].touched, __ATOMIC_RELAXED);
        for (unsigned i = 0; i < s->n; i++) {
            if (t & (1u << i)) {
                np++;
                nb += s->defs[i].n_bounds ? s->defs[i].n_bounds + 1 : 0;
            }
        }
    }
    out->points = calloc(np ? np : 1, sizeof(*out->points));
    out->bucket_store = calloc(nb ? nb : 1, sizeof(uint64_t));
    if (!out->points || !out->bucket_store) {
        gw_metrics_snapshot_free(out);
        cmn_err_set(err, 2, "metrics: out of memory");
        return false;
    }
    for (unsigned g = 0; g < ng; g++) {
        const struct gw_metrics_group *gr = &m->groups[g];
        const struct gw_metrics_schema *s = gr->schema;
        uint32_t t = __atomic_load_n(&gr->touched, __ATOMIC_RELAXED);

        for (unsigned i = 0; i < s->n && out->n < np; i++) {
            struct gw_metrics_point *p = &out->points[out->n];
            const struct gw_metric_def *d = &s->defs[i];
            uint32_t base = gr->off + s->off[i];
            bool hist = d->kind == GW_METRIC_HIST_INT || d->kind == GW_METRIC_HIST_FLOAT;
            uint32_t vcell = hist ? base + d->n_bounds + 1 : base;

            if (!(t & (1u << i)))
                continue;
            p->def = d;
            p->name = s->prom[i];
            p->instr = i;
            p->group = gr;
            if (hist) {
                p->buckets = &out->bucket_store[bi];
                bi += d->n_bounds + 1;
            }
            for (unsigned w = 0; w <= m->o.n_workers; w++) {
                const uint64_t *c = m->shards[w].cells;
                uint64_t v = __atomic_load_n(&c[vcell], __ATOMIC_RELAXED);
                double dv;
                if (hist) {
                    for (unsigned k = 0; k <= d->n_bounds; k++) {
                        uint64_t x = __atomic_load_n(&c[base + k], __ATOMIC_RELAXED);
                        p->buckets[k] += x;
                        p->count += x;
                    }
                }
                if (d->kind == GW_METRIC_COUNTER_FLOAT || d->kind == GW_METRIC_HIST_FLOAT) {
                    memcpy(&dv, &v, sizeof(dv));
                    p->dval += dv;
                } else {
                    p->ival += (int64_t)v;
                }
            }
            out->n++;
        }
    }
    qsort(out->points, out->n, sizeof(*out->points), point_cmp);
    return true;
}

void gw_metrics_snapshot_free(struct gw_metrics_snapshot *s)
{
    if (!s)
        return;
    free(s->points);
    free(s->bucket_store);
    memset(s, 0, sizeof(*s));
}
