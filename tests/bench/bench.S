/* bench.S: the vm compute benchmark (a 64 KiB real-mode guest ROM).
 *
 * Built by `make tests/bench/bench.bin`, run by `make bench` through
 * tests/bench/bench.sh, which times it under ./vm and qemu-system-i386.
 *
 * Each ROUND runs seven kernels, mostly 16-bit code with some 0x66 32-bit
 * operations:
 *   k_alu     ALU, shifts, rotates, MUL/DIV/IMUL, 16- and 32-bit
 *   k_copy    MOV loop copy, REP MOVSW, REP MOVSD, backwards REP MOVSW (STD)
 *   k_call    near/far, direct/indirect calls, RET imm16, PUSH CS + near CALL
 *   k_string  REP STOSW/STOSD, REPE CMPSB, REPNE SCASB, LODSB loop
 *   k_sieve   sieve of Eratosthenes below 8192 (Jcc-heavy, byte array)
 *   k_crc     CRC-16/CCITT bit by bit (branch-free) and Adler-32 (32-bit DIV)
 *   k_sort    bubble sort of 200 pseudo-random signed words (Jcc-heavy)
 * Every kernel folds its results into a 32-bit checksum (SUM, see `mix`).
 * At the end the guest prints on COM1:
 *   bench: rounds R
 *   bench: instructions N
 *   bench: checksum XXXXXXXX expected YYYYYYYY
 *   bench: OK            (or "bench: MISMATCH", then exits with EXIT 1)
 * and ends with EXIT 0.
 *
 * THE INSTRUCTION COUNT.  N is exact and known at assembly time: it is the
 * number of guest instructions executed from the reset vector (the LJMP at
 * F000:FFF0 counts as the first one) up to, and not including, the first
 * instruction at `work_done`, i.e. everything except the final report (which
 * prints a few hundred characters).  A REP-prefixed string instruction counts
 * as ONE instruction however many iterations it performs (as hardware
 * counters count it), so 9 instructions of each round move 64 bytes to
 * 8 KiB each.  Every kernel has its count next to it as a .set expression:
 * instructions of straight-line code are numbered in the comments, loop
 * bodies are numbered from 1 and multiplied by their trip counts.  Each
 * K_xxx count includes the CALL that invokes the kernel and its RET.
 * Nothing depends on the data except the sieve, whose counts (number of
 * primes, number of marked multiples) are constants given below with an awk
 * line that recomputes them; the bubble sort's swap and no-swap paths have
 * the same length on purpose.
 *
 * Verified with QEMU on scaled-down builds (ROUNDS=1, 2 and 3):
 *   gcc -m32 -c -I tests -DROUNDS=1 -o b.o tests/bench/bench.S (ld, objcopy)
 *   qemu-system-i386 -bios b.bin ... -singlestep -d exec,nochain -D log
 * logs one "Trace" line per executed instruction (per iteration for REP
 * string instructions: consecutive lines at the same address are merged, no
 * other instruction here jumps to itself); the lines before the first one
 * at work_done (linear address 0xf0000 + its offset, 000f0038 today) equal
 * the printed count exactly:
 *   awk -v wd=000f0038 '/^Trace/ { split($4, f, "/"); a = f[2];
 *       if (a == wd) { print n; exit } if (a != prev) n++; prev = a }' log
 * The per-kernel counts were checked the same way (instructions between
 * the calls in the round loop).
 *
 * ROUNDS is sized so that qemu-system-i386 7.2 (TCG) takes about 3 seconds
 * (2.5 billion instructions, ~850 MIPS on the machine it was written on).
 * A round executes 558888 instructions.  If ROUNDS or any kernel changes,
 * EXPECTED must be updated from a QEMU run.
 */
#include "lib.inc"

#ifndef ROUNDS
#define ROUNDS 4500
#endif
#ifndef EXPECTED
#define EXPECTED 0x087d0adc
#endif
    .if ROUNDS < 1 || ROUNDS > 65535   /* the round counter is a word */
    .error "ROUNDS must be 1..65535"
    .endif

    RESET_VECTOR start

/* RAM layout: the stack is at 0000:7000 downwards; data in segment 0x1000. */
    .set DATA_SEG, 0x1000
    .set WORDS, 512             /* size of the copy buffers, in words */
    .set BUF_A, 0x0000          /* 1 KiB buffers */
    .set BUF_B, 0x0400
    .set BUF_C, 0x0800
    .set BUF_D, 0x0c00
    .set BUF_E, 0x1000
    .set BUF_F, 0x1400
    .set SIEVE, 0x2000          /* 8 KiB: 0x2000..0x3fff */
    .set SORT,  0x4000          /* SORT_N words */
    .set SUM,   0xf000          /* dword: the running checksum */
    .set ROUND, 0xf004          /* word: rounds left (ROUNDS..1) */
    .set TMP,   0xf006          /* word: scratch counter */
    .set NUM,   0xf008          /* 4 words: number being printed in decimal */

    .set ALU_ITERS, 4096
    .set ALU32_ITERS, 2048
    .set CALL_ITERS, 2048
    .set SIEVE_N, 8192
    .set SIEVE_LIM, 91          /* smallest i with i*i >= SIEVE_N */
    .set CRC_LEN, 256           /* bytes */
    .set SORT_N, 200

/* ------------------------------------------------------------------------
 * Main: set up, run the kernels ROUNDS times.
 */
start:
    cli                         /* 1 */
    cld                         /* 2 */
    xor  %ax, %ax               /* 3 */
    mov  %ax, %ss               /* 4 */
    mov  $0x7000, %sp           /* 5 */
    mov  $DATA_SEG, %ax         /* 6 */
    mov  %ax, %ds               /* 7 */
    mov  %ax, %es               /* 8 */
    xorl %eax, %eax             /* 9 */
    movl %eax, SUM              /* 10 */
    movw $ROUNDS, ROUND         /* 11 */
round:
    call k_alu                  /* the calls are counted in K_xxx */
    call k_copy
    call k_call
    call k_string
    call k_sieve
    call k_crc
    call k_sort
    decw ROUND                  /* 1 */
    jnz  round                  /* 2 */
work_done:
    jmp  report

/* The count is PRE + ROUNDS * ROUND_COST: 1 for the LJMP at the reset
 * vector and 11 for the set-up, then the kernels and the 2 loop
 * instructions per round.  It can exceed 32 bits, and gas computes in 32
 * bits here, so the report multiplies it out with MUL (EDX:EAX). */
    .set PRE, 1 + 11
    .set ROUND_COST, K_ALU + K_COPY + K_CALL + K_STRING + K_SIEVE + K_CRC + K_SORT + 2

/* ------------------------------------------------------------------------
 * mix: fold EAX into the checksum: SUM = (rol(SUM, 7) ^ EAX) * 0x9e3779b1.
 * Clobbers EAX.  MIX counts the CALL.
 */
mix:
    roll  $7, SUM               /* 1 */
    xorl  %eax, SUM             /* 2 */
    movl  SUM, %eax             /* 3 */
    imull $-0x61c8864f, %eax, %eax  /* 4: 0x9e3779b1 */
    movl  %eax, SUM             /* 5 */
    ret                         /* 6 */
    .set MIX, 1 + 6

/* ------------------------------------------------------------------------
 * k_alu: register arithmetic.  A 16-bit loop (LCG, add/adc/sub/xor/or/neg,
 * shifts and rotates, MUL and DIV) then a 32-bit one (IMUL imm32, SHLD,
 * MUL, DIV, BSWAP).  The DIVs never fault: the high half is zero and the
 * divisor is forced odd.
 */
k_alu:                          /* 1: the call */
    mov  ROUND, %ax             /* 2 */
    mov  $0x1234, %bx           /* 3 */
    mov  $0x5678, %si           /* 4 */
    mov  $0x9abc, %di           /* 5 */
    xor  %bp, %bp               /* 6 */
    mov  $ALU_ITERS, %cx        /* 7 */
1:  imul $25173, %ax, %ax       /* 1 */
    add  $13849, %ax            /* 2 */
    add  %ax, %bx               /* 3 */
    rol  $3, %bx                /* 4 */
    xor  %bx, %si               /* 5 */
    sub  %si, %di               /* 6 */
    adc  %ax, %di               /* 7 */
    mov  %di, %dx               /* 8 */
    shr  $2, %dx                /* 9 */
    sar  %cl, %dx               /* 10 */
    or   %dx, %bp               /* 11 */
    neg  %bp                    /* 12 */
    push %ax                    /* 13 */
    mul  %bx                    /* 14: DX:AX = AX * BX */
    xor  %dx, %si               /* 15 */
    add  %ax, %bp               /* 16 */
    mov  %si, %ax               /* 17 */
    xor  %dx, %dx               /* 18 */
    or   $1, %bx                /* 19 */
    div  %bx                    /* 20 */
    add  %dx, %di               /* 21 */
    xor  %ax, %bp               /* 22 */
    pop  %ax                    /* 23 */
    dec  %cx                    /* 24 */
    jnz  1b                     /* 25 */
    push %bp                    /* 8 */
    push %di                    /* 9 */
    popl %eax                   /* 10: EAX = BP:DI */
    xor  %si, %ax               /* 11 */
    add  %bx, %ax               /* 12 */
    call mix                    /* MIX */
    movl $0x12345678, %eax      /* 13 */
    movl $0x0badf00d, %ebx      /* 14 */
    movl $0xdeadbeef, %esi      /* 15 */
    movl $0x600df00d, %edi      /* 16 */
    mov  $ALU32_ITERS, %cx      /* 17 */
2:  imull $1103515245, %eax, %eax /* 1 */
    addl $12345, %eax           /* 2 */
    addl %eax, %ebx             /* 3 */
    roll $11, %ebx              /* 4 */
    xorl %ebx, %esi             /* 5 */
    shldl $5, %esi, %edi        /* 6 */
    pushl %eax                  /* 7 */
    mull %esi                   /* 8: EDX:EAX = EAX * ESI */
    addl %edx, %edi             /* 9 */
    xorl %edx, %edx             /* 10 */
    movl %ebx, %ebp             /* 11 */
    orl  $1, %ebp               /* 12 */
    movl %edi, %eax             /* 13 */
    divl %ebp                   /* 14 */
    xorl %edx, %esi             /* 15 */
    bswap %esi                  /* 16 */
    subl %eax, %edi             /* 17 */
    popl %eax                   /* 18 */
    dec  %cx                    /* 19 */
    jnz  2b                     /* 20 */
    movl %esi, %eax             /* 18 */
    xorl %edi, %eax             /* 19 */
    addl %ebx, %eax             /* 20 */
    call mix                    /* MIX */
    ret                         /* 21 */
    .set K_ALU, 21 + 2 * MIX + ALU_ITERS * 25 + ALU32_ITERS * 20

/* ------------------------------------------------------------------------
 * k_copy: fill A with pseudo-random words (STOSW), copy A->B with a MOV
 * loop, B->C with REP MOVSW, C->D with REP MOVSD, then shift D up by one
 * word in place with a backwards REP MOVSW (overlapping, DF=1), and sum D
 * with a LODSW loop.
 */
k_copy:                         /* 1: the call */
    mov  ROUND, %ax             /* 2 */
    mov  $BUF_A, %di            /* 3 */
    mov  $WORDS, %cx            /* 4 */
1:  imul $31421, %ax, %ax       /* 1 */
    add  $6927, %ax             /* 2 */
    stosw                       /* 3 */
    loop 1b                     /* 4 */
    xor  %bx, %bx               /* 5 */
2:  mov  BUF_A(%bx), %ax        /* 1 */
    mov  %ax, BUF_B(%bx)        /* 2 */
    add  $2, %bx                /* 3 */
    cmp  $WORDS * 2, %bx        /* 4 */
    jb   2b                     /* 5 */
    mov  $BUF_B, %si            /* 6 */
    mov  $BUF_C, %di            /* 7 */
    mov  $WORDS, %cx            /* 8 */
    rep  movsw                  /* 9 */
    mov  $BUF_C, %si            /* 10 */
    mov  $BUF_D, %di            /* 11 */
    mov  $WORDS / 2, %cx        /* 12 */
    rep  movsl                  /* 13 */
    std                         /* 14 */
    mov  $BUF_D + WORDS * 2 - 4, %si /* 15 */
    mov  $BUF_D + WORDS * 2 - 2, %di /* 16 */
    mov  $WORDS - 1, %cx        /* 17 */
    rep  movsw                  /* 18 */
    cld                         /* 19 */
    mov  $BUF_D, %si            /* 20 */
    mov  $WORDS, %cx            /* 21 */
    xor  %bx, %bx               /* 22 */
    xor  %dx, %dx               /* 23 */
3:  lodsw                       /* 1 */
    add  %ax, %bx               /* 2 */
    adc  %bx, %dx               /* 3 */
    loop 3b                     /* 4 */
    push %dx                    /* 24 */
    push %bx                    /* 25 */
    popl %eax                   /* 26 */
    call mix                    /* MIX */
    ret                         /* 27 */
    .set K_COPY, 27 + MIX + WORDS * 4 + WORDS * 5 + WORDS * 4

/* ------------------------------------------------------------------------
 * k_call: each iteration makes a near call (which makes a nested one), a
 * direct far call, an indirect near call through a table in ROM, an
 * indirect far call through a pointer in ROM, a call with two stack
 * arguments popped by RET 4 (BP frame), and a PUSH CS + near CALL returned
 * from with LRET.
 */
k_call:                         /* 1: the call */
    xor  %ax, %ax               /* 2 */
    mov  $1, %bx                /* 3 */
    mov  $CALL_ITERS, %cx       /* 4 */
1:  call f_near                 /* 1 + 5 in f_near, f_leaf */
    lcall $0xf000, $f_far       /* 1 + 3 in f_far */
    mov  %cx, %si               /* 1 */
    and  $6, %si                /* 1 */
    call *%cs:f_table(%si)      /* 1 + 2 in f_t0..f_t3 */
    lcall *%cs:f_farptr         /* 1 + 2 in f_far2 */
    push %ax                    /* 1 */
    push %bx                    /* 1 */
    call f_args                 /* 1 + 7 in f_args */
    push %cs                    /* 1 */
    call f_farret               /* 1 + 2 in f_farret */
    loop 1b                     /* 1 */
    push %ax                    /* 5 */
    push %bx                    /* 6 */
    popl %eax                   /* 7 */
    call mix                    /* MIX */
    ret                         /* 8 */
    .set CALL_BODY, (1 + 5) + (1 + 3) + 2 + (1 + 2) + (1 + 2) + 2 + (1 + 7) + 1 + (1 + 2) + 1
    .set K_CALL, 8 + MIX + CALL_ITERS * CALL_BODY

f_near:
    add  %bx, %ax               /* 1 */
    call f_leaf                 /* 2 */
    ret                         /* 3 */
f_leaf:
    rol  $1, %ax                /* 4 */
    ret                         /* 5 */
f_far:
    rol  $3, %bx                /* 1 */
    add  %ax, %bx               /* 2 */
    lret                        /* 3 */
f_t0:
    inc  %ax                    /* 1 */
    ret                         /* 2 */
f_t1:
    xor  %cx, %ax
    ret
f_t2:
    sub  %bx, %ax
    ret
f_t3:
    not  %ax
    ret
f_far2:
    xor  %bx, %ax               /* 1 */
    lret                        /* 2 */
f_args:
    push %bp                    /* 1 */
    mov  %sp, %bp               /* 2 */
    mov  4(%bp), %dx            /* 3: the second argument (BX) */
    add  6(%bp), %dx            /* 4: the first one (AX) */
    xor  %dx, %ax               /* 5 */
    pop  %bp                    /* 6 */
    ret  $4                     /* 7 */
f_farret:
    sub  %bx, %ax               /* 1 */
    lret                        /* 2 */
f_table:
    .word f_t0, f_t1, f_t2, f_t3
f_farptr:
    .word f_far2, 0xf000

/* ------------------------------------------------------------------------
 * k_string: REP STOSW and REP STOSD fills, REP MOVSW, REPE CMPSB that stops
 * at a byte changed at a position depending on the round, REPNE SCASB, and
 * a LODSB loop.
 */
k_string:                       /* 1: the call */
    mov  ROUND, %ax             /* 2 */
    xor  $0xa5a5, %ax           /* 3 */
    mov  $BUF_F, %di            /* 4 */
    mov  $WORDS, %cx            /* 5 */
    rep  stosw                  /* 6 */
    movl $0x01020304, %eax      /* 7 */
    mov  $BUF_F + 64, %di       /* 8 */
    mov  $64, %cx               /* 9 */
    rep  stosl                  /* 10 */
    mov  $BUF_D, %si            /* 11 */
    mov  $BUF_E, %di            /* 12 */
    mov  $WORDS, %cx            /* 13 */
    rep  movsw                  /* 14 */
    mov  ROUND, %bx             /* 15 */
    imul $37, %bx, %bx          /* 16 */
    and  $WORDS * 2 - 1, %bx    /* 17 */
    xorb $0x55, BUF_E(%bx)      /* 18 */
    mov  $BUF_D, %si            /* 19 */
    mov  $BUF_E, %di            /* 20 */
    mov  $WORDS * 2, %cx        /* 21 */
    repe cmpsb                  /* 22 */
    mov  %cx, %dx               /* 23: bytes left after the mismatch */
    mov  ROUND, %ax             /* 24 */
    mov  $BUF_D, %di            /* 25 */
    mov  $WORDS * 2, %cx        /* 26 */
    repne scasb                 /* 27 */
    add  %cx, %dx               /* 28 */
    mov  $BUF_F, %si            /* 29 */
    mov  $WORDS * 2, %cx        /* 30 */
    xor  %bx, %bx               /* 31 */
1:  lodsb                       /* 1 */
    xor  %al, %bl               /* 2 */
    rol  $1, %bx                /* 3 */
    loop 1b                     /* 4 */
    push %dx                    /* 32 */
    push %bx                    /* 33 */
    popl %eax                   /* 34 */
    call mix                    /* MIX */
    ret                         /* 35 */
    .set K_STRING, 35 + MIX + WORDS * 2 * 4

/* ------------------------------------------------------------------------
 * k_sieve: sieve of Eratosthenes on a byte array, counts the primes below
 * SIEVE_N (1028 of them).  For each i in [2, SIEVE_N):
 *   composite i:               5 instructions (c1 c2 n1 n2 n3)
 *   prime i >= SIEVE_LIM:      8 (c1 c2 p3 p4 p5 n1 n2 n3)
 *   prime i <  SIEVE_LIM:     10 + 4 per multiple marked (m1..m4)
 * With 1028 primes below 8192, 24 of them below 91, and 13734 marks in all
 * (sum over primes p < 91 of ceil((8192 - p*p) / p)); recompute with
 *   awk 'BEGIN{N=8192;L=91;for(i=2;i<L;i++){p=1;for(j=2;j*j<=i;j++)
 *       if(i%j==0)p=0;if(p){n++;m+=int((N-i*i+i-1)/i)}}print n,m}'
 * (and 1028 is pi(8191)).
 */
    .set SIEVE_PRIMES, 1028
    .set SIEVE_SMALL, 24
    .set SIEVE_MARKS, 13734
k_sieve:                        /* 1: the call */
    mov  $SIEVE, %di            /* 2 */
    mov  $SIEVE_N / 2, %cx      /* 3 */
    xor  %ax, %ax               /* 4 */
    rep  stosw                  /* 5 */
    mov  $2, %bx                /* 6: i */
    xor  %dx, %dx               /* 7: primes found */
outer:
    cmpb $0, SIEVE(%bx)         /* c1 */
    jne  next                   /* c2: composite */
    inc  %dx                    /* p3 */
    cmp  $SIEVE_LIM, %bx        /* p4 */
    jae  next                   /* p5 */
    mov  %bx, %si               /* s6 */
    imul %bx, %si               /* s7: first multiple to mark is i*i */
mark:
    movb $1, SIEVE(%si)         /* m1 */
    add  %bx, %si               /* m2 */
    cmp  $SIEVE_N, %si          /* m3 */
    jb   mark                   /* m4 */
next:
    inc  %bx                    /* n1 */
    cmp  $SIEVE_N, %bx          /* n2 */
    jb   outer                  /* n3 */
    mov  %dx, %ax               /* 8 */
    call mix                    /* MIX */
    ret                         /* 9 */
    .set SIEVE_COMPOSITES, SIEVE_N - 2 - SIEVE_PRIMES
    .set K_SIEVE, 9 + MIX + 5 * SIEVE_COMPOSITES + 8 * (SIEVE_PRIMES - SIEVE_SMALL) + 10 * SIEVE_SMALL + 4 * SIEVE_MARKS

/* ------------------------------------------------------------------------
 * k_crc: CRC-16/CCITT-FALSE (poly 0x1021, init 0xffff) of the first CRC_LEN
 * bytes of D, one bit at a time without branches (SBB makes the mask), then
 * Adler-32 of all of D with 32-bit registers: 4 blocks of 256 bytes, each
 * followed by the two reductions modulo 65521 with DIV.
 */
k_crc:                          /* 1: the call */
    mov  $BUF_D, %si            /* 2 */
    mov  $0xffff, %bx           /* 3 */
    mov  $CRC_LEN, %di          /* 4 */
1:  lodsb                       /* 1 */
    xor  %al, %bh               /* 2 */
    mov  $8, %cx                /* 3 */
2:  shl  $1, %bx                /* b1 */
    sbb  %dx, %dx               /* b2 */
    and  $0x1021, %dx           /* b3 */
    xor  %dx, %bx               /* b4 */
    loop 2b                     /* b5 */
    dec  %di                    /* 4 */
    jnz  1b                     /* 5 */
    movzwl %bx, %eax            /* 5 */
    call mix                    /* MIX */
    mov  $BUF_D, %si            /* 6 */
    movl $1, %ebx               /* 7: a */
    xorl %edi, %edi             /* 8: b */
    movl $65521, %ebp           /* 9 */
    movw $4, TMP                /* 10 */
3:  mov  $256, %cx              /* 1 */
4:  movzbl (%si), %eax          /* i1 */
    inc  %si                    /* i2 */
    addl %eax, %ebx             /* i3 */
    addl %ebx, %edi             /* i4 */
    loop 4b                     /* i5 */
    movl %ebx, %eax             /* 2 */
    xorl %edx, %edx             /* 3 */
    divl %ebp                   /* 4 */
    movl %edx, %ebx             /* 5 */
    movl %edi, %eax             /* 6 */
    xorl %edx, %edx             /* 7 */
    divl %ebp                   /* 8 */
    movl %edx, %edi             /* 9 */
    decw TMP                    /* 10 */
    jnz  3b                     /* 11 */
    shll $16, %edi              /* 11 */
    orl  %ebx, %edi             /* 12 */
    movl %edi, %eax             /* 13 */
    call mix                    /* MIX */
    ret                         /* 14 */
    .set K_CRC, 14 + 2 * MIX + CRC_LEN * (5 + 8 * 5) + 4 * (11 + 256 * 5)

/* ------------------------------------------------------------------------
 * k_sort: fill SORT with SORT_N pseudo-random words and bubble sort them
 * (signed, ascending) with the classic N-1 passes, pass k comparing N-k
 * pairs: N(N-1)/2 comparisons.  The swap path (s5..s8) and the keep path
 * (k5..k8, which hashes the pairs left alone) are both 4 instructions, so
 * a comparison always costs 11.  Then hash the sorted array in order.
 */
k_sort:                         /* 1: the call */
    mov  ROUND, %ax             /* 2 */
    mov  $SORT, %di             /* 3 */
    mov  $SORT_N, %cx           /* 4 */
1:  imul $25173, %ax, %ax       /* 1 */
    add  $13849, %ax            /* 2 */
    stosw                       /* 3 */
    loop 1b                     /* 4 */
    xor  %bp, %bp               /* 5: swaps */
    xor  %di, %di               /* 6: hash of the pairs kept */
    mov  $SORT_N - 1, %dx       /* 7: pairs to compare in this pass */
pass:
    mov  $SORT, %si             /* q1 */
    mov  %dx, %cx               /* q2 */
cmpl:
    mov  (%si), %ax             /* 1 */
    mov  2(%si), %bx            /* 2 */
    cmp  %bx, %ax               /* 3 */
    jle  keep                   /* 4 */
    mov  %bx, (%si)             /* s5 */
    mov  %ax, 2(%si)            /* s6 */
    inc  %bp                    /* s7 */
    jmp  cont                   /* s8 */
keep:
    add  %ax, %di               /* k5 */
    rol  $1, %di                /* k6 */
    xor  %bx, %di               /* k7 */
    sub  %cx, %di               /* k8 */
cont:
    add  $2, %si                /* 9 */
    dec  %cx                    /* 10 */
    jnz  cmpl                   /* 11 */
    dec  %dx                    /* q3 */
    jnz  pass                   /* q4 */
    mov  $SORT, %si             /* 8 */
    mov  $SORT_N, %cx           /* 9 */
    xor  %bx, %bx               /* 10 */
2:  lodsw                       /* 1 */
    rol  $3, %bx                /* 2 */
    xor  %ax, %bx               /* 3 */
    loop 2b                     /* 4 */
    xor  %di, %bx               /* 11 */
    push %bp                    /* 12 */
    push %bx                    /* 13 */
    popl %eax                   /* 14 */
    call mix                    /* MIX */
    ret                         /* 15 */
    .set K_SORT, 15 + MIX + SORT_N * 4 + (SORT_N - 1) * 4 + SORT_N * (SORT_N - 1) / 2 * 11 + SORT_N * 4

/* ------------------------------------------------------------------------
 * The report (not counted).
 */
report:
    mov  $msg_rounds, %si
    call puts
    movl $ROUNDS, %eax
    xorl %edx, %edx
    call putdec
    mov  $msg_insns, %si
    call puts
    movl $ROUND_COST, %eax
    movl $ROUNDS, %ecx
    mull %ecx                   /* EDX:EAX = ROUNDS * ROUND_COST */
    addl $PRE, %eax
    adcl $0, %edx
    call putdec
    mov  $msg_sum, %si
    call puts
    movl SUM, %eax
    call puthex
    mov  $msg_expect, %si
    call puts
    movl $EXPECTED, %eax
    call puthex
    movl SUM, %eax
    cmpl $EXPECTED, %eax
    jne  1f
    mov  $msg_ok, %si
    call puts
    EXIT 0
1:  mov  $msg_bad, %si
    call puts
    EXIT 1

/* puts: print the NUL-terminated string at CS:SI.  Clobbers AL, DX, SI. */
puts:
    mov  $COM1, %dx
1:  cs lodsb
    test %al, %al
    jz   2f
    out  %al, %dx
    jmp  1b
2:  ret

/* puthex: print EAX as 8 hex digits.  Clobbers EAX, BX, CX, DX. */
puthex:
    mov  $8, %cx
    mov  $COM1, %dx
1:  roll $4, %eax
    mov  %ax, %bx
    and  $15, %bx
    push %ax
    mov  %cs:hexdigits(%bx), %al
    out  %al, %dx
    pop  %ax
    loop 1b
    ret

/* putdec: print EDX:EAX (unsigned 64-bit) in decimal.  Uses NUM.
 * Clobbers EAX, BX, CX, DX, SI. */
putdec:
    movl %eax, NUM
    movl %edx, NUM + 4
    xor  %cx, %cx               /* digits pushed */
1:  mov  $6, %si                /* divide NUM by 10, high word first */
    xor  %dx, %dx
    mov  $10, %bx
2:  mov  NUM(%si), %ax
    div  %bx
    mov  %ax, NUM(%si)
    sub  $2, %si
    jns  2b
    add  $'0', %dl
    push %dx
    inc  %cx
    movl NUM, %eax
    orl  NUM + 4, %eax
    jnz  1b
    mov  $COM1, %dx
3:  pop  %ax
    out  %al, %dx
    loop 3b
    ret

hexdigits:
    .ascii "0123456789abcdef"
msg_rounds:
    .asciz "bench: vm real-mode compute benchmark\nbench: rounds "
msg_insns:
    .asciz "\nbench: instructions "
msg_sum:
    .asciz "\nbench: checksum "
msg_expect:
    .asciz " expected "
msg_ok:
    .asciz "\nbench: OK\n"
msg_bad:
    .asciz "\nbench: MISMATCH\n"
