/* t_pg_ad: accessed (A) and dirty (D) flags written by the CPU, 4 KiB pages.
 *
 * Checks (Intel SDM Vol. 3, 4.8 "Accessed and Dirty Flags", Table 4-5 and
 * 4-6, 4.10.4.3, and the CR2 footnote of 6.15 "Interrupt 14"):
 *  - a read sets A in the PDE and in the PTE, and not D;
 *  - a write sets D in the PTE (the entry that maps the page) and A; the
 *    PDE's bit 6 is ignored for a PDE that references a page table and
 *    stays 0; the software-available bits 9-11 are preserved;
 *  - after software clears A/D and invalidates (INVLPG; CR3 load for the
 *    PDE), the next access sets them again;
 *  - instruction fetches set A only; a read-modify-write and a supervisor
 *    write with CR0.WP = 0 to a read-only page set D;
 *  - a page-crossing access sets the flags in both PTEs; REP STOSB / REP
 *    MOVSB set D in the destination and only A in the source;
 *  - an access that faults on a page-level protection violation sets no D
 *    (nothing is written); the PDE's A is set (6.15 footnote: "the access
 *    flag in the page-directory entry is set when the fault occurs"; the
 *    PTE's A is model specific and not checked);
 *  - CMPXCHG8B writes its destination even when the comparison fails
 *    (instruction reference: "the destination operand receives a write
 *    cycle without regard to the result of the comparison"), so it sets D.
 */
#include "pg_lib.h"

#define VA     0x40000000u      /* PDE 256 */
#define VA_F   0x44000000u      /* PDE 272: fault cases */
#define AVL    0xe00u           /* bits 9-11, free for software */

static uint32_t *pde;

static uint32_t *fresh(uint32_t va, uint8_t **phys, uint32_t flags)
{
    *phys = pg_alloc();
    pg_map(va, (uint32_t)*phys, flags);
    return pg_pte(va);
}

static uint32_t u_addr;
static uint32_t u_read(void) { return pg_rd32(u_addr); }
static uint32_t u_write(void) { pg_wr32(u_addr, 9); return 0; }

int kmain(void)
{
    pg_setup();
    uint8_t *p0, *p1, *p2, *p3, *p4, *p5, *p6;
    uint32_t *pte0 = fresh(VA + 0x0000, &p0, PTE_P | PTE_W | AVL);
    uint32_t *pte1 = fresh(VA + 0x1000, &p1, PTE_P | PTE_W);
    uint32_t *pte2 = fresh(VA + 0x2000, &p2, PTE_P | PTE_W);
    uint32_t *pte3 = fresh(VA + 0x3000, &p3, PTE_P | PTE_W);
    uint32_t *pte4 = fresh(VA + 0x4000, &p4, PTE_P | PTE_W);
    uint32_t *pte5 = fresh(VA + 0x5000, &p5, PTE_P);                /* read-only */
    uint32_t *pte6 = fresh(VA + 0x6000, &p6, PTE_P | PTE_W);
    pde = pg_pde(pg_dir, VA);
    CHECK_EQ(*pde & (PTE_A | PTE_D), 0, "fresh PDE: A = D = 0");
    pg_paging_on();
    pg_reset_traps();

    /* Read, then write. */
    pg_rd32(VA + 0x10);
    CHECK(*pde & PTE_A, "read: PDE.A set");
    CHECK(!(*pde & PTE_D), "read: PDE bit 6 (ignored) still 0");
    CHECK_EQ(*pte0 & (PTE_A | PTE_D), PTE_A, "read: PTE.A set, PTE.D clear");
    pg_wr32(VA + 0x10, 1);
    CHECK_EQ(*pte0 & (PTE_A | PTE_D), PTE_A | PTE_D, "write after read: PTE.D set");
    CHECK(!(*pde & PTE_D), "write: PDE bit 6 (ignored) still 0");
    CHECK_EQ(*pte0 & ~(PTE_A | PTE_D), (uint32_t)p0 | PTE_P | PTE_W | AVL, "the other PTE bits preserved");

    /* Write first. */
    pg_wr8(VA + 0x1fff, 1);
    CHECK_EQ(*pte1 & (PTE_A | PTE_D), PTE_A | PTE_D, "first access a write: PTE.A and PTE.D set");

    /* Clear, invalidate, access again. */
    *pte1 &= ~(PTE_A | PTE_D);
    invlpg(VA + 0x1000);
    pg_rd8(VA + 0x1000);
    CHECK_EQ(*pte1 & (PTE_A | PTE_D), PTE_A, "cleared + INVLPG, read: A set again, D not");
    pg_wr16(VA + 0x1000, 1);
    CHECK_EQ(*pte1 & (PTE_A | PTE_D), PTE_A | PTE_D, "cleared + INVLPG, write: D set again");
    *pde &= ~PTE_A;
    write_cr3(read_cr3());
    pg_rd8(VA + 0x1000);
    CHECK(*pde & PTE_A, "PDE.A cleared + CR3 load, read: PDE.A set again");

    /* Page-crossing dword: bytes 0x2ffe-0x3001. */
    pg_rd32(VA + 0x2ffe);
    CHECK_EQ(*pte2 & (PTE_A | PTE_D), PTE_A, "page-crossing read: first PTE.A");
    CHECK_EQ(*pte3 & (PTE_A | PTE_D), PTE_A, "page-crossing read: second PTE.A");
    pg_wr32(VA + 0x2ffd, 0x01020304);
    CHECK_EQ(*pte2 & (PTE_A | PTE_D), PTE_A | PTE_D, "page-crossing write: first PTE.D");
    CHECK_EQ(*pte3 & (PTE_A | PTE_D), PTE_A | PTE_D, "page-crossing write: second PTE.D");
    CHECK_EQ(p2[0xffd] | p2[0xffe] << 8 | p2[0xfff] << 16 | p3[0] << 24, 0x01020304, "page-crossing write data");

    /* Instruction fetch: "mov $7, %eax; ret". */
    static const uint8_t code[] = { 0xb8, 0x07, 0x00, 0x00, 0x00, 0xc3 };
    pg_memcpy(p4 + 0x100, code, sizeof code);
    CHECK_EQ(pg_exec(VA + 0x4100), 7, "fetched code runs");
    CHECK_EQ(*pte4 & (PTE_A | PTE_D), PTE_A, "instruction fetch: PTE.A only");

    /* Read-modify-write. */
    __asm__ volatile("incl (%0)" : : "r"(VA + 0x6000) : "memory");
    CHECK_EQ(*pte6 & (PTE_A | PTE_D), PTE_A | PTE_D, "INC m32: PTE.A and PTE.D");
    CHECK_EQ(*(volatile uint32_t *)p6, 1, "INC m32 result");

    /* Read-only page: a read sets A; a write with WP = 0 sets D. */
    write_cr0(read_cr0() & ~CR0_WP);
    pg_rd32(VA + 0x5000);
    CHECK_EQ(*pte5 & (PTE_A | PTE_D), PTE_A, "read of read-only page: A only");
    pg_wr32(VA + 0x5000, 5);
    CHECK_EQ(*pte5 & (PTE_A | PTE_D), PTE_A | PTE_D, "CR0.WP=0 write to read-only page: D set");
    CHECK_NOTRAP("accesses that should not fault");

    /* String instructions: REP STOSB sets D in its destination; REP MOVSB
     * sets A only in its source and A and D in its destination. */
    uint8_t *p7, *p8, *p9;
    uint32_t *pte7 = fresh(VA + 0x7000, &p7, PTE_P | PTE_W);
    uint32_t *pte8 = fresh(VA + 0x8000, &p8, PTE_P | PTE_W);
    uint32_t *pte9 = fresh(VA + 0x9000, &p9, PTE_P | PTE_W);
    pg_str.edi = VA + 0x7000;
    pg_str.ecx = 4096;
    pg_str.eax = 0x11;
    pg_str.df = 0;
    pg_rep_stosb();
    CHECK_EQ(*pte7 & (PTE_A | PTE_D), PTE_A | PTE_D, "REP STOSB over a page: A and D");
    CHECK_EQ(p7[0] + p7[4095], 0x22, "REP STOSB over a page: data");
    p8[100] = 0x42;
    pg_str.edi = VA + 0x9000;
    pg_str.esi = VA + 0x8000;
    pg_str.ecx = 4096;
    pg_rep_movsb();
    CHECK_EQ(*pte8 & (PTE_A | PTE_D), PTE_A, "REP MOVSB source: A only");
    CHECK_EQ(*pte9 & (PTE_A | PTE_D), PTE_A | PTE_D, "REP MOVSB destination: A and D");
    CHECK_EQ(p9[100], 0x42, "REP MOVSB data");
    CHECK_NOTRAP("string instructions");

    /* CMPXCHG8B with a failed comparison writes the old value back. */
    *pte6 &= ~(PTE_A | PTE_D);
    invlpg(VA + 0x6000);
    {
        uint32_t eax = 0xffffffff, edx = 0xffffffff;    /* memory holds 1:0 */
        __asm__ volatile("cmpxchg8b (%2)" : "+a"(eax), "+d"(edx) : "r"(VA + 0x6000), "b"(0), "c"(0)
                         : "memory", "cc");
        CHECK_EQ(eax, 1, "CMPXCHG8B (not equal): EAX = low dword of memory");
        CHECK_EQ(*pte6 & (PTE_A | PTE_D), PTE_A | PTE_D, "CMPXCHG8B (not equal): PTE.D set by the write-back");
    }

    /* Faulting accesses, PDE at VA_F starts with A = 0. */
    write_cr0(read_cr0() | CR0_WP);
    uint8_t *f0, *f1;
    uint32_t *ptef0 = fresh(VA_F, &f0, PTE_P | PTE_U);              /* read-only */
    uint32_t *ptef1 = fresh(VA_F + 0x1000, &f1, PTE_P | PTE_W);     /* supervisor */
    uint32_t *pdef = pg_pde(pg_dir, VA_F);
    *pdef &= ~PTE_A;
    write_cr3(read_cr3());
    pg_reset_traps();
    pg_wr32(VA_F + 0x10, 1);
    CHECK_PF(PF_P | PF_W, VA_F + 0x10, PG_EIP(pg_wr32_insn), "CR0.WP=1 write to read-only page");
    CHECK(!(*ptef0 & PTE_D), "faulting write: PTE.D not set");
    CHECK(*pdef & PTE_A, "protection fault: PDE.A set");

    *pdef &= ~PTE_A;
    write_cr3(read_cr3());
    pg_reset_traps();
    u_addr = VA_F + 0x1010;
    pg_user_call(u_write);
    CHECK_PF(PF_P | PF_W | PF_U, VA_F + 0x1010, PG_EIP(pg_wr32_insn), "user write to supervisor page");
    CHECK(!(*ptef1 & PTE_D), "faulting user write: PTE.D not set");
    CHECK(*pdef & PTE_A, "user-mode protection fault: PDE.A set");
    pg_reset_traps();
    pg_user_call(u_read);
    CHECK_PF(PF_P | PF_U, VA_F + 0x1010, PG_EIP(pg_rd32_insn), "user read of supervisor page");
    CHECK(!(*ptef1 & PTE_D), "faulting user read: PTE.D not set");

    return kdone("t_pg_ad");
}
