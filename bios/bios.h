/* bios.h: constants and macros shared by the BIOS's assembly files.
 *
 * The BIOS is one 64 KiB ROM, linked at offset 0 of segment F000 (bios.ld):
 * every label is an offset in CS = F000h, in real mode.  It runs on the
 * boot processor only (the APs run the few instructions of ap_entry in
 * smp.S and halt), before and under the guest: POST once at reset, then
 * the interrupt services, each on the caller's stack with interrupts as
 * the service says.  No locks: one CPU, and a service that must not be
 * interrupted runs with IF clear.
 *
 * Nothing in the ROM is writable.  State lives in RAM:
 *   0000:0000  the interrupt vector table
 *   0040:0000  the BIOS data area (BDA_* below: IBM's layout)
 *   EBDA:0000  the extended BIOS data area, 1 KiB at the top of base
 *              memory (EBDA_* below): the MP tables, the E820 map, the
 *              disk's geometry, the CPU count
 *   0000:7C00  POST's scratch sector (the disk's IDENTIFY data), where
 *              the boot sector goes afterwards; POST's stack is below it
 * docs/bios.md is the tour. */

    .code16                             /* every file: real-mode code */

#define ROM_SIZE        0x10000         /* the image: F000:0000-F000:FFFF */
#define ROM_LOW_BASE    0xf0000         /* where it appears below 1 MiB */

/* ---- Ports -------------------------------------------------------------- */
#define PIC1_CMD        0x20            /* 8259A master: ICW1, OCW2/3 */
#define PIC1_DATA       0x21            /* ICW2-4, the mask (OCW1) */
#define PIC2_CMD        0xa0            /* slave */
#define PIC2_DATA       0xa1
#define PIC_EOI         0x20            /* OCW2: non-specific EOI */
#define PIC_READ_ISR    0x0b            /* OCW3: next read of CMD is the ISR */
#define PIT_CH0         0x40
#define PIT_CH2         0x42
#define PIT_CTRL        0x43
#define PORT_B          0x61            /* bit 0 gate 2, bit 4 refresh toggle, bit 5 OUT2 */
#define KBC_DATA        0x60            /* i8042 */
#define KBC_CMD         0x64            /* write: command; read: status */
#define CMOS_INDEX      0x70            /* bit 7: NMI off */
#define CMOS_DATA       0x71
#define PORT_A          0x92            /* bit 0 fast reset, bit 1 fast A20 */
#define DEBUG_EXIT      0xf4            /* QEMU's isa-debug-exit */
#define POST_CODE       0x80

/* 16550A UART, COM1 */
#define COM1            0x3f8
#define UART_RBR        0               /* + COM1: receive buffer (read) */
#define UART_THR        0               /* transmit holding (write) */
#define UART_DLL        0               /* divisor latch, with LCR.DLAB */
#define UART_DLM        1
#define UART_IER        1               /* bit 0: received-data interrupt */
#define UART_IIR        2               /* read */
#define UART_FCR        2               /* write */
#define UART_LCR        3               /* bit 7 DLAB; 03h = 8N1 */
#define UART_MCR        4               /* bit 0 DTR, 1 RTS, 3 OUT2 (IRQ gate), 4 loopback */
#define UART_LSR        5               /* bit 0 data ready, bit 5 THR empty */
#define UART_IER_RDI    0x01
#define UART_LSR_DR     0x01
#define UART_LSR_THRE   0x20
#define UART_MCR_LOOP   0x10
#define UART_MCR_RUN    0x0b            /* DTR | RTS | OUT2 */

/* ATA, primary channel, master device */
#define ATA_DATA        0x1f0
#define ATA_ERROR       0x1f1           /* read */
#define ATA_COUNT       0x1f2
#define ATA_LBA0        0x1f3
#define ATA_LBA1        0x1f4
#define ATA_LBA2        0x1f5
#define ATA_DEVICE      0x1f6           /* bit 6 LBA, bit 4 device 1; 0xA0 | ... */
#define ATA_STATUS      0x1f7           /* read: clears INTRQ */
#define ATA_COMMAND     0x1f7           /* write */
#define ATA_ALTSTATUS   0x3f6           /* read: status without side effects */
#define ATA_DEVCTL      0x3f6           /* write: bit 1 nIEN, bit 2 SRST */
#define ATA_SR_BSY      0x80
#define ATA_SR_DRDY     0x40
#define ATA_SR_DF       0x20
#define ATA_SR_DRQ      0x08
#define ATA_SR_ERR      0x01
#define ATA_ER_UNC      0x40            /* uncorrectable data */
#define ATA_ER_IDNF     0x10            /* sector not found */
#define ATA_ER_ABRT     0x04            /* command aborted */
#define ATA_ER_AMNF     0x01            /* address mark not found */
#define ATA_DEV_LBA     0xe0            /* master, LBA addressing (bits 7, 5 obsolete ones) */
#define ATA_CTL_NIEN    0x02
#define ATA_CTL_SRST    0x04
#define ATA_CMD_READ        0x20
#define ATA_CMD_READ_EXT    0x24
#define ATA_CMD_WRITE       0x30
#define ATA_CMD_WRITE_EXT   0x34
#define ATA_CMD_IDENTIFY    0xec

/* Local APIC and IO-APIC (reached with 32-bit addresses through FS in
 * unreal mode during POST, see smp.S) */
#define LAPIC_BASE      0xfee00000
#define LAPIC_ID        0xfee00020
#define LAPIC_VERSION   0xfee00030
#define LAPIC_SVR       0xfee000f0
#define LAPIC_ICR_LO    0xfee00300
#define LAPIC_ICR_HI    0xfee00310
#define LAPIC_LINT0     0xfee00350
#define LAPIC_LINT1     0xfee00360
#define IOAPIC_BASE     0xfec00000
#define IOAPIC_REGSEL   0xfec00000
#define IOAPIC_WIN      0xfec00010

/* ---- The BIOS data area: offsets in segment 40h ---------------------------- */
#define BDA_SEG         0x40
#define BDA_COM_BASE    0x00            /* 4 words: COM1-4 I/O bases */
#define BDA_EBDA_SEG    0x0e            /* word */
#define BDA_EQUIPMENT   0x10            /* word: INT 11h */
#define BDA_MEM_KB      0x13            /* word: INT 12h, base memory in KiB */
#define BDA_KB_FLAGS1   0x17            /* byte: shift states, INT 16h AH=02h */
#define BDA_KB_FLAGS2   0x18
#define BDA_KB_HEAD     0x1a            /* word: offset in 40h of the next key */
#define BDA_KB_TAIL     0x1c            /* word: where the next key goes */
#define BDA_KB_BUF      0x1e            /* 16 words, up to 3Eh */
#define BDA_FLOPPY_STATUS 0x41          /* byte: last diskette status */
#define BDA_VIDEO_MODE  0x49            /* byte */
#define BDA_VIDEO_COLS  0x4a            /* word */
#define BDA_VIDEO_PAGE_SIZE 0x4c        /* word: bytes */
#define BDA_VIDEO_PAGE_START 0x4e       /* word */
#define BDA_CURSOR_POS  0x50            /* 8 words, one per page: low column, high row */
#define BDA_CURSOR_SHAPE 0x60           /* word: start line high, end line low */
#define BDA_VIDEO_PAGE  0x62            /* byte: the active page */
#define BDA_CRTC_PORT   0x63            /* word */
#define BDA_VIDEO_MSR   0x65            /* byte: mode-select register */
#define BDA_VIDEO_PAL   0x66            /* byte */
#define BDA_RESET_VECTOR 0x67           /* dword: where shutdown codes 05h/0Ah/0Bh resume */
#define BDA_TICKS       0x6c            /* dword: IRQ0 ticks since midnight */
#define BDA_MIDNIGHT    0x70            /* byte: the count rolled over midnight */
#define BDA_HD_STATUS   0x74            /* byte: last INT 13h status of a hard disk */
#define BDA_HD_COUNT    0x75            /* byte */
#define BDA_HD_CONTROL  0x76            /* byte */
#define BDA_COM_TIMEOUT 0x7c            /* 4 bytes */
#define BDA_KB_START    0x80            /* word: the key buffer's bounds in 40h */
#define BDA_KB_END      0x82
#define BDA_VIDEO_ROWS  0x84            /* byte: rows - 1 */
#define BDA_CHAR_HEIGHT 0x85            /* word */
#define BDA_VIDEO_CTL   0x87
#define BDA_VIDEO_SWITCHES 0x88
#define BDA_VGA_FLAGS   0x89
#define BDA_HD_IRQ_FLAG 0x8e            /* byte: FFh after IRQ14 */
#define BDA_KB_STATUS3  0x96            /* byte: bit 4 = 101/102-key keyboard */
#define BDA_WAIT_FLAG   0x98            /* dword far pointer: set bit 7 there when the wait ends */
#define BDA_WAIT_COUNT  0x9c            /* dword: microseconds left */
#define BDA_WAIT_ACTIVE 0xa0            /* byte: bit 0 a wait runs, bit 7 it ended */
#define BDA_POST_DONE   0xac            /* word (reserved by IBM): POST_DONE_MAGIC once POST
                                           has run, until the machine is reset (post.S) */
#define BDA_TERM_POS    0xae            /* word (reserved by IBM): where the terminal's cursor is,
                                           column low, signed row high (console.S) */

#define POST_DONE_MAGIC 0x5650          /* "PV" in memory: unlikely to be there by chance */
#define TICKS_PER_DAY   0x1800b0        /* 1193180 / 65536 * 86400 */
#define KB_BUF_START    BDA_KB_BUF
#define KB_BUF_END      (BDA_KB_BUF + 32)

/* ---- The EBDA: offsets in its segment (BDA_EBDA_SEG) ------------------------ */
#define EBDA_KB         1               /* its size: base memory reported is 640 - 1 KiB */
#define EBDA_SIZE       0x00            /* byte: size in KiB, as the PS/2 defines */
#define EBDA_CPU_SLOTS  0x01            /* byte: APs that took a slot (lock xadd) */
#define EBDA_CPU_DONE   0x02            /* byte: APs that wrote their APIC ID */
#define EBDA_APIC_IDS   0x04            /* 16 bytes: APIC ID of each AP, by slot */
#define EBDA_RAM_TOP    0x18            /* dword: end of RAM above 1 MiB (from CMOS) */
#define EBDA_BSP_APIC_ID 0x1c           /* byte */
#define EBDA_APIC_VERSION 0x1d          /* byte */
#define EBDA_IOAPIC_ID  0x1e            /* byte */
#define EBDA_IOAPIC_VERSION 0x1f        /* byte */
#define EBDA_DISK       0x20            /* the disk (drive 80h), see DISK_* */
#define EBDA_FDPT       0x40            /* 16 bytes: fixed disk parameter table, INT 41h */
#define EBDA_E820_COUNT 0x50            /* word */
#define EBDA_E820       0x60            /* E820_MAX entries of 20 bytes */
#define EBDA_MP_FLOAT   0x100           /* the MP floating pointer (16-byte aligned) */
#define EBDA_MP_CONFIG  0x110           /* the MP configuration table, to 0x330 at most */
#define EBDA_DPTE       0x3f0           /* 16 bytes: the disk's EDD device parameter table extension */

#define E820_MAX        8
#define E820_ENTRY      20              /* base (8), length (8), type (4) */
#define E820_RAM        1
#define E820_RESERVED   2
#define SMAP            0x534d4150      /* 'SMAP' */

/* The disk: EBDA offsets from EBDA_DISK on */
#define DISK_PRESENT    0x20            /* byte: 1 if IDENTIFY found an ATA disk */
#define DISK_LBA48      0x21            /* byte: 1 if it has the 48-bit feature set */
#define DISK_HEADS      0x22            /* word: translated geometry for CHS calls */
#define DISK_SPT        0x24            /* word */
#define DISK_CYLS       0x26            /* word */
#define DISK_SECTORS    0x28            /* qword: capacity in 512-byte sectors */
#define DISK_CHS_SECTORS 0x30           /* dword: cylinders * heads * sectors */

#define MAX_CPUS        16

/* ---- The register frame of a service ---------------------------------------
 * SERVICE_ENTER saves DS, ES and the 32-bit registers on the caller's stack
 * and points BP at them, so a service reads its arguments and writes its
 * results there (F_* offsets, SS-relative through BP) and SERVICE_LEAVE
 * returns them with IRET.  Results in FLAGS (CF, ZF) go to F_FLAGS. */
#define F_EDI   0
#define F_DI    0
#define F_ESI   4
#define F_SI    4
#define F_EBP   8
#define F_BP    8
#define F_EBX   16
#define F_BX    16
#define F_BL    16
#define F_BH    17
#define F_EDX   20
#define F_DX    20
#define F_DL    20
#define F_DH    21
#define F_ECX   24
#define F_CX    24
#define F_CL    24
#define F_CH    25
#define F_EAX   28
#define F_AX    28
#define F_AL    28
#define F_AH    29
#define F_ES    32
#define F_DS    34
#define F_IP    36
#define F_CS    38
#define F_FLAGS 40
#define FLAG_CF 0x0001
#define FLAG_ZF 0x0040
#define FLAG_IF 0x0200

.macro SERVICE_ENTER
    push %ds
    push %es
    pushal
    mov  %sp, %bp
.endm

.macro SERVICE_LEAVE
    popal
    pop  %es
    pop  %ds
    iret
.endm

/* Service results: CF and AH in the frame. */
.macro SET_CF
    orb  $FLAG_CF, F_FLAGS(%bp)
.endm
.macro CLEAR_CF
    andb $~FLAG_CF, F_FLAGS(%bp)
.endm

/* DS = the BIOS data area.  Clobbers AX. */
.macro DS_BDA
    mov  $BDA_SEG, %ax
    mov  %ax, %ds
.endm

/* ES = the EBDA (DS must be the BDA).  Clobbers AX. */
.macro ES_EBDA
    mov  BDA_EBDA_SEG, %ax
    mov  %ax, %es
.endm

/* Print a string from the ROM: puts (console.S) takes it in CS:SI. */
.macro PRINT msg
    push %si
    mov  $\msg, %si
    call puts
    pop  %si
.endm
