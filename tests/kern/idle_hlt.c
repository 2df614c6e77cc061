/* idle_hlt: an idle guest.  It arms the local APIC timer for 2 s in
 * one-shot mode and sleeps in HLT until it fires; tests/idle.sh checks that
 * vm used (almost) no host CPU meanwhile.  Not a t_* kernel: run.sh does
 * not run it on its own. */
#include "klib.h"

static volatile uint32_t fired;

void idle_isr(void);
__asm__(".globl idle_isr\n"
        "idle_isr:\n\t"
        "movl $1, fired\n\t"
        "movl $0, 0xfee000b0\n\t"
        "iret\n");

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    kset_intr_gate(0x40, idle_isr);
    kload_idt();
    volatile uint32_t *apic = (volatile uint32_t *)0xfee00000u;
    apic[0xf0 / 4] = 0x1ff;                 /* APIC on */
    apic[0x3e0 / 4] = 0xb;                  /* divide by 1 */
    apic[0x320 / 4] = 0x40;                 /* one-shot, vector 0x40 */
    apic[0x380 / 4] = 2000000000u;          /* 2 s at 1 GHz */
    while (!fired)
        __asm__ volatile("sti; hlt; cli");
    return kdone("idle_hlt");
}
