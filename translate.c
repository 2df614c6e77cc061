/*
 * translate.c - the translator: guest x86 (16/32-bit) -> host x86-64.
 *
 * A translation block (TB) is a run of guest instructions that ends at a
 * control transfer (but not a CALL to a get-PC thunk: thunk_at, nor a Jcc
 * whose taken way can leave by a side exit: gen_jcc, nor a JMP or CALL
 * forward on its page, after which it goes on at the target:
 * jmp_runs_on), a page boundary, TB_MAX_INSNS, or an instruction that
 * changes how later code decodes.
 * Each guest instruction is decoded and
 * immediately emitted as host instructions into the code buffer.  Because
 * guest and host are both x86, most guest instructions become the *same*
 * host instruction with the operands renamed: guest registers live in host
 * registers, a memory operand becomes gs:[linear] in the vCPU's view of
 * guest memory (view.c; without views, [rsi] after an inline address
 * translation, or [r10+disp] in a page group that shares one), and the
 * host computes the guest's result and flags (REP STOS/MOVS on one page
 * the host's own REP: gen_string_rep).  Rare or complex instructions call
 * C helpers in cpu.c.
 *
 * Host registers inside translated code (docs/translation.md):
 *   guest EAX ECX EDX EBX  ->  host RAX RCX RDX RBX  (so AH..BH stay
 *                              addressable: a REX prefix is never needed
 *                              for a guest byte register)
 *   guest ESP EBP ESI EDI  ->  host R12 R13 R14 R15 (ESP = R12 plus the
 *                              update PUSH/POP/CALL/RET left pending:
 *                              gen_sp_defer)
 *   RBP = CPU *;  RSI = address of a memory operand;  RDI, R8, R11 scratch;
 *   R9, R10 = values that must survive a slow path (saved by the code
 *   all slow paths share, tb_slow_begin: gen_tb_slow_paths);
 *   R10 also holds a page group's host address (see "Page groups")
 *   Host EFLAGS carries the guest's arithmetic flags from the instruction
 *   that computed them to the one that reads them; they are written back to
 *   CPU.cc ("synced") only before code that clobbers host flags, calls a
 *   helper, may fault, or leaves the TB (unless the TB a direct jump goes
 *   to overwrites them first: flags_dead_at_jump).
 * Guest registers are spilled to CPU.regs around helper calls, in slow
 * paths and when translated code returns to cpu_exec, and reloaded after.
 *
 * Threads and locks: translation runs on the vCPU threads.  tb_lock (the
 * translation lock) guards the code buffer, the TB pool, the hash table,
 * the page lists and the chaining fields (jmp_*); a vCPU holds it while
 * it translates, chains, or invalidates TBs for self-modifying code.
 * Hash-table lookups take no lock: they run in an RCU read section
 * (tb_lookup explains why that is safe).  Each vCPU's jump cache is its
 * own.  A TB is never freed while vCPUs run: invalidation only marks
 * it (flags = TB_FLAGS_INVALID, read atomically by the lookups) and
 * unlinks it; the code buffer is recycled by tb_flush inside an
 * exclusive section (cpu.c), when no vCPU is in translated code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm.h"

/* ---- Host registers and opcodes ----------------------------------------- */

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* Register operand flags: HIGH8 marks AH CH DH BH (codes 4-7 that must not
 * meet a REX prefix); EXT marks a ModRM reg field holding an opcode
 * extension rather than a register. */
#define HIGH8  0x20
#define EXT(n) (0x40 | (n))

/* Host condition codes, as in Jcc/SETcc/CMOVcc low nibble (same as guest). */
enum { CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
       CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G };

#define OPC_0F(x) (0x0f00 | (x))        /* two-byte opcode */

/* Temporaries (see the header comment). */
#define T_ADDR RSI
#define T_IDX  RDI
#define T_CMP  R8
#define T_VAL  R9
#define T_VAL2 R10
#define GROUP_REG R10   /* the latest page group's grp_host (no T_VAL2 user is in a group) */
#define T_SCR  R11

/* A host operand: a register, or memory at [base + disp]. */
typedef struct Opnd {
    int is_reg;
    int reg;                /* when is_reg (may carry HIGH8) */
    int base;               /* when memory */
    int32_t disp;
    int index1, scale;      /* ... + (index1 - 1) << scale, when index1 is not 0 */
    int a32;                /* 32-bit addressing (0x67): the sum wraps at 4 GiB */
} Opnd;

static Opnd oreg(int r) { Opnd o = { 1, r, 0, 0, 0, 0, 0 }; return o; }
static Opnd omem(int base, int32_t disp) { Opnd o = { 0, 0, base, disp, 0, 0, 0 }; return o; }
/* A guest operand [base + index << scale + disp] on the host; base or
 * index -1: none.  Summed in 32 bits, as the guest sums it, where a 64-bit
 * sum could leave the 4 GiB the guest sees: with an index, without a base
 * (disp32 is then an address, zero-extended), or with a displacement
 * below -64 KiB (an address too: kernel code's [reg + 0xc1234567]). */
static Opnd omem_sib(int base, int index, int scale, int32_t disp)
{
    Opnd o = { 0, 0, base, disp, index + 1, scale, index >= 0 || base < 0 || disp < -0x10000 };
    return o;
}

/* ---- The code buffer ------------------------------------------------------ */

static uint8_t *code_buf, *code_end;   /* the whole mmap'ed region */

/* Is [p, p+len) translated code (view.c's fault handler asks)? */
int tcg_code_holds(const void *p, size_t len)
{
    const uint8_t *b = p;
    return b >= code_buf && b + len <= code_end;
}
static uint8_t *code_ptr;               /* next free byte */
static uint8_t *code_gen_start;         /* first byte after prologue/epilogue */
static uint8_t *tb_epilogue;            /* spill registers, return R8 to cpu_exec */
static uint8_t *tb_jc_exit;             /* an unchained direct jump's way out (gen_tb_jc_exit) */
static uint8_t *tb_jc_second;           /* an inline lookup's miss: the slot's other way (gen_tb_jc_second) */
static uint8_t *tb_exit_r9;             /* to cpu_exec at the EIP in R9 (gen_tb_jc_second) */
static uint8_t *tb_miss_sig;            /* a lookup by signature missed (gen_tb_miss_sig) */
static uint8_t *tb_slow_begin[4];       /* a memory slow path's C calls (gen_tb_slow_paths) */
static uint8_t *tb_slow_end;
typedef uintptr_t (*PrologueFn)(CPU *cpu, void *tc);
static PrologueFn tb_prologue;
#define TB_CODE_MAX (64 * 1024)         /* room one TB may need at most */

/* TBs: a pool, a hash table on (phys pc, flags), per-page lists. */
static TB *tb_pool;
static int tb_count, tb_max;
#define TB_HASH_BITS 16
static TB *tb_hash[1 << TB_HASH_BITS];
static uintptr_t *page_tbs;             /* RAM page -> tagged TB list (TB* | n) */
static uint8_t *page_watched;           /* RAM page -> every TLB watches it (tb_lock) */
static uint32_t page_count;

static uint8_t *p;                      /* emission cursor (translation only) */
unsigned tb_flush_count;                /* bumped by every tb_flush */
static uint64_t tb_chain_count;         /* chain patches ever made (tb_lock) */

/* The translation lock.  A fault during translation longjmps to cpu_exec
 * with it held; tb_lock_reset there releases it (as QEMU's does). */
static pthread_mutex_t tb_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int tb_lock_held;

static void tb_lock_acquire(void)
{
    pthread_mutex_lock(&tb_lock);
    tb_lock_held = 1;
}

static void tb_lock_release(void)
{
    tb_lock_held = 0;
    pthread_mutex_unlock(&tb_lock);
}

void tb_lock_reset(void)
{
    if (tb_lock_held)
        tb_lock_release();
}

/* What a new TB was translated from: its guest bytes (at most
 * TB_MAX_INSNS instructions of 15 bytes) and where they live, kept until
 * the TB is published (tb_publish_checked). */
#define TB_SRC_MAX 1024
#define TB_THUNKS 4             /* get-PC thunks one TB may inline (thunk_at) */
#define THUNK_LEN 4             /* mov reg, [esp]; ret */
typedef struct TBSource {
    uint8_t bytes[TB_SRC_MAX];
    int nthunks;
    uint32_t thunk_lin[TB_THUNKS];
    uint8_t thunk_bytes[TB_THUNKS][THUNK_LEN];
    uint32_t page_base[2];
    uint8_t *page_host[2];
    int npages;
} TBSource;

/* Pages that got their first TB in this translation: every vCPU's TLB
 * must watch them for writes (tb_lock). */
static uint32_t new_code_pages[4];
static int n_new_code_pages;
int tb_nochain;                         /* -d exec/cpu: every TB returns to cpu_exec */
int tb_nogroups;                        /* -accel tcg,groups=off */
int tb_count_mem;                       /* monitor jit_count on (set with no vCPU running) */

static void emit8(int b) { *p++ = (uint8_t)b; }
static void emit16(int v) { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); p += 2; }
static void emit32(uint32_t v) { memcpy(p, &v, 4); p += 4; }
static void emit64(uint64_t v) { memcpy(p, &v, 8); p += 8; }

static void emit_imm(uint32_t imm, int size)
{
    if (size == 1)
        emit8(imm);
    else if (size == 2)
        emit16(imm);
    else if (size == 4)
        emit32(imm);
}

/* Emit the prefixes, opcode and ModRM/SIB/displacement of one instruction.
 * size: 1, 2, 4 or 8 (operand size: 0x66 for 2, REX.W for 8); reg: the
 * ModRM reg field, a register or EXT(n). */
static void emit_op(int size, int opc, int reg, Opnd rm)
{
    int rex = 0, high = 0;
    if (size == 2)
        emit8(0x66);
    if (!rm.is_reg && rm.a32)
        emit8(0x67);                    /* 32-bit addressing: the sum wraps as the guest's */
    if (size == 8)
        rex |= 8;
    if (!(reg & 0x40)) {
        if ((reg & 0xf) >= 8)
            rex |= 4;
        high |= reg & HIGH8;
    }
    if (rm.is_reg) {
        if ((rm.reg & 0xf) >= 8)
            rex |= 1;
        high |= rm.reg & HIGH8;
    } else {
        if (rm.base >= 8)
            rex |= 1;
        if (rm.index1 > 8)
            rex |= 2;
    }
    if (rex && high) {
        fprintf(stderr, "vm: internal error: AH..BH with a REX prefix\n");
        abort();
    }
    if (rex)
        emit8(0x40 | rex);
    if (opc > 0xff)
        emit8(opc >> 8);
    emit8(opc & 0xff);
    reg &= 7;
    if (rm.is_reg) {
        emit8(0xc0 | (reg << 3) | (rm.reg & 7));
        return;
    }
    if (rm.base < 0) {                  /* SIB, base 101 with mod 00: [index << scale + disp32] */
        emit8((reg << 3) | 4);
        emit8((rm.scale << 6) | ((rm.index1 ? (rm.index1 - 1) & 7 : 4) << 3) | 5);
        emit32((uint32_t)rm.disp);
        return;
    }
    int base = rm.base & 7;
    int mod = (rm.disp == 0 && base != RBP) ? 0 :
              (rm.disp >= -128 && rm.disp <= 127) ? 1 : 2;
    if (rm.index1) {                    /* SIB: base + index << scale */
        emit8((mod << 6) | (reg << 3) | 4);
        emit8((rm.scale << 6) | (((rm.index1 - 1) & 7) << 3) | base);
    } else {
        emit8((mod << 6) | (reg << 3) | base);
        if (base == RSP)
            emit8(0x24);                /* SIB: base only */
    }
    if (mod == 1)
        emit8(rm.disp);
    else if (mod == 2)
        emit32((uint32_t)rm.disp);
}

/* mov reg, imm32 (zero-extends to 64 bits) */
static void emit_mov_ri(int reg, uint32_t imm)
{
    if (reg >= 8)
        emit8(0x41);
    emit8(0xb8 + (reg & 7));
    emit32(imm);
}

/* mov reg, imm64 */
static void emit_mov_ri64(int reg, uint64_t imm)
{
    emit8(0x48 | (reg >= 8));
    emit8(0xb8 + (reg & 7));
    emit64(imm);
}

/* jmp/jcc rel32 to a known target, or with the rel32 left to patch:
 * return the address of the rel32 field. */
static uint8_t *emit_jmp(uint8_t *target)
{
    emit8(0xe9);
    uint8_t *field = p;
    emit32(target ? (uint32_t)(target - (p + 4)) : 0);
    return field;
}

static uint8_t *emit_jcc(int cc, uint8_t *target)
{
    emit8(0x0f);
    emit8(0x80 + cc);
    uint8_t *field = p;
    emit32(target ? (uint32_t)(target - (p + 4)) : 0);
    return field;
}

/* Point a rel32 field emitted earlier at target. */
static void patch_rel32(uint8_t *field, uint8_t *target)
{
    int32_t rel = (int32_t)(target - (field + 4));
    memcpy(field, &rel, 4);
}

/* One NOP (of 1-3 bytes) so that a jmp rel32 emitted next has its rel32
 * 4-byte aligned, for atomic patching: 90, 66 90, 0f 1f 00. */
static void emit_nop_align_rel32(void)
{
    int n = (int)(-((uintptr_t)p + 1) & 3);
    if (n == 3) {
        emit8(0x0f); emit8(0x1f); emit8(0x00);
    } else if (n == 2) {
        emit8(0x66); emit8(0x90);
    } else if (n == 1) {
        emit8(0x90);
    }
}

/* call rel32: to shared code in the buffer */
static void emit_call_rel(const uint8_t *target)
{
    emit8(0xe8);
    emit32((uint32_t)(target - (p + 4)));
}

/* call a C function: mov rax, fn; call rax.  The stack is 16-byte aligned
 * in translated code (the prologue sees to it).  Guest registers must have
 * been spilled: the call clobbers RAX RCX RDX. */
static void emit_call(void *fn)
{
    emit_mov_ri64(RAX, (uintptr_t)fn);
    emit8(0xff);
    emit8(0xd0);
}

/* ---- Guest operand locations ----------------------------------------------- */

#define CPU_OFF(field) ((int32_t)offsetof(CPU, field))

/* Host register of each guest register. */
static const int8_t host_reg[8] = { RAX, RCX, RDX, RBX, R12, R13, R14, R15 };

/* The host register holding guest register r at operand size `size`:
 * byte registers 4-7 are AH CH DH BH, which are host AH CH DH BH. */
static int greg_n(int r, int size)
{
    if (size == 1)
        return r < 4 ? r : (r | HIGH8);
    return host_reg[r];
}

static Opnd greg(int r, int size) { return oreg(greg_n(r, size)); }

static Opnd gseg_base(int seg) { return omem(RBP, CPU_OFF(seg) + seg * (int)sizeof(SegCache) + (int)offsetof(SegCache, base)); }
static Opnd gseg_limit(int seg) { return omem(RBP, CPU_OFF(seg) + seg * (int)sizeof(SegCache) + (int)offsetof(SegCache, limit)); }
static Opnd gseg_sel(int seg) { return omem(RBP, CPU_OFF(seg) + seg * (int)sizeof(SegCache) + (int)offsetof(SegCache, sel)); }
static Opnd gcpu(int32_t off) { return omem(RBP, off); }

/* Load `size` bytes (zero-extended to 32 bits) into host register dst. */
static void emit_load(int dst, Opnd src, int size)
{
    if (size == 1 && src.is_reg && (src.reg & HIGH8) && dst >= 8) {
        emit_op(4, OPC_0F(0xb6), RDI, src);     /* AH..BH: no REX, so via EDI */
        emit_op(4, 0x8b, dst, oreg(RDI));
        return;
    }
    if (size == 1)
        emit_op(4, OPC_0F(0xb6), dst, src);     /* movzx dst, byte */
    else if (size == 2)
        emit_op(4, OPC_0F(0xb7), dst, src);     /* movzx dst, word */
    else
        emit_op(size, 0x8b, dst, src);          /* mov dst, src */
}

/* mov size dst, src (register to register or memory) */
static void emit_mov(int size, Opnd dst, int src)
{
    emit_op(size, size == 1 ? 0x88 : 0x89, src, dst);
}

/* mov size [dst], imm */
static void emit_store_imm(Opnd dst, uint32_t imm, int size)
{
    emit_op(size, size == 1 ? 0xc6 : 0xc7, EXT(0), dst);
    emit_imm(imm, size);
}

/* lea size dst, [base + disp] (no flags) */
static void emit_lea(int size, int dst, int base, int32_t disp)
{
    emit_op(size, 0x8d, dst, omem(base, disp));
}

/* ALU op (0 add, 1 or, 2 adc, 3 sbb, 4 and, 5 sub, 6 xor, 7 cmp) with an
 * immediate: op size dst, imm. */
static void emit_alu_imm(int op, Opnd dst, uint32_t imm, int size)
{
    if (size == 1) {
        emit_op(1, 0x80, EXT(op), dst);
        emit8(imm);
    } else if ((int32_t)imm >= -128 && (int32_t)imm <= 127 &&
               (size >= 4 || (int16_t)imm == (int32_t)imm)) {
        emit_op(size, 0x83, EXT(op), dst);
        emit8(imm);
    } else {
        emit_op(size, 0x81, EXT(op), dst);
        emit_imm(imm, size == 8 ? 4 : size);
    }
}

/* Store every guest register from its host register to CPU.regs, and back. */
static void emit_spill(void)
{
    for (int r = 0; r < 8; r++)
        emit_mov(4, gcpu(CPU_OFF(regs) + 4 * r), host_reg[r]);
}

static void emit_reload(void)
{
    for (int r = 0; r < 8; r++)
        emit_load(host_reg[r], gcpu(CPU_OFF(regs) + 4 * r), 4);
}

/* The value temporaries, around a slow path's C call. */
static void emit_spill_temps(void)
{
    emit_mov(8, gcpu(CPU_OFF(tmp)), T_VAL);
    emit_mov(8, gcpu(CPU_OFF(tmp) + 8), T_VAL2);
}

static void emit_reload_temps(void)
{
    emit_load(T_VAL, gcpu(CPU_OFF(tmp)), 8);
    emit_load(T_VAL2, gcpu(CPU_OFF(tmp) + 8), 8);
}

/* ---- Decoded guest instruction ---------------------------------------------- */

typedef struct Insn {
    uint32_t eip;           /* offset in CS of the first byte */
    uint32_t next;          /* offset of the next instruction */
    int len;
    int op;                 /* opcode; 0x0F xx is OPC_0F(xx) */
    int opsize;             /* 2 or 4 */
    int addr32;
    int seg;                /* segment override, or S_NONE */
    int rep;                /* 0, 0xF3 (REP/REPE) or 0xF2 (REPNE) */
    int lock;
    int has_modrm, mod, reg, rm;
    /* memory operand: */
    int base, index, scale; /* guest registers, -1 for none */
    int32_t disp;
    int default_ss;         /* BP/SP-based: default segment SS */
    uint32_t imm, imm2;
    uint8_t bytes[16];
} Insn;

/* A host instruction to run on a guest operand: the guest instruction
 * re-encoded for the host, with its r/m operand supplied separately (a
 * guest register's host register, or [rsi] for memory). */
typedef struct HostOp {
    int size;               /* operand size: 1 2 4 (prefix 0x66 for 2) */
    int opc;                /* opcode, OPC_0F(x) for two bytes */
    int reg;                /* ModRM reg: a host register or EXT(n) */
    int imm_size;           /* bytes of immediate: 0 1 2 4 */
    uint32_t imm;
    int lock;
    int reads_flags;        /* needs the guest flags in host EFLAGS */
    int writes_flags;       /* leaves the guest's new flags in host EFLAGS */
    int msize;              /* bytes of the r/m operand (movzx: 1 or 2) */
    int align;              /* #AC: the alignment it needs, if not msize (m80: 8; 1: none) */
    int peek;               /* movzx r8d, byte [operand] first (FLDCW: the new masks) */
    int fdp;                /* x87: store the linear address, which is the offset, as
                             * CPU.fpu_fdp once the access cannot fault any more */
} HostOp;

/* How a memory operand is used: decides the TLB tag and the slow path. */
enum { MEM_READ = MEM_ACCESS_READ, MEM_WRITE = MEM_ACCESS_WRITE, MEM_RMW = MEM_ACCESS_RMW };

/* Deferred slow-path stubs, emitted after the TB's main code. */
enum {
    STUB_MEM,       /* a memory operand's slow path */
    STUB_FAULT,     /* raise `vector` */
    STUB_EXIT,      /* leave for cpu_exec at `eip` (exit_request, a REP that stopped early) */
    STUB_FPU,       /* an x87 exception is pending: helper_fpu_pending */
    STUB_FPU_CW,    /* FLDCW changed which exceptions are masked: new hflags from `eip` on */
    STUB_GROUP,     /* a page group's check missed: tlb_group_host */
    STUB_SIDE,      /* a Jcc's taken way: direct exit `vector` to `target` (gen_jcc) */
};

typedef struct Stub {
    int kind;
    uint8_t *jump_field;    /* the rel32 of the fast path's jump to patch */
    uint8_t *resume;        /* where to jump back */
    uint32_t eip;           /* the guest instruction */
    int mode;               /* STUB_MEM: MEM_* */
    int vector;             /* STUB_FAULT; STUB_FPU_CW: the new CPU.fpu_unmasked */
    HostOp op;              /* STUB_MEM: the instruction to redo on the buffer */
    int x87_ptrs;           /* the x87 pointers to store first (gen_x87_flush) */
    uint32_t x87_eip, x87_fop;
    int x87_fds_seg;
    uint8_t *jump_field2;   /* STUB_GROUP: a second jump to it, or NULL */
    uint8_t *site[2];       /* STUB_MEM through a view: the host accesses (fault sites) */
    int save_flags;         /* ... the guest's flags were dirty in the host's: save first */
    int folded;             /* ... its address was [fold_base + fold_index << */
    int fold_base;          /* fold_scale + fold_disp], not ESI: the slow */
    int fold_index, fold_scale; /* path computes ESI first (base, index -1: */
    int32_t fold_disp;      /*     none) */
    int load_flags;         /* ... the code after it expects them in the host's */
    int group_len, group_acc, group_write;  /* STUB_GROUP: tlb_group_host's arguments */
    uint32_t target;        /* STUB_SIDE: the jump's target, */
    int fl;                 /* ... and where the flags were at the jump */
    int32_t sp_pending;     /* Ctx.sp_pending where the slow path leaves the fast one */
} Stub;

/* A page group (docs/memory.md): memory operands of several instructions
 * at [base + index*scale + disp] with the same base and index registers,
 * unchanged in between, whose displacements lie in [lo, hi).  One check
 * at the first of them finds the page in the TLB and keeps its host
 * address in CPU.grp_host[slot]; the others use it without a lookup. */
#define GROUP_INSNS 48         /* the longest look ahead */

typedef struct Group {
    int base, index, scale;     /* guest registers (-1: none; scale 0 without index) */
    int32_t lo, hi;             /* the offsets it covers */
    int write;                  /* checked for writing too */
    int n;                      /* the instructions it covers, from the check on: */
    uint32_t eip[GROUP_INSNS];  /* ... their EIPs */
    int32_t adj[GROUP_INSNS];   /* ... how far ESP moved before each (stack groups) */
    int members;                /* operands the look ahead found */
    int live;
} Group;

#define GROUP_SLOTS 4
#define GROUP_SPAN 2048         /* the widest range of displacements in one */

#define MAX_STUBS 256

typedef struct Ctx {
    CPU *cpu;
    TB *tb;
    uint32_t cs_base;
    uint32_t flags;         /* hflags */
    int code32;
    int ss32;
    Insn in;
    int fl;                 /* where the guest flags are, FL_* */
    int32_t sp_pending;     /* guest ESP = R12 + sp_pending (gen_sp_defer) */
    int ended;              /* the TB's exits have been emitted */
    int shadow;             /* MOV/POP SS: end the TB after the next insn */
    int in_shadow;          /* this insn is in that shadow: the TB ends after it */
    uint32_t edge_from;     /* EIP of the instruction whose jump is being emitted */
    int runs_on;            /* a JMP forward: translation goes on at run_on_eip (gen_jmp) */
    uint8_t *ea_const_end;  /* where gen_ea's `mov esi, ea_const` ended (ESI still holds it there) */
    uint32_t ea_const;
    uint32_t run_on_eip;
    int end_dynamic;        /* end the TB after this insn, look the next one up by flags */
    int eip_in_val;         /* the next EIP is in T_VAL (CPU.eip not yet stored) */
    int ea16;               /* the offset in ESI is a 16-bit value */
    int fetch_fault;        /* fetching the instruction failed */
    int insns;              /* instructions translated so far */
    int x87_ptrs;           /* the FIP, FOP and FCS of x87_eip, x87_fop are still to store */
    uint32_t x87_eip, x87_fop;
    int x87_fds_seg;        /* ... and FDS, this segment's selector (S_NONE: none) */
    int nthunks;            /* get-PC thunks inlined (thunk_at): where, and their bytes */
    uint32_t thunk_lin[TB_THUNKS];
    uint8_t thunk_bytes[TB_THUNKS][THUNK_LEN];
    Stub stubs[MAX_STUBS];
    int nstubs;
    uint16_t fault_sites[MAX_STUBS * 2][2];  /* the TB's fault_sites, as gen_stubs finds them */
    int nfault_sites;
    Group groups[GROUP_SLOTS];
    int group_next;             /* the slot the next group takes */
    int group_in_reg;           /* the slot whose grp_host R10 holds too, or -1 */
    int peeking;                /* decode for a look ahead: no new pages, no src */
    int no_groups;              /* this pc's groups kept failing (tb_group_failed) */
    int side_exit;              /* the next exit for a conditional jump's taken way (gen_jcc) */
    /* code fetch */
    uint32_t page_base[2];  /* linear page addresses */
    uint8_t *page_host[2];
    uint32_t page_phys[2];
    int npages;
    uint8_t src[TB_SRC_MAX];  /* the guest bytes as fetched, by offset from the TB's pc */
    /* -d out_asm: where each guest instruction's host code starts */
    struct { uint8_t *host; uint32_t eip; uint8_t bytes[16]; int len; } out_log[TB_MAX_INSNS];
    int n_out_log;
    uint8_t *stubs_start;     /* the slow paths and exits, after the main code */
} Ctx;

/* Where the guest's arithmetic flags are. */
enum {
    FL_MEM,     /* in CPU.cc only; host EFLAGS is garbage */
    FL_HOST,    /* in host EFLAGS and CPU.cc alike */
    FL_DIRTY,   /* in host EFLAGS; CPU.cc is stale */
};

/* ---- Flags bookkeeping ------------------------------------------------------ */

/* Write dirty host flags back to CPU.cc without PUSHF (slow on many
 * CPUs): SETO stores OF in byte 0, LAHF gives the rest for byte 1.  AH is
 * the guest's, so RAX is kept in R11 meanwhile.
 *   seto [rbp+cc]; mov r11, rax; lahf; mov [rbp+cc+1], ah; mov rax, r11 */
static void emit_flags_save(void)
{
    emit_op(1, OPC_0F(0x90), EXT(0), gcpu(CPU_OFF(cc)));
    emit_op(8, 0x8b, T_SCR, oreg(RAX));
    emit8(0x9f);
    emit_op(1, 0x88, 4 | HIGH8, gcpu(CPU_OFF(cc) + 1));
    emit_op(8, 0x8b, RAX, oreg(T_SCR));
}

static void flags_sync(Ctx *s)
{
    if (s->fl != FL_DIRTY)
        return;
    emit_flags_save();
    s->fl = FL_HOST;
}

/* About to emit code that changes host EFLAGS. */
static void flags_clobber(Ctx *s)
{
    flags_sync(s);
    s->fl = FL_MEM;
}

/* Load the guest flags from CPU.cc into host EFLAGS without POPF (which
 * is microcoded and slow): ADD AL, 0x7F overflows exactly when the saved
 * OF byte is 1; SAHF then loads SF ZF AF PF CF and leaves OF alone.  The
 * two bytes are read apart, as they were written: one 16-bit load of two
 * byte stores would miss store-to-load forwarding and stall.
 *   mov r11, rax; mov al, [rbp+cc]; mov ah, [rbp+cc+1]; add al, 0x7f;
 *   sahf; mov rax, r11                                                 */
static void emit_flags_load(void)
{
    emit_op(8, 0x8b, T_SCR, oreg(RAX));
    emit_op(1, 0x8a, RAX, gcpu(CPU_OFF(cc)));
    emit_op(1, 0x8a, 4 | HIGH8, gcpu(CPU_OFF(cc) + 1));
    emit8(0x04); emit8(0x7f);
    emit8(0x9e);
    emit_op(8, 0x8b, RAX, oreg(T_SCR));
}

/* Make host EFLAGS hold the guest flags. */
static void flags_need(Ctx *s)
{
    if (s->fl != FL_MEM)
        return;
    emit_flags_load();
    s->fl = FL_HOST;
}

/* What an instruction reads of the flags (HostOp.reads_flags). */
enum { READS_NONE, READS_ALL, READS_CF };

/* CF only (bit 0 of the LAHF byte), for ADC SBB INC DEC, which read CF
 * and then write every other flag themselves.  The byte is loaded alone,
 * as emit_flags_save stored it: a `bt dword [rbp+cc], 8` spans both saved
 * bytes, misses store-to-load forwarding and stalls, which made a
 * two-instruction loop tail (DEC [ESP+n]; JNE) 15% of gzip's time.
 *   movzx r11d, byte [rbp+cc+1]; bt r11d, 0                           */
static void emit_cf_load(void)
{
    emit_load(T_SCR, gcpu(CPU_OFF(cc) + 1), 1);
    emit_op(4, OPC_0F(0xba), EXT(4), oreg(T_SCR));
    emit8(0);
}

static void flags_need_for(Ctx *s, int reads)
{
    if (reads == READS_CF && s->fl == FL_MEM) {
        emit_cf_load();
        s->fl = FL_HOST;    /* the op that follows writes the rest */
    } else if (reads) {
        flags_need(s);
    }
}

/* ---- Host operations on a guest operand ------------------------------------ */

static HostOp hostop(int size, int opc, int reg)
{
    HostOp op;
    memset(&op, 0, sizeof(op));
    op.size = size;
    op.opc = opc;
    op.reg = reg;
    op.msize = size;
    return op;
}

static void emit_hostop_raw(const HostOp *op, Opnd rm)
{
    if (op->peek)
        emit_op(4, OPC_0F(0xb6), T_CMP, rm);
    if (op->lock)
        emit8(0xf0);
    emit_op(op->size, op->opc, op->reg, rm);
    emit_imm(op->imm, op->imm_size);
}

/* Emit op with its flags bookkeeping.  An op that writes every flag
 * without reading any makes the old flags dead, even dirty ones. */
static void gen_hostop(Ctx *s, const HostOp *op, Opnd rm)
{
    flags_need_for(s, op->reads_flags);
    emit_hostop_raw(op, rm);
    if (op->writes_flags)
        s->fl = FL_DIRTY;
}

/* ---- Stubs and exits -------------------------------------------------------- */

static Stub *add_stub(Ctx *s, int kind)
{
    if (s->nstubs == MAX_STUBS) {
        fprintf(stderr, "vm: internal error: too many slow paths in one block\n");
        abort();
    }
    Stub *st = &s->stubs[s->nstubs++];
    memset(st, 0, sizeof(*st));
    st->kind = kind;
    st->fold_base = -1;
    st->fold_index = -1;
    st->eip = s->in.eip;
    st->x87_ptrs = s->x87_ptrs;             /* it may fault or leave the TB */
    st->x87_eip = s->x87_eip;
    st->x87_fop = s->x87_fop;
    st->x87_fds_seg = s->x87_fds_seg;
    st->sp_pending = s->sp_pending;
    return st;
}

/* The instruction pointer, opcode and CS of the TB's last non-control x87
 * instruction, and the selector of its last memory operand, go to the CPU
 * lazily: in straight-line code only the last ones can be seen, and only
 * where the guest may look -- in a helper, an exception, or after the TB.
 * So they are stored on every way out of the TB's code (its exits, helper
 * calls and slow paths).  (The operand's offset cannot wait: gen_x87_mem.)
 *   mov dword [rbp+fpu_fip], eip; mov word [rbp+fpu_fop], fop
 * In protected mode the selectors are left as "CS's, segment n's" and
 * taken by C code before one changes (fpu_resolve_sels): every selector
 * load is a helper there, and a block exit after x87 code is on the hot
 * path of float loops that span blocks.
 *   mov byte [rbp+fpu_sel_lazy], 1     (FDS stays as it was), or
 *   mov word [rbp+fpu_sel_lazy], 1 | (seg + 1) << 8
 * Real mode and virtual-8086 mode load selectors inline: the copies.
 *   movzx r8d, word [rbp+cs.sel]; mov [rbp+fpu_fcs], r8w
 *   movzx r8d, word [rbp+seg.sel]; mov [rbp+fpu_fds], r8w              */
static void gen_x87_fds_store(int seg)
{
    if (seg == S_NONE)
        return;
    emit_load(T_CMP, gseg_sel(seg), 2);
    emit_mov(2, gcpu(CPU_OFF(fpu_fds)), T_CMP);
}

static void gen_x87_ptrs_store(const Ctx *s, int pending, uint32_t eip, uint32_t fop,
                               int fds_seg)
{
    if (!pending)
        return;
    emit_store_imm(gcpu(CPU_OFF(fpu_fip)), eip, 4);
    emit_store_imm(gcpu(CPU_OFF(fpu_fop)), fop, 2);
    if ((s->flags & HF_PE) && !(s->flags & HF_VM)) {
        if (fds_seg == S_NONE)
            emit_store_imm(gcpu(CPU_OFF(fpu_sel_lazy)), 1, 1);
        else
            emit_store_imm(gcpu(CPU_OFF(fpu_sel_lazy)), 1 | (uint32_t)(fds_seg + 1) << 8, 2);
        return;
    }
    emit_load(T_CMP, gseg_sel(S_CS), 2);
    emit_mov(2, gcpu(CPU_OFF(fpu_fcs)), T_CMP);
    gen_x87_fds_store(fds_seg);
}

static void gen_x87_flush(Ctx *s)
{
    gen_x87_ptrs_store(s, s->x87_ptrs, s->x87_eip, s->x87_fop, s->x87_fds_seg);
}

/* Store the current instruction's EIP where helpers and faults expect it. */
static void gen_set_eip(uint32_t eip)
{
    emit_store_imm(gcpu(CPU_OFF(eip)), eip, 4);
}

/* Tell the self-modifying-code check where it is (CPU.cur_ret, for
 * tb_running): done only on the way to code that may write guest memory
 * out of line.  lea r8, [rip]; mov [rbp+cur_ret], r8 */
static void gen_set_cur_ret(void)
{
    emit8(0x4c); emit8(0x8d); emit8(0x05); emit32(0);
    emit_mov(8, gcpu(CPU_OFF(cur_ret)), T_CMP);
}

static void gen_sp_sync(Ctx *s);

/* Prepare a helper call: guest flags to CPU.cc, EIP and the TB to CPU,
 * guest registers to CPU.regs.  Arguments go in RSI RDX RCX R8 after this
 * (the host registers still hold the guest values until overwritten). */
static void gen_helper_prep(Ctx *s)
{
    gen_sp_sync(s);
    flags_clobber(s);
    gen_x87_flush(s);
    gen_set_eip(s->in.eip);
    gen_set_cur_ret();
    emit_spill();
    emit_mov(8, gcpu(CPU_OFF(tmp) + 8), T_VAL2);    /* R10 is caller-saved */
}

/* Call helper fn(cpu, ...) and reload the guest registers it may have
 * changed; a return value is left in T_VAL, and T_VAL2 survives. */
static void gen_helper_call(Ctx *s, void *fn)
{
    emit_op(8, 0x8b, RDI, oreg(RBP));           /* mov rdi, rbp */
    emit_call(fn);
    emit_op(8, 0x8b, T_VAL, oreg(RAX));         /* mov r9, rax */
    emit_reload();
    emit_load(T_VAL2, gcpu(CPU_OFF(tmp) + 8), 8);
    s->fl = FL_MEM;
}

/* Return to cpu_exec with value (0: look the next TB up, no chaining). */
static void gen_exit_value(uintptr_t value)
{
    if (value)
        emit_mov_ri64(T_CMP, value);
    else
        emit_op(4, 0x31, T_CMP, oreg(T_CMP));   /* xor r8d, r8d */
    emit_jmp(tb_epilogue);
}

/* Leave the TB to the dispatcher; CPU.eip must already be right. */
static void gen_exit_dispatch(Ctx *s)
{
    flags_sync(s);
    gen_x87_flush(s);
    gen_exit_value(0);
    s->ended = 1;
}

static void gen_jmp_indirect_cs(Ctx *s, int far_cs);
static void gen_jmp_const(Ctx *s, uint32_t eip);

/* Leave for cpu_exec, at eip, when another thread asked (exit_request:
 * an interrupt, run_on_cpu work, a stop).  Translated code looks on the
 * way into a block where it could come round again: before a jump back
 * (to this instruction or one before it on the page), before every
 * jump whose target is looked up (indirect, RET, another page; in flat
 * code inside the lookup, gen_lookup_sig), and after an interrupt shadow (MOV SS: an interrupt held back goes in
 * there; STI returns to cpu_exec itself).  Every
 * loop passes one of them, and a run of forward jumps ends within the
 * page.  Jumps forward, mostly out of conditionals, skip it.  Host flags
 * are clobbered: the guest's are in the CPU or dead by then.
 *   cmp dword [rbp+exit_request], 0; jne (exit stub: EIP = eip)       */
static void gen_exit_check(Ctx *s, uint32_t eip)
{
    emit_alu_imm(7, omem(RBP, CPU_OFF(exit_request)), 0, 4);
    Stub *st = add_stub(s, STUB_EXIT);
    st->eip = eip;
    st->jump_field = emit_jcc(CC_NE, NULL);
}

/* gen_exit_check before a lookup, the target's EIP in R9:
 *   cmp dword [rbp+exit_request], 0; jne tb_exit_r9                   */
static void gen_exit_check_val(void)
{
    emit_alu_imm(7, omem(RBP, CPU_OFF(exit_request)), 0, 4);
    patch_rel32(emit_jcc(CC_NE, NULL), tb_exit_r9);
}

static int flags_dead_at_jump(Ctx *s, uint32_t eip);

/* Direct jump to guest eip through chainable exit n: a patchable jmp
 * (initially to the next instruction), then set EIP and return tb|n.
 * Chained only when the target is on this TB's first page, as the
 * physical page behind another virtual page may change without notice. */
static void gen_goto_tb(Ctx *s, int n, uint32_t eip)
{
    uint32_t target = s->cs_base + eip;
    gen_sp_sync(s);
    if (flags_dead_at_jump(s, eip))
        s->fl = FL_MEM;
    flags_sync(s);
    gen_x87_flush(s);
    if ((target & PAGE_MASK) == (s->tb->pc & PAGE_MASK) && !(s->flags & (HF_SINGLE | HF_TF)) &&
        !tb_nochain) {
        if (eip <= s->edge_from || s->in_shadow)
            gen_exit_check(s, eip);
        emit_nop_align_rel32();
        uint8_t *field = emit_jmp(NULL);
        patch_rel32(field, p);
        s->tb->jmp_offset[n] = (uint32_t)(field - s->tb->tc);
        gen_set_eip(eip);
        emit_mov_ri64(T_CMP, (uintptr_t)s->tb | (uintptr_t)n);
        emit_jmp(tb_jc_exit);
    } else {
        /* another page: look the target up each time (its mapping may
         * change), but inline, without leaving translated code */
        gen_jmp_const(s, eip);
    }
}

/* RDI = the TB in jump-cache slot `way` of the pair of the linear PC in
 * ESI, and a jump taken when its PC is not that one (returns the jump's
 * rel32 field).  An empty slot holds jc_empty, whose flags match nothing:
 * no NULL test.
 *   movzx edi, si                                      (jc_hash)
 *   (xor edi, 1)                                       (way 1)
 *   mov rdi, [rbp + rdi*8 + jc]; cmp esi, [rdi+pc]; jne miss           */
static uint8_t *emit_jc_slot(int way)
{
    emit_op(4, OPC_0F(0xb7), RDI, oreg(RSI));
    if (way)
        emit_alu_imm(6, oreg(RDI), 1, 4);
    emit8(0x48); emit8(0x8b); emit8(0xbc); emit8(0xfd); emit32((uint32_t)CPU_OFF(jc));
    emit_op(4, 0x3b, RSI, omem(RDI, offsetof(TB, pc)));
    return emit_jcc(CC_NE, NULL);
}

/* Jump to the guest EIP already in CPU.eip: look the target up in the
 * per-CPU jump cache inline, and jump straight to its code on a hit; a
 * miss goes on to the pair's other slot (tb_jc_second), then cpu_exec.
 * After a near jump CS and the mode are this TB's, so they are compared
 * as constants; after a far transfer (far_cs) they are loaded from the CPU.
 * Uses RSI (pc), RDI (the cache slot, then the TB) and R8. */
/* What an inline lookup compares with a TB's cs_base and flags, side by
 * side, after a near jump: this TB's CS base and mode. */
static uint64_t jc_key(const Ctx *s)
{
    return (uint64_t)(s->flags & ~HF_NOGROUP) << 32 | s->cs_base;
}

/* The end of an inline lookup, RDI the slot's TB, its PC compared (the
 * jne at pc_miss): the CS base and mode in R8 too, then into the TB; a
 * miss tries the pair's other slot.
 *   cmp r8, [rdi+cs_base]; jne tb_jc_second; jmp [rdi+tc] (needs no CPU.eip) */
static void emit_jc_enter(uint8_t *pc_miss)
{
    patch_rel32(pc_miss, tb_jc_second);
    emit_op(8, 0x3b, T_CMP, omem(RDI, offsetof(TB, cs_base)));
    patch_rel32(emit_jcc(CC_NE, NULL), tb_jc_second);
    emit_op(4, 0xff, EXT(4), omem(RDI, offsetof(TB, tc)));
}

static unsigned jc_hash(uint32_t pc);

/* Flat 32-bit code (CS base 0) looks a target up by its signature: a
 * TB's PC and flags as one 64-bit value (TB.sig), which one CMP checks,
 * with exit_request ORed in as bit 63 so that no TB matches when another
 * thread wants this vCPU out: the check before the lookup comes free.
 * A miss goes on to the pair's other slot (tb_miss_sig). */
static int jc_sig_ok(const Ctx *s)
{
    return s->cs_base == 0 && s->code32;
}

/* R8 = the signature (PC in R9, or pc) | exit_request << 63, RDI = the
 * TB in its slot; then in, or to tb_miss_sig.
 *   mov r8, flags << 32 (| pc); or r8, [rbp+exit_zero]  (exit_request: bit 63)
 *   (or r8, r9; movzx edi, r9w; mov rdi, [rbp + rdi*8 + jc])
 *   (const: mov rdi, [rbp + jc + slot*8])
 *   cmp r8, [rdi+sig]; jne tb_miss_sig; jmp [rdi+tc]                     */
static void gen_lookup_sig(const Ctx *s, int const_pc, uint32_t pc)
{
    emit_mov_ri64(T_CMP, jc_key(s) | (const_pc ? pc : 0));
    emit_op(8, 0x0b, T_CMP, gcpu(CPU_OFF(exit_zero)));
    if (const_pc) {
        emit_load(RDI, gcpu(CPU_OFF(jc) + (int32_t)(jc_hash(pc) * sizeof(TB *))), 8);
    } else {
        emit_op(8, 0x0b, T_CMP, oreg(T_VAL));
        emit_op(4, OPC_0F(0xb7), RDI, oreg(T_VAL));
        emit8(0x48); emit8(0x8b); emit8(0xbc); emit8(0xfd); emit32((uint32_t)CPU_OFF(jc));
    }
    emit_op(8, 0x3b, T_CMP, omem(RDI, offsetof(TB, sig)));
    patch_rel32(emit_jcc(CC_NE, NULL), tb_miss_sig);
    emit_op(4, 0xff, EXT(4), omem(RDI, offsetof(TB, tc)));
}

static void gen_jmp_indirect_cs(Ctx *s, int far_cs)
{
    gen_sp_sync(s);
    flags_sync(s);
    gen_x87_flush(s);
    if ((s->flags & (HF_SINGLE | HF_TF)) || tb_nochain) {
        gen_exit_value(0);
        s->ended = 1;
        return;
    }
    if (!s->eip_in_val)
        emit_load(T_VAL, gcpu(CPU_OFF(eip)), 4);
    s->eip_in_val = 0;
    if (!far_cs && jc_sig_ok(s)) {
        gen_lookup_sig(s, 0, 0);
        s->ended = 1;
        return;
    }
    gen_exit_check_val();
    emit_op(4, 0x8b, RSI, oreg(T_VAL));                    /* esi = pc */
    if (far_cs)
        emit_op(4, 0x03, RSI, gseg_base(S_CS));
    else if (s->cs_base)
        emit_alu_imm(0, oreg(RSI), s->cs_base, 4);
    /* cs_base and flags side by side: one 64-bit compare */
    if (far_cs) {
        emit_load(T_CMP, gcpu(CPU_OFF(hflags)), 4);
        emit_op(8, 0xc1, EXT(4), oreg(T_CMP)); emit8(32);  /* shl r8, 32 */
        emit_op(4, 0x8b, RDI, gseg_base(S_CS));
        emit_op(8, 0x0b, T_CMP, oreg(RDI));                /* or r8, rdi */
    } else {
        emit_mov_ri64(T_CMP, jc_key(s));
    }
    emit_jc_enter(emit_jc_slot(0));
    s->ended = 1;
}

/* A direct jump to eip on another page (flags and ESP synced): the
 * inline lookup of gen_jmp_indirect_cs, where the target, and so its
 * jump-cache slot, are known now.
 *   mov r9d, eip; mov esi, pc; mov r8, cs_base|flags
 *   mov rdi, [rbp + jc + jc_hash(pc)*8]
 *   cmp esi, [rdi+pc]; jne tb_jc_second; cmp r8, [rdi+cs_base]; jne tb_jc_second
 *   jmp [rdi+tc]                                                        */
static void gen_jmp_const(Ctx *s, uint32_t eip)
{
    uint32_t pc = s->cs_base + eip;
    if ((s->flags & (HF_SINGLE | HF_TF)) || tb_nochain) {
        gen_set_eip(eip);
        gen_exit_value(0);
        s->ended = 1;
        return;
    }
    if (jc_sig_ok(s)) {
        gen_lookup_sig(s, 1, pc);
        s->ended = 1;
        return;
    }
    emit_mov_ri(T_VAL, eip);
    gen_exit_check_val();
    emit_mov_ri(RSI, pc);
    emit_mov_ri64(T_CMP, jc_key(s));
    emit_load(RDI, gcpu(CPU_OFF(jc) + (int32_t)(jc_hash(pc) * sizeof(TB *))), 8);
    emit_op(4, 0x3b, RSI, omem(RDI, offsetof(TB, pc)));
    emit_jc_enter(emit_jcc(CC_NE, NULL));
    s->ended = 1;
}

static void gen_jmp_indirect(Ctx *s)
{
    gen_jmp_indirect_cs(s, 0);
}

/* After a helper that changed CS:EIP (far JMP/CALL/RET, INT, IRET). */
static void gen_jmp_far(Ctx *s)
{
    s->x87_ptrs = 0;        /* the helper's gen_helper_prep stored them, with the old CS */
    gen_jmp_indirect_cs(s, 1);
}

/* Raise exception `vector` (error code 0 if it has one) at the current
 * instruction; ends the TB. */
static void gen_exception(Ctx *s, int vector)
{
    gen_helper_prep(s);
    emit_mov_ri(RSI, vector);
    emit_op(4, 0x31, RDX, oreg(RDX));
    gen_helper_call(s, (void *)helper_raise_err);
    s->ended = 1;
}

/* A memory slow path: bring the operand into CPU.rmw_buf (tlb.c checks the
 * access, runs the self-modifying-code check and reads it unless it is a
 * pure write), run the same host instruction on the buffer, and for a
 * write hand the buffer back to tlb.c.  ESI holds the linear address.
 * The C calls are in shared code (gen_tb_slow_paths), which also saves the
 * guest's flags first if they were dirty in the host's, and loads them
 * at the end if the op or the code after it wants them there:
 *   mov edi, size | mode << 8; call tb_slow_begin[save | load << 1]
 *   (FDP) op [rsi]; call tb_slow_end (writes)                          */
static void gen_stub_mem(Stub *st)
{
    /* LOCK and XCHG must stay atomic: tlb.c hands back the guest RAM
     * itself when it can (the host's LOCK then does it), else it stops the
     * other vCPUs around the buffered access */
    int locked = st->op.lock || st->op.opc == 0x86 || st->op.opc == 0x87;
    int mode = st->mode | (locked && st->mode == MEM_RMW ? MEM_ACCESS_LOCKED : 0);
    /* the op does not write the flags where load_flags is set, so they
     * may come before it (and tb_slow_end keeps them) */
    int load = st->load_flags || st->op.reads_flags;
    emit_mov_ri(RDI, (uint32_t)(st->op.msize | mode << 8));
    emit_call_rel(tb_slow_begin[st->save_flags | load << 1]);
    if (st->op.fdp) {                           /* it did not fault: FDP */
        emit_load(T_CMP, gcpu(CPU_OFF(rmw_addr)), 4);
        emit_mov(4, gcpu(CPU_OFF(fpu_fdp)), T_CMP);
    }
    emit_hostop_raw(&st->op, omem(RSI, 0));
    if (st->mode != MEM_READ)
        emit_call_rel(tb_slow_end);
}

/* A page group's check missed (gen_group_check): ask tlb_group_host, ESI
 * being the group's lowest address.  Back to the check with the host
 * address in RSI, or out to cpu_exec, which runs this instruction again
 * in a block without groups. */
static void gen_stub_group(const Stub *st)
{
    gen_set_cur_ret();                          /* tb_group_failed */
    emit_spill();
    emit_spill_temps();
    emit_op(8, 0x8b, RDI, oreg(RBP));
    emit_mov_ri(RDX, (uint32_t)st->group_len);
    emit_mov_ri(RCX, (uint32_t)st->group_acc);
    emit_mov_ri(R8, (uint32_t)st->group_write);
    emit_call((void *)tlb_group_host);
    emit_op(8, 0x8b, RSI, oreg(RAX));
    emit_reload();
    emit_reload_temps();
    emit_op(8, 0x85, RSI, oreg(RSI));           /* test rsi, rsi */
    uint8_t *fail = emit_jcc(CC_E, NULL);
    emit_jmp(st->resume);
    patch_rel32(fail, p);
    gen_exit_value(0);
}

static void gen_goto_tb(Ctx *s, int n, uint32_t eip);

/* A Jcc's taken way, out of line: the exit as gen_goto_tb makes it, from
 * the state the code was in at the jump. */
static void gen_stub_side_exit(Ctx *s, const Stub *st)
{
    s->fl = st->fl;
    s->in_shadow = 0;
    s->x87_ptrs = st->x87_ptrs;
    s->x87_eip = st->x87_eip;
    s->x87_fop = st->x87_fop;
    s->x87_fds_seg = st->x87_fds_seg;
    s->sp_pending = st->sp_pending;
    s->edge_from = st->eip;
    gen_goto_tb(s, st->vector, st->target);
}

/* A host access at `site` through a view goes on at p, the slow path
 * being emitted, when it faults (tcg_fault_resume). */
static void add_fault_site(Ctx *s, const uint8_t *site)
{
    uint16_t *e = s->fault_sites[s->nfault_sites++];
    e[0] = (uint16_t)(site - s->tb->tc);
    e[1] = (uint16_t)(p - s->tb->tc);
}

static void emit_lea_sib(int size, int dst, int base, int index, int scale, int32_t disp);

/* Emit the deferred slow paths. */
static void gen_stubs(Ctx *s)
{
    for (int i = 0; i < s->nstubs; i++) {
        Stub *st = &s->stubs[i];
        if (st->jump_field)
            patch_rel32(st->jump_field, p);
        if (st->kind == STUB_SIDE) {
            gen_stub_side_exit(s, st);
            continue;
        }
        if (st->jump_field2)
            patch_rel32(st->jump_field2, p);
        for (int k = 0; k < 2 && st->site[k]; k++)
            add_fault_site(s, st->site[k]);
        if (st->folded)                         /* ... whose address was not in ESI */
            emit_lea_sib(4, RSI, st->fold_base, st->fold_index, st->fold_scale, st->fold_disp);
        if (st->sp_pending)                     /* the guest's ESP, for the CPU state */
            emit_lea(4, R12, R12, st->sp_pending);
        gen_set_eip(st->eip);
        gen_x87_ptrs_store(s, st->x87_ptrs, st->x87_eip, st->x87_fop, st->x87_fds_seg);
        if (st->kind == STUB_EXIT) {            /* exit_request, or REP stopped early */
            gen_exit_value(0);
            continue;
        }
        if (st->kind == STUB_FPU_CW) {          /* the mask bits changed: HF_FPU_UNMASKED */
            emit_store_imm(gcpu(CPU_OFF(fpu_unmasked)), (uint32_t)st->vector, 4);
            if (!st->vector)                    /* all masked: no FERR#, so no IGNNE# */
                emit_store_imm(gcpu(CPU_OFF(fpu_ignne)), 0, 4);
            emit_alu_imm(6, gcpu(CPU_OFF(hflags)), HF_FPU_UNMASKED, 4);  /* xor */
            gen_exit_value(0);
            continue;
        }
        if (st->kind == STUB_FAULT || st->kind == STUB_FPU) {
            emit_spill();
            emit_op(8, 0x8b, RDI, oreg(RBP));
            if (st->kind == STUB_FPU) {
                emit_call((void *)helper_fpu_pending);  /* does not return */
                continue;
            }
            emit_mov_ri(RSI, st->vector);
            emit_op(4, 0x31, RDX, oreg(RDX));
            emit_call((void *)helper_raise_err);    /* does not return */
            continue;
        }
        if (st->kind == STUB_GROUP) {
            gen_stub_group(st);
            continue;
        }
        gen_stub_mem(st);
        if (st->sp_pending)                     /* as the fast path has it */
            emit_lea(4, R12, R12, -st->sp_pending);
        emit_jmp(st->resume);
    }
}

/* ---- Memory operands ----------------------------------------------------------- */

/* The segment a memory operand uses. */
static int insn_seg(const Insn *in)
{
    if (in->seg != S_NONE)
        return in->seg;
    return in->default_ss ? S_SS : S_DS;
}

/* lea size dst, [base + index << scale + disp]; base or index may be -1. */
static void emit_lea_sib(int size, int dst, int base, int index, int scale, int32_t disp)
{
    if (index < 0) {
        if (base < 0)
            emit_mov_ri(dst, (uint32_t)disp);
        else
            emit_lea(size, dst, base, disp);
        return;
    }
    int rex = (dst >= 8 ? 4 : 0) | (index >= 8 ? 2 : 0) | (base >= 8 ? 1 : 0);
    if (size == 2)
        emit8(0x66);
    if (rex)
        emit8(0x40 | rex);
    emit8(0x8d);
    int mod, b;
    if (base < 0) {
        mod = 0;
        b = 5;                              /* no base: disp32 */
    } else {
        b = base & 7;
        mod = (disp == 0 && b != RBP) ? 0 : (disp >= -128 && disp <= 127) ? 1 : 2;
    }
    emit8((mod << 6) | ((dst & 7) << 3) | 4);
    emit8((scale << 6) | ((index & 7) << 3) | b);
    if (base < 0 || mod == 2)
        emit32((uint32_t)disp);
    else if (mod == 1)
        emit8(disp);
}

/* What a memory operand of the instruction adds to its displacement:
 * ESP's pending update (gen_sp_defer). */
static int32_t sp_disp(const Ctx *s, const Insn *in)
{
    return in->base == R_ESP ? s->sp_pending : 0;
}

/* Compute the effective address (offset in the segment) of the ModRM
 * memory operand into ESI, plus `adjust` (used by POP [ESP+x]).  No flags
 * are touched: LEA does the arithmetic, MOVZX the 16-bit wrap. */
static void gen_ea(Ctx *s, const Insn *in, int32_t adjust)
{
    int32_t disp = in->disp + adjust + sp_disp(s, in);
    int base = in->base >= 0 ? host_reg[in->base] : -1;
    int index = in->index >= 0 ? host_reg[in->index] : -1;
    s->ea16 = !in->addr32;
    if (!in->addr32) {
        if (base < 0) {
            emit_mov_ri(RSI, (uint32_t)disp & 0xffff);
            return;
        }
        emit_lea_sib(4, RSI, base, index, 0, disp);
        emit_load(RSI, oreg(RSI), 2);               /* movzx esi, si */
        return;
    }
    emit_lea_sib(4, RSI, base, index, in->scale, disp);
    if (base < 0 && index < 0) {
        s->ea_const_end = p;
        s->ea_const = (uint32_t)disp;
    }
}

/* ESI holds an offset in segment `seg`: check the access [esi, esi+size)
 * against the segment limit (fault: #GP, or #SS for SS), then add the
 * base so ESI holds the linear address. */
/* Protected mode: the segment's type must allow the access (#GP(0)). */
static void gen_seg_type_check(Ctx *s, int seg, int is_write)
{
    if (!(s->flags & HF_PE) || (s->flags & HF_VM))
        return;
    if (seg == S_CS ? (is_write || (s->flags & HF_CS_XONLY)) : 0) {
        Stub *st = add_stub(s, STUB_FAULT);     /* never allowed: always fault */
        st->vector = EXC_GP;
        st->jump_field = emit_jmp(NULL);
        return;
    }
    if (seg != S_CS && is_write && (s->flags & HF_SEGRO)) {
        emit_op(1, 0xf6, EXT(0), omem(RBP, CPU_OFF(seg) + seg * (int)sizeof(SegCache) +
                                             (int)offsetof(SegCache, flags)));
        emit8(SEGF_WRITABLE);                   /* test byte [seg.flags], writable */
        Stub *st = add_stub(s, STUB_FAULT);
        st->vector = EXC_GP;
        st->jump_field = emit_jcc(CC_E, NULL);
    }
}

/* Base 0, limit 4 GiB: every 32-bit offset is fine, and is the linear
 * address. */
static int seg_is_flat(const Ctx *s, int seg)
{
    return (s->flags & HF_FLAT) && !s->ea16 && seg != S_FS && seg != S_GS && seg != S_CS;
}

/* Does gen_seg_check emit anything (and so clobber the host flags)? */
static int seg_check_needed(const Ctx *s, int seg, int is_write)
{
    if (!seg_is_flat(s, seg))
        return 1;
    if (!(s->flags & HF_PE) || (s->flags & HF_VM))
        return 0;
    return seg == S_CS ? is_write || (s->flags & HF_CS_XONLY) : is_write && (s->flags & HF_SEGRO);
}

/* %gs:disp under HF_GS4G, ESI = disp (gen_ea just set it): the limit is
 * checked now, and the base added with LEA, which keeps the flags, so
 * that the guest's need not be stored first.  Returns 0 if not that case.
 *   mov r8d, [rbp+gs.base]; lea esi, [rsi+r8]                          */
static int gen_seg_check_gs4g(Ctx *s, int seg, int size, int is_write)
{
    if (seg != S_GS || !(s->flags & HF_GS4G) || !mem_views || s->ea16 ||
        s->ea_const_end != p || (is_write && (s->flags & HF_SEGRO)))
        return 0;
    if ((uint64_t)s->ea_const + (uint64_t)size - 1 > 0xffffffffu) {
        flags_clobber(s);
        Stub *st = add_stub(s, STUB_FAULT);     /* past the limit: always #GP */
        st->vector = EXC_GP;
        st->jump_field = emit_jmp(NULL);
    }
    emit_load(T_CMP, gseg_base(seg), 4);
    emit_lea_sib(4, RSI, RSI, T_CMP, 0, 0);
    return 1;
}

static void gen_seg_check(Ctx *s, int seg, int size, int is_write)
{
    if (gen_seg_check_gs4g(s, seg, size, is_write))
        return;
    /* a view's access keeps the flags; the ordinary lookup clobbers them */
    if (!mem_views || seg_check_needed(s, seg, is_write))
        flags_clobber(s);
    Stub *st = NULL;
    gen_seg_type_check(s, seg, is_write);
    if (seg_is_flat(s, seg))
        return;
    if ((s->flags & HF_SEG64K) && s->ea16) {
        /* 16-bit offsets and 64 KiB limits: only a multi-byte access that
         * runs past 0xFFFF can fault */
        if (size > 1) {
            emit_alu_imm(7, oreg(RSI), 0x10000u - (uint32_t)size, 4);
            st = add_stub(s, STUB_FAULT);
        }
    } else {
        /* signed compare: a null segment's limit is -1, so any use faults */
        if (size > 1) {
            emit_lea(8, T_CMP, RSI, size - 1);      /* lea r8, [rsi+size-1] */
            emit_op(8, 0x3b, T_CMP, gseg_limit(seg));
        } else {
            emit_op(8, 0x3b, RSI, gseg_limit(seg)); /* cmp rsi, limit */
        }
        st = add_stub(s, STUB_FAULT);
        st->vector = seg == S_SS ? EXC_SS : EXC_GP;
        st->jump_field = emit_jcc(CC_G, NULL);
        if (s->flags & HF_EXPDOWN) {                /* expand-down: offset >= limit_lo */
            emit_op(8, 0x3b, RSI, omem(RBP, CPU_OFF(seg) + seg * (int)sizeof(SegCache) +
                                            (int)offsetof(SegCache, limit_lo)));
            Stub *lo = add_stub(s, STUB_FAULT);
            lo->vector = st->vector;
            lo->jump_field = emit_jcc(CC_L, NULL);
        }
        st = NULL;
    }
    if (st) {
        st->vector = seg == S_SS ? EXC_SS : EXC_GP;
        st->jump_field = emit_jcc(CC_A, NULL);
    }
    emit_op(4, 0x03, RSI, gseg_base(seg));          /* add esi, base */
}

/* The TLB slot of the page of ESI into RDI (as a byte offset).
 *   mov edi, esi; shr edi, 12-5; and edi, (TLB_SIZE-1) << 5             */
static void gen_tlb_slot(void)
{
    emit_op(4, 0x8b, RDI, oreg(RSI));
    emit_op(4, 0xc1, EXT(5), oreg(RDI));
    emit8(PAGE_BITS - TLB_ENTRY_BITS);
    emit_alu_imm(4, oreg(RDI), (TLB_SIZE - 1) << TLB_ENTRY_BITS, 4);
}

/* The slot (gen_tlb_slot), and the page of the access's last byte into
 * R8D, to compare with the slot's tag: an access that runs onto the next
 * page never matches.
 *   lea r8d, [rsi+size-1]; and r8d, PAGE_MASK                           */
static void gen_tlb_index(int size)
{
    gen_tlb_slot();
    if (size > 1)
        emit_lea(4, T_CMP, RSI, size - 1);
    else
        emit_op(4, 0x8b, T_CMP, oreg(RSI));
    emit_alu_imm(4, oreg(T_CMP), PAGE_MASK, 4);
}

static int32_t tlb_field(int mmu, size_t field)
{
    return CPU_OFF(tlb) + mmu * TLB_SIZE * (int)sizeof(TLBEntry) + (int)field;
}

/* The tag a data access compares: tag_write or tag_read. */
static int32_t tlb_tag_field(int mmu, int is_write)
{
    return tlb_field(mmu, is_write ? offsetof(TLBEntry, tag_write) : offsetof(TLBEntry, tag_read));
}

/* cmp r8d, [rbp + rdi + tag]; jne slow.  Returns the jump's rel32 field. */
static uint8_t *gen_tlb_tag_check(int32_t tag)
{
    emit8(0x44); emit8(0x3b); emit8(0x84); emit8(0x3d); emit32((uint32_t)tag);
    return emit_jcc(CC_NE, NULL);
}

/* add rsi, [rbp + rdi + addend]: ESI's host address */
static void gen_tlb_add_addend(int mmu)
{
    emit8(0x48); emit8(0x03); emit8(0xb4); emit8(0x3d);
    emit32((uint32_t)tlb_field(mmu, offsetof(TLBEntry, addend)));
}

/* ESI holds a linear address: look it up in the TLB for an access of
 * `size` bytes (tag_read or tag_write); on a hit RSI becomes the host
 * address.  Returns the rel32 field of the jump to the slow path. */
static uint8_t *gen_tlb_lookup(int size, int is_write, int mmu, int fdp)
{
    gen_tlb_index(size);
    uint8_t *field = gen_tlb_tag_check(tlb_tag_field(mmu, is_write));
    if (fdp)                                    /* mov [rbp+fpu_fdp], esi */
        emit_mov(4, gcpu(CPU_OFF(fpu_fdp)), RSI);
    gen_tlb_add_addend(mmu);
    return field;
}

/* The TLB (MMU_*) of code translated with TB flags `flags`. */
static int mmu_of_flags(uint32_t flags)
{
    return (flags & HF_CPL_MASK) == 3 ? MMU_USER : MMU_SUPER;
}

static int mmu_index(const Ctx *s)
{
    return mmu_of_flags(s->flags);
}

/* The monitor's jit_count: one more memory operand, without touching the
 * flags (which may be the guest's):
 *   mov r11, [rbp+mem_ops]; lea r11, [r11+1]; mov [rbp+mem_ops], r11   */
static void gen_count_mem(void)
{
    if (!tb_count_mem)
        return;
    int32_t off = CPU_OFF(stats) + (int32_t)offsetof(CPUStats, mem_ops);
    emit_load(T_SCR, gcpu(off), 8);
    emit_lea(8, T_SCR, T_SCR, 1);
    emit_mov(8, gcpu(off), T_SCR);
}


/* op on gs:[rsi], ESI holding the linear address and the host's GS base
 * the view (view_enter): the host's MMU checks it.  A fault there resumes
 * at st (view.c), with the host flags as they were: st saves them first
 * if they are the guest's and dirty, and loads them again after, if the
 * code that follows expects them in the host's and op does not write
 * them. */
static void gen_view_op(Ctx *s, const HostOp *op, Stub *st)
{
    st->save_flags = s->fl == FL_DIRTY;
    flags_need_for(s, op->reads_flags);
    st->load_flags = s->fl != FL_MEM && !op->writes_flags;
    HostOp main = *op;
    Opnd m = !st->folded ? omem(RSI, 0)
             : omem_sib(st->fold_base, st->fold_index, st->fold_scale, st->fold_disp);
    int k = 0;
    if (op->peek) {                     /* its own host access: its own fault site */
        st->site[k++] = p;
        emit8(0x65);                    /* GS */
        emit_op(4, OPC_0F(0xb6), T_CMP, m);
        main.peek = 0;
    }
    st->site[k] = p;
    emit8(0x65);
    emit_hostop_raw(&main, m);
    if (op->writes_flags)
        s->fl = FL_DIRTY;
    if (op->fdp)                        /* it did not fault: FDP */
        emit_mov(4, gcpu(CPU_OFF(fpu_fdp)), RSI);
}

/* An operand at [base + index << scale + disp] (base and index guest
 * registers' host registers, index -1 for none) may go through the view
 * without its linear address in ESI first: flat segment, nothing to
 * check, 32-bit addresses.  With an index the host uses 32-bit addressing
 * (0x67, omem_sib), which wraps the sum at 4 GiB as the guest does before
 * GS adds the view: compiled loops run an index from -n up to 0.  Without
 * one, [base + disp] is a 64-bit sum that lies at most 2 GiB below or
 * above the view where the guest's wraps: it lands in a guard (view.c)
 * and faults, and the slow path computes the address in ESI (fold_base).
 * Not with a high byte register, which cannot meet R8..R15's REX. */
static int view_fold_ok(const Ctx *s, int seg, const HostOp *op, int mode, int base, int index)
{
    int high8 = !(op->reg & 0x40) && (op->reg & HIGH8);
    return mem_views && !(s->flags & HF_AC) && !op->fdp && !op->peek &&
           !(high8 && (base >= 8 || index >= 8)) && seg_is_flat(s, seg) &&
           !seg_check_needed(s, seg, mode != MEM_READ);
}

/* op on the operand at [base + index << scale + disp] through the view
 * (view_fold_ok). */
static void gen_view_op_at(Ctx *s, const HostOp *op, int mode, int base, int index, int scale,
                           int32_t disp)
{
    gen_count_mem();
    Stub *st = add_stub(s, STUB_MEM);
    st->mode = mode;
    st->op = *op;
    st->folded = 1;
    st->fold_base = base;
    st->fold_index = index;
    st->fold_scale = scale;
    st->fold_disp = disp;
    gen_view_op(s, op, st);
    st->resume = p;
}

/* Run op on the memory operand at seg:ESI: limit check, TLB lookup, the
 * op on [rsi], and a slow-path stub that redoes it on a bounce buffer.
 * With views, the op on gs:[rsi] instead of the lookup. */
static void gen_mem_op(Ctx *s, int seg, const HostOp *op, int mode)
{
    gen_count_mem();
    gen_seg_check(s, seg, op->msize, mode != MEM_READ);
    int align = op->align ? op->align : op->msize;
    if ((s->flags & HF_AC) && align > 1) {              /* #AC: test esi, align-1 */
        flags_clobber(s);
        emit_op(4, 0xf7, EXT(0), oreg(RSI));
        emit32((uint32_t)align - 1);
        Stub *ac = add_stub(s, STUB_FAULT);
        ac->vector = EXC_AC;
        ac->jump_field = emit_jcc(CC_NE, NULL);
    }
    Stub *st = add_stub(s, STUB_MEM);
    st->mode = mode;
    st->op = *op;
    if (mem_views) {
        gen_view_op(s, op, st);
        st->resume = p;
        return;
    }
    st->jump_field = gen_tlb_lookup(op->msize, mode != MEM_READ, mmu_index(s), op->fdp);
    gen_hostop(s, op, omem(RSI, 0));
    st->resume = p;
}

static void gen_modrm_mem_op(Ctx *s, const HostOp *op, int mode, int ea_done);

/* Run op on the ModRM r/m operand: a guest register, or memory. */
static void gen_rm_op(Ctx *s, const HostOp *op, int mode)
{
    if (s->in.mod == 3) {
        gen_hostop(s, op, greg(s->in.rm, op->msize));
        return;
    }
    gen_modrm_mem_op(s, op, mode, 0);
}

/* mov dst, size [operand]  (zero-extended) */
static HostOp load_op(int size, int dst)
{
    HostOp op = hostop(4, size == 1 ? OPC_0F(0xb6) : size == 2 ? OPC_0F(0xb7) : 0x8b, dst);
    op.msize = size;
    return op;
}

/* mov T_VAL, size [seg:esi]  (zero-extended) */
static void gen_load_val(Ctx *s, int seg, int size, int dst)
{
    HostOp op = load_op(size, dst);
    gen_mem_op(s, seg, &op, MEM_READ);
}

/* mov size [seg:esi], src */
static void gen_store_val(Ctx *s, int seg, int size, int src)
{
    HostOp op = hostop(size, size == 1 ? 0x88 : 0x89, src);
    gen_mem_op(s, seg, &op, MEM_WRITE);
}


/* The guest code byte at linear address lin (on a page already found). */
static int fetch_page_byte(Ctx *s, int i, uint32_t lin)
{
    int b = s->page_host[i] ? s->page_host[i][lin & ~PAGE_MASK] : 0xff;
    uint32_t off = lin - s->tb->pc;
    if (off < TB_SRC_MAX && !s->peeking)
        s->src[off] = (uint8_t)b;
    return b;
}

/* Fetch the guest code byte at CS offset eip, or set fetch_fault. */
static int fetch_byte(Ctx *s, uint32_t eip)
{
    if ((int64_t)eip > s->cpu->seg[S_CS].limit) {
        if (s->peeking) {
            s->fetch_fault = -1;
            return 0;
        }
        s->fetch_fault = EXC_GP;
        s->tb->limit_cut = 1;           /* this TB is only right for this limit */
        return 0;
    }
    uint32_t lin = s->cs_base + eip;
    uint32_t page = lin & PAGE_MASK;
    for (int i = 0; i < s->npages; i++)
        if (s->page_base[i] == page)
            return fetch_page_byte(s, i, lin);
    if (s->npages == 2 || s->peeking) {
        s->fetch_fault = -1;        /* a third page: end the TB here */
        return 0;
    }
    /* Only the TB's first instruction may fault here; a later one that
     * cannot be fetched ends the TB before it (and faults in a TB of its own). */
    uint32_t phys;
    uint8_t *host = tlb_code_ptr(s->cpu, page, &phys, s->insns == 0);
    if (phys == 0xffffffffu) {
        s->fetch_fault = -1;
        return 0;
    }
    s->page_base[s->npages] = page;
    s->page_host[s->npages] = host;
    s->page_phys[s->npages] = host ? phys : 0xffffffffu;
    return fetch_page_byte(s, s->npages++, lin);
}

typedef struct Fetch { Ctx *s; uint32_t eip; Insn *in; } Fetch;

static uint32_t fetch(Fetch *f, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
        int b = fetch_byte(f->s, (f->eip) & (f->s->code32 ? 0xffffffffu : 0xffffu));
        if (f->in->len < 16)
            f->in->bytes[f->in->len] = (uint8_t)b;
        f->in->len++;
        f->eip++;
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

static void decode_modrm(Fetch *f, Insn *in)
{
    int m = fetch(f, 1);
    in->has_modrm = 1;
    in->mod = m >> 6;
    in->reg = (m >> 3) & 7;
    in->rm = m & 7;
    in->base = in->index = -1;
    in->scale = 0;
    in->disp = 0;
    in->default_ss = 0;
    if (in->mod == 3)
        return;
    if (!in->addr32) {
        static const int8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
        static const int8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, -1, -1, -1, -1 };
        if (in->mod == 0 && in->rm == 6) {
            in->disp = (int32_t)fetch(f, 2);
        } else {
            in->base = base16[in->rm];
            in->index = index16[in->rm];
            in->default_ss = (in->base == R_EBP);
            if (in->rm >= 4) {      /* [si] [di] [bp] [bx]: base only */
                in->base = base16[in->rm];
                in->index = -1;
            }
            if (in->mod == 1)
                in->disp = (int8_t)fetch(f, 1);
            else if (in->mod == 2)
                in->disp = (int16_t)fetch(f, 2);
        }
        return;
    }
    int rm = in->rm;
    if (rm == 4) {
        int sib = fetch(f, 1);
        in->scale = sib >> 6;
        int idx = (sib >> 3) & 7;
        in->index = idx == 4 ? -1 : idx;
        rm = sib & 7;
        if (rm == 5 && in->mod == 0) {
            in->base = -1;
            in->disp = (int32_t)fetch(f, 4);
        } else {
            in->base = rm;
        }
    } else if (rm == 5 && in->mod == 0) {
        in->disp = (int32_t)fetch(f, 4);
    } else {
        in->base = rm;
    }
    if (in->mod == 1)
        in->disp = (int8_t)fetch(f, 1);
    else if (in->mod == 2)
        in->disp = (int32_t)fetch(f, 4);
    in->default_ss = (in->base == R_ESP || in->base == R_EBP);
}

/* Which opcodes take a ModRM byte: one-byte map, then 0F map. */
static int has_modrm_1(int op)
{
    if (op < 0x40)
        return (op & 7) < 4;
    return (op >= 0x62 && op <= 0x63) || op == 0x69 || op == 0x6b ||
           (op >= 0x80 && op <= 0x8f) || (op >= 0xc0 && op <= 0xc1) ||
           (op >= 0xc4 && op <= 0xc7) || (op >= 0xd0 && op <= 0xd3) ||
           (op >= 0xd8 && op <= 0xdf) || op == 0xf6 || op == 0xf7 ||
           op == 0xfe || op == 0xff;
}

static int has_modrm_0f(int op)
{
    return op <= 0x03 || (op >= 0x20 && op <= 0x23) || (op >= 0x40 && op <= 0x4f) ||
           (op >= 0x90 && op <= 0x9f) || (op >= 0xa3 && op <= 0xa5) ||
           (op >= 0xab && op <= 0xad) || (op >= 0xaf && op <= 0xb7) ||
           (op >= 0xba && op <= 0xc1) || op == 0xc7 || op == 0xae;
}

/* Size in bytes of the immediate of opcode op (after ModRM). */
static int imm_size(const Insn *in)
{
    int op = in->op, v = in->opsize;
    if (op < 0x40 && (op & 7) == 4)
        return 1;
    if (op < 0x40 && (op & 7) == 5)
        return v;
    switch (op) {
    case 0x6a: case 0x6b: case 0x80: case 0x82: case 0x83: case 0xa8: case 0xb0: case 0xb1:
    case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7: case 0xc0: case 0xc1:
    case 0xc6: case 0xcd: case 0xd4: case 0xd5: case 0xe4: case 0xe5: case 0xe6: case 0xe7:
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f:
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xeb:
    case OPC_0F(0xa4): case OPC_0F(0xac): case OPC_0F(0xba):
        return 1;
    case 0x68: case 0x69: case 0x81: case 0xa9: case 0xc7: case 0xe8: case 0xe9:
        return v;
    case 0xc2: case 0xca:
        return 2;
    case 0xc8:
        return 2;   /* plus imm2 (1 byte) handled by the decoder */
    }
    if (op >= 0xb8 && op <= 0xbf)
        return v;
    if (op >= OPC_0F(0x80) && op <= OPC_0F(0x8f))
        return v;
    if (op == 0xf6 || op == 0xf7)
        return in->reg < 2 ? (op == 0xf6 ? 1 : v) : 0;
    return 0;
}

/* Decode the instruction at CS:eip into s->in.  Returns 0 when the bytes
 * cannot be fetched (s->fetch_fault says why). */
static int decode(Ctx *s, uint32_t eip)
{
    Insn *in = &s->in;
    memset(in, 0, sizeof(*in));
    in->eip = eip;
    in->seg = S_NONE;
    in->opsize = s->code32 ? 4 : 2;
    in->addr32 = s->code32;
    Fetch f = { s, eip, in };
    s->fetch_fault = 0;
    int op;
    for (;;) {
        op = fetch(&f, 1);
        if (s->fetch_fault)
            return 0;
        switch (op) {
        case 0x26: in->seg = S_ES; continue;
        case 0x2e: in->seg = S_CS; continue;
        case 0x36: in->seg = S_SS; continue;
        case 0x3e: in->seg = S_DS; continue;
        case 0x64: in->seg = S_FS; continue;
        case 0x65: in->seg = S_GS; continue;
        case 0x66: in->opsize = s->code32 ? 2 : 4; continue;
        case 0x67: in->addr32 = !s->code32; continue;
        case 0xf0: in->lock = 1; continue;
        case 0xf2: case 0xf3: in->rep = op; continue;
        }
        break;
    }
    if (op == 0x0f)
        op = OPC_0F(fetch(&f, 1));
    in->op = op;
    if (op > 0xff ? has_modrm_0f(op & 0xff) : has_modrm_1(op))
        decode_modrm(&f, in);
    int isz = imm_size(in);
    if (op == 0xa0 || op == 0xa1 || op == 0xa2 || op == 0xa3)
        isz = in->addr32 ? 4 : 2;           /* moffs */
    if (op == 0x9a || op == 0xea) {         /* ptr16:16/32 */
        in->imm = fetch(&f, in->opsize);
        in->imm2 = fetch(&f, 2);
    } else if (isz) {
        in->imm = fetch(&f, isz);
        if (isz == 1 && op != 0xcd && op != 0xd4 && op != 0xd5 && op != 0xc8 &&
            !(op >= 0xe4 && op <= 0xe7) && !(op >= 0xb0 && op <= 0xb7) &&
            op != 0xc6 && op != 0xa8 && op != 0x80 && op != 0x82 && op != 0xc0 &&
            op != 0xc1 && op != OPC_0F(0xa4) && op != OPC_0F(0xac) && op != OPC_0F(0xba) &&
            !(op < 0x40 && (op & 7) == 4))
            in->imm = (uint32_t)(int8_t)in->imm;    /* sign-extended imm8 */
        if (op == 0xc8)
            in->imm2 = fetch(&f, 1);
    }
    if (s->fetch_fault)
        return 0;
    in->next = f.eip & (s->code32 ? 0xffffffffu : 0xffffu);
    if (in->len > 15) {
        s->fetch_fault = EXC_GP;            /* instruction too long */
        return 0;
    }
    return 1;
}

/* ---- x87 memory forms ----------------------------------------------------------
 * The memory forms of D8-DF by opcode and ModRM reg (SDM Vol. 2, Table A-7),
 * for the x87 translation (gen_x87_mem) and the page groups' look ahead. */
enum {
    XM_UD,          /* invalid (FISTTP is SSE3, not a Pentium Pro's) */
    XM_READ,        /* FLD FILD FBLD and the arithmetic: non-control, reads */
    XM_WRITE,       /* FST(P) FIST(P) FBSTP: non-control, writes */
    XM_FLDCW,       /* control, waiting, reads */
    XM_NOWAIT_ST,   /* FNSTCW FNSTSW: control, never waits, writes */
    XM_STATE,       /* FLDENV FNSTENV FRSTOR FNSAVE: helper_fpu_state */
};

typedef struct X87Mem {
    uint8_t kind;
    uint8_t size;           /* bytes */
    uint8_t align;          /* #AC alignment (SDM Vol. 3 Table 6-7; packed BCD: none) */
    uint8_t state_op;       /* XM_STATE: FPU_* */
} X87Mem;

#define XR4  { XM_READ, 4, 4, 0 }
#define XR8  { XM_READ, 8, 8, 0 }
#define XR2  { XM_READ, 2, 2, 0 }
#define XUD  { XM_UD, 0, 0, 0 }
static const X87Mem x87_mem[8][8] = {
    /* D8: FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR m32real */
    { XR4, XR4, XR4, XR4, XR4, XR4, XR4, XR4 },
    /* D9: FLD m32, -, FST m32, FSTP m32, FLDENV, FLDCW, FNSTENV, FNSTCW */
    { XR4, XUD, { XM_WRITE, 4, 4, 0 }, { XM_WRITE, 4, 4, 0 }, { XM_STATE, 0, 0, FPU_FLDENV },
      { XM_FLDCW, 2, 2, 0 }, { XM_STATE, 0, 0, FPU_FNSTENV }, { XM_NOWAIT_ST, 2, 2, 0 } },
    /* DA: FIADD FIMUL FICOM FICOMP FISUB FISUBR FIDIV FIDIVR m32int */
    { XR4, XR4, XR4, XR4, XR4, XR4, XR4, XR4 },
    /* DB: FILD m32, -, FIST m32, FISTP m32, -, FLD m80, -, FSTP m80 */
    { XR4, XUD, { XM_WRITE, 4, 4, 0 }, { XM_WRITE, 4, 4, 0 }, XUD, { XM_READ, 10, 8, 0 }, XUD,
      { XM_WRITE, 10, 8, 0 } },
    /* DC: the arithmetic on m64real */
    { XR8, XR8, XR8, XR8, XR8, XR8, XR8, XR8 },
    /* DD: FLD m64, -, FST m64, FSTP m64, FRSTOR, -, FNSAVE, FNSTSW m16 */
    { XR8, XUD, { XM_WRITE, 8, 8, 0 }, { XM_WRITE, 8, 8, 0 }, { XM_STATE, 0, 0, FPU_FRSTOR }, XUD,
      { XM_STATE, 0, 0, FPU_FNSAVE }, { XM_NOWAIT_ST, 2, 2, 0 } },
    /* DE: the arithmetic on m16int */
    { XR2, XR2, XR2, XR2, XR2, XR2, XR2, XR2 },
    /* DF: FILD m16, -, FIST m16, FISTP m16, FBLD, FILD m64, FBSTP, FISTP m64 */
    { XR2, XUD, { XM_WRITE, 2, 2, 0 }, { XM_WRITE, 2, 2, 0 }, { XM_READ, 10, 1, 0 }, XR8,
      { XM_WRITE, 10, 1, 0 }, { XM_WRITE, 8, 8, 0 } },
};
#undef XR4
#undef XR8
#undef XR2
#undef XUD

/* ---- Page groups -------------------------------------------------------------------
 * Compiled code reaches most of its memory through registers that stay
 * put for a while: locals at [esp+n] or [ebp-n], a structure's fields at
 * [eax+n], globals at fixed addresses.  Rather than a TLB lookup for each
 * such operand, the translator looks ahead from one to the next ones at
 * the same base and index registers, before either changes.  When there
 * are two or more, one check at the first finds the page that holds all
 * of them (their displacements span less than GROUP_SPAN bytes) and keeps
 * its host address in CPU.grp_host, and in GROUP_REG (R10) for the
 * block's main group; every operand of the group then is the guest's
 * instruction on host memory, with no lookup and no flags touched:
 *   op [r10+disp]     (another group: mov rsi, [rbp+grp_host]; op [rsi+disp])
 * On the stack, ESP's moves by PUSH, POP, ADD/SUB and LEA are counted, so
 * pushes, pops, locals and a CALL or RET join one group.
 * The check fails when the operands straddle two pages, are not plain RAM,
 * or a write would need the slow path (translated code on the page, a
 * page not yet dirty, a watchpoint): then the block runs again from that
 * instruction translated without groups (HF_NOGROUP), where every operand
 * takes the ordinary path and faults, if it must, in its own instruction.
 * docs/memory.md. */

/* Decode the instruction at eip into *out for a look ahead: no code page is
 * added to the TB and its source bytes are not recorded. */
static int peek_decode(Ctx *s, uint32_t eip, Insn *out)
{
    Insn saved = s->in;
    int fault = s->fetch_fault;
    s->peeking = 1;
    int ok = decode(s, eip);
    s->peeking = 0;
    *out = s->in;
    s->in = saved;
    s->fetch_fault = fault;
    return ok;
}

/* Position-independent i386 code (PIE executables, shared libraries)
 * finds its own address by calling a "get PC thunk" at each function
 * entry:
 *     call __x86.get_pc_thunk.bx    ->    mov ebx, [esp]; ret
 * As blocks, that is a block ending in the CALL, a two-instruction block
 * whose RET looks its target up in the jump cache, and the caller's rest
 * in a third.  But the RET can only go back to the instruction after the
 * CALL: nothing else runs between them to change [esp].  So a CALL to
 * exactly those bytes is translated as what it does, store the return
 * address where the CALL pushes it, put it in the register too, leave ESP
 * as it was, and the block goes on after the CALL.  The thunk's page
 * becomes one of the block's two pages (a write there invalidates the
 * block, tb_page_range; a new mapping misses in tb_lookup, and no jump
 * is chained to it, tb_add_jump_locked), and its bytes join the block's
 * source (tb_source_unchanged).
 * Returns the thunk's register, or -1 when target is not such a thunk or
 * this block cannot take it; `take` records it for the block. */
static uint32_t eip_mask(const Ctx *s, uint32_t eip);

static int thunk_at(Ctx *s, const Insn *call, uint32_t target, int take)
{
    if ((s->flags & (HF_SINGLE | HF_TF)) || !s->code32 || !s->ss32 || call->opsize != 4 ||
        s->nthunks == TB_THUNKS || s->cpu->seg[S_CS].limit != 0xffffffffu)
        return -1;
    uint32_t lin = s->cs_base + target, page = lin & PAGE_MASK, phys = 0;
    if ((lin & ~PAGE_MASK) > PAGE_SIZE - THUNK_LEN || gdb_breakpoint_at(lin) ||
        gdb_breakpoint_at(lin + 3))
        return -1;
    int i = 0;
    while (i < s->npages && s->page_base[i] != page)
        i++;
    uint8_t *host;
    if (i < s->npages)
        host = s->page_host[i];
    else if (s->npages == 2)
        return -1;
    else
        host = tlb_code_ptr(s->cpu, page, &phys, 0);
    if (!host)
        return -1;
    const uint8_t *b = host + (lin & ~PAGE_MASK);
    int reg = (b[1] >> 3) & 7;                  /* 8B /r, [esp] = mod 0 rm 4, SIB 24 */
    if (b[0] != 0x8b || (b[1] & 0xc7) != 0x04 || b[2] != 0x24 || b[3] != 0xc3 || reg == R_ESP)
        return -1;
    if (take) {
        if (i == s->npages) {
            s->page_base[i] = page;
            s->page_host[i] = host;
            s->page_phys[i] = phys;
            s->npages++;
        }
        s->thunk_lin[s->nthunks] = lin;
        memcpy(s->thunk_bytes[s->nthunks++], b, THUNK_LEN);
        s->tb->limit_cut = 1;                   /* a lower CS limit would end the block at the CALL */
    }
    return reg;
}

/* The bit of guest register r written at `size` (AH..BH for 1: r & 3). */
static int reg_bit(int r, int size)
{
    return 1 << (size == 1 ? r & 3 : r);
}

/* x87 instructions write no guest register but FNSTSW AX; those that move
 * the whole state call helpers and may end the block. */
static int x87_reg_writes(const Insn *in)
{
    if (in->mod == 3)
        return in->op == 0xdf && in->reg == 4 ? 1 << R_EAX : in->op == 0xdb && in->reg == 4 ? -1 : 0;
    int kind = x87_mem[in->op - 0xd8][in->reg].kind;
    return kind == XM_STATE || kind == XM_UD ? -1 : 0;
}

/* The guest registers that instruction in writes, a bit each, or -1 when
 * it may do anything else: move ESP, change registers in a helper, leave
 * the block.  Only what is listed here: a group ends at anything else. */
static int insn_reg_writes(const Insn *in)
{
    int op = in->op, v = in->opsize;
    int rm8 = in->mod == 3 ? reg_bit(in->rm, 1) : 0, rmv = in->mod == 3 ? reg_bit(in->rm, v) : 0;
    int reg8 = reg_bit(in->reg, 1), regv = reg_bit(in->reg, v);
    if (in->rep)
        return -1;
    if (op < 0x40 && (op & 7) < 4)                          /* ALU E,G / G,E */
        return (op >> 3) == 7 ? 0 : (op & 2) ? ((op & 1) ? regv : reg8) : ((op & 1) ? rmv : rm8);
    if (op < 0x40 && (op & 7) < 6)                          /* ALU AL/eAX, imm */
        return (op >> 3) == 7 ? 0 : 1 << R_EAX;
    if ((op >= 0x40 && op <= 0x4f) || (op >= 0xb8 && op <= 0xbf) ||
        (op >= OPC_0F(0xc8) && op <= OPC_0F(0xcf)))         /* INC DEC MOV BSWAP r */
        return 1 << (op & 7);
    if (op >= 0xb0 && op <= 0xb7)
        return reg_bit(op & 7, 1);
    if ((op >= 0x50 && op <= 0x57) || op == 0x68 || op == 0x6a)   /* PUSH */
        return 1 << R_ESP;
    if (op >= 0x58 && op <= 0x5f)                                   /* POP */
        return 1 << (op & 7) | 1 << R_ESP;
    if ((op >= OPC_0F(0x40) && op <= OPC_0F(0x4f)))         /* CMOVcc */
        return regv;
    if (op >= OPC_0F(0x90) && op <= OPC_0F(0x9f))           /* SETcc */
        return rm8;
    if (op >= 0xd8 && op <= 0xdf)
        return x87_reg_writes(in);
    switch (op) {
    case 0x8b: case 0x69: case 0x6b: case OPC_0F(0xaf): case OPC_0F(0xb6): case OPC_0F(0xb7):
    case OPC_0F(0xbe): case OPC_0F(0xbf): case OPC_0F(0xbc): case OPC_0F(0xbd):
        return regv;
    case 0x8d: return in->mod == 3 ? -1 : regv;
    case 0x8a: return reg8;
    case 0x88: case 0x80: case 0x82: case 0xc6: case 0xc0: case 0xd0: case 0xd2:
        return (op == 0x80 || op == 0x82) && in->reg == 7 ? 0 : rm8;
    case 0x89: case 0x81: case 0x83: case 0xc7: case 0xc1: case 0xd1: case 0xd3:
    case OPC_0F(0xab): case OPC_0F(0xb3): case OPC_0F(0xbb):
    case OPC_0F(0xa4): case OPC_0F(0xa5): case OPC_0F(0xac): case OPC_0F(0xad):
        return (op == 0x81 || op == 0x83) && in->reg == 7 ? 0 : rmv;
    case OPC_0F(0xba): return in->reg == 4 ? 0 : rmv;
    case 0x84: case 0x85: case 0x90: case OPC_0F(0xa3): return 0;
    case 0x86: case OPC_0F(0xc0): return rm8 | reg8;
    case 0x87: case OPC_0F(0xc1): return rmv | regv;
    case OPC_0F(0xb0): return rm8 | 1 << R_EAX;
    case OPC_0F(0xb1): return rmv | 1 << R_EAX;
    case 0x98: return 1 << R_EAX;
    case 0x99: return 1 << R_EDX;
    case 0xf6: case 0xf7:
        if (in->reg < 2)
            return 0;
        if (in->reg < 4)
            return op == 0xf6 ? rm8 : rmv;
        return op == 0xf6 ? 1 << R_EAX : (1 << R_EAX) | (1 << R_EDX);
    case 0xfe: case 0xff: return in->reg < 2 ? (op == 0xfe ? rm8 : rmv) : -1;
    }
    return -1;
}

static int has_mem_operand(const Insn *in)
{
    return in->has_modrm && in->mod != 3 && in->op != 0x8d;
}

/* How an x87 instruction uses its memory operand (x87_mem): bytes and MEM_*. */
static int x87_mem_use(const Insn *in, int *size)
{
    X87Mem m = x87_mem[in->op - 0xd8][in->reg];
    *size = m.size;
    return m.kind == XM_WRITE || m.kind == XM_NOWAIT_ST ? MEM_WRITE : MEM_READ;
}

/* How instruction in uses its ModRM memory operand (MEM_*) and how many
 * bytes, as grouping guesses it: a wrong guess costs only that operand its
 * place in the group.  Only for an instruction with one (has_mem_operand). */
static int insn_mem_use(const Insn *in, int *size)
{
    int op = in->op;
    *size = in->opsize;
    if (op >= 0xd8 && op <= 0xdf)
        return x87_mem_use(in, size);
    if ((op < 0x40 && !(op & 1)) || op == 0x80 || op == 0x82 || op == 0x84 || op == 0x86 ||
        op == 0x88 || op == 0x8a || op == 0xc0 || op == 0xc6 || op == 0xd0 || op == 0xd2 ||
        op == 0xf6 || op == 0xfe || op == OPC_0F(0xb6) || op == OPC_0F(0xbe) ||
        op == OPC_0F(0xb0) || op == OPC_0F(0xc0) || (op >= OPC_0F(0x90) && op <= OPC_0F(0x9f)))
        *size = 1;
    else if (op == OPC_0F(0xb7) || op == OPC_0F(0xbf))
        *size = 2;
    if (op < 0x40)
        return (op & 2) || (op >> 3) == 7 ? MEM_READ : MEM_RMW;
    if (op == 0x88 || op == 0x89 || op == 0xc6 || op == 0xc7 ||
        (op >= OPC_0F(0x90) && op <= OPC_0F(0x9f)))
        return MEM_WRITE;
    switch (op) {
    case 0x80: case 0x81: case 0x82: case 0x83: return in->reg == 7 ? MEM_READ : MEM_RMW;
    case 0xf6: case 0xf7: return in->reg == 2 || in->reg == 3 ? MEM_RMW : MEM_READ;
    case 0xfe: case 0xff: return in->reg < 2 ? MEM_RMW : MEM_READ;
    case OPC_0F(0xba): return in->reg == 4 ? MEM_READ : MEM_RMW;
    case 0x86: case 0x87: case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
    case OPC_0F(0xc0): case OPC_0F(0xc1): case OPC_0F(0xb0): case OPC_0F(0xb1):
    case OPC_0F(0xa4): case OPC_0F(0xa5): case OPC_0F(0xac): case OPC_0F(0xad):
        return MEM_RMW;
    }
    return MEM_READ;
}

/* May s->in's memory operand in segment seg belong to a group?  Flat
 * segments only (the offset is the linear address) and straight 32-bit
 * code, where EIPs grow along the block. */
static int group_usable(const Ctx *s, int seg)
{
    return !tb_nogroups && !s->no_groups && !mem_views &&
           !(s->flags & (HF_NOGROUP | HF_AC | HF_SEGRO | HF_SINGLE | HF_TF)) && s->code32 &&
           s->ss32 && s->in.addr32 && seg_is_flat(s, seg);
}

/* The stack access a PUSH, POP, CALL or RET makes: `size` bytes at ESP +
 * *off, before the instruction moves ESP; 0 if it makes none we group. */
static int insn_stack_use(const Insn *in, int32_t *off, int *size, int *mode)
{
    int op = in->op;
    *size = in->opsize;
    *off = 0;
    *mode = MEM_READ;
    if ((op >= 0x50 && op <= 0x57) || op == 0x68 || op == 0x6a || op == 0xe8) {
        *off = -in->opsize;
        *mode = MEM_WRITE;
        return 1;
    }
    return (op >= 0x58 && op <= 0x5f) || op == 0xc2 || op == 0xc3;
}

/* How far an instruction moves ESP when that is all it does to it: PUSH,
 * POP, ADD/SUB ESP, imm and LEA ESP, [ESP+disp].  0 if it does not. */
static int insn_esp_move(const Insn *in, int32_t *delta)
{
    int op = in->op, v = in->opsize;
    if ((op >= 0x50 && op <= 0x57) || op == 0x68 || op == 0x6a) {
        *delta = -v;
        return 1;
    }
    if (op >= 0x58 && op <= 0x5f && op != 0x5c) {
        *delta = v;
        return 1;
    }
    if ((op == 0x81 || op == 0x83) && in->mod == 3 && in->rm == R_ESP && v == 4 &&
        (in->reg == 0 || in->reg == 5)) {
        *delta = (int32_t)(in->reg == 0 ? in->imm : 0u - in->imm);
        return 1;
    }
    if (op == 0x8d && in->mod != 3 && in->reg == R_ESP && in->base == R_ESP && in->index < 0 &&
        v == 4 && in->addr32) {
        *delta = in->disp;
        return 1;
    }
    return 0;
}

/* The registers of an operand at [base + index*scale + disp]. */
typedef struct Regs { int base, index, scale; } Regs;

static Regs modrm_regs(const Insn *in)
{
    Regs r = { in->base, in->index, in->index >= 0 ? in->scale : 0 };
    return r;
}

static const Regs stack_regs = { R_ESP, -1, 0 };

static int same_regs(const Group *g, Regs r)
{
    return g->base == r.base && g->index == r.index && g->scale == r.scale;
}

/* The live group that covers `size` bytes at disp from regs in s->in (for
 * a stack group, plus how far ESP has moved since its check), for an
 * access `mode`.  Returns its slot, with the offset from CPU.grp_host in
 * *off, or -1. */
static int group_find(const Ctx *s, Regs r, int32_t disp, int size, int mode, int32_t *off)
{
    for (int i = 0; i < GROUP_SLOTS; i++) {
        const Group *g = &s->groups[i];
        if (!g->live || !same_regs(g, r) || (mode != MEM_READ && !g->write))
            continue;
        for (int k = 0; k < g->n; k++) {
            if (g->eip[k] != s->in.eip)
                continue;
            int64_t o = (int64_t)disp + g->adj[k];
            if (o >= g->lo && o + size <= g->hi) {
                *off = (int32_t)o;
                return i;
            }
        }
    }
    return -1;
}

/* A group being planned: its span so far and how many operands. */
typedef struct Plan { int64_t lo, hi; int members; } Plan;

/* Add an operand of `size` bytes at offset off, if the span stays within
 * GROUP_SPAN. */
static void plan_add(Plan *pl, Group *g, int64_t off, int size, int mode)
{
    int64_t lo = pl->members && pl->lo < off ? pl->lo : off;
    int64_t hi = pl->members && pl->hi > off + size ? pl->hi : off + size;
    if (hi - lo > GROUP_SPAN)
        return;
    pl->lo = lo;
    pl->hi = hi;
    pl->members++;
    g->write |= mode != MEM_READ;
}

/* Plan a group at registers r from s->in on: decode ahead, instruction
 * by instruction, for operands at the same registers (and, for a stack
 * group, pushes and pops, with ESP's moves counted in adj), until an
 * instruction changes a register of r otherwise, leaves the block, or is
 * not one insn_reg_writes knows.  Returns how many operands it found. */
static int group_plan(Ctx *s, Regs r, Group *g)
{
    memset(g, 0, sizeof(*g));
    g->base = r.base;
    g->index = r.index;
    g->scale = r.scale;
    int stack = r.base == R_ESP && r.index < 0;
    int regs = (r.base >= 0 ? 1 << r.base : 0) | (r.index >= 0 ? 1 << r.index : 0);
    Plan pl = { 0, 0, 0 };
    int64_t adj = 0;                    /* within +-GROUP_SPAN while it goes on */
    uint32_t eip = s->in.eip;
    Insn in;
    while (g->n < GROUP_INSNS && peek_decode(s, eip, &in)) {
        int32_t off, move;
        int size, mode;
        int thunk = in.op == 0xe8 ? thunk_at(s, &in, eip_mask(s, in.next + in.imm), 0) : -1;
        int ctl = (in.op == 0xe8 && thunk < 0) || in.op == 0xc2 || in.op == 0xc3; /* CALL, RET: last */
        int writes = thunk >= 0 ? 1 << thunk : ctl ? 0 : insn_reg_writes(&in);
        if (writes < 0)
            break;
        g->eip[g->n] = in.eip;
        g->adj[g->n++] = (int32_t)adj;
        if (has_mem_operand(&in) && in.addr32 && same_regs(g, modrm_regs(&in)) &&
            in.seg != S_FS && in.seg != S_GS && in.seg != S_CS) {
            mode = insn_mem_use(&in, &size);
            plan_add(&pl, g, in.disp + (stack ? adj : 0), size, mode);
        }
        if (stack && insn_stack_use(&in, &off, &size, &mode))
            plan_add(&pl, g, off + adj, size, mode);
        if (stack && insn_esp_move(&in, &move)) {
            adj += move;
            writes &= ~(1 << R_ESP);
        }
        if (ctl || (writes & regs) || adj < -GROUP_SPAN || adj > GROUP_SPAN)
            break;
        eip = in.next;
    }
    if (pl.lo <= INT32_MIN || pl.hi > INT32_MAX)
        return 0;                       /* offsets a 32-bit displacement cannot hold */
    g->lo = (int32_t)pl.lo;
    g->hi = (int32_t)pl.hi;
    g->members = pl.members;
    g->live = 1;
    return pl.members;
}

/* Does a new group get GROUP_REG?  When no live group has it, or the one
 * that has it has fewer operands (loads of grp_host are cheap, but after
 * FLDCW, which some hosts do not let later loads pass, they are not). */
static int group_takes_reg(const Ctx *s, const Group *g)
{
    if (s->group_in_reg < 0)
        return 1;
    const Group *h = &s->groups[s->group_in_reg];
    return !h->live || h->eip[h->n - 1] < s->in.eip || h->members < g->members;
}

/* The check at a group's first operand: ESI = its lowest address, looked
 * up for the whole span, for reading and, if it has stores, for writing;
 * then CPU.grp_host[slot] = host address - lo, and RSI holds it too. */
static void gen_group_check(Ctx *s, const Group *g, int slot, int mode)
{
    int mmu = mmu_index(s);
    flags_clobber(s);
    emit_lea_sib(4, RSI, g->base >= 0 ? host_reg[g->base] : -1,
                 g->index >= 0 ? host_reg[g->index] : -1, g->scale, g->lo);
    Stub *st = add_stub(s, STUB_GROUP);
    st->group_len = g->hi - g->lo;
    st->group_acc = mode == MEM_READ ? ACC_READ : ACC_WRITE;
    st->group_write = g->write;
    gen_tlb_index(st->group_len);
    st->jump_field = gen_tlb_tag_check(tlb_field(mmu, offsetof(TLBEntry, tag_read)));
    if (g->write)
        st->jump_field2 = gen_tlb_tag_check(tlb_field(mmu, offsetof(TLBEntry, tag_write)));
    gen_tlb_add_addend(mmu);
    st->resume = p;
    emit_lea(8, RSI, RSI, -g->lo);
    emit_mov(8, gcpu(CPU_OFF(grp_host) + 8 * slot), RSI);
    if (group_takes_reg(s, g)) {
        emit_op(8, 0x8b, GROUP_REG, oreg(RSI));
        s->group_in_reg = slot;
    }
}

/* The host register that holds slot's grp_host for a member op: GROUP_REG
 * for the group that has it, else RSI, loaded now unless the check just
 * left it there. */
static int group_base(Ctx *s, int slot, int fresh, const HostOp *op)
{
    int high8 = op->size == 1 && (op->reg & HIGH8);     /* AH..BH: no REX, so not R10 */
    if (slot == s->group_in_reg && !high8)
        return GROUP_REG;
    if (!fresh)
        emit_load(RSI, gcpu(CPU_OFF(grp_host) + 8 * slot), 8);
    return RSI;
}

/* Start a group at registers r if the look ahead finds company for
 * s->in's operand; returns 1 if it did (RSI then holds grp_host). */
static int group_start(Ctx *s, Regs r, int mode)
{
    Group g;
    if (group_plan(s, r, &g) < 2)
        return 0;
    int slot = s->group_next;
    for (int i = 0; i < GROUP_SLOTS; i++)
        if (!s->groups[i].live || s->groups[i].eip[s->groups[i].n - 1] < s->in.eip)
            slot = i;
    s->group_next = (slot + 1) % GROUP_SLOTS;
    if (slot == s->group_in_reg)
        s->group_in_reg = -1;           /* GROUP_REG held the group this one replaces */
    s->groups[slot] = g;
    gen_group_check(s, &g, slot, mode);
    return 1;
}

/* The slot of the group for an operand of s->in at disp from r, starting
 * one here if it may; -1 if the operand goes the ordinary way.  *fresh:
 * RSI holds grp_host already. */
static int group_for(Ctx *s, Regs r, int32_t disp, int size, int mode, int32_t *off, int *fresh)
{
    int slot = group_find(s, r, disp, size, mode, off);
    *fresh = 0;
    if (slot < 0 && group_start(s, r, mode)) {
        slot = group_find(s, r, disp, size, mode, off);
        *fresh = 1;
    }
    return slot;
}

/* op on s->in's ModRM memory operand: through a group when one covers it
 * (or starts here), else by the ordinary path.  ea_done: ESI holds the
 * offset already. */
static void gen_modrm_mem_op(Ctx *s, const HostOp *op, int mode, int ea_done)
{
    int seg = insn_seg(&s->in);
    int32_t off;
    int fresh = 0, slot = -1;
    if (group_usable(s, seg))
        slot = group_for(s, modrm_regs(&s->in), s->in.disp, op->msize, mode, &off, &fresh);
    if (slot < 0) {
        /* (omem_sib sums in 32 bits where the guest's sum could wrap) */
        const Insn *in = &s->in;
        int base = in->base >= 0 ? host_reg[in->base] : -1;
        int index = in->index >= 0 ? host_reg[in->index] : -1;
        if (!ea_done)
            s->ea16 = !in->addr32;      /* as gen_ea would */
        if (!ea_done && in->addr32 && view_fold_ok(s, seg, op, mode, base, index)) {
            gen_view_op_at(s, op, mode, base, index, in->scale, in->disp + sp_disp(s, in));
            return;
        }
        if (!ea_done)
            gen_ea(s, &s->in, 0);
        gen_mem_op(s, seg, op, mode);
        return;
    }
    if (op->fdp) {                                  /* x87: the linear address */
        if (fresh || !ea_done)
            gen_ea(s, &s->in, 0);
        emit_mov(4, gcpu(CPU_OFF(fpu_fdp)), RSI);
        fresh = 0;
    }
    gen_count_mem();
    gen_hostop(s, op, omem(group_base(s, slot, fresh, op), off));
}

static void gen_sp_offset(Ctx *s, int32_t delta);

/* op on the stack at ESP + delta, for the PUSH, POP, CALL or RET in s->in:
 * through a group, or the ordinary way. */
static void gen_stack_op(Ctx *s, int32_t delta, const HostOp *op, int mode)
{
    delta += s->sp_pending;
    int32_t off, u;
    int size, m, fresh, slot = -1;
    if (group_usable(s, S_SS) && insn_stack_use(&s->in, &u, &size, &m) && u == delta &&
        size == op->msize)
        slot = group_for(s, stack_regs, delta, op->msize, mode, &off, &fresh);
    if (slot < 0) {
        s->ea16 = !s->ss32;             /* as gen_sp_offset would */
        if (s->ss32 && view_fold_ok(s, S_SS, op, mode, R12, -1)) {
            gen_view_op_at(s, op, mode, R12, -1, 0, delta);
            return;
        }
        gen_sp_offset(s, delta);
        gen_mem_op(s, S_SS, op, mode);
        return;
    }
    gen_count_mem();
    gen_hostop(s, op, omem(group_base(s, slot, fresh, op), off));
}

/* ---- What the host does with undefined flags ------------------------------------
 * The SDM leaves some flags undefined after MUL/IMUL, BSF/BSR and the logical
 * ops (AF).  vm promises what the host CPU does, and hosts differ: some leave
 * such flags as they were (then the op *reads* the old flags and translated
 * code must load the guest's first), others compute them from the operands.
 * tcg_init asks the host once: run each kind of instruction with two
 * different sets of input flags and see whether the output flags differ. */

static int host_mul_reads, host_mul_merge, host_logic_reads, host_bsf_reads, host_shift_reads;

static uint64_t probe_imul(uint64_t flags)
{
    uint64_t out;
    uint32_t a = 0x12345, b = 3;
    __asm__ volatile("push %1\n\tpopfq\n\timull %3, %2\n\tpushfq\n\tpop %0"
                     : "=r"(out), "+r"(flags), "+r"(a) : "r"(b) : "cc");
    return out & F_ARITH;
}

static uint64_t probe_and(uint64_t flags)
{
    uint64_t out;
    uint32_t a = 0x12345678, b = 0xff;
    __asm__ volatile("push %1\n\tpopfq\n\tandl %3, %2\n\tpushfq\n\tpop %0"
                     : "=r"(out), "+r"(flags), "+r"(a) : "r"(b) : "cc");
    return out & F_ARITH;
}

static uint64_t probe_bsf(uint64_t flags)
{
    uint64_t out;
    uint32_t a = 0, b = 0x100;
    __asm__ volatile("push %1\n\tpopfq\n\tbsfl %3, %2\n\tpushfq\n\tpop %0"
                     : "=r"(out), "+r"(flags), "+r"(a) : "r"(b) : "cc");
    return out & F_ARITH;
}

/* Shifts by a constant other than 0: SHL SHR SAR, 1 and more, counts
 * past the operand size; AF (and OF past 1) are undefined, so whether the
 * output keeps any of the input flags is the host's business. */
#define PROBE_SHIFT(insn, val)                                              \
    do {                                                                    \
        uint64_t f = flags;                                                 \
        uint32_t a = (val);                                                 \
        __asm__ volatile("push %1\n\tpopfq\n\t" insn "\n\tpushfq\n\tpop %1"   \
                         : "+q"(a), "+r"(f) : : "cc");                      \
        out = out * 31 + (f & F_ARITH);                                     \
    } while (0)

static uint64_t probe_shifts(uint64_t flags)
{
    uint64_t out = 0;
    PROBE_SHIFT("shll $4, %k0", 0x87654321);
    PROBE_SHIFT("shrl $4, %k0", 0x87654321);
    PROBE_SHIFT("sarl $4, %k0", 0x87654321);
    PROBE_SHIFT("shll $1, %k0", 0x87654321);
    PROBE_SHIFT("shrl $1, %k0", 0x87654321);
    PROBE_SHIFT("sarl $1, %k0", 0x87654321);
    PROBE_SHIFT("shrb $12, %b0", 0x81);
    PROBE_SHIFT("shlb $9, %b0", 0x81);
    PROBE_SHIFT("sarw $20, %w0", 0x8001);
    PROBE_SHIFT("shlw $17, %w0", 0x8001);
    return out;
}

static void probe_host_flags(void)
{
    uint64_t kept = probe_imul(0x2d7 | F_OF) & ~probe_imul(0x202);
    host_mul_reads = probe_imul(0x202) != probe_imul(0x2d7 | F_OF);
    /* the common rule: CF and OF computed, SF ZF AF PF kept */
    host_mul_merge = kept == (F_SF | F_ZF | F_AF | F_PF);
    host_logic_reads = probe_and(0x202) != probe_and(0x2d7 | F_OF);
    host_bsf_reads = probe_bsf(0x202) != probe_bsf(0x2d7 | F_OF);
    host_shift_reads = probe_shifts(0x202) != probe_shifts(0x2d7 | F_OF);
}

/* Whether an op of this kind reads the flags on this host. */
static int mul_reads(void) { return host_mul_reads ? READS_ALL : READS_NONE; }
static int bsf_reads(void) { return host_bsf_reads ? READS_ALL : READS_NONE; }
static int alu_reads(int alu)
{
    if (alu == 2 || alu == 3)
        return READS_CF;
    if ((alu == 1 || alu == 4 || alu == 6) && host_logic_reads)
        return READS_ALL;
    return READS_NONE;
}

/* ---- Translation of instructions ------------------------------------------- */

static int osz(const Ctx *s) { return s->in.opsize; }

/* Mask an instruction pointer to the operand size of a jump. */
static uint32_t eip_mask(const Ctx *s, uint32_t eip)
{
    return s->in.opsize == 2 ? eip & 0xffff : eip;
}

/* LOCK is allowed only on these, with a memory destination. */
static int lock_ok(const Ctx *s)
{
    const Insn *in = &s->in;
    int op = in->op;
    if (in->mod == 3 || !in->has_modrm)
        return 0;
    if (op < 0x40 && (op & 7) < 2 && (op >> 3) != 7)
        return 1;                               /* ALU Ev,Gv except CMP */
    if ((op >= 0x80 && op <= 0x83) && in->reg != 7)
        return 1;
    if ((op == 0xf6 || op == 0xf7) && (in->reg == 2 || in->reg == 3))
        return 1;
    if ((op == 0xfe || op == 0xff) && in->reg < 2)
        return 1;
    if (op == 0x86 || op == 0x87)
        return 1;
    if (op == OPC_0F(0xab) || op == OPC_0F(0xb3) || op == OPC_0F(0xbb) ||
        (op == OPC_0F(0xba) && in->reg >= 5) || op == OPC_0F(0xb0) || op == OPC_0F(0xb1) ||
        op == OPC_0F(0xc0) || op == OPC_0F(0xc1) || (op == OPC_0F(0xc7) && in->reg == 1))
        return 1;
    return 0;
}

/* The guest instruction's own opcode and ModRM reg, re-targeted to the
 * host: opcode `opc` at operand size `size` with reg field `reg` (a guest
 * register number, mapped to its host register). */
static HostOp op_greg(int size, int opc, int guest_reg)
{
    return hostop(size, opc, greg_n(guest_reg, size));
}

/* ALU op E,G or G,E (opcodes 00-3B): the host runs the same opcode. */
static void gen_alu(Ctx *s, int size)
{
    int op = s->in.op, alu = op >> 3, dir = op & 2;
    HostOp h = op_greg(size, op, s->in.reg);
    h.reads_flags = alu_reads(alu);
    h.writes_flags = 1;
    h.lock = s->in.lock;
    gen_rm_op(s, &h, (dir || alu == 7) ? MEM_READ : MEM_RMW);
}

/* Group 1 (80-83): ALU op r/m, imm. */
static void gen_alu_imm(Ctx *s, int size)
{
    int alu = s->in.reg;
    uint32_t imm = s->in.imm;
    HostOp h;
    if (size == 1) {
        h = hostop(1, 0x80, EXT(alu));
        h.imm_size = 1;
    } else if ((int32_t)imm >= -128 && (int32_t)imm <= 127) {
        h = hostop(size, 0x83, EXT(alu));
        h.imm_size = 1;
    } else {
        h = hostop(size, 0x81, EXT(alu));
        h.imm_size = size;
    }
    h.imm = imm;
    h.reads_flags = alu_reads(alu);
    h.writes_flags = 1;
    h.lock = s->in.lock;
    gen_rm_op(s, &h, alu == 7 ? MEM_READ : MEM_RMW);
}

/* An ALU op on the accumulator with an immediate (04, 05, 0C, ...). */
static void gen_alu_acc_imm(Ctx *s, int alu, int size)
{
    flags_need_for(s, alu_reads(alu));
    emit_alu_imm(alu, greg(R_EAX, size), s->in.imm, size);
    s->fl = FL_DIRTY;
}

/* ---- Stack ------------------------------------------------------------------- */

static int ss_size(const Ctx *s) { return s->ss32 ? 4 : 2; }

/* ESI = (E)SP + delta, wrapped to the stack's size: a stack offset. */
static void gen_sp_offset(Ctx *s, int32_t delta)
{
    s->ea16 = !s->ss32;
    emit_lea(4, RSI, R12, delta);
    if (!s->ss32)
        emit_load(RSI, oreg(RSI), 2);
}

/* May an instruction run with ESP's update still pending (gen_sp_defer)?
 * Those that make it (PUSH, POP, CALL, RET), and common ones that use ESP
 * only as the base of a memory operand, which sp_disp adjusts: MOV, the
 * ALU ops, TEST, MOVZX/MOVSX and x87 loads, stores and arithmetic.  Not
 * with ESP as a register operand (ModRM reg, or r/m with mod 3). */
static int sp_insn_keeps_pending(const Insn *in)
{
    int op = in->op, x = in->reg;
    if (in->opsize != 4)
        return 0;
    if ((op >= 0x50 && op <= 0x5f && op != 0x54 && op != 0x5c) || op == 0x68 || op == 0x6a ||
        op == 0xe8 || op == 0xc2 || op == 0xc3)
        return 1;
    if (!in->has_modrm || (in->mod == 3 && in->rm == R_ESP))
        return 0;
    if (op >= 0xd8 && op <= 0xdf)               /* x87: reg is part of the opcode */
        return in->mod == 3 || op == 0xd8 || op == 0xda || op == 0xdc || op == 0xde ||
               x == 0 || x == 2 || x == 3 || ((op == 0xdf || op == 0xdb) && (x == 5 || x == 7));
    if (op == 0x80 || op == 0x81 || op == 0x83 || ((op == 0xc6 || op == 0xc7) && x == 0))
        return 1;                               /* reg: an opcode extension */
    if (x == R_ESP)
        return 0;
    return (op < 0x40 && (op & 7) < 4) || (op >= 0x84 && op <= 0x8b) ||
           op == OPC_0F(0xb6) || op == OPC_0F(0xb7) || op == OPC_0F(0xbe) || op == OPC_0F(0xbf);
}

/* Make R12 the guest's ESP again (gen_sp_defer). */
static void gen_sp_sync(Ctx *s)
{
    if (!s->sp_pending)
        return;
    emit_lea(4, R12, R12, s->sp_pending);
    s->sp_pending = 0;
}

/* (E)SP += delta at the stack's size, without touching flags. */
static void gen_sp_add(Ctx *s, int32_t delta)
{
    gen_sp_sync(s);
    emit_lea(ss_size(s), R12, R12, delta);
}

/* ESP += delta for a PUSH, POP, CALL or RET: later, where something
 * needs ESP itself.  A run of pushes then stores at [r12-4], [r12-8], ...
 * and moves R12 once, instead of each push waiting for the last one's
 * LEA (the host CPU's stack engine does this for its own PUSH; a chain
 * of LEAs on R12 was what made a function's prologue and epilogue cost
 * twice their native time).  Memory operands based on ESP add
 * sp_pending to their displacement (sp_disp); slow paths make R12 the
 * guest's ESP while they run (Stub.sp_pending); anything else that reads
 * or writes ESP, and every way out of the TB, syncs first (gen_sp_sync,
 * sp_insn_keeps_pending).  Only with a 32-bit stack and views, where a
 * stack operand is gs:[r12 + disp] however far disp reaches. */
static void gen_sp_defer(Ctx *s, int32_t delta)
{
    if (!s->ss32 || !mem_views || (s->flags & (HF_SINGLE | HF_TF))) {
        gen_sp_add(s, delta);
        return;
    }
    s->sp_pending += delta;
}

/* Push `size` bytes of host register src (a guest register or T_VAL). */
static void gen_push_reg(Ctx *s, int src, int size)
{
    HostOp h = hostop(size, size == 1 ? 0x88 : 0x89, src);
    gen_stack_op(s, -size, &h, MEM_WRITE);
    gen_sp_defer(s, -size);
}

/* Push an immediate. */
static void gen_push_imm(Ctx *s, uint32_t imm, int size)
{
    HostOp h = hostop(size, 0xc7, EXT(0));
    h.imm = imm;
    h.imm_size = size;
    gen_stack_op(s, -size, &h, MEM_WRITE);
    gen_sp_defer(s, -size);
}

/* CALL to a get-PC thunk (thunk_at) in register reg: the return address
 * pushed, and in reg, and popped again by the thunk's RET. */
static void gen_call_thunk(Ctx *s, int reg)
{
    gen_push_imm(s, s->in.next, 4);
    emit_mov_ri(host_reg[reg], s->in.next);
    gen_sp_defer(s, 4);
}

/* Read the top of stack (`size` bytes) into T_VAL without moving (E)SP. */
static void gen_peek(Ctx *s, int size)
{
    HostOp h = load_op(size, T_VAL);
    gen_stack_op(s, 0, &h, MEM_READ);
}

/* ---- Segment registers (real mode inline, else helper) ---------------------- */

/* Load segment register seg with the selector in T_VAL (zero-extended). */
static void gen_load_seg_reg(Ctx *s, int seg)
{
    if (s->x87_fds_seg == seg) {    /* FDS is the old selector: store it now */
        gen_x87_fds_store(seg);
        s->x87_fds_seg = S_NONE;
    }
    if (!(s->flags & HF_PE) || (s->flags & HF_VM)) {
        emit_mov(2, gseg_sel(seg), T_VAL);
        emit_lea_sib(4, T_CMP, -1, T_VAL, 3, 0);        /* lea r8d, [r9*8] */
        emit_lea_sib(4, T_CMP, T_CMP, T_CMP, 0, 0);     /* lea r8d, [r8+r8] */
        emit_mov(4, gseg_base(seg), T_CMP);
        return;
    }
    gen_helper_prep(s);
    emit_op(4, 0x8b, RDX, oreg(T_VAL));
    emit_mov_ri(RSI, seg);
    gen_helper_call(s, (void *)helper_load_seg);
    s->end_dynamic = 1;     /* limits and sizes may change what later code assumes */
}

/* ---- Control transfers ------------------------------------------------------- */

/* A near jump to `target` beyond the CS limit raises #GP at the jump
 * itself, before anything is pushed.  Emits the check for a constant
 * target; returns 0 when the jump always faults (the fault is emitted). */
static int gen_check_target(Ctx *s, uint32_t target)
{
    if (s->flags & HF_CS_FLAT)
        return 1;                       /* a 4 GiB code segment holds every target */
    if (s->flags & HF_SEG64K) {
        if (target <= 0xffff)
            return 1;
        gen_exception(s, EXC_GP);
        return 0;
    }
    flags_clobber(s);
    emit_mov_ri(T_CMP, target);
    emit_op(8, 0x3b, T_CMP, gseg_limit(S_CS));          /* cmp r8, cs.limit */
    Stub *st = add_stub(s, STUB_FAULT);
    st->vector = EXC_GP;
    st->jump_field = emit_jcc(CC_G, NULL);
    return 1;
}

/* Mask the target in T_VAL to the operand size and check it against the
 * CS limit. */
static void gen_target_val(Ctx *s)
{
    if (osz(s) == 2)
        emit_load(T_VAL, oreg(T_VAL), 2);
    if (s->flags & HF_CS_FLAT)
        return;
    flags_clobber(s);
    emit_op(8, 0x3b, T_VAL, gseg_limit(S_CS));
    Stub *st = add_stub(s, STUB_FAULT);
    st->vector = EXC_GP;
    st->jump_field = emit_jcc(CC_G, NULL);
}

/* EIP = T_VAL (checked by gen_target_val), then jump there. */
static void gen_jmp_val(Ctx *s)
{
    if ((s->flags & (HF_SINGLE | HF_TF)) || tb_nochain) {
        emit_mov(4, gcpu(CPU_OFF(eip)), T_VAL);
    } else {
        s->eip_in_val = 1;
    }
    gen_jmp_indirect(s);
}

/* May the TB run on past a Jcc to target, into the code after it?  Each
 * TB boundary costs a jump and, mostly, a store and a load
 * of the flags, and compiled code branches every few instructions; so the
 * taken way leaves through an exit of its own (a side exit) while the
 * not-taken way goes on translating, as long as there are exits left, the
 * code after it is on the same page (a TB holds one run of bytes, for the
 * self-modifying-code check), and nothing else would end the TB there.
 * Not with page groups (views off): their checks at the top of a TB cover
 * its accesses as if all of them ran. */
static int jcc_runs_on(const Ctx *s)
{
    uint32_t next = s->cs_base + s->in.next;
    return s->side_exit < TB_EXITS && mem_views && (s->flags & HF_CS_FLAT) &&
           !(s->flags & (HF_SINGLE | HF_TF)) && !tb_nochain && !s->in_shadow && !s->shadow &&
           s->insns < TB_MAX_INSNS - 1 && (next & PAGE_MASK) == (s->tb->pc & PAGE_MASK) &&
           !gdb_breakpoint_at(next) && p < code_end - TB_CODE_MAX;
}

/* Jcc with a side exit: j<cc> to the taken way's exit, out of line with
 * the slow paths (gen_stub_side_exit), so the way on has no jump taken.
 * The exit stores the flags if its target may read them; the way on
 * keeps them where they are. */
static void gen_jcc_side_exit(Ctx *s, int cc, uint32_t target)
{
    Stub *st = add_stub(s, STUB_SIDE);
    st->vector = s->side_exit++;
    st->target = target;
    st->fl = s->fl;
    st->jump_field = emit_jcc(cc, NULL);
}

/* Jcc: the flags are stored once before it, unless one way does not
 * need them (flags_dead_at_jump): then each way that does stores them
 * after the jump (SETO, LAHF and MOV leave host EFLAGS alone). */
static void gen_jcc(Ctx *s, int cc, uint32_t target)
{
    flags_need(s);
    if (jcc_runs_on(s)) {
        gen_jcc_side_exit(s, cc, target);
        return;
    }
    if (!flags_dead_at_jump(s, s->in.next) && !flags_dead_at_jump(s, target))
        flags_sync(s);
    int fl = s->fl;
    uint8_t *taken = emit_jcc(cc, NULL);
    gen_goto_tb(s, 0, s->in.next);
    s->fl = fl;
    patch_rel32(taken, p);
    if (gen_check_target(s, target))
        gen_goto_tb(s, 1, target);
    s->ended = 1;
}

/* May the TB go on past a JMP at its target, as if the JMP were not
 * there?  A jump forward on the TB's one page, where the TB may still
 * grow (its bytes, the gap included, stay within what tb_publish_checked
 * compares), under the conditions of jcc_runs_on: the jump costs
 * nothing then, nor does the flags' way into another TB. */
static int jmp_runs_on(const Ctx *s, uint32_t target)
{
    uint32_t lin = s->cs_base + target;
    return target >= s->in.next && mem_views && (s->flags & HF_CS_FLAT) &&
           !(s->flags & (HF_SINGLE | HF_TF)) && !tb_nochain && !s->in_shadow && !s->shadow &&
           s->insns < TB_MAX_INSNS - 1 && s->npages == 1 && s->page_host[0] &&
           (lin & PAGE_MASK) == (s->tb->pc & PAGE_MASK) && lin - s->tb->pc < TB_SRC_MAX - 32 &&
           !gdb_breakpoint_at(lin) && p < code_end - TB_CODE_MAX;
}

/* Go on translating at target after this JMP or CALL, if jmp_runs_on. */
static int gen_run_on(Ctx *s, uint32_t target)
{
    if (!jmp_runs_on(s, target))
        return 0;
    s->runs_on = 1;
    s->run_on_eip = target;
    return 1;
}

static void gen_jmp(Ctx *s, uint32_t target)
{
    if (!gen_check_target(s, target)) {
        s->ended = 1;
    } else if (!gen_run_on(s, target)) {
        gen_goto_tb(s, 0, target);
        s->ended = 1;
    }
}

/* LOOP/LOOPE/LOOPNE/JCXZ: op 0xe0-0xe3, on host CX/ECX directly. */
static void gen_loop(Ctx *s, uint32_t target)
{
    int asz = s->in.addr32 ? 4 : 2;
    Opnd cx = greg(R_ECX, asz);
    flags_clobber(s);
    uint8_t *not_taken = NULL, *not_taken2 = NULL;
    if (s->in.op == 0xe3) {
        emit_op(asz, 0x85, RCX, cx);                    /* test cx, cx */
        not_taken = emit_jcc(CC_NE, NULL);
    } else {
        emit_alu_imm(5, cx, 1, asz);                    /* sub cx, 1 */
        not_taken = emit_jcc(CC_E, NULL);
        if (s->in.op != 0xe2) {
            emit_op(1, 0xf6, EXT(0), gcpu(CPU_OFF(cc) + 1)); /* test ZF in the LAHF byte */
            emit8(F_ZF);
            not_taken2 = emit_jcc(s->in.op == 0xe1 ? CC_E : CC_NE, NULL);
        }
    }
    if (gen_check_target(s, target))
        gen_goto_tb(s, 1, target);
    patch_rel32(not_taken, p);
    if (not_taken2)
        patch_rel32(not_taken2, p);
    gen_goto_tb(s, 0, s->in.next);
    s->ended = 1;
}

/* ---- Helpers with arguments -------------------------------------------------- */

static void gen_helper_1(Ctx *s, void *fn, uint32_t a)
{
    gen_helper_prep(s);
    emit_mov_ri(RSI, a);
    gen_helper_call(s, fn);
}

static void gen_helper_2(Ctx *s, void *fn, uint32_t a, uint32_t b)
{
    gen_helper_prep(s);
    emit_mov_ri(RSI, a);
    emit_mov_ri(RDX, b);
    gen_helper_call(s, fn);
}

static void gen_helper_3(Ctx *s, void *fn, uint32_t a, uint32_t b, uint32_t c)
{
    gen_helper_prep(s);
    emit_mov_ri(RSI, a);
    emit_mov_ri(RDX, b);
    emit_mov_ri(RCX, c);
    gen_helper_call(s, fn);
}

/* A helper whose first argument is T_VAL. */
static void gen_helper_val(Ctx *s, void *fn, uint32_t b, uint32_t c)
{
    gen_helper_prep(s);
    emit_op(4, 0x8b, RSI, oreg(T_VAL));
    emit_mov_ri(RDX, b);
    emit_mov_ri(RCX, c);
    gen_helper_call(s, fn);
}

/* Load the r/m operand (`size` bytes, zero-extended) into T_VAL. */
static void gen_load_rm_val(Ctx *s, int size)
{
    if (s->in.mod == 3) {
        emit_load(T_VAL, greg(s->in.rm, size), size);
        return;
    }
    HostOp op = load_op(size, T_VAL);
    gen_modrm_mem_op(s, &op, MEM_READ, 0);
}

/* ---- Opcode groups ----------------------------------------------------------- */

static int gen_far_call_real(Ctx *s);
static void gen_load_rm_val(Ctx *s, int size);
static int gen_arpl(Ctx *s);

/* ---- Flags nobody will see -------------------------------------------------
 *
 * INC, DEC, ROL, ROR and a shift by CL keep some of the flags they find, so
 * their host instruction needs the guest's flags in host EFLAGS: with them
 * only in CPU.cc (after a memory operand's lookup, or at a block's start),
 * that is a load first.  Often the kept flags are dead: the block goes on
 * with register moves (or more of these, on registers) and then an
 * instruction that overwrites every flag without reading any (SHA-256:
 * `ror $6,%esi; mov %ecx,%edx; ror $11,%edx; xor %esi,%edx`).  Nothing can
 * see flags in between, as long as that all happens in this block (an
 * interrupt comes only between blocks) and nothing in between can fault
 * (an exception pushes EFLAGS). */

enum { FU_OTHER, FU_NEUTRAL, FU_KILLS };

/* How an instruction met in the look ahead uses the flags: FU_NEUTRAL
 * cannot fault and computes its result without them (it may write some:
 * what it keeps flows on), FU_KILLS writes every one without reading any
 * and cannot fault. */
static int flags_use(const Insn *in)
{
    int op = in->op, reg = in->mod == 3;
    if (in->lock || in->rep)
        return FU_OTHER;
    if ((op >= 0x88 && op <= 0x8b && reg) || (op >= 0xb0 && op <= 0xbf) || (op >= 0x90 && op <= 0x97) ||
        (op == 0x8d && !reg) || ((op == 0xf6 || op == 0xf7) && in->reg == 2 && reg) ||
        ((op == OPC_0F(0xb6) || op == OPC_0F(0xb7) || op == OPC_0F(0xbe) || op == OPC_0F(0xbf)) && reg) ||
        (op >= OPC_0F(0xc8) && op <= OPC_0F(0xcf)) || op == 0x98 || op == 0x99 || op == 0xfc ||
        op == 0xfd)
        return FU_NEUTRAL;              /* MOV LEA XCHG NOT MOVZX MOVSX BSWAP CWDE CDQ CLD STD */
    int rot = in->reg < 2, shift = in->reg >= 4;       /* ROL ROR; SHL SHR SAL SAR */
    if ((op >= 0x40 && op <= 0x4f) || ((op == 0xfe || op == 0xff) && in->reg < 2 && reg) ||
        ((op == 0xc0 || op == 0xc1 || op == 0xd0 || op == 0xd1) && rot && reg) ||
        ((op == 0xd2 || op == 0xd3) && (rot || shift) && reg))
        return FU_NEUTRAL;      /* INC DEC ROL ROR, shifts by CL: some flags, none read, no fault */
    if (op < 0x40 && (op & 7) < 6 && ((op & 7) >= 4 || reg) && alu_reads(op >> 3) == READS_NONE)
        return FU_KILLS;                        /* ALU r,r and AL/eAX,imm (ADC SBB read CF) */
    if ((op == 0x81 || op == 0x83) && reg && in->reg != 2 && in->reg != 3 &&
        alu_reads(in->reg) == READS_NONE)
        return FU_KILLS;
    if ((((op == 0x84 || op == 0x85) && reg) || op == 0xa8 || op == 0xa9 ||
         ((op == 0xf6 || op == 0xf7) && in->reg < 2 && reg)) && alu_reads(4) == READS_NONE)
        return FU_KILLS;                        /* TEST */
    if (((op == 0xc0 || op == 0xc1) && (in->imm & 0x1f)) || op == 0xd0 || op == 0xd1)
        return reg && (in->reg >= 4 && in->reg != 6) && !host_shift_reads ? FU_KILLS : FU_OTHER;
    if ((op == 0xf6 || op == 0xf7) && in->reg == 3 && reg)
        return FU_KILLS;                        /* NEG */
    if (((op == OPC_0F(0xaf) || op == 0x69 || op == 0x6b) ||
         ((op == 0xf6 || op == 0xf7) && (in->reg == 4 || in->reg == 5))) && reg && !host_mul_reads)
        return FU_KILLS;                        /* MUL IMUL, when the host's write every flag */
    return FU_OTHER;
}

/* Are all the guest flags dead at eip: do at most `max` instructions from
 * there, on this block's first page, overwrite every flag before anything
 * reads one or may fault? */
static int flags_dead_from(Ctx *s, uint32_t eip, int max)
{
    if ((s->flags & (HF_SINGLE | HF_TF)) || p + 4096 > code_end - TB_CODE_MAX / 2)
        return 0;
    for (int n = 0; n < max && n < 4; n++) {
        Insn in;
        if (((s->cs_base + eip) & PAGE_MASK) != (s->tb->pc & PAGE_MASK) ||
            gdb_breakpoint_at(s->cs_base + eip) || !peek_decode(s, eip, &in))
            return 0;
        int use = flags_use(&in);
        if (use != FU_NEUTRAL)
            return use == FU_KILLS;
        eip = in.next;
    }
    return 0;
}

/* Are all the guest flags dead after s->in?  Looks at the instructions
 * after it that this block will translate too. */
static int flags_dead_after(Ctx *s)
{
    return !s->in_shadow && flags_dead_from(s, s->in.next, TB_MAX_INSNS - s->insns);
}

/* Are all the guest flags dead where a direct jump to eip lands?  Then
 * the jump need not store them (flags_sync) for the block there.  That
 * block starts at eip, translated from these bytes (on this block's page:
 * a write there invalidates both), so the same instructions overwrite
 * the flags before anything reads them.  Only an interrupt taken between
 * the two blocks sees them, in the EFLAGS it pushes: the arithmetic flags
 * of an earlier instruction, which the interrupted code never reads. */
static int flags_dead_at_jump(Ctx *s, uint32_t eip)
{
    return s->fl == FL_DIRTY && !s->in_shadow && flags_dead_from(s, eip, TB_MAX_INSNS);
}

/* Shifts and rotates (C0 C1 D0-D3): the host runs the same opcode, with
 * the count in the host CL that is the guest CL.  Rotates, and any count
 * in CL (which may be 0), keep flags, so the old flags must be in place
 * first unless nobody will see them (flags_dead_after). */
static void gen_shift(Ctx *s, int size)
{
    int op = s->in.op, sub = s->in.reg == 6 ? 4 : s->in.reg;   /* SAL is SHL */
    HostOp h = hostop(size, op, EXT(sub));
    int count = op == 0xd0 || op == 0xd1 ? 1 : -1;     /* -1: in CL */
    if (op == 0xc0 || op == 0xc1) {
        h.imm = s->in.imm & 0xff;
        h.imm_size = 1;
        count = (int)(h.imm & 0x1f);
    }
    /* a constant count other than 0 on SHL SHR SAR writes every flag
     * the host keeps (probe_shifts); CL may be 0, which writes none */
    h.reads_flags = count <= 0 || sub < 4 || host_shift_reads ? READS_ALL : READS_NONE;
    if (h.reads_flags && sub != 2 && sub != 3 && flags_dead_after(s))
        h.reads_flags = READS_NONE;             /* RCL RCR compute with CF; the rest keep */
    h.writes_flags = 1;
    gen_rm_op(s, &h, MEM_RMW);
}

/* MUL/IMUL on a host that keeps SF ZF AF PF and computes CF OF: with the
 * guest flags in host EFLAGS the host op gives the right answer as it is;
 * with them only in CPU.cc, loading them first would cost more than
 * merging the two new flags in afterwards, unless nothing sees them:
 *   mul; seto [cc]; setc r8b; and byte [cc+1], 0xfe; or [cc+1], r8b     */
static void gen_mul_merge(Ctx *s, const HostOp *op, Opnd rm)
{
    if (s->fl != FL_MEM || flags_dead_after(s)) {
        emit_hostop_raw(op, rm);
        s->fl = FL_DIRTY;
        return;
    }
    emit_hostop_raw(op, rm);
    emit_op(1, OPC_0F(0x90), EXT(0), gcpu(CPU_OFF(cc)));          /* seto [cc] */
    emit_op(1, OPC_0F(0x92), EXT(0), oreg(T_CMP));                /* setc r8b */
    emit_alu_imm(4, gcpu(CPU_OFF(cc) + 1), 0xfe, 1);              /* and byte [cc+1], ~CF */
    emit_op(1, 0x08, T_CMP, gcpu(CPU_OFF(cc) + 1));               /* or [cc+1], r8b */
}

/* IMUL G, E[, imm]: the E operand goes to a register first when it is in
 * memory and the flags must be merged. */
static void gen_imul(Ctx *s, HostOp *h)
{
    if (!host_mul_merge) {
        h->reads_flags = mul_reads();
        h->writes_flags = 1;
        gen_rm_op(s, h, MEM_READ);
        return;
    }
    if (s->in.mod == 3) {
        gen_mul_merge(s, h, greg(s->in.rm, h->msize));
        return;
    }
    gen_load_rm_val(s, h->msize);
    gen_mul_merge(s, h, oreg(T_VAL));
}

/* Group 3: F6/F7 /0-7 */
static int gen_group3(Ctx *s, int size)
{
    int reg = s->in.reg;
    HostOp h = hostop(size, s->in.op, EXT(reg));
    switch (reg) {
    case 0: case 1:                             /* test r/m, imm */
        h.reg = EXT(0);
        h.imm = s->in.imm;
        h.imm_size = size;
        h.reads_flags = alu_reads(4);
        h.writes_flags = 1;
        gen_rm_op(s, &h, MEM_READ);
        return 1;
    case 2: case 3:                             /* not, neg */
        h.writes_flags = (reg == 3);
        h.lock = s->in.lock;
        gen_rm_op(s, &h, MEM_RMW);
        return 1;
    case 4: case 5:                             /* mul, imul on the host's AX/DX */
        if (host_mul_merge && s->in.mod != 3) {
            gen_load_rm_val(s, size);           /* the merge below wants a register */
            gen_mul_merge(s, &h, oreg(T_VAL));
            return 1;
        }
        if (host_mul_merge) {
            gen_mul_merge(s, &h, greg(s->in.rm, size));
            return 1;
        }
        h.reads_flags = mul_reads();
        h.writes_flags = 1;
        gen_rm_op(s, &h, MEM_READ);
        return 1;
    default:                                    /* div, idiv: #DE needs checks */
        gen_load_rm_val(s, size);
        gen_helper_val(s, (void *)(reg == 6 ? helper_div : helper_idiv), size, 0);
        return 1;
    }
}

/* Group 4/5: FE/FF */
static int gen_group5(Ctx *s, int size)
{
    int reg = s->in.reg;
    if (reg < 2) {                              /* inc, dec: CF is kept */
        HostOp h = hostop(size, s->in.op, EXT(reg));
        h.reads_flags = flags_dead_after(s) ? READS_NONE : READS_CF;
        h.writes_flags = 1;
        h.lock = s->in.lock;
        gen_rm_op(s, &h, MEM_RMW);
        return 1;
    }
    if (size == 1 || reg == 7)
        return 0;
    switch (reg) {
    case 2:                                     /* call near indirect */
        gen_load_rm_val(s, size);
        gen_target_val(s);
        gen_push_imm(s, s->in.next, size);
        gen_jmp_val(s);
        return 1;
    case 4:                                     /* jmp near indirect */
        gen_load_rm_val(s, size);
        gen_target_val(s);
        gen_jmp_val(s);
        return 1;
    case 3: case 5:                             /* call/jmp far m16:16/32 */
        if (s->in.mod == 3)
            return 0;
        gen_ea(s, &s->in, 0);
        emit_op(4, 0x8b, T_VAL2, oreg(RSI));
        gen_load_val(s, insn_seg(&s->in), size, T_VAL);    /* offset */
        emit_lea(4, RSI, T_VAL2, size);
        gen_load_val(s, insn_seg(&s->in), 2, T_VAL2);      /* selector */
        if (reg == 3 && gen_far_call_real(s))
            return 1;
        gen_helper_prep(s);
        emit_op(4, 0x8b, RSI, oreg(T_VAL2));
        emit_op(4, 0x8b, RDX, oreg(T_VAL));
        if (reg == 3) {
            emit_mov_ri(RCX, s->in.next);
            emit_mov_ri(R8, size == 4);
            gen_helper_call(s, (void *)helper_far_call);
        } else {
            emit_mov_ri(RCX, s->in.next);
            gen_helper_call(s, (void *)helper_far_jmp);
        }
        gen_jmp_far(s);
        return 1;
    case 6:                                     /* push r/m */
        gen_load_rm_val(s, size);
        gen_push_reg(s, T_VAL, size);
        return 1;
    }
    return 0;
}

/* The SIB scale of a string element of 1, 2 or 4 bytes. */
static int elem_scale(int size)
{
    return size == 4 ? 2 : size == 2 ? 1 : 0;
}

/* (E)SI or (E)DI += DF * size, at the address size, without flags:
 *   mov r8d, [rbp+df]; lea r14w, [r14 + r8*size]                      */
static void gen_string_step(Ctx *s, int guest_reg, int size)
{
    int asz = s->in.addr32 ? 4 : 2, r = host_reg[guest_reg];
    emit_load(T_CMP, gcpu(CPU_OFF(df)), 4);
    emit_lea_sib(asz, r, r, T_CMP, elem_scale(size), 0);
}

/* ESI = the string source (seg:SI) or destination (ES:DI) offset. */
static void gen_string_addr(Ctx *s, int guest_reg)
{
    int asz = s->in.addr32 ? 4 : 2;
    emit_load(RSI, greg(guest_reg, asz), asz);
    s->ea16 = asz == 2;
}

/* One element of LODS STOS MOVS SCAS CMPS without REP, inline: the access
 * is a memory operand like any other, then the index registers step. */
static void gen_string_inline(Ctx *s, int op, int size)
{
    int seg = s->in.seg == S_NONE ? S_DS : s->in.seg;
    int opc8 = size == 1;
    HostOp h;
    switch (op) {
    case STR_LODS:
        gen_string_addr(s, R_ESI);
        h = hostop(size, opc8 ? 0x8a : 0x8b, RAX);
        gen_mem_op(s, seg, &h, MEM_READ);
        gen_string_step(s, R_ESI, size);
        break;
    case STR_STOS:
        gen_string_addr(s, R_EDI);
        h = hostop(size, opc8 ? 0x88 : 0x89, RAX);
        gen_mem_op(s, S_ES, &h, MEM_WRITE);
        gen_string_step(s, R_EDI, size);
        break;
    case STR_SCAS:                              /* cmp acc, es:[di] */
        gen_string_addr(s, R_EDI);
        h = hostop(size, opc8 ? 0x3a : 0x3b, RAX);
        h.writes_flags = 1;
        gen_mem_op(s, S_ES, &h, MEM_READ);
        gen_string_step(s, R_EDI, size);
        break;
    case STR_MOVS: case STR_CMPS:
        gen_string_addr(s, R_ESI);
        gen_load_val(s, seg, size, T_VAL);
        gen_string_addr(s, R_EDI);
        if (op == STR_MOVS) {
            h = hostop(size, opc8 ? 0x88 : 0x89, T_VAL);
            gen_mem_op(s, S_ES, &h, MEM_WRITE);
        } else {                                /* cmp [si], es:[di] */
            h = hostop(size, opc8 ? 0x3a : 0x3b, T_VAL);
            h.writes_flags = 1;
            gen_mem_op(s, S_ES, &h, MEM_READ);
        }
        gen_string_step(s, R_ESI, size);
        gen_string_step(s, R_EDI, size);
        break;
    }
}

/* The string instruction in helper_string, which returns non-zero when
 * it stopped early (to let interrupts in). */
static void gen_string_helper(Ctx *s, int op, int size)
{
    uint32_t rep = s->in.rep == 0xf3 ? 1 : s->in.rep == 0xf2 ? 2 : 0;
    if (rep == 2 && op != STR_CMPS && op != STR_SCAS)
        rep = 1;                                /* REPNE acts as REP here */
    uint32_t desc = (uint32_t)op | ((uint32_t)size << 4) | (s->in.addr32 ? STR_A32 : 0) |
                    (rep << 8) | ((uint32_t)(s->in.seg == S_NONE ? S_DS : s->in.seg) << 12);
    gen_helper_1(s, (void *)helper_string, desc);
    if (rep) {
        emit_op(4, 0x85, T_VAL, oreg(T_VAL));   /* test r9d, r9d */
        Stub *st = add_stub(s, STUB_EXIT);
        st->jump_field = emit_jcc(CC_NE, NULL);
    }
}

/* The host address of the string at linear ESI, ECX elements of `size`
 * bytes forward, into RSI when the TLB allows the access (tag_write or
 * tag_read) and the string lies on that one page; else a jump to the
 * returned field.  ECX <= 4096 already, so [esi, esi + ecx*size) cannot
 * wrap back onto its own page.  ECX = 0 is a hit unless ESI starts a page
 * (the "last byte" is then on the page before).                       */
static uint8_t *gen_string_tlb(int size, int is_write, int mmu)
{
    gen_tlb_slot();
    emit_lea_sib(4, T_CMP, RSI, RCX, elem_scale(size), -1);    /* the last byte's page */
    emit_alu_imm(4, oreg(T_CMP), PAGE_MASK, 4);
    uint8_t *field = gen_tlb_tag_check(tlb_tag_field(mmu, is_write));
    gen_tlb_add_addend(mmu);
    return field;
}

/* REP STOS and REP MOVS in flat segments, forward, on one page each: the
 * host's own REP STOS or REP MOVS on the host addresses the TLB gives,
 * which is the guest's instruction exactly (overlapping copies included:
 * the host CPU runs REP MOVS as element after element too).  Anything
 * else (DF set, a string on two pages, a TLB miss, MMIO, a page with
 * code, more than 4096 elements) goes to helper_string, and so do the
 * faults, which it raises with ECX, ESI and EDI right for the restart.
 * Small strings are the common case (a compiler's inline memset of a
 * struct), and the helper's call costs many times their bytes.
 *     cmp dword [rbp+df], 1; jne helper; cmp ecx, 4096; ja helper
 *     mov esi, edi; <gen_string_tlb write>; mov r11, rsi
 *     (MOVS: mov esi, esi_guest; <gen_string_tlb read>)
 *     lea edi_guest, [edi_guest + rcx*size] (and esi_guest)
 *     mov rdi, r11; mov ecx, ecx; rep stos/movs; jmp done
 *     helper: ...; done:                                              */
static void gen_string_rep(Ctx *s, int op, int size)
{
    int seg = s->in.seg == S_NONE ? S_DS : s->in.seg;
    s->ea16 = !s->in.addr32;                    /* as gen_string_addr would */
    if (!s->in.addr32 || (op != STR_STOS && op != STR_MOVS) || !seg_is_flat(s, seg) ||
        !seg_is_flat(s, S_ES) || (s->flags & (HF_SINGLE | HF_TF | HF_AC))) {
        gen_string_helper(s, op, size);
        return;
    }
    flags_clobber(s);                           /* both ways start and end */
    gen_x87_flush(s);                           /* in the same state */
    uint8_t *miss[4];
    emit_alu_imm(7, gcpu(CPU_OFF(df)), 1, 4);
    miss[0] = emit_jcc(CC_NE, NULL);
    emit_alu_imm(7, oreg(RCX), 4096, 4);
    miss[1] = emit_jcc(CC_A, NULL);
    emit_op(4, 0x8b, RSI, oreg(host_reg[R_EDI]));
    miss[2] = gen_string_tlb(size, 1, mmu_index(s));
    emit_op(8, 0x8b, T_SCR, oreg(RSI));
    miss[3] = NULL;
    if (op == STR_MOVS) {
        emit_op(4, 0x8b, RSI, oreg(host_reg[R_ESI]));
        miss[3] = gen_string_tlb(size, 0, mmu_index(s));
        emit_lea_sib(4, host_reg[R_ESI], host_reg[R_ESI], RCX, elem_scale(size), 0);
    }
    emit_lea_sib(4, host_reg[R_EDI], host_reg[R_EDI], RCX, elem_scale(size), 0);
    emit_op(8, 0x8b, RDI, oreg(T_SCR));
    emit_op(4, 0x8b, RCX, oreg(RCX));           /* RCX's high half clear */
    if (size == 2)
        emit8(0x66);
    emit8(0xf3);
    emit8(op == STR_STOS ? (size == 1 ? 0xaa : 0xab) : (size == 1 ? 0xa4 : 0xa5));
    uint8_t *to_done = emit_jmp(NULL);
    for (int i = 0; i < 4; i++)
        if (miss[i])
            patch_rel32(miss[i], p);
    gen_string_helper(s, op, size);
    patch_rel32(to_done, p);
}

/* String instructions: without REP inline; with REP on the host's own
 * REP or in the helper; INS and OUTS in the helper. */
static void gen_string(Ctx *s, int op, int size)
{
    if (op == STR_INS || op == STR_OUTS)
        gen_string_helper(s, op, size);
    else if (s->in.rep)
        gen_string_rep(s, op, size);
    else
        gen_string_inline(s, op, size);
}

/* BT/BTS/BTR/BTC with a register bit offset on memory: the offset selects
 * a unit relative to the effective address (SDM "bit string"), so the
 * address moves by (offset >> 4 or 5) units and the host sees the offset
 * modulo the operand size. */
static void gen_bt_mem_reg(Ctx *s, HostOp *h)
{
    int size = h->size;
    gen_ea(s, &s->in, 0);
    Opnd r = greg(s->in.reg, size);
    if (size == 2)
        emit_op(4, OPC_0F(0xbf), T_VAL, r);            /* movsx r9d, reg16 */
    else
        emit_op(4, 0x8b, T_VAL, r);
    flags_clobber(s);
    emit_op(4, 0xc1, EXT(7), oreg(T_VAL)); emit8(size == 2 ? 4 : 5);   /* sar */
    emit_lea_sib(4, RSI, RSI, T_VAL, size == 2 ? 1 : 2, 0);           /* esi += unit */
    if (!s->in.addr32)
        emit_load(RSI, oreg(RSI), 2);
    emit_load(T_VAL, r, size);
    emit_alu_imm(4, oreg(T_VAL), (uint32_t)size * 8 - 1, 4);
    h->reg = T_VAL;
    gen_mem_op(s, insn_seg(&s->in), h, h->opc == OPC_0F(0xa3) ? MEM_READ : MEM_RMW);
}

static int gen_bt(Ctx *s, int opc, int use_imm)
{
    int size = osz(s);
    HostOp h = use_imm ? hostop(size, opc, EXT(s->in.reg)) : op_greg(size, opc, s->in.reg);
    int is_bt = opc == OPC_0F(0xa3) || (use_imm && s->in.reg == 4);
    h.reads_flags = h.writes_flags = 1;
    h.lock = s->in.lock;
    if (use_imm) {
        h.imm = s->in.imm & ((uint32_t)size * 8 - 1);
        h.imm_size = 1;
    }
    if (s->in.mod != 3 && !use_imm)
        gen_bt_mem_reg(s, &h);
    else
        gen_rm_op(s, &h, is_bt ? MEM_READ : MEM_RMW);
    return 1;
}

/* LDS/LES/LSS/LFS/LGS: offset and selector from memory. */
static int gen_les(Ctx *s, int seg)
{
    if (s->in.mod == 3)
        return 0;
    int size = osz(s);
    gen_ea(s, &s->in, 0);
    emit_op(4, 0x8b, T_VAL2, oreg(RSI));
    gen_load_val(s, insn_seg(&s->in), size, T_VAL);        /* offset, kept */
    emit_lea(4, RSI, T_VAL2, size);
    gen_load_val(s, insn_seg(&s->in), 2, T_VAL2);          /* selector */
    emit_op(8, 0x87, T_VAL, oreg(T_VAL2));                 /* xchg: selector in r9 */
    gen_load_seg_reg(s, seg);
    emit_op(size, 0x8b, greg_n(s->in.reg, size), oreg(T_VAL2));
    if (seg == S_SS)
        s->shadow = 1;
    return 1;
}

/* MOVZX/MOVSX: a byte source AH..BH cannot meet a REX prefix, so a
 * destination of R12..R15 goes through EDI. */
static void gen_movx(Ctx *s)
{
    int op = s->in.op & 0xff, v = osz(s);
    int msize = (op & 1) ? 2 : 1;
    int dst = greg_n(s->in.reg, v);
    int via = (msize == 1 && s->in.mod == 3 && s->in.rm >= 4 && dst >= 8);
    HostOp h = hostop(v == 2 ? 2 : 4, OPC_0F(op), via ? RDI : dst);
    h.msize = msize;
    gen_rm_op(s, &h, MEM_READ);
    if (via)
        emit_op(v, 0x8b, dst, oreg(RDI));
}

/* PUSH Sreg / POP Sreg */
static void gen_push_sreg(Ctx *s, int seg)
{
    /* On a 32-bit push only the low 16 bits are written (as recent CPUs do). */
    int v = osz(s);
    emit_load(T_VAL, gseg_sel(seg), 2);
    gen_sp_offset(s, -v);
    gen_store_val(s, S_SS, 2, T_VAL);
    gen_sp_add(s, -v);
}

static void gen_pop_sreg(Ctx *s, int seg)
{
    gen_peek(s, 2);
    gen_load_seg_reg(s, seg);
    gen_sp_add(s, osz(s));
    if (seg == S_SS)
        s->shadow = 1;          /* the next instruction runs in the SS shadow */
}

/* In real mode a far CALL/RET is two pushes or pops and a segment load:
 * inline.  CS's limit does not change, and its selector is cs_base >> 4.
 * Far CALL: T_VAL2 = new CS, T_VAL = new offset.  Returns 0 in protected
 * mode (the helper does it). */
static int gen_far_call_real(Ctx *s)
{
    int v = osz(s);
    if ((s->flags & HF_PE) && !(s->flags & HF_VM))
        return 0;
    gen_target_val(s);
    gen_sp_offset(s, -v);
    HostOp h = hostop(v, 0xc7, EXT(0));
    h.imm = s->cs_base >> 4;
    h.imm_size = v;
    gen_mem_op(s, S_SS, &h, MEM_WRITE);         /* CS, zero-extended when 32-bit */
    gen_sp_offset(s, -2 * v);
    h.imm = s->in.next;
    gen_mem_op(s, S_SS, &h, MEM_WRITE);         /* return offset */
    gen_sp_add(s, -2 * v);
    emit_mov(4, gcpu(CPU_OFF(eip)), T_VAL);
    emit_op(4, 0x8b, T_VAL, oreg(T_VAL2));
    gen_load_seg_reg(s, S_CS);
    gen_jmp_far(s);
    return 1;
}

static int gen_far_ret_real(Ctx *s, uint32_t imm)
{
    int v = osz(s);
    if ((s->flags & HF_PE) && !(s->flags & HF_VM))
        return 0;
    gen_sp_offset(s, v);
    gen_load_val(s, S_SS, 2, T_VAL2);           /* CS */
    gen_peek(s, v);                             /* offset */
    gen_target_val(s);
    gen_sp_add(s, 2 * v + (int32_t)imm);
    emit_mov(4, gcpu(CPU_OFF(eip)), T_VAL);
    emit_op(4, 0x8b, T_VAL, oreg(T_VAL2));
    gen_load_seg_reg(s, S_CS);
    gen_jmp_far(s);
    return 1;
}

/* ---- The x87 FPU ---------------------------------------------------------------
 * The guest's x87 registers are the host's own (fpu.c, docs/fpu.md): each
 * guest x87 instruction becomes the same host instruction -- a register
 * form byte for byte, a memory form with its operand at [rsi] through
 * gen_mem_op.  Around it the translator adds what the host cannot know:
 *   - #NM when CR0.EM or CR0.TS is set (HF_FPU_NM);
 *   - while the guest unmasks an exception (HF_FPU_UNMASKED), a test of
 *     the host's ES bit before every waiting instruction, which with ES set
 *     goes to helper_fpu_pending (#MF, or FERR# and IRQ13):
 *         fnstsw [rbp+fpu_sw]; test byte [rbp+fpu_sw], 0x80; jnz pending
 *   - the guest's instruction and operand pointers (the host's hold host
 *     addresses): after a non-control instruction with a memory operand,
 *     the operand's offset, as soon as the access can no longer fault --
 *         mov [rbp+fpu_fdp], esi     (a flat segment: between the TLB hit
 *                                     and the add of the host addend)
 *         mov [rbp+fpu_fdp], r9d     (else: r9 = the offset, kept from gen_ea)
 *     -- and the instruction's address, opcode, CS and the operand's
 *     selector only when the TB's code is left (gen_x87_flush).
 * The instructions that move the whole state (FNSTENV FLDENV FNSAVE FRSTOR
 * FXSAVE FXRSTOR FNINIT) are C helpers.  The memory forms' table, x87_mem,
 * stands before the page groups, which read it too. */

/* The register forms (mod 3), by opcode and ModRM byte. */
enum {
    XR_UD,          /* invalid on a Pentium Pro (and #UD on the host too) */
    XR_OP,          /* non-control, waiting: the host runs it as it is */
    XR_FCMOV,       /* ... and reads EFLAGS */
    XR_FCOMI,       /* ... and writes EFLAGS (ZF PF CF; OF SF AF cleared) */
    XR_NOWAIT,      /* FNSTSW AX, FNCLEX, FENI FDISI FSETPM (no-ops): control, never wait */
    XR_FNINIT,
};

static int x87_reg_kind(int op, int modrm)
{
    int lo = modrm & 7, row = modrm & 0xf8;
    switch (op) {
    case 0xd9:
        if ((row == 0xd0 && lo != 0) || modrm == 0xe2 || modrm == 0xe3 || modrm == 0xe6 ||
            modrm == 0xe7 || modrm == 0xef)
            return XR_UD;                       /* D0 is FNOP, D8-DF FSTP1 */
        return XR_OP;
    case 0xda:
        if (modrm < 0xe0)
            return XR_FCMOV;
        return modrm == 0xe9 ? XR_OP : XR_UD;   /* FUCOMPP */
    case 0xdb:
        if (modrm < 0xe0)
            return XR_FCMOV;
        if (modrm == 0xe3)
            return XR_FNINIT;
        if (modrm <= 0xe4)
            return XR_NOWAIT;                   /* FENI FDISI FNCLEX FSETPM */
        if (modrm < 0xe8 || modrm >= 0xf8)
            return XR_UD;
        return XR_FCOMI;                        /* FUCOMI FCOMI */
    case 0xdd:
        return modrm >= 0xf0 ? XR_UD : XR_OP;
    case 0xde:
        return row == 0xd8 && lo != 1 ? XR_UD : XR_OP;     /* D9 is FCOMPP */
    case 0xdf:
        if (modrm == 0xe0)
            return XR_NOWAIT;                   /* FNSTSW AX */
        if (row == 0xe0 || modrm >= 0xf8)
            return XR_UD;
        return row >= 0xe8 ? XR_FCOMI : XR_OP;  /* FUCOMIP FCOMIP; FFREEP FXCH7 FSTP8/9 */
    }
    return XR_OP;                               /* D8, DC: every form */
}

/* #NM for an x87 instruction when CR0.EM or CR0.TS is set; returns 1 if
 * so (the TB ends there). */
static int gen_x87_nm(Ctx *s)
{
    if (!(s->flags & HF_FPU_NM))
        return 0;
    gen_exception(s, EXC_NM);
    return 1;
}

/* Before a waiting x87 instruction: with an exception unmasked, one may
 * be pending (ES) from an earlier instruction. */
static void gen_x87_wait(Ctx *s)
{
    if (!(s->flags & HF_FPU_UNMASKED))
        return;
    flags_clobber(s);
    emit_op(4, 0xdd, EXT(7), gcpu(CPU_OFF(fpu_sw)));          /* fnstsw [rbp+fpu_sw] */
    emit_op(1, 0xf6, EXT(0), gcpu(CPU_OFF(fpu_sw)));          /* test byte [..], ES */
    emit8(0x80);
    Stub *st = add_stub(s, STUB_FPU);
    st->jump_field = emit_jcc(CC_NE, NULL);
}

/* After a non-control x87 instruction: the guest's pointers.  FIP, FOP,
 * FCS and FDS are stored lazily (gen_x87_flush); the operand's offset at
 * once, from T_VAL if fdp_in_val (else gen_mem_op stored it: HostOp.fdp).
 * mem_seg is the memory operand's segment, or S_NONE. */
static void gen_x87_pointers(Ctx *s, int mem_seg, int fdp_in_val)
{
    const Insn *in = &s->in;
    s->x87_ptrs = 1;
    s->x87_eip = in->eip;
    s->x87_fop = (uint32_t)((in->op & 7) << 8 | in->mod << 6 | in->reg << 3 | in->rm);
    if (mem_seg == S_NONE)
        return;
    if (fdp_in_val)
        emit_mov(4, gcpu(CPU_OFF(fpu_fdp)), T_VAL);
    s->x87_fds_seg = mem_seg;
}

/* The helper for an instruction that moves the whole x87 state, at the
 * ModRM memory operand (or none: FNINIT).  Those that may change the
 * control word end the TB, whose code depends on HF_FPU_UNMASKED. */
static void gen_x87_state(Ctx *s, int op)
{
    int seg = S_DS;
    if (op != FPU_FNINIT) {
        gen_ea(s, &s->in, 0);
        emit_op(4, 0x8b, T_VAL, oreg(RSI));
        seg = insn_seg(&s->in);
    } else {
        emit_mov_ri(T_VAL, 0);
    }
    gen_helper_val(s, (void *)helper_fpu_state, FPU_DESC(op, seg, osz(s) == 4), 0);
    if (op != FPU_FXSAVE && op != FPU_FNSTENV) {
        s->x87_ptrs = 0;                    /* the helper set them */
        s->x87_fds_seg = S_NONE;
    }
    if (op != FPU_FXSAVE) {
        gen_set_eip(s->in.next);
        gen_exit_dispatch(s);
    }
}

/* FLDCW: if the new mask bits differ from those this TB was translated
 * for, leave it (new hflags); gcc's FNSTCW/FLDCW/FISTP/FLDCW around every
 * float-to-int conversion never changes them.  The operand's low byte was
 * read into R8 just before the FLDCW (HostOp.peek, in the fast and the
 * slow path alike): read after it, on the AMD hosts we measured, it cost a
 * stall of a hundred cycles.
 *   movzx r8d, byte [rsi]; fldcw [rsi]; and r8d, 0x3f; cmp r8d, 0x3f; jne/je stub */
static void gen_x87_fldcw_check(Ctx *s)
{
    int unmasked = (s->flags & HF_FPU_UNMASKED) != 0;
    flags_clobber(s);
    emit_alu_imm(4, oreg(T_CMP), 0x3f, 4);
    emit_alu_imm(7, oreg(T_CMP), 0x3f, 4);
    Stub *st = add_stub(s, STUB_FPU_CW);
    st->eip = s->in.next;
    st->vector = !unmasked;
    st->jump_field = emit_jcc(unmasked ? CC_E : CC_NE, NULL);
}

/* A memory form of D8-DF. */
static int gen_x87_mem(Ctx *s)
{
    const Insn *in = &s->in;
    X87Mem m = x87_mem[in->op - 0xd8][in->reg];
    if (m.kind == XM_UD)
        return 0;
    if (gen_x87_nm(s))
        return 1;
    if (m.kind != XM_NOWAIT_ST && !(m.kind == XM_STATE && (m.state_op == FPU_FNSTENV ||
                                                           m.state_op == FPU_FNSAVE)))
        gen_x87_wait(s);
    if (m.kind == XM_STATE) {
        gen_x87_state(s, m.state_op);
        return 1;
    }
    int seg = insn_seg(in);
    HostOp h = hostop(4, in->op, EXT(in->reg));
    h.msize = m.size;
    h.align = m.align;
    h.peek = m.kind == XM_FLDCW;
    gen_ea(s, in, 0);
    int ptrs = m.kind == XM_READ || m.kind == XM_WRITE;
    int fdp_in_val = ptrs && !seg_is_flat(s, seg);
    h.fdp = ptrs && !fdp_in_val;                /* a flat segment: the linear address */
    if (fdp_in_val)
        emit_op(4, 0x8b, T_VAL, oreg(RSI));                 /* the offset, for FDP */
    /* with an exception unmasked a store may leave memory unwritten: the
     * slow path reads the operand first, so that its write-back keeps it */
    int mode = m.kind == XM_READ || m.kind == XM_FLDCW ? MEM_READ :
               m.kind == XM_WRITE && (s->flags & HF_FPU_UNMASKED) ? MEM_RMW : MEM_WRITE;
    gen_modrm_mem_op(s, &h, mode, 1);
    if (ptrs)
        gen_x87_pointers(s, seg, fdp_in_val);
    if (m.kind == XM_FLDCW)
        gen_x87_fldcw_check(s);
    return 1;
}

/* A register form of D8-DF. */
static int gen_x87_reg(Ctx *s)
{
    const Insn *in = &s->in;
    int modrm = 0xc0 | in->reg << 3 | in->rm;
    int kind = x87_reg_kind(in->op, modrm);
    if (kind == XR_UD)
        return 0;
    if (gen_x87_nm(s))
        return 1;
    if (kind != XR_NOWAIT && kind != XR_FNINIT)
        gen_x87_wait(s);
    switch (kind) {
    case XR_FNINIT:
        gen_x87_state(s, FPU_FNINIT);
        return 1;
    case XR_NOWAIT:
        if (modrm == 0xe2 || modrm == 0xe0) {   /* FNCLEX, FNSTSW AX */
            emit8(in->op);
            emit8(modrm);
        }
        if (modrm == 0xe2)                      /* FERR# goes, and IGNNE# with it */
            emit_store_imm(gcpu(CPU_OFF(fpu_ignne)), 0, 4);
        return 1;
    case XR_FCMOV:
        flags_need(s);
        break;
    }
    emit8(in->op);
    emit8(modrm);
    if (kind == XR_FCOMI)
        s->fl = FL_DIRTY;
    gen_x87_pointers(s, S_NONE, 0);
    return 1;
}

static int gen_x87(Ctx *s)
{
    return s->in.mod == 3 ? gen_x87_reg(s) : gen_x87_mem(s);
}

/* WAIT/FWAIT: #NM with CR0.TS and CR0.MP; else a check for a pending
 * exception, if one can be. */
static void gen_fwait(Ctx *s)
{
    if (s->flags & HF_WAIT_NM)
        gen_exception(s, EXC_NM);
    else
        gen_x87_wait(s);
}

/* FXSAVE / FXRSTOR (0F AE /0 /1). */
static int gen_fxsave(Ctx *s)
{
    if (s->in.mod == 3 || s->in.reg > 1)
        return 0;
    if (gen_x87_nm(s))
        return 1;
    gen_x87_state(s, s->in.reg == 0 ? FPU_FXSAVE : FPU_FXRSTOR);
    return 1;
}

/* ---- The instruction switch --------------------------------------------------- */

static int gen_0f(Ctx *s);
static int gen_misc(Ctx *s);

/* Translate s->in.  Returns 0 for an invalid opcode (#UD emitted by caller). */
static int gen_insn(Ctx *s)
{
    Insn *in = &s->in;
    int op = in->op, v = in->opsize;

    if (in->lock && !lock_ok(s))
        return 0;
    if (op > 0xff)
        return gen_0f(s);
    if (op < 0x40 && (op & 7) < 4) {            /* ALU E,G / G,E */
        gen_alu(s, (op & 1) ? v : 1);
        return 1;
    }
    if (op < 0x40 && (op & 7) < 6) {            /* ALU acc, imm */
        gen_alu_acc_imm(s, op >> 3, (op & 1) ? v : 1);
        return 1;
    }
    if (op >= 0x40 && op <= 0x4f) {             /* inc/dec reg: FF /0 /1 */
        HostOp h = hostop(v, 0xff, EXT((op >> 3) & 1));
        h.reads_flags = flags_dead_after(s) ? READS_NONE : READS_CF;
        h.writes_flags = 1;
        gen_hostop(s, &h, greg(op & 7, v));
        return 1;
    }
    if (op >= 0x50 && op <= 0x57) {
        gen_push_reg(s, greg_n(op & 7, v), v);
        return 1;
    }
    if (op >= 0x58 && op <= 0x5f && v == 4 && op != 0x5c) {    /* pop r32: straight in */
        HostOp h = load_op(4, host_reg[op & 7]);
        gen_stack_op(s, 0, &h, MEM_READ);       /* a fault leaves the register as it was */
        gen_sp_defer(s, 4);
        return 1;
    }
    if (op >= 0x58 && op <= 0x5f) {             /* pop reg: POP SP gets the value */
        gen_peek(s, v);
        gen_sp_add(s, v);
        emit_op(v, 0x8b, greg_n(op & 7, v), oreg(T_VAL));
        return 1;
    }
    if (op >= 0x70 && op <= 0x7f) {
        gen_jcc(s, op & 15, eip_mask(s, in->next + in->imm));
        return 1;
    }
    if (op >= 0x91 && op <= 0x97) {             /* xchg eax, reg */
        emit_op(v, 0x87, RAX, greg(op & 7, v));
        return 1;
    }
    if (op >= 0xb0 && op <= 0xb7) {
        emit_op(1, 0xc6, EXT(0), greg(op & 7, 1));
        emit8(in->imm);
        return 1;
    }
    if (op >= 0xb8 && op <= 0xbf) {
        emit_op(v, 0xc7, EXT(0), greg(op & 7, v));
        emit_imm(in->imm, v);
        return 1;
    }
    return gen_misc(s);
}

static int gen_misc(Ctx *s)
{
    Insn *in = &s->in;
    int op = in->op, v = in->opsize, b;
    HostOp h;

    switch (op) {
    case 0x06: case 0x0e: case 0x16: case 0x1e:
        gen_push_sreg(s, op >> 3);
        return 1;
    case 0x07: case 0x17: case 0x1f:
        gen_pop_sreg(s, op >> 3);
        return 1;
    case 0x27: case 0x2f: case 0x37: case 0x3f:          /* DAA DAS AAA AAS */
        gen_helper_2(s, (void *)helper_bcd, op, 0);
        return 1;
    case 0xd4: case 0xd5:                                /* AAM AAD */
        gen_helper_2(s, (void *)helper_bcd, op, in->imm & 0xff);
        return 1;
    case 0xd6:                                           /* SALC: al = CF ? 0xff : 0 */
        flags_need(s);
        flags_clobber(s);
        emit_op(1, OPC_0F(0x92), EXT(0), greg(R_EAX, 1));    /* setb al */
        emit_op(1, 0xf6, EXT(3), greg(R_EAX, 1));            /* neg al */
        return 1;
    case 0x60: gen_helper_1(s, (void *)helper_pusha, v == 4); return 1;
    case 0x61: gen_helper_1(s, (void *)helper_popa, v == 4); return 1;
    case 0x62:                                           /* bound */
        if (in->mod == 3)
            return 0;
        gen_ea(s, in, 0);
        emit_op(4, 0x8b, T_VAL, oreg(RSI));
        gen_helper_prep(s);
        emit_op(4, 0x8b, RSI, oreg(T_VAL));
        emit_mov_ri(RDX, (uint32_t)in->reg);
        emit_mov_ri(RCX, (uint32_t)(insn_seg(in) << 1) | (v == 4));
        gen_helper_call(s, (void *)helper_bound);
        return 1;
    case 0x63:
        return gen_arpl(s);
    case 0x68: case 0x6a:
        gen_push_imm(s, in->imm, v);
        return 1;
    case 0x69: case 0x6b:                                /* imul G, E, imm */
        h = op_greg(v, op, in->reg);
        h.imm = in->imm;
        h.imm_size = op == 0x6b ? 1 : v;
        gen_imul(s, &h);
        return 1;
    case 0x6c: gen_string(s, STR_INS, 1); return 1;
    case 0x6d: gen_string(s, STR_INS, v); return 1;
    case 0x6e: gen_string(s, STR_OUTS, 1); return 1;
    case 0x6f: gen_string(s, STR_OUTS, v); return 1;
    case 0x80: case 0x82:
        gen_alu_imm(s, 1);
        return 1;
    case 0x81: case 0x83:
        gen_alu_imm(s, v);
        return 1;
    case 0x84: case 0x85:                                /* test E, G */
        h = op_greg(op == 0x84 ? 1 : v, op, in->reg);
        h.reads_flags = alu_reads(4);
        h.writes_flags = 1;
        gen_rm_op(s, &h, MEM_READ);
        return 1;
    case 0x86: case 0x87:                                /* xchg E, G */
        h = op_greg(op == 0x86 ? 1 : v, op, in->reg);
        gen_rm_op(s, &h, MEM_RMW);
        return 1;
    case 0x88: case 0x89: case 0x8a: case 0x8b:          /* mov */
        h = op_greg((op & 1) ? v : 1, op, in->reg);
        gen_rm_op(s, &h, op < 0x8a ? MEM_WRITE : MEM_READ);
        return 1;
    case 0x8c:                                           /* mov E, sreg */
        if (in->reg > 5)
            return 0;
        emit_load(T_VAL, gseg_sel(in->reg), 2);
        if (in->mod == 3) {
            emit_op(v, 0x8b, greg_n(in->rm, v), oreg(T_VAL));   /* zero-extends for 32 */
        } else {
            gen_ea(s, in, 0);
            gen_store_val(s, insn_seg(in), 2, T_VAL);
        }
        return 1;
    case 0x8d:                                           /* lea */
        if (in->mod == 3)
            return 0;
        if (in->addr32 && v == 4) {                      /* straight into the register */
            emit_lea_sib(4, greg_n(in->reg, 4), in->base >= 0 ? host_reg[in->base] : -1,
                         in->index >= 0 ? host_reg[in->index] : -1, in->scale, in->disp);
            return 1;
        }
        gen_ea(s, in, 0);
        emit_op(v, 0x8b, greg_n(in->reg, v), oreg(RSI));
        return 1;
    case 0x8e:                                           /* mov sreg, E */
        if (in->reg > 5 || in->reg == S_CS)
            return 0;
        gen_load_rm_val(s, 2);
        gen_load_seg_reg(s, in->reg);
        if (in->reg == S_SS)
            s->shadow = 1;
        return 1;
    case 0x8f:                                           /* pop E */
        if (in->reg != 0)
            return 0;
        gen_peek(s, v);
        if (in->mod == 3) {
            gen_sp_add(s, v);
            emit_op(v, 0x8b, greg_n(in->rm, v), oreg(T_VAL));
        } else {
            /* the address uses ESP after the pop (SDM POP) */
            gen_ea(s, in, in->base == R_ESP ? v : 0);
            gen_store_val(s, insn_seg(in), v, T_VAL);
            gen_sp_add(s, v);
        }
        return 1;
    case 0x90:
        return 1;
    case 0x98: case 0x99:                                /* cbw cwde cwd cdq: host AX/DX */
        if (v == 2)
            emit8(0x66);
        emit8(op);
        return 1;
    case 0x9a:                                           /* call far ptr */
        emit_mov_ri(T_VAL2, in->imm2);
        emit_mov_ri(T_VAL, in->imm);
        if (gen_far_call_real(s))
            return 1;
        gen_helper_prep(s);
        emit_mov_ri(RSI, in->imm2);
        emit_mov_ri(RDX, in->imm);
        emit_mov_ri(RCX, in->next);
        emit_mov_ri(R8, v == 4);
        gen_helper_call(s, (void *)helper_far_call);
        gen_jmp_far(s);
        return 1;
    case 0x9b:
        gen_fwait(s);
        return 1;
    case 0x9c:                                           /* pushf */
        flags_clobber(s);
        emit_load(T_VAL, gcpu(CPU_OFF(cc) + 1), 1);      /* SF ZF AF PF CF */
        emit_alu_imm(4, oreg(T_VAL), F_ARITH & 0xff, 4);
        emit_load(T_CMP, gcpu(CPU_OFF(cc)), 1);          /* OF */
        emit_op(4, 0xc1, EXT(4), oreg(T_CMP)); emit8(11);
        emit_op(4, 0x0b, T_VAL, oreg(T_CMP));
        emit_op(4, 0x0b, T_VAL, gcpu(CPU_OFF(eflags)));
        emit_load(T_CMP, gcpu(CPU_OFF(df)), 4);          /* -1 or 1: the DF bit */
        emit_alu_imm(4, oreg(T_CMP), F_DF, 4);
        emit_op(4, 0x0b, T_VAL, oreg(T_CMP));
        if (v == 4)
            emit_alu_imm(4, oreg(T_VAL), ~(uint32_t)(F_VM | F_RF), 4);
        gen_push_reg(s, T_VAL, v);
        return 1;
    case 0x9d:                                           /* popf */
        gen_peek(s, v);
        gen_sp_add(s, v);
        gen_helper_val(s, (void *)helper_popf, v == 4, 0);
        gen_set_eip(in->next);
        gen_exit_dispatch(s);
        return 1;
    case 0x9e:                                           /* sahf: OF is kept */
        flags_need(s);
        emit8(0x9e);
        s->fl = FL_DIRTY;
        return 1;
    case 0x9f:                                           /* lahf */
        flags_need(s);
        emit8(0x9f);
        return 1;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3: {        /* mov acc, moffs */
        b = (op & 1) ? v : 1;
        int seg = in->seg == S_NONE ? S_DS : in->seg;
        emit_mov_ri(RSI, in->imm);
        s->ea16 = !in->addr32;
        s->ea_const_end = p;
        s->ea_const = in->imm;
        h = hostop(b, op < 0xa2 ? (b == 1 ? 0x8a : 0x8b) : (b == 1 ? 0x88 : 0x89), RAX);
        gen_mem_op(s, seg, &h, op < 0xa2 ? MEM_READ : MEM_WRITE);
        return 1;
    }
    case 0xa4: gen_string(s, STR_MOVS, 1); return 1;
    case 0xa5: gen_string(s, STR_MOVS, v); return 1;
    case 0xa6: gen_string(s, STR_CMPS, 1); return 1;
    case 0xa7: gen_string(s, STR_CMPS, v); return 1;
    case 0xa8: case 0xa9:                                /* test acc, imm */
        b = op == 0xa8 ? 1 : v;
        flags_need_for(s, alu_reads(4));
        emit_op(b, b == 1 ? 0xf6 : 0xf7, EXT(0), greg(R_EAX, b));
        emit_imm(in->imm, b);
        s->fl = FL_DIRTY;
        return 1;
    case 0xaa: gen_string(s, STR_STOS, 1); return 1;
    case 0xab: gen_string(s, STR_STOS, v); return 1;
    case 0xac: gen_string(s, STR_LODS, 1); return 1;
    case 0xad: gen_string(s, STR_LODS, v); return 1;
    case 0xae: gen_string(s, STR_SCAS, 1); return 1;
    case 0xaf: gen_string(s, STR_SCAS, v); return 1;
    case 0xc0: case 0xd0: case 0xd2:
        gen_shift(s, 1);
        return 1;
    case 0xc1: case 0xd1: case 0xd3:
        gen_shift(s, v);
        return 1;
    case 0xc2: case 0xc3:                                /* ret near [imm16] */
        gen_peek(s, v);
        gen_target_val(s);                               /* before SP moves */
        gen_sp_defer(s, v + (int32_t)(op == 0xc2 ? in->imm & 0xffff : 0));
        gen_jmp_val(s);
        return 1;
    case 0xc4: return gen_les(s, S_ES);
    case 0xc5: return gen_les(s, S_DS);
    case 0xc6: case 0xc7:                                /* mov E, imm */
        if (in->reg != 0)
            return 0;
        b = op == 0xc6 ? 1 : v;
        h = hostop(b, op, EXT(0));
        h.imm = in->imm;
        h.imm_size = b;
        gen_rm_op(s, &h, MEM_WRITE);
        return 1;
    case 0xc8:                                           /* enter */
        gen_helper_3(s, (void *)helper_enter, in->imm & 0xffff, in->imm2 & 0xff, v == 4);
        return 1;
    case 0xc9: {                                         /* leave */
        int ss = ss_size(s);
        s->ea16 = !s->ss32;
        emit_load(RSI, greg(R_EBP, ss), ss);
        gen_load_val(s, S_SS, v, T_VAL);
        emit_lea(ss, R12, R13, v);                       /* (E)SP = (E)BP + size */
        emit_op(v, 0x8b, R13, oreg(T_VAL));              /* (E)BP = popped value */
        return 1;
    }
    case 0xca: case 0xcb:                                /* retf [imm16] */
        if (gen_far_ret_real(s, op == 0xca ? in->imm & 0xffff : 0))
            return 1;
        gen_helper_2(s, (void *)helper_far_ret, v == 4, op == 0xca ? in->imm & 0xffff : 0);
        gen_jmp_far(s);
        return 1;
    case 0xcc: case 0xcd: case 0xf1:                     /* int3, int n, int1 */
        gen_helper_2(s, (void *)helper_int,
                     op == 0xcc ? EXC_BP : op == 0xf1 ? EXC_DB | 0x100 : in->imm & 0xff, in->next);
        gen_jmp_far(s);
        return 1;
    case 0xce:
        gen_helper_1(s, (void *)helper_into, in->next);
        gen_jmp_far(s);
        return 1;
    case 0xcf:
        gen_helper_2(s, (void *)helper_iret, v == 4, in->next);
        gen_exit_dispatch(s);
        return 1;
    case 0xd7: {                                         /* xlat: al = [seg:(e)bx + al] */
        int asz = in->addr32 ? 4 : 2;
        emit_load(T_CMP, greg(R_EAX, 1), 1);
        emit_lea_sib(4, RSI, RBX, T_CMP, 0, 0);
        if (asz == 2)
            emit_load(RSI, oreg(RSI), 2);
        s->ea16 = asz == 2;
        h = hostop(1, 0x8a, RAX);
        gen_mem_op(s, in->seg == S_NONE ? S_DS : in->seg, &h, MEM_READ);
        return 1;
    }
    case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
        return gen_x87(s);
    case 0xe0: case 0xe1: case 0xe2: case 0xe3:
        gen_loop(s, eip_mask(s, in->next + in->imm));
        return 1;
    case 0xe4: case 0xe5: case 0xec: case 0xed:          /* in acc, imm8 / dx */
        b = (op & 1) ? v : 1;
        gen_helper_prep(s);
        if (op >= 0xec)
            emit_load(RSI, greg(R_EDX, 2), 2);
        else
            emit_mov_ri(RSI, in->imm & 0xff);
        emit_mov_ri(RDX, b);
        gen_helper_call(s, (void *)helper_in);
        emit_op(b, b == 1 ? 0x8a : 0x8b, RAX, oreg(T_VAL));
        return 1;
    case 0xe6: case 0xe7: case 0xee: case 0xef:          /* out imm8 / dx, acc */
        b = (op & 1) ? v : 1;
        gen_helper_prep(s);
        if (op >= 0xee)
            emit_load(RSI, greg(R_EDX, 2), 2);
        else
            emit_mov_ri(RSI, in->imm & 0xff);
        emit_load(RDX, greg(R_EAX, b), b);
        emit_mov_ri(RCX, b);
        gen_helper_call(s, (void *)helper_out);
        return 1;
    case 0xe8: {                                         /* call near */
        uint32_t target = eip_mask(s, in->next + in->imm);
        int thunk = thunk_at(s, in, target, 1);
        if (thunk >= 0) {
            gen_call_thunk(s, thunk);
            return 1;
        }
        if (!gen_check_target(s, target))
            return 1;
        gen_push_imm(s, in->next, v);
        if (gen_run_on(s, target))              /* a call forward: on into the callee */
            return 1;
        gen_goto_tb(s, 0, target);
        s->ended = 1;
        return 1;
    }
    case 0xe9: case 0xeb:
        gen_jmp(s, eip_mask(s, in->next + in->imm));
        return 1;
    case 0xea:                                           /* jmp far ptr */
        gen_helper_3(s, (void *)helper_far_jmp, in->imm2, in->imm, in->next);
        gen_jmp_far(s);
        return 1;
    case 0xf4:
        gen_helper_1(s, (void *)helper_hlt, in->next);
        gen_exit_dispatch(s);
        return 1;
    case 0xf5: case 0xf8: case 0xf9:                     /* cmc clc stc */
        flags_need(s);
        emit8(op);
        s->fl = FL_DIRTY;
        return 1;
    case 0xf6: return gen_group3(s, 1);
    case 0xf7: return gen_group3(s, v);
    case 0xfa: case 0xfb:                                /* cli sti */
        gen_helper_2(s, (void *)helper_set_if, op == 0xfb ? F_IF : 0, F_IF);
        if (op == 0xfb) {
            gen_set_eip(in->next);
            gen_exit_dispatch(s);
        }
        return 1;
    case 0xfc: case 0xfd:                                /* cld std */
        emit_store_imm(gcpu(CPU_OFF(df)), op == 0xfd ? (uint32_t)-1 : 1, 4);
        return 1;
    case 0xfe: return gen_group5(s, 1);
    case 0xff: return gen_group5(s, v);
    }
    return 0;
}

/* Privileged instructions (CPL 0 only) raise #GP(0) elsewhere; in real
 * mode CPL is 0.  Returns 1 when the fault was emitted. */
static int gen_priv_check(Ctx *s)
{
    if ((s->flags & HF_CPL_MASK) == 0)
        return 0;
    gen_exception(s, EXC_GP);
    return 1;
}

/* Instructions that exist only in protected mode proper (#UD in real and
 * virtual-8086 mode): LAR LSL ARPL and group 6. */
static int prot_only(const Ctx *s)
{
    return (s->flags & HF_PE) && !(s->flags & HF_VM);
}

/* Store a 16-bit value from T_VAL to r/m (a register gets it
 * zero-extended to the operand size). */
static void gen_store_rm16(Ctx *s)
{
    if (s->in.mod == 3) {
        emit_op(osz(s), 0x8b, greg_n(s->in.rm, osz(s)), oreg(T_VAL));
        return;
    }
    gen_ea(s, &s->in, 0);
    gen_store_val(s, insn_seg(&s->in), 2, T_VAL);
}

/* Group 6 (0F 00): SLDT STR LLDT LTR VERR VERW. */
static int gen_group6(Ctx *s)
{
    int reg = s->in.reg;
    if (!prot_only(s) || reg > 5)
        return 0;
    if (reg < 2) {                                       /* sldt str */
        emit_load(T_VAL, omem(RBP, reg == 0 ? CPU_OFF(ldtr.sel) : CPU_OFF(tr.sel)), 2);
        gen_store_rm16(s);
        return 1;
    }
    if (reg < 4 && gen_priv_check(s))
        return 1;
    static const int ops[6] = { 0, 0, SYS_LLDT, SYS_LTR, SYS_VERR, SYS_VERW };
    gen_load_rm_val(s, 2);
    gen_helper_val(s, (void *)helper_sys, (uint32_t)ops[reg], 0);
    return 1;
}

/* LAR / LSL: the helper writes the register and ZF. */
static int gen_lar_lsl(Ctx *s, int op)
{
    if (!prot_only(s))
        return 0;
    gen_load_rm_val(s, 2);
    gen_helper_prep(s);
    emit_mov_ri(RSI, (uint32_t)op);
    emit_op(4, 0x8b, RDX, oreg(T_VAL));
    emit_mov_ri(RCX, ((uint32_t)s->in.reg << 8) | (uint32_t)osz(s));
    gen_helper_call(s, (void *)helper_lar_lsl);
    return 1;
}

/* ARPL r/m16, r16: raise the RPL of the destination to the source's. */
static int gen_arpl(Ctx *s)
{
    if (!prot_only(s))
        return 0;
    gen_load_rm_val(s, 2);
    gen_helper_prep(s);
    emit_op(4, 0x8b, RSI, oreg(T_VAL));
    emit_load(RDX, greg(s->in.reg, 2), 2);
    gen_helper_call(s, (void *)helper_arpl);
    if (s->in.mod == 3) {
        emit_op(2, 0x8b, greg_n(s->in.rm, 2), oreg(T_VAL));
    } else {
        gen_ea(s, &s->in, 0);
        gen_store_val(s, insn_seg(&s->in), 2, T_VAL);
    }
    return 1;
}

/* The 0F map. */
static int gen_0f(Ctx *s)
{
    Insn *in = &s->in;
    int op = in->op & 0xff, v = in->opsize;
    HostOp h;

    if (op >= 0x80 && op <= 0x8f) {
        gen_jcc(s, op & 15, eip_mask(s, in->next + in->imm));
        return 1;
    }
    if (op >= 0x90 && op <= 0x9f) {                     /* setcc */
        h = hostop(1, in->op, EXT(0));
        h.reads_flags = 1;
        gen_rm_op(s, &h, MEM_WRITE);
        return 1;
    }
    if (op >= 0x40 && op <= 0x4f) {                     /* cmovcc */
        h = op_greg(v, in->op, in->reg);
        h.reads_flags = 1;
        gen_rm_op(s, &h, MEM_READ);
        return 1;
    }
    if (op >= 0xc8 && op <= 0xcf) {                     /* bswap (16-bit: as the host does) */
        int r = host_reg[op & 7];
        if (v == 2)
            emit8(0x66);
        if (r >= 8)
            emit8(0x41);
        emit8(0x0f);
        emit8(0xc8 + (r & 7));
        return 1;
    }
    switch (op) {
    case 0x00:
        return gen_group6(s);
    case 0x02: case 0x03:
        return gen_lar_lsl(s, op);
    case 0x01:                                           /* group 7 */
        switch (in->reg) {
        case 0: case 1: case 2: case 3:                  /* sgdt sidt lgdt lidt */
            if (in->mod == 3)
                return 0;
            if (in->reg >= 2 && gen_priv_check(s))
                return 1;
            gen_ea(s, in, 0);
            emit_op(4, 0x8b, T_VAL, oreg(RSI));
            gen_helper_prep(s);
            emit_mov_ri(RSI, in->reg);
            emit_op(4, 0x8b, RDX, oreg(T_VAL));
            emit_mov_ri(RCX, (uint32_t)(insn_seg(in) << 1) | (v == 4));
            gen_helper_call(s, in->reg < 2 ? (void *)helper_sidt_sgdt : (void *)helper_lidt_lgdt);
            return 1;
        case 4:                                          /* smsw */
            emit_load(T_VAL, gcpu(CPU_OFF(cr)), 4);
            if (in->mod == 3) {
                emit_op(v, 0x8b, greg_n(in->rm, v), oreg(T_VAL));
            } else {
                gen_ea(s, in, 0);
                gen_store_val(s, insn_seg(in), 2, T_VAL);
            }
            return 1;
        case 7:                                          /* invlpg */
            if (in->mod == 3)
                return 0;
            if (gen_priv_check(s))
                return 1;
            gen_ea(s, in, 0);
            emit_op(4, 0x03, RSI, gseg_base(insn_seg(in)));
            emit_op(4, 0x8b, T_VAL, oreg(RSI));
            gen_helper_val(s, (void *)helper_invlpg, 0, 0);
            gen_set_eip(in->next);
            gen_exit_dispatch(s);
            return 1;
        case 6:                                          /* lmsw */
            if (gen_priv_check(s))
                return 1;
            gen_load_rm_val(s, 2);
            gen_helper_val(s, (void *)helper_lmsw, 0, 0);
            gen_set_eip(in->next);
            gen_exit_dispatch(s);
            return 1;
        }
        return 0;
    case 0x06:                                           /* clts: HF_FPU_NM may change */
        if (!gen_priv_check(s)) {
            gen_helper_1(s, (void *)helper_clts, 0);
            gen_set_eip(in->next);
            gen_exit_dispatch(s);
        }
        return 1;
    case 0xae:
        if (in->mod == 3 && in->reg >= 5) {             /* lfence mfence sfence */
            /* The same fence on the host: vCPUs are host threads.  SSE2's,
             * but Linux's TSC-deadline timer code runs MFENCE whatever the
             * other CPUID bits say, as every CPU with the timer has it. */
            emit8(0x0f); emit8(0xae); emit8((uint8_t)(0xe8 | (in->reg - 5) << 3));
            return 1;
        }
        return gen_fxsave(s);
    case 0x08: case 0x09:                                /* invd wbinvd */
        gen_priv_check(s);
        return 1;
    case 0x30: case 0x32:                                /* wrmsr rdmsr */
        if (!gen_priv_check(s))
            gen_helper_1(s, op == 0x30 ? (void *)helper_wrmsr : (void *)helper_rdmsr, 0);
        return 1;
    case 0x33:                                           /* rdpmc: no counters */
        gen_exception(s, EXC_GP);
        return 1;
    case 0x34: case 0x35:                                /* sysenter sysexit */
        gen_helper_1(s, op == 0x34 ? (void *)helper_sysenter : (void *)helper_sysexit, 0);
        gen_jmp_far(s);
        return 1;
    case 0xc7:                                           /* cmpxchg8b m64 */
        if (in->reg != 1 || in->mod == 3)
            return 0;
        h = hostop(4, OPC_0F(0xc7), EXT(1));
        h.msize = 8;
        h.reads_flags = READS_ALL;                       /* only ZF changes */
        h.writes_flags = 1;
        h.lock = in->lock;
        gen_rm_op(s, &h, MEM_RMW);
        return 1;
    case 0x20: case 0x21: case 0x22: case 0x23:
        if (gen_priv_check(s))
            return 1;
        if ((op == 0x21 || op == 0x23) && (in->reg == 4 || in->reg == 5)) {
            if (s->cpu->cr[4] & CR4_DE)
                return 0;                                /* DR4/DR5 with CR4.DE: #UD */
            in->reg += 2;                                /* else aliases of DR6/DR7 */
        }
        break;
    }
    switch (op) {
    case 0x20:                                           /* mov r32, crN */
        if (in->reg == 1 || in->reg > 4)
            return 0;
        emit_load(host_reg[in->rm], gcpu(CPU_OFF(cr) + 4 * in->reg), 4);
        return 1;
    case 0x22:                                           /* mov crN, r32 */
        if (in->reg == 1 || in->reg > 4)
            return 0;
        emit_op(4, 0x8b, T_VAL, greg(in->rm, 4));
        gen_helper_val(s, (void *)helper_mov_cr, in->reg, 0);
        gen_set_eip(in->next);
        gen_exit_dispatch(s);
        return 1;
    case 0x21:                                           /* mov r32, drN */
        emit_load(host_reg[in->rm], gcpu(CPU_OFF(dr) + 4 * in->reg), 4);
        return 1;
    case 0x23:                                           /* mov drN, r32 */
        emit_op(4, 0x8b, T_VAL, greg(in->rm, 4));
        gen_helper_val(s, (void *)helper_mov_dr, in->reg, 0);
        return 1;
    case 0x31:
        gen_helper_1(s, (void *)helper_rdtsc, 0);
        return 1;
    }
    switch (op) {
    case 0xa2:
        gen_helper_1(s, (void *)helper_cpuid, 0);
        return 1;
    case 0xa0: case 0xa8:
        gen_push_sreg(s, op == 0xa0 ? S_FS : S_GS);
        return 1;
    case 0xa1: case 0xa9:
        gen_pop_sreg(s, op == 0xa1 ? S_FS : S_GS);
        return 1;
    case 0xa3: case 0xab: case 0xb3: case 0xbb:
        return gen_bt(s, in->op, 0);
    case 0xba:
        if (in->reg < 4)
            return 0;
        return gen_bt(s, in->op, 1);
    case 0xa4: case 0xa5: case 0xac: case 0xad:          /* shld shrd, count imm or CL */
        h = op_greg(v, in->op, in->reg);
        if (!(op & 1)) {
            h.imm = in->imm & 0xff;
            h.imm_size = 1;
        }
        h.reads_flags = h.writes_flags = 1;
        gen_rm_op(s, &h, MEM_RMW);
        return 1;
    case 0xaf:                                           /* imul G, E */
        h = op_greg(v, in->op, in->reg);
        gen_imul(s, &h);
        return 1;
    case 0xb0: case 0xb1: case 0xc0: case 0xc1:          /* cmpxchg, xadd */
        h = op_greg((op & 1) ? v : 1, in->op, in->reg);
        h.writes_flags = 1;
        h.lock = in->lock;
        gen_rm_op(s, &h, MEM_RMW);
        return 1;
    case 0xb2: return gen_les(s, S_SS);
    case 0xb4: return gen_les(s, S_FS);
    case 0xb5: return gen_les(s, S_GS);
    case 0xb6: case 0xb7: case 0xbe: case 0xbf:
        gen_movx(s);
        return 1;
    case 0xbc: case 0xbd:                                /* bsf bsr: zero source keeps dest */
        h = op_greg(v, in->op, in->reg);
        h.reads_flags = bsf_reads();
        h.writes_flags = 1;
        gen_rm_op(s, &h, MEM_READ);
        return 1;
    }
    return 0;
}

/* ---- Logging (-d in_asm, out_asm) --------------------------------------------- */

/* One guest instruction as objdump shows it: CS:EIP, its bytes, and its
 * AT&T disassembly from disas.c (jump targets are offsets in CS). */
static void log_insn(const Ctx *s)
{
    const Insn *in = &s->in;
    char hex[16 * 3 + 1] = "", text[128];
    int n = in->len < 16 ? in->len : 16;
    for (int i = 0; i < n; i++)
        snprintf(hex + 3 * i, 4, "%02x ", in->bytes[i]);
    disas_insn(in->bytes, n, in->eip, s->code32, text, sizeof text);
    log_printf("  %04x:%08x  %-21s %s\n", s->cpu->seg[S_CS].sel, in->eip, hex, text);
}

/* Host bytes [from, to) as lines of 16, for docs/out_asm.sh to disassemble. */
static void log_host_bytes(const uint8_t *from, const uint8_t *to)
{
    for (const uint8_t *q = from; q < to; q += 16) {
        log_printf("    %p: ", (const void *)q);
        for (const uint8_t *b = q; b < to && b < q + 16; b++)
            log_printf("%02x ", *b);
        log_printf("\n");
    }
}

/* -d out_asm: each guest instruction, then the host code made for it; the
 * block's slow paths and exits last.  docs/out_asm.sh turns the bytes
 * into host instructions. */
static void log_host_code(const TB *tb, const Ctx *s)
{
    log_printf("OUT: [size=%u] host code at %p\n", tb->tc_size, (void *)tb->tc);
    const uint8_t *main_end = s->stubs_start ? s->stubs_start : tb->tc + tb->tc_size;
    const uint8_t *first = s->n_out_log ? s->out_log[0].host : main_end;
    if (first > tb->tc)                 /* nothing comes first now; just in case */
        log_host_bytes(tb->tc, first);
    for (int i = 0; i < s->n_out_log; i++) {
        char text[128];
        disas_insn(s->out_log[i].bytes, s->out_log[i].len, s->out_log[i].eip, s->code32,
                   text, sizeof text);
        log_printf("  %04x:%08x  %s\n", s->cpu->seg[S_CS].sel, s->out_log[i].eip, text);
        log_host_bytes(s->out_log[i].host, i + 1 < s->n_out_log ? s->out_log[i + 1].host : main_end);
    }
    if (main_end < tb->tc + tb->tc_size) {
        log_printf("  -- slow paths and exits\n");
        log_host_bytes(main_end, tb->tc + tb->tc_size);
    }
}

/* ---- TB generation -------------------------------------------------------------- */

static unsigned tb_hash_func(uint32_t phys_pc, uint32_t flags)
{
    uint32_t h = phys_pc * 0x9e3779b1u ^ flags * 0x85ebca6bu;
    return h >> (32 - TB_HASH_BITS);
}

/* The jump cache's empty slot: a TB whose flags match no lookup, so the
 * inline lookup in translated code needs no NULL test. */
static TB jc_empty = { .pc = 0xffffffffu, .flags = TB_FLAGS_INVALID, .sig = TB_SIG_NONE };

void jc_clear(CPU *cpu)
{
    for (int i = 0; i < JC_SIZE; i++)
        cpu->jc[i] = &jc_empty;
    cpu->jc_nlocal = 0;
    cpu->jc_nfar = 0;
    memset(cpu->jc_large, 0, sizeof(cpu->jc_large));
}

/* MOV CR3: forget the jump-cache entries of code that was not on global
 * pages when it was cached.  Global pages keep their TLB entries across
 * MOV CR3, and the architecture lets them stay cached until INVLPG or a
 * CR4.PGE change (which empty the whole jump cache), so the kernel's
 * blocks survive a process switch.  Only the slots listed since the last
 * flush are looked at: Linux's text_poke switches CR3 twice per patched
 * instruction, thousands of times while it boots. */
void jc_flush_local(CPU *cpu)
{
    if (cpu->jc_nlocal > JC_SIZE) {
        for (int i = 0; i < JC_SIZE; i++)
            if (!cpu->jc_global[i])
                cpu->jc[i] = &jc_empty;
    } else {
        for (int k = 0; k < cpu->jc_nlocal; k++)
            if (!cpu->jc_global[cpu->jc_local[k]])
                cpu->jc[cpu->jc_local[k]] = &jc_empty;
    }
    cpu->jc_nlocal = 0;
}

/* Note that slot j holds a TB on non-global pages (for jc_flush_local). */
static void jc_note_local(CPU *cpu, unsigned j)
{
    if (cpu->jc_nlocal < JC_SIZE)
        cpu->jc_local[cpu->jc_nlocal++] = (uint16_t)j;
    else
        cpu->jc_nlocal = JC_SIZE + 1;
}

/* Is tb's second page one that INVLPG's look at the slots of its first
 * page and the page before cannot see (jc_flush_page)? */
static int tb_page2_far(const TB *tb)
{
    return tb->phys[1] != 0xffffffffu && tb->page2 != (tb->pc & PAGE_MASK) + PAGE_SIZE;
}

/* Note that slot j holds such a TB. */
static void jc_note_far(CPU *cpu, unsigned j)
{
    if (cpu->jc_nfar < JC_FAR_MAX)
        cpu->jc_far[cpu->jc_nfar++] = (uint16_t)j;
    else
        cpu->jc_nfar = JC_FAR_MAX + 1;
}

/* Put tb in the jump cache at slot j.  Slots j and j^1 are a pair, both
 * looked at (tb_find, gen_tb_jc_second): what slot j held moves to j^1,
 * so two TBs that hash alike no longer take turns leaving translated code. */
static void jc_set(CPU *cpu, unsigned j, TB *tb)
{
    if (cpu->jc[j] != &jc_empty && cpu->jc[j] != tb) {
        cpu->jc[j ^ 1] = cpu->jc[j];
        cpu->jc_global[j ^ 1] = cpu->jc_global[j];
        if (!cpu->jc_global[j ^ 1])
            jc_note_local(cpu, j ^ 1);
        if (tb_page2_far(cpu->jc[j ^ 1]))
            jc_note_far(cpu, j ^ 1);
    }
    /* another vCPU may invalidate tb meanwhile (then nothing matches it) */
    int mmu = mmu_of_flags(__atomic_load_n(&tb->flags, __ATOMIC_RELAXED));
    uint32_t first = tb->pc & PAGE_MASK, last = tb->phys[1] != 0xffffffffu ? tb->page2 : first;
    int global = tlb_code_global(cpu, first, mmu) && (last == first || tlb_code_global(cpu, last, mmu));
    cpu->jc_global[j] = (uint8_t)global;
    if (!global)
        jc_note_local(cpu, j);
    if (tb_page2_far(tb))
        jc_note_far(cpu, j);
    if (cpu->tlb_large)
        for (uint32_t page = first;; page = last) {
            if (tlb_code_maybe_large(cpu, page, mmu))
                cpu->jc_large[page >> 27] |= 1u << (page >> 22 & 31);
            if (page == last)
                break;
        }
    cpu->jc[j] = tb;
}

/* The slot of pc: its low 16 bits.  One MOVZX inline, and it leaves the
 * host's flags alone, so a lookup can run with the guest's flags still
 * in them (gen_lookup_hf).  Blocks of one page fill 4,096 neighbouring
 * slots, and only code 64 KiB apart competes for a pair.  (A hash of
 * (pc ^ pc >> 12) & 4095 once sent three functions busybox's seq calls
 * for every line it prints to one slot: each call missed, left
 * translated code and looked the TB up in the hash table, 2.4 million
 * times in one `seq | head`; 64K slots in pairs make that unlikely.) */
static unsigned jc_hash(uint32_t pc)
{
    return pc & (JC_SIZE - 1);
}

/* INVLPG: forget the slots that may hold code on the page of `linear`:
 * the page's own 4,096 slots, those of the page before it, whose last
 * blocks may reach into this one, and the listed slots whose TB has its
 * second page elsewhere (jc_note_far).  In a 4 MiB region where cached
 * code came from a 4 MiB page, the whole mapping goes: every slot. */
void jc_flush_page(CPU *cpu, uint32_t linear)
{
    uint32_t page = linear & PAGE_MASK;
    if ((cpu->jc_large[page >> 27] >> (page >> 22 & 31) & 1) || cpu->jc_nfar > JC_FAR_MAX) {
        jc_clear(cpu);
        return;
    }
    for (int k = 0; k < 2; k++) {
        unsigned first = jc_hash(page - (uint32_t)k * PAGE_SIZE);
        for (unsigned i = 0; i < PAGE_SIZE; i++)
            cpu->jc[first + i] = &jc_empty;
    }
    for (int k = 0; k < cpu->jc_nfar; k++) {
        TB *tb = cpu->jc[cpu->jc_far[k]];
        if (tb->phys[1] != 0xffffffffu && tb->page2 == page)
            cpu->jc[cpu->jc_far[k]] = &jc_empty;
    }
}

/* Link tb into the list of TBs on RAM page `page` (slot n of the TB). */
static void tb_link_page(TB *tb, int n, uint32_t phys)
{
    uint32_t page = phys >> PAGE_BITS;
    if (page >= page_count || !phys_ram_ptr(phys))
        return;                             /* ROM or unassigned: never written */
    tb->page_next[n] = (TB *)page_tbs[page];
    __atomic_store_n(&page_tbs[page], (uintptr_t)tb | (uintptr_t)n, __ATOMIC_RELEASE);
    /* Not watched yet, or another vCPU is still making the TLBs watch it:
     * this TB needs the check of tb_publish_checked too. */
    if (!page_watched[page] && n_new_code_pages < 4)
        new_code_pages[n_new_code_pages++] = phys & PAGE_MASK;
}

/* Translate one instruction after the other into a new TB. */
static void tb_translate(Ctx *s)
{
    TB *tb = s->tb;
    int max = (s->flags & (HF_SINGLE | HF_TF)) ? 1 : TB_MAX_INSNS;
    uint32_t start = s->cpu->eip, eip = start;
    uint32_t eip_wrap = s->code32 ? 0xffffffffu : 0xffffu;
    int insns = 0;

    int log_in = (log_mask & LOG_IN_ASM) && log_pc_wanted(tb->pc);
    if (log_in)
        log_printf("IN: %04x:%08x (linear %08x)\n", s->cpu->seg[S_CS].sel, eip, tb->pc);
    for (;;) {
        int npages = s->npages;
        if (!decode(s, eip)) {
            if (insns > 0 || s->fetch_fault < 0) {
                s->npages = npages;             /* end the TB before it */
                s->in.eip = s->in.next = eip;
                gen_goto_tb(s, 0, eip);
                break;
            }
            s->in.next = eip;                   /* the first insn faults */
            gen_helper_prep(s);
            emit_mov_ri(RSI, (uint32_t)s->fetch_fault);
            emit_op(4, 0x31, RDX, oreg(RDX));
            gen_helper_call(s, (void *)helper_raise_err);
            eip = (eip + 1) & eip_wrap;
            insns++;
            break;
        }
        if (insns > 0 && ((s->cs_base + eip) & PAGE_MASK) != (tb->pc & PAGE_MASK)) {
            s->npages = npages;                 /* starts on the next page */
            gen_goto_tb(s, 0, eip);
            break;
        }
        /* A gdb breakpoint: the TB ends before it, and a TB that starts
         * there stops the machine before the instruction runs. */
        if (gdb_breakpoint_at(s->cs_base + eip)) {
            if (insns > 0) {
                s->npages = npages;
                s->in.eip = s->in.next = eip;
                gen_goto_tb(s, 0, eip);
                break;
            }
            tb->last_eip = eip;
            gen_exception(s, EXC_DEBUG_STOP);
            insns++;
            eip = s->in.next;
            break;
        }
        if (log_in)
            log_insn(s);
        if ((log_mask & LOG_OUT_ASM) && s->n_out_log < TB_MAX_INSNS) {
            int k = s->n_out_log++;
            s->out_log[k].host = p;
            s->out_log[k].eip = eip;
            s->out_log[k].len = s->in.len < 16 ? s->in.len : 16;
            memcpy(s->out_log[k].bytes, s->in.bytes, 16);
        }
        tb->last_eip = eip;
        s->insns = insns + 1;
        int in_shadow = s->shadow;
        s->in_shadow = in_shadow;
        s->shadow = 0;
        if (s->sp_pending && !sp_insn_keeps_pending(&s->in))
            gen_sp_sync(s);
        s->edge_from = eip;
        if (!gen_insn(s)) {
            if (log_mask & LOG_UNIMP)
                log_printf("unimp: #UD for opcode %02x %02x at %04x:%08x\n", s->in.bytes[0],
                           s->in.bytes[1], s->cpu->seg[S_CS].sel, eip);
            gen_exception(s, EXC_UD);
        }
        insns++;
        eip = s->in.next;
        if (s->ended)
            break;
        if (s->runs_on) {               /* past a JMP or CALL: the gap counts as the TB's bytes */
            s->runs_on = 0;
            for (uint32_t gap = eip; gap != s->run_on_eip; gap++)
                fetch_page_byte(s, 0, s->cs_base + gap);
            eip = s->run_on_eip;
        }
        if (s->end_dynamic) {
            gen_set_eip(eip);
            gen_jmp_far(s);
            break;
        }
        int next_page = ((s->cs_base + eip) & PAGE_MASK) != (tb->pc & PAGE_MASK);
        int full = insns >= max || next_page || p > code_end - TB_CODE_MAX / 2 ||
                   (s->cs_base + eip) - tb->pc > TB_SRC_MAX - 16;   /* after a JMP run on */
        /* an instruction in the MOV SS shadow runs in the same TB */
        if (in_shadow || (full && !s->shadow)) {
            gen_goto_tb(s, 0, eip);
            break;
        }
    }
    s->stubs_start = p;
    gen_stubs(s);
    tb->size = (eip - start) & eip_wrap;
    if (tb->size == 0)
        tb->size = 1;
    tb->ninsns = insns;
}


/* ---- Fault sites -------------------------------------------------------
 * A host instruction that touches a view may fault (a page the guest may
 * not touch, or MMIO: view.c).  view.c's SIGSEGV handler then makes the
 * thread resume at that access's slow path, every register as it was.
 * Where that is comes from a table after each TB's code, pairs of
 * offsets in the TB's code (the access, its slow path), found through
 * the TB that holds the faulting address: TBs lie in the code buffer in
 * the order of tb_pool, so a binary search over the ones published finds
 * it.  (An 8-byte NOP before each access held the distance once: in
 * code heavy in memory operands the NOPs took the host's decode
 * bandwidth, and dropping them gained ~3% on the awk benchmark.) */
static int tb_published;                /* tb_pool entries complete: atomic */

static void tb_put_fault_sites(Ctx *s)
{
    if (s->nfault_sites == 0)
        return;
    if (p - s->tb->tc > 0xffff) {
        fprintf(stderr, "vm: internal error: a block too large for its fault sites\n");
        abort();
    }
    p = (uint8_t *)(((uintptr_t)p + 1) & ~(uintptr_t)1);
    s->tb->fault_sites = (const uint16_t *)(void *)p;
    s->tb->nfault_sites = s->nfault_sites;
    memcpy(p, s->fault_sites, (size_t)s->nfault_sites * sizeof(s->fault_sites[0]));
    p += (size_t)s->nfault_sites * sizeof(s->fault_sites[0]);
}

/* The published TB whose code holds rip, or NULL (then rip is not
 * translated code).  TBs lie in the code buffer in pool order. */
static TB *tb_at(const uint8_t *rip)
{
    int lo = 0, hi = __atomic_load_n(&tb_published, __ATOMIC_ACQUIRE) - 1;
    if (!tcg_code_holds(rip, 1) || hi < 0 || rip < tb_pool[0].tc)
        return NULL;
    while (lo < hi) {                   /* the last TB whose code starts at or before rip */
        int mid = (lo + hi + 1) / 2;
        if (tb_pool[mid].tc <= rip)
            lo = mid;
        else
            hi = mid - 1;
    }
    return &tb_pool[lo];
}

/* The slow path of the view access at rip, or NULL if rip is not one.
 * In the SIGSEGV handler, on the faulting vCPU's thread, which is in
 * translated code: no flush can run; TBs that others add are not looked
 * at until published. */
uint8_t *tcg_fault_resume(const uint8_t *rip)
{
    const TB *tb = tb_at(rip);
    if (!tb)
        return NULL;
    uint32_t off = (uint32_t)(rip - tb->tc);
    for (int i = 0; i < tb->nfault_sites; i++)
        if (tb->fault_sites[2 * i] == off)
            return tb->tc + tb->fault_sites[2 * i + 1];
    return NULL;
}

/* The TB whose helper or slow path is running, for the self-modifying-code
 * check and the watchpoints: found from the host address translated code
 * left in CPU.cur_ret, rather than stored by every slow path (a 64-bit
 * constant and a store each).  Rare: only when a write hits translated
 * code, a watchpoint or a failed page group.  NULL outside translated
 * code (an exception being delivered by cpu_exec). */
TB *tb_running(CPU *cpu)
{
    return cpu->in_tb ? tb_at(cpu->cur_ret) : NULL;
}

/* Translate the code at the CPU's CS:EIP into a new TB and enter it in the
 * hash table and the page lists. */
static TB *tb_gen_code(CPU *cpu, uint32_t pc, uint32_t flags, int no_groups, TBSource *src)
{
    static Ctx ctx;
    Ctx *s = &ctx;
    if (code_ptr > code_end - TB_CODE_MAX || tb_count == tb_max)
        return NULL;                            /* the caller flushes */
    TB *tb = &tb_pool[tb_count++];
    memset(tb, 0, sizeof(*tb));
    tb->pc = pc;
    tb->cs_base = cpu->seg[S_CS].base;
    tb->flags = flags;
    tb->sig = tb->cs_base ? TB_SIG_NONE : pc | (uint64_t)flags << 32;
    tb->tc = code_ptr;
    tb->phys[0] = tb->phys[1] = 0xffffffffu;
    tb->cs_limit = cpu->seg[S_CS].limit;

    memset(s, 0, offsetof(Ctx, stubs));
    s->nstubs = 0;
    s->nfault_sites = 0;
    memset(s->groups, 0, sizeof(s->groups));
    s->group_next = 0;
    s->group_in_reg = -1;
    s->peeking = 0;
    s->no_groups = no_groups;
    s->side_exit = 2;
    s->n_out_log = 0;
    s->stubs_start = NULL;
    s->npages = 0;
    s->cpu = cpu;
    s->tb = tb;
    s->cs_base = tb->cs_base;
    s->flags = flags;
    s->code32 = (flags & HF_CS32) != 0;
    s->ss32 = (flags & HF_SS32) != 0;
    s->fl = FL_MEM;
    s->x87_fds_seg = S_NONE;
    p = code_ptr;
    tb_translate(s);
    tb->tc_size = (uint32_t)(p - tb->tc);
    tb_put_fault_sites(s);
    /* Each TB starts a cache line: where a tight loop's code falls in
     * the host's 64-byte fetch windows moved its speed by a third
     * (tests/bench/smp_bench's CRC loop: 116-129 ms at 16-byte
     * alignment, depending on what was translated before it; 87-97 at
     * 64), for some 30 bytes of padding a block. */
    code_ptr = (uint8_t *)(((uintptr_t)p + 63) & ~(uintptr_t)63);

    for (int i = 0; i < s->npages && i < 2; i++)
        tb->phys[i] = s->page_phys[i];
    tb->phys[0] |= pc & ~PAGE_MASK;
    tb->page2 = s->npages == 2 ? s->page_base[1] : 0;
    tb->thunks = s->nthunks;
    src->nthunks = s->nthunks;
    memcpy(src->thunk_lin, s->thunk_lin, sizeof(src->thunk_lin));
    memcpy(src->thunk_bytes, s->thunk_bytes, sizeof(src->thunk_bytes));
    memcpy(src->bytes, s->src, tb->size < TB_SRC_MAX ? tb->size : TB_SRC_MAX);
    memcpy(src->page_base, s->page_base, sizeof(src->page_base));
    memcpy(src->page_host, s->page_host, sizeof(src->page_host));
    src->npages = s->npages;
    if ((log_mask & LOG_OUT_ASM) && log_pc_wanted(pc))
        log_host_code(tb, s);
    if (perf_map)                               /* perf report names it by guest address */
        fprintf(perf_map, "%lx %x guest %04x:%08x\n", (unsigned long)(uintptr_t)tb->tc,
                tb->tc_size, cpu->seg[S_CS].sel, cpu->eip);
    __atomic_store_n(&tb_published, tb_count, __ATOMIC_RELEASE);
    return tb;
}

/* -perfmap: /tmp/perf-PID.map, the file where perf(1) looks up the names
 * of code that no ELF file describes (JIT code).  One line per TB, written
 * under tb_lock as it is made.  perf takes the first line that covers an
 * address, so a code-buffer flush, which reuses the addresses, starts the
 * file again: it names the code of the last fill, where a long run spends
 * its time.  stdio flushes it at exit. */
FILE *perf_map;

void perfmap_open(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
    perf_map = fopen(path, "w");
    if (!perf_map)
        die("-perfmap: cannot create %s: %s", path, strerror(errno));
}

/* The code every TB shares, at the start of the buffer (gen_prologue):
 * without names perf shows its samples as [unknown]. */
static void perfmap_shared(void)
{
    const struct { const uint8_t *start; const char *name; } part[] = {
        { code_buf, "vm: tb_prologue" }, { tb_epilogue, "vm: tb_epilogue" },
        { tb_jc_exit, "vm: tb_jc_exit" }, { tb_jc_second, "vm: tb_jc_second" },
        { tb_slow_begin[1], "vm: tb_slow_begin" }, { tb_slow_end, "vm: tb_slow_end" },
        { code_gen_start, NULL },
    };
    if (!perf_map || !code_gen_start)
        return;
    for (int i = 0; part[i].name; i++)
        fprintf(perf_map, "%lx %x %s\n", (unsigned long)(uintptr_t)part[i].start,
                (unsigned)(part[i + 1].start - part[i].start), part[i].name);
}

/* The code buffer was flushed (tb_lock): forget the old lines. */
static void perfmap_restart(void)
{
    if (!perf_map)
        return;
    fflush(perf_map);
    if (ftruncate(fileno(perf_map), 0) == 0)
        rewind(perf_map);
    perfmap_shared();
}

static void tb_invalidate(TB *tb);

/* Enter a new TB in the lists of the pages it holds code of, where guest
 * writes find it (tb_lock). */
static void tb_link_pages(TB *tb)
{
    tb_link_page(tb, 0, tb->phys[0]);
    if (tb->phys[1] != 0xffffffffu)
        tb_link_page(tb, 1, tb->phys[1]);
}

/* Publish a TB in the hash table, where vCPUs find it (tb_lock). */
static void tb_hash_insert(TB *tb)
{
    unsigned h = tb_hash_func(tb->phys[0], tb->flags);
    tb->hash_next = tb_hash[h];
    __atomic_store_n(&tb_hash[h], tb, __ATOMIC_RELEASE);    /* readers hold no lock */
}

/* Is the guest byte at linear address lin still b? */
static int src_byte_unchanged(const TBSource *src, uint32_t lin, uint8_t b)
{
    for (int i = 0; i < src->npages; i++)
        if (src->page_base[i] == (lin & PAGE_MASK) && src->page_host[i] &&
            __atomic_load_n(&src->page_host[i][lin & ~PAGE_MASK], __ATOMIC_RELAXED) != b)
            return 0;
    return 1;
}

/* Did the guest bytes a TB was translated from stay as they were? */
static int tb_source_unchanged(const TB *tb, const TBSource *src)
{
    uint32_t n = tb->size < TB_SRC_MAX ? tb->size : TB_SRC_MAX;
    for (uint32_t off = 0; off < n; off++)
        if (!src_byte_unchanged(src, tb->pc + off, src->bytes[off]))
            return 0;
    for (int k = 0; k < src->nthunks; k++)
        for (int j = 0; j < THUNK_LEN; j++)
            if (!src_byte_unchanged(src, src->thunk_lin[k] + (uint32_t)j, src->thunk_bytes[k][j]))
                return 0;
    return 1;
}

/* Look a TB up in the hash table.  Lock-free, in an RCU read section:
 * inserts publish a TB with a release store of the chain head, removals
 * unlink with a release store and leave the removed TB's own hash_next
 * intact, so a reader walking through it still reaches the rest of the
 * chain; a removed TB no longer matches (its flags are TB_FLAGS_INVALID).
 * A TB's memory is reused only by tb_flush, inside an exclusive section,
 * when no vCPU can be in here: for TBs the exclusive section is the grace
 * period. */
static TB *tb_lookup(CPU *cpu, uint32_t pc, uint32_t phys_pc, uint32_t cs_base, uint32_t flags)
{
    int64_t cs_limit = cpu->seg[S_CS].limit;
    TB *tb;
    rcu_read_lock();
    for (tb = __atomic_load_n(&tb_hash[tb_hash_func(phys_pc, flags)], __ATOMIC_ACQUIRE); tb;
         tb = __atomic_load_n(&tb->hash_next, __ATOMIC_ACQUIRE)) {
        if (tb->phys[0] != phys_pc || tb->pc != pc || tb->cs_base != cs_base ||
            __atomic_load_n(&tb->flags, __ATOMIC_RELAXED) != flags)
            continue;
        /* a TB holds code up to the CS limit it was translated for */
        if ((int64_t)cpu->eip + tb->size - 1 > cs_limit ||
            (tb->limit_cut && tb->cs_limit != cs_limit))
            continue;
        if (tb->phys[1] != 0xffffffffu) {
            uint32_t phys2;
            tlb_code_ptr(cpu, tb->page2, &phys2, 0);
            if (phys2 != tb->phys[1])
                continue;
        }
        break;
    }
    rcu_read_unlock();
    return tb;
}

/* The code buffer is full: stop every vCPU and start it afresh.  Another
 * vCPU may have flushed while we waited; then there is room already. */
static void tb_flush_exclusive(CPU *cpu)
{
    if (cpu->in_exclusive) {                /* the others are stopped already */
        tb_flush(cpu);
        return;
    }
    cpu_start_exclusive(cpu);
    if (code_ptr > code_end - TB_CODE_MAX || tb_count == tb_max)
        tb_flush(cpu);
    cpu_end_exclusive(cpu);
}

/* Make every vCPU's TLB watch the pages that just got code, with all of
 * them stopped (their TLBs are their own while they run).  One vCPU needs
 * no exclusive section. */
static void tb_watch_new_pages(CPU *cpu, const uint32_t *pages, int n)
{
    int stop = machine.ncpus > 1 && !cpu->in_exclusive;
    if (stop)
        cpu_start_exclusive(cpu);
    for (int i = 0; i < n; i++)
        tlb_watch_page(pages[i]);
    if (stop)
        cpu_end_exclusive(cpu);
}

/* Every TLB watches these pages now (tb_lock). */
static void tb_mark_watched(const uint32_t *pages, int npages)
{
    for (int i = 0; i < npages; i++)
        page_watched[pages[i] >> PAGE_BITS] = 1;
}

/* A TB on a page that had no code until now.  Another vCPU may have
 * written there through a TLB entry that did not watch the page yet, after
 * we read the bytes: that write invalidated nothing.  Once every TLB
 * watches the page, later writes find the TB in the page list; the earlier
 * ones show as changed bytes.  Publish the TB only if it is still right;
 * else drop it (NULL: translate again). */
static TB *tb_publish_checked(CPU *cpu, TB *tb, const uint32_t *pages, int npages,
                              const TBSource *src, unsigned flushes)
{
    tb_watch_new_pages(cpu, pages, npages);
    tb_lock_acquire();
    if (tb_flush_count != flushes ||
        __atomic_load_n(&tb->flags, __ATOMIC_RELAXED) == TB_FLAGS_INVALID) {
        tb = NULL;                          /* a flush or a write got it */
    } else if (!tb_source_unchanged(tb, src)) {
        tb_invalidate(tb);
        tb = NULL;
    } else {
        tb_mark_watched(pages, npages);     /* tb stayed linked throughout */
        tb_hash_insert(tb);
    }
    tb_lock_release();
    return tb;
}

/* ---- Blocks whose page groups keep failing ----------------------------------
 * A group's check that fails sends the vCPU through cpu_exec to run the
 * block again without groups (tlb_group_host, HF_NOGROUP), once.  Now and
 * then that is a page not yet present or not yet writable.  But a group
 * whose span runs onto a page that is not next to its own in host memory
 * (a stack frame across a page boundary: the stack's pages are scattered)
 * fails every time the block runs: awk spent a quarter of its time so, in
 * the runs where the guest's stack randomization put a hot frame across a
 * boundary.  After NOGROUP_FAILS failures the block is thrown away and its
 * pc translated without groups from then on. */
#define NOGROUP_FAILS 8
#define NOGROUP_SET 1024                /* a power of two */
static uint32_t nogroup_set[NOGROUP_SET];   /* phys pc + 1; 0: empty (tb_lock) */
static int nogroup_n;

static unsigned nogroup_slot(uint32_t phys_pc)
{
    return (phys_pc * 2654435761u) >> (32 - 10) & (NOGROUP_SET - 1);
}

static int nogroup_has(uint32_t phys_pc)
{
    for (unsigned i = nogroup_slot(phys_pc); nogroup_set[i]; i = (i + 1) & (NOGROUP_SET - 1))
        if (nogroup_set[i] == phys_pc + 1)
            return 1;
    return 0;
}

/* Half full: start again (a pc dropped fails its way back in). */
static void nogroup_add(uint32_t phys_pc)
{
    if (phys_pc + 1 == 0 || nogroup_has(phys_pc))
        return;
    if (nogroup_n == NOGROUP_SET / 2) {
        memset(nogroup_set, 0, sizeof(nogroup_set));
        nogroup_n = 0;
    }
    unsigned i = nogroup_slot(phys_pc);
    while (nogroup_set[i])
        i = (i + 1) & (NOGROUP_SET - 1);
    nogroup_set[i] = phys_pc + 1;
    nogroup_n++;
}

/* A group's check failed in the running TB (tlb_group_host). */
void tb_group_failed(CPU *cpu)
{
    TB *tb = tb_running(cpu);
    if (!tb || __atomic_add_fetch(&tb->group_fails, 1, __ATOMIC_RELAXED) != NOGROUP_FAILS)
        return;
    tb_lock_acquire();
    if (__atomic_load_n(&tb->flags, __ATOMIC_RELAXED) != TB_FLAGS_INVALID) {
        nogroup_add(tb->phys[0]);
        tb_invalidate(tb);
    }
    tb_lock_release();
}

/* Find the TB for the CPU's current CS:EIP and mode, translating if needed. */
TB *tb_find(CPU *cpu)
{
    uint32_t cs_base = cpu->seg[S_CS].base;
    uint32_t pc = cs_base + cpu->eip;
    uint32_t flags = cpu->hflags | (cpu->single_insn ? HF_SINGLE : 0);
    if (cpu->nogroup) {                     /* a group's check failed here */
        cpu->nogroup = 0;
        if (cpu->nogroup_pc == pc)
            flags |= HF_NOGROUP;
    }
    unsigned j = jc_hash(pc);
    for (unsigned way = 0; way < 2; way++) {
        TB *tb = cpu->jc[j ^ way];
        if (tb->pc == pc && tb->cs_base == cs_base &&
            __atomic_load_n(&tb->flags, __ATOMIC_RELAXED) == flags) {
            cpu->stats.jc_hits++;
            return tb;
        }
    }
    TB *tb;

    uint32_t phys;
    tlb_code_ptr(cpu, pc, &phys, 1);
    uint32_t phys_pc = phys | (pc & ~PAGE_MASK);
    /* While this vCPU waits for an exclusive section, another may flush
     * the code buffer: then the TB we hold is gone, and we look again. */
    tb = tb_lookup(cpu, pc, phys_pc, cs_base, flags);      /* no lock */
    if (tb) {
        cpu->stats.hash_hits++;
        goto found;
    }
    for (;;) {
        unsigned flushes = __atomic_load_n(&tb_flush_count, __ATOMIC_ACQUIRE);
        uint32_t pages[4];
        int npages = 0;
        TBSource src;
        tb_lock_acquire();
        tb = tb_lookup(cpu, pc, phys_pc, cs_base, flags);  /* someone else may have made it */
        if (!tb) {
            n_new_code_pages = 0;
            tb = tb_gen_code(cpu, pc, flags, nogroup_has(phys_pc), &src);
            if (tb) {
                cpu->stats.translations++;
                tb_link_pages(tb);
                npages = n_new_code_pages;
                memcpy(pages, new_code_pages, sizeof(pages));
                if (npages && machine.ncpus == 1) {     /* no one else to race with */
                    tb_watch_new_pages(cpu, pages, npages);
                    tb_mark_watched(pages, npages);
                    npages = 0;
                }
                if (!npages)
                    tb_hash_insert(tb);
            }
        }
        tb_lock_release();
        if (!tb) {
            tb_flush_exclusive(cpu);
            continue;
        }
        if (npages && !(tb = tb_publish_checked(cpu, tb, pages, npages, &src, flushes)))
            continue;
        if (__atomic_load_n(&tb_flush_count, __ATOMIC_ACQUIRE) == flushes)
            break;
    }
found:
    /* Single-step and one-instruction TBs must return to cpu_exec: they
     * are never entered straight from translated code. */
    if (!(flags & (HF_TF | HF_SINGLE)))
        jc_set(cpu, j, tb);
    return tb;
}

/* Run tb's code (and whatever it chains to); returns what the exit left
 * in RAX: tb|n for an unchained direct exit, or 0. */
uintptr_t tb_run(CPU *cpu, TB *tb)
{
    view_enter(cpu);
    return tb_prologue(cpu, tb->tc);
}

static void tb_add_jump_locked(TB *from, int n, TB *to);

/* Chain exit n of `from` straight to `to`. */
void tb_add_jump(TB *from, int n, TB *to)
{
    tb_lock_acquire();
    tb_add_jump_locked(from, n, to);
    tb_lock_release();
}

static void tb_add_jump_locked(TB *from, int n, TB *to)
{
    /* A TB on two pages is right only while its second page keeps its
     * mapping, which tb_lookup checks and a chained jump would not: jumps
     * to it find it in the jump cache (tb_jc_exit), which MOV CR3 and
     * INVLPG empty. */
    if (!from->jmp_offset[n] || from->jmp_dest[n] || from->flags == TB_FLAGS_INVALID ||
        to->flags == TB_FLAGS_INVALID || to->phys[1] != 0xffffffffu)
        return;
    uint8_t *field = from->tc + from->jmp_offset[n];
    int32_t rel = (int32_t)(to->tc - (field + 4));
    __atomic_store_n((int32_t *)(void *)field, rel, __ATOMIC_RELEASE);
    from->jmp_dest[n] = (uintptr_t)to;
    tb_chain_count++;
    from->jmp_next[n] = to->jmp_incoming;
    to->jmp_incoming = (uintptr_t)from | (uintptr_t)n;
}

/* Undo the chaining of exit n of `from`: jump to its own exit path again. */
static void tb_reset_jump(TB *from, int n)
{
    uint8_t *field = from->tc + from->jmp_offset[n];
    __atomic_store_n((int32_t *)(void *)field, 0, __ATOMIC_RELEASE);
    from->jmp_dest[n] = 0;
}

/* Remove the (tb, n) entry from the incoming list of tb's target. */
static void tb_unlink_outgoing(TB *tb, int n)
{
    TB *dest = (TB *)tb->jmp_dest[n];
    uintptr_t *pp = &dest->jmp_incoming;
    while (*pp) {
        TB *t = (TB *)(*pp & ~(uintptr_t)TB_EXIT_MASK);
        int k = (int)(*pp & TB_EXIT_MASK);
        if (t == tb && k == n) {
            *pp = tb->jmp_next[n];
            return;
        }
        pp = &t->jmp_next[k];
    }
}

static void tb_unlink_page(TB *tb, int n)
{
    uint32_t page = tb->phys[n] >> PAGE_BITS;
    if (tb->phys[n] == 0xffffffffu || page >= page_count)
        return;
    uintptr_t *pp = &page_tbs[page];
    while (*pp) {
        TB *t = (TB *)(*pp & ~(uintptr_t)TB_EXIT_MASK);
        int k = (int)(*pp & TB_EXIT_MASK);
        if (t == tb && k == n) {
            __atomic_store_n(pp, (uintptr_t)tb->page_next[n], __ATOMIC_RELEASE);
            if (!page_tbs[page])
                page_watched[page] = 0;     /* no code: writers unwatch it */
            return;
        }
        pp = (uintptr_t *)&t->page_next[k];
    }
}

/* Invalidate one TB: nobody finds it or jumps into it any more.  Its code
 * stays in the buffer (a vCPU may be running it) until the next flush. */
static void tb_invalidate(TB *tb)
{
    unsigned h = tb_hash_func(tb->phys[0], tb->flags);
    for (TB **pp = &tb_hash[h]; *pp; pp = &(*pp)->hash_next)
        if (*pp == tb) {
            __atomic_store_n(pp, tb->hash_next, __ATOMIC_RELEASE);
            break;
        }
    __atomic_store_n(&tb->flags, TB_FLAGS_INVALID, __ATOMIC_RELAXED);
    __atomic_store_n(&tb->sig, TB_SIG_NONE, __ATOMIC_RELAXED);
    tb_unlink_page(tb, 0);
    tb_unlink_page(tb, 1);
    while (tb->jmp_incoming) {
        TB *from = (TB *)(tb->jmp_incoming & ~(uintptr_t)TB_EXIT_MASK);
        int n = (int)(tb->jmp_incoming & TB_EXIT_MASK);
        tb->jmp_incoming = from->jmp_next[n];
        tb_reset_jump(from, n);
    }
    for (int n = 0; n < TB_EXITS; n++)
        if (tb->jmp_dest[n]) {
            tb_unlink_outgoing(tb, n);
            tb->jmp_dest[n] = 0;
        }
}

/* Guest bytes of tb on the page it holds in slot n, as page offsets. */
static void tb_page_range(const TB *tb, int n, uint32_t *lo, uint32_t *hi)
{
    uint32_t off = tb->pc & ~PAGE_MASK;
    if (tb->thunks) {                   /* and bytes elsewhere on its pages */
        *lo = 0;
        *hi = PAGE_SIZE;
    } else if (n == 0) {
        *lo = off;
        *hi = off + tb->size > PAGE_SIZE ? PAGE_SIZE : off + tb->size;
    } else {
        *lo = 0;
        *hi = off + tb->size - PAGE_SIZE;
    }
}

/* A guest write to physical [start, end) (within one page) is about to
 * happen: invalidate the TBs holding those bytes.  Returns 1 when the TB
 * that is running (tb_running) was among them. */
int tb_invalidate_phys_range(CPU *cpu, uint32_t start, uint32_t end)
{
    uint32_t page = start >> PAGE_BITS;
    int hit_current = 0;
    if (page >= page_count)
        return 0;
    uint32_t lo = start & ~PAGE_MASK, hi = lo + (end - start);
    TB *running = NULL;
    int found = 0;
    tb_lock_acquire();
    uintptr_t e = page_tbs[page];
    while (e) {
        TB *tb = (TB *)(e & ~(uintptr_t)TB_EXIT_MASK);
        int n = (int)(e & TB_EXIT_MASK);
        e = (uintptr_t)tb->page_next[n];
        uint32_t tlo, thi;
        tb_page_range(tb, n, &tlo, &thi);
        if (tlo < hi && lo < thi) {
            if (cpu && !found++)
                running = tb_running(cpu);
            if (tb == running)
                hit_current = 1;
            tb_invalidate(tb);
        }
    }
    tb_lock_release();
    return hit_current;
}

int tb_page_has_code(uint32_t phys_page)
{
    uint32_t page = phys_page >> PAGE_BITS;
    return page < page_count && __atomic_load_n(&page_tbs[page], __ATOMIC_ACQUIRE) != 0;
}

/* Throw every TB away (the code buffer or the TB pool is full).  Inside
 * an exclusive section: no vCPU is in translated code or holds a TB. */
void tb_flush(CPU *cpu)
{
    (void)cpu;
    tb_lock_acquire();
    code_ptr = code_gen_start;
    tb_count = 0;
    __atomic_store_n(&tb_published, 0, __ATOMIC_RELEASE);
    memset(tb_hash, 0, sizeof(tb_hash));
    memset(page_tbs, 0, page_count * sizeof(*page_tbs));
    memset(page_watched, 0, page_count);
    for (int i = 0; i < machine.ncpus; i++)
        jc_clear(machine.cpus[i]);
    __atomic_fetch_add(&tb_flush_count, 1, __ATOMIC_RELEASE);
    perfmap_restart();
    tb_lock_release();
}

/* What the monitor's `info jit` shows of the code buffer (any thread). */
void tb_info(TBInfo *out)
{
    tb_lock_acquire();
    out->live = (unsigned)tb_count;
    out->chained = tb_chain_count;
    out->used = (size_t)(code_ptr - code_gen_start);
    out->size = (size_t)(code_end - code_gen_start);
    tb_lock_release();
}

/* ---- Initialisation: code buffer, prologue and epilogue ----------------------------- */

/* Where a direct jump that is not chained goes (gen_goto_tb), with the
 * target's EIP in CPU.eip and R8 = tb|exit: to cpu_exec, which chains the
 * jump, unless the target is a TB that no jump may be chained to (on two
 * pages, tb_add_jump_locked) and is in the jump cache: then straight to
 * it, as gen_jmp_indirect_cs would.  The jumping TB gives CS base and
 * mode (a direct jump changes neither).  Both slots of the pair: a loop
 * whose head is on two pages went through cpu_exec on every turn while
 * its TB sat in the second slot (8 times an iteration of
 * bench-linux's awk loop).
 *   mov r11, r8; and r11, ~3               the jumping TB
 *   mov esi, [rbp+eip]; add esi, [r11+cs_base]
 *   mov r9, [r11+cs_base]; btr r9, 32+HF_NOGROUP's bit
 *   (emit_jc_slot 0: rdi = the slot's TB; cmp esi, [rdi+pc]; jne way1)
 *   cmp r9, [rdi+cs_base]; jne way1        cs_base and flags at once
 *   cmp dword [rdi+phys[1]], -1; je out    chainable: cpu_exec chains it
 *   jmp [rdi+tc]
 * way1: the same with slot 1, each jne to out
 * out: jmp tb_epilogue                                                   */
static void gen_tb_jc_exit(void)
{
    tb_jc_exit = p;
    emit_op(8, 0x8b, T_SCR, oreg(T_CMP));
    emit_alu_imm(4, oreg(T_SCR), ~(uint32_t)TB_EXIT_MASK, 8);
    emit_load(RSI, gcpu(CPU_OFF(eip)), 4);
    emit_op(4, 0x03, RSI, omem(T_SCR, offsetof(TB, cs_base)));
    emit_load(T_VAL, omem(T_SCR, offsetof(TB, cs_base)), 8);
    emit_op(8, OPC_0F(0xba), EXT(6), oreg(T_VAL));         /* btr r9, imm8 */
    emit8(32 + __builtin_ctz(HF_NOGROUP));
    uint8_t *miss[2][2], *out[2];
    for (int way = 0; way < 2; way++) {
        if (way)
            for (int i = 0; i < 2; i++)
                patch_rel32(miss[0][i], p);
        miss[way][0] = emit_jc_slot(way);
        emit_op(8, 0x3b, T_VAL, omem(RDI, offsetof(TB, cs_base)));
        miss[way][1] = emit_jcc(CC_NE, NULL);
        emit_alu_imm(7, omem(RDI, offsetof(TB, phys) + 4), 0xffffffffu, 4);
        out[way] = emit_jcc(CC_E, NULL);
        emit_op(4, 0xff, EXT(4), omem(RDI, offsetof(TB, tc)));
    }
    for (int i = 0; i < 2; i++) {
        patch_rel32(miss[1][i], p);
        patch_rel32(out[i], p);
    }
    emit_jmp(tb_epilogue);
}

/* Where an inline jump-cache lookup goes when the first slot of the pair
 * is not its TB: the other slot of the pair (jc_set keeps the TB it
 * displaces there), then cpu_exec.  ESI = linear pc, R8 = cs_base and
 * flags as the TB has them, R9 = EIP.
 *   (emit_jc_slot, way 1: jne out)
 *   cmp r8, [rdi+cs_base]; jne out; jmp [rdi+tc]
 * out: mov [rbp+eip], r9d; xor r8d, r8d; jmp tb_epilogue               */
static void gen_tb_jc_second(void)
{
    tb_jc_second = p;
    uint8_t *out[2];
    out[0] = emit_jc_slot(1);
    emit_op(8, 0x3b, T_CMP, omem(RDI, offsetof(TB, cs_base)));
    out[1] = emit_jcc(CC_NE, NULL);
    emit_op(4, 0xff, EXT(4), omem(RDI, offsetof(TB, tc)));
    for (int i = 0; i < 2; i++)
        patch_rel32(out[i], p);
    tb_exit_r9 = p;
    emit_mov(4, gcpu(CPU_OFF(eip)), T_VAL);
    gen_exit_value(0);
}

/* gen_lookup_sig's miss: on to the pair's other slot with what the
 * ordinary lookup's miss has (CS base 0, so EIP = pc); an exit request
 * left in R8's bit 63 makes that miss too, and leave.
 *   mov esi, r8d; mov r9d, r8d; shr r8, 32; shl r8, 32; jmp tb_jc_second */
static void gen_tb_miss_sig(void)
{
    tb_miss_sig = p;
    emit_op(4, 0x8b, RSI, oreg(T_CMP));
    emit_op(4, 0x8b, T_VAL, oreg(T_CMP));
    emit_op(8, 0xc1, EXT(5), oreg(T_CMP)); emit8(32);
    emit_op(8, 0xc1, EXT(4), oreg(T_CMP)); emit8(32);
    emit_jmp(tb_jc_second);
}

/* The C calls of every memory slow path (gen_stub_mem), shared: inline,
 * the spills, reloads, calls and flag saves made a slow path 170-280
 * bytes, most of the code buffer.  Called from translated code (the stack
 * 16-byte aligned before the call), EDI = operand size | mode << 8, ESI =
 * the linear address; returns RSI = the operand's buffer.  Four entries:
 * bit 0 saves the guest's flags from the host's first (a view access
 * faulted with them dirty), bit 1 loads them at the end.
 *   (seto [rbp+cc]; lahf; ...)                 bit 0
 *   mov r8, [rsp]; mov [rbp+cur_ret], r8       for tb_running
 *   (spill the guest registers and the temporaries)
 *   mov edx, edi; and edx, 0xff; shr edi, 8; mov ecx, edi; mov rdi, rbp
 *   lea rsp, [rsp-8]; call tlb_access_begin; lea rsp, [rsp+8]
 *   mov rsi, rax; (reload); (sahf ...)         bit 1
 *   ret
 * tb_slow_end, after a write, keeps the flags the instruction left:
 *   pushfq; (spill); mov rdi, rbp; call tlb_access_end; (reload); popfq; ret */
static void gen_tb_slow_paths(void)
{
    for (int load = 0; load < 2; load++) {
        tb_slow_begin[1 | load << 1] = p;
        emit_flags_save();
        tb_slow_begin[load << 1] = p;
        emit_load(T_CMP, omem(RSP, 0), 8);
        emit_mov(8, gcpu(CPU_OFF(cur_ret)), T_CMP);
        emit_spill();
        emit_spill_temps();
        emit_op(4, 0x8b, RDX, oreg(RDI));
        emit_alu_imm(4, oreg(RDX), 0xff, 4);               /* and edx, 0xff */
        emit_op(4, 0xc1, EXT(5), oreg(RDI)); emit8(8);     /* shr edi, 8 */
        emit_op(4, 0x8b, RCX, oreg(RDI));
        emit_op(8, 0x8b, RDI, oreg(RBP));
        emit_lea(8, RSP, RSP, -8);
        emit_call((void *)tlb_access_begin);
        emit_lea(8, RSP, RSP, 8);
        emit_op(8, 0x8b, RSI, oreg(RAX));
        emit_reload();
        emit_reload_temps();
        if (load)
            emit_flags_load();
        emit8(0xc3);
    }
    tb_slow_end = p;
    emit8(0x9c);                                /* pushfq */
    emit_spill();
    emit_spill_temps();
    emit_op(8, 0x8b, RDI, oreg(RBP));
    emit_call((void *)tlb_access_end);
    emit_reload();
    emit_reload_temps();
    emit8(0x9d);                                /* popfq */
    emit8(0xc3);
}

/* The prologue enters translated code: save the callee-saved registers,
 * align the stack for helper calls, RBP = CPU *, load the guest registers,
 * jump to the TB.  The epilogue spills the guest registers, undoes the
 * rest and returns R8 (tb|exit or 0) to cpu_exec. */
static void gen_prologue(void)
{
    p = code_buf;
    tb_prologue = (PrologueFn)(void *)p;
    emit8(0x55);                            /* push rbp */
    emit8(0x53);                            /* push rbx */
    emit8(0x41); emit8(0x54);               /* push r12 */
    emit8(0x41); emit8(0x55);               /* push r13 */
    emit8(0x41); emit8(0x56);               /* push r14 */
    emit8(0x41); emit8(0x57);               /* push r15 */
    emit_lea(8, RSP, RSP, -8);              /* align the stack for helper calls */
    emit_op(8, 0x8b, RBP, oreg(RDI));       /* mov rbp, rdi */
    emit_reload();                          /* guest registers into host registers */
    emit8(0xff); emit8(0xe6);               /* jmp rsi */
    tb_epilogue = p;
    emit_spill();
    emit_op(8, 0x8b, RAX, oreg(T_CMP));     /* return value from r8 */
    emit_lea(8, RSP, RSP, 8);
    emit8(0x41); emit8(0x5f);               /* pop r15 */
    emit8(0x41); emit8(0x5e);
    emit8(0x41); emit8(0x5d);
    emit8(0x41); emit8(0x5c);
    emit8(0x5b);                            /* pop rbx */
    emit8(0x5d);                            /* pop rbp */
    emit8(0xc3);                            /* ret */
    gen_tb_jc_exit();
    gen_tb_jc_second();
    gen_tb_miss_sig();
    gen_tb_slow_paths();
    code_gen_start = (uint8_t *)(((uintptr_t)p + 63) & ~(uintptr_t)63);
    code_ptr = code_gen_start;
}

void tcg_init(size_t code_size)
{
    code_buf = mmap(NULL, code_size, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code_buf == MAP_FAILED) {
        fprintf(stderr, "vm: cannot allocate %zu bytes of executable memory for the code buffer\n", code_size);
        exit(2);
    }
    code_end = code_buf + code_size;
    tb_max = (int)(code_size / 128) + 64;
    tb_pool = calloc((size_t)tb_max, sizeof(TB));
    page_count = machine.ram_size >> PAGE_BITS;
    probe_host_flags();
    cpu_probe_host();
    fpu_init();
    page_tbs = calloc(page_count ? page_count : 1, sizeof(*page_tbs));
    page_watched = calloc(page_count ? page_count : 1, 1);
    if (!tb_pool || !page_tbs || !page_watched) {
        fprintf(stderr, "vm: out of memory for the translation block tables\n");
        exit(2);
    }
    gen_prologue();
    perfmap_shared();
}
