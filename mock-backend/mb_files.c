/* mb_files.c - static files with query-scripted faults, for JWKS and similar fixtures. */
#include "mb_files.h"

#include "cmn_file.h"

#include "cmn_buf.h"
#include "cmn_str.h"
#include "mb_api.h"
#include "cmn_go_url.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DELAY_MS 60000

struct query_faults {
    unsigned status;
    unsigned delay_ms;
    char content_type[128];
    bool close;
};

bool mb_files_owns(const char *path)
{
    return cmn_str_has_prefix(path, MB_FILES_PREFIX);
}

static bool valid_name(const char *n)
{
    if (!*n || *n == '.' || strlen(n) > 128)
        return false;
    for (; *n; n++) {
        char c = *n;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Reads the query's fault parameters; false on a bad value. */
static bool parse_query(const char *q, struct query_faults *f)
{
    char item[256];

    memset(f, 0, sizeof(*f));
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        char key[64] = "", val[160] = "";
        const char *eq;
        size_t len;
        long long v;

        if (n >= sizeof(item))
            return false;
        memcpy(item, q, n);
        item[n] = '\0';
        eq = strchr(item, '=');
        if (eq) {
            if ((size_t)(eq - item) >= sizeof(key) || strlen(eq + 1) >= sizeof(val))
                return false;
            memcpy(key, item, (size_t)(eq - item));
            if (!cmn_go_unescape(eq + 1, strlen(eq + 1), true, val, &len))
                return false;
        } else {
            cmn_strlcpy(key, item, sizeof(key));
        }
        if (strcmp(key, "status") == 0) {
            if (!cmn_parse_ll(val, 100, 999, &v))
                return false;
            f->status = (unsigned)v;
        } else if (strcmp(key, "delay_ms") == 0) {
            if (!cmn_parse_ll(val, 0, MAX_DELAY_MS, &v))
                return false;
            f->delay_ms = (unsigned)v;
        } else if (strcmp(key, "content_type") == 0) {
            cmn_strlcpy(f->content_type, val, sizeof(f->content_type));
        } else if (strcmp(key, "close") == 0) {
            f->close = strcmp(val, "1") == 0;
        }
        q += n + (amp ? 1 : 0);
    }
    return true;
}

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (dot && (strcmp(dot, ".json") == 0 || strcmp(dot, ".jwks") == 0))
        return "application/json";
    if (dot && strcmp(dot, ".pem") == 0)
        return "application/x-pem-file";
    return "text/plain; charset=utf-8";
}

/* Reads a regular file of at most MB_FILES_MAX_BYTES (no link); false (errno set) otherwise. */
static bool read_file(const char *path, struct cmn_buf *out)
{
    char *data;
    size_t len;
    int e;
    enum cmn_file_status st =
        cmn_file_read(path, MB_FILES_MAX_BYTES, CMN_FILE_NOFOLLOW, &data, &len, &e);

    if (st != CMN_FILE_OK) {
        errno = st == CMN_FILE_TOO_BIG ? EFBIG : st == CMN_FILE_NOT_REGULAR ? ENOENT : e ? e : EIO;
        return false;
    }
    st = cmn_buf_append(out, data, len) == CMN_BUF_OK ? CMN_FILE_OK : CMN_FILE_TOO_BIG;
    free(data);
    errno = st == CMN_FILE_OK ? 0 : EFBIG;
    return st == CMN_FILE_OK;
}

struct cmn_http_response *mb_files_handle(const char *dir, const struct cmn_http_request *req,
                                          unsigned *delay_ms)
{
    const char *name = req->path + strlen(MB_FILES_PREFIX);
    struct query_faults f;
    struct cmn_http_response *r;
    struct cmn_buf body;
    char path[4096];
    size_t len;

    *delay_ms = 0;
    if (!dir || !valid_name(name))
        return mb_api_error(404, "no such file");
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        return mb_api_error(405, "method not allowed");
    if (!parse_query(req->query, &f))
        return mb_api_error(400, "bad fault parameter in the query");
    *delay_ms = f.delay_ms;
    if (f.close) {
        r = cmn_http_response_new(200);
        if (r)
            r->abort = true;
        return r;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    cmn_buf_init(&body, MB_FILES_MAX_BYTES);
    if (!read_file(path, &body)) {
        cmn_buf_free(&body);
        return mb_api_error(errno == EFBIG ? 507 : 404, "no such file");
    }
    r = cmn_http_response_new(f.status ? f.status : 200);
    if (!r || !cmn_http_response_add_header(r, "Content-Type",
                                            f.content_type[0] ? f.content_type : type_of(name))) {
        cmn_http_response_destroy(r);
        cmn_buf_free(&body);
        return NULL;
    }
    char *data = cmn_buf_take(&body, &len);
    if (!data) {
        cmn_http_response_destroy(r);
        return NULL;
    }
    cmn_http_response_take_body(r, data, len);
    return r;
}
