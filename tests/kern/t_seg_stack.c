/* t_seg_stack: the stack segment's B flag (stack-pointer size) and
 * expand-down stacks, without faults.
 *
 * What it checks (Intel SDM Vol. 3 3.4.5 "D/B flag": for a stack segment
 * B=1 means ESP and B=0 means SP is used by implicit stack accesses; Vol. 1
 * 6.2 and Vol. 2 PUSH/POP/CALL/INT "the stack-address size"):
 *   - B=0: PUSH/POP/CALL/RET/PUSHAD use SP; the upper half of ESP is kept,
 *     SP wraps from 0 to 0xFFFC, and the data lands at SS.base + SP.
 *   - INT n on a B=0 stack pushes EFLAGS, CS, EIP (32-bit gate) at SS:SP
 *     with SP wrapping, and IRET pops them back the same way.
 *   - B=1 expand-down stack with base big + 0x1000: ESP = 0 pushes to
 *     offset 0xFFFFFFFC, i.e. linear big + 0xFFC (addresses wrap mod 4 GiB),
 *     and POP brings ESP back to 0.
 */
#include "seg_lib.h"

enum {
    I_SS16 = GDT_FIRST_FREE,    /* B=0, expand-up, limit 0xFFFF, base big */
    I_SS32DOWN,                 /* B=1, expand-down, limit 0xFFF, base big + 0x1000 */
};

static uint8_t big[0x10000] __attribute__((aligned(16)));
static uint32_t rec[8] __attribute__((used));

/* Run `body` with SS = sel and ESP = esp0; the kernel's SS:ESP are kept in
 * saved_ss/saved_esp.  Interrupts are off and the body does not fault. */
__asm__(".data\nsaved_esp: .long 0\nsaved_ss: .long 0\n.text");
#define ON_STACK(sel, esp0, body, ...)                                        \
    __asm__ volatile("movl %%esp, saved_esp\n\t"                              \
                     "movw %%ss, saved_ss\n\t"                                \
                     "movw %w[s], %%ss\n\t"                                   \
                     "movl %[e], %%esp\n\t"                                   \
                     body "\n\t"                                              \
                     "movw saved_ss, %%ss\n\t"                                \
                     "movl saved_esp, %%esp"                                  \
                     : : [s] "r"(sel), [e] "r"(esp0), ##__VA_ARGS__ : "memory", "eax", "ebx")

extern char int40_handler[];
__asm__(".text\nint40_handler:\n\t"
        "movl %esp, rec + 16\n\t"
        "iret");

int kmain(void)
{
    seg_init();
    uint32_t b = (uint32_t)big;
    seg_set_gdt(I_SS16, seg_make_desc(b, 0xffff, D_DATA_RW, 0));
    seg_set_gdt(I_SS32DOWN, seg_make_desc(b + 0x1000, 0xfff, D_DATA_RW | D_EDOWN, F_DB));

    /* ---- B=0: PUSH and POP use SP ---- */
    ON_STACK(GSEL(I_SS16), 0x56780010u,
             "pushl $0x11223344\n\t"
             "movl %%esp, rec\n\t"
             "popl %%eax\n\t"
             "movl %%esp, rec + 4\n\t"
             "movl %%eax, rec + 8");
    CHECK_EQ(rec[0], 0x5678000c, "B=0 PUSH: SP - 4, upper half of ESP kept");
    CHECK_EQ(*(uint32_t *)(big + 0xc), 0x11223344, "B=0 PUSH writes at base + SP");
    CHECK_EQ(rec[1], 0x56780010, "B=0 POP: SP + 4");
    CHECK_EQ(rec[2], 0x11223344, "B=0 POP reads base + SP");

    ON_STACK(GSEL(I_SS16), 0x9abc0000u,
             "pushl $0x55667788\n\t"
             "movl %%esp, rec\n\t"
             "popl %%eax\n\t"
             "movl %%esp, rec + 4");
    CHECK_EQ(rec[0], 0x9abcfffc, "B=0 PUSH at SP 0 wraps to 0xFFFC, ESP[31:16] kept");
    CHECK_EQ(*(uint32_t *)(big + 0xfffc), 0x55667788, "B=0 wrapped PUSH writes at base + 0xFFFC");
    CHECK_EQ(rec[1], 0x9abc0000, "B=0 POP at 0xFFFC wraps SP to 0");

    /* CALL and RET on the 16-bit stack */
    ON_STACK(GSEL(I_SS16), 0x12340100u,
             "call 1f\n"
             "2:\tjmp 3f\n"
             "1:\tmovl %%esp, rec\n\t"
             "movl $2b, rec + 4\n\t"
             "ret\n"
             "3:\tmovl %%esp, rec + 8");
    CHECK_EQ(rec[0], 0x123400fc, "B=0 CALL pushes at SP - 4");
    CHECK_EQ(*(uint32_t *)(big + 0xfc), rec[1], "B=0 CALL: return EIP at base + SP");
    CHECK_EQ(rec[2], 0x12340100, "B=0 RET pops through SP");

    /* PUSHAD on the 16-bit stack: 8 dwords below SP, wrapping */
    ON_STACK(GSEL(I_SS16), 0x77770010u,
             "movl $0xeeeeeeee, %%eax\n\t"
             "pushal\n\t"
             "movl %%esp, rec\n\t"
             "popal\n\t"
             "movl %%esp, rec + 4");
    CHECK_EQ(rec[0], 0x7777fff0, "B=0 PUSHAD: SP 0x10 - 0x20 wraps to 0xFFF0");
    CHECK_EQ(*(uint32_t *)(big + 0xc), 0xeeeeeeee, "B=0 PUSHAD: EAX at the top (SP - 4)");
    CHECK_EQ(*(uint32_t *)(big + 0xfffc), 0x77770010, "B=0 PUSHAD: the original ESP, in full, 4th (wrapped)");
    CHECK_EQ(rec[1], 0x77770010, "B=0 POPAD");

    /* INT n on the 16-bit stack: the gate's frame goes through SP */
    seg_set_idt(0x40, SEL_KCODE, (uint32_t)int40_handler, D_P | T_INT32);
    ON_STACK(GSEL(I_SS16), 0x9abc0008u,
             "pushfl\n\t"
             "popl rec + 12\n\t"            /* EFLAGS before the INT */
             "int $0x40\n"
             "1:\tmovl %%esp, rec + 20\n\t"
             "movl $1b, rec + 24");
    CHECK_EQ(rec[4], 0x9abcfffc, "B=0 INT: handler ESP = SP - 12 wrapped, ESP[31:16] kept");
    CHECK_EQ(*(uint32_t *)(big + 0xfffc), rec[6], "B=0 INT: EIP at base + 0xFFFC");
    CHECK_EQ(*(uint32_t *)(big + 0x0) & 0xffff, SEL_KCODE, "B=0 INT: CS at base + 0");
    CHECK_EQ(*(uint32_t *)(big + 0x4), rec[3], "B=0 INT: EFLAGS at base + 4");
    CHECK_EQ(rec[5], 0x9abc0008, "B=0 IRET pops back to SP 8");

    /* ---- B=1, expand-down: ESP wraps at 4 GiB ---- */
    ON_STACK(GSEL(I_SS32DOWN), 0u,
             "pushl $0x0badf00d\n\t"
             "movl %%esp, rec\n\t"
             "popl %%eax\n\t"
             "movl %%esp, rec + 4\n\t"
             "movl %%eax, rec + 8");
    CHECK_EQ(rec[0], 0xfffffffc, "B=1 expand-down PUSH at ESP 0: ESP = 0xFFFFFFFC");
    CHECK_EQ(*(uint32_t *)(big + 0xffc), 0x0badf00d, "B=1: base + 0xFFFFFFFC wraps to big + 0xFFC");
    CHECK_EQ(rec[1], 0, "B=1 POP wraps ESP back to 0");
    CHECK_EQ(rec[2], 0x0badf00d, "B=1 POP value");

    return kdone("t_seg_stack");
}
