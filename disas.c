/*
 * disas.c - a disassembler for the guest's 16- and 32-bit x86 code, in AT&T
 * syntax, printing what `objdump -D -b binary -mi386` (or -mi8086 for 16-bit
 * code) prints for the same bytes: the 8086..80386 integer set, the 486 and
 * P6 additions vm translates (CMPXCHG, XADD, BSWAP, CMOVcc, CMPXCHG8B,
 * CPUID, RDTSC, RDMSR/WRMSR, SYSENTER/SYSEXIT...), the system instructions
 * and the x87 opcodes D8-DF.  Used by -d in_asm (translate.c) and by
 * tests/host/test_disas.c, which checks it against objdump.
 *
 * It is table driven: each opcode has a mnemonic, a suffix rule and up to
 * three operands in Intel order (destination first); printing reverses
 * them.  It is separate from translate.c's decoder on purpose: a bug in
 * one shows up as a disagreement with the other and with objdump.
 *
 * Threads and locks: pure functions of their arguments; any thread.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "vm.h"

/* Operand kinds (Intel's operand notation from the opcode map, SDM vol. 2
 * appendix A, where it exists). */
enum {
    O_NONE,
    O_Eb, O_Ev, O_Ew,           /* ModRM r/m: byte, word/dword, word */
    O_Rv_Mw,                    /* r/m: register of operand size, or memory word */
    O_Rd,                       /* r/m as a dword register whatever the mod */
    O_M, O_Mp,                  /* ModRM memory only (any size; far pointer) */
    O_Gb, O_Gv, O_Gw,           /* ModRM reg field as a register */
    O_Sw, O_Cd, O_Dd,           /* segment, control, debug register */
    O_Ib, O_Iv, O_Iw, O_Ibs,    /* immediates (Ibs: sign-extended to opsize) */
    O_Jb, O_Jv,                 /* relative branch targets */
    O_Ap,                       /* far pointer immediate */
    O_Ob, O_Ov,                 /* moffs: absolute address */
    O_Zb, O_Zv,                 /* register in the opcode's low 3 bits */
    O_AL, O_eAX, O_CL, O_DX,    /* fixed registers; DX as port "(%dx)" */
    O_ONE,                      /* the 1 of shift-by-one: printed nothing */
    O_Xb, O_Xv, O_Yb, O_Yv,     /* string operands ds:si and es:di */
    O_XLAT,                     /* ds:(bx) */
    O_ES, O_CS, O_SS, O_DS, O_FS, O_GS,
};

/* Suffix rules: when objdump adds b/w/l to the mnemonic. */
enum {
    SX_NONE,
    SX_MEM,     /* size of the r/m operand, when it is memory */
    SX_DATA,    /* w or l when the operand size is not the mode's */
    SX_ALWAYS,  /* always the operand size (movs, cmps, ins, outs) */
    SX_DATA_MEM,/* SX_DATA, but only with a memory operand */
};

typedef struct {
    const char *name;       /* NULL: not an opcode; "*": a group */
    uint8_t sfx;
    uint8_t op[3];
} Op;

/* One instruction being disassembled. */
typedef struct {
    /* the bytes */
    const uint8_t *b;
    int avail, pos;             /* bytes there are; bytes read so far */
    uint32_t eip;
    int code32, op32, ad32;     /* code, operand and address size: 32-bit? */
    /* prefixes, in the order seen, and which the instruction used: objdump
     * prints the unused ones by name */
    uint8_t pfx[15];
    int npfx;
    int seg;                    /* segment override (S_ES..S_GS) or S_NONE */
    int rep, lock;              /* last of 0xf2/0xf3 or 0; LOCK seen */
    int fwait, fwait_npfx;      /* FWAIT seen among them; prefixes before it */
    int used_op, used_ad, used_seg;
    /* the opcode and ModRM */
    int opc;                    /* 0x100 | xx for 0F xx */
    int has_modrm, mod, reg, rm;
    int is_str;                 /* INS..LODS: REP prints as "rep" */
    int is_jump;                /* indirect JMP/CALL: "*" before r/m */
    int notrack;                /* DS on an indirect JMP/CALL */
    int bad;                    /* the bytes end inside the instruction */
    int invalid;                /* a register where only memory is allowed */
    /* the operands, Intel order */
    char ops[3][64];
    int nops;
    char fpu_name[16];          /* an x87 name with a suffix added */
} D;

static const char *const reg8[8] = { "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" };
static const char *const reg16[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
static const char *const reg32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const sreg[8] = { "es", "cs", "ss", "ds", "fs", "gs", "?", "?" };
static const char *const cc[16] = { "o", "no", "b", "ae", "e", "ne", "be", "a",
                                    "s", "ns", "p", "np", "l", "ge", "le", "g" };

/* ---- Opcode tables -------------------------------------------------------------- */

#define ALU(n) { n, 0, { O_Eb, O_Gb } }, { n, 0, { O_Ev, O_Gv } }, \
               { n, 0, { O_Gb, O_Eb } }, { n, 0, { O_Gv, O_Ev } }, \
               { n, 0, { O_AL, O_Ib } }, { n, 0, { O_eAX, O_Iv } }

static const Op op1[256] = {
    ALU("add"), { "push", SX_DATA, { O_ES } }, { "pop", SX_DATA, { O_ES } },
    ALU("or"), { "push", SX_DATA, { O_CS } }, { NULL, 0, { 0 } },       /* 0f */
    ALU("adc"), { "push", SX_DATA, { O_SS } }, { "pop", SX_DATA, { O_SS } },
    ALU("sbb"), { "push", SX_DATA, { O_DS } }, { "pop", SX_DATA, { O_DS } },
    ALU("and"), { NULL, 0, { 0 } }, { "daa", 0, { 0 } },
    ALU("sub"), { NULL, 0, { 0 } }, { "das", 0, { 0 } },
    ALU("xor"), { NULL, 0, { 0 } }, { "aaa", 0, { 0 } },
    ALU("cmp"), { NULL, 0, { 0 } }, { "aas", 0, { 0 } },
    [0x40] = { "inc", 0, { O_Zv } }, { "inc", 0, { O_Zv } }, { "inc", 0, { O_Zv } },
    { "inc", 0, { O_Zv } }, { "inc", 0, { O_Zv } }, { "inc", 0, { O_Zv } },
    { "inc", 0, { O_Zv } }, { "inc", 0, { O_Zv } },
    [0x48] = { "dec", 0, { O_Zv } }, { "dec", 0, { O_Zv } }, { "dec", 0, { O_Zv } },
    { "dec", 0, { O_Zv } }, { "dec", 0, { O_Zv } }, { "dec", 0, { O_Zv } },
    { "dec", 0, { O_Zv } }, { "dec", 0, { O_Zv } },
    [0x50] = { "push", 0, { O_Zv } }, { "push", 0, { O_Zv } }, { "push", 0, { O_Zv } },
    { "push", 0, { O_Zv } }, { "push", 0, { O_Zv } }, { "push", 0, { O_Zv } },
    { "push", 0, { O_Zv } }, { "push", 0, { O_Zv } },
    [0x58] = { "pop", 0, { O_Zv } }, { "pop", 0, { O_Zv } }, { "pop", 0, { O_Zv } },
    { "pop", 0, { O_Zv } }, { "pop", 0, { O_Zv } }, { "pop", 0, { O_Zv } },
    { "pop", 0, { O_Zv } }, { "pop", 0, { O_Zv } },
    [0x60] = { "pusha", SX_DATA, { 0 } }, { "popa", SX_DATA, { 0 } },
    { "bound", 0, { O_M, O_Gv } }  /* objdump's order */, { "arpl", 0, { O_Ew, O_Gw } },
    [0x68] = { "push", SX_DATA, { O_Iv } }, { "imul", 0, { O_Gv, O_Ev, O_Iv } },
    { "push", SX_DATA, { O_Ibs } }, { "imul", 0, { O_Gv, O_Ev, O_Ibs } },
    { "insb", 0, { O_Yb, O_DX } }, { "ins", SX_ALWAYS, { O_Yv, O_DX } },
    { "outsb", 0, { O_DX, O_Xb } }, { "outs", SX_ALWAYS, { O_DX, O_Xv } },
    [0x80] = { "*", SX_MEM, { O_Eb, O_Ib } }, { "*", SX_MEM, { O_Ev, O_Iv } },
    { "*", SX_MEM, { O_Eb, O_Ib } }, { "*", SX_MEM, { O_Ev, O_Ibs } },
    { "test", 0, { O_Eb, O_Gb } }, { "test", 0, { O_Ev, O_Gv } },
    { "xchg", 0, { O_Eb, O_Gb } }, { "xchg", 0, { O_Ev, O_Gv } },
    { "mov", 0, { O_Eb, O_Gb } }, { "mov", 0, { O_Ev, O_Gv } },
    { "mov", 0, { O_Gb, O_Eb } }, { "mov", 0, { O_Gv, O_Ev } },
    { "mov", 0, { O_Rv_Mw, O_Sw } }, { "lea", 0, { O_Gv, O_M } },
    { "mov", 0, { O_Sw, O_Rv_Mw } }, { "*", SX_MEM, { O_Ev } },
    [0x90] = { "nop", 0, { 0 } }, { "xchg", 0, { O_Zv, O_eAX } }, { "xchg", 0, { O_Zv, O_eAX } },
    { "xchg", 0, { O_Zv, O_eAX } }, { "xchg", 0, { O_Zv, O_eAX } }, { "xchg", 0, { O_Zv, O_eAX } },
    { "xchg", 0, { O_Zv, O_eAX } }, { "xchg", 0, { O_Zv, O_eAX } },
    [0x98] = { "*cbw", 0, { 0 } }, { "*cwd", 0, { 0 } }, { "lcall", SX_DATA, { O_Ap } },
    { "fwait", 0, { 0 } }, { "pushf", SX_DATA, { 0 } }, { "popf", SX_DATA, { 0 } },
    { "sahf", 0, { 0 } }, { "lahf", 0, { 0 } },
    [0xa0] = { "mov", 0, { O_AL, O_Ob } }, { "mov", 0, { O_eAX, O_Ov } },
    { "mov", 0, { O_Ob, O_AL } }, { "mov", 0, { O_Ov, O_eAX } },
    { "movsb", 0, { O_Yb, O_Xb } }, { "movs", SX_ALWAYS, { O_Yv, O_Xv } },
    { "cmpsb", 0, { O_Xb, O_Yb } }, { "cmps", SX_ALWAYS, { O_Xv, O_Yv } },
    { "test", 0, { O_AL, O_Ib } }, { "test", 0, { O_eAX, O_Iv } },
    { "stos", 0, { O_Yb, O_AL } }, { "stos", 0, { O_Yv, O_eAX } },
    { "lods", 0, { O_AL, O_Xb } }, { "lods", 0, { O_eAX, O_Xv } },
    { "scas", 0, { O_AL, O_Yb } }, { "scas", 0, { O_eAX, O_Yv } },
    [0xb0] = { "mov", 0, { O_Zb, O_Ib } }, { "mov", 0, { O_Zb, O_Ib } }, { "mov", 0, { O_Zb, O_Ib } },
    { "mov", 0, { O_Zb, O_Ib } }, { "mov", 0, { O_Zb, O_Ib } }, { "mov", 0, { O_Zb, O_Ib } },
    { "mov", 0, { O_Zb, O_Ib } }, { "mov", 0, { O_Zb, O_Ib } },
    [0xb8] = { "mov", 0, { O_Zv, O_Iv } }, { "mov", 0, { O_Zv, O_Iv } }, { "mov", 0, { O_Zv, O_Iv } },
    { "mov", 0, { O_Zv, O_Iv } }, { "mov", 0, { O_Zv, O_Iv } }, { "mov", 0, { O_Zv, O_Iv } },
    { "mov", 0, { O_Zv, O_Iv } }, { "mov", 0, { O_Zv, O_Iv } },
    [0xc0] = { "*", SX_MEM, { O_Eb, O_Ib } }, { "*", SX_MEM, { O_Ev, O_Ib } },
    { "ret", SX_DATA, { O_Iw } }, { "ret", SX_DATA, { 0 } },
    { "les", 0, { O_Gv, O_Mp } }, { "lds", 0, { O_Gv, O_Mp } },
    { "*", SX_MEM, { O_Eb, O_Ib } }, { "*", SX_MEM, { O_Ev, O_Iv } },
    { "enter", SX_DATA, { O_Iw, O_Ib } }, { "leave", SX_DATA, { 0 } },
    { "lret", SX_DATA, { O_Iw } }, { "lret", SX_DATA, { 0 } },
    { "int3", 0, { 0 } }, { "int", 0, { O_Ib } }, { "into", 0, { 0 } },
    { "iret", SX_DATA, { 0 } },
    [0xd0] = { "*", SX_MEM, { O_Eb, O_ONE } }, { "*", SX_MEM, { O_Ev, O_ONE } },
    { "*", SX_MEM, { O_Eb, O_CL } }, { "*", SX_MEM, { O_Ev, O_CL } },
    { "aam", 0, { O_Ib } }, { "aad", 0, { O_Ib } }, { NULL, 0, { 0 } },
    { "xlat", 0, { O_XLAT } },
    [0xe0] = { "loopne", 0, { O_Jb } }, { "loope", 0, { O_Jb } }, { "loop", 0, { O_Jb } },
    { "*jcxz", 0, { O_Jb } },
    { "in", 0, { O_AL, O_Ib } }, { "in", 0, { O_eAX, O_Ib } },
    { "out", 0, { O_Ib, O_AL } }, { "out", 0, { O_Ib, O_eAX } },
    { "call", SX_DATA, { O_Jv } }, { "jmp", SX_DATA, { O_Jv } },
    { "ljmp", SX_DATA, { O_Ap } }, { "jmp", 0, { O_Jb } },
    { "in", 0, { O_AL, O_DX } }, { "in", 0, { O_eAX, O_DX } },
    { "out", 0, { O_DX, O_AL } }, { "out", 0, { O_DX, O_eAX } },
    [0xf1] = { "int1", 0, { 0 } },
    [0xf4] = { "hlt", 0, { 0 } }, { "cmc", 0, { 0 } },
    { "*", SX_MEM, { O_Eb } }, { "*", SX_MEM, { O_Ev } },
    { "clc", 0, { 0 } }, { "stc", 0, { 0 } }, { "cli", 0, { 0 } }, { "sti", 0, { 0 } },
    { "cld", 0, { 0 } }, { "std", 0, { 0 } },
    { "*", SX_MEM, { O_Eb } }, { "*", SX_MEM, { O_Ev } },
};

/* Groups: the ModRM reg field picks the operation. */
static const char *const grp1[8] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
static const char *const grp2[8] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "shl", "sar" };
static const char *const grp8[8] = { NULL, NULL, NULL, NULL, "bt", "bts", "btr", "btc" };

static const Op op2[256] = {
    [0x00] = { "*", 0, { 0 } }, { "*", 0, { 0 } },
    { "lar", 0, { O_Gv, O_Rv_Mw } }, { "lsl", 0, { O_Gv, O_Rv_Mw } },
    [0x06] = { "clts", 0, { 0 } },
    [0x08] = { "invd", 0, { 0 } }, { "wbinvd", 0, { 0 } }, [0x0b] = { "ud2", 0, { 0 } },
    [0x1f] = { "nop", SX_MEM, { O_Ev } },
    [0x20] = { "mov", 0, { O_Rd, O_Cd } }, { "mov", 0, { O_Rd, O_Dd } },
    { "mov", 0, { O_Cd, O_Rd } }, { "mov", 0, { O_Dd, O_Rd } },
    [0x30] = { "wrmsr", 0, { 0 } }, { "rdtsc", 0, { 0 } }, { "rdmsr", 0, { 0 } },
    { "rdpmc", 0, { 0 } }, { "sysenter", 0, { 0 } }, { "sysexit", 0, { 0 } },
    [0xa0] = { "push", SX_DATA, { O_FS } }, { "pop", SX_DATA, { O_FS } },
    { "cpuid", 0, { 0 } }, { "bt", 0, { O_Ev, O_Gv } },
    { "shld", 0, { O_Ev, O_Gv, O_Ib } }, { "shld", 0, { O_Ev, O_Gv, O_CL } },
    [0xa8] = { "push", SX_DATA, { O_GS } }, { "pop", SX_DATA, { O_GS } },
    { "rsm", 0, { 0 } }, { "bts", 0, { O_Ev, O_Gv } },
    { "shrd", 0, { O_Ev, O_Gv, O_Ib } }, { "shrd", 0, { O_Ev, O_Gv, O_CL } },
    { "*", 0, { O_M } }, { "imul", 0, { O_Gv, O_Ev } },
    [0xb0] = { "cmpxchg", 0, { O_Eb, O_Gb } }, { "cmpxchg", 0, { O_Ev, O_Gv } },
    { "lss", 0, { O_Gv, O_Mp } }, { "btr", 0, { O_Ev, O_Gv } },
    { "lfs", 0, { O_Gv, O_Mp } }, { "lgs", 0, { O_Gv, O_Mp } },
    { "*movzb", 0, { O_Gv, O_Eb } }, { "*movzw", 0, { O_Gv, O_Ew } },
    [0xb9] = { "ud1", 0, { O_Gv, O_Ev } }, { "*", SX_MEM, { O_Ev, O_Ib } },
    { "btc", 0, { O_Ev, O_Gv } }, { "bsf", 0, { O_Gv, O_Ev } }, { "bsr", 0, { O_Gv, O_Ev } },
    { "*movsb", 0, { O_Gv, O_Eb } }, { "*movsw", 0, { O_Gv, O_Ew } },
    [0xc0] = { "xadd", 0, { O_Eb, O_Gb } }, { "xadd", 0, { O_Ev, O_Gv } },
    [0xc7] = { "*", 0, { 0 } },
    [0xc8] = { "bswap", 0, { O_Zv } }, { "bswap", 0, { O_Zv } }, { "bswap", 0, { O_Zv } },
    { "bswap", 0, { O_Zv } }, { "bswap", 0, { O_Zv } }, { "bswap", 0, { O_Zv } },
    { "bswap", 0, { O_Zv } }, { "bswap", 0, { O_Zv } },
    [0xff] = { "ud0", 0, { O_Gv, O_Ev } },
};

/* ---- Byte fetch and output helpers ---------------------------------------------- */

static int fetch(D *d, int n, uint32_t *v)
{
    if (d->pos + n > d->avail) {
        d->bad = 1;
        *v = 0;
        return 0;
    }
    uint32_t x = 0;
    for (int i = 0; i < n; i++)
        x |= (uint32_t)d->b[d->pos + i] << (8 * i);
    d->pos += n;
    *v = x;
    return 1;
}

static uint32_t fetch_s8(D *d)
{
    uint32_t v;
    fetch(d, 1, &v);
    return (uint32_t)(int32_t)(int8_t)v;
}

static char *next_op(D *d)
{
    return d->ops[d->nops++];
}

static void put(char *dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(char *dst, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, 64, fmt, ap);
    va_end(ap);
}

/* A displacement as objdump prints one beside a register: signed. */
static void sdisp(char *p, size_t n, int32_t v)
{
    if (v < 0)
        snprintf(p, n, "-0x%x", (unsigned)-(int64_t)v);
    else
        snprintf(p, n, "0x%x", (unsigned)v);
}

static const char *seg_prefix(D *d)
{
    static const char *const names[6] = { "%es:", "%cs:", "%ss:", "%ds:", "%fs:", "%gs:" };
    if (d->seg < 0)
        return "";
    d->used_seg = 1;
    return names[d->seg];
}

/* ---- ModRM ---------------------------------------------------------------------- */

static void read_modrm(D *d)
{
    uint32_t m;
    if (d->has_modrm)
        return;
    fetch(d, 1, &m);
    d->has_modrm = 1;
    d->mod = m >> 6;
    d->reg = (m >> 3) & 7;
    d->rm = m & 7;
}

/* The memory operand of ModRM (and SIB), into out. */
static void mem_operand(D *d, char *out)
{
    static const char *const base16[8] = { "(%bx,%si)", "(%bx,%di)", "(%bp,%si)", "(%bp,%di)",
                                           "(%si)", "(%di)", "(%bp)", "(%bx)" };
    char disp[24] = "", regs[40] = "";
    uint32_t v = 0;
    d->used_ad = 1;
    if (!d->ad32) {
        if (d->mod == 0 && d->rm == 6) {
            fetch(d, 2, &v);            /* objdump prints it signed too */
            sdisp(disp, sizeof disp, (int16_t)v);
        } else {
            if (d->mod == 1)
                sdisp(disp, sizeof disp, (int32_t)fetch_s8(d));
            else if (d->mod == 2 && fetch(d, 2, &v))
                sdisp(disp, sizeof disp, (int16_t)v);
            snprintf(regs, sizeof regs, "%s", base16[d->rm]);
        }
        snprintf(out, 63, "%s%s%s", seg_prefix(d), disp, regs);
        return;
    }
    int base = d->rm, index = -1, scale = 0, havebase = 1, sib = 0;
    if (d->rm == 4) {
        uint32_t s;
        fetch(d, 1, &s);
        sib = 1;
        scale = s >> 6;
        index = (s >> 3) & 7;
        base = s & 7;
    }
    if (d->mod == 0 && base == 5) {
        havebase = 0;
        fetch(d, 4, &v);
    } else if (d->mod == 1) {
        v = fetch_s8(d);
    } else if (d->mod == 2) {
        fetch(d, 4, &v);
    }
    /* objdump shows SIB's "no index" as %eiz where the SIB byte was not
     * needed for the base: with a scale, a base other than ESP, or (in
     * 32-bit code) no base at all. */
    int haveindex = sib && index != 4;
    int eiz = sib && !haveindex && (scale != 0 || (havebase && base != 4) || (!havebase && d->code32));
    int regs_shown = havebase || haveindex || eiz;
    if (d->mod != 0 || base == 5) {
        if (regs_shown)
            sdisp(disp, sizeof disp, (int32_t)v);
        else
            snprintf(disp, sizeof disp, "0x%x", v);
    }
    if (!havebase && !haveindex && !d->code32)
        d->used_ad = 0;         /* objdump keeps "addr32" on a bare disp32 */
    if (regs_shown) {
        char *p = regs;
        p += sprintf(p, "(");
        if (havebase)
            p += sprintf(p, "%%%s", reg32[base]);
        if (haveindex || eiz)
            sprintf(p, ",%%%s,%d)", haveindex ? reg32[index] : "eiz", 1 << scale);
        else
            sprintf(p, ")");
    }
    snprintf(out, 63, "%s%s%s", seg_prefix(d), disp, regs);
}

/* The r/m operand as a register of `size` bytes or memory. */
static void rm_operand(D *d, char *out, int size)
{
    read_modrm(d);
    const char *star = d->is_jump ? "*" : "";
    if (d->mod == 3) {
        const char *const *r = size == 1 ? reg8 : size == 2 ? reg16 : reg32;
        snprintf(out, 64, "%s%%%s", star, r[d->rm]);
    } else {
        out[0] = *star;
        mem_operand(d, out + (*star != 0));
    }
}

static int opsize(D *d)
{
    d->used_op = 1;
    return d->op32 ? 4 : 2;
}

/* ---- Operands ------------------------------------------------------------------- */

/* A branch target as objdump computes it: rel8 targets are not wrapped; a
 * 16-bit rel16 wraps within the 64 KiB of its address, and one with a
 * data16 prefix wraps to the first 64 KiB. */
static uint32_t branch_target(D *d, uint32_t rel, int size)
{
    uint32_t next = d->eip + d->pos, t = next + rel;
    if (size != 2)
        return t;
    return (t & 0xffff) | (d->code32 ? 0 : next & ~0xffffu);
}

/* Print one operand of kind k into the next slot. */
static void operand(D *d, int k, int opcode)
{
    char *o;
    uint32_t v, w;
    int sz;
    if (k == O_ONE)
        return;
    o = next_op(d);
    switch (k) {
    case O_Eb: rm_operand(d, o, 1); break;
    case O_Ev: rm_operand(d, o, opsize(d)); break;
    case O_Ew: rm_operand(d, o, 2); break;
    case O_Rd: read_modrm(d); put(o, "%%%s", reg32[d->rm]); break;
    case O_Rv_Mw: read_modrm(d); rm_operand(d, o, d->mod == 3 ? opsize(d) : 2); break;
    case O_M: case O_Mp:
        read_modrm(d);
        if (d->mod == 3)
            d->invalid = 1;
        rm_operand(d, o, 4);
        if (k == O_Mp)
            d->used_op = 1;
        break;
    case O_Gb: read_modrm(d); put(o, "%%%s", reg8[d->reg]); break;
    case O_Gv: read_modrm(d); put(o, "%%%s", opsize(d) == 4 ? reg32[d->reg] : reg16[d->reg]); break;
    case O_Gw: read_modrm(d); put(o, "%%%s", reg16[d->reg]); break;
    case O_Sw:
        read_modrm(d);
        put(o, "%%%s", sreg[d->reg]);  /* 6, 7: objdump prints %? */
        break;
    case O_Cd: read_modrm(d); put(o, "%%cr%d", d->reg); break;
    case O_Dd: read_modrm(d); put(o, "%%db%d", d->reg); break;
    case O_Ib: fetch(d, 1, &v); put(o, "$0x%x", v); break;
    case O_Iw: fetch(d, 2, &v); put(o, "$0x%x", v); break;
    case O_Iv: fetch(d, opsize(d), &v); put(o, "$0x%x", v); break;
    case O_Ibs:
        v = fetch_s8(d);
        put(o, "$0x%x", opsize(d) == 4 ? v : v & 0xffff);
        break;
    case O_Jb: v = fetch_s8(d); put(o, "0x%x", branch_target(d, v, 1)); break;
    case O_Jv:
        sz = opsize(d);
        fetch(d, sz, &v);
        if (sz == 2)
            v = (uint32_t)(int32_t)(int16_t)v;
        put(o, "0x%x", branch_target(d, v, sz));
        break;
    case O_Ap:
        fetch(d, opsize(d), &v);
        fetch(d, 2, &w);
        put(o, "$0x%x,$0x%x", w, v);
        break;
    case O_Ob: case O_Ov:               /* objdump still prints addr16 */
        fetch(d, d->ad32 ? 4 : 2, &v);
        put(o, "%s0x%x", seg_prefix(d), v);
        break;
    case O_Zb: put(o, "%%%s", reg8[opcode & 7]); break;
    case O_Zv: put(o, "%%%s", opsize(d) == 4 ? reg32[opcode & 7] : reg16[opcode & 7]); break;
    case O_AL: put(o, "%%al"); break;
    case O_eAX: put(o, "%%%s", opsize(d) == 4 ? "eax" : "ax"); break;
    case O_CL: put(o, "%%cl"); break;
    case O_DX: put(o, "(%%dx)"); break;
    case O_Xb: case O_Xv: case O_XLAT:
        d->used_ad = 1;
        if (k == O_Xv)
            d->used_op = 1;
        put(o, "%s(%%%s)", d->seg >= 0 ? seg_prefix(d) : "%ds:",
            k == O_XLAT ? (d->ad32 ? "ebx" : "bx") : (d->ad32 ? "esi" : "si"));
        break;
    case O_Yb: case O_Yv:
        d->used_ad = 1;
        if (k == O_Yv)
            d->used_op = 1;
        put(o, "%%es:(%%%s)", d->ad32 ? "edi" : "di");
        break;
    default:
        put(o, "%%%s", sreg[k - O_ES]);
        break;
    }
}

/* ---- x87 (D8-DF) ---------------------------------------------------------------- */

static const char *const fpu_mem[8][8] = {
    { "fadds", "fmuls", "fcoms", "fcomps", "fsubs", "fsubrs", "fdivs", "fdivrs" },
    { "flds", "(bad)", "fsts", "fstps", "fldenv", "fldcw", "fnstenv", "fnstcw" },
    { "fiaddl", "fimull", "ficoml", "ficompl", "fisubl", "fisubrl", "fidivl", "fidivrl" },
    { "fildl", "fisttpl", "fistl", "fistpl", "(bad)", "fldt", "(bad)", "fstpt" },
    { "faddl", "fmull", "fcoml", "fcompl", "fsubl", "fsubrl", "fdivl", "fdivrl" },
    { "fldl", "fisttpll", "fstl", "fstpl", "frstor", "(bad)", "fnsave", "fnstsw" },
    { "fiadds", "fimuls", "ficoms", "ficomps", "fisubs", "fisubrs", "fidivs", "fidivrs" },
    { "filds", "fisttps", "fists", "fistps", "fbld", "fildll", "fbstp", "fistpll" },
};

/* Register forms by opcode and reg field; a NULL row entry is decided by
 * the whole ModRM byte (fpu_special).  Operand shapes: */
enum { F_BAD, F_STI_ST, F_ST_STI, F_STI, F_SPECIAL };
typedef struct { const char *name; uint8_t form; } FpuReg;

static const FpuReg fpu_reg[8][8] = {
    { { "fadd", F_STI_ST }, { "fmul", F_STI_ST }, { "fcom", F_STI }, { "fcomp", F_STI },
      { "fsub", F_STI_ST }, { "fsubr", F_STI_ST }, { "fdiv", F_STI_ST }, { "fdivr", F_STI_ST } },
    { { "fld", F_STI }, { "fxch", F_STI }, { 0, F_SPECIAL }, { 0, F_BAD },
      { 0, F_SPECIAL }, { 0, F_SPECIAL }, { 0, F_SPECIAL }, { 0, F_SPECIAL } },
    { { "fcmovb", F_STI_ST }, { "fcmove", F_STI_ST }, { "fcmovbe", F_STI_ST }, { "fcmovu", F_STI_ST },
      { 0, F_BAD }, { 0, F_SPECIAL }, { 0, F_BAD }, { 0, F_BAD } },
    { { "fcmovnb", F_STI_ST }, { "fcmovne", F_STI_ST }, { "fcmovnbe", F_STI_ST }, { "fcmovnu", F_STI_ST },
      { 0, F_SPECIAL }, { "fucomi", F_STI_ST }, { "fcomi", F_STI_ST }, { 0, F_BAD } },
    { { "fadd", F_ST_STI }, { "fmul", F_ST_STI }, { 0, F_BAD }, { 0, F_BAD },
      { "fsub", F_ST_STI }, { "fsubr", F_ST_STI }, { "fdiv", F_ST_STI }, { "fdivr", F_ST_STI } },
    { { "ffree", F_STI }, { 0, F_BAD }, { "fst", F_STI }, { "fstp", F_STI },
      { "fucom", F_STI }, { "fucomp", F_STI }, { 0, F_BAD }, { 0, F_BAD } },
    { { "faddp", F_ST_STI }, { "fmulp", F_ST_STI }, { 0, F_BAD }, { 0, F_SPECIAL },
      { "fsubp", F_ST_STI }, { "fsubrp", F_ST_STI }, { "fdivp", F_ST_STI }, { "fdivrp", F_ST_STI } },
    { { "ffreep", F_STI }, { 0, F_BAD }, { 0, F_BAD }, { 0, F_BAD },
      { 0, F_SPECIAL }, { "fucomip", F_STI_ST }, { "fcomip", F_STI_ST }, { 0, F_BAD } },
};

/* The register forms named by their whole ModRM byte. */
static const char *fpu_special(int op, int modrm)
{
    static const char *const d9e0[32] = {
        "fchs", "fabs", NULL, NULL, "ftst", "fxam", NULL, NULL,
        "fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", NULL,
        "f2xm1", "fyl2x", "fptan", "fpatan", "fxtract", "fprem1", "fdecstp", "fincstp",
        "fprem", "fyl2xp1", "fsqrt", "fsincos", "frndint", "fscale", "fsin", "fcos",
    };
    static const char *const dbe0[8] = { "fneni(8087 only)", "fndisi(8087 only)", "fnclex",
                                         "fninit", "fnsetpm(287 only)", "frstpm(287 only)", NULL, NULL };
    switch (op) {
    case 0xd9: return modrm == 0xd0 ? "fnop" : modrm >= 0xe0 ? d9e0[modrm - 0xe0] : NULL;
    case 0xda: return modrm == 0xe9 ? "fucompp" : NULL;
    case 0xdb: return dbe0[modrm & 7];
    case 0xde: return modrm == 0xd9 ? "fcompp" : NULL;
    case 0xdf: return modrm == 0xe0 ? "fnstsw" : NULL;
    }
    return NULL;
}

/* An x87 instruction: returns its mnemonic, operands into d. */
static const char *disas_fpu(D *d, int op)
{
    read_modrm(d);
    if (d->mod != 3) {
        rm_operand(d, next_op(d), 4);
        if ((op == 0xd9 || op == 0xdd) && (d->reg == 4 || d->reg == 6) && d->op32 != d->code32) {
            /* the environment's 16- or 32-bit layout: fldenvs, fnsavel... */
            d->used_op = 1;
            snprintf(d->fpu_name, sizeof d->fpu_name, "%s%c", fpu_mem[op - 0xd8][d->reg],
                     d->op32 ? 'l' : 's');
            return d->fpu_name;
        }
        return fpu_mem[op - 0xd8][d->reg];
    }
    const FpuReg *f = &fpu_reg[op - 0xd8][d->reg];
    switch (f->form) {
    case F_STI_ST:
        put(next_op(d), "%%st");
        put(next_op(d), "%%st(%d)", d->rm);
        return f->name;
    case F_ST_STI:
        put(next_op(d), "%%st(%d)", d->rm);
        put(next_op(d), "%%st");
        return f->name;
    case F_STI:
        put(next_op(d), "%%st(%d)", d->rm);
        return f->name;
    case F_SPECIAL: {
        const char *n = fpu_special(op, 0xc0 | d->reg << 3 | d->rm);
        if (n && op == 0xdf)
            put(next_op(d), "%%ax");
        return n ? n : "(bad)";
    }
    }
    return "(bad)";
}

/* FWAIT followed by an x87 instruction is one instruction to objdump: the
 * "wait" form of a control instruction (FSTCW rather than FNSTCW), any
 * other unchanged.  name is the x87 instruction's. */
static const char *fwait_form(const char *name, char *buf, size_t n)
{
    if (strncmp(name, "fn", 2) != 0 || strcmp(name, "fnop") == 0)
        return name;
    snprintf(buf, n, "f%s", name + 2);
    return buf;
}

/* ---- Groups --------------------------------------------------------------------- */

/* The name of a group opcode (two_byte: 0F xx) from its reg field; may
 * change the operands (op, a copy of the table row). */
static const char *group_name(D *d, int two_byte, int opc, Op *op)
{
    static const char *const grp3[8] = { "test", "test", "not", "neg", "mul", "imul", "div", "idiv" };
    static const char *const grp5[8] = { "inc", "dec", "call", "lcall", "jmp", "ljmp", "push", NULL };
    static const char *const grp6[8] = { "sldt", "str", "lldt", "ltr", "verr", "verw", NULL, NULL };
    static const char *const grp7[8] = { "sgdt", "sidt", "lgdt", "lidt", "smsw", NULL, "lmsw", "invlpg" };
    read_modrm(d);
    int r = d->reg;
    if (!two_byte) {
        switch (opc) {
        case 0x80: case 0x81: case 0x82: case 0x83: return grp1[r];
        case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: return grp2[r];
        case 0x8f:
            op->sfx = SX_DATA_MEM;
            return r == 0 ? "pop" : NULL;
        case 0xc6: case 0xc7: return r == 0 ? "mov" : NULL;
        case 0xf6: case 0xf7:
            if (r < 2)
                op->op[1] = opc == 0xf6 ? O_Ib : O_Iv;
            return grp3[r];
        case 0xfe: return r < 2 ? grp5[r] : NULL;
        case 0xff:
            if (r == 3 || r == 5)
                op->op[0] = O_Mp;
            if ((r == 2 || r == 4) && d->seg == S_DS) {
                d->notrack = 1;         /* CET's name for DS on an indirect branch */
                d->seg = S_NONE;
                d->used_seg = 1;
            }
            if (r >= 2 && r <= 6) {
                op->sfx = SX_DATA_MEM;
                d->is_jump = r < 6;
            }
            return grp5[r];
        }
        return NULL;
    }
    switch (opc) {
    case 0x00:
        op->op[0] = r < 2 ? O_Rv_Mw : O_Ew;
        return grp6[r];
    case 0x01:
        if (r == 4 || r == 6) {
            op->op[0] = r == 4 ? O_Rv_Mw : O_Ew;
            return grp7[r];
        }
        if (d->mod == 3)
            return NULL;
        op->op[0] = O_M;
        if (r < 4)
            op->sfx = SX_ALWAYS;
        return grp7[r];
    case 0xba: return grp8[r];
    case 0xae: {
        static const char *const fence[3] = { "lfence", "mfence", "sfence" };
        if (d->mod == 3 && r >= 5) {
            op->op[0] = O_NONE;
            return fence[r - 5];
        }
        if (d->mod == 3 || r > 1)
            return NULL;        /* the SSE ones vm does not translate */
        return r == 0 ? "fxsave" : "fxrstor";
    }
    case 0xc7:
        op->op[0] = O_M;
        return r == 1 ? "cmpxchg8b" : NULL;
    }
    return NULL;
}

/* ---- The instruction ------------------------------------------------------------ */

/* Prefixes into d; returns the first opcode byte or -1 at the end of input. */
static int read_prefixes(D *d)
{
    uint32_t b;
    for (;;) {
        if (!fetch(d, 1, &b))
            return -1;
        if (b == 0x9b) {
            /* FWAIT is a prefix to objdump until a prefix has followed it */
            if (d->fwait && d->npfx > d->fwait_npfx)
                return b;
            d->fwait = 1;
            d->fwait_npfx = d->npfx;
            continue;
        }
        switch (b) {
        case 0x26: case 0x2e: case 0x36: case 0x3e: d->seg = (b >> 3) & 3; break;
        case 0x64: case 0x65: d->seg = S_FS + (b & 1); break;
        case 0x66: d->op32 = !d->code32; break;
        case 0x67: d->ad32 = !d->code32; break;
        case 0xf0: d->lock = 1; break;
        case 0xf2: case 0xf3: d->rep = b; break;
        default: return b;
        }
        if (d->npfx == (int)sizeof d->pfx)
            return b;
        d->pfx[d->npfx++] = b;
    }
}

/* The suffix letter for rule sx, or 0. */
static int suffix(D *d, const Op *op)
{
    int size = op->op[0] == O_Eb || op->op[1] == O_Eb ? 1 : op->op[0] == O_Ew ? 2 : d->op32 ? 4 : 2;
    switch (op->sfx) {
    case SX_MEM:
        if (!d->has_modrm || d->mod == 3)
            return 0;
        return size == 1 ? 'b' : size == 2 ? 'w' : 'l';
    case SX_DATA_MEM:
        if (d->mod == 3)
            return 0;
        /* fall through */
    case SX_DATA:
        d->used_op = 1;
        return d->op32 == d->code32 ? 0 : d->op32 ? 'l' : 'w';
    case SX_ALWAYS:
        d->used_op = 1;
        return d->op32 ? 'l' : 'w';
    }
    return 0;
}

/* The mnemonic of opcode opc (0x100 | xx for 0F xx) with its operands into d. */
static const char *decode_op(D *d, int opc, char *name, size_t n)
{
    Op op;
    const char *base;
    if (opc >= 0xd8 && opc <= 0xdf)
        return disas_fpu(d, opc);
    if (opc >= 0x70 && opc <= 0x7f) {
        op = (Op){ NULL, 0, { O_Jb } };
        snprintf(name, n, "j%s", cc[opc & 15]);
    } else if (opc >= 0x180 && opc <= 0x18f) {
        op = (Op){ NULL, 0, { O_Jv } };
        snprintf(name, n, "j%s", cc[opc & 15]);
    } else if (opc >= 0x190 && opc <= 0x19f) {
        op = (Op){ NULL, 0, { O_Eb } };
        snprintf(name, n, "set%s", cc[opc & 15]);
    } else if (opc >= 0x140 && opc <= 0x14f) {
        op = (Op){ NULL, 0, { O_Gv, O_Ev } };
        snprintf(name, n, "cmov%s", cc[opc & 15]);
    } else {
        op = opc & 0x100 ? op2[opc & 0xff] : op1[opc];
        if (!op.name)
            return NULL;
        base = op.name;
        if (strcmp(base, "*") == 0) {
            base = group_name(d, opc >> 8, opc & 0xff, &op);
            if (!base)
                return NULL;
        } else if (strcmp(base, "*cbw") == 0) {
            base = opsize(d) == 4 ? "cwtl" : "cbtw";
        } else if (strcmp(base, "*cwd") == 0) {
            base = opsize(d) == 4 ? "cltd" : "cwtd";
        } else if (strcmp(base, "*jcxz") == 0) {
            d->used_ad = 1;
            base = d->ad32 ? "jecxz" : "jcxz";
        } else if (base[0] == '*') {  /* movzx/movsx: source and dest size */
            snprintf(name, n, "%s%c", base + 1, opsize(d) == 4 ? 'l' : 'w');
            base = NULL;
        }
        if (base)
            snprintf(name, n, "%s", base);
    }
    if (opc >= 0xe0 && opc <= 0xe2 && d->ad32 != d->code32) {
        d->used_ad = 1;                 /* loop with an address-size prefix */
        strncat(name, d->ad32 ? "l" : "w", n - strlen(name) - 1);
    }
    /* ins, outs, movs, stos, lods: "rep"; cmps, scas: "repz" */
    d->is_str = (opc >= 0x6c && opc <= 0x6f) || opc == 0xa4 || opc == 0xa5 ||
                (opc >= 0xaa && opc <= 0xad);
    for (int i = 0; i < 3 && op.op[i]; i++)
        operand(d, op.op[i], opc & 0xff);
    if (opc == 0xc8) {                  /* objdump prints ENTER in Intel order */
        char t[64];
        memcpy(t, d->ops[0], sizeof t);
        memcpy(d->ops[0], d->ops[1], sizeof t);
        memcpy(d->ops[1], t, sizeof t);
    }
    int s = suffix(d, &op);
    if (s) {
        size_t l = strlen(name);
        if (l + 1 < n) {
            name[l] = (char)s;
            name[l + 1] = 0;
        }
    }
    return name;
}

/* Can F2/F3 be XACQUIRE/XRELEASE on this locked instruction (opcode opc,
 * 0x100 | xx for 0F xx)?  The read-modify-write ones LOCK allows. */
static int hle_lockable(const D *d, int opc)
{
    int r = d->reg;
    if (!d->has_modrm || d->mod == 3)
        return 0;
    if (opc < 0x40)
        return (opc & 7) < 2 && (opc >> 3) != 7;
    switch (opc) {
    case 0x80: case 0x81: case 0x82: case 0x83: return r != 7;
    case 0x86: case 0x87: return 1;
    case 0xf6: case 0xf7: return r == 2 || r == 3;
    case 0xfe: case 0xff: return r < 2;
    case 0x1ab: case 0x1b3: case 0x1bb: case 0x1b0: case 0x1b1: case 0x1c0: case 0x1c1:
        return 1;
    case 0x1ba: return r >= 5;
    case 0x1c7: return r == 1;
    }
    return 0;
}

/* objdump's name for a REP prefix that is a lock elision hint: F2/F3 on
 * XCHG with memory or on a locked instruction, F3 on a store by MOV. */
static const char *hle_name(const D *d, int b)
{
    int opc = d->opc;
    if (!d->has_modrm || d->mod == 3)
        return NULL;
    if ((d->lock && hle_lockable(d, opc)) || opc == 0x86 || opc == 0x87)
        return b == 0xf2 ? "xacquire" : "xrelease";
    if (b == 0xf3 && (opc == 0x88 || opc == 0x89 || opc == 0xc6 || opc == 0xc7))
        return "xrelease";
    return NULL;
}

/* The name objdump gives prefix byte i (one the instruction did not use,
 * or LOCK/REP).  Of the F2s and of the F3s only the last one of each can
 * take a special name (rep, bnd, xacquire...); the others are plain. */
static const char *prefix_name(const D *d, int i)
{
    const char *hle;
    int o = d->opc, b = d->pfx[i];
    if (b == 0xf2 || b == 0xf3)
        for (int j = i + 1; j < d->npfx; j++)
            if (d->pfx[j] == b)
                return b == 0xf2 ? "repnz" : "repz";
    if (b == 0xf2 && ((o >= 0x70 && o <= 0x7f) || (o >= 0x180 && o <= 0x18f) || o == 0xc2 ||
                      o == 0xc3 || o == 0xe8 || o == 0xe9 || o == 0xeb ||
                      (o == 0xff && (d->reg == 2 || d->reg == 4))))
        return "bnd";               /* MPX's name for F2 on a branch */
    if ((b == 0xf2 || b == 0xf3) && (hle = hle_name(d, b)) != NULL)
        return hle;
    switch (b) {
    case 0x26: return "es";
    case 0x2e: return "cs";
    case 0x36: return "ss";
    case 0x3e: return "ds";
    case 0x64: return "fs";
    case 0x65: return "gs";
    case 0x66: return d->code32 ? "data16" : "data32";
    case 0x67: return d->code32 ? "addr16" : "addr32";
    case 0xf0: return "lock";
    case 0xf2: return "repnz";
    case 0xf3: return d->is_str ? "rep" : "repz";
    }
    return "?";
}

/* Is prefix byte i one the instruction used (not printed)?  Only the last
 * prefix of each kind takes effect; earlier repeats are printed. */
static int prefix_used(const D *d, int i)
{
    int b = d->pfx[i], kind;
    kind = (b == 0x66) ? 1 : (b == 0x67) ? 2 : (b == 0xf0 || b == 0xf2 || b == 0xf3) ? 3 : 0;
    for (int j = i + 1; j < d->npfx; j++) {
        int k = d->pfx[j];
        int kj = (k == 0x66) ? 1 : (k == 0x67) ? 2 : (k == 0xf0 || k == 0xf2 || k == 0xf3) ? 3 : 0;
        if (kj == kind && (kind != 3 || (k == 0xf0) == (b == 0xf0)))
            return 0;
    }
    switch (kind) {
    case 0: return d->used_seg;
    case 1: return d->used_op;
    case 2: return d->used_ad;
    }
    return 0;
}

/* Forget the last prefix byte b (folded into the opcode). */
static void drop_prefix(D *d, int b)
{
    for (int i = d->npfx - 1; i >= 0; i--)
        if (d->pfx[i] == b) {
            memmove(d->pfx + i, d->pfx + i + 1, (size_t)(d->npfx - i - 1));
            d->npfx--;
            return;
        }
}

/* One instruction into out; the contract is in vm.h. */
int disas_insn(const uint8_t *bytes, int avail, uint32_t eip, int code32, char *out, size_t outlen)
{
    D d;
    char name[32] = "";
    memset(&d, 0, sizeof d);
    d.b = bytes;
    d.avail = avail;
    d.eip = eip;
    d.code32 = d.op32 = d.ad32 = code32 != 0;
    d.seg = S_NONE;

    int opc = read_prefixes(&d), full = opc;
    const char *mn = NULL;
    if (d.fwait && opc >= 0xd8 && opc <= 0xdf) {
        mn = fwait_form(decode_op(&d, opc, name, sizeof name), name, sizeof name);
    } else if (d.fwait) {
        mn = "fwait";                   /* with the prefixes before opc */
        full = 0x9b;
        if (opc >= 0)
            d.pos--;
        d.bad = 0;
    } else if (opc == 0x0f) {
        uint32_t b2;
        if (fetch(&d, 1, &b2)) {
            full = 0x100 | (int)b2;
            mn = decode_op(&d, full, name, sizeof name);
        }
    } else if (opc == 0x90 && d.rep == 0xf3) {
        mn = "pause";                   /* f3 90 is one instruction */
        drop_prefix(&d, 0xf3);
    } else if (opc == 0x90 && d.op32 != d.code32) {
        mn = "xchg";
        d.used_op = 1;
        put(next_op(&d), "%%%s", d.op32 ? "eax" : "ax");
        put(next_op(&d), "%%%s", d.op32 ? "eax" : "ax");
    } else if (opc >= 0) {
        mn = decode_op(&d, opc, name, sizeof name);
    }
    if (d.bad) {
        snprintf(out, outlen, "(bad)");
        return -1;
    }
    if (d.invalid || !mn) {
        /* objdump skips the prefixes and the opcode, not the ModRM byte */
        mn = "(bad)";
        d.nops = d.used_op = d.used_ad = d.used_seg = d.has_modrm = 0;
        d.pos = d.npfx + (opc == 0x0f ? 2 : 1);
    }
    d.opc = full;
    int jcc = (full >= 0x70 && full <= 0x7f) || (full >= 0x180 && full <= 0x18f) ||
              (full >= 0xe0 && full <= 0xe3);
    int has_cs = memchr(d.pfx, 0x2e, (size_t)d.npfx) != NULL;
    int has_ds = memchr(d.pfx, 0x3e, (size_t)d.npfx) != NULL;
    if (jcc && has_cs != has_ds) {
        /* branch hints, CS not taken, DS taken: objdump then counts the
         * last segment prefix as used, whichever it is */
        strncat(name, has_cs ? ",pn" : ",pt", sizeof name - strlen(name) - 1);
        d.used_seg = 1;
    }

    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < d.npfx; i++) {
        int b = d.pfx[i];
        const char *pn = prefix_name(&d, i);
        if (d.notrack && b == 0x3e && prefix_used(&d, i))
            pn = "notrack";             /* the DS that took effect, in its place */
        else if (b != 0xf0 && b != 0xf2 && b != 0xf3 && prefix_used(&d, i))
            continue;
        len += (size_t)snprintf(out + len, len < outlen ? outlen - len : 0, "%s ", pn);
    }
    if (len >= outlen)
        return d.pos;
    if (d.nops == 0)
        snprintf(out + len, outlen - len, "%s", mn);
    else {
        len += (size_t)snprintf(out + len, outlen - len, "%-6s ", mn);
        for (int i = d.nops - 1; i >= 0 && len < outlen; i--)
            len += (size_t)snprintf(out + len, outlen - len, "%s%s", d.ops[i], i ? "," : "");
    }
    return d.pos;
}
