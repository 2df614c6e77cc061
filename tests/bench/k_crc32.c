/* k_crc32.c - CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320),
 * byte at a time through a 256-entry table, over a 16 KiB buffer again and
 * again.
 *
 * What it stresses: a tight integer loop with a long dependency chain, a
 * table load indexed by the low byte of a computed value (movzbl, xor,
 * shr, load per byte), and a backward loop branch every byte.  Everything
 * fits in the L1 cache, so the time is the emulator's code quality for
 * plain ALU work: register allocation, flag elimination (none of the
 * flags computed by XOR/SHR is ever read) and the cost of the loop's
 * taken branch (block chaining).  The table is built bit by bit first,
 * a shift-and-conditional-xor loop.
 */
#include "bench.h"

const char bench_name[] = "crc32";
const uint32_t bench_expect = 0x060c7e61;

#define BUF_SIZE (16 * 1024)
#define PASSES   6000

static uint32_t table[256];
static uint8_t buf[BUF_SIZE];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint32_t bench_run(void)
{
    uint32_t seed = 0x12345678u;
    make_table();
    for (size_t i = 0; i < BUF_SIZE; i += 4) {
        uint32_t r = xorshift32(&seed);
        buf[i] = (uint8_t)r;
        buf[i + 1] = (uint8_t)(r >> 8);
        buf[i + 2] = (uint8_t)(r >> 16);
        buf[i + 3] = (uint8_t)(r >> 24);
    }
    /* The check value of the standard: CRC-32("123456789") = CBF43926. */
    uint32_t h = crc32(0, (const uint8_t *)"123456789", 9);
    uint32_t crc = 0;
    for (int pass = 0; pass < PASSES; pass++) {
        crc = crc32(crc, buf, BUF_SIZE);
        buf[pass & (BUF_SIZE - 1)] ^= (uint8_t)crc;   /* every pass differs */
    }
    return mix32(h, crc);
}
