/* ar_shift: SHL/SAL SHR SAR ROL ROR RCL RCR, SHLD SHRD.
 *
 * What it checks, for 8-, 16- and 32-bit operands:
 *   - the three encodings: count 1 (D0/D1), count in CL (D2/D3) and imm8
 *     (C0/C1, including an imm8 of 1, which must behave as D0/D1);
 *   - counts 0 (result and all flags unchanged), 1, 2, width-1, width,
 *     width+1, 16/17/18 (RCL/RCR 8- and 16-bit: the count is taken mod 9 or
 *     mod 17 after masking), 31, and >31 (masked to 5 bits: 32 acts as 0,
 *     33 as 1, 63 as 31); junk in ECX above CL must be ignored;
 *   - memory destinations;
 *   - SHLD/SHRD with imm8 and CL, register and memory destinations, count 0,
 *     1 (OF), the operand size, counts >31 (masked) and, for 16-bit
 *     operands, counts 17..31 where Intel leaves result and flags undefined:
 *     there only the untouched upper half of EAX is checked.
 *
 * Flags checked (Intel SDM, SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD):
 *   masked count 0: no flag affected (all six checked as unchanged);
 *   shifts: CF (last bit out; undefined for SHL/SHR when count >= width),
 *   SF ZF PF from the result, OF only for count 1, AF undefined;
 *   rotates: CF and, for count 1, OF; SF ZF AF PF are never affected (so
 *   they are checked as unchanged, and OF is too when the count is 0);
 *   SHLD/SHRD: CF SF ZF PF for counts 1..size, OF for count 1 only.
 * The expected results and flag values were produced by running each
 * instruction on the host CPU (32-bit protected mode); only the flags the
 * SDM defines for that count are compared (fmask column).
 */
#include "lib.inc"
#include "ar_common.inc"

    RESET_VECTOR start
    .text
start:
    AR_INIT ar_shift

/* ---------------- ROL ---------------- */
    /* 8-bit: count 1 (D0), then by CL (D2) and imm8 (C0) */
    ALU "rolb %al", 0xa5a5a581, 0, 0, 0xa5a5a503, OF|CF
    ALU "rolb %al", 0xa5a5a540, 0, FA, 0xa5a5a580, OF|SF|ZF|AF|PF
    ALU "rolb %al", 0xa5a5a5c0, 0, 0, 0xa5a5a581, CF
    ALU "rolb %al", 0xa5a5a501, 0, FA, 0xa5a5a502, SF|ZF|AF|PF
    ALU "rolb %al", 0xa5a5a57f, 0, 0, 0xa5a5a5fe, OF
    ALU ".byte 0xc0,0xc0,1", 0xa5a5a581, 0, 0, 0xa5a5a503, OF|CF  // C0 /0 ib with count 1
    ALU "rolb %cl,%al", 0xa5a5a5c0, 1, FA, 0xa5a5a581, SF|ZF|AF|PF|CF
    ALU "rolb %cl,%al", 0xa5a5a5b1, 0x5a5a5a00, 0, 0xa5a5a5b1, 0
    ALU "rolb $0,%al", 0xa5a5a5b1, 0, FA, 0xa5a5a5b1, OF|SF|ZF|AF|PF|CF
    ALU "rolb %cl,%al", 0xa5a5a54e, 0x5a5a5a02, FA, 0xa5a5a539, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rolb %cl,%al", 0xa5a5a5b1, 0x5a5a5a07, 0, 0xa5a5a5d8, 0, FA&~OF
    ALU "rolb $7,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a5d8, 0, FA&~OF
    ALU "rolb %cl,%al", 0xa5a5a54e, 0x5a5a5a08, FA, 0xa5a5a54e, SF|ZF|AF|PF, FA&~OF
    ALU "rolb %cl,%al", 0xa5a5a5b1, 0x5a5a5a09, 0, 0xa5a5a563, CF, FA&~OF
    ALU "rolb $9,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a563, CF, FA&~OF
    ALU "rolb %cl,%al", 0xa5a5a5b1, 0x5a5a5a10, 0, 0xa5a5a5b1, CF, FA&~OF
    ALU "rolb %cl,%al", 0xa5a5a54e, 0x5a5a5a1f, FA, 0xa5a5a527, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rolb %cl,%al", 0xa5a5a5b1, 0x5a5a5a20, 0, 0xa5a5a5b1, 0
    ALU "rolb %cl,%al", 0xa5a5a54e, 0x5a5a5a21, FA, 0xa5a5a59c, OF|SF|ZF|AF|PF
    ALU "rolb $33,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a563, OF|CF
    /* 16-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "rolw %ax", 0xa5a58001, 0, 0, 0xa5a50003, OF|CF
    ALU "rolw %ax", 0xa5a54000, 0, FA, 0xa5a58000, OF|SF|ZF|AF|PF
    ALU "rolw %ax", 0xa5a5c000, 0, 0, 0xa5a58001, CF
    ALU "rolw %ax", 0xa5a50001, 0, FA, 0xa5a50002, SF|ZF|AF|PF
    ALU "rolw %ax", 0xa5a57fff, 0, 0, 0xa5a5fffe, OF
    ALU "O16; .byte 0xc1,0xc0,1", 0xa5a58001, 0, 0, 0xa5a50003, OF|CF  // C1 /0 ib with count 1
    ALU "rolw %cl,%ax", 0xa5a5c000, 1, FA, 0xa5a58001, SF|ZF|AF|PF|CF
    ALU "rolw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a00, 0, 0xa5a5b1c3, 0
    ALU "rolw $0,%ax", 0xa5a5b1c3, 0, FA, 0xa5a5b1c3, OF|SF|ZF|AF|PF|CF
    ALU "rolw %cl,%ax", 0xa5a54e3c, 0x5a5a5a02, FA, 0xa5a538f1, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rolw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a0f, 0, 0xa5a5d8e1, CF, FA&~OF
    ALU "rolw $15,%ax", 0xa5a5b1c3, 0, 0, 0xa5a5d8e1, CF, FA&~OF
    ALU "rolw %cl,%ax", 0xa5a54e3c, 0x5a5a5a10, FA, 0xa5a54e3c, SF|ZF|AF|PF, FA&~OF
    ALU "rolw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a11, 0, 0xa5a56387, CF, FA&~OF
    ALU "rolw $17,%ax", 0xa5a5b1c3, 0, 0, 0xa5a56387, CF, FA&~OF
    ALU "rolw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a1f, 0, 0xa5a5d8e1, CF, FA&~OF
    ALU "rolw %cl,%ax", 0xa5a54e3c, 0x5a5a5a20, FA, 0xa5a54e3c, OF|SF|ZF|AF|PF|CF
    ALU "rolw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a21, 0, 0xa5a56387, OF|CF
    ALU "rolw $33,%ax", 0xa5a5b1c3, 0, 0, 0xa5a56387, OF|CF
    /* 32-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "roll %eax", 0x80000001, 0, 0, 0x00000003, OF|CF
    ALU "roll %eax", 0x40000000, 0, FA, 0x80000000, OF|SF|ZF|AF|PF
    ALU "roll %eax", 0xc0000000, 0, 0, 0x80000001, CF
    ALU "roll %eax", 0x00000001, 0, FA, 0x00000002, SF|ZF|AF|PF
    ALU "roll %eax", 0x7fffffff, 0, 0, 0xfffffffe, OF
    ALU "O32; .byte 0xc1,0xc0,1", 0x80000001, 0, 0, 0x00000003, OF|CF  // C1 /0 ib with count 1
    ALU "roll %cl,%eax", 0xc0000000, 1, FA, 0x80000001, SF|ZF|AF|PF|CF
    ALU "roll %cl,%eax", 0xb1c3d2e5, 0x5a5a5a00, 0, 0xb1c3d2e5, 0
    ALU "roll $0,%eax", 0xb1c3d2e5, 0, FA, 0xb1c3d2e5, OF|SF|ZF|AF|PF|CF
    ALU "roll %cl,%eax", 0x4e3c2d1a, 0x5a5a5a02, FA, 0x38f0b469, SF|ZF|AF|PF|CF, FA&~OF
    ALU "roll %cl,%eax", 0xb1c3d2e5, 0x5a5a5a1f, 0, 0xd8e1e972, 0, FA&~OF
    ALU "roll $31,%eax", 0xb1c3d2e5, 0, 0, 0xd8e1e972, 0, FA&~OF
    ALU "roll %cl,%eax", 0x4e3c2d1a, 0x5a5a5a20, FA, 0x4e3c2d1a, OF|SF|ZF|AF|PF|CF
    ALU "roll %cl,%eax", 0xb1c3d2e5, 0x5a5a5a21, 0, 0x6387a5cb, OF|CF
    ALU "roll $33,%eax", 0xb1c3d2e5, 0, 0, 0x6387a5cb, OF|CF
    ALU "roll %cl,%eax", 0x4e3c2d1a, 0x5a5a5a3f, FA, 0x271e168d, SF|ZF|AF|PF|CF, FA&~OF

/* ---------------- ROR ---------------- */
    /* 8-bit: count 1 (D0), then by CL (D2) and imm8 (C0) */
    ALU "rorb %al", 0xa5a5a581, 0, 0, 0xa5a5a5c0, CF
    ALU "rorb %al", 0xa5a5a540, 0, FA, 0xa5a5a520, SF|ZF|AF|PF
    ALU "rorb %al", 0xa5a5a5c0, 0, 0, 0xa5a5a560, OF
    ALU "rorb %al", 0xa5a5a501, 0, FA, 0xa5a5a580, OF|SF|ZF|AF|PF|CF
    ALU "rorb %al", 0xa5a5a57f, 0, 0, 0xa5a5a5bf, OF|CF
    ALU ".byte 0xc0,0xc8,1", 0xa5a5a581, 0, 0, 0xa5a5a5c0, CF  // C0 /1 ib with count 1
    ALU "rorb %cl,%al", 0xa5a5a5c0, 1, FA, 0xa5a5a560, OF|SF|ZF|AF|PF
    ALU "rorb %cl,%al", 0xa5a5a5b1, 0x5a5a5a00, 0, 0xa5a5a5b1, 0
    ALU "rorb $0,%al", 0xa5a5a5b1, 0, FA, 0xa5a5a5b1, OF|SF|ZF|AF|PF|CF
    ALU "rorb %cl,%al", 0xa5a5a54e, 0x5a5a5a02, FA, 0xa5a5a593, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rorb %cl,%al", 0xa5a5a5b1, 0x5a5a5a07, 0, 0xa5a5a563, 0, FA&~OF
    ALU "rorb $7,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a563, 0, FA&~OF
    ALU "rorb %cl,%al", 0xa5a5a54e, 0x5a5a5a08, FA, 0xa5a5a54e, SF|ZF|AF|PF, FA&~OF
    ALU "rorb %cl,%al", 0xa5a5a5b1, 0x5a5a5a09, 0, 0xa5a5a5d8, CF, FA&~OF
    ALU "rorb $9,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a5d8, CF, FA&~OF
    ALU "rorb %cl,%al", 0xa5a5a5b1, 0x5a5a5a10, 0, 0xa5a5a5b1, CF, FA&~OF
    ALU "rorb %cl,%al", 0xa5a5a54e, 0x5a5a5a1f, FA, 0xa5a5a59c, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rorb %cl,%al", 0xa5a5a5b1, 0x5a5a5a20, 0, 0xa5a5a5b1, 0
    ALU "rorb %cl,%al", 0xa5a5a54e, 0x5a5a5a21, FA, 0xa5a5a527, SF|ZF|AF|PF
    ALU "rorb $33,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a5d8, CF
    /* 16-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "rorw %ax", 0xa5a58001, 0, 0, 0xa5a5c000, CF
    ALU "rorw %ax", 0xa5a54000, 0, FA, 0xa5a52000, SF|ZF|AF|PF
    ALU "rorw %ax", 0xa5a5c000, 0, 0, 0xa5a56000, OF
    ALU "rorw %ax", 0xa5a50001, 0, FA, 0xa5a58000, OF|SF|ZF|AF|PF|CF
    ALU "rorw %ax", 0xa5a57fff, 0, 0, 0xa5a5bfff, OF|CF
    ALU "O16; .byte 0xc1,0xc8,1", 0xa5a58001, 0, 0, 0xa5a5c000, CF  // C1 /1 ib with count 1
    ALU "rorw %cl,%ax", 0xa5a5c000, 1, FA, 0xa5a56000, OF|SF|ZF|AF|PF
    ALU "rorw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a00, 0, 0xa5a5b1c3, 0
    ALU "rorw $0,%ax", 0xa5a5b1c3, 0, FA, 0xa5a5b1c3, OF|SF|ZF|AF|PF|CF
    ALU "rorw %cl,%ax", 0xa5a54e3c, 0x5a5a5a02, FA, 0xa5a5138f, SF|ZF|AF|PF, FA&~OF
    ALU "rorw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a0f, 0, 0xa5a56387, 0, FA&~OF
    ALU "rorw $15,%ax", 0xa5a5b1c3, 0, 0, 0xa5a56387, 0, FA&~OF
    ALU "rorw %cl,%ax", 0xa5a54e3c, 0x5a5a5a10, FA, 0xa5a54e3c, SF|ZF|AF|PF, FA&~OF
    ALU "rorw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a11, 0, 0xa5a5d8e1, CF, FA&~OF
    ALU "rorw $17,%ax", 0xa5a5b1c3, 0, 0, 0xa5a5d8e1, CF, FA&~OF
    ALU "rorw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a1f, 0, 0xa5a56387, 0, FA&~OF
    ALU "rorw %cl,%ax", 0xa5a54e3c, 0x5a5a5a20, FA, 0xa5a54e3c, OF|SF|ZF|AF|PF|CF
    ALU "rorw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a21, 0, 0xa5a5d8e1, CF
    ALU "rorw $33,%ax", 0xa5a5b1c3, 0, 0, 0xa5a5d8e1, CF
    /* 32-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "rorl %eax", 0x80000001, 0, 0, 0xc0000000, CF
    ALU "rorl %eax", 0x40000000, 0, FA, 0x20000000, SF|ZF|AF|PF
    ALU "rorl %eax", 0xc0000000, 0, 0, 0x60000000, OF
    ALU "rorl %eax", 0x00000001, 0, FA, 0x80000000, OF|SF|ZF|AF|PF|CF
    ALU "rorl %eax", 0x7fffffff, 0, 0, 0xbfffffff, OF|CF
    ALU "O32; .byte 0xc1,0xc8,1", 0x80000001, 0, 0, 0xc0000000, CF  // C1 /1 ib with count 1
    ALU "rorl %cl,%eax", 0xc0000000, 1, FA, 0x60000000, OF|SF|ZF|AF|PF
    ALU "rorl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a00, 0, 0xb1c3d2e5, 0
    ALU "rorl $0,%eax", 0xb1c3d2e5, 0, FA, 0xb1c3d2e5, OF|SF|ZF|AF|PF|CF
    ALU "rorl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a02, FA, 0x938f0b46, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rorl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a1f, 0, 0x6387a5cb, 0, FA&~OF
    ALU "rorl $31,%eax", 0xb1c3d2e5, 0, 0, 0x6387a5cb, 0, FA&~OF
    ALU "rorl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a20, FA, 0x4e3c2d1a, OF|SF|ZF|AF|PF|CF
    ALU "rorl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a21, 0, 0xd8e1e972, CF
    ALU "rorl $33,%eax", 0xb1c3d2e5, 0, 0, 0xd8e1e972, CF
    ALU "rorl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a3f, FA, 0x9c785a34, SF|ZF|AF|PF|CF, FA&~OF

/* ---------------- RCL ---------------- */
    /* 8-bit: count 1 (D0), then by CL (D2) and imm8 (C0) */
    ALU "rclb %al", 0xa5a5a581, 0, 0, 0xa5a5a502, OF|CF
    ALU "rclb %al", 0xa5a5a540, 0, CF, 0xa5a5a581, OF
    ALU "rclb %al", 0xa5a5a5c0, 0, FA&~CF, 0xa5a5a580, SF|ZF|AF|PF|CF
    ALU "rclb %al", 0xa5a5a501, 0, FA, 0xa5a5a503, SF|ZF|AF|PF
    ALU "rclb %al", 0xa5a5a57f, 0, 0, 0xa5a5a5fe, OF
    ALU ".byte 0xc0,0xd0,1", 0xa5a5a581, 0, CF, 0xa5a5a503, OF|CF  // C0 /2 ib with count 1
    ALU "rclb %cl,%al", 0xa5a5a5c0, 1, CF, 0xa5a5a581, CF
    ALU "rclb %cl,%al", 0xa5a5a5b1, 0x5a5a5a00, CF, 0xa5a5a5b1, CF
    ALU "rclb $0,%al", 0xa5a5a5b1, 0, FA, 0xa5a5a5b1, OF|SF|ZF|AF|PF|CF
    ALU "rclb %cl,%al", 0xa5a5a54e, 0x5a5a5a02, FA&~CF, 0xa5a5a538, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rclb %cl,%al", 0xa5a5a5b1, 0x5a5a5a07, CF, 0xa5a5a5ec, 0, FA&~OF
    ALU "rclb $7,%al", 0xa5a5a5b1, 0, CF, 0xa5a5a5ec, 0, FA&~OF
    ALU "rclb %cl,%al", 0xa5a5a54e, 0x5a5a5a08, FA&~CF, 0xa5a5a527, SF|ZF|AF|PF, FA&~OF
    ALU "rclb %cl,%al", 0xa5a5a5b1, 0x5a5a5a09, CF, 0xa5a5a5b1, CF, FA&~OF
    ALU "rclb $9,%al", 0xa5a5a5b1, 0, CF, 0xa5a5a5b1, CF, FA&~OF
    ALU "rclb %cl,%al", 0xa5a5a54e, 0x5a5a5a0a, FA&~CF, 0xa5a5a59c, SF|ZF|AF|PF, FA&~OF
    ALU "rclb %cl,%al", 0xa5a5a5b1, 0x5a5a5a10, CF, 0xa5a5a5ec, 0, FA&~OF
    ALU "rclb %cl,%al", 0xa5a5a54e, 0x5a5a5a11, FA&~CF, 0xa5a5a527, SF|ZF|AF|PF, FA&~OF
    ALU "rclb %cl,%al", 0xa5a5a5b1, 0x5a5a5a12, CF, 0xa5a5a5b1, CF, FA&~OF
    ALU "rclb %cl,%al", 0xa5a5a54e, 0x5a5a5a1f, FA&~CF, 0xa5a5a5e2, SF|ZF|AF|PF, FA&~OF
    ALU "rclb %cl,%al", 0xa5a5a5b1, 0x5a5a5a20, CF, 0xa5a5a5b1, CF
    ALU "rclb %cl,%al", 0xa5a5a54e, 0x5a5a5a21, FA&~CF, 0xa5a5a59c, OF|SF|ZF|AF|PF
    ALU "rclb $33,%al", 0xa5a5a5b1, 0, CF, 0xa5a5a563, OF|CF
    /* 16-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "rclw %ax", 0xa5a58001, 0, 0, 0xa5a50002, OF|CF
    ALU "rclw %ax", 0xa5a54000, 0, CF, 0xa5a58001, OF
    ALU "rclw %ax", 0xa5a5c000, 0, FA&~CF, 0xa5a58000, SF|ZF|AF|PF|CF
    ALU "rclw %ax", 0xa5a50001, 0, FA, 0xa5a50003, SF|ZF|AF|PF
    ALU "rclw %ax", 0xa5a57fff, 0, 0, 0xa5a5fffe, OF
    ALU "O16; .byte 0xc1,0xd0,1", 0xa5a58001, 0, CF, 0xa5a50003, OF|CF  // C1 /2 ib with count 1
    ALU "rclw %cl,%ax", 0xa5a5c000, 1, CF, 0xa5a58001, CF
    ALU "rclw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a00, CF, 0xa5a5b1c3, CF
    ALU "rclw $0,%ax", 0xa5a5b1c3, 0, FA, 0xa5a5b1c3, OF|SF|ZF|AF|PF|CF
    ALU "rclw %cl,%ax", 0xa5a54e3c, 0x5a5a5a02, FA&~CF, 0xa5a538f0, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rclw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a0f, CF, 0xa5a5ec70, CF, FA&~OF
    ALU "rclw $15,%ax", 0xa5a5b1c3, 0, CF, 0xa5a5ec70, CF, FA&~OF
    ALU "rclw %cl,%ax", 0xa5a54e3c, 0x5a5a5a10, FA&~CF, 0xa5a5271e, SF|ZF|AF|PF, FA&~OF
    ALU "rclw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a11, CF, 0xa5a5b1c3, CF, FA&~OF
    ALU "rclw $17,%ax", 0xa5a5b1c3, 0, CF, 0xa5a5b1c3, CF, FA&~OF
    ALU "rclw %cl,%ax", 0xa5a54e3c, 0x5a5a5a12, FA&~CF, 0xa5a59c78, SF|ZF|AF|PF, FA&~OF
    ALU "rclw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a1f, CF, 0xa5a5f638, 0, FA&~OF
    ALU "rclw %cl,%ax", 0xa5a54e3c, 0x5a5a5a20, FA&~CF, 0xa5a54e3c, OF|SF|ZF|AF|PF
    ALU "rclw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a21, CF, 0xa5a56387, OF|CF
    ALU "rclw $33,%ax", 0xa5a5b1c3, 0, CF, 0xa5a56387, OF|CF
    /* 32-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "rcll %eax", 0x80000001, 0, 0, 0x00000002, OF|CF
    ALU "rcll %eax", 0x40000000, 0, CF, 0x80000001, OF
    ALU "rcll %eax", 0xc0000000, 0, FA&~CF, 0x80000000, SF|ZF|AF|PF|CF
    ALU "rcll %eax", 0x00000001, 0, FA, 0x00000003, SF|ZF|AF|PF
    ALU "rcll %eax", 0x7fffffff, 0, 0, 0xfffffffe, OF
    ALU "O32; .byte 0xc1,0xd0,1", 0x80000001, 0, CF, 0x00000003, OF|CF  // C1 /2 ib with count 1
    ALU "rcll %cl,%eax", 0xc0000000, 1, CF, 0x80000001, CF
    ALU "rcll %cl,%eax", 0xb1c3d2e5, 0x5a5a5a00, CF, 0xb1c3d2e5, CF
    ALU "rcll $0,%eax", 0xb1c3d2e5, 0, FA, 0xb1c3d2e5, OF|SF|ZF|AF|PF|CF
    ALU "rcll %cl,%eax", 0x4e3c2d1a, 0x5a5a5a02, FA&~CF, 0x38f0b468, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rcll %cl,%eax", 0xb1c3d2e5, 0x5a5a5a1f, CF, 0xec70f4b9, 0, FA&~OF
    ALU "rcll $31,%eax", 0xb1c3d2e5, 0, CF, 0xec70f4b9, 0, FA&~OF
    ALU "rcll %cl,%eax", 0x4e3c2d1a, 0x5a5a5a20, FA&~CF, 0x4e3c2d1a, OF|SF|ZF|AF|PF
    ALU "rcll %cl,%eax", 0xb1c3d2e5, 0x5a5a5a21, CF, 0x6387a5cb, OF|CF
    ALU "rcll $33,%eax", 0xb1c3d2e5, 0, CF, 0x6387a5cb, OF|CF
    ALU "rcll %cl,%eax", 0x4e3c2d1a, 0x5a5a5a3f, FA&~CF, 0x138f0b46, SF|ZF|AF|PF|CF, FA&~OF

/* ---------------- RCR ---------------- */
    /* 8-bit: count 1 (D0), then by CL (D2) and imm8 (C0) */
    ALU "rcrb %al", 0xa5a5a581, 0, 0, 0xa5a5a540, OF|CF
    ALU "rcrb %al", 0xa5a5a540, 0, CF, 0xa5a5a5a0, OF
    ALU "rcrb %al", 0xa5a5a5c0, 0, FA&~CF, 0xa5a5a560, OF|SF|ZF|AF|PF
    ALU "rcrb %al", 0xa5a5a501, 0, FA, 0xa5a5a580, OF|SF|ZF|AF|PF|CF
    ALU "rcrb %al", 0xa5a5a57f, 0, 0, 0xa5a5a53f, CF
    ALU ".byte 0xc0,0xd8,1", 0xa5a5a581, 0, CF, 0xa5a5a5c0, CF  // C0 /3 ib with count 1
    ALU "rcrb %cl,%al", 0xa5a5a5c0, 1, CF, 0xa5a5a5e0, 0
    ALU "rcrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a00, CF, 0xa5a5a5b1, CF
    ALU "rcrb $0,%al", 0xa5a5a5b1, 0, FA, 0xa5a5a5b1, OF|SF|ZF|AF|PF|CF
    ALU "rcrb %cl,%al", 0xa5a5a54e, 0x5a5a5a02, FA&~CF, 0xa5a5a513, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rcrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a07, CF, 0xa5a5a5c7, 0, FA&~OF
    ALU "rcrb $7,%al", 0xa5a5a5b1, 0, CF, 0xa5a5a5c7, 0, FA&~OF
    ALU "rcrb %cl,%al", 0xa5a5a54e, 0x5a5a5a08, FA&~CF, 0xa5a5a59c, SF|ZF|AF|PF, FA&~OF
    ALU "rcrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a09, CF, 0xa5a5a5b1, CF, FA&~OF
    ALU "rcrb $9,%al", 0xa5a5a5b1, 0, CF, 0xa5a5a5b1, CF, FA&~OF
    ALU "rcrb %cl,%al", 0xa5a5a54e, 0x5a5a5a0a, FA&~CF, 0xa5a5a527, SF|ZF|AF|PF, FA&~OF
    ALU "rcrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a10, CF, 0xa5a5a5c7, 0, FA&~OF
    ALU "rcrb %cl,%al", 0xa5a5a54e, 0x5a5a5a11, FA&~CF, 0xa5a5a59c, SF|ZF|AF|PF, FA&~OF
    ALU "rcrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a12, CF, 0xa5a5a5b1, CF, FA&~OF
    ALU "rcrb %cl,%al", 0xa5a5a54e, 0x5a5a5a1f, FA&~CF, 0xa5a5a5c4, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rcrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a20, CF, 0xa5a5a5b1, CF
    ALU "rcrb %cl,%al", 0xa5a5a54e, 0x5a5a5a21, FA&~CF, 0xa5a5a527, SF|ZF|AF|PF
    ALU "rcrb $33,%al", 0xa5a5a5b1, 0, CF, 0xa5a5a5d8, CF
    /* 16-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "rcrw %ax", 0xa5a58001, 0, 0, 0xa5a54000, OF|CF
    ALU "rcrw %ax", 0xa5a54000, 0, CF, 0xa5a5a000, OF
    ALU "rcrw %ax", 0xa5a5c000, 0, FA&~CF, 0xa5a56000, OF|SF|ZF|AF|PF
    ALU "rcrw %ax", 0xa5a50001, 0, FA, 0xa5a58000, OF|SF|ZF|AF|PF|CF
    ALU "rcrw %ax", 0xa5a57fff, 0, 0, 0xa5a53fff, CF
    ALU "O16; .byte 0xc1,0xd8,1", 0xa5a58001, 0, CF, 0xa5a5c000, CF  // C1 /3 ib with count 1
    ALU "rcrw %cl,%ax", 0xa5a5c000, 1, CF, 0xa5a5e000, 0
    ALU "rcrw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a00, CF, 0xa5a5b1c3, CF
    ALU "rcrw $0,%ax", 0xa5a5b1c3, 0, FA, 0xa5a5b1c3, OF|SF|ZF|AF|PF|CF
    ALU "rcrw %cl,%ax", 0xa5a54e3c, 0x5a5a5a02, FA&~CF, 0xa5a5138f, SF|ZF|AF|PF, FA&~OF
    ALU "rcrw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a0f, CF, 0xa5a5c70f, 0, FA&~OF
    ALU "rcrw $15,%ax", 0xa5a5b1c3, 0, CF, 0xa5a5c70f, 0, FA&~OF
    ALU "rcrw %cl,%ax", 0xa5a54e3c, 0x5a5a5a10, FA&~CF, 0xa5a59c78, SF|ZF|AF|PF, FA&~OF
    ALU "rcrw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a11, CF, 0xa5a5b1c3, CF, FA&~OF
    ALU "rcrw $17,%ax", 0xa5a5b1c3, 0, CF, 0xa5a5b1c3, CF, FA&~OF
    ALU "rcrw %cl,%ax", 0xa5a54e3c, 0x5a5a5a12, FA&~CF, 0xa5a5271e, SF|ZF|AF|PF, FA&~OF
    ALU "rcrw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a1f, CF, 0xa5a58e1e, CF, FA&~OF
    ALU "rcrw %cl,%ax", 0xa5a54e3c, 0x5a5a5a20, FA&~CF, 0xa5a54e3c, OF|SF|ZF|AF|PF
    ALU "rcrw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a21, CF, 0xa5a5d8e1, CF
    ALU "rcrw $33,%ax", 0xa5a5b1c3, 0, CF, 0xa5a5d8e1, CF
    /* 32-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "rcrl %eax", 0x80000001, 0, 0, 0x40000000, OF|CF
    ALU "rcrl %eax", 0x40000000, 0, CF, 0xa0000000, OF
    ALU "rcrl %eax", 0xc0000000, 0, FA&~CF, 0x60000000, OF|SF|ZF|AF|PF
    ALU "rcrl %eax", 0x00000001, 0, FA, 0x80000000, OF|SF|ZF|AF|PF|CF
    ALU "rcrl %eax", 0x7fffffff, 0, 0, 0x3fffffff, CF
    ALU "O32; .byte 0xc1,0xd8,1", 0x80000001, 0, CF, 0xc0000000, CF  // C1 /3 ib with count 1
    ALU "rcrl %cl,%eax", 0xc0000000, 1, CF, 0xe0000000, 0
    ALU "rcrl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a00, CF, 0xb1c3d2e5, CF
    ALU "rcrl $0,%eax", 0xb1c3d2e5, 0, FA, 0xb1c3d2e5, OF|SF|ZF|AF|PF|CF
    ALU "rcrl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a02, FA&~CF, 0x138f0b46, SF|ZF|AF|PF|CF, FA&~OF
    ALU "rcrl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a1f, CF, 0xc70f4b97, 0, FA&~OF
    ALU "rcrl $31,%eax", 0xb1c3d2e5, 0, CF, 0xc70f4b97, 0, FA&~OF
    ALU "rcrl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a20, FA&~CF, 0x4e3c2d1a, OF|SF|ZF|AF|PF
    ALU "rcrl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a21, CF, 0xd8e1e972, CF
    ALU "rcrl $33,%eax", 0xb1c3d2e5, 0, CF, 0xd8e1e972, CF
    ALU "rcrl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a3f, FA&~CF, 0x38f0b468, SF|ZF|AF|PF|CF, FA&~OF

/* ---------------- SHL ---------------- */
    /* 8-bit: count 1 (D0), then by CL (D2) and imm8 (C0) */
    ALU "shlb %al", 0xa5a5a581, 0, 0, 0xa5a5a502, OF|CF, CF|PF|ZF|SF|OF
    ALU "shlb %al", 0xa5a5a540, 0, FA, 0xa5a5a580, OF|SF, CF|PF|ZF|SF|OF
    ALU "shlb %al", 0xa5a5a5c0, 0, 0, 0xa5a5a580, SF|CF, CF|PF|ZF|SF|OF
    ALU "shlb %al", 0xa5a5a501, 0, FA, 0xa5a5a502, 0, CF|PF|ZF|SF|OF
    ALU "shlb %al", 0xa5a5a57f, 0, 0, 0xa5a5a5fe, OF|SF, CF|PF|ZF|SF|OF
    ALU ".byte 0xc0,0xe0,1", 0xa5a5a581, 0, 0, 0xa5a5a502, OF|CF, CF|PF|ZF|SF|OF  // C0 /4 ib with count 1
    ALU "shlb %cl,%al", 0xa5a5a5c0, 1, FA, 0xa5a5a580, SF|CF, CF|PF|ZF|SF|OF
    ALU "shlb %cl,%al", 0xa5a5a5b1, 0x5a5a5a00, 0, 0xa5a5a5b1, 0
    ALU "shlb $0,%al", 0xa5a5a5b1, 0, FA, 0xa5a5a5b1, OF|SF|ZF|AF|PF|CF
    ALU "shlb %cl,%al", 0xa5a5a54e, 0x5a5a5a02, FA, 0xa5a5a538, CF, CF|PF|ZF|SF
    ALU "shlb %cl,%al", 0xa5a5a5b1, 0x5a5a5a07, 0, 0xa5a5a580, SF, CF|PF|ZF|SF
    ALU "shlb $7,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a580, SF, CF|PF|ZF|SF
    ALU "shlb %cl,%al", 0xa5a5a54e, 0x5a5a5a08, FA, 0xa5a5a500, ZF|PF, PF|ZF|SF
    ALU "shlb %cl,%al", 0xa5a5a5b1, 0x5a5a5a09, 0, 0xa5a5a500, ZF|PF, PF|ZF|SF
    ALU "shlb $9,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a500, ZF|PF, PF|ZF|SF
    ALU "shlb %cl,%al", 0xa5a5a5b1, 0x5a5a5a10, 0, 0xa5a5a500, ZF|PF, PF|ZF|SF
    ALU "shlb %cl,%al", 0xa5a5a54e, 0x5a5a5a1f, FA, 0xa5a5a500, ZF|PF, PF|ZF|SF
    ALU "shlb %cl,%al", 0xa5a5a5b1, 0x5a5a5a20, 0, 0xa5a5a5b1, 0
    ALU "shlb %cl,%al", 0xa5a5a54e, 0x5a5a5a21, FA, 0xa5a5a59c, OF|SF|PF, CF|PF|ZF|SF|OF
    ALU "shlb $33,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a562, OF|CF, CF|PF|ZF|SF|OF
    /* 16-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "shlw %ax", 0xa5a58001, 0, 0, 0xa5a50002, OF|CF, CF|PF|ZF|SF|OF
    ALU "shlw %ax", 0xa5a54000, 0, FA, 0xa5a58000, OF|SF|PF, CF|PF|ZF|SF|OF
    ALU "shlw %ax", 0xa5a5c000, 0, 0, 0xa5a58000, SF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shlw %ax", 0xa5a50001, 0, FA, 0xa5a50002, 0, CF|PF|ZF|SF|OF
    ALU "shlw %ax", 0xa5a57fff, 0, 0, 0xa5a5fffe, OF|SF, CF|PF|ZF|SF|OF
    ALU "O16; .byte 0xc1,0xe0,1", 0xa5a58001, 0, 0, 0xa5a50002, OF|CF, CF|PF|ZF|SF|OF  // C1 /4 ib with count 1
    ALU "shlw %cl,%ax", 0xa5a5c000, 1, FA, 0xa5a58000, SF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shlw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a00, 0, 0xa5a5b1c3, 0
    ALU "shlw $0,%ax", 0xa5a5b1c3, 0, FA, 0xa5a5b1c3, OF|SF|ZF|AF|PF|CF
    ALU "shlw %cl,%ax", 0xa5a54e3c, 0x5a5a5a02, FA, 0xa5a538f0, PF|CF, CF|PF|ZF|SF
    ALU "shlw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a0f, 0, 0xa5a58000, SF|PF|CF, CF|PF|ZF|SF
    ALU "shlw $15,%ax", 0xa5a5b1c3, 0, 0, 0xa5a58000, SF|PF|CF, CF|PF|ZF|SF
    ALU "shlw %cl,%ax", 0xa5a54e3c, 0x5a5a5a10, FA, 0xa5a50000, ZF|PF, PF|ZF|SF
    ALU "shlw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a11, 0, 0xa5a50000, ZF|PF, PF|ZF|SF
    ALU "shlw $17,%ax", 0xa5a5b1c3, 0, 0, 0xa5a50000, ZF|PF, PF|ZF|SF
    ALU "shlw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a1f, 0, 0xa5a50000, ZF|PF, PF|ZF|SF
    ALU "shlw %cl,%ax", 0xa5a54e3c, 0x5a5a5a20, FA, 0xa5a54e3c, OF|SF|ZF|AF|PF|CF
    ALU "shlw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a21, 0, 0xa5a56386, OF|CF, CF|PF|ZF|SF|OF
    ALU "shlw $33,%ax", 0xa5a5b1c3, 0, 0, 0xa5a56386, OF|CF, CF|PF|ZF|SF|OF
    /* 32-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "shll %eax", 0x80000001, 0, 0, 0x00000002, OF|CF, CF|PF|ZF|SF|OF
    ALU "shll %eax", 0x40000000, 0, FA, 0x80000000, OF|SF|PF, CF|PF|ZF|SF|OF
    ALU "shll %eax", 0xc0000000, 0, 0, 0x80000000, SF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shll %eax", 0x00000001, 0, FA, 0x00000002, 0, CF|PF|ZF|SF|OF
    ALU "shll %eax", 0x7fffffff, 0, 0, 0xfffffffe, OF|SF, CF|PF|ZF|SF|OF
    ALU "O32; .byte 0xc1,0xe0,1", 0x80000001, 0, 0, 0x00000002, OF|CF, CF|PF|ZF|SF|OF  // C1 /4 ib with count 1
    ALU "shll %cl,%eax", 0xc0000000, 1, FA, 0x80000000, SF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shll %cl,%eax", 0xb1c3d2e5, 0x5a5a5a00, 0, 0xb1c3d2e5, 0
    ALU "shll $0,%eax", 0xb1c3d2e5, 0, FA, 0xb1c3d2e5, OF|SF|ZF|AF|PF|CF
    ALU "shll %cl,%eax", 0x4e3c2d1a, 0x5a5a5a02, FA, 0x38f0b468, CF, CF|PF|ZF|SF
    ALU "shll %cl,%eax", 0xb1c3d2e5, 0x5a5a5a1f, 0, 0x80000000, SF|PF, CF|PF|ZF|SF
    ALU "shll $31,%eax", 0xb1c3d2e5, 0, 0, 0x80000000, SF|PF, CF|PF|ZF|SF
    ALU "shll %cl,%eax", 0x4e3c2d1a, 0x5a5a5a20, FA, 0x4e3c2d1a, OF|SF|ZF|AF|PF|CF
    ALU "shll %cl,%eax", 0xb1c3d2e5, 0x5a5a5a21, 0, 0x6387a5ca, OF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shll $33,%eax", 0xb1c3d2e5, 0, 0, 0x6387a5ca, OF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shll %cl,%eax", 0x4e3c2d1a, 0x5a5a5a3f, FA, 0x00000000, ZF|PF|CF, CF|PF|ZF|SF

/* ---------------- SHR ---------------- */
    /* 8-bit: count 1 (D0), then by CL (D2) and imm8 (C0) */
    ALU "shrb %al", 0xa5a5a581, 0, 0, 0xa5a5a540, OF|CF, CF|PF|ZF|SF|OF
    ALU "shrb %al", 0xa5a5a540, 0, FA, 0xa5a5a520, 0, CF|PF|ZF|SF|OF
    ALU "shrb %al", 0xa5a5a5c0, 0, 0, 0xa5a5a560, OF|PF, CF|PF|ZF|SF|OF
    ALU "shrb %al", 0xa5a5a501, 0, FA, 0xa5a5a500, ZF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shrb %al", 0xa5a5a57f, 0, 0, 0xa5a5a53f, PF|CF, CF|PF|ZF|SF|OF
    ALU ".byte 0xc0,0xe8,1", 0xa5a5a581, 0, 0, 0xa5a5a540, OF|CF, CF|PF|ZF|SF|OF  // C0 /5 ib with count 1
    ALU "shrb %cl,%al", 0xa5a5a5c0, 1, FA, 0xa5a5a560, OF|PF, CF|PF|ZF|SF|OF
    ALU "shrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a00, 0, 0xa5a5a5b1, 0
    ALU "shrb $0,%al", 0xa5a5a5b1, 0, FA, 0xa5a5a5b1, OF|SF|ZF|AF|PF|CF
    ALU "shrb %cl,%al", 0xa5a5a54e, 0x5a5a5a02, FA, 0xa5a5a513, CF, CF|PF|ZF|SF
    ALU "shrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a07, 0, 0xa5a5a501, 0, CF|PF|ZF|SF
    ALU "shrb $7,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a501, 0, CF|PF|ZF|SF
    ALU "shrb %cl,%al", 0xa5a5a54e, 0x5a5a5a08, FA, 0xa5a5a500, ZF|PF, PF|ZF|SF
    ALU "shrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a09, 0, 0xa5a5a500, ZF|PF, PF|ZF|SF
    ALU "shrb $9,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a500, ZF|PF, PF|ZF|SF
    ALU "shrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a10, 0, 0xa5a5a500, ZF|PF, PF|ZF|SF
    ALU "shrb %cl,%al", 0xa5a5a54e, 0x5a5a5a1f, FA, 0xa5a5a500, ZF|PF, PF|ZF|SF
    ALU "shrb %cl,%al", 0xa5a5a5b1, 0x5a5a5a20, 0, 0xa5a5a5b1, 0
    ALU "shrb %cl,%al", 0xa5a5a54e, 0x5a5a5a21, FA, 0xa5a5a527, PF, CF|PF|ZF|SF|OF
    ALU "shrb $33,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a558, OF|CF, CF|PF|ZF|SF|OF
    /* 16-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "shrw %ax", 0xa5a58001, 0, 0, 0xa5a54000, OF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shrw %ax", 0xa5a54000, 0, FA, 0xa5a52000, PF, CF|PF|ZF|SF|OF
    ALU "shrw %ax", 0xa5a5c000, 0, 0, 0xa5a56000, OF|PF, CF|PF|ZF|SF|OF
    ALU "shrw %ax", 0xa5a50001, 0, FA, 0xa5a50000, ZF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shrw %ax", 0xa5a57fff, 0, 0, 0xa5a53fff, PF|CF, CF|PF|ZF|SF|OF
    ALU "O16; .byte 0xc1,0xe8,1", 0xa5a58001, 0, 0, 0xa5a54000, OF|PF|CF, CF|PF|ZF|SF|OF  // C1 /5 ib with count 1
    ALU "shrw %cl,%ax", 0xa5a5c000, 1, FA, 0xa5a56000, OF|PF, CF|PF|ZF|SF|OF
    ALU "shrw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a00, 0, 0xa5a5b1c3, 0
    ALU "shrw $0,%ax", 0xa5a5b1c3, 0, FA, 0xa5a5b1c3, OF|SF|ZF|AF|PF|CF
    ALU "shrw %cl,%ax", 0xa5a54e3c, 0x5a5a5a02, FA, 0xa5a5138f, 0, CF|PF|ZF|SF
    ALU "shrw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a0f, 0, 0xa5a50001, 0, CF|PF|ZF|SF
    ALU "shrw $15,%ax", 0xa5a5b1c3, 0, 0, 0xa5a50001, 0, CF|PF|ZF|SF
    ALU "shrw %cl,%ax", 0xa5a54e3c, 0x5a5a5a10, FA, 0xa5a50000, ZF|PF, PF|ZF|SF
    ALU "shrw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a11, 0, 0xa5a50000, ZF|PF, PF|ZF|SF
    ALU "shrw $17,%ax", 0xa5a5b1c3, 0, 0, 0xa5a50000, ZF|PF, PF|ZF|SF
    ALU "shrw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a1f, 0, 0xa5a50000, ZF|PF, PF|ZF|SF
    ALU "shrw %cl,%ax", 0xa5a54e3c, 0x5a5a5a20, FA, 0xa5a54e3c, OF|SF|ZF|AF|PF|CF
    ALU "shrw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a21, 0, 0xa5a558e1, OF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shrw $33,%ax", 0xa5a5b1c3, 0, 0, 0xa5a558e1, OF|PF|CF, CF|PF|ZF|SF|OF
    /* 32-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "shrl %eax", 0x80000001, 0, 0, 0x40000000, OF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shrl %eax", 0x40000000, 0, FA, 0x20000000, PF, CF|PF|ZF|SF|OF
    ALU "shrl %eax", 0xc0000000, 0, 0, 0x60000000, OF|PF, CF|PF|ZF|SF|OF
    ALU "shrl %eax", 0x00000001, 0, FA, 0x00000000, ZF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shrl %eax", 0x7fffffff, 0, 0, 0x3fffffff, PF|CF, CF|PF|ZF|SF|OF
    ALU "O32; .byte 0xc1,0xe8,1", 0x80000001, 0, 0, 0x40000000, OF|PF|CF, CF|PF|ZF|SF|OF  // C1 /5 ib with count 1
    ALU "shrl %cl,%eax", 0xc0000000, 1, FA, 0x60000000, OF|PF, CF|PF|ZF|SF|OF
    ALU "shrl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a00, 0, 0xb1c3d2e5, 0
    ALU "shrl $0,%eax", 0xb1c3d2e5, 0, FA, 0xb1c3d2e5, OF|SF|ZF|AF|PF|CF
    ALU "shrl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a02, FA, 0x138f0b46, CF, CF|PF|ZF|SF
    ALU "shrl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a1f, 0, 0x00000001, 0, CF|PF|ZF|SF
    ALU "shrl $31,%eax", 0xb1c3d2e5, 0, 0, 0x00000001, 0, CF|PF|ZF|SF
    ALU "shrl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a20, FA, 0x4e3c2d1a, OF|SF|ZF|AF|PF|CF
    ALU "shrl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a21, 0, 0x58e1e972, OF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shrl $33,%eax", 0xb1c3d2e5, 0, 0, 0x58e1e972, OF|PF|CF, CF|PF|ZF|SF|OF
    ALU "shrl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a3f, FA, 0x00000000, ZF|PF|CF, CF|PF|ZF|SF

/* ---------------- SAR ---------------- */
    /* 8-bit: count 1 (D0), then by CL (D2) and imm8 (C0) */
    ALU "sarb %al", 0xa5a5a581, 0, 0, 0xa5a5a5c0, SF|PF|CF, CF|PF|ZF|SF|OF
    ALU "sarb %al", 0xa5a5a540, 0, FA, 0xa5a5a520, 0, CF|PF|ZF|SF|OF
    ALU "sarb %al", 0xa5a5a5c0, 0, 0, 0xa5a5a5e0, SF, CF|PF|ZF|SF|OF
    ALU "sarb %al", 0xa5a5a501, 0, FA, 0xa5a5a500, ZF|PF|CF, CF|PF|ZF|SF|OF
    ALU "sarb %al", 0xa5a5a57f, 0, 0, 0xa5a5a53f, PF|CF, CF|PF|ZF|SF|OF
    ALU ".byte 0xc0,0xf8,1", 0xa5a5a581, 0, 0, 0xa5a5a5c0, SF|PF|CF, CF|PF|ZF|SF|OF  // C0 /7 ib with count 1
    ALU "sarb %cl,%al", 0xa5a5a5c0, 1, FA, 0xa5a5a5e0, SF, CF|PF|ZF|SF|OF
    ALU "sarb %cl,%al", 0xa5a5a5b1, 0x5a5a5a00, 0, 0xa5a5a5b1, 0
    ALU "sarb $0,%al", 0xa5a5a5b1, 0, FA, 0xa5a5a5b1, OF|SF|ZF|AF|PF|CF
    ALU "sarb %cl,%al", 0xa5a5a54e, 0x5a5a5a02, FA, 0xa5a5a513, CF, CF|PF|ZF|SF
    ALU "sarb %cl,%al", 0xa5a5a5b1, 0x5a5a5a07, 0, 0xa5a5a5ff, SF|PF, CF|PF|ZF|SF
    ALU "sarb $7,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a5ff, SF|PF, CF|PF|ZF|SF
    ALU "sarb %cl,%al", 0xa5a5a54e, 0x5a5a5a08, FA, 0xa5a5a500, ZF|PF, CF|PF|ZF|SF
    ALU "sarb %cl,%al", 0xa5a5a5b1, 0x5a5a5a09, 0, 0xa5a5a5ff, SF|PF|CF, CF|PF|ZF|SF
    ALU "sarb $9,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a5ff, SF|PF|CF, CF|PF|ZF|SF
    ALU "sarb %cl,%al", 0xa5a5a5b1, 0x5a5a5a10, 0, 0xa5a5a5ff, SF|PF|CF, CF|PF|ZF|SF
    ALU "sarb %cl,%al", 0xa5a5a54e, 0x5a5a5a1f, FA, 0xa5a5a500, ZF|PF, CF|PF|ZF|SF
    ALU "sarb %cl,%al", 0xa5a5a5b1, 0x5a5a5a20, 0, 0xa5a5a5b1, 0
    ALU "sarb %cl,%al", 0xa5a5a54e, 0x5a5a5a21, FA, 0xa5a5a527, PF, CF|PF|ZF|SF|OF
    ALU "sarb $33,%al", 0xa5a5a5b1, 0, 0, 0xa5a5a5d8, SF|PF|CF, CF|PF|ZF|SF|OF
    /* 16-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "sarw %ax", 0xa5a58001, 0, 0, 0xa5a5c000, SF|PF|CF, CF|PF|ZF|SF|OF
    ALU "sarw %ax", 0xa5a54000, 0, FA, 0xa5a52000, PF, CF|PF|ZF|SF|OF
    ALU "sarw %ax", 0xa5a5c000, 0, 0, 0xa5a5e000, SF|PF, CF|PF|ZF|SF|OF
    ALU "sarw %ax", 0xa5a50001, 0, FA, 0xa5a50000, ZF|PF|CF, CF|PF|ZF|SF|OF
    ALU "sarw %ax", 0xa5a57fff, 0, 0, 0xa5a53fff, PF|CF, CF|PF|ZF|SF|OF
    ALU "O16; .byte 0xc1,0xf8,1", 0xa5a58001, 0, 0, 0xa5a5c000, SF|PF|CF, CF|PF|ZF|SF|OF  // C1 /7 ib with count 1
    ALU "sarw %cl,%ax", 0xa5a5c000, 1, FA, 0xa5a5e000, SF|PF, CF|PF|ZF|SF|OF
    ALU "sarw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a00, 0, 0xa5a5b1c3, 0
    ALU "sarw $0,%ax", 0xa5a5b1c3, 0, FA, 0xa5a5b1c3, OF|SF|ZF|AF|PF|CF
    ALU "sarw %cl,%ax", 0xa5a54e3c, 0x5a5a5a02, FA, 0xa5a5138f, 0, CF|PF|ZF|SF
    ALU "sarw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a0f, 0, 0xa5a5ffff, SF|PF, CF|PF|ZF|SF
    ALU "sarw $15,%ax", 0xa5a5b1c3, 0, 0, 0xa5a5ffff, SF|PF, CF|PF|ZF|SF
    ALU "sarw %cl,%ax", 0xa5a54e3c, 0x5a5a5a10, FA, 0xa5a50000, ZF|PF, CF|PF|ZF|SF
    ALU "sarw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a11, 0, 0xa5a5ffff, SF|PF|CF, CF|PF|ZF|SF
    ALU "sarw $17,%ax", 0xa5a5b1c3, 0, 0, 0xa5a5ffff, SF|PF|CF, CF|PF|ZF|SF
    ALU "sarw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a1f, 0, 0xa5a5ffff, SF|PF|CF, CF|PF|ZF|SF
    ALU "sarw %cl,%ax", 0xa5a54e3c, 0x5a5a5a20, FA, 0xa5a54e3c, OF|SF|ZF|AF|PF|CF
    ALU "sarw %cl,%ax", 0xa5a5b1c3, 0x5a5a5a21, 0, 0xa5a5d8e1, SF|PF|CF, CF|PF|ZF|SF|OF
    ALU "sarw $33,%ax", 0xa5a5b1c3, 0, 0, 0xa5a5d8e1, SF|PF|CF, CF|PF|ZF|SF|OF
    /* 32-bit: count 1 (D1), then by CL (D3) and imm8 (C1) */
    ALU "sarl %eax", 0x80000001, 0, 0, 0xc0000000, SF|PF|CF, CF|PF|ZF|SF|OF
    ALU "sarl %eax", 0x40000000, 0, FA, 0x20000000, PF, CF|PF|ZF|SF|OF
    ALU "sarl %eax", 0xc0000000, 0, 0, 0xe0000000, SF|PF, CF|PF|ZF|SF|OF
    ALU "sarl %eax", 0x00000001, 0, FA, 0x00000000, ZF|PF|CF, CF|PF|ZF|SF|OF
    ALU "sarl %eax", 0x7fffffff, 0, 0, 0x3fffffff, PF|CF, CF|PF|ZF|SF|OF
    ALU "O32; .byte 0xc1,0xf8,1", 0x80000001, 0, 0, 0xc0000000, SF|PF|CF, CF|PF|ZF|SF|OF  // C1 /7 ib with count 1
    ALU "sarl %cl,%eax", 0xc0000000, 1, FA, 0xe0000000, SF|PF, CF|PF|ZF|SF|OF
    ALU "sarl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a00, 0, 0xb1c3d2e5, 0
    ALU "sarl $0,%eax", 0xb1c3d2e5, 0, FA, 0xb1c3d2e5, OF|SF|ZF|AF|PF|CF
    ALU "sarl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a02, FA, 0x138f0b46, CF, CF|PF|ZF|SF
    ALU "sarl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a1f, 0, 0xffffffff, SF|PF, CF|PF|ZF|SF
    ALU "sarl $31,%eax", 0xb1c3d2e5, 0, 0, 0xffffffff, SF|PF, CF|PF|ZF|SF
    ALU "sarl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a20, FA, 0x4e3c2d1a, OF|SF|ZF|AF|PF|CF
    ALU "sarl %cl,%eax", 0xb1c3d2e5, 0x5a5a5a21, 0, 0xd8e1e972, SF|PF|CF, CF|PF|ZF|SF|OF
    ALU "sarl $33,%eax", 0xb1c3d2e5, 0, 0, 0xd8e1e972, SF|PF|CF, CF|PF|ZF|SF|OF
    ALU "sarl %cl,%eax", 0x4e3c2d1a, 0x5a5a5a3f, FA, 0x00000000, ZF|PF|CF, CF|PF|ZF|SF

/* ---------------- memory destinations ---------------- */
    ALUM "shlb MEMV", 0x123456c1, 0, 0, 0x12345682, SF|PF|CF, FL
    ALUM "shlw $4,MEMV", 0xa5a5f00f, 0, 0, 0xa5a500f0, PF|CF, CF|PF|ZF|SF
    ALUM "shrl %cl,MEMV", 0x80000001, 31, 0, 0x00000001, 0, CF|PF|ZF|SF
    ALUM "sarb %cl,MEMV+1", 0x12348078, 3, 0, 0x1234f078, SF|PF, CF|PF|ZF|SF
    ALUM "sarw MEMV", 0xa5a58001, 0, 0, 0xa5a5c000, SF|PF|CF, FL
    ALUM "rolw MEMV", 0xa5a58001, 0, 0, 0xa5a50003, OF|CF
    ALUM "rorl $8,MEMV", 0x12345678, 0, FA, 0x78123456, SF|ZF|AF|PF, FA&~OF
    ALUM "rclb %cl,MEMV+3", 0x80345678, 1, CF, 0x01345678, OF|CF
    ALUM "rcrl MEMV", 0x00000001, 0, 0, 0x00000000, CF
    ALUM "rcrw $17,MEMV", 0xa5a51234, 0, CF, 0xa5a51234, CF, FA&~OF
    ALUM "shlb %cl,MEMV", 0x12345678, 0, FA, 0x12345678, OF|SF|ZF|AF|PF|CF

/* ---------------- SHLD ---------------- */
    /* 16-bit, CL count (0F A5) */
    SHD "shldw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 0, FA, 0xa5a51234, OF|SF|ZF|AF|PF|CF
    SHD "shldw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 0, 0, 0xa5a51234, 0
    SHD "shldw %cl,%bx,%ax", 0xa5a54000, 0x5a5a0000, 1, 0, 0xa5a58000, OF|SF|PF, CF|PF|ZF|SF|OF
    SHD "shldw %cl,%bx,%ax", 0xa5a5c000, 0x5a5a8000, 1, 0, 0xa5a58001, SF|CF, CF|PF|ZF|SF|OF
    SHD "shldw %cl,%bx,%ax", 0xa5a58000, 0x5a5a7fff, 1, FA, 0xa5a50000, OF|ZF|PF|CF, CF|PF|ZF|SF|OF
    SHD "shldw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 4, FA, 0xa5a5234a, CF, CF|PF|ZF|SF
    SHD "shldw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 15, 0, 0xa5a555e6, 0, CF|PF|ZF|SF
    SHD "shldw %cl,%bx,%ax", 0xa5a51235, 0x5a5aabcd, 16, 0, 0xa5a5abcd, SF|CF, CF|PF|ZF|SF  // count = size: AX = BX
    SHD "shldw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 17, 0, 0xa5a50000, 0, 0, 0xffff0000  // undefined, only upper EAX
    SHD "shldw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 31, 0, 0xa5a50000, 0, 0, 0xffff0000
    SHD "shldw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 32, FA, 0xa5a51234, OF|SF|ZF|AF|PF|CF  // masked to 0
    SHD "shldw %cl,%bx,%ax", 0xa5a54000, 0x5a5a0000, 33, 0, 0xa5a58000, OF|SF|PF, CF|PF|ZF|SF|OF  // masked to 1
    SHD "shldw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 0xffffff04, 0, 0xa5a5234a, CF, CF|PF|ZF|SF  // only CL counts
    /* 16-bit, imm8 count (0F A4) */
    SHD "shldw $0,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 0, FA, 0xa5a51234, OF|SF|ZF|AF|PF|CF
    SHD "shldw $1,%bx,%ax", 0xa5a58000, 0x5a5a7fff, 0, 0, 0xa5a50000, OF|ZF|PF|CF, CF|PF|ZF|SF|OF
    SHD "shldw $8,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 0, 0, 0xa5a534ab, 0, CF|PF|ZF|SF
    SHD "shldw $16,%bx,%ax", 0xa5a51234, 0x5a5a0000, 0, 0, 0xa5a50000, ZF|PF, CF|PF|ZF|SF
    SHD "shldw $33,%bx,%ax", 0xa5a5c000, 0x5a5a8000, 0, 0, 0xa5a58001, SF|CF, CF|PF|ZF|SF|OF
    /* 32-bit */
    SHD "shldl %cl,%ebx,%eax", 0x12345678, 0x9abcdef0, 0, FA, 0x12345678, OF|SF|ZF|AF|PF|CF
    SHD "shldl %cl,%ebx,%eax", 0x40000000, 0x00000000, 1, 0, 0x80000000, OF|SF|PF, CF|PF|ZF|SF|OF
    SHD "shldl %cl,%ebx,%eax", 0xc0000000, 0x80000000, 1, 0, 0x80000001, SF|CF, CF|PF|ZF|SF|OF
    SHD "shldl %cl,%ebx,%eax", 0x12345678, 0x9abcdef0, 8, FA, 0x3456789a, PF, CF|PF|ZF|SF
    SHD "shldl %cl,%ebx,%eax", 0x12345679, 0x9abcdef0, 31, 0, 0xcd5e6f78, SF|PF, CF|PF|ZF|SF
    SHD "shldl %cl,%ebx,%eax", 0x12345678, 0x9abcdef0, 32, FA, 0x12345678, OF|SF|ZF|AF|PF|CF
    SHD "shldl %cl,%ebx,%eax", 0x80000000, 0x00000000, 33, 0, 0x00000000, OF|ZF|PF|CF, CF|PF|ZF|SF|OF
    SHD "shldl %cl,%ebx,%eax", 0x12345678, 0x9abcdef0, 63, 0, 0x4d5e6f78, PF, CF|PF|ZF|SF
    SHD "shldl $0,%ebx,%eax", 0x12345678, 0x9abcdef0, 0, FA, 0x12345678, OF|SF|ZF|AF|PF|CF
    SHD "shldl $1,%ebx,%eax", 0x7fffffff, 0xffffffff, 0, 0, 0xffffffff, OF|SF|PF, CF|PF|ZF|SF|OF
    SHD "shldl $12,%ebx,%eax", 0x12345678, 0x9abcdef0, 0, 0, 0x456789ab, CF, CF|PF|ZF|SF
    SHD "shldl $31,%ebx,%eax", 0x00000001, 0x00000000, 0, 0, 0x80000000, SF|PF, CF|PF|ZF|SF
    SHD "shldl $36,%ebx,%eax", 0x12345678, 0x9abcdef0, 0, 0, 0x23456789, CF, CF|PF|ZF|SF
    /* memory destination: MEMV = m, EBX = ECX = b */
    ALUM "shldw $4,%bx,MEMV", 0xa5a51234, 0x5a5aabcd, 0, 0xa5a5234a, CF, CF|PF|ZF|SF
    ALUM "shldl %cl,%ebx,MEMV", 0x12345678, 0xf0000008, 0, 0x345678f0, PF, CF|PF|ZF|SF
    ALUM "shldl $0,%ebx,MEMV", 0x12345678, 0xffffffff, FA, 0x12345678, OF|SF|ZF|AF|PF|CF

/* ---------------- SHRD ---------------- */
    SHD "shrdw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 0, FA, 0xa5a51234, OF|SF|ZF|AF|PF|CF
    SHD "shrdw %cl,%bx,%ax", 0xa5a50001, 0x5a5a0001, 1, 0, 0xa5a58000, OF|SF|PF|CF, CF|PF|ZF|SF|OF
    SHD "shrdw %cl,%bx,%ax", 0xa5a58000, 0x5a5a0001, 1, 0, 0xa5a5c000, SF|PF, CF|PF|ZF|SF|OF
    SHD "shrdw %cl,%bx,%ax", 0xa5a58000, 0x5a5a0000, 1, FA, 0xa5a54000, OF|PF, CF|PF|ZF|SF|OF
    SHD "shrdw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 4, FA, 0xa5a5d123, SF, CF|PF|ZF|SF
    SHD "shrdw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 15, 0, 0xa5a5579a, PF, CF|PF|ZF|SF
    SHD "shrdw %cl,%bx,%ax", 0xa5a5abcd, 0x5a5a1234, 16, 0, 0xa5a51234, CF, CF|PF|ZF|SF
    SHD "shrdw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 20, 0, 0xa5a50000, 0, 0, 0xffff0000
    SHD "shrdw %cl,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 32, FA, 0xa5a51234, OF|SF|ZF|AF|PF|CF
    SHD "shrdw %cl,%bx,%ax", 0xa5a58000, 0x5a5a0001, 33, 0, 0xa5a5c000, SF|PF, CF|PF|ZF|SF|OF
    SHD "shrdw $0,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 0, FA, 0xa5a51234, OF|SF|ZF|AF|PF|CF
    SHD "shrdw $1,%bx,%ax", 0xa5a50003, 0x5a5a0000, 0, 0, 0xa5a50001, CF, CF|PF|ZF|SF|OF
    SHD "shrdw $12,%bx,%ax", 0xa5a51234, 0x5a5aabcd, 0, 0, 0xa5a5bcd1, SF|PF, CF|PF|ZF|SF
    SHD "shrdw $16,%bx,%ax", 0xa5a51234, 0x5a5a8000, 0, 0, 0xa5a58000, SF|PF, CF|PF|ZF|SF
    SHD "shrdl %cl,%ebx,%eax", 0x12345678, 0x9abcdef0, 0, FA, 0x12345678, OF|SF|ZF|AF|PF|CF
    SHD "shrdl %cl,%ebx,%eax", 0x00000001, 0x00000001, 1, 0, 0x80000000, OF|SF|PF|CF, CF|PF|ZF|SF|OF
    SHD "shrdl %cl,%ebx,%eax", 0x80000000, 0x00000000, 1, 0, 0x40000000, OF|PF, CF|PF|ZF|SF|OF
    SHD "shrdl %cl,%ebx,%eax", 0x12345678, 0x9abcdef0, 8, FA, 0xf0123456, SF|PF, CF|PF|ZF|SF
    SHD "shrdl %cl,%ebx,%eax", 0x12345678, 0x9abcdef0, 31, 0, 0x3579bde0, 0, CF|PF|ZF|SF
    SHD "shrdl %cl,%ebx,%eax", 0x12345678, 0x9abcdef0, 32, FA, 0x12345678, OF|SF|ZF|AF|PF|CF
    SHD "shrdl %cl,%ebx,%eax", 0x00000001, 0x00000001, 33, 0, 0x80000000, OF|SF|PF|CF, CF|PF|ZF|SF|OF
    SHD "shrdl %cl,%ebx,%eax", 0x12345678, 0x9abcdef0, 63, 0, 0x3579bde0, 0, CF|PF|ZF|SF
    SHD "shrdl $0,%ebx,%eax", 0x12345678, 0x9abcdef0, 0, FA, 0x12345678, OF|SF|ZF|AF|PF|CF
    SHD "shrdl $1,%ebx,%eax", 0xfffffffe, 0x00000000, 0, 0, 0x7fffffff, OF|PF, CF|PF|ZF|SF|OF
    SHD "shrdl $20,%ebx,%eax", 0x12345678, 0x9abcdef0, 0, 0, 0xcdef0123, SF, CF|PF|ZF|SF
    SHD "shrdl $31,%ebx,%eax", 0x80000000, 0x00000001, 0, 0, 0x00000003, PF, CF|PF|ZF|SF
    ALUM "shrdw %cl,%bx,MEMV", 0xa5a51234, 0x5a5aabc8, 0, 0xa5a5c812, SF|PF, CF|PF|ZF|SF
    ALUM "shrdl $4,%ebx,MEMV", 0x12345678, 0x9abcdef0, 0, 0x01234567, CF, CF|PF|ZF|SF
    ALUM "shrdl %cl,%ebx,MEMV", 0x12345678, 0x9abcde00, CF, 0x12345678, CF

    AR_FINISH ar_shift
    AR_SUBROUTINES
