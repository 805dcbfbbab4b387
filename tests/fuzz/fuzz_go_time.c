/* fuzz_go_time.c - libFuzzer target for Go's time rules in common/go: time.Parse with a layout
 * and a value from the input (feed dates and CEL timestamps come from strangers), Format with
 * the input as layout, and the whole input as TZif data. Nothing may crash, leak or run
 * without bound; a parsed time must be a real date.
 * Input: layout, a newline, then the value (both capped at 1 KiB). Seeds: tests/data/go/time. */
#include "cmn_go_time.h"
#include "cmn_go_tz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 1024

static void check_date(const struct cmn_go_time *t)
{
    struct cmn_go_civil c;
    char out[CMN_GO_RFC3339_MAX];

    cmn_go_time_civil(t, &c);
    if (t->nsec < 0 || t->nsec > 999999999 || c.month < 1 || c.month > 12 || c.day < 1 ||
        c.day > cmn_go_days_in(c.month, c.year) || c.hour > 23 || c.min > 59 || c.sec > 59)
        __builtin_trap();
    if (cmn_go_time_rfc3339(t, true, out) >= CMN_GO_RFC3339_MAX)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t llen = nl ? (size_t)(nl - in) : size;
    const char *value = nl ? nl + 1 : "";
    size_t vlen = nl ? size - llen - 1 : 0;
    static const struct cmn_go_loc local = {"PST", -28800};
    struct cmn_go_time t;
    struct cmn_err err;
    struct cmn_buf out;
    char *layout;

    if (llen > CAP)
        llen = CAP;
    if (vlen > CAP)
        vlen = CAP;
    layout = malloc(llen + 1);
    if (!layout)
        return 0;
    memcpy(layout, in, llen);
    layout[llen] = '\0'; /* a layout is a C string: it ends at its first NUL */
    if (cmn_go_time_parse(layout, value, vlen, NULL, &t, &err) == CMN_GO_TIME_OK)
        check_date(&t);
    if (cmn_go_time_parse_in(layout, value, vlen, &local, &t, &err) == CMN_GO_TIME_OK)
        check_date(&t);
    /* the layout formats the extremes of the calendar */
    cmn_buf_init(&out, 1 << 16);
    t = cmn_go_time_unix(INT64_MAX, 999999999, -86399, "");
    (void)cmn_go_time_format(&t, layout, &out);
    t = cmn_go_time_unix(INT64_MIN, 0, 86399, "ZONE");
    (void)cmn_go_time_format(&t, layout, &out);
    cmn_buf_free(&out);
    free(layout);
    {
        struct cmn_go_tz *z = cmn_go_tz_parse(data, size);
        if (z) {
            char abbr[CMN_GO_ZONE_MAX];
            (void)cmn_go_tz_lookup(z, INT64_MIN, abbr);
            (void)cmn_go_tz_lookup(z, 0, abbr);
            (void)cmn_go_tz_lookup(z, 4102444800LL, abbr);
            (void)cmn_go_tz_lookup(z, INT64_MAX, abbr);
            cmn_go_tz_destroy(z);
        }
    }
    return 0;
}
