/* console.S: the console is COM1.  INT 10h (video) writes the characters
 * a program prints to the UART; INT 16h (keyboard) reads the keys the UART
 * receives.  There is no display adapter: INT 10h keeps the state a
 * program can ask for (mode, cursor) in the BIOS data area, as a real
 * video BIOS does, and the bytes go to the serial line, so a terminal
 * shows them.
 *
 * Input: each received byte becomes a key (scan code, ASCII) as a PC
 * keyboard would have produced it, queued in the BDA's key buffer
 * (40:1Eh-3Dh, head and tail at 40:1Ah/1Ch).  IRQ4 fills the buffer; the
 * INT 16h calls fill it too (a guest that polls with interrupts off loses
 * nothing).  When the buffer is full the UART's receive interrupt is
 * turned off and the bytes wait in the UART (and in vm, behind it, in the
 * host's input buffer) until a key is taken.  A terminal's escape
 * sequences for the cursor, editing and function keys become those keys.
 * The code page 437 line-drawing characters go out as ASCII.
 *
 * A program that draws its screen by moving the cursor (AH=02h) and
 * writing at it (AH=09h) -- SYSLINUX, most menus -- still reads well on
 * a terminal: INT 10h remembers where the terminal's cursor is (40:AEh,
 * a reserved BDA word) and, before it writes, moves it to the BIOS's
 * cursor: down with CR LF (and blanks to the column), up, left and right
 * with ANSI escape sequences (ESC [n A, D, C) or CR.  Scrolling the whole
 * screen up moves the terminal's place up the screen, so the next lines
 * come out as new lines.
 *
 * Runs on the boot processor, in POST and under the guest.  The key
 * buffer is shared with IRQ4: the INT 16h code touches it with
 * interrupts off. */
#include "bios.h"

    .text
/* ---- The serial line ------------------------------------------------------ */

/* serial_init: COM1 at 115200 baud, 8N1, FIFOs on with a one-byte trigger,
 * the receive interrupt on, IRQ4 enabled (OUT2).  Bytes already received
 * are kept: the UART goes into loopback while its FIFOs are switched on,
 * which holds the line's input back (vm keeps it in its own buffer), and
 * what the UART already held goes into the key buffer first.  Clobbers
 * AX, DX. */
    .globl serial_init
serial_init:
    push %ds
    DS_BDA
    mov  $COM1 + UART_MCR, %dx
    mov  $UART_MCR_LOOP, %al
    out  %al, %dx
    xor  %al, %al                       /* no interrupts while we set it up */
    mov  $COM1 + UART_IER, %dx
    out  %al, %dx
    call kbd_pump
    mov  $COM1 + UART_LCR, %dx
    mov  $0x80, %al                     /* DLAB: the divisor */
    out  %al, %dx
    mov  $COM1 + UART_DLL, %dx
    mov  $1, %al                        /* 115200 / 1 */
    out  %al, %dx
    mov  $COM1 + UART_DLM, %dx
    xor  %al, %al
    out  %al, %dx
    mov  $COM1 + UART_LCR, %dx
    mov  $0x03, %al                     /* 8 data bits, no parity, 1 stop bit */
    out  %al, %dx
    mov  $COM1 + UART_FCR, %dx
    mov  $0x07, %al                     /* FIFOs on and empty, trigger at 1 byte */
    out  %al, %dx
    mov  $COM1 + UART_IER, %dx
    mov  $UART_IER_RDI, %al
    out  %al, %dx
    mov  $COM1 + UART_MCR, %dx
    mov  $UART_MCR_RUN, %al
    out  %al, %dx
    pop  %ds
    ret

/* putc: send AL on COM1 once the transmitter has room (on vm at once; a
 * real UART at 115200 baud takes 87 us a byte).  Gives up waiting after
 * 64K polls, so a dead UART cannot hang the BIOS.  Clobbers nothing. */
    .globl putc
putc:
    push %ax
    push %cx
    push %dx
    mov  %al, %ah
    mov  $COM1 + UART_LSR, %dx
    xor  %cx, %cx
1:  in   %dx, %al
    test $UART_LSR_THRE, %al
    jnz  2f
    loop 1b
2:  mov  $COM1 + UART_THR, %dx
    mov  %ah, %al
    out  %al, %dx
    pop  %dx
    pop  %cx
    pop  %ax
    ret

/* puts: send the NUL-terminated string at CS:SI.  Clobbers SI. */
    .globl puts
puts:
    push %ax
1:  cs lodsb
    test %al, %al
    jz   2f
    call putc
    jmp  1b
2:  pop  %ax
    ret

/* putdec: EAX in decimal.  Clobbers nothing. */
    .globl putdec
putdec:
    pushal
    mov  $10, %ecx
    xor  %bx, %bx                       /* digits pushed */
1:  xor  %edx, %edx
    div  %ecx
    push %dx
    inc  %bx
    test %eax, %eax
    jnz  1b
2:  pop  %ax
    add  $'0', %al
    call putc
    dec  %bx
    jnz  2b
    popal
    ret

/* puthex8, puthex16, puthex32: AL, AX, EAX in hexadecimal (2, 4, 8
 * digits).  Clobber nothing. */
    .globl puthex8, puthex16, puthex32
puthex32:
    push %eax
    shr  $16, %eax
    call puthex16
    pop  %eax
puthex16:
    push %ax
    mov  %ah, %al
    call puthex8
    pop  %ax
puthex8:
    push %ax
    shr  $4, %al
    call hexdigit
    pop  %ax
    push %ax
    call hexdigit
    pop  %ax
    ret
hexdigit:
    and  $0x0f, %al
    add  $'0', %al
    cmp  $'9', %al
    jbe  1f
    add  $'a' - '9' - 1, %al
1:  jmp  putc

/* ---- INT 10h: video ------------------------------------------------------- */

/* int10_video: AH selects the function (int10_table).  Unknown functions
 * return with every register unchanged -- which is how a caller sees that
 * VESA (AH=4Fh: AL stays not 4Fh) and the like are missing. */
    .globl int10_video
int10_video:
    sti
    SERVICE_ENTER
    cld
    DS_BDA
    movzbw F_AH(%bp), %bx
    cmp  $INT10_FUNCS, %bx
    jae  1f
    shl  $1, %bx
    call *%cs:int10_table(%bx)
1:  SERVICE_LEAVE

int10_table:
    .word v_set_mode            /* 00h set video mode */
    .word v_cursor_shape        /* 01h set cursor shape */
    .word v_set_cursor          /* 02h set cursor position */
    .word v_get_cursor          /* 03h get cursor position and shape */
    .word v_light_pen           /* 04h light pen: none */
    .word v_set_page            /* 05h select the active page */
    .word v_scroll_up           /* 06h scroll up (AL = 0: clear) */
    .word v_scroll_down         /* 07h scroll down */
    .word v_read_char           /* 08h read character at cursor */
    .word v_write_chars         /* 09h write character and attribute at cursor */
    .word v_write_chars         /* 0Ah write character at cursor */
    .word v_nothing             /* 0Bh palette */
    .word v_nothing             /* 0Ch write pixel */
    .word v_read_pixel          /* 0Dh read pixel */
    .word v_teletype            /* 0Eh teletype output */
    .word v_get_mode            /* 0Fh get video mode */
    .word v_nothing             /* 10h palette registers */
    .word v_font                /* 11h character generator */
    .word v_alt_select          /* 12h alternate select (EGA/VGA information) */
    .word v_write_string        /* 13h write string */
    .word v_unknown             /* 14h-19h: none */
    .word v_unknown
    .word v_unknown
    .word v_unknown
    .word v_unknown
    .word v_unknown
    .word v_display_combination /* 1Ah get/set display combination code */
    .set INT10_FUNCS, (. - int10_table) / 2

v_nothing:
v_unknown:
    ret

/* AH=00h: AL = mode (bit 7: keep the screen).  The text modes are taken
 * (0-1: 40x25, 2-3: 80x25 colour, 7: 80x25 mono); a graphics mode cannot
 * be shown on a serial line and leaves the mode as it was.  Returns AL =
 * 30h, as VGA BIOSes do for text modes. */
v_set_mode:
    mov  F_AL(%bp), %al
    and  $0x7f, %al
    cmp  $3, %al
    jbe  1f
    cmp  $7, %al
    jne  2f
1:  call video_set_mode
    call term_new_screen
2:  movb $0x30, F_AL(%bp)
    ret

/* video_set_mode: the BDA's video fields for text mode AL; cursors home,
 * page 0.  DS = BDA.  Clobbers AX, CX, DI. */
    .globl video_set_mode
video_set_mode:
    push %es
    mov  %al, BDA_VIDEO_MODE
    movw $80, BDA_VIDEO_COLS
    movw $0x1000, BDA_VIDEO_PAGE_SIZE
    cmp  $1, %al
    ja   1f
    movw $40, BDA_VIDEO_COLS
    movw $0x0800, BDA_VIDEO_PAGE_SIZE
1:  movw $0, BDA_VIDEO_PAGE_START
    mov  %ds, %ax
    mov  %ax, %es
    mov  $BDA_CURSOR_POS, %di
    xor  %ax, %ax
    mov  $8, %cx
    rep  stosw
    movw $0x0607, BDA_CURSOR_SHAPE
    movb $0, BDA_VIDEO_PAGE
    movw $0x3d4, BDA_CRTC_PORT
    cmpb $7, BDA_VIDEO_MODE
    jne  2f
    movw $0x3b4, BDA_CRTC_PORT
2:  movb $0x29, BDA_VIDEO_MSR
    movb $0x30, BDA_VIDEO_PAL
    movb $24, BDA_VIDEO_ROWS
    movw $16, BDA_CHAR_HEIGHT
    movb $0x60, BDA_VIDEO_CTL
    movb $0x09, BDA_VIDEO_SWITCHES
    movb $0x51, BDA_VGA_FLAGS
    pop  %es
    ret

/* AH=01h: CX = cursor shape (CH start line, CL end line). */
v_cursor_shape:
    mov  F_CX(%bp), %ax
    mov  %ax, BDA_CURSOR_SHAPE
    ret

/* cursor_slot: BX = offset in the BDA of page BH's cursor (pages 0-7). */
cursor_slot:
    movzbw %bh, %bx
    and  $7, %bx
    shl  $1, %bx
    add  $BDA_CURSOR_POS, %bx
    ret

/* AH=02h: BH = page, DH = row, DL = column. */
v_set_cursor:
    mov  F_BH(%bp), %bh
    call cursor_slot
    mov  F_DX(%bp), %ax                 /* the BDA holds column low, row high: DX's order */
    mov  %ax, (%bx)
    ret

/* AH=03h: BH = page.  Returns DH = row, DL = column, CX = shape. */
v_get_cursor:
    mov  F_BH(%bp), %bh
    call cursor_slot
    mov  (%bx), %ax
    mov  %ax, F_DX(%bp)
    mov  BDA_CURSOR_SHAPE, %ax
    mov  %ax, F_CX(%bp)
    ret

/* AH=04h: AH = 0, the light pen is not triggered. */
v_light_pen:
    movb $0, F_AH(%bp)
    ret

/* AH=05h: AL = the new active page. */
v_set_page:
    mov  F_AL(%bp), %al
    and  $7, %al
    mov  %al, BDA_VIDEO_PAGE
    ret

/* AH=08h: the screen is not readable: a blank, light grey on black. */
v_read_char:
    movw $0x0720, F_AX(%bp)
    ret

/* AH=0Dh: AL = 0, pixels are black. */
v_read_pixel:
    movb $0, F_AL(%bp)
    ret

/* AH=09h/0Ah: AL = character, CX = count, at page BH's cursor, which
 * does not move (the terminal's does).  A control character is a glyph
 * here, not a command: it is sent as a blank so it cannot move the
 * terminal's cursor. */
v_write_chars:
    mov  F_BH(%bp), %bh
    call cursor_slot
    mov  (%bx), %dx
    call term_sync
    mov  F_AL(%bp), %al
    cmp  $' ', %al
    jae  1f
    mov  $' ', %al
1:  mov  F_CX(%bp), %cx
    jcxz 3f
2:  call putc_glyph
    call cursor_advance
    loop 2b
    mov  %dx, BDA_TERM_POS
3:  ret

/* AH=0Eh: AL = character, BH = page: teletype output. */
v_teletype:
    mov  F_AL(%bp), %al
    mov  F_BH(%bp), %bh
    jmp  tty_out

/* tty_out: AL to the console as a teletype, at page BH's cursor: BEL is
 * dropped (a serial line has no speaker worth beeping), everything else
 * is sent, and the cursor follows (cursor_advance).  DS = BDA.  Clobbers
 * BX, DX. */
tty_out:
    cmp  $0x07, %al
    je   1f
    call cursor_slot
    mov  (%bx), %dx
    call term_sync
    call putc_glyph
    call cursor_advance
    mov  %dx, (%bx)
    mov  %dx, BDA_TERM_POS
1:  ret

/* putc_glyph: send the character AL as the terminal can show it: the
 * code page 437 line-drawing and block characters (B0h-DFh) that boot
 * menus draw their boxes with become ASCII (| - = + #), since a terminal
 * today would show other characters there; everything else is sent as it
 * is.  Clobbers nothing. */
putc_glyph:
    cmp  $0xb0, %al
    jb   1f
    cmp  $0xdf, %al
    ja   1f
    push %ax
    push %bx
    movzbw %al, %bx
    mov  %cs:line_drawing - 0xb0(%bx), %al
    call putc
    pop  %bx
    pop  %ax
    ret
1:  jmp  putc

/* ASCII for CP437 B0h-DFh: shades and blocks '#', single vertical lines
 * '|', double '|', horizontal '-', double '=', corners and junctions '+'. */
line_drawing:
    .ascii "###|++++++|+++++"          /* B0h-BFh */
    .ascii "++++-++++++++=++"          /* C0h-CFh */
    .ascii "+++++++++++#####"          /* D0h-DFh */

/* cursor_advance: DX (DL column, DH row) after a teletype writes AL there:
 * CR to column 0, LF a row down, BS a column left, anything else a column
 * right, wrapping at the line's end; below the last row the screen
 * scrolls, so the row stays.  DS = BDA. */
cursor_advance:
    cmp  $'\r', %al
    je   1f
    cmp  $'\n', %al
    je   2f
    cmp  $0x08, %al
    je   3f
    inc  %dl
    cmp  BDA_VIDEO_COLS, %dl
    jb   5f
1:  xor  %dl, %dl
    cmp  $'\r', %al
    je   5f
2:  inc  %dh
    cmp  BDA_VIDEO_ROWS, %dh
    jbe  5f
    mov  BDA_VIDEO_ROWS, %dh
    jmp  5f
3:  test %dl, %dl
    jz   5f
    dec  %dl
5:  ret

/* term_sync: move the terminal's cursor (BDA_TERM_POS: column, and a
 * signed row -- above 0 after a scroll) to DX, the cursor about to be
 * written at: down with new lines (on which blanks lead to the column:
 * the line is new, they hide nothing), up, left and right over the screen
 * with escape sequences, which leave its text alone.  DS = BDA.  Clobbers
 * nothing. */
term_sync:
    push %ax
    push %cx
    push %si
    xor  %si, %si                       /* SI = 1: on a new line */
    mov  BDA_TERM_POS, %cx              /* CL column, CH row */
    cmp  %dh, %ch
    je   3f
    jl   2f
    mov  %ch, %al                       /* up: ESC [ n A */
    sub  %dh, %al
    mov  $'A', %ah
    call term_escape
    jmp  3f
2:  mov  $'\r', %al                     /* down: new lines */
    call putc
1:  mov  $'\n', %al
    call putc
    inc  %ch
    cmp  %dh, %ch
    jl   1b
    xor  %cl, %cl
    inc  %si
3:  cmp  %dl, %cl
    je   7f
    jb   5f
    mov  $'\r', %al                     /* left: to column 0, or ESC [ n D */
    test %dl, %dl
    jz   4f
    mov  %cl, %al
    sub  %dl, %al
    mov  $'D', %ah
    call term_escape
    jmp  7f
4:  call putc
    jmp  7f
5:  test %si, %si                       /* right: blanks on a new line, else ESC [ n C */
    jnz  6f
    mov  %dl, %al
    sub  %cl, %al
    mov  $'C', %ah
    call term_escape
    jmp  7f
6:  mov  $' ', %al
    call putc
    inc  %cl
    cmp  %dl, %cl
    jb   6b
7:  mov  %dx, BDA_TERM_POS
    pop  %si
    pop  %cx
    pop  %ax
    ret

/* term_escape: ESC [ AL AH -- a cursor movement of AL (1-255) in the
 * direction AH ('A' up, 'C' right, 'D' left).  Clobbers AX. */
term_escape:
    push %eax
    mov  $0x1b, %al
    call putc
    mov  $'[', %al
    call putc
    pop  %eax
    push %ax
    movzbl %al, %eax
    call putdec
    pop  %ax
    mov  %ah, %al
    jmp  putc

/* term_new_screen: the screen was cleared: the terminal goes to a fresh
 * line, which is row 0, column 0 from now on.  DS = BDA.  Clobbers AX. */
term_new_screen:
    cmpb $0, BDA_TERM_POS
    je   1f
    mov  $'\r', %al
    call putc
    mov  $'\n', %al
    call putc
1:  movw $0, BDA_TERM_POS
    ret

/* full_width_to_bottom: ZF = 1 if the window CH,CL-DH,DL of an AH=06h/07h
 * call spans the whole screen's width down to its last row: only such a
 * scroll moves the terminal's lines. */
full_width_to_bottom:
    cmpb $0, F_CL(%bp)
    jne  1f
    mov  BDA_VIDEO_COLS, %al
    dec  %al
    cmp  F_DL(%bp), %al
    ja   1f
    mov  BDA_VIDEO_ROWS, %al
    cmp  F_DH(%bp), %al
    ja   1f
    cmp  %al, %al
1:  ret

/* AH=06h: scroll the window up AL lines (0: clear it).  The whole screen
 * cleared is a new screen; the screen scrolled up N lines leaves the
 * terminal's cursor N rows further up the screen's new contents. */
v_scroll_up:
    call full_width_to_bottom
    jne  2f
    mov  F_AL(%bp), %al
    test %al, %al
    jz   1f
    mov  BDA_VIDEO_ROWS, %ah            /* as many lines as the window: clear */
    sub  F_CH(%bp), %ah
    cmp  %ah, %al
    ja   1f
    sub  %al, BDA_TERM_POS + 1
    cmpb $-100, BDA_TERM_POS + 1        /* keep it a signed byte */
    jge  2f
    movb $-100, BDA_TERM_POS + 1
    ret
1:  cmpb $0, F_CH(%bp)
    jne  2f
    jmp  term_new_screen
2:  ret

/* AH=07h: scroll the window down AL lines: the terminal's cursor is that
 * much further down the screen's contents. */
v_scroll_down:
    call full_width_to_bottom
    jne  1f
    mov  F_AL(%bp), %al
    add  %al, BDA_TERM_POS + 1
    cmpb $100, BDA_TERM_POS + 1
    jle  1f
    movb $100, BDA_TERM_POS + 1
1:  ret

/* AH=0Fh: AH = columns, AL = mode, BH = active page. */
v_get_mode:
    mov  BDA_VIDEO_COLS, %ah
    mov  BDA_VIDEO_MODE, %al
    mov  %ax, F_AX(%bp)
    mov  BDA_VIDEO_PAGE, %al
    mov  %al, F_BH(%bp)
    ret

/* AH=11h: only AL=30h, the font information: CX = bytes per character,
 * DL = rows - 1, ES:BP = the font (none: 0:0). */
v_font:
    cmpb $0x30, F_AL(%bp)
    jne  1f
    mov  BDA_CHAR_HEIGHT, %ax
    mov  %ax, F_CX(%bp)
    mov  BDA_VIDEO_ROWS, %al
    mov  %al, F_DL(%bp)
    movw $0, F_ES(%bp)
    movw $0, F_BP(%bp)
1:  ret

/* AH=12h: only BL=10h, the EGA information: colour, 256 KiB, feature bits
 * 0, switches 9 (an EGA/VGA on a colour monitor). */
v_alt_select:
    cmpb $0x10, F_BL(%bp)
    jne  1f
    movw $0x0003, F_BX(%bp)
    movw $0x0009, F_CX(%bp)
1:  ret

/* AH=13h: write string.  AL bit 0: move the cursor to the end; bit 1: the
 * string alternates characters and attributes.  BH = page, CX = length,
 * DH/DL = row/column to start at, ES:BP = the string.  CR, LF, BS and BEL
 * act as in teletype output. */
v_write_string:
    mov  F_BH(%bp), %bh
    call cursor_slot
    push (%bx)                          /* the cursor to restore */
    mov  F_DX(%bp), %ax
    mov  %ax, (%bx)
    mov  F_CX(%bp), %cx
    mov  F_BP(%bp), %si
    mov  F_ES(%bp), %es
    jcxz 3f
1:  mov  %es:(%si), %al
    inc  %si
    testb $2, F_AL(%bp)
    jz   2f
    inc  %si                            /* skip the attribute */
2:  push %bx
    mov  F_BH(%bp), %bh
    call tty_out
    pop  %bx
    loop 1b
3:  pop  %ax
    testb $1, F_AL(%bp)
    jnz  4f
    mov  %ax, (%bx)
4:  ret

/* AH=1Ah: AL=00h get: AL = 1Ah, BL = 08h (VGA, colour), BH = 0 (none);
 * AL=01h set: accepted. */
v_display_combination:
    cmpb $1, F_AL(%bp)
    ja   1f
    je   2f
    movw $0x0008, F_BX(%bp)
2:  movb $0x1a, F_AL(%bp)
1:  ret

/* ---- INT 16h: keyboard ----------------------------------------------------- */

/* int16_keyboard: AH selects.  00h/10h wait for a key, 01h/11h look at the
 * next key (ZF = 1: none), 02h/12h the shift states, 05h store a key.
 * The keys come from COM1 and have no extended (E0h) forms, so the 10h
 * functions equal the old ones. */
    .globl int16_keyboard
int16_keyboard:
    SERVICE_ENTER
    DS_BDA
    mov  F_AH(%bp), %ah
    and  $0xef, %ah                     /* 10h-12h as 00h-02h */
    cmp  $0x00, %ah
    je   k_read
    cmp  $0x01, %ah
    je   k_peek
    cmp  $0x02, %ah
    je   k_shift
    cmpb $0x05, F_AH(%bp)
    je   k_store
    SERVICE_LEAVE

/* AH=00h: the next key, waiting for it with HLT (interrupts on: IRQ4 or
 * the next timer tick ends the wait). */
k_read:
    cli
    call kbd_pump
    call kb_pop
    jnc  1f
    sti
    hlt
    jmp  k_read
1:  mov  %ax, F_AX(%bp)
    SERVICE_LEAVE

/* AH=01h: ZF = 1 if no key waits, else ZF = 0 and AX = the key (left in
 * the buffer). */
k_peek:
    cli
    call kbd_pump
    call kb_peek
    jc   1f
    mov  %ax, F_AX(%bp)
    andb $~FLAG_ZF, F_FLAGS(%bp)
    SERVICE_LEAVE
1:  orb  $FLAG_ZF, F_FLAGS(%bp)
    SERVICE_LEAVE

/* AH=02h: AL = shift flags (40:17h); AH=12h also AH = 40:18h. */
k_shift:
    mov  BDA_KB_FLAGS1, %al
    mov  %al, F_AL(%bp)
    cmpb $0x12, F_AH(%bp)
    jne  1f
    mov  BDA_KB_FLAGS2, %al
    mov  %al, F_AH(%bp)
1:  SERVICE_LEAVE

/* AH=05h: put CH = scan code, CL = ASCII in the buffer.  AL = 0 (CF = 0),
 * or AL = 1 (CF = 1) when the buffer is full. */
k_store:
    cli
    mov  F_CX(%bp), %ax
    call kb_push
    jc   1f
    movb $0, F_AL(%bp)
    CLEAR_CF
    SERVICE_LEAVE
1:  movb $1, F_AL(%bp)
    SET_CF
    SERVICE_LEAVE

/* irq4_serial: COM1 has received bytes: move them into the key buffer. */
    .globl irq4_serial
irq4_serial:
    push %ax
    push %dx
    push %ds
    DS_BDA
    mov  $COM1 + UART_IIR, %dx          /* read the cause: clears a THRE interrupt */
    in   %dx, %al
    call kbd_pump
    mov  $PIC_EOI, %al
    out  %al, $PIC1_CMD
    pop  %ds
    pop  %dx
    pop  %ax
    iret

/* kbd_pump: move what COM1 has received into the key buffer, as long as
 * there is room.  A full buffer turns COM1's receive interrupt off (the
 * rest waits in the UART); with room it is on.  DS = BDA, interrupts off.
 * Clobbers nothing. */
    .globl kbd_pump
kbd_pump:
    push %ax
    push %dx
1:  call kb_next_tail
    je   3f                             /* full */
    call uart_byte
    jc   2f
    cmp  $0x1b, %al
    jne  5f
    call key_from_escape
    jc   1b                             /* it pushed its keys itself */
    jmp  6f
5:  call key_from_byte
6:  call kb_push
    jmp  1b
2:  mov  $UART_IER_RDI, %al
    jmp  4f
3:  xor  %al, %al
4:  mov  $COM1 + UART_IER, %dx
    out  %al, %dx
    pop  %dx
    pop  %ax
    ret

/* uart_byte: AL = the next byte COM1 has received, or CF = 1 if there is
 * none now.  Clobbers DX. */
uart_byte:
    mov  $COM1 + UART_LSR, %dx
    in   %dx, %al
    test $UART_LSR_DR, %al
    stc
    jz   1f
    mov  $COM1 + UART_RBR, %dx
    in   %dx, %al
    clc
1:  ret

/* uart_byte_soon: uart_byte, but if nothing is there yet, wait for a
 * byte up to about 10 ms (700 refresh toggles of port 61h, 15 us each):
 * the rest of a terminal's escape sequence may still be on its way -- 87
 * us a byte on a real line at 115200 baud; in vm, behind in the host's
 * input buffer until the main loop moves it into the UART, which takes
 * over a millisecond now and then while this loop keeps the BQL busy.
 * Clobbers DX. */
uart_byte_soon:
    push %cx
    push %bx
    mov  $700, %cx
    in   $PORT_B, %al
    and  $0x10, %al
    mov  %al, %bl
1:  call uart_byte
    jnc  3f
    in   $PORT_B, %al
    and  $0x10, %al
    cmp  %al, %bl
    je   1b
    mov  %al, %bl
    loop 1b
    stc
3:  pop  %bx
    pop  %cx
    ret

/* key_from_escape: after an ESC from COM1: the key of the terminal's
 * escape sequence for a cursor, editing or function key (VT100/xterm:
 * ESC [ A-D H F, ESC O A-D H F P-S, ESC [ n ~), as the PC keyboard's
 * scan code with ASCII 0, in AX.  A terminal sends such a sequence in one
 * burst; an ESC with nothing after it within 10 ms is the Esc key
 * (011Bh).  A sequence we do not know becomes keys pushed here (CF = 1):
 * Esc, then its first and last bytes (they may not all fit).  Clobbers
 * DX. */
key_from_escape:
    push %bx
    push %cx
    push %si
    push %di
    xor  %di, %di                       /* DI: bytes read after the ESC (BL, then BH) */
    call uart_byte_soon
    jc   9f                             /* the Esc key alone */
    mov  %al, %bl                       /* BL = '[' or 'O' */
    inc  %di
    cmp  $'[', %al
    je   1f
    cmp  $'O', %al
    jne  7f
1:  call uart_byte_soon
    jc   7f
    mov  %al, %bh                       /* BH = the last byte read */
    mov  $2, %di
    cmp  $'0', %al
    jb   2f
    cmp  $'9', %al
    jbe  4f
2:  mov  $escape_letters, %si           /* a final letter: look it up */
3:  mov  %cs:(%si), %ax
    test %ax, %ax
    jz   7f
    add  $2, %si
    cmp  %bh, %al
    jne  3b
    xor  %al, %al
    jmp  8f
4:  sub  $'0', %al                      /* ESC [ n ~: the number, 1 or 2 digits */
    movzbw %al, %cx
    call uart_byte_soon
    jc   7f
    mov  %al, %bh
    cmp  $'~', %al
    je   5f
    sub  $'0', %al
    cmp  $9, %al
    ja   7f
    imul $10, %cx
    movzbw %al, %ax
    add  %ax, %cx
    call uart_byte_soon
    jc   7f
    mov  %al, %bh
    cmp  $'~', %al
    jne  7f
5:  cmp  $ESCAPE_NUMBERS, %cx
    jae  7f
    mov  %cx, %si
    mov  %cs:escape_numbers(%si), %ah
    test %ah, %ah
    jz   7f
    xor  %al, %al
    jmp  8f
7:  mov  $0x011b, %ax                   /* not ours: ESC, then what followed it */
    call kb_push
    test %di, %di
    jz   6f
    mov  %bl, %al
    call key_from_byte
    call kb_push
    cmp  $2, %di
    jb   6f
    mov  %bh, %al
    call key_from_byte
    call kb_push
6:  stc
    jmp  10f
9:  mov  $0x011b, %ax
8:  clc
10: pop  %di
    pop  %si
    pop  %cx
    pop  %bx
    ret

/* The final letters of ESC [ x and ESC O x: (letter, scan code) pairs;
 * 0 ends the list.  Cursor keys, Home, End, then F1-F4. */
escape_letters:
    .byte 'A', 0x48, 'B', 0x50, 'C', 0x4d, 'D', 0x4b, 'H', 0x47, 'F', 0x4f
    .byte 'P', 0x3b, 'Q', 0x3c, 'R', 0x3d, 'S', 0x3e
    .byte 0, 0
/* ESC [ n ~: the scan code for n (0: none).  1/7 Home, 2 Insert, 3
 * Delete, 4/8 End, 5 Page Up, 6 Page Down, 11-15 F1-F5, 17-21 F6-F10,
 * 23-24 F11-F12. */
escape_numbers:
    .byte 0, 0x47, 0x52, 0x53, 0x4f, 0x49, 0x51, 0x47, 0x4f, 0, 0
    .byte 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0, 0x40, 0x41, 0x42, 0x43, 0x44, 0, 0x85, 0x86
    .set ESCAPE_NUMBERS, . - escape_numbers

/* kb_next_tail: DX = where the tail goes after one more key; ZF = 1 if
 * that is the head (the buffer is full).  DS = BDA. */
kb_next_tail:
    mov  BDA_KB_TAIL, %dx
    add  $2, %dx
    cmp  BDA_KB_END, %dx
    jb   1f
    mov  BDA_KB_START, %dx
1:  cmp  BDA_KB_HEAD, %dx
    ret

/* kb_push: AX into the key buffer; CF = 1 if it was full.  DS = BDA,
 * interrupts off.  Clobbers nothing. */
kb_push:
    push %bx
    push %dx
    call kb_next_tail
    stc
    je   1f
    mov  BDA_KB_TAIL, %bx
    mov  %ax, (%bx)
    mov  %dx, BDA_KB_TAIL
    clc
1:  pop  %dx
    pop  %bx
    ret

/* kb_peek: AX = the next key, CF = 1 if there is none.  kb_pop also
 * removes it.  DS = BDA, interrupts off. */
kb_peek:
    push %bx
    mov  BDA_KB_HEAD, %bx
    cmp  BDA_KB_TAIL, %bx
    stc
    je   1f
    mov  (%bx), %ax
    clc
1:  pop  %bx
    ret
    .globl kb_pop
kb_pop:
    call kb_peek
    jc   1f
    push %bx
    mov  BDA_KB_HEAD, %bx
    add  $2, %bx
    cmp  BDA_KB_END, %bx
    jb   2f
    mov  BDA_KB_START, %bx
2:  mov  %bx, BDA_KB_HEAD
    pop  %bx
    clc
1:  ret

/* key_from_byte: AX = the key (AH scan code, AL ASCII) a US PC keyboard
 * sends for the character AL.  DEL (7Fh, what a terminal's Backspace key
 * sends) is Backspace, 0E08h.  Bytes above 7Fh have no key: scan code 0.
 * Clobbers nothing else. */
key_from_byte:
    cmp  $0x7f, %al
    je   2f
    xor  %ah, %ah
    cmp  $0x80, %al
    jae  1f
    push %bx
    movzbw %al, %bx
    mov  %cs:scan_codes(%bx), %ah
    pop  %bx
1:  ret
2:  mov  $0x0e08, %ax
    ret

/* The scan code of each ASCII character (US layout, set 1): a character
 * and its shifted and Ctrl forms share their key's code.  0: no key. */
scan_codes:
    /* 00h-1Fh: Ctrl-@, Ctrl-A..Z (BS, Tab, LF = Ctrl-Enter, CR = Enter), Esc, Ctrl-\ ] ^ _ */
    .byte 0x03, 0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22
    .byte 0x0e, 0x0f, 0x1c, 0x25, 0x26, 0x1c, 0x31, 0x18
    .byte 0x19, 0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11
    .byte 0x2d, 0x15, 0x2c, 0x01, 0x2b, 0x1b, 0x07, 0x0c
    /* 20h-2Fh: space ! " # $ % & ' ( ) * + , - . / */
    .byte 0x39, 0x02, 0x28, 0x04, 0x05, 0x06, 0x08, 0x28
    .byte 0x0a, 0x0b, 0x09, 0x0d, 0x33, 0x0c, 0x34, 0x35
    /* 30h-3Fh: 0-9 : ; < = > ? */
    .byte 0x0b, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08
    .byte 0x09, 0x0a, 0x27, 0x27, 0x33, 0x0d, 0x34, 0x35
    /* 40h-5Fh: @ A-Z [ \ ] ^ _ */
    .byte 0x03, 0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22
    .byte 0x23, 0x17, 0x24, 0x25, 0x26, 0x32, 0x31, 0x18
    .byte 0x19, 0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11
    .byte 0x2d, 0x15, 0x2c, 0x1a, 0x2b, 0x1b, 0x07, 0x0c
    /* 60h-7Fh: ` a-z { | } ~ DEL */
    .byte 0x29, 0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22
    .byte 0x23, 0x17, 0x24, 0x25, 0x26, 0x32, 0x31, 0x18
    .byte 0x19, 0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11
    .byte 0x2d, 0x15, 0x2c, 0x1a, 0x2b, 0x1b, 0x29, 0x0e
