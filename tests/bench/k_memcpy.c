/* k_memcpy.c - memory copies and fills with the x86 string instructions,
 * as an OS kernel and libc use them: REP STOSL page clearing and REP MOVSL
 * page copying, large REP MOVSL block copies, small unaligned REP MOVSB
 * copies of random length, overlapping forward REP MOVSB (an LZ77 match
 * copy, which must replicate the pattern byte by byte), and a backward
 * overlapping copy with STD; REP MOVSL (memmove).
 *
 * What it stresses: the emulator's REP MOVS/STOS implementation across
 * the whole range of counts, directions, alignments and overlaps.  A naive
 * one-iteration-at-a-time translation is very slow on the large copies;
 * a bulk fast path has to be careful with overlaps (the LZ77 copies),
 * direction, page boundaries and self-modifying-code checks, and small
 * copies measure the fixed cost of each REP instruction.  The checksum
 * samples every step's result and ends with every byte, so a wrong
 * shortcut is caught.
 */
#include "bench.h"

const char bench_name[] = "memcpy";
const uint32_t bench_expect = 0x7afe38ec;

#define BUF     (1024 * 1024)
#define ROUNDS  500

static uint8_t src[BUF] __attribute__((aligned(4096)));
static uint8_t dst[BUF] __attribute__((aligned(4096)));

static inline void rep_movsb(void *d, const void *s, size_t n)
{
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

static inline void rep_movsl(void *d, const void *s, size_t words)
{
    __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
}

static inline void rep_stosl(void *d, uint32_t v, size_t words)
{
    __asm__ volatile("rep stosl" : "+D"(d), "+c"(words) : "a"(v) : "memory");
}

/* memmove for dst > src: copy the words from the last one down. */
static inline void rep_movsl_backward(void *d, const void *s, size_t words)
{
    uint32_t *dl = (uint32_t *)d + words - 1;
    const uint32_t *sl = (const uint32_t *)s + words - 1;
    __asm__ volatile("std; rep movsl; cld" : "+D"(dl), "+S"(sl), "+c"(words) : : "memory");
}

/* Hashes one word in every `stride`: the checks between the steps sample
 * one word per 64-byte line (thousands of copies per step, so a wrong
 * copy is still caught), the final one reads everything. */
static uint32_t hash_words(const void *p, size_t bytes, size_t stride)
{
    const uint32_t *w = p;
    uint32_t h = 0;
    for (size_t i = 0; i < bytes / 4; i += stride)
        h = (h ^ w[i]) * 0x01000193u;
    return h;
}

uint32_t bench_run(void)
{
    uint32_t seed = 0x9E3779B9u;
    uint32_t h = 0;
    for (size_t i = 0; i < BUF; i += 4)
        *(uint32_t *)(src + i) = xorshift32(&seed);

    for (int round = 0; round < ROUNDS; round++) {
        /* Large: fill the first half of dst, then copy 512 KiB over it. */
        rep_stosl(dst, 0x01010101u * (uint32_t)round, BUF / 8);
        rep_movsl(dst, src + (round & 7) * 4096, BUF / 8);
        h = mix32(h, hash_words(dst, BUF / 2, 16));

        /* Pages: clear and copy 128 pages of the second half. */
        for (int p = 0; p < 128; p++) {
            uint8_t *page = dst + BUF / 2 + p * 4096;
            rep_stosl(page, 0, 1024);
            rep_movsl(page, src + ((p * 37 + round) & 255) * 4096, 1024);
        }
        h = mix32(h, hash_words(dst + BUF / 2, BUF / 2, 16));

        /* Small unaligned copies of 1..256 bytes. */
        for (int i = 0; i < 16384; i++) {
            uint32_t r = xorshift32(&seed);
            size_t len = (r & 255) + 1;
            size_t from = (r >> 8) & (BUF - 512);
            size_t to = xorshift32(&seed) & (BUF - 512);
            rep_movsb(dst + to, src + from + (r & 3), len);
        }
        h = mix32(h, hash_words(dst, BUF, 16));

        /* LZ77 match copies: distance 1..64 back, 3..258 bytes long,
         * overlapping whenever the length exceeds the distance. */
        size_t at = 4096;
        for (int i = 0; i < 4096; i++) {
            uint32_t r = xorshift32(&seed);
            if (at > BUF - 512)
                at = 4096;
            size_t dist = (r & 63) + 1;
            size_t len = ((r >> 6) & 255) + 3;
            dst[at] = (uint8_t)(r >> 16);      /* a literal */
            at++;
            rep_movsb(dst + at, dst + at - dist, len);
            at += len;
        }
        h = mix32(h, hash_words(dst, BUF, 16));

        /* memmove: shift 256 KiB up by 4..1024 bytes, overlapping. */
        size_t shift = ((size_t)(round * 52) & 1020) + 4;
        rep_movsl_backward(dst + 4096 + shift, dst + 4096, 64 * 1024);
        h = mix32(h, hash_words(dst, BUF, 16));
    }
    h = mix32(h, hash_words(src, BUF, 1));
    return mix32(h, hash_words(dst, BUF, 1));
}
