/* fuzz_httpcache_headers.c - libFuzzer target for what the http-cache reads from backend and
 * client headers (Cache-Control, Date, Expires, Vary, ETag, Connection) and for whole exchanges
 * through a small store: store, look up, revalidate with a 304, fail over to a stale entry.
 * Input: "Name: value" lines; a line "--" separates the response (first) from the request; the
 * first byte picks the method, the status and the clock. */
#include "gw_hc_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits text (modified in place) into the two header lists: the response's, then after a
 * "--" line the request's. */
static void split(char *text, struct gw_hdrs *resp, struct gw_hdrs *req)
{
    struct gw_hdrs *cur = resp;

    for (char *p = text, *next; p && *p; p = next) {
        char *colon;

        next = strchr(p, '\n');
        if (next)
            *next++ = '\0';
        if (strcmp(p, "--") == 0) {
            cur = req;
            continue;
        }
        colon = strchr(p, ':');
        if (!colon || cur->n >= MAX_FIELDS)
            continue;
        *colon = '\0';
        gw_hdrs_add(cur, p, colon[1] == ' ' ? colon + 2 : colon + 1);
    }
}

/* One exchange through the store: the request, then (when it goes out) the backend's answer
 * (status 0: a transport error). */
static void exchange(struct gw_hc_store *s, const char *method, const struct gw_hdrs *rq,
                     long status, const struct gw_hdrs *rs, int64_t now)
{
    struct gw_outreq req = {0};
    struct gw_fetch_result res = {0};
    struct gw_hc_plan plan;
    struct cmn_err err;

    req.method = (char *)(uintptr_t)method;
    req.url = (char *)(uintptr_t) "http://backend/x";
    req.headers = *rq; /* borrowed: the outreq is not freed */
    if (gw_hc_begin(s, &req, now, &plan, &err) == GW_HC_OK && plan.action == GW_HC_FETCH) {
        res.status = status;
        gw_hdrs_init(&res.headers, 0);
        for (size_t i = 0; status && i < rs->n; i++)
            gw_hdrs_add(&res.headers, rs->v[i].name, rs->v[i].value);
        res.body = strdup(status == 304 ? "" : "body");
        res.body_len = strlen(res.body);
        if (!status)
            res.error = strdup("EOF");
        gw_hc_finish(s, &plan, &res, now, &err);
        if (res.status == 0 && !res.error)
            __builtin_trap(); /* a transport error is either kept or replaced by an entry */
        gw_fetch_result_free(&res);
    }
    gw_hc_plan_free(&plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const directives[] = {"max-age",       "no-cache",  "no-store",
                                             "min-fresh",     "max-stale", "only-if-cached",
                                             "stale-if-error"};
    static const struct cmn_siphash_key key = {1, 2};
    struct gw_hdrs rs, rq;
    struct gw_hc_store *s;
    const char *method;
    char *text;
    int64_t now, sec;
    int32_t ns;
    long status;
    uint8_t ctl;

    if (size < 1 || size > 1 << 16)
        return 0;
    ctl = data[0];
    text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    gw_hdrs_init(&rs, MAX_FIELDS);
    gw_hdrs_init(&rq, MAX_FIELDS);
    split(text, &rs, &rq);
    method = (ctl & 1) ? "HEAD" : "GET";
    status = 100 + (ctl % 5) * 100 + (ctl % 7);
    now = 784111777LL * 1000000000 + (int64_t)(ctl >> 3) * 7 * 1000000000;

    for (size_t i = 0; i < rs.n + rq.n; i++) {
        const struct gw_hdr *f = i < rs.n ? &rs.v[i] : &rq.v[i - rs.n];
        const char *v;
        size_t n;

        if (gw_hc_parse_http_date(f->value, &sec, &ns) && (ns < 0 || ns >= 1000000000))
            __builtin_trap();
        for (size_t d = 0; d < sizeof(directives) / sizeof(directives[0]); d++) {
            if (gw_hc_cc_get(f->value, directives[d], &v, &n) &&
                (v < f->value || v + n > f->value + strlen(f->value)))
                __builtin_trap(); /* a directive's value lies inside the header */
        }
    }
    (void)gw_hc_freshness(&rs, &rq, now);
    (void)gw_hc_stale_on_error(&rs, &rq, now);
    (void)gw_hc_vary_matches(&rs, &rq);
    (void)gw_hc_can_store(&rq, &rs);

    s = gw_hc_store_new(4096, 4, &key);
    if (s) {
        exchange(s, method, &rq, status, &rs, now);             /* store */
        exchange(s, method, &rq, 304, &rs, now + 1000000000);   /* look up, maybe revalidate */
        exchange(s, method, &rq, 0, &rs, now + 2000000000);     /* a transport error */
        exchange(s, method, &rq, 503, &rs, now + 3000000000LL); /* a failing backend */
        if (gw_hc_store_stats(s).items > 4 || gw_hc_store_stats(s).bytes > 4096)
            __builtin_trap();
        gw_hc_store_destroy(s);
    }
    gw_hdrs_free(&rs);
    gw_hdrs_free(&rq);
    free(text);
    return 0;
}
