/* nat_start.c - the native runtime of the benchmark kernels: a static
 * 32-bit Linux program without libc.  _start calls bench_run (the very
 * object file the multiboot kernel runs), writes the report with the write
 * system call and exits with status 0 (1 on a checksum mismatch), all
 * through raw `int $0x80`.
 *
 * Before anything touches the data, the .bss is marked MADV_NOHUGEPAGE:
 * the guest maps its memory with 4 KiB pages, and transparent huge pages
 * (enabled "always" on many hosts) would give the native run an unfair
 * advantage on the TLB-heavy kernels.  The time the native run spends is
 * measured from outside (bench.sh), like the emulators', so it includes the
 * process start-up (about a millisecond).
 */
#include "bench.h"

#define SYS_exit    1
#define SYS_write   4
#define SYS_madvise 219
#define MADV_NOHUGEPAGE 14

extern char __bss_start[], _end[];       /* from the default linker script */

static long sys3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

void nat_main(void) __attribute__((noreturn, used));
void nat_main(void)
{
    uintptr_t lo = (uintptr_t)__bss_start & ~(uintptr_t)4095;
    uintptr_t hi = ((uintptr_t)_end + 4095) & ~(uintptr_t)4095;
    if (hi > lo)
        sys3(SYS_madvise, (long)lo, (long)(hi - lo), MADV_NOHUGEPAGE);

    char buf[128];
    int ok;
    size_t n = bench_report(buf, bench_run(), &ok);
    sys3(SYS_write, 1, (long)buf, (long)n);
    sys3(SYS_exit, ok ? 0 : 1, 0, 0);
    for (;;)
        ;
}

/* The kernel enters with ESP at argc; align the stack as the ABI wants. */
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "    xorl %ebp, %ebp\n"
        "    andl $-16, %esp\n"
        "    call nat_main\n"
        "    hlt\n");
