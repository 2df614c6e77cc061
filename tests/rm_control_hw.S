/* rm_control_hw: real-mode limit checks on control transfers and on the
 * stack (80386 and later).
 *
 * QEMU FAILS THIS ROM: in real mode QEMU checks neither the CS limit of a
 * jump target nor the SS limit of a stack access.  A 32-bit-operand JMP to
 * EIP 0x10000 simply runs linear 0xF0000+0x10000, and a POP at SP=FFFF reads
 * SS:FFFF and SS+0x10000.  Real processors raise an exception instead.
 *
 * Source: Intel SDM vol. 2, real-address-mode exceptions of JMP, CALL, RET,
 * Jcc, IRET: "#GP If the target operand is beyond the code segment limits"
 * (the real-mode CS limit is 0xFFFF); the JMP/CALL pseudocode checks
 * "IF tempEIP is not within code segment limit THEN #GP(0)" before anything
 * is pushed or EIP is changed (a 32-bit operand size does NOT truncate EIP to
 * 16 bits); POP/RET: "#SS If ... outside the SS segment limit".  The
 * exceptions are faults: the pushed CS:IP is the faulting instruction (first
 * prefix byte) and SP is unchanged.
 *
 * Checks (each must raise the vector shown, with IP = that instruction):
 *   #GP(13): 66 E9 rel32 to 0x10000; JMP EAX=0x10000; 66 0F 84 (JE rel32)
 *   taken to 0x10000; 66 E8 rel32 CALL to 0x10000 and CALL EAX (SP
 *   unchanged); 66 EA far JMP to F000:00010000; 66 C3 RET popping 0x10000;
 *   66 CF IRETD with EIP 0x10000.
 *   #SS(12): POP with SP=FFFF (SP unchanged), RET with SP=FFFF.
 * Data-segment limit checks are in ar_except_hw.
 *
 * If a jump is (wrongly) taken, execution would reach linear 0x100000
 * (0 with A20 off); a far jump to jmp_nofault is planted at FFFF:0010 so the
 * ROM reports it instead of running wild.  Planting it may overwrite IVT
 * vectors 0-1 (with A20 off); neither is used here.
 */
#include "rm_common.inc"

    RESET_VECTOR start

    .set VEC, 0x500             /* vector of the last fault (SS=0 area) */
    .set FIP, 0x502             /* IP it pushed */
    .set FCS, 0x504             /* CS it pushed */
    .set FSP, 0x506             /* SP before the fault (frame SP + 6) */
    .set RESUME, 0x508          /* where the handler continues */
    .set BAD, 0x10000           /* first EIP beyond the CS limit */

/* Arm the handler to continue at \resume. */
.macro ARM resume
    push %ds
    pushw $0
    pop %ds
    movw $0xFFFF, VEC
    movw $0xFFFF, FIP
    movw $\resume, RESUME
    pop %ds
.endm

/* After the fault: vector, pushed IP (\at) and CS, SP at the fault. */
.macro CHECKF vec, at, sp, msg
    push %ds
    pushw $0
    pop %ds
    T_CK16 VEC, \vec, "\msg: vector (0xFFFF = no fault)"
    T_CK16 FIP, \at, "\msg: pushed IP = the faulting instruction"
    T_CK16 FCS, 0xF000, "\msg: pushed CS"
    T_CK16 FSP, \sp, "\msg: SP unchanged by the fault"
    pop %ds
.endm

start:
    T_INIT
    T_PUTS "rm_control_hw\r\n"
    T_SETVEC 12, h_fault12
    T_SETVEC 13, h_fault13
    /* guard at linear 0x100000 (FFFF:0010): jmp far F000:jmp_nofault */
    mov $0xFFFF, %ax
    mov %ax, %fs
    movb $0xEA, %fs:0x10
    movw $jmp_nofault, %fs:0x11
    movw $0xF000, %fs:0x13

/* ---- near JMP rel32 beyond the limit ------------------------------------- */
    ARM 2f
1:  .byte 0x66, 0xE9
    .long (t_stray + BAD) - (. + 4)   /* t_stray is at offset 0 */
    T_FAIL "66 E9 fell through"
2:  CHECKF 13, 1b, 0x8000, "66 E9 jmp rel32 to 0x10000"

/* ---- JMP r32 ------------------------------------------------------------ */
    ARM 2f
    mov $BAD, %eax
1:  jmp *%eax
    T_FAIL "jmp eax fell through"
2:  CHECKF 13, 1b, 0x8000, "jmp eax=0x10000 (no truncation to 16 bits)"
    T_CK32 %eax, BAD, "jmp eax: eax unchanged"

/* ---- Jcc rel32 (taken) ---------------------------------------------------- */
    ARM 2f
    T_SETF F_ZF
1:  .byte 0x66, 0x0F, 0x84      /* je rel32 */
    .long (t_stray + BAD) - (. + 4)   /* t_stray is at offset 0 */
    T_FAIL "66 0F 84 fell through"
2:  CHECKF 13, 1b, 0x8000, "66 je rel32 to 0x10000"
    T_SETF 0

/* ---- CALL rel32 / CALL r32: #GP before anything is pushed (SP unchanged;
 * the pushed words themselves can't be checked: the #GP frame overwrites
 * them) --------------------------------------------------------------------- */
    ARM 2f
1:  .byte 0x66, 0xE8
    .long (t_stray + BAD) - (. + 4)   /* t_stray is at offset 0 */
    T_FAIL "66 E8 returned"
2:  CHECKF 13, 1b, 0x8000, "66 E8 call rel32 to 0x10000"
    ARM 2f
    mov $BAD, %eax
1:  calll *%eax
    T_FAIL "call eax returned"
2:  CHECKF 13, 1b, 0x8000, "call eax=0x10000"

/* ---- far JMP with a 32-bit offset beyond the limit ------------------------- */
    ARM 2f
1:  .byte 0x66, 0xEA
    .long BAD
    .word 0xF000
    T_FAIL "66 EA fell through"
2:  CHECKF 13, 1b, 0x8000, "66 EA jmp far F000:00010000"
    mov %cs, %ax
    T_CK16 %ax, 0xF000, "66 EA: CS unchanged"

/* ---- RET (32-bit) popping 0x10000 ---------------------------------------- */
    ARM 2f
    pushl $BAD
1:  retl
    T_FAIL "66 C3 fell through"
2:  CHECKF 13, 1b, 0x7ffc, "66 ret to 0x10000"
    mov $0x8000, %esp

/* ---- IRETD with EIP 0x10000 ------------------------------------------------ */
    ARM 2f
    pushl $F_1
    pushl $0xF000
    pushl $BAD
1:  iretl
    T_FAIL "iretd fell through"
2:  CHECKF 13, 1b, 0x7ff4, "iretd to EIP 0x10000"
    mov $0x8000, %esp

/* ---- POP / RET with SP=FFFF: #SS ----------------------------------------- */
    /* SS = 0x5000 so the frame (pushed at FFFD..FFF9) is harmless */
    mov $0x5000, %ax
    mov %ax, %ss
    mov $0xFFFF, %sp
    ARM 2f
1:  pop %ax
    T_FAIL "pop at SP=FFFF did not fault"
2:  mov %sp, %bx
    mov $0, %ax
    mov %ax, %ss
    mov $0x8000, %sp
    CHECKF 12, 1b, 0xFFFF, "pop with SP=FFFF (#SS)"
    T_CK16 %bx, 0xFFFF, "pop with SP=FFFF: SP after iret"
    mov $0x5000, %ax
    mov %ax, %ss
    mov $0xFFFF, %sp
    ARM 2f
1:  ret
    T_FAIL "ret at SP=FFFF did not fault"
2:  mov $0, %ax
    mov %ax, %ss
    mov $0x8000, %sp
    CHECKF 12, 1b, 0xFFFF, "ret with SP=FFFF (#SS)"

    T_PASS

jmp_nofault:
    T_FAIL "a transfer to EIP 0x10000 ran linear 0x100000 instead of #GP"

/* Fault handlers: record vector, CS:IP and the SP at the fault, then
 * continue at [RESUME] (SS may be anything; the records go to 0:500). */
h_fault12:
    push %ax
    mov $12, %ax
    jmp h_common
h_fault13:
    push %ax
    mov $13, %ax
h_common:
    push %bp
    push %ds
    mov %sp, %bp
    push %ax
    pushw $0
    pop %ds
    pop %ax
    mov %ax, VEC
    mov 6(%bp), %ax             /* IP */
    mov %ax, FIP
    mov 8(%bp), %ax             /* CS */
    mov %ax, FCS
    lea 12(%bp), %ax            /* SP before the 6-byte frame */
    mov %ax, FSP
    mov RESUME, %ax
    mov %ax, 6(%bp)
    pop %ds
    pop %bp
    pop %ax
    iret
