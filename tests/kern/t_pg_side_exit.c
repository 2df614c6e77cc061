/* t_pg_side_exit: blocks that run on past a conditional jump
 * (translate.c gen_jcc: the taken way leaves by a side exit, the other
 * goes on in the same TB).  Views are on, as by default.
 *
 * Checks:
 *  - eight JB in a row in one block, more than a TB has side exits: each
 *    taken in turn, its target adding the CF the jump saw (ADC), and
 *    none taken;
 *  - the flags go on with the way not taken: ADD leaves CF, JZ not taken,
 *    ADC reads CF; and the taken way stores them for its target;
 *  - a side exit to another page (a lookup, not a chained jump) does not
 *    end the block: the way not taken still runs;
 *  - a page fault after a Jcc not taken in the same block: the saved EIP
 *    is the faulting instruction's, CR2 its address, and the saved EFLAGS
 *    have the CF that STC set after the jump.
 */
#include "pg_lib.h"

#define VA_NONE 0x40000000u     /* PDE 256: a page not present */

uint32_t chain8(uint32_t a);
uint32_t carry_on(uint32_t a);
uint32_t far_exit(uint32_t a);

/* eax < i for the first i in 1..8: i*10 + CF (1); else 999 + CF (0). */
__asm__(".pushsection .text\n"
        ".balign 512\n"
        "chain8:\n\t"
        "movl 4(%esp), %eax\n\t"
        "xorl %edx, %edx\n\t"
        "cmpl $1, %eax\n\tjb 1f\n\t"
        "cmpl $2, %eax\n\tjb 2f\n\t"
        "cmpl $3, %eax\n\tjb 3f\n\t"
        "cmpl $4, %eax\n\tjb 4f\n\t"
        "cmpl $5, %eax\n\tjb 5f\n\t"
        "cmpl $6, %eax\n\tjb 6f\n\t"
        "cmpl $7, %eax\n\tjb 7f\n\t"
        "cmpl $8, %eax\n\tjb 8f\n\t"
        "movl $999, %eax\n\tadcl $0, %eax\n\tret\n"
        "1:\tmovl $10, %eax\n\tadcl $0, %eax\n\tret\n"
        "2:\tmovl $20, %eax\n\tadcl $0, %eax\n\tret\n"
        "3:\tmovl $30, %eax\n\tadcl $0, %eax\n\tret\n"
        "4:\tmovl $40, %eax\n\tadcl $0, %eax\n\tret\n"
        "5:\tmovl $50, %eax\n\tadcl $0, %eax\n\tret\n"
        "6:\tmovl $60, %eax\n\tadcl $0, %eax\n\tret\n"
        "7:\tmovl $70, %eax\n\tadcl $0, %eax\n\tret\n"
        "8:\tmovl $80, %eax\n\tadcl $0, %eax\n\tret\n"
        ".popsection\n");

/* ecx = a - 1: CF = (a != 0), ZF = (a == 1).  Not taken: CF; taken: 10 + CF. */
__asm__(".pushsection .text\n"
        ".balign 256\n"
        "carry_on:\n\t"
        "movl 4(%esp), %ecx\n\t"
        "addl $-1, %ecx\n\t"
        "jz 1f\n\t"
        "movl $0, %eax\n\t"
        "adcl $0, %eax\n\t"
        "ret\n"
        "1:\tmovl $10, %eax\n\t"
        "adcl $0, %eax\n\t"
        "ret\n"
        ".popsection\n");

/* a > 5: to a page of its own, 50 + CF (0); else 1 + CF (1, from 3 - 5). */
__asm__(".pushsection .text\n"
        ".balign 4096\n"
        "far_exit:\n\t"
        "movl 4(%esp), %eax\n\t"
        "cmpl $5, %eax\n\t"
        "ja far_target\n\t"
        "movl $1, %eax\n\t"
        "adcl $0, %eax\n"
        "far_back:\tret\n"
        ".balign 4096\n"
        "far_target:\tmovl $50, %eax\n\t"
        "adcl $0, %eax\n\t"
        "jmp far_back\n"
        ".popsection\n");

/* arg > 5: reads 0x1000 (present); else STC and reads VA_NONE (#PF). */
PG_PROBE(p_fault, "movl 4(%esp), %ecx\n\t"
                  "movl $0x1000, %edx\n\t"
                  "cmpl $5, %ecx\n\t"
                  "ja 8f\n\t"
                  "movl $0x40000000, %edx\n\t"
                  "stc\n"
                  "8:",
         "movl (%edx), %eax");

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    pg_setup();
    pg_paging_on();

    for (int round = 0; round < 3; round++) {       /* translate, then chained */
        for (uint32_t a = 0; a < 8; a++)
            CHECK_EQ(chain8(a), (a + 1) * 10 + 1, "JB chain: the first taken JB's target, with CF");
        CHECK_EQ(chain8(8), 999, "JB chain: none taken, CF clear");
        CHECK_EQ(chain8(100), 999, "JB chain: none taken, again");

        CHECK_EQ(carry_on(0), 0, "JZ not taken: ADD's CF (clear) goes on to ADC");
        CHECK_EQ(carry_on(5), 1, "JZ not taken: CF of ADD goes on to ADC");
        CHECK_EQ(carry_on(1), 11, "JZ taken: its target reads ADD's CF");

        CHECK_EQ(far_exit(3), 2, "side exit to another page, not taken: the block goes on");
        CHECK_EQ(far_exit(7), 50, "side exit to another page, taken");
    }

    pg_map(VA_NONE, 0, 0);
    for (int round = 0; round < 3; round++) {
        pg_reset_traps();
        p_fault(3);
        CHECK_PF(0, VA_NONE, (uint32_t)p_fault_insn, "#PF after a Jcc not taken in the block");
        CHECK_EQ(pg_last.eflags & 1, 1, "#PF after a Jcc not taken: saved CF is STC's");
        pg_reset_traps();
        p_fault(9);
        CHECK_EQ(pg_ntraps, 0, "Jcc taken to the same load of a present page: no fault");
    }
    return kdone("t_pg_side_exit");
}
