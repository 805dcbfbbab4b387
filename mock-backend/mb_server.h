/* mb_server.h - wires mock-backend's handler to the HTTP server and the delay timer. */
#ifndef MB_SERVER_H
#define MB_SERVER_H

#include "cmn_err.h"
#include "mb_app.h"

#include <stdbool.h>
#include <stddef.h>

struct mb_server_opts {
    const char *bind;   /* address literal or host name */
    unsigned port;      /* 0 = ephemeral */
    size_t max_body;    /* request bodies past it answer 413; 0 = 1 MiB */
    unsigned threads;   /* HTTP worker threads; 0 = 2 */
    size_t max_delayed; /* answers held at once; 0 = 10000 (more answer 503) */
    bool access_log;    /* one log line per request */
    struct mb_app_opts app;
};

struct mb_server;

/* Starts serving. Owned server, or NULL with err set. */
struct mb_server *mb_server_start(const struct mb_server_opts *opts, struct cmn_err *err);
unsigned mb_server_port(const struct mb_server *s);
/* Stops accepting, answers every held (delayed) request now, waits up to wait_ms for answers
 * in progress, then stops and frees. s may be NULL. */
void mb_server_stop(struct mb_server *s, int wait_ms);

#endif
