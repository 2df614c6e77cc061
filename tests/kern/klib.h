/* klib.h - the little runtime of guest test kernels: port I/O, COM1
 * output, the debug exit, and check macros.  Guest tests are 32-bit
 * freestanding C; see tests/kern/start.S for how they start. */
#ifndef KLIB_H
#define KLIB_H

#include <stdint.h>

#define MULTIBOOT_LOADER_MAGIC 0x2BADB002u

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint64_t rdtsc(void)     /* vm's TSC counts nanoseconds */
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* A shared IDT for kernels that need only a few interrupt handlers:
 * kset_intr_gate fills a 32-bit ring-0 interrupt gate (code selector 0x08)
 * and kload_idt loads the table (each CPU loads it once). */
void kset_intr_gate(int vec, void (*fn)(void));
void kload_idt(void);

void kputc(char c);
void kputs(const char *s);
void kputhex(uint32_t v);           /* 8 hex digits */
void kputdec(uint32_t v);
void kexit(int code) __attribute__((noreturn));   /* debug exit: status (code << 1) | 1 */

extern int kfailures;

/* Count and report a failed check (the test keeps going). */
void kfail(const char *file, int line, const char *what, uint32_t got, uint32_t want);
#define CHECK_EQ(got, want, what) do { uint32_t g_ = (uint32_t)(got), w_ = (uint32_t)(want); \
    if (g_ != w_) kfail(__FILE__, __LINE__, (what), g_, w_); } while (0)
#define CHECK(cond, what) do { if (!(cond)) kfail(__FILE__, __LINE__, (what), 0, 1); } while (0)

/* End of a test: print the verdict and return the value kmain returns. */
int kdone(const char *name);

#endif
