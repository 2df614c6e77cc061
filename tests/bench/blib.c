/* blib.c - the little library shared by both builds of every benchmark
 * kernel (see bench.h): the mem* functions the compiler may call on its own
 * and the formatting of the report line.  It is linked into the multiboot
 * kernel and into the native program alike, so any time either spends here
 * is the same code.  Plain byte loops: the cores that measure copying do
 * their own (k_memcpy.c uses REP MOVS/STOS explicitly).  Built with
 * -fno-tree-loop-distribute-patterns so GCC does not turn these loops back
 * into calls to themselves.
 */
#include "bench.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}

static size_t put_str(char *buf, size_t at, const char *s)
{
    while (*s)
        buf[at++] = *s++;
    return at;
}

static size_t put_hex(char *buf, size_t at, uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        buf[at++] = "0123456789abcdef"[(v >> i) & 15];
    return at;
}

size_t bench_report(char *buf, uint32_t got, int *ok)
{
    size_t n = 0;
    *ok = got == bench_expect;
    n = put_str(buf, n, "bench: ");
    n = put_str(buf, n, bench_name);
    n = put_str(buf, n, " checksum ");
    n = put_hex(buf, n, got);
    n = put_str(buf, n, " expected ");
    n = put_hex(buf, n, bench_expect);
    n = put_str(buf, n, *ok ? "\nbench: OK\n" : "\nbench: MISMATCH\n");
    return n;
}
