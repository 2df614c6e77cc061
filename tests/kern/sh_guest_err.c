/* sh_guest_err: a guest's memory mistakes, for tests/dlog.sh (-d
 * guest_errors): a read of unassigned physical memory (it reads all-ones)
 * and a write there (ignored); run without a BIOS, so nothing is at
 * 0xF0000000. */
#include "klib.h"

int kmain(void)
{
    volatile uint32_t *nothing = (volatile uint32_t *)0xf0000000u;
    uint32_t v = *nothing;
    *nothing = 0x12345678;
    CHECK_EQ(v, 0xffffffffu, "unassigned memory reads all-ones");
    CHECK_EQ(*nothing, 0xffffffffu, "and a write there changes nothing");
    return kdone("sh_guest_err");
}
