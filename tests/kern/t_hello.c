/* t_hello: the smallest multiboot test kernel: checks the loader's
 * handshake (EAX magic, EBX info with the memory fields and a command
 * line pointer, flat 32-bit segments) and reports through COM1. */
#include "klib.h"

int kmain(uint32_t magic, uint32_t *info)
{
    CHECK_EQ(magic, MULTIBOOT_LOADER_MAGIC, "EAX holds the multiboot magic");
    CHECK(info[0] & 1, "info.flags: mem_lower/mem_upper present");
    CHECK(info[1] >= 400 && info[1] <= 640, "mem_lower in KiB");
    CHECK(info[2] >= 1024, "mem_upper in KiB");
    uint16_t cs, ds;
    __asm__ volatile("mov %%cs, %0; mov %%ds, %1" : "=r"(cs), "=r"(ds));
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    CHECK(cr0 & 1, "CR0.PE set");
    CHECK(!(cr0 & 0x80000000u), "paging off");
    return kdone("t_hello");
}
