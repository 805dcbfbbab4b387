/* tmpl_testutil.h - helpers the template tests share: run a template on JSON data and compare
 * the output or the error. */
#ifndef TMPL_TESTUTIL_H
#define TMPL_TESTUTIL_H

#include "gw_tmpl.h"

#include <stdbool.h>
#include <stddef.h>

/* One table row: a template, its data (JSON text or NULL), and either the expected output
 * (err == NULL) or a text the error message must contain. */
struct tcase {
    const char *name;
    const char *tmpl;
    const char *data;
    const char *out;
    const char *err;
};

/* Parses tmpl as template "t" and executes it with data (JSON, NULL: no data). Returns the
 * status; *out gets the output (owned, free it), errbuf the message. */
int tt_run(const char *tmpl, const char *data, char **out, char *errbuf, size_t errsz);
/* As tt_run with custom limits and host. */
int tt_run_ex(const char *tmpl, const char *data, const struct gw_tmpl_limits *lim,
              const struct gw_tmpl_host *host, char **out, char *errbuf, size_t errsz);
/* Runs each row and reports every mismatch (name, template, expected, got); returns the number
 * of failures. */
int tt_check_table(const struct tcase *cases, size_t n);
/* A host whose random source is a counter (deterministic), whose environment holds FOO=bar,
 * EMPTY= and PATHY=/x/y, and whose clock stands at 2023-11-14T22:13:20.123Z. */
const struct gw_tmpl_host *tt_host(void);

#endif
