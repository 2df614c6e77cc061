/* t_pg_run_on: blocks that run on past a JMP or a CALL forward on their
 * page (translate.c jmp_runs_on: translation goes on at the target, the
 * jump itself becomes nothing).  Views are on, as by default.
 *
 * Checks:
 *  - JMP over bytes that are no instruction (UD2): the code after the
 *    target runs, with the CF that ADD set before the jump (ADC);
 *  - CALL forward: the callee reads the CF set before the call, finds its
 *    return address at [ESP], and the caller goes on after its RET;
 *  - a page fault in a callee entered that way: the saved EIP is the
 *    faulting instruction's, CR2 its address, the saved CF is STC's, and
 *    ESP is the callee's (the return address pushed): the handler's
 *    resume point RETs through it back into the caller, EBX intact.
 */
#include "pg_lib.h"

#define VA_NONE 0x40000000u     /* PDE 256: a page not present */

uint32_t run_jmp(uint32_t a);
uint32_t run_call(uint32_t a);
uint32_t run_call_fault(uint32_t addr);
extern char run_call_ret[], run_fault_insn[];

/* 100 + CF of (a - 1), i.e. 101 unless a == 0. */
__asm__(".pushsection .text\n"
        ".balign 256\n"
        "run_jmp:\n\t"
        "movl 4(%esp), %ecx\n\t"
        "xorl %eax, %eax\n\t"
        "addl $-1, %ecx\n\t"
        "jmp 1f\n\t"
        "ud2\n\t"
        ".byte 0xff, 0xff, 0xff\n"
        "1:\tadcl $100, %eax\n\t"
        "ret\n"
        ".popsection\n");

/* 1000 + 10 + (a == 0) + (the callee's [ESP] - run_call_ret). */
__asm__(".pushsection .text\n"
        ".balign 256\n"
        "run_call:\n\t"
        "movl 4(%esp), %ecx\n\t"
        "xorl %eax, %eax\n\t"
        "cmpl $1, %ecx\n\t"
        "call 2f\n"
        "run_call_ret:\n\t"
        "addl $1000, %eax\n\t"
        "ret\n\t"
        "ud2\n"
        "2:\tadcl $10, %eax\n\t"
        "movl (%esp), %edx\n\t"
        "subl $run_call_ret, %edx\n\t"
        "addl %edx, %eax\n\t"
        "ret\n"
        ".popsection\n");

/* Reads [addr] in a callee entered by a CALL forward; a fault resumes at
 * 8:, which returns 0xdead to the caller. */
__asm__(".pushsection .text\n"
        ".balign 256\n"
        "run_call_fault:\n\t"
        "movl 4(%esp), %edx\n\t"
        "pushl %ebx\n\t"
        "movl $0x1234, %ebx\n\t"
        "call 3f\n\t"
        "cmpl $0x1234, %ebx\n\t"
        "je 4f\n\t"
        "movl $0xbad, %eax\n"
        "4:\tpopl %ebx\n\t"
        "ret\n"
        "3:\tmovl $8f, pg_resume\n\t"
        "stc\n"
        "run_fault_insn:\n\t"
        "movl (%edx), %eax\n\t"
        "movl $0, pg_resume\n\t"
        "ret\n"
        "8:\tmovl $0xdead, %eax\n\t"
        "ret\n"
        ".popsection\n");

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    pg_setup();
    pg_paging_on();
    pg_map(VA_NONE, 0, 0);
    *(volatile uint32_t *)0x1000 = 0x5151;

    for (int round = 0; round < 3; round++) {       /* translate, then chained */
        CHECK_EQ(run_jmp(0), 100, "JMP run on: ADD's CF clear reaches ADC");
        CHECK_EQ(run_jmp(7), 101, "JMP run on: ADD's CF set reaches ADC");
        CHECK_EQ(run_call(0), 1011, "CALL run on: CMP's CF set reaches the callee, [ESP] right");
        CHECK_EQ(run_call(5), 1010, "CALL run on: CMP's CF clear, [ESP] right");

        CHECK_EQ(run_call_fault(0x1000), 0x5151, "CALL run on: the callee's load of a present page");
        pg_reset_traps();
        CHECK_EQ(run_call_fault(VA_NONE), 0xdead, "CALL run on: a fault in the callee resumes, ESP right");
        CHECK_PF(0, VA_NONE, (uint32_t)run_fault_insn, "#PF in a callee run on into");
        CHECK_EQ(pg_last.eflags & EFL_CF, EFL_CF, "#PF in a callee run on into: saved CF is STC's");
    }
    (void)run_call_ret;
    return kdone("t_pg_run_on");
}
