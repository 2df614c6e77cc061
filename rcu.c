/*
 * rcu.c - read-copy-update: readers that take no lock, writers that wait.
 *
 * vCPU threads look up translation blocks and the guest memory map without
 * a lock, inside read-side sections (rcu_read_lock/rcu_read_unlock).  A
 * writer that removes something first publishes the new state, then waits
 * for a grace period - until every section that might still hold a pointer
 * to the old state has ended - and only then frees it: itself, with
 * synchronize_rcu(), or by handing it to call_rcu(), whose callbacks the
 * reclaimer thread runs after a grace period.  docs/rcu.md tells the story.
 *
 * The algorithm is the one of QEMU's util/rcu.c (liburcu's "urcu-mb"):
 *   - rcu_gp_ctr numbers grace periods; synchronize_rcu() advances it.
 *   - every registered thread has an RCUReader whose ctr is 0 outside a
 *     section and, inside one, the value rcu_gp_ctr had when the outermost
 *     section began.  When a grace period advances the counter to gp, a
 *     reader whose ctr is neither 0 nor gp began its section earlier and
 *     must be waited for; the others cannot hold anything already removed.
 *
 * Threads:
 *   - any registered thread: read-side sections.  The read side writes only
 *     its own RCUReader, with plain stores and a barrier: no lock and no
 *     atomic read-modify-write of shared data, so readers on different
 *     CPUs never fight over a cache line.
 *   - any thread outside a section: synchronize_rcu, call_rcu, rcu_drain.
 *   - the reclaimer thread, started by rcu_init: runs call_rcu callbacks.
 *
 * Locks:
 *   - rcu_sync_lock: one grace period at a time; rcu_gp_ctr is written only
 *     with it held (readers load it atomically).
 *   - rcu_registry_lock: the list of registered readers, every write to
 *     RCUReader.waiting, and rcu_gp_cond, where a writer sleeps until a
 *     reader it waits for leaves its section.
 *   - rcu_queue_lock: the callback queue, its counters, rcu_started.
 * Everything shared without a lock (rcu_gp_ctr, RCUReader.ctr and .waiting)
 * is accessed with __atomic builtins.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

/* One per registered thread (thread-local; the registry points at it). */
typedef struct RCUReader {
    /* atomic: written by the owner, read by writers */
    unsigned long ctr;          /* 0 outside a section, else rcu_gp_ctr at entry */
    /* atomic: written under rcu_registry_lock, read by the owner without it */
    int waiting;                /* a writer sleeps until this reader leaves */
    /* owner thread only */
    int nesting;                /* depth of nested read-side sections */
    int registered;
    /* rcu_registry_lock */
    struct RCUReader *next;     /* the next registered reader */
} RCUReader;

static __thread RCUReader rcu_reader;

/* rcu_sync_lock for writes, atomic loads by readers.  Starts at 1 and only
 * grows, so no grace period is ever numbered 0 ("outside a section"). */
static pthread_mutex_t rcu_sync_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long rcu_gp_ctr = 1;

/* rcu_registry_lock */
static pthread_mutex_t rcu_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rcu_gp_cond = PTHREAD_COND_INITIALIZER;
static RCUReader *rcu_registry;         /* every registered reader */

/* rcu_queue_lock: callbacks waiting for a grace period, oldest first. */
static pthread_mutex_t rcu_queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rcu_queue_cond = PTHREAD_COND_INITIALIZER;  /* work for the reclaimer */
static pthread_cond_t rcu_done_cond = PTHREAD_COND_INITIALIZER;   /* rcu_done moved */
static RCUHead *rcu_queue;
static RCUHead **rcu_queue_tail = &rcu_queue;
static unsigned long rcu_queued;        /* callbacks ever queued */
static unsigned long rcu_done;          /* callbacks ever run */
static int rcu_started;                 /* rcu_init has started the reclaimer */

/*
 * A full memory barrier: no load or store moves across it, in the compiler
 * or in the CPU (smp_mb in Linux and QEMU).  A locked OR of 0 into our own
 * stack: the same instruction gcc emits for __atomic_thread_fence
 * (__ATOMIC_SEQ_CST) on x86-64, touching only a cache line this thread
 * owns, and on AMD Zen far cheaper than MFENCE (4 ns against 35 ns for a
 * lock/unlock pair).  Written out because gcc refuses the fence under
 * -fsanitize=thread: ThreadSanitizer does not model fences.  It need not:
 * the happens-before edges it checks come from the release stores and
 * acquire loads of RCUReader.ctr and from the mutexes.
 */
static inline void rcu_smp_mb(void)
{
    __asm__ __volatile__("lock orq $0, (%%rsp)" ::: "memory", "cc");
}

/* Enter a read-side section; sections nest.  Whatever the thread reads
 * through RCU-protected pointers stays allocated until its outermost
 * rcu_read_unlock().  The thread must be registered. */
void rcu_read_lock(void)
{
    RCUReader *r = &rcu_reader;

    assert(r->registered);
    if (r->nesting++ > 0)
        return;                 /* the outermost section already told writers */
    /* Release, so that a writer that reads this value knows our previous
     * section's loads are over (a plain MOV on x86). */
    __atomic_store_n(&r->ctr, __atomic_load_n(&rcu_gp_ctr, __ATOMIC_RELAXED),
                     __ATOMIC_RELEASE);
    /* Our ctr before any protected load.  Pairs with the barrier in
     * rcu_wait_for_readers(): either the writer sees us inside, or we see
     * the new pointer it published before the grace period began. */
    rcu_smp_mb();
}

/* Wake the writer sleeping in rcu_wait_for_readers() on our account.  The
 * reader slow path: taken only when a writer waits for this thread. */
static void rcu_wake_writer(RCUReader *r)
{
    pthread_mutex_lock(&rcu_registry_lock);
    __atomic_store_n(&r->waiting, 0, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&rcu_gp_cond);
    pthread_mutex_unlock(&rcu_registry_lock);
}

/* Leave a read-side section; leaving the outermost one lets writers free
 * what the section read. */
void rcu_read_unlock(void)
{
    RCUReader *r = &rcu_reader;

    assert(r->nesting > 0);
    if (--r->nesting > 0)
        return;
    /* Release: our loads of protected data are done before a writer that
     * sees 0 goes on to free it. */
    __atomic_store_n(&r->ctr, 0, __ATOMIC_RELEASE);
    /* ctr before waiting.  Pairs with the barrier in rcu_wait_for_readers()
     * between its stores to waiting and its loads of ctr: either it sees our
     * 0, or we see its waiting and wake it. */
    rcu_smp_mb();
    if (__atomic_load_n(&r->waiting, __ATOMIC_RELAXED))
        rcu_wake_writer(r);
}

/* Make this thread a reader: writers will wait for its sections.  Call it
 * before the thread's first rcu_read_lock(); threads that only update and
 * never read (or read under a lock) need not register. */
void rcu_register_thread(void)
{
    RCUReader *r = &rcu_reader;

    assert(!r->registered);
    pthread_mutex_lock(&rcu_registry_lock);
    r->next = rcu_registry;
    rcu_registry = r;
    pthread_mutex_unlock(&rcu_registry_lock);
    r->registered = 1;
}

/* Stop being a reader; required before the thread exits, because the
 * registry points into its thread-local storage.  Not inside a section. */
void rcu_unregister_thread(void)
{
    RCUReader *r = &rcu_reader;
    RCUReader **p;

    assert(r->registered && r->nesting == 0);
    pthread_mutex_lock(&rcu_registry_lock);
    for (p = &rcu_registry; *p != r; p = &(*p)->next)
        ;
    *p = r->next;
    pthread_mutex_unlock(&rcu_registry_lock);
    r->registered = 0;
}

/* Is reader r still in a section that began before grace period gp?  The
 * acquire pairs with the release stores of the read side: once we see it
 * out, its loads of what we are about to free are over. */
static int rcu_reader_busy(RCUReader *r, unsigned long gp)
{
    unsigned long ctr = __atomic_load_n(&r->ctr, __ATOMIC_ACQUIRE);

    return ctr != 0 && ctr != gp;
}

/* Sleep until no registered reader is in a section that began before grace
 * period gp.  Called with rcu_registry_lock held; drops it while asleep, so
 * threads can register and unregister meanwhile (hence the full rescan). */
static void rcu_wait_for_readers(unsigned long gp)
{
    for (;;) {
        RCUReader *r;
        int busy = 0;

        for (r = rcu_registry; r; r = r->next)
            __atomic_store_n(&r->waiting, 1, __ATOMIC_RELAXED);
        /* Ask before we look.  Pairs with the barrier in rcu_read_unlock();
         * a reader that sees waiting must take rcu_registry_lock to wake
         * us, which it gets only once pthread_cond_wait has released it, so
         * the wake-up cannot be lost. */
        rcu_smp_mb();
        for (r = rcu_registry; r; r = r->next) {
            if (rcu_reader_busy(r, gp))
                busy = 1;
            else
                __atomic_store_n(&r->waiting, 0, __ATOMIC_RELAXED);
        }
        if (!busy)
            return;
        pthread_cond_wait(&rcu_gp_cond, &rcu_registry_lock);
    }
}

/* Wait for a grace period: return once every read-side section that was
 * running when we were called has ended.  Memory the caller unpublished
 * before the call is then unreachable and can be freed.  Never call it in a
 * read-side section: it would wait for itself. */
void synchronize_rcu(void)
{
    unsigned long gp;

    assert(rcu_reader.nesting == 0);
    pthread_mutex_lock(&rcu_sync_lock);
    /* The caller's unpublishing stores before the new count.  Pairs with
     * the barrier in rcu_read_lock(): a reader that loads the new count
     * then also loads the new pointers. */
    rcu_smp_mb();
    gp = __atomic_load_n(&rcu_gp_ctr, __ATOMIC_RELAXED) + 1;
    __atomic_store_n(&rcu_gp_ctr, gp, __ATOMIC_RELAXED);
    pthread_mutex_lock(&rcu_registry_lock);
    rcu_wait_for_readers(gp);
    pthread_mutex_unlock(&rcu_registry_lock);
    pthread_mutex_unlock(&rcu_sync_lock);
}

/* Take every queued callback, oldest first; sleep while there is none.
 * Reclaimer thread. */
static RCUHead *rcu_take_batch(void)
{
    RCUHead *batch;

    pthread_mutex_lock(&rcu_queue_lock);
    while (!rcu_queue)
        pthread_cond_wait(&rcu_queue_cond, &rcu_queue_lock);
    batch = rcu_queue;
    rcu_queue = NULL;
    rcu_queue_tail = &rcu_queue;
    pthread_mutex_unlock(&rcu_queue_lock);
    return batch;
}

/* The reclaimer thread: one grace period per batch of callbacks, then run
 * them.  Callbacks queued while a grace period runs wait for the next one,
 * so a busy writer's callbacks batch up by themselves.  Callbacks run
 * without the BQL and must not take it (rcu_drain may be called with it). */
static void *rcu_reclaimer(void *arg)
{
    (void)arg;
    rcu_register_thread();      /* so callbacks may use read-side sections */
    for (;;) {
        RCUHead *batch = rcu_take_batch();
        unsigned long n = 0;

        /* Every callback in the batch was queued, and its object already
         * unpublished, before this grace period began. */
        synchronize_rcu();
        while (batch) {
            RCUHead *next = batch->next;    /* func frees batch */

            batch->func(batch);
            batch = next;
            n++;
        }
        pthread_mutex_lock(&rcu_queue_lock);
        rcu_done += n;
        pthread_cond_broadcast(&rcu_done_cond);
        pthread_mutex_unlock(&rcu_queue_lock);
    }
    return NULL;
}

/* Have func(head) called on the reclaimer thread after a grace period;
 * head is usually embedded in the object func frees.  Any thread, in a
 * read-side section or not; never waits for the grace period. */
void call_rcu(RCUHead *head, void (*func)(RCUHead *head))
{
    head->next = NULL;
    head->func = func;
    pthread_mutex_lock(&rcu_queue_lock);
    assert(rcu_started);
    *rcu_queue_tail = head;
    rcu_queue_tail = &head->next;
    rcu_queued++;
    pthread_cond_signal(&rcu_queue_cond);
    pthread_mutex_unlock(&rcu_queue_lock);
}

/* Wait until every callback queued so far - and any they queue in turn -
 * has run.  At exit, so that everything handed to call_rcu is freed.  Not
 * inside a read-side section (the reclaimer would wait for us). */
void rcu_drain(void)
{
    assert(rcu_reader.nesting == 0);
    pthread_mutex_lock(&rcu_queue_lock);
    while (rcu_done != rcu_queued)
        pthread_cond_wait(&rcu_done_cond, &rcu_queue_lock);
    pthread_mutex_unlock(&rcu_queue_lock);
}

/* Start the reclaimer thread and register the calling (main) thread as a
 * reader.  Once, before any other thread uses RCU and before any call_rcu. */
void rcu_init(void)
{
    pthread_t thread;
    int err;

    pthread_mutex_lock(&rcu_queue_lock);
    assert(!rcu_started);
    rcu_started = 1;
    pthread_mutex_unlock(&rcu_queue_lock);
    err = pthread_create(&thread, NULL, rcu_reclaimer, NULL);
    if (err) {
        fprintf(stderr, "vm: rcu: pthread_create: %s\n", strerror(err));
        abort();
    }
    pthread_detach(thread);
    rcu_register_thread();
}
