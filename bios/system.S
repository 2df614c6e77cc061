/* system.S: the system services and the interrupt handlers that are not
 * about the console or the disk:
 *   INT 08h (IRQ0)  the 18.2 Hz tick count at 40:6Ch, midnight at 40:70h,
 *                   then INT 1Ch for programs that hook it
 *   INT 09h (IRQ1)  the i8042: a byte is read and dropped (keys come from COM1)
 *   INT 70h (IRQ8)  the RTC: the periodic interrupt counts INT 15h waits
 *                   down, the alarm calls INT 4Ah
 *   INT 76h (IRQ14) the disk: sets 40:8Eh
 *   other IRQs      acknowledged at the PIC(s); other vectors: IRET
 *   INT 11h, 12h    equipment word, base memory size
 *   INT 15h         E820/E801/88h memory sizes, 86h/83h waits, 87h block
 *                   move, 24xxh A20, C0h configuration, C1h EBDA, 4Fh
 *   INT 1Ah         tick count, RTC time and date, alarm
 * Ralf Brown's Interrupt List and the ACPI specification (E820) are the
 * references; docs/bios.md lists the functions.
 *
 * Runs on the boot processor.  The CMOS index/data pair is shared with
 * IRQ8: every CMOS access outside IRQ8 runs with interrupts off. */
#include "bios.h"

    .set RTC_A, 0x0a
    .set RTC_B, 0x0b
    .set RTC_C, 0x0c
    .set RTC_A_UIP, 0x80
    .set RTC_B_SET, 0x80
    .set RTC_B_PIE, 0x40
    .set RTC_B_AIE, 0x20
    .set RTC_B_DSE, 0x01
    .set RTC_C_PF, 0x40
    .set RTC_C_AF, 0x20
    .set RTC_RATE_1024HZ, 0x06
    .set RTC_PERIOD_US, 976             /* 1 / 1024 Hz, rounded down */
    .set REFRESH_PERIOD_US, 15          /* port 61h bit 4 toggles every 15.085 us */

    .text
/* ---- Hardware interrupts ---------------------------------------------------- */

    .globl int_iret
int_iret:
    iret

    .globl irq0_timer
irq0_timer:
    push %ax
    push %ds
    DS_BDA
    incl BDA_TICKS
    cmpl $TICKS_PER_DAY, BDA_TICKS
    jb   1f
    movl $0, BDA_TICKS
    movb $1, BDA_MIDNIGHT
1:  int  $0x1c
    mov  $PIC_EOI, %al
    out  %al, $PIC1_CMD
    pop  %ds
    pop  %ax
    iret

    .globl irq1_keyboard
irq1_keyboard:
    push %ax
    in   $KBC_DATA, %al
    mov  $PIC_EOI, %al
    out  %al, $PIC1_CMD
    pop  %ax
    iret

/* irq_master_default: an IRQ on the master nobody serves.  EOI only if
 * the 8259 has it in service: a spurious IR7 is not, and an EOI then would
 * retire some other, real interrupt. */
    .globl irq_master_default
irq_master_default:
    push %ax
    mov  $PIC_READ_ISR, %al
    out  %al, $PIC1_CMD
    in   $PIC1_CMD, %al
    mov  %al, %ah
    mov  $0x0a, %al                     /* OCW3: reads of 20h see the IRR again */
    out  %al, $PIC1_CMD
    test %ah, %ah
    jz   1f
    mov  $PIC_EOI, %al
    out  %al, $PIC1_CMD
1:  pop  %ax
    iret

/* irq_slave_default: the same on the slave; the master's IR2 (the
 * cascade) is in service either way. */
    .globl irq_slave_default
irq_slave_default:
    push %ax
    mov  $PIC_READ_ISR, %al
    out  %al, $PIC2_CMD
    in   $PIC2_CMD, %al
    mov  %al, %ah
    mov  $0x0a, %al
    out  %al, $PIC2_CMD
    mov  $PIC_EOI, %al
    test %ah, %ah
    jz   1f
    out  %al, $PIC2_CMD
1:  out  %al, $PIC1_CMD
    pop  %ax
    iret

    .globl irq14_disk
irq14_disk:
    push %ax
    push %dx
    push %ds
    mov  $ATA_STATUS, %dx               /* reading the status lowers INTRQ */
    in   %dx, %al
    DS_BDA
    movb $0xff, BDA_HD_IRQ_FLAG
    mov  $PIC_EOI, %al
    out  %al, $PIC2_CMD
    out  %al, $PIC1_CMD
    pop  %ds
    pop  %dx
    pop  %ax
    iret

/* irq8_rtc: the RTC.  Reading register C acknowledges it.  A periodic
 * interrupt (1024 Hz) counts the running wait down by 976 us; when it is
 * over, bit 7 of the caller's flag byte is set and the periodic interrupt
 * goes off.  An alarm calls INT 4Ah. */
    .globl irq8_rtc
irq8_rtc:
    push %ax
    push %bx
    push %ds
    push %es
    DS_BDA
    mov  $RTC_C, %al
    call cmos_read
    test $RTC_C_PF, %ah
    jz   2f
    testb $1, BDA_WAIT_ACTIVE
    jz   1f
    subl $RTC_PERIOD_US, BDA_WAIT_COUNT
    jnc  2f
    les  BDA_WAIT_FLAG, %bx
    orb  $0x80, %es:(%bx)
    andb $~1, BDA_WAIT_ACTIVE
1:  call rtc_periodic_off
2:  test $RTC_C_AF, %ah
    jz   3f
    sti                                 /* the alarm handler may take its time */
    int  $0x4a
    cli
3:  mov  $PIC_EOI, %al
    out  %al, $PIC2_CMD
    out  %al, $PIC1_CMD
    pop  %es
    pop  %ds
    pop  %bx
    pop  %ax
    iret

/* rtc_periodic_on: the RTC's periodic interrupt at 1024 Hz, any stale
 * flag cleared first.  rtc_periodic_off: no more.  Interrupts off.
 * Clobber AX. */
rtc_periodic_on:
    mov  $RTC_A, %al
    call cmos_read
    and  $0xf0, %ah
    or   $RTC_RATE_1024HZ, %ah
    call cmos_write
    mov  $RTC_C, %al
    call cmos_read
    mov  $RTC_B, %al
    call cmos_read
    or   $RTC_B_PIE, %ah
    jmp  cmos_write
rtc_periodic_off:
    mov  $RTC_B, %al
    call cmos_read
    and  $~RTC_B_PIE, %ah
    jmp  cmos_write

/* ---- Waiting ------------------------------------------------------------------ */

/* wait_us: wait EAX microseconds, with interrupts on and the CPU halted
 * in between: the RTC's 1024 Hz interrupt counts them down (to within a
 * millisecond).  When the guest has masked IRQ8 the wait counts port 61h's
 * refresh toggles instead, busy.  CF = 1 if another wait (INT 15h 83h)
 * runs.  DS = BDA.  Returns with interrupts on.  Clobbers EAX, ECX, EDX. */
    .globl wait_us
wait_us:
    cli
    testb $1, BDA_WAIT_ACTIVE
    jnz  9f
    push %eax
    in   $PIC2_DATA, %al                /* IRQ8 and the cascade unmasked? */
    test $0x01, %al
    jnz  5f
    in   $PIC1_DATA, %al
    test $0x04, %al
    jnz  5f
    pop  %eax
    mov  %eax, BDA_WAIT_COUNT
    movw $BDA_WAIT_ACTIVE, BDA_WAIT_FLAG
    movw $BDA_SEG, BDA_WAIT_FLAG + 2
    movb $1, BDA_WAIT_ACTIVE
    call rtc_periodic_on
1:  cli
    testb $0x80, BDA_WAIT_ACTIVE
    jnz  2f
    sti                                 /* STI;HLT: the interrupt cannot slip in between */
    hlt
    jmp  1b
2:  movb $0, BDA_WAIT_ACTIVE
    sti
    clc
    ret
5:  pop  %eax                           /* IRQ8 masked: count refresh toggles */
    sti
    xor  %edx, %edx
    mov  $REFRESH_PERIOD_US, %ecx
    div  %ecx
    mov  %eax, %ecx
    inc  %ecx
    in   $PORT_B, %al
    and  $0x10, %al
    mov  %al, %ah
6:  in   $PORT_B, %al
    and  $0x10, %al
    cmp  %al, %ah
    je   6b
    mov  %al, %ah
    dec  %ecx
    jnz  6b
    clc
    ret
9:  sti
    stc
    ret

/* ---- A20 -------------------------------------------------------------------- */

/* a20_set: the A20 gate open (AL = 1) or closed (AL = 0), through both
 * gates a PC has: port 92h bit 1 and the i8042's output port bit 1 (the
 * line is open when either is).  Clobbers AX, CX. */
    .globl a20_set
a20_set:
    mov  %al, %ah
    in   $PORT_A, %al
    and  $0xfc, %al                     /* bit 0 would reset the machine */
    test %ah, %ah
    jz   1f
    or   $0x02, %al
1:  out  %al, $PORT_A
    call kbc_wait_input
    mov  $0xd1, %al                     /* write the output port */
    out  %al, $KBC_CMD
    call kbc_wait_input
    mov  $0xdd, %al                     /* reset line high, A20 low */
    test %ah, %ah
    jz   2f
    mov  $0xdf, %al                     /* A20 high */
2:  out  %al, $KBC_DATA
    jmp  kbc_wait_input

/* machine_reset: resets the machine, as SeaBIOS's tryReboot does: the
 * i8042's command FEh pulses the CPU's reset line (output port bit 0);
 * should that not work, port 92h's fast reset (bit 0 rising).  The POST
 * mark in the BDA is cleared first, so the entry that follows the reset
 * runs a full POST.  Does not return: with both ways gone, halts. */
    .globl machine_reset
machine_reset:
    mov  $BDA_SEG, %ax
    mov  %ax, %ds
    movw $0, BDA_POST_DONE
    call kbc_wait_input
    mov  $0xfe, %al                     /* pulse output port bit 0: reset */
    out  %al, $KBC_CMD
    call kbc_wait_input                 /* the i8042 takes it; the reset follows */
    in   $PORT_A, %al                   /* fast reset: bit 0 rising */
    and  $0xfe, %al
    out  %al, $PORT_A
    or   $0x01, %al
    out  %al, $PORT_A
1:  hlt
    jmp  1b

/* kbc_wait_input: until the i8042 has taken the last byte (status bit 1
 * clear), at most 64K polls.  Clobbers CX. */
kbc_wait_input:
    push %ax
    xor  %cx, %cx
1:  in   $KBC_CMD, %al
    test $0x02, %al
    loopnz 1b
    pop  %ax
    ret

/* a20_enabled: AL = 1 if addresses above 1 MiB are themselves, 0 if they
 * wrap to 0 -- tested, not remembered: a byte of the BDA's reserved area
 * (40:ACh) is changed twice, and if the byte 1 MiB higher changes with it
 * both times, the gate is closed.  Clobbers AH. */
a20_enabled:
    push %ds
    push %es
    xor  %ax, %ax
    mov  %ax, %ds
    mov  $0xffff, %ax
    mov  %ax, %es
    mov  0x4ac, %ah                     /* keep the byte */
    mov  $1, %al
    notb 0x4ac
    push %ax
    mov  0x4ac, %al
    cmp  %es:0x4bc, %al                 /* FFFF:04BC = 0x1004AC */
    pop  %ax
    jne  1f
    notb 0x4ac
    push %ax
    mov  0x4ac, %al
    cmp  %es:0x4bc, %al
    pop  %ax
    jne  1f
    xor  %al, %al                       /* it followed both times: wrapped */
1:  mov  %ah, 0x4ac
    pop  %es
    pop  %ds
    ret

/* ---- INT 11h, INT 12h ------------------------------------------------------- */

    .globl int11_equipment
int11_equipment:
    push %ds
    DS_BDA
    mov  BDA_EQUIPMENT, %ax
    pop  %ds
    iret

    .globl int12_memory
int12_memory:
    push %ds
    DS_BDA
    mov  BDA_MEM_KB, %ax
    pop  %ds
    iret

/* ---- INT 15h ------------------------------------------------------------------ */

    .globl int15_system
int15_system:
    SERVICE_ENTER
    cld
    DS_BDA
    mov  F_AX(%bp), %ax
    cmp  $0xe820, %ax
    je   s_e820
    cmp  $0xe801, %ax
    je   s_e801
    cmp  $0x24, %ah
    je   s_a20
    cmp  $0x4f, %ah
    je   s_key_intercept
    cmp  $0x83, %ah
    je   s_event_wait
    cmp  $0x86, %ah
    je   s_wait
    cmp  $0x87, %ah
    je   s_block_move
    cmp  $0x88, %ah
    je   s_ext_memory
    cmp  $0x90, %ah
    je   s_ok
    cmp  $0x91, %ah
    je   s_ok
    cmp  $0xc0, %ah
    je   s_config
    cmp  $0xc1, %ah
    je   s_ebda
s_unsupported:
    movb $0x86, F_AH(%bp)
    SET_CF
    SERVICE_LEAVE
s_ok:
    movb $0, F_AH(%bp)
    CLEAR_CF
    SERVICE_LEAVE

/* AX=E820h: the memory map, one entry per call.  EDX = 'SMAP', EBX = the
 * continuation value (0 first; 0 returned after the last entry), ECX =
 * the buffer's size (at least 20; at 24 or more the ACPI 3.0 extended
 * attributes dword is written too, "enabled"), ES:DI = the buffer.
 * Returns EAX = 'SMAP', ECX = bytes written, EBX = the next value. */
s_e820:
    cmpl $SMAP, F_EDX(%bp)
    jne  s_unsupported
    cmpl $E820_ENTRY, F_ECX(%bp)
    jb   s_unsupported
    ES_EBDA
    movzwl %es:EBDA_E820_COUNT, %ecx
    mov  F_EBX(%bp), %ebx
    cmp  %ecx, %ebx
    jae  s_unsupported
    mov  %bx, %ax
    mov  $E820_ENTRY, %dx
    mul  %dx
    add  $EBDA_E820, %ax
    mov  %ax, %si
    mov  %es, %ax                       /* DS:SI the entry, ES:DI the buffer */
    mov  %ax, %ds
    mov  F_ES(%bp), %es
    mov  F_DI(%bp), %di
    push %cx
    mov  $E820_ENTRY, %cx
    rep  movsb
    pop  %cx
    mov  $E820_ENTRY, %edx
    cmpl $E820_ENTRY + 4, F_ECX(%bp)
    jb   1f
    movl $1, %es:(%di)                  /* extended attributes: bit 0, enabled */
    mov  $E820_ENTRY + 4, %edx
1:  mov  %edx, F_ECX(%bp)
    inc  %ebx
    cmp  %ecx, %ebx
    jb   2f
    xor  %ebx, %ebx
2:  mov  %ebx, F_EBX(%bp)
    movl $SMAP, F_EAX(%bp)
    CLEAR_CF
    SERVICE_LEAVE

/* AX=E801h: AX = CX = KiB of RAM between 1 MiB and 16 MiB (at most
 * 3C00h), BX = DX = 64 KiB blocks of RAM above 16 MiB. */
s_e801:
    ES_EBDA
    mov  %es:EBDA_RAM_TOP, %eax
    sub  $0x100000, %eax
    shr  $10, %eax
    cmp  $0x3c00, %eax
    jbe  1f
    mov  $0x3c00, %eax
1:  mov  %ax, F_AX(%bp)
    mov  %ax, F_CX(%bp)
    mov  %es:EBDA_RAM_TOP, %eax
    sub  $0x1000000, %eax
    jae  2f
    xor  %eax, %eax
2:  shr  $16, %eax
    mov  %ax, F_BX(%bp)
    mov  %ax, F_DX(%bp)
    CLEAR_CF
    SERVICE_LEAVE

/* AH=88h: AX = KiB of RAM above 1 MiB, at most FC00h (63 MiB: an old
 * caller adds 1024 to it in 16 bits) -- bigger machines answer E801h or
 * E820h. */
s_ext_memory:
    ES_EBDA
    mov  %es:EBDA_RAM_TOP, %eax
    sub  $0x100000, %eax
    shr  $10, %eax
    cmp  $0xfc00, %eax
    jbe  1f
    mov  $0xfc00, %eax
1:  mov  %ax, F_AX(%bp)
    CLEAR_CF
    SERVICE_LEAVE

/* AH=24h: the A20 gate.  AL=00h close, 01h open, 02h AL = state, 03h
 * BX = the ways it can be switched (bit 0 i8042, bit 1 port 92h). */
s_a20:
    mov  F_AL(%bp), %al
    cmp  $1, %al
    jbe  1f
    cmp  $2, %al
    je   2f
    cmp  $3, %al
    jne  s_unsupported
    movw $3, F_BX(%bp)
    jmp  s_ok
1:  call a20_set
    jmp  s_ok
2:  call a20_enabled
    mov  %al, F_AL(%bp)
    jmp  s_ok

/* AH=4Fh: the keyboard intercept, called for each scan code: CF = 1
 * keeps it. */
s_key_intercept:
    SET_CF
    SERVICE_LEAVE

/* AH=86h: wait CX:DX microseconds.  CF = 1, AH = 83h if a wait set with
 * AH=83h runs. */
s_wait:
    mov  F_CX(%bp), %ax
    shl  $16, %eax
    mov  F_DX(%bp), %ax
    call wait_us
    jc   1f
    jmp  s_ok
1:  movb $0x83, F_AH(%bp)
    SET_CF
    SERVICE_LEAVE

/* AH=83h: AL=00h start a wait of CX:DX microseconds that sets bit 7 of
 * the byte at ES:BX when over, and return at once; AL=01h cancel it.
 * CF = 1 if one already runs. */
s_event_wait:
    cli
    cmpb $1, F_AL(%bp)
    je   2f
    ja   s_unsupported
    testb $1, BDA_WAIT_ACTIVE
    jnz  1f
    mov  F_CX(%bp), %ax
    shl  $16, %eax
    mov  F_DX(%bp), %ax
    mov  %eax, BDA_WAIT_COUNT
    mov  F_BX(%bp), %ax
    mov  %ax, BDA_WAIT_FLAG
    mov  F_ES(%bp), %ax
    mov  %ax, BDA_WAIT_FLAG + 2
    movb $1, BDA_WAIT_ACTIVE
    call rtc_periodic_on
    jmp  s_ok
1:  movb $0x80, F_AH(%bp)
    SET_CF
    SERVICE_LEAVE
2:  movb $0, BDA_WAIT_ACTIVE
    call rtc_periodic_off
    jmp  s_ok

/* AH=87h: copy CX words (at most 8000h) between two segments that may
 * lie anywhere in the 4 GiB, described by the caller's GDT at ES:SI:
 * entry 2 (10h) the source, entry 3 (18h) the destination.  As the IBM AT
 * BIOS does, we fill in entry 1 (the GDT itself), entry 4 (our code) and
 * entry 5 (a 64 KiB data segment), switch to 16-bit protected mode with
 * interrupts off, copy, and come back.  A20 is opened for the copy and
 * put back as it was. */
s_block_move:
    cli
    cmpw $0x8000, F_CX(%bp)
    ja   s_unsupported
    call a20_enabled
    push %ax
    mov  $1, %al
    call a20_set
    mov  F_ES(%bp), %es
    mov  F_SI(%bp), %si
    movzwl F_ES(%bp), %eax              /* the GDT's linear address */
    shl  $4, %eax
    movzwl %si, %ebx
    add  %ebx, %eax
    movw $0x2f, %es:0x08(%si)           /* entry 1: the GDT, 6 entries */
    mov  %eax, %es:0x0a(%si)
    movb $0x93, %es:0x0d(%si)
    movw $0, %es:0x0e(%si)
    movl $0x0000ffff, %es:0x20(%si)     /* entry 4: F000h, 16-bit code */
    movl $0x00009b0f, %es:0x24(%si)
    movl $0x0000ffff, %es:0x28(%si)     /* entry 5: 64 KiB data at 0 */
    movl $0x00009300, %es:0x2c(%si)
    sub  $6, %sp                        /* GDTR: limit and a 32-bit base */
    mov  %sp, %bx
    movw $0x2f, %ss:(%bx)
    mov  %eax, %ss:2(%bx)
    lgdtl %ss:(%bx)
    add  $6, %sp
    mov  F_CX(%bp), %cx
    mov  %cr0, %eax
    or   $1, %al
    mov  %eax, %cr0
    ljmp $0x20, $1f
1:  mov  $0x10, %ax
    mov  %ax, %ds
    mov  $0x18, %ax
    mov  %ax, %es
    xor  %si, %si
    xor  %di, %di
    rep  movsw
    mov  $0x28, %ax                     /* real-mode limits for what follows */
    mov  %ax, %ds
    mov  %ax, %es
    mov  %cr0, %eax
    and  $~1, %al
    mov  %eax, %cr0
    ljmp $0xf000, $2f
2:  DS_BDA
    pop  %ax
    call a20_set
    jmp  s_ok

/* AH=C0h: ES:BX = the system configuration table. */
s_config:
    movw $0xf000, F_ES(%bp)
    movw $system_config, F_BX(%bp)
    jmp  s_ok

/* AH=C1h: ES = the EBDA's segment. */
s_ebda:
    mov  BDA_EBDA_SEG, %ax
    mov  %ax, F_ES(%bp)
    CLEAR_CF
    SERVICE_LEAVE

/* The system configuration table (INT 15h C0h): length 8, model FCh
 * submodel 01h (an AT), revision 0, feature byte 1: a second 8259 (bit
 * 6), an RTC (bit 5), an EBDA (bit 2); the other feature bytes 0. */
system_config:
    .word 8
    .byte 0xfc, 0x01, 0x00
    .byte 0x64, 0x00, 0x00, 0x00, 0x00

/* ---- INT 1Ah ------------------------------------------------------------------ */

/* int1a_time: AH=00h/01h the tick count, 02h-05h the RTC's time and date
 * (BCD), 06h/07h the alarm.  The RTC is read when no update is in
 * progress (UIP clear: then the registers stay still for 244 us); CF = 1
 * if its clock is stopped.  Interrupts stay off throughout. */
    .globl int1a_time
int1a_time:
    SERVICE_ENTER
    cli
    DS_BDA
    CLEAR_CF
    mov  F_AH(%bp), %ah
    cmp  $0x00, %ah
    je   t_get_ticks
    cmp  $0x01, %ah
    je   t_set_ticks
    cmp  $0x07, %ah
    ja   t_unsupported
    call rtc_ready
    jc   t_fail
    mov  F_AH(%bp), %ah
    cmp  $0x02, %ah
    je   t_get_time
    cmp  $0x03, %ah
    je   t_set_time
    cmp  $0x04, %ah
    je   t_get_date
    cmp  $0x05, %ah
    je   t_set_date
    cmp  $0x06, %ah
    je   t_set_alarm
    jmp  t_reset_alarm
t_unsupported:
t_fail:
    SET_CF
t_done:
    SERVICE_LEAVE

/* AH=00h: CX:DX = ticks since midnight, AL = 1 if midnight passed since
 * the last call (the flag is cleared). */
t_get_ticks:
    mov  BDA_TICKS, %eax
    mov  %ax, F_DX(%bp)
    shr  $16, %eax
    mov  %ax, F_CX(%bp)
    mov  BDA_MIDNIGHT, %al
    mov  %al, F_AL(%bp)
    movb $0, BDA_MIDNIGHT
    jmp  t_done

/* AH=01h: ticks = CX:DX. */
t_set_ticks:
    mov  F_CX(%bp), %ax
    shl  $16, %eax
    mov  F_DX(%bp), %ax
    mov  %eax, BDA_TICKS
    movb $0, BDA_MIDNIGHT
    jmp  t_done

/* AH=02h: CH = hours, CL = minutes, DH = seconds, DL = 1 if daylight
 * saving is on. */
t_get_time:
    mov  $0x04, %al
    call cmos_read
    mov  %ah, F_CH(%bp)
    mov  $0x02, %al
    call cmos_read
    mov  %ah, F_CL(%bp)
    mov  $0x00, %al
    call cmos_read
    mov  %ah, F_DH(%bp)
    mov  $RTC_B, %al
    call cmos_read
    and  $RTC_B_DSE, %ah
    mov  %ah, F_DL(%bp)
    jmp  t_done

/* AH=03h: set the time from CH, CL, DH (BCD) and DL (daylight saving). */
t_set_time:
    call rtc_stop_updates
    mov  F_CH(%bp), %ah
    mov  $0x04, %al
    call cmos_write
    mov  F_CL(%bp), %ah
    mov  $0x02, %al
    call cmos_write
    mov  F_DH(%bp), %ah
    mov  $0x00, %al
    call cmos_write
    mov  $RTC_B, %al
    call cmos_read
    and  $0xff & ~(RTC_B_SET | RTC_B_DSE), %ah
    mov  F_DL(%bp), %bl
    and  $RTC_B_DSE, %bl
    or   %bl, %ah
    call cmos_write
    jmp  t_done

/* AH=04h: CH = century, CL = year, DH = month, DL = day (BCD). */
t_get_date:
    mov  $0x32, %al
    call cmos_read
    mov  %ah, F_CH(%bp)
    mov  $0x09, %al
    call cmos_read
    mov  %ah, F_CL(%bp)
    mov  $0x08, %al
    call cmos_read
    mov  %ah, F_DH(%bp)
    mov  $0x07, %al
    call cmos_read
    mov  %ah, F_DL(%bp)
    jmp  t_done

/* AH=05h: set the date from CH, CL, DH, DL. */
t_set_date:
    call rtc_stop_updates
    mov  F_CH(%bp), %ah
    mov  $0x32, %al
    call cmos_write
    mov  F_CL(%bp), %ah
    mov  $0x09, %al
    call cmos_write
    mov  F_DH(%bp), %ah
    mov  $0x08, %al
    call cmos_write
    mov  F_DL(%bp), %ah
    mov  $0x07, %al
    call cmos_write
    mov  $RTC_B, %al
    call cmos_read
    and  $~RTC_B_SET, %ah
    call cmos_write
    jmp  t_done

/* AH=06h: an alarm (INT 4Ah) at CH:CL:DH; CF = 1 if one is set already.
 * AH=07h: no alarm. */
t_set_alarm:
    mov  $RTC_B, %al
    call cmos_read
    test $RTC_B_AIE, %ah
    jnz  t_fail
    mov  F_CH(%bp), %ah
    mov  $0x05, %al
    call cmos_write
    mov  F_CL(%bp), %ah
    mov  $0x03, %al
    call cmos_write
    mov  F_DH(%bp), %ah
    mov  $0x01, %al
    call cmos_write
    mov  $RTC_C, %al                    /* no stale alarm flag */
    call cmos_read
    mov  $RTC_B, %al
    call cmos_read
    or   $RTC_B_AIE, %ah
    call cmos_write
    jmp  t_done
t_reset_alarm:
    mov  $RTC_B, %al
    call cmos_read
    and  $~RTC_B_AIE, %ah
    call cmos_write
    jmp  t_done

/* rtc_ready: wait until the RTC is not updating; CF = 1 if its divider is
 * stopped or it never stops updating.  Clobbers AX, CX. */
rtc_ready:
    mov  $RTC_A, %al
    call cmos_read
    and  $0x70, %ah
    cmp  $0x20, %ah                     /* 32.768 kHz time base, running */
    jne  2f
    xor  %cx, %cx
1:  mov  $RTC_A, %al
    call cmos_read
    test $RTC_A_UIP, %ah
    jz   3f
    loop 1b
2:  stc
    ret
3:  clc
    ret

/* rtc_stop_updates: set register B's SET bit: the clock holds still
 * while it is written.  Clobbers AX. */
rtc_stop_updates:
    mov  $RTC_B, %al
    call cmos_read
    or   $RTC_B_SET, %ah
    jmp  cmos_write
