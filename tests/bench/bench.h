/* bench.h - the interface between a benchmark kernel's compute core
 * (tests/bench/k_*.c) and the two runtimes it is linked with:
 *
 *   brt_start.S + brt_main.c   a multiboot kernel for `vm -kernel` and
 *                              `qemu-system-i386 -kernel` (protected mode,
 *                              paging on with 4 KiB pages, COM1, debug exit)
 *   nat_start.c                a static 32-bit Linux program (raw syscalls)
 *
 * The same object file k_NAME.o goes into both, so the guest and the host
 * run exactly the same compute code.  A core defines:
 *
 *   const char bench_name[];        its short name, e.g. "crc32"
 *   const uint32_t bench_expect;    the checksum bench_run must return
 *   uint32_t bench_run(void);       does all the work, returns a checksum
 *
 * Both runtimes print the same two lines (see bench_report in blib.c):
 *   bench: NAME checksum XXXXXXXX expected YYYYYYYY
 *   bench: OK                      (or "bench: MISMATCH")
 *
 * Everything is freestanding: no libc, no libgcc (there is no 32-bit libgcc
 * on the build machine), so cores must avoid 64-bit division and
 * __builtin_popcount and friends.  The compiler may still emit calls to
 * memcpy/memset/memmove/memcmp, which blib.c provides.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

extern const char bench_name[];
extern const uint32_t bench_expect;
uint32_t bench_run(void);

/* blib.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Formats the report for checksum `got` into buf (at least 128 bytes);
 * returns its length and sets *ok to whether got == bench_expect. */
size_t bench_report(char *buf, uint32_t got, int *ok);

/* A small, fast pseudo-random generator (xorshift32); never returns 0
 * when seeded with a non-zero state. */
static inline uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* Folds a value into a running checksum (order-sensitive). */
static inline uint32_t mix32(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x01000193u;               /* FNV-1a prime */
    return h ^ (h >> 15);
}

/* Keeps the compiler from optimizing away or hoisting work on a value
 * (an empty asm that claims to read and modify it). */
#define BENCH_OPAQUE(v) __asm__ volatile("" : "+r"(v))

#endif
