/* int10.S: INT 10h on a serial console.  The guest writes through the
 * output functions and checks the state the query functions report:
 *   0Fh   80 columns, mode 3, page 0
 *   02h/03h  the cursor set is the cursor read
 *   0Eh   teletype: characters move the cursor right, CR to column 0, LF
 *         down a row, BS left; BEL is not printed
 *   09h/0Ah  a character CX times, the cursor stays
 *   13h   a string at a position; AL bit 0 moves the cursor after it,
 *         bit 1 skips the attribute bytes
 *   00h   mode 3 again: the cursor home
 *   12h BL=10h, 1Ah AL=00h: the EGA/VGA answers
 *   0Eh with code page 437 line drawing: ASCII on the terminal
 * tests/boot.sh checks the bytes that reached stdout, including how the
 * terminal's cursor was moved to where each write goes. */
#include "boot/boot.inc"

    .text
main:
    PRINT "int10: video on the serial line\r\n"
    mov  $0x0f, %ah
    int  $0x10
    cmp  $80, %ah
    CHECK e, "AH=0Fh: not 80 columns"
    cmp  $0x03, %al
    CHECK e, "AH=0Fh: not mode 3"
    test %bh, %bh
    CHECK z, "AH=0Fh: not page 0"

    mov  $0x0203, %dx           /* AH=02h: row 2, column 3 */
    call set_cursor
    call get_cursor
    cmp  $0x0203, %dx
    CHECK e, "AH=03h: not the cursor AH=02h set"

    mov  $0x0500, %dx           /* teletype from row 5, column 0 */
    call set_cursor
    mov  $'t', %al
    call tty
    mov  $'t', %al
    call tty
    mov  $'y', %al
    call tty
    call get_cursor
    cmp  $0x0503, %dx
    CHECK e, "AH=0Eh: three characters did not move the cursor 3 columns"
    mov  $0x08, %al             /* BS */
    call tty
    call get_cursor
    cmp  $0x0502, %dx
    CHECK e, "AH=0Eh: BS did not move the cursor left"
    mov  $'Y', %al
    call tty
    mov  $0x07, %al             /* BEL: not a character */
    call tty
    call get_cursor
    cmp  $0x0503, %dx
    CHECK e, "AH=0Eh: BEL moved the cursor"
    mov  $'\r', %al
    call tty
    call get_cursor
    cmp  $0x0500, %dx
    CHECK e, "AH=0Eh: CR did not go to column 0"
    mov  $'\n', %al
    call tty
    call get_cursor
    cmp  $0x0600, %dx
    CHECK e, "AH=0Eh: LF did not go down a row"

    mov  $0x0920, %dx           /* AH=09h and 0Ah: the cursor stays */
    call set_cursor
    mov  $0x0978, %ax           /* 'x' */
    mov  $0x0007, %bx
    mov  $3, %cx
    int  $0x10
    mov  $0x0a2d, %ax           /* '-' */
    xor  %bx, %bx
    mov  $2, %cx
    int  $0x10
    call get_cursor
    cmp  $0x0920, %dx
    CHECK e, "AH=09h/0Ah moved the cursor"
    mov  $'\r', %al
    call tty
    mov  $'\n', %al
    call tty

    mov  $0x1301, %ax           /* AH=13h, AL=1: plain string, cursor moves */
    mov  $0x0007, %bx
    mov  $str_plain_len, %cx
    mov  $0x0a05, %dx           /* row 10, column 5 */
    mov  $str_plain, %bp
    int  $0x10
    call get_cursor
    cmp  $0x0a05 + str_plain_len, %dx
    CHECK e, "AH=13h AL=1: the cursor is not after the string"
    mov  $0x1302, %ax           /* AL=2: characters and attributes, cursor stays */
    xor  %bx, %bx
    mov  $str_attr_len / 2, %cx
    mov  $0x0b00, %dx
    mov  $str_attr, %bp
    int  $0x10
    call get_cursor
    cmp  $0x0a05 + str_plain_len, %dx
    CHECK e, "AH=13h AL=2 moved the cursor"
    mov  $'\r', %al
    call tty
    mov  $'\n', %al
    call tty

    mov  $0x0003, %ax           /* AH=00h: mode 3, the cursor home */
    int  $0x10
    call get_cursor
    test %dx, %dx
    CHECK z, "AH=00h: the cursor is not home after a mode set"
    mov  $0x12, %ah             /* EGA information */
    mov  $0x10, %bl
    int  $0x10
    cmp  $0x10, %bl
    CHECK ne, "AH=12h BL=10h: no EGA information"
    test %bh, %bh
    CHECK z, "AH=12h BL=10h: not a colour adapter"
    mov  $0x1a00, %ax           /* display combination */
    int  $0x10
    cmp  $0x1a, %al
    CHECK e, "AH=1Ah: AL is not 1Ah"
    mov  $box, %si              /* code page 437 lines: ASCII on the terminal */
1:  lodsb
    test %al, %al
    jz   2f
    call tty
    jmp  1b
2:  PRINT "int10: done\r\n"
    jmp  pass

/* set_cursor: page 0's cursor to DH/DL.  get_cursor: DX = it. */
set_cursor:
    push %ax
    push %bx
    mov  $0x02, %ah
    xor  %bh, %bh
    int  $0x10
    pop  %bx
    pop  %ax
    ret
get_cursor:
    push %ax
    push %bx
    push %cx
    mov  $0x03, %ah
    xor  %bh, %bh
    int  $0x10
    pop  %cx
    pop  %bx
    pop  %ax
    ret
/* tty: AL through AH=0Eh. */
tty:
    push %ax
    push %bx
    mov  $0x0e, %ah
    xor  %bx, %bx
    int  $0x10
    pop  %bx
    pop  %ax
    ret

    .section .rodata
str_plain:
    .ascii "plain string"
    .set str_plain_len, . - str_plain
box:
    .byte 0xda, 0xc4, 0xbf, 0xb3, 0xba, 0xcd, 0xdb, '\r', '\n', 0
str_attr:
    .byte 'a', 0x1f, 'b', 0x2f, 'c', 0x4f
    .set str_attr_len, . - str_attr
