/* t_ring_iopl: IOPL-sensitive instructions by CPL and IOPL: CLI, STI,
 * POPF, IRET (the I/O instructions are in t_ring_iobitmap).
 *
 * What it checks (Intel SDM Vol. 1 3.4.3 and 18.2 "I/O Privilege Level";
 * Vol. 2 CLI/STI ("#GP(0) if CPL > IOPL"), POPF (table "Effect of POPF on
 * the EFLAGS register": IF changes only if CPL <= IOPL, IOPL only at
 * CPL 0, no fault either way), IRET pseudo-code (same rules for the
 * popped EFLAGS when returning to the same or an outer level); Vol. 3
 * 2.3 "ID flag" writable when CPUID exists):
 *   - CPL 3, IOPL 0: CLI and STI #GP(0) with EIP = the instruction and IF
 *     unchanged; POPF changing IF and IOPL: both silently kept, CF/ZF/OF
 *     do change; IRET to CPL 3 likewise keeps IF and IOPL.
 *   - CPL 3, IOPL 3: CLI/STI work; POPF changes IF but not IOPL.
 *   - CPL 1, IOPL 0: CLI #GP(0); CPL 1, IOPL 1: CLI works.
 *   - CPL 0: POPF changes IOPL and IF; the ID flag (bit 21) can be toggled.
 */
#include "seg_lib.h"

static volatile uint32_t r3_before, r3_after;
static volatile int r3_op;

/* op 0: CLI  1: STI  2: POPF flipping IF,CF,ZF  3: POPF setting IOPL=3
 * 4: IRET (same level) flipping IF and setting IOPL=3 */
static void r3_flags(void)
{
    uint32_t before = 0, after = 0;
    switch (r3_op) {
    case 0:
        SEG_TRY_THEN("pushfl\n\tpopl %0\n\t" SEG_MARK "cli", "pushfl\n\tpopl %1",
                     "=&r"(before), "=&r"(after) :);
        break;
    case 1:
        SEG_TRY_THEN("pushfl\n\tpopl %0\n\t" SEG_MARK "sti", "pushfl\n\tpopl %1",
                     "=&r"(before), "=&r"(after) :);
        break;
    case 2:
        SEG_TRY("pushfl\n\tpopl %0\n\t"
                "movl %0, %1\n\t"
                "xorl %2, %1\n\t"
                "pushl %1\n\t"
                "popfl\n\t"
                "pushfl\n\tpopl %1", "=&r"(before), "=&r"(after) : "i"(FL_IF | FL_CF | FL_ZF));
        break;
    case 3:
        SEG_TRY("pushfl\n\tpopl %0\n\t"
                "movl %0, %1\n\t"
                "orl %2, %1\n\t"
                "pushl %1\n\t"
                "popfl\n\t"
                "pushfl\n\tpopl %1", "=&r"(before), "=&r"(after) : "i"(FL_IOPL(3) | FL_OF));
        break;
    case 4:
        SEG_TRY("pushfl\n\tpopl %0\n\t"
                "movl %0, %1\n\t"
                "xorl %2, %1\n\t"
                "pushl %1\n\t"             /* EFLAGS */
                "pushl %%cs\n\t"
                "pushl $1f\n\t"
                "iret\n"
                "1:\tpushfl\n\tpopl %1", "=&r"(before), "=&r"(after) : "i"(FL_IF | FL_IOPL(3) | FL_CF));
        break;
    }
    r3_before = before;
    r3_after = after;
}

static void run(uint32_t eflags, uint32_t cs, uint32_t ss, int op)
{
    seg_ring3_eflags = eflags;
    seg_ring3_cs = cs;
    seg_ring3_ss = ss;
    r3_op = op;
    seg_ring3_call(r3_flags);
    seg_ring3_defaults();
}

int kmain(void)
{
    seg_init();

    /* ---- CPL 3, IOPL 0 ---- */
    run(FL_1 | FL_IF, SEL_UCODE, SEL_UDATA, 0);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3 IOPL 0: CLI: #GP(0)", 13, 0, SEL_UCODE);
    CHECK_EQ(r3_after & FL_IF, FL_IF, "CLI faulted: IF still 1");
    run(FL_1, SEL_UCODE, SEL_UDATA, 1);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3 IOPL 0: STI: #GP(0)", 13, 0, SEL_UCODE);
    CHECK_EQ(r3_after & FL_IF, 0, "STI faulted: IF still 0");
    run(FL_1 | FL_IF, SEL_UCODE, SEL_UDATA, 2);
    SEG_EXPECT_NONE("CPL 3 IOPL 0: POPF changing IF does not fault");
    CHECK_EQ(r3_after & FL_IF, FL_IF, "CPL 3 IOPL 0: POPF leaves IF");
    CHECK_EQ((r3_after ^ r3_before) & (FL_CF | FL_ZF), FL_CF | FL_ZF, "POPF still changes CF and ZF");
    run(FL_1, SEL_UCODE, SEL_UDATA, 3);
    SEG_EXPECT_NONE("CPL 3: POPF changing IOPL does not fault");
    CHECK_EQ(r3_after & FL_IOPL_MASK, 0, "CPL 3: POPF leaves IOPL");
    CHECK_EQ(r3_after & FL_OF, FL_OF, "POPF sets OF");
    run(FL_1 | FL_IF, SEL_UCODE, SEL_UDATA, 4);
    SEG_EXPECT_NONE("CPL 3: IRET to CPL 3");
    CHECK_EQ(r3_after & (FL_IF | FL_IOPL_MASK), FL_IF, "CPL 3 IOPL 0: IRET keeps IF and IOPL");
    CHECK_EQ((r3_after ^ r3_before) & FL_CF, FL_CF, "IRET loads CF");

    /* ---- CPL 3, IOPL 3 ---- */
    run(FL_1 | FL_IF | FL_IOPL(3), SEL_UCODE, SEL_UDATA, 0);
    SEG_EXPECT_NONE("CPL 3 IOPL 3: CLI allowed");
    CHECK_EQ(r3_after & FL_IF, 0, "CPL 3 IOPL 3: CLI clears IF");
    run(FL_1 | FL_IOPL(3), SEL_UCODE, SEL_UDATA, 1);
    SEG_EXPECT_NONE("CPL 3 IOPL 3: STI allowed");
    CHECK_EQ(r3_after & FL_IF, FL_IF, "CPL 3 IOPL 3: STI sets IF");
    run(FL_1 | FL_IF | FL_IOPL(3), SEL_UCODE, SEL_UDATA, 2);
    CHECK_EQ(r3_after & FL_IF, 0, "CPL 3 IOPL 3: POPF clears IF");
    run(FL_1 | FL_IOPL(1), SEL_UCODE, SEL_UDATA, 3);
    CHECK_EQ(r3_after & FL_IOPL_MASK, FL_IOPL(1), "CPL 3 IOPL 1: POPF still cannot change IOPL");
    run(FL_1 | FL_IOPL(3), SEL_UCODE, SEL_UDATA, 4);
    CHECK_EQ(r3_after & (FL_IF | FL_IOPL_MASK), FL_IF | FL_IOPL(3),
             "CPL 3 IOPL 3: IRET sets IF, IOPL unchanged (xor would clear it)");

    /* ---- CPL 1 ---- */
    run(FL_1 | FL_IF, SEL_K1CODE, SEL_K1DATA, 0);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 1 IOPL 0: CLI: #GP(0)", 13, 0, SEL_K1CODE);
    run(FL_1 | FL_IF | FL_IOPL(1), SEL_K1CODE, SEL_K1DATA, 0);
    SEG_EXPECT_NONE("CPL 1 IOPL 1: CLI allowed");
    CHECK_EQ(r3_after & FL_IF, 0, "CPL 1 IOPL 1: CLI clears IF");

    /* ---- CPL 0 ---- */
    {
        uint32_t f0 = read_eflags();
        write_eflags(f0 | FL_IOPL(3));
        CHECK_EQ(read_eflags() & FL_IOPL_MASK, FL_IOPL(3), "CPL 0: POPF sets IOPL");
        write_eflags(f0 & ~FL_IOPL_MASK);
        CHECK_EQ(read_eflags() & FL_IOPL_MASK, 0, "CPL 0: POPF clears IOPL");
        write_eflags((f0 | FL_IF) ^ (1u << 21));
        uint32_t f1 = read_eflags();
        CHECK_EQ(f1 & FL_IF, FL_IF, "CPL 0: POPF sets IF");
        CHECK_EQ((f1 ^ f0) & (1u << 21), 1u << 21, "EFLAGS.ID can be toggled (CPUID exists)");
        write_eflags(f0 & ~FL_IF);
    }
    return kdone("t_ring_iopl");
}
