/* cmn_signal.c - the stop signals, taken by the main thread. */
#include "cmn_signal.h"

#include <pthread.h>
#include <signal.h>

static void stop_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
}

void cmn_signal_block_stop(void)
{
    sigset_t set;

    stop_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cmn_signal_wait_stop(void)
{
    sigset_t set;
    int sig = 0;

    stop_set(&set);
    while (sigwait(&set, &sig) != 0)
        ;
    return sig;
}
