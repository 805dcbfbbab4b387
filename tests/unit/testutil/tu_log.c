/* tu_log.c - capturing the process log into a temporary file. */
#include "tu_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *g_file;
static enum cmn_log_level g_level;

void tu_log_capture(enum cmn_log_level min_level)
{
    if (g_file)
        fclose(g_file);
    g_file = tmpfile();
    g_level = min_level;
    if (!g_file)
        abort();
    cmn_log_init("KRAKEND", min_level, fileno(g_file));
}

char *tu_log_take(void)
{
    char *out, line[8192];
    size_t n = 0, cap = 1;

    if (!g_file)
        return strdup("");
    out = calloc(1, 1);
    rewind(g_file);
    while (out && fgets(line, sizeof(line), g_file)) {
        /* "2006/01/02 15:04:05 KRAKEND ...": drop the date and the time */
        const char *p = strlen(line) > 20 ? line + 20 : line;
        size_t l = strlen(p);
        char *grown = realloc(out, cap + l);

        if (!grown) {
            free(out);
            return NULL;
        }
        out = grown;
        memcpy(out + n, p, l + 1);
        n += l;
        cap += l;
    }
    tu_log_capture(g_level);
    return out;
}

void tu_log_stop(void)
{
    cmn_log_init("KRAKEND", CMN_LOG_WARNING, 2);
    if (g_file)
        fclose(g_file);
    g_file = NULL;
}
