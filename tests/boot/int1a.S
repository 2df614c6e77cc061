/* int1a.S: time.
 *   1Ah AH=00h  the tick count advances (18.2 Hz, from IRQ0), no midnight
 *   15h AH=86h  a 300 ms wait takes at least 300 ms by the ticks (4 or
 *               more) and not a second more (loose: the host may be busy),
 *               by the ticks and by the RTC's seconds
 *   15h AH=83h  an event wait sets the caller's flag byte when it is over
 *   1Ah AH=01h  setting the count just before midnight: the next tick wraps
 *               it to 0 and AH=00h reports midnight once (AL = 1, then 0)
 *   1Ah AH=02h/04h  time and date in BCD, every digit a digit
 * It prints "int1a: RTC YYYY-MM-DD HH:MM:SS" (from 04h and 02h);
 * tests/boot.sh compares it with the host's clock (UTC). */
#include "boot/boot.inc"

    .text
main:
    PRINT "int1a: time\r\n"
    call print_rtc
    call ticks                  /* the count moves */
    mov  %eax, %ebx
    xor  %cx, %cx
1:  hlt                         /* interrupts are on: IRQ0 wakes us */
    call ticks
    sub  %ebx, %eax
    cmp  $3, %eax
    jae  2f
    loop 1b
    mov  $msg_no_ticks, %si
    jmp  fail
2:  xor  %ah, %ah
    int  $0x1a
    test %al, %al
    CHECK z, "AH=00h: the midnight flag is set"

    call rtc_seconds            /* AH=86h: 300 ms */
    mov  %eax, %esi
    call ticks
    mov  %eax, %ebx
    mov  $0x0004, %cx
    mov  $0x93e0, %dx
    mov  $0x86, %ah
    int  $0x15
    CHECK nc, "INT 15h AH=86h failed"
    call ticks
    sub  %ebx, %eax
    cmp  $4, %eax
    CHECK ae, "INT 15h AH=86h: 300 ms took fewer than 4 ticks"
    cmp  $18, %eax
    CHECK be, "INT 15h AH=86h: 300 ms took more than 18 ticks (a second)"
    call rtc_seconds
    sub  %esi, %eax
    cmp  $2, %eax
    CHECK be, "INT 15h AH=86h: 300 ms took more than 2 seconds by the RTC"

    movb $0, event_flag         /* AH=83h: 100 ms, our flag byte */
    mov  $0x8300, %ax
    mov  $0x0001, %cx
    mov  $0x86a0, %dx
    mov  $event_flag, %bx
    int  $0x15
    CHECK nc, "INT 15h AH=83h failed"
    call ticks
    mov  %eax, %ebx
3:  testb $0x80, event_flag
    jnz  4f
    hlt
    call ticks
    sub  %ebx, %eax
    cmp  $20, %eax
    jb   3b
    mov  $msg_no_event, %si
    jmp  fail

4:  mov  $0x01, %ah             /* AH=01h: one tick before midnight */
    mov  $0x0018, %cx
    mov  $0x00af, %dx
    int  $0x1a
    call ticks
    cmp  $0x1800af, %eax
    jae  5f                     /* still before the tick (or exactly it) */
    mov  $msg_set_ticks, %si
    jmp  fail
5:  xor  %cx, %cx
6:  hlt
    mov  $0x00, %ah
    int  $0x1a
    test %al, %al
    jnz  7f
    loop 6b
    mov  $msg_no_midnight, %si
    jmp  fail
7:  cmp  $0x0018, %cx
    CHECK ne, "AH=00h: past midnight, but the count did not wrap"
    xor  %ah, %ah
    int  $0x1a
    test %al, %al
    CHECK z, "AH=00h: the midnight flag was not cleared by reading it"
    PRINT "int1a: ticks, waits and midnight ok\r\n"
    jmp  pass

/* ticks: EAX = the tick count. */
ticks:
    push %cx
    push %dx
    xor  %ah, %ah
    int  $0x1a
    mov  %cx, %ax
    shl  $16, %eax
    mov  %dx, %ax
    pop  %dx
    pop  %cx
    ret

/* rtc_seconds: EAX = seconds since midnight by the RTC (AH=02h). */
rtc_seconds:
    push %ebx
    push %cx
    push %dx
    mov  $0x02, %ah
    int  $0x1a
    CHECK nc, "AH=02h: CF set"
    mov  %ch, %al
    call bcd
    imul $60, %eax, %ebx
    mov  %cl, %al
    call bcd
    add  %eax, %ebx
    imul $60, %ebx
    mov  %dh, %al
    call bcd
    add  %ebx, %eax
    pop  %dx
    pop  %cx
    pop  %ebx
    ret

/* bcd: EAX = the BCD byte AL as a number, each digit checked. */
bcd:
    push %bx
    mov  %al, %bl
    and  $0x0f, %bl
    cmp  $9, %bl
    CHECK be, "a BCD digit above 9"
    shr  $4, %al
    cmp  $9, %al
    CHECK be, "a BCD digit above 9"
    mov  $10, %ah
    mul  %ah
    add  %bl, %al
    movzbl %al, %eax
    pop  %bx
    ret

/* print_rtc: "int1a: RTC YYYY-MM-DD HH:MM:SS", checking the ranges. */
print_rtc:
    mov  $0x04, %ah
    int  $0x1a
    CHECK nc, "AH=04h: CF set"
    mov  %cx, date_cx
    mov  %dx, date_dx
    mov  $0x02, %ah
    int  $0x1a
    CHECK nc, "AH=02h: CF set"
    mov  %cx, time_cx
    mov  %dx, time_dx
    mov  date_cx + 1, %al
    call bcd
    cmp  $19, %al
    CHECK ae, "AH=04h: a century before 19"
    mov  date_dx + 1, %al       /* month 1-12 */
    call bcd
    dec  %al
    cmp  $11, %al
    CHECK be, "AH=04h: a month out of 1-12"
    mov  date_dx, %al           /* day 1-31 */
    call bcd
    dec  %al
    cmp  $30, %al
    CHECK be, "AH=04h: a day out of 1-31"
    mov  time_cx + 1, %al
    call bcd
    cmp  $23, %al
    CHECK be, "AH=02h: an hour above 23"
    mov  time_cx, %al
    call bcd
    cmp  $59, %al
    CHECK be, "AH=02h: a minute above 59"
    mov  time_dx + 1, %al
    call bcd
    cmp  $59, %al
    CHECK be, "AH=02h: a second above 59"
    PRINT "int1a: RTC "
    mov  $2, %cl
    movzbl date_cx + 1, %eax
    call puthex
    movzbl date_cx, %eax
    call puthex
    mov  $'-', %al
    call putc
    movzbl date_dx + 1, %eax
    call puthex
    mov  $'-', %al
    call putc
    movzbl date_dx, %eax
    call puthex
    mov  $' ', %al
    call putc
    movzbl time_cx + 1, %eax
    call puthex
    mov  $':', %al
    call putc
    movzbl time_cx, %eax
    call puthex
    mov  $':', %al
    call putc
    movzbl time_dx + 1, %eax
    call puthex
    call crlf
    ret

    .section .rodata
msg_no_ticks:
    .asciz "AH=00h: the tick count does not advance"
msg_no_event:
    .asciz "INT 15h AH=83h: the flag was not set within 20 ticks"
msg_set_ticks:
    .asciz "AH=01h: the tick count is not what was set"
msg_no_midnight:
    .asciz "AH=00h: no midnight after the count passed 1800B0h"

    .data
date_cx: .word 0
date_dx: .word 0
time_cx: .word 0
time_dx: .word 0
event_flag: .byte 0
