/* int16.S: INT 16h with keys from the serial line.  tests/boot.sh pipes
 *   "aZ1" CR ESC TAB DEL "!~ q"
 *   "0123456789abcdefghijklmnopqrstuvwxyzABCD"
 *   ESC "[A" ESC "OP" ESC "[5~" ESC "[15~" ESC "[3~" ESC
 * into vm's stdin.  The guest checks that each byte arrives as the key a
 * PC keyboard gives (scan code and ASCII: CR is Enter 1C0Dh, DEL -- a
 * terminal's Backspace -- is 0E08h, ESC before a TAB is the Esc key),
 * through AH=01h/00h and 11h/10h (the peek returns the key with ZF = 0,
 * the read returns the same key); then it waits 300 ms, letting the bytes
 * pile up behind the 15-key buffer, and reads the 40 in order: none is
 * lost; then the terminal's escape sequences as the keys they stand for
 * (up, F1, Page Up, F5, Delete) and the last ESC as Esc.  Then AH=02h (no
 * shift key down), AH=05h (keys stored come back; the 16th does not fit),
 * and AH=01h says the buffer is empty.  A key that does not come within
 * ~2 s fails. */
#include "boot/boot.inc"

    .text
main:
    PRINT "int16: keys from COM1\r\n"
    mov  $first_keys, %si
    mov  $first_count, %cx
    xor  %di, %di               /* DI: keys so far, the first 6 by 01h/00h */
1:  lodsw
    mov  %ax, %dx
    mov  $0x01, %bl
    mov  $0x00, %bh
    cmp  $6, %di
    jb   2f
    mov  $0x11, %bl
    mov  $0x10, %bh
2:  call peek_then_read
    inc  %di
    loop 1b

    mov  $0x0004, %cx           /* 300 ms (CX:DX = 300000 us) */
    mov  $0x93e0, %dx
    mov  $0x86, %ah
    int  $0x15
    CHECK nc, "INT 15h AH=86h failed"
    mov  $second_keys, %si
2:  lodsb
    test %al, %al
    jz   3f
    call expected_key
    mov  %ax, %dx
    mov  $0x0001, %bx           /* peek with 01h, read with 00h */
    call peek_then_read
    jmp  2b

3:  mov  $escape_keys, %si        /* the terminal's escape sequences */
    mov  $escape_count, %cx
4:  lodsw
    mov  %ax, %dx
    mov  $0x0011, %bx           /* peek with 11h, read with 10h */
    call peek_then_read
    loop 4b
    mov  $0x02, %ah
    int  $0x16
    test $0x0f, %al
    CHECK z, "AH=02h: a shift, Ctrl or Alt key is down"
    call check_store
    mov  $0x01, %ah
    int  $0x16
    CHECK z, "AH=01h: a key is left after all were read"
    PRINT "int16: all keys arrived\r\n"
    jmp  pass

/* peek_then_read: AH=BL (01h/11h) until a key is there (~2 s at most),
 * which must be DX; then AH=BH (00h/10h) must return DX too. */
peek_then_read:
    push %cx
    call ticks
    mov  %eax, %ecx
1:  mov  %bl, %ah
    int  $0x16
    jnz  2f
    call ticks
    sub  %ecx, %eax
    cmp  $36, %eax
    jb   1b
    mov  %dx, %ax
    call show_key
    PRINT ": "
    mov  $msg_no_key, %si
    jmp  fail
2:  cmp  %dx, %ax
    je   3f
    call show_pair
    mov  $msg_wrong_peek, %si
    jmp  fail
3:  mov  %bh, %ah
    int  $0x16
    cmp  %dx, %ax
    je   4f
    call show_pair
    mov  $msg_wrong_read, %si
    jmp  fail
4:  pop  %cx
    ret

/* show_key: "key XXXX" for AX.  show_pair: "got AX, want DX: ". */
show_key:
    PRINT "key "
    push %cx
    mov  $4, %cl
    movzwl %ax, %eax
    call puthex
    pop  %cx
    ret
show_pair:
    PRINT "got "
    mov  $4, %cl
    movzwl %ax, %eax
    call puthex
    PRINT ", want "
    movzwl %dx, %eax
    call puthex
    PRINT ": "
    ret

/* ticks: EAX = the BIOS tick count. */
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

/* expected_key: AX = the key for the digit or letter AL. */
expected_key:
    push %bx
    movzbw %al, %bx
    cmp  $'9', %al
    ja   1f
    mov  $0x0b, %ah             /* '0' */
    cmp  $'0', %al
    je   3f
    mov  %al, %ah               /* '1'-'9': 02h-0Ah */
    sub  $'1' - 2, %ah
    jmp  3f
1:  and  $0xdf, %bl             /* letters: the upper case's index */
    sub  $'A', %bx
    mov  letter_scan(%bx), %ah
3:  pop  %bx
    ret

/* check_store: AH=05h puts keys in the (empty) buffer: 1234h and 5678h
 * come back in order; 15 fit, the 16th is refused (AL = 1). */
check_store:
    mov  $0x05, %ah
    mov  $0x1234, %cx
    int  $0x16
    CHECK nc, "AH=05h: storing a key failed"
    test %al, %al
    CHECK z, "AH=05h: AL is not 0 after storing a key"
    mov  $0x05, %ah
    mov  $0x5678, %cx
    int  $0x16
    xor  %ah, %ah
    int  $0x16
    cmp  $0x1234, %ax
    CHECK e, "AH=05h: the first key stored did not come back first"
    xor  %ah, %ah
    int  $0x16
    cmp  $0x5678, %ax
    CHECK e, "AH=05h: the second key stored did not come back"
    mov  $15, %dx
1:  mov  $0x05, %ah
    mov  %dx, %cx
    int  $0x16
    test %al, %al
    CHECK z, "AH=05h: the buffer took fewer than 15 keys"
    dec  %dx
    jnz  1b
    mov  $0x05, %ah
    mov  $0x9999, %cx
    int  $0x16
    cmp  $1, %al
    CHECK e, "AH=05h: a 16th key fit in the 15-key buffer"
    mov  $15, %dx
2:  xor  %ah, %ah
    int  $0x16
    cmp  %dx, %ax
    CHECK e, "AH=05h: the 15 stored keys did not come back in order"
    dec  %dx
    jnz  2b
    ret

    .section .rodata
/* The first keys: the bytes tests/boot.sh sends, as key words. */
first_keys:
    .word 0x1e61                /* a */
    .word 0x2c5a                /* Z */
    .word 0x0231                /* 1 */
    .word 0x1c0d                /* CR: Enter */
    .word 0x011b                /* ESC */
    .word 0x0f09                /* TAB */
    .word 0x0e08                /* DEL: Backspace */
    .word 0x0221                /* ! */
    .word 0x297e                /* ~ */
    .word 0x3920                /* space */
    .word 0x1071                /* q */
    .set first_count, (. - first_keys) / 2
second_keys:
    .asciz "0123456789abcdefghijklmnopqrstuvwxyzABCD"
/* Then ESC [A, ESC OP, ESC [5~, ESC [15~, ESC [3~ and a lone ESC. */
escape_keys:
    .word 0x4800                /* cursor up */
    .word 0x3b00                /* F1 */
    .word 0x4900                /* Page Up */
    .word 0x3f00                /* F5 */
    .word 0x5300                /* Delete */
    .word 0x011b                /* Esc, nothing after it */
    .set escape_count, (. - escape_keys) / 2
/* Scan codes of A-Z (set 1). */
letter_scan:
    .byte 0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32
    .byte 0x31, 0x18, 0x19, 0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11, 0x2d, 0x15, 0x2c
msg_no_key:
    .asciz "no key came"
msg_wrong_peek:
    .asciz "AH=01h/11h returned the wrong key"
msg_wrong_read:
    .asciz "AH=00h/10h returned another key than the peek"
