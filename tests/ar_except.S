/* ar_except: invalid opcodes and the LOCK prefix (#UD), INT3/INT n/INTO,
 * single-step (TF).
 *
 * What it checks (every exception goes through the real-mode IVT; the
 * handler in ar_common.inc records the vector and the pushed CS:IP/FLAGS):
 *   - #UD (vector 6) is a fault: the pushed IP is the first byte of the
 *     instruction, prefixes included, and no register changes.  Opcodes:
 *     UD2 (0F 0B, also with 66/2E/F3 prefixes), 0F B9 (UD1), 0F FF (UD0 /
 *     undefined on the 386); register operands where only memory is
 *     allowed (LEA, LES, LDS, LSS, LFS, LGS, FF /3 and FF /5 far CALL/JMP;
 *     BOUND's is in ar_bits); MOV to CS and to the nonexistent segment
 *     registers 6 and 7; FE /2, FE /7 and FF /7.
 *   - LOCK: allowed only on ADD ADC AND BTC BTR BTS DEC INC NEG NOT OR SBB
 *     SUB XOR XCHG with a memory destination (these work, results checked);
 *     LOCK NOP, LOCK MOV (register and memory), LOCK ADD/INC/XCHG with a
 *     register destination, LOCK CMP/BT on memory all raise #UD, with the IP
 *     of the first prefix.
 *   - INT3 (CC) and INT 3 (CD 03) go to vector 3, INT n to vector n, INTO
 *     to vector 4 only when OF=1: these are traps, the pushed IP is the
 *     next instruction, the pushed FLAGS are the caller's, and the handler
 *     runs with TF=IF=0.
 *   - Single-step: a POPF that sets TF causes no trap itself; then every
 *     instruction traps (vector 1) with IP = the next instruction to run
 *     (after NOP/INC, at a jump/call target, at a return address, past an
 *     untaken branch), including the POPF that clears TF again; IRET that
 *     sets TF likewise steps from its target's first instruction on; MOV SS
 *     and POP SS inhibit the trap until after the next instruction (one
 *     trap, IP after that next instruction).
 *
 * Expected values: Intel SDM (Interrupt and exception handling, "Exception
 * and interrupt reference"; LOCK; INT n/INTO/INT3; single-step in "Debug
 * exceptions": the trap is not taken after the instruction that sets TF,
 * and is reported with CS:IP of the next instruction; "Masking exceptions
 * and interrupts when switching stacks" for MOV/POP SS), and the 80386
 * manual's list of lockable instructions.
 */
#include "lib.inc"
#include "ar_common.inc"

/* UD bytes, desc: the hand-encoded instruction must raise #UD at its first
 * byte with EAX, EBX and MEMV unchanged. */
.macro UD bytes:vararg
    TDESC "#UD \bytes"
    TSET 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, CF|ZF
    FAULT 6, ".byte \bytes", "#UD \bytes"
    TCHK 7, CF|ZF, FA, TDESC_LAST, 0x11111111, 0x44444444, 0x55555555
.endm

    RESET_VECTOR start
    .text
start:
    AR_INIT ar_except
    SETVEC_ALL

/* ---------------- undefined opcodes ---------------- */
    UD 0x0f, 0x0b                   /* UD2 */
    UD 0x66, 0x0f, 0x0b             /* operand-size prefix + UD2: IP at the 66 */
    UD 0x2e, 0x0f, 0x0b             /* CS override + UD2 */
    UD 0xf3, 0x67, 0x0f, 0x0b       /* REP + address-size + UD2 */
    UD 0x0f, 0xb9, 0xc0             /* UD1 */
    UD 0x0f, 0xff, 0xc0             /* UD0 (undefined on the 386 as well) */
    UD 0x8d, 0xc0                   /* LEA ax, ax: needs a memory operand */
    UD 0x66, 0x8d, 0xd8             /* LEA ebx, eax */
    UD 0xc4, 0xc0                   /* LES ax, ax (no VEX in real mode) */
    UD 0xc5, 0xd8                   /* LDS bx, ax */
    UD 0x0f, 0xb2, 0xc0             /* LSS ax, ax */
    UD 0x0f, 0xb4, 0xc0             /* LFS ax, ax */
    UD 0x0f, 0xb5, 0xc0             /* LGS ax, ax */
    UD 0xff, 0xd8                   /* CALL FAR with a register operand */
    UD 0xff, 0xe8                   /* JMP FAR with a register operand */
    UD 0xff, 0xf8                   /* FF /7 */
    UD 0xfe, 0xd0                   /* FE /2 */
    UD 0xfe, 0xf8                   /* FE /7 */
    UD 0x8e, 0xc8                   /* MOV CS, ax */
    UD 0x8e, 0xf0                   /* MOV sreg 6, ax */
    UD 0x8e, 0xf8                   /* MOV sreg 7, ax */

/* ---------------- LOCK on something that is not a locked memory RMW: #UD ----------------
 * (LOCK MOV, LOCK XCHG reg,reg, LOCK TEST and LOCK BT are in ar_except_hw:
 * QEMU 7.2 executes them without #UD.) */
    UD 0xf0, 0x90                   /* LOCK NOP */
    UD 0xf0, 0x01, 0xd8             /* LOCK ADD ax, bx (register destination) */
    UD 0xf0, 0x03, 0x1e, MEMV & 0xff, MEMV >> 8     /* LOCK ADD bx, [MEMV] (register destination) */
    UD 0xf0, 0x66, 0x83, 0xc0, 0x01 /* LOCK ADD eax, 1 */
    UD 0xf0, 0x40                   /* LOCK INC ax */
    UD 0xf0, 0xfe, 0xc0             /* LOCK INC al */
    UD 0xf0, 0xf7, 0xd0             /* LOCK NOT ax */
    UD 0xf0, 0x39, 0x1e, MEMV & 0xff, MEMV >> 8     /* LOCK CMP [MEMV], bx */
    UD 0x2e, 0xf0, 0x01, 0xd8       /* CS: LOCK ADD ax, bx: IP at the 2E */
    UD 0xf0, 0x0f, 0x0b             /* LOCK UD2 */

/* ---------------- LOCK on a memory read-modify-write works ---------------- */
    ALUM "lock addw %bx,MEMV", 0x12341234, 0x1111, 0, 0x12342345, 0
    ALUM "lock adcl %ebx,MEMV", 0xfffffffe, 0x00000001, CF, 0x00000000, ZF|AF|PF|CF
    ALUM "lock andb %bl,MEMV", 0x123456ff, 0x0f, 0, 0x1234560f, PF, FL
    ALUM "lock orw $0x8000,MEMV", 0x12340001, 0, 0, 0x12348001, SF, FL
    ALUM "lock xorl %ebx,MEMV", 0x12345678, 0x12345678, 0, 0, ZF|PF, FL
    ALUM "lock subl $1,MEMV", 0x00000000, 0, 0, 0xffffffff, SF|AF|PF|CF
    ALUM "lock sbbw %bx,MEMV", 0x12340005, 0x0004, CF, 0x12340000, ZF|PF
    ALUM "lock incw MEMV", 0x1234ffff, 0, CF, 0x12340000, ZF|AF|PF|CF
    ALUM "lock decb MEMV", 0x12345600, 0, 0, 0x123456ff, SF|AF|PF
    ALUM "lock negl MEMV", 0x00000001, 0, 0, 0xffffffff, SF|AF|PF|CF
    ALUM "lock notw MEMV", 0x12345678, 0, FA, 0x1234a987, OF|SF|ZF|AF|PF|CF
    ALUM "lock btsw $3,MEMV", 0x12345670, 0, 0, 0x12345678, 0, CF
    ALUM "lock btrl %ebx,MEMV", 0x12345678, 4, 0, 0x12345668, CF, CF
    ALUM "lock btcw $15,MEMV", 0x12345678, 0, 0, 0x1234d678, 0, CF
    ALUM "lock xchgw %bx,MEMV", 0x12345678, 0xabcd, 0, 0x1234abcd, 0
    ALUM "xchgl %ebx,MEMV; lock xchgl %ebx,MEMV", 0x12345678, 0xabcd, 0, 0x12345678, 0

/* ---------------- INT3, INT n, INTO: traps ---------------- */
    TRAP 3, "int3", "int3 (CC): vector 3, IP after"
    CHK16 %ss:EXC_HFL, 0, "int3: handler runs with TF=IF=0", TF|IF
    TRAP 3, ".byte 0xcd,0x03", "int $3 (CD 03): vector 3, IP after"
    TRAP 5, "int $5", "int $5: vector 5, IP after"
    TRAP 13, "int $13", "int $13: vector 13, IP after"
    pushl $(OF|CF|2)
    popfl
    TRAP 4, "into", "into with OF=1: vector 4, IP after"
    CHKF OF|CF, FA, "flags after into"
    CHK16 %ss:EXC_FL, OF|CF|2, "into: pushed flags"
    pushl $(FA & ~OF)
    popfl
    NOEXC "into", "into with OF=0: no exception"
    pushl $(ZF|2)
    popfl
    TRAP 3, "int3", "int3 pushed flags"
    CHK16 %ss:EXC_FL, ZF|2, "int3: pushed flags"

/* ---------------- single-step (TF) with POPF ---------------- */
    pushfw
    popw %dx
    andw $~TF, %dx
    movw %dx, %cx                   /* CX = flags without TF */
    orw $TF, %dx                    /* DX = flags with TF */
    movw $1, %si
    EXC_ARM 0
    pushw %dx
    popfw                           /* sets TF: no trap after this one */
ss_1: nop                           /* trap -> ss_2 */
ss_2: incw %si                      /* trap -> ss_3 */
ss_3: jmp ss_5                      /* trap -> ss_5 */
    hlt
ss_5: jz ss_bad                     /* SI=2: not taken, trap -> ss_6 */
ss_6: call ss_sub                   /* trap -> ss_sub */
ss_7: pushw %cx                     /* trap -> ss_8 */
ss_8: popfw                         /* clears TF: trap -> ss_9 */
ss_9: nop                           /* no more traps */
    nop
    jmp ss_check
ss_sub:
    ret                             /* trap -> ss_7 */
ss_bad:
    FAILMSG "single-step: jz taken"
ss_check:
    CHK16 %ss:EXC_COUNT, 8, "single-step: number of traps"
    CHK16 %ss:EXC_LOG+0, 1, "single-step #1: vector"
    CHK16 %ss:EXC_LOG+2, ss_2, "single-step #1 (after nop)"
    CHK16 %ss:EXC_LOG+4, 0xf000, "single-step #1: pushed CS"
    CHK16 %ss:EXC_LOG+6, TF, "single-step #1: pushed FLAGS have TF", TF
    CHK16 %ss:EXC_LOG+10, ss_3, "single-step #2 (after inc)"
    CHK16 %ss:EXC_LOG+18, ss_5, "single-step #3 (jmp target)"
    CHK16 %ss:EXC_LOG+26, ss_6, "single-step #4 (jz not taken)"
    CHK16 %ss:EXC_LOG+34, ss_sub, "single-step #5 (call target)"
    CHK16 %ss:EXC_LOG+42, ss_7, "single-step #6 (ret address)"
    CHK16 %ss:EXC_LOG+50, ss_8, "single-step #7 (after push)"
    CHK16 %ss:EXC_LOG+54, TF, "single-step #7: pushed FLAGS have TF", TF
    CHK16 %ss:EXC_LOG+56, 1, "single-step #8: vector"
    CHK16 %ss:EXC_LOG+58, ss_9, "single-step #8 (after the popf that clears TF)"
    CHK16 %ss:EXC_LOG+62, 0, "single-step #8: pushed FLAGS are after the popf", TF
    CHK16 %ss:EXC_HFL, 0, "single-step: handler runs with TF=IF=0", TF|IF
    CHK16 %si, 2, "single-step: instructions ran once"
    CHKF 0, TF, "TF is clear again"
    EXC_CHECK 8, 1, ss_9, "single-step done"

/* ---------------- single-step (TF) with IRET ---------------- */
    EXC_ARM 0
    pushw %dx                       /* FLAGS with TF */
    pushw %cs
    pushw $it_1
    iret                            /* sets TF: no trap after the IRET */
    hlt
it_1: nop                           /* trap -> it_2 */
it_2: pushw %cx                     /* trap -> it_3 */
it_3: popfw                         /* trap -> it_4 */
it_4: nop
    CHK16 %ss:EXC_COUNT, 3, "iret single-step: number of traps"
    CHK16 %ss:EXC_LOG+2, it_2, "iret single-step #1"
    CHK16 %ss:EXC_LOG+10, it_3, "iret single-step #2"
    CHK16 %ss:EXC_LOG+18, it_4, "iret single-step #3"
    EXC_CHECK 3, 1, it_4, "iret single-step done"

/* ---------------- single-step: MOV SS / POP SS hold off the trap for one instruction ---------------- */
    pushfw
    popw %dx
    andw $~TF, %dx
    movw %dx, %cx
    orw $TF, %dx
    movw %ss, %ax
    EXC_ARM 0
    pushw %dx
    popfw
ms_1: movw %ax, %ss                 /* no trap here ... */
ms_2: nop                           /* ... but after this: -> ms_3 */
ms_3: pushw %ax                     /* -> ms_4 */
ms_4: popw %ss                      /* no trap here ... */
ms_5: nop                           /* -> ms_6 */
ms_6: pushw %cx                     /* -> ms_7 */
ms_7: popfw                         /* -> ms_8 */
ms_8: nop
    CHK16 %ss:EXC_COUNT, 5, "mov/pop ss single-step: number of traps"
    CHK16 %ss:EXC_LOG+2, ms_3, "mov ss: trap after the next instruction"
    CHK16 %ss:EXC_LOG+10, ms_4, "single-step after push"
    CHK16 %ss:EXC_LOG+18, ms_6, "pop ss: trap after the next instruction"
    CHK16 %ss:EXC_LOG+26, ms_7, "single-step after push cx"
    CHK16 %ss:EXC_LOG+34, ms_8, "single-step after popf"
    EXC_CHECK 5, 1, ms_8, "mov/pop ss single-step done"
    AR_FINISH ar_except
    AR_SUBROUTINES
