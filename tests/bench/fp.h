/* fp.h - x87 helpers for the floating-point benchmark cores
 * (tests/bench/k_fp_*.c, built with -mfpmath=387 and no SSE: bench.mk).
 * There is no libm in a freestanding kernel, so the elementary functions
 * are the x87's own instructions, as a 32-bit libm's fast paths use them. */
#ifndef FP_H
#define FP_H

static inline double fp_sqrt(double x)
{
    __asm__("fsqrt" : "+t"(x));
    return x;
}

static inline double fp_sin(double x)
{
    __asm__("fsin" : "+t"(x));
    return x;
}

static inline double fp_cos(double x)
{
    __asm__("fcos" : "+t"(x));
    return x;
}

/* atan2(y, x): FPATAN computes atan(ST(1) / ST(0)) and pops. */
static inline double fp_atan2(double y, double x)
{
    double r;
    __asm__("fpatan" : "=t"(r) : "0"(x), "u"(y) : "st(1)");
    return r;
}

/* log2(x) * y: FYL2X, popping. */
static inline double fp_yl2x(double x, double y)
{
    double r;
    __asm__("fyl2x" : "=t"(r) : "0"(x), "u"(y) : "st(1)");
    return r;
}

/* 2^x for any x: F2XM1 on the fraction, FSCALE by the integer part. */
static inline double fp_exp2(double x)
{
    double r;
    __asm__("fld %%st(0)\n\t"
            "frndint\n\t"               /* n, x */
            "fxch\n\t"
            "fsub %%st(1), %%st\n\t"    /* x - n, n */
            "f2xm1\n\t"
            "fld1\n\t"
            "faddp\n\t"                 /* 2^(x-n) */
            "fscale\n\t"
            "fstp %%st(1)"
            : "=t"(r) : "0"(x));
    return r;
}

/* Fold a double's bits into a checksum. */
static inline uint32_t fp_mix(uint32_t h, double d)
{
    union { double d; uint32_t w[2]; } u = { d };
    return mix32(mix32(h, u.w[0]), u.w[1]);
}

#endif
