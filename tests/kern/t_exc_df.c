/* t_exc_df: the double fault (#DF, vector 8) through an interrupt gate.
 *
 * What it checks (Intel SDM Vol. 3 6.15 "Interrupt 8—Double Fault
 * Exception (#DF)", tables 6-4 "Interrupt and Exception Classes" and 6-5
 * "Conditions for Generating a Double Fault"):
 *   - contributory (#DE #TS #NP #SS #GP) followed by contributory while
 *     delivering it: #DF with error code 0.  Cases: #GP whose gate is not
 *     present (#NP); #DE whose IDT entry is not a gate (#GP); #NP whose
 *     gate's code selector is a data segment (#GP).
 *   - #PF followed by a contributory fault while delivering it: #DF.
 *   - a benign exception (#UD, #BP) followed by a contributory one is
 *     handled serially: only the second (#NP) is delivered, no #DF.
 *   - the #DF frame: error code 0; the SDM leaves the saved CS:EIP
 *     undefined, so they are not compared (the handler resumes at a known
 *     place in SEL_KCODE).
 * A fault while delivering #DF is a triple fault (shutdown); it cannot be
 * observed from inside and is not tested.
 */
#include "seg_lib.h"

enum { I_DATA_NP = GDT_FIRST_FREE };

/* #DF: record (done by the library) and resume at the fixup in SEL_KCODE. */
static void df_hook(struct seg_frame *f)
{
    f->cs = SEL_KCODE;
    f->eip = seg_fixup;
    seg_fixup = 0;
}

static uint32_t pgdir[1024] __attribute__((aligned(4096)));
static uint32_t pgtab[2][1024] __attribute__((aligned(4096)));
static uint8_t hole[4096] __attribute__((aligned(4096)));

static void paging(int on)
{
    uint32_t cr0;
    if (on) {
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 1024; j++)
                pgtab[i][j] = ((uint32_t)(i * 1024 + j) << 12) | 3;
            pgdir[i] = (uint32_t)pgtab[i] | 3;
        }
        uint32_t n = (uint32_t)hole >> 12;
        pgtab[n >> 10][n & 1023] = 0;
        __asm__ volatile("movl %0, %%cr3" : : "r"(pgdir) : "memory");
    }
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    cr0 = on ? cr0 | 0x80000000u : cr0 & 0x7fffffffu;
    __asm__ volatile("movl %0, %%cr0" : : "r"(cr0) : "memory");
}

int kmain(void)
{
    seg_init();
    seg_hook[8] = df_hook;
    seg_set_gdt(I_DATA_NP, seg_make_desc(0, 0xfffff, D_DATA_RW & ~D_P, F_G | F_DB));
    static const struct __attribute__((packed)) { uint32_t off; uint16_t sel; } null_fp = { 0, 0 };

    /* #GP, then #NP for its not-present gate */
    seg_set_idt(13, SEL_KCODE, seg_stub_addr(13), D_DPL(0) | T_INT32);
    SEG_TRY("ljmp *%0", : "m"(null_fp));
    CHECK_EQ(seg_trap.count, 1, "#GP + #NP: one exception delivered");
    CHECK_EQ(seg_trap.vector, 8, "#GP + #NP (both contributory): #DF");
    CHECK_EQ(seg_trap.err, 0, "#DF error code 0");
    seg_default_idt(13, 0);

    /* #DE, then #GP for its IDT entry, which is a call gate */
    seg_set_idt(0, SEL_KCODE, seg_stub_addr(0), D_P | T_CALL32);
    {
        uint32_t a = 1, d = 0;
        SEG_TRY("divl %2", "+a"(a), "+d"(d) : "r"(0));
    }
    CHECK_EQ(seg_trap.count, 1, "#DE + #GP: one exception delivered");
    CHECK_EQ(seg_trap.vector, 8, "#DE + #GP: #DF");
    CHECK_EQ(seg_trap.err, 0, "#DF error code 0");
    seg_default_idt(0, 0);

    /* #NP, then #GP for its gate's code segment (a data segment) */
    seg_set_idt(11, SEL_KDATA, seg_stub_addr(11), D_P | T_INT32);
    SEG_TRY("movw %w0, %%ds", : "r"(GSEL(I_DATA_NP)));
    CHECK_EQ(seg_trap.count, 1, "#NP + #GP: one exception delivered");
    CHECK_EQ(seg_trap.vector, 8, "#NP + #GP: #DF");
    CHECK_EQ(seg_trap.err, 0, "#DF error code 0");
    seg_default_idt(11, 0);
    CHECK_EQ(read_ds(), SEL_KDATA, "DS kept after the #DF");

    /* #PF, then #NP for its gate */
    paging(1);
    seg_set_idt(14, SEL_KCODE, seg_stub_addr(14), D_DPL(0) | T_INT32);
    {
        uint32_t v;
        SEG_TRY("movl (%1), %0", "=r"(v) : "r"(hole));
    }
    paging(0);
    CHECK_EQ(seg_trap.count, 1, "#PF + #NP: one exception delivered");
    CHECK_EQ(seg_trap.vector, 8, "#PF + #NP: #DF");
    CHECK_EQ(seg_trap.err, 0, "#DF error code 0");
    seg_default_idt(14, 0);

    /* benign first: serial delivery, no #DF (EXT is not compared here) */
    seg_set_idt(6, SEL_KCODE, seg_stub_addr(6), D_DPL(0) | T_INT32);
    SEG_TRY("ud2", :);
    CHECK_EQ(seg_trap.count, 1, "#UD + #NP: one exception delivered");
    CHECK_EQ(seg_trap.vector, 11, "#UD (benign) + #NP: just #NP");
    CHECK_EQ(seg_trap.err & ~1u, 6 * 8 + 2, "#NP error code: the IDT entry of #UD");
    CHECK_EQ(seg_trap.eip, seg_try_start, "#NP after #UD: EIP of the UD2");
    seg_default_idt(6, 0);
    seg_set_idt(3, SEL_KCODE, seg_stub_addr(3), D_DPL(0) | T_INT32);
    SEG_TRY("int3", :);
    SEG_EXPECT_FAULT(11, 3 * 8 + 2, "INT3 through a not-present gate: #NP(3*8+2), no #DF");
    seg_default_idt(3, 0);

    return kdone("t_exc_df");
}
