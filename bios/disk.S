/* disk.S: the hard disk -- an ATA driver for the master device on the
 * primary channel (ports 1F0h-1F7h, 3F6h), and INT 13h on top of it for
 * drive 80h.
 *
 * The driver follows ATA/ATAPI-6: IDENTIFY DEVICE at POST (capacity from
 * words 60-61, or 100-103 when word 83 says the 48-bit feature set is
 * there), PIO data-in and data-out with READ/WRITE SECTORS, or their EXT
 * forms for addresses that need more than 28 bits.  It polls: nIEN is
 * set, and every wait watches BSY clear and then DRQ or ERR, with a
 * timeout (a host's disk can take a while: the device stays BSY meanwhile).
 *
 * INT 13h (Phoenix's "Enhanced Disk Drive Specification" 3.0 and Ralf
 * Brown's list for the details): the old CHS functions 00h-15h with a
 * translated geometry, and the extensions 41h-49h and 4Eh with 64-bit
 * LBAs.  The
 * geometry is the usual LBA-assisted translation: 63 sectors per track,
 * 16, 32, 64, 128 or 255 heads -- the fewest that keep the cylinders at or
 * below 1024 -- and the cylinders that fit (at most 1024).  A CHS address
 * is converted to an LBA, so a transfer may cross tracks and heads freely.
 * Errors: CF = 1 and AH = the status (also kept at 40:74h for AH=01h):
 *   01h bad function, drive, count or CHS field
 *   04h sector not found: the range goes past the end of the disk (the
 *       part before the end is transferred and counted)
 *   10h/02h/CCh/BBh the device's UNC/AMNF/DF/other errors, 20h a device
 *       that gave no data, 80h a device that stayed busy
 * Buffers are used as linear addresses: the segment moves along with the
 * data, so a transfer may cross a 64 KiB boundary (no DMA here).
 *
 * Runs on the boot processor: disk_init in POST, INT 13h under the guest
 * (interrupts on: the waits are polls, IRQ14 is not used). */
#include "bios.h"

    .set ATA_TIMEOUT, 0x01000000        /* polls of BSY before giving up (seconds) */
    .set POST_TIMEOUT, 0x00100000
    .set LBA28_LIMIT, 0x0fffffff        /* sectors an LBA28 command can reach */
    .set MAX_COUNT_CHS, 128             /* AL's limit for AH=02h-04h: 64 KiB */
    .set MAX_COUNT_EDD, 127             /* the DAP's limit (EDD 3.0) */
    .set EDD_CHS_LIMIT, 15482880        /* above this, EDD's CHS fields are not valid */
    .set IDENTIFY_BUF, 0x7c00           /* POST's scratch sector, 0000:7C00 */

    .set ST_OK, 0x00
    .set ST_BAD, 0x01
    .set ST_AMNF, 0x02
    .set ST_NOT_FOUND, 0x04
    .set ST_RESET_FAILED, 0x05
    .set ST_UNC, 0x10
    .set ST_CONTROLLER, 0x20
    .set ST_TIMEOUT, 0x80
    .set ST_NOT_READY, 0xaa
    .set ST_NOT_REMOVABLE, 0xb2
    .set ST_UNDEFINED, 0xbb
    .set ST_WRITE_FAULT, 0xcc

/* The request an INT 13h call builds below its register frame
 * (BP-relative), for disk_rw. */
    .set REQ_LBA, -8                    /* qword: the first sector */
    .set REQ_COUNT, -10                 /* word: sectors asked for */
    .set REQ_DONE, -12                  /* word: sectors transferred */
    .set REQ_SEG, -14                   /* the buffer */
    .set REQ_OFF, -16
    .set REQ_OP, -18                    /* byte: OP_* */
    .set REQ_SIZE, 18
    .set OP_READ, 0
    .set OP_WRITE, 1
    .set OP_VERIFY, 2                   /* read, and drop the data */

    .text
/* ---- The ATA driver ---------------------------------------------------------- */

/* ata_delay: the 400 ns a device may take to show a new status (four
 * reads of the alternate status, as the spec suggests).  Clobbers AL, DX. */
ata_delay:
    mov  $ATA_ALTSTATUS, %dx
    in   %dx, %al
    in   %dx, %al
    in   %dx, %al
    in   %dx, %al
    ret

/* ata_wait_idle: until BSY is clear (ECX polls at most).  AL = the status
 * (read from the status register, which also acknowledges an interrupt);
 * CF = 1 on timeout.  Clobbers ECX, DX. */
ata_wait_idle:
    mov  $ATA_ALTSTATUS, %dx
1:  in   %dx, %al
    test $ATA_SR_BSY, %al
    jz   2f
    pause
    dec  %ecx
    jnz  1b
    stc
    ret
2:  mov  $ATA_STATUS, %dx
    in   %dx, %al
    clc
    ret

/* ata_wait_data: after a command or a sector: wait for the device to be
 * done with BSY, then AL = 0 if it wants data moved (DRQ), else the INT
 * 13h status for what went wrong.  Clobbers ECX, DX. */
ata_wait_data:
    call ata_delay
    mov  $ATA_TIMEOUT, %ecx
    call ata_wait_idle
    jc   1f
    test $ATA_SR_ERR | ATA_SR_DF, %al
    jnz  ata_error
    test $ATA_SR_DRQ, %al
    jz   2f
    xor  %al, %al
    ret
1:  mov  $ST_TIMEOUT, %al
    ret
2:  mov  $ST_CONTROLLER, %al
    ret

/* ata_error: AL = the INT 13h status for the device's status AL and its
 * error register. */
ata_error:
    test $ATA_SR_DF, %al
    jnz  5f
    mov  $ATA_ERROR, %dx
    in   %dx, %al
    test $ATA_ER_IDNF, %al
    jnz  1f
    test $ATA_ER_UNC, %al
    jnz  2f
    test $ATA_ER_AMNF, %al
    jnz  3f
    test $ATA_ER_ABRT, %al
    jnz  4f
    mov  $ST_UNDEFINED, %al
    ret
1:  mov  $ST_NOT_FOUND, %al
    ret
2:  mov  $ST_UNC, %al
    ret
3:  mov  $ST_AMNF, %al
    ret
4:  mov  $ST_BAD, %al
    ret
5:  mov  $ST_WRITE_FAULT, %al
    ret

/* ata_reset: a software reset of the channel (SRST), interrupts from it
 * kept off (nIEN); AL = 0, or 05h if the device stays busy.  Clobbers
 * EAX, ECX, EDX (and waits about 2 ms, interrupts on: DS = BDA). */
ata_reset:
    mov  $ATA_DEVCTL, %dx
    mov  $ATA_CTL_NIEN | ATA_CTL_SRST, %al
    out  %al, %dx
    call ata_delay                      /* SRST must stay set at least 5 us */
    call ata_delay
    call ata_delay
    mov  $ATA_DEVCTL, %dx
    mov  $ATA_CTL_NIEN, %al
    out  %al, %dx
    mov  $2000, %eax
    call wait_us
    mov  $ATA_TIMEOUT, %ecx
    call ata_wait_idle
    mov  $ST_RESET_FAILED, %al
    jc   1f
    xor  %al, %al
1:  ret

/* ata_select_lba: device and address registers and the command for a
 * transfer of CX sectors (1-256) from the LBA in the request; the 28-bit
 * command when it reaches, else the EXT one (the registers written twice:
 * high bytes first).  AL = 0, or a status if the device stayed busy.
 * Clobbers EAX, EBX, ECX, EDX. */
ata_select_lba:
    push %cx
    mov  $ATA_TIMEOUT, %ecx
    call ata_wait_idle
    pop  %cx
    jc   9f
    mov  REQ_LBA(%bp), %ebx
    cmpl $0, REQ_LBA + 4(%bp)
    jne  lba48
    movzwl %cx, %eax
    add  %ebx, %eax
    jc   lba48
    cmp  $LBA28_LIMIT, %eax
    ja   lba48
    mov  %ebx, %eax                     /* LBA28: bits 27-24 in the device register */
    shr  $24, %eax
    or   $ATA_DEV_LBA, %al
    call ata_select
    jc   9f
    mov  %cl, %al                       /* 256 is written as 0 */
    mov  $ATA_COUNT, %dx
    out  %al, %dx
    call ata_out_lba_low
    mov  REQ_OP(%bp), %al
    cmp  $OP_WRITE, %al
    mov  $ATA_CMD_READ, %al
    jne  1f
    mov  $ATA_CMD_WRITE, %al
1:  mov  $ATA_COMMAND, %dx
    out  %al, %dx
    xor  %al, %al
    ret
lba48:
    mov  $ATA_DEV_LBA, %al
    call ata_select
    jc   9f
    mov  %ch, %al                       /* first the high bytes: count 15-8, LBA 47-24 */
    mov  $ATA_COUNT, %dx
    out  %al, %dx
    mov  REQ_LBA + 3(%bp), %al
    mov  $ATA_LBA0, %dx
    out  %al, %dx
    mov  REQ_LBA + 4(%bp), %al
    mov  $ATA_LBA1, %dx
    out  %al, %dx
    mov  REQ_LBA + 5(%bp), %al
    mov  $ATA_LBA2, %dx
    out  %al, %dx
    mov  %cl, %al                       /* then the low bytes */
    mov  $ATA_COUNT, %dx
    out  %al, %dx
    call ata_out_lba_low
    mov  REQ_OP(%bp), %al
    cmp  $OP_WRITE, %al
    mov  $ATA_CMD_READ_EXT, %al
    jne  1f
    mov  $ATA_CMD_WRITE_EXT, %al
1:  mov  $ATA_COMMAND, %dx
    out  %al, %dx
    xor  %al, %al
    ret
9:  mov  $ST_TIMEOUT, %al
    ret

/* ata_select: write AL to the device register and wait, as the device
 * selection protocol says, 400 ns and then until BSY and DRQ are clear.
 * CF = 1 on timeout.  Keeps CX. */
ata_select:
    mov  $ATA_DEVICE, %dx
    out  %al, %dx
    call ata_delay
    push %cx
    mov  $ATA_TIMEOUT, %ecx
    call ata_wait_idle
    pop  %cx
    jc   1f
    test $ATA_SR_DRQ, %al
    jz   1f
    stc                                 /* DRQ with no command: not ours to clear */
1:  ret

/* ata_out_lba_low: LBA bits 23-0 (from EBX) to the three LBA registers. */
ata_out_lba_low:
    mov  %bl, %al
    mov  $ATA_LBA0, %dx
    out  %al, %dx
    mov  %bh, %al
    mov  $ATA_LBA1, %dx
    out  %al, %dx
    mov  %ebx, %eax
    shr  $16, %eax
    mov  $ATA_LBA2, %dx
    out  %al, %dx
    ret

/* ata_transfer: one command moving CX sectors (1-256) between the disk at
 * the request's LBA and the buffer ES:DI, a sector per DRQ; REQ_DONE
 * counts them, and ES:DI moves along.  AL = 0 or the status.  Clobbers
 * EAX, EBX, ECX, EDX, SI. */
ata_transfer:
    push %cx
    call ata_select_lba
    pop  %cx
    test %al, %al
    jnz  9f
1:  push %cx
    call ata_wait_data
    pop  %cx
    test %al, %al
    jnz  9f
    push %cx
    mov  $ATA_DATA, %dx
    mov  $256, %cx
    cmpb $OP_WRITE, REQ_OP(%bp)
    je   3f
    jb   2f
4:  in   %dx, %ax                       /* verify: read the sector, keep nothing */
    loop 4b
    jmp  5f
2:  rep  insw
    jmp  5f
3:  mov  %di, %si
    rep  outsw %es:(%si), (%dx)
    mov  %si, %di
5:  pop  %cx
    incw REQ_DONE(%bp)
    call buf_normalize
    dec  %cx
    jnz  1b
    call ata_delay                      /* the last sector: the command's end status */
    push %cx
    mov  $ATA_TIMEOUT, %ecx
    call ata_wait_idle
    pop  %cx
    mov  $ST_TIMEOUT, %ah
    jc   8f
    test $ATA_SR_ERR | ATA_SR_DF, %al
    jnz  7f
    xor  %al, %al
9:  ret
7:  decw REQ_DONE(%bp)                  /* the last sector did not make it */
    jmp  ata_error
8:  mov  %ah, %al
    ret

/* buf_normalize: fold DI into ES (linear address unchanged, DI < 16), so
 * the next sector cannot wrap around the segment -- unless that would
 * carry ES past FFFFh (a buffer in the HMA), where DI just grows.
 * Clobbers AX, DX. */
buf_normalize:
    mov  %di, %ax
    shr  $4, %ax
    mov  %es, %dx
    add  %ax, %dx
    jc   1f
    mov  %dx, %es
    and  $0x0f, %di
1:  ret

/* disk_rw: do the request (REQ_LBA, REQ_COUNT, REQ_SEG:REQ_OFF, REQ_OP):
 * the sectors up to the disk's end, then 04h if the range went past it.
 * AL = the status; REQ_DONE = sectors done.  ES = EBDA on entry; clobbers
 * ES and EAX, EBX, ECX, EDX, SI, DI. */
disk_rw:
    movw $0, REQ_DONE(%bp)
    mov  %es:DISK_SECTORS, %eax         /* EDX:EAX = sectors left after LBA */
    mov  %es:DISK_SECTORS + 4, %edx
    sub  REQ_LBA(%bp), %eax
    sbb  REQ_LBA + 4(%bp), %edx
    jb   8f                             /* starts past the end */
    jnz  1f
    test %eax, %eax
    jz   8f
1:  movzwl REQ_COUNT(%bp), %ecx
    test %edx, %edx
    jnz  2f
    cmp  %eax, %ecx
    jbe  2f
    mov  %eax, %ecx                     /* stop at the end */
2:  push %cx
    mov  REQ_SEG(%bp), %es
    mov  REQ_OFF(%bp), %di
    call buf_normalize
    pop  %cx
    call ata_transfer
    test %al, %al
    jnz  9f
    mov  REQ_DONE(%bp), %ax
    cmp  REQ_COUNT(%bp), %ax
    mov  $ST_OK, %al
    je   9f
8:  mov  $ST_NOT_FOUND, %al
9:  ret

/* ---- POST: find the disk -------------------------------------------------- */

/* disk_init: reset the channel, IDENTIFY the master device, keep its
 * capacity and a translated geometry in the EBDA, point INT 41h at its
 * parameter table, count it in 40:75h, and say what was found.  Interrupts
 * on.  Clobbers EAX, EBX, ECX, EDX, SI, DI. */
    .globl disk_init
disk_init:
    push %ds
    push %es
    DS_BDA
    ES_EBDA
    movb $0, BDA_HD_COUNT
    PRINT msg_disk
    call ata_identify
    jc   1f
    call disk_parse_identify
    jc   1f
    call disk_geometry
    call disk_fdpt
    call disk_dpte
    movb $1, %es:DISK_PRESENT
    movb $1, BDA_HD_COUNT
    call disk_print
    jmp  2f
1:  call puts                           /* SI: why there is no disk */
2:  pop  %es
    pop  %ds
    ret

/* ata_identify: the 512 bytes of IDENTIFY DEVICE at IDENTIFY_BUF.  CF = 1
 * and SI = a message if there is no ATA disk: nothing answers the ports
 * (the bus floats: FFh), the registers do not hold a value written to
 * them, or the command fails (no device, or a packet device).  DS = BDA.
 * Clobbers EAX, ECX, EDX, DI. */
ata_identify:
    mov  $ATA_STATUS, %dx
    in   %dx, %al
    cmp  $0xff, %al
    je   8f
    call ata_reset
    mov  $ATA_DEVICE, %dx
    mov  $0xa0, %al                     /* the master */
    out  %al, %dx
    call ata_delay
    mov  $ATA_COUNT, %dx
    mov  $0x55, %al
    out  %al, %dx
    mov  $ATA_LBA0, %dx
    mov  $0xaa, %al
    out  %al, %dx
    mov  $ATA_COUNT, %dx
    in   %dx, %al
    cmp  $0x55, %al
    jne  8f
    mov  $ATA_LBA0, %dx
    in   %dx, %al
    cmp  $0xaa, %al
    jne  8f
    mov  $POST_TIMEOUT, %ecx
    call ata_wait_idle
    jc   8f
    mov  $ATA_COMMAND, %dx
    mov  $ATA_CMD_IDENTIFY, %al
    out  %al, %dx
    call ata_delay
    mov  $ATA_STATUS, %dx
    in   %dx, %al
    test %al, %al                       /* no device at all */
    jz   8f
    mov  $POST_TIMEOUT, %ecx
    call ata_wait_idle
    jc   8f
    test $ATA_SR_ERR | ATA_SR_DF, %al
    jnz  9f
    test $ATA_SR_DRQ, %al
    jz   9f
    push %es
    xor  %ax, %ax
    mov  %ax, %es
    mov  $IDENTIFY_BUF, %di
    mov  $ATA_DATA, %dx
    mov  $256, %cx
    rep  insw
    pop  %es
    clc
    ret
8:  mov  $msg_no_disk, %si
    stc
    ret
9:  mov  $msg_not_ata, %si
    stc
    ret

/* disk_parse_identify: the capacity from the IDENTIFY data into the EBDA
 * (ES); CF = 1 and SI = a message if the device has no LBA (every ATA
 * disk since ATA-2 has) or no sectors. */
disk_parse_identify:
    push %ds
    xor  %ax, %ax
    mov  %ax, %ds
    testw $1 << 9, IDENTIFY_BUF + 2 * 49         /* word 49 bit 9: LBA */
    jz   9f
    mov  IDENTIFY_BUF + 2 * 60, %eax             /* words 60-61: LBA28 capacity */
    xor  %edx, %edx
    mov  IDENTIFY_BUF + 2 * 83, %bx              /* word 83: bit 10 = 48-bit, 15-14 = 01 valid */
    and  $0xc400, %bx
    cmp  $0x4400, %bx
    jne  1f
    movb $1, %es:DISK_LBA48
    mov  IDENTIFY_BUF + 2 * 100, %eax            /* words 100-103: LBA48 capacity */
    mov  IDENTIFY_BUF + 2 * 102, %edx
    and  $0xffff, %edx                           /* 48 bits */
1:  mov  %eax, %es:DISK_SECTORS
    mov  %edx, %es:DISK_SECTORS + 4
    or   %edx, %eax
    jz   9f
    pop  %ds
    clc
    ret
9:  pop  %ds
    mov  $msg_not_ata, %si
    stc
    ret

/* disk_geometry: the translated CHS geometry for the capacity (ES = EBDA):
 * 63 sectors, the fewest heads of 16/32/64/128/255 that keep the
 * cylinders at 1024 or less, then the cylinders (1-1024).  Clobbers EAX,
 * EBX, ECX, EDX. */
disk_geometry:
    movw $63, %es:DISK_SPT
    mov  $255, %ebx
    cmpl $0, %es:DISK_SECTORS + 4
    jne  3f
    mov  %es:DISK_SECTORS, %eax
    mov  $16, %ebx
    mov  $1024 * 16 * 63, %ecx
1:  cmp  %ecx, %eax
    jbe  3f
    shl  $1, %ebx
    shl  $1, %ecx
    cmp  $128, %ebx
    jbe  1b
    mov  $255, %ebx
3:  mov  %bx, %es:DISK_HEADS
    imul $63, %ebx, %ecx                /* sectors per cylinder */
    mov  %es:DISK_SECTORS, %eax
    mov  %es:DISK_SECTORS + 4, %edx
    cmp  %ecx, %edx                     /* the quotient would not fit: many cylinders */
    jae  5f
    div  %ecx
    cmp  $1024, %eax
    jbe  4f
5:  mov  $1024, %eax
4:  test %eax, %eax
    jnz  6f
    inc  %eax                           /* a disk smaller than one cylinder */
6:  mov  %ax, %es:DISK_CYLS
    imul %ecx, %eax
    mov  %eax, %es:DISK_CHS_SECTORS
    ret

/* disk_fdpt: the fixed disk parameter table (IBM AT layout) in the EBDA,
 * and INT 41h pointing at it, for programs that read the geometry there. */
disk_fdpt:
    mov  %es:DISK_CYLS, %ax
    mov  %ax, %es:EBDA_FDPT + 0         /* cylinders */
    mov  %ax, %es:EBDA_FDPT + 12        /* landing zone */
    mov  %es:DISK_HEADS, %al
    mov  %al, %es:EBDA_FDPT + 2         /* heads */
    movw $0xffff, %es:EBDA_FDPT + 5     /* write precompensation: none */
    movb $0x08, %es:EBDA_FDPT + 8       /* control byte: more than 8 heads */
    mov  %es:DISK_SPT, %al
    mov  %al, %es:EBDA_FDPT + 14        /* sectors per track */
    push %ds
    xor  %ax, %ax
    mov  %ax, %ds
    movw $EBDA_FDPT, 0x41 * 4
    mov  %es, 0x41 * 4 + 2
    pop  %ds
    ret

/* disk_dpte: the EDD 3.0 device parameter table extension AH=48h points
 * to: how the drive is attached (ports, IRQ, master, LBA), the translation
 * (LBA-assisted), and a checksum.  ES = EBDA.  Clobbers AX, CX, SI. */
disk_dpte:
    movw $ATA_DATA, %es:EBDA_DPTE + 0   /* command block base */
    movw $ATA_ALTSTATUS, %es:EBDA_DPTE + 2  /* control block */
    movb $ATA_DEV_LBA, %es:EBDA_DPTE + 4    /* device register's upper nibble: master, LBA */
    movb $14, %es:EBDA_DPTE + 6         /* IRQ */
    movb $1, %es:EBDA_DPTE + 7          /* sectors per PIO block */
    movw $0x0218, %es:EBDA_DPTE + 10    /* CHS translated (bit 3), LBA on (4), LBA-assisted (9-10 = 01) */
    movb $0x11, %es:EBDA_DPTE + 14      /* revision */
    mov  $EBDA_DPTE, %si
    mov  $15, %cx
    xor  %al, %al
1:  sub  %es:(%si), %al
    inc  %si
    loop 1b
    mov  %al, %es:(%si)                 /* byte 15: the checksum */
    ret

/* disk_print: "80h: MODEL, N MiB (S sectors), CHS C/H/S, LBA48" from the
 * IDENTIFY data and the EBDA (ES). */
disk_print:
    push %ds
    xor  %ax, %ax
    mov  %ax, %ds
    mov  $39, %bx                       /* BX = the last non-blank */
1:  mov  %bx, %si
    xor  $1, %si
    cmpb $' ', IDENTIFY_BUF + 2 * 27(%si)
    jne  2f
    dec  %bx
    jns  1b
2:  inc  %bx                            /* BX = the length */
    xor  %cx, %cx
3:  cmp  %bx, %cx
    jae  4f
    mov  %cx, %si
    xor  $1, %si
    mov  IDENTIFY_BUF + 2 * 27(%si), %al
    call putc
    inc  %cx
    jmp  3b
4:  pop  %ds
    PRINT msg_comma
    mov  %es:DISK_SECTORS, %eax
    mov  %es:DISK_SECTORS + 4, %edx
    shrd $11, %edx, %eax                /* MiB: sectors / 2048 (a 4 TiB cap: 32 bits) */
    call putdec
    PRINT msg_mib
    cmpl $0, %es:DISK_SECTORS + 4       /* the sectors, if 32 bits hold them */
    jne  5f
    PRINT msg_open
    mov  %es:DISK_SECTORS, %eax
    call putdec
    PRINT msg_sectors
5:  PRINT msg_chs
    movzwl %es:DISK_CYLS, %eax
    call putdec
    mov  $'/', %al
    call putc
    movzwl %es:DISK_HEADS, %eax
    call putdec
    mov  $'/', %al
    call putc
    movzwl %es:DISK_SPT, %eax
    call putdec
    cmpb $0, %es:DISK_LBA48
    je   6f
    PRINT msg_lba48
6:  PRINT msg_crlf
    ret

/* ---- INT 13h -------------------------------------------------------------------- */

    .globl int13_disk
int13_disk:
    sti
    SERVICE_ENTER
    sub  $REQ_SIZE, %sp
    cld
    DS_BDA
    mov  F_AH(%bp), %ah
    cmp  $0x01, %ah
    je   d_status
    cmpb $0x80, F_DL(%bp)
    jne  d_no_drive
    ES_EBDA
    cmpb $0, %es:DISK_PRESENT
    je   d_no_drive
    mov  F_AH(%bp), %ah
    movzbw %ah, %bx
    cmp  $INT13_FUNCS, %bx
    jae  1f
    shl  $1, %bx
    jmp  *%cs:int13_table(%bx)
1:  cmp  $0x41, %ah
    je   d_check_extensions
    cmp  $0x42, %ah
    je   d_ext_read
    cmp  $0x43, %ah
    je   d_ext_write
    cmp  $0x44, %ah
    je   d_ext_verify
    cmp  $0x45, %ah
    je   d_lock
    cmp  $0x46, %ah
    je   d_eject
    cmp  $0x47, %ah
    je   d_ext_seek
    cmp  $0x48, %ah
    je   d_ext_params
    cmp  $0x49, %ah
    je   d_ok                           /* 49h media changed?  A fixed disk: no */
    cmp  $0x4e, %ah
    je   d_hw_config
d_bad:
    mov  $ST_BAD, %al
/* d_done: return status AL: in AH and 40:74h; CF = 1 unless it is 0. */
d_done:
    mov  %al, F_AH(%bp)
    mov  %al, BDA_HD_STATUS
    CLEAR_CF
    test %al, %al
    jz   d_leave
    SET_CF
d_leave:
    mov  %bp, %sp
    SERVICE_LEAVE
d_ok:
    xor  %al, %al
    jmp  d_done

int13_table:
    .word d_reset               /* 00h reset */
    .word d_bad                 /* 01h status: before the drive check */
    .word d_read                /* 02h read sectors (CHS) */
    .word d_write               /* 03h write sectors */
    .word d_verify              /* 04h verify sectors */
    .word d_format              /* 05h format track */
    .word d_bad                 /* 06h, 07h: XT-only formats */
    .word d_bad
    .word d_params              /* 08h drive parameters */
    .word d_ok                  /* 09h initialise drive characteristics */
    .word d_bad                 /* 0Ah, 0Bh read/write long: no ECC bytes to show */
    .word d_bad
    .word d_seek                /* 0Ch seek */
    .word d_reset               /* 0Dh alternate reset */
    .word d_bad                 /* 0Eh, 0Fh: PS/2 diagnostics */
    .word d_bad
    .word d_ready               /* 10h test drive ready */
    .word d_ok                  /* 11h recalibrate */
    .word d_bad                 /* 12h, 13h: PS/2 diagnostics */
    .word d_bad
    .word d_ok                  /* 14h controller diagnostic */
    .word d_type                /* 15h drive type */
    .set INT13_FUNCS, (. - int13_table) / 2

/* No such drive (only 80h exists, when a disk was found): 01h, but AH=15h
 * answers AH = 00h "no such drive" with CF clear. */
d_no_drive:
    cmpb $0x15, F_AH(%bp)
    je   1f
    mov  $ST_BAD, %al
    cmpb $0x80, F_DL(%bp)
    jae  d_done
    mov  %al, BDA_FLOPPY_STATUS         /* a diskette drive: its own status byte */
    mov  %al, F_AH(%bp)
    SET_CF
    jmp  d_leave
1:  movb $0, F_AH(%bp)
    CLEAR_CF
    jmp  d_leave

/* AH=01h: AH = the status of the last operation (kept), CF = 1 unless 0. */
d_status:
    mov  BDA_HD_STATUS, %al
    cmpb $0x80, F_DL(%bp)
    jae  1f
    mov  BDA_FLOPPY_STATUS, %al
1:  mov  %al, F_AH(%bp)
    CLEAR_CF
    test %al, %al
    jz   d_leave
    SET_CF
    jmp  d_leave

/* AH=00h/0Dh: reset the channel. */
d_reset:
    call ata_reset
    jmp  d_done

/* chs_to_lba: REQ_LBA from the frame's CH, CL (sector in bits 5-0,
 * cylinder bits 9-8 in 7-6) and DH, checked against the geometry; AL = 0
 * or 01h.  ES = EBDA.  Clobbers EAX, EBX, ECX, EDX. */
chs_to_lba:
    movzbl F_CL(%bp), %ecx
    and  $0x3f, %cl                     /* ECX = sector */
    jz   9f
    cmp  %es:DISK_SPT, %cx
    ja   9f
    movzbl F_DH(%bp), %ebx              /* EBX = head */
    cmp  %es:DISK_HEADS, %bx
    jae  9f
    movzbl F_CL(%bp), %eax              /* EAX = cylinder */
    shl  $2, %eax
    mov  F_CH(%bp), %al
    cmp  %es:DISK_CYLS, %ax
    jae  9f
    movzwl %es:DISK_HEADS, %edx
    imul %edx, %eax
    add  %ebx, %eax
    movzwl %es:DISK_SPT, %edx
    imul %edx, %eax
    lea  -1(%eax, %ecx), %eax
    mov  %eax, REQ_LBA(%bp)
    movl $0, REQ_LBA + 4(%bp)
    xor  %al, %al
    ret
9:  mov  $ST_BAD, %al
    ret

/* AH=02h/03h/04h: AL sectors (1-128) at CH/CL/DH, to or from ES:BX.
 * Returns AL = sectors transferred. */
d_read:
    movb $OP_READ, REQ_OP(%bp)
    jmp  d_chs_rw
d_write:
    movb $OP_WRITE, REQ_OP(%bp)
    jmp  d_chs_rw
d_verify:
    movb $OP_VERIFY, REQ_OP(%bp)
d_chs_rw:
    movzbw F_AL(%bp), %ax
    movb $0, F_AL(%bp)
    test %ax, %ax
    jz   d_bad
    cmp  $MAX_COUNT_CHS, %ax
    ja   d_bad
    mov  %ax, REQ_COUNT(%bp)
    call chs_to_lba
    test %al, %al
    jnz  d_done
    mov  F_ES(%bp), %ax
    mov  %ax, REQ_SEG(%bp)
    mov  F_BX(%bp), %ax
    mov  %ax, REQ_OFF(%bp)
    call disk_rw
    mov  REQ_DONE(%bp), %bl
    mov  %bl, F_AL(%bp)
    jmp  d_done

/* AH=05h: format a track: the address is checked; the data stays (a disk
 * image has no low-level format, and ATA-6 dropped FORMAT TRACK).
 * AH=0Ch: seek: the address is checked. */
d_format:
d_seek:
    call chs_to_lba
    jmp  d_done

/* AH=08h: CH = last cylinder (bits 7-0), CL = sectors per track | last
 * cylinder bits 9-8 << 6, DH = last head, DL = number of hard disks. */
d_params:
    mov  %es:DISK_CYLS, %ax
    dec  %ax
    mov  %al, F_CH(%bp)
    shr  $2, %ax
    and  $0xc0, %al
    or   %es:DISK_SPT, %al
    mov  %al, F_CL(%bp)
    mov  %es:DISK_HEADS, %al
    dec  %al
    mov  %al, F_DH(%bp)
    mov  BDA_HD_COUNT, %al
    mov  %al, F_DL(%bp)
    movb $0, F_AL(%bp)
    jmp  d_ok

/* AH=10h: ready if the device is not busy and says DRDY. */
d_ready:
    mov  $ATA_ALTSTATUS, %dx
    in   %dx, %al
    and  $ATA_SR_BSY | ATA_SR_DRDY, %al
    cmp  $ATA_SR_DRDY, %al
    je   d_ok
    mov  $ST_NOT_READY, %al
    jmp  d_done

/* AH=15h: AH = 03h (a hard disk), CX:DX = its sectors in CHS terms. */
d_type:
    mov  %es:DISK_CHS_SECTORS, %eax
    mov  %ax, F_DX(%bp)
    shr  $16, %eax
    mov  %ax, F_CX(%bp)
    movb $0, BDA_HD_STATUS
    movb $0x03, F_AH(%bp)
    CLEAR_CF
    jmp  d_leave

/* AH=41h: BX = 55AAh asks whether the extensions exist: BX = AA55h, AH =
 * 30h (EDD 3.0), CX = 7: the extended disk access functions (42h-44h,
 * 47h, 48h), the removable-media ones (45h, 46h, 49h: answered as a fixed
 * disk does) and EDD (48h gives a DPTE). */
d_check_extensions:
    cmpw $0x55aa, F_BX(%bp)
    jne  d_bad
    movw $0xaa55, F_BX(%bp)
    movw $0x0007, F_CX(%bp)
    movb $0, BDA_HD_STATUS
    movb $0x30, F_AH(%bp)
    CLEAR_CF
    jmp  d_leave

/* dap_load: the disk address packet at the caller's DS:SI into the
 * request: size (10h or more), count (1-127), buffer, LBA.  A buffer of
 * FFFF:FFFF (EDD 3.0: a 64-bit flat address at 10h) is not supported.
 * AL = 0 or 01h.  Clobbers EAX, ES, SI. */
dap_load:
    mov  F_DS(%bp), %es
    mov  F_SI(%bp), %si
    cmpb $0x10, %es:0(%si)
    jb   9f
    mov  %es:2(%si), %ax
    test %ax, %ax
    jz   9f
    cmp  $MAX_COUNT_EDD, %ax
    ja   9f
    mov  %ax, REQ_COUNT(%bp)
    mov  %es:4(%si), %eax
    cmp  $0xffffffff, %eax
    je   9f
    mov  %ax, REQ_OFF(%bp)
    shr  $16, %eax
    mov  %ax, REQ_SEG(%bp)
    mov  %es:8(%si), %eax
    mov  %eax, REQ_LBA(%bp)
    mov  %es:12(%si), %eax
    mov  %eax, REQ_LBA + 4(%bp)
    xor  %al, %al
    ret
9:  mov  $ST_BAD, %al
    ret

/* AH=42h/43h/44h: the packet's sectors from/to its buffer; the packet's
 * count becomes the number transferred.  43h's AL (write flags: verify or
 * not, with meanings that changed between EDD versions) is ignored: the
 * device reports a write it could not do either way. */
d_ext_read:
    movb $OP_READ, REQ_OP(%bp)
    jmp  d_ext_rw
d_ext_write:
    movb $OP_WRITE, REQ_OP(%bp)
    jmp  d_ext_rw
d_ext_verify:
    movb $OP_VERIFY, REQ_OP(%bp)
d_ext_rw:
    call dap_load
    test %al, %al
    jnz  d_ext_bad
    ES_EBDA
    call disk_rw
    mov  F_DS(%bp), %es
    mov  F_SI(%bp), %si
    mov  REQ_DONE(%bp), %bx
    mov  %bx, %es:2(%si)
    jmp  d_done
d_ext_bad:
    mov  F_DS(%bp), %es                 /* nothing transferred */
    mov  F_SI(%bp), %si
    movw $0, %es:2(%si)
    jmp  d_done

/* AH=45h: lock or unlock the medium (AL = 0, 1; 2 = status): a fixed
 * disk is always in, so it succeeds and says unlocked (AL = 0). */
d_lock:
    cmpb $2, F_AL(%bp)
    ja   d_bad
    movb $0, F_AL(%bp)
    jmp  d_ok

/* AH=46h: eject: B2h, the volume is not removable. */
d_eject:
    mov  $ST_NOT_REMOVABLE, %al
    jmp  d_done

/* AH=4Eh: set hardware configuration (AL = 01h, 03h, 04h, 06h: prefetch,
 * PIO, DMA modes): accepted, nothing to change in a PIO driver. */
d_hw_config:
    mov  F_AL(%bp), %al
    cmp  $0x01, %al
    je   d_ok
    cmp  $0x03, %al
    je   d_ok
    cmp  $0x04, %al
    je   d_ok
    cmp  $0x06, %al
    je   d_ok
    jmp  d_bad

/* AH=47h: extended seek: the packet's LBA must be on the disk. */
d_ext_seek:
    call dap_load
    test %al, %al
    jnz  d_done
    ES_EBDA
    mov  REQ_LBA(%bp), %eax
    mov  REQ_LBA + 4(%bp), %edx
    sub  %es:DISK_SECTORS, %eax
    sbb  %es:DISK_SECTORS + 4, %edx
    jb   d_ok
    mov  $ST_NOT_FOUND, %al
    jmp  d_done

/* AH=48h: drive parameters into the caller's buffer at DS:SI, whose first
 * word gives its size (26 at least; 30 or more also gets the pointer to
 * the DPTE).  Flags: DMA boundaries handled (bit 0), the CHS fields valid
 * (bit 1; not above 15,482,880 sectors, as EDD says). */
d_ext_params:
    mov  F_DS(%bp), %es
    mov  F_SI(%bp), %di
    mov  %es:(%di), %ax
    cmp  $26, %ax
    jb   d_bad
    mov  $30, %bx
    cmp  %bx, %ax
    jae  1f
    mov  $26, %bx
1:  mov  BDA_EBDA_SEG, %ax              /* DS = EBDA, ES:DI = the buffer */
    mov  %ax, %ds
    mov  %bx, %es:0(%di)
    movw $0x0001, %es:2(%di)
    cmpl $0, DISK_SECTORS + 4
    jne  2f
    cmpl $EDD_CHS_LIMIT, DISK_SECTORS
    ja   2f
    orw  $0x0002, %es:2(%di)
2:  movzwl DISK_CYLS, %eax
    mov  %eax, %es:4(%di)
    movzwl DISK_HEADS, %eax
    mov  %eax, %es:8(%di)
    movzwl DISK_SPT, %eax
    mov  %eax, %es:12(%di)
    mov  DISK_SECTORS, %eax
    mov  %eax, %es:16(%di)
    mov  DISK_SECTORS + 4, %eax
    mov  %eax, %es:20(%di)
    movw $512, %es:24(%di)
    cmp  $30, %bx
    jb   3f
    movw $EBDA_DPTE, %es:26(%di)
    mov  %ds, %es:28(%di)
3:  DS_BDA
    jmp  d_ok

msg_disk:
    .asciz "Disk 80h: "
msg_no_disk:
    .asciz "none\r\n"
msg_not_ata:
    .asciz "none (the device on the primary ATA channel is not an LBA disk)\r\n"
msg_comma:
    .asciz ", "
msg_mib:
    .asciz " MiB"
msg_open:
    .asciz " ("
msg_sectors:
    .asciz " sectors)"
msg_chs:
    .asciz ", CHS "
msg_lba48:
    .asciz ", LBA48"
