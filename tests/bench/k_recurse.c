/* k_recurse.c - recursion-heavy code: the naive doubly recursive
 * Fibonacci, Takeuchi's TAK function and Ackermann's function, whose work
 * is almost nothing but calls and returns.
 *
 * What it stresses: CALL and RET (tens of millions of each), the stack
 * pushes and pops of prologues/epilogues and of saved callee-saved
 * registers, and stack memory accesses at a depth that changes all the
 * time.  RET is an indirect jump: an emulator must find the translated
 * code of the return address at run time (QEMU TCG does a hash lookup; a
 * return-address stack or similar helps), so this kernel measures that
 * path.  Ackermann(2, n) also recurses deeply (thousands of frames).
 * The functions are global and noinline so the compiler keeps the calls
 * and the usual stack-based (cdecl) argument passing.
 */
#include "bench.h"

const char bench_name[] = "recurse";
const uint32_t bench_expect = 0x29f6fad4;

uint32_t fib(uint32_t n);
int tak(int x, int y, int z);
uint32_t ack(uint32_t m, uint32_t n);

uint32_t __attribute__((noinline)) fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int __attribute__((noinline)) tak(int x, int y, int z)
{
    if (y >= x)
        return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

uint32_t __attribute__((noinline)) ack(uint32_t m, uint32_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

uint32_t bench_run(void)
{
    uint32_t n = 37, x = 28, y = 20, z = 10, m = 2, an = 2000;
    /* The arguments are opaque so nothing is computed at compile time. */
    BENCH_OPAQUE(n);
    BENCH_OPAQUE(x);
    BENCH_OPAQUE(m);
    uint32_t h = 0;
    h = mix32(h, fib(n));                               /* 24157817 */
    h = mix32(h, (uint32_t)tak((int)x, (int)y, (int)z)); /* 38 M calls */
    for (uint32_t i = 0; i < 10; i++)
        h = mix32(h, ack(m, an + i));                   /* 2n + 3 */
    return h;
}
