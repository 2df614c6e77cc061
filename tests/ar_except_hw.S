/* ar_except_hw: exceptions that hardware raises and QEMU 7.2 does not.
 *
 * Why a separate _hw ROM: QEMU does not check segment limits in real mode
 * (it lets a word at offset 0xFFFF or an offset above 0xFFFF through), and
 * it executes LOCK MOV, LOCK XCHG reg,reg, LOCK TEST and LOCK BT without an
 * exception; QEMU fails each check below, hardware passes them.
 *
 * What it checks:
 *   - Real-mode segment limit (0xFFFF on a 386 after reset): any part of a
 *     memory operand beyond the limit is interrupt 13 (#GP; real mode pushes
 *     no error code), or interrupt 12 (#SS) when the segment is SS (BP-based
 *     addressing or an SS: override).  Word at DS:FFFF (read, write, RMW),
 *     dword at DS:FFFD and DS:FFFE, word at ES:FFFF, LODSW with SI=FFFF,
 *     STOSW with DI=FFFF, a 32-bit address (67 prefix) of 0x10000, [BP] with
 *     BP=FFFF, [BP+SI] wrapping to FFFF, SS:FFFF; DS:[BP] with BP=FFFF is
 *     #GP (the override decides).  Limit-exact accesses (dword at DS:FFFC,
 *     byte at DS:FFFF) do not fault.  The exceptions are faults: pushed IP
 *     = the instruction (first prefix), registers unchanged, and a faulting
 *     write stores nothing (not even the byte inside the limit).
 *   - LOCK with MOV (both directions), XCHG reg,reg, TEST and BT raises #UD
 *     (SDM, LOCK: only ADD ADC AND BTC BTR BTS DEC INC NEG NOT OR SBB SUB XOR
 *     XCHG (and 486+ CMPXCHG/XADD) with a memory destination may be locked;
 *     anything else is #UD).
 *
 * Expected values: Intel SDM real-address-mode exceptions of MOV, ADD, LODS,
 * STOS ("#GP if a memory operand effective address is outside the CS, DS,
 * ES, FS, or GS segment limit"; "#SS if ... outside the SS segment limit"),
 * 80386 manual ("Interrupt 13 if any part of the operand would lie outside
 * of the effective address space from 0 to 0FFFFH"), SDM LOCK.
 */
#include "lib.inc"
#include "ar_common.inc"

/* LIM vec, insn, desc: insn must fault with vec; EAX..EDX, ESI, EDI, EBP
 * and the flags stay as they were (TSET values, SI/DI/BP given). */
.macro LIM vec, insn, si=0, di=0, bp=0
    TDESC "\insn"
    movw $\si, %si
    movw $\di, %di
    movw $\bp, %bp
    TSET 0x11112222, 0x33334444, 0x55556666, 0x77778888, 0x9999aaaa, CF|SF
    FAULT \vec, "\insn", "limit fault: \insn"
    TCHK 7, CF|SF, FA, TDESC_LAST, 0x11112222, 0x77778888, 0x9999aaaa
    CHK16 %si, \si, "\insn: SI unchanged"
    CHK16 %di, \di, "\insn: DI unchanged"
    CHK16 %bp, \bp, "\insn: BP unchanged"
.endm

.macro UD bytes:vararg
    TDESC "#UD \bytes"
    TSET 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, CF|ZF
    FAULT 6, ".byte \bytes", "#UD \bytes"
    TCHK 7, CF|ZF, FA, TDESC_LAST, 0x11111111, 0x44444444, 0x55555555
.endm

    RESET_VECTOR start
    .text
start:
    AR_INIT ar_except_hw
    SETVEC_ALL

/* ---------------- segment limit: #GP (13) ---------------- */
    /* bytes around the end of the data segment: DS:FFFC..FFFF and the next
     * byte (linear 0x20000) are set through a second segment register */
    pushw $0x1fff
    popw %fs
    movl $0x44332211, %fs:0x000c
    movb $0x55, %fs:0x0010

    LIM 13, "movw 0xffff,%ax"
    LIM 13, "movw %ax,0xffff"
    LIM 13, "incw 0xffff"
    LIM 13, "addw %bx,0xffff"
    LIM 13, "movl 0xfffd,%eax"
    LIM 13, "movl 0xfffe,%eax"
    LIM 13, "movl %ebx,0xfffe"
    LIM 13, "movw %es:0xffff,%ax"
    LIM 13, "movw %fs:0xffff,%cx"
    LIM 13, "lodsw", si=0xffff
    LIM 13, "stosw", di=0xffff
    LIM 13, "movl (%si),%eax", si=0xfffd
    LIM 13, "movw %ds:(%bp),%ax", bp=0xffff
    CHK32 %fs:0x000c, 0x44332211, "faulting writes stored nothing at DS:FFFC..FFFF"
    CHK8 %fs:0x0010, 0x55, "faulting writes stored nothing past the limit"
    /* a 32-bit address of 0x10000 is beyond the limit */
    movl $0x10000, %esi
    FAULT 13, "movb (%esi),%al", "addr32 offset 0x10000: #GP"
    FAULT 13, "movb -1(%esi,%esi),%al", "addr32 offset 0x1ffff: #GP"
    xorl %esi, %esi
    /* accesses that end exactly at the limit are fine */
    NOEXC "movl 0xfffc,%eax", "dword at DS:FFFC: no fault"
    CHK32 %eax, 0x44332211, "dword at DS:FFFC"
    NOEXC "movb 0xffff,%al", "byte at DS:FFFF: no fault"
    CHK8 %al, 0x44, "byte at DS:FFFF"

/* ---------------- segment limit: #SS (12) ---------------- */
    LIM 12, "movw (%bp),%ax", bp=0xffff
    LIM 12, "movw %ax,(%bp)", bp=0xffff
    LIM 12, "movw (%bp,%si),%ax", si=0x7fff, bp=0x8000
    LIM 12, "movl -2(%bp),%eax", bp=0x0001      /* wraps to FFFF: dword at FFFF */
    LIM 12, "movw %ss:0xffff,%ax"
    LIM 12, "incw %ss:0xffff"

/* ---------------- LOCK on instructions that cannot be locked: #UD ---------------- */
    UD 0xf0, 0x89, 0xd8             /* LOCK MOV ax, bx */
    UD 0xf0, 0x89, 0x1e, MEMV & 0xff, MEMV >> 8     /* LOCK MOV [MEMV], bx */
    UD 0xf0, 0x8b, 0x1e, MEMV & 0xff, MEMV >> 8     /* LOCK MOV bx, [MEMV] */
    UD 0xf0, 0x87, 0xd8             /* LOCK XCHG ax, bx (no memory operand) */
    UD 0xf0, 0x85, 0x1e, MEMV & 0xff, MEMV >> 8     /* LOCK TEST [MEMV], bx */
    UD 0xf0, 0x0f, 0xa3, 0x1e, MEMV & 0xff, MEMV >> 8   /* LOCK BT [MEMV], bx */

    AR_FINISH ar_except_hw
    AR_SUBROUTINES
