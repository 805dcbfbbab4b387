/* tu_file.h - file helpers shared by the unit tests. */
#ifndef TU_FILE_H
#define TU_FILE_H

#include <stddef.h>

/* Reads a whole file: owned, NUL-terminated text (free it), its size in *len when len is not
 * NULL; NULL when the file cannot be read. */
char *tu_read_file(const char *path, size_t *len);

#endif
