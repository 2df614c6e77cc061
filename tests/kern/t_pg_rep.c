/* t_pg_rep: REP STOS and REP MOVS of every element size against an
 * element-by-element model, where vm runs them on the host's own REP
 * (translate.c, gen_string_rep) and where it declines to.
 *
 * Checks (SDM Vol. 2, REP/MOVS/STOS: element after element, ECX counts
 * down, ESI/EDI step by the size in the direction of DF; a fault leaves
 * the registers at the faulting element, the earlier ones done):
 *  - counts 0 to 4097 from many offsets, DF 0 and 1, strings that end
 *    exactly at a page end and one element more, at CPL 0 and CPL 3:
 *    memory over six pages and ECX/ESI/EDI as the model says;
 *  - copies whose source and destination overlap, by less than one
 *    element and by a few, both ways;
 *  - a source through FS with a base;
 *  - a write to a read-only page, and to a page made read-only (and one
 *    made not present) after a REP wrote (read) it: #PF with nothing
 *    written and ECX unchanged;
 *  - a REP STOS into a page whose dirty bit is clear, right after a read
 *    of it, sets the dirty bit.
 */
#include "pg_lib.h"

#define VA 0x40000000u          /* the six pages of the area at VA + n * 0x1000 */
#define PG(n) (VA + (n) * 0x1000u)
#define NPAGES 6
#define AREA (NPAGES * 0x1000u)
#define RO PG(7)                /* read-only (CR0.WP) */
#define SPARE PG(8)             /* read-write, made read-only or not present later */

/* Inputs and results of a probe; the same layout as struct pg_str. */
struct pg_str rr;

/* Each probe: EDI ESI ECX EAX DF from rr, the REP instruction at
 * <name>_insn, the registers back into rr (also after a trap). */
#define REP_PROBE(name, insn) \
    uint32_t name(void); \
    extern char name##_insn[]; \
    __asm__(".pushsection .text\n" #name ":\n\t" \
            "pushl %edi\n\tpushl %esi\n\t" \
            "movl rr + 0, %edi\n\tmovl rr + 4, %esi\n\tmovl rr + 8, %ecx\n\tmovl rr + 12, %eax\n\t" \
            "cmpl $0, rr + 16\n\tje 1f\n\tstd\n" \
            "1:\tmovl $9f, pg_resume\n" #name "_insn:\n\t" insn "\n" \
            "9:\tmovl $0, pg_resume\n\tcld\n\t" \
            "movl %edi, rr + 0\n\tmovl %esi, rr + 4\n\tmovl %ecx, rr + 8\n\t" \
            "popl %esi\n\tpopl %edi\n\tret\n.popsection\n")

REP_PROBE(rep_stosb, "rep stosb");
REP_PROBE(rep_stosw, "rep stosw");
REP_PROBE(rep_stosl, "rep stosl");
REP_PROBE(rep_movsb, "rep movsb");
REP_PROBE(rep_movsw, "rep movsw");
REP_PROBE(rep_movsl, "rep movsl");
REP_PROBE(rep_movsb_fs, "rep movsb %fs:(%esi), %es:(%edi)");

static uint32_t (*const probe[2][5])(void) = {
    { 0, rep_stosb, rep_stosw, 0, rep_stosl },
    { 0, rep_movsb, rep_movsw, 0, rep_movsl },
};

static uint8_t *frame[NPAGES];
static uint8_t model[AREA];     /* what the area must hold afterwards */

/* Byte i of the area, through its frame (the physical identity map). */
static volatile uint8_t *area_byte(uint32_t i)
{
    return (volatile uint8_t *)(frame[i >> 12] + (i & 0xfff));
}

/* Fill the area and the model with the same pattern (seeded by n). */
static void area_fill(uint32_t n)
{
    for (uint32_t i = 0; i < AREA; i++) {
        uint8_t v = (uint8_t)(i * 7 + n * 13 + (i >> 8));
        *area_byte(i) = v;
        ((volatile uint8_t *)model)[i] = v;
    }
}

/* The model: the instruction element by element, byte by byte, on
 * model[] (addresses relative to VA), with registers in m. */
static void model_run(int movs, int size, struct pg_str *m)
{
    volatile uint8_t *mb = model;
    int32_t step = m->df ? -size : size;
    for (; m->ecx; m->ecx--) {
        uint8_t tmp[4];
        for (int b = 0; b < size; b++)
            tmp[b] = movs ? mb[m->esi - VA + (uint32_t)b] : (uint8_t)(m->eax >> (8 * b));
        for (int b = 0; b < size; b++)
            mb[m->edi - VA + (uint32_t)b] = tmp[b];
        m->edi += (uint32_t)step;
        if (movs)
            m->esi += (uint32_t)step;
    }
}

/* The first byte where the area differs from the model, or AREA. */
static uint32_t area_diff(void)
{
    for (uint32_t i = 0; i < AREA; i++)
        if (*area_byte(i) != ((volatile uint8_t *)model)[i])
            return i;
    return AREA;
}

static uint32_t (*user_probe)(void);
static uint32_t run_user(void) { return user_probe(); }

static int failed_cases;

/* One case: the probe on the area (at CPL 3 when user) and the model
 * from the same registers; memory and registers must agree. */
static void run_case(int movs, int size, int df, uint32_t count, uint32_t edi, uint32_t esi,
                     int user, uint32_t seed)
{
    area_fill(seed);
    struct pg_str m = { edi, esi, count, 0x8badf00du ^ seed, (uint32_t)df };
    rr = m;
    pg_reset_traps();
    if (user) {
        user_probe = probe[movs][size];
        pg_user_call(run_user);
    } else {
        probe[movs][size]();
    }
    model_run(movs, size, &m);
    uint32_t diff = area_diff();
    if (pg_ntraps || diff != AREA || rr.ecx != 0 || rr.edi != m.edi || (movs && rr.esi != m.esi)) {
        if (failed_cases++ < 8) {
            kputs(movs ? "movs" : "stos");
            kputs(" size "); kputdec((uint32_t)size);
            kputs(" df "); kputdec((uint32_t)df);
            kputs(user ? " cpl 3" : " cpl 0");
            kputs(" count "); kputdec(count);
            kputs(" edi "); kputhex(edi);
            kputs(" esi "); kputhex(esi);
            kputs(": first difference at area offset "); kputhex(diff);
            kputs(", traps "); kputdec(pg_ntraps);
            kputs(", ecx "); kputhex(rr.ecx);
            kputs(", edi "); kputhex(rr.edi); kputs(" (want "); kputhex(m.edi); kputs(")\n");
        }
        CHECK(0, "REP string instruction agrees with the model");
    }
}

static const uint32_t counts[] = { 0, 1, 2, 3, 17, 64, 255, 1023, 2048, 4095, 4096, 4097 };
static const uint32_t offsets[] = { 0, 1, 2, 3, 0x7ff, 0xffc, 0xffd, 0xfff };

/* Every op, size, direction, count and destination offset; the source
 * two pages below or above the destination, at another offset. */
static void sweep(int user)
{
    uint32_t seed = 0;
    for (int movs = 0; movs < 2; movs++)
        for (int size = 1; size <= 4; size *= 2)
            for (int df = 0; df < 2; df++)
                for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; c++) {
                    uint32_t n = counts[c], bytes = n * (uint32_t)size;
                    if (bytes > 0x2000)
                        continue;
                    /* DF = 0 from page 3 up, or DF = 1 from page 2 down, and
                     * a source on the far side (pages 0-1 or 4-5) */
                    uint32_t base = df ? PG(2) : PG(3), sbase = df ? PG(5) : PG(0);
                    for (unsigned o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
                        uint32_t off = offsets[o];
                        run_case(movs, size, df, n, base + off, sbase + (off ^ 0x35), user, seed++);
                    }
                    if (!df && bytes && bytes <= 0x1000) {      /* ends at the page end */
                        run_case(movs, size, df, n, PG(4) - bytes, PG(1) - bytes, user, seed++);
                        run_case(movs, size, df, n, PG(4) - bytes + 1, PG(1) - bytes, user, seed++);
                    }
                }
}

/* Overlapping copies in one page, both directions, every size. */
static void overlaps(void)
{
    static const int32_t gaps[] = { 1, 2, 3, 5, -1, -2, -3, -5, 0 };
    uint32_t seed = 1000;
    for (int size = 1; size <= 4; size *= 2)
        for (int df = 0; df < 2; df++)
            for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++)
                for (uint32_t n = 1; n <= 40; n += 13) {
                    uint32_t src = PG(2) + 0x800;
                    run_case(1, size, df, n, src + (uint32_t)gaps[g], src, 0, seed++);
                }
}

/* REP MOVSB with its source through FS = SEL_BASED (base PG_BASED_BASE). */
static void fs_source(void)
{
    area_fill(77);
    struct pg_str m = { PG(3) + 0x10, PG(1) + 0x20, 100, 0, 0 };
    rr = m;
    rr.esi = m.esi - PG_BASED_BASE;
    __asm__ volatile("movw %0, %%fs" : : "r"((uint16_t)SEL_BASED));
    pg_reset_traps();
    rep_movsb_fs();
    __asm__ volatile("movw %0, %%fs" : : "r"((uint16_t)SEL_KDATA));
    model_run(1, 1, &m);
    CHECK_NOTRAP("REP MOVSB from FS");
    CHECK_EQ(area_diff(), AREA, "REP MOVSB from FS: copied from FS's base + ESI");
    CHECK_EQ(rr.esi, m.esi - PG_BASED_BASE, "REP MOVSB from FS: ESI");
    CHECK_EQ(rr.ecx, 0, "REP MOVSB from FS: ECX");
}

/* Writes where the page forbids them, after the TLB has seen the page. */
static void protection(void)
{
    uint32_t *ro_pte = pg_pte(RO), *spare_pte = pg_pte(SPARE);
    volatile uint8_t *ro = (volatile uint8_t *)(*ro_pte & ~0xfffu);
    volatile uint8_t *spare = (volatile uint8_t *)(*spare_pte & ~0xfffu);

    CHECK_EQ(pg_rd8(RO + 0x40), 0, "read of the read-only page");
    rr = (struct pg_str){ RO + 0x40, 0, 16, 0x55, 0 };
    pg_reset_traps();
    rep_stosb();
    CHECK_PF(PF_P | PF_W, RO + 0x40, PG_EIP(rep_stosb_insn), "REP STOSB in a read-only page");
    CHECK_EQ(rr.ecx, 16, "REP STOSB in a read-only page: ECX unchanged");
    CHECK_EQ(ro[0x40], 0, "REP STOSB in a read-only page: nothing written");

    rr = (struct pg_str){ SPARE + 0x100, 0, 32, 0x66, 0 };
    pg_reset_traps();
    rep_stosb();
    CHECK_NOTRAP("REP STOSB in a writable page");
    CHECK_EQ(spare[0x11f], 0x66, "REP STOSB in a writable page: written");
    *spare_pte &= ~PTE_W;
    invlpg(SPARE);
    rr = (struct pg_str){ SPARE + 0x100, 0, 32, 0x77, 0 };
    pg_reset_traps();
    rep_stosb();
    CHECK_PF(PF_P | PF_W, SPARE + 0x100, PG_EIP(rep_stosb_insn), "REP STOSB after the page became read-only");
    CHECK_EQ(rr.ecx, 32, "... ECX unchanged");
    CHECK_EQ(spare[0x100], 0x66, "... nothing written");

    rr = (struct pg_str){ PG(3), SPARE + 0x100, 32, 0, 0 };
    pg_reset_traps();
    rep_movsb();
    CHECK_NOTRAP("REP MOVSB from the read-only page");
    *spare_pte &= ~PTE_P;
    invlpg(SPARE);
    rr = (struct pg_str){ PG(3), SPARE + 0x100, 32, 0, 0 };
    pg_reset_traps();
    rep_movsb();
    CHECK_PF(0, SPARE + 0x100, PG_EIP(rep_movsb_insn), "REP MOVSB after the source went away");
    CHECK_EQ(rr.ecx, 32, "... ECX unchanged");
    *spare_pte |= PTE_P | PTE_W;
    invlpg(SPARE);
}

/* A read fills the TLB for reading only: the write must still set D. */
static void dirty_bit(void)
{
    uint32_t *spare_pte = pg_pte(SPARE);
    *spare_pte &= ~(PTE_A | PTE_D);
    invlpg(SPARE);
    pg_rd8(SPARE + 0x200);
    CHECK_EQ(*spare_pte & (PTE_A | PTE_D), PTE_A, "a read sets A only");
    rr = (struct pg_str){ SPARE + 0x200, 0, 8, 0x99, 0 };
    pg_reset_traps();
    rep_stosb();
    CHECK_NOTRAP("REP STOSB into a clean page");
    CHECK_EQ(*spare_pte & PTE_D, PTE_D, "REP STOSB into a clean page sets D");
}

int kmain(void)
{
    pg_setup();
    for (int n = 0; n < NPAGES; n++) {
        frame[n] = pg_alloc();
        pg_alloc();                     /* not adjacent physically */
        pg_map(PG(n), (uint32_t)frame[n], PTE_P | PTE_W | PTE_U);
    }
    pg_map(RO, (uint32_t)pg_alloc(), PTE_P | PTE_U);
    pg_map(SPARE, (uint32_t)pg_alloc(), PTE_P | PTE_W | PTE_U);
    pg_paging_on();
    write_cr0(read_cr0() | CR0_WP);

    sweep(0);
    sweep(1);
    overlaps();
    fs_source();
    protection();
    dirty_bit();
    CHECK_EQ(failed_cases, 0, "cases that disagree with the model");
    return kdone("t_pg_rep");
}
