/* smp.h - starting the application processors of a guest test kernel
 * (include in one .c file: it defines the trampoline and its data).
 *
 * start_aps() copies a trampoline to 0x9000 (0x8000 holds the multiboot
 * loader's GDT) and sends INIT then two start-up IPIs to all but itself
 * (Intel SDM Vol. 3, 8.4.4.1).  Each AP starts there in real mode, loads
 * a flat GDT of its own, enters protected mode, takes a check-in number
 * 1, 2, ... with LOCK XADD on ap_count, gets the stack of that number and
 * calls ap_main(number), which the kernel defines. */
#ifndef SMP_H
#define SMP_H

#include <stdint.h>

#define SMP_MAX_CPUS 16
#define APIC 0xfee00000u
#define TRAMP_ADDR 0x9000

static inline void apic_wr(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(APIC + reg) = v; }
static inline uint32_t apic_rd(uint32_t reg) { return *(volatile uint32_t *)(APIC + reg); }
static inline void cpu_relax(void) { __asm__ volatile("pause"); }

static inline void send_ipi(uint32_t dest, uint32_t low)
{
    apic_wr(0x310, dest << 24);
    apic_wr(0x300, low);
}

volatile uint32_t ap_count;             /* APs that checked in */
uint8_t ap_stacks[SMP_MAX_CPUS][8192] __attribute__((aligned(16)));

void tramp_start(void);
void tramp_end(void);
void ap_main(uint32_t id);
__asm__(".code16\n"
        ".globl tramp_start\n"
        "tramp_start:\n\t"
        "cli\n\t"
        "xorw %ax, %ax\n\t"
        "movw %ax, %ds\n\t"
        "lgdtl 0x9000 + (tramp_gdtr - tramp_start)\n\t"
        "movl %cr0, %eax\n\t"
        "orl $1, %eax\n\t"
        "movl %eax, %cr0\n\t"
        "ljmpl $0x08, $0x9000 + (tramp32 - tramp_start)\n"
        ".code32\n"
        "tramp32:\n\t"
        "movw $0x10, %ax\n\t"
        "movw %ax, %ds\n\t"
        "movw %ax, %es\n\t"
        "movw %ax, %ss\n\t"
        "movl $1, %eax\n\t"
        "lock xaddl %eax, ap_count\n\t"
        "incl %eax\n\t"                         /* check-in numbers from 1 */
        "movl %eax, %ebx\n\t"
        "incl %ebx\n\t"
        "shll $13, %ebx\n\t"
        "leal ap_stacks(%ebx), %esp\n\t"
        "pushl %eax\n\t"
        "movl $ap_main, %ecx\n\t"       /* absolute: the trampoline runs elsewhere */
        "call *%ecx\n"
        "1:\tcli\n\thlt\n\tjmp 1b\n"
        ".align 8\n"
        "tramp_gdt:\n\t"
        ".quad 0\n\t"
        ".quad 0x00cf9a000000ffff\n\t"
        ".quad 0x00cf92000000ffff\n"
        "tramp_gdtr:\n\t"
        ".word 23\n\t"
        ".long 0x9000 + (tramp_gdt - tramp_start)\n"
        ".globl tramp_end\n"
        "tramp_end:\n");

static inline void start_aps(void)
{
    uint8_t *dst = (uint8_t *)TRAMP_ADDR;
    const uint8_t *src = (const uint8_t *)tramp_start;
    for (uint32_t i = 0; i < (uint32_t)((const uint8_t *)tramp_end - src); i++)
        dst[i] = src[i];
    apic_wr(0xf0, 0x1ff);               /* software-enable our local APIC */
    send_ipi(0, 0x000c4500);            /* INIT, all excluding self */
    for (volatile int i = 0; i < 100000; i++)
        ;
    send_ipi(0, 0x000c4600 | (TRAMP_ADDR >> 12));   /* start-up, twice */
    send_ipi(0, 0x000c4600 | (TRAMP_ADDR >> 12));
}

#endif
