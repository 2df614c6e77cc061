/* klib.c - COM1 output, the debug exit and check reporting for guest test
 * kernels (see klib.h). */
#include "klib.h"

int kfailures;

void kputc(char c)
{
    while (!(inb(0x3fd) & 0x20))    /* wait for the transmitter */
        ;
    outb(0x3f8, (uint8_t)c);
}

void kputs(const char *s)
{
    while (*s)
        kputc(*s++);
}

void kputhex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        kputc("0123456789abcdef"[(v >> i) & 15]);
}

void kputdec(uint32_t v)
{
    char buf[12];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        kputc(buf[--n]);
}

void kexit(int code)
{
    outb(0xf4, (uint8_t)code);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void kfail(const char *file, int line, const char *what, uint32_t got, uint32_t want)
{
    kfailures++;
    kputs("FAIL ");
    kputs(file);
    kputc(':');
    kputdec((uint32_t)line);
    kputs(": ");
    kputs(what);
    kputs(" got=");
    kputhex(got);
    kputs(" want=");
    kputhex(want);
    kputc('\n');
}

int kdone(const char *name)
{
    kputs(name);
    kputs(kfailures ? ": FAILED\n" : ": PASS\n");
    return kfailures ? 1 : 0;
}

static uint64_t kidt[256];

void kset_intr_gate(int vec, void (*fn)(void))
{
    uint32_t off = (uint32_t)fn;
    kidt[vec] = (uint64_t)(off & 0xffff) | ((uint64_t)0x08 << 16) |
                ((uint64_t)0x8e00 << 32) | ((uint64_t)(off >> 16) << 48);
}

void kload_idt(void)
{
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr = {
        sizeof(kidt) - 1, (uint32_t)kidt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}
