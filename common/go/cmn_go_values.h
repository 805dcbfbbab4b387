/* cmn_go_values.h - Go's url.Values: url.ParseQuery (errors skipped, as callers that ignore its
 * error see it), Get/Set/Add/Del, and Values.Encode (keys sorted by bytes, each key's values in
 * the order they came, both escaped by QueryEscape). For martian's querystring modifiers and
 * Lua's query setters, which re-encode a whole query the way Go does. */
#ifndef CMN_GO_VALUES_H
#define CMN_GO_VALUES_H

#include "cmn_buf.h"

#include <stdbool.h>
#include <stddef.h>

struct cmn_go_value {
    char *key;   /* decoded; may not hold NUL (cut there) */
    char *value; /* decoded */
};

/* Pairs in arrival order (a Go map of slices, flattened); at most max of them. */
struct cmn_go_values {
    struct cmn_go_value *v;
    size_t n, cap, max;
};

void cmn_go_values_init(struct cmn_go_values *q, size_t max);
void cmn_go_values_free(struct cmn_go_values *q);

/* url.ParseQuery(raw[0, n)) added to q: pieces split at '&'; a piece holding ';', an empty
 * piece or one with a malformed escape is skipped (Go reports an error and goes on); '+' is a
 * space. Pieces past q->max are dropped. False only when memory runs out. */
bool cmn_go_values_parse(struct cmn_go_values *q, const char *raw, size_t n);

/* Values.Get: the first value of key, or NULL (borrowed). */
const char *cmn_go_values_get(const struct cmn_go_values *q, const char *key);
/* Values.Has. */
bool cmn_go_values_has(const struct cmn_go_values *q, const char *key);
/* Values.Set: key gets exactly one value (its first place is kept). False when out of memory
 * or full. */
bool cmn_go_values_set(struct cmn_go_values *q, const char *key, const char *value);
/* Values.Add: one more value for key. */
bool cmn_go_values_add(struct cmn_go_values *q, const char *key, const char *value);
/* Values.Del. */
void cmn_go_values_del(struct cmn_go_values *q, const char *key);

/* Values.Encode appended to out ("" for no values). False when the buffer refuses. */
bool cmn_go_values_encode(const struct cmn_go_values *q, struct cmn_buf *out);

#endif
