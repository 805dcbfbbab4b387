/* main.c - mock-backend: arguments, signals, and the server's life cycle. */
#include "cmn_err.h"
#include "cmn_http.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "mb_server.h"
#include "cmn_signal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define STOP_WAIT_MS 5000

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "Usage: %s [options]\n"
            "The guide's items API, a request echo, scripted faults and KrakenD CE's\n"
            "integration-test backend routes, in memory.\n"
            "\n"
            "  --port N          port to listen on (default 8081; 0 = any free port)\n"
            "  --bind ADDR       address to listen on (default 127.0.0.1)\n"
            "  --threads N       HTTP worker threads (default 2)\n"
            "  --max-body N      largest request body in bytes (default 1048576; larger: 413)\n"
            "  --max-items N     most items stored at once (default 10000; more: 507)\n"
            "  --ce-delay-ms N   hold time of the CE /delayed/ route (default 200)\n"
            "  --files DIR       serve DIR's files under /__files/<name> (JWKS fixtures)\n"
            "  --quiet           no per-request log lines\n"
            "  --help            this text\n"
            "\n"
            "Stops cleanly on SIGTERM or SIGINT. See docs/mock-backend.md.\n",
            prog);
}

/* Parses the value of option argv[*i] into [min, max]; false with a message otherwise. */
static bool num_arg(int argc, char **argv, int *i, long long min, long long max, long long *out)
{
    const char *name = argv[*i];

    if (*i + 1 >= argc) {
        fprintf(stderr, "%s: %s needs a value\n", argv[0], name);
        return false;
    }
    (*i)++;
    if (!cmn_parse_ll(argv[*i], min, max, out)) {
        fprintf(stderr, "%s: %s must be an integer from %lld to %lld, not '%s'\n", argv[0], name,
                min, max, argv[*i]);
        return false;
    }
    return true;
}

/* Returns 0 to run, 1 after --help, 2 on a usage error. */
static int parse_args(int argc, char **argv, struct mb_server_opts *o)
{
    struct stat st;
    long long v;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, argv[0]);
            return 1;
        } else if (strcmp(a, "--port") == 0) {
            if (!num_arg(argc, argv, &i, 0, 65535, &v))
                return 2;
            o->port = (unsigned)v;
        } else if (strcmp(a, "--bind") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fprintf(stderr, "%s: --bind needs an address\n", argv[0]);
                return 2;
            }
            o->bind = argv[++i];
        } else if (strcmp(a, "--threads") == 0) {
            if (!num_arg(argc, argv, &i, 1, 64, &v))
                return 2;
            o->threads = (unsigned)v;
        } else if (strcmp(a, "--max-body") == 0) {
            if (!num_arg(argc, argv, &i, 1, 64LL * 1024 * 1024, &v))
                return 2;
            o->max_body = (size_t)v;
        } else if (strcmp(a, "--max-items") == 0) {
            if (!num_arg(argc, argv, &i, 1, 1000000, &v))
                return 2;
            o->app.items.max_items = (size_t)v;
        } else if (strcmp(a, "--ce-delay-ms") == 0) {
            if (!num_arg(argc, argv, &i, 1, MB_FAULT_DELAY_MAX_MS, &v))
                return 2;
            o->app.ce_delay_ms = (unsigned)v;
        } else if (strcmp(a, "--files") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fprintf(stderr, "%s: --files needs a directory\n", argv[0]);
                return 2;
            }
            o->app.files_dir = argv[++i];
            /* a typo here would only show as 404s on /__files/ later */
            if (stat(o->app.files_dir, &st) != 0) {
                fprintf(stderr, "%s: --files %s: %s\n", argv[0], o->app.files_dir,
                        strerror(errno));
                return 2;
            }
            if (!S_ISDIR(st.st_mode)) {
                fprintf(stderr, "%s: --files %s: not a directory\n", argv[0], o->app.files_dir);
                return 2;
            }
        } else if (strcmp(a, "--quiet") == 0) {
            o->access_log = false;
        } else {
            fprintf(stderr, "%s: unknown argument '%s' (try --help)\n", argv[0], a);
            return 2;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct mb_server_opts o = {.bind = "127.0.0.1", .port = 8081, .access_log = true};
    struct cmn_err err = {0};
    struct mb_server *s;
    int sig, rc;

    rc = parse_args(argc, argv, &o);
    if (rc)
        return rc == 1 ? 0 : 2;
    cmn_log_init("MOCK-BACKEND", CMN_LOG_INFO, 1);
    /* Before any thread starts, so that only this one takes the stop signals. */
    cmn_signal_block_stop();
    cmn_http_raise_fd_limit();

    s = mb_server_start(&o, &err);
    if (!s) {
        cmn_log_error("cannot start: %s", err.msg);
        return 1;
    }
    cmn_log_info("mock-backend listening on %s:%u", o.bind, mb_server_port(s));
    sig = cmn_signal_wait_stop();
    cmn_log_info("signal %s received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    mb_server_stop(s, STOP_WAIT_MS);
    cmn_log_info("mock-backend stopped");
    return 0;
}
