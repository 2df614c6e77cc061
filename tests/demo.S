/* demo.S: the demo disk, tests/demo.img -- what `./vm bios/bios.bin
 * tests/demo.img` boots.
 *
 * A boot sector (tests/boot/boot.inc) that loads the rest of itself with
 * INT 13h, asks the BIOS about the machine (INT 15h E820 for the memory,
 * INT 13h AH=08h/48h for the disk, INT 1Ah for the date), draws the
 * Mandelbrot set as 72x24 characters through INT 10h, and then, 40 times
 * closer, the small copy of it on its antenna; says how long each took by
 * the BIOS's tick count, and halts with interrupts off: with every CPU
 * halted so (the BIOS leaves the APs that way), vm powers off.
 *
 * The Mandelbrot set is the set of points c of the complex plane for which
 * z(n+1) = z(n)^2 + c, z(0) = 0, stays bounded.  For each character cell we
 * take c at the cell's position and iterate until |z|^2 > 4 (the point
 * escaped) or a number of iterations (the point is taken to be in the set,
 * '@').  Points that escape fast are drawn light, slow ones dark.  There is
 * no FPU code: numbers are 32-bit fixed point with FRAC = 24 fractional
 * bits (1.0 is 2^24), using the 386's 32-bit registers from 16-bit code
 * (0x66 prefix); each product is 64 bits (EDX:EAX) and SHRD brings it back
 * to 24 fractional bits -- precise enough to zoom in far.  Nothing
 * overflows: a step starts from |z|^2 <= 4, so afterwards |re z| <= 4 + 2.2
 * and |im z| <= 4 + 1.15, whose products stay below 38.5 (2^30.3 in fixed
 * point) and their doubled sums below 2^31.
 *
 * Build: make tests/demo.img (assembled like the tests in tests/boot/). */
#include "boot/boot.inc"

    .set FRAC, 24               /* fixed point: x is stored as x * 2^24 */
    .set ONE, 1 << FRAC
    .set COLS, 72               /* picture size in characters */
    .set ROWS, 24
    .set E820_BUF, 0x0600       /* scratch for one E820 entry and an EDD buffer */

    .text
main:
    PRINT "\r\nvm demo disk: a boot sector that loaded "
    mov  $BOOT_SECTORS, %eax
    call putdec
    PRINT " more sectors through INT 13h.\r\n"
    call show_memory
    call show_disk
    call show_date
    PRINT "The Mandelbrot set, computed in 16-bit real mode with fixed-point integers:\r\n\r\n"
    mov  $whole_set, %si
    call draw
    PRINT "\r\nAnd 40 times closer, on its antenna near -1.76: a small copy of the whole set.\r\n\r\n"
    mov  $minibrot, %si
    call draw
    PRINT "The demo is over: the CPU halts with interrupts off and vm powers off.\r\n"
    cli
1:  hlt
    jmp  1b

/* show_memory: the usable RAM the E820 map lists, in KiB. */
show_memory:
    PRINT "Memory (INT 15h E820): "
    xor  %ebx, %ebx
    xor  %esi, %esi             /* ESI: KiB of usable RAM */
1:  mov  $0xe820, %eax
    mov  $0x534d4150, %edx
    mov  $20, %ecx
    mov  $E820_BUF, %di
    int  $0x15
    jc   2f
    cmpl $1, E820_BUF + 16
    jne  3f
    mov  E820_BUF + 8, %eax
    mov  E820_BUF + 12, %edx
    shrd $10, %edx, %eax
    add  %eax, %esi
3:  test %ebx, %ebx
    jnz  1b
2:  mov  %esi, %eax
    call putdec
    PRINT " KiB usable\r\n"
    ret

/* show_disk: the boot disk's geometry and size. */
show_disk:
    PRINT "Disk (INT 13h): "
    mov  $0x08, %ah
    mov  boot_drive, %dl
    push %es
    int  $0x13
    pop  %es
    jc   2f
    movzbl %ch, %eax            /* cylinders: CH and CL bits 7-6, plus 1 */
    movzbl %cl, %ebx
    shl  $2, %ebx
    and  $0x300, %ebx
    or   %ebx, %eax
    inc  %eax
    call putdec
    mov  $'/', %al
    call putc
    movzbl %dh, %eax
    inc  %eax
    call putdec
    mov  $'/', %al
    call putc
    movzbl %cl, %eax
    and  $0x3f, %al
    call putdec
    PRINT " CHS, "
    movw $26, E820_BUF
    mov  $0x48, %ah
    mov  boot_drive, %dl
    mov  $E820_BUF, %si
    int  $0x13
    jc   2f
    mov  E820_BUF + 16, %eax
    call putdec
    PRINT " sectors of 512 bytes\r\n"
    ret
2:  PRINT "(no answer)\r\n"
    ret

/* show_date: the RTC's date and time (BCD) as YYYY-MM-DD HH:MM:SS UTC. */
show_date:
    PRINT "Clock (INT 1Ah): "
    mov  $0x04, %ah             /* CH century, CL year, DH month, DL day */
    int  $0x1a
    jc   1f
    mov  %cx, date_cx
    mov  %dx, date_dx
    mov  $0x02, %ah             /* CH hours, CL minutes, DH seconds */
    int  $0x1a
    jc   1f
    mov  %cx, time_cx
    mov  %dx, time_dx
    mov  $2, %cl                /* two digits each */
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
    PRINT " UTC\r\n"
    ret
1:  PRINT "(not running)\r\n"
    ret

/* ticks: EAX = the BIOS's tick count (INT 1Ah AH=00h). */
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

/* draw: the picture the parameters at SI describe (struct View below),
 * and how long it took by the BIOS's tick count. */
draw:
    mov  $view, %di
    mov  $VIEW_SIZE, %cx
    rep  movsb
    call ticks
    mov  %eax, start_ticks
    call mandelbrot
    call ticks
    sub  start_ticks, %eax
    mov  $55, %ecx              /* a tick is 54.9 ms */
    mul  %ecx
    mov  %eax, %ebx
    PRINT "\r\n(72x24 points, "
    mov  total, %eax
    call putdec
    PRINT " iterations, "
    test %ebx, %ebx
    jnz  1f
    PRINT "in less than a tick of the BIOS's clock: under 55 ms.)\r\n"
    ret
1:  PRINT "about "
    mov  %ebx, %eax
    call putdec
    PRINT " ms by the BIOS's tick count.)\r\n"
    ret

/* mandelbrot: draw the picture of `view`, row by row from the top.
 * Registers in the inner loop: ESI = re(z), EDI = im(z), BP = iterations,
 * EBX = re(z)^2, ECX = im(z)^2, EAX scratch. */
mandelbrot:
    movl $0, total
    mov  view + V_TOP, %eax     /* start at the top */
    mov  %eax, ci
    movw $ROWS, nrow
next_row:
    mov  view + V_LEFT, %eax
    mov  %eax, cr
    movw $COLS, ncol
next_col:
    xorl %esi, %esi             /* z = 0 */
    xorl %edi, %edi
    xor  %bp, %bp
iterate:
    movl %esi, %eax             /* EBX = re(z)^2 */
    imull %eax
    shrd $FRAC, %edx, %eax
    movl %eax, %ebx
    movl %edi, %eax             /* ECX = im(z)^2 */
    imull %eax
    shrd $FRAC, %edx, %eax
    movl %eax, %ecx
    addl %ebx, %eax             /* |z|^2 > 4: escaped */
    cmpl $4 * ONE, %eax
    jg   escaped
    movl %esi, %eax             /* im(z) = 2 re(z) im(z) + im(c) */
    imull %edi
    shrd $FRAC - 1, %edx, %eax
    addl ci, %eax
    movl %eax, %edi
    movl %ebx, %esi             /* re(z) = re(z)^2 - im(z)^2 + re(c) */
    subl %ecx, %esi
    addl cr, %esi
    inc  %bp
    cmp  view + V_MAXIT, %bp
    jb   iterate
    mov  $'@', %al              /* still bounded: inside the set */
    jmp  plot
escaped:
    mov  %bp, %ax               /* the shade: palette[min(n >> shift, last)] */
    mov  view + V_SHIFT, %cl
    shr  %cl, %ax
    cmp  $PALETTE_LEN - 1, %ax
    jbe  1f
    mov  $PALETTE_LEN - 1, %ax
1:  mov  %ax, %bx
    mov  palette(%bx), %al
plot:
    call putc
    movzwl %bp, %eax
    addl %eax, total
    mov  view + V_XSTEP, %eax   /* next column */
    add  %eax, cr
    decw ncol
    jnz  next_col
    call crlf                   /* next row */
    mov  view + V_YSTEP, %eax
    sub  %eax, ci
    decw nrow
    jnz  next_row
    ret

/* A view of the complex plane: its top-left corner, the steps from one
 * character to the next (a character is 2-2.5 times as tall as wide),
 * the iterations after which a point counts as inside, and how many bits
 * to drop from an escape count to choose its shade. */
    .set V_LEFT, 0
    .set V_TOP, 4
    .set V_XSTEP, 8
    .set V_YSTEP, 12
    .set V_MAXIT, 16
    .set V_SHIFT, 18
    .set VIEW_SIZE, 20
whole_set:                      /* re -2.2..0.6, im 1.15..-1.15; 100 iterations */
    .long -36909875, 19293798, 652447, 1677722
    .word 100, 0
minibrot:                       /* re -1.795..-1.725, im 0.026..-0.026; 300 iterations */
    .long -30115103, 412673, 16311, 35885
    .word 300, 2

/* Shades for the points outside the set, by how many iterations they took
 * to escape: the fast ones (far from the set) are blank. */
palette:
    .ascii "   ...:::---===+++***###%%%"
    .set PALETTE_LEN, . - palette

    .data
cr:     .long 0                 /* re(c) of the current cell */
ci:     .long 0                 /* im(c) of the current row */
ncol:   .word 0                 /* columns left in this row */
nrow:   .word 0                 /* rows left */
total:  .long 0                 /* iterations computed in all */
start_ticks: .long 0
view:   .fill VIEW_SIZE, 1, 0   /* the picture being drawn */
date_cx: .word 0
date_dx: .word 0
time_cx: .word 0
time_dx: .word 0
