/*
 * devices.c - the PC's devices, reached through port I/O.
 *
 * This first version has the debug devices and a minimal COM1:
 *   COM1 0x3F8-0x3FF  16550 UART registers; THR bytes go to stdout, LSR always
 *                     says "transmitter empty and idle" (the full 16550 with
 *                     input and interrupts comes with the platform issue)
 *   0xE9              debug console (Bochs/QEMU): bytes to stdout; reads 0xE9
 *   0xF4              debug exit (QEMU's isa-debug-exit): exit status (v << 1) | 1
 *   0x80              POST code: ignored, shown with -d ioport
 * Every other port reads all-ones and ignores writes.
 *
 * Threads and locks: called on the vCPU thread.  With one vCPU thread and
 * no main-loop devices yet there is nothing to share; the platform issue
 * puts device state under the BQL.
 */
#include <stdio.h>
#include <string.h>

#include "vm.h"

/* ---- 16550 UART (COM1), output only for now ------------------------------- */

#define UART_BASE 0x3f8
#define UART_LSR_THRE 0x20      /* transmit holding register empty */
#define UART_LSR_TEMT 0x40      /* transmitter empty */
#define UART_LCR_DLAB 0x80      /* divisor latch access */

typedef struct UartState {
    uint8_t ier, lcr, mcr, scr;
    uint8_t dll, dlm;           /* divisor latch */
} UartState;

static UartState com1;

static void console_putc(uint8_t c)
{
    fputc(c, stdout);
    fflush(stdout);
}

static uint8_t uart_read(UartState *u, int reg)
{
    switch (reg) {
    case 0: return (u->lcr & UART_LCR_DLAB) ? u->dll : 0;   /* RBR: no input yet */
    case 1: return (u->lcr & UART_LCR_DLAB) ? u->dlm : u->ier;
    case 2: return 0x01;                                    /* IIR: no interrupt pending */
    case 3: return u->lcr;
    case 4: return u->mcr;
    case 5: return UART_LSR_THRE | UART_LSR_TEMT;
    case 6: return 0xb0;                                    /* MSR: DCD DSR CTS */
    default: return u->scr;
    }
}

static void uart_write(UartState *u, int reg, uint8_t v)
{
    switch (reg) {
    case 0:
        if (u->lcr & UART_LCR_DLAB)
            u->dll = v;
        else
            console_putc(v);
        break;
    case 1:
        if (u->lcr & UART_LCR_DLAB)
            u->dlm = v;
        else
            u->ier = v & 0x0f;
        break;
    case 3: u->lcr = v; break;
    case 4: u->mcr = v & 0x1f; break;
    case 7: u->scr = v; break;
    }
}

/* ---- Interrupt controller (the 8259 pair comes with the platform work) ---- */

int pic_get_intr(void)
{
    return 0;
}

int pic_intack(void)
{
    return 0x0f;    /* what a PIC answers when nothing is pending: spurious IRQ 7 */
}

/* ---- Port dispatch ----------------------------------------------------------- */

void devices_init(Machine *m)
{
    (void)m;
    memset(&com1, 0, sizeof(com1));
}

static uint8_t port_read8(uint32_t port)
{
    if (port >= UART_BASE && port < UART_BASE + 8)
        return uart_read(&com1, (int)(port - UART_BASE));
    if (port == 0xe9)
        return 0xe9;
    return 0xff;
}

static void port_write8(uint32_t port, uint8_t v)
{
    if (port >= UART_BASE && port < UART_BASE + 8) {
        uart_write(&com1, (int)(port - UART_BASE), v);
    } else if (port == 0xe9) {
        console_putc(v);
    } else if (port == 0x80) {
        if (log_mask & LOG_IOPORT)
            log_printf("POST code 0x%02x\n", v);
    } else if (log_mask & LOG_IOPORT) {
        log_printf("write to unassigned port 0x%04x: 0x%02x\n", port, v);
    }
}

/* Read `size` bytes from port: wider accesses to byte devices are split
 * into consecutive byte ports, as on the ISA bus. */
uint32_t ioport_read(uint32_t port, int size)
{
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)port_read8((port + (uint32_t)i) & 0xffff) << (8 * i);
    return v;
}

void ioport_write(uint32_t port, uint32_t value, int size)
{
    if (port == 0xf4) {                         /* debug exit takes the whole value */
        vm_exit((int)((value << 1) | 1) & 0xff);
    }
    for (int i = 0; i < size; i++)
        port_write8((port + (uint32_t)i) & 0xffff, (uint8_t)(value >> (8 * i)));
}
