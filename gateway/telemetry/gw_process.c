/* gw_process.c - /proc text to the process collector's values (no IO: the reader does it). */
#include "gw_process.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_HZ 100.0
#define BUF_CAP 16384

/* /proc/self/stat: fields after the last ')' (the command may hold spaces and parens):
 * 3 state ... 14 utime 15 stime ... 20 num_threads ... 22 starttime 23 vsize 24 rss. */
static bool parse_stat(const char *s, double btime, long page, struct gw_process_stats *o)
{
    const char *p = strrchr(s, ')');
    unsigned long long f[25] = {0};
    int field = 3;

    if (!p)
        return false;
    p++;
    while (*p && field <= 24) {
        char *end;
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (field == 3) {
            while (*p && *p != ' ')
                p++;
        } else {
            f[field] = strtoull(p, &end, 10);
            if (end == p)
                return false;
            p = end;
        }
        field++;
    }
    if (field <= 24)
        return false;
    o->cpu_seconds = (double)(f[14] + f[15]) / USER_HZ;
    o->num_threads = (double)f[20];
    o->vsize = (double)f[23];
    o->rss = (double)f[24] * (double)page;
    o->start_time = btime + (double)f[22] / USER_HZ;
    return true;
}

static bool parse_btime(const char *s, double *btime)
{
    const char *p = strstr(s, "\nbtime ");

    if (!p && strncmp(s, "btime ", 6) == 0)
        p = s - 1;
    if (!p)
        return false;
    *btime = (double)strtoull(p + 7, NULL, 10);
    return true;
}

/* One "Max ..." line of /proc/self/limits: the soft limit (column two). */
static bool limit(const char *s, const char *name, double *out)
{
    const char *p = strstr(s, name);

    if (!p)
        return false;
    p += strlen(name);
    while (*p == ' ')
        p++;
    if (strncmp(p, "unlimited", 9) == 0) {
        *out = 18446744073709551615.0;
        return true;
    }
    if (*p < '0' || *p > '9')
        return false;
    *out = (double)strtoull(p, NULL, 10);
    return true;
}

/* /proc/self/net/netstat: an "IpExt:" header line naming the columns, then the values line. */
static bool parse_netstat(const char *s, struct gw_process_stats *o)
{
    const char *h = strstr(s, "IpExt:"), *v;
    int in_col = -1, out_col = -1, col = 0;
    char name[64];

    if (!h)
        return false;
    v = strstr(h + 6, "IpExt:");
    if (!v)
        return false;
    for (const char *p = h + 6; *p && *p != '\n';) {
        size_t n;
        while (*p == ' ')
            p++;
        n = strcspn(p, " \n");
        if (!n)
            break;
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        if (strcmp(name, "InOctets") == 0)
            in_col = col;
        if (strcmp(name, "OutOctets") == 0)
            out_col = col;
        col++;
        p += n;
    }
    o->rx_bytes = o->tx_bytes = 0;
    col = 0;
    for (const char *p = v + 6; *p && *p != '\n';) {
        char *end;
        double x;
        while (*p == ' ')
            p++;
        x = (double)strtoull(p, &end, 10);
        if (end == p)
            break;
        if (col == in_col)
            o->rx_bytes = x;
        if (col == out_col)
            o->tx_bytes = x;
        col++;
        p = end;
    }
    return true;
}

bool gw_process_collect(const struct gw_process_reader *r, struct gw_process_stats *o)
{
    char *buf = malloc(BUF_CAP + 1);
    double btime = 0;
    long n, fds;

    memset(o, 0, sizeof(*o));
    if (!buf || !r || !r->read)
        goto out;
    n = r->read(r->ctx, GW_PROC_STAT, buf, BUF_CAP);
    if (n >= 0) {
        buf[n] = '\0';
        if (parse_btime(buf, &btime)) {
            n = r->read(r->ctx, GW_PROC_SELF_STAT, buf, BUF_CAP);
            if (n >= 0) {
                buf[n] = '\0';
                o->have_stat = parse_stat(buf, btime, r->page_size, o);
            }
        }
    }
    fds = r->count_fds ? r->count_fds(r->ctx) : -1;
    if (fds >= 0) {
        o->have_fds = true;
        o->open_fds = (double)fds;
    }
    n = r->read(r->ctx, GW_PROC_SELF_LIMITS, buf, BUF_CAP);
    if (n >= 0) {
        buf[n] = '\0';
        o->have_limits = limit(buf, "Max open files", &o->max_fds) &&
                         limit(buf, "Max address space", &o->max_vsize);
    }
    n = r->read(r->ctx, GW_PROC_SELF_NETSTAT, buf, BUF_CAP);
    if (n >= 0) {
        buf[n] = '\0';
        o->have_net = parse_netstat(buf, o);
    }
out:
    free(buf);
    return o->have_stat || o->have_fds || o->have_limits || o->have_net;
}
