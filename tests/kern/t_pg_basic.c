/* t_pg_basic: two-level 32-bit paging with 4 KiB pages, ring 0.
 *
 * Checks (Intel SDM Vol. 3, chapter 4 "Paging" and 6.15 "Interrupt 14"):
 *  - CR0.PG and CR3 read back after enabling paging over an identity map;
 *  - linear aliases: two linear pages mapped to one physical page see the
 *    same bytes, written through either alias or the identity map (4.3);
 *  - a not-present PTE or PDE gives #PF with error code P=0, W/R = the
 *    access, U/S = 0, RSVD = I/D = 0 (4.7), CR2 = the faulting linear
 *    address and the saved EIP = the faulting instruction (a fault, 6.5);
 *    the other bits of a not-present entry are ignored (4.3, Table 4-6);
 *  - the faulting instruction restarts after the handler sets P, without
 *    INVLPG: a P 0->1 change needs no invalidation (4.10.4.3);
 *  - supervisor writes to a read-only page: allowed with CR0.WP = 0, #PF
 *    with P|W and nothing written with CR0.WP = 1 (4.6); R/W = 0 in the PDE
 *    alone also makes the page read-only (the access rights combine, 4.6);
 *  - a write that faulted on a read-only page succeeds when retried after
 *    the handler sets R/W, without INVLPG: a #PF invalidates the TLB
 *    entries for the faulting address (4.10.4.1).
 */
#include "pg_lib.h"

#define VA   0x40000000u        /* PDE 256: test mappings */
#define VA_NOPDE 0x50000000u    /* PDE 320: never present */

static uint32_t *fix_pte;       /* what the fixups change */
static uint32_t fix_bits;

/* Set bits in one PTE and re-run the faulting instruction (no INVLPG). */
static int fix_set_bits(struct pg_frame *f)
{
    (void)f;
    *fix_pte |= fix_bits;
    return 1;
}

int kmain(void)
{
    pg_setup();
    pg_paging_on();
    CHECK(read_cr0() & CR0_PG, "CR0.PG reads back 1");
    CHECK(read_cr0() & CR0_PE, "CR0.PE still 1");
    CHECK_EQ(read_cr3(), (uint32_t)pg_dir, "CR3 reads back the page directory");

    /* Aliases: VA and VA+0x1000 both map physical page p. */
    uint8_t *p = pg_alloc();
    uint32_t pa = (uint32_t)p;
    pg_map(VA, pa, PTE_P | PTE_W);
    pg_map(VA + 0x1000, pa, PTE_P | PTE_W);
    pg_reset_traps();
    pg_wr32(VA + 0x10, 0x11223344);
    CHECK_EQ(*(volatile uint32_t *)(p + 0x10), 0x11223344, "write through alias 1 reaches the physical page");
    CHECK_EQ(pg_rd32(VA + 0x1010), 0x11223344, "read through alias 2");
    pg_wr8(VA + 0x1ffc, 0xa5);
    CHECK_EQ(p[0xffc], 0xa5, "byte write through alias 2");
    CHECK_EQ(pg_rd8(VA + 0xffc), 0xa5, "byte read through alias 1");
    *(volatile uint16_t *)(p + 0x800) = 0xbeef;
    CHECK_EQ(pg_rd16(VA + 0x800), 0xbeef, "identity-map write seen through alias 1");
    CHECK_EQ(pg_rd16(VA + 0x1800), 0xbeef, "identity-map write seen through alias 2");
    CHECK_NOTRAP("aliases");

    /* A second physical page at VA+0x2000 is distinct. */
    uint8_t *q = pg_alloc();
    pg_map(VA + 0x2000, (uint32_t)q, PTE_P | PTE_W);
    pg_wr32(VA + 0x2010, 0x55667788);
    CHECK_EQ(*(volatile uint32_t *)(q + 0x10), 0x55667788, "second page written");
    CHECK_EQ(pg_rd32(VA + 0x10), 0x11223344, "first page unchanged");

    /* Not-present PTE: the other bits are ignored and left alone. */
    uint32_t *pte3 = pg_pte(VA + 0x3000);
    *pte3 = 0xfffffffeu;
    invlpg(VA + 0x3000);
    pg_reset_traps();
    pg_rd32(VA + 0x3234);
    CHECK_PF(0, VA + 0x3234, PG_EIP(pg_rd32_insn), "read, PTE not present");
    pg_reset_traps();
    pg_wr32(VA + 0x3ffc, 1);
    CHECK_PF(PF_W, VA + 0x3ffc, PG_EIP(pg_wr32_insn), "dword write, PTE not present");
    pg_reset_traps();
    pg_wr8(VA + 0x3001, 1);
    CHECK_PF(PF_W, VA + 0x3001, PG_EIP(pg_wr8_insn), "byte write, PTE not present");
    pg_reset_traps();
    pg_rd16(VA + 0x3002);
    CHECK_PF(0, VA + 0x3002, PG_EIP(pg_rd16_insn), "word read, PTE not present");
    CHECK_EQ(*pte3, 0xfffffffeu, "not-present PTE left unchanged by the CPU");

    /* Not-present PDE (with junk in the ignored bits). */
    uint32_t *pde = pg_pde(pg_dir, VA_NOPDE);
    *pde = 0x12345ffeu;
    pg_reset_traps();
    pg_rd8(VA_NOPDE + 0x123);
    CHECK_PF(0, VA_NOPDE + 0x123, PG_EIP(pg_rd8_insn), "read, PDE not present");
    pg_reset_traps();
    pg_wr16(VA_NOPDE + 0x3ff000, 1);
    CHECK_PF(PF_W, VA_NOPDE + 0x3ff000, PG_EIP(pg_wr16_insn), "write, PDE not present");
    CHECK_EQ(*pde, 0x12345ffeu, "not-present PDE left unchanged by the CPU");
    *pde = 0;

    /* Restart: the handler sets P and the read runs again. */
    uint8_t *r = pg_alloc();
    *(volatile uint32_t *)(r + 0x40) = 0xcafef00d;
    fix_pte = pg_pte(VA + 0x4000);
    *fix_pte = (uint32_t)r | PTE_W;             /* P = 0 */
    invlpg(VA + 0x4000);
    pg_reset_traps();
    fix_bits = PTE_P;
    pg_fixup = fix_set_bits;
    uint32_t v = pg_rd32(VA + 0x4040);
    CHECK_PF(0, VA + 0x4040, PG_EIP(pg_rd32_insn), "restarted read");
    CHECK_EQ(v, 0xcafef00d, "restarted read returns the data");
    /* The same for a write. */
    fix_pte = pg_pte(VA + 0x5000);
    *fix_pte = (uint32_t)r | PTE_W;
    invlpg(VA + 0x5000);
    pg_reset_traps();
    pg_fixup = fix_set_bits;
    pg_wr32(VA + 0x5044, 0x0badcafe);
    CHECK_PF(PF_W, VA + 0x5044, PG_EIP(pg_wr32_insn), "restarted write");
    CHECK_EQ(*(volatile uint32_t *)(r + 0x44), 0x0badcafe, "restarted write lands");

    /* Read-only page, supervisor writes. */
    uint8_t *ro = pg_alloc();
    *(volatile uint32_t *)(ro + 0x100) = 0x01010101;
    pg_map(VA + 0x6000, (uint32_t)ro, PTE_P);
    write_cr0(read_cr0() & ~CR0_WP);
    pg_reset_traps();
    pg_wr32(VA + 0x6100, 0x02020202);
    CHECK_NOTRAP("CR0.WP=0: supervisor write to read-only page");
    CHECK_EQ(*(volatile uint32_t *)(ro + 0x100), 0x02020202, "CR0.WP=0: the write landed");
    write_cr0(read_cr0() | CR0_WP);
    CHECK(read_cr0() & CR0_WP, "CR0.WP reads back 1");
    pg_reset_traps();
    pg_wr32(VA + 0x6100, 0x03030303);
    CHECK_PF(PF_P | PF_W, VA + 0x6100, PG_EIP(pg_wr32_insn), "CR0.WP=1: write to read-only page");
    CHECK_EQ(*(volatile uint32_t *)(ro + 0x100), 0x02020202, "CR0.WP=1: nothing written");
    pg_reset_traps();
    CHECK_EQ(pg_rd32(VA + 0x6100), 0x02020202, "CR0.WP=1: read of read-only page");
    CHECK_NOTRAP("CR0.WP=1: read of read-only page");

    /* R/W = 0 in the PDE only: the whole 4 MiB region is read-only. */
    uint32_t *pde_va = pg_pde(pg_dir, VA);
    *pde_va &= ~PTE_W;
    write_cr3(read_cr3());          /* the PDE changed: flush */
    pg_reset_traps();
    pg_wr8(VA + 0x10, 0x77);
    CHECK_PF(PF_P | PF_W, VA + 0x10, PG_EIP(pg_wr8_insn), "CR0.WP=1: write with PDE R/W=0, PTE R/W=1");
    CHECK_EQ(p[0x10], 0x44, "PDE R/W=0: nothing written");
    write_cr0(read_cr0() & ~CR0_WP);
    pg_reset_traps();
    pg_wr8(VA + 0x10, 0x77);
    CHECK_NOTRAP("CR0.WP=0: write with PDE R/W=0");
    CHECK_EQ(p[0x10], 0x77, "CR0.WP=0, PDE R/W=0: the write landed");
    write_cr0(read_cr0() | CR0_WP);
    *pde_va |= PTE_W;
    write_cr3(read_cr3());

    /* Retry after making the page writable, without INVLPG. */
    fix_pte = pg_pte(VA + 0x6000);
    fix_bits = PTE_W;
    pg_reset_traps();
    pg_fixup = fix_set_bits;
    pg_wr32(VA + 0x6104, 0x04040404);
    CHECK_PF(PF_P | PF_W, VA + 0x6104, PG_EIP(pg_wr32_insn), "write to read-only page, then R/W set");
    CHECK_EQ(*(volatile uint32_t *)(ro + 0x104), 0x04040404, "retried write landed");

    return kdone("t_pg_basic");
}
