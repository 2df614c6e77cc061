/* int13_lba48.S: a disk of more than 2^28 sectors (128 GiB), where LBA28
 * commands cannot reach: tests/boot.sh extends a copy of this image to
 * disk-size: 137440002048 bytes (a sparse file, 2^28 + 2048 sectors).
 *   48h   the whole size, in 64 bits
 *   08h   the translation's ceiling: 255 heads, 63 sectors, 1023-1024 cylinders
 *   43h/42h  write and read back 4 sectors across LBA 2^28 (0FFFFFFEh-
 *         10000001h) and one at 2^28 + 16; LBA 16 still holds mkimg's
 *         pattern (a 28-bit address would have wrapped there)
 *   the last sector is readable, the one after it is not. */
#include "boot/boot.inc"

    .set BUF, 0x1000            /* segment of the buffers */
    .set SECTORS, 0x10000800    /* 2^28 + 2048 */

    .text
main:
    PRINT "int13_lba48: a disk of 2^28 + 2048 sectors\r\n"
    movw $30, edd
    mov  $0x48, %ah
    mov  boot_drive, %dl
    mov  $edd, %si
    int  $0x13
    CHECK nc, "AH=48h failed"
    cmpl $SECTORS, edd + 16
    CHECK e, "AH=48h: the sector count is not 2^28 + 2048"
    cmpl $0, edd + 20
    CHECK e, "AH=48h: the sector count's high dword is not 0"
    mov  $0x08, %ah
    mov  boot_drive, %dl
    push %es
    int  $0x13
    pop  %es
    CHECK nc, "AH=08h failed"
    cmp  $254, %dh
    CHECK e, "AH=08h: not 255 heads"
    mov  %cl, %al
    and  $0x3f, %al
    cmp  $63, %al
    CHECK e, "AH=08h: not 63 sectors per track"
    shr  $6, %cl
    cmp  $3, %cl
    CHECK e, "AH=08h: fewer than 769 cylinders"
    cmp  $0xfe, %ch
    CHECK ae, "AH=08h: fewer than 1023 cylinders"

    mov  $0x0ffffffe, %edi      /* across 2^28 */
    mov  $4, %cx
    call write_check
    mov  $0x10000010, %edi
    mov  $1, %cx
    call write_check
    mov  $SECTORS - 1, %edi     /* the last sector */
    mov  $1, %cx
    call write_check
    mov  $16, %edi              /* no 28-bit wrap-around: LBA 16 is untouched */
    mov  $1, %cx
    mov  $0x42, %ah
    call lba_io
    CHECK nc, "AH=42h: reading LBA 16 failed"
    cmpl $16, %es:0
    CHECK e, "LBA 16 changed: a write above 2^28 wrapped around"
    cmpl $16 + (127 << 24), %es:508
    CHECK e, "LBA 16 changed: a write above 2^28 wrapped around"
    mov  $SECTORS, %edi         /* the sector after the last */
    mov  $1, %cx
    mov  $0x42, %ah
    call lba_io
    CHECK c, "AH=42h: reading the sector after the last did not fail"
    jmp  pass

/* write_check: write CX sectors at EDI (AH=43h) with a pattern made of
 * their LBAs, read them back (42h) into a cleared buffer, compare. */
write_check:
    mov  $BUF, %ax
    mov  %ax, %es
    xor  %bx, %bx
    call pattern
    mov  $0x43, %ah
    xor  %al, %al
    call lba_io
    CHECK nc, "AH=43h: a write above 2^28 failed"
    xor  %di, %di               /* clear the buffer (EDI's high half is kept) */
    push %cx
    shl  $8, %cx
    xor  %ax, %ax
    push %edi
    rep  stosw
    pop  %edi
    pop  %cx
    mov  dap + 8, %edi
    mov  $0x42, %ah
    call lba_io
    CHECK nc, "AH=42h: a read above 2^28 failed"
    call pattern_check
    CHECK e, "the sectors read above 2^28 are not the ones written"
    ret

/* pattern: CX sectors at ES:0, dword i of the sector at LBA L = ~L ^ i.
 * pattern_check: ZF = 1 if they hold it.  EDI = the first LBA. */
pattern:
    pushal
    xor  %si, %si
1:  mov  %si, %ax
    and  $0x1ff, %ax
    jnz  2f
    test %si, %si
    jz   2f
    inc  %edi
2:  movzwl %si, %eax
    and  $0x1ff, %eax
    shr  $2, %eax
    xor  %edi, %eax
    not  %eax
    mov  %eax, %es:(%si)
    add  $4, %si
    mov  %cx, %ax
    shl  $9, %ax
    cmp  %ax, %si
    jb   1b
    popal
    ret
pattern_check:
    pushal
    xor  %si, %si
1:  mov  %si, %ax
    and  $0x1ff, %ax
    jnz  2f
    test %si, %si
    jz   2f
    inc  %edi
2:  movzwl %si, %eax
    and  $0x1ff, %eax
    shr  $2, %eax
    xor  %edi, %eax
    not  %eax
    cmp  %es:(%si), %eax
    jne  3f
    add  $4, %si
    mov  %cx, %ax
    shl  $9, %ax
    cmp  %ax, %si
    jb   1b
3:  popal
    ret

/* lba_io: AH = 42h/43h for CX sectors at LBA EDI, buffer ES:0. */
lba_io:
    movb $0x10, dap
    mov  %cx, dap + 2
    movw $0, dap + 4
    mov  %es, dap + 6
    mov  %edi, dap + 8
    movl $0, dap + 12
    push %si
    mov  $dap, %si
    mov  boot_drive, %dl
    int  $0x13
    pop  %si
    ret

    .data
    .balign 4
dap:    .fill 16, 1, 0
edd:    .fill 32, 1, 0
