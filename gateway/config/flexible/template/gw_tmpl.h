/* gw_tmpl.h - Go's text/template in C (with sprig's functions and KrakenD's marshal/include):
 * parse template sources into a set, then execute one template of the set on JSON data. */
#ifndef GW_TMPL_H
#define GW_TMPL_H

#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmn_go_tzdb;

enum gw_tmpl_status {
    GW_TMPL_OK = 0,
    GW_TMPL_PARSE, /* the source is not a valid template */
    GW_TMPL_EXEC,  /* execution failed (Go's ExecError) */
    GW_TMPL_LIMIT, /* a cap of struct gw_tmpl_limits was reached */
    GW_TMPL_NOMEM,
};

/* Caps fixed when the set is created; 0 selects the default shown. Every one bounds something a
 * hostile template controls: none of them is reached by a real KrakenD template project. */
struct gw_tmpl_limits {
    size_t max_source;   /* bytes of one template source: 4 MiB */
    size_t max_nodes;    /* parse-tree nodes in the whole set: 1,000,000 */
    int max_nesting;     /* nested {{if}}/{{range}}/... and parentheses in one source: 100 */
    size_t max_output;   /* bytes one execution writes: 32 MiB */
    size_t max_memory;   /* bytes of values one execution creates (data included): 256 MiB */
    uint64_t max_steps;  /* evaluation steps of one execution (actions, calls, iterations): 20 M */
    int max_depth;       /* nested {{template}} calls: 100 (Go allows 100,000) */
    int max_value_depth; /* nesting of values printed, marshalled, copied or merged: 200 */
};

/* What templates may ask of the outside world; any member may be NULL. The engine never reads
 * the environment, files or a random source itself. */
struct gw_tmpl_host {
    void *ctx;
    /* sprig env/expandenv: the variable's value, or NULL when it is unset (both give ""). */
    const char *(*getenv)(void *ctx, const char *name);
    /* KrakenD include: appends the partial's bytes to out and returns true, or returns false
     * when it cannot be read (include then gives "", as KrakenD does). name is not NUL-safe:
     * use name_len. */
    bool (*include)(void *ctx, const char *name, size_t name_len, struct cmn_buf *out);
    /* uuidv4, randAlpha, randInt...: n random bytes into buf; false on failure. */
    bool (*random)(void *ctx, void *buf, size_t n);
    /* now, date, ago...: the wall clock (unix_ms). NULL: those functions fail when called. */
    const struct cmn_clock *clock;
    /* dateInZone, htmlDateInZone: named zones ("Europe/Madrid", time.LoadLocation). NULL: only
     * "UTC" and "Local"; other names fail the call. Borrowed. */
    struct cmn_go_tzdb *zones;
};

struct gw_tmpl_set;

/* A new empty set (owned; gw_tmpl_set_destroy) or NULL on allocation failure. lim may be NULL
 * (all defaults); it is copied. */
struct gw_tmpl_set *gw_tmpl_set_new(const struct gw_tmpl_limits *lim);
void gw_tmpl_set_destroy(struct gw_tmpl_set *s);

/* A function a program adds to the templates of one set (audit's `colored`, `marshal` with the
 * field names of its Go structs). It gets its single argument as encoding/json would marshal it
 * (a string arrives as "\"HIGH\"", a map as an object with sorted keys), appends its result to
 * out and returns true; or writes a reason to why (the template error says "error calling NAME:
 * WHY") and returns false. */
typedef bool (*gw_tmpl_hostfn)(void *ctx, const char *json, size_t len, struct cmn_buf *out,
                               char *why, size_t whysz);

/* Adds (or replaces) such a function before anything is parsed with it; it takes precedence over a
 * built-in of the same name, as template.Funcs does. name is copied; ctx is borrowed. False on
 * allocation failure or after 16 functions. */
bool gw_tmpl_set_func(struct gw_tmpl_set *s, const char *name, gw_tmpl_hostfn fn, void *ctx);

/* Parses len bytes of text as the template `name` plus the templates its {{define}} and
 * {{block}} actions declare, as Go's template.New(name).Parse(text) on a shared set does: a
 * name defined twice in one source is an error; across calls the later definition replaces the
 * earlier one unless its body is empty (only spaces and comments). The text is copied. Errors
 * are Go's (`template: NAME:LINE:COL: ...`, the column added) in err->msg, code GW_TMPL_PARSE
 * (or GW_TMPL_LIMIT/NOMEM); on error the set is left as it was. */
int gw_tmpl_parse(struct gw_tmpl_set *s, const char *name, const char *text, size_t len,
                  struct cmn_err *err);

/* True when the set holds a template of that name. */
bool gw_tmpl_defined(const struct gw_tmpl_set *s, const char *name);

/* Executes the template `name` with data as dot (NULL: no data; JSON numbers become Go
 * float64 values, objects map[string]interface{}, arrays []interface{}), appending the output to
 * out (whose own cap also applies). host may be NULL. Returns GW_TMPL_OK or an error code with
 * Go's message (`template: FILE:LINE:COL: executing "NAME" at <ACTION>: ...`); out then holds
 * the partial output. The set is not modified: one set may be executed from several threads. */
int gw_tmpl_execute(const struct gw_tmpl_set *s, const char *name, const json_t *data,
                    const struct gw_tmpl_host *host, struct cmn_buf *out, struct cmn_err *err);

/* The text parsed under parse_name (the name given to gw_tmpl_parse; the latest one when several
 * were), borrowed from the set, for showing the line an error message names. False if none. */
bool gw_tmpl_source(const struct gw_tmpl_set *s, const char *parse_name, const char **text,
                    size_t *len);

/* The number of template functions (Go built-ins, sprig, marshal, include) and the i-th name
 * (sorted), for documentation and tests. */
size_t gw_tmpl_func_count(void);
const char *gw_tmpl_func_name(size_t i);
/* True when the named function is implemented; false when it exists (parses, as in KrakenD) but
 * calling it is an execution error ("... is not supported by this gateway"), or is unknown. */
bool gw_tmpl_func_supported(const char *name);

#endif
