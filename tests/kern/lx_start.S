/* lx_start.S - entry of the bzImage test kernel (lx_boot.c): the 32-bit
 * boot protocol enters here with ESI = boot_params. */
    .text
    .globl _start
_start:
    cli
    movl $lx_stack_top, %esp
    pushl %esi
    call lx_main
    pushl %eax
    call kexit
1:  hlt
    jmp 1b

    .bss
    .align 16
    .space 65536
lx_stack_top:
    .section .note.GNU-stack, "", @progbits
