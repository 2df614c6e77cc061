/* brt_main.c - the bench runtime of the multiboot benchmark kernels: sets
 * the machine up the way an operating system would, runs the compute core
 * (bench_run, see bench.h), reports on COM1 and leaves through the debug
 * exit port 0xF4 (value 0 -> emulator exit status 1 = pass; 1 -> 3 = wrong
 * checksum; 2 -> 5 = exception or set-up failure).
 *
 * Paging is on for every kernel, with 4 KiB pages only (no 4 MiB PSE
 * pages, on purpose): one page directory and as many page tables as it
 * takes to identity-map everything from 0 to the end of the image rounded
 * up to 4 MiB (the 32 MiB buffer of the TLB kernel included).  So each
 * benchmark measures the emulator's memory path as a protected-mode guest
 * OS would use it: every TLB miss costs a guest page walk, and k_tlb.c
 * touches 8 times more pages than vm's TLB has entries.
 *
 * An IDT routes the 32 CPU exceptions to brt_trap, which prints what
 * happened instead of letting the guest triple-fault.  The x87 is set up
 * as a Linux process finds it (FNINIT: every exception masked).
 */
#include "bench.h"

#define PAGE_SIZE   4096u
#define PTE_P       0x001u
#define PTE_W       0x002u
#define CR0_PG      0x80000000u
#define CR0_WP      0x00010000u
#define CR0_MP      0x00000002u
#define CR0_EM      0x00000004u
#define CR0_TS      0x00000008u
#define CR0_NE      0x00000020u
#define MAX_TABLES  64                  /* page tables: up to 256 MiB mapped */

extern char _end[];                     /* bench.ld */
extern const uint32_t brt_trap_stubs[32];   /* brt_start.S */

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t page_tables[MAX_TABLES][1024] __attribute__((aligned(4096)));
static uint64_t idt[32] __attribute__((aligned(8)));

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void com1_putc(char c)
{
    while (!(inb(0x3fd) & 0x20))        /* transmitter holding register empty */
        ;
    outb(0x3f8, (uint8_t)c);
}

static void com1_write(const char *s, size_t n)
{
    while (n--)
        com1_putc(*s++);
}

static void com1_puts(const char *s)
{
    while (*s)
        com1_putc(*s++);
}

static void com1_hex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        com1_putc("0123456789abcdef"[(v >> i) & 15]);
}

static void __attribute__((noreturn)) brt_exit(uint8_t code)
{
    outb(0xf4, code);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Called by the exception stubs with {vector, error, eip, cs, eflags}. */
void brt_trap(const uint32_t *frame) __attribute__((noreturn, used));
void brt_trap(const uint32_t *frame)
{
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    com1_puts("\nbench: ");
    com1_puts(bench_name);
    com1_puts(": exception ");
    com1_hex(frame[0]);
    com1_puts(" error ");
    com1_hex(frame[1]);
    com1_puts(" eip ");
    com1_hex(frame[2]);
    com1_puts(" cr2 ");
    com1_hex(cr2);
    com1_puts("\nbench: FAILED\n");
    brt_exit(2);
}

static void setup_idt(void)
{
    for (int v = 0; v < 32; v++) {
        uint32_t off = brt_trap_stubs[v];
        /* 32-bit interrupt gate, DPL 0, present, selector 0x08 */
        idt[v] = (uint64_t)(off & 0xffffu) | (uint64_t)0x08 << 16 |
                 (uint64_t)0x8e00 << 32 | (uint64_t)(off >> 16) << 48;
    }
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } d =
        { sizeof idt - 1, (uint32_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(d));
}

static int setup_paging(void)
{
    uint32_t end = ((uint32_t)(uintptr_t)_end + (4u << 20) - 1) & ~((4u << 20) - 1);
    uint32_t tables = end >> 22;
    if (tables > MAX_TABLES)
        return 0;
    for (uint32_t t = 0; t < tables; t++) {
        for (uint32_t i = 0; i < 1024; i++)
            page_tables[t][i] = ((t << 22) | (i << 12)) | PTE_P | PTE_W;
        page_dir[t] = (uint32_t)(uintptr_t)page_tables[t] | PTE_P | PTE_W;
    }
    __asm__ volatile("mov %0, %%cr3" : : "r"(page_dir) : "memory");
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 |= CR0_PG | CR0_WP;
    __asm__ volatile("mov %0, %%cr0; jmp 1f; 1:" : : "r"(cr0) : "memory");
    return 1;
}

/* The x87 as an OS sets it up (and as a Linux process finds it): CR0.MP
 * and NE, EM and TS clear, FNINIT (RESET left every exception unmasked
 * and 24-bit precision). */
static void setup_fpu(void)
{
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS);
    __asm__ volatile("mov %0, %%cr0; fninit" : : "r"(cr0) : "memory");
}

void brt_main(uint32_t magic, const void *info) __attribute__((noreturn, used));
void brt_main(uint32_t magic, const void *info)
{
    (void)info;
    if (magic != 0x2BADB002u) {
        com1_puts("bench: not started by a multiboot loader\nbench: FAILED\n");
        brt_exit(2);
    }
    setup_idt();
    if (!setup_paging()) {
        com1_puts("bench: image too large to map\nbench: FAILED\n");
        brt_exit(2);
    }
    setup_fpu();
    char buf[128];
    int ok;
    size_t n = bench_report(buf, bench_run(), &ok);
    com1_write(buf, n);
    brt_exit(ok ? 0 : 1);
}
