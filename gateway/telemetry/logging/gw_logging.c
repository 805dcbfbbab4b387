/* gw_logging.c - the logger KrakenD builds from telemetry/gelf, telemetry/logstash and
 * telemetry/logging (§4.1-§4.4), as common/cmn_log's sink: records formatted by go-logging's
 * patterns (gw_logfmt.c) and written to stdout, the local syslog daemon and GELF. */
#include "gw_logging.h"

#include "cmn_log.h"
#include "cmn_rand.h"
#include "gw_logfmt.h"
#include "gw_logship.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LINE_CAP (1u << 20)
#define LOGGING_NS "github_com/devopsfaith/krakend-gologging"

/* The installed logger; written by setup/stop only, read by the sink from any thread. */
static struct {
    bool installed;
    enum gw_log_level level;
    struct gw_logfmt *out_fmt; /* stdout pattern; NULL: no stdout writer */
    char *prefix;              /* stdout (and GELF) line prefix */
    bool logstash;             /* messages become telemetry/logstash records */
    char *module;              /* their "module" */
    struct gw_logfmt *syslog_fmt;
    int syslog_fd, syslog_pri;
    char *syslog_tag;
    struct gw_logfmt *gelf_fmt;
    int gelf_fd;
    bool gelf_tcp;
    pthread_mutex_t gelf_mu; /* a TCP stream: frames must not interleave */
    char host[256], program[64];
    int pid;
    atomic_uint_fast64_t seq;
} L = {.syslog_fd = -1, .gelf_fd = -1, .gelf_mu = PTHREAD_MUTEX_INITIALIZER};

static enum gw_log_level from_cmn(enum cmn_log_level l)
{
    switch (l) {
    case CMN_LOG_DEBUG:
        return GW_LOG_DEBUG;
    case CMN_LOG_INFO:
        return GW_LOG_INFO;
    case CMN_LOG_WARNING:
        return GW_LOG_WARNING;
    case CMN_LOG_ERROR:
        return GW_LOG_ERROR;
    default:
        return GW_LOG_CRITICAL;
    }
}

/* The lowest cmn level that passes a go-logging level (cmn has no NOTICE records). */
static enum cmn_log_level to_cmn(enum gw_log_level l)
{
    static const enum cmn_log_level m[] = {CMN_LOG_CRITICAL, CMN_LOG_ERROR, CMN_LOG_WARNING,
                                           CMN_LOG_WARNING,  CMN_LOG_INFO,  CMN_LOG_DEBUG};
    return m[(unsigned)l < 6 ? l : 0];
}

static int64_t unix_ns(int *offset, char *zone, size_t zone_size)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    *offset = (int)tm.tm_gmtoff;
    snprintf(zone, zone_size, "%s", tm.tm_zone ? tm.tm_zone : "");
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void write_fd(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* One GELF message of text (a pattern's output or an access-log line). */
static void gelf_send(const char *text, size_t n, int64_t ns)
{
    struct cmn_buf json;

    cmn_buf_init(&json, 4 * LINE_CAP);
    if (gw_gelf_message(L.host, L.program, text, n, ns, NULL, 0, &json)) {
        if (L.gelf_tcp) {
            struct cmn_buf frame;
            cmn_buf_init(&frame, 4 * LINE_CAP + 1);
            if (gw_gelf_tcp(cmn_buf_str(&json), json.len, &frame)) {
                pthread_mutex_lock(&L.gelf_mu);
                gw_log_send(L.gelf_fd, frame.data, frame.len);
                pthread_mutex_unlock(&L.gelf_mu);
            }
            cmn_buf_free(&frame);
        } else {
            struct gw_gelf_datagrams d;
            struct cmn_err err = {0};
            uint8_t id[8];
            cmn_rand_bytes(id, sizeof(id));
            if (gw_gelf_udp(cmn_buf_str(&json), json.len, id, &d, &err)) {
                for (size_t i = 0; i < d.n; i++)
                    gw_log_send(L.gelf_fd, d.d[i], d.len[i]);
                gw_gelf_datagrams_free(&d);
            }
        }
    }
    cmn_buf_free(&json);
}

static void sink_line(void *ctx, enum cmn_log_level cl, const char *msg, size_t len)
{
    struct gw_log_record r = {0};
    struct cmn_buf ls, out;
    char zone[16];
    int off;

    (void)ctx;
    r.level = from_cmn(cl);
    if (r.level > L.level)
        return;
    r.unix_ns = unix_ns(&off, zone, sizeof(zone));
    r.utc_offset_s = off;
    r.zone = zone;
    r.module = "KRAKEND";
    r.id = atomic_fetch_add(&L.seq, 1) + 1;
    r.pid = L.pid;
    r.program = L.program;
    r.file = "???";
    r.func = "???";
    r.message = msg;
    r.message_len = len;
    cmn_buf_init(&ls, LINE_CAP);
    if (L.logstash &&
        gw_logstash_format(r.level, L.module, L.host, r.unix_ns, off, msg, len, NULL, 0, &ls)) {
        r.message = cmn_buf_str(&ls);
        r.message_len = ls.len;
    }
    cmn_buf_init(&out, 2 * LINE_CAP);
    if (L.out_fmt && gw_logfmt_line(L.out_fmt, L.prefix, &r, &out))
        write_fd(1, out.data, out.len);
    if (L.syslog_fd >= 0) {
        struct cmn_buf body;
        cmn_buf_init(&body, LINE_CAP);
        cmn_buf_reset(&out);
        if (gw_logfmt_format(L.syslog_fmt, &r, &body) &&
            gw_syslog_frame(L.syslog_pri >> 3, L.syslog_pri & 7, r.unix_ns, off, L.syslog_tag,
                            L.program, L.pid, cmn_buf_str(&body), body.len, &out))
            gw_log_send(L.syslog_fd, out.data, out.len);
        cmn_buf_free(&body);
    }
    if (L.gelf_fd >= 0) {
        cmn_buf_reset(&out);
        cmn_buf_append_str(&out, L.prefix);
        if (gw_logfmt_format(L.gelf_fmt, &r, &out))
            gelf_send(cmn_buf_str(&out), out.len, r.unix_ns);
    }
    cmn_buf_free(&out);
    cmn_buf_free(&ls);
}

/* With GELF, the access log goes there only, one message per line (§4.3). */
static void sink_raw(void *ctx, const char *text, size_t len)
{
    int off;
    char zone[16];
    int64_t ns = unix_ns(&off, zone, sizeof(zone));

    (void)ctx;
    while (len) {
        const char *nl = memchr(text, '\n', len);
        size_t n = nl ? (size_t)(nl - text) : len;
        if (n)
            gelf_send(text, n, ns);
        n += nl ? 1 : 0;
        text += n;
        len -= n;
    }
}

/* ---- the writers' sockets ------------------------------------------------------------------- */

/* Go's log/syslog for the local daemon: a datagram socket, else a stream one, on the first of
 * its paths that answers. GW_SYSLOG_PATH names another socket (containers without /dev/log,
 * tests). */
static int syslog_connect(char *why, size_t cap)
{
    static const char *const paths[] = {"/dev/log", "/var/run/syslog", "/var/run/log"};
    const char *only = getenv("GW_SYSLOG_PATH");
    static const int types[] = {SOCK_DGRAM, SOCK_STREAM};

    for (size_t p = 0; p < (only && *only ? 1 : 3); p++) {
        const char *path = only && *only ? only : paths[p];
        for (size_t t = 0; t < 2; t++) {
            struct sockaddr_un a = {.sun_family = AF_UNIX};
            int fd;
            if (strlen(path) >= sizeof(a.sun_path))
                continue;
            memcpy(a.sun_path, path, strlen(path) + 1);
            fd = socket(AF_UNIX, types[t] | SOCK_CLOEXEC, 0);
            if (fd < 0)
                continue;
            if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
                return fd;
            close(fd);
        }
    }
    snprintf(why, cap, "Unix syslog delivery error");
    return -1;
}

/* "host:port" as Go's net.Dial takes it ("[::1]:12201" for IPv6). */
static int gelf_connect(const char *address, bool tcp, char *why, size_t cap)
{
    char host[256], *colon;
    struct addrinfo hints = {0}, *res = NULL;
    int fd = -1, rc;

    snprintf(host, sizeof(host), "%s", address);
    colon = strrchr(host, ':');
    if (!colon) {
        snprintf(why, cap, "address %s: missing port in address", address);
        return -1;
    }
    *colon = '\0';
    if (host[0] == '[' && colon > host && colon[-1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
    rc = getaddrinfo(host[0] ? host : "localhost", colon + 1, &hints, &res);
    if (rc != 0) {
        snprintf(why, cap, "dial %s %s: %s", tcp ? "tcp" : "udp", address, gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            snprintf(why, cap, "dial %s %s: %s", tcp ? "tcp" : "udp", address, strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

/* ---- selection --------------------------------------------------------------------------------
 */

static const json_t *ns_block(const struct gw_config *cfg, const char *canonical)
{
    return cfg->extra_config ? json_object_get(cfg->extra_config, canonical) : NULL;
}

/* What the configuration asks for, parsed (no IO). */
struct plan {
    bool have_logging, logging_ok, have_gelf, gelf_ok, logstash;
    struct gw_logging_config lc;
    struct gw_gelf_config gc;
    struct cmn_err logging_err, gelf_err;
};

static void plan_free(struct plan *p)
{
    gw_logging_config_free(&p->lc);
    gw_gelf_config_free(&p->gc);
}

/* False with err only for an invalid custom_format (KrakenD panics on it). */
static bool plan_make(const struct gw_config *cfg, struct plan *p, struct cmn_err *err)
{
    const json_t *lb = ns_block(cfg, LOGGING_NS);
    const json_t *gb = ns_block(cfg, GW_GELF_NAMESPACE);

    memset(p, 0, sizeof(*p));
    p->logstash = ns_block(cfg, GW_LOGSTASH_NAMESPACE) != NULL;
    p->have_gelf = gb != NULL;
    if (gb)
        p->gelf_ok = gw_gelf_config_parse(gb, &p->gc, &p->gelf_err);
    p->have_logging = lb != NULL;
    if (lb) {
        if (!gw_logging_config_parse(lb, &p->lc, &p->logging_err)) {
            /* an object that did not parse: only its custom_format stops KrakenD */
            if (json_is_object(lb)) {
                *err = p->logging_err;
                plan_free(p);
                return false;
            }
        } else {
            p->logging_ok = p->lc.level_ok;
        }
    }
    return true;
}

static void plan_warnings(const struct plan *p, void (*warn)(void *, const char *), void *ctx)
{
    char msg[sizeof(p->gelf_err.msg) + 64];

    for (size_t i = 0; i < p->lc.warnings.n; i++)
        warn(ctx, p->lc.warnings.items[i]);
    for (size_t i = 0; i < p->gc.warnings.n; i++)
        warn(ctx, p->gc.warnings.items[i]);
    if (p->have_gelf && !p->gelf_ok) {
        snprintf(msg, sizeof(msg), "[SERVICE: Logging][GELF] Unable to create the writer: %s",
                 p->gelf_err.msg);
        warn(ctx, msg);
    }
    if (p->logstash && !p->have_logging)
        warn(ctx, "extra_config.telemetry/logstash: needs telemetry/logging (its level and "
                  "writers): KrakenD's basic logger is used");
    if (p->have_logging && !p->logging_ok)
        warn(ctx, "[SERVICE: Logging] Unable to create the logger: logger: invalid log level");
}

bool gw_logging_check(const struct gw_config *cfg, void (*warn)(void *ctx, const char *msg),
                      void *ctx, struct cmn_err *err)
{
    struct plan p;

    if (!plan_make(cfg, &p, err))
        return false;
    plan_warnings(&p, warn, ctx);
    plan_free(&p);
    return true;
}

static void log_error(void *ctx, const char *msg)
{
    (void)ctx;
    if (strncmp(msg, "[SERVICE: Logging]", 18) == 0)
        cmn_log_error("%s", msg);
    else
        cmn_log_warn("%s", msg);
}

static void program_name(void)
{
    char comm[64] = "";
    FILE *f = fopen("/proc/self/comm", "r");

    if (f) {
        if (fgets(comm, sizeof(comm), f))
            comm[strcspn(comm, "\n")] = '\0';
        fclose(f);
    }
    snprintf(L.program, sizeof(L.program), "%s", comm[0] ? comm : "krakend");
}

/* The writers of a go-logging logger; false (why set) when syslog cannot be reached. */
static bool install(struct plan *p, char *why, size_t cap)
{
    const struct gw_logging_config *lc = &p->lc;
    struct cmn_err e = {0};
    const char *pattern = lc->pattern;

    L.level = lc->level;
    L.logstash = p->logstash;
    /* telemetry/logstash: the prefix becomes the records' module, and no line has one */
    L.module = strdup(p->logstash ? lc->module : "KRAKEND");
    L.prefix = strdup(p->logstash ? "" : lc->prefix);
    /* with GELF, CE's pattern selection is replaced: stdout gets the default pattern, or
     * %{message} with telemetry/logstash (§4.3) */
    if (L.gelf_fd >= 0)
        pattern = p->logstash ? "%{message}" : GW_LOG_PATTERN_DEFAULT;
    if (lc->to_stdout && !(L.out_fmt = gw_logfmt_compile(pattern, &e)))
        return snprintf(why, cap, "%s", e.msg), false;
    if (lc->to_syslog) {
        L.syslog_fd = syslog_connect(why, cap);
        if (L.syslog_fd < 0)
            return false;
        L.syslog_fmt = gw_logfmt_compile(GW_LOG_PATTERN_SYSLOG, &e);
        L.syslog_pri = lc->syslog_facility << 3 | (lc->syslog_severity & 7);
        L.syslog_tag = strdup(lc->prefix);
    }
    if (L.gelf_fd >= 0)
        L.gelf_fmt = gw_logfmt_compile("%{message}", &e);
    return L.module && L.prefix && (!lc->to_syslog || (L.syslog_fmt && L.syslog_tag)) &&
           (L.gelf_fd < 0 || L.gelf_fmt);
}

bool gw_logging_setup(const struct gw_config *cfg, struct cmn_err *err)
{
    struct plan p;
    struct cmn_log_sink sink = {sink_line, NULL, NULL};
    char why[512] = "";
    bool basic = true;

    gw_logging_stop();
    if (!plan_make(cfg, &p, err))
        return false;
    L.pid = (int)getpid();
    if (gethostname(L.host, sizeof(L.host)) != 0 || !L.host[0])
        snprintf(L.host, sizeof(L.host), "localhost");
    program_name();
    if (p.gelf_ok) {
        L.gelf_tcp = p.gc.tcp;
        L.gelf_fd = gelf_connect(p.gc.address, p.gc.tcp, why, sizeof(why));
        if (L.gelf_fd < 0) {
            char m[700];
            snprintf(m, sizeof(m), "[SERVICE: Logging][GELF] Unable to create the writer: %s", why);
            gw_tel_strs_add(&p.gc.warnings, m);
        }
        why[0] = '\0';
    }
    if (p.logging_ok) {
        basic = !install(&p, why, sizeof(why));
        if (basic) {
            char m[700];
            snprintf(m, sizeof(m), "[SERVICE: Logging] Unable to create the logger: %s", why);
            gw_tel_strs_add(&p.lc.warnings, m);
            gw_logging_stop();
        }
    }
    if (basic) {
        /* Lura's basic logger: DEBUG, stdout, "KRAKEND" */
        int fd = L.gelf_fd; /* GELF still takes the access log */
        L.gelf_fd = -1;
        gw_logging_stop();
        L.gelf_fd = fd;
        cmn_log_init("KRAKEND", CMN_LOG_DEBUG, 1);
        if (L.gelf_fd >= 0) {
            sink.line = NULL;
            sink.raw = sink_raw;
            cmn_log_set_sink(&sink, CMN_LOG_DEBUG);
            L.installed = true;
        }
    } else {
        /* no writer at all: records are dropped; the access log still goes to stdout */
        if (L.gelf_fd >= 0)
            sink.raw = sink_raw;
        cmn_log_set_sink(&sink, to_cmn(L.level));
        L.installed = true;
    }
    plan_warnings(&p, log_error, NULL);
    if (!basic)
        cmn_log_debug("[SERVICE: telemetry/logging] Improved logging started.");
    plan_free(&p);
    return true;
}

void gw_logging_stop(void)
{
    if (L.installed)
        cmn_log_set_sink(NULL, CMN_LOG_DEBUG);
    gw_logfmt_free(L.out_fmt);
    gw_logfmt_free(L.syslog_fmt);
    gw_logfmt_free(L.gelf_fmt);
    free(L.prefix);
    free(L.module);
    free(L.syslog_tag);
    if (L.syslog_fd >= 0)
        close(L.syslog_fd);
    if (L.gelf_fd >= 0)
        close(L.gelf_fd);
    L.installed = false;
    L.out_fmt = L.syslog_fmt = L.gelf_fmt = NULL;
    L.prefix = L.module = L.syslog_tag = NULL;
    L.syslog_fd = L.gelf_fd = -1;
    L.logstash = false;
}
