/* tu_shared.h - the read-only material beside the checkout (../shared: the guide, KrakenD CE's
 * cases, JOSE vectors). The project carries none of it; tests that need it run only where it
 * exists and report themselves skipped, with the reason, everywhere else (a public clone).
 *
 * A test file splits its cases in two groups and lets tu_run pick one:
 *     return tu_run(argc, argv, own, n_own, shared, n_shared);
 * gw_unit_test(... SHARED_CASES) registers the file twice: <name> runs the own cases,
 * <name>_shared (argument --shared) the cases that read the material, or exits 77 (ctest:
 * skipped) when it is absent. NEEDS_SHARED registers only the second form. */
#ifndef TU_SHARED_H
#define TU_SHARED_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define TU_SKIP 77 /* ctest's SKIP_RETURN_CODE for these tests */

/* The material's directory: $GW_SHARED_DIR when that is set (empty: none), else the one the
 * build was configured with. NULL when it does not exist. */
const char *tu_shared_dir(void);
/* The path of rel under it, written to buf (NUL-terminated); NULL when the material is absent
 * or the path does not fit. */
const char *tu_shared_path(const char *rel, char *buf, size_t n);
/* Reads rel under the material (tu_read_file): owned text, or NULL. */
char *tu_shared_read(const char *rel, size_t *len);
/* Runs the own group, or with --shared the shared group (see above). */
int tu_run(int argc, char **argv, const struct CMUnitTest *own, size_t n_own,
           const struct CMUnitTest *shared, size_t n_shared);

#define TU_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
