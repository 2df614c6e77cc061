/* t_ring_iret: changing privilege level with IRET, far RET and interrupt
 * gates (ring 0 <-> ring 3).
 *
 * What it checks (Intel SDM Vol. 2 IRET and RET pseudo-code, "return to
 * outer privilege level"; Vol. 3 6.12.1 "Exception- or Interrupt-Handler
 * Procedures", figure 6-4 "Stack Usage on Transfers to Interrupt and
 * Exception-Handling Routines", 7.2.1 TSS SS0:ESP0):
 *   - IRET to CPL 3 loads CS, EIP, EFLAGS, SS, ESP from the frame; the
 *     data segment registers that hold data or nonconforming code with
 *     DPL < 3 are nulled, those with DPL 3, conforming code, or null are
 *     kept.
 *   - INT n from CPL 3 through a DPL-3 interrupt gate switches to
 *     TSS.SS0:ESP0 and pushes SS, ESP, EFLAGS, CS, EIP of ring 3 (EIP =
 *     the next instruction); handler ESP = ESP0 - 20; IF is cleared.  An
 *     exception with an error code from CPL 3 is framed the same way with
 *     the error code below EIP.
 *   - far RET (LRET $8) to CPL 3: pops EIP, CS, skips 8 bytes of
 *     parameters, pops ESP and SS, then adds 8 to the new ESP; it nulls
 *     DPL-0 data segment registers like IRET.
 *   - IRET/RET faults: returning to a more privileged level (RPL < CPL) is
 *     #GP(CS selector); IRET to CPL 3 with SS null is #GP(0), with an SS
 *     whose RPL or DPL differs from the new CPL or a read-only SS
 *     #GP(SS selector), a not-present SS #NP(SS selector); a data segment
 *     as CS #GP(CS), a not-present CS #NP(CS).  (For the not-present SS the
 *     SDM's IRET exception list and the 386 manual say #NP(selector); the
 *     SDM's pseudo-code says #SS(selector).  We follow the former, as QEMU
 *     and Bochs do.)
 */
#include "seg_lib.h"

enum {
    I_CONF = GDT_FIRST_FREE,    /* conforming readable code, DPL 0 */
    I_DATA1,                    /* data, DPL 1 */
    I_UDATA_RO,                 /* read-only data, DPL 3 */
    I_UDATA_NP,                 /* not present, DPL 3 */
    I_UCODE_NP,                 /* ring-3 code, not present */
};

/* What the ring-3 code saw, stored through SS (DS may be null). */
static struct {
    uint16_t ds, es, fs, gs;
    uint32_t esp, eflags;
    uint16_t cs, ss;
} r3 __attribute__((used));

__asm__(".text\n"
        "r3_look:\n\t"
        "movw %ds, %ss:r3\n\t"
        "movw %es, %ss:r3 + 2\n\t"
        "movw %fs, %ss:r3 + 4\n\t"
        "movw %gs, %ss:r3 + 6\n\t"
        "movl %esp, %ss:r3 + 8\n\t"
        "pushfl\n\t"
        "popl %ss:r3 + 12\n\t"
        "movw %cs, %ss:r3 + 16\n\t"
        "movw %ss, %ss:r3 + 18\n\t"
        "int $0x30\n"
        "r3_look_end:\n"

        /* lret_enter(eip, esp): enter ring 3 with LRET $8 and two dummy
         * parameters between CS and ESP on the ring-0 stack */
        "lret_enter:\n\t"
        "movl 4(%esp), %eax\n\t"
        "movl 8(%esp), %ecx\n\t"
        "pushl %ebp\n\t"
        "pushl %edi\n\t"
        "pushl %esi\n\t"
        "pushl %ebx\n\t"
        "movl %esp, seg_ring0_saved_esp\n\t"
        "pushl $0x23\n\t"            /* SS */
        "pushl %ecx\n\t"             /* ESP */
        "pushl $0x11111111\n\t"      /* parameters, released by the imm16 */
        "pushl $0x22222222\n\t"
        "pushl $0x1b\n\t"            /* CS */
        "pushl %eax\n\t"             /* EIP */
        "lret $8\n");
extern char r3_look[], r3_look_end[];
void lret_enter(void *eip, uint32_t esp);

/* Load ES/FS/GS for the nulling test (DS stays SEL_KDATA, DPL 0). */
static void load_es_fs_gs(uint16_t es, uint16_t fs, uint16_t gs)
{
    __asm__ volatile("movw %w0, %%es\n\tmovw %w1, %%fs\n\tmovw %w2, %%gs"
                     : : "r"(es), "r"(fs), "r"(gs) : "memory");
}

/* Ring 3: IRET back to ring 0 (RPL 0 < CPL 3) must fault. */
static void r3_iret_inner(void)
{
    SEG_TRY_THEN("pushfl\n\tpushl %0\n\tpushl $2f\n\t" SEG_MARK "iret\n2:", "addl $12, %%esp",
                 : "i"(SEL_KCODE));
}

/* Ring 0: IRET to ring 3 with the given SS and CS; must fault. */
static void iret_fault(uint16_t ss, uint16_t cs, uint32_t vec, uint32_t err, const char *what)
{
    uint32_t saved;
    SEG_TRY_THEN("movl %%esp, %0\n\t"
                 "pushl %1\n\t"
                 "pushl $seg_ustack_top\n\t"
                 "pushl $2\n\t"
                 "pushl %2\n\t"
                 "pushl $r3_look\n\t"
                 SEG_MARK "iret",
                 "movl %0, %%esp",
                 "=&r"(saved) : "r"((uint32_t)ss), "r"((uint32_t)cs));
    SEG_EXPECT_FAULT(vec, err, what);
}

int kmain(void)
{
    seg_init();
    seg_set_gdt(I_CONF, seg_make_desc(0, 0xfffff, D_CODE_XR | D_CONF, F_G | F_DB));
    seg_set_gdt(I_DATA1, seg_make_desc(0, 0xfffff, D_DATA_RW | D_DPL(1), F_G | F_DB));
    seg_set_gdt(I_UDATA_RO, seg_make_desc(0, 0xfffff, D_DATA_RO | D_DPL(3), F_G | F_DB));
    seg_set_gdt(I_UDATA_NP, seg_make_desc(0, 0xfffff, (D_DATA_RW | D_DPL(3)) & ~D_P, F_G | F_DB));
    seg_set_gdt(I_UCODE_NP, seg_make_desc(0, 0xfffff, (D_CODE_XR | D_DPL(3)) & ~D_P, F_G | F_DB));

    /* ---- IRET to ring 3, INT back ---- */
    seg_ring3_eflags = FL_1 | FL_CF | FL_OF;
    load_es_fs_gs(SEL_UDATA, GSEL(I_CONF), GSEL(I_DATA1));
    seg_ring3_enter((void (*)(void))r3_look);
    CHECK_EQ(r3.cs, SEL_UCODE, "IRET: CS = ring-3 code, CPL 3");
    CHECK_EQ(r3.ss, SEL_UDATA, "IRET: SS");
    CHECK_EQ(r3.esp, (uint32_t)seg_ustack_top, "IRET: ESP");
    CHECK_EQ(r3.eflags & 0x3fffff, FL_1 | FL_CF | FL_OF, "IRET: EFLAGS");
    CHECK_EQ(r3.ds, 0, "IRET to CPL 3 nulls DS (DPL 0 data)");
    CHECK_EQ(r3.es, SEL_UDATA, "IRET to CPL 3 keeps ES (DPL 3 data)");
    CHECK_EQ(r3.fs, GSEL(I_CONF), "IRET to CPL 3 keeps FS (conforming code)");
    CHECK_EQ(r3.gs, 0, "IRET to CPL 3 nulls GS (DPL 1 data)");

    /* the gate's frame */
    CHECK_EQ(seg_ring0_ss, SEL_KDATA, "INT from CPL 3: SS = TSS.SS0");
    CHECK_EQ(seg_ring0_esp, (uint32_t)seg_istack_top - 20, "INT from CPL 3: ESP = TSS.ESP0 - 20");
    CHECK_EQ(seg_ring0_frame[0], (uint32_t)r3_look_end, "INT frame: EIP after the INT");
    CHECK_EQ(seg_ring0_frame[1] & 0xffff, SEL_UCODE, "INT frame: CS");
    CHECK_EQ(seg_ring0_frame[2] & 0x3fffff, FL_1 | FL_CF | FL_OF, "INT frame: EFLAGS of ring 3");
    CHECK_EQ(seg_ring0_frame[3], (uint32_t)seg_ustack_top, "INT frame: ring-3 ESP");
    CHECK_EQ(seg_ring0_frame[4] & 0xffff, SEL_UDATA, "INT frame: ring-3 SS");
    CHECK_EQ(seg_ring0_regs[0], 0, "DS at the INT (null)");
    CHECK_EQ(seg_ring0_regs[1], SEL_UDATA, "ES at the INT");

    /* IF is cleared by the interrupt gate */
    seg_ring3_eflags = FL_1 | FL_IF;
    seg_ring3_enter((void (*)(void))r3_look);
    CHECK_EQ(r3.eflags & FL_IF, FL_IF, "ring 3 ran with IF=1");
    CHECK_EQ(seg_ring0_frame[2] & FL_IF, FL_IF, "INT frame: IF=1 pushed");
    CHECK_EQ(read_eflags() & FL_IF, 0, "interrupt gate cleared IF");
    seg_ring3_defaults();

    /* an exception with an error code from CPL 3 */
    seg_ring3_call(r3_iret_inner);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3: IRET to CPL 0: #GP(CS selector)", 13, SEL_KCODE,
                        SEL_UCODE);
    CHECK_EQ(seg_trap.handler_esp, (uint32_t)seg_istack_top - 20, "#GP from CPL 3: EIP at ESP0 - 20");
    CHECK_EQ(seg_trap.ss, SEL_UDATA, "#GP from CPL 3: ring-3 SS pushed");

    /* ---- LRET $8 to ring 3 ---- */
    load_es_fs_gs(GSEL(I_DATA1), SEL_UDATA, 0);
    lret_enter(r3_look, (uint32_t)seg_ustack_top - 64);
    CHECK_EQ(r3.cs, SEL_UCODE, "LRET to CPL 3: CS");
    CHECK_EQ(r3.ss, SEL_UDATA, "LRET to CPL 3: SS");
    CHECK_EQ(r3.esp, (uint32_t)seg_ustack_top - 64 + 8, "LRET $8 to CPL 3: new ESP = popped ESP + 8");
    CHECK_EQ(r3.ds, 0, "LRET to CPL 3 nulls DS (DPL 0)");
    CHECK_EQ(r3.es, 0, "LRET to CPL 3 nulls ES (DPL 1)");
    CHECK_EQ(r3.fs, SEL_UDATA, "LRET to CPL 3 keeps FS (DPL 3)");
    CHECK_EQ(r3.gs, 0, "GS stays null");
    load_es_fs_gs(SEL_KDATA, SEL_KDATA, SEL_KDATA);

    /* ---- IRET faults (ring 0 -> ring 3) ---- */
    iret_fault(0, SEL_UCODE, 13, 0, "IRET to CPL 3 with a null SS: #GP(0)");
    iret_fault(SEL_KDATA | 3, SEL_UCODE, 13, SEL_KDATA, "IRET to CPL 3 with a DPL 0 SS: #GP(SS)");
    iret_fault(SEL_UDATA & ~3, SEL_UCODE, 13, SEL_UDATA & ~3, "IRET to CPL 3, SS RPL 0: #GP(SS)");
    iret_fault(GSEL(I_UDATA_RO) | 3, SEL_UCODE, 13, GSEL(I_UDATA_RO), "IRET to CPL 3, read-only SS: #GP(SS)");
    iret_fault(GSEL(I_UDATA_NP) | 3, SEL_UCODE, 11, GSEL(I_UDATA_NP), "IRET to CPL 3, SS not present: #NP(SS)");
    iret_fault(SEL_UDATA, SEL_UDATA, 13, SEL_UDATA & ~3, "IRET with a data segment as CS: #GP(CS)");
    iret_fault(SEL_UDATA, GSEL(I_UCODE_NP) | 3, 11, GSEL(I_UCODE_NP), "IRET to a not-present CS: #NP(CS)");
    iret_fault(SEL_UDATA, GSEL(GDT_ENTRIES) | 3, 13, GSEL(GDT_ENTRIES), "IRET to a CS past the GDT: #GP(CS)");
    iret_fault(SEL_UDATA, 0, 13, 0, "IRET to a null CS: #GP(0)");

    return kdone("t_ring_iret");
}
