/* t_i8042: the keyboard controller as Linux's i8042 and atkbd/psmouse
 * drivers probe it (drivers/input/serio/i8042.c: i8042_controller_check,
 * _selftest, _init, i8042_check_aux; atkbd_probe; psmouse_probe), step by
 * step, with every answer checked:
 *  - flush: the output buffer empties; self-test 0xAA answers 0x55;
 *  - the command byte reads (0x20) and writes (0x60) back;
 *  - AUX loopback (0xD3) comes back with the AUXDATA status bit, and
 *    raises IRQ12 only when the command byte enables it; 0xA7/0xA8 toggle
 *    the AUX-disable bit; interface tests 0xA9/0xAB pass;
 *  - the keyboard: GET ID gives ACK, 0xAB, 0x41 (0x83 translated) on IRQ1; set LEDs,
 *    typematic, scan-code set query, enable, reset (ACK, BAT 0xAA), echo;
 *  - the mouse (0xD4): reset gives ACK, 0xAA, 0x00; GET ID 0x00; the
 *    status request reports what set-rate/set-resolution/scaling set;
 *    a non-command byte is NAKed (0xFE, as the PS/2 mouse protocol says;
 *    QEMU's mouse ignores it); wrap mode echoes;
 *  - output port (0xD0/0xD1) keeps the A20 bit. */
#include "klib.h"

#define ST_OBF 0x01
#define ST_IBF 0x02
#define ST_AUX 0x20

static int wait_read(void)
{
    for (int i = 0; i < 100000; i++)
        if (inb(0x64) & ST_OBF)
            return 1;
    return 0;
}

/* Read one byte the controller has queued, or 0x100 | status when none. */
static uint32_t read_byte(uint8_t *status)
{
    if (!wait_read())
        return 0x100 | inb(0x64);
    *status = inb(0x64);
    return inb(0x60);
}

static uint32_t read_plain(void)
{
    uint8_t st;
    return read_byte(&st);
}

static void ctl_command(uint8_t cmd)
{
    while (inb(0x64) & ST_IBF)
        ;
    outb(0x64, cmd);
}

static void ctl_data(uint8_t v)
{
    while (inb(0x64) & ST_IBF)
        ;
    outb(0x60, v);
}

static void mouse_cmd(uint8_t v)
{
    ctl_command(0xd4);
    ctl_data(v);
}

/* Expect the next byte to be `want`, from the aux port when `aux`. */
static void expect(uint32_t want, int aux, const char *what)
{
    uint8_t st = 0;
    uint32_t got = read_byte(&st);
    CHECK_EQ(got, want, what);
    if (got < 0x100)
        CHECK_EQ((st & ST_AUX) != 0, aux, "AUXDATA bit says where the byte came from");
}

/* The slave 8259's IRR bit for IRQ12 (level-triggered in the ELCR, so it
 * shows the line as it is now) / the master's for IRQ1 (always edge-
 * triggered: a latched edge, cleared by drain_irq1). */
static int irr_bit(int irq)
{
    uint16_t port = irq < 8 ? 0x20 : 0xa0;
    outb(port, 0x0a);                   /* OCW3: read IRR */
    return (inb(port) >> (irq & 7)) & 1;
}

static void pic_init_masked(void)
{
    outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0xa0, 0x11); outb(0xa1, 0x28); outb(0xa1, 0x02); outb(0xa1, 0x01);
    outb(0x21, 0xff); outb(0xa1, 0xff);
    outb(0x4d1, 0x10);
}

/* Acknowledge latched IRQ1 edges with poll commands (OCW3 poll: the next
 * read is the interrupt acknowledge), so IRR bit 1 shows only new ones. */
static void drain_irq1(void)
{
    outb(0x21, 0xfd);
    for (int i = 0; i < 8; i++) {
        outb(0x20, 0x0c);
        if (!(inb(0x20) & 0x80))
            break;
        outb(0x20, 0x20);
    }
    outb(0x21, 0xff);
}

static void controller_probe(void)
{
    int n = 0;
    while ((inb(0x64) & ST_OBF) && n < 16) {    /* i8042_flush */
        inb(0x60);
        n++;
    }
    CHECK(n < 16, "the output buffer can be flushed");
    CHECK_EQ(inb(0x64) & ST_OBF, 0, "flushed");
    ctl_command(0xaa);
    expect(0x55, 0, "controller self-test passes");
    ctl_command(0x20);
    uint32_t ctr = read_plain();
    CHECK(ctr < 0x100, "the command byte reads");
    CHECK(inb(0x64) & 0x04, "status: system flag set after self-test");
    ctl_command(0x60);
    ctl_data(0x74);                     /* both ports disabled, no IRQs, translation */
    ctl_command(0x20);
    expect(0x74, 0, "the command byte reads back what was written");
    ctl_command(0xab);
    expect(0x00, 0, "keyboard interface test passes");
    ctl_command(0xa9);
    expect(0x00, 0, "aux interface test passes");
}

static void aux_probe(void)
{
    ctl_command(0xd3);
    ctl_data(0x5a);
    expect(0x5a, 1, "AUX loopback returns the byte as aux data");
    CHECK_EQ(irr_bit(12), 0, "no IRQ12 while the command byte disables it");
    ctl_command(0xa7);
    ctl_command(0x20);
    expect(0x74 | 0x20, 0, "0xA7 sets the AUX-disable bit");
    ctl_command(0xa8);
    ctl_command(0x20);
    expect(0x74 & ~0x20, 0, "0xA8 clears it");
    ctl_command(0x60);
    ctl_data(0x47 & ~0x01);             /* IRQ12 on, IRQ1 off, ports on */
    drain_irq1();
    ctl_command(0xd3);
    ctl_data(0xa5);
    for (int i = 0; i < 1000 && !irr_bit(12); i++)
        ;
    CHECK_EQ(irr_bit(12), 1, "AUX loopback raises IRQ12 when enabled");
    CHECK_EQ(irr_bit(1), 0, "and not IRQ1");
    expect(0xa5, 1, "the looped-back byte");
}

static void keyboard_probe(void)
{
    ctl_command(0x60);
    ctl_data(0x47);                     /* IRQ1 and IRQ12 on */
    drain_irq1();
    CHECK_EQ(irr_bit(1), 0, "IRQ1 edges drained");
    ctl_data(0xf2);
    for (int i = 0; i < 1000 && !irr_bit(1); i++)
        ;
    CHECK_EQ(irr_bit(1), 1, "the keyboard's answer raises IRQ1");
    CHECK_EQ(irr_bit(12), 0, "and not IRQ12");
    expect(0xfa, 0, "GET ID: ACK");
    expect(0xab, 0, "GET ID: first byte");
    expect(0x41, 0, "GET ID: second byte, 0x83 translated (command byte bit 6)");
    ctl_data(0xed); expect(0xfa, 0, "set LEDs: ACK");
    ctl_data(0x02); expect(0xfa, 0, "LED byte: ACK");
    ctl_data(0xf3); expect(0xfa, 0, "typematic: ACK");
    ctl_data(0x20); expect(0xfa, 0, "typematic byte: ACK");
    ctl_data(0xf0); expect(0xfa, 0, "scan-code set: ACK");
    ctl_data(0x00); expect(0xfa, 0, "query: ACK");
    expect(0x41, 0, "scan-code set 2 (0x02, translated)");
    ctl_data(0xf4); expect(0xfa, 0, "enable: ACK");
    ctl_data(0xee); expect(0xee, 0, "echo");
    ctl_data(0xff); expect(0xfa, 0, "reset: ACK");
    expect(0xaa, 0, "reset: BAT passed");
}

static void mouse_probe(void)
{
    mouse_cmd(0xff);
    expect(0xfa, 1, "mouse reset: ACK");
    expect(0xaa, 1, "mouse reset: self-test passed");
    expect(0x00, 1, "mouse reset: device ID");
    mouse_cmd(0xf2);
    expect(0xfa, 1, "mouse GET ID: ACK");
    expect(0x00, 1, "a standard PS/2 mouse");
    mouse_cmd(0xf3); expect(0xfa, 1, "set rate: ACK");
    mouse_cmd(40);   expect(0xfa, 1, "rate byte: ACK");
    mouse_cmd(0xe8); expect(0xfa, 1, "set resolution: ACK");
    mouse_cmd(3);    expect(0xfa, 1, "resolution byte: ACK");
    mouse_cmd(0xe7); expect(0xfa, 1, "scaling 2:1: ACK");
    mouse_cmd(0xf4); expect(0xfa, 1, "enable reporting: ACK");
    mouse_cmd(0xe9);
    expect(0xfa, 1, "status request: ACK");
    expect(0x30, 1, "status: reporting on, scaling 2:1, stream mode, no buttons");
    expect(3, 1, "status: resolution");
    expect(40, 1, "status: sample rate");
    mouse_cmd(0xf6); expect(0xfa, 1, "defaults: ACK");
    mouse_cmd(0xe9);
    expect(0xfa, 1, "status request: ACK");
    expect(0x00, 1, "defaults: reporting off, 1:1");
    expect(2, 1, "defaults: resolution 4 counts/mm");
    expect(100, 1, "defaults: 100 samples/s");
    mouse_cmd(0x42); expect(0xfe, 1, "not a command: NAK");
    mouse_cmd(0xee); expect(0xfa, 1, "wrap mode: ACK");
    mouse_cmd(0x42); expect(0x42, 1, "wrap mode echoes");
    mouse_cmd(0xec); expect(0xfa, 1, "wrap mode off: ACK");
    CHECK_EQ(inb(0x64) & ST_OBF, 0, "nothing more queued");
}

static void output_port(void)
{
    ctl_command(0xd0);
    uint32_t op = read_plain();
    CHECK(op < 0x100 && (op & 3) == 3, "output port: A20 on, not in reset");
    ctl_command(0xd1);
    ctl_data((uint8_t)op);
    ctl_command(0xd0);
    expect(op, 0, "output port reads back");
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    pic_init_masked();
    controller_probe();
    aux_probe();
    keyboard_probe();
    mouse_probe();
    output_port();
    return kdone("t_i8042");
}
