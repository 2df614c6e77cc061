/* ar_muldiv: MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV and
 * the divide error (#DE, vector 0).
 *
 * What it checks:
 *   - MUL/IMUL r/m8 (AX = AL * r/m8), r/m16 (DX:AX), r/m32 (EDX:EAX) with
 *     register and memory operands; CF = OF = "the upper half is
 *     significant" (MUL: nonzero; IMUL: not the sign extension of the lower
 *     half); registers that are not destinations keep their value (upper
 *     EAX bits for 8/16-bit, EDX for 8-bit);
 *   - IMUL r, r/m (0F AF), IMUL r, r/m, imm16/32 (69) and imm8 (6B,
 *     sign-extended), with and without overflow (CF = OF);
 *   - DIV/IDIV 8/16/32-bit: quotient and remainder, negative dividends and
 *     divisors (truncation toward zero, remainder takes the dividend's sign),
 *     the most negative quotient that still fits (-128, -32768, -2^31; valid
 *     since the 80286);
 *   - #DE on a zero divisor and on quotient overflow for DIV and IDIV of
 *     every size (incl. -32768 / -1, -128 / -1, 0x80000000:00000000 / -1,
 *     a positive quotient of exactly 128), with memory and prefixed
 *     divisors: the handler (vector 0) sees CS:IP of the faulting
 *     instruction (its first prefix), registers and flags unchanged (the
 *     fault happens before any state changes); it skips the instruction by
 *     changing the saved IP.  One handler instead repairs the divisor and
 *     returns to the same IP: the DIV is restarted and completes.
 *
 * Expected values: results of MUL/IMUL/DIV/IDIV were produced by running
 * the instructions on the host CPU (32-bit protected mode); flags: only CF
 * and OF are defined after MUL/IMUL (SF ZF AF PF undefined), no flag is
 * defined after DIV/IDIV (fmask 0).  The #DE rules are from the SDM (DIV,
 * IDIV: "#DE if the source operand is 0 or the quotient is too large for
 * the designated register"; faults push the address of the faulting
 * instruction).
 */
#include "lib.inc"
#include "ar_common.inc"

/* DE insn, a, d, b, fin: with EAX=a, EDX=d, EBX=ECX=MEMV=b and EFLAGS=fin,
 * insn must fault with #DE at its first byte; afterwards EAX, EDX, MEMV
 * and the flags must be unchanged. */
.macro DE insn, a, d, b, fin=0
    TDESC "#DE \insn"
    TSET \a, \b, \b, \d, \b, \fin
    FAULT 0, "\insn", "#DE \insn"
    TCHK 7, \fin, FA, TDESC_LAST, \a, \d, \b
.endm

    RESET_VECTOR start
    .text
start:
    AR_INIT ar_muldiv
    SETVEC_ALL

/* ---------------- MUL: CF = OF = upper half nonzero ---------------- */
    MD "mulb %bl", 0xa5a512ff, 0x5a5a5a5a, 0xff, 0, 0xa5a5fe01, 0x5a5a5a5a, OF|CF, CF|OF
    MD "mulb %bl", 0xa5a51210, 0x5a5a5a5a, 0x0f, FA, 0xa5a500f0, 0x5a5a5a5a, 0, CF|OF
    MD "mulb %bl", 0xa5a51280, 0x5a5a5a5a, 0x02, 0, 0xa5a50100, 0x5a5a5a5a, OF|CF, CF|OF
    MD "mulb %bl", 0xa5a512ff, 0x5a5a5a5a, 0x00, FA, 0xa5a50000, 0x5a5a5a5a, 0, CF|OF
    MD "mulb %bl", 0xa5a51201, 0x5a5a5a5a, 0xff, 0, 0xa5a500ff, 0x5a5a5a5a, 0, CF|OF
    MD "mulb %ah", 0xa5a50f11, 0x5a5a5a5a, 0, 0, 0xa5a500ff, 0x5a5a5a5a, 0, CF|OF
    MD "mulb MEMV", 0xa5a51240, 0x5a5a5a5a, 0x04, 0, 0xa5a50100, 0x5a5a5a5a, OF|CF, CF|OF
    MD "mulw %bx", 0xa5a5ffff, 0x5a5a5a5a, 0xffff, 0, 0xa5a50001, 0x5a5afffe, OF|CF, CF|OF
    MD "mulw %bx", 0xa5a50100, 0x5a5a5a5a, 0x0100, 0, 0xa5a50000, 0x5a5a0001, OF|CF, CF|OF
    MD "mulw %bx", 0xa5a57fff, 0x5a5a5a5a, 0x0002, FA, 0xa5a5fffe, 0x5a5a0000, 0, CF|OF
    MD "mulw %bx", 0xa5a51234, 0x5a5a5a5a, 0x0010, 0, 0xa5a52340, 0x5a5a0001, OF|CF, CF|OF
    MD "mulw %bx", 0xa5a50000, 0x5a5a5a5a, 0xffff, FA, 0xa5a50000, 0x5a5a0000, 0, CF|OF
    MD "mulw MEMV", 0xa5a5abcd, 0x5a5a5a5a, 0x1234, 0, 0xa5a54fa4, 0x5a5a0c37, OF|CF, CF|OF
    MD "mull %ebx", 0xffffffff, 0x5a5a5a5a, 0xffffffff, 0, 0x00000001, 0xfffffffe, OF|CF, CF|OF
    MD "mull %ebx", 0x00010000, 0x5a5a5a5a, 0x00010000, 0, 0x00000000, 0x00000001, OF|CF, CF|OF
    MD "mull %ebx", 0x0000ffff, 0x5a5a5a5a, 0x0000ffff, FA, 0xfffe0001, 0x00000000, 0, CF|OF
    MD "mull %ebx", 0x12345678, 0x5a5a5a5a, 0x00000010, 0, 0x23456780, 0x00000001, OF|CF, CF|OF
    MD "mull %ebx", 0x80000000, 0x5a5a5a5a, 0x00000002, 0, 0x00000000, 0x00000001, OF|CF, CF|OF
    MD "mull MEMV", 0xdeadbeef, 0x5a5a5a5a, 0xcafebabe, 0, 0x88cf5b62, 0xb092ab7b, OF|CF, CF|OF
    MD "mull %eax", 0x00012345, 0x5a5a5a5a, 0, 0, 0x4b65f099, 0x00000001, OF|CF, CF|OF

/* ---------------- IMUL, one operand: CF = OF = upper half not the sign extension ---------------- */
    MD "imulb %bl", 0xa5a512ff, 0x5a5a5a5a, 0xff, FA, 0xa5a50001, 0x5a5a5a5a, 0, CF|OF  // -1 * -1
    MD "imulb %bl", 0xa5a51280, 0x5a5a5a5a, 0x80, 0, 0xa5a54000, 0x5a5a5a5a, OF|CF, CF|OF  // -128 * -128
    MD "imulb %bl", 0xa5a51280, 0x5a5a5a5a, 0x01, FA, 0xa5a5ff80, 0x5a5a5a5a, 0, CF|OF  // -128 fits
    MD "imulb %bl", 0xa5a5127f, 0x5a5a5a5a, 0x02, 0, 0xa5a500fe, 0x5a5a5a5a, OF|CF, CF|OF  // 254 does not fit
    MD "imulb %bl", 0xa5a512c0, 0x5a5a5a5a, 0x02, FA, 0xa5a5ff80, 0x5a5a5a5a, 0, CF|OF  // -64*2 = -128 fits
    MD "imulb %bl", 0xa5a51240, 0x5a5a5a5a, 0x02, 0, 0xa5a50080, 0x5a5a5a5a, OF|CF, CF|OF  // 64*2 = 128 does not
    MD "imulb %bl", 0xa5a512f0, 0x5a5a5a5a, 0x10, 0, 0xa5a5ff00, 0x5a5a5a5a, OF|CF, CF|OF  // -16*16 = -256
    MD "imulb MEMV", 0xa5a51203, 0x5a5a5a5a, 0xfd, FA, 0xa5a5fff7, 0x5a5a5a5a, 0, CF|OF
    MD "imulw %bx", 0xa5a5ffff, 0x5a5a5a5a, 0xffff, FA, 0xa5a50001, 0x5a5a0000, 0, CF|OF
    MD "imulw %bx", 0xa5a58000, 0x5a5a5a5a, 0x8000, 0, 0xa5a50000, 0x5a5a4000, OF|CF, CF|OF
    MD "imulw %bx", 0xa5a58000, 0x5a5a5a5a, 0x0001, FA, 0xa5a58000, 0x5a5affff, 0, CF|OF
    MD "imulw %bx", 0xa5a57fff, 0x5a5a5a5a, 0x0002, 0, 0xa5a5fffe, 0x5a5a0000, OF|CF, CF|OF
    MD "imulw %bx", 0xa5a5c000, 0x5a5a5a5a, 0x0002, FA, 0xa5a58000, 0x5a5affff, 0, CF|OF
    MD "imulw %bx", 0xa5a51234, 0x5a5a5a5a, 0xfff0, 0, 0xa5a5dcc0, 0x5a5afffe, OF|CF, CF|OF
    MD "imulw MEMV", 0xa5a50100, 0x5a5a5a5a, 0xff00, 0, 0xa5a50000, 0x5a5affff, OF|CF, CF|OF
    MD "imull %ebx", 0xffffffff, 0x5a5a5a5a, 0xffffffff, FA, 0x00000001, 0x00000000, 0, CF|OF
    MD "imull %ebx", 0x80000000, 0x5a5a5a5a, 0x80000000, 0, 0x00000000, 0x40000000, OF|CF, CF|OF
    MD "imull %ebx", 0x80000000, 0x5a5a5a5a, 0x00000001, FA, 0x80000000, 0xffffffff, 0, CF|OF
    MD "imull %ebx", 0x7fffffff, 0x5a5a5a5a, 0x00000002, 0, 0xfffffffe, 0x00000000, OF|CF, CF|OF
    MD "imull %ebx", 0xc0000000, 0x5a5a5a5a, 0x00000002, FA, 0x80000000, 0xffffffff, 0, CF|OF
    MD "imull %ebx", 0x12345678, 0x5a5a5a5a, 0xfffffff0, 0, 0xdcba9880, 0xfffffffe, OF|CF, CF|OF
    MD "imull MEMV", 0x00010000, 0x5a5a5a5a, 0xffff0000, 0, 0x00000000, 0xffffffff, OF|CF, CF|OF

/* ---------------- IMUL r, r/m (0F AF) ---------------- */
    MD "imulw %bx,%ax", 0xa5a57fff, 0x5a5a5a5a, 0x0002, 0, 0xa5a5fffe, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imulw %bx,%ax", 0xa5a58000, 0x5a5a5a5a, 0xffff, 0, 0xa5a58000, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imulw %bx,%ax", 0xa5a5ffff, 0x5a5a5a5a, 0xffff, FA, 0xa5a50001, 0x5a5a5a5a, 0, CF|OF
    MD "imulw %bx,%ax", 0xa5a50100, 0x5a5a5a5a, 0x0100, 0, 0xa5a50000, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imulw %bx,%ax", 0xa5a5fff0, 0x5a5a5a5a, 0x0010, FA, 0xa5a5ff00, 0x5a5a5a5a, 0, CF|OF
    MD "imulw MEMV,%ax", 0xa5a50123, 0x5a5a5a5a, 0x0045, 0, 0xa5a54e6f, 0x5a5a5a5a, 0, CF|OF
    MD "imull %ebx,%eax", 0x7fffffff, 0x5a5a5a5a, 0x00000002, 0, 0xfffffffe, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imull %ebx,%eax", 0x80000000, 0x5a5a5a5a, 0xffffffff, 0, 0x80000000, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imull %ebx,%eax", 0xffff0000, 0x5a5a5a5a, 0x00008000, FA, 0x80000000, 0x5a5a5a5a, 0, CF|OF
    MD "imull %ebx,%eax", 0x00010000, 0x5a5a5a5a, 0x00010000, 0, 0x00000000, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imull %ebx,%eax", 0x12345678, 0x5a5a5a5a, 0x00000003, FA, 0x369d0368, 0x5a5a5a5a, 0, CF|OF
    MD "imull MEMV,%eax", 0xfffffffd, 0x5a5a5a5a, 0x00000007, 0, 0xffffffeb, 0x5a5a5a5a, 0, CF|OF

/* ---------------- IMUL r, r/m, imm (69 iw/id, 6B ib sign-extended) ---------------- */
    MD "imulw $0x1234,%bx,%ax", 0xa5a5ffff, 0x5a5a5a5a, 0x0002, 0, 0xa5a52468, 0x5a5a5a5a, 0, CF|OF
    MD "imulw $0x4000,%bx,%ax", 0xa5a5ffff, 0x5a5a5a5a, 0x0002, FA, 0xa5a58000, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imulw $-2,%bx,%ax", 0xa5a5ffff, 0x5a5a5a5a, 0x4000, 0, 0xa5a58000, 0x5a5a5a5a, 0, CF|OF
    MD "imulw $-2,%bx,%ax", 0xa5a5ffff, 0x5a5a5a5a, 0x4001, FA, 0xa5a57ffe, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imulw $127,%bx,%ax", 0xa5a5ffff, 0x5a5a5a5a, 0x0101, 0, 0xa5a57f7f, 0x5a5a5a5a, 0, CF|OF
    MD "imulw $-128,MEMV,%ax", 0xa5a5ffff, 0x5a5a5a5a, 0x0100, 0, 0xa5a58000, 0x5a5a5a5a, 0, CF|OF
    MD "imulw $3,%ax", 0xa5a55555, 0x5a5a5a5a, 0, 0, 0xa5a5ffff, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imull $0x10000,%ebx,%eax", 0, 0x5a5a5a5a, 0x00008000, 0, 0x80000000, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imull $0x10000,%ebx,%eax", 0, 0x5a5a5a5a, 0xffff8000, FA, 0x80000000, 0x5a5a5a5a, 0, CF|OF
    MD "imull $0x10000,%ebx,%eax", 0, 0x5a5a5a5a, 0xffff7fff, 0, 0x7fff0000, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imull $-1,%ebx,%eax", 0, 0x5a5a5a5a, 0x80000000, 0, 0x80000000, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imull $-1,%ebx,%eax", 0, 0x5a5a5a5a, 0x80000001, FA, 0x7fffffff, 0x5a5a5a5a, 0, CF|OF
    MD "imull $100,MEMV,%eax", 0, 0x5a5a5a5a, 0x12345678, 0, 0x1c71c6e0, 0x5a5a5a5a, OF|CF, CF|OF
    MD "imull $0x7fffffff,MEMV,%eax", 0, 0x5a5a5a5a, 0xffffffff, 0, 0x80000001, 0x5a5a5a5a, 0, CF|OF

/* ---------------- DIV: flags undefined ---------------- */
    MD "divb %bl", 0xa5a500ff, 0x5a5a5a5a, 0x10, 0, 0xa5a50f0f, 0x5a5a5a5a, 0, 0
    MD "divb %bl", 0xa5a5fe01, 0x5a5a5a5a, 0xff, 0, 0xa5a500ff, 0x5a5a5a5a, 0, 0  // quotient 0xff fits
    MD "divb %bl", 0xa5a50007, 0x5a5a5a5a, 0x02, 0, 0xa5a50103, 0x5a5a5a5a, 0, 0
    MD "divb %bl", 0xa5a50005, 0x5a5a5a5a, 0x07, 0, 0xa5a50500, 0x5a5a5a5a, 0, 0  // quotient 0
    MD "divb %bl", 0xa5a58000, 0x5a5a5a5a, 0x81, 0, 0xa5a502fe, 0x5a5a5a5a, 0, 0
    MD "divb %bh", 0xa5a51234, 0x5a5a5a5a, 0x5600, 0, 0xa5a51036, 0x5a5a5a5a, 0, 0
    MD "divb MEMV", 0xa5a53039, 0x5a5a5a5a, 0x31, 0, 0xa5a52efb, 0x5a5a5a5a, 0, 0
    MD "divw %bx", 0xa5a50000, 0x5a5a0001, 0x0002, 0, 0xa5a58000, 0x5a5a0000, 0, 0
    MD "divw %bx", 0xa5a50001, 0x5a5afffe, 0xffff, 0, 0xa5a5ffff, 0x5a5a0000, 0, 0  // quotient 0xffff fits
    MD "divw %bx", 0xa5a51234, 0x5a5a0000, 0x0100, 0, 0xa5a50012, 0x5a5a0034, 0, 0
    MD "divw %bx", 0xa5a5ffff, 0x5a5a7fff, 0x8000, 0, 0xa5a5ffff, 0x5a5a7fff, 0, 0
    MD "divw MEMV", 0xa5a56789, 0x5a5a0012, 0x1234, 0, 0xa5a50102, 0x5a5a0f21, 0, 0
    MD "divl %ebx", 0x00000000, 0x00000001, 0x00000002, 0, 0x80000000, 0x00000000, 0, 0
    MD "divl %ebx", 0x00000001, 0xfffffffe, 0xffffffff, 0, 0xffffffff, 0x00000000, 0, 0
    MD "divl %ebx", 0x9abcdef0, 0x12345678, 0x87654321, 0, 0x226b9022, 0x38bc648e, 0, 0
    MD "divl %ebx", 0x00000064, 0x00000000, 0x00000007, 0, 0x0000000e, 0x00000002, 0, 0
    MD "divl MEMV", 0xffffffff, 0x0000ffff, 0x00010000, 0, 0xffffffff, 0x0000ffff, 0, 0

/* ---------------- IDIV: truncates toward zero, remainder has the dividend's sign ---------------- */
    MD "idivb %bl", 0xa5a5fff9, 0x5a5a5a5a, 0x02, 0, 0xa5a5fffd, 0x5a5a5a5a, 0, 0  // -7 / 2
    MD "idivb %bl", 0xa5a50007, 0x5a5a5a5a, 0xfe, 0, 0xa5a501fd, 0x5a5a5a5a, 0, 0  // 7 / -2
    MD "idivb %bl", 0xa5a5fff9, 0x5a5a5a5a, 0xfe, 0, 0xa5a5ff03, 0x5a5a5a5a, 0, 0  // -7 / -2
    MD "idivb %bl", 0xa5a5ff00, 0x5a5a5a5a, 0x02, 0, 0xa5a50080, 0x5a5a5a5a, 0, 0  // -256 / 2 = -128 fits
    MD "idivb %bl", 0xa5a5007f, 0x5a5a5a5a, 0x01, 0, 0xa5a5007f, 0x5a5a5a5a, 0, 0  // 127 fits
    MD "idivb %bl", 0xa5a5ff81, 0x5a5a5a5a, 0xff, 0, 0xa5a5007f, 0x5a5a5a5a, 0, 0  // -127 / -1
    MD "idivb %bl", 0xa5a5c080, 0x5a5a5a5a, 0x7f, 0, 0xa5a50080, 0x5a5a5a5a, 0, 0  // -16256 / 127 = -128
    MD "idivb MEMV", 0xa5a50064, 0x5a5a5a5a, 0xf9, 0, 0xa5a502f2, 0x5a5a5a5a, 0, 0
    MD "idivw %bx", 0xa5a5fff9, 0x5a5affff, 0x0002, 0, 0xa5a5fffd, 0x5a5affff, 0, 0  // -7 / 2
    MD "idivw %bx", 0xa5a50007, 0x5a5a0000, 0xfffe, 0, 0xa5a5fffd, 0x5a5a0001, 0, 0  // 7 / -2
    MD "idivw %bx", 0xa5a50000, 0x5a5affff, 0x0002, 0, 0xa5a58000, 0x5a5a0000, 0, 0  // -65536 / 2 = -32768 fits
    MD "idivw %bx", 0xa5a50000, 0x5a5affc0, 0x8000, 0, 0xa5a50080, 0x5a5a0000, 0, 0  // -4194304 / -32768
    MD "idivw %bx", 0xa5a50000, 0x5a5a3fff, 0x7fff, 0, 0xa5a57ffe, 0x5a5a7ffe, 0, 0
    MD "idivw MEMV", 0xa5a5fc18, 0x5a5affff, 0x0007, 0, 0xa5a5ff72, 0x5a5afffa, 0, 0
    MD "idivl %ebx", 0xfffffff9, 0xffffffff, 0x00000002, 0, 0xfffffffd, 0xffffffff, 0, 0
    MD "idivl %ebx", 0x00000007, 0x00000000, 0xfffffffe, 0, 0xfffffffd, 0x00000001, 0, 0
    MD "idivl %ebx", 0xfffffff9, 0xffffffff, 0xfffffffe, 0, 0x00000003, 0xffffffff, 0, 0
    MD "idivl %ebx", 0x00000000, 0xffffffff, 0x00000002, 0, 0x80000000, 0x00000000, 0, 0  // -2^32 / 2 = -2^31 fits
    MD "idivl %ebx", 0x80000000, 0xffffffff, 0x00000001, 0, 0x80000000, 0x00000000, 0, 0  // -2^31 / 1
    MD "idivl MEMV", 0x89abcdef, 0x01234567, 0x7fffffff, 0, 0x02468acf, 0x0bf258be, 0, 0

/* ---------------- #DE: divide by zero ---------------- */
    DE "divb %bl", 0xa5a51234, 0x5a5a5a5a, 0x5a5a5a00
    DE "divw %bx", 0xa5a51234, 0x5a5a5678, 0x5a5a0000, FA
    DE "divl %ebx", 0x12345678, 0x00000000, 0x00000000, CF|ZF
    DE "idivb %bl", 0xa5a5ff80, 0x5a5a5a5a, 0x5a5a5a00, SF|OF
    DE "idivw %bx", 0xa5a58000, 0x5a5affff, 0x00000000
    DE "idivl %ebx", 0x80000000, 0xffffffff, 0x00000000, PF|AF
    DE "divw MEMV", 0xa5a51234, 0x5a5a5678, 0x00000000
    DE "idivl MEMV", 0x00000001, 0x00000000, 0x00000000
    DE "divl %es:MEMV", 0x00000001, 0x00000000, 0x00000000, FA   // pushed IP = the first prefix
    DE ".byte 0x2e,0x3e,0xf6,0xf3", 0xa5a51234, 0, 0xff00, ZF      // cs: ds: div bl (two prefixes)

/* ---------------- #DE: quotient too large ---------------- */
    DE "divb %bl", 0xa5a51000, 0x5a5a5a5a, 0x10                    // 0x100
    DE "divb %bl", 0xa5a5ffff, 0x5a5a5a5a, 0xff, FA                // 0x101
    DE "divw %bx", 0xa5a50000, 0x5a5a0001, 0x0001                  // 0x10000
    DE "divw %bx", 0xa5a50000, 0x5a5affff, 0xffff                  // quotient 0x10000
    DE "divl %ebx", 0x00000000, 0x00000001, 0x00000001, SF
    DE "divl %ebx", 0xffffffff, 0xffffffff, 0xffffffff             // divisor == high half
    DE "idivb %bl", 0xa5a58000, 0x5a5a5a5a, 0xff                   // -32768 / -1
    DE "idivb %bl", 0xa5a5ff80, 0x5a5a5a5a, 0xff, CF               // -128 / -1 = 128
    DE "idivb %bl", 0xa5a50100, 0x5a5a5a5a, 0x02                   // 256 / 2 = 128
    DE "idivb %bl", 0xa5a5fefe, 0x5a5a5a5a, 0x02                   // -258 / 2 = -129
    DE "idivw %bx", 0xa5a58000, 0x5a5affff, 0xffff                 // -32768 / -1
    DE "idivw %bx", 0xa5a50000, 0x5a5a0001, 0x0002, OF             // 65536 / 2 = 32768
    DE "idivw %bx", 0xa5a58000, 0x5a5a0000, 0x0001, ZF|PF          // 32768 / 1
    DE "idivl %ebx", 0x80000000, 0xffffffff, 0xffffffff            // -2^31 / -1
    DE "idivl %ebx", 0x00000000, 0x00000001, 0x00000002            // 2^32 / 2 = 2^31
    DE "idivw MEMV", 0xa5a58000, 0x5a5affff, 0xffff

/* ---------------- a handler can repair the divisor and restart the DIV ---------------- */
    SETVEC 0, de_repair
    movl $0x1234, %eax
    xorl %edx, %edx
    xorl %ebx, %ebx                 /* divisor 0: the handler makes it 0x10 */
    pushw $0
    popw %ds
    movw $0, EXC_COUNT
    pushw $DATASEG
    popw %ds
de_restart:
    divw %bx
    CHK32 %eax, 0x123, "DIV restarted after #DE: quotient"
    CHK32 %edx, 0x4, "DIV restarted after #DE: remainder"
    CHK32 %ebx, 0x10, "DIV restarted after #DE: divisor"
    CHK16 %ss:EXC_COUNT, 1, "DIV restarted after #DE: handler runs"
    CHK16 %ss:EXC_IP, de_restart, "DIV restarted after #DE: pushed IP"
    SETVEC 0, exc_0

    AR_FINISH ar_muldiv

/* #DE handler that fixes the divisor and returns to the faulting DIV. */
de_repair:
    pushw %bp
    movw %sp, %bp
    pushw %ax
    movw 2(%bp), %ax
    movw %ax, %ss:EXC_IP
    incw %ss:EXC_COUNT
    movw $0x10, %bx
    popw %ax
    popw %bp
    iret

    AR_SUBROUTINES
