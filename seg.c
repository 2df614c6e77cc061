/*
 * seg.c - protected-mode segmentation and privilege: descriptors, segment
 * register loads with their checks, far JMP/CALL/RET through call gates,
 * interrupts and exceptions through the IDT (with the ring switch through
 * the TSS), IRET, hardware task switches, the I/O permission bitmap and
 * the small system instructions (LLDT LTR LAR LSL VERR VERW ARPL SYSENTER
 * SYSEXIT).  Intel SDM Vol. 3, chapters 3, 5, 6 and 7, and the
 * instruction pages of Vol. 2, are the specification followed here.
 *
 * It is its own file (DESIGN.md names cpu.c for these helpers) because it
 * is one subject a student reads on its own, with the SDM beside it, and
 * it is as long as the rest of cpu.c.
 *
 * Everything here runs on the vCPU's own thread and touches only its own
 * CPU (and guest memory, through the supervisor accessors of tlb.c).  A
 * check that fails raises the exception at once (siglongjmp); nothing is
 * committed to the CPU before every check and every memory access that
 * can fault has been done, so the guest sees exact state.
 */
#include <string.h>

#include "vm.h"

/* ---- Descriptors ----------------------------------------------------------- */

typedef struct Desc {
    uint32_t lo, hi;
    uint32_t addr;          /* linear address of the descriptor */
} Desc;

/* Fields of the high dword. */
#define D_TYPE(d)   (((d).hi >> 8) & 15)
#define D_S(d)      (((d).hi >> 12) & 1)
#define D_DPL(d)    ((int)(((d).hi >> 13) & 3))
#define D_P(d)      (((d).hi >> 15) & 1)
#define D_DB(d)     (((d).hi >> 22) & 1)
#define D_G(d)      (((d).hi >> 23) & 1)

/* Code/data type bits (S = 1). */
#define T_CODE      8
#define T_CONFORM   4       /* code: conforming */
#define T_EXPDOWN   4       /* data: expand-down */
#define T_READ      2       /* code: readable */
#define T_WRITE     2       /* data: writable */
#define T_ACCESSED  1

/* System types (S = 0). */
enum {
    SYS_TSS16 = 1, SYS_LDT = 2, SYS_TSS16_BUSY = 3, SYS_CALL16 = 4, SYS_TASK = 5,
    SYS_INT16 = 6, SYS_TRAP16 = 7, SYS_TSS32 = 9, SYS_TSS32_BUSY = 11,
    SYS_CALL32 = 12, SYS_INT32 = 14, SYS_TRAP32 = 15,
};

static int is_code(Desc d) { return D_S(d) && (D_TYPE(d) & T_CODE); }
static int is_data(Desc d) { return D_S(d) && !(D_TYPE(d) & T_CODE); }
static int is_conforming(Desc d) { return is_code(d) && (D_TYPE(d) & T_CONFORM); }

static uint32_t desc_base(Desc d)
{
    return (d.lo >> 16) | ((d.hi & 0xff) << 16) | (d.hi & 0xff000000u);
}

static uint32_t desc_limit(Desc d)
{
    uint32_t l = (d.lo & 0xffff) | (d.hi & 0xf0000);
    return D_G(d) ? (l << 12) | 0xfff : l;
}

/* Read the descriptor of sel from the GDT or the LDT.  Returns 0 when it
 * lies beyond the table's limit (or the LDT is null). */
static int desc_read(CPU *cpu, uint32_t sel, Desc *d)
{
    uint32_t base, limit, off = sel & ~7u;
    if (sel & 4) {
        if (cpu->ldtr.limit < 0)
            return 0;
        base = cpu->ldtr.base;
        limit = (uint32_t)cpu->ldtr.limit;
    } else {
        base = cpu->gdt.base;
        limit = cpu->gdt.limit;
    }
    if (off + 7 > limit)
        return 0;
    d->addr = base + off;
    d->lo = sys_read(cpu, d->addr, 4);
    d->hi = sys_read(cpu, d->addr + 4, 4);
    return 1;
}

/* The processor sets the accessed bit of a code/data descriptor it loads. */
static void desc_set_accessed(CPU *cpu, Desc *d)
{
    if (D_S(*d) && !(d->hi & (T_ACCESSED << 8))) {
        d->hi |= T_ACCESSED << 8;
        sys_write(cpu, d->addr + 5, (d->hi >> 8) & 0xff, 1);
    }
}

/* Error code of a selector fault: index and TI, with EXT for events
 * external to the program. */
static uint32_t sel_err(uint32_t sel, int ext)
{
    return (sel & 0xfffc) | (ext ? 1u : 0u);
}

/* ---- Segment register caches ---------------------------------------------------- */

/* Fill segment register seg from a descriptor (no checks here). */
static void seg_set(CPU *cpu, int seg, uint32_t sel, Desc d)
{
    uint32_t limit = desc_limit(d);
    uint32_t flags = d.hi & 0x00f0ff00u;
    if (is_data(d) && (D_TYPE(d) & T_EXPDOWN)) {
        cpu_load_seg_cache(cpu, seg, sel, desc_base(d), D_DB(d) ? 0xffffffffu : 0xffff, flags);
        cpu->seg[seg].limit_lo = (int64_t)limit + 1;
        cpu_update_hflags(cpu);
    } else {
        cpu_load_seg_cache(cpu, seg, sel, desc_base(d), limit, flags);
    }
}

/* A null selector in DS ES FS GS: loading is fine, any use is #GP(0). */
static void seg_set_null(CPU *cpu, int seg, uint32_t sel)
{
    cpu_load_seg_cache(cpu, seg, sel, 0, 0, 0);
    cpu->seg[seg].limit = -1;
    cpu_update_hflags(cpu);
}

/* CS with a new CPL (conforming code keeps the caller's CPL). */
static void set_cs(CPU *cpu, uint32_t sel, Desc d, int cpl)
{
    desc_set_accessed(cpu, &d);
    seg_set(cpu, S_CS, (sel & ~3u) | (uint32_t)cpl, d);
    cpu_set_cpl(cpu, cpl);
}

/* MOV/POP to a segment register in protected mode (SDM Vol. 2, MOV). */
void seg_load_prot(CPU *cpu, int seg, uint32_t sel)
{
    Desc d;
    int rpl = sel & 3, cpl = cpu->cpl;
    sel &= 0xffff;
    if (seg == S_SS) {
        if ((sel & ~3u) == 0)
            raise_exception_err(cpu, EXC_GP, 0);
        if (!desc_read(cpu, sel, &d))
            raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
        if (rpl != cpl || !is_data(d) || !(D_TYPE(d) & T_WRITE) || D_DPL(d) != cpl)
            raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
        if (!D_P(d))
            raise_exception_err(cpu, EXC_SS, sel_err(sel, 0));
    } else {
        if ((sel & ~3u) == 0) {
            seg_set_null(cpu, seg, sel);
            return;
        }
        if (!desc_read(cpu, sel, &d))
            raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
        if (!D_S(d) || (is_code(d) && !(D_TYPE(d) & T_READ)))
            raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
        if (!is_conforming(d) && (rpl > D_DPL(d) || cpl > D_DPL(d)))
            raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
        if (!D_P(d))
            raise_exception_err(cpu, EXC_NP, sel_err(sel, 0));
    }
    desc_set_accessed(cpu, &d);
    seg_set(cpu, seg, sel, d);
}

/* After a return to an outer ring, data segments the new CPL may not use
 * are nulled (SDM RET/IRET: "FOR each of segment register ES, FS, GS, DS"). */
static void null_inaccessible_segments(CPU *cpu)
{
    static const int segs[4] = { S_ES, S_DS, S_FS, S_GS };
    for (int i = 0; i < 4; i++) {
        SegCache *sc = &cpu->seg[segs[i]];
        uint32_t type = (sc->flags >> 8) & 15;
        int dpl = (sc->flags >> 13) & 3;
        int data_or_nc = !(type & T_CODE) || !(type & T_CONFORM);
        if (sc->limit >= 0 && data_or_nc && dpl < cpu->cpl)
            seg_set_null(cpu, segs[i], 0);
    }
}

/* ---- The stack, for transfers that build frames ---------------------------------- */

/* A stack being written with a given SS descriptor and privilege: pushes
 * work on a local copy and are committed by the caller. */
typedef struct Stack {
    uint32_t base;
    int64_t limit, limit_lo;
    uint32_t mask;          /* 0xffff for a 16-bit stack */
    uint32_t sp;
    int mmu;
} Stack;

static void stack_from_cache(CPU *cpu, Stack *st)
{
    SegCache *ss = &cpu->seg[S_SS];
    st->base = ss->base;
    st->limit = ss->limit;
    st->limit_lo = ss->limit_lo;
    st->mask = (ss->flags & DESC_B) ? 0xffffffffu : 0xffff;
    st->sp = cpu->regs[R_ESP];
    st->mmu = cpu->cpl == 3 ? MMU_USER : MMU_SUPER;
}

static void stack_from_desc(Stack *st, Desc d, uint32_t sp, int cpl)
{
    uint32_t limit = desc_limit(d);
    st->base = desc_base(d);
    if (D_TYPE(d) & T_EXPDOWN) {
        st->limit_lo = (int64_t)limit + 1;
        st->limit = D_DB(d) ? 0xffffffffu : 0xffff;
    } else {
        st->limit_lo = 0;
        st->limit = limit;
    }
    st->mask = D_DB(d) ? 0xffffffffu : 0xffff;
    st->sp = sp;
    st->mmu = cpl == 3 ? MMU_USER : MMU_SUPER;
}

static void stack_check(CPU *cpu, Stack *st, uint32_t off, int size, uint32_t err)
{
    if ((int64_t)off < st->limit_lo || (int64_t)off + size - 1 > st->limit)
        raise_exception_err(cpu, EXC_SS, err);
}

static void stack_push(CPU *cpu, Stack *st, uint32_t v, int size, uint32_t err)
{
    uint32_t nsp = (st->sp - (uint32_t)size) & st->mask;
    stack_check(cpu, st, nsp, size, err);
    mem_write_mmu(cpu, st->base + nsp, v, size, st->mmu);
    st->sp = (st->sp & ~st->mask) | nsp;
}

static uint32_t stack_pop(CPU *cpu, Stack *st, int size)
{
    uint32_t off = st->sp & st->mask;
    stack_check(cpu, st, off, size, 0);
    uint32_t v = mem_read_mmu(cpu, st->base + off, size, st->mmu);
    st->sp = (st->sp & ~st->mask) | ((off + (uint32_t)size) & st->mask);
    return v;
}

/* Load SS:ESP from a Stack and a selector after all pushes succeeded. */
static void stack_commit(CPU *cpu, Stack *st)
{
    cpu->regs[R_ESP] = st->sp;
}

/* ---- The TSS ------------------------------------------------------------------------- */

static int tss_is32(const CPU *cpu)
{
    uint32_t type = (cpu->tr.flags >> 8) & 15;
    return type == SYS_TSS32 || type == SYS_TSS32_BUSY;
}

/* SS:ESP for privilege level dpl from the current TSS (SDM 6.12.1),
 * with the checks that raise #TS. */
static void tss_stack(CPU *cpu, int dpl, uint32_t *ss, uint32_t *esp, int ext)
{
    int is32 = tss_is32(cpu);
    uint32_t off = is32 ? (uint32_t)dpl * 8 + 4 : (uint32_t)dpl * 4 + 2;
    uint32_t len = is32 ? 8 : 4;
    if ((int64_t)(off + len - 1) > cpu->tr.limit)
        raise_exception_err(cpu, EXC_TS, sel_err(cpu->tr.sel, ext));
    if (is32) {
        *esp = sys_read(cpu, cpu->tr.base + off, 4);
        *ss = sys_read(cpu, cpu->tr.base + off + 4, 2);
    } else {
        *esp = sys_read(cpu, cpu->tr.base + off, 2);
        *ss = sys_read(cpu, cpu->tr.base + off + 2, 2);
    }
}

/* Check the new SS of an inner-privilege transfer (SDM CALL, INT n). */
static Desc check_new_ss(CPU *cpu, uint32_t ss, int dpl, int ext)
{
    Desc d;
    if ((ss & ~3u) == 0)
        raise_exception_err(cpu, EXC_TS, ext ? 1 : 0);
    if (!desc_read(cpu, ss, &d))
        raise_exception_err(cpu, EXC_TS, sel_err(ss, ext));
    if ((int)(ss & 3) != dpl || D_DPL(d) != dpl || !is_data(d) || !(D_TYPE(d) & T_WRITE))
        raise_exception_err(cpu, EXC_TS, sel_err(ss, ext));
    if (!D_P(d))
        raise_exception_err(cpu, EXC_SS, sel_err(ss, ext));
    return d;
}

/* ---- Task switches (SDM 7.3) ------------------------------------------------------------ */

enum { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT };

/* Save the outgoing task's state into its TSS. */
static void task_save(CPU *cpu, uint32_t eip, uint32_t eflags)
{
    uint32_t b = cpu->tr.base;
    if (tss_is32(cpu)) {
        sys_write(cpu, b + 32, eip, 4);
        sys_write(cpu, b + 36, eflags, 4);
        for (int r = 0; r < 8; r++)
            sys_write(cpu, b + 40 + 4 * (uint32_t)r, cpu->regs[r], 4);
        for (int s = 0; s < 6; s++)
            sys_write(cpu, b + 72 + 4 * (uint32_t)s, cpu->seg[s].sel, 2);
    } else {
        sys_write(cpu, b + 14, eip, 2);
        sys_write(cpu, b + 16, eflags, 2);
        for (int r = 0; r < 8; r++)
            sys_write(cpu, b + 18 + 2 * (uint32_t)r, cpu->regs[r], 2);
        for (int s = 0; s < 4; s++)
            sys_write(cpu, b + 34 + 2 * (uint32_t)s, cpu->seg[s].sel, 2);
    }
}

/* Set or clear the busy bit of the TSS descriptor of sel (in the GDT). */
static void tss_set_busy(CPU *cpu, uint32_t sel, int busy)
{
    Desc d;
    if (!desc_read(cpu, sel, &d))
        return;
    uint32_t hi = busy ? d.hi | 0x200 : d.hi & ~0x200u;
    sys_write(cpu, d.addr + 4, hi, 4);
}

/* Load one segment register of the incoming task: the checks of a normal
 * load, but failures are #TS (SDM 7.3, step 13). */
static void task_load_seg(CPU *cpu, int seg, uint32_t sel)
{
    Desc d;
    int cpl = cpu->cpl, rpl = sel & 3;
    if ((sel & ~3u) == 0) {
        if (seg == S_SS || seg == S_CS)
            raise_exception_err(cpu, EXC_TS, 0);
        seg_set_null(cpu, seg, sel);
        return;
    }
    if (!desc_read(cpu, sel, &d))
        raise_exception_err(cpu, EXC_TS, sel_err(sel, 0));
    if (seg == S_CS) {
        if (!is_code(d) || (is_conforming(d) ? D_DPL(d) > rpl : D_DPL(d) != rpl))
            raise_exception_err(cpu, EXC_TS, sel_err(sel, 0));
        if (!D_P(d))
            raise_exception_err(cpu, EXC_NP, sel_err(sel, 0));
    } else if (seg == S_SS) {
        if (!is_data(d) || !(D_TYPE(d) & T_WRITE) || D_DPL(d) != cpl || rpl != cpl)
            raise_exception_err(cpu, EXC_TS, sel_err(sel, 0));
        if (!D_P(d))
            raise_exception_err(cpu, EXC_SS, sel_err(sel, 0));
    } else {
        if (!D_S(d) || (is_code(d) && !(D_TYPE(d) & T_READ)) ||
            (!is_conforming(d) && (rpl > D_DPL(d) || cpl > D_DPL(d))))
            raise_exception_err(cpu, EXC_TS, sel_err(sel, 0));
        if (!D_P(d))
            raise_exception_err(cpu, EXC_NP, sel_err(sel, 0));
    }
    desc_set_accessed(cpu, &d);
    seg_set(cpu, seg, sel, d);
}

/* Load the LDTR of the incoming task. */
static void task_load_ldt(CPU *cpu, uint32_t sel)
{
    Desc d;
    cpu->ldtr.sel = (uint16_t)sel;
    if ((sel & ~3u) == 0) {
        cpu->ldtr.limit = -1;
        return;
    }
    if ((sel & 4) || !desc_read(cpu, sel, &d) || D_S(d) || D_TYPE(d) != SYS_LDT)
        raise_exception_err(cpu, EXC_TS, sel_err(sel, 0));
    if (!D_P(d))
        raise_exception_err(cpu, EXC_TS, sel_err(sel, 0));
    cpu->ldtr.base = desc_base(d);
    cpu->ldtr.limit = desc_limit(d);
    cpu->ldtr.flags = d.hi & 0x00f0ff00u;
}

/* Switch to the task whose TSS descriptor is d (selector sel).  eip is
 * where the outgoing task resumes. */
static void task_switch(CPU *cpu, uint32_t sel, Desc d, int source, uint32_t eip, int ext)
{
    if (log_mask & LOG_PCALL)
        log_printf("pcall: task switch to TSS %04x (source %d) from %04x:%08x\n", sel, source,
                   cpu->seg[S_CS].sel, eip);
    uint32_t type = D_TYPE(d);
    int new32 = (type & 8) != 0;
    if (D_S(d) || (source == TASK_IRET ? (type != SYS_TSS16_BUSY && type != SYS_TSS32_BUSY)
                                       : (type != SYS_TSS16 && type != SYS_TSS32)))
        raise_exception_err(cpu, source == TASK_IRET ? EXC_TS : EXC_GP, sel_err(sel, ext));
    if (!D_P(d))
        raise_exception_err(cpu, EXC_NP, sel_err(sel, ext));
    if (desc_limit(d) < (new32 ? 0x67u : 0x2bu))
        raise_exception_err(cpu, EXC_TS, sel_err(sel, ext));
    if (log_mask & LOG_INT)
        log_printf("task switch %04x -> %04x (%s)\n", cpu->tr.sel, sel,
                   source == TASK_JMP ? "jmp" : source == TASK_CALL ? "call" :
                   source == TASK_IRET ? "iret" : "int");

    /* Read the whole incoming state first: a fault here changes nothing. */
    uint32_t nb = desc_base(d), regs[8], segs[6] = { 0 }, neip, nflags, ncr3 = 0, nldt;
    if (new32) {
        ncr3 = sys_read(cpu, nb + 28, 4);
        neip = sys_read(cpu, nb + 32, 4);
        nflags = sys_read(cpu, nb + 36, 4);
        for (int r = 0; r < 8; r++)
            regs[r] = sys_read(cpu, nb + 40 + 4 * (uint32_t)r, 4);
        for (int s = 0; s < 6; s++)
            segs[s] = sys_read(cpu, nb + 72 + 4 * (uint32_t)s, 2);
        nldt = sys_read(cpu, nb + 96, 2);
    } else {
        neip = sys_read(cpu, nb + 14, 2);
        nflags = sys_read(cpu, nb + 16, 2);
        for (int r = 0; r < 8; r++)
            regs[r] = sys_read(cpu, nb + 18 + 2 * (uint32_t)r, 2) | 0xffff0000u;
        for (int s = 0; s < 4; s++)
            segs[s] = sys_read(cpu, nb + 34 + 2 * (uint32_t)s, 2);
        nldt = sys_read(cpu, nb + 42, 2);
    }

    uint32_t eflags = cpu_get_eflags(cpu);
    if (source == TASK_JMP || source == TASK_IRET)
        tss_set_busy(cpu, cpu->tr.sel, 0);
    task_save(cpu, eip, source == TASK_IRET ? eflags & ~(uint32_t)F_NT : eflags);
    if (source == TASK_CALL || source == TASK_INT) {
        sys_write(cpu, nb, cpu->tr.sel, 2);             /* back link */
        nflags |= F_NT;
    }
    if (source != TASK_IRET)
        tss_set_busy(cpu, sel, 1);

    /* Commit: TR, CR3, registers, flags; then the segments, checked. */
    cpu->tr.sel = (uint16_t)sel;
    cpu->tr.base = nb;
    cpu->tr.limit = desc_limit(d);
    cpu->tr.flags = (d.hi & 0x00f0ff00u) | (source != TASK_IRET ? 0x200u : 0);
    if (new32 && (cpu->cr[0] & CR0_PG) && ncr3 != cpu->cr[3]) {
        cpu->cr[3] = ncr3;
        tlb_flush_nonglobal(cpu);
    }
    for (int r = 0; r < 8; r++)
        cpu->regs[r] = new32 ? regs[r] : (cpu->regs[r] & 0xffff0000u) | (regs[r] & 0xffff);
    cpu->eip = neip;
    cpu_set_eflags(cpu, nflags | 2, new32 ? F_WRITABLE | F_VM : 0xffff & F_WRITABLE);
    cpu->cr[0] |= CR0_TS;
    fpu_resolve_sels(cpu);
    for (int s = 0; s < 6; s++)            /* selectors first, as the CPU does */
        cpu->seg[s].sel = (uint16_t)segs[s];
    cpu_set_cpl(cpu, segs[S_CS] & 3);
    task_load_ldt(cpu, nldt);
    task_load_seg(cpu, S_CS, segs[S_CS]);
    task_load_seg(cpu, S_SS, segs[S_SS]);
    task_load_seg(cpu, S_DS, segs[S_DS]);
    task_load_seg(cpu, S_ES, segs[S_ES]);
    if (new32) {
        task_load_seg(cpu, S_FS, segs[S_FS]);
        task_load_seg(cpu, S_GS, segs[S_GS]);
    }
    if ((int64_t)cpu->eip > cpu->seg[S_CS].limit)
        raise_exception_err(cpu, EXC_GP, 0);
}

/* A selector that names a TSS or a task gate: switch tasks. */
static void task_gate_or_tss(CPU *cpu, uint32_t sel, Desc d, int source, uint32_t eip, int ext)
{
    if (D_TYPE(d) == SYS_TASK) {
        uint32_t tss = d.lo >> 16;
        Desc td;
        if (!D_P(d))
            raise_exception_err(cpu, EXC_NP, sel_err(sel, ext));
        if ((tss & 4) || !desc_read(cpu, tss, &td))
            raise_exception_err(cpu, EXC_GP, sel_err(tss, ext));
        task_switch(cpu, tss, td, source, eip, ext);
    } else {
        task_switch(cpu, sel, d, source, eip, ext);
    }
}

/* ---- Far JMP, CALL, RET (SDM Vol. 2) ---------------------------------------------------- */

/* The code segment a far JMP/CALL goes to (directly or through a gate):
 * checks common to both. */
static void check_target_code(CPU *cpu, uint32_t sel, Desc *d)
{
    if ((sel & ~3u) == 0)
        raise_exception_err(cpu, EXC_GP, 0);
    if (!desc_read(cpu, sel, d))
        raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
    if (!is_code(*d))
        raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
}

/* The descriptor a far JMP/CALL names (not null, within its table). */
static Desc far_target(CPU *cpu, uint32_t sel)
{
    Desc d;
    if ((sel & ~3u) == 0)
        raise_exception_err(cpu, EXC_GP, 0);
    if (!desc_read(cpu, sel, &d))
        raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
    return d;
}

/* A far JMP/CALL straight to a code segment: conforming code at DPL <=
 * CPL, or non-conforming at DPL = CPL with RPL <= CPL; present; offset
 * within the limit. */
static void check_direct_code(CPU *cpu, uint32_t sel, Desc d, uint32_t offset)
{
    int cpl = cpu->cpl;
    if (is_conforming(d) ? D_DPL(d) > cpl : ((int)(sel & 3) > cpl || D_DPL(d) != cpl))
        raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
    if (!D_P(d))
        raise_exception_err(cpu, EXC_NP, sel_err(sel, 0));
    if (offset > desc_limit(d))
        raise_exception_err(cpu, EXC_GP, 0);
}

/* A call gate used by a far JMP/CALL: its own checks, then the code
 * segment it names (csel, c) and the offset (*off) it jumps to.  A CALL
 * may go to a more privileged segment, a JMP only to the same privilege. */
static void check_call_gate(CPU *cpu, uint32_t sel, Desc gate, int is_call,
                            uint32_t *csel, Desc *c, uint32_t *off)
{
    int cpl = cpu->cpl;
    if (D_DPL(gate) < cpl || D_DPL(gate) < (int)(sel & 3))
        raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
    if (!D_P(gate))
        raise_exception_err(cpu, EXC_NP, sel_err(sel, 0));
    *csel = gate.lo >> 16;
    *off = (gate.lo & 0xffff) | (D_TYPE(gate) == SYS_CALL32 ? gate.hi & 0xffff0000u : 0);
    check_target_code(cpu, *csel, c);
    int bad = is_call ? D_DPL(*c) > cpl
                      : (is_conforming(*c) ? D_DPL(*c) > cpl : D_DPL(*c) != cpl);
    if (bad)
        raise_exception_err(cpu, EXC_GP, sel_err(*csel, 0));
    if (!D_P(*c))
        raise_exception_err(cpu, EXC_NP, sel_err(*csel, 0));
    if (*off > desc_limit(*c))
        raise_exception_err(cpu, EXC_GP, 0);
}

/* A far JMP/CALL to a TSS or a task gate: a task switch. */
static int far_task(CPU *cpu, uint32_t sel, Desc d, int source, uint32_t next_eip)
{
    uint32_t type = D_TYPE(d);
    if (D_S(d) || (type != SYS_TASK && type != SYS_TSS16 && type != SYS_TSS32))
        return 0;
    if (D_DPL(d) < cpu->cpl || D_DPL(d) < (int)(sel & 3))
        raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
    task_gate_or_tss(cpu, sel, d, source, next_eip, 0);
    return 1;
}

void seg_far_jmp(CPU *cpu, uint32_t sel, uint32_t offset, uint32_t next_eip)
{
    sel &= 0xffff;
    Desc d = far_target(cpu, sel), c;
    uint32_t csel, off;
    if (is_code(d)) {
        check_direct_code(cpu, sel, d, offset);
        set_cs(cpu, sel, d, cpu->cpl);
        cpu->eip = offset;
    } else if (!D_S(d) && (D_TYPE(d) == SYS_CALL16 || D_TYPE(d) == SYS_CALL32)) {
        check_call_gate(cpu, sel, d, 0, &csel, &c, &off);
        set_cs(cpu, csel, c, cpu->cpl);
        cpu->eip = off;
    } else if (!far_task(cpu, sel, d, TASK_JMP, next_eip)) {
        raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
    }
}

/* A far CALL through a call gate to a more privileged, non-conforming
 * segment: new stack from the TSS, the caller's SS:ESP and `count`
 * parameters copied onto it (SDM 5.8.5). */
static void call_gate_inner(CPU *cpu, Desc gate, uint32_t csel, Desc c, uint32_t off,
                            uint32_t next_eip)
{
    int dpl = D_DPL(c), size = D_TYPE(gate) == SYS_CALL32 ? 4 : 2;
    uint32_t count = gate.hi & 0x1f, nss, nesp;
    tss_stack(cpu, dpl, &nss, &nesp, 0);
    Desc ssd = check_new_ss(cpu, nss, dpl, 0);
    Stack old, st;
    stack_from_cache(cpu, &old);
    stack_from_desc(&st, ssd, nesp, dpl);
    uint32_t err = sel_err(nss, 0);
    stack_push(cpu, &st, cpu->seg[S_SS].sel, size, err);
    stack_push(cpu, &st, old.sp, size, err);
    for (uint32_t i = count; i-- > 0;) {
        uint32_t v = mem_read_mmu(cpu, old.base + ((old.sp + i * (uint32_t)size) & old.mask),
                                  size, old.mmu);
        stack_push(cpu, &st, v, size, err);
    }
    stack_push(cpu, &st, cpu->seg[S_CS].sel, size, err);
    stack_push(cpu, &st, next_eip, size, err);
    desc_set_accessed(cpu, &ssd);
    seg_set(cpu, S_SS, (nss & ~3u) | (uint32_t)dpl, ssd);
    stack_commit(cpu, &st);
    set_cs(cpu, csel, c, dpl);
    cpu->eip = off;
}

/* Push the return CS:EIP (size bytes each) and jump to sel:offset at the
 * current privilege. */
static void call_same_level(CPU *cpu, uint32_t sel, Desc d, uint32_t offset,
                            uint32_t next_eip, int size)
{
    Stack st;
    stack_from_cache(cpu, &st);
    stack_push(cpu, &st, cpu->seg[S_CS].sel, size, 0);
    stack_push(cpu, &st, next_eip, size, 0);
    stack_commit(cpu, &st);
    set_cs(cpu, sel, d, cpu->cpl);
    cpu->eip = offset;
}

void seg_far_call(CPU *cpu, uint32_t sel, uint32_t offset, uint32_t next_eip, int size32)
{
    sel &= 0xffff;
    if (log_mask & LOG_PCALL)
        log_printf("pcall: far call to %04x:%08x from %04x:%08x (CPL %d)\n", sel, offset,
                   cpu->seg[S_CS].sel, cpu->eip, cpu->hflags & HF_CPL_MASK);
    Desc d = far_target(cpu, sel), c;
    uint32_t csel, off;
    if (is_code(d)) {
        check_direct_code(cpu, sel, d, offset);
        call_same_level(cpu, sel, d, offset, next_eip, size32 ? 4 : 2);
    } else if (!D_S(d) && (D_TYPE(d) == SYS_CALL16 || D_TYPE(d) == SYS_CALL32)) {
        check_call_gate(cpu, sel, d, 1, &csel, &c, &off);
        if (!is_conforming(c) && D_DPL(c) < cpu->cpl)
            call_gate_inner(cpu, d, csel, c, off, next_eip);
        else
            call_same_level(cpu, csel, c, off, next_eip, D_TYPE(d) == SYS_CALL32 ? 4 : 2);
    } else if (!far_task(cpu, sel, d, TASK_CALL, next_eip)) {
        raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
    }
}

/* The code segment a RETF/IRET returns to. */
static Desc check_return_cs(CPU *cpu, uint32_t cs)
{
    Desc d;
    int rpl = cs & 3;
    if ((cs & ~3u) == 0)
        raise_exception_err(cpu, EXC_GP, 0);
    if (!desc_read(cpu, cs, &d))
        raise_exception_err(cpu, EXC_GP, sel_err(cs, 0));
    if (!is_code(d) || rpl < cpu->cpl ||
        (is_conforming(d) ? D_DPL(d) > rpl : D_DPL(d) != rpl))
        raise_exception_err(cpu, EXC_GP, sel_err(cs, 0));
    if (!D_P(d))
        raise_exception_err(cpu, EXC_NP, sel_err(cs, 0));
    return d;
}

/* The SS a return to an outer ring loads. */
static Desc check_return_ss(CPU *cpu, uint32_t ss, int rpl)
{
    Desc d;
    if ((ss & ~3u) == 0)
        raise_exception_err(cpu, EXC_GP, 0);
    if (!desc_read(cpu, ss, &d))
        raise_exception_err(cpu, EXC_GP, sel_err(ss, 0));
    if ((int)(ss & 3) != rpl || !is_data(d) || !(D_TYPE(d) & T_WRITE) || D_DPL(d) != rpl)
        raise_exception_err(cpu, EXC_GP, sel_err(ss, 0));
    /* the RET/IRET exception lists say #NP for a not-present stack segment */
    if (!D_P(d))
        raise_exception_err(cpu, EXC_NP, sel_err(ss, 0));
    return d;
}

/* Finish a return to an outer ring: SS:ESP, CS:EIP, CPL, data segments. */
static void return_outer(CPU *cpu, uint32_t cs, Desc csd, uint32_t eip, uint32_t ss,
                         Desc ssd, uint32_t esp)
{
    int rpl = cs & 3;
    desc_set_accessed(cpu, &ssd);
    set_cs(cpu, cs, csd, rpl);
    seg_set(cpu, S_SS, ss, ssd);
    uint32_t mask = D_DB(ssd) ? 0xffffffffu : 0xffff;
    cpu->regs[R_ESP] = (cpu->regs[R_ESP] & ~mask) | (esp & mask);
    cpu->eip = eip;
    null_inaccessible_segments(cpu);
}

void seg_far_ret(CPU *cpu, int size32, uint32_t imm)
{
    int size = size32 ? 4 : 2;
    Stack st;
    stack_from_cache(cpu, &st);
    uint32_t eip = stack_pop(cpu, &st, size);
    uint32_t cs = stack_pop(cpu, &st, size) & 0xffff;
    Desc csd = check_return_cs(cpu, cs);
    if (eip > desc_limit(csd))
        raise_exception_err(cpu, EXC_GP, 0);
    st.sp = (st.sp & ~st.mask) | ((st.sp + imm) & st.mask);
    if ((int)(cs & 3) == cpu->cpl) {
        stack_commit(cpu, &st);
        set_cs(cpu, cs, csd, cpu->cpl);
        cpu->eip = eip;
        return;
    }
    uint32_t esp = stack_pop(cpu, &st, size);
    uint32_t ss = stack_pop(cpu, &st, size) & 0xffff;
    Desc ssd = check_return_ss(cpu, ss, cs & 3);
    return_outer(cpu, cs, csd, eip, ss, ssd, esp + imm);
}

/* ---- IRET --------------------------------------------------------------------------------- */

uint32_t cpu_iopl(const CPU *cpu)
{
    return (cpu->eflags >> 12) & 3;
}

/* The EFLAGS bits IRET may change at the current CPL and IOPL. */
static uint32_t iret_flags_mask(const CPU *cpu, int size32)
{
    uint32_t mask = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID | F_RF;
    if (cpu->cpl == 0)
        mask |= F_IOPL;
    if ((uint32_t)cpu->cpl <= cpu_iopl(cpu))
        mask |= F_IF;
    return size32 ? mask : mask & 0xffff;
}

void seg_iret(CPU *cpu, int size32, uint32_t next_eip)
{
    int size = size32 ? 4 : 2;
    if (cpu->eflags & F_NT) {                   /* return from a nested task */
        uint32_t back = sys_read(cpu, cpu->tr.base, 2);
        Desc d;
        if ((back & 4) || !desc_read(cpu, back, &d))
            raise_exception_err(cpu, EXC_TS, sel_err(back, 0));
        task_switch(cpu, back, d, TASK_IRET, next_eip, 0);
        return;
    }
    Stack st;
    stack_from_cache(cpu, &st);
    uint32_t eip = stack_pop(cpu, &st, size);
    uint32_t cs = stack_pop(cpu, &st, size) & 0xffff;
    uint32_t flags = stack_pop(cpu, &st, size);
    if (size32 && (flags & F_VM) && cpu->cpl == 0) {
        fprintf(stderr, "vm: IRET to virtual-8086 mode is not implemented yet\n");
        vm_exit(1);
    }
    Desc csd = check_return_cs(cpu, cs);
    if (eip > desc_limit(csd))
        raise_exception_err(cpu, EXC_GP, 0);
    uint32_t mask = iret_flags_mask(cpu, size32);
    if ((int)(cs & 3) == cpu->cpl) {
        stack_commit(cpu, &st);
        set_cs(cpu, cs, csd, cpu->cpl);
        cpu->eip = eip;
        cpu_set_eflags(cpu, flags, mask);
        return;
    }
    uint32_t esp = stack_pop(cpu, &st, size);
    uint32_t ss = stack_pop(cpu, &st, size) & 0xffff;
    Desc ssd = check_return_ss(cpu, ss, cs & 3);
    cpu_set_eflags(cpu, flags, mask);           /* with the old CPL's rights */
    return_outer(cpu, cs, csd, eip, ss, ssd, esp);
}

/* ---- Interrupts and exceptions through the IDT (SDM 6.12) ---------------------------------- */

void seg_interrupt(CPU *cpu, int vector, int is_soft, int has_error, uint32_t error,
                   uint32_t return_eip)
{
    int ext = !is_soft, cpl = cpu->cpl;
    uint32_t gerr = (uint32_t)vector * 8 + 2 + (ext ? 1u : 0u);
    if ((uint32_t)vector * 8 + 7 > cpu->idt.limit)
        raise_exception_err(cpu, EXC_GP, gerr);
    Desc g;
    g.addr = cpu->idt.base + (uint32_t)vector * 8;
    g.lo = sys_read(cpu, g.addr, 4);
    g.hi = sys_read(cpu, g.addr + 4, 4);
    uint32_t type = D_TYPE(g);
    if (D_S(g) || (type != SYS_TASK && type != SYS_INT16 && type != SYS_TRAP16 &&
                   type != SYS_INT32 && type != SYS_TRAP32))
        raise_exception_err(cpu, EXC_GP, gerr);
    if (is_soft && D_DPL(g) < cpl)
        raise_exception_err(cpu, EXC_GP, gerr);
    if (!D_P(g))
        raise_exception_err(cpu, EXC_NP, gerr);

    if (type == SYS_TASK) {
        task_gate_or_tss(cpu, g.lo >> 16, g, TASK_INT, return_eip, ext);
        if (has_error) {
            Stack st;
            stack_from_cache(cpu, &st);
            stack_push(cpu, &st, error, tss_is32(cpu) ? 4 : 2, 0);
            stack_commit(cpu, &st);
        }
        return;
    }

    int size = (type & 8) ? 4 : 2;
    uint32_t csel = g.lo >> 16;
    uint32_t off = (g.lo & 0xffff) | (size == 4 ? g.hi & 0xffff0000u : 0);
    Desc c;
    if ((csel & ~3u) == 0)
        raise_exception_err(cpu, EXC_GP, ext ? 1 : 0);
    if (!desc_read(cpu, csel, &c) || !is_code(c) || D_DPL(c) > cpl)
        raise_exception_err(cpu, EXC_GP, sel_err(csel, ext));
    if (!D_P(c))
        raise_exception_err(cpu, EXC_NP, sel_err(csel, ext));
    if (off > desc_limit(c))
        raise_exception_err(cpu, EXC_GP, ext ? 1 : 0);

    uint32_t eflags = cpu_get_eflags(cpu);
    int dpl = is_conforming(c) ? cpl : D_DPL(c);
    Stack st;
    Desc ssd;
    uint32_t nss = 0;
    if (dpl < cpl) {                            /* to an inner ring: TSS stack */
        uint32_t nesp;
        tss_stack(cpu, dpl, &nss, &nesp, ext);
        ssd = check_new_ss(cpu, nss, dpl, ext);
        stack_from_desc(&st, ssd, nesp, dpl);
        uint32_t err = sel_err(nss, ext);
        stack_push(cpu, &st, cpu->seg[S_SS].sel, size, err);
        stack_push(cpu, &st, cpu->regs[R_ESP], size, err);
        stack_push(cpu, &st, eflags, size, err);
        stack_push(cpu, &st, cpu->seg[S_CS].sel, size, err);
        stack_push(cpu, &st, return_eip, size, err);
        if (has_error)
            stack_push(cpu, &st, error, size, err);
        desc_set_accessed(cpu, &ssd);
        seg_set(cpu, S_SS, (nss & ~3u) | (uint32_t)dpl, ssd);
    } else {
        stack_from_cache(cpu, &st);
        stack_push(cpu, &st, eflags, size, 0);
        stack_push(cpu, &st, cpu->seg[S_CS].sel, size, 0);
        stack_push(cpu, &st, return_eip, size, 0);
        if (has_error)
            stack_push(cpu, &st, error, size, 0);
    }
    stack_commit(cpu, &st);
    set_cs(cpu, csel, c, dpl);
    cpu->eip = off;
    uint32_t clear = F_TF | F_NT | F_RF | F_VM;
    if (type == SYS_INT16 || type == SYS_INT32)
        clear |= F_IF;
    cpu_set_eflags(cpu, 0, clear);
}

/* ---- I/O permission (SDM Vol. 1, 18.5) ------------------------------------------------------ */

/* IN/OUT/INS/OUTS at CPL > IOPL: every bit of the port range in the TSS
 * I/O bitmap must be clear; a bitmap beyond the TSS limit denies. */
void seg_check_io(CPU *cpu, uint32_t port, int size)
{
    if (!(cpu->cr[0] & CR0_PE) || ((uint32_t)cpu->cpl <= cpu_iopl(cpu) && !(cpu->eflags & F_VM)))
        return;
    if (!tss_is32(cpu) || cpu->tr.limit < 103)
        raise_exception_err(cpu, EXC_GP, 0);
    uint32_t base = sys_read(cpu, cpu->tr.base + 102, 2);
    uint32_t off = base + (port >> 3);
    if ((int64_t)off + 1 > cpu->tr.limit)
        raise_exception_err(cpu, EXC_GP, 0);
    uint32_t bits = sys_read(cpu, cpu->tr.base + off, 2);
    uint32_t mask = ((1u << size) - 1) << (port & 7);
    if (bits & mask)
        raise_exception_err(cpu, EXC_GP, 0);
}

/* ---- LLDT LTR VERR VERW ARPL LAR LSL ------------------------------------------------------------ */

static void set_zf(CPU *cpu, int z)
{
    cc_set(cpu, z ? cc_get(cpu) | F_ZF : cc_get(cpu) & ~(uint32_t)F_ZF);
}

/* Whether the program may see descriptor d through selector sel (the
 * privilege rule of LAR LSL VERR VERW). */
static int desc_visible(const CPU *cpu, uint32_t sel, Desc d)
{
    if (is_conforming(d))
        return 1;
    return D_DPL(d) >= cpu->cpl && D_DPL(d) >= (int)(sel & 3);
}

void helper_sys(CPU *cpu, uint32_t value, int op)
{
    Desc d;
    uint32_t sel = value & 0xffff;
    switch (op) {
    case SYS_LLDT:
        if ((sel & ~3u) == 0) {
            cpu->ldtr.sel = (uint16_t)sel;
            cpu->ldtr.limit = -1;
            return;
        }
        if ((sel & 4) || !desc_read(cpu, sel, &d) || D_S(d) || D_TYPE(d) != SYS_LDT)
            raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
        if (!D_P(d))
            raise_exception_err(cpu, EXC_NP, sel_err(sel, 0));
        cpu->ldtr.sel = (uint16_t)sel;
        cpu->ldtr.base = desc_base(d);
        cpu->ldtr.limit = desc_limit(d);
        cpu->ldtr.flags = d.hi & 0x00f0ff00u;
        return;
    case SYS_LTR:
        if ((sel & ~3u) == 0)
            raise_exception_err(cpu, EXC_GP, 0);
        if ((sel & 4) || !desc_read(cpu, sel, &d) || D_S(d) ||
            (D_TYPE(d) != SYS_TSS16 && D_TYPE(d) != SYS_TSS32))
            raise_exception_err(cpu, EXC_GP, sel_err(sel, 0));
        if (!D_P(d))
            raise_exception_err(cpu, EXC_NP, sel_err(sel, 0));
        tss_set_busy(cpu, sel, 1);
        cpu->tr.sel = (uint16_t)sel;
        cpu->tr.base = desc_base(d);
        cpu->tr.limit = desc_limit(d);
        cpu->tr.flags = (d.hi & 0x00f0ff00u) | 0x200;
        return;
    case SYS_VERR: case SYS_VERW: {
        int ok = (sel & ~3u) != 0 && desc_read(cpu, sel, &d) && D_S(d);
        if (ok && op == SYS_VERR)
            ok = (is_data(d) || (D_TYPE(d) & T_READ)) && desc_visible(cpu, sel, d);
        if (ok && op == SYS_VERW)
            ok = is_data(d) && (D_TYPE(d) & T_WRITE) && desc_visible(cpu, sel, d);
        set_zf(cpu, ok);
        return;
    }
    }
}

/* LAR (op 2) / LSL (op 3) of selector sel: the result goes to the guest
 * register reg_size >> 8 at the operand size reg_size & 0xff; ZF says
 * whether it was loaded. */
void helper_lar_lsl(CPU *cpu, int op, uint32_t sel, int reg_size)
{
    Desc d;
    int reg = reg_size >> 8, size = reg_size & 0xff;
    sel &= 0xffff;
    int ok = (sel & ~3u) != 0 && desc_read(cpu, sel, &d);
    if (ok && !D_S(d)) {
        static const uint8_t lar_ok[16] = { [1] = 1, [2] = 1, [3] = 1, [4] = 1, [5] = 1,
                                            [9] = 1, [11] = 1, [12] = 1 };
        static const uint8_t lsl_ok[16] = { [1] = 1, [2] = 1, [3] = 1, [9] = 1, [11] = 1 };
        ok = op == 2 ? lar_ok[D_TYPE(d)] : lsl_ok[D_TYPE(d)];
    }
    if (ok)
        ok = desc_visible(cpu, sel, d);
    set_zf(cpu, ok);
    if (!ok)
        return;
    uint32_t v = op == 2 ? d.hi & 0x00ffff00u : desc_limit(d);
    if (size == 2)
        cpu->regs[reg] = (cpu->regs[reg] & 0xffff0000u) | (v & 0xffff);
    else
        cpu->regs[reg] = v;
}

/* ARPL: the destination selector's RPL is raised to the source's (ZF=1),
 * or left alone (ZF=0).  Returns the new destination. */
uint32_t helper_arpl(CPU *cpu, uint32_t dest, uint32_t src)
{
    if ((dest & 3) < (src & 3)) {
        set_zf(cpu, 1);
        return (dest & ~3u) | (src & 3);
    }
    set_zf(cpu, 0);
    return dest;
}

/* ---- SYSENTER / SYSEXIT (SDM Vol. 2) --------------------------------------------------------- */

/* Flat 4 GiB segments, as SYSENTER and SYSEXIT load them without reading
 * the GDT. */
static void load_flat(CPU *cpu, int seg, uint32_t sel, int dpl, int code)
{
    uint32_t flags = (code ? 0xb00u : 0x300u) | DESC_S | ((uint32_t)dpl << 13) | 0x8000u |
                     DESC_B | (1u << 23);
    cpu_load_seg_cache(cpu, seg, sel, 0, 0xffffffffu, flags);
}

void helper_sysenter(CPU *cpu)
{
    uint32_t cs = (uint32_t)cpu->msr_sysenter_cs & 0xfffc;
    if (!(cpu->cr[0] & CR0_PE) || cs == 0)
        raise_exception_err(cpu, EXC_GP, 0);
    cpu_set_eflags(cpu, 0, F_VM | F_IF | F_RF);
    cpu_set_cpl(cpu, 0);
    load_flat(cpu, S_CS, cs, 0, 1);
    load_flat(cpu, S_SS, cs + 8, 0, 0);
    cpu->regs[R_ESP] = (uint32_t)cpu->msr_sysenter_esp;
    cpu->eip = (uint32_t)cpu->msr_sysenter_eip;
}

void helper_sysexit(CPU *cpu)
{
    uint32_t cs = (uint32_t)cpu->msr_sysenter_cs & 0xfffc;
    if (!(cpu->cr[0] & CR0_PE) || cpu->cpl != 0 || cs == 0)
        raise_exception_err(cpu, EXC_GP, 0);
    cpu_set_cpl(cpu, 3);
    load_flat(cpu, S_CS, (cs + 16) | 3, 3, 1);
    load_flat(cpu, S_SS, (cs + 24) | 3, 3, 0);
    cpu->regs[R_ESP] = cpu->regs[R_ECX];
    cpu->eip = cpu->regs[R_EDX];
}
