/* t_pg_msr: RDMSR / WRMSR.
 *
 * Checks (Intel SDM Vol. 2 RDMSR, WRMSR; Vol. 4 MSR list; Vol. 3 10.4.4
 * "Local APIC Status and Location", 17.17 "Time-Stamp Counter"):
 *  - IA32_APIC_BASE (0x1b) after reset: base 0xfee00000, BSP (bit 8) and
 *    global enable (bit 11) set; writing the value read back keeps it;
 *  - IA32_SYSENTER_CS / ESP / EIP (0x174-0x176) round-trip 32-bit values;
 *  - IA32_BIOS_SIGN_ID (0x8b): the microcode-revision protocol Linux runs
 *    (write 0, CPUID leaf 1, read): no update loaded, so revision 0;
 *  - RDMSR and WRMSR at CPL 3 are #GP(0).
 * The TSC MSR (0x10) and the #GP(0) for an MSR that does not exist are in
 * t_pg_msr_hw (QEMU 7.2 gets both wrong).
 */
#include "pg_lib.h"

PG_PROBE(p_rdmsr, "movl 4(%esp), %ecx", "rdmsr");
PG_PROBE(p_wrmsr, "movl 4(%esp), %ecx; xorl %eax, %eax; xorl %edx, %edx", "wrmsr");

#define MSR_APIC_BASE    0x1b
#define MSR_BIOS_SIGN_ID 0x8b
#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

int kmain(void)
{
    pg_setup();
    pg_paging_on();
    pg_reset_traps();

    /* APIC base. */
    uint64_t apic = rdmsr(MSR_APIC_BASE);
    CHECK_EQ((uint32_t)apic & 0xfffff000u, 0xfee00000u, "IA32_APIC_BASE: base 0xfee00000");
    CHECK_EQ((uint32_t)(apic >> 32), 0, "IA32_APIC_BASE: high dword 0");
    CHECK((uint32_t)apic & (1u << 8), "IA32_APIC_BASE: BSP flag");
    CHECK((uint32_t)apic & (1u << 11), "IA32_APIC_BASE: global enable");
    wrmsr(MSR_APIC_BASE, apic);
    CHECK_EQ((uint32_t)rdmsr(MSR_APIC_BASE), (uint32_t)apic, "IA32_APIC_BASE round-trip");

    /* SYSENTER MSRs. */
    wrmsr(MSR_SYSENTER_CS, 0x1234);
    wrmsr(MSR_SYSENTER_ESP, 0x89abcdefu);
    wrmsr(MSR_SYSENTER_EIP, 0x76543210u);
    CHECK_EQ((uint32_t)rdmsr(MSR_SYSENTER_CS), 0x1234, "IA32_SYSENTER_CS round-trip");
    CHECK_EQ((uint32_t)rdmsr(MSR_SYSENTER_ESP), 0x89abcdefu, "IA32_SYSENTER_ESP round-trip");
    CHECK_EQ((uint32_t)rdmsr(MSR_SYSENTER_EIP), 0x76543210u, "IA32_SYSENTER_EIP round-trip");
    CHECK_EQ((uint32_t)(rdmsr(MSR_SYSENTER_ESP) >> 32), 0, "IA32_SYSENTER_ESP: high dword 0");
    wrmsr(MSR_SYSENTER_CS, 0);
    CHECK_EQ((uint32_t)rdmsr(MSR_SYSENTER_CS), 0, "IA32_SYSENTER_CS = 0");

    /* Microcode revision. */
    wrmsr(MSR_BIOS_SIGN_ID, 0);
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    CHECK_EQ((uint32_t)(rdmsr(MSR_BIOS_SIGN_ID) >> 32), 0, "IA32_BIOS_SIGN_ID: revision 0");
    CHECK_NOTRAP("MSR accesses at CPL 0");

    /* CPL 3. */
    pg_reset_traps();
    pg_user_call_arg(p_rdmsr, MSR_APIC_BASE);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_rdmsr_insn), "RDMSR at CPL 3");
    CHECK_EQ(pg_last.cs, SEL_UCODE, "RDMSR at CPL 3: saved CS");
    pg_reset_traps();
    pg_user_call_arg(p_wrmsr, MSR_SYSENTER_EIP);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_wrmsr_insn), "WRMSR at CPL 3");
    CHECK_EQ((uint32_t)rdmsr(MSR_SYSENTER_EIP), 0x76543210u, "CPL 3 WRMSR changed nothing");

    return kdone("t_pg_msr");
}
