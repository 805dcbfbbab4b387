/* gw_jsonschema_eval.h - state of one validation, shared by gw_jsonschema_validate.c (schemas,
 * applicators, references) and gw_jsonschema_keywords.c (type-specific keywords). */
#ifndef GW_JSONSCHEMA_EVAL_H
#define GW_JSONSCHEMA_EVAL_H

#include "gw_jsonschema_int.h"

/* One step of the instance location: an object key or an array index. */
struct gw_jsonschema_tok {
    const char *key; /* NULL for an index */
    uint32_t len;
    uint32_t index;
};

struct gw_jsonschema_errlist {
    struct gw_jsonschema_error *head, *tail;
    uint32_t n; /* errors, counting those past the cap that are not kept */
};

struct gw_jsonschema_vctx {
    const struct gw_jsonschema *s;
    struct gw_jsonschema_arena a;
    uint64_t work;
    int depth;
    size_t n_errors;
    bool first_only;
    enum gw_jsonschema_status abort; /* LIMIT or NOMEM: unwind */
    const char *abort_msg;
    struct gw_jsonschema_matcher *m;
    struct gw_jsonschema_tok *path;
    size_t path_n, path_cap;
    struct cmn_buf tmp;
    struct gw_jsonschema_error dropped; /* stands for errors past max_errors */
};

/* The schemas being evaluated, innermost first: the dynamic scope, and the cycle check. */
struct gw_jsonschema_frame {
    const struct gw_jsonschema_frame *parent;
    const struct gw_jsonschema_node *n;
    uint32_t vid; /* the instance value's depth: frames on one value share it */
    bool quiet;   /* only valid or not is wanted: no error records */
};

/* Evaluated object members or array items of one instance value (bit per index). */
struct gw_jsonschema_ann {
    uint64_t *bits;
    uint32_t n;
};

/* Evaluates node on v; true when valid. Invalid and not quiet: *err is the schema's error (one, or
 * a group). ann, when given, receives the evaluated members or items if valid. ref_kw names the
 * keyword when the schema is entered through a reference. */
bool gw_jsonschema_eval(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *parent,
                        const struct gw_jsonschema_node *n, const struct gw_jsonschema_value *v,
                        uint32_t vid, bool quiet, bool via_ref, struct gw_jsonschema_ann *ann,
                        struct gw_jsonschema_error **err);
/* Evaluates a child value (member key or item index) with the path extended. */
bool gw_jsonschema_eval_child(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                              const struct gw_jsonschema_node *n,
                              const struct gw_jsonschema_value *v, const char *key, uint32_t klen,
                              uint32_t index, struct gw_jsonschema_error **err);

/* A new error at the current location (NULL msg: a group or reference "validation failed"). */
struct gw_jsonschema_error *gw_jsonschema_err_new(struct gw_jsonschema_vctx *c, uint8_t kind,
                                                  const char *msg);
/* The same with the message in c->tmp. */
struct gw_jsonschema_error *gw_jsonschema_err_tmp(struct gw_jsonschema_vctx *c);
void gw_jsonschema_errlist_add(struct gw_jsonschema_vctx *c, struct gw_jsonschema_errlist *l,
                               struct gw_jsonschema_error *e);
/* e gets the causes in l. */
void gw_jsonschema_err_causes(struct gw_jsonschema_vctx *c, struct gw_jsonschema_error *e,
                              const struct gw_jsonschema_errlist *l);
/* Charges work; false (and c->abort) past the cap. */
bool gw_jsonschema_charge(struct gw_jsonschema_vctx *c, uint64_t units);
void gw_jsonschema_abort(struct gw_jsonschema_vctx *c, enum gw_jsonschema_status st,
                         const char *msg);
/* Zeroed bits for n indexes, or NULL (c->abort set). */
bool gw_jsonschema_ann_init(struct gw_jsonschema_vctx *c, struct gw_jsonschema_ann *a, uint32_t n);
void gw_jsonschema_ann_merge(struct gw_jsonschema_ann *into, const struct gw_jsonschema_ann *from);

static inline void gw_jsonschema_ann_set(struct gw_jsonschema_ann *a, uint32_t i)
{
    if (a && a->bits)
        a->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

static inline bool gw_jsonschema_ann_has(const struct gw_jsonschema_ann *a, uint32_t i)
{
    return (a->bits[i / 64] >> (i % 64)) & 1;
}

/* Type-specific keywords (gw_jsonschema_keywords.c): they add errors to l and marks to ann. */
void gw_jsonschema_kw_object(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                             const struct gw_jsonschema_value *v, struct gw_jsonschema_ann *ann,
                             struct gw_jsonschema_errlist *l);
void gw_jsonschema_kw_array(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                            const struct gw_jsonschema_value *v, struct gw_jsonschema_ann *ann,
                            struct gw_jsonschema_errlist *l);
void gw_jsonschema_kw_string(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                             const struct gw_jsonschema_value *v, struct gw_jsonschema_errlist *l);
void gw_jsonschema_kw_number(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                             const struct gw_jsonschema_value *v, struct gw_jsonschema_errlist *l);
/* unevaluatedProperties / unevaluatedItems of f's schema, against the marks in ann. */
void gw_jsonschema_kw_uneval(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                             const struct gw_jsonschema_value *v, struct gw_jsonschema_ann *ann,
                             struct gw_jsonschema_errlist *l);

/* Whether the schema of f stops at its first error (quiet, or first-error output). */
static inline bool gw_jsonschema_stop(const struct gw_jsonschema_vctx *c,
                                      const struct gw_jsonschema_frame *f,
                                      const struct gw_jsonschema_errlist *l)
{
    return l->n > 0 && (f->quiet || c->first_only);
}

#endif
