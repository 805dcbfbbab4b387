/* tu_shared.c - finding ../shared, and running the cases that need it only where it is. */
#include "tu_shared.h"

#include "tu_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef GW_SHARED_DIR
#define GW_SHARED_DIR ""
#endif

const char *tu_shared_dir(void)
{
    const char *d = getenv("GW_SHARED_DIR");
    struct stat st;

    if (!d)
        d = GW_SHARED_DIR;
    if (!*d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return d;
}

const char *tu_shared_path(const char *rel, char *buf, size_t n)
{
    const char *d = tu_shared_dir();
    int w;

    if (!d)
        return NULL;
    w = snprintf(buf, n, "%s/%s", d, rel);
    return w < 0 || (size_t)w >= n ? NULL : buf;
}

char *tu_shared_read(const char *rel, size_t *len)
{
    char path[4096];

    return tu_shared_path(rel, path, sizeof(path)) ? tu_read_file(path, len) : NULL;
}

int tu_run(int argc, char **argv, const struct CMUnitTest *own, size_t n_own,
           const struct CMUnitTest *shared, size_t n_shared)
{
    if (argc > 1 && strcmp(argv[1], "--shared") == 0) {
        if (!tu_shared_dir()) {
            const char *env = getenv("GW_SHARED_DIR");
            printf("SKIPPED: %zu cases read the shared test material (KrakenD CE's cases, JOSE "
                   "vectors), which is not here (%s%s); the project does not carry copies.\n",
                   n_shared, env ? "GW_SHARED_DIR=" : "looked in ", env ? env : GW_SHARED_DIR);
            return TU_SKIP;
        }
        return _cmocka_run_group_tests("shared", shared, n_shared, NULL, NULL);
    }
    return _cmocka_run_group_tests("own", own, n_own, NULL, NULL);
}
