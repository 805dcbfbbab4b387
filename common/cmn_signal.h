/* cmn_signal.h - how the three programs stop: SIGINT and SIGTERM blocked in every thread and
 * taken by the main thread with sigwait, SIGPIPE ignored (a peer that goes away is a write
 * error, not the end of the process). */
#ifndef CMN_SIGNAL_H
#define CMN_SIGNAL_H

/* Call before any thread starts: blocks SIGINT and SIGTERM (threads inherit the mask) and
 * ignores SIGPIPE. */
void cmn_signal_block_stop(void);
/* Waits for SIGINT or SIGTERM (blocked by cmn_signal_block_stop); returns which. */
int cmn_signal_wait_stop(void);

#endif
