/*
 * oracle.c - the host CPU as a test oracle for vm's x86 translator.
 *
 * Usage: tests/oracle OUTDIR [SEED]        (the Makefile: make tests/gen/stamp)
 *        tests/oracle pm-gen|pm-fuzz ...   32-bit code: see tests/oracle_pm.c
 *
 * What it does
 *   1. Generates random test cases from a fixed seed, so every run writes the
 *      same files (a second argument overrides the seed).  A case is one
 *      guest instruction, or a short sequence, with random initial values in
 *      the registers it uses, in its memory operand and in the arithmetic
 *      flags (CF PF AF ZF SF OF).  Values lean toward edge cases: 0, 1, -1,
 *      0x7f/0x80, 0x7fff/0x8000, 0x7fffffff/0x80000000, single bits, ...
 *   2. Runs every case natively on the host CPU and records the registers,
 *      the memory operand and the flags it leaves behind.
 *   3. Writes guest ROM sources OUTDIR/oracle_NN.S.  A ROM is a small
 *      real-mode harness plus a table of case records.  For every record
 *      the harness loads the initial state, calls the instruction bytes
 *      (kept in the record, followed by a RET), saves the resulting state and
 *      compares it with the native result.  On a mismatch it prints on COM1
 *      the case number, the instruction bytes and input/expected/actual/mask
 *      of every register, the memory operand and the flags; an unexpected
 *      exception is reported too.  It then exits through port 0xF4: 0 if
 *      every case matched, else 1.  "grep 'case N:'" finds a case in the .S.
 *
 * How the instructions run natively
 *   The guest runs in real mode, where operands and addresses are 16 bits by
 *   default.  The host is x86-64 Linux, which also runs 32-bit code: selector
 *   0x23 is a flat 32-bit user code segment.  In 32-bit mode an instruction
 *   means exactly what it means in real mode with the presence of the 0x66
 *   (operand size) and 0x67 (address size) prefixes flipped, and everything
 *   exists there (DAA, AAM, INC 40+r, PUSHA, ...).  So every instruction is
 *   kept in an abstract form (struct Insn) and encoded twice, for the guest
 *   (mode G) and for the host (mode N); encode() is the only place where the
 *   two differ.
 *   The native code lives in a MAP_32BIT mapping: a 64-bit trampoline saves
 *   the C registers, switches to a low stack and far-returns to 0x23:snippet.
 *   The 32-bit snippet loads registers and flags from a state block, runs the
 *   instruction, stores registers and flags and far-returns to 0x33, the
 *   64-bit code segment.  A fault there (e.g. a DIV whose quotient would
 *   overflow) is caught by a signal handler and the case is made again.
 *   Memory operands: the guest uses a real addressing form, e.g. [bx+si+0x12]
 *   or (0x67 prefix) [ebx+esi*4+0x12], whose registers are set so that it
 *   lands on a chosen offset in DS (or SS for the BP/EBP-based forms), while
 *   the native encoding is an absolute [disp32] at the memory cell of the
 *   state block.  LEA uses the same ModRM bytes in both modes: it never
 *   touches memory.
 *   A sequence runs natively one instruction at a time, so the state between
 *   them is known; stack sequences (PUSH/POP/PUSHA/POPA/PUSHF/POPF) run in
 *   one go, since the native stack pointer is not carried over.
 *
 * Undefined results
 *   Flags that the Intel SDM calls undefined for an instruction (with those
 *   operands) are masked out of the comparison (see sem()), as are the
 *   destination bits it calls undefined (BSF/BSR of 0, 16-bit SHLD/SHRD by
 *   more than 16) and values that differ between guest and host by nature
 *   (a pushed SP; IF and the other system bits of a pushed FLAGS image).
 *   In a sequence, an instruction may only read flags that are still defined.
 *
 * Case record in the ROM (little-endian):
 *   .word number; .byte len, code[len], 0xc3;
 *   .word flags_in, flags_expected, flags_mask, ea; .byte seg (0 DS, 1 SS);
 *   .byte nin,  {.byte slot*4; .long value} * nin;
 *   .byte nout, {.byte slot*4 | 0x80 if a mask follows; .long value [, mask]}
 * Slots 0..7 are EAX ECX EDX EBX MEM EBP ESI EDI: slot 4 (ESP is never
 * loaded) is the dword memory operand at seg:ea.  A slot that is not an
 * input starts with the ROM's default value; one that is not an output must
 * come out unchanged.  The table ends with .word 0xffff.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#if !defined(__x86_64__) || !defined(__linux__)
#error "tests/oracle runs guest instructions natively: it needs x86-64 Linux"
#endif

#define DEFAULT_SEED 0x5eed0acc1e5ULL
#define ROM_BUDGET (56 * 1024)   /* bytes of case records per ROM */
#define MAXSTEP 9          /* instructions per case: PUSHA and 8 POPs */

/* ---------------------------------------------------------------- basics */

enum { CF = 0x001, PF = 0x004, AF = 0x010, ZF = 0x040, SF = 0x080, OF = 0x800,
       ARITH = CF | PF | AF | ZF | SF | OF };
enum { EAX, ECX, EDX, EBX, MEMC, EBP, ESI, EDI };    /* state slots */

typedef struct {
    uint32_t r[8];      /* registers; r[MEMC] is the memory operand */
    uint32_t fl;        /* arithmetic flags */
} State;

static uint64_t rng;

static uint32_t rnd32(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint32_t rnd(uint32_t n)     /* uniform in [0, n) */
{
    return (uint32_t)(((uint64_t)rnd32() * n) >> 32);
}

static uint32_t mask(int w)
{
    return w >= 32 ? 0xffffffffu : (1u << w) - 1;
}

/* A w-bit value: uniform, or (one time in two) an edge case. */
static uint32_t val(int w)
{
    uint32_t m = mask(w), s = 1u << (w - 1);

    switch (rnd(24)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return m;
    case 3: return s;
    case 4: return s - 1;
    case 5: return (s + 1) & m;
    case 6: return m - 1;
    case 7: return 1u << rnd(w);
    case 8: return m ^ (1u << rnd(w));
    case 9: return rnd(16);
    case 10: return m - rnd(16);
    case 11: return (rnd(2) ? 0x55555555u : 0xaaaaaaaau) & m;
    default: return rnd32() & m;
    }
}

static int rand_w(void)
{
    static const int ws[3] = { 8, 16, 32 };
    return ws[rnd(3)];
}

static int rand_w1632(void)
{
    return rnd(2) ? 16 : 32;
}

/* A shift or rotate count, biased toward the interesting ones. */
static uint32_t count_val(int w)
{
    switch (rnd(14)) {
    case 0: return 0;
    case 1: case 2: return 1;
    case 3: return w - 1;
    case 4: return w;
    case 5: return w + 1;
    case 6: return 31;
    case 7: return 32 + rnd(3);
    case 8: return 9 * (1 + rnd(3));     /* RCL/RCR 8-bit wrap */
    case 9: return 17;                   /* RCL/RCR 16-bit wrap */
    case 10: return 32 + rnd(224);
    default: return rnd(32);
    }
}

/* Read or write the w-bit register r (for w == 8: AL CL DL BL AH CH DH BH). */
static uint32_t get_reg(const State *s, int w, int r)
{
    if (w == 8)
        return r < 4 ? s->r[r] & 0xff : (s->r[r - 4] >> 8) & 0xff;
    return s->r[r] & mask(w);
}

static void put_reg(State *s, int w, int r, uint32_t v)
{
    if (w == 8 && r >= 4)
        s->r[r - 4] = (s->r[r - 4] & ~0xff00u) | (v & 0xff) << 8;
    else if (w == 8)
        s->r[r] = (s->r[r] & ~0xffu) | (v & 0xff);
    else
        s->r[r] = (s->r[r] & ~mask(w)) | (v & mask(w));
}

static int slot_of(int w, int r)       /* the 32-bit register holding r */
{
    return w == 8 ? (r & 3) : r;
}

/* ------------------------------------------------- abstract instructions */

enum {  /* semantic classes */
    K_ALU, K_TEST, K_INCDEC, K_NEG, K_NOT, K_SHIFT, K_SHXD, K_MUL, K_DIV,
    K_BCD, K_BT, K_BSF, K_SETCC, K_JCC, K_MOV, K_MOVX, K_CBW, K_XCHG,
    K_LEA, K_LAHF, K_SAHF, K_CMC, K_CLSTC, K_STACK, K_PUSHF, K_POPF
};
enum {  /* the r/m operand: a register, memory through a 16-bit or (0x67
         * prefix in the guest) 32-bit addressing form, moffs, or LEA */
    M_NONE, M_REG, M_MEM, M_MEM32, M_MOFFS, M_LEA16, M_LEA32
};
enum { G, N };              /* encode for the guest or natively (32-bit) */
enum { C_ONE, C_CL, C_IMM };                /* shift count source */

typedef struct {
    int kind, sub;          /* class and operation within it (often /digit) */
    int w;                  /* operand size 8/16/32, 0 if none (no 66) */
    int rmw;                /* size of the r/m operand */
    uint8_t op[2];
    int nop;                /* opcode bytes */
    int modrm;              /* a ModRM byte follows the opcode */
    int reg, rm, mode;      /* ModRM.reg, ModRM.rm, M_* */
    int mod, sib, displen;  /* guest memory form (or LEA form) */
    uint32_t disp;
    uint32_t imm;
    int immlen;             /* bytes */
    int cnt;                /* shifts: where the count comes from, C_* */
    int cc;                 /* SETcc/Jcc: the condition */
    int near;               /* Jcc: 0F 8x rel16/rel32 rather than 7x rel8 */
    char text[64];          /* mnemonic, for the listing */
} Insn;

static uint32_t native_mem;  /* native address of the memory cell */

static int is32(const Insn *in)     /* a 32-bit addressing form */
{
    return in->mode == M_MEM32 || in->mode == M_LEA32;
}

/* Decode a 32-bit form: base and index register or -1, and the scale shift. */
static void form32(const Insn *in, int *base, int *index, int *scale)
{
    *base = in->rm;
    *index = -1;
    *scale = 0;
    if (in->rm == 4) {
        *base = in->sib & 7;
        *index = (in->sib >> 3) & 7;
        *scale = in->sib >> 6;
        if (*index == 4)
            *index = -1;
    }
    if (in->mod == 0 && *base == 5)
        *base = -1;
}

static uint8_t *put_le(uint8_t *p, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

static uint8_t *put_modrm(const Insn *in, int mode, uint8_t *p)
{
    if (in->mode == M_REG) {
        *p++ = (uint8_t)(0xc0 | in->reg << 3 | in->rm);
    } else if ((in->mode == M_MEM || in->mode == M_MEM32) && mode == N) {
        *p++ = (uint8_t)(in->reg << 3 | 5);     /* [disp32] */
        p = put_le(p, native_mem, 4);
    } else {
        *p++ = (uint8_t)(in->mod << 6 | in->reg << 3 | in->rm);
        if (is32(in) && in->rm == 4)
            *p++ = (uint8_t)in->sib;
        p = put_le(p, in->disp, in->displen);
    }
    return p;
}

/* Encode in for the guest (G) or the host in 32-bit mode (N). */
static int encode(const Insn *in, int mode, uint8_t *out)
{
    uint8_t *p = out;

    if ((in->w == 32 && mode == G) || (in->w == 16 && mode == N))
        *p++ = 0x66;
    if ((in->mode == M_LEA16 && mode == N) || (is32(in) && mode == G))
        *p++ = 0x67;
    memcpy(p, in->op, in->nop);
    p += in->nop;
    if (in->kind == K_JCC) {    /* jcc over a CMC */
        p = put_le(p, 1, !in->near ? 1 : mode == G ? 2 : 4);
        *p++ = 0xf5;
        return (int)(p - out);
    }
    if (in->modrm)
        p = put_modrm(in, mode, p);
    else if (in->mode == M_MOFFS)
        p = put_le(p, mode == G ? in->disp : native_mem, mode == G ? 2 : 4);
    p = put_le(p, in->imm, in->immlen);
    return (int)(p - out);
}

/* ------------------------------------------------------ listing text */

static const char *const rn8[8] = { "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" };
static const char *const rn16[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
static const char *const rn32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const ea16[8] = { "bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx" };

static const char *regname(int w, int r)
{
    return w == 8 ? rn8[r] : w == 16 ? rn16[r] : rn32[r];
}

static const char *sizename(int w)
{
    return w == 8 ? "byte " : w == 16 ? "word " : w == 32 ? "dword " : "";
}

static void text32(const Insn *in, char *b, size_t n)
{
    static const char *const scale[4] = { "", "*2", "*4", "*8" };
    int base, index, sc, neg = in->displen == 1 && (in->disp & 0x80);
    char ix[16] = "";

    form32(in, &base, &index, &sc);
    if (index >= 0)
        snprintf(ix, sizeof ix, "%s%s%s", base >= 0 ? "+" : "", rn32[index], scale[sc]);
    snprintf(b, n, "%s[%s%s%s0x%x]", in->mode == M_LEA32 ? "" : sizename(in->rmw),
             base >= 0 ? rn32[base] : "", ix, neg ? "-" : base >= 0 || index >= 0 ? "+" : "",
             neg ? 0x100 - in->disp : in->disp);
}

/* The r/m operand as text, in a rotating static buffer. */
static const char *rm_text(const Insn *in)
{
    static char bufs[2][40];
    static int k;
    char *b = bufs[k++ & 1];

    if (in->mode == M_REG)
        return regname(in->rmw, in->rm);
    if (is32(in)) {
        text32(in, b, sizeof bufs[0]);
        return b;
    }
    const char *size = in->mode == M_LEA16 ? "" : sizename(in->rmw);
    if (in->mode == M_MOFFS || (in->mod == 0 && in->rm == 6))
        snprintf(b, sizeof bufs[0], "%s[0x%x]", size, in->disp);
    else if (in->mod == 0)
        snprintf(b, sizeof bufs[0], "%s[%s]", size, ea16[in->rm]);
    else if (in->mod == 1)
        snprintf(b, sizeof bufs[0], "%s[%s%c0x%x]", size, ea16[in->rm], in->disp & 0x80 ? '-' : '+',
                 in->disp & 0x80 ? 0x100 - in->disp : in->disp);
    else
        snprintf(b, sizeof bufs[0], "%s[%s+0x%x]", size, ea16[in->rm], in->disp);
    return b;
}

/* ------------------------------------------------------- generation */

typedef struct {
    State s;            /* initial state being built */
    unsigned touched;   /* slots given a random value so far */
    int seq;            /* building a step of a sequence: registers only */
    Insn *mem;          /* the instruction with a memory operand, if any */
    int popped;         /* a POP wrote a register: addresses would move */
    uint32_t keep[8];   /* bits of each slot whose result is defined */
} Gen;

static void touch(Gen *g, int slot)
{
    if (!(g->touched >> slot & 1)) {
        g->s.r[slot] = rnd32();
        g->touched |= 1u << slot;
    }
}

static void set_reg(Gen *g, int w, int r, uint32_t v)
{
    touch(g, slot_of(w, r));
    put_reg(&g->s, w, r, v);
}

static void rand_reg(Gen *g, int w, int r)
{
    set_reg(g, w, r, val(w));
}

static void set_cell(Gen *g, int w, uint32_t v)
{
    touch(g, MEMC);
    g->s.r[MEMC] = (g->s.r[MEMC] & ~mask(w)) | (v & mask(w));
}

static int pick_gpr(int w)      /* any register but SP */
{
    int r;

    do
        r = (int)rnd(8);
    while (w != 8 && r == 4);
    return r;
}

static void opc(Insn *in, int b0, int b1)
{
    in->op[0] = (uint8_t)b0;
    in->op[1] = (uint8_t)b1;
    in->nop = b0 == 0x0f ? 2 : 1;
}

static void set_imm(Insn *in, uint32_t v, int bytes)
{
    in->imm = v & mask(8 * bytes);
    in->immlen = bytes;
}

/* A 16-bit addressing form: mod 0..2, rm 0..7 (mod 0 rm 6 is [disp16]). */
static void pick_form16(Insn *in)
{
    in->mod = (int)rnd(3);
    in->rm = (int)rnd(8);
    in->displen = in->mod == 1 ? 1 : in->mod == 2 || (in->mod == 0 && in->rm == 6) ? 2 : 0;
    in->disp = rnd32() & mask(8 * in->displen);
}

/* A 32-bit addressing form, with a SIB byte if rm is 4: any index (4 is
 * none) but never ESP as the base, nor (if distinct) the index as the base. */
static void pick_form32(Insn *in, int distinct)
{
    int base = (int)rnd(8), index = (int)rnd(8);

    in->mod = (int)rnd(3);
    in->rm = (int)rnd(8);
    if (in->rm == 4) {
        while (base == 4 || (distinct && base == index && !(in->mod == 0 && base == 5)))
            base = (int)rnd(8);
        in->sib = (int)(rnd(4) << 6 | (uint32_t)index << 3 | (uint32_t)base);
    }
    if (in->rm != 4)
        base = in->rm;
    in->displen = in->mod == 1 ? 1 : in->mod == 2 || (in->mod == 0 && base == 5) ? 4 : 0;
    in->disp = rnd32() & mask(8 * in->displen);
}

/* Registers an addressing form reads (slot bits). */
static unsigned addr_regs(const Insn *in)
{
    static const unsigned m16[8] = {
        1u << EBX | 1u << ESI, 1u << EBX | 1u << EDI, 1u << EBP | 1u << ESI,
        1u << EBP | 1u << EDI, 1u << ESI, 1u << EDI, 1u << EBP, 1u << EBX };
    int base, index, sc;

    if (is32(in)) {
        form32(in, &base, &index, &sc);
        return (base >= 0 ? 1u << base : 0) | (index >= 0 ? 1u << index : 0);
    }
    if (in->mode == M_MEM || in->mode == M_LEA16)
        return in->mod == 0 && in->rm == 6 ? 0 : m16[in->rm];
    return 0;
}

static void touch_addr_regs(Gen *g, const Insn *in)
{
    for (int r = 0; r < 8; r++)
        if (addr_regs(in) >> r & 1)
            rand_reg(g, 32, r);
}

/* A memory operand: a 16-bit form, or now and then a 32-bit one. */
static void pick_mem(Gen *g, Insn *in)
{
    in->modrm = 1;
    if (rnd(4)) {
        in->mode = M_MEM;
        pick_form16(in);
    } else {
        in->mode = M_MEM32;
        pick_form32(in, 1);
    }
    touch_addr_regs(g, in);
    set_cell(g, in->rmw, val(in->rmw));
    g->mem = in;
}

/* Choose the r/m operand: a register, or (sometimes) memory. */
static void pick_rm(Gen *g, Insn *in, int allow_mem)
{
    in->modrm = 1;
    if (allow_mem && !g->seq && !g->mem && rnd(100) < 30) {
        pick_mem(g, in);
    } else {
        in->mode = M_REG;
        in->rm = pick_gpr(in->rmw);
        rand_reg(g, in->rmw, in->rm);
    }
}

static void pick_reg(Gen *g, Insn *in, int w)
{
    in->reg = pick_gpr(w);
    rand_reg(g, w, in->reg);
}

static void rand_flags(Gen *g)
{
    g->s.fl = rnd32() & ARITH;
}

typedef void GenFn(Gen *g, Insn *in);

static const char *const alu_names[8] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };

static void g_alu(Gen *g, Insn *in)
{
    int op = (int)rnd(8), w = rand_w(), form = (int)rnd(5), wide = w != 8;

    in->kind = K_ALU;
    in->sub = op;
    in->w = in->rmw = w;
    switch (form) {
    case 0:     /* op r/m, reg */
    case 1:     /* op reg, r/m */
        opc(in, op * 8 + 2 * form + wide, 0);
        pick_rm(g, in, 1);
        pick_reg(g, in, w);
        if (form == 0)
            snprintf(in->text, sizeof in->text, "%s %s, %s", alu_names[op], rm_text(in), regname(w, in->reg));
        else
            snprintf(in->text, sizeof in->text, "%s %s, %s", alu_names[op], regname(w, in->reg), rm_text(in));
        break;
    case 2:     /* op acc, imm */
        opc(in, op * 8 + 4 + wide, 0);
        rand_reg(g, w, 0);
        set_imm(in, val(w), w / 8);
        snprintf(in->text, sizeof in->text, "%s %s, 0x%x", alu_names[op], regname(w, 0), in->imm);
        break;
    default:    /* 80/81 /op imm, 82 /op ib (8-bit alias), 83 /op ib (sign-extended) */
        in->reg = op;
        pick_rm(g, in, 1);
        if (form == 3) {
            opc(in, 0x80 + wide, 0);
            set_imm(in, val(w), w / 8);
        } else {
            opc(in, wide ? 0x83 : 0x82, 0);
            set_imm(in, val(8), 1);
        }
        snprintf(in->text, sizeof in->text, "%s %s, 0x%x%s", alu_names[op], rm_text(in), in->imm,
                 in->op[0] == 0x83 ? " (sign-extended)" : in->op[0] == 0x82 ? " (op 82)" : "");
        break;
    }
}

static void g_test(Gen *g, Insn *in)
{
    int w = rand_w(), wide = w != 8, form = (int)rnd(3);

    in->kind = K_TEST;
    in->w = in->rmw = w;
    if (form == 0) {
        opc(in, 0x84 + wide, 0);
        pick_rm(g, in, 1);
        pick_reg(g, in, w);
        snprintf(in->text, sizeof in->text, "test %s, %s", rm_text(in), regname(w, in->reg));
    } else if (form == 1) {
        opc(in, 0xa8 + wide, 0);
        rand_reg(g, w, 0);
        set_imm(in, val(w), w / 8);
        snprintf(in->text, sizeof in->text, "test %s, 0x%x", regname(w, 0), in->imm);
    } else {
        opc(in, 0xf6 + wide, 0);
        in->reg = 0;
        pick_rm(g, in, 1);
        set_imm(in, val(w), w / 8);
        snprintf(in->text, sizeof in->text, "test %s, 0x%x", rm_text(in), in->imm);
    }
}

static void g_incdec(Gen *g, Insn *in)
{
    int w = rand_w(), dec = (int)rnd(2);

    in->kind = K_INCDEC;
    in->sub = dec;
    in->w = in->rmw = w;
    if (w != 8 && rnd(2)) {     /* 40+r / 48+r */
        int r = pick_gpr(w);
        opc(in, 0x40 + 8 * dec + r, 0);
        rand_reg(g, w, r);
        snprintf(in->text, sizeof in->text, "%s %s (short form)", dec ? "dec" : "inc", regname(w, r));
        return;
    }
    opc(in, 0xfe + (w != 8), 0);
    in->reg = dec;
    pick_rm(g, in, 1);
    snprintf(in->text, sizeof in->text, "%s %s", dec ? "dec" : "inc", rm_text(in));
}

static void g_negnot(Gen *g, Insn *in)
{
    int w = rand_w(), neg = (int)rnd(2);

    in->kind = neg ? K_NEG : K_NOT;
    in->w = in->rmw = w;
    opc(in, 0xf6 + (w != 8), 0);
    in->reg = neg ? 3 : 2;
    pick_rm(g, in, 1);
    snprintf(in->text, sizeof in->text, "%s %s", neg ? "neg" : "not", rm_text(in));
}

static void g_shift(Gen *g, Insn *in)
{
    static const char *const names[8] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar" };
    static const int subs[7] = { 0, 1, 2, 3, 4, 5, 7 };
    int w = rand_w(), wide = w != 8, sub = subs[rnd(7)];
    uint32_t c = count_val(w);

    in->kind = K_SHIFT;
    in->sub = in->reg = sub;
    in->w = in->rmw = w;
    in->cnt = (int)rnd(3);
    pick_rm(g, in, 1);
    if (in->cnt == C_ONE) {
        opc(in, 0xd0 + wide, 0);
        snprintf(in->text, sizeof in->text, "%s %s, 1", names[sub], rm_text(in));
    } else if (in->cnt == C_CL) {
        opc(in, 0xd2 + wide, 0);
        set_reg(g, 8, ECX, c);
        snprintf(in->text, sizeof in->text, "%s %s, cl", names[sub], rm_text(in));
    } else {
        opc(in, 0xc0 + wide, 0);
        set_imm(in, c, 1);
        snprintf(in->text, sizeof in->text, "%s %s, 0x%x", names[sub], rm_text(in), in->imm);
    }
}

static void g_shxd(Gen *g, Insn *in)
{
    int w = rand_w1632(), right = (int)rnd(2), cl = (int)rnd(2);
    uint32_t c = count_val(w);

    in->kind = K_SHXD;
    in->sub = right;
    in->w = in->rmw = w;
    in->cnt = cl ? C_CL : C_IMM;
    opc(in, 0x0f, (right ? 0xac : 0xa4) + cl);
    pick_rm(g, in, 1);
    pick_reg(g, in, w);
    if (cl)
        set_reg(g, 8, ECX, c);
    else
        set_imm(in, c, 1);
    if (cl)
        snprintf(in->text, sizeof in->text, "%s %s, %s, cl", right ? "shrd" : "shld", rm_text(in),
                 regname(w, in->reg));
    else
        snprintf(in->text, sizeof in->text, "%s %s, %s, 0x%x", right ? "shrd" : "shld", rm_text(in),
                 regname(w, in->reg), in->imm);
}

static void g_mul(Gen *g, Insn *in)
{
    int w = rand_w(), sgn = (int)rnd(2);

    in->kind = K_MUL;
    in->w = in->rmw = w;
    opc(in, 0xf6 + (w != 8), 0);
    in->reg = 4 + sgn;
    pick_rm(g, in, 1);
    rand_reg(g, w, EAX);
    snprintf(in->text, sizeof in->text, "%s %s", sgn ? "imul" : "mul", rm_text(in));
}

static void g_imul23(Gen *g, Insn *in)
{
    int w = rand_w1632(), form = (int)rnd(3);

    in->kind = K_MUL;
    in->w = in->rmw = w;
    pick_rm(g, in, 1);
    pick_reg(g, in, w);
    if (form == 0) {
        opc(in, 0x0f, 0xaf);
        snprintf(in->text, sizeof in->text, "imul %s, %s", regname(w, in->reg), rm_text(in));
        return;
    }
    if (form == 1) {
        opc(in, 0x69, 0);
        set_imm(in, val(w), w / 8);
    } else {
        opc(in, 0x6b, 0);
        set_imm(in, val(8), 1);
    }
    snprintf(in->text, sizeof in->text, "imul %s, %s, 0x%x", regname(w, in->reg), rm_text(in), in->imm);
}

/* DIV/IDIV operands chosen so that the quotient fits (no #DE). */
static void div_values(int w, int sgn, uint64_t *n, uint32_t *d)
{
    uint32_t m = mask(w);

    if (!sgn) {
        *d = val(w);
        if (*d == 0)
            *d = 1 + rnd(m);
        uint64_t hi = rnd(3) == 0 ? *d - 1 : rnd(*d);
        *n = hi << w | (val(w) & m);
        return;
    }
    int64_t dd, q, r, smax = (int64_t)1 << (w - 1);
    do {
        dd = (int64_t)(int32_t)(val(w) << (32 - w)) >> (32 - w);
        if (dd == 0)
            dd = 1;
        switch (rnd(5)) {
        case 0: q = smax - 1; break;
        case 1: q = -smax; break;
        case 2: q = (int64_t)rnd(5) - 2; break;
        default: q = (int64_t)rnd((uint32_t)(2 * smax - 1)) - smax + 1; break;
        }
        uint64_t ad = (uint64_t)(dd < 0 ? -dd : dd);
        r = (int64_t)(rnd32() % ad);
        if ((q < 0) != (dd < 0) && q != 0)
            r = -r;                 /* remainder has the dividend's sign */
        else if (q == 0 && rnd(2))
            r = -r;
    } while ((q * dd + r) / dd != q || (q * dd + r) % dd != r);
    *n = (uint64_t)(q * dd + r);
    *d = (uint32_t)dd & m;
}

static void g_div(Gen *g, Insn *in)
{
    int w = rand_w(), sgn = (int)rnd(2);
    uint64_t n;
    uint32_t d;

    in->kind = K_DIV;
    in->w = in->rmw = w;
    opc(in, 0xf6 + (w != 8), 0);
    in->reg = 6 + sgn;
    div_values(w, sgn, &n, &d);
    if (w == 8) {
        set_reg(g, 16, EAX, (uint32_t)n);
    } else {
        set_reg(g, w, EAX, (uint32_t)n);
        set_reg(g, w, EDX, (uint32_t)(n >> w));
    }
    in->modrm = 1;
    if (rnd(100) < 30) {
        pick_mem(g, in);
        set_cell(g, w, d);
    } else {
        /* A divisor register that overlaps the dividend would (usually)
         * fault; the native run rejects those, so avoid them mostly. */
        do
            in->rm = pick_gpr(w);
        while (rnd(8) && (slot_of(w, in->rm) == EAX || slot_of(w, in->rm) == EDX));
        in->mode = M_REG;
        set_reg(g, w, in->rm, d);
    }
    snprintf(in->text, sizeof in->text, "%s %s", sgn ? "idiv" : "div", rm_text(in));
}

static void g_bcd(Gen *g, Insn *in)
{
    static const char *const names[6] = { "daa", "das", "aaa", "aas", "aam", "aad" };
    static const uint8_t ops[6] = { 0x27, 0x2f, 0x37, 0x3f, 0xd4, 0xd5 };
    static const uint8_t edge_al[8] = { 0x99, 0x9a, 0xf9, 0xfa, 0xff, 0x0f, 0x00, 0x09 };
    int sub = (int)rnd(6);

    in->kind = K_BCD;
    in->sub = sub;
    opc(in, ops[sub], 0);
    rand_reg(g, 16, EAX);
    if (rnd(3) == 0)
        set_reg(g, 8, 0, edge_al[rnd(8)]);
    rand_flags(g);
    if (sub >= 4) {
        static const uint8_t bases[6] = { 10, 16, 1, 2, 255, 7 };
        uint32_t b = rnd(2) ? bases[rnd(6)] : rnd(256);
        if (sub == 4 && b == 0)
            b = 10;
        set_imm(in, b, 1);
        snprintf(in->text, sizeof in->text, "%s 0x%x", names[sub], b);
    } else {
        snprintf(in->text, sizeof in->text, "%s", names[sub]);
    }
}

static void g_bt(Gen *g, Insn *in)
{
    static const char *const names[4] = { "bt", "bts", "btr", "btc" };
    int w = rand_w1632(), sub = (int)rnd(4);

    in->kind = K_BT;
    in->sub = sub;
    in->w = in->rmw = w;
    if (rnd(2)) {       /* 0F BA /4+sub ib */
        opc(in, 0x0f, 0xba);
        in->reg = 4 + sub;
        pick_rm(g, in, 1);
        set_imm(in, rnd(2) ? rnd(w) : rnd(256), 1);
        snprintf(in->text, sizeof in->text, "%s %s, 0x%x", names[sub], rm_text(in), in->imm);
        return;
    }
    opc(in, 0x0f, 0xa3 + 8 * sub);
    pick_rm(g, in, 1);
    if (in->mode != M_REG) {
        /* keep the bit offset inside the operand: no address register */
        do
            in->reg = pick_gpr(w);
        while (addr_regs(in) >> in->reg & 1);
        set_reg(g, w, in->reg, rnd(w));
    } else {
        pick_reg(g, in, w);
        if (rnd(2))
            set_reg(g, 8, in->reg, rnd(256));
    }
    snprintf(in->text, sizeof in->text, "%s %s, %s", names[sub], rm_text(in), regname(w, in->reg));
}

static void g_bsf(Gen *g, Insn *in)
{
    int w = rand_w1632(), rev = (int)rnd(2);

    in->kind = K_BSF;
    in->w = in->rmw = w;
    opc(in, 0x0f, 0xbc + rev);
    pick_rm(g, in, 1);
    pick_reg(g, in, w);
    if (rnd(8) == 0) {          /* a zero source, now and then */
        if (in->mode == M_REG)
            set_reg(g, w, in->rm, 0);
        else
            set_cell(g, w, 0);
    }
    snprintf(in->text, sizeof in->text, "%s %s, %s", rev ? "bsr" : "bsf", regname(w, in->reg), rm_text(in));
}

static const char *const cc_names[16] = { "o", "no", "b", "ae", "e", "ne", "be", "a",
                                          "s", "ns", "p", "np", "l", "ge", "le", "g" };

static void g_setcc(Gen *g, Insn *in)
{
    in->kind = K_SETCC;
    in->cc = (int)rnd(16);
    in->rmw = 8;
    opc(in, 0x0f, 0x90 + in->cc);
    in->reg = 0;
    pick_rm(g, in, 1);
    rand_flags(g);
    snprintf(in->text, sizeof in->text, "set%s %s", cc_names[in->cc], rm_text(in));
}

static void g_jcc(Gen *g, Insn *in)
{
    in->kind = K_JCC;
    in->cc = (int)rnd(16);
    in->near = (int)rnd(2);
    if (in->near)
        opc(in, 0x0f, 0x80 + in->cc);
    else
        opc(in, 0x70 + in->cc, 0);
    rand_flags(g);
    snprintf(in->text, sizeof in->text, "j%s%s +1; cmc", cc_names[in->cc], in->near ? " near" : "");
}

static void g_mov(Gen *g, Insn *in)
{
    int w = rand_w(), wide = w != 8, form = (int)rnd(5);

    in->kind = K_MOV;
    in->w = in->rmw = w;
    if (form <= 1) {            /* 88/89, 8A/8B */
        opc(in, 0x88 + 2 * form + wide, 0);
        pick_rm(g, in, 1);
        pick_reg(g, in, w);
        if (form == 0)
            snprintf(in->text, sizeof in->text, "mov %s, %s", rm_text(in), regname(w, in->reg));
        else
            snprintf(in->text, sizeof in->text, "mov %s, %s", regname(w, in->reg), rm_text(in));
    } else if (form == 2) {     /* B0+r / B8+r */
        int r = pick_gpr(w);
        opc(in, 0xb0 + 8 * wide + r, 0);
        rand_reg(g, w, r);
        set_imm(in, val(w), w / 8);
        snprintf(in->text, sizeof in->text, "mov %s, 0x%x", regname(w, r), in->imm);
    } else if (form == 3 || g->seq || g->mem) {     /* C6/C7 /0 */
        opc(in, 0xc6 + wide, 0);
        in->reg = 0;
        pick_rm(g, in, 1);
        set_imm(in, val(w), w / 8);
        snprintf(in->text, sizeof in->text, "mov %s, 0x%x", rm_text(in), in->imm);
    } else {                    /* A0-A3: moffs */
        int store = (int)rnd(2);
        opc(in, 0xa0 + 2 * store + wide, 0);
        in->mode = M_MOFFS;
        rand_reg(g, w, EAX);
        set_cell(g, w, val(w));
        g->mem = in;
        snprintf(in->text, sizeof in->text, "mov (moffs) %s", store ? "mem, acc" : "acc, mem");
    }
}

static void g_movx(Gen *g, Insn *in)
{
    int w = rand_w1632(), sx = (int)rnd(2), src16 = (int)rnd(2);

    in->kind = K_MOVX;
    in->w = w;
    in->rmw = src16 ? 16 : 8;
    opc(in, 0x0f, (sx ? 0xbe : 0xb6) + src16);
    pick_rm(g, in, 1);
    pick_reg(g, in, w);
    snprintf(in->text, sizeof in->text, "%s %s, %s", sx ? "movsx" : "movzx", regname(w, in->reg), rm_text(in));
}

static void g_cbw(Gen *g, Insn *in)
{
    int w = rand_w1632(), cwd = (int)rnd(2);

    in->kind = K_CBW;
    in->w = w;
    opc(in, 0x98 + cwd, 0);
    rand_reg(g, w, EAX);
    touch(g, EDX);
    snprintf(in->text, sizeof in->text, "%s", cwd ? (w == 16 ? "cwd" : "cdq") : (w == 16 ? "cbw" : "cwde"));
}

static void g_xchg(Gen *g, Insn *in)
{
    int w = rand_w();

    in->kind = K_XCHG;
    in->w = in->rmw = w;
    if (w != 8 && rnd(3) == 0) {    /* 90+r */
        int r;
        do
            r = pick_gpr(w);
        while (r == 0);
        opc(in, 0x90 + r, 0);
        rand_reg(g, w, 0);
        rand_reg(g, w, r);
        snprintf(in->text, sizeof in->text, "xchg %s, %s (short form)", regname(w, 0), regname(w, r));
        return;
    }
    opc(in, 0x86 + (w != 8), 0);
    pick_rm(g, in, 1);
    pick_reg(g, in, w);
    snprintf(in->text, sizeof in->text, "xchg %s, %s", rm_text(in), regname(w, in->reg));
}

static void g_flagop(Gen *g, Insn *in)
{
    static const char *const names[5] = { "lahf", "sahf", "cmc", "clc", "stc" };
    static const uint8_t ops[5] = { 0x9f, 0x9e, 0xf5, 0xf8, 0xf9 };
    static const int kinds[5] = { K_LAHF, K_SAHF, K_CMC, K_CLSTC, K_CLSTC };
    int k = (int)rnd(5);

    in->kind = kinds[k];
    opc(in, ops[k], 0);
    rand_flags(g);
    if (k <= 1)
        rand_reg(g, 16, EAX);
    snprintf(in->text, sizeof in->text, "%s", names[k]);
}

static void g_lea16(Gen *g, Insn *in)
{
    int w = rand_w1632();

    in->kind = K_LEA;
    in->w = w;
    opc(in, 0x8d, 0);
    in->modrm = 1;
    in->mode = M_LEA16;
    pick_form16(in);
    touch_addr_regs(g, in);
    pick_reg(g, in, w);
    snprintf(in->text, sizeof in->text, "lea %s, %s", regname(w, in->reg), rm_text(in));
}

static void g_lea32(Gen *g, Insn *in)
{
    int w = rand_w1632();

    in->kind = K_LEA;
    in->w = w;
    opc(in, 0x8d, 0);
    in->modrm = 1;
    in->mode = M_LEA32;
    pick_form32(in, 0);
    touch_addr_regs(g, in);
    pick_reg(g, in, w);
    snprintf(in->text, sizeof in->text, "lea %s, %s (addr32)", regname(w, in->reg), rm_text(in));
}

/* ------------------------------------------------------- semantics */

typedef struct {
    unsigned rd, wr, und;   /* flags read, written, left undefined */
    uint32_t keep[8];       /* defined bits of each slot afterwards */
} Sem;

static const unsigned cc_flags[8] = { OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF };

static uint32_t rm_value(const Insn *in, const State *s)
{
    if (in->mode == M_REG)
        return get_reg(s, in->rmw, in->rm);
    return s->r[MEMC] & mask(in->rmw);
}

static int rm_slot(const Insn *in)
{
    return in->mode == M_REG ? slot_of(in->rmw, in->rm) : MEMC;
}

/* Shifts and rotates (SDM): the count is masked to 5 bits and a count of 0
 * leaves the flags alone.  OF is defined only for a count of 1, AF is
 * undefined after a shift, and CF is undefined for SHL/SHR by the operand
 * size or more (not for SAR).  ROL/ROR/RCL/RCR touch only CF and OF.
 * SHLD/SHRD by more than the operand size leave result and flags undefined. */
static void sem_shift(const Insn *in, const State *s, Sem *m)
{
    uint32_t c = in->cnt == C_ONE ? 1 : in->cnt == C_CL ? s->r[ECX] & 0xff : in->imm;

    c &= 31;
    if (c == 0)
        return;                                  /* flags unaffected */
    if (in->kind == K_SHXD) {
        m->wr = ARITH;
        m->und = AF | (c == 1 ? 0 : OF);
        if (c > (uint32_t)in->w) {               /* result undefined */
            m->und = ARITH;
            m->keep[rm_slot(in)] &= ~mask(in->w);
        }
    } else if (in->sub <= 3) {                   /* ROL ROR RCL RCR */
        m->rd = in->sub >= 2 ? CF : 0;
        m->wr = CF | OF;
        m->und = c == 1 ? 0 : OF;
    } else {                                     /* SHL SHR SAR */
        m->wr = ARITH;
        m->und = AF | (c == 1 ? 0 : OF);
        if (in->sub != 7 && c >= (uint32_t)in->w)
            m->und |= CF;
    }
}

static void sem_bcd(const Insn *in, Sem *m)
{
    m->wr = ARITH;
    switch (in->sub) {
    case 0: case 1: m->rd = AF | CF; m->und = OF; break;            /* DAA DAS */
    case 2: case 3: m->rd = AF; m->und = OF | SF | ZF | PF; break;  /* AAA AAS */
    default: m->und = OF | AF | CF; break;                          /* AAM AAD */
    }
}

/* What in does with the flags, given the state s it starts from, after the
 * "Flags Affected" sections of the Intel SDM.  BT*: only CF is defined (the
 * SDM keeps ZF, other CPUs need not).  MUL/IMUL: only CF and OF.  BSF/BSR:
 * only ZF, and the destination is undefined if the source is 0. */
static void sem(const Insn *in, const State *s, Sem *m)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < 8; i++)
        m->keep[i] = 0xffffffffu;
    switch (in->kind) {
    case K_ALU:
        m->rd = in->sub == 2 || in->sub == 3 ? CF : 0;
        m->wr = ARITH;
        m->und = in->sub == 1 || in->sub == 4 || in->sub == 6 ? AF : 0;
        break;
    case K_TEST: m->wr = ARITH; m->und = AF; break;
    case K_INCDEC: m->wr = ARITH & ~CF; break;
    case K_NEG: m->wr = ARITH; break;
    case K_SHIFT: case K_SHXD: sem_shift(in, s, m); break;
    case K_MUL: m->wr = ARITH; m->und = SF | ZF | AF | PF; break;
    case K_DIV: m->wr = m->und = ARITH; break;
    case K_BCD: sem_bcd(in, m); break;
    case K_BT: m->wr = m->und = ARITH & ~CF; m->wr |= CF; break;
    case K_BSF:
        m->wr = ARITH;
        m->und = ARITH & ~ZF;
        if (rm_value(in, s) == 0)
            m->keep[in->reg] &= ~mask(in->w);
        break;
    case K_SETCC: m->rd = cc_flags[in->cc >> 1]; break;
    case K_JCC: m->rd = cc_flags[in->cc >> 1] | CF; m->wr = CF; break;
    case K_LAHF: m->rd = SF | ZF | AF | PF | CF; break;
    case K_SAHF: m->wr = SF | ZF | AF | PF | CF; break;
    case K_CMC: m->rd = m->wr = CF; break;
    case K_CLSTC: m->wr = CF; break;
    case K_PUSHF: m->rd = ARITH; break;
    case K_POPF: m->wr = ARITH; break;
    default: break;     /* NOT MOV MOVX CBW XCHG LEA: no flags */
    }
}

/* ------------------------------------------------- native execution */

enum {  /* layout of the MAP_32BIT area */
    L_ENTRY = 0x0, L_CODE32 = 0x100, L_SAVESP = 0x800, L_IN = 0x900, L_OUT = 0x940,
    L_MEM = 0xa00, L_STACK = 0x10000, L_SIZE = 0x10000
};

static uint8_t *low;
static uint32_t ret64;              /* where the 32-bit code returns to */
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t in_native;

static uint32_t low_addr(unsigned off)
{
    return (uint32_t)(uintptr_t)(low + off);
}

static uint8_t *bytes(uint8_t *p, const char *hex)     /* "53 55 ..." */
{
    while (*hex) {
        char *end;
        *p++ = (uint8_t)strtoul(hex, &end, 16);
        hex = end;
        while (*hex == ' ')
            hex++;
    }
    return p;
}

static uint8_t *with32(uint8_t *p, const char *hex, uint32_t v)
{
    return put_le(bytes(p, hex), v, 4);
}

static void on_fault(int sig)
{
    if (in_native)
        siglongjmp(fault_jmp, sig);
    signal(sig, SIG_DFL);       /* a bug in the generator itself */
    raise(sig);
}

/* The 64-bit entry: save C registers, go to 0x23:L_CODE32 on a low stack. */
static void native_init(void)
{
    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    struct sigaction sa;
    uint8_t *p;

    low = mmap(NULL, L_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) {
        perror("oracle: mmap(MAP_32BIT)");
        exit(2);
    }
    native_mem = low_addr(L_MEM);
    p = bytes(low + L_ENTRY, "53 55 41 54 41 55 41 56 41 57");  /* push rbx rbp r12-r15 */
    p = with32(p, "48 89 24 25", low_addr(L_SAVESP));           /* mov [saved], rsp */
    p = with32(p, "bc", low_addr(L_STACK) - 16);                 /* mov esp, low stack */
    p = with32(p, "6a 23 68", low_addr(L_CODE32));               /* push 0x23; push code */
    p = bytes(p, "48 cb");                                       /* lretq */
    ret64 = low_addr((unsigned)(p - low));
    p = with32(p, "48 8b 24 25", low_addr(L_SAVESP));           /* mov rsp, [saved] */
    bytes(p, "41 5f 41 5e 41 5d 41 5c 5d 5b c3");               /* pop ...; ret */

    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

/* The 32-bit snippet: load state, run code, store state, back to 64-bit. */
static void write_snippet(const uint8_t *code, int len)
{
    static const char *const ld[8] = { "a1", "8b 0d", "8b 15", "8b 1d", "", "8b 2d", "8b 35", "8b 3d" };
    static const char *const st[8] = { "a3", "89 0d", "89 15", "89 1d", "", "89 2d", "89 35", "89 3d" };
    uint8_t *p = bytes(low + L_CODE32, "16 1f 16 07");           /* ds = es = ss */

    p = with32(p, "a1", low_addr(L_IN + 4 * MEMC));
    p = with32(p, "a3", native_mem);                              /* memory operand */
    p = with32(p, "ff 35", low_addr(L_IN + 32));
    p = bytes(p, "9d");                                           /* popfd */
    for (int i = 0; i < 8; i++)
        if (i != MEMC)
            p = with32(p, ld[i], low_addr(L_IN + 4 * (unsigned)i));
    memcpy(p, code, (size_t)len);
    p += len;
    p = bytes(p, "9c");                                           /* pushfd */
    for (int i = 0; i < 8; i++)
        if (i != MEMC)
            p = with32(p, st[i], low_addr(L_OUT + 4 * (unsigned)i));
    p = with32(p, "8f 05", low_addr(L_OUT + 32));                 /* pop [out.fl] */
    p = with32(p, "a1", native_mem);
    p = with32(p, "a3", low_addr(L_OUT + 4 * MEMC));
    p = with32(p, "6a 33 68", ret64);                             /* push 0x33; push ret64 */
    bytes(p, "cb");                                               /* retf */
}

/* Run in[0..n-1] natively from state s; 0 on success, else the signal
 * number of a fault. */
static int run_native(const Insn *in, int n, const State *s, State *out)
{
    uint8_t code[16 * MAXSTEP];
    uint32_t io[9];
    int len = 0, sig;

    for (int k = 0; k < n; k++)
        len += encode(&in[k], N, code + len);
    write_snippet(code, len);
    memcpy(io, s->r, sizeof s->r);
    io[8] = 0x202 | (s->fl & ARITH);
    memcpy(low + L_IN, io, sizeof io);
    sig = sigsetjmp(fault_jmp, 1);
    if (sig) {
        in_native = 0;
        return sig;
    }
    in_native = 1;
    ((void (*)(void))(void *)(low + L_ENTRY))();
    in_native = 0;
    memcpy(io, low + L_OUT, sizeof io);
    memcpy(out->r, io, sizeof out->r);
    out->fl = io[8] & ARITH;
    return 0;
}

/* Check that 32-bit code runs at all: "inc eax" (0x40, no REX in 32-bit). */
static void native_probe(void)
{
    Insn inc;
    State s, out;

    memset(&inc, 0, sizeof inc);
    memset(&s, 0, sizeof s);
    inc.w = 32;
    opc(&inc, 0x40, 0);
    s.r[EAX] = 0xffffffffu;
    if (run_native(&inc, 1, &s, &out) || out.r[EAX] != 0 || !(out.fl & ZF)) {
        fprintf(stderr, "oracle: cannot run 32-bit code natively "
                        "(is IA-32 emulation disabled in this kernel?)\n");
        exit(2);
    }
}

/* ------------------------------------------------------------ cases */

typedef struct {
    int n;
    Insn in[MAXSTEP];
    State s0, s1;           /* initial and expected final state */
    unsigned flmask;        /* flags to compare */
    uint32_t keep[8];       /* bits to compare in each slot */
    uint32_t ea;            /* guest offset of the memory operand */
    int seg;                /* 0: DS, 1: SS */
    int atomic;             /* run natively in one go (stack operations) */
} Case;

typedef void CaseFn(Gen *g, Case *c);

/* Does the memory operand of in default to SS (a BP/EBP base)? */
static int uses_ss(const Insn *in)
{
    int base, index, sc;

    if (in->mode == M_MEM32) {
        form32(in, &base, &index, &sc);
        return base == EBP;
    }
    return in->mode == M_MEM && (addr_regs(in) >> EBP & 1);
}

/* Make a 16-bit form address target: solve for the base (or only) register. */
static void place16(Gen *g, Insn *in, uint32_t target)
{
    static const int fixreg[8] = { EBX, EBX, EBP, EBP, ESI, EDI, EBP, EBX };
    uint32_t sum = in->mod == 1 ? (uint32_t)(int32_t)(int8_t)in->disp : in->disp;

    for (int r = 0; r < 8; r++)
        if ((addr_regs(in) >> r & 1) && r != fixreg[in->rm])
            sum += g->s.r[r];
    put_reg(&g->s, 16, fixreg[in->rm], target - sum);
}

/* The same for a 32-bit form: solve for the base, or for disp32 if none. */
static void place32(Gen *g, Insn *in, uint32_t target)
{
    int base, index, sc;
    uint32_t sum = in->mod == 1 ? (uint32_t)(int32_t)(int8_t)in->disp : in->disp;

    form32(in, &base, &index, &sc);
    if (index >= 0)
        sum += g->s.r[index] << sc;
    if (base >= 0)
        g->s.r[base] = target - sum;
    else
        in->disp = target - (sum - in->disp);
}

/* Give the address registers values that put the operand at a chosen offset:
 * anywhere in DS (0x2000), or in SS (0x1000) away from the harness data. */
static void place_mem(Gen *g, Case *c)
{
    Insn *in = g->mem;
    int ss = uses_ss(in);
    uint32_t target = ss ? 0x200 + rnd(0xfc00) : rnd(0xfffd);

    c->seg = ss;
    c->ea = target;
    if (in->mode == M_MOFFS || (in->mode == M_MEM && in->mod == 0 && in->rm == 6))
        in->disp = target;
    else if (in->mode == M_MEM)
        place16(g, in, target);
    else
        place32(g, in, target);
}

/* Register-only generators usable inside a sequence. */
static GenFn *const seq_pool[] = {
    g_alu, g_alu, g_alu, g_test, g_incdec, g_negnot, g_shift, g_shift, g_mul, g_imul23,
    g_bt, g_setcc, g_jcc, g_mov, g_movx, g_cbw, g_xchg, g_flagop, g_lea16, g_bcd
};
static GenFn *const seq_tail[] = { g_setcc, g_jcc, g_alu, g_shift, g_flagop, g_bcd };

/* Run the steps of c natively from c->s0, one at a time (or all at once if
 * c->atomic), tracking which flags and register bits stay defined.
 * Returns 0 if the case must be thrown away. */
static int run_case(Case *c, int *faults)
{
    State st = c->s0;
    unsigned defined = ARITH;
    Sem m;

    for (int k = 0; k < c->n; k++) {
        sem(&c->in[k], &st, &m);
        if (m.rd & ~defined)
            return 0;       /* would read an undefined flag */
        defined = (defined & ~m.wr) | (m.wr & ~m.und);
        for (int i = 0; i < 8; i++) {
            if (m.keep[i] != 0xffffffffu && c->n > 1)
                return 0;   /* undefined register inside a sequence */
            c->keep[i] &= m.keep[i];
        }
        if (!c->atomic && run_native(&c->in[k], 1, &st, &st)) {
            ++*faults;
            return 0;
        }
    }
    if (c->atomic && run_native(c->in, c->n, &st, &st)) {
        ++*faults;
        return 0;
    }
    c->s1 = st;
    c->flmask = defined;
    return 1;
}

/* A sequence of 2-4 register-only instructions, often ending with one that
 * reads the flags. */
static void g_seq(Gen *g, Case *c)
{
    g->seq = 1;
    c->n = 2 + (int)rnd(3);
    for (int k = 0; k < c->n; k++) {
        int tail = k == c->n - 1 && rnd(2);
        GenFn *f = tail ? seq_tail[rnd(sizeof seq_tail / sizeof seq_tail[0])]
                        : seq_pool[rnd(sizeof seq_pool / sizeof seq_pool[0])];
        uint32_t fl = g->s.fl;
        f(g, &c->in[k]);
        if (k > 0)
            g->s.fl = fl;       /* only the first step picks the flags */
    }
}

/* What a push left on the stack, as far as the comparison is concerned. */
typedef struct {
    int known;      /* the same value in the guest and natively (not SP) */
    int flags;      /* a FLAGS image: only the arithmetic flags compare */
    int clean;      /* a value POPF may load (no TF, IF, AC, ...) */
} Ent;

/* After popping e (w bits) into slot: which bits of the slot compare. */
static void pop_keep(Gen *g, int slot, int w, const Ent *e)
{
    uint32_t bits = mask(w);

    g->keep[slot] &= ~bits;
    if (e->known)
        g->keep[slot] |= e->flags ? bits & ARITH : bits;
}

static void g_push(Gen *g, Insn *in, int w, Ent *e)
{
    int r = pick_gpr(w);

    memset(e, 0, sizeof *e);
    e->known = 1;
    in->kind = K_STACK;
    in->w = in->rmw = w;
    switch (rnd(7)) {
    case 0: case 1:
        opc(in, 0x50 + r, 0);
        rand_reg(g, w, r);
        snprintf(in->text, sizeof in->text, "push %s", regname(w, r));
        break;
    case 2:         /* sometimes a FLAGS image for a POPF */
        e->clean = (int)rnd(2);
        opc(in, 0x68, 0);
        set_imm(in, e->clean ? (rnd32() & ARITH) | 2 : val(w), w / 8);
        snprintf(in->text, sizeof in->text, "push 0x%x", in->imm);
        break;
    case 3:
        opc(in, 0x6a, 0);
        set_imm(in, val(8), 1);
        snprintf(in->text, sizeof in->text, "push 0x%x (sign-extended)", in->imm);
        break;
    case 4:
        opc(in, 0xff, 0);
        in->reg = 6;
        pick_rm(g, in, 1);
        snprintf(in->text, sizeof in->text, "push %s", rm_text(in));
        break;
    case 5:         /* SP differs between the guest and the host */
        opc(in, 0x54, 0);
        e->known = 0;
        snprintf(in->text, sizeof in->text, "push %s", regname(w, 4));
        break;
    default:
        opc(in, 0x9c, 0);
        in->kind = K_PUSHF;
        e->flags = 1;
        snprintf(in->text, sizeof in->text, "pushf%s", w == 32 ? "d" : "");
        break;
    }
}

static void g_pop(Gen *g, Insn *in, int w, const Ent *e)
{
    int r = pick_gpr(w);

    in->kind = K_STACK;
    in->w = in->rmw = w;
    if ((e->clean || e->flags) && rnd(2)) {
        opc(in, 0x9d, 0);
        in->kind = K_POPF;
        snprintf(in->text, sizeof in->text, "popf%s", w == 32 ? "d" : "");
    } else if (rnd(3)) {
        opc(in, 0x58 + r, 0);
        pop_keep(g, r, w, e);
        g->popped = 1;
        snprintf(in->text, sizeof in->text, "pop %s", regname(w, r));
    } else {
        opc(in, 0x8f, 0);
        in->reg = 0;
        pick_rm(g, in, !g->popped);
        pop_keep(g, rm_slot(in), w, e);
        g->popped |= in->mode == M_REG;
        snprintf(in->text, sizeof in->text, "pop %s", rm_text(in));
    }
}

static void stack_op(Insn *in, int w, int op, const char *name)
{
    in->kind = K_STACK;
    in->w = w;
    opc(in, op, 0);
    snprintf(in->text, sizeof in->text, "%s%s", name, w == 32 ? "d" : "");
}

/* Balanced stack sequences: pushes then pops, PUSHA then pops, pushes then
 * POPA, or PUSHA then POPA.  They run natively in one go. */
static void g_stack(Gen *g, Case *c)
{
    static const int popa_order[8] = { EDI, ESI, EBP, -1, EBX, EDX, ECX, EAX };
    int w = rand_w1632(), form = (int)rnd(4), k = 1 + (int)rnd(3), n = 0;
    Ent st[8];

    c->atomic = 1;
    if (form == 0) {
        for (int i = 0; i < k; i++)
            g_push(g, &c->in[n++], w, &st[i]);
        for (int i = k - 1; i >= 0; i--)
            g_pop(g, &c->in[n++], w, &st[i]);
    } else if (form == 1 || form == 3) {
        stack_op(&c->in[n++], w, 0x60, "pusha");
        for (int r = 0; r < 8; r++) {
            if (r != 4)
                rand_reg(g, 32, r);
            st[r] = (Ent){ r != 4, 0, 0 };
        }
        if (form == 3)
            stack_op(&c->in[n++], w, 0x61, "popa");
        else
            for (int i = 7; i >= 0; i--)
                g_pop(g, &c->in[n++], w, &st[i]);
    } else {
        for (int i = 0; i < 8; i++)
            g_push(g, &c->in[n++], w, &st[i]);
        stack_op(&c->in[n++], w, 0x61, "popa");
        for (int i = 0; i < 8; i++)
            if (popa_order[i] >= 0)
                pop_keep(g, popa_order[i], w, &st[7 - i]);
    }
    c->n = n;
}

/* Make one case of a family from the ROM's default register values. */
static void make_case(GenFn *one, CaseFn *many, const uint32_t defaults[8], Case *c, int *faults)
{
    for (int tries = 0;; tries++) {
        if (tries == 10000) {
            fprintf(stderr, "oracle: cannot generate a valid case (generator bug?)\n");
            exit(2);
        }
        Gen g;
        memset(&g, 0, sizeof g);
        memset(c, 0, sizeof *c);
        memcpy(g.s.r, defaults, sizeof g.s.r);
        memset(g.keep, 0xff, sizeof g.keep);
        rand_flags(&g);
        c->ea = 0x100;
        if (one) {
            c->n = 1;
            one(&g, &c->in[0]);
        } else {
            many(&g, c);
        }
        if (g.mem)
            place_mem(&g, c);
        c->s0 = g.s;
        memcpy(c->keep, g.keep, sizeof c->keep);
        if (run_case(c, faults))
            return;
    }
}

/* ------------------------------------------------------------- ROMs */

static const char *const harness[] = {
    "#include \"lib.inc\"",
    "    RESET_VECTOR start",
    "",
    "/* Variables in the stack segment (SS = 0x1000).  The memory operand of a",
    " * case lives in DS = 0x2000 or, for the BP-based forms, in SS. */",
    "    .set V_ST, 0x00          /* input state: eax ecx edx ebx mem ebp esi edi */",
    "    .set V_EX, 0x20          /* expected state */",
    "    .set V_MK, 0x40          /* bits to compare */",
    "    .set V_OUT, 0x60         /* state after the code */",
    "    .set V_FLIN, 0x80",
    "    .set V_FLEX, 0x82",
    "    .set V_FLMK, 0x84",
    "    .set V_FLOUT, 0x86",
    "    .set V_EA, 0x88",
    "    .set V_SEG, 0x8a",
    "    .set V_CODE, 0x8c",
    "    .set V_CLEN, 0x8e",
    "    .set V_CASE, 0x90",
    "    .set V_NEXT, 0x92",
    "    .set V_NFAIL, 0x94",
    "    .set V_NCASE, 0x96",
    "    .set V_TMP, 0x98",
    "",
    "start:",
    "    cli",
    "    cld",
    "    mov $0x1000, %ax",
    "    mov %ax, %ss",
    "    mov $0xfff0, %sp",
    "    mov $0x2000, %ax",
    "    mov %ax, %ds",
    "    mov %ax, %es",
    "    movw $0, %ss:V_NFAIL",
    "    movw $0, %ss:V_NCASE",
    "    movw $0xffff, %ss:V_CASE",
    "    xor %ax, %ax             /* vectors 0-31 -> 'unexpected exception' */",
    "    mov %ax, %es",
    "    xor %di, %di",
    "    mov $vectors, %ax",
    "1:  mov %ax, %es:(%di)",
    "    movw $0xf000, %es:2(%di)",
    "    add $8, %ax",
    "    add $4, %di",
    "    cmp $128, %di",
    "    jne 1b",
    "    mov %ds, %ax",
    "    mov %ax, %es",
    "    mov $cases, %si",
    "1:  cmpw $0xffff, %cs:(%si)",
    "    je 2f",
    "    call run_case",
    "    incw %ss:V_NCASE",
    "    jmp 1b",
    "2:  mov $romname, %si",
    "    call puts",
    "    mov $s_sum1, %si",
    "    call puts",
    "    mov %ss:V_NCASE, %ax",
    "    call putdec",
    "    mov $s_sum2, %si",
    "    call puts",
    "    mov %ss:V_NFAIL, %ax",
    "    call putdec",
    "    mov $s_sum3, %si",
    "    call puts",
    "    cmpw $0, %ss:V_NFAIL",
    "    jne 3f",
    "    EXIT 0",
    "3:  EXIT 1",
    "",
    "/* Parse the record at CS:SI, run it and check it; SI moves to the next. */",
    "run_case:",
    "    mov %cs:(%si), %ax",
    "    mov %ax, %ss:V_CASE",
    "    xor %ah, %ah",
    "    mov %cs:2(%si), %al",
    "    mov %ax, %ss:V_CLEN",
    "    add $3, %si",
    "    mov %si, %ss:V_CODE",
    "    add %ax, %si",
    "    inc %si                  /* skip the code and its ret */",
    "    mov %cs:(%si), %ax",
    "    mov %ax, %ss:V_FLIN",
    "    mov %cs:2(%si), %ax",
    "    mov %ax, %ss:V_FLEX",
    "    mov %cs:4(%si), %ax",
    "    mov %ax, %ss:V_FLMK",
    "    mov %cs:6(%si), %ax",
    "    mov %ax, %ss:V_EA",
    "    mov %cs:8(%si), %al",
    "    mov %al, %ss:V_SEG",
    "    add $9, %si",
    "    xor %bx, %bx             /* start from the defaults */",
    "1:  mov %cs:defaults(%bx), %eax",
    "    mov %eax, %ss:V_ST(%bx)",
    "    mov %eax, %ss:V_EX(%bx)",
    "    movl $0xffffffff, %ss:V_MK(%bx)",
    "    add $4, %bx",
    "    cmp $32, %bx",
    "    jne 1b",
    "    mov %cs:(%si), %cl       /* inputs: (slot*4, value) */",
    "    inc %si",
    "2:  test %cl, %cl",
    "    jz 3f",
    "    xor %bh, %bh",
    "    mov %cs:(%si), %bl",
    "    mov %cs:1(%si), %eax",
    "    mov %eax, %ss:V_ST(%bx)",
    "    mov %eax, %ss:V_EX(%bx)",
    "    add $5, %si",
    "    dec %cl",
    "    jmp 2b",
    "3:  mov %cs:(%si), %cl       /* outputs: (slot*4 | 0x80 if masked, value [, mask]) */",
    "    inc %si",
    "4:  test %cl, %cl",
    "    jz 6f",
    "    xor %bh, %bh",
    "    mov %cs:(%si), %bl",
    "    mov %cs:1(%si), %eax",
    "    add $5, %si",
    "    test $0x80, %bl",
    "    jz 5f",
    "    and $0x7f, %bl",
    "    mov %cs:(%si), %edx",
    "    mov %edx, %ss:V_MK(%bx)",
    "    add $4, %si",
    "5:  mov %eax, %ss:V_EX(%bx)",
    "    dec %cl",
    "    jmp 4b",
    "6:  mov %si, %ss:V_NEXT",
    "    call exec",
    "    call compare",
    "    mov %ss:V_NEXT, %si",
    "    ret",
    "",
    "/* Put the memory operand in place, load the state, call the code, save. */",
    "exec:",
    "    mov %ss:V_EA, %bx",
    "    mov %ss:V_ST+16, %eax",
    "    cmpb $0, %ss:V_SEG",
    "    jne 1f",
    "    mov %eax, %ds:(%bx)",
    "    jmp 2f",
    "1:  mov %eax, %ss:(%bx)",
    "2:  pushw %ss:V_FLIN",
    "    popf",
    "    mov %ss:V_ST+0, %eax",
    "    mov %ss:V_ST+4, %ecx",
    "    mov %ss:V_ST+8, %edx",
    "    mov %ss:V_ST+12, %ebx",
    "    mov %ss:V_ST+20, %ebp",
    "    mov %ss:V_ST+24, %esi",
    "    mov %ss:V_ST+28, %edi",
    "    call *%ss:V_CODE",
    "    pushf",
    "    mov %eax, %ss:V_OUT+0",
    "    mov %ecx, %ss:V_OUT+4",
    "    mov %edx, %ss:V_OUT+8",
    "    mov %ebx, %ss:V_OUT+12",
    "    mov %ebp, %ss:V_OUT+20",
    "    mov %esi, %ss:V_OUT+24",
    "    mov %edi, %ss:V_OUT+28",
    "    popw %ss:V_FLOUT",
    "    mov %ss:V_EA, %bx",
    "    cmpb $0, %ss:V_SEG",
    "    jne 3f",
    "    mov %ds:(%bx), %eax",
    "    jmp 4f",
    "3:  mov %ss:(%bx), %eax",
    "4:  mov %eax, %ss:V_OUT+16",
    "    ret",
    "",
    "compare:",
    "    xor %bx, %bx",
    "    xor %dx, %dx",
    "1:  mov %ss:V_OUT(%bx), %eax",
    "    xor %ss:V_EX(%bx), %eax",
    "    and %ss:V_MK(%bx), %eax",
    "    jz 2f",
    "    inc %dx",
    "2:  add $4, %bx",
    "    cmp $32, %bx",
    "    jne 1b",
    "    mov %ss:V_FLOUT, %ax",
    "    xor %ss:V_FLEX, %ax",
    "    and %ss:V_FLMK, %ax",
    "    jz 3f",
    "    inc %dx",
    "3:  test %dx, %dx",
    "    jz 4f",
    "    incw %ss:V_NFAIL",
    "    cmpw $8, %ss:V_NFAIL      /* details for the first 8 failures only */",
    "    ja 4f",
    "    call report",
    "4:  ret",
    "",
    "report:",
    "    mov $romname, %si",
    "    call puts",
    "    mov $s_case, %si",
    "    call puts",
    "    mov %ss:V_CASE, %ax",
    "    call putdec",
    "    mov $s_code, %si",
    "    call puts",
    "    mov %ss:V_CODE, %si",
    "    mov %ss:V_CLEN, %cx",
    "1:  mov $' ', %al",
    "    call putc",
    "    mov %cs:(%si), %al",
    "    call puthex8",
    "    inc %si",
    "    dec %cx",
    "    jnz 1b",
    "    mov $s_head, %si",
    "    call puts",
    "    xor %bx, %bx",
    "2:  mov $s_ind, %si",
    "    call puts",
    "    mov $s_regs, %si",
    "    add %bx, %si",
    "    call puts",
    "    mov %ss:V_ST(%bx), %eax",
    "    call puthex32",
    "    mov %ss:V_EX(%bx), %eax",
    "    call puthex32",
    "    mov %ss:V_OUT(%bx), %eax",
    "    call puthex32",
    "    mov %ss:V_MK(%bx), %eax",
    "    call puthex32",
    "    mov %ss:V_OUT(%bx), %eax",
    "    xor %ss:V_EX(%bx), %eax",
    "    and %ss:V_MK(%bx), %eax",
    "    call mark",
    "    add $4, %bx",
    "    cmp $32, %bx",
    "    jne 2b",
    "    mov $s_flags, %si",
    "    call puts",
    "    mov %ss:V_FLIN, %ax",
    "    call puthex16",
    "    mov %ss:V_FLEX, %ax",
    "    call puthex16",
    "    mov %ss:V_FLOUT, %ax",
    "    call puthex16",
    "    mov %ss:V_FLMK, %ax",
    "    call puthex16",
    "    mov %ss:V_FLOUT, %ax",
    "    xor %ss:V_FLEX, %ax",
    "    and %ss:V_FLMK, %ax",
    "    call mark",
    "    mov $s_mem, %si",
    "    call puts",
    "    mov $s_ds, %si",
    "    cmpb $0, %ss:V_SEG",
    "    je 3f",
    "    mov $s_ss, %si",
    "3:  call puts",
    "    mov %ss:V_EA+1, %al",
    "    call puthex8",
    "    mov %ss:V_EA, %al",
    "    call puthex8",
    "    mov $s_memend, %si",
    "    jmp puts",
    "",
    "/* An exception or interrupt: the vector stubs push its number. */",
    "unexpected:",
    "    pop %ax",
    "    mov $romname, %si",
    "    call puts",
    "    mov $s_exc, %si",
    "    call puts",
    "    call putdec",
    "    mov $s_incase, %si",
    "    call puts",
    "    mov %ss:V_CASE, %ax",
    "    call putdec",
    "    mov $s_crlf, %si",
    "    call puts",
    "    EXIT 1",
    "",
    "/* Ends a report line: a marker if ZF is clear (mismatch), then CR LF. */",
    "mark:",
    "    mov $s_crlf, %si",
    "    jz puts",
    "    mov $s_bad, %si",
    "    jmp puts",
    "",
    "/* Output helpers; they preserve all registers but SI (puts keeps it too). */",
    "putc:",
    "    push %dx",
    "    push %cx",
    "    push %ax",
    "    mov $COM1+5, %dx",
    "    mov $0xffff, %cx",
    "1:  in %dx, %al              /* wait (not forever) for THR empty */",
    "    test $0x20, %al",
    "    jnz 2f",
    "    dec %cx",
    "    jnz 1b",
    "2:  pop %ax",
    "    mov $COM1, %dx",
    "    out %al, %dx",
    "    pop %cx",
    "    pop %dx",
    "    ret",
    "",
    "puts:                        /* the string at CS:SI */",
    "    push %si",
    "    push %ax",
    "1:  mov %cs:(%si), %al",
    "    test %al, %al",
    "    jz 2f",
    "    call putc",
    "    inc %si",
    "    jmp 1b",
    "2:  pop %ax",
    "    pop %si",
    "    ret",
    "",
    "puthex8:                     /* AL as two hex digits, by table lookup */",
    "    push %bx",
    "    push %ax",
    "    xor %bh, %bh",
    "    mov %al, %bl",
    "    add %bx, %bx",
    "    mov %cs:hextab(%bx), %al",
    "    call putc",
    "    mov %cs:hextab+1(%bx), %al",
    "    call putc",
    "    pop %ax",
    "    pop %bx",
    "    ret",
    "",
    "puthex32:                    /* a space and EAX in hex */",
    "    mov %eax, %ss:V_TMP",
    "    push %ax",
    "    mov $' ', %al",
    "    call putc",
    "    mov %ss:V_TMP+3, %al",
    "    call puthex8",
    "    mov %ss:V_TMP+2, %al",
    "    call puthex8",
    "    jmp 1f",
    "puthex16:                    /* five spaces and AX in hex */",
    "    mov %ax, %ss:V_TMP",
    "    push %ax",
    "    push %si",
    "    mov $s_pad, %si",
    "    call puts",
    "    pop %si",
    "1:  mov %ss:V_TMP+1, %al",
    "    call puthex8",
    "    mov %ss:V_TMP, %al",
    "    call puthex8",
    "    pop %ax",
    "    ret",
    "",
    "putdec:                      /* AX in decimal, by repeated subtraction */",
    "    push %ax",
    "    push %bx",
    "    push %cx",
    "    push %dx",
    "    push %si",
    "    mov $pow10, %si",
    "    xor %dx, %dx             /* DX != 0 once a digit was printed */",
    "1:  mov %cs:(%si), %bx",
    "    mov $'0', %cl",
    "2:  cmp %bx, %ax",
    "    jb 3f",
    "    sub %bx, %ax",
    "    inc %cl",
    "    jmp 2b",
    "3:  cmp $'0', %cl",
    "    jne 4f",
    "    test %dx, %dx",
    "    jnz 4f",
    "    cmp $1, %bx",
    "    jne 5f",
    "4:  push %ax",
    "    mov %cl, %al",
    "    call putc",
    "    pop %ax",
    "    mov $1, %dx",
    "5:  add $2, %si",
    "    cmp $1, %bx",
    "    jne 1b",
    "    pop %si",
    "    pop %dx",
    "    pop %cx",
    "    pop %bx",
    "    pop %ax",
    "    ret",
    "",
    "pow10:  .word 10000, 1000, 100, 10, 1",
    "s_sum1: .asciz \": \"",
    "s_sum2: .asciz \" cases, \"",
    "s_sum3: .asciz \" failed\\r\\n\"",
    "s_case: .asciz \": MISMATCH in case \"",
    "s_code: .asciz \", code\"",
    "s_head: .asciz \"\\r\\n  slot    input expected   actual     mask\\r\\n\"",
    "s_regs: .asciz \"eax\", \"ecx\", \"edx\", \"ebx\", \"mem\", \"ebp\", \"esi\", \"edi\"",
    "s_ind:  .asciz \"  \"",
    "s_flags: .asciz \"  flg\"",
    "s_exc:  .asciz \": unexpected exception \"",
    "s_incase: .asciz \" in case \"",
    "s_pad:  .asciz \"     \"",
    "s_bad:  .asciz \"  <-- differs\\r\\n\"",
    "s_crlf: .asciz \"\\r\\n\"",
    "s_mem:  .asciz \"  (memory operand at \"",
    "s_memend: .asciz \")\\r\\n\"",
    "s_ds:   .asciz \"ds:\"",
    "s_ss:   .asciz \"ss:\"",
    NULL
};

typedef struct {
    FILE *f;
    int index, ncases;
    long bytes;
    uint32_t defaults[8];
    char path[4096];
} Rom;

static void rom_open(Rom *rom, const char *dir, int index, uint64_t seed)
{
    FILE *f;

    rom->index = index;
    rom->ncases = 0;
    rom->bytes = 0;
    for (int i = 0; i < 8; i++)
        rom->defaults[i] = rnd32();
    snprintf(rom->path, sizeof rom->path, "%s/oracle_%02d.S", dir, index);
    f = rom->f = fopen(rom->path, "w");
    if (!f) {
        perror(rom->path);
        exit(2);
    }
    fprintf(f, "/* Generated by tests/oracle (seed 0x%llx): random instruction cases whose\n"
               " * results were recorded on the host CPU.  Do not edit; see tests/oracle.c\n"
               " * for the record format.  Find a failing case with: grep 'case N:' */\n",
            (unsigned long long)seed);
    for (int i = 0; harness[i]; i++)
        fprintf(f, "%s\n", harness[i]);
    fprintf(f, "romname: .asciz \"oracle_%02d\"\n", index);
    fprintf(f, "defaults: .long");      /* slot 4 is the memory operand */
    for (int i = 0; i < 8; i++)
        fprintf(f, "%s0x%08x", i ? ", " : " ", rom->defaults[i]);
    fprintf(f, "\nhextab:");
    for (int i = 0; i < 256; i++)
        fprintf(f, "%s\"%02x\"", i % 16 ? ", " : "\n    .ascii ", i);
    fprintf(f, "\n    .balign 8\nvectors:                     /* 8 bytes per vector */\n");
    for (int i = 0; i < 32; i++)
        fprintf(f, "    push $%d\n    jmp unexpected\n    .balign 8\n", i);
    fprintf(f, "\ncases:\n");
}

static void rom_close(Rom *rom)
{
    fprintf(rom->f, "    .word 0xffff\n");
    if (fclose(rom->f)) {
        perror(rom->path);
        exit(2);
    }
}

/* Append one case record; cases come first in the file (see the harness). */
static void rom_case(Rom *rom, const Case *c, int number)
{
    FILE *f = rom->f;
    uint8_t code[16 * MAXSTEP];
    int len = 0, nin = 0, nout = 0;

    for (int k = 0; k < c->n; k++)
        len += encode(&c->in[k], G, code + len);
    fprintf(f, "/* case %d:", number);
    for (int k = 0; k < c->n; k++)
        fprintf(f, "%s %s", k ? ";" : "", c->in[k].text);
    fprintf(f, " */\n    .word %d\n    .byte %d", number, len);
    for (int i = 0; i < len; i++)
        fprintf(f, ", 0x%02x", code[i]);
    fprintf(f, ", 0xc3\n    .word 0x%04x, 0x%04x, 0x%04x, 0x%04x\n    .byte %d\n",
            0x0002 | c->s0.fl, 0x0002 | c->s1.fl, c->flmask, c->ea, c->seg);
    for (int i = 0; i < 8; i++)
        nin += c->s0.r[i] != rom->defaults[i];
    fprintf(f, "    .byte %d", nin);
    for (int i = 0; i < 8; i++)
        if (c->s0.r[i] != rom->defaults[i])
            fprintf(f, "; .byte %d; .long 0x%08x", 4 * i, c->s0.r[i]);
    for (int i = 0; i < 8; i++)
        nout += c->s1.r[i] != c->s0.r[i] || c->keep[i] != 0xffffffffu;
    fprintf(f, "\n    .byte %d", nout);
    for (int i = 0; i < 8; i++) {
        if (c->keep[i] != 0xffffffffu)
            fprintf(f, "; .byte %d; .long 0x%08x, 0x%08x", 4 * i | 0x80, c->s1.r[i] & c->keep[i], c->keep[i]);
        else if (c->s1.r[i] != c->s0.r[i])
            fprintf(f, "; .byte %d; .long 0x%08x", 4 * i, c->s1.r[i]);
    }
    fprintf(f, "\n");
    rom->bytes += 2 + 1 + len + 1 + 9 + 2 + 5 * nin + 5 * nout;
    for (int i = 0; i < 8; i++)
        rom->bytes += c->keep[i] != 0xffffffffu ? 4 : 0;
    rom->ncases++;
}

/* ------------------------------------------------------------- main */

typedef struct {
    const char *name;
    GenFn *one;             /* makes a one-instruction case, */
    CaseFn *many;           /* or else this makes a whole case */
    int count;
} Family;

static const Family families[] = {
    { "alu", g_alu, NULL, 3200 },       { "test", g_test, NULL, 500 },
    { "incdec", g_incdec, NULL, 600 },  { "negnot", g_negnot, NULL, 400 },
    { "shift", g_shift, NULL, 3200 },   { "shxd", g_shxd, NULL, 1000 },
    { "mul", g_mul, NULL, 800 },        { "imul23", g_imul23, NULL, 600 },
    { "div", g_div, NULL, 900 },        { "bcd", g_bcd, NULL, 1200 },
    { "bt", g_bt, NULL, 900 },          { "bsf", g_bsf, NULL, 400 },
    { "setcc", g_setcc, NULL, 500 },    { "jcc", g_jcc, NULL, 400 },
    { "mov", g_mov, NULL, 400 },        { "movx", g_movx, NULL, 400 },
    { "cbw", g_cbw, NULL, 200 },        { "xchg", g_xchg, NULL, 300 },
    { "flagop", g_flagop, NULL, 300 },  { "lea16", g_lea16, NULL, 700 },
    { "lea32", g_lea32, NULL, 300 },    { "stack", NULL, g_stack, 600 },
    { "seq", NULL, g_seq, 2000 },
};

int pm_main(int argc, char **argv);     /* tests/oracle_pm.c */

int main(int argc, char **argv)
{
    uint64_t seed = DEFAULT_SEED;
    clock_t t0 = clock();
    int number = 0, faults = 0;
    Rom rom;

    if (argc >= 2 && !strncmp(argv[1], "pm-", 3))
        return pm_main(argc - 1, argv + 1);
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s OUTDIR [SEED]\n"
                        "       %s pm-gen|pm-fuzz ... (see tests/oracle_pm.c)\n", argv[0], argv[0]);
        return 2;
    }
    if (argc == 3)
        seed = strtoull(argv[2], NULL, 0);
    if (mkdir(argv[1], 0777) && errno != EEXIST) {
        perror(argv[1]);
        return 2;
    }
    rng = seed ? seed : 1;
    native_init();
    native_probe();
    rom_open(&rom, argv[1], 0, seed);
    for (size_t fi = 0; fi < sizeof families / sizeof families[0]; fi++) {
        for (int k = 0; k < families[fi].count; k++) {
            Case c;
            if (rom.bytes > ROM_BUDGET) {
                rom_close(&rom);
                rom_open(&rom, argv[1], rom.index + 1, seed);
            }
            make_case(families[fi].one, families[fi].many, rom.defaults, &c, &faults);
            rom_case(&rom, &c, number++);
        }
    }
    rom_close(&rom);
    printf("oracle: %d cases in %d ROMs (seed 0x%llx, %d native faults retried, %.2fs)\n",
           number, rom.index + 1, (unsigned long long)seed, faults,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    return 0;
}
