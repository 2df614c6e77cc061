/* t_fpu_smp: every vCPU has an x87 of its own.  vm-args: -smp 3
 *
 * vm keeps a vCPU's x87 state in the host's x87 unit while the vCPU's
 * thread runs it, and (with -accel tcg,thread=single: t_fpu_smp_rr) saves
 * and reloads it whenever the one thread switches vCPUs.  Each of three
 * vCPUs runs the same long x87 loop at the same time, with a state of its
 * own -- precision and rounding control, the number of values kept on the
 * stack across iterations, the values themselves -- and ends with FNSAVE.
 * Then the boot processor runs the three loops once more, one after the
 * other, and each image must equal the one made concurrently: a register,
 * a control word or a TOP that leaked from one vCPU to another would show.
 * The APs start from RESET's x87 state (0040H), INIT leaves it alone
 * (SDM Vol. 3 Table 9-1): each AP checks its FCW before FNINIT.
 */
#include "klib.h"
#include "smp.h"

#define NCPU 3
#define ITERS 3000000

struct save32 { uint32_t env[7]; uint8_t st[8][10]; } __attribute__((packed));

static struct save32 concurrent[NCPU], alone[NCPU];
static volatile uint32_t finished, ap_fcw[NCPU];
static const uint16_t cws[NCPU] = { 0x037f, 0x027f | 0x0c00, 0x007f | 0x0400 };
static double seeds[NCPU][4] = { { 1.0, 0.1, 3.0, 0.7 }, { 2.5, 0.3, 1e10, 1e-10 },
                                 { 1.0, 0.2, 7.0, 1.5 } };

/* The loop of vCPU i: i+1 values stay on the stack across iterations. */
static void fpu_work(uint32_t i, struct save32 *out)
{
    const double *s = seeds[i];
    __asm__ volatile("fninit; fldcw %0" : : "m"(cws[i]));
    for (uint32_t k = 0; k <= i; k++)
        __asm__ volatile("fldl %0" : : "m"(s[k]));
    for (uint32_t n = 0; n < ITERS; n++)
        __asm__ volatile("fldl %0\n\t"          /* x */
                         "fmul %%st(1), %%st\n\t"
                         "faddl %1\n\t"
                         "fsqrt\n\t"
                         "fxch %%st(1)\n\t"
                         "fstp %%st(0)"         /* the new value replaces ST(0) */
                         : : "m"(s[2]), "m"(s[3]));
    __asm__ volatile("fnsave %0" : "=m"(*out));
}

void ap_main(uint32_t id)
{
    uint16_t cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    ap_fcw[id] = cw;
    fpu_work(id, &concurrent[id]);
    __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
    for (;;)
        __asm__ volatile("cli; hlt");
}

int kmain(void)
{
    __asm__ volatile("fninit");
    start_aps();
    fpu_work(0, &concurrent[0]);
    for (uint32_t spin = 0; finished < NCPU - 1 && spin < 2000000000u; spin++)
        cpu_relax();
    CHECK_EQ(finished, NCPU - 1, "every AP finished its loop");
    for (uint32_t i = 1; i < NCPU; i++)
        CHECK_EQ(ap_fcw[i], 0x0040, "an AP starts with RESET's FCW (INIT keeps it)");
    for (uint32_t i = 0; i < NCPU; i++) {
        fpu_work(i, &alone[i]);
        const uint8_t *a = (const uint8_t *)&concurrent[i], *b = (const uint8_t *)&alone[i];
        uint32_t diff = 0;
        for (uint32_t k = 0; k < sizeof(struct save32); k++)
            diff += a[k] != b[k];
        CHECK_EQ(diff, 0, "the x87 image made concurrently equals the one made alone");
        CHECK_EQ(concurrent[i].env[0] & 0xffff, cws[i], "each vCPU kept its own FCW");
    }
    return kdone("t_fpu_smp");
}
