/* cmn_go_time_int.h - what Format (cmn_go_time.c) and Parse (cmn_go_time_parse.c) share: Go's
 * layout elements and the scanner that finds them (nextStdChunk). Private to common/go. */
#ifndef CMN_GO_TIME_INT_H
#define CMN_GO_TIME_INT_H

#include "cmn_go_time.h"

#include <stdbool.h>
#include <stddef.h>

enum cmn_go_std {
    STD_NONE = 0,
    STD_LONG_MONTH,       /* January */
    STD_MONTH,            /* Jan */
    STD_NUM_MONTH,        /* 1 */
    STD_ZERO_MONTH,       /* 01 */
    STD_LONG_WEEKDAY,     /* Monday */
    STD_WEEKDAY,          /* Mon */
    STD_DAY,              /* 2 */
    STD_UNDER_DAY,        /* _2 */
    STD_ZERO_DAY,         /* 02 */
    STD_UNDER_YEAR_DAY,   /* __2 */
    STD_ZERO_YEAR_DAY,    /* 002 */
    STD_HOUR,             /* 15 */
    STD_HOUR12,           /* 3 */
    STD_ZERO_HOUR12,      /* 03 */
    STD_MINUTE,           /* 4 */
    STD_ZERO_MINUTE,      /* 04 */
    STD_SECOND,           /* 5 */
    STD_ZERO_SECOND,      /* 05 */
    STD_LONG_YEAR,        /* 2006 */
    STD_YEAR,             /* 06 */
    STD_PM,               /* PM */
    STD_PM_LOWER,         /* pm */
    STD_TZ,               /* MST */
    STD_ISO_TZ,           /* Z0700 */
    STD_ISO_SECONDS_TZ,   /* Z070000 */
    STD_ISO_SHORT_TZ,     /* Z07 */
    STD_ISO_COLON_TZ,     /* Z07:00 */
    STD_ISO_COLON_SEC_TZ, /* Z07:00:00 */
    STD_NUM_TZ,           /* -0700 */
    STD_NUM_SECONDS_TZ,   /* -070000 */
    STD_NUM_SHORT_TZ,     /* -07 */
    STD_NUM_COLON_TZ,     /* -07:00 */
    STD_NUM_COLON_SEC_TZ, /* -07:00:00 */
    STD_FRAC0,            /* .000 or ,000: that many digits */
    STD_FRAC9,            /* .999 or ,999: at most that many, trailing zeros removed */
};

/* One step of a layout: prefix literal bytes, then the element std of len bytes (STD_NONE at
 * the end: prefix is then the rest of the layout). */
struct cmn_go_chunk {
    size_t prefix;
    enum cmn_go_std std;
    size_t len;
    int frac_digits; /* STD_FRAC0/9: digits after the separator */
    char frac_sep;   /* '.' or ',' */
};

/* Go's nextStdChunk over l[0..n). */
struct cmn_go_chunk cmn_go_next_chunk(const char *l, size_t n);

/* Month and day names as Go spells them: index 0 is January / Sunday. */
extern const char *const cmn_go_long_months[12];
extern const char *const cmn_go_long_days[7];

#endif
