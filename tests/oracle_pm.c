/*
 * oracle_pm.c - the host CPU as the oracle for 32-bit (protected-mode) code.
 *
 * Usage (subcommands of tests/oracle; the Makefile runs them):
 *   tests/oracle pm-gen DIR [-s SEED] [-n COUNT] [-c PER_FILE] [-u UNITS] [-q]
 *       write COUNT random sequences to DIR/pmseq_NN.S (PER_FILE per file)
 *   tests/oracle pm-fuzz [-s SEED] [-n COUNT] [-u UNITS] [-q] [-v VM]
 *       generate, build and run COUNT sequences in VM (default ./vm) and
 *       print the first mismatch, shrunk to a minimal reproducer
 *   -u: at most UNITS units per sequence (1 to 8, the default)
 *   -q: for checking with QEMU instead (see "Undefined flags" below);
 *       -v qemu implies it; another -v is a command run as "VM -kernel F"
 *
 * The method
 *   1. Generate.  A sequence is 1 to 8 "units" of random user-level
 *      instructions: ALU, shifts and rotates, SHLD/SHRD, MUL/IMUL/DIV/IDIV,
 *      BCD, BT*, BSF/BSR, SETcc, CMOVcc, XCHG/XADD/CMPXCHG/CMPXCHG8B, BSWAP,
 *      LEA, MOV/MOVZX/MOVSX, string operations, PUSH/POP/PUSHA/POPA,
 *      PUSHF/POPF, LAHF/SAHF, CMC/CLC/STC/CLD/STD, XLAT, Jcc/LOOP/JECXZ, in
 *      all operand sizes.  A unit is one instruction under test, preceded
 *      when needed by MOVs (which leave the flags alone) that make it safe:
 *      a pointer into the scratch buffer for a memory operand, the pointers
 *      and count of a string operation, a dividend and divisor that cannot
 *      fault.  Everything else comes from the random inputs: the registers
 *      (biased to edge values such as 0, -1, 0x80000000), the arithmetic
 *      flags and the scratch buffer's bytes (from a per-sequence seed), and
 *      from what the earlier units computed.  Each sequence has its own
 *      random generator, seeded from (SEED, its number), so that any one of
 *      them can be made again alone.
 *   2. Write them as assembler source (tests/gen/pmseq_NN.S): per sequence
 *      its code, ending with "jmp oracle_back", its listing, and a
 *      descriptor with the input registers, flags and scratch seed.  The
 *      assembler picks the encodings; a few other encodings (the 0x82 alias,
 *      INC/DEC through FF, SAL /6, ...) are written as .byte.
 *   3. Run natively.  tests/oracle_pm.mk links the assembled file into a
 *      static Linux i386 program (tests/oracle_pm32.c with -DNATIVE: no
 *      libc, system calls through int 0x80) that runs every sequence on the
 *      host CPU and writes the final registers, EFLAGS and changed scratch
 *      bytes to tests/gen/pmexp_NN.dat.
 *   4. Run in the VM.  The same object, linked with the kernel half of
 *      oracle_pm32.c and the .dat file, is the multiboot kernel
 *      tests/gen/pm_NN.elf.  It runs every sequence and compares registers,
 *      the arithmetic flags and DF, and the whole scratch buffer with the
 *      native results; on a mismatch it prints the sequence number, its code
 *      bytes and listing, input, native and VM values.  tests/run.sh runs
 *      the kernels as part of `make test`.
 *   Both worlds run a sequence the same way: ESP points into the scratch
 *   buffer, which sits at the same address in both (oracle_pm.h), so even
 *   pointers compare; the kernel runs at CPL 0 but with IF set and every
 *   interrupt masked at the PIC, so that PUSHF images equal a process's.
 *
 * Undefined flags
 *   vm runs on the same CPU as the native run, so everything must match,
 *   including what the Intel SDM calls undefined (the host defines it).
 *   QEMU computes undefined flags its own way, so with -q the generator
 *   tracks, conservatively, which flags are undefined after each unit
 *   (Unit.rd/wr/und), never generates a unit that would read one, and
 *   masks them out of the final comparison.  It leaves out CMPXCHG8B too,
 *   whose flags QEMU 7.2 gets wrong.
 *
 * pm-fuzz
 *   Builds COUNT sequences from SEED in tests/gen/fuzz, runs the kernels in
 *   the VM and takes the first failing sequence.  It then drops units one
 *   at a time, keeping each removal after which the sequence still fails
 *   (native run and VM disagree), until none can go, and prints what is
 *   left: its code, inputs and both results.  A kernel that fails without
 *   naming a sequence (a hang, a crash) is bisected first.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oracle_pm.h"

int pm_main(int argc, char **argv);

#define DEFAULT_SEED 0x5eed32b17ULL
#define DEFAULT_X87_SEED 0x5eed87ULL   /* -x */
#define X87_FIRST_FILE 10               /* pm-gen -x writes pmseq_10.S, pmseq_11.S, ... */
#define DEFAULT_COUNT 24000
#define DEFAULT_PER_FILE 6000
#define MAXU 12                 /* units per sequence, at most */
#define INT_UNITS 8             /* ... by default, and with -x */
#define X87_UNITS 12

enum { CF = 0x001, PF = 0x004, AF = 0x010, ZF = 0x040, SF = 0x080, OF = 0x800,
       ARITH = CF | PF | AF | ZF | SF | OF };
enum { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };

/* What to generate, from the command line. */
typedef struct {
    uint64_t seed;
    uint32_t count, per;    /* sequences, and per file */
    int units;              /* at most this many units per sequence */
    int qemu;               /* -q */
    int x87;                /* -x */
    int first;              /* pm-gen: the number of the first file */
    const char *vm;         /* pm-fuzz: the VM command, or "qemu" */
} Opts;

/* ------------------------------------------------------------ random */

typedef struct {
    uint64_t rng;
    int depth;          /* bytes pushed on the sequence's stack so far */
    unsigned undef;     /* flags that may be undefined now (-q) */
    int qemu;           /* -q: avoid and mask undefined flags */
    int x87;            /* -x: x87 sequences */
    int fdepth;         /* -x: how many x87 registers are in use, roughly */
    int one_x87;        /* the unit may hold only one waiting x87 instruction */
    int scrub_ptrs;     /* the host keeps no FOP/FDP: clear them in stored images */
} Gen;

static uint32_t rnd32(Gen *g)     /* splitmix64 */
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static uint32_t rnd(Gen *g, uint32_t n)     /* uniform in [0, n) */
{
    return (uint32_t)(((uint64_t)rnd32(g) * n) >> 32);
}

static uint32_t mask(int w)
{
    return w >= 32 ? 0xffffffffu : (1u << w) - 1;
}

/* A w-bit value: uniform, or (one time in two) an edge case. */
static uint32_t val(Gen *g, int w)
{
    uint32_t m = mask(w), s = 1u << (w - 1);

    switch (rnd(g, 24)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return m;
    case 3: return s;
    case 4: return s - 1;
    case 5: return (s + 1) & m;
    case 6: return m - 1;
    case 7: return 1u << rnd(g, (uint32_t)w);
    case 8: return m ^ (1u << rnd(g, (uint32_t)w));
    case 9: return rnd(g, 16);
    case 10: return m - rnd(g, 16);
    case 11: return (rnd(g, 2) ? 0x55555555u : 0xaaaaaaaau) & m;
    default: return rnd32(g) & m;
    }
}

/* A shift count, biased toward the interesting ones. */
static uint32_t count_val(Gen *g, int w)
{
    switch (rnd(g, 14)) {
    case 0: return 0;
    case 1: case 2: return 1;
    case 3: return (uint32_t)w - 1;
    case 4: return (uint32_t)w;
    case 5: return (uint32_t)w + 1;
    case 6: return 31;
    case 7: return 32 + rnd(g, 3);
    case 8: return 9 * (1 + rnd(g, 3));     /* RCL/RCR 8-bit wrap */
    case 9: return 17;                      /* RCL/RCR 16-bit wrap */
    case 10: return 32 + rnd(g, 224);
    default: return rnd(g, 32);
    }
}

static int rand_w(Gen *g)
{
    static const int ws[3] = { 8, 16, 32 };
    return ws[rnd(g, 3)];
}

static int rand_w1632(Gen *g)
{
    return rnd(g, 2) ? 16 : 32;
}

/* ------------------------------------------------------------- units */

typedef struct {
    char as[1024];      /* assembler lines */
    char text[1024];    /* the same for the listing (.byte lines explained) */
    unsigned rd, wr, und;   /* flags read, written, undefined afterwards */
} Unit;

static void append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);

    if (n + strlen(s) + 2 > size) {
        fprintf(stderr, "oracle: unit too long (generator bug)\n");
        exit(2);
    }
    snprintf(buf + n, size - n, "%s%s", n ? "\n" : "", s);
}

/* Add an instruction line (printf-style) to the unit. */
static void emit(Unit *u, const char *fmt, ...)
{
    char line[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    append(u->as, sizeof u->as, line);
    append(u->text, sizeof u->text, line);
}

/* Add an encoding the assembler would not choose: n bytes, and its text. */
static void emit_raw(Unit *u, const char *text, const uint8_t *b, int n)
{
    char line[160];
    int k = snprintf(line, sizeof line, ".byte ");

    for (int i = 0; i < n; i++)
        k += snprintf(line + k, sizeof line - (size_t)k, "%s0x%02x", i ? ", " : "", b[i]);
    append(u->as, sizeof u->as, line);
    append(u->text, sizeof u->text, text);
}

/* "op /digit" with a register operand (ModRM mod 3), prefixed by 0x66 for
 * 16 bits, followed by an immediate of immlen bytes. */
static void emit_modrm(Unit *u, const char *text, int w, int op, int digit, int r,
                       uint32_t imm, int immlen)
{
    uint8_t b[8];
    int n = 0;

    if (w == 16)
        b[n++] = 0x66;
    b[n++] = (uint8_t)op;
    b[n++] = (uint8_t)(0xc0 | digit << 3 | r);
    for (int i = 0; i < immlen; i++)
        b[n++] = (uint8_t)(imm >> (8 * i));
    emit_raw(u, text, b, n);
}

static const char *const R8[8] = { "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" };
static const char *const R16[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
static const char *const R32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const CC[16] = { "o", "no", "b", "ae", "e", "ne", "be", "a",
                                    "s", "ns", "p", "np", "l", "ge", "le", "g" };
static const unsigned CC_FLAGS[8] = { OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF };

static const char *reg(int w, int r)
{
    return w == 8 ? R8[r] : w == 16 ? R16[r] : R32[r];
}

static char sfx(int w)
{
    return w == 8 ? 'b' : w == 16 ? 'w' : 'l';
}

static int slot(int w, int r)       /* the 32-bit register holding r */
{
    return w == 8 ? r & 3 : r;
}

/* A random w-bit register other than ESP/SP and outside avoid (slot bits). */
static int pick_reg(Gen *g, int w, unsigned avoid)
{
    avoid |= w == 8 ? 0 : 1u << ESP;
    for (;;) {
        int r = (int)rnd(g, 8);
        if (!(avoid >> slot(w, r) & 1))
            return r;
    }
}

/* ---------------------------------------------------- memory operands */

/* A memory operand: segment override, displacement and register part, so
 * that the same place can be printed at another displacement. */
typedef struct {
    char seg[8];
    int64_t disp;       /* printed signed, or as an address if no registers */
    char regs[24];      /* "(%ebx,%esi,4)" or "" */
} Mem;

static void mem_text(const Mem *m, int extra, char *out, size_t n)
{
    int64_t d = m->disp + extra;

    if (!m->regs[0])
        snprintf(out, n, "%s0x%x", m->seg, (uint32_t)d);
    else if (d == 0)
        snprintf(out, n, "%s%s", m->seg, m->regs);
    else
        snprintf(out, n, "%s%lld%s", m->seg, (long long)d, m->regs);
}

static int32_t rand_disp(Gen *g)
{
    switch (rnd(g, 4)) {
    case 0: return 0;
    case 1: return (int32_t)rnd(g, 256) - 128;
    case 2: return (int32_t)rnd(g, 0x20000) - 0x10000;
    default: return (int32_t)rnd32(g);
    }
}

/* Point m at scratch offset off (or, for a stack form, near ESP, unless
 * no_stack): choose an addressing form and emit the MOVs that load its
 * registers, none of which may be in avoid. */
static void mem_at(Gen *g, Unit *u, Mem *m, uint32_t off, unsigned avoid, int no_stack)
{
    static const char *const segs[4] = { "%ds:", "%es:", "%ss:", "" };
    uint32_t addr = PM_SCRATCH + off, iv;
    int rb, ri, s = (int)rnd(g, 4);

    memset(m, 0, sizeof *m);
    if (rnd(g, 10) == 0)
        snprintf(m->seg, sizeof m->seg, "%s", segs[rnd(g, 4)]);
    avoid |= 1u << ESP;
    switch (rnd(g, no_stack ? 5 : 6)) {
    case 0:                                     /* absolute */
        m->disp = addr;
        break;
    case 1: case 2:                             /* base + disp */
        rb = pick_reg(g, 32, avoid);
        m->disp = rand_disp(g);
        emit(u, "movl $0x%x, %%%s", addr - (uint32_t)m->disp, R32[rb]);
        snprintf(m->regs, sizeof m->regs, "(%%%s)", R32[rb]);
        break;
    case 3:                                     /* base + index*scale + disp */
        rb = pick_reg(g, 32, avoid);
        ri = rnd(g, 4) ? pick_reg(g, 32, avoid | 1u << rb) : rb;
        iv = rnd(g, 3) ? rnd(g, 33) - 16 : rnd32(g);
        m->disp = rand_disp(g);
        if (ri == rb) {     /* one register: solve for the displacement */
            m->disp = (int32_t)(addr - iv * (1u + (1u << s)));
            emit(u, "movl $0x%x, %%%s", iv, R32[rb]);
        } else {
            emit(u, "movl $0x%x, %%%s", iv, R32[ri]);
            emit(u, "movl $0x%x, %%%s", addr - (uint32_t)m->disp - (iv << s), R32[rb]);
        }
        snprintf(m->regs, sizeof m->regs, "(%%%s,%%%s,%d)", R32[rb], R32[ri], 1 << s);
        break;
    case 4:                                     /* index*scale + disp32 */
        ri = pick_reg(g, 32, avoid);
        iv = rnd(g, 2) ? rnd(g, 33) - 16 : rnd32(g);
        m->disp = (int32_t)(addr - (iv << s));
        emit(u, "movl $0x%x, %%%s", iv, R32[ri]);
        snprintf(m->regs, sizeof m->regs, "(,%%%s,%d)", R32[ri], 1 << s);
        break;
    default:                                    /* on the stack, near ESP */
        m->disp = rnd(g, 0x41);
        snprintf(m->regs, sizeof m->regs, "(%%esp)");
        break;
    }
}

/* A memory operand of the given size anywhere in the data area. */
static void mem(Gen *g, Unit *u, Mem *m, int bytes, unsigned avoid)
{
    uint32_t off = rnd(g, PM_DATA - (uint32_t)bytes + 1);

    if (rnd(g, 2))
        off &= ~(uint32_t)(bytes - 1);          /* aligned, half of the time */
    mem_at(g, u, m, off, avoid, 0);
}

/* An r/m operand of w bits: a register or (about a third of the time)
 * memory; o->s gets its text. */
typedef struct {
    int is_mem, r;
    Mem m;
    char s[48];
} Rm;

static void rm_reg(Rm *o, int w, int r)
{
    o->is_mem = 0;
    o->r = r;
    snprintf(o->s, sizeof o->s, "%%%s", reg(w, r));
}

static void rm(Gen *g, Unit *u, Rm *o, int w, unsigned avoid)
{
    if (rnd(g, 3) == 0) {
        o->is_mem = 1;
        mem(g, u, &o->m, w / 8, avoid);
        mem_text(&o->m, 0, o->s, sizeof o->s);
    } else {
        rm_reg(o, w, pick_reg(g, w, 0));
    }
}

static const char *lock(Gen *g, const Rm *o)
{
    return o->is_mem && rnd(g, 4) == 0 ? "lock " : "";
}

/* ------------------------------------------------------ instructions */

/* Each u_* function builds one unit; it returns 0 if it cannot be made
 * right now (e.g. a POP on an empty stack). */
typedef int UnitFn(Gen *g, Unit *u);

static const char *const ALU[8] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };

static int u_alu(Gen *g, Unit *u)
{
    int op = (int)rnd(g, 8), w = rand_w(g), form = (int)rnd(g, 6), r;
    uint32_t imm = val(g, w);
    Rm o;
    char t[96];

    u->rd = op == 2 || op == 3 ? CF : 0;
    u->wr = ARITH;
    u->und = op == 1 || op == 4 || op == 6 ? AF : 0;
    if (form == 5 && w == 8) {                  /* 82 /op ib: an alias of 80 */
        r = pick_reg(g, 8, 0);
        snprintf(t, sizeof t, "%sb $0x%x, %%%s  (82 /%d)", ALU[op], imm, R8[r], op);
        emit_modrm(u, t, 8, 0x82, op, r, imm, 1);
        return 1;
    }
    rm(g, u, &o, w, 0);
    r = pick_reg(g, w, 0);
    const char *lk = op == 7 ? "" : lock(g, &o);
    switch (form) {
    case 0:
        emit(u, "%s%s%c %%%s, %s", lk, ALU[op], sfx(w), reg(w, r), o.s);
        break;
    case 1:
        emit(u, "%s%s%c %s, %%%s", !o.is_mem && rnd(g, 2) ? "{load} " : "", ALU[op], sfx(w),
             o.s, reg(w, r));
        break;
    case 2:
        emit(u, "%s%c $0x%x, %%%s", ALU[op], sfx(w), imm, reg(w, 0));
        break;
    case 4:                                     /* small: the sign-extended imm8 form */
        emit(u, "%s%s%c $%d, %s", lk, ALU[op], sfx(w), (int)rnd(g, 256) - 128, o.s);
        break;
    default:
        emit(u, "%s%s%c $0x%x, %s", lk, ALU[op], sfx(w), imm, o.s);
        break;
    }
    return 1;
}

static int u_test(Gen *g, Unit *u)
{
    int w = rand_w(g), form = (int)rnd(g, 3);
    Rm o;

    u->wr = ARITH;
    u->und = AF;
    rm(g, u, &o, w, 0);
    if (form == 0)
        emit(u, "test%c %%%s, %s", sfx(w), reg(w, pick_reg(g, w, 0)), o.s);
    else if (form == 1)
        emit(u, "test%c $0x%x, %%%s", sfx(w), val(g, w), reg(w, 0));
    else
        emit(u, "test%c $0x%x, %s", sfx(w), val(g, w), o.s);
    return 1;
}

static int u_incdec(Gen *g, Unit *u)
{
    int w = rand_w(g), dec = (int)rnd(g, 2);
    const char *name = dec ? "dec" : "inc";
    Rm o;
    char t[64];

    u->wr = ARITH & ~CF;
    if (w != 8 && rnd(g, 3) == 0) {             /* FF /0 or /1 on a register */
        int r = pick_reg(g, w, 0);
        snprintf(t, sizeof t, "%s%c %%%s  (ff /%d)", name, sfx(w), reg(w, r), dec);
        emit_modrm(u, t, w, 0xff, dec, r, 0, 0);
        return 1;
    }
    rm(g, u, &o, w, 0);         /* a 16/32-bit register: the 40+r/48+r form */
    emit(u, "%s%s%c %s", lock(g, &o), name, sfx(w), o.s);
    return 1;
}

static int u_negnot(Gen *g, Unit *u)
{
    int w = rand_w(g), neg = (int)rnd(g, 2);
    Rm o;

    u->wr = neg ? ARITH : 0;
    rm(g, u, &o, w, 0);
    emit(u, "%s%s%c %s", lock(g, &o), neg ? "neg" : "not", sfx(w), o.s);
    return 1;
}

/* Flags of a shift or rotate by c (SDM): none if c & 31 is 0; rotates
 * write only CF and OF; OF is undefined unless the count is 1, AF after
 * any shift, CF after SHL/SHR by the operand size or more. */
static void shift_flags(Unit *u, int op, int w, int known, uint32_t c)
{
    int rot = op <= 3;

    u->rd = op == 2 || op == 3 ? CF : 0;
    u->wr = rot ? CF | OF : ARITH;
    c &= 31;
    if (!known)
        u->und = u->wr;         /* the count is not known here */
    else if (c == 0)
        u->wr = 0;
    else
        u->und = (rot ? 0 : AF) | (c != 1 ? OF : 0) |
                 ((op == 4 || op == 5 || op == 6) && c >= (uint32_t)w ? CF : 0);
}

static int u_shift(Gen *g, Unit *u)
{
    static const char *const names[8] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar" };
    int op = (int)rnd(g, 8), w = rand_w(g), how = (int)rnd(g, 4), known = 1;
    uint32_t c = count_val(g, w);
    Rm o;
    char t[64];

    if (how == 0)
        c = 1;
    if (how == 1 && (rnd(g, 2) || g->qemu))
        emit(u, "movb $0x%x, %%cl", c);
    else if (how == 1)
        known = 0;              /* whatever CL holds */
    shift_flags(u, op, w, known, c);
    if (op == 6 || (how == 3 && c == 1)) {      /* SAL (/6) and C0/C1 by 1: register only */
        int r = pick_reg(g, w, how == 1 ? 1u << ECX : 0);
        if (how == 1)
            snprintf(t, sizeof t, "%s%c %%cl, %%%s  (%s)", names[op], sfx(w), reg(w, r),
                     op == 6 ? "d2 /6" : "d2");
        else
            snprintf(t, sizeof t, "%s%c $%u, %%%s  (%s /%d)", names[op], sfx(w), c, reg(w, r),
                     how == 0 ? "d0" : "c0", op);
        emit_modrm(u, t, w, (how == 0 ? 0xd0 : how == 1 ? 0xd2 : 0xc0) + (w != 8), op, r,
                   c, how >= 2);
        return 1;
    }
    rm(g, u, &o, w, how == 1 && known ? 1u << ECX : 0);
    if (how == 1)
        emit(u, "%s%c %%cl, %s", names[op], sfx(w), o.s);
    else
        emit(u, "%s%c $%u, %s", names[op], sfx(w), c, o.s);
    return 1;
}

static int u_shxd(Gen *g, Unit *u)
{
    int w = rand_w1632(g), right = (int)rnd(g, 2), cl = (int)rnd(g, 2), known = 1;
    uint32_t c = count_val(g, w);
    const char *name = right ? "shrd" : "shld";
    Rm o;

    if (g->qemu && w == 16 && (c & 31) > 16)
        c = 16;                 /* the result would be undefined */
    if (cl && (rnd(g, 2) || g->qemu))
        emit(u, "movb $0x%x, %%cl", c);
    else if (cl)
        known = 0;
    c &= 31;
    u->wr = ARITH;
    if (!known || c > (uint32_t)w)
        u->und = ARITH;
    else if (c == 0)
        u->wr = 0;
    else
        u->und = AF | (c != 1 ? OF : 0);
    rm(g, u, &o, w, cl && known ? 1u << ECX : 0);
    int r = pick_reg(g, w, 0);
    if (cl)
        emit(u, "%s%c %%cl, %%%s, %s", name, sfx(w), reg(w, r), o.s);
    else
        emit(u, "%s%c $%u, %%%s, %s", name, sfx(w), c, reg(w, r), o.s);
    return 1;
}

static int u_mul(Gen *g, Unit *u)
{
    int w = rand_w(g), form = (int)rnd(g, 4);
    Rm o;

    u->wr = ARITH;
    u->und = SF | ZF | AF | PF;
    if (w == 8 && form >= 2)
        w = 16;
    rm(g, u, &o, w, 0);
    if (form < 2) {                             /* one operand: EDX:EAX = EAX * r/m */
        emit(u, "%s%c %s", form ? "imul" : "mul", sfx(w), o.s);
    } else if (form == 2) {
        emit(u, "imul%c %s, %%%s", sfx(w), o.s, reg(w, pick_reg(g, w, 0)));
    } else {
        uint32_t imm = rnd(g, 2) ? (uint32_t)((int)rnd(g, 256) - 128) : val(g, w);
        emit(u, "imul%c $%d, %s, %%%s", sfx(w), (int32_t)(w == 16 ? (int16_t)imm : (int32_t)imm),
             o.s, reg(w, pick_reg(g, w, 0)));
    }
    return 1;
}

/* DIV/IDIV operands whose quotient fits: dividend n (2w bits), divisor d. */
static void div_values(Gen *g, int w, int sgn, uint64_t *n, uint32_t *d)
{
    uint32_t m = mask(w);

    if (!sgn) {
        *d = val(g, w);
        if (*d == 0)
            *d = 1 + rnd(g, m);
        uint64_t hi = rnd(g, 3) == 0 ? *d - 1 : rnd(g, *d);
        *n = hi << w | (val(g, w) & m);
        return;
    }
    int64_t dd, q, r, smax = (int64_t)1 << (w - 1);
    do {
        dd = (int64_t)(int32_t)(val(g, w) << (32 - w)) >> (32 - w);
        if (dd == 0)
            dd = 1;
        switch (rnd(g, 5)) {
        case 0: q = smax - 1; break;
        case 1: q = -smax; break;
        case 2: q = (int64_t)rnd(g, 5) - 2; break;
        default: q = (int64_t)rnd(g, (uint32_t)(2 * smax - 1)) - smax + 1; break;
        }
        uint64_t ad = (uint64_t)(dd < 0 ? -dd : dd);
        r = (int64_t)(rnd32(g) % ad);
        if ((q < 0) != (dd < 0) && q != 0)
            r = -r;                 /* the remainder has the dividend's sign */
        else if (q == 0 && rnd(g, 2))
            r = -r;
    } while ((q * dd + r) / dd != q || (q * dd + r) % dd != r);
    *n = (uint64_t)(q * dd + r);
    *d = (uint32_t)dd & m;
}

static int u_div(Gen *g, Unit *u)
{
    int w = rand_w(g), sgn = (int)rnd(g, 2);
    unsigned busy = w == 8 ? 1u << EAX : 1u << EAX | 1u << EDX;
    uint64_t n;
    uint32_t d;
    Rm o;

    u->wr = u->und = ARITH;
    div_values(g, w, sgn, &n, &d);
    if (rnd(g, 3) == 0) {
        o.is_mem = 1;
        mem(g, u, &o.m, w / 8, busy);
        mem_text(&o.m, 0, o.s, sizeof o.s);
    } else {
        rm_reg(&o, w, pick_reg(g, w, busy));
    }
    emit(u, "mov%c $0x%x, %s", sfx(w), d, o.s);
    if (w == 8) {
        emit(u, "movw $0x%x, %%ax", (uint32_t)n & 0xffff);
    } else {
        if (sgn || rnd(g, 2))   /* else the low half stays random: no fault */
            emit(u, "mov%c $0x%x, %%%s", sfx(w), (uint32_t)n & mask(w), reg(w, EAX));
        emit(u, "mov%c $0x%x, %%%s", sfx(w), (uint32_t)(n >> w) & mask(w), reg(w, EDX));
    }
    emit(u, "%s%c %s", sgn ? "idiv" : "div", sfx(w), o.s);
    return 1;
}

static int u_bcd(Gen *g, Unit *u)
{
    static const char *const names[6] = { "daa", "das", "aaa", "aas", "aam", "aad" };
    static const unsigned rd[6] = { AF | CF, AF | CF, AF, AF, 0, 0 };
    static const unsigned und[6] = { OF, OF, OF | SF | ZF | PF, OF | SF | ZF | PF,
                                     OF | AF | CF, OF | AF | CF };
    static const uint8_t edge_al[8] = { 0x99, 0x9a, 0xf9, 0xfa, 0xff, 0x0f, 0x00, 0x09 };
    static const uint8_t bases[6] = { 10, 16, 1, 2, 255, 7 };
    int k = (int)rnd(g, 6);

    u->rd = rd[k];
    u->wr = ARITH;
    u->und = und[k];
    if (rnd(g, 3) == 0)
        emit(u, "movb $0x%x, %%al", edge_al[rnd(g, 8)]);
    if (k >= 4) {
        uint32_t b = rnd(g, 2) ? bases[rnd(g, 6)] : rnd(g, 256);
        emit(u, "%s $0x%x", names[k], k == 4 && b == 0 ? 10 : b);     /* AAM 0 faults */
    } else {
        emit(u, "%s", names[k]);
    }
    return 1;
}

static int u_bt(Gen *g, Unit *u)
{
    static const char *const names[4] = { "bt", "bts", "btr", "btc" };
    int w = rand_w1632(g), op = (int)rnd(g, 4), form = (int)rnd(g, 3);
    const char *lk = "";
    Rm o;

    u->wr = ARITH;
    u->und = ARITH & ~CF;       /* the SDM keeps ZF; not every CPU does */
    if (form == 0) {            /* immediate bit offset (taken modulo w) */
        rm(g, u, &o, w, 0);
        emit(u, "%s%s%c $%u, %s", op ? lock(g, &o) : "", names[op], sfx(w),
             rnd(g, 2) ? rnd(g, (uint32_t)w) : rnd(g, 256), o.s);
    } else if (form == 1) {     /* register bit offset, register operand */
        rm_reg(&o, w, pick_reg(g, w, 0));
        emit(u, "%s%c %%%s, %s", names[op], sfx(w), reg(w, pick_reg(g, w, 0)), o.s);
    } else {                    /* register bit offset into memory: -64..+95 bits */
        int r = pick_reg(g, w, 0);
        int32_t bit = (int32_t)rnd(g, 160) - 64;
        emit(u, "mov%c $%d, %%%s", sfx(w), bit, reg(w, r));
        o.is_mem = 1;
        mem_at(g, u, &o.m, 16 + rnd(g, PM_DATA - 48), 1u << r, 0);
        mem_text(&o.m, 0, o.s, sizeof o.s);
        if (op && rnd(g, 4) == 0)
            lk = "lock ";
        emit(u, "%s%s%c %%%s, %s", lk, names[op], sfx(w), reg(w, r), o.s);
    }
    return 1;
}

static int u_bsf(Gen *g, Unit *u)
{
    int w = rand_w1632(g);
    const char *name = rnd(g, 2) ? "bsr" : "bsf";
    Rm o;

    u->wr = ARITH;
    u->und = ARITH & ~ZF;
    rm(g, u, &o, w, 0);
    if (rnd(g, 6) == 0)             /* a zero source: the destination is kept */
        emit(u, "mov%c $0, %s", sfx(w), o.s);
    emit(u, "%s%c %s, %%%s", name, sfx(w), o.s, reg(w, pick_reg(g, w, 0)));
    return 1;
}

static int u_setcc(Gen *g, Unit *u)
{
    int cc = (int)rnd(g, 16);
    Rm o;

    u->rd = CC_FLAGS[cc >> 1];
    rm(g, u, &o, 8, 0);
    emit(u, "set%s %s", CC[cc], o.s);
    return 1;
}

static int u_cmov(Gen *g, Unit *u)
{
    int cc = (int)rnd(g, 16), w = rand_w1632(g);
    Rm o;

    u->rd = CC_FLAGS[cc >> 1];
    rm(g, u, &o, w, 0);
    emit(u, "cmov%s%c %s, %%%s", CC[cc], sfx(w), o.s, reg(w, pick_reg(g, w, 0)));
    return 1;
}

/* A branch over a CMC: Jcc (short or near), JECXZ/JCXZ, LOOP/LOOPE/LOOPNE. */
static int u_branch(Gen *g, Unit *u)
{
    static const char *const loops[5] = { "jecxz", "jcxz", "loop", "loope", "loopne" };
    int cc = (int)rnd(g, 16), k = (int)rnd(g, 5);

    u->rd = CF;
    u->wr = CF;
    if (rnd(g, 3)) {
        u->rd |= CC_FLAGS[cc >> 1];
        emit(u, "%sj%s 1f", rnd(g, 2) ? "{disp32} " : "", CC[cc]);
    } else {
        u->rd |= k >= 3 ? ZF : 0;
        emit(u, "%s 1f", loops[k]);
    }
    emit(u, "cmc");
    emit(u, "1:");
    return 1;
}

static int u_xchg(Gen *g, Unit *u)
{
    int w = rand_w(g);
    Rm o;

    if (w != 8 && rnd(g, 3) == 0) {             /* 90+r */
        emit(u, "xchg%c %%%s, %%%s", sfx(w), reg(w, pick_reg(g, w, 1u << EAX)), reg(w, EAX));
        return 1;
    }
    rm(g, u, &o, w, 0);
    emit(u, "xchg%c %%%s, %s", sfx(w), reg(w, pick_reg(g, w, 0)), o.s);
    return 1;
}

static int u_xadd(Gen *g, Unit *u)
{
    int w = rand_w(g);
    Rm o;

    u->wr = ARITH;
    rm(g, u, &o, w, 0);
    emit(u, "%sxadd%c %%%s, %s", lock(g, &o), sfx(w), reg(w, pick_reg(g, w, 0)), o.s);
    return 1;
}

static int u_cmpxchg(Gen *g, Unit *u)
{
    int w = rand_w(g);
    Rm o;

    u->wr = ARITH;
    if (rnd(g, 3) == 0) {
        o.is_mem = 1;
        mem(g, u, &o.m, w / 8, 1u << EAX);
        mem_text(&o.m, 0, o.s, sizeof o.s);
    } else {
        rm_reg(&o, w, pick_reg(g, w, 0));
    }
    if (rnd(g, 2))                              /* often make them equal */
        emit(u, "mov%c %s, %%%s", sfx(w), o.s, reg(w, EAX));
    emit(u, "%scmpxchg%c %%%s, %s", lock(g, &o), sfx(w), reg(w, pick_reg(g, w, 0)), o.s);
    return 1;
}

static int u_cmpxchg8b(Gen *g, Unit *u)
{
    Mem m;
    char lo[48], hi[48];

    if (g->qemu)
        return 0;       /* QEMU 7.2 computes its EFLAGS wrongly (even TF, DF) */
    u->wr = ZF;
    mem(g, u, &m, 8, 1u << EAX | 1u << EDX);
    mem_text(&m, 0, lo, sizeof lo);
    mem_text(&m, 4, hi, sizeof hi);
    if (rnd(g, 2)) {
        emit(u, "movl %s, %%eax", lo);
        emit(u, "movl %s, %%edx", hi);
    }
    emit(u, "%scmpxchg8b %s", rnd(g, 3) ? "" : "lock ", lo);
    return 1;
}

static int u_bswap(Gen *g, Unit *u)
{
    emit(u, "bswap %%%s", R32[pick_reg(g, 32, 0)]);
    return 1;
}

/* LEA never touches memory, so any registers and displacement will do,
 * and the 16-bit address forms (0x67) too. */
static int u_lea(Gen *g, Unit *u)
{
    static const char *const ea16[8] = { "(%bx,%si)", "(%bx,%di)", "(%bp,%si)", "(%bp,%di)",
                                         "(%si)", "(%di)", "(%bp)", "(%bx)" };
    int w = rand_w1632(g), dst = pick_reg(g, w, 0);

    if (rnd(g, 4) == 0) {
        int32_t d = rnd(g, 2) ? (int32_t)rnd(g, 256) - 128 : (int32_t)rnd(g, 0x10000) - 0x8000;
        emit(u, "lea%c %d%s, %%%s", sfx(w), rnd(g, 3) ? d : 0, ea16[rnd(g, 8)], reg(w, dst));
        return 1;
    }
    int base = (int)rnd(g, 9) - 1, index = (int)rnd(g, 9) - 1, s = 1 << rnd(g, 4);
    int32_t d = rand_disp(g);
    char regs[32] = "";

    if (index == ESP)
        index = -1;
    if (index >= 0)
        snprintf(regs, sizeof regs, "(%s%s,%%%s,%d)", base >= 0 ? "%" : "",
                 base >= 0 ? R32[base] : "", R32[index], s);
    else if (base >= 0)
        snprintf(regs, sizeof regs, "(%%%s)", R32[base]);
    emit(u, "lea%c %d%s, %%%s", sfx(w), d, regs, reg(w, dst));
    return 1;
}

static int u_mov(Gen *g, Unit *u)
{
    int w = rand_w(g), form = (int)rnd(g, 7), r = pick_reg(g, w, 0);
    uint32_t imm = val(g, w);
    Rm o;
    char t[64];

    switch (form) {
    case 0: case 1:             /* 88/89, 8A/8B */
        rm(g, u, &o, w, 0);
        if (form == 0)
            emit(u, "mov%c %%%s, %s", sfx(w), reg(w, r), o.s);
        else
            emit(u, "%smov%c %s, %%%s", !o.is_mem && rnd(g, 2) ? "{load} " : "", sfx(w), o.s,
                 reg(w, r));
        break;
    case 2:                     /* B0+r/B8+r, or C6/C7 /0 */
        rm(g, u, &o, w, 0);
        emit(u, "mov%c $0x%x, %s", sfx(w), imm, o.s);
        break;
    case 3:                     /* C6/C7 /0 on a register */
        snprintf(t, sizeof t, "mov%c $0x%x, %%%s  (c%c /0)", sfx(w), imm, reg(w, r), w == 8 ? '6' : '7');
        emit_modrm(u, t, w, w == 8 ? 0xc6 : 0xc7, 0, r, imm, w / 8);
        break;
    case 4:                     /* A0-A3: moffs */
        if (rnd(g, 2))
            emit(u, "mov%c 0x%x, %%%s", sfx(w), PM_SCRATCH + rnd(g, PM_DATA - 3), reg(w, EAX));
        else
            emit(u, "mov%c %%%s, 0x%x", sfx(w), reg(w, EAX), PM_SCRATCH + rnd(g, PM_DATA - 3));
        break;
    case 5:                     /* ESP as a source */
        emit(u, "movl %%esp, %%%s", R32[pick_reg(g, 32, 0)]);
        break;
    default: {                  /* MOVZX/MOVSX */
        int dw = rand_w1632(g), sw = dw == 16 ? 8 : rnd(g, 2) ? 8 : 16;
        rm(g, u, &o, sw, 0);
        emit(u, "mov%c%c%c %s, %%%s", rnd(g, 2) ? 's' : 'z', sfx(sw), sfx(dw), o.s,
             reg(dw, pick_reg(g, dw, 0)));
        break;
    }
    }
    return 1;
}

static int u_cbw(Gen *g, Unit *u)
{
    static const char *const names[4] = { "cbtw", "cwtl", "cwtd", "cltd" };

    emit(u, "%s", names[rnd(g, 4)]);
    return 1;
}

/* A string instruction on the data area, with or without a REP prefix, in
 * either direction; sometimes MOVS with overlapping source and destination. */
static int u_string(Gen *g, Unit *u)
{
    static const char *const names[5] = { "movs", "cmps", "scas", "lods", "stos" };
    static const char *const reps[5][3] = { { "rep " }, { "repe ", "repne " }, { "repe ", "repne " },
                                            { "rep " }, { "rep " } };
    int op = (int)rnd(g, 5), w = rand_w(g), size = w / 8, down = rnd(g, 3) == 0;
    int userep = rnd(g, 3) != 0, n = userep ? (int)rnd(g, 13) : 1;
    uint32_t span = (uint32_t)(n ? n : 1) * (uint32_t)size;
    uint32_t src = rnd(g, PM_DATA - span + 1), dst = rnd(g, PM_DATA - span + 1);
    const char *prefix = "";

    if (op == 0 && rnd(g, 3) == 0) {            /* overlapping MOVS */
        uint32_t d = 1 + rnd(g, 6);
        dst = src + d <= PM_DATA - span ? src + d : src >= d ? src - d : dst;
    }
    if (down) {                 /* the first element is the highest */
        src += span - (uint32_t)size;
        dst += span - (uint32_t)size;
    }
    if (userep)
        prefix = reps[op][op == 1 || op == 2 ? rnd(g, 2) : 0];
    u->wr = (op == 1 || op == 2) && n ? ARITH : 0;      /* none if ECX is 0 */
    emit(u, down ? "std" : "cld");
    if (op == 0 || op == 1 || op == 3)
        emit(u, "movl $0x%x, %%esi", PM_SCRATCH + src);
    if (op != 3)
        emit(u, "movl $0x%x, %%edi", PM_SCRATCH + dst);
    if (userep)
        emit(u, "movl $%d, %%ecx", n);
    emit(u, "%s%s%c", prefix, names[op], sfx(w));
    return 1;
}

/* ----------------------------------------------------------- stack */

static int room(Gen *g, int bytes)
{
    return g->depth + bytes <= PM_MAX_DEPTH;
}

static int u_push(Gen *g, Unit *u)
{
    int w = rand_w1632(g), form = (int)rnd(g, 6);
    Rm o;

    if (!room(g, w / 8))
        return 0;
    switch (form) {
    case 0: case 1:
        rm(g, u, &o, w, 0);
        emit(u, "push%c %s", sfx(w), o.s);
        break;
    case 2:
        emit(u, "push%c $%d", sfx(w), (int)rnd(g, 256) - 128);     /* 6A ib */
        break;
    case 3:
        emit(u, "push%c $0x%x", sfx(w), val(g, w));
        break;
    case 4:
        emit(u, "push%c %%%s", sfx(w), reg(w, ESP));
        break;
    default:
        u->rd = ARITH;
        emit(u, "pushf%c", sfx(w));
        break;
    }
    g->depth += w / 8;
    return 1;
}

static int u_pop(Gen *g, Unit *u)
{
    int w = rand_w1632(g);
    Rm o;

    if (g->depth < w / 8)
        return 0;
    rm(g, u, &o, w, 0);
    emit(u, "pop%c %s", sfx(w), o.s);
    g->depth -= w / 8;
    return 1;
}

static int u_pusha(Gen *g, Unit *u)
{
    int w = rand_w1632(g), bytes = w / 2;

    if (rnd(g, 3) && g->depth >= bytes) {
        emit(u, "popa%c", sfx(w));
        g->depth -= bytes;
        return 1;
    }
    if (!room(g, bytes))
        return 0;
    emit(u, "pusha%c", sfx(w));
    g->depth += bytes;
    return 1;
}

/* POPF of an image with only arithmetic flags and DF changed (IF stays
 * set, TF, IOPL, NT, AC stay clear): from an immediate, from PUSHF, or
 * from PUSHF with its low byte replaced. */
static int u_popf(Gen *g, Unit *u)
{
    int w = rand_w1632(g), form = (int)rnd(g, 3);
    uint32_t img = (rnd32(g) & PM_ARITH) | PM_FLAGS_ON | (rnd(g, 4) ? 0 : PM_DF);

    if (!room(g, 4))
        return 0;
    u->wr = ARITH;
    if (form == 0) {
        emit(u, "push%c $0x%x", sfx(w), img);
    } else {
        emit(u, "pushf%c", sfx(w));
        u->rd = ARITH;
        if (form == 2) {
            emit(u, "movb $0x%x, (%%esp)", (img & 0xd5) | 2);
            u->rd = OF;
        }
    }
    emit(u, "popf%c", sfx(w));
    return 1;
}

static int u_flagop(Gen *g, Unit *u)
{
    static const char *const names[7] = { "lahf", "sahf", "cmc", "clc", "stc", "cld", "std" };
    static const unsigned rd[7] = { SF | ZF | AF | PF | CF, 0, CF, 0, 0, 0, 0 };
    static const unsigned wr[7] = { 0, SF | ZF | AF | PF | CF, CF, CF, CF, 0, 0 };
    int k = (int)rnd(g, 7);

    u->rd = rd[k];
    u->wr = wr[k];
    emit(u, "%s", names[k]);
    return 1;
}

static int u_xlat(Gen *g, Unit *u)
{
    emit(u, "movl $0x%x, %%ebx", PM_SCRATCH + rnd(g, PM_DATA - 255));
    emit(u, "xlatb");
    return 1;
}

/* ------------------------------------------------------------ x87 units
 * With -x the sequences exercise the x87: each starts from a random x87
 * state (an FRSTOR image: random registers in every class, TOP, tags,
 * sticky flags, condition codes, precision and rounding control, pointers;
 * every exception masked) and its units are mostly x87 instructions, mixed
 * with the integer ones.  Memory operands lie in the scratch buffer, often
 * written with an edge value first (zeros of both signs, denormals,
 * infinities, QNaNs and SNaNs, values near overflow and underflow, the
 * unsupported 80-bit formats, invalid BCD digits); some straddle the
 * scratch buffer's page boundary.  At the end the runner stores the state
 * with FNSAVE and both worlds compare it (registers, FCW, FSW, FTW, FIP,
 * FOP, FDP) with everything else.  The sequences' code lies at PM_CODE in
 * both worlds, so FIP compares too; only the code and data selectors
 * differ (FCS, FDS), and units that store an environment clear them. */

typedef struct { uint8_t b[10]; } Ext;

static uint64_t rnd64(Gen *g)
{
    uint64_t hi = rnd32(g);
    return hi << 32 | rnd32(g);
}

static void ext_make(Ext *e, int sign, uint32_t exp, uint64_t mant)
{
    memcpy(e->b, &mant, 8);
    e->b[8] = (uint8_t)exp;
    e->b[9] = (uint8_t)((exp >> 8 & 0x7f) | (sign ? 0x80 : 0));
}

#define J_BIT (1ULL << 63)

/* An 80-bit value, biased toward the classes the x87 treats specially. */
static void ext_val(Gen *g, Ext *e)
{
    int s = (int)rnd(g, 2);
    uint64_t m = rnd64(g);
    uint32_t k;

    switch (rnd(g, 22)) {
    case 0: ext_make(e, s, 0, 0); break;                                  /* +-0 */
    case 1:                                                               /* denormal */
        m = (m >> rnd(g, 63)) & ~J_BIT;
        ext_make(e, s, 0, m ? m : 1);
        break;
    case 2: ext_make(e, s, 0, m | J_BIT); break;                          /* pseudo-denormal */
    case 3: ext_make(e, s, 0x7fff, J_BIT); break;                         /* +-inf */
    case 4: ext_make(e, s, 0x7fff, m | 3ULL << 62); break;                /* QNaN */
    case 5: ext_make(e, s, 0x7fff, ((m & ~(3ULL << 62)) | 1) | J_BIT); break;   /* SNaN */
    case 6: ext_make(e, 1, 0x7fff, 3ULL << 62); break;                    /* the indefinite */
    case 7: ext_make(e, s, 1 + rnd(g, 0x7ffe), m & ~J_BIT); break;        /* unnormal */
    case 8: ext_make(e, s, 0x7fff, rnd(g, 2) ? m & ~J_BIT : 0); break;    /* pseudo-NaN, -inf */
    case 9: ext_make(e, s, 1 + rnd(g, 3), m | J_BIT); break;              /* tiny normals */
    case 10: ext_make(e, s, 0x7ffe - rnd(g, 3), m | J_BIT); break;        /* huge normals */
    case 11: case 12:                                                     /* small integers */
        k = 1 + rnd(g, 40);
        ext_make(e, s, 0x3fff + (31 - (uint32_t)__builtin_clz(k)),
                 (uint64_t)k << (32 + __builtin_clz(k)));
        break;
    case 13:                    /* near double (or float) overflow and underflow */
        k = rnd(g, 4);
        ext_make(e, s, (k == 0 ? 0x3fff + 1023 : k == 1 ? 0x3fff - 1022 : k == 2 ? 0x3fff + 127
                        : 0x3fff - 149) + rnd(g, 5) - 2, m | J_BIT);
        break;
    case 14:                    /* exactly a double: low 11 bits clear */
        ext_make(e, s, 0x3fff + rnd(g, 61) - 30, (m | J_BIT) & ~0x7ffULL);
        break;
    case 15:                    /* near a multiple of pi/4 (FPREM, the trig) */
        ext_make(e, s, 0x3ffe + rnd(g, 4), 0xc90fdaa22168c235ULL + rnd(g, 16) - 8);
        break;
    case 16:                    /* too large for FSIN, FPTAN (>= 2^63) */
        ext_make(e, s, 0x3fff + 63 + rnd(g, 3), m | J_BIT);
        break;
    default:
        ext_make(e, s, 0x3fff + rnd(g, 129) - 64, m | J_BIT);
        break;
    }
}

/* A double (as its bits), biased the same way. */
static uint64_t dbl_val(Gen *g)
{
    uint64_t s = (uint64_t)rnd(g, 2) << 63, m = rnd64(g) & ((1ULL << 52) - 1);

    switch (rnd(g, 16)) {
    case 0: return s;
    case 1: return s | (m ? m : 1);                                   /* denormal */
    case 2: return s | 0x7ff0000000000000ULL;                         /* inf */
    case 3: return s | 0x7ff8000000000000ULL | m;                     /* QNaN */
    case 4: return s | 0x7ff0000000000000ULL | (m & ~(1ULL << 51)) | 1;   /* SNaN */
    case 5: return s | (uint64_t)(1 + rnd(g, 2)) << 52 | m;           /* tiny normal */
    case 6: return s | (uint64_t)(0x7fe - rnd(g, 2)) << 52 | m;       /* huge normal */
    case 7: return s | (uint64_t)(1023 + rnd(g, 8)) << 52;            /* 1, 2, 4, ... */
    case 8: return s | (uint64_t)(1023 + 127 + rnd(g, 3) - 1) << 52 | m;  /* near FLT_MAX */
    case 9: return s | (uint64_t)(1023 - 126 - rnd(g, 25)) << 52 | m;     /* float denormals */
    case 10: return s | (uint64_t)(1023 + 31 + rnd(g, 33)) << 52 | m;     /* near int limits */
    default: return s | (uint64_t)(1023 + rnd(g, 81) - 40) << 52 | m;
    }
}

static uint32_t flt_val(Gen *g)
{
    uint32_t s = rnd(g, 2) << 31, m = rnd32(g) & 0x7fffff;

    switch (rnd(g, 12)) {
    case 0: return s;
    case 1: return s | (m ? m : 1);
    case 2: return s | 0x7f800000u;
    case 3: return s | 0x7fc00000u | m;
    case 4: return s | 0x7f800000u | (m & ~0x400000u) | 1;
    case 5: return s | (1 + rnd(g, 2)) << 23 | m;
    case 6: return s | (0xfe - rnd(g, 2)) << 23 | m;
    case 7: return s | (127 + rnd(g, 8)) << 23;
    default: return s | (127 + rnd(g, 41) - 20) << 23 | m;
    }
}

/* Packed BCD: 18 digits and a sign byte; now and then an invalid digit. */
static void bcd_val(Gen *g, uint8_t b[10])
{
    for (int i = 0; i < 9; i++) {
        int hi = (int)rnd(g, 10), lo = (int)rnd(g, 10);
        if (i >= (int)rnd(g, 10))
            hi = lo = 0;                    /* shorter numbers are likelier */
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    if (rnd(g, 10) == 0)
        b[rnd(g, 9)] |= 0xa0;
    b[9] = rnd(g, 2) ? 0x80 : 0;
    if (rnd(g, 12) == 0)
        b[9] |= (uint8_t)rnd(g, 128);       /* the bits FBLD ignores */
}

/* MOVs that write n bytes at scratch offset off. */
static void emit_bytes(Unit *u, uint32_t off, const uint8_t *b, int n)
{
    for (int i = 0; i < n;) {
        uint32_t v = 0;
        int k = n - i >= 4 ? 4 : n - i >= 2 ? 2 : 1;
        memcpy(&v, b + i, (size_t)k);
        emit(u, "mov%c $0x%x, 0x%x", k == 4 ? 'l' : k == 2 ? 'w' : 'b', v, PM_SCRATCH + off + (uint32_t)i);
        i += k;
    }
}

/* Where u_funmasked keeps the control and status words: no x87 operand
 * goes there. */
#define X87_SAVED (PM_DATA - 8)

/* A scratch offset for an operand of n bytes; a quarter of them straddle
 * the page boundary in the middle of the data area. */
static uint32_t x87_off(Gen *g, int n)
{
    if (rnd(g, 4) == 0)
        return PM_PAGE_SPLIT - 1 - rnd(g, (uint32_t)n - 1);
    return rnd(g, X87_SAVED - (uint32_t)n + 1);
}

/* A memory operand of n bytes; with bytes, write them there first. */
static void x87_mem(Gen *g, Unit *u, Mem *m, int n, const uint8_t *bytes, char *text, size_t len)
{
    uint32_t off = x87_off(g, n);

    if (bytes)
        emit_bytes(u, off, bytes, n);
    mem_at(g, u, m, off, 0, 1);
    mem_text(m, 0, text, len);
}

/* The value of a memory operand of the given format (NULL: the scratch
 * buffer's random bytes stay). */
enum { XF_F32, XF_F64, XF_F80, XF_I16, XF_I32, XF_I64, XF_BCD };
static const int xf_size[7] = { 4, 8, 10, 2, 4, 8, 10 };

static const uint8_t *x87_value(Gen *g, int fmt, uint8_t *buf)
{
    uint64_t q;
    uint32_t d;
    Ext e;

    if (rnd(g, 4) == 0)
        return NULL;
    switch (fmt) {
    case XF_F32: d = flt_val(g); memcpy(buf, &d, 4); break;
    case XF_F64: q = dbl_val(g); memcpy(buf, &q, 8); break;
    case XF_F80: ext_val(g, &e); memcpy(buf, e.b, 10); break;
    case XF_I16: d = val(g, 16); memcpy(buf, &d, 2); break;
    case XF_I32: d = val(g, 32); memcpy(buf, &d, 4); break;
    case XF_I64: q = (uint64_t)val(g, 32) << 32 | val(g, 32); memcpy(buf, &q, 8); break;
    default: bcd_val(g, buf); break;
    }
    return buf;
}

/* A register form of D8-DF: opcode byte and ModRM, with its listing. */
static void emit_fpu(Unit *u, int op, int modrm, const char *fmt, ...)
{
    char text[96], full[128];
    uint8_t b[2] = { (uint8_t)op, (uint8_t)modrm };
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s  (%02x %02x)", text, op, modrm);
    emit_raw(u, full, b, 2);
}

/* The x87 stack depth as the generator guesses it (it does not run the
 * code): loads are made rarer when it is full, pops when it is empty, so
 * that most instructions see operands and some see stack faults. */
static int x87_push_ok(Gen *g) { return g->fdepth < 8 || rnd(g, 6) == 0; }
static int x87_pop_ok(Gen *g, int n) { return g->fdepth >= n || rnd(g, 6) == 0; }
static void x87_depth(Gen *g, int delta)
{
    g->fdepth += delta;
    g->fdepth = g->fdepth < 0 ? 0 : g->fdepth > 8 ? 8 : g->fdepth;
}

static const char *const FOPS[8] = { "add", "mul", "com", "comp", "sub", "subr", "div", "divr" };

static int u_fld(Gen *g, Unit *u)
{
    static const char *const consts[7] = { "fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2",
                                           "fldz" };
    static const char *const names[7] = { "flds", "fldl", "fldt", "filds", "fildl", "fildll", "fbld" };
    int k = (int)rnd(g, 10);
    uint8_t buf[10];
    char t[48];
    Mem m;

    if (!x87_push_ok(g))
        return 0;
    x87_depth(g, 1);
    if (k == 7) {
        int i = (int)rnd(g, 8);
        emit_fpu(u, 0xd9, 0xc0 + i, "fld st(%d)", i);
    } else if (k >= 8) {
        int c = (int)rnd(g, 7);
        emit_fpu(u, 0xd9, 0xe8 + c, "%s", consts[c]);
    } else {
        x87_mem(g, u, &m, xf_size[k], x87_value(g, k, buf), t, sizeof t);
        emit(u, "%s %s", names[k], t);
    }
    return 1;
}

static int u_fst(Gen *g, Unit *u)
{
    static const char *const names[10] = { "fsts", "fstps", "fstl", "fstpl", "fstpt", "fists",
                                           "fistps", "fistl", "fistpl", "fistpll" };
    static const int fmts[10] = { XF_F32, XF_F32, XF_F64, XF_F64, XF_F80, XF_I16, XF_I16, XF_I32,
                                  XF_I32, XF_I64 };
    static const int pops[10] = { 0, 1, 0, 1, 1, 0, 1, 0, 1, 1 };
    int k = (int)rnd(g, 14), i = (int)rnd(g, 8);
    char t[48];
    Mem m;

    if (k < 10) {
        if (pops[k] && !x87_pop_ok(g, 1))
            return 0;
        x87_mem(g, u, &m, xf_size[fmts[k]], NULL, t, sizeof t);
        emit(u, "%s %s", names[k], t);
        x87_depth(g, -pops[k]);
    } else if (k == 10) {
        if (!x87_pop_ok(g, 1))
            return 0;
        x87_mem(g, u, &m, 10, NULL, t, sizeof t);
        emit(u, "fbstp %s", t);
        x87_depth(g, -1);
    } else if (k == 11) {
        emit_fpu(u, 0xdd, 0xd0 + i, "fst st(%d)", i);
    } else {
        static const int ops[4][2] = { { 0xdd, 0xd8 }, { 0xd9, 0xd8 }, { 0xdf, 0xd0 }, { 0xdf, 0xd8 } };
        static const char *const what[4] = { "fstp", "fstp1 (alias)", "fstp8 (alias)", "fstp9 (alias)" };
        int a = k == 12 ? 0 : (int)rnd(g, 4);
        if (!x87_pop_ok(g, 1))
            return 0;
        emit_fpu(u, ops[a][0], ops[a][1] + i, "%s st(%d)", what[a], i);
        x87_depth(g, -1);
    }
    return 1;
}

/* FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR with a memory operand:
 * m32real, m64real (D8, DC), m32int, m16int (DA, DE). */
static int u_farith_mem(Gen *g, Unit *u)
{
    static const int fmts[4] = { XF_F32, XF_F64, XF_I32, XF_I16 };
    int op = (int)rnd(g, 8), f = (int)rnd(g, 4);
    uint8_t buf[10];
    char t[48];
    Mem m;

    if (op == 3 && !x87_pop_ok(g, 1))
        return 0;
    x87_mem(g, u, &m, xf_size[fmts[f]], x87_value(g, fmts[f], buf), t, sizeof t);
    emit(u, "f%s%s%c %s", f >= 2 ? "i" : "", FOPS[op], f == 1 || f == 2 ? 'l' : 's', t);
    x87_depth(g, -(op == 3));
    return 1;
}

/* The register forms: D8 (op ST(0), ST(i)), DC (op ST(i), ST(0), and the
 * FCOM2/FCOMP3 aliases), DE (op-and-pop, FCOMP5, FCOMPP). */
static int u_farith_reg(Gen *g, Unit *u)
{
    int op = (int)rnd(g, 8), form = (int)rnd(g, 3), i = (int)rnd(g, 8);

    if (form == 2 && op == 3)
        i = 1;                                  /* DE D9 is FCOMPP; DE D8, DA-DF are invalid */
    int pops = form == 2 ? (op == 3 ? 2 : 1) : op == 3;
    if (pops && !x87_pop_ok(g, pops))
        return 0;
    static const char *const how[3] = { " st(0), st(%d)", " st(%d), st(0)", "p st(%d), st(0)" };
    char t[48];
    snprintf(t, sizeof t, "f%s%s", FOPS[op], how[form]);
    emit_fpu(u, form == 0 ? 0xd8 : form == 1 ? 0xdc : 0xde, 0xc0 + op * 8 + i, t, i);
    x87_depth(g, -pops);
    return 1;
}

static int u_fcompare(Gen *g, Unit *u)
{
    int k = (int)rnd(g, 9), i = (int)rnd(g, 8);

    switch (k) {
    case 0: emit_fpu(u, 0xd9, 0xe4, "ftst"); break;
    case 1: emit_fpu(u, 0xd9, 0xe5, "fxam"); break;
    case 2: emit_fpu(u, 0xdd, 0xe0 + i, "fucom st(%d)", i); break;
    case 3:
        if (!x87_pop_ok(g, 1))
            return 0;
        emit_fpu(u, 0xdd, 0xe8 + i, "fucomp st(%d)", i);
        x87_depth(g, -1);
        break;
    case 4:
        if (!x87_pop_ok(g, 2))
            return 0;
        emit_fpu(u, 0xda, 0xe9, "fucompp");
        x87_depth(g, -2);
        break;
    case 5: case 6:                             /* FCOMI FUCOMI */
        u->wr = ARITH;
        emit_fpu(u, 0xdb, (k == 5 ? 0xf0 : 0xe8) + i, "f%scomi st(0), st(%d)", k == 5 ? "" : "u", i);
        break;
    default:                                    /* FCOMIP FUCOMIP */
        if (!x87_pop_ok(g, 1))
            return 0;
        u->wr = ARITH;
        emit_fpu(u, 0xdf, (k == 7 ? 0xf0 : 0xe8) + i, "f%scomip st(0), st(%d)", k == 7 ? "" : "u", i);
        x87_depth(g, -1);
        break;
    }
    return 1;
}

static int u_fcmov(Gen *g, Unit *u)
{
    static const char *const cc[8] = { "b", "e", "be", "u", "nb", "ne", "nbe", "nu" };
    static const unsigned rd[4] = { CF, ZF, CF | ZF, PF };
    int c = (int)rnd(g, 8), i = (int)rnd(g, 8);

    if (rnd(g, 3) == 0 && !g->one_x87)          /* flags from a comparison of ST(0) */
        emit_fpu(u, 0xdb, 0xe8 + (int)rnd(g, 8), "fucomi st(0), st(i)");
    u->rd = rd[c & 3];
    emit_fpu(u, c < 4 ? 0xda : 0xdb, 0xc0 + (c & 3) * 8 + i, "fcmov%s st(0), st(%d)", cc[c], i);
    return 1;
}

/* The one-operand and transcendental instructions, sometimes after a
 * load of a value chosen for them. */
static int u_funary(Gen *g, Unit *u)
{
    static const struct { int modrm, delta; const char *name; } ops[16] = {
        { 0xe0, 0, "fchs" }, { 0xe1, 0, "fabs" }, { 0xfa, 0, "fsqrt" }, { 0xfc, 0, "frndint" },
        { 0xfd, 0, "fscale" }, { 0xf4, 1, "fxtract" }, { 0xf8, 0, "fprem" }, { 0xf5, 0, "fprem1" },
        { 0xfe, 0, "fsin" }, { 0xff, 0, "fcos" }, { 0xfb, 1, "fsincos" }, { 0xf2, 1, "fptan" },
        { 0xf3, -1, "fpatan" }, { 0xf0, 0, "f2xm1" }, { 0xf1, -1, "fyl2x" }, { 0xf9, -1, "fyl2xp1" },
    };
    int k = (int)rnd(g, 16);
    uint8_t buf[10];
    char t[48];
    Mem m;

    if (rnd(g, 3) == 0 && x87_push_ok(g) && !g->one_x87) {
        Ext e;
        ext_val(g, &e);
        if (k == 13 || k == 15)                 /* F2XM1, FYL2XP1: small arguments */
            ext_make(&e, e.b[9] >> 7, 0x3ffe - rnd(g, 40), rnd64(g) | J_BIT);
        memcpy(buf, e.b, 10);
        x87_mem(g, u, &m, 10, buf, t, sizeof t);
        emit(u, "fldt %s", t);
        x87_depth(g, 1);
    }
    if (ops[k].delta > 0 && !x87_push_ok(g))
        return 0;
    if (ops[k].delta < 0 && !x87_pop_ok(g, 2))
        return 0;
    emit_fpu(u, 0xd9, ops[k].modrm, "%s", ops[k].name);
    x87_depth(g, ops[k].delta);
    return 1;
}

static int u_fstack(Gen *g, Unit *u)
{
    int k = (int)rnd(g, 8), i = (int)rnd(g, 8);

    switch (k) {
    case 0: emit_fpu(u, 0xd9, 0xc8 + i, "fxch st(%d)", i); break;
    case 1: emit_fpu(u, 0xdd, 0xc8 + i, "fxch4 st(%d) (alias)", i); break;
    case 2: emit_fpu(u, 0xdf, 0xc8 + i, "fxch7 st(%d) (alias)", i); break;
    case 3: emit_fpu(u, 0xdd, 0xc0 + i, "ffree st(%d)", i); break;
    case 4: emit_fpu(u, 0xdf, 0xc0 + i, "ffreep st(%d)", i); x87_depth(g, -1); break;
    case 5: emit_fpu(u, 0xd9, 0xf7, "fincstp"); break;
    case 6: emit_fpu(u, 0xd9, 0xf6, "fdecstp"); break;
    default: emit_fpu(u, 0xd9, 0xd0, "fnop"); break;
    }
    return 1;
}

/* A control word: every exception masked, any precision and rounding
 * control, sometimes the reserved and infinity-control bits. */
static uint16_t x87_cw(Gen *g)
{
    uint16_t cw = (uint16_t)(0x037f & ~0x0f00) | (uint16_t)(rnd(g, 16) << 8);
    if (rnd(g, 6) == 0)
        cw ^= (uint16_t)(rnd32(g) & 0xf0c0);
    return cw;
}

static int u_fctrl(Gen *g, Unit *u)
{
    int k = (int)rnd(g, 12);
    char t[48];
    Mem m;
    uint8_t b[2];

    switch (k) {
    case 0: case 1: case 2: {                   /* FLDCW */
        uint16_t cw = x87_cw(g);
        memcpy(b, &cw, 2);
        x87_mem(g, u, &m, 2, b, t, sizeof t);
        emit(u, "fldcw %s", t);
        break;
    }
    case 3: x87_mem(g, u, &m, 2, NULL, t, sizeof t); emit(u, "fnstcw %s", t); break;
    case 4: x87_mem(g, u, &m, 2, NULL, t, sizeof t); emit(u, "fnstsw %s", t); break;
    case 5: emit_fpu(u, 0xdf, 0xe0, "fnstsw ax"); break;
    case 6: emit_fpu(u, 0xdb, 0xe2, "fnclex"); break;
    case 7: emit(u, "fwait"); break;
    case 8: {
        static const int nops[3] = { 0xe0, 0xe1, 0xe4 };
        static const char *const names[3] = { "feni (no-op)", "fdisi (no-op)", "fsetpm (no-op)" };
        int n = (int)rnd(g, 3);
        emit_fpu(u, 0xdb, nops[n], "%s", names[n]);
        break;
    }
    case 9:
        if (rnd(g, 4))
            return 0;
        emit_fpu(u, 0xdb, 0xe3, "fninit");
        g->fdepth = 0;
        break;
    default:                                    /* the compilers' FCOM; FNSTSW AX; SAHF */
        u->wr = SF | ZF | AF | PF | CF;
        emit_fpu(u, 0xdf, 0xe0, "fnstsw ax");
        emit(u, "sahf");
        break;
    }
    return 1;
}

/* FNSTENV/FNSAVE into the scratch buffer (the selectors then cleared:
 * they differ between the worlds), sometimes with fields changed and
 * loaded back with FLDENV/FRSTOR; or FLDENV of an environment made up. */
static int u_fenv(Gen *g, Unit *u)
{
    int size32 = (int)rnd(g, 3) != 0, save = (int)rnd(g, 3) == 0, load = (int)rnd(g, 3) != 0;
    int env = size32 ? 28 : 14, n = env + (save ? 80 : 0);
    uint32_t off = rnd(g, PM_DATA - (uint32_t)n + 1), a = PM_SCRATCH + off;
    const char *d16 = size32 ? "" : "data16 ";
    int fcs = size32 ? 16 : 8, fds = size32 ? 24 : 12, sw = size32 ? 4 : 2, tw = size32 ? 8 : 4;

    if (rnd(g, 6) == 0)
        off = PM_PAGE_SPLIT - 1 - rnd(g, (uint32_t)n - 1), a = PM_SCRATCH + off;
    emit(u, "%s%s 0x%x", d16, save ? "fnsave" : "fnstenv", a);
    emit(u, "movw $0, 0x%x", a + (uint32_t)fcs);
    emit(u, "movw $0, 0x%x", a + (uint32_t)fds);
    if (g->scrub_ptrs) {                        /* FOP (32-bit format only) and FDP */
        if (size32)
            emit(u, "movw $0, 0x%x", a + (uint32_t)fcs + 2);
        emit(u, "%s $0, 0x%x", size32 ? "movl" : "movw", a + (uint32_t)(size32 ? 20 : 10));
    }
    if (save)
        g->fdepth = 0;
    if (!load)
        return 1;
    if (rnd(g, 2)) {                            /* change some fields */
        if (rnd(g, 2))
            emit(u, "movw $0x%x, 0x%x", x87_cw(g), a);
        if (rnd(g, 2))
            emit(u, "movw $0x%x, 0x%x", rnd32(g) & 0xffff, a + (uint32_t)sw);
        if (rnd(g, 2)) {
            uint32_t t = rnd32(g) & 0xffff;
            emit(u, "movw $0x%x, 0x%x", t, a + (uint32_t)tw);
            g->fdepth = 8 - __builtin_popcount(t & (t >> 1) & 0x5555);
        }
        if (rnd(g, 2))
            emit(u, "movl $0x%x, 0x%x", rnd32(g), a + (uint32_t)(size32 ? 12 : 6));
    }
    emit(u, "%s%s 0x%x", d16, save ? "frstor" : "fldenv", a);
    return 1;
}

/* One x87 instruction with some exceptions unmasked: what it does to the
 * stack, the status word and its memory operand when the exception is
 * raised for real (no result, a scaled one, a pending ES), kept in the
 * scratch buffer; then the flags are cleared and the old FCW comes back
 * before any waiting instruction could trap. */
static int u_funmasked(Gen *g, Unit *u)
{
    static UnitFn *const ops[6] = { u_fld, u_fst, u_farith_mem, u_farith_reg, u_funary, u_fcompare };
    uint32_t a = PM_SCRATCH + X87_SAVED;        /* FCW, FSW before, new FCW, FSW after */
    uint16_t cw = (uint16_t)((x87_cw(g) & ~0x3f) | (rnd32(g) & 0x3f));

    if ((cw & 0x3f) == 0x3f)
        cw &= (uint16_t)~(1u << rnd(g, 6));
    emit(u, "fnstcw 0x%x", a);
    emit(u, "fnstsw 0x%x", a + 2);
    emit(u, "fnclex");
    emit(u, "movw $0x%x, 0x%x", cw, a + 4);
    emit(u, "fldcw 0x%x", a + 4);
    g->one_x87 = 1;                             /* a second one would trap on ES */
    int ok = ops[rnd(g, 6)](g, u);
    g->one_x87 = 0;
    if (!ok)
        return 0;
    emit(u, "fnstsw 0x%x", a + 6);
    emit(u, "fnclex");
    emit(u, "fldcw 0x%x", a);
    return 1;
}

/* ------------------------------------------------------- sequences */

static const struct {
    UnitFn *fn;
    int weight;
} families[] = {
    { u_alu, 14 }, { u_test, 3 }, { u_incdec, 4 }, { u_negnot, 3 }, { u_shift, 10 },
    { u_shxd, 5 }, { u_mul, 6 }, { u_div, 4 }, { u_bcd, 4 }, { u_bt, 5 }, { u_bsf, 3 },
    { u_setcc, 3 }, { u_cmov, 3 }, { u_branch, 2 }, { u_xchg, 3 }, { u_xadd, 2 },
    { u_cmpxchg, 3 }, { u_cmpxchg8b, 1 }, { u_bswap, 1 }, { u_lea, 4 }, { u_mov, 5 },
    { u_cbw, 1 }, { u_string, 6 }, { u_push, 4 }, { u_pop, 8 }, { u_pusha, 2 },
    { u_popf, 3 }, { u_flagop, 3 }, { u_xlat, 1 },
};
#define NFAM (sizeof families / sizeof families[0])

/* -x: mostly x87 units, and a fifth of the integer ones (u_any). */
static int u_any(Gen *g, Unit *u);

static const struct {
    UnitFn *fn;
    int weight;
} x87_families[] = {
    { u_fld, 12 }, { u_fst, 10 }, { u_farith_mem, 9 }, { u_farith_reg, 9 }, { u_fcompare, 6 },
    { u_fcmov, 3 }, { u_funary, 10 }, { u_fstack, 4 }, { u_fctrl, 6 }, { u_fenv, 3 },
    { u_funmasked, 5 }, { u_any, 19 },
};
#define NX87FAM (sizeof x87_families / sizeof x87_families[0])

typedef struct {
    uint32_t number;
    uint32_t r[8], fl, seed;
    int qemu;           /* made with -q */
    int x87;            /* made with -x: x87img is the initial x87 state */
    uint8_t x87img[PM_X87_SAVE];
    int n;
    Unit u[MAXU];
} Seq;

static UnitFn *pick_family(Gen *g)
{
    static int total, x87_total;

    if (!total) {
        for (size_t i = 0; i < NFAM; i++)
            total += families[i].weight;
        for (size_t i = 0; i < NX87FAM; i++)
            x87_total += x87_families[i].weight;
    }
    if (g->x87) {
        int k = (int)rnd(g, (uint32_t)x87_total);
        for (size_t i = 0;; i++)
            if ((k -= x87_families[i].weight) < 0)
                return x87_families[i].fn;
    }
    int k = (int)rnd(g, (uint32_t)total);
    for (size_t i = 0;; i++)
        if ((k -= families[i].weight) < 0)
            return families[i].fn;
}

/* An integer unit in an x87 sequence. */
static int u_any(Gen *g, Unit *u)
{
    g->x87 = 0;
    int ok = pick_family(g)(g, u);
    g->x87 = 1;
    return ok;
}

/* The x87 state a -x sequence starts from, as an FNSAVE image (32-bit
 * protected-mode format): random registers, TOP, tags, flags, condition
 * codes and pointers, a random FCW with every exception masked. */
static void gen_x87_image(Gen *g, uint8_t img[PM_X87_SAVE])
{
    uint32_t env[7];
    uint16_t tw = 0;
    int used = 0;

    for (int r = 0; r < 8; r++) {
        int empty = rnd(g, 3) == 0;
        tw |= (uint16_t)((empty ? 3 : rnd(g, 3)) << (2 * r));
        used += !empty;
    }
    env[0] = 0xffff0000u | x87_cw(g);
    env[1] = 0xffff0000u | (rnd32(g) & 0xffff);
    env[2] = 0xffff0000u | tw;
    env[3] = rnd32(g) & 0xfffff;                /* FIP: nowhere near the code */
    env[4] = (rnd32(g) & 0x7ff) << 16 | (rnd32(g) & 0xffff);
    env[5] = rnd32(g);
    env[6] = 0xffff0000u | (rnd32(g) & 0xffff);
    memcpy(img, env, sizeof(env));
    for (int i = 0; i < 8; i++) {
        Ext e;
        ext_val(g, &e);
        memcpy(img + 28 + 10 * i, e.b, 10);
    }
    g->fdepth = used;
}

/* One unit that can be made now (and, with -q, reads no undefined flag). */
static void gen_unit(Gen *g, Unit *u)
{
    for (int tries = 0; tries < 10000; tries++) {
        Gen save = *g;
        memset(u, 0, sizeof *u);
        if (pick_family(g)(g, u) && !(g->qemu && (u->rd & g->undef))) {
            g->undef = (g->undef & ~u->wr) | u->und;
            return;
        }
        save.rng = g->rng;      /* keep the generator moving, undo the rest */
        *g = save;
    }
    fprintf(stderr, "oracle: cannot generate a unit (generator bug)\n");
    exit(2);
}

/* Does the host keep the x87 opcode and operand pointers (FOP, FDP) of
 * every non-control instruction, as AMD's CPUs and the Pentium Pro that vm
 * is do?  Intel's since the Pentium 4 keep them only for an instruction
 * that raised an unmasked exception (SDM Vol. 1 8.1.8-8.1.9), so there the
 * native run cannot tell vm's values: the generator clears them where a
 * sequence stores them (u_fenv) and both worlds mask them in the final
 * state (oracle_x87_ptrs_masked).  FNINIT leaves them 0, so an FLD that
 * left FOP 0 was not kept; a few tries, as a host context switch between
 * the two may lose them (XSAVE on AMD). */
static int host_keeps_x87_ptrs(void)
{
    static const uint64_t one = 0x3ff0000000000000ull;
    static int keeps = -1;
    if (keeps >= 0)
        return keeps;
    keeps = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t env[7];
        __asm__ volatile("fninit\n\tfldl %1\n\tfnstenv %0\n\tfninit"
                         : "=m"(env) : "m"(one) : "memory");
        if ((env[4] >> 16 & 0x7ff) && env[5] == (uint32_t)(uintptr_t)&one)
            keeps = 1;
    }
    return keeps;
}

/* Sequence number of o->seed: its own generator, so it can be made alone. */
static void gen_seq(const Opts *o, uint32_t number, Seq *q)
{
    Gen g = { .rng = o->seed * 0x2545f4914f6cdd1dULL ^ (uint64_t)number * 0x9e3779b97f4a7c15ULL,
              .qemu = o->qemu, .x87 = o->x87, .scrub_ptrs = !host_keeps_x87_ptrs() };

    memset(q, 0, sizeof *q);
    q->number = number;
    for (int i = 0; i < 8; i++)
        q->r[i] = val(&g, 32);
    q->r[ESP] = PM_SCRATCH + PM_STACK;
    q->fl = (rnd32(&g) & PM_ARITH) | PM_FLAGS_ON;
    q->seed = rnd32(&g);
    q->n = 1 + (int)rnd(&g, (uint32_t)o->units);
    q->qemu = o->qemu;
    q->x87 = o->x87;
    if (o->x87)
        gen_x87_image(&g, q->x87img);
    for (int k = 0; k < q->n; k++)
        gen_unit(&g, &q->u[k]);
}

/* The flags to compare after the units in keep: all of them, or with -q
 * those not undefined; -1 if (-q) a unit reads an undefined flag, which
 * can happen once the shrinking of pm-fuzz has dropped units. */
static int flags_to_compare(const Seq *q, unsigned keep)
{
    unsigned undef = 0;

    if (!q->qemu)
        return PM_ARITH | PM_DF;
    for (int k = 0; k < q->n; k++)
        if (keep >> k & 1) {
            if (q->u[k].rd & undef)
                return -1;
            undef = (undef & ~q->u[k].wr) | q->u[k].und;
        }
    return (PM_ARITH | PM_DF) & ~(int)undef;
}

/* ------------------------------------------------------------ output */

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++)
        if (*s == '\n')
            fputs("\\n", f);
        else if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else
            fputc(*s, f);
}

typedef struct {
    FILE *f;
    char path[4096];
} Out;

static void out_open(Out *o, const char *dir, int index, const char *name, const Opts *opts)
{
    uint64_t seed = opts->seed;
    const char *how = opts->qemu ? ", -q" : opts->x87 ? ", -x" : "";
    snprintf(o->path, sizeof o->path, "%s/pmseq_%02d.S", dir, index);
    if (!(o->f = fopen(o->path, "w")))
        die(o->path);
    fprintf(o->f,
            "/* %s: generated by tests/oracle pm-gen (seed 0x%llx%s); see tests/oracle_pm.c.\n"
            " * Per sequence: its code (seq_N), its listing and its descriptor. */\n"
            "    .section .rodata\n"
            "    .globl oracle_name\n"
            "oracle_name: .asciz \"%s\"\n"
            "    .balign 4\n"
            "    .globl oracle_x87_ptrs_masked\n"
            "oracle_x87_ptrs_masked: .long %d\n"
            "    .section .rodata.oracle_seqs, \"a\"\n"
            "    .balign 4\n"
            "    .globl oracle_seqs\n"
            "oracle_seqs:\n",
            o->path, (unsigned long long)seed, how, name, !host_keeps_x87_ptrs());
}

/* Write sequence q, only the units in keep (a bit per unit). */
static void out_seq(Out *o, const Seq *q, unsigned keep)
{
    FILE *f = o->f;
    uint32_t nr = q->number;
    int first = 1;

    fprintf(f, "\n/* sequence %u */\n    .section .oseq, \"ax\"\nseq_%u:\n", nr, nr);
    for (int k = 0; k < q->n; k++)
        if (keep >> k & 1) {
            const char *s = q->u[k].as;
            fputs("    ", f);
            for (; *s; s++)
                if (*s == '\n')
                    fputs("\n    ", f);
                else
                    fputc(*s, f);
            fputc('\n', f);
        }
    fprintf(f, "seq_%u_end:\n    jmp oracle_back\n    .section .rodata\ntext_%u:\n    .asciz \"",
            nr, nr);
    for (int k = 0; k < q->n; k++)
        if (keep >> k & 1) {
            if (!first)
                fputs("\\n", f);
            put_escaped(f, q->u[k].text);
            first = 0;
        }
    fprintf(f, "\"\n");
    if (q->x87) {
        fprintf(f, "    .balign 4\nx87_%u:\n    .byte", nr);
        for (int i = 0; i < PM_X87_SAVE; i++)
            fprintf(f, "%s0x%02x%s", i % 16 ? ", " : i ? "\n    .byte " : " ", q->x87img[i],
                    "");
        fputc('\n', f);
    }
    fprintf(f, "    .section .rodata.oracle_seqs, \"a\"\n"
               "    .long seq_%u, seq_%u_end, text_%u, %u\n    .long", nr, nr, nr, nr);
    for (int i = 0; i < 8; i++)
        fprintf(f, "%s0x%08x", i ? ", " : " ", q->r[i]);
    fprintf(f, "\n    .long 0x%04x, 0x%08x, 0x%04x, ", q->fl, q->seed, flags_to_compare(q, keep));
    if (q->x87)
        fprintf(f, "x87_%u\n", nr);
    else
        fprintf(f, "0\n");
}

static void out_close(Out *o)
{
    fprintf(o->f, "\n    .section .rodata.oracle_seqs, \"a\"\n"
                  "    .globl oracle_seqs_end\noracle_seqs_end:\n"
                  "    .section .note.GNU-stack, \"\", @progbits\n");
    if (fclose(o->f))
        die(o->path);
}

/* Write all o->count sequences into files of o->per each; returns the
 * number of files. */
static int write_all(const Opts *o, const char *dir)
{
    int files = 0;

    if (mkdir(dir, 0777) && errno != EEXIST)
        die(dir);
    for (uint32_t i = 0; i < o->count; i += o->per, files++) {
        Out out;
        char name[32];
        snprintf(name, sizeof name, "pm_%02d", o->first + files);
        out_open(&out, dir, o->first + files, name, o);
        for (uint32_t k = i; k < i + o->per && k < o->count; k++) {
            Seq q;
            gen_seq(o, k, &q);
            out_seq(&out, &q, ~0u);
        }
        out_close(&out);
    }
    return files;
}

/* ------------------------------------------------------------ fuzz */

static int run(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Build the programs of dir (tests/oracle_pm.mk); 0 on success. */
static int build(const char *dir)
{
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);

    return run("${MAKE:-make} -s --no-print-directory -f tests/oracle_pm.mk DIR=%s -j%ld%s",
               dir, jobs > 0 ? jobs : 1, getenv("ORACLE_VERBOSE") ? "" : " >/dev/null 2>&1");
}

/* Run kernel elf in the VM (or QEMU), output to log; 1 means it passed.
 * A kernel runs in well under a second: ORACLE_TIMEOUT (default 30 s)
 * catches a hang. */
static int run_kernel(const Opts *o, const char *elf, const char *log)
{
    const char *t = getenv("ORACLE_TIMEOUT");

    if (!strcmp(o->vm, "qemu"))
        return run("timeout %s qemu-system-i386 -kernel %s -m 128 -display none -monitor none "
                   "-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 >%s 2>&1 </dev/null",
                   t ? t : "30", elf, log);
    return run("timeout %s %s -kernel %s >%s 2>&1 </dev/null", t ? t : "30", o->vm, elf, log);
}

/* The sequence number in the first "... in sequence N" line of log. */
static long failing_seq(const char *log)
{
    FILE *f = fopen(log, "r");
    char line[1024];
    long n = -1;

    while (f && n < 0 && fgets(line, sizeof line, f)) {
        char *p = strstr(line, "in sequence ");
        if (p)
            n = strtol(p + 12, NULL, 10);
    }
    if (f)
        fclose(f);
    return n;
}

static void cat(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];

    while (f && fgets(line, sizeof line, f))
        fputs(line, stdout);
    if (f)
        fclose(f);
}

#define FUZZ_DIR "tests/gen/fuzz"
#define MIN_DIR FUZZ_DIR "/min"
#define MIN_LOG MIN_DIR "/log"

static int min_status;          /* of the last try_min() */

/* Build MIN_DIR/pm_00.elf from sequences first..last (all their units), or
 * if q is set from q with only the units in keep, and run it; returns the
 * VM's exit status (1: passed), or 1 if the native run fails. */
static int try_min(const Opts *o, uint32_t first, uint32_t last, const Seq *q, unsigned keep)
{
    Out out;

    run("mkdir -p " MIN_DIR "; rm -f " MIN_DIR "/pmseq_00.* " MIN_DIR "/pmnat_00 "
        MIN_DIR "/pmexp_00.dat " MIN_DIR "/pmk_00.o " MIN_DIR "/pm_00.elf " MIN_LOG);
    out_open(&out, MIN_DIR, 0, "min", o);
    for (uint32_t k = first; !q && k <= last; k++) {
        Seq one;
        gen_seq(o, k, &one);
        out_seq(&out, &one, ~0u);
    }
    if (q)
        out_seq(&out, q, keep);
    out_close(&out);
    if (build(MIN_DIR))
        return min_status = 1;  /* e.g. it faults natively without a unit */
    return min_status = run_kernel(o, MIN_DIR "/pm_00.elf", MIN_LOG);
}

/* Which of the sequences first..last fails?  The failing kernel did not
 * say (a hang, a crash, no report), so try halves until one is left. */
static long bisect(const Opts *o, uint32_t first, uint32_t last)
{
    while (first < last) {
        uint32_t mid = first + (last - first) / 2;
        fprintf(stderr, "fuzz-diff: bisecting: sequences %u-%u\n", first, mid);
        if (try_min(o, first, mid, NULL, 0) != 1)
            last = mid;
        else
            first = mid + 1;
    }
    return try_min(o, first, first, NULL, 0) != 1 ? (long)first : -1;
}

/* Does sequence q, with only the units in keep, still fail? */
static int still_fails(const Opts *o, const Seq *q, unsigned keep)
{
    if (flags_to_compare(q, keep) < 0)
        return 0;               /* -q: would read an undefined flag */
    return try_min(o, 0, 0, q, keep) != 1;
}

/* Drop units one at a time while the sequence still fails. */
static unsigned shrink(const Opts *o, const Seq *q)
{
    unsigned keep = (1u << q->n) - 1;
    int changed = 1;

    while (changed) {
        changed = 0;
        for (int k = 0; k < q->n; k++)
            if ((keep >> k & 1) && keep != (1u << k) && still_fails(o, q, keep & ~(1u << k))) {
                keep &= ~(1u << k);
                changed = 1;
            }
    }
    still_fails(o, q, keep);    /* leave the minimal one built */
    return keep;
}

static void print_minimal(const Opts *o, const Seq *q, unsigned keep)
{
    int kept = 0;

    for (int k = 0; k < q->n; k++)
        kept += keep >> k & 1;
    printf("\n=== fuzz-diff: minimal reproducer: sequence %u of seed 0x%llx%s, %d of its %d units ===\n",
           q->number, (unsigned long long)o->seed, o->qemu ? " (-q)" : "", kept, q->n);
    printf("--- code (objdump):\n");
    fflush(stdout);
    run("objdump -d -r " MIN_DIR "/pmseq_00.o | sed -n '/^[0-9a-f]* <seq_/,$p'");
    printf("--- the kernel's report (input, native and vm results):\n");
    cat(MIN_LOG);
    printf("--- exit status %d%s\n", min_status, min_status == 124 ? " (timed out)" : "");
    printf("--- files: " MIN_DIR "/pmseq_00.S (source), " MIN_DIR "/pm_00.elf; run again with\n"
           "    %s -kernel " MIN_DIR "/pm_00.elf\n", !strcmp(o->vm, "qemu") ?
           "qemu-system-i386 -display none -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04"
           : o->vm);
}

/* Kernel i (sequences first..last) failed: find the sequence, shrink it. */
static int report_failure(const Opts *o, int i, int status, uint32_t first, uint32_t last)
{
    char log[256];
    Seq q;

    snprintf(log, sizeof log, FUZZ_DIR "/pm_%02d.log", i);
    printf("fuzz-diff: " FUZZ_DIR "/pm_%02d.elf failed (exit status %d); its first report:\n",
           i, status);
    fflush(stdout);
    run("awk 'NR > 1 && /^pm_/ { exit } { print }' %s | head -n 60", log);
    long nr = failing_seq(log);
    if (nr < 0)
        nr = bisect(o, first, last);
    if (nr < 0) {
        printf("fuzz-diff: no single sequence fails alone\n");
        return 1;
    }
    gen_seq(o, (uint32_t)nr, &q);
    fprintf(stderr, "fuzz-diff: shrinking sequence %ld (%d units)...\n", nr, q.n);
    if (!still_fails(o, &q, ~0u)) {
        printf("fuzz-diff: sequence %ld passes when run alone\n", nr);
        return 1;
    }
    print_minimal(o, &q, shrink(o, &q));
    return 1;
}

static int fuzz(const Opts *o)
{
    time_t t0 = time(NULL);
    int files;

    run("rm -rf " FUZZ_DIR);
    if (mkdir("tests/gen", 0777) && errno != EEXIST)
        die("tests/gen");
    files = write_all(o, FUZZ_DIR);
    fprintf(stderr, "fuzz-diff: %u sequences (seed 0x%llx%s) in %d kernels; building...\n",
            o->count, (unsigned long long)o->seed, o->qemu ? ", -q" : "", files);
    if (build(FUZZ_DIR)) {
        fprintf(stderr, "fuzz-diff: the build failed (run again with ORACLE_VERBOSE=1)\n");
        return 2;
    }
    fprintf(stderr, "fuzz-diff: running them in %s...\n", o->vm);
    for (int i = 0; i < files; i++) {
        char elf[256], log[256];
        snprintf(elf, sizeof elf, FUZZ_DIR "/pm_%02d.elf", i);
        snprintf(log, sizeof log, FUZZ_DIR "/pm_%02d.log", i);
        int status = run_kernel(o, elf, log);
        if (status != 1) {
            uint32_t first = (uint32_t)i * o->per, last = first + o->per - 1;
            return report_failure(o, i, status, first, last < o->count ? last : o->count - 1);
        }
    }
    printf("fuzz-diff: %u sequences (seed 0x%llx%s): no mismatch (%lds)\n", o->count,
           (unsigned long long)o->seed, o->qemu ? ", -q" : "", (long)(time(NULL) - t0));
    return 0;
}

/* ------------------------------------------------------------- main */

static void usage(void)
{
    fprintf(stderr, "usage: tests/oracle pm-gen DIR [-s SEED] [-n COUNT] [-c PER_FILE] [-u UNITS] [-q|-x]\n"
                    "       tests/oracle pm-fuzz [-s SEED] [-n COUNT] [-u UNITS] [-q|-x] [-v VM|qemu]\n");
    exit(2);
}

int pm_main(int argc, char **argv)
{
    Opts o = { DEFAULT_SEED, DEFAULT_COUNT, DEFAULT_PER_FILE, INT_UNITS, 0, 0, 0, "./vm" };
    const char *cmd = argv[0], *dir = NULL;
    int c, fuzzing = !strcmp(cmd, "pm-fuzz"), seeded = 0, units = 0;

    if (!fuzzing && strcmp(cmd, "pm-gen"))
        usage();
    if (!fuzzing) {
        if (argc < 2)
            usage();
        dir = argv[1];
        argc--;
        argv++;
    } else {
        o.per = 5000;
    }
    optind = 1;
    while ((c = getopt(argc, argv, "s:n:c:u:qxv:")) != -1) {
        switch (c) {
        case 's': o.seed = strtoull(optarg, NULL, 0); seeded = 1; break;
        case 'n': o.count = (uint32_t)strtoul(optarg, NULL, 0); break;
        case 'c': o.per = (uint32_t)strtoul(optarg, NULL, 0); break;
        case 'u': units = atoi(optarg); break;
        case 'q': o.qemu = 1; break;
        case 'x': o.x87 = 1; break;
        case 'v': o.vm = optarg; break;
        default: usage();
        }
    }
    if (!strcmp(o.vm, "qemu"))
        o.qemu = 1;
    if (o.x87) {                /* QEMU's x87 is not the host's: no -q */
        o.units = X87_UNITS;
        if (!seeded)
            o.seed = DEFAULT_X87_SEED;
        if (!fuzzing)
            o.first = X87_FIRST_FILE;
    }
    if (units)
        o.units = units;
    if (optind != argc || !o.count || !o.per || o.units < 1 || o.units > MAXU ||
        (o.x87 && o.qemu))
        usage();
    if (fuzzing)
        return fuzz(&o);
    int files = write_all(&o, dir);
    printf("oracle pm-gen: %u sequences in %d files (seed 0x%llx%s)\n", o.count, files,
           (unsigned long long)o.seed, o.qemu ? ", -q" : o.x87 ? ", -x" : "");
    return 0;
}
