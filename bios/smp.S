/* smp.S: the processors and the MP tables (Intel MultiProcessor
 * Specification 1.4).
 *
 * The BIOS does not know how many vCPUs there are; it asks the hardware,
 * as a PC BIOS does: the boot processor broadcasts INIT, then twice a
 * start-up IPI (SIPI) with vector F0h, to every processor but itself.
 * Each application processor wakes at F000:0000 (ap_entry, the first
 * bytes of the ROM) in real mode, takes a slot with LOCK XADD, writes its
 * APIC ID (CPUID's initial APIC ID) there, counts itself done and halts
 * with interrupts off, until the operating system sends it INIT and SIPI
 * again.  The BSP waits until no AP has arrived for ~10 ms (at most
 * ~100 ms in all).
 *
 * The local APIC (FEE00000h) and the IO-APIC (FEC00000h) lie above 1 MiB,
 * out of real mode's reach: POST switches to protected mode for a few
 * instructions to give FS a 4 GiB limit ("unreal mode"), reaches them as
 * FS:[ESI] with 32-bit addresses, and puts the 64 KiB limit back at the
 * end.
 *
 * Then the MP floating pointer and configuration table go in the EBDA's
 * first KiB, where operating systems look (Linux searches it, the last KiB
 * of base memory and F0000h-FFFFFh): the processors (APIC ID and version,
 * the BSP flag, CPUID's signature and features), one ISA bus, the IO-APIC,
 * ISA IRQs 0-15 to its pins (IRQ0 on pin 2, as the board wires it; no
 * IRQ2, the cascade), ExtINT on LINT0 and NMI on LINT1 of every local
 * APIC (virtual wire mode: no IMCR).
 *
 * Runs on the boot processor in POST (interrupts on, for the waits);
 * ap_entry runs on each AP, which touch only their slot and the counters
 * (atomically). */
#include "bios.h"

    .set AP_VECTOR, ROM_LOW_BASE >> 12  /* SIPI vector: ap_entry's page, F0000h */
    .set SEL_CODE16, 0x08
    .set SEL_FLAT, 0x10
    .set SEL_DATA64K, 0x18
    .set ICR_INIT, 0x000c4500           /* INIT, level assert, all but self */
    .set ICR_SIPI, 0x000c4600           /* start-up, all but self */
    .set ICR_BUSY, 0x1000               /* delivery status */
    .set APIC_SVR_ENABLE, 0x100
    .set LVT_EXTINT, 0x700
    .set LVT_NMI, 0x400
    .set AP_QUIET_MS, 8                 /* stop waiting after this long without a new AP */
    .set AP_MAX_MS, 100

    .set MPC_HEADER, 44                 /* the configuration table header */
    .set MPC_PROCESSOR, 20              /* entry sizes */
    .set MPC_OTHER, 8

/* ---- ap_entry: each AP starts here (F000:0000) ---------------------------- */
    .section .trampoline, "ax"
    .globl ap_entry
ap_entry:
    cli
    mov  $BDA_SEG, %ax
    mov  %ax, %ds
    mov  BDA_EBDA_SEG, %ax
    mov  %ax, %ds
    mov  $1, %eax
    cpuid                               /* EBX bits 31-24: the initial APIC ID */
    shr  $24, %ebx
    mov  $1, %al
    lock xadd %al, EBDA_CPU_SLOTS       /* AL = my slot */
    cmp  $MAX_CPUS - 1, %al
    jae  1f                             /* more CPUs than the table holds */
    movzbw %al, %si
    mov  %bl, EBDA_APIC_IDS(%si)
1:  lock incb EBDA_CPU_DONE
2:  hlt
    jmp  2b

    .text
/* ---- Unreal mode -------------------------------------------------------------- */

    .balign 8
unreal_gdt:
    .quad 0
    .quad 0x00009b0f0000ffff            /* 08h: 16-bit code, base F0000h, 64 KiB */
    .quad 0x008f93000000ffff            /* 10h: data, base 0, 4 GiB */
    .quad 0x000093000000ffff            /* 18h: data, base 0, 64 KiB */
unreal_gdtr:
    .word 4 * 8 - 1
    .long ROM_LOW_BASE + unreal_gdt

/* fs_gs_limit: give FS and GS the limit of descriptor AX (SEL_FLAT: 4 GiB,
 * SEL_DATA64K: back to real mode's 64 KiB), through a moment of protected
 * mode with interrupts off; then FS = GS = 0 in real mode.  The
 * descriptors' accessed bits are preset: the CPU need not write the ROM.
 * Clobbers AX, EBX. */
fs_gs_limit:
    pushf
    cli
    lgdtl %cs:unreal_gdtr
    mov  %cr0, %ebx
    or   $1, %bl
    mov  %ebx, %cr0
    ljmp $SEL_CODE16, $1f
1:  mov  %ax, %fs
    mov  %ax, %gs
    and  $~1, %bl
    mov  %ebx, %cr0
    ljmp $0xf000, $2f
2:  xor  %ax, %ax
    mov  %ax, %fs
    mov  %ax, %gs
    popf
    ret

/* apic_write: the dword at the physical address ESI = EAX (unreal mode). */
apic_write:
    mov  %eax, %fs:(%esi)
    ret

/* ---- smp_init ----------------------------------------------------------------- */

/* smp_init: count the CPUs, put the BSP's local APIC in virtual wire mode,
 * give the IO-APIC an ID, write the MP tables and say how many CPUs there
 * are.  Interrupts on.  Clobbers EAX, EBX, ECX, EDX, ESI, EDI. */
    .globl smp_init
smp_init:
    push %ds
    push %es
    DS_BDA
    ES_EBDA
    mov  $SEL_FLAT, %ax
    call fs_gs_limit
    call bsp_apic_init
    call start_aps
    call ap_wait
    call ioapic_init
    call mp_write_tables
    PRINT msg_cpus
    movzbl %es:EBDA_CPU_DONE, %eax
    inc  %eax
    call putdec
    PRINT msg_cpus_apic
    mov  $IOAPIC_BASE, %eax
    call puthex32
    PRINT msg_cpus_mp
    mov  %es, %ax
    movzwl %ax, %eax
    shl  $4, %eax
    add  $EBDA_MP_FLOAT, %eax
    call puthex32
    PRINT msg_crlf
    mov  $SEL_DATA64K, %ax
    call fs_gs_limit
    pop  %es
    pop  %ds
    ret

/* bsp_apic_init: note the BSP's APIC ID and version; software-enable its
 * APIC (spurious vector FFh) with LINT0 as ExtINT (the 8259's INTR) and
 * LINT1 as NMI: the virtual wire mode of MP spec 3.6.2.2.  ES = EBDA. */
bsp_apic_init:
    mov  $LAPIC_ID, %esi
    mov  %fs:(%esi), %eax
    shr  $24, %eax
    mov  %al, %es:EBDA_BSP_APIC_ID
    mov  $LAPIC_VERSION, %esi
    mov  %fs:(%esi), %eax
    mov  %al, %es:EBDA_APIC_VERSION
    mov  $LAPIC_SVR, %esi
    mov  %fs:(%esi), %eax
    or   $APIC_SVR_ENABLE | 0xff, %eax
    call apic_write
    mov  $LAPIC_LINT0, %esi
    mov  $LVT_EXTINT, %eax
    call apic_write
    mov  $LAPIC_LINT1, %esi
    mov  $LVT_NMI, %eax
    jmp  apic_write

/* start_aps: INIT, then two SIPIs, to all the others (MP spec B.4: 10 ms
 * after INIT, 200 us between the SIPIs; our waits round up to the RTC's
 * millisecond).  ES = EBDA, DS = BDA. */
start_aps:
    movb $0, %es:EBDA_CPU_SLOTS
    movb $0, %es:EBDA_CPU_DONE
    mov  $LAPIC_ICR_HI, %esi
    xor  %eax, %eax
    call apic_write
    mov  $ICR_INIT, %eax
    call icr_send
    mov  $10000, %eax
    call wait_us
    mov  $ICR_SIPI | AP_VECTOR, %eax
    call icr_send
    mov  $200, %eax
    call wait_us
    mov  $ICR_SIPI | AP_VECTOR, %eax
    jmp  icr_send

/* icr_send: write EAX to the ICR's low dword (which sends the IPI), then
 * wait until the APIC reports it delivered.  Clobbers ECX, ESI. */
icr_send:
    mov  $LAPIC_ICR_LO, %esi
    call apic_write
    xor  %cx, %cx
1:  testl $ICR_BUSY, %fs:(%esi)
    loopnz 1b
    ret

/* ap_wait: until no new AP has taken a slot for AP_QUIET_MS (at most
 * AP_MAX_MS), then until each AP that took one has written its APIC ID.
 * ES = EBDA, DS = BDA.  Clobbers EAX, BX, ECX, EDX. */
ap_wait:
    xor  %bx, %bx                       /* BL: ms without news, BH: ms in all */
    mov  %es:EBDA_CPU_SLOTS, %dl
1:  push %dx
    mov  $1000, %eax
    call wait_us
    pop  %dx
    inc  %bh
    inc  %bl
    mov  %es:EBDA_CPU_SLOTS, %al
    cmp  %al, %dl
    je   2f
    mov  %al, %dl
    xor  %bl, %bl
2:  cmp  $AP_QUIET_MS, %bl
    jae  3f
    cmp  $AP_MAX_MS, %bh
    jb   1b
3:  mov  $AP_MAX_MS, %bl
4:  mov  %es:EBDA_CPU_SLOTS, %al
    cmp  $MAX_CPUS - 1, %al             /* extra APs counted done but not stored */
    jbe  5f
    mov  $MAX_CPUS - 1, %al
    movb $MAX_CPUS - 1, %es:EBDA_CPU_SLOTS
5:  cmp  %es:EBDA_CPU_DONE, %al
    jbe  6f
    mov  $1000, %eax
    call wait_us
    dec  %bl
    jnz  4b
    mov  %es:EBDA_CPU_DONE, %al         /* an AP took a slot and stalled: trust done */
    mov  %al, %es:EBDA_CPU_SLOTS
6:  mov  %es:EBDA_CPU_SLOTS, %al        /* the table counts slots */
    mov  %al, %es:EBDA_CPU_DONE
    ret

/* ioapic_init: give the IO-APIC the ID after the highest local APIC ID
 * (modulo 16: its ID register has 4 bits), and note the ID it then has
 * and its version.  ES = EBDA. */
ioapic_init:
    mov  %es:EBDA_BSP_APIC_ID, %dl      /* DL = the highest APIC ID */
    movzbw %es:EBDA_CPU_DONE, %cx
    xor  %bx, %bx
1:  cmp  %cx, %bx
    jae  2f
    mov  %es:EBDA_APIC_IDS(%bx), %al
    inc  %bx
    cmp  %dl, %al
    jbe  1b
    mov  %al, %dl
    jmp  1b
2:  inc  %dl
    and  $0x0f, %dl
    mov  $IOAPIC_REGSEL, %esi
    movl $0, %fs:(%esi)                 /* register 0: the ID, bits 27-24 */
    mov  $IOAPIC_WIN, %esi
    movzbl %dl, %eax
    shl  $24, %eax
    mov  %eax, %fs:(%esi)
    mov  %fs:(%esi), %eax
    shr  $24, %eax
    and  $0x0f, %al
    mov  %al, %es:EBDA_IOAPIC_ID
    mov  $IOAPIC_REGSEL, %esi
    movl $1, %fs:(%esi)                 /* register 1: the version, bits 7-0 */
    mov  $IOAPIC_WIN, %esi
    mov  %fs:(%esi), %eax
    mov  %al, %es:EBDA_IOAPIC_VERSION
    ret

/* ---- The MP tables ------------------------------------------------------------- */

/* mp_write_tables: the configuration table at EBDA_MP_CONFIG, entries in
 * the order the spec asks (processors, buses, IO-APICs, I/O interrupts,
 * local interrupts), then the header and the floating pointer.  ES = EBDA.
 * Clobbers EAX, EBX, ECX, EDX, SI, DI. */
mp_write_tables:
    cld
    mov  $EBDA_MP_CONFIG + MPC_HEADER, %di
    xor  %si, %si                       /* SI: the entry count */
    mov  %es:EBDA_BSP_APIC_ID, %al
    mov  $3, %ah                        /* CPU flags: enabled, the BSP */
    call mp_processor
    xor  %bx, %bx
1:  cmp  %es:EBDA_CPU_DONE, %bl
    jae  2f
    mov  %es:EBDA_APIC_IDS(%bx), %al
    mov  $1, %ah                        /* enabled */
    call mp_processor
    inc  %bx
    jmp  1b
2:  mov  $0x01, %al                     /* bus entry: ID 0, ISA */
    stosb
    xor  %al, %al
    stosb
    mov  $'I' | 'S' << 8, %ax
    stosw
    mov  $'A' | ' ' << 8, %ax
    stosw
    mov  $' ' | ' ' << 8, %ax
    stosw
    inc  %si
    mov  $0x02, %al                     /* I/O APIC entry */
    stosb
    mov  %es:EBDA_IOAPIC_ID, %al
    stosb
    mov  %es:EBDA_IOAPIC_VERSION, %al
    stosb
    mov  $1, %al                        /* enabled */
    stosb
    mov  $IOAPIC_BASE, %eax
    stosl
    inc  %si
    xor  %bx, %bx                       /* I/O interrupt entries, IRQ BL */
3:  cmp  $2, %bl
    je   5f
    mov  $0x03, %al                     /* type 3; INT, flags 0: as the bus says (ISA: edge, high) */
    stosb
    xor  %al, %al
    stosb
    xor  %ax, %ax
    stosw
    xor  %al, %al                       /* source bus 0 */
    stosb
    mov  %bl, %al                       /* its IRQ */
    stosb
    mov  %es:EBDA_IOAPIC_ID, %al
    stosb
    mov  %bl, %al                       /* the IO-APIC pin: the same, but IRQ0 on 2 */
    test %al, %al
    jnz  4f
    mov  $2, %al
4:  stosb
    inc  %si
5:  inc  %bl
    cmp  $16, %bl
    jb   3b
    mov  $3, %al                        /* LINT0: ExtINT */
    xor  %ah, %ah
    call mp_local_interrupt
    mov  $1, %al                        /* LINT1: NMI */
    mov  $1, %ah
    call mp_local_interrupt
    mov  %di, %cx                       /* CX = the table's length */
    sub  $EBDA_MP_CONFIG, %cx
    jmp  mp_write_header

/* mp_processor: a processor entry at ES:DI for APIC ID AL with CPU flags
 * AH; SI counts it.  Clobbers EAX, ECX, EDX. */
mp_processor:
    push %bx
    push %ax
    xor  %al, %al                       /* type 0 */
    stosb
    pop  %ax
    stosb                               /* the local APIC ID */
    mov  %es:EBDA_APIC_VERSION, %al
    stosb
    mov  %ah, %al
    stosb
    mov  $1, %eax
    cpuid
    stosl                               /* signature: family, model, stepping */
    mov  %edx, %eax
    stosl                               /* feature flags */
    xor  %eax, %eax
    stosl
    stosl
    inc  %si
    pop  %bx
    ret

/* mp_local_interrupt: entry type 4 at ES:DI, interrupt type AL, to LINT
 * AH of every local APIC (destination FFh). */
mp_local_interrupt:
    push %ax
    mov  $0x04, %al
    stosb
    pop  %ax
    stosb                               /* interrupt type */
    push %ax
    xor  %ax, %ax
    stosw                               /* flags: as the bus says */
    stosb                               /* source bus 0 */
    stosb                               /* source IRQ 0 */
    mov  $0xff, %al
    stosb
    pop  %ax
    mov  %ah, %al
    stosb                               /* LINTIN# */
    inc  %si
    ret

/* mp_write_header: the configuration table's header (CX = the table's
 * length, SI = the entry count) and checksum, then the floating pointer
 * to it. */
mp_write_header:
    mov  $EBDA_MP_CONFIG, %di
    mov  $mp_config_header, %bx
    mov  $MPC_HEADER, %dx
1:  mov  %cs:(%bx), %al
    stosb
    inc  %bx
    dec  %dx
    jnz  1b
    mov  %cx, %es:EBDA_MP_CONFIG + 4    /* base table length */
    mov  %si, %es:EBDA_MP_CONFIG + 34   /* entry count */
    mov  $EBDA_MP_CONFIG, %di
    mov  %di, %bx
    add  $7, %bx                        /* the checksum byte */
    call mp_checksum
    mov  $EBDA_MP_FLOAT, %di            /* the floating pointer */
    mov  $'_' | 'M' << 8, %ax
    stosw
    mov  $'P' | '_' << 8, %ax
    stosw
    mov  %es, %ax                       /* the table's physical address */
    movzwl %ax, %eax
    shl  $4, %eax
    add  $EBDA_MP_CONFIG, %eax
    stosl
    mov  $1, %al                        /* length: 1 paragraph */
    stosb
    mov  $4, %al                        /* spec revision 1.4 */
    stosb
    xor  %ax, %ax                       /* checksum (below), feature byte 1: a table exists */
    stosw
    xor  %eax, %eax                     /* feature bytes 2-5: bit 7 of byte 2 clear: no IMCR */
    stosl
    mov  $EBDA_MP_FLOAT, %di
    mov  %di, %bx
    add  $10, %bx
    mov  $16, %cx                       /* and on into mp_checksum */

/* mp_checksum: make the CX bytes at ES:DI sum to 0 by setting the byte at
 * ES:BX (which must be 0 beforehand and lie among them). */
mp_checksum:
    xor  %al, %al
1:  sub  %es:(%di), %al
    inc  %di
    loop 1b
    mov  %al, %es:(%bx)
    ret

/* The fixed part of the configuration table header. */
mp_config_header:
    .ascii "PCMP"
    .word 0                             /* base table length (set) */
    .byte 4                             /* spec revision 1.4 */
    .byte 0                             /* checksum (set) */
    .ascii "VM      "                   /* OEM ID, 8 */
    .ascii "VM PC       "               /* product ID, 12 */
    .long 0                             /* OEM table pointer */
    .word 0                             /* OEM table size */
    .word 0                             /* entry count (set) */
    .long LAPIC_BASE                    /* local APIC address */
    .word 0                             /* extended table length */
    .byte 0                             /* extended table checksum */
    .byte 0                             /* reserved */

msg_cpus:
    .asciz "CPUs: "
msg_cpus_apic:
    .asciz " (counted by INIT-SIPI-SIPI), IO-APIC at 0x"
msg_cpus_mp:
    .asciz ", MP table at 0x"
    .globl msg_crlf
msg_crlf:
    .asciz "\r\n"
