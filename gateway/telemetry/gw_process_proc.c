/* gw_process_proc.c - the real /proc reader behind gw_process (IO lives here only). */
#include "gw_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

static long read_file(void *ctx, const char *name, char *buf, size_t cap)
{
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    size_t got = 0;

    (void)ctx;
    if (fd < 0)
        return -1;
    while (got < cap) {
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0) {
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    return (long)got;
}

static long count_fds(void *ctx)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    long n = 0;

    (void)ctx;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    /* the directory's own descriptor is counted, as procfs counts it */
    return n;
}

static struct gw_process_reader reader = {read_file, count_fds, 0, NULL};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_reader(void)
{
    reader.page_size = sysconf(_SC_PAGESIZE);
}

const struct gw_process_reader *gw_process_proc_reader(void)
{
    pthread_once(&once, init_reader);
    return &reader;
}
