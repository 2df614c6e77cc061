/* t_pg_cpuid: CPUID, RDTSC with CR4.TSD, RDPMC privilege.
 *
 * Checks (Intel SDM Vol. 2 CPUID, RDTSC, RDPMC; Vol. 3 2.5 and 17.17
 * "Time-Stamp Counter"):
 *  - CPUID leaf 0: maximum basic leaf >= 1, vendor "GenuineIntel" in
 *    EBX, EDX, ECX; a leaf above the maximum basic leaf (and below
 *    0x40000000) returns the data of the highest basic leaf;
 *  - CPUID leaf 1: family 6; EDX has DE PSE TSC MSR CX8 SEP PGE CMOV (the
 *    features the other t_pg_* kernels exercise); with SEP set, the
 *    signature is not one of the family 6, model < 3, stepping < 3 parts
 *    that report SEP without SYSENTER (SDM SYSENTER: "IF (Family = 6 and
 *    Model < 3 and Stepping < 3) THEN SYSENTER/SYSEXIT_Not_Supported");
 *  - CPUID leaf 0x80000000: the extended leaves reach 0x80000007, whose
 *    EDX bit 8 says the TSC is invariant (Vol. 3 17.17.1: vm's TSC is the
 *    host's monotonic clock);
 *  - CPUID works at CPL 3 and gives the same answer;
 *  - RDTSC never goes backwards and advances over a loop; with
 *    CR4.TSD = 0 it works at CPL 3, with CR4.TSD = 1 it is #GP(0) at CPL 3
 *    and still works at CPL 0;
 *  - RDPMC at CPL 3 with CR4.PCE = 0 is #GP(0).
 */
#include "pg_lib.h"

PG_PROBE(p_rdtsc, "", "rdtsc");
PG_PROBE(p_rdpmc, "xorl %ecx, %ecx", "rdpmc");

#define F_DE   (1u << 2)
#define F_PSE  (1u << 3)
#define F_TSC  (1u << 4)
#define F_MSR  (1u << 5)
#define F_CX8  (1u << 8)
#define F_SEP  (1u << 11)
#define F_PGE  (1u << 13)
#define F_CMOV (1u << 15)

static uint32_t u_leaf;
static uint32_t u_regs[4];
static uint32_t u_cpuid(void)
{
    cpuid(u_leaf, &u_regs[0], &u_regs[1], &u_regs[2], &u_regs[3]);
    return 0;
}

int kmain(void)
{
    pg_setup();
    pg_paging_on();
    uint32_t a, b, c, d;

    cpuid(0, &a, &b, &c, &d);
    uint32_t max = a;
    CHECK(max >= 1, "CPUID.0: maximum basic leaf >= 1");
    CHECK(max < 0x40000000, "CPUID.0: maximum basic leaf is a basic leaf");
    CHECK_EQ(b, 0x756e6547, "CPUID.0: EBX = \"Genu\"");
    CHECK_EQ(d, 0x49656e69, "CPUID.0: EDX = \"ineI\"");
    CHECK_EQ(c, 0x6c65746e, "CPUID.0: ECX = \"ntel\"");

    cpuid(1, &a, &b, &c, &d);
    uint32_t sig = a, feat = d;
    uint32_t family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf, stepping = sig & 0xf;
    CHECK_EQ(family, 6, "CPUID.1: family 6");
    CHECK_EQ(feat & F_DE, F_DE, "CPUID.1:EDX.DE");
    CHECK_EQ(feat & F_PSE, F_PSE, "CPUID.1:EDX.PSE");
    CHECK_EQ(feat & F_TSC, F_TSC, "CPUID.1:EDX.TSC");
    CHECK_EQ(feat & F_MSR, F_MSR, "CPUID.1:EDX.MSR");
    CHECK_EQ(feat & F_CX8, F_CX8, "CPUID.1:EDX.CX8");
    CHECK_EQ(feat & F_SEP, F_SEP, "CPUID.1:EDX.SEP");
    CHECK_EQ(feat & F_PGE, F_PGE, "CPUID.1:EDX.PGE");
    CHECK_EQ(feat & F_CMOV, F_CMOV, "CPUID.1:EDX.CMOV");
    CHECK(!(family == 6 && model < 3 && stepping < 3), "SEP is meaningful: not family 6, model < 3, stepping < 3");

    /* Above the maximum basic leaf: the highest basic leaf's data. */
    uint32_t ma, mb, mc, md;
    cpuid(max, &ma, &mb, &mc, &md);
    cpuid(max + 1, &a, &b, &c, &d);
    CHECK_EQ(a, ma, "CPUID above the maximum: EAX of the highest basic leaf");
    CHECK_EQ(b, mb, "CPUID above the maximum: EBX");
    CHECK_EQ(c, mc, "CPUID above the maximum: ECX");
    CHECK_EQ(d, md, "CPUID above the maximum: EDX");

    /* Leaf 4 (max >= 4): the caches, subleaf in ECX = 0: a level-1 data
     * cache; one vCPU: no HTT. */
    if (max >= 4) {
        cpuid(4, &a, &b, &c, &d);
        CHECK_EQ(a & 0xff, 0x21, "CPUID.4.0: level 1, data cache");
    }
    CHECK_EQ(feat & (1u << 28), 0, "CPUID.1:EDX.HTT clear with one vCPU");

    cpuid(0x80000000u, &a, &b, &c, &d);
    CHECK(a >= 0x80000007u && a < 0x80010000u, "CPUID.80000000h: extended leaves up to 80000007h");
    cpuid(0x80000007u, &a, &b, &c, &d);
    CHECK_EQ(d & (1u << 8), 1u << 8, "CPUID.80000007h:EDX[8]: invariant TSC");

    /* CPL 3. */
    pg_reset_traps();
    u_leaf = 0;
    pg_user_call(u_cpuid);
    CHECK_EQ(u_regs[1], 0x756e6547, "CPUID.0 at CPL 3: EBX");
    u_leaf = 1;
    pg_user_call(u_cpuid);
    CHECK_EQ(u_regs[0], sig, "CPUID.1 at CPL 3: EAX");
    CHECK_EQ(u_regs[3], feat, "CPUID.1 at CPL 3: EDX");
    CHECK_NOTRAP("CPUID at CPL 3");

    /* RDTSC. */
    uint64_t prev = rdtsc(), first = prev;
    int backwards = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t t = rdtsc();
        if (t < prev)
            backwards++;
        prev = t;
    }
    CHECK_EQ(backwards, 0, "RDTSC never goes backwards");
    for (volatile int i = 0; i < 100000; i++)
        ;
    CHECK(rdtsc() > first, "RDTSC advances");

    write_cr4(read_cr4() & ~CR4_TSD);
    pg_reset_traps();
    pg_user_call_arg(p_rdtsc, 0);
    CHECK_NOTRAP("RDTSC at CPL 3, CR4.TSD=0");
    write_cr4(read_cr4() | CR4_TSD);
    pg_reset_traps();
    p_rdtsc(0);
    CHECK_NOTRAP("RDTSC at CPL 0, CR4.TSD=1");
    pg_reset_traps();
    pg_user_call_arg(p_rdtsc, 0);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_rdtsc_insn), "RDTSC at CPL 3, CR4.TSD=1");
    write_cr4(read_cr4() & ~CR4_TSD);

    /* RDPMC. */
    write_cr4(read_cr4() & ~CR4_PCE);
    pg_reset_traps();
    pg_user_call_arg(p_rdpmc, 0);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_rdpmc_insn), "RDPMC at CPL 3, CR4.PCE=0");

    return kdone("t_pg_cpuid");
}
