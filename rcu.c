/*
 * rcu.c - read-copy-update, the tiny version.
 *
 * Readers (vCPUs looking up TBs or the memory map) enter a read-side
 * section with rcu_read_lock(), which must stay cheap; a writer that
 * removes something waits with synchronize_rcu() until every reader that
 * might still see it has left its section, then frees it.
 *
 * This first version runs a single thread, so every grace period is
 * already over when synchronize_rcu() is called; the read side keeps its
 * per-thread nesting count so callers can be checked.  The threads issue
 * replaces this with per-thread counters and a reclaimer thread.
 */
#include <assert.h>

#include "vm.h"

static __thread int rcu_nesting;    /* read-side sections this thread is in */

void rcu_read_lock(void)
{
    rcu_nesting++;
}

void rcu_read_unlock(void)
{
    assert(rcu_nesting > 0);
    rcu_nesting--;
}

void synchronize_rcu(void)
{
    assert(rcu_nesting == 0);       /* waiting inside a read section deadlocks */
}
