/* ar_alu: ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT.
 *
 * What it checks: 8-, 16- and 32-bit forms in every encoding family
 *   op r/m,reg (00/01 ..)       op reg,r/m (02/03 .., GAS "{load}")
 *   op AL/AX/EAX,imm (04/05 ..) group 1: 80 /n ib, 81 /n iw/id, 83 /n ib
 *   (sign-extended), 82 /n ib (the 80 alias), and memory operands as source
 *   and as destination; INC/DEC in the 40+r/48+r short forms and FE/FF;
 *   NEG/NOT (F6/F7) on registers and memory; high byte registers (AH, BH).
 * Values are hand-picked edges: carry out, signed overflow in both
 * directions, AF (carry/borrow out of bit 3), PF (parity of the low byte
 * only, including results whose whole-word parity differs), zero results,
 * INC/DEC preserving CF, NEG of 0 and of the most negative number, ADC/SBB
 * with CF in (including b = all ones + CF, which overflows b + CF).
 * 8/16-bit operations are run with junk in the upper register bits, which
 * must survive.
 *
 * Where the expected values come from: the result and flag values were
 * produced by running each instruction on the host CPU (x86, 32-bit
 * protected mode; same semantics for these instructions) and checked
 * against the Intel SDM definitions.  Only flags the SDM defines are
 * checked: AF is undefined after AND/OR/XOR/TEST (mask FL); NOT affects no
 * flag, INC/DEC leave CF alone (both checked as "unchanged").
 */
#include "lib.inc"
#include "ar_common.inc"

    RESET_VECTOR start
    .text
start:
    AR_INIT ar_alu

/* ---------------- ADD ---------------- */
    /* 8-bit, 00 /r (r/m = AL), upper EAX bits must survive */
    ALU "addb %bl,%al", 0xa5a5a500, 0x00, 0, 0xa5a5a500, ZF|PF
    ALU "addb %bl,%al", 0xa5a5a5ff, 0x01, 0, 0xa5a5a500, ZF|AF|PF|CF  // carry out, zero, AF
    ALU "addb %bl,%al", 0xa5a5a57f, 0x01, 0, 0xa5a5a580, OF|SF|AF  // +overflow
    ALU "addb %bl,%al", 0xa5a5a580, 0x80, 0, 0xa5a5a500, OF|ZF|PF|CF  // -overflow, carry, zero
    ALU "addb %bl,%al", 0xa5a5a508, 0x5a5a5a08, 0, 0xa5a5a510, AF  // AF only; junk in EBX
    ALU "addb %bl,%al", 0xa5a5a5ff, 0xff, FA, 0xa5a5a5fe, SF|AF|CF  // flags in must not leak
    ALU "addb %bl,%al", 0xa5a5a580, 0xff, 0, 0xa5a5a57f, OF|CF  // -128 + -1
    ALU "addb %bl,%al", 0xa5a5a512, 0x34, FA, 0xa5a5a546, 0
    ALU "addb %bl,%al", 0xa5a5a501, 0x02, 0, 0xa5a5a503, PF  // PF=1 (0x03)
    /* 02 /r, high byte registers, memory source, AL,imm8, 80 /0, 82 /0 */
    ALU "{load} addb %bl,%al", 0xa5a5a5f0, 0x10, 0, 0xa5a5a500, ZF|PF|CF
    ALU "addb %bh,%ah", 0xa5a57fa5, 0x0100, 0, 0xa5a580a5, OF|SF|AF
    ALU "addb %al,%ah", 0xa5a501ff, 0, 0, 0xa5a500ff, ZF|AF|PF|CF
    ALU "addb %ah,%al", 0xa5a501ff, 0, 0, 0xa5a50100, ZF|AF|PF|CF
    ALU "addb MEMV,%al", 0x12345678, 0x88, 0, 0x12345600, ZF|AF|PF|CF
    ALU "addb $0x81,%al", 0x1234567f, 0, 0, 0x12345600, ZF|AF|PF|CF
    ALUD "addb $0x80,%dl", 0x12345680, 0, 0, 0x12345600, OF|ZF|PF|CF
    ALUD ".byte 0x82,0xc2,0x7f", 0x12345601, 0, 0, 0x12345680, OF|SF|AF  // 82 /0 ib: add dl,0x7f
    ALUM "addb %bl,MEMV", 0x12345678, 0x88, 0, 0x12345600, ZF|AF|PF|CF
    ALUM "addb $0x10,MEMV", 0x123456f8, 0, 0, 0x12345608, CF
    ALUM "addb $0x01,MEMV+1", 0x1234ff78, 0, 0, 0x12340078, ZF|AF|PF|CF
    /* 16-bit */
    ALU "addw %bx,%ax", 0xa5a50000, 0x0000, 0, 0xa5a50000, ZF|PF
    ALU "addw %bx,%ax", 0xa5a5ffff, 0x0001, 0, 0xa5a50000, ZF|AF|PF|CF
    ALU "addw %bx,%ax", 0xa5a57fff, 0x0001, 0, 0xa5a58000, OF|SF|AF|PF
    ALU "addw %bx,%ax", 0xa5a58000, 0x8000, 0, 0xa5a50000, OF|ZF|PF|CF
    ALU "addw %bx,%ax", 0xa5a500ff, 0x0001, 0, 0xa5a50100, AF|PF  // 0x0100: PF of low byte=1
    ALU "addw %bx,%ax", 0xa5a50100, 0x0001, 0, 0xa5a50101, 0  // 0x0101: PF=0, word parity even
    ALU "addw %bx,%ax", 0xa5a58000, 0xffff, 0, 0xa5a57fff, OF|PF|CF
    ALU "addw %bx,%ax", 0xa5a51234, 0x5a5a4321, FA, 0xa5a55555, PF
    ALU "{load} addw %bx,%ax", 0xa5a5fff0, 0x0010, 0, 0xa5a50000, ZF|PF|CF
    ALU "addw MEMV,%ax", 0xa5a54000, 0x4000, 0, 0xa5a58000, OF|SF|PF
    ALU "addw $0x1234,%ax", 0xa5a5edcc, 0, 0, 0xa5a50000, ZF|AF|PF|CF  // 05 iw
    ALU "addw $-2,%ax", 0xa5a50001, 0, 0, 0xa5a5ffff, SF|PF  // 83 /0 ib sign-extended
    ALUD "addw $0x8001,%dx", 0xa5a57fff, 0, 0, 0xa5a50000, ZF|AF|PF|CF  // 81 /0 iw
    ALUD "addw $-128,%dx", 0xa5a50080, 0, 0, 0xa5a50000, ZF|PF|CF  // 83 /0 ib = 0xff80
    ALUD "addw $127,%dx", 0xa5a57f81, 0, 0, 0xa5a58000, OF|SF|AF|PF  // 83 /0 ib = 0x007f
    ALUM "addw %bx,MEMV", 0xa5a5fffe, 0x0003, 0, 0xa5a50001, AF|CF
    ALUM "addw $0x7000,MEMV", 0xa5a51000, 0, 0, 0xa5a58000, OF|SF|PF
    ALUM "addw $-1,MEMV", 0xa5a50000, 0, 0, 0xa5a5ffff, SF|PF
    /* 32-bit */
    ALU "addl %ebx,%eax", 0x00000000, 0x00000000, 0, 0x00000000, ZF|PF
    ALU "addl %ebx,%eax", 0xffffffff, 0x00000001, 0, 0x00000000, ZF|AF|PF|CF
    ALU "addl %ebx,%eax", 0x7fffffff, 0x00000001, 0, 0x80000000, OF|SF|AF|PF
    ALU "addl %ebx,%eax", 0x80000000, 0x80000000, 0, 0x00000000, OF|ZF|PF|CF
    ALU "addl %ebx,%eax", 0x0000ffff, 0x00000001, 0, 0x00010000, AF|PF  // PF from low byte 0x00
    ALU "addl %ebx,%eax", 0x80000000, 0x7fffffff, 0, 0xffffffff, SF|PF
    ALU "addl %ebx,%eax", 0x12345678, 0x9abcdef0, FA, 0xacf13568, SF
    ALU "addl %ebx,%eax", 0x80000001, 0xffffffff, 0, 0x80000000, SF|AF|PF|CF
    ALU "{load} addl %ebx,%eax", 0x0000000f, 0x00000001, 0, 0x00000010, AF
    ALU "addl MEMV,%eax", 0xfffffff0, 0x00000020, 0, 0x00000010, CF
    ALU "addl $0x12345678,%eax", 0x6dcba988, 0, 0, 0x80000000, OF|SF|AF|PF  // 05 id
    ALU "addl $-1,%eax", 0x00000000, 0, 0, 0xffffffff, SF|PF  // 83 /0 ib
    ALUD "addl $0x80000000,%edx", 0x80000000, 0, 0, 0x00000000, OF|ZF|PF|CF  // 81 /0 id
    ALUD "addl $-128,%edx", 0x00000080, 0, 0, 0x00000000, ZF|PF|CF
    ALUM "addl %ebx,MEMV", 0x7ffffff0, 0x00000010, 0, 0x80000000, OF|SF|PF
    ALUM "addl $0x11111111,MEMV", 0xeeeeeeef, 0, 0, 0x00000000, ZF|AF|PF|CF
    ALUM "lock addl %ebx,MEMV", 0x00000001, 0xffffffff, 0, 0x00000000, ZF|AF|PF|CF  // LOCK on a memory destination is fine

/* ---------------- ADC ---------------- */
    ALU "adcb %bl,%al", 0xa5a5a500, 0x00, CF, 0xa5a5a501, 0
    ALU "adcb %bl,%al", 0xa5a5a5ff, 0x00, CF, 0xa5a5a500, ZF|AF|PF|CF  // carry in makes the carry out
    ALU "adcb %bl,%al", 0xa5a5a500, 0xff, CF, 0xa5a5a500, ZF|AF|PF|CF  // b + CF overflows 8 bits
    ALU "adcb %bl,%al", 0xa5a5a57f, 0x00, CF, 0xa5a5a580, OF|SF|AF  // +overflow from CF only
    ALU "adcb %bl,%al", 0xa5a5a53f, 0x40, CF, 0xa5a5a580, OF|SF|AF
    ALU "adcb %bl,%al", 0xa5a5a57f, 0xff, CF, 0xa5a5a57f, AF|CF  // 127 + -1 + 1: carry, no OF
    ALU "adcb %bl,%al", 0xa5a5a580, 0x7f, CF, 0xa5a5a500, ZF|AF|PF|CF  // -128 + 127 + 1 = 0: no OF
    ALU "adcb %bl,%al", 0xa5a5a580, 0x80, CF, 0xa5a5a501, OF|CF
    ALU "adcb %bl,%al", 0xa5a5a50f, 0x00, CF, 0xa5a5a510, AF  // AF from CF
    ALU "adcb %bl,%al", 0xa5a5a5ff, 0xff, CF, 0xa5a5a5ff, SF|AF|PF|CF
    ALU "adcb %bl,%al", 0xa5a5a5ff, 0x01, 0, 0xa5a5a500, ZF|AF|PF|CF  // CF=0 behaves as ADD
    ALU "{load} adcb %bl,%al", 0xa5a5a510, 0x20, CF, 0xa5a5a531, 0
    ALU "adcb $0x7f,%al", 0xa5a5a500, 0, CF, 0xa5a5a580, OF|SF|AF
    ALUD "adcb $0xff,%dl", 0xa5a5a5ff, 0, CF, 0xa5a5a5ff, SF|AF|PF|CF
    ALUM "adcb %bl,MEMV", 0x12345600, 0xff, CF, 0x12345600, ZF|AF|PF|CF
    ALU "adcw %bx,%ax", 0xa5a5ffff, 0x0000, CF, 0xa5a50000, ZF|AF|PF|CF
    ALU "adcw %bx,%ax", 0xa5a50000, 0xffff, CF, 0xa5a50000, ZF|AF|PF|CF
    ALU "adcw %bx,%ax", 0xa5a57fff, 0x0000, CF, 0xa5a58000, OF|SF|AF|PF
    ALU "adcw %bx,%ax", 0xa5a58000, 0x7fff, CF, 0xa5a50000, ZF|AF|PF|CF
    ALU "adcw %bx,%ax", 0xa5a512ff, 0x0000, CF, 0xa5a51300, AF|PF
    ALU "adcw MEMV,%ax", 0xa5a51234, 0x1111, 0, 0xa5a52345, 0
    ALU "adcw $0x1000,%ax", 0xa5a5efff, 0, CF, 0xa5a50000, ZF|AF|PF|CF
    ALUD "adcw $-1,%dx", 0xa5a50000, 0, CF, 0xa5a50000, ZF|AF|PF|CF
    ALUM "adcw $0x1234,MEMV", 0xa5a5edcb, 0, CF, 0xa5a50000, ZF|AF|PF|CF
    ALU "adcl %ebx,%eax", 0xffffffff, 0x00000000, CF, 0x00000000, ZF|AF|PF|CF
    ALU "adcl %ebx,%eax", 0x00000000, 0xffffffff, CF, 0x00000000, ZF|AF|PF|CF
    ALU "adcl %ebx,%eax", 0x7fffffff, 0x00000000, CF, 0x80000000, OF|SF|AF|PF
    ALU "adcl %ebx,%eax", 0x80000000, 0x7fffffff, CF, 0x00000000, ZF|AF|PF|CF
    ALU "adcl %ebx,%eax", 0x80000000, 0x80000000, CF, 0x00000001, OF|CF
    ALU "{load} adcl %ebx,%eax", 0x12345678, 0x11111111, 0, 0x23456789, 0
    ALU "adcl MEMV,%eax", 0xfffffffe, 0x00000001, CF, 0x00000000, ZF|AF|PF|CF
    ALU "adcl $0x80000000,%eax", 0x7fffffff, 0, CF, 0x00000000, ZF|AF|PF|CF
    ALUD "adcl $-1,%edx", 0xffffffff, 0, CF, 0xffffffff, SF|AF|PF|CF
    ALUM "adcl %ebx,MEMV", 0xffffffff, 0xffffffff, CF, 0xffffffff, SF|AF|PF|CF

/* ---------------- SUB ---------------- */
    ALU "subb %bl,%al", 0xa5a5a500, 0x00, 0, 0xa5a5a500, ZF|PF
    ALU "subb %bl,%al", 0xa5a5a500, 0x01, 0, 0xa5a5a5ff, SF|AF|PF|CF  // borrow, AF
    ALU "subb %bl,%al", 0xa5a5a580, 0x01, 0, 0xa5a5a57f, OF|AF  // -overflow
    ALU "subb %bl,%al", 0xa5a5a57f, 0xff, 0, 0xa5a5a580, OF|SF|CF  // +overflow, borrow
    ALU "subb %bl,%al", 0xa5a5a500, 0x80, 0, 0xa5a5a580, OF|SF|CF  // 0 - -128
    ALU "subb %bl,%al", 0xa5a5a510, 0x01, 0, 0xa5a5a50f, AF|PF  // AF only
    ALU "subb %bl,%al", 0xa5a5a555, 0x55, FA, 0xa5a5a500, ZF|PF
    ALU "subb %bl,%al", 0xa5a5a5c3, 0x42, 0, 0xa5a5a581, SF|PF
    ALU "{load} subb %bl,%al", 0xa5a5a501, 0x02, 0, 0xa5a5a5ff, SF|AF|PF|CF
    ALU "subb %bh,%ah", 0xa5a500a5, 0x0100, 0, 0xa5a5ffa5, SF|AF|PF|CF
    ALU "subb MEMV,%al", 0x12345610, 0x20, 0, 0x123456f0, SF|PF|CF
    ALU "subb $0x80,%al", 0xa5a5a57f, 0, 0, 0xa5a5a5ff, OF|SF|PF|CF
    ALUD "subb $0x01,%dl", 0x12345680, 0, 0, 0x1234567f, OF|AF
    ALUD ".byte 0x82,0xea,0x10", 0x12345605, 0, 0, 0x123456f5, SF|PF|CF  // 82 /5 ib: sub dl,0x10
    ALUM "subb %bl,MEMV", 0x12345600, 0x01, 0, 0x123456ff, SF|AF|PF|CF
    ALU "subw %bx,%ax", 0xa5a50000, 0x0001, 0, 0xa5a5ffff, SF|AF|PF|CF
    ALU "subw %bx,%ax", 0xa5a58000, 0x0001, 0, 0xa5a57fff, OF|AF|PF
    ALU "subw %bx,%ax", 0xa5a57fff, 0xffff, 0, 0xa5a58000, OF|SF|PF|CF
    ALU "subw %bx,%ax", 0xa5a50100, 0x0001, 0, 0xa5a500ff, AF|PF  // 0x00ff
    ALU "subw %bx,%ax", 0xa5a50101, 0x0001, 0, 0xa5a50100, PF  // 0x0100: PF=1
    ALU "subw %bx,%ax", 0xa5a51234, 0x1234, 0, 0xa5a50000, ZF|PF
    ALU "{load} subw %bx,%ax", 0xa5a50010, 0x0020, 0, 0xa5a5fff0, SF|PF|CF
    ALU "subw MEMV,%ax", 0xa5a50000, 0x8000, 0, 0xa5a58000, OF|SF|PF|CF
    ALU "subw $0x8000,%ax", 0xa5a57fff, 0, 0, 0xa5a5ffff, OF|SF|PF|CF
    ALUD "subw $-1,%dx", 0xa5a5ffff, 0, 0, 0xa5a50000, ZF|PF
    ALUD "subw $0x1001,%dx", 0xa5a51000, 0, 0, 0xa5a5ffff, SF|AF|PF|CF
    ALUM "subw $1,MEMV", 0xa5a58000, 0, 0, 0xa5a57fff, OF|AF|PF
    ALU "subl %ebx,%eax", 0x00000000, 0x00000001, 0, 0xffffffff, SF|AF|PF|CF
    ALU "subl %ebx,%eax", 0x80000000, 0x00000001, 0, 0x7fffffff, OF|AF|PF
    ALU "subl %ebx,%eax", 0x7fffffff, 0xffffffff, 0, 0x80000000, OF|SF|PF|CF
    ALU "subl %ebx,%eax", 0x00010000, 0x00000001, 0, 0x0000ffff, AF|PF
    ALU "subl %ebx,%eax", 0x12345678, 0x12345678, FA, 0x00000000, ZF|PF
    ALU "{load} subl %ebx,%eax", 0x00000000, 0x80000000, 0, 0x80000000, OF|SF|PF|CF
    ALU "subl MEMV,%eax", 0x00000010, 0x00000011, 0, 0xffffffff, SF|AF|PF|CF
    ALU "subl $0x7fffffff,%eax", 0xffffffff, 0, 0, 0x80000000, SF|PF
    ALUD "subl $-128,%edx", 0x7fffff80, 0, 0, 0x80000000, OF|SF|PF|CF
    ALUM "subl %ebx,MEMV", 0x00000000, 0x00000001, 0, 0xffffffff, SF|AF|PF|CF

/* ---------------- SBB ---------------- */
    ALU "sbbb %bl,%al", 0xa5a5a500, 0x00, CF, 0xa5a5a5ff, SF|AF|PF|CF  // borrow in makes the borrow out
    ALU "sbbb %bl,%al", 0xa5a5a500, 0xff, CF, 0xa5a5a500, ZF|AF|PF|CF  // b + CF overflows 8 bits
    ALU "sbbb %bl,%al", 0xa5a5a580, 0x00, CF, 0xa5a5a57f, OF|AF  // -overflow from CF only
    ALU "sbbb %bl,%al", 0xa5a5a580, 0x7f, CF, 0xa5a5a500, OF|ZF|AF|PF  // -128-127-1
    ALU "sbbb %bl,%al", 0xa5a5a505, 0x04, CF, 0xa5a5a500, ZF|PF  // zero
    ALU "sbbb %bl,%al", 0xa5a5a510, 0x0f, CF, 0xa5a5a500, ZF|AF|PF
    ALU "sbbb %bl,%al", 0xa5a5a57f, 0xfe, CF, 0xa5a5a580, OF|SF|CF  // 127 - -2 - 1: OF
    ALU "sbbb %bl,%al", 0xa5a5a5ff, 0xff, CF, 0xa5a5a5ff, SF|AF|PF|CF
    ALU "sbbb %bl,%al", 0xa5a5a500, 0x01, 0, 0xa5a5a5ff, SF|AF|PF|CF  // CF=0 behaves as SUB
    ALU "{load} sbbb %bl,%al", 0xa5a5a540, 0x20, CF, 0xa5a5a51f, AF
    ALU "sbbb $0x01,%al", 0xa5a5a501, 0, CF, 0xa5a5a5ff, SF|AF|PF|CF
    ALUD "sbbb $0x00,%dl", 0xa5a5a500, 0, CF, 0xa5a5a5ff, SF|AF|PF|CF
    ALUM "sbbb %bl,MEMV", 0x12345680, 0x00, CF, 0x1234567f, OF|AF
    ALU "sbbw %bx,%ax", 0xa5a50000, 0x0000, CF, 0xa5a5ffff, SF|AF|PF|CF
    ALU "sbbw %bx,%ax", 0xa5a50000, 0xffff, CF, 0xa5a50000, ZF|AF|PF|CF
    ALU "sbbw %bx,%ax", 0xa5a58000, 0x0000, CF, 0xa5a57fff, OF|AF|PF
    ALU "sbbw %bx,%ax", 0xa5a57fff, 0xffff, CF, 0xa5a57fff, AF|PF|CF
    ALU "sbbw MEMV,%ax", 0xa5a51000, 0x0fff, CF, 0xa5a50000, ZF|AF|PF
    ALU "sbbw $0x0100,%ax", 0xa5a50100, 0, CF, 0xa5a5ffff, SF|AF|PF|CF
    ALUD "sbbw $-1,%dx", 0xa5a5ffff, 0, CF, 0xa5a5ffff, SF|AF|PF|CF
    ALUM "sbbw $0x10,MEMV", 0xa5a50010, 0, 0, 0xa5a50000, ZF|PF
    ALU "sbbl %ebx,%eax", 0x00000000, 0x00000000, CF, 0xffffffff, SF|AF|PF|CF
    ALU "sbbl %ebx,%eax", 0x00000000, 0xffffffff, CF, 0x00000000, ZF|AF|PF|CF
    ALU "sbbl %ebx,%eax", 0x80000000, 0x00000000, CF, 0x7fffffff, OF|AF|PF
    ALU "sbbl %ebx,%eax", 0x80000000, 0x7fffffff, CF, 0x00000000, OF|ZF|AF|PF
    ALU "{load} sbbl %ebx,%eax", 0x12345678, 0x12345677, CF, 0x00000000, ZF|PF
    ALU "sbbl MEMV,%eax", 0x00000000, 0x80000000, 0, 0x80000000, OF|SF|PF|CF
    ALU "sbbl $0x10000,%eax", 0x00010000, 0, CF, 0xffffffff, SF|AF|PF|CF
    ALUD "sbbl $-2,%edx", 0xfffffffe, 0, CF, 0xffffffff, SF|AF|PF|CF
    ALUM "sbbl %ebx,MEMV", 0x00000000, 0x00000000, CF, 0xffffffff, SF|AF|PF|CF

/* ---------------- CMP (result discarded: register unchanged) ---------------- */
    ALU "cmpb %bl,%al", 0xa5a5a505, 0x05, 0, 0xa5a5a505, ZF|PF
    ALU "cmpb %bl,%al", 0xa5a5a505, 0x06, 0, 0xa5a5a505, SF|AF|PF|CF
    ALU "cmpb %bl,%al", 0xa5a5a580, 0x01, 0, 0xa5a5a580, OF|AF
    ALU "cmpb %bl,%al", 0xa5a5a57f, 0x80, 0, 0xa5a5a57f, OF|SF|PF|CF
    ALU "cmpb %bl,%al", 0xa5a5a510, 0x01, FA, 0xa5a5a510, AF|PF
    ALU "{load} cmpb %bl,%al", 0xa5a5a500, 0xff, 0, 0xa5a5a500, AF|CF
    ALU "cmpb %bh,%ah", 0xa5a5ffa5, 0x0100, 0, 0xa5a5ffa5, SF
    ALU "cmpb MEMV,%al", 0x12345680, 0x80, 0, 0x12345680, ZF|PF
    ALU "cmpb $0x7f,%al", 0x1234567e, 0, 0, 0x1234567e, SF|AF|PF|CF
    ALUD "cmpb $0x81,%dl", 0x12345601, 0, 0, 0x12345601, OF|SF|CF
    ALUD ".byte 0x82,0xfa,0x01", 0x12345600, 0, 0, 0x12345600, SF|AF|PF|CF  // 82 /7 ib: cmp dl,1
    ALUM "cmpb %bl,MEMV", 0x12345600, 0x01, 0, 0x12345600, SF|AF|PF|CF
    ALU "cmpw %bx,%ax", 0xa5a58000, 0x0001, 0, 0xa5a58000, OF|AF|PF
    ALU "cmpw %bx,%ax", 0xa5a57fff, 0xffff, 0, 0xa5a57fff, OF|SF|PF|CF
    ALU "cmpw %bx,%ax", 0xa5a51234, 0x1234, 0, 0xa5a51234, ZF|PF
    ALU "cmpw %bx,%ax", 0xa5a50100, 0x0001, 0, 0xa5a50100, AF|PF
    ALU "{load} cmpw %bx,%ax", 0xa5a50000, 0x0001, 0, 0xa5a50000, SF|AF|PF|CF
    ALU "cmpw MEMV,%ax", 0xa5a5fffe, 0xffff, 0, 0xa5a5fffe, SF|AF|PF|CF
    ALU "cmpw $0x8000,%ax", 0xa5a58000, 0, 0, 0xa5a58000, ZF|PF
    ALUD "cmpw $-1,%dx", 0xa5a50000, 0, 0, 0xa5a50000, AF|CF
    ALUM "cmpw $0x1234,MEMV", 0xa5a51233, 0, 0, 0xa5a51233, SF|AF|PF|CF
    ALU "cmpl %ebx,%eax", 0x80000000, 0x00000001, 0, 0x80000000, OF|AF|PF
    ALU "cmpl %ebx,%eax", 0x7fffffff, 0xffffffff, 0, 0x7fffffff, OF|SF|PF|CF
    ALU "cmpl %ebx,%eax", 0xdeadbeef, 0xdeadbeef, 0, 0xdeadbeef, ZF|PF
    ALU "{load} cmpl %ebx,%eax", 0x00000001, 0x00000002, 0, 0x00000001, SF|AF|PF|CF
    ALU "cmpl MEMV,%eax", 0x00000000, 0x80000000, 0, 0x00000000, OF|SF|PF|CF
    ALU "cmpl $0x10000,%eax", 0x0000ffff, 0, 0, 0x0000ffff, SF|PF|CF
    ALUD "cmpl $-128,%edx", 0xffffff80, 0, 0, 0xffffff80, ZF|PF
    ALUM "cmpl %ebx,MEMV", 0xffffffff, 0x00000001, 0, 0xffffffff, SF

/* ---------------- AND / OR / XOR / TEST: CF=OF=0, AF undefined ---------------- */
    ALU "andb %bl,%al", 0xa5a5a5f0, 0x0f, FA, 0xa5a5a500, ZF|PF, FL
    ALU "andb %bl,%al", 0xa5a5a5ff, 0x80, FA, 0xa5a5a580, SF, FL
    ALU "andb %bl,%al", 0xa5a5a5ff, 0x03, 0, 0xa5a5a503, PF, FL
    ALU "{load} andb %bl,%al", 0xa5a5a57f, 0x01, 0, 0xa5a5a501, 0, FL
    ALU "andb %bh,%ah", 0xa5a5c3a5, 0x8100, 0, 0xa5a581a5, SF|PF, FL
    ALU "andb MEMV,%al", 0xa5a5a5aa, 0x55, 0, 0xa5a5a500, ZF|PF, FL
    ALU "andb $0x0f,%al", 0xa5a5a5ff, 0, FA, 0xa5a5a50f, PF, FL
    ALUD "andb $0x80,%dl", 0xa5a5a5c0, 0, 0, 0xa5a5a580, SF, FL
    ALUD ".byte 0x82,0xe2,0x0f", 0xa5a5a5f7, 0, 0, 0xa5a5a507, 0, FL  // 82 /4 ib: and dl,0x0f
    ALUM "andb %bl,MEMV", 0x123456ff, 0x0f, 0, 0x1234560f, PF, FL
    ALU "andw %bx,%ax", 0xa5a5ff00, 0x00ff, FA, 0xa5a50000, ZF|PF, FL
    ALU "andw %bx,%ax", 0xa5a5ffff, 0x8001, 0, 0xa5a58001, SF, FL
    ALU "andw %bx,%ax", 0xa5a5ff03, 0x0f03, 0, 0xa5a50f03, PF, FL  // 0x0f03: low byte 0x03 PF=1
    ALU "{load} andw %bx,%ax", 0xa5a51234, 0xffff, 0, 0xa5a51234, 0, FL
    ALU "andw MEMV,%ax", 0xa5a58001, 0x8000, 0, 0xa5a58000, SF|PF, FL
    ALU "andw $0x00ff,%ax", 0xa5a5ff01, 0, FA, 0xa5a50001, 0, FL
    ALUD "andw $-16,%dx", 0xa5a5123f, 0, 0, 0xa5a51230, PF, FL  // 83 /4 ib
    ALUD "andw $0xf00f,%dx", 0xa5a5ffff, 0, 0, 0xa5a5f00f, SF|PF, FL  // 81 /4 iw
    ALUM "andw $0x7fff,MEMV", 0xa5a58000, 0, FA, 0xa5a50000, ZF|PF, FL
    ALU "andl %ebx,%eax", 0xffff0000, 0x0000ffff, FA, 0x00000000, ZF|PF, FL
    ALU "andl %ebx,%eax", 0xffffffff, 0x80000000, 0, 0x80000000, SF|PF, FL
    ALU "andl %ebx,%eax", 0x12345678, 0xffffff00, 0, 0x12345600, PF, FL
    ALU "{load} andl %ebx,%eax", 0x0f0f0f0f, 0xff0000ff, 0, 0x0f00000f, PF, FL
    ALU "andl MEMV,%eax", 0xffffffff, 0x00000101, 0, 0x00000101, 0, FL
    ALU "andl $0x80000000,%eax", 0xffffffff, 0, 0, 0x80000000, SF|PF, FL
    ALUD "andl $-256,%edx", 0x123456ff, 0, FA, 0x12345600, PF, FL
    ALUM "andl %ebx,MEMV", 0xaaaaaaaa, 0x55555555, 0, 0x00000000, ZF|PF, FL

    ALU "orb %bl,%al", 0xa5a5a500, 0x00, FA, 0xa5a5a500, ZF|PF, FL
    ALU "orb %bl,%al", 0xa5a5a500, 0x80, 0, 0xa5a5a580, SF, FL
    ALU "orb %bl,%al", 0xa5a5a501, 0x02, 0, 0xa5a5a503, PF, FL
    ALU "{load} orb %bl,%al", 0xa5a5a510, 0x01, FA, 0xa5a5a511, PF, FL
    ALU "orb %bh,%ah", 0xa5a500a5, 0x0000, FA, 0xa5a500a5, ZF|PF, FL
    ALU "orb MEMV,%al", 0xa5a5a5f0, 0x0f, 0, 0xa5a5a5ff, SF|PF, FL
    ALU "orb $0x40,%al", 0xa5a5a580, 0, 0, 0xa5a5a5c0, SF|PF, FL
    ALUD "orb $0x00,%dl", 0xa5a5a500, 0, FA, 0xa5a5a500, ZF|PF, FL
    ALUM "orb %bl,MEMV", 0x12345600, 0x00, FA, 0x12345600, ZF|PF, FL
    ALU "orw %bx,%ax", 0xa5a50000, 0x0000, FA, 0xa5a50000, ZF|PF, FL
    ALU "orw %bx,%ax", 0xa5a50100, 0x8000, 0, 0xa5a58100, SF|PF, FL  // low byte 0: PF=1
    ALU "{load} orw %bx,%ax", 0xa5a50001, 0x0100, 0, 0xa5a50101, 0, FL
    ALU "orw MEMV,%ax", 0xa5a51200, 0x0034, 0, 0xa5a51234, 0, FL
    ALU "orw $0x8000,%ax", 0xa5a50000, 0, 0, 0xa5a58000, SF|PF, FL
    ALUD "orw $-1,%dx", 0xa5a50000, 0, 0, 0xa5a5ffff, SF|PF, FL
    ALUM "orw $0x0101,MEMV", 0xa5a50000, 0, 0, 0xa5a50101, 0, FL
    ALU "orl %ebx,%eax", 0x00000000, 0x00000000, FA, 0x00000000, ZF|PF, FL
    ALU "orl %ebx,%eax", 0x80000000, 0x00000001, 0, 0x80000001, SF, FL
    ALU "{load} orl %ebx,%eax", 0x00ff0000, 0x00000300, 0, 0x00ff0300, PF, FL
    ALU "orl MEMV,%eax", 0x12340000, 0x00005678, 0, 0x12345678, PF, FL
    ALU "orl $0x40000000,%eax", 0x00000000, 0, FA, 0x40000000, PF, FL
    ALUD "orl $0x7f,%edx", 0xffffff00, 0, 0, 0xffffff7f, SF, FL
    ALUM "orl %ebx,MEMV", 0x80000000, 0x80000000, 0, 0x80000000, SF|PF, FL

    ALU "xorb %bl,%al", 0xa5a5a5ff, 0xff, FA, 0xa5a5a500, ZF|PF, FL
    ALU "xorb %bl,%al", 0xa5a5a57f, 0xff, 0, 0xa5a5a580, SF, FL
    ALU "xorb %bl,%al", 0xa5a5a503, 0x01, 0, 0xa5a5a502, 0, FL
    ALU "{load} xorb %bl,%al", 0xa5a5a555, 0xaa, 0, 0xa5a5a5ff, SF|PF, FL
    ALU "xorb %ah,%ah", 0xa5a5ffa5, 0, FA, 0xa5a500a5, ZF|PF, FL
    ALU "xorb MEMV,%al", 0xa5a5a5a5, 0xa5, 0, 0xa5a5a500, ZF|PF, FL
    ALU "xorb $0x80,%al", 0xa5a5a500, 0, FA, 0xa5a5a580, SF, FL
    ALUD "xorb $0xff,%dl", 0xa5a5a5fe, 0, 0, 0xa5a5a501, 0, FL
    ALUM "xorb %bl,MEMV+2", 0x12345678, 0x34, 0, 0x12005678, ZF|PF, FL
    ALU "xorw %bx,%ax", 0xa5a5ffff, 0xffff, FA, 0xa5a50000, ZF|PF, FL
    ALU "xorw %bx,%ax", 0xa5a50101, 0x0100, 0, 0xa5a50001, 0, FL
    ALU "{load} xorw %bx,%ax", 0xa5a58000, 0x0001, 0, 0xa5a58001, SF, FL
    ALU "xorw MEMV,%ax", 0xa5a51234, 0x1234, FA, 0xa5a50000, ZF|PF, FL
    ALU "xorw $0x5555,%ax", 0xa5a5aaaa, 0, 0, 0xa5a5ffff, SF|PF, FL
    ALUD "xorw $-1,%dx", 0xa5a50f0f, 0, 0, 0xa5a5f0f0, SF|PF, FL
    ALUM "xorw $0x00ff,MEMV", 0xa5a50f0f, 0, FA, 0xa5a50ff0, PF, FL
    ALU "xorl %eax,%eax", 0xdeadbeef, 0, FA, 0x00000000, ZF|PF, FL
    ALU "xorl %ebx,%eax", 0x7fffffff, 0xffffffff, 0, 0x80000000, SF|PF, FL
    ALU "{load} xorl %ebx,%eax", 0x00000100, 0x00000000, 0, 0x00000100, PF, FL
    ALU "xorl MEMV,%eax", 0x12345678, 0x12345600, 0, 0x00000078, PF, FL
    ALU "xorl $0x80000001,%eax", 0x00000000, 0, 0, 0x80000001, SF, FL
    ALUD "xorl $-1,%edx", 0x00000000, 0, 0, 0xffffffff, SF|PF, FL
    ALUM "xorl %ebx,MEMV", 0xffffffff, 0xffffffff, FA, 0x00000000, ZF|PF, FL

    ALU "testb %bl,%al", 0xa5a5a5f0, 0x0f, FA, 0xa5a5a5f0, ZF|PF, FL  // 84 /r
    ALU "testb %bl,%al", 0xa5a5a5ff, 0x80, 0, 0xa5a5a5ff, SF, FL
    ALU "testb %bl,%al", 0xa5a5a5ff, 0x03, 0, 0xa5a5a5ff, PF, FL
    ALU "testb %bh,%ah", 0xa5a580a5, 0x0100, FA, 0xa5a580a5, ZF|PF, FL
    ALU "testb %bl,MEMV", 0xa5a5a5a5, 0x5a, FA, 0xa5a5a5a5, PF, FL
    ALU "testb $0x81,%al", 0xa5a5a580, 0, FA, 0xa5a5a580, SF, FL  // A8 ib
    ALUD "testb $0x01,%dl", 0xa5a5a501, 0, 0, 0xa5a5a501, 0, FL  // F6 /0 ib
    ALUM "testb $0xff,MEMV", 0x12345600, 0, FA, 0x12345600, ZF|PF, FL
    ALU "testw %bx,%ax", 0xa5a5ff00, 0x00ff, FA, 0xa5a5ff00, ZF|PF, FL
    ALU "testw %bx,%ax", 0xa5a58000, 0xffff, 0, 0xa5a58000, SF|PF, FL
    ALU "testw %bx,%ax", 0xa5a50300, 0xff00, 0, 0xa5a50300, PF, FL  // result 0x0300: PF from low byte 0
    ALU "testw %ax,MEMV", 0xa5a51234, 0x0ff0, 0, 0xa5a51234, PF, FL
    ALU "testw $0x8000,%ax", 0xa5a58000, 0, FA, 0xa5a58000, SF|PF, FL  // A9 iw
    ALUD "testw $0x0101,%dx", 0xa5a50100, 0, 0, 0xa5a50100, PF, FL  // F7 /0 iw
    ALU "testl %ebx,%eax", 0x80000000, 0x80000000, FA, 0x80000000, SF|PF, FL
    ALU "testl %ebx,%eax", 0x0f0f0f0f, 0xf0f0f0f0, 0, 0x0f0f0f0f, ZF|PF, FL
    ALU "testl %eax,MEMV", 0x00000001, 0x00000003, 0, 0x00000001, 0, FL
    ALU "testl $0x00010000,%eax", 0x00010000, 0, FA, 0x00010000, PF, FL
    ALUD "testl $0xffffffff,%edx", 0x00000000, 0, 0, 0x00000000, ZF|PF, FL
    ALUM "testl $0x80000000,MEMV", 0x80000000, 0, 0, 0x80000000, SF|PF, FL

/* ---------------- INC / DEC: CF unaffected (checked with CF=0 and CF=1 in) ---------------- */
    ALU "incb %al", 0xa5a5a5ff, 0, 0, 0xa5a5a500, ZF|AF|PF  // FE /0
    ALU "incb %al", 0xa5a5a5ff, 0, CF, 0xa5a5a500, ZF|AF|PF|CF
    ALU "incb %al", 0xa5a5a57f, 0, 0, 0xa5a5a580, OF|SF|AF
    ALU "incb %al", 0xa5a5a50f, 0, CF, 0xa5a5a510, AF|CF
    ALU "incb %al", 0xa5a5a500, 0, FA, 0xa5a5a501, CF
    ALU "incb %ah", 0xa5a5ffa5, 0, 0, 0xa5a500a5, ZF|AF|PF
    ALUM "incb MEMV", 0x123456ff, 0, CF, 0x12345600, ZF|AF|PF|CF
    ALU "incw %ax", 0xa5a5ffff, 0, CF, 0xa5a50000, ZF|AF|PF|CF  // 40+r
    ALU "incw %ax", 0xa5a5ffff, 0, 0, 0xa5a50000, ZF|AF|PF
    ALU "incw %ax", 0xa5a57fff, 0, 0, 0xa5a58000, OF|SF|AF|PF
    ALU "incw %ax", 0xa5a500ff, 0, CF, 0xa5a50100, AF|PF|CF
    ALU "O16; .byte 0xff,0xc0", 0xa5a5fffe, 0, FA, 0xa5a5ffff, SF|PF|CF  // FF /0 with a register: inc ax
    ALUM "incw MEMV", 0xa5a57fff, 0, CF, 0xa5a58000, OF|SF|AF|PF|CF
    ALU "incl %eax", 0xffffffff, 0, CF, 0x00000000, ZF|AF|PF|CF
    ALU "incl %eax", 0x7fffffff, 0, 0, 0x80000000, OF|SF|AF|PF
    ALU "incl %eax", 0x0000ffff, 0, CF, 0x00010000, AF|PF|CF
    ALUM "incl MEMV", 0xffffffff, 0, 0, 0x00000000, ZF|AF|PF
    ALUD "incl %edx", 0x8000000f, 0, CF, 0x80000010, SF|AF|CF

    ALU "decb %al", 0xa5a5a500, 0, 0, 0xa5a5a5ff, SF|AF|PF
    ALU "decb %al", 0xa5a5a500, 0, CF, 0xa5a5a5ff, SF|AF|PF|CF
    ALU "decb %al", 0xa5a5a580, 0, 0, 0xa5a5a57f, OF|AF
    ALU "decb %al", 0xa5a5a501, 0, CF, 0xa5a5a500, ZF|PF|CF
    ALU "decb %al", 0xa5a5a510, 0, FA, 0xa5a5a50f, AF|PF|CF
    ALU "decb %ah", 0xa5a500a5, 0, CF, 0xa5a5ffa5, SF|AF|PF|CF
    ALUM "decb MEMV", 0x12345600, 0, CF, 0x123456ff, SF|AF|PF|CF
    ALU "decw %ax", 0xa5a50000, 0, CF, 0xa5a5ffff, SF|AF|PF|CF  // 48+r
    ALU "decw %ax", 0xa5a58000, 0, 0, 0xa5a57fff, OF|AF|PF
    ALU "decw %ax", 0xa5a50001, 0, CF, 0xa5a50000, ZF|PF|CF
    ALU "decw %ax", 0xa5a50100, 0, 0, 0xa5a500ff, AF|PF
    ALU "O16; .byte 0xff,0xc8", 0xa5a50000, 0, 0, 0xa5a5ffff, SF|AF|PF  // FF /1 with a register: dec ax
    ALUM "decw MEMV", 0xa5a50000, 0, CF, 0xa5a5ffff, SF|AF|PF|CF
    ALU "decl %eax", 0x00000000, 0, CF, 0xffffffff, SF|AF|PF|CF
    ALU "decl %eax", 0x80000000, 0, 0, 0x7fffffff, OF|AF|PF
    ALU "decl %eax", 0x00000001, 0, FA, 0x00000000, ZF|PF|CF
    ALUM "decl MEMV", 0x00010000, 0, 0, 0x0000ffff, AF|PF
    ALUD "decl %edx", 0x00000000, 0, 0, 0xffffffff, SF|AF|PF

/* ---------------- NEG: CF = (operand != 0) ---------------- */
    ALU "negb %al", 0xa5a5a500, 0, FA, 0xa5a5a500, ZF|PF
    ALU "negb %al", 0xa5a5a501, 0, 0, 0xa5a5a5ff, SF|AF|PF|CF
    ALU "negb %al", 0xa5a5a580, 0, 0, 0xa5a5a580, OF|SF|CF  // -(-128) overflows
    ALU "negb %al", 0xa5a5a57f, 0, 0, 0xa5a5a581, SF|AF|PF|CF
    ALU "negb %al", 0xa5a5a510, 0, 0, 0xa5a5a5f0, SF|PF|CF  // no borrow from bit 3: AF=0
    ALU "negb %al", 0xa5a5a5ff, 0, 0, 0xa5a5a501, AF|CF
    ALU "negb %ah", 0xa5a580a5, 0, 0, 0xa5a580a5, OF|SF|CF
    ALUM "negb MEMV", 0x12345601, 0, 0, 0x123456ff, SF|AF|PF|CF
    ALU "negw %ax", 0xa5a50000, 0, FA, 0xa5a50000, ZF|PF
    ALU "negw %ax", 0xa5a58000, 0, 0, 0xa5a58000, OF|SF|PF|CF
    ALU "negw %ax", 0xa5a50001, 0, 0, 0xa5a5ffff, SF|AF|PF|CF
    ALU "negw %ax", 0xa5a50100, 0, 0, 0xa5a5ff00, SF|PF|CF
    ALUM "negw MEMV", 0xa5a57fff, 0, 0, 0xa5a58001, SF|AF|CF
    ALU "negl %eax", 0x00000000, 0, FA, 0x00000000, ZF|PF
    ALU "negl %eax", 0x80000000, 0, 0, 0x80000000, OF|SF|PF|CF
    ALU "negl %eax", 0x00000001, 0, 0, 0xffffffff, SF|AF|PF|CF
    ALU "negl %eax", 0x00010000, 0, 0, 0xffff0000, SF|PF|CF
    ALUM "negl MEMV", 0xffffffff, 0, 0, 0x00000001, AF|CF

/* ---------------- NOT: no flag affected ---------------- */
    ALU "notb %al", 0xa5a5a500, 0, 0, 0xa5a5a5ff, 0
    ALU "notb %al", 0xa5a5a5ff, 0, FA, 0xa5a5a500, OF|SF|ZF|AF|PF|CF
    ALU "notb %ah", 0xa5a50fa5, 0, CF|ZF, 0xa5a5f0a5, ZF|CF
    ALUM "notb MEMV+3", 0x12345678, 0, SF|OF, 0xed345678, OF|SF
    ALU "notw %ax", 0xa5a50000, 0, FA, 0xa5a5ffff, OF|SF|ZF|AF|PF|CF
    ALU "notw %ax", 0xa5a5ffff, 0, 0, 0xa5a50000, 0
    ALUM "notw MEMV", 0xa5a51234, 0, PF|AF, 0xa5a5edcb, AF|PF
    ALU "notl %eax", 0x00000000, 0, 0, 0xffffffff, 0
    ALU "notl %eax", 0xffffffff, 0, FA, 0x00000000, OF|SF|ZF|AF|PF|CF
    ALUM "notl MEMV", 0x12345678, 0, ZF, 0xedcba987, ZF

    AR_FINISH ar_alu
    AR_SUBROUTINES
