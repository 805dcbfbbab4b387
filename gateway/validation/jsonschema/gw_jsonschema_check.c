/* gw_jsonschema_check.c - what validating a schema against its draft's metaschema checks (keyword
 * value types and bounds), written as code: no metaschema document is embedded. It refuses at
 * compile time what KrakenD's library refuses, and serves `$ref`s to the draft metaschemas. */
#include "gw_jsonschema_int.h"

#include <stdio.h>
#include <string.h>

enum kt {
    K_SCHEMA,
    K_SCHEMA_ARRAY, /* non-empty array of schemas */
    K_SCHEMA_MAP,   /* object of schemas */
    K_ITEMS,        /* schema or non-empty array of schemas (drafts before 2020) */
    K_ADDITIONAL,   /* draft 4: boolean or schema */
    K_NONNEG_INT,
    K_NUMBER,
    K_POS_NUMBER, /* > 0 */
    K_BOOL,
    K_STRING,
    K_TYPE,
    K_ARRAY,
    K_ENUM4,        /* draft 4: non-empty array of unique values */
    K_STR_ARRAY,    /* unique strings */
    K_STR_ARRAY_NE, /* draft 4: non-empty unique strings */
    K_REGEX,
    K_PATTERN_MAP,  /* object of schemas keyed by regexes */
    K_DEPENDENCIES, /* object of schemas or unique string arrays */
    K_DEP_REQUIRED, /* object of unique string arrays */
    K_URI_REF,
    K_ID, /* uri-reference; from 2019 without a fragment */
    K_ANCHOR,
    K_VOCABULARY,
    K_NUMBER_OR_BOOL4, /* draft 4 exclusiveMinimum/Maximum: boolean */
    K_ANY,
};

struct kw {
    const char *name;
    enum kt t;
    int from, to; /* drafts */
    unsigned voc; /* GW_JSV_* that must be on (2019 and later) */
};

#define D4 4
#define D6 6
#define D7 7
#define D19 2019
#define D20 2020
#define ALL 9999

static const struct kw KW[] = {
    /* core */
    {"id", K_ID, D4, D4, GW_JSV_CORE},
    {"$id", K_ID, D6, ALL, GW_JSV_CORE},
    {"$schema", K_URI_REF, D4, ALL, GW_JSV_CORE},
    {"$ref", K_URI_REF, D4, ALL, GW_JSV_CORE},
    {"$anchor", K_ANCHOR, D19, ALL, GW_JSV_CORE},
    {"$dynamicAnchor", K_ANCHOR, D20, ALL, GW_JSV_CORE},
    {"$dynamicRef", K_URI_REF, D20, ALL, GW_JSV_CORE},
    {"$recursiveAnchor", K_BOOL, D19, D19, GW_JSV_CORE},
    {"$recursiveAnchor", K_ANCHOR, D20, ALL, GW_JSV_CORE}, /* 2020-12 keeps it as a string */
    {"$recursiveRef", K_URI_REF, D19, ALL, GW_JSV_CORE},
    {"$vocabulary", K_VOCABULARY, D19, ALL, GW_JSV_CORE},
    {"$comment", K_STRING, D7, ALL, GW_JSV_CORE},
    {"$defs", K_SCHEMA_MAP, D19, ALL, GW_JSV_CORE},
    {"definitions", K_SCHEMA_MAP, D4, ALL, GW_JSV_CORE},
    /* applicator */
    {"allOf", K_SCHEMA_ARRAY, D4, ALL, GW_JSV_APPLICATOR},
    {"anyOf", K_SCHEMA_ARRAY, D4, ALL, GW_JSV_APPLICATOR},
    {"oneOf", K_SCHEMA_ARRAY, D4, ALL, GW_JSV_APPLICATOR},
    {"not", K_SCHEMA, D4, ALL, GW_JSV_APPLICATOR},
    {"if", K_SCHEMA, D7, ALL, GW_JSV_APPLICATOR},
    {"then", K_SCHEMA, D7, ALL, GW_JSV_APPLICATOR},
    {"else", K_SCHEMA, D7, ALL, GW_JSV_APPLICATOR},
    {"items", K_ITEMS, D4, D19, GW_JSV_APPLICATOR},
    {"items", K_SCHEMA, D20, ALL, GW_JSV_APPLICATOR},
    {"prefixItems", K_SCHEMA_ARRAY, D20, ALL, GW_JSV_APPLICATOR},
    {"additionalItems", K_ADDITIONAL, D4, D4, GW_JSV_APPLICATOR},
    {"additionalItems", K_SCHEMA, D6, D19, GW_JSV_APPLICATOR},
    {"contains", K_SCHEMA, D6, ALL, GW_JSV_APPLICATOR},
    {"properties", K_SCHEMA_MAP, D4, ALL, GW_JSV_APPLICATOR},
    {"patternProperties", K_PATTERN_MAP, D4, ALL, GW_JSV_APPLICATOR},
    {"additionalProperties", K_ADDITIONAL, D4, D4, GW_JSV_APPLICATOR},
    {"additionalProperties", K_SCHEMA, D6, ALL, GW_JSV_APPLICATOR},
    {"propertyNames", K_SCHEMA, D6, ALL, GW_JSV_APPLICATOR},
    {"dependencies", K_DEPENDENCIES, D4, ALL, GW_JSV_APPLICATOR},
    {"dependentSchemas", K_SCHEMA_MAP, D19, ALL, GW_JSV_APPLICATOR},
    {"unevaluatedItems", K_SCHEMA, D19, D19, GW_JSV_APPLICATOR},
    {"unevaluatedProperties", K_SCHEMA, D19, D19, GW_JSV_APPLICATOR},
    {"unevaluatedItems", K_SCHEMA, D20, ALL, GW_JSV_UNEVALUATED},
    {"unevaluatedProperties", K_SCHEMA, D20, ALL, GW_JSV_UNEVALUATED},
    /* validation */
    {"type", K_TYPE, D4, ALL, GW_JSV_VALIDATION},
    {"enum", K_ENUM4, D4, D4, GW_JSV_VALIDATION},
    {"enum", K_ARRAY, D6, ALL, GW_JSV_VALIDATION},
    {"const", K_ANY, D6, ALL, GW_JSV_VALIDATION},
    {"multipleOf", K_POS_NUMBER, D4, ALL, GW_JSV_VALIDATION},
    {"maximum", K_NUMBER, D4, ALL, GW_JSV_VALIDATION},
    {"minimum", K_NUMBER, D4, ALL, GW_JSV_VALIDATION},
    {"exclusiveMaximum", K_NUMBER_OR_BOOL4, D4, D4, GW_JSV_VALIDATION},
    {"exclusiveMinimum", K_NUMBER_OR_BOOL4, D4, D4, GW_JSV_VALIDATION},
    {"exclusiveMaximum", K_NUMBER, D6, ALL, GW_JSV_VALIDATION},
    {"exclusiveMinimum", K_NUMBER, D6, ALL, GW_JSV_VALIDATION},
    {"maxLength", K_NONNEG_INT, D4, ALL, GW_JSV_VALIDATION},
    {"minLength", K_NONNEG_INT, D4, ALL, GW_JSV_VALIDATION},
    {"pattern", K_REGEX, D4, ALL, GW_JSV_VALIDATION},
    {"maxItems", K_NONNEG_INT, D4, ALL, GW_JSV_VALIDATION},
    {"minItems", K_NONNEG_INT, D4, ALL, GW_JSV_VALIDATION},
    {"uniqueItems", K_BOOL, D4, ALL, GW_JSV_VALIDATION},
    {"maxContains", K_NONNEG_INT, D19, ALL, GW_JSV_VALIDATION},
    {"minContains", K_NONNEG_INT, D19, ALL, GW_JSV_VALIDATION},
    {"maxProperties", K_NONNEG_INT, D4, ALL, GW_JSV_VALIDATION},
    {"minProperties", K_NONNEG_INT, D4, ALL, GW_JSV_VALIDATION},
    {"required", K_STR_ARRAY_NE, D4, D4, GW_JSV_VALIDATION},
    {"required", K_STR_ARRAY, D6, ALL, GW_JSV_VALIDATION},
    {"dependentRequired", K_DEP_REQUIRED, D19, ALL, GW_JSV_VALIDATION},
    /* meta-data, format, content */
    {"title", K_STRING, D4, ALL, GW_JSV_METADATA},
    {"description", K_STRING, D4, ALL, GW_JSV_METADATA},
    {"default", K_ANY, D4, ALL, GW_JSV_METADATA},
    {"deprecated", K_BOOL, D19, ALL, GW_JSV_METADATA},
    {"readOnly", K_BOOL, D7, ALL, GW_JSV_METADATA},
    {"writeOnly", K_BOOL, D7, ALL, GW_JSV_METADATA},
    {"examples", K_ARRAY, D6, ALL, GW_JSV_METADATA},
    {"format", K_STRING, D4, ALL,
     GW_JSV_FORMAT | GW_JSV_FORMAT_ANNOTATION | GW_JSV_FORMAT_ASSERTION},
    {"contentMediaType", K_STRING, D7, ALL, GW_JSV_CONTENT},
    {"contentEncoding", K_STRING, D7, ALL, GW_JSV_CONTENT},
    {"contentSchema", K_SCHEMA, D19, ALL, GW_JSV_CONTENT},
};

struct chk {
    struct cmn_buf *where, *why;
    struct cmn_buf path;
    uint64_t *work;
};

static bool fail(struct chk *c, const char *why)
{
    cmn_buf_append(c->where, cmn_buf_str(&c->path), c->path.len);
    cmn_buf_append_str(c->why, why);
    return false;
}

static void push(struct chk *c, const char *tok, size_t n)
{
    gw_jsonschema_ptr_append(&c->path, tok, n);
}

static void push_index(struct chk *c, uint32_t i)
{
    cmn_buf_printf(&c->path, "/%u", i);
}

static void pop(struct chk *c, size_t len)
{
    c->path.len = len;
    if (c->path.data)
        c->path.data[len] = '\0';
}

static bool schema(struct chk *c, const struct gw_jsonschema_value *v,
                   struct gw_jsonschema_dialect d);

static bool is_nonneg_int(const struct gw_jsonschema_value *v)
{
    return v->type == GW_JST_NUMBER && !v->num.neg && gw_jsonschema_num_is_int(&v->num);
}

static bool unique(struct chk *c, const struct gw_jsonschema_value *v)
{
    struct gw_jsonschema_arena a;
    uint32_t i, j;
    int r;

    gw_jsonschema_arena_init(&a, (size_t)v->len * 32 + (1u << 16));
    r = gw_jsonschema_first_duplicate(&a, v, &j, &i, c->work);
    gw_jsonschema_arena_free(&a);
    return r == 0;
}

static bool str_array(struct chk *c, const struct gw_jsonschema_value *v, bool nonempty)
{
    if (v->type != GW_JST_ARRAY)
        return fail(c, "must be an array of strings");
    if (nonempty && v->len == 0)
        return fail(c, "must not be empty");
    for (uint32_t i = 0; i < v->len; i++) {
        if (v->items[i]->type != GW_JST_STRING) {
            push_index(c, i);
            return fail(c, "must be a string");
        }
    }
    return unique(c, v) ? true : fail(c, "items must be unique");
}

static bool type_name(const struct gw_jsonschema_value *v)
{
    static const char *const T[] = {"null",   "boolean", "object", "array",
                                    "number", "string",  "integer"};

    if (v->type != GW_JST_STRING)
        return false;
    for (size_t k = 0; k < sizeof(T) / sizeof(T[0]); k++)
        if (strlen(T[k]) == v->len && !memcmp(T[k], v->str, v->len))
            return true;
    return false;
}

static bool anchor_name(const struct gw_jsonschema_value *v)
{
    if (v->type != GW_JST_STRING || v->len == 0)
        return false;
    for (uint32_t i = 0; i < v->len; i++) {
        char ch = v->str[i];
        bool letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
        if (!letter && (i == 0 || !((ch >= '0' && ch <= '9') || ch == '-' || ch == '.')))
            return false;
    }
    return true;
}

static bool uri_ref(const struct gw_jsonschema_value *v)
{
    struct gw_jsonschema_value probe = *v;

    probe.type = GW_JST_STRING;
    return v->type == GW_JST_STRING && strlen(v->str) == v->len &&
           gw_jsonschema_format_check(GW_JSF_URI_REFERENCE, &probe, NULL);
}

/* A pattern Go's regexp compiles; the reason when not. */
static bool regex_ok(struct chk *c, const char *pat, size_t n)
{
    struct cmn_err err = {0};
    struct gw_jsonschema_regex *re = gw_jsonschema_regex_compile(pat, n, &err);
    char why[CMN_ERR_MSG_MAX + 300];

    if (re) {
        gw_jsonschema_regex_free(re);
        return true;
    }
    snprintf(why, sizeof(why), "invalid regex '%.*s': %s", (int)(n > 200 ? 200 : n), pat, err.msg);
    return fail(c, why);
}

static bool keyword(struct chk *c, const struct kw *k, const struct gw_jsonschema_value *v,
                    struct gw_jsonschema_dialect d)
{
    uint32_t i;
    size_t len = c->path.len;

    switch (k->t) {
    case K_SCHEMA:
        return schema(c, v, d);
    case K_SCHEMA_ARRAY:
    case K_ITEMS:
        if (k->t == K_ITEMS && v->type != GW_JST_ARRAY)
            return schema(c, v, d);
        if (v->type != GW_JST_ARRAY)
            return fail(c, "must be an array of schemas");
        if (v->len == 0)
            return fail(c, "must not be empty");
        for (i = 0; i < v->len; i++) {
            push_index(c, i);
            if (!schema(c, v->items[i], d))
                return false;
            pop(c, len);
        }
        return true;
    case K_SCHEMA_MAP:
    case K_PATTERN_MAP:
    case K_DEPENDENCIES:
    case K_DEP_REQUIRED:
        if (v->type != GW_JST_OBJECT)
            return fail(c, "must be an object");
        for (i = 0; i < v->len; i++) {
            const struct gw_jsonschema_member *m = &v->members[i];
            push(c, m->key, m->klen);
            if (k->t == K_PATTERN_MAP && !regex_ok(c, m->key, m->klen))
                return false;
            if (k->t == K_DEP_REQUIRED ||
                (k->t == K_DEPENDENCIES && m->val->type == GW_JST_ARRAY)) {
                if (!str_array(c, m->val, false))
                    return false;
            } else if (!schema(c, m->val, d)) {
                return false;
            }
            pop(c, len);
        }
        return true;
    case K_ADDITIONAL:
        return v->type == GW_JST_BOOL ? true : schema(c, v, d);
    case K_NONNEG_INT:
        return is_nonneg_int(v) ? true : fail(c, "must be a non-negative integer");
    case K_NUMBER:
        return v->type == GW_JST_NUMBER ? true : fail(c, "must be a number");
    case K_POS_NUMBER:
        return v->type == GW_JST_NUMBER && !v->num.neg && v->num.ndig
                   ? true
                   : fail(c, "must be a number greater than 0");
    case K_NUMBER_OR_BOOL4:
        return v->type == GW_JST_BOOL ? true : fail(c, "must be a boolean");
    case K_BOOL:
        return v->type == GW_JST_BOOL ? true : fail(c, "must be a boolean");
    case K_STRING:
        return v->type == GW_JST_STRING ? true : fail(c, "must be a string");
    case K_TYPE:
        if (v->type == GW_JST_STRING)
            return type_name(v) ? true : fail(c, "unknown type name");
        if (v->type != GW_JST_ARRAY)
            return fail(c, "must be a type name or an array of them");
        if (d.draft == 4 && v->len == 0)
            return fail(c, "must not be empty");
        for (i = 0; i < v->len; i++) {
            if (!type_name(v->items[i])) {
                push_index(c, i);
                return fail(c, "unknown type name");
            }
        }
        return unique(c, v) ? true : fail(c, "items must be unique");
    case K_ARRAY:
        return v->type == GW_JST_ARRAY ? true : fail(c, "must be an array");
    case K_ENUM4:
        if (v->type != GW_JST_ARRAY || v->len == 0)
            return fail(c, "must be a non-empty array");
        return unique(c, v) ? true : fail(c, "items must be unique");
    case K_STR_ARRAY:
    case K_STR_ARRAY_NE:
        return str_array(c, v, k->t == K_STR_ARRAY_NE);
    case K_REGEX:
        if (v->type != GW_JST_STRING)
            return fail(c, "must be a string");
        return regex_ok(c, v->str, v->len);
    case K_URI_REF:
        return uri_ref(v) ? true : fail(c, "must be a URI reference");
    case K_ID:
        if (!uri_ref(v))
            return fail(c, "must be a URI reference");
        if (d.draft >= 2019) {
            const char *hash = memchr(v->str, '#', v->len);
            if (hash && hash + 1 != v->str + v->len)
                return fail(c, "must not hold a fragment");
        }
        return true;
    case K_ANCHOR:
        return anchor_name(v) ? true : fail(c, "must match ^[A-Za-z_][-A-Za-z0-9._]*$");
    case K_VOCABULARY:
        if (v->type != GW_JST_OBJECT)
            return fail(c, "must be an object");
        for (i = 0; i < v->len; i++) {
            if (v->members[i].val->type != GW_JST_BOOL) {
                push(c, v->members[i].key, v->members[i].klen);
                return fail(c, "must be a boolean");
            }
        }
        return true;
    default:
        return true;
    }
}

static bool schema(struct chk *c, const struct gw_jsonschema_value *v,
                   struct gw_jsonschema_dialect d)
{
    const struct gw_jsonschema_value *sv, *kv;
    size_t len = c->path.len;
    int draft;

    (*c->work)++;
    if (v->type == GW_JST_BOOL && d.draft >= 6)
        return true;
    if (v->type != GW_JST_OBJECT)
        return fail(c, d.draft >= 6 ? "a schema must be an object or a boolean"
                                    : "a schema must be an object");
    /* an embedded resource may name another draft */
    sv = gw_jsonschema_getz(v, "$schema");
    if (sv && sv->type == GW_JST_STRING && c->path.len > 0 &&
        (gw_jsonschema_getz(v, d.draft == 4 ? "id" : "$id") != NULL)) {
        draft = gw_jsonschema_draft_from_uri(sv->str);
        if (draft) {
            d.draft = draft;
            d.vocabs = gw_jsonschema_default_vocabs(draft);
        }
    }
    /* before 2019 the siblings of $ref are not looked at */
    if (d.draft < 2019 && (kv = gw_jsonschema_getz(v, "$ref")) != NULL) {
        push(c, "$ref", 4);
        if (!uri_ref(kv))
            return fail(c, "must be a URI reference");
        pop(c, len);
        return true;
    }
    for (size_t k = 0; k < sizeof(KW) / sizeof(KW[0]); k++) {
        if (d.draft < KW[k].from || d.draft > KW[k].to)
            continue;
        if (d.draft >= 2019 && !(d.vocabs & KW[k].voc) && KW[k].voc != GW_JSV_CORE)
            continue;
        kv = gw_jsonschema_getz(v, KW[k].name);
        if (!kv)
            continue;
        push(c, KW[k].name, strlen(KW[k].name));
        if (!keyword(c, &KW[k], kv, d))
            return false;
        pop(c, len);
    }
    return true;
}

bool gw_jsonschema_check(const struct gw_jsonschema_value *v, struct gw_jsonschema_dialect d,
                         struct cmn_buf *where, struct cmn_buf *why, uint64_t *work)
{
    struct chk c = {where, why, {0}, work};
    bool ok;

    cmn_buf_init(&c.path, 1u << 16);
    ok = schema(&c, v, d);
    cmn_buf_free(&c.path);
    return ok;
}

int gw_jsonschema_draft_from_uri(const char *uri)
{
    static const struct {
        const char *path;
        int draft;
    } D[] = {
        {"json-schema.org/draft-04/schema", 4},
        {"json-schema.org/draft-06/schema", 6},
        {"json-schema.org/draft-07/schema", 7},
        {"json-schema.org/draft/2019-09/schema", 2019},
        {"json-schema.org/draft/2020-12/schema", 2020},
        {"json-schema.org/schema", 2020},
    };
    size_t n;

    if (!strncmp(uri, "http://", 7))
        uri += 7;
    else if (!strncmp(uri, "https://", 8))
        uri += 8;
    else
        return 0;
    n = strlen(uri);
    if (n && uri[n - 1] == '#')
        n--;
    for (size_t k = 0; k < sizeof(D) / sizeof(D[0]); k++)
        if (strlen(D[k].path) == n && !memcmp(D[k].path, uri, n))
            return D[k].draft;
    return 0;
}

unsigned gw_jsonschema_default_vocabs(int draft)
{
    if (draft == 2019)
        return GW_JSV_CORE | GW_JSV_APPLICATOR | GW_JSV_VALIDATION | GW_JSV_METADATA |
               GW_JSV_FORMAT_ANNOTATION | GW_JSV_CONTENT;
    if (draft >= 2020)
        return GW_JSV_CORE | GW_JSV_APPLICATOR | GW_JSV_UNEVALUATED | GW_JSV_VALIDATION |
               GW_JSV_METADATA | GW_JSV_FORMAT_ANNOTATION | GW_JSV_CONTENT;
    return GW_JSV_ALL;
}
