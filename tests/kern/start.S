/* start.S - entry of every guest test kernel.
 *
 * The multiboot header asks for memory information; the loader enters
 * _start in 32-bit protected mode with flat segments, EAX = the multiboot
 * magic 0x2BADB002 and EBX = the multiboot information structure.  We set
 * up a stack and call kmain(magic, info); its return value is the test
 * result: 0 passes (debug-exit value 0, vm exit status 1).
 */
    .set MB_MAGIC, 0x1BADB002
    .set MB_FLAGS, 0x00000003          /* page-align modules, memory info */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .text
    .globl _start
_start:
    cli
    movl $kstack_top, %esp
    pushl %ebx
    pushl %eax
    call kmain
    pushl %eax
    call kexit
1:  hlt
    jmp 1b

    .bss
    .align 16
kstack:
    .space 65536
kstack_top:
    .section .note.GNU-stack, "", @progbits
