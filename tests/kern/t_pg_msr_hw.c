/* t_pg_msr_hw: RDMSR of the TSC, and MSRs that do not exist.
 *
 * Intel SDM Vol. 3 17.17 "Time-Stamp Counter": RDMSR of
 * IA32_TIME_STAMP_COUNTER (0x10) reads the TSC, so its value lies between
 * two RDTSCs around it; WRMSR sets it (high dword 0, which every family
 * accepts: P6 and NetBurst write only the low 32 bits and clear the high
 * ones), so the next RDTSC is just above the written value.
 *
 * Intel SDM Vol. 2 RDMSR/WRMSR: "#GP(0) ... If the value in ECX specifies
 * a reserved or unimplemented MSR address."  0x12345678 is no MSR on any
 * Intel processor.  The saved EIP is the instruction (a fault) and EDX:EAX
 * keep their values.
 *
 * _hw: QEMU 7.2 (TCG) reads MSR 0x10 as 0 and WRMSR 0x10 does not change
 * what RDTSC returns; it also reads unknown MSRs as 0
 * and ignores writes to them ("XXX: exception?" in its rdmsr/wrmsr helpers).
 */
#include "pg_lib.h"

PG_PROBE(p_rdmsr, "movl 4(%esp), %ecx; movl $0xa5a5a5a5, %eax; movl %eax, %edx", "rdmsr");
PG_PROBE(p_wrmsr, "movl 4(%esp), %ecx; xorl %eax, %eax; xorl %edx, %edx", "wrmsr");

int kmain(void)
{
    pg_setup();
    pg_reset_traps();
    uint64_t t1 = rdtsc();
    uint64_t m = rdmsr(0x10);
    uint64_t t2 = rdtsc();
    CHECK(t1 <= m && m <= t2, "RDMSR 0x10 reads the TSC");
    wrmsr(0x10, 0x80000000u);
    t1 = rdtsc();
    CHECK_EQ((uint32_t)(t1 >> 32), 0, "TSC written: high dword 0");
    CHECK((uint32_t)t1 >= 0x80000000u && (uint32_t)t1 < 0xf0000000u, "TSC written: RDTSC just above the value");
    t1 = rdtsc();
    m = rdmsr(0x10);
    t2 = rdtsc();
    CHECK(t1 <= m && m <= t2, "RDMSR 0x10 reads the TSC after WRMSR 0x10");
    CHECK_NOTRAP("RDMSR 0x10");

    pg_reset_traps();
    uint32_t v = p_rdmsr(0x12345678);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_rdmsr_insn), "RDMSR of an unknown MSR");
    CHECK_EQ(v, 0xa5a5a5a5, "RDMSR #GP: EAX unchanged");
    pg_reset_traps();
    p_wrmsr(0x12345678);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_wrmsr_insn), "WRMSR of an unknown MSR");
    return kdone("t_pg_msr_hw");
}
