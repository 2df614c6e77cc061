/* gdb_target: the guest that tests/gdb.sh debugs with the real gdb (not
 * run by run.sh on its own).  It sums 1..100 into gdb_sum, then calls
 * gdb_probe with the sum in EAX (regparm).  gdb stops at gdb_probe, checks
 * EAX and gdb_sum (5050), steps one instruction (the multiply), sets EAX to
 * 777 and continues: the guest prints what gdb_probe returned and exits
 * with status 0 only if it got 777, which it can only get from gdb.
 * Another session sets gdb_spin first: the guest spins until gdb
 * interrupts it and clears gdb_spin. */
#include "klib.h"

volatile uint32_t gdb_sum;
volatile uint32_t gdb_spin;     /* gdb sets it to test Ctrl-C, then clears it */

/* 3v+1 in EAX: lea eax,[eax+eax*2+1]; ret.  gdb replaces the result. */
__attribute__((noinline, regparm(1))) uint32_t gdb_probe(uint32_t v)
{
    uint32_t r;
    __asm__ volatile("lea 1(%1,%1,2), %0" : "=a"(r) : "a"(v));
    return r;
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    if (gdb_spin)
        kputs("gdb_target: spinning\n");
    while (gdb_spin)
        ;
    for (uint32_t i = 1; i <= 100; i++)
        gdb_sum += i;
    uint32_t r = gdb_probe(gdb_sum);
    kputs("gdb_probe returned ");
    kputdec(r);
    kputs("\n");
    kexit(r == 777 ? 0 : 3);
}
