/*
 * devices.c - the PC's devices on the ISA bus, reached through port I/O:
 *   0x20/0xA0, 0x4D0  8259A PIC pair (master, slave on IR2) and the ELCR
 *   0x40-0x43         8254 PIT; channel 0 on IRQ0, channel 2 gated by 0x61
 *   0x61              system control port B: PIT channel 2 gate and output
 *   0x60/0x64         i8042 keyboard controller (A20 and reset lines)
 *   0x92              system control port A: fast A20 and reset
 *   COM1 0x3F8-0x3FF  16550 UART registers; THR bytes go to stdout, LSR always
 *                     says "transmitter empty and idle" (input, FIFOs and
 *                     interrupts are still to come)
 *   0xE9              debug console (Bochs/QEMU): bytes to stdout; reads 0xE9
 *   0xF4              debug exit (QEMU's isa-debug-exit): exit status (v << 1) | 1
 *   0x80              POST code: ignored, shown with -d ioport
 * Every other port reads all-ones and ignores writes.  ISA interrupt lines
 * go through irq_set() to both the 8259s and the IO-APIC (apic.c).
 *
 * Time: the PIT counts CLOCK_MONOTONIC at 1.193182 MHz, so it agrees with
 * the TSC and the APIC timer; its IRQ0 edges come from a main-loop timer.
 *
 * Threads and locks: all device state is guarded by the BQL.  Port
 * accesses come from vCPU threads, which take the BQL around them
 * (cpu.c port_read/port_write); timer callbacks run on the main loop
 * thread, which holds the BQL while it runs them.
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
    pic_input(&pic[irq >> 3], irq & 7, level);
    pic_update();
    ioapic_set_irq(irq == 0 ? 2 : irq, level);
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

/* The controller with a keyboard that answers its commands and no mouse.
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
            kbd_queue(0xfa, 0);
            kbd_queue(2, 0);            /* scan code set 2 */
        } else {
            kbd_queue(0xfa, 0);
        }
        kbd.kbd_pending = 0;
        return;
    }
    switch (v) {
    case 0xff: kbd_queue(0xfa, 0); kbd_queue(0xaa, 0); break;     /* reset, BAT ok */
    case 0xf2: kbd_queue(0xfa, 0); kbd_queue(0xab, 0); kbd_queue(0x83, 0); break;
    case 0xee: kbd_queue(0xee, 0); break;                          /* echo */
    case 0xed: case 0xf0: case 0xf3: kbd.kbd_pending = v; kbd_queue(0xfa, 0); break;
    default: kbd_queue(0xfa, 0); break;
    }
}

static void kbd_command(uint8_t v)
{
    switch (v) {
    case 0x20: kbd_queue(kbd.cmd_byte, 0); break;
    case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4: kbd.pending = v; break;
    case 0xa7: kbd.cmd_byte |= 0x20; break;
    case 0xa8: kbd.cmd_byte &= ~0x20; break;
    case 0xa9: kbd_queue(0xff, 0); break;          /* aux interface test: no mouse (clock stuck low) */
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
    case 0xd4: break;                               /* to the mouse: there is none */
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

/* ---- Port dispatch ----------------------------------------------------------- */

/* Every device back to its power-on state (BQL held): at start and on a
 * machine reset. */
void devices_reset(void)
{
    memset(&com1, 0, sizeof(com1));
    pic_reset();
    pit_reset();
    kbd_reset();
    port61 = 0;
    port92 = 0;
}

void devices_init(Machine *m)
{
    (void)m;
    pit_timer = timer_new(pit_timer_cb, NULL);
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
    case 0xe9: return 0xe9;
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
    case 0xe9: console_putc(v); break;
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
