/* t_pg_view_smp: four vCPUs, each touching more scattered pages than the
 * host lets vm map for all of them at once.  vm-args: -smp 4 -m 64
 *
 * vm maps each guest page a vCPU uses into that vCPU's view (view.c), one
 * host mapping per page when the pages' physical frames are not
 * contiguous, and Linux refuses a process more than vm.max_map_count
 * mappings (65,530 by default).  Here 10,240 linear pages, every other
 * one of 80 MiB, map 4,099 physical frames five apart, so each needs a
 * host mapping of its own and splits the unmapped space around it (two
 * mappings), and every vCPU walks all of them in an order of its own:
 * some 80,000 mappings were they all kept.  vm keeps its views within
 * the host's limit (view.c: a view that finds the budget spent starts
 * afresh); to the guest nothing may differ from hardware:
 *  - every vCPU reads back, twice, the values it wrote through every
 *    page;
 *  - the boot CPU then reads every other vCPU's last values through its
 *    own view: they all share one guest memory.
 */
#include "pg_lib.h"
#include "smp.h"

#define NCPU    4
#define VA_BASE 0x40000000u
#define NLIN    10240u          /* linear pages, every other one: 80 MiB, 20 page tables */
#define NFRAME  4099u           /* physical frames (prime): 16 MiB */
#define PHYS0   0x01000000u     /* the first frame, above the kernel */
#define PASSES  1

static volatile uint32_t bad[NCPU];
static volatile uint32_t finished;

/* The word linear page i holds for cpu: frames are shared by the pages
 * NFRAME apart, so each of those and each vCPU has a word of its own. */
static volatile uint32_t *word(uint32_t i, uint32_t cpu)
{
    return (volatile uint32_t *)(VA_BASE + i * 0x2000u + (i / NFRAME) * 4u + cpu * 32u);
}

static uint32_t value(uint32_t cpu, uint32_t pass, uint32_t i)
{
    return cpu << 28 | pass << 24 | i;
}

/* The k-th page in cpu's order: a stride of its own, a prime that does
 * not divide NLIN (2^11 * 5), so every page comes once. */
static uint32_t page_at(uint32_t cpu, uint32_t k)
{
    static const uint32_t stride[NCPU] = { 977, 1117, 1231, 1301 };
    return k * stride[cpu] % NLIN;
}

static void walk(uint32_t cpu)
{
    uint32_t wrong = 0;
    for (uint32_t pass = 0; pass < PASSES; pass++) {
        for (uint32_t k = 0; k < NLIN; k++) {
            uint32_t i = page_at(cpu, k);
            *word(i, cpu) = value(cpu, pass, i);
        }
        for (int again = 0; again < 2; again++)
            for (uint32_t k = 0; k < NLIN; k++) {
                uint32_t i = page_at(cpu, NLIN - 1 - k);
                if (*word(i, cpu) != value(cpu, pass, i))
                    wrong++;
            }
    }
    bad[cpu] = wrong;
}

void ap_main(uint32_t id)
{
    __asm__ volatile("mov %0, %%cr3\n\t"
                     "mov %%cr0, %%eax\n\t"
                     "or $0x80000000, %%eax\n\t"
                     "mov %%eax, %%cr0\n\t"
                     "jmp 1f\n"
                     "1:"
                     : : "r"(pg_dir) : "eax", "memory");
    if (id < NCPU)
        walk(id);
    __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
    for (;;)
        __asm__ volatile("cli; hlt");
}

int kmain(void)
{
    pg_setup();
    for (uint32_t i = 0; i < NLIN; i++)
        pg_map(VA_BASE + i * 0x2000u, PHYS0 + (i * 5u % NFRAME) * 0x1000u, PTE_P | PTE_W);
    start_aps();                        /* (its APIC is not in the page tables) */
    pg_paging_on();
    pg_reset_traps();
    walk(0);
    while (finished < NCPU - 1)         /* (a hang: run.sh's time limit) */
        cpu_relax();
    for (uint32_t c = 0; c < NCPU; c++)
        CHECK_EQ(bad[c], 0, "each vCPU reads back what it wrote through 10,240 scattered pages");
    uint32_t wrong = 0;
    for (uint32_t c = 1; c < NCPU; c++)
        for (uint32_t i = 0; i < NLIN; i++)
            if (*word(i, c) != value(c, PASSES - 1, i))
                wrong++;
    CHECK_EQ(wrong, 0, "the boot CPU reads every AP's last values through its own view");
    CHECK_NOTRAP("these accesses");
    return kdone("t_pg_view_smp");
}
