/* t_pg_smc: self-modifying code with paging on.
 *
 * One physical code page P is mapped at two linear addresses (CODE and
 * ALIAS) and is also reachable through the identity map.  Checks (Intel
 * SDM Vol. 3, 8.1.3 "Handling Self- and Cross-Modifying Code" and 11.6
 * "Self-Modifying Code": a write to code is detected by physical address
 * for the caches; the portable sequences are "store, then jump to the new
 * code" and "store, then a serializing instruction such as CPUID"):
 *  - code written through CODE, through ALIAS or through the identity map
 *    runs with its new bytes the next time it is called at either address;
 *  - code that rewrites an instruction later in its own page, through its
 *    own linear address or through the alias, then JMPs, runs the new one;
 *    the same with CPUID instead of the jump;
 *  - the same, when the alias was used for writing before the code on the
 *    page was first run;
 *  - the same bytes run at CODE and at ALIAS see their own EIP (CALL/POP);
 *  - code written by REP MOVSB / REP STOSB runs with its new bytes;
 *  - a direct JMP into the next page follows that page's remapping
 *    (INVLPG) and faults once it is not present;
 *  - remapping CODE to another physical page (PTE change + INVLPG) runs
 *    the other page's code; two address spaces (CR3) with different code
 *    at the same linear address each run their own.
 */
#include "pg_lib.h"

#define CODE  0x40000000u       /* PDE 256 */
#define ALIAS 0x40400000u       /* PDE 257 */

static uint8_t *P, *Q;          /* physical code pages */

/* "mov $imm, %eax; ret" at p. */
static void put_ret_imm(uint8_t *p, uint32_t imm)
{
    pg_put_mov_imm(p, 0, imm);
    p[5] = 0xc3;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* At P + off: "movl $newimm, target; <sync>; mov $0x11, %eax; ret" where
 * target is the linear address (through base) of the mov's immediate and
 * <sync> is "jmp .+2" or "push %ebx; xor %eax,%eax; cpuid; pop %ebx". */
static void put_self_patch(uint32_t off, uint32_t base, uint32_t newimm, int use_cpuid)
{
    static const uint8_t jmp[] = { 0xeb, 0x00 };
    static const uint8_t ser[] = { 0x53, 0x31, 0xc0, 0x0f, 0xa2, 0x5b };
    uint8_t *p = P + off;
    uint32_t n = use_cpuid ? sizeof ser : sizeof jmp;
    p[0] = 0xc7;
    p[1] = 0x05;
    put32(p + 6, newimm);
    pg_memcpy(p + 10, use_cpuid ? ser : jmp, n);
    put_ret_imm(p + 10 + n, 0x11);
    put32(p + 2, base + off + 10 + n + 1);
}

int kmain(void)
{
    pg_setup();
    P = pg_alloc();
    Q = pg_alloc();
    pg_map(CODE, (uint32_t)P, PTE_P | PTE_W);
    pg_map(ALIAS, (uint32_t)P, PTE_P | PTE_W);
    pg_paging_on();
    pg_reset_traps();

    /* Written through CODE (paging on: the store goes through the TLB). */
    uint8_t *code = (uint8_t *)CODE, *alias = (uint8_t *)ALIAS;
    put_ret_imm(code, 1);
    CHECK_EQ(pg_exec(CODE), 1, "code written through its own linear address");
    put_ret_imm(code, 2);
    CHECK_EQ(pg_exec(CODE), 2, "rewritten through the same linear address");
    put_ret_imm(alias, 3);
    CHECK_EQ(pg_exec(CODE), 3, "rewritten through the alias, run at CODE");
    put_ret_imm(P, 4);
    CHECK_EQ(pg_exec(CODE), 4, "rewritten through the identity map, run at CODE");
    CHECK_EQ(pg_exec(ALIAS), 4, "same page run at the alias");
    put_ret_imm(code, 5);
    CHECK_EQ(pg_exec(ALIAS), 5, "rewritten through CODE, run at the alias");
    alias[1] = 6;
    CHECK_EQ(pg_exec(CODE), 6, "one immediate byte rewritten through the alias");
    CHECK_EQ(pg_exec(ALIAS), 6, "and run at the alias");

    /* Code that patches itself, then jumps (or serializes). */
    for (int pass = 0; pass < 2; pass++) {
        put_self_patch(0x100, CODE, 0x70 + pass, 0);
        CHECK_EQ(pg_exec(CODE + 0x100), 0x70 + pass, "self-patch through own address, then JMP");
        put_self_patch(0x200, ALIAS, 0x80 + pass, 0);
        CHECK_EQ(pg_exec(CODE + 0x200), 0x80 + pass, "self-patch through the alias, then JMP");
        put_self_patch(0x300, CODE, 0x90 + pass, 1);
        CHECK_EQ(pg_exec(CODE + 0x300), 0x90 + pass, "self-patch through own address, then CPUID");
        put_self_patch(0x400, ALIAS, 0xa0 + pass, 1);
        CHECK_EQ(pg_exec(CODE + 0x400), 0xa0 + pass, "self-patch through the alias, then CPUID");
        put_self_patch(0x500, CODE, 0xb0 + pass, 0);
        CHECK_EQ(pg_exec(ALIAS + 0x500), 0xb0 + pass, "run at the alias, patch through CODE, then JMP");
    }

    /* A fresh page written through the alias and through the identity map
     * *before* any code on it is translated, then run, then written again
     * through the same alias / identity address: translations made after
     * a writable mapping was first used must still see later writes. */
    uint8_t *R = pg_alloc();
    pg_map(CODE + 0x3000, (uint32_t)R, PTE_P | PTE_W);
    pg_map(ALIAS + 0x3000, (uint32_t)R, PTE_P | PTE_W);
    put_ret_imm(alias + 0x3000, 0x61);
    R[0x10] = 0;
    CHECK_EQ(pg_exec(CODE + 0x3000), 0x61, "fresh page written through the alias, run at CODE");
    alias[0x3001] = 0x62;
    CHECK_EQ(pg_exec(CODE + 0x3000), 0x62, "written again through the alias");
    R[1] = 0x63;
    CHECK_EQ(pg_exec(CODE + 0x3000), 0x63, "written again through the identity map");

    /* Position-dependent code: "call 1f; 1: pop %eax; ret" returns the
     * linear address of label 1, which differs between CODE and ALIAS
     * although the bytes (and physical page) are the same. */
    static const uint8_t where[] = { 0xe8, 0x00, 0x00, 0x00, 0x00, 0x58, 0xc3 };
    pg_memcpy(P + 0x600, where, sizeof where);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(pg_exec(CODE + 0x600), CODE + 0x605, "CALL/POP at CODE gives CODE's address");
        CHECK_EQ(pg_exec(ALIAS + 0x600), ALIAS + 0x605, "CALL/POP at ALIAS gives ALIAS's address");
    }

    /* String instructions writing code: REP MOVSB copies new code in
     * through the alias; REP STOSB overwrites an instruction with NOPs. */
    static const uint8_t newcode[] = { 0xb8, 0x23, 0x01, 0x00, 0x00, 0xc3 };   /* mov $0x123, %eax; ret */
    put_ret_imm(P + 0x700, 0x122);
    CHECK_EQ(pg_exec(CODE + 0x700), 0x122, "code before REP MOVSB");
    pg_str.edi = ALIAS + 0x700;
    pg_str.esi = (uint32_t)newcode;
    pg_str.ecx = sizeof newcode;
    pg_str.df = 0;
    pg_rep_movsb();
    CHECK_EQ(pg_exec(CODE + 0x700), 0x123, "code copied in with REP MOVSB through the alias");
    put_ret_imm(P + 0x800, 1);
    CHECK_EQ(pg_exec(CODE + 0x800), 1, "code before REP STOSB");
    pg_str.edi = CODE + 0x800;
    pg_str.ecx = 5;
    pg_str.eax = 0x90;                      /* NOP: EAX keeps pg_exec's 0xdeadbeef */
    pg_rep_stosb();
    CHECK_EQ(pg_exec(CODE + 0x800), 0xdeadbeef, "MOV overwritten with NOPs by REP STOSB");

    /* A direct JMP from one page into the next, then the target page is
     * remapped or made not present: the jump must follow the new mapping. */
    uint8_t *J = pg_alloc(), *T1 = pg_alloc(), *T2 = pg_alloc();
    pg_map(CODE + 0x1000, (uint32_t)J, PTE_P | PTE_W);
    pg_map(CODE + 0x2000, (uint32_t)T1, PTE_P | PTE_W);
    J[0xff0] = 0xe9;                        /* jmp CODE + 0x2010 */
    put32(J + 0xff1, (CODE + 0x2010) - (CODE + 0x1ff5));
    put_ret_imm(T1 + 0x10, 0x31);
    put_ret_imm(T2 + 0x10, 0x41);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(pg_exec(CODE + 0x1ff0), 0x31, "JMP into the next page");
    pg_map(CODE + 0x2000, (uint32_t)T2, PTE_P | PTE_W);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(pg_exec(CODE + 0x1ff0), 0x41, "JMP into the next page after it was remapped");
    CHECK_NOTRAP("cross-page JMP");
    pg_map(CODE + 0x2000, (uint32_t)T2, PTE_W);
    pg_reset_traps();
    pg_exec(CODE + 0x1ff0);
    CHECK_PF(0, CODE + 0x2010, CODE + 0x2010, "JMP into the next page after it was made not present");
    pg_reset_traps();

    /* Remap CODE to Q. */
    put_ret_imm(Q, 0x51);
    CHECK_EQ(pg_exec(CODE), 6, "CODE -> P");
    pg_map(CODE, (uint32_t)Q, PTE_P | PTE_W);
    CHECK_EQ(pg_exec(CODE), 0x51, "CODE remapped to Q (INVLPG)");
    CHECK_EQ(pg_exec(ALIAS), 6, "ALIAS still P");
    pg_map(CODE, (uint32_t)P, PTE_P | PTE_W);
    CHECK_EQ(pg_exec(CODE), 6, "CODE back to P");

    /* Two address spaces. */
    uint32_t *dir2 = pg_alloc();
    dir2[0] = pg_dir[0];
    *pg_pte_in(dir2, CODE) = (uint32_t)Q | PTE_P | PTE_W;
    uint32_t cr3_1 = read_cr3();
    for (int i = 0; i < 3; i++) {
        write_cr3((uint32_t)dir2);
        CHECK_EQ(pg_exec(CODE), 0x51, "address space 2 runs Q");
        write_cr3(cr3_1);
        CHECK_EQ(pg_exec(CODE), 6, "address space 1 runs P");
    }
    /* Rewrite Q while address space 1 is current, then run it in space 2. */
    put_ret_imm(Q, 0x52);
    write_cr3((uint32_t)dir2);
    CHECK_EQ(pg_exec(CODE), 0x52, "Q rewritten while not mapped at CODE");
    write_cr3(cr3_1);
    CHECK_NOTRAP("self-modifying code");

    return kdone("t_pg_smc");
}
