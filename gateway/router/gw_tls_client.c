/* gw_tls_client.c - client_tls for the backend clients (lura's ParseClientTLSConfig): the CA
 * bundle, the client certificate, the versions, handed to gw_fetch as struct gw_client_tls. */
#include "cmn_buf.h"
#include "cmn_file.h"
#include "cmn_log.h"
#include "gw_tls.h"
#include "gw_tls_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct gw_tls_client {
    struct gw_client_tls o;
    int ca_fd; /* the memfd behind o.ca_file, or -1 */
    char ca_path[64];
    char *cert, *key;
};

/* The ca_certs files in one PEM bundle, in memory (libcurl reads a CA file by name). */
static bool ca_bundle(struct gw_tls_client *c, const struct gw_strlist *files)
{
    struct cmn_buf b;
    bool ok = true;

    cmn_buf_init(&b, 64u * 1024 * 1024);
    for (size_t i = 0; i < files->n; i++) {
        char *pem = NULL;
        size_t len;
        int e = 0;
        if (cmn_file_read(files->items[i], GW_TLS_MAX_PEM_BYTES, 0, &pem, &len, &e) !=
            CMN_FILE_OK) {
            cmn_log_error("[SERVICE: HTTP Server] Cannot load certificate CA %s: %s",
                          files->items[i], e ? strerror(e) : "not a regular file of at most 1 MiB");
            continue;
        }
        cmn_buf_append(&b, pem, len);
        cmn_buf_append_str(&b, "\n");
        free(pem);
    }
    c->ca_fd = memfd_create("krakend-client-cas", MFD_CLOEXEC);
    if (c->ca_fd < 0)
        ok = false;
    for (size_t off = 0; ok && off < b.len;) {
        ssize_t n = write(c->ca_fd, b.data + off, b.len - off);
        if (n <= 0) {
            ok = false;
            break;
        }
        off += (size_t)n;
    }
    cmn_buf_free(&b);
    if (ok) {
        snprintf(c->ca_path, sizeof(c->ca_path), "/proc/self/fd/%d", c->ca_fd);
        c->o.ca_file = c->ca_path;
    }
    return ok;
}

/* lura's loadClientCerts keeps the pairs that load; libcurl offers one: the first of them. */
static void client_cert(struct gw_tls_client *c, const struct gw_client_tls_opts *t)
{
    for (size_t i = 0; i < t->n_client_certs && !c->cert; i++) {
        const struct gw_tls_pair *p = &t->client_certs[i];
        struct cmn_err err = {0};
        char *cert = p->cert ? gw_tls_read_pem("client_tls.client_certs", p->cert, &err) : NULL;
        char *key =
            cert && p->key ? gw_tls_read_pem("client_tls.client_certs", p->key, &err) : NULL;
        if (key && cmn_http_tls_check_pair(cert, key, &err)) {
            c->cert = strdup(p->cert);
            c->key = strdup(p->key);
        } else {
            cmn_log_error("[SERVICE: HTTP Server] Cannot load client certificate %s, %s: %s",
                          p->cert ? p->cert : "", p->key ? p->key : "",
                          err.msg[0] ? err.msg : "missing");
        }
        free(cert);
        free(key);
    }
    c->o.cert_file = c->cert;
    c->o.key_file = c->key;
}

bool gw_tls_client_new(const struct gw_config *cfg, struct gw_tls_client **out, struct cmn_err *err)
{
    const struct gw_client_tls_opts *t = &cfg->client_tls;
    struct gw_tls_client *c;

    *out = NULL;
    if (!t->present)
        return true;
    if (!(c = calloc(1, sizeof(*c))))
        return cmn_err_set(err, 1, "out of memory"), false;
    c->ca_fd = -1;
    c->o.min_version = gw_tls_version(t->min_version);
    c->o.max_version = gw_tls_version(t->max_version);
    c->o.insecure = t->allow_insecure_connections;
    c->o.system_cas = !t->disable_system_ca_pool;
    if ((t->ca_certs.n || t->disable_system_ca_pool) && !ca_bundle(c, &t->ca_certs)) {
        gw_tls_client_free(c);
        return cmn_err_set(err, 1, "client_tls: cannot hold the CA bundle: %s", strerror(errno)),
               false;
    }
    client_cert(c, t);
    *out = c;
    return true;
}

const struct gw_client_tls *gw_tls_client_opts(const struct gw_tls_client *c)
{
    return c ? &c->o : NULL;
}

void gw_tls_client_free(struct gw_tls_client *c)
{
    if (!c)
        return;
    if (c->ca_fd >= 0)
        close(c->ca_fd);
    free(c->cert);
    free(c->key);
    free(c);
}
