/* gw_sd_dns.c - the lookups of sd/dnssrv (gw_sd.h): glibc's resolver asks (res_nquery: the
 * servers, timeouts and retries of /etc/resolv.conf, TCP when the UDP answer is truncated), a
 * thread asks again every TTL, and each subscription keeps the hosts of its last good answer. */
#include "gw_sd.h"

#include "cmn_clock.h"
#include "cmn_log.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TTL_MS 30000
#define ANSWER_MAX 65535

struct gw_sd_sub {
    struct gw_sd_sub *next;
    char *name;
    char *scheme;
    pthread_mutex_t mu; /* guards hosts */
    struct gw_sd_hosts hosts;
};

struct gw_sd {
    int64_t ttl_ms;
    struct gw_sd_sub *subs;
    pthread_mutex_t mu; /* guards stopping and refs */
    pthread_cond_t cv;
    bool stopping;
    int refs; /* the owner, and the refresher while it runs: the last one frees */
};

/* GW_DNS_SERVER=ip:port replaces the servers of /etc/resolv.conf (IPv4 only). */
static bool server_override(struct sockaddr_in *sa)
{
    const char *v = getenv("GW_DNS_SERVER");
    char ip[64];
    const char *colon;
    long port = 53;

    if (!v || !*v)
        return false;
    colon = strrchr(v, ':');
    if (colon) {
        char *end;
        port = strtol(colon + 1, &end, 10);
        if (*end || port <= 0 || port > 65535)
            return false;
    }
    snprintf(ip, sizeof(ip), "%.*s", colon ? (int)(colon - v) : (int)strlen(v), v);
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, ip, &sa->sin_addr) == 1;
}

enum gw_sd_status gw_sd_lookup(const char *name, const char *scheme, struct gw_sd_hosts *out,
                               struct cmn_err *err)
{
    struct __res_state rs;
    struct sockaddr_in sa;
    unsigned char *answer = NULL;
    struct gw_srv *srvs = NULL;
    size_t n = 0;
    enum gw_sd_status st;
    int len;

    *out = (struct gw_sd_hosts){0};
    memset(&rs, 0, sizeof(rs));
    if (res_ninit(&rs) != 0)
        return cmn_err_set(err, GW_SD_LOOKUP, "cannot read the resolver configuration"),
               GW_SD_LOOKUP;
    if (server_override(&sa)) {
        rs.nsaddr_list[0] = sa;
        rs.nscount = 1;
    }
    answer = malloc(ANSWER_MAX);
    srvs = malloc(GW_SD_MAX_RECORDS * sizeof(*srvs));
    if (!answer || !srvs) {
        st = GW_SD_NOMEM;
        cmn_err_set(err, st, "out of memory");
        goto out;
    }
    len = res_nquery(&rs, name, ns_c_in, ns_t_srv, answer, ANSWER_MAX);
    if (len < 0) {
        /* res_nquery hides the answer of an error code; h_errno says which */
        st = rs.res_h_errno == HOST_NOT_FOUND || rs.res_h_errno == NO_DATA ? GW_SD_EMPTY
                                                                           : GW_SD_LOOKUP;
        cmn_err_set(err, st, "lookup %s: %s", name,
                    rs.res_h_errno == HOST_NOT_FOUND ? "no such host"
                    : rs.res_h_errno == NO_DATA      ? "no such host"
                    : rs.res_h_errno == TRY_AGAIN    ? "server misbehaving or unreachable"
                                                     : "no answer");
        goto out;
    }
    st = gw_sd_srv_parse(answer, (size_t)len, srvs, GW_SD_MAX_RECORDS, &n, err);
    if (st == GW_SD_OK && !gw_sd_instances(srvs, n, scheme, out)) {
        st = GW_SD_NOMEM;
        cmn_err_set(err, st, "out of memory");
    }
out:
    free(answer);
    free(srvs);
    res_nclose(&rs);
    return st;
}

/* Lura's subscriber.update: a failed lookup keeps what the last good one gave. */
static void update(struct gw_sd_sub *s)
{
    struct gw_sd_hosts fresh, old;
    struct cmn_err err = {0};

    if (gw_sd_lookup(s->name, s->scheme, &fresh, &err) != GW_SD_OK) {
        cmn_log_debug("[SD: DNS] %s: %s (hosts kept)", s->name, err.msg);
        return;
    }
    pthread_mutex_lock(&s->mu);
    old = s->hosts;
    s->hosts = fresh;
    pthread_mutex_unlock(&s->mu);
    gw_sd_hosts_free(&old);
}

struct gw_sd *gw_sd_new(int64_t ttl_ms, struct cmn_err *err)
{
    struct gw_sd *sd = calloc(1, sizeof(*sd));

    if (!sd)
        return cmn_err_set(err, GW_SD_NOMEM, "out of memory"), NULL;
    sd->ttl_ms = ttl_ms > 0 ? ttl_ms : DEFAULT_TTL_MS;
    sd->refs = 1;
    pthread_mutex_init(&sd->mu, NULL);
    cmn_clock_cond_init(&sd->cv);
    return sd;
}

struct gw_sd_sub *gw_sd_subscribe(struct gw_sd *sd, const char *name, const char *scheme,
                                  struct cmn_err *err)
{
    struct gw_sd_sub *s = calloc(1, sizeof(*s));
    struct cmn_err lerr = {0};

    if (!s || !(s->name = strdup(name)) ||
        !(s->scheme = strdup(scheme && *scheme ? scheme : "http"))) {
        if (s)
            free(s->name);
        free(s);
        return cmn_err_set(err, GW_SD_NOMEM, "out of memory"), NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    if (gw_sd_lookup(s->name, s->scheme, &s->hosts, &lerr) != GW_SD_OK)
        cmn_log_warn("[SD: DNS] %s: %s: the backend has no host until a lookup succeeds "
                     "(every %lld ms)",
                     name, lerr.msg, (long long)sd->ttl_ms);
    else
        cmn_log_debug("[SD: DNS] %s: %zu instance(s)", name, s->hosts.n);
    s->next = sd->subs;
    sd->subs = s;
    return s;
}

static void sd_free(struct gw_sd *sd)
{
    while (sd->subs) {
        struct gw_sd_sub *s = sd->subs;
        sd->subs = s->next;
        gw_sd_hosts_free(&s->hosts);
        pthread_mutex_destroy(&s->mu);
        free(s->name);
        free(s->scheme);
        free(s);
    }
    pthread_cond_destroy(&sd->cv);
    pthread_mutex_destroy(&sd->mu);
    free(sd);
}

/* Drops one reference (sd->mu held, released here); the last one frees sd. */
static void sd_unref_locked(struct gw_sd *sd)
{
    bool last = --sd->refs == 0;

    pthread_mutex_unlock(&sd->mu);
    if (last)
        sd_free(sd);
}

/* The refresher. It is detached: a lookup can take the resolver's whole timeout (seconds, with
 * a server that does not answer), and stopping the gateway must not wait for it, so whichever
 * of the owner and this thread lets go of sd last frees it. */
static void *refresher(void *arg)
{
    struct gw_sd *sd = arg;

    pthread_mutex_lock(&sd->mu);
    for (;;) {
        int64_t until = cmn_clock_mono_ms() + sd->ttl_ms;
        while (!sd->stopping && cmn_clock_mono_ms() < until)
            cmn_clock_cond_wait_ms(&sd->cv, &sd->mu, until - cmn_clock_mono_ms());
        if (sd->stopping)
            break;
        pthread_mutex_unlock(&sd->mu);
        for (struct gw_sd_sub *s = sd->subs; s; s = s->next)
            update(s);
        pthread_mutex_lock(&sd->mu);
    }
    sd_unref_locked(sd);
    return NULL;
}

bool gw_sd_start(struct gw_sd *sd, struct cmn_err *err)
{
    pthread_attr_t attr;
    pthread_t t;
    int rc;

    if (!sd->subs || sd->refs > 1)
        return true;
    sd->refs++;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&t, &attr, refresher, sd);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        sd->refs--;
        return cmn_err_set(err, GW_SD_NOMEM, "cannot start the DNS refresher"), false;
    }
    return true;
}

bool gw_sd_pick(struct gw_sd_sub *s, unsigned pick, char *buf, size_t size)
{
    bool ok = false;

    pthread_mutex_lock(&s->mu);
    if (s->hosts.n > 0) {
        const char *h = s->hosts.items[pick % s->hosts.n];
        ok = strlen(h) < size;
        if (ok)
            memcpy(buf, h, strlen(h) + 1);
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void gw_sd_destroy(struct gw_sd *sd)
{
    if (!sd)
        return;
    pthread_mutex_lock(&sd->mu);
    sd->stopping = true;
    pthread_cond_signal(&sd->cv);
    sd_unref_locked(sd);
}
