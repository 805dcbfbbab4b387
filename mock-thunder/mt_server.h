/* mt_server.h - the running mock: state (store, keys, issuer) behind one lock, start-up
 * (data directory, certificate, bootstrap, seed), and the HTTP front (public endpoints here,
 * the management API in mt_api.c). */
#ifndef MT_SERVER_H
#define MT_SERVER_H

#include "cmn_err.h"
#include "cmn_http.h"
#include "mt_config.h"
#include "mt_keys.h"
#include "mt_store.h"

#include <pthread.h>
#include <stdbool.h>

struct mt_server {
    pthread_mutex_t lock; /* guards store and keys; held while a request is answered */
    struct mt_store store;
    struct mt_keyring keys;
    char *issuer;
    char *data_dir; /* NULL when ephemeral */
    bool strict_client_auth;
    int lock_fd;
    char *tls_cert_pem;
    char *tls_key_pem;
    struct cmn_http_server *http;
};

/* Loads or initialises the state as cfg says and starts serving. Owned, NULL with err set
 * (a store that cannot be read is an error naming the file, never a reset). */
struct mt_server *mt_server_start(const struct mt_config *cfg, struct cmn_err *err);
void mt_server_stop(struct mt_server *s);

/* A plain HTTP answer the handlers build before it becomes a cmn_http_response. */
struct mt_reply {
    unsigned status;
    json_t *json;         /* owned; sent as application/json with a trailing newline */
    const char *text;     /* static plain-text body when json is NULL */
    const char *allow;    /* Allow header for 405 */
    const char *www_auth; /* WWW-Authenticate header */
    bool no_store;        /* Cache-Control: no-store, Pragma: no-cache */
};

/* Management API (bare paths and /api/server/v1 aliases); called with s->lock held. Fills out
 * with the answer, including 401/403, Go's plain 404 for unknown paths and 405. */
void mt_api_handle(struct mt_server *s, const struct cmn_http_request *req, int64_t now,
                   struct mt_reply *out);
/* Saves the store (a no-op when ephemeral); false (logged) if it could not be written. */
bool mt_server_save_store(struct mt_server *s);
/* Saves the signing keys. */
bool mt_server_save_keys(struct mt_server *s);

#endif
