/* rm_move: data-movement instructions in real mode.
 *
 * Covers: MOV in every form (B0-BF imm->reg, C6/C7 imm->r/m incl. the mod=3
 * register encodings, 88/89/8A/8B in both directions, A0-A3 moffs with
 * segment overrides and with a 32-bit moffs under 0x67, 8C/8E segment
 * register moves incl. FS/GS and memory operands), XCHG (90+r, 86, 87 with
 * registers and memory, 0x66 forms, 90 as NOP), LEA (all 16-bit forms, the
 * 0x66/0x67 combinations, SIB with every scale, no-base and no-index forms),
 * LDS/LES/LFS/LGS/LSS (16- and 32-bit offsets), MOVZX/MOVSX (8->16, 8->32,
 * 16->32, register and memory), XLAT (default DS, overrides, unsigned AL),
 * LAHF/SAHF, CBW/CWD/CWDE/CDQ, all 16-bit ModRM addressing modes with
 * disp0/disp8 (sign-extended)/disp16, 32-bit addressing under 0x67, segment
 * override prefixes CS/DS/ES/SS/FS/GS, the default SS segment for BP/EBP/ESP
 * based addresses (and DS for an EBP *index*), and 16-bit effective-address
 * wraparound at 64 KiB.
 *
 * Expected values: these instructions only move bits, so every expected
 * value follows directly from the Intel SDM / 80386 manual descriptions
 * (MOV, XCHG, LEA, LDS, MOVZX, MOVSX, XLAT, LAHF, SAHF, CBW...; the ModRM
 * and SIB tables in SDM vol. 2 ch. 2 and 80386 manual ch. 17.2).  MOV
 * r32,Sreg zero-extends on Pentium Pro and later (SDM MOV: "Move zero
 * extended 16-bit segment register to r16/r32").  LAHF gives
 * SF:ZF:0:AF:0:PF:1:CF.  Memory layout (all in RAM):
 *   0x1000:xxxx  DS data area       0x2000 ES   0x3000 FS   0x4000 GS
 *   0000:8000    stack (SS=0)       markers at offset 0x6000 of each segment
 */
#include "rm_common.inc"

    RESET_VECTOR start

    .set DSEG, 0x1000
    .set ESEG, 0x2000
    .set FSEG, 0x3000
    .set GSEG, 0x4000
    .set MK, 0x6000             /* marker offset in every segment */

/* Store \val via memory operand \mem, read it back through the absolute
 * address \seg:\abs; then store another value at \seg:\abs and load it
 * through \mem.  Checks that \mem addresses exactly \seg:\abs. */
.macro MEMRT mem, seg, abs, val
    movw $(\val), \mem
    T_CK16 "\seg:\abs", (\val), "store via \mem"
    movw $((\val) ^ 0xA5A5), \seg:\abs
    mov \mem, %ax
    T_CK16 %ax, ((\val) ^ 0xA5A5), "load via \mem"
.endm

start:
    T_INIT
    T_PUTS "rm_move\r\n"

/* ---- MOV reg, imm (B0-BF, 66 B8-BF, C6/C7 with mod=3) ------------------ */
    mov $0xAAAAAAAA, %eax
    mov $0xBBBBBBBB, %ecx
    mov $0xCCCCCCCC, %edx
    mov $0xDDDDDDDD, %ebx
    mov $0x01, %al              /* B0 */
    mov $0x02, %cl              /* B1 */
    mov $0x03, %dl              /* B2 */
    mov $0x04, %bl              /* B3 */
    mov $0x05, %ah              /* B4: reg 4 is AH, not SP */
    mov $0x06, %ch              /* B5 */
    mov $0x07, %dh              /* B6 */
    mov $0x08, %bh              /* B7 */
    T_CK32 %eax, 0xAAAA0501, "mov r8,imm AL/AH"
    T_CK32 %ecx, 0xBBBB0602, "mov r8,imm CL/CH"
    T_CK32 %edx, 0xCCCC0703, "mov r8,imm DL/DH"
    T_CK32 %ebx, 0xDDDD0804, "mov r8,imm BL/BH"
    mov $0x1111, %ax
    mov $0x2222, %cx
    mov $0x3333, %dx
    mov $0x4444, %bx
    mov $0x12345678, %ebp
    mov $0x9ABCDEF0, %esi
    mov $0x0FEDCBA9, %edi
    mov $0x5555, %bp
    mov $0x6666, %si
    mov $0x7777, %di
    T_CK32 %eax, 0xAAAA1111, "mov r16,imm keeps high half"
    T_CK32 %ecx, 0xBBBB2222, "mov cx,imm"
    T_CK32 %edx, 0xCCCC3333, "mov dx,imm"
    T_CK32 %ebx, 0xDDDD4444, "mov bx,imm"
    T_CK32 %ebp, 0x12345555, "mov bp,imm"
    T_CK32 %esi, 0x9ABC6666, "mov si,imm"
    T_CK32 %edi, 0x0FED7777, "mov di,imm"
    mov %sp, %dx                /* BC: mov sp,imm */
    mov $0x7ff0, %sp
    T_CKSP 0x7ff0, "mov sp,imm"
    mov %dx, %sp
    .byte 0xC6, 0xC0, 0x5A      /* mov al,0x5A (C6 /0, mod=3) */
    .byte 0xC6, 0xC7, 0xA5      /* mov bh,0xA5 */
    .byte 0xC7, 0xC1, 0x34, 0x12    /* mov cx,0x1234 (C7 /0, mod=3) */
    .byte 0x66, 0xC7, 0xC6, 0x78, 0x56, 0x34, 0x12  /* mov esi,0x12345678 */
    T_CK32 %eax, 0xAAAA115A, "C6 /0 mod=3 al"
    T_CK16 %bx, 0xA544, "C6 /0 mod=3 bh"
    T_CK32 %ecx, 0xBBBB1234, "C7 /0 mod=3 cx"
    T_CK32 %esi, 0x12345678, "66 C7 /0 mod=3 esi"

/* ---- MOV reg, reg (88/89/8A/8B, both directions) ----------------------- */
    mov $0x11223344, %eax
    mov $0, %ebx
    .byte 0x89, 0xC3            /* mov bx,ax (89: r/m=bx, reg=ax) */
    T_CK32 %ebx, 0x00003344, "89 mov bx,ax"
    mov $0, %ecx
    .byte 0x8B, 0xC8            /* mov cx,ax (8B: reg=cx, r/m=ax) */
    T_CK32 %ecx, 0x00003344, "8B mov cx,ax"
    .byte 0x88, 0xE2            /* mov dl,ah (88: r/m=dl, reg=ah) */
    T_CK8 %dl, 0x33, "88 mov dl,ah"
    .byte 0x8A, 0xF8            /* mov bh,al (8A: reg=bh, r/m=al) */
    T_CK16 %bx, 0x4444, "8A mov bh,al"
    .byte 0x8A, 0xEC            /* mov ch,ah */
    T_CK16 %cx, 0x3344, "8A mov ch,ah"
    .byte 0x88, 0xDC            /* mov ah,bl (88: r/m=ah, reg=bl) */
    T_CK32 %eax, 0x11224444, "88 mov ah,bl"
    .byte 0x66, 0x89, 0xC7      /* mov edi,eax */
    T_CK32 %edi, 0x11224444, "66 89 mov edi,eax"
    mov $0x87654321, %ebp
    .byte 0x66, 0x8B, 0xF5      /* mov esi,ebp */
    T_CK32 %esi, 0x87654321, "66 8B mov esi,ebp"
    mov %sp, %ax                /* 89 E0 */
    T_CK16 %ax, 0x8000, "mov ax,sp"

/* ---- 16-bit addressing modes, mod 0/1/2, DS=0x1000, SS=0 --------------- */
    mov $DSEG, %ax
    mov %ax, %ds
    mov $0x0100, %bx
    mov $0x0020, %si
    mov $0x0040, %di
    mov $0x6000, %bp            /* SS-relative area 0:6000 (below the stack) */
    /* put different markers at the DS and SS copies of the BP addresses */
    movw $0xDDDD, %ds:0x6020
    movw $0xDDDD, %ds:0x6040
    MEMRT "(%bx,%si)", %ds, 0x0120, 0x1001
    MEMRT "(%bx,%di)", %ds, 0x0140, 0x1002
    MEMRT "(%bp,%si)", %ss, 0x6020, 0x1003
    MEMRT "(%bp,%di)", %ss, 0x6040, 0x1004
    T_CK16 %ds:0x6020, 0xDDDD, "[bp+si] must use SS, not DS"
    T_CK16 %ds:0x6040, 0xDDDD, "[bp+di] must use SS, not DS"
    MEMRT "(%si)", %ds, 0x0020, 0x1005
    MEMRT "(%di)", %ds, 0x0040, 0x1006
    MEMRT "0x0456", %ds, 0x0456, 0x1007     /* mod=0 rm=6: disp16, DS */
    MEMRT "(%bx)", %ds, 0x0100, 0x1008
    /* mod=1: disp8, sign-extended */
    MEMRT "5(%bx,%si)", %ds, 0x0125, 0x1011
    MEMRT "-3(%bx,%di)", %ds, 0x013d, 0x1012
    MEMRT "0x7f(%bp,%si)", %ss, 0x609f, 0x1013
    MEMRT "-0x80(%bp,%di)", %ss, 0x5fc0, 0x1014
    MEMRT "-1(%si)", %ds, 0x001f, 0x1015
    MEMRT "0x10(%di)", %ds, 0x0050, 0x1016
    MEMRT "0(%bp)", %ss, 0x6000, 0x1017    /* [bp] needs mod=1 disp8=0 */
    MEMRT "-0x10(%bx)", %ds, 0x00f0, 0x1018
    /* mod=2: disp16 */
    MEMRT "0x1000(%bx,%si)", %ds, 0x1120, 0x1021
    MEMRT "0x2000(%bx,%di)", %ds, 0x2140, 0x1022
    MEMRT "0x0300(%bp,%si)", %ss, 0x6320, 0x1023
    MEMRT "0x0400(%bp,%di)", %ss, 0x6440, 0x1024
    MEMRT "0x3000(%si)", %ds, 0x3020, 0x1025
    MEMRT "0x4000(%di)", %ds, 0x4040, 0x1026
    MEMRT "0x0500(%bp)", %ss, 0x6500, 0x1027
    MEMRT "0x5000(%bx)", %ds, 0x5100, 0x1028
    /* the bp-based store above must not have touched DS:0x6000 area */
    movw $0xD1D1, %ds:0x6500
    movw $0x5151, 0x0500(%bp)
    T_CK16 %ds:0x6500, 0xD1D1, "[bp+disp16] must use SS"
    /* segment override on a BP-based address: DS:[bp+si] */
    movw $0x7777, %ds:(%bp,%si)
    T_CK16 %ds:0x6020, 0x7777, "ds:[bp+si] override"
    /* SS override on a BX-based address */
    movw $0x0100, %bx
    movw $0x6666, %ss:0x5f00(%bx)
    T_CK16 %ss:0x6000, 0x6666, "ss:[bx+disp16] override"

    /* byte and dword accesses through ModRM */
    movl $0x44332211, (%bx,%si)        /* 66 C7 */
    T_CK32 %ds:0x0120, 0x44332211, "66 C7 mov dword [bx+si]"
    movb $0x99, 1(%bx,%si)
    T_CK32 %ds:0x0120, 0x44339911, "C6 mov byte [bx+si+1]"
    mov 2(%bx,%si), %cl
    mov 3(%bx,%si), %ch
    T_CK16 %cx, 0x4433, "8A mov cl/ch,[mem]"
    mov $0xCAFEF00D, %edx
    mov %edx, 0x10(%di)                 /* 66 89 */
    T_CK32 %ds:0x0050, 0xCAFEF00D, "66 89 mov [di+0x10],edx"
    mov 0x10(%di), %ebp                 /* 66 8B */
    T_CK32 %ebp, 0xCAFEF00D, "66 8B mov ebp,[di+0x10]"
    mov %dh, (%bx)                      /* 88 with AH-class register */
    T_CK8 %ds:0x0100, 0xF0, "88 mov [bx],dh"

/* ---- moffs forms A0-A3 ------------------------------------------------- */
    movl $0x89ABCDEF, %ds:0x0200
    mov $0xFFFFFFFF, %eax
    mov 0x0200, %al             /* A0 */
    T_CK32 %eax, 0xFFFFFFEF, "A0 mov al,moffs"
    mov 0x0201, %ax             /* A1 */
    T_CK32 %eax, 0xFFFFABCD, "A1 mov ax,moffs"
    mov 0x0200, %eax            /* 66 A1 */
    T_CK32 %eax, 0x89ABCDEF, "66 A1 mov eax,moffs"
    mov $0x5A, %al
    mov %al, 0x0203             /* A2 */
    T_CK32 %ds:0x0200, 0x5AABCDEF, "A2 mov moffs,al"
    mov $0x1234, %ax
    mov %ax, 0x0201             /* A3 */
    T_CK32 %ds:0x0200, 0x5A1234EF, "A3 mov moffs,ax"
    mov $0x01020304, %eax
    mov %eax, 0x0204            /* 66 A3 */
    T_CK32 %ds:0x0204, 0x01020304, "66 A3 mov moffs,eax"
    /* 0x67: the moffs is a 32-bit offset */
    mov $0, %eax
    .byte 0x67, 0xA1            /* mov ax,[dword 0x00000206] */
    .long 0x00000206
    T_CK32 %eax, 0x00000102, "67 A1 mov ax,moffs32"
    .byte 0x66, 0x67, 0xA3      /* mov [dword 0x00000208],eax */
    .long 0x00000208
    T_CK32 %ds:0x0208, 0x00000102, "66 67 A3 mov moffs32,eax"
    /* moffs with segment overrides */
    mov $ESEG, %ax
    mov %ax, %es
    movw $0xE5E5, %es:0x0200
    mov %es:0x0200, %ax         /* 26 A1 */
    T_CK16 %ax, 0xE5E5, "es: A1"
    mov $0x77, %al
    mov %al, %es:0x0201         /* 26 A2 */
    T_CK16 %es:0x0200, 0x77E5, "es: A2"
    mov %cs:rom_word, %ax       /* 2E A1: read from the ROM */
    T_CK16 %ax, 0xBEEF, "cs: A1 reads the ROM"
    mov %ss:0x6000, %ax         /* 36 A1 (0x6666 stored above) */
    T_CK16 %ax, 0x6666, "ss: A1"

/* ---- segment registers: 8C / 8E ----------------------------------------- */
    mov %cs, %ax                /* 8C C8 */
    T_CK16 %ax, 0xF000, "mov ax,cs"
    mov %ds, %bx                /* 8C DB */
    T_CK16 %bx, DSEG, "mov bx,ds"
    mov %ss, %cx
    T_CK16 %cx, 0, "mov cx,ss"
    mov $FSEG, %ax
    mov %ax, %fs                /* 8E E0 */
    mov $GSEG, %dx
    mov %dx, %gs                /* 8E EA */
    mov %fs, %si                /* 8C E6 */
    T_CK16 %si, FSEG, "mov si,fs"
    mov %gs, %di
    T_CK16 %di, GSEG, "mov di,gs"
    mov %es, %bp
    T_CK16 %bp, ESEG, "mov bp,es"
    /* Sreg -> r32 zero-extends (Pentium Pro and later, SDM MOV) */
    mov $0xFFFFFFFF, %eax
    .byte 0x66, 0x8C, 0xE0      /* mov eax,fs */
    T_CK32 %eax, FSEG, "66 8C mov eax,fs zero-extends"
    /* Sreg -> memory is always a 16-bit store, even with 0x66 */
    movl $0xFFFFFFFF, %ds:0x0300
    mov %gs, %ds:0x0300         /* 8C 2E */
    T_CK32 %ds:0x0300, 0xFFFF0000+GSEG, "8C mov [mem],gs"
    movl $0xFFFFFFFF, %ds:0x0304
    .byte 0x66, 0x8C, 0x06      /* mov [0x0304],es with 0x66 */
    .word 0x0304
    T_CK32 %ds:0x0304, 0xFFFF0000+ESEG, "66 8C [mem],es stores 16 bits"
    /* memory -> Sreg, and check the new base is in effect */
    movw $0x2345, %ds:0x0308
    mov %ds:0x0308, %es         /* 8E 06 */
    mov %es, %ax
    T_CK16 %ax, 0x2345, "mov es,[mem]"
    movw $0xA1A1, %ds:0x0310    /* phys 0x10310 = 0x1031:0000 */
    movw $0x1031, %ds:0x030A
    mov %ds:0x030A, %gs         /* 8E 2E */
    T_CK16 %gs:0x0000, 0xA1A1, "new GS base = sel*16"
    mov $0x1030, %ax
    mov %ax, %fs
    T_CK16 %fs:0x0010, 0xA1A1, "new FS base = sel*16"
    /* MOV SS: switch the stack to another segment and back */
    mov %ss, %dx
    mov $0x5000, %ax
    mov %ax, %ss                /* 8E D0 */
    mov $0x7000, %sp
    pushw $0x4321
    T_CK16 %ss:0x6ffe, 0x4321, "push after mov ss"
    mov $0x5600, %ax
    mov %ax, %fs                /* same bytes via FS=0x5600: 0x56000+0xffe */
    T_CK16 %fs:0x0ffe, 0x4321, "stack at 0x5000:6ffe is phys 0x56ffe"
    mov %dx, %ss
    mov $0x8000, %sp

/* ---- segment override prefixes on loads and stores --------------------- */
    mov $DSEG, %ax
    mov %ax, %ds
    mov $ESEG, %ax
    mov %ax, %es
    mov $FSEG, %ax
    mov %ax, %fs
    mov $GSEG, %ax
    mov %ax, %gs
    mov $MK, %bx
    movw $0xD5D5, %ds:(%bx)     /* (3E) */
    movw $0xE5E5, %es:(%bx)     /* 26 */
    movw $0xF5F5, %fs:(%bx)     /* 64 */
    movw $0x6565, %gs:(%bx)     /* 65 */
    movw $0x5555, %ss:(%bx)     /* 36 */
    mov (%bx), %ax
    T_CK16 %ax, 0xD5D5, "default DS"
    mov %es:(%bx), %ax
    T_CK16 %ax, 0xE5E5, "ES override"
    mov %fs:(%bx), %ax
    T_CK16 %ax, 0xF5F5, "FS override"
    mov %gs:(%bx), %ax
    T_CK16 %ax, 0x6565, "GS override"
    mov %ss:(%bx), %ax
    T_CK16 %ax, 0x5555, "SS override"
    .byte 0x3E                  /* explicit DS prefix */
    mov (%bx), %ax
    T_CK16 %ax, 0xD5D5, "DS override"
    mov $rom_word, %si
    mov %cs:(%si), %ax
    T_CK16 %ax, 0xBEEF, "CS override"
    /* the markers really are at sel*16+0x6000: check through other segments */
    mov $0x1600, %ax
    mov %ax, %es
    T_CK16 %es:0, 0xD5D5, "DS marker at phys 0x16000"
    mov $0x3600, %ax
    mov %ax, %es
    T_CK16 %es:0, 0xF5F5, "FS marker at phys 0x36000"
    mov $0x4600, %ax
    mov %ax, %es
    T_CK16 %es:0, 0x6565, "GS marker at phys 0x46000"
    mov $0x0600, %ax
    mov %ax, %es
    T_CK16 %es:0, 0x5555, "SS marker at phys 0x06000"
    mov $ESEG, %ax
    mov %ax, %es
    /* BP-based: default SS */
    mov $MK, %bp
    xor %si, %si
    xor %di, %di
    mov 0(%bp), %ax
    T_CK16 %ax, 0x5555, "[bp] defaults to SS"
    mov (%bp,%si), %ax
    T_CK16 %ax, 0x5555, "[bp+si] defaults to SS"
    mov (%bp,%di), %ax
    T_CK16 %ax, 0x5555, "[bp+di] defaults to SS"
    mov %es:0(%bp), %ax
    T_CK16 %ax, 0xE5E5, "es:[bp] override"
    mov %fs:(%bp,%si), %ax
    T_CK16 %ax, 0xF5F5, "fs:[bp+si] override"

/* ---- 32-bit addressing (0x67) ------------------------------------------ */
    mov $MK, %ebx
    mov $MK, %ebp
    mov $(MK-0x20), %esi
    mov $0x10, %edi
    mov $MK, %eax
    mov $0, %ecx
    addr32 mov (%eax), %cx
    T_CK16 %cx, 0xD5D5, "67 [eax]"
    addr32 mov (%ebx), %cx
    T_CK16 %cx, 0xD5D5, "67 [ebx]"
    addr32 mov 0x20(%esi), %cx
    T_CK16 %cx, 0xD5D5, "67 [esi+disp8]"
    addr32 mov 0(%ebp), %cx
    T_CK16 %cx, 0x5555, "67 [ebp] defaults to SS"
    addr32 mov %ds:0(%ebp), %cx
    T_CK16 %cx, 0xD5D5, "67 ds:[ebp]"
    .byte 0x67, 0x8B, 0x0D      /* mov cx,[disp32] (mod=0 rm=5, DS) */
    .long MK
    T_CK16 %cx, 0xD5D5, "67 [disp32]"
    addr32 mov -0x10(%ebx,%edi), %cx
    T_CK16 %cx, 0xD5D5, "67 [ebx+edi-0x10] (SIB)"
    mov $8, %edi
    addr32 mov -0x10(%ebx,%edi,2), %cx
    T_CK16 %cx, 0xD5D5, "67 SIB scale 2"
    mov $4, %edi
    addr32 mov -0x10(%ebx,%edi,4), %cx
    T_CK16 %cx, 0xD5D5, "67 SIB scale 4"
    mov $2, %edi
    addr32 mov -0x10(%ebx,%edi,8), %cx
    T_CK16 %cx, 0xD5D5, "67 SIB scale 8"
    mov $0, %eax
    addr32 mov (%ebp,%eax), %cx /* base EBP -> SS */
    T_CK16 %cx, 0x5555, "67 [ebp+eax] (SIB base ebp) uses SS"
    addr32 mov (%eax,%ebp), %cx /* index EBP, base EAX -> DS */
    T_CK16 %cx, 0xD5D5, "67 [eax+ebp] (SIB index ebp) uses DS"
    /* SIB base=5 with mod=0: no base, disp32; index EBP -> still DS */
    .byte 0x67, 0x8B, 0x0C, 0x2D    /* mov cx,[ebp*1+disp32] */
    .long 0
    T_CK16 %cx, 0xD5D5, "67 [ebp*1+disp32] (no base) uses DS"
    /* SIB index=4 means no index */
    .byte 0x67, 0x8B, 0x4C, 0x23, 0x00  /* mov cx,[ebx+0] with SIB, no index */
    T_CK16 %cx, 0xD5D5, "67 SIB no-index"
    /* ESP base defaults to SS */
    pushw $0x3C3C
    mov $0, %cx
    addr32 mov (%esp), %cx
    T_CK16 %cx, 0x3C3C, "67 [esp] uses SS"
    addr32 mov %ss:0x7ffe, %dx
    T_CK16 %dx, 0x3C3C, "stack word at SS:7ffe"
    pop %dx
    /* 32-bit store and segment override with 32-bit address */
    mov $0x7e7e7e7e, %eax
    addr32 mov %eax, %gs:4(%ebx)
    T_CK32 %gs:(MK+4), 0x7e7e7e7e, "67 66 gs:[ebx+4] store"

/* ---- 16-bit effective address wraparound -------------------------------- */
    mov $DSEG, %ax
    mov %ax, %ds                /* DS = 0x1000 */
    mov $0x2001, %ax
    mov %ax, %es                /* ES:0 = phys 0x20010 = DS:0x10010 */
    movw $0x1111, %es:0
    movw $0x2222, %ds:0x0010
    mov $0xFFF0, %bx
    mov $0x0020, %si
    movw $0xBEEF, (%bx,%si)     /* 0xFFF0+0x20 = 0x10010 -> 0x0010 */
    T_CK16 %ds:0x0010, 0xBEEF, "[bx+si] wraps to 0x0010"
    T_CK16 %es:0, 0x1111, "[bx+si] must not reach DS:0x10010"
    mov $0xFF00, %bx
    movw $0x1234, 0x0200(%bx)   /* 0xFF00+0x200 -> 0x0100 */
    T_CK16 %ds:0x0100, 0x1234, "[bx+disp16] wraps"
    mov $0x8000, %bx
    mov $0x8000, %di
    movw $0x5678, 0x8010(%bx,%di)   /* 0x18010 -> 0x8010 */
    T_CK16 %ds:0x8010, 0x5678, "[bx+di+disp16] wraps"
    mov $0x0005, %si
    movw $0x9ABC, -0x10(%si)    /* 0x0005-0x10 -> 0xFFF5 */
    T_CK16 %ds:0xFFF5, 0x9ABC, "[si-disp8] wraps to 0xFFF5"
    mov $0x1FFF, %ax
    mov %ax, %es
    T_CK16 %es:0x0005, 0x9ABC, "DS:FFF5 is phys 0x1FFF5"
    mov $0xFFFF, %bx
    movb $0x42, (%bx)           /* a byte at 0xFFFF is fine */
    T_CK8 %es:0x000F, 0x42, "byte at DS:FFFF"
    lea 0x1(%bx), %ax
    T_CK16 %ax, 0, "lea wraps too"
    /* BP-based wrap on SS */
    mov %ss, %dx
    mov $0x5000, %ax
    mov %ax, %ss
    mov $0x8000, %sp
    mov $0xFFF0, %bp
    mov $0x0030, %di
    movw $0x4444, (%bp,%di)     /* SS:0x0020 */
    mov $0x5002, %ax
    mov %ax, %es
    T_CK16 %es:0, 0x4444, "[bp+di] wraps on SS"
    mov %dx, %ss
    mov $0x8000, %sp
    /* with 0x67 the same sum does NOT wrap (32-bit address) */
    mov $0x0000FFF0, %ebx
    mov $0x00000004, %esi
    movw $0x7171, %ds:0xFFF4
    addr32 mov (%ebx,%esi), %ax
    T_CK16 %ax, 0x7171, "67 [ebx+esi] = 0xFFF4"
    /* 16-bit address ignores the high halves of BX/SI */
    mov $0x1234FFF0, %ebx
    mov $0x56780004, %esi
    mov (%bx,%si), %ax
    T_CK16 %ax, 0x7171, "16-bit address ignores high halves"

/* ---- XCHG --------------------------------------------------------------- */
    mov $0x11111111, %eax
    mov $0x22222222, %ecx
    mov $0x33333333, %edx
    mov $0x44444444, %ebx
    mov $0x55555555, %ebp
    mov $0x66666666, %esi
    mov $0x77777777, %edi
    mov $0xAAAA, %ax
    xchg %ax, %cx               /* 91 */
    T_CK32 %eax, 0x11112222, "91 xchg ax,cx (ax)"
    T_CK32 %ecx, 0x2222AAAA, "91 xchg ax,cx (cx)"
    xchg %ax, %dx               /* 92 */
    xchg %ax, %bx               /* 93 */
    xchg %ax, %bp               /* 95 */
    xchg %ax, %si               /* 96 */
    xchg %ax, %di               /* 97 */
    T_CK32 %edx, 0x33332222, "92 xchg ax,dx"
    T_CK32 %ebx, 0x44443333, "93 xchg ax,bx"
    T_CK32 %ebp, 0x55554444, "95 xchg ax,bp"
    T_CK32 %esi, 0x66665555, "96 xchg ax,si"
    T_CK32 %edi, 0x77776666, "97 xchg ax,di"
    T_CK32 %eax, 0x11117777, "xchg chain ax"
    mov $0x7100, %ax
    xchg %ax, %sp               /* 94 */
    T_CKSP 0x7100, "94 xchg ax,sp"
    T_CK16 %ax, 0x8000, "94 xchg ax,sp (ax)"
    xchg %ax, %sp
    mov $0x0BADF00D, %eax
    xchg %eax, %esi             /* 66 96 */
    T_CK32 %eax, 0x66665555, "66 96 xchg eax,esi"
    T_CK32 %esi, 0x0BADF00D, "66 96 xchg eax,esi (esi)"
    nop                         /* 90 = xchg ax,ax: nothing changes */
    T_CK32 %eax, 0x66665555, "90 nop"
    .byte 0x66, 0x90            /* xchg eax,eax */
    T_CK32 %eax, 0x66665555, "66 90 nop"
    mov $0x1234, %cx
    mov $0x5678, %dx
    .byte 0x86, 0xEA            /* xchg dl,ch (86 /r: reg=ch r/m=dl) */
    T_CK16 %cx, 0x7834, "86 xchg dl,ch (cx)"
    T_CK16 %dx, 0x5612, "86 xchg dl,ch (dx)"
    .byte 0x87, 0xCA            /* xchg dx,cx (87 /r: reg=cx r/m=dx) */
    T_CK16 %cx, 0x5612, "87 xchg dx,cx (cx)"
    T_CK16 %dx, 0x7834, "87 xchg dx,cx (dx)"
    .byte 0x87, 0xD1            /* xchg cx,dx (other encoding) */
    T_CK16 %cx, 0x7834, "87 xchg cx,dx"
    /* with memory */
    movw $0xABCD, %ds:0x0400
    mov $0x0400, %bx
    mov $0x1357, %ax
    xchg %ax, (%bx)             /* 87 07 */
    T_CK16 %ax, 0xABCD, "87 xchg ax,[bx] (reg)"
    T_CK16 %ds:0x0400, 0x1357, "87 xchg ax,[bx] (mem)"
    mov $0x99, %ah
    xchg %ah, 1(%bx)            /* 86 67 01 */
    T_CK16 %ax, 0x13CD, "86 xchg ah,[bx+1] (reg)"
    T_CK16 %ds:0x0400, 0x9957, "86 xchg ah,[bx+1] (mem)"
    movl $0x01234567, %ds:0x0404
    mov $0xFEDCBA98, %edx
    xchg %edx, 4(%bx)           /* 66 87 57 04 */
    T_CK32 %edx, 0x01234567, "66 87 xchg edx,[mem] (reg)"
    T_CK32 %ds:0x0404, 0xFEDCBA98, "66 87 xchg edx,[mem] (mem)"
    mov $ESEG, %ax
    mov %ax, %es
    movw $0x2468, %es:0x0400
    mov $0x0, %cx
    xchg %cx, %es:(%bx)
    T_CK16 %cx, 0x2468, "xchg cx,es:[bx] (reg)"
    T_CK16 %es:0x0400, 0, "xchg cx,es:[bx] (mem)"

/* ---- LEA ---------------------------------------------------------------- */
    mov $0x1234, %bx
    mov $0x0100, %si
    mov $0x0010, %di
    mov $0x8000, %bp
    lea (%bx,%si), %ax
    T_CK16 %ax, 0x1334, "lea [bx+si]"
    lea 0x10(%bx,%di), %ax
    T_CK16 %ax, 0x1254, "lea [bx+di+0x10]"
    lea -1(%bp), %ax
    T_CK16 %ax, 0x7FFF, "lea [bp-1]"
    lea -0x80(%bp,%si), %cx
    T_CK16 %cx, 0x8080, "lea [bp+si-0x80]"
    lea 0x4321(%bp,%di), %dx
    T_CK16 %dx, 0xC331, "lea [bp+di+0x4321]"
    lea 0x1234, %ax             /* mod=0 rm=6 */
    T_CK16 %ax, 0x1234, "lea [disp16]"
    lea (%si), %ax
    T_CK16 %ax, 0x0100, "lea [si]"
    lea 0x7f(%di), %ax
    T_CK16 %ax, 0x008F, "lea [di+0x7f]"
    lea 0xF000(%bx), %ax
    T_CK16 %ax, 0x0234, "lea [bx+0xF000] wraps"
    mov $0xFFF0, %bx
    mov $0x0020, %si
    lea (%bx,%si), %sp          /* into SP: just check and restore */
    mov %sp, %ax
    mov $0x8000, %sp
    T_CK16 %ax, 0x0010, "lea sp,[bx+si] wraps"
    /* 0x66: 32-bit destination, 16-bit address (zero-extended) */
    mov $0xFFFFFFFF, %eax
    lea (%bx,%si), %eax         /* 66 8D */
    T_CK32 %eax, 0x00000010, "66 lea eax,[bx+si] zero-extends"
    /* 0x67: 32-bit address, 16-bit destination (truncated) */
    mov $0x12345678, %eax
    mov $0x00001000, %ebx
    mov $0xFFFFFFFF, %ecx
    addr32 lea 0x10(%eax,%ebx,4), %cx
    T_CK32 %ecx, 0xFFFF9688, "67 lea cx,[eax+ebx*4+0x10] truncates"
    /* 0x66 0x67: full 32 bits */
    addr32 lea 0x10(%eax,%ebx,4), %ecx
    T_CK32 %ecx, 0x12349688, "66 67 lea scale 4"
    addr32 lea (%eax,%ebx,1), %ecx
    T_CK32 %ecx, 0x12346678, "lea scale 1"
    addr32 lea -8(%eax,%ebx,2), %ecx
    T_CK32 %ecx, 0x12347670, "lea scale 2 disp8"
    addr32 lea 0x11111111(%eax,%ebx,8), %ecx
    T_CK32 %ecx, 0x2345E789, "lea scale 8 disp32"
    addr32 lea 0x100(,%ebx,8), %ecx     /* SIB no base: disp32 */
    T_CK32 %ecx, 0x00008100, "lea [ebx*8+disp32]"
    addr32 lea 0x80000000, %ecx         /* mod=0 rm=5 */
    T_CK32 %ecx, 0x80000000, "lea [disp32]"
    mov $0xFFFFFFF0, %edx
    addr32 lea 0x20(%edx), %ecx
    T_CK32 %ecx, 0x00000010, "lea 32-bit wraps at 4G"
    mov $0x00400000, %ebp
    addr32 lea 8(%ebp), %ecx
    T_CK32 %ecx, 0x00400008, "lea [ebp+8]"
    addr32 lea (%ebp,%ebp,2), %ecx
    T_CK32 %ecx, 0x00C00000, "lea [ebp+ebp*2]"
    mov %esp, %edx
    addr32 lea 4(%esp), %ecx            /* base ESP needs SIB */
    T_CK32 %ecx, 0x00008004, "lea [esp+4]"
    .byte 0x66, 0x67, 0x8D, 0x4C, 0x20, 0x10  /* lea ecx,[eax+0x10] SIB no index */
    T_CK32 %ecx, 0x12345688, "lea SIB index=none"
    .byte 0x66, 0x67, 0x8D, 0x4C, 0x60, 0x10  /* SIB ss=1 index=none: still none */
    T_CK32 %ecx, 0x12345688, "lea SIB index=none scale 2"
    mov $0x00000001, %esi
    mov $0x00000002, %edi
    addr32 lea -1(%esi,%edi,4), %ecx
    T_CK32 %ecx, 0x00000008, "lea [esi+edi*4-1]"

/* ---- LDS/LES/LFS/LGS/LSS ------------------------------------------------ */
    mov $DSEG, %ax
    mov %ax, %ds
    movw $0x5678, %ds:0x0500    /* far pointer 2345:5678 */
    movw $0x2345, %ds:0x0502
    movl $0x12345678, %ds:0x0510    /* far pointer 3456:12345678 */
    movw $0x3456, %ds:0x0514
    mov $0x0500, %bx
    mov $0xFFFFFFFF, %esi
    lds (%bx), %si              /* C5 */
    mov %ds, %ax
    T_CK16 %ax, 0x2345, "lds: ds"
    T_CK32 %esi, 0xFFFF5678, "lds: si"
    mov $DSEG, %ax
    mov %ax, %ds
    les (%bx), %di              /* C4 */
    mov %es, %ax
    T_CK16 %ax, 0x2345, "les: es"
    T_CK16 %di, 0x5678, "les: di"
    lfs (%bx), %cx              /* 0F B4 */
    mov %fs, %ax
    T_CK16 %ax, 0x2345, "lfs: fs"
    T_CK16 %cx, 0x5678, "lfs: cx"
    lgs 0x10(%bx), %edx         /* 66 0F B5: 32-bit offset */
    mov %gs, %ax
    T_CK16 %ax, 0x3456, "66 lgs: gs"
    T_CK32 %edx, 0x12345678, "66 lgs: edx"
    les 0x10(%bx), %ebp
    mov %es, %ax
    T_CK16 %ax, 0x3456, "66 les: es"
    T_CK32 %ebp, 0x12345678, "66 les: ebp"
    lds %ds:0x10(%bx), %eax     /* 66 C5: loads DS last */
    mov %ds, %cx
    T_CK16 %cx, 0x3456, "66 lds: ds"
    T_CK32 %eax, 0x12345678, "66 lds: eax"
    mov $DSEG, %ax
    mov %ax, %ds
    /* LSS: switch to 0x5000:0x7000 and back */
    movw $0x7000, %ds:0x0520
    movw $0x5000, %ds:0x0522
    movw $0x8000, %ds:0x0524
    movw $0x0000, %ds:0x0526
    lss %ds:0x0520, %sp         /* 0F B2 */
    pushw $0x1357
    mov %ss, %ax
    T_CK16 %ax, 0x5000, "lss: ss"
    mov $0x5000, %ax
    mov %ax, %es
    T_CK16 %es:0x6ffe, 0x1357, "lss: push lands at 5000:6ffe"
    lss %ds:0x0524, %sp
    mov %ss, %ax
    T_CK16 %ax, 0, "lss back: ss"
    T_CKSP 0x8000, "lss back: sp"
    /* an ES-overridden pointer */
    mov $ESEG, %ax
    mov %ax, %es
    movw $0x0102, %es:0x0600
    movw $0x0304, %es:0x0602
    mov $0x0600, %bx
    lfs %es:(%bx), %si
    mov %fs, %ax
    T_CK16 %ax, 0x0304, "lfs es:[bx]: fs"
    T_CK16 %si, 0x0102, "lfs es:[bx]: si"

/* ---- MOVZX / MOVSX ------------------------------------------------------ */
    mov $0xDEADBEEF, %ebx
    mov $0x1280, %ax
    movzbw %al, %bx             /* 0F B6, 16-bit */
    T_CK32 %ebx, 0xDEAD0080, "movzx bx,al"
    movsbw %al, %bx             /* 0F BE, 16-bit */
    T_CK32 %ebx, 0xDEADFF80, "movsx bx,al"
    movsbw %ah, %bx
    T_CK32 %ebx, 0xDEAD0012, "movsx bx,ah (positive)"
    mov $0xFFFFFFFF, %ecx
    movzbl %al, %ecx            /* 66 0F B6 */
    T_CK32 %ecx, 0x00000080, "movzx ecx,al"
    movsbl %al, %ecx            /* 66 0F BE */
    T_CK32 %ecx, 0xFFFFFF80, "movsx ecx,al"
    mov $0x8000, %dx
    movsbl %dh, %ecx
    T_CK32 %ecx, 0xFFFFFF80, "movsx ecx,dh"
    mov $0x8001, %ax
    movzwl %ax, %ecx            /* 66 0F B7 */
    T_CK32 %ecx, 0x00008001, "movzx ecx,ax"
    movswl %ax, %ecx            /* 66 0F BF */
    T_CK32 %ecx, 0xFFFF8001, "movsx ecx,ax"
    mov $0x7FFF, %ax
    movswl %ax, %ecx
    T_CK32 %ecx, 0x00007FFF, "movsx ecx,ax (positive)"
    mov $DSEG, %ax
    mov %ax, %ds
    movw $0x80FE, %ds:0x0700
    mov $0x0700, %si
    mov $0x55555555, %edi
    movzbw (%si), %di
    T_CK32 %edi, 0x555500FE, "movzx di,byte [si]"
    movsbw 1(%si), %di
    T_CK32 %edi, 0x5555FF80, "movsx di,byte [si+1]"
    movzbl 1(%si), %edi
    T_CK32 %edi, 0x00000080, "movzx edi,byte [si+1]"
    movsbl (%si), %edi
    T_CK32 %edi, 0xFFFFFFFE, "movsx edi,byte [si]"
    movzwl (%si), %edi
    T_CK32 %edi, 0x000080FE, "movzx edi,word [si]"
    movswl (%si), %edi
    T_CK32 %edi, 0xFFFF80FE, "movsx edi,word [si]"
    movswl %es:0x0600, %edi
    T_CK32 %edi, 0x00000102, "movsx edi,word es:[0x600]"

/* ---- XLAT --------------------------------------------------------------- */
    /* DS table at DS:0x0800: t[i] = i ^ 0x5A; ES table: t[i] = ~i */
    mov $DSEG, %ax
    mov %ax, %ds
    mov $ESEG, %ax
    mov %ax, %es
    xor %bx, %bx
1:  mov %bl, %al
    xor $0x5A, %al
    mov %al, %ds:0x0800(%bx)
    mov %bl, %al
    not %al
    mov %al, %es:0x0800(%bx)
    inc %bx
    cmp $0x100, %bx
    jne 1b
    mov $0x0800, %bx
    mov $0x12345600, %eax
    xlat                        /* D7: al = ds:[bx+al] */
    T_CK32 %eax, 0x1234565A, "xlat al=0"
    mov $0x7F, %al
    xlat
    T_CK32 %eax, 0x12345625, "xlat al=0x7f"
    mov $0x80, %al              /* AL is unsigned: index 0x80, not -0x80 */
    xlat
    T_CK32 %eax, 0x123456DA, "xlat al=0x80 (unsigned)"
    mov $0xFF, %al
    xlat
    T_CK32 %eax, 0x123456A5, "xlat al=0xff"
    mov $0x10, %al
    .byte 0x26                  /* es: */
    xlat
    T_CK8 %al, 0xEF, "es: xlat"
    mov $xlat_table, %bx
    mov $0x03, %al
    .byte 0x2E                  /* cs: (table in the ROM) */
    xlat
    T_CK8 %al, 0x33, "cs: xlat (ROM table)"
    mov $0xFFFF0800, %ebx       /* 16-bit form uses BX only */
    mov $0x01, %al
    xlat
    T_CK8 %al, 0x5B, "xlat ignores high EBX"
    mov $0x00000800, %ebx
    mov $0x02, %al
    .byte 0x67                  /* xlat [ebx+al] */
    xlat
    T_CK8 %al, 0x58, "67 xlat"

/* ---- LAHF / SAHF --------------------------------------------------------- */
    T_SETF 0
    mov $0xFF, %ah
    sahf                        /* SF ZF AF PF CF <- AH bits 7 6 4 2 0 */
    T_CKF 0x0FFF, 0x00D7, "sahf 0xff"
    mov $0, %ah
    lahf
    T_CK8 %ah, 0xD7, "lahf after sahf 0xff"
    mov $0x00, %ah
    sahf
    T_CKF 0x0FFF, 0x0002, "sahf 0"
    lahf
    T_CK8 %ah, 0x02, "lahf after sahf 0 (bit 1 reads 1)"
    T_SETF F_OF|F_DF
    mov $0x41, %ah              /* ZF CF */
    sahf                        /* OF, DF unchanged */
    T_CKF 0x0FFF, F_OF|F_DF|F_ZF|F_CF|F_1, "sahf leaves OF/DF"
    lahf
    T_CK8 %ah, 0x43, "lahf ZF|CF"
    mov $0x94, %ah              /* SF AF PF */
    sahf
    lahf
    T_CK8 %ah, 0x96, "lahf SF|AF|PF"
    mov $0x2A, %ah              /* only reserved bits 1,3,5 */
    sahf
    lahf
    T_CK8 %ah, 0x02, "sahf ignores bits 1,3,5"
    T_SETF 0

/* ---- CBW / CWD / CWDE / CDQ --------------------------------------------- */
    mov $0x12345680, %eax
    cbtw                        /* 98 */
    T_CK32 %eax, 0x1234FF80, "cbw negative"
    mov $0x1234567F, %eax
    cbtw
    T_CK32 %eax, 0x1234007F, "cbw positive"
    mov $0xFFFF8000, %eax
    mov $0x12345678, %edx
    cwtd                        /* 99 */
    T_CK32 %edx, 0x1234FFFF, "cwd negative"
    T_CK32 %eax, 0xFFFF8000, "cwd keeps ax"
    mov $0x00007FFF, %eax
    cwtd
    T_CK32 %edx, 0x12340000, "cwd positive"
    mov $0x00008000, %eax
    cwtl                        /* 66 98 */
    T_CK32 %eax, 0xFFFF8000, "cwde negative"
    mov $0xFFFF7FFF, %eax
    cwtl
    T_CK32 %eax, 0x00007FFF, "cwde positive"
    mov $0x80000000, %eax
    cltd                        /* 66 99 */
    T_CK32 %edx, 0xFFFFFFFF, "cdq negative"
    mov $0x7FFFFFFF, %eax
    cltd
    T_CK32 %edx, 0x00000000, "cdq positive"
    /* none of these touch the flags */
    T_SETF F_CF|F_ZF|F_SF|F_OF
    mov $0x80, %al
    cbtw
    cwtd
    cwtl
    cltd
    T_CKF F_ARITH, F_CF|F_ZF|F_SF|F_OF, "cbw/cwd/cwde/cdq keep flags"
    T_SETF 0

/* ---- redundant prefixes, LEA ignores segment overrides ------------------- */
    mov $DSEG, %ax
    mov %ax, %ds
    mov $ESEG, %ax
    mov %ax, %es
    .byte 0x66, 0x66, 0xB8      /* 66 66 B8: still mov eax,imm32 */
    .long 0x13572468
    T_CK32 %eax, 0x13572468, "66 66 mov eax,imm32"
    movw $0x4321, %es:0x0A00
    mov $0x0A00, %bx
    .byte 0x26, 0x26, 0x8B, 0x0F    /* es: es: mov cx,[bx] */
    T_CK16 %cx, 0x4321, "26 26 mov cx,es:[bx]"
    mov $0x00000A00, %ebx
    .byte 0x26, 0x67, 0x67, 0x8B, 0x13  /* es: 67 67 mov dx,[ebx] */
    T_CK16 %dx, 0x4321, "26 67 67 mov dx,es:[ebx]"
    mov $0x1234, %bx
    .byte 0x26, 0x8D, 0x47, 0x10    /* es: lea ax,[bx+0x10]: prefix has no effect */
    T_CK16 %ax, 0x1244, "lea with es: prefix"
    mov $0x1000, %bp
    .byte 0x64, 0x8D, 0x46, 0x10    /* fs: lea ax,[bp+0x10] */
    T_CK16 %ax, 0x1010, "lea with fs: prefix on a bp base"
    /* moffs with FS and GS overrides */
    mov $FSEG, %ax
    mov %ax, %fs
    mov $GSEG, %ax
    mov %ax, %gs
    movw $0xF00F, %fs:0x0A10
    movw $0x6006, %gs:0x0A10
    mov %fs:0x0A10, %ax         /* 64 A1 */
    T_CK16 %ax, 0xF00F, "fs: A1"
    mov %gs:0x0A10, %al         /* 65 A0 */
    T_CK8 %al, 0x06, "gs: A0"
    mov $0x77, %al
    mov %al, %gs:0x0A11         /* 65 A2 */
    T_CK16 %gs:0x0A10, 0x7706, "gs: A2"
    mov $0xCAFEBABE, %eax
    mov %eax, %fs:0x0A14        /* 64 66 A3 */
    T_CK32 %fs:0x0A14, 0xCAFEBABE, "fs: 66 A3"

/* ---- MOV doesn't change flags ------------------------------------------- */
    T_SETF F_CF|F_PF|F_AF|F_ZF|F_SF|F_OF
    mov $0, %ax
    mov %ax, %ds:0x0900
    mov %ds:0x0900, %bx
    lea 1(%bx), %cx
    xchg %ax, %cx
    movzbw %cl, %dx
    mov %ds, %ax
    T_CKF F_ARITH, F_ARITH, "moves keep flags"
    T_SETF 0

    T_PASS

/* ---- ROM data ------------------------------------------------------------ */
rom_word:
    .word 0xBEEF
xlat_table:
    .byte 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77
