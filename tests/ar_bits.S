/* ar_bits: BT BTS BTR BTC, BSF BSR, SETcc, BOUND.
 *
 * What it checks:
 *   - BT/BTS/BTR/BTC on registers with the offset in a register (0F A3/AB/
 *     B3/BB) and as imm8 (0F BA /4-/7): offsets >= the operand size are
 *     taken modulo 16/32 (also 0xFFFF, 0xFFFFFFFF, junk above BX);
 *   - the same on memory with offsets inside the operand, imm8 offsets on
 *     memory (masked, they never address beyond the operand), LOCK on the
 *     memory forms;
 *   - bit strings: a register offset outside the memory operand selects
 *     the byte base + floor(offset / 8), bit offset mod 8 (offset 100 ->
 *     byte 12 bit 4); negative offsets go backwards; a 16-bit operand takes
 *     the offset as a signed 16-bit value (0x8005 goes 4 KiB backwards), a
 *     32-bit operand as a signed 32-bit value (0x8005 goes 4 KiB forwards);
 *     BT does not write;
 *   - BSF/BSR 16/32-bit, register and memory source; zero source: ZF=1
 *     (the destination is undefined and not checked, except that a 16-bit
 *     destination leaves the upper half of EAX alone);
 *   - SETcc, all 16 conditions under ten flag combinations, register (AL,
 *     AH, BH) and memory destinations, flags unchanged;
 *   - BOUND r16/r32, m16&16 / m32&32 (62 /r): in range (inclusive limits,
 *     signed compare) nothing happens; out of range raises #BR (vector 5)
 *     as a fault: pushed IP = the BOUND (its prefix), registers unchanged;
 *     BOUND with a register operand (mod = 11) is #UD (vector 6).
 *
 * Expected values: table lines (ALU/ALUM/SHD) were produced by running the
 * instructions on the host CPU (32-bit protected mode); only flags the SDM
 * defines are compared: BT*: CF, and ZF (unaffected); BSF/BSR: ZF; SETcc:
 * all flags unaffected.  Bit strings and BOUND follow the SDM definitions
 * (Bit(BitBase, BitOffset); BOUND: #BR if index < lower or > upper, signed).
 */
#include "lib.inc"
#include "ar_common.inc"

    RESET_VECTOR start
    .text
start:
    AR_INIT ar_bits
    SETVEC_ALL

/* ---------------- BT/BTS/BTR/BTC with a register base ----------------
 * The bit offset is taken modulo the operand size (16 or 32) for register
 * bases, whether it comes from a register or an imm8.  CF = the old bit; ZF
 * is unaffected (checked); OF SF AF PF are undefined. */
    /* BT */
    ALU "btw %bx,%ax", 0xa5a55aa5, 0x00000000, 0, 0xa5a55aa5, CF, CF|ZF
    ALU "btw %bx,%ax", 0xa5a55aa5, 0x00000005, FA, 0xa5a55aa5, ZF|CF, CF|ZF
    ALU "btw %bx,%ax", 0xa5a55aa5, 0x0000000f, 0, 0xa5a55aa5, 0, CF|ZF
    ALU "btw %bx,%ax", 0xa5a55aa5, 0x00000010, FA, 0xa5a55aa5, ZF|CF, CF|ZF
    ALU "btw %bx,%ax", 0xa5a55aa5, 0x00000011, 0, 0xa5a55aa5, 0, CF|ZF
    ALU "btw %bx,%ax", 0xa5a55aa5, 0x0000001f, FA, 0xa5a55aa5, ZF, CF|ZF
    ALU "btw %bx,%ax", 0xa5a55aa5, 0x0000ffff, 0, 0xa5a55aa5, 0, CF|ZF
    ALU "btw %bx,%ax", 0xa5a55aa5, 0x12340003, FA, 0xa5a55aa5, ZF, CF|ZF
    ALU "btl %ebx,%eax", 0x5aa5a55a, 0x00000000, 0, 0x5aa5a55a, 0, CF|ZF
    ALU "btl %ebx,%eax", 0x5aa5a55a, 0x00000007, FA, 0x5aa5a55a, ZF, CF|ZF
    ALU "btl %ebx,%eax", 0x5aa5a55a, 0x0000001f, 0, 0x5aa5a55a, 0, CF|ZF
    ALU "btl %ebx,%eax", 0x5aa5a55a, 0x00000020, FA, 0x5aa5a55a, ZF, CF|ZF
    ALU "btl %ebx,%eax", 0x5aa5a55a, 0x00000021, 0, 0x5aa5a55a, CF, CF|ZF
    ALU "btl %ebx,%eax", 0x5aa5a55a, 0x0000003f, FA, 0x5aa5a55a, ZF, CF|ZF
    ALU "btl %ebx,%eax", 0x5aa5a55a, 0xffffffff, 0, 0x5aa5a55a, 0, CF|ZF
    ALU "btl %ebx,%eax", 0x5aa5a55a, 0x80000004, FA, 0x5aa5a55a, ZF|CF, CF|ZF
    ALU "btw $1,%ax", 0xa5a5ffff, 0, 0, 0xa5a5ffff, CF, CF|ZF
    ALU "btw $14,%ax", 0xa5a50000, 0, FA, 0xa5a50000, ZF, CF|ZF
    ALU "btw $20,%ax", 0xa5a5fff0, 0, 0, 0xa5a5fff0, CF, CF|ZF
    ALU "btw $255,%ax", 0xa5a58000, 0, FA, 0xa5a58000, ZF|CF, CF|ZF
    ALU "btl $0,%eax", 0x00000001, 0, 0, 0x00000001, CF, CF|ZF
    ALU "btl $30,%eax", 0x7fffffff, 0, FA, 0x7fffffff, ZF|CF, CF|ZF
    ALU "btl $35,%eax", 0xfffffff7, 0, 0, 0xfffffff7, 0, CF|ZF
    ALU "btl $255,%eax", 0x80000000, 0, FA, 0x80000000, ZF|CF, CF|ZF
    /* BTS */
    ALU "btsw %bx,%ax", 0xa5a55aa5, 0x00000000, 0, 0xa5a55aa5, CF, CF|ZF
    ALU "btsw %bx,%ax", 0xa5a55aa5, 0x00000005, FA, 0xa5a55aa5, ZF|CF, CF|ZF
    ALU "btsw %bx,%ax", 0xa5a55aa5, 0x0000000f, 0, 0xa5a5daa5, 0, CF|ZF
    ALU "btsw %bx,%ax", 0xa5a55aa5, 0x00000010, FA, 0xa5a55aa5, ZF|CF, CF|ZF
    ALU "btsw %bx,%ax", 0xa5a55aa5, 0x00000011, 0, 0xa5a55aa7, 0, CF|ZF
    ALU "btsw %bx,%ax", 0xa5a55aa5, 0x0000001f, FA, 0xa5a5daa5, ZF, CF|ZF
    ALU "btsw %bx,%ax", 0xa5a55aa5, 0x0000ffff, 0, 0xa5a5daa5, 0, CF|ZF
    ALU "btsw %bx,%ax", 0xa5a55aa5, 0x12340003, FA, 0xa5a55aad, ZF, CF|ZF
    ALU "btsl %ebx,%eax", 0x5aa5a55a, 0x00000000, 0, 0x5aa5a55b, 0, CF|ZF
    ALU "btsl %ebx,%eax", 0x5aa5a55a, 0x00000007, FA, 0x5aa5a5da, ZF, CF|ZF
    ALU "btsl %ebx,%eax", 0x5aa5a55a, 0x0000001f, 0, 0xdaa5a55a, 0, CF|ZF
    ALU "btsl %ebx,%eax", 0x5aa5a55a, 0x00000020, FA, 0x5aa5a55b, ZF, CF|ZF
    ALU "btsl %ebx,%eax", 0x5aa5a55a, 0x00000021, 0, 0x5aa5a55a, CF, CF|ZF
    ALU "btsl %ebx,%eax", 0x5aa5a55a, 0x0000003f, FA, 0xdaa5a55a, ZF, CF|ZF
    ALU "btsl %ebx,%eax", 0x5aa5a55a, 0xffffffff, 0, 0xdaa5a55a, 0, CF|ZF
    ALU "btsl %ebx,%eax", 0x5aa5a55a, 0x80000004, FA, 0x5aa5a55a, ZF|CF, CF|ZF
    ALU "btsw $1,%ax", 0xa5a5ffff, 0, 0, 0xa5a5ffff, CF, CF|ZF
    ALU "btsw $14,%ax", 0xa5a50000, 0, FA, 0xa5a54000, ZF, CF|ZF
    ALU "btsw $20,%ax", 0xa5a5fff0, 0, 0, 0xa5a5fff0, CF, CF|ZF
    ALU "btsw $255,%ax", 0xa5a58000, 0, FA, 0xa5a58000, ZF|CF, CF|ZF
    ALU "btsl $0,%eax", 0x00000001, 0, 0, 0x00000001, CF, CF|ZF
    ALU "btsl $30,%eax", 0x7fffffff, 0, FA, 0x7fffffff, ZF|CF, CF|ZF
    ALU "btsl $35,%eax", 0xfffffff7, 0, 0, 0xffffffff, 0, CF|ZF
    ALU "btsl $255,%eax", 0x80000000, 0, FA, 0x80000000, ZF|CF, CF|ZF
    /* BTR */
    ALU "btrw %bx,%ax", 0xa5a55aa5, 0x00000000, 0, 0xa5a55aa4, CF, CF|ZF
    ALU "btrw %bx,%ax", 0xa5a55aa5, 0x00000005, FA, 0xa5a55a85, ZF|CF, CF|ZF
    ALU "btrw %bx,%ax", 0xa5a55aa5, 0x0000000f, 0, 0xa5a55aa5, 0, CF|ZF
    ALU "btrw %bx,%ax", 0xa5a55aa5, 0x00000010, FA, 0xa5a55aa4, ZF|CF, CF|ZF
    ALU "btrw %bx,%ax", 0xa5a55aa5, 0x00000011, 0, 0xa5a55aa5, 0, CF|ZF
    ALU "btrw %bx,%ax", 0xa5a55aa5, 0x0000001f, FA, 0xa5a55aa5, ZF, CF|ZF
    ALU "btrw %bx,%ax", 0xa5a55aa5, 0x0000ffff, 0, 0xa5a55aa5, 0, CF|ZF
    ALU "btrw %bx,%ax", 0xa5a55aa5, 0x12340003, FA, 0xa5a55aa5, ZF, CF|ZF
    ALU "btrl %ebx,%eax", 0x5aa5a55a, 0x00000000, 0, 0x5aa5a55a, 0, CF|ZF
    ALU "btrl %ebx,%eax", 0x5aa5a55a, 0x00000007, FA, 0x5aa5a55a, ZF, CF|ZF
    ALU "btrl %ebx,%eax", 0x5aa5a55a, 0x0000001f, 0, 0x5aa5a55a, 0, CF|ZF
    ALU "btrl %ebx,%eax", 0x5aa5a55a, 0x00000020, FA, 0x5aa5a55a, ZF, CF|ZF
    ALU "btrl %ebx,%eax", 0x5aa5a55a, 0x00000021, 0, 0x5aa5a558, CF, CF|ZF
    ALU "btrl %ebx,%eax", 0x5aa5a55a, 0x0000003f, FA, 0x5aa5a55a, ZF, CF|ZF
    ALU "btrl %ebx,%eax", 0x5aa5a55a, 0xffffffff, 0, 0x5aa5a55a, 0, CF|ZF
    ALU "btrl %ebx,%eax", 0x5aa5a55a, 0x80000004, FA, 0x5aa5a54a, ZF|CF, CF|ZF
    ALU "btrw $1,%ax", 0xa5a5ffff, 0, 0, 0xa5a5fffd, CF, CF|ZF
    ALU "btrw $14,%ax", 0xa5a50000, 0, FA, 0xa5a50000, ZF, CF|ZF
    ALU "btrw $20,%ax", 0xa5a5fff0, 0, 0, 0xa5a5ffe0, CF, CF|ZF
    ALU "btrw $255,%ax", 0xa5a58000, 0, FA, 0xa5a50000, ZF|CF, CF|ZF
    ALU "btrl $0,%eax", 0x00000001, 0, 0, 0x00000000, CF, CF|ZF
    ALU "btrl $30,%eax", 0x7fffffff, 0, FA, 0x3fffffff, ZF|CF, CF|ZF
    ALU "btrl $35,%eax", 0xfffffff7, 0, 0, 0xfffffff7, 0, CF|ZF
    ALU "btrl $255,%eax", 0x80000000, 0, FA, 0x00000000, ZF|CF, CF|ZF
    /* BTC */
    ALU "btcw %bx,%ax", 0xa5a55aa5, 0x00000000, 0, 0xa5a55aa4, CF, CF|ZF
    ALU "btcw %bx,%ax", 0xa5a55aa5, 0x00000005, FA, 0xa5a55a85, ZF|CF, CF|ZF
    ALU "btcw %bx,%ax", 0xa5a55aa5, 0x0000000f, 0, 0xa5a5daa5, 0, CF|ZF
    ALU "btcw %bx,%ax", 0xa5a55aa5, 0x00000010, FA, 0xa5a55aa4, ZF|CF, CF|ZF
    ALU "btcw %bx,%ax", 0xa5a55aa5, 0x00000011, 0, 0xa5a55aa7, 0, CF|ZF
    ALU "btcw %bx,%ax", 0xa5a55aa5, 0x0000001f, FA, 0xa5a5daa5, ZF, CF|ZF
    ALU "btcw %bx,%ax", 0xa5a55aa5, 0x0000ffff, 0, 0xa5a5daa5, 0, CF|ZF
    ALU "btcw %bx,%ax", 0xa5a55aa5, 0x12340003, FA, 0xa5a55aad, ZF, CF|ZF
    ALU "btcl %ebx,%eax", 0x5aa5a55a, 0x00000000, 0, 0x5aa5a55b, 0, CF|ZF
    ALU "btcl %ebx,%eax", 0x5aa5a55a, 0x00000007, FA, 0x5aa5a5da, ZF, CF|ZF
    ALU "btcl %ebx,%eax", 0x5aa5a55a, 0x0000001f, 0, 0xdaa5a55a, 0, CF|ZF
    ALU "btcl %ebx,%eax", 0x5aa5a55a, 0x00000020, FA, 0x5aa5a55b, ZF, CF|ZF
    ALU "btcl %ebx,%eax", 0x5aa5a55a, 0x00000021, 0, 0x5aa5a558, CF, CF|ZF
    ALU "btcl %ebx,%eax", 0x5aa5a55a, 0x0000003f, FA, 0xdaa5a55a, ZF, CF|ZF
    ALU "btcl %ebx,%eax", 0x5aa5a55a, 0xffffffff, 0, 0xdaa5a55a, 0, CF|ZF
    ALU "btcl %ebx,%eax", 0x5aa5a55a, 0x80000004, FA, 0x5aa5a54a, ZF|CF, CF|ZF
    ALU "btcw $1,%ax", 0xa5a5ffff, 0, 0, 0xa5a5fffd, CF, CF|ZF
    ALU "btcw $14,%ax", 0xa5a50000, 0, FA, 0xa5a54000, ZF, CF|ZF
    ALU "btcw $20,%ax", 0xa5a5fff0, 0, 0, 0xa5a5ffe0, CF, CF|ZF
    ALU "btcw $255,%ax", 0xa5a58000, 0, FA, 0xa5a50000, ZF|CF, CF|ZF
    ALU "btcl $0,%eax", 0x00000001, 0, 0, 0x00000000, CF, CF|ZF
    ALU "btcl $30,%eax", 0x7fffffff, 0, FA, 0x3fffffff, ZF|CF, CF|ZF
    ALU "btcl $35,%eax", 0xfffffff7, 0, 0, 0xffffffff, 0, CF|ZF
    ALU "btcl $255,%eax", 0x80000000, 0, FA, 0x00000000, ZF|CF, CF|ZF

/* ---------------- BT* with a memory base, offset inside the operand ---------------- */
    ALUM "btw %bx,MEMV", 0xa5a51234, 4, 0, 0xa5a51234, CF, CF|ZF
    ALUM "btw %bx,MEMV", 0xa5a51234, 15, FA, 0xa5a51234, ZF, CF|ZF
    ALUM "btl %ebx,MEMV", 0x12345678, 31, 0, 0x12345678, 0, CF|ZF
    ALUM "btl %ebx,MEMV", 0x12345678, 3, FA, 0x12345678, ZF|CF, CF|ZF
    ALUM "btw $9,MEMV", 0x12345678, 0, 0, 0x12345678, CF, CF|ZF
    ALUM "btw $25,MEMV", 0xa5a5ffff, 0, FA, 0xa5a5ffff, ZF|CF, CF|ZF
    ALUM "btl $28,MEMV", 0x12345678, 0, 0, 0x12345678, CF, CF|ZF
    ALUM "btl $63,MEMV", 0x12345678, 0, FA, 0x12345678, ZF, CF|ZF

    ALUM "btsw %bx,MEMV", 0xa5a51234, 4, 0, 0xa5a51234, CF, CF|ZF
    ALUM "btsw %bx,MEMV", 0xa5a51234, 15, FA, 0xa5a59234, ZF, CF|ZF
    ALUM "btsl %ebx,MEMV", 0x12345678, 31, 0, 0x92345678, 0, CF|ZF
    ALUM "btsl %ebx,MEMV", 0x12345678, 3, FA, 0x12345678, ZF|CF, CF|ZF
    ALUM "btsw $9,MEMV", 0x12345678, 0, 0, 0x12345678, CF, CF|ZF
    ALUM "btsw $25,MEMV", 0xa5a5ffff, 0, FA, 0xa5a5ffff, ZF|CF, CF|ZF
    ALUM "btsl $28,MEMV", 0x12345678, 0, 0, 0x12345678, CF, CF|ZF
    ALUM "btsl $63,MEMV", 0x12345678, 0, FA, 0x92345678, ZF, CF|ZF
    ALUM "lock btsl %ebx,MEMV", 0x00000000, 17, 0, 0x00020000, 0, CF|ZF  // LOCK is allowed on a memory BTS/BTR/BTC
    ALUM "btrw %bx,MEMV", 0xa5a51234, 4, 0, 0xa5a51224, CF, CF|ZF
    ALUM "btrw %bx,MEMV", 0xa5a51234, 15, FA, 0xa5a51234, ZF, CF|ZF
    ALUM "btrl %ebx,MEMV", 0x12345678, 31, 0, 0x12345678, 0, CF|ZF
    ALUM "btrl %ebx,MEMV", 0x12345678, 3, FA, 0x12345670, ZF|CF, CF|ZF
    ALUM "btrw $9,MEMV", 0x12345678, 0, 0, 0x12345478, CF, CF|ZF
    ALUM "btrw $25,MEMV", 0xa5a5ffff, 0, FA, 0xa5a5fdff, ZF|CF, CF|ZF
    ALUM "btrl $28,MEMV", 0x12345678, 0, 0, 0x02345678, CF, CF|ZF
    ALUM "btrl $63,MEMV", 0x12345678, 0, FA, 0x12345678, ZF, CF|ZF
    ALUM "lock btrl %ebx,MEMV", 0x00000000, 17, 0, 0x00000000, 0, CF|ZF  // LOCK is allowed on a memory BTS/BTR/BTC
    ALUM "btcw %bx,MEMV", 0xa5a51234, 4, 0, 0xa5a51224, CF, CF|ZF
    ALUM "btcw %bx,MEMV", 0xa5a51234, 15, FA, 0xa5a59234, ZF, CF|ZF
    ALUM "btcl %ebx,MEMV", 0x12345678, 31, 0, 0x92345678, 0, CF|ZF
    ALUM "btcl %ebx,MEMV", 0x12345678, 3, FA, 0x12345670, ZF|CF, CF|ZF
    ALUM "btcw $9,MEMV", 0x12345678, 0, 0, 0x12345478, CF, CF|ZF
    ALUM "btcw $25,MEMV", 0xa5a5ffff, 0, FA, 0xa5a5fdff, ZF|CF, CF|ZF
    ALUM "btcl $28,MEMV", 0x12345678, 0, 0, 0x02345678, CF, CF|ZF
    ALUM "btcl $63,MEMV", 0x12345678, 0, FA, 0x92345678, ZF, CF|ZF
    ALUM "lock btcl %ebx,MEMV", 0x00000000, 17, 0, 0x00020000, 0, CF|ZF  // LOCK is allowed on a memory BTS/BTR/BTC

/* ---------------- BSF / BSR: ZF=1 and destination undefined for a zero source;
 * otherwise ZF=0 and the bit index.  CF OF SF AF PF undefined. ---------------- */
    ALU "bsfw %bx,%ax", 0xa5a5a5a5, 0x00000001, 0, 0xa5a50000, 0, ZF
    ALU "bsfw %bx,%ax", 0xa5a5a5a5, 0x00008000, 0, 0xa5a5000f, 0, ZF
    ALU "bsfw %bx,%ax", 0xa5a5a5a5, 0x00000100, 0, 0xa5a50008, 0, ZF
    ALU "bsfw %bx,%ax", 0xa5a5a5a5, 0x0000ffff, 0, 0xa5a50000, 0, ZF
    ALU "bsfw %bx,%ax", 0xa5a5a5a5, 0x5a5a0240, 0, 0xa5a50006, 0, ZF
    ALU "bsfw %bx,%ax", 0xa5a5a5a5, 0x00000018, 0, 0xa5a50003, 0, ZF
    ALU "bsfl %ebx,%eax", 0xa5a5a5a5, 0x00000001, ZF, 0x00000000, 0, ZF
    ALU "bsfl %ebx,%eax", 0xa5a5a5a5, 0x80000000, ZF, 0x0000001f, 0, ZF
    ALU "bsfl %ebx,%eax", 0xa5a5a5a5, 0x00010000, ZF, 0x00000010, 0, ZF
    ALU "bsfl %ebx,%eax", 0xa5a5a5a5, 0xffffffff, ZF, 0x00000000, 0, ZF
    ALU "bsfl %ebx,%eax", 0xa5a5a5a5, 0x00f00f00, ZF, 0x00000008, 0, ZF
    ALU "bsfl %ebx,%eax", 0xa5a5a5a5, 0x40000001, ZF, 0x00000000, 0, ZF
    ALU "bsfl MEMV,%eax", 0xa5a5a5a5, 0x00012000, ZF, 0x0000000d, 0, ZF
    ALU "bsfw MEMV,%ax", 0xa5a5a5a5, 0x00000300, 0, 0xa5a50008, 0, ZF
    SHD "bsfw %bx,%ax", 0xa5a5a5a5, 0x5a5a0000, 0, 0, 0xa5a50000, ZF, ZF, 0xffff0000  // zero source: AX undefined
    SHD "bsfl %ebx,%eax", 0xa5a5a5a5, 0x00000000, 0, FA&~ZF, 0x00000000, ZF, ZF, 0  // zero source: EAX undefined
    SHD "bsfl MEMV,%eax", 0xa5a5a5a5, 0x00000000, 0, 0, 0x00000000, ZF, ZF, 0
    ALU "bsrw %bx,%ax", 0xa5a5a5a5, 0x00000001, 0, 0xa5a50000, 0, ZF
    ALU "bsrw %bx,%ax", 0xa5a5a5a5, 0x00008000, 0, 0xa5a5000f, 0, ZF
    ALU "bsrw %bx,%ax", 0xa5a5a5a5, 0x00000100, 0, 0xa5a50008, 0, ZF
    ALU "bsrw %bx,%ax", 0xa5a5a5a5, 0x0000ffff, 0, 0xa5a5000f, 0, ZF
    ALU "bsrw %bx,%ax", 0xa5a5a5a5, 0x5a5a0240, 0, 0xa5a50009, 0, ZF
    ALU "bsrw %bx,%ax", 0xa5a5a5a5, 0x00000018, 0, 0xa5a50004, 0, ZF
    ALU "bsrl %ebx,%eax", 0xa5a5a5a5, 0x00000001, ZF, 0x00000000, 0, ZF
    ALU "bsrl %ebx,%eax", 0xa5a5a5a5, 0x80000000, ZF, 0x0000001f, 0, ZF
    ALU "bsrl %ebx,%eax", 0xa5a5a5a5, 0x00010000, ZF, 0x00000010, 0, ZF
    ALU "bsrl %ebx,%eax", 0xa5a5a5a5, 0xffffffff, ZF, 0x0000001f, 0, ZF
    ALU "bsrl %ebx,%eax", 0xa5a5a5a5, 0x00f00f00, ZF, 0x00000017, 0, ZF
    ALU "bsrl %ebx,%eax", 0xa5a5a5a5, 0x40000001, ZF, 0x0000001e, 0, ZF
    ALU "bsrl MEMV,%eax", 0xa5a5a5a5, 0x00012000, ZF, 0x00000010, 0, ZF
    ALU "bsrw MEMV,%ax", 0xa5a5a5a5, 0x00000300, 0, 0xa5a50009, 0, ZF
    SHD "bsrw %bx,%ax", 0xa5a5a5a5, 0x5a5a0000, 0, 0, 0xa5a50000, ZF, ZF, 0xffff0000  // zero source: AX undefined
    SHD "bsrl %ebx,%eax", 0xa5a5a5a5, 0x00000000, 0, FA&~ZF, 0x00000000, ZF, ZF, 0  // zero source: EAX undefined
    SHD "bsrl MEMV,%eax", 0xa5a5a5a5, 0x00000000, 0, 0, 0x00000000, ZF, ZF, 0

/* ---------------- SETcc (0F 90..9F): 1 if the condition holds else 0; flags unchanged ---------------- */
    /* SETO */
    ALU "seto %al", 0xa5a5a5a5, 0, 0, 0xa5a5a500, 0
    ALU "seto %al", 0xa5a5a5a5, 0, CF, 0xa5a5a500, CF
    ALU "seto %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a500, ZF
    ALU "seto %al", 0xa5a5a5a5, 0, SF, 0xa5a5a500, SF
    ALU "seto %al", 0xa5a5a5a5, 0, OF, 0xa5a5a501, OF
    ALU "seto %al", 0xa5a5a5a5, 0, PF, 0xa5a5a500, PF
    ALU "seto %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a501, OF|SF
    ALU "seto %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a500, SF|ZF
    ALU "seto %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a500, ZF|CF
    ALU "seto %al", 0xa5a5a5a5, 0, FA, 0xa5a5a501, OF|SF|ZF|AF|PF|CF
    /* SETNO */
    ALU "setno %al", 0xa5a5a5a5, 0, 0, 0xa5a5a501, 0
    ALU "setno %al", 0xa5a5a5a5, 0, CF, 0xa5a5a501, CF
    ALU "setno %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a501, ZF
    ALU "setno %al", 0xa5a5a5a5, 0, SF, 0xa5a5a501, SF
    ALU "setno %al", 0xa5a5a5a5, 0, OF, 0xa5a5a500, OF
    ALU "setno %al", 0xa5a5a5a5, 0, PF, 0xa5a5a501, PF
    ALU "setno %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a500, OF|SF
    ALU "setno %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a501, SF|ZF
    ALU "setno %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a501, ZF|CF
    ALU "setno %al", 0xa5a5a5a5, 0, FA, 0xa5a5a500, OF|SF|ZF|AF|PF|CF
    /* SETB */
    ALU "setb %al", 0xa5a5a5a5, 0, 0, 0xa5a5a500, 0
    ALU "setb %al", 0xa5a5a5a5, 0, CF, 0xa5a5a501, CF
    ALU "setb %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a500, ZF
    ALU "setb %al", 0xa5a5a5a5, 0, SF, 0xa5a5a500, SF
    ALU "setb %al", 0xa5a5a5a5, 0, OF, 0xa5a5a500, OF
    ALU "setb %al", 0xa5a5a5a5, 0, PF, 0xa5a5a500, PF
    ALU "setb %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a500, OF|SF
    ALU "setb %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a500, SF|ZF
    ALU "setb %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a501, ZF|CF
    ALU "setb %al", 0xa5a5a5a5, 0, FA, 0xa5a5a501, OF|SF|ZF|AF|PF|CF
    /* SETAE */
    ALU "setae %al", 0xa5a5a5a5, 0, 0, 0xa5a5a501, 0
    ALU "setae %al", 0xa5a5a5a5, 0, CF, 0xa5a5a500, CF
    ALU "setae %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a501, ZF
    ALU "setae %al", 0xa5a5a5a5, 0, SF, 0xa5a5a501, SF
    ALU "setae %al", 0xa5a5a5a5, 0, OF, 0xa5a5a501, OF
    ALU "setae %al", 0xa5a5a5a5, 0, PF, 0xa5a5a501, PF
    ALU "setae %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a501, OF|SF
    ALU "setae %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a501, SF|ZF
    ALU "setae %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a500, ZF|CF
    ALU "setae %al", 0xa5a5a5a5, 0, FA, 0xa5a5a500, OF|SF|ZF|AF|PF|CF
    /* SETE */
    ALU "sete %al", 0xa5a5a5a5, 0, 0, 0xa5a5a500, 0
    ALU "sete %al", 0xa5a5a5a5, 0, CF, 0xa5a5a500, CF
    ALU "sete %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a501, ZF
    ALU "sete %al", 0xa5a5a5a5, 0, SF, 0xa5a5a500, SF
    ALU "sete %al", 0xa5a5a5a5, 0, OF, 0xa5a5a500, OF
    ALU "sete %al", 0xa5a5a5a5, 0, PF, 0xa5a5a500, PF
    ALU "sete %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a500, OF|SF
    ALU "sete %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a501, SF|ZF
    ALU "sete %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a501, ZF|CF
    ALU "sete %al", 0xa5a5a5a5, 0, FA, 0xa5a5a501, OF|SF|ZF|AF|PF|CF
    /* SETNE */
    ALU "setne %al", 0xa5a5a5a5, 0, 0, 0xa5a5a501, 0
    ALU "setne %al", 0xa5a5a5a5, 0, CF, 0xa5a5a501, CF
    ALU "setne %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a500, ZF
    ALU "setne %al", 0xa5a5a5a5, 0, SF, 0xa5a5a501, SF
    ALU "setne %al", 0xa5a5a5a5, 0, OF, 0xa5a5a501, OF
    ALU "setne %al", 0xa5a5a5a5, 0, PF, 0xa5a5a501, PF
    ALU "setne %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a501, OF|SF
    ALU "setne %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a500, SF|ZF
    ALU "setne %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a500, ZF|CF
    ALU "setne %al", 0xa5a5a5a5, 0, FA, 0xa5a5a500, OF|SF|ZF|AF|PF|CF
    /* SETBE */
    ALU "setbe %al", 0xa5a5a5a5, 0, 0, 0xa5a5a500, 0
    ALU "setbe %al", 0xa5a5a5a5, 0, CF, 0xa5a5a501, CF
    ALU "setbe %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a501, ZF
    ALU "setbe %al", 0xa5a5a5a5, 0, SF, 0xa5a5a500, SF
    ALU "setbe %al", 0xa5a5a5a5, 0, OF, 0xa5a5a500, OF
    ALU "setbe %al", 0xa5a5a5a5, 0, PF, 0xa5a5a500, PF
    ALU "setbe %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a500, OF|SF
    ALU "setbe %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a501, SF|ZF
    ALU "setbe %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a501, ZF|CF
    ALU "setbe %al", 0xa5a5a5a5, 0, FA, 0xa5a5a501, OF|SF|ZF|AF|PF|CF
    /* SETA */
    ALU "seta %al", 0xa5a5a5a5, 0, 0, 0xa5a5a501, 0
    ALU "seta %al", 0xa5a5a5a5, 0, CF, 0xa5a5a500, CF
    ALU "seta %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a500, ZF
    ALU "seta %al", 0xa5a5a5a5, 0, SF, 0xa5a5a501, SF
    ALU "seta %al", 0xa5a5a5a5, 0, OF, 0xa5a5a501, OF
    ALU "seta %al", 0xa5a5a5a5, 0, PF, 0xa5a5a501, PF
    ALU "seta %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a501, OF|SF
    ALU "seta %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a500, SF|ZF
    ALU "seta %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a500, ZF|CF
    ALU "seta %al", 0xa5a5a5a5, 0, FA, 0xa5a5a500, OF|SF|ZF|AF|PF|CF
    /* SETS */
    ALU "sets %al", 0xa5a5a5a5, 0, 0, 0xa5a5a500, 0
    ALU "sets %al", 0xa5a5a5a5, 0, CF, 0xa5a5a500, CF
    ALU "sets %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a500, ZF
    ALU "sets %al", 0xa5a5a5a5, 0, SF, 0xa5a5a501, SF
    ALU "sets %al", 0xa5a5a5a5, 0, OF, 0xa5a5a500, OF
    ALU "sets %al", 0xa5a5a5a5, 0, PF, 0xa5a5a500, PF
    ALU "sets %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a501, OF|SF
    ALU "sets %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a501, SF|ZF
    ALU "sets %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a500, ZF|CF
    ALU "sets %al", 0xa5a5a5a5, 0, FA, 0xa5a5a501, OF|SF|ZF|AF|PF|CF
    /* SETNS */
    ALU "setns %al", 0xa5a5a5a5, 0, 0, 0xa5a5a501, 0
    ALU "setns %al", 0xa5a5a5a5, 0, CF, 0xa5a5a501, CF
    ALU "setns %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a501, ZF
    ALU "setns %al", 0xa5a5a5a5, 0, SF, 0xa5a5a500, SF
    ALU "setns %al", 0xa5a5a5a5, 0, OF, 0xa5a5a501, OF
    ALU "setns %al", 0xa5a5a5a5, 0, PF, 0xa5a5a501, PF
    ALU "setns %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a500, OF|SF
    ALU "setns %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a500, SF|ZF
    ALU "setns %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a501, ZF|CF
    ALU "setns %al", 0xa5a5a5a5, 0, FA, 0xa5a5a500, OF|SF|ZF|AF|PF|CF
    /* SETP */
    ALU "setp %al", 0xa5a5a5a5, 0, 0, 0xa5a5a500, 0
    ALU "setp %al", 0xa5a5a5a5, 0, CF, 0xa5a5a500, CF
    ALU "setp %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a500, ZF
    ALU "setp %al", 0xa5a5a5a5, 0, SF, 0xa5a5a500, SF
    ALU "setp %al", 0xa5a5a5a5, 0, OF, 0xa5a5a500, OF
    ALU "setp %al", 0xa5a5a5a5, 0, PF, 0xa5a5a501, PF
    ALU "setp %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a500, OF|SF
    ALU "setp %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a500, SF|ZF
    ALU "setp %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a500, ZF|CF
    ALU "setp %al", 0xa5a5a5a5, 0, FA, 0xa5a5a501, OF|SF|ZF|AF|PF|CF
    /* SETNP */
    ALU "setnp %al", 0xa5a5a5a5, 0, 0, 0xa5a5a501, 0
    ALU "setnp %al", 0xa5a5a5a5, 0, CF, 0xa5a5a501, CF
    ALU "setnp %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a501, ZF
    ALU "setnp %al", 0xa5a5a5a5, 0, SF, 0xa5a5a501, SF
    ALU "setnp %al", 0xa5a5a5a5, 0, OF, 0xa5a5a501, OF
    ALU "setnp %al", 0xa5a5a5a5, 0, PF, 0xa5a5a500, PF
    ALU "setnp %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a501, OF|SF
    ALU "setnp %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a501, SF|ZF
    ALU "setnp %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a501, ZF|CF
    ALU "setnp %al", 0xa5a5a5a5, 0, FA, 0xa5a5a500, OF|SF|ZF|AF|PF|CF
    /* SETL */
    ALU "setl %al", 0xa5a5a5a5, 0, 0, 0xa5a5a500, 0
    ALU "setl %al", 0xa5a5a5a5, 0, CF, 0xa5a5a500, CF
    ALU "setl %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a500, ZF
    ALU "setl %al", 0xa5a5a5a5, 0, SF, 0xa5a5a501, SF
    ALU "setl %al", 0xa5a5a5a5, 0, OF, 0xa5a5a501, OF
    ALU "setl %al", 0xa5a5a5a5, 0, PF, 0xa5a5a500, PF
    ALU "setl %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a500, OF|SF
    ALU "setl %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a501, SF|ZF
    ALU "setl %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a500, ZF|CF
    ALU "setl %al", 0xa5a5a5a5, 0, FA, 0xa5a5a500, OF|SF|ZF|AF|PF|CF
    /* SETGE */
    ALU "setge %al", 0xa5a5a5a5, 0, 0, 0xa5a5a501, 0
    ALU "setge %al", 0xa5a5a5a5, 0, CF, 0xa5a5a501, CF
    ALU "setge %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a501, ZF
    ALU "setge %al", 0xa5a5a5a5, 0, SF, 0xa5a5a500, SF
    ALU "setge %al", 0xa5a5a5a5, 0, OF, 0xa5a5a500, OF
    ALU "setge %al", 0xa5a5a5a5, 0, PF, 0xa5a5a501, PF
    ALU "setge %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a501, OF|SF
    ALU "setge %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a500, SF|ZF
    ALU "setge %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a501, ZF|CF
    ALU "setge %al", 0xa5a5a5a5, 0, FA, 0xa5a5a501, OF|SF|ZF|AF|PF|CF
    /* SETLE */
    ALU "setle %al", 0xa5a5a5a5, 0, 0, 0xa5a5a500, 0
    ALU "setle %al", 0xa5a5a5a5, 0, CF, 0xa5a5a500, CF
    ALU "setle %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a501, ZF
    ALU "setle %al", 0xa5a5a5a5, 0, SF, 0xa5a5a501, SF
    ALU "setle %al", 0xa5a5a5a5, 0, OF, 0xa5a5a501, OF
    ALU "setle %al", 0xa5a5a5a5, 0, PF, 0xa5a5a500, PF
    ALU "setle %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a500, OF|SF
    ALU "setle %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a501, SF|ZF
    ALU "setle %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a501, ZF|CF
    ALU "setle %al", 0xa5a5a5a5, 0, FA, 0xa5a5a501, OF|SF|ZF|AF|PF|CF
    /* SETG */
    ALU "setg %al", 0xa5a5a5a5, 0, 0, 0xa5a5a501, 0
    ALU "setg %al", 0xa5a5a5a5, 0, CF, 0xa5a5a501, CF
    ALU "setg %al", 0xa5a5a5a5, 0, ZF, 0xa5a5a500, ZF
    ALU "setg %al", 0xa5a5a5a5, 0, SF, 0xa5a5a500, SF
    ALU "setg %al", 0xa5a5a5a5, 0, OF, 0xa5a5a500, OF
    ALU "setg %al", 0xa5a5a5a5, 0, PF, 0xa5a5a501, PF
    ALU "setg %al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a501, OF|SF
    ALU "setg %al", 0xa5a5a5a5, 0, ZF|SF, 0xa5a5a500, SF|ZF
    ALU "setg %al", 0xa5a5a5a5, 0, CF|ZF, 0xa5a5a500, ZF|CF
    ALU "setg %al", 0xa5a5a5a5, 0, FA, 0xa5a5a500, OF|SF|ZF|AF|PF|CF
    ALU "setne %ah", 0xa5a5a5a5, 0, 0, 0xa5a501a5, 0
    ALU "setg %bh; movb %bh,%al", 0xa5a5a5a5, 0, SF|OF, 0xa5a5a501, OF|SF
    ALUM "setl MEMV+1", 0x12345678, 0, SF, 0x12340178, SF
    ALUM "setbe MEMV", 0x12345678, 0, 0, 0x12345600, 0
    ALUM "seta MEMV+3", 0x12345678, 0, OF|SF|PF, 0x01345678, OF|SF|PF

/* ---------------- bit strings in memory (register offsets beyond the operand) ----------------
 * Base BX = 0x2000 in a zeroed area DS:0x1000..0x3003. */
    movw $0x1000, %di
    movw $0x2004, %cx
    xorb %al, %al
    rep stosb
    movw $0x2000, %bx

    movl $100, %eax
    clc
    btsw %ax, (%bx)                 /* word 0x200c, bit 4 = byte 0x200c bit 4 */
    CHKF 0, CF, "btsw 100: CF=old bit"
    CHK8 0x200c, 0x10, "btsw 100 -> byte +12 bit 4"
    btl %eax, (%bx)                 /* dword 0x200c, bit 4 */
    CHKF CF, CF, "btl 100: reads byte +12 bit 4"
    movl $0x00010064, %eax          /* a 16-bit offset is AX only: 100 */
    btrw %ax, (%bx)
    CHKF CF, CF, "btrw 0x10064: offset is AX=100"
    CHK8 0x200c, 0x00, "btrw 100 clears byte +12 bit 4"
    CHK8 0x220c, 0x00, "btrw 0x10064 did not use EAX"

    movl $-1, %eax
    btsw %ax, (%bx)                 /* offset -1: byte 0x1fff bit 7 */
    CHKF 0, CF, "btsw -1: CF=0"
    CHK8 0x1fff, 0x80, "btsw -1 -> byte -1 bit 7"
    CHK8 0x2001, 0x00, "btsw -1 not bit 15 of the word at base"
    btl %eax, (%bx)
    CHKF CF, CF, "btl -1: reads byte -1 bit 7"

    movl $-17, %eax                 /* floor(-17/8) = -3, bit 7 */
    btcw %ax, (%bx)
    CHKF 0, CF, "btcw -17: CF=0"
    CHK8 0x1ffd, 0x80, "btcw -17 -> byte -3 bit 7"
    btrl %eax, (%bx)
    CHKF CF, CF, "btrl -17: CF=1"
    CHK8 0x1ffd, 0x00, "btrl -17 clears byte -3 bit 7"
    btcl %eax, (%bx)
    CHKF 0, CF, "btcl -17: CF=0"
    CHK8 0x1ffd, 0x80, "btcl -17 sets byte -3 bit 7"

    movl $0x8000, %eax              /* 16-bit: -32768 -> byte -4096 bit 0 */
    btsw %ax, (%bx)
    CHK8 0x1000, 0x01, "btsw 0x8000 -> byte -4096 bit 0"
    movl $0x8005, %eax              /* 16-bit: -32763 -> byte -4096 bit 5 */
    btsw %ax, (%bx)
    CHK8 0x1000, 0x21, "btsw 0x8005 -> byte -4096 bit 5"
    btsl %eax, (%bx)                /* 32-bit: +32773 -> byte +4096 bit 5 */
    CHKF 0, CF, "btsl 0x8005: CF=0"
    CHK8 0x3000, 0x20, "btsl 0x8005 -> byte +4096 bit 5"

    movl $1, %eax                   /* with a displacement */
    btsl %eax, 4(%bx)
    CHK8 0x2004, 0x02, "btsl 1 on 4(bx)"
    movl $-31, %eax                 /* dword 0x2000, bit 1 */
    btsl %eax, 4(%bx)
    CHK8 0x2000, 0x02, "btsl -31 on 4(bx) -> byte 0 bit 1"

    btl $36, (%bx)                  /* imm offsets are masked: bit 4 of the dword at base */
    CHKF 0, CF, "btl $36 mem: bit 4"
    btsw $20, (%bx)                 /* bit 4 of the word at base, not word +2 */
    CHK8 0x2000, 0x12, "btsw $20 mem -> bit 4 at base"
    CHK8 0x2002, 0x00, "btsw $20 mem does not address +2"

    stc
    movl $15, %eax
    btw %ax, (%bx)                  /* BT reads only */
    CHKF 0, CF, "btw 15"
    CHK32 (%bx), 0x00000012, "bt does not write"
    CHK32 0x200c, 0, "bytes +12..+15 clean"
    CHK32 0x1ffc, 0x80008000, "bytes -4..-1"

/* ---------------- BOUND ---------------- */
.macro BNDCHK16 idx, lo, hi, br
    TDESC "boundw %ax,MEMV idx=\idx lo=\lo hi=\hi"
    TSET \idx, 0x5a5a5a5a, 0, 0x12345678, ((\hi) << 16) | ((\lo) & 0xffff), CF|ZF
    .if \br
    FAULT 5, "boundw %ax,MEMV", "boundw #BR idx=\idx lo=\lo hi=\hi"
    .else
    NOEXC "boundw %ax,MEMV", "boundw in range idx=\idx lo=\lo hi=\hi"
    .endif
    TCHK 7, CF|ZF, FA, TDESC_LAST, \idx, 0x12345678, ((\hi) << 16) | ((\lo) & 0xffff)
.endm
.macro BNDCHK32 idx, lo, hi, br
    TDESC "boundl %eax,MEMV idx=\idx lo=\lo hi=\hi"
    TSET \idx, 0x5a5a5a5a, 0, 0x12345678, \lo, SF
    movl $\hi, MEMV+4
    .if \br
    FAULT 5, "boundl %eax,MEMV", "boundl #BR idx=\idx lo=\lo hi=\hi"
    .else
    NOEXC "boundl %eax,MEMV", "boundl in range idx=\idx lo=\lo hi=\hi"
    .endif
    TCHK 7, SF, FA, TDESC_LAST, \idx, 0x12345678, \lo
    CHK32 MEMV+4, \hi, "boundl: upper bound unchanged"
.endm
    BNDCHK16 0xa5a50010, 0x0010, 0x0020, 0    /* lower limit is inclusive */
    BNDCHK16 0xa5a50020, 0x0010, 0x0020, 0    /* upper limit is inclusive */
    BNDCHK16 0xa5a50018, 0x0010, 0x0020, 0
    BNDCHK16 0xa5a5000f, 0x0010, 0x0020, 1
    BNDCHK16 0xa5a50021, 0x0010, 0x0020, 1
    BNDCHK16 0xa5a5ffff, 0xfffb, 0x0005, 0    /* signed: -1 in [-5, 5] */
    BNDCHK16 0xa5a58000, 0xfffb, 0x0005, 1    /* -32768 < -5 */
    BNDCHK16 0xa5a57fff, 0xfffb, 0x0005, 1    /* 32767 > 5 */
    BNDCHK16 0x00000005, 0x8000, 0x7fff, 0    /* full range; upper EAX ignored */
    BNDCHK16 0xffff0005, 0x0005, 0x0005, 0
    BNDCHK32 0x00000010, 0x00000010, 0x00000020, 0
    BNDCHK32 0x00000020, 0x00000010, 0x00000020, 0
    BNDCHK32 0x0000000f, 0x00000010, 0x00000020, 1
    BNDCHK32 0x00010020, 0x00000010, 0x00000020, 1    /* the whole of EAX counts */
    BNDCHK32 0xffffffff, 0xfffffff0, 0x00000010, 0
    BNDCHK32 0x80000000, 0xfffffff0, 0x00000010, 1
    BNDCHK32 0x7fffffff, 0x80000000, 0x7fffffff, 0
    /* the prefixed form: pushed IP must be the 0x66 prefix, with a segment override too */
    movl $0x00000030, MEMV
    movl $0x00000040, MEMV+4
    movl $0x50, %eax
    FAULT 5, "boundl %eax,%es:MEMV", "boundl es: #BR: IP = first prefix"
    CHK32 %eax, 0x50, "boundl es: #BR: eax unchanged"
    /* BOUND with a register operand (mod = 11) is undefined: #UD */
    FAULT 6, ".byte 0x62,0xc3", "bound ax,bx (register operand) -> #UD"

    AR_FINISH ar_bits
    AR_SUBROUTINES
