/* k_empty.c - no work at all: bench_run returns at once.
 *
 * What it measures: the fixed cost of a run - process start-up natively;
 * for an emulator its own start-up, the multiboot load, the runtime's
 * set-up (clearing the 1 MiB stack, the page tables, the IDT) and the
 * exit.  bench.sh reports it on its own line and leaves it out of the
 * geometric means; it tells how much of every other kernel's time is
 * overhead rather than computation.
 */
#include "bench.h"

const char bench_name[] = "empty";
const uint32_t bench_expect = 0x00000000;

uint32_t bench_run(void)
{
    return 0;
}
