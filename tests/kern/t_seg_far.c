/* t_seg_far: far JMP, CALL and RET without gates (CS descriptor checks),
 * and conforming code segments.
 *
 * What it checks (Intel SDM Vol. 2 JMP/CALL/RET far pseudo-code in
 * protected mode; Vol. 3 5.8.1 "Direct Calls or Jumps to Code Segments",
 * 5.8.1.2 conforming segments; 3.4.5.1 the accessed bit):
 *   - a far CALL to a nonconforming DPL 0 segment at CPL 0 pushes the
 *     caller's CS (low 16 bits of a dword) and EIP and loads CS with the
 *     selector; LRET pops them (the accessed bit: t_seg_accessed_hw).
 *   - a far JMP/CALL faults at the instruction, with nothing pushed, for:
 *     a null selector (#GP(0)); an index past the GDT limit, a data
 *     segment, a nonconforming segment with RPL > CPL or DPL != CPL, a
 *     conforming one with DPL > CPL (#GP(selector)); a not-present code
 *     segment (#NP(selector)); an offset past the limit (#GP(0)).
 *   - conforming code: CALL with any RPL from CPL 0 runs with CS.RPL = 0;
 *     from CPL 3 a DPL 0 conforming segment runs at CPL 3 (CS.RPL = 3,
 *     CLI there is #GP(0) since IOPL 0 < CPL 3) and its LRET goes back to
 *     ring 3; a nonconforming DPL 0 segment is #GP(selector) from CPL 3.
 *   - a far RET to an RPL below the CPL (ring 3 -> ring 0) is #GP(selector).
 */
#include "seg_lib.h"

enum {
    I_CODE = GDT_FIRST_FREE,    /* nonconforming, DPL 0, accessed clear */
    I_DATA,                     /* a data segment */
    I_CODE_NP,                  /* not present */
    I_CONF0,                    /* conforming, DPL 0 */
    I_CONF3,                    /* conforming, DPL 3 */
    I_CODE3,                    /* nonconforming, DPL 3 */
    I_CODE_SMALL,               /* nonconforming, DPL 0, limit 0xFFF */
};

struct far_ptr { uint32_t off; uint16_t sel; } __attribute__((packed));
static struct far_ptr fp __attribute__((used));
static volatile uint32_t r[6] __attribute__((used));

/* far_target: records CS, the return EIP and CS it finds on the stack,
 * and returns with LRET. */
__asm__(".text\n"
        "far_target:\n\t"
        "movw %cs, %ax\n\t"
        "movzwl %ax, %eax\n\t"
        "movl %eax, r\n\t"
        "movl (%esp), %eax\n\t"
        "movl %eax, r + 4\n\t"
        "movl 4(%esp), %eax\n\t"
        "movl %eax, r + 8\n\t"
        "lret\n"
        /* conf_cli: at CPL 3 in a conforming segment, CLI must fault */
        "conf_cli:\n\t"
        "movw %cs, %ax\n\t"
        "movzwl %ax, %eax\n\t"
        "movl %eax, r\n\t"
        "movl $conf_cli_fix, seg_fixup\n"
        "conf_cli_insn:\n\t"
        "cli\n"
        "conf_cli_fix:\n\t"
        "movl $0, seg_fixup\n\t"
        "lret\n");
extern char far_target[], conf_cli[], conf_cli_insn[];

/* Far CALL to sel:far_target; returns the CS the target ran with. */
static uint32_t call_ok(uint16_t sel, const char *what)
{
    fp.off = (uint32_t)far_target;
    fp.sel = sel;
    r[0] = r[1] = r[2] = 0;
    SEG_TRY("lcall *fp\n1:\tmovl $1b, r + 12", :);
    SEG_EXPECT_NONE(what);
    CHECK_EQ(r[1], r[3], what);                 /* return EIP */
    CHECK_EQ(r[2] & 0xffff, SEL_KCODE, what);    /* return CS */
    return r[0];
}

static void jmp_fault(uint16_t sel, uint32_t off, uint32_t vec, uint32_t err, const char *what)
{
    fp.off = off;
    fp.sel = sel;
    SEG_TRY("ljmp *fp", :);
    SEG_EXPECT_FAULT(vec, err, what);
}

static void call_fault(uint16_t sel, uint32_t vec, uint32_t err, const char *what)
{
    uint32_t esp0, esp1;
    fp.off = (uint32_t)far_target;
    fp.sel = sel;
    SEG_TRY_THEN("movl %%esp, %0\n\t" SEG_MARK "lcall *fp", "movl %%esp, %1",
                 "=&r"(esp0), "=&r"(esp1) :);
    SEG_EXPECT_FAULT(vec, err, what);
    CHECK_EQ(esp1, esp0, what);
}

/* ring-3 pieces */
static void r3_call_conf(void)
{
    fp.off = (uint32_t)conf_cli;
    fp.sel = GSEL(I_CONF0);
    __asm__ volatile("lcall *fp\n\t"
                     "movw %%cs, %%ax\n\t"
                     "movzwl %%ax, %%eax\n\t"
                     "movl %%eax, r + 16" : : : "eax", "memory");
}
static void r3_call_nonconf(void)
{
    fp.off = (uint32_t)far_target;
    fp.sel = GSEL(I_CODE) | 3;
    SEG_TRY("lcall *fp", :);
}
static void r3_ret_inner(void)
{
    /* LRET to SEL_KCODE (RPL 0) from CPL 3 */
    SEG_TRY_THEN("pushl %0\n\tpushl $2f\n\t" SEG_MARK "lret\n2:", "addl $8, %%esp",
                 : "i"(SEL_KCODE));
}

int kmain(void)
{
    seg_init();
    seg_set_gdt(I_CODE, seg_make_desc(0, 0xfffff, D_CODE_XR, F_G | F_DB));
    seg_set_gdt(I_DATA, seg_make_desc(0, 0xfffff, D_DATA_RW, F_G | F_DB));
    seg_set_gdt(I_CODE_NP, seg_make_desc(0, 0xfffff, D_CODE_XR & ~D_P, F_G | F_DB));
    seg_set_gdt(I_CONF0, seg_make_desc(0, 0xfffff, D_CODE_XR | D_CONF, F_G | F_DB));
    seg_set_gdt(I_CONF3, seg_make_desc(0, 0xfffff, D_CODE_XR | D_CONF | D_DPL(3), F_G | F_DB));
    seg_set_gdt(I_CODE3, seg_make_desc(0, 0xfffff, D_CODE_XR | D_DPL(3), F_G | F_DB));
    seg_set_gdt(I_CODE_SMALL, seg_make_desc(0, 0xfff, D_CODE_XR, F_DB));

    /* ---- successful far CALL / LRET ---- */
    CHECK_EQ(call_ok(GSEL(I_CODE), "far CALL to DPL 0 code"), GSEL(I_CODE), "CS = the called selector");
    CHECK_EQ(call_ok(GSEL(I_CONF0), "far CALL to conforming DPL 0"), GSEL(I_CONF0),
             "conforming: CS = selector");
    CHECK_EQ(call_ok(GSEL(I_CONF0) | 3, "far CALL to conforming DPL 0 with RPL 3"), GSEL(I_CONF0),
             "conforming: CS.RPL = CPL (0), not the selector's RPL");
    {
        /* a far JMP that works, and one back */
        uint16_t cs;
        __asm__ volatile("movl $1f, fp\n\t"
                         "movw %1, fp + 4\n\t"
                         "ljmp *fp\n"
                         "1:\tmovw %%cs, %0\n\t"
                         "movl $2f, fp\n\t"
                         "movw %2, fp + 4\n\t"
                         "ljmp *fp\n"
                         "2:"
                         : "=r"(cs) : "i"(GSEL(I_CODE)), "i"(SEL_KCODE) : "memory");
        CHECK_EQ(cs, GSEL(I_CODE), "far JMP loads CS");
        CHECK_EQ(read_cs(), SEL_KCODE, "far JMP back");
    }

    /* ---- faults ---- */
    jmp_fault(0, 0, 13, 0, "far JMP to the null selector: #GP(0)");
    jmp_fault(3, 0, 13, 0, "far JMP to null with RPL 3: #GP(0)");
    jmp_fault(GSEL(GDT_ENTRIES), 0, 13, GSEL(GDT_ENTRIES), "far JMP past the GDT limit: #GP(sel)");
    jmp_fault(GSEL(I_DATA), 0, 13, GSEL(I_DATA), "far JMP to a data segment: #GP(sel)");
    jmp_fault(GSEL(I_CODE) | 1, 0, 13, GSEL(I_CODE), "far JMP to nonconforming code, RPL 1 > CPL: #GP(sel)");
    jmp_fault(GSEL(I_CODE3), 0, 13, GSEL(I_CODE3), "far JMP to nonconforming DPL 3 at CPL 0: #GP(sel)");
    jmp_fault(GSEL(I_CONF3), 0, 13, GSEL(I_CONF3), "far JMP to conforming DPL 3 > CPL 0: #GP(sel)");
    jmp_fault(GSEL(I_CODE_NP), 0, 11, GSEL(I_CODE_NP), "far JMP to not-present code: #NP(sel)");
    jmp_fault(GSEL(I_CODE_SMALL), 0x1000, 13, 0, "far JMP to offset limit + 1: #GP(0)");
    call_fault(0, 13, 0, "far CALL to the null selector: #GP(0)");
    call_fault(GSEL(I_DATA), 13, GSEL(I_DATA), "far CALL to a data segment: #GP(sel)");
    call_fault(GSEL(I_CODE3) | 3, 13, GSEL(I_CODE3), "far CALL to nonconforming DPL 3 at CPL 0: #GP(sel)");
    call_fault(GSEL(I_CONF3), 13, GSEL(I_CONF3), "far CALL to conforming DPL 3: #GP(sel)");
    call_fault(GSEL(I_CODE_NP), 11, GSEL(I_CODE_NP), "far CALL to not-present code: #NP(sel)");
    call_fault(SEL_TSS + 0x200, 13, SEL_TSS + 0x200, "far CALL past the GDT limit: #GP(sel)");

    /* ---- conforming code from CPL 3 ---- */
    r[0] = r[4] = 0;
    seg_trap.count = 0;
    seg_try_start = (uint32_t)conf_cli_insn;   /* where the fault is expected */
    seg_ring3_call(r3_call_conf);
    CHECK_EQ(r[0], GSEL(I_CONF0) | 3, "CPL 3 -> conforming DPL 0: CS.RPL = 3 (CPL unchanged)");
    seg_expect_fault_cs(__FILE__, __LINE__, "CLI in conforming code at CPL 3: #GP(0)", 13, 0,
                        GSEL(I_CONF0) | 3);
    CHECK_EQ(seg_trap.ss, SEL_UDATA, "the fault switched from the ring-3 stack");
    CHECK_EQ(r[4], SEL_UCODE, "LRET from conforming code back to ring 3");
    seg_ring3_call(r3_call_nonconf);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3: far CALL to nonconforming DPL 0: #GP(sel)", 13,
                        GSEL(I_CODE), SEL_UCODE);
    seg_ring3_call(r3_ret_inner);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3: LRET to RPL 0: #GP(sel)", 13, SEL_KCODE, SEL_UCODE);

    return kdone("t_seg_far");
}
