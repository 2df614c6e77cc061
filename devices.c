/*
 * devices.c - the PC's devices on the ISA bus, reached through port I/O:
 *   0x20/0xA0, 0x4D0  8259A PIC pair (master, slave on IR2) and the ELCR
 *   0x40-0x43         8254 PIT; channel 0 on IRQ0, channel 2 gated by 0x61
 *   0x61              system control port B: PIT channel 2 gate and output
 *   0x60/0x64         i8042 keyboard controller (A20 and reset lines), with a
 *                     keyboard and a PS/2 mouse that answer their commands
 *   0x70/0x71         MC146818 RTC and 128 bytes of CMOS RAM, IRQ8
 *   0x92              system control port A: fast A20 and reset
 *   COM1 0x3F8-0x3FF  16550A UART, IRQ4: transmits to stdout, receives
 *                     from stdin (a terminal in raw mode, Ctrl-A escapes)
 *   0xE9              debug console (Bochs/QEMU): bytes to stdout; reads 0xE9
 *   0xF4              debug exit (QEMU's isa-debug-exit): exit status (v << 1) | 1
 *   0x80              POST code: ignored, shown with -d ioport
 *   0x1F0-0x1F7/0x3F6 the ATA disk, IRQ14: ata.c
 * Every other port reads all-ones and ignores writes.  ISA interrupt lines
 * go through irq_set() to both the 8259s and the IO-APIC (apic.c).
 *
 * Time: the PIT, the RTC's divider and the UART's character timeout count
 * CLOCK_MONOTONIC (clock_ns), so they agree with the TSC and the APIC
 * timer; their interrupts come from main-loop timers, armed only while
 * an interrupt could come of them.  The RTC's time of day starts from
 * CLOCK_REALTIME and then runs on CLOCK_MONOTONIC.
 *
 * Threads and locks: all device state is guarded by the BQL.  Port
 * accesses come from vCPU threads, which take the BQL around them
 * (cpu.c port_read/port_write); timer callbacks, bottom halves and the
 * stdin handler run on the main loop thread, which holds the BQL while it
 * runs them.  docs/devices.md has the whole picture.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

/* ---- The host console: stdout and stdin ------------------------------------------ */

/* Guest output (COM1, port 0xE9) goes to stdout byte by byte, written in
 * full: a slow pipe makes the vCPU wait, it never loses a byte.  Input comes
 * from stdin through the main loop into a host-side buffer, and from there
 * into COM1's receive FIFO as the guest makes room (flow control: nothing is
 * dropped; when the buffer is full we stop reading stdin).  When stdin is a
 * terminal it runs in raw mode, restored on every way out, and Ctrl-A
 * starts an escape (Ctrl-A x quits, Ctrl-A h helps, Ctrl-A c switches
 * between the guest and the monitor (monitor.c), Ctrl-A Ctrl-A sends
 * Ctrl-A).  A pipe or file is fed as it is, escapes and all.  With
 * -monitor stdio, stdin is the monitor's and the guest gets no input. */

#define CON_BUF 4096
#define CON_ESCAPE 0x01                 /* Ctrl-A */

typedef struct Console {
    int in_fd;                  /* stdin, or -1: none or at its end */
    int pollable;               /* epoll works on it (tty, pipe, socket) */
    int watched;                /* the fd handler is installed */
    int is_tty;                 /* raw mode and Ctrl-A escapes */
    int escape;                 /* the last byte was Ctrl-A */
    int in_monitor;             /* Ctrl-A c: input goes to the monitor */
    uint8_t buf[CON_BUF];       /* read from stdin, not yet in the UART */
    int head, count;
    BH *bh;                     /* feeds the UART and restarts reading */
} Console;

static Console con = { .in_fd = -1 };
static struct termios con_saved;
static volatile sig_atomic_t con_raw;   /* stdin is in raw mode: restore it */

static void console_putc(uint8_t c)
{
    fflush(stdout);                     /* keep order with anything stdio holds */
    for (;;) {
        ssize_t r = write(STDOUT_FILENO, &c, 1);
        if (r == 1)
            return;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN) { /* a non-blocking stdout: wait for room */
            struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };
            poll(&p, 1, -1);
            continue;
        }
        return;                         /* stdout is gone: nobody to tell */
    }
}

/* Async-signal-safe: called from atexit and from fatal signal handlers. */
static void con_restore(void)
{
    if (con_raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &con_saved);
        con_raw = 0;
    }
}

/* The handler runs once (SA_RESETHAND); the signal raised again here is
 * delivered with its default action as soon as the handler returns. */
static void con_fatal_signal(int sig)
{
    con_restore();
    raise(sig);
}

static void con_set_raw(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT,
                                SIGSEGV, SIGBUS, SIGFPE, SIGILL };
    if (tcgetattr(STDIN_FILENO, &con_saved) < 0)
        return;
    struct termios raw = con_saved;
    raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cflag = (raw.c_cflag & ~(tcflag_t)(CSIZE | PARENB)) | CS8;
    raw.c_cc[VMIN] = 1;                 /* OPOST stays: "\n" still starts a line */
    raw.c_cc[VTIME] = 0;
    atexit(con_restore);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = con_fatal_signal;
        sa.sa_flags = (int)SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
        con_raw = 1;
}

static void con_help(void)
{
    fprintf(stderr, "\nC-a h    print this help\n"      /* OPOST is on: \n is a newline */
                    "C-a x    exit vm\n"
                    "C-a c    switch between the guest's console and the monitor\n"
                    "C-a C-a  send C-a to the guest\n");
}

static void con_push(uint8_t c)
{
    con.buf[(con.head + con.count++) % CON_BUF] = c;
}

/* One byte from stdin: an escape command, or a byte for the guest. */
static void con_input(uint8_t c)
{
    if (!con.is_tty) {
        con_push(c);
    } else if (con.escape) {
        con.escape = 0;
        if (c == 'x') {
            fprintf(stderr, "\nvm: terminated\n");
            loop_request_exit(0);
        } else if (c == 'h') {
            con_help();
        } else if (c == 'c' && monitor_muxed()) {
            con.in_monitor = !con.in_monitor;
            if (con.in_monitor)
                monitor_enter();
            else
                fprintf(stderr, "\n");
        } else if (c == CON_ESCAPE && !con.in_monitor) {
            con_push(c);
        }
    } else if (c == CON_ESCAPE) {
        con.escape = 1;
    } else if (con.in_monitor) {
        monitor_input(c);
    } else {
        con_push(c);
    }
}

static void uart_host_feed(void);
static void con_bh_cb(void *opaque);

/* stdin is readable (or a file that always is): read what fits. */
static void con_read(void *opaque)
{
    (void)opaque;
    uint8_t tmp[CON_BUF];
    ssize_t n = read(con.in_fd, tmp, (size_t)(CON_BUF - con.count));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {                       /* end of input or an error: stop reading */
        if (con.watched)
            loop_set_fd_handler(con.in_fd, NULL, NULL);
        con.watched = 0;
        con.in_fd = -1;
        return;
    }
    for (ssize_t i = 0; i < n; i++)
        con_input(tmp[i]);
    uart_host_feed();
    if (con.count == CON_BUF && con.watched) {  /* full: wait for the guest */
        loop_set_fd_handler(con.in_fd, NULL, NULL);
        con.watched = 0;
    }
}

/* Main loop: move buffered input into the UART, then read more if there
 * is room (watch a pollable stdin again, or read a file now). */
static void con_bh_cb(void *opaque)
{
    (void)opaque;
    uart_host_feed();
    if (con.in_fd < 0 || con.count == CON_BUF || con.watched)
        return;
    if (con.pollable) {
        loop_set_fd_handler(con.in_fd, con_read, NULL);
        con.watched = 1;
    } else {
        con_read(NULL);
    }
}

/* The guest made room: ask the main loop for more input (any vCPU). */
static void con_kick(void)
{
    if (con.bh && (con.count || (con.in_fd >= 0 && !con.watched)))
        bh_schedule(con.bh);
}

static void con_init(void)
{
    struct stat st;
    con.bh = bh_new(con_bh_cb, NULL);
    if (monitor_on_stdio() || fstat(STDIN_FILENO, &st) < 0)
        return;
    con.in_fd = STDIN_FILENO;
    con.pollable = loop_fd_pollable(STDIN_FILENO);
    if (isatty(STDIN_FILENO)) {
        /* In the background a read would stop us (SIGTTIN): no input. */
        if (tcgetpgrp(STDIN_FILENO) != getpgrp()) {
            con.in_fd = -1;
            return;
        }
        con.is_tty = 1;
        con_set_raw();
    }
    bh_schedule(con.bh);
}

/* ---- 16550A UART (COM1) (National PC16550D datasheet) ------------------------- */

#define UART_BASE 0x3f8
#define UART_IRQ 4
#define UART_FIFO 16

#define UART_IER_RDI  0x01      /* received data available (and timeout) */
#define UART_IER_THRI 0x02      /* transmit holding register empty */
#define UART_IER_RLSI 0x04      /* receiver line status */
#define UART_IER_MSI  0x08      /* modem status */

#define UART_IIR_NONE 0x01
#define UART_IIR_MSI  0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI  0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_TIMEOUT 0x0c
#define UART_IIR_FIFO 0xc0      /* FIFOs enabled */

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02

#define UART_LCR_DLAB 0x80      /* divisor latch access */

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08      /* on a PC: gates the IRQ line */
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR   0x01      /* data ready */
#define UART_LSR_OE   0x02      /* overrun */
#define UART_LSR_ERRS 0x1e      /* OE PE FE BI: the line status interrupt */
#define UART_LSR_THRE 0x20      /* transmit holding register empty */
#define UART_LSR_TEMT 0x40      /* transmitter empty */

#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80
#define UART_MSR_TERI 0x04      /* RI went from on to off */

#define UART_CLOCK_HZ 115200    /* 1.8432 MHz / 16: the baud rate at divisor 1 */

typedef struct UartState {
    uint8_t rx[UART_FIFO];      /* receive FIFO (one deep with FIFOs off) */
    int rx_head, rx_count;
    uint8_t ier, lcr, mcr, scr;
    uint8_t dll, dlm;           /* divisor latch */
    uint8_t fcr;                /* FIFO enable and trigger level bits */
    uint8_t lsr_errs;           /* OE etc.: set by events, cleared by reading LSR */
    uint8_t msr;                /* line states (bits 4-7) and deltas (bits 0-3) */
    int thr_ipending;           /* THR went empty; cleared by reading it in IIR or writing THR */
    int timeout_ipending;       /* character timeout: data waits below the trigger level */
    int irq;                    /* the level last put on IRQ4 */
    Timer *timeout_timer;
} UartState;

static UartState com1;

static int uart_rx_capacity(const UartState *u)
{
    return (u->fcr & UART_FCR_ENABLE) ? UART_FIFO : 1;
}

static int uart_trigger(const UartState *u)
{
    static const int level[4] = { 1, 4, 8, 14 };
    return (u->fcr & UART_FCR_ENABLE) ? level[u->fcr >> 6] : 1;
}

/* The pending interrupt of highest priority, as IIR bits 0-3. */
static uint8_t uart_iir_id(const UartState *u)
{
    if ((u->ier & UART_IER_RLSI) && (u->lsr_errs & UART_LSR_ERRS))
        return UART_IIR_RLSI;
    if ((u->ier & UART_IER_RDI) && u->rx_count >= uart_trigger(u))
        return UART_IIR_RDI;
    if ((u->ier & UART_IER_RDI) && u->timeout_ipending)
        return UART_IIR_TIMEOUT;
    if ((u->ier & UART_IER_THRI) && u->thr_ipending)
        return UART_IIR_THRI;
    if ((u->ier & UART_IER_MSI) && (u->msr & 0x0f))
        return UART_IIR_MSI;
    return UART_IIR_NONE;
}

/* The chip's INTR reaches IRQ4 only while OUT2 is set (the PC's gate). */
static void uart_update_irq(UartState *u)
{
    int level = uart_iir_id(u) != UART_IIR_NONE && (u->mcr & UART_MCR_OUT2);
    if (level != u->irq) {
        u->irq = level;
        irq_set(UART_IRQ, level);
    }
}

/* One character's time on the line at the programmed rate and format. */
static int64_t uart_char_ns(const UartState *u)
{
    int64_t divisor = u->dll | u->dlm << 8;
    int bits = 1 + 5 + (u->lcr & 3) + ((u->lcr & 8) ? 1 : 0) + ((u->lcr & 4) ? 2 : 1);
    if (!divisor)
        divisor = 0x10000;
    return bits * divisor * 1000000000 / UART_CLOCK_HZ;
}

/* The character timeout: 4 character times after the last byte in or out
 * of a non-empty receive FIFO (FIFO mode only). */
static void uart_timeout_rearm(UartState *u)
{
    if ((u->fcr & UART_FCR_ENABLE) && u->rx_count)
        timer_mod(u->timeout_timer, clock_ns() + 4 * uart_char_ns(u));
    else
        timer_del(u->timeout_timer);
}

static void uart_timeout_cb(void *opaque)
{
    UartState *u = opaque;
    if (u->rx_count && (u->fcr & UART_FCR_ENABLE))
        u->timeout_ipending = 1;
    uart_update_irq(u);
}

/* A character reaches the receiver.  A full FIFO overruns: the new byte is
 * lost (FIFO mode) or replaces the holding register (16450 mode). */
static void uart_receive(UartState *u, uint8_t c)
{
    if (u->rx_count == uart_rx_capacity(u)) {
        u->lsr_errs |= UART_LSR_OE;
        if (!(u->fcr & UART_FCR_ENABLE))
            u->rx[u->rx_head] = c;
    } else {
        u->rx[(u->rx_head + u->rx_count++) % UART_FIFO] = c;
    }
    uart_timeout_rearm(u);
    uart_update_irq(u);
}

/* Room for host input: none in loopback, where the line is disconnected. */
static int uart_host_room(const UartState *u)
{
    if (u->mcr & UART_MCR_LOOP)
        return 0;
    return uart_rx_capacity(u) - u->rx_count;
}

/* Buffered stdin bytes into COM1, as many as its FIFO takes (main loop). */
static void uart_host_feed(void)
{
    while (con.count && uart_host_room(&com1) > 0) {
        uint8_t c = con.buf[con.head];
        con.head = (con.head + 1) % CON_BUF;
        con.count--;
        uart_receive(&com1, c);
    }
}

/* The modem inputs: in loopback the MCR outputs, else a host that is
 * always there (CTS, DSR, DCD on; RI off). */
static uint8_t uart_modem_lines(const UartState *u)
{
    if (!(u->mcr & UART_MCR_LOOP))
        return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    uint8_t m = u->mcr;
    return (uint8_t)(((m & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
                     ((m & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
                     ((m & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
                     ((m & UART_MCR_OUT2) ? UART_MSR_DCD : 0));
}

/* New line states: CTS DSR DCD changes set their delta bits, RI only its
 * trailing edge. */
static void uart_set_modem_lines(UartState *u, uint8_t lines)
{
    uint8_t old = u->msr & 0xf0, changed = old ^ lines;
    uint8_t delta = (uint8_t)(((changed & UART_MSR_CTS) ? 0x01 : 0) |
                              ((changed & UART_MSR_DSR) ? 0x02 : 0) |
                              ((old & UART_MSR_RI) && !(lines & UART_MSR_RI) ? UART_MSR_TERI : 0) |
                              ((changed & UART_MSR_DCD) ? 0x08 : 0));
    u->msr = (uint8_t)(lines | (u->msr & 0x0f) | delta);
}

static uint8_t uart_read_rbr(UartState *u)
{
    uint8_t c = u->rx[u->rx_head];
    if (u->rx_count) {
        u->rx_head = (u->rx_head + 1) % UART_FIFO;
        u->rx_count--;
    }
    u->timeout_ipending = 0;
    uart_timeout_rearm(u);
    uart_update_irq(u);
    con_kick();
    return c;
}

/* Reading IIR while it reports THRE is what clears that interrupt. */
static uint8_t uart_read_iir(UartState *u)
{
    uint8_t id = uart_iir_id(u);
    if (id == UART_IIR_THRI) {
        u->thr_ipending = 0;
        uart_update_irq(u);
    }
    return (uint8_t)(id | ((u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0));
}

/* Transmission takes no time: THR and the shift register are always
 * empty again by the time the guest looks. */
static uint8_t uart_read_lsr(UartState *u)
{
    uint8_t v = (uint8_t)((u->rx_count ? UART_LSR_DR : 0) | u->lsr_errs |
                          UART_LSR_THRE | UART_LSR_TEMT);
    u->lsr_errs = 0;
    uart_update_irq(u);
    return v;
}

static uint8_t uart_read_msr(UartState *u)
{
    uint8_t v = u->msr;
    u->msr &= 0xf0;
    uart_update_irq(u);
    return v;
}

static uint8_t uart_read(UartState *u, int reg)
{
    int dlab = u->lcr & UART_LCR_DLAB;
    switch (reg) {
    case 0: return dlab ? u->dll : uart_read_rbr(u);
    case 1: return dlab ? u->dlm : u->ier;
    case 2: return uart_read_iir(u);
    case 3: return u->lcr;
    case 4: return u->mcr;
    case 5: return uart_read_lsr(u);
    case 6: return uart_read_msr(u);
    default: return u->scr;
    }
}

/* A byte to send.  Writing THR clears the THRE interrupt; the byte leaves
 * at once and THR empties again, so the line drops and rises: a fresh edge
 * for the 8259 per byte. */
static void uart_write_thr(UartState *u, uint8_t c)
{
    u->thr_ipending = 0;
    uart_update_irq(u);
    if (u->mcr & UART_MCR_LOOP)
        uart_receive(u, c);
    else
        console_putc(c);
    u->thr_ipending = 1;
    uart_update_irq(u);
}

/* Turning on the THRE interrupt while THR is empty raises it. */
static void uart_write_ier(UartState *u, uint8_t v)
{
    uint8_t old = u->ier;
    u->ier = v & 0x0f;
    if (!(old & UART_IER_THRI) && (u->ier & UART_IER_THRI))
        u->thr_ipending = 1;
    uart_update_irq(u);
}

/* FCR: changing the enable bit empties the FIFOs; the other bits count
 * only when bit 0 is written as 1. */
static void uart_write_fcr(UartState *u, uint8_t v)
{
    if ((v ^ u->fcr) & UART_FCR_ENABLE)
        u->rx_count = 0;
    if (v & UART_FCR_ENABLE) {
        if (v & UART_FCR_CLEAR_RX)
            u->rx_count = 0;
        u->fcr = v & 0xc1;
    } else {
        u->fcr = 0;
    }
    if (!u->rx_count)
        u->timeout_ipending = 0;
    uart_timeout_rearm(u);
    uart_update_irq(u);
    con_kick();
}

static void uart_write_mcr(UartState *u, uint8_t v)
{
    u->mcr = v & 0x1f;
    uart_set_modem_lines(u, uart_modem_lines(u));
    uart_update_irq(u);
    con_kick();
}

static void uart_write(UartState *u, int reg, uint8_t v)
{
    int dlab = u->lcr & UART_LCR_DLAB;
    switch (reg) {
    case 0:
        if (dlab)
            u->dll = v;
        else
            uart_write_thr(u, v);
        break;
    case 1:
        if (dlab)
            u->dlm = v;
        else
            uart_write_ier(u, v);
        break;
    case 2: uart_write_fcr(u, v); break;
    case 3: u->lcr = v; break;
    case 4: uart_write_mcr(u, v); break;
    case 7: u->scr = v; break;
    }                                   /* LSR and MSR writes: factory test only */
}

/* Power-on state: all interrupts off, FIFOs off, divisor unknown (0). */
static void uart_reset(UartState *u)
{
    Timer *t = u->timeout_timer;
    timer_del(t);
    memset(u, 0, sizeof(*u));
    u->timeout_timer = t;
    u->msr = uart_modem_lines(u);       /* IRQ4 is low: the 8259s and IO-APIC reset too */
    con_kick();
}

/* ---- 8259A PIC pair (Intel 8259A datasheet) ---------------------------------------- */

/* One 8259A.  Priorities are relative: `lowest` is the IR line that has the
 * lowest priority (7 after initialisation); rotation moves it. */
typedef struct PICState {
    uint8_t irr, isr, imr;
    uint8_t lines;              /* input levels, for edge detection */
    uint8_t elcr, elcr_mask;    /* level-triggered lines (ELCR 0x4D0/0x4D1) */
    uint8_t base;               /* ICW2: vector of IR0 */
    uint8_t lowest;             /* the IR line with the lowest priority */
    uint8_t init_step;          /* 0 ready, 1..3 expecting ICW2..ICW4 */
    uint8_t need_icw4, single, ltim;
    uint8_t auto_eoi, rotate_aeoi, sfnm;
    uint8_t read_isr, poll, special_mask;
} PICState;

static PICState pic[2];        /* [0] master at 0x20, [1] slave at 0xA0 on IR2 */
static uint64_t irq_raised[16]; /* rising edges of each ISA line, for info irq */

/* Rank of the highest-priority line in mask (0 = highest), 8 if none. */
static int pic_rank(const PICState *s, uint8_t mask)
{
    for (int rank = 0; rank < 8; rank++)
        if (mask & (1u << ((s->lowest + 1 + rank) & 7)))
            return rank;
    return 8;
}

/* The IR line the chip would present now, or -1: the best unmasked
 * request, if it outranks everything in service (special mask mode
 * ignores masked in-service lines; special fully nested mode lets the
 * slave interrupt its own in-service cascade line). */
static int pic_best(const PICState *s, int is_master)
{
    int rank = pic_rank(s, s->irr & ~s->imr);
    if (rank == 8)
        return -1;
    uint8_t in_service = s->isr;
    if (s->special_mask)
        in_service &= ~s->imr;
    if (is_master && s->sfnm)
        in_service &= ~(1u << 2);
    if (rank >= pic_rank(s, in_service))
        return -1;
    return (s->lowest + 1 + rank) & 7;
}

static int pic_level_triggered(const PICState *s, int irq)
{
    return s->ltim || (s->elcr & (1u << irq));
}

static void pic_input(PICState *s, int irq, int level)
{
    uint8_t mask = (uint8_t)(1u << irq);
    if (pic_level_triggered(s, irq)) {
        if (level)
            s->irr |= mask;
        else
            s->irr &= ~mask;
    } else if (level && !(s->lines & mask)) {
        s->irr |= mask;                 /* a rising edge is latched */
    }
    s->lines = level ? s->lines | mask : s->lines & ~mask;
}

/* Propagate: the slave's INT drives master IR2, the master's INT goes to
 * the CPU (through LINT0 of the boot processor's local APIC). */
static void pic_update(void)
{
    pic_input(&pic[0], 2, pic_best(&pic[1], 0) >= 0);
    cpu_interrupt_changed();
}

int pic_get_intr(void)
{
    return pic_best(&pic[0], 1) >= 0;
}

/* The first INTA pulse: the line goes in service (unless auto-EOI) and an
 * edge request is consumed. */
static void pic_ack(PICState *s, int irq)
{
    uint8_t mask = (uint8_t)(1u << irq);
    if (s->auto_eoi) {
        if (s->rotate_aeoi)
            s->lowest = (uint8_t)irq;
    } else {
        s->isr |= mask;
    }
    if (!pic_level_triggered(s, irq))
        s->irr &= ~mask;
}

/* A whole INTA cycle: the vector.  A request that went away before the
 * acknowledge gives the chip's spurious IR7 vector with nothing in service. */
int pic_intack(void)
{
    int irq = pic_best(&pic[0], 1);
    int vector;
    if (irq < 0) {
        vector = pic[0].base + 7;
    } else if (irq == 2 && !pic[0].single) {
        int irq2 = pic_best(&pic[1], 0);
        if (irq2 >= 0) {
            pic_ack(&pic[1], irq2);
            vector = pic[1].base + irq2;
        } else {
            vector = pic[1].base + 7;
        }
        pic_ack(&pic[0], 2);
    } else {
        pic_ack(&pic[0], irq);
        vector = pic[0].base + irq;
    }
    pic_update();
    return vector;
}

/* ICW1: start initialisation.  IMR and ISR clear, IR7 lowest, the edge
 * detectors forget what they saw, status reads give the IRR. */
static void pic_icw1(PICState *s, uint8_t v)
{
    s->need_icw4 = v & 1;
    s->single = (v >> 1) & 1;
    s->ltim = (v >> 3) & 1;
    s->imr = s->isr = 0;
    s->irr &= s->elcr;
    s->lines = 0;
    s->lowest = 7;
    s->special_mask = s->read_isr = s->poll = 0;
    s->auto_eoi = s->rotate_aeoi = s->sfnm = 0;
    s->init_step = 1;
}

/* OCW2: end of interrupt and rotation. */
static void pic_ocw2(PICState *s, uint8_t v)
{
    int cmd = v >> 5, irq = v & 7;
    switch (cmd) {
    case 0: s->rotate_aeoi = 0; break;
    case 4: s->rotate_aeoi = 1; break;
    case 1: case 5: {                   /* non-specific EOI: highest in service */
        int rank = pic_rank(s, s->isr);
        if (rank < 8) {
            irq = (s->lowest + 1 + rank) & 7;
            s->isr &= (uint8_t)~(1u << irq);
            if (cmd == 5)
                s->lowest = (uint8_t)irq;
        }
        break;
    }
    case 3: s->isr &= (uint8_t)~(1u << irq); break;
    case 7: s->isr &= (uint8_t)~(1u << irq); s->lowest = (uint8_t)irq; break;
    case 6: s->lowest = (uint8_t)irq; break;
    }
}

static void pic_write(PICState *s, int a0, uint8_t v)
{
    if (!a0) {
        if (v & 0x10) {
            pic_icw1(s, v);
        } else if (v & 0x08) {          /* OCW3 */
            if (v & 0x04)
                s->poll = 1;
            if (v & 0x02)
                s->read_isr = v & 1;
            if (v & 0x40)
                s->special_mask = (v >> 5) & 1;
        } else {
            pic_ocw2(s, v);
        }
    } else {
        switch (s->init_step) {
        case 0: s->imr = v; break;
        case 1:
            s->base = v & 0xf8;
            s->init_step = s->single ? (s->need_icw4 ? 3 : 0) : 2;
            break;
        case 2: s->init_step = s->need_icw4 ? 3 : 0; break;
        case 3:
            s->auto_eoi = (v >> 1) & 1;
            s->sfnm = (v >> 4) & 1;
            s->init_step = 0;
            break;
        }
    }
    pic_update();
}

/* Poll mode: the read is the acknowledge; 0x80 | IR, or 0 when nothing. */
static uint8_t pic_poll_read(PICState *s, int is_master)
{
    s->poll = 0;
    int irq = pic_best(s, is_master);
    if (irq < 0)
        return 0;
    pic_ack(s, irq);
    pic_update();
    return (uint8_t)(0x80 | irq);
}

static uint8_t pic_read(PICState *s, int a0)
{
    if (s->poll)
        return pic_poll_read(s, s == &pic[0]);
    if (a0)
        return s->imr;
    return s->read_isr ? s->isr : s->irr;
}

static void pic_reset(void)
{
    memset(pic, 0, sizeof(pic));
    for (int i = 0; i < 2; i++)
        pic[i].lowest = 7;
    pic[0].elcr_mask = 0xf8;            /* IRQ 0-2 are always edge */
    pic[1].elcr_mask = 0xde;            /* and IRQ 8 and 13 */
}

/* An ISA interrupt line changed level (BQL held).  It goes to the 8259s
 * and to the IO-APIC, where ISA IRQ 0 arrives on pin 2 (the MP table's
 * override) and the others on their own pins. */
void irq_set(int irq, int level)
{
    if (irq < 0 || irq > 15 || irq == 2)
        return;
    if (level && !(pic[irq >> 3].lines >> (irq & 7) & 1))
        irq_raised[irq]++;
    pic_input(&pic[irq >> 3], irq & 7, level);
    pic_update();
    ioapic_set_irq(irq == 0 ? 2 : irq, level);
}

/* The monitor's info pic: each 8259's registers. */
void pic_dump(FILE *f)
{
    static const char *const name[2] = { "master", "slave" };
    for (int i = 0; i < 2; i++) {
        const PICState *s = &pic[i];
        fprintf(f, "pic %-6s irr=%02x isr=%02x imr=%02x base=%02x elcr=%02x lines=%02x%s%s%s\n",
                name[i], s->irr, s->isr, s->imr, s->base, s->elcr, s->lines,
                s->init_step ? " (initialising)" : "", s->auto_eoi ? " auto-eoi" : "",
                s->special_mask ? " special-mask" : "");
    }
}

/* The monitor's info irq: how often each ISA line rose since vm started. */
void irq_dump(FILE *f)
{
    fprintf(f, "IRQ  raised  (ISA lines: rising edges since vm started)\n");
    for (int i = 0; i < 16; i++)
        if (i != 2)
            fprintf(f, "%3d  %llu\n", i, (unsigned long long)irq_raised[i]);
}

/* ---- 8254 PIT (Intel 8254 datasheet) --------------------------------------------- */

#define PIT_HZ 1193182

typedef struct PITChannel {
    int mode, rw, bcd;
    uint32_t count;             /* the reload value, 1..0x10000 */
    int64_t start;              /* ns when counting (re)started */
    int started;                /* modes 1 and 5 wait for a gate trigger */
    int gate;
    int write_hi;               /* rw 3: next written byte is the MSB */
    uint8_t write_lsb;
    int read_hi;                /* rw 3: next read byte is the MSB */
    int latched;                /* bytes of latched count left (0, 1, 2) */
    uint16_t latch;
    int status_latched;
    uint8_t status;
    int null_count;             /* a count was written but not loaded yet */
} PITChannel;

static PITChannel pit[3];
static Timer *pit_timer;
static int64_t pit_next;        /* deadline of channel 0's next IRQ edge */

static int64_t pit_ticks(const PITChannel *c, int64_t now)
{
    if (!c->started || now < c->start)
        return 0;
    return (int64_t)((__int128)(now - c->start) * PIT_HZ / 1000000000);
}

static int64_t pit_tick_time(const PITChannel *c, int64_t ticks)
{
    return c->start + (int64_t)(((__int128)ticks * 1000000000 + PIT_HZ - 1) / PIT_HZ);
}

/* The counting element's value now (the datasheet's CE). */
static uint32_t pit_counter(const PITChannel *c, int64_t now)
{
    if (!c->started)
        return c->count & 0xffff;
    int64_t d = pit_ticks(c, now);
    switch (c->mode) {
    case 2: return (uint32_t)(c->count - d % c->count) & 0xffff;
    case 3: return (uint32_t)(c->count - (2 * d) % c->count) & 0xfffe;
    default: return (uint32_t)(c->count - d) & 0xffff;  /* wraps after terminal count */
    }
}

/* The OUT pin now. */
static int pit_out(const PITChannel *c, int64_t now)
{
    if (!c->started)
        return c->mode != 0;
    int64_t d = pit_ticks(c, now);
    switch (c->mode) {
    case 0: return d >= c->count;
    case 1: return d >= c->count;
    case 2: return d % c->count != c->count - 1;
    case 3: return d % c->count < (c->count + 1) / 2;
    default: return d != c->count;              /* modes 4, 5: a one-tick low strobe */
    }
}

static uint16_t to_bcd(uint32_t v)
{
    return (uint16_t)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

static uint32_t from_bcd(uint32_t v)
{
    return (v & 15) + (v >> 4 & 15) * 10 + (v >> 8 & 15) * 100 + (v >> 12 & 15) * 1000;
}

/* Channel 0 drives IRQ0.  The PIC and the IO-APIC see an edge at each
 * period (modes 2 and 3) or at terminal count (modes 0 and 4), so the host
 * timer fires once per guest interrupt, at the time of the rising edge;
 * edges that a late host timer missed are dropped, as a real PIC drops
 * edges that come while the request is still pending. */
#define PIT_MIN_PERIOD_NS 10000

static void pit_irq_schedule(int64_t now)
{
    PITChannel *c = &pit[0];
    timer_del(pit_timer);
    if (!c->started)
        return;
    int64_t d = pit_ticks(c, now), edge;
    if (c->mode == 2 || c->mode == 3) {
        edge = (d / c->count + 1) * c->count;
    } else if (c->mode == 0 || c->mode == 4) {
        if (d >= c->count)
            return;
        edge = c->count + (c->mode == 4);
    } else {
        return;
    }
    pit_next = pit_tick_time(c, edge);
    if (pit_next < now + PIT_MIN_PERIOD_NS)
        pit_next = now + PIT_MIN_PERIOD_NS;
    timer_mod(pit_timer, pit_next);
}

static void pit_timer_cb(void *opaque)
{
    (void)opaque;
    PITChannel *c = &pit[0];
    if (c->mode != 0)
        irq_set(0, 0);
    irq_set(0, 1);
    pit_irq_schedule(pit_next);
}

/* A new count was written: load it (modes 1 and 5 load at the next gate
 * trigger; a mode 2/3 rewrite while counting takes effect at once, which
 * the guests we know cannot tell from "at the end of the period"). */
static void pit_load(int ch, uint32_t value)
{
    PITChannel *c = &pit[ch];
    int64_t now = clock_ns();
    if (c->bcd)
        value = from_bcd(value);
    c->count = value ? value : (c->bcd ? 10000 : 0x10000);
    c->null_count = 0;
    if (c->mode == 1 || c->mode == 5) {
        c->started = 0;
    } else {
        c->start = now;
        c->started = 1;
    }
    if (ch == 0) {
        if (c->mode == 0)
            irq_set(0, 0);              /* OUT goes low until terminal count */
        pit_irq_schedule(now);
    }
}

static void pit_control(uint8_t v)
{
    int ch = v >> 6;
    int64_t now = clock_ns();
    if (ch == 3) {                      /* read-back */
        for (int i = 0; i < 3; i++) {
            if (!(v & (2 << i)))
                continue;
            PITChannel *c = &pit[i];
            if (!(v & 0x20) && !c->latched) {
                c->latch = pit_counter(c, now);
                c->latched = 2;
            }
            if (!(v & 0x10) && !c->status_latched) {
                c->status = (uint8_t)(pit_out(c, now) << 7 | c->null_count << 6 |
                                      c->rw << 4 | c->mode << 1 | c->bcd);
                c->status_latched = 1;
            }
        }
        return;
    }
    PITChannel *c = &pit[ch];
    int rw = (v >> 4) & 3;
    if (rw == 0) {                      /* counter latch */
        if (!c->latched) {
            c->latch = (uint16_t)pit_counter(c, now);
            c->latched = c->rw == 3 ? 2 : 1;
        }
        return;
    }
    c->rw = rw;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4;                   /* 6 and 7 are 2 and 3 */
    c->bcd = v & 1;
    c->write_hi = c->read_hi = 0;
    c->latched = c->status_latched = 0;
    c->started = 0;                     /* stopped until a count is written */
    c->null_count = 1;
    if (ch == 0) {
        irq_set(0, c->mode != 0);
        timer_del(pit_timer);
    }
}

static uint8_t pit_read_byte(PITChannel *c, uint16_t value, int *hi)
{
    if (c->rw == 1)
        return (uint8_t)value;
    if (c->rw == 2)
        return (uint8_t)(value >> 8);
    uint8_t b = (uint8_t)(*hi ? value >> 8 : value);
    *hi = !*hi;
    return b;
}

static uint8_t pit_read(int ch)
{
    PITChannel *c = &pit[ch];
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->latched) {
        int hi = c->rw == 3 ? c->latched == 1 : c->rw == 2;
        uint8_t b = (uint8_t)(hi ? c->latch >> 8 : c->latch);
        c->latched--;
        if (c->rw != 3)
            c->latched = 0;
        return b;
    }
    uint16_t v = (uint16_t)pit_counter(c, clock_ns());
    if (c->bcd)
        v = to_bcd(v);
    return pit_read_byte(c, v, &c->read_hi);
}

static void pit_write(int ch, uint8_t v)
{
    PITChannel *c = &pit[ch];
    switch (c->rw) {
    case 1: pit_load(ch, v); break;
    case 2: pit_load(ch, (uint32_t)v << 8); break;
    case 3:
        if (!c->write_hi) {
            c->write_lsb = v;
            c->write_hi = 1;
            if (c->mode == 0 && ch == 0) {   /* writing the LSB stops mode 0 */
                c->started = 0;
                timer_del(pit_timer);
            }
        } else {
            c->write_hi = 0;
            pit_load(ch, c->write_lsb | (uint32_t)v << 8);
        }
        break;
    }
}

/* The GATE input (only channel 2's is wired, to port 0x61 bit 0): a
 * rising edge triggers modes 1 and 5 and restarts modes 2 and 3. */
static void pit_set_gate(int ch, int gate)
{
    PITChannel *c = &pit[ch];
    if (gate && !c->gate && c->count) {
        if (c->mode == 1 || c->mode == 2 || c->mode == 3 || c->mode == 5) {
            c->start = clock_ns();
            c->started = 1;
        }
    }
    c->gate = gate;
}

static void pit_reset(void)
{
    memset(pit, 0, sizeof(pit));
    pit[0].gate = pit[1].gate = 1;
    if (pit_timer)
        timer_del(pit_timer);
}

/* ---- Port 0x61 (system control port B): speaker and channel 2 ---------------- */

static uint8_t port61;          /* bit 0 gate 2, bit 1 speaker data */

/* Bit 4 toggles with every DRAM refresh (every 15.09 us); BIOS delay loops count it. */
static uint8_t port61_read(void)
{
    int64_t now = clock_ns();
    int refresh = (int)((now / 15085) & 1);
    return (uint8_t)((port61 & 3) | refresh << 4 | pit_out(&pit[2], now) << 5);
}

static void port61_write(uint8_t v)
{
    port61 = v & 3;
    pit_set_gate(2, v & 1);
}

/* ---- i8042 keyboard controller and port 0x92 ------------------------------------- */

/* A PS/2 mouse that answers every command of the protocol but never moves
 * or clicks: enough for an OS's probe to find a "PS/2 Generic Mouse" (as on
 * a PC with one plugged in) instead of waiting for answers that never come. */
typedef struct MouseState {
    uint8_t pending;            /* 0xE8 or 0xF3: waiting for its data byte */
    uint8_t rate, resolution;
    uint8_t scaling21, reporting, remote, wrap;
    uint8_t last;               /* the last byte sent, for 0xFE (resend) */
} MouseState;

/* The controller with a keyboard that answers its commands and the mouse.
 * Output port bit 1 is the A20 gate, bit 0 the CPU reset line (active low). */
typedef struct KBDState {
    uint8_t queue[16];
    uint8_t aux[16];            /* per byte: 1 if it came from the aux port */
    int head, count;
    uint8_t cmd_byte;           /* bit 0 IRQ1, bit 1 IRQ12, bit 2 system flag, bit 4/5 disable */
    uint8_t pending;            /* controller command waiting for its data byte */
    uint8_t kbd_pending;        /* keyboard command waiting for its data byte */
    uint8_t outport;
    uint8_t status_cmd;         /* status bit 3: the last write was a command */
    MouseState mouse;
} KBDState;

static KBDState kbd;

static void kbd_update_irq(void)
{
    int aux = kbd.count && kbd.aux[kbd.head];
    irq_set(1, kbd.count && !aux && (kbd.cmd_byte & 1));
    irq_set(12, kbd.count && aux && (kbd.cmd_byte & 2));
}

static void kbd_queue(uint8_t b, int aux)
{
    if (kbd.count == 16)
        return;
    int i = (kbd.head + kbd.count++) & 15;
    kbd.queue[i] = b;
    kbd.aux[i] = (uint8_t)aux;
    kbd_update_irq();
}

static uint8_t port92;

/* The A20 gate is open when either the 8042 or port 0x92 opens it. */
static void a20_update(void)
{
    machine_set_a20(((kbd.outport | port92) >> 1) & 1);
}

static void kbd_set_outport(uint8_t v)
{
    kbd.outport = v;
    a20_update();
    if (!(v & 1))
        vm_request_reset();
}

/* A byte for the keyboard itself (port 0x60 with no controller command). */
static void kbd_device_write(uint8_t v)
{
    if (kbd.kbd_pending) {              /* the data byte of 0xED, 0xF0, 0xF3 */
        if (kbd.kbd_pending == 0xf0 && v == 0) {
            kbd_queue(0xfa, 0);         /* scan code set 2, 0x41 through translation */
            kbd_queue((kbd.cmd_byte & 0x40) ? 0x41 : 2, 0);
        } else {
            kbd_queue(0xfa, 0);
        }
        kbd.kbd_pending = 0;
        return;
    }
    switch (v) {
    case 0xff: kbd_queue(0xfa, 0); kbd_queue(0xaa, 0); break;     /* reset, BAT ok */
    case 0xf2:                          /* ID: 0x83 comes through translation as 0x41 */
        kbd_queue(0xfa, 0);
        kbd_queue(0xab, 0);
        kbd_queue((kbd.cmd_byte & 0x40) ? 0x41 : 0x83, 0);
        break;
    case 0xee: kbd_queue(0xee, 0); break;                          /* echo */
    case 0xed: case 0xf0: case 0xf3: kbd.kbd_pending = v; kbd_queue(0xfa, 0); break;
    default: kbd_queue(0xfa, 0); break;
    }
}

static void mouse_send(uint8_t b)
{
    kbd.mouse.last = b;
    kbd_queue(b, 1);
}

static void mouse_set_defaults(MouseState *m)
{
    m->rate = 100;
    m->resolution = 2;                          /* 4 counts/mm */
    m->scaling21 = m->reporting = 0;
}

/* The mouse's answer to a command byte (after the 0xFA acknowledge). */
static void mouse_command(MouseState *m, uint8_t v)
{
    if (v == 0xfe) {                            /* resend: no acknowledge */
        kbd_queue(m->last, 1);
        return;
    }
    if (m->wrap && v != 0xec && v != 0xff) {    /* wrap mode echoes */
        mouse_send(v);
        return;
    }
    if (v < 0xe6) {
        mouse_send(0xfe);                       /* not a command: NAK */
        return;
    }
    mouse_send(0xfa);
    switch (v) {
    case 0xff:
        mouse_set_defaults(m);
        m->remote = m->wrap = 0;
        mouse_send(0xaa);                       /* self-test passed */
        mouse_send(0x00);                       /* device ID */
        break;
    case 0xf6: mouse_set_defaults(m); break;
    case 0xf5: m->reporting = 0; break;
    case 0xf4: m->reporting = 1; break;
    case 0xf3: case 0xe8: m->pending = v; break;
    case 0xf2: mouse_send(0x00); break;         /* a standard PS/2 mouse */
    case 0xf0: m->remote = 1; break;
    case 0xee: m->wrap = 1; break;
    case 0xec: m->wrap = 0; break;
    case 0xeb: mouse_send(0x08); mouse_send(0); mouse_send(0); break;    /* no motion */
    case 0xea: m->remote = 0; break;
    case 0xe9:
        mouse_send((uint8_t)(m->remote << 6 | m->reporting << 5 | m->scaling21 << 4));
        mouse_send(m->resolution);
        mouse_send(m->rate);
        break;
    case 0xe7: m->scaling21 = 1; break;
    case 0xe6: m->scaling21 = 0; break;
    default: break;
    }
}

/* A byte for the mouse (controller command 0xD4, then port 0x60). */
static void mouse_write(uint8_t v)
{
    MouseState *m = &kbd.mouse;
    if (m->pending) {
        if (m->pending == 0xf3)
            m->rate = v;
        else
            m->resolution = v & 3;
        m->pending = 0;
        mouse_send(0xfa);
        return;
    }
    mouse_command(m, v);
}

static void kbd_command(uint8_t v)
{
    switch (v) {
    case 0x20: kbd_queue(kbd.cmd_byte, 0); break;
    case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4: kbd.pending = v; break;
    case 0xa7: kbd.cmd_byte |= 0x20; break;
    case 0xa8: kbd.cmd_byte &= ~0x20; break;
    case 0xa9: kbd_queue(0x00, 0); break;          /* aux interface test: ok */
    case 0xaa: kbd.cmd_byte |= 4; kbd_queue(0x55, 0); break;       /* self-test passed */
    case 0xab: kbd_queue(0x00, 0); break;          /* keyboard interface test: ok */
    case 0xad: kbd.cmd_byte |= 0x10; break;
    case 0xae: kbd.cmd_byte &= ~0x10; break;
    case 0xc0: kbd_queue(0x80, 0); break;          /* input port: keyboard not inhibited */
    case 0xd0: kbd_queue(kbd.outport, 0); break;
    case 0xdd: kbd_set_outport(kbd.outport & ~2); break;
    case 0xdf: kbd_set_outport(kbd.outport | 2); break;
    default:
        if (v >= 0xf0 && !(v & 1))                  /* pulse output bits: bit 0 resets */
            vm_request_reset();
        break;
    }
}

static void kbd_data(uint8_t v)
{
    uint8_t cmd = kbd.pending;
    kbd.pending = 0;
    switch (cmd) {
    case 0x60: kbd.cmd_byte = v; kbd_update_irq(); break;
    case 0xd1: kbd_set_outport(v); break;
    case 0xd2: kbd_queue(v, 0); break;
    case 0xd3: kbd_queue(v, 1); break;
    case 0xd4: mouse_write(v); break;
    default: kbd_device_write(v); break;
    }
}

static uint8_t kbd_read_data(void)
{
    if (!kbd.count)
        return kbd.queue[(kbd.head + 15) & 15];     /* the last byte again */
    uint8_t b = kbd.queue[kbd.head];
    kbd.head = (kbd.head + 1) & 15;
    kbd.count--;
    /* The line drops as the buffer empties and rises again when the next
     * byte moves in: a new edge for each byte, as edge-triggered inputs
     * (the IO-APIC's ISA pins) need to see. */
    irq_set(1, 0);
    irq_set(12, 0);
    kbd_update_irq();
    return b;
}

static uint8_t kbd_read_status(void)
{
    uint8_t st = (uint8_t)(0x10 | (kbd.cmd_byte & 4) | kbd.status_cmd);
    if (kbd.count)
        st |= kbd.aux[kbd.head] ? 0x21 : 0x01;
    return st;
}

static void kbd_reset(void)
{
    memset(&kbd, 0, sizeof(kbd));
    kbd.cmd_byte = 0x45;                            /* IRQ1, system flag, translation */
    kbd.outport = 0xcf;                             /* A20 on, not in reset */
    mouse_set_defaults(&kbd.mouse);
}

/* Port 0x92 (system control port A): bit 1 fast A20, bit 0 fast reset. */
static void port92_write(uint8_t v)
{
    uint8_t old = port92;
    port92 = v & 3;
    a20_update();
    if ((v & 1) && !(old & 1))
        vm_request_reset();
}

/* ---- MC146818 RTC and CMOS RAM (Motorola MC146818A datasheet) ---------------------- */

/* The clock is a count of nanoseconds since 1970 (UTC) that runs with
 * CLOCK_MONOTONIC: rtc time = clock_ns() + rtc.delta, with delta taken from
 * CLOCK_REALTIME at start.  The guest setting the clock moves delta by whole
 * seconds, so the divider's phase (and the periodic interrupt) carries on.
 * The time registers are computed from it when read, except while SET is on:
 * then they are plain bytes the guest writes, loaded into delta when SET
 * goes off.  Flags (PF, AF, UF) are brought up to date lazily, whenever the
 * guest looks at register C or a timer fires; timers run only for enabled
 * interrupts, and only while IRQF is clear (once it is set, nothing more
 * can reach the 8259 until register C is read). */

#define RTC_IRQ 8
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32

#define RTC_A_UIP   0x80        /* update in progress */
#define RTC_A_DV    0x70        /* divider: 010 = 32.768 kHz, running */
#define RTC_A_RATE  0x0f
#define RTC_B_SET   0x80
#define RTC_B_PIE   0x40
#define RTC_B_AIE   0x20
#define RTC_B_UIE   0x10
#define RTC_B_SQWE  0x08
#define RTC_B_DM    0x04        /* binary (not BCD) */
#define RTC_B_24H   0x02
#define RTC_C_IRQF  0x80
#define RTC_C_PF    0x40
#define RTC_C_AF    0x20
#define RTC_C_UF    0x10
#define RTC_D_VRT   0x80        /* the battery is fine */

#define NS_PER_SEC  1000000000LL
#define RTC_UIP_NS  244000      /* UIP rises 244 us before each update */
#define RTC_HZ      32768

typedef struct RTCState {
    uint8_t cmos[128];          /* NVRAM and registers A-D; time bytes only while SET */
    uint8_t index;              /* port 0x70 bits 0-6 */
    uint8_t nmi_masked;         /* port 0x70 bit 7 (there is no NMI source to mask) */
    int64_t delta;              /* rtc time = clock_ns() + delta, while running */
    int64_t stopped_at;         /* rtc time at which the divider was stopped */
    int64_t seen;               /* flags are up to date to this rtc time */
    Timer *periodic_timer, *update_timer;
} RTCState;

static RTCState rtc;

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static __int128 floor_div_128(__int128 a, __int128 b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int rtc_running(void)
{
    return (rtc.cmos[RTC_REG_A] & RTC_A_DV) == 0x20;
}

static int64_t rtc_now(void)
{
    return rtc_running() ? clock_ns() + rtc.delta : rtc.stopped_at;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A value in the data mode register B selects: BCD or binary. */
static uint8_t rtc_enc(int v)
{
    return (rtc.cmos[RTC_REG_B] & RTC_B_DM) ? (uint8_t)v : (uint8_t)to_bcd((uint32_t)v);
}

static int rtc_dec(uint8_t v)
{
    return (rtc.cmos[RTC_REG_B] & RTC_B_DM) ? v : (int)from_bcd(v);
}

/* Hours: 0-23, or 1-12 with bit 7 for PM in 12-hour mode. */
static uint8_t rtc_enc_hours(int h)
{
    if (rtc.cmos[RTC_REG_B] & RTC_B_24H)
        return rtc_enc(h);
    return (uint8_t)(rtc_enc(h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static int rtc_dec_hours(uint8_t v)
{
    if (rtc.cmos[RTC_REG_B] & RTC_B_24H)
        return rtc_dec(v);
    return rtc_dec(v & 0x7f) % 12 + ((v & 0x80) ? 12 : 0);
}

/* The time registers (0, 2, 4, 6-9 and the century) for second `secs`. */
static void rtc_time_to_regs(int64_t secs, uint8_t *r)
{
    int64_t days = floor_div(secs, 86400), sod = secs - days * 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    r[0] = rtc_enc((int)(sod % 60));
    r[2] = rtc_enc((int)(sod / 60 % 60));
    r[4] = rtc_enc_hours((int)(sod / 3600));
    r[6] = rtc_enc((int)(days + 4 - floor_div(days + 4, 7) * 7) + 1);   /* Sunday is 1 */
    r[7] = rtc_enc(d);
    r[8] = rtc_enc(m);
    r[9] = rtc_enc(y % 100);
    r[RTC_CENTURY] = rtc_enc(y / 100);
}

/* The second the time registers say (the day of the week is not needed). */
static int64_t rtc_regs_to_time(const uint8_t *r)
{
    int m = rtc_dec(r[8]), d = rtc_dec(r[7]);
    int64_t y = rtc_dec(r[RTC_CENTURY]) * 100 + rtc_dec(r[9]);
    m = m < 1 ? 1 : m > 12 ? 12 : m;
    int64_t days = days_from_civil(y, m, d < 1 ? 1 : d);
    return days * 86400 + rtc_dec_hours(r[4]) * 3600 + rtc_dec(r[2]) * 60 + rtc_dec(r[0]);
}

static int rtc_is_time_reg(int i)
{
    return i == 0 || i == 2 || i == 4 || (i >= 6 && i <= 9) || i == RTC_CENTURY;
}

/* Make the clock read `secs`, keeping the phase within the second. */
static void rtc_set_time(int64_t secs)
{
    int64_t now = rtc_now();
    int64_t shift = (secs - floor_div(now, NS_PER_SEC)) * NS_PER_SEC;
    rtc.delta += shift;
    rtc.stopped_at += shift;
    rtc.seen = now + shift;             /* a jump is not an update */
}

/* The periodic interrupt's period as a power of two of 32.768 kHz ticks:
 * rates 3-15 give 32768 >> (rate - 1) Hz, rates 1 and 2 give 256 and
 * 128 Hz (as rates 8 and 9), rate 0 is off (-1). */
static int rtc_period_shift(void)
{
    int rate = rtc.cmos[RTC_REG_A] & RTC_A_RATE;
    if (!rate)
        return -1;
    return rate <= 2 ? rate + 6 : rate - 1;
}

/* The number of periodic boundaries up to rtc time t. */
static int64_t rtc_periods(int64_t t, int shift)
{
    int64_t ticks = (int64_t)floor_div_128((__int128)t * RTC_HZ, NS_PER_SEC);
    return floor_div(ticks, (int64_t)1 << shift);
}

/* The rtc time of periodic boundary k (rounded up to a whole ns). */
static int64_t rtc_period_time(int64_t k, int shift)
{
    __int128 ticks = (__int128)k << shift;
    return (int64_t)-floor_div_128(-ticks * NS_PER_SEC, RTC_HZ);
}

/* Does second `secs` match the alarm?  A byte of 0xC0-0xFF matches any
 * value; the others compare as the time register would read. */
static int rtc_alarm_matches(int64_t secs)
{
    int64_t sod = secs - floor_div(secs, 86400) * 86400;
    uint8_t now[3] = { rtc_enc((int)(sod % 60)), rtc_enc((int)(sod / 60 % 60)),
                       rtc_enc_hours((int)(sod / 3600)) };
    for (int i = 0; i < 3; i++) {
        uint8_t alarm = rtc.cmos[1 + 2 * i];
        if ((alarm & 0xc0) != 0xc0 && alarm != now[i])
            return 0;
    }
    return 1;
}

/* Set the flags for what happened between rtc.seen and now: periodic
 * boundaries (PF), updates (UF, none while SET) and matching alarms (AF).
 * The chip sets them whether or not their interrupts are enabled. */
static void rtc_catch_up(void)
{
    int64_t from = rtc.seen, now = rtc_now();
    int shift = rtc_period_shift();
    rtc.seen = now;
    if (!rtc_running() || now <= from)
        return;
    if (shift >= 0 && rtc_periods(now, shift) > rtc_periods(from, shift))
        rtc.cmos[RTC_REG_C] |= RTC_C_PF;
    if (rtc.cmos[RTC_REG_B] & RTC_B_SET)
        return;
    int64_t s0 = floor_div(from, NS_PER_SEC), s1 = floor_div(now, NS_PER_SEC);
    if (s1 == s0)
        return;
    rtc.cmos[RTC_REG_C] |= RTC_C_UF;
    if (s1 - s0 > 86400)                /* a day covers every possible alarm */
        s0 = s1 - 86400;
    for (int64_t s = s0 + 1; s <= s1; s++) {
        if (rtc_alarm_matches(s)) {
            rtc.cmos[RTC_REG_C] |= RTC_C_AF;
            break;
        }
    }
}

/* IRQF = any flag whose interrupt is enabled; it is IRQ8's level. */
static void rtc_update_irq(void)
{
    uint8_t *c = &rtc.cmos[RTC_REG_C];
    int irqf = (*c & rtc.cmos[RTC_REG_B] & (RTC_C_PF | RTC_C_AF | RTC_C_UF)) != 0;
    *c = (uint8_t)((*c & ~RTC_C_IRQF) | (irqf ? RTC_C_IRQF : 0));
    irq_set(RTC_IRQ, irqf);
}

/* Arm a timer for the next event that could raise IRQF, if any. */
static void rtc_arm_timers(void)
{
    uint8_t b = rtc.cmos[RTC_REG_B];
    int shift = rtc_period_shift();
    timer_del(rtc.periodic_timer);
    timer_del(rtc.update_timer);
    if (!rtc_running() || (rtc.cmos[RTC_REG_C] & RTC_C_IRQF))
        return;
    int64_t now = rtc_now();
    if ((b & RTC_B_PIE) && shift >= 0)
        timer_mod(rtc.periodic_timer,
                  rtc_period_time(rtc_periods(now, shift) + 1, shift) - rtc.delta);
    if ((b & (RTC_B_UIE | RTC_B_AIE)) && !(b & RTC_B_SET))
        timer_mod(rtc.update_timer,
                  (floor_div(now, NS_PER_SEC) + 1) * NS_PER_SEC - rtc.delta);
}

/* Register state changed: flags up to date, IRQ8, timers. */
static void rtc_refresh(void)
{
    rtc_catch_up();
    rtc_update_irq();
    rtc_arm_timers();
}

static void rtc_timer_cb(void *opaque)
{
    (void)opaque;
    rtc_refresh();
}

/* UIP: set from 244 us before an update until the update (which takes no
 * time here), so a guest that waits for UIP to fall then has 999.756 ms
 * to read a consistent time. */
static uint8_t rtc_read_a(void)
{
    uint8_t a = rtc.cmos[RTC_REG_A] & (uint8_t)~RTC_A_UIP;
    if (rtc_running() && !(rtc.cmos[RTC_REG_B] & RTC_B_SET)) {
        int64_t now = rtc_now();
        if (now - floor_div(now, NS_PER_SEC) * NS_PER_SEC >= NS_PER_SEC - RTC_UIP_NS)
            a |= RTC_A_UIP;
    }
    return a;
}

/* Reading C returns the flags and clears them, which lowers IRQ8. */
static uint8_t rtc_read_c(void)
{
    rtc_catch_up();
    uint8_t c = rtc.cmos[RTC_REG_C];
    rtc.cmos[RTC_REG_C] = 0;
    rtc_update_irq();
    rtc_arm_timers();
    return c;
}

static uint8_t rtc_read(void)
{
    int i = rtc.index;
    if (rtc_is_time_reg(i) && !(rtc.cmos[RTC_REG_B] & RTC_B_SET)) {
        uint8_t r[128];
        rtc_time_to_regs(floor_div(rtc_now(), NS_PER_SEC), r);
        return r[i];
    }
    switch (i) {
    case RTC_REG_A: return rtc_read_a();
    case RTC_REG_C: return rtc_read_c();
    case RTC_REG_D: return RTC_D_VRT;
    default: return rtc.cmos[i];
    }
}

/* Register A: the divider and the rate.  Stopping the divider (DV other
 * than 010) freezes the clock; starting it again makes the first update
 * come half a second later, as the datasheet says. */
static void rtc_write_a(uint8_t v)
{
    rtc_catch_up();
    int was_running = rtc_running();
    if (was_running)
        rtc.stopped_at = rtc_now();
    rtc.cmos[RTC_REG_A] = v & (uint8_t)~RTC_A_UIP;
    if (rtc_running() && !was_running) {
        int64_t t = floor_div(rtc.stopped_at, NS_PER_SEC) * NS_PER_SEC + NS_PER_SEC / 2;
        rtc.delta = t - clock_ns();
        rtc.seen = t;
    }
    rtc_refresh();
}

/* Register B.  SET stops updates (and clears UIE): the time registers
 * become plain bytes holding the time of that moment; clearing SET starts
 * the clock from what they then hold. */
static void rtc_write_b(uint8_t v)
{
    uint8_t old = rtc.cmos[RTC_REG_B];
    rtc_catch_up();
    if (v & RTC_B_SET)
        v &= (uint8_t)~RTC_B_UIE;
    rtc.cmos[RTC_REG_B] = v;
    if ((v & RTC_B_SET) && !(old & RTC_B_SET)) {
        uint8_t r[128];
        rtc_time_to_regs(floor_div(rtc_now(), NS_PER_SEC), r);
        for (int i = 0; i < 128; i++)
            if (rtc_is_time_reg(i))
                rtc.cmos[i] = r[i];
    } else if (!(v & RTC_B_SET) && (old & RTC_B_SET)) {
        rtc_set_time(rtc_regs_to_time(rtc.cmos));
    }
    rtc_refresh();
}

/* A time register written while the clock runs: the clock jumps to the
 * time the registers now say. */
static void rtc_write_time(int i, uint8_t v)
{
    uint8_t r[128];
    rtc_time_to_regs(floor_div(rtc_now(), NS_PER_SEC), r);
    r[i] = v;
    rtc_set_time(rtc_regs_to_time(r));
    rtc_refresh();
}

static void rtc_write(uint8_t v)
{
    int i = rtc.index;
    if (rtc_is_time_reg(i) && !(rtc.cmos[RTC_REG_B] & RTC_B_SET)) {
        rtc_write_time(i, v);
        return;
    }
    switch (i) {
    case RTC_REG_A: rtc_write_a(v); break;
    case RTC_REG_B: rtc_write_b(v); break;
    case RTC_REG_C: case RTC_REG_D: break;          /* read-only */
    default:
        rtc.cmos[i] = v;
        if (i == 1 || i == 3 || i == 5)             /* an alarm byte */
            rtc_refresh();
        break;
    }
}

static void cmos_put16(int i, uint32_t v)
{
    rtc.cmos[i] = (uint8_t)v;
    rtc.cmos[i + 1] = (uint8_t)(v >> 8);
}

/* What a BIOS leaves in CMOS: the memory sizes (in KiB; above 16 MiB in
 * 64 KiB units), and the standard checksum of bytes 0x10-0x2D. */
static void cmos_init_nvram(uint32_t ram_size)
{
    uint32_t ext_kb = ram_size > 0x100000 ? (ram_size - 0x100000) >> 10 : 0;
    uint32_t high = ram_size > 0x1000000 ? (ram_size - 0x1000000) >> 16 : 0;
    cmos_put16(0x15, 640);
    cmos_put16(0x17, ext_kb > 0xffff ? 0xffff : ext_kb);
    cmos_put16(0x30, ext_kb > 0xffff ? 0xffff : ext_kb);
    cmos_put16(0x34, high > 0xffff ? 0xffff : high);
    uint32_t sum = 0;
    for (int i = 0x10; i <= 0x2d; i++)
        sum += rtc.cmos[i];
    rtc.cmos[0x2e] = (uint8_t)(sum >> 8);
    rtc.cmos[0x2f] = (uint8_t)sum;
}

/* Power on: the host's time of day, 32.768 kHz divider, 1024 Hz rate,
 * BCD, 24-hour mode. */
static void rtc_init(Machine *m)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    memset(&rtc, 0, sizeof(rtc));
    rtc.delta = (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec - clock_ns();
    rtc.cmos[RTC_REG_A] = 0x26;
    rtc.cmos[RTC_REG_B] = RTC_B_24H;
    rtc.seen = rtc_now();
    cmos_init_nvram(m->ram_size);
    rtc.periodic_timer = timer_new(rtc_timer_cb, NULL);
    rtc.update_timer = timer_new(rtc_timer_cb, NULL);
}

/* The RESET pin: interrupts off, flags clear; time, A and NVRAM stay. */
static void rtc_reset(void)
{
    rtc.cmos[RTC_REG_B] &= (uint8_t)~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
    rtc.cmos[RTC_REG_C] = 0;
    rtc.seen = rtc_now();
    rtc.index = 0;
    rtc_arm_timers();                   /* IRQ8 is low: the 8259s and IO-APIC reset too */
}

/* ---- Port dispatch ----------------------------------------------------------- */

/* Every device back to its power-on state (BQL held): at start and on a
 * machine reset. */
void devices_reset(void)
{
    uart_reset(&com1);
    rtc_reset();
    pic_reset();
    pit_reset();
    kbd_reset();
    ata_reset();
    port61 = 0;
    port92 = 0;
}

void devices_init(Machine *m)
{
    pit_timer = timer_new(pit_timer_cb, NULL);
    com1.timeout_timer = timer_new(uart_timeout_cb, &com1);
    rtc_init(m);
    con_init();
    ata_init();
    devices_reset();
}

static uint8_t port_read8(uint32_t port)
{
    if (port >= UART_BASE && port < UART_BASE + 8)
        return uart_read(&com1, (int)(port - UART_BASE));
    switch (port) {
    case 0x20: case 0x21: return pic_read(&pic[0], port & 1);
    case 0xa0: case 0xa1: return pic_read(&pic[1], port & 1);
    case 0x4d0: case 0x4d1: return pic[port & 1].elcr;
    case 0x40: case 0x41: case 0x42: return pit_read((int)(port - 0x40));
    case 0x43: return 0xff;                     /* the control word is write-only */
    case 0x60: return kbd_read_data();
    case 0x64: return kbd_read_status();
    case 0x61: return port61_read();
    case 0x92: return port92;
    case 0x70: return 0xff;                     /* the index is write-only */
    case 0x71: return rtc_read();
    case 0xe9: return 0xe9;
    case 0x1f0: case 0x1f1: case 0x1f2: case 0x1f3:
    case 0x1f4: case 0x1f5: case 0x1f6: case 0x1f7: case 0x3f6:
        return ata_read(port);
    }
    return 0xff;
}

static void port_write8(uint32_t port, uint8_t v)
{
    if (port >= UART_BASE && port < UART_BASE + 8) {
        uart_write(&com1, (int)(port - UART_BASE), v);
        return;
    }
    switch (port) {
    case 0x20: case 0x21: pic_write(&pic[0], port & 1, v); break;
    case 0xa0: case 0xa1: pic_write(&pic[1], port & 1, v); break;
    case 0x4d0: case 0x4d1:
        pic[port & 1].elcr = v & pic[port & 1].elcr_mask;
        pic_update();
        break;
    case 0x40: case 0x41: case 0x42: pit_write((int)(port - 0x40), v); break;
    case 0x43: pit_control(v); break;
    case 0x60: kbd.status_cmd = 0; kbd_data(v); break;
    case 0x64: kbd.status_cmd = 8; kbd_command(v); break;
    case 0x61: port61_write(v); break;
    case 0x92: port92_write(v); break;
    case 0x70: rtc.index = v & 0x7f; rtc.nmi_masked = v >> 7; break;
    case 0x71: rtc_write(v); break;
    case 0xe9: console_putc(v); break;
    case 0x1f0: case 0x1f1: case 0x1f2: case 0x1f3:
    case 0x1f4: case 0x1f5: case 0x1f6: case 0x1f7: case 0x3f6:
        ata_write(port, v);
        break;
    case 0xf0: fpu_ferr_clear(); break;         /* clear the FPU error: IRQ13 off, IGNNE# on */
    case 0x80:
        if (log_mask & LOG_IOPORT)
            log_printf("POST code 0x%02x\n", v);
        break;
    default:
        if (log_mask & LOG_IOPORT)
            log_printf("write to unassigned port 0x%04x: 0x%02x\n", port, v);
    }
}

/* Read `size` bytes from port: wider accesses to byte devices are split
 * into consecutive byte ports, as on the ISA bus; the ATA data port moves
 * 16 or 32 bits in one access. */
uint32_t ioport_read(uint32_t port, int size)
{
    if (port == ATA_PORT_DATA)
        return ata_data_read(size);
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
    if (port == ATA_PORT_DATA) {
        ata_data_write(value, size);
        return;
    }
    for (int i = 0; i < size; i++)
        port_write8((port + (uint32_t)i) & 0xffff, (uint8_t)(value >> (8 * i)));
}
