/* rm_io: port I/O instructions in real mode.
 *
 * Covers: IN AL/AX/EAX with an imm8 port (E4/E5/66 E5) and with DX
 * (EC/ED/66 ED); OUT in the same six forms (E6/E7/66 E7, EE/EF/66 EF);
 * reads from unassigned ports (0x00E0 via imm8, 0x2000 and 0x5A5A via DX)
 * return all ones and change only the destination part of EAX; writes to
 * unassigned ports are ignored and change no register; the COM1 line
 * status register (0x3FD) reports THR empty and transmitter idle (bits 5
 * and 6) once output has drained (polled, as a driver would); writes to the
 * POST port 0x80 are ignored; bytes written to port 0xE9 (imm8 and DX
 * forms) reach the VM's stdout (the debug console; not checkable from
 * inside the guest, so this ROM prints a line there); IN/OUT leave the
 * flags alone.
 *
 * Expected values: an ISA bus read with no device answering floats high,
 * hence 0xFF / 0xFFFF / 0xFFFFFFFF (QEMU does the same); the 8250/16550 LSR
 * bit 5 = THRE, bit 6 = TEMT (National/TI 16550 data sheet); IN to AL/AX
 * leaves the rest of EAX unchanged (SDM "IN").  0x00E0 is not used by any
 * PC device that this VM or QEMU models.
 */
#include "rm_common.inc"

    RESET_VECTOR start

    .set NOPORT8, 0xE0          /* unassigned port below 0x100 */
    .set NOPORT, 0x2000         /* unassigned port above 0xFF */

start:
    T_INIT
    T_PUTS "rm_io\r\n"

/* ---- IN from unassigned ports: all ones -------------------------------- */
    mov $0x12345678, %eax
    in $NOPORT8, %al            /* E4 */
    T_CK32 %eax, 0x123456FF, "in al,imm8 (unassigned)"
    mov $0x12345678, %eax
    in $NOPORT8, %ax            /* E5 */
    T_CK32 %eax, 0x1234FFFF, "in ax,imm8 (unassigned)"
    mov $0x12345678, %eax
    in $NOPORT8, %eax           /* 66 E5 */
    T_CK32 %eax, 0xFFFFFFFF, "in eax,imm8 (unassigned)"
    mov $NOPORT, %dx
    mov $0x12345678, %eax
    in %dx, %al                 /* EC */
    T_CK32 %eax, 0x123456FF, "in al,dx (unassigned)"
    mov $0x12345678, %eax
    in %dx, %ax                 /* ED */
    T_CK32 %eax, 0x1234FFFF, "in ax,dx (unassigned)"
    mov $0x12345678, %eax
    in %dx, %eax                /* 66 ED */
    T_CK32 %eax, 0xFFFFFFFF, "in eax,dx (unassigned)"
    T_CK16 %dx, NOPORT, "in keeps dx"
    mov $0x5A5A, %dx
    mov $0, %eax
    in %dx, %ax
    T_CK32 %eax, 0x0000FFFF, "in ax,dx from 0x5A5A"
    mov $0x00E1, %dx            /* DX form of a port < 0x100 */
    mov $0, %eax
    in %dx, %al
    T_CK32 %eax, 0x000000FF, "in al,dx from 0xE1"

/* ---- OUT to unassigned ports: ignored ------------------------------------ */
    mov $0xCAFEBABE, %eax
    mov $NOPORT, %dx
    out %al, $NOPORT8           /* E6 */
    out %ax, $NOPORT8           /* E7 */
    out %eax, $NOPORT8          /* 66 E7 */
    out %al, %dx                /* EE */
    out %ax, %dx                /* EF */
    out %eax, %dx               /* 66 EF */
    T_CK32 %eax, 0xCAFEBABE, "out keeps eax"
    T_CK16 %dx, NOPORT, "out keeps dx"
    /* and reading back still gives all ones (nothing latched) */
    in %dx, %eax
    T_CK32 %eax, 0xFFFFFFFF, "unassigned port after writes"
    in $NOPORT8, %al
    T_CK8 %al, 0xFF, "unassigned imm8 port after writes"

/* ---- POST port 0x80 --------------------------------------------------------- */
    mov $0x55, %al
    out %al, $0x80
    mov $0xAA, %al
    out %al, $0x80
    mov $0x80, %dx
    mov $0x1234, %ax
    out %al, %dx
    T_CK16 %ax, 0x1234, "out 0x80 keeps ax"
    T_CK16 %dx, 0x80, "out 0x80 keeps dx"

/* ---- COM1 line status ---------------------------------------------------- */
    /* poll until THRE and TEMT are both set (bounded), then check */
    mov $0x3FD, %dx
    mov $0, %ecx
1:  in %dx, %al
    and $0x60, %al
    cmp $0x60, %al
    je 2f
    inc %ecx
    cmp $2000000, %ecx
    jb 1b
2:  in %dx, %al
    and $0x60, %al
    T_CK8 %al, 0x60, "COM1 LSR: THR empty (bit 5) and transmitter idle (bit 6)"
    /* print a line the proper way: wait for THRE before every byte */
    mov $com1_msg, %si
3:  mov %cs:(%si), %bl
    test %bl, %bl
    jz 5f
    mov $0x3FD, %dx
    mov $0, %ecx
4:  in %dx, %al
    test $0x20, %al
    jnz 6f
    inc %ecx
    cmp $2000000, %ecx
    jb 4b
    T_FAIL "COM1 LSR: THR never empty"
6:  mov $0x3F8, %dx
    mov %bl, %al
    out %al, %dx
    inc %si
    jmp 3b
5:

/* ---- port 0xE9 debug console ------------------------------------------------ */
    mov $e9_msg, %si
1:  mov %cs:(%si), %al
    test %al, %al
    jz 2f
    out %al, $0xE9              /* E6 E9 */
    inc %si
    jmp 1b
2:  mov $0xE9, %dx
    mov $'O', %al
    out %al, %dx                /* EE */
    mov $'K', %al
    out %al, %dx
    mov $'\n', %al
    out %al, %dx
    T_CK16 %dx, 0xE9, "out 0xE9 keeps dx"

/* ---- IN/OUT keep the flags -------------------------------------------------- */
    T_SETF F_ARITH
    in $NOPORT8, %al
    out %al, $NOPORT8
    mov $NOPORT, %dx
    in %dx, %ax
    out %ax, %dx
    T_CKF F_ARITH, F_ARITH, "in/out keep flags (all set)"
    T_SETF 0
    in %dx, %eax
    out %eax, %dx
    T_CKF F_ARITH, 0, "in/out keep flags (all clear)"

    T_PASS

com1_msg:
    .asciz "rm_io: COM1 output with LSR polling\r\n"
e9_msg:
    .asciz "rm_io: port 0xE9 "
