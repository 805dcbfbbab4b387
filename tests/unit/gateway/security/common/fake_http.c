/* fake_http.c - the request view, response recorder and log the security tests share. */
#include "fake_http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *header(void *ctx, const char *name, size_t i)
{
    struct fake_req *r = ctx;

    for (size_t k = 0; k < r->n; k++) {
        if (strcasecmp(r->names[k], name) == 0 && i-- == 0)
            return r->values[k];
    }
    return NULL;
}

void fake_req_init(struct fake_req *r, const char *method, const char *path)
{
    memset(r, 0, sizeof(*r));
    r->view.method = method;
    r->view.host = "localhost:8080";
    r->view.path = path;
    r->view.query = "";
    r->view.scheme = "";
    r->view.header = header;
    r->view.ctx = r;
}

void fake_req_add(struct fake_req *r, const char *name, const char *value)
{
    if (r->n < FAKE_MAX_HEADERS) {
        r->names[r->n] = name;
        r->values[r->n++] = value;
    }
}

static bool record(struct fake_resp *r, bool set, const char *name, const char *value)
{
    struct fake_op *op;

    if (r->fail_after >= 0 && (int)r->n >= r->fail_after)
        return false;
    if (r->n == FAKE_MAX_HEADERS)
        return false;
    op = &r->ops[r->n++];
    op->set = set;
    snprintf(op->name, sizeof(op->name), "%s", name);
    snprintf(op->value, sizeof(op->value), "%s", value);
    return true;
}

static bool add(void *ctx, const char *name, const char *value)
{
    return record(ctx, false, name, value);
}

static bool set(void *ctx, const char *name, const char *value)
{
    return record(ctx, true, name, value);
}

void fake_resp_init(struct fake_resp *r)
{
    memset(r, 0, sizeof(*r));
    r->view.add = add;
    r->view.set = set;
    r->view.ctx = r;
    r->fail_after = -1;
}

size_t fake_resp_lines(const struct fake_resp *r, const char *name, char *out, size_t size)
{
    const char *lines[FAKE_MAX_HEADERS];
    size_t n = 0, len = 0;

    for (size_t i = 0; i < r->n; i++) {
        if (strcasecmp(r->ops[i].name, name) != 0)
            continue;
        if (r->ops[i].set)
            n = 0;
        lines[n++] = r->ops[i].value;
    }
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s", i ? "\n" : "",
                                lines[i]);
    return n;
}

size_t fake_resp_names(const struct fake_resp *r)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= strcasecmp(r->ops[j].name, r->ops[i].name) == 0;
        n += !seen;
    }
    return n;
}

static void log_line(void *ctx, enum cmn_log_level level, const char *msg)
{
    struct fake_log *l = ctx;

    if (l->n < 32) {
        l->levels[l->n] = (int)level;
        snprintf(l->lines[l->n++], sizeof(l->lines[0]), "%s", msg);
    }
}

void fake_log_init(struct fake_log *l)
{
    memset(l, 0, sizeof(*l));
    l->view.fn = log_line;
    l->view.ctx = l;
}
