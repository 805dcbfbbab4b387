/* gw_proxy_seq.c - the sequential merge's parameters (Lura's sequentialMergerConfig and
 * sequentialMerge, krakend-config-transform.md §6.2): which earlier response each backend reads,
 * built once per endpoint, and the values computed per call. */
#include "gw_proxy_int.h"

#include "cmn_str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPL 256 /* replacements per backend */

/* [\w\-.] */
static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

static void repl_free(struct seq_repl *r)
{
    free(r->dest);
    for (size_t i = 0; i < r->path.n; i++)
        free(r->path.items[i]);
    free(r->path.items);
}

/* Adds {source, "Resp"+digits["_"+name], name split on '.'} to position pos. */
static bool repl_add(struct pipe_rt *p, size_t pos, const char *digits, size_t nd, const char *name,
                     size_t nn)
{
    struct seq_repl *v, r = {0};
    size_t src = 0;

    if (p->n_repl[pos] >= MAX_REPL)
        return true;
    for (size_t i = 0; i < nd; i++) {
        if (src > (SIZE_MAX - 9) / 10)
            return true; /* Atoi fails: skipped */
        src = src * 10 + (size_t)(digits[i] - '0');
    }
    r.source = src;
    r.full = nn == 0;
    r.dest = malloc(4 + nd + 1 + nn + 1);
    if (!r.dest)
        return false;
    snprintf(r.dest, 4 + nd + 1 + nn + 1, "Resp%.*s%s%.*s", (int)nd, digits, nn ? "_" : "", (int)nn,
             name);
    for (const char *s = name, *end = name + nn; nn && s <= end;) {
        const char *dot = memchr(s, '.', (size_t)(end - s));
        size_t l = dot ? (size_t)(dot - s) : (size_t)(end - s);
        char **items = realloc(r.path.items, (r.path.n + 1) * sizeof(char *));
        if (!items || !(items[r.path.n] = cmn_strndup(s, l))) {
            r.path.items = items ? items : r.path.items;
            repl_free(&r);
            return false;
        }
        r.path.items = items;
        r.path.n++;
        if (!dot)
            break;
        s = dot + 1;
    }
    v = realloc(p->repl[pos], (p->n_repl[pos] + 1) * sizeof(*v));
    if (!v) {
        repl_free(&r);
        return false;
    }
    v[p->n_repl[pos]++] = r;
    p->repl[pos] = v;
    return true;
}

/* `\{\{\.Resp(\d+)_([\w-.]+)\}\}` on Lura's template of the url_pattern: a placeholder
 * "{resp0_a.b}" (first letter either case) of the backend. */
static bool from_url(struct pipe_rt *p, size_t pos, const struct gw_backend *b)
{
    for (size_t i = 0; i < b->url_params.n; i++) {
        const char *s = b->url_params.items[i], *d;
        size_t nd = 0;
        bool ok = (s[0] == 'r' || s[0] == 'R') && strncmp(s + 1, "esp", 3) == 0;
        if (!ok)
            continue;
        d = s + 4;
        while (isdigit((unsigned char)d[nd]))
            nd++;
        if (nd == 0 || d[nd] != '_' || !d[nd + 1])
            continue;
        for (const char *c = d + nd + 1; *c && ok; c++)
            ok = name_char(*c);
        if (ok && !repl_add(p, pos, d, nd, d + nd + 1, strlen(d + nd + 1)))
            return false;
    }
    return true;
}

/* Every match of `[Rr]esp(\d+)_?([\w-.]+)?` in one sequential_propagated_params entry. */
static bool from_propagated(struct pipe_rt *p, size_t pos, const char *s)
{
    size_t n = strlen(s), i = 0;

    while (i + 4 < n + 1) {
        size_t nd = 0, j, name;
        if (!((s[i] == 'r' || s[i] == 'R') && strncmp(s + i + 1, "esp", 3) == 0)) {
            i++;
            continue;
        }
        j = i + 4;
        while (j + nd < n && isdigit((unsigned char)s[j + nd]))
            nd++;
        if (nd == 0) {
            i++;
            continue;
        }
        name = j + nd;
        if (name < n && s[name] == '_')
            name++;
        i = name;
        while (i < n && name_char(s[i]))
            i++;
        if (!repl_add(p, pos, s + j, nd, s + name, i - name))
            return false;
        /* a source beyond the endpoint's backends is dropped */
        if (p->repl[pos] && p->n_repl[pos] && p->repl[pos][p->n_repl[pos] - 1].source >= p->n) {
            repl_free(&p->repl[pos][--p->n_repl[pos]]);
        }
    }
    return true;
}

bool seq_plan_build(struct pipe_rt *p, const struct gw_endpoint *ep, struct cmn_err *err)
{
    if (!p->sequential || p->n == 0)
        return true;
    p->repl = calloc(p->n, sizeof(*p->repl));
    p->n_repl = calloc(p->n, sizeof(*p->n_repl));
    if (!p->repl || !p->n_repl)
        goto nomem;
    for (size_t pos = 0; pos < p->n; pos++) {
        if (!from_url(p, pos, &ep->backends[p->bidx[pos]]))
            goto nomem;
        for (size_t k = 0; pos > 0 && k < ep->sequential_propagated_params.n; k++) {
            if (!from_propagated(p, pos, ep->sequential_propagated_params.items[k]))
                goto nomem;
        }
    }
    return true;
nomem:
    cmn_err_set(err, 1, "out of memory");
    return false;
}

void seq_plan_free(struct pipe_rt *p)
{
    for (size_t pos = 0; p->repl && pos < p->n; pos++) {
        for (size_t i = 0; i < p->n_repl[pos]; i++)
            repl_free(&p->repl[pos][i]);
        free(p->repl[pos]);
    }
    free(p->repl);
    free(p->n_repl);
    p->repl = NULL;
    p->n_repl = NULL;
}

/* ---- per call ------------------------------------------------------------------------------- */

static struct gw_seqparam *param_find(struct call *c, const char *key)
{
    for (size_t i = 0; i < c->n_params; i++) {
        if (strcmp(c->params[i].key, key) == 0)
            return &c->params[i];
    }
    return NULL;
}

/* request.Params[key] = value (value taken). */
static bool param_set(struct call *c, const char *key, char *value)
{
    struct gw_seqparam *p = param_find(c, key);

    if (p) {
        free(p->value);
        p->value = value;
        return true;
    }
    if (c->n_params == c->cap_params) {
        size_t cap = c->cap_params ? c->cap_params * 2 : 4;
        struct gw_seqparam *v = realloc(c->params, cap * sizeof(*v));
        if (!v)
            goto fail;
        c->params = v;
        c->cap_params = cap;
    }
    c->params[c->n_params].key = strdup(key);
    if (!c->params[c->n_params].key)
        goto fail;
    c->params[c->n_params++].value = value;
    return true;
fail:
    free(value);
    return false;
}

/* The value one replacement gives, or NULL when it sets nothing. Owned. */
static char *repl_value(const struct call *c, const struct seq_repl *r)
{
    const struct seq_part *sp = &c->seq[r->source];
    const struct gw_json *data = sp->data, *v;
    struct cmn_buf out;

    if (r->full) /* only a no-op backend has a body to read */
        return sp->has_body ? cmn_strndup(sp->body ? sp->body : "", sp->body_len) : NULL;
    /* intermediate keys: a missing key or a non-object stops the walk where it is, and the
     * last segment is looked up there (Lura's loop) */
    for (size_t i = 0; i + 1 < r->path.n && data; i++) {
        const struct gw_json *next = gw_json_object_get(data, r->path.items[i]);
        if (!next || next->type != GW_JSON_OBJECT)
            break;
        data = next;
    }
    v = data && data->type == GW_JSON_OBJECT
            ? gw_json_object_get(data, r->path.items[r->path.n - 1])
            : NULL;
    if (!v)
        return NULL;
    cmn_buf_init(&out, 64 * 1024 * 1024);
    if (!gw_json_param_text(v, &out)) {
        cmn_buf_free(&out);
        return NULL;
    }
    return cmn_buf_take(&out, NULL);
}

bool seq_compute(struct call *c, size_t pos)
{
    const struct pipe_rt *p = c->pipe;

    for (size_t i = 0; pos > 0 && i < p->n_repl[pos]; i++) {
        const struct seq_repl *r = &p->repl[pos][i];
        const struct gw_seqparam *found;
        char *v;
        if (r->source >= pos || !c->seq[r->source].done)
            continue;
        /* a value this call already computed under that name is reused (the registry) */
        if ((found = param_find(c, r->dest)) && found->value[0]) {
            continue;
        }
        if (!(v = repl_value(c, r)))
            continue;
        if (!param_set(c, r->dest, v))
            return false;
    }
    return true;
}

void seq_record(struct call *c, size_t pos, const struct gw_presp *resp)
{
    struct seq_part *sp = &c->seq[pos];
    const struct gw_backend *b = &c->ep->cfg->backends[c->pipe->bidx[pos]];

    sp->done = true;
    sp->data = resp->data ? gw_json_copy(resp->data) : NULL;
    if (b->encoding == GW_ENC_NOOP) {
        sp->has_body = true;
        sp->body = resp->body_len ? cmn_strndup(resp->body, resp->body_len) : NULL;
        sp->body_len = sp->body ? resp->body_len : 0;
    }
}

void seq_call_free(struct call *c)
{
    for (size_t i = 0; c->seq && i < c->n_parts; i++) {
        gw_json_destroy(c->seq[i].data);
        free(c->seq[i].body);
    }
    free(c->seq);
    c->seq = NULL;
    for (size_t i = 0; i < c->n_params; i++) {
        free(c->params[i].key);
        free(c->params[i].value);
    }
    free(c->params);
    c->params = NULL;
    c->n_params = c->cap_params = 0;
}
