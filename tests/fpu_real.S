/* fpu_real: the x87 in real-address mode, where FSTENV/FSAVE store the
 * instruction and operand pointers as linear addresses (Intel SDM Vol. 1
 * 8.1.10, Figures 8-10 and 8-12).
 *
 * Covers: the FCW after RESET (0040H: every exception unmasked, 24-bit
 * precision; SDM Vol. 3 Table 9-1) and after FNINIT; the 16-bit real-mode
 * FSTENV image (FIP 15..0, then FIP 19..16 in bits 15..12 with FOP in
 * 10..0, FDP 15..0, FDP 19..16 in bits 15..12) and the 32-bit one (0x66:
 * FIP 15..0, then FIP 31..16 in bits 27..12 with FOP, the same for FDP)
 * for an FLD m64 at F000:ip with DS = 0x0050; a segment override (ES);
 * FSAVE (16-bit, 94 bytes: the registers from ST(0) on, after the
 * environment) and FRSTOR of a changed image; FLDENV of a made-up image
 * gives its pointers back to FSTENV; FXSAVE/FXRSTOR in real mode (FIP is
 * the IP, FCS the CS selector); #NM with CR0.TS through the IVT; FNINIT
 * clears the pointers.
 */
#include "rm_common.inc"

    RESET_VECTOR start

    .set DATA_SEG, 0x0050           /* DS: data at linear 0x500 */
    .set OPND, 0x10                 /* DS:0x10 = linear 0x510: the FLD operand */
    .set ENV, 0x100                 /* DS:0x100: FSTENV/FSAVE images */
    .set FXAREA, 0x300              /* DS:0x300, 16-byte aligned (linear 0x800) */
    .set NM_CNT, 0x600              /* absolute: #NM handler count */

start:
    T_INIT
    /* RESET left FCW 0040H: nothing has used the x87 */
    fnstcw 0x700
    T_CK16 0x700, 0x0040, "FCW after RESET is 0040H"
    fninit
    fnstcw 0x700
    T_CK16 0x700, 0x037f, "FCW after FNINIT is 037FH"

    mov $DATA_SEG, %ax
    mov %ax, %ds
    movl $0, OPND
    movl $0x40140000, OPND+4        /* 5.0 */

    /* 16-bit FSTENV after FLD m64 (DD 06 disp16: FOP 0x506) */
fld_16:
    fldl OPND
    fnstenv ENV
    T_CK16 ENV+0, 0x037f, "16-bit env: FCW"
    T_CK16 ENV+4, 0x3fff, "16-bit env: FTW (R7 valid)"
    T_CK16 ENV+6, fld_16, "16-bit env: FIP 15..0 (linear F0000 + ip)"
    T_CK16 ENV+8, 0xf506, "16-bit env: FIP 19..16 = F, FOP = 506"
    T_CK16 ENV+10, 0x0510, "16-bit env: FDP 15..0 (linear 0x510)"
    T_CK16 ENV+12, 0x0000, "16-bit env: FDP 19..16"

    /* 32-bit FSTENV after an FADD with an ES override (26 D8 06: FOP 0x006) */
    mov $0x0040, %ax                /* ES:0x110 is linear 0x510 too */
    mov %ax, %es
fadd_32:
    fadds %es:0x110
    data32 fnstenv ENV
    T_CK16 ENV+0, 0x037f, "32-bit env: FCW"
    T_CK16 ENV+12, fadd_32, "32-bit env: FIP 15..0"
    T_CK32 ENV+16, 0x0000f006, "32-bit env: FIP 31..16 in 27..12, FOP in 10..0"
    T_CK16 ENV+20, 0x0510, "32-bit env: FDP 15..0"
    T_CK32 ENV+24, 0x00000000, "32-bit env: FDP 31..16 in 27..12"
    xor %ax, %ax
    mov %ax, %es

    /* FSAVE (16-bit): the register after the 14-byte environment, then
     * FRSTOR of the image with ST(0) changed to 1.0 */
    fnsave ENV
    fnstcw 0x20
    T_CK16 0x20, 0x037f, "FSAVE reinitialized the FPU"
    T_CK16 ENV+14+8, 0x4001, "FSAVE: ST(0) = 5.0 (5.0 + the float 0.0) right after the environment"
    movw $0x3fff, ENV+14+8          /* 5.0 -> 1.25 * 2^0: exponent 0x3fff */
    frstor ENV
    fstps 0x20
    T_CK32 0x20, 0x3fa00000, "FRSTOR of a changed image: ST(0) = 1.25"

    /* FLDENV of a made-up 16-bit environment: the pointers come back */
    fninit
    fnstenv ENV
    movw $0x2345, ENV+6             /* FIP 0x12345 */
    movw $0x1123, ENV+8             /* ... and FOP 0x123 */
    movw $0xbeef, ENV+10            /* FDP 0x9beef */
    movw $0x9000, ENV+12
    fldenv ENV
    data32 fnstenv ENV+0x40
    T_CK16 ENV+0x40+12, 0x2345, "FLDENV, 32-bit FSTENV: FIP 15..0"
    T_CK32 ENV+0x40+16, 0x00001123, "FLDENV, 32-bit FSTENV: FIP 31..16, FOP"
    T_CK16 ENV+0x40+20, 0xbeef, "FLDENV, 32-bit FSTENV: FDP 15..0"
    T_CK32 ENV+0x40+24, 0x00009000, "FLDENV, 32-bit FSTENV: FDP 31..16"

    /* FXSAVE in real mode: the pointers as offset and selector */
    fninit
fld_fx:
    fldl OPND
    fxsave FXAREA
    T_CK16 FXAREA+0, 0x037f, "FXSAVE: FCW"
    T_CK8 FXAREA+4, 0x80, "FXSAVE: abridged FTW (R7)"
    T_CK16 FXAREA+6, 0x506, "FXSAVE: FOP"
    T_CK32 FXAREA+8, fld_fx, "FXSAVE: FIP is the IP"
    T_CK16 FXAREA+12, 0xf000, "FXSAVE: FCS"
    T_CK32 FXAREA+16, OPND, "FXSAVE: FDP is the offset"
    T_CK16 FXAREA+20, DATA_SEG, "FXSAVE: FDS"
    T_CK16 FXAREA+32+8, 0x4001, "FXSAVE: ST(0) = 5.0"
    movw $0x0f7f, FXAREA            /* round toward zero */
    fninit
    fxrstor FXAREA
    fnstcw 0x20
    T_CK16 0x20, 0x0f7f, "FXRSTOR: FCW"
    fstps 0x20
    T_CK32 0x20, 0x40a00000, "FXRSTOR: ST(0) = 5.0"

    /* FNINIT clears the pointers */
    fninit
    fnstenv ENV
    T_CK16 ENV+6, 0, "FNINIT: FIP 0"
    T_CK16 ENV+8, 0, "FNINIT: FIP high and FOP 0"
    T_CK16 ENV+10, 0, "FNINIT: FDP 0"

    /* #NM with CR0.TS in real mode: the handler clears TS (CLTS) */
    xor %ax, %ax
    mov %ax, %ds
    T_SETVEC 7, nm_handler
    movw $0, NM_CNT
    mov %cr0, %eax
    or $0x8, %eax                   /* TS */
    mov %eax, %cr0
nm_insn:
    fld1
    T_CK16 NM_CNT, 1, "#NM with CR0.TS: the handler ran once"
    mov %cr0, %eax
    T_CK32 %eax, 0x60000010, "the handler cleared TS"
    fstps 0x20
    T_CK32 0x20, 0x3f800000, "FLD1 ran after CLTS"
    T_PASS

nm_handler:
    incw NM_CNT
    push %bp
    mov %sp, %bp
    cmpw $nm_insn, 2(%bp)           /* a fault: IP of the FLD1 */
    je 1f
    T_FAIL "#NM: pushed IP is not the faulting instruction"
1:  pop %bp
    clts
    iret
