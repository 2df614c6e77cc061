/*
 * cpu.c - the vCPU: the execution loop (cpu_exec), exceptions and
 * interrupts, and the C helpers that translated code calls for what is
 * rare or complex (division, BCD, string instructions, port I/O, far
 * transfers, INT/IRET, control registers, CPUID).
 *
 * Exceptions: a helper that faults records the vector in the CPU and
 * siglongjmps to cpu_exec, which delivers it.  CPU.eip always holds the
 * address of the instruction that is executing when a helper runs (the
 * translated code stores it before the call), and translated code commits
 * register changes only after every access that may fault, so the state is
 * exact at the faulting instruction.
 *
 * Implemented here for now: real-address mode (8086..80386 semantics as a
 * Pentium Pro runs them).  Protected mode comes with the next issue.
 *
 * Threads and locks: everything here runs on the vCPU's own thread and
 * touches only its own CPU; port I/O goes to devices.c (the threads issue
 * takes the BQL around it).
 */
#include <assert.h>
#include <cpuid.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

__thread CPU *current_cpu;

/* CPUID family/model/stepping: a Pentium Pro class part (family 6). */
#define CPU_SIGNATURE 0x00000633u

void cpu_init(CPU *cpu, Machine *m, int index)
{
    memset(cpu, 0, sizeof(*cpu));
    cpu->machine = m;
    cpu->index = index;
    pthread_mutex_init(&cpu->halt_lock, NULL);
    pthread_cond_init(&cpu->halt_cond, NULL);
    pthread_mutex_init(&cpu->work_lock, NULL);
    cpu_reset(cpu);
    view_init(cpu);
}

/* ---- Exclusive sections (QEMU's cpus-common.c, simplified) -------------------
 *
 * Each vCPU is "running" while it may execute guest code: from
 * cpu_exec_start to cpu_exec_end.  start_exclusive counts the running
 * vCPUs into pending_cpus, kicks them, and waits until each has passed
 * cpu_exec_end; a vCPU that wants to run again waits in cpu_exec_start
 * until end_exclusive.  A vCPU leaves its region at every kick (cpu_exec's
 * checkpoint), before it sleeps in HLT and before it starts an exclusive
 * section itself.  All of it is guarded by exclusive_lock. */
static pthread_mutex_t exclusive_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t exclusive_cond = PTHREAD_COND_INITIALIZER;   /* for the starter */
static pthread_cond_t exclusive_resume = PTHREAD_COND_INITIALIZER; /* for the others */
static int pending_cpus;        /* 0 none; else 1 + vCPUs still to stop; written
                                 * under exclusive_lock, peeked at atomically */

void cpu_exec_start(CPU *cpu)
{
    pthread_mutex_lock(&exclusive_lock);
    while (pending_cpus)
        pthread_cond_wait(&exclusive_resume, &exclusive_lock);
    cpu->running = 1;
    pthread_mutex_unlock(&exclusive_lock);
}

void cpu_exec_end(CPU *cpu)
{
    pthread_mutex_lock(&exclusive_lock);
    cpu->running = 0;
    if (cpu->has_waiter) {
        cpu->has_waiter = 0;
        if (__atomic_sub_fetch(&pending_cpus, 1, __ATOMIC_RELEASE) == 1)
            pthread_cond_signal(&exclusive_cond);
    }
    pthread_mutex_unlock(&exclusive_lock);
}

void start_exclusive(void)
{
    assert(!bql_locked());
    pthread_mutex_lock(&exclusive_lock);
    while (pending_cpus)                /* another exclusive section first */
        pthread_cond_wait(&exclusive_resume, &exclusive_lock);
    __atomic_store_n(&pending_cpus, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < machine.ncpus; i++) {
        CPU *other = machine.cpus[i];
        if (other->running) {
            other->has_waiter = 1;
            __atomic_add_fetch(&pending_cpus, 1, __ATOMIC_RELEASE);
            cpu_kick(other);
        }
    }
    while (pending_cpus > 1)
        pthread_cond_wait(&exclusive_cond, &exclusive_lock);
    pthread_mutex_unlock(&exclusive_lock);
}

void end_exclusive(void)
{
    pthread_mutex_lock(&exclusive_lock);
    __atomic_store_n(&pending_cpus, 0, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&exclusive_resume);
    pthread_mutex_unlock(&exclusive_lock);
}

/* A vCPU's own exclusive section: it leaves its execution region first,
 * so that another vCPU's start_exclusive need not wait for it. */
void cpu_start_exclusive(CPU *cpu)
{
    cpu_exec_end(cpu);
    start_exclusive();
}

void cpu_end_exclusive(CPU *cpu)
{
    end_exclusive();
    cpu_exec_start(cpu);
}

/* Is someone waiting for this vCPU to leave its region?  (A racy peek:
 * a kick follows every change that matters.) */
static int exclusive_wanted(void)
{
    return __atomic_load_n(&pending_cpus, __ATOMIC_ACQUIRE) != 0;
}

/* ---- run_on_cpu --------------------------------------------------------------- */

typedef struct WorkItem {
    struct WorkItem *next;
    RunOnCpuFn fn;
    void *data;
    int async;                  /* freed after it runs; nobody waits */
    int done;                   /* BQL: set after fn ran */
} WorkItem;

static pthread_cond_t work_done_cond = PTHREAD_COND_INITIALIZER;   /* with the BQL */

static void queue_work(CPU *cpu, WorkItem *w)
{
    pthread_mutex_lock(&cpu->work_lock);
    WorkItem **pp = &cpu->work;
    while (*pp)
        pp = &(*pp)->next;
    w->next = NULL;
    *pp = w;
    pthread_mutex_unlock(&cpu->work_lock);
    cpu_kick(cpu);
}

void async_run_on_cpu(CPU *cpu, RunOnCpuFn fn, void *data)
{
    WorkItem *w = calloc(1, sizeof(*w));
    if (!w) {
        fprintf(stderr, "vm: out of memory\n");
        exit(2);
    }
    w->fn = fn;
    w->data = data;
    w->async = 1;
    queue_work(cpu, w);
}

void run_on_cpu(CPU *cpu, RunOnCpuFn fn, void *data)
{
    assert(bql_locked());
    if (cpu == current_cpu) {
        fn(cpu, data);
        return;
    }
    WorkItem w = { .fn = fn, .data = data };
    queue_work(cpu, &w);
    while (!w.done)
        bql_cond_wait(&work_done_cond);
}

/* On the vCPU's thread, at a block boundary, holding no lock. */
static void process_work(CPU *cpu)
{
    for (;;) {
        pthread_mutex_lock(&cpu->work_lock);
        WorkItem *w = cpu->work;
        if (w)
            cpu->work = w->next;
        pthread_mutex_unlock(&cpu->work_lock);
        if (!w)
            return;
        bql_lock();
        if (w->async) {                 /* fn may not return (a reset) */
            WorkItem copy = *w;
            free(w);
            copy.fn(cpu, copy.data);
        } else {
            w->fn(cpu, w->data);
            w->done = 1;
            pthread_cond_broadcast(&work_done_cond);
        }
        bql_unlock();
    }
}

static int work_pending(CPU *cpu)
{
    pthread_mutex_lock(&cpu->work_lock);
    int pending = cpu->work != NULL;
    pthread_mutex_unlock(&cpu->work_lock);
    return pending;
}

/* A kick arrived: run queued work, and step out of the way of an
 * exclusive section. */
static void cpu_checkpoint(CPU *cpu)
{
    if (exclusive_wanted()) {
        cpu_exec_end(cpu);
        cpu_exec_start(cpu);
    }
    process_work(cpu);
}

/* ---- Stopping the machine for the debugger (gdbstub.c) --------------------------
 *
 * All-stop: the stub asks every vCPU to park (debug_stop_req) and kicks it;
 * each one parks at its next block boundary, outside its execution region
 * (so exclusive sections need not wait for it), sleeping on resume_cond
 * with the BQL as the mutex.  The stub (main thread, BQL held) waits on
 * parked_cond until all have parked; from then on it may read and write
 * every CPU and guest memory, since no vCPU runs, and taking the BQL back
 * when it wakes orders the stub's writes before the vCPU's reads.  A
 * vCPU that hits a breakpoint or ends a single step starts the stop
 * itself and tells the stub through a bottom half (gdb_stopped).
 * debug_stop_req and CPU.debug_step are written under the BQL and read
 * atomically by running vCPUs; cpus_parked and debug_stop_cpu are the BQL's. */
static int debug_stop_req;
static int cpus_parked;
static CPU *debug_stop_cpu;     /* the vCPU whose breakpoint or step stopped us */
static pthread_cond_t parked_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t resume_cond = PTHREAD_COND_INITIALIZER;

/* With -accel tcg,thread=single, the one thread parks in whichever vCPU
 * it runs: all of them are stopped then.  To step another vCPU it leaves
 * its park and hands the thread on (cpu_exec returns) until it reaches
 * the one that steps. */
static int debug_stepping_any(void)
{
    for (int i = 0; i < machine.ncpus; i++)
        if (__atomic_load_n(&machine.cpus[i]->debug_step, __ATOMIC_ACQUIRE))
            return 1;
    return 0;
}

/* The debugger holds the machine and this vCPU does not step. */
static int debug_held(CPU *cpu)
{
    return __atomic_load_n(&debug_stop_req, __ATOMIC_ACQUIRE) &&
           !__atomic_load_n(&cpu->debug_step, __ATOMIC_ACQUIRE);
}

static int debug_should_park(CPU *cpu)
{
    return debug_held(cpu) && !(machine.single_thread && debug_stepping_any());
}

/* On the vCPU's thread at a block boundary, holding no lock: sleep until
 * the debugger resumes the machine or single-steps this vCPU. */
static void cpu_debug_park(CPU *cpu)
{
    cpu_exec_end(cpu);
    bql_lock();
    cpus_parked++;
    pthread_cond_broadcast(&parked_cond);
    while (debug_should_park(cpu))
        bql_cond_wait(&resume_cond);
    cpus_parked--;
    bql_unlock();
    cpu_exec_start(cpu);
}

/* Ask every vCPU to park (BQL held; any thread). */
static void debug_request_stop_locked(void)
{
    __atomic_store_n(&debug_stop_req, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < machine.ncpus; i++)
        cpu_kick(machine.cpus[i]);
}

/* Main thread, BQL held: stop every vCPU at a block boundary and return
 * once all are parked.  A single step still under way is abandoned. */
void vm_debug_stop(void)
{
    assert(bql_locked() && !current_cpu);
    for (int i = 0; i < machine.ncpus; i++)
        __atomic_store_n(&machine.cpus[i]->debug_step, 0, __ATOMIC_RELEASE);
    debug_request_stop_locked();
    while (cpus_parked < (machine.single_thread ? 1 : machine.ncpus))
        bql_cond_wait(&parked_cond);
}

/* Main thread, BQL held, every vCPU parked: run them all again, or with
 * step only that one, for one instruction (the others stay parked). */
void vm_debug_resume(CPU *step)
{
    debug_stop_cpu = NULL;
    if (step)
        __atomic_store_n(&step->debug_step, 1, __ATOMIC_RELEASE);
    else
        __atomic_store_n(&debug_stop_req, 0, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&resume_cond);
}

/* Main thread, BQL held: is the machine stopped (or stopping) for a
 * debugger or the monitor? */
int vm_debug_stopped(void)
{
    return debug_stop_req;
}

/* Main thread, BQL held: park every vCPU so that the monitor can read
 * their state.  Returns 0 (the machine ran: vm_debug_resume(NULL) lets it
 * run on), 1 (it was stopped already: leave it so), or -1 without waiting
 * when gdb's single step is under way (it may wait in HLT for an interrupt
 * only this thread's timers can bring). */
int vm_debug_pause(void)
{
    if (!debug_stop_req) {
        vm_debug_stop();
        return 0;
    }
    if (debug_stepping_any())
        return -1;
    while (cpus_parked < (machine.single_thread ? 1 : machine.ncpus))
        bql_cond_wait(&parked_cond);
    return 1;
}

/* -S: the vCPUs park before their first instruction (before they start). */
void vm_debug_start_stopped(void)
{
    debug_stop_req = 1;
}

/* Main thread, BQL held: the vCPU whose breakpoint or step stopped the
 * machine, or NULL (a Ctrl-C, or nothing yet). */
CPU *vm_debug_stop_cpu(void)
{
    return debug_stop_cpu;
}

/* On the vCPU's thread, no lock held: it reached a breakpoint (at CS:EIP,
 * not yet run) or finished a single step.  Stop the machine and tell the
 * stub; the vCPU parks at the top of cpu_exec's loop. */
static void cpu_debug_stopped(CPU *cpu)
{
    bql_lock();
    __atomic_store_n(&cpu->debug_step, 0, __ATOMIC_RELEASE);
    if (!debug_stop_cpu)
        debug_stop_cpu = cpu;
    debug_request_stop_locked();
    bql_unlock();
    gdb_stopped();
}

/* ---- Kicks and interrupt requests (any thread) ---------------------------------- */

/* Make the vCPU leave translated code at a block boundary soon (the next
 * jump back or looked-up jump: translate.c gen_exit_check), and wake it if
 * it sleeps in HLT. */
static pthread_mutex_t rr_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rr_cond = PTHREAD_COND_INITIALIZER;

void cpu_kick(CPU *cpu)
{
    __atomic_store_n(&cpu->exit_request, EXIT_REQUESTED, __ATOMIC_RELEASE);
    pthread_mutex_lock(&cpu->halt_lock);
    pthread_cond_signal(&cpu->halt_cond);
    pthread_mutex_unlock(&cpu->halt_lock);
    if (machine.single_thread) {        /* the one thread may sleep for all */
        pthread_mutex_lock(&rr_lock);
        pthread_cond_signal(&rr_cond);
        pthread_mutex_unlock(&rr_lock);
    }
}

/* A local APIC's output may have changed (BQL held): record what it has
 * pending for its CPU and kick that CPU. */
void cpu_apic_changed(int cpu_index)
{
    CPU *cpu = cpu_index < machine.ncpus ? machine.cpus[cpu_index] : NULL;
    if (!cpu)
        return;
    int pending = apic_interrupt_pending(cpu_index);
    __atomic_store_n(&cpu->interrupt_request, pending, __ATOMIC_RELEASE);
    if (pending)
        cpu_kick(cpu);
}

/* The 8259's INTR output may have changed (BQL held): it reaches the boot
 * processor through its local APIC's LINT0 (virtual-wire mode). */
void cpu_interrupt_changed(void)
{
    apic_set_lint0(0, pic_get_intr());
}

/* The state after RESET or INIT, as the Intel SDM (Vol. 3, 9.1.1) gives
 * it, but for the x87, which INIT leaves alone (Table 9-1). */
static void cpu_reset_common(CPU *cpu)
{
    memset(cpu->regs, 0, sizeof(cpu->regs));
    cpu->regs[R_EDX] = CPU_SIGNATURE;
    cpu->eip = 0xfff0;
    cpu->eflags = 0x2;
    cc_set(cpu, 0);
    cpu->df = 1;
    /* Real-mode caches as after RESET: present, accessed, 64 KiB. */
    for (int i = 0; i < 6; i++)
        cpu_load_seg_cache(cpu, i, 0, 0, 0xffff, 0x9300);
    cpu_load_seg_cache(cpu, S_CS, 0xf000, 0xffff0000u, 0xffff, 0x9b00);
    memset(cpu->cr, 0, sizeof(cpu->cr));
    cpu->cr[0] = 0x60000010u;           /* CD, NW, ET */
    memset(cpu->dr, 0, sizeof(cpu->dr));
    cpu->dr[6] = 0xffff0ff0u;
    cpu->dr[7] = 0x400;
    cpu->gdt.base = cpu->idt.base = 0;
    cpu->gdt.limit = cpu->idt.limit = 0xffff;
    memset(&cpu->ldtr, 0, sizeof(cpu->ldtr));
    memset(&cpu->tr, 0, sizeof(cpu->tr));
    cpu->ldtr.limit = cpu->tr.limit = 0xffff;
    cpu->ldtr.flags = 0x8200;
    cpu->tr.flags = 0x8b00;
    cpu->cpl = 0;
    cpu->msr_sysenter_cs = cpu->msr_sysenter_esp = cpu->msr_sysenter_eip = 0;
    cpu->tsc_offset = 0;
    cpu->a20_mask = 0xffffffffu;
    cpu->exc_vector = -1;
    cpu->exc_nesting = -1;
    cpu->halted = 0;
    cpu->single_insn = 0;
    cpu_update_hflags(cpu);
    tlb_flush(cpu);
}

/* RESET: on the vCPU's own thread, or before it starts. */
void cpu_reset(CPU *cpu)
{
    cpu_reset_common(cpu);
    fpu_reset(cpu);
}

/* ---- EFLAGS ------------------------------------------------------------- */

uint32_t cpu_get_eflags(const CPU *cpu)
{
    return (cpu->eflags & ~(uint32_t)(F_ARITH | F_DF)) | cc_get(cpu) |
           (cpu->df < 0 ? F_DF : 0) | 0x2;
}

/* Replace the bits of EFLAGS in mask with those of value. */
void cpu_set_eflags(CPU *cpu, uint32_t value, uint32_t mask)
{
    uint32_t f = (cpu_get_eflags(cpu) & ~mask) | (value & mask);
    cc_set(cpu, f);
    cpu->df = (f & F_DF) ? -1 : 1;
    cpu->eflags = (f & ~(uint32_t)(F_ARITH | F_DF)) | 0x2;
    cpu_update_hflags(cpu);
}

/* Recompute the mode bits that translation blocks depend on. */
void cpu_update_hflags(CPU *cpu)
{
    uint32_t h = (uint32_t)cpu->cpl & HF_CPL_MASK;
    for (int i = 0; i < 6; i++)
        if (cpu->seg[i].limit_lo)
            h |= HF_EXPDOWN;
    if (cpu->seg[S_CS].flags & DESC_B)
        h |= HF_CS32;
    if (cpu->seg[S_SS].flags & DESC_B)
        h |= HF_SS32;
    if (cpu->cr[0] & CR0_PE)
        h |= HF_PE;
    if (cpu->eflags & F_VM)
        h |= HF_VM;
    if (cpu->eflags & F_TF)
        h |= HF_TF;
    int seg64k = 1;
    for (int i = 0; i < 6; i++)
        if (cpu->seg[i].limit != 0xffff || cpu->seg[i].limit_lo)
            seg64k = 0;
    if (seg64k)
        h |= HF_SEG64K;
    int flat = 1;
    static const int flat_segs[3] = { S_DS, S_ES, S_SS };
    for (int i = 0; i < 3; i++) {
        const SegCache *sc = &cpu->seg[flat_segs[i]];
        if (sc->base != 0 || sc->limit != 0xffffffffu || sc->limit_lo)
            flat = 0;
    }
    if (flat)
        h |= HF_FLAT;
    if (cpu->seg[S_CS].limit == 0xffffffffu)
        h |= HF_CS_FLAT;
    /* user code's TLS (glibc's %gs:0x14 canary in every protected
     * function); not at CPL 0, where Linux leaves the user's GS and the
     * kernel's blocks would be translated again for each kind of process */
    if (cpu->cpl == 3 && (cpu->cr[0] & CR0_PE) && !(cpu->eflags & F_VM) &&
        cpu->seg[S_GS].limit == 0xffffffffu && !cpu->seg[S_GS].limit_lo)
        h |= HF_GS4G;
    if ((cpu->cr[0] & CR0_AM) && (cpu->eflags & F_AC) && cpu->cpl == 3)
        h |= HF_AC;
    if ((cpu->cr[0] & CR0_PE) && !(cpu->eflags & F_VM)) {
        static const int data_segs[5] = { S_ES, S_SS, S_DS, S_FS, S_GS };
        for (int i = 0; i < 5; i++)
            if (cpu->seg[data_segs[i]].limit >= 0 &&
                !(cpu->seg[data_segs[i]].flags & SEGF_WRITABLE))
                h |= HF_SEGRO;
        if (!(cpu->seg[S_CS].flags & SEGF_READABLE))
            h |= HF_CS_XONLY;
    }
    if (cpu->cr[0] & (CR0_EM | CR0_TS))         /* SDM Vol. 3 Table 2-2 */
        h |= HF_FPU_NM;
    if ((cpu->cr[0] & (CR0_TS | CR0_MP)) == (CR0_TS | CR0_MP))
        h |= HF_WAIT_NM;
    if (cpu->fpu_unmasked)
        h |= HF_FPU_UNMASKED;
    cpu->hflags = h;
    if (cpu == current_cpu)             /* the CPL may have changed: its view */
        view_enter(cpu);
}

/* Fill a segment register's cache (no checks: the caller did them). */
void cpu_load_seg_cache(CPU *cpu, int seg, uint32_t sel, uint32_t base, uint32_t limit,
                        uint32_t flags)
{
    SegCache *sc = &cpu->seg[seg];
    fpu_resolve_sels(cpu);
    if (seg == S_CS && sc->limit != (int64_t)limit)
        jc_clear(cpu);    /* TBs are valid for one CS limit */
    sc->sel = (uint16_t)sel;
    sc->base = base;
    sc->limit = limit;
    sc->limit_lo = 0;
    flags &= ~(SEGF_WRITABLE | SEGF_READABLE);
    if (flags & DESC_S) {                       /* code or data: what its type allows */
        uint32_t type = (flags >> 8) & 15;
        if (!(type & 8))
            flags |= SEGF_READABLE | ((type & 2) ? SEGF_WRITABLE : 0);
        else if (type & 2)
            flags |= SEGF_READABLE;
    }
    sc->flags = flags;
    cpu_update_hflags(cpu);
}

/* The current privilege level changes with CS (and SYSENTER/SYSEXIT). */
void cpu_set_cpl(CPU *cpu, int cpl)
{
    cpu->cpl = cpl;
    cpu_update_hflags(cpu);
}

/* ---- Exceptions ---------------------------------------------------------- */

void raise_exception_err(CPU *cpu, int vector, uint32_t error)
{
    cpu->exc_vector = vector;
    cpu->exc_has_error = 1;
    cpu->exc_error = error;
    siglongjmp(cpu->jmp_env, 1);
}

void raise_exception(CPU *cpu, int vector)
{
    cpu->exc_vector = vector;
    cpu->exc_has_error = 0;
    cpu->exc_error = 0;
    siglongjmp(cpu->jmp_env, 1);
}

void helper_raise(CPU *cpu, int vector)
{
    raise_exception(cpu, vector);
}

void helper_raise_err(CPU *cpu, int vector, uint32_t error)
{
    raise_exception_err(cpu, vector, error);
}

/* ---- Segmented memory access for helpers ----------------------------------- */

static uint32_t sp_mask(const CPU *cpu)
{
    return (cpu->seg[S_SS].flags & DESC_B) ? 0xffffffffu : 0xffffu;
}

/* Fault unless [off, off+size) lies within segment seg. */
void seg_check_access(CPU *cpu, int seg, uint32_t off, int size, int is_write)
{
    const SegCache *sc = &cpu->seg[seg];
    if ((int64_t)off + size - 1 > sc->limit || (int64_t)off < sc->limit_lo)
        raise_exception_err(cpu, seg == S_SS ? EXC_SS : EXC_GP, 0);
    /* in protected mode the type decides too: no writes to code or to
     * read-only data, no reads of execute-only code */
    if ((cpu->cr[0] & CR0_PE) && !(cpu->eflags & F_VM) &&
        !(sc->flags & (is_write ? SEGF_WRITABLE : SEGF_READABLE)))
        raise_exception_err(cpu, EXC_GP, 0);
}

/* Port I/O: the devices are the BQL's, taken only around the access. */
static uint32_t port_read(uint32_t port, int size)
{
    bql_lock();
    uint32_t v = ioport_read(port, size);
    bql_unlock();
    return v;
}

static void port_write(uint32_t port, uint32_t value, int size)
{
    bql_lock();
    ioport_write(port, value, size);
    bql_unlock();
}

/* #AC: a misaligned data reference at CPL 3 with CR0.AM and EFLAGS.AC. */
static void align_check(CPU *cpu, uint32_t linear, int size)
{
    if ((cpu->hflags & HF_AC) && (linear & (uint32_t)(size - 1)))
        raise_exception_err(cpu, EXC_AC, 0);
}

static uint32_t seg_read(CPU *cpu, int seg, uint32_t off, int size)
{
    seg_check_access(cpu, seg, off, size, 0);
    align_check(cpu, cpu->seg[seg].base + off, size);
    return mem_read(cpu, cpu->seg[seg].base + off, size);
}

static void seg_write(CPU *cpu, int seg, uint32_t off, uint32_t value, int size)
{
    seg_check_access(cpu, seg, off, size, 1);
    align_check(cpu, cpu->seg[seg].base + off, size);
    mem_write(cpu, cpu->seg[seg].base + off, value, size);
}

/* Push on a local copy of (E)SP; the caller commits it when all is done. */
static void push(CPU *cpu, uint32_t *sp, uint32_t value, int size)
{
    uint32_t mask = sp_mask(cpu);
    uint32_t nsp = (*sp - (uint32_t)size) & mask;
    seg_write(cpu, S_SS, nsp, value, size);
    *sp = (*sp & ~mask) | nsp;
}

static uint32_t pop(CPU *cpu, uint32_t *sp, int size)
{
    uint32_t mask = sp_mask(cpu);
    uint32_t v = seg_read(cpu, S_SS, *sp & mask, size);
    *sp = (*sp & ~mask) | ((*sp + (uint32_t)size) & mask);
    return v;
}

/* ---- Segment registers ------------------------------------------------------ */

/* Real mode and virtual-8086 mode: base = selector * 16; the limit and
 * attributes stay as they are (which is what makes "unreal mode" work). */
void cpu_load_seg_real(CPU *cpu, int seg, uint16_t sel)
{
    fpu_resolve_sels(cpu);
    cpu->seg[seg].sel = sel;
    cpu->seg[seg].base = (uint32_t)sel << 4;
}

static void protected_mode_missing(CPU *cpu, const char *what) __attribute__((noreturn));
static void protected_mode_missing(CPU *cpu, const char *what)
{
    fprintf(stderr, "vm: %s in protected mode at %04x:%08x is not implemented yet\n",
            what, cpu->seg[S_CS].sel, cpu->eip);
    vm_exit(1);
}

void helper_load_seg(CPU *cpu, int seg, uint32_t sel)
{
    if (seg == S_SS)
        cpu->inhibit_irq = 1;       /* MOV/POP SS: the next instruction runs first */
    if (!(cpu->cr[0] & CR0_PE) || (cpu->eflags & F_VM)) {
        cpu_load_seg_real(cpu, seg, (uint16_t)sel);
        return;
    }
    seg_load_prot(cpu, seg, sel);
}

/* Protected mode proper (not real, not virtual-8086). */
static int prot_mode(const CPU *cpu)
{
    return (cpu->cr[0] & CR0_PE) && !(cpu->eflags & F_VM);
}

/* ---- Interrupts and exceptions (real mode) ----------------------------------- */

/* Deliver interrupt `vector` through the real-mode IVT: push FLAGS, CS and
 * IP (return_eip), clear IF, TF and AC, and jump to the vector. */
static void do_interrupt_real(CPU *cpu, int vector, uint32_t return_eip)
{
    uint32_t entry = (uint32_t)vector * 4;
    if (entry + 3 > cpu->idt.limit)
        raise_exception_err(cpu, EXC_GP, entry * 2 + 2);
    uint32_t target = mem_read(cpu, cpu->idt.base + entry, 4);
    uint32_t sp = cpu->regs[R_ESP];
    push(cpu, &sp, cpu_get_eflags(cpu) & 0xffff, 2);
    push(cpu, &sp, cpu->seg[S_CS].sel, 2);
    push(cpu, &sp, return_eip & 0xffff, 2);
    cpu->regs[R_ESP] = sp;
    cpu_set_eflags(cpu, 0, F_IF | F_TF | F_AC | F_RF);
    cpu_load_seg_real(cpu, S_CS, (uint16_t)(target >> 16));
    cpu->eip = target & 0xffff;
    cpu_update_hflags(cpu);
}

static void do_interrupt(CPU *cpu, int vector, int is_soft, uint32_t return_eip,
                         int has_error, uint32_t error)
{
    if (log_mask & LOG_INT)
        log_printf("INT 0x%02x at %04x:%08x return %08x%s%x EFLAGS=%08x CPL=%d CR2=%08x\n",
                   vector, cpu->seg[S_CS].sel, cpu->eip, return_eip,
                   has_error ? " error=" : " ", has_error ? error : 0, cpu_get_eflags(cpu),
                   cpu->cpl, cpu->cr[2]);
    if (cpu->cr[0] & CR0_PE) {
        if (cpu->eflags & F_VM)
            protected_mode_missing(cpu, "virtual-8086 interrupt delivery");
        seg_interrupt(cpu, vector, is_soft, has_error, error, return_eip);
        return;
    }
    do_interrupt_real(cpu, vector, return_eip);
}

/* Exceptions that push an error code (SDM Vol. 3, table 6-1). */
static int exc_has_error_code(int v)
{
    return v == EXC_DF || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP ||
           v == EXC_PF || v == EXC_AC;
}

/* Which exceptions combine into a double fault (SDM Vol. 3, table 6-5). */
static int exc_contributory(int v)
{
    return v == EXC_DE || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP;
}

static void triple_fault(CPU *cpu)
{
    if (log_mask & LOG_INT)
        log_printf("triple fault at %04x:%08x\n", cpu->seg[S_CS].sel, cpu->eip);
    if (cpu->machine->no_reboot) {
        fprintf(stderr, "vm: triple fault at %04x:%08x, shutting down (-no-reboot)\n",
                cpu->seg[S_CS].sel, cpu->eip);
        vm_exit(0);
    }
    vm_request_reset();
}

/* Deliver the exception recorded in cpu->exc_vector; a fault while
 * delivering a previous one may turn into a double or triple fault. */
static void deliver_exception(CPU *cpu)
{
    int vector = cpu->exc_vector;
    cpu->stats.exceptions++;
    int prev = cpu->exc_nesting;
    cpu->exc_vector = -1;
    if (prev >= 0) {
        if (prev == EXC_DF) {
            cpu->exc_nesting = -1;
            triple_fault(cpu);
            return;
        }
        if ((exc_contributory(prev) && exc_contributory(vector)) ||
            (prev == EXC_PF && (exc_contributory(vector) || vector == EXC_PF))) {
            vector = EXC_DF;
            cpu->exc_has_error = 1;
            cpu->exc_error = 0;
        }
    }
    cpu->exc_nesting = vector;
    do_interrupt(cpu, vector, 0, cpu->eip, exc_has_error_code(vector), cpu->exc_error);
    cpu->exc_nesting = -1;
}

/* INT n, INT3 (is_soft: the gate's DPL is checked) and INT1/ICEBP. */
void helper_int(CPU *cpu, int vector, uint32_t next_eip)
{
    if ((cpu->eflags & F_VM) && cpu_iopl(cpu) < 3)
        raise_exception_err(cpu, EXC_GP, 0);
    do_interrupt(cpu, vector & 0xff, !(vector & 0x100), next_eip, 0, 0);
    cpu->tf_suppress = 1;
}

void helper_into(CPU *cpu, uint32_t next_eip)
{
    if (cc_get(cpu) & F_OF) {
        do_interrupt(cpu, EXC_OF, 1, next_eip, 0, 0);
        cpu->tf_suppress = 1;
    } else {
        cpu->eip = next_eip;
    }
}

void helper_iret(CPU *cpu, int size32, uint32_t next_eip)
{
    cpu->nmi_blocked = 0;           /* IRET ends the NMI handler's blocking */
    if (prot_mode(cpu)) {
        seg_iret(cpu, size32, next_eip);
        return;
    }
    int size = size32 ? 4 : 2;
    uint32_t sp = cpu->regs[R_ESP];
    uint32_t eip = pop(cpu, &sp, size);
    uint32_t cs = pop(cpu, &sp, size) & 0xffff;
    uint32_t flags = pop(cpu, &sp, size);
    if (eip > cpu->seg[S_CS].limit)
        raise_exception_err(cpu, EXC_GP, 0);
    cpu->regs[R_ESP] = sp;
    cpu_load_seg_real(cpu, S_CS, (uint16_t)cs);
    cpu->eip = eip;
    uint32_t mask = size32 ? (F_WRITABLE & ~(uint32_t)(F_VM | F_RF)) | F_RF : 0xffff & F_WRITABLE;
    cpu_set_eflags(cpu, flags, mask);
}

/* ---- Far transfers (real mode) ------------------------------------------------ */

void helper_far_jmp(CPU *cpu, uint32_t sel, uint32_t offset, uint32_t next_eip)
{
    if (prot_mode(cpu)) {
        seg_far_jmp(cpu, sel, offset, next_eip);
        return;
    }
    if (offset > cpu->seg[S_CS].limit)
        raise_exception_err(cpu, EXC_GP, 0);
    cpu_load_seg_real(cpu, S_CS, (uint16_t)sel);
    cpu->eip = offset;
    cpu_update_hflags(cpu);
}

void helper_far_call(CPU *cpu, uint32_t sel, uint32_t offset, uint32_t next_eip, int size32)
{
    if (prot_mode(cpu)) {
        seg_far_call(cpu, sel, offset, next_eip, size32);
        return;
    }
    if (offset > cpu->seg[S_CS].limit)
        raise_exception_err(cpu, EXC_GP, 0);
    int size = size32 ? 4 : 2;
    uint32_t sp = cpu->regs[R_ESP];
    push(cpu, &sp, cpu->seg[S_CS].sel, size);
    push(cpu, &sp, next_eip, size);
    cpu->regs[R_ESP] = sp;
    cpu_load_seg_real(cpu, S_CS, (uint16_t)sel);
    cpu->eip = offset;
    cpu_update_hflags(cpu);
}

void helper_far_ret(CPU *cpu, int size32, uint32_t imm)
{
    if (prot_mode(cpu)) {
        seg_far_ret(cpu, size32, imm);
        return;
    }
    int size = size32 ? 4 : 2;
    uint32_t sp = cpu->regs[R_ESP];
    uint32_t eip = pop(cpu, &sp, size);
    uint32_t cs = pop(cpu, &sp, size) & 0xffff;
    uint32_t mask = sp_mask(cpu);
    if (eip > cpu->seg[S_CS].limit)
        raise_exception_err(cpu, EXC_GP, 0);
    sp = (sp & ~mask) | ((sp + imm) & mask);
    cpu->regs[R_ESP] = sp;
    cpu_load_seg_real(cpu, S_CS, (uint16_t)cs);
    cpu->eip = eip;
    cpu_update_hflags(cpu);
}

/* ---- Flags ------------------------------------------------------------------- */

void helper_popf(CPU *cpu, uint32_t value, int size32)
{
    uint32_t mask = F_WRITABLE & ~(uint32_t)F_RF;
    if (!size32)
        mask &= 0xffff;
    if (cpu->cr[0] & CR0_PE) {
        if (cpu->cpl > 0)
            mask &= ~(uint32_t)F_IOPL;
        if (cpu->cpl > (int)((cpu_get_eflags(cpu) >> 12) & 3))
            mask &= ~(uint32_t)F_IF;
    }
    cpu_set_eflags(cpu, value, mask);
    if (size32)
        cpu->eflags &= ~(uint32_t)F_RF;
}

void helper_set_if(CPU *cpu, uint32_t value, uint32_t mask)
{
    if ((cpu->cr[0] & CR0_PE) && cpu->cpl > (int)((cpu_get_eflags(cpu) >> 12) & 3))
        raise_exception_err(cpu, EXC_GP, 0);
    /* STI that sets IF holds interrupts off for one more instruction */
    if ((value & F_IF) && !(cpu->eflags & F_IF))
        cpu->inhibit_irq = 1;
    cpu_set_eflags(cpu, value, mask);
}

/* ---- Arithmetic ----------------------------------------------------------------- */

static void set_reg_sized(CPU *cpu, int r, uint32_t v, int size)
{
    if (size == 4)
        cpu->regs[r] = v;
    else
        cpu->regs[r] = (cpu->regs[r] & 0xffff0000u) | (v & 0xffff);
}

/* The flags DIV and IDIV leave are undefined in the SDM; vm gives what the
 * host gives, so once the operands are known not to fault, the host's own
 * instruction runs them with the guest's flags in and its result and flags
 * are taken as they come. */
static uint64_t host_div(CPU *cpu, int is_signed, int size, uint32_t divisor,
                         uint32_t *eax, uint32_t *edx)
{
    uint64_t f = cc_get(cpu) | 0x202;
    uint32_t a = *eax, d = *edx;
#define HOST_DIV(insn, operand, cons)                                                  \
    __asm__ volatile("push %[f]\n\tpopfq\n\t" insn " " operand "\n\tpushfq\n\tpop %[f]" \
                     : [f] "+r"(f), "+a"(a), "+d"(d) : [s] cons(divisor) : "cc")
    switch (size * 2 + is_signed) {
    case 2: HOST_DIV("divb", "%b[s]", "q"); break;
    case 3: HOST_DIV("idivb", "%b[s]", "q"); break;
    case 4: HOST_DIV("divw", "%w[s]", "r"); break;
    case 5: HOST_DIV("idivw", "%w[s]", "r"); break;
    case 8: HOST_DIV("divl", "%[s]", "r"); break;
    default: HOST_DIV("idivl", "%[s]", "r"); break;
    }
#undef HOST_DIV
    *eax = a;
    *edx = d;
    return f;
}

/* How the host's DIV/IDIV set the flags, when that is a fixed rule: the
 * flags in div_keep come through unchanged, the others become div_set.
 * Probed once (a POPF/PUSHF pair per division is slow); if the host's
 * flags depend on the operands, div_model stays 0 and every division runs
 * the host instruction with the guest's flags in. */
static int div_model;
static uint32_t div_keep, div_set;

static void probe_host_div(void)
{
    static const uint32_t ops[4][2] = { { 100, 7 }, { 0xffff, 3 }, { 12345678, 9 }, { 5, 10 } };
    CPU probe;
    uint32_t keep = 0, set = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t out[2];
        for (int k = 0; k < 2; k++) {
            uint32_t in = k ? F_ARITH : 0, a = ops[i][0], d = 0;
            cc_set(&probe, in);
            out[k] = (uint32_t)host_div(&probe, 0, 4, ops[i][1], &a, &d) & F_ARITH;
        }
        /* a flag that follows the input is kept; one equal in both is set */
        uint32_t k_i = out[1] & ~out[0], s_i = out[0] & out[1];
        if ((out[0] & ~out[1]) || (i > 0 && (k_i != keep || s_i != set)))
            return;                     /* no fixed rule: run the host's DIV each time */
        keep = k_i;
        set = s_i;
    }
    div_keep = keep;
    div_set = set;
    div_model = 1;
}

/* The flags a division leaves, from the flags before it. */
static uint32_t div_flags(CPU *cpu, int is_signed, int size, uint32_t divisor)
{
    if (div_model)
        return (cc_get(cpu) & div_keep) | div_set;
    uint32_t a = cpu->regs[R_EAX], d = cpu->regs[R_EDX];
    return (uint32_t)host_div(cpu, is_signed, size, divisor, &a, &d);
}

static int host_intel;      /* the host is an Intel CPU: helper_bcd's undefined flags */

/* Whose rules helper_bcd follows: the host's CPUID vendor. */
static void probe_host_vendor(void)
{
    unsigned a, b, c, d;
    if (__get_cpuid(0, &a, &b, &c, &d))
        host_intel = b == 0x756e6547u && d == 0x49656e69u && c == 0x6c65746eu; /* "GenuineIntel" */
}

void cpu_probe_host(void)
{
    probe_host_div();
    probe_host_vendor();
}

/* DIV: unsigned divide of AX / DX:AX / EDX:EAX; #DE on zero or overflow. */
void helper_div(CPU *cpu, uint32_t divisor, int size)
{
    uint64_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    uint64_t d = divisor & mask;
    uint64_t n;
    if (size == 1)
        n = cpu->regs[R_EAX] & 0xffff;
    else if (size == 2)
        n = ((cpu->regs[R_EDX] & 0xffff) << 16) | (cpu->regs[R_EAX] & 0xffff);
    else
        n = ((uint64_t)cpu->regs[R_EDX] << 32) | cpu->regs[R_EAX];
    if (d == 0 || n / d > mask)
        raise_exception(cpu, EXC_DE);
    uint32_t flags = div_flags(cpu, 0, size, (uint32_t)d);
    uint64_t q = n / d, r = n % d;
    if (size == 1) {
        set_reg_sized(cpu, R_EAX, (uint32_t)(q | (r << 8)), 2);
    } else {
        set_reg_sized(cpu, R_EAX, (uint32_t)q, size);
        set_reg_sized(cpu, R_EDX, (uint32_t)r, size);
    }
    cc_set(cpu, flags);
}

/* IDIV: signed; the quotient truncates toward zero and must fit. */
void helper_idiv(CPU *cpu, uint32_t divisor, int size)
{
    int64_t n, d, lo, hi;
    if (size == 1) {
        n = (int16_t)cpu->regs[R_EAX];
        d = (int8_t)divisor;
        lo = -128; hi = 127;
    } else if (size == 2) {
        n = (int32_t)(((cpu->regs[R_EDX] & 0xffff) << 16) | (cpu->regs[R_EAX] & 0xffff));
        d = (int16_t)divisor;
        lo = -32768; hi = 32767;
    } else {
        n = (int64_t)(((uint64_t)cpu->regs[R_EDX] << 32) | cpu->regs[R_EAX]);
        d = (int32_t)divisor;
        lo = INT32_MIN; hi = INT32_MAX;
    }
    if (d == 0 || (d == -1 && n == INT64_MIN))
        raise_exception(cpu, EXC_DE);
    int64_t q = n / d, r = n % d;
    if (q < lo || q > hi)
        raise_exception(cpu, EXC_DE);
    uint32_t flags = div_flags(cpu, 1, size, divisor);
    if (size == 1) {
        set_reg_sized(cpu, R_EAX, (uint32_t)((q & 0xff) | ((r & 0xff) << 8)), 2);
    } else {
        set_reg_sized(cpu, R_EAX, (uint32_t)q, size);
        set_reg_sized(cpu, R_EDX, (uint32_t)r, size);
    }
    cc_set(cpu, flags);
}

/* SF, ZF and PF of an 8-bit result, in EFLAGS positions. */
static uint32_t szp8(uint8_t v)
{
    uint32_t f = (v & 0x80) ? F_SF : 0;
    if (v == 0)
        f |= F_ZF;
    if (!(__builtin_popcount(v) & 1))
        f |= F_PF;
    return f;
}

/* SF ZF PF of a 16-bit value as AAA/AAS leave them (sign from bit 15). */
static uint32_t szp16(uint32_t v)
{
    uint32_t f = (v & 0x8000) ? F_SF : 0;
    if ((v & 0xffff) == 0)
        f |= F_ZF;
    if (!(__builtin_popcount(v & 0xff) & 1))
        f |= F_PF;
    return f;
}

/* The flags of the host's 16-bit ADD or SUB (AAA/AAS leave those of the
 * AX +/- 0x106 they do). */
static uint32_t host_addsub16_flags(uint32_t a, uint32_t b, int sub)
{
    uint64_t f;
    uint16_t x = (uint16_t)a, y = (uint16_t)b;
    if (sub)
        __asm__ volatile("subw %2, %1\n\tpushfq\n\tpop %0" : "=r"(f), "+r"(x) : "r"(y) : "cc");
    else
        __asm__ volatile("addw %2, %1\n\tpushfq\n\tpop %0" : "=r"(f), "+r"(x) : "r"(y) : "cc");
    return (uint32_t)f & F_ARITH;
}

/* The flags of the host's own 8-bit ADD (AAD's undefined OF AF CF are
 * those of the addition it does). */
static uint32_t host_add8_flags(uint8_t a, uint8_t b)
{
    uint64_t f;
    __asm__ volatile("addb %2, %1\n\tpushfq\n\tpop %0" : "=r"(f), "+q"(a) : "q"(b) : "cc");
    return (uint32_t)f & F_ARITH;
}

/* DAA DAS AAA AAS (op = opcode) and AAM AAD (op = opcode, base = imm8),
 * following the Intel SDM pseudo-code.  They do not exist in 64-bit mode,
 * so the host cannot run them for us; the flags the SDM leaves undefined
 * are computed as the host's CPU leaves them (the host is the oracle
 * elsewhere too), measured over every input AX, CF, AF and the other
 * flags.  AMD family 17h+: DAA/DAS set OF when the adjustment flips bit 7
 * upward/downward, AAA/AAS leave the SF ZF PF OF of the 16-bit AX +/-
 * 0x106 they do (or SF ZF PF of the unadjusted AX, OF clear).  Intel (a
 * Xeon of family 6 model 0xCF): DAA/DAS clear OF, AAA/AAS set SF ZF PF
 * from the AL they leave and clear OF.  Both: AAD's OF AF CF are those of
 * its ADD. */
void helper_bcd(CPU *cpu, int op, int base)
{
    uint32_t ax = cpu->regs[R_EAX] & 0xffff;
    uint8_t al = ax & 0xff, ah = ax >> 8, old_al = al;
    uint32_t cf = cc_get(cpu) & F_CF, af = cc_get(cpu) & F_AF, f = 0;
    switch (op) {
    case 0x27:                                      /* DAA */
        if ((al & 0x0f) > 9 || af) {
            f |= ((unsigned)al + 6 > 0xff) || cf ? F_CF : 0;
            al += 6;
            f |= F_AF;
        }
        if (old_al > 0x99 || cf) {
            al += 0x60;
            f |= F_CF;
        } else {
            f &= ~(uint32_t)F_CF;
        }
        f |= szp8(al) | ((!(old_al & 0x80) && (al & 0x80) && !host_intel) ? F_OF : 0);
        ax = (ax & 0xff00) | al;
        break;
    case 0x2f:                                      /* DAS */
        if ((al & 0x0f) > 9 || af) {
            f |= (al < 6) || cf ? F_CF : 0;
            al -= 6;
            f |= F_AF;
        }
        if (old_al > 0x99 || cf) {
            al -= 0x60;
            f |= F_CF;
        }
        f |= szp8(al) | (((old_al & 0x80) && !(al & 0x80) && !host_intel) ? F_OF : 0);
        ax = (ax & 0xff00) | al;
        break;
    case 0x37: case 0x3f:                           /* AAA AAS */
        if ((al & 0x0f) > 9 || af) {
            f = host_addsub16_flags(ax, 0x106, op == 0x3f) & (F_SF | F_ZF | F_PF | F_OF);
            f |= F_AF | F_CF;
            ax = (op == 0x37 ? ax + 0x106 : ax - 0x106) & 0xffff;
        } else {
            f = szp16(ax);
        }
        ax = (ax & 0xff00) | (ax & 0x0f);
        if (host_intel)
            f = (f & (F_AF | F_CF)) | szp8(ax & 0xff);
        break;
    case 0xd4:                                      /* AAM */
        if (base == 0)
            raise_exception(cpu, EXC_DE);
        ah = al / base;
        al = al % base;
        ax = ((uint32_t)ah << 8) | al;
        f = szp8(al);
        break;
    case 0xd5: {                                    /* AAD */
        uint8_t prod = (uint8_t)(ah * base);
        f = host_add8_flags(al, prod);
        al = (uint8_t)(al + prod);
        ax = al;
        break;
    }
    }
    cpu->regs[R_EAX] = (cpu->regs[R_EAX] & 0xffff0000u) | (ax & 0xffff);
    cc_set(cpu, f);
}

void helper_bound(CPU *cpu, uint32_t offset, int reg, uint32_t seg_size32)
{
    int32_t index = (int32_t)cpu->regs[reg];
    int size = (seg_size32 & 1) ? 4 : 2;
    int seg = (int)(seg_size32 >> 1);
    int32_t lo = (int32_t)seg_read(cpu, seg, offset, size);
    int32_t hi = (int32_t)seg_read(cpu, seg, offset + (uint32_t)size, size);
    if (size == 2) {
        lo = (int16_t)lo;
        hi = (int16_t)hi;
        index = (int16_t)index;
    }
    if (index < lo || index > hi)
        raise_exception(cpu, EXC_BR);
}

/* ---- Stack frames ------------------------------------------------------------------ */

void helper_enter(CPU *cpu, uint32_t frame, uint32_t level, int size32)
{
    int size = size32 ? 4 : 2;
    uint32_t mask = sp_mask(cpu);
    uint32_t sp = cpu->regs[R_ESP];
    uint32_t bp = cpu->regs[R_EBP];
    level &= 31;
    push(cpu, &sp, bp, size);
    uint32_t frame_temp = sp & mask;
    if (level > 0) {
        for (uint32_t i = 1; i < level; i++) {
            bp = (bp & ~mask) | ((bp - (uint32_t)size) & mask);
            push(cpu, &sp, seg_read(cpu, S_SS, bp & mask, size), size);
        }
        push(cpu, &sp, frame_temp, size);
    }
    sp = (sp & ~mask) | ((sp - frame) & mask);
    set_reg_sized(cpu, R_EBP, frame_temp, size);
    cpu->regs[R_ESP] = sp;
}

void helper_pusha(CPU *cpu, int size32)
{
    int size = size32 ? 4 : 2;
    uint32_t sp = cpu->regs[R_ESP];
    for (int r = R_EAX; r <= R_EDI; r++)
        push(cpu, &sp, cpu->regs[r == R_ESP ? R_ESP : r], size);
    cpu->regs[R_ESP] = sp;
}

void helper_popa(CPU *cpu, int size32)
{
    int size = size32 ? 4 : 2;
    uint32_t sp = cpu->regs[R_ESP];
    uint32_t v[8];
    for (int r = R_EDI; r >= R_EAX; r--)
        v[r] = pop(cpu, &sp, size);
    for (int r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            set_reg_sized(cpu, r, v[r], size);
    cpu->regs[R_ESP] = sp;
}

/* ---- String instructions ----------------------------------------------------------- */

/* One element of a string instruction; returns 0 when a REPE/REPNE
 * comparison ends the repetition. */
static int string_step(CPU *cpu, int op, int size, uint32_t amask, int seg, int rep)
{
    uint32_t si = cpu->regs[R_ESI] & amask, di = cpu->regs[R_EDI] & amask;
    uint32_t step = (uint32_t)(cpu->df * size), v, w;
    int go_on = 1;
    switch (op) {
    case STR_MOVS:
        v = seg_read(cpu, seg, si, size);
        seg_write(cpu, S_ES, di, v, size);
        break;
    case STR_STOS:
        seg_write(cpu, S_ES, di, cpu->regs[R_EAX], size);
        break;
    case STR_LODS:
        v = seg_read(cpu, seg, si, size);
        if (size == 1)
            cpu->regs[R_EAX] = (cpu->regs[R_EAX] & ~0xffu) | (v & 0xff);
        else
            set_reg_sized(cpu, R_EAX, v, size);
        break;
    case STR_CMPS: case STR_SCAS: {
        if (op == STR_CMPS) {
            v = seg_read(cpu, seg, si, size);
            w = seg_read(cpu, S_ES, di, size);
        } else {
            v = cpu->regs[R_EAX];
            w = seg_read(cpu, S_ES, di, size);
        }
        uint64_t flags;
        /* the host's own CMP computes the flags */
        if (size == 1)
            __asm__("cmpb %b2, %b1\n\tpushfq\n\tpopq %0" : "=r"(flags) : "q"(v), "q"(w) : "cc");
        else if (size == 2)
            __asm__("cmpw %w2, %w1\n\tpushfq\n\tpopq %0" : "=r"(flags) : "r"(v), "r"(w) : "cc");
        else
            __asm__("cmpl %2, %1\n\tpushfq\n\tpopq %0" : "=r"(flags) : "r"(v), "r"(w) : "cc");
        cc_set(cpu, (uint32_t)flags);
        if (rep == 1 && !(flags & F_ZF))
            go_on = 0;
        if (rep == 2 && (flags & F_ZF))
            go_on = 0;
        break;
    }
    case STR_INS:
        v = port_read(cpu->regs[R_EDX] & 0xffff, size);
        seg_write(cpu, S_ES, di, v, size);
        break;
    case STR_OUTS:
        v = seg_read(cpu, seg, si, size);
        port_write(cpu->regs[R_EDX] & 0xffff, v, size);
        break;
    }
    if (op == STR_MOVS || op == STR_LODS || op == STR_CMPS || op == STR_OUTS)
        cpu->regs[R_ESI] = (cpu->regs[R_ESI] & ~amask) | ((si + step) & amask);
    if (op == STR_MOVS || op == STR_STOS || op == STR_CMPS || op == STR_SCAS || op == STR_INS)
        cpu->regs[R_EDI] = (cpu->regs[R_EDI] & ~amask) | ((di + step) & amask);
    return go_on;
}

/* How many elements of `size` bytes, starting at offset off of segment
 * seg and going in the direction of DF, lie on one page, inside the
 * segment limit and before the offset wraps.  0 if the first does not. */
static uint32_t string_run(const CPU *cpu, int seg, uint32_t off, int size, uint32_t amask)
{
    uint64_t limit = cpu->seg[seg].limit < amask ? cpu->seg[seg].limit : amask;
    uint32_t page_off = (cpu->seg[seg].base + off) & ~PAGE_MASK;
    if ((uint64_t)off + (uint32_t)size - 1 > limit || page_off + (uint32_t)size > PAGE_SIZE)
        return 0;
    if (cpu->df > 0) {
        uint64_t bytes = limit - off + 1;
        if (bytes > PAGE_SIZE - page_off)
            bytes = PAGE_SIZE - page_off;
        return (uint32_t)(bytes / (uint32_t)size);
    }
    uint32_t n = page_off / (uint32_t)size + 1;
    return n < off / (uint32_t)size + 1 ? n : off / (uint32_t)size + 1;
}

/* Copy span bytes of elements of `size` the way REP MOVS does, element
 * after element in the direction of DF.  When the destination runs into
 * bytes the copy has written already (a forward copy to a higher address,
 * or a backward one to a lower), the result repeats a pattern: copying in
 * chunks no longer than the distance gives exactly that, and memmove gives
 * the other cases. */
static void copy_overlapping(uint8_t *d, const uint8_t *s, uint32_t span, uint32_t size,
                             int forward)
{
    uintptr_t dist = forward ? (uintptr_t)(d - s) : (uintptr_t)(s - d);
    int repeats = forward ? d > s : d < s;
    if (!repeats || dist >= span) {
        memmove(d, s, span);
        return;
    }
    uint32_t chunk = (uint32_t)(dist / size) * size;
    if (chunk == 0) {                           /* elements overlap themselves */
        for (uint32_t i = 0; i < span / size; i++) {
            uint32_t k = forward ? i : span / size - 1 - i;
            uint8_t tmp[4];
            memcpy(tmp, s + k * size, size);
            memcpy(d + k * size, tmp, size);
        }
        return;
    }
    for (uint32_t done = 0; done < span; done += chunk) {
        uint32_t c = span - done < chunk ? span - done : chunk;
        uint32_t off = forward ? done : span - done - c;
        memcpy(d + off, s + off, c);
    }
}

/* REP MOVS / REP STOS on plain RAM: one page-sized run at a time with
 * host pointers.  Returns the number of elements done (0: take the
 * element-by-element path for this one). */
static uint32_t string_bulk(CPU *cpu, int op, int size, uint32_t amask, int seg)
{
    uint32_t count = cpu->regs[R_ECX] & amask;
    uint32_t di = cpu->regs[R_EDI] & amask, si = cpu->regs[R_ESI] & amask;
    uint32_t n = string_run(cpu, S_ES, di, size, amask);
    if (op == STR_MOVS) {
        uint32_t ns = string_run(cpu, seg, si, size, amask);
        n = ns < n ? ns : n;
    }
    n = count < n ? count : n;
    if (n == 0)
        return 0;
    uint32_t span = n * (uint32_t)size;
    uint32_t dlin = cpu->seg[S_ES].base + di - (cpu->df > 0 ? 0 : span - (uint32_t)size);
    uint8_t *d = tlb_host_range(cpu, dlin, span, 1);
    const uint8_t *src = NULL;
    if (op == STR_MOVS) {
        uint32_t slin = cpu->seg[seg].base + si - (cpu->df > 0 ? 0 : span - (uint32_t)size);
        src = tlb_host_range(cpu, slin, span, 0);
        if (!src)
            return 0;
    }
    if (!d)
        return 0;
    if (op == STR_STOS) {
        uint32_t v = cpu->regs[R_EAX];
        if (size == 1)
            memset(d, (int)(v & 0xff), span);
        else
            for (uint32_t i = 0; i < n; i++)
                memcpy(d + i * (uint32_t)size, &v, (size_t)size);
    } else {
        copy_overlapping(d, src, span, (uint32_t)size, cpu->df > 0);
    }
    uint32_t step = (uint32_t)cpu->df * span;
    cpu->regs[R_EDI] = (cpu->regs[R_EDI] & ~amask) | ((di + step) & amask);
    if (op == STR_MOVS)
        cpu->regs[R_ESI] = (cpu->regs[R_ESI] & ~amask) | ((si + step) & amask);
    cpu->regs[R_ECX] = (cpu->regs[R_ECX] & ~amask) | ((count - n) & amask);
    return n;
}

/* MOVS/CMPS/STOS/LODS/SCAS/INS/OUTS with their REP prefixes.  Registers
 * are committed after every element, so a fault or an interruption
 * leaves a state from which the instruction restarts correctly.
 * Returns 1 when it stopped early and must be executed again. */
int helper_string(CPU *cpu, uint32_t desc)
{
    int op = STR_OP(desc), size = STR_SIZE(desc), rep = STR_REP(desc);
    int seg = STR_SEG(desc);
    uint32_t amask = (desc & STR_A32) ? 0xffffffffu : 0xffffu;
    if (op == STR_INS || op == STR_OUTS)
        seg_check_io(cpu, cpu->regs[R_EDX] & 0xffff, size);
    if (!rep) {
        string_step(cpu, op, size, amask, seg, 0);
        return 0;
    }
    for (int n = 0; (cpu->regs[R_ECX] & amask) != 0; n++) {
        if (n >= 65536 && __atomic_load_n(&cpu->exit_request, __ATOMIC_RELAXED))
            return 1;                       /* let interrupts in; resume later */
        if ((op == STR_MOVS || op == STR_STOS) && string_bulk(cpu, op, size, amask, seg))
            continue;
        int go_on = string_step(cpu, op, size, amask, seg, rep);
        cpu->regs[R_ECX] = (cpu->regs[R_ECX] & ~amask) | ((cpu->regs[R_ECX] - 1) & amask);
        if (!go_on)
            break;
    }
    return 0;
}

/* ---- Port I/O ------------------------------------------------------------------------ */

uint32_t helper_in(CPU *cpu, uint32_t port, int size)
{
    seg_check_io(cpu, port & 0xffff, size);
    return port_read(port & 0xffff, size);
}

void helper_out(CPU *cpu, uint32_t port, uint32_t value, int size)
{
    seg_check_io(cpu, port & 0xffff, size);
    port_write(port & 0xffff, value, size);
}

/* ---- System instructions -------------------------------------------------------------- */

void helper_hlt(CPU *cpu, uint32_t next_eip)
{
    if ((cpu->cr[0] & CR0_PE) && cpu->cpl > 0)
        raise_exception_err(cpu, EXC_GP, 0);
    cpu->eip = next_eip;
    cpu->halted = 1;
    __atomic_store_n(&cpu->exit_request, EXIT_REQUESTED, __ATOMIC_RELAXED);
}

void helper_lidt_lgdt(CPU *cpu, int which, uint32_t offset, uint32_t seg_size32)
{
    int seg = (int)(seg_size32 >> 1);
    uint32_t limit = seg_read(cpu, seg, offset, 2);
    uint32_t base = seg_read(cpu, seg, offset + 2, 4);
    if (!(seg_size32 & 1))
        base &= 0x00ffffff;             /* 16-bit operand size: 24-bit base */
    DTable *t = which == 3 ? &cpu->idt : &cpu->gdt;
    t->base = base;
    t->limit = limit;
}

void helper_sidt_sgdt(CPU *cpu, int which, uint32_t offset, uint32_t seg_size32)
{
    int seg = (int)(seg_size32 >> 1);
    DTable *t = which == 1 ? &cpu->idt : &cpu->gdt;
    seg_check_access(cpu, seg, offset, 6, 1);
    seg_write(cpu, seg, offset, t->limit, 2);
    seg_write(cpu, seg, offset + 2, (seg_size32 & 1) ? t->base : t->base & 0x00ffffff, 4);
}

void helper_mov_cr(CPU *cpu, uint32_t value, int cr)
{
    if (cr == 0) {
        uint32_t changed = cpu->cr[0] ^ value;
        if (((value & CR0_PG) && !(value & CR0_PE)) || ((value & CR0_NW) && !(value & CR0_CD)))
            raise_exception_err(cpu, EXC_GP, 0);
        fpu_resolve_sels(cpu);          /* real mode loads selectors inline */
        cpu->cr[0] = value | CR0_ET;
        if (!(value & CR0_PE))
            cpu->cpl = 0;
        if (changed & (CR0_PE | CR0_PG | CR0_WP))
            tlb_flush(cpu);
    } else if (cr == 3) {
        cpu->cr[3] = value;
        tlb_flush_nonglobal(cpu);
    } else if (cr == 4) {
        if (value & ~(uint32_t)(CR4_PSE | CR4_PGE | CR4_TSD | CR4_DE | CR4_OSFXSR))
            raise_exception_err(cpu, EXC_GP, 0);
        uint32_t changed = cpu->cr[4] ^ value;
        cpu->cr[4] = value;
        if (changed & (CR4_PSE | CR4_PGE))
            tlb_flush(cpu);
    } else {
        cpu->cr[cr] = value;
    }
    cpu_update_hflags(cpu);
}

/* DR6 and DR7 have bits that always read as 1 or 0 (SDM 17.2). */
void helper_mov_dr(CPU *cpu, uint32_t value, int dr)
{
    if (dr == 6)
        value = (value & 0x0000e00fu) | 0xffff0ff0u;
    else if (dr == 7)
        value = (value & ~0xd800u) | 0x400u;
    cpu->dr[dr] = value;
}

void helper_invlpg(CPU *cpu, uint32_t linear)
{
    tlb_flush_page(cpu, linear);
}

/* LMSW: loads CR0 bits 0-3; it can set PE but never clear it. */
void helper_lmsw(CPU *cpu, uint32_t value)
{
    uint32_t cr0 = (cpu->cr[0] & ~0xeu) | (value & 0xf) | (cpu->cr[0] & CR0_PE);
    helper_mov_cr(cpu, cr0, 0);
}

/* CLTS: translated code ends the TB after it (HF_FPU_NM may change). */
void helper_clts(CPU *cpu)
{
    cpu->cr[0] &= ~CR0_TS;
    cpu_update_hflags(cpu);
}

/* CPUID: an Intel family-6 part with exactly the features implemented. */
#define CPUID_FPU  (1u << 0)
#define CPUID_DE   (1u << 2)
#define CPUID_PSE  (1u << 3)
#define CPUID_TSC  (1u << 4)
#define CPUID_MSR  (1u << 5)
#define CPUID_CX8  (1u << 8)
#define CPUID_APIC (1u << 9)
#define CPUID_SEP  (1u << 11)
#define CPUID_PGE  (1u << 13)
#define CPUID_CMOV (1u << 15)
#define CPUID_FXSR (1u << 24)
#define CPUID_HTT  (1u << 28)             /* CPUID.1:EBX[23:16] counts the package's IDs */
#define CPUID_ECX_TSC_DEADLINE (1u << 24)  /* the local APIC timer's TSC-deadline mode */

#define CPUID_MAX_BASIC 4
#define CPUID_MAX_EXT   0x80000007u
#define CPUID_EDX_INVARIANT_TSC (1u << 8)   /* leaf 0x80000007: constant rate, never stops */

/* The brand string of leaves 0x80000002-4: 48 bytes, NUL-padded. */
static const char cpu_brand[48] = "vm virtual CPU (Pentium Pro class)";

/* The vCPUs are the cores of one package, one thread each (SDM Vol. 3,
 * "Detecting Hardware Multi-Threading Support and Topology": CPUID.1
 * EBX[23:16] with HTT, CPUID.4 EAX[31:26]): APIC ID = core ID = vCPU
 * index, with room for the next power of two of them.  Linux then knows
 * the vCPUs share a clock and calibrates delays once (docs/apic.md). */
static uint32_t cpuid_core_ids(void)
{
    uint32_t n = 1;
    while (n < (uint32_t)machine.ncpus)
        n <<= 1;
    return n;
}

/* Leaf 4, the deterministic cache parameters: the caches leaf 2 names
 * (EAX: type, level, self-initialising; EBX: line size, partitions and
 * ways, each minus 1; ECX: sets minus 1), one per core, then no more. */
static void cpuid_cache_leaf(uint32_t subleaf, uint32_t r[4])
{
    static const uint32_t cache[3][3] = {
        { 1 | 1 << 5 | 1 << 8, 31 | 3u << 22, 127 },   /* L1 data, 16 KiB, 4-way, 32-byte lines */
        { 2 | 1 << 5 | 1 << 8, 31 | 3u << 22, 127 },   /* L1 code, the same */
        { 3 | 2 << 5 | 1 << 8, 31 | 3u << 22, 4095 },  /* L2, 512 KiB, 4-way */
    };
    if (subleaf >= 3)
        return;
    r[0] = cache[subleaf][0] | (cpuid_core_ids() - 1) << 26;
    r[1] = cache[subleaf][1];
    r[2] = cache[subleaf][2];
}

void helper_cpuid(CPU *cpu)
{
    uint32_t leaf = cpu->regs[R_EAX], r[4] = { 0, 0, 0, 0 };
    /* above the maximum, Intel CPUs answer as for the highest basic leaf */
    if ((leaf > CPUID_MAX_BASIC && leaf < 0x80000000u) || leaf > CPUID_MAX_EXT)
        leaf = CPUID_MAX_BASIC;
    switch (leaf) {
    case 0:
        r[0] = CPUID_MAX_BASIC;
        memcpy(&r[1], "Genu", 4);
        memcpy(&r[3], "ineI", 4);
        memcpy(&r[2], "ntel", 4);
        break;
    case 1:
        r[0] = CPU_SIGNATURE;
        r[1] = (uint32_t)cpu->index << 24 | cpuid_core_ids() << 16;
        r[2] = CPUID_ECX_TSC_DEADLINE;
        r[3] = CPUID_FPU | CPUID_DE | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CX8 |
               CPUID_APIC | CPUID_SEP | CPUID_PGE | CPUID_CMOV | CPUID_FXSR |
               (machine.ncpus > 1 ? CPUID_HTT : 0);
        break;
    case 2:
        /* cache and TLB descriptors, one round (AL = 1), as a Pentium II
         * gives them: 01h 02h 03h TLBs; 43h 512 KiB L2, 08h 16 KiB L1
         * code, 04h large-page DTLB, 0Ch 16 KiB L1 data */
        r[0] = 0x03020101u;
        r[3] = 0x0c040843u;
        break;
    case 4:
        cpuid_cache_leaf(cpu->regs[R_ECX], r);
        break;
    case 0x80000000u:
        r[0] = CPUID_MAX_EXT;
        break;
    case 0x80000002u: case 0x80000003u: case 0x80000004u:
        memcpy(r, cpu_brand + 16 * (leaf - 0x80000002u), 16);
        break;
    case 0x80000007u:
        /* The TSC is the host's monotonic clock: it is invariant, and
         * saying so lets Linux reuse CPU 0's delay calibration on the
         * others instead of timing each for some 80 ms. */
        r[3] = CPUID_EDX_INVARIANT_TSC;
        break;
    }
    cpu->regs[R_EAX] = r[0];
    cpu->regs[R_EBX] = r[1];
    cpu->regs[R_ECX] = r[2];
    cpu->regs[R_EDX] = r[3];
}

/* The time-stamp counter: 1 GHz from the host's monotonic clock. */
static uint64_t cpu_tsc(const CPU *cpu)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + cpu->tsc_offset;
}

void helper_rdtsc(CPU *cpu)
{
    if ((cpu->cr[4] & CR4_TSD) && cpu->cpl != 0 && (cpu->cr[0] & CR0_PE))
        raise_exception_err(cpu, EXC_GP, 0);
    uint64_t t = cpu_tsc(cpu);
    cpu->regs[R_EAX] = (uint32_t)t;
    cpu->regs[R_EDX] = (uint32_t)(t >> 32);
}

#define MSR_TSC              0x10
#define MSR_APIC_BASE        0x1b
#define MSR_TSC_DEADLINE     0x6e0
#define MSR_BIOS_SIGN_ID     0x8b     /* microcode update signature: none loaded, 0 */
#define MSR_SYSENTER_CS      0x174
#define MSR_SYSENTER_ESP     0x175
#define MSR_SYSENTER_EIP     0x176

/* The MSRs that exist; any other raises #GP(0). */
static uint64_t *msr_slot(CPU *cpu, uint32_t index)
{
    switch (index) {
    case MSR_BIOS_SIGN_ID: return &cpu->msr_bios_sign_id;
    case MSR_SYSENTER_CS: return &cpu->msr_sysenter_cs;
    case MSR_SYSENTER_ESP: return &cpu->msr_sysenter_esp;
    case MSR_SYSENTER_EIP: return &cpu->msr_sysenter_eip;
    }
    return NULL;
}

/* An MSR vm does not have: #GP(0), as for one the CPU does not have. */
static void msr_missing(CPU *cpu, const char *insn, uint32_t index)
{
    if (log_mask & LOG_UNIMP)
        log_printf("unimp: %s of MSR 0x%x at %04x:%08x: #GP\n", insn, index,
                   cpu->seg[S_CS].sel, cpu->eip);
    raise_exception_err(cpu, EXC_GP, 0);
}

void helper_rdmsr(CPU *cpu)
{
    uint32_t index = cpu->regs[R_ECX];
    uint64_t v;
    if (index == MSR_TSC) {
        v = cpu_tsc(cpu);
    } else if (index == MSR_APIC_BASE) {
        bql_lock();
        v = apic_get_base(cpu->index);
        bql_unlock();
    } else if (index == MSR_TSC_DEADLINE) {
        bql_lock();
        v = apic_get_tsc_deadline(cpu->index);
        bql_unlock();
    } else {
        uint64_t *slot = msr_slot(cpu, index);
        if (!slot)
            msr_missing(cpu, "RDMSR", index);
        v = *slot;
    }
    cpu->regs[R_EAX] = (uint32_t)v;
    cpu->regs[R_EDX] = (uint32_t)(v >> 32);
}

void helper_wrmsr(CPU *cpu)
{
    uint32_t index = cpu->regs[R_ECX];
    uint64_t v = ((uint64_t)cpu->regs[R_EDX] << 32) | cpu->regs[R_EAX];
    if (index == MSR_TSC) {
        cpu->tsc_offset += v - cpu_tsc(cpu);
        return;
    }
    if (index == MSR_APIC_BASE) {
        bql_lock();
        apic_set_base(cpu->index, v);
        bql_unlock();
        return;
    }
    if (index == MSR_TSC_DEADLINE) {
        /* the TSC is CLOCK_MONOTONIC + tsc_offset (cpu_tsc): the deadline's
         * instant on that clock; one already past is now, and one more than
         * 2^62 ns (146 years) ahead is as good as never */
        int64_t now = clock_ns();
        uint64_t tsc = (uint64_t)now + cpu->tsc_offset, ahead = v > tsc ? v - tsc : 0;
        int64_t ns = now + (int64_t)(ahead < (1ull << 62) ? ahead : 1ull << 62);
        bql_lock();
        apic_set_tsc_deadline(cpu->index, v, ns);
        bql_unlock();
        return;
    }
    uint64_t *slot = msr_slot(cpu, index);
    if (!slot)
        msr_missing(cpu, "WRMSR", index);
    *slot = v;
}

/* ---- Debug output ----------------------------------------------------------------------- */

void cpu_dump_state(const CPU *cpu, FILE *f)
{
    static const char *names[8] = { "EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI" };
    static const char *segs[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    for (int i = 0; i < 8; i++)
        fprintf(f, "%s=%08x%s", names[i], cpu->regs[i], (i & 3) == 3 ? "\n" : " ");
    fprintf(f, "EIP=%08x EFL=%08x CPL=%d CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", cpu->eip,
            cpu_get_eflags(cpu), cpu->cpl, cpu->cr[0], cpu->cr[2], cpu->cr[3], cpu->cr[4]);
    for (int i = 0; i < 6; i++)
        fprintf(f, "%s =%04x %08x %08x %08x\n", segs[i], cpu->seg[i].sel, cpu->seg[i].base,
                (uint32_t)cpu->seg[i].limit, cpu->seg[i].flags);
    fprintf(f, "LDT=%04x %08x %08x TR=%04x %08x %08x\n", cpu->ldtr.sel, cpu->ldtr.base,
            (uint32_t)cpu->ldtr.limit, cpu->tr.sel, cpu->tr.base, (uint32_t)cpu->tr.limit);
    fprintf(f, "GDT=%08x %08x IDT=%08x %08x\n", cpu->gdt.base, cpu->gdt.limit,
            cpu->idt.base, cpu->idt.limit);
    fpu_dump(cpu, f);
}

/* ---- The execution loop ------------------------------------------------------------------ */

static void log_exec(CPU *cpu, TB *tb)
{
    if (!log_pc_wanted(tb->pc))
        return;
    if (log_mask & LOG_EXEC)
        log_printf("Trace: %p [%08x] %04x:%08x\n", (void *)tb->tc, tb->pc,
                   cpu->seg[S_CS].sel, cpu->eip);
    if (log_mask & LOG_CPU) {
        cpu_dump_state(cpu, log_file);
    }
}

/* Power off.  A halted vCPU with interrupts off, or one waiting for a
 * start-up IPI, can be woken only by another vCPU (an INIT, SIPI or NMI
 * IPI: no device raises an NMI).  When every vCPU is in that state and no
 * such IPI is on its way, nothing can ever run again: the machine is off,
 * as after Linux's `poweroff -f` on a PC without ACPI, or `cli; hlt`.
 * dead_lock guards dead_cpus and each CPU.halted_for_good. */
static pthread_mutex_t dead_lock = PTHREAD_MUTEX_INITIALIZER;
static int dead_cpus;

static int cpu_halted_for_good(const CPU *cpu)
{
    return cpu->halted && (!(cpu->eflags & F_IF) || cpu->wait_for_sipi);
}

/* Count this halted vCPU in; 1 if the whole machine is now off. */
static int machine_powered_off(CPU *cpu)
{
    pthread_mutex_lock(&dead_lock);
    if (!cpu->halted_for_good) {
        cpu->halted_for_good = 1;
        dead_cpus++;
    }
    int off = dead_cpus == machine.ncpus;
    for (int i = 0; i < machine.ncpus && off; i++)
        if (__atomic_load_n(&machine.cpus[i]->interrupt_request, __ATOMIC_ACQUIRE) &
            (APIC_INT_INIT | APIC_INT_SIPI | APIC_INT_NMI))
            off = 0;                /* someone will wake up */
    pthread_mutex_unlock(&dead_lock);
    return off;
}

/* The vCPU runs again: count it out. */
static void cpu_came_back(CPU *cpu)
{
    pthread_mutex_lock(&dead_lock);
    if (cpu->halted_for_good) {
        cpu->halted_for_good = 0;
        dead_cpus--;
    }
    pthread_mutex_unlock(&dead_lock);
}

/* Which of the local APIC's pending kinds the CPU can take now: maskable
 * ones need IF and no interrupt shadow, an NMI waits for the previous
 * NMI's IRET; INIT and SIPI always come in. */
static int cpu_accepts(const CPU *cpu)
{
    int accept = APIC_INT_INIT | APIC_INT_SIPI;
    if ((cpu->eflags & F_IF) && !cpu->inhibit_irq)
        accept |= APIC_INT_FIXED | APIC_INT_EXTINT;
    if (!cpu->nmi_blocked)
        accept |= APIC_INT_NMI;
    return accept;
}

static int cpu_wants_interrupt(CPU *cpu)
{
    return __atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE) & cpu_accepts(cpu);
}

/* Take what the local APIC has for us: the acknowledge cycle under the
 * BQL (for an ExtINT, the 8259's INTA), then the delivery like any
 * external event (EXT set in error codes, no gate DPL check). */
static void cpu_take_interrupt(CPU *cpu)
{
    int kind;
    bql_lock();
    int vector = apic_acknowledge(cpu->index, cpu_accepts(cpu), &kind);
    if (kind == APIC_INT_EXTINT)
        vector = pic_intack();
    __atomic_store_n(&cpu->interrupt_request, apic_interrupt_pending(cpu->index),
                     __ATOMIC_RELEASE);
    bql_unlock();
    if (log_mask & LOG_INT)
        log_printf("hardware interrupt kind %d vector 0x%02x\n", kind, vector);
    cpu->stats.interrupts++;
    switch (kind) {
    case APIC_INT_FIXED: case APIC_INT_EXTINT:
        cpu->halted = 0;
        do_interrupt(cpu, vector, 0, cpu->eip, 0, 0);
        break;
    case APIC_INT_NMI:
        cpu->halted = 0;
        cpu->nmi_blocked = 1;
        do_interrupt(cpu, EXC_NMI, 0, cpu->eip, 0, 0);
        break;
    case APIC_INT_INIT:                         /* wait for a start-up IPI */
        cpu_reset_common(cpu);
        cpu->halted = 1;
        cpu->wait_for_sipi = 1;
        break;
    case APIC_INT_SIPI:                         /* start at vector * 4 KiB, real mode */
        if (cpu->wait_for_sipi) {
            cpu->wait_for_sipi = 0;
            cpu->halted = 0;
            cpu_load_seg_real(cpu, S_CS, (uint16_t)(vector << 8));
            cpu->eip = 0;
        }
        break;
    }
}

/* HLT: sleep until an interrupt request or a kick arrives (no host CPU
 * is used).  A sleeping vCPU is outside its execution region, so an
 * exclusive section need not wake it. */
static void cpu_sleep_halted(CPU *cpu)
{
    cpu->stats.halts++;
    cpu_exec_end(cpu);
    pthread_mutex_lock(&cpu->halt_lock);
    while (!__atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE) &&
           !__atomic_load_n(&cpu->exit_request, __ATOMIC_ACQUIRE))
        pthread_cond_wait(&cpu->halt_cond, &cpu->halt_lock);
    pthread_mutex_unlock(&cpu->halt_lock);
    cpu_exec_start(cpu);
}

/* An atomic access that host atomics cannot do (split across pages, or
 * MMIO): its instruction runs again in a TB of its own with every other
 * vCPU stopped (QEMU's cpu_exec_step_atomic). */
static void cpu_exclusive_step_end(CPU *cpu)
{
    cpu->in_exclusive = 0;
    cpu_end_exclusive(cpu);
}

static void cpu_exclusive_step(CPU *cpu)
{
    cpu->exclusive_step = 0;
    cpu_start_exclusive(cpu);
    cpu->in_exclusive = 1;
    cpu->single_insn = 1;
    TB *tb = tb_find(cpu);
    cpu->single_insn = 0;
    tb_run(cpu, tb);
    cpu_exclusive_step_end(cpu);
}

/* helper_fpu_pending asked to run the waiting x87 instruction at
 * fpu_ignore_eip with its pending exception ignored (CR0.NE=0): in a TB of
 * one instruction, between fpu_ignore_begin and _end.  If an interrupt
 * came first (IRQ13, say), the instruction will look again when it runs. */
static void cpu_fpu_ignore_next(CPU *cpu)
{
    cpu->fpu_ignore = 0;
    if (cpu->fpu_ignore_eip != cpu->seg[S_CS].base + cpu->eip)
        return;
    cpu->single_insn = 1;
    fpu_ignore_begin(cpu);
}

/* Run the CPU until the machine stops (returns the exit status), or with
 * -accel tcg,thread=single until its time slice ends or it halts
 * (returns -1). */
int cpu_exec(CPU *cpu)
{
    TB *volatile last = NULL;
    volatile int last_exit = 0;
    volatile unsigned flush = __atomic_load_n(&tb_flush_count, __ATOMIC_ACQUIRE);

    cpu_exec_start(cpu);
    if (sigsetjmp(cpu->jmp_env, 0)) {
        tb_lock_reset();
        cpu->in_tb = 0;
        cpu->stats.exit_longjmp++;
        fpu_ignore_end(cpu);            /* it faulted: the x87 flags come back */
        if (cpu->in_exclusive)          /* the exclusive instruction faulted */
            cpu_exclusive_step_end(cpu);
        last = NULL;
        if (cpu->exc_vector == EXC_DEBUG_STOP) {       /* a debugger breakpoint */
            cpu->exc_vector = -1;
            cpu_debug_stopped(cpu);
        } else if (cpu->exc_vector >= 0) {
            deliver_exception(cpu);
            if (__atomic_load_n(&cpu->debug_step, __ATOMIC_ACQUIRE))
                cpu_debug_stopped(cpu);             /* the step faulted: stop in the handler */
        }
    }
    for (;;) {
        if (__atomic_load_n(&cpu->exit_request, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_RELAXED);
            cpu->stats.exit_request++;
            last = NULL;
            cpu_checkpoint(cpu);
            if (cpu->watch_kind)            /* a gdb watchpoint: the access is done */
                cpu_debug_stopped(cpu);
            if (__atomic_exchange_n(&cpu->rr_yield, 0, __ATOMIC_ACQ_REL)) {
                cpu_exec_end(cpu);          /* thread=single: next vCPU's turn */
                return -1;
            }
        }
        if (debug_should_park(cpu)) {
            last = NULL;
            cpu_debug_park(cpu);
        }
        if (machine.single_thread && debug_held(cpu)) {
            cpu_exec_end(cpu);              /* another vCPU steps: hand it the thread */
            return -1;
        }
        /* A debugger's single step runs the next instruction, not an
         * interrupt handler, unless the vCPU is halted and waits for one. */
        int stepping = __atomic_load_n(&cpu->debug_step, __ATOMIC_ACQUIRE);
        if ((!stepping || cpu->halted) && cpu_wants_interrupt(cpu)) {
            last = NULL;
            cpu_take_interrupt(cpu);
            if (!cpu_halted_for_good(cpu) && cpu->halted_for_good)
                cpu_came_back(cpu);
        }
        if (cpu->halted) {
            if (cpu_halted_for_good(cpu) && machine_powered_off(cpu)) {
                fprintf(stderr, "vm: every CPU halted with interrupts disabled; powering off\n");
                cpu_exec_end(cpu);
                return 0;
            }
            if (machine.single_thread) {    /* let the others run meanwhile */
                cpu_exec_end(cpu);
                return -1;
            }
            if (!work_pending(cpu))
                cpu_sleep_halted(cpu);
            continue;
        }
        if (cpu->exclusive_step) {
            last = NULL;
            cpu_exclusive_step(cpu);
            continue;
        }
        /* In an interrupt shadow exactly one instruction runs, then
         * interrupts are looked at again. */
        int shadow = cpu->inhibit_irq;
        if (shadow) {
            cpu->single_insn = 1;
            last = NULL;
        }
        if (stepping) {
            cpu->single_insn = 1;
            last = NULL;
        }
        if (cpu->fpu_ignore)
            cpu_fpu_ignore_next(cpu);
        TB *tb = tb_find(cpu);
        cpu->single_insn = 0;
        unsigned now_flush = __atomic_load_n(&tb_flush_count, __ATOMIC_ACQUIRE);
        if (flush != now_flush) {           /* `last` may be gone */
            flush = now_flush;
            last = NULL;
        }
        if (last && !tb_nochain)
            tb_add_jump(last, last_exit, tb);
        if (log_mask & (LOG_EXEC | LOG_CPU))
            log_exec(cpu, tb);
        cpu->tf_suppress = 0;
        int single_step = (__atomic_load_n(&tb->flags, __ATOMIC_RELAXED) & HF_TF) != 0;   /* tb may be invalidated while it runs */
        cpu->in_tb = 1;
        uintptr_t ret = tb_run(cpu, tb);
        cpu->in_tb = 0;
        fpu_ignore_end(cpu);
        last = (TB *)(ret & ~(uintptr_t)TB_EXIT_MASK);
        last_exit = (int)(ret & TB_EXIT_MASK);
        if (last)
            cpu->stats.exit_unchained++;
        else
            cpu->stats.exit_indirect++;
        if (shadow) {
            cpu->inhibit_irq = 0;
            last = NULL;
        }
        if (single_step && !cpu->tf_suppress) {
            cpu->dr[6] |= 0x4000;           /* DR6.BS: single step */
            cpu->exc_error = 0;
            cpu->exc_vector = EXC_DB;
            cpu->exc_has_error = 0;
            last = NULL;
            deliver_exception(cpu);
        }
        if (stepping)
            cpu_debug_stopped(cpu);
    }
}

/* ---- vCPU threads ------------------------------------------------------------------ */

/* A vCPU thread: runs translated code with no lock held until the machine
 * stops, then tells the main loop (which then ends vm). */
static void *cpu_thread_fn(void *arg)
{
    CPU *cpu = arg;
    current_cpu = cpu;
    fpu_thread_enter(cpu);
    rcu_register_thread();
    int status = cpu_exec(cpu);
    rcu_unregister_thread();
    pthread_detach(pthread_self());     /* vm ends without joining us */
    loop_request_exit(status);
    return NULL;
}

/* -accel tcg,thread=single: one thread runs every vCPU in turn (QEMU's
 * round-robin TCG).  A main-loop timer ends the running vCPU's slice
 * every RR_SLICE_NS; a halted vCPU gives up its turn; when no vCPU can
 * run, the thread sleeps until a kick. */
#define RR_SLICE_NS 1000000

static CPU *rr_current;         /* the vCPU the round-robin thread runs */
static Timer *rr_timer;

static int cpu_runnable(CPU *cpu)
{
    return !cpu->halted || __atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE) ||
           __atomic_load_n(&cpu->exit_request, __ATOMIC_ACQUIRE) || work_pending(cpu);
}

static int any_cpu_runnable(void)
{
    for (int i = 0; i < machine.ncpus; i++)
        if (cpu_runnable(machine.cpus[i]))
            return 1;
    return 0;
}

/* Main-loop thread, BQL held. */
static void rr_slice_end(void *opaque)
{
    (void)opaque;
    CPU *cpu = __atomic_load_n(&rr_current, __ATOMIC_ACQUIRE);
    if (cpu) {
        __atomic_store_n(&cpu->rr_yield, 1, __ATOMIC_RELEASE);
        cpu_kick(cpu);
    }
    timer_mod(rr_timer, clock_ns() + RR_SLICE_NS);
}

static void *cpu_rr_thread_fn(void *arg)
{
    (void)arg;
    rcu_register_thread();
    for (int i = 0;; i = (i + 1) % machine.ncpus) {
        CPU *cpu = machine.cpus[i];
        if (!cpu_runnable(cpu)) {
            pthread_mutex_lock(&rr_lock);
            while (!any_cpu_runnable())
                pthread_cond_wait(&rr_cond, &rr_lock);
            pthread_mutex_unlock(&rr_lock);
            continue;
        }
        current_cpu = cpu;
        fpu_thread_enter(cpu);              /* the thread's x87 is this vCPU's now */
        __atomic_store_n(&rr_current, cpu, __ATOMIC_RELEASE);
        int status = cpu_exec(cpu);
        __atomic_store_n(&rr_current, NULL, __ATOMIC_RELEASE);
        fpu_thread_leave(cpu);
        current_cpu = NULL;
        if (status >= 0) {
            rcu_unregister_thread();
            pthread_detach(pthread_self());
            loop_request_exit(status);
            return NULL;
        }
    }
}

/* Start one thread per vCPU, or with thread=single one for them all.  The
 * application processors start in wait-for-SIPI, as on hardware. */
void cpu_start_threads(Machine *m)
{
    if (m->single_thread) {
        bql_lock();
        rr_timer = timer_new(rr_slice_end, NULL);
        if (m->ncpus > 1)
            timer_mod(rr_timer, clock_ns() + RR_SLICE_NS);
        bql_unlock();
        if (pthread_create(&m->cpus[0]->thread, NULL, cpu_rr_thread_fn, NULL)) {
            fprintf(stderr, "vm: cannot start the vCPU thread\n");
            exit(1);
        }
        return;
    }
    for (int i = 0; i < m->ncpus; i++) {
        CPU *cpu = m->cpus[i];
        int err = pthread_create(&cpu->thread, NULL, cpu_thread_fn, cpu);
        if (err) {
            fprintf(stderr, "vm: cannot start a vCPU thread: %s\n", strerror(err));
            exit(1);
        }
    }
}
