/* t_exc_vectors: the processor exceptions 0-19 in protected mode: vector,
 * error code (or none), and the saved CS:EIP (faults point at the
 * faulting instruction, traps after it).
 *
 * Expected values: Intel SDM Vol. 3 6.15 "Exception and Interrupt
 * Reference" (class, error code, saved instruction pointer of every
 * vector), table 6-1; 2.5 (CR0.EM/MP/TS/NE), 17.2.4 (DR6.BS).
 *   0 #DE  DIV by 0 and IDIV overflow: fault, no error code, EAX/EDX kept.
 *          (Not -2^63 / -1: QEMU 7.2 itself dies of SIGFPE on that one.)
 *   1 #DB  single step (TF): trap after the next instruction, DR6.BS set,
 *          the handler runs with TF=0 and sees TF=1 in the pushed EFLAGS.
 *   3 #BP  INT3: trap.   4 #OF INTO with OF=1: trap (OF=0: nothing).
 *   5 #BR  BOUND out of range: fault (in range: nothing).
 *   6 #UD  UD2: fault.
 *   7 #NM  ESC with CR0.EM=1; ESC with CR0.TS=1; WAIT with TS=1 and MP=1:
 *          faults (WAIT with MP=0: nothing).
 *  10 #TS  IRET with NT=1 whose back link is not a busy TSS:
 *          #TS(back link), fault.
 *  11 #NP, 12 #SS, 13 #GP: a not-present data segment into DS, a
 *          not-present stack segment into SS, a far JMP to the null
 *          selector: faults with the selector (or 0) as error code.
 *  14 #PF  paging on (identity map), a not-present page read: error 0,
 *          written: error 2, CR2 = the address; a supervisor page read
 *          from CPL 3: error 5.  Fault.
 *  16 #MF  (only if CPUID reports an FPU) x87 divide by zero unmasked with
 *          CR0.NE=1: delivered at the next waiting FP instruction.
 * 2 (NMI), 8 (#DF: t_exc_df, t_task_df), 9 (not generated after the 386),
 * 15 (reserved), 17 (#AC: t_exc_ac_hw), 18 (#MC) and 19 (#XM; the CPU has
 * no SSE) are not raised here.
 */
#include "seg_lib.h"

enum { I_DATA_NP = GDT_FIRST_FREE, I_TSS2 };

static void db_hook(struct seg_frame *f)
{
    f->eflags &= ~FL_TF;        /* stop stepping */
}

static uint32_t pgdir[1024] __attribute__((aligned(4096)));
static uint32_t pgtab[2][1024] __attribute__((aligned(4096)));
static uint8_t pf_page[4096] __attribute__((aligned(4096)));

static volatile uint32_t r3_addr;
static void r3_read(void)
{
    uint32_t v;
    SEG_TRY("movl (%1), %0", "=r"(v) : "r"(r3_addr));
}

static void test_pf(void)
{
    /* identity-map 0..8 MiB with 4 KiB pages; user pages except pf_page */
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 1024; j++)
            pgtab[i][j] = ((uint32_t)(i * 1024 + j) << 12) | 7;    /* P RW US */
        pgdir[i] = (uint32_t)pgtab[i] | 7;
    }
    CHECK((uint32_t)pf_page < 0x800000, "pf_page below 8 MiB");
    uint32_t n = (uint32_t)pf_page >> 12;
    pgtab[n >> 10][n & 1023] &= ~1u;                   /* not present */
    uint32_t cr0, cr2, v = 0x1234;
    __asm__ volatile("movl %1, %%cr3\n\t"
                     "movl %%cr0, %0\n\t"
                     "orl $0x80000000, %0\n\t"
                     "movl %0, %%cr0" : "=&r"(cr0) : "r"(pgdir) : "memory");
    SEG_TRY("movl (%1), %0", "+r"(v) : "r"(pf_page + 8));
    SEG_EXPECT_FAULT(14, 0, "#PF: read of a not-present page, error 0");
    __asm__ volatile("movl %%cr2, %0" : "=r"(cr2));
    CHECK_EQ(cr2, (uint32_t)pf_page + 8, "#PF: CR2 = the faulting address");
    CHECK_EQ(v, 0x1234, "#PF: the load did not happen");
    SEG_TRY("movl $5, (%0)", : "r"(pf_page + 0xffc));
    SEG_EXPECT_FAULT(14, 2, "#PF: write to a not-present page, error 2");
    __asm__ volatile("movl %%cr2, %0" : "=r"(cr2));
    CHECK_EQ(cr2, (uint32_t)pf_page + 0xffc, "#PF: CR2 (write)");
    /* a present supervisor page read from CPL 3 */
    pgtab[n >> 10][n & 1023] = ((uint32_t)pf_page) | 3;  /* P RW, supervisor */
    __asm__ volatile("movl %%cr3, %%eax\n\tmovl %%eax, %%cr3" : : : "eax", "memory");
    r3_addr = (uint32_t)pf_page + 0x10;
    seg_ring3_call(r3_read);
    seg_expect_fault_cs(__FILE__, __LINE__, "#PF: CPL 3 read of a supervisor page, error 5", 14, 5, SEL_UCODE);
    __asm__ volatile("movl %%cr2, %0" : "=r"(cr2));
    CHECK_EQ(cr2, (uint32_t)pf_page + 0x10, "#PF: CR2 (user read)");
    __asm__ volatile("movl %%cr0, %0\n\t"
                     "andl $0x7fffffff, %0\n\t"
                     "movl %0, %%cr0" : "=&r"(cr0) : : "memory");
}

static void test_mf(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "0"(1));
    if (!(d & 1)) {
        kputs("t_exc_vectors: no FPU (CPUID.1:EDX.FPU=0), #MF not tested\n");
        return;
    }
    uint32_t cr0;
    static uint16_t fcw = 0x037b;      /* all masked except ZE (bit 2) */
    static float zero = 0.0f;
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("movl %0, %%cr0" : : "r"((cr0 | 0x20) & ~0xcu));  /* NE=1, EM=TS=0 */
    SEG_TRY("fninit\n\t"
            "fldcw %0\n\t"
            "fld1\n\t"
            "fdivs %1\n\t"              /* 1/0: ZE pending, no exception yet */
            SEG_MARK "fwait",
            : "m"(fcw), "m"(zero));
    SEG_EXPECT_FAULT(16, SEG_NOERR, "#MF: pending x87 divide-by-zero, at the next WAIT");
    __asm__ volatile("fnclex\n\tfninit");
    __asm__ volatile("movl %0, %%cr0" : : "r"(cr0));
}

int kmain(void)
{
    seg_init();
    seg_set_gdt(I_DATA_NP, seg_make_desc(0, 0xfffff, D_DATA_RW & ~D_P, F_G | F_DB));

    /* 0 #DE */
    {
        uint32_t a = 1234, d = 0;
        SEG_TRY("divl %2", "+a"(a), "+d"(d) : "r"(0));
        SEG_EXPECT_FAULT(0, SEG_NOERR, "#DE: DIV by 0");
        CHECK_EQ(a, 1234, "#DE: EAX unchanged");
        a = 0;
        d = 1;
        SEG_TRY("idivl %2", "+a"(a), "+d"(d) : "r"(1));
        SEG_EXPECT_FAULT(0, SEG_NOERR, "#DE: IDIV 2^32 / 1 overflows");
        CHECK_EQ(d, 1, "#DE: EDX unchanged");
    }

    /* 1 #DB single step */
    {
        uint32_t next, dr6;
        seg_hook[1] = db_hook;
        __asm__ volatile("movl %0, %%dr6" : : "r"(0));
        SEG_TRY("movl $1f, %0\n\t"
                "pushfl\n\t"
                "orl $0x100, (%%esp)\n\t"
                "popfl\n\t"                 /* no trap after the POPF that sets TF */
                "nop\n"                     /* trap after this one */
                "1:\tnop", "=&r"(next) :);
        seg_hook[1] = 0;
        CHECK_EQ(seg_trap.count, 1, "#DB single step: one trap");
        CHECK_EQ(seg_trap.vector, 1, "#DB single step: vector 1");
        CHECK_EQ(seg_trap.err, SEG_NOERR, "#DB: no error code");
        CHECK_EQ(seg_trap.eip, next, "#DB single step: EIP after the stepped instruction");
        CHECK_EQ(seg_trap.eflags & FL_TF, FL_TF, "#DB: pushed EFLAGS has TF");
        __asm__ volatile("movl %%dr6, %0" : "=r"(dr6));
        CHECK_EQ(dr6 & 0x4000, 0x4000, "#DB single step: DR6.BS");
    }

    /* 3 #BP, 4 #OF */
    SEG_TRY("int3", :);
    SEG_EXPECT_TRAP(3, SEG_NOERR, "#BP: INT3 is a trap");
    {
        uint32_t t;
        SEG_TRY("movl $0x7fffffff, %0\n\taddl $1, %0\n\t" SEG_MARK "into", "=&r"(t) :);
        SEG_EXPECT_TRAP(4, SEG_NOERR, "#OF: INTO with OF=1 is a trap");
        SEG_TRY("xorl %0, %0\n\tinto", "=&r"(t) :);
        SEG_EXPECT_NONE("INTO with OF=0");
    }

    /* 5 #BR */
    {
        static const int32_t bounds[2] = { 10, 20 };
        SEG_TRY("boundl %0, %1", : "r"(21), "m"(bounds));
        SEG_EXPECT_FAULT(5, SEG_NOERR, "#BR: BOUND above the upper bound");
        SEG_TRY("boundl %0, %1", : "r"(9), "m"(bounds));
        SEG_EXPECT_FAULT(5, SEG_NOERR, "#BR: BOUND below the lower bound");
        SEG_TRY("boundl %0, %1", : "r"(20), "m"(bounds));
        SEG_EXPECT_NONE("BOUND in range");
    }

    /* 6 #UD */
    SEG_TRY("ud2", :);
    SEG_EXPECT_FAULT(6, SEG_NOERR, "#UD: UD2");

    /* 7 #NM */
    {
        uint32_t cr0;
        __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
        SEG_TRY_THEN("movl %0, %%cr0\n\t" SEG_MARK "fninit", "movl %1, %%cr0",
                     : "r"((cr0 | 0x4) & ~0xau), "r"(cr0));                     /* EM=1 */
        SEG_EXPECT_FAULT(7, SEG_NOERR, "#NM: x87 instruction with CR0.EM=1");
        SEG_TRY_THEN("movl %0, %%cr0\n\t" SEG_MARK "fninit", "movl %1, %%cr0",
                     : "r"((cr0 | 0x8) & ~0x6u), "r"(cr0));                     /* TS=1 */
        SEG_EXPECT_FAULT(7, SEG_NOERR, "#NM: x87 instruction with CR0.TS=1");
        SEG_TRY_THEN("movl %0, %%cr0\n\t" SEG_MARK "fwait", "movl %1, %%cr0",
                     : "r"((cr0 | 0xa) & ~0x4u), "r"(cr0));                     /* TS=1 MP=1 */
        SEG_EXPECT_FAULT(7, SEG_NOERR, "#NM: WAIT with CR0.TS=1 and MP=1");
        SEG_TRY_THEN("movl %0, %%cr0\n\t" SEG_MARK "fwait", "movl %1, %%cr0",
                     : "r"((cr0 | 0xc) & ~0x2u), "r"(cr0));                     /* TS=1 EM=1 MP=0 */
        SEG_EXPECT_NONE("WAIT with CR0.MP=0 ignores TS and EM");
    }

    /* 10 #TS: IRET with NT=1, back link to an available (not busy) TSS */
    {
        static struct tss32 t2;
        seg_set_gdt(I_TSS2, seg_make_desc((uint32_t)&t2, TSS32_SIZE - 1, D_P | T_TSS32, 0));
        seg_tss.t.link = GSEL(I_TSS2);
        SEG_TRY_THEN("pushfl\n\t"
                     "orl $0x4000, (%%esp)\n\t"
                     "popfl\n\t"
                     SEG_MARK "iret",
                     "pushfl\n\tandl $~0x4000, (%%esp)\n\tpopfl", :);
        SEG_EXPECT_FAULT(10, GSEL(I_TSS2), "#TS: IRET with NT=1 to a TSS that is not busy");
        CHECK_EQ(seg_trap.eflags & FL_NT, FL_NT, "#TS: pushed EFLAGS has NT");
        seg_tss.t.link = 0;
    }

    /* 11 #NP, 12 #SS, 13 #GP */
    SEG_TRY("movw %w0, %%ds", : "r"(GSEL(I_DATA_NP)));
    SEG_EXPECT_FAULT(11, GSEL(I_DATA_NP), "#NP: DS <- not-present segment");
    SEG_TRY("movw %w0, %%ss", : "r"(GSEL(I_DATA_NP)));
    SEG_EXPECT_FAULT(12, GSEL(I_DATA_NP), "#SS: SS <- not-present segment");
    {
        static const struct __attribute__((packed)) { uint32_t off; uint16_t sel; } null_fp = { 0, 0 };
        SEG_TRY("ljmp *%0", : "m"(null_fp));
        SEG_EXPECT_FAULT(13, 0, "#GP: far JMP to the null selector");
    }

    /* 14 #PF */
    test_pf();

    /* 16 #MF */
    test_mf();

    return kdone("t_exc_vectors");
}
