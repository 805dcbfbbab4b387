/* cmn_go_tzdb.c - time.LoadLocation's side of named zones: a capped, thread-safe cache of
 * parsed zones by name, filled through a loader (TZif files under a zoneinfo directory, names
 * checked so that no path leaves it). Ported from the CEL branch's gw_cel_tz.c/gw_cel_tzfile.c. */
#include "cmn_go_tz.h"

#include "cmn_file.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_NAME_MAX 128
#define TZ_DEFAULT_ZONES 1024
#define TZ_MISSES 64
#define TZFILE_MAX ((size_t)1 << 20)
#define TZDIR_DEFAULT "/usr/share/zoneinfo"

struct hit {
    char name[TZ_NAME_MAX + 1];
    struct cmn_go_tz *zone;
};

struct cmn_go_tzdb {
    pthread_mutex_t lock;
    cmn_go_tz_loader loader;
    void *ctx;
    void (*ctx_free)(void *);
    struct hit *hits;
    size_t n, max;
    char misses[TZ_MISSES][TZ_NAME_MAX + 1]; /* a ring: the oldest miss is forgotten first */
    size_t next_miss;
};

/* Zone names as the tz database spells them: "Europe/Paris", "Etc/GMT+3", "US/Central"; never
 * absolute, never "..": a name cannot leave the directory (Go refuses the same ones). */
static bool safe_name(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > TZ_NAME_MAX || name[0] == '/' || name[0] == '.')
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

struct cmn_go_tzdb *cmn_go_tzdb_new(cmn_go_tz_loader loader, void *ctx, void (*ctx_free)(void *),
                                    size_t max_zones)
{
    struct cmn_go_tzdb *db = calloc(1, sizeof(*db));

    if (!db)
        return NULL;
    db->max = max_zones ? max_zones : TZ_DEFAULT_ZONES;
    db->hits = calloc(db->max, sizeof(*db->hits));
    if (!db->hits || pthread_mutex_init(&db->lock, NULL) != 0) {
        free(db->hits);
        free(db);
        return NULL;
    }
    db->loader = loader;
    db->ctx = ctx;
    db->ctx_free = ctx_free;
    return db;
}

void cmn_go_tzdb_destroy(struct cmn_go_tzdb *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->n; i++)
        cmn_go_tz_destroy(db->hits[i].zone);
    if (db->ctx_free)
        db->ctx_free(db->ctx);
    pthread_mutex_destroy(&db->lock);
    free(db->hits);
    free(db);
}

static struct cmn_go_tz *load(struct cmn_go_tzdb *db, const char *name)
{
    unsigned char *data = NULL;
    size_t len = 0;
    struct cmn_go_tz *z = NULL;

    if (db->loader && db->loader(db->ctx, name, &data, &len) == 0) {
        z = cmn_go_tz_parse(data, len);
        free(data);
    }
    return z;
}

enum cmn_go_tz_status cmn_go_tzdb_lookup(struct cmn_go_tzdb *db, const char *name, size_t len,
                                         int64_t t, int32_t *off, char abbr[CMN_GO_ZONE_MAX])
{
    char key[TZ_NAME_MAX + 1];
    struct cmn_go_tz *z = NULL, *uncached = NULL;
    enum cmn_go_tz_status st = CMN_GO_TZ_UNKNOWN;

    if (len == 0 || (len == 3 && memcmp(name, "UTC", 3) == 0)) {
        *off = 0;
        if (abbr)
            memcpy(abbr, "UTC", 4);
        return CMN_GO_TZ_OK;
    }
    if (!db || len > TZ_NAME_MAX || memchr(name, '\0', len))
        return CMN_GO_TZ_UNKNOWN;
    memcpy(key, name, len);
    key[len] = '\0';
    if (!safe_name(key))
        return CMN_GO_TZ_UNKNOWN;
    pthread_mutex_lock(&db->lock);
    for (size_t i = 0; i < db->n && !z; i++)
        if (strcmp(db->hits[i].name, key) == 0)
            z = db->hits[i].zone;
    if (!z) {
        for (size_t i = 0; i < TZ_MISSES; i++)
            if (strcmp(db->misses[i], key) == 0)
                goto out;
        z = load(db, key);
        if (!z) {
            memcpy(db->misses[db->next_miss], key, len + 1);
            db->next_miss = (db->next_miss + 1) % TZ_MISSES;
            goto out;
        }
        if (db->n < db->max) {
            memcpy(db->hits[db->n].name, key, len + 1);
            db->hits[db->n++].zone = z;
        } else {
            uncached = z; /* the cache is full: used for this lookup, then freed */
        }
    }
    *off = cmn_go_tz_lookup(z, t, abbr);
    st = CMN_GO_TZ_OK;
out:
    pthread_mutex_unlock(&db->lock);
    cmn_go_tz_destroy(uncached);
    return st;
}

/* ---- the system database ---- */

static int file_loader(void *ctx, const char *name, unsigned char **data, size_t *len)
{
    const char *dir = ctx;
    char path[1024], *buf = NULL;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
        return -1;
    if (cmn_file_read(path, TZFILE_MAX, 0, &buf, len, NULL) != CMN_FILE_OK)
        return -1;
    *data = (unsigned char *)buf;
    return 0;
}

struct cmn_go_tzdb *cmn_go_tzdb_new_system(const char *dir)
{
    char *copy = strdup(dir ? dir : TZDIR_DEFAULT);
    struct cmn_go_tzdb *db = copy ? cmn_go_tzdb_new(file_loader, copy, free, 0) : NULL;

    if (!db)
        free(copy);
    return db;
}
