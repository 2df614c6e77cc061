/* seg_asm.S - the assembly half of seg_lib (see seg_lib.h): the 256 IDT
 * entry stubs and their common path to seg_trap_handler(), and the ring-3
 * entry and the gate back to ring 0.
 *
 * Constants duplicated from seg_lib.h: SEL_KDATA = 0x10, SEL_UDATA = 0x23,
 * SEG_VEC_RING0 = 0x30, SEG_NOERR = -1.
 */
    .set SEL_KDATA, 0x10

/* ---- IDT stubs: 16 bytes each, seg_stubs + 16 * vector ------------------
 * The vectors whose exceptions push an error code (SDM Table 6-1: #DF #TS
 * #NP #SS #GP #PF #AC) push only the vector; the others push SEG_NOERR
 * first so every frame has the same layout (struct seg_frame). */
    .text
    .balign 16
    .globl seg_stubs
seg_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17
    .else
    pushl $-1
    .endif
    pushl $vec
    jmp seg_common
    .set vec, vec + 1
    .endr

seg_common:
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    pushal
    movl $SEL_KDATA, %eax
    movw %ax, %ds
    movw %ax, %es
    cld
    pushl %esp                      /* struct seg_frame * */
    call seg_trap_handler
    addl $4, %esp
    popal
    popl %gs
    popl %fs
    popl %es
    popl %ds
    addl $8, %esp                   /* vector, error code */
    iret

/* ---- rings ----------------------------------------------------------------
 * void seg_ring3_enter(void (*fn)(void)): IRET to seg_ring3_cs:fn with
 * SS:ESP = seg_ring3_ss:seg_ustack_top and EFLAGS = seg_ring3_eflags (by
 * default CPL 3 with SEL_UCODE/SEL_UDATA).  The IRET nulls DS/ES/FS/GS
 * (their DPL 0 < CPL).  Returns when ring 3 executes
 * INT $SEG_VEC_RING0, which lands in seg_ring0_entry. */
    .globl seg_ring3_enter
seg_ring3_enter:
    movl 4(%esp), %eax
    pushl %ebp
    pushl %edi
    pushl %esi
    pushl %ebx
    movl %esp, seg_ring0_saved_esp
    pushl seg_ring3_ss              /* SS */
    pushl $seg_ustack_top           /* ESP */
    pushl seg_ring3_eflags          /* EFLAGS */
    pushl seg_ring3_cs              /* CS */
    pushl %eax                      /* EIP */
    iret

/* void seg_ring3_call(void (*fn)(void)): fn runs as a C function at CPL 3
 * with DS = ES = SEL_UDATA. */
    .globl seg_ring3_call
seg_ring3_call:
    movl 4(%esp), %eax
    movl %eax, seg_ring3_fn
    pushl $seg_ring3_tramp
    call seg_ring3_enter
    addl $4, %esp
    ret

seg_ring3_tramp:                    /* CPL 3 */
    movl $0x23, %eax                /* SEL_UDATA */
    movw %ax, %ds
    movw %ax, %es
    call *seg_ring3_fn
    int $0x30                       /* SEG_VEC_RING0 */

/* The DPL-3 interrupt gate SEG_VEC_RING0: we are on the ring-0 stack from
 * TSS.SS0:ESP0 with the outer ring's EIP CS EFLAGS ESP SS pushed.  Record
 * them, then return from seg_ring3_enter on the stack it was called on. */
    .globl seg_ring0_entry
seg_ring0_entry:
    pushl %gs
    pushl %fs
    pushl %es
    pushl %ds
    pushl %eax
    movl $SEL_KDATA, %eax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    leal 20(%esp), %eax             /* ESP just after the CPU's frame */
    movl %eax, seg_ring0_esp
    movw %ss, %ax
    movzwl %ax, %eax
    movl %eax, seg_ring0_ss
    movzwl 4(%esp), %eax
    movl %eax, seg_ring0_regs       /* DS */
    movzwl 8(%esp), %eax
    movl %eax, seg_ring0_regs + 4   /* ES */
    movzwl 12(%esp), %eax
    movl %eax, seg_ring0_regs + 8   /* FS */
    movzwl 16(%esp), %eax
    movl %eax, seg_ring0_regs + 12  /* GS */
    movl 20(%esp), %eax
    movl %eax, seg_ring0_frame      /* EIP */
    movl 24(%esp), %eax
    movl %eax, seg_ring0_frame + 4  /* CS */
    movl 28(%esp), %eax
    movl %eax, seg_ring0_frame + 8  /* EFLAGS */
    movl 32(%esp), %eax
    movl %eax, seg_ring0_frame + 12 /* ESP */
    movl 36(%esp), %eax
    movl %eax, seg_ring0_frame + 16 /* SS */
    movl seg_ring0_saved_esp, %esp
    popl %ebx
    popl %esi
    popl %edi
    popl %ebp
    ret

    .bss
    .balign 4
    .globl seg_ring0_saved_esp
seg_ring0_saved_esp: .long 0
seg_ring3_fn:        .long 0
    .section .note.GNU-stack, "", @progbits
