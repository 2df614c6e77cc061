/* t_flags_dead: INC, DEC, ROL and ROR keep flags they find (CF; SF ZF AF
 * PF), and vm skips loading the guest's flags for them when an
 * instruction later in the block overwrites every flag first with only
 * register moves between (translate.c, "Flags nobody will see").  Each
 * case (a function of its own, so a block of its own) starts with the
 * flags only in vm's memory (a memory operand's lookup has just clobbered
 * the host's), so a skipped load shows as a wrong kept flag:
 *  - read by the very next instruction (ADC, SETC, JC), and after a MOV;
 *  - read by the instruction after a chain of INC and ROR;
 *  - pushed by a divide error right after INC (an exception sees EFLAGS);
 *  - and the case where the load may be skipped: the ADD after INC and MOV
 *    leaves its own flags, whatever INC found. */
#include "klib.h"

#define VEC_DE 0

static volatile uint32_t mem_word = 5;
volatile uint32_t de_eflags, de_count;

/* #DE handler: record the pushed EFLAGS, resume at de_resume. */
void de_isr(void);
__asm__(".globl de_isr\n"
        "de_isr:\n\t"
        "incl de_count\n\t"
        "movl 8(%esp), %eax\n\t"
        "movl %eax, de_eflags\n\t"
        "movl $de_resume, (%esp)\n\t"
        "iret\n");

/* STC, a load, INC EAX, ADC EBX,imm or ADC EBX,reg (0): EBX + CF (1). */
__attribute__((noinline)) static uint32_t inc_then_adc_imm(void)
{
    uint32_t a = 0, b = 10;
    __asm__ volatile("stc\n\t"
                     "movl %2, %%ecx\n\t"
                     "incl %0\n\t"
                     "adcl $0, %1"
                     : "+&r"(a), "+&r"(b) : "m"(mem_word) : "ecx", "cc");
    return b;
}

__attribute__((noinline)) static uint32_t inc_then_adc_reg(void)
{
    uint32_t a = 0, b = 10, zero = 0;
    __asm__ volatile("stc\n\t"
                     "movl %3, %%ecx\n\t"
                     "incl %0\n\t"
                     "adcl %2, %1"
                     : "+&r"(a), "+&r"(b) : "r"(zero), "m"(mem_word) : "ecx", "cc");
    return b;
}

/* STC, a load, ROR EAX,3, MOV, ADC: EBX + CF, where CF is ROR's own (the
 * bit rotated into bit 31): 0x8 ror 3 = 1, CF = 0; 0x4 ror 3: CF = 1. */
__attribute__((noinline)) static uint32_t ror_mov_adc(uint32_t x)
{
    uint32_t b = 100, c;
    __asm__ volatile("stc\n\t"
                     "movl %3, %%ecx\n\t"
                     "rorl $3, %0\n\t"
                     "movl %0, %2\n\t"
                     "adcl $0, %1"
                     : "+r"(x), "+r"(b), "=&r"(c) : "m"(mem_word) : "ecx", "cc");
    return b;
}

/* STC, a load, INC, DEC, ROL, then SETC: CF kept through INC and DEC,
 * then ROL's (the old bit 31 of 0x80000000 rotated by 1: 1). */
__attribute__((noinline)) static uint32_t chain_setc(void)
{
    uint32_t a = 0x80000000u, r;
    __asm__ volatile("stc\n\t"
                     "movl %2, %%ecx\n\t"
                     "incl %%edx\n\t"
                     "decl %%edx\n\t"
                     "roll $1, %0\n\t"
                     "setc %b1\n\t"
                     "movzbl %b1, %1"
                     : "+r"(a), "=q"(r) : "m"(mem_word) : "ecx", "edx", "cc");
    return r;
}

/* STC, a load, INC, JC: taken. */
__attribute__((noinline)) static uint32_t inc_then_jc(void)
{
    uint32_t r;
    __asm__ volatile("stc\n\t"
                     "movl %1, %%ecx\n\t"
                     "incl %%ecx\n\t"
                     "movl $1, %0\n\t"
                     "jc 1f\n\t"
                     "movl $0, %0\n"
                     "1:"
                     : "=r"(r) : "m"(mem_word) : "ecx", "cc");
    return r;
}

/* The load may go: STC, a load, INC, MOV, ADD; SETC then shows ADD's CF
 * (0xffffffff + 1 carries; 1 + 1 does not). */
__attribute__((noinline)) static uint32_t inc_mov_add_setc(uint32_t x)
{
    uint32_t r, one = 1;
    __asm__ volatile("stc\n\t"
                     "movl %3, %%ecx\n\t"
                     "incl %%ecx\n\t"
                     "movl %%ecx, %%edx\n\t"
                     "addl %2, %1\n\t"
                     "setc %b0\n\t"
                     "movzbl %b0, %0"
                     : "=q"(r), "+r"(x) : "r"(one), "m"(mem_word) : "ecx", "edx", "cc");
    return r;
}

/* STC, a load, INC EDX (EDX = 0x7fffffff: OF SF set), DIV by zero: the
 * #DE pushes EFLAGS with CF kept from STC and INC's OF, SF. */
__attribute__((noinline)) static void inc_then_fault(void)
{
    __asm__ volatile("movl $0, %%ecx\n\t"
                     "stc\n\t"
                     "movl %0, %%eax\n\t"
                     "movl $0x7fffffff, %%edx\n\t"
                     "incl %%edx\n\t"
                     "divl %%ecx\n"
                     ".globl de_resume\n"
                     "de_resume:"
                     : : "m"(mem_word) : "eax", "ecx", "edx", "cc", "memory");
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    kset_intr_gate(VEC_DE, de_isr);
    kload_idt();
    for (int i = 0; i < 3; i++) {               /* translated once, run again */
        CHECK_EQ(inc_then_adc_imm(), 11, "STC; load; INC; ADC imm: CF kept by INC");
        CHECK_EQ(inc_then_adc_reg(), 11, "STC; load; INC; ADC reg: CF kept by INC");
        CHECK_EQ(ror_mov_adc(0x4), 101, "ROR sets CF = 1; MOV; ADC reads it");
        CHECK_EQ(ror_mov_adc(0x8), 100, "ROR sets CF = 0; MOV; ADC reads it");
        CHECK_EQ(chain_setc(), 1, "INC DEC ROL; SETC");
        CHECK_EQ(inc_then_jc(), 1, "STC; load; INC; JC taken");
        CHECK_EQ(inc_mov_add_setc(0xffffffffu), 1, "INC; MOV; ADD: ADD's carry");
        CHECK_EQ(inc_mov_add_setc(1), 0, "INC; MOV; ADD: ADD's no carry");
    }
    for (int i = 0; i < 3; i++) {
        de_count = 0;
        de_eflags = 0;
        inc_then_fault();
        CHECK_EQ(de_count, 1, "DIV by zero raised #DE");
        CHECK_EQ(de_eflags & 0x8c1, 0x881, "#DE pushed CF kept by INC, INC's OF and SF, ZF clear");
    }
    return kdone("t_flags_dead");
}
