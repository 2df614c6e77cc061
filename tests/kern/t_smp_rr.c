/* t_smp_rr: t_smp with every vCPU on one host thread, in turn.
 * vm-args: -accel tcg,thread=single -smp 4 -tb-size 256
 * (QEMU's round-robin TCG: the same guest must pass; see docs/threads.md) */
#include "t_smp.c"
