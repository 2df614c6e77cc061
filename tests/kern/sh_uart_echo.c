/* sh_uart_echo: echoes what arrives on COM1 until an EOT byte (0x04), then
 * prints 4000 numbered lines and exits.  tests/uart_stdio.sh pipes input
 * into vm running it and checks that nothing is lost in either direction.
 * With -append fifo it turns the FIFOs on first (which, as on the chip,
 * empties the receiver: input must come after that).
 * Not a t_* kernel: run.sh does not run it on its own. */
#include "klib.h"

#define COM 0x3f8

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    const char *cmdline = (info[0] & 4) ? (const char *)info[4] : "";
    if (cmdline[0] == 'f')
        outb(COM + 2, 0xc7);            /* FIFOs on, trigger 14 */
    for (;;) {
        while (!(inb(COM + 5) & 1))
            __asm__ volatile("pause");
        uint8_t c = inb(COM);
        if (c == 0x04)
            break;
        kputc((char)c);
    }
    for (uint32_t i = 0; i < 4000; i++) {
        kputs("line ");
        kputdec(i);
        kputs(" of the output that must not be lost\n");
    }
    return kdone("sh_uart_echo");
}
