/* k_fp_trig.c - transcendental functions on the x87: for 2,000,000
 * arguments, sin, cos, atan2, log2 (FYL2X) and 2^x (F2XM1 + FSCALE),
 * summed.
 *
 * What it stresses: the x87's microcoded transcendental instructions
 * (tens to a hundred cycles each) in a loop with little else: the
 * emulator adds only its per-instruction bookkeeping to the host's own
 * FSIN, FCOS, FPATAN, FYL2X, F2XM1 -- a softfloat emulator computes each
 * of them with a long polynomial in software.
 */
#include "bench.h"
#include "fp.h"

const char bench_name[] = "fp_trig";
const uint32_t bench_expect = 0xd3453ef7;

#define N 2000000

uint32_t bench_run(void)
{
    double sum_sin = 0, sum_cos = 0, sum_at = 0, sum_log = 0, sum_exp = 0;
    double x = 0.001;
    for (int i = 0; i < N; i++) {
        sum_sin += fp_sin(x);
        sum_cos += fp_cos(x * 0.5);
        sum_at += fp_atan2(x, 1.0 + x);
        sum_log += fp_yl2x(x, 1.0);
        sum_exp += fp_exp2(x * 0.0001);
        x += 0.0037;
    }
    uint32_t h = 0;
    h = fp_mix(h, sum_sin);
    h = fp_mix(h, sum_cos);
    h = fp_mix(h, sum_at);
    h = fp_mix(h, sum_log);
    h = fp_mix(h, sum_exp);
    return h;
}
