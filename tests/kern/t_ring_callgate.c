/* t_ring_callgate: call gates.
 *
 * What it checks (Intel SDM Vol. 3 5.8.3-5.8.6 "Call Gates", "Accessing a
 * Code Segment Through a Call Gate", "Stack Switching", "Returning from a
 * Called Procedure", figure 5-13; Vol. 2 CALL/JMP/RET far pseudo-code):
 *   - CALL through a DPL-3 32-bit call gate from CPL 3 to a DPL-0 code
 *     segment: the CPU switches to TSS.SS0:ESP0 and pushes the caller's SS,
 *     ESP, the gate's parameter count of dwords copied from the caller's
 *     stack (same order), CS, EIP; the gate's offset is the entry point
 *     (the CALL's offset is ignored); the handler runs at CPL 0.
 *   - LRET $12 back to CPL 3 releases the parameters on both stacks (the
 *     caller's ESP ends 12 above its value at the CALL), EAX survives.
 *   - a gate to a DPL-1 segment uses TSS.SS1:ESP1; a gate with count 0
 *     copies nothing; a 16-bit call gate pushes 16-bit SS, SP, word
 *     parameters, CS, IP and LRETW $4 returns.
 *   - JMP through a call gate to a nonconforming segment of another DPL is
 *     #GP(code selector); to a same-privilege segment it just jumps.
 *   - faults: gate DPL < CPL or RPL > gate DPL: #GP(gate selector); gate
 *     not present: #NP(gate selector); gate's code selector null: #GP(0);
 *     not a code segment or DPL > CPL: #GP(code selector); code segment
 *     not present: #NP(code selector).  All are reported at the CALL with
 *     the caller's stack unchanged.
 */
#include "seg_lib.h"

enum {
    G_CALL3 = GDT_FIRST_FREE,   /* DPL 3 gate -> SEL_KCODE:cg_handler, 3 params */
    G_CALL3_R1,                 /* DPL 3 gate -> SEL_K1CODE:cg_handler, 1 param */
    G_CALL3_0,                  /* DPL 3 gate -> SEL_KCODE:cg_handler0, 0 params */
    G_CALL16,                   /* DPL 3 16-bit gate -> I_CODE_B16:(cg_handler16 - base), 2 words */
    G_CALL0,                    /* DPL 0 gate */
    G_CALL3_NP,                 /* not present */
    G_CALL3_NULL,               /* code selector null */
    G_CALL3_DATA,               /* code selector is a data segment */
    G_CALL3_CNP,                /* code segment not present */
    G_CALL0_TO3,                /* DPL 0 gate -> DPL 3 code (outer ring) */
    G_CALL3_TO3,                /* DPL 3 gate -> SEL_UCODE:r3_jmp_target */
    I_CODE_NP,                  /* DPL 0 code, not present */
    I_CODE_B16,                 /* 32-bit code with base cg_handler16 & ~0xffff */
    I_USTK16,                   /* ring-3 stack with base stk16 */
    I_UCODE_B16,                /* ring-3 code with base b16 */
};

struct far_ptr { uint32_t off; uint16_t sel; } __attribute__((packed));

/* The ring-0 handlers record their stack in cg[] (DS is still the ring-3
 * data segment, which is flat) and return with LRET $n. */
static volatile uint32_t cg[10] __attribute__((used));
static volatile uint32_t r3_esp_before __attribute__((used)), r3_esp_after __attribute__((used)),
    r3_eax __attribute__((used));
__asm__(".text\n"
        "cg_handler:\n\t"
        "movl %esp, cg + 28\n\t"
        "movw %ss, %ax\n\t"
        "movzwl %ax, %eax\n\t"
        "movl %eax, cg + 32\n\t"
        "movw %cs, %ax\n\t"
        "movl %eax, cg + 36\n\t"
        "movl 0(%esp), %eax\n\tmovl %eax, cg\n\t"
        "movl 4(%esp), %eax\n\tmovl %eax, cg + 4\n\t"
        "movl 8(%esp), %eax\n\tmovl %eax, cg + 8\n\t"
        "movl 12(%esp), %eax\n\tmovl %eax, cg + 12\n\t"
        "movl 16(%esp), %eax\n\tmovl %eax, cg + 16\n\t"
        "movl 20(%esp), %eax\n\tmovl %eax, cg + 20\n\t"
        "movl 24(%esp), %eax\n\tmovl %eax, cg + 24\n\t"
        "movl $0x600d, %eax\n\t"
        "lret $12\n"
        /* the DPL-1 gate has 1 parameter */
        "cg_handler1:\n\t"
        "movl %esp, cg + 28\n\t"
        "movw %ss, %ax\n\t"
        "movzwl %ax, %eax\n\t"
        "movl %eax, cg + 32\n\t"
        "movw %cs, %ax\n\t"
        "movl %eax, cg + 36\n\t"
        "movl 8(%esp), %eax\n\tmovl %eax, cg + 8\n\t"
        "movl 12(%esp), %eax\n\tmovl %eax, cg + 12\n\t"
        "movl 16(%esp), %eax\n\tmovl %eax, cg + 16\n\t"
        "movl $0x1111, %eax\n\t"
        "lret $4\n"
        "cg_handler0:\n\t"
        "movl %esp, cg + 28\n\t"
        "movl 8(%esp), %eax\n\tmovl %eax, cg + 8\n\t"
        "movl $0x0, %eax\n\t"
        "lret\n"
        /* 16-bit gate: 16-bit IP, CS, 2 word params, SP, SS */
        ".balign 16\n"
        "cg_handler16:\n\t"
        "movl %esp, cg + 28\n\t"
        "movl 0(%esp), %eax\n\tmovl %eax, cg\n\t"       /* IP, CS */
        "movl 4(%esp), %eax\n\tmovl %eax, cg + 4\n\t"   /* param words */
        "movl 8(%esp), %eax\n\tmovl %eax, cg + 8\n\t"   /* SP, SS */
        "movl $0x1616, %eax\n\t"
        "lretw $4\n"
        /* ring-3 code reached by JMP through a DPL-3 gate to SEL_UCODE */
        "r3_jmp_target:\n\t"
        "movl $0x3333, %eax\n\t"
        "jmp r3_jmp_back\n");
extern char cg_handler[], cg_handler1[], cg_handler0[], cg_handler16[], r3_jmp_target[];

/* Push 3 parameters and call through the gate; ESP is put back afterwards
 * whatever the handler released. */
#define CALL_WITH_3_PARAMS(gate)                                              \
    __asm__ volatile("movl %%esp, r3_saved_esp\n\t"                           \
                     "pushl $0x11111111\n\t"                                  \
                     "pushl $0x22222222\n\t"                                  \
                     "pushl $0x33333333\n\t"                                  \
                     "movl %%esp, r3_esp_before\n\t"                          \
                     "lcall %0, $0x12345678\n\t"                              \
                     "movl %%esp, r3_esp_after\n\t"                           \
                     "movl %%eax, r3_eax\n\t"                                 \
                     "movl r3_saved_esp, %%esp"                               \
                     : : "i"(gate) : "eax", "memory")

static void r3_call3(void) { CALL_WITH_3_PARAMS(SEL(G_CALL3, 0, 3)); }
static void r3_call_r1(void) { CALL_WITH_3_PARAMS(SEL(G_CALL3_R1, 0, 3)); }
static void r3_call_0(void) { CALL_WITH_3_PARAMS(SEL(G_CALL3_0, 0, 3)); }
/* The 16-bit gate saves only SP and IP: the caller runs on a stack segment
 * whose offsets fit in 16 bits (SS = I_USTK16, ESP = 0x800) and in a code
 * segment based at b16 (I_UCODE_B16, reached by far JMP through fp16). */
static uint8_t stk16[0x1000] __attribute__((aligned(16)));
static struct far_ptr fp16 __attribute__((used)), fpback __attribute__((used));
__asm__(".data\nr3_saved_esp: .long 0\nr3_saved_ss: .long 0\n.text");
static void r3_call16(void)
{
    __asm__ volatile("movl %%esp, r3_saved_esp\n\t"
                     "movw %%ss, r3_saved_ss\n\t"
                     "movw %w1, %%ss\n\t"
                     "movl $0x800, %%esp\n\t"
                     "pushw $0xaaaa\n\t"
                     "pushw $0xbbbb\n\t"
                     "movl %%esp, r3_esp_before\n\t"
                     "ljmp *fp16\n"
                     "r3_c16_code:\n\t"           /* CS = I_UCODE_B16 here */
                     "lcall %0, $0\n\t"
                     "ljmp *fpback\n"
                     "r3_c16_back:\n\t"           /* CS = SEL_UCODE again */
                     "movl %%esp, r3_esp_after\n\t"
                     "movl %%eax, r3_eax\n\t"
                     "movw r3_saved_ss, %%ss\n\t"
                     "movl r3_saved_esp, %%esp"
                     : : "i"(SEL(G_CALL16, 0, 3)), "r"(SEL(I_USTK16, 0, 3)) : "eax", "memory");
}
extern char r3_c16_code[], r3_c16_back[];

/* JMP through a DPL-3 gate whose code segment is ring 3: no privilege
 * change, EIP = the gate's offset. */
__attribute__((noinline, noclone)) static void r3_jmp_gate(void)
{
    __asm__ volatile("ljmp %0, $0\n"
                     "r3_jmp_back:\n\t"
                     "movl %%eax, r3_eax" : : "i"(SEL(G_CALL3_TO3, 0, 3)) : "eax", "memory");
}

/* Faulting far CALL/JMP through sel from CPL 3; ESP must be unchanged. */
static volatile uint16_t r3_sel;
static volatile int r3_jmp;
static void r3_fault(void)
{
    static struct far_ptr fp;
    uint32_t e0, e1;
    fp.off = 0;
    fp.sel = r3_sel;
    if (r3_jmp)
        SEG_TRY_THEN("movl %%esp, %0\n\t" SEG_MARK "ljmp *%2", "movl %%esp, %1",
                     "=&r"(e0), "=&r"(e1) : "m"(fp));
    else
        SEG_TRY_THEN("movl %%esp, %0\n\t" SEG_MARK "lcall *%2", "movl %%esp, %1",
                     "=&r"(e0), "=&r"(e1) : "m"(fp));
    r3_esp_before = e0;
    r3_esp_after = e1;
}

static void gate_fault3(uint16_t sel, int jmp, uint32_t vec, uint32_t err, const char *what)
{
    r3_sel = sel;
    r3_jmp = jmp;
    seg_ring3_call(r3_fault);
    seg_expect_fault_cs(__FILE__, __LINE__, what, vec, err, SEL_UCODE);
    CHECK_EQ(r3_esp_after, r3_esp_before, what);
}

int kmain(void)
{
    seg_init();
    uint32_t b16 = (uint32_t)cg_handler16 & ~0xffffu;
    seg_set_gdt(G_CALL3, seg_make_gate(SEL_KCODE, (uint32_t)cg_handler, D_P | D_DPL(3) | T_CALL32, 3));
    seg_set_gdt(G_CALL3_R1, seg_make_gate(SEL_K1CODE, (uint32_t)cg_handler1, D_P | D_DPL(3) | T_CALL32, 1));
    seg_set_gdt(G_CALL3_0, seg_make_gate(SEL_KCODE, (uint32_t)cg_handler0, D_P | D_DPL(3) | T_CALL32, 0));
    seg_set_gdt(G_CALL16, seg_make_gate(GSEL(I_CODE_B16), (uint32_t)cg_handler16 - b16,
                                        D_P | D_DPL(3) | T_CALL16, 2));
    seg_set_gdt(G_CALL0, seg_make_gate(SEL_KCODE, (uint32_t)cg_handler, D_P | D_DPL(0) | T_CALL32, 3));
    seg_set_gdt(G_CALL3_NP, seg_make_gate(SEL_KCODE, (uint32_t)cg_handler, D_DPL(3) | T_CALL32, 3));
    seg_set_gdt(G_CALL3_NULL, seg_make_gate(0, (uint32_t)cg_handler, D_P | D_DPL(3) | T_CALL32, 3));
    seg_set_gdt(G_CALL3_DATA, seg_make_gate(SEL_KDATA, (uint32_t)cg_handler, D_P | D_DPL(3) | T_CALL32, 3));
    seg_set_gdt(G_CALL3_CNP, seg_make_gate(GSEL(I_CODE_NP), (uint32_t)cg_handler, D_P | D_DPL(3) | T_CALL32, 3));
    seg_set_gdt(G_CALL0_TO3, seg_make_gate(SEL_UCODE, (uint32_t)cg_handler, D_P | D_DPL(0) | T_CALL32, 0));
    seg_set_gdt(G_CALL3_TO3, seg_make_gate(SEL_UCODE, (uint32_t)r3_jmp_target, D_P | D_DPL(3) | T_CALL32, 0));
    seg_set_gdt(I_CODE_NP, seg_make_desc(0, 0xfffff, D_CODE_XR & ~D_P, F_G | F_DB));
    seg_set_gdt(I_CODE_B16, seg_make_desc(b16, 0xfffff, D_CODE_XR, F_G | F_DB));
    seg_set_gdt(I_USTK16, seg_make_desc((uint32_t)stk16, 0xfff, D_DATA_RW | D_DPL(3), F_DB));
    seg_set_gdt(I_UCODE_B16, seg_make_desc(b16, 0xfffff, D_CODE_XR | D_DPL(3), F_G | F_DB));
    fp16.off = (uint32_t)r3_c16_code - b16;
    fp16.sel = SEL(I_UCODE_B16, 0, 3);
    fpback.off = (uint32_t)r3_c16_back;
    fpback.sel = SEL_UCODE;
    CHECK((uint32_t)r3_c16_back - b16 < 0x10000, "the ring-3 16-bit gate caller lies within 64 KiB of b16");

    /* ---- ring 3 -> ring 0 with 3 parameters ---- */
    seg_ring3_call(r3_call3);
    CHECK_EQ(cg[9] & 0xffff, SEL_KCODE, "call gate: handler runs in the gate's code segment (CPL 0)");
    CHECK_EQ(cg[8], SEL_KDATA, "call gate to CPL 0: SS = TSS.SS0");
    CHECK_EQ(cg[7], (uint32_t)seg_istack_top - 28, "call gate: ESP = ESP0 - (SS ESP 3 params CS EIP)");
    CHECK_EQ(cg[1] & 0xffff, SEL_UCODE, "call gate frame: caller CS");
    CHECK_EQ(cg[2], 0x33333333, "call gate frame: last-pushed parameter on top");
    CHECK_EQ(cg[3], 0x22222222, "call gate frame: parameter 2");
    CHECK_EQ(cg[4], 0x11111111, "call gate frame: first-pushed parameter");
    CHECK_EQ(cg[5], r3_esp_before, "call gate frame: caller ESP (at the CALL)");
    CHECK_EQ(cg[6] & 0xffff, SEL_UDATA, "call gate frame: caller SS");
    CHECK_EQ(r3_esp_after, r3_esp_before + 12, "LRET $12 to CPL 3 releases the caller's parameters");
    CHECK_EQ(r3_eax, 0x600d, "EAX from the handler");
    /* the return EIP is the instruction after the CALL: look at its bytes */
    CHECK_EQ(*(uint8_t *)cg[0], 0x89, "call gate frame: EIP = after the CALL (MOV ESP follows)");

    /* ---- ring 3 -> ring 1: TSS.SS1:ESP1, 1 parameter ---- */
    seg_ring3_call(r3_call_r1);
    CHECK_EQ(cg[9] & 0xffff, SEL_K1CODE, "gate to DPL 1 code: CS has RPL 1 (CPL 1)");
    CHECK_EQ(cg[8], SEL_K1DATA, "gate to DPL 1 code: SS = TSS.SS1");
    CHECK_EQ(cg[7], (uint32_t)seg_istack1_top - 20, "gate to DPL 1: ESP = ESP1 - 20");
    CHECK_EQ(cg[2], 0x33333333, "1 parameter copied");
    CHECK_EQ(cg[3], r3_esp_before, "then the caller's ESP");
    CHECK_EQ(cg[4] & 0xffff, SEL_UDATA, "then the caller's SS");
    CHECK_EQ(r3_esp_after, r3_esp_before + 4, "LRET $4 to CPL 3");
    CHECK_EQ(r3_eax, 0x1111, "EAX from the ring-1 handler");

    /* ---- count 0 ---- */
    seg_ring3_call(r3_call_0);
    CHECK_EQ(cg[7], (uint32_t)seg_istack_top - 16, "gate with 0 parameters: 4 dwords pushed");
    CHECK_EQ(cg[2], r3_esp_before, "gate with 0 parameters: caller ESP right above CS");
    CHECK_EQ(r3_esp_after, r3_esp_before, "plain LRET to CPL 3");

    /* ---- 16-bit call gate ---- */
    seg_ring3_call(r3_call16);
    CHECK_EQ(cg[7], (uint32_t)seg_istack_top - 12, "16-bit gate: 6 words pushed");
    CHECK_EQ(cg[0] >> 16, SEL(I_UCODE_B16, 0, 3), "16-bit gate frame: CS");
    CHECK_EQ(cg[0] & 0xffff, (uint32_t)r3_c16_code + 7 - b16, "16-bit gate frame: IP after the CALL");
    CHECK_EQ(cg[1], 0xaaaabbbb, "16-bit gate frame: the two word parameters");
    CHECK_EQ(r3_esp_before, 0x7fc, "two word pushes");
    CHECK_EQ(cg[2] & 0xffff, 0x7fc, "16-bit gate frame: SP");
    CHECK_EQ(cg[2] >> 16, SEL(I_USTK16, 0, 3), "16-bit gate frame: SS");
    CHECK_EQ(r3_esp_after, r3_esp_before + 4, "LRETW $4 releases the word parameters");
    CHECK_EQ(r3_eax, 0x1616, "EAX from the 16-bit gate handler");

    /* ---- JMP through a call gate ---- */
    r3_eax = 0;
    seg_ring3_call(r3_jmp_gate);
    CHECK_EQ(r3_eax, 0x3333, "JMP through a DPL 3 gate to DPL 3 code: lands at the gate's offset");
    gate_fault3(SEL(G_CALL3, 0, 3), 1, 13, SEL_KCODE,
                "JMP through a call gate to DPL 0 code from CPL 3: #GP(code selector)");

    /* ---- gate faults ---- */
    gate_fault3(SEL(G_CALL0, 0, 3), 0, 13, GSEL(G_CALL0), "CALL through a DPL 0 gate from CPL 3: #GP(gate)");
    gate_fault3(SEL(G_CALL3_NP, 0, 3), 0, 11, GSEL(G_CALL3_NP), "gate not present: #NP(gate)");
    gate_fault3(SEL(G_CALL3_NULL, 0, 3), 0, 13, 0, "gate with a null code selector: #GP(0)");
    gate_fault3(SEL(G_CALL3_DATA, 0, 3), 0, 13, SEL_KDATA, "gate to a data segment: #GP(code selector)");
    gate_fault3(SEL(G_CALL3_CNP, 0, 3), 0, 11, GSEL(I_CODE_NP), "gate to a not-present code segment: #NP(code)");
    {
        /* ring 0: gate DPL 0 with RPL 3 (RPL > DPL), and a gate to an outer ring */
        static struct far_ptr fp;
        fp.off = 0;
        fp.sel = SEL(G_CALL0, 0, 3);
        SEG_TRY("lcall *%0", : "m"(fp));
        SEG_EXPECT_FAULT(13, GSEL(G_CALL0), "CPL 0: gate selector RPL 3 > gate DPL 0: #GP(gate)");
        fp.sel = GSEL(G_CALL0_TO3);
        SEG_TRY("lcall *%0", : "m"(fp));
        SEG_EXPECT_FAULT(13, SEL_UCODE & ~3, "CPL 0: call gate to DPL 3 code: #GP(code selector)");
    }
    return kdone("t_ring_callgate");
}
