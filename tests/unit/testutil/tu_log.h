/* tu_log.h - what a test's code under test logged: the process log (cmn_log) goes to a
 * temporary file from tu_log_capture() on, and tu_log_take() hands back the lines written since
 * then, as a user would read them (without the time stamp). */
#ifndef TU_LOG_H
#define TU_LOG_H

#include "cmn_log.h"

/* Sends every line at min_level and above to a fresh capture (replacing any earlier one). */
void tu_log_capture(enum cmn_log_level min_level);
/* The lines logged since the capture started or since the last take, each with the time stamp
 * cut off ("KRAKEND WARNING: [CB] ...\n"); owned text, "" when none. Starts a new capture. */
char *tu_log_take(void);
/* Stops capturing: lines go to stderr at WARNING and above again. */
void tu_log_stop(void);

#endif
