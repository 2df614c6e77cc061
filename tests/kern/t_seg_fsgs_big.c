/* t_seg_fsgs_big: FS and GS with a base and a 4 GiB limit (Linux puts
 * TLS in GS and its per-CPU area in FS this way), against the same
 * segments with a smaller limit, in the same code: what one limit allows
 * the other must not, and the other way round.
 *
 * Checks (Intel SDM Vol. 3, 3.4.5 and 5.3 "Limit Checking"):
 *  - through GS, base 1 MiB, limit 4 GiB: a store and a load land at
 *    base + offset; an offset that takes the sum past 4 GiB wraps to low
 *    memory; the same through FS with a write;
 *  - GS with the same base and a limit 64 KiB: inside it as above, past it
 *    #GP(0), with nothing written; then the 4 GiB GS again, in the same
 *    code (translated for the other limit first): no fault.
 */
#include "seg_lib.h"

enum {
    I_BIG = GDT_FIRST_FREE,     /* data, base 1 MiB, limit 4 GiB */
    I_SMALL,                    /* data, base 1 MiB, limit 64 KiB */
};
#define SEL_BIG   SEL(I_BIG, 0, 0)
#define SEL_SMALL SEL(I_SMALL, 0, 0)
#define BASE 0x100000u
#define WRAP 0xfff00040u        /* BASE + WRAP = 0x40 (mod 4 GiB) */

static uint32_t gs_load(uint32_t off)
{
    uint32_t v;
    __asm__ volatile("movl %%gs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
    return v;
}

static void gs_store(uint32_t off, uint32_t v)
{
    __asm__ volatile("movl %1, %%gs:(%0)" : : "r"(off), "r"(v) : "memory");
}

static void fs_store(uint32_t off, uint32_t v)
{
    __asm__ volatile("movl %1, %%fs:(%0)" : : "r"(off), "r"(v) : "memory");
}

static volatile uint32_t hide;        /* 0: keeps GCC from judging low addresses */
static volatile uint32_t *at(uint32_t linear) { return (volatile uint32_t *)(linear + hide); }


int kmain(uint32_t magic, uint32_t *info)
{
    (void)magic;
    (void)info;
    seg_init();
    seg_set_gdt(I_BIG, seg_make_desc(BASE, 0xfffff, D_DATA_RW, F_G | F_DB));
    seg_set_gdt(I_SMALL, seg_make_desc(BASE, 0xffff, D_DATA_RW, F_DB));
    uint32_t keep40 = *at(0x40);

    for (int round = 0; round < 3; round++) {
        load_gs(SEL_BIG);
        gs_store(0x10, 0x11110000u + (uint32_t)round);
        CHECK_EQ(*at(BASE + 0x10), 0x11110000u + (uint32_t)round, "GS 4 GiB: a store at base + offset");
        *at(BASE + 0x14) = 0x22220000u + (uint32_t)round;
        CHECK_EQ(gs_load(0x14), 0x22220000u + (uint32_t)round, "GS 4 GiB: a load at base + offset");
        *at(0x40) = 0x33330000u + (uint32_t)round;
        CHECK_EQ(gs_load(WRAP), 0x33330000u + (uint32_t)round, "GS 4 GiB: base + offset wraps at 4 GiB");
        __asm__ volatile("movw %w0, %%fs" : : "r"(SEL_BIG));
        fs_store(WRAP + 4, 0x44440000u + (uint32_t)round);
        CHECK_EQ(*at(0x44), 0x44440000u + (uint32_t)round, "FS 4 GiB: a store that wraps");
        __asm__ volatile("movw %w0, %%fs" : : "r"(SEL_KDATA));

        load_gs(SEL_SMALL);
        CHECK_EQ(gs_load(0x14), 0x22220000u + (uint32_t)round, "GS 64 KiB: a load inside the limit");
        *at(0x40) = 0x55550000u;
        SEG_TRY("movl $0x66660000, %%gs:(%0)", : "r"(WRAP));
        SEG_EXPECT_FAULT(13, 0, "GS 64 KiB: a store past the limit is #GP(0)");
        CHECK_EQ(*at(0x40), 0x55550000u, "GS 64 KiB: ... and writes nothing");
        uint32_t v;
        SEG_TRY("movl %%gs:(%1), %0", "=r"(v) : "r"(0x10000u));
        SEG_EXPECT_FAULT(13, 0, "GS 64 KiB: a load at the limit + 1 is #GP(0)");

        load_gs(SEL_BIG);
        SEG_TRY("movl %%gs:(%1), %0", "=r"(v) : "r"(0x10000u));
        SEG_EXPECT_NONE("GS 4 GiB again: the same load is fine");
        CHECK_EQ(v, *at(BASE + 0x10000), "GS 4 GiB again: it reads base + offset");
    }
    *at(0x40) = keep40;
    load_gs(SEL_KDATA);
    return kdone("t_seg_fsgs_big");
}
