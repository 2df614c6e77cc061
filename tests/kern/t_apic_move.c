/* t_apic_move: the physical memory map changes under running vCPUs.
 * vm-args: -smp 2
 *
 * Each vCPU's local APIC register page sits where its IA32_APIC_BASE MSR
 * says (Intel SDM Vol. 3, 10.4.5 "Relocating the Local APIC Registers"),
 * on top of whatever was there, and only for that vCPU.  The BSP moves its
 * page onto RAM at 8 MiB and back, and disables it; meanwhile the AP,
 * whose APIC stays at 0xFEE00000, keeps reading the RAM at 8 MiB.
 * Checks: after the move the BSP reads its APIC ID and version at the new
 * place and all-ones at the old one, while the AP reads the RAM pattern
 * there and its own APIC at the default place; moved back, the BSP reads
 * the RAM pattern again (nothing was written to it); disabled, its page is
 * gone (all-ones). */
#include "klib.h"
#include "smp.h"

#define NEW_BASE 0x00800000u
#define MSR_APIC_BASE 0x1b

static volatile uint32_t phase, ap_ram_ok, ap_ver;

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint32_t rd32(uint32_t addr) { return *(volatile uint32_t *)addr; }

static void fill_pattern(void)
{
    for (uint32_t off = 0; off < 4096; off += 4)
        *(volatile uint32_t *)(NEW_BASE + off) = 0x5a000000u | off;
}

static int pattern_intact(void)
{
    for (uint32_t off = 0; off < 4096; off += 4)
        if (rd32(NEW_BASE + off) != (0x5a000000u | off))
            return 0;
    return 1;
}

void ap_main(uint32_t id)
{
    (void)id;
    ap_ver = apic_rd(0x30);
    while (phase != 1)
        cpu_relax();
    /* the BSP's APIC is at 8 MiB now; this vCPU still sees RAM there */
    ap_ram_ok = pattern_intact() && apic_rd(0x30) == ap_ver ? 1 : 2;
    phase = 2;
    for (;;)
        __asm__ volatile("cli; hlt");
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    fill_pattern();
    uint64_t base = rdmsr(MSR_APIC_BASE);
    CHECK_EQ((uint32_t)base & 0xfffff000u, 0xfee00000u, "APIC at its default place");
    CHECK(base & 0x800, "APIC enabled");
    uint32_t ver = apic_rd(0x30), id = apic_rd(0x20);
    start_aps();
    while (ap_count < 1)
        cpu_relax();

    wrmsr(MSR_APIC_BASE, NEW_BASE | (base & 0xfff));
    CHECK_EQ(rd32(NEW_BASE + 0x30), ver, "the version register at the new place");
    CHECK_EQ(rd32(NEW_BASE + 0x20), id, "the ID register at the new place");
    CHECK_EQ(rd32(0xfee00030), 0xffffffffu, "nothing left at the old place");
    phase = 1;
    while (phase != 2)
        cpu_relax();
    CHECK_EQ(ap_ram_ok, 1, "the AP sees RAM at 8 MiB and its APIC at the default place");

    wrmsr(MSR_APIC_BASE, base);
    CHECK_EQ(apic_rd(0x30), ver, "back at the default place");
    CHECK(pattern_intact(), "the RAM under the moved page is untouched");

    wrmsr(MSR_APIC_BASE, base & ~0x800ull);
    CHECK_EQ(apic_rd(0x30), 0xffffffffu, "a disabled APIC's page is gone");
    wrmsr(MSR_APIC_BASE, base);
    CHECK_EQ(apic_rd(0x30), ver, "re-enabled, it is back");
    return kdone("t_apic_move");
}
