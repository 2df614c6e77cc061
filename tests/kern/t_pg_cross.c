/* t_pg_cross: accesses and instructions that straddle two pages.
 *
 * Checks (Intel SDM Vol. 3, 4.7 and 6.15 "Interrupt 14": CR2 holds the
 * linear address that caused the fault; the fault is restartable, so the
 * faulting instruction has no effect):
 *  - data reads and writes across two present pages with unrelated
 *    physical frames;
 *  - an access whose second page is not present (or read-only) faults;
 *    when exactly one byte lies in the second page, CR2 is that byte's
 *    address (the page boundary); with two bytes there CR2 is one of them;
 *    when the first page is the faulting one, CR2 is the access's start;
 *  - nothing of a faulting write is stored, not even in the first page;
 *  - REP STOSB / REP MOVSB (DF = 0 and 1) that run into a not-present or
 *    read-only page stop at the faulting element with ECX/ESI/EDI
 *    updated and the earlier elements stored, and restart;
 *  - a PUSH straddling into a not-present page, a CALL whose push and a
 *    RET whose pop hit a not-present page fault with ESP unchanged (from
 *    ring 3, so the trap uses the TSS stack);
 *  - instruction fetch: a CALL to a not-present page faults with CR2 = EIP
 *    = the target and error code 0 (no I/D bit without PAE+NXE or SMEP);
 *    an instruction that straddles into a not-present page faults with
 *    EIP = its first byte and CR2 = the boundary; both restart after the
 *    handler sets P;
 *  - an instruction that ends at a page end does not fault because the
 *    next page is not present;
 *  - an instruction split over two present pages runs, and sees later
 *    changes to the bytes on either page and a remap of the second page.
 */
#include "pg_lib.h"

#define VA 0x40000000u          /* PDE 256; page n at VA + n * 0x1000 */
#define PG(n) (VA + (n) * 0x1000u)

static uint8_t *frame[16];      /* physical page behind page n (when present) */
static uint32_t *pte[16];

static uint32_t *fix_pte;
static int fix_present(struct pg_frame *f) { (void)f; *fix_pte |= PTE_P; return 1; }

/* Ring-3 PUSH with ESP = u_new_esp; resumes at 9 after a trap. */
uint32_t u_new_esp, u_saved_esp;
uint32_t u_push(void);
extern char u_push_insn[];
__asm__(".text\n"
        "u_push:\n\t"
        "movl %esp, u_saved_esp\n\t"
        "movl u_new_esp, %esp\n\t"
        "movl $9f, pg_resume\n"
        "u_push_insn:\n\t"
        "pushl $0x44332211\n"
        "9:\tmovl $0, pg_resume\n\t"
        "movl %esp, %eax\n\t"
        "movl u_saved_esp, %esp\n\t"
        "ret\n");

/* "mov $imm, %eax" (5 bytes) at p. */
/* Ring-3 CALL and RET with ESP = u_new_esp; both resume at 9 after a trap
 * and return the ESP they ended with. */
uint32_t u_call(void), u_ret(void);
extern char u_call_insn[], u_ret_insn[];
__asm__(".text\n"
        "u_call:\n\t"
        "movl %esp, u_saved_esp\n\t"
        "movl u_new_esp, %esp\n\t"
        "movl $9f, pg_resume\n"
        "u_call_insn:\n\t"
        "call 9f\n"
        "9:\tmovl $0, pg_resume\n\t"
        "movl %esp, %eax\n\t"
        "movl u_saved_esp, %esp\n\t"
        "ret\n"
        "u_ret:\n\t"
        "movl %esp, u_saved_esp\n\t"
        "movl u_new_esp, %esp\n\t"
        "movl $9f, pg_resume\n"
        "u_ret_insn:\n\t"
        "ret\n"
        "9:\tmovl $0, pg_resume\n\t"
        "movl %esp, %eax\n\t"
        "movl u_saved_esp, %esp\n\t"
        "ret\n");

/* "mov $imm, %eax; ret" split over two frames: b8 and the imm's low three
 * bytes in the last 4 bytes of `first`, the imm's top byte and c3 at the
 * start of `second`.  Its linear address is the second page's - 4. */
static void put_split(uint8_t *first, uint8_t *second, uint32_t imm)
{
    first[0xffc] = 0xb8;
    for (int i = 0; i < 3; i++)
        first[0xffd + i] = (uint8_t)(imm >> (8 * i));
    second[0] = (uint8_t)(imm >> 24);
    second[1] = 0xc3;
}

int kmain(void)
{
    pg_setup();
    /* Pages 0, 2, 4, 5, 6, 8, 9 present RW; 3 read-only; 1, 7, 10 not present.
     * Frames are allocated with gaps so adjacent pages are not adjacent
     * physically. */
    for (int n = 0; n < 12; n++) {
        frame[n] = pg_alloc();
        pg_alloc();
        uint32_t flags = PTE_P | PTE_W | PTE_U;
        if (n == 1 || n == 7 || n == 10)
            flags = PTE_W | PTE_U;
        if (n == 3)
            flags = PTE_P | PTE_U;
        pg_map(PG(n), (uint32_t)frame[n], flags);
        pte[n] = pg_pte(PG(n));
    }
    pg_paging_on();
    write_cr0(read_cr0() | CR0_WP);
    pg_reset_traps();

    /* Two present pages. */
    pg_wr32(PG(5) - 2, 0xa1b2c3d4);
    CHECK_EQ(frame[4][0xffe] | frame[4][0xfff] << 8 | frame[5][0] << 16 | frame[5][1] << 24, 0xa1b2c3d4,
             "dword write across two present pages");
    CHECK_EQ(pg_rd32(PG(5) - 2), 0xa1b2c3d4, "dword read across two present pages");
    CHECK_EQ(pg_rd16(PG(5) - 1), 0xb2c3, "word read across two present pages");
    CHECK_NOTRAP("two present pages");

    /* Second page not present. */
    pg_reset_traps();
    pg_rd16(PG(1) - 1);
    CHECK_PF(0, PG(1), PG_EIP(pg_rd16_insn), "word read, one byte in a not-present page");
    pg_reset_traps();
    pg_rd32(PG(1) - 3);
    CHECK_PF(0, PG(1), PG_EIP(pg_rd32_insn), "dword read, one byte in a not-present page");
    pg_reset_traps();
    pg_rd32(PG(1) - 2);
    CHECK_TRAP(VEC_PF, 0, PG_EIP(pg_rd32_insn), "dword read, two bytes in a not-present page");
    CHECK(pg_last.cr2 == PG(1) || pg_last.cr2 == PG(1) + 1, "dword read, two bytes in a not-present page: CR2 in the second page");
    frame[0][0xffd] = 0x11;
    frame[0][0xffe] = 0x22;
    frame[0][0xfff] = 0x33;
    pg_reset_traps();
    pg_wr32(PG(1) - 3, 0xffffffff);
    CHECK_PF(PF_W, PG(1), PG_EIP(pg_wr32_insn), "dword write, one byte in a not-present page");
    CHECK_EQ(frame[0][0xffd] | frame[0][0xffe] << 8 | frame[0][0xfff] << 16, 0x332211,
             "faulting page-crossing write: first page unchanged");

    /* First page not present. */
    pg_reset_traps();
    pg_rd32(PG(2) - 2);
    CHECK_PF(0, PG(2) - 2, PG_EIP(pg_rd32_insn), "dword read, first page not present");
    pg_reset_traps();
    pg_wr16(PG(2) - 1, 0xffff);
    CHECK_PF(PF_W, PG(2) - 1, PG_EIP(pg_wr16_insn), "word write, first page not present");
    CHECK_EQ(frame[2][0], 0, "faulting write: second page unchanged");

    /* Second page read-only. */
    frame[2][0xfff] = 0x5a;
    pg_reset_traps();
    pg_wr16(PG(3) - 1, 0xffff);
    CHECK_PF(PF_P | PF_W, PG(3), PG_EIP(pg_wr16_insn), "word write, second page read-only");
    CHECK_EQ(frame[2][0xfff], 0x5a, "faulting write to read-only page: first page unchanged");
    CHECK_EQ(frame[3][0], 0, "faulting write to read-only page: second page unchanged");

    /* PUSH from ring 3 across into a not-present page (page 1 below page 2). */
    pg_reset_traps();
    u_new_esp = PG(2) + 2;
    CHECK_EQ(pg_user_call(u_push), PG(2) + 2, "faulting PUSH leaves ESP unchanged");
    CHECK_PF(PF_W | PF_U, PG(2) - 2, PG_EIP(u_push_insn), "PUSH into a not-present page");
    CHECK_EQ(pg_last.esp, PG(2) + 2, "saved ESP of the faulting PUSH");
    CHECK_EQ(frame[2][0] | frame[2][1] << 8, 0, "faulting PUSH stored nothing");
    pg_reset_traps();
    u_new_esp = PG(5) + 2;
    CHECK_EQ(pg_user_call(u_push), PG(5) - 2, "PUSH across two present pages");
    CHECK_EQ(frame[4][0xffe] | frame[4][0xfff] << 8 | frame[5][0] << 16 | frame[5][1] << 24, 0x44332211,
             "PUSH across two present pages: data");
    CHECK_NOTRAP("PUSH across two present pages");

    /* CALL whose return-address push hits the not-present page, and RET
     * that pops from it: #PF at the instruction, ESP unchanged. */
    pg_reset_traps();
    u_new_esp = PG(2);
    CHECK_EQ(pg_user_call(u_call), PG(2), "faulting CALL leaves ESP unchanged");
    CHECK_PF(PF_W | PF_U, PG(2) - 4, PG_EIP(u_call_insn), "CALL pushing into a not-present page");
    pg_reset_traps();
    u_new_esp = PG(1) + 0x10;
    CHECK_EQ(pg_user_call(u_ret), PG(1) + 0x10, "faulting RET leaves ESP unchanged");
    CHECK_PF(PF_U, PG(1) + 0x10, PG_EIP(u_ret_insn), "RET popping from a not-present page");

    /* REP STOSB / MOVSB running into a not-present or read-only page: the
     * iterations before the faulting one are done and ECX, EDI, ESI say so
     * (SDM Vol. 2 REP: "the source and destination registers point to the
     * next string elements to be operated on, the EIP register points to
     * the string instruction, and the ECX register has the value it held
     * following the last successful iteration"); then it restarts. */
    pg_memset(frame[0] + 0xff8, 0, 8);
    pg_str.edi = PG(1) - 4;
    pg_str.ecx = 8;
    pg_str.eax = 0xab;
    pg_str.df = 0;
    pg_reset_traps();
    pg_rep_stosb();
    CHECK_PF(PF_W, PG(1), PG_EIP(pg_rep_stosb_insn), "REP STOSB into a not-present page");
    CHECK_EQ(pg_str.ecx, 4, "REP STOSB fault: ECX = elements left");
    CHECK_EQ(pg_str.edi, PG(1), "REP STOSB fault: EDI = the faulting element");
    CHECK_EQ(*(volatile uint32_t *)(frame[0] + 0xffc), 0xabababab, "REP STOSB fault: earlier elements stored");
    CHECK_EQ(*(volatile uint32_t *)(frame[0] + 0xff8), 0, "REP STOSB fault: nothing before EDI");
    pg_reset_traps();
    fix_pte = pte[1];
    pg_fixup = fix_present;
    pg_rep_stosb();
    CHECK_EQ(pg_ntraps, 1, "REP STOSB restarted: one fault");
    CHECK_EQ(pg_str.ecx, 0, "REP STOSB restarted: ECX = 0");
    CHECK_EQ(pg_str.edi, PG(1) + 4, "REP STOSB restarted: EDI at the end");
    CHECK_EQ(*(volatile uint32_t *)frame[1], 0xabababab, "REP STOSB restarted: the rest stored");
    *pte[1] &= ~PTE_P;
    invlpg(PG(1));

    pg_str.edi = PG(2) + 3;                 /* DF = 1: down into page 1 */
    pg_str.ecx = 8;
    pg_str.eax = 0xcd;
    pg_str.df = 1;
    pg_reset_traps();
    pg_rep_stosb();
    CHECK_PF(PF_W, PG(2) - 1, PG_EIP(pg_rep_stosb_insn), "REP STOSB (DF=1) into a not-present page");
    CHECK_EQ(pg_str.ecx, 4, "REP STOSB (DF=1) fault: ECX");
    CHECK_EQ(pg_str.edi, PG(2) - 1, "REP STOSB (DF=1) fault: EDI");
    CHECK_EQ(*(volatile uint32_t *)frame[2], 0xcdcdcdcd, "REP STOSB (DF=1) fault: earlier elements stored");

    pg_str.esi = PG(1) - 4;                 /* the source runs into page 1 */
    pg_str.edi = PG(5) - 0x100;
    pg_str.ecx = 8;
    pg_str.df = 0;
    pg_reset_traps();
    pg_rep_movsb();
    CHECK_PF(0, PG(1), PG_EIP(pg_rep_movsb_insn), "REP MOVSB from a not-present page");
    CHECK_EQ(pg_str.ecx, 4, "REP MOVSB fault: ECX");
    CHECK_EQ(pg_str.esi, PG(1), "REP MOVSB fault: ESI");
    CHECK_EQ(pg_str.edi, PG(5) - 0xfc, "REP MOVSB fault: EDI");
    CHECK_EQ(*(volatile uint32_t *)(frame[4] + 0xf00), 0xabababab, "REP MOVSB fault: earlier elements copied");
    CHECK_EQ(*(volatile uint32_t *)(frame[4] + 0xf04), 0, "REP MOVSB fault: nothing after");

    frame[3][0] = 0;
    pg_str.edi = PG(3) - 2;                 /* page 3 is read-only (CR0.WP = 1) */
    pg_str.ecx = 4;
    pg_str.eax = 0xef;
    pg_reset_traps();
    pg_rep_stosb();
    CHECK_PF(PF_P | PF_W, PG(3), PG_EIP(pg_rep_stosb_insn), "REP STOSB into a read-only page");
    CHECK_EQ(pg_str.ecx, 2, "REP STOSB read-only fault: ECX");
    CHECK_EQ(frame[2][0xffe] | frame[2][0xfff] << 8, 0xefef, "REP STOSB read-only fault: earlier elements stored");
    CHECK_EQ(frame[3][0], 0, "REP STOSB read-only fault: read-only page unchanged");

    /* CALL to a not-present page, then restart. */
    pg_put_mov_imm(frame[7], 0, 0x77);
    frame[7][5] = 0xc3;
    pg_reset_traps();
    pg_exec(PG(7));
    CHECK_PF(0, PG(7), PG(7), "CALL to a not-present page");
    pg_reset_traps();
    fix_pte = pte[7];
    pg_fixup = fix_present;
    CHECK_EQ(pg_exec(PG(7) + 0), 0x77, "fetch restarted after P set");
    CHECK_PF(0, PG(7), PG(7), "CALL to a not-present page (restarted)");

    /* "mov $0x12345678, %eax" at PG(11) - 4 .. PG(11), then "ret". */
    put_split(frame[10], frame[11], 0x12345678);
    *pte[10] |= PTE_P;
    *pte[11] = (*pte[11] & 0xfffff000u) | PTE_W | PTE_U;   /* page 11 not present */
    invlpg(PG(11));
    pg_reset_traps();
    pg_exec(PG(11) - 4);
    CHECK_PF(0, PG(11), PG(11) - 4, "instruction straddling into a not-present page");
    pg_reset_traps();
    fix_pte = pte[11];
    pg_fixup = fix_present;
    CHECK_EQ(pg_exec(PG(11) - 4), 0x12345678, "straddling instruction restarted after P set");
    CHECK_EQ(pg_ntraps, 1, "straddling instruction: one fault");

    /* An instruction ending at the page end; the next page is not present. */
    *pte[7] &= ~PTE_P;
    invlpg(PG(7));
    pg_put_mov_imm(frame[6] + 0xffa, 0, 0x66);
    frame[6][0xfff] = 0xc3;
    pg_reset_traps();
    CHECK_EQ(pg_exec(PG(7) - 6), 0x66, "RET as the last byte before a not-present page");
    CHECK_NOTRAP("RET as the last byte before a not-present page");

    /* An instruction split over pages 8 and 9 (both present). */
    put_split(frame[8], frame[9], 0x0a0b0c0d);
    CHECK_EQ(pg_exec(PG(9) - 4), 0x0a0b0c0d, "instruction split over two present pages");
    frame[9][0] = 0x1a;
    CHECK_EQ(pg_exec(PG(9) - 4), 0x1a0b0c0d, "split instruction: second page's byte rewritten");
    frame[8][0xffd] = 0x1d;
    CHECK_EQ(pg_exec(PG(9) - 4), 0x1a0b0c1d, "split instruction: first page's byte rewritten");
    uint8_t *other = pg_alloc();
    other[0] = 0x2a;
    other[1] = 0xc3;
    pg_map(PG(9), (uint32_t)other, PTE_P | PTE_W | PTE_U);
    CHECK_EQ(pg_exec(PG(9) - 4), 0x2a0b0c1d, "split instruction: second page remapped");
    CHECK_NOTRAP("split instructions");

    return kdone("t_pg_cross");
}
