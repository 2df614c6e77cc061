/*
 * test_rcu.c - host unit test of rcu.c, in the spirit of Linux's rcutorture.
 *
 *   1. Misuse fails an assertion: synchronize_rcu inside a read-side
 *      section, rcu_read_unlock outside one, rcu_read_lock on a thread that
 *      is not registered (forked children, before any thread exists).
 *   2. A grace period waits for a section that was running when it began:
 *      synchronize_rcu returns, and a call_rcu callback runs, only after
 *      that reader has left.
 *   3. rcu_drain also waits for callbacks queued by callbacks.
 *   4. Torture: reader threads loop over (sometimes nested, sometimes long)
 *      sections that load a shared pointer and check the object's magic
 *      value and contents at the start and at the end of the section,
 *      while writer threads keep replacing the object and free the old one
 *      with call_rcu or with synchronize_rcu + free.  Freeing poisons the
 *      object first, so a reader that could still see it fails the check;
 *      the reader also checks that it is the same object at the end (malloc
 *      may hand a freed one straight back to a writer, valid again); and
 *      under AddressSanitizer any read after the free is reported.
 *      Every writer must finish its updates (grace periods end even though
 *      readers are always in some section) and, after rcu_drain, every
 *      callback must have run.
 * Prints one line and exits 0 on success.
 */
#include <assert.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

#define NREADERS    4
#define NWRITERS    2
#define NUPDATES    10000       /* per writer */
#define SYNC_EVERY  16          /* every 16th update frees with synchronize_rcu */
#define LONG_EVERY  256         /* every 256th read-side section sleeps */
#define LONG_NS     50000       /* for 50 us */

#define MAGIC       0x5ca1ab1e0ddba11ULL
#define POISON      0xdeadbeefdeadbeefULL
#define NDATA       8

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "test_rcu: FAIL: %s\n", what);
        failures++;
    }
}

static void sleep_ns(long ns)
{
    struct timespec ts = { ns / 1000000000, ns % 1000000000 };

    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- 1. assertions --------------------------------------------------------- */

static void sync_in_section(void)
{
    rcu_register_thread();
    rcu_read_lock();
    synchronize_rcu();
}

static void unlock_outside(void)
{
    rcu_register_thread();
    rcu_read_unlock();
}

static void lock_unregistered(void)
{
    rcu_read_lock();
}

/* Does fn() die of SIGABRT (a failed assertion) in a child process?  The
 * child's stderr goes to /dev/null to keep the assertion message out. */
static int aborts(void (*fn)(void))
{
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);

        if (fd >= 0)
            dup2(fd, 2);
        fn();
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return 0;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

/* ---- 2. a grace period waits for a running reader -------------------------- */

static int slow_inside;         /* atomic: the slow reader is in its section */
static int slow_left;           /* atomic: ... and is about to leave it */

/* One section of 50 ms. */
static void *slow_reader(void *arg)
{
    (void)arg;
    rcu_register_thread();
    rcu_read_lock();
    __atomic_store_n(&slow_inside, 1, __ATOMIC_RELEASE);
    sleep_ns(50000000);
    __atomic_store_n(&slow_left, 1, __ATOMIC_RELEASE);
    rcu_read_unlock();
    rcu_unregister_thread();
    return NULL;
}

static pthread_t start_slow_reader(void)
{
    pthread_t t;

    __atomic_store_n(&slow_inside, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&slow_left, 0, __ATOMIC_RELAXED);
    pthread_create(&t, NULL, slow_reader, NULL);
    while (!__atomic_load_n(&slow_inside, __ATOMIC_ACQUIRE))
        sleep_ns(100000);
    return t;
}

static int cb_ran_after_left = -1;      /* atomic: -1 not run, else slow_left */

static void note_cb(RCUHead *head)
{
    (void)head;
    __atomic_store_n(&cb_ran_after_left, __atomic_load_n(&slow_left, __ATOMIC_ACQUIRE),
                     __ATOMIC_RELEASE);
}

static void test_waits_for_reader(void)
{
    RCUHead head;
    pthread_t t = start_slow_reader();

    synchronize_rcu();
    check(__atomic_load_n(&slow_left, __ATOMIC_ACQUIRE),
          "synchronize_rcu returned while a reader was still in its section");
    pthread_join(t, NULL);

    t = start_slow_reader();
    call_rcu(&head, note_cb);
    sleep_ns(10000000);
    check(__atomic_load_n(&cb_ran_after_left, __ATOMIC_ACQUIRE) == -1,
          "call_rcu callback ran during a reader's section");
    pthread_join(t, NULL);
    rcu_drain();
    check(__atomic_load_n(&cb_ran_after_left, __ATOMIC_ACQUIRE) == 1,
          "call_rcu callback did not run after the reader left");
}

/* ---- 3. rcu_drain and callbacks that queue callbacks ----------------------- */

static RCUHead chain_heads[3];
static int chain_ran;           /* atomic */

/* Each link queues the next one. */
static void chain_cb(RCUHead *head)
{
    int i = head - chain_heads;

    __atomic_add_fetch(&chain_ran, 1, __ATOMIC_RELAXED);
    if (i + 1 < 3)
        call_rcu(&chain_heads[i + 1], chain_cb);
}

static void test_drain_chain(void)
{
    call_rcu(&chain_heads[0], chain_cb);
    rcu_drain();
    check(__atomic_load_n(&chain_ran, __ATOMIC_RELAXED) == 3,
          "rcu_drain returned before callbacks queued by callbacks ran");
}

/* ---- 4. torture ------------------------------------------------------------- */

typedef struct Obj {
    RCUHead rcu;                /* first, so the callback can cast back */
    uint64_t magic;             /* MAGIC while reachable, POISON once freed */
    uint64_t data[NDATA];       /* data[i] = serial * (i + 1) */
} Obj;

static Obj *shared;             /* atomic: release to publish, acquire to read */
static uint64_t serial;         /* atomic: numbers the objects */
static int stop;                /* atomic: readers stop */

/* atomic counters, read by main after the threads are joined */
static unsigned long n_reads, n_bad, n_updates, n_syncs, n_callbacks;

static Obj *obj_new(void)
{
    Obj *o = malloc(sizeof(*o));
    uint64_t s = __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED);
    int i;

    assert(o);
    o->magic = MAGIC;
    for (i = 0; i < NDATA; i++)
        o->data[i] = s * (i + 1);
    return o;
}

/* Poison, then free: a reader that still sees o fails obj_ok. */
static void obj_free(Obj *o)
{
    o->magic = POISON;
    memset(o->data, 0xA5, sizeof(o->data));
    free(o);
}

static void obj_free_cb(RCUHead *head)
{
    obj_free((Obj *)head);
    __atomic_add_fetch(&n_callbacks, 1, __ATOMIC_RELAXED);
}

static int obj_ok(const Obj *o)
{
    int i;

    if (o->magic != MAGIC)
        return 0;
    for (i = 1; i < NDATA; i++)
        if (o->data[i] != o->data[0] * (i + 1))
            return 0;
    return 1;
}

/* Check the current object at the start and at the end of each section
 * (still the same object: a freed one may come back from malloc, valid);
 * every 4th section re-reads the pointer in a nested one, every
 * LONG_EVERY-th sleeps inside so writers have to wait for it. */
static void *torture_reader(void *arg)
{
    unsigned long reads = 0, bad = 0;

    (void)arg;
    rcu_register_thread();
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
        Obj *o;
        uint64_t first;

        rcu_read_lock();
        o = __atomic_load_n(&shared, __ATOMIC_ACQUIRE);
        bad += !obj_ok(o);
        first = o->data[0];
        if (reads % 4 == 0) {
            rcu_read_lock();
            bad += !obj_ok(__atomic_load_n(&shared, __ATOMIC_ACQUIRE));
            rcu_read_unlock();
        }
        if (reads % LONG_EVERY == 0)
            sleep_ns(LONG_NS);
        bad += !obj_ok(o) || o->data[0] != first;     /* not freed and reused */
        rcu_read_unlock();
        reads++;
    }
    rcu_unregister_thread();
    __atomic_add_fetch(&n_reads, reads, __ATOMIC_RELAXED);
    __atomic_add_fetch(&n_bad, bad, __ATOMIC_RELAXED);
    return NULL;
}

/* Replace the object NUPDATES times; free the old one after a grace period,
 * mostly with call_rcu (sometimes queued from inside a section), every
 * SYNC_EVERY-th time by waiting in synchronize_rcu. */
static void *torture_writer(void *arg)
{
    int i;

    (void)arg;
    rcu_register_thread();
    for (i = 0; i < NUPDATES; i++) {
        Obj *old = __atomic_exchange_n(&shared, obj_new(), __ATOMIC_ACQ_REL);

        if (i % SYNC_EVERY == 0) {
            synchronize_rcu();
            obj_free(old);
            __atomic_add_fetch(&n_syncs, 1, __ATOMIC_RELAXED);
        } else if (i % 7 == 0) {
            rcu_read_lock();
            call_rcu(&old->rcu, obj_free_cb);
            rcu_read_unlock();
        } else {
            call_rcu(&old->rcu, obj_free_cb);
        }
        __atomic_add_fetch(&n_updates, 1, __ATOMIC_RELAXED);
    }
    rcu_unregister_thread();
    return NULL;
}

static void test_torture(void)
{
    pthread_t readers[NREADERS], writers[NWRITERS];
    unsigned long expect_cb;
    int i;

    __atomic_store_n(&shared, obj_new(), __ATOMIC_RELEASE);
    for (i = 0; i < NREADERS; i++)
        pthread_create(&readers[i], NULL, torture_reader, NULL);
    for (i = 0; i < NWRITERS; i++)
        pthread_create(&writers[i], NULL, torture_writer, NULL);
    for (i = 0; i < NWRITERS; i++)
        pthread_join(writers[i], NULL);
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (i = 0; i < NREADERS; i++)
        pthread_join(readers[i], NULL);

    /* The last object too; drained with the BQL held, as at exit. */
    call_rcu(&__atomic_load_n(&shared, __ATOMIC_ACQUIRE)->rcu, obj_free_cb);
    bql_lock();
    rcu_drain();
    bql_unlock();

    expect_cb = (unsigned long)NWRITERS * NUPDATES - n_syncs + 1;
    check(n_updates == (unsigned long)NWRITERS * NUPDATES, "writers did not finish");
    if (n_bad)
        fprintf(stderr, "test_rcu: %lu bad reads\n", n_bad);
    check(n_bad == 0, "a reader saw a freed, poisoned or reused object");
    check(n_reads > 0, "readers did not run");
    check(n_callbacks == expect_cb, "not every call_rcu callback ran");
}

int main(void)
{
    double t0 = now_s();

    check(aborts(sync_in_section), "synchronize_rcu in a section does not abort");
    check(aborts(unlock_outside), "rcu_read_unlock outside a section does not abort");
    check(aborts(lock_unregistered), "rcu_read_lock unregistered does not abort");

    rcu_init();
    test_waits_for_reader();
    test_drain_chain();
    test_torture();

    if (failures) {
        printf("test_rcu: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_rcu: ok (%d readers: %lu sections; %d writers: %lu updates, "
           "%lu synchronize_rcu, %lu callbacks; %.2f s)\n",
           NREADERS, n_reads, NWRITERS, n_updates, n_syncs, n_callbacks,
           now_s() - t0);
    return 0;
}
