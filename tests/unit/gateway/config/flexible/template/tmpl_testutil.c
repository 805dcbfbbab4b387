/* tmpl_testutil.c - the template tests' runner and deterministic host. */
#include "tmpl_testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *fake_env(void *ctx, const char *name)
{
    (void)ctx;
    if (strcmp(name, "FOO") == 0)
        return "bar";
    if (strcmp(name, "EMPTY") == 0)
        return "";
    if (strcmp(name, "PATHY") == 0)
        return "/x/y";
    return NULL;
}

static bool fake_random(void *ctx, void *buf, size_t n)
{
    static unsigned char next = 1;

    (void)ctx;
    for (size_t i = 0; i < n; i++)
        ((unsigned char *)buf)[i] = next++;
    return true;
}

/* 2023-11-14T22:13:20.123Z, standing still */
static struct cmn_clock_manual clock_;

const struct gw_tmpl_host *tt_host(void)
{
    static struct gw_tmpl_host h = {NULL, fake_env, NULL, fake_random, NULL, NULL};

    if (!h.clock) {
        cmn_clock_manual_init(&clock_, 1000, 1700000000123);
        h.clock = &clock_.clock;
    }
    return &h;
}

int tt_run_ex(const char *tmpl, const char *data, const struct gw_tmpl_limits *lim,
              const struct gw_tmpl_host *host, char **out, char *errbuf, size_t errsz)
{
    struct gw_tmpl_set *s = gw_tmpl_set_new(lim);
    struct cmn_err err;
    struct cmn_buf b;
    json_t *j = NULL;
    int rc;

    *out = NULL;
    errbuf[0] = '\0';
    cmn_buf_init(&b, 64 * 1024 * 1024);
    if (!s)
        return GW_TMPL_NOMEM;
    if (data) {
        json_error_t je;
        j = json_loads(data, JSON_DECODE_INT_AS_REAL | JSON_DECODE_ANY, &je);
        if (!j) {
            snprintf(errbuf, errsz, "bad test data: %s", je.text);
            gw_tmpl_set_destroy(s);
            return -1;
        }
    }
    rc = gw_tmpl_parse(s, "t", tmpl, strlen(tmpl), &err);
    if (rc == GW_TMPL_OK)
        rc = gw_tmpl_execute(s, "t", j, host ? host : tt_host(), &b, &err);
    if (rc != GW_TMPL_OK)
        snprintf(errbuf, errsz, "%s", err.msg);
    *out = strdup(b.data ? b.data : "");
    cmn_buf_free(&b);
    json_decref(j);
    gw_tmpl_set_destroy(s);
    return rc;
}

int tt_run(const char *tmpl, const char *data, char **out, char *errbuf, size_t errsz)
{
    return tt_run_ex(tmpl, data, NULL, NULL, out, errbuf, errsz);
}

int tt_check_table(const struct tcase *cases, size_t n)
{
    int failures = 0;

    for (size_t i = 0; i < n; i++) {
        const struct tcase *c = &cases[i];
        char err[1024], *out = NULL;
        int rc = tt_run(c->tmpl, c->data, &out, err, sizeof(err));
        if (c->err) {
            if (rc == GW_TMPL_OK || !strstr(err, c->err)) {
                fprintf(stderr,
                        "FAIL %s: %s\n  want error containing: %s\n  got: rc=%d [%s] out=[%s]\n",
                        c->name, c->tmpl, c->err, rc, err, out ? out : "");
                failures++;
            }
        } else if (rc != GW_TMPL_OK || !out || strcmp(out, c->out) != 0) {
            fprintf(stderr, "FAIL %s: %s\n  want: [%s]\n  got:  [%s] %s\n", c->name, c->tmpl,
                    c->out, out ? out : "(null)", err);
            failures++;
        }
        free(out);
    }
    return failures;
}
