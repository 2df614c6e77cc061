/*
 * test_bql.c - host unit test of bql.c.
 *
 *   - bql_locked() answers for the calling thread only;
 *   - several threads incrementing a plain counter under the BQL end with
 *     the exact sum (and ThreadSanitizer sees no race);
 *   - bql_cond_wait() releases the BQL while asleep and holds it on return;
 *   - taking the BQL twice, or releasing it unheld, fails an assertion
 *     (checked in forked children, before any thread is started).
 * Prints one line and exits 0 on success.
 */
#include <assert.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm.h"


#define NTHREADS 4
#define NINCS    20000

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "test_bql: FAIL: %s\n", what);
        failures++;
    }
}

/* ---- assertions ------------------------------------------------------------ */

static void lock_twice(void)
{
    bql_lock();
    bql_lock();
}

static void unlock_unheld(void)
{
    bql_unlock();
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

/* ---- counting under the lock ----------------------------------------------- */

static long counter;            /* BQL */
static int wrong_locked;        /* atomic: bql_locked() said the wrong thing */

static void *count_thread(void *arg)
{
    int i;

    (void)arg;
    for (i = 0; i < NINCS; i++) {
        if (bql_locked())
            __atomic_add_fetch(&wrong_locked, 1, __ATOMIC_RELAXED);
        bql_lock();
        if (!bql_locked())
            __atomic_add_fetch(&wrong_locked, 1, __ATOMIC_RELAXED);
        counter++;
        bql_unlock();
    }
    return NULL;
}

/* ---- bql_locked is per thread ---------------------------------------------- */

static void *locked_elsewhere(void *arg)
{
    int *seen = arg;

    *seen = bql_locked();
    return NULL;
}

/* ---- bql_cond_wait --------------------------------------------------------- */

static pthread_cond_t asleep_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static int asleep;              /* BQL: the waiter is about to wait */
static int ready;               /* BQL: the waiter may go on */
static int waiter_held;         /* written by the waiter before it exits */

static void *waiter(void *arg)
{
    (void)arg;
    bql_lock();
    asleep = 1;
    pthread_cond_signal(&asleep_cond);
    while (!ready)
        bql_cond_wait(&ready_cond);
    waiter_held = bql_locked();
    bql_unlock();
    return NULL;
}

int main(void)
{
    pthread_t t[NTHREADS];
    int seen = -1;
    int i;

    check(aborts(lock_twice), "bql_lock twice does not abort");
    check(aborts(unlock_unheld), "bql_unlock without the lock does not abort");

    check(!bql_locked(), "bql_locked before bql_lock");
    bql_lock();
    check(bql_locked(), "bql_locked after bql_lock");
    pthread_create(&t[0], NULL, locked_elsewhere, &seen);
    pthread_join(t[0], NULL);
    check(seen == 0, "another thread sees bql_locked()");
    bql_unlock();
    check(!bql_locked(), "bql_locked after bql_unlock");

    for (i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, count_thread, NULL);
    for (i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    check(counter == (long)NTHREADS * NINCS, "counter under the BQL is not exact");
    check(wrong_locked == 0, "bql_locked wrong inside the counting threads");

    /* The waiter sets asleep with the BQL held and keeps it until it waits
     * in bql_cond_wait, so we see asleep only if bql_cond_wait released it
     * (else we hang, and the runner's timeout fails the test); and we wait
     * the same way for it. */
    pthread_create(&t[0], NULL, waiter, NULL);
    bql_lock();
    while (!asleep)
        bql_cond_wait(&asleep_cond);
    check(bql_locked(), "bql_cond_wait returned without the BQL");
    ready = 1;
    pthread_cond_signal(&ready_cond);
    bql_unlock();
    pthread_join(t[0], NULL);
    check(waiter_held == 1, "bql_cond_wait returned without the BQL");

    if (failures) {
        printf("test_bql: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_bql: ok (%d threads x %d increments, assertions, cond wait)\n",
           NTHREADS, NINCS);
    return 0;
}
