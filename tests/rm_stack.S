/* rm_stack: stack instructions in real mode (16-bit stack, SS.B=0).
 *
 * Covers: PUSH/POP r16/r32 (50-5F, 66 50-5F, and the FF /6 / 8F /0 mod=3
 * encodings), PUSH/POP m16/m32 (with segment overrides), PUSH imm8 (6A,
 * sign-extended to 16 or, with 0x66, to 32 bits), PUSH imm16 (68) and imm32
 * (66 68), PUSH/POP ES/CS/SS/DS/FS/GS (16-bit and 0x66 forms), PUSHA/POPA
 * and PUSHAD/POPAD (POPA(D) skips the SP slot), PUSHF/POPF and
 * PUSHFD/POPFD, PUSH SP / PUSH ESP (value before the decrement, 286+),
 * POP SP / POP ESP, PUSH/POP with an ESP-based memory operand, SP
 * wraparound at 64 KiB (only SP changes; the high half of ESP is kept),
 * ENTER with nesting levels 0, 1, 2, 3 and 33 (=1 mod 32) in 16- and
 * 32-bit operand size, and LEAVE (16 and 32 bit).
 *
 * Expected values come from the Intel SDM / 80386 manual pseudocode:
 *  - PUSH SP pushes the value SP had before the instruction (80286+).
 *  - POP SP/ESP: the popped value ends up in SP (the increment is lost).
 *  - PUSH m with an ESP base computes the address before the decrement;
 *    POP m with an ESP base computes it after the increment (SDM POP).
 *  - PUSHA pushes AX CX DX BX SP(original) BP SI DI; POPA discards SP slot.
 *  - ENTER (80386 manual ch.17): push BP; frame=SP; for i=1..level-1
 *    {BP-=2 (4); push [BP]}; if level>0 push frame; BP=frame; SP-=size.
 *  - In real mode POPF can change every flag incl. IOPL and NT; PUSHF reads
 *    bit 15 as 0 and bits 12-14 as loaded (not forced to 1 as on 8086).
 *  - A 16-bit stack (real mode) updates only SP; ESP[31:16] is unchanged.
 * Segment pushes with 0x66 move SP by 4 but the SDM allows either a
 * zero-extended or a 16-bit write, so only the low word is checked.
 */
#include "rm_common.inc"

    RESET_VECTOR start

.macro RSTK                     /* fresh stack 0:8000 */
    mov $0x8000, %esp
.endm

start:
    T_INIT
    T_PUTS "rm_stack\r\n"

/* ---- PUSH/POP r16 -------------------------------------------------------- */
    RSTK
    mov $0x1111, %ax
    mov $0x2222, %cx
    mov $0x3333, %dx
    mov $0x4444, %bx
    mov $0x5555, %bp
    mov $0x6666, %si
    mov $0x7777, %di
    push %ax                    /* 50 */
    push %cx                    /* 51 */
    push %dx                    /* 52 */
    push %bx                    /* 53 */
    push %bp                    /* 55 */
    push %si                    /* 56 */
    push %di                    /* 57 */
    T_CKSP 0x7ff2, "7 pushes: sp"
    T_CK16 %ss:0x7ffe, 0x1111, "push ax"
    T_CK16 %ss:0x7ffc, 0x2222, "push cx"
    T_CK16 %ss:0x7ffa, 0x3333, "push dx"
    T_CK16 %ss:0x7ff8, 0x4444, "push bx"
    T_CK16 %ss:0x7ff6, 0x5555, "push bp"
    T_CK16 %ss:0x7ff4, 0x6666, "push si"
    T_CK16 %ss:0x7ff2, 0x7777, "push di"
    pop %ax                     /* 58 <- 0x7777 */
    pop %cx                     /* 59 <- 0x6666 */
    pop %dx                     /* 5A <- 0x5555 */
    pop %bx                     /* 5B <- 0x4444 */
    pop %bp                     /* 5D <- 0x3333 */
    pop %si                     /* 5E <- 0x2222 */
    pop %di                     /* 5F <- 0x1111 */
    T_CKSP 0x8000, "7 pops: sp"
    T_CK16 %ax, 0x7777, "pop ax"
    T_CK16 %cx, 0x6666, "pop cx"
    T_CK16 %dx, 0x5555, "pop dx"
    T_CK16 %bx, 0x4444, "pop bx"
    T_CK16 %bp, 0x3333, "pop bp"
    T_CK16 %si, 0x2222, "pop si"
    T_CK16 %di, 0x1111, "pop di"
    /* 16-bit POP keeps the high half of the register */
    mov $0xABCD0000, %eax
    pushw $0x1234
    pop %ax
    T_CK32 %eax, 0xABCD1234, "pop ax keeps eax high half"
    /* FF /6 and 8F /0 with a register operand */
    mov $0x2468, %cx
    .byte 0xFF, 0xF1            /* push cx */
    T_CK16 %ss:0x7ffe, 0x2468, "FF /6 push cx"
    .byte 0x8F, 0xC2            /* pop dx */
    T_CK16 %dx, 0x2468, "8F /0 pop dx"
    T_CKSP 0x8000, "FF/8F reg: sp"

/* ---- PUSH/POP r32 -------------------------------------------------------- */
    mov $0x11223344, %eax
    mov $0x55667788, %ebx
    push %eax                   /* 66 50 */
    T_CKSP 0x7ffc, "push eax: sp-4"
    T_CK32 %ss:0x7ffc, 0x11223344, "push eax"
    push %ebx                   /* 66 53 */
    T_CK32 %ss:0x7ff8, 0x55667788, "push ebx"
    pop %ecx                    /* 66 59 */
    pop %edx                    /* 66 5A */
    T_CK32 %ecx, 0x55667788, "pop ecx"
    T_CK32 %edx, 0x11223344, "pop edx"
    T_CKSP 0x8000, "pop r32: sp"
    mov $0x99AABBCC, %esi
    .byte 0x66, 0xFF, 0xF6      /* push esi (FF /6 mod=3) */
    .byte 0x66, 0x8F, 0xC7      /* pop edi (8F /0 mod=3) */
    T_CK32 %edi, 0x99AABBCC, "66 FF/8F reg"

/* ---- PUSH SP / POP SP ----------------------------------------------------- */
    RSTK
    push %sp                    /* 54: pushes the old value (286+) */
    T_CKSP 0x7ffe, "push sp: sp"
    T_CK16 %ss:0x7ffe, 0x8000, "push sp pushes the value before decrement"
    push %esp                   /* 66 54 */
    T_CKSP 0x7ffa, "push esp: sp"
    T_CK32 %ss:0x7ffa, 0x00007ffe, "push esp pushes old esp"
    RSTK
    pushw $0x7abc
    pop %sp                     /* 5C: SP = popped value */
    mov %sp, %ax
    RSTK
    T_CK16 %ax, 0x7abc, "pop sp"
    pushl $0x00007bcd
    pop %esp                    /* 66 5C */
    mov %esp, %eax
    RSTK
    T_CK32 %eax, 0x00007bcd, "pop esp"

    /* PUSH ESP on a 16-bit stack pushes all of ESP, high half included */
    mov $0xABCD8000, %esp
    push %esp
    T_CK32 %ss:0x7ffc, 0xABCD8000, "push esp with high bits: value"
    mov %esp, %ebx
    RSTK
    T_CK32 %ebx, 0xABCD7FFC, "push esp with high bits: only SP moves"

/* ---- PUSH imm ---------------------------------------------------------- */
    RSTK
    .byte 0x68, 0x34, 0x12      /* push 0x1234 */
    T_CK16 %ss:0x7ffe, 0x1234, "68 push imm16"
    .byte 0x6A, 0x80            /* push byte -0x80 -> 0xFF80 */
    T_CK16 %ss:0x7ffc, 0xFF80, "6A push imm8 sign-extends (neg)"
    .byte 0x6A, 0x7F
    T_CK16 %ss:0x7ffa, 0x007F, "6A push imm8 (pos)"
    T_CKSP 0x7ffa, "push imm: sp"
    .byte 0x66, 0x6A, 0xFE      /* push dword -2 */
    T_CKSP 0x7ff6, "66 6A: sp-4"
    T_CK32 %ss:0x7ff6, 0xFFFFFFFE, "66 6A push imm8 -> 32 bits"
    .byte 0x66, 0x68            /* push dword 0x87654321 */
    .long 0x87654321
    T_CKSP 0x7ff2, "66 68: sp-4"
    T_CK32 %ss:0x7ff2, 0x87654321, "66 68 push imm32"

/* ---- PUSH/POP memory ------------------------------------------------------ */
    RSTK
    mov $0x1000, %ax
    mov %ax, %ds
    mov $0x2000, %ax
    mov %ax, %es
    movw $0xA1B2, %ds:0x0100
    movl $0xC3D4E5F6, %ds:0x0104
    movw $0x0E0E, %es:0x0100
    mov $0x0100, %bx
    pushw (%bx)                 /* FF 37 */
    T_CK16 %ss:0x7ffe, 0xA1B2, "push word [bx]"
    pushl 4(%bx)                /* 66 FF 77 04 */
    T_CK32 %ss:0x7ffa, 0xC3D4E5F6, "push dword [bx+4]"
    pushw %es:(%bx)             /* 26 FF 37 */
    T_CK16 %ss:0x7ff8, 0x0E0E, "push word es:[bx]"
    T_CKSP 0x7ff8, "push mem: sp"
    popw %ds:0x0200             /* 8F 06 */
    T_CK16 %ds:0x0200, 0x0E0E, "pop word [disp16]"
    popl 8(%bx)                 /* 66 8F 47 08 */
    T_CK32 %ds:0x0108, 0xC3D4E5F6, "pop dword [bx+8]"
    popw %es:2(%bx)
    T_CK16 %es:0x0102, 0xA1B2, "pop word es:[bx+2]"
    T_CKSP 0x8000, "pop mem: sp"
    /* BP-based memory operand defaults to SS */
    mov $0x7000, %bp
    movw $0x5A5A, %ss:0x7000
    pushw 0(%bp)
    T_CK16 %ss:0x7ffe, 0x5A5A, "push [bp] uses SS"
    popw 2(%bp)
    T_CK16 %ss:0x7002, 0x5A5A, "pop [bp+2] uses SS"

/* ---- ESP-based memory operands ------------------------------------------- */
    /* PUSH [esp]: address computed before the decrement */
    RSTK
    pushw $0xAAAA               /* at 7ffe */
    pushw $0xBBBB               /* at 7ffc */
    addr32 pushw (%esp)         /* pushes [7ffc] = BBBB at 7ffa */
    T_CK16 %ss:0x7ffa, 0xBBBB, "push [esp] (old esp)"
    addr32 pushw 4(%esp)        /* pushes [7ffa+4] = [7ffe] = AAAA at 7ff8 */
    T_CK16 %ss:0x7ff8, 0xAAAA, "push [esp+4] (old esp)"
    T_CKSP 0x7ff8, "push [esp]: sp"
    /* POP [esp]: address computed after the increment */
    RSTK
    pushw $0x1111               /* 7ffe */
    pushw $0x2222               /* 7ffc */
    pushw $0x3333               /* 7ffa */
    addr32 popw (%esp)          /* reads 3333 @7ffa, sp=7ffc, writes @7ffc */
    T_CKSP 0x7ffc, "pop [esp]: sp"
    T_CK16 %ss:0x7ffc, 0x3333, "pop [esp] writes at the new esp"
    T_CK16 %ss:0x7ffe, 0x1111, "pop [esp]: [esp+2] untouched"
    addr32 popw 0(%esp)         /* reads 3333 @7ffc, sp=7ffe, writes @7ffe */
    T_CK16 %ss:0x7ffe, 0x3333, "pop [esp+0] second time"
    RSTK
    pushl $0x44444444           /* 7ffc */
    pushl $0x55555555           /* 7ff8 */
    addr32 popl 0(%esp)         /* reads 55555555, esp=7ffc, writes @7ffc */
    T_CK32 %ss:0x7ffc, 0x55555555, "pop dword [esp]"
    RSTK
    pushw $0x6666               /* 7ffe */
    pushw $0x7777               /* 7ffc */
    pushw $0x8888               /* 7ffa */
    addr32 popw 2(%esp)         /* reads 8888, sp=7ffc, writes @7ffe */
    T_CK16 %ss:0x7ffe, 0x8888, "pop [esp+2] writes at new esp+2"
    T_CK16 %ss:0x7ffc, 0x7777, "pop [esp+2] leaves [new esp]"
    T_CKSP 0x7ffc, "pop [esp+2]: sp"

/* ---- segment registers ----------------------------------------------------- */
    RSTK
    mov $0x1234, %ax
    mov %ax, %es
    mov $0x2345, %ax
    mov %ax, %ds
    mov $0x3456, %ax
    mov %ax, %fs
    mov $0x4567, %ax
    mov %ax, %gs
    push %es                    /* 06 */
    push %cs                    /* 0E */
    push %ss                    /* 16 */
    push %ds                    /* 1E */
    push %fs                    /* 0F A0 */
    push %gs                    /* 0F A8 */
    T_CKSP 0x7ff4, "push sreg: sp"
    T_CK16 %ss:0x7ffe, 0x1234, "push es"
    T_CK16 %ss:0x7ffc, 0xF000, "push cs"
    T_CK16 %ss:0x7ffa, 0x0000, "push ss"
    T_CK16 %ss:0x7ff8, 0x2345, "push ds"
    T_CK16 %ss:0x7ff6, 0x3456, "push fs"
    T_CK16 %ss:0x7ff4, 0x4567, "push gs"
    pop %ds                     /* 1F <- 4567 */
    pop %es                     /* 07 <- 3456 */
    pop %fs                     /* 0F A1 <- 2345 */
    pop %gs                     /* 0F A9 <- 0000 */
    pop %ax                     /* F000 (cs) */
    pop %ax                     /* 1234 */
    T_CKSP 0x8000, "pop sreg: sp"
    mov %ds, %ax
    T_CK16 %ax, 0x4567, "pop ds"
    mov %es, %ax
    T_CK16 %ax, 0x3456, "pop es"
    mov %fs, %ax
    T_CK16 %ax, 0x2345, "pop fs"
    mov %gs, %ax
    T_CK16 %ax, 0x0000, "pop gs"
    /* the popped value is in effect as a base: ES=0x1000 -> phys 0x10000 */
    xor %ax, %ax
    mov %ax, %ds
    movw $0x4242, %ds:0x6000
    pushw $0x0600
    pop %es
    T_CK16 %es:0, 0x4242, "popped ES base"
    /* POP SS: move the stack and back */
    pushw $0x5000
    pop %ss                     /* 17 */
    mov %ss, %ax
    T_CK16 %ax, 0x5000, "pop ss"
    T_CKSP 0x8000, "pop ss: sp"
    pushw $0x9999               /* lands at 5000:7ffe */
    pushw $0x0000
    mov $0x5000, %ax
    mov %ax, %es
    T_CK16 %es:0x7ffe, 0x9999, "push after pop ss"
    pop %ss                     /* back to SS=0 */
    mov %ss, %ax
    T_CK16 %ax, 0, "pop ss back"
    /* 0x66 forms: 4 bytes of stack, low word is the selector */
    RSTK
    mov $0x1357, %ax
    mov %ax, %fs
    movl $0xFFFFFFFF, %ss:0x7ffc
    pushl %fs                   /* 66 0F A0 */
    T_CKSP 0x7ffc, "66 push fs: sp-4"
    T_CK16 %ss:0x7ffc, 0x1357, "66 push fs: low word"
    pushl %ds                   /* 66 1E */
    T_CKSP 0x7ff8, "66 push ds: sp-4"
    T_CK16 %ss:0x7ff8, 0x0000, "66 push ds: low word"
    movl $0xABCD2468, %ss:0x7ff8
    popl %gs                    /* 66 0F A9: uses the low word */
    T_CKSP 0x7ffc, "66 pop gs: sp+4"
    mov %gs, %ax
    T_CK16 %ax, 0x2468, "66 pop gs"
    movl $0xFFFF0000, %ss:0x7ffc
    popl %es                    /* 66 07 */
    T_CKSP 0x8000, "66 pop es: sp+4"
    mov %es, %ax
    T_CK16 %ax, 0x0000, "66 pop es"

/* ---- PUSHA / POPA / PUSHAD / POPAD ----------------------------------------- */
    RSTK
    mov $0xA0A00001, %eax
    mov $0xA0A00002, %ecx
    mov $0xA0A00003, %edx
    mov $0xA0A00004, %ebx
    mov $0xA0A00005, %ebp
    mov $0xA0A00006, %esi
    mov $0xA0A00007, %edi
    pusha                       /* 60 */
    T_CKSP 0x7ff0, "pusha: sp-16"
    T_CK16 %ss:0x7ffe, 0x0001, "pusha ax"
    T_CK16 %ss:0x7ffc, 0x0002, "pusha cx"
    T_CK16 %ss:0x7ffa, 0x0003, "pusha dx"
    T_CK16 %ss:0x7ff8, 0x0004, "pusha bx"
    T_CK16 %ss:0x7ff6, 0x8000, "pusha sp (original)"
    T_CK16 %ss:0x7ff4, 0x0005, "pusha bp"
    T_CK16 %ss:0x7ff2, 0x0006, "pusha si"
    T_CK16 %ss:0x7ff0, 0x0007, "pusha di"
    /* new values in the frame; the SP slot must be ignored by POPA */
    movw $0x1001, %ss:0x7ffe
    movw $0x1002, %ss:0x7ffc
    movw $0x1003, %ss:0x7ffa
    movw $0x1004, %ss:0x7ff8
    movw $0x1234, %ss:0x7ff6
    movw $0x1005, %ss:0x7ff4
    movw $0x1006, %ss:0x7ff2
    movw $0x1007, %ss:0x7ff0
    popa                        /* 61 */
    T_CKSP 0x8000, "popa skips the sp slot"
    T_CK32 %eax, 0xA0A01001, "popa ax (high half kept)"
    T_CK32 %ecx, 0xA0A01002, "popa cx"
    T_CK32 %edx, 0xA0A01003, "popa dx"
    T_CK32 %ebx, 0xA0A01004, "popa bx"
    T_CK32 %ebp, 0xA0A01005, "popa bp"
    T_CK32 %esi, 0xA0A01006, "popa si"
    T_CK32 %edi, 0xA0A01007, "popa di"
    RSTK
    mov $0x11111111, %eax
    mov $0x22222222, %ecx
    mov $0x33333333, %edx
    mov $0x44444444, %ebx
    mov $0x55555555, %ebp
    mov $0x66666666, %esi
    mov $0x77777777, %edi
    pushal                      /* 66 60 */
    T_CKSP 0x7fe0, "pushad: sp-32"
    T_CK32 %ss:0x7ffc, 0x11111111, "pushad eax"
    T_CK32 %ss:0x7ff8, 0x22222222, "pushad ecx"
    T_CK32 %ss:0x7ff4, 0x33333333, "pushad edx"
    T_CK32 %ss:0x7ff0, 0x44444444, "pushad ebx"
    T_CK32 %ss:0x7fec, 0x00008000, "pushad esp (original)"
    T_CK32 %ss:0x7fe8, 0x55555555, "pushad ebp"
    T_CK32 %ss:0x7fe4, 0x66666666, "pushad esi"
    T_CK32 %ss:0x7fe0, 0x77777777, "pushad edi"
    movl $0x12345678, %ss:0x7fec
    movl $0x88888888, %ss:0x7ffc
    popal                       /* 66 61 */
    T_CKSP 0x8000, "popad skips the esp slot"
    mov %esp, %ebx
    T_CK32 %ebx, 0x00008000, "popad: esp high half"
    T_CK32 %eax, 0x88888888, "popad eax"
    T_CK32 %edi, 0x77777777, "popad edi"
    T_CK32 %esi, 0x66666666, "popad esi"
    T_CK32 %ebp, 0x55555555, "popad ebp"
    T_CK32 %edx, 0x33333333, "popad edx"
    T_CK32 %ecx, 0x22222222, "popad ecx"

/* ---- PUSHF / POPF / PUSHFD / POPFD ----------------------------------------- */
    RSTK
    pushw $0x0000
    popf                        /* 9D */
    pushf                       /* 9C */
    T_CK16 %ss:0x7ffe, 0x0002, "pushf after popf 0: only bit 1"
    pop %ax
    /* everything except TF and IF; bits 3, 5, 15 read 0, bit 1 reads 1 */
    pushw $0xFCFF
    popf
    pushf
    pop %ax
    T_CK16 %ax, 0x7CD7, "popf 0xFCFF -> pushf 0x7CD7 (IOPL/NT settable)"
    T_CKF 0xFFFF, 0x7CD7, "flags after popf 0xFCFF"
    pushw $0x0801               /* OF CF */
    popf
    pushf
    pop %ax
    T_CK16 %ax, 0x0803, "popf OF|CF"
    /* 32-bit forms */
    pushl $0x00000CD5           /* OF DF SF ZF AF PF CF */
    popfl                       /* 66 9D */
    T_CKSP 0x8000, "popfd: sp+4"
    pushfl                      /* 66 9C */
    T_CKSP 0x7ffc, "pushfd: sp-4"
    T_CK32 %ss:0x7ffc, 0x00000CD7, "pushfd"
    popl %eax
    pushl $0x00000000
    popfl
    pushfl
    popl %eax
    T_CK32 %eax, 0x00000002, "pushfd after popfd 0"
    T_SETF 0

/* ---- SP wraparound (SS=0x5000) ------------------------------------------- */
    mov $0x5000, %ax
    mov %ax, %ss
    mov $0x5FFF, %ax
    mov %ax, %es                /* ES:000E = 5000:FFFE */
    mov $0x00000000, %esp
    mov $0xC0DE, %ax
    push %ax                    /* SP 0 -> FFFE */
    T_CK16 %es:0x000e, 0xC0DE, "push at sp=0 writes SS:FFFE"
    T_CKSP 0xFFFE, "push at sp=0: sp"
    mov %esp, %ebx
    T_CK32 %ebx, 0x0000FFFE, "push at sp=0: esp"
    pop %cx                     /* SP FFFE -> 0 */
    T_CK16 %cx, 0xC0DE, "pop at sp=FFFE"
    mov %esp, %ebx
    T_CK32 %ebx, 0x00000000, "pop at sp=FFFE: sp wraps to 0"
    /* the high half of ESP is neither used nor changed by a 16-bit stack */
    mov $0x00010000, %esp
    mov $0xFACE, %ax
    push %ax
    mov %esp, %ebx
    T_CK32 %ebx, 0x0001FFFE, "push with esp=0x10000: only SP changes"
    T_CK16 %es:0x000e, 0xFACE, "push with esp=0x10000 writes SS:FFFE"
    pop %dx
    mov %esp, %ebx
    T_CK32 %ebx, 0x00010000, "pop: only SP changes"
    T_CK16 %dx, 0xFACE, "pop with esp=0x1FFFE"
    mov $0xABCD8000, %esp
    pushw $0x1357
    mov %esp, %ebx
    T_CK32 %ebx, 0xABCD7FFE, "push with esp=ABCD8000"
    T_CK16 %ss:0x7ffe, 0x1357, "push with esp=ABCD8000: data"
    pop %dx
    mov $0, %esp
    push %eax                   /* 32-bit push at sp=0 -> FFFC */
    mov %esp, %ebx
    T_CK32 %ebx, 0x0000FFFC, "66 push at sp=0"
    T_CK16 %es:0x000c, 0xFACE, "66 push at sp=0 writes SS:FFFC"
    pop %eax
    T_CKSP 0x0000, "66 pop back to 0"
    mov $0, %ax
    mov %ax, %ss
    RSTK

/* ---- ENTER / LEAVE (16-bit) -------------------------------------------------- */
    /* level 0: push bp; bp = sp; sp -= 8 */
    RSTK
    mov $0x7ABC, %bp
    enter $8, $0                /* C8 0800 00 */
    T_CK16 %bp, 0x7ffe, "enter 8,0: bp"
    T_CKSP 0x7ff6, "enter 8,0: sp"
    T_CK16 %ss:0x7ffe, 0x7ABC, "enter 8,0: saved bp"
    leave                       /* C9: sp = bp; pop bp */
    T_CK16 %bp, 0x7ABC, "leave: bp"
    T_CKSP 0x8000, "leave: sp"
    /* level 1: push bp; push frame; bp = frame */
    RSTK
    mov $0x7100, %bp
    enter $4, $1
    T_CK16 %bp, 0x7ffe, "enter 4,1: bp"
    T_CKSP 0x7ff8, "enter 4,1: sp"
    T_CK16 %ss:0x7ffe, 0x7100, "enter 4,1: saved bp"
    T_CK16 %ss:0x7ffc, 0x7ffe, "enter 4,1: frame pointer"
    leave
    T_CK16 %bp, 0x7100, "leave after level 1: bp"
    T_CKSP 0x8000, "leave after level 1: sp"
    /* level 2: copies one display entry from [old bp - 2] */
    RSTK
    movw $0xD111, %ss:0x70fe    /* [old bp - 2] */
    movw $0xD222, %ss:0x70fc    /* [old bp - 4] */
    movw $0xD333, %ss:0x70fa
    mov $0x7100, %bp
    enter $0, $2
    T_CK16 %bp, 0x7ffe, "enter 0,2: bp"
    T_CKSP 0x7ffa, "enter 0,2: sp"
    T_CK16 %ss:0x7ffe, 0x7100, "enter 0,2: saved bp"
    T_CK16 %ss:0x7ffc, 0xD111, "enter 0,2: display[1]"
    T_CK16 %ss:0x7ffa, 0x7ffe, "enter 0,2: frame pointer"
    /* level 3 (nested inside: old bp = 0x7ffe, whose display we just built) */
    enter $0x10, $3
    /* push bp(7ffe)@7ff8; copies [7ffc]=D111@7ff6, [7ffa]=7ffe@7ff4;
     * frame 7ff8 @7ff2; bp = 7ff8; sp = 7ff2 - 0x10 */
    T_CK16 %bp, 0x7ff8, "enter 10,3: bp"
    T_CKSP 0x7fe2, "enter 10,3: sp"
    T_CK16 %ss:0x7ff8, 0x7ffe, "enter 10,3: saved bp"
    T_CK16 %ss:0x7ff6, 0xD111, "enter 10,3: display[1]"
    T_CK16 %ss:0x7ff4, 0x7ffe, "enter 10,3: display[2]"
    T_CK16 %ss:0x7ff2, 0x7ff8, "enter 10,3: frame pointer"
    leave
    T_CK16 %bp, 0x7ffe, "leave level 3: bp"
    T_CKSP 0x7ffa, "leave level 3: sp"
    leave
    T_CK16 %bp, 0x7100, "leave level 2: bp"
    T_CKSP 0x8000, "leave level 2: sp"
    /* level 33 = 1 (mod 32) */
    RSTK
    mov $0x7200, %bp
    enter $2, $33
    T_CK16 %bp, 0x7ffe, "enter 2,33: bp"
    T_CKSP 0x7ffa, "enter 2,33 (level 1): sp"
    T_CK16 %ss:0x7ffc, 0x7ffe, "enter 2,33: frame pointer"
    leave
    /* ENTER and LEAVE keep the high half of EBP with 16-bit operands */
    RSTK
    mov $0x12347300, %ebp
    enter $0, $0
    T_CK32 %ebp, 0x12347ffe, "enter 16-bit keeps ebp high half"
    leave
    T_CK32 %ebp, 0x12347300, "leave 16-bit keeps ebp high half"

/* ---- ENTER / LEAVE (32-bit operand size, 16-bit stack) ------------------- */
    RSTK
    mov $0x00007100, %ebp
    movl $0xE1111111, %ss:0x70fc    /* [old ebp - 4] */
    movl $0xE2222222, %ss:0x70f8    /* [old ebp - 8] */
    enterl $0x20, $3            /* 66 C8 2000 03 */
    /* push ebp @7ffc; frame = 7ffc; push [70fc] @7ff8; push [70f8] @7ff4;
     * push frame @7ff0; ebp = 7ffc; sp = 7ff0 - 0x20 = 7fd0 */
    T_CK32 %ebp, 0x00007ffc, "66 enter 20,3: ebp"
    T_CKSP 0x7fd0, "66 enter 20,3: sp"
    T_CK32 %ss:0x7ffc, 0x00007100, "66 enter: saved ebp"
    T_CK32 %ss:0x7ff8, 0xE1111111, "66 enter: display[1]"
    T_CK32 %ss:0x7ff4, 0xE2222222, "66 enter: display[2]"
    T_CK32 %ss:0x7ff0, 0x00007ffc, "66 enter: frame pointer"
    leavel                      /* 66 C9 */
    T_CK32 %ebp, 0x00007100, "66 leave: ebp"
    T_CKSP 0x8000, "66 leave: sp"
    RSTK
    mov $0x00007100, %ebp
    enterl $0, $0
    T_CK32 %ebp, 0x00007ffc, "66 enter 0,0: ebp"
    T_CKSP 0x7ffc, "66 enter 0,0: sp"
    leavel
    RSTK
    mov $0x00007100, %ebp
    enterl $4, $1
    T_CK32 %ebp, 0x00007ffc, "66 enter 4,1: ebp"
    T_CKSP 0x7ff4, "66 enter 4,1: sp"
    T_CK32 %ss:0x7ff8, 0x00007ffc, "66 enter 4,1: frame pointer"
    leavel
    T_CK32 %ebp, 0x00007100, "66 leave after 4,1"
    /* LEAVE uses BP (16-bit) as the new SP */
    RSTK
    mov $0x00007000, %ebp
    movw $0x1122, %ss:0x7000
    leave
    T_CK16 %bp, 0x1122, "leave pops bp from [bp]"
    T_CKSP 0x7002, "leave: sp = bp + 2"

/* ---- stack ops don't change flags ----------------------------------------- */
    RSTK
    T_SETF F_CF|F_ZF|F_SF|F_OF|F_PF|F_AF
    push %ax
    pop %ax
    pusha
    popa
    enter $4, $2
    leave
    T_CKF F_ARITH, F_ARITH, "stack ops keep flags"
    T_SETF 0

    T_PASS
