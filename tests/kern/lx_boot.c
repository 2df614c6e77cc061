/* lx_boot: vm's Linux loader (boot.c), seen from the kernel's side.  Built
 * as a bzImage (lx_header.S + this code at 1 MiB) and run by
 * tests/lxboot.sh with -append "lxtest ram=MiB cpus=N initrd=BYTES" and an
 * initrd file of BYTES bytes of 'U'.
 *
 * Checks, per the x86 boot protocol (Documentation/arch/x86/boot.rst,
 * "32-bit boot protocol") and the MP specification 1.4:
 *  - entry state: CS 0x10 and DS/ES/SS 0x18 flat, interrupts off, paging
 *    off, ESI = boot_params with our setup header copied in and
 *    type_of_loader set;
 *  - the command line at cmd_line_ptr is the one given;
 *  - the E820 map: usable RAM from 1 MiB to the end of -m, base memory,
 *    nothing usable overlapping the EBDA, the BIOS area or the APICs;
 *  - the initrd: page-aligned, above the kernel, inside RAM and below
 *    initrd_addr_max, of the size given, every byte 'U';
 *  - the MP table: floating pointer in the EBDA (BDA 0x40E), both
 *    checksums, one processor entry per vCPU with distinct APIC IDs and one
 *    BSP, the ISA bus, the IO-APIC at 0xFEC00000, 15 ISA interrupts with
 *    IRQ0 on pin 2, ExtINT on LINT0 and NMI on LINT1. */
#include "klib.h"

static uint32_t rd32(const uint8_t *p) { return *(const uint32_t *)p; }
static uint16_t rd16(const uint8_t *p) { return *(const uint16_t *)p; }

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

/* The number after "key=" in the command line, or 0. */
static uint32_t arg(const char *cl, const char *key)
{
    for (const char *p = cl; *p; p++)
        if ((p == cl || p[-1] == ' ') && starts_with(p, key)) {
            uint32_t v = 0;
            while (*p && *p != '=')
                p++;
            for (p++; *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (uint32_t)(*p - '0');
            return v;
        }
    return 0;
}

static uint8_t sum(const uint8_t *p, uint32_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

static void check_entry_state(const uint8_t *bp)
{
    uint16_t cs, ds, ss;
    uint32_t cr0, eflags;
    __asm__ volatile("mov %%cs, %0; mov %%ds, %1; mov %%ss, %2" : "=r"(cs), "=r"(ds), "=r"(ss));
    __asm__ volatile("mov %%cr0, %0; pushf; pop %1" : "=r"(cr0), "=r"(eflags));
    CHECK_EQ(cs, 0x10, "CS is __BOOT_CS");
    CHECK_EQ(ds, 0x18, "DS is __BOOT_DS");
    CHECK_EQ(ss, 0x18, "SS is __BOOT_DS");
    CHECK_EQ(cr0 & 0x80000001u, 1, "protected mode, paging off");
    CHECK_EQ(eflags & 0x200, 0, "interrupts off");
    CHECK_EQ(rd32(bp + 0x202), 0x53726448, "setup header copied (HdrS)");
    CHECK_EQ(rd16(bp + 0x206), 0x020f, "protocol version copied");
    CHECK_EQ(bp[0x210], 0xff, "type_of_loader set");
    CHECK(bp[0x211] & 1, "LOADED_HIGH");
}

static void check_e820(const uint8_t *bp, uint32_t ram)
{
    int n = bp[0x1e8], high_ok = 0, low_ok = 0;
    CHECK(n >= 2 && n <= 128, "E820 entry count");
    for (int i = 0; i < n; i++) {
        const uint8_t *e = bp + 0x2d0 + 20 * i;
        uint32_t base = rd32(e), len = rd32(e + 8), type = rd32(e + 16);
        CHECK_EQ(rd32(e + 4) | rd32(e + 12), 0, "E820 entries below 4 GiB");
        if (type != 1)
            continue;
        if (base == 0x100000 && base + len == ram)
            high_ok = 1;
        if (base == 0 && len >= 0x9f000 && len <= 0xa0000)
            low_ok = 1;
        CHECK(base + len <= 0x9fc00 || base >= 0x100000, "no usable RAM over the EBDA or the BIOS");
        CHECK(base + len <= 0xfec00000u, "no usable RAM over the APICs");
    }
    CHECK(high_ok, "usable RAM from 1 MiB to the end of -m");
    CHECK(low_ok, "usable base memory");
}

static void check_initrd(const uint8_t *bp, uint32_t ram, uint32_t size)
{
    uint32_t at = rd32(bp + 0x218), len = rd32(bp + 0x21c);
    CHECK_EQ(len, size, "ramdisk_size");
    CHECK_EQ(at & 0xfff, 0, "initrd page-aligned");
    CHECK(at >= 0x200000 && at + len <= ram && at + len - 1 <= rd32(bp + 0x22c),
          "initrd above the kernel, in RAM, below initrd_addr_max");
    uint32_t bad = 0;
    for (uint32_t i = 0; i < len; i++)
        bad += ((const uint8_t *)at)[i] != 'U';
    CHECK_EQ(bad, 0, "initrd contents");
}

static void check_mptable(uint32_t cpus)
{
    uint32_t ebda_seg;                  /* BDA 0x40E (asm: gcc frowns on low fixed addresses) */
    __asm__ volatile("movzwl 0x40e, %k0" : "=r"(ebda_seg));
    const uint8_t *fp = (const uint8_t *)((uint32_t)ebda_seg << 4);
    CHECK_EQ(rd32(fp), 0x5f504d5f, "MP floating pointer at the EBDA (_MP_)");
    CHECK_EQ(sum(fp, 16), 0, "floating pointer checksum");
    const uint8_t *t = (const uint8_t *)rd32(fp + 4), *e;
    CHECK_EQ(rd32(t), 0x504d4350, "configuration table (PCMP)");
    CHECK_EQ(sum(t, rd16(t + 4)), 0, "configuration table checksum");
    CHECK_EQ(rd32(t + 36), 0xfee00000u, "local APIC address");
    uint32_t procs = 0, bsps = 0, ids = 0, buses = 0, ioapics = 0, ints = 0, lints = 0, irq0 = 0;
    e = t + 44;
    for (uint32_t i = 0; i < rd16(t + 34); i++) {
        switch (e[0]) {
        case 0:
            procs++;
            bsps += (e[3] & 2) != 0;
            ids |= 1u << e[1];
            e += 20;
            continue;
        case 1: buses += starts_with((const char *)e + 2, "ISA"); break;
        case 2: ioapics += rd32(e + 4) == 0xfec00000u && (e[3] & 1); break;
        case 3: ints++; irq0 += e[5] == 0 && e[7] == 2; break;
        case 4: lints += (e[1] == 3 && e[7] == 0) || (e[1] == 1 && e[7] == 1); break;
        }
        e += 8;
    }
    CHECK_EQ(procs, cpus, "one processor entry per vCPU");
    CHECK_EQ(ids, (1u << cpus) - 1, "APIC IDs 0..N-1");
    CHECK_EQ(bsps, 1, "one BSP");
    CHECK_EQ(buses, 1, "the ISA bus");
    CHECK_EQ(ioapics, 1, "the IO-APIC");
    CHECK_EQ(ints, 15, "ISA IRQs 0-15 but the cascade");
    CHECK_EQ(irq0, 1, "IRQ0 on pin 2");
    CHECK_EQ(lints, 2, "ExtINT on LINT0, NMI on LINT1");
}

int lx_main(const uint8_t *bp)
{
    check_entry_state(bp);
    const char *cl = (const char *)rd32(bp + 0x228);
    CHECK(starts_with(cl, "lxtest "), "the command line");
    uint32_t ram = arg(cl, "ram") << 20;
    check_e820(bp, ram);
    check_initrd(bp, ram, arg(cl, "initrd"));
    check_mptable(arg(cl, "cpus"));
    return kdone("lx_boot");
}
