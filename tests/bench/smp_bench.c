/* smp_bench: SMP scaling and the cost of a trip through the BQL.
 *
 * Every vCPU (the BSP and the APs that check in within 50 ms) runs the
 * same compute kernel, a CRC-32 of a 64 KiB buffer of its own, ROUNDS
 * times; the BSP times the whole (TSC: nanoseconds in vm) from the
 * moment all are released until the last finishes and prints
 *     smp: cpus N work_us T checksum C    (T in units of 1.024 us)
 * With the same work per vCPU, throughput(N) / throughput(1) = N * T1 / TN.
 * Then the BSP alone times 200,000 writes to port 0x80 (each a round trip
 * through the BQL) and prints "bql: port write ns X".  Checksums are
 * checked: every vCPU must get the same CRC. */
#include "klib.h"
#include "smp.h"

#define ROUNDS 2000
#define BUF 65536

static uint8_t bufs[SMP_MAX_CPUS][BUF];
static volatile uint32_t crcs[SMP_MAX_CPUS];
static volatile uint32_t go, finished;

static uint32_t crc32(const uint8_t *p, uint32_t n, uint32_t crc)
{
    for (uint32_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return crc;
}

static void work(uint32_t id)
{
    uint8_t *b = bufs[id];
    for (uint32_t i = 0; i < BUF; i++)
        b[i] = (uint8_t)(i * 7 + (i >> 8));
    while (!go)
        cpu_relax();
    uint32_t crc = 0xffffffffu;
    for (int r = 0; r < ROUNDS; r++)
        crc = crc32(b, BUF / 16, crc);
    crcs[id] = crc;
    __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
}

void ap_main(uint32_t id)
{
    if (id < SMP_MAX_CPUS)
        work(id);
    for (;;)
        __asm__ volatile("cli; hlt");
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    start_aps();
    uint64_t t = rdtsc();
    while (rdtsc() - t < 50000000ull)   /* 50 ms for the APs to check in */
        cpu_relax();
    uint32_t n = 1 + ap_count;
    uint64_t t0 = rdtsc();
    go = 1;
    work(0);
    while (finished < n)
        cpu_relax();
    uint64_t dt = rdtsc() - t0;
    kputs("smp: cpus "); kputdec(n);
    kputs(" work_us "); kputdec((uint32_t)(dt >> 10)); /* units of 1.024 us */
    kputs(" checksum "); kputhex(crcs[0]); kputs("\n");
    for (uint32_t i = 1; i < n; i++)
        CHECK_EQ(crcs[i], crcs[0], "every vCPU computes the same CRC");

    t0 = rdtsc();
    for (int i = 0; i < 200000; i++)
        outb(0x80, (uint8_t)i);
    dt = rdtsc() - t0;
    kputs("bql: port write ns "); kputdec((uint32_t)dt / 200000); kputs("\n");
    return kdone("smp_bench");
}
