/* pg_lib.h - shared code of the paging / TLB / system-instruction test
 * kernels (tests/kern/t_pg_*): a GDT with ring-0 and ring-3 flat segments
 * and a TSS, an IDT whose handler records every trap, two-level page
 * tables, a ring-3 call, and probes that make one access at a known EIP.
 *
 * Layout after pg_setup():
 *   GDT  0x08 ring-0 code, 0x10 ring-0 data, 0x18 ring-3 code, 0x20 ring-3
 *        data (the SYSENTER/SYSEXIT order: CS, CS+8, CS+16, CS+24), 0x28 TSS
 *        (ESP0 = a private ring-0 trap stack, SS0 = 0x10), 0x30 ring-0 data
 *        with base PG_BASED_BASE (for linear-address checks).
 *   IDT  vectors 0-31 -> pg_trap_c via pg_asm.S; 0x80 (DPL 3) ends a
 *        pg_user_call.  Interrupt gates, so IF stays 0 in handlers.
 *   Page directory pg_dir: 0-4 MiB identity mapped with 4 KiB pages, every
 *        entry P|W|U (the kernel runs there and ring-3 code may use it).
 *        Paging stays off until pg_paging_on().
 *   The 8259 PICs are masked.
 *
 * Traps: the handler counts the trap (pg_ntraps) and records it (pg_last,
 * including CR2 read on entry).  Then, first match wins:
 *   1. pg_fixup is set and returns nonzero: IRET to the (possibly edited)
 *      frame, e.g. to re-run the faulting instruction after fixing a PTE;
 *   2. pg_resume is nonzero: IRET to that address (one-shot);
 *   3. otherwise the trap is unexpected: report it and exit with failure.
 *
 * Probes (pg_asm.S) make one access, call or string instruction at an
 * exported *_insn label and arm pg_resume, so a test can provoke a fault
 * and compare the saved EIP with the label: pg_rd8/16/32, pg_wr8/16/32,
 * pg_exec, pg_rep_stosb/movsb; PG_PROBE() defines more in a test file.
 * pg_user_call(fn) runs fn at CPL 3 and returns its result.
 */
#ifndef PG_LIB_H
#define PG_LIB_H

#include "klib.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE 0x1b
#define SEL_UDATA 0x23
#define SEL_TSS   0x28
#define SEL_BASED 0x30          /* ring-0 data, base PG_BASED_BASE, limit 4 GiB */
#define PG_BASED_BASE 0x10000000u

/* Paging-structure entry bits, 32-bit paging (SDM Vol. 3 Tables 4-4..4-6). */
#define PTE_P   0x001u
#define PTE_W   0x002u
#define PTE_U   0x004u
#define PTE_PWT 0x008u
#define PTE_PCD 0x010u
#define PTE_A   0x020u
#define PTE_D   0x040u          /* in a PDE that references a page table: ignored */
#define PTE_PS  0x080u          /* PDE only: maps a 4 MiB page (with CR4.PSE) */
#define PTE_G   0x100u

/* Page-fault error code (SDM Vol. 3 Section 4.7, Figure 4-12). */
#define PF_P    1u
#define PF_W    2u
#define PF_U    4u
#define PF_RSVD 8u
#define PF_I    16u

#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u

#define CR4_VME 0x001u
#define CR4_PVI 0x002u
#define CR4_TSD 0x004u
#define CR4_DE  0x008u
#define CR4_PSE 0x010u
#define CR4_PAE 0x020u
#define CR4_PGE 0x080u
#define CR4_PCE 0x100u

#define VEC_DE 0
#define VEC_DB 1
#define VEC_UD 6
#define VEC_NM 7
#define VEC_GP 13
#define VEC_PF 14

#define EFL_CF 0x001u
#define EFL_ZF 0x040u
#define EFL_IF 0x200u
#define EFL_DF 0x400u

/* What the entry stubs push (pg_asm.S); esp_user/ss_user only from ring 3. */
struct pg_frame {
    uint32_t es, ds;
    uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
    uint32_t vector, err;
    uint32_t eip, cs, eflags;
    uint32_t esp_user, ss_user;
};

struct pg_trap {
    uint32_t vector, err, eip, cs, eflags, cr2;
    uint32_t esp;               /* the interrupted ESP, only for a trap from ring 3 */
};

extern volatile struct pg_trap pg_last;    /* the last trap */
extern volatile uint32_t pg_ntraps;         /* traps since pg_reset_traps() */
extern volatile uint32_t pg_resume;         /* see above; probes arm it */
extern int (*volatile pg_fixup)(struct pg_frame *f);

extern uint32_t *pg_dir;                    /* the page directory (CR3) */

void pg_setup(void);
void pg_paging_on(void);                    /* CR3 = pg_dir, CR0.PG = 1 */
void pg_reset_traps(void);                  /* pg_ntraps = 0, pg_last = all ones, no fixup */
void *pg_alloc(void);                       /* a zeroed 4 KiB page, physical = linear */
uint32_t *pg_pde(uint32_t *dir, uint32_t va);
/* The PTE for va in dir; a missing page table is allocated (PDE P|W|U). */
uint32_t *pg_pte_in(uint32_t *dir, uint32_t va);
static inline uint32_t *pg_pte(uint32_t va) { return pg_pte_in(pg_dir, va); }
/* *pg_pte(va) = pa | flags, then INVLPG va. */
void pg_map(uint32_t va, uint32_t pa, uint32_t flags);
/* Copy n bytes (for code templates). */
void pg_memcpy(void *dst, const void *src, uint32_t n);
void pg_memset(void *dst, int c, uint32_t n);
/* Code: "mov $imm, reg" (reg 0 EAX .. 7 EDI, 5 bytes) at p. */
void pg_put_mov_imm(uint8_t *p, int reg, uint32_t imm);

/* pg_asm.S: one access (or call) at the *_insn label; see there. */
uint32_t pg_rd8(uint32_t addr);
uint32_t pg_rd16(uint32_t addr);
uint32_t pg_rd32(uint32_t addr);
void pg_wr8(uint32_t addr, uint32_t v);
void pg_wr16(uint32_t addr, uint32_t v);
void pg_wr32(uint32_t addr, uint32_t v);
uint32_t pg_exec(uint32_t addr);
extern char pg_rd8_insn[], pg_rd16_insn[], pg_rd32_insn[];
extern char pg_wr8_insn[], pg_wr16_insn[], pg_wr32_insn[];
extern char pg_exec_call[];
#define PG_EIP(label) ((uint32_t)(label))

/* REP STOSB / REP MOVSB probes: inputs and results in pg_str (see pg_asm.S). */
struct pg_str { uint32_t edi, esi, ecx, eax, df; };
extern struct pg_str pg_str;
uint32_t pg_rep_stosb(void);
uint32_t pg_rep_movsb(void);
extern char pg_rep_stosb_insn[], pg_rep_movsb_insn[];

/* Run fn at CPL 3 (see pg_asm.S); returns fn's result.  Ring-3 code must
 * not print (port I/O faults at IOPL 0): record results, check in ring 0. */
uint32_t pg_user_call(uint32_t (*fn)(void));
uint32_t pg_user_call_arg(uint32_t (*fn)(uint32_t), uint32_t arg);
#define PG_USTACK_SIZE 8192     /* pg_asm.S knows this size */
extern uint8_t pg_ustack[PG_USTACK_SIZE];

/* PG_PROBE(name, setup, insn) defines uint32_t name(uint32_t arg): runs
 * the `setup` instructions (4(%esp) is arg; they must not push or touch
 * EBX/ESI/EDI/EBP), then the single instruction `insn` at the label
 * name_insn, and returns EAX.  A trap at name_insn resumes after it (the
 * handler records it), so a test can check vector, error code and that
 * the saved EIP is PG_EIP(name_insn).  Works at CPL 0 and, through
 * pg_user_call_arg, at CPL 3. */
#define PG_PROBE(name, setup, insn) \
    uint32_t name(uint32_t arg); \
    extern char name##_insn[]; \
    __asm__(".pushsection .text\n" \
            #name ":\n\t" setup "\n\t" \
            "movl $9f, pg_resume\n" \
            #name "_insn:\n\t" insn "\n" \
            "9:\tmovl $0, pg_resume\n\t" \
            "ret\n" \
            ".popsection\n")

/* Control registers and friends. */
#define PG_RDCR(n) static inline uint32_t read_cr##n(void) \
    { uint32_t v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; }
#define PG_WRCR(n) static inline void write_cr##n(uint32_t v) \
    { __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
PG_RDCR(0) PG_RDCR(2) PG_RDCR(3) PG_RDCR(4)
PG_WRCR(0) PG_WRCR(2) PG_WRCR(3) PG_WRCR(4)
static inline void invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline uint32_t read_eflags(void)
{
    uint32_t v;
    __asm__ volatile("pushfl; popl %0" : "=r"(v));
    return v;
}
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    uint32_t ecx = 0;
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "+c"(ecx), "=d"(*d) : "a"(leaf));
    *c = ecx;
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline uint16_t read_cs(void) { uint16_t v; __asm__ volatile("mov %%cs, %0" : "=r"(v)); return v; }

/* Trap checks: use after pg_reset_traps() and the operation.  `what` must
 * be a string literal. */
#define CHECK_NOTRAP(what) CHECK_EQ(pg_ntraps, 0, what ": no trap")
#define CHECK_TRAP(vec, errc, eipv, what) do { \
    CHECK_EQ(pg_ntraps, 1, what ": one trap"); \
    CHECK_EQ(pg_last.vector, (vec), what ": vector"); \
    CHECK_EQ(pg_last.err, (errc), what ": error code"); \
    CHECK_EQ(pg_last.eip, (eipv), what ": saved EIP"); } while (0)
#define CHECK_PF(errc, cr2v, eipv, what) do { \
    CHECK_TRAP(VEC_PF, (errc), (eipv), what); \
    CHECK_EQ(pg_last.cr2, (cr2v), what ": CR2"); } while (0)

#endif
