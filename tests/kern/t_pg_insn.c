/* t_pg_insn: CMPXCHG8B and UD2.
 *
 * Checks (Intel SDM Vol. 2 CMPXCHG8B/CMPXCHG16B, UD; Vol. 3 6.15
 * "Interrupt 6"):
 *  - CMPXCHG8B m64, equal: ZF = 1, m64 = ECX:EBX, EDX:EAX unchanged;
 *    not equal: ZF = 0, EDX:EAX = m64, m64 unchanged; also with LOCK;
 *    other flags (CF, SF) unchanged;
 *  - the destination "receives a write cycle without regard to the result
 *    of the comparison": on a read-only page with CR0.WP = 1 even a failed
 *    comparison is #PF with P|W, CR2 = the operand, and EDX:EAX, ZF and
 *    memory keep their old values (the instruction restarts);
 *  - CMPXCHG8B with a register operand (0f c7 c8) is #UD;
 *  - UD2 is #UD with no error code and the saved EIP at the UD2, at CPL 0
 *    and CPL 3.
 */
#include "pg_lib.h"

#define RO 0x40000000u          /* read-only page */

PG_PROBE(p_ud2, "", "ud2");
PG_PROBE(p_cx8_reg, "", ".byte 0x0f, 0xc7, 0xc8");          /* cmpxchg8b %eax */
/* cmpxchg8b (RO) with EDX:EAX = 0:0 (not equal to memory). */
PG_PROBE(p_cx8_ro, "movl 4(%esp), %ecx; xorl %eax, %eax; xorl %edx, %edx", "cmpxchg8b (%ecx)");

static uint64_t mem64 __attribute__((aligned(8)));

/* cmpxchg8b on mem64 (lock optional); returns EFLAGS, updates *edx_eax. */
static uint32_t cx8(uint64_t *edx_eax, uint64_t ecx_ebx, int lock, uint32_t flags_in)
{
    uint32_t lo = (uint32_t)*edx_eax, hi = (uint32_t)(*edx_eax >> 32), fl = flags_in;
    if (lock)
        __asm__ volatile("pushl %3; popfl; lock cmpxchg8b %2; pushfl; popl %3"
                         : "+a"(lo), "+d"(hi), "+m"(mem64), "+r"(fl)
                         : "b"((uint32_t)ecx_ebx), "c"((uint32_t)(ecx_ebx >> 32)) : "cc");
    else
        __asm__ volatile("pushl %3; popfl; cmpxchg8b %2; pushfl; popl %3"
                         : "+a"(lo), "+d"(hi), "+m"(mem64), "+r"(fl)
                         : "b"((uint32_t)ecx_ebx), "c"((uint32_t)(ecx_ebx >> 32)) : "cc");
    *edx_eax = ((uint64_t)hi << 32) | lo;
    return fl;
}

int kmain(void)
{
    pg_setup();
    pg_paging_on();
    pg_reset_traps();

    for (int lock = 0; lock < 2; lock++) {
        uint64_t dx_ax = 0x1122334455667788ull;
        mem64 = 0x1122334455667788ull;
        uint32_t fl = cx8(&dx_ax, 0xaabbccdd00112233ull, lock, 0x2 | EFL_CF);
        CHECK(fl & EFL_ZF, "CMPXCHG8B equal: ZF = 1");
        CHECK(fl & EFL_CF, "CMPXCHG8B equal: CF unchanged");
        CHECK_EQ((uint32_t)mem64, 0x00112233, "CMPXCHG8B equal: m64 low = EBX");
        CHECK_EQ((uint32_t)(mem64 >> 32), 0xaabbccdd, "CMPXCHG8B equal: m64 high = ECX");
        CHECK_EQ((uint32_t)dx_ax, 0x55667788, "CMPXCHG8B equal: EAX unchanged");
        CHECK_EQ((uint32_t)(dx_ax >> 32), 0x11223344, "CMPXCHG8B equal: EDX unchanged");

        dx_ax = 0xaabbccdd00112234ull;      /* differs in the low dword only */
        fl = cx8(&dx_ax, 0x0ull, lock, 0x2 | EFL_ZF | 0x80);
        CHECK(!(fl & EFL_ZF), "CMPXCHG8B not equal: ZF = 0");
        CHECK(fl & 0x80, "CMPXCHG8B not equal: SF unchanged");
        CHECK_EQ((uint32_t)dx_ax, 0x00112233, "CMPXCHG8B not equal: EAX = m64 low");
        CHECK_EQ((uint32_t)(dx_ax >> 32), 0xaabbccdd, "CMPXCHG8B not equal: EDX = m64 high");
        CHECK_EQ((uint32_t)mem64, 0x00112233, "CMPXCHG8B not equal: m64 unchanged (low)");
        CHECK_EQ((uint32_t)(mem64 >> 32), 0xaabbccdd, "CMPXCHG8B not equal: m64 unchanged (high)");

        dx_ax = 0xaabbccde00112233ull;      /* differs in the high dword only */
        fl = cx8(&dx_ax, 0x0ull, lock, 0x2);
        CHECK(!(fl & EFL_ZF), "CMPXCHG8B high dword differs: ZF = 0");
        CHECK_EQ((uint32_t)(dx_ax >> 32), 0xaabbccdd, "CMPXCHG8B high dword differs: EDX = m64 high");
    }
    CHECK_NOTRAP("CMPXCHG8B");

    /* Read-only page: the failed comparison still writes. */
    uint8_t *ro = pg_alloc();
    *(volatile uint32_t *)(ro + 0x10) = 0x01020304;
    *(volatile uint32_t *)(ro + 0x14) = 0x05060708;
    pg_map(RO, (uint32_t)ro, PTE_P);
    write_cr0(read_cr0() | CR0_WP);
    pg_reset_traps();
    uint32_t eax = p_cx8_ro(RO + 0x10);
    CHECK_EQ(eax, 0, "faulting CMPXCHG8B: EAX unchanged");
    CHECK_PF(PF_P | PF_W, RO + 0x10, PG_EIP(p_cx8_ro_insn), "CMPXCHG8B (not equal) on a read-only page");
    CHECK_EQ(*(volatile uint32_t *)(ro + 0x10), 0x01020304, "read-only m64 unchanged");

    /* #UD. */
    pg_reset_traps();
    p_cx8_reg(0);
    CHECK_TRAP(VEC_UD, 0, PG_EIP(p_cx8_reg_insn), "CMPXCHG8B with a register operand");
    pg_reset_traps();
    p_ud2(0);
    CHECK_TRAP(VEC_UD, 0, PG_EIP(p_ud2_insn), "UD2 at CPL 0");
    CHECK_EQ(pg_last.cs, SEL_KCODE, "UD2 at CPL 0: saved CS");
    pg_reset_traps();
    pg_user_call_arg(p_ud2, 0);
    CHECK_TRAP(VEC_UD, 0, PG_EIP(p_ud2_insn), "UD2 at CPL 3");
    CHECK_EQ(pg_last.cs, SEL_UCODE, "UD2 at CPL 3: saved CS");

    return kdone("t_pg_insn");
}
