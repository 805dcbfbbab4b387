/* gw_log_io.c - the one place gw_logging touches a socket: one frame, one send. */
#include "gw_logship.h"

#include <errno.h>
#include <sys/socket.h>

bool gw_log_send(int fd, const void *frame, size_t n)
{
    const char *p = frame;

    /* a datagram goes out whole or not at all; a stream may take several writes */
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}
