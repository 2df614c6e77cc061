/* t_exc_ac_hw: alignment check (#AC, vector 17).
 *
 * What it checks (Intel SDM Vol. 3 6.15 "Interrupt 17—Alignment Check
 * Exception (#AC)" and table 6-7 "Alignment Requirements by Data Type";
 * 2.5 CR0.AM; Vol. 1 3.4.3.3 EFLAGS.AC): with CR0.AM=1, EFLAGS.AC=1 and
 * CPL 3, a misaligned word (odd address) or dword (address not a multiple
 * of 4) data reference raises #AC with error code 0, a fault (EIP = the
 * instruction, nothing loaded); aligned accesses and bytes do not; with
 * AC=0, with AM=0, or at CPL 0 nothing is checked.
 *
 * _hw: QEMU 7.2 (TCG) does not implement alignment checking.
 */
#include "seg_lib.h"

static uint8_t buf[16] __attribute__((aligned(16)));
static volatile int r3_op;
static volatile uint32_t r3_val;

static void r3_access(void)
{
    uint32_t v = 0x5555;
    switch (r3_op) {
    case 0: SEG_TRY("movl (%1), %0", "+r"(v) : "r"(buf + 1)); break;
    case 1: SEG_TRY("movw (%1), %w0", "+r"(v) : "r"(buf + 3)); break;
    case 2: SEG_TRY("movl (%1), %0", "+r"(v) : "r"(buf + 4)); break;
    case 3: SEG_TRY("movw (%1), %w0", "+r"(v) : "r"(buf + 2)); break;
    case 4: SEG_TRY("movb (%1), %b0", "+q"(v) : "r"(buf + 3)); break;
    case 5: SEG_TRY("movl %0, (%1)", : "r"(v), "r"(buf + 6)); break;
    }
    r3_val = v;
}

static void run(int op, uint32_t eflags)
{
    r3_op = op;
    seg_ring3_eflags = eflags;
    seg_ring3_call(r3_access);
    seg_ring3_eflags = FL_1;
}

int kmain(void)
{
    seg_init();
    uint32_t cr0;
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("movl %0, %%cr0" : : "r"(cr0 | 0x40000u));         /* AM */

    run(0, FL_1 | FL_AC);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3, AM, AC: dword at +1: #AC(0)", 17, 0, SEL_UCODE);
    CHECK_EQ(r3_val, 0x5555, "#AC: the load did not happen");
    run(1, FL_1 | FL_AC);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3, AM, AC: word at +3: #AC(0)", 17, 0, SEL_UCODE);
    run(5, FL_1 | FL_AC);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3, AM, AC: dword store at +6: #AC(0)", 17, 0, SEL_UCODE);
    run(2, FL_1 | FL_AC);
    SEG_EXPECT_NONE("aligned dword");
    run(3, FL_1 | FL_AC);
    SEG_EXPECT_NONE("aligned word");
    run(4, FL_1 | FL_AC);
    SEG_EXPECT_NONE("byte");
    run(0, FL_1);
    SEG_EXPECT_NONE("EFLAGS.AC=0: no check");

    /* CPL 0: no check even with AM and AC */
    {
        uint32_t v = 0, f = read_eflags();
        write_eflags(f | FL_AC);
        SEG_TRY("movl (%1), %0", "+r"(v) : "r"(buf + 1));
        write_eflags(f);
        SEG_EXPECT_NONE("CPL 0: no alignment check");
    }

    __asm__ volatile("movl %0, %%cr0" : : "r"(cr0 & ~0x40000u));
    run(0, FL_1 | FL_AC);
    SEG_EXPECT_NONE("CR0.AM=0: no check");
    return kdone("t_exc_ac_hw");
}
