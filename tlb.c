/*
 * tlb.c - guest physical memory and the softmmu TLB.
 *
 * Physical memory map (docs/memory.md):
 *   0 .. 0x9FFFF and 1 MiB .. ram_size   RAM: one host mapping, host = ram + phys
 *   0xA0000 .. 0xFFFFF                   unassigned, except the BIOS ROM alias:
 *                                         its last 128 KiB (or all of it) end at 0xFFFFF
 *   4 GiB - rom_size .. 4 GiB            the whole BIOS image
 *   everything else                      unassigned: reads all-ones, writes ignored
 * The A20 gate masks bit 20 of every physical address when off.
 *
 * The TLB (CPU.tlb) maps a virtual page to a host address.  Translated code
 * looks it up inline (translate.c, gen_tlb_lookup); this file fills it and
 * runs the slow paths: TLB misses, page-crossing accesses, ROM writes,
 * unassigned/MMIO accesses and writes to pages holding translated code
 * (self-modifying code: the TBs are invalidated before the write lands).
 *
 * Paging is not implemented yet: virtual = linear = physical (A20 aside).
 *
 * Threads and locks: each vCPU thread owns its CPU.tlb.  tlb_watch_page
 * touches every CPU's TLB; with a single vCPU thread that needs no lock yet
 * (the threads issue makes it an atomic update of tag_write).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm.h"

static uint8_t *ram;
static uint32_t ram_size;
static uint8_t *rom;
static uint32_t rom_size, rom_low_size;

#define LOW_HOLE_START 0xa0000u
#define LOW_HOLE_END   0x100000u

void mem_init(Machine *m)
{
    ram_size = m->ram_size;
    ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        fprintf(stderr, "vm: cannot allocate %u MiB of guest RAM\n", ram_size >> 20);
        exit(2);
    }
    m->ram = ram;
    rom = m->rom;
    rom_size = m->rom_size;
    rom_low_size = rom_size < 0x20000 ? rom_size : 0x20000;
}

/* Host pointer to RAM at physical addr, or NULL if addr is not RAM. */
uint8_t *phys_ram_ptr(uint32_t addr)
{
    if (addr >= ram_size || (addr >= LOW_HOLE_START && addr < LOW_HOLE_END))
        return NULL;
    return ram + addr;
}

/* Host pointer to the BIOS ROM at physical addr, or NULL. */
static uint8_t *phys_rom_ptr(uint32_t addr)
{
    if (addr >= 0u - rom_size)
        return rom + (addr - (0u - rom_size));
    if (addr < LOW_HOLE_END && addr >= LOW_HOLE_END - rom_low_size)
        return rom + rom_size - (LOW_HOLE_END - addr);
    return NULL;
}

/* Read `size` bytes (1, 2 or 4, within one page) of physical memory. */
uint32_t phys_read(uint32_t addr, int size)
{
    uint8_t *h = phys_ram_ptr(addr);
    if (!h)
        h = phys_rom_ptr(addr);
    if (!h)
        return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    uint32_t v = 0;
    memcpy(&v, h, (size_t)size);
    return v;
}

/* Write physical memory; ROM and unassigned addresses ignore writes. */
void phys_write(uint32_t addr, uint32_t value, int size)
{
    uint8_t *h = phys_ram_ptr(addr);
    if (h)
        memcpy(h, &value, (size_t)size);
}

/* ---- TLB ------------------------------------------------------------------- */

void tlb_flush(CPU *cpu)
{
    for (int i = 0; i < TLB_SIZE; i++) {
        TLBEntry *e = &cpu->tlb[i];
        e->tag_read = e->tag_write = e->tag_code = 0xffffffffu;
        e->phys = 0xffffffffu;
        e->addend = 0;
    }
    memset(cpu->jc, 0, sizeof(cpu->jc));
}

static TLBEntry *tlb_entry(CPU *cpu, uint32_t addr)
{
    return &cpu->tlb[(addr >> PAGE_BITS) & (TLB_SIZE - 1)];
}

/* Translate a linear address to physical (paging comes later). */
static uint32_t tlb_translate(CPU *cpu, uint32_t linear)
{
    return linear & cpu->a20_mask;
}

/* Fill the TLB entry for the page of `linear`. */
static TLBEntry *tlb_fill(CPU *cpu, uint32_t linear)
{
    uint32_t page = linear & PAGE_MASK;
    uint32_t phys = tlb_translate(cpu, page);
    TLBEntry *e = tlb_entry(cpu, page);
    uint8_t *h = phys_ram_ptr(phys);
    e->phys = phys;
    if (h) {
        e->tag_read = e->tag_code = page;
        e->tag_write = page | (tb_page_has_code(phys) ? TLB_WATCH : 0);
        e->addend = (uintptr_t)h - page;
    } else if ((h = phys_rom_ptr(phys)) != NULL) {
        e->tag_read = e->tag_code = page;
        e->tag_write = page | TLB_ROM;
        e->addend = (uintptr_t)h - page;
    } else {
        e->tag_read = e->tag_code = e->tag_write = page | TLB_MMIO;
        e->addend = 0;
    }
    return e;
}

/* Entry for linear's page valid for a read or a write. */
static TLBEntry *tlb_get(CPU *cpu, uint32_t linear, int is_write)
{
    uint32_t page = linear & PAGE_MASK;
    TLBEntry *e = tlb_entry(cpu, page);
    uint32_t tag = is_write ? e->tag_write : e->tag_read;
    if ((tag & PAGE_MASK) != page || (tag & TLB_INVALID))
        e = tlb_fill(cpu, linear);
    return e;
}

/* Mark every TLB write entry of physical page `phys_page` as watched, so
 * the next guest write to it takes the slow path (the page holds code now). */
void tlb_watch_page(uint32_t phys_page)
{
    for (int c = 0; c < machine.ncpus; c++) {
        CPU *cpu = machine.cpus[c];
        for (int i = 0; i < TLB_SIZE; i++) {
            TLBEntry *e = &cpu->tlb[i];
            if (e->phys == phys_page && !(e->tag_write & (TLB_INVALID | TLB_MMIO | TLB_ROM)))
                e->tag_write |= TLB_WATCH;
        }
    }
}

/* The page has no code any more: let writes take the fast path again. */
void tlb_unwatch_page(CPU *cpu, uint32_t phys_page)
{
    (void)cpu;
    for (int c = 0; c < machine.ncpus; c++) {
        CPU *other = machine.cpus[c];
        for (int i = 0; i < TLB_SIZE; i++) {
            TLBEntry *e = &other->tlb[i];
            if (e->phys == phys_page && (e->tag_write & TLB_WATCH))
                e->tag_write &= ~TLB_WATCH;
        }
    }
}

/* Host pointer to the code page at linear page address `linear` (NULL
 * when it is not RAM or ROM: such code reads as all-ones); *phys gets
 * its physical address. */
uint8_t *tlb_code_ptr(CPU *cpu, uint32_t linear, uint32_t *phys)
{
    TLBEntry *e = tlb_get(cpu, linear, 0);
    *phys = e->phys;
    if (e->tag_code & TLB_MMIO)
        return NULL;
    return (uint8_t *)(e->addend + (linear & PAGE_MASK));
}

/* ---- Self-modifying code ------------------------------------------------------ */

/* A write to physical [phys, phys+size) of a page holding code: throw the
 * TBs there away first.  If the running TB was one of them and the
 * current instruction is not its last, the rest of that TB is stale: go
 * back to cpu_exec and run the instruction again in a TB of its own (the
 * write has not happened yet, so nothing is done twice). */
static void smc_write(CPU *cpu, uint32_t phys, int size)
{
    if (!tb_page_has_code(phys & PAGE_MASK))
        return;
    TB *tb = cpu->cur_tb;
    int hit = tb_invalidate_phys_range(cpu, phys, phys + (uint32_t)size);
    if (!tb_page_has_code(phys & PAGE_MASK))
        tlb_unwatch_page(cpu, phys & PAGE_MASK);
    if (hit && tb->ninsns > 1 && cpu->eip != tb->last_eip) {
        cpu->single_insn = 1;
        cpu->exc_vector = -1;
        siglongjmp(cpu->jmp_env, 1);
    }
}

/* ---- Byte-level access through the TLB (slow paths and helpers) --------------- */

static uint8_t read_byte(CPU *cpu, uint32_t linear)
{
    TLBEntry *e = tlb_get(cpu, linear, 0);
    if (e->tag_read & TLB_MMIO)
        return (uint8_t)phys_read(e->phys | (linear & ~PAGE_MASK), 1);
    return *(uint8_t *)(e->addend + linear);
}

static void write_byte(CPU *cpu, uint32_t linear, uint8_t v)
{
    TLBEntry *e = tlb_get(cpu, linear, 1);
    uint32_t phys = e->phys | (linear & ~PAGE_MASK);
    if (e->tag_write & (TLB_MMIO | TLB_ROM)) {
        if (e->tag_write & TLB_MMIO)
            phys_write(phys, v, 1);
        return;
    }
    *(uint8_t *)(e->addend + linear) = v;
}

/* Make sure every page of [linear, linear+size) is mapped for `is_write`
 * before touching any of it, so a fault leaves memory unchanged.  For
 * writes, also run the self-modifying-code check on each piece. */
static void prepare_access(CPU *cpu, uint32_t linear, int size, int is_write)
{
    uint32_t last = linear + (uint32_t)size - 1;
    TLBEntry *e = tlb_get(cpu, linear, is_write);
    if ((last & PAGE_MASK) != (linear & PAGE_MASK))
        tlb_get(cpu, last, is_write);
    if (!is_write)
        return;
    uint32_t first_len = (linear & PAGE_MASK) == (last & PAGE_MASK) ?
                         (uint32_t)size : PAGE_SIZE - (linear & ~PAGE_MASK);
    if (!(e->tag_write & (TLB_MMIO | TLB_ROM)))
        smc_write(cpu, e->phys | (linear & ~PAGE_MASK), (int)first_len);
    if (first_len < (uint32_t)size) {
        TLBEntry *e2 = tlb_get(cpu, last, 1);
        if (!(e2->tag_write & (TLB_MMIO | TLB_ROM)))
            smc_write(cpu, e2->phys, (int)((uint32_t)size - first_len));
    }
}

/* Read `size` bytes at a linear address (any alignment, any page). */
uint32_t mem_read(CPU *cpu, uint32_t linear, int size)
{
    uint32_t page = linear & PAGE_MASK;
    if (((linear + (uint32_t)size - 1) & PAGE_MASK) == page) {
        TLBEntry *e = tlb_get(cpu, linear, 0);
        if (!(e->tag_read & TLB_MMIO)) {
            uint32_t v = 0;
            memcpy(&v, (void *)(e->addend + linear), (size_t)size);
            return v;
        }
        return phys_read(e->phys | (linear & ~PAGE_MASK), size);
    }
    prepare_access(cpu, linear, size, 0);
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)read_byte(cpu, linear + (uint32_t)i) << (8 * i);
    return v;
}

/* Write `size` bytes at a linear address. */
void mem_write(CPU *cpu, uint32_t linear, uint32_t value, int size)
{
    prepare_access(cpu, linear, size, 1);
    uint32_t page = linear & PAGE_MASK;
    if (((linear + (uint32_t)size - 1) & PAGE_MASK) == page) {
        TLBEntry *e = tlb_get(cpu, linear, 1);
        if (!(e->tag_write & (TLB_MMIO | TLB_ROM))) {
            memcpy((void *)(e->addend + linear), &value, (size_t)size);
            return;
        }
        if (e->tag_write & TLB_MMIO)
            phys_write(e->phys | (linear & ~PAGE_MASK), value, size);
        return;
    }
    for (int i = 0; i < size; i++)
        write_byte(cpu, linear + (uint32_t)i, (uint8_t)(value >> (8 * i)));
}

/* ---- Slow paths called from translated code ---------------------------------- */

/* A memory operand that missed the inline fast path.  Translated code runs
 * the guest instruction itself on CPU.rmw_buf: begin checks the whole
 * access (so a fault happens before anything changes), runs the
 * self-modifying-code check for writes, and reads the operand unless the
 * instruction only writes it (a device must not see a read it never got);
 * for writes, end stores the buffer. */
uint8_t *tlb_access_begin(CPU *cpu, uint32_t addr, int size, int mode)
{
    uint32_t v = 0;
    if (mode != MEM_ACCESS_READ)
        prepare_access(cpu, addr, size, 1);
    if (mode != MEM_ACCESS_WRITE)
        v = mem_read(cpu, addr, size);
    memcpy(cpu->rmw_buf, &v, sizeof(v));
    cpu->rmw_addr = addr;
    cpu->rmw_size = size;
    return cpu->rmw_buf;
}

void tlb_access_end(CPU *cpu)
{
    uint32_t v;
    memcpy(&v, cpu->rmw_buf, sizeof(v));
    mem_write(cpu, cpu->rmw_addr, v, cpu->rmw_size);
}

/* Host pointer to [linear, linear+len) when all of it is plain RAM (or ROM,
 * for reads) on one page and, for writes, holds no translated code; NULL
 * otherwise (the caller then takes the byte-by-byte path).  Used by the
 * bulk paths of string instructions. */
uint8_t *tlb_host_range(CPU *cpu, uint32_t linear, uint32_t len, int is_write)
{
    if (len == 0 || ((linear + len - 1) & PAGE_MASK) != (linear & PAGE_MASK))
        return NULL;
    TLBEntry *e = tlb_get(cpu, linear, is_write);
    uint32_t tag = is_write ? e->tag_write : e->tag_read;
    if (tag & (TLB_MMIO | TLB_ROM | TLB_WATCH | TLB_INVALID))
        return NULL;
    return (uint8_t *)(e->addend + linear);
}
