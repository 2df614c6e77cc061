/* seg_triple: a triple fault (not run by tests/run.sh, which only knows
 * "exit status 1 = pass").
 *
 * With an IDT limit of 0, INT3 cannot be delivered (#GP), the #GP cannot
 * be delivered (#DF), and the #DF cannot be delivered: the processor shuts
 * down (Intel SDM Vol. 3 6.15 "Interrupt 8", "a triple fault ... causes
 * the processor to enter shutdown mode"); a PC resets on shutdown.
 *
 * Run it with -no-reboot and expect the machine to stop without printing
 * "FAIL":
 *     qemu-system-i386 -no-reboot -kernel tests/kern/seg_triple.elf \
 *         -device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none \
 *         -serial stdio -monitor none          # exits with status 0
 *     ./vm -no-reboot -kernel tests/kern/seg_triple.elf
 * Without -no-reboot the machine resets and the loader runs the kernel
 * again, forever.  If execution ever continues past the INT3 the kernel
 * prints FAIL and leaves through the debug exit with status 3.
 */
#include "seg_lib.h"

int kmain(void)
{
    seg_init();
    kputs("seg_triple: triple fault next (the machine should shut down)\n");
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr = { 0, (uint32_t)seg_idt };
    __asm__ volatile("lidt %0\n\tint3" : : "m"(idtr) : "memory");
    kputs("seg_triple: FAIL (execution continued after a triple fault)\n");
    return 1;
}
