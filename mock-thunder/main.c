/* main.c - mock-thunder entry point: configuration, logging, signals, start and stop. */
#include "cmn_http.h"
#include "cmn_log.h"
#include "mt_config.h"
#include "mt_server.h"
#include "cmn_signal.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static const char *env(const char *name)
{
    return getenv(name);
}

int main(int argc, char **argv)
{
    struct mt_config cfg;
    struct cmn_err err = {0};
    struct mt_server *s;
    enum cmn_log_level level = CMN_LOG_INFO;
    int sig;

    switch (mt_config_parse(&cfg, argc, argv, env, &err)) {
    case MT_CONFIG_HELP:
        mt_config_usage(stdout, argv[0]);
        mt_config_free(&cfg);
        return 0;
    case MT_CONFIG_ERROR:
        fprintf(stderr, "mock-thunder: %s\n", err.msg);
        mt_config_free(&cfg);
        return 2;
    case MT_CONFIG_OK:
        break;
    }
    if (cfg.log_level && !cmn_log_level_parse(cfg.log_level, &level)) {
        fprintf(stderr, "mock-thunder: unknown log level %s\n", cfg.log_level);
        mt_config_free(&cfg);
        return 2;
    }
    cmn_log_init("MOCK-THUNDER", level, 1);
    /* Before threads start, so that only this one takes the stop signals. */
    cmn_signal_block_stop();
    cmn_http_raise_fd_limit();
    s = mt_server_start(&cfg, &err);
    if (!s) {
        cmn_log_error("cannot start: %s", err.msg);
        fprintf(stderr, "mock-thunder: %s\n", err.msg);
        mt_config_free(&cfg);
        return 1;
    }
    sig = cmn_signal_wait_stop();
    cmn_log_info("stopping (signal %d)", sig);
    mt_server_stop(s);
    mt_config_free(&cfg);
    return 0;
}
