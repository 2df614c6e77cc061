/*
 * vm.h - the one shared header of vm, a small x86 PC emulator that
 * translates guest x86 code into host x86-64 code.
 *
 * It holds the guest CPU state (CPU), the machine (Machine), translation
 * blocks (TB), the softmmu TLB entry, and the API of every file, grouped by
 * the file that defines it.  Which thread and which lock own each piece of
 * state is said next to it; docs/ explains the whole design.
 */
#ifndef VM_H
#define VM_H

#include <pthread.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A compile-time check (C99 has no _Static_assert): a negative array size
 * breaks the build when cond is false. */
#define BUILD_CHECK(name, cond) typedef char build_check_##name[(cond) ? 1 : -1]

/* ---- Guest architecture constants ------------------------------------ */

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_NONE = -1 };

/* EFLAGS bits. */
#define F_CF   0x0001
#define F_PF   0x0004
#define F_AF   0x0010
#define F_ZF   0x0040
#define F_SF   0x0080
#define F_TF   0x0100
#define F_IF   0x0200
#define F_DF   0x0400
#define F_OF   0x0800
#define F_IOPL 0x3000
#define F_NT   0x4000
#define F_RF   0x10000
#define F_VM   0x20000
#define F_AC   0x40000
#define F_ID   0x200000
/* The arithmetic flags: kept in CPU.cc in host EFLAGS format (same bits). */
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
/* Bits a real-mode/protected-mode POPF or IRET may change on our CPU. */
#define F_WRITABLE (F_ARITH | F_TF | F_IF | F_DF | F_IOPL | F_NT | F_RF | F_AC | F_ID)

/* Exception vectors. */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
    EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11,
    EXC_SS = 12, EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17,
};
/* Not a guest vector: translated code reached a gdb breakpoint (gdbstub.c). */
#define EXC_DEBUG_STOP 0x1000

#define CR0_PE 0x00000001u
#define CR0_ET 0x00000010u
#define CR0_PG 0x80000000u
#define CR0_WP 0x00010000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_TS 0x00000008u
#define CR0_EM 0x00000004u
#define CR0_MP 0x00000002u
#define CR0_AM 0x00040000u
#define CR4_PSE 0x0010u
#define CR4_PGE 0x0080u
#define CR4_TSD 0x0004u
#define CR4_DE  0x0008u
#define CR4_OSFXSR 0x0200u
#define CR0_NE 0x00000020u

#define PAGE_BITS 12
#define PAGE_SIZE (1u << PAGE_BITS)
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* ---- The softmmu TLB (tlb.c) ------------------------------------------
 * Direct-mapped, indexed by virtual page number.  A tag is the virtual page
 * address when the access may take the inline fast path; any low bit set
 * forces the slow path.  host = guest virtual address + addend. */
#define TLB_BITS        10
#define TLB_SIZE        (1 << TLB_BITS)
#define TLB_INVALID     0x001u  /* no translation cached */
#define TLB_MMIO        0x002u  /* device or unassigned memory */
#define TLB_ROM         0x004u  /* write tag only: writes are ignored */
#define TLB_WATCH       0x008u  /* write tag only: page holds translated code */
#define TLB_DEBUG       0x010u  /* read and write tags: a gdb watchpoint is on the page */

typedef struct TLBEntry {
    uint32_t tag_read;
    uint32_t tag_write;
    uint32_t tag_code;
    uint32_t phys;          /* physical page address */
    uintptr_t addend;       /* host address - guest virtual address */
    uint32_t global;        /* TLB_GLOBAL: survives MOV CR3; TLB_FROM_LARGE: a 4 MiB page */
    uint32_t pad;           /* pad to 32 bytes: index << 5 is the offset */
} TLBEntry;
#define TLB_GLOBAL     1
#define TLB_FROM_LARGE 2
#define NB_MMU    2         /* one TLB for supervisor accesses, one for user */
#define MMU_SUPER 0
#define MMU_USER  1
enum { ACC_READ, ACC_WRITE, ACC_FETCH };

/* Paging-structure entry bits. */
#define PTE_P   0x001
#define PTE_RW  0x002
#define PTE_US  0x004
#define PTE_A   0x020
#define PTE_D   0x040
#define PTE_PS  0x080       /* PDE: 4 MiB page */
#define PTE_G   0x100
#define TLB_ENTRY_BITS 5
BUILD_CHECK(tlb_entry_size, sizeof(TLBEntry) == (1u << TLB_ENTRY_BITS));

/* ---- Guest CPU state (cpu.c) -------------------------------------------
 * Owned by the vCPU's thread; other threads touch only the fields marked
 * "any thread", and only atomically.  Translated code addresses this struct
 * through a host register, so the hot fields come first (short offsets). */

typedef struct SegCache {
    int64_t limit;      /* highest valid offset; -1 for a null (unusable) segment */
    int64_t limit_lo;   /* lowest valid offset: 0, or limit+1 of an expand-down segment */
    uint32_t base;
    uint32_t flags;     /* descriptor attribute bits 8-23 of the high word */
    uint16_t sel;
    uint16_t pad[3];
} SegCache;
/* SegCache.flags bits (as in the descriptor's high dword). */
#define DESC_B     (1u << 22)   /* code: 32-bit default; stack: 32-bit ESP */
/* vm's own bits in SegCache.flags (bits 0-1 are free in a descriptor's
 * high word): what the segment's type allows, for protected mode checks. */
#define SEGF_WRITABLE 1u
#define SEGF_READABLE 2u
#define DESC_S     (1u << 12)   /* code or data (not system) */
#define DESC_CODE  (1u << 11)   /* code segment */
#define DESC_EXPDOWN (1u << 10) /* data: expand-down */
#define DESC_EXPDOWN_MASK (DESC_S | DESC_CODE | DESC_EXPDOWN)
#define DESC_EXPDOWN_DATA (DESC_S | DESC_EXPDOWN)

typedef struct DTable { uint32_t base; uint32_t limit; } DTable;

struct TB;

/* The jump cache: 64K slots, indexed by the low 16 bits of the linear
 * PC (translate.c jc_hash, and inline in emit_jc_slot). */
#define JC_BITS 16
#define JC_SIZE (1 << JC_BITS)
#define JC_FAR_MAX 256

/* What `info jit` (monitor.c) shows of one vCPU: counters its own thread
 * bumps with plain increments, read by the monitor only while every vCPU
 * is parked.  Only slow paths count: inline TLB hits and jump-cache hits
 * inside translated code are not counted (that would cost every access). */
typedef struct CPUStats {
    uint64_t jc_hits;           /* tb_find: the jump cache had the TB */
    uint64_t hash_hits;         /* ... the hash table had it */
    uint64_t translations;      /* ... it was translated */
    uint64_t exit_unchained;    /* a TB returned through a direct exit not chained yet */
    uint64_t exit_indirect;     /* ... any other way: an indirect jump the inline lookup missed, exit_request */
    uint64_t exit_request;      /* exit_request was set: a kick (interrupt, work, stop) */
    uint64_t exit_longjmp;      /* a helper left translated code: exception or restart */
    uint64_t exceptions;        /* exceptions delivered */
    uint64_t interrupts;        /* external interrupts and NMIs taken */
    uint64_t halts;             /* HLT sleeps */
    uint64_t tlb_fills;         /* TLB misses: page walks (data and code) */
    uint64_t slow_accesses;     /* memory operands that left the inline fast path */
    uint64_t mem_ops;           /* memory operands run, while tb_count_mem (monitor: jit_count) */
} CPUStats;

typedef struct CPU {
    /* Hot: addressed by translated code with 8-bit displacements. */
    uint32_t regs[8];
    uint32_t eip;
    uint32_t eflags;        /* all flags but F_ARITH, which live in cc */
    uint64_t cc;            /* arithmetic flags, as LAHF/SETO save them: see cc_get */
    /* Any thread: leave translated code (0, or EXIT_REQUESTED).  Read as
     * one 64-bit value with the zero before it, exit_request is bit 63,
     * which an inline jump-cache lookup ORs into what it compares
     * (translate.c jc_sig): no TB matches then. */
    int32_t exit_zero;
    volatile int32_t exit_request;
    /* The x87 instruction and operand pointers (FIP FCS FOP FDP FDS) as
     * the guest sees them: translated code stores them after each
     * non-control x87 instruction (the host's own pointers hold host
     * addresses).  fpu_sw is where it reads the host status word. */
    uint32_t fpu_fip;       /* CS offset of the last non-control x87 instruction */
    uint16_t fpu_fcs;       /* its CS selector */
    uint16_t fpu_fop;       /* its opcode: low 3 bits of the first byte, ModRM */
    uint32_t fpu_fdp;       /* offset of the last memory operand of one */
    uint16_t fpu_fds;       /* its segment selector */
    uint16_t fpu_sw;        /* scratch: FNSTSW for the pending-exception check */
    /* FCS and FDS as translated code leaves them: [0] set: FCS is CS's
     * selector now; [1] = n + 1: FDS is segment n's (fpu_resolve_sels). */
    uint8_t fpu_sel_lazy[2];
    SegCache seg[6];
    int32_t df;             /* direction: +1, or -1 when EFLAGS.DF is set */
    uint32_t cr[5];
    uint32_t dr[8];
    uint32_t a20_mask;      /* physical address mask: bit 20 cleared when A20 is off */
    uint32_t hflags;        /* TB-relevant mode bits, see HF_* */
    int cpl;
    DTable gdt, idt;
    SegCache ldtr, tr;      /* LDTR and TR: selector and cached descriptor */
    uint64_t msr_sysenter_cs, msr_sysenter_esp, msr_sysenter_eip;
    uint64_t msr_bios_sign_id;    /* IA32_BIOS_SIGN_ID (0x8B) */
    uint64_t tsc_offset;    /* WRMSR to the TSC moves it */

    /* Exceptions: where helpers longjmp to, and what they raise. */
    sigjmp_buf jmp_env;
    int exc_vector;         /* pending exception, -1 when none */
    int exc_has_error;
    uint32_t exc_error;
    int exc_nesting;        /* 0, or inside delivery: double/triple fault */
    int halted;             /* HLT: sleeping on halt_cond until an interrupt */
    int halted_for_good;    /* counted in cpu.c's dead_cpus (dead_lock) */
    int inhibit_irq;        /* STI / MOV SS shadow: no interrupt before the next insn */
    int nmi_blocked;        /* between an NMI and its IRET */
    int wait_for_sipi;      /* an AP after INIT, before its start-up IPI */
    int single_insn;        /* next TB: translate one instruction, uncached */
    int debug_step;         /* BQL to write, read atomically: gdb single-steps this vCPU */

    /* Any thread: set by cpu_kick/cpu_interrupt_changed, read at block
     * boundaries.  halt_lock guards the sleep on halt_cond. */
    volatile int interrupt_request;
    pthread_mutex_t halt_lock;
    pthread_cond_t halt_cond;
    /* An address in the running TB's host code: translated code sets it on
     * the way to a helper or slow path that may write guest memory, and
     * tb_running finds the TB from it (the self-modifying-code check). */
    const uint8_t *cur_ret;
    int tf_suppress;        /* INT n cleared TF: no single-step trap after it */

    uint8_t rmw_buf[16];    /* slow-path bounce buffer for a memory operand (up to m80) */
    int rmw_direct;         /* a locked slow path runs on guest RAM itself */
    int exclusive_step;     /* rerun the current instruction alone, exclusively */
    int in_exclusive;       /* running that instruction: the others are stopped */
    uint64_t tmp[2];        /* slow paths keep translated code's R9 R10 here */
    uint32_t rmw_addr;
    int rmw_size;

    /* The x87 (fpu.c).  While the vCPU's thread runs it, the guest's x87
     * registers live in the host's x87 unit; fpu_area holds them (as an
     * FXSAVE image) while they do not: before the thread starts, and in
     * thread=single mode while another vCPU has the thread. */
    uint8_t fpu_area[512] __attribute__((aligned(16)));
    int fpu_unmasked;       /* the guest's FCW unmasks an exception: HF_FPU_UNMASKED */
    volatile int fpu_ignne; /* any thread (atomic): IGNNE# asserted by a write to port 0xF0 */
    int fpu_ignore;         /* run the instruction at fpu_ignore_eip with the pending exception ignored */
    uint32_t fpu_ignore_eip;
    int fpu_ignoring;       /* ... it runs now: fpu_ignore_end puts the flags back */
    uint16_t fpu_ignored_sw; /* the status word it runs without */

    int tlb_large;          /* some TLB entry comes from a 4 MiB page */
    int index;
    pthread_t thread;
    /* Exclusive sections (cpu.c): guarded by the exclusive lock. */
    int running;            /* inside cpu_exec, between cpu_exec_start and _end */
    int has_waiter;         /* start_exclusive waits for this CPU to stop */
    int rr_yield;           /* thread=single: give the thread to the next vCPU */
    /* run_on_cpu work: work_lock guards the list. */
    pthread_mutex_t work_lock;
    struct WorkItem *work;
    struct Machine *machine;
    struct TB *jc[JC_SIZE]; /* jump cache: linear pc -> TB (hashed) */
    TLBEntry tlb[NB_MMU][TLB_SIZE];
    struct View *view[NB_MMU];  /* guest memory views (view.c): bookkeeping, */
    uint8_t *view_base[NB_MMU]; /* ... and where linear 0 is (the host's GS base) */
    /* Page groups (translate.c): for each active group, the host address
     * that its base + index*scale would have; a member adds its disp. */
    uint64_t grp_host[4];
    int nogroup;            /* a group check failed: the TB at nogroup_pc ... */
    uint32_t nogroup_pc;    /* ... runs once more without groups (HF_NOGROUP) */
    /* Cold, after the TLB (translated code's offsets stay short). */
    /* gdb watchpoints: the hit this instruction made (tlb.c), which
     * cpu_exec turns into a stop once it completes (gdbstub.c reports it). */
    int in_tb;                  /* cpu_exec is inside tb_run */
    int watch_kind;             /* 0, or GDB_WATCH_* */
    uint32_t watch_addr;        /* the watchpoint's address */
    /* Jump-cache slots MOV CR3 must empty (translate.c, jc_flush_local):
     * jc_global[i] says jc[i]'s code was on global pages when it was
     * cached; jc_local lists the slots filled otherwise since the last
     * flush (jc_nlocal > JC_SIZE: too many, look at every slot). */
    uint8_t jc_global[JC_SIZE];
    uint16_t jc_local[JC_SIZE];
    int jc_nlocal;
    /* Slots given a TB whose second page is not the one after its first
     * (an inlined get-PC thunk's page), which INVLPG of that page must
     * find (jc_flush_page); jc_nfar > JC_FAR_MAX: too many, empty all. */
    uint16_t jc_far[JC_FAR_MAX];
    int jc_nfar;
    /* The 4 MiB regions (bit linear >> 22) in which a TB was cached whose
     * code a 4 MiB page maps: INVLPG there drops the whole 4 MiB mapping. */
    uint32_t jc_large[1024 / 32];
    /* Likewise the TLB entries filled without TLB_GLOBAL since the last
     * flush, as mmu << TLB_BITS | index (tlb.c, tlb_flush_nonglobal). */
    uint16_t tlb_local[NB_MMU * TLB_SIZE];
    int tlb_nlocal;
    CPUStats stats;
} __attribute__((aligned(64))) CPU;     /* in an array: no cache line shared by two vCPUs */
BUILD_CHECK(cpu_exit_zero, offsetof(CPU, exit_request) == offsetof(CPU, exit_zero) + 4);

/* hflags: the mode bits a translation block depends on. */
#define HF_CPL_MASK   0x0003
#define HF_CS32       0x0004   /* CS.D: 32-bit default operand/address size */
#define HF_SS32       0x0008   /* SS.B: 32-bit stack pointer */
#define HF_PE         0x0010   /* protected mode */
#define HF_VM         0x0020   /* virtual-8086 mode */
#define HF_TF         0x0040   /* single-step: one instruction, then #DB */
#define HF_SINGLE     0x0080   /* TB of one instruction */
#define HF_SEG64K     0x0100   /* every segment limit is 0xFFFF, expand-up (real mode) */
#define HF_EXPDOWN    0x0200   /* some segment is expand-down: check the lower bound too */
#define HF_FLAT       0x0400   /* DS ES SS: base 0, limit 4 GiB, expand-up (no checks) */
#define HF_CS_FLAT    0x0800   /* CS limit 4 GiB: jump targets need no limit check */
#define HF_AC         0x1000   /* alignment checks: CR0.AM, EFLAGS.AC and CPL 3 */
#define HF_SEGRO      0x2000   /* protected mode, and ES SS DS FS or GS is not writable */
#define HF_CS_XONLY   0x4000   /* protected mode, and CS is execute-only */
#define HF_FPU_NM     0x8000   /* CR0.EM or CR0.TS: every x87 instruction raises #NM */
#define HF_WAIT_NM    0x10000  /* CR0.TS and CR0.MP: WAIT raises #NM too */
#define HF_FPU_UNMASKED 0x20000 /* the guest's FCW unmasks an x87 exception: check
                                 * for a pending one before every waiting x87 insn */
#define HF_NOGROUP    0x40000  /* translated without page groups: a group's check
                                * failed at this pc (translate.c, tlb_group_host) */
#define HF_GS4G       0x80000  /* CPL 3, GS expand-up with a 4 GiB limit: an operand
                                * at a constant %gs:disp needs no check at run time */

/* ---- Machine (main.c) --------------------------------------------------- */

#define MAX_CPUS 16

#define LOG_IN_ASM  0x01
#define LOG_OUT_ASM 0x02
#define LOG_EXEC    0x04
#define LOG_INT     0x08
#define LOG_CPU     0x10
#define LOG_IOPORT  0x20
#define LOG_MMU     0x40    /* page faults and TLB fills */
#define LOG_PCALL   0x80    /* protected-mode far calls through gates, task switches */
#define LOG_UNIMP   0x100   /* what vm does not implement: MSRs, undecoded opcodes */
#define LOG_GUEST_ERRORS 0x200  /* the guest's mistakes: ROM writes, unassigned memory */

typedef struct Machine {
    uint8_t *ram;           /* guest physical 0 .. ram_size-1 */
    uint32_t ram_size;
    uint8_t *rom;           /* the BIOS image */
    uint32_t rom_size;
    int smp;
    int no_reboot;
    int single_thread;      /* -accel tcg,thread=single */
    int ncpus;
    CPU *cpus[MAX_CPUS];
} Machine;

extern Machine machine;
extern int log_mask;        /* -d items, LOG_* */
int log_pc_wanted(uint32_t pc);     /* -dfilter: log in_asm/out_asm/exec/cpu for this block? */
extern FILE *log_file;      /* -D file, or stderr */
void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* disas.c: one guest instruction at eip (its offset in CS) in AT&T syntax,
 * as objdump prints it, into out; returns its length, or -1 when the avail
 * bytes end inside it.  Bytes that are no instruction print "(bad)" with
 * the length objdump skips.  code32: 32-bit code (CS.D). */
int disas_insn(const uint8_t *bytes, int avail, uint32_t eip, int code32, char *out, size_t outlen);
void vm_exit(int status) __attribute__((noreturn));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn)); /* bad input: exit 2 */

/* boot.c: -kernel (multiboot or a Linux bzImage) */
void kernel_check(const char *path);
void kernel_load(CPU *cpu, const char *path, const char *cmdline, const char *initrd);
void mptable_write(void);
void vm_request_reset(void);
void vm_system_reset(void);     /* main thread, BQL held: reset as the monitor's system_reset */
void machine_set_a20(int enabled);

/* ---- cpu.c ---------------------------------------------------------------- */

/* CPU.cc holds the arithmetic flags the way translated code saves them
 * cheaply (PUSHF is slow): byte 0 = OF (0 or 1), byte 1 = the LAHF image
 * (SF ZF 0 AF 0 PF 1 CF).  These convert to and from EFLAGS bits. */
static inline uint32_t cc_get(const struct CPU *cpu)
{
    return (uint32_t)((cpu->cc >> 8) & (F_SF | F_ZF | F_AF | F_PF | F_CF)) |
           (uint32_t)((cpu->cc & 1) << 11);
}

static inline void cc_set(struct CPU *cpu, uint32_t flags)
{
    cpu->cc = ((uint64_t)(flags & (F_SF | F_ZF | F_AF | F_PF | F_CF)) << 8) | 0x200 |
              ((flags >> 11) & 1);
}

void cpu_init(CPU *cpu, Machine *m, int index);
void cpu_reset(CPU *cpu);
int cpu_exec(CPU *cpu);
uint32_t cpu_get_eflags(const CPU *cpu);
void cpu_set_eflags(CPU *cpu, uint32_t value, uint32_t mask);
void cpu_update_hflags(CPU *cpu);
void cpu_load_seg_real(CPU *cpu, int seg, uint16_t sel);
void cpu_dump_state(const CPU *cpu, FILE *f);
void raise_exception(CPU *cpu, int vector) __attribute__((noreturn));
void raise_exception_err(CPU *cpu, int vector, uint32_t error) __attribute__((noreturn));

/* Helpers called from translated code (cpu.c).  Each is entered with
 * cpu->eip = the current instruction and the flags in cpu->cc. */
void helper_div(CPU *cpu, uint32_t divisor, int size);
void helper_idiv(CPU *cpu, uint32_t divisor, int size);
void helper_bcd(CPU *cpu, int op, int base);
int helper_string(CPU *cpu, uint32_t desc);
uint32_t helper_in(CPU *cpu, uint32_t port, int size);
void helper_out(CPU *cpu, uint32_t port, uint32_t value, int size);
void helper_int(CPU *cpu, int vector, uint32_t next_eip);
void helper_into(CPU *cpu, uint32_t next_eip);
void helper_iret(CPU *cpu, int size32, uint32_t next_eip);
void helper_far_jmp(CPU *cpu, uint32_t sel, uint32_t offset, uint32_t next_eip);
void helper_far_call(CPU *cpu, uint32_t sel, uint32_t offset, uint32_t next_eip, int size32);
void helper_far_ret(CPU *cpu, int size32, uint32_t imm);
void helper_load_seg(CPU *cpu, int seg, uint32_t sel);
void helper_popf(CPU *cpu, uint32_t value, int size32);
void helper_hlt(CPU *cpu, uint32_t next_eip);
void helper_enter(CPU *cpu, uint32_t frame, uint32_t level, int size32);
void helper_pusha(CPU *cpu, int size32);
void helper_popa(CPU *cpu, int size32);
void helper_bound(CPU *cpu, uint32_t offset, int reg, uint32_t seg_size32);
void helper_raise(CPU *cpu, int vector);
void helper_raise_err(CPU *cpu, int vector, uint32_t error);
void helper_lidt_lgdt(CPU *cpu, int which, uint32_t offset, uint32_t seg_size32);
void helper_sidt_sgdt(CPU *cpu, int which, uint32_t offset, uint32_t seg_size32);
void helper_mov_cr(CPU *cpu, uint32_t value, int cr);
void helper_clts(CPU *cpu);
void seg_check_access(CPU *cpu, int seg, uint32_t off, int size, int is_write);
void helper_set_if(CPU *cpu, uint32_t value, uint32_t mask);
void helper_lmsw(CPU *cpu, uint32_t value);
void helper_cpuid(CPU *cpu);
void helper_rdtsc(CPU *cpu);
void helper_rdmsr(CPU *cpu);
void helper_wrmsr(CPU *cpu);
void helper_invlpg(CPU *cpu, uint32_t linear);
void helper_mov_dr(CPU *cpu, uint32_t value, int dr);
void cpu_set_cpl(CPU *cpu, int cpl);
void cpu_kick(CPU *cpu);
void cpu_probe_host(void);
void cpu_start_threads(Machine *m);
/* Exclusive sections: while one thread is between start_exclusive and
 * end_exclusive, no vCPU runs guest code.  A vCPU thread calls them
 * outside its execution region (cpu_exec_end first); never with the BQL. */
void cpu_exec_start(CPU *cpu);
void cpu_exec_end(CPU *cpu);
void start_exclusive(void);
void end_exclusive(void);
void cpu_start_exclusive(CPU *cpu);    /* from a vCPU: cpu_exec_end + start_exclusive */
void cpu_end_exclusive(CPU *cpu);      /* end_exclusive + cpu_exec_start */
/* Run fn(cpu, data) on cpu's thread, with the BQL held, at its next block
 * boundary.  run_on_cpu waits for it (BQL held by the caller, released
 * while waiting; not from a vCPU thread); async_run_on_cpu does not. */
typedef void (*RunOnCpuFn)(CPU *cpu, void *data);
void run_on_cpu(CPU *cpu, RunOnCpuFn fn, void *data);
void async_run_on_cpu(CPU *cpu, RunOnCpuFn fn, void *data);
extern __thread CPU *current_cpu;   /* the vCPU this thread runs, or NULL */
void cpu_interrupt_changed(void);
/* Stopping the machine for gdb (main thread, BQL held; see cpu.c). */
void vm_debug_stop(void);               /* returns with every vCPU parked */
void vm_debug_resume(CPU *step);        /* all vCPUs, or step one instruction of one */
void vm_debug_start_stopped(void);      /* -S, before the vCPU threads start */
CPU *vm_debug_stop_cpu(void);           /* whose breakpoint or step stopped us, or NULL */
int vm_debug_stopped(void);             /* the machine is stopped or stopping (BQL held) */
int vm_debug_pause(void);               /* monitor: park all; 1 if stopped already, -1 if busy */
/* interrupt_request: the APIC_INT_* kinds the local APIC has pending */
void cpu_load_seg_cache(CPU *cpu, int seg, uint32_t sel, uint32_t base, uint32_t limit,
                        uint32_t flags);

/* String instruction descriptor for helper_string: see translate.c. */
#define STR_OP(d)     ((d) & 0xf)
#define STR_SIZE(d)   (((d) >> 4) & 0x7)
#define STR_A32       0x0080
#define STR_REP(d)    (((d) >> 8) & 0x3)     /* 0 none, 1 REP/REPE, 2 REPNE */
#define STR_SEG(d)    (((d) >> 12) & 0x7)
enum { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };

/* ---- fpu.c: the x87 FPU ----------------------------------------------------- */

void fpu_init(void);                    /* start-up: the host SIGFPE guard */
void fpu_reset(CPU *cpu);               /* RESET's x87 state (the vCPU's thread, or before it runs) */
void fpu_firmware_init(CPU *cpu);       /* the FNINIT state a BIOS leaves after POST (likewise) */
void fpu_thread_enter(CPU *cpu);        /* this thread runs cpu now: its x87 state into the host's */
void fpu_thread_leave(CPU *cpu);        /* ... no longer: back into cpu->fpu_area */
void fpu_ignore_begin(CPU *cpu);        /* run one instruction ignoring the pending exception */
void fpu_ignore_end(CPU *cpu);
void fpu_ferr_clear(void);              /* port 0xF0 written (BQL held) */
void fpu_dump(const CPU *cpu, FILE *f);
void fpu_resolve_sels(CPU *cpu);        /* FCS/FDS from fpu_sel_lazy, before a selector changes */
void helper_fpu_pending(CPU *cpu) __attribute__((noreturn));
void helper_fpu_state(CPU *cpu, uint32_t offset, uint32_t desc);
/* helper_fpu_state's desc: the operation, the operand's segment, its size */
enum { FPU_FNSTENV, FPU_FLDENV, FPU_FNSAVE, FPU_FRSTOR, FPU_FXSAVE, FPU_FXRSTOR, FPU_FNINIT };
#define FPU_DESC(op, seg, size32) ((uint32_t)(op) | (uint32_t)(seg) << 4 | ((size32) ? 0x100u : 0))
#define FPU_OP(d)     ((d) & 0xf)
#define FPU_SEG(d)    (((d) >> 4) & 7)
#define FPU_SIZE32    0x100u

/* ---- seg.c: protected-mode segmentation, privilege, gates, tasks ----------- */

void seg_load_prot(CPU *cpu, int seg, uint32_t sel);
void seg_far_jmp(CPU *cpu, uint32_t sel, uint32_t offset, uint32_t next_eip);
void seg_far_call(CPU *cpu, uint32_t sel, uint32_t offset, uint32_t next_eip, int size32);
void seg_far_ret(CPU *cpu, int size32, uint32_t imm);
void seg_iret(CPU *cpu, int size32, uint32_t next_eip);
void seg_interrupt(CPU *cpu, int vector, int is_soft, int has_error, uint32_t error,
                   uint32_t return_eip);
void seg_check_io(CPU *cpu, uint32_t port, int size);
void helper_sys(CPU *cpu, uint32_t value, int op);
void helper_lar_lsl(CPU *cpu, int op, uint32_t sel, int reg_size);
void helper_sysenter(CPU *cpu);
void helper_sysexit(CPU *cpu);
uint32_t helper_arpl(CPU *cpu, uint32_t dest, uint32_t src);
uint32_t cpu_iopl(const CPU *cpu);
/* helper_sys ops */
enum { SYS_LLDT, SYS_LTR, SYS_VERR, SYS_VERW };

/* ---- translate.c ---------------------------------------------------------- */

#define TB_MAX_INSNS 64
/* Direct exits a TB can chain: 0 and 1 where it ends, 2 and 3 for the
 * taken ways of conditional jumps it runs on past (translate.c, gen_jcc).
 * Eight measured no faster than four, and each costs 20 bytes per TB. */
#define TB_EXITS 4

typedef struct TB {
    uint32_t pc;            /* linear address of the first instruction */
    uint32_t cs_base;       /* cs_base and flags side by side: translated code */
    uint32_t flags;         /* compares them as one 64-bit value. TB_FLAGS_INVALID once invalidated */
    uint32_t size;          /* guest bytes covered */
    uint32_t phys[2];       /* physical pages holding the code (phys[1] = -1 if one) */
    uint32_t page2;         /* linear address of phys[1]'s page */
    int thunks;             /* get-PC thunks inlined: bytes outside [pc, pc+size) */
    uint8_t *tc;            /* host code */
    uint64_t sig;           /* pc | flags << 32 if cs_base is 0, else TB_SIG_NONE: what
                             * a lookup in flat code compares (translate.c jc_sig) */
    uint32_t tc_size;
    const uint16_t *fault_sites;    /* after the code: (access, slow path) offset pairs */
    int nfault_sites;               /*   of its view accesses (tcg_fault_resume) */
    int ninsns;
    uint32_t last_eip;      /* CS offset of the last instruction */
    int64_t cs_limit;       /* CS limit at translation */
    int limit_cut;          /* translation stopped at the CS limit */
    unsigned group_fails;   /* page-group checks that failed here (tb_group_failed) */
    uint32_t jmp_offset[TB_EXITS]; /* patchable rel32 of each direct exit, 0 = none */
    uintptr_t jmp_dest[TB_EXITS];  /* TB this exit is chained to, or 0 */
    uintptr_t jmp_incoming; /* list of TBs chained to us: tagged TB* | exit */
    uintptr_t jmp_next[TB_EXITS];  /* next in the target's incoming list */
    struct TB *hash_next;
    struct TB *page_next[2];
} TB;
#define TB_FLAGS_INVALID 0xffffffffu
BUILD_CHECK(tb_cs_base_flags, offsetof(TB, flags) == offsetof(TB, cs_base) + 4);
/* TB.sig of a TB that no lookup by signature may find: bit 62, which a
 * lookup's pc | flags << 32 never has (every HF_ bit is below bit 30) */
#define TB_SIG_NONE ((uint64_t)1 << 62)
#define EXIT_REQUESTED INT32_MIN

/* What a TB returns to cpu_exec: the TB pointer with the exit index in the
 * low bits (chainable exit), or 0 (no chaining). */
#define TB_EXIT_MASK 3
BUILD_CHECK(tb_exits_fit, TB_EXITS <= TB_EXIT_MASK + 1);

void tcg_init(size_t code_size);
TB *tb_find(CPU *cpu);
uintptr_t tb_run(CPU *cpu, TB *tb);
void tb_add_jump(TB *from, int n, TB *to);
int tb_invalidate_phys_range(CPU *cpu, uint32_t start, uint32_t end);
extern unsigned tb_flush_count;
/* For `info jit`: TBs in the buffer, translated ever, chain patches, code
 * buffer bytes used and its size (takes the translation lock). */
typedef struct TBInfo { unsigned live; uint64_t chained; size_t used, size; } TBInfo;
void tb_info(TBInfo *out);
extern int tb_nochain;
extern int tb_nogroups;         /* -accel tcg,groups=off: no page groups */
extern int tb_count_mem;        /* translated code counts memory operands (CPUStats.mem_ops) */
extern FILE *perf_map;                  /* -perfmap, or NULL */
void perfmap_open(void);
int tb_page_has_code(uint32_t phys_page);
uint8_t *tcg_fault_resume(const uint8_t *rip);  /* a view access's slow path, or NULL */
TB *tb_running(CPU *cpu);       /* the TB cpu is in (CPU.cur_ret), NULL outside one */
void tb_flush(CPU *cpu);       /* inside an exclusive section */
void tb_lock_reset(void);       /* after a longjmp out of translation */
void jc_clear(CPU *cpu);
void jc_flush_local(CPU *cpu);
void jc_flush_page(CPU *cpu, uint32_t linear);

/* ---- tlb.c ----------------------------------------------------------------- */

void mem_init(Machine *m);
void tlb_flush(CPU *cpu);
void tlb_flush_nonglobal(CPU *cpu);
void tlb_flush_page(CPU *cpu, uint32_t linear);
int tlb_code_global(CPU *cpu, uint32_t page, int mmu);
int tlb_code_maybe_large(CPU *cpu, uint32_t page, int mmu);
void tlb_unwatch_page(CPU *cpu, uint32_t phys_page);
void tlb_watch_page(uint32_t phys_page);
uint8_t *tlb_code_ptr(CPU *cpu, uint32_t linear, uint32_t *phys, int raise);
/* How translated code uses a memory operand (the slow path's mode). */
enum { MEM_ACCESS_READ, MEM_ACCESS_WRITE, MEM_ACCESS_RMW };
#define MEM_ACCESS_LOCKED 4   /* or-ed in: LOCK or XCHG, must be atomic */
uint8_t *tlb_access_begin(CPU *cpu, uint32_t addr, int size, int mode);
void tlb_access_end(CPU *cpu);
void tlb_probe(CPU *cpu, uint32_t linear, int size, int is_write);
uint32_t mem_read(CPU *cpu, uint32_t linear, int size);
void mem_write(CPU *cpu, uint32_t linear, uint32_t value, int size);
uint32_t mem_read_mmu(CPU *cpu, uint32_t linear, int size, int mmu);
void mem_write_mmu(CPU *cpu, uint32_t linear, uint32_t value, int size, int mmu);
uint32_t sys_read(CPU *cpu, uint32_t linear, int size);
void sys_write(CPU *cpu, uint32_t linear, uint32_t value, int size);
void memory_map_init(void);                     /* BQL held */
void memory_map_update(void);                   /* BQL held */
uint32_t phys_read(uint32_t addr, int size);
void phys_write(uint32_t addr, uint32_t value, int size);
uint8_t *phys_ram_ptr(uint32_t addr);
uint8_t *tlb_host_range(CPU *cpu, uint32_t linear, uint32_t len, int is_write);
uint8_t *tlb_group_host(CPU *cpu, uint32_t linear, uint32_t len, int acc, int need_write);
void tb_group_failed(CPU *cpu);

/* view.c: guest memory views through the host's MMU. */
extern int mem_views;
uint8_t *view_mem_alloc(uint32_t ram_size, uint8_t **rom, uint32_t rom_size);
void view_init(CPU *cpu);
void view_fault_init(void);
void view_enter(CPU *cpu);
void view_map(CPU *cpu, int mmu, uint32_t linear, const TLBEntry *e, int unassigned, int large);
void view_flush(CPU *cpu);
void view_flush_nonglobal(CPU *cpu);
void view_flush_page(CPU *cpu, uint32_t linear, int large);
void view_watch_phys(uint32_t phys);
int tcg_code_holds(const void *p, size_t len);
int tlb_debug_phys(CPU *cpu, uint32_t linear, uint32_t *phys);    /* no side effects */
int phys_debug_access(uint32_t addr, uint8_t *byte, int is_write); /* RAM and ROM only */

/* ---- devices.c -------------------------------------------------------------- */

void devices_init(Machine *m);
void devices_reset(void);       /* BQL held */
void irq_set(int irq, int level);   /* BQL held: an ISA IRQ line (0-15) to the 8259s and the IO-APIC */
int pic_get_intr(void);         /* BQL held: INTR asserted? */
int pic_intack(void);           /* BQL held: the INTA cycle, returns the vector */
void pic_dump(FILE *f);         /* BQL held: the monitor's info pic */
void irq_dump(FILE *f);         /* BQL held: the monitor's info irq */
uint32_t ioport_read(uint32_t port, int size);
void ioport_write(uint32_t port, uint32_t value, int size);

/* ---- ata.c: the ATA hard disk on the primary channel (ports 0x1F0-0x1F7, 0x3F6) ---- */

#define ATA_PORT_DATA 0x1f0
#define ATA_IRQ 14
/* Main thread, before devices_init: the disk image (an open fd, its size
 * in bytes, at most 2 TiB).  read_only: the guest's writes fail;
 * snapshot: they stay in memory and never reach the file. */
void ata_attach(int fd, uint64_t bytes, int read_only, int snapshot);
void ata_init(void);                    /* BQL held: from devices_init */
void ata_reset(void);                   /* BQL held: hardware reset */
uint8_t ata_read(uint32_t port);        /* BQL held: the byte registers */
void ata_write(uint32_t port, uint8_t value);
uint32_t ata_data_read(int size);       /* BQL held: the data port, 1, 2 or 4 bytes */
void ata_data_write(uint32_t value, int size);
void ata_shutdown(void);                /* any thread: wait for disk I/O, then fsync */

/* ---- apic.c: the local APICs and the IO-APIC ------------------------------------ */
/* All with the BQL held. */
typedef struct APICState APICState;

#define APIC_MAX_CPUS      16
#define APIC_DEFAULT_BASE  0xfee00000u
#define IOAPIC_DEFAULT_BASE 0xfec00000u
#define IOAPIC_NUM_PINS    24

/* What a local APIC hands its CPU: apic_interrupt_pending() returns a mask
 * of these, apic_acknowledge() takes one. */
enum {
    APIC_INT_FIXED  = 1 << 0,   /* a vector from the IRR (or the spurious vector); masked by IF */
    APIC_INT_EXTINT = 1 << 1,   /* the 8259's INTR: the CPU runs pic_intack() for the vector; masked by IF */
    APIC_INT_NMI    = 1 << 2,   /* vector 2 */
    APIC_INT_INIT   = 1 << 3,   /* INIT: the APIC is already INIT-reset; the CPU resets and waits for SIPI */
    APIC_INT_SIPI   = 1 << 4,   /* start-up: CS = vector << 8, IP = 0 if waiting for SIPI, else ignored */
};

APICState *apic_new(int cpu_index);
APICState *apic_of(int cpu_index);
void apic_reset(int cpu_index);
uint32_t apic_mmio_read(int cpu_index, uint32_t offset);
void apic_mmio_write(int cpu_index, uint32_t offset, uint32_t value);
uint64_t apic_get_base(int cpu_index);
void apic_set_base(int cpu_index, uint64_t value);
uint64_t apic_get_tsc_deadline(int cpu_index);
void apic_set_tsc_deadline(int cpu_index, uint64_t tsc, int64_t ns);
void apic_set_lint0(int cpu_index, int level);
void apic_set_lint1(int cpu_index, int level);
int apic_interrupt_pending(int cpu_index);
int apic_acknowledge(int cpu_index, int accept, int *kind);
void ioapic_init(void);
uint32_t ioapic_get_id(void);                   /* BQL held */
uint32_t ioapic_mmio_read(uint32_t offset);
void ioapic_mmio_write(uint32_t offset, uint32_t value);
void ioapic_set_irq(int pin, int level);
void apic_dump(int cpu_index, FILE *f); /* the monitor's info lapic */
void cpu_apic_changed(int cpu_index);   /* cpu.c: recompute the CPU's interrupt state and kick it */

/* ---- gdbstub.c: the gdb remote protocol on the main loop -------------------------- */

void gdb_parse_arg(const char *arg);    /* -gdb tcp:[HOST]:PORT (dies on bad input) */
void gdb_start(int start_stopped);      /* main thread, before the vCPUs start */
int gdb_breakpoint_at(uint32_t linear); /* translator: a breakpoint at this linear address? */
void gdb_stopped(void);                 /* any thread: a vCPU stopped the machine */
void gdb_exit_notify(int status);       /* vm exits: tell the client (BQL held or main thread) */
int gdb_holds_machine(void);            /* gdb stopped the guest and waits (BQL held) */
/* Watchpoints (Z2-Z4), by linear address: tlb.c asks which pages to make
 * take the slow path and whether an access hits one.  Read by vCPUs
 * without a lock: they change only while every vCPU is parked. */
#define GDB_WATCH_WRITE  2              /* the Z packet types */
#define GDB_WATCH_READ   3
#define GDB_WATCH_ACCESS 4
extern int gdb_nwatch;                  /* how many watchpoints there are */
int gdb_watch_page(uint32_t page);      /* 1: reads, 2: writes of the page are watched */
int gdb_watch_hit(uint32_t linear, int size, int is_write, uint32_t *addr);

/* ---- monitor.c: the (vm) monitor ----------------------------------------------------- */

void monitor_parse_arg(const char *arg); /* -monitor stdio|none (dies on bad input) */
int monitor_on_stdio(void);             /* -monitor stdio: stdin is the monitor's, not the guest's */
int monitor_muxed(void);                /* Ctrl-A c on the console reaches the monitor */
void monitor_init(void);                /* main thread, BQL held, once the machine is built */
void monitor_enter(void);               /* console (BQL held): Ctrl-A c switched to the monitor */
void monitor_input(uint8_t c);          /* console (BQL held): a byte while the monitor has it */

/* ---- bql.c -------------------------------------------------------------------- */

void bql_lock(void);
void bql_unlock(void);
int bql_locked(void);
void bql_cond_wait(pthread_cond_t *cond);   /* BQL held; held again on return */

/* ---- rcu.c -------------------------------------------------------------------- */

/* Read-side sections nest and cost no atomic read-modify-write; a thread
 * that uses them registers first.  call_rcu frees after a grace period on
 * the reclaimer thread; rcu_drain runs what is queued (at exit). */
typedef struct RCUHead {
    struct RCUHead *next;
    void (*func)(struct RCUHead *head);
} RCUHead;

void rcu_init(void);
void rcu_register_thread(void);
void rcu_unregister_thread(void);
void rcu_read_lock(void);
void rcu_read_unlock(void);
void synchronize_rcu(void);
void call_rcu(RCUHead *head, void (*func)(RCUHead *head));
void rcu_drain(void);

/* ---- loop.c ------------------------------------------------------------------- */

/* The main loop (main thread): fd handlers, timers on CLOCK_MONOTONIC,
 * bottom halves scheduled from any thread.  Handlers run with the BQL held. */
typedef struct Timer Timer;
typedef struct BH BH;
int64_t clock_ns(void);                         /* CLOCK_MONOTONIC in ns */
void loop_init(void);
void loop_set_fd_handler(int fd, void (*read_cb)(void *opaque), void *opaque); /* BQL held */
int loop_fd_pollable(int fd);                   /* epoll accepts it (not a regular file) */
Timer *timer_new(void (*cb)(void *opaque), void *opaque);
void timer_mod(Timer *t, int64_t deadline_ns); /* BQL held */
void timer_del(Timer *t);                       /* BQL held */
BH *bh_new(void (*cb)(void *opaque), void *opaque);       /* BQL held */
void bh_schedule(BH *bh);                       /* any thread, any lock state */
void loop_request_exit(int status);             /* any thread */
int loop_run(void);                             /* until loop_request_exit; returns its status */

int main_loop_run(Machine *m);

#endif
