/*
 * oracle_pm32.c - the 32-bit half of the protected-mode oracle (the method
 * is explained in tests/oracle_pm.c).  One source, built twice:
 *
 *   -DNATIVE  a static Linux i386 program without libc (system calls through
 *             int 0x80).  It runs every sequence of one generated file
 *             tests/gen/pmseq_NN.S on the host CPU and writes the results to
 *             stdout; the build keeps them as tests/gen/pmexp_NN.dat.
 *   -DKERNEL  the C part of the multiboot kernel tests/gen/pm_NN.elf (with
 *             tests/kern/start.S and klib.c).  It runs the same sequences
 *             in the VM and compares every result with the recorded one.
 *
 * Running one sequence (run_seq): fill the scratch buffer from the
 * sequence's seed, load the input registers and flags (oracle_run in
 * oracle_pm32.sx), run the code, save registers and flags.
 */
#include <stdint.h>
#include "oracle_pm.h"

typedef struct {
    uint32_t r[8];      /* EAX ECX EDX EBX ESP EBP ESI EDI */
    uint32_t fl;        /* EFLAGS */
} State;

typedef struct {        /* a sequence descriptor, see oracle_pm.h */
    const uint8_t *code, *end;
    const char *text;
    uint32_t number;
    State in;
    uint32_t seed, flmask;
    const uint8_t *x87;     /* the initial x87 state (FNSAVE image), or 0 */
} Seq;

extern const Seq oracle_seqs[], oracle_seqs_end[];
extern const char oracle_name[];
extern const uint32_t oracle_x87_ptrs_masked;  /* the host keeps no FOP, FDP (oracle_pm.c) */
extern State oracle_in, oracle_out;
void oracle_run(const uint8_t *code);

#define SCRATCH ((volatile uint32_t *)PM_SCRATCH)
#define NWORDS (PM_SIZE / 4)

static uint32_t init[NWORDS];   /* the scratch contents before the code */

/* xorshift32: the same pseudo-random stream in both worlds. */
static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* The initial scratch contents: random words, a quarter of them edge cases. */
static void pm_fill(uint32_t seed, uint32_t *buf)
{
    static const uint32_t edge[8] = { 0, 0xffffffff, 0x80000000, 0x7fffffff,
                                      1, 0x00ff00ff, 0x80808080, 0x7f7f7f7f };
    uint32_t s = seed | 1;

    for (int i = 0; i < NWORDS; i++) {
        uint32_t v = next(&s);
        buf[i] = (v & 3) == 0 ? edge[(v >> 2) & 7] : next(&s);
    }
}

#define X87_WORDS (PM_X87_SAVE / 4)
static uint32_t x87_out[X87_WORDS];     /* the x87 state after the sequence */

static void run_seq(const Seq *q)
{
    pm_fill(q->seed, init);
    for (int i = 0; i < NWORDS; i++)
        SCRATCH[i] = init[i];
    oracle_in = q->in;
    if (q->x87)
        __asm__ volatile("frstor %0" : : "m"(*(const uint8_t (*)[PM_X87_SAVE])q->x87));
    oracle_run(q->code);
    if (q->x87) {
        __asm__ volatile("fnsave %0" : "=m"(x87_out));
        x87_out[4] &= 0xffff0000u;      /* FCS and FDS: the worlds' selectors differ */
        x87_out[6] &= 0xffff0000u;
        if (oracle_x87_ptrs_masked) {
            x87_out[4] = 0;             /* FOP */
            x87_out[5] = 0;             /* FDP */
        }
    }
}

static uint8_t byte_of(const uint32_t *words, int off)
{
    return (uint8_t)(words[off / 4] >> (8 * (off % 4)));
}

#ifdef NATIVE
/* ------------------------------------------------------------ native */

static int sys3(int nr, uint32_t a, uint32_t b, uint32_t c)
{
    int ret;

    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

static uint32_t out[16384];
static int nout;

static void flush(void)
{
    const char *p = (const char *)out;
    int left = nout * 4;

    while (left > 0) {
        int n = sys3(4, 1, (uint32_t)p, (uint32_t)left);     /* write */
        if (n <= 0)
            sys3(1, 3, 0, 0);                                 /* exit(3) */
        p += n;
        left -= n;
    }
    nout = 0;
}

static void put(uint32_t v)
{
    if (nout == 16384)
        flush();
    out[nout++] = v;
}

/* The result record of the sequence just run (format in oracle_pm.h). */
static void record(const Seq *q)
{
    uint32_t now[NWORDS];
    int ndiff = 0;

    for (int i = 0; i < NWORDS; i++)
        now[i] = SCRATCH[i];
    for (int off = 0; off < PM_SIZE; off++)
        ndiff += byte_of(now, off) != byte_of(init, off);
    put(q->number);
    for (int i = 0; i < 8; i++)
        put(oracle_out.r[i]);
    put(oracle_out.fl);
    put((uint32_t)ndiff);
    for (int off = 0; off < PM_SIZE; off++)
        if (byte_of(now, off) != byte_of(init, off))
            put((uint32_t)off << 8 | byte_of(now, off));
    if (q->x87)
        for (int i = 0; i < X87_WORDS; i++)
            put(x87_out[i]);
}

/* What a run left: registers, flags, the scratch buffer, the x87 state. */
typedef struct {
    State st;
    uint32_t mem[NWORDS], x87[X87_WORDS];
} Outcome;

static void outcome(Outcome *o)
{
    for (int i = 0; i < 8; i++)
        o->st.r[i] = oracle_out.r[i];
    o->st.fl = oracle_out.fl;
    for (int i = 0; i < NWORDS; i++)
        o->mem[i] = SCRATCH[i];
    for (int i = 0; i < X87_WORDS; i++)
        o->x87[i] = x87_out[i];
}

static int same_outcome(const Outcome *a, const Outcome *b)
{
    const uint32_t *x = (const uint32_t *)a, *y = (const uint32_t *)b;
    for (unsigned i = 0; i < sizeof(Outcome) / 4; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* The host loses the x87 instruction and operand pointers when the kernel
 * saves and restores the FPU state of a preempted process (XSAVE on AMD
 * stores them only while an exception is pending), so an x87 sequence runs
 * until two runs in a row agree. */
static void run_x87_again(const Seq *q)
{
    static Outcome prev, now;
    outcome(&prev);
    for (int tries = 0; tries < 8; tries++) {
        run_seq(q);
        outcome(&now);
        if (same_outcome(&prev, &now))
            return;
        outcome(&prev);
    }
}

int oracle_native_main(void)
{
    /* old_mmap(args): the scratch buffer's two pages at their fixed address */
    static uint32_t args[6] = { PM_SCRATCH & ~0xfffu, 8192, 3 /* RW */,
                                0x32 /* PRIVATE|FIXED|ANON */, 0xffffffff, 0 };

    static const char msg[] = "oracle native: cannot map the scratch buffer\n";

    if (sys3(90, (uint32_t)args, 0, 0) != (PM_SCRATCH & ~0xfffu)) {
        sys3(4, 2, (uint32_t)msg, sizeof msg - 1);
        return 2;
    }
    for (const Seq *q = oracle_seqs; q < oracle_seqs_end; q++) {
        run_seq(q);
        if (q->x87)
            run_x87_again(q);
        record(q);
    }
    flush();
    return 0;
}

#else
/* ------------------------------------------------------------ kernel */
#include "klib.h"

extern const uint32_t oracle_expect[], oracle_expect_end[];
void oracle_kinit(void);

static const Seq *current;
static int nfail;
static const char *const regs[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };

static void putflags(uint32_t fl)      /* "0x0893 O-SZAPC" style */
{
    static const char names[] = "ODSZAPC";
    static const uint32_t bits[7] = { 0x800, 0x400, 0x80, 0x40, 0x10, 0x4, 0x1 };

    kputs(" 0x");
    for (int i = 12; i >= 0; i -= 4)
        kputc("0123456789abcdef"[(fl >> i) & 15]);
    kputc(' ');
    for (int i = 0; i < 7; i++)
        kputc(fl & bits[i] ? names[i] : '-');
}

static void putbyte(uint8_t b)
{
    kputc("0123456789abcdef"[b >> 4]);
    kputc("0123456789abcdef"[b & 15]);
}

/* The sequence: its number, code bytes and listing. */
static void report_seq(const Seq *q)
{
    kputs("  code:");
    for (const uint8_t *p = q->code; p < q->end; p++) {
        kputc(' ');
        putbyte(*p);
    }
    kputs("\n    ");
    for (const char *s = q->text; *s; s++) {
        kputc(*s);
        if (*s == '\n')
            kputs("    ");
    }
    kputc('\n');
}

static void mark(int differs)
{
    kputs(differs ? "   <-- differs\n" : "\n");
}

static uint8_t vm_byte(int off)
{
    return (uint8_t)(SCRATCH[off / 4] >> (8 * (off % 4)));
}

/* Every scratch byte that the native run or the VM changed. */
static void report_memory(const uint32_t *mem)
{
    for (int off = 0; off < PM_SIZE; off++) {
        uint8_t i = byte_of(init, off), w = byte_of(mem, off), v = vm_byte(off);
        if (w == i && v == i)
            continue;
        kputs("  memory 0x");
        kputhex(PM_SCRATCH + (uint32_t)off);
        kputs(": initial ");
        putbyte(i);
        kputs(", native ");
        putbyte(w);
        kputs(", vm ");
        putbyte(v);
        mark(w != v);
    }
}

/* The full report of a mismatch: the sequence, then input, native and VM
 * values of the registers, the flags and the scratch bytes. */
static void report(const Seq *q, const State *want, const uint32_t *mem, uint32_t flmask)
{
    kputs(oracle_name);
    kputs(": MISMATCH in sequence ");
    kputdec(q->number);
    kputs(" (scratch seed 0x");
    kputhex(q->seed);
    kputs(")\n");
    report_seq(q);
    kputs("  reg       input    native        vm\n");
    for (int i = 0; i < 8; i++) {
        kputs("  ");
        kputs(regs[i]);
        kputs("    ");
        kputhex(q->in.r[i]);
        kputs("  ");
        kputhex(want->r[i]);
        kputs("  ");
        kputhex(oracle_out.r[i]);
        mark(want->r[i] != oracle_out.r[i]);
    }
    kputs("  flags in");
    putflags(q->in.fl);
    kputs(", native");
    putflags(want->fl);
    kputs(", vm");
    putflags(oracle_out.fl);
    if (flmask != (PM_ARITH | PM_DF)) {
        kputs(", compared");
        putflags(flmask);
    }
    mark((want->fl ^ oracle_out.fl) & flmask);
    report_memory(mem);
}

/* A one-line report: what differs. */
static void report_short(const Seq *q, const State *want, int memdiff, uint32_t flmask)
{
    kputs(oracle_name);
    kputs(": MISMATCH in sequence ");
    kputdec(q->number);
    kputs(":");
    for (int i = 0; i < 8; i++)
        if (want->r[i] != oracle_out.r[i]) {
            kputc(' ');
            kputs(regs[i]);
        }
    if ((want->fl ^ oracle_out.fl) & flmask) {
        kputs(" flags");
        putflags((want->fl ^ oracle_out.fl) & flmask);
    }
    if (memdiff)
        kputs(" memory");
    kputc('\n');
}

/* The x87 state, native and vm: the environment's fields, then the
 * registers ST(0)..ST(7) as sign+exponent and significand. */
static void report_x87(const uint32_t *want)
{
    static const char *const names[7] = { "fcw", "fsw", "ftw", "fip", "fop", "fdp", "---" };
    const uint8_t *w = (const uint8_t *)want, *v = (const uint8_t *)x87_out;

    for (int i = 0; i < 6; i++) {
        uint32_t a = want[i], b = x87_out[i];
        if (i == 4) {
            a >>= 16;
            b >>= 16;
        }
        kputs("  x87 ");
        kputs(names[i]);
        kputs("       native ");
        kputhex(a);
        kputs("  vm ");
        kputhex(b);
        mark(a != b);
    }
    for (int r = 0; r < 8; r++) {
        int differs = 0;
        kputs("  st(");
        kputc((char)('0' + r));
        kputs(")  native ");
        for (int k = 9; k >= 0; k--) {
            putbyte(w[28 + 10 * r + k]);
            differs |= w[28 + 10 * r + k] != v[28 + 10 * r + k];
        }
        kputs("  vm ");
        for (int k = 9; k >= 0; k--)
            putbyte(v[28 + 10 * r + k]);
        mark(differs);
    }
}

static int x87_differs(const uint32_t *want)
{
    for (int i = 0; i < X87_WORDS; i++)
        if (want[i] != x87_out[i])
            return 1;
    return 0;
}

/* Compare the sequence just run with its record; returns the next record.
 * The first 8 mismatches get a full report, the next 40 a line each. */
static const uint32_t *check(const Seq *q, const uint32_t *rec)
{
    static uint32_t want_mem[NWORDS];
    State want;
    uint32_t flmask = q->flmask & (PM_ARITH | PM_DF);
    int bad = 0, memdiff = 0;

    if (rec >= oracle_expect_end || rec[0] != q->number) {
        kputs(oracle_name);
        kputs(": the native results do not match the sequences (stale build?)\n");
        kexit(1);
    }
    for (int i = 0; i < 8; i++)
        want.r[i] = rec[1 + i];
    want.fl = rec[9];
    for (int i = 0; i < NWORDS; i++)
        want_mem[i] = init[i];
    for (uint32_t k = 0; k < rec[10]; k++) {
        uint32_t off = rec[11 + k] >> 8, shift = 8 * (off % 4);
        want_mem[off / 4] = (want_mem[off / 4] & ~(0xffu << shift)) | (rec[11 + k] & 0xff) << shift;
    }
    for (int i = 0; i < 8; i++)
        bad |= want.r[i] != oracle_out.r[i];
    bad |= ((want.fl ^ oracle_out.fl) & flmask) != 0;
    for (int i = 0; i < NWORDS; i++)
        memdiff |= want_mem[i] != SCRATCH[i];
    const uint32_t *want_x87 = rec + 11 + rec[10];
    int x87diff = q->x87 && x87_differs(want_x87);
    if (bad || memdiff || x87diff) {
        nfail++;
        if (nfail <= 8) {
            report(q, &want, want_mem, flmask);
            if (q->x87)
                report_x87(want_x87);
        } else if (nfail <= 48) {
            report_short(q, &want, memdiff, flmask);
            if (x87diff)
                kputs("  (and the x87 state)\n");
        }
    }
    return want_x87 + (q->x87 ? X87_WORDS : 0);
}

void oracle_exception(uint32_t vec, uint32_t err, uint32_t eip)
{
    kputs(oracle_name);
    kputs(": EXCEPTION ");
    kputdec(vec);
    kputs(" (error code 0x");
    kputhex(err);
    kputs(", eip 0x");
    kputhex(eip);
    kputs(")");
    if (current) {
        kputs(" in sequence ");
        kputdec(current->number);
        kputs("; the native run had none\n");
        report_seq(current);
    }
    kputc('\n');
    kexit(1);
}

int kmain(uint32_t magic, void *info)
{
    const uint32_t *rec = oracle_expect;
    uint32_t n = 0;

    (void)magic;
    (void)info;
    oracle_kinit();
    for (const Seq *q = oracle_seqs; q < oracle_seqs_end; q++, n++) {
        current = q;
        run_seq(q);
        rec = check(q, rec);
    }
    current = 0;
    kputs(oracle_name);
    kputs(": ");
    kputdec(n);
    kputs(" sequences, ");
    kputdec((uint32_t)nfail);
    kputs(nfail ? " mismatches: FAILED" : " mismatches: PASS\n");
    if (nfail)
        kputs(nfail > 8 ? " (the first 8 in full at the top)\n" : "\n");
    return nfail ? 1 : 0;
}
#endif
