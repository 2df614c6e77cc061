/* pg_lib.c - descriptor tables, trap recording and page tables for the
 * paging / system-instruction test kernels.  See pg_lib.h. */
#include "pg_lib.h"

volatile struct pg_trap pg_last;
volatile uint32_t pg_ntraps;
volatile uint32_t pg_resume;
int (*volatile pg_fixup)(struct pg_frame *f);
uint32_t *pg_dir;
struct pg_str pg_str;

uint32_t pg_kctx_esp;           /* pg_user_call's ring-0 stack, for pg_int80 */

/* Stacks: the ring-0 stack used when a trap comes from ring 3 (TSS.ESP0)
 * and the ring-3 stack of pg_user_call. */
static uint8_t pg_kstack[8192] __attribute__((aligned(16)));
uint8_t pg_ustack[PG_USTACK_SIZE] __attribute__((aligned(16)));

/* Physical pages for page tables and test pages. */
#define POOL_PAGES 128
static uint8_t pg_pool[POOL_PAGES][4096] __attribute__((aligned(4096)));
static uint32_t pg_pool_used;

static uint64_t pg_gdt[7] __attribute__((aligned(8)));
static uint64_t pg_idt[256] __attribute__((aligned(8)));
static uint32_t pg_tss[26] __attribute__((aligned(8)));   /* 104 bytes, SDM Figure 8-2 */

extern const uint32_t pg_stub_table[32];
void pg_int80(void);
void pg_trap_c(struct pg_frame *f);

/* The compiler may turn loops into calls to these (freestanding contract). */
void *memset(void *d, int c, uint32_t n)
{
    void *r = d;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return r;
}

void *memcpy(void *d, const void *s, uint32_t n)
{
    void *r = d;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return r;
}

void pg_memcpy(void *dst, const void *src, uint32_t n) { memcpy(dst, src, n); }
void pg_memset(void *dst, int c, uint32_t n) { memset(dst, c, n); }

void pg_put_mov_imm(uint8_t *p, int reg, uint32_t imm)
{
    p[0] = (uint8_t)(0xb8 + reg);
    for (int i = 0; i < 4; i++)
        p[1 + i] = (uint8_t)(imm >> (8 * i));
}

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
    return (uint64_t)(limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
           ((uint64_t)flags << 52) | ((uint64_t)(base >> 24) << 56);
}

static uint64_t int_gate(uint32_t handler, unsigned dpl)
{
    /* 32-bit interrupt gate (type 0xE), present, selector 0x08. */
    return (uint64_t)(handler & 0xffff) | ((uint64_t)SEL_KCODE << 16) |
           ((uint64_t)(0x8e00 | (dpl << 13)) << 32) | ((uint64_t)(handler >> 16) << 48);
}

void pg_setup(void)
{
    pg_gdt[0] = 0;
    pg_gdt[1] = seg_desc(0, 0xfffff, 0x9a, 0xc);    /* ring-0 code */
    pg_gdt[2] = seg_desc(0, 0xfffff, 0x92, 0xc);    /* ring-0 data */
    pg_gdt[3] = seg_desc(0, 0xfffff, 0xfa, 0xc);    /* ring-3 code */
    pg_gdt[4] = seg_desc(0, 0xfffff, 0xf2, 0xc);    /* ring-3 data */
    pg_memset(pg_tss, 0, sizeof pg_tss);
    pg_tss[1] = (uint32_t)(pg_kstack + sizeof pg_kstack);  /* ESP0 */
    pg_tss[2] = SEL_KDATA;                                 /* SS0 */
    pg_tss[25] = (uint32_t)sizeof pg_tss << 16;            /* I/O map base: none */
    pg_gdt[5] = seg_desc((uint32_t)pg_tss, sizeof pg_tss - 1, 0x89, 0x0);  /* 32-bit TSS */
    pg_gdt[6] = seg_desc(PG_BASED_BASE, 0xfffff, 0x92, 0xc);  /* ring-0 data, base != 0 */

    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr, idtr;
    gdtr.limit = sizeof pg_gdt - 1;
    gdtr.base = (uint32_t)pg_gdt;
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:\tmov %1, %%ds\n\t"
                     "mov %1, %%es\n\t"
                     "mov %1, %%fs\n\t"
                     "mov %1, %%gs\n\t"
                     "mov %1, %%ss\n\t"
                     "ltr %w2"
                     : : "m"(gdtr), "r"(SEL_KDATA), "r"(SEL_TSS) : "memory");

    for (int v = 0; v < 32; v++)
        pg_idt[v] = int_gate(pg_stub_table[v], 0);
    pg_idt[0x80] = int_gate((uint32_t)pg_int80, 3);
    idtr.limit = sizeof pg_idt - 1;
    idtr.base = (uint32_t)pg_idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));

    outb(0x21, 0xff);           /* mask every 8259 input */
    outb(0xa1, 0xff);

    /* Identity map 0-4 MiB with 4 KiB pages, user-accessible and writable. */
    pg_dir = pg_alloc();
    uint32_t *pt = pg_alloc();
    for (uint32_t i = 0; i < 1024; i++)
        pt[i] = (i << 12) | PTE_P | PTE_W | PTE_U;
    pg_dir[0] = (uint32_t)pt | PTE_P | PTE_W | PTE_U;
    pg_reset_traps();
}

void pg_paging_on(void)
{
    write_cr3((uint32_t)pg_dir);
    write_cr0(read_cr0() | CR0_PG);
}

void pg_reset_traps(void)
{
    pg_ntraps = 0;
    pg_last.vector = pg_last.err = pg_last.eip = 0xffffffffu;
    pg_last.cs = pg_last.eflags = pg_last.cr2 = pg_last.esp = 0xffffffffu;
    pg_fixup = 0;
    pg_resume = 0;
}

void *pg_alloc(void)
{
    if (pg_pool_used == POOL_PAGES) {
        kputs("pg_alloc: pool exhausted\n");
        kexit(1);
    }
    void *p = pg_pool[pg_pool_used++];
    pg_memset(p, 0, 4096);
    return p;
}

uint32_t *pg_pde(uint32_t *dir, uint32_t va)
{
    return &dir[va >> 22];
}

uint32_t *pg_pte_in(uint32_t *dir, uint32_t va)
{
    uint32_t *pde = pg_pde(dir, va);
    if (!(*pde & PTE_P))
        *pde = (uint32_t)pg_alloc() | PTE_P | PTE_W | PTE_U;
    uint32_t *pt = (uint32_t *)(*pde & 0xfffff000u);
    return &pt[(va >> 12) & 1023];
}

void pg_map(uint32_t va, uint32_t pa, uint32_t flags)
{
    *pg_pte(va) = (pa & 0xfffff000u) | flags;
    invlpg(va);
}

void pg_trap_c(struct pg_frame *f)
{
    uint32_t cr2 = read_cr2();
    pg_ntraps++;
    pg_last.vector = f->vector;
    pg_last.err = f->err;
    pg_last.eip = f->eip;
    pg_last.cs = f->cs;
    pg_last.eflags = f->eflags;
    pg_last.cr2 = cr2;
    pg_last.esp = (f->cs & 3) ? f->esp_user : 0xffffffffu;
    if (pg_fixup && pg_fixup(f))
        return;
    if (pg_resume) {
        f->eip = pg_resume;
        pg_resume = 0;
        return;
    }
    kputs("FAIL unexpected trap: vector ");
    kputdec(f->vector);
    kputs(" error ");
    kputhex(f->err);
    kputs(" EIP ");
    kputhex(f->eip);
    kputs(" CS ");
    kputhex(f->cs);
    kputs(" CR2 ");
    kputhex(cr2);
    kputc('\n');
    kexit(1);
}
