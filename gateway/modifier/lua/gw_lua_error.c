/* gw_lua_error.c - a Lua error as krakend-lua reports it (../shared/spec/
 * krakend-config-transform.md §4.6): the message, then " (<file>:L<n>)" naming the source file
 * (by base name) and its own line, or "pre-script"/"post-script" for the inline code. KrakenD
 * attributes errors in pre/post to the source files when there are any (its chunks all share
 * one name); here each chunk knows its own, so the attribution is right (spec §7). */
#include "gw_lua_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gw_lua_error_free(struct gw_lua_error *e)
{
    if (!e)
        return;
    free(e->msg);
    free(e->content_type);
    memset(e, 0, sizeof(*e));
}

void gw_lua_error_to_perr(struct gw_lua_error *e, struct gw_perr *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = e->status ? GW_PERR_STATUS : GW_PERR_PLAIN;
    out->status = e->status;
    out->msg = e->msg ? e->msg : strdup("lua: error");
    out->enc = e->content_type;
    e->msg = NULL;
    e->content_type = NULL;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');

    return s ? s + 1 : p;
}

/* "name:LINE: " at the start of raw for one of our chunk names: its length and the line. */
static size_t position(const char *raw, size_t len, const char *name, long *line)
{
    size_t nl = strlen(name), i;
    long v = 0;

    if (len <= nl + 2 || memcmp(raw, name, nl) != 0 || raw[nl] != ':')
        return 0;
    for (i = nl + 1; i < len && raw[i] >= '0' && raw[i] <= '9' && v < 100000000; i++)
        v = v * 10 + (raw[i] - '0');
    if (i == nl + 1 || i + 1 >= len || raw[i] != ':' || raw[i + 1] != ' ')
        return 0;
    *line = v;
    return i + 2;
}

char *gw_lua_error_text(const struct gw_lua_block *b, enum gw_lua_chunk which, const char *raw,
                        size_t len)
{
    static const char *const names[] = {"sources", "pre", "post"};
    size_t skip = 0, out_len;
    long line = 0;
    int chunk = -1;
    char where[512] = "";
    char *out;

    (void)which;
    for (int c = 0; c < 3 && !skip; c++) {
        skip = position(raw, len, names[c], &line);
        if (skip)
            chunk = c;
    }
    if (chunk == GW_LUA_PRE || chunk == GW_LUA_POST) {
        snprintf(where, sizeof(where), " (%s-script:L%ld)", chunk == GW_LUA_PRE ? "pre" : "post",
                 line);
    } else if (chunk == GW_LUA_SOURCES && !b->live) {
        /* the sources ran as one chunk, joined by "\n": the file the line falls in, counted as
         * KrakenD's source map counts (each file's lines without its leading and trailing
         * newlines). With live the files are read per run: the message alone. */
        long count = 0;
        for (size_t i = 0; i < b->n_sources; i++) {
            long lines = (long)(b->sources[i].lines ? b->sources[i].lines : 1);
            count += lines;
            if (count >= line) {
                snprintf(where, sizeof(where), " (%s:L%ld)", base_name(b->sources[i].path),
                         lines - (count - line));
                break;
            }
        }
    }
    out_len = len - skip + strlen(where);
    out = malloc(out_len + 1);
    if (!out)
        return NULL;
    memcpy(out, raw + skip, len - skip);
    memcpy(out + len - skip, where, strlen(where) + 1);
    return out;
}
