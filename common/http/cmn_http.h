/* cmn_http.h - an asynchronous HTTP server, with two engines behind one API: our own HTTP/1.1
 * engine (cmn_http_native.c, plain or TLS, for servers driven by the caller's event loops: the
 * gateway) and libmicrohttpd (cmn_http_mhd.c: the mock services).
 *
 * An engine turns a connection into a plain `struct cmn_http_request` (raw target, headers in
 * order with duplicates, the whole body up to a cap) and hands it to a handler that knows
 * nothing of either engine. The handler answers with cmn_http_exchange_respond(), either before it
 * returns or later from any thread: the connection is suspended meanwhile and holds no
 * thread, so a slow answer (a delayed mock, a slow backend) costs a file descriptor only. */
#ifndef CMN_HTTP_H
#define CMN_HTTP_H

#include "cmn_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmn_http_kv {
    const char *name;
    const char *value;
};

struct cmn_http_request {
    const char *method;
    const char *target;    /* raw request-target as received: "/a%20b?x=1&x=2" */
    const char *path;      /* raw path, before '?', not percent-decoded */
    const char *query;     /* raw query after '?', "" when there is none */
    bool has_query;        /* a '?' was present (even with nothing after it) */
    const char *version;   /* "HTTP/1.1" */
    const char *authority; /* absolute-form target ("GET http://a.example/x"): its host[:port],
                            * which stands for Host as in Go; NULL otherwise */
    const struct cmn_http_kv *headers; /* in arrival order, duplicates kept, names as sent */
    size_t n_headers;
    const char *body; /* NUL-terminated for convenience; body_len excludes the NUL */
    size_t body_len;
    bool has_body; /* the request declared a body: Content-Length > 0 or Transfer-Encoding */
    const char *remote_ip;
    unsigned remote_port;
    bool tls;
    int64_t start_us; /* monotonic time the request line arrived */
};

/* First value of a header (case-insensitive name), borrowed, or NULL. */
const char *cmn_http_request_header(const struct cmn_http_request *r, const char *name);

struct cmn_http_strblock;

/* A header field checked once against the field rule (cmn_http_field.h) and laid out as it
 * goes on the wire: the fixed fields a module adds to many answers (CORS, security headers),
 * which an answer then carries by reference, with no copy and no second check. */
struct cmn_http_line {
    const char *name; /* NUL-terminated; all three live in one block the line owns */
    const char *value;
    const char *wire; /* "Name: value\r\n" */
    size_t wire_len;
};

/* A line from two string literals, laid out by the compiler: for the gateway's own fixed
 * fields (X-Krakend), whose literals the tests hold to the field rule. */
#define CMN_HTTP_LINE_LITERAL(n, v)                                                                \
    {                                                                                              \
        n, v, n ": " v "\r\n", sizeof(n ": " v "\r\n") - 1                                         \
    }

/* Checks name and value and lays the line out; false with err set when the field rule refuses
 * them, or for a name the server writes itself (Content-Length, Transfer-Encoding, Connection,
 * Date) or drops on some answers (Content-Type, on a 304): those go through
 * cmn_http_response_add_header. */
bool cmn_http_line_init(struct cmn_http_line *l, const char *name, const char *value,
                        struct cmn_err *err);
/* For a value the configuration may leave out: no line (l->name NULL) when value is NULL or the
 * rule refuses it, and the caller takes the ordinary path (where the writer leaves a refused
 * field out, with an error in the log). */
void cmn_http_line_init_opt(struct cmn_http_line *l, const char *name, const char *value);
void cmn_http_line_free(struct cmn_http_line *l);

struct cmn_http_response {
    unsigned status;
    struct cmn_http_kv *headers; /* owned; the strings live in `strings` or in a line */
    size_t n_headers;
    size_t cap_headers;
    const struct cmn_http_line **lines; /* NULL, or beside headers (in their block): the line
                                         * a header is, NULL for a copied one */
    struct cmn_http_strblock *strings;
    char *body; /* owned; may be NULL when body_len is 0 */
    size_t body_len;
    bool abort; /* close the connection without sending anything */
};

/* Owned response; NULL on allocation failure. */
struct cmn_http_response *cmn_http_response_new(unsigned status);
void cmn_http_response_destroy(struct cmn_http_response *r);
/* Adds a header (both copied); false on allocation failure. Content-Length is computed by the
 * server and ignored if added. */
bool cmn_http_response_add_header(struct cmn_http_response *r, const char *name, const char *value);
/* Adds a checked line by reference (it must outlive the response and the server that writes
 * it); false on allocation failure. Readers of `headers` see it as any other header. */
bool cmn_http_response_add_line(struct cmn_http_response *r, const struct cmn_http_line *l);
/* Removes every header of that name (case-insensitive). */
void cmn_http_response_del_header(struct cmn_http_response *r, const char *name);
/* Copies len bytes as the body (replacing any). */
bool cmn_http_response_set_body(struct cmn_http_response *r, const void *data, size_t len);
/* Takes ownership of a malloc'd body. */
void cmn_http_response_take_body(struct cmn_http_response *r, char *data, size_t len);
/* Convenience: a response with Content-Type and a copied body; NULL on allocation failure. */
struct cmn_http_response *cmn_http_response_text(unsigned status, const char *content_type,
                                                 const char *body, size_t len);

struct cmn_http_exchange;

/* The handler. req stays valid until the exchange is answered. */
typedef void (*cmn_http_handler_fn)(void *ctx, struct cmn_http_exchange *ex,
                                    const struct cmn_http_request *req);

/* Answers the exchange and takes ownership of resp (NULL means 500). Call exactly once per
 * exchange, from any thread; afterwards neither ex nor its request may be used. */
void cmn_http_exchange_respond(struct cmn_http_exchange *ex, struct cmn_http_response *resp);
const struct cmn_http_request *cmn_http_exchange_request(const struct cmn_http_exchange *ex);

/* A TLS listener's settings (native engine). Versions are TLS wire numbers (0x0301 TLS 1.0 ...
 * 0x0304 TLS 1.3); suites and groups IANA numbers, as Go's crypto/tls numbers them. */
struct cmn_http_tls {
    const char *const *cert_pem; /* certificate chains and their keys, PEM: n_pairs of each; */
    const char *const *key_pem;  /* the first serves clients whose name matches none (SNI) */
    size_t n_pairs;
    uint16_t min_version, max_version; /* 0 and 0: TLS 1.2 and 1.3 */
    const uint16_t *suites;            /* TLS 1.0-1.2 suites allowed, preferred first; TLS 1.3's
                                        * are not configurable (as in Go) */
    size_t n_suites;                   /* 0: GnuTLS's defaults */
    const uint16_t *groups;            /* key-exchange groups, preferred first (23 P-256, 24 P-384,
                                        * 25 P-521, 29 X25519); 0: GnuTLS's defaults */
    size_t n_groups;
    bool verify_clients;       /* require a client certificate that chains to the CAs below
                                * and may be used for client authentication */
    const char *client_ca_pem; /* PEM certificates (may be NULL) */
    bool client_ca_system;     /* the system's CAs as well */
};

/* Whether the native engine can use a TLS 1.0-1.2 suite, a key-exchange group (IANA numbers).
 * name: Go's name of a suite Go implements (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), else NULL. */
bool cmn_http_tls_suite_usable(uint16_t id, const char **name);
bool cmn_http_tls_group_usable(uint16_t id);
/* Whether GnuTLS takes a PEM certificate chain and its key together (Go's X509KeyPair): false
 * with err saying why. */
bool cmn_http_tls_check_pair(const char *cert_pem, const char *key_pem, struct cmn_err *err);

struct cmn_http_server_opts {
    const char *bind;            /* address literal or host name; NULL or "" = all (IPv4+IPv6) */
    unsigned port;               /* 0 = an ephemeral port, see cmn_http_server_port() */
    unsigned threads;            /* worker threads polling connections; 0 = 2 */
    unsigned max_connections;    /* 0 = 4096 */
    unsigned idle_timeout_s;     /* closes idle and slow clients; 0 = 30 */
    unsigned head_timeout_ms;    /* a request head must be whole this long after its first byte
                                  * (Go's ReadHeaderTimeout); 0 = 10 s */
    unsigned request_timeout_ms; /* head and body, from the first byte (Go's ReadTimeout);
                                  * 0 = none beyond the idle timeout between reads */
    size_t max_body;             /* request bodies larger answer 413; 0 = 1 MiB */
    unsigned write_timeout_ms;   /* an answer must be out this long after its request's head
                                  * was read, the TLS handshake likewise from the accept (Go's
                                  * WriteTimeout); a later answer closes the connection instead;
                                  * 0 = none (native engine) */
    size_t max_header_bytes;     /* the largest request head; 0 = 64 KiB */
    size_t head_budget;          /* native engine: bytes all connections together may hold for
                                  * request heads beyond their first 64 KiB; a head that needs
                                  * more while it is used up is answered 431; 0 = 64 MiB */
    const char *tls_cert_pem;    /* both set: HTTPS (TLS 1.2 and 1.3) */
    const char *tls_key_pem;
    const struct cmn_http_tls *tls; /* native engine: HTTPS with these settings instead
                                     * (borrowed; must outlive the server) */
    bool access_log;                /* log one line per request at INFO */
    unsigned external_loops;        /* 0: MHD's own threads poll; N: N daemons sharing one
                                     * listening socket, each driven by the caller's event loop
                                     * (see cmn_http_server_loop_*); threads is then ignored */
    bool native;                    /* with external_loops: serve with our own HTTP/1.1 engine
                                     * (cmn_http_native.c), HTTPS included, instead of libmicrohttpd */
    cmn_http_handler_fn handler;
    void *ctx;
};

struct cmn_http_server;

/* Starts listening and serving. Returns an owned server or NULL with err set. */
struct cmn_http_server *cmn_http_server_start(const struct cmn_http_server_opts *opts,
                                              struct cmn_err *err);
/* The port actually bound. */
unsigned cmn_http_server_port(const struct cmn_http_server *s);
/* Exchanges handed to the handler and not yet answered. */
unsigned cmn_http_server_inflight(const struct cmn_http_server *s);
/* Stops accepting new connections; established ones keep being served. */
void cmn_http_server_quiesce(struct cmn_http_server *s);
/* Waits up to wait_ms for in-flight exchanges to be answered, then stops and frees the server.
 * Exchanges still unanswered after that are answered into the void when their owner responds. */
void cmn_http_server_stop(struct cmn_http_server *s, int wait_ms);

/* External loops (opts.external_loops = N > 0). Loop i (0 <= i < N) is one thread that owns
 * daemon i: it waits for cmn_http_server_loop_fd(s, i) (an epoll descriptor) or
 * cmn_http_server_loop_wake_fd(s, i) to be readable for at most cmn_http_server_loop_timeout_ms(s,
 * i), then calls cmn_http_server_loop_run(s, i). Handlers for loop i's exchanges run on that
 * thread; an answer from another thread wakes it. Only that thread may call _run and _quiesce_loop
 * for i, and cmn_http_server_stop() may be called only once no loop drives its daemon any more. */
int cmn_http_server_loop_fd(const struct cmn_http_server *s, unsigned i);
/* A second descriptor loop i must wait for (readable when another thread answered). */
int cmn_http_server_loop_wake_fd(const struct cmn_http_server *s, unsigned i);
int64_t cmn_http_server_loop_timeout_ms(const struct cmn_http_server *s, unsigned i);
void cmn_http_server_loop_run(struct cmn_http_server *s, unsigned i);
/* Loop i stops accepting; the listening socket closes once every loop has stopped. */
void cmn_http_server_quiesce_loop(struct cmn_http_server *s, unsigned i);
/* The loop an exchange arrived on (0 without external loops). */
unsigned cmn_http_exchange_loop(const struct cmn_http_exchange *ex);

/* Raises RLIMIT_NOFILE's soft limit to its hard limit: a server with thousands of clients
 * needs more than the usual 1024 descriptors. */
void cmn_http_raise_fd_limit(void);

/* Go's reason phrase for a status (http.StatusText: "Not Found"), "" if Go knows none. */
const char *cmn_http_reason(unsigned status);

#endif
