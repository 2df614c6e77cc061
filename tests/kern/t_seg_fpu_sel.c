/* t_seg_fpu_sel: FCS and FDS are the selectors of the last x87
 * non-control instruction and of its memory operand, as they were then,
 * however the segment registers change afterwards (Intel SDM Vol. 1,
 * 8.1.8 "x87 FPU Instruction and Data (Operand) Pointers").  vm leaves
 * them as "CS's / DS's selector" in translated code and takes them when
 * a selector changes (fpu.c fpu_resolve_sels): these are the changes.
 *
 * Checks, each with FNSTENV and FXSAVE afterwards:
 *  - FLD m64 through DS, then DS loaded with another (flat) selector, in
 *    the same block and in the next one: FDS is the old one;
 *  - the same, then a far JMP to another code selector: FCS is the old CS;
 *  - an x87 instruction after the far JMP: FCS and FDS the new ones;
 *  - an interrupt (INT n through a gate to the first code selector)
 *    between the FLD and FNSTENV, run from the second code selector: FCS
 *    is the second selector, not the handler's.
 */
#include "seg_lib.h"

enum {
    I_CODE2 = GDT_FIRST_FREE,   /* ring 0, flat, like SEL_KCODE */
    I_DATA2,                    /* ring 0, flat, like SEL_KDATA */
};
#define SEL_CODE2 SEL(I_CODE2, 0, 0)
#define SEL_DATA2 SEL(I_DATA2, 0, 0)
#define VEC_NOP 0x61

struct env32 { uint32_t cw, sw, tw, fip, fcs_fop, fdp, fds; };
static struct env32 env __attribute__((used));
static uint8_t fx[512] __attribute__((aligned(16), used));
static double operand __attribute__((used)) = 2.5;
struct far_ptr { uint32_t off; uint16_t sel; } __attribute__((packed));
static struct far_ptr to2 __attribute__((used)), back __attribute__((used));

/* the interrupt handler: does nothing x87 */
__asm__(".text\n"
        "nop_isr:\n\t"
        "iret\n"
        /* on_code2: runs at SEL_CODE2: FLD m64, INT VEC_NOP, FNSTENV,
         * FXSAVE, then back to SEL_KCODE */
        "on_code2:\n\t"
        "fninit\n\t"
        "fldl operand\n\t"
        "int $0x61\n\t"
        "fnstenv env\n\t"
        "fxsave fx\n\t"
        "ljmp *back\n");
extern char nop_isr[], on_code2[];

static void check_sels(uint16_t fcs, uint16_t fds, const char *what)
{
    CHECK_EQ(env.fcs_fop & 0xffff, fcs, what);
    CHECK_EQ(env.fds & 0xffff, fds, what);
    CHECK_EQ(fx[12] | fx[13] << 8, fcs, what);
    CHECK_EQ(fx[20] | fx[21] << 8, fds, what);
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    seg_init();
    seg_set_gdt(I_CODE2, seg_make_desc(0, 0xfffff, D_CODE_XR, F_G | F_DB));
    seg_set_gdt(I_DATA2, seg_make_desc(0, 0xfffff, D_DATA_RW, F_G | F_DB));
    seg_set_idt(VEC_NOP, SEL_KCODE, (uint32_t)nop_isr, D_P | T_INT32);

    for (int round = 0; round < 3; round++) {       /* translated, then chained */
        /* DS changes after the FLD */
        __asm__ volatile("fninit\n\t"
                         "fldl operand\n\t"
                         "movw %w0, %%ds\n\t"
                         "fnstenv env\n\t"
                         "fxsave fx\n\t"
                         "movw %w1, %%ds"
                         : : "r"(SEL_DATA2), "r"(SEL_KDATA) : "memory");
        check_sels(SEL_KCODE, SEL_KDATA, "DS loaded after FLD: FCS, FDS as at the FLD");
        /* the same with the load in another block (an indirect jump between) */
        __asm__ volatile("fninit\n\t"
                         "fldl operand\n\t"
                         "movl $1f, %%eax\n\t"
                         "jmp *%%eax\n"
                         "1:\tmovw %w0, %%ds\n\t"
                         "fnstenv env\n\t"
                         "fxsave fx\n\t"
                         "movw %w1, %%ds"
                         : : "r"(SEL_DATA2), "r"(SEL_KDATA) : "eax", "memory");
        check_sels(SEL_KCODE, SEL_KDATA, "DS loaded in the next block: FDS as at the FLD");

        /* DS, then CS change after the FLD; an FLD on the new CS */
        to2.sel = SEL_CODE2;
        back.sel = SEL_KCODE;
        __asm__ volatile("movl $1f, to2\n\t"
                         "movl $2f, back\n\t"
                         "fninit\n\t"
                         "fldl operand\n\t"
                         "movw %w0, %%ds\n\t"
                         "ljmp *to2\n"
                         "1:\tfnstenv env\n\t"
                         "fxsave fx\n\t"
                         "ljmp *back\n"
                         "2:\tmovw %w1, %%ds"
                         : : "r"(SEL_DATA2), "r"(SEL_KDATA) : "memory");
        check_sels(SEL_KCODE, SEL_KDATA, "far JMP after FLD: FCS the old CS");
        __asm__ volatile("movl $1f, to2\n\t"
                         "movl $2f, back\n\t"
                         "movw %w0, %%ds\n\t"
                         "ljmp *to2\n"
                         "1:\tfninit\n\t"
                         "fldl operand\n\t"
                         "fnstenv env\n\t"
                         "fxsave fx\n\t"
                         "ljmp *back\n"
                         "2:\tmovw %w1, %%ds"
                         : : "r"(SEL_DATA2), "r"(SEL_KDATA) : "memory");
        check_sels(SEL_CODE2, SEL_DATA2, "FLD after the far JMP: the new CS and DS");

        /* an interrupt in between, from the second code segment */
        to2.off = (uint32_t)on_code2;
        __asm__ volatile("movl $1f, back\n\t"
                         "ljmp *to2\n"
                         "1:" : : : "memory");
        check_sels(SEL_CODE2, SEL_KDATA, "INT between FLD and FNSTENV: FCS the interrupted CS");
    }
    return kdone("t_seg_fpu_sel");
}
