/* t_pg_pse_jc: code on a 4 MiB page, run and so cached by vm (its jump
 * cache maps linear addresses to translated blocks), then the page's PDE
 * pointed at other code and INVLPG of *another* 4 KiB piece of the same
 * 4 MiB page.  INVLPG invalidates the TLB entry of the page that holds
 * the address, and for a 4 MiB page that is all of it (Intel SDM Vol. 3,
 * 4.10.4.1: "INVLPG ... invalidates any TLB entries for the page", with
 * 4.10.2.3 on large pages), so the next call must run the new code.
 *
 * vm's jump cache is indexed by the low 16 bits of the linear PC and an
 * INVLPG empties only the slots of its own page and the page before
 * (translate.c jc_flush_page), unless cached code came from a 4 MiB page
 * in that 4 MiB region: the code here is at CODE + 0x1000 (slot 0x1000),
 * the INVLPGs at CODE + 0x200000 and CODE + 0x3ff000 (slots 0x0000 and
 * 0xf000, and the pages before them), so only that rule finds it.
 * A 4 KiB page of the same code, remapped the same way, is the control.
 */
#include "pg_lib.h"

#define CODE    0x40400000u     /* PDE 257: a 4 MiB page */
#define FRAME_A 0x00400000u     /* physical 4-8 MiB */
#define FRAME_B 0x00800000u     /* physical 8-12 MiB */
#define SMALL   0x40c00000u     /* a 4 KiB page: FRAME_A + 0x1000 or FRAME_B + 0x1000 */

typedef uint32_t (*fn_t)(void);

/* "mov $v, %eax; ret" at physical pa (paging still off). */
static void put_ret_value(uint32_t pa, uint32_t v)
{
    uint8_t *p = (uint8_t *)pa;
    pg_put_mov_imm(p, 0, v);
    p[5] = 0xc3;
}

/* Call fn a few times (translated, cached); each must return want. */
static void check_calls(uint32_t addr, uint32_t want, const char *what)
{
    fn_t fn = (fn_t)addr;
    for (int i = 0; i < 4; i++)
        CHECK_EQ(fn(), want, what);
}

static void set_big(uint32_t frame)
{
    pg_dir[CODE >> 22] = frame | PTE_P | PTE_W | PTE_PS;
}

int kmain(void)
{
    pg_setup();
    put_ret_value(FRAME_A + 0x1000, 0xaaaa);
    put_ret_value(FRAME_B + 0x1000, 0xbbbb);
    set_big(FRAME_A);
    pg_map(SMALL, FRAME_A + 0x1000, PTE_P | PTE_W);
    write_cr4(read_cr4() | CR4_PSE);
    pg_paging_on();
    pg_reset_traps();

    for (int round = 0; round < 3; round++) {
        check_calls(CODE + 0x1000, 0xaaaa, "4 MiB page: code of frame A");
        set_big(FRAME_B);
        invlpg(CODE + 0x200000);
        check_calls(CODE + 0x1000, 0xbbbb, "PDE to frame B, INVLPG of another 4 KiB of it");
        set_big(FRAME_A);
        invlpg(CODE + 0x3ff000);
        check_calls(CODE + 0x1000, 0xaaaa, "PDE back to frame A, INVLPG of its last 4 KiB");

        check_calls(SMALL, 0xaaaa, "4 KiB page: code of frame A");
        pg_map(SMALL, FRAME_B + 0x1000, PTE_P | PTE_W);
        check_calls(SMALL, 0xbbbb, "4 KiB page remapped to frame B (INVLPG of it)");
        pg_map(SMALL, FRAME_A + 0x1000, PTE_P | PTE_W);
        check_calls(SMALL, 0xaaaa, "4 KiB page mapped back");
    }
    CHECK_NOTRAP("calls to remapped code");
    return kdone("t_pg_pse_jc");
}
