/* gw_cel_gojson.c - backend data (gw_gojson.h trees, Lura's map[string]interface{} with
 * json.Number) read in place by CEL expressions, without converting the document. */
#include "gw_cel_stage.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static enum gw_cel_host_type node_type(const void *node)
{
    switch (((const struct gw_json *)node)->type) {
    case GW_JSON_BOOL:
        return GW_CEL_HOST_BOOL;
    case GW_JSON_NUMBER:
        return GW_CEL_HOST_NUMBER;
    case GW_JSON_STRING:
        return GW_CEL_HOST_STRING;
    case GW_JSON_ARRAY:
        return GW_CEL_HOST_ARRAY;
    case GW_JSON_OBJECT:
        return GW_CEL_HOST_OBJECT;
    default:
        return GW_CEL_HOST_NULL;
    }
}

static bool node_bool(const void *node)
{
    return ((const struct gw_json *)node)->boolean;
}

/* Lura decodes with UseNumber: the lexeme is the value (a string to CEL in TEXT mode). */
static void node_number(const void *node, double *d, const char **text, size_t *len)
{
    const struct gw_json *j = node;

    *d = j->str ? strtod(j->str, NULL) : 0;
    *text = j->str;
    *len = j->str ? j->len : 0;
}

static void node_string(const void *node, const char **s, size_t *len)
{
    const struct gw_json *j = node;

    *s = j->str ? j->str : "";
    *len = j->str ? j->len : 0;
}

static size_t node_size(const void *node)
{
    const struct gw_json *j = node;

    return j->type == GW_JSON_ARRAY ? j->n_items : j->type == GW_JSON_OBJECT ? j->n_members : 0;
}

static const void *node_at(const void *node, size_t i)
{
    const struct gw_json *j = node;

    return j->type == GW_JSON_ARRAY && i < j->n_items ? j->items[i] : NULL;
}

/* Keys are NUL-terminated (a key with a NUL byte was cut there): such a lookup never matches. */
static bool key_is(const char *key, const char *k, size_t klen)
{
    return !memchr(k, '\0', klen) && strncmp(key, k, klen) == 0 && key[klen] == '\0';
}

static const void *node_get(const void *node, const char *key, size_t klen)
{
    const struct gw_json *j = node;

    if (j->type != GW_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < j->n_members; i++) {
        if (key_is(j->members[i].key, key, klen))
            return j->members[i].val;
    }
    return NULL;
}

/* The iterator is the index of the next member (NULL starts at 0). */
static bool node_next(const void *node, void **it, const char **key, size_t *klen, const void **val)
{
    const struct gw_json *j = node;
    size_t i = (size_t)(uintptr_t)*it;

    if (j->type != GW_JSON_OBJECT || i >= j->n_members)
        return false;
    *key = j->members[i].key;
    *klen = strlen(*key);
    *val = j->members[i].val;
    *it = (void *)(uintptr_t)(i + 1);
    return true;
}

static const struct gw_cel_host_ops GOJSON_OPS = {
    node_type, node_bool, node_number, NULL, node_string, node_size, node_at, node_get, node_next,
};

struct gw_cel_val gw_cel_gojson(const struct gw_json *j)
{
    if (!j || j->type != GW_JSON_OBJECT)
        return (struct gw_cel_val){.kind = GW_CEL_NULL};
    return gw_cel_host(&GOJSON_OPS, j, GW_CEL_NUMBERS_TEXT);
}
