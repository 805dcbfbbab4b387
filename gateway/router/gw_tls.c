/* gw_tls.c - loads the service `tls` block's key pair; settings we do not apply are warned
 * about by the config layer. */
#include "gw_tls.h"

#include "cmn_buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads a whole regular file of at most GW_TLS_MAX_PEM_BYTES; owned text or NULL with err. */
static char *read_pem(const char *what, const char *path, struct cmn_err *err)
{
    struct cmn_buf b;
    char chunk[8192];
    struct stat st;
    ssize_t n;
    int fd;

    if (!path || !*path) {
        cmn_err_set(err, 1, "tls.%s: missing (HTTPS needs public_key and private_key)", what);
        return NULL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cmn_err_set(err, 1, "tls.%s: cannot open '%s': %s", what, path, strerror(errno));
        return NULL;
    }
    cmn_buf_init(&b, GW_TLS_MAX_PEM_BYTES);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        cmn_err_set(err, 1, "tls.%s: '%s' is not a regular file", what, path);
        goto fail;
    }
    while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
        if (cmn_buf_append(&b, chunk, (size_t)n) != CMN_BUF_OK) {
            cmn_err_set(err, 1, "tls.%s: '%s' is larger than %d bytes", what, path,
                        GW_TLS_MAX_PEM_BYTES);
            goto fail;
        }
    }
    if (n < 0) {
        cmn_err_set(err, 1, "tls.%s: cannot read '%s': %s", what, path, strerror(errno));
        goto fail;
    }
    if (!strstr(cmn_buf_str(&b), "-----BEGIN ")) {
        cmn_err_set(err, 1, "tls.%s: '%s' is not a PEM file", what, path);
        goto fail;
    }
    close(fd);
    return cmn_buf_take(&b, NULL);
fail:
    close(fd);
    cmn_buf_free(&b);
    return NULL;
}

bool gw_tls_load(const struct gw_config *cfg, char **cert_pem, char **key_pem,
                 struct cmn_err *err)
{
    *cert_pem = NULL;
    *key_pem = NULL;
    if (!cfg->tls.present || cfg->tls.disabled)
        return true;
    /* An empty block ("tls": {}) names no key pair: plain HTTP, which run warns about. */
    if ((!cfg->tls.public_key || !*cfg->tls.public_key) &&
        (!cfg->tls.private_key || !*cfg->tls.private_key))
        return true;
    *cert_pem = read_pem("public_key", cfg->tls.public_key, err);
    if (*cert_pem)
        *key_pem = read_pem("private_key", cfg->tls.private_key, err);
    if (!*key_pem) {
        free(*cert_pem);
        *cert_pem = NULL;
        return false;
    }
    return true;
}
