/* boot.S: INT 19h, the bootstrap loader, and INT 18h, where a PC goes
 * when nothing can be booted.
 *
 * INT 19h reads sector 0 of hard disk 80h to 0000:7C00 through INT 13h
 * (three tries, a reset between them), checks the boot signature 55h AAh
 * at its end, and jumps there as every PC BIOS does: CS:IP = 0000:7C00,
 * DL = 80h (the drive it came from), DS = ES = SS = 0, SP = 7C00h,
 * interrupts on.  POST ends with INT 19h; a guest may call it too.
 *
 * INT 18h says there is no bootable disk and what to run instead, then
 * waits for a key with the CPU halted (an idle vm costs no host CPU) and
 * resets the machine: vm starts over, or with -no-reboot exits.  Ctrl-A x
 * ends vm from the terminal at any time.
 *
 * Runs on the boot processor. */
#include "bios.h"

    .set BOOT_SEG, 0
    .set BOOT_OFF, 0x7c00
    .set BOOT_TRIES, 3

    .text
    .globl int19_boot
int19_boot:
    sti
    cld
    mov  $BDA_SEG, %ax
    mov  %ax, %ds
    cmpb $0, BDA_HD_COUNT
    je   no_disk
    PRINT msg_booting
    mov  $BOOT_TRIES, %si
1:  mov  $BOOT_SEG, %ax
    mov  %ax, %es
    mov  $BOOT_OFF, %bx
    mov  $0x0201, %ax                   /* read 1 sector */
    mov  $0x0001, %cx                   /* cylinder 0, sector 1 */
    mov  $0x0080, %dx                   /* head 0, drive 80h */
    int  $0x13
    jnc  2f
    dec  %si
    jz   read_error
    xor  %ah, %ah                       /* reset, then again */
    mov  $0x80, %dl
    int  $0x13
    jmp  1b
2:  cmpw $0xaa55, %es:BOOT_OFF + 510
    jne  no_signature
    PRINT msg_crlf
    cli
    xor  %ax, %ax
    mov  %ax, %ds
    mov  %ax, %es
    mov  %ax, %ss
    mov  $BOOT_OFF, %sp
    xor  %eax, %eax
    xor  %ebx, %ebx
    xor  %ecx, %ecx
    mov  $0x0080, %edx
    xor  %esi, %esi
    xor  %edi, %edi
    xor  %ebp, %ebp
    sti
    ljmp $BOOT_SEG, $BOOT_OFF

no_disk:
    PRINT msg_no_disk
    int  $0x18
read_error:
    PRINT msg_read_error
    mov  %ah, %al
    call puthex8
    PRINT msg_read_error_end
    int  $0x18
no_signature:
    PRINT msg_no_signature
    int  $0x18

    .globl int18_no_boot
int18_no_boot:
    sti
    mov  $BDA_SEG, %ax
    mov  %ax, %ds
    PRINT msg_no_boot
    xor  %ah, %ah                       /* wait for a key (halted meanwhile) */
    int  $0x16
    PRINT msg_restart
    jmp  machine_reset                  /* does not return */

msg_booting:
    .asciz "Booting from hard disk 80h...\r\n"
msg_no_disk:
    .asciz "vm: no hard disk (vm takes a disk image after the BIOS image)\r\n"
msg_read_error:
    .asciz "vm: cannot read the disk's sector 0 (INT 13h error "
msg_read_error_end:
    .asciz "h)\r\n"
msg_no_signature:
    .asciz "vm: the disk's sector 0 is not a boot sector (no signature 55h AAh at its end)\r\n"
msg_no_boot:
    .ascii "vm: no bootable disk; try ./vm bios/bios.bin tests/demo.img\r\n"
    .asciz "Press a key to restart, or Ctrl-A x to quit vm.\r\n"
msg_restart:
    .asciz "Restarting.\r\n"
