/* cmn_file.h - reading a whole file with a cap: the one reader behind krakend.json, the tls
 * block's PEM files, a local JWKS, mock-backend's fixtures and mock-thunder's state. */
#ifndef CMN_FILE_H
#define CMN_FILE_H

#include <stddef.h>

enum cmn_file_status {
    CMN_FILE_OK = 0,
    CMN_FILE_MISSING,     /* no such file (ENOENT) */
    CMN_FILE_OPEN,        /* it cannot be opened: *sys_errno says why */
    CMN_FILE_NOT_REGULAR, /* a directory, a device, or (CMN_FILE_NOFOLLOW) a link */
    CMN_FILE_TOO_BIG,     /* more than max bytes */
    CMN_FILE_READ,        /* reading failed: *sys_errno */
    CMN_FILE_NOMEM,
};

#define CMN_FILE_NOFOLLOW 1u /* refuse a symbolic link as the last path component */

/* Reads the whole regular file path, at most max bytes, into *data (owned, NUL-terminated,
 * *len bytes without the NUL). On failure *data is NULL and *sys_errno (may be NULL) holds the
 * errno of the failing call (0 for NOT_REGULAR and TOO_BIG): callers word their own message. */
enum cmn_file_status cmn_file_read(const char *path, size_t max, unsigned flags, char **data,
                                   size_t *len, int *sys_errno);

#endif
