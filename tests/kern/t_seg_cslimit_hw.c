/* t_seg_cslimit_hw: the code segment limit.
 *
 * What it checks (Intel SDM Vol. 3 5.3 "Limit Checking"; Vol. 2 JMP, CALL,
 * RET: "IF tempEIP is not within code segment limit THEN #GP(0)", a fault
 * reported at the transfer instruction with nothing pushed or popped; an
 * instruction fetch beyond the limit is #GP(0) at the instruction):
 *   - near JMP rel32, near CALL, near RET and JMP r32 to an offset beyond
 *     the limit: #GP(0), EIP = the transfer instruction, ESP unchanged
 *     (RET does not pop, CALL does not push), the target is not reached.
 *   - a far JMP to offset = limit is allowed; execution running off the
 *     end (the next instruction at limit + 1) faults with EIP = limit + 1.
 *   - an instruction that straddles the limit faults at its first byte
 *     and does not execute.
 *   - a far JMP/CALL whose offset is beyond the target segment's limit
 *     faults in the caller: #GP(0), pushed CS:EIP = the far JMP/CALL.
 *
 * _hw: QEMU 7.2 (TCG) does not check the CS limit on near JMP/CALL/RET or
 * on instruction fetch in 32-bit code (the target is reached), and reports
 * a far CALL beyond the limit as #GP(selector) instead of #GP(0).
 */
#include "seg_lib.h"

enum { I_CL = GDT_FIRST_FREE };

struct far_ptr { uint32_t off; uint16_t sel; } __attribute__((packed));
static struct far_ptr fp __attribute__((used));
static volatile uint32_t cl_reached __attribute__((used));
static volatile uint32_t cl_esp0 __attribute__((used)), cl_esp __attribute__((used));

/* The code of the limited segment (base cl_base); leaving it goes through
 * the far pointer cl_back.  cl_beyond is past every limit used except the
 * straddling test's. */
__asm__(
    ".data\n"
    "cl_back: .long 0\n\t.word 0x08\n"
    ".text\n"
    ".balign 16\n"
    "cl_base:\n"
    "cl_jmp:\n\t"     "jmp cl_beyond\n"
    "cl_call:\n\t"    "call cl_beyond\n"
    "cl_ret:\n\t"     "pushl $(cl_beyond - cl_base)\n"
    "cl_ret_insn:\n\t" "ret\n"
    "cl_ind:\n\t"     "jmp *%eax\n"
    "cl_recover:\n\t" "movl %esp, cl_esp\n\t"
                      "ljmp *cl_back\n"
    "cl_last:\n\t"    "nop\n"
    "cl_lim:\n"
    "cl_beyond:\n\t"  "movl $1, cl_reached\n\t"
                      "movl %esp, cl_esp\n\t"
                      "ljmp *cl_back\n"
    "cl_str:\n\t"     "movl $0x12345678, %eax\n\t"
                      "movl $1, cl_reached\n\t"
                      "movl %esp, cl_esp\n\t"
                      "ljmp *cl_back\n");
extern char cl_base[], cl_jmp[], cl_call[], cl_ret[], cl_ret_insn[], cl_ind[], cl_recover[],
    cl_last[], cl_lim[], cl_beyond[], cl_str[];
#define OFF(l) ((uint32_t)((l) - cl_base))

/* Far-jump to cl_base + entry in a segment with the given limit; returns
 * EAX as it was when the segment was left. */
static uint32_t cl_run(uint32_t entry, uint32_t limit, uint32_t eax)
{
    seg_set_gdt(I_CL, seg_make_desc((uint32_t)cl_base, limit, D_CODE_XR, F_DB));
    fp.off = entry;
    fp.sel = GSEL(I_CL);
    seg_trap.count = 0;
    seg_fixup = OFF(cl_recover);
    cl_reached = 0;
    cl_esp = 0;
    __asm__ volatile("movl %%esp, cl_esp0\n\t"
                     "movl $1f, cl_back\n\t"
                     "ljmp *fp\n"
                     "1:\tmovl cl_esp0, %%esp"
                     : "+a"(eax) : : "memory", "cc");
    seg_fixup = 0;
    return eax;
}

/* The last cl_run must have raised exactly #GP(0) at CS = I_CL, EIP = eip,
 * without reaching cl_beyond, with ESP esp_delta below its entry value. */
#define expect_gp(eip, esp_delta, what) do {                                  \
        seg_try_start = (eip);                                                \
        seg_expect_fault_cs(__FILE__, __LINE__, what, 13, 0, GSEL(I_CL));     \
        CHECK_EQ(cl_reached, 0, what ": the target must not be reached");    \
        CHECK_EQ(cl_esp0 - cl_esp, esp_delta, what ": ESP at the fault");     \
    } while (0)

int kmain(void)
{
    seg_init();
    uint32_t lim = OFF(cl_lim) - 1;     /* cl_last is the last byte */

    cl_run(OFF(cl_jmp), lim, 0);
    expect_gp(OFF(cl_jmp), 0, "near JMP beyond the CS limit: #GP(0) at the JMP");
    cl_run(OFF(cl_call), lim, 0);
    expect_gp(OFF(cl_call), 0, "near CALL beyond the CS limit: #GP(0), nothing pushed");
    cl_run(OFF(cl_ret), lim, 0);
    expect_gp(OFF(cl_ret_insn), 4, "near RET beyond the CS limit: #GP(0) at the RET, nothing popped");
    cl_run(OFF(cl_ind), lim, OFF(cl_beyond));
    expect_gp(OFF(cl_ind), 0, "JMP r32 beyond the CS limit: #GP(0)");
    cl_run(OFF(cl_ind), lim, lim + 1);
    expect_gp(OFF(cl_ind), 0, "JMP r32 to limit + 1: #GP(0)");

    /* the limit itself is a valid target; the next fetch is not */
    cl_run(OFF(cl_last), lim, 0);
    expect_gp(OFF(cl_lim), 0, "running past the CS limit: #GP(0) with EIP = limit + 1");

    /* a 5-byte MOV whose last two bytes lie beyond the limit */
    uint32_t eax = cl_run(OFF(cl_str), OFF(cl_str) + 2, 0xabcdef01);
    expect_gp(OFF(cl_str), 0, "instruction straddling the CS limit: #GP(0) at its first byte");
    CHECK_EQ(eax, 0xabcdef01, "the straddling MOV did not execute");
    /* sanity: with a large enough limit the same code runs */
    eax = cl_run(OFF(cl_str), 0xfffff, 0);
    CHECK_EQ(seg_trap.count, 0, "no fault with a 1 MiB limit");
    CHECK_EQ(eax, 0x12345678, "the MOV ran");
    CHECK_EQ(cl_reached, 1, "reached");

    /* far JMP / CALL with an offset beyond the target's limit */
    seg_set_gdt(I_CL, seg_make_desc((uint32_t)cl_base, lim, D_CODE_XR, F_DB));
    fp.off = lim + 1;
    fp.sel = GSEL(I_CL);
    SEG_TRY("ljmp *fp", :);
    SEG_EXPECT_FAULT(13, 0, "far JMP to an offset beyond the target limit: #GP(0) at the JMP");
    {
        uint32_t esp0, esp1;
        SEG_TRY_THEN("movl %%esp, %0\n\t" SEG_MARK "lcall *fp", "movl %%esp, %1", "=&r"(esp0), "=&r"(esp1) :);
        SEG_EXPECT_FAULT(13, 0, "far CALL to an offset beyond the target limit: #GP(0) at the CALL");
        CHECK_EQ(esp1, esp0, "the faulting far CALL pushed nothing");
    }
    return kdone("t_seg_cslimit_hw");
}
