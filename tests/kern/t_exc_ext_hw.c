/* t_exc_ext_hw: the EXT bit of error codes.
 *
 * What it checks (Intel SDM Vol. 3 6.13 "Error Code": "EXT, external event
 * (bit 0): when set, indicates that the exception occurred during delivery
 * of an event external to the program, such as an interrupt or an earlier
 * exception"; it is clear only for INT n, INT3 and INTO; Vol. 2 INT n
 * pseudo-code, where every delivery error is #GP/#NP(... + EXT)):
 * delivering #UD (a processor exception, benign, so no double fault) fails
 *   - through a not-present gate:            #NP(6*8 + 2 + 1)
 *   - through an IDT entry of the wrong type: #GP(6*8 + 2 + 1)
 *   - through a gate whose code selector is a data segment: #GP(sel + 1)
 *   - through a gate whose code segment is not present:     #NP(sel + 1)
 *   - through a gate with a null code selector:             #GP(0 + 1)
 * and, for contrast, INT 6 (software) through a not-present gate gives
 * #NP(6*8 + 2) with EXT clear.  The pushed EIP is the UD2 in every case.
 *
 * _hw: QEMU 7.2 never sets EXT (it reports 6*8+2, sel, 0).
 */
#include "seg_lib.h"

enum { I_CODE_NP = GDT_FIRST_FREE };

int kmain(void)
{
    seg_init();
    seg_set_gdt(I_CODE_NP, seg_make_desc(0, 0xfffff, D_CODE_XR & ~D_P, F_G | F_DB));

    seg_set_idt(6, SEL_KCODE, seg_stub_addr(6), D_DPL(0) | T_INT32);
    SEG_TRY("ud2", :);
    SEG_EXPECT_FAULT(11, 6 * 8 + 3, "#UD through a not-present gate: #NP(6*8+2+EXT)");
    SEG_TRY("int $6", :);
    SEG_EXPECT_FAULT(11, 6 * 8 + 2, "INT 6 through a not-present gate: #NP(6*8+2), EXT=0");

    seg_set_idt(6, SEL_KCODE, seg_stub_addr(6), D_P | T_CALL32);
    SEG_TRY("ud2", :);
    SEG_EXPECT_FAULT(13, 6 * 8 + 3, "#UD, IDT entry is a call gate: #GP(6*8+2+EXT)");

    seg_set_idt(6, SEL_KDATA, seg_stub_addr(6), D_P | T_INT32);
    SEG_TRY("ud2", :);
    SEG_EXPECT_FAULT(13, SEL_KDATA | 1, "#UD, gate to a data segment: #GP(sel+EXT)");

    seg_set_idt(6, GSEL(I_CODE_NP), seg_stub_addr(6), D_P | T_INT32);
    SEG_TRY("ud2", :);
    SEG_EXPECT_FAULT(11, GSEL(I_CODE_NP) | 1, "#UD, gate to a not-present code segment: #NP(sel+EXT)");

    seg_set_idt(6, 0, seg_stub_addr(6), D_P | T_INT32);
    SEG_TRY("ud2", :);
    SEG_EXPECT_FAULT(13, 1, "#UD, gate with a null code selector: #GP(0+EXT)");
    seg_default_idt(6, 0);

    return kdone("t_exc_ext_hw");
}
