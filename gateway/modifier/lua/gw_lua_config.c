/* gw_lua_config.c - a Lua block's options as krakend-lua's Parse reads them
 * (../shared/spec/krakend-config-transform.md §4.2): sources read once (or on every run with
 * live), md5 checked at start, only literal `true` booleans counting. */
#include "gw_lua_int.h"

#include "cmn_file.h"
#include "cmn_log.h"
#include "cmn_str.h"

#include <nettle/md5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_true(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

static char *dup_string(const json_t *o, const char *key, size_t *len)
{
    const json_t *v = json_object_get(o, key);

    *len = 0;
    if (!json_is_string(v))
        return strdup("");
    *len = json_string_length(v);
    return cmn_strndup(json_string_value(v), *len);
}

/* KrakenD's source map counts a source's lines after trimming newlines at both ends. */
static size_t count_lines(const char *s, size_t n)
{
    size_t lines = 1;

    while (n && *s == '\n') {
        s++;
        n--;
    }
    while (n && s[n - 1] == '\n')
        n--;
    for (size_t i = 0; i < n; i++)
        lines += s[i] == '\n';
    return lines;
}

static void md5_hex(const char *s, size_t n, char out[33])
{
    struct md5_ctx c;
    uint8_t d[MD5_DIGEST_SIZE];

    md5_init(&c);
    md5_update(&c, n, (const uint8_t *)s);
    md5_digest(&c, sizeof(d), d);
    for (size_t i = 0; i < sizeof(d); i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* md5: every listed path against the loaded text (an unread or unlisted source counts as
 * empty). false: the block is disabled (DEBUG log, as KrakenD). */
static bool checksums_ok(const struct gw_lua_block *b, const json_t *md5)
{
    const char *path;
    const json_t *want;

    json_object_foreach((json_t *)(uintptr_t)md5, path, want)
    {
        const char *text = "";
        size_t len = 0;
        char have[33];
        if (!json_is_string(want)) {
            cmn_log_debug("%s lua: wrong cheksum type for source %s", b->log_prefix, path);
            return false;
        }
        for (size_t i = 0; i < b->n_sources; i++) {
            if (strcmp(b->sources[i].path, path) == 0 && b->sources[i].text) {
                text = b->sources[i].text;
                len = b->sources[i].len;
                break;
            }
        }
        md5_hex(text, len, have);
        if (strcmp(have, json_string_value(want)) != 0) {
            cmn_log_debug("%s lua: wrong cheksum for source %s. have: %s, want: %s", b->log_prefix,
                          path, have, json_string_value(want));
            return false;
        }
    }
    return true;
}

static bool read_source(struct gw_lua_block *b, struct gw_lua_source *s)
{
    char *data = NULL;
    size_t len = 0;
    int sys = 0;
    enum cmn_file_status st = cmn_file_read(s->path, GW_LUA_SOURCE_MAX, 0, &data, &len, &sys);

    if (st == CMN_FILE_NOMEM)
        return false;
    if (st != CMN_FILE_OK) {
        /* KrakenD logs it and fails every request with "unable to load required source" */
        cmn_log_error("[Lua] Opening the source file: open %s: %s", s->path,
                      st == CMN_FILE_MISSING   ? "no such file or directory"
                      : st == CMN_FILE_TOO_BIG ? "file too big"
                      : sys                    ? strerror(sys)
                                               : "not a regular file");
        if (!b->missing)
            b->missing = s->path;
        return true;
    }
    s->text = data;
    s->len = len;
    s->lines = count_lines(data, len);
    return true;
}

static void warn_ignored(const struct gw_lua_block *b, const json_t *ns)
{
    static const char *const known[] = {"sources", "pre",       "post",           "live",
                                        "md5",     "skip_next", "allow_open_libs"};
    const char *key;
    const json_t *v;

    json_object_foreach((json_t *)(uintptr_t)ns, key, v)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            ok = ok || strcmp(key, known[i]) == 0;
        if (!ok)
            cmn_log_warn("%s option %s is not a Lua option: ignored", b->log_prefix, key);
    }
    if (b->level <= GW_LUA_ENDPOINT) {
        if (json_object_get(ns, "post"))
            cmn_log_warn("%s option post is ignored: modifier/lua-endpoint runs only pre",
                         b->log_prefix);
        if (json_object_get(ns, "skip_next"))
            cmn_log_warn("%s option skip_next is ignored: modifier/lua-endpoint runs only pre",
                         b->log_prefix);
    }
    if (b->live && json_object_get(ns, "md5"))
        cmn_log_warn("%s option md5 is not checked with live: true (sources are read on every "
                     "request), as in KrakenD",
                     b->log_prefix);
}

static char *log_prefix(enum gw_lua_level level, const char *where)
{
    char buf[1024];

    if (level == GW_LUA_SERVICE)
        snprintf(buf, sizeof(buf), "[SERVICE: Gin][Lua]");
    else if (level == GW_LUA_BACKEND)
        snprintf(buf, sizeof(buf), "[BACKEND: %s][Lua]", where ? where : "");
    else
        snprintf(buf, sizeof(buf), "[ENDPOINT: %s][Lua]", where ? where : "");
    return strdup(buf);
}

struct gw_lua_block *gw_lua_block_new(const json_t *ns, enum gw_lua_level level, const char *where,
                                      struct cmn_err *err)
{
    struct gw_lua_block *b = NULL;
    const json_t *src;
    char *prefix = NULL;

    cmn_err_clear(err);
    if (!ns)
        return NULL;
    prefix = log_prefix(level, where);
    if (!prefix)
        goto nomem;
    if (!json_is_object(ns)) {
        cmn_log_debug("%s wrong extra config", prefix);
        free(prefix);
        return NULL;
    }
    b = calloc(1, sizeof(*b));
    if (!b)
        goto nomem;
    b->log_prefix = prefix;
    prefix = NULL;
    b->level = level;
    b->live = is_true(ns, "live");
    b->open_libs = is_true(ns, "allow_open_libs");
    b->skip_next = level >= GW_LUA_PROXY && is_true(ns, "skip_next");
    b->pre = dup_string(ns, "pre", &b->pre_len);
    b->post = level >= GW_LUA_PROXY ? dup_string(ns, "post", &b->post_len) : strdup("");
    if (!b->pre || !b->post)
        goto nomem;
    src = json_object_get(ns, "sources");
    if (json_is_array(src) && json_array_size(src) > 0) {
        b->sources = calloc(json_array_size(src), sizeof(*b->sources));
        if (!b->sources)
            goto nomem;
        for (size_t i = 0; i < json_array_size(src); i++) {
            const json_t *p = json_array_get(src, i);
            struct gw_lua_source *s = &b->sources[b->n_sources];
            if (!json_is_string(p)) /* non-string items are ignored */
                continue;
            s->path = strdup(json_string_value(p));
            if (!s->path)
                goto nomem;
            b->n_sources++;
            if (!b->live && !read_source(b, s))
                goto nomem;
        }
    }
    warn_ignored(b, ns);
    if (!b->live && json_is_object(json_object_get(ns, "md5")) &&
        !checksums_ok(b, json_object_get(ns, "md5"))) {
        gw_lua_block_destroy(b);
        return NULL;
    }
    b->id = gw_lua_next_block_id();
    gw_lua_runtime_ref();
    b->counted = true;
    return b;
nomem:
    free(prefix);
    gw_lua_block_destroy(b);
    cmn_err_set(err, 1, "out of memory");
    return NULL;
}

void gw_lua_block_destroy(struct gw_lua_block *b)
{
    bool counted;

    if (!b)
        return;
    counted = b->counted;
    for (size_t i = 0; i < b->n_sources; i++) {
        free(b->sources[i].path);
        free(b->sources[i].text);
    }
    free(b->sources);
    free(b->pre);
    free(b->post);
    free(b->log_prefix);
    free(b);
    if (counted) /* the last block frees the VMs, whose chunk caches know its id */
        gw_lua_runtime_unref();
}
