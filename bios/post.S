/* post.S: the reset vector and the power-on self test.
 *
 * The boot processor starts at F000:FFF0 in real mode.  POST brings the
 * machine to the state PC software expects (docs/bios.md, "POST"):
 *   1. the 8259 PICs (vectors 08h-0Fh and 70h-77h, all masked), the
 *      interrupt vector table and the BIOS data area;
 *   2. COM1, the console: from here on every stage says what it found;
 *   3. the PIT (18.2 Hz ticks), the RTC, the A20 gate;
 *   4. memory: its size from the CMOS, the EBDA at the top of base memory,
 *      the E820 map;
 *   5. interrupts on; the CPUs counted with INIT-SIPI-SIPI and the MP
 *      tables written (smp.S);
 *   6. the disk found with ATA IDENTIFY (disk.S);
 *   7. INT 19h loads the boot sector (boot.S).
 * A reset with a shutdown code in CMOS byte 0Fh (05h, 0Ah, 0Bh: a 286-era
 * program leaving protected mode, or an AP on an old board) skips POST and
 * resumes at the far pointer in 40:67h.
 *
 * A jump to the reset vector is not a reset: programs reboot that way
 * (SYSLINUX's reboot.c32 far-calls F000:FFF0, DOS programs jump to
 * FFFF:0000 with 1234h at 40:72h), but the devices, the APs and the
 * interrupt controllers stay as the operating system left them, and vm's
 * -no-reboot never hears of it.  So, as SeaBIOS does (romlayout.S
 * entry_post: HaveRunPost set means "a resume or a soft reboot";
 * resume.c handle_resume32: "Must be a soft reboot - invoke a hard
 * reboot"), POST marks the BDA when it is done (40:ACh = POST_DONE_MAGIC)
 * and an entry that finds the mark -- and no shutdown code -- resets the
 * machine through the keyboard controller (machine_reset, system.S),
 * which a real reset follows with a full POST.
 *
 * Runs on the boot processor; interrupts are off until step 5. */
#include "bios.h"

    .set POST_STACK, 0x7000             /* grows down, below the scratch sector */
    .set SHUTDOWN_EOI_JMP, 0x05         /* CMOS 0Fh: EOI the PIC, then jump */
    .set SHUTDOWN_JMP, 0x0a             /* jump to 40:67h */
    .set SHUTDOWN_IRET, 0x0b            /* load SS:SP from 40:67h and IRET */
    .set CMOS_SHUTDOWN, 0x0f

    .section .reset, "ax"
    .globl reset
reset:
    ljmp $0xf000, $post                 /* F000:FFF0 */
    .ascii "04/01/26"                   /* F000:FFF5: the BIOS date, MM/DD/YY */
    .byte 0
    .byte 0xfc                          /* F000:FFFE: model byte, an AT */
    .byte 0

    .text
/* post: the reset entry.  Everything from scratch: the CPU is as after
 * RESET (or INIT), RAM holds whatever it held. */
post:
    cli
    cld
    mov  $0x80 | CMOS_SHUTDOWN, %al     /* read and clear the shutdown code, NMI off */
    out  %al, $CMOS_INDEX
    in   $CMOS_DATA, %al
    mov  %al, %bl
    mov  $0x80 | CMOS_SHUTDOWN, %al
    out  %al, $CMOS_INDEX
    xor  %al, %al
    out  %al, $CMOS_DATA
    cmp  $SHUTDOWN_JMP, %bl
    je   resume_jmp
    cmp  $SHUTDOWN_EOI_JMP, %bl
    je   resume_eoi_jmp
    cmp  $SHUTDOWN_IRET, %bl
    je   resume_iret

    xor  %ax, %ax
    mov  %ax, %ss
    mov  $POST_STACK, %sp
    mov  $BDA_SEG, %ax
    mov  %ax, %ds
    cmpw $POST_DONE_MAGIC, BDA_POST_DONE
    je   machine_reset                  /* POST has run: a jump here, not a reset */
    xor  %ax, %ax
    mov  %ax, %ds
    mov  %ax, %es
    mov  $0x01, %al
    out  %al, $POST_CODE
    fninit                              /* RESET left every x87 exception unmasked, 24-bit precision */
    call post_pic
    call post_ivt
    call post_bda
    call serial_init
    PRINT msg_banner
    call post_pit
    call post_rtc
    call post_a20
    call post_memory
    mov  $0x10, %al
    out  %al, $POST_CODE
    call post_unmask_irqs
    sti
    call smp_init
    call disk_init
    mov  $0x20, %al
    out  %al, $POST_CODE
    mov  $BDA_SEG, %ax
    mov  %ax, %ds
    movw $POST_DONE_MAGIC, BDA_POST_DONE /* from here, an entry at F000:FFF0 resets */
    int  $0x19                          /* does not return */

/* Shutdown code 0Ah: continue at the far pointer in 40:67h, no POST. */
resume_jmp:
    mov  $BDA_SEG, %ax
    mov  %ax, %ds
    ljmp *BDA_RESET_VECTOR
/* 05h: the same after an EOI to the PICs. */
resume_eoi_jmp:
    mov  $PIC_EOI, %al
    out  %al, $PIC2_CMD
    out  %al, $PIC1_CMD
    jmp  resume_jmp
/* 0Bh: SS:SP from 40:67h, then IRET through the frame there. */
resume_iret:
    mov  $BDA_SEG, %ax
    mov  %ax, %ds
    lss  BDA_RESET_VECTOR, %sp
    iret

/* post_pic: both 8259s initialised: edge triggered, cascaded on IR2,
 * vectors 08h-0Fh and 70h-77h, 8086 mode, every line masked until the
 * handlers exist.  Clobbers AL. */
post_pic:
    mov  $0x11, %al                     /* ICW1: edge, cascade, ICW4 follows */
    out  %al, $PIC1_CMD
    out  %al, $PIC2_CMD
    mov  $0x08, %al                     /* ICW2: vector bases */
    out  %al, $PIC1_DATA
    mov  $0x70, %al
    out  %al, $PIC2_DATA
    mov  $0x04, %al                     /* ICW3: the slave on IR2 */
    out  %al, $PIC1_DATA
    mov  $0x02, %al
    out  %al, $PIC2_DATA
    mov  $0x01, %al                     /* ICW4: 8086 mode, normal EOI */
    out  %al, $PIC1_DATA
    out  %al, $PIC2_DATA
    mov  $0xff, %al
    out  %al, $PIC1_DATA
    out  %al, $PIC2_DATA
    ret

/* post_unmask_irqs: the lines the BIOS serves: IRQ0 timer, 1 keyboard
 * controller, 2 cascade, 4 COM1, 8 RTC, 14 disk.  Clobbers AL. */
post_unmask_irqs:
    mov  $0xff & ~(1 << 0 | 1 << 1 | 1 << 2 | 1 << 4), %al
    out  %al, $PIC1_DATA
    mov  $0xff & ~(1 << (8 - 8) | 1 << (14 - 8)), %al
    out  %al, $PIC2_DATA
    ret

/* post_ivt: every vector to an IRET, then the BIOS's handlers.  Vectors
 * 60h-67h (for user programs) and the table pointers 1Dh, 1Fh, 41h, 46h
 * are zero until something fills them.  Clobbers AX, BX, CX, SI, DI. */
post_ivt:
    push %es
    xor  %ax, %ax
    mov  %ax, %es
    xor  %di, %di
    mov  $256, %cx
1:  movw $int_iret, %es:(%di)
    movw $0xf000, %es:2(%di)
    add  $4, %di
    loop 1b
    mov  $0x60 * 4, %di                 /* 60h-67h: zero */
    xor  %eax, %eax
    mov  $8, %cx
    rep  stosl
    mov  $ivt_table, %si
2:  movzbw %cs:(%si), %bx               /* (vector, handler) pairs, FFh ends */
    cmp  $0xff, %bl
    je   3f
    shl  $2, %bx
    mov  %cs:1(%si), %ax
    mov  %ax, %es:(%bx)
    movw $0xf000, %es:2(%bx)
    test %ax, %ax                       /* a zero handler: a null table pointer */
    jnz  4f
    movw $0, %es:2(%bx)
4:  add  $3, %si
    jmp  2b
3:  pop  %es
    ret

/* The vector table: vector byte, handler offset in F000h (0: a null
 * pointer).  Hardware IRQs without a driver get the default handlers,
 * which acknowledge the PIC. */
ivt_table:
    .byte 0x08
    .word irq0_timer
    .byte 0x09
    .word irq1_keyboard
    .byte 0x0a
    .word irq_master_default
    .byte 0x0b
    .word irq_master_default
    .byte 0x0c
    .word irq4_serial
    .byte 0x0d
    .word irq_master_default
    .byte 0x0e
    .word irq_master_default
    .byte 0x0f
    .word irq_master_default
    .byte 0x10
    .word int10_video
    .byte 0x11
    .word int11_equipment
    .byte 0x12
    .word int12_memory
    .byte 0x13
    .word int13_disk
    .byte 0x15
    .word int15_system
    .byte 0x16
    .word int16_keyboard
    .byte 0x18
    .word int18_no_boot
    .byte 0x19
    .word int19_boot
    .byte 0x1a
    .word int1a_time
    .byte 0x1d
    .word 0                             /* video parameters: none */
    .byte 0x1e
    .word diskette_params
    .byte 0x1f
    .word 0                             /* graphics font: none */
    .byte 0x41
    .word 0                             /* set by disk_init when there is a disk */
    .byte 0x46
    .word 0
    .byte 0x70
    .word irq8_rtc
    .byte 0x71
    .word irq_slave_default
    .byte 0x72
    .word irq_slave_default
    .byte 0x73
    .word irq_slave_default
    .byte 0x74
    .word irq_slave_default
    .byte 0x75
    .word irq_slave_default
    .byte 0x76
    .word irq14_disk
    .byte 0x77
    .word irq_slave_default
    .byte 0xff

/* The diskette parameter table INT 1Eh points to (IBM's values for a
 * 1.44 MB drive).  There is no diskette drive; DOS reads and copies this
 * table anyway. */
diskette_params:
    .byte 0xaf, 0x02, 0x25, 0x02, 0x12, 0x1b, 0xff, 0x6c, 0xf6, 0x0f, 0x08

/* post_bda: the BIOS data area, cleared and filled in: COM1, the
 * equipment word, the key buffer, an 80x25 colour text mode.  Memory size
 * and the EBDA come later (post_memory).  Clobbers AX, CX, DI. */
post_bda:
    push %es
    mov  $BDA_SEG, %ax
    mov  %ax, %es
    xor  %di, %di
    xor  %ax, %ax
    mov  $128, %cx
    rep  stosw
    movw $COM1, %es:BDA_COM_BASE
    call equipment_word
    mov  %ax, %es:BDA_EQUIPMENT
    movw $KB_BUF_START, %es:BDA_KB_HEAD
    movw $KB_BUF_START, %es:BDA_KB_TAIL
    movw $KB_BUF_START, %es:BDA_KB_START
    movw $KB_BUF_END, %es:BDA_KB_END
    movb $0x10, %es:BDA_KB_STATUS3      /* a 101/102-key keyboard: INT 16h 10h-12h */
    movb $1, %es:BDA_COM_TIMEOUT
    pop  %es
    push %ds
    DS_BDA
    mov  $3, %al
    call video_set_mode
    pop  %ds
    ret

/* equipment_word: the word INT 11h returns.  Bit 1: an x87 (CPUID says);
 * bits 4-5 = 10b: 80x25 colour; bits 9-11: one serial port; no diskette
 * drives (bits 0, 6-7 clear).  Returns AX; clobbers nothing else. */
equipment_word:
    push %ebx
    push %ecx
    push %edx
    mov  $1, %eax
    cpuid
    mov  $0x0220, %ax
    test $1, %dl                        /* CPUID.1:EDX.FPU */
    jz   1f
    or   $0x0002, %ax
1:  pop  %edx
    pop  %ecx
    pop  %ebx
    ret

/* post_pit: channel 0 in mode 3 with divisor 0 (65536): IRQ0 at
 * 1193182 / 65536 = 18.2 Hz, the tick every PC program counts.  Channel 2
 * (the speaker) off.  Clobbers AL. */
post_pit:
    mov  $0x36, %al                     /* channel 0, LSB then MSB, mode 3, binary */
    out  %al, $PIT_CTRL
    xor  %al, %al
    out  %al, $PIT_CH0
    out  %al, $PIT_CH0
    in   $PORT_B, %al
    and  $0xfc, %al
    out  %al, $PORT_B
    ret

/* post_rtc: the RTC running (divider 32.768 kHz, periodic rate 1024 Hz
 * for INT 15h waits), 24-hour BCD mode with no interrupts enabled, its
 * flags read clear; the CMOS checksum checked.  Clobbers AX, BX, CX. */
post_rtc:
    mov  $0x0a, %al
    mov  $0x26, %ah
    call cmos_write
    mov  $0x0b, %al
    call cmos_read
    and  $0x01, %ah                     /* keep daylight saving; clear SET, interrupts, DM */
    or   $0x02, %ah                     /* 24-hour */
    mov  $0x0b, %al
    call cmos_write
    mov  $0x0c, %al
    call cmos_read
    mov  $0x0d, %al
    call cmos_read
    xor  %bx, %bx                       /* checksum of 10h-2Dh, big-endian at 2Eh */
    mov  $0x10, %cl
1:  mov  %cl, %al
    call cmos_read
    movzbw %ah, %ax
    add  %ax, %bx
    inc  %cl
    cmp  $0x2e, %cl
    jb   1b
    mov  $0x2e, %al
    call cmos_read
    cmp  %ah, %bh
    jne  2f
    mov  $0x2f, %al
    call cmos_read
    cmp  %ah, %bl
    je   3f
2:  PRINT msg_cmos_checksum
3:  ret

/* post_a20: open the A20 gate (port 92h), so memory above 1 MiB is
 * itself and not a copy of the first megabyte.  Clobbers AL. */
post_a20:
    mov  $1, %al
    jmp  a20_set

/* post_memory: the memory sizes the CMOS holds (vm writes them as a PC
 * board's BIOS would have): base memory at 15h/16h, KiB above 1 MiB at
 * 30h/31h (capped at 0FFFFh), 64 KiB blocks above 16 MiB at 34h/35h.
 * Takes 1 KiB at the top of base memory for the EBDA, reports the rest in
 * 40:13h, and writes the E820 map.  Clobbers EAX, EBX, ECX, EDX, SI, DI. */
post_memory:
    push %ds
    push %es
    mov  $0x15, %al                     /* base memory, KiB */
    call cmos_read16
    cmp  $640, %bx
    jbe  1f
    mov  $640, %bx
1:  sub  $EBDA_KB, %bx
    mov  $BDA_SEG, %ax
    mov  %ax, %ds
    mov  %bx, BDA_MEM_KB
    shl  $6, %bx                        /* KiB -> paragraphs */
    mov  %bx, BDA_EBDA_SEG
    mov  %bx, %es
    xor  %di, %di                       /* the EBDA: zero, then its size */
    xor  %ax, %ax
    mov  $EBDA_KB * 512, %cx
    rep  stosw
    movb $EBDA_KB, %es:EBDA_SIZE
    call ram_top_from_cmos
    mov  %eax, %es:EBDA_RAM_TOP
    call e820_build
    PRINT msg_memory
    movzwl BDA_MEM_KB, %eax
    call putdec
    PRINT msg_kib_base
    mov  %es:EBDA_RAM_TOP, %eax
    shr  $20, %eax
    call putdec
    PRINT msg_mib_total
    pop  %es
    pop  %ds
    ret

/* ram_top_from_cmos: the end of the RAM that starts at 1 MiB.  Returns
 * EAX.  Clobbers EBX. */
ram_top_from_cmos:
    mov  $0x34, %al                     /* 64 KiB blocks above 16 MiB */
    call cmos_read16
    test %bx, %bx
    jz   1f
    movzwl %bx, %eax
    shl  $16, %eax
    add  $0x1000000, %eax
    jc   2f                             /* no RAM reaches the APIC pages */
    cmp  $IOAPIC_BASE, %eax
    jbe  3f
2:  mov  $IOAPIC_BASE, %eax
3:  ret
1:  mov  $0x30, %al                     /* KiB above 1 MiB */
    call cmos_read16
    movzwl %bx, %eax
    shl  $10, %eax
    add  $0x100000, %eax
    ret

/* e820_build: the E820 map in the EBDA (ES), in address order: base
 * memory, the EBDA, the ROM below 1 MiB, RAM from 1 MiB, the IO-APIC and
 * local APIC pages, the ROM below 4 GiB.  DS = BDA.  Clobbers EAX, EBX,
 * ECX, EDX, SI, DI. */
e820_build:
    mov  $EBDA_E820, %di
    movzwl BDA_MEM_KB, %ecx             /* 0 .. EBDA: RAM */
    shl  $10, %ecx
    xor  %ebx, %ebx
    mov  $E820_RAM, %dl
    call e820_add
    mov  %ecx, %ebx                     /* the EBDA */
    mov  $EBDA_KB * 1024, %ecx
    mov  $E820_RESERVED, %dl
    call e820_add
    mov  $ROM_LOW_BASE, %ebx            /* the ROM's low copy */
    mov  $0x100000 - ROM_LOW_BASE, %ecx
    call e820_add
    mov  %es:EBDA_RAM_TOP, %ecx         /* 1 MiB .. top: RAM */
    sub  $0x100000, %ecx
    jbe  1f
    mov  $0x100000, %ebx
    mov  $E820_RAM, %dl
    call e820_add
1:  mov  $IOAPIC_BASE, %ebx
    mov  $0x1000, %ecx
    mov  $E820_RESERVED, %dl
    call e820_add
    mov  $LAPIC_BASE, %ebx
    call e820_add
    mov  $-ROM_SIZE, %ebx               /* the ROM at the top of 4 GiB */
    mov  $ROM_SIZE, %ecx
    call e820_add
    sub  $EBDA_E820, %di
    mov  %di, %ax
    mov  $E820_ENTRY, %cl
    div  %cl
    movzbw %al, %ax
    mov  %ax, %es:EBDA_E820_COUNT
    ret

/* e820_add: an entry at ES:DI (base EBX, length ECX, both below 4 GiB;
 * type DL); DI moves past it. */
e820_add:
    mov  %ebx, %es:0(%di)
    movl $0, %es:4(%di)
    mov  %ecx, %es:8(%di)
    movl $0, %es:12(%di)
    movzbl %dl, %eax
    mov  %eax, %es:16(%di)
    add  $E820_ENTRY, %di
    ret

/* cmos_read: AH = CMOS byte AL (NMI stays enabled).  cmos_write: CMOS
 * byte AL = AH.  cmos_read16: BX = the little-endian word at AL, AL+1.
 * Interrupts should be off or the caller alone on the RTC: the index and
 * data ports are a pair. */
    .globl cmos_read, cmos_write, cmos_read16
cmos_read:
    out  %al, $CMOS_INDEX
    xchg %al, %ah
    in   $CMOS_DATA, %al
    xchg %al, %ah
    ret
cmos_write:
    out  %al, $CMOS_INDEX
    xchg %al, %ah
    out  %al, $CMOS_DATA
    xchg %al, %ah
    ret
cmos_read16:
    push %ax
    inc  %al
    call cmos_read
    mov  %ah, %bh
    pop  %ax
    push %ax
    call cmos_read
    mov  %ah, %bl
    pop  %ax
    ret

msg_banner:
    .ascii "\r\nvm BIOS - a PC BIOS for the vm x86 emulator\r\n"
    .asciz "POST: PIC, IVT, BDA, COM1 115200 8N1, PIT 18.2 Hz, RTC, A20\r\n"
msg_cmos_checksum:
    .asciz "POST: CMOS checksum is wrong (continuing)\r\n"
msg_memory:
    .asciz "Memory: "
msg_kib_base:
    .asciz " KiB base, "
msg_mib_total:
    .asciz " MiB in all\r\n"
