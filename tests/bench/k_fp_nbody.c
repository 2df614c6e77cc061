/* k_fp_nbody.c - the n-body simulation of the Computer Language Benchmarks
 * Game (the Sun, Jupiter, Saturn, Uranus, Neptune), in doubles on the x87:
 * 1,500,000 steps, then the energy.
 *
 * What it stresses: double-precision arithmetic with memory operands
 * (FLD/FMUL/FADD/FSUB m64, FSTP m64), FSQRT and FDIV, a short inner loop
 * over five bodies: the x87 code a numerical C program compiles to with
 * -m32 -mfpmath=387.  For vm: every x87 instruction with a memory operand
 * pays the TLB lookup and the pointer bookkeeping (docs/fpu.md).
 */
#include "bench.h"
#include "fp.h"

const char bench_name[] = "fp_nbody";
const uint32_t bench_expect = 0x863c6115;

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define NBODIES 5
#define STEPS 1500000

struct body { double x, y, z, vx, vy, vz, mass; };

/* The initial state; the bodies move in .bss (a store to a page that holds
 * code would take vm's self-modifying-code slow path, see docs/memory.md). */
static const struct body start[NBODIES] = {
    { 0, 0, 0, 0, 0, 0, SOLAR_MASS },
    { 4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
      1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
      -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS },
    { 8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
      -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
      2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS },
    { 1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
      2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
      -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS },
    { 1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
      2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
      -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS },
};

static struct body bodies[NBODIES];

static void offset_momentum(void)
{
    double px = 0, py = 0, pz = 0;
    for (int i = 0; i < NBODIES; i++) {
        px += bodies[i].vx * bodies[i].mass;
        py += bodies[i].vy * bodies[i].mass;
        pz += bodies[i].vz * bodies[i].mass;
    }
    bodies[0].vx = -px / SOLAR_MASS;
    bodies[0].vy = -py / SOLAR_MASS;
    bodies[0].vz = -pz / SOLAR_MASS;
}

static void advance(double dt)
{
    for (int i = 0; i < NBODIES; i++) {
        struct body *a = &bodies[i];
        for (int j = i + 1; j < NBODIES; j++) {
            struct body *b = &bodies[j];
            double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * fp_sqrt(d2));
            a->vx -= dx * b->mass * mag;
            a->vy -= dy * b->mass * mag;
            a->vz -= dz * b->mass * mag;
            b->vx += dx * a->mass * mag;
            b->vy += dy * a->mass * mag;
            b->vz += dz * a->mass * mag;
        }
    }
    for (int i = 0; i < NBODIES; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

static double energy(void)
{
    double e = 0;
    for (int i = 0; i < NBODIES; i++) {
        struct body *a = &bodies[i];
        e += 0.5 * a->mass * (a->vx * a->vx + a->vy * a->vy + a->vz * a->vz);
        for (int j = i + 1; j < NBODIES; j++) {
            struct body *b = &bodies[j];
            double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
            e -= a->mass * b->mass / fp_sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

uint32_t bench_run(void)
{
    uint32_t h = 0;
    memcpy(bodies, start, sizeof(bodies));
    offset_momentum();
    h = fp_mix(h, energy());            /* -0.169075164 */
    for (int n = 0; n < STEPS; n++)
        advance(0.01);
    h = fp_mix(h, energy());            /* after the steps */
    for (int i = 0; i < NBODIES; i++)
        h = fp_mix(h, bodies[i].x);
    return h;
}
