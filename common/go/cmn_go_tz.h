/* cmn_go_tz.h - named time zones as Go's time package reads them: TZif data (RFC 8536) with its
 * POSIX TZ footer, looked up as Location.lookup does, and a capped thread-safe cache of zones
 * by name (time.LoadLocation) filled from /usr/share/zoneinfo or any loader. */
#ifndef CMN_GO_TZ_H
#define CMN_GO_TZ_H

#include "cmn_go_time.h"

#include <stddef.h>
#include <stdint.h>

/* ---- one zone ---- */

struct cmn_go_tz;

/* Parses TZif data (versions 1 to 4; the 64-bit block when there is one, and the footer's
 * rule for times after the last transition). Owned zone, or NULL when the data is not TZif or
 * passes the caps (4096 transitions, 256 types). */
struct cmn_go_tz *cmn_go_tz_parse(const unsigned char *data, size_t len);
void cmn_go_tz_destroy(struct cmn_go_tz *z);

/* The zone in effect at unix second t: its offset east of UTC, and its abbreviation ("CEST",
 * "-03") copied into abbr when abbr is not NULL. */
int32_t cmn_go_tz_lookup(const struct cmn_go_tz *z, int64_t t, char abbr[CMN_GO_ZONE_MAX]);

/* ---- zones by name ---- */

/* Reads the TZif data of a zone name the cache has already checked ("Europe/Paris": letters,
 * digits, '_', '-', '+', '.', '/' and no "..", at most 128 bytes). Fills *data (malloc'd; the
 * cache frees it) and *len and returns 0, or returns -1 when there is no such zone. */
typedef int (*cmn_go_tz_loader)(void *ctx, const char *name, unsigned char **data, size_t *len);

struct cmn_go_tzdb;

/* An owned cache filled through loader (ctx is passed to it and freed with ctx_free, which may
 * be NULL, when the cache is destroyed). At most max_zones zones are kept (0: 1024, more than
 * the tz database has); past that a zone is loaded for each lookup. Names found missing are
 * remembered in a ring of 64, so unknown names cost one load each and never crowd out real
 * ones. */
struct cmn_go_tzdb *cmn_go_tzdb_new(cmn_go_tz_loader loader, void *ctx, void (*ctx_free)(void *),
                                    size_t max_zones);

/* The system database: TZif files under dir (NULL: /usr/share/zoneinfo), read when a name is
 * first asked for (1 MiB at most per file). */
struct cmn_go_tzdb *cmn_go_tzdb_new_system(const char *dir);

void cmn_go_tzdb_destroy(struct cmn_go_tzdb *db);

enum cmn_go_tz_status {
    CMN_GO_TZ_OK = 0,
    CMN_GO_TZ_UNKNOWN, /* time.LoadLocation fails: no such zone, a name it refuses, bad data */
};

/* time.LoadLocation(name[0..len)) then Location.lookup(t): the offset east of UTC in *off and
 * the abbreviation in abbr (may be NULL). "" and "UTC" are UTC without loading anything, as in
 * Go; "Local" is a name like any other (the gateway's Local is UTC). Thread-safe. */
enum cmn_go_tz_status cmn_go_tzdb_lookup(struct cmn_go_tzdb *db, const char *name, size_t len,
                                         int64_t t, int32_t *off, char abbr[CMN_GO_ZONE_MAX]);

#endif
