/*
 * apic.c - the local APICs (one per vCPU, at 0xFEE00000) and the IO-APIC
 * (at 0xFEC00000).
 *
 * DESIGN.md §6-7 puts these in devices.c; they have their own file because
 * devices.c was being rewritten when they were written, and because the two
 * talk to each other (EOI broadcast, the interrupt messages) more than to
 * anything in devices.c.
 *
 * Specifications: Intel SDM Vol. 3A chapter 10 (xAPIC mode only, no x2APIC;
 * the timer in one-shot, periodic and TSC-deadline mode) and the Intel
 * 82093AA I/O APIC datasheet (version 0x11: no EOI register, no directed
 * EOI).  docs/apic.md is the tour.
 *
 * The "APIC bus" is a function call: an IPI or an IO-APIC message sets the
 * IRR bit (or the NMI/INIT/SIPI latch) of every destination APIC at once,
 * so the ICR's delivery-status bit always reads idle.
 *
 * Threads and locks: every entry point runs with the BQL held -- MMIO and
 * the APIC base MSR on the vCPU thread that makes the access, timers on the
 * main-loop thread, the interrupt inputs on whichever thread runs the device.
 * All state in this file (the APICState of every CPU, the IO-APIC) belongs
 * to the BQL.  Whenever a CPU's pending interrupts may have changed we call
 * cpu_apic_changed(), which recomputes and kicks that CPU.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"


/* ==== Local APIC ========================================================= */

/* Register offsets in the 4 KiB page (SDM Table 10-1); each register is the
 * first dword of a 16-byte slot. */
#define APIC_ID         0x020   /* bits 31:24 the APIC ID */
#define APIC_VERSION    0x030   /* read-only */
#define APIC_TPR        0x080   /* task priority, bits 7:0 */
#define APIC_APR        0x090   /* arbitration priority, read-only */
#define APIC_PPR        0x0a0   /* processor priority, read-only */
#define APIC_EOI        0x0b0   /* write-only: end of interrupt */
#define APIC_RRD        0x0c0   /* remote read (not on xAPIC): reads 0 */
#define APIC_LDR        0x0d0   /* logical destination, bits 31:24 */
#define APIC_DFR        0x0e0   /* destination format, bits 31:28; 27:0 read as ones */
#define APIC_SVR        0x0f0   /* spurious-interrupt vector */
#define APIC_ISR        0x100   /* in-service, 8 registers 0x100-0x170 */
#define APIC_TMR        0x180   /* trigger mode, 8 registers 0x180-0x1f0 */
#define APIC_IRR        0x200   /* interrupt request, 8 registers 0x200-0x270 */
#define APIC_ESR        0x280   /* error status */
#define APIC_ICR_LO     0x300   /* interrupt command; a write sends the IPI */
#define APIC_ICR_HI     0x310   /* bits 31:24 the destination */
#define APIC_LVT        0x320   /* the six LVT entries, 0x320-0x370 */
#define APIC_TIMER_INIT 0x380   /* timer initial count */
#define APIC_TIMER_CUR  0x390   /* timer current count, read-only */
#define APIC_TIMER_DIV  0x3e0   /* timer divide configuration */

#define APIC_VERSION_VALUE 0x14 /* an integrated xAPIC, as the Pentium 4 and QEMU */

/* IA32_APIC_BASE MSR (0x1B) */
#define MSR_APIC_BSP      (1u << 8)     /* this is the bootstrap processor (read-only) */
#define MSR_APIC_ENABLE   (1u << 11)    /* global enable; clear = no APIC at all */
#define MSR_APIC_BASE_MASK 0xffffff000ull /* bits 35:12, the page's physical address */

/* SVR */
#define SVR_VECTOR        0x0ffu
#define SVR_ENABLE        (1u << 8)     /* software enable */
#define SVR_FOCUS_DISABLE (1u << 9)     /* no focus-processor check in lowest priority */

/* ESR bits (SDM Figure 10-9) */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER    (1u << 7)

/* The LVT: one entry per local interrupt source, in register order. */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_NB };
#define LVT_VECTOR     0x000000ffu
#define LVT_DELIVERY   0x00000700u      /* delivery mode, DM_* << 8 */
#define LVT_STATUS     (1u << 12)       /* delivery status: always idle here */
#define LVT_POLARITY   (1u << 13)       /* LINTn: active low (stored, see apic_set_lint) */
#define LVT_REMOTE_IRR (1u << 14)       /* LINTn, fixed level-triggered: accepted, no EOI yet */
#define LVT_LEVEL      (1u << 15)       /* LINTn: level-triggered */
#define LVT_MASKED     (1u << 16)
#define LVT_PERIODIC   (1u << 17)       /* timer mode (bits 18:17): 00 one-shot, 01 periodic, */
#define LVT_DEADLINE   (1u << 18)       /* 10 TSC-deadline, 11 reserved (the timer stays idle) */
#define LVT_TIMER_MODE (LVT_PERIODIC | LVT_DEADLINE)

/* Delivery modes, in LVT entries, the ICR and IO-APIC redirection entries. */
enum {
    DM_FIXED = 0, DM_LOWEST = 1, DM_SMI = 2, DM_NMI = 4, DM_INIT = 5, DM_SIPI = 6, DM_EXTINT = 7,
};

/* ICR low dword */
#define ICR_VECTOR      0x000000ffu
#define ICR_LOGICAL     (1u << 11)      /* destination mode: logical, else physical */
#define ICR_LEVEL_ASSERT (1u << 14)     /* level: clear only for INIT level de-assert */
#define ICR_TRIGGER_LEVEL (1u << 15)
#define ICR_SHORTHAND_SHIFT 18
enum { SH_NONE, SH_SELF, SH_ALL, SH_ALL_BUT_SELF };
#define ICR_LO_WRITABLE 0x000ccfffu     /* all but delivery status and reserved bits */

/* Which LVT bits software may write (the rest are read-only or reserved). */
static const uint32_t lvt_writable[LVT_NB] = {
    [LVT_TIMER]   = LVT_VECTOR | LVT_MASKED | LVT_TIMER_MODE,
    [LVT_THERMAL] = LVT_VECTOR | LVT_DELIVERY | LVT_MASKED,
    [LVT_PERF]    = LVT_VECTOR | LVT_DELIVERY | LVT_MASKED,
    [LVT_LINT0]   = LVT_VECTOR | LVT_DELIVERY | LVT_POLARITY | LVT_LEVEL | LVT_MASKED,
    [LVT_LINT1]   = LVT_VECTOR | LVT_DELIVERY | LVT_POLARITY | LVT_LEVEL | LVT_MASKED,
    [LVT_ERROR]   = LVT_VECTOR | LVT_MASKED,
};

/* The timer counts at 1 GHz before the divider: one tick per nanosecond of
 * CLOCK_MONOTONIC, like the TSC.  A periodic timer is never re-armed less
 * than this far ahead, so a tiny period cannot make the main loop spin
 * (the interrupts it would miss coalesce in the IRR anyway). */
#define APIC_TIMER_MIN_PERIOD_NS 10000

struct APICState {
    int cpu_index;
    uint64_t base;              /* IA32_APIC_BASE */
    uint32_t id;                /* APIC ID (bits 7:0 of register bits 31:24) */
    uint32_t tpr, ldr, dfr, svr;
    uint32_t isr[8], tmr[8], irr[8];    /* 256-bit vectors, bit v = vector v */
    uint32_t esr;               /* what ESR reads: latched by the last ESR write */
    uint32_t esr_pending;       /* errors seen since that write */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_NB];

    /* Timer: count = initial - (clock_ns() - start) / divider, reloading
     * in periodic mode.  next is the deadline of the next timer interrupt
     * not yet delivered, or -1 when none will come (stopped, masked, or a
     * one-shot that has fired). */
    uint32_t divide_conf;
    uint32_t initial_count;
    int shift;                  /* log2 of the divider */
    int64_t start;
    int64_t next;
    Timer *timer;
    /* TSC-deadline mode: IA32_TSC_DEADLINE (0: disarmed) and the same
     * instant on CLOCK_MONOTONIC, as the vCPU computed it when it wrote the
     * MSR (the TSC is that clock plus the vCPU's offset, cpu.c). */
    uint64_t tsc_deadline;
    int64_t deadline_ns;

    /* Inputs and latched events for the CPU. */
    int lint_level[2];          /* LINT0/LINT1 input lines, 1 = asserted */
    int nmi_pending, init_pending, sipi_pending, extint_pending;
    int sipi_vector;
};

static APICState *apics[APIC_MAX_CPUS];     /* by cpu_index; NULL = no such CPU */

static void ioapic_eoi(int vector);

/* ---- small helpers ------------------------------------------------------ */

static int apic_hw_enabled(const APICState *s)
{
    return (s->base & MSR_APIC_ENABLE) != 0;
}

static int apic_sw_enabled(const APICState *s)
{
    return apic_hw_enabled(s) && (s->svr & SVR_ENABLE);
}

static void set_bit256(uint32_t *r, int v)   { r[v >> 5] |= 1u << (v & 31); }
static void clear_bit256(uint32_t *r, int v) { r[v >> 5] &= ~(1u << (v & 31)); }
static int test_bit256(const uint32_t *r, int v) { return (r[v >> 5] >> (v & 31)) & 1; }

/* The highest vector set in a 256-bit register, or -1. */
static int highest_bit256(const uint32_t *r)
{
    int i;

    for (i = 7; i >= 0; i--)
        if (r[i])
            return i * 32 + 31 - __builtin_clz(r[i]);
    return -1;
}

/* Processor priority (SDM 10.8.3.1): the TPR, or the class of the highest
 * in-service vector if that is higher. */
static uint32_t apic_ppr(const APICState *s)
{
    int isrv = highest_bit256(s->isr);

    if (isrv < 0 || (s->tpr >> 4) >= ((uint32_t)isrv >> 4))
        return s->tpr;
    return (uint32_t)isrv & 0xf0;
}

/* Arbitration priority (SDM 10.6.2.4): what lowest-priority delivery
 * compares. */
static uint32_t apic_apr(const APICState *s)
{
    int isrv = highest_bit256(s->isr), irrv = highest_bit256(s->irr);
    uint32_t tpr_class = s->tpr >> 4, isr_class, irr_class, max;

    isr_class = isrv < 0 ? 0 : (uint32_t)isrv >> 4;
    irr_class = irrv < 0 ? 0 : (uint32_t)irrv >> 4;
    if (tpr_class >= irr_class && tpr_class > isr_class)
        return s->tpr;
    max = tpr_class;
    if (isr_class > max)
        max = isr_class;
    if (irr_class > max)
        max = irr_class;
    return max << 4;
}

/* The highest IRR vector if its priority class is above the PPR's, else -1. */
static int apic_deliverable_vector(const APICState *s)
{
    int irrv = highest_bit256(s->irr);

    if (irrv < 0 || ((uint32_t)irrv & 0xf0) <= (apic_ppr(s) & 0xf0))
        return -1;
    return irrv;
}

/* The one IRQ-update function: tell the CPU its interrupt state may have
 * changed. */
static void apic_update_irq(APICState *s)
{
    cpu_apic_changed(s->cpu_index);
}

static APICState *apic_get(int cpu_index)
{
    assert(bql_locked());
    assert(cpu_index >= 0 && cpu_index < APIC_MAX_CPUS && apics[cpu_index]);
    return apics[cpu_index];
}

/* ---- accepting interrupts ----------------------------------------------- */

/* Record an APIC error: it shows in the ESR after the next ESR write, and
 * raises the LVT error interrupt unless masked. */
static void apic_error(APICState *s, uint32_t bits)
{
    uint32_t lvt = s->lvt[LVT_ERROR];
    int vector = lvt & LVT_VECTOR;

    s->esr_pending |= bits;
    if (!(lvt & LVT_MASKED) && vector >= 16) {
        set_bit256(s->irr, vector);
        clear_bit256(s->tmr, vector);
    }
    apic_update_irq(s);
}

/* Accept a fixed-mode vector into the IRR; level says level-triggered (TMR
 * set, the EOI is broadcast).  A software-disabled APIC drops it. */
static void apic_accept_fixed(APICState *s, int vector, int level)
{
    if (!apic_sw_enabled(s))
        return;
    if (vector < 16) {
        apic_error(s, ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    set_bit256(s->irr, vector);
    if (level)
        set_bit256(s->tmr, vector);
    else
        clear_bit256(s->tmr, vector);
    apic_update_irq(s);
}

/* Raise the interrupt that LVT entry lvt describes, as if its source had
 * signalled it now (an edge, or a level that is asserted). */
static void apic_lvt_deliver(APICState *s, int lvt)
{
    uint32_t e = s->lvt[lvt];

    if (e & LVT_MASKED)
        return;
    switch ((e & LVT_DELIVERY) >> 8) {
    case DM_FIXED:
        if ((lvt == LVT_LINT0 || lvt == LVT_LINT1) && (e & LVT_LEVEL)) {
            if (e & LVT_REMOTE_IRR)
                return;                 /* the last one is not EOIed yet */
            s->lvt[lvt] |= LVT_REMOTE_IRR;
            apic_accept_fixed(s, e & LVT_VECTOR, 1);
        } else {
            apic_accept_fixed(s, e & LVT_VECTOR, 0);
        }
        break;
    case DM_NMI:
        s->nmi_pending = 1;
        break;
    case DM_INIT:
        s->init_pending = 1;
        s->sipi_pending = 0;
        break;
    default:
        break;          /* SMI: not modelled.  ExtINT follows the line level. */
    }
    apic_update_irq(s);
}

/* ---- the APIC bus: IPIs and IO-APIC messages ---------------------------- */

/* Does APIC s accept a message for destination dest (ICR bits 63:56 or an
 * IO-APIC entry's bits 63:56)?  0xFF is a broadcast in both modes. */
static int apic_match_dest(const APICState *s, uint32_t dest, int logical)
{
    uint32_t ldr = s->ldr >> 24;

    if (dest == 0xff)
        return 1;
    if (!logical)
        return dest == s->id;
    if ((s->dfr >> 28) == 0xf)                  /* flat: one bit per APIC */
        return (ldr & dest) != 0;
    return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0x0f) != 0;  /* cluster */
}

/* The CPUs (bit i = cpu_index i) whose APIC is present and enabled in the
 * MSR, and match dest. */
static uint32_t apic_dest_set(uint32_t dest, int logical)
{
    uint32_t set = 0;
    int i;

    for (i = 0; i < APIC_MAX_CPUS; i++)
        if (apics[i] && apic_hw_enabled(apics[i]) && apic_match_dest(apics[i], dest, logical))
            set |= 1u << i;
    return set;
}

/* Lowest-priority arbitration over set: the focus processor (one that
 * already has the vector in service or pending) if focus checking is on,
 * else the lowest arbitration priority, ties to the lowest CPU index.
 * Software-disabled APICs do not take part.  Returns a one-bit set or 0. */
static uint32_t apic_lowest_priority(uint32_t set, int vector)
{
    uint32_t best_apr = 0x100;
    int i, best = -1;

    for (i = 0; i < APIC_MAX_CPUS; i++) {
        APICState *s = apics[i];
        if (!(set & (1u << i)) || !apic_sw_enabled(s))
            continue;
        if (!(s->svr & SVR_FOCUS_DISABLE) &&
            (test_bit256(s->isr, vector) || test_bit256(s->irr, vector)))
            return 1u << i;
        if (apic_apr(s) < best_apr) {
            best_apr = apic_apr(s);
            best = i;
        }
    }
    return best < 0 ? 0 : 1u << best;
}

/* Deliver one interrupt message to the CPUs in set, as the system bus
 * would: mode is a DM_* delivery mode, level whether a fixed interrupt is
 * level-triggered. */
static void apic_bus_deliver(uint32_t set, int mode, int vector, int level)
{
    int i;

    if (mode == DM_LOWEST) {
        set = apic_lowest_priority(set, vector);
        mode = DM_FIXED;
    }
    for (i = 0; i < APIC_MAX_CPUS; i++) {
        APICState *s = apics[i];
        if (!(set & (1u << i)))
            continue;
        switch (mode) {
        case DM_FIXED:
            apic_accept_fixed(s, vector, level);
            break;
        case DM_NMI:
            s->nmi_pending = 1;
            break;
        case DM_INIT:
            s->init_pending = 1;
            s->sipi_pending = 0;        /* a SIPI counts only after the INIT */
            break;
        case DM_SIPI:
            s->sipi_pending = 1;
            s->sipi_vector = vector;
            break;
        case DM_EXTINT:
            s->extint_pending = 1;      /* the CPU asks the 8259 for the vector */
            break;
        default:
            break;                      /* SMI and reserved modes: not modelled */
        }
        apic_update_irq(s);
    }
}

/* Send the IPI that the ICR now describes (a write to ICR low did it). */
static void apic_send_ipi(APICState *s)
{
    uint32_t lo = s->icr_lo;
    int vector = lo & ICR_VECTOR, mode = (lo >> 8) & 7;
    uint32_t self = 1u << s->cpu_index, set;

    /* INIT level de-assert only resynchronises arbitration IDs. */
    if (mode == DM_INIT && (lo & ICR_TRIGGER_LEVEL) && !(lo & ICR_LEVEL_ASSERT))
        return;
    if ((mode == DM_FIXED || mode == DM_LOWEST) && vector < 16) {
        apic_error(s, ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    switch ((lo >> ICR_SHORTHAND_SHIFT) & 3) {
    case SH_SELF:         set = self; break;
    case SH_ALL:          set = apic_dest_set(0xff, 0); break;
    case SH_ALL_BUT_SELF: set = apic_dest_set(0xff, 0) & ~self; break;
    default:              set = apic_dest_set(s->icr_hi >> 24, (lo & ICR_LOGICAL) != 0); break;
    }
    apic_bus_deliver(set, mode, vector, 0);     /* IPIs are edge-triggered */
}

/* ---- EOI ---------------------------------------------------------------- */

/* A write to the EOI register: retire the highest in-service vector; if it
 * was level-triggered, broadcast the EOI to the IO-APIC and to the LINT
 * pins, which re-raise a line that is still asserted. */
static void apic_eoi(APICState *s)
{
    int vector = highest_bit256(s->isr), pin;

    if (vector < 0)
        return;
    clear_bit256(s->isr, vector);
    if (test_bit256(s->tmr, vector)) {
        ioapic_eoi(vector);
        for (pin = 0; pin < 2; pin++) {
            uint32_t *e = &s->lvt[LVT_LINT0 + pin];
            if ((*e & LVT_REMOTE_IRR) && (int)(*e & LVT_VECTOR) == vector) {
                *e &= ~LVT_REMOTE_IRR;
                if (s->lint_level[pin])
                    apic_lvt_deliver(s, LVT_LINT0 + pin);
            }
        }
    }
    apic_update_irq(s);
}

/* ---- timer (SDM 10.5.4) ------------------------------------------------- */

static uint32_t timer_mode(const APICState *s)
{
    return s->lvt[LVT_TIMER] & LVT_TIMER_MODE;
}

/* The current-count register at time now (0 in TSC-deadline mode). */
static uint32_t apic_timer_count(const APICState *s, int64_t now)
{
    uint64_t ticks;

    if (s->initial_count == 0 || timer_mode(s) == LVT_DEADLINE)
        return 0;
    ticks = (uint64_t)(now - s->start) >> s->shift;
    if (timer_mode(s) == LVT_PERIODIC)
        return s->initial_count - (uint32_t)(ticks % s->initial_count);
    return ticks >= s->initial_count ? 0 : s->initial_count - (uint32_t)ticks;
}

/* Move the start of the count so that at now the counter reads count
 * under the current divider and mode: a divide or mode change continues
 * from where the counter is. */
static void apic_timer_rebase(APICState *s, int64_t now, uint32_t count)
{
    s->start = now - ((int64_t)(s->initial_count - count) << s->shift);
}

/* Recompute the next timer deadline after now from the registers and arm
 * (or disarm) the host timer. */
static void apic_timer_update(APICState *s, int64_t now)
{
    int64_t period = (int64_t)s->initial_count << s->shift;

    s->next = -1;
    if (timer_mode(s) == LVT_DEADLINE) {
        if (s->tsc_deadline != 0)       /* masked, it disarms when due, with no interrupt */
            s->next = s->deadline_ns > 0 ? s->deadline_ns : 0;
    } else if (s->initial_count != 0 && !(s->lvt[LVT_TIMER] & LVT_MASKED)) {
        if (timer_mode(s) == LVT_PERIODIC)
            s->next = s->start + ((now - s->start) / period + 1) * period;
        else if (timer_mode(s) == 0 && s->start + period > now)
            s->next = s->start + period;
    }
    if (s->next < 0)
        timer_del(s->timer);
    else if (timer_mode(s) == LVT_PERIODIC && s->next < now + APIC_TIMER_MIN_PERIOD_NS)
        timer_mod(s->timer, now + APIC_TIMER_MIN_PERIOD_NS);
    else
        timer_mod(s->timer, s->next);
}

/* Deliver the timer interrupt if its deadline has passed by now, then
 * schedule the next.  Called from the host timer and before any register
 * write that changes the timer, so a due interrupt is never lost. */
static void apic_timer_expire(APICState *s, int64_t now)
{
    if (s->next >= 0 && s->next <= now) {
        s->next = -1;
        if (timer_mode(s) == LVT_DEADLINE)
            s->tsc_deadline = 0;        /* it fired: disarmed, the MSR reads 0 */
        apic_lvt_deliver(s, LVT_TIMER);
    }
    apic_timer_update(s, now);
}

/* The host timer's callback: main-loop thread, BQL held. */
static void apic_timer_cb(void *opaque)
{
    APICState *s = opaque;

    assert(bql_locked());
    apic_timer_expire(s, clock_ns());
}

/* The divider (SDM Figure 10-10): bits 3,1,0 = 111 is 1, else 2 << value. */
static int apic_divide_shift(uint32_t conf)
{
    uint32_t v = ((conf >> 1) & 4) | (conf & 3);

    return (int)((v + 1) & 7);
}

/* ---- reset -------------------------------------------------------------- */

/* The INIT state (SDM 10.4.7.3): the power-up state except that the APIC
 * ID and the base MSR are kept; so is a SIPI already waiting. */
static void apic_init_reset(APICState *s)
{
    int i;

    s->tpr = 0;
    s->ldr = 0;
    s->dfr = 0xffffffff;
    s->svr = 0xff;
    memset(s->isr, 0, sizeof s->isr);
    memset(s->tmr, 0, sizeof s->tmr);
    memset(s->irr, 0, sizeof s->irr);
    s->esr = s->esr_pending = 0;
    s->icr_lo = s->icr_hi = 0;
    for (i = 0; i < LVT_NB; i++)
        s->lvt[i] = LVT_MASKED;
    s->divide_conf = 0;
    s->shift = apic_divide_shift(0);
    s->initial_count = 0;
    s->tsc_deadline = 0;
    s->start = 0;
    s->next = -1;
    timer_del(s->timer);
    s->nmi_pending = s->init_pending = s->extint_pending = 0;
}

/* Power-up or RESET state (SDM 10.4.7.1) of the APIC of cpu_index.  As
 * QEMU does, the BSP's LINT0 starts as an unmasked ExtINT -- virtual-wire
 * mode, as a BIOS would leave it -- so the 8259 reaches the CPU from the
 * first instruction.  BQL held. */
void apic_reset(int cpu_index)
{
    APICState *s = apic_get(cpu_index);

    apic_init_reset(s);
    s->id = (uint32_t)cpu_index;
    uint64_t old = s->base;
    s->base = APIC_DEFAULT_BASE | MSR_APIC_ENABLE | (cpu_index == 0 ? MSR_APIC_BSP : 0);
    if (s->base != old)
        memory_map_update();
    s->sipi_pending = 0;
    s->sipi_vector = 0;
    if (cpu_index == 0)
        s->lvt[LVT_LINT0] = DM_EXTINT << 8;
    apic_update_irq(s);
}

/* Create the local APIC of cpu_index (0 is the bootstrap processor) in its
 * power-up state.  Machine setup, BQL held. */
APICState *apic_new(int cpu_index)
{
    APICState *s;

    assert(cpu_index >= 0 && cpu_index < APIC_MAX_CPUS && !apics[cpu_index]);
    s = calloc(1, sizeof *s);
    assert(s);
    s->cpu_index = cpu_index;
    s->timer = timer_new(apic_timer_cb, s);
    apics[cpu_index] = s;
    apic_reset(cpu_index);
    return s;
}

/* The APIC of cpu_index, or NULL when there is no such CPU. */
APICState *apic_of(int cpu_index)
{
    if (cpu_index < 0 || cpu_index >= APIC_MAX_CPUS)
        return NULL;
    return apics[cpu_index];
}

/* ---- registers ---------------------------------------------------------- */

/* Read the register at offset (in the APIC page) of cpu_index's APIC, on
 * behalf of that CPU.  BQL held.  Reserved registers read 0 and log an
 * illegal-register error; with the APIC disabled in the MSR the page is
 * not there and reads all ones. */
uint32_t apic_mmio_read(int cpu_index, uint32_t offset)
{
    APICState *s = apic_get(cpu_index);
    uint32_t off = offset & 0xff0;

    assert(offset < 0x1000);
    if (!apic_hw_enabled(s))
        return 0xffffffff;
    if (offset & 0xf)
        return 0;               /* the upper three dwords of a slot */
    if (off >= APIC_ISR && off < APIC_ISR + 0x80)
        return s->isr[(off - APIC_ISR) >> 4];
    if (off >= APIC_TMR && off < APIC_TMR + 0x80)
        return s->tmr[(off - APIC_TMR) >> 4];
    if (off >= APIC_IRR && off < APIC_IRR + 0x80)
        return s->irr[(off - APIC_IRR) >> 4];
    if (off >= APIC_LVT && off < APIC_LVT + 0x10 * LVT_NB)
        return s->lvt[(off - APIC_LVT) >> 4];
    switch (offset) {
    case APIC_ID:         return s->id << 24;
    case APIC_VERSION:    return APIC_VERSION_VALUE | (LVT_NB - 1) << 16;
    case APIC_TPR:        return s->tpr;
    case APIC_APR:        return apic_apr(s);
    case APIC_PPR:        return apic_ppr(s);
    case APIC_EOI:        return 0;
    case APIC_RRD:        return 0;
    case APIC_LDR:        return s->ldr;
    case APIC_DFR:        return s->dfr;
    case APIC_SVR:        return s->svr;
    case APIC_ESR:        return s->esr;
    case APIC_ICR_LO:     return s->icr_lo;     /* delivery status: always idle */
    case APIC_ICR_HI:     return s->icr_hi;
    case APIC_TIMER_INIT: return s->initial_count;
    case APIC_TIMER_CUR:  return apic_timer_count(s, clock_ns());
    case APIC_TIMER_DIV:  return s->divide_conf;
    default:
        apic_error(s, ESR_ILLEGAL_REGISTER);
        return 0;
    }
}

/* Write an LVT entry, keeping the read-only bits; a software-disabled APIC
 * keeps every entry masked. */
static void apic_write_lvt(APICState *s, int lvt, uint32_t value)
{
    int64_t now = clock_ns();
    uint32_t old = s->lvt[lvt], count = 0;

    if (lvt == LVT_TIMER) {
        apic_timer_expire(s, now);
        count = apic_timer_count(s, now);
    }
    value &= lvt_writable[lvt];
    if (!apic_sw_enabled(s))
        value |= LVT_MASKED;
    s->lvt[lvt] = (old & ~lvt_writable[lvt]) | value;
    if (lvt == LVT_TIMER) {
        uint32_t from = old & LVT_TIMER_MODE, to = s->lvt[LVT_TIMER] & LVT_TIMER_MODE;
        if (from != to && (from == LVT_DEADLINE || to == LVT_DEADLINE)) {
            s->initial_count = 0;               /* to or from TSC-deadline: disarmed */
            s->tsc_deadline = 0;
        } else if (from != to) {
            apic_timer_rebase(s, now, count);   /* one-shot <-> periodic keeps the count */
        }
        apic_timer_update(s, now);
    }
    /* A level-triggered LINT that is asserted now raises its interrupt. */
    if ((lvt == LVT_LINT0 || lvt == LVT_LINT1) && (value & LVT_LEVEL) &&
        s->lint_level[lvt - LVT_LINT0])
        apic_lvt_deliver(s, lvt);
}

/* Write the SVR.  Clearing the enable bit masks every LVT entry. */
static void apic_write_svr(APICState *s, uint32_t value)
{
    int64_t now = clock_ns();
    int i;

    apic_timer_expire(s, now);
    s->svr = value & (SVR_VECTOR | SVR_ENABLE | SVR_FOCUS_DISABLE);
    if (!(s->svr & SVR_ENABLE)) {
        for (i = 0; i < LVT_NB; i++)
            s->lvt[i] |= LVT_MASKED;
        apic_timer_update(s, now);
    }
}

/* Write the register at offset of cpu_index's APIC, on behalf of that CPU.
 * BQL held.  Writes to read-only registers are ignored; to reserved ones
 * they log an illegal-register error. */
void apic_mmio_write(int cpu_index, uint32_t offset, uint32_t value)
{
    APICState *s = apic_get(cpu_index);
    uint32_t off = offset & 0xff0, count;
    int64_t now;

    assert(offset < 0x1000);
    if (!apic_hw_enabled(s) || (offset & 0xf))
        return;
    if (off >= APIC_ISR && off < APIC_IRR + 0x80)
        return;                 /* ISR, TMR, IRR: read-only */
    if (off >= APIC_LVT && off < APIC_LVT + 0x10 * LVT_NB) {
        apic_write_lvt(s, (off - APIC_LVT) >> 4, value);
        apic_update_irq(s);
        return;
    }
    switch (offset) {
    case APIC_ID:
        s->id = value >> 24;
        break;
    case APIC_TPR:
        s->tpr = value & 0xff;
        break;
    case APIC_EOI:
        apic_eoi(s);
        break;
    case APIC_LDR:
        s->ldr = value & 0xff000000;
        break;
    case APIC_DFR:
        s->dfr = value | 0x0fffffff;
        break;
    case APIC_SVR:
        apic_write_svr(s, value);
        break;
    case APIC_ESR:
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case APIC_ICR_LO:
        s->icr_lo = value & ICR_LO_WRITABLE;
        apic_send_ipi(s);
        break;
    case APIC_ICR_HI:
        s->icr_hi = value & 0xff000000;
        break;
    case APIC_TIMER_INIT:
        now = clock_ns();
        apic_timer_expire(s, now);
        s->initial_count = value;
        s->start = now;
        apic_timer_update(s, now);
        break;
    case APIC_TIMER_DIV:
        now = clock_ns();
        apic_timer_expire(s, now);
        count = apic_timer_count(s, now);
        s->divide_conf = value & 0xb;
        s->shift = apic_divide_shift(s->divide_conf);
        apic_timer_rebase(s, now, count);
        apic_timer_update(s, now);
        break;
    case APIC_VERSION: case APIC_APR: case APIC_PPR: case APIC_RRD: case APIC_TIMER_CUR:
        break;          /* read-only */
    default:
        apic_error(s, ESR_ILLEGAL_REGISTER);
        break;
    }
    apic_update_irq(s);
}

/* ---- the monitor's info lapic ------------------------------------------------ */

/* The vectors set in a 256-bit register, as a list ("-" when none). */
static void apic_dump_vectors(FILE *f, const char *name, const uint32_t *bits)
{
    int any = 0;
    fprintf(f, "  %s:", name);
    for (int v = 0; v < 256; v++)
        if (bits[v >> 5] >> (v & 31) & 1) {
            fprintf(f, " %02x", v);
            any = 1;
        }
    fprintf(f, "%s\n", any ? "" : " -");
}

/* The local APIC of a CPU: ID, TPR, SVR, the vectors in service, requested
 * and level-triggered, the LVT and the timer.  BQL held. */
void apic_dump(int cpu_index, FILE *f)
{
    static const char *const lvt_name[LVT_NB] = { "timer", "thermal", "perf", "LINT0",
                                                  "LINT1", "error" };
    const APICState *s = apics[cpu_index];
    fprintf(f, "cpu %d: local APIC id %u, base %08llx (%s), tpr %02x, svr %03x (%s)\n",
            cpu_index, s->id, (unsigned long long)(s->base & ~0xfffull),
            apic_hw_enabled(s) ? "enabled" : "disabled", s->tpr, s->svr,
            apic_sw_enabled(s) ? "software-enabled" : "software-disabled");
    apic_dump_vectors(f, "ISR", s->isr);
    apic_dump_vectors(f, "IRR", s->irr);
    apic_dump_vectors(f, "TMR", s->tmr);
    for (int i = 0; i < LVT_NB; i++)
        fprintf(f, "  LVT %-7s %08x vector %02x%s\n", lvt_name[i], s->lvt[i],
                s->lvt[i] & LVT_VECTOR, s->lvt[i] & LVT_MASKED ? " masked" : "");
    fprintf(f, "  timer: %s, initial count %u, current count %u, divide by %d\n",
            timer_mode(s) == LVT_DEADLINE ? "TSC-deadline" :
            timer_mode(s) == LVT_PERIODIC ? "periodic" : timer_mode(s) ? "reserved mode" : "one-shot",
            s->initial_count,
            apic_timer_count(s, clock_ns()), 1 << s->shift);
}

/* ---- the base MSR ------------------------------------------------------- */

/* RDMSR IA32_APIC_BASE.  BQL held. */
uint64_t apic_get_base(int cpu_index)
{
    return apic_get(cpu_index)->base;
}

/* WRMSR IA32_APIC_BASE: the page address (bits 35:12) and the global enable
 * (bit 11); the BSP flag is read-only and other bits are ignored.  Clearing
 * the enable returns the APIC to its power-up state (SDM 10.4.3) and turns
 * it off: the CPU then sees LINT0 as INTR and LINT1 as NMI.  BQL held. */
void apic_set_base(int cpu_index, uint64_t value)
{
    APICState *s = apic_get(cpu_index);
    int was_enabled = apic_hw_enabled(s);

    uint64_t old = s->base;
    s->base = (value & (MSR_APIC_BASE_MASK | MSR_APIC_ENABLE)) | (s->base & MSR_APIC_BSP);
    if (was_enabled && !apic_hw_enabled(s)) {
        apic_init_reset(s);
        s->sipi_pending = 0;
    }
    if (s->base != old)
        memory_map_update();            /* the register page moved or went away */
    apic_update_irq(s);
}

/* RDMSR IA32_TSC_DEADLINE: 0 unless the timer is in TSC-deadline mode
 * and armed.  BQL held. */
uint64_t apic_get_tsc_deadline(int cpu_index)
{
    APICState *s = apic_get(cpu_index);
    return timer_mode(s) == LVT_DEADLINE ? s->tsc_deadline : 0;
}

/* WRMSR IA32_TSC_DEADLINE = tsc, the instant ns on CLOCK_MONOTONIC (the
 * vCPU converts, cpu.c): arm the timer for it (one already past fires
 * now), or disarm it with 0.  Ignored outside TSC-deadline mode (SDM
 * 10.5.4.1).  BQL held. */
void apic_set_tsc_deadline(int cpu_index, uint64_t tsc, int64_t ns)
{
    APICState *s = apic_get(cpu_index);
    int64_t now = clock_ns();

    if (timer_mode(s) != LVT_DEADLINE)
        return;
    apic_timer_expire(s, now);          /* a due interrupt is not lost to the new value */
    s->tsc_deadline = tsc;
    s->deadline_ns = ns;
    apic_timer_update(s, now);
    apic_timer_expire(s, now);          /* one already past fires now, not when the main loop runs */
}

/* ---- local interrupt pins ----------------------------------------------- */

/* LINT0 or LINT1 of cpu_index's APIC goes to level (1 = asserted; inputs
 * are logical levels, so the LVT polarity bit is stored but not applied).
 * Edge-triggered modes fire on the rising edge, level-triggered fixed ones
 * while asserted and not awaiting EOI; ExtINT is sampled whenever the CPU
 * asks.  With the APIC disabled in the MSR, LINT1 is the NMI pin. */
static void apic_set_lint(APICState *s, int pin, int level)
{
    int rising = level && !s->lint_level[pin];
    uint32_t e = s->lvt[LVT_LINT0 + pin];

    s->lint_level[pin] = level;
    if (!apic_hw_enabled(s)) {
        if (pin == 1 && rising)
            s->nmi_pending = 1;
    } else if ((e & LVT_LEVEL) && ((e & LVT_DELIVERY) >> 8) == DM_FIXED) {
        if (level)
            apic_lvt_deliver(s, LVT_LINT0 + pin);
    } else if (rising) {
        apic_lvt_deliver(s, LVT_LINT0 + pin);
    }
    apic_update_irq(s);
}

/* The 8259's INTR output, wired to LINT0.  BQL held. */
void apic_set_lint0(int cpu_index, int level)
{
    apic_set_lint(apic_get(cpu_index), 0, level != 0);
}

/* LINT1, usually the NMI line.  BQL held. */
void apic_set_lint1(int cpu_index, int level)
{
    apic_set_lint(apic_get(cpu_index), 1, level != 0);
}

/* ---- the CPU side ------------------------------------------------------- */

/* Is the 8259's INTR reaching the CPU: LINT0 asserted and programmed as
 * ExtINT, or the APIC absent (disabled in the MSR)? */
static int apic_lint0_extint(const APICState *s)
{
    uint32_t e = s->lvt[LVT_LINT0];

    if (!s->lint_level[0])
        return 0;
    if (!apic_hw_enabled(s))
        return 1;
    return !(e & LVT_MASKED) && ((e & LVT_DELIVERY) >> 8) == DM_EXTINT;
}

/* What the CPU could take now, a mask of APIC_INT_*: a fixed vector above
 * the PPR, the 8259's INTR, NMI, INIT, SIPI.  The CPU applies EFLAGS.IF
 * (to FIXED and EXTINT), its interrupt shadow and NMI blocking.  BQL held. */
int apic_interrupt_pending(int cpu_index)
{
    APICState *s = apic_get(cpu_index);
    int kinds = 0;

    if (apic_sw_enabled(s) && apic_deliverable_vector(s) >= 0)
        kinds |= APIC_INT_FIXED;
    if (apic_lint0_extint(s) || s->extint_pending)
        kinds |= APIC_INT_EXTINT;
    if (s->nmi_pending)
        kinds |= APIC_INT_NMI;
    if (s->init_pending)
        kinds |= APIC_INT_INIT;
    if (s->sipi_pending)
        kinds |= APIC_INT_SIPI;
    return kinds;
}

/* The CPU takes the most urgent interrupt among the kinds in accept (a
 * mask of APIC_INT_*): INIT, SIPI, NMI, a fixed vector, then ExtINT.
 * Sets *kind and returns the vector: the fixed vector (now in service), 2
 * for NMI, the SIPI's vector, 0 for INIT and ExtINT (the CPU runs
 * pic_intack() itself).  A fixed interrupt that the TPR masked since the
 * CPU saw it pending comes back as the spurious vector, with no ISR bit
 * and no EOI due.  Returns -1 with *kind = 0 when nothing accepted is
 * pending.  BQL held, on the vCPU's thread. */
int apic_acknowledge(int cpu_index, int accept, int *kind)
{
    APICState *s = apic_get(cpu_index);
    int vector;

    *kind = 0;
    if ((accept & APIC_INT_INIT) && s->init_pending) {
        apic_init_reset(s);             /* keeps a SIPI that came after the INIT */
        *kind = APIC_INT_INIT;
        vector = 0;
    } else if ((accept & APIC_INT_SIPI) && s->sipi_pending) {
        s->sipi_pending = 0;
        *kind = APIC_INT_SIPI;
        vector = s->sipi_vector;
    } else if ((accept & APIC_INT_NMI) && s->nmi_pending) {
        s->nmi_pending = 0;
        *kind = APIC_INT_NMI;
        vector = 2;
    } else if ((accept & APIC_INT_FIXED) && apic_sw_enabled(s) &&
               (vector = apic_deliverable_vector(s)) >= 0) {
        clear_bit256(s->irr, vector);
        set_bit256(s->isr, vector);
        *kind = APIC_INT_FIXED;
    } else if ((accept & APIC_INT_EXTINT) && (apic_lint0_extint(s) || s->extint_pending)) {
        s->extint_pending = 0;
        *kind = APIC_INT_EXTINT;
        vector = 0;
    } else if ((accept & APIC_INT_FIXED) && apic_sw_enabled(s) && highest_bit256(s->irr) >= 0) {
        *kind = APIC_INT_FIXED;
        vector = s->svr & SVR_VECTOR;
    } else {
        return -1;
    }
    apic_update_irq(s);
    return vector;
}

/* ==== IO-APIC (82093AA) ================================================== */

/* MMIO: an index register and a data window. */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN    0x10

/* Indirect registers, selected by IOREGSEL. */
#define IOAPIC_REG_ID     0x00          /* bits 27:24 the ID */
#define IOAPIC_REG_VER    0x01          /* version, max redirection entry */
#define IOAPIC_REG_ARB    0x02          /* arbitration ID, bits 27:24 */
#define IOAPIC_REG_REDTBL 0x10          /* entry n: low dword 0x10+2n, high 0x11+2n */

#define IOAPIC_VERSION_VALUE 0x11

/* Redirection entry bits */
#define IOAPIC_VECTOR     0xffull
#define IOAPIC_DELIVERY   0x700ull      /* DM_* << 8 */
#define IOAPIC_LOGICAL    (1ull << 11)  /* destination mode */
#define IOAPIC_STATUS     (1ull << 12)  /* delivery status: always idle here */
#define IOAPIC_POLARITY   (1ull << 13)  /* active low (stored, not applied) */
#define IOAPIC_REMOTE_IRR (1ull << 14)  /* level: accepted by a local APIC, no EOI yet */
#define IOAPIC_LEVEL      (1ull << 15)  /* trigger mode */
#define IOAPIC_MASKED     (1ull << 16)
#define IOAPIC_DEST_SHIFT 56
#define IOAPIC_WRITABLE   (IOAPIC_VECTOR | IOAPIC_DELIVERY | IOAPIC_LOGICAL | IOAPIC_POLARITY | \
                           IOAPIC_LEVEL | IOAPIC_MASKED | (0xffull << IOAPIC_DEST_SHIFT))

typedef struct IOAPICState {
    uint32_t id;                /* 4-bit ID */
    uint32_t regsel;            /* IOREGSEL */
    uint32_t level;             /* input pins, bit n = pin n asserted */
    uint64_t redir[IOAPIC_NUM_PINS];
} IOAPICState;

static IOAPICState ioapic;

/* Does entry e use the level-triggered protocol (remote IRR and EOI)?
 * Only fixed and lowest-priority entries do; NMI, INIT and ExtINT are
 * always edge-like. */
static int ioapic_entry_level(uint64_t e)
{
    int mode = (int)((e & IOAPIC_DELIVERY) >> 8);

    return (e & IOAPIC_LEVEL) && (mode == DM_FIXED || mode == DM_LOWEST);
}

/* Send pin's interrupt message if the pin should: an unmasked edge entry
 * (called on the rising edge), or an unmasked level entry whose line is
 * asserted and whose last message has been EOIed. */
static void ioapic_service(int pin)
{
    uint64_t e = ioapic.redir[pin];
    uint32_t dest = (uint32_t)(e >> IOAPIC_DEST_SHIFT);
    int logical = (e & IOAPIC_LOGICAL) != 0, level = ioapic_entry_level(e);

    if (e & IOAPIC_MASKED)
        return;
    if (level) {
        if (!(ioapic.level & (1u << pin)) || (e & IOAPIC_REMOTE_IRR))
            return;
        ioapic.redir[pin] |= IOAPIC_REMOTE_IRR;
    }
    apic_bus_deliver(apic_dest_set(dest, logical), (int)((e & IOAPIC_DELIVERY) >> 8),
                     (int)(e & IOAPIC_VECTOR), level);
}

/* A local APIC's EOI broadcast for a level-triggered vector: clear the
 * remote IRR of the entries with that vector, and send again for a line
 * that is still asserted. */
static void ioapic_eoi(int vector)
{
    int pin;

    for (pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t e = ioapic.redir[pin];
        if ((e & IOAPIC_REMOTE_IRR) && (int)(e & IOAPIC_VECTOR) == vector) {
            ioapic.redir[pin] &= ~IOAPIC_REMOTE_IRR;
            ioapic_service(pin);
        }
    }
}

/* Power-up state: ID 0, every entry masked.  Call at machine setup and on
 * a system reset.  BQL held. */
void ioapic_init(void)
{
    int pin;

    assert(bql_locked());
    memset(&ioapic, 0, sizeof ioapic);
    for (pin = 0; pin < IOAPIC_NUM_PINS; pin++)
        ioapic.redir[pin] = IOAPIC_MASKED;
}

/* The IO-APIC's ID (its ID register, bits 27:24), for the MP table. */
uint32_t ioapic_get_id(void)
{
    assert(bql_locked());
    return ioapic.id;
}

/* Input pin (0-23) goes to level (1 = asserted, as the device drives it;
 * polarity is not applied).  BQL held, any thread. */
void ioapic_set_irq(int pin, int level)
{
    uint32_t bit;
    int rising;

    assert(bql_locked());
    assert(pin >= 0 && pin < IOAPIC_NUM_PINS);
    bit = 1u << pin;
    rising = level && !(ioapic.level & bit);
    if (level)
        ioapic.level |= bit;
    else
        ioapic.level &= ~bit;
    if (ioapic_entry_level(ioapic.redir[pin]) ? level : rising)
        ioapic_service(pin);
}

/* Read the indirect register index. */
static uint32_t ioapic_read_reg(uint32_t index)
{
    uint32_t pin = (index - IOAPIC_REG_REDTBL) >> 1;

    switch (index) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:
        return ioapic.id << 24;
    case IOAPIC_REG_VER:
        return IOAPIC_VERSION_VALUE | (IOAPIC_NUM_PINS - 1) << 16;
    }
    if (index < IOAPIC_REG_REDTBL || pin >= IOAPIC_NUM_PINS)
        return 0;
    if (index & 1)
        return (uint32_t)(ioapic.redir[pin] >> 32);
    return (uint32_t)ioapic.redir[pin];
}

/* Write the indirect register index.  Switching an entry to edge clears
 * its remote IRR (Linux relies on this to unstick a lost EOI); an entry
 * left unmasked and level-triggered on an asserted line sends at once. */
static void ioapic_write_reg(uint32_t index, uint32_t value)
{
    uint32_t pin = (index - IOAPIC_REG_REDTBL) >> 1;
    uint64_t e, v;

    if (index == IOAPIC_REG_ID) {
        ioapic.id = (value >> 24) & 0xf;
        return;
    }
    if (index < IOAPIC_REG_REDTBL || pin >= IOAPIC_NUM_PINS)
        return;                                 /* VER, ARB: read-only */
    e = ioapic.redir[pin];
    if (index & 1)
        v = (e & 0xffffffffull) | (uint64_t)value << 32;
    else
        v = (e & 0xffffffff00000000ull) | value;
    e = (e & ~IOAPIC_WRITABLE) | (v & IOAPIC_WRITABLE);
    if (!(e & IOAPIC_LEVEL))
        e &= ~IOAPIC_REMOTE_IRR;
    ioapic.redir[pin] = e;
    if (ioapic_entry_level(e))
        ioapic_service((int)pin);
}

/* Read at offset in the IO-APIC page.  BQL held. */
uint32_t ioapic_mmio_read(uint32_t offset)
{
    assert(bql_locked());
    switch (offset) {
    case IOAPIC_IOREGSEL: return ioapic.regsel;
    case IOAPIC_IOWIN:    return ioapic_read_reg(ioapic.regsel);
    default:              return 0;
    }
}

/* Write at offset in the IO-APIC page.  BQL held. */
void ioapic_mmio_write(uint32_t offset, uint32_t value)
{
    assert(bql_locked());
    switch (offset) {
    case IOAPIC_IOREGSEL: ioapic.regsel = value & 0xff; break;
    case IOAPIC_IOWIN:    ioapic_write_reg(ioapic.regsel, value); break;
    default:              break;
    }
}
