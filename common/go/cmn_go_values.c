/* cmn_go_values.c - url.Values: ParseQuery, Get/Set/Add/Del and Encode as net/url does. */
#include "cmn_go_values.h"

#include "cmn_go_url.h"

#include <stdlib.h>
#include <string.h>

void cmn_go_values_init(struct cmn_go_values *q, size_t max)
{
    memset(q, 0, sizeof(*q));
    q->max = max;
}

void cmn_go_values_free(struct cmn_go_values *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n; i++) {
        free(q->v[i].key);
        free(q->v[i].value);
    }
    free(q->v);
    q->v = NULL;
    q->n = q->cap = 0;
}

/* Takes key and value (freed on failure). */
static bool push(struct cmn_go_values *q, char *key, char *value)
{
    if (q->n == q->max)
        goto fail;
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 8;
        struct cmn_go_value *v = realloc(q->v, cap * sizeof(*v));
        if (!v)
            goto fail;
        q->v = v;
        q->cap = cap;
    }
    q->v[q->n].key = key;
    q->v[q->n].value = value;
    q->n++;
    return true;
fail:
    free(key);
    free(value);
    return false;
}

bool cmn_go_values_parse(struct cmn_go_values *q, const char *raw, size_t n)
{
    const char *p = raw, *end = raw + n;

    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        size_t l = amp ? (size_t)(amp - p) : (size_t)(end - p);
        const char *eq = memchr(p, '=', l);
        size_t kl = eq ? (size_t)(eq - p) : l;
        const char *piece = p;

        p = amp ? amp + 1 : end;
        if (l == 0 || memchr(piece, ';', l))
            continue; /* Go 1.17+: "invalid semicolon separator in query" */
        char *k = malloc(kl + 1), *v = malloc(l - kl + 1);
        if (!k || !v) {
            free(k);
            free(v);
            return false;
        }
        if (!cmn_go_unescape(piece, kl, true, k, NULL) ||
            !cmn_go_unescape(eq ? eq + 1 : "", eq ? l - kl - 1 : 0, true, v, NULL)) {
            free(k);
            free(v);
            continue;
        }
        if (q->n == q->max) {
            free(k);
            free(v);
            return true;
        }
        if (!push(q, k, v))
            return false;
    }
    return true;
}

const char *cmn_go_values_get(const struct cmn_go_values *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->v[i].key, key) == 0)
            return q->v[i].value;
    }
    return NULL;
}

bool cmn_go_values_has(const struct cmn_go_values *q, const char *key)
{
    return cmn_go_values_get(q, key) != NULL;
}

bool cmn_go_values_add(struct cmn_go_values *q, const char *key, const char *value)
{
    char *k = strdup(key), *v = strdup(value);

    if (!k || !v) {
        free(k);
        free(v);
        return false;
    }
    return push(q, k, v);
}

/* Removes the values of key from index `from` on, keeping the others in order. */
static void drop_from(struct cmn_go_values *q, const char *key, size_t from)
{
    size_t w = from;

    for (size_t i = from; i < q->n; i++) {
        if (strcmp(q->v[i].key, key) == 0) {
            free(q->v[i].key);
            free(q->v[i].value);
        } else {
            q->v[w++] = q->v[i];
        }
    }
    q->n = w;
}

bool cmn_go_values_set(struct cmn_go_values *q, const char *key, const char *value)
{
    size_t first = q->n;

    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->v[i].key, key) == 0) {
            first = i;
            break;
        }
    }
    if (first == q->n)
        return cmn_go_values_add(q, key, value);
    char *v = strdup(value);
    if (!v)
        return false;
    free(q->v[first].value);
    q->v[first].value = v;
    drop_from(q, key, first + 1); /* the other values of key go */
    return true;
}

void cmn_go_values_del(struct cmn_go_values *q, const char *key)
{
    drop_from(q, key, 0);
}

bool cmn_go_values_encode(const struct cmn_go_values *q, struct cmn_buf *out)
{
    size_t *order = NULL;
    bool ok = true, first = true;

    if (q->n == 0)
        return true;
    order = malloc(q->n * sizeof(*order));
    if (!order)
        return false;
    for (size_t i = 0; i < q->n; i++)
        order[i] = i;
    /* insertion sort by key, stable: a key's values keep their order (n is small, capped) */
    for (size_t i = 1; i < q->n; i++) {
        size_t x = order[i], j = i;
        while (j > 0 && strcmp(q->v[order[j - 1]].key, q->v[x].key) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    for (size_t i = 0; i < q->n && ok; i++) {
        const struct cmn_go_value *p = &q->v[order[i]];
        ok = (first || cmn_buf_append(out, "&", 1) == CMN_BUF_OK) &&
             cmn_go_query_escape(p->key, strlen(p->key), out) &&
             cmn_buf_append(out, "=", 1) == CMN_BUF_OK &&
             cmn_go_query_escape(p->value, strlen(p->value), out);
        first = false;
    }
    free(order);
    return ok;
}
