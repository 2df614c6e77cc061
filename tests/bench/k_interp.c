/* k_interp.c - a bytecode interpreter: a switch in a loop dispatching the
 * instructions of a small stack machine (22 opcodes) that runs a program
 * computing a hash over nested loops (with calls, comparisons, a memory
 * array and conditional jumps).
 *
 * What it stresses: the indirect jump of the switch's jump table, taken
 * once per bytecode to one of many targets - the pattern of every
 * interpreter and the worst case for a binary translator, which must look
 * up the translated target of each indirect jump at run time (no block
 * chaining is possible).  Between dispatches there is only a little work:
 * loads and stores of the interpreter's stack in memory, decoding of
 * immediates from the bytecode.
 */
#include "bench.h"

const char bench_name[] = "interp";
const uint32_t bench_expect = 0x9566e696;

enum op {
    OP_HALT, OP_PUSH, OP_POP, OP_DUP, OP_SWAP, OP_OVER,
    OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_XOR, OP_SHL, OP_SHR,
    OP_LOAD, OP_STORE,                  /* local variables */
    OP_GET, OP_PUT,                     /* the memory array */
    OP_JMP, OP_JNZ, OP_JLT,             /* absolute targets */
    OP_CALL, OP_RET,
};

/* Encoding: one byte opcode; PUSH, LOAD, STORE, the jumps and CALL are
 * followed by a 16-bit little-endian operand.  The program is assembled at
 * run time (negligible work) so that jump targets are computed, not
 * hand-counted. */
static uint8_t code[256];
static unsigned here;

static void emit(enum op op)
{
    code[here++] = (uint8_t)op;
}

static void emit16(enum op op, unsigned imm)
{
    code[here++] = (uint8_t)op;
    code[here++] = (uint8_t)imm;
    code[here++] = (uint8_t)(imm >> 8);
}

/*
 *  f(h, i, j): t = h * 33 ^ (i + j); mem[t & 255] += t >> 3;
 *              return t + mem[(i ^ j) & 255]
 *  main: h = 0
 *        for i = OUTER; i != 0; i--:
 *            for j = 0; j < 16; j++:
 *                h = f(h, i, j)
 *        return h
 * Locals: 0 = i, 1 = j, 2 = h, 3 and 4 temporaries of f.
 */
#define OUTER 220000

static unsigned assemble(void)
{
    here = 0;
    unsigned f = here;                  /* stack: h i j */
    emit(OP_OVER); emit(OP_OVER); emit(OP_XOR);        /* h i j i^j */
    emit16(OP_STORE, 3);                               /* h i j */
    emit(OP_ADD); emit(OP_SWAP);                       /* i+j h */
    emit16(OP_PUSH, 33); emit(OP_MUL); emit(OP_XOR);   /* t */
    emit(OP_DUP); emit(OP_DUP); emit16(OP_PUSH, 3); emit(OP_SHR);  /* t t t>>3 */
    emit(OP_SWAP); emit16(OP_PUSH, 255); emit(OP_AND); /* t t>>3 a */
    emit(OP_DUP); emit(OP_GET);                        /* t t>>3 a mem[a] */
    emit(OP_SWAP); emit16(OP_STORE, 4);                /* t t>>3 mem[a] */
    emit(OP_ADD); emit16(OP_LOAD, 4); emit(OP_PUT);    /* t; mem[a] += t>>3 */
    emit16(OP_LOAD, 3); emit16(OP_PUSH, 255); emit(OP_AND);
    emit(OP_GET); emit(OP_ADD);                        /* t + mem[(i^j)&255] */
    emit(OP_RET);

    unsigned entry = here;
    emit16(OP_PUSH, 0); emit16(OP_STORE, 2);           /* h = 0 */
    emit16(OP_PUSH, OUTER & 0xffff); emit16(OP_PUSH, OUTER >> 16);
    emit16(OP_PUSH, 16); emit(OP_SHL); emit(OP_ADD);
    emit16(OP_STORE, 0);                               /* i = OUTER */
    unsigned outer = here;
    emit16(OP_PUSH, 0); emit16(OP_STORE, 1);           /* j = 0 */
    unsigned inner = here;
    emit16(OP_LOAD, 2); emit16(OP_LOAD, 0); emit16(OP_LOAD, 1);
    emit16(OP_CALL, f); emit16(OP_STORE, 2);           /* h = f(h, i, j) */
    emit16(OP_LOAD, 1); emit16(OP_PUSH, 1); emit(OP_ADD);
    emit(OP_DUP); emit16(OP_STORE, 1);                 /* ++j */
    emit16(OP_PUSH, 16); emit16(OP_JLT, inner);        /* j < 16 */
    emit16(OP_LOAD, 0); emit16(OP_PUSH, 1); emit(OP_SUB);
    emit(OP_DUP); emit16(OP_STORE, 0);                 /* --i */
    emit16(OP_JNZ, outer);
    emit16(OP_LOAD, 2); emit(OP_HALT);
    return entry;
}

static uint32_t run(unsigned pc)
{
    uint32_t stack[64], locals[8] = { 0 }, mem[256];
    uint16_t rstack[16];
    int sp = 0, rsp = 0;
    for (int i = 0; i < 256; i++)
        mem[i] = 0;
    for (;;) {
        uint8_t op = code[pc++];
        uint32_t x;
        unsigned imm = 0;
        switch (op) {
        case OP_PUSH: case OP_LOAD: case OP_STORE: case OP_JMP:
        case OP_JNZ: case OP_JLT: case OP_CALL:
            imm = code[pc] | (unsigned)code[pc + 1] << 8;
            pc += 2;
            break;
        default:
            break;
        }
        switch (op) {
        case OP_HALT:  return sp ? stack[sp - 1] : 0xdead;
        case OP_PUSH:  stack[sp++] = imm; break;
        case OP_POP:   sp--; break;
        case OP_DUP:   stack[sp] = stack[sp - 1]; sp++; break;
        case OP_SWAP:  x = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = x; break;
        case OP_OVER:  stack[sp] = stack[sp - 2]; sp++; break;
        case OP_ADD:   sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB:   sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL:   sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_AND:   sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_XOR:   sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_SHL:   sp--; stack[sp - 1] <<= stack[sp] & 31; break;
        case OP_SHR:   sp--; stack[sp - 1] >>= stack[sp] & 31; break;
        case OP_LOAD:  stack[sp++] = locals[imm & 7]; break;
        case OP_STORE: locals[imm & 7] = stack[--sp]; break;
        case OP_GET:   stack[sp - 1] = mem[stack[sp - 1] & 255]; break;
        case OP_PUT:   sp -= 2; mem[stack[sp + 1] & 255] = stack[sp]; break;
        case OP_JMP:   pc = imm; break;
        case OP_JNZ:   if (stack[--sp]) pc = imm; break;
        case OP_JLT:   sp -= 2; if (stack[sp] < stack[sp + 1]) pc = imm; break;
        case OP_CALL:  rstack[rsp++ & 15] = (uint16_t)pc; pc = imm; break;
        case OP_RET:   pc = rstack[--rsp & 15]; break;
        default:       return 0xbad0000u | op;
        }
        if ((unsigned)sp > 60)
            return 0xbad1000u | (unsigned)sp;
    }
}

uint32_t bench_run(void)
{
    uint32_t h = run(assemble());
    return mix32(0, h);
}
