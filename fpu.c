/*
 * fpu.c - the x87 FPU: where the guest's x87 state lives, the C helpers for
 * the x87 instructions that move the whole state (FSAVE FRSTOR FSTENV FLDENV
 * FXSAVE FXRSTOR FNINIT), and the delivery of x87 exceptions (#MF, or FERR#
 * and IRQ13 as on a PC/AT).
 *
 * A file of its own because the x87 is a subsystem of its own with one
 * unusual idea (docs/fpu.md): the guest's x87 registers live in the HOST's
 * x87 unit while the vCPU's thread runs.  translate.c emits every guest x87
 * instruction as the same host instruction, so rounding, precision,
 * denormals, NaNs, condition codes, tags, stack faults and transcendental
 * results are the host's, bit for bit, at native speed.  For that to hold,
 * nothing else on a vCPU thread may touch the x87: vm is compiled with
 * -mno-80387, the libc functions it calls use no x87 code, the kernel keeps
 * each thread's FPU state across context switches and signals, and
 * siglongjmp leaves it alone.  The code here reaches the x87 only through
 * FXSAVE and FXRSTOR, which never raise a pending x87 exception.
 *
 * The state is in one of two places:
 *   - in the host's x87 unit, while the vCPU's thread runs it
 *     (cpu == current_cpu): from fpu_thread_enter to fpu_thread_leave;
 *   - in CPU.fpu_area (an FXSAVE image) otherwise: before the vCPU's thread
 *     starts, and in thread=single mode while another vCPU has the thread.
 * Only the host's own instruction and operand pointers are useless to us
 * (they hold host addresses): the guest's live in CPU.fpu_fip and its
 * neighbours, stored by translated code (SDM Vol. 1 8.1.8-8.1.9).
 *
 * Exceptions (SDM Vol. 1 8.6-8.7, Appendix D): the host FCW is the guest's,
 * masks included.  An unmasked exception only sets the status word's ES
 * bit; the next waiting x87 instruction would then trap on the host.  So
 * while the guest unmasks any exception (HF_FPU_UNMASKED), translated code
 * tests ES before each waiting x87 instruction and calls helper_fpu_pending,
 * which raises #MF (CR0.NE=1) or asserts FERR# -> IRQ13 and lets the
 * instruction run with the exception ignored (CR0.NE=0).  With every
 * exception masked ES stays clear (the host computes it from the flags and
 * the masks) and no check is emitted.  A host SIGFPE would mean that went
 * wrong: fpu_init turns one into a clear error exit.
 *
 * Threads and locks: everything runs on the vCPU's own thread and touches
 * its own CPU, except fpu_ferr_clear (port 0xF0, BQL held, any vCPU's
 * thread), which sets the boot processor's fpu_ignne atomically.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

/* ---- FXSAVE image layout (SDM Vol. 2, FXSAVE, the 32-bit format) -------- */

#define FX_FCW    0     /* 16 bits */
#define FX_FSW    2     /* 16 bits: TOP in bits 13:11 */
#define FX_FTW    4     /* 8 bits: the abridged tag word, 1 = not empty, per physical register */
#define FX_FOP    6     /* 11 bits */
#define FX_FIP    8
#define FX_FCS    12
#define FX_FDP    16
#define FX_FDS    20
#define FX_MXCSR  24
#define FX_MXCSR_MASK 28
#define FX_ST     32    /* ST(0)..ST(7), 16 bytes each (10 used) */
#define FX_X87_END 160  /* the x87 part ends here: the XMM registers follow */

/* FSW bits */
#define FSW_EXC   0x003f        /* IE DE ZE OE UE PE: the sticky exception flags */
#define FSW_SF    0x0040        /* stack fault */
#define FSW_ES    0x0080        /* error summary: an unmasked exception is pending */
#define FSW_TOP_SHIFT 11
#define FSW_B     0x8000        /* busy: a copy of ES */

/* FCW at RESET (SDM Vol. 3 Table 9-1): every exception unmasked, 24-bit
 * precision; FNINIT's is 0x037F. */
#define FCW_RESET 0x0040
#define FCW_INIT  0x037f
#define FCW_MASKS 0x003f

#define ENV16_SIZE 14   /* FSTENV/FLDENV image, 16-bit operand size */
#define ENV32_SIZE 28   /* ... 32-bit */

static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static void put16(uint8_t *p, uint32_t v) { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* ---- The host's x87 unit -------------------------------------------------
 * FXSAVE and FXRSTOR move the x87 state together with MXCSR and the XMM
 * registers, which belong to vm's own code: a load therefore starts from
 * an FXSAVE of the current state and replaces only the x87 part, and the
 * FXRSTOR tells the compiler that every XMM register changes. */

typedef struct FxImage {
    uint8_t b[512] __attribute__((aligned(16)));
} FxImage;

static void host_fxsave(FxImage *img)
{
    __asm__ volatile("fxsave %0" : "=m"(*img));
}

static void host_fxrstor(const FxImage *img)
{
    __asm__ volatile("fxrstor %0" : : "m"(*img)
                     : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* Load the x87 part of image x87 into the host, keeping the host's MXCSR
 * and XMM registers.  The host computes ES and B (and, from the register
 * contents, the tags) as it loads. */
static void host_x87_load(const uint8_t *x87)
{
    FxImage cur;
    host_fxsave(&cur);
    memcpy(cur.b, x87, FX_MXCSR);
    memcpy(cur.b + FX_ST, x87 + FX_ST, FX_X87_END - FX_ST);
    host_fxrstor(&cur);
}

/* Is the guest x87 state of cpu in the host's unit now?  (Only the vCPU's
 * own thread can ask.) */
static int fpu_live(const CPU *cpu)
{
    return cpu == current_cpu;
}

/* The guest state as an FXSAVE image (the pointers are the host's). */
static void fpu_image(const CPU *cpu, FxImage *img)
{
    if (fpu_live(cpu))
        host_fxsave(img);
    else
        memcpy(img->b, cpu->fpu_area, sizeof(img->b));
}

/* ---- Where the state lives ------------------------------------------------- */

/* This thread starts running cpu's guest code: the guest x87 state goes
 * into the host's unit. */
void fpu_thread_enter(CPU *cpu)
{
    host_x87_load(cpu->fpu_area);
}

/* This thread stops running cpu (thread=single: another vCPU's turn). */
void fpu_thread_leave(CPU *cpu)
{
    FxImage img;
    host_fxsave(&img);
    memcpy(cpu->fpu_area, img.b, sizeof(img.b));
}

/* After a change of the guest FCW: whether translated code must check for
 * pending exceptions (HF_FPU_UNMASKED), and IGNNE#, which the chipset
 * drops with FERR# once no unmasked exception is pending. */
static void fpu_state_changed(CPU *cpu, uint16_t fcw, uint16_t fsw)
{
    cpu->fpu_unmasked = (fcw & FCW_MASKS) != FCW_MASKS;
    if (!(fsw & ~fcw & FSW_EXC))
        __atomic_store_n(&cpu->fpu_ignne, 0, __ATOMIC_RELAXED);
    cpu_update_hflags(cpu);
}

/* Load a fresh state: FCW fcw, FSW 0, registers +0.0 with the abridged
 * tag byte ftw (FXSAVE's: 1 = not empty), pointers 0.  On the vCPU's own
 * thread, or before it starts. */
static void fpu_load_fresh(CPU *cpu, uint16_t fcw, uint8_t ftw)
{
    FxImage img;
    memset(&img, 0, sizeof(img));
    put16(img.b + FX_FCW, fcw);
    img.b[FX_FTW] = ftw;
    if (fpu_live(cpu))
        host_x87_load(img.b);
    else
        memcpy(cpu->fpu_area, img.b, sizeof(img.b));
    cpu->fpu_fip = cpu->fpu_fdp = 0;
    cpu->fpu_fcs = cpu->fpu_fds = cpu->fpu_fop = 0;
    cpu->fpu_sel_lazy[0] = cpu->fpu_sel_lazy[1] = 0;
    cpu->fpu_ignore = cpu->fpu_ignoring = 0;
    fpu_state_changed(cpu, fcw, 0);
}

/* RESET (not INIT, which leaves the x87 alone): the power-up state of SDM
 * Vol. 3 Table 9-1 -- FCW 0040H, FSW 0, every register +0.0 and so tagged
 * zero (FTW 5555H), pointers 0. */
void fpu_reset(CPU *cpu)
{
    fpu_load_fresh(cpu, FCW_RESET, 0xff);
}

/* What firmware leaves for the program it boots: it ran FNINIT in POST
 * (FCW 037FH, every register empty), as a BIOS does.  For -kernel, where
 * vm plays the firmware. */
void fpu_firmware_init(CPU *cpu)
{
    fpu_load_fresh(cpu, FCW_INIT, 0);
}

/* ---- The guest state, unpacked --------------------------------------------- */

typedef struct FpuState {
    uint16_t fcw, fsw;
    uint16_t ftw;               /* the full tag word: 2 bits per physical register */
    uint16_t fcs, fds, fop;
    uint32_t fip, fdp;
    uint8_t st[8][10];          /* ST(0)..ST(7) */
} FpuState;

enum { TAG_VALID, TAG_ZERO, TAG_SPECIAL, TAG_EMPTY };

/* The tag of a non-empty register from its contents (SDM Vol. 2 FXSAVE,
 * "Recreating FSAVE format"). */
static int tag_of(const uint8_t *r)
{
    uint64_t mant;
    memcpy(&mant, r, 8);
    int exp = get16(r + 8) & 0x7fff;
    if (exp == 0x7fff)
        return TAG_SPECIAL;
    if (exp == 0)
        return mant == 0 ? TAG_ZERO : TAG_SPECIAL;
    return (mant >> 63) ? TAG_VALID : TAG_SPECIAL;
}

static int fsw_top(uint16_t fsw)
{
    return (fsw >> FSW_TOP_SHIFT) & 7;
}

/* Translated code leaves FCS and FDS as "CS's selector, segment n's
 * selector" (CPU.fpu_sel_lazy) where it would copy them at every exit of
 * a block with x87 code; they are taken here, before a selector changes
 * (cpu.c, seg.c), CR0 changes mode, or anyone reads them. */
static uint16_t fpu_fcs_now(const CPU *cpu)
{
    return cpu->fpu_sel_lazy[0] ? cpu->seg[S_CS].sel : cpu->fpu_fcs;
}

static uint16_t fpu_fds_now(const CPU *cpu)
{
    return cpu->fpu_sel_lazy[1] ? cpu->seg[cpu->fpu_sel_lazy[1] - 1].sel : cpu->fpu_fds;
}

void fpu_resolve_sels(CPU *cpu)
{
    cpu->fpu_fcs = fpu_fcs_now(cpu);
    cpu->fpu_fds = fpu_fds_now(cpu);
    cpu->fpu_sel_lazy[0] = cpu->fpu_sel_lazy[1] = 0;
}

/* The guest's x87 state (the vCPU's own thread). */
static void fpu_get(const CPU *cpu, FpuState *f)
{
    FxImage img;
    fpu_image(cpu, &img);
    f->fcw = get16(img.b + FX_FCW);
    f->fsw = get16(img.b + FX_FSW);
    int top = fsw_top(f->fsw);
    for (int i = 0; i < 8; i++)
        memcpy(f->st[i], img.b + FX_ST + 16 * i, 10);
    f->ftw = 0;
    for (int phys = 0; phys < 8; phys++) {
        int tag = (img.b[FX_FTW] >> phys & 1) ? tag_of(f->st[(phys - top) & 7]) : TAG_EMPTY;
        f->ftw |= (uint16_t)(tag << (2 * phys));
    }
    f->fip = cpu->fpu_fip;
    f->fcs = fpu_fcs_now(cpu);
    f->fop = cpu->fpu_fop;
    f->fdp = cpu->fpu_fdp;
    f->fds = fpu_fds_now(cpu);
}

/* Make f the guest's x87 state.  Only empty or not matters of each tag:
 * the host recomputes the rest from the register, as FRSTOR does. */
static void fpu_set(CPU *cpu, const FpuState *f)
{
    uint8_t x87[FX_X87_END];
    memset(x87, 0, sizeof(x87));
    put16(x87 + FX_FCW, f->fcw);
    put16(x87 + FX_FSW, f->fsw);
    for (int phys = 0; phys < 8; phys++)
        if ((f->ftw >> (2 * phys) & 3) != TAG_EMPTY)
            x87[FX_FTW] |= (uint8_t)(1 << phys);
    for (int i = 0; i < 8; i++)
        memcpy(x87 + FX_ST + 16 * i, f->st[i], 10);
    if (fpu_live(cpu)) {
        host_x87_load(x87);
    } else {
        memcpy(cpu->fpu_area, x87, FX_MXCSR);
        memcpy(cpu->fpu_area + FX_ST, x87 + FX_ST, FX_X87_END - FX_ST);
    }
    cpu->fpu_fip = f->fip;
    cpu->fpu_fcs = f->fcs;
    cpu->fpu_sel_lazy[0] = cpu->fpu_sel_lazy[1] = 0;
    cpu->fpu_fop = f->fop & 0x7ff;
    cpu->fpu_fdp = f->fdp;
    cpu->fpu_fds = f->fds;
    fpu_state_changed(cpu, f->fcw, f->fsw);
}

/* FNINIT: FCW 037FH, FSW 0, every register empty (its contents stay),
 * pointers 0.  The host's own FNINIT does it (it never waits). */
static void fpu_fninit(CPU *cpu)
{
    __asm__ volatile("fninit" ::: "memory");
    cpu->fpu_fip = cpu->fpu_fdp = 0;
    cpu->fpu_fcs = cpu->fpu_fds = cpu->fpu_fop = 0;
    cpu->fpu_sel_lazy[0] = cpu->fpu_sel_lazy[1] = 0;
    fpu_state_changed(cpu, FCW_INIT, 0);
}

/* FNSTENV masks every exception once it has stored: the host's FNSTENV
 * (which never waits either) does that to the host FCW. */
static void fpu_mask_all(CPU *cpu)
{
    uint8_t env[ENV32_SIZE];
    __asm__ volatile("fnstenv %0" : "=m"(env) : : "memory");
    fpu_state_changed(cpu, get16(env) | FCW_MASKS, get16(env + 4));
}

/* ---- Environment and save-area formats (SDM Vol. 1 8.1.10, Figures 8-9 to
 * 8-12) ---------------------------------------------------------------------
 * Protected mode: the pointers as selector and offset.  Real and virtual-8086
 * mode: as 20-bit (16-bit format) or 32-bit linear addresses, selector * 16
 * + offset, with the opcode beside the instruction pointer.  The 32-bit
 * formats fill the reserved upper halves with ones, as the host does. */

static int env_real_format(const CPU *cpu)
{
    return !(cpu->cr[0] & CR0_PE) || (cpu->eflags & F_VM);
}

static void env_store(const CPU *cpu, const FpuState *f, uint8_t *m, int size32)
{
    int real = env_real_format(cpu);
    uint32_t ip = real ? ((uint32_t)f->fcs << 4) + f->fip : f->fip;
    uint32_t dp = real ? ((uint32_t)f->fds << 4) + f->fdp : f->fdp;
    if (!size32) {
        put16(m + 0, f->fcw);
        put16(m + 2, f->fsw);
        put16(m + 4, f->ftw);
        put16(m + 6, ip);
        put16(m + 8, real ? ((ip >> 16 & 0xf) << 12) | (f->fop & 0x7ff) : f->fcs);
        put16(m + 10, dp);
        put16(m + 12, real ? (dp >> 16 & 0xf) << 12 : f->fds);
        return;
    }
    put32(m + 0, 0xffff0000u | f->fcw);
    put32(m + 4, 0xffff0000u | f->fsw);
    put32(m + 8, 0xffff0000u | f->ftw);
    if (real) {
        put32(m + 12, 0xffff0000u | (ip & 0xffff));
        put32(m + 16, (ip >> 16) << 12 | (f->fop & 0x7ff));
        put32(m + 20, 0xffff0000u | (dp & 0xffff));
        put32(m + 24, (dp >> 16) << 12);
    } else {
        put32(m + 12, ip);
        put32(m + 16, (uint32_t)(f->fop & 0x7ff) << 16 | f->fcs);
        put32(m + 20, dp);
        put32(m + 24, 0xffff0000u | f->fds);
    }
}

/* The inverse; in real-address formats the pointers become linear
 * addresses with selector 0 (stored again, they come out the same). */
static void env_load(const CPU *cpu, FpuState *f, const uint8_t *m, int size32)
{
    int real = env_real_format(cpu);
    f->fcs = f->fds = 0;
    if (!size32) {
        f->fcw = get16(m + 0);
        f->fsw = get16(m + 2);
        f->ftw = get16(m + 4);
        if (real) {
            f->fip = get16(m + 6) | (uint32_t)(get16(m + 8) >> 12) << 16;
            f->fop = get16(m + 8) & 0x7ff;
            f->fdp = get16(m + 10) | (uint32_t)(get16(m + 12) >> 12) << 16;
        } else {
            f->fip = get16(m + 6);
            f->fcs = get16(m + 8);
            f->fdp = get16(m + 10);
            f->fds = get16(m + 12);
            f->fop = 0;                 /* not in the 16-bit protected-mode format */
        }
        return;
    }
    f->fcw = get16(m + 0);
    f->fsw = get16(m + 4);
    f->ftw = get16(m + 8);
    if (real) {
        f->fip = (get32(m + 12) & 0xffff) | (get32(m + 16) >> 12 & 0xffff) << 16;
        f->fop = get32(m + 16) & 0x7ff;
        f->fdp = (get32(m + 20) & 0xffff) | (get32(m + 24) >> 12 & 0xffff) << 16;
    } else {
        f->fip = get32(m + 12);
        f->fcs = get16(m + 16);
        f->fop = get32(m + 16) >> 16 & 0x7ff;
        f->fdp = get32(m + 20);
        f->fds = get16(m + 24);
    }
}

/* ---- Guest memory ----------------------------------------------------------
 * The whole area is checked (segment limit and type, alignment, every page)
 * before any byte moves or the x87 state changes, so a fault leaves both as
 * they were. */

static uint32_t area_check(CPU *cpu, int seg, uint32_t off, int size, int align, int is_write)
{
    seg_check_access(cpu, seg, off, size, is_write);
    uint32_t linear = cpu->seg[seg].base + off;
    if (align == 16 && (linear & 15))
        raise_exception_err(cpu, EXC_GP, 0);    /* FXSAVE, FXRSTOR: #GP, not #AC */
    if ((cpu->hflags & HF_AC) && (linear & (uint32_t)(align - 1)))
        raise_exception_err(cpu, EXC_AC, 0);
    tlb_probe(cpu, linear, size, is_write);
    return linear;
}

static void area_read(CPU *cpu, uint32_t linear, uint8_t *buf, int size)
{
    for (int i = 0; i < size; i += 4) {
        int n = size - i < 4 ? size - i : 4;
        uint32_t v = mem_read(cpu, linear + (uint32_t)i, n);
        memcpy(buf + i, &v, (size_t)n);
    }
}

static void area_write(CPU *cpu, uint32_t linear, const uint8_t *buf, int size)
{
    for (int i = 0; i < size; i += 4) {
        int n = size - i < 4 ? size - i : 4;
        uint32_t v = 0;
        memcpy(&v, buf + i, (size_t)n);
        mem_write(cpu, linear + (uint32_t)i, v, n);
    }
}

/* ---- The state-moving instructions -------------------------------------------- */

/* FNSTENV / FNSAVE: store the environment (and the registers); FNSTENV
 * then masks every exception, FNSAVE initializes the FPU. */
static void fpu_store_env(CPU *cpu, int seg, uint32_t off, int size32, int save)
{
    uint8_t m[ENV32_SIZE + 80];
    int env = size32 ? ENV32_SIZE : ENV16_SIZE, size = env + (save ? 80 : 0);
    uint32_t linear = area_check(cpu, seg, off, size, size32 ? 4 : 2, 1);
    FpuState f;
    fpu_get(cpu, &f);
    env_store(cpu, &f, m, size32);
    if (save)
        memcpy(m + env, f.st, 80);
    area_write(cpu, linear, m, size);
    if (save)
        fpu_fninit(cpu);
    else
        fpu_mask_all(cpu);
}

/* FLDENV / FRSTOR. */
static void fpu_load_env(CPU *cpu, int seg, uint32_t off, int size32, int restore)
{
    uint8_t m[ENV32_SIZE + 80];
    int env = size32 ? ENV32_SIZE : ENV16_SIZE, size = env + (restore ? 80 : 0);
    uint32_t linear = area_check(cpu, seg, off, size, size32 ? 4 : 2, 0);
    area_read(cpu, linear, m, size);
    FpuState f, old;
    fpu_get(cpu, &old);
    env_load(cpu, &f, m, size32);
    cpu->fpu_ignoring = 0;              /* the flags it loads replace any ignored ones */
    if (restore) {
        memcpy(f.st, m + env, 80);
    } else {
        /* the registers stay where they are physically; a new TOP renames them */
        int shift = fsw_top(f.fsw) - fsw_top(old.fsw);
        for (int i = 0; i < 8; i++)
            memcpy(f.st[i], old.st[(i + shift) & 7], 10);
    }
    fpu_set(cpu, &f);
}

/* FXSAVE: the x87 part of the 512-byte image (SDM Vol. 2 FXSAVE, Table
 * 3-53).  There are no SSE registers: MXCSR and its mask read 0, and the
 * XMM area and the rest are left as they are. */
static void fpu_fxsave(CPU *cpu, int seg, uint32_t off)
{
    uint32_t linear = area_check(cpu, seg, off, 512, 16, 1);
    FxImage img;
    fpu_image(cpu, &img);
    put16(img.b + FX_FOP, cpu->fpu_fop);
    put32(img.b + FX_FIP, cpu->fpu_fip);
    put32(img.b + FX_FCS, fpu_fcs_now(cpu));
    put32(img.b + FX_FDP, cpu->fpu_fdp);
    put32(img.b + FX_FDS, fpu_fds_now(cpu));
    put32(img.b + FX_MXCSR, 0);
    put32(img.b + FX_MXCSR_MASK, 0);
    img.b[FX_FTW + 1] = 0;
    for (int i = 0; i < 8; i++)
        memset(img.b + FX_ST + 16 * i + 10, 0, 6);
    area_write(cpu, linear, img.b, FX_X87_END);
}

/* FXRSTOR: the x87 part of the image. */
static void fpu_fxrstor(CPU *cpu, int seg, uint32_t off)
{
    uint32_t linear = area_check(cpu, seg, off, 512, 16, 0);
    uint8_t x87[FX_X87_END];
    area_read(cpu, linear, x87, FX_X87_END);
    if (fpu_live(cpu)) {
        host_x87_load(x87);
    } else {
        memcpy(cpu->fpu_area, x87, FX_MXCSR);
        memcpy(cpu->fpu_area + FX_ST, x87 + FX_ST, FX_X87_END - FX_ST);
    }
    cpu->fpu_fop = get16(x87 + FX_FOP) & 0x7ff;
    cpu->fpu_fip = get32(x87 + FX_FIP);
    cpu->fpu_fcs = get16(x87 + FX_FCS);
    cpu->fpu_fdp = get32(x87 + FX_FDP);
    cpu->fpu_fds = get16(x87 + FX_FDS);
    cpu->fpu_sel_lazy[0] = cpu->fpu_sel_lazy[1] = 0;
    fpu_state_changed(cpu, get16(x87 + FX_FCW), get16(x87 + FX_FSW));
}

/* The x87 instructions that move the whole state, called from translated
 * code with the operand's offset and FPU_OP(desc), FPU_SEG(desc),
 * FPU_SIZE32 (the operand size).  Faults leave everything unchanged. */
void helper_fpu_state(CPU *cpu, uint32_t offset, uint32_t desc)
{
    int seg = FPU_SEG(desc), size32 = (desc & FPU_SIZE32) != 0;
    switch (FPU_OP(desc)) {
    case FPU_FNSTENV: fpu_store_env(cpu, seg, offset, size32, 0); break;
    case FPU_FNSAVE: fpu_store_env(cpu, seg, offset, size32, 1); break;
    case FPU_FLDENV: fpu_load_env(cpu, seg, offset, size32, 0); break;
    case FPU_FRSTOR: fpu_load_env(cpu, seg, offset, size32, 1); break;
    case FPU_FXSAVE: fpu_fxsave(cpu, seg, offset); break;
    case FPU_FXRSTOR: fpu_fxrstor(cpu, seg, offset); break;
    case FPU_FNINIT: fpu_fninit(cpu); break;
    }
}

/* ---- Pending exceptions ---------------------------------------------------------- */

/* Translated code found ES set before a waiting x87 instruction (the
 * instruction's EIP is in cpu->eip).  CR0.NE=1: #MF.  CR0.NE=0, as on a
 * PC/AT: the FPU's FERR# output raises IRQ13 through the 8259 (unless the
 * chipset asserts IGNNE#, after a write to port 0xF0), and the instruction
 * runs with the pending exception ignored -- cpu_exec runs it in a TB of
 * its own between fpu_ignore_begin and fpu_ignore_end, unless an
 * interrupt comes first.  (QEMU does the same; a real 486+ stops before
 * the instruction until the interrupt arrives.) */
void helper_fpu_pending(CPU *cpu)
{
    if (cpu->cr[0] & CR0_NE)
        raise_exception(cpu, EXC_MF);
    if (!__atomic_load_n(&cpu->fpu_ignne, __ATOMIC_RELAXED)) {
        bql_lock();
        irq_set(13, 1);
        bql_unlock();
    }
    cpu->fpu_ignore = 1;
    cpu->fpu_ignore_eip = cpu->seg[S_CS].base + cpu->eip;
    cpu->exc_vector = -1;
    siglongjmp(cpu->jmp_env, 1);
}

/* Clear the exception flags (and with them ES) for the one instruction
 * that runs ignoring them... */
void fpu_ignore_begin(CPU *cpu)
{
    FxImage img;
    host_fxsave(&img);
    cpu->fpu_ignored_sw = get16(img.b + FX_FSW);
    put16(img.b + FX_FSW, cpu->fpu_ignored_sw & ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B));
    host_fxrstor(&img);
    cpu->fpu_ignoring = 1;
}

/* ... and put them back after it (or after its fault): the sticky flags
 * stay set, so ES is pending again. */
void fpu_ignore_end(CPU *cpu)
{
    if (!cpu->fpu_ignoring)
        return;
    cpu->fpu_ignoring = 0;
    FxImage img;
    host_fxsave(&img);
    put16(img.b + FX_FSW, get16(img.b + FX_FSW) | (cpu->fpu_ignored_sw & (FSW_EXC | FSW_SF)));
    host_fxrstor(&img);
}

/* A write to port 0xF0 (BQL held): the chipset drops IRQ13 and asserts
 * IGNNE# to the boot processor until its FERR# goes away. */
void fpu_ferr_clear(void)
{
    irq_set(13, 0);
    if (machine.ncpus > 0)
        __atomic_store_n(&machine.cpus[0]->fpu_ignne, 1, __ATOMIC_RELAXED);
}

/* ---- Start-up and debugging --------------------------------------------------------- */

static struct sigaction fpu_old_sigfpe;

/* A host SIGFPE means a guest x87 exception reached the host unchecked: a
 * bug in vm.  Say so, then let the previous handler (the console's, which
 * restores the terminal) or the default action end the process. */
static void fpu_sigfpe(int sig)
{
    static const char msg[] = "vm: internal error: the host FPU raised SIGFPE "
                              "(an unmasked guest x87 exception went unchecked)\n";
    ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void)r;
    sigaction(SIGFPE, &fpu_old_sigfpe, NULL);
    if (fpu_old_sigfpe.sa_handler == SIG_IGN || fpu_old_sigfpe.sa_handler == SIG_DFL)
        signal(SIGFPE, SIG_DFL);
    raise(sig);
}

void fpu_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fpu_sigfpe;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGFPE, &sa, &fpu_old_sigfpe);
}

/* -d cpu: the x87 registers (on the vCPU's own thread). */
void fpu_dump(const CPU *cpu, FILE *f)
{
    FpuState s;
    fpu_get(cpu, &s);
    fprintf(f, "FCW=%04x FSW=%04x FTW=%04x FOP=%03x FIP=%04x:%08x FDP=%04x:%08x\n", s.fcw,
            s.fsw, s.ftw, s.fop, s.fcs, s.fip, s.fds, s.fdp);
    for (int i = 0; i < 8; i++) {
        uint64_t mant;
        memcpy(&mant, s.st[i], 8);
        fprintf(f, "ST%d=%04x %016llx%s", i, get16(s.st[i] + 8), (unsigned long long)mant,
                (i & 1) ? "\n" : " ");
    }
}
