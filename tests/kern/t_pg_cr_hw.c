/* t_pg_cr_hw: MOV to CR0 / CR4 with invalid values is #GP(0).
 *
 * Intel SDM Vol. 2, MOV (control registers), protected-mode exceptions:
 * #GP(0) "if an attempt is made to write invalid bit combinations in CR0
 * (such as setting the PG flag to 1 when the PE flag is set to 0, or
 * setting the CD flag to 0 when the NW flag is set to 1)" and "if an
 * attempt is made to write a 1 to any reserved bit in CR4" (bit 15 is
 * reserved on every processor).  The register keeps its old value.
 *
 * _hw: QEMU 7.2 (TCG) loads both bad CR0 values without a fault, and on
 * the reserved CR4 bit it takes an SVM "vmexit" path outside a guest and
 * loops forever (the kernel then times out).  Each case restores CR0/CR4
 * so a wrong emulator keeps running long enough to report.
 */
#include "pg_lib.h"

PG_PROBE(p_wr_cr0, "movl 4(%esp), %eax", "movl %eax, %cr0");
PG_PROBE(p_wr_cr4, "movl 4(%esp), %eax", "movl %eax, %cr4");

int kmain(void)
{
    pg_setup();
    write_cr3((uint32_t)pg_dir);    /* should PG get set wrongly, it maps us */
    uint32_t cr0 = read_cr0();

    pg_reset_traps();
    p_wr_cr0((cr0 | CR0_PG) & ~CR0_PE);
    uint32_t got = read_cr0();
    write_cr0(cr0);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_wr_cr0_insn), "MOV CR0 with PG=1, PE=0");
    CHECK_EQ(got, cr0, "CR0 unchanged after #GP (PG without PE)");

    pg_reset_traps();
    p_wr_cr0((cr0 | CR0_NW) & ~CR0_CD);
    got = read_cr0();
    write_cr0(cr0);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_wr_cr0_insn), "MOV CR0 with NW=1, CD=0");
    CHECK_EQ(got, cr0, "CR0 unchanged after #GP (NW without CD)");

    uint32_t cr4 = read_cr4();
    pg_reset_traps();
    p_wr_cr4(cr4 | 0x8000);
    got = read_cr4();
    write_cr4(cr4);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_wr_cr4_insn), "MOV CR4 with reserved bit 15");
    CHECK_EQ(got, cr4, "CR4 unchanged after #GP");

    return kdone("t_pg_cr_hw");
}
