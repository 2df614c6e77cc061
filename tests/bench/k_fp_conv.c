/* k_fp_conv.c - conversions between integers and floating point, as C
 * code writes them: 16,000,000 int -> double -> float -> int round trips,
 * with a scaling in between.
 *
 * What it stresses: gcc -m32 -O2 without SSE compiles every
 * float-to-int cast to FNSTCW, a change of the rounding control, FLDCW,
 * FISTP, FLDCW (C truncates, the x87 rounds to nearest); int-to-float is
 * FILD.  An emulator that ends its translation block at FLDCW, or runs
 * FLDCW in a helper, is slow here; vm leaves the block only when FLDCW
 * changes the exception masks (docs/fpu.md).
 */
#include "bench.h"

const char bench_name[] = "fp_conv";
const uint32_t bench_expect = 0x737467cd;

#define N 16000000

static volatile double scale = 1.7;

uint32_t bench_run(void)
{
    uint32_t h = 0, state = 12345;
    int32_t acc = 0;
    double k = scale;
    for (int i = 0; i < N; i++) {
        int32_t v = (int32_t)(xorshift32(&state) >> 8) - (1 << 23);
        double d = (double)v * k;                   /* FILD, FMUL */
        float f = (float)(d * 0.25);                /* FSTP m32 */
        int32_t back = (int32_t)d;                  /* FNSTCW, FLDCW, FISTP, FLDCW */
        int32_t fb = (int32_t)f;
        unsigned short us = (unsigned short)(f * 0.001f);
        acc += back ^ fb;
        h = mix32(h, (uint32_t)acc + us);
    }
    return h;
}
