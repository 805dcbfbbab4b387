/* gw_schema.h - the rules of KrakenD v2.13's configuration schema, written as data
 * (krakend-v2.13.rules): `check --lint` validates a whole configuration against them, and the
 * configuration parser asks them which namespaces exist, which are security features, which
 * options a namespace has, and what a misspelt name most likely meant. */
#ifndef GW_SCHEMA_H
#define GW_SCHEMA_H

#include "cmn_err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Where an extra_config sits (bit values, combined in gw_schema_ns_info.levels). */
enum gw_schema_level {
    GW_SCHEMA_SERVICE = 1,
    GW_SCHEMA_ENDPOINT = 2,
    GW_SCHEMA_BACKEND = 4,
    GW_SCHEMA_ASYNC_AGENT = 8,
};

struct gw_schema;

/* The rules built into the gateway, parsed: owned (gw_schema_destroy). NULL with err when out of
 * memory (the built-in rules always parse: a unit test holds them to it). */
struct gw_schema *gw_schema_builtin(struct cmn_err *err);
/* Rules from text (the grammar is at the top of krakend-v2.13.rules). NULL with err naming the
 * line on a syntax error or a reference to an object that is not defined. */
struct gw_schema *gw_schema_parse(const char *text, size_t len, struct cmn_err *err);
void gw_schema_destroy(struct gw_schema *s);

/* ---- namespaces ---- */

struct gw_schema_ns_info {
    const char *name;  /* the short name ("auth/validator"); borrowed from the schema */
    const char *alias; /* the long name run also accepts, or NULL */
    unsigned levels;   /* enum gw_schema_level bits where KrakenD's schema allows it */
    bool security;     /* a feature that protects endpoints: misspelling it is loud */
    bool checked;      /* its options are in the rules */
};

/* Looks a namespace up by its short or its long name; false when KrakenD does not know it. */
bool gw_schema_namespace(const struct gw_schema *s, const char *name,
                         struct gw_schema_ns_info *out);
/* The known namespace (short or long name) a misspelt name most likely meant, or NULL; borrowed.
 * A name that only differs from a long name in "github_com"/"github.com" finds that long name. */
const char *gw_schema_suggest_namespace(const struct gw_schema *s, const char *name);
/* The level's name as messages say it: "the service", "an endpoint", "a backend",
 * "an async agent"; and the levels of a bit set joined ("the service or an endpoint"). */
const char *gw_schema_level_name(unsigned level);
void gw_schema_levels_text(unsigned levels, char *out, size_t outsz);

/* Calls cb for each member of value that the namespace's options at that level do not have
 * (comment keys @ $ _ # excepted), with the option it most likely meant or NULL, or with the
 * current name of a KrakenD 1 option (renamed). Nothing when the namespace is unknown, its
 * options are not checked or value is not an object. */
typedef void (*gw_schema_unknown_cb)(void *ctx, const char *key, const char *suggestion,
                                     bool renamed);
void gw_schema_unknown_options(const struct gw_schema *s, const char *ns, unsigned level,
                               const json_t *value, gw_schema_unknown_cb cb, void *ctx);

/* ---- lint ---- */

#define GW_LINT_MAX_ISSUES 1000

struct gw_lint_issue {
    char pointer[256]; /* JSON pointer of the instance, as KrakenD prints it: /endpoints/0 */
    int line;          /* 1-based line in the text, 0 when not found */
    char msg[448];     /* "additional properties 'x' not allowed; did you mean 'y'?" */
};

struct gw_lint_report {
    struct gw_lint_issue *items; /* owned; in document order */
    size_t n;
    size_t dropped; /* issues past GW_LINT_MAX_ISSUES */
};

/* Validates a configuration text against the rules: unknown keys at every level and in every
 * namespace whose options the rules have, namespaces at a level where they are not allowed,
 * wrong types, values out of range or not among the allowed ones, missing required keys.
 * Appends the issues to rep (cleared first). Returns false with err when the text is not JSON
 * (the message names line and column) or out of memory; true otherwise (rep->n == 0: valid). */
bool gw_schema_lint(const struct gw_schema *s, const char *text, size_t len,
                    struct gw_lint_report *rep, struct cmn_err *err);
void gw_lint_report_free(struct gw_lint_report *rep);

#endif
