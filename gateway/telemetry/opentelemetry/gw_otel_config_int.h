/* gw_otel_config_int.h - internals shared by the telemetry/opentelemetry decoder
 * (gw_otel_decode.c) and the configuration builder (gw_otel_config.c). */
#ifndef GW_OTEL_CONFIG_INT_H
#define GW_OTEL_CONFIG_INT_H

#include "gw_otel_config.h"

#include <stdbool.h>
#include <stddef.h>

enum ftype { FT_STR, FT_BOOL, FT_INT, FT_UINT, FT_FLOAT, FT_STRS, FT_KVS, FT_OBJ, FT_OBJS };

struct odesc;

struct fdesc {
    const char *key;
    enum ftype t;
    size_t off;     /* destination */
    size_t set_off; /* bool set when a non-null value was decoded; NOSET when untracked */
    size_t n_off;   /* FT_OBJS: the element count */
    const char *go_type;
    const struct odesc *sub;
};

struct ignored {
    const char *key;
    const char *why;
};

struct odesc {
    const char *go_struct; /* "ConfigData" */
    const struct fdesc *f;
    size_t n;
    size_t size; /* element size (FT_OBJS) */
    const struct ignored *ig;
    void (*free_fn)(void *); /* frees one element's contents (FT_OBJS) */
};

#define NOSET ((size_t)-1)

struct dctx {
    struct cmn_err *err;
    struct gw_tel_strs *warn;
    bool failed;
    bool nomem;
};

/* krakend-otel's structs, as Go decodes them */
struct raw_global {
    bool dm, dt, dp, rh;
    struct gw_tel_strs skip;
    struct gw_tel_kvs ms, ts;
    char *semconv;
};

struct raw_backend {
    bool has_metrics, has_traces;
    struct gw_otel_backend_layer metrics, traces;
};

struct raw_layers {
    bool has_global, has_proxy, has_backend;
    struct raw_global global;
    struct gw_otel_proxy_opts proxy;
    struct raw_backend backend;
};

struct raw_root {
    char *service_name, *service_version, *deploy_env;
    bool has_layers;
    struct raw_layers layers;
    struct gw_otel_otlp_exporter *otlp;
    size_t n_otlp;
    struct gw_otel_prom_exporter *prom;
    size_t n_prom;
    struct gw_tel_strs skip_paths;
    bool has_period, has_rate;
    long long period;
    double rate;
};

/* The descriptors of ConfigData (the service block) and LayersOpts (an override). */
extern const struct odesc GW_OCD_ROOT;
extern const struct odesc GW_OCD_LAYERS;

/* Decodes obj into dst as Go's encoding/json would (see gw_otel_decode.c). */
void gw_ocd_decode_obj(struct dctx *d, const json_t *obj, const struct odesc *od, void *dst,
                       const char *path, const char *gopath);
void gw_ocd_warnf(struct dctx *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* snprintf that may truncate on purpose (paths and messages are capped). */
void gw_ocd_fmt(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
const char *gw_ocd_json_kind(const json_t *v, char *num, size_t cap);
void gw_ocd_otlp_free(void *p);
void gw_ocd_prom_free(void *p);
void gw_ocd_raw_layers_free(struct raw_layers *l);
void gw_ocd_raw_root_free(struct raw_root *r);

#endif
