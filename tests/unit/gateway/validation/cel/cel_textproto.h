/* cel_textproto.h - a small protobuf text-format reader for the cel-spec conformance files. */
#ifndef CEL_TEXTPROTO_H
#define CEL_TEXTPROTO_H

#include <stdbool.h>
#include <stddef.h>

/* A field: a message (kids) or a scalar (text). Strings are unescaped and concatenated. */
struct tp_node {
    char *name; /* "value", or "[type.googleapis.com/...]" for an Any/extension */
    bool is_msg;
    bool is_string;
    char *text; /* scalar token or decoded string (may contain NUL bytes: see len) */
    size_t len;
    struct tp_node **kids;
    size_t n, cap;
};

/* Parses a whole file into a root message. NULL with a message in err (at least 128 bytes). */
struct tp_node *tp_parse(const char *s, size_t n, char *err, size_t errlen);
void tp_free(struct tp_node *n);
/* First child called name, or NULL. */
const struct tp_node *tp_get(const struct tp_node *msg, const char *name);
/* Scalar text of the first child called name, or def. */
const char *tp_text(const struct tp_node *msg, const char *name, const char *def);
/* True if a message field anywhere below has this name (e.g. "object_value"). */
bool tp_contains(const struct tp_node *msg, const char *name);

#endif
