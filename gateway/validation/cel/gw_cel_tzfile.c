/* gw_cel_tzfile.c - the file-reading front end of the time zone cache: TZif files under a
 * zoneinfo directory, names checked so that no path leaves it. */
#include "gw_cel_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZFILE_MAX ((size_t)1 << 20)
#define TZDIR_DEFAULT "/usr/share/zoneinfo"

/* Zone names as the tz database spells them: "Europe/Paris", "Etc/GMT+3", "US/Central". */
static bool safe_name(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > 128 || name[0] == '/' || name[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '+' || c == '/' || c == '.';
        if (!ok || (c == '/' && (name[i + 1] == '/' || name[i + 1] == '.')))
            return false;
    }
    return strstr(name, "..") == NULL;
}

static int file_loader(void *ctx, const char *name, unsigned char **data, size_t *len)
{
    const char *dir = ctx;
    char path[1024];
    unsigned char *buf = NULL;
    size_t n = 0;
    FILE *f = NULL;
    int rc = -1;

    if (!safe_name(name) ||
        (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
        goto out;
    f = fopen(path, "rb");
    buf = malloc(TZFILE_MAX);
    if (!f || !buf)
        goto out;
    n = fread(buf, 1, TZFILE_MAX, f);
    if (n == 0 || n == TZFILE_MAX || ferror(f))
        goto out;
    *data = buf;
    *len = n;
    buf = NULL;
    rc = 0;
out:
    if (f)
        fclose(f);
    free(buf);
    return rc;
}

struct gw_cel_tzdb *gw_cel_tzdb_new_system(const char *dir)
{
    char *copy = strdup(dir ? dir : TZDIR_DEFAULT);
    struct gw_cel_tzdb *db = copy ? gw_cel_tzdb_new(file_loader, copy, 0) : NULL;

    if (!db) {
        free(copy);
        return NULL;
    }
    cel_tzdb_set_ctx_free(db, free);
    return db;
}
