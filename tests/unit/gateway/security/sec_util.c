/* sec_util.c - requests, header lists and log capture for the security modules' tests. */
#include "sec_util.h"

#include "cmn_str.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static char *pool_put(struct st_req *q, const char *s, size_t n)
{
    char *p = q->pool + q->used;

    assert_true(q->used + n + 1 <= sizeof(q->pool));
    memcpy(p, s, n);
    p[n] = '\0';
    q->used += n + 1;
    return p;
}

void st_req_init(struct st_req *q, const char *method, const char *target)
{
    const char *t = target, *qm;

    memset(&q->r, 0, sizeof(q->r));
    q->used = 0;
    q->r.method = pool_put(q, method, strlen(method));
    q->r.target = pool_put(q, target, strlen(target));
    q->r.version = "HTTP/1.1";
    q->r.remote_ip = "127.0.0.1";
    q->r.remote_port = 40000;
    q->r.headers = q->kv;
    if (strncasecmp(t, "http://", 7) == 0 || strncasecmp(t, "https://", 8) == 0) {
        const char *host = strstr(t, "//") + 2;
        const char *slash = strchr(host, '/');
        size_t hl = slash ? (size_t)(slash - host) : strlen(host);
        q->r.authority = pool_put(q, host, hl);
        t = slash ? slash : "/";
    }
    qm = strchr(t, '?');
    q->r.path = pool_put(q, t, qm ? (size_t)(qm - t) : strlen(t));
    q->r.has_query = qm != NULL;
    q->r.query = qm ? pool_put(q, qm + 1, strlen(qm + 1)) : "";
    q->r.body = "";
}

void st_req_add(struct st_req *q, const char *name, const char *value)
{
    assert_true(q->r.n_headers < ST_MAX_HEADERS);
    q->kv[q->r.n_headers].name = pool_put(q, name, strlen(name));
    q->kv[q->r.n_headers].value = pool_put(q, value, strlen(value));
    q->r.n_headers++;
}

static const char *join(const char *const *names, const char *const *values, size_t count,
                        const char *name, char *buf, size_t n)
{
    size_t used = 0;
    bool any = false;

    buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if (!cmn_str_eq_nocase(names[i], name))
            continue;
        used += (size_t)snprintf(buf + used, used < n ? n - used : 0, "%s%s", any ? "\n" : "",
                                 values[i]);
        any = true;
    }
    assert_true(used < n);
    return any ? buf : NULL;
}

const char *st_lines(const struct gw_hdrs *h, const char *name, char *buf, size_t n)
{
    const char *names[512], *values[512];

    assert_true(h->n <= 512);
    for (size_t i = 0; i < h->n; i++) {
        names[i] = h->v[i].name;
        values[i] = h->v[i].value;
    }
    return join(names, values, h->n, name, buf, n);
}

const char *st_resp_lines(const struct cmn_http_response *r, const char *name, char *buf, size_t n)
{
    const char *names[512], *values[512];

    assert_true(r->n_headers <= 512);
    for (size_t i = 0; i < r->n_headers; i++) {
        names[i] = r->headers[i].name;
        values[i] = r->headers[i].value;
    }
    return join(names, values, r->n_headers, name, buf, n);
}

size_t st_names(const struct gw_hdrs *h)
{
    size_t n = 0;

    for (size_t i = 0; i < h->n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = cmn_str_eq_nocase(h->v[i].name, h->v[j].name);
        n += !seen;
    }
    return n;
}

/* ---- log capture ---- */

static char g_path[64];
static int g_fd = -1;
static char *g_text;

void st_log_begin(enum cmn_log_level min_level)
{
    st_log_end();
    cmn_strlcpy(g_path, "/tmp/gw-sec-log-XXXXXX", sizeof(g_path));
    g_fd = mkstemp(g_path);
    assert_true(g_fd >= 0);
    cmn_log_init("KRAKEND", min_level, g_fd);
}

const char *st_log_text(void)
{
    FILE *f;
    long n;

    free(g_text);
    g_text = NULL;
    assert_true(g_fd >= 0);
    f = fopen(g_path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    g_text = calloc(1, (size_t)n + 1);
    assert_non_null(g_text);
    assert_int_equal(fread(g_text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return g_text;
}

bool st_log_has(const char *needle)
{
    return strstr(st_log_text(), needle) != NULL;
}

bool st_log_line(const char *level, const char *part)
{
    char tag[32];
    const char *text = st_log_text();

    snprintf(tag, sizeof(tag), " %s: ", level);
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *t = memmem(line, len, tag, strlen(tag));
        if (t && memmem(t, len - (size_t)(t - line), part, strlen(part)))
            return true;
        line += len + (end != NULL);
    }
    return false;
}

size_t st_log_count(const char *needle)
{
    size_t n = 0;

    for (const char *p = st_log_text(); (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

void st_log_clear(void)
{
    assert_true(g_fd >= 0);
    assert_int_equal(ftruncate(g_fd, 0), 0);
    assert_int_equal(lseek(g_fd, 0, SEEK_SET), 0);
}

void st_log_end(void)
{
    cmn_log_init("KRAKEND", CMN_LOG_WARNING, 2);
    if (g_fd >= 0) {
        close(g_fd);
        unlink(g_path);
    }
    g_fd = -1;
    free(g_text);
    g_text = NULL;
}
