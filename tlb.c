/*
 * tlb.c - guest physical memory and the softmmu TLB.
 *
 * Physical memory map (docs/memory.md):
 *   0 .. 0x9FFFF and 1 MiB .. ram_size   RAM: one host mapping, host = ram + phys
 *   0xA0000 .. 0xFFFFF                   unassigned, except the BIOS ROM alias:
 *                                         its last 128 KiB (or all of it) end at 0xFFFFF
 *   4 GiB - rom_size .. 4 GiB            the whole BIOS image
 *   0xFEC00000, 0xFEE00000 (APIC base)   IO-APIC, each vCPU's local APIC page
 *   everything else                      unassigned: reads all-ones, writes ignored
 * The A20 gate masks bit 20 of every physical address when off.
 *
 * The TLB (CPU.tlb) maps a virtual page to a host address.  Translated code
 * reaches memory through the vCPU's views (view.c), which map only pages
 * this TLB let through, or with views off looks the TLB up inline
 * (translate.c, gen_tlb_lookup); this file fills it and runs the slow
 * paths, where a view's host fault lands too: TLB misses, page-crossing
 * accesses, ROM writes, unassigned/MMIO accesses and writes to pages
 * holding translated code (self-modifying code: the TBs are invalidated
 * before the write lands),
 * and accesses to pages with gdb watchpoints (TLB_DEBUG: the slow path
 * looks for a hit, and the machine stops after the instruction).  A page
 * group's check that misses (several operands under one lookup,
 * translate.c) comes to tlb_group_host, which fills without faulting.
 *
 * With CR0.PG the TLB caches the two-level page walk (4 KiB and 4 MiB
 * pages, global pages, accessed/dirty bits, U/S and R/W with CR0.WP);
 * there are two TLBs per CPU, for user (CPL 3) and supervisor accesses.
 *
 * Threads and locks: each vCPU thread owns its CPU.tlb; tlb_watch_page,
 * which touches every vCPU's TLB, runs with the others stopped (an
 * exclusive section).  The memory map is read without a lock by every
 * vCPU, in RCU read-side sections, and replaced under the BQL
 * (memory_map_update); MMIO handlers run under the BQL.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm.h"

static uint8_t *ram;
static uint32_t ram_size;
static uint8_t *rom;
static uint32_t rom_size, rom_low_size;
static void ram_regions_init(void);

#define LOW_HOLE_START 0xa0000u
#define LOW_HOLE_END   0x100000u

void mem_init(Machine *m)
{
    ram_size = m->ram_size;
    ram = view_mem_alloc(ram_size, &m->rom, m->rom_size);  /* a memfd, for views */
    if (!ram)
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
    ram_regions_init();
}

/* ---- The physical memory map (read under RCU) ----------------------------------- */

/* What each physical address is, as a short list of regions searched in
 * order (the first that matches wins, so device pages sit on top of RAM).
 * The local APIC's page is per vCPU: its region names the vCPUs whose
 * APIC base is there, and it matches only for them.  TLB fills and slow
 * paths on every vCPU read the map without a lock, in an RCU read-side
 * section; a change (a vCPU moves or disables its APIC) builds a new map
 * under the BQL, publishes it with one pointer store and frees the old one
 * with call_rcu, once no reader can hold it.  Then every TLB is flushed,
 * since its entries classified pages with the old map. */
enum { MR_RAM, MR_ROM, MR_APIC, MR_IOAPIC };

typedef struct MemRegion {
    uint32_t start, last;           /* [start, last], inclusive */
    int kind;
    uint8_t *host;                  /* RAM, ROM: host address of start */
    uint32_t cpus;                  /* MR_APIC: bit i set for vCPU i */
} MemRegion;

#define MEM_MAX_REGIONS (MAX_CPUS + 6)

typedef struct MemoryMap {
    RCUHead rcu;
    int devices_on_ram;
    int n;
    MemRegion r[MEM_MAX_REGIONS];
} MemoryMap;

static MemoryMap *memory_map;
static int map_devices_on_ram;          /* the published map puts a device on RAM */

static void map_add(MemoryMap *m, uint32_t start, uint32_t last, int kind, uint8_t *host,
                    uint32_t cpus)
{
    m->r[m->n++] = (MemRegion){ start, last, kind, host, cpus };
}

static void map_add_apics(MemoryMap *m)
{
    for (int i = 0; i < machine.ncpus; i++) {
        uint64_t base = apic_get_base(i);
        uint32_t page = (uint32_t)base & PAGE_MASK;
        if (!(base & 0x800) || (base >> 32))
            continue;                       /* disabled, or above 4 GiB */
        int j = 0;
        while (j < m->n && !(m->r[j].kind == MR_APIC && m->r[j].start == page))
            j++;
        if (j < m->n)
            m->r[j].cpus |= 1u << i;
        else
            map_add(m, page, page + PAGE_SIZE - 1, MR_APIC, NULL, 1u << i);
    }
}

/* RAM, as mem_init found it: above 1 MiB first (most lookups), then base
 * memory.  It never moves, so it is read without a read-side section. */
static MemRegion ram_regions[2];
static int n_ram_regions;

static void ram_regions_init(void)
{
    if (ram_size > LOW_HOLE_END)
        ram_regions[n_ram_regions++] =
            (MemRegion){ LOW_HOLE_END, ram_size - 1, MR_RAM, ram + LOW_HOLE_END, 0 };
    ram_regions[n_ram_regions++] =
        (MemRegion){ 0, (ram_size < LOW_HOLE_START ? ram_size : LOW_HOLE_START) - 1, MR_RAM, ram, 0 };
}

/* The RAM region holding addr, if any. */
static int ram_region_find(uint32_t addr, MemRegion *out)
{
    for (int i = 0; i < n_ram_regions; i++)
        if (addr >= ram_regions[i].start && addr <= ram_regions[i].last) {
            *out = ram_regions[i];
            return 1;
        }
    return 0;
}

static void map_append(MemoryMap *m, const MemRegion *r, int n)
{
    memcpy(&m->r[m->n], r, (size_t)n * sizeof(*r));
    m->n += n;
}

/* Build the map from the machine as it is now.  Searched in order, device
 * pages come before RAM where they lie on it; else RAM comes first. */
static MemoryMap *memory_map_build(void)
{
    MemoryMap dev = { .n = 0 };
    map_add_apics(&dev);
    map_add(&dev, IOAPIC_DEFAULT_BASE, IOAPIC_DEFAULT_BASE + PAGE_SIZE - 1, MR_IOAPIC, NULL, 0);
    MemoryMap *m = calloc(1, sizeof(*m));
    if (!m) {
        fprintf(stderr, "vm: out of memory\n");
        exit(2);
    }
    for (int i = 0; i < dev.n; i++)
        for (int j = 0; j < n_ram_regions; j++)
            if (dev.r[i].start <= ram_regions[j].last && ram_regions[j].start <= dev.r[i].last)
                m->devices_on_ram = 1;
    if (m->devices_on_ram)
        map_append(m, dev.r, dev.n);
    map_append(m, ram_regions, n_ram_regions);
    if (!m->devices_on_ram)             /* RAM first: most lookups are RAM */
        map_append(m, dev.r, dev.n);
    if (rom_size) {
        map_add(m, LOW_HOLE_END - rom_low_size, LOW_HOLE_END - 1, MR_ROM,
                rom + rom_size - rom_low_size, 0);
        map_add(m, 0u - rom_size, 0xffffffffu, MR_ROM, rom, 0);
    }
    return m;
}

static void memory_map_free(RCUHead *head)
{
    free((MemoryMap *)head);            /* rcu is the first member */
}

static void tlb_flush_work(CPU *cpu, void *data)
{
    (void)data;
    tlb_flush(cpu);
}

/* The machine changed what some physical page is: publish a new map, and
 * make every vCPU's TLB forget the old one (the caller's at once, the
 * others' at their next block boundary).  BQL held. */
void memory_map_update(void)
{
    MemoryMap *old = memory_map;
    if (!old)
        return;                         /* memory_map_init builds the first one */
    MemoryMap *m = memory_map_build();
    __atomic_store_n(&memory_map, m, __ATOMIC_RELEASE);
    __atomic_store_n(&map_devices_on_ram, m->devices_on_ram, __ATOMIC_RELAXED);
    if (old)
        call_rcu(&old->rcu, memory_map_free);
    for (int i = 0; i < machine.ncpus; i++) {
        CPU *cpu = machine.cpus[i];
        if (cpu == current_cpu)
            tlb_flush(cpu);
        else
            async_run_on_cpu(cpu, tlb_flush_work, NULL);
    }
}

/* The first map, once the vCPUs and their APICs exist.  BQL held. */
void memory_map_init(void)
{
    memory_map = memory_map_build();
    map_devices_on_ram = memory_map->devices_on_ram;
}

/* The region holding physical addr, as the calling vCPU sees it (copied
 * out of the read-side section); 0 if nothing is there. */
static int memory_map_find(uint32_t addr, MemRegion *out)
{
    /* The fast path: RAM, while no device lies on it.  RAM never moves,
     * so it needs no read-side section.  A reader racing with an update
     * that puts a device there acts as if it came just before it. */
    if (!__atomic_load_n(&map_devices_on_ram, __ATOMIC_RELAXED) && ram_region_find(addr, out))
        return 1;
    int self = current_cpu ? current_cpu->index : 0, found = 0;
    rcu_read_lock();
    const MemoryMap *m = __atomic_load_n(&memory_map, __ATOMIC_ACQUIRE);
    for (int i = 0; i < m->n && !found; i++) {
        const MemRegion *r = &m->r[i];
        if (addr >= r->start && addr <= r->last &&
            (r->kind != MR_APIC || (r->cpus >> self & 1))) {
            *out = *r;
            found = 1;
        }
    }
    rcu_read_unlock();
    return found;
}

/* Host pointer for addr if it is in RAM or ROM, else NULL. */
static uint8_t *region_host(const MemRegion *r, uint32_t addr)
{
    return r->kind == MR_RAM || r->kind == MR_ROM ? r->host + (addr - r->start) : NULL;
}

/* Host pointer to RAM at physical addr, or NULL if addr is not RAM. */
uint8_t *phys_ram_ptr(uint32_t addr)
{
    MemRegion r;
    if (!memory_map_find(addr, &r) || r.kind != MR_RAM)
        return NULL;
    return region_host(&r, addr);
}

/* ---- MMIO: the local APIC page and the IO-APIC ------------------------------ */

/* A dword of a device's register page, under the BQL (taken here unless
 * the caller holds it). */
static uint32_t mmio_read32(const MemRegion *r, uint32_t addr)
{
    int locked = bql_locked();
    if (!locked)
        bql_lock();
    uint32_t off = (addr - r->start) & ~3u, v;
    if (r->kind == MR_APIC)
        v = apic_mmio_read(current_cpu ? current_cpu->index : 0, off);
    else
        v = ioapic_mmio_read(off);
    if (!locked)
        bql_unlock();
    return v;
}

static void mmio_write32(const MemRegion *r, uint32_t addr, uint32_t v)
{
    int locked = bql_locked();
    if (!locked)
        bql_lock();
    uint32_t off = (addr - r->start) & ~3u;
    if (r->kind == MR_APIC)
        apic_mmio_write(current_cpu ? current_cpu->index : 0, off, v);
    else
        ioapic_mmio_write(off, v);
    if (!locked)
        bql_unlock();
}

/* Read `size` bytes (1, 2 or 4, within one page) of physical memory. */
uint32_t phys_read(uint32_t addr, int size)
{
    uint32_t ones = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    MemRegion r;
    if (!memory_map_find(addr, &r)) {
        if (log_mask & LOG_GUEST_ERRORS)
            log_printf("guest_errors: read of unassigned physical %08x\n", addr);
        return ones;
    }
    uint8_t *h = region_host(&r, addr);
    if (!h)                             /* narrower reads extract from the dword */
        return (mmio_read32(&r, addr) >> (8 * (addr & 3))) & ones;
    uint32_t v = 0;
    if (size == 4)
        memcpy(&v, h, 4);               /* constant sizes: inline moves */
    else if (size == 2)
        memcpy(&v, h, 2);
    else
        v = *h;
    return v;
}

/* Write physical memory; ROM and unassigned addresses ignore writes. */
void phys_write(uint32_t addr, uint32_t value, int size)
{
    MemRegion r;
    int found = memory_map_find(addr, &r);
    if (!found || r.kind == MR_ROM) {
        if (log_mask & LOG_GUEST_ERRORS)
            log_printf("guest_errors: write of %0*x to %s physical %08x ignored\n", size * 2,
                       value, found ? "ROM at" : "unassigned", addr);
        return;
    }
    if (r.kind == MR_RAM)
        memcpy(region_host(&r, addr), &value, (size_t)size);
    else if (size == 4 && !(addr & 3))
        mmio_write32(&r, addr, value);  /* the APIC registers take whole dwords */
}

/* ---- TLB ------------------------------------------------------------------- */

/* Which TLB an access uses: user (CPL 3) or supervisor.  Implicit
 * accesses to descriptor tables and the TSS are supervisor accesses. */
static int mmu_of(const CPU *cpu)
{
    return cpu->cpl == 3 ? MMU_USER : MMU_SUPER;
}

static void tlb_entry_clear(TLBEntry *e)
{
    e->tag_read = e->tag_write = e->tag_code = 0xffffffffu;
    e->phys = 0xffffffffu;
    e->addend = 0;
    e->global = 0;
}

static TLBEntry *tlb_entry(CPU *cpu, int mmu, uint32_t addr)
{
    return &cpu->tlb[mmu][(addr >> PAGE_BITS) & (TLB_SIZE - 1)];
}

/* Flush every entry (CR0/CR4 paging changes, A20), or only the non-global
 * ones (MOV CR3).  The jump cache goes too: it maps linear addresses. */
void tlb_flush(CPU *cpu)
{
    cpu->tlb_large = 0;
    for (int m = 0; m < NB_MMU; m++)
        for (int i = 0; i < TLB_SIZE; i++)
            tlb_entry_clear(&cpu->tlb[m][i]);
    cpu->tlb_nlocal = 0;
    view_flush(cpu);
    jc_clear(cpu);
}

/* Does a global TLB code entry (one that survives MOV CR3) map `page`? */
int tlb_code_global(CPU *cpu, uint32_t page, int mmu)
{
    const TLBEntry *e = tlb_entry(cpu, mmu, page);
    return (e->tag_code & PAGE_MASK) == page && !(e->tag_code & TLB_INVALID) &&
           (e->global & TLB_GLOBAL);
}

/* May a 4 MiB page map `page` for code: does a TLB code entry from one
 * map it, or none at all (then we cannot tell)? */
int tlb_code_maybe_large(CPU *cpu, uint32_t page, int mmu)
{
    const TLBEntry *e = tlb_entry(cpu, mmu, page);
    return (e->tag_code & PAGE_MASK) != page || (e->tag_code & TLB_INVALID) ||
           (e->global & TLB_FROM_LARGE);
}

/* MOV CR3.  Jump-cache entries of code on global pages stay, as those
 * pages' TLB entries do: the kernel's blocks need no new lookup after
 * every process switch (Linux maps its text global once CR4.PGE is on).
 * Only the entries filled since the last flush are looked at (Linux
 * switches CR3 some 16,000 times in a boot, most with little in between). */
void tlb_flush_nonglobal(CPU *cpu)
{
    if (cpu->tlb_nlocal > NB_MMU * TLB_SIZE) {
        for (int m = 0; m < NB_MMU; m++)
            for (int i = 0; i < TLB_SIZE; i++)
                if (!(cpu->tlb[m][i].global & TLB_GLOBAL))
                    tlb_entry_clear(&cpu->tlb[m][i]);
    } else {
        for (int k = 0; k < cpu->tlb_nlocal; k++) {
            unsigned n = cpu->tlb_local[k];
            TLBEntry *e = &cpu->tlb[n >> TLB_BITS][n & (TLB_SIZE - 1)];
            if (!(e->global & TLB_GLOBAL))
                tlb_entry_clear(e);
        }
    }
    cpu->tlb_nlocal = 0;
    view_flush_nonglobal(cpu);
    jc_flush_local(cpu);
}

/* INVLPG: forget the page of `linear` (global or not).  If a 4 MiB page
 * was ever cached, its 4 KiB pieces anywhere in the 4 MiB go too. */
void tlb_flush_page(CPU *cpu, uint32_t linear)
{
    uint32_t page = linear & PAGE_MASK, big = linear & 0xffc00000u;
    view_flush_page(cpu, linear, cpu->tlb_large);
    for (int m = 0; m < NB_MMU; m++) {
        TLBEntry *e = tlb_entry(cpu, m, page);
        if ((e->tag_read & PAGE_MASK) == page || (e->tag_write & PAGE_MASK) == page ||
            (e->tag_code & PAGE_MASK) == page)
            tlb_entry_clear(e);
        if (!cpu->tlb_large)
            continue;
        for (int i = 0; i < TLB_SIZE; i++) {
            e = &cpu->tlb[m][i];
            if ((e->global & TLB_FROM_LARGE) && (e->tag_code & 0xffc00000u) == big)
                tlb_entry_clear(e);
        }
    }
    jc_flush_page(cpu, linear);
}

/* The A20 gate (i8042 output port, port 0x92): when off, physical address
 * bit 20 is forced to 0, as on the 8086.  Each vCPU changes its own mask
 * and flushes its own TLB: the writer's at once, the others' at their next
 * block boundary (async_run_on_cpu).  BQL held. */
static void a20_apply(CPU *cpu, void *data)
{
    uint32_t mask = (uint32_t)(uintptr_t)data;
    if (cpu->a20_mask != mask) {
        cpu->a20_mask = mask;
        tlb_flush(cpu);
    }
}

void machine_set_a20(int enabled)
{
    uint32_t mask = enabled ? 0xffffffffu : ~(1u << 20);
    for (int i = 0; i < machine.ncpus; i++) {
        CPU *cpu = machine.cpus[i];
        if (cpu == current_cpu || machine.ncpus == 1)
            a20_apply(cpu, (void *)(uintptr_t)mask);
        else
            async_run_on_cpu(cpu, a20_apply, (void *)(uintptr_t)mask);
    }
}

/* ---- Page walk ----------------------------------------------------------------- */

/* Set bits in a paging-structure entry, atomically (another CPU may be
 * walking the same tables), only when they are not set yet. */
static void pte_set_bits(uint32_t addr, uint32_t pte, uint32_t bits)
{
    if ((pte & bits) == bits)
        return;
    uint8_t *h = phys_ram_ptr(addr);
    if (h)
        __atomic_fetch_or((uint32_t *)(void *)h, bits, __ATOMIC_SEQ_CST);
}

/* Read a paging-structure entry: atomically where it is RAM, as another
 * CPU may be setting its A or D bit (pte_set_bits) as this one walks. */
static uint32_t pte_read(uint32_t addr)
{
    uint8_t *h = phys_ram_ptr(addr);
    if (h && !(addr & 3))
        return __atomic_load_n((uint32_t *)(void *)h, __ATOMIC_RELAXED);
    return phys_read(addr, 4);
}

#define PF_RSVD 0x8         /* #PF error code: a reserved bit was set */

typedef struct Walk {
    uint32_t phys;          /* physical page address */
    int writable;           /* a write may go straight to the page */
    int global;
    int large;              /* part of a 4 MiB page */
} Walk;

/* Raise #PF for linear with the error code bits. */
static void page_fault(CPU *cpu, uint32_t linear, uint32_t error)
{
    if (log_mask & LOG_MMU)
        log_printf("mmu: #PF at linear %08x, error %x, eip %08x\n", linear, error, cpu->eip);
    cpu->cr[2] = linear;
    raise_exception_err(cpu, EXC_PF, error);
}

/* Translate linear for an access (ACC_READ/WRITE/FETCH) by the user or
 * supervisor (mmu), walking the two-level page tables (SDM Vol. 3, 4.3):
 * permission = the PDE's and PTE's U/S and R/W combined; supervisor
 * writes honour CR0.WP; the accessed bits are set on the way, the dirty
 * bit on a write.  Returns 0 and fills w, or raises #PF (raise) or returns
 * the error code | 0x100 (!raise). */
static uint32_t page_walk(CPU *cpu, uint32_t linear, int mmu, int acc, Walk *w, int raise)
{
    uint32_t a20 = cpu->a20_mask;
    int is_write = acc == ACC_WRITE, user = mmu == MMU_USER;
    /* 0x100 marks "faulted": a supervisor read of a not-present page has
     * error code 0 */
    uint32_t err_bits = 0x100u | (is_write ? 2u : 0) | (user ? 4u : 0);
    if (!(cpu->cr[0] & CR0_PG)) {
        w->phys = linear & PAGE_MASK & a20;
        w->writable = 1;
        w->global = w->large = 0;
        return 0;
    }
    uint32_t pde_addr = ((cpu->cr[3] & PAGE_MASK) | ((linear >> 20) & 0xffc)) & a20;
    uint32_t pde = pte_read(pde_addr);
    uint32_t fault = 0;
    if (!(pde & PTE_P)) {
        fault = err_bits;
    } else if ((pde & PTE_PS) && (cpu->cr[4] & CR4_PSE)) {
        /* 4 MiB page; bits 21:13 are reserved (no PSE-36) */
        if (pde & 0x003fe000u)
            fault = err_bits | PF_RSVD | 1;
        else if ((user && !(pde & PTE_US)) ||
                 (is_write && !(pde & PTE_RW) && (user || (cpu->cr[0] & CR0_WP))))
            fault = err_bits | 1;
        if (!fault) {
            pte_set_bits(pde_addr, pde, PTE_A | (is_write ? PTE_D : 0));
            w->phys = ((pde & 0xffc00000u) | (linear & 0x3ff000u)) & a20;
            w->writable = (pde & PTE_D || is_write) &&
                          ((pde & PTE_RW) || (!user && !(cpu->cr[0] & CR0_WP)));
            w->global = (pde & PTE_G) && (cpu->cr[4] & CR4_PGE);
            w->large = 1;
        }
    } else {
        /* the PDE is used for the walk, so it is marked accessed even if
         * the PTE then faults (SDM 4.8) */
        pte_set_bits(pde_addr, pde, PTE_A);
        uint32_t pte_addr = ((pde & PAGE_MASK) | ((linear >> 10) & 0xffc)) & a20;
        uint32_t pte = pte_read(pte_addr);
        uint32_t both = pde & pte;
        if (!(pte & PTE_P))
            fault = err_bits;
        else if ((user && !(both & PTE_US)) ||
                 (is_write && !(both & PTE_RW) && (user || (cpu->cr[0] & CR0_WP))))
            fault = err_bits | 1;
        if (!fault) {
            pte_set_bits(pte_addr, pte, PTE_A | (is_write ? PTE_D : 0));
            w->phys = (pte & PAGE_MASK) & a20;
            w->writable = (pte & PTE_D || is_write) &&
                          ((both & PTE_RW) || (!user && !(cpu->cr[0] & CR0_WP)));
            w->global = (pte & PTE_G) && (cpu->cr[4] & CR4_PGE);
            w->large = 0;
        }
    }
    if (fault) {
        if (raise)
            page_fault(cpu, linear, fault & 0xff);
        return fault;
    }
    return 0;
}

/* gdb watches part of the page: its reads or writes (as the watchpoints
 * ask) leave the inline fast path, and the slow path checks them
 * (watch_check). */
static void tlb_watch_debug(TLBEntry *e, uint32_t page)
{
    int w = gdb_watch_page(page);
    if (w & 1)
        e->tag_read |= TLB_DEBUG;
    if ((w & 2) && !(e->tag_write & TLB_INVALID))
        e->tag_write |= TLB_DEBUG;
}

/* List a non-global entry for the next MOV CR3 (too many: look at all). */
static void tlb_note_local(CPU *cpu, int mmu, uint32_t page)
{
    if (cpu->tlb_nlocal < NB_MMU * TLB_SIZE)
        cpu->tlb_local[cpu->tlb_nlocal++] = (uint16_t)(mmu << TLB_BITS | ((page >> PAGE_BITS) & (TLB_SIZE - 1)));
    else
        cpu->tlb_nlocal = NB_MMU * TLB_SIZE + 1;
}

/* Fill the TLB entry for the page of `linear` after a successful walk.
 * A walk that faults raises the page fault, or with raise 0 returns NULL
 * and leaves the TLB alone. */
static TLBEntry *tlb_fill_walk(CPU *cpu, uint32_t linear, int mmu, int acc, int raise)
{
    Walk w;
    if (page_walk(cpu, linear, mmu, acc, &w, raise))
        return NULL;
    cpu->stats.tlb_fills++;
    uint32_t page = linear & PAGE_MASK;
    TLBEntry *e = tlb_entry(cpu, mmu, page);
    MemRegion r;
    int kind = memory_map_find(w.phys, &r) ? r.kind : -1;
    uint8_t *h = kind >= 0 ? region_host(&r, w.phys) : NULL;
    e->phys = w.phys;
    e->global = (w.global ? TLB_GLOBAL : 0) | (w.large ? TLB_FROM_LARGE : 0);
    if (!w.global)                      /* for tlb_flush_nonglobal */
        tlb_note_local(cpu, mmu, page);
    if (w.large)
        cpu->tlb_large = 1;
    if (kind == MR_RAM) {
        e->tag_read = e->tag_code = page;
        e->tag_write = w.writable ? page | (tb_page_has_code(w.phys) ? TLB_WATCH : 0)
                                  : 0xffffffffu;
        e->addend = (uintptr_t)h - page;
    } else if (kind == MR_ROM) {
        e->tag_read = e->tag_code = page;
        e->tag_write = w.writable ? page | TLB_ROM : 0xffffffffu;
        e->addend = (uintptr_t)h - page;
    } else {
        e->tag_read = e->tag_code = page | TLB_MMIO;
        e->tag_write = w.writable ? page | TLB_MMIO : 0xffffffffu;
        e->addend = 0;
    }
    if (gdb_nwatch)
        tlb_watch_debug(e, page);
    if (log_mask & LOG_MMU)
        log_printf("mmu: fill %s TLB: linear %08x -> phys %08x (%s%s)\n",
                   mmu == MMU_USER ? "user" : "supervisor", page, w.phys,
                   kind == MR_RAM ? "RAM" : kind == MR_ROM ? "ROM" : kind < 0 ? "unassigned" : "device",
                   w.writable ? ", writable" : "");
    return e;
}

static TLBEntry *tlb_fill(CPU *cpu, uint32_t linear, int mmu, int acc)
{
    return tlb_fill_walk(cpu, linear, mmu, acc, 1);
}

/* Entry for linear's page valid for the access, filling it if needed. */
static TLBEntry *tlb_get(CPU *cpu, uint32_t linear, int mmu, int acc)
{
    uint32_t page = linear & PAGE_MASK;
    TLBEntry *e = tlb_entry(cpu, mmu, page);
    uint32_t tag = acc == ACC_WRITE ? e->tag_write : acc == ACC_FETCH ? e->tag_code : e->tag_read;
    if ((tag & PAGE_MASK) != page || (tag & TLB_INVALID))
        e = tlb_fill(cpu, linear, mmu, acc);
    return e;
}

/* Mark every TLB write entry of physical page `phys_page` as watched, so
 * the next guest write to it takes the slow path (the page holds code now).
 * Touches every vCPU's TLB: called with them all stopped (an exclusive
 * section) or with a single vCPU. */
void tlb_watch_page(uint32_t phys_page)
{
    view_watch_phys(phys_page);
    for (int c = 0; c < machine.ncpus; c++)
        for (int m = 0; m < NB_MMU; m++)
            for (int i = 0; i < TLB_SIZE; i++) {
                TLBEntry *e = &machine.cpus[c]->tlb[m][i];
                if (e->phys == phys_page && !(e->tag_write & (TLB_INVALID | TLB_MMIO | TLB_ROM)))
                    e->tag_write |= TLB_WATCH;
            }
}

/* The page has no code any more: let this CPU's writes take the fast path
 * again (each vCPU clears its own entries, when it next writes there). */
void tlb_unwatch_page(CPU *cpu, uint32_t phys_page)
{
    for (int m = 0; m < NB_MMU; m++)
        for (int i = 0; i < TLB_SIZE; i++) {
            TLBEntry *e = &cpu->tlb[m][i];
            if (e->phys == phys_page && (e->tag_write & TLB_WATCH))
                e->tag_write &= ~TLB_WATCH;
        }
}

/* Host pointer to the code page at linear page address `linear` for the
 * current privilege (NULL when it is not RAM or ROM: such code reads as
 * all-ones); *phys gets its physical address.  A page that cannot be
 * fetched raises #PF when `raise`, else returns NULL with *phys = -1. */
uint8_t *tlb_code_ptr(CPU *cpu, uint32_t linear, uint32_t *phys, int raise)
{
    int mmu = mmu_of(cpu);
    uint32_t page = linear & PAGE_MASK;
    TLBEntry *e = tlb_entry(cpu, mmu, page);
    if ((e->tag_code & PAGE_MASK) != page || (e->tag_code & TLB_INVALID)) {
        Walk w;
        if (!raise && page_walk(cpu, linear, mmu, ACC_FETCH, &w, 0)) {
            *phys = 0xffffffffu;
            return NULL;
        }
        e = tlb_fill(cpu, linear, mmu, ACC_FETCH);
    }
    *phys = e->phys;
    if (e->tag_code & TLB_MMIO)
        return NULL;
    return (uint8_t *)(e->addend + page);
}

/* ---- Self-modifying code ------------------------------------------------------ */

/* A write to physical [phys, phys+size) of a page holding code: throw the
 * TBs there away first.  If the running TB was one of them and the
 * current instruction is not its last, the rest of that TB is stale: go
 * back to cpu_exec and run the instruction again in a TB of its own (the
 * write has not happened yet, so nothing is done twice). */
static void smc_write(CPU *cpu, uint32_t phys, int size, int watched)
{
    if (!tb_page_has_code(phys & PAGE_MASK)) {
        if (watched)                    /* its code went away meanwhile */
            tlb_unwatch_page(cpu, phys & PAGE_MASK);
        return;
    }
    int hit = tb_invalidate_phys_range(cpu, phys, phys + (uint32_t)size);
    if (!tb_page_has_code(phys & PAGE_MASK))
        tlb_unwatch_page(cpu, phys & PAGE_MASK);
    TB *tb = hit ? tb_running(cpu) : NULL;
    if (tb && tb->ninsns > 1 && cpu->eip != tb->last_eip) {
        cpu->single_insn = 1;
        cpu->exc_vector = -1;
        siglongjmp(cpu->jmp_env, 1);
    }
}

/* ---- Byte-level access through the TLB (slow paths and helpers) --------------- */

static uint8_t read_byte(CPU *cpu, uint32_t linear, int mmu)
{
    TLBEntry *e = tlb_get(cpu, linear, mmu, ACC_READ);
    if (e->tag_read & TLB_MMIO)
        return (uint8_t)phys_read(e->phys | (linear & ~PAGE_MASK), 1);
    return *(uint8_t *)(e->addend + linear);
}

static void write_byte(CPU *cpu, uint32_t linear, uint8_t v, int mmu)
{
    TLBEntry *e = tlb_get(cpu, linear, mmu, ACC_WRITE);
    uint32_t phys = e->phys | (linear & ~PAGE_MASK);
    if (e->tag_write & (TLB_MMIO | TLB_ROM)) {
        phys_write(phys, v, 1);             /* a device; ROM ignores it */
        return;
    }
    *(uint8_t *)(e->addend + linear) = v;
}

/* ---- gdb watchpoints ------------------------------------------------------------ */

/* Does the access [linear, linear+size) hit a gdb watchpoint?  Then stop
 * the machine once the instruction is done, as an x86 data breakpoint
 * traps after the access and gdb expects: note the hit, and exit_request
 * brings the vCPU back to cpu_exec (which stops).  The instruction runs
 * again alone first, in a one-instruction TB that returns to cpu_exec
 * (nothing has changed yet: the checks come before any store), so that
 * nothing after it runs before the stop: translated code looks at
 * exit_request only at some jumps.  On the vCPU's thread; only called
 * while gdb_nwatch is not 0. */
static void watch_check(CPU *cpu, uint32_t linear, int size, int is_write)
{
    uint32_t addr;
    if (cpu->watch_kind)                /* one hit per stop is enough */
        return;
    int kind = gdb_watch_hit(linear, size, is_write, &addr);
    if (!kind)
        return;
    TB *tb = tb_running(cpu);
    if (tb && !(tb->flags & HF_SINGLE)) {
        cpu->single_insn = 1;
        cpu->exc_vector = -1;
        siglongjmp(cpu->jmp_env, 1);
    }
    cpu->watch_kind = kind;
    cpu->watch_addr = addr;
    __atomic_store_n(&cpu->exit_request, EXIT_REQUESTED, __ATOMIC_RELEASE);
}

/* Make sure every page of [linear, linear+size) is mapped for `is_write`
 * before touching any of it, so a fault leaves memory unchanged.  For
 * writes, also run the self-modifying-code check on each piece. */
static void prepare_access(CPU *cpu, uint32_t linear, int size, int is_write, int mmu)
{
    uint32_t last = linear + (uint32_t)size - 1;
    int acc = is_write ? ACC_WRITE : ACC_READ;
    TLBEntry *e = tlb_get(cpu, linear, mmu, acc);
    if ((last & PAGE_MASK) != (linear & PAGE_MASK))
        tlb_get(cpu, last, mmu, acc);
    if (gdb_nwatch)
        watch_check(cpu, linear, size, is_write);
    if (!is_write)
        return;
    uint32_t first_len = (linear & PAGE_MASK) == (last & PAGE_MASK) ?
                         (uint32_t)size : PAGE_SIZE - (linear & ~PAGE_MASK);
    if (!(e->tag_write & (TLB_MMIO | TLB_ROM)))
        smc_write(cpu, e->phys | (linear & ~PAGE_MASK), (int)first_len,
                  (e->tag_write & TLB_WATCH) != 0);
    if (first_len < (uint32_t)size) {
        TLBEntry *e2 = tlb_get(cpu, last, mmu, ACC_WRITE);
        if (!(e2->tag_write & (TLB_MMIO | TLB_ROM)))
            smc_write(cpu, e2->phys, (int)((uint32_t)size - first_len),
                      (e2->tag_write & TLB_WATCH) != 0);
    }
}

/* Read `size` bytes at a linear address (any alignment, any page) with
 * the privilege of mmu. */
uint32_t mem_read_mmu(CPU *cpu, uint32_t linear, int size, int mmu)
{
    uint32_t page = linear & PAGE_MASK;
    if (((linear + (uint32_t)size - 1) & PAGE_MASK) == page) {
        TLBEntry *e = tlb_get(cpu, linear, mmu, ACC_READ);
        if (gdb_nwatch)
            watch_check(cpu, linear, size, 0);
        if (!(e->tag_read & TLB_MMIO)) {
            uint32_t v = 0;
            memcpy(&v, (void *)(e->addend + linear), (size_t)size);
            return v;
        }
        return phys_read(e->phys | (linear & ~PAGE_MASK), size);
    }
    prepare_access(cpu, linear, size, 0, mmu);
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)read_byte(cpu, linear + (uint32_t)i, mmu) << (8 * i);
    return v;
}

/* Write `size` bytes at a linear address with the privilege of mmu. */
void mem_write_mmu(CPU *cpu, uint32_t linear, uint32_t value, int size, int mmu)
{
    prepare_access(cpu, linear, size, 1, mmu);
    uint32_t page = linear & PAGE_MASK;
    if (((linear + (uint32_t)size - 1) & PAGE_MASK) == page) {
        TLBEntry *e = tlb_get(cpu, linear, mmu, ACC_WRITE);
        if (!(e->tag_write & (TLB_MMIO | TLB_ROM))) {
            memcpy((void *)(e->addend + linear), &value, (size_t)size);
            return;
        }
        phys_write(e->phys | (linear & ~PAGE_MASK), value, size);   /* a device; ROM ignores it */
        return;
    }
    for (int i = 0; i < size; i++)
        write_byte(cpu, linear + (uint32_t)i, (uint8_t)(value >> (8 * i)), mmu);
}

/* Accesses with the CPU's current privilege (explicit operands). */
uint32_t mem_read(CPU *cpu, uint32_t linear, int size)
{
    return mem_read_mmu(cpu, linear, size, mmu_of(cpu));
}

void mem_write(CPU *cpu, uint32_t linear, uint32_t value, int size)
{
    mem_write_mmu(cpu, linear, value, size, mmu_of(cpu));
}

/* Implicit supervisor accesses: descriptor tables, the TSS, the IDT. */
uint32_t sys_read(CPU *cpu, uint32_t linear, int size)
{
    return mem_read_mmu(cpu, linear, size, MMU_SUPER);
}

void sys_write(CPU *cpu, uint32_t linear, uint32_t value, int size)
{
    mem_write_mmu(cpu, linear, value, size, MMU_SUPER);
}

/* ---- Slow paths called from translated code ---------------------------------- */

static void view_map_page_of(CPU *cpu, int mmu, uint32_t linear)
{
    TLBEntry *e = tlb_entry(cpu, mmu, linear);
    MemRegion r;
    int unassigned = (e->tag_read & TLB_MMIO) && !memory_map_find(e->phys, &r);
    int large = (e->global & TLB_FROM_LARGE) && cpu->a20_mask == 0xffffffffu &&
                !__atomic_load_n(&map_devices_on_ram, __ATOMIC_RELAXED);
    view_map(cpu, mmu, linear, e, unassigned, large);
}

/* The operand's checks passed: let the view map its pages (view.c), so
 * the next access to them takes no slow path. */
static void view_map_access(CPU *cpu, uint32_t addr, int size)
{
    if (!mem_views)
        return;
    int mmu = mmu_of(cpu);
    uint32_t last = addr + (uint32_t)size - 1;
    view_map_page_of(cpu, mmu, addr);
    if ((last & PAGE_MASK) != (addr & PAGE_MASK))
        view_map_page_of(cpu, mmu, last);
}

static uint8_t *tlb_ram_ptr(CPU *cpu, uint32_t linear, uint32_t len);

/* A memory operand that missed the inline fast path.  Translated code runs
 * the guest instruction itself on CPU.rmw_buf: begin checks the whole
 * access (so a fault happens before anything changes), runs the
 * self-modifying-code check for writes, and reads the operand unless the
 * instruction only writes it (a device must not see a read it never got);
 * for writes, end stores the buffer. */
uint8_t *tlb_access_begin(CPU *cpu, uint32_t addr, int size, int mode)
{
    int locked = mode & MEM_ACCESS_LOCKED;
    mode &= ~MEM_ACCESS_LOCKED;
    cpu->stats.slow_accesses++;
    memset(cpu->rmw_buf, 0, sizeof(cpu->rmw_buf));
    if (mode != MEM_ACCESS_READ)
        prepare_access(cpu, addr, size, 1, mmu_of(cpu));
    if (size == 8 && mode != MEM_ACCESS_WRITE)  /* CMPXCHG8B: checked as a whole first */
        prepare_access(cpu, addr, 8, 0, mmu_of(cpu));
    if (locked && mode == MEM_ACCESS_RMW) {
        uint8_t *host = tlb_ram_ptr(cpu, addr, (uint32_t)size);
        if (host) {                             /* the host's LOCK does it */
            cpu->rmw_direct = 1;
            view_map_access(cpu, addr, size);
            return host;
        }
        if (machine.ncpus > 1 && !cpu->in_exclusive) {
            /* split or MMIO: run this instruction again, alone, with
             * every other vCPU stopped (cpu_exec does it, outside
             * translated code, which may not change under us) */
            cpu->exclusive_step = 1;
            cpu->exc_vector = -1;
            siglongjmp(cpu->jmp_env, 1);
        }
    }
    if (mode != MEM_ACCESS_WRITE) {
        for (int i = 0; i < size; i += 4) {     /* m80 (x87): 4 + 4 + 2 bytes */
            uint32_t v = mem_read(cpu, addr + (uint32_t)i, size - i < 4 ? size - i : 4);
            memcpy(cpu->rmw_buf + i, &v, 4);
        }
    }
    cpu->rmw_addr = addr;
    cpu->rmw_size = size;
    view_map_access(cpu, addr, size);
    return cpu->rmw_buf;
}

void tlb_access_end(CPU *cpu)
{
    if (cpu->rmw_direct) {
        cpu->rmw_direct = 0;
        return;
    }
    int size = cpu->rmw_size;
    for (int i = 0; i < size; i += 4) {
        uint32_t v;
        memcpy(&v, cpu->rmw_buf + i, 4);
        mem_write(cpu, cpu->rmw_addr + (uint32_t)i, v, size - i < 4 ? size - i : 4);
    }
}

/* Fault now, before anything changes, unless every page of [linear,
 * linear+size) may be accessed; for a write, also run the
 * self-modifying-code check.  For helpers that move large operands in
 * pieces (FSAVE, FXSAVE: at most two pages). */
void tlb_probe(CPU *cpu, uint32_t linear, int size, int is_write)
{
    prepare_access(cpu, linear, size, is_write, mmu_of(cpu));
}

/* Host pointer to a RAM operand on one page whose checks (and the
 * self-modifying-code invalidation) prepare_access has just done; NULL
 * for MMIO, ROM or an operand split across pages. */
static uint8_t *tlb_ram_ptr(CPU *cpu, uint32_t linear, uint32_t len)
{
    if (((linear + len - 1) & PAGE_MASK) != (linear & PAGE_MASK))
        return NULL;
    TLBEntry *e = tlb_entry(cpu, mmu_of(cpu), linear);
    if ((e->tag_write & PAGE_MASK) != (linear & PAGE_MASK) ||
        (e->tag_write & (TLB_INVALID | TLB_MMIO | TLB_ROM)))
        return NULL;
    return (uint8_t *)(e->addend + linear);
}

/* Host pointer to [linear, linear+len) when all of it is plain RAM (or ROM,
 * for reads) on one page already in the TLB and, for writes, holds no
 * translated code; NULL otherwise (the caller then takes the
 * element-by-element path).  Used by the bulk paths of string instructions. */
uint8_t *tlb_host_range(CPU *cpu, uint32_t linear, uint32_t len, int is_write)
{
    if (len == 0 || ((linear + len - 1) & PAGE_MASK) != (linear & PAGE_MASK))
        return NULL;
    /* only what the TLB already holds: a miss goes the element-by-element
     * way, which faults at exactly the element the CPU would fault on */
    TLBEntry *e = tlb_entry(cpu, mmu_of(cpu), linear);
    uint32_t tag = is_write ? e->tag_write : e->tag_read;
    if (tag != (linear & PAGE_MASK))
        return NULL;
    return (uint8_t *)(e->addend + linear);
}

/* The slow path of a page group's check (translate.c, docs/memory.md):
 * host address of linear when [linear, linear+len) lies in plain RAM that
 * the TLB may read, and write too if need_write, and holds no translated
 * code.  A miss on the first page is filled by a walk for `acc`, the
 * access of the group's first instruction, which touches this page now
 * anyway; the walk never faults here.  A span that runs onto the next
 * page is allowed when the TLB already holds that page with the same
 * rights, mapped right after the first in host memory (the same addend):
 * no walk there, as no instruction has touched it yet, so its accessed
 * and dirty bits were set when the entry was filled.  NULL: the group
 * cannot be used, and the block's code runs again from this instruction
 * without groups (tb_find, HF_NOGROUP), so any fault is raised by its own
 * instruction. */
uint8_t *tlb_group_host(CPU *cpu, uint32_t linear, uint32_t len, int acc, int need_write)
{
    uint32_t page = linear & PAGE_MASK, last = linear + len - 1;
    uint8_t *host = NULL;
    if (len && len <= PAGE_SIZE && last >= linear) {
        int mmu = mmu_of(cpu);
        TLBEntry *e = tlb_entry(cpu, mmu, page);
        if (e->tag_read != page || (need_write && e->tag_write != page))
            e = tlb_fill_walk(cpu, linear, mmu, acc, 0);
        if (e && e->tag_read == page && (!need_write || e->tag_write == page))
            host = (uint8_t *)(e->addend + linear);
        uint32_t next = last & PAGE_MASK;
        if (host && next != page) {
            TLBEntry *n = tlb_entry(cpu, mmu, next);
            if (n->tag_read != next || (need_write && n->tag_write != next) || n->addend != e->addend)
                host = NULL;
        }
    }
    cpu->stats.slow_accesses++;
    if (!host) {
        cpu->nogroup_pc = cpu->seg[S_CS].base + cpu->eip;
        cpu->nogroup = 1;
        tb_group_failed(cpu);
    }
    return host;
}

/* ---- The debugger's view (gdbstub.c, with every vCPU stopped) ------------------- */

/* Translate linear to physical as cpu's paging would, without touching the
 * TLB, the accessed bits or CR2.  Returns 0, or -1 if the page is not
 * present. */
int tlb_debug_phys(CPU *cpu, uint32_t linear, uint32_t *phys)
{
    uint32_t a20 = cpu->a20_mask;
    if (!(cpu->cr[0] & CR0_PG)) {
        *phys = linear & a20;
        return 0;
    }
    uint32_t pde = pte_read(((cpu->cr[3] & PAGE_MASK) | ((linear >> 20) & 0xffc)) & a20);
    if (!(pde & PTE_P))
        return -1;
    if ((pde & PTE_PS) && (cpu->cr[4] & CR4_PSE)) {
        *phys = ((pde & 0xffc00000u) | (linear & 0x3fffffu)) & a20;
        return 0;
    }
    uint32_t pte = pte_read(((pde & PAGE_MASK) | ((linear >> 10) & 0xffc)) & a20);
    if (!(pte & PTE_P))
        return -1;
    *phys = ((pte & PAGE_MASK) | (linear & ~PAGE_MASK)) & a20;
    return 0;
}

/* One byte of physical memory for the debugger: RAM and ROM only (a
 * device register read may have side effects); writes reach RAM only.
 * Returns 0, or -1 where there is nothing to read or write. */
int phys_debug_access(uint32_t addr, uint8_t *byte, int is_write)
{
    MemRegion r;
    if (!memory_map_find(addr, &r) || !region_host(&r, addr))
        return -1;
    if (!is_write) {
        *byte = *region_host(&r, addr);
        return 0;
    }
    if (r.kind != MR_RAM)
        return -1;
    *region_host(&r, addr) = *byte;
    return 0;
}
