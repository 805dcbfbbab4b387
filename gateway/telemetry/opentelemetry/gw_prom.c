/* gw_prom.c - Prometheus text exposition: families sorted by name, metrics by label values,
 * HELP/TYPE lines, histogram buckets with Go's float formatting. */
#include "gw_prom.h"

#include "cmn_go_float.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fam_kind { FAM_SNAP, FAM_TARGET, FAM_SCOPE, FAM_PROC };

struct fam {
    const char *name;
    enum fam_kind kind;
    size_t first, count; /* FAM_SNAP: the points */
    int proc;            /* FAM_PROC: index in PROC */
};

struct proc_fam {
    const char *name, *type, *help;
};

static const struct proc_fam PROC[] = {
    {"process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds."},
    {"process_max_fds", "gauge", "Maximum number of open file descriptors."},
    {"process_network_receive_bytes_total", "counter",
     "Number of bytes received by the process over the network."},
    {"process_network_transmit_bytes_total", "counter",
     "Number of bytes sent by the process over the network."},
    {"process_open_fds", "gauge", "Number of open file descriptors."},
    {"process_resident_memory_bytes", "gauge", "Resident memory size in bytes."},
    {"process_start_time_seconds", "gauge",
     "Start time of the process since unix epoch in seconds."},
    {"process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes."},
    {"process_virtual_memory_max_bytes", "gauge",
     "Maximum amount of virtual memory available in bytes."},
};

static int fam_cmp(const void *a, const void *b)
{
    return strcmp(((const struct fam *)a)->name, ((const struct fam *)b)->name);
}

/* HELP text escaping: \\ and \n (quotes stay). */
static void help_line(struct cmn_bufw *o, const char *name, const char *help)
{
    cmn_bufw_printf(o, "# HELP %s ", name);
    for (const char *c = help; *c; c++) {
        if (*c == '\\')
            cmn_bufw_append(o, "\\\\", 2);
        else if (*c == '\n')
            cmn_bufw_append(o, "\\n", 2);
        else
            cmn_bufw_append(o, c, 1);
    }
    cmn_bufw_append(o, "\n", 1);
}

/* The text format's writeFloat: 1, 0 and -1 by hand, the rest as Go's %g (strconv 'g', -1). */
static size_t prom_float(char *out, double v)
{
    if (v == 1 || v == 0 || v == -1)
        return (size_t)snprintf(out, CMN_GO_FLOAT_MAX, "%d", (int)v);
    return cmn_go_format_float(v, 'g', out);
}

static void value(struct cmn_bufw *o, double v)
{
    char num[CMN_GO_FLOAT_MAX];
    size_t n = prom_float(num, v);

    cmn_bufw_append(o, " ", 1);
    cmn_bufw_append(o, num, n);
    cmn_bufw_append(o, "\n", 1);
}

static void sample(struct cmn_bufw *o, const char *name, const char *suffix, const char *labels,
                   const char *extra, double v)
{
    cmn_bufw_str(o, name);
    cmn_bufw_str(o, suffix);
    if ((labels && *labels) || extra) {
        cmn_bufw_append(o, "{", 1);
        if (labels && *labels)
            cmn_bufw_str(o, labels);
        if (extra) {
            if (labels && *labels)
                cmn_bufw_append(o, ",", 1);
            cmn_bufw_str(o, extra);
        }
        cmn_bufw_append(o, "}", 1);
    }
    value(o, v);
}

static const char *type_of(enum gw_metric_kind k)
{
    switch (k) {
    case GW_METRIC_COUNTER_INT:
    case GW_METRIC_COUNTER_FLOAT:
        return "counter";
    case GW_METRIC_UPDOWN_INT:
        return "gauge";
    default:
        return "histogram";
    }
}

static void render_point(struct cmn_bufw *o, const struct gw_metrics_point *p)
{
    const struct gw_metric_def *d = p->def;
    const char *labels = p->group->labels;
    char le[CMN_GO_FLOAT_MAX + 8], num[CMN_GO_FLOAT_MAX];
    uint64_t cum = 0;

    switch (d->kind) {
    case GW_METRIC_COUNTER_INT:
    case GW_METRIC_UPDOWN_INT:
        sample(o, p->name, "", labels, NULL, (double)p->ival);
        return;
    case GW_METRIC_COUNTER_FLOAT:
        sample(o, p->name, "", labels, NULL, p->dval);
        return;
    case GW_METRIC_HIST_INT:
    case GW_METRIC_HIST_FLOAT:
        break;
    }
    for (unsigned i = 0; i < d->n_bounds; i++) {
        cum += p->buckets[i];
        prom_float(num, d->bounds[i]);
        snprintf(le, sizeof(le), "le=\"%s\"", num);
        sample(o, p->name, "_bucket", labels, le, (double)cum);
    }
    sample(o, p->name, "_bucket", labels, "le=\"+Inf\"", (double)p->count);
    sample(o, p->name, "_sum", labels, NULL,
           d->kind == GW_METRIC_HIST_INT ? (double)p->ival : p->dval);
    sample(o, p->name, "_count", labels, NULL, (double)p->count);
}

static bool proc_value(const struct gw_process_stats *s, int i, double *v)
{
    switch (i) {
    case 0:
        *v = s->cpu_seconds;
        return s->have_stat;
    case 1:
        *v = s->max_fds;
        return s->have_limits;
    case 2:
        *v = s->rx_bytes;
        return s->have_net;
    case 3:
        *v = s->tx_bytes;
        return s->have_net;
    case 4:
        *v = s->open_fds;
        return s->have_fds;
    case 5:
        *v = s->rss;
        return s->have_stat;
    case 6:
        *v = s->start_time;
        return s->have_stat;
    case 7:
        *v = s->vsize;
        return s->have_stat;
    default:
        *v = s->max_vsize;
        return s->have_limits;
    }
}

/* target_info's labels: the resource attributes, sanitized and sorted (no scope labels). */
static void target_info(struct cmn_bufw *o, const struct gw_tel_kvs *res)
{
    struct {
        char *name;
        const char *value;
    } lb[64];
    size_t n = 0;

    help_line(o, "target_info", "Target metadata");
    cmn_bufw_str(o, "# TYPE target_info gauge\ntarget_info");
    for (size_t i = 0; res && i < res->n && n < 64; i++) {
        lb[n].name = gw_metrics_label_name(res->items[i].key);
        lb[n].value = res->items[i].value;
        if (lb[n].name)
            n++;
    }
    /* resource keys arrive sorted; sanitizing can reorder ('.' < '_'): insertion sort */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(lb[j - 1].name, lb[j].name) > 0; j--) {
            char *tn = lb[j].name;
            const char *tv = lb[j].value;
            lb[j] = lb[j - 1];
            lb[j - 1].name = tn;
            lb[j - 1].value = tv;
        }
    if (n)
        cmn_bufw_append(o, "{", 1);
    for (size_t i = 0; i < n; i++) {
        cmn_bufw_printf(o, "%s%s=\"", i ? "," : "", lb[i].name);
        for (const char *c = lb[i].value; *c; c++) {
            if (*c == '\\' || *c == '"')
                cmn_bufw_printf(o, "\\%c", *c);
            else if (*c == '\n')
                cmn_bufw_append(o, "\\n", 2);
            else
                cmn_bufw_append(o, c, 1);
        }
        cmn_bufw_append(o, "\"", 1);
        free(lb[i].name);
    }
    if (n)
        cmn_bufw_append(o, "}", 1);
    value(o, 1);
}

bool gw_prom_render(const struct gw_prom_input *in, struct cmn_buf *out)
{
    struct cmn_bufw wr = {out, false}, *o = &wr;
    const struct gw_metrics_snapshot *s = in->snap;
    size_t cap = (s ? s->n : 0) + 2 + sizeof(PROC) / sizeof(PROC[0]), nf = 0;
    struct fam *f = calloc(cap, sizeof(*f));

    if (!f)
        return false;
    if (s) {
        f[nf++] = (struct fam){"target_info", FAM_TARGET, 0, 0, 0};
        if (s->n)
            f[nf++] = (struct fam){"otel_scope_info", FAM_SCOPE, 0, 0, 0};
        for (size_t i = 0; i < s->n;) {
            size_t j = i + 1;
            while (j < s->n && strcmp(s->points[j].name, s->points[i].name) == 0)
                j++;
            f[nf++] = (struct fam){s->points[i].name, FAM_SNAP, i, j - i, 0};
            i = j;
        }
    }
    for (int i = 0; in->proc && i < (int)(sizeof(PROC) / sizeof(PROC[0])); i++) {
        double v;
        if (proc_value(in->proc, i, &v))
            f[nf++] = (struct fam){PROC[i].name, FAM_PROC, 0, 0, i};
    }
    qsort(f, nf, sizeof(*f), fam_cmp);
    for (size_t i = 0; i < nf; i++) {
        double v;
        switch (f[i].kind) {
        case FAM_TARGET:
            target_info(o, in->resource);
            break;
        case FAM_SCOPE:
            help_line(o, "otel_scope_info", "Instrumentation Scope metadata");
            cmn_bufw_printf(o, "# TYPE otel_scope_info gauge\notel_scope_info{otel_scope_name=\"");
            cmn_bufw_str(o, s->scope_name);
            cmn_bufw_str(o, "\",otel_scope_version=\"");
            cmn_bufw_str(o, s->scope_version);
            cmn_bufw_append(o, "\"}", 2);
            value(o, 1);
            break;
        case FAM_PROC:
            proc_value(in->proc, f[i].proc, &v);
            help_line(o, PROC[f[i].proc].name, PROC[f[i].proc].help);
            cmn_bufw_printf(o, "# TYPE %s %s\n", PROC[f[i].proc].name, PROC[f[i].proc].type);
            cmn_bufw_str(o, PROC[f[i].proc].name);
            value(o, v);
            break;
        case FAM_SNAP: {
            const struct gw_metrics_point *p0 = &s->points[f[i].first];
            /* KrakenD's default instruments have no description, and promtool lints an empty
             * HELP: the instrument's OpenTelemetry name stands in (docs/metrics.md) */
            help_line(o, f[i].name,
                      p0->def->help && *p0->def->help ? p0->def->help : p0->def->name);
            cmn_bufw_printf(o, "# TYPE %s %s\n", f[i].name, type_of(p0->def->kind));
            for (size_t k = 0; k < f[i].count; k++)
                render_point(o, &s->points[f[i].first + k]);
            break;
        }
        }
    }
    free(f);
    return !o->bad;
}
