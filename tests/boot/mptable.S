/* mptable.S: the MP tables (MultiProcessor Specification 1.4), as an SMP
 * operating system finds and uses them.  vm-args: -smp 4
 *   the floating pointer: "_MP_" on a 16-byte boundary in the EBDA's first
 *     KiB, the last KiB of base memory or F0000h-FFFFFh; its checksum;
 *     spec revision 1 or 4; a configuration table (feature byte 1 = 0)
 *   the table: "PCMP", its checksum, the local APIC at FEE00000h, and
 *     EXPECT_CPUS processor entries, enabled, with distinct APIC IDs, one
 *     of them the BSP -- ours, by CPUID's initial APIC ID
 *   an ISA bus; one IO-APIC at FEC00000h, enabled, whose ID and version
 *     are what its own registers say (read through unreal mode)
 *   ISA IRQ0 on IO-APIC pin 2, IRQs 1 and 3-15 on their own pins, no
 *     IRQ2, all to that IO-APIC; ExtINT on LINT0 and NMI on LINT1
 *   and the APs it lists can be started: INIT and SIPI to each APIC ID,
 *     and each runs our trampoline (counting itself). */
#include "boot/boot.inc"

    .set EXPECT_CPUS, 4
    .set TRAMPOLINE, 0x1000     /* SIPI vector 01h */
    .set AP_COUNT, 0x0ff0       /* word the APs increment */
    .set LAPIC_ID, 0xfee00020
    .set ICR_LO, 0xfee00300
    .set ICR_HI, 0xfee00310
    .set IOAPIC_SEL, 0xfec00000
    .set IOAPIC_WIN, 0xfec00010

    .text
main:
    PRINT "mptable: the MP tables\r\n"
    call unreal
    call find_floating
    call check_config_header
    call walk_entries
    call check_entries
    call start_aps
    PRINT "mptable: "
    mov  $EXPECT_CPUS, %eax
    call putdec
    PRINT " CPUs listed and started\r\n"
    jmp  pass

/* ---- unreal mode: FS reaches 4 GiB ------------------------------------------ */
unreal:
    cli
    mov  $gdt, %eax
    mov  %eax, gdtr + 2
    lgdtl gdtr
    mov  %cr0, %eax
    or   $1, %al
    mov  %eax, %cr0
    jmp  1f
1:  mov  $0x08, %bx
    mov  %bx, %fs
    and  $~1, %al
    mov  %eax, %cr0
    xor  %bx, %bx
    mov  %bx, %fs
    sti
    ret
/* rd32: EAX = the dword at physical ESI.  wr32: store EAX there. */
rd32:
    mov  %fs:(%esi), %eax
    ret
wr32:
    mov  %eax, %fs:(%esi)
    ret

/* ---- the floating pointer ------------------------------------------------- */

/* find_floating: fp = the floating pointer's address (checked). */
find_floating:
    push %ds
    mov  $0x40, %ax
    mov  %ax, %ds
    movzwl 0x0e, %esi
    pop  %ds
    shl  $4, %esi
    mov  $1024, %ecx
    call scan
    jz   1f
    int  $0x12
    movzwl %ax, %esi
    dec  %esi
    shl  $10, %esi
    mov  $1024, %ecx
    call scan
    jz   1f
    mov  $0xf0000, %esi
    mov  $0x10000, %ecx
    call scan
    jz   1f
    mov  $msg_no_fp, %si
    jmp  fail
1:  mov  %esi, fp
    movzbl %fs:8(%esi), %ecx    /* length in paragraphs */
    shl  $4, %ecx
    call checksum
    CHECK z, "the floating pointer's checksum is wrong"
    mov  %fs:9(%esi), %al
    cmp  $4, %al
    je   2f
    cmp  $1, %al
    CHECK e, "the floating pointer's spec revision is neither 1 nor 4"
2:  cmpb $0, %fs:11(%esi)
    CHECK e, "feature byte 1: a default configuration, no table"
    mov  %fs:4(%esi), %eax
    test %eax, %eax
    CHECK nz, "the floating pointer has no configuration table"
    mov  %eax, table
    ret

/* scan: ZF = 1 and ESI = the address if "_MP_" is on a 16-byte boundary
 * in the ECX bytes from ESI. */
scan:
    cmpl $0x5f504d5f, %fs:(%esi)    /* "_MP_" */
    je   1f
    add  $16, %esi
    sub  $16, %ecx
    ja   scan
    or   $1, %cx                    /* ZF = 0 */
1:  ret

/* checksum: ZF = 1 if the ECX bytes from ESI sum to 0. */
checksum:
    push %esi
    push %ecx
    xor  %al, %al
1:  add  %fs:(%esi), %al
    inc  %esi
    dec  %ecx
    jnz  1b
    test %al, %al
    pop  %ecx
    pop  %esi
    ret

/* ---- the configuration table ---------------------------------------------- */

check_config_header:
    mov  table, %esi
    cmpl $0x504d4350, %fs:(%esi)    /* "PCMP" */
    CHECK e, "the configuration table has no PCMP signature"
    movzwl %fs:4(%esi), %ecx
    mov  %ecx, table_len
    call checksum
    CHECK z, "the configuration table's checksum is wrong"
    cmpl $0xfee00000, %fs:36(%esi)
    CHECK e, "the table's local APIC address is not FEE00000h"
    mov  %fs:34(%esi), %ax
    mov  %ax, entry_count
    ret

/* walk_entries: read every entry into the counters below. */
walk_entries:
    mov  table, %esi
    mov  %esi, %edi
    add  table_len, %edi        /* EDI = the end */
    add  $44, %esi
    mov  entry_count, %cx
1:  jcxz 9f
    cmp  %edi, %esi
    CHECK b, "the entries run past the table's length"
    movzbw %fs:(%esi), %bx
    cmp  $4, %bx
    CHECK be, "an entry of unknown type"
    shl  $1, %bx
    call *entry_handlers(%bx)
    dec  %cx
    jmp  1b
9:  cmp  %edi, %esi
    CHECK e, "the entries do not fill the table's length"
    ret

entry_handlers:
    .word e_processor, e_bus, e_ioapic, e_ioint, e_localint

e_processor:
    testb $1, %fs:3(%esi)
    CHECK nz, "a processor entry is not enabled"
    mov  cpus, %bx
    cmp  $16, %bx
    CHECK b, "more than 16 processor entries"
    mov  %fs:1(%esi), %al       /* its APIC ID: not seen before */
    mov  %al, apic_ids(%bx)
    push %cx
    mov  %bx, %cx
    xor  %di, %di
2:  cmp  %cx, %di
    jae  3f
    cmp  apic_ids(%di), %al
    CHECK ne, "two processors with the same APIC ID"
    inc  %di
    jmp  2b
3:  pop  %cx
    mov  table, %edi
    add  table_len, %edi
    testb $2, %fs:3(%esi)
    jz   4f
    incw bsps
    mov  %al, bsp_id
4:  incw cpus
    add  $20, %esi
    ret

e_bus:
    cmpl $0x20415349, %fs:2(%esi)   /* "ISA " */
    jne  1f
    mov  %fs:1(%esi), %al
    mov  %al, isa_bus
    incw isa_buses
1:  add  $8, %esi
    ret

e_ioapic:
    incw ioapics
    mov  %fs:1(%esi), %al
    mov  %al, ioapic_id
    mov  %fs:2(%esi), %al
    mov  %al, ioapic_version
    testb $1, %fs:3(%esi)
    CHECK nz, "the IO-APIC entry is not enabled"
    cmpl $0xfec00000, %fs:4(%esi)
    CHECK e, "the IO-APIC is not at FEC00000h"
    add  $8, %esi
    ret

/* An I/O interrupt: type INT from the ISA bus: note its pin (+1, so 0 is
 * "none") by its IRQ; check the destination at the end. */
e_ioint:
    cmpb $0, %fs:1(%esi)
    jne  1f
    mov  %fs:4(%esi), %al       /* source bus */
    cmp  isa_bus, %al
    jne  1f
    movzbw %fs:5(%esi), %bx     /* source IRQ */
    cmp  $16, %bx
    jae  1f
    cmpb $0, irq_pin(%bx)
    CHECK e, "an ISA IRQ listed twice"
    mov  %fs:7(%esi), %al
    inc  %al
    mov  %al, irq_pin(%bx)
    mov  %fs:6(%esi), %al
    mov  %al, irq_dest(%bx)
1:  add  $8, %esi
    ret

e_localint:
    mov  %fs:1(%esi), %al       /* interrupt type */
    mov  %fs:7(%esi), %ah       /* LINTIN# */
    cmpb $0xff, %fs:6(%esi)
    jne  1f
    cmp  $0x0003, %ax           /* ExtINT on LINT0 */
    jne  2f
    movb $1, extint_lint0
2:  cmp  $0x0101, %ax           /* NMI on LINT1 */
    jne  1f
    movb $1, nmi_lint1
1:  add  $8, %esi
    ret

check_entries:
    cmpw $EXPECT_CPUS, cpus
    CHECK e, "the table does not list 4 processors"
    cmpw $1, bsps
    CHECK e, "not exactly one processor is the BSP"
    mov  $1, %eax
    cpuid
    shr  $24, %ebx
    cmp  bsp_id, %bl
    CHECK e, "the BSP's APIC ID is not ours"
    cmpw $1, isa_buses
    CHECK e, "not exactly one ISA bus"
    cmpw $1, ioapics
    CHECK e, "not exactly one IO-APIC"
    mov  $IOAPIC_SEL, %esi      /* its ID and version, from the chip */
    xor  %eax, %eax
    call wr32
    mov  $IOAPIC_WIN, %esi
    call rd32
    shr  $24, %eax
    and  $0x0f, %al
    cmp  ioapic_id, %al
    CHECK e, "the IO-APIC's ID register differs from the table"
    mov  $IOAPIC_SEL, %esi
    mov  $1, %eax
    call wr32
    mov  $IOAPIC_WIN, %esi
    call rd32
    cmp  ioapic_version, %al
    CHECK e, "the IO-APIC's version register differs from the table"
    cmpb $2 + 1, irq_pin
    CHECK e, "ISA IRQ0 is not on IO-APIC pin 2"
    cmpb $0, irq_pin + 2
    CHECK e, "ISA IRQ2 (the cascade) is listed"
    mov  $1, %bx
1:  cmp  $2, %bx
    je   2f
    mov  %bl, %al
    inc  %al
    cmp  irq_pin(%bx), %al
    CHECK e, "an ISA IRQ (1, 3-15) is not on the IO-APIC pin of its number"
2:  inc  %bx
    cmp  $16, %bx
    jb   1b
    xor  %bx, %bx
3:  cmp  $2, %bx
    je   4f
    mov  irq_dest(%bx), %al
    cmp  ioapic_id, %al
    CHECK e, "an ISA IRQ goes to another IO-APIC ID"
4:  inc  %bx
    cmp  $16, %bx
    jb   3b
    cmpb $1, extint_lint0
    CHECK e, "no ExtINT entry for LINT0 of every local APIC"
    cmpb $1, nmi_lint1
    CHECK e, "no NMI entry for LINT1 of every local APIC"
    ret

/* ---- starting the APs -------------------------------------------------------- */

start_aps:
    mov  $ap_code, %si          /* the trampoline to 0000:1000 */
    mov  $TRAMPOLINE, %di
    mov  $ap_code_end - ap_code, %cx
    rep  movsb
    movw $0, AP_COUNT
    xor  %bx, %bx
1:  cmp  cpus, %bx
    jae  3f
    mov  apic_ids(%bx), %al
    cmp  bsp_id, %al
    je   2f
    movzbl %al, %eax            /* INIT, then SIPI, to this APIC ID */
    shl  $24, %eax
    mov  $ICR_HI, %esi
    call wr32
    mov  $ICR_LO, %esi
    mov  $0x00004500, %eax
    call wr32
    mov  $10000, %dx
    call wait_us
    mov  $0x00004600 | (TRAMPOLINE >> 12), %eax
    call wr32
    mov  $1000, %dx
    call wait_us
2:  inc  %bx
    jmp  1b
3:  mov  $100, %cx              /* up to ~1 s for all of them */
4:  mov  AP_COUNT, %ax
    cmp  $EXPECT_CPUS - 1, %ax
    je   5f
    push %cx
    mov  $10000, %dx
    call wait_us
    pop  %cx
    loop 4b
    mov  $msg_aps, %si
    jmp  fail
5:  ret

/* wait_us: DX microseconds (INT 15h AH=86h). */
wait_us:
    push %ax
    push %cx
    xor  %cx, %cx
    mov  $0x86, %ah
    int  $0x15
    pop  %cx
    pop  %ax
    ret

/* The AP trampoline, copied to 0000:1000: count ourselves and halt. */
ap_code:
    cli
    xor  %ax, %ax
    mov  %ax, %ds
    lock incw AP_COUNT
1:  hlt
    jmp  1b
ap_code_end:

    .section .rodata
msg_no_fp:
    .asciz "no MP floating pointer in the EBDA, the last KiB of base memory or F0000h-FFFFFh"
msg_aps:
    .asciz "the APs from the table did not all start"

    .data
    .balign 8
gdt:    .quad 0
        .quad 0x008f93000000ffff    /* 08h: data, base 0, 4 GiB */
gdtr:   .word 15
        .long 0
fp:     .long 0
table:  .long 0
table_len: .long 0
entry_count: .word 0
cpus:   .word 0
bsps:   .word 0
isa_buses: .word 0
ioapics: .word 0
apic_ids: .fill 16, 1, 0
irq_pin: .fill 16, 1, 0
irq_dest: .fill 16, 1, 0
bsp_id: .byte 0
isa_bus: .byte 0
ioapic_id: .byte 0
ioapic_version: .byte 0
extint_lint0: .byte 0
nmi_lint1: .byte 0
