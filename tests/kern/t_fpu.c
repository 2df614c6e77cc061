/* t_fpu: the x87 FPU in protected mode: its state at boot and after FNINIT,
 * arithmetic in every precision and rounding mode, the status word
 * (condition codes, TOP, stack faults), the tag word, m80 and packed BCD,
 * FCOMI/FCMOV and EFLAGS, the instruction and operand pointers, and the
 * FSTENV/FSAVE (16- and 32-bit protected-mode formats), FLDENV/FRSTOR and
 * FXSAVE/FXRSTOR images.  The expected values follow the Intel SDM Vol. 1
 * chapter 8 (x87 FPU) and the IEEE 754 results of the operations; the
 * oracle (tests/oracle_pm.c) compares far more with the host CPU.
 *
 *  - at boot: vm's -kernel leaves the x87 as a BIOS's POST does, after
 *    FNINIT: FCW 037FH, FSW 0, FTW FFFFH, pointers 0 (RESET's own state,
 *    SDM Vol. 3 Table 9-1, is checked from the reset vector in fpu_real.S).
 *  - 1/3 rounds to 24, 53 and 64 bits with FCW.PC; FISTP of +-2.5 and
 *    +-1.5 in the four rounding modes; FSQRT, FPATAN, FYL2X, F2XM1, FPREM,
 *    FSCALE, FXTRACT, FRNDINT on values with exact or well-known results.
 *  - a ninth push: invalid operation, SF and C1 set, the QNaN indefinite.
 *  - FCOMI sets ZF PF CF (unordered: all three), FNSTSW AX + SAHF, FCMOVcc.
 *  - FXAM classes; tags (valid, zero, special, empty) in FSTENV.
 *  - FIP/FCS/FOP/FDP/FDS: the last non-control instruction (FXCH counts,
 *    FNSTSW and FLDCW do not), its memory operand's offset and selector.
 *  - FSAVE then FRSTOR gives the state back; FLDENV with another TOP
 *    renames the registers; FXSAVE's layout (FTW abridged, registers
 *    16 bytes apart, bytes past the x87 part untouched).
 */
#include "klib.h"

struct env32 { uint32_t cw, sw, tw, fip, fcs_fop, fdp, fds; };
struct env16 { uint16_t cw, sw, tw, fip, fcs, fdp, fds; };
struct save32 { struct env32 env; uint8_t st[8][10]; } __attribute__((packed));

static uint16_t fnstsw(void) { uint16_t v; __asm__ volatile("fnstsw %0" : "=m"(v)); return v; }
static uint16_t fnstcw(void) { uint16_t v; __asm__ volatile("fnstcw %0" : "=m"(v)); return v; }
static void fldcw(uint16_t v) { __asm__ volatile("fldcw %0" : : "m"(v)); }
static void fnstenv(struct env32 *e) { __asm__ volatile("fnstenv %0" : "=m"(*e)); }
static uint32_t lo32(uint64_t v) { return (uint32_t)v; }
static uint32_t hi32(uint64_t v) { return (uint32_t)(v >> 32); }

/* ST(0) popped as a double / an 80-bit value. */
static uint64_t pop_double(void)
{
    uint64_t v;
    __asm__ volatile("fstpl %0" : "=m"(v));
    return v;
}

static void pop_ext(uint64_t *mant, uint16_t *se)
{
    uint8_t b[10];
    __asm__ volatile("fstpt %0" : "=m"(b));
    *mant = 0;
    for (int i = 7; i >= 0; i--)
        *mant = *mant << 8 | b[i];
    *se = (uint16_t)(b[8] | b[9] << 8);
}

static const double one = 1.0, two = 2.0, three = 3.0, half = 0.5, eight = 8.0;

/* -kernel leaves the x87 as a BIOS's POST does, FNINIT'ed (RESET's own
 * state, FCW 0040H, is checked from the reset vector in fpu_real.S). */
static void test_boot_state(void)
{
    CHECK_EQ(fnstcw(), 0x037f, "at boot: FCW 037FH (FNINIT)");
    CHECK_EQ(fnstsw(), 0x0000, "at boot: FSW 0");
    struct save32 s;
    __asm__ volatile("fnsave %0" : "=m"(s));
    CHECK_EQ(s.env.tw & 0xffff, 0xffff, "at boot: FTW FFFFH (every register empty)");
    CHECK_EQ(s.env.fip, 0, "at boot: FIP 0");
    CHECK_EQ(s.env.fdp, 0, "at boot: FDP 0");
    /* FNSAVE initialized the FPU */
    CHECK_EQ(fnstcw(), 0x037f, "after FNSAVE: FCW 037FH");
    struct env32 e;
    fnstenv(&e);
    CHECK_EQ(e.tw & 0xffff, 0xffff, "after FNSAVE: FTW FFFFH");
    CHECK_EQ(e.sw & 0xffff, 0, "after FNSAVE: FSW 0");
    CHECK_EQ(e.cw >> 16, 0xffff, "FSTENV 32-bit: the upper half of the FCW dword reads as ones");
}

static void test_precision(void)
{
    static const uint16_t pc[3] = { 0x007f, 0x027f, 0x037f };   /* 24, 53, 64 bits */
    static const uint32_t want_hi[3] = { 0xaaaaab00, 0xaaaaaaaa, 0xaaaaaaaa };
    static const uint32_t want_lo[3] = { 0x00000000, 0xaaaaa800, 0xaaaaaaab };
    for (int i = 0; i < 3; i++) {
        uint64_t m;
        uint16_t se;
        __asm__ volatile("fninit");
        fldcw(pc[i]);
        __asm__ volatile("fldl %0; fdivl %1" : : "m"(one), "m"(three));
        pop_ext(&m, &se);
        CHECK_EQ(se, 0x3ffd, "1/3: exponent");
        CHECK_EQ(hi32(m), want_hi[i], "1/3 rounded to the precision control: high");
        CHECK_EQ(lo32(m), want_lo[i], "1/3 rounded to the precision control: low");
        CHECK_EQ(fnstsw() & 0x20, 0x20, "1/3: PE (inexact)");
    }
    __asm__ volatile("fninit");
}

static void test_rounding(void)
{
    static const double in[4] = { 2.5, -2.5, 1.5, -1.5 };
    /* nearest-even, down, up, toward zero */
    static const int32_t want[4][4] = { { 2, -2, 2, -2 }, { 2, -3, 1, -2 }, { 3, -2, 2, -1 },
                                        { 2, -2, 1, -1 } };
    for (int rc = 0; rc < 4; rc++)
        for (int i = 0; i < 4; i++) {
            int32_t v;
            __asm__ volatile("fninit");
            fldcw((uint16_t)(0x037f | rc << 10));
            __asm__ volatile("fldl %1; fistpl %0" : "=m"(v) : "m"(in[i]));
            CHECK_EQ(v, want[rc][i], "FISTP in a rounding mode");
        }
    /* FRNDINT rounds too: 2.5 up is 3 */
    __asm__ volatile("fninit");
    fldcw(0x0b7f);
    __asm__ volatile("fldl %0; frndint" : : "m"(in[0]));
    CHECK_EQ(hi32(pop_double()), 0x40080000, "FRNDINT 2.5 rounding up: 3.0");
    __asm__ volatile("fninit");
}

static void test_functions(void)
{
    uint64_t v;
    __asm__ volatile("fninit; fldl %0; fsqrt" : : "m"(two));
    v = pop_double();
    CHECK_EQ(hi32(v), 0x3ff6a09e, "FSQRT 2: high");
    CHECK_EQ(lo32(v), 0x667f3bcd, "FSQRT 2: low");
    __asm__ volatile("fld1; fld1; fpatan");                 /* atan(1/1) = pi/4 */
    v = pop_double();
    CHECK_EQ(hi32(v), 0x3fe921fb, "FPATAN 1,1 = pi/4: high");
    CHECK_EQ(lo32(v), 0x54442d18, "FPATAN 1,1 = pi/4: low");
    __asm__ volatile("fld1; fldl %0; fyl2x" : : "m"(eight));   /* 1 * log2(8) */
    CHECK_EQ(hi32(pop_double()), 0x40080000, "FYL2X 1, 8 = 3");
    __asm__ volatile("fld1; f2xm1");                          /* 2^1 - 1 */
    CHECK_EQ(hi32(pop_double()), 0x3ff00000, "F2XM1 1 = 1");
    __asm__ volatile("fldl %0; fldl %1; fscale; fstp %%st(1)" : : "m"(three), "m"(half)); /* 0.5 * 2^3 */
    CHECK_EQ(hi32(pop_double()), 0x40100000, "FSCALE 0.5 by 3 = 4");
    __asm__ volatile("fldl %0; fxtract" : : "m"(eight));      /* 8 = 1.0 * 2^3 */
    CHECK_EQ(hi32(pop_double()), 0x3ff00000, "FXTRACT 8: significand 1");
    CHECK_EQ(hi32(pop_double()), 0x40080000, "FXTRACT 8: exponent 3");
    static const double x = 7.5;
    __asm__ volatile("fldl %0; fldl %1; fprem" : : "m"(two), "m"(x));  /* 7.5 mod 2 */
    uint16_t sw = fnstsw();
    CHECK_EQ(hi32(pop_double()), 0x3ff80000, "FPREM 7.5, 2 = 1.5");
    CHECK_EQ(sw & 0x4700, 0x4200, "FPREM: complete (C2=0), quotient 3: C0 C3 C1 = 0 1 1");
    __asm__ volatile("fstp %st(0)");
    __asm__ volatile("fldz; fsin");
    CHECK_EQ(hi32(pop_double()), 0, "FSIN 0 = 0");
    __asm__ volatile("fldz; fcos");
    CHECK_EQ(hi32(pop_double()), 0x3ff00000, "FCOS 0 = 1");
    __asm__ volatile("fldz; fptan");                           /* pushes 1 after tan */
    CHECK_EQ(hi32(pop_double()), 0x3ff00000, "FPTAN pushes 1.0");
    CHECK_EQ(hi32(pop_double()), 0, "FPTAN 0 = 0");
    __asm__ volatile("fldpi");
    v = pop_double();
    CHECK_EQ(lo32(v), 0x54442d18, "FLDPI rounded to double");
    CHECK_EQ(fnstsw() & 0x3800, 0, "balanced stack: TOP 0");
}

static void test_integers_bcd_m80(void)
{
    int16_t w = -1234;
    int32_t d = 100000;
    int64_t q = 1234567890123LL, qo;
    int32_t out;
    __asm__ volatile("fninit; filds %1; fimull %2; fistpl %0" : "=m"(out) : "m"(w), "m"(d));
    CHECK_EQ(out, (uint32_t)-123400000, "FILD m16, FIMUL m32, FISTP m32");
    __asm__ volatile("fildll %1; fistpll %0" : "=m"(qo) : "m"(q));
    CHECK_EQ(lo32((uint64_t)qo), lo32((uint64_t)q), "FILD/FISTP m64 round trip");
    CHECK_EQ(hi32((uint64_t)qo), hi32((uint64_t)q), "FILD/FISTP m64 round trip (high)");
    /* an integer too large: invalid, the integer indefinite */
    static const double big = 1e10;
    __asm__ volatile("fnclex; fldl %1; fistpl %0" : "=m"(out) : "m"(big));
    CHECK_EQ(out, 0x80000000u, "FISTP m32 of 1e10: the integer indefinite");
    CHECK_EQ(fnstsw() & 1, 1, "FISTP overflow: IE");
    /* packed BCD */
    uint8_t bcd[10];
    int32_t n = -987654321;
    __asm__ volatile("fildl %1; fbstp %0" : "=m"(bcd) : "m"(n));
    CHECK_EQ(bcd[0], 0x21, "FBSTP: lowest digits");
    CHECK_EQ(bcd[4], 0x09, "FBSTP: highest digit");
    CHECK_EQ(bcd[9], 0x80, "FBSTP: sign byte");
    __asm__ volatile("fbld %1; fistpl %0" : "=m"(out) : "m"(bcd));
    CHECK_EQ(out, (uint32_t)n, "FBLD gives the number back");
    /* m80: FSTP then FLD of the same bits, an unsupported pseudo-NaN too */
    uint8_t ext[10] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x34, 0x12 };
    uint8_t back[10];
    __asm__ volatile("fldt %1; fstpt %0" : "=m"(back) : "m"(ext));
    uint32_t same = 1;
    for (int i = 0; i < 10; i++)
        same &= back[i] == ext[i];
    CHECK(same, "FLD/FSTP m80 keep every bit");
    uint8_t unnormal[10] = { 0, 0, 0, 0, 0, 0, 0, 0x40, 0xff, 0x3f };  /* J bit clear */
    __asm__ volatile("fnclex; fldt %0; fld1; faddp" : : "m"(unnormal));
    CHECK_EQ(fnstsw() & 1, 1, "an unnormal operand: IE");
    uint64_t m;
    uint16_t se;
    pop_ext(&m, &se);
    CHECK_EQ(se, 0xffff, "unnormal + 1: the QNaN indefinite (sign, exponent)");
    CHECK_EQ(hi32(m), 0xc0000000, "unnormal + 1: the QNaN indefinite (significand)");
}

static void test_stack_faults_and_tags(void)
{
    __asm__ volatile("fninit; fld1; fldz; fldl %0" : : "m"(two));
    struct env32 e;
    __asm__ volatile("fld %%st(0); fnstenv %0" : "=m"(e));
    /* R7 = 1.0 valid, R6 = 0 zero, R5 = 2.0 valid, R4 = 2.0 valid, R0-R3 empty */
    CHECK_EQ(e.tw & 0xffff, 0x10ff, "FTW: valid, zero, valid, valid, then empty");
    CHECK_EQ((e.sw >> 11) & 7, 4, "TOP after four pushes");
    __asm__ volatile("fninit");
    for (int i = 0; i < 8; i++)
        __asm__ volatile("fld1");
    __asm__ volatile("fldz");                                  /* the ninth */
    uint16_t sw = fnstsw();
    CHECK_EQ(sw & 0x0241, 0x0241, "stack overflow: IE, SF and C1 (overflow)");
    uint64_t m;
    uint16_t se;
    pop_ext(&m, &se);
    CHECK_EQ(se, 0xffff, "stack overflow: ST(0) is the QNaN indefinite");
    CHECK_EQ(hi32(m), 0xc0000000, "stack overflow: indefinite significand");
    __asm__ volatile("fninit; fld %st(3)");                   /* underflow: an empty register */
    sw = fnstsw();
    CHECK_EQ(sw & 0x0241, 0x0041, "stack underflow: IE and SF, C1 clear");
    /* FXAM */
    static const uint16_t want_c[6] = { 0x4100, 0x4000, 0x0400, 0x0500, 0x0100, 0x4400 };
    static const uint8_t vals[6][10] = {
        { 0 },                                                      /* empty (no load) */
        { 0 },                                                      /* +0 */
        { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f },                  /* +1: normal */
        { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x7f },                  /* +inf */
        { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0x7f },                  /* QNaN */
        { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 },                           /* +denormal */
    };
    for (int i = 0; i < 6; i++) {
        __asm__ volatile("fninit");
        if (i > 0)
            __asm__ volatile("fldt %0" : : "m"(vals[i]));
        __asm__ volatile("fxam");
        CHECK_EQ(fnstsw() & 0x4500, want_c[i], "FXAM class in C3 C2 C0");
    }
    __asm__ volatile("fninit");
}

static void test_flags(void)
{
    uint32_t fl;
    /* FCOMI: 1 < 2 sets CF; equal sets ZF; unordered sets ZF PF CF */
    __asm__ volatile("fninit; fldl %1; fld1; fcomip %%st(1), %%st; pushfl; popl %0; fstp %%st(0)"
                     : "=r"(fl) : "m"(two) : "cc");
    CHECK_EQ(fl & 0x8d5, 0x001, "FCOMIP 1 < 2: CF only");
    __asm__ volatile("fld1; fld1; fucomip %%st(1), %%st; pushfl; popl %0; fstp %%st(0)"
                     : "=r"(fl) : : "cc");
    CHECK_EQ(fl & 0x8d5, 0x040, "FUCOMIP 1 = 1: ZF only");
    static const uint8_t qnan[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0x7f };
    __asm__ volatile("fld1; fldt %1; fucomip %%st(1), %%st; pushfl; popl %0; fstp %%st(0)"
                     : "=r"(fl) : "m"(qnan) : "cc");
    CHECK_EQ(fl & 0x8d5, 0x045, "FUCOMIP with a QNaN: ZF PF CF");
    /* FCOM + FNSTSW AX + SAHF, as compilers do without FCOMI */
    uint32_t ah;
    __asm__ volatile("fld1; fcompl %1; fnstsw %%ax; sahf; setb %b0; movzbl %b0, %0"
                     : "=q"(ah) : "m"(two) : "eax", "cc");
    CHECK_EQ(ah, 1, "FCOM 1 < 2; FNSTSW AX; SAHF: CF");
    /* FCMOVB: CF set moves ST(1) in */
    __asm__ volatile("fldl %0; fld1; stc; fcmovb %%st(1), %%st(0)" : : "m"(two) : "cc");
    CHECK_EQ(hi32(pop_double()), 0x40000000, "FCMOVB with CF=1 moved 2.0");
    __asm__ volatile("fstp %%st(0); fldl %0; fld1; clc; fcmovb %%st(1), %%st(0)" : : "m"(two) : "cc");
    CHECK_EQ(hi32(pop_double()), 0x3ff00000, "FCMOVB with CF=0 kept 1.0");
    __asm__ volatile("fninit");
}

static double operand = 5.0;

static void test_pointers(void)
{
    struct env32 e;
    uint32_t at, at2;
    uint16_t cs, ds;
    __asm__ volatile("mov %%cs, %0; mov %%ds, %1" : "=r"(cs), "=r"(ds));
    __asm__ volatile("fninit\n\t"
                     "movl $1f, %0\n"
                     "1:\tfldl %3\n\t"
                     "fnstsw %%ax\n\t"                         /* control: no update */
                     "fnstenv %2"
                     : "=r"(at), "=r"(at2), "=m"(e) : "m"(operand) : "eax");
    CHECK_EQ(e.fip, at, "FIP: the FLD m64");
    CHECK_EQ(e.fcs_fop & 0xffff, cs, "FCS: the code segment");
    CHECK_EQ(e.fcs_fop >> 16, 0x505, "FOP: DD 05 (fldl disp32)");
    CHECK_EQ(e.fdp, (uint32_t)&operand, "FDP: the operand's offset");
    CHECK_EQ(e.fds & 0xffff, ds, "FDS: its segment");
    __asm__ volatile("fldcw %3\n\t"
                     "movl $1f, %0\n"
                     "1:\tfxch %%st(1)\n\t"
                     "fldcw %3\n\t"                            /* control: no update */
                     "fnstenv %2"
                     : "=r"(at), "=r"(at2), "=m"(e) : "m"(e.cw));
    CHECK_EQ(e.fip, at, "FIP: FXCH is a non-control instruction");
    CHECK_EQ(e.fcs_fop >> 16, 0x1c9, "FOP: D9 C9");
    CHECK_EQ(e.fdp, (uint32_t)&operand, "FDP: kept by a register form");
    /* an SS: override and a 16-bit FNSTENV */
    struct env16 e16;
    __asm__ volatile("fldcw %2\n\t"
                     "movl $1f, %0\n"
                     "1:\tfadds %%ss:%3\n\t"
                     "data16 fnstenv %1"
                     : "=r"(at), "=m"(e16) : "m"(e.cw), "m"(operand));
    uint16_t ss;
    __asm__ volatile("mov %%ss, %0" : "=r"(ss));
    CHECK_EQ(e16.fip, at & 0xffff, "16-bit FSTENV: IP offset");
    CHECK_EQ(e16.fcs, cs, "16-bit FSTENV: CS");
    CHECK_EQ(e16.fdp, (uint32_t)&operand & 0xffff, "16-bit FSTENV: operand offset");
    CHECK_EQ(e16.fds, ss, "16-bit FSTENV: the SS override");
    CHECK_EQ(e16.cw, 0x037f, "16-bit FSTENV: FCW");
    CHECK_EQ(fnstcw(), 0x037f, "FNSTENV masked every exception (they were masked)");
    __asm__ volatile("fninit");
}

static void test_save_restore(void)
{
    struct save32 a, b;
    /* a state with three values, TOP 5, a sticky flag and RC up */
    static const uint16_t rc_up = 0x0b7f;
    static const double zero = 0.0;
    __asm__ volatile("fninit; fldl %0; fld1; fldpi; fdivl %2; fldcw %1; fldz"
                     : : "m"(operand), "m"(rc_up), "m"(zero));
    __asm__ volatile("fnsave %0" : "=m"(a));
    CHECK_EQ(fnstsw(), 0, "FNSAVE reinitializes: FSW 0");
    CHECK_EQ(fnstcw(), 0x037f, "FNSAVE reinitializes: FCW 037FH");
    __asm__ volatile("frstor %0; fnsave %1" : : "m"(a), "m"(b));
    uint32_t same = 1;
    for (unsigned i = 0; i < sizeof(a); i++)
        same &= ((uint8_t *)&a)[i] == ((uint8_t *)&b)[i];
    CHECK(same, "FRSTOR then FNSAVE gives the same image");
    CHECK_EQ(a.env.cw & 0xffff, 0x0b7f, "FSAVE: FCW");
    CHECK_EQ((a.env.sw >> 11) & 7, 4, "FSAVE: TOP 4");
    CHECK_EQ(a.env.sw & 0x3f, 0x04, "FSAVE: ZE (pi / 0)");
    CHECK_EQ(a.env.tw & 0xffff, 0x09ff, "FSAVE: tags R7 R6 valid, R5 special (inf), R4 zero");
    /* FLDENV with another TOP renames the registers */
    __asm__ volatile("frstor %0" : : "m"(a));
    struct env32 e;
    fnstenv(&e);
    e.sw = (e.sw & ~0x3800u) | 6u << 11;                       /* TOP 4 -> 6 */
    __asm__ volatile("fldenv %0" : : "m"(e));
    CHECK_EQ(hi32(pop_double()), 0x3ff00000, "FLDENV TOP 6: ST(0) is R6 (1.0)");
    CHECK_EQ(hi32(pop_double()), 0x40140000, "FLDENV TOP 6: ST(1) is R7 (5.0)");
    __asm__ volatile("fninit");
}

static void test_fxsave(void)
{
    static uint8_t area[512 + 16] __attribute__((aligned(16)));
    for (int i = 0; i < 512; i++)
        area[i] = 0xa5;
    uint32_t at;
    __asm__ volatile("fninit; fld1; fldz\n\t"
                     "movl $1f, %0\n"
                     "1:\tfaddl %2\n\t"
                     "fxsave %1"
                     : "=r"(at), "=m"(area) : "m"(operand));
    uint16_t cs, ds;
    __asm__ volatile("mov %%cs, %0; mov %%ds, %1" : "=r"(cs), "=r"(ds));
    CHECK_EQ(area[0] | area[1] << 8, 0x037f, "FXSAVE: FCW");
    CHECK_EQ(area[2] | area[3] << 8, 0x3000, "FXSAVE: FSW (TOP 6)");
    CHECK_EQ(area[4], 0xc0, "FXSAVE: abridged FTW (R6 R7)");
    CHECK_EQ(area[6] | area[7] << 8, 0x405, "FXSAVE: FOP DC 05 (faddl disp32)");
    CHECK_EQ(*(uint32_t *)(area + 8), at, "FXSAVE: FIP");
    CHECK_EQ(area[12] | area[13] << 8, cs, "FXSAVE: FCS");
    CHECK_EQ(*(uint32_t *)(area + 16), (uint32_t)&operand, "FXSAVE: FDP");
    CHECK_EQ(area[20] | area[21] << 8, ds, "FXSAVE: FDS");
    CHECK_EQ(area[32 + 7], 0xa0, "FXSAVE: ST(0) = 5.0 at byte 32 (significand top byte)");
    CHECK_EQ(area[32 + 9] << 8 | area[32 + 8], 0x4001, "FXSAVE: ST(0) exponent");
    CHECK_EQ(area[48 + 9] << 8 | area[48 + 8], 0x3fff, "FXSAVE: ST(1) = 1.0 at byte 48");
    CHECK_EQ(area[200], 0xa5, "FXSAVE: the XMM area is left alone (no SSE)");
    CHECK_EQ(area[511], 0xa5, "FXSAVE: bytes 464-511 are software's");
    /* FXRSTOR of a changed image */
    area[0] = 0x7f;
    area[1] = 0x0f;                                             /* RC toward zero */
    __asm__ volatile("fninit; fxrstor %0" : : "m"(area));
    CHECK_EQ(fnstcw(), 0x0f7f, "FXRSTOR: FCW");
    CHECK_EQ(hi32(pop_double()), 0x40140000, "FXRSTOR: ST(0) = 5.0");
    __asm__ volatile("fninit");
}

int kmain(void)
{
    test_boot_state();
    test_precision();
    test_rounding();
    test_functions();
    test_integers_bcd_m80();
    test_stack_faults_and_tags();
    test_flags();
    test_pointers();
    test_save_restore();
    test_fxsave();
    return kdone("t_fpu");
}
