/* gw_engine.h - the gin engine settings of the `router` namespace that act on every request
 * before a route runs: the client IP (forwarded_by_client_ip, remote_ip_headers,
 * trusted_proxies), the access-log filter (logger_skip_paths) and the lookup path
 * (remove_extra_slash). Built once from the configuration; read-only afterwards. */
#ifndef GW_ENGINE_H
#define GW_ENGINE_H

#include "cmn_http.h"
#include "gw_config.h"
#include "gw_message.h"

#include <stdbool.h>
#include <stddef.h>

struct gw_engine {
    struct gw_client_ip_rules cip;
    bool remove_extra_slash;
    const struct gw_strlist *skip_paths; /* borrowed from the configuration */
    /* storage behind cip */
    const char **headers;
    struct cmn_go_ipnet *trusted;
};

/* From cfg->router (borrowed; must outlive e). False on allocation failure. Entries of
 * trusted_proxies after the first invalid one are dropped, as gin does (the configuration layer
 * warns about it). */
bool gw_engine_init(struct gw_engine *e, const struct gw_config *cfg);
void gw_engine_free(struct gw_engine *e);

/* gin's ClientIP of a request into out. */
void gw_engine_client_ip(const struct gw_engine *e, const struct cmn_http_request *req, char *out,
                         size_t out_size);

/* gin's logger SkipPaths: true when the decoded path equals an entry. */
bool gw_engine_skip_log(const struct gw_engine *e, const char *path);

#endif
