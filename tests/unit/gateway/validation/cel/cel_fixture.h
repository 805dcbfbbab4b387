/* cel_fixture.h - a KrakenD CEL environment with fixed request/response/JWT activations for the
 * unit tables (our own test data, spec §6.4 shapes). */
#ifndef CEL_FIXTURE_H
#define CEL_FIXTURE_H

#include "gw_cel.h"

enum fx_phase { FX_REQ, FX_RESP, FX_JWT };

struct fx {
    struct gw_cel_env *env;
    struct gw_cel_arena *arena;
    struct cmn_go_tzdb *tz;
    json_t *data, *claims;
};

struct fx *fx_new(void);
void fx_free(struct fx *f);
/* An activation of one phase (arena reset first). */
struct gw_cel_activation *fx_activation(struct fx *f, enum fx_phase ph);
/* Compiles and evaluates expr against phase ph; the result rendered into out ("!" + message for
 * errors, "?" + message for compile errors). */
void fx_eval(struct fx *f, const char *expr, enum fx_phase ph, char *out, size_t n);

#endif
