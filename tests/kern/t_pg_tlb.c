/* t_pg_tlb: TLB invalidation, only what the architecture guarantees.
 *
 * A translation cached in the TLB may or may not be used after software
 * changes an entry without invalidating, so nothing here reads through a
 * possibly-stale translation.  Every check follows an operation that the
 * Intel SDM Vol. 3 (4.10.4 "Invalidation of TLBs and Paging-Structure
 * Caches") says invalidates it:
 *  - INVLPG: the TLB entries for the page (of the linear address: segment
 *    base + offset, Vol. 2 INVLPG), global ones included, and all
 *    paging-structure caches (so a changed PDE is seen too); for a 4 MiB
 *    page, INVLPG of any address in it invalidates the whole page (4.10.2.3);
 *  - MOV to CR3: all non-global entries (reload of the same value, and a
 *    switch between two page directories);
 *  - MOV to CR4 that changes CR4.PGE: everything, global entries included;
 *    with CR4.PGE = 0 the G flag is ignored (4.10.2.4), so MOV to CR3
 *    flushes entries with G = 1 too;
 *  - MOV to CR0 that changes CR0.PG: everything, global entries included;
 *  - a page fault invalidates the entries for the faulting address, so a
 *    retry after R/W 0->1 or U/S 0->1 without INVLPG succeeds (4.10.4.1,
 *    4.10.4.3), and a P 0->1 change needs no invalidation (4.10.4.3).
 * Also: linear pages that differ only in high bits (4 MiB apart) keep
 * their own translations when used in turn.
 */
#include "pg_lib.h"

#define VA     0x40000000u      /* PDE 256 */
#define VA_G   0x44000000u      /* PDE 272: global pages */
#define VA_PDE 0x48000000u      /* PDE 288: the PDE itself changes */
#define VA_CONF 0x60000000u     /* PDEs 384-387: same TLB-index bits */
#define VA_CODE 0x50000000u     /* PDE 320: code pages remapped */
#define BIG    0x80000000u      /* PDE 512: 4 MiB page */
#define F1     0x00800000u      /* physical 8 MiB and 12 MiB: two 4 MiB frames */
#define F2     0x00c00000u

static uint8_t *pg[6];          /* physical pages; pg[i] holds 0xa0+i at offset 0x80 */
static uint32_t pa(int i) { return (uint32_t)pg[i]; }
#define MARK(i) (0xa0u + (i))

static uint32_t *fix_pte, fix_bits;
static int fix_set(struct pg_frame *f) { (void)f; *fix_pte |= fix_bits; return 1; }
static uint32_t u_addr;
static uint32_t u_read(void) { return pg_rd8(u_addr); }

/* Code at VA_CODE (+0x1000 global): page k of code[] returns 0x100 + k.
 * Translated blocks are cached by linear address (vm's jump cache), so a
 * remapped code page must run its new code after the invalidation that
 * the SDM asks for: MOV CR3 for a non-global page, INVLPG for any. */
static uint8_t *code[3];

static void code_page(int k)
{
    code[k] = pg_alloc();
    code[k][0] = 0xb8;                                  /* mov $0x100+k, %eax; ret */
    code[k][1] = (uint8_t)k;
    code[k][2] = 1;
    code[k][3] = code[k][4] = 0;
    code[k][5] = 0xc3;
}

static void check_code_remap(void)
{
    for (int k = 0; k < 3; k++)
        code_page(k);
    uint32_t *pte = pg_pte(VA_CODE), *pteg = pg_pte(VA_CODE + 0x1000);
    *pte = (uint32_t)code[0] | PTE_P | PTE_W;
    *pteg = (uint32_t)code[0] | PTE_P | PTE_W | PTE_G;
    invlpg(VA_CODE);
    invlpg(VA_CODE + 0x1000);
    for (int i = 0; i < 2; i++) {                       /* translated, then cached */
        CHECK_EQ(pg_exec(VA_CODE), 0x100, "code page 0");
        CHECK_EQ(pg_exec(VA_CODE + 0x1000), 0x100, "global code page 0");
    }
    *pte = (uint32_t)code[1] | PTE_P | PTE_W;
    write_cr3(read_cr3());
    CHECK_EQ(pg_exec(VA_CODE), 0x101, "code PTE changed + CR3 reload: the new code runs");
    CHECK_EQ(pg_exec(VA_CODE + 0x1000), 0x100, "a global code page is still there after CR3 reload");
    *pteg = (uint32_t)code[2] | PTE_P | PTE_W | PTE_G;
    invlpg(VA_CODE + 0x1000);
    CHECK_EQ(pg_exec(VA_CODE + 0x1000), 0x102, "global code PTE changed + INVLPG: the new code runs");
    *pteg = (uint32_t)code[1] | PTE_P | PTE_W | PTE_G;
    write_cr4(read_cr4() & ~CR4_PGE);
    write_cr4(read_cr4() | CR4_PGE);
    CHECK_EQ(pg_exec(VA_CODE + 0x1000), 0x101, "global code PTE changed + CR4.PGE toggled");
}

int kmain(void)
{
    pg_setup();
    for (int i = 0; i < 6; i++) {
        pg[i] = pg_alloc();
        pg[i][0x80] = (uint8_t)MARK(i);
    }
    *(volatile uint32_t *)(F1 + 0x300000) = 0xf1f1f1f1;     /* paging still off */
    *(volatile uint32_t *)(F2 + 0x300000) = 0xf2f2f2f2;
    pg_paging_on();
    pg_reset_traps();
    uint32_t *pte = pg_pte(VA);

    /* INVLPG. */
    *pte = pa(0) | PTE_P | PTE_W;
    invlpg(VA);
    CHECK_EQ(pg_rd8(VA + 0x80), MARK(0), "mapping 0");
    *pte = pa(1) | PTE_P | PTE_W;
    invlpg(VA);
    CHECK_EQ(pg_rd8(VA + 0x80), MARK(1), "PTE changed + INVLPG: new mapping");

    /* INVLPG takes a logical address: with a segment base B, INVLPG
     * %fs:off invalidates the page of linear address B + off. */
    *pte = pa(4) | PTE_P | PTE_W;
    __asm__ volatile("movw %w0, %%fs\n\t"
                     "invlpg %%fs:(%1)\n\t"
                     "movw %w2, %%fs"
                     : : "r"(SEL_BASED), "r"(VA + 0x80 - PG_BASED_BASE), "r"(SEL_KDATA) : "memory");
    CHECK_EQ(pg_rd8(VA + 0x80), MARK(4), "PTE changed + INVLPG through a segment with a base");

    /* MOV CR3, same value. */
    *pte = pa(2) | PTE_P | PTE_W;
    write_cr3(read_cr3());
    CHECK_EQ(pg_rd8(VA + 0x80), MARK(2), "PTE changed + CR3 reload: new mapping");

    /* Two address spaces: dir2 shares the identity table, maps VA elsewhere. */
    uint32_t *dir2 = pg_alloc();
    dir2[0] = pg_dir[0];
    *pg_pte_in(dir2, VA) = pa(3) | PTE_P | PTE_W;
    uint32_t cr3_1 = read_cr3();
    write_cr3((uint32_t)dir2);
    CHECK_EQ(read_cr3(), (uint32_t)dir2, "CR3 = second directory");
    CHECK_EQ(pg_rd8(VA + 0x80), MARK(3), "second address space");
    write_cr3(cr3_1);
    CHECK_EQ(pg_rd8(VA + 0x80), MARK(2), "first address space again");
    write_cr3((uint32_t)dir2);
    CHECK_EQ(pg_rd8(VA + 0x80), MARK(3), "second address space again");
    write_cr3(cr3_1);

    /* A PDE pointing at another page table: INVLPG flushes the
     * paging-structure caches too. */
    uint32_t *pt_a = pg_alloc(), *pt_b = pg_alloc();
    pt_a[0] = pa(0) | PTE_P | PTE_W;
    pt_b[0] = pa(4) | PTE_P | PTE_W;
    uint32_t *pde = pg_pde(pg_dir, VA_PDE);
    *pde = (uint32_t)pt_a | PTE_P | PTE_W;
    invlpg(VA_PDE);
    CHECK_EQ(pg_rd8(VA_PDE + 0x80), MARK(0), "page table A");
    *pde = (uint32_t)pt_b | PTE_P | PTE_W;
    invlpg(VA_PDE);
    CHECK_EQ(pg_rd8(VA_PDE + 0x80), MARK(4), "PDE changed + INVLPG: page table B");
    *pde = (uint32_t)pt_a | PTE_P | PTE_W;
    write_cr3(read_cr3());
    CHECK_EQ(pg_rd8(VA_PDE + 0x80), MARK(0), "PDE changed + CR3 reload: page table A");

    /* Global pages. */
    write_cr4(read_cr4() | CR4_PGE);
    CHECK(read_cr4() & CR4_PGE, "CR4.PGE reads back 1");
    uint32_t *pteg = pg_pte(VA_G);
    *pteg = pa(0) | PTE_P | PTE_W | PTE_G;
    invlpg(VA_G);
    CHECK_EQ(pg_rd8(VA_G + 0x80), MARK(0), "global mapping 0");
    *pteg = pa(1) | PTE_P | PTE_W | PTE_G;
    invlpg(VA_G);
    CHECK_EQ(pg_rd8(VA_G + 0x80), MARK(1), "global PTE changed + INVLPG");
    *pteg = pa(2) | PTE_P | PTE_W | PTE_G;
    write_cr4(read_cr4() & ~CR4_PGE);
    write_cr4(read_cr4() | CR4_PGE);
    CHECK_EQ(pg_rd8(VA_G + 0x80), MARK(2), "global PTE changed + CR4.PGE toggled");
    *pteg = pa(3) | PTE_P | PTE_W | PTE_G;
    write_cr4(read_cr4() & ~CR4_PGE);   /* changing PGE flushes; no toggle back yet */
    CHECK_EQ(pg_rd8(VA_G + 0x80), MARK(3), "global PTE changed + CR4.PGE cleared");
    write_cr4(read_cr4() | CR4_PGE);
    CHECK_EQ(pg_rd8(VA_G + 0x80), MARK(3), "CR4.PGE set again");
    *pteg = pa(4) | PTE_P | PTE_W | PTE_G;
    write_cr0(read_cr0() & ~CR0_PG);
    write_cr0(read_cr0() | CR0_PG);
    CHECK_EQ(pg_rd8(VA_G + 0x80), MARK(4), "global PTE changed + CR0.PG toggled");
    /* A non-global mapping next to the global one: CR3 reload is enough. */
    uint32_t *pteng = pg_pte(VA_G + 0x1000);
    *pteng = pa(0) | PTE_P | PTE_W;
    invlpg(VA_G + 0x1000);
    CHECK_EQ(pg_rd8(VA_G + 0x1080), MARK(0), "non-global next to global");
    *pteng = pa(5) | PTE_P | PTE_W;
    write_cr3(read_cr3());
    CHECK_EQ(pg_rd8(VA_G + 0x1080), MARK(5), "CR4.PGE=1: non-global PTE changed + CR3 reload");
    write_cr4(read_cr4() & ~CR4_PGE);

    /* CR4.PGE = 0: the G flag is ignored, so a CR3 load flushes G entries. */
    *pteg = pa(0) | PTE_P | PTE_W | PTE_G;
    invlpg(VA_G);
    CHECK_EQ(pg_rd8(VA_G + 0x80), MARK(0), "CR4.PGE=0, G=1: mapping 0");
    *pteg = pa(1) | PTE_P | PTE_W | PTE_G;
    write_cr3(read_cr3());
    CHECK_EQ(pg_rd8(VA_G + 0x80), MARK(1), "CR4.PGE=0, G=1 ignored: CR3 reload flushes");

    /* Linear pages 4 MiB apart (the same low page-number bits) mapped to
     * different frames, used in turn: region k, page i -> frame (i + k) % 6. */
    for (uint32_t k = 0; k < 4; k++)
        for (uint32_t i = 0; i < 6; i++)
            pg_map(VA_CONF + k * 0x400000u + i * 0x1000u, pa((int)((i + k) % 6)), PTE_P | PTE_W);
    int bad = 0;
    for (int round = 0; round < 3; round++)
        for (uint32_t i = 0; i < 6; i++)
            for (uint32_t k = 0; k < 4; k++)
                if (pg_rd8(VA_CONF + k * 0x400000u + i * 0x1000u + 0x80) != MARK((i + k) % 6))
                    bad++;
    CHECK_EQ(bad, 0, "pages 4 MiB apart keep their own translations");

    /* 4 MiB page: INVLPG of one address invalidates the whole page. */
    write_cr4(read_cr4() | CR4_PSE);
    uint32_t *bigpde = pg_pde(pg_dir, BIG);
    *bigpde = F1 | PTE_P | PTE_W | PTE_PS;
    invlpg(BIG);
    CHECK_EQ(pg_rd32(BIG + 0x300000), 0xf1f1f1f1, "4 MiB page, frame 1");
    pg_rd32(BIG + 0x1000);
    *bigpde = F2 | PTE_P | PTE_W | PTE_PS;
    invlpg(BIG + 0x1000);
    CHECK_EQ(pg_rd32(BIG + 0x300000), 0xf2f2f2f2, "4 MiB PDE changed + INVLPG elsewhere in the page");
    write_cr4(read_cr4() | CR4_PGE);
    check_code_remap();
    CHECK_NOTRAP("TLB checks");

    /* P 0->1 needs no invalidation. */
    *pte = pa(5) | PTE_W;
    invlpg(VA);
    pg_reset_traps();
    pg_rd8(VA + 0x80);
    CHECK_PF(0, VA + 0x80, PG_EIP(pg_rd8_insn), "not present");
    *pte |= PTE_P;
    pg_reset_traps();
    CHECK_EQ(pg_rd8(VA + 0x80), MARK(5), "P set without INVLPG: new mapping used");
    CHECK_NOTRAP("P set without INVLPG");

    /* R/W 0->1 after the fault, without INVLPG (the entry was cached by a read). */
    write_cr0(read_cr0() | CR0_WP);
    *pte = pa(5) | PTE_P;
    invlpg(VA);
    CHECK_EQ(pg_rd8(VA + 0x80), MARK(5), "read-only page read (cached)");
    fix_pte = pte;
    fix_bits = PTE_W;
    pg_reset_traps();
    pg_fixup = fix_set;
    pg_wr8(VA + 0x81, 0x55);
    CHECK_PF(PF_P | PF_W, VA + 0x81, PG_EIP(pg_wr8_insn), "write to read-only page");
    CHECK_EQ(pg[5][0x81], 0x55, "retried after R/W 0->1 without INVLPG");

    /* U/S 0->1 after the fault, without INVLPG. */
    *pte = pa(5) | PTE_P | PTE_W;
    invlpg(VA);
    CHECK_EQ(pg_rd8(VA + 0x80), MARK(5), "supervisor page read (cached)");
    fix_bits = PTE_U;
    pg_reset_traps();
    pg_fixup = fix_set;
    u_addr = VA + 0x80;
    CHECK_EQ(pg_user_call(u_read), MARK(5), "user read retried after U/S 0->1 without INVLPG");
    CHECK_PF(PF_P | PF_U, VA + 0x80, PG_EIP(pg_rd8_insn), "user read of supervisor page");

    return kdone("t_pg_tlb");
}
