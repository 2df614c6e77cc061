/* sh_halt_all: power off by halting, for tests/poweroff.sh (run with -smp 3).
 *   -append "all": both APs and then the BSP halt with interrupts off:
 *       nothing can run again, so vm must power off (exit status 0);
 *   -append "one": the BSP halts with interrupts off while an AP still
 *       runs; 100 ms later the AP sends the BSP an NMI, whose handler
 *       exits through port 0xF4 (status 1): a CPU that another can still
 *       wake is not off. */
#include "klib.h"
#include "smp.h"

static volatile uint32_t bsp_halting;

void nmi_isr(void);
__asm__(".globl nmi_isr\nnmi_isr:\n\tpushl $0\n\tcall kexit\n");

static volatile int halt_all;           /* read before the AP trampoline overwrites the info */

void ap_main(uint32_t id)
{
    if (id == 1 && !halt_all) {
        while (!bsp_halting)
            cpu_relax();
        uint64_t t = rdtsc();
        while (rdtsc() - t < 100000000ull)
            cpu_relax();
        send_ipi(0, 0x400);             /* NMI to the BSP (APIC ID 0) */
    }
    for (;;)
        __asm__ volatile("cli; hlt");
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    halt_all = ((const char *)info[4])[0] == 'a';   /* the command line */
    kset_intr_gate(2, nmi_isr);
    kload_idt();
    start_aps();
    while (ap_count < 2)
        cpu_relax();
    bsp_halting = 1;
    for (;;)
        __asm__ volatile("cli; hlt");
}
