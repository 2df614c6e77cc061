/* t_fpu_smp_rr: t_fpu_smp with every vCPU on one host thread, in turn:
 * each switch saves one vCPU's x87 state and loads the next one's.
 * vm-args: -accel tcg,thread=single -smp 3
 */
#include "t_fpu_smp.c"
