/* gw_tls.c - loads the service `tls` block's key pair; settings we do not apply are warned
 * about by the config layer. */
#include "gw_tls.h"

#include "cmn_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole regular file of at most GW_TLS_MAX_PEM_BYTES; owned text or NULL with err. */
static char *read_pem(const char *what, const char *path, struct cmn_err *err)
{
    char *data;
    size_t len;
    int e;

    if (!path || !*path) {
        cmn_err_set(err, 1, "tls.%s: missing (HTTPS needs public_key and private_key)", what);
        return NULL;
    }
    switch (cmn_file_read(path, GW_TLS_MAX_PEM_BYTES, 0, &data, &len, &e)) {
    case CMN_FILE_OK:
        break;
    case CMN_FILE_NOT_REGULAR:
        cmn_err_set(err, 1, "tls.%s: '%s' is not a regular file", what, path);
        return NULL;
    case CMN_FILE_TOO_BIG:
        cmn_err_set(err, 1, "tls.%s: '%s' is larger than %d bytes", what, path,
                    GW_TLS_MAX_PEM_BYTES);
        return NULL;
    case CMN_FILE_NOMEM:
        cmn_err_set(err, 1, "tls.%s: out of memory", what);
        return NULL;
    case CMN_FILE_READ:
        cmn_err_set(err, 1, "tls.%s: cannot read '%s': %s", what, path, strerror(e));
        return NULL;
    default:
        cmn_err_set(err, 1, "tls.%s: cannot open '%s': %s", what, path, strerror(e));
        return NULL;
    }
    if (!strstr(data, "-----BEGIN ")) {
        cmn_err_set(err, 1, "tls.%s: '%s' is not a PEM file", what, path);
        free(data);
        return NULL;
    }
    return data;
}

bool gw_tls_load(const struct gw_config *cfg, char **cert_pem, char **key_pem, struct cmn_err *err)
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
