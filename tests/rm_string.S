/* rm_string: string instructions in real mode.
 *
 * Covers: MOVS/CMPS/SCAS/LODS/STOS in byte, word and dword (0x66) size
 * with DF=0 and DF=1; REP with CX = 0 (no iteration, nothing changes, flags
 * kept for CMPS), 1 and many; overlapping REP MOVS (must behave element by
 * element, forwards and backwards); REPE/REPNE CMPS and SCAS stopping at the
 * right element with the right CX/SI/DI and flags, or running out; segment
 * override prefixes (ES/CS/SS/FS/GS/DS) on the source of MOVS/LODS/CMPS/OUTS
 * and their non-effect on the ES destination of MOVS/STOS/SCAS/INS; the
 * 0x67 prefix (ECX/ESI/EDI) and the 16-bit forms that use and update only
 * CX/SI/DI (high halves kept); 16-bit SI/DI wraparound at 64 KiB in both
 * directions; INS/OUTS: REP OUTSB to port 0xE9 (debug console: the text
 * appears on the VM's stdout), OUTSW/OUTSD, and INSB/INSW/INSD from the
 * unassigned port 0x2000, which reads as all ones.
 *
 * Expected values: data movement follows from the SDM descriptions; the
 * CMPS/SCAS flags are those of CMP src,dst (CMPS: [SI]-[DI]; SCAS:
 * AL/AX/EAX-[DI]) and were obtained by running CMP on the host CPU (the
 * values are noted next to each check).  REP termination per SDM "REP/REPE/
 * REPZ/REPNE/REPNZ": CX is decremented for each element, including the one
 * that ends a REPE/REPNE.  Unassigned I/O ports read as all ones (PC bus
 * behaviour; QEMU agrees).
 *
 * Layout: DS=0x1000, ES=0x2000, FS=0x3000, GS=0x4000, SS=0 (stack 0:8000).
 * DS:0100-01FF holds the pattern p(i) = (7*i + 3) & 0xFF.
 */
#include "rm_common.inc"

    RESET_VECTOR start

    .set DSEG, 0x1000
    .set ESEG, 0x2000
    .set FSEG, 0x3000
    .set GSEG, 0x4000
    .set SRC, 0x0100
    .set P0, 0x03               /* p(0) ... */
    .set P1, 0x0A
    .set P2, 0x11
    .set P3, 0x18
    .set P4, 0x1F
    .set P5, 0x26
    .set P6, 0x2D
    .set P7, 0x34

/* memset without string instructions: ES:\off, \n bytes of \val */
.macro FILL off, n, val
    push %di
    push %cx
    mov $\off, %di
    mov $\n, %cx
1:  movb $\val, %es:(%di)
    inc %di
    dec %cx
    jnz 1b
    pop %cx
    pop %di
.endm

/* Compare \n bytes DS:\s with ES:\d without string instructions. */
.macro MEMEQ s, d, n, msg
    push %si
    push %di
    push %cx
    mov $\s, %si
    mov $\d, %di
    mov $\n, %cx
    call memeq
    pop %cx
    pop %di
    pop %si
    T_CK16 %ax, 0, "\msg (ax = 1 + first differing index)"
.endm

.macro SEGS                     /* standard segment setup */
    mov $DSEG, %ax
    mov %ax, %ds
    mov $ESEG, %ax
    mov %ax, %es
    mov $FSEG, %ax
    mov %ax, %fs
    mov $GSEG, %ax
    mov %ax, %gs
.endm

start:
    T_INIT
    T_PUTS "rm_string\r\n"
    SEGS
    /* source pattern DS:0100..01FF, p(i) = 7i+3 */
    mov $SRC, %bx
    mov $P0, %al
1:  mov %al, (%bx)
    add $7, %al
    inc %bx
    cmp $(SRC + 0x100), %bx
    jne 1b

/* ---- MOVS single ----------------------------------------------------------- */
    FILL 0x0200, 0x100, 0xEE
    cld
    mov $SRC, %si
    mov $0x0200, %di
    movsb                       /* A4 */
    T_CK16 %si, SRC+1, "movsb: si+1"
    T_CK16 %di, 0x0201, "movsb: di+1"
    T_CK16 %es:0x0200, 0xEE00+P0, "movsb: one byte copied"
    movsw                       /* A5 */
    T_CK16 %si, SRC+3, "movsw: si+2"
    T_CK16 %di, 0x0203, "movsw: di+2"
    T_CK16 %es:0x0201, (P2<<8)|P1, "movsw: data"
    movsl                       /* 66 A5 */
    T_CK16 %si, SRC+7, "movsd: si+4"
    T_CK16 %di, 0x0207, "movsd: di+4"
    T_CK32 %es:0x0203, (P6<<24)|(P5<<16)|(P4<<8)|P3, "movsd: data"
    T_CK8 %es:0x0207, 0xEE, "movsd: no extra byte"
    std
    movsb                       /* copies p(7) to 0207, then si=0106 */
    T_CK16 %si, SRC+6, "std movsb: si-1"
    T_CK16 %di, 0x0206, "std movsb: di-1"
    T_CK8 %es:0x0207, P7, "std movsb: data"
    movsw                       /* word at 0106 -> 0206 */
    T_CK16 %si, SRC+4, "std movsw: si-2"
    T_CK16 %di, 0x0204, "std movsw: di-2"
    movsl                       /* dword at 0104 -> 0204 */
    T_CK16 %si, SRC+0, "std movsd: si-4"
    T_CK16 %di, 0x0200, "std movsd: di-4"
    T_CK32 %es:0x0204, (P7<<24)|(P6<<16)|(P5<<8)|P4, "std movsd: data"
    cld

/* ---- REP MOVS ---------------------------------------------------------- */
    FILL 0x0300, 0x100, 0xEE
    mov $SRC, %si
    mov $0x0300, %di
    mov $0, %cx
    rep movsb                   /* CX=0: nothing happens */
    T_CK16 %cx, 0, "rep movsb cx=0: cx"
    T_CK16 %si, SRC, "rep movsb cx=0: si unchanged"
    T_CK16 %di, 0x0300, "rep movsb cx=0: di unchanged"
    T_CK8 %es:0x0300, 0xEE, "rep movsb cx=0: no write"
    mov $1, %cx
    rep movsb
    T_CK16 %cx, 0, "rep movsb cx=1: cx"
    T_CK16 %si, SRC+1, "rep movsb cx=1: si"
    T_CK16 %es:0x0300, 0xEE00+P0, "rep movsb cx=1: exactly one byte"
    mov $SRC, %si
    mov $0x0300, %di
    mov $100, %cx
    rep movsb                   /* F3 A4 */
    T_CK16 %cx, 0, "rep movsb 100: cx"
    T_CK16 %si, SRC+100, "rep movsb 100: si"
    T_CK16 %di, 0x0300+100, "rep movsb 100: di"
    MEMEQ SRC, 0x0300, 100, "rep movsb 100: data"
    T_CK8 %es:0x0300+100, 0xEE, "rep movsb 100: stops after 100"
    /* backwards word copy of the same 100 bytes */
    FILL 0x03F0, 0x90, 0xEE
    std
    mov $(SRC+98), %si
    mov $(0x0400+98), %di
    mov $50, %cx
    rep movsw                   /* F3 A5 */
    cld
    T_CK16 %cx, 0, "std rep movsw: cx"
    T_CK16 %si, SRC-2, "std rep movsw: si"
    T_CK16 %di, 0x0400-2, "std rep movsw: di"
    MEMEQ SRC, 0x0400, 100, "std rep movsw: data"
    T_CK16 %es:0x03FE, 0xEEEE, "std rep movsw: no write below"
    T_CK16 %es:0x0464, 0xEEEE, "std rep movsw: no write above"
    /* dword copy */
    FILL 0x0500, 0x80, 0xEE
    mov $SRC, %si
    mov $0x0500, %di
    mov $25, %cx
    rep movsl                   /* F3 66 A5 */
    T_CK16 %si, SRC+100, "rep movsd: si"
    T_CK16 %di, 0x0564, "rep movsd: di"
    MEMEQ SRC, 0x0500, 100, "rep movsd: data"
    T_CK8 %es:0x0564, 0xEE, "rep movsd: stops after 25 dwords"

/* ---- overlapping REP MOVS (element by element, not memmove) -------------- */
    mov %ds, %ax
    mov %ax, %es                /* ES = DS */
    movl $0x44434241, %ds:0x0800    /* "ABCDEFGH" */
    movl $0x48474645, %ds:0x0804
    mov $0x0800, %si
    mov $0x0801, %di
    mov $7, %cx
    rep movsb                   /* propagates 'A' */
    T_CK32 %ds:0x0800, 0x41414141, "overlapping rep movsb (1)"
    T_CK32 %ds:0x0804, 0x41414141, "overlapping rep movsb (2)"
    movl $0x22221111, %ds:0x0810
    movl $0x44443333, %ds:0x0814
    mov $0x0810, %si
    mov $0x0812, %di
    mov $3, %cx
    rep movsw                   /* propagates 0x1111 */
    T_CK32 %ds:0x0810, 0x11111111, "overlapping rep movsw (1)"
    T_CK32 %ds:0x0814, 0x11111111, "overlapping rep movsw (2)"
    movl $0x44434241, %ds:0x0820
    movl $0x48474645, %ds:0x0824
    std
    mov $0x0827, %si
    mov $0x0826, %di
    mov $7, %cx
    rep movsb                   /* backwards: propagates 'H' */
    cld
    T_CK32 %ds:0x0820, 0x48484848, "overlapping std rep movsb (1)"
    T_CK32 %ds:0x0824, 0x48484848, "overlapping std rep movsb (2)"
    /* the same overlap seen through different segments: DS:0830 and
     * ES:0821 with ES = DS + 1 paragraph are phys +1 apart */
    movl $0x44434241, %ds:0x0830
    movl $0x48474645, %ds:0x0834
    mov %ds, %ax
    inc %ax
    mov %ax, %es                /* ES:0821 = DS:0831 */
    mov $0x0830, %si
    mov $0x0821, %di
    mov $7, %cx
    rep movsb
    T_CK32 %ds:0x0830, 0x41414141, "overlap through segment aliases (1)"
    T_CK32 %ds:0x0834, 0x41414141, "overlap through segment aliases (2)"
    /* REP STOSB / MOVSW across a 4 KiB page boundary (phys 0x21000) */
    mov $ESEG, %ax
    mov %ax, %es
    FILL 0x0FF0, 0x30, 0xEE
    mov $0x0FF8, %di
    mov $0x10, %cx
    mov $0x3C, %al
    rep stosb
    T_CK32 %es:0x0FF8, 0x3C3C3C3C, "rep stosb across a page: first"
    T_CK32 %es:0x1004, 0x3C3C3C3C, "rep stosb across a page: last"
    T_CK8 %es:0x1008, 0xEE, "rep stosb across a page: count"
    T_CK8 %es:0x0FF7, 0xEE, "rep stosb across a page: start"
    mov %es, %ax
    mov %ax, %ds                /* copy ES:0FF8.. to ES:1FFA.. (both cross) */
    mov $0x0FF0, %si
    mov $0x1FF2, %di
    mov $0x10, %cx
    rep movsw
    mov $DSEG, %ax
    mov %ax, %ds
    T_CK32 %es:0x1FFA, 0x3C3C3C3C, "rep movsw across pages: data"
    T_CK32 %es:0x2006, 0x3C3C3C3C, "rep movsw across pages: data end"
    T_CK16 %es:0x1FF2, 0xEEEE, "rep movsw across pages: head"
    T_CK16 %es:0x200E, 0xEEEE, "rep movsw across pages: tail"
    SEGS

/* ---- segment overrides on the source --------------------------------------- */
    movb $0xD1, %ds:0x0600
    movb $0xE1, %es:0x0600
    movw $0x00F1, %fs:0x0600
    movb $0x61, %gs:0x0600
    movb $0x51, %ss:0x0600      /* SS=0: phys 0x600 */
    movb $0x00, %ds:0x0700      /* the DS copy of the destination */
    FILL 0x0700, 0x10, 0xEE
    mov $0x0600, %si
    mov $0x0700, %di
    movsb                       /* default DS */
    mov $0x0600, %si
    .byte 0x26, 0xA4            /* es: movsb */
    mov $0x0600, %si
    .byte 0x64, 0xA4            /* fs: movsb */
    mov $0x0600, %si
    .byte 0x65, 0xA4            /* gs: movsb */
    mov $0x0600, %si
    .byte 0x36, 0xA4            /* ss: movsb */
    mov $rom_bytes, %si
    .byte 0x2E, 0xA4            /* cs: movsb (from the ROM) */
    mov $0x0600, %si
    .byte 0x3E, 0xA4            /* ds: movsb */
    T_CK32 %es:0x0700, 0x61F1E1D1, "movsb ds/es/fs/gs sources"
    T_CK8 %es:0x0704, 0x51, "ss: movsb"
    T_CK8 %es:0x0705, 0xC5, "cs: movsb"
    T_CK8 %es:0x0706, 0xD1, "ds: movsb"
    T_CK16 %di, 0x0707, "override movsb: di"
    T_CK8 %ds:0x0700, 0x00, "movs destination is always ES"
    /* rep with an override, 16-bit elements */
    movw $0xF2F3, %fs:0x0602
    mov $0x0600, %si
    mov $0x0710, %di
    mov $2, %cx
    .byte 0xF3, 0x64, 0xA5      /* rep fs: movsw */
    T_CK32 %es:0x0710, 0xF2F300F1, "rep fs: movsw"
    T_CK16 %cx, 0, "rep fs: movsw: cx"
    /* prefix order doesn't matter: override before REP */
    mov $0x0600, %si
    mov $0x0718, %di
    mov $1, %cx
    .byte 0x65, 0xF3, 0xA4      /* gs: rep movsb */
    T_CK8 %es:0x0718, 0x61, "gs: rep movsb"

/* ---- 0x67: ESI/EDI/ECX ----------------------------------------------------- */
    FILL 0x0900, 0x20, 0xEE
    mov $0x00000010, %ecx
    mov $SRC, %esi
    mov $0x00000900, %edi
    addr32 rep movsb            /* 67 F3 A4 */
    T_CK32 %ecx, 0, "67 rep movsb: ecx"
    T_CK32 %esi, SRC+0x10, "67 rep movsb: esi"
    T_CK32 %edi, 0x0910, "67 rep movsb: edi"
    MEMEQ SRC, 0x0900, 0x10, "67 rep movsb: data"
    T_CK8 %es:0x0910, 0xEE, "67 rep movsb: count"
    /* 16-bit form: uses and updates CX/SI/DI only */
    FILL 0x0A00, 0x10, 0xEE
    mov $0x00010003, %ecx       /* CX = 3 */
    mov $(0x12340000 + SRC), %esi
    mov $0x56780A00, %edi
    rep movsb
    T_CK32 %ecx, 0x00010000, "16-bit rep movsb: ecx high half kept"
    T_CK32 %esi, 0x12340000+SRC+3, "16-bit rep movsb: esi high half kept"
    T_CK32 %edi, 0x56780A03, "16-bit rep movsb: edi high half kept"
    MEMEQ SRC, 0x0A00, 3, "16-bit rep movsb with high garbage: data"
    T_CK8 %es:0x0A03, 0xEE, "16-bit rep movsb: CX=3 only"
    /* 0x67 with DF=1, word size */
    mov $0x00000002, %ecx
    mov $(SRC + 2), %esi
    mov $0x00000A12, %edi
    std
    addr32 rep movsw
    cld
    T_CK32 %esi, SRC-2, "67 std rep movsw: esi"
    T_CK32 %edi, 0x0A0E, "67 std rep movsw: edi"
    T_CK32 %es:0x0A10, (P3<<24)|(P2<<16)|(P1<<8)|P0, "67 std rep movsw: data"
    xor %esi, %esi
    xor %edi, %edi
    xor %ecx, %ecx

/* ---- SI/DI wraparound at 64 KiB ----------------------------------------- */
    movb $0xA1, %ds:0xFFFE
    movb $0xA2, %ds:0xFFFF
    movb $0xA3, %ds:0x0000
    movb $0xA4, %ds:0x0001
    mov $0xFFFE, %si
    mov $0x0B00, %di
    mov $4, %cx
    rep movsb
    T_CK16 %si, 0x0002, "rep movsb: si wraps"
    T_CK32 %es:0x0B00, 0xA4A3A2A1, "rep movsb across DS:FFFF -> DS:0000"
    mov $0xFFFE, %si
    movsw
    T_CK16 %si, 0x0000, "movsw at si=FFFE: si wraps to 0"
    mov $0xFFFF, %di
    mov $0x5C, %al
    mov $2, %cx
    rep stosb
    T_CK16 %di, 0x0001, "rep stosb: di wraps"
    T_CK8 %es:0xFFFF, 0x5C, "rep stosb at ES:FFFF"
    T_CK8 %es:0x0000, 0x5C, "rep stosb wraps to ES:0000"
    std
    mov $0x0000, %di
    mov $0x6D, %al
    stosb
    cld
    T_CK16 %di, 0xFFFF, "std stosb at di=0: di wraps to FFFF"
    T_CK8 %es:0x0000, 0x6D, "std stosb at di=0 writes ES:0000"
    std
    mov $0x0000, %si
    lodsw                       /* word at DS:0000, then si = FFFE */
    cld
    T_CK16 %si, 0xFFFE, "std lodsw: si wraps"
    T_CK16 %ax, 0xA4A3, "std lodsw at si=0"

/* ---- CMPS --------------------------------------------------------------------- */
    /* A = DS:0C00 = 1..10; B = ES:0C00 = same but [5] = 0x10 */
    mov $0x0C00, %bx
    mov $1, %al
1:  mov %al, %ds:(%bx)
    mov %al, %es:(%bx)
    inc %al
    inc %bx
    cmp $0x0C0A, %bx
    jne 1b
    movb $0x10, %es:0x0C05
    mov $0x0C00, %si
    mov $0x0C00, %di
    T_SETF 0
    cmpsb                       /* A6: 1 - 1 */
    T_CKF F_ARITH, 0x044, "cmpsb equal: ZF PF"
    T_CK16 %si, 0x0C01, "cmpsb: si"
    T_CK16 %di, 0x0C01, "cmpsb: di"
    mov $0x0C00, %si
    mov $0x0C00, %di
    mov $10, %cx
    repe cmpsb                  /* F3 A6: stops at [5]: 6 - 0x10 */
    T_CKF F_ARITH, 0x085, "repe cmpsb mismatch flags (6-0x10: SF PF CF)"
    T_CK16 %cx, 4, "repe cmpsb: cx counts the mismatching element"
    T_CK16 %si, 0x0C06, "repe cmpsb: si"
    T_CK16 %di, 0x0C06, "repe cmpsb: di"
    mov $0x0C00, %si
    mov $0x0C00, %di
    mov $5, %cx
    repe cmpsb                  /* all 5 equal: runs out */
    T_CKF F_ARITH, 0x044, "repe cmpsb all equal: ZF"
    T_CK16 %cx, 0, "repe cmpsb all equal: cx"
    T_CK16 %si, 0x0C05, "repe cmpsb all equal: si"
    /* REPNE: C = DS:0D00 = 1 2 3 4 5, D = ES:0D00 = 9 9 9 4 9 */
    movl $0x04030201, %ds:0x0D00
    movb $0x05, %ds:0x0D04
    movl $0x04090909, %es:0x0D00
    movb $0x09, %es:0x0D04
    movl $0x09090909, %es:0x0D10
    movb $0x09, %es:0x0D14
    mov $0x0D00, %si
    mov $0x0D00, %di
    mov $5, %cx
    repne cmpsb                 /* F2 A6: stops at [3] */
    T_CKF F_ARITH, 0x044, "repne cmpsb match: ZF"
    T_CK16 %cx, 1, "repne cmpsb: cx"
    T_CK16 %si, 0x0D04, "repne cmpsb: si"
    T_CK16 %di, 0x0D04, "repne cmpsb: di"
    mov $0x0D00, %si
    mov $0x0D10, %di
    mov $5, %cx
    repne cmpsb                 /* no match: runs out, flags of 5 - 9 */
    T_CKF F_ARITH, 0x095, "repne cmpsb no match (5-9: SF AF PF CF)"
    T_CK16 %cx, 0, "repne cmpsb no match: cx"
    T_CK16 %di, 0x0D15, "repne cmpsb no match: di"
    /* words, DF=1 */
    movl $0x22221111, %ds:0x0E00
    movl $0x44443333, %ds:0x0E04
    movl $0x20001111, %es:0x0E00
    movl $0x44443333, %es:0x0E04
    mov $0x0E06, %si
    mov $0x0E06, %di
    mov $4, %cx
    std
    repe cmpsw                  /* 4444=, 3333=, 2222 vs 2000 stops */
    cld
    T_CKF F_ARITH, 0x004, "std repe cmpsw (2222-2000: PF)"
    T_CK16 %cx, 1, "std repe cmpsw: cx"
    T_CK16 %si, 0x0E00, "std repe cmpsw: si"
    T_CK16 %di, 0x0E00, "std repe cmpsw: di"
    /* dword */
    movl $0x80000000, %ds:0x0E10
    movl $0x00000001, %es:0x0E10
    mov $0x0E10, %si
    mov $0x0E10, %di
    cmpsl                       /* 66 A7 */
    T_CKF F_ARITH, 0x814, "cmpsd (80000000-1: OF AF PF)"
    T_CK16 %si, 0x0E14, "cmpsd: si"
    /* REP CMPS with CX=0 leaves the flags alone */
    T_SETF F_CF|F_SF|F_OF
    mov $0x0C00, %si
    mov $0x0C00, %di
    mov $0, %cx
    repe cmpsb
    T_CKF F_ARITH, F_CF|F_SF|F_OF, "repe cmpsb cx=0 keeps flags"
    T_CK16 %si, 0x0C00, "repe cmpsb cx=0: si"
    repne cmpsw
    T_CKF F_ARITH, F_CF|F_SF|F_OF, "repne cmpsw cx=0 keeps flags"
    T_SETF 0
    /* source override: es: cmpsb compares ES:[SI] with ES:[DI] */
    mov $0x0C05, %si
    mov $0x0C05, %di
    .byte 0x26, 0xA6            /* es: cmpsb: 0x10 - 0x10 */
    T_CKF F_ZF, F_ZF, "es: cmpsb uses ES for the source"
    mov $0x0C05, %si
    mov $0x0C05, %di
    cmpsb                       /* ds: 6 - 0x10 */
    T_CKF F_ZF, 0, "cmpsb default DS source"

/* ---- SCAS ------------------------------------------------------------------- */
    movl $0x64636261, %es:0x0F00    /* "abcdefgh" */
    movl $0x68676665, %es:0x0F04
    movl $0, %ds:0x0F00
    mov $0x0F00, %di
    mov $'e', %al
    mov $8, %cx
    repne scasb                 /* F2 AE */
    T_CKF F_ARITH, 0x044, "repne scasb found: ZF"
    T_CK16 %cx, 3, "repne scasb: cx"
    T_CK16 %di, 0x0F05, "repne scasb: di after the match"
    mov $0x0F00, %di
    mov $'z', %al
    mov $8, %cx
    repne scasb                 /* not found: flags of 'z' - 'h' */
    T_CKF F_ARITH, 0x004, "repne scasb not found (7a-68: PF)"
    T_CK16 %cx, 0, "repne scasb not found: cx"
    T_CK16 %di, 0x0F08, "repne scasb not found: di"
    movl $0, %es:0x0F10
    movl $0x12340000, %es:0x0F14
    movl $0x55555555, %es:0x0F18
    mov $0x0F10, %di
    mov $0, %ax
    mov $6, %cx
    repe scasw                  /* F3 AF: stops at [3] = 0x1234 */
    T_CKF F_ARITH, 0x095, "repe scasw (0-1234: SF AF PF CF)"
    T_CK16 %cx, 2, "repe scasw: cx"
    T_CK16 %di, 0x0F18, "repe scasw: di"
    movl $0x12345678, %es:0x0F20
    mov $0x12345678, %eax
    mov $0x0F20, %di
    std
    scasl                       /* 66 AF */
    cld
    T_CKF F_ZF, F_ZF, "std scasd equal"
    T_CK16 %di, 0x0F1C, "std scasd: di-4"
    /* SCAS always uses ES: a DS prefix must not change that */
    mov $0x0F00, %di
    mov $'a', %al
    .byte 0x3E, 0xAE            /* ds: scasb -> still ES:[DI] = 'a' */
    T_CKF F_ZF, F_ZF, "scasb ignores segment override (ES)"
    T_CK16 %di, 0x0F01, "ds: scasb: di"

/* ---- LODS ----------------------------------------------------------------- */
    mov $0xFFFFFFFF, %eax
    mov $SRC, %si
    lodsb                       /* AC */
    T_CK32 %eax, 0xFFFFFF00+P0, "lodsb keeps high bytes"
    T_CK16 %si, SRC+1, "lodsb: si"
    lodsw                       /* AD */
    T_CK32 %eax, 0xFFFF0000+(P2<<8)+P1, "lodsw"
    lodsl                       /* 66 AD */
    T_CK32 %eax, (P6<<24)|(P5<<16)|(P4<<8)|P3, "lodsd"
    T_CK16 %si, SRC+7, "lodsd: si"
    std
    lodsb
    cld
    T_CK8 %al, P7, "std lodsb"
    T_CK16 %si, SRC+6, "std lodsb: si"
    mov $SRC, %si
    mov $3, %cx
    rep lodsb                   /* last element stays in AL */
    T_CK8 %al, P2, "rep lodsb: al = last"
    T_CK16 %si, SRC+3, "rep lodsb: si"
    T_CK16 %cx, 0, "rep lodsb: cx"
    mov $rom_bytes, %si
    .byte 0x2E, 0xAD            /* cs: lodsw */
    T_CK16 %ax, 0xB7C5, "cs: lodsw from the ROM"
    mov $0x0600, %si
    .byte 0x64, 0xAC            /* fs: lodsb */
    T_CK8 %al, 0xF1, "fs: lodsb"
    mov $0x0600, %si
    .byte 0x36, 0xAC            /* ss: lodsb */
    T_CK8 %al, 0x51, "ss: lodsb"

/* ---- STOS ------------------------------------------------------------------ */
    FILL 0x1000, 0x120, 0xEE
    mov $0x1000, %di
    mov $0x12345678, %eax
    stosb                       /* AA */
    stosw                       /* AB */
    stosl                       /* 66 AB */
    T_CK16 %di, 0x1007, "stosb/w/d: di"
    T_CK32 %es:0x1000, 0x78567878, "stosb/stosw data"
    T_CK32 %es:0x1003, 0x12345678, "stosd data"
    T_CK8 %es:0x1007, 0xEE, "stos: no extra byte"
    mov $0x1010, %di
    mov $0xBEEF, %ax
    mov $0x80, %cx
    rep stosw                   /* F3 AB */
    T_CK16 %di, 0x1110, "rep stosw: di"
    T_CK16 %cx, 0, "rep stosw: cx"
    T_CK16 %es:0x1010, 0xBEEF, "rep stosw: first"
    T_CK16 %es:0x110E, 0xBEEF, "rep stosw: last"
    T_CK16 %es:0x1110, 0xEEEE, "rep stosw: count"
    std
    mov $0x111C, %di
    mov $0xCAFEBABE, %eax
    mov $3, %cx
    rep stosl                   /* 111C, 1118, 1114 */
    cld
    T_CK16 %di, 0x1110, "std rep stosd: di"
    T_CK32 %es:0x1114, 0xCAFEBABE, "std rep stosd: last element"
    T_CK32 %es:0x111C, 0xCAFEBABE, "std rep stosd: first element"
    T_CK16 %es:0x1110, 0xEEEE, "std rep stosd: count"
    mov $0x1008, %di
    movb $0x00, %ds:0x1008
    mov $0x77, %al
    .byte 0x3E, 0xAA            /* ds: stosb -> still ES */
    T_CK8 %es:0x1008, 0x77, "stosb with DS prefix writes ES"
    T_CK8 %ds:0x1008, 0x00, "stosb with DS prefix doesn't write DS"
    mov $0x100A, %di
    mov $0, %cx
    rep stosb                   /* cx=0 */
    T_CK8 %es:0x100A, 0xEE, "rep stosb cx=0: no write"
    T_CK16 %di, 0x100A, "rep stosb cx=0: di"

/* ---- OUTS / INS ----------------------------------------------------------- */
    mov $0xE9, %dx
    mov $e9_msg, %si
    mov $(e9_msg_end - e9_msg), %cx
    .byte 0xF3, 0x2E, 0x6E      /* rep cs: outsb -> debug console */
    T_CK16 %si, e9_msg_end, "rep outsb: si"
    T_CK16 %cx, 0, "rep outsb: cx"
    mov $0x2000, %dx            /* unassigned port */
    mov $SRC, %si
    outsw                       /* 6F */
    T_CK16 %si, SRC+2, "outsw: si+2"
    outsl                       /* 66 6F */
    T_CK16 %si, SRC+6, "outsd: si+4"
    std
    outsb                       /* 6E */
    cld
    T_CK16 %si, SRC+5, "std outsb: si-1"
    mov $3, %cx
    rep outsw
    T_CK16 %si, SRC+11, "rep outsw: si"
    T_CK16 %dx, 0x2000, "outs keeps dx"
    /* INS from the unassigned port 0x2000: all ones */
    FILL 0x1200, 0x20, 0x00
    mov $0x1200, %di
    insb                        /* 6C */
    T_CK16 %di, 0x1201, "insb: di+1"
    T_CK16 %es:0x1200, 0x00FF, "insb reads 0xFF"
    insw                        /* 6D */
    T_CK16 %di, 0x1203, "insw: di+2"
    T_CK32 %es:0x1200, 0x00FFFFFF, "insw reads 0xFFFF"
    insl                        /* 66 6D */
    T_CK16 %di, 0x1207, "insd: di+4"
    T_CK32 %es:0x1203, 0xFFFFFFFF, "insd reads 0xFFFFFFFF"
    T_CK8 %es:0x1207, 0x00, "insd: no extra byte"
    std
    mov $0x1214, %di
    mov $4, %cx
    rep insb                    /* 1214 .. 1211 */
    cld
    T_CK16 %di, 0x1210, "std rep insb: di"
    T_CK16 %cx, 0, "std rep insb: cx"
    T_CK32 %es:0x1210, 0xFFFFFF00, "std rep insb: data (1211-1213)"
    T_CK16 %es:0x1214, 0x00FF, "std rep insb: data (1214)"
    mov $0x1218, %di
    movb $0x00, %ds:0x1218
    .byte 0x2E, 0x6C            /* cs: insb -> still ES:DI */
    T_CK8 %es:0x1218, 0xFF, "insb with CS prefix writes ES"
    T_CK8 %ds:0x1218, 0x00, "insb with CS prefix doesn't write DS"
    mov $0x00000002, %ecx
    mov $0x0000121A, %edi
    addr32 rep insw             /* 67 F3 6D */
    T_CK32 %edi, 0x121E, "67 rep insw: edi"
    T_CK32 %ecx, 0, "67 rep insw: ecx"
    T_CK32 %es:0x121A, 0xFFFFFFFF, "67 rep insw: data"

/* ---- string instructions don't change flags (except CMPS/SCAS) ------------ */
    T_SETF F_ARITH
    mov $SRC, %si
    mov $0x1300, %di
    mov $4, %cx
    rep movsb
    lodsb
    stosb
    mov $0x2000, %dx
    insb
    outsb
    T_CKF F_ARITH, F_ARITH, "movs/lods/stos/ins/outs keep flags"
    T_SETF 0

    T_PASS

/* memeq: compare CX bytes DS:SI / ES:DI; ax = 0 if equal, else 1 + index */
memeq:
    push %bx
    xor %bx, %bx
1:  test %cx, %cx
    jz 2f
    mov (%bx,%si), %al
    cmp %es:(%bx,%di), %al
    jne 3f
    inc %bx
    dec %cx
    jmp 1b
2:  xor %ax, %ax
    pop %bx
    ret
3:  lea 1(%bx), %ax
    pop %bx
    ret

rom_bytes:
    .byte 0xC5, 0xB7
e9_msg:
    .ascii "rm_string: REP OUTSB to port 0xE9 works\n"
e9_msg_end:
