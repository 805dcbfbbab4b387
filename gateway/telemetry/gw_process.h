/* gw_process.h - the Prometheus process collector's values (process_metrics, spec §3.4) parsed
 * from /proc text handed in by an injected reader, as client_golang's procfs does; also what
 * telemetry/metrics shows in place of Go's runtime figures (threads, resident memory). */
#ifndef GW_PROCESS_H
#define GW_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

/* The files the collector reads; the reader is asked for them by these names. */
#define GW_PROC_SELF_STAT "/proc/self/stat"
#define GW_PROC_SELF_LIMITS "/proc/self/limits"
#define GW_PROC_STAT "/proc/stat"
#define GW_PROC_SELF_NETSTAT "/proc/self/net/netstat"

struct gw_process_reader {
    /* Reads the whole file `name` into buf (at most cap bytes); returns the length, -1 when it
     * cannot be read. */
    long (*read)(void *ctx, const char *name, char *buf, size_t cap);
    /* Number of open file descriptors (entries of /proc/self/fd), -1 on error. */
    long (*count_fds)(void *ctx);
    long page_size; /* bytes; procfs multiplies RSS pages by it */
    void *ctx;
};

/* One scrape's values; a group whose source could not be read is absent (its flag false). */
struct gw_process_stats {
    bool have_stat; /* cpu, vsize, rss, start_time, threads */
    double cpu_seconds, vsize, rss, start_time, num_threads;
    bool have_fds;
    double open_fds;
    bool have_limits;
    double max_fds, max_vsize; /* soft limits; "unlimited" = 2^64-1 as procfs reports it */
    bool have_net;
    double rx_bytes, tx_bytes; /* IpExt InOctets / OutOctets */
};

/* Fills out from the reader (USER_HZ is 100 as procfs assumes). Returns true when at least one
 * group was read. */
bool gw_process_collect(const struct gw_process_reader *r, struct gw_process_stats *out);

/* A reader of the real /proc (the IO front end; gw_process_proc.c). Borrowed, static. */
const struct gw_process_reader *gw_process_proc_reader(void);

#endif
