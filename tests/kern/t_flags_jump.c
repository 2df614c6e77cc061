/* t_flags_jump: a direct jump does not store the guest flags for the
 * block it goes to when that block overwrites every flag before reading
 * one (translate.c flags_dead_at_jump); a Jcc with one such way stores
 * them only on the other way, after the jump.  Each case first leaves
 * CF = 0 in vm's memory (CLC, then a load, whose lookup stores the
 * flags), then makes CF = 1 with CMP 3, 5 (so a missed store shows as
 * CF = 0), then:
 *  - JBE taken to a block that reads CF (ADC), its other way a block
 *    that overwrites the flags first (XOR);
 *  - the mirror: JA not taken, falling into the block that reads CF,
 *    the taken way overwriting first;
 *  - both ways overwriting first (after register moves, which do not
 *    count), and the values they compute;
 *  - JMP to a block that reads CF, and JMP to one that overwrites first
 *    (SUB; CDQ then NEG; IMUL: overwriters as the look ahead knows them).
 */
#include "klib.h"

static volatile uint32_t mem_word = 5;

/* JBE taken (CF = 1) into ADC: 1; the other way XOR, ADC: 0 + 0. */
__attribute__((noinline)) static uint32_t jbe_taken_reads(uint32_t a)
{
    uint32_t r = 0;
    __asm__ volatile("clc\n\t"
                     "movl %2, %%ecx\n\t"
                     "cmpl $5, %1\n\t"
                     "jbe 1f\n\t"
                     "xorl %0, %0\n\t"
                     "adcl $0, %0\n\t"
                     "jmp 2f\n"
                     "1:\tadcl $0, %0\n"
                     "2:"
                     : "+r"(r) : "r"(a), "m"(mem_word) : "ecx", "cc");
    return r;
}

/* JA not taken (3 <= 5) falls into ADC: CF = 1; taken (7 > 5): XOR, ADC. */
__attribute__((noinline)) static uint32_t ja_fall_reads(uint32_t a)
{
    uint32_t r = 10;
    __asm__ volatile("clc\n\t"
                     "movl %2, %%ecx\n\t"
                     "cmpl $5, %1\n\t"
                     "ja 1f\n\t"
                     "adcl $0, %0\n\t"
                     "jmp 2f\n"
                     "1:\txorl %%edx, %%edx\n\t"
                     "adcl $100, %0\n"
                     "2:"
                     : "+r"(r) : "r"(a), "m"(mem_word) : "ecx", "edx", "cc");
    return r;
}

/* Both ways move a register, then ADD (overwrites every flag), then SETC
 * shows ADD's own carry: 0xffffffff + 1 carries, 1 + 1 does not. */
__attribute__((noinline)) static uint32_t both_dead(uint32_t a, uint32_t x)
{
    uint32_t r;
    __asm__ volatile("clc\n\t"
                     "movl %3, %%ecx\n\t"
                     "cmpl $5, %1\n\t"
                     "jbe 1f\n\t"
                     "movl %2, %%edx\n\t"
                     "addl $1, %%edx\n\t"
                     "setc %b0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl %2, %%edx\n\t"
                     "addl $1, %%edx\n\t"
                     "setc %b0\n"
                     "2:\tmovzbl %b0, %0"
                     : "=&q"(r) : "r"(a), "r"(x), "m"(mem_word) : "ecx", "edx", "cc");
    return r;
}

/* JMP_INTO(name, r0, landing): uint32_t name(uint32_t x) leaves CF = 0 in
 * vm's memory, makes CF = 1 (CMP 3, 5), JMPs to `landing` (the block
 * after the JMP) and returns %0, which starts as r0.  In `landing`, %2
 * is x and EAX holds 3; it may use ECX and EDX. */
#define JMP_INTO(name, r0, landing) \
    __attribute__((noinline)) static uint32_t name(uint32_t x) \
    { \
        uint32_t r = (r0), a = 3; \
        __asm__ volatile("clc\n\t" \
                         "movl %3, %%ecx\n\t" \
                         "cmpl $5, %1\n\t" \
                         "jmp 1f\n\t" \
                         "nop\n" \
                         "1:\t" landing \
                         : "+r"(r), "+a"(a), "+r"(x) : "m"(mem_word) : "ecx", "edx", "cc"); \
        return r; \
    }

/* ADC reads CMP's CF: r0 + 1. */
JMP_INTO(jmp_reads, 0, "adcl $0, %0")
/* SUB x, 1 then SBB: SUB's CF only (x = 2: 0). */
JMP_INTO(jmp_dead, 7, "subl $1, %2\n\tsbbl $0, %0")
/* CDQ (no flags), NEG x (CF = x != 0), ADC. */
JMP_INTO(jmp_cdq_neg, 20, "cltd\n\tnegl %2\n\tadcl $0, %0")
/* IMUL x, x (CF = the product overflows), ADC. */
JMP_INTO(jmp_imul, 30, "imull %2, %2\n\tadcl $0, %0")

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    for (int i = 0; i < 4; i++) {               /* translated, chained, run again */
        CHECK_EQ(jbe_taken_reads(3), 1, "JBE taken: ADC reads CMP's CF");
        CHECK_EQ(jbe_taken_reads(7), 0, "JBE not taken: XOR then ADC");
        CHECK_EQ(ja_fall_reads(3), 11, "JA not taken: ADC reads CMP's CF");
        CHECK_EQ(ja_fall_reads(7), 110, "JA taken: XOR then ADC");
        CHECK_EQ(both_dead(3, 0xffffffffu), 1, "both ways dead, taken: ADD's carry");
        CHECK_EQ(both_dead(3, 1), 0, "both ways dead, taken: ADD's no carry");
        CHECK_EQ(both_dead(7, 0xffffffffu), 1, "both ways dead, not taken: ADD's carry");
        CHECK_EQ(both_dead(7, 1), 0, "both ways dead, not taken: ADD's no carry");
        CHECK_EQ(jmp_reads(0), 1, "JMP: ADC reads CMP's CF");
        CHECK_EQ(jmp_dead(2), 7, "JMP: SUB overwrites CF before SBB");
        CHECK_EQ(jmp_cdq_neg(0), 20, "JMP: CDQ, NEG 0 clears CF");
        CHECK_EQ(jmp_cdq_neg(9), 21, "JMP: CDQ, NEG 9 sets CF");
        CHECK_EQ(jmp_imul(3), 30, "JMP: IMUL 3*3 clears CF");
        CHECK_EQ(jmp_imul(0x10000), 31, "JMP: IMUL 0x10000^2 overflows, sets CF");
    }
    return kdone("t_flags_jump");
}
