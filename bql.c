/*
 * bql.c - the big QEMU-style lock (BQL): one mutex that protects device
 * and interrupt-controller state and the machine's configuration.
 *
 * The main loop holds it except while it waits in epoll; a vCPU thread
 * takes it only to touch a device or acknowledge an interrupt, never
 * while it runs translated code.  bql_locked() answers for the calling
 * thread, so functions can assert what they need.
 *
 * In this first version there is one thread; the lock already exists so
 * that code written now states its locking rules.
 */
#include "vm.h"

static pthread_mutex_t bql = PTHREAD_MUTEX_INITIALIZER;
static __thread int bql_held;   /* does this thread hold the BQL? */

void bql_lock(void)
{
    pthread_mutex_lock(&bql);
    bql_held = 1;
}

void bql_unlock(void)
{
    bql_held = 0;
    pthread_mutex_unlock(&bql);
}

int bql_locked(void)
{
    return bql_held;
}
