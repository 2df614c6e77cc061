/* t_pg_pse: 4 MiB pages (CR4.PSE = 1, PDE.PS = 1) mixed with 4 KiB page tables.
 *
 * Checks (Intel SDM Vol. 3, 4.3 "32-Bit Paging", Table 4-4, 4.6, 4.7, 4.8):
 *  - a PDE with PS = 1 maps 4 MiB: linear bits 21:0 are the offset into the
 *    frame given by PDE bits 31:22 (first, middle and last dword);
 *  - 4 MiB and 4 KiB mappings of the same bytes agree, and an access that
 *    straddles a 4 MiB page and a 4 KiB page works;
 *  - A and D are set in the PDE of a 4 MiB page (it maps the page): A on
 *    read, D on write;
 *  - protection: a supervisor write to a read-only 4 MiB page with WP = 1
 *    (P|W, no D), a user read of a supervisor 4 MiB page (P|U), a
 *    not-present PDE with PS = 1 (error code 0); (reserved bits: t_pg_pse_hw);
 *  - a region switched from a page table to a 4 MiB page and back (P
 *    cleared and the TLB invalidated in between, as 4.10.2.3 recommends)
 *    uses the new mapping each time;
 *  - with CR4.PSE = 0 the PS bit is ignored: the PDE references a page
 *    table (4.3: "If CR4.PSE = 0 or the PDE's PS flag is 0, a 4-KByte
 *    naturally aligned page table is located at ... bits 31:12 of the PDE").
 */
#include "pg_lib.h"

#define BIG     0x80000000u     /* PDE 512: 4 MiB page -> physical 4 MiB */
#define SMALL   0x80400000u     /* PDE 513: 4 KiB table */
#define BIG_RO  0x80800000u     /* PDE 514: read-only 4 MiB page -> physical 4 MiB */
#define BIG_S   0x80c00000u     /* PDE 515: supervisor 4 MiB page -> physical 4 MiB */
#define BIG_NP  0x81000000u     /* PDE 516: PS = 1, P = 0 */
#define PSOFF   0x84000000u     /* PDE 528: PS = 1 but points at a page table */
#define RESIZE  0x88000000u     /* PDE 544: switches between 4 KiB and 4 MiB */
#define FRAME   0x00400000u     /* physical 4-8 MiB, outside the kernel */

static inline volatile uint32_t *phys32(uint32_t pa) { return (volatile uint32_t *)pa; }

static uint32_t u_read(void) { return pg_rd32(BIG_S + 0x100); }

int kmain(void)
{
    pg_setup();
    /* Paging off: physical addresses.  Markers in the 4 MiB frame. */
    *phys32(FRAME) = 0xa0000000;
    *phys32(FRAME + 0x1ff000) = 0xa01ff000;
    *phys32(FRAME + 0x3ffffc) = 0xa03ffffc;
    *phys32(FRAME + 0x100) = 0xa0000100;

    uint32_t *pd = pg_dir;
    pd[BIG >> 22] = FRAME | PTE_P | PTE_W | PTE_U | PTE_PS;
    pg_map(SMALL, FRAME + 0x1ff000, PTE_P | PTE_W | PTE_U);     /* one 4 KiB page of the frame */
    pg_map(SMALL + 0x1000, FRAME, PTE_P | PTE_W | PTE_U);
    pd[BIG_RO >> 22] = FRAME | PTE_P | PTE_U | PTE_PS;
    pd[BIG_S >> 22] = FRAME | PTE_P | PTE_W | PTE_PS;
    pd[BIG_NP >> 22] = FRAME | PTE_W | PTE_PS;
    uint8_t *q = pg_alloc();
    *(volatile uint32_t *)(q + 0x40) = 0x0000a5a5;
    uint32_t *pt = pg_alloc();      /* page table for PSOFF */
    pt[0] = (uint32_t)q | PTE_P | PTE_W;
    pd[PSOFF >> 22] = (uint32_t)pt | PTE_P | PTE_W | PTE_PS;

    write_cr4(read_cr4() | CR4_PSE);
    CHECK(read_cr4() & CR4_PSE, "CR4.PSE reads back 1");
    pg_paging_on();
    write_cr0(read_cr0() | CR0_WP);
    pg_reset_traps();

    CHECK_EQ(pg_rd32(BIG), 0xa0000000, "4 MiB page, offset 0");
    CHECK_EQ(pg_rd32(BIG + 0x1ff000), 0xa01ff000, "4 MiB page, offset 0x1ff000");
    CHECK_EQ(pg_rd32(BIG + 0x3ffffc), 0xa03ffffc, "4 MiB page, last dword");
    CHECK_EQ(pg_rd32(SMALL), 0xa01ff000, "4 KiB alias of the frame");
    uint32_t pde = pd[BIG >> 22];
    CHECK_EQ(pde & (PTE_A | PTE_D), PTE_A, "4 MiB page read: PDE.A set, PDE.D clear");

    pg_wr32(BIG + 0x1ff010, 0x12345678);
    CHECK_EQ(pd[BIG >> 22] & (PTE_A | PTE_D), PTE_A | PTE_D, "4 MiB page write: PDE.D set");
    CHECK_EQ(pd[BIG >> 22] & ~(PTE_A | PTE_D), FRAME | PTE_P | PTE_W | PTE_U | PTE_PS,
             "4 MiB PDE: other bits preserved");
    CHECK_EQ(pg_rd32(SMALL + 0x10), 0x12345678, "4 MiB write seen through the 4 KiB alias");
    pg_wr16(SMALL + 0x1100, 0xbeef);
    CHECK_EQ(pg_rd32(BIG + 0x100), 0xa000beef, "4 KiB write seen through the 4 MiB page");

    /* A dword across the 4 MiB page's end into the 4 KiB-mapped next page
     * (SMALL maps FRAME + 0x1ff000, which holds 0x12345678 at 0x10 and
     * 0xa01ff000 at 0). */
    CHECK_EQ(pg_rd32(BIG + 0x3ffffe), 0xf000a03f, "dword across a 4 MiB and a 4 KiB page");
    CHECK_NOTRAP("4 MiB accesses");

    /* Read-only 4 MiB page. */
    pd[BIG_RO >> 22] &= ~(PTE_A | PTE_D);
    CHECK_EQ(pg_rd32(BIG_RO + 0x100), 0xa000beef, "read-only 4 MiB page: read");
    pg_reset_traps();
    pg_wr32(BIG_RO + 0x104, 1);
    CHECK_PF(PF_P | PF_W, BIG_RO + 0x104, PG_EIP(pg_wr32_insn), "CR0.WP=1 write to read-only 4 MiB page");
    CHECK(!(pd[BIG_RO >> 22] & PTE_D), "faulting write: PDE.D not set");

    /* Supervisor 4 MiB page, user read. */
    pg_reset_traps();
    pg_user_call(u_read);
    CHECK_PF(PF_P | PF_U, BIG_S + 0x100, PG_EIP(pg_rd32_insn), "user read of supervisor 4 MiB page");

    /* Not present. */
    pg_reset_traps();
    pg_rd32(BIG_NP + 0x2345);
    CHECK_PF(0, BIG_NP + 0x2345, PG_EIP(pg_rd32_insn), "read, 4 MiB PDE not present");

    /* Changing the page size of a region, the way 4.10.2.3 asks for it:
     * clear P in the PDE, invalidate, then write the new PDE. */
    uint32_t *pde_sz = &pd[RESIZE >> 22];
    pg_map(RESIZE, (uint32_t)q, PTE_P | PTE_W);                 /* 4 KiB table */
    pg_reset_traps();
    CHECK_EQ(pg_rd32(RESIZE + 0x40), 0x0000a5a5, "region mapped with 4 KiB pages");
    *pde_sz &= ~PTE_P;
    write_cr3(read_cr3());
    uint32_t small_pde = *pde_sz | PTE_P;
    *pde_sz = FRAME | PTE_P | PTE_W | PTE_PS;
    CHECK_EQ(pg_rd32(RESIZE + 0x100), 0xa000beef, "same region now one 4 MiB page");
    *pde_sz &= ~PTE_P;
    invlpg(RESIZE);
    *pde_sz = small_pde;
    CHECK_EQ(pg_rd32(RESIZE + 0x40), 0x0000a5a5, "and back to 4 KiB pages");
    CHECK_NOTRAP("page size changes");

    /* CR4.PSE = 0: PS ignored; the PDE at PSOFF references pt. */
    write_cr4(read_cr4() & ~CR4_PSE);
    CHECK(!(read_cr4() & CR4_PSE), "CR4.PSE reads back 0");
    pg_reset_traps();
    CHECK_EQ(pg_rd32(PSOFF + 0x40), 0x0000a5a5, "CR4.PSE=0: PDE.PS ignored, page table used");
    CHECK_EQ(pg_rd32(SMALL + 0x1100), 0xa000beef, "CR4.PSE=0: 4 KiB tables still work");
    CHECK_NOTRAP("CR4.PSE=0 accesses");

    return kdone("t_pg_pse");
}
