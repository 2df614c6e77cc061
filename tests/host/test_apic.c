/*
 * test_apic.c - host unit test of apic.c: the local APICs and the IO-APIC.
 *
 * Linked with apic.c and bql.c only.  The main loop's clock and timers are
 * replaced by a fake clock that the test advances by hand (timers fire in
 * deadline order as it passes them), and cpu_apic_changed by a counter, so
 * every check is exact and the run takes milliseconds.  The last test runs
 * two "vCPU" threads and a "main loop" thread against each other under the
 * BQL, for ThreadSanitizer.
 *
 *   make tests/host/test_apic && tests/host/test_apic
 * Exit status 0 and "test_apic: N checks passed" on success.
 */
#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm.h"


#define ALL_KINDS (APIC_INT_FIXED | APIC_INT_EXTINT | APIC_INT_NMI | APIC_INT_INIT | APIC_INT_SIPI)
#define NCPU 4

/* Register offsets, written out here so the test does not share apic.c's
 * constants. */
enum {
    ID = 0x20, VER = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xa0, EOI = 0xb0, LDR = 0xd0,
    DFR = 0xe0, SVR = 0xf0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280,
    ICR_LO = 0x300, ICR_HI = 0x310, LVT_TIMER = 0x320, LVT_THERMAL = 0x330,
    LVT_PERF = 0x340, LVT_LINT0 = 0x350, LVT_LINT1 = 0x360, LVT_ERROR = 0x370,
    TIMER_INIT = 0x380, TIMER_CUR = 0x390, TIMER_DIV = 0x3e0,
};
#define MASKED   0x10000u
#define PERIODIC 0x20000u
#define DEADLINE 0x40000u
/* ICR low: delivery modes, destination mode, shorthands */
#define IPI_FIXED   0x000u
#define IPI_LOWEST  0x100u
#define IPI_NMI     0x400u
#define IPI_INIT    0x500u
#define IPI_SIPI    0x600u
#define IPI_LOGICAL 0x800u
#define IPI_ASSERT  0x4000u
#define IPI_LEVELTRIG 0x8000u
#define IPI_SELF    (1u << 18)
#define IPI_ALL     (2u << 18)
#define IPI_OTHERS  (3u << 18)

/* ---- stubs for loop.c and cpu.c ---------------------------------------- */

struct Timer {
    void (*cb)(void *opaque);
    void *opaque;
    int64_t deadline;
    int armed;
};

static int64_t fake_now = 1000000000;       /* BQL */
static Timer *timers[APIC_MAX_CPUS];        /* BQL */
static int ntimers;
static int timer_fires;                     /* timer callbacks run, BQL */
static int changed[APIC_MAX_CPUS];          /* cpu_apic_changed calls, BQL */

int64_t clock_ns(void)
{
    assert(bql_locked());
    return fake_now;
}

Timer *timer_new(void (*cb)(void *opaque), void *opaque)
{
    Timer *t = calloc(1, sizeof *t);

    assert(t && ntimers < APIC_MAX_CPUS);
    t->cb = cb;
    t->opaque = opaque;
    timers[ntimers++] = t;
    return t;
}

void timer_mod(Timer *t, int64_t deadline_ns)
{
    assert(bql_locked());
    t->deadline = deadline_ns;
    t->armed = 1;
}

void timer_del(Timer *t)
{
    assert(bql_locked());
    t->armed = 0;
}

void cpu_apic_changed(int cpu_index)
{
    assert(bql_locked());
    assert(cpu_index >= 0 && cpu_index < APIC_MAX_CPUS);
    changed[cpu_index]++;
}

static int map_updates;                     /* memory_map_update calls, BQL */

void memory_map_update(void)
{
    assert(bql_locked());
    map_updates++;
}

/* Move the fake clock forward by ns, firing every timer whose deadline it
 * passes, earliest first, with the clock at that deadline.  BQL held. */
static void advance(int64_t ns)
{
    int64_t end = fake_now + ns;

    for (;;) {
        Timer *first = NULL;
        int i;
        for (i = 0; i < ntimers; i++)
            if (timers[i]->armed && timers[i]->deadline <= end &&
                (!first || timers[i]->deadline < first->deadline))
                first = timers[i];
        if (!first)
            break;
        if (first->deadline > fake_now)
            fake_now = first->deadline;
        first->armed = 0;
        timer_fires++;
        first->cb(first->opaque);
    }
    fake_now = end;
}

/* ---- checking ------------------------------------------------------------ */

static int checks, failures;

#define CHECK(cond) check((cond) != 0, __LINE__, #cond)
#define CHECK_EQ(a, b) check_eq((uint64_t)(a), (uint64_t)(b), __LINE__, #a " == " #b)

static void check(int ok, int line, const char *what)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "test_apic.c:%d: check failed: %s\n", line, what);
    }
}

static void check_eq(uint64_t a, uint64_t b, int line, const char *what)
{
    checks++;
    if (a != b) {
        failures++;
        fprintf(stderr, "test_apic.c:%d: check failed: %s (0x%" PRIx64 " != 0x%" PRIx64 ")\n",
                line, what, a, b);
    }
}

/* ---- helpers ------------------------------------------------------------- */

static uint32_t rd(int cpu, uint32_t off) { return apic_mmio_read(cpu, off); }
static void wr(int cpu, uint32_t off, uint32_t v) { apic_mmio_write(cpu, off, v); }

static uint32_t io_rd(uint32_t reg)
{
    ioapic_mmio_write(0x00, reg);
    return ioapic_mmio_read(0x10);
}

static void io_wr(uint32_t reg, uint32_t v)
{
    ioapic_mmio_write(0x00, reg);
    ioapic_mmio_write(0x10, v);
}

/* Program IO-APIC pin's redirection entry. */
static void io_route(int pin, uint32_t low, uint32_t dest)
{
    io_wr(0x11 + 2 * pin, dest << 24);
    io_wr(0x10 + 2 * pin, low);
}

static int irr_has(int cpu, int v) { return (rd(cpu, IRR + (v >> 5) * 0x10) >> (v & 31)) & 1; }
static int isr_has(int cpu, int v) { return (rd(cpu, ISR + (v >> 5) * 0x10) >> (v & 31)) & 1; }
static int tmr_has(int cpu, int v) { return (rd(cpu, TMR + (v >> 5) * 0x10) >> (v & 31)) & 1; }

/* Send an IPI from cpu: ICR high (destination) then low. */
static void ipi(int cpu, uint32_t dest, uint32_t low)
{
    wr(cpu, ICR_HI, dest << 24);
    wr(cpu, ICR_LO, low | IPI_ASSERT);
}

/* Take one interrupt of the given kinds; returns the vector, -1 if none. */
static int take(int cpu, int accept, int *kind)
{
    int k, v = apic_acknowledge(cpu, accept, &k);

    if (kind)
        *kind = k;
    return v;
}

/* Take the pending fixed vector of cpu (or -1) and, if one came, EOI it. */
static int take_eoi(int cpu)
{
    int kind, v = take(cpu, APIC_INT_FIXED, &kind);

    if (v >= 0)
        wr(cpu, EOI, 0);
    return v;
}

/* Every APIC and the IO-APIC at power-up; then, when enable, each APIC
 * software-enabled with spurious vector 0xFF. */
static void fresh(int enable)
{
    int i;

    ioapic_init();
    for (i = 0; i < NCPU; i++) {
        apic_reset(i);
        apic_set_lint0(i, 0);
        apic_set_lint1(i, 0);
        if (enable)
            wr(i, SVR, 0x1ff);
        changed[i] = 0;
    }
}

/* ---- local APIC registers ------------------------------------------------ */

static void test_reset_values(void)
{
    int i, r;

    fresh(0);
    for (i = 0; i < NCPU; i++) {
        CHECK_EQ(rd(i, ID), (uint32_t)i << 24);
        CHECK_EQ(rd(i, VER), 0x00050014);       /* integrated xAPIC, 6 LVT entries */
        CHECK_EQ(rd(i, TPR), 0);
        CHECK_EQ(rd(i, APR), 0);
        CHECK_EQ(rd(i, PPR), 0);
        CHECK_EQ(rd(i, LDR), 0);
        CHECK_EQ(rd(i, DFR), 0xffffffff);
        CHECK_EQ(rd(i, SVR), 0xff);
        for (r = 0; r < 8; r++) {
            CHECK_EQ(rd(i, ISR + r * 0x10), 0);
            CHECK_EQ(rd(i, TMR + r * 0x10), 0);
            CHECK_EQ(rd(i, IRR + r * 0x10), 0);
        }
        CHECK_EQ(rd(i, ESR), 0);
        CHECK_EQ(rd(i, ICR_LO), 0);
        CHECK_EQ(rd(i, ICR_HI), 0);
        CHECK_EQ(rd(i, LVT_TIMER), MASKED);
        CHECK_EQ(rd(i, LVT_THERMAL), MASKED);
        CHECK_EQ(rd(i, LVT_PERF), MASKED);
        /* the BSP starts in virtual-wire mode: LINT0 = ExtINT, unmasked */
        CHECK_EQ(rd(i, LVT_LINT0), i == 0 ? 0x700 : MASKED);
        CHECK_EQ(rd(i, LVT_LINT1), MASKED);
        CHECK_EQ(rd(i, LVT_ERROR), MASKED);
        CHECK_EQ(rd(i, TIMER_INIT), 0);
        CHECK_EQ(rd(i, TIMER_CUR), 0);
        CHECK_EQ(rd(i, TIMER_DIV), 0);
        CHECK_EQ(apic_get_base(i), 0xfee00800u | (i == 0 ? 0x100 : 0));
        CHECK_EQ(apic_interrupt_pending(i), 0);
        CHECK(apic_of(i) != NULL);
    }
    CHECK(apic_of(NCPU) == NULL);
    CHECK(apic_of(-1) == NULL);
}

static void test_write_masks(void)
{
    static const struct { uint32_t off, value, expect; } rows[] = {
        { ID,          0xffffffff, 0xff000000 },
        { TPR,         0xffffffff, 0x000000ff },
        { LDR,         0xffffffff, 0xff000000 },
        { DFR,         0x00000000, 0x0fffffff },    /* bits 27:0 read as ones */
        { DFR,         0xffffffff, 0xffffffff },
        { SVR,         0xffffffff, 0x000003ff },    /* vector, enable, focus */
        { LVT_TIMER,   0xffffffff, 0x000700ff },    /* mode bits 18:17, TSC-deadline too */
        { LVT_THERMAL, 0xffffffff, 0x000107ff },
        { LVT_PERF,    0xffffffff, 0x000107ff },
        { LVT_LINT0,   0xffffffff, 0x0001a7ff },    /* remote IRR, status read-only */
        { LVT_LINT1,   0xffffffff, 0x0001a7ff },
        { LVT_ERROR,   0xffffffff, 0x000100ff },
        { ICR_HI,      0xffffffff, 0xff000000 },
        { TIMER_DIV,   0xffffffff, 0x0000000b },
        { TIMER_INIT,  0xffffffff, 0xffffffff },
        { VER,         0x12345678, 0x00050014 },    /* read-only */
        { PPR,         0x12345678, 0x000000ff },    /* read-only: follows TPR = 0xff */
        { ISR,         0xffffffff, 0x00000000 },
        { IRR + 0x70,  0xffffffff, 0x00000000 },
        { TMR + 0x30,  0xffffffff, 0x00000000 },
    };
    unsigned i;

    fresh(1);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        wr(1, rows[i].off, rows[i].value);
        checks++;
        if (rd(1, rows[i].off) != rows[i].expect) {
            failures++;
            fprintf(stderr, "test_apic.c: register 0x%03x: wrote 0x%08x, read 0x%08x, want 0x%08x\n",
                    rows[i].off, rows[i].value, rd(1, rows[i].off), rows[i].expect);
        }
    }

    /* ESR: errors show only after a write, which also clears them. */
    fresh(1);
    CHECK_EQ(rd(2, 0x2f0), 0);          /* LVT CMCI: not implemented, reserved */
    CHECK_EQ(rd(2, ESR), 0);
    wr(2, ESR, 0);
    CHECK_EQ(rd(2, ESR), 0x80);         /* illegal register address */
    wr(2, ESR, 0);
    CHECK_EQ(rd(2, ESR), 0);
    wr(2, 0x3f0, 1);                    /* reserved: write also logs */
    wr(2, ESR, 0);
    CHECK_EQ(rd(2, ESR), 0x80);
    /* the error interrupt, when its LVT entry is unmasked */
    wr(2, LVT_ERROR, 0xfe);
    rd(2, 0x040);
    CHECK(irr_has(2, 0xfe));
    CHECK_EQ(take_eoi(2), 0xfe);
    wr(2, ESR, 0);
    CHECK_EQ(rd(2, ESR), 0x80);
    /* the upper dwords of a 16-byte slot are not registers (and log nothing) */
    wr(2, TPR, 0x20);
    wr(2, TPR + 4, 0x30);
    CHECK_EQ(rd(2, TPR + 4), 0);
    CHECK_EQ(rd(2, TPR), 0x20);
    wr(2, ESR, 0);
    CHECK_EQ(rd(2, ESR), 0);
}

/* ---- priorities, acknowledge, EOI ----------------------------------------- */

static void test_priority(void)
{
    int kind;

    fresh(1);
    ipi(0, 0, IPI_SELF | 0x45);
    CHECK(irr_has(0, 0x45));
    CHECK_EQ(apic_interrupt_pending(0), APIC_INT_FIXED);
    CHECK_EQ(rd(0, APR), 0x40);         /* the IRR's class */

    wr(0, TPR, 0x50);                   /* class 5 masks class 4 */
    CHECK_EQ(rd(0, PPR), 0x50);
    CHECK_EQ(rd(0, APR), 0x50);
    CHECK_EQ(apic_interrupt_pending(0), 0);
    wr(0, TPR, 0x40);                   /* equal class still masks */
    CHECK_EQ(apic_interrupt_pending(0), 0);
    wr(0, TPR, 0x3f);
    CHECK_EQ(apic_interrupt_pending(0), APIC_INT_FIXED);
    CHECK(changed[0] > 0);

    /* acknowledge: IRR -> ISR, the PPR rises to the ISR's class */
    CHECK_EQ(take(0, ALL_KINDS, &kind), 0x45);
    CHECK_EQ(kind, APIC_INT_FIXED);
    CHECK(!irr_has(0, 0x45));
    CHECK(isr_has(0, 0x45));
    CHECK_EQ(rd(0, PPR), 0x40);
    CHECK_EQ(take(0, ALL_KINDS, &kind), -1);
    CHECK_EQ(kind, 0);

    /* the same class waits; a higher class nests */
    ipi(0, 0, IPI_SELF | 0x41);
    CHECK_EQ(apic_interrupt_pending(0), 0);
    ipi(0, 0, IPI_SELF | 0x61);
    CHECK_EQ(apic_interrupt_pending(0), APIC_INT_FIXED);
    CHECK_EQ(take(0, APIC_INT_FIXED, &kind), 0x61);
    CHECK(isr_has(0, 0x45) && isr_has(0, 0x61));
    CHECK_EQ(rd(0, PPR), 0x60);

    /* EOI retires the highest in-service vector */
    wr(0, EOI, 0);
    CHECK(!isr_has(0, 0x61));
    CHECK(isr_has(0, 0x45));
    CHECK_EQ(rd(0, PPR), 0x40);
    CHECK_EQ(apic_interrupt_pending(0), 0);     /* 0x41 still below */
    wr(0, EOI, 0);
    CHECK(!isr_has(0, 0x45));
    CHECK_EQ(rd(0, PPR), 0x3f);
    CHECK_EQ(apic_interrupt_pending(0), APIC_INT_FIXED);
    CHECK_EQ(take_eoi(0), 0x41);
    CHECK_EQ(rd(0, PPR), 0x3f);
    wr(0, EOI, 0);                      /* nothing in service: harmless */

    /* the highest of several pending comes first */
    wr(0, TPR, 0);
    ipi(0, 0, IPI_SELF | 0x30);
    ipi(0, 0, IPI_SELF | 0xe0);
    ipi(0, 0, IPI_SELF | 0x90);
    CHECK_EQ(take_eoi(0), 0xe0);
    CHECK_EQ(take_eoi(0), 0x90);
    CHECK_EQ(take_eoi(0), 0x30);
    CHECK_EQ(take_eoi(0), -1);

    /* an interrupt both pending and in service: two per vector */
    ipi(0, 0, IPI_SELF | 0x70);
    CHECK_EQ(take(0, APIC_INT_FIXED, NULL), 0x70);
    ipi(0, 0, IPI_SELF | 0x70);
    ipi(0, 0, IPI_SELF | 0x70);         /* collapses into the one IRR bit */
    CHECK(irr_has(0, 0x70) && isr_has(0, 0x70));
    CHECK_EQ(apic_interrupt_pending(0), 0);
    wr(0, EOI, 0);
    CHECK_EQ(take_eoi(0), 0x70);
    CHECK_EQ(take_eoi(0), -1);
}

static void test_svr(void)
{
    int kind;

    fresh(0);
    /* software-disabled: fixed interrupts are dropped, LVTs stay masked */
    ipi(1, 0, IPI_SELF | 0x50);
    CHECK(!irr_has(1, 0x50));
    wr(1, LVT_TIMER, 0x40);
    CHECK_EQ(rd(1, LVT_TIMER), MASKED | 0x40);
    /* ... but NMI, INIT and SIPI get through */
    ipi(0, 1, IPI_NMI);
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_NMI);
    CHECK_EQ(take(1, ALL_KINDS, &kind), 2);
    CHECK_EQ(kind, APIC_INT_NMI);

    /* enabling keeps the masks; disabling sets them all */
    wr(1, SVR, 0x1ff);
    CHECK_EQ(rd(1, LVT_TIMER), MASKED | 0x40);
    wr(1, LVT_TIMER, 0x40);
    wr(1, LVT_LINT1, 0x400);
    CHECK_EQ(rd(1, LVT_TIMER), 0x40);
    ipi(1, 0, IPI_SELF | 0x50);
    CHECK(irr_has(1, 0x50));
    wr(1, SVR, 0x0ff);
    CHECK_EQ(rd(1, LVT_TIMER), MASKED | 0x40);
    CHECK_EQ(rd(1, LVT_LINT1), MASKED | 0x400);
    CHECK(irr_has(1, 0x50));            /* the IRR is kept ... */
    CHECK_EQ(apic_interrupt_pending(1), 0);     /* ... but not delivered */
    wr(1, SVR, 0x1ff);
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_FIXED);

    /* the spurious vector: an interrupt masked between INTR and INTA */
    wr(1, SVR, 0x1e7);
    CHECK_EQ(rd(1, SVR), 0x1e7);
    wr(1, TPR, 0x80);                   /* the handler raised TPR meanwhile */
    CHECK_EQ(take(1, APIC_INT_FIXED, &kind), 0xe7);
    CHECK_EQ(kind, APIC_INT_FIXED);
    CHECK(irr_has(1, 0x50));            /* still pending, */
    CHECK_EQ(rd(1, ISR + 0x70), 0);     /* no ISR bit for the spurious vector */
    CHECK_EQ(rd(1, ISR + 0x20), 0);
    wr(1, TPR, 0);
    CHECK_EQ(take_eoi(1), 0x50);
    CHECK_EQ(take(1, APIC_INT_FIXED, &kind), -1);   /* nothing at all: no spurious */

    /* illegal vectors (0-15) */
    ipi(1, 0, IPI_SELF | 0x05);
    wr(1, ESR, 0);
    CHECK_EQ(rd(1, ESR), 0x20);         /* send illegal vector */
    CHECK_EQ(rd(1, IRR), 0);
    wr(1, LVT_TIMER, 0x03);             /* a timer with an illegal vector */
    wr(1, TIMER_DIV, 0xb);
    wr(1, TIMER_INIT, 10);
    advance(10);
    wr(1, ESR, 0);
    CHECK_EQ(rd(1, ESR), 0x40);         /* receive illegal vector */
    CHECK_EQ(rd(1, IRR), 0);
}

/* ---- LVT: LINT0, LINT1 ---------------------------------------------------- */

static void test_lint(void)
{
    int kind;

    fresh(1);
    /* masked edge: nothing; unmasked: the rising edge delivers */
    wr(1, LVT_LINT0, MASKED | 0x50);
    apic_set_lint0(1, 1);
    CHECK(!irr_has(1, 0x50));
    apic_set_lint0(1, 0);
    wr(1, LVT_LINT0, 0x50);
    apic_set_lint0(1, 1);
    CHECK(irr_has(1, 0x50));
    CHECK(!tmr_has(1, 0x50));
    CHECK_EQ(take_eoi(1), 0x50);
    apic_set_lint0(1, 1);               /* still high: no new edge */
    CHECK(!irr_has(1, 0x50));
    apic_set_lint0(1, 0);

    /* level-triggered fixed: remote IRR until EOI, again while asserted */
    wr(1, LVT_LINT0, 0x8000 | 0x51);
    apic_set_lint0(1, 1);
    CHECK(irr_has(1, 0x51) && tmr_has(1, 0x51));
    CHECK(rd(1, LVT_LINT0) & 0x4000);
    CHECK_EQ(take(1, APIC_INT_FIXED, NULL), 0x51);
    apic_set_lint0(1, 1);
    CHECK(!irr_has(1, 0x51));           /* remote IRR holds it */
    wr(1, EOI, 0);
    CHECK(irr_has(1, 0x51));            /* re-raised: line still high */
    CHECK(rd(1, LVT_LINT0) & 0x4000);
    CHECK_EQ(take(1, APIC_INT_FIXED, NULL), 0x51);
    apic_set_lint0(1, 0);
    wr(1, EOI, 0);
    CHECK(!irr_has(1, 0x51));
    CHECK_EQ(rd(1, LVT_LINT0) & 0x4000, 0);

    /* LINT1 as NMI: edge-triggered */
    wr(1, LVT_LINT1, 0x400);
    apic_set_lint1(1, 1);
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_NMI);
    CHECK_EQ(take(1, ALL_KINDS, &kind), 2);
    CHECK_EQ(kind, APIC_INT_NMI);
    apic_set_lint1(1, 1);
    CHECK_EQ(apic_interrupt_pending(1), 0);
    apic_set_lint1(1, 0);
}

static void test_extint(void)
{
    int kind;

    fresh(0);
    /* BSP at reset: the 8259's INTR reaches the CPU through LINT0 */
    CHECK_EQ(apic_interrupt_pending(0), 0);
    apic_set_lint0(0, 1);
    CHECK(changed[0] > 0);
    CHECK_EQ(apic_interrupt_pending(0), APIC_INT_EXTINT);
    CHECK_EQ(take(0, APIC_INT_NMI, &kind), -1);     /* IF = 0: not taken */
    CHECK_EQ(take(0, ALL_KINDS, &kind), 0);
    CHECK_EQ(kind, APIC_INT_EXTINT);
    CHECK_EQ(apic_interrupt_pending(0), APIC_INT_EXTINT);  /* follows the line */
    apic_set_lint0(0, 0);               /* the PIC's INTA lowered INTR */
    CHECK_EQ(apic_interrupt_pending(0), 0);

    /* an AP's LINT0 is masked at reset */
    apic_set_lint0(1, 1);
    CHECK_EQ(apic_interrupt_pending(1), 0);
    apic_set_lint0(1, 0);

    /* the OS programs virtual wire explicitly */
    wr(0, SVR, 0x1ff);
    wr(0, LVT_LINT0, MASKED | 0x700);
    apic_set_lint0(0, 1);
    CHECK_EQ(apic_interrupt_pending(0), 0);
    wr(0, LVT_LINT0, 0x700);
    CHECK_EQ(apic_interrupt_pending(0), APIC_INT_EXTINT);
    /* a fixed interrupt above PPR comes before ExtINT */
    ipi(0, 0, IPI_SELF | 0x80);
    CHECK_EQ(apic_interrupt_pending(0), APIC_INT_FIXED | APIC_INT_EXTINT);
    CHECK_EQ(take(0, ALL_KINDS, &kind), 0x80);
    CHECK_EQ(kind, APIC_INT_FIXED);
    CHECK_EQ(take(0, ALL_KINDS, &kind), 0);
    CHECK_EQ(kind, APIC_INT_EXTINT);
    wr(0, EOI, 0);
    apic_set_lint0(0, 0);

    /* an APIC disabled in the MSR is not there: LINT0 is INTR, LINT1 NMI */
    int updates = map_updates;
    apic_set_base(1, 0xfee00000);
    CHECK_EQ(map_updates, updates + 1);     /* its page left the memory map */
    CHECK_EQ(apic_get_base(1), 0xfee00000);
    CHECK_EQ(rd(1, SVR), 0xffffffff);  /* the page is gone */
    apic_set_lint0(1, 1);
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_EXTINT);
    apic_set_lint1(1, 1);
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_EXTINT | APIC_INT_NMI);
    apic_set_lint0(1, 0);
    apic_set_lint1(1, 0);
    CHECK_EQ(take(1, ALL_KINDS, &kind), 2);
    ipi(0, 1, IPI_FIXED | 0x40);        /* it takes no messages */
    ipi(0, 1, IPI_NMI);
    CHECK_EQ(apic_interrupt_pending(1), 0);
    /* re-enabled, it is in its power-up state */
    apic_set_base(1, 0xfee00800 | 0x100);   /* the BSP flag is read-only */
    CHECK_EQ(apic_get_base(1), 0xfee00800);
    CHECK_EQ(rd(1, SVR), 0xff);
    CHECK_EQ(rd(1, ID), 1u << 24);
    ipi(0, 1, IPI_NMI);
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_NMI);
    CHECK_EQ(map_updates, updates + 2);
    apic_set_base(0, 0xfee00800);
    CHECK_EQ(apic_get_base(0), 0xfee00900);
    CHECK_EQ(map_updates, updates + 2);     /* nothing moved */
}

/* ---- timer ---------------------------------------------------------------- */

static void test_timer_oneshot(void)
{
    static const struct { uint32_t conf, divide; } divs[] = {
        { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
        { 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
    };
    unsigned i;

    for (i = 0; i < sizeof divs / sizeof divs[0]; i++) {
        uint32_t d = divs[i].divide;
        fresh(1);
        wr(2, LVT_TIMER, 0xd0);
        wr(2, TIMER_DIV, divs[i].conf);
        wr(2, TIMER_INIT, 1000);
        CHECK_EQ(rd(2, TIMER_CUR), 1000);
        advance(250 * d);                       /* 1 GHz / divide */
        CHECK_EQ(rd(2, TIMER_CUR), 750);
        advance(d - 1);
        CHECK_EQ(rd(2, TIMER_CUR), 750);        /* not a whole tick yet */
        advance(1);
        CHECK_EQ(rd(2, TIMER_CUR), 749);
        CHECK(!irr_has(2, 0xd0));
        advance(749 * d - 1);
        CHECK_EQ(rd(2, TIMER_CUR), 1);
        CHECK(!irr_has(2, 0xd0));
        advance(1);                             /* reaches 0: the interrupt */
        CHECK_EQ(rd(2, TIMER_CUR), 0);
        CHECK(irr_has(2, 0xd0));
        CHECK_EQ(apic_interrupt_pending(2), APIC_INT_FIXED);
        CHECK_EQ(take_eoi(2), 0xd0);
        advance(100000 * d);                    /* one-shot: once only */
        CHECK_EQ(rd(2, TIMER_CUR), 0);
        CHECK(!irr_has(2, 0xd0));
        CHECK_EQ(rd(2, TIMER_INIT), 1000);
    }

    /* a new initial count restarts it; 0 stops it */
    fresh(1);
    wr(2, LVT_TIMER, 0xd0);
    wr(2, TIMER_DIV, 0xb);
    wr(2, TIMER_INIT, 1000);
    advance(900);
    wr(2, TIMER_INIT, 1000);
    advance(900);
    CHECK(!irr_has(2, 0xd0));
    CHECK_EQ(rd(2, TIMER_CUR), 100);
    wr(2, TIMER_INIT, 0);
    advance(10000);
    CHECK(!irr_has(2, 0xd0));
    CHECK_EQ(rd(2, TIMER_CUR), 0);

    /* masked: counts down, no interrupt, none when unmasked afterwards */
    wr(2, LVT_TIMER, MASKED | 0xd0);
    wr(2, TIMER_INIT, 1000);
    advance(500);
    CHECK_EQ(rd(2, TIMER_CUR), 500);
    advance(600);
    CHECK_EQ(rd(2, TIMER_CUR), 0);
    wr(2, LVT_TIMER, 0xd0);
    advance(10000);
    CHECK(!irr_has(2, 0xd0));

    /* a divide change keeps the current count */
    wr(2, TIMER_INIT, 1000);
    advance(400);
    wr(2, TIMER_DIV, 0x3);                      /* now 16 ns per tick */
    CHECK_EQ(rd(2, TIMER_CUR), 600);
    advance(16 * 100);
    CHECK_EQ(rd(2, TIMER_CUR), 500);
    advance(16 * 500);
    CHECK(irr_has(2, 0xd0));
}

/* TSC-deadline mode (SDM 10.5.4.1), the TSC being the fake clock here:
 * IA32_TSC_DEADLINE arms the timer for an instant, fires once and reads 0
 * after; 0 disarms; a past deadline fires at once; outside the mode the
 * MSR is ignored; a mode change disarms; masked, it disarms silently. */
static void deadline(int cpu, int64_t at) { apic_set_tsc_deadline(cpu, (uint64_t)at, at); }

static void test_timer_deadline(void)
{
    fresh(1);
    wr(1, LVT_TIMER, 0xd2);                     /* one-shot: the MSR is ignored */
    deadline(1, fake_now + 1000);
    CHECK_EQ(apic_get_tsc_deadline(1), 0);
    advance(2000);
    CHECK(!irr_has(1, 0xd2));

    wr(1, LVT_TIMER, DEADLINE | 0xd2);
    CHECK_EQ(rd(1, LVT_TIMER), DEADLINE | 0xd2);
    wr(1, TIMER_INIT, 1000);                    /* ignored in this mode */
    CHECK_EQ(rd(1, TIMER_CUR), 0);
    advance(2000);
    CHECK(!irr_has(1, 0xd2));

    deadline(1, fake_now + 5000);
    CHECK_EQ(apic_get_tsc_deadline(1), (uint64_t)fake_now + 5000);
    advance(4999);
    CHECK(!irr_has(1, 0xd2));
    advance(1);
    CHECK(irr_has(1, 0xd2));
    CHECK_EQ(apic_get_tsc_deadline(1), 0);      /* fired: disarmed */
    CHECK_EQ(take_eoi(1), 0xd2);
    advance(100000);
    CHECK_EQ(take_eoi(1), -1);                  /* once */

    deadline(1, fake_now - 10);                 /* already past: now */
    advance(1);
    CHECK_EQ(take_eoi(1), 0xd2);

    deadline(1, fake_now + 5000);               /* 0 disarms */
    deadline(1, 0);
    advance(10000);
    CHECK_EQ(take_eoi(1), -1);

    deadline(1, fake_now + 5000);               /* moved later */
    deadline(1, fake_now + 8000);
    advance(5000);
    CHECK_EQ(take_eoi(1), -1);
    advance(3000);
    CHECK_EQ(take_eoi(1), 0xd2);

    deadline(1, fake_now + 5000);               /* a mode change disarms */
    wr(1, LVT_TIMER, 0xd2);
    wr(1, LVT_TIMER, DEADLINE | 0xd2);
    CHECK_EQ(apic_get_tsc_deadline(1), 0);
    advance(10000);
    CHECK_EQ(take_eoi(1), -1);

    wr(1, LVT_TIMER, MASKED | DEADLINE | 0xd2); /* masked: due, disarmed, no interrupt */
    deadline(1, fake_now + 1000);
    advance(2000);
    CHECK_EQ(apic_get_tsc_deadline(1), 0);
    wr(1, LVT_TIMER, DEADLINE | 0xd2);
    advance(10000);
    CHECK_EQ(take_eoi(1), -1);
}

static void test_timer_periodic(void)
{
    int n;

    fresh(1);
    wr(3, LVT_TIMER, PERIODIC | 0xd1);
    wr(3, TIMER_DIV, 0x1);                      /* divide by 4 */
    wr(3, TIMER_INIT, 50000);                   /* 200 us period */
    CHECK_EQ(rd(3, LVT_TIMER), PERIODIC | 0xd1);
    for (n = 0; n < 5; n++) {
        advance(4 * 25000);
        CHECK_EQ(rd(3, TIMER_CUR), 25000);
        CHECK(!irr_has(3, 0xd1));
        advance(4 * 25000);
        CHECK_EQ(rd(3, TIMER_CUR), 50000);      /* reloaded */
        CHECK(irr_has(3, 0xd1));
        CHECK_EQ(take_eoi(3), 0xd1);
    }
    /* late: the missed periods coalesce into one IRR bit */
    advance(5 * 200000 + 1000);
    CHECK(irr_has(3, 0xd1));
    CHECK_EQ(rd(3, TIMER_CUR), 50000 - 250);
    CHECK_EQ(take_eoi(3), 0xd1);
    CHECK_EQ(take_eoi(3), -1);
    advance(200000 - 1000);
    CHECK_EQ(take_eoi(3), 0xd1);

    /* masked: it keeps counting; unmasked it resumes on period boundaries */
    wr(3, LVT_TIMER, MASKED | PERIODIC | 0xd1);
    advance(1000000);
    CHECK(!irr_has(3, 0xd1));
    CHECK_EQ(rd(3, TIMER_CUR), 50000);
    wr(3, LVT_TIMER, PERIODIC | 0xd1);
    advance(199999);
    CHECK(!irr_has(3, 0xd1));
    advance(1);
    CHECK(irr_has(3, 0xd1));
    CHECK_EQ(take_eoi(3), 0xd1);

    /* periodic -> one-shot: ends at the current period's end */
    wr(3, LVT_TIMER, 0xd1);
    advance(200000);
    CHECK(irr_has(3, 0xd1));
    CHECK_EQ(take_eoi(3), 0xd1);
    advance(1000000);
    CHECK_EQ(take_eoi(3), -1);
    CHECK_EQ(rd(3, TIMER_CUR), 0);

    /* a tiny period does not spin the main loop: at most one firing per
     * 10 us of the clock */
    wr(3, LVT_TIMER, PERIODIC | 0xd1);
    wr(3, TIMER_DIV, 0xb);
    wr(3, TIMER_INIT, 1);
    timer_fires = 0;
    for (n = 0; n < 10; n++) {
        advance(10000);
        CHECK_EQ(take_eoi(3), 0xd1);
    }
    CHECK(timer_fires <= 10);
    wr(3, TIMER_INIT, 0);

    /* software disable stops delivery */
    wr(3, LVT_TIMER, PERIODIC | 0xd1);
    wr(3, TIMER_INIT, 1000);
    wr(3, SVR, 0xff);
    advance(5000);
    CHECK(!irr_has(3, 0xd1));
}

/* ---- IPIs ----------------------------------------------------------------- */

static void test_ipi_destinations(void)
{
    int i;

    /* physical */
    fresh(1);
    ipi(0, 2, IPI_FIXED | 0x80);
    for (i = 0; i < NCPU; i++)
        CHECK_EQ(irr_has(i, 0x80), i == 2);
    CHECK(changed[2] > 0);
    CHECK_EQ(rd(0, ICR_LO), IPI_ASSERT | 0x80);    /* delivery status idle */
    CHECK_EQ(rd(0, ICR_HI), 2u << 24);
    ipi(0, 0xff, IPI_FIXED | 0x81);                 /* physical broadcast */
    for (i = 0; i < NCPU; i++)
        CHECK(irr_has(i, 0x81));
    ipi(0, 9, IPI_FIXED | 0x82);                    /* nobody */
    for (i = 0; i < NCPU; i++)
        CHECK(!irr_has(i, 0x82));
    wr(3, ID, 9u << 24);                            /* a changed ID */
    ipi(0, 9, IPI_FIXED | 0x82);
    CHECK(irr_has(3, 0x82));

    /* logical, flat: one LDR bit per CPU */
    fresh(1);
    for (i = 0; i < NCPU; i++)
        wr(i, LDR, 1u << (24 + i));
    ipi(0, 0x06, IPI_LOGICAL | 0x90);
    for (i = 0; i < NCPU; i++)
        CHECK_EQ(irr_has(i, 0x90), i == 1 || i == 2);
    ipi(0, 0xff, IPI_LOGICAL | 0x91);
    for (i = 0; i < NCPU; i++)
        CHECK(irr_has(i, 0x91));

    /* logical, cluster: cluster in bits 7:4, members in 3:0 */
    fresh(1);
    for (i = 0; i < NCPU; i++) {
        wr(i, DFR, 0x0fffffff);
        wr(i, LDR, (uint32_t)(((i / 2 + 1) << 4) | (1 << (i % 2))) << 24);
    }
    CHECK_EQ(rd(3, LDR), 0x22000000);
    ipi(0, 0x13, IPI_LOGICAL | 0xa0);               /* cluster 1, both */
    ipi(0, 0x22, IPI_LOGICAL | 0xa1);               /* cluster 2, second */
    ipi(0, 0x31, IPI_LOGICAL | 0xa2);               /* cluster 3: nobody */
    for (i = 0; i < NCPU; i++) {
        CHECK_EQ(irr_has(i, 0xa0), i < 2);
        CHECK_EQ(irr_has(i, 0xa1), i == 3);
        CHECK(!irr_has(i, 0xa2));
    }

    /* shorthands ignore the destination */
    fresh(1);
    ipi(1, 3, IPI_SELF | 0xb0);
    ipi(1, 3, IPI_ALL | 0xb1);
    ipi(1, 3, IPI_OTHERS | 0xb2);
    for (i = 0; i < NCPU; i++) {
        CHECK_EQ(irr_has(i, 0xb0), i == 1);
        CHECK(irr_has(i, 0xb1));
        CHECK_EQ(irr_has(i, 0xb2), i != 1);
    }
}

static void test_ipi_lowest_priority(void)
{
    int i;

    fresh(1);
    for (i = 0; i < NCPU; i++) {
        wr(i, LDR, 1u << (24 + i));
        wr(i, SVR, 0x3ff);                      /* focus checking off */
    }
    wr(0, TPR, 0x30);
    wr(1, TPR, 0x20);
    wr(2, TPR, 0x10);
    wr(3, TPR, 0x10);
    ipi(0, 0x0f, IPI_LOGICAL | IPI_LOWEST | 0xc0);
    for (i = 0; i < NCPU; i++)
        CHECK_EQ(irr_has(i, 0xc0), i == 2);    /* lowest, ties to the lower index */
    ipi(0, 0x0b, IPI_LOGICAL | IPI_LOWEST | 0xc1);  /* among 0, 1, 3 */
    CHECK(irr_has(3, 0xc1));
    /* CPU 2 now has 0xc0 pending: its arbitration priority is 0xc0 */
    ipi(0, 0x0f, IPI_LOGICAL | IPI_LOWEST | 0x50);
    CHECK(irr_has(1, 0x50));                   /* 3 has 0xc1 pending, 1 is at 0x20 */

    /* focus processor: the one with the vector pending or in service */
    for (i = 0; i < NCPU; i++)
        wr(i, SVR, 0x1ff);
    ipi(0, 0x0f, IPI_LOGICAL | IPI_LOWEST | 0xc1);
    CHECK_EQ(take(3, APIC_INT_FIXED, NULL), 0xc1);
    ipi(0, 0x0f, IPI_LOGICAL | IPI_LOWEST | 0xc1);
    CHECK(irr_has(3, 0xc1));                   /* 3 has it in service */
    CHECK(!irr_has(0, 0xc1) && !irr_has(1, 0xc1) && !irr_has(2, 0xc1));

    /* a software-disabled APIC takes no part */
    fresh(1);
    for (i = 0; i < NCPU; i++)
        wr(i, LDR, 1u << (24 + i));
    wr(0, TPR, 0x20);
    wr(2, TPR, 0x20);
    wr(3, TPR, 0x20);
    wr(1, SVR, 0xff);
    ipi(0, 0x0f, IPI_LOGICAL | IPI_LOWEST | 0xc2);
    CHECK(irr_has(0, 0xc2));
}

static void test_ipi_nmi_init_sipi(void)
{
    int kind;

    fresh(1);
    ipi(0, 1, IPI_NMI);
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_NMI);
    CHECK_EQ(apic_interrupt_pending(0), 0);
    ipi(0, 0, IPI_OTHERS | IPI_NMI);
    CHECK_EQ(apic_interrupt_pending(2), APIC_INT_NMI);
    CHECK_EQ(apic_interrupt_pending(0), 0);
    /* NMI blocked by the CPU: it can still take a fixed interrupt */
    ipi(0, 1, IPI_FIXED | 0x60);
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_NMI | APIC_INT_FIXED);
    CHECK_EQ(take(1, APIC_INT_FIXED, &kind), 0x60);
    CHECK_EQ(take(1, APIC_INT_NMI | APIC_INT_FIXED, &kind), 2);
    CHECK_EQ(kind, APIC_INT_NMI);
    CHECK_EQ(apic_interrupt_pending(1), 0);
    /* NMI comes before a fixed interrupt */
    ipi(0, 2, IPI_FIXED | 0x61);
    CHECK_EQ(take(2, ALL_KINDS, &kind), 2);
    CHECK_EQ(take(2, ALL_KINDS, &kind), 0x61);

    /* INIT, INIT de-assert, SIPI: the MP start-up sequence */
    fresh(1);
    wr(1, TPR, 0x20);
    wr(1, LDR, 0x02000000);
    wr(1, LVT_TIMER, 0xd0);
    wr(1, TIMER_INIT, 1000000);
    ipi(1, 0, IPI_SELF | 0x70);
    ipi(0, 1, IPI_INIT);
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_INIT | APIC_INT_FIXED);
    wr(0, ICR_HI, 1u << 24);
    wr(0, ICR_LO, IPI_INIT | IPI_LEVELTRIG);       /* de-assert: no effect */
    ipi(0, 1, IPI_SIPI | 0x9a);
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_INIT | APIC_INT_SIPI | APIC_INT_FIXED);
    CHECK_EQ(take(1, ALL_KINDS, &kind), 0);
    CHECK_EQ(kind, APIC_INT_INIT);
    /* the INIT reset: registers back to power-up, the ID kept */
    CHECK_EQ(rd(1, SVR), 0xff);
    CHECK_EQ(rd(1, TPR), 0);
    CHECK_EQ(rd(1, LDR), 0);
    CHECK_EQ(rd(1, IRR + 0x30), 0);
    CHECK_EQ(rd(1, LVT_TIMER), MASKED);
    CHECK_EQ(rd(1, TIMER_INIT), 0);
    CHECK_EQ(rd(1, ID), 1u << 24);
    CHECK_EQ(apic_get_base(1), 0xfee00800);
    advance(2000000);
    CHECK_EQ(rd(1, IRR + 0x60), 0);             /* the timer is stopped */
    /* the SIPI that came after the INIT survives it */
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_SIPI);
    CHECK_EQ(take(1, ALL_KINDS, &kind), 0x9a);
    CHECK_EQ(kind, APIC_INT_SIPI);
    CHECK_EQ(apic_interrupt_pending(1), 0);

    /* a SIPI before the INIT is stale */
    ipi(0, 2, IPI_SIPI | 0x10);
    ipi(0, 2, IPI_INIT);
    CHECK_EQ(apic_interrupt_pending(2), APIC_INT_INIT);
    /* broadcast INIT-SIPI-SIPI to the APs, as Linux and Windows do */
    fresh(1);
    ipi(0, 0, IPI_OTHERS | IPI_INIT);
    ipi(0, 0, IPI_OTHERS | IPI_SIPI | 0x08);
    ipi(0, 0, IPI_OTHERS | IPI_SIPI | 0x08);
    CHECK_EQ(apic_interrupt_pending(0), 0);
    CHECK_EQ(apic_interrupt_pending(3), APIC_INT_INIT | APIC_INT_SIPI);
    CHECK_EQ(take(3, ALL_KINDS, &kind), 0);
    CHECK_EQ(take(3, ALL_KINDS, &kind), 0x08);
    CHECK_EQ(kind, APIC_INT_SIPI);
}

/* ---- IO-APIC -------------------------------------------------------------- */

static void test_ioapic_registers(void)
{
    int pin;

    fresh(1);
    CHECK_EQ(io_rd(0x00), 0);
    CHECK_EQ(io_rd(0x01), 0x00170011);          /* 24 pins, version 0x11 */
    CHECK_EQ(io_rd(0x02), 0);
    io_wr(0x00, 0xffffffff);
    CHECK_EQ(io_rd(0x00), 0x0f000000);
    CHECK_EQ(io_rd(0x02), 0x0f000000);          /* arbitration ID follows */
    io_wr(0x01, 0);
    io_wr(0x02, 0);
    CHECK_EQ(io_rd(0x01), 0x00170011);
    CHECK_EQ(io_rd(0x02), 0x0f000000);
    for (pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        CHECK_EQ(io_rd(0x10 + 2 * pin), 0x00010000);
        CHECK_EQ(io_rd(0x11 + 2 * pin), 0);
    }
    io_wr(0x10 + 2 * 5, 0xffffffff);
    io_wr(0x11 + 2 * 5, 0xffffffff);
    CHECK_EQ(io_rd(0x10 + 2 * 5), 0x0001afff);  /* status, remote IRR read-only */
    CHECK_EQ(io_rd(0x11 + 2 * 5), 0xff000000);
    CHECK_EQ(io_rd(0x10 + 2 * 4), 0x00010000);  /* neighbours untouched */
    CHECK_EQ(io_rd(0x10 + 2 * 6), 0x00010000);
    CHECK_EQ(io_rd(0x40), 0);                    /* past the table */
    ioapic_mmio_write(0x00, 0x1234);
    CHECK_EQ(ioapic_mmio_read(0x00), 0x34);
    ioapic_init();
    CHECK_EQ(io_rd(0x10 + 2 * 5), 0x00010000);
}

static void test_ioapic_edge(void)
{
    int i;

    fresh(1);
    io_route(1, 0x31, 1);                       /* fixed, physical, edge */
    ioapic_set_irq(1, 1);
    for (i = 0; i < NCPU; i++)
        CHECK_EQ(irr_has(i, 0x31), i == 1);
    CHECK(!tmr_has(1, 0x31));
    CHECK_EQ(io_rd(0x10 + 2 * 1) & 0x5000, 0);  /* no remote IRR, status idle */
    CHECK_EQ(apic_interrupt_pending(1), APIC_INT_FIXED);
    ioapic_set_irq(1, 1);                       /* no edge */
    CHECK_EQ(take_eoi(1), 0x31);
    CHECK(!irr_has(1, 0x31));
    ioapic_set_irq(1, 0);
    ioapic_set_irq(1, 1);                       /* a new edge */
    CHECK_EQ(take_eoi(1), 0x31);

    /* masked: the edge is lost, unmasking does not bring it back */
    ioapic_set_irq(1, 0);
    io_route(1, MASKED | 0x31, 1);
    ioapic_set_irq(1, 1);
    CHECK(!irr_has(1, 0x31));
    io_route(1, 0x31, 1);
    CHECK(!irr_has(1, 0x31));
    ioapic_set_irq(1, 0);

    /* pin 2 is where the lead routes IRQ0; logical and lowest priority */
    for (i = 0; i < NCPU; i++)
        wr(i, LDR, 1u << (24 + i));
    wr(0, TPR, 0x40);
    wr(1, TPR, 0x40);
    io_route(2, 0x800 | 0x100 | 0x32, 0x03);    /* logical, lowest, CPUs 0-1 */
    wr(1, TPR, 0x10);
    ioapic_set_irq(2, 1);
    CHECK(irr_has(1, 0x32) && !irr_has(0, 0x32));
    ioapic_set_irq(2, 0);
    io_route(2, 0x800 | 0x32, 0x0c);            /* logical, fixed, CPUs 2-3 */
    ioapic_set_irq(2, 1);
    CHECK(irr_has(2, 0x32) && irr_has(3, 0x32));

    /* NMI through the IO-APIC */
    io_route(3, 0x400, 0);
    ioapic_set_irq(3, 1);
    CHECK(apic_interrupt_pending(0) & APIC_INT_NMI);
}

static void test_ioapic_level(void)
{
    int kind;

    fresh(1);
    io_route(10, 0x8000 | 0x3a, 2);             /* fixed, physical, level */
    ioapic_set_irq(10, 1);
    CHECK(irr_has(2, 0x3a));
    CHECK(tmr_has(2, 0x3a));
    CHECK(io_rd(0x10 + 2 * 10) & 0x4000);       /* remote IRR */
    CHECK_EQ(take(2, APIC_INT_FIXED, &kind), 0x3a);
    ioapic_set_irq(10, 1);                      /* held by remote IRR */
    CHECK(!irr_has(2, 0x3a));
    /* EOI with the line still asserted: remote IRR cleared, sent again */
    wr(2, EOI, 0);
    CHECK(irr_has(2, 0x3a));
    CHECK(io_rd(0x10 + 2 * 10) & 0x4000);
    /* the device lowers its line; this EOI ends it */
    CHECK_EQ(take(2, APIC_INT_FIXED, &kind), 0x3a);
    ioapic_set_irq(10, 0);
    wr(2, EOI, 0);
    CHECK(!irr_has(2, 0x3a));
    CHECK_EQ(io_rd(0x10 + 2 * 10) & 0x4000, 0);
    CHECK_EQ(apic_interrupt_pending(2), 0);

    /* masked: nothing; unmasked while asserted: sent */
    io_route(10, MASKED | 0x8000 | 0x3a, 2);
    ioapic_set_irq(10, 1);
    CHECK(!irr_has(2, 0x3a));
    CHECK_EQ(io_rd(0x10 + 2 * 10) & 0x4000, 0);
    io_route(10, 0x8000 | 0x3a, 2);
    CHECK(irr_has(2, 0x3a));

    /* an edge-triggered EOI is not broadcast: remote IRR stays */
    ipi(2, 0, IPI_SELF | 0x90);
    CHECK_EQ(take(2, APIC_INT_FIXED, &kind), 0x90);
    wr(2, EOI, 0);
    CHECK(io_rd(0x10 + 2 * 10) & 0x4000);

    /* switching the entry to edge clears a stuck remote IRR */
    io_route(10, 0x3a, 2);
    CHECK_EQ(io_rd(0x10 + 2 * 10) & 0x4000, 0);
    ioapic_set_irq(10, 0);

    /* two pins sharing a vector: one EOI clears both */
    fresh(1);
    io_route(16, 0x8000 | 0x4b, 0);
    io_route(17, 0x8000 | 0x4b, 0);
    ioapic_set_irq(16, 1);
    ioapic_set_irq(17, 1);
    CHECK(io_rd(0x10 + 2 * 16) & 0x4000);
    CHECK(io_rd(0x10 + 2 * 17) & 0x4000);
    ioapic_set_irq(16, 0);
    ioapic_set_irq(17, 0);
    CHECK_EQ(take_eoi(0), 0x4b);
    CHECK_EQ(io_rd(0x10 + 2 * 16) & 0x4000, 0);
    CHECK_EQ(io_rd(0x10 + 2 * 17) & 0x4000, 0);
}

/* ---- threads: two vCPUs and the main loop under the BQL ------------------- */

#define ROUNDS 2000

static int sent[NCPU], received[NCPU];      /* BQL */

/* Take and EOI every fixed interrupt pending at cpu, counting the IPIs.
 * BQL held. */
static void drain(int cpu)
{
    int kind;

    while (apic_interrupt_pending(cpu) & APIC_INT_FIXED) {
        if (apic_acknowledge(cpu, APIC_INT_FIXED, &kind) == 0x40)
            received[cpu]++;
        wr(cpu, EOI, 0);
    }
}

/* A vCPU thread: send an IPI to the other CPU, take whatever is pending,
 * with the BQL taken and dropped as cpu.c will. */
static void *vcpu_thread(void *arg)
{
    int cpu = (int)(intptr_t)arg, other = 3 - cpu, n;

    for (n = 0; n < ROUNDS; n++) {
        bql_lock();
        ipi(cpu, (uint32_t)other, IPI_FIXED | 0x40);
        sent[other]++;
        bql_unlock();
        bql_lock();
        drain(cpu);
        bql_unlock();
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t t1, t2;
    int n;

    fresh(1);
    wr(0, LVT_TIMER, PERIODIC | 0xd0);
    wr(0, TIMER_DIV, 0xb);
    wr(0, TIMER_INIT, 20000);
    bql_unlock();

    pthread_create(&t1, NULL, vcpu_thread, (void *)(intptr_t)1);
    pthread_create(&t2, NULL, vcpu_thread, (void *)(intptr_t)2);
    for (n = 0; n < ROUNDS; n++) {              /* the main loop's timers */
        bql_lock();
        advance(20000);
        bql_unlock();
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);

    bql_lock();
    /* Every IPI was taken, or collapsed into an IRR bit already set: at
     * least one and at most all of them arrive. */
    drain(1);
    drain(2);
    CHECK_EQ(sent[1], ROUNDS);
    CHECK(received[1] > 0 && received[1] <= sent[1]);
    CHECK(received[2] > 0 && received[2] <= sent[2]);
    CHECK(irr_has(0, 0xd0));
    CHECK_EQ(take_eoi(0), 0xd0);
}

int main(void)
{
    int i;

    bql_lock();
    for (i = 0; i < NCPU; i++)
        apic_new(i);
    ioapic_init();

    test_reset_values();
    test_write_masks();
    test_priority();
    test_svr();
    test_lint();
    test_extint();
    test_timer_oneshot();
    test_timer_periodic();
    test_timer_deadline();
    test_ipi_destinations();
    test_ipi_lowest_priority();
    test_ipi_nmi_init_sipi();
    test_ioapic_registers();
    test_ioapic_edge();
    test_ioapic_level();
    test_threads();
    bql_unlock();

    if (failures) {
        printf("test_apic: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("test_apic: %d checks passed\n", checks);
    return 0;
}
