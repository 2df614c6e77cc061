/* rm_string_hw: a REP string instruction that hits the real-mode segment
 * limit part-way through (80386 and later).
 *
 * QEMU FAILS THIS ROM: QEMU does no segment-limit checks in real mode, so
 * the element straddling offset FFFF is simply read/written across it.
 *
 * Source: Intel SDM vol. 2 real-address-mode exceptions of MOVS/STOS/LODS
 * ("#GP If a memory operand effective address is outside the CS, DS, ES,
 * FS, or GS segment limit"; real-mode limit 0xFFFF) and the REP description:
 * a fault in the middle of a repeated string instruction leaves (E)CX,
 * (E)SI and (E)DI describing the element that faulted, and the saved IP
 * points at the instruction (its first prefix) so it can be restarted.
 * The faulting element is not stored.  With the 0x67 prefix the offset is
 * 32 bits and does not wrap: ESI = 0x10000 is beyond the limit.
 *
 * Checks:
 *   - REP MOVSW from SI=FFF1, CX=10: 7 words move, the 8th (SI=FFFF) faults:
 *     CX=3, SI=FFFF, DI=start+14, nothing at the 8th destination;
 *   - REP STOSW from DI=FFF9, CX=5: 3 words stored, faults at DI=FFFF with
 *     CX=2, ES:FFFF unchanged;
 *   - STD REP LODSD from SI=0006, CX=4: elements at 6 and 2, then SI wraps
 *     to FFFE and the dword there faults: CX=2, SI=FFFE;
 *   - 67 REP MOVSB from ESI=FFFE, ECX=4: two bytes move, then ESI=0x10000
 *     faults: ECX=2, ESI=0x10000, EDI=start+2.
 * Single (non-REP) LODSW/STOSW at FFFF are in ar_except_hw.
 */
#include "rm_common.inc"

    RESET_VECTOR start

    .set VEC, 0x500
    .set FIP, 0x502
    .set RESUME, 0x504

.macro ARM resume
    movw $0xFFFF, %ss:VEC
    movw $0xFFFF, %ss:FIP
    movw $\resume, %ss:RESUME
.endm

.macro CHECKF vec, at, msg
    T_CK16 %ss:VEC, \vec, "\msg: vector (0xFFFF = no fault)"
    T_CK16 %ss:FIP, \at, "\msg: pushed IP = the REP instruction"
.endm

start:
    T_INIT
    T_PUTS "rm_string_hw\r\n"
    T_SETVEC 13, h_gp
    mov $0x1000, %ax
    mov %ax, %ds
    mov $0x2000, %ax
    mov %ax, %es
    cld

/* ---- REP MOVSW faulting at the 8th element -------------------------------- */
    mov $0xFFF1, %bx            /* source words DS:FFF1.. = 0x0101 * k */
    mov $0x0101, %ax
1:  mov %ax, (%bx)
    add $0x0101, %ax
    add $2, %bx
    cmp $0xFFFF, %bx
    jne 1b
    movw $0xEEEE, %es:0x010E
    ARM 2f
    mov $0xFFF1, %si
    mov $0x0100, %di
    mov $10, %cx
1:  rep movsw
    T_FAIL "rep movsw across DS:FFFF did not fault"
2:  CHECKF 13, 1b, "rep movsw reaching SI=FFFF"
    T_CK16 %cx, 3, "faulted rep movsw: cx = remaining incl. the faulting one"
    T_CK16 %si, 0xFFFF, "faulted rep movsw: si at the faulting element"
    T_CK16 %di, 0x010E, "faulted rep movsw: di at the faulting element"
    T_CK16 %es:0x0100, 0x0101, "faulted rep movsw: first element moved"
    T_CK16 %es:0x010C, 0x0707, "faulted rep movsw: 7th element moved"
    T_CK16 %es:0x010E, 0xEEEE, "faulted rep movsw: 8th element not stored"

/* ---- REP STOSW faulting at DI=FFFF ----------------------------------------- */
    movb $0x5A, %es:0xFFFF
    ARM 2f
    mov $0xFFF9, %di
    mov $5, %cx
    mov $0x1234, %ax
1:  rep stosw
    T_FAIL "rep stosw across ES:FFFF did not fault"
2:  CHECKF 13, 1b, "rep stosw reaching DI=FFFF"
    T_CK16 %cx, 2, "faulted rep stosw: cx"
    T_CK16 %di, 0xFFFF, "faulted rep stosw: di"
    T_CK16 %es:0xFFFD, 0x1234, "faulted rep stosw: 3rd element stored"
    T_CK8 %es:0xFFFF, 0x5A, "faulted rep stosw: ES:FFFF not written"

/* ---- STD REP LODSD: SI wraps to FFFE, then the dword faults ---------------- */
    movl $0x11111111, %ds:0x0006
    movl $0x22222222, %ds:0x0002
    ARM 2f
    mov $0x0006, %si
    mov $4, %cx
    std
1:  rep lodsl
    cld
    T_FAIL "std rep lodsd at SI=FFFE did not fault"
2:  cld
    CHECKF 13, 1b, "std rep lodsd wrapping to SI=FFFE"
    T_CK16 %cx, 2, "faulted rep lodsd: cx"
    T_CK16 %si, 0xFFFE, "faulted rep lodsd: si"
    T_CK32 %eax, 0x22222222, "faulted rep lodsd: eax = last good element"

/* ---- 0x67 REP MOVSB: ESI reaches 0x10000 (no wrap) ------------------------ */
    movb $0xA1, %ds:0xFFFE
    movb $0xA2, %ds:0xFFFF
    movl $0xEEEEEEEE, %es:0x0200
    ARM 2f
    mov $0x0000FFFE, %esi
    mov $0x00000200, %edi
    mov $4, %ecx
1:  addr32 rep movsb
    T_FAIL "67 rep movsb to ESI=0x10000 did not fault"
2:  CHECKF 13, 1b, "67 rep movsb reaching ESI=0x10000"
    T_CK32 %ecx, 2, "faulted 67 rep movsb: ecx"
    T_CK32 %esi, 0x10000, "faulted 67 rep movsb: esi (no 16-bit wrap)"
    T_CK32 %edi, 0x0202, "faulted 67 rep movsb: edi"
    T_CK32 %es:0x0200, 0xEEEEA2A1, "faulted 67 rep movsb: two bytes moved"

    T_PASS

h_gp:
    push %bp
    push %ax
    mov %sp, %bp
    movw $13, %ss:VEC
    mov 4(%bp), %ax
    mov %ax, %ss:FIP
    mov %ss:RESUME, %ax
    mov %ax, 4(%bp)
    pop %ax
    pop %bp
    iret
