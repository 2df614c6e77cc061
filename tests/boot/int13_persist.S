/* int13_persist.S: disk writes reach the disk image and survive vm.
 * tests/boot.sh boots a copy of this disk twice.  The first run finds
 * mkimg's pattern at LBA 1000-1001, writes its own data there (LBA 1000
 * with AH=43h, LBA 1001 with AH=03h), reads it back and says "persist:
 * wrote"; the second run finds that data and says "persist: found".  The
 * script also reads the sectors from the image file itself. */
#include "boot/boot.inc"

    .set BUF, 0x1000            /* segment of the sector buffer */
    .set MAGIC, 0x53504d56      /* "VMPS" */
    .set LBA, 1000

    .text
main:
    PRINT "int13_persist: LBA 1000-1001 across two runs\r\n"
    mov  $BUF, %ax
    mov  %ax, %es
    xor  %bx, %bx
    mov  $0x42, %ah
    mov  $2, %cx
    call lba_io
    CHECK nc, "AH=42h: reading LBA 1000-1001 failed"
    cmpl $MAGIC, %es:0
    je   second_run
    cmpl $LBA, %es:0            /* the first run: the sector mkimg wrote */
    CHECK e, "LBA 1000 holds neither mkimg's pattern nor our data"
    call fill                   /* our data, in both sectors */
    mov  $0x43, %ah
    mov  $1, %cx
    call lba_io
    CHECK nc, "AH=43h: writing LBA 1000 failed"
    mov  $0x0301, %ax           /* LBA 1001 = CHS from AH=08h's geometry */
    call chs_1001
    mov  $0x200, %bx
    int  $0x13
    CHECK nc, "AH=03h: writing LBA 1001 failed"
    call zero
    mov  $0x42, %ah
    xor  %bx, %bx
    mov  $2, %cx
    call lba_io
    CHECK nc, "AH=42h: reading back failed"
    call compare
    CHECK e, "the sectors read back are not the ones written"
    PRINT "persist: wrote LBA 1000-1001\r\n"
    jmp  pass
second_run:
    call compare
    CHECK e, "LBA 1000-1001 hold only part of what the first run wrote"
    PRINT "persist: found what the first run wrote\r\n"
    jmp  pass

/* lba_io: AH = 42h/43h, CX sectors at LBA, buffer ES:BX. */
lba_io:
    movb $0x10, dap
    mov  %cx, dap + 2
    mov  %bx, dap + 4
    mov  %es, dap + 6
    movl $LBA, dap + 8
    mov  $dap, %si
    mov  boot_drive, %dl
    int  $0x13
    ret

/* chs_1001: CX, DX for AH=03h at LBA 1001 by the geometry AH=08h reports.
 * Keeps AX and ES. */
chs_1001:
    push %ax
    push %es
    mov  $0x08, %ah
    mov  boot_drive, %dl
    int  $0x13
    pop  %es
    CHECK nc, "AH=08h failed"
    movzbl %cl, %ebx            /* EBX = sectors per track */
    and  $0x3f, %bl
    movzbl %dh, %esi            /* ESI = heads */
    inc  %esi
    mov  $LBA + 1, %eax
    xor  %edx, %edx
    div  %ebx
    lea  1(%edx), %ecx          /* CL = sector */
    xor  %edx, %edx
    div  %esi                   /* EAX = cylinder, EDX = head */
    mov  %al, %ch
    shl  $6, %ah
    or   %ah, %cl
    mov  %dl, %dh
    mov  boot_drive, %dl
    pop  %ax
    ret

/* fill: the two sectors at ES:0 get MAGIC, then dword i = i * 0x01010101
 * ^ LBA of the sector.  compare: ZF = 1 if they hold that. zero: 0s. */
fill:
    xor  %di, %di
1:  call expected
    mov  %eax, %es:(%di)
    add  $4, %di
    cmp  $1024, %di
    jb   1b
    ret
compare:
    xor  %di, %di
1:  call expected
    cmp  %es:(%di), %eax
    jne  2f
    add  $4, %di
    cmp  $1024, %di
    jb   1b
2:  ret
zero:
    xor  %di, %di
    xor  %ax, %ax
    mov  $512, %cx
    rep  stosw
    ret
/* expected: EAX = the dword at offset DI of the two sectors. */
expected:
    test $0x1ff, %di
    jnz  1f
    mov  $MAGIC, %eax
    ret
1:  movzwl %di, %eax
    shr  $2, %eax
    imul $0x01010101, %eax
    cmp  $512, %di
    jb   2f
    xor  $LBA + 1, %eax
    ret
2:  xor  $LBA, %eax
    ret

    .data
    .balign 4
dap:    .fill 16, 1, 0
