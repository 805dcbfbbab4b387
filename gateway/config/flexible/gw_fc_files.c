/* gw_fc_files.c - the file front end of flexible configuration: lists FC_SETTINGS and
 * FC_TEMPLATES, reads the files (with caps), serves include from FC_PARTIALS, and writes the
 * temporary file and FC_OUT as krakend-flexibleconfig does; the logic itself is in gw_fc.c. */
#include "gw_fc.h"

#include "cmn_str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE (16u * 1024 * 1024)
#define MAX_ENTRIES 10000
#define MAX_INCLUDES 10000
#define PATH_CAP 4096

/* Go's error text for an errno: strerror with a lower-case first letter. */
static void go_err(char *out, size_t sz, const char *op, const char *path, int e)
{
    char msg[128];

    snprintf(msg, sizeof(msg), "%s", strerror(e));
    if (msg[0] >= 'A' && msg[0] <= 'Z')
        msg[0] = (char)(msg[0] + 32);
    snprintf(out, sz, "%s %s: %s", op, path, msg);
}

/* Reads a whole file (at most MAX_FILE bytes) into b. 0 ok, else an enum gw_fc_status with the
 * reason in why. */
static int read_file(const char *path, struct cmn_buf *b, char *why, size_t whysz)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char chunk[65536];
    int rc = GW_FC_OK;

    if (fd < 0) {
        go_err(why, whysz, "open", path, errno);
        return GW_FC_IO;
    }
    for (;;) {
        ssize_t k = read(fd, chunk, sizeof(chunk));
        if (k < 0) {
            if (errno == EINTR)
                continue;
            go_err(why, whysz, "read", path, errno);
            rc = GW_FC_IO;
            break;
        }
        if (k == 0)
            break;
        if (b->len + (size_t)k > MAX_FILE || cmn_buf_append(b, chunk, (size_t)k) != CMN_BUF_OK) {
            snprintf(why, whysz, "read %s: file larger than %u bytes", path, MAX_FILE);
            rc = GW_FC_LIMIT;
            break;
        }
    }
    close(fd);
    return rc;
}

struct dir_list {
    char **names;
    size_t n;
};

static void dir_list_free(struct dir_list *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->names[i]);
    free(d->names);
    d->names = NULL;
    d->n = 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* os.ReadDir: the entries' names sorted; 0 ok, else a status with the reason in why. */
static int list_dir(const char *dir, struct dir_list *d, char *why, size_t whysz)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    size_t cap = 0;
    int rc = GW_FC_OK;

    d->names = NULL;
    d->n = 0;
    if (!dp) {
        go_err(why, whysz, "open", dir, errno);
        return GW_FC_IO;
    }
    while ((de = readdir(dp)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (d->n == MAX_ENTRIES) {
            snprintf(why, whysz, "open %s: more than %d entries", dir, MAX_ENTRIES);
            rc = GW_FC_LIMIT;
            break;
        }
        if (d->n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **nn = realloc(d->names, nc * sizeof(*nn));
            if (!nn) {
                rc = GW_FC_NOMEM;
                break;
            }
            d->names = nn;
            cap = nc;
        }
        d->names[d->n] = cmn_strndup(de->d_name, strlen(de->d_name));
        if (!d->names[d->n]) {
            rc = GW_FC_NOMEM;
            break;
        }
        d->n++;
    }
    closedir(dp);
    if (rc == GW_FC_NOMEM)
        snprintf(why, whysz, "open %s: out of memory", dir);
    if (rc) {
        dir_list_free(d);
        return rc;
    }
    qsort(d->names, d->n, sizeof(*d->names), cmp_names);
    return GW_FC_OK;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);

    return n >= k && strcmp(s + n - k, suf) == 0;
}

static void load_settings(struct gw_fc_project *p, const char *dir)
{
    struct dir_list d;
    char why[PATH_CAP + 128], path[PATH_CAP];

    if (list_dir(dir, &d, why, sizeof(why)) != GW_FC_OK) {
        gw_fc_add_settings_error(p, dir, why);
        return;
    }
    for (size_t i = 0; i < d.n; i++) {
        struct cmn_buf b;
        if (!has_suffix(d.names[i], ".json"))
            continue;
        if (!gw_fc_path_join(dir, d.names[i], strlen(d.names[i]), path, sizeof(path))) {
            gw_fc_add_settings_error(p, d.names[i], "path too long");
            continue;
        }
        cmn_buf_init(&b, MAX_FILE);
        if (read_file(path, &b, why, sizeof(why)) != GW_FC_OK)
            gw_fc_add_settings_error(p, d.names[i], why);
        else
            gw_fc_add_settings(p, d.names[i], b.data ? b.data : "", b.len);
        cmn_buf_free(&b);
    }
    dir_list_free(&d);
}

/* ---- the host: env, include, random ---- */

struct fc_host {
    const struct gw_fc_env *env;
    unsigned includes;
    bool too_many;
};

static const char *host_getenv(void *ctx, const char *name)
{
    const struct fc_host *h = ctx;

    return h->env->getenv ? h->env->getenv(h->env->getenv_ctx, name) : NULL;
}

static bool host_random(void *ctx, void *buf, size_t n)
{
    const struct fc_host *h = ctx;

    return h->env->random && h->env->random(h->env->random_ctx, buf, n);
}

/* include: the file at path.Join(FC_PARTIALS, name), verbatim; "" when unreadable */
static bool host_include(void *ctx, const char *name, size_t n, struct cmn_buf *out)
{
    struct fc_host *h = ctx;
    char path[PATH_CAP], why[PATH_CAP + 128];
    struct cmn_buf b;
    bool ok;

    if (++h->includes > MAX_INCLUDES) {
        h->too_many = true;
        return false;
    }
    if (memchr(name, '\0', n) || !gw_fc_path_join(h->env->partials, name, n, path, sizeof(path)))
        return false;
    if (path[0] == '\0')
        return false;
    cmn_buf_init(&b, MAX_FILE);
    ok = read_file(path, &b, why, sizeof(why)) == GW_FC_OK &&
         cmn_buf_append(out, b.data ? b.data : "", b.len) == CMN_BUF_OK;
    cmn_buf_free(&b);
    return ok;
}

/* ---- FC_OUT ---- */

static bool write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        s += k;
        n -= (size_t)k;
    }
    return true;
}

/* Writes the rendered text to FC_OUT as KrakenD leaves it: truncated, synced, mode 0600. The file
 * is created 0600 at once (KrakenD creates it 0666 & umask and chmods it afterwards): the text
 * holds whatever env put in it. */
static bool write_out(const char *dst, const char *data, size_t n, struct cmn_err *err)
{
    char why[PATH_CAP + 128];
    int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0) {
        go_err(why, sizeof(why), "open", dst, errno);
        goto fail;
    }
    if (!write_all(fd, data, n)) {
        go_err(why, sizeof(why), "write", dst, errno);
        close(fd);
        goto fail;
    }
    if (fchmod(fd, 0600) != 0 || (fsync(fd) != 0 && errno != EINVAL)) {
        go_err(why, sizeof(why), "sync", dst, errno);
        close(fd);
        goto fail;
    }
    if (close(fd) != 0) {
        go_err(why, sizeof(why), "close", dst, errno);
        goto fail;
    }
    return true;
fail:
    cmn_err_set(err, GW_FC_IO, "failed to write FC_OUT %s: %s", dst, why);
    return false;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

static bool parse_file(struct gw_fc_project *p, const char *path, bool base, struct cmn_err *err,
                       struct gw_fc_result *res)
{
    struct cmn_buf b;
    char why[PATH_CAP + 128];
    int rc;
    bool ok;

    cmn_buf_init(&b, MAX_FILE);
    rc = read_file(path, &b, why, sizeof(why));
    if (rc != GW_FC_OK) {
        cmn_err_set(err,
                    rc == GW_FC_LIMIT ? GW_FC_LIMIT
                    : base            ? GW_FC_PARSE
                                      : GW_FC_SUBTEMPLATES,
                    "%s: %s",
                    base ? "Unable to parse configuration file" : "Error parsing sub-templates",
                    why);
        cmn_buf_free(&b);
        return false;
    }
    if (base)
        ok = gw_fc_parse_base(p, base_name(path), b.data ? b.data : "", b.len, err);
    else
        ok = gw_fc_parse_sub(p, base_name(path), b.data ? b.data : "", b.len, err);
    if (!ok && res)
        gw_fc_excerpt(err->msg, base_name(path), b.data ? b.data : "", b.len, res->excerpt,
                      sizeof(res->excerpt));
    cmn_buf_free(&b);
    return ok;
}

static bool parse_templates(struct gw_fc_project *p, const char *dir, struct cmn_err *err,
                            struct gw_fc_result *res)
{
    struct dir_list d;
    char why[PATH_CAP + 128], path[PATH_CAP];
    bool ok = true;

    if (list_dir(dir, &d, why, sizeof(why)) != GW_FC_OK) {
        gw_fc_add_settings_error(p, dir, why);
        return true;
    }
    for (size_t i = 0; ok && i < d.n; i++) {
        if (!has_suffix(d.names[i], ".tmpl"))
            continue;
        if (!gw_fc_path_join(dir, d.names[i], strlen(d.names[i]), path, sizeof(path))) {
            cmn_err_set(err, GW_FC_SUBTEMPLATES, "Error parsing sub-templates: %s: path too long",
                        d.names[i]);
            ok = false;
            break;
        }
        ok = parse_file(p, path, false, err, res);
    }
    dir_list_free(&d);
    return ok;
}

/* Lists FC_TEMPLATES before anything is parsed, so its listing error joins the settings'. */
static bool check_templates_dir(struct gw_fc_project *p, const char *dir)
{
    struct dir_list d;
    char why[PATH_CAP + 128];

    if (list_dir(dir, &d, why, sizeof(why)) != GW_FC_OK) {
        gw_fc_add_settings_error(p, dir, why);
        return false;
    }
    dir_list_free(&d);
    return true;
}

bool gw_fc_render(const char *tmpl_path, const struct gw_fc_env *env, struct cmn_buf *out,
                  struct gw_fc_result *res, struct cmn_err *err)
{
    struct gw_fc_project *p = NULL;
    struct fc_host h = {env, 0, false};
    struct gw_tmpl_host host = {&h, host_getenv, host_include, host_random, env->clock, env->zones};
    struct gw_fc_result scratch;
    bool templates = env->templates && env->templates[0];
    bool ok = false;
    size_t start = out->len;

    cmn_err_clear(err);
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof(*res));
    p = gw_fc_project_new(env->limits);
    if (!p) {
        cmn_err_set(err, GW_FC_NOMEM, "flexible configuration: out of memory");
        goto out;
    }
    /* 1. settings and the sub-template directory, errors collected */
    if (env->settings && env->settings[0])
        load_settings(p, env->settings);
    if (templates)
        templates = check_templates_dir(p, env->templates);
    if (!gw_fc_check_settings(p, err))
        goto out;
    /* 2. (KrakenD creates its temporary file here: see docs/flexible-config.md) */
    /* 3-5. parse, parse the sub-templates, execute */
    if (!parse_file(p, tmpl_path, true, err, res))
        goto out;
    if (templates && !parse_templates(p, env->templates, err, res))
        goto out;
    if (!gw_fc_execute(p, base_name(tmpl_path), &host, out, err)) {
        gw_fc_exec_excerpt(p, err->msg, res->excerpt, sizeof(res->excerpt));
        goto out;
    }
    if (h.too_many) {
        cmn_err_set(err, GW_FC_LIMIT,
                    "Found error while executing template: more than %d include calls",
                    MAX_INCLUDES);
        goto out;
    }
    /* 6-7. FC_OUT keeps the rendered text, written before anything parses it */
    if (env->out && env->out[0]) {
        if (!write_out(env->out, out->data ? out->data + start : "", out->len - start, err))
            goto out;
        snprintf(res->path, sizeof(res->path), "%s", env->out);
        res->kept = true;
    }
    ok = true;
out:
    gw_fc_project_destroy(p);
    return ok;
}
