/* cmn_clock.h - wall and monotonic clocks, read only at the edges (parsers take `now`). */
#ifndef CMN_CLOCK_H
#define CMN_CLOCK_H

#include <stdint.h>

/* Seconds since the Unix epoch (CLOCK_REALTIME). */
int64_t cmn_clock_unix(void);
/* Milliseconds since the Unix epoch. */
int64_t cmn_clock_unix_ms(void);
/* Milliseconds of CLOCK_MONOTONIC, for timeouts and durations. */
int64_t cmn_clock_mono_ms(void);
/* Microseconds of CLOCK_MONOTONIC. */
int64_t cmn_clock_mono_us(void);

#endif
