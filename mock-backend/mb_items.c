/* mb_items.c - items kept as serialised JSON text in id order under one mutex. */
#include "mb_items.h"

#include "cmn_buf.h"
#include "cmn_json.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM_DEPTH_MAX 16

struct item {
    uint64_t id;
    char *json; /* owned */
    size_t len;
};

struct mb_items {
    pthread_mutex_t lock;
    struct mb_items_caps caps;
    struct item *v; /* sorted by id (ids only grow, so appends keep it sorted) */
    size_t n;
    size_t cap;
    uint64_t next_id;
};

struct mb_items *mb_items_new(const struct mb_items_caps *caps)
{
    struct mb_items *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    if (caps)
        s->caps = *caps;
    if (!s->caps.max_items)
        s->caps.max_items = 10000;
    if (!s->caps.max_fields)
        s->caps.max_fields = 64;
    if (!s->caps.max_key_bytes)
        s->caps.max_key_bytes = 256;
    if (!s->caps.max_item_bytes)
        s->caps.max_item_bytes = 16384;
    s->next_id = MB_ITEMS_FIRST_ID;
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void mb_items_destroy(struct mb_items *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].json);
    free(s->v);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Builds the item text for id from fields, enforcing the field caps. */
static enum mb_items_status render(const struct mb_items_caps *caps, uint64_t id, json_t *fields,
                                   char **out, size_t *out_len, char msg[128])
{
    json_t *item = NULL;
    const char *k;
    json_t *m;
    enum mb_items_status st = MB_ITEMS_NOMEM;

    *out = NULL;
    if (json_object_size(fields) > caps->max_fields) {
        snprintf(msg, 128, "an item has at most %zu fields", caps->max_fields);
        return MB_ITEMS_TOO_BIG;
    }
    if (cmn_json_depth(fields) > ITEM_DEPTH_MAX) {
        snprintf(msg, 128, "an item nests at most %d levels", ITEM_DEPTH_MAX);
        return MB_ITEMS_TOO_BIG;
    }
    item = json_object();
    if (!item || json_object_set_new(item, "id", json_integer((json_int_t)id)) != 0)
        goto out;
    json_object_foreach(fields, k, m)
    {
        if (strlen(k) > caps->max_key_bytes) {
            snprintf(msg, 128, "field names are at most %zu bytes", caps->max_key_bytes);
            st = MB_ITEMS_TOO_BIG;
            goto out;
        }
        if (strcmp(k, "id") != 0 && json_object_set(item, k, m) != 0)
            goto out;
    }
    *out = json_dumps(item, JSON_PRESERVE_ORDER);
    if (!*out)
        goto out;
    *out_len = strlen(*out);
    if (*out_len > caps->max_item_bytes) {
        snprintf(msg, 128, "an item is at most %zu bytes of JSON", caps->max_item_bytes);
        free(*out);
        *out = NULL;
        st = MB_ITEMS_TOO_BIG;
        goto out;
    }
    st = MB_ITEMS_OK;
out:
    json_decref(item);
    return st;
}

/* Index of id, or -1. Caller holds the lock. */
static long find(const struct mb_items *s, uint64_t id)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].id == id)
            return (long)mid;
        if (s->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

enum mb_items_status mb_items_create(struct mb_items *s, json_t *fields, char **out_json,
                                     uint64_t *out_id, char msg[128])
{
    char scratch[128];
    char *text = NULL, *copy = NULL;
    size_t len = 0;
    enum mb_items_status st;

    msg = msg ? msg : scratch;
    *out_json = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->n >= s->caps.max_items) {
        snprintf(msg, 128, "the store holds at most %zu items", s->caps.max_items);
        st = MB_ITEMS_FULL;
        goto out;
    }
    st = render(&s->caps, s->next_id, fields, &text, &len, msg);
    if (st != MB_ITEMS_OK)
        goto out;
    st = MB_ITEMS_NOMEM;
    copy = strdup(text);
    if (!copy)
        goto out;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        struct item *v = realloc(s->v, nc * sizeof(*v));
        if (!v)
            goto out;
        s->v = v;
        s->cap = nc;
    }
    s->v[s->n++] = (struct item){.id = s->next_id, .json = text, .len = len};
    text = NULL;
    *out_id = s->next_id++;
    *out_json = copy;
    copy = NULL;
    st = MB_ITEMS_OK;
out:
    pthread_mutex_unlock(&s->lock);
    free(text);
    free(copy);
    return st;
}

enum mb_items_status mb_items_get(struct mb_items *s, uint64_t id, char **out_json)
{
    enum mb_items_status st = MB_ITEMS_NOT_FOUND;
    long i;

    *out_json = NULL;
    pthread_mutex_lock(&s->lock);
    i = find(s, id);
    if (i >= 0) {
        *out_json = strdup(s->v[i].json);
        st = *out_json ? MB_ITEMS_OK : MB_ITEMS_NOMEM;
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

enum mb_items_status mb_items_replace(struct mb_items *s, uint64_t id, json_t *fields,
                                      char **out_json, char msg[128])
{
    char scratch[128];
    char *text = NULL, *copy = NULL;
    size_t len = 0;
    enum mb_items_status st = MB_ITEMS_NOT_FOUND;
    long i;

    msg = msg ? msg : scratch;
    *out_json = NULL;
    pthread_mutex_lock(&s->lock);
    i = find(s, id);
    if (i < 0)
        goto out;
    st = render(&s->caps, id, fields, &text, &len, msg);
    if (st != MB_ITEMS_OK)
        goto out;
    copy = strdup(text);
    if (!copy) {
        st = MB_ITEMS_NOMEM;
        goto out;
    }
    free(s->v[i].json);
    s->v[i].json = text;
    s->v[i].len = len;
    text = NULL;
    *out_json = copy;
out:
    pthread_mutex_unlock(&s->lock);
    free(text);
    return st;
}

enum mb_items_status mb_items_delete(struct mb_items *s, uint64_t id, char **out_json)
{
    enum mb_items_status st = MB_ITEMS_NOT_FOUND;
    long i;

    *out_json = NULL;
    pthread_mutex_lock(&s->lock);
    i = find(s, id);
    if (i >= 0) {
        *out_json = s->v[i].json;
        memmove(&s->v[i], &s->v[i + 1], (s->n - (size_t)i - 1) * sizeof(*s->v));
        s->n--;
        st = MB_ITEMS_OK;
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

enum mb_items_status mb_items_list(struct mb_items *s, char **out_json)
{
    struct cmn_buf b;
    size_t len;

    bool ok;

    /* Bounded by the caps: every item is at most max_item_bytes plus a ", " separator. */
    cmn_buf_init(&b, s->caps.max_items * (s->caps.max_item_bytes + 2) + 2);
    pthread_mutex_lock(&s->lock);
    ok = cmn_buf_append_str(&b, "[") == CMN_BUF_OK;
    for (size_t i = 0; ok && i < s->n; i++) {
        ok = (!i || cmn_buf_append_str(&b, ", ") == CMN_BUF_OK) &&
             cmn_buf_append(&b, s->v[i].json, s->v[i].len) == CMN_BUF_OK;
    }
    pthread_mutex_unlock(&s->lock);
    ok = ok && cmn_buf_append_str(&b, "]") == CMN_BUF_OK;
    *out_json = ok ? cmn_buf_take(&b, &len) : NULL;
    cmn_buf_free(&b);
    return *out_json ? MB_ITEMS_OK : MB_ITEMS_NOMEM;
}

size_t mb_items_count(struct mb_items *s)
{
    size_t n;

    pthread_mutex_lock(&s->lock);
    n = s->n;
    pthread_mutex_unlock(&s->lock);
    return n;
}
