/* rm_smc: self-modifying code in real mode.
 *
 * A translating emulator must notice every write to guest code it has
 * already translated.  Checks:
 *  1. a routine copied to RAM is called, one of its immediates is changed
 *     in RAM, and the next call returns the new value (100 times in a row);
 *  2. the instruction right after the writing instruction, in the same
 *     straight-line block, is modified and the NEW instruction executes
 *     (x86 since the Pentium Pro guarantees this without any serialising
 *     instruction, SDM vol. 3 "Self-Modifying Code"): opcode byte change,
 *     immediate change, a dword store that rewrites four instructions, a
 *     dword store that changes instruction lengths, a target further down
 *     the block, and a REP MOVSB that copies new code over the following
 *     instructions;
 *  3. code modified through a different segment:offset alias of the same
 *     physical bytes, and code executed through an alias after being
 *     modified through the original address (and the reverse), incl. an
 *     in-block modification through an alias;
 *  4. loops that rewrite their own body on every iteration: an ADD
 *     immediate at the top of the loop, an instruction right after the
 *     store, and a JMP displacement that alternates between two paths;
 *  5. an instruction that straddles a 4 KiB page boundary whose second half
 *     (in the next page) is modified;
 *  6. frequent data writes next to code in the same page don't disturb it.
 *
 * Expected values are plain arithmetic on the values the test writes
 * (e.g. loop 1: sum of the immediates each iteration sees).  All RAM code
 * lives in segment 0x2000 (phys 0x20000); routines are assembled in the
 * ROM, copied there, and use CS-relative offsets RAM_OFFSET + (x - start).
 */
#include "rm_common.inc"

    RESET_VECTOR start

    .set CSEG, 0x2000           /* RAM code segment */

/* Copy ROM bytes [\from, \to) to ES:\dst with plain moves (ES = CSEG). */
.macro COPY from, to, dst
    mov $\from, %si
    mov $\dst, %di
1:  mov %cs:(%si), %al
    mov %al, %es:(%di)
    inc %si
    inc %di
    cmp $\to, %si
    jne 1b
.endm

/* Offset in segment CSEG of ROM label \x of a routine copied to \at. */
#define RAM(at, start, x) ((at) + ((x) - (start)))

    .set R1_AT, 0x0000
    .set R2_AT, 0x0100
    .set R3_AT, 0x0180
    .set R4_AT, 0x0200
    .set R5_AT, 0x0280
    .set R6_AT, 0x0300
    .set R7_AT, 0x0380
    .set R8_AT, 0x0400
    .set L1_AT, 0x0500
    .set L2_AT, 0x0580
    .set L3_AT, 0x0600
    .set R9_AT, 0x0700
    .set PG_AT, 0x0FFE          /* instruction straddling 0x20FFF/0x21000 */
    .set DN_AT, 0x1800          /* code + data in one page */

start:
    T_INIT
    T_PUTS "rm_smc\r\n"
    mov $CSEG, %ax
    mov %ax, %es

/* ---- 1. change an immediate between calls --------------------------------- */
    COPY r1, r1_end, R1_AT
    mov $0, %ax
    lcall $CSEG, $R1_AT
    T_CK16 %ax, 0x1111, "RAM routine, first call"
    movw $0x2222, %es:RAM(R1_AT, r1, r1_imm)
    lcall $CSEG, $R1_AT
    T_CK16 %ax, 0x2222, "RAM routine after changing its immediate"
    /* 100 rounds: write i, call, expect i */
    mov $100, %bx
1:  mov %bx, %es:RAM(R1_AT, r1, r1_imm)
    lcall $CSEG, $R1_AT
    cmp %bx, %ax
    jne 2f
    dec %bx
    jnz 1b
2:  T_CK16 %bx, 0, "repeated modify+call (bx = failing round)"

/* ---- 2. modify the next instruction in the same block ----------------------- */
    /* opcode byte: mov ax,imm (B8) becomes mov cx,imm (B9) */
    COPY r2, r2_end, R2_AT
    mov $0, %ax
    mov $0, %cx
    lcall $CSEG, $R2_AT
    T_CK16 %cx, 0x3333, "next instruction's opcode changed (cx)"
    T_CK16 %ax, 0, "next instruction's opcode changed (ax untouched)"
    /* immediate of the next instruction */
    COPY r3, r3_end, R3_AT
    mov $0, %ax
    lcall $CSEG, $R3_AT
    T_CK16 %ax, 0x4444, "next instruction's immediate changed"
    /* 32-bit store turning 4 x INC AX into 4 x NOP */
    COPY r4, r4_end, R4_AT
    mov $0, %ax
    lcall $CSEG, $R4_AT
    T_CK16 %ax, 0, "dword store replaced 4 instructions"
    /* 32-bit store changing instruction lengths: B8 11 11 90 -> 40 90 90 90 */
    COPY r5, r5_end, R5_AT
    mov $5, %ax
    lcall $CSEG, $R5_AT
    T_CK16 %ax, 6, "store changed instruction boundaries"
    /* a target several instructions further down the same block */
    COPY r6, r6_end, R6_AT
    mov $0, %ax
    mov $0, %dx
    lcall $CSEG, $R6_AT
    T_CK16 %dx, 0x0777, "modified instruction further down the block"
    T_CK16 %ax, 3, "instructions in between ran"
    /* REP MOVSB copies new code over the instructions that follow it */
    COPY r7, r7_end, R7_AT
    mov $0, %ax
    mov $0, %bx
    lcall $CSEG, $R7_AT
    T_CK16 %bx, 0x5A5A, "rep movsb over following code: new code ran"
    T_CK16 %ax, 0, "rep movsb over following code: old code didn't"

/* ---- 3. aliases ------------------------------------------------------------- */
    COPY r1, r1_end, R8_AT
    lcall $CSEG, $R8_AT         /* translate it: ax = 0x1111 */
    T_CK16 %ax, 0x1111, "alias: first call"
    /* modify through 0x1F00:(0x1000 + off): same physical byte */
    mov $0x1F00, %dx
    mov %dx, %fs
    movw $0x5678, %fs:(0x1000 + RAM(R8_AT, r1, r1_imm))
    lcall $CSEG, $R8_AT
    T_CK16 %ax, 0x5678, "modified through a segment alias"
    /* execute through an alias CS after modifying through the original */
    movw $0x6789, %es:RAM(R8_AT, r1, r1_imm)
    lcall $0x1F00, $(0x1000 + R8_AT)
    T_CK16 %ax, 0x6789, "executed through an alias CS"
    movw $0x789A, %fs:(0x1000 + RAM(R8_AT, r1, r1_imm))
    lcall $0x1F00, $(0x1000 + R8_AT)
    T_CK16 %ax, 0x789A, "modified via alias, executed via alias"
    lcall $CSEG, $R8_AT
    T_CK16 %ax, 0x789A, "and via the original CS"
    /* in-block modification of the next instruction through an alias */
    COPY r9, r9_end, R9_AT
    mov $0, %ax
    lcall $CSEG, $R9_AT
    T_CK16 %ax, 0x9999, "next instruction modified through an alias"

/* ---- 4. loops that rewrite themselves ----------------------------------- */
    COPY l1, l1_end, L1_AT
    mov $300, %cx
    mov $0, %bx
    lcall $CSEG, $L1_AT
    /* iteration k adds the value written by iteration k-1: 300+299+..+2 */
    T_CK16 %bx, 45149, "loop rewriting its ADD immediate"
    T_CK16 %cx, 0, "loop rewriting its ADD immediate: cx"
    /* run it again: the first iteration now sees the last value written (1) */
    mov $300, %cx
    mov $0, %bx
    lcall $CSEG, $L1_AT
    T_CK16 %bx, 45150, "loop rewriting itself, second run"
    COPY l2, l2_end, L2_AT
    mov $300, %cx
    mov $0, %bx
    lcall $CSEG, $L2_AT
    T_CK16 %bx, 45150, "loop rewriting the instruction after the store"
    COPY l3, l3_end, L3_AT
    mov $101, %cx
    mov $0, %ax
    mov $0, %dx
    lcall $CSEG, $L3_AT
    T_CK16 %ax, 51, "loop flipping its JMP: path A count"
    T_CK16 %dx, 50, "loop flipping its JMP: path B count"

/* ---- 5. instruction straddling a page boundary ------------------------------ */
    COPY pg, pg_end, PG_AT      /* nop @0FFE, B8 @0FFF, imm @1000-1001 */
    lcall $CSEG, $PG_AT
    T_CK16 %ax, 0xA1A1, "page-straddling instruction, first call"
    movb $0xB2, %es:0x1001      /* high byte of the imm, in the next page */
    lcall $CSEG, $PG_AT
    T_CK16 %ax, 0xB2A1, "modified second page of a straddling instruction"
    movb $0xC3, %es:0x1000
    lcall $CSEG, $PG_AT
    T_CK16 %ax, 0xB2C3, "modified first byte in the second page"
    movb $0xB9, %es:0x0FFF      /* opcode (first page): now mov cx,imm */
    mov $0, %ax
    mov $0, %cx
    lcall $CSEG, $PG_AT
    T_CK16 %cx, 0xB2C3, "modified opcode of a straddling instruction"
    T_CK16 %ax, 0, "modified opcode of a straddling instruction (ax)"

/* ---- 6. data writes next to code in the same page ---------------------------- */
    COPY r1, r1_end, DN_AT
    mov $1000, %cx
1:  mov %cx, %es:(DN_AT + 0x40)     /* same 4K page as the routine */
    mov %cx, %es:(DN_AT + 0x10)
    lcall $CSEG, $DN_AT
    cmp $0x1111, %ax
    jne 2f
    loop 1b
2:  T_CK16 %cx, 0, "data writes beside code (cx = failing round)"
    T_CK16 %es:(DN_AT + 0x40), 1, "data beside code"
    /* rewriting code with the same bytes changes nothing */
    mov $50, %cx
1:  movw $0x1111, %es:RAM(DN_AT, r1, r1_imm)
    lcall $CSEG, $DN_AT
    cmp $0x1111, %ax
    jne 2f
    loop 1b
2:  T_CK16 %cx, 0, "rewriting identical code bytes"

    T_PASS

/* ========================================================================== */
/* Routines copied to RAM.  Only position-independent code; CS-relative     */
/* offsets are computed with RAM(at, start, label).                           */

r1:
    .byte 0xB8                  /* mov ax, imm16 */
r1_imm:
    .word 0x1111
    lret
r1_end:

r2:
    movb $0xB9, %cs:RAM(R2_AT, r2, r2_next)
r2_next:
    mov $0x3333, %ax            /* becomes mov cx,0x3333 */
    lret
r2_end:

r3:
    movw $0x4444, %cs:RAM(R3_AT, r3, r3_next) + 1
r3_next:
    .byte 0xB8                  /* mov ax, 0x1111 (imm is replaced) */
    .word 0x1111
    lret
r3_end:

r4:
    mov $RAM(R4_AT, r4, r4_next), %bx
    movl $0x90909090, %cs:(%bx)
r4_next:
    inc %ax
    inc %ax
    inc %ax
    inc %ax
    lret
r4_end:

r5:
    movl $0x90909040, %cs:RAM(R5_AT, r5, r5_next)
r5_next:
    .byte 0xB8, 0x11, 0x11      /* mov ax,0x1111 -> inc ax; nop; nop */
    nop                         /* -> nop */
    lret
r5_end:

r6:
    movw $0x0777, %cs:RAM(R6_AT, r6, r6_next) + 1
    inc %ax
    inc %ax
    inc %ax
r6_next:
    .byte 0xBA                  /* mov dx, imm16 */
    .word 0x0111
    lret
r6_end:

r7:                             /* copies r7_new over r7_old with REP MOVSB */
    push %ds
    push %cs
    pop %ds
    mov $RAM(R7_AT, r7, r7_new), %si
    mov $RAM(R7_AT, r7, r7_old), %di   /* ES = CSEG already */
    mov $(r7_new_end - r7_new), %cx
    cld
    rep movsb
r7_old:
    mov $0x1234, %ax            /* replaced by mov bx,0x5A5A (same length) */
    pop %ds
    lret
r7_new:
    mov $0x5A5A, %bx
r7_new_end:
r7_end:

r9:                             /* modifies r9_next through DS = CSEG + 0x10 */
    push %ds
    push %ax
    mov $(CSEG + 0x10), %ax
    mov %ax, %ds
    pop %ax
    movw $0x9999, (RAM(R9_AT, r9, r9_next) + 1 - 0x100)
r9_next:
    mov $0x1111, %ax
    pop %ds
    lret
r9_end:

l1:                             /* bx += imm; imm = cx; loop */
1:  .byte 0x81, 0xC3            /* add bx, imm16 (long form) */
l1_imm:
    .word 0x0000
    mov %cx, %cs:RAM(L1_AT, l1, l1_imm)
    loop 1b
    lret
l1_end:

l2:                             /* the store targets the next instruction */
1:  mov %cx, %cs:RAM(L2_AT, l2, l2_next) + 1
l2_next:
    .byte 0xBA                  /* mov dx, imm16 */
    .word 0x0000
    add %dx, %bx
    loop 1b
    lret
l2_end:

l3:                             /* a JMP whose target flips every iteration */
l3_jmp:
    .byte 0xEB, l3_a - (l3_jmp + 2)
l3_a:
    inc %ax
    movb $(l3_b - (l3_jmp + 2)), %cs:RAM(L3_AT, l3, l3_jmp) + 1
    jmp l3_cont
l3_b:
    inc %dx
    movb $(l3_a - (l3_jmp + 2)), %cs:RAM(L3_AT, l3, l3_jmp) + 1
l3_cont:
    loop l3_jmp
    movb $(l3_a - (l3_jmp + 2)), %cs:RAM(L3_AT, l3, l3_jmp) + 1
    lret
l3_end:

pg:
    nop
    .byte 0xB8                  /* mov ax, 0xA1A1 */
    .word 0xA1A1
    lret
pg_end:
