/* test_cmn_file.c - the capped whole-file reader: exact cap, one byte over, missing files,
 * directories, links refused on request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmn_file.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cmn_file.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc('a' + (int)(i % 26), f);
    fclose(f);
}

static void caps_and_errors(void **state)
{
    char path[128], link_path[128], *data;
    size_t len;
    int e;

    (void)state;
    snprintf(path, sizeof(path), "%s/f", dir);
    for (size_t n = 0; n <= 70000; n += n < 10 ? 1 : 9999) {
        write_file(path, n);
        assert_int_equal(cmn_file_read(path, n, 0, &data, &len, &e), CMN_FILE_OK);
        assert_int_equal(len, n);
        assert_int_equal(strlen(data), n);
        free(data);
        if (n > 0) {
            assert_int_equal(cmn_file_read(path, n - 1, 0, &data, &len, &e), CMN_FILE_TOO_BIG);
            assert_null(data);
        }
    }
    snprintf(path, sizeof(path), "%s/missing", dir);
    assert_int_equal(cmn_file_read(path, 10, 0, &data, &len, &e), CMN_FILE_MISSING);
    assert_int_equal(e, ENOENT);
    assert_int_equal(cmn_file_read(dir, 10, 0, &data, &len, &e), CMN_FILE_NOT_REGULAR);
    snprintf(path, sizeof(path), "%s/f", dir);
    snprintf(link_path, sizeof(link_path), "%s/l", dir);
    assert_int_equal(symlink(path, link_path), 0);
    assert_int_equal(cmn_file_read(link_path, 1 << 20, 0, &data, &len, &e), CMN_FILE_OK);
    free(data);
    assert_int_equal(cmn_file_read(link_path, 1 << 20, CMN_FILE_NOFOLLOW, &data, &len, &e),
                     CMN_FILE_NOT_REGULAR);
    chmod(path, 0);
    if (geteuid() != 0) /* root reads anything */
        assert_int_equal(cmn_file_read(path, 1 << 20, 0, &data, &len, &e), CMN_FILE_OPEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(caps_and_errors, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
