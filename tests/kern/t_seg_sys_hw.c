/* t_seg_sys_hw: descriptor-table details where QEMU differs from the SDM.
 *
 * What it checks:
 *   - the accessed bit of a code segment descriptor is set when CS is
 *     loaded with it: far JMP, far CALL, and an interrupt gate whose target
 *     code segment has A=0 (SDM Vol. 3 3.4.5.1: "the processor sets this
 *     bit whenever it loads a segment selector for the segment into a
 *     segment register"; the SDM's JMP/CALL pseudo-code loads CS the same
 *     way as MOV loads a data segment register).
 *   - likewise for SS loaded from TSS.SS0 on a ring 3 -> ring 0 interrupt,
 *     and for CS/SS loaded by IRET to ring 3.
 *   - LTR with a null selector is #GP(0) (SDM Vol. 2 LTR, "Protected Mode
 *     Exceptions").
 *
 * _hw: QEMU 7.2 sets the accessed bit only for MOV/POP/LxS data segment
 * loads (not for CS, nor for SS/CS loaded by gates and IRET), and accepts
 * LTR with a null selector (it loads a null TR).
 */
#include "seg_lib.h"

enum {
    I_CODE_J = GDT_FIRST_FREE,  /* code, A=0, for far JMP */
    I_CODE_C,                   /* for far CALL */
    I_CODE_I,                   /* target of an interrupt gate */
    I_SS0,                      /* ring-0 stack loaded from TSS.SS0 */
    I_UCODE,                    /* ring-3 code loaded by IRET */
    I_UDATA,                    /* ring-3 stack loaded by IRET */
};

struct far_ptr { uint32_t off; uint16_t sel; } __attribute__((packed));
static struct far_ptr fp __attribute__((used));

static int accessed(int index) { return (desc_access(seg_gdt[index]) & D_ACC) != 0; }

__asm__(".text\nsys_lret: lret\n"
        /* ring 3 code entered by IRET with CS = I_UCODE, SS = I_UDATA */
        "sys_r3: int $0x30\n");
extern char sys_lret[], sys_r3[];

int kmain(void)
{
    seg_init();
    seg_set_gdt(I_CODE_J, seg_make_desc(0, 0xfffff, D_CODE_XR, F_G | F_DB));
    seg_set_gdt(I_CODE_C, seg_make_desc(0, 0xfffff, D_CODE_XR, F_G | F_DB));
    seg_set_gdt(I_CODE_I, seg_make_desc(0, 0xfffff, D_CODE_XR, F_G | F_DB));
    seg_set_gdt(I_SS0, seg_make_desc(0, 0xfffff, D_DATA_RW, F_G | F_DB));
    seg_set_gdt(I_UCODE, seg_make_desc(0, 0xfffff, D_CODE_XR | D_DPL(3), F_G | F_DB));
    seg_set_gdt(I_UDATA, seg_make_desc(0, 0xfffff, D_DATA_RW | D_DPL(3), F_G | F_DB));

    /* far JMP */
    __asm__ volatile("movl $1f, fp\n\t"
                     "movw %0, fp + 4\n\t"
                     "ljmp *fp\n"
                     "1:\tmovl $2f, fp\n\t"
                     "movw %1, fp + 4\n\t"
                     "ljmp *fp\n"
                     "2:" : : "i"(GSEL(I_CODE_J)), "i"(SEL_KCODE) : "memory");
    CHECK(accessed(I_CODE_J), "far JMP sets the accessed bit of the code segment");

    /* far CALL */
    fp.off = (uint32_t)sys_lret;
    fp.sel = GSEL(I_CODE_C);
    __asm__ volatile("lcall *fp" : : : "memory");
    CHECK(accessed(I_CODE_C), "far CALL sets the accessed bit of the code segment");

    /* interrupt gate with target CS = I_CODE_I */
    seg_set_idt(0x40, GSEL(I_CODE_I), seg_stub_addr(0x40), D_P | T_INT32);
    SEG_TRY("int $0x40", :);
    seg_expect_trap_cs(__FILE__, __LINE__, "INT 0x40", 0x40, SEG_NOERR, SEL_KCODE);
    CHECK(accessed(I_CODE_I), "an interrupt gate sets the accessed bit of its code segment");

    /* ring 3 entered by IRET with CS/SS of A=0, back through a gate whose
     * stack comes from TSS.SS0 = I_SS0 (A=0) */
    seg_tss.t.ss0 = GSEL(I_SS0);
    seg_ring3_cs = GSEL(I_UCODE) | 3;
    seg_ring3_ss = GSEL(I_UDATA) | 3;
    seg_ring3_enter((void (*)(void))sys_r3);
    seg_ring3_defaults();
    seg_tss.t.ss0 = SEL_KDATA;
    __asm__ volatile("movw %w0, %%ss" : : "r"(SEL_KDATA));
    CHECK_EQ(seg_ring0_ss, GSEL(I_SS0), "the gate loaded SS from TSS.SS0");
    CHECK(accessed(I_UCODE), "IRET to ring 3 sets the accessed bit of the new CS");
    CHECK(accessed(I_UDATA), "IRET to ring 3 sets the accessed bit of the new SS");
    CHECK(accessed(I_SS0), "a ring 3 -> 0 gate sets the accessed bit of TSS.SS0's segment");

    /* LTR null */
    SEG_TRY("ltr %w0", : "r"(0));
    SEG_EXPECT_FAULT(13, 0, "LTR with a null selector: #GP(0)");
    SEG_TRY("ltr %w0", : "r"(3));
    SEG_EXPECT_FAULT(13, 0, "LTR with a null selector, RPL 3: #GP(0)");

    return kdone("t_seg_sys_hw");
}
