/* pg_asm.S - assembly half of the paging/system test library (pg_lib.h):
 * the exception entry stubs, the ring-3 call gate-keeper, and "probe"
 * functions that make exactly one memory access or call at an exported
 * label so a test can compare a trap's saved EIP with that label.
 *
 * Trap frame built by the stubs (struct pg_frame in pg_lib.h), from the
 * lowest address: ES DS EDI ESI EBP ESP' EBX EDX ECX EAX vector error
 * and then what the CPU pushed: EIP CS EFLAGS [ESP SS from ring 3].
 * Vectors without a CPU error code get a 0 pushed by the stub (SDM Vol. 3
 * Table 6-1 lists which vectors push one: 8, 10-14, 17).
 */
    .set KDATA, 0x10
    .set UDATA, 0x23
    .set UCODE, 0x1b

    .text

/* ---- Exception and interrupt entry ------------------------------------ */

.macro STUB_NOERR vec
pg_stub_\vec:
    pushl $0
    pushl $\vec
    jmp pg_trap_common
.endm
.macro STUB_ERR vec
pg_stub_\vec:
    pushl $\vec
    jmp pg_trap_common
.endm

    STUB_NOERR 0
    STUB_NOERR 1
    STUB_NOERR 2
    STUB_NOERR 3
    STUB_NOERR 4
    STUB_NOERR 5
    STUB_NOERR 6
    STUB_NOERR 7
    STUB_ERR 8
    STUB_NOERR 9
    STUB_ERR 10
    STUB_ERR 11
    STUB_ERR 12
    STUB_ERR 13
    STUB_ERR 14
    STUB_NOERR 15
    STUB_NOERR 16
    STUB_ERR 17
    STUB_NOERR 18
    STUB_NOERR 19
    STUB_NOERR 20
    STUB_NOERR 21
    STUB_NOERR 22
    STUB_NOERR 23
    STUB_NOERR 24
    STUB_NOERR 25
    STUB_NOERR 26
    STUB_NOERR 27
    STUB_NOERR 28
    STUB_NOERR 29
    STUB_NOERR 30
    STUB_NOERR 31

pg_trap_common:
    pushal
    pushl %ds
    pushl %es
    movl $KDATA, %eax
    movl %eax, %ds
    movl %eax, %es
    cld                         /* the C code expects DF = 0; IRET restores it */
    pushl %esp                  /* struct pg_frame * */
    call pg_trap_c
    addl $4, %esp
    popl %es
    popl %ds
    popal
    addl $8, %esp               /* vector, error code */
    iret

/* The stub addresses, indexed by vector, for pg_setup to build the IDT. */
    .section .rodata
    .align 4
    .globl pg_stub_table
pg_stub_table:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long pg_stub_\v
    .endr
    .text

/* ---- Ring 3 ---------------------------------------------------------------
 * uint32_t pg_user_call(uint32_t (*fn)(void))
 * uint32_t pg_user_call_arg(uint32_t (*fn)(uint32_t), uint32_t arg)
 * Runs fn(arg) at CPL 3 (CS 0x1b, SS/DS/ES/FS/GS 0x23, ESP = top of
 * pg_ustack, EFLAGS as now, so IF = 0 and IOPL = 0) and returns its EAX.
 * fn comes back through INT 0x80 (a DPL 3 interrupt gate to pg_int80),
 * which drops the ring-0 stack the CPU switched to (TSS.ESP0) and resumes
 * here. */
    .globl pg_user_call, pg_user_call_arg
pg_user_call:
    xorl %edx, %edx
    jmp 1f
pg_user_call_arg:
    movl 8(%esp), %edx          /* arg */
1:  pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, pg_kctx_esp
    movl 20(%esp), %ecx         /* fn */
    movl $UDATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    pushl $UDATA                /* SS */
    pushl $pg_ustack + 8192     /* ESP: top of pg_ustack (PG_USTACK_SIZE) */
    pushfl                      /* EFLAGS */
    pushl $UCODE                /* CS */
    pushl $pg_user_tramp        /* EIP */
    iret
pg_user_tramp:                  /* CPL 3 */
    pushl %edx
    call *%ecx
    int $0x80

    .globl pg_int80
pg_int80:
    movl $KDATA, %ecx
    movl %ecx, %ds
    movl %ecx, %es
    movl %ecx, %fs
    movl %ecx, %gs
    movl pg_kctx_esp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

/* ---- Probes ------------------------------------------------------------
 * Each arms pg_resume so that a trap at the exported *_insn label resumes
 * at the local label 9 (the handler records the trap, see pg_lib.c).  The
 * value returned after a trap is meaningless; tests look at pg_ntraps. */
.macro PROBE_RD name, insn
    .globl \name, \name\()_insn
\name:
    movl 4(%esp), %ecx
    movl $0xdeadbeef, %eax
    movl $9f, pg_resume
\name\()_insn:
    \insn
9:  movl $0, pg_resume
    ret
.endm
    PROBE_RD pg_rd8, "movzbl (%ecx), %eax"
    PROBE_RD pg_rd16, "movzwl (%ecx), %eax"
    PROBE_RD pg_rd32, "movl (%ecx), %eax"

.macro PROBE_WR name, insn
    .globl \name, \name\()_insn
\name:
    movl 4(%esp), %ecx
    movl 8(%esp), %eax
    movl $9f, pg_resume
\name\()_insn:
    \insn
9:  movl $0, pg_resume
    ret
.endm
    PROBE_WR pg_wr8, "movb %al, (%ecx)"
    PROBE_WR pg_wr16, "movw %ax, (%ecx)"
    PROBE_WR pg_wr32, "movl %eax, (%ecx)"

/* uint32_t pg_exec(uint32_t addr): CALL addr; the code there returns with
 * RET and its EAX is returned.  A trap anywhere in the called code resumes
 * here with the stack restored (EBX must survive the called code). */
    .globl pg_exec, pg_exec_call
pg_exec:
    pushl %ebx
    movl %esp, %ebx
    movl 8(%esp), %ecx
    movl $0xdeadbeef, %eax
    movl $9f, pg_resume
pg_exec_call:
    call *%ecx
9:  movl %ebx, %esp
    movl $0, pg_resume
    popl %ebx
    ret

/* uint32_t pg_rep_stosb(void), pg_rep_movsb(void): REP STOSB / REP MOVSB
 * with EDI, ESI, ECX, EAX and DF from struct pg_str (pg_lib.h); the final
 * EDI, ESI, ECX are written back to it (also after a trap, which resumes
 * after the instruction).  The REP instruction is at pg_rep_*_insn. */
.macro PROBE_STR name, insn
    .globl \name, \name\()_insn
\name:
    pushl %edi
    pushl %esi
    movl pg_str + 0, %edi
    movl pg_str + 4, %esi
    movl pg_str + 8, %ecx
    movl pg_str + 12, %eax
    cmpl $0, pg_str + 16
    je 1f
    std
1:  movl $9f, pg_resume
\name\()_insn:
    \insn
9:  movl $0, pg_resume
    cld
    movl %edi, pg_str + 0
    movl %esi, pg_str + 4
    movl %ecx, pg_str + 8
    popl %esi
    popl %edi
    ret
.endm
    PROBE_STR pg_rep_stosb, "rep stosb"
    PROBE_STR pg_rep_movsb, "rep movsb"

    .section .note.GNU-stack, "", @progbits
