/* t_pg_thunk: CALLs to get-PC thunks ("mov reg, [esp]; ret", what
 * position-independent i386 code calls at each function entry), which
 * vm translates inline, as part of the caller's block (translate.c,
 * thunk_at).  The thunks live on their own page THUNK (physical Q), the
 * callers in the kernel's text.  Checks, each call run several times so
 * it is translated and then run translated:
 *  - the register gets the return address, the return address is stored
 *    where the CALL pushed it ([esp-4] after), ESP is as before; for EBX,
 *    EAX, ECX and EBP, at CPL 0 and EBX at CPL 3;
 *  - the thunk rewritten (through THUNK and through the identity map of
 *    Q) runs with its new bytes at the next call; also a thunk on the
 *    caller's own page, outside the caller's bytes;
 *  - THUNK remapped to another physical page (PTE + INVLPG) runs that
 *    page's code, also when the block with the CALL is reached by a
 *    direct jump from a block on the same page that ran before (a jump
 *    chained to it would skip the check of the thunk's page);
 *  - the same after THUNK's TLB entry was taken by another page;
 *  - a thunk page that is not present faults in the thunk (#PF at the
 *    thunk's EIP, with the CALL's push done), as after an ordinary CALL.
 */
#include "pg_lib.h"

/* THUNK's low 16 bits (its jump-cache slots, and those of the page before
 * it) are not the callers' (at 0x100xxx): INVLPG of THUNK must find the
 * callers' blocks through their second page, not by their slot. */
#define THUNK 0x40009000u
#define EVICT (THUNK + 0x800000u)
#define ALT_EBX 0x1234u         /* what the replacement code puts in EBX */

static uint8_t *Q, *Q2;         /* physical pages for THUNK */

volatile uint32_t th_pushed, th_esp_before, th_esp_after;

/* CALLER(name, reg, off): uint32_t name(void) zeroes reg, saves ESP, calls
 * THUNK + off, saves ESP and [esp-4], returns reg.  name_ret is the
 * return address. */
#define CALLER(name, reg, off) \
    uint32_t name(void); \
    extern char name##_ret[]; \
    __asm__(".pushsection .text\n\t.p2align 6\n" \
            #name ":\n\t" \
            "push %ebx\n\tpush %ebp\n\t" \
            "movl $0, %" #reg "\n\t" \
            "movl %esp, th_esp_before\n\t" \
            "call " #off " + 0x40009000\n" \
            #name "_ret:\n\t" \
            "movl %esp, th_esp_after\n\t" \
            "movl -4(%esp), %edx\n\t" \
            "movl %edx, th_pushed\n\t" \
            "movl %" #reg ", %eax\n\t" \
            "pop %ebp\n\tpop %ebx\n\t" \
            "ret\n" \
            ".popsection\n")

CALLER(call_ebx, ebx, 0x00);
CALLER(call_eax, eax, 0x10);
CALLER(call_ecx, ecx, 0x20);
CALLER(call_ebp, ebp, 0x30);

/* A block that ends in a direct JMP to the next block, on the same page,
 * which starts with the CALL: after a run or two the JMP is chained. */
uint32_t chain_ebx(void);
extern char chain_ebx_ret[];
__asm__(".pushsection .text\n\t.p2align 6\n"
        "chain_ebx:\n\t"
        "push %ebx\n\t"
        "movl $0, %ebx\n\t"
        "jmp 1f\n"
        "1:\tcall 0x40009000\n"
        "chain_ebx_ret:\n\t"
        "movl %ebx, %eax\n\t"
        "pop %ebx\n\t"
        "ret\n"
        ".popsection\n");

/* A caller with its thunk after it on the same page (one 128-byte
 * aligned piece): the thunk's bytes are outside the caller's block but
 * on its page.  Room after the thunk for put_alt_ebx. */
uint32_t call_near(void);
extern char call_near_ret[];
extern uint8_t near_thunk[];
__asm__(".pushsection .text\n\t.p2align 7\n"
        "call_near:\n\t"
        "push %ebx\n\t"
        "movl $0, %ebx\n\t"
        "call near_thunk\n"
        "call_near_ret:\n\t"
        "movl %ebx, %eax\n\t"
        "pop %ebx\n\t"
        "ret\n"
        "near_thunk:\n\t"
        "movl (%esp), %ebx\n\t"
        "ret\n\t"
        "nop; nop; nop; nop\n"
        ".popsection\n");

/* Where a #PF in the thunk resumes: drop the return address the CALL
 * pushed, go on as if the thunk had returned. */
extern char thunk_fault_resume[];
__asm__(".pushsection .text\n"
        "thunk_fault_resume:\n\t"
        "addl $4, %esp\n\t"
        "jmp call_ebx_ret\n"
        ".popsection\n");

/* The thunk for register r (0 EAX .. 7 EDI) at p: 8B /r with [esp], RET. */
static void put_thunk(uint8_t *p, int r)
{
    p[0] = 0x8b;
    p[1] = (uint8_t)(0x04 | r << 3);
    p[2] = 0x24;
    p[3] = 0xc3;
}

/* "mov $ALT_EBX, %ebx; ret" at p. */
static void put_alt_ebx(uint8_t *p)
{
    pg_put_mov_imm(p, 3, ALT_EBX);
    p[5] = 0xc3;
}

static void put_thunks(uint8_t *page)
{
    put_thunk(page + 0x00, 3);
    put_thunk(page + 0x10, 0);
    put_thunk(page + 0x20, 1);
    put_thunk(page + 0x30, 5);
}

static void check_call(uint32_t (*fn)(void), const char *ret, const char *what)
{
    th_pushed = 0;
    uint32_t got = fn();
    CHECK_EQ(got, PG_EIP(ret), what);
    CHECK_EQ(th_pushed, PG_EIP(ret), "the return address is stored below ESP");
    CHECK_EQ(th_esp_after, th_esp_before, "ESP is as before the CALL");
}

/* Ring 3: the EBX thunk; returns EBX minus the return address (0). */
static uint32_t user_call_ebx(void)
{
    return call_ebx() - PG_EIP(call_ebx_ret);
}

static void check_thunks(void)
{
    for (int i = 0; i < 4; i++) {
        check_call(call_ebx, call_ebx_ret, "EBX thunk: EBX = return address");
        check_call(call_eax, call_eax_ret, "EAX thunk: EAX = return address");
        check_call(call_ecx, call_ecx_ret, "ECX thunk: ECX = return address");
        check_call(call_ebp, call_ebp_ret, "EBP thunk: EBP = return address");
        CHECK_EQ(pg_user_call(user_call_ebx), 0, "EBX thunk at CPL 3");
    }
}

static void check_rewrite(void)
{
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(call_near(), PG_EIP(call_near_ret), "thunk on the caller's page");
        CHECK_EQ(call_near(), PG_EIP(call_near_ret), "... again");
        put_alt_ebx(near_thunk);
        CHECK_EQ(call_near(), ALT_EBX, "thunk on the caller's page rewritten");
        put_thunk(near_thunk, 3);
        put_alt_ebx((uint8_t *)THUNK);
        CHECK_EQ(call_ebx(), ALT_EBX, "thunk rewritten through its linear address");
        CHECK_EQ(call_ebx(), ALT_EBX, "... and run again");
        put_thunk(Q, 3);
        CHECK_EQ(call_ebx(), PG_EIP(call_ebx_ret), "thunk written back through the identity map");
    }
}

static void check_remap(void)
{
    CHECK_EQ(chain_ebx(), PG_EIP(chain_ebx_ret), "thunk reached through a JMP");
    CHECK_EQ(chain_ebx(), PG_EIP(chain_ebx_ret), "... chained");
    CHECK_EQ(chain_ebx(), PG_EIP(chain_ebx_ret), "... chained");
    for (int i = 0; i < 3; i++) {
        pg_map(THUNK, (uint32_t)Q2, PTE_P | PTE_W | PTE_U);
        CHECK_EQ(call_ebx(), ALT_EBX, "THUNK remapped to other code");
        CHECK_EQ(chain_ebx(), ALT_EBX, "... reached through a chained JMP");
        CHECK_EQ(chain_ebx(), ALT_EBX, "... again");
        pg_map(THUNK, (uint32_t)Q, PTE_P | PTE_W | PTE_U);
        CHECK_EQ(call_ebx(), PG_EIP(call_ebx_ret), "THUNK mapped back");
        CHECK_EQ(chain_ebx(), PG_EIP(chain_ebx_ret), "... reached through a chained JMP");
        CHECK_EQ(chain_ebx(), PG_EIP(chain_ebx_ret), "... again");
    }
}

/* THUNK's TLB entry taken by a data page with the same index (8 MiB
 * further: vm's TLB has 2048 entries), then the JMP path again: nothing
 * changed, so the same code must run (and not, say, loop looking for
 * the entry). */
static void check_evicted(void)
{
    pg_map(EVICT, (uint32_t)Q2, PTE_P | PTE_W);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(chain_ebx(), PG_EIP(chain_ebx_ret), "thunk through a chained JMP");
        CHECK_EQ(*(volatile uint8_t *)EVICT, 0xbb, "read of a page with THUNK's TLB slot");
        CHECK_EQ(chain_ebx(), PG_EIP(chain_ebx_ret), "... after THUNK's TLB entry went");
    }
}

static void check_not_present(void)
{
    for (int i = 0; i < 2; i++) {
        pg_map(THUNK, (uint32_t)Q, 0);
        pg_reset_traps();
        pg_resume = PG_EIP(thunk_fault_resume);
        th_pushed = 0;
        call_ebx();
        CHECK_PF(0, THUNK, THUNK, "thunk page not present: #PF at the thunk");
        CHECK_EQ(th_pushed, PG_EIP(call_ebx_ret), "the CALL pushed before the fault");
        pg_map(THUNK, (uint32_t)Q, PTE_P | PTE_W | PTE_U);
        pg_reset_traps();
        CHECK_EQ(call_ebx(), PG_EIP(call_ebx_ret), "present again");
        CHECK_NOTRAP("present again");
    }
}

int kmain(void)
{
    pg_setup();
    Q = pg_alloc();
    Q2 = pg_alloc();
    put_thunks(Q);
    put_alt_ebx(Q2);
    pg_map(THUNK, (uint32_t)Q, PTE_P | PTE_W | PTE_U);
    pg_paging_on();
    pg_reset_traps();
    check_thunks();
    check_rewrite();
    check_remap();
    check_evicted();
    check_not_present();
    CHECK_NOTRAP("thunk calls");
    return kdone("t_pg_thunk");
}
