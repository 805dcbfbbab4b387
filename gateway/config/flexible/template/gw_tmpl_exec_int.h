/* gw_tmpl_exec_int.h - what the two halves of the executor (walking the tree, calling functions)
 * share: an evaluated value with its static boxing, and the mutually recursive evaluators. */
#ifndef GW_TMPL_EXEC_INT_H
#define GW_TMPL_EXEC_INT_H

#include "gw_tmpl_int.h"

/* A value and whether Go holds it in an interface{} (an element of []interface{} or
 * map[string]interface{}): that changes only the type named in field-access errors and lets a
 * JSON null be a "nil interface" rather than a missing value. v == NULL: an error was set. */
struct ev {
    struct tv *v;
    bool boxed;
};

#define EV_ERR ((struct ev){NULL, false})

/* gw_tmpl_exec.c */
struct tv *texec_pipeline(struct texec *x, struct ev dot, const struct node *pipe);
struct ev texec_field_chain(struct texec *x, struct ev dot, struct ev recv, const struct node *n,
                            const struct tstr *ids, size_t nids, struct node *const *args,
                            size_t nargs, struct tv *final);
struct ev texec_chain(struct texec *x, struct ev dot, const struct node *chain,
                      struct node *const *args, size_t nargs, struct tv *final);
struct ev texec_variable(struct texec *x, struct ev dot, const struct node *var,
                         struct node *const *args, size_t nargs, struct tv *final);
bool texec_not_a_function(struct texec *x, struct node *const *args, size_t nargs,
                          struct tv *final);

/* gw_tmpl_call.c */
/* final == NULL: no value piped in (Go's missingVal). args[0] is the function's own node. */
struct ev texec_function(struct texec *x, struct ev dot, const struct node *ident,
                         const struct node *cmd, struct node *const *args, size_t nargs,
                         struct tv *final);
struct tv *texec_ideal_constant(struct texec *x, const struct node *n);

#endif
