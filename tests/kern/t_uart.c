/* t_uart: the 16550A UART on COM1 (0x3F8, IRQ4), in loopback mode.
 *
 * Checks (National PC16550D datasheet):
 *  - scratch register and divisor latch read back; IER keeps 4 bits;
 *  - IIR with FIFOs on reads 0xC1 (FIFOs enabled, nothing pending);
 *  - loopback: bytes written come back in order through the FIFO; 16 fill
 *    it, a 17th overruns (LSR.OE, read once), the FIFO keeps the first 16;
 *  - MSR in loopback reflects MCR (CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2)
 *    with delta bits (TERI on RI's falling edge), cleared by reading MSR;
 *  - IIR priorities: line status over received data over THRE over modem
 *    status; reading LSR, RBR, IIR and MSR clears each in turn;
 *  - the trigger level: at level 4 the data interrupt waits for 4 bytes
 *    (below it, the character timeout comes instead);
 *  - through the 8259 on IRQ4: received-data, timeout and THRE interrupts
 *    arrive on vector base + 4; setting IER.ETBEI with THR empty raises
 *    THRE; MCR.OUT2 gates the line. */
#include "klib.h"

#define COM 0x3f8

/* klib's output goes through COM1, which loopback turns back into our own
 * receiver: failures are noted and reported once loopback is off. */
static struct { const char *what; int line; uint32_t got, want; } failed[32];
static int nfailed;
static void note(const char *what, int line, uint32_t got, uint32_t want)
{
    if (nfailed < 32) {
        failed[nfailed].what = what; failed[nfailed].line = line;
        failed[nfailed].got = got; failed[nfailed].want = want;
    }
    nfailed++;
}
#undef CHECK_EQ
#undef CHECK
#define CHECK_EQ(got, want, what) do { uint32_t g_ = (uint32_t)(got), w_ = (uint32_t)(want); \
    if (g_ != w_) note((what), __LINE__, g_, w_); } while (0)
#define CHECK(cond, what) do { if (!(cond)) note((what), __LINE__, 0, 1); } while (0)

static void report(void)
{
    for (int i = 0; i < nfailed && i < 32; i++)
        kfail(__FILE__, failed[i].line, failed[i].what, failed[i].got, failed[i].want);
}
#define VEC_MASTER 0x20

static volatile uint32_t irq4_count;
static volatile uint8_t last_iir;
static volatile int isr_mode;           /* 0: just note IIR; 1: drain RBR */
static volatile uint8_t drained[32];
static volatile uint32_t ndrained;
static volatile uint32_t spurious;

void uart_isr_c(void);
void uart_isr_c(void)
{
    irq4_count++;
    last_iir = inb(COM + 2);
    if (isr_mode == 1)
        while (inb(COM + 5) & 1)
            drained[ndrained++ & 31] = inb(COM);
    outb(0x20, 0x20);
}

void spur_c(void);
void spur_c(void) { spurious++; }

__asm__(".globl uart_isr\nuart_isr:\n\tpusha\n\tcall uart_isr_c\n\tpopa\n\tiret\n"
        ".globl spur_isr\nspur_isr:\n\tpusha\n\tcall spur_c\n\tpopa\n\tiret\n");
void uart_isr(void);
void spur_isr(void);

static void setup_interrupts(void)
{
    for (int v = VEC_MASTER; v < VEC_MASTER + 16; v++)
        kset_intr_gate(v, spur_isr);
    kset_intr_gate(VEC_MASTER + 4, uart_isr);
    kload_idt();
    outb(0x20, 0x11); outb(0x21, VEC_MASTER); outb(0x21, 4); outb(0x21, 1);
    outb(0xa0, 0x11); outb(0xa1, VEC_MASTER + 8); outb(0xa1, 2); outb(0xa1, 1);
    outb(0x21, 0xef);                   /* IRQ4 only */
    outb(0xa1, 0xff);
}

static void drain(void)
{
    while (inb(COM + 5) & 1)
        inb(COM);
    inb(COM + 5);
    inb(COM + 6);
}

static void test_registers(void)
{
    outb(COM + 7, 0x5a);
    CHECK_EQ(inb(COM + 7), 0x5a, "scratch register");
    outb(COM + 3, 0x80);                /* DLAB */
    outb(COM + 0, 0x01); outb(COM + 1, 0x00);   /* 115200 baud */
    CHECK_EQ(inb(COM + 0) | inb(COM + 1) << 8, 1, "divisor latch reads back");
    outb(COM + 0, 0x0c);
    CHECK_EQ(inb(COM + 0), 0x0c, "divisor latch low byte");
    outb(COM + 0, 96);                  /* 1200 baud: the character timeout (4 */
    outb(COM + 3, 0x03);                /* characters) is 33 ms; 8N1, DLAB off */
    CHECK_EQ(inb(COM + 3), 0x03, "LCR reads back");
    outb(COM + 1, 0xff);
    CHECK_EQ(inb(COM + 1), 0x0f, "IER keeps 4 bits");
    outb(COM + 1, 0x00);
    outb(COM + 2, 0x07);                /* FIFOs on and cleared, trigger 1 */
    CHECK_EQ(inb(COM + 2), 0xc1, "IIR: FIFOs enabled, no interrupt");
    CHECK_EQ(inb(COM + 5) & 0x61, 0x60, "LSR: THRE and TEMT, no data");
}

static void test_loopback_fifo(void)
{
    outb(COM + 4, 0x10);                /* loopback, OUT2 off */
    drain();
    static const char msg[] = "loopback!";
    for (int i = 0; msg[i]; i++)
        outb(COM, (uint8_t)msg[i]);
    int ok = 1;
    for (int i = 0; msg[i]; i++) {
        if (!(inb(COM + 5) & 1) || inb(COM) != (uint8_t)msg[i])
            ok = 0;
    }
    CHECK(ok, "loopback bytes come back in order");
    CHECK_EQ(inb(COM + 5) & 1, 0, "and then the FIFO is empty");

    for (int i = 0; i < 17; i++)
        outb(COM, (uint8_t)(0x40 + i));
    uint8_t lsr = inb(COM + 5);
    CHECK_EQ(lsr & 3, 3, "17 bytes: data ready and overrun");
    CHECK_EQ(inb(COM + 5) & 2, 0, "reading LSR cleared OE");
    int n = 0;
    ok = 1;
    while (inb(COM + 5) & 1) {
        if (inb(COM) != (uint8_t)(0x40 + n))
            ok = 0;
        n++;
    }
    CHECK_EQ(n, 16, "the FIFO holds 16 bytes");
    CHECK(ok, "the first 16 bytes are kept, the 17th is lost");
}

static void test_msr(void)
{
    outb(COM + 4, 0x10);
    inb(COM + 6);
    outb(COM + 4, 0x10 | 0x02);         /* RTS */
    CHECK_EQ(inb(COM + 6), 0x10 | 0x01, "RTS -> CTS, DCTS");
    CHECK_EQ(inb(COM + 6), 0x10, "reading MSR cleared the delta");
    outb(COM + 4, 0x10 | 0x01 | 0x04 | 0x08);   /* DTR OUT1 OUT2 */
    CHECK_EQ(inb(COM + 6), 0x20 | 0x40 | 0x80 | 0x01 | 0x02 | 0x08,
             "DTR -> DSR, OUT1 -> RI, OUT2 -> DCD, with deltas");
    outb(COM + 4, 0x10);
    CHECK_EQ(inb(COM + 6), 0x02 | 0x04 | 0x08, "all off: DDSR, TERI (RI fell), DDCD");
}

static void test_iir_priorities(void)
{
    outb(COM + 4, 0x10);                /* loopback, no IRQ */
    outb(COM + 2, 0x07);
    drain();
    outb(COM + 1, 0x0f);                /* every interrupt */
    /* THRE is pending (ETBEI just set, THR empty); add modem status,
     * received data and an overrun. */
    outb(COM + 4, 0x10 | 0x02);         /* DCTS */
    for (int i = 0; i < 17; i++)
        outb(COM, (uint8_t)i);
    CHECK_EQ(inb(COM + 2), 0xc6, "line status (overrun) first");
    inb(COM + 5);
    CHECK_EQ(inb(COM + 2), 0xc4, "then received data");
    while (inb(COM + 5) & 1)
        inb(COM);
    CHECK_EQ(inb(COM + 2), 0xc2, "then THRE");
    CHECK_EQ(inb(COM + 2), 0xc0, "reading IIR cleared THRE: then modem status");
    inb(COM + 6);
    CHECK_EQ(inb(COM + 2), 0xc1, "reading MSR cleared it: nothing left");
    outb(COM + 1, 0x02);                /* ETBEI already on: no new THRE */
    CHECK_EQ(inb(COM + 2), 0xc1, "rewriting IER with ETBEI set raises nothing");
    outb(COM + 1, 0x00);
    outb(COM + 1, 0x02);
    CHECK_EQ(inb(COM + 2), 0xc2, "setting ETBEI with THR empty raises THRE");
    outb(COM, 0x55);                    /* writing THR: empty again at once */
    CHECK_EQ(inb(COM + 2), 0xc2, "THR empties again after a write");
    outb(COM + 1, 0x00);
    drain();
}

static void test_trigger_level(void)
{
    outb(COM + 4, 0x10);
    outb(COM + 2, 0x47);                /* FIFOs on, cleared, trigger 4 */
    drain();
    outb(COM + 1, 0x01);
    outb(COM, 'a'); outb(COM, 'b'); outb(COM, 'c');
    CHECK_EQ(inb(COM + 2), 0xc1, "3 bytes: below trigger level 4");
    outb(COM, 'd');
    CHECK_EQ(inb(COM + 2), 0xc4, "4 bytes: received data available");
    inb(COM);
    CHECK_EQ(inb(COM + 2), 0xc1, "back to 3: no interrupt yet");
    uint64_t t0 = rdtsc();
    uint8_t iir;
    while ((iir = inb(COM + 2)) == 0xc1 && rdtsc() - t0 < 1000000000ull)
        ;
    uint64_t dt = rdtsc() - t0;
    CHECK_EQ(iir, 0xcc, "character timeout with data below the trigger");
    CHECK(dt > 30000000ull, "after 4 character times (33 ms at 1200 baud 8N1)");
    inb(COM);
    CHECK_EQ(inb(COM + 2), 0xc1, "reading RBR ended the timeout");
    outb(COM + 1, 0x00);
    drain();
}

static void test_irq(void)
{
    outb(COM + 2, 0x87);                /* trigger 8 */
    outb(COM + 4, 0x10);                /* loopback, OUT2 off: no IRQ */
    drain();
    outb(COM + 1, 0x01);
    irq4_count = 0;
    for (int i = 0; i < 8; i++)
        outb(COM, (uint8_t)('0' + i));
    __asm__ volatile("sti; nop; nop; cli");
    CHECK_EQ(irq4_count, 0, "OUT2 off: IRQ4 stays quiet");
    isr_mode = 1;
    ndrained = 0;
    outb(COM + 4, 0x10 | 0x08);         /* OUT2 on: the pending request goes out */
    __asm__ volatile("sti; nop; nop; cli");
    CHECK_EQ(irq4_count, 1, "OUT2 on: the data interrupt arrives on IRQ4");
    CHECK_EQ(last_iir, 0xc4, "IIR in the handler: received data");
    CHECK_EQ(ndrained, 8, "the handler read 8 bytes");
    CHECK_EQ(drained[0] | drained[7] << 8, '0' | '7' << 8, "in order");

    /* Below the trigger level, the timeout brings the interrupt. */
    irq4_count = 0;
    ndrained = 0;
    outb(COM, 'x'); outb(COM, 'y');
    __asm__ volatile("sti; nop; nop; cli");
    CHECK_EQ(irq4_count, 0, "2 bytes, trigger 8: no interrupt yet");
    uint64_t t0 = rdtsc();
    while (!irq4_count && rdtsc() - t0 < 1000000000ull)
        __asm__ volatile("sti; nop; cli");
    CHECK_EQ(irq4_count, 1, "the character timeout interrupts");
    CHECK_EQ(last_iir, 0xcc, "IIR: character timeout");
    CHECK_EQ(ndrained, 2, "and the handler got both bytes");

    /* THRE through the 8259. */
    isr_mode = 0;
    irq4_count = 0;
    outb(COM + 1, 0x02);
    __asm__ volatile("sti; nop; nop; cli");
    CHECK_EQ(irq4_count, 1, "setting ETBEI interrupts on IRQ4");
    CHECK_EQ(last_iir, 0xc2, "IIR: THRE (and reading it cleared it)");
    __asm__ volatile("sti; nop; nop; cli");
    CHECK_EQ(irq4_count, 1, "no second THRE interrupt");
    outb(COM, 'z');                     /* each byte sent: a new THRE interrupt */
    __asm__ volatile("sti; nop; nop; cli");
    CHECK_EQ(irq4_count, 2, "a THR write gives a new THRE interrupt");
    outb(COM + 1, 0x00);
    outb(COM + 4, 0x00);                /* loopback off */
    drain();
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    setup_interrupts();
    test_registers();
    test_loopback_fifo();
    test_msr();
    test_iir_priorities();
    test_trigger_level();
    test_irq();
    outb(COM + 2, 0x00);                /* FIFOs off again for klib's output */
    CHECK_EQ(spurious, 0, "no other interrupts");
    report();
    return kdone("t_uart");
}
