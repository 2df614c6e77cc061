/* int15.S: the system services that are not about memory size or time.
 *   INT 11h  the equipment word counts a serial port (bits 9-11)
 *   INT 12h  base memory in KiB, and the EBDA starts right there (40:0Eh)
 *   C1h      ES = that EBDA segment
 *   C0h      the configuration table: 8 bytes or more, model byte FCh
 *   2403h    A20 can be switched; 2400h closes it: 1 MiB wraps to 0 (a
 *            byte written at 0:0500 shows at FFFF:0510); 2402h says 0;
 *            2401h opens it again: no wrap, 2402h says 1
 *   87h      block move: 8 KiB from 20000h to 2 MiB and back to 30000h
 *            through the caller's GDT, the copy equal to the original
 *   4Fh      (keyboard intercept) CF = 1
 *   an unknown function: CF = 1, AH = 86h
 * And POST's FNINIT: the x87 control word is 037Fh, not RESET's 0040h
 * (every exception unmasked), as after any PC BIOS. */
#include "boot/boot.inc"

    .set SRC, 0x20000
    .set DST, 0x30000
    .set HIGH, 0x200000
    .set WORDS, 4096

    .text
main:
    PRINT "int15: system services\r\n"
    fnstcw fcw_word
    cmpw $0x037f, fcw_word
    CHECK e, "POST left the x87 FCW other than 037Fh (no FNINIT)"
    int  $0x11
    test $0x0e00, %ax
    CHECK nz, "INT 11h: no serial port in the equipment word"
    int  $0x12
    cmp  $512, %ax
    CHECK ae, "INT 12h: less than 512 KiB of base memory"
    cmp  $640, %ax
    CHECK be, "INT 12h: more than 640 KiB of base memory"
    shl  $6, %ax
    push %ds
    mov  $0x40, %bx
    mov  %bx, %ds
    mov  0x0e, %bx
    pop  %ds
    cmp  %ax, %bx
    CHECK e, "INT 12h: the EBDA (40:0Eh) does not start where base memory ends"
    push %es
    mov  $0xc1, %ah
    int  $0x15
    mov  %es, %ax
    pop  %es
    CHECK nc, "AH=C1h: CF set"
    cmp  %ax, %bx
    CHECK e, "AH=C1h: ES is not the EBDA segment of 40:0Eh"
    push %es
    mov  $0xc0, %ah
    int  $0x15
    CHECK nc, "AH=C0h: CF set"
    cmpw $8, %es:(%bx)
    CHECK ae, "AH=C0h: the table is shorter than 8 bytes"
    cmpb $0xfc, %es:2(%bx)
    CHECK e, "AH=C0h: the model byte is not FCh"
    pop  %es

    call check_a20
    call check_block_move

    mov  $0x4f, %ah
    mov  $0x1e, %al
    clc
    int  $0x15
    CHECK c, "AH=4Fh: CF clear (the key would be dropped)"
    mov  $0xee, %ah             /* no such function */
    clc
    int  $0x15
    CHECK c, "AH=EEh: CF clear"
    cmp  $0x86, %ah
    CHECK e, "AH=EEh: AH is not 86h"
    PRINT "int15: done\r\n"
    jmp  pass

/* wraps: ZF = 1 if 0000:0500 and FFFF:0510 (1 MiB higher) are the same
 * byte: it changes when the other does. */
wraps:
    push %es
    push %ax
    mov  $0xffff, %ax
    mov  %ax, %es
    mov  0x500, %al
    notb 0x500
    mov  0x500, %ah
    cmp  %es:0x510, %ah
    mov  %al, 0x500
    pop  %ax
    pop  %es
    ret

check_a20:
    mov  $0x2403, %ax
    int  $0x15
    CHECK nc, "AX=2403h: CF set"
    test $3, %bx
    CHECK nz, "AX=2403h: no way to switch A20"
    mov  $0x2400, %ax
    int  $0x15
    CHECK nc, "AX=2400h: CF set"
    call wraps
    CHECK e, "AX=2400h: memory above 1 MiB does not wrap around"
    mov  $0x2402, %ax
    int  $0x15
    CHECK nc, "AX=2402h: CF set"
    test %al, %al
    CHECK z, "AX=2402h: says A20 is on after 2400h"
    mov  $0x2401, %ax
    int  $0x15
    CHECK nc, "AX=2401h: CF set"
    call wraps
    CHECK ne, "AX=2401h: memory above 1 MiB still wraps around"
    mov  $0x2402, %ax
    int  $0x15
    cmp  $1, %al
    CHECK e, "AX=2402h: says A20 is off after 2401h"
    ret

/* gdt_set: descriptor at DI in `gdt` = a 64 KiB data segment at EAX. */
gdt_set:
    movw $0xffff, gdt(%di)
    mov  %eax, gdt + 2(%di)     /* base 23-0 and (overwritten) the access byte */
    movb $0x93, gdt + 5(%di)
    movb $0, gdt + 6(%di)
    shr  $24, %eax
    mov  %al, gdt + 7(%di)
    ret

check_block_move:
    mov  $SRC >> 4, %ax         /* a pattern at SRC, zeros at DST */
    mov  %ax, %es
    xor  %di, %di
    mov  $WORDS, %cx
1:  mov  %cx, %ax
    xor  $0x5a5a, %ax
    stosw
    loop 1b
    mov  $DST >> 4, %ax
    mov  %ax, %es
    xor  %di, %di
    xor  %ax, %ax
    mov  $WORDS, %cx
    rep  stosw
    push %ds
    pop  %es
    mov  $SRC, %eax             /* SRC -> 2 MiB */
    mov  $0x10, %di
    call gdt_set
    mov  $HIGH, %eax
    mov  $0x18, %di
    call gdt_set
    mov  $WORDS, %cx
    mov  $gdt, %si
    mov  $0x87, %ah
    int  $0x15
    CHECK nc, "AH=87h: the move to 2 MiB failed"
    test %ah, %ah
    CHECK z, "AH=87h: AH is not 0"
    mov  $HIGH, %eax            /* 2 MiB -> DST */
    mov  $0x10, %di
    call gdt_set
    mov  $DST, %eax
    mov  $0x18, %di
    call gdt_set
    mov  $WORDS, %cx
    mov  $gdt, %si
    mov  $0x87, %ah
    int  $0x15
    CHECK nc, "AH=87h: the move back failed"
    push %ds
    mov  $SRC >> 4, %ax
    mov  %ax, %ds
    mov  $DST >> 4, %ax
    mov  %ax, %es
    xor  %si, %si
    xor  %di, %di
    mov  $WORDS, %cx
    repe cmpsw
    pop  %ds
    push %ds
    pop  %es
    CHECK e, "AH=87h: the copy back from 2 MiB differs from the original"
    ret

    .data
    .balign 8
gdt:    .fill 48, 1, 0          /* 6 descriptors, as INT 15h AH=87h wants */

fcw_word:
    .word 0
