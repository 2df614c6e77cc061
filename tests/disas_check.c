/*
 * disas_check.c - host side of tests/disas.sh: checks disas.c against
 * objdump.  objdump sweeps a file of guest code linearly; at each address
 * where it found an instruction, disas.c must find one of the same length
 * and print the same text.  It also writes a file of test instructions:
 * every opcode vm translates, with each ModRM/SIB form and prefix.
 * Single-threaded.
 *   objdump ... | disas_check check 16|32 FILE VMA   compare (see check())
 *   disas_check gen FILE                             write the instructions
 *   disas_check random FILE                          write 256 KiB of noise
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm.h"

static uint8_t buf[1 << 22];

static int op_in_map2(int op);

static int is_prefix(int b)
{
    return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 ||
           b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3;
}

/* Does objdump decode these bytes differently from disas.c by design?
 * Checked on every instruction objdump finds, and the generator leaves
 * them out.  Each class with its reason:
 *   - 0F xx opcodes vm does not translate (SSE, MMX, 3DNow!, SYSCALL...):
 *     the guest gets #UD; disas.c has no tables for them;
 *   - 0F 01 /5 and its register forms but SMSW/LMSW (VMX, SMAP, XSETBV...),
 *     0F AE but FXSAVE/FXRSTOR, 0F C7 but CMPXCHG8B (RDRAND, VMPTRLD...):
 *     the same;
 *   - F2/F3/66 before 0F 09 and F2/F3 before 0F BC/BD: objdump decodes the
 *     later WBNOINVD, TZCNT and LZCNT, which a 386..P6 (and vm) ignores;
 *   - FWAIT among other prefixes or FWAITs: objdump takes it for a prefix
 *     in some orders and for an instruction in others, which no assembler
 *     emits (FWAIT alone, and before an x87 instruction, are checked);
 *   - C6 F8 and C7 F8: TSX's XABORT and XBEGIN to objdump, #UD to a P6;
 *   - LOCK MOV CRn: AMD's way to reach CR8, which a 386..P6 lacks;
 *   - C4, C5 and 62 with a register operand, 8F with reg != 0: VEX, EVEX
 *     and XOP prefixes to objdump; #UD (LES/LDS/BOUND/POP) to a 386. */
static int differs_by_design(const uint8_t *b, int n)
{
    int i = 0, rep = 0, data = 0, lock = 0, fwait = 0;
    while (i < n && (is_prefix(b[i]) || b[i] == 0x9b)) {
        fwait += b[i] == 0x9b;
        rep |= b[i] == 0xf2 || b[i] == 0xf3;
        data |= b[i] == 0x66;
        lock |= b[i] == 0xf0;
        i++;
    }
    if (fwait && i > 1)
        return 1;
    if (i + 1 >= n)
        return 0;
    int op = b[i], m = b[i + 1], reg = (m >> 3) & 7, regform = m >= 0xc0;
    if (op == 0x62 || op == 0xc4 || op == 0xc5)
        return regform;
    if (op == 0x8f)
        return reg != 0;
    if (op == 0xc6 || op == 0xc7)
        return m == 0xf8;
    if (op != 0x0f)
        return 0;
    if (i + 2 >= n)
        return 0;
    op = m;
    m = b[i + 2];
    reg = (m >> 3) & 7;
    regform = m >= 0xc0;
    if (!op_in_map2(op))
        return 1;
    switch (op) {
    case 0x01: return reg == 5 || (regform && reg != 4 && reg != 6);
    case 0xae: return regform ? reg < 5 || (m & 7) != 0 : reg > 1;   /* fences: their canonical forms */
    case 0xc7: return regform || reg != 1;
    case 0x09: return rep || data;
    case 0xbc: case 0xbd: return rep;
    case 0x20: case 0x22: return lock;
    }
    return 0;
}

/* Check disas.c against objdump's lines "ADDR LEN TEXT" on stdin (its
 * addresses, lengths and text, whitespace normalized) for the code in
 * FILE loaded at VMA: at each address objdump decoded, disas.c must find
 * the same length and text.  Prints the first differences; returns 1 if
 * there were any. */
static int check(int code32, const char *path, uint32_t vma)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "disas_check: cannot open %s\n", path);
        return 2;
    }
    int n = (int)fread(buf, 1, sizeof buf, f);
    fclose(f);
    char line[256], text[128], norm[128];
    int lines = 0, skipped = 0, bad = 0;
    while (fgets(line, sizeof line, stdin)) {
        unsigned addr;
        int len, off;
        if (sscanf(line, "%x %d %n", &addr, &len, &off) < 2)
            continue;
        line[strcspn(line, "\n")] = 0;
        int pos = (int)(addr - vma);
        if (pos < 0 || pos >= n)
            continue;
        lines++;
        int mylen = disas_insn(buf + pos, n - pos, addr, code32, text, sizeof text);
        if (mylen < 0 || differs_by_design(buf + pos, n - pos)) {
            skipped++;          /* cut off by the end of the file, or above */
            continue;
        }
        /* whitespace as objdump's after normalizing: single spaces */
        int j = 0;
        for (int k = 0; text[k] && j < (int)sizeof norm - 1; k++)
            if (text[k] != ' ' || (j > 0 && norm[j - 1] != ' '))
                norm[j++] = text[k];
        while (j > 0 && norm[j - 1] == ' ')
            j--;
        norm[j] = 0;
        if (mylen != len || strcmp(norm, line + off) != 0) {
            if (bad++ < 10)
                printf("%s %x: objdump: %d \"%s\"  disas.c: %d \"%s\"\n", path, addr, len,
                       line + off, mylen, norm);
        }
    }
    printf("%s: %d instructions, %d skipped, %d differ\n", path, lines, skipped, bad);
    return bad != 0 || lines == 0;
}

/* ModRM forms each ModRM opcode is tried with: registers, every 16- or
 * 32-bit addressing form, SIB with and without index and base. */
static const uint8_t modrm_forms[][7] = {
    { 1, 0xc1 }, { 1, 0xfa }, { 1, 0x00 }, { 1, 0x1f }, { 1, 0x0e }, { 3, 0x46, 0x80 },
    { 3, 0x5d, 0x7f }, { 5, 0x86, 0x34, 0x92 }, { 2, 0x04, 0x24 }, { 3, 0x44, 0x8d, 0xf8 },
    { 6, 0x05, 0x78, 0x56, 0x34, 0x12 }, { 6, 0x04, 0xb5, 0x00, 0x10, 0x00, 0x00 },
    { 3, 0x14, 0x2d, 0x00 }, { 3, 0x44, 0x23, 0x00 }, { 7, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12 },
    { 7, 0x04, 0x65, 0x78, 0x56, 0x34, 0x12 }, { 3, 0x0c, 0x64, 0x00 },
};

static uint8_t *out_p;
static void emit(const uint8_t *b, int n) { memcpy(out_p, b, (size_t)n); out_p += n; }
/* Immediate filler: enough for any immediate (a far pointer's 6 bytes).
 * NOPs, so that what the instruction does not take decodes as NOPs and
 * the sweep starts the next instruction where both tools expect it. */
static void imm(void) { emit((const uint8_t *)"\x90\x90\x90\x90\x90\x90", 6); }

/* Opcodes with a ModRM byte in the one- and two-byte maps (the generator
 * tries every ModRM form with them). */
static int has_modrm1(int op)
{
    return (op < 0x40 && (op & 7) < 4) || op == 0x62 || op == 0x63 || op == 0x69 || op == 0x6b ||
           (op >= 0x80 && op <= 0x8f) || op == 0xc0 || op == 0xc1 || op == 0xc4 || op == 0xc5 ||
           op == 0xc6 || op == 0xc7 || (op >= 0xd0 && op <= 0xd3) || (op >= 0xd8 && op <= 0xdf) ||
           op == 0xf6 || op == 0xf7 || op == 0xfe || op == 0xff;
}

/* The two-byte opcodes vm translates. */
static int op_in_map2(int op)
{
    return op <= 0x03 || op == 0x06 || op == 0x08 || op == 0x09 || op == 0x0b || op == 0x1f ||
           (op >= 0x20 && op <= 0x23) || (op >= 0x30 && op <= 0x35) || (op >= 0x40 && op <= 0x4f) ||
           (op >= 0x80 && op <= 0xa5) || (op >= 0xa8 && op <= 0xb7) || (op >= 0xba && op <= 0xc1) ||
           op == 0xc7 || (op >= 0xc8 && op <= 0xcf);
}

static int has_modrm2(int op)
{
    return op <= 0x03 || op == 0x1f || (op >= 0x20 && op <= 0x23) || (op >= 0x40 && op <= 0x4f) ||
           (op >= 0x90 && op <= 0x9f) || (op >= 0xa3 && op <= 0xa5) || (op >= 0xab && op <= 0xaf) ||
           (op >= 0xb0 && op <= 0xb7) || (op >= 0xba && op <= 0xbf) || op == 0xc0 || op == 0xc1 ||
           op == 0xc7;
}

/* One opcode (op, or 0F op when two_byte) after prefix pfx (length-prefixed),
 * with every ModRM form and reg field when it has a ModRM byte. */
static void gen_op(const uint8_t *pfx, int two_byte, int op, int modrm)
{
    int forms = modrm ? (int)(sizeof modrm_forms / sizeof modrm_forms[0]) : 1;
    for (int m = 0; m < forms; m++) {
        /* every reg field with the first forms, one with the others */
        for (int r = m < 3 ? 0 : m % 8; r < (modrm && m < 3 ? 8 : m % 8 + 1); r++) {
            uint8_t insn[16], *p = insn;
            memcpy(p, pfx + 1, pfx[0]);
            p += pfx[0];
            if (two_byte)
                *p++ = 0x0f;
            *p++ = (uint8_t)op;
            if (modrm) {
                *p++ = (uint8_t)((modrm_forms[m][1] & 0xc7) | r << 3);
                memcpy(p, modrm_forms[m] + 2, (size_t)modrm_forms[m][0] - 1);
                p += modrm_forms[m][0] - 1;
            }
            if (differs_by_design(insn, (int)(p - insn)))
                continue;
            emit(insn, (int)(p - insn));
            imm();
        }
    }
}
/* Is op a prefix byte, or an opcode vm does not translate? */
static int skip1(int op)
{
    return op == 0x0f || op == 0x26 || op == 0x2e || op == 0x36 || op == 0x3e || op == 0x64 ||
           op == 0x65 || op == 0x66 || op == 0x67 || op == 0xf0 || op == 0xf2 || op == 0xf3 ||
           op == 0xd6;
}

static int gen(const char *path)
{
    static const uint8_t prefixes[][3] = { { 0 }, { 1, 0x66 }, { 1, 0x67 }, { 1, 0x26 },
                                           { 1, 0x64 }, { 1, 0xf3 }, { 1, 0xf2 }, { 2, 0x66, 0x67 },
                                           { 1, 0x2e }, { 1, 0x3e }, { 1, 0x36 }, { 1, 0xf0 },
                                           { 2, 0xf0, 0xf3 }, { 2, 0xf2, 0xf0 }, { 2, 0x26, 0x3e } };
    out_p = buf;
    for (unsigned p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
        for (int op = 0; op < 256; op++)
            if (!skip1(op))
                gen_op(prefixes[p], 0, op, has_modrm1(op));
        for (int op = 0; op < 256; op++)
            if (op_in_map2(op))
                gen_op(prefixes[p], 1, op, has_modrm2(op));
    }
    /* x87: every register form; FWAIT before x87 instructions */
    static const uint8_t waits[][3] = { { 0xd9, 0x38 }, { 0xd9, 0x30 }, { 0xdd, 0x38 }, { 0xdd, 0x30 },
                                        { 0xdb, 0xe2 }, { 0xdb, 0xe3 }, { 0xdf, 0xe0 }, { 0xd8, 0xc1 },
                                        { 0xd9, 0x28 }, { 0xd9, 0xd0 } };
    for (int op = 0xd8; op <= 0xdf; op++)
        for (int m = 0xc0; m <= 0xff; m++) {
            const uint8_t insn[2] = { (uint8_t)op, (uint8_t)m };
            emit(insn, 2);
        }
    for (unsigned i = 0; i < sizeof waits / sizeof waits[0]; i++) {
        const uint8_t insn[3] = { 0x9b, waits[i][0], waits[i][1] };
        emit(insn, 3);
        imm();
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, (size_t)(out_p - buf), f) != (size_t)(out_p - buf) || fclose(f)) {
        fprintf(stderr, "disas_check: cannot write %s\n", path);
        return 2;
    }
    return 0;
}

/* Pseudo-random bytes (a fixed LCG, so every run checks the same ones):
 * prefix combinations and operand forms nobody thought to generate. */
static int gen_random(const char *path)
{
    uint32_t x = 12345;
    int n = 256 * 1024;
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, (size_t)n, f) != (size_t)n || fclose(f)) {
        fprintf(stderr, "disas_check: cannot write %s\n", path);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "check") == 0)
        return check(atoi(argv[2]) == 32, argv[3], (uint32_t)strtoul(argv[4], NULL, 16));
    if (argc == 3 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2]);
    if (argc == 3 && strcmp(argv[1], "random") == 0)
        return gen_random(argv[2]);
    fprintf(stderr, "usage: disas_check check 16|32 FILE VMA <LINES | gen FILE | random FILE\n");
    return 2;
}
