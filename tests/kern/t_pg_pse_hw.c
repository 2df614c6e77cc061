/* t_pg_pse_hw: a reserved bit in a 4 MiB PDE.
 *
 * Intel SDM Vol. 3 Table 4-4: in a PDE that maps a 4 MiB page, bits
 * 21:(M-19) are reserved (M = MAXPHYADDR; 32-bit paging uses at most
 * M = 40, so bit 21 is always reserved).  4.7: a reserved bit set in an
 * entry used for the translation means "no translation" and #PF with
 * RSVD = 1; "because reserved bits are not checked in a paging-structure
 * entry whose P flag is 0, bit 3 of the error code can be set only if bit
 * 0 is also set", so the error code is P|RSVD (| W for a write).  CR2 and
 * the saved EIP are as for any #PF.
 *
 * _hw: QEMU 7.2 (TCG) raises the fault with RSVD but P = 0 (error code 8
 * / 0xa instead of 9 / 0xb).
 */
#include "pg_lib.h"

#define BIG_RSVD 0x8c000000u    /* PDE 560 */
#define FRAME    0x00400000u    /* physical 4-8 MiB */

int kmain(void)
{
    pg_setup();
    pg_dir[BIG_RSVD >> 22] = FRAME | (1u << 21) | PTE_P | PTE_W | PTE_PS;
    write_cr4(read_cr4() | CR4_PSE);
    pg_paging_on();

    pg_reset_traps();
    pg_rd32(BIG_RSVD + 0x100);
    CHECK_PF(PF_P | PF_RSVD, BIG_RSVD + 0x100, PG_EIP(pg_rd32_insn), "read, reserved bit 21 in a 4 MiB PDE");
    pg_reset_traps();
    pg_wr8(BIG_RSVD + 0x3fffff, 0);
    CHECK_PF(PF_P | PF_W | PF_RSVD, BIG_RSVD + 0x3fffff, PG_EIP(pg_wr8_insn),
             "write, reserved bit 21 in a 4 MiB PDE");

    /* With the bit clear the same PDE maps the page. */
    pg_dir[BIG_RSVD >> 22] &= ~(1u << 21);
    invlpg(BIG_RSVD);
    pg_reset_traps();
    *(volatile uint32_t *)(BIG_RSVD + 0x100) = 0x600d;
    CHECK_NOTRAP("reserved bit cleared");
    return kdone("t_pg_pse_hw");
}
