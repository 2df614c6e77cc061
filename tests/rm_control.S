/* rm_control: control transfer and flag-control instructions in real mode.
 *
 * Covers: JMP short (EB) / near (E9, 66 E9 rel32) forward and backward,
 * JMP near indirect through a register and memory (FF /4, 16 and 32 bit),
 * JMP far direct (EA ptr16:16, 66 EA ptr16:32) and indirect (FF /5 m16:16,
 * 66 FF /5 m16:32) incl. jumps to a different CS that aliases the same
 * code; CALL near (E8, 66 E8) and indirect (FF /2 reg/mem, 16/32 bit), CALL
 * far direct (9A) and indirect (FF /3, 16/32 bit) with the pushed return
 * addresses checked; RET / RET imm16 / RETF / RETF imm16 (16 and 32 bit);
 * all 16 Jcc conditions in short (70-7F) and near (0F 80-8F) form against
 * all 32 combinations of CF/PF/ZF/SF/OF; LOOP/LOOPE/LOOPNE with CX and
 * (0x67) ECX, incl. CX=0 meaning 65536 iterations; JCXZ/JECXZ; INT n, INT3
 * (CC), INT 3 (CD 03), INTO taken/not taken, IRET (16-bit, and IRETD with
 * 0x66) through the IVT with the pushed FLAGS/CS/IP and IF/TF clearing
 * checked; CLI/STI/CLC/STC/CMC/CLD/STD.  HLT is not tested (needs a
 * working interrupt source to wake up).
 *
 * Expected values: Intel SDM / 80386 manual (JMP, CALL, RET, Jcc condition
 * table, LOOP, JCXZ, INT n, IRET, flag instructions).  Return addresses are
 * the assembler's own labels.  Interrupts in real mode push FLAGS, CS, IP
 * (IP = the instruction after INT/INT3/INTO) and clear IF and TF
 * (SDM "INT n" REAL-ADDRESS-MODE pseudocode).  The 8259 PIC is masked before
 * IF is ever set so that no hardware interrupt can arrive.
 */
#include "rm_common.inc"

    RESET_VECTOR start

    .set ALIAS_CS, 0xEFFF       /* 0xEFFF:x+0x10 is the same byte as 0xF000:x */

/* Scratch words written by the interrupt handler (SS=0 throughout) */
    .set H_IP, 0x500
    .set H_CS, 0x502
    .set H_FL, 0x504
    .set H_FLIN, 0x506          /* FLAGS seen inside the handler */
    .set H_SP, 0x508            /* SP inside the handler, before its own push */
    .set H_CNT, 0x50A           /* number of times the handler ran */
    .set STEP_CNT, 0x510

.macro RSTK
    mov $0x8000, %esp
.endm

/* One Jcc check.  cc = condition code 0..15, fl = FLAGS, near = 0 or 1. */
.macro JCC_T cc, fl, near
    .set T_N, T_N+1
    .set j_cf, (\fl) & 1
    .set j_pf, ((\fl) >> 2) & 1
    .set j_zf, ((\fl) >> 6) & 1
    .set j_sf, ((\fl) >> 7) & 1
    .set j_of, ((\fl) >> 11) & 1
    .set j_b, ((\cc) >> 1)
    .if j_b == 0
    .set j_t, j_of                      /* O */
    .elseif j_b == 1
    .set j_t, j_cf                      /* B/C */
    .elseif j_b == 2
    .set j_t, j_zf                      /* E/Z */
    .elseif j_b == 3
    .set j_t, j_cf | j_zf               /* BE */
    .elseif j_b == 4
    .set j_t, j_sf                      /* S */
    .elseif j_b == 5
    .set j_t, j_pf                      /* P */
    .elseif j_b == 6
    .set j_t, j_sf ^ j_of               /* L */
    .else
    .set j_t, j_zf | (j_sf ^ j_of)      /* LE */
    .endif
    .set j_t, j_t ^ ((\cc) & 1)         /* odd codes are the negations */
    T_SETF \fl
    .if \near
    .byte 0x0F, 0x80 + (\cc)
    .word .Lj_t\@ - .Lj_n\@
    .else
    .byte 0x70 + (\cc), .Lj_t\@ - .Lj_n\@
    .endif
.Lj_n\@:                                /* not taken */
    .if j_t
    mov $(((\cc) << 16) | (\fl) | ((\near) << 24)), %ebx
    mov $T_N, %bp
    mov $s_jcc, %si
    jmp t_fail
    .else
    jmp .Lj_e\@
    .endif
.Lj_t\@:                                /* taken */
    .if j_t == 0
    mov $(((\cc) << 16) | (\fl) | ((\near) << 24)), %ebx
    mov $T_N, %bp
    mov $s_jcc, %si
    jmp t_fail
    .endif
.Lj_e\@:
.endm

start:
    T_INIT
    T_PUTS "rm_control\r\n"
    /* mask both PICs: no hardware interrupt may arrive while IF=1 */
    mov $0xFF, %al
    out %al, $0x21
    out %al, $0xA1
    /* the interrupt-recording handler on vectors 3, 4, 0x40; stepping on 1 */
    T_SETVEC 0x03, h_rec
    T_SETVEC 0x04, h_rec
    T_SETVEC 0x40, h_rec
    T_SETVEC 0x01, h_step

/* ---- JMP short / near ---------------------------------------------------- */
    mov $0, %ax
    .byte 0xEB, 1f - 2f         /* jmp short forward */
2:  T_FAIL "EB jmp short fell through"
1:  inc %ax
    .byte 0xE9                  /* jmp near forward */
    .word 1f - 2f
2:  T_FAIL "E9 jmp near fell through"
1:  inc %ax
    .byte 0x66, 0xE9            /* jmp near rel32 */
    .long 1f - 2f
2:  T_FAIL "66 E9 jmp rel32 fell through"
1:  inc %ax
    T_CK16 %ax, 3, "forward jumps"
    /* backward: forward to 3, back to 2 (short), back to 1 (near) */
    jmp 3f
1:  add $0x10, %ax
    jmp 4f
2:  add $0x100, %ax
    .byte 0xE9                  /* near backward */
    .word 1b - 5f
5:  T_FAIL "backward E9 fell through"
3:  .byte 0xEB, 2b - 5f         /* short backward */
5:  T_FAIL "backward EB fell through"
4:  T_CK16 %ax, 0x113, "backward jumps"
    /* negative rel32 */
    jmp 3f
1:  add $0x1000, %ax
    jmp 4f
3:  .byte 0x66, 0xE9
    .long 1b - 5f
5:  T_FAIL "backward 66 E9 fell through"
4:  T_CK16 %ax, 0x1113, "backward rel32"

/* ---- JMP near indirect ---------------------------------------------------- */
    mov $0, %cx
    mov $1f, %ax
    jmp *%ax                    /* FF E0 */
    T_FAIL "jmp ax fell through"
1:  inc %cx
    mov $0x1000, %bx
    mov %bx, %ds
    movw $1f, %ds:0x0010
    mov $0x0010, %bx
    jmp *(%bx)                  /* FF 27 */
    T_FAIL "jmp [bx] fell through"
1:  inc %cx
    mov $0, %si
    jmp *%cs:jtab(%si)          /* 2E FF A4 disp16: table in the ROM */
    T_FAIL "jmp cs:[jtab+si] fell through"
ji1:
    inc %cx
    mov $2, %si
    jmp *%cs:jtab(%si)
    T_FAIL "jmp cs:[jtab+2] fell through"
ji2:
    inc %cx
    mov $1f, %edx               /* high half zero */
    jmp *%edx                   /* 66 FF E2 */
    T_FAIL "jmp edx fell through"
1:  inc %cx
    movl $1f, %ds:0x0020
    jmpl *%ds:0x0020            /* 66 FF 26 */
    T_FAIL "jmp dword [mem] fell through"
1:  inc %cx
    T_CK16 %cx, 6, "indirect jumps"

/* ---- JMP far --------------------------------------------------------------- */
    mov $0, %ax
    ljmp $ALIAS_CS, $(farj1 + 0x10)     /* EA: same code, other CS */
farj1:
    mov %cs, %ax                /* runs with CS = ALIAS_CS */
    ljmp $0xF000, $farj1_back
farj1_back:
    T_CK16 %ax, ALIAS_CS, "EA jmp far: cs"
    mov %cs, %ax
    T_CK16 %ax, 0xF000, "EA jmp far back"
    /* 32-bit offset form */
    mov $0, %ax
    .byte 0x66, 0xEA
    .long farj2 + 0x10
    .word ALIAS_CS
farj2:
    mov %cs, %ax
    ljmp $0xF000, $farj2_back
farj2_back:
    T_CK16 %ax, ALIAS_CS, "66 EA jmp far: cs"
    /* indirect far, m16:16 */
    movw $(farj3 + 0x10), %ds:0x0030
    movw $ALIAS_CS, %ds:0x0032
    mov $0x0030, %bx
    mov $0, %ax
    ljmp *(%bx)                 /* FF 2F */
farj3:
    mov %cs, %ax
    ljmp $0xF000, $farj3_back
farj3_back:
    T_CK16 %ax, ALIAS_CS, "FF /5 jmp far [bx]: cs"
    /* indirect far, m16:32 */
    movl $(farj4 + 0x10), %ds:0x0040
    movw $ALIAS_CS, %ds:0x0044
    mov $0, %ax
    ljmpl *%ds:0x0040           /* 66 FF 2E */
farj4:
    mov %cs, %ax
    ljmp $0xF000, $farj4_back
farj4_back:
    T_CK16 %ax, ALIAS_CS, "66 FF /5 jmp far m16:32: cs"
    /* a far jump into RAM code: copy "mov cx,cs ; jmp far F000:back" */
    mov $0x2000, %ax
    mov %ax, %es
    movb $0x8C, %es:0           /* mov cx,cs = 8C C9 */
    movb $0xC9, %es:1
    movb $0xEA, %es:2           /* jmp far F000:farj5_back */
    movw $farj5_back, %es:3
    movw $0xF000, %es:5
    ljmp $0x2000, $0
farj5_back:
    T_CK16 %cx, 0x2000, "jmp far into RAM code"

/* ---- CALL / RET near ----------------------------------------------------- */
    RSTK
    call sub_info               /* E8: ax = return IP, dx = SP in callee */
ret1:
    T_CK16 %ax, ret1, "E8 call: pushed IP"
    T_CK16 %dx, 0x7ffe, "E8 call: SP in callee"
    T_CKSP 0x8000, "ret: SP restored"
    /* backward call (negative rel16) is the call above the sub below */
    mov $sub_info, %bx
    call *%bx                   /* FF D3 */
ret2:
    T_CK16 %ax, ret2, "FF /2 call bx: pushed IP"
    movw $sub_info, %ds:0x0050
    mov $0x0050, %si
    call *(%si)                 /* FF 14 */
ret3:
    T_CK16 %ax, ret3, "FF /2 call [si]: pushed IP"
    T_CK16 %dx, 0x7ffe, "FF /2 call [si]: SP in callee"
    /* 32-bit near call: pushes EIP (4 bytes) */
    .byte 0x66, 0xE8
    .long sub_info32 - ret4
ret4:
    T_CK32 %eax, ret4, "66 E8 call: pushed EIP"
    T_CK16 %dx, 0x7ffc, "66 E8 call: SP in callee"
    T_CKSP 0x8000, "66 ret: SP restored"
    mov $sub_info32, %ebx
    calll *%ebx                 /* 66 FF D3 */
ret5:
    T_CK32 %eax, ret5, "66 FF /2 call ebx"
    movl $sub_info32, %ds:0x0054
    calll *%ds:0x0054           /* 66 FF 16 */
ret6:
    T_CK32 %eax, ret6, "66 FF /2 call [mem]"
    /* RET imm16 releases parameters */
    RSTK
    pushw $0x1111
    pushw $0x2222
    call sub_ret4               /* ret $4 */
    T_CKSP 0x8000, "ret 4: SP"
    T_CK16 %ax, 0x2222, "ret 4: callee saw its parameter"
    pushl $0x33333333
    pushl $0x44444444
    .byte 0x66, 0xE8
    .long sub_ret8_32 - 1f
1:  T_CKSP 0x8000, "66 ret 8: SP"
    T_CK32 %eax, 0x44444444, "66 ret 8: parameter"

    /* CALL/RET with SP wrapping: SP=0 -> return address at SS:FFFE */
    mov $0x5000, %ax
    mov %ax, %ss
    mov $0, %esp
    call sub_info
ret7:
    mov %esp, %ebx
    mov $0, %ax
    mov %ax, %ss
    RSTK
    T_CK16 %dx, 0xFFFE, "call with SP=0: SP in callee"
    T_CK32 %ebx, 0, "ret with SP=FFFE: SP wraps to 0"
    mov $0x5FFF, %ax
    mov %ax, %es
    T_CK16 %es:0x000E, ret7, "call with SP=0: return address at SS:FFFE"
    /* 66 EB: a short jump with a 32-bit operand size */
    mov $0, %ax
    .byte 0x66, 0xEB, 1f - 2f
2:  T_FAIL "66 EB fell through"
1:  T_CKSP 0x8000, "66 EB: sp"

/* ---- CALL / RET far ------------------------------------------------------- */
    RSTK
    lcall $0xF000, $sub_far     /* 9A: ax = IP, dx = CS pushed, cx = SP */
fret1:
    T_CK16 %ax, fret1, "9A call far: pushed IP"
    T_CK16 %dx, 0xF000, "9A call far: pushed CS"
    T_CK16 %cx, 0x7ffc, "9A call far: SP in callee"
    T_CKSP 0x8000, "retf: SP"
    lcall $ALIAS_CS, $(sub_far_cs + 0x10)   /* callee runs on other CS */
fret2:
    T_CK16 %bx, ALIAS_CS, "call far to alias: CS in callee"
    T_CK16 %dx, 0xF000, "call far to alias: pushed CS"
    T_CK16 %ax, fret2, "call far to alias: pushed IP"
    mov %cs, %ax
    T_CK16 %ax, 0xF000, "retf restored CS"
    /* indirect far call m16:16 */
    movw $(sub_far_cs + 0x10), %ds:0x0060
    movw $ALIAS_CS, %ds:0x0062
    mov $0x0060, %di
    lcall *(%di)                /* FF 1D */
fret3:
    T_CK16 %bx, ALIAS_CS, "FF /3 call far [di]: CS in callee"
    T_CK16 %ax, fret3, "FF /3 call far: pushed IP"
    /* 32-bit far call: pushes CS in a dword, then EIP; RETF 66 pops both */
    RSTK
    .byte 0x66, 0x9A
    .long sub_far32
    .word 0xF000
fret4:
    T_CK32 %eax, fret4, "66 9A call far: pushed EIP"
    T_CK16 %dx, 0xF000, "66 9A call far: pushed CS (low word)"
    T_CK16 %cx, 0x7ff8, "66 9A call far: SP in callee"
    T_CKSP 0x8000, "66 retf: SP"
    movl $sub_far32, %ds:0x0070
    movw $0xF000, %ds:0x0074
    lcalll *%ds:0x0070          /* 66 FF 1E */
fret5:
    T_CK32 %eax, fret5, "66 FF /3 call far m16:32: pushed EIP"
    T_CKSP 0x8000, "66 FF /3: SP"
    /* RETF imm16 */
    pushw $0x5555
    pushw $0x6666
    pushw $0x7777
    lcall $0xF000, $sub_far_ret6
    T_CKSP 0x8000, "retf 6: SP"
    T_CK16 %ax, 0x7777, "retf 6: parameter"
    pushl $0x12345678
    .byte 0x66, 0x9A
    .long sub_far_ret4_32
    .word 0xF000
    T_CKSP 0x8000, "66 retf 4: SP"
    T_CK32 %eax, 0x12345678, "66 retf 4: parameter"
    /* RETF to a CS:IP built by hand */
    pushw $ALIAS_CS
    pushw $(retf_tgt + 0x10)
    lret
retf_tgt:
    mov %cs, %ax
    ljmp $0xF000, $retf_back
retf_back:
    T_CK16 %ax, ALIAS_CS, "retf to hand-made frame"
    T_CKSP 0x8000, "retf to hand-made frame: SP"

/* ---- Jcc: 16 conditions x 32 flag combinations x short/near -------------- */
    .irp fl, 0x000,0x001,0x004,0x005,0x040,0x041,0x044,0x045,0x080,0x081,0x084,0x085,0x0c0,0x0c1,0x0c4,0x0c5,0x800,0x801,0x804,0x805,0x840,0x841,0x844,0x845,0x880,0x881,0x884,0x885,0x8c0,0x8c1,0x8c4,0x8c5
    .irp cc, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    JCC_T \cc, \fl, 0
    JCC_T \cc, \fl, 1
    .endr
    .endr
    /* AF, DF, IF, TF-free extra bits must not matter */
    JCC_T 4, (F_AF|F_DF), 0
    JCC_T 5, (F_AF|F_DF), 1
    JCC_T 2, (F_AF|F_DF|F_ZF), 0
    /* Jcc must not change the flags */
    T_SETF F_CF|F_ZF|F_OF
    jc 1f
1:  jnz 1f
1:  T_CKF F_ARITH, F_CF|F_ZF|F_OF, "Jcc keeps flags"
    /* a backward Jcc */
    mov $0, %ax
    jmp 2f
1:  inc %ax
    jmp 3f
2:  T_SETF F_ZF
    je 1b
    T_FAIL "backward je not taken"
3:  T_CK16 %ax, 1, "backward je"
    /* near Jcc backward */
    jmp 2f
1:  inc %ax
    jmp 3f
2:  T_SETF F_SF
    .byte 0x0F, 0x88            /* js near, backward */
    .word 1b - 4f
4:  T_FAIL "backward js near not taken"
3:  T_CK16 %ax, 2, "backward js near"

/* ---- LOOP / LOOPE / LOOPNE ---------------------------------------------- */
    mov $0, %ax
    mov $5, %cx
1:  inc %ax
    loop 1b                     /* E2 */
    T_CK16 %ax, 5, "loop 5: iterations"
    T_CK16 %cx, 0, "loop 5: cx"
    mov $0, %ax
    mov $1, %cx
1:  inc %ax
    loop 1b
    T_CK16 %ax, 1, "loop 1: iterations"
    /* CX=0: decremented to 0xFFFF first -> 65536 iterations */
    mov $0, %eax
    mov $0, %cx
1:  inc %eax
    loop 1b
    T_CK32 %eax, 0x10000, "loop with cx=0 runs 65536 times"
    /* LOOP doesn't change flags (ZF stays set while CX reaches 0) */
    mov $3, %cx
    T_SETF F_ZF|F_CF
1:  loop 1b
    T_CKF F_ARITH, F_ZF|F_CF, "loop keeps flags"
    /* 16-bit LOOP uses CX only: high half of ECX kept */
    mov $0x00010002, %ecx
    mov $0, %ax
1:  inc %ax
    loop 1b
    T_CK16 %ax, 2, "loop uses cx: iterations"
    T_CK32 %ecx, 0x00010000, "loop uses cx: ecx"
    /* 0x67 LOOP uses ECX */
    mov $0x00010002, %ecx
    mov $0, %eax
1:  inc %eax
    addr32 loop 1b              /* 67 E2 */
    T_CK32 %eax, 0x10002, "67 loop uses ecx: iterations"
    T_CK32 %ecx, 0, "67 loop: ecx"
    /* LOOPE: continue while ZF=1 and cx != 0 */
    mov $10, %cx
    mov $0, %ax
1:  inc %ax
    cmp $1, %ax                 /* ZF=1 only on the first iteration */
    loope 1b                    /* E1 */
    T_CK16 %ax, 2, "loope: stops when ZF=0"
    T_CK16 %cx, 8, "loope: cx"
    mov $3, %cx
    mov $0, %ax
1:  inc %ax
    cmp %ax, %ax                /* always ZF=1 */
    loope 1b
    T_CK16 %ax, 3, "loope: stops when cx=0"
    T_CK16 %cx, 0, "loope: cx=0"
    /* LOOPNE: continue while ZF=0 and cx != 0 */
    mov $10, %cx
    mov $0, %ax
1:  inc %ax
    cmp $3, %ax
    loopne 1b                   /* E0 */
    T_CK16 %ax, 3, "loopne: stops when ZF=1"
    T_CK16 %cx, 7, "loopne: cx"
    mov $4, %cx
    mov $0, %ax
1:  inc %ax
    cmp $0xFFFF, %ax            /* never equal */
    loopne 1b
    T_CK16 %ax, 4, "loopne: stops when cx=0"
    T_CK16 %cx, 0, "loopne: cx=0"
    mov $0x00020000, %ecx       /* CX=0 but ECX != 0 */
    mov $0, %eax
1:  inc %eax
    test %eax, %eax             /* ZF=0 */
    addr32 loopne 1b            /* 67 E0: ECX 0x20000 -> 0x1ffff, loops on */
    T_CK32 %ecx, 0, "67 loopne: runs until ecx=0"
    T_CK32 %eax, 0x20000, "67 loopne: 0x20000 iterations"

/* ---- JCXZ / JECXZ ------------------------------------------------------------ */
    mov $0, %cx
    jcxz 1f                     /* E3 */
    T_FAIL "jcxz cx=0 not taken"
1:  mov $1, %cx
    jcxz 2f
    jmp 1f
2:  T_FAIL "jcxz cx=1 taken"
1:  mov $0x00010000, %ecx
    jcxz 1f                     /* CX=0 */
    T_FAIL "jcxz ecx=0x10000 not taken"
1:  jecxz 2f                    /* 67 E3: ECX != 0 */
    jmp 1f
2:  T_FAIL "jecxz ecx=0x10000 taken"
1:  mov $0, %ecx
    jecxz 1f
    T_FAIL "jecxz ecx=0 not taken"
1:  T_SETF F_ARITH
    jcxz 1f
1:  T_CKF F_ARITH, F_ARITH, "jcxz keeps flags"
    T_SETF 0

/* ---- flag instructions ---------------------------------------------------- */
    T_SETF 0
    stc                         /* F9 */
    T_CKF 0x0FFF, F_1|F_CF, "stc"
    cmc                         /* F5 */
    T_CKF 0x0FFF, F_1, "cmc 1->0"
    cmc
    T_CKF 0x0FFF, F_1|F_CF, "cmc 0->1"
    clc                         /* F8 */
    T_CKF 0x0FFF, F_1, "clc"
    std                         /* FD */
    T_CKF 0x0FFF, F_1|F_DF, "std"
    cld                         /* FC */
    T_CKF 0x0FFF, F_1, "cld"
    sti                         /* FB (PIC masked) */
    T_CKF 0x0FFF, F_1|F_IF, "sti"
    cli                         /* FA */
    T_CKF 0x0FFF, F_1, "cli"
    T_SETF F_ZF|F_SF|F_OF|F_PF|F_AF
    stc
    std
    T_CKF 0x0FFF, F_1|F_ZF|F_SF|F_OF|F_PF|F_AF|F_CF|F_DF, "stc/std keep others"
    cmc
    cld
    clc
    T_CKF 0x0FFF, F_1|F_ZF|F_SF|F_OF|F_PF|F_AF, "cmc/cld/clc keep others"
    T_SETF 0

/* ---- INT n / IRET --------------------------------------------------------- */
    RSTK
    movw $0, %ss:H_CNT
    T_SETF F_IF|F_CF|F_ZF|F_DF
    mov $0x1234, %ax
    int $0x40                   /* CD 40 */
int1_ret:
    T_CKF 0x0FFF, F_1|F_IF|F_CF|F_ZF|F_DF, "iret restores FLAGS (IF)"
    cli
    T_CK16 %ss:H_CNT, 1, "int 40h: handler ran once"
    T_CK16 %ss:H_IP, int1_ret, "int 40h: pushed IP"
    T_CK16 %ss:H_CS, 0xF000, "int 40h: pushed CS"
    T_CK16 %ss:H_FL, F_1|F_IF|F_CF|F_ZF|F_DF, "int 40h: pushed FLAGS"
    T_CK16 %ss:H_FLIN, F_1|F_CF|F_ZF|F_DF, "int 40h: IF cleared in handler"
    T_CK16 %ss:H_SP, 0x7ffa, "int 40h: SP in handler"
    T_CKSP 0x8000, "iret: SP"
    T_CK16 %ax, 0x1234, "int/iret keep ax"
    /* TF: cleared on entry, restored by IRET.  A single-step handler on
     * vector 1 counts the traps so they do no harm either way. */
    movw $0, %ss:STEP_CNT
    T_SETF F_TF
    int $0x40
    pushf
    pop %ax
    T_SETF 0
    T_CK16 %ss:H_FL, F_1|F_TF, "int with TF: pushed FLAGS has TF"
    T_CK16 %ss:H_FLIN, F_1, "int with TF: TF cleared in handler"
    and $F_TF, %ax
    T_CK16 %ax, F_TF, "iret restores TF"
    /* INT3 (CC) and INT 3 (CD 03) */
    movw $0, %ss:H_CNT
    int3                        /* CC */
int3_ret:
    T_CK16 %ss:H_IP, int3_ret, "int3 (CC): pushed IP after 1 byte"
    .byte 0xCD, 0x03            /* int 3, two-byte form */
int3b_ret:
    T_CK16 %ss:H_IP, int3b_ret, "int 3 (CD 03): pushed IP after 2 bytes"
    T_CK16 %ss:H_CNT, 2, "int3: handler ran twice"
    /* INTO: only with OF=1 */
    movw $0, %ss:H_CNT
    T_SETF 0
    into                        /* CE, not taken */
    T_CK16 %ss:H_CNT, 0, "into with OF=0 must not interrupt"
    T_SETF F_OF
    into                        /* taken: INT 4 */
into_ret:
    T_CK16 %ss:H_CNT, 1, "into with OF=1 interrupts"
    T_CK16 %ss:H_IP, into_ret, "into: pushed IP"
    T_CK16 %ss:H_FL, F_1|F_OF, "into: pushed FLAGS"
    T_CKF 0x0FFF, F_1|F_OF, "into: flags after iret"
    T_SETF 0
    /* IRET with a hand-made frame: FLAGS, CS (alias) and IP */
    RSTK
    pushw $(F_CF|F_DF|F_OF|F_1)
    pushw $ALIAS_CS
    pushw $(iret_tgt + 0x10)
    iret                        /* CF */
iret_tgt:
    mov %cs, %ax
    ljmp $0xF000, $iret_back
iret_back:
    T_CKF 0x0FFF, F_1|F_CF|F_DF|F_OF, "iret: flags from frame"
    T_CK16 %ax, ALIAS_CS, "iret: CS from frame"
    T_CKSP 0x8000, "iret: SP"
    T_SETF 0
    /* IRETD: 32-bit EIP, CS (dword), EFLAGS */
    pushl $(F_ZF|F_SF|F_1)
    pushl $0x0000F000
    pushl $iretd_tgt
    iretl                       /* 66 CF */
    T_FAIL "iretd fell through"
iretd_tgt:
    T_CKSP 0x8000, "iretd: SP"
    T_CKF 0x0FFF, F_1|F_ZF|F_SF, "iretd: flags"
    T_SETF 0
    /* the same INT instruction, run twice, must follow an IVT change */
    mov $0, %di
1:  push %fs
    pushw $0
    pop %fs
    mov %cs:ivt_hlist(%di), %ax
    mov %ax, %fs:(4*0x42)
    movw $0xF000, %fs:(4*0x42+2)
    pop %fs
    mov $0, %cx
    int $0x42
    cmp $0, %di
    jne 2f
    T_CK16 %cx, 0xAAAA, "int 42h via the first IVT entry"
    add $2, %di
    jmp 1b
2:  T_CK16 %cx, 0xBBBB, "int 42h after the IVT entry changed"
    /* software INT to a vector whose IVT entry points into RAM */
    mov $0x2000, %ax
    mov %ax, %es
    movb $0xB9, %es:0x0100      /* mov cx,0x4321 */
    movw $0x4321, %es:0x0101
    movb $0xCF, %es:0x0103      /* iret */
    push %fs
    pushw $0
    pop %fs
    movw $0x0100, %fs:(4*0x41)
    movw $0x2000, %fs:(4*0x41+2)
    pop %fs
    mov $0, %cx
    int $0x41
    T_CK16 %cx, 0x4321, "int 41h into a RAM handler"
    T_CKSP 0x8000, "int 41h: SP"

    T_PASS

/* ---- subroutines -------------------------------------------------------- */
sub_info:                       /* ax = return IP, dx = SP at entry */
    mov %sp, %dx
    pop %ax
    push %ax
    ret                         /* C3 */

sub_info32:                     /* eax = return EIP, dx = SP; 32-bit return */
    mov %sp, %dx
    pop %eax
    push %eax
    retl                        /* 66 C3 */

sub_ret4:                       /* ax = last parameter; ret 4 */
    mov %sp, %bp
    mov 2(%bp), %ax
    ret $4                      /* C2 04 00 */

sub_ret8_32:
    mov %sp, %bp
    mov 4(%bp), %eax
    retl $8                     /* 66 C2 08 00 */

sub_far:                        /* ax = IP, dx = CS pushed, cx = SP */
    mov %sp, %bp
    mov 0(%bp), %ax
    mov 2(%bp), %dx
    mov %sp, %cx
    lret                        /* CB */

sub_far_cs:                     /* also bx = CS; only position-free code */
    mov %sp, %bp
    mov 0(%bp), %ax
    mov 2(%bp), %dx
    mov %cs, %bx
    lret

sub_far32:                      /* eax = EIP, dx = CS (low word), cx = SP */
    mov %sp, %bp
    mov 0(%bp), %eax
    mov 4(%bp), %dx
    mov %sp, %cx
    lretl                       /* 66 CB */

sub_far_ret6:
    mov %sp, %bp
    mov 4(%bp), %ax
    lret $6                     /* CA 06 00 */

sub_far_ret4_32:
    mov %sp, %bp
    mov 8(%bp), %eax
    lretl $4                    /* 66 CA 04 00 */

/* Interrupt recorder: stores IP, CS, FLAGS from the frame, FLAGS inside,
 * SP at entry, and counts invocations (all via SS=0). */
h_rec:
    push %bp
    push %ax
    mov %sp, %bp
    mov 4(%bp), %ax
    mov %ax, %ss:H_IP
    mov 6(%bp), %ax
    mov %ax, %ss:H_CS
    mov 8(%bp), %ax
    mov %ax, %ss:H_FL
    pushf
    pop %ax
    mov %ax, %ss:H_FLIN
    lea 4(%bp), %ax
    mov %ax, %ss:H_SP
    incw %ss:H_CNT
    pop %ax
    pop %bp
    iret

h_step:
    incw %ss:STEP_CNT
    iret

h_a:
    mov $0xAAAA, %cx
    iret
h_b:
    mov $0xBBBB, %cx
    iret

/* ---- ROM data -------------------------------------------------------------- */
jtab:
    .word ji1, ji2
ivt_hlist:
    .word h_a, h_b
s_jcc:
    .asciz "Jcc wrong (value = near<<24 | cond<<16 | FLAGS)"
