/* mon_target: the guest that tests/monitor.sh looks at through the monitor
 * (not run by run.sh on its own).  It sets up state with known values, says
 * "mon_target: ready N" (N counts the boots since vm started: RAM keeps it
 * across system_reset) and spins at mon_spin with fixed registers, counting
 * in mon_count:
 *   paging on (CR0 = PG|PE|ET, CR4.PSE) with this map:
 *     0x00000000-0x003fffff  4 MiB page -> physical 0 (the kernel), rw
 *     0x40000000             4 KiB page -> physical 0x00300000, read-only
 *     0x40001000             4 KiB page -> physical 0x00301000, user, rw
 *     0xfec00000-0xffffffff  4 MiB page -> physical 0xfec00000 (APICs), rw
 *   "MONITOR!" written through 0x40001000 (so at physical 0x00301000);
 *   the 8259s initialised with vector bases 0x30 and 0x38, IMRs 0xba and 0x5f;
 *   PIT channel 0 at 1 kHz (IRQ0 rises, the CPU has interrupts off);
 *   the local APIC: TPR 0x20, LVT timer periodic masked vector 0xee,
 *   initial count 0x01234567;
 *   EAX=0x11111111 EBX=0x22222222 ECX=0x33333333 EDX=0x44444444
 *   ESI=0x55555555 EDI=0x66666666. */
#include "klib.h"

#define PTE_P  0x001u
#define PTE_W  0x002u
#define PTE_U  0x004u
#define PTE_PS 0x080u

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t page_table[1024] __attribute__((aligned(4096)));
volatile uint32_t mon_count;
/* At a fixed physical address outside the kernel image, so that the
 * reload of the kernel by system_reset leaves it alone. */
#define BOOTS ((volatile uint32_t *)0x00302000u)

static void paging_on(void)
{
    page_dir[0] = 0x00000000u | PTE_P | PTE_W | PTE_PS;
    page_dir[0x40000000u >> 22] = (uint32_t)page_table | PTE_P | PTE_W | PTE_U;
    page_dir[0xfec00000u >> 22] = 0xfec00000u | PTE_P | PTE_W | PTE_PS;
    page_table[0] = 0x00300000u | PTE_P;
    page_table[1] = 0x00301000u | PTE_P | PTE_W | PTE_U;
    __asm__ volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
    __asm__ volatile("mov %0, %%cr3" :: "r"(page_dir));
    __asm__ volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");
}

static void pic_setup(void)
{
    outb(0x20, 0x11); outb(0x21, 0x30); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0xa0, 0x11); outb(0xa1, 0x38); outb(0xa1, 0x02); outb(0xa1, 0x01);
    outb(0x21, 0xba);
    outb(0xa1, 0x5f);
    outb(0x43, 0x34);                   /* channel 0, lobyte/hibyte, mode 2 */
    outb(0x40, 1193 & 0xff);
    outb(0x40, 1193 >> 8);
}

static void apic_setup(void)
{
    volatile uint32_t *apic = (volatile uint32_t *)0xfee00000u;
    apic[0xf0 / 4] = 0x1ff;             /* SVR: enabled, spurious vector 0xff */
    apic[0x80 / 4] = 0x20;              /* TPR */
    apic[0x3e0 / 4] = 0x3;              /* divide by 16 */
    apic[0x320 / 4] = 0x000300ee;       /* LVT timer: periodic, masked, vector 0xee */
    apic[0x380 / 4] = 0x01234567;       /* initial count */
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    __asm__ volatile("cli");
    if (*BOOTS > 100)                   /* whatever RAM held before the first boot */
        *BOOTS = 0;
    *BOOTS += 1;
    paging_on();
    const char *text = "MONITOR!";
    for (int i = 0; i < 8; i++)
        ((volatile char *)0x40001000u)[i] = text[i];
    pic_setup();
    apic_setup();
    kputs("mon_target: ready ");
    kputdec(*BOOTS);
    kputs("\n");
    __asm__ volatile(
        "mov $0x11111111, %%eax\n\t"
        "mov $0x22222222, %%ebx\n\t"
        "mov $0x33333333, %%ecx\n\t"
        "mov $0x44444444, %%edx\n\t"
        "mov $0x55555555, %%esi\n\t"
        "mov $0x66666666, %%edi\n\t"
        ".globl mon_spin\n"
        "mon_spin:\n\t"
        "incl mon_count\n\t"
        "jmp mon_spin\n\t"
        ".globl mon_spin_end\n"
        "mon_spin_end:\n"
        ::: "eax", "ebx", "ecx", "edx", "esi", "edi", "memory");
    return 0;
}
