/* t_smp: four vCPUs on one machine.  vm-args: -smp 4 -tb-size 256
 *
 * Checks:
 *  - bring-up: INIT, then two start-up IPIs (Intel SDM Vol. 3, 8.4.4.1),
 *    start each AP in real mode at 0x9000; all 3 check in, each with its
 *    own APIC ID;
 *  - topology (SDM Vol. 2 CPUID leaves 1 and 4): every vCPU's initial
 *    APIC ID (CPUID.1:EBX[31:24]) is its local APIC ID; HTT is set and the
 *    package has room for as many IDs as leaf 4 has cores, at least 4: one
 *    package of cores, one thread each;
 *  - atomics: 4 vCPUs each do 1,000,000 `lock addl`, and 100,000
 *    increments under an XCHG spin lock and under a CMPXCHG spin lock, on
 *    shared memory; the totals are exact;
 *  - IPIs: a fixed IPI from the BSP to each AP (physical destination)
 *    and from each AP back, in turn, so that the counts are exact;
 *  - cross-vCPU self-modifying code: the BSP rewrites a function the APs
 *    keep calling; each AP sees every new version (after a serializing
 *    CPUID, as the SDM's cross-modifying-code protocol asks);
 *  - code written while another vCPU translates it: each round the BSP
 *    puts a function on a page that never held code and rewrites it 100
 *    times without waiting, while the APs call it; every AP must in the
 *    end run the last version (a write that slips in while an AP's first
 *    TB of the page is being made must not leave that TB stale);
 *  - code-buffer flushes with every vCPU running: with a 256 KiB code
 *    buffer, each vCPU calls 512 distinct functions of its own, several
 *    times, and sums their results. */
#include "klib.h"
#include "smp.h"

#define NCPU 4
#define LOCK_ADDS 1000000
#define SPIN_INCS 100000
#define VEC_IPI 0x50


static volatile uint32_t apic_ids[SMP_MAX_CPUS];
static volatile uint32_t cpuid1_ebx[SMP_MAX_CPUS], cpuid1_edx[SMP_MAX_CPUS], cpuid4_eax[SMP_MAX_CPUS];
static volatile uint32_t counter;
static volatile uint32_t xchg_lock, xchg_total;
static volatile uint32_t cmpxchg_lock, cmpxchg_total;
static volatile uint32_t done;
static volatile uint32_t ipi_hits[SMP_MAX_CPUS];
static volatile uint32_t go_ipi, go_smc, smc_version, smc_seen[SMP_MAX_CPUS], smc_errors;
static volatile uint32_t flush_sums[SMP_MAX_CPUS];

#define RACE_ROUNDS 8
#define RACE_VERSIONS 100
static volatile uint32_t race_round, race_final, race_done[SMP_MAX_CPUS], race_stale;
static volatile uint32_t race_calling[SMP_MAX_CPUS];
static uint8_t race_pages[RACE_ROUNDS][4096] __attribute__((aligned(4096)));

void ipi_isr(void);
void ipi_c(void);
__asm__(".globl ipi_isr\nipi_isr:\n\tpusha\n\tcall ipi_c\n\tpopa\n\tiret\n");

static uint32_t my_id(void)
{
    uint32_t id = apic_rd(0x20) >> 24;
    return id < NCPU ? id : 0;
}

void ipi_c(void)
{
    __atomic_fetch_add(&ipi_hits[my_id()], 1, __ATOMIC_SEQ_CST);
    apic_wr(0xb0, 0);
}


static inline void serialize(void)
{
    uint32_t a = 0, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
}

static void xchg_acquire(volatile uint32_t *lock)
{
    uint32_t v;
    do {
        v = 1;
        __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*lock) : : "memory");
        if (v)
            cpu_relax();
    } while (v);
}

static void cmpxchg_acquire(volatile uint32_t *lock)
{
    uint32_t expected;
    do {
        expected = 0;
        __asm__ volatile("lock cmpxchgl %2, %1" : "+a"(expected), "+m"(*lock) : "r"(1u) : "memory");
    } while (expected != 0);
}

/* The shared work of every vCPU. */
static void atomics_work(void)
{
    for (int i = 0; i < LOCK_ADDS; i++)
        __asm__ volatile("lock addl $1, %0" : "+m"(counter));
    for (int i = 0; i < SPIN_INCS; i++) {
        xchg_acquire(&xchg_lock);
        xchg_total = xchg_total + 1;
        __asm__ volatile("movl $0, %0" : "=m"(xchg_lock) : : "memory");
        cmpxchg_acquire(&cmpxchg_lock);
        cmpxchg_total = cmpxchg_total + 1;
        __asm__ volatile("movl $0, %0" : "=m"(cmpxchg_lock) : : "memory");
    }
}

/* 512 functions "mov $k, %eax; ret" for this vCPU, 16 bytes apart, in
 * its own 32 KiB at 4 MiB + id * 32 KiB, each called 4 times. */
typedef uint32_t (*Fn)(void);

static void flush_work(uint32_t id)
{
    uint8_t *code = (uint8_t *)(0x400000 + id * 0x8000);
    for (uint32_t k = 0; k < 512; k++) {
        uint8_t *f = code + k * 16;
        uint32_t v = id * 10000 + k;
        f[0] = 0xb8;
        f[1] = (uint8_t)v; f[2] = (uint8_t)(v >> 8); f[3] = (uint8_t)(v >> 16); f[4] = (uint8_t)(v >> 24);
        f[5] = 0xc3;
    }
    uint32_t sum = 0;
    for (int round = 0; round < 4; round++)
        for (uint32_t k = 0; k < 512; k++)
            sum += ((Fn)(void *)(code + k * 16))();
    flush_sums[id] = sum;
}

/* The function the BSP rewrites: mov $version, %eax; ret. */
static uint8_t smc_code[64] __attribute__((aligned(64)));

static void smc_write_version(uint32_t v)
{
    smc_code[1] = (uint8_t)v; smc_code[2] = (uint8_t)(v >> 8);
    smc_code[3] = (uint8_t)(v >> 16); smc_code[4] = (uint8_t)(v >> 24);
    smc_code[0] = 0xb8;
    smc_code[5] = 0xc3;
}

static void ap_smc(uint32_t id)
{
    uint32_t last = 0;
    while (last < 200) {
        uint32_t v = __atomic_load_n(&smc_version, __ATOMIC_ACQUIRE);
        if (v == last) {
            cpu_relax();
            continue;
        }
        serialize();
        uint32_t got = ((Fn)(void *)smc_code)();
        if (got != v)
            __atomic_fetch_add(&smc_errors, 1, __ATOMIC_SEQ_CST);
        last = v;
        __atomic_store_n(&smc_seen[id], v, __ATOMIC_RELEASE);
    }
}

/* mov eax, imm32; ret at offset 3, so the immediate is one aligned store */
static void race_write(uint8_t *code, uint32_t v)
{
    code[3] = 0xb8;
    *(volatile uint32_t *)(code + 4) = v;
    code[8] = 0xc3;
}

static void race_writer(void)
{
    for (uint32_t r = 1; r <= RACE_ROUNDS; r++) {
        uint8_t *code = race_pages[r - 1];
        race_write(code, 0);
        __atomic_store_n(&race_round, r, __ATOMIC_RELEASE);
        /* keep writing while the APs make their first TBs of the page */
        uint32_t v = 1;
        for (uint32_t i = 1; i < NCPU; i++)
            while (__atomic_load_n(&race_calling[i], __ATOMIC_ACQUIRE) != r)
                *(volatile uint32_t *)(code + 4) = r * 1000 + (v++ % RACE_VERSIONS);
        for (uint32_t k = 0; k < r * 8; k++)
            cpu_relax();
        *(volatile uint32_t *)(code + 4) = r * 1000 + RACE_VERSIONS;
        __atomic_store_n(&race_final, r, __ATOMIC_RELEASE);
        for (uint32_t i = 1; i < NCPU; i++)
            while (__atomic_load_n(&race_done[i], __ATOMIC_ACQUIRE) != r)
                cpu_relax();
    }
}

/* Call each round's function until it returns the round's last version,
 * after the writer is done (and a serializing CPUID), for at most 2^16
 * calls. */
static void race_reader(uint32_t id)
{
    for (uint32_t r = 1; r <= RACE_ROUNDS; r++) {
        while (__atomic_load_n(&race_round, __ATOMIC_ACQUIRE) != r)
            cpu_relax();
        Fn fn = (Fn)(void *)(race_pages[r - 1] + 3);
        uint32_t want = r * 1000 + RACE_VERSIONS, n = 0;
        __atomic_store_n(&race_calling[id], r, __ATOMIC_RELEASE);
        for (;;) {
            uint32_t got = fn();
            if (__atomic_load_n(&race_final, __ATOMIC_ACQUIRE) == r) {
                uint32_t a = 0, b, c, d;
                __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
                if (fn() == want)
                    break;
                if (++n == 1u << 16) {
                    __atomic_fetch_add(&race_stale, 1, __ATOMIC_SEQ_CST);
                    break;
                }
            }
            (void)got;
        }
        __atomic_store_n(&race_done[id], r, __ATOMIC_RELEASE);
    }
}

/* CPUID leaves 1 and 4 as vCPU id sees them. */
static void read_topology(uint32_t id)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    cpuid1_ebx[id] = b;
    cpuid1_edx[id] = d;
    a = 4;
    c = 0;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    cpuid4_eax[id] = a;
}

static void check_topology(void)
{
    for (uint32_t i = 0; i < NCPU; i++) {
        uint32_t ids = (cpuid1_ebx[i] >> 16) & 0xff, cores = (cpuid4_eax[i] >> 26) + 1;
        CHECK_EQ(cpuid1_ebx[i] >> 24, i == 0 ? apic_rd(0x20) >> 24 : apic_ids[i],
                 "CPUID.1:EBX[31:24] is the vCPU's local APIC ID");
        CHECK_EQ(cpuid1_edx[i] & (1u << 28), 1u << 28, "CPUID.1:EDX.HTT with 4 vCPUs");
        CHECK(cores >= NCPU && (cores & (cores - 1)) == 0, "CPUID.4: room for 4 cores in the package");
        CHECK_EQ(ids, cores, "one thread per core: as many package IDs as cores");
        CHECK_EQ(cpuid4_eax[i] & 0x1f, 1, "CPUID.4 subleaf 0 is a data cache");
    }
}

void ap_main(uint32_t id)
{
    kload_idt();
    apic_wr(0xf0, 0x1ff);               /* software-enable the local APIC */
    apic_ids[id] = apic_rd(0x20) >> 24;
    read_topology(id);
    atomics_work();
    flush_work(id);
    /* wait for the BSP's IPI, then answer it */
    while (!go_ipi)
        cpu_relax();
    while (ipi_hits[my_id()] == 0)      /* counted by APIC ID, not check-in order */
        __asm__ volatile("sti; hlt; cli");
    /* one at a time: two IPIs of one vector that meet in the BSP's IRR
     * are one interrupt, on hardware as here */
    while (__atomic_load_n(&ipi_hits[0], __ATOMIC_ACQUIRE) != my_id() - 1)
        cpu_relax();
    send_ipi(0, VEC_IPI);
    while (!go_smc)
        cpu_relax();
    ap_smc(id);
    race_reader(id);
    __atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
    for (;;)
        __asm__ volatile("cli; hlt");
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    kset_intr_gate(VEC_IPI, ipi_isr);
    kload_idt();
    apic_wr(0xf0, 0x1ff);
    smc_write_version(0);
    start_aps();
    while (ap_count < NCPU - 1)
        cpu_relax();
    CHECK_EQ(ap_count, NCPU - 1, "three APs checked in");
    read_topology(0);
    atomics_work();
    flush_work(0);

    /* IPIs: one to each AP, one back from each */
    for (uint32_t i = 1; i < NCPU; i++)
        while (apic_ids[i] == 0)
            cpu_relax();
    go_ipi = 1;
    for (uint32_t i = 1; i < NCPU; i++)
        send_ipi(apic_ids[i], VEC_IPI);
    while (ipi_hits[0] < NCPU - 1)
        __asm__ volatile("sti; hlt; cli");

    /* cross-modifying code: 200 versions, each seen by every AP */
    go_smc = 1;
    for (uint32_t v = 1; v <= 200; v++) {
        smc_write_version(v);
        __atomic_store_n(&smc_version, v, __ATOMIC_RELEASE);
        for (uint32_t i = 1; i < NCPU; i++)
            while (__atomic_load_n(&smc_seen[i], __ATOMIC_ACQUIRE) != v)
                cpu_relax();
    }
    race_writer();
    while (done < NCPU - 1)
        cpu_relax();

    uint32_t id_mask = 0;
    for (uint32_t i = 1; i < NCPU; i++)
        id_mask |= 1u << apic_ids[i];
    CHECK_EQ(id_mask, 0xe, "the APs have APIC IDs 1, 2 and 3");
    check_topology();
    CHECK_EQ(counter, NCPU * LOCK_ADDS, "lock addl total is exact");
    CHECK_EQ(xchg_total, NCPU * SPIN_INCS, "xchg spin lock total is exact");
    CHECK_EQ(cmpxchg_total, NCPU * SPIN_INCS, "cmpxchg spin lock total is exact");
    for (uint32_t i = 0; i < NCPU; i++) {
        CHECK_EQ(ipi_hits[i], i == 0 ? NCPU - 1 : 1, "IPI counts");
        CHECK_EQ(flush_sums[i], 4 * (512 * i * 10000 + 511 * 512 / 2), "per-vCPU sum of 2048 calls");
    }
    CHECK_EQ(smc_errors, 0, "every AP ran each new version of the rewritten code");
    CHECK_EQ(race_stale, 0, "no AP was left running a stale version of racing writes");
    return kdone("t_smp");
}
