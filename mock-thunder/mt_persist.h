/* mt_persist.h - the data directory: atomic file replacement (temporary file, fsync, rename,
 * directory fsync), capped reads, and an exclusive lock so two servers never share it. */
#ifndef MT_PERSIST_H
#define MT_PERSIST_H

#include "cmn_err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define MT_FILE_STORE "store.json"
#define MT_FILE_KEYS "signing-keys.json"
#define MT_FILE_TLS_CERT "tls-cert.pem"
#define MT_FILE_TLS_KEY "tls-key.pem"
#define MT_FILE_LOCK ".lock"
#define MT_FILE_MAX (64 * 1024 * 1024)

enum mt_persist_status {
    MT_PERSIST_OK = 0,
    MT_PERSIST_MISSING, /* the file does not exist */
    MT_PERSIST_ERROR,
};

/* Creates dir (and missing parents) with mode 0700 if needed. */
bool mt_persist_mkdir(const char *dir, struct cmn_err *err);
/* Takes an exclusive lock on dir/.lock for the life of the process; returns the descriptor or
 * -1 with err set (another mock-thunder uses the directory). */
int mt_persist_lock(const char *dir, struct cmn_err *err);
/* Removes temporary files a killed writer left behind ("<name>.tmp.<pid>"); call with the lock
 * held. */
void mt_persist_clean(const char *dir);
/* Replaces dir/name with data atomically (mode 0600): readers see the old or the new file,
 * never a mix, even after a crash. */
bool mt_persist_write(const char *dir, const char *name, const void *data, size_t len,
                      struct cmn_err *err);
/* Reads dir/name whole (at most MT_FILE_MAX bytes) into *data (owned, NUL-terminated). */
enum mt_persist_status mt_persist_read(const char *dir, const char *name, char **data, size_t *len,
                                       struct cmn_err *err);
/* Reads and parses a JSON file; errors name the file. */
enum mt_persist_status mt_persist_read_json(const char *dir, const char *name, json_t **out,
                                            struct cmn_err *err);
/* Serialises v (indented, keys in insertion order) and writes it atomically. */
bool mt_persist_write_json(const char *dir, const char *name, const json_t *v, struct cmn_err *err);

#endif
