/*
 * boot.c - loading a kernel as firmware would, for -kernel:
 *   - multiboot (v1) kernels: ELF32 or the header's address fields, the
 *     information structure, a flat GDT (the test kernels, benchmarks);
 *   - Linux bzImages by the x86 boot protocol 2.x ("32-bit boot protocol",
 *     Documentation/arch/x86/boot.rst): the protected-mode kernel at
 *     1 MiB, the boot_params "zero page" with the setup header, the
 *     command line, the initrd high in RAM, an E820 map, and an MP table
 *     (MultiProcessor Specification 1.4) so that an SMP kernel finds the
 *     APs and the IO-APIC without a BIOS.
 * Both leave the BSP as the specification promises: flat 32-bit protected
 * mode, paging and interrupts off.
 *
 * Threads and locks: runs on the main thread before the vCPUs start, and
 * again on the BSP's thread when the machine resets (the other vCPUs are
 * being reset too and run no guest code); it writes guest RAM directly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vm.h"

#define BOOT_GDT_ADDR 0x8000u            /* a flat GDT, as QEMU's loader leaves one */

/* The state both protocols promise: flat 32-bit protected mode, paging
 * and interrupts off, CS = code_sel and the data segments code_sel + 8
 * (4 GiB, DPL 0) from a GDT at BOOT_GDT_ADDR whose lower entries are
 * null, CPL 0, EIP = entry. */
static void enter_flat_pm(CPU *cpu, uint32_t code_sel, uint32_t entry)
{
    static const uint32_t code[2] = { 0x0000ffff, 0x00cf9b00 }, data[2] = { 0x0000ffff, 0x00cf9300 };
    uint8_t *gdt = machine.ram + BOOT_GDT_ADDR;
    memset(gdt, 0, code_sel);
    memcpy(gdt + code_sel, code, 8);
    memcpy(gdt + code_sel + 8, data, 8);
    cpu->cr[0] |= CR0_PE;
    cpu->gdt.base = BOOT_GDT_ADDR;
    cpu->gdt.limit = (uint16_t)(code_sel + 15);
    cpu_load_seg_cache(cpu, S_CS, code_sel, 0, 0xffffffffu, code[1] & 0x00f0ff00u);
    for (int s = 0; s < 6; s++)
        if (s != S_CS)
            cpu_load_seg_cache(cpu, s, code_sel + 8, 0, 0xffffffffu, data[1] & 0x00f0ff00u);
    cpu_set_eflags(cpu, 0, F_IF | F_VM | F_TF);
    cpu->eip = entry;
    cpu_set_cpl(cpu, 0);
}

/* ---- Multiboot (v1) loader ------------------------------------------------
 * The Multiboot Specification 0.6.96: the header (magic 0x1BADB002 in the
 * first 8 KiB), ELF32 program headers or the header's address fields, and
 * the machine state at entry (EAX = 0x2BADB002, EBX = the information
 * structure, flat 32-bit protected mode, paging and interrupts off). */

#define MB_HEADER_MAGIC   0x1BADB002u
#define MB_LOADER_MAGIC   0x2BADB002u
#define MB_AOUT_KLUDGE    (1u << 16)
#define MB_INFO_ADDR      0x9000u       /* info structure, then strings and tables */

/* Info flags (which fields are valid). */
#define MBI_MEM      (1u << 0)
#define MBI_CMDLINE  (1u << 2)
#define MBI_MODS     (1u << 3)
#define MBI_MMAP     (1u << 6)
#define MBI_LOADER   (1u << 9)

typedef struct Image {
    uint8_t *data;
    size_t size;
    const char *path;
} Image;

static void read_file(const char *path, const char *what, Image *img)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open %s '%s': %s", what, path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        die("%s '%s' is not a regular file", what, path);
    img->size = (size_t)st.st_size;
    img->data = malloc(img->size ? img->size : 1);
    if (!img->data)
        die("out of memory reading %s '%s'", what, path);
    if (fread(img->data, 1, img->size, f) != img->size)
        die("cannot read %s '%s'", what, path);
    fclose(f);
    img->path = path;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Copy len bytes to guest physical RAM at addr, zero-filling up to
 * zero_to; the whole range must be RAM. */
static void load_to_ram(const char *path, uint32_t addr, const uint8_t *src, uint32_t len,
                        uint32_t zero_to)
{
    uint64_t end = zero_to > addr + (uint64_t)len ? zero_to : addr + (uint64_t)len;
    if (end > machine.ram_size || (addr < 0x100000 && end > 0xa0000))
        die("kernel '%s' does not fit in guest RAM at 0x%x-0x%llx (try a larger -m)", path,
            addr, (unsigned long long)end);
    memcpy(machine.ram + addr, src, len);
    memset(machine.ram + addr + len, 0, (size_t)(end - addr - len));
}

/* Offset of the multiboot header in the first 8 KiB, or -1. */
static long mb_find_header(const Image *k)
{
    for (size_t off = 0; off + 12 <= k->size && off < 8192; off += 4) {
        const uint8_t *h = k->data + off;
        if (rd32(h) == MB_HEADER_MAGIC && rd32(h) + rd32(h + 4) + rd32(h + 8) == 0)
            return (long)off;
    }
    return -1;
}

/* Load an ELF32 kernel's PT_LOAD segments; returns the entry point. */
static uint32_t mb_load_elf(const Image *k)
{
    const uint8_t *e = k->data;
    if (k->size < 52 || memcmp(e, "\x7f" "ELF", 4) || e[4] != 1 || e[5] != 1 || rd16(e + 18) != 3)
        die("kernel '%s' is neither a 32-bit x86 ELF nor marked with multiboot address fields",
            k->path);
    uint32_t phoff = rd32(e + 28), phentsize = rd16(e + 42), phnum = rd16(e + 44);
    if (phentsize < 32 || phoff + (uint64_t)phnum * phentsize > k->size)
        die("kernel '%s' has a truncated program header table", k->path);
    int loaded = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = e + phoff + i * phentsize;
        if (rd32(ph) != 1)                       /* PT_LOAD */
            continue;
        uint32_t off = rd32(ph + 4), paddr = rd32(ph + 12), filesz = rd32(ph + 16);
        uint32_t memsz = rd32(ph + 20);
        if ((uint64_t)off + filesz > k->size || filesz > memsz)
            die("kernel '%s' has a segment beyond the end of the file", k->path);
        load_to_ram(k->path, paddr, e + off, filesz, paddr + memsz);
        loaded = 1;
    }
    if (!loaded)
        die("kernel '%s' has no loadable segment", k->path);
    return rd32(e + 24);
}

/* Load a kernel by the header's address fields (the "a.out kludge"). */
static uint32_t mb_load_aout(const Image *k, long hoff, uint32_t *end)
{
    const uint8_t *h = k->data + hoff;
    uint32_t header_addr = rd32(h + 12), load_addr = rd32(h + 16);
    uint32_t load_end = rd32(h + 20), bss_end = rd32(h + 24), entry = rd32(h + 28);
    if (load_addr > header_addr || header_addr - load_addr > (uint32_t)hoff)
        die("kernel '%s': multiboot load address is after the header", k->path);
    uint32_t file_off = (uint32_t)hoff - (header_addr - load_addr);
    uint32_t len = load_end ? load_end - load_addr : (uint32_t)(k->size - file_off);
    if ((uint64_t)file_off + len > k->size)
        die("kernel '%s' is shorter than its multiboot header says", k->path);
    load_to_ram(k->path, load_addr, k->data + file_off, len, bss_end > load_addr + len ? bss_end : 0);
    *end = bss_end > load_addr + len ? bss_end : load_addr + len;
    return entry;
}

/* Highest physical address the ELF segments occupy. */
static uint32_t elf_end(const Image *k)
{
    const uint8_t *e = k->data;
    uint32_t phoff = rd32(e + 28), phentsize = rd16(e + 42), phnum = rd16(e + 44), end = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = e + phoff + i * phentsize;
        if (rd32(ph) == 1 && rd32(ph + 12) + rd32(ph + 20) > end)
            end = rd32(ph + 12) + rd32(ph + 20);
    }
    return end;
}

/* Write a string into guest RAM at *at; return its address. */
static uint32_t put_string(uint32_t *at, const char *str)
{
    uint32_t addr = *at;
    size_t n = strlen(str) + 1;
    memcpy(machine.ram + addr, str, n);
    *at += (uint32_t)((n + 3) & ~(size_t)3);
    return addr;
}

static void put32(uint32_t addr, uint32_t v)
{
    memcpy(machine.ram + addr, &v, 4);
}

/* The BIOS-style memory map: low RAM, the EBDA/ROM hole, high RAM, the ROM. */
static uint32_t mb_write_mmap(uint32_t at)
{
    struct { uint64_t base, len; uint32_t type; } map[4] = {
        { 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
        { 0x100000, machine.ram_size - 0x100000u, 1 },
    };
    uint32_t start = at;
    for (int i = 0; i < 4; i++) {
        put32(at, 20);
        memcpy(machine.ram + at + 4, &map[i].base, 8);
        memcpy(machine.ram + at + 12, &map[i].len, 8);
        put32(at + 20, map[i].type);
        at += 24;
    }
    return at - start;
}

/* Load the modules (-initrd a,b: as QEMU does) page-aligned after the kernel. */
static uint32_t mb_load_modules(const char *list, uint32_t load_at, uint32_t *str_at,
                                uint32_t mods_addr)
{
    char buf[4096];
    uint32_t count = 0;
    if (!list)
        return 0;
    if (strlen(list) >= sizeof(buf))
        die("-initrd: list too long");
    strcpy(buf, list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char path[4096];
        sscanf(tok, "%4095s", path);
        Image m;
        read_file(path, "module", &m);
        load_at = (load_at + 0xfff) & ~0xfffu;
        load_to_ram(path, load_at, m.data, (uint32_t)m.size, 0);
        uint32_t e = mods_addr + 16 * count;
        put32(e, load_at);
        put32(e + 4, load_at + (uint32_t)m.size);
        put32(e + 8, put_string(str_at, tok));
        put32(e + 12, 0);
        load_at += (uint32_t)m.size;
        free(m.data);
        if (++count == 16)
            die("-initrd: at most 16 modules");
    }
    return count;
}

/* Load a multiboot kernel and set the CPU up to enter it. */
static void multiboot_load(CPU *cpu, Image k, const char *cmdline, const char *initrd)
{
    const char *path = k.path;
    long hoff = mb_find_header(&k);
    if (hoff < 0)
        die("kernel '%s' has no multiboot header in its first 8 KiB", path);
    uint32_t flags = rd32(k.data + hoff + 4), entry, end;
    if (flags & 0xfffc)
        die("kernel '%s' asks for unsupported multiboot features (flags 0x%x)", path, flags);
    if (flags & MB_AOUT_KLUDGE) {
        entry = mb_load_aout(&k, hoff, &end);
    } else {
        entry = mb_load_elf(&k);
        end = elf_end(&k);
    }

    uint32_t info = MB_INFO_ADDR, strings = MB_INFO_ADDR + 0x100;
    memset(machine.ram + info, 0, 0x100);
    uint32_t mods_addr = MB_INFO_ADDR + 0x800;
    uint32_t mmap_addr = MB_INFO_ADDR + 0xa00;
    uint32_t nmods = mb_load_modules(initrd, end, &strings, mods_addr);
    put32(info + 0, MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER | (nmods ? MBI_MODS : 0));
    put32(info + 4, 639);                                   /* KiB below 640 KiB (EBDA taken) */
    put32(info + 8, (machine.ram_size - 0x100000u) >> 10);  /* KiB above 1 MiB */
    put32(info + 16, put_string(&strings, cmdline ? cmdline : ""));
    put32(info + 20, nmods);
    put32(info + 24, mods_addr);
    put32(info + 44, mb_write_mmap(mmap_addr));
    put32(info + 48, mmap_addr);
    put32(info + 64, put_string(&strings, "vm"));

    enter_flat_pm(cpu, 0x08, entry);    /* 0x08 code, 0x10 data */
    cpu->regs[R_EAX] = MB_LOADER_MAGIC;
    cpu->regs[R_EBX] = info;
}


/* ---- Linux boot protocol ---------------------------------------------------------
 * Offsets in the bzImage's setup header and in boot_params. */
#define LX_SETUP_SECTS   0x1f1
#define LX_HEADER        0x202          /* "HdrS" */
#define LX_VERSION       0x206
#define LX_JUMP_END      0x201          /* the header ends at 0x202 + this byte */
#define LX_LOADER_TYPE   0x210
#define LX_LOADFLAGS     0x211
#define LX_CODE32_START  0x214
#define LX_RAMDISK_IMAGE 0x218
#define LX_RAMDISK_SIZE  0x21c
#define LX_CMD_LINE_PTR  0x228
#define LX_INITRD_MAX    0x22c
#define LX_CMDLINE_SIZE  0x238
#define LX_ALT_MEM_K     0x1e0
#define LX_E820_ENTRIES  0x1e8
#define LX_E820_TABLE    0x2d0
#define LX_LOADED_HIGH   0x01

#define LX_PARAMS_ADDR   0x10000u       /* boot_params (4 KiB) */
#define LX_CMDLINE_ADDR  0x20000u
#define EBDA_ADDR        0x9fc00u       /* 1 KiB, top of base memory: the MP table */

static int kernel_is_linux(const Image *k)
{
    return k->size > 0x240 && !memcmp(k->data + LX_HEADER, "HdrS", 4);
}

/* The memory map Linux gets, as vm's BIOS would report it: base memory
 * below the EBDA, the BIOS area, RAM above 1 MiB, the APIC pages. */
static int lx_write_e820(uint8_t *bp)
{
    struct { uint64_t base, len; uint32_t type; } map[] = {
        { 0, EBDA_ADDR, 1 }, { EBDA_ADDR, 0xa0000 - EBDA_ADDR, 2 }, { 0xf0000, 0x10000, 2 },
        { 0x100000, machine.ram_size - 0x100000u, 1 },
        { IOAPIC_DEFAULT_BASE, 0x1000, 2 }, { APIC_DEFAULT_BASE, 0x1000, 2 },
    };
    int n = (int)(sizeof(map) / sizeof(map[0]));
    for (int i = 0; i < n; i++) {
        uint8_t *e = bp + LX_E820_TABLE + 20 * i;
        memcpy(e, &map[i].base, 8);
        memcpy(e + 8, &map[i].len, 8);
        memcpy(e + 16, &map[i].type, 4);
    }
    bp[LX_E820_ENTRIES] = (uint8_t)n;
    return n;
}

/* Load the initrd as high as the kernel allows, page-aligned. */
static void lx_load_initrd(uint8_t *bp, const char *path, uint16_t version)
{
    Image rd;
    read_file(path, "initrd", &rd);
    uint64_t max = version >= 0x203 ? rd32(bp + LX_INITRD_MAX) : 0x37ffffffu;
    if (max >= machine.ram_size)
        max = machine.ram_size - 1;
    uint64_t addr = (max + 1 - rd.size) & ~0xfffull;
    if (rd.size > max + 1 || addr < 0x1000000u)
        die("initrd '%s' (%zu bytes) does not fit in guest RAM above the kernel (try a larger -m)",
            path, rd.size);
    memcpy(machine.ram + addr, rd.data, rd.size);
    put32((uint32_t)(bp - machine.ram) + LX_RAMDISK_IMAGE, (uint32_t)addr);
    put32((uint32_t)(bp - machine.ram) + LX_RAMDISK_SIZE, (uint32_t)rd.size);
    free(rd.data);
}

static void linux_load(CPU *cpu, Image k, const char *cmdline, const char *initrd)
{
    uint16_t version = rd16(k.data + LX_VERSION);
    if (version < 0x204 || !(k.data[LX_LOADFLAGS] & LX_LOADED_HIGH))
        die("kernel '%s' uses Linux boot protocol %u.%02u; vm needs a bzImage of 2.04 or later",
            k.path, version >> 8, version & 0xff);
    uint32_t setup_sects = k.data[LX_SETUP_SECTS] ? k.data[LX_SETUP_SECTS] : 4;
    uint32_t pm_off = (setup_sects + 1) * 512, hdr_end = 0x202 + k.data[LX_JUMP_END];
    if (pm_off >= k.size || hdr_end > pm_off)
        die("kernel '%s' is truncated", k.path);
    load_to_ram(k.path, 0x100000, k.data + pm_off, (uint32_t)(k.size - pm_off), 0);

    uint8_t *bp = machine.ram + LX_PARAMS_ADDR;
    memset(bp, 0, 4096);
    memcpy(bp + LX_SETUP_SECTS, k.data + LX_SETUP_SECTS, hdr_end - LX_SETUP_SECTS);
    bp[LX_LOADER_TYPE] = 0xff;                      /* a boot loader without an ID */
    bp[LX_LOADFLAGS] = LX_LOADED_HIGH;
    uint32_t max_cmdline = version >= 0x206 ? rd32(bp + LX_CMDLINE_SIZE) : 255;
    const char *cl = cmdline ? cmdline : "";
    if (strlen(cl) > max_cmdline)
        die("-append: the kernel takes at most %u bytes of command line", max_cmdline);
    memcpy(machine.ram + LX_CMDLINE_ADDR, cl, strlen(cl) + 1);
    put32(LX_PARAMS_ADDR + LX_CMD_LINE_PTR, LX_CMDLINE_ADDR);
    put32(LX_PARAMS_ADDR + LX_ALT_MEM_K, (machine.ram_size - 0x100000u) >> 10);
    lx_write_e820(bp);
    if (initrd)
        lx_load_initrd(bp, initrd, version);
    mptable_write();

    enter_flat_pm(cpu, 0x10, rd32(bp + LX_CODE32_START));    /* __BOOT_CS, __BOOT_DS */
    for (int r = 0; r < 8; r++)
        if (r != R_ESP)
            cpu->regs[r] = 0;
    cpu->regs[R_ESI] = LX_PARAMS_ADDR;
}

/* ---- MP table (MultiProcessor Specification 1.4, chapter 4) ---------------------- */

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    while (n--)
        sum = (uint8_t)(sum + *p++);
    return (uint8_t)-sum;
}

/* CPUID leaf 1 as the BSP answers it: the processor entries' signature
 * and feature flags. */
static void cpuid1(uint32_t *signature, uint32_t *features)
{
    CPU *cpu = machine.cpus[0];
    uint32_t saved[8];
    memcpy(saved, cpu->regs, sizeof(saved));
    cpu->regs[R_EAX] = 1;
    cpu->regs[R_ECX] = 0;
    helper_cpuid(cpu);
    *signature = cpu->regs[R_EAX];
    *features = cpu->regs[R_EDX];
    memcpy(cpu->regs, saved, sizeof(saved));
}

static uint8_t *mp_entry(uint8_t **at, int type, int len, uint16_t *count)
{
    uint8_t *e = *at;
    memset(e, 0, (size_t)len);
    e[0] = (uint8_t)type;
    *at += len;
    (*count)++;
    return e;
}

/* Processors, the ISA bus, the IO-APIC, ISA IRQ routing (IRQ0 on pin 2,
 * the others on their own pins) and the local interrupts (ExtINT on
 * LINT0, NMI on LINT1), in the EBDA, whose segment goes in the BDA. */
void mptable_write(void)
{
    uint8_t *fp = machine.ram + EBDA_ADDR, *tab = fp + 16, *at = tab + 44;
    uint16_t count = 0;
    uint32_t sig, feat;
    cpuid1(&sig, &feat);
    bql_lock();
    uint32_t ioapic_id = ioapic_get_id();
    bql_unlock();
    memset(fp, 0, 1024);
    for (int i = 0; i < machine.ncpus; i++) {
        uint8_t *e = mp_entry(&at, 0, 20, &count);
        e[1] = (uint8_t)i;                          /* local APIC ID */
        e[2] = 0x14;                                /* its version */
        e[3] = (uint8_t)(1 | (i == 0 ? 2 : 0));     /* enabled, BSP */
        memcpy(e + 4, &sig, 4);
        memcpy(e + 8, &feat, 4);
    }
    memcpy(mp_entry(&at, 1, 8, &count) + 2, "ISA   ", 6);
    uint8_t *io = mp_entry(&at, 2, 8, &count);
    io[1] = (uint8_t)ioapic_id;
    io[2] = 0x11;
    io[3] = 1;
    uint32_t ioapic_base = IOAPIC_DEFAULT_BASE;
    memcpy(io + 4, &ioapic_base, 4);
    for (int irq = 0; irq < 16; irq++) {
        if (irq == 2)
            continue;                               /* the cascade */
        uint8_t *e = mp_entry(&at, 3, 8, &count);
        e[5] = (uint8_t)irq;                        /* ISA bus 0, this IRQ */
        e[6] = (uint8_t)ioapic_id;
        e[7] = (uint8_t)(irq == 0 ? 2 : irq);
    }
    for (int pin = 0; pin < 2; pin++) {
        uint8_t *e = mp_entry(&at, 4, 8, &count);
        e[1] = (uint8_t)(pin == 0 ? 3 : 1);         /* ExtINT, NMI */
        e[6] = 0xff;                                /* every local APIC */
        e[7] = (uint8_t)pin;
    }
    uint16_t len = (uint16_t)(at - tab);
    uint32_t lapic = APIC_DEFAULT_BASE, tab_addr = EBDA_ADDR + 16;
    memcpy(tab, "PCMP", 4);
    memcpy(tab + 4, &len, 2);
    tab[6] = 4;                                     /* spec 1.4 */
    memcpy(tab + 8, "VM      VM          ", 20);   /* OEM and product IDs */
    memcpy(tab + 34, &count, 2);
    memcpy(tab + 36, &lapic, 4);
    tab[7] = checksum(tab, len);
    memcpy(fp, "_MP_", 4);
    memcpy(fp + 4, &tab_addr, 4);
    fp[8] = 1;                                      /* 16 bytes */
    fp[9] = 4;
    fp[10] = checksum(fp, 16);
    uint16_t ebda_seg = EBDA_ADDR >> 4, base_kb = EBDA_ADDR >> 10;
    memcpy(machine.ram + 0x40e, &ebda_seg, 2);      /* BDA: EBDA segment */
    memcpy(machine.ram + 0x413, &base_kb, 2);       /* BDA: base memory in KiB */
}

/* ---- Either kind --------------------------------------------------------------- */

/* Read the kernel and check that vm can boot it (at start-up, before any
 * setup: bad input fails early). */
void kernel_check(const char *path)
{
    Image k;
    read_file(path, "kernel", &k);
    if (!kernel_is_linux(&k) && mb_find_header(&k) < 0)
        die("kernel '%s' is neither a multiboot kernel nor a Linux bzImage", path);
    free(k.data);
}

/* Load the kernel and set the BSP up to enter it. */
void kernel_load(CPU *cpu, const char *path, const char *cmdline, const char *initrd)
{
    Image k;
    read_file(path, "kernel", &k);
    if (kernel_is_linux(&k))
        linux_load(cpu, k, cmdline, initrd);
    else
        multiboot_load(cpu, k, cmdline, initrd);
    free(k.data);
    fpu_firmware_init(cpu);             /* a BIOS's POST would have run FNINIT */
}
