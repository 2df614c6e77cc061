/* k_tlb.c - touches many pages: a 32 MiB array (8192 pages of 4 KiB) is
 * walked page by page along a random cyclic order (each page holds the
 * number of the next one, a linked list through all the pages), with a
 * read-modify-write of a few words in each page, over and over; every
 * fourth pass also sweeps the pages in order and writes two words in each.
 *
 * What it stresses: address translation.  The guest runtime maps the
 * array with 4 KiB pages (brt_main.c), so nearly every access is a miss of
 * any software TLB smaller than 8192 entries (vm has 1024, direct-mapped)
 * and takes the emulator's slow path: a guest page-table walk, setting the
 * accessed and dirty bits, refilling the entry.  Following the list makes
 * the misses serial - the next page is known only after the load from the
 * current one - so neither the host CPU (natively) nor the emulator can
 * overlap them: the time is the latency of translating a new page.  Each
 * page has the same one or two cache lines touched every time, at a
 * different offset from page to page, so the data stays in the host caches
 * (1 MiB of lines): the time is the translation, not DRAM.  Natively the
 * same pattern misses the hardware TLB too (the native run asks for 4 KiB
 * pages as well, see nat_start.c), but a hardware page walk costs a few
 * tens of cycles.
 */
#include "bench.h"

const char bench_name[] = "tlb";
const uint32_t bench_expect = 0xc6ad1bb2;

#define PAGES   8192u                   /* 32 MiB */
#define WORDS   1024u                   /* 32-bit words per page */
#define PASSES  2000

static uint32_t mem[PAGES][WORDS] __attribute__((aligned(4096)));

/* The words of page p used by the walk: the line (p mod 64). */
static inline uint32_t *slot(uint32_t p)
{
    return &mem[p][(p & 63) * 16];
}

uint32_t bench_run(void)
{
    /* A random cyclic permutation (Sattolo's algorithm), stored in the
     * pages themselves: slot(p)[0] is the page after p. */
    static uint32_t order[PAGES];
    uint32_t seed = 0x7F4A7C15u;
    for (uint32_t i = 0; i < PAGES; i++)
        order[i] = i;
    for (uint32_t i = PAGES - 1; i > 0; i--) {
        uint32_t j = xorshift32(&seed) % i;
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (uint32_t i = 0; i < PAGES; i++)
        slot(order[i])[0] = order[(i + 1) & (PAGES - 1)];

    uint32_t h = 0, p = 0;
    for (uint32_t pass = 0; pass < PASSES; pass++) {
        for (uint32_t i = 0; i < PAGES; i++) {
            uint32_t *w = slot(p);
            uint32_t v = w[1] + i + pass;
            w[1] = v;
            h += (v ^ w[2]) + w[3];
            p = w[0];
        }
        h = mix32(h, p);
        /* In order, every fourth pass: two stores per page, in the line
         * half a page away from the walk's. */
        if ((pass & 3) == 0) {
            for (uint32_t page = 0; page < PAGES; page++) {
                mem[page][((page + 32) & 63) * 16 + 2] = h + page;
                mem[page][((page + 32) & 63) * 16 + 3] ^= page;
            }
        }
    }
    for (uint32_t page = 0; page < PAGES; page++)
        for (uint32_t k = 0; k < WORDS; k += 16)
            h = mix32(h, mem[page][k + 1] + mem[page][k + 2] + mem[page][k + 3]);
    return h;
}
