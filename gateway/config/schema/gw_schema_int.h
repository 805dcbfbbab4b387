/* gw_schema_int.h - the parsed rules, shared by the rules parser and the linter. */
#ifndef GW_SCHEMA_INT_H
#define GW_SCHEMA_INT_H

#include "gw_schema.h"

enum st_kind {
    ST_ANY,
    ST_STRING,
    ST_INTEGER,
    ST_NUMBER,
    ST_BOOLEAN,
    ST_DURATION,
    ST_OBJECT, /* a named, closed (or open) object */
    ST_ARRAY,  /* elem */
    ST_MAP,    /* an object whose members are elem (NULL: anything) */
    ST_EXTRA,  /* an extra_config at `level` */
};

struct st_obj;

struct st_type {
    enum st_kind kind;
    const char *ref;          /* ST_OBJECT: the object's name until resolved */
    const struct st_obj *obj; /* ST_OBJECT, resolved */
    struct st_type *elem;     /* ST_ARRAY, ST_MAP */
    unsigned level;           /* ST_EXTRA */
};

#define ST_MAX_ALTS 4

struct st_key {
    const char *name;
    struct st_type *types[ST_MAX_ALTS]; /* alternatives ("string|array:string") */
    size_t ntypes;
    bool required;
    bool has_min, has_max;
    double min, max;
    const char **enums; /* allowed values as written; numbers compared as numbers */
    size_t nenums;
    long min_items;       /* -1: none */
    const char *renamed; /* KrakenD 1 key: the current name; the key itself is refused */
};

struct st_obj {
    const char *name;
    struct st_key *keys;
    size_t nkeys, cap_keys;
    bool open;
    long min_props, max_props; /* -1: none */
};

struct st_ns {
    const char *name;
    const char *alias;
    unsigned levels;
    bool security;
    struct st_type *type; /* what its value must be; NULL: options not checked */
};

struct gw_schema {
    struct st_obj **objs;
    size_t nobjs, cap_objs;
    struct st_ns *nss;
    size_t nns, cap_ns;
    const char **ns_names; /* every short and long name, for suggestions */
    size_t n_ns_names;
    /* everything above points into allocations listed here */
    void **allocs;
    size_t nallocs, cap_allocs;
};

const struct st_obj *gw_schema_obj(const struct gw_schema *s, const char *name);
/* The entry of a short or long name that allows level (or the first one when none does). */
const struct st_ns *gw_schema_ns_at(const struct gw_schema *s, const char *name, unsigned level);
const struct st_key *gw_schema_key(const struct st_obj *o, const char *name);
/* Keys whose name starts with @ $ _ # are comments in KrakenD's schema. */
bool gw_schema_is_comment_key(const char *k);
/* The object's keys that are not renamed ones, for suggestions (owned array, free()). */
const char **gw_schema_key_names(const struct st_obj *o, size_t *n);

/* The built-in rules text (generated from krakend-v2.13.rules at build time). */
extern const char gw_schema_rules_text[];
extern const size_t gw_schema_rules_len;

#endif
