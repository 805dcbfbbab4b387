/* mt_config.h - mock-thunder's command line and THUNDER_* environment variables (a flag wins
 * over its variable), parsed once into an immutable struct. */
#ifndef MT_CONFIG_H
#define MT_CONFIG_H

#include "cmn_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define MT_DEFAULT_PORT 8090
#define MT_DEFAULT_DATA_DIR "thunder-data"
#define MT_DEFAULT_ADMIN_ID "thunder-admin"
#define MT_DEFAULT_ADMIN_SECRET "thunder-admin-secret"
#define MT_MAX_HOSTNAMES 16

struct mt_config {
    unsigned port;
    char *bind;   /* NULL: every address */
    char *issuer; /* NULL: scheme://localhost:<bound port>; never a trailing slash */
    char *hostnames[MT_MAX_HOSTNAMES];
    size_t n_hostnames;
    char *data_dir; /* NULL when ephemeral */
    bool ephemeral;
    char *cert_file;
    char *key_file;
    bool http;
    char *seed_file;
    bool strict_client_auth;
    char *admin_client_id;
    char *admin_client_secret;
    bool admin_from_defaults; /* neither flag nor variable gave the credentials */
    char *log_level;
};

enum mt_config_status {
    MT_CONFIG_OK = 0,
    MT_CONFIG_HELP,  /* --help: print usage, exit 0 */
    MT_CONFIG_ERROR, /* err says why */
};

/* Parses argv and the environment through getenv_fn (getenv in main, a fake in tests). */
enum mt_config_status mt_config_parse(struct mt_config *c, int argc, char **argv,
                                      const char *(*getenv_fn)(const char *name),
                                      struct cmn_err *err);
void mt_config_free(struct mt_config *c);
/* Writes --help text. */
void mt_config_usage(FILE *out, const char *prog);

#endif
