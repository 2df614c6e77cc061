/*
 * loop.c - the main loop: an epoll wait for fd input, timer deadlines and
 * bottom halves, as QEMU's main loop (util/main-loop.c, util/async.c).
 *
 * Thread: loop_run runs on the main thread; vCPU threads never run it,
 * they only ask it for work with bh_schedule, timer_mod or
 * loop_request_exit.
 *
 * Locking: loop_run holds the BQL all the time except inside epoll_wait,
 * so every callback (fd handler, timer, bottom half) runs with it held.
 *   - BQL: the fd handler list, the armed-timer list and every Timer
 *     field, the BH list (BH.next, cb, opaque).
 *   - atomic, any thread: BH.scheduled and exit_request.  bh_schedule and
 *     loop_request_exit touch nothing else, so they need no lock.
 *   - set once by loop_init, then read-only: loop_epfd, loop_eventfd.
 *
 * Wake-ups: one eventfd sits in the epoll set.  Writing to it (loop_kick)
 * ends epoll_wait early, for a newly scheduled BH, an exit request or a
 * timer that now expires before the deadline the loop is sleeping until.
 *
 * Timers are absolute deadlines on CLOCK_MONOTONIC in a sorted list.  A
 * timerfd in the epoll set is armed (absolute) at the first deadline, so
 * the loop wakes within microseconds of it: epoll_wait's own timeout has
 * millisecond resolution, which would make a guest's 100 us one-shot
 * timer take a millisecond.  timerfd_settime runs only when the first
 * deadline changed since the last wait.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

#define LOOP_MAX_EVENTS 16          /* per epoll_wait; more come next time */

/* A read handler for one fd (BQL). */
typedef struct FdHandler {
    struct FdHandler *next;
    int fd;
    void (*read_cb)(void *opaque);
    void *opaque;
} FdHandler;

/* A timer: armed timers sit in one list sorted by deadline (BQL). */
struct Timer {
    Timer *next;                /* the armed timer with the next later deadline */
    int64_t deadline;           /* absolute CLOCK_MONOTONIC ns, when armed */
    int armed;                  /* on the list? */
    void (*cb)(void *opaque);
    void *opaque;
};

/* A bottom half: a callback any thread can ask the loop to run once. */
struct BH {
    BH *next;                   /* BQL: every BH, in creation order */
    int scheduled;              /* atomic: bh_schedule sets it, the loop clears it */
    void (*cb)(void *opaque);
    void *opaque;
};

/* Set once by loop_init. */
static int loop_epfd = -1;      /* the epoll set */
static int loop_eventfd = -1;   /* written by loop_kick to end epoll_wait */
static int loop_timerfd = -1;   /* fires at the first timer deadline */

/* BQL. */
static FdHandler *fd_handlers;
static Timer *timers;           /* armed timers, earliest deadline first */
static BH *bhs;                 /* every BH; bhs_tail points at the last next */
static BH **bhs_tail = &bhs;

/* Atomic: 0, or LOOP_EXIT_REQUESTED | (uint32_t)status.  One word, so a
 * request and its status are seen together and consumed together. */
#define LOOP_EXIT_REQUESTED ((int64_t)1 << 32)
static int64_t exit_request;

static __thread int on_loop_thread;     /* is this thread inside loop_run? */

/* A system call the loop cannot work without failed: a bug, not bad input. */
static void loop_fail(const char *what)
{
    fprintf(stderr, "vm: loop: %s: %s\n", what, strerror(errno));
    abort();
}

int64_t clock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Create the epoll set and its wake-up eventfd.  Once, on the main thread,
 * before anything else in this file is used. */
void loop_init(void)
{
    struct epoll_event ev;

    assert(loop_epfd < 0);
    loop_epfd = epoll_create1(EPOLL_CLOEXEC);
    if (loop_epfd < 0)
        loop_fail("epoll_create1");
    loop_eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (loop_eventfd < 0)
        loop_fail("eventfd");
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = loop_eventfd;
    if (epoll_ctl(loop_epfd, EPOLL_CTL_ADD, loop_eventfd, &ev) < 0)
        loop_fail("epoll_ctl(eventfd)");
    loop_timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (loop_timerfd < 0)
        loop_fail("timerfd_create");
    ev.data.fd = loop_timerfd;
    if (epoll_ctl(loop_epfd, EPOLL_CTL_ADD, loop_timerfd, &ev) < 0)
        loop_fail("epoll_ctl(timerfd)");
}

/* Wake the loop out of epoll_wait (or make its next wait return at once).
 * Any thread, any lock state. */
static void loop_kick(void)
{
    uint64_t one = 1;

    assert(loop_eventfd >= 0);
    /* EAGAIN means the counter is about to overflow: it is readable anyway */
    if (write(loop_eventfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        loop_fail("write(eventfd)");
}

/* Reset the eventfd so the next epoll_wait sleeps.  Loop thread. */
static void loop_drain_eventfd(void)
{
    uint64_t count;

    if (read(loop_eventfd, &count, sizeof(count)) < 0 && errno != EAGAIN)
        loop_fail("read(eventfd)");
}

/* ---- fd handlers ------------------------------------------------------------ */

static FdHandler *fd_handler_find(int fd)
{
    FdHandler *h;

    for (h = fd_handlers; h; h = h->next)
        if (h->fd == fd)
            return h;
    return NULL;
}

static void fd_handler_remove(int fd)
{
    FdHandler **p, *h;

    for (p = &fd_handlers; *p; p = &(*p)->next) {
        if ((*p)->fd == fd) {
            h = *p;
            *p = h->next;
            free(h);
            if (epoll_ctl(loop_epfd, EPOLL_CTL_DEL, fd, NULL) < 0)
                loop_fail("epoll_ctl(DEL)");
            return;
        }
    }
}

/* Does epoll accept fd?  Regular files and /dev/null are refused: they
 * are always readable, so their readers read them without the loop. */
int loop_fd_pollable(int fd)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return 0;
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    int ok = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0;
    close(ep);
    return ok;
}

/* Call read_cb(opaque) on the loop thread whenever fd is readable (or at
 * end of file or on an error: the callback's read() then says which, and a
 * handler that saw EOF must remove itself or it is called again at once).
 * A NULL read_cb removes fd's handler; do that before closing fd.  Setting
 * a handler for an fd that has one replaces it.  BQL held. */
void loop_set_fd_handler(int fd, void (*read_cb)(void *opaque), void *opaque)
{
    struct epoll_event ev;
    FdHandler *h;

    assert(bql_locked() && loop_epfd >= 0);
    if (!read_cb) {
        fd_handler_remove(fd);
        return;
    }
    h = fd_handler_find(fd);
    if (!h) {
        h = calloc(1, sizeof(*h));
        if (!h)
            loop_fail("calloc");
        memset(&ev, 0, sizeof(ev));
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (epoll_ctl(loop_epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
            loop_fail("epoll_ctl(ADD)");
        h->fd = fd;
        h->next = fd_handlers;
        fd_handlers = h;
    }
    h->read_cb = read_cb;
    h->opaque = opaque;
}

/* Run the handler of a ready fd.  The handler is looked up by fd, not kept
 * in the event, because an earlier callback of the same batch may have
 * removed it.  Loop thread, BQL held. */
static void fd_dispatch(int fd)
{
    FdHandler *h = fd_handler_find(fd);

    if (h)
        h->read_cb(h->opaque);
}

/* ---- timers ----------------------------------------------------------------- */

/* A new, unarmed timer that will call cb(opaque) on the loop thread with
 * the BQL held.  Any thread. */
Timer *timer_new(void (*cb)(void *opaque), void *opaque)
{
    Timer *t = calloc(1, sizeof(*t));

    if (!t)
        loop_fail("calloc");
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

/* Take t off the armed list, if it is on it.  BQL held. */
static void timer_unlink(Timer *t)
{
    Timer **p;

    if (!t->armed)
        return;
    for (p = &timers; *p != t; p = &(*p)->next)
        assert(*p);
    *p = t->next;
    t->next = NULL;
    t->armed = 0;
}

/* Arm t to fire once at deadline_ns (absolute, clock_ns() time), replacing
 * any earlier arming.  A deadline already past fires on the loop's next
 * pass.  BQL held. */
void timer_mod(Timer *t, int64_t deadline_ns)
{
    Timer **p;

    assert(bql_locked());
    timer_unlink(t);
    /* after any timer with the same deadline: equal deadlines fire in the
     * order they were armed */
    for (p = &timers; *p && (*p)->deadline <= deadline_ns; p = &(*p)->next)
        ;
    t->deadline = deadline_ns;
    t->next = *p;
    *p = t;
    t->armed = 1;
    /* The loop may be asleep until a later deadline; on the loop thread
     * itself the next pass recomputes the timeout anyway. */
    if (timers == t && !on_loop_thread)
        loop_kick();
}

/* Disarm t; it does not fire until timer_mod arms it again.  BQL held. */
void timer_del(Timer *t)
{
    assert(bql_locked());
    timer_unlink(t);
}

/* Arm the timerfd at the first deadline (or disarm it) if that changed
 * since the last wait; returns epoll_wait's timeout: 0 when a deadline has
 * passed already, else -1 (the timerfd wakes us).  BQL held. */
static int64_t timerfd_deadline = -1;   /* loop thread only */

static int timers_arm(void)
{
    int64_t deadline = timers ? timers->deadline : -1;
    struct itimerspec its;

    if (timers && deadline <= clock_ns())
        return 0;
    if (deadline != timerfd_deadline) {
        memset(&its, 0, sizeof(its));
        if (deadline >= 0) {
            its.it_value.tv_sec = deadline / 1000000000;
            its.it_value.tv_nsec = deadline % 1000000000;
        }
        if (timerfd_settime(loop_timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
            loop_fail("timerfd_settime");
        timerfd_deadline = deadline;
    }
    return -1;
}

/* Fire every timer whose deadline has passed, earliest first.  A callback
 * may re-arm or delete any timer, so the head is read again each time.
 * "now" is read once: a timer that re-arms itself at a deadline after it
 * waits for the next pass instead of running in a loop here.  BQL held. */
static void timers_run_expired(void)
{
    int64_t now = clock_ns();
    Timer *t;

    while ((t = timers) && t->deadline <= now) {
        timer_unlink(t);
        t->cb(t->opaque);
    }
}

/* ---- bottom halves ---------------------------------------------------------- */

/* A new bottom half that will call cb(opaque) on the loop thread, with the
 * BQL held, after bh_schedule.  BQL held (it joins the loop's list). */
BH *bh_new(void (*cb)(void *opaque), void *opaque)
{
    BH *bh = calloc(1, sizeof(*bh));

    assert(bql_locked());
    if (!bh)
        loop_fail("calloc");
    bh->cb = cb;
    bh->opaque = opaque;
    *bhs_tail = bh;
    bhs_tail = &bh->next;
    return bh;
}

/* Ask the loop to run bh's callback once, soon.  Calls made before it runs
 * coalesce into that one run; a call made while it runs makes it run
 * again.  What this thread wrote before the call is visible to the
 * callback (the exchange is a release, the loop's an acquire).  Any
 * thread, any lock state. */
void bh_schedule(BH *bh)
{
    /* only the call that sets the flag needs to wake the loop */
    if (__atomic_exchange_n(&bh->scheduled, 1, __ATOMIC_ACQ_REL) == 0)
        loop_kick();
}

/* Run every scheduled BH once.  The flag is cleared before the callback so
 * that a bh_schedule during it is not lost.  Loop thread, BQL held. */
static void bhs_run_scheduled(void)
{
    BH *bh;

    for (bh = bhs; bh; bh = bh->next)
        if (__atomic_exchange_n(&bh->scheduled, 0, __ATOMIC_ACQ_REL))
            bh->cb(bh->opaque);
}

/* ---- the loop --------------------------------------------------------------- */

/* Make loop_run return status after its current pass; a request made
 * before loop_run starts is kept for it.  If several threads ask at once,
 * one of their statuses is returned.  Any thread, any lock state. */
void loop_request_exit(int status)
{
    __atomic_store_n(&exit_request, LOOP_EXIT_REQUESTED | (uint32_t)status,
                     __ATOMIC_RELEASE);
    loop_kick();
}

/* Take a pending exit request, if there is one: 1 and its status. */
static int loop_take_exit(int *status)
{
    int64_t req = __atomic_exchange_n(&exit_request, 0, __ATOMIC_ACQ_REL);

    *status = (int)(uint32_t)req;
    return req != 0;
}

/* Sleep until an fd is ready, the first timer is due or someone kicks us,
 * then run the ready fds' handlers.  The only place the loop drops the
 * BQL.  Loop thread, BQL held. */
static void loop_wait(void)
{
    struct epoll_event ev[LOOP_MAX_EVENTS];
    int timeout = timers_arm();
    int n, i;

    bql_unlock();
    n = epoll_wait(loop_epfd, ev, LOOP_MAX_EVENTS, timeout);
    bql_lock();
    if (n < 0) {
        if (errno == EINTR)     /* a signal: just go round again */
            return;
        loop_fail("epoll_wait");
    }
    for (i = 0; i < n; i++) {
        if (ev[i].data.fd == loop_eventfd) {
            loop_drain_eventfd();       /* before the BHs' flags are read */
        } else if (ev[i].data.fd == loop_timerfd) {
            uint64_t expirations;
            if (read(loop_timerfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
                loop_fail("read(timerfd)");
            timerfd_deadline = -1;      /* it fired: arm it again next time */
        } else
            fd_dispatch(ev[i].data.fd);
    }
}

/* Run the main loop on this thread until loop_request_exit; return its
 * status.  Each pass waits, then runs fd handlers, expired timers and
 * scheduled BHs, in that order, so a BH scheduled by a handler or a timer
 * runs in the same pass.  Called without the BQL; holds it throughout
 * except inside epoll_wait, and releases it on return. */
int loop_run(void)
{
    int status;

    assert(loop_epfd >= 0 && !bql_locked());
    bql_lock();
    on_loop_thread = 1;
    while (!loop_take_exit(&status)) {
        loop_wait();
        timers_run_expired();
        bhs_run_scheduled();
    }
    on_loop_thread = 0;
    bql_unlock();
    return status;
}

/* Run the machine until it stops; returns the exit status.  The vCPUs run
 * on their own threads; the main thread runs the loop above. */
int main_loop_run(Machine *m)
{
    cpu_start_threads(m);
    return loop_run();
}
