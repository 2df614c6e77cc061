/*
 * loop.c - the main loop.
 *
 * In the full design the main thread waits in epoll for terminal input,
 * timer deadlines and bottom halves, and runs their handlers with the BQL
 * held, while vCPU threads run guest code.  This first version has no
 * timers or input devices yet, so the main thread runs the one vCPU itself.
 */
#include "vm.h"

/* Run the machine until it stops; returns the exit status. */
int main_loop_run(Machine *m)
{
    return cpu_exec(m->cpus[0]);
}
