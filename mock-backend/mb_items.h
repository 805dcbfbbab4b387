/* mb_items.h - the in-memory items collection behind /api/items, safe to use from any thread. */
#ifndef MB_ITEMS_H
#define MB_ITEMS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define MB_ITEMS_FIRST_ID 10 /* the guide's first Widget gets id 10 */

enum mb_items_status {
    MB_ITEMS_OK = 0,
    MB_ITEMS_NOT_FOUND,
    MB_ITEMS_FULL,    /* max_items items are stored */
    MB_ITEMS_TOO_BIG, /* the item breaks a field cap; msg says which */
    MB_ITEMS_NOMEM,
};

struct mb_items_caps {
    size_t max_items;      /* 0 = 10000 */
    size_t max_fields;     /* members per item; 0 = 64 */
    size_t max_key_bytes;  /* 0 = 256 */
    size_t max_item_bytes; /* serialised item; 0 = 16384 */
};

struct mb_items;

/* Owned store, NULL on allocation failure. Caps are copied (zeros take the defaults). */
struct mb_items *mb_items_new(const struct mb_items_caps *caps);
void mb_items_destroy(struct mb_items *s);

/* The item JSON text every answer uses: {"id": N, <fields in the order given>} with jansson's
 * ", " and ": " separators, like the guide's sample. Fields named "id" are ignored.
 *
 * All out strings are owned by the caller (free()). msg, when given, receives a short
 * explanation for MB_ITEMS_TOO_BIG / MB_ITEMS_FULL (room for 128 bytes). */
enum mb_items_status mb_items_create(struct mb_items *s, json_t *fields, char **out_json,
                                     uint64_t *out_id, char msg[128]);
enum mb_items_status mb_items_get(struct mb_items *s, uint64_t id, char **out_json);
enum mb_items_status mb_items_replace(struct mb_items *s, uint64_t id, json_t *fields,
                                      char **out_json, char msg[128]);
/* Removes the item; *out_json gets what it was. */
enum mb_items_status mb_items_delete(struct mb_items *s, uint64_t id, char **out_json);
/* All items in id order as a JSON array text: [item, item]. */
enum mb_items_status mb_items_list(struct mb_items *s, char **out_json);
size_t mb_items_count(struct mb_items *s);

#endif
