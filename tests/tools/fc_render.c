/* fc_render.c - renders a flexible-configuration template project the way `krakend check`
 * would before parsing it: FC_SETTINGS, FC_PARTIALS, FC_TEMPLATES and FC_OUT from the
 * environment, the text on stdout, the error on stderr (exit 1). A test and comparison aid:
 *   FC_ENABLE=1 FC_SETTINGS=settings FC_PARTIALS=partials fc_render krakend.tmpl > out.json */
#include "cmn_rand.h"
#include "gw_fc.h"

#include <stdio.h>
#include <stdlib.h>

static const char *lookup(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

static bool random_bytes(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    return cmn_rand_bytes(buf, n);
}

int main(int argc, char **argv)
{
    struct gw_fc_env env;
    struct gw_fc_result res;
    struct cmn_buf out;
    struct cmn_err err;
    int rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: %s TEMPLATE (FC_* variables from the environment)\n", argv[0]);
        return 2;
    }
    gw_fc_env_from_lookup(&env, lookup, NULL);
    env.random = random_bytes;
    env.clock = cmn_clock_system();
    cmn_buf_init(&out, 256u * 1024 * 1024);
    if (!gw_fc_render(argv[1], &env, &out, &res, &err)) {
        fprintf(stderr, "ERROR parsing the configuration file: %s\n%s%s", err.msg, res.excerpt,
                res.excerpt[0] ? "\n" : "");
        goto out;
    }
    if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
        goto out;
    if (res.kept)
        fprintf(stderr, "written to %s\n", res.path);
    rc = 0;
out:
    cmn_buf_free(&out);
    return rc;
}
