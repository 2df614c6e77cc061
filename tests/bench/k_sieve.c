/* k_sieve.c - the sieve of Eratosthenes over the odd numbers below 4 M
 * (a 2 MiB byte array), run several times; counts the primes and folds
 * them all into a sum.
 *
 * What it stresses: byte stores with a large, variable stride (the inner
 * marking loop) and a byte-scanning loop full of data-dependent,
 * unpredictable conditional branches (the counting loop).  The array is
 * larger than a core's L2 cache on most x86 machines and spans 512 pages,
 * which the marking loop crosses much faster than a small software TLB can
 * cover: memory-operand code quality, the store path and page crossings
 * all show, and for the emulator Jcc translation and block chaining.
 */
#include "bench.h"

const char bench_name[] = "sieve";
const uint32_t bench_expect = 0xcf2f0503;

#define LIMIT   (4u << 20)              /* sieve the numbers below LIMIT */
#define HALF    (LIMIT / 2)             /* flag i stands for 2 * i + 1 */
#define PASSES  60

static uint8_t composite[HALF];

static uint32_t sieve(uint32_t *sum)
{
    for (uint32_t i = 0; i < HALF; i++)
        composite[i] = 0;
    for (uint32_t i = 1; (2 * i + 1) * (2 * i + 1) < LIMIT; i++) {
        if (composite[i])
            continue;
        uint32_t p = 2 * i + 1;
        for (uint32_t j = (p * p) / 2; j < HALF; j += p)
            composite[j] = 1;
    }
    uint32_t count = 1;                 /* 2 */
    uint32_t s = 2;
    for (uint32_t i = 1; i < HALF; i++) {
        if (!composite[i]) {
            count++;
            s += (2 * i + 1) ^ count;
        }
    }
    *sum = s;
    return count;
}

uint32_t bench_run(void)
{
    uint32_t h = 0;
    for (int pass = 0; pass < PASSES; pass++) {
        uint32_t sum;
        uint32_t count = sieve(&sum);   /* 295947 primes below 4194304 */
        h = mix32(h, count);
        h = mix32(h, sum);
    }
    return h;
}
