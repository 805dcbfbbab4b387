/* mt_store_int.h - helpers shared by the store's service files (not used outside the store). */
#ifndef MT_STORE_INT_H
#define MT_STORE_INT_H

#include "mt_store.h"

#include "cmn_json.h"
#include "cmn_str.h"

/* o[k] as a string, "" when absent or not a string (borrowed). */
static inline const char *mt_str(const json_t *o, const char *k)
{
    const char *v = cmn_json_str(o, k);
    return v ? v : "";
}

/* Reads body[key] as a string. Absent or null: *out = NULL and OK unless required. Not a string,
 * longer than max, or (required and) empty after sanitising: `bad`. *out is owned and
 * sanitised (trimmed, control characters dropped, HTML-escaped) when sanitize, else trimmed. */
enum mt_e mt_body_str(const json_t *body, const char *key, bool required, size_t max, bool sanitize,
                      enum mt_e bad, char **out);
/* A new UUIDv7 id; false if the random source failed. */
bool mt_new_id(char out[37]);
/* Whether another entity fits in arr. */
bool mt_store_has_room(const struct mt_store *s, const json_t *arr);
/* Sets o[k] = v when v is non-NULL and non-empty; false on allocation failure. */
bool mt_set_opt(json_t *o, const char *k, const char *v);
/* Removes the element of arr whose "id" is id. */
void mt_store_remove(json_t *arr, const char *id);
/* A handle is 1..100 characters of [a-zA-Z0-9._:/-]. */
bool mt_handle_valid(const char *h);
/* Copy of an entity without the members whose names start with '_' (internal). Owned. */
json_t *mt_public_copy(const json_t *o);

#endif
