/* t_pg_push_run: runs of PUSH and POP whose ESP updates vm defers
 * (translate.c gen_sp_defer: one LEA on R12 for the run, memory operands
 * on ESP adjusted), with faults in the middle.  From ring 3, so the
 * trap's frame goes to the TSS stack and holds the interrupted ESP.
 *
 * Checks (SDM Vol. 3, 6.5: a fault is reported with the state before
 * the faulting instruction; PUSH/POP/RET leave ESP unchanged when they
 * fault):
 *  - four pushes of which the third runs into a not-present page: #PF
 *    at the third with CR2 the page's last dword, the saved ESP after
 *    two pushes and their values stored; restarted, the run completes,
 *    an ESP-based load and an x87 load after it read the pushed values,
 *    and ESP ends 16 lower;
 *  - pops running into a not-present page: #PF at the faulting POP with
 *    ESP after the pops before it and their registers loaded;
 *  - a RET after pops, whose return address lies on a not-present page;
 *  - after pushes, a load at [ESP + disp] from a not-present page: CR2
 *    is the address from the ESP the pushes left;
 *  - a pushed value read back through a register copy of ESP and
 *    through PUSH ESP (which pushes ESP before its own update);
 *  - SUB ESP, imm after a push (R12 moves first), then a store at [ESP]
 *    and a fault at [ESP + disp]: CR2 and the saved ESP count both; and
 *    the flags of SUB ESP, imm, which LAHF reads.
 */
#include "pg_lib.h"

#define VA 0x40000000u          /* PDE 256; page n at VA + n * 0x1000 */
#define PG(n) (VA + (n) * 0x1000u)

static uint8_t *frame[4];
static uint32_t *pte[4];
static uint32_t *fix_pte;
static int fix_present(struct pg_frame *f) { (void)f; *fix_pte |= PTE_P; return 1; }

uint32_t u_new_esp, u_saved_esp, u_eax, u_ebx, u_esi, u_edi, u_fp;

/* Each runs with ESP = u_new_esp, resumes at 9 after a trap, and returns
 * the ESP it ended with; registers of interest go to u_*. */
uint32_t u_pushes(void), u_pops(void), u_ret(void), u_load(void), u_esp_reads(void);
uint32_t u_sub_dead(void), u_sub_live(void);
extern char u_pushes_fault[], u_pops_fault[], u_ret_insn[], u_load_insn[], u_sub_dead_insn[];
#define U_ENTER "movl %esp, u_saved_esp\n\tmovl u_new_esp, %esp\n\tmovl $9f, pg_resume\n"
#define U_LEAVE "9:\tmovl $0, pg_resume\n\tmovl %eax, u_eax\n\tmovl %ebx, u_ebx\n\t" \
                "movl %esi, u_esi\n\tmovl %edi, u_edi\n\tmovl %esp, %eax\n\t" \
                "movl u_saved_esp, %esp\n\tret\n"
__asm__(".text\n"
        "u_pushes:\n\t" U_ENTER
        "pushl $0x11111111\n\t"
        "pushl $0x22222222\n"
        "u_pushes_fault:\n\t"
        "pushl $0x33333333\n\t"
        "pushl $0x44444444\n\t"
        "movl 12(%esp), %ebx\n\t"               /* 0x11111111 */
        "fninit\n\t"
        "fildl 8(%esp)\n\t"                     /* 0x22222222 */
        "fistpl u_fp\n\t"
        "movl 4(%esp), %esi\n\t"                /* 0x33333333 */
        "movl (%esp), %edi\n\t"                 /* 0x44444444 */
        U_LEAVE
        "u_pops:\n\t" U_ENTER
        "popl %ebx\n\t"
        "popl %esi\n"
        "u_pops_fault:\n\t"
        "popl %edi\n\t"
        U_LEAVE
        "u_ret:\n\t" U_ENTER
        "popl %ebx\n\t"
        "popl %esi\n"
        "u_ret_insn:\n\t"
        "ret\n\t"
        U_LEAVE
        "u_load:\n\t" U_ENTER
        "pushl $0x55555555\n\t"
        "pushl $0x66666666\n"
        "u_load_insn:\n\t"
        "movl 0x1000(%esp), %ebx\n\t"
        U_LEAVE
        "u_esp_reads:\n\t" U_ENTER
        "pushl $0x77777777\n\t"
        "pushl $0x88888888\n\t"
        "movl %esp, %esi\n\t"                   /* ESP itself: after both */
        "movl 4(%esi), %ebx\n\t"                /* 0x77777777 */
        "pushl %esp\n\t"                        /* the ESP before this push */
        "popl %edi\n\t"
        U_LEAVE
        "u_sub_dead:\n\t" U_ENTER
        "pushl $0x99999999\n\t"
        "subl $0x20, %esp\n\t"
        "movl 0x20(%esp), %esi\n\t"            /* 0x99999999 */
        "movl %esi, (%esp)\n\t"
        "cmpl %esi, %eax\n"
        "u_sub_dead_insn:\n\t"
        "movl 0x1000(%esp), %ebx\n\t"
        U_LEAVE
        "u_sub_live:\n\t" U_ENTER
        "pushl $0\n\t"
        "subl $0x1f, %esp\n\t"
        "lahf\n\t"
        "movzbl %ah, %edi\n\t"
        U_LEAVE);

int kmain(void)
{
    pg_setup();
    /* Pages 0 and 2 present, 1 and 3 not; frames apart physically. */
    for (int n = 0; n < 4; n++) {
        frame[n] = pg_alloc();
        pg_alloc();
        pg_map(PG(n), (uint32_t)frame[n], (n & 1 ? 0 : PTE_P) | PTE_W | PTE_U);
        pte[n] = pg_pte(PG(n));
    }
    pg_paging_on();

    /* Pushes from PG(2) + 8 down into page 1. */
    pg_reset_traps();
    u_new_esp = PG(2) + 8;
    CHECK_EQ(pg_user_call(u_pushes), PG(2), "pushes: ESP after the fault");
    CHECK_PF(PF_W | PF_U, PG(2) - 4, PG_EIP(u_pushes_fault), "third push into a not-present page");
    CHECK_EQ(pg_last.esp, PG(2), "pushes: saved ESP after two pushes");
    CHECK_EQ(*(volatile uint32_t *)(frame[2] + 4), 0x11111111, "pushes: first value stored");
    CHECK_EQ(*(volatile uint32_t *)frame[2], 0x22222222, "pushes: second value stored");
    pg_reset_traps();
    fix_pte = pte[1];
    pg_fixup = fix_present;
    CHECK_EQ(pg_user_call(u_pushes), PG(2) - 8, "pushes restarted: ESP 16 lower");
    CHECK_EQ(pg_ntraps, 1, "pushes restarted: one fault");
    CHECK_EQ(u_ebx, 0x11111111, "pushes: [esp+12] after the run");
    CHECK_EQ(u_fp, 0x22222222, "pushes: fild [esp+8] after the run");
    CHECK_EQ(u_esi, 0x33333333, "pushes: [esp+4]");
    CHECK_EQ(u_edi, 0x44444444, "pushes: [esp]");
    *pte[1] &= ~PTE_P;
    invlpg(PG(1));

    /* Pops from PG(1) - 8 up into page 1. */
    *(volatile uint32_t *)(frame[0] + 0xff8) = 0xaaaa0001;
    *(volatile uint32_t *)(frame[0] + 0xffc) = 0xaaaa0002;
    pg_reset_traps();
    u_new_esp = PG(1) - 8;
    CHECK_EQ(pg_user_call(u_pops), PG(1), "pops: ESP after the fault");
    CHECK_PF(PF_U, PG(1), PG_EIP(u_pops_fault), "third pop from a not-present page");
    CHECK_EQ(pg_last.esp, PG(1), "pops: saved ESP after two pops");
    CHECK_EQ(u_ebx, 0xaaaa0001, "pops: first register");
    CHECK_EQ(u_esi, 0xaaaa0002, "pops: second register");

    /* A RET after two pops, its return address on page 1. */
    pg_reset_traps();
    u_new_esp = PG(1) - 8;
    CHECK_EQ(pg_user_call(u_ret), PG(1), "RET: ESP after the fault");
    CHECK_PF(PF_U, PG(1), PG_EIP(u_ret_insn), "RET from a not-present page");
    CHECK_EQ(pg_last.esp, PG(1), "RET: saved ESP after the pops");

    /* After two pushes from PG(1) - 0x800: [esp + 0x1000] is on page 1. */
    pg_reset_traps();
    u_new_esp = PG(1) - 0x800;
    CHECK_EQ(pg_user_call(u_load), PG(1) - 0x808, "load: ESP after the fault");
    CHECK_PF(PF_U, PG(1) - 0x808 + 0x1000, PG_EIP(u_load_insn), "load at [esp+0x1000] after pushes");
    CHECK_EQ(pg_last.esp, PG(1) - 0x808, "load: saved ESP");
    CHECK_EQ(*(volatile uint32_t *)(frame[0] + 0x7f8), 0x66666666, "load: pushes stored");

    /* ESP read as a register. */
    pg_reset_traps();
    u_new_esp = PG(1) - 0x100;
    CHECK_EQ(pg_user_call(u_esp_reads), PG(1) - 0x108, "ESP reads: ESP at the end");
    CHECK_NOTRAP("ESP reads");
    CHECK_EQ(u_esi, PG(1) - 0x108, "mov %esp, %esi after two pushes");
    CHECK_EQ(u_ebx, 0x77777777, "the first push through the copy");
    CHECK_EQ(u_edi, PG(1) - 0x108, "push %esp pushes ESP before its own update");
    /* SUB ESP, imm with dead flags, from PG(1) - 0x800: 0x24 below it. */
    pg_reset_traps();
    u_new_esp = PG(1) - 0x800;
    CHECK_EQ(pg_user_call(u_sub_dead), PG(1) - 0x824, "SUB ESP: ESP after the fault");
    CHECK_PF(PF_U, PG(1) - 0x824 + 0x1000, PG_EIP(u_sub_dead_insn), "load at [esp+0x1000] after SUB ESP");
    CHECK_EQ(pg_last.esp, PG(1) - 0x824, "SUB ESP: saved ESP");
    CHECK_EQ(u_esi, 0x99999999, "SUB ESP: [esp+0x20] is the pushed value");
    CHECK_EQ(*(volatile uint32_t *)(frame[0] + 0x7dc), 0x99999999, "SUB ESP: the store at [esp]");
    /* ... and with its flags read: 0x40000efc - 0x1f = 0x40000edd: PF
     * (0xdd has six ones), AF (0xc - 0xf borrows), no SF ZF CF. */
    pg_reset_traps();
    u_new_esp = PG(1) - 0x100;
    CHECK_EQ(pg_user_call(u_sub_live), PG(1) - 0x123, "SUB ESP with its flags read: ESP");
    CHECK_EQ(u_edi & 0xd5, 0x14, "SUB ESP with its flags read: LAHF has PF and AF");
    return kdone("t_pg_push_run");
}
