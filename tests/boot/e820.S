/* e820.S: the memory map and the older memory-size calls.
 *   E820h  every call: CF clear, EAX = 'SMAP', ECX 20 or 24; the entries
 *          in address order, not overlapping, with lengths; RAM from 0
 *          (the size INT 12h reports: base memory minus the EBDA) and from
 *          1 MiB; nothing usable over the EBDA, 640 KiB-1 MiB or the APIC
 *          pages; a bad continuation value or signature fails; a 20-byte
 *          buffer gets 20 bytes
 *   E801h  AX = CX, BX = DX, and AX KiB + BX * 64 KiB = the RAM above 1 MiB
 *   88h    min(RAM above 1 MiB, 63 MiB) in KiB
 * It prints "e820: RAM above 1 MiB: N KiB"; tests/boot.sh boots it with
 * -m 1, 64 and 3000 and compares N with what it asked for. */
#include "boot/boot.inc"

    .set ENTRY, 0x0600          /* where the BIOS writes each entry */
    .set SMAP, 0x534d4150

    .text
main:
    PRINT "e820: the memory map\r\n"
    int  $0x12
    movzwl %ax, %eax
    shl  $10, %eax
    mov  %eax, base_bytes
    xor  %ebx, %ebx
1:  movl $0xdeadbeef, ENTRY + 20    /* the extended attributes, if written */
    mov  $0xe820, %eax
    mov  $SMAP, %edx
    mov  $24, %ecx
    mov  $ENTRY, %di
    int  $0x15
    CHECK nc, "E820h: CF set"
    cmp  $SMAP, %eax
    CHECK e, "E820h: EAX is not 'SMAP'"
    cmp  $20, %ecx
    je   2f
    cmp  $24, %ecx
    CHECK e, "E820h: ECX is neither 20 nor 24"
    testl $1, ENTRY + 20
    CHECK nz, "E820h: 24 bytes, but the extended attributes say 'ignore this entry'"
2:  call check_entry
    incw entries
    cmpw $64, entries
    CHECK b, "E820h: more than 64 entries: the continuation never ends"
    test %ebx, %ebx
    jnz  1b
    cmpb $1, seen_low
    CHECK e, "E820h: no RAM entry at 0"
    cmpl $0, high_kb
    jne  3f
    PRINT "e820: no RAM above 1 MiB\r\n"
3:  call check_bad_calls
    call check_e801_88
    PRINT "e820: RAM above 1 MiB: "
    mov  high_kb, %eax
    call putdec
    PRINT " KiB\r\n"
    jmp  pass

/* check_entry: the entry at ENTRY, against the ones before it. */
check_entry:
    pushal
    cmpl $0, ENTRY + 4          /* vm's machines are below 4 GiB */
    CHECK e, "E820h: an entry above 4 GiB"
    cmpl $0, ENTRY + 12
    CHECK e, "E820h: an entry of 4 GiB or more"
    mov  ENTRY, %eax            /* EAX = base, EDX = end */
    mov  ENTRY + 8, %edx
    test %edx, %edx
    CHECK nz, "E820h: an entry of length 0"
    add  %eax, %edx
    jnc  1f
    test %edx, %edx             /* ending exactly at 4 GiB is fine */
    CHECK z, "E820h: an entry past 4 GiB"
    dec  %edx                   /* keep the end inclusive from here on */
    jmp  2f
1:  dec  %edx
2:  cmpw $0, entries
    je   3f
    cmp  last_end, %eax
    CHECK a, "E820h: entries out of order or overlapping"
3:  mov  %edx, last_end
    cmpl $1, ENTRY + 16
    jne  5f
    /* usable RAM */
    test %eax, %eax
    jnz  4f
    movb $1, seen_low
    inc  %edx
    cmp  base_bytes, %edx
    CHECK ae, "E820h: the RAM at 0 is smaller than INT 12h says"
    dec  %edx
    mov  %edx, low_end
    mov  base_bytes, %ecx       /* the EBDA is at the end of base memory: not usable */
    push %ds
    mov  $0x40, %bx
    mov  %bx, %ds
    movzwl 0x0e, %ebx
    pop  %ds
    shl  $4, %ebx
    cmp  %ebx, %edx
    CHECK b, "E820h: the EBDA is in usable RAM"
    jmp  5f
4:  cmp  $0xa0000, %edx
    jb   5f
    cmp  $0x100000, %eax
    CHECK ae, "E820h: usable RAM between 640 KiB and 1 MiB"
    cmp  $0xfec00000, %edx
    CHECK b, "E820h: usable RAM over the IO-APIC or local APIC"
    cmp  $0x100000, %eax        /* the block from 1 MiB: how big */
    jne  5f
    mov  ENTRY + 8, %eax
    shr  $10, %eax
    mov  %eax, high_kb
5:  popal
    ret

check_bad_calls:
    mov  $0xe820, %eax          /* a continuation value never returned */
    mov  $SMAP, %edx
    mov  $0x12345, %ebx
    mov  $20, %ecx
    mov  $ENTRY, %di
    int  $0x15
    CHECK c, "E820h with a bad continuation value did not fail"
    mov  $0xe820, %eax          /* a wrong signature */
    mov  $0x12345678, %edx
    xor  %ebx, %ebx
    mov  $20, %ecx
    mov  $ENTRY, %di
    int  $0x15
    CHECK c, "E820h without 'SMAP' in EDX did not fail"
    movl $0xdeadbeef, ENTRY + 20
    mov  $0xe820, %eax          /* 20 bytes asked: 20 written */
    mov  $SMAP, %edx
    xor  %ebx, %ebx
    mov  $20, %ecx
    mov  $ENTRY, %di
    int  $0x15
    CHECK nc, "E820h with a 20-byte buffer failed"
    cmp  $20, %ecx
    CHECK e, "E820h with a 20-byte buffer: ECX is not 20"
    cmpl $0xdeadbeef, ENTRY + 20
    CHECK e, "E820h with a 20-byte buffer: wrote past it"
    ret

check_e801_88:
    mov  $0xe801, %ax
    xor  %bx, %bx
    xor  %cx, %cx
    xor  %dx, %dx
    int  $0x15
    CHECK nc, "E801h: CF set"
    cmp  %ax, %cx
    CHECK e, "E801h: AX and CX differ"
    cmp  %bx, %dx
    CHECK e, "E801h: BX and DX differ"
    cmp  $0x3c00, %ax
    CHECK be, "E801h: more than 15 MiB below 16 MiB"
    movzwl %ax, %eax
    movzwl %bx, %ebx
    shl  $6, %ebx
    add  %ebx, %eax
    cmp  high_kb, %eax
    CHECK e, "E801h: AX + 64 * BX is not the RAM above 1 MiB from E820h"
    mov  $0x88, %ah
    int  $0x15
    CHECK nc, "AH=88h: CF set"
    movzwl %ax, %eax
    mov  high_kb, %edx
    cmp  $0xfc00, %edx
    jbe  1f
    mov  $0xfc00, %edx
1:  cmp  %edx, %eax
    CHECK e, "AH=88h: not the RAM above 1 MiB (at most 63 MiB) in KiB"
    ret

    .data
    .balign 4
base_bytes: .long 0
last_end:   .long 0
low_end:    .long 0
high_kb:    .long 0
entries:    .word 0
seen_low:   .byte 0
