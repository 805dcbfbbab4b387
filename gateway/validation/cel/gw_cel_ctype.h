/* gw_cel_ctype.h - static types of the CEL type checker (cel-go's checker/types.go model). */
#ifndef GW_CEL_CTYPE_H
#define GW_CEL_CTYPE_H

#include "gw_cel_int.h"

enum cel_ck {
    CK_DYN = 0,
    CK_ERROR,
    CK_NULL,
    CK_BOOL,
    CK_INT,
    CK_UINT,
    CK_DOUBLE,
    CK_STRING,
    CK_BYTES,
    CK_TS,
    CK_DUR,
    CK_LIST,  /* a = element */
    CK_MAP,   /* a = key, b = value */
    CK_TYPE,  /* a = the type denoted, or NULL */
    CK_PARAM, /* param = type variable number */
};

struct cel_ctype {
    uint8_t kind;
    uint32_t param;
    const struct cel_ctype *a, *b;
};

/* Shared instances of the parameterless types. */
const struct cel_ctype *cel_ck_prim(enum cel_ck k);
const struct cel_ctype *cel_ck_new(struct gw_cel_arena *a, enum cel_ck k, const struct cel_ctype *x,
                                   const struct cel_ctype *y);
/* "map(string, list(string))": cel-go's type names (after substitution). */
size_t cel_ck_format(const struct cel_ctype *t, char *out, size_t n);

/* ---- unification (gw_cel_unify.c) ---------------------------------------------------------- */
struct cel_undo {
    uint32_t param;
    const struct cel_ctype *old;
};

struct cel_checker {
    struct gw_cel_program *p;
    struct gw_cel_diag *diag;
    enum gw_cel_status status;
    struct gw_cel_arena *a;
    const struct cel_ctype **subst; /* binding of each type parameter, by number */
    uint32_t nparams, cap;
    struct cel_undo *trail; /* bindings made, to undo a failed attempt */
    uint32_t ntrail, captrail;
    const struct cel_ctype *locals[64]; /* comprehension variables, by nesting depth */
};

/* A fresh type parameter. */
const struct cel_ctype *cel_ck_param(struct cel_checker *ck);
bool cel_ck_exact(const struct cel_ctype *x, const struct cel_ctype *y);
const struct cel_ctype *cel_ck_most_general(const struct cel_ctype *x, const struct cel_ctype *y);
/* Is x assignable to y? Binds type parameters on success, leaves them as they were otherwise. */
bool cel_ck_assign(struct cel_checker *ck, const struct cel_ctype *x, const struct cel_ctype *y);
bool cel_ck_assign_list(struct cel_checker *ck, const struct cel_ctype *const *x,
                        const struct cel_ctype *const *y, size_t n);
/* t with bound parameters replaced (unbound ones by dyn when to_dyn). */
const struct cel_ctype *cel_ck_subst(struct cel_checker *ck, const struct cel_ctype *t,
                                     bool to_dyn);

#endif
