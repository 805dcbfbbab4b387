/* gw_fc.h - KrakenD's flexible configuration (FC_ENABLE, FC_SETTINGS, FC_PARTIALS,
 * FC_TEMPLATES, FC_OUT): renders a template project into the configuration text, in the order
 * and with the data krakend-flexibleconfig uses, but reporting the real template error instead
 * of falling back to the raw file. */
#ifndef GW_FC_H
#define GW_FC_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "gw_tmpl.h"

#include <stdbool.h>
#include <stddef.h>

enum gw_fc_status {
    GW_FC_OK = 0,
    GW_FC_SETTINGS,     /* a settings file or a directory could not be loaded */
    GW_FC_PARSE,        /* the configuration template does not parse (or cannot be read) */
    GW_FC_SUBTEMPLATES, /* a file of FC_TEMPLATES does not parse (or cannot be read) */
    GW_FC_EXEC,         /* executing the template failed */
    GW_FC_IO,           /* the temporary file or FC_OUT could not be written */
    GW_FC_LIMIT,        /* a cap was reached (file size, file count, template caps) */
    GW_FC_NOMEM,
};

/* The environment, passed in (the module never calls getenv). Strings may be NULL (= unset). */
struct gw_fc_env {
    const char *enable;    /* FC_ENABLE: on iff non-empty (even "0" or "false") */
    const char *settings;  /* FC_SETTINGS: directory of *.json settings files */
    const char *partials;  /* FC_PARTIALS: base directory of include */
    const char *templates; /* FC_TEMPLATES: directory of *.tmpl sub-templates */
    const char *out;       /* FC_OUT: where the rendered text is written and kept */
    /* sprig's env and expandenv read variables through this (NULL: all unset) */
    const char *(*getenv)(void *ctx, const char *name);
    void *getenv_ctx;
    /* uuidv4, randAlpha...: random bytes (NULL: those functions fail when called) */
    bool (*random)(void *ctx, void *buf, size_t n);
    void *random_ctx;
    /* now, date, ago...: the wall clock (NULL: those functions fail when called) */
    const struct cmn_clock *clock;
    /* dateInZone's named zones (NULL: UTC and Local only); borrowed */
    struct cmn_go_tzdb *zones;
    /* engine caps; NULL: struct gw_tmpl_limits defaults */
    const struct gw_tmpl_limits *limits;
};

/* Fills env from a lookup of FC_ENABLE, FC_SETTINGS, FC_PARTIALS, FC_TEMPLATES and FC_OUT (e.g.
 * a wrapper of getenv in main.c); the same lookup serves sprig's env. The returned strings are
 * borrowed from the lookup. random, clock and zones stay NULL. */
void gw_fc_env_from_lookup(struct gw_fc_env *env, const char *(*lookup)(void *ctx, const char *),
                           void *ctx);

bool gw_fc_enabled(const struct gw_fc_env *env);

/* What a rendering leaves besides the text. */
struct gw_fc_result {
    char path[4096]; /* FC_OUT when it was written, else "" */
    bool kept;       /* FC_OUT was written and stays */
    /* On a template error: the line the error names, with a caret under its column, e.g.
     *     krakend.tmpl:3:12
     *        3 |   "port": {{ eq .service.port 8080 }},
     *          |              ^
     * ("" when the message names no line of a file of the project). */
    char excerpt[1536];
};

/* Renders the template at tmpl_path with the project env describes, appending the text to out
 * (whose cap bounds it) and filling res when not NULL. Reads the settings, sub-template and
 * partial files (each at most 16 MiB, 10,000 entries per directory, 10,000 include calls) and
 * writes FC_OUT when set, in KrakenD's order (spec §1.2). Returns false with err->code an
 * enum gw_fc_status and err->msg the message KrakenD's stage would log, with the real
 * template error, e.g. "Found error while executing template: template: krakend.tmpl:3:12:
 * executing \"krakend.tmpl\" at <...>: ...", and res->excerpt showing that place. It does not
 * check FC_ENABLE. No temporary file is written (KrakenD writes one: docs/flexible-config.md). */
bool gw_fc_render(const char *tmpl_path, const struct gw_fc_env *env, struct cmn_buf *out,
                  struct gw_fc_result *res, struct cmn_err *err);

/* ---- the sans-IO core that gw_fc_render drives (also used by tests and the fuzzer) ---- */

struct gw_fc_project;

/* A new project (owned; gw_fc_project_destroy) or NULL; lim may be NULL. */
struct gw_fc_project *gw_fc_project_new(const struct gw_tmpl_limits *lim);
void gw_fc_project_destroy(struct gw_fc_project *p);

/* Adds a settings file's bytes under its file name ("db.json" becomes .db). Errors (invalid
 * JSON, not an object) are collected, not returned: gw_fc_check_settings reports them all. */
void gw_fc_add_settings(struct gw_fc_project *p, const char *file_name, const char *data,
                        size_t len);
/* Records a loading error under key (a directory path or a file name). */
void gw_fc_add_settings_error(struct gw_fc_project *p, const char *key, const char *text);
/* false with "loading flexible-config settings:\n\t- KEY: ERROR..." (sorted by key). */
bool gw_fc_check_settings(const struct gw_fc_project *p, struct cmn_err *err);

/* Parses the configuration template (named by its base name) or one sub-template. */
bool gw_fc_parse_base(struct gw_fc_project *p, const char *name, const char *text, size_t len,
                      struct cmn_err *err);
bool gw_fc_parse_sub(struct gw_fc_project *p, const char *name, const char *text, size_t len,
                     struct cmn_err *err);
/* Executes the template `name` with the settings as data. */
bool gw_fc_execute(struct gw_fc_project *p, const char *name, const struct gw_tmpl_host *host,
                   struct cmn_buf *out, struct cmn_err *err);

/* When msg names a place "NAME:LINE[:COL]" (Go's "template: NAME:LINE:COL: ...") and NAME is
 * name, writes that line of text with a caret under the column (or the line alone) to out;
 * otherwise out becomes "". */
void gw_fc_excerpt(const char *msg, const char *name, const char *text, size_t len, char *out,
                   size_t outsz);
/* Line `line` (from 1) of text, after a "    NAME:LINE[:COL]" line, with a caret under byte col
 * (from 0; col < 0: no caret); "" when text has no such line. Long lines are cut around col. */
void gw_fc_text_excerpt(const char *name, const char *text, size_t len, long line, long col,
                        char *out, size_t outsz);
/* The same for an execution error, with the text of whichever file of the project it names. */
void gw_fc_exec_excerpt(const struct gw_fc_project *p, const char *msg, char *out, size_t outsz);

/* Go's path.Join(base, name) (slash paths, cleaned; an empty base leaves name as given, cleaned).
 * Writes at most outsz-1 bytes; false if it does not fit. */
bool gw_fc_path_join(const char *base, const char *name, size_t name_len, char *out, size_t outsz);

#endif
