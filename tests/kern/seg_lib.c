/* seg_lib.c - the C half of seg_lib (see seg_lib.h): descriptor tables,
 * the main TSS, the recording exception handler and its checks. */
#include "seg_lib.h"

uint64_t seg_gdt[GDT_ENTRIES] __attribute__((aligned(8)));
uint64_t seg_ldt[LDT_ENTRIES] __attribute__((aligned(8)));
uint64_t seg_idt[256] __attribute__((aligned(8)));
struct seg_main_tss seg_tss __attribute__((aligned(128)));

/* Stacks: interrupts from ring 3 (ESP0), from ring 2/3 into ring 1 (ESP1),
 * and ring 3's own. */
uint8_t seg_istack[16384] __attribute__((aligned(16), used));
uint8_t seg_istack1[8192] __attribute__((aligned(16), used));
uint8_t seg_ustack[16384] __attribute__((aligned(16), used));
__asm__(".globl seg_istack_top, seg_istack1_top, seg_ustack_top\n"
        ".set seg_istack_top, seg_istack + 16384\n"
        ".set seg_istack1_top, seg_istack1 + 8192\n"
        ".set seg_ustack_top, seg_ustack + 16384\n");

volatile struct seg_trap_rec seg_trap;
volatile uint32_t seg_fixup, seg_try_start, seg_try_end;
seg_hook_fn seg_hook[256];
uint32_t seg_ring3_eflags = FL_1;
uint32_t seg_ring3_cs = SEL_UCODE, seg_ring3_ss = SEL_UDATA;

void seg_ring3_defaults(void)
{
    seg_ring3_eflags = FL_1;
    seg_ring3_cs = SEL_UCODE;
    seg_ring3_ss = SEL_UDATA;
}
volatile uint32_t seg_ring0_frame[5];
volatile uint32_t seg_ring0_esp, seg_ring0_ss;
volatile uint32_t seg_ring0_regs[4];

extern char seg_stubs[], seg_ring0_entry[];

/* GCC may emit calls to these even in freestanding code. */
__attribute__((weak)) void *memset(void *d, int c, unsigned long n)
{
    uint8_t *p = d;
    while (n--)
        *p++ = (uint8_t)c;
    return d;
}
__attribute__((weak)) void *memcpy(void *d, const void *s, unsigned long n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

uint64_t seg_make_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xffff)
         | (uint64_t)(base & 0xffffff) << 16
         | (uint64_t)access << 40
         | (uint64_t)((limit >> 16) & 0xf) << 48
         | (uint64_t)(flags & 0xf) << 52
         | (uint64_t)(base >> 24) << 56;
}

uint64_t seg_make_gate(uint16_t sel, uint32_t offset, uint8_t access, uint8_t count)
{
    return (uint64_t)(offset & 0xffff)
         | (uint64_t)sel << 16
         | (uint64_t)(count & 0x1f) << 32
         | (uint64_t)access << 40
         | (uint64_t)(offset >> 16) << 48;
}

void seg_set_gdt(int index, uint64_t desc) { seg_gdt[index] = desc; }
void seg_set_ldt(int index, uint64_t desc) { seg_ldt[index] = desc; }

void seg_set_idt(int vec, uint16_t sel, uint32_t offset, uint8_t access)
{
    seg_idt[vec] = seg_make_gate(sel, offset, access, 0);
}

uint32_t seg_stub_addr(int vec) { return (uint32_t)seg_stubs + 16u * (uint32_t)vec; }

void seg_default_idt(int vec, int dpl)
{
    seg_set_idt(vec, SEL_KCODE, seg_stub_addr(vec), (uint8_t)(D_P | D_DPL(dpl) | T_INT32));
}

void seg_ltr(uint16_t sel)
{
    seg_gdt[sel >> 3] &= ~((uint64_t)0x2 << 40);        /* busy -> available */
    __asm__ volatile("ltr %0" : : "rm"(sel) : "memory");
}

void seg_set_tss_limit(uint32_t limit)
{
    seg_gdt[SEL_TSS >> 3] = seg_make_desc((uint32_t)&seg_tss, limit, D_P | T_TSS32, 0);
    seg_ltr(SEL_TSS);
}

static void load_gdtr_idtr(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } g, i;
    g.limit = sizeof seg_gdt - 1;
    g.base = (uint32_t)seg_gdt;
    i.limit = sizeof seg_idt - 1;
    i.base = (uint32_t)seg_idt;
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp %1, $1f\n"
                     "1:\tmovw %w2, %%ds\n\t"
                     "movw %w2, %%es\n\t"
                     "movw %w2, %%fs\n\t"
                     "movw %w2, %%gs\n\t"
                     "movw %w2, %%ss\n\t"
                     "lidt %3"
                     : : "m"(g), "i"(SEL_KCODE), "r"(SEL_KDATA), "m"(i) : "memory");
}

void seg_init(void)
{
    outb(0x21, 0xff);               /* mask every PIC input: no IRQ reaches the IDT */
    outb(0xa1, 0xff);

    seg_gdt[0] = 0;
    seg_gdt[SEL_KCODE >> 3] = seg_make_desc(0, 0xfffff, D_CODE_XR, F_G | F_DB);
    seg_gdt[SEL_KDATA >> 3] = seg_make_desc(0, 0xfffff, D_DATA_RW, F_G | F_DB);
    seg_gdt[SEL_UCODE >> 3] = seg_make_desc(0, 0xfffff, D_CODE_XR | D_DPL(3), F_G | F_DB);
    seg_gdt[SEL_UDATA >> 3] = seg_make_desc(0, 0xfffff, D_DATA_RW | D_DPL(3), F_G | F_DB);
    seg_gdt[SEL_TSS >> 3] = seg_make_desc((uint32_t)&seg_tss, TSS32_SIZE - 1, D_P | T_TSS32, 0);
    seg_gdt[SEL_LDT >> 3] = seg_make_desc((uint32_t)seg_ldt, sizeof seg_ldt - 1, D_P | T_LDT, 0);
    seg_gdt[SEL_K1CODE >> 3] = seg_make_desc(0, 0xfffff, D_CODE_XR | D_DPL(1), F_G | F_DB);
    seg_gdt[SEL_K1DATA >> 3] = seg_make_desc(0, 0xfffff, D_DATA_RW | D_DPL(1), F_G | F_DB);

    for (int v = 0; v < 256; v++)
        seg_default_idt(v, 0);
    seg_set_idt(SEG_VEC_RING0, SEL_KCODE, (uint32_t)seg_ring0_entry, D_P | D_DPL(3) | T_INT32);
    load_gdtr_idtr();

    seg_tss.t.ss0 = SEL_KDATA;
    seg_tss.t.esp0 = (uint32_t)seg_istack_top;
    seg_tss.t.ss1 = SEL_K1DATA;
    seg_tss.t.esp1 = (uint32_t)seg_istack1_top;
    seg_tss.t.iomap = (uint16_t)__builtin_offsetof(struct seg_main_tss, iomap);
    for (unsigned i = 0; i < sizeof seg_tss.iomap; i++)
        seg_tss.iomap[i] = 0xff;
    seg_ltr(SEL_TSS);
    __asm__ volatile("lldt %0" : : "rm"((uint16_t)SEL_LDT) : "memory");
    seg_ring3_defaults();
}

/* Called by seg_common (seg_asm.S) for every vector except SEG_VEC_RING0. */
void seg_trap_handler(struct seg_frame *f);
void seg_trap_handler(struct seg_frame *f)
{
    seg_trap.count++;
    seg_trap.vector = f->vector;
    seg_trap.err = f->err == SEG_NOERR ? SEG_NOERR : (f->err & 0xffff);
    seg_trap.eip = f->eip;
    seg_trap.cs = f->cs & 0xffff;
    seg_trap.eflags = f->eflags;
    if (f->cs & 3) {                /* from an outer ring: SS:ESP pushed too */
        seg_trap.esp = f->esp;
        seg_trap.ss = f->ss & 0xffff;
    } else {
        seg_trap.esp = 0;
        seg_trap.ss = 0;
    }
    seg_trap.handler_esp = (uint32_t)&f->eip;
    seg_trap.ds = (uint16_t)f->ds;
    seg_trap.es = (uint16_t)f->es;
    seg_trap.fs = (uint16_t)f->fs;
    seg_trap.gs = (uint16_t)f->gs;

    if (seg_hook[f->vector]) {
        seg_hook[f->vector](f);
        return;
    }
    if (seg_fixup) {
        f->eip = seg_fixup;
        seg_fixup = 0;
        return;
    }
    kputs("unexpected exception: vector ");
    kputhex(f->vector);
    kputs(" error ");
    kputhex(f->err);
    kputs(" at ");
    kputhex(f->cs & 0xffff);
    kputc(':');
    kputhex(f->eip);
    kputc('\n');
    kexit(1);
}

static void expect(const char *file, int line, const char *what, uint32_t vector,
                   uint32_t err, uint32_t cs, uint32_t eip)
{
    if (seg_trap.count != 1) {
        kfail(file, line, what, seg_trap.count, 1);
        kputs("    (number of exceptions)\n");
        return;
    }
    if (seg_trap.vector != vector) {
        kfail(file, line, what, seg_trap.vector, vector);
        kputs("    (vector)\n");
    }
    if (seg_trap.err != err) {
        kfail(file, line, what, seg_trap.err, err);
        kputs("    (error code)\n");
    }
    if (seg_trap.cs != cs) {
        kfail(file, line, what, seg_trap.cs, cs);
        kputs("    (pushed CS)\n");
    }
    if (seg_trap.eip != eip) {
        kfail(file, line, what, seg_trap.eip, eip);
        kputs("    (pushed EIP)\n");
    }
}

void seg_expect_fault_cs(const char *file, int line, const char *what,
                         uint32_t vector, uint32_t err, uint32_t cs)
{
    expect(file, line, what, vector, err, cs, seg_try_start);
}

void seg_expect_trap_cs(const char *file, int line, const char *what,
                        uint32_t vector, uint32_t err, uint32_t cs)
{
    expect(file, line, what, vector, err, cs, seg_try_end);
}

void seg_expect_none(const char *file, int line, const char *what)
{
    if (seg_trap.count != 0) {
        kfail(file, line, what, seg_trap.vector, SEG_NOERR);
        kputs("    (unexpected exception: got=vector; error ");
        kputhex(seg_trap.err);
        kputs(")\n");
    }
}
