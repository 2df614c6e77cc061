/* reboot.S: a jump to the reset vector resets the machine.
 *
 * Programs reboot a PC by entering the BIOS at its reset vector:
 * SYSLINUX's reboot.c32 (com32/lib/syslinux/reboot.c) writes 0 (cold) or
 * 1234h (warm) to the warm-boot flag at 40:72h and far-calls F000:FFF0;
 * DOS programs write 1234h there and jump to FFFF:0000 (RBIL, MEM
 * 0040h:0072h).  SeaBIOS treats an entry at the reset vector after its
 * POST, with no CMOS shutdown code, as a soft reboot and resets the
 * hardware (src/romlayout.S entry_post tests HaveRunPost; src/resume.c
 * handle_resume32: "Must be a soft reboot - invoke a hard reboot", then
 * tryReboot: the ACPI reset register, the i8042's pulse FEh, port CF9h, a
 * triple fault).  vm's BIOS does the same (post.S), so the machine's
 * devices and processors start over, and `vm -no-reboot` -- like
 * `qemu-system-i386 -no-reboot` -- exits with status 0 at the first jump.
 *
 * The guest counts its boots in RAM at 8000:0000 (RAM keeps its contents
 * across a reset; POST and the loader do not touch 80000h):
 *   boot 1: reboot.c32's way: 40:72h = 0, far call to F000:FFF0
 *   boot 2: the DOS way: 40:72h = 1234h, far jump to FFFF:0000
 *   boot 3: PASS.
 * tests/boot.sh runs it with -no-reboot (status 0, "guest reset", one
 * POST: the first jump reset the machine; a BIOS that only ran POST again
 * would boot the guest again, and it would PASS with status 1), without
 * (three boots, the last one PASS: the POST after a reset is a full one,
 * no reset loop), and under qemu-system-i386 with SeaBIOS when installed
 * (status 0 with -no-reboot: the test asks what SeaBIOS does). */
#include "boot/boot.inc"

    .set MARK_SEG, 0x8000
    .set MARK_MAGIC, 0x42524d56         /* "VMRB" */
    .set BDA_SEG, 0x40
    .set BDA_WARM_BOOT, 0x72

    .text
main:
    mov  $MARK_SEG, %ax
    mov  %ax, %fs
    cmpl $MARK_MAGIC, %fs:0
    je   1f
    movl $MARK_MAGIC, %fs:0             /* boot 1 */
    movw $0, %fs:4
1:  incw %fs:4
    mov  %fs:4, %ax
    PRINT "reboot: boot "
    movzwl %ax, %eax
    call putdec
    call crlf
    cmp  $1, %ax
    je   reboot_syslinux
    cmp  $2, %ax
    je   reboot_dos
    cmp  $3, %ax
    CHECK e, "booted more than three times"
    PRINT "reboot: booted again after both reboots\r\n"
    movl $0, %fs:0                      /* the next power-on starts at boot 1 */
    jmp  pass

/* reboot.c32's syslinux_reboot(0): the cold-boot flag, then
 * __farcall(0xf000, 0xfff0, ...) from real mode. */
reboot_syslinux:
    PRINT "reboot: 40:72h = 0, far call to F000:FFF0 (SYSLINUX's reboot.c32)\r\n"
    push %ds
    mov  $BDA_SEG, %bx
    mov  %bx, %ds
    movw $0, BDA_WARM_BOOT
    pop  %ds
    lcall $0xf000, $0xfff0
    mov  $msg_returned, %si
    jmp  fail

/* A DOS warm boot: 1234h in 40:72h (skip the memory test), then
 * JMP FFFF:0000 -- the same reset vector, at linear FFFF0h. */
reboot_dos:
    PRINT "reboot: 40:72h = 1234h, far jump to FFFF:0000 (a DOS warm boot)\r\n"
    push %ds
    mov  $BDA_SEG, %bx
    mov  %bx, %ds
    movw $0x1234, BDA_WARM_BOOT
    pop  %ds
    ljmp $0xffff, $0x0000

    .section .rodata
msg_returned:
    .asciz "the far call to the reset vector returned"
