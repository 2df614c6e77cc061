/* int13.S: INT 13h on the boot disk, function by function.
 *
 * The disk is this program followed by patterned sectors (mkimg.c: dword i
 * of sector L is L + (i << 24)) up to BOOT_IMG_SECTORS.  The checks:
 *   41h   the extensions are there (BX = AA55h, CX bit 0)
 *   08h   a geometry (cylinders, heads, sectors) and at least one drive
 *   15h   a hard disk (AH = 03h) of at most the disk's sectors
 *   48h   the disk's size in sectors, 512-byte sectors, buffer sizes 26/30
 *   42h   LBA reads: every dword of every sector is the one mkimg wrote
 *   02h   CHS reads across a head boundary and a cylinder boundary, 128
 *         sectors at once, and into a buffer that crosses 64 KiB: the
 *         sectors the LBA arithmetic says
 *   03h/43h  writes, read back through 42h and 02h
 *   04h, 44h, 0Ch, 47h, 00h, 0Dh, 10h, 11h  succeed on good addresses
 *   errors: count 0, sector 0, head and cylinder out of range: CF set and
 *         AH = 01h, which AH=01h then reports; a drive that does not
 *         exist; LBA ranges that start or end past the disk (CF, and the
 *         packet's count says what moved)
 * It prints the geometry ("geometry C/H/S"), which tests/boot.sh checks
 * against vm's translation, and it runs under QEMU's SeaBIOS too: it asks
 * the BIOS for the geometry instead of assuming one, and where BIOSes
 * differ (the error code for a range past the end) it accepts each. */
#include "boot/boot.inc"

    .set BUF, 0x1000            /* segment of the read buffers: 1000:0000-1FFF:FFFF */
    .set BUF2, 0x3000           /* segment of a second buffer */

    .text
main:
    PRINT "int13: INT 13h functions on the boot drive\r\n"
    call t_extensions
    call t_geometry
    call t_edd_params
    call t_type
    call t_lba_reads
    call t_chs_reads
    call t_buffer_across_64k
    call t_writes
    call t_other_functions
    call t_errors
    call t_past_the_end
    jmp  pass

/* ---- Helpers ---------------------------------------------------------------- */

/* lba_io: AH = 42h/43h/44h/47h for CX sectors at the LBA in EDI, buffer
 * ES:BX, through the packet `dap`.  Returns CF and AH from the BIOS; the
 * packet's count is at dap+2. */
lba_io:
    movb $0x10, dap
    movb $0, dap + 1
    mov  %cx, dap + 2
    mov  %bx, dap + 4
    mov  %es, dap + 6
    mov  %edi, dap + 8
    movl $0, dap + 12
    push %si
    push %dx
    mov  $dap, %si
    mov  boot_drive, %dl
    int  $0x13
    pop  %dx
    pop  %si
    ret

/* to_chs: CX and DH for INT 13h AH=02h from the LBA in EAX, by the
 * geometry AH=08h reported.  Clobbers EAX, DL. */
to_chs:
    push %ebx
    push %edx
    xor  %edx, %edx
    movzwl spt, %ebx
    div  %ebx                   /* EAX = track, EDX = sector - 1 */
    inc  %dl
    mov  %dl, %cl
    xor  %edx, %edx
    movzwl heads, %ebx
    div  %ebx                   /* EAX = cylinder, EDX = head */
    mov  %dl, %bl
    pop  %edx
    mov  %bl, %dh
    mov  %al, %ch
    shl  $6, %ah
    or   %ah, %cl
    pop  %ebx
    ret

/* chs_io: AH = 02h/03h/04h of AL sectors at the LBA in EDI (converted to
 * CHS), buffer ES:BX.  Returns CF and AX from the BIOS. */
chs_io:
    push %cx
    push %dx
    push %ax
    mov  %edi, %eax
    call to_chs
    pop  %ax
    mov  boot_drive, %dl
    int  $0x13
    pop  %dx
    pop  %cx
    ret

/* check_pattern: the CX sectors at ES:BX hold mkimg's pattern for the
 * LBAs EDI, EDI+1...  ZF = 1 if every dword does. */
check_pattern:
    pushal
    push %es
1:  push %cx
    mov  %bx, %si
    xor  %ecx, %ecx             /* ECX = i */
2:  mov  %ecx, %edx
    shl  $24, %edx
    add  %edi, %edx
    cmp  %es:(%si), %edx
    jne  3f
    add  $4, %si
    inc  %cx
    cmp  $128, %cx
    jb   2b
    mov  %es, %dx               /* the next sector: 512 bytes on */
    add  $0x20, %dx
    mov  %dx, %es
    inc  %edi
    pop  %cx
    loop 1b
    xor  %ax, %ax               /* ZF = 1 */
    jmp  4f
3:  pop  %cx
    or   $1, %ax                /* ZF = 0 */
4:  pop  %es
    popal
    ret

/* fill_buffer: CX sectors at ES:BX get the pattern of LBA EDI + 0x8000000
 * (so they differ from anything mkimg wrote). */
fill_buffer:
    pushal
    push %es
    add  $0x8000000, %edi
1:  push %cx
    mov  %bx, %si
    xor  %ecx, %ecx
2:  mov  %ecx, %edx
    shl  $24, %edx
    add  %edi, %edx
    mov  %edx, %es:(%si)
    add  $4, %si
    inc  %cx
    cmp  $128, %cx
    jb   2b
    mov  %es, %dx
    add  $0x20, %dx
    mov  %dx, %es
    inc  %edi
    pop  %cx
    loop 1b
    pop  %es
    popal
    ret

/* clear_buffer: zero 64 KiB at segment AX. */
clear_buffer:
    pusha
    push %es
    mov  %ax, %es
    xor  %di, %di
    xor  %ax, %ax
    mov  $0x8000, %cx
    rep  stosw
    pop  %es
    popa
    ret

/* ---- The checks ------------------------------------------------------------- */

t_extensions:
    mov  $0x41, %ah
    mov  $0x55aa, %bx
    mov  boot_drive, %dl
    int  $0x13
    CHECK nc, "AH=41h: CF set"
    cmp  $0xaa55, %bx
    CHECK e, "AH=41h: BX is not AA55h"
    test $1, %cl
    CHECK nz, "AH=41h: CX bit 0 (extended disk access) is clear"
    ret

t_geometry:
    mov  $0x08, %ah
    mov  boot_drive, %dl
    push %es
    xor  %di, %di
    int  $0x13
    pop  %es
    CHECK nc, "AH=08h: CF set"
    test %ah, %ah
    CHECK z, "AH=08h: AH is not 0"
    test %dl, %dl
    CHECK nz, "AH=08h: DL (number of drives) is 0"
    movzbw %dh, %ax
    inc  %ax
    mov  %ax, heads
    movzbw %cl, %ax
    and  $0x3f, %ax
    mov  %ax, spt
    movzbw %cl, %ax
    shl  $2, %ax
    and  $0x300, %ax
    mov  %ch, %al
    inc  %ax
    mov  %ax, cyls
    cmpw $2, spt
    CHECK ae, "AH=08h: fewer than 2 sectors per track"
    cmpw $2, heads
    CHECK ae, "AH=08h: fewer than 2 heads"
    PRINT "geometry "
    movzwl cyls, %eax
    call putdec
    mov  $'/', %al
    call putc
    movzwl heads, %eax
    call putdec
    mov  $'/', %al
    call putc
    movzwl spt, %eax
    call putdec
    call crlf
    ret

/* AH=48h, with a 30-byte buffer and then a 26-byte one. */
t_edd_params:
    movw $30, edd
    mov  $0x48, %ah
    mov  boot_drive, %dl
    mov  $edd, %si
    int  $0x13
    CHECK nc, "AH=48h: CF set"
    cmpw $26, edd
    CHECK ae, "AH=48h: buffer size below 26"
    cmpw $30, edd
    CHECK be, "AH=48h: more written than the buffer holds"
    cmpl $BOOT_IMG_SECTORS, edd + 16
    CHECK e, "AH=48h: the sector count is not the disk's"
    cmpl $0, edd + 20
    CHECK e, "AH=48h: the sector count's high dword is not 0"
    cmpw $512, edd + 24
    CHECK e, "AH=48h: sectors are not 512 bytes"
    movw $26, edd
    movw $0x1234, edd + 26
    mov  $0x48, %ah
    mov  boot_drive, %dl
    mov  $edd, %si
    int  $0x13
    CHECK nc, "AH=48h (26 bytes): CF set"
    cmpw $26, edd
    CHECK e, "AH=48h (26 bytes): the size is not 26"
    cmpw $0x1234, edd + 26
    CHECK e, "AH=48h (26 bytes): wrote past the buffer"
    ret

t_type:
    mov  $0x15, %ah
    mov  boot_drive, %dl
    int  $0x13
    CHECK nc, "AH=15h: CF set"
    cmp  $0x03, %ah
    CHECK e, "AH=15h: AH is not 03h (hard disk)"
    mov  %cx, %ax
    shl  $16, %eax
    mov  %dx, %ax
    test %eax, %eax
    CHECK nz, "AH=15h: no sectors"
    cmp  $BOOT_IMG_SECTORS, %eax
    CHECK be, "AH=15h: more sectors than the disk has"
    ret

/* LBA reads of patterned sectors: 1 sector, 7 sectors, 127 at once. */
t_lba_reads:
    mov  $BUF, %ax
    mov  %ax, %es
    xor  %bx, %bx
    mov  $100, %edi
    mov  $1, %cx
    mov  $0x42, %ah
    call lba_io
    CHECK nc, "AH=42h: 1 sector at LBA 100 failed"
    cmpw $1, dap + 2
    CHECK e, "AH=42h: the packet's count is not 1"
    call check_pattern
    CHECK e, "AH=42h: LBA 100 is not the sector on disk"
    mov  $200, %edi
    mov  $7, %cx
    mov  $0x42, %ah
    call lba_io
    CHECK nc, "AH=42h: 7 sectors at LBA 200 failed"
    call check_pattern
    CHECK e, "AH=42h: LBA 200-206 are not the sectors on disk"
    mov  $300, %edi
    mov  $127, %cx
    mov  $0x42, %ah
    call lba_io
    CHECK nc, "AH=42h: 127 sectors at LBA 300 failed"
    cmpw $127, dap + 2
    CHECK e, "AH=42h: the packet's count is not 127"
    call check_pattern
    CHECK e, "AH=42h: LBA 300-426 are not the sectors on disk"
    ret

/* CHS reads: 3 sectors from the last one of head 0 (into head 1); 4 from
 * the second-last of cylinder 0 (into cylinder 1, when the geometry has
 * two); 128 at once from LBA 100 (tracks and heads on the way).  The
 * program itself fills the first sectors: the patterned ones start after
 * BOOT_SECTORS + 1 (below 63). */
t_chs_reads:
    mov  $BUF, %ax
    call clear_buffer
    mov  %ax, %es
    xor  %bx, %bx
    movzwl spt, %edi
    dec  %edi
    mov  $0x0203, %ax
    call chs_io
    CHECK nc, "AH=02h: 3 sectors across a head boundary failed"
    cmp  $3, %al
    CHECK e, "AH=02h: AL is not 3 after reading 3 sectors"
    mov  $3, %cx
    call check_pattern
    CHECK e, "AH=02h: the sectors across a head boundary are not the right ones"
    cmpw $2, cyls
    jb   1f
    movzwl spt, %eax
    movzwl heads, %edx
    mul  %edx
    lea  -2(%eax), %edi
    mov  $0x0204, %ax
    call chs_io
    CHECK nc, "AH=02h: 4 sectors across a cylinder boundary failed"
    mov  $4, %cx
    call check_pattern
    CHECK e, "AH=02h: the sectors across a cylinder boundary are not the right ones"
    PRINT "cylinder boundary: ok\r\n"
1:  mov  $BUF, %ax
    call clear_buffer
    mov  $100, %edi
    mov  $0x0280, %ax
    call chs_io
    CHECK nc, "AH=02h: 128 sectors failed"
    cmp  $128, %al
    CHECK e, "AH=02h: AL is not 128 after reading 128 sectors"
    mov  $128, %cx
    call check_pattern
    CHECK e, "AH=02h: 128 sectors from LBA 100 are not the right ones"
    ret

/* A buffer at 1000:FF00 for 2 sectors ends at linear 200FFh: the BIOS
 * must carry on at 20000h (the linear address), not wrap to 10000h. */
t_buffer_across_64k:
    mov  $BUF, %ax
    call clear_buffer
    mov  %ax, %es
    mov  $0xff00, %bx
    mov  $500, %edi
    mov  $2, %cx
    mov  $0x42, %ah
    call lba_io
    CHECK nc, "AH=42h into 1000:FF00 failed"
    mov  $0x1ff0, %ax           /* the same bytes as 1FF0:0000 */
    mov  %ax, %es
    xor  %bx, %bx
    call check_pattern
    CHECK e, "AH=42h into 1000:FF00: the data is not at linear 1FF00h-202FFh"
    mov  $BUF, %ax
    mov  %ax, %es
    cmpl $0, %es:0
    CHECK e, "AH=42h into 1000:FF00 wrapped around to 1000:0000"
    ret

/* Write 8 sectors with 43h and 3 with 03h (CHS, across a head boundary),
 * then read them back with 42h and 02h. */
t_writes:
    mov  $BUF2, %ax
    mov  %ax, %es
    xor  %bx, %bx
    mov  $1500, %edi
    mov  $8, %cx
    call fill_buffer
    mov  $0x43, %ah
    xor  %al, %al
    call lba_io
    CHECK nc, "AH=43h: writing 8 sectors failed"
    cmpw $8, dap + 2
    CHECK e, "AH=43h: the packet's count is not 8"
    mov  $BUF, %ax
    call clear_buffer
    mov  %ax, %es
    mov  $0x42, %ah
    call lba_io
    CHECK nc, "AH=42h: reading the written sectors failed"
    add  $0x8000000, %edi
    call check_pattern
    CHECK e, "AH=42h: the sectors read back are not the ones written with 43h"
    mov  $BUF2, %ax
    mov  %ax, %es
    movzwl spt, %edi            /* the last sector of head 1's track, onwards */
    shl  $1, %edi
    dec  %edi
    mov  $3, %cx
    call fill_buffer
    mov  $0x0303, %ax
    call chs_io
    CHECK nc, "AH=03h: writing 3 sectors failed"
    cmp  $3, %al
    CHECK e, "AH=03h: AL is not 3 after writing 3 sectors"
    mov  $BUF, %ax
    call clear_buffer
    mov  %ax, %es
    mov  $0x42, %ah
    call lba_io
    CHECK nc, "AH=42h: reading the sectors written with 03h failed"
    push %edi
    add  $0x8000000, %edi
    call check_pattern
    pop  %edi
    CHECK e, "AH=42h: the sectors read back are not the ones written with 03h"
    mov  $BUF, %ax
    call clear_buffer
    mov  $0x0203, %ax
    call chs_io
    CHECK nc, "AH=02h: reading the sectors written with 03h failed"
    add  $0x8000000, %edi
    call check_pattern
    CHECK e, "AH=02h: the sectors read back are not the ones written with 03h"
    ret

t_other_functions:
    mov  $BUF, %ax
    mov  %ax, %es
    xor  %bx, %bx
    mov  $40, %edi
    mov  $0x0405, %ax           /* verify 5 sectors */
    call chs_io
    CHECK nc, "AH=04h: verify failed"
    mov  $40, %edi
    mov  $5, %cx
    mov  $0x44, %ah
    call lba_io
    CHECK nc, "AH=44h: verify failed"
    mov  $1000, %edi
    mov  $1, %cx
    mov  $0x47, %ah
    call lba_io
    CHECK nc, "AH=47h: seek failed"
    mov  $1000, %edi
    mov  $0x0c01, %ax
    call chs_io
    CHECK nc, "AH=0Ch: seek failed"
    mov  $0x00, %ah
    mov  boot_drive, %dl
    int  $0x13
    CHECK nc, "AH=00h: reset failed"
    mov  $0x0d, %ah
    mov  boot_drive, %dl
    int  $0x13
    CHECK nc, "AH=0Dh: reset failed"
    mov  $0x10, %ah
    mov  boot_drive, %dl
    int  $0x13
    CHECK nc, "AH=10h: the drive is not ready"
    mov  $0x11, %ah
    mov  boot_drive, %dl
    int  $0x13
    CHECK nc, "AH=11h: recalibrate failed"
    mov  $0x01, %ah             /* the last status: success */
    mov  boot_drive, %dl
    int  $0x13
    CHECK nc, "AH=01h: CF set after a good call"
    test %ah, %ah
    CHECK z, "AH=01h: the last status is not 0 after a good call"
    ret

/* error: after INT 13h: CF set and AH = 01h, and AH=01h says so too. */
expect_bad_parameter:
    pushf
    push %ax
    mov  $0x01, %ah
    mov  boot_drive, %dl
    int  $0x13
    mov  %ah, last_status
    pop  %ax
    popf
    CHECK c, "CF clear"
    cmp  $0x01, %ah
    CHECK e, "AH is not 01h"
    cmpb $0x01, last_status
    CHECK e, "AH=01h does not report the 01h"
    ret

t_errors:
    mov  $BUF, %ax
    mov  %ax, %es
    xor  %bx, %bx
    PRINT "count 0: "
    mov  $10, %edi
    mov  $0x0200, %ax
    call chs_io
    call expect_bad_parameter
    PRINT "ok; sector 0: "
    mov  $0x0201, %ax
    mov  $0x0000, %cx
    xor  %dh, %dh
    mov  boot_drive, %dl
    int  $0x13
    call expect_bad_parameter
    PRINT "ok; head >= heads: "
    mov  $0x0201, %ax
    mov  $0x0001, %cx
    mov  heads, %dh
    mov  boot_drive, %dl
    int  $0x13
    call expect_bad_parameter
    PRINT "ok; cylinder 1023: "
    mov  $0x0201, %ax
    mov  $0xffc1, %cx           /* cylinder 3FFh, sector 1 */
    xor  %dh, %dh
    mov  boot_drive, %dl
    int  $0x13
    call expect_bad_parameter
    PRINT "ok; drive 81h: "
    mov  $0x0201, %ax
    mov  $0x0001, %cx
    mov  $0x0081, %dx
    int  $0x13
    CHECK c, "a read from drive 81h (none) did not fail"
    PRINT "ok; drive 81h AH=08h: "
    mov  $0x08, %ah
    mov  $0x81, %dl
    push %es
    int  $0x13
    pop  %es
    CHECK c, "AH=08h on drive 81h (none) did not fail"
    PRINT "ok\r\n"
    ret

/* Past the end: 4 sectors from the second-last one (the BIOS may refuse
 * or read the two that exist, and must say which); 1 sector right after
 * the last. */
t_past_the_end:
    mov  $BUF, %ax
    call clear_buffer
    mov  %ax, %es
    xor  %bx, %bx
    mov  $BOOT_IMG_SECTORS - 2, %edi
    mov  $4, %cx
    mov  $0x42, %ah
    call lba_io
    CHECK c, "AH=42h: reading past the end did not fail"
    test %ah, %ah
    CHECK nz, "AH=42h: reading past the end: CF set but AH = 0"
    mov  dap + 2, %cx
    cmp  $2, %cx
    CHECK be, "AH=42h: reading past the end: the packet counts more than 2 sectors"
    jcxz 1f
    call check_pattern
    CHECK e, "AH=42h: reading past the end: the sectors it counts are not right"
1:  mov  $BOOT_IMG_SECTORS, %edi
    mov  $1, %cx
    mov  $0x42, %ah
    call lba_io
    CHECK c, "AH=42h: reading the sector after the last did not fail"
    test %ah, %ah
    CHECK nz, "AH=42h: the sector after the last: CF set but AH = 0"
    ret

    .data
    .balign 4
dap:    .fill 16, 1, 0
edd:    .fill 32, 1, 0
cyls:   .word 0
heads:  .word 0
spt:    .word 0
last_status: .byte 0
