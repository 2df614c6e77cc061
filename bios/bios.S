/* bios.S: the demo BIOS of vm (a 64 KiB real-mode ROM).
 *
 * This is a placeholder until the real BIOS exists (a later milestone):
 * `./vm bios/bios.bin` is the first command of the README, so this ROM shows
 * that the emulator runs guest code.  Starting at the reset vector F000:FFF0
 * in real mode it prints a banner on the serial port COM1, computes and draws
 * the Mandelbrot set as 72x24 characters of ASCII art, says that booting
 * from a disk comes later, and powers off through the debug-exit port 0xF4
 * (EXIT 0: vm, like QEMU with isa-debug-exit, then exits with status 1).
 *
 * The Mandelbrot set is the set of points c of the complex plane for which
 * z(n+1) = z(n)^2 + c, z(0) = 0, stays bounded.  For each character cell we
 * take c at the cell's position and iterate until |z|^2 > 4 (the point
 * escaped) or MAXIT iterations (the point is taken to be in the set, '@').
 * Points that escape fast are drawn light, slow ones dark.  There is no FPU
 * code: numbers are 32-bit fixed point with FRAC fractional bits (1.0 is
 * 4096), using the 386's 32-bit registers from 16-bit code (0x66 prefix).
 * The values never overflow: a step starts from |z|^2 <= 4, so afterwards
 * |re z| <= 4 + 2.2 and |im z| <= 4 + 1.15, and the products of the next
 * step stay below (6.2 * 4096)^2 < 2^30.
 *
 * Build: make bios/bios.bin (gcc -m32 -c, ld -T tests/rom.ld, objcopy).
 */
#include "lib.inc"

    RESET_VECTOR start

    .set FRAC, 12               /* fixed point: x is stored as x * 4096 */
    .set ONE, 1 << FRAC
    .set COLS, 72               /* picture size in characters */
    .set ROWS, 24
    .set MAXIT, 100             /* iterations before a point counts as inside */
    /* The window: re(c) from -2.2 to 0.6, im(c) from -1.15 to 1.15.
     * A character is 2-2.5 times as tall as wide, hence XSTEP < YSTEP. */
    .set XMIN, -9011            /* -2.2 * 4096 */
    .set XSTEP, 159             /* 2.8 / 72 * 4096 */
    .set YSTEP, 410             /* 0.1 * 4096 */
    .set YMIN, -(ROWS - 1) * YSTEP / 2  /* -1.15 * 4096: rows symmetric about 0 */

/* Variables in RAM (DS = 0), above the BIOS data area. */
    .set CR,    0x0500          /* dword: re(c) of the current cell */
    .set CI,    0x0504          /* dword: im(c) of the current row */
    .set NCOL,  0x0508          /* word: columns left in this row */
    .set NROW,  0x050a          /* word: rows left */
    .set TOTAL, 0x050c          /* dword: iterations computed in all */

start:
    cli                         /* no interrupt handlers exist */
    cld
    xor  %ax, %ax
    mov  %ax, %ss
    mov  $0x7000, %sp           /* stack below 0000:7000 */
    mov  %ax, %ds
    mov  %ax, %es

    mov  $banner, %si
    call puts

    call mandelbrot

    mov  $msg_total, %si
    call puts
    movl TOTAL, %eax
    call putdec
    mov  $msg_bye, %si
    call puts
    EXIT 0

/* mandelbrot: draw the picture, row by row from the top.
 * Registers in the inner loop: ESI = re(z), EDI = im(z), BP = iterations,
 * EBX = re(z)^2, ECX = im(z)^2, EAX scratch. */
mandelbrot:
    movl $0, TOTAL
    movl $-YMIN, CI             /* start at the top: im(c) = +1.15 */
    movw $ROWS, NROW
next_row:
    movl $XMIN, CR
    movw $COLS, NCOL
next_col:
    xorl %esi, %esi             /* z = 0 */
    xorl %edi, %edi
    xor  %bp, %bp
iterate:
    movl %esi, %eax             /* EBX = re(z)^2 */
    imull %eax, %eax
    sarl $FRAC, %eax
    movl %eax, %ebx
    movl %edi, %eax             /* ECX = im(z)^2 */
    imull %eax, %eax
    sarl $FRAC, %eax
    movl %eax, %ecx
    addl %ebx, %eax             /* |z|^2 > 4: escaped */
    cmpl $4 * ONE, %eax
    jg   escaped
    movl %esi, %eax             /* im(z) = 2 re(z) im(z) + im(c) */
    imull %edi, %eax
    sarl $FRAC - 1, %eax
    addl CI, %eax
    movl %eax, %edi
    movl %ebx, %esi             /* re(z) = re(z)^2 - im(z)^2 + re(c) */
    subl %ecx, %esi
    addl CR, %esi
    inc  %bp
    cmp  $MAXIT, %bp
    jb   iterate
    mov  $'@', %al              /* still bounded: inside the set */
    jmp  plot
escaped:
    cmp  $PALETTE_LEN - 1, %bp  /* the shade: palette[min(n, last)] */
    jbe  1f
    mov  $PALETTE_LEN - 1, %bp
1:  mov  %cs:palette(%bp), %al
plot:
    call putc
    movzwl %bp, %eax
    addl %eax, TOTAL
    addl $XSTEP, CR             /* next column */
    decw NCOL
    jnz  next_col
    mov  $'\n', %al             /* next row */
    call putc
    subl $YSTEP, CI
    decw NROW
    jnz  next_row
    ret

/* putc: print AL on COM1.  (No need to poll the line status register:
 * the emulated UART is always ready.)  Clobbers nothing. */
putc:
    push %dx
    mov  $COM1, %dx
    out  %al, %dx
    pop  %dx
    ret

/* puts: print the NUL-terminated string at CS:SI.  Clobbers AL, SI. */
puts:
    cs lodsb
    test %al, %al
    jz   1f
    call putc
    jmp  puts
1:  ret

/* putdec: print EAX in decimal.  Clobbers EAX, ECX, EDX. */
putdec:
    movl $10, %ecx
    push $0                     /* end marker below the digits */
1:  xorl %edx, %edx
    divl %ecx                   /* EAX = EAX / 10, EDX = the digit */
    add  $'0', %dl
    push %dx
    testl %eax, %eax
    jnz  1b
2:  pop  %ax
    test %al, %al
    jz   3f
    call putc
    jmp  2b
3:  ret

/* Shades for the points outside the set, by how many iterations they took
 * to escape: the fast ones (far from the set) are blank. */
palette:
    .ascii "   ...:::---===+++***###%%%"
    .set PALETTE_LEN, . - palette

banner:
    .ascii "\n"
    .ascii "vm BIOS (demo) - x86 PC emulator, 64 KiB ROM at F000:0000\n"
    .ascii "The real BIOS is still to come.  Meanwhile, the guest CPU draws the\n"
    .ascii "Mandelbrot set in 16-bit real mode, in fixed-point integers:\n"
    .asciz "\n"
msg_total:
    .asciz "\n(72x24 points, "
msg_bye:
    .ascii " iterations)\n"
    .ascii "Booting from a disk comes later, with the real BIOS. Bye.\n"
    .asciz "\n"
