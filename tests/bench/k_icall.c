/* k_icall.c - indirect calls through tables of function pointers, the way
 * C code does dynamic dispatch: a driver-style "ops" structure per object
 * (three methods each, eight kinds of objects) and a flat table of 16
 * small operations applied in a data-dependent order.
 *
 * What it stresses: CALL through a register or memory operand to one of
 * many targets, and the matching RETs - both are indirect control
 * transfers whose target an emulator must look up at run time (no
 * direct block chaining).  The callees are tiny, so the lookup cost
 * dominates, as it does in object-oriented code and in kernels' vtables
 * (file operations, device drivers).  The order of the targets follows a
 * pseudo-random sequence, so the host's branch predictor does not make it
 * free for the native run either.
 */
#include "bench.h"

const char bench_name[] = "icall";
const uint32_t bench_expect = 0xa28a44bb;

#define OPS     4096                    /* length of the operation sequence */
#define OBJS    64
#define PASSES  3000

typedef uint32_t (*op_fn)(uint32_t acc, uint32_t x);

static uint32_t op0(uint32_t a, uint32_t x)  { return a + x; }
static uint32_t op1(uint32_t a, uint32_t x)  { return a - x; }
static uint32_t op2(uint32_t a, uint32_t x)  { return a ^ x; }
static uint32_t op3(uint32_t a, uint32_t x)  { return a * (x | 1); }
static uint32_t op4(uint32_t a, uint32_t x)  { return ((a << 3) | (a >> 29)) + (x & 7); }
static uint32_t op5(uint32_t a, uint32_t x)  { return a + (x << 4); }
static uint32_t op6(uint32_t a, uint32_t x)  { return a ^ (x >> 3); }
static uint32_t op7(uint32_t a, uint32_t x)  { return ~a + x; }
static uint32_t op8(uint32_t a, uint32_t x)  { return a > x ? a - x : x - a; }
static uint32_t op9(uint32_t a, uint32_t x)  { return a + (a >> 7) + x; }
static uint32_t op10(uint32_t a, uint32_t x) { return (a & 0xffff) * 3 + x; }
static uint32_t op11(uint32_t a, uint32_t x) { return a ^ (x * 0x9E3779B9u); }
static uint32_t op12(uint32_t a, uint32_t x) { return (a >> 1) + (x >> 1); }
static uint32_t op13(uint32_t a, uint32_t x) { return a | (x & 0x0f0f0f0f); }
static uint32_t op14(uint32_t a, uint32_t x) { return a + 0x7f4a7c15u - x; }
static uint32_t op15(uint32_t a, uint32_t x) { return (a ^ x) + (a & x); }

/* Not const: the table is data, as a driver registry would be. */
op_fn op_table[16] = {
    op0, op1, op2, op3, op4, op5, op6, op7,
    op8, op9, op10, op11, op12, op13, op14, op15,
};

/* Objects with an ops pointer, like struct file -> f_op. */
struct object;
struct object_ops {
    uint32_t (*read)(struct object *o);
    void (*write)(struct object *o, uint32_t v);
    uint32_t (*poll)(const struct object *o, uint32_t mask);
};
struct object {
    const struct object_ops *ops;
    uint32_t state;
    uint32_t count;
};

#define KIND(k)                                                              \
    static uint32_t read##k(struct object *o)                                \
    {                                                                        \
        o->count++;                                                          \
        return o->state * (2 * k + 1) + k;                                   \
    }                                                                        \
    static void write##k(struct object *o, uint32_t v)                       \
    {                                                                        \
        o->state = (o->state >> (k + 1)) ^ v;                                \
    }                                                                        \
    static uint32_t poll##k(const struct object *o, uint32_t mask)           \
    {                                                                        \
        return (o->state & mask) ^ (o->count << k);                          \
    }                                                                        \
    static const struct object_ops ops##k = { read##k, write##k, poll##k };
KIND(0) KIND(1) KIND(2) KIND(3) KIND(4) KIND(5) KIND(6) KIND(7)

const struct object_ops *kinds[8] = {
    &ops0, &ops1, &ops2, &ops3, &ops4, &ops5, &ops6, &ops7,
};

static uint8_t seq[OPS];
static uint32_t arg[OPS];
static struct object objs[OBJS];

uint32_t bench_run(void)
{
    uint32_t seed = 0xC0FFEE11u;
    for (int i = 0; i < OPS; i++) {
        uint32_t r = xorshift32(&seed);
        seq[i] = (uint8_t)(r & 15);
        arg[i] = r >> 4;
    }
    for (int i = 0; i < OBJS; i++) {
        objs[i].ops = kinds[xorshift32(&seed) & 7];
        objs[i].state = xorshift32(&seed);
        objs[i].count = 0;
    }

    uint32_t acc = 1, h = 0;
    for (int pass = 0; pass < PASSES; pass++) {
        for (int i = 0; i < OPS; i++)
            acc = op_table[seq[i]](acc, arg[i]);
        h = mix32(h, acc);
        for (int i = 0; i < OPS; i++) {
            struct object *o = &objs[(arg[i] + (uint32_t)pass) & (OBJS - 1)];
            uint32_t v = o->ops->read(o);
            o->ops->write(o, v ^ arg[i]);
            acc += o->ops->poll(o, arg[i]);
        }
        h = mix32(h, acc);
    }
    for (int i = 0; i < OBJS; i++)
        h = mix32(h, objs[i].state + objs[i].count);
    return h;
}
