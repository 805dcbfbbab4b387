/* mt_persist.c - atomic, crash-safe files in the data directory. */
#include "mt_persist.h"

#include "cmn_json.h"
#include "cmn_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static bool path_join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    return n > 0 && (size_t)n < size;
}

bool mt_persist_mkdir(const char *dir, struct cmn_err *err)
{
    char p[PATH_MAX];
    size_t n = strlen(dir);

    if (!n || n >= sizeof(p))
        return cmn_err_set(err, 1, "data directory path is empty or too long"), false;
    memcpy(p, dir, n + 1);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return cmn_err_set(err, 1, "cannot create %s: %s", p, strerror(errno)), false;
        *s = '/';
    }
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        return cmn_err_set(err, 1, "cannot create %s: %s", p, strerror(errno)), false;
    return true;
}

int mt_persist_lock(const char *dir, struct cmn_err *err)
{
    char p[PATH_MAX];
    int fd;

    if (!path_join(p, sizeof(p), dir, MT_FILE_LOCK))
        return cmn_err_set(err, 1, "path too long"), -1;
    fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return cmn_err_set(err, 1, "cannot open %s: %s", p, strerror(errno)), -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return cmn_err_set(err, 1, "%s is in use by another mock-thunder (lock %s)", dir, p), -1;
    }
    return fd;
}

void mt_persist_clean(const char *dir)
{
    static const char *const names[] = {MT_FILE_STORE, MT_FILE_KEYS, MT_FILE_TLS_CERT,
                                        MT_FILE_TLS_KEY};
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[PATH_MAX], prefix[64];

    if (!d)
        return;
    while ((e = readdir(d))) {
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            snprintf(prefix, sizeof(prefix), "%s.tmp.", names[i]);
            if (!strncmp(e->d_name, prefix, strlen(prefix)) &&
                path_join(p, sizeof(p), dir, e->d_name))
                unlink(p);
        }
    }
    closedir(d);
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

bool mt_persist_write(const char *dir, const char *name, const void *data, size_t len,
                      struct cmn_err *err)
{
    char final[PATH_MAX], tmp[PATH_MAX + 32];
    int fd, dfd;

    if (!path_join(final, sizeof(final), dir, name))
        return cmn_err_set(err, 1, "path too long"), false;
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", final, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return cmn_err_set(err, 1, "cannot create %s: %s", tmp, strerror(errno)), false;
    if (!write_all(fd, data, len) || fsync(fd) != 0) {
        cmn_err_set(err, 1, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return false;
    }
    close(fd);
    if (rename(tmp, final) != 0) {
        cmn_err_set(err, 1, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
        unlink(tmp);
        return false;
    }
    /* The rename itself must reach the disk too. */
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return true;
}

enum mt_persist_status mt_persist_read(const char *dir, const char *name, char **data, size_t *len,
                                       struct cmn_err *err)
{
    char p[PATH_MAX];
    int e;

    *data = NULL;
    *len = 0;
    if (!path_join(p, sizeof(p), dir, name))
        return cmn_err_set(err, 1, "path too long"), MT_PERSIST_ERROR;
    switch (cmn_file_read(p, MT_FILE_MAX, 0, data, len, &e)) {
    case CMN_FILE_OK:
        return MT_PERSIST_OK;
    case CMN_FILE_MISSING:
        return MT_PERSIST_MISSING;
    case CMN_FILE_NOT_REGULAR:
    case CMN_FILE_TOO_BIG:
        return cmn_err_set(err, 1, "%s is not a regular file of at most %d bytes", p, MT_FILE_MAX),
               MT_PERSIST_ERROR;
    case CMN_FILE_OPEN:
        return cmn_err_set(err, 1, "cannot open %s: %s", p, strerror(e)), MT_PERSIST_ERROR;
    default:
        return cmn_err_set(err, 1, "cannot read %s", p), MT_PERSIST_ERROR;
    }
}

enum mt_persist_status mt_persist_read_json(const char *dir, const char *name, json_t **out,
                                            struct cmn_err *err)
{
    char *data;
    size_t len;
    struct cmn_err je = {0};
    enum mt_persist_status st = mt_persist_read(dir, name, &data, &len, err);

    *out = NULL;
    if (st != MT_PERSIST_OK)
        return st;
    *out = cmn_json_loadb_strict(data, len, MT_FILE_MAX, 64, &je);
    free(data);
    if (!*out)
        return cmn_err_set(err, 1, "%s/%s: %s", dir, name, je.msg), MT_PERSIST_ERROR;
    return MT_PERSIST_OK;
}

bool mt_persist_write_json(const char *dir, const char *name, const json_t *v, struct cmn_err *err)
{
    char *s = json_dumps(v, JSON_INDENT(1));
    bool ok;

    if (!s)
        return cmn_err_set(err, 1, "out of memory"), false;
    ok = mt_persist_write(dir, name, s, strlen(s), err);
    free(s);
    return ok;
}
