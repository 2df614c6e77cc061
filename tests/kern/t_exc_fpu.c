/* t_exc_fpu: how x87 instructions fault and how x87 exceptions reach the
 * processor (Intel SDM Vol. 3 Table 2-2 and 2.5; Vol. 1 8.6-8.7 and
 * Appendix D "Guidelines for writing x87 FPU exception handlers").
 *
 *  - #NM: every x87 instruction (and FXSAVE) with CR0.EM=1 or CR0.TS=1;
 *    WAIT only with TS=1 and MP=1; CLTS clears TS.  The same code runs
 *    before and after the CR0 change (translated blocks must not keep a
 *    stale answer).
 *  - #MF (CR0.NE=1): an unmasked exception (divide by zero) sets ES and B
 *    and waits; the next waiting x87 instruction faults, with EIP at that
 *    instruction; FIP and FOP still name the FDIV; FNSTSW and FNSTENV do
 *    not wait; after FNCLEX nothing is pending.  FLDCW that unmasks an
 *    exception already flagged makes it pending too.
 *  - an unmasked overflow on FSTP m32 stores nothing (SDM 8.5.4), also
 *    when the operand crosses a page boundary (vm's slow path).
 *  - CR0.NE=0 (PC/AT style, SDM Vol. 1 D.2.1): the waiting instruction
 *    asserts FERR#, which the PIC sees as IRQ13; the handler writes port
 *    0xF0 (IGNNE#), clears the exception and returns.  While IGNNE# is
 *    asserted and ES stays set, waiting instructions run and raise no
 *    further IRQ13; the sticky flags stay set (but FLDENV loads its own).
 *    A masked exception never interrupts.
 */
#include "seg_lib.h"

#define CR0_MP 0x02u
#define CR0_EM 0x04u
#define CR0_TS 0x08u
#define CR0_NE 0x20u

static uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("movl %%cr0, %0" : "=r"(v)); return v; }
static void write_cr0(uint32_t v) { __asm__ volatile("movl %0, %%cr0" : : "r"(v) : "memory"); }
static uint16_t fnstsw(void) { uint16_t v; __asm__ volatile("fnstsw %0" : "=m"(v)); return v; }

static const float zero = 0.0f;
static const uint16_t cw_ze = 0x037b;       /* only ZE unmasked */
static const uint16_t cw_oe = 0x0377;       /* only OE unmasked */
static const uint16_t cw_all = 0x037f;

/* One piece of x87 code run with CR0 = cr0, expecting #NM or not. */
static void nm_case(uint32_t cr0, int fxsave, int wait, int want_nm, const char *what)
{
    static uint8_t area[512] __attribute__((aligned(16)));
    uint32_t saved = read_cr0();
    write_cr0(cr0);
    for (int pass = 0; pass < 2; pass++) {      /* the second time from a cached block */
        if (fxsave)
            SEG_TRY("fxsave %0", "=m"(area) :);
        else if (wait)
            SEG_TRY("fwait", :);
        else
            SEG_TRY("fld1; fstp %%st(0)", :);
        if (want_nm)
            SEG_EXPECT_FAULT(7, SEG_NOERR, what);
        else
            SEG_EXPECT_NONE(what);
    }
    write_cr0(saved);
}

static void test_nm(void)
{
    uint32_t cr0 = read_cr0() & ~(CR0_MP | CR0_EM | CR0_TS);
    __asm__ volatile("fninit");
    nm_case(cr0, 0, 0, 0, "x87 with EM=TS=0: runs");
    nm_case(cr0 | CR0_EM, 0, 0, 1, "x87 with CR0.EM=1: #NM");
    nm_case(cr0 | CR0_TS, 0, 0, 1, "x87 with CR0.TS=1: #NM");
    nm_case(cr0 | CR0_TS | CR0_MP, 0, 0, 1, "x87 with CR0.TS=1 MP=1: #NM");
    nm_case(cr0 | CR0_TS, 0, 1, 0, "WAIT with TS=1, MP=0: runs");
    nm_case(cr0 | CR0_TS | CR0_MP, 0, 1, 1, "WAIT with TS=1, MP=1: #NM");
    nm_case(cr0 | CR0_EM | CR0_MP, 0, 1, 0, "WAIT with EM=1, MP=1, TS=0: runs");
    nm_case(cr0 | CR0_TS, 1, 0, 1, "FXSAVE with CR0.TS=1: #NM");
    nm_case(cr0 | CR0_EM, 1, 0, 1, "FXSAVE with CR0.EM=1: #NM");
    nm_case(cr0, 1, 0, 0, "FXSAVE with EM=TS=0: runs");
    /* CLTS clears TS: the same instruction right after runs */
    write_cr0(cr0 | CR0_TS);
    SEG_TRY("clts; fld1; fstp %%st(0)", :);
    SEG_EXPECT_NONE("CLTS, then an x87 instruction: runs");
    CHECK_EQ(read_cr0() & CR0_TS, 0, "CLTS cleared CR0.TS");
    write_cr0(cr0 | CR0_MP | CR0_NE);
}

static void test_mf(void)
{
    struct { uint32_t cw, sw, tw, fip, fcs_fop, fdp, fds; } env;
    uint32_t at;
    write_cr0((read_cr0() | CR0_NE | CR0_MP) & ~(CR0_EM | CR0_TS));
    for (int pass = 0; pass < 2; pass++) {
        __asm__ volatile("fninit; fldcw %0" : : "m"(cw_ze));
        __asm__ volatile("movl $1f, %0\n1:\tfld1; fdivs %1" : "=r"(at) : "m"(zero));
        /* the FLD1 at 1: is two bytes; the FDIV follows */
        CHECK_EQ(fnstsw() & 0x80ff, 0x8084, "1/0 with ZE unmasked: ZE, ES and B, no fault yet");
        SEG_TRY("fnstenv %0", "=m"(env) :);
        SEG_EXPECT_NONE("FNSTENV does not wait");
        CHECK_EQ(env.fip, at + 2, "FIP: the FDIV");
        CHECK_EQ(env.fcs_fop >> 16, 0x035, "FOP: D8 35 (fdivs disp32)");
        __asm__ volatile("fldcw %0" : : "m"(cw_ze));    /* FNSTENV masked everything */
        CHECK_EQ(fnstsw() & 0x80ff, 0x8084, "the exception pending again after FLDCW");
        SEG_TRY("fld1\n\t" SEG_MARK "fwait", :);
        SEG_EXPECT_FAULT(16, SEG_NOERR, "#MF at the first waiting instruction (FLD1)");
        uint16_t ax;
        SEG_TRY("fnstsw %0\n\tfnclex\n\tfld1\n\tfwait", "=a"(ax) :);
        SEG_EXPECT_NONE("FNSTSW and FNCLEX do not wait; after FNCLEX nothing is pending");
        __asm__ volatile("fninit");
    }
    /* a flag set while masked becomes pending when FLDCW unmasks it */
    __asm__ volatile("fninit; fld1; fdivs %0; fstp %%st(0)" : : "m"(zero));
    CHECK_EQ(fnstsw() & 0x80ff, 0x0004, "masked divide by zero: ZE only");
    SEG_TRY("fldcw %0\n\t" SEG_MARK "fld1", : "m"(cw_ze));
    SEG_EXPECT_FAULT(16, SEG_NOERR, "FLDCW unmasking a set flag: #MF at the next instruction");
    __asm__ volatile("fninit");
}

/* FSTP m32 of a value too large for single precision, with OE unmasked:
 * the destination keeps its bytes. */
static void test_unmasked_store(void)
{
    static uint8_t buf[8192] __attribute__((aligned(4096)));
    static const double huge = 1e300;
    for (int k = 0; k < 2; k++) {
        uint8_t *dst = k ? buf + 4096 - 2 : buf + 16;     /* the second crosses a page */
        for (int i = 0; i < 4; i++)
            dst[i] = (uint8_t)(0x11 * (i + 1));
        __asm__ volatile("fninit; fldcw %1; fldl %2; fsts %0; fnstsw %%ax; fnclex; fldcw %3"
                         : "+m"(*(float *)dst) : "m"(cw_oe), "m"(huge), "m"(cw_all) : "eax");
        uint32_t v = dst[0] | dst[1] << 8 | dst[2] << 16 | (uint32_t)dst[3] << 24;
        CHECK_EQ(v, 0x44332211, k ? "unmasked overflow on FST m32 across a page: memory unchanged"
                                  : "unmasked overflow on FST m32: memory unchanged");
    }
    __asm__ volatile("fninit");
}

/* ---- CR0.NE=0: FERR# and IRQ13 ---------------------------------------------------- */

#define VEC_MASTER 0x20
#define VEC_SLAVE  0x28
#define VEC_IRQ13  (VEC_SLAVE + 5)

static volatile uint32_t irq13_count, irq13_sw;
static volatile int irq13_clear = 1;        /* the handler clears the exception */

void irq13_c(void);
void irq13_c(void)
{
    irq13_count++;
    irq13_sw = fnstsw();
    outb(0xf0, 0);                          /* IGNNE#, IRQ13 off */
    if (irq13_clear)
        __asm__ volatile("fnclex");
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
}
void irq13_stub(void);
__asm__(".globl irq13_stub\nirq13_stub:\n\tpusha\n\tcall irq13_c\n\tpopa\n\tiret\n");

static void pic_init(void)
{
    outb(0x20, 0x11); outb(0x21, VEC_MASTER); outb(0x21, 4); outb(0x21, 1);
    outb(0xa0, 0x11); outb(0xa1, VEC_SLAVE);  outb(0xa1, 2); outb(0xa1, 1);
    outb(0x21, 0xfb);                       /* only the cascade */
    outb(0xa1, 0xdf);                       /* only IRQ13 */
}

static void wait_irq(uint32_t n)
{
    for (int i = 0; i < 1000000 && irq13_count < n; i++)
        __asm__ volatile("nop");
}

static void test_ferr(void)
{
    struct { uint32_t w[7]; } clean_env;
    __asm__ volatile("fninit; fldcw %1; fnstenv %0" : "=m"(clean_env) : "m"(cw_ze));
    pic_init();
    seg_set_idt(VEC_IRQ13, SEL_KCODE, (uint32_t)irq13_stub, D_P | T_INT32);
    write_cr0((read_cr0() | CR0_MP) & ~(CR0_NE | CR0_EM | CR0_TS));
    __asm__ volatile("sti");
    /* a masked exception: nothing */
    __asm__ volatile("fninit; fld1; fdivs %0; fwait; fstp %%st(0)" : : "m"(zero));
    wait_irq(1);
    CHECK_EQ(irq13_count, 0, "a masked exception raises no IRQ13");
    /* unmasked: the FWAIT asserts FERR#, IRQ13 comes in */
    __asm__ volatile("fninit; fldcw %0; fld1; fdivs %1" : : "m"(cw_ze), "m"(zero));
    CHECK_EQ(irq13_count, 0, "no IRQ13 before a waiting instruction");
    SEG_TRY("fwait", :);
    SEG_EXPECT_NONE("CR0.NE=0: no #MF");
    wait_irq(1);
    CHECK_EQ(irq13_count, 1, "FERR# raised IRQ13 once");
    CHECK_EQ(irq13_sw & 0x80ff, 0x8084, "the IRQ13 handler sees ZE ES B");
    CHECK_EQ(fnstsw() & 0x80ff, 0, "the handler's FNCLEX cleared them");
    /* IGNNE#: the handler leaves ES set; later waiting instructions run
     * with it ignored, without another IRQ13, and the flags stay */
    irq13_clear = 0;
    __asm__ volatile("fninit; fldcw %0; fld1; fdivs %1" : : "m"(cw_ze), "m"(zero));
    SEG_TRY("fwait", :);
    wait_irq(2);
    CHECK_EQ(irq13_count, 2, "the next pending exception: IRQ13 again");
    uint64_t three = 0;
    SEG_TRY("fld1; fld1; faddp; fld1; faddp; fstpl %0", "=m"(three) :);
    SEG_EXPECT_NONE("IGNNE# asserted: waiting instructions run");
    wait_irq(3);
    CHECK_EQ(irq13_count, 2, "IGNNE# asserted: no further IRQ13");
    CHECK_EQ((uint32_t)(three >> 32), 0x40080000, "they computed 1 + 1 + 1");
    CHECK_EQ(fnstsw() & 0x80bf, 0x8084, "the sticky ZE, ES and B stay set");
    /* FLDENV runs too, and what it loads replaces the ignored flags */
    SEG_TRY("fldenv %0", : "m"(clean_env));
    SEG_EXPECT_NONE("IGNNE# asserted: FLDENV runs");
    CHECK_EQ(fnstsw() & 0x80ff, 0, "FLDENV's status word, without the ignored flags");
    /* FNCLEX ends FERR#, and IGNNE# with it: the next one interrupts */
    irq13_clear = 1;
    __asm__ volatile("fnclex; fld1; fdivs %0" : : "m"(zero));
    SEG_TRY("fwait", :);
    wait_irq(3);
    CHECK_EQ(irq13_count, 3, "after FNCLEX a new pending exception raises IRQ13");
    __asm__ volatile("cli; fninit");
}

int kmain(void)
{
    seg_init();
    test_nm();
    test_mf();
    test_unmasked_store();
    test_ferr();
    return kdone("t_exc_fpu");
}
