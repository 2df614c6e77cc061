/* t_pg_user: user/supervisor and read/write page protection seen from
 * ring 3 (CPL 3 entered with IRET, back through an INT 0x80 gate).
 *
 * Checks (Intel SDM Vol. 3, 4.6 "Access Rights", 4.7 "Page-Fault
 * Exceptions", 5.11 "Page-Level Protection"):
 *  - a CPL-3 access is a user-mode access: reads and writes of a user page
 *    with R/W = 1 work;
 *  - a user-mode read / write of a supervisor page (U/S = 0 in the PTE, or
 *    in the PDE only) faults with error code P|U / P|W|U, CR2 = the linear
 *    address, saved EIP = the faulting instruction and saved CS = 0x1b;
 *  - a user-mode write to a read-only user page faults with P|W|U whatever
 *    CR0.WP says, and writes nothing; R/W = 0 in the PDE only is enough;
 *  - a user-mode access to a not-present page: error code U (| W);
 *  - an instruction fetch by CPL 3 from a supervisor page faults with P|U
 *    (no I/D bit: that needs PAE+NXE or SMEP, 4.7);
 *  - supervisor-mode (CPL 0) accesses to user pages are allowed (no SMAP);
 *  - what ring 0 may do to a page (read or run a supervisor page, write a
 *    read-only page with WP = 0) does not carry over to a later ring-3
 *    access of the same page (the TLB caches U/S and R/W, 4.10.2.2; the
 *    check uses the CPL of each access).
 */
#include "pg_lib.h"

#define VA      0x40000000u     /* PDE 256: U/S = 1, R/W = 1 */
#define VA_SPDE 0x44000000u     /* PDE 272: U/S = 0 in the PDE */
#define VA_RPDE 0x48000000u     /* PDE 288: R/W = 0 in the PDE */

static volatile uint32_t u_addr, u_val;
static uint32_t u_read(void) { return pg_rd32(u_addr); }
static uint32_t u_write(void) { pg_wr32(u_addr, u_val); return 0; }
static uint32_t u_exec(void) { return pg_exec(u_addr); }
static uint32_t u_cs(void) { return read_cs(); }

static uint32_t user_read(uint32_t a) { u_addr = a; return pg_user_call(u_read); }
static void user_write(uint32_t a, uint32_t v) { u_addr = a; u_val = v; pg_user_call(u_write); }

int kmain(void)
{
    pg_setup();
    pg_paging_on();

    CHECK_EQ(pg_user_call(u_cs), SEL_UCODE, "pg_user_call runs with CS = 0x1b (CPL 3)");
    CHECK_EQ(read_cs(), SEL_KCODE, "back in ring 0");

    uint8_t *upage = pg_alloc(), *spage = pg_alloc(), *rpage = pg_alloc();
    *(volatile uint32_t *)(spage + 0x20) = 0x5e5e5e5e;
    *(volatile uint32_t *)(rpage + 0x30) = 0x0e0e0e0e;
    pg_map(VA + 0x0000, (uint32_t)upage, PTE_P | PTE_W | PTE_U);
    pg_map(VA + 0x1000, (uint32_t)spage, PTE_P | PTE_W);          /* supervisor */
    pg_map(VA + 0x2000, (uint32_t)rpage, PTE_P | PTE_U);          /* user read-only */
    pg_map(VA + 0x3000, (uint32_t)upage, PTE_U | PTE_W);          /* not present */

    /* User page, read/write. */
    pg_reset_traps();
    user_write(VA + 0x10, 0x600dda7a);
    CHECK_EQ(*(volatile uint32_t *)(upage + 0x10), 0x600dda7a, "user write to a user page");
    CHECK_EQ(user_read(VA + 0x10), 0x600dda7a, "user read of a user page");
    CHECK_NOTRAP("user page accesses");

    /* Supervisor page.  Ring 0 reads it first, so any translation cached for
     * ring 0 must not let the ring-3 access through. */
    pg_reset_traps();
    CHECK_EQ(pg_rd32(VA + 0x1020), 0x5e5e5e5e, "supervisor read of a supervisor page");
    CHECK_NOTRAP("supervisor read of a supervisor page");
    user_read(VA + 0x1020);
    CHECK_PF(PF_P | PF_U, VA + 0x1020, PG_EIP(pg_rd32_insn), "user read of a supervisor page");
    CHECK_EQ(pg_last.cs, SEL_UCODE, "saved CS is the ring-3 selector");
    pg_reset_traps();
    user_write(VA + 0x1020, 1);
    CHECK_PF(PF_P | PF_W | PF_U, VA + 0x1020, PG_EIP(pg_wr32_insn), "user write to a supervisor page");
    CHECK_EQ(*(volatile uint32_t *)(spage + 0x20), 0x5e5e5e5e, "supervisor page unchanged");

    /* Supervisor in the PDE only. */
    pg_map(VA_SPDE, (uint32_t)spage, PTE_P | PTE_W | PTE_U);
    *pg_pde(pg_dir, VA_SPDE) &= ~PTE_U;
    write_cr3(read_cr3());
    pg_reset_traps();
    user_read(VA_SPDE + 0x20);
    CHECK_PF(PF_P | PF_U, VA_SPDE + 0x20, PG_EIP(pg_rd32_insn), "user read, PDE U/S=0, PTE U/S=1");
    pg_reset_traps();
    CHECK_EQ(pg_rd32(VA_SPDE + 0x20), 0x5e5e5e5e, "supervisor read, PDE U/S=0");
    CHECK_NOTRAP("supervisor read, PDE U/S=0");

    /* Read-only user page: user writes fault whatever CR0.WP is.  With
     * WP = 0, ring 0 writes it first (allowed), so a translation cached as
     * writable for ring 0 must not let the ring-3 write through. */
    for (int wp = 0; wp < 2; wp++) {
        write_cr0(wp ? read_cr0() | CR0_WP : read_cr0() & ~CR0_WP);
        pg_reset_traps();
        if (!wp) {
            pg_wr32(VA + 0x2030, 0x0e0e0e0e);
            CHECK_NOTRAP("CR0.WP=0: supervisor write to a read-only user page");
        }
        CHECK_EQ(user_read(VA + 0x2030), 0x0e0e0e0e, "user read of a read-only user page");
        CHECK_NOTRAP("user read of a read-only user page");
        pg_reset_traps();
        user_write(VA + 0x2030, 2);
        CHECK_PF(PF_P | PF_W | PF_U, VA + 0x2030, PG_EIP(pg_wr32_insn),
                 "user write to a read-only user page");
        CHECK_EQ(*(volatile uint32_t *)(rpage + 0x30), 0x0e0e0e0e, "read-only user page unchanged");
    }

    /* Read-only in the PDE only. */
    pg_map(VA_RPDE, (uint32_t)upage, PTE_P | PTE_W | PTE_U);
    *pg_pde(pg_dir, VA_RPDE) &= ~PTE_W;
    write_cr3(read_cr3());
    pg_reset_traps();
    user_write(VA_RPDE + 0x10, 3);
    CHECK_PF(PF_P | PF_W | PF_U, VA_RPDE + 0x10, PG_EIP(pg_wr32_insn), "user write, PDE R/W=0, PTE R/W=1");
    CHECK_EQ(*(volatile uint32_t *)(upage + 0x10), 0x600dda7a, "PDE R/W=0: nothing written");

    /* Not present. */
    pg_reset_traps();
    user_read(VA + 0x3ffc);
    CHECK_PF(PF_U, VA + 0x3ffc, PG_EIP(pg_rd32_insn), "user read, not present");
    pg_reset_traps();
    user_write(VA + 0x3000, 4);
    CHECK_PF(PF_W | PF_U, VA + 0x3000, PG_EIP(pg_wr32_insn), "user write, not present");

    /* Instruction fetch: "mov $0x1234, %eax; ret" in a supervisor and a user page. */
    static const uint8_t code[] = { 0xb8, 0x34, 0x12, 0x00, 0x00, 0xc3 };
    pg_memcpy(spage + 0x400, code, sizeof code);
    pg_memcpy(upage + 0x400, code, sizeof code);
    pg_reset_traps();
    u_addr = VA + 0x400;
    CHECK_EQ(pg_user_call(u_exec), 0x1234, "user fetch from a user page");
    CHECK_NOTRAP("user fetch from a user page");
    u_addr = VA + 0x1400;
    pg_user_call(u_exec);
    CHECK_PF(PF_P | PF_U, VA + 0x1400, VA + 0x1400, "user fetch from a supervisor page");
    pg_reset_traps();
    CHECK_EQ(pg_exec(VA + 0x1400), 0x1234, "supervisor fetch from a supervisor page");
    CHECK_EQ(pg_exec(VA + 0x400), 0x1234, "supervisor fetch from a user page");
    CHECK_NOTRAP("supervisor fetches");
    /* Again now that ring 0 has run the supervisor page's code. */
    pg_user_call(u_exec);
    CHECK_PF(PF_P | PF_U, VA + 0x1400, VA + 0x1400, "user fetch from a supervisor page after ring 0 ran it");

    /* Supervisor accesses to user pages (including read-only ones, WP=0). */
    write_cr0(read_cr0() & ~CR0_WP);
    pg_reset_traps();
    pg_wr32(VA + 0x2034, 0x12121212);
    CHECK_EQ(pg_rd32(VA + 0x14), 0, "supervisor read of a user page");
    CHECK_NOTRAP("supervisor accesses to user pages");
    CHECK_EQ(*(volatile uint32_t *)(rpage + 0x34), 0x12121212, "supervisor write, CR0.WP=0, read-only user page");

    return kdone("t_pg_user");
}
