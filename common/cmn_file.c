/* cmn_file.c - whole-file reads with a cap. */
#include "cmn_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum cmn_file_status cmn_file_read(const char *path, size_t max, unsigned flags, char **data,
                                   size_t *len, int *sys_errno)
{
    int fd, e = 0;
    struct stat st;
    enum cmn_file_status status = CMN_FILE_OK;
    char *buf = NULL;
    size_t got = 0, cap;

    *data = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | (flags & CMN_FILE_NOFOLLOW ? O_NOFOLLOW : 0));
    if (fd < 0) {
        e = errno;
        status = e == ENOENT ? CMN_FILE_MISSING : e == ELOOP ? CMN_FILE_NOT_REGULAR : CMN_FILE_OPEN;
        goto out;
    }
    if (fstat(fd, &st) != 0) {
        e = errno;
        status = CMN_FILE_OPEN;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        status = CMN_FILE_NOT_REGULAR;
        goto out;
    }
    /* the size is a hint (the file may change while it is read): the cap is what counts */
    cap = (size_t)st.st_size < max ? (size_t)st.st_size : max;
    buf = malloc(cap + 2);
    if (!buf) {
        status = CMN_FILE_NOMEM;
        goto out;
    }
    for (;;) {
        ssize_t r;
        if (got == cap + 1) { /* room for one byte over the cap, to see it */
            if (got > max) {
                status = CMN_FILE_TOO_BIG;
                goto out;
            }
            size_t ncap = cap * 2 + 4096 < max ? cap * 2 + 4096 : max;
            char *p = realloc(buf, ncap + 2);
            if (!p) {
                status = CMN_FILE_NOMEM;
                goto out;
            }
            buf = p;
            cap = ncap;
        }
        r = read(fd, buf + got, cap + 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            e = errno;
            status = CMN_FILE_READ;
            goto out;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got > max) {
        status = CMN_FILE_TOO_BIG;
        goto out;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    buf = NULL;
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    if (sys_errno)
        *sys_errno = e;
    return status;
}
