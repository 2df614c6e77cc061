/*
 * bql.c - the big lock (BQL, QEMU's "big QEMU lock"): one mutex that
 * protects device and interrupt-controller state and the machine's
 * configuration.
 *
 * Threads: the main loop holds it except while it waits in epoll; a vCPU
 * thread takes it only to touch a device, acknowledge an interrupt or run
 * queued work, never while it runs translated code.
 *
 * The lock is not recursive: taking it twice on one thread, or releasing
 * it without holding it, is a bug and fails an assertion.  bql_held is
 * thread-local, so bql_locked() answers for the calling thread only and
 * needs no lock; functions assert(bql_locked()) to state what they need.
 */
#include <assert.h>

#include "vm.h"

static pthread_mutex_t bql = PTHREAD_MUTEX_INITIALIZER;
static __thread int bql_held;   /* does this thread hold the BQL? */

/* Take the BQL; the calling thread must not hold it already. */
void bql_lock(void)
{
    assert(!bql_held);
    pthread_mutex_lock(&bql);
    bql_held = 1;
}

/* Release the BQL, which the calling thread holds. */
void bql_unlock(void)
{
    assert(bql_held);
    bql_held = 0;
    pthread_mutex_unlock(&bql);
}

/* Does the calling thread hold the BQL? */
int bql_locked(void)
{
    return bql_held;
}

/* Sleep on cond with the BQL released, as pthread_cond_wait does with its
 * mutex; the BQL is held again on return.  Wake-ups may be spurious, so
 * wait in a loop that tests the condition.  BQL held. */
void bql_cond_wait(pthread_cond_t *cond)
{
    assert(bql_held);
    bql_held = 0;
    pthread_cond_wait(cond, &bql);
    bql_held = 1;
}
