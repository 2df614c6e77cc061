/* seg_lib.h - protected-mode plumbing shared by the segmentation, privilege,
 * exception and task test kernels (t_seg_*, t_ring_*, t_exc_*, t_task_*).
 *
 * seg_init() replaces the loader's GDT with the library's own, installs an
 * IDT whose 256 vectors all go to one recording handler, and loads TR with
 * the main TSS (ring-0 stack for interrupts from outer rings: seg_istack).
 *
 * Expected-fault checks:  SEG_TRY("insn", outputs : inputs) runs one piece
 * of inline assembly; if it raises an exception the handler records the
 * frame in seg_trap and resumes after the piece.  The SEG_EXPECT_* macros
 * then check what was recorded:
 *
 *     SEG_TRY("movw %w0, %%ds", : "r"(sel));
 *     SEG_EXPECT_FAULT(13, sel & 0xfffc, "DS <- ring-3-only data: #GP(sel)");
 *
 * SEG_TRY works at any CPL (from ring 3 the handler runs on seg_istack and
 * IRETs back to ring 3).  The vector, error code, the pushed CS:EIP/EFLAGS
 * (and SS:ESP when the exception came from an outer ring) are compared
 * with the values the SDM gives; a fault's EIP is the first byte of the
 * piece, a trap's the byte after it.  An exception while no SEG_TRY is
 * armed prints "unexpected exception" and ends the test (status 3).
 * Things to keep in mind when writing a piece:
 *   - a same-privilege exception pushes its frame on the current stack and
 *     the C handler reads it through DS, so SS must stay flat-based there;
 *   - a "(%N)" operand with an "r" constraint may get EBP, which selects SS,
 *     not DS: use "S"/"D"/"b" (or an explicit segment override) when the
 *     default segment matters;
 *   - code after the piece runs with the segment registers it left: put
 *     them back in the `then` part of SEG_TRY_THEN.
 *
 * Ring 3:  seg_ring3_call(fn) runs fn() at CPL 3 (CS 0x1B, DS/ES/SS 0x23,
 * or seg_ring3_cs/seg_ring3_ss for another ring; its own stack; EFLAGS
 * seg_ring3_eflags) and returns when fn returns; fn may not do port I/O
 * (IOPL 0) so it stores results in globals that ring 0 then checks.
 */
#ifndef SEG_LIB_H
#define SEG_LIB_H

#include <stdint.h>
#include "klib.h"

/* ---- GDT layout -------------------------------------------------------- */
#define GDT_ENTRIES   64
#define SEL_KCODE     0x08      /* ring 0, 32-bit, base 0, limit 4 GiB, execute/read */
#define SEL_KDATA     0x10      /* ring 0, base 0, limit 4 GiB, read/write, B=1 */
#define SEL_UCODE     0x1b      /* ring 3 code (GDT 3, RPL 3) */
#define SEL_UDATA     0x23      /* ring 3 data (GDT 4, RPL 3) */
#define SEL_TSS       0x28      /* main TSS (the kmain task), loaded into TR */
#define SEL_LDT       0x30      /* seg_ldt, loaded into LDTR */
#define SEL_K1CODE    0x39      /* ring 1 code (GDT 7, RPL 1) */
#define SEL_K1DATA    0x41      /* ring 1 data (GDT 8, RPL 1) */
#define GDT_FIRST_FREE 16       /* entries 16..63 belong to the test */
#define LDT_ENTRIES   16        /* the LDT is all the test's */

#define SEL(index, ti, rpl) ((uint16_t)(((index) << 3) | ((ti) << 2) | (rpl)))
#define GSEL(index)   SEL(index, 0, 0)
#define LSEL(index)   SEL(index, 1, 0)

/* ---- descriptor fields -------------------------------------------------- */
/* access byte */
#define D_P       0x80
#define D_DPL(n)  ((n) << 5)
#define D_S       0x10          /* code or data (clear: system descriptor) */
#define D_CODE    0x08
#define D_CONF    0x04          /* code: conforming */
#define D_READ    0x02          /* code: readable */
#define D_EDOWN   0x04          /* data: expand-down */
#define D_WRITE   0x02          /* data: writable */
#define D_ACC     0x01          /* accessed */
/* the common kinds (add D_DPL(n)) */
#define D_DATA_RW (D_P | D_S | D_WRITE)
#define D_DATA_RO (D_P | D_S)
#define D_CODE_XR (D_P | D_S | D_CODE | D_READ)
#define D_CODE_X  (D_P | D_S | D_CODE)
/* system types (access byte low nibble, with D_S clear) */
#define T_TSS16       0x1
#define T_LDT         0x2
#define T_TSS16_BUSY  0x3
#define T_CALL16      0x4
#define T_TASKGATE    0x5
#define T_INT16       0x6
#define T_TRAP16      0x7
#define T_TSS32       0x9
#define T_TSS32_BUSY  0xb
#define T_CALL32      0xc
#define T_INT32       0xe
#define T_TRAP32      0xf
/* flags nibble (descriptor bits 52..55) */
#define F_G       0x8           /* limit in 4 KiB units */
#define F_DB      0x4           /* 32-bit code / big stack / expand-down to 4 GiB */

/* ---- EFLAGS --------------------------------------------------------------- */
#define FL_CF   0x00000001u
#define FL_1    0x00000002u
#define FL_ZF   0x00000040u
#define FL_TF   0x00000100u
#define FL_IF   0x00000200u
#define FL_DF   0x00000400u
#define FL_OF   0x00000800u
#define FL_IOPL(n) ((uint32_t)(n) << 12)
#define FL_IOPL_MASK 0x00003000u
#define FL_NT   0x00004000u
#define FL_RF   0x00010000u
#define FL_AC   0x00040000u

/* ---- the 32-bit TSS (SDM Vol. 3, "32-Bit Task-State Segment") ----------- */
struct tss32 {
    uint16_t link, r0;
    uint32_t esp0; uint16_t ss0, r1;
    uint32_t esp1; uint16_t ss1, r2;
    uint32_t esp2; uint16_t ss2, r3;
    uint32_t cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9;
    uint16_t ldt, r10;
    uint16_t trap, iomap;
} __attribute__((packed));
#define TSS32_SIZE 104          /* minimum limit is TSS32_SIZE - 1 = 0x67 */

/* The main TSS carries an I/O permission bitmap for ports 0..SEG_IOMAP_PORTS-1
 * plus the all-ones byte the SDM asks for after it; its descriptor limit
 * starts at 0x67 (no bitmap: every port denied at CPL > IOPL). */
#define SEG_IOMAP_PORTS 0x400
struct seg_main_tss {
    struct tss32 t;
    uint8_t iomap[SEG_IOMAP_PORTS / 8 + 1];
} __attribute__((packed));

extern uint64_t seg_gdt[GDT_ENTRIES];
extern uint64_t seg_ldt[LDT_ENTRIES];
extern uint64_t seg_idt[256];
extern struct seg_main_tss seg_tss;
extern uint8_t seg_istack_top[];     /* TSS.ESP0 (SS0 = SEL_KDATA) */
extern uint8_t seg_istack1_top[];    /* TSS.ESP1 (SS1 = SEL_K1DATA) */
extern uint8_t seg_ustack_top[];     /* ring-3 stack of seg_ring3_call */

/* ---- setup ----------------------------------------------------------------- */
void seg_init(void);

/* Descriptors: limit is the raw 20-bit field, access the access byte,
 * flags the F_* nibble. */
uint64_t seg_make_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);
uint64_t seg_make_gate(uint16_t sel, uint32_t offset, uint8_t access, uint8_t count);
void seg_set_gdt(int index, uint64_t desc);
void seg_set_ldt(int index, uint64_t desc);
/* IDT entry vec -> sel:offset with the given access byte (D_P|D_DPL|T_*). */
void seg_set_idt(int vec, uint16_t sel, uint32_t offset, uint8_t access);
/* Restore vector vec to the library's recording interrupt gate (DPL dpl). */
void seg_default_idt(int vec, int dpl);
uint32_t seg_stub_addr(int vec);

/* Descriptor fields, read back from a table. */
static inline uint8_t desc_access(uint64_t d) { return (uint8_t)(d >> 40); }
static inline uint32_t desc_base(uint64_t d)
{
    return (uint32_t)((d >> 16) & 0xffffff) | (uint32_t)((d >> 32) & 0xff000000u);
}

/* Reload TR from GDT entry index (the busy bit is cleared first, as LTR
 * needs an available TSS). */
void seg_ltr(uint16_t sel);
/* Load the main TSS again with a descriptor limit of `limit` (bytes-1). */
void seg_set_tss_limit(uint32_t limit);

/* ---- exception recording --------------------------------------------------- */
struct seg_frame {                  /* what the common stub leaves on the stack */
    uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;   /* PUSHAD */
    uint32_t gs, fs, es, ds;
    uint32_t vector, err;
    uint32_t eip, cs, eflags;       /* pushed by the CPU */
    uint32_t esp, ss;               /* pushed only on a privilege change */
};

struct seg_trap_rec {
    uint32_t count;                 /* exceptions taken since the last SEG_TRY */
    uint32_t vector;
    uint32_t err;                   /* error code (low 16 bits), SEG_NOERR if none */
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;               /* 0 unless the exception came from an outer ring */
    uint32_t handler_esp;           /* ESP after the CPU pushed its frame */
    uint16_t ds, es, fs, gs;        /* data segment registers at the exception */
};
#define SEG_NOERR 0xffffffffu
extern volatile struct seg_trap_rec seg_trap;

/* Where the handler resumes after a recorded exception (0: the exception
 * is unexpected: report it and end the test with status 1). */
extern volatile uint32_t seg_fixup;
extern volatile uint32_t seg_try_start, seg_try_end;

/* Per-vector hook: called instead of the fixup logic; may edit the frame. */
typedef void (*seg_hook_fn)(struct seg_frame *f);
extern seg_hook_fn seg_hook[256];

/* Run one piece of inline asm that may raise an exception; the handler
 * resumes at its end.  Pass "outputs : inputs" (either may be empty).
 * SEG_TRY_THEN also runs `then` after the resume point (with or without an
 * exception), e.g. to put back a segment register the piece changed; it
 * runs before the piece disarms seg_fixup (a store through DS).  Inside a
 * piece, SEG_MARK before an instruction makes it the one a fault is
 * expected at (by default the first of the piece). */
#define SEG_TRY_THEN(insn, then, ...)                                        \
    __asm__ volatile("movl $0, seg_trap\n\t"         /* seg_trap.count */  \
                     "movl $.Lts%=, seg_try_start\n\t"                      \
                     "movl $.Lte%=, seg_try_end\n\t"                        \
                     "movl $.Lte%=, seg_fixup\n"                             \
                     ".Lts%=:\n\t" insn "\n"                                \
                     ".Lte%=:\n\t"                                          \
                     then "\n\t"                                            \
                     "movl $0, seg_fixup"                                     \
                     : __VA_ARGS__ : "memory", "cc")
#define SEG_TRY(insn, ...) SEG_TRY_THEN(insn, "", __VA_ARGS__)
#define SEG_MARK "movl $77f, seg_try_start\n77:\t"

/* Checks of the last SEG_TRY (CS is the code segment the piece ran in). */
void seg_expect_fault_cs(const char *file, int line, const char *what,
                         uint32_t vector, uint32_t err, uint32_t cs);
void seg_expect_trap_cs(const char *file, int line, const char *what,
                        uint32_t vector, uint32_t err, uint32_t cs);
void seg_expect_none(const char *file, int line, const char *what);
#define SEG_EXPECT_FAULT(vec, err, what) seg_expect_fault_cs(__FILE__, __LINE__, what, vec, err, SEL_KCODE)
#define SEG_EXPECT_TRAP(vec, err, what)  seg_expect_trap_cs(__FILE__, __LINE__, what, vec, err, SEL_KCODE)
#define SEG_EXPECT_NONE(what)            seg_expect_none(__FILE__, __LINE__, what)

/* ---- rings ----------------------------------------------------------------- */
/* EFLAGS for ring-3 code entered by seg_ring3_call (default FL_1: IF=0, IOPL 0). */
extern uint32_t seg_ring3_eflags;
/* CS and SS it runs with (default SEL_UCODE, SEL_UDATA; e.g. SEL_K1CODE and
 * SEL_K1DATA run fn at CPL 1).  seg_init() and seg_ring3_defaults() reset
 * all three. */
extern uint32_t seg_ring3_cs, seg_ring3_ss;
void seg_ring3_defaults(void);
void seg_ring3_call(void (*fn)(void));
/* Enter fn at CPL 3 by IRET with nothing set up but CS, SS:ESP (the ring-3
 * stack) and EFLAGS; fn must end with "int $SEG_VEC_RING0". */
void seg_ring3_enter(void (*fn)(void));
/* The vector (an interrupt gate with DPL 3) that returns from ring 3 to the
 * caller of seg_ring3_call / seg_ring3_enter.  It records the frame the CPU
 * pushed in seg_ring0_frame (EIP, CS, EFLAGS, ESP, SS) and the ESP/SS the
 * gate switched to in seg_ring0_esp/seg_ring0_ss. */
#define SEG_VEC_RING0 0x30
extern volatile uint32_t seg_ring0_frame[5];
extern volatile uint32_t seg_ring0_esp, seg_ring0_ss;
extern volatile uint32_t seg_ring0_regs[4];     /* DS ES FS GS at the INT */

/* ---- small helpers ----------------------------------------------------------- */
static inline uint32_t read_eflags(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}
static inline void write_eflags(uint32_t f)
{
    __asm__ volatile("pushl %0; popfl" : : "r"(f) : "memory", "cc");
}
static inline uint16_t read_cs(void) { uint16_t v; __asm__ volatile("movw %%cs, %0" : "=rm"(v)); return v; }
static inline uint16_t read_ds(void) { uint16_t v; __asm__ volatile("movw %%ds, %0" : "=rm"(v)); return v; }
static inline uint16_t read_es(void) { uint16_t v; __asm__ volatile("movw %%es, %0" : "=rm"(v)); return v; }
static inline uint16_t read_fs(void) { uint16_t v; __asm__ volatile("movw %%fs, %0" : "=rm"(v)); return v; }
static inline uint16_t read_gs(void) { uint16_t v; __asm__ volatile("movw %%gs, %0" : "=rm"(v)); return v; }
static inline uint16_t read_ss(void) { uint16_t v; __asm__ volatile("movw %%ss, %0" : "=rm"(v)); return v; }
static inline void load_fs(uint16_t s) { __asm__ volatile("movw %0, %%fs" : : "rm"(s) : "memory"); }
static inline void load_gs(uint16_t s) { __asm__ volatile("movw %0, %%gs" : : "rm"(s) : "memory"); }

#endif
