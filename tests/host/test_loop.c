/*
 * test_loop.c - host unit test of loop.c: timers fire in deadline order
 * and never early, timer_mod re-arms and timer_del cancels (also from
 * another thread), fd handlers see readable pipes and stop when removed,
 * bottom halves scheduled from other threads run on the loop thread with
 * the BQL held and coalesce, and loop_request_exit from any thread ends
 * loop_run with its status.
 *
 * The main thread runs loop_run once per test; helper threads poke it.
 * Everything a callback records is written on the loop thread with the BQL
 * held and read by main after loop_run returns, or is atomic.
 * Runs in well under a second; exit status 0 and one summary line on
 * success, the failed check on stderr and status 1 otherwise (a lost
 * wake-up would hang loop_run: SIGALRM ends the test after 10 s).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

#define MS          1000000LL       /* ns */
#define LATE_MAX    (20 * MS)       /* a timer may fire this late, never early */

#define CHECK(cond)                                                     \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "test_loop: %s:%d: check failed: %s\n",     \
                    __FILE__, __LINE__, #cond);                         \
            exit(1);                                                    \
        }                                                               \
    } while (0)

static pthread_t main_thread;
static int checks;                  /* main thread only */

/* loop.c's main_loop_run starts the vCPU threads, which live in cpu.c. */
void cpu_start_threads(Machine *m)
{
    (void)m;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

/* Every callback must run on the loop (main) thread with the BQL held. */
static void check_loop_context(void)
{
    CHECK(bql_locked());
    CHECK(pthread_equal(pthread_self(), main_thread));
}

/* Run the loop and check it returns want, with the BQL released. */
static void run_expect(int want)
{
    int status;

    CHECK(!bql_locked());
    status = loop_run();
    CHECK(status == want);
    CHECK(!bql_locked());
    checks++;
}

static void exit_cb(void *opaque)
{
    check_loop_context();
    loop_request_exit((int)(intptr_t)opaque);
}

/* ---- timers ----------------------------------------------------------------- */

typedef struct Probe {
    Timer *t;
    int64_t deadline;           /* when it should fire */
    int fired;                  /* how many times */
    int64_t when;               /* clock_ns() at the last firing */
    int order;                  /* fire_seq at the last firing */
} Probe;

static int fire_seq;            /* BQL */

static void probe_cb(void *opaque)
{
    Probe *p = opaque;

    check_loop_context();
    p->fired++;
    p->when = clock_ns();
    p->order = ++fire_seq;
}

/* Arm p's timer at now0 + ms. */
static void probe_arm(Probe *p, int64_t now0, int ms)
{
    p->deadline = now0 + ms * MS;
    timer_mod(p->t, p->deadline);
}

static void check_on_time(const Probe *p)
{
    CHECK(p->fired == 1);
    CHECK(p->when >= p->deadline);              /* never early */
    CHECK(p->when - p->deadline <= LATE_MAX);   /* and not much late */
    checks++;
}

static Probe probes[6];         /* static: the timers stay reachable for LSan */
static Timer *exit_timer;

/* Deadline order, timer_mod later and earlier, timer_del. */
static void test_timer_order(void)
{
    Probe *a = &probes[0], *b = &probes[1], *c = &probes[2];
    Probe *later = &probes[3], *earlier = &probes[4], *deleted = &probes[5];
    int64_t now0;
    int i;

    bql_lock();
    for (i = 0; i < 6; i++)
        probes[i].t = timer_new(probe_cb, &probes[i]);
    exit_timer = timer_new(exit_cb, (void *)(intptr_t)7);
    now0 = clock_ns();
    probe_arm(a, now0, 30);
    probe_arm(b, now0, 10);
    probe_arm(c, now0, 20);
    probe_arm(later, now0, 5);
    probe_arm(later, now0, 25);         /* re-arm: only the new deadline counts */
    probe_arm(earlier, now0, 40);
    probe_arm(earlier, now0, 2);
    probe_arm(deleted, now0, 15);
    timer_del(deleted->t);
    timer_del(deleted->t);              /* deleting an unarmed timer is harmless */
    timer_mod(exit_timer, now0 + 45 * MS);
    bql_unlock();

    fire_seq = 0;
    run_expect(7);
    check_on_time(earlier);
    check_on_time(b);
    check_on_time(c);
    check_on_time(later);
    check_on_time(a);
    CHECK(earlier->order == 1 && b->order == 2 && c->order == 3 &&
          later->order == 4 && a->order == 5);
    CHECK(deleted->fired == 0);
    checks++;
}

/* A periodic timer: re-armed from its own callback at absolute deadlines. */
static struct {
    Timer *t;
    int64_t deadline;
    int ticks;
    int early;                  /* ticks that came before their deadline */
} periodic;

static void periodic_cb(void *opaque)
{
    (void)opaque;
    check_loop_context();
    if (clock_ns() < periodic.deadline)
        periodic.early++;
    if (++periodic.ticks == 5) {
        loop_request_exit(8);
        return;
    }
    periodic.deadline += 5 * MS;
    timer_mod(periodic.t, periodic.deadline);
}

static void test_timer_periodic(void)
{
    int64_t start;

    bql_lock();
    periodic.t = timer_new(periodic_cb, NULL);
    start = clock_ns();
    periodic.deadline = start + 5 * MS;
    timer_mod(periodic.t, periodic.deadline);
    bql_unlock();
    run_expect(8);
    CHECK(periodic.ticks == 5 && periodic.early == 0);
    CHECK(clock_ns() - start >= 25 * MS);
    checks++;
}

/* A timer armed by another thread while the loop sleeps with no deadline:
 * the loop must wake up and recompute its timeout. */
static Probe remote;

static void remote_cb(void *opaque)
{
    probe_cb(opaque);
    loop_request_exit(9);
}

static void *remote_thread(void *arg)
{
    (void)arg;
    sleep_ms(20);
    bql_lock();                         /* the loop released it to wait */
    remote.deadline = clock_ns() + 10 * MS;
    timer_mod(remote.t, remote.deadline);
    bql_unlock();
    return NULL;
}

static void test_timer_from_thread(void)
{
    pthread_t th;

    bql_lock();
    remote.t = timer_new(remote_cb, &remote);
    bql_unlock();
    CHECK(pthread_create(&th, NULL, remote_thread, NULL) == 0);
    run_expect(9);
    pthread_join(th, NULL);
    check_on_time(&remote);
}

/* ---- fd handlers ------------------------------------------------------------ */

static int pipe_a[2], pipe_b[2];
static int got_a, got_b;        /* BQL: bytes each handler read */
static int stale_a;             /* BQL: pipe_a reads by the handler that was replaced */
static Timer *fd_exit_timer;

static int read_byte(int fd)
{
    char c;

    CHECK(read(fd, &c, 1) == 1);
    return c;
}

static void stale_cb(void *opaque)
{
    (void)opaque;
    stale_a++;
}

static void pipe_a_cb(void *opaque)
{
    check_loop_context();
    CHECK(opaque == &got_a);
    CHECK(read_byte(pipe_a[0]) == 'a');
    got_a++;
}

/* pipe_b's byte ends the test: drop both handlers, then make pipe_a readable
 * again; nothing may read it before the exit timer fires. */
static void pipe_b_cb(void *opaque)
{
    (void)opaque;
    check_loop_context();
    CHECK(read_byte(pipe_b[0]) == 'b');
    got_b++;
    loop_set_fd_handler(pipe_a[0], NULL, NULL);
    loop_set_fd_handler(pipe_b[0], NULL, NULL);
    CHECK(write(pipe_a[1], "c", 1) == 1);
    timer_mod(fd_exit_timer, clock_ns() + 20 * MS);
}

static void *pipe_writer(void *arg)
{
    (void)arg;
    sleep_ms(10);
    CHECK(write(pipe_a[1], "a", 1) == 1);
    sleep_ms(10);
    CHECK(write(pipe_b[1], "b", 1) == 1);
    return NULL;
}

static void test_fd_handlers(void)
{
    pthread_t th;

    CHECK(pipe(pipe_a) == 0 && pipe(pipe_b) == 0);
    CHECK(fcntl(pipe_a[0], F_SETFL, O_NONBLOCK) == 0);
    bql_lock();
    fd_exit_timer = timer_new(exit_cb, (void *)(intptr_t)10);
    loop_set_fd_handler(pipe_a[0], stale_cb, NULL);
    loop_set_fd_handler(pipe_a[0], pipe_a_cb, &got_a);      /* replaces stale_cb */
    loop_set_fd_handler(pipe_b[0], pipe_b_cb, NULL);
    bql_unlock();
    CHECK(pthread_create(&th, NULL, pipe_writer, NULL) == 0);
    run_expect(10);
    pthread_join(th, NULL);
    CHECK(got_a == 1 && got_b == 1 && stale_a == 0);
    CHECK(read_byte(pipe_a[0]) == 'c');  /* still there: no handler read it */
    close(pipe_a[0]);
    close(pipe_a[1]);
    close(pipe_b[0]);
    close(pipe_b[1]);
    checks++;
}

/* ---- bottom halves ---------------------------------------------------------- */

static BH *count_bh, *exit_bh, *self_bh;
static int count_runs, self_runs;   /* BQL */

static void count_cb(void *opaque)
{
    (void)opaque;
    check_loop_context();
    count_runs++;
}

/* Schedules itself from its own callback: each call must run again. */
static void self_cb(void *opaque)
{
    (void)opaque;
    check_loop_context();
    if (++self_runs < 3)
        bh_schedule(self_bh);
    else
        loop_request_exit(11);
}

/* Schedules made before the loop runs coalesce into exactly one run. */
static void test_bh_coalesce(void)
{
    int i;

    bql_lock();
    count_bh = bh_new(count_cb, NULL);
    exit_bh = bh_new(exit_cb, (void *)(intptr_t)11);
    self_bh = bh_new(self_cb, NULL);
    bql_unlock();
    for (i = 0; i < 1000; i++)
        bh_schedule(count_bh);
    bh_schedule(exit_bh);
    run_expect(11);
    CHECK(count_runs == 1);

    /* a BH that schedules itself: three passes, not one */
    bh_schedule(self_bh);
    run_expect(11);
    CHECK(self_runs == 3 && count_runs == 1);
    checks++;
}

/* Many threads hammer one BH; some hold the BQL while they schedule.  The
 * BH records the highest sequence number it has seen: once every thread
 * is done, it must see the last one (no schedule is lost). */
#define BH_THREADS  4
#define BH_PER      20000

static BH *hammer_bh;
static int hammer_seq;              /* atomic: schedules so far */
static int hammer_seen;             /* atomic: hammer_seq when the BH last ran */
static int hammer_runs;             /* BQL */

static void hammer_cb(void *opaque)
{
    (void)opaque;
    check_loop_context();
    hammer_runs++;
    __atomic_store_n(&hammer_seen, __atomic_load_n(&hammer_seq, __ATOMIC_ACQUIRE),
                     __ATOMIC_RELEASE);
}

static void *hammer_thread(void *arg)
{
    int with_bql = (int)(intptr_t)arg & 1;
    int i;

    for (i = 0; i < BH_PER; i++) {
        int locked = with_bql && i % 100 == 0;

        if (locked)
            bql_lock();
        __atomic_add_fetch(&hammer_seq, 1, __ATOMIC_RELEASE);
        bh_schedule(hammer_bh);
        if (locked)
            bql_unlock();
    }
    return NULL;
}

/* Join the hammer threads, wait (up to 1 s) for the BH to catch up, then
 * stop the loop: 12 if it caught up, 13 if a schedule was lost. */
static void *hammer_control(void *arg)
{
    pthread_t *th = arg;
    int64_t give_up;
    int i;

    for (i = 0; i < BH_THREADS; i++)
        pthread_join(th[i], NULL);
    give_up = clock_ns() + 1000 * MS;
    while (__atomic_load_n(&hammer_seen, __ATOMIC_ACQUIRE) != BH_THREADS * BH_PER) {
        if (clock_ns() > give_up) {
            loop_request_exit(13);
            return NULL;
        }
        sleep_ms(1);
    }
    loop_request_exit(12);
    return NULL;
}

static void test_bh_threads(void)
{
    pthread_t th[BH_THREADS], control;
    int i;

    bql_lock();
    hammer_bh = bh_new(hammer_cb, NULL);
    bql_unlock();
    for (i = 0; i < BH_THREADS; i++)
        CHECK(pthread_create(&th[i], NULL, hammer_thread, (void *)(intptr_t)i) == 0);
    CHECK(pthread_create(&control, NULL, hammer_control, th) == 0);
    run_expect(12);
    pthread_join(control, NULL);
    CHECK(hammer_runs >= 1 && hammer_runs < BH_THREADS * BH_PER);
    checks++;
}

/* ---- exit ------------------------------------------------------------------- */

static void *exit_thread(void *arg)
{
    sleep_ms(20);
    loop_request_exit((int)(intptr_t)arg);
    return NULL;
}

/* An idle loop (no timer, no fd, no BH: epoll_wait sleeps forever) is
 * ended by another thread; a request made before loop_run is kept. */
static void test_exit(void)
{
    pthread_t th;
    int64_t start = clock_ns();

    CHECK(pthread_create(&th, NULL, exit_thread, (void *)(intptr_t)42) == 0);
    run_expect(42);
    CHECK(clock_ns() - start >= 20 * MS);
    pthread_join(th, NULL);

    loop_request_exit(0);
    run_expect(0);
    loop_request_exit(-3);
    run_expect(-3);
    checks++;
}

int main(void)
{
    int64_t start = clock_ns();

    main_thread = pthread_self();
    alarm(10);                  /* a lost wake-up hangs the loop: die instead */
    CHECK(clock_ns() >= start);
    loop_init();
    test_timer_order();
    test_timer_periodic();
    test_timer_from_thread();
    test_fd_handlers();
    test_bh_coalesce();
    test_bh_threads();
    test_exit();
    printf("test_loop: %d checks passed in %lld ms (%d BH runs for %d schedules)\n",
           checks, (long long)((clock_ns() - start) / MS), hammer_runs,
           BH_THREADS * BH_PER);
    return 0;
}
