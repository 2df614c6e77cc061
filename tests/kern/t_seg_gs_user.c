/* t_seg_gs_user: GS at CPL 3 as user programs' TLS has it (a base, a
 * 4 GiB limit), reached at constant offsets (glibc's stack-protector
 * canary at %gs:0x14), against the same code with other GS segments.
 *
 * vm checks nothing at run time for a constant %gs:disp when GS is
 * expand-up with a 4 GiB limit at CPL 3 (HF_GS4G), and adds the base with
 * an instruction that keeps the flags; this test holds it to the SDM
 * (Vol. 3 3.4.5, 5.3 "Limit Checking", 5.4 "Type Checking"):
 *   - a load and a store at base + disp; a disp that takes the sum past
 *     4 GiB wraps; SUB from %gs:disp computes its flags;
 *   - flags set before a %gs:disp load are there after it (CMP; MOV from
 *     GS; SETZ/SETC);
 *   - a 4-byte access at %gs:0xFFFFFFFE runs past the limit: #GP(0);
 *   - the same code with GS limited to 64 KiB: %gs:0x10000 is #GP(0);
 *     with GS read-only: a store is #GP(0), a load is fine; with GS null
 *     (IRET to CPL 3 nulls a DPL-0 GS): any access is #GP(0); then the
 *     4 GiB GS again, in the code translated for the others first.
 */
#include "seg_lib.h"

enum {
    I_BIG = GDT_FIRST_FREE,     /* DPL 3 data, base 3 MiB, limit 4 GiB */
    I_SMALL,                    /* DPL 3 data, base 3 MiB, limit 64 KiB */
    I_RO,                       /* DPL 3 read-only data, base 3 MiB, limit 4 GiB */
};
#define SEL_BIG   SEL(I_BIG, 0, 3)
#define SEL_SMALL SEL(I_SMALL, 0, 3)
#define SEL_RO    SEL(I_RO, 0, 3)
#define BASE 0x300000u         /* free RAM, above the kernel image */
#define WRAP 0xffd00040u        /* BASE + WRAP = 0x40 (mod 4 GiB) */

static volatile uint32_t r3_sel;    /* GS in ring 3 (0: leave it null) */
static volatile int r3_op;
static volatile uint32_t r3_a, r3_b;

static void r3_fn(void)
{
    uint32_t a = 0, b = 0;
    if (r3_sel)
        __asm__ volatile("movw %w0, %%gs" : : "r"(r3_sel));
    switch (r3_op) {
    case 0: SEG_TRY("movl %%gs:0x14, %0", "=r"(a) :); break;
    case 1: SEG_TRY("movl %0, %%gs:0x18", : "r"(0x5a5a0018u)); break;
    case 2: SEG_TRY("movl %%gs:0xffd00040, %0", "=r"(a) :); break;    /* WRAP */
    case 3: SEG_TRY("movl %%gs:0xfffffffe, %0", "=r"(a) :); break;
    case 4: SEG_TRY("movl %%gs:0x10000, %0", "=r"(a) :); break;
    case 5:     /* ZF and CF of the CMP, read after the GS load */
        SEG_TRY("cmpl %2, %3\n\tmovl %%gs:0x14, %0\n\tsetz %b1\n\tsetc %h1",
                "=&r"(a), "+Q"(b) : "r"(r3_a), "r"(r3_b));
        break;
    case 6:     /* SUB from the canary: result and ZF */
        b = r3_b;
        SEG_TRY("subl %%gs:0x14, %1\n\tsetz %b0", "=&Q"(a), "+r"(b) :);
        a = (a & 0xff) | b << 8;
        break;
    }
    r3_a = a;
    r3_b = b;
}

static uint32_t r3(uint32_t sel, int op)
{
    r3_sel = sel;
    r3_op = op;
    seg_ring3_call(r3_fn);
    load_gs(SEL_KDATA);
    return r3_a;
}

static void expect_gp(const char *what)
{
    seg_expect_fault_cs(__FILE__, __LINE__, what, 13, 0, SEL_UCODE);
}

static volatile uint32_t hide;        /* 0: keeps GCC from judging low addresses */
static volatile uint32_t *at(uint32_t linear) { return (volatile uint32_t *)(linear + hide); }

static void big_gs(int round)
{
    *at(BASE + 0x14) = 0xca4a0000u + (uint32_t)round;
    CHECK_EQ(r3(SEL_BIG, 0), 0xca4a0000u + (uint32_t)round, "GS 4 GiB, CPL 3: %gs:0x14 loads base + 0x14");
    SEG_EXPECT_NONE("GS 4 GiB, CPL 3: the load does not fault");
    r3(SEL_BIG, 1);
    CHECK_EQ(*at(BASE + 0x18), 0x5a5a0018u, "GS 4 GiB, CPL 3: a store at %gs:0x18");
    *at(BASE + 0x18) = 0;
    *at(0x40) = 0x40400000u + (uint32_t)round;
    CHECK_EQ(r3(SEL_BIG, 2), 0x40400000u + (uint32_t)round, "GS 4 GiB, CPL 3: base + disp wraps at 4 GiB");
    r3(SEL_BIG, 3);
    expect_gp("GS 4 GiB, CPL 3: a dword at %gs:0xfffffffe runs past the limit: #GP(0)");

    r3_a = 7;
    r3_b = 7;
    r3(SEL_BIG, 5);
    CHECK_EQ(r3_b, 0x0001u, "GS 4 GiB, CPL 3: CMP equal, then a GS load: ZF 1, CF 0");
    r3_a = 8;
    r3_b = 7;
    r3(SEL_BIG, 5);
    CHECK_EQ(r3_b, 0x0100u, "GS 4 GiB, CPL 3: CMP below, then a GS load: ZF 0, CF 1");
    r3_b = 0xca4a0000u + (uint32_t)round;
    CHECK_EQ(r3(SEL_BIG, 6), 0x01u, "GS 4 GiB, CPL 3: SUB of the canary from itself: 0, ZF 1");
    r3_b = 0xca4a0001u + (uint32_t)round;
    CHECK_EQ(r3(SEL_BIG, 6), 0x100u, "GS 4 GiB, CPL 3: SUB of the canary from canary + 1: 1, ZF 0");
}

int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    seg_init();
    seg_set_gdt(I_BIG, seg_make_desc(BASE, 0xfffff, D_DATA_RW | D_DPL(3), F_G | F_DB));
    seg_set_gdt(I_SMALL, seg_make_desc(BASE, 0xffff, D_DATA_RW | D_DPL(3), F_DB));
    seg_set_gdt(I_RO, seg_make_desc(BASE, 0xfffff, D_DATA_RO | D_DPL(3), F_G | F_DB));
    uint32_t keep40 = *at(0x40);

    for (int round = 0; round < 2; round++) {
        big_gs(round);

        *at(BASE + 0x14) = 0x64640000u;
        CHECK_EQ(r3(SEL_SMALL, 0), 0x64640000u, "GS 64 KiB, CPL 3: %gs:0x14 is inside the limit");
        r3(SEL_SMALL, 4);
        expect_gp("GS 64 KiB, CPL 3: %gs:0x10000 is #GP(0)");
        r3(SEL_BIG, 4);
        SEG_EXPECT_NONE("GS 4 GiB, CPL 3: the same %gs:0x10000 is fine");

        CHECK_EQ(r3(SEL_RO, 0), 0x64640000u, "GS read-only, CPL 3: a load");
        r3(SEL_RO, 1);
        expect_gp("GS read-only, CPL 3: a store is #GP(0)");
        CHECK_EQ(*at(BASE + 0x18), 0, "GS read-only, CPL 3: ... and writes nothing");

        r3(0, 0);
        expect_gp("GS null (nulled by IRET to CPL 3): a load is #GP(0)");
        r3(0, 1);
        expect_gp("GS null: a store is #GP(0)");
    }
    *at(0x40) = keep40;
    return kdone("t_seg_gs_user");
}
