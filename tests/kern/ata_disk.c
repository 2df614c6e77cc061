/* ata_disk: the ATA disk (ata.c) as a guest driver sees it, checked
 * against ATA/ATAPI-6.  tests/ata.sh makes the disk images and runs this
 * kernel with `-hda IMAGE -append "SCENARIO sectors=N"`, one scenario per
 * run, and checks the image file afterwards.  Not a t_* kernel: it needs
 * a disk, which tests/run.sh does not give.
 *
 * The images ata.sh makes hold in each sector its LBA as 8 bytes (little
 * endian) and then the bytes j & 0xff (j = 8..511, the offset in the
 * sector): a "marker".  Sectors this kernel writes hold their LBA and
 * then j ^ 0x5a; it prints "wrote LBA COUNT" for each range it wrote, so
 * that ata.sh can build the image it expects.
 *
 * Scenarios:
 *   proto     the register protocol on a marker image: power-on state and
 *             signature, IDENTIFY, READ SECTORS/EXT/MULTIPLE(EXT) in LBA28,
 *             LBA48 and CHS (with INITIALIZE DEVICE PARAMETERS), 32-bit
 *             data transfers, READ VERIFY, SEEK, READ NATIVE MAX, the HOB
 *             read-back, bad addresses (IDNF) and commands (ABRT), SET
 *             FEATURES, power modes, an absent device 1, soft reset and
 *             EXECUTE DEVICE DIAGNOSTIC, IRQ14 per DRQ block with nIEN clear
 *             and none with nIEN set;
 *   write     WRITE SECTORS/EXT/MULTIPLE(EXT) in every addressing, FLUSH
 *             CACHE (EXT), the write cache off, read back what was written;
 *   identify  IDENTIFY DEVICE for an image of N sectors (any size);
 *   big       a 2 TiB image: 48-bit addresses up to 2^32 - 1, the limits
 *             of 28-bit ones, one write near the end;
 *   readonly  a write-protected image: reads work, writes abort;
 *   tail      an image of 1000 bytes: the last sector is padded with zeros
 *             (after an abandoned write filled the device's buffer);
 *   exitwrite write a sector and exit at once: the write still lands;
 *   fill      write every sector, then read them all back;
 *   speed     read the whole image and print the rate (a measurement).
 */
#include "klib.h"

#define REG_DATA    0x1f0
#define REG_ERROR   0x1f1       /* read */
#define REG_FEATURE 0x1f1       /* write */
#define REG_NSECT   0x1f2
#define REG_LBAL    0x1f3
#define REG_LBAM    0x1f4
#define REG_LBAH    0x1f5
#define REG_DEVICE  0x1f6
#define REG_STATUS  0x1f7       /* read */
#define REG_CMD     0x1f7       /* write */
#define REG_ALT     0x3f6       /* read */
#define REG_CTL     0x3f6       /* write */

#define ST_BSY  0x80
#define ST_DRDY 0x40
#define ST_DSC  0x10
#define ST_DRQ  0x08
#define ST_ERR  0x01
#define ST_READY (ST_DRDY | ST_DSC)

#define ERR_IDNF 0x10
#define ERR_ABRT 0x04

#define CTL_NIEN 0x02
#define CTL_SRST 0x04
#define CTL_HOB  0x80

#define TIMEOUT_NS 5000000000ull
#define MAX_SECTORS 300

static uint8_t buf[MAX_SECTORS * 512] __attribute__((aligned(4)));
static uint8_t wbuf[MAX_SECTORS * 512] __attribute__((aligned(4)));
static uint16_t id[256];
static uint64_t nsectors;       /* the image's size, from "sectors=N" */

/* ---- Interrupts: IRQ14 through the 8259s on vector 0x2E ------------------------- */

static volatile uint32_t irqs;          /* IRQ14s taken */
static volatile uint32_t spurious;      /* IRQ7/IRQ15 spurious vectors: must stay 0 */
static uint32_t irqs_expected;
static int irq_mode;                    /* nIEN clear: every interrupt point is awaited */

/* The handler acknowledges the device (reading Status), then the 8259s. */
void ata_isr(void);
__asm__(".globl ata_isr\n"
        "ata_isr:\n\t"
        "pushl %eax\n\tpushl %edx\n\t"
        "movw $0x1f7, %dx\n\tinb %dx, %al\n\t"
        "incl irqs\n\t"
        "movb $0x20, %al\n\toutb %al, $0xa0\n\toutb %al, $0x20\n\t"
        "popl %edx\n\tpopl %eax\n\tiret\n");
void spurious_isr(void);
__asm__(".globl spurious_isr\n"
        "spurious_isr:\n\tincl spurious\n\tiret\n");

static void irq_init(void)
{
    outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 4); outb(0x21, 1);
    outb(0xa0, 0x11); outb(0xa1, 0x28); outb(0xa1, 2); outb(0xa1, 1);
    outb(0x21, 0xfb);                   /* only the cascade (IR2) on the master */
    outb(0xa1, 0xbf);                   /* only IRQ14 on the slave */
    kset_intr_gate(0x2e, ata_isr);
    kset_intr_gate(0x27, spurious_isr);
    kset_intr_gate(0x2f, spurious_isr);
    kload_idt();
    __asm__ volatile("sti");
}

/* Interrupts on (nIEN clear) or off, as a driver switches them. */
static void set_irq_mode(int on)
{
    irq_mode = on;
    outb(REG_CTL, on ? 0 : CTL_NIEN);
}

/* Not busy any more: the alternate status (which acknowledges nothing). */
static uint8_t wait_idle(void)
{
    uint64_t t0 = rdtsc();
    uint8_t st;
    while ((st = inb(REG_ALT)) & ST_BSY) {
        if (rdtsc() - t0 > TIMEOUT_NS) {
            kfail(__FILE__, __LINE__, "the device stays busy", st, 0);
            return st;
        }
    }
    return st;
}

/* The next interrupt point of a command: with interrupts on, wait for the
 * interrupt if one is due (`interrupt`), else poll.  Returns the status;
 * a polling driver's read of Status acknowledges. */
static uint8_t await(int interrupt)
{
    if (interrupt && irq_mode) {
        uint64_t t0 = rdtsc();
        irqs_expected++;
        while (irqs < irqs_expected) {
            if (rdtsc() - t0 > TIMEOUT_NS) {
                kfail(__FILE__, __LINE__, "no IRQ14", irqs, irqs_expected);
                irqs_expected = irqs;
                break;
            }
        }
    }
    uint8_t st = wait_idle();
    return irq_mode ? st : inb(REG_STATUS);
}

/* Exactly the interrupts we waited for came, no more. */
static void check_irqs(const char *what)
{
    CHECK_EQ(irqs, irqs_expected, what);
    irqs_expected = irqs;
}

/* ---- Task file and data --------------------------------------------------------- */

static void tf28(uint32_t lba, uint32_t count)
{
    outb(REG_DEVICE, (uint8_t)(0xe0 | ((lba >> 24) & 0x0f)));
    outb(REG_NSECT, (uint8_t)count);
    outb(REG_LBAL, (uint8_t)lba);
    outb(REG_LBAM, (uint8_t)(lba >> 8));
    outb(REG_LBAH, (uint8_t)(lba >> 16));
}

/* 48-bit: the previous bytes first, as the registers are two-deep FIFOs. */
static void tf48(uint64_t lba, uint32_t count)
{
    outb(REG_DEVICE, 0x40);
    outb(REG_NSECT, (uint8_t)(count >> 8));
    outb(REG_LBAL, (uint8_t)(lba >> 24));
    outb(REG_LBAM, (uint8_t)(lba >> 32));
    outb(REG_LBAH, (uint8_t)(lba >> 40));
    outb(REG_NSECT, (uint8_t)count);
    outb(REG_LBAL, (uint8_t)lba);
    outb(REG_LBAM, (uint8_t)(lba >> 8));
    outb(REG_LBAH, (uint8_t)(lba >> 16));
}

static void tfchs(uint32_t cyl, uint32_t head, uint32_t sect, uint32_t count)
{
    outb(REG_DEVICE, (uint8_t)(0xa0 | head));
    outb(REG_NSECT, (uint8_t)count);
    outb(REG_LBAL, (uint8_t)sect);
    outb(REG_LBAM, (uint8_t)cyl);
    outb(REG_LBAH, (uint8_t)(cyl >> 8));
}

/* The 28-bit LBA the registers hold now. */
static uint32_t regs_lba28(void)
{
    return inb(REG_LBAL) | (uint32_t)inb(REG_LBAM) << 8 | (uint32_t)inb(REG_LBAH) << 16 |
           (uint32_t)(inb(REG_DEVICE) & 0x0f) << 24;
}

/* The 48-bit LBA the registers hold now (the HOB read-back). */
static uint64_t regs_lba48(void)
{
    uint8_t ctl = irq_mode ? 0 : CTL_NIEN;
    uint32_t lo = inb(REG_LBAL) | (uint32_t)inb(REG_LBAM) << 8 | (uint32_t)inb(REG_LBAH) << 16;
    outb(REG_CTL, ctl | CTL_HOB);
    uint64_t hi = inb(REG_LBAL) | (uint32_t)inb(REG_LBAM) << 8 | (uint32_t)inb(REG_LBAH) << 16;
    outb(REG_CTL, ctl);
    return lo | hi << 24;
}

/* REP INSW/INSD: bytes through the data port, 2 or 4 at a time. */
static void data_in(uint8_t *dst, uint32_t bytes, int width)
{
    uint32_t n = bytes / (uint32_t)width;
    if (width == 4)
        __asm__ volatile("cld; rep insl" : "+D"(dst), "+c"(n) : "d"(REG_DATA) : "memory");
    else
        __asm__ volatile("cld; rep insw" : "+D"(dst), "+c"(n) : "d"(REG_DATA) : "memory");
}

static void data_out(const uint8_t *src, uint32_t bytes, int width)
{
    uint32_t n = bytes / (uint32_t)width;
    if (width == 4)
        __asm__ volatile("cld; rep outsl" : "+S"(src), "+c"(n) : "d"(REG_DATA) : "memory");
    else
        __asm__ volatile("cld; rep outsw" : "+S"(src), "+c"(n) : "d"(REG_DATA) : "memory");
}

/* A PIO data-in command on the loaded task file: count sectors into buf in
 * DRQ blocks of `block`, each announced by an interrupt.  Returns the
 * status at the end (ST_READY) or where it went wrong. */
static uint8_t pio_in(uint8_t cmd, uint32_t count, uint32_t block, int width)
{
    outb(REG_CMD, cmd);
    for (uint32_t done = 0; done < count;) {
        uint8_t st = await(1);
        if ((st & (ST_BSY | ST_DRQ | ST_ERR)) != ST_DRQ)
            return st;
        uint32_t n = block < count - done ? block : count - done;
        data_in(buf + done * 512, n * 512, width);
        done += n;
    }
    return await(0);                    /* no interrupt after the last block */
}

/* A PIO data-out command: the first block goes unasked, each next one on
 * an interrupt, and an interrupt ends the command. */
static uint8_t pio_out(uint8_t cmd, uint32_t count, uint32_t block, int width)
{
    outb(REG_CMD, cmd);
    for (uint32_t done = 0; done < count;) {
        uint8_t st = await(done > 0);
        if ((st & (ST_BSY | ST_DRQ | ST_ERR)) != ST_DRQ)
            return st;
        uint32_t n = block < count - done ? block : count - done;
        data_out(wbuf + done * 512, n * 512, width);
        done += n;
    }
    return await(1);
}

/* A command that completes (or fails) with one interrupt and no data. */
static uint8_t nodata(uint8_t cmd)
{
    outb(REG_CMD, cmd);
    return await(1);
}

/* The command must fail at once with ERR and `error`. */
static void expect_fail(uint8_t cmd, uint8_t error, const char *what)
{
    uint8_t st = nodata(cmd);
    CHECK_EQ(st & (ST_ERR | ST_DRQ | ST_BSY), ST_ERR, what);
    CHECK_EQ(inb(REG_ERROR), error, what);
}

static void identify(void)
{
    uint8_t st = pio_in(0xec, 1, 1, 2);
    CHECK_EQ(st, ST_READY, "IDENTIFY DEVICE completes");
    for (int i = 0; i < 256; i++)
        id[i] = (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
}

static void set_features(uint8_t sub, uint8_t count, uint8_t want_status, const char *what)
{
    outb(REG_FEATURE, sub);
    outb(REG_NSECT, count);
    CHECK_EQ(nodata(0xef) & (ST_ERR | ST_DRQ), want_status, what);
}

static void set_multiple(uint32_t n)
{
    outb(REG_NSECT, (uint8_t)n);
    CHECK_EQ(nodata(0xc6), ST_READY, "SET MULTIPLE MODE");
}

/* ---- Sector contents ------------------------------------------------------------- */

/* A sector made by ata.sh (xor 0) or written here (xor 0x5a): the LBA as
 * 8 bytes, then j ^ xor.  Returns the first wrong offset, or -1. */
static int sector_bad(const uint8_t *p, uint64_t lba, uint8_t xor)
{
    for (int j = 0; j < 8; j++)
        if (p[j] != (uint8_t)(lba >> (8 * j)))
            return j;
    for (int j = 8; j < 512; j++)
        if (p[j] != (uint8_t)(j ^ xor))
            return j;
    return -1;
}

static void fill_sector(uint8_t *p, uint64_t lba, uint8_t xor)
{
    for (int j = 0; j < 8; j++)
        p[j] = (uint8_t)(lba >> (8 * j));
    for (int j = 8; j < 512; j++)
        p[j] = (uint8_t)(j ^ xor);
}

/* buf holds count sectors from lba, each made by ata.sh (xor 0) or by us. */
static void check_sectors(uint64_t lba, uint32_t count, uint8_t xor, const char *what)
{
    for (uint32_t i = 0; i < count; i++) {
        int bad = sector_bad(buf + i * 512, lba + i, xor);
        if (bad >= 0) {
            kfail(__FILE__, __LINE__, what, (uint32_t)(lba + i), (uint32_t)bad);
            return;
        }
    }
}

static void check_zero(uint32_t from, uint32_t to, const char *what)
{
    for (uint32_t i = from; i < to; i++)
        if (buf[i]) {
            kfail(__FILE__, __LINE__, what, i, 0);
            return;
        }
}

/* Read count sectors with READ SECTORS (EXT when ext) and check them. */
static void read_check(int ext, uint64_t lba, uint32_t count, uint8_t xor, const char *what)
{
    if (ext)
        tf48(lba, count);
    else
        tf28((uint32_t)lba, count);
    CHECK_EQ(pio_in(ext ? 0x24 : 0x20, count, 1, 2), ST_READY, what);
    check_sectors(lba, count, xor, what);
}

/* ---- IDENTIFY DEVICE -------------------------------------------------------------- */

static int id_string_is(int first, int nwords, const char *want)
{
    for (int i = 0; i < 2 * nwords; i++) {
        uint16_t w = id[first + i / 2];
        char c = (char)((i & 1) ? (w & 0xff) : (w >> 8));
        char expect = *want ? *want++ : ' ';
        if (c != expect)
            return 0;
    }
    return 1;
}

static int id_string_printable(int first, int nwords)
{
    int blank = 1;
    for (int i = 0; i < nwords; i++)
        for (int b = 0; b < 2; b++) {
            uint8_t c = (uint8_t)(id[first + i] >> (8 * b));
            if (c < 0x20 || c > 0x7e)
                return 0;
            if (c != ' ')
                blank = 0;
        }
    return !blank;
}

/* The words an image of n sectors must show with the default CHS
 * translation, multiple mode off and the write cache on. */
static void check_identify(uint64_t n)
{
    uint32_t chs_n = n < 16514064 ? (uint32_t)n : 16514064;
    uint32_t cyls = chs_n / (16 * 63);
    uint32_t lba28 = n < 0x0fffffff ? (uint32_t)n : 0x0fffffff;
    identify();
    CHECK_EQ(id[0], 0x0040, "word 0: a fixed ATA device");
    CHECK_EQ(id[1], cyls, "word 1: default cylinders");
    CHECK_EQ(id[3], 16, "word 3: default heads");
    CHECK_EQ(id[6], 63, "word 6: default sectors per track");
    CHECK(id_string_printable(10, 10), "words 10-19: an ASCII serial number");
    CHECK(id_string_printable(23, 4), "words 23-26: an ASCII firmware revision");
    CHECK(id_string_is(27, 20, "VM HARDDISK"), "words 27-46: model 'VM HARDDISK', byte-swapped");
    CHECK_EQ(id[47], 0x8010, "word 47: READ/WRITE MULTIPLE up to 16 sectors");
    CHECK_EQ(id[49] & 0x0300, 0x0200, "word 49: LBA, no DMA");
    CHECK_EQ(id[50] & 0xc000, 0x4000, "word 50: bit 14 set");
    CHECK_EQ(id[53] & 1, 1, "word 53: words 54-58 valid");
    CHECK_EQ(id[54], cyls, "word 54: current cylinders");
    CHECK_EQ(id[55], 16, "word 55: current heads");
    CHECK_EQ(id[56], 63, "word 56: current sectors per track");
    CHECK_EQ(id[57] | (uint32_t)id[58] << 16, cyls * 16 * 63, "words 57-58: current CHS capacity");
    CHECK_EQ(id[59], 0, "word 59: multiple mode off at power-on");
    CHECK_EQ(id[60] | (uint32_t)id[61] << 16, lba28, "words 60-61: 28-bit capacity");
    CHECK_EQ(id[63] | id[88], 0, "words 63 and 88: no DMA modes");
    CHECK(id[80] & (1 << 6), "word 80: ATA/ATAPI-6");
    CHECK_EQ(id[83] & 0xf400, 0x7400, "word 83: valid, 48-bit, FLUSH CACHE (EXT)");
    CHECK_EQ(id[86] & 0x3400, 0x3400, "word 86: 48-bit and FLUSH CACHE (EXT) enabled");
    CHECK_EQ(id[82] & 0x0020, 0x0020, "word 82: write cache supported");
    CHECK_EQ(id[85] & 0x0020, 0x0020, "word 85: write cache enabled");
    CHECK_EQ(id[100] | (uint32_t)id[101] << 16, (uint32_t)n, "words 100-101: 48-bit capacity");
    CHECK_EQ(id[102] | (uint32_t)id[103] << 16, (uint32_t)(n >> 32), "words 102-103: 48-bit capacity");
    CHECK_EQ(id[255] & 0xff, 0xa5, "word 255: signature A5h");
    uint8_t sum = 0;
    for (int i = 0; i < 512; i++)
        sum = (uint8_t)(sum + buf[i]);
    CHECK_EQ(sum, 0, "word 255: the checksum makes the 512 bytes sum to 0");
    check_irqs("IDENTIFY: one interrupt");
}

/* ---- proto ------------------------------------------------------------------------ */

static void check_signature(const char *what)
{
    CHECK_EQ(inb(REG_NSECT), 1, what);
    CHECK_EQ(inb(REG_LBAL), 1, what);
    CHECK_EQ(inb(REG_LBAM), 0, what);
    CHECK_EQ(inb(REG_LBAH), 0, what);
    CHECK_EQ(inb(REG_DEVICE) & 0x10, 0, what);
    CHECK_EQ(inb(REG_ERROR), 0x01, what);
}

static void test_power_on(void)
{
    CHECK_EQ(inb(REG_ALT), ST_READY, "status after power-on: DRDY DSC");
    check_signature("the ATA signature after power-on");
}

static void test_reads(void)
{
    read_check(0, 0, 1, 0, "READ SECTORS LBA 0");
    CHECK_EQ(inb(REG_NSECT), 0, "READ SECTORS: no sectors left");
    tf28(5, 3);
    CHECK_EQ(pio_in(0x21, 3, 1, 2), ST_READY, "READ SECTORS (21h) of 3");
    check_sectors(5, 3, 0, "READ SECTORS (21h) of 3");
    check_irqs("READ SECTORS: one interrupt per sector");
    CHECK_EQ(regs_lba28(), 7, "READ SECTORS: the registers name the last sector read");
    read_check(0, 1000, 256, 0, "READ SECTORS with count 0 = 256 sectors");
    check_irqs("256 sectors: 256 interrupts");
    tf28((uint32_t)nsectors - 1, 1);
    CHECK_EQ(pio_in(0x20, 1, 1, 4), ST_READY, "READ SECTORS of the last sector, 32-bit PIO");
    check_sectors(nsectors - 1, 1, 0, "the last sector, 32-bit PIO");
    read_check(1, 1700, 300, 0, "READ SECTORS EXT of 300 sectors");
    CHECK_EQ((uint32_t)regs_lba48(), 1999, "READ SECTORS EXT: the registers name the last sector");
    read_check(1, 5, 1, 0, "READ SECTORS EXT LBA 5");
    check_irqs("reads: one interrupt per block");
}

static void test_multiple(void)
{
    tf28(20, 19);
    expect_fail(0xc4, ERR_ABRT, "READ MULTIPLE without SET MULTIPLE MODE aborts");
    outb(REG_NSECT, 3);
    expect_fail(0xc6, ERR_ABRT, "SET MULTIPLE MODE 3 aborts");
    set_multiple(8);
    identify();
    CHECK_EQ(id[59], 0x0108, "word 59: multiple mode 8");
    tf28(20, 19);
    uint32_t before = irqs_expected;
    CHECK_EQ(pio_in(0xc4, 19, 8, 2), ST_READY, "READ MULTIPLE 19 in blocks of 8");
    CHECK_EQ(irqs_expected - before, 3, "READ MULTIPLE: one interrupt per block (8 8 3)");
    check_sectors(20, 19, 0, "READ MULTIPLE");
    set_multiple(16);
    tf48(40, 33);
    before = irqs_expected;
    CHECK_EQ(pio_in(0x29, 33, 16, 4), ST_READY, "READ MULTIPLE EXT 33 in blocks of 16");
    CHECK_EQ(irqs_expected - before, 3, "READ MULTIPLE EXT: one interrupt per block (16 16 1)");
    check_sectors(40, 33, 0, "READ MULTIPLE EXT");
    check_irqs("multiple: interrupts");
}

static void test_chs(void)
{
    /* the default translation: 16 heads, 63 sectors per track */
    tfchs(1, 2, 3, 2);
    CHECK_EQ(pio_in(0x20, 2, 1, 2), ST_READY, "CHS read (1,2,3)");
    check_sectors((1 * 16 + 2) * 63 + 2, 2, 0, "CHS (1,2,3) is LBA 1136");
    CHECK_EQ(inb(REG_LBAL), 4, "CHS: the registers name the last sector (sector 4)");
    CHECK_EQ(inb(REG_DEVICE) & 0x0f, 2, "CHS: head 2");
    CHECK_EQ(inb(REG_LBAM) | inb(REG_LBAH) << 8, 1, "CHS: cylinder 1");
    tfchs(0, 0, 0, 1);
    expect_fail(0x20, ERR_IDNF, "CHS sector 0 does not exist");
    tfchs((uint32_t)(nsectors / 1008), 0, 1, 1);
    expect_fail(0x20, ERR_IDNF, "CHS cylinder past the last");

    outb(REG_DEVICE, 0xa0 | 3);          /* INITIALIZE DEVICE PARAMETERS: 4 heads, 17 sectors */
    outb(REG_NSECT, 17);
    CHECK_EQ(nodata(0x91), ST_READY, "INITIALIZE DEVICE PARAMETERS 4 x 17");
    identify();
    uint32_t cyls = (uint32_t)nsectors / 68;
    CHECK_EQ(id[54], cyls, "word 54 follows the new translation");
    CHECK_EQ(id[55], 4, "word 55: 4 heads");
    CHECK_EQ(id[56], 17, "word 56: 17 sectors");
    CHECK_EQ(id[57] | (uint32_t)id[58] << 16, cyls * 68, "words 57-58");
    CHECK_EQ(id[1], nsectors / 1008, "word 1 keeps the default translation");
    tfchs(2, 3, 5, 1);
    CHECK_EQ(pio_in(0x20, 1, 1, 2), ST_READY, "CHS read (2,3,5) under 4 x 17");
    check_sectors((2 * 4 + 3) * 17 + 4, 1, 0, "CHS (2,3,5) under 4 x 17 is LBA 191");
    tfchs(0, 4, 1, 1);
    expect_fail(0x20, ERR_IDNF, "CHS head 4 of 4 does not exist");
    outb(REG_DEVICE, 0xa0 | 3);
    outb(REG_NSECT, 0);
    expect_fail(0x91, ERR_ABRT, "INITIALIZE DEVICE PARAMETERS with 0 sectors aborts");
    tfchs(0, 0, 1, 1);
    expect_fail(0x20, ERR_IDNF, "no valid translation: CHS reads fail with IDNF");
    read_check(0, 191, 1, 0, "LBA reads do not care");
    outb(REG_DEVICE, 0xa0 | 15);
    outb(REG_NSECT, 63);
    CHECK_EQ(nodata(0x91), ST_READY, "INITIALIZE DEVICE PARAMETERS 16 x 63");
    check_irqs("CHS: interrupts");
}

static void test_errors(void)
{
    tf28((uint32_t)nsectors - 1, 2);
    expect_fail(0x20, ERR_IDNF, "READ SECTORS past the end: IDNF");
    tf28((uint32_t)nsectors, 1);
    expect_fail(0x20, ERR_IDNF, "READ SECTORS at the size: IDNF");
    tf48(((uint64_t)1 << 24) | 5, 1);
    expect_fail(0x24, ERR_IDNF, "READ SECTORS EXT uses the previous LBA low byte (LBA 2^24 + 5)");
    tf48(0, 0);
    expect_fail(0x24, ERR_IDNF, "READ SECTORS EXT count 0 = 65536 sectors: past the end");
    static const uint8_t unknown[] = { 0x00, 0x08, 0xa0, 0xa1, 0xb0, 0xc8, 0xca, 0xe4, 0xf9, 0xff };
    for (unsigned i = 0; i < sizeof(unknown); i++) {
        tf28(0, 1);
        expect_fail(unknown[i], ERR_ABRT, "unknown or unsupported command aborts");
    }
    tf28(10, 5);
    CHECK_EQ(nodata(0x40), ST_READY, "READ VERIFY SECTORS");
    tf48(nsectors - 8, 9);
    expect_fail(0x42, ERR_IDNF, "READ VERIFY SECTORS EXT past the end");
    tf48(nsectors - 8, 8);
    CHECK_EQ(nodata(0x42), ST_READY, "READ VERIFY SECTORS EXT of the last 8");
    tf28(100, 1);
    CHECK_EQ(nodata(0x70), ST_READY, "SEEK");
    tf28((uint32_t)nsectors, 1);
    expect_fail(0x70, ERR_IDNF, "SEEK past the end");
    CHECK_EQ(nodata(0x10), ST_READY, "RECALIBRATE");
    CHECK_EQ(nodata(0x1f), ST_READY, "RECALIBRATE (1Fh, ATA-1)");
    tf28(0, 0);
    CHECK_EQ(nodata(0xf8), ST_READY, "READ NATIVE MAX ADDRESS");
    CHECK_EQ(regs_lba28(), nsectors - 1, "READ NATIVE MAX ADDRESS: the last LBA");
    tf48(0, 0);
    CHECK_EQ(nodata(0x27), ST_READY, "READ NATIVE MAX ADDRESS EXT");
    CHECK(regs_lba48() == nsectors - 1, "READ NATIVE MAX ADDRESS EXT: the last LBA");
    check_irqs("errors: one interrupt per command");
}

static void test_features(void)
{
    set_features(0x03, 0x0c, 0, "SET FEATURES: PIO mode 4");
    set_features(0x03, 0x45, ST_ERR, "SET FEATURES: UDMA mode 5 aborts (no DMA)");
    set_features(0x82, 0, 0, "SET FEATURES: write cache off");
    identify();
    CHECK_EQ(id[85] & 0x0020, 0, "word 85: write cache disabled");
    set_features(0x02, 0, 0, "SET FEATURES: write cache on");
    set_features(0x55, 0, 0, "SET FEATURES: read look-ahead off");
    identify();
    CHECK_EQ(id[85] & 0x0060, 0x0020, "word 85: write cache on, look-ahead off");
    set_features(0xaa, 0, 0, "SET FEATURES: read look-ahead on");
    set_features(0x77, 0, ST_ERR, "SET FEATURES 77h aborts");
    CHECK_EQ(inb(REG_ERROR), ERR_ABRT, "SET FEATURES 77h: ABRT");

    CHECK_EQ(nodata(0xe5), ST_READY, "CHECK POWER MODE");
    CHECK_EQ(inb(REG_NSECT), 0xff, "active");
    CHECK_EQ(nodata(0xe0), ST_READY, "STANDBY IMMEDIATE");
    nodata(0xe5);
    CHECK_EQ(inb(REG_NSECT), 0x00, "standby");
    CHECK_EQ(nodata(0xe1), ST_READY, "IDLE IMMEDIATE");
    nodata(0x98);
    CHECK_EQ(inb(REG_NSECT), 0x80, "idle (CHECK POWER MODE as 98h)");
    read_check(0, 3, 1, 0, "a read wakes the disk");
    nodata(0xe5);
    CHECK_EQ(inb(REG_NSECT), 0xff, "active again");
    check_irqs("features: interrupts");
}

/* The 48-bit registers are two-byte FIFOs; HOB reads the older byte, and
 * any write to a command-block register clears HOB. */
static void test_hob(void)
{
    static const uint16_t regs[] = { REG_NSECT, REG_LBAL, REG_LBAM, REG_LBAH };
    uint8_t ctl = irq_mode ? 0 : CTL_NIEN;
    for (unsigned i = 0; i < 4; i++) {
        outb(regs[i], (uint8_t)(0x12 + i));
        outb(regs[i], (uint8_t)(0x34 + i));
        CHECK_EQ(inb(regs[i]), 0x34 + i, "HOB clear: the latest byte");
        outb(REG_CTL, ctl | CTL_HOB);
        CHECK_EQ(inb(regs[i]), 0x12 + i, "HOB set: the previous byte");
        outb(REG_FEATURE, 0);
        CHECK_EQ(inb(regs[i]), 0x34 + i, "a command-block write clears HOB");
    }
}

/* No device 1: with DEV set, both status registers read 00h, commands go
 * nowhere, and the (shared) task file still echoes what was written. */
static void test_no_slave(void)
{
    outb(REG_DEVICE, 0xb0);
    CHECK_EQ(inb(REG_STATUS), 0, "device 1: status 00h");
    CHECK_EQ(inb(REG_ALT), 0, "device 1: alternate status 00h");
    outb(REG_NSECT, 0x55);
    outb(REG_LBAL, 0xaa);
    CHECK_EQ(inb(REG_NSECT), 0x55, "device 1: the task file echoes");
    CHECK_EQ(inb(REG_LBAL), 0xaa, "device 1: the task file echoes");
    outb(REG_CMD, 0xec);
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(inb(REG_ALT), 0, "device 1: IDENTIFY does nothing");
    outb(REG_DEVICE, 0xa0);
    CHECK_EQ(inb(REG_ALT), ST_READY, "device 0 again: ready, no DRQ");
    check_irqs("device 1: no interrupt");
}

static void test_reset(void)
{
    uint8_t ctl = irq_mode ? 0 : CTL_NIEN;
    set_multiple(8);
    outb(REG_CTL, ctl | CTL_SRST);
    CHECK_EQ(inb(REG_ALT) & ST_BSY, ST_BSY, "SRST: busy");
    outb(REG_CTL, ctl);
    CHECK_EQ(wait_idle(), ST_READY, "after SRST: ready");
    check_signature("the ATA signature after SRST");
    identify();
    CHECK_EQ(id[59], 0x0108, "SRST keeps multiple mode (reverting is off)");
    set_features(0xcc, 0, 0, "SET FEATURES: revert to defaults on reset");
    outb(REG_CTL, ctl | CTL_SRST);
    outb(REG_CTL, ctl);
    wait_idle();
    identify();
    CHECK_EQ(id[59], 0, "SRST with reverting on: multiple mode off");
    set_features(0x66, 0, 0, "SET FEATURES: keep settings on reset");

    /* A reset while a 256-sector read is under way, polled: a reset that
     * withdraws an interrupt the CPU has not taken yet makes the 8259
     * deliver a spurious IRQ15, as on hardware. */
    set_irq_mode(0);
    tf28(0, 0);
    outb(REG_CMD, 0x20);
    outb(REG_CTL, CTL_NIEN | CTL_SRST);
    outb(REG_CTL, CTL_NIEN);
    CHECK_EQ(wait_idle(), ST_READY, "SRST during a read: ready, no DRQ");
    check_signature("the ATA signature after SRST during a read");
    read_check(0, 9, 2, 0, "reads work after that reset");
    set_irq_mode(1);

    tf28(0x123456, 9);
    outb(REG_DEVICE, 0xb0);             /* for both devices, whichever is selected */
    CHECK_EQ(nodata(0x90), ST_READY, "EXECUTE DEVICE DIAGNOSTIC");
    check_signature("the ATA signature after EXECUTE DEVICE DIAGNOSTIC");
    check_irqs("reset: no interrupt; diagnostics: one");
}

/* nIEN set: the device interrupts nobody; clearing it with an interrupt
 * pending lets it through. */
static void test_nien(void)
{
    set_irq_mode(0);
    uint32_t before = irqs;
    read_check(0, 60, 2, 0, "polled READ SECTORS with nIEN set");
    CHECK_EQ(irqs, before, "nIEN set: no IRQ14");
    outb(REG_CMD, 0xe5);                /* CHECK POWER MODE; its interrupt stays pending */
    wait_idle();
    CHECK_EQ(irqs, before, "nIEN set: still no IRQ14");
    set_irq_mode(1);
    irqs_expected = irqs;
    await(1);
    check_irqs("clearing nIEN delivers the pending interrupt");
}

/* ---- write, big, readonly, tail --------------------------------------------------- */

/* Write count sectors of our pattern at lba with `cmd` and say so. */
static void write_range(uint8_t cmd, int ext, uint64_t lba, uint32_t count, uint32_t block,
                        int width, const char *what)
{
    for (uint32_t i = 0; i < count; i++)
        fill_sector(wbuf + i * 512, lba + i, 0x5a);
    if (ext)
        tf48(lba, count);
    else
        tf28((uint32_t)lba, count);
    uint32_t before = irqs_expected;
    CHECK_EQ(pio_out(cmd, count, block, width), ST_READY, what);
    if (irq_mode)
        CHECK_EQ(irqs_expected - before, (count + block - 1) / block, "one interrupt per block");
    kputs("wrote ");
    kputdec((uint32_t)lba);
    if (lba >> 32) {                    /* no 64-bit division here: print in hex */
        kputs(" hex ");
        kputhex((uint32_t)(lba >> 32));
    }
    kputc(' ');
    kputdec(count);
    kputc('\n');
}

static void scenario_write(void)
{
    write_range(0x30, 0, 100, 3, 1, 2, "WRITE SECTORS");
    fill_sector(wbuf, 130, 0x5a);
    tfchs(0, 2, 5, 1);                  /* (0*16 + 2)*63 + 4 = LBA 130 */
    CHECK_EQ(pio_out(0x31, 1, 1, 2), ST_READY, "WRITE SECTORS in CHS");
    kputs("wrote 130 1\n");
    set_multiple(8);
    write_range(0xc5, 0, 200, 20, 8, 2, "WRITE MULTIPLE");
    write_range(0x34, 1, 300, 2, 1, 4, "WRITE SECTORS EXT, 32-bit PIO");
    set_multiple(16);
    write_range(0x39, 1, 400, 17, 16, 2, "WRITE MULTIPLE EXT");
    set_features(0x82, 0, 0, "SET FEATURES: write cache off");
    write_range(0x30, 0, 500, 1, 1, 2, "WRITE SECTORS, write cache off");
    set_features(0x02, 0, 0, "SET FEATURES: write cache on");
    write_range(0x34, 1, 1024, 300, 1, 2, "WRITE SECTORS EXT of 300");
    CHECK_EQ(nodata(0xe7), ST_READY, "FLUSH CACHE");
    CHECK_EQ(nodata(0xea), ST_READY, "FLUSH CACHE EXT");
    tf28((uint32_t)nsectors - 1, 2);
    expect_fail(0x30, ERR_IDNF, "WRITE SECTORS past the end: IDNF before any data");

    read_check(0, 99, 1, 0, "before the first write: untouched");
    read_check(0, 100, 3, 0x5a, "read back WRITE SECTORS");
    read_check(0, 103, 1, 0, "after it: untouched");
    read_check(0, 130, 1, 0x5a, "read back the CHS write");
    read_check(1, 200, 20, 0x5a, "read back WRITE MULTIPLE");
    read_check(0, 220, 1, 0, "after it: untouched");
    read_check(1, 300, 2, 0x5a, "read back WRITE SECTORS EXT");
    read_check(1, 400, 17, 0x5a, "read back WRITE MULTIPLE EXT");
    read_check(0, 417, 1, 0, "after it: untouched");
    read_check(0, 500, 1, 0x5a, "read back the write without cache");
    read_check(1, 1024, 256, 0x5a, "read back WRITE SECTORS EXT of 300 (1)");
    read_check(1, 1280, 44, 0x5a, "read back WRITE SECTORS EXT of 300 (2)");
    read_check(0, 1324, 1, 0, "after it: untouched");
    check_irqs("write: interrupts");
}

static void scenario_big(void)
{
    check_identify(nsectors);
    tf48(0, 0);
    CHECK_EQ(nodata(0x27), ST_READY, "READ NATIVE MAX ADDRESS EXT");
    CHECK(regs_lba48() == nsectors - 1, "READ NATIVE MAX ADDRESS EXT: 2^32 - 1");
    tf28(0, 0);
    CHECK_EQ(nodata(0xf8), ST_READY, "READ NATIVE MAX ADDRESS");
    CHECK_EQ(regs_lba28(), 0x0ffffffe, "READ NATIVE MAX ADDRESS: 28 bits stop at 0FFFFFFEh");
    read_check(1, 300000000, 1, 0, "READ SECTORS EXT at 300000000 (LBA bits 24-31 in HOB)");
    read_check(0, 0x0ffffffe, 1, 0, "READ SECTORS at 0FFFFFFEh, the last 28-bit sector");
    tf28(0x0fffffff, 1);
    expect_fail(0x20, ERR_IDNF, "READ SECTORS at 0FFFFFFFh: beyond 28-bit capacity");
    read_check(1, 0x0fffffff, 1, 0, "READ SECTORS EXT at 0FFFFFFFh");
    read_check(1, 0xffffffffu, 1, 0, "READ SECTORS EXT of the last sector, 2^32 - 1");
    tf48(0xffffffffu, 2);
    expect_fail(0x24, ERR_IDNF, "READ SECTORS EXT past the end of 2 TiB");
    tf48(((uint64_t)1 << 32) | 5, 1);
    expect_fail(0x24, ERR_IDNF, "READ SECTORS EXT at 2^32 + 5: LBA bits 32-39 count");
    tf48(5, 1);
    CHECK_EQ(pio_in(0x24, 1, 1, 2), ST_READY, "READ SECTORS EXT at 5");
    check_zero(0, 512, "a sector never written reads as zeros");
    write_range(0x34, 1, 0xfffffffeu, 1, 1, 2, "WRITE SECTORS EXT at 2^32 - 2");
    read_check(1, 0xfffffffeu, 1, 0x5a, "read back the write at 2^32 - 2");
    read_check(1, 0xffffffffu, 1, 0, "the last sector is untouched");
    check_irqs("big: interrupts");
}

static void scenario_readonly(void)
{
    read_check(0, 0, 2, 0, "a write-protected disk reads");
    tf28(0, 1);
    expect_fail(0x30, ERR_ABRT, "WRITE SECTORS to a write-protected disk aborts");
    tf48(0, 1);
    expect_fail(0x34, ERR_ABRT, "WRITE SECTORS EXT to a write-protected disk aborts");
    set_multiple(2);
    tf28(0, 2);
    expect_fail(0xc5, ERR_ABRT, "WRITE MULTIPLE to a write-protected disk aborts");
    CHECK_EQ(nodata(0xe7), ST_READY, "FLUSH CACHE");
    read_check(0, 0, 2, 0, "the sectors are as they were");
    check_irqs("readonly: interrupts");
}

/* A new command ends a data-out transfer before its last word: nothing is
 * written (and buf, in the device, now holds our bytes where the image
 * has none). */
static void abandoned_write(void)
{
    fill_sector(wbuf, 0, 0x5a);
    fill_sector(wbuf + 512, 1, 0x5a);
    tf28(0, 2);
    outb(REG_CMD, 0x30);
    CHECK_EQ(await(0) & (ST_DRQ | ST_ERR), ST_DRQ, "WRITE SECTORS: DRQ for the first sector");
    data_out(wbuf, 512, 2);
    CHECK_EQ(await(1) & (ST_DRQ | ST_ERR), ST_DRQ, "WRITE SECTORS: DRQ for the second sector");
    data_out(wbuf + 512, 510, 2);
    CHECK_EQ(nodata(0xe5), ST_READY, "a new command ends the transfer");
}

static void scenario_tail(void)
{
    check_identify(nsectors);
    abandoned_write();
    tf28(0, 2);
    CHECK_EQ(pio_in(0x20, 2, 1, 2), ST_READY, "read the 2 sectors of a 1000-byte image");
    check_sectors(0, 1, 0, "sector 0 of a 1000-byte image");
    fill_sector(wbuf, 1, 0);
    for (int j = 0; j < 488; j++)
        if (buf[512 + j] != wbuf[j]) {
            kfail(__FILE__, __LINE__, "sector 1: the file's 488 bytes", (uint32_t)j, buf[512 + j]);
            break;
        }
    check_zero(512 + 488, 1024, "sector 1 is padded with zeros");
    read_check(0, 0, 1, 0, "the abandoned write wrote nothing");
    tf28(1, 2);
    expect_fail(0x20, ERR_IDNF, "a third sector does not exist");
    write_range(0x30, 0, 1, 1, 1, 2, "WRITE SECTORS to the partial sector");
    read_check(0, 1, 1, 0x5a, "read it back");
    check_irqs("tail: interrupts");
}

/* Write a sector and leave through the debug exit at once, before the
 * write completes: vm must still put it in the image. */
static void scenario_exitwrite(void)
{
    fill_sector(wbuf, 7, 0x5a);
    tf28(7, 1);
    outb(REG_CMD, 0x30);
    CHECK_EQ(await(0) & (ST_DRQ | ST_ERR), ST_DRQ, "WRITE SECTORS: DRQ");
    kputs("wrote 7 1\n");
    data_out(wbuf, 512, 2);
    kexit(kfailures ? 1 : 0);
}

/* Write every sector of the image, then read them all back (with
 * -snapshot: the overlay grows to hold the whole disk). */
static void scenario_fill(void)
{
    set_multiple(16);
    for (uint64_t lba = 0; lba < nsectors; lba += 256) {
        uint32_t n = nsectors - lba < 256 ? (uint32_t)(nsectors - lba) : 256;
        for (uint32_t i = 0; i < n; i++)
            fill_sector(wbuf + i * 512, lba + i, 0x5a);
        tf48(lba, n);
        CHECK_EQ(pio_out(0x39, n, 16, 4), ST_READY, "WRITE MULTIPLE EXT over the whole disk");
    }
    for (uint64_t lba = 0; lba < nsectors; lba += 256) {
        uint32_t n = nsectors - lba < 256 ? (uint32_t)(nsectors - lba) : 256;
        tf48(lba, n);
        CHECK_EQ(pio_in(0x29, n, 16, 4), ST_READY, "READ MULTIPLE EXT over the whole disk");
        check_sectors(lba, n, 0x5a, "every sector reads back what was written");
    }
    check_irqs("fill: interrupts");
}

/* Read the whole image in 256-sector READ MULTIPLE EXT commands (blocks
 * of 16, 32-bit PIO, polled) and print the rate: a measurement, checked
 * only for the data. */
static void scenario_speed(void)
{
    set_irq_mode(0);
    set_multiple(16);
    uint64_t t0 = rdtsc();
    for (uint64_t lba = 0; lba + 256 <= nsectors; lba += 256) {
        tf48(lba, 256);
        if (pio_in(0x29, 256, 16, 4) != ST_READY) {
            CHECK(0, "READ MULTIPLE EXT");
            return;
        }
        check_sectors(lba, 1, 0, "the first sector of each read");
    }
    uint32_t us = (uint32_t)((rdtsc() - t0) >> 10);      /* ~microseconds (1024 ns) */
    uint32_t kib = (uint32_t)(nsectors / 2);
    kputs("read ");
    kputdec(kib);
    kputs(" KiB in ");
    kputdec(us / 1000);
    kputs(" ms: ");
    kputdec(us ? kib * 1024 / us : 0);
    kputs(" MB/s\n");
}

/* ---- Command line ------------------------------------------------------------------ */

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

/* The number after "sectors=" (decimal), or 0. */
static uint64_t arg_sectors(const char *cmdline)
{
    for (const char *p = cmdline; *p; p++) {
        if (!starts_with(p, "sectors="))
            continue;
        uint64_t n = 0;
        for (p += 8; *p >= '0' && *p <= '9'; p++)
            n = n * 10 + (uint64_t)(*p - '0');
        return n;
    }
    return 0;
}

int kmain(uint32_t magic, uint32_t *info)
{
    const char *cmdline = (magic == MULTIBOOT_LOADER_MAGIC && (info[0] & 4)) ? (const char *)info[4] : "";
    nsectors = arg_sectors(cmdline);
    CHECK(nsectors > 0, "the command line gives sectors=N");
    irq_init();
    test_power_on();
    set_irq_mode(1);
    if (starts_with(cmdline, "proto")) {
        check_identify(nsectors);
        test_reads();
        test_multiple();
        test_chs();
        test_errors();
        test_features();
        test_hob();
        test_no_slave();
        test_reset();
        test_nien();
    } else if (starts_with(cmdline, "write")) {
        scenario_write();
    } else if (starts_with(cmdline, "identify")) {
        check_identify(nsectors);
        tf48(0, 0);
        CHECK_EQ(nodata(0x27), ST_READY, "READ NATIVE MAX ADDRESS EXT");
        CHECK(regs_lba48() == nsectors - 1, "READ NATIVE MAX ADDRESS EXT: the last LBA");
    } else if (starts_with(cmdline, "big")) {
        scenario_big();
    } else if (starts_with(cmdline, "readonly")) {
        scenario_readonly();
    } else if (starts_with(cmdline, "tail")) {
        scenario_tail();
    } else if (starts_with(cmdline, "exitwrite")) {
        scenario_exitwrite();
    } else if (starts_with(cmdline, "fill")) {
        scenario_fill();
    } else if (starts_with(cmdline, "speed")) {
        scenario_speed();
    } else {
        CHECK(0, "a scenario: proto write identify big readonly tail exitwrite fill speed");
    }
    CHECK_EQ(spurious, 0, "no spurious interrupts");
    return kdone("ata_disk");
}
