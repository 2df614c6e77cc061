/* t_exc_gates: interrupt and trap gates in the IDT.
 *
 * What it checks (Intel SDM Vol. 3 6.10-6.14: IDT, gate descriptors,
 * "Exception and Interrupt Handling", 6.12.1.2 "Flag Usage By Exception-
 * or Interrupt-Handler Procedure", 6.13 "Error Code" (EXT, IDT, TI bits);
 * Vol. 2 INT n/INTO/INT3 pseudo-code):
 *   - an interrupt gate clears IF, a trap gate leaves it; both push the
 *     caller's EFLAGS (IF=1).
 *   - INT n / INT3 / INTO from CPL 3 through a gate with DPL < 3:
 *     #GP(vector*8 + 2) (IDT bit set, EXT clear), EIP = the INT; through a
 *     DPL-3 gate they work.  A processor exception (#UD) from CPL 3 is
 *     delivered through a DPL-0 gate: the gate DPL is not checked.
 *   - INT n through a not-present gate: #NP(vector*8 + 2) (EXT=0 for a
 *     software interrupt).  A vector whose gate lies (even partly) beyond
 *     the IDT limit: #GP(vector*8 + 2).  An IDT entry that is not a gate (a
 *     call gate type): #GP(vector*8 + 2).  (The same while delivering a
 *     processor exception, with EXT=1: t_exc_ext_hw.)
 *   - the gate's code selector: null #GP(EXT=0), a data segment or a code
 *     segment with DPL > CPL #GP(selector), not present #NP(selector).
 *   - an interrupt gate to a conforming code segment from CPL 3 runs the
 *     handler at CPL 3 on the same stack (no SS:ESP pushed).
 *   - a 16-bit interrupt gate pushes FLAGS, CS, IP as words.
 */
#include "seg_lib.h"

enum {
    I_CONF0 = GDT_FIRST_FREE,   /* conforming code DPL 0, base 0 */
    I_CODE_NP,                  /* code, not present */
    I_UCODE2,                   /* DPL 3 code (another copy of SEL_UCODE) */
    I_CODE_B16,                 /* 32-bit code based at b16 */
};

static volatile uint32_t probe[8] __attribute__((used));
struct far_ptr { uint32_t off; uint16_t sel; } __attribute__((packed));
static struct far_ptr back __attribute__((used));

/* gate_probe: record EFLAGS, CS, ESP as the handler sees them and the
 * frame's EIP, CS, EFLAGS; then IRET.  Uses the caller's DS (flat). */
__asm__(".text\n"
        "gate_probe:\n\t"
        "pushl %eax\n\t"
        "pushfl\n\t"
        "popl probe\n\t"
        "movw %cs, %ax\n\t"
        "movzwl %ax, %eax\n\t"
        "movl %eax, probe + 4\n\t"
        "leal 4(%esp), %eax\n\t"
        "movl %eax, probe + 8\n\t"
        "movl 4(%esp), %eax\n\tmovl %eax, probe + 12\n\t"
        "movl 8(%esp), %eax\n\tmovl %eax, probe + 16\n\t"
        "movl 12(%esp), %eax\n\tmovl %eax, probe + 20\n\t"
        "popl %eax\n\t"
        "iret\n"
        /* the 16-bit gate's handler (CS based at b16): record the three
         * words, drop them and go back through `back` */
        "gate16:\n\t"
        "movl 0(%esp), %eax\n\tmovl %eax, probe\n\t"    /* IP, CS */
        "movzwl 4(%esp), %eax\n\tmovl %eax, probe + 4\n\t" /* FLAGS */
        "movl %esp, probe + 8\n\t"
        "addl $6, %esp\n\t"
        "ljmp *back\n");
extern char gate_probe[], gate16[];

/* Ring-3 pieces */
static volatile int r3_vec;
static void r3_int(void)
{
    switch (r3_vec) {
    case 0x40: SEG_TRY("int $0x40", :); break;
    case 0x41: SEG_TRY("int $0x41", :); break;
    case 3:    SEG_TRY("int3", :); break;
    case 4: {
        uint32_t tmp;   /* OF=1 from 0x7fffffff + 1 */
        SEG_TRY("movl $0x7fffffff, %0\n\taddl $1, %0\n\t" SEG_MARK "into", "=&r"(tmp) :);
        break;
    }
    case 6:    SEG_TRY("ud2", :); break;
    case 0x43: SEG_TRY("int $0x43", :); break;
    }
}

int kmain(void)
{
    seg_init();
    uint32_t b16 = (uint32_t)gate16 & ~0xffffu;
    seg_set_gdt(I_CONF0, seg_make_desc(0, 0xfffff, D_CODE_XR | D_CONF, F_G | F_DB));
    seg_set_gdt(I_CODE_NP, seg_make_desc(0, 0xfffff, D_CODE_XR & ~D_P, F_G | F_DB));
    seg_set_gdt(I_UCODE2, seg_make_desc(0, 0xfffff, D_CODE_XR | D_DPL(3), F_G | F_DB));
    seg_set_gdt(I_CODE_B16, seg_make_desc(b16, 0xfffff, D_CODE_XR, F_G | F_DB));

    /* ---- interrupt gate vs trap gate ---- */
    seg_set_idt(0x40, SEL_KCODE, (uint32_t)gate_probe, D_P | T_INT32);
    seg_set_idt(0x41, SEL_KCODE, (uint32_t)gate_probe, D_P | T_TRAP32);
    {
        uint32_t after;
        __asm__ volatile("sti\n\tint $0x40\n1:\tcli\n\tmovl $1b, %0" : "=r"(after) : : "memory");
        CHECK_EQ(probe[0] & FL_IF, 0, "interrupt gate: handler runs with IF=0");
        CHECK_EQ(probe[5] & FL_IF, FL_IF, "interrupt gate: pushed EFLAGS has IF=1");
        CHECK_EQ(probe[3], after, "INT n pushes the EIP of the next instruction");
        CHECK_EQ(probe[4] & 0xffff, SEL_KCODE, "INT n pushes CS");
        __asm__ volatile("sti\n\tint $0x41\n\tcli" : : : "memory");
        CHECK_EQ(probe[0] & FL_IF, FL_IF, "trap gate: handler runs with IF=1");
        CHECK_EQ(probe[5] & FL_IF, FL_IF, "trap gate: pushed EFLAGS has IF=1");
    }

    /* ---- gate DPL vs CPL for software interrupts ---- */
    seg_default_idt(0x40, 0);
    seg_default_idt(0x41, 3);
    r3_vec = 0x40;
    seg_ring3_call(r3_int);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3 INT 0x40, gate DPL 0: #GP(0x40*8+2)", 13,
                        0x40 * 8 + 2, SEL_UCODE);
    r3_vec = 0x41;
    seg_ring3_call(r3_int);
    seg_expect_trap_cs(__FILE__, __LINE__, "CPL 3 INT 0x41, gate DPL 3", 0x41, SEG_NOERR, SEL_UCODE);
    r3_vec = 3;
    seg_ring3_call(r3_int);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3 INT3, gate DPL 0: #GP(3*8+2)", 13, 3 * 8 + 2, SEL_UCODE);
    r3_vec = 4;
    seg_ring3_call(r3_int);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3 INTO (OF=1), gate DPL 0: #GP(4*8+2)", 13, 4 * 8 + 2,
                        SEL_UCODE);
    seg_default_idt(3, 3);
    seg_default_idt(4, 3);
    r3_vec = 3;
    seg_ring3_call(r3_int);
    seg_expect_trap_cs(__FILE__, __LINE__, "CPL 3 INT3, gate DPL 3: #BP trap", 3, SEG_NOERR, SEL_UCODE);
    r3_vec = 4;
    seg_ring3_call(r3_int);
    seg_expect_trap_cs(__FILE__, __LINE__, "CPL 3 INTO, gate DPL 3: #OF trap", 4, SEG_NOERR, SEL_UCODE);
    r3_vec = 6;
    seg_ring3_call(r3_int);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3 #UD through a DPL 0 gate: delivered", 6, SEG_NOERR,
                        SEL_UCODE);

    /* ---- not-present gates, IDT limit, wrong descriptor type ---- */
    seg_set_idt(0x42, SEL_KCODE, seg_stub_addr(0x42), D_DPL(0) | T_INT32);
    SEG_TRY("int $0x42", :);
    SEG_EXPECT_FAULT(11, 0x42 * 8 + 2, "INT n through a not-present gate: #NP(vec*8+2)");
    seg_set_idt(0x42, SEL_KCODE, seg_stub_addr(0x42), D_P | D_DPL(0) | T_CALL32);
    SEG_TRY("int $0x42", :);
    SEG_EXPECT_FAULT(13, 0x42 * 8 + 2, "INT n, IDT entry is a call gate: #GP(vec*8+2)");
    seg_default_idt(0x42, 0);
    {
        struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr = { 0x50 * 8 + 6, (uint32_t)seg_idt },
                                                                             full = { 0x7ff, (uint32_t)seg_idt };
        SEG_TRY_THEN("lidt %0\n\t" SEG_MARK "int $0x50", "lidt %1", : "m"(idtr), "m"(full));
        SEG_EXPECT_FAULT(13, 0x50 * 8 + 2, "INT n, gate's last byte beyond the IDT limit: #GP(vec*8+2)");
        idtr.limit = 0x50 * 8 + 7;
        SEG_TRY_THEN("lidt %0\n\t" SEG_MARK "int $0x50", "lidt %1", : "m"(idtr), "m"(full));
        seg_expect_trap_cs(__FILE__, __LINE__, "INT n, gate exactly within the IDT limit", 0x50, SEG_NOERR,
                           SEL_KCODE);
    }

    /* ---- the gate's code segment ---- */
    seg_set_idt(0x44, 0, seg_stub_addr(0x44), D_P | T_INT32);
    SEG_TRY("int $0x44", :);
    SEG_EXPECT_FAULT(13, 0, "gate with a null code selector: #GP(0)");
    seg_set_idt(0x44, SEL_KDATA, seg_stub_addr(0x44), D_P | T_INT32);
    SEG_TRY("int $0x44", :);
    SEG_EXPECT_FAULT(13, SEL_KDATA, "gate to a data segment: #GP(selector)");
    seg_set_idt(0x44, GSEL(I_CODE_NP), seg_stub_addr(0x44), D_P | T_INT32);
    SEG_TRY("int $0x44", :);
    SEG_EXPECT_FAULT(11, GSEL(I_CODE_NP), "gate to a not-present code segment: #NP(selector)");
    seg_set_idt(0x44, GSEL(I_UCODE2) | 3, seg_stub_addr(0x44), D_P | T_INT32);
    SEG_TRY("int $0x44", :);
    SEG_EXPECT_FAULT(13, GSEL(I_UCODE2), "CPL 0: gate to DPL 3 code: #GP(selector)");
    seg_default_idt(0x44, 0);

    /* ---- conforming handler from CPL 3: no privilege change ---- */
    seg_set_idt(0x43, GSEL(I_CONF0), (uint32_t)gate_probe, D_P | D_DPL(3) | T_INT32);
    r3_vec = 0x43;
    seg_ring3_call(r3_int);
    CHECK_EQ(probe[1], GSEL(I_CONF0) | 3, "conforming handler runs at CPL 3 (CS.RPL = 3)");
    CHECK_EQ(probe[4] & 0xffff, SEL_UCODE, "conforming handler: pushed CS");
    CHECK(probe[2] < (uint32_t)seg_ustack_top && probe[2] > (uint32_t)seg_ustack_top - 256,
          "conforming handler: on the ring-3 stack");

    /* ---- 16-bit interrupt gate ---- */
    seg_set_idt(0x45, GSEL(I_CODE_B16), (uint32_t)gate16 - b16, D_P | T_INT16);
    {
        uint32_t esp0, fl;
        back.sel = SEL_KCODE;
        __asm__ volatile("pushfl\n\t"
                         "popl %1\n\t"
                         "movl %%esp, %0\n\t"
                         "movl $1f, back\n\t"
                         "int $0x45\n"
                         "1:\tmovl $1b, probe + 12"
                         : "=&r"(esp0), "=&r"(fl) : : "eax", "memory");
        CHECK_EQ(probe[2], esp0 - 6, "16-bit gate pushes 3 words");
        CHECK_EQ(probe[0] & 0xffff, probe[3] & 0xffff, "16-bit gate: IP = low 16 bits of the next EIP");
        CHECK_EQ(probe[0] >> 16, SEL_KCODE, "16-bit gate: CS");
        CHECK_EQ(probe[1], fl & 0xffff, "16-bit gate: FLAGS");
    }
    return kdone("t_exc_gates");
}
