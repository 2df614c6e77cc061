/* brt_start.S - entry of the multiboot benchmark kernels (bench runtime).
 *
 * The loader (`vm -kernel` or `qemu-system-i386 -kernel`) enters _start in
 * 32-bit protected mode with flat segments and EAX = 0x2BADB002.  Like a
 * real kernel we then load our own GDT (the multiboot spec says the
 * loader's may be gone), reload every segment register, clear the .bss
 * (the benchmark buffers and the page tables live there), set up a 1 MiB
 * stack (the recursion kernel goes deep) and call brt_main (brt_main.c),
 * which installs an IDT, turns paging on and runs the benchmark.
 *
 * The 32 exception stubs below report any CPU exception (vector, error
 * code, EIP, CR2) on COM1 instead of letting it triple-fault, so an
 * emulator bug shows up as a readable message.
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
    cld
    movl %eax, %esi                     /* keep the loader's EAX, EBX */
    movl %ebx, %ebp
    lgdt gdt_desc
    ljmp $0x08, $1f
1:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    movl %eax, %ss
    movl $__bss_start, %edi             /* clear .bss (4-byte aligned) */
    movl $__bss_end, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl
    movl $brt_stack_top, %esp
    pushl %ebp                          /* brt_main(magic, info) */
    pushl %esi
    call brt_main
2:  cli
    hlt
    jmp 2b

/* Exception stubs: push a dummy error code where the CPU pushes none, then
 * the vector; brt_trap gets a pointer to {vector, error, eip, cs, eflags}. */
    .macro TRAP vec
    .align 8
trap\vec:
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21)
    .else
    pushl $0
    .endif
    pushl $\vec
    jmp trap_common
    .endm
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    TRAP \v
    .endr
trap_common:
    pushl %esp
    call brt_trap                       /* does not return */
3:  cli
    hlt
    jmp 3b

    .section .rodata
    .align 4
    .globl brt_trap_stubs
brt_trap_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long trap\v
    .endr

    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff            /* 0x08: code, base 0, 4 GiB, 32-bit */
    .quad 0x00cf92000000ffff            /* 0x10: data, base 0, 4 GiB */
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

    .bss
    .align 16
brt_stack:
    .space 1048576
brt_stack_top:

    .section .note.GNU-stack, "", @progbits
