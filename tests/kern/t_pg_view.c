/* t_pg_view: memory accesses where vm's views (view.c: guest pages mapped
 * into host address space, docs/memory.md) could show through.  To the
 * guest nothing may differ from hardware:
 *  - the first access to a page, which faults in the host and goes to the
 *    slow path, keeps the guest's flags: STC, a load, ADC 0; CMP, a store,
 *    SETB; each on a page never touched before;
 *  - unassigned physical memory reads all-ones (byte, word, dword) and
 *    ignores writes, every time, on any unassigned page (the view maps
 *    one shared page of ones, read-only);
 *  - a dword at linear 0xFFFFFFFE reads and writes the top page's last two
 *    bytes and linear 0's first two (4 GiB wraps); so do [reg - 8] with
 *    reg = 6 and [reg + 0x10] with reg = 0xFFFFFFEE, a POP with ESP =
 *    0xFFFFFFFE (vm addresses such operands as view + reg + disp, which
 *    lands below or above the 4 GiB window when the guest's sum wraps);
 *    and [base + index*8 + disp] whose sum wraps once or eight times,
 *    comes back below 4 GiB by its disp, or has index -1, and
 *    [base + index*4 - 0x58f20] (a displacement below -64 KiB), the same
 *    without an index or without a base, and the absolute [0xFFFFFFFE],
 *    at 0 and wrapping below 0 (vm sums those with 32-bit addressing);
 *  - two linear pages on one physical page see each other's writes at
 *    once;
 *  - 9,000 pages (more than a view kept once) touched in turn and then
 *    again: every one reads its own value;
 *  - a 4 MiB page (which a view maps in one piece): code written through
 *    it, on one of its 4 KiB pages, runs with its new bytes each time,
 *    while the 4 KiB page next to it takes writes; with the PDE's dirty
 *    flag clear, reads leave it clear and the first write sets it;
 *  - a supervisor page that ring 0 just read (so the supervisor view maps
 *    it), read from ring 3 right after each IRET or SYSEXIT to ring 3,
 *    again and again (the way back warm: SYSEXIT's target block is found
 *    in the jump cache, not through cpu_exec): #PF P|U every time, as
 *    the user view is the one in use there.
 */
#include "pg_lib.h"

#define VA      0x40000000u     /* PDE 256: fresh pages, one per case */
#define VA_ALIAS 0x40400000u    /* PDE 257: the alias */
#define VA_NONE 0x41000000u     /* PDE 260: pages of unassigned memory */
#define VA_MANY 0x48000000u     /* PDEs 288..: MANY linear pages on 16 physical ones */
#define NONE_PHYS 0xc0000000u   /* above RAM, below the devices: nothing there */
#define MANY 9000
#define TOP  0xfffff000u

/* flag_ld(a): STC; EAX = [a]; ADC EAX, 0.  flag_st(a, v): CMP v, 1 (CF
 * when v < 1, i.e. v == 0); [a] = v; SETB AL. */
__asm__(
    ".text\n"
    ".globl flag_ld, flag_st\n"
    "flag_ld:\n"
    "  mov 4(%esp), %ecx\n"
    "  stc\n"
    "  movl (%ecx), %eax\n"
    "  adcl $0, %eax\n"
    "  ret\n"
    "flag_st:\n"
    "  mov 4(%esp), %ecx\n"
    "  mov 8(%esp), %edx\n"
    "  xorl %eax, %eax\n"
    "  cmpl $1, %edx\n"
    "  movl %edx, (%ecx)\n"
    "  setb %al\n"
    "  ret\n");
uint32_t flag_ld(uint32_t a);
uint32_t flag_st(uint32_t a, uint32_t v);

/* wrap_lo(r): [r - 8].  wrap_hi(r): [r + 0x10].  wrap_pop(esp): the
 * dword a POP with that ESP reads. */
__asm__(
    ".text\n"
    ".globl wrap_lo, wrap_hi, wrap_pop\n"
    "wrap_lo:\n"
    "  mov 4(%esp), %ecx\n"
    "  movl -8(%ecx), %eax\n"
    "  ret\n"
    "wrap_hi:\n"
    "  mov 4(%esp), %ecx\n"
    "  movl 0x10(%ecx), %eax\n"
    "  ret\n"
    "wrap_pop:\n"
    "  mov 4(%esp), %ecx\n"
    "  mov %esp, %edx\n"
    "  mov %ecx, %esp\n"
    "  popl %eax\n"
    "  mov %edx, %esp\n"
    "  ret\n");
/* wrap_sib(base, index): [base + index*8 - 2]; wrap_sib1: [base + index + 0x10]
 * as a store of v, read back through wrap_sib1 too. */
__asm__(
    ".text\n"
    ".globl wrap_sib, wrap_sib1_wr\n"
    "wrap_sib:\n"
    "  mov 4(%esp), %ecx\n"
    "  mov 8(%esp), %edx\n"
    "  movl -2(%ecx,%edx,8), %eax\n"
    "  ret\n"
    "wrap_sib1_wr:\n"
    "  mov 4(%esp), %ecx\n"
    "  mov 8(%esp), %edx\n"
    "  mov 12(%esp), %eax\n"
    "  movl %eax, 0x10(%ecx,%edx,1)\n"
    "  movl 0x10(%ecx,%edx,1), %eax\n"
    "  ret\n");
__asm__(
    ".text\n"
    ".globl sib_farneg\n"
    "sib_farneg:\n"                    /* [base + index*4 - 0x58f20] */
    "  mov 4(%esp), %ecx\n"
    "  mov 8(%esp), %edx\n"
    "  movl -0x58f20(%ecx,%edx,4), %eax\n"
    "  ret\n");
/* idx_farneg(i): [i*2 - 0x58f20]; base_farneg(b): [b - 0x58f20];
 * abs_top(): [0xFFFFFFFE], an address in the instruction. */
__asm__(
    ".text\n"
    ".globl idx_farneg, base_farneg, abs_top\n"
    "idx_farneg:\n"
    "  mov 4(%esp), %edx\n"
    "  movl -0x58f20(,%edx,2), %eax\n"
    "  ret\n"
    "base_farneg:\n"
    "  mov 4(%esp), %ecx\n"
    "  movl -0x58f20(%ecx), %eax\n"
    "  ret\n"
    "abs_top:\n"                       /* ModRM [disp32], not MOV's moffs form */
    "  movl 0xfffffffe, %ecx\n"
    "  movl %ecx, %eax\n"
    "  ret\n");
uint32_t idx_farneg(uint32_t index);
uint32_t base_farneg(uint32_t base);
uint32_t abs_top(void);
uint32_t wrap_sib(uint32_t base, uint32_t index);
uint32_t wrap_sib1_wr(uint32_t base, uint32_t index, uint32_t v);
uint32_t sib_farneg(uint32_t base, uint32_t index);
uint32_t wrap_lo(uint32_t r);
uint32_t wrap_hi(uint32_t r);
uint32_t wrap_pop(uint32_t esp);

static volatile uint32_t *at(uint32_t a) { return (volatile uint32_t *)a; }

static volatile uint32_t u_addr;
static uint32_t u_read(void) { return pg_rd32(u_addr); }

/* sx_read(a): SYSEXIT to ring 3, read [a] there (a fault resumes at the
 * SYSENTER back), SYSENTER to sx_kentry, return to the caller. */
#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
uint8_t sx_kstack[4096] __attribute__((aligned(16)));
uint8_t sx_ustack[4096] __attribute__((aligned(16)));
uint32_t sx_kesp;
__asm__(
    ".text\n"
    ".globl sx_read, sx_kentry\n"
    "sx_read:\n"
    "  pushl %ebp\n"
    "  pushl %ebx\n"
    "  pushl %esi\n"
    "  pushl %edi\n"
    "  movl %esp, sx_kesp\n"
    "  movl 20(%esp), %esi\n"
    "  movl $0x23, %eax\n"
    "  movl %eax, %ds\n"
    "  movl %eax, %es\n"
    "  movl $sx_ustack + 4096, %ecx\n"
    "  movl $1f, %edx\n"
    "  sysexit\n"
    "1:movl $2f, pg_resume\n"          /* CPL 3 */
    "  movl (%esi), %eax\n"
    "  movl $0, pg_resume\n"
    "2:sysenter\n"
    "sx_kentry:\n"                     /* CPL 0 */
    "  movl $0x10, %eax\n"
    "  movl %eax, %ds\n"
    "  movl %eax, %es\n"
    "  movl sx_kesp, %esp\n"
    "  popl %edi\n"
    "  popl %esi\n"
    "  popl %ebx\n"
    "  popl %ebp\n"
    "  ret\n");
void sx_read(uint32_t a);
void sx_kentry(void);

static void check_flags(void)
{
    for (uint32_t i = 0; i < 4; i++) {
        uint8_t *p = pg_alloc();
        *(volatile uint32_t *)(p + 0x40) = 100 + i;
        pg_map(VA + i * 0x2000, (uint32_t)p, PTE_P | PTE_W);
        pg_map(VA + i * 0x2000 + 0x1000, (uint32_t)pg_alloc(), PTE_P | PTE_W);
        CHECK_EQ(flag_ld(VA + i * 0x2000 + 0x40), 101 + i, "STC, first load of a page, ADC: CF kept");
        CHECK_EQ(flag_st(VA + i * 0x2000 + 0x1000, i & 1), !(i & 1),
                 "CMP, first store to a page, SETB: CF kept");
        CHECK_EQ(*at(VA + i * 0x2000 + 0x1000), i & 1, "... and the store landed");
    }
}

static void check_unassigned(void)
{
    for (uint32_t i = 0; i < 2; i++)
        pg_map(VA_NONE + i * 0x1000, NONE_PHYS + i * 0x5000, PTE_P | PTE_W);
    for (int round = 0; round < 3; round++) {
        CHECK_EQ(pg_rd32(VA_NONE + 0x10), 0xffffffffu, "unassigned memory reads all-ones");
        CHECK_EQ(pg_rd16(VA_NONE + 0x22), 0xffffu, "... as a word");
        CHECK_EQ(pg_rd8(VA_NONE + 0xfff), 0xffu, "... as a byte");
        pg_wr32(VA_NONE + 0x10, 0x12345678u);
        pg_wr8(VA_NONE + 0x1010, 0);
        CHECK_EQ(pg_rd32(VA_NONE + 0x10), 0xffffffffu, "a write to it changes nothing");
        CHECK_EQ(pg_rd32(VA_NONE + 0x1010), 0xffffffffu, "... on another unassigned page either");
        CHECK_EQ(pg_rd32(VA_NONE + 0x1ffc), 0xffffffffu, "... nor at its end");
    }
}

static void check_wrap(void)
{
    uint8_t *top = pg_alloc();
    pg_map(TOP, (uint32_t)top, PTE_P | PTE_W);
    uint32_t keep = pg_rd32(0);         /* linear 0 = physical 0 */
    for (int round = 0; round < 3; round++) {
        top[0xffe] = 0x11;
        top[0xfff] = 0x22;
        pg_wr16(0, 0x4433);
        CHECK_EQ(pg_rd32(0xfffffffeu), 0x44332211u, "a dword at 0xFFFFFFFE wraps to linear 0");
        CHECK_EQ(wrap_lo(6), 0x44332211u, "[reg - 8], reg = 6: 0xFFFFFFFE");
        CHECK_EQ(wrap_hi(0xffffffeeu), 0x44332211u, "[reg + 0x10], reg = 0xFFFFFFEE: 0xFFFFFFFE");
        CHECK_EQ(wrap_pop(0xfffffffeu), 0x44332211u, "POP with ESP = 0xFFFFFFFE");
        CHECK_EQ(wrap_sib(0, 0x20000000u), 0x44332211u, "[base + index*8 - 2]: index*8 = 4 GiB");
        CHECK_EQ(wrap_sib(0xfffffff8u, 0xe0000001u), 0x44332211u,
                 "[base + index*8 - 2], base and index near 4 GiB: 0xFFFFFFFE after eight wraps");
        CHECK_EQ(wrap_sib(0xfffffff8u, 1), 0x44332211u,
                 "[base + index*8 - 2]: base + index*8 passes 4 GiB, the disp brings it back");
        CHECK_EQ(wrap_sib(2, 0), pg_rd32(0), "[base + index*8 - 2] = 0, by the disp");
        CHECK_EQ(wrap_sib(10, 0xffffffffu), pg_rd32(0), "[base + index*8 - 2], index -1: 0");
        CHECK_EQ(sib_farneg(0x58f20u, 0), pg_rd32(0), "[base + index*4 - 0x58f20] = 0");
        CHECK_EQ(sib_farneg(0x10u, 0x163c4u), pg_rd32(0),
                 "[base + index*4 - 0x58f20]: a small base, the index makes up the disp");
        CHECK_EQ(sib_farneg(0x58f22u, 0x3fffffffu), 0x44332211u,
                 "[base + index*4 - 0x58f20] = 0xFFFFFFFE: below 0, wrapped to the top");
        CHECK_EQ(idx_farneg(0x2c790u), pg_rd32(0), "[index*2 - 0x58f20], no base, = 0");
        CHECK_EQ(idx_farneg(0x2c78fu), 0x44332211u, "[index*2 - 0x58f20], no base, = 0xFFFFFFFE");
        CHECK_EQ(base_farneg(0x58f20u), pg_rd32(0), "[base - 0x58f20] = 0");
        CHECK_EQ(base_farneg(0x58f1eu), 0x44332211u, "[base - 0x58f20] = 0xFFFFFFFE");
        CHECK_EQ(abs_top(), 0x44332211u, "[0xFFFFFFFE], an absolute address, wrapping");
        CHECK_EQ(wrap_sib1_wr(0xffffffe0u, 0x10u, 0x55667788u + (uint32_t)round),
                 0x55667788u + (uint32_t)round, "[base + index + 0x10] = 0: written and read");
        CHECK_EQ(pg_rd32(0), 0x55667788u + (uint32_t)round, "... at linear 0");
        pg_wr16(0, 0x4433);
        pg_wr32(0xfffffffdu, 0xa1b2c3d4u + (uint32_t)round);
        CHECK_EQ(top[0xffd], 0xd4 + round, "a dword written at 0xFFFFFFFD: its first byte on top");
        CHECK_EQ(top[0xfff], 0xb2, "... its third");
        CHECK_EQ(pg_rd8(0), 0xa1, "... its last at linear 0");
        CHECK_EQ(pg_rd8(1), 0x44, "... and no more");
        CHECK_EQ(pg_rd16(0xffffffffu), 0xa1b2u, "a word at 0xFFFFFFFF");
    }
    pg_wr32(0, keep);
}

static void check_alias(void)
{
    uint8_t *p = pg_alloc();
    pg_map(VA + 0x10000, (uint32_t)p, PTE_P | PTE_W);
    pg_map(VA_ALIAS, (uint32_t)p, PTE_P | PTE_W);
    for (uint32_t i = 0; i < 8; i++) {
        *at(VA + 0x10000 + i * 4) = 0x5a000000 + i;
        CHECK_EQ(*at(VA_ALIAS + i * 4), 0x5a000000 + i, "a write through one alias, read through the other");
        *at(VA_ALIAS + 0x800 + i * 4) = ~i;
        CHECK_EQ(*at(VA + 0x10800 + i * 4), ~i, "... and back");
    }
}

static void check_many(void)
{
    uint8_t *phys[16];
    for (int i = 0; i < 16; i++)
        phys[i] = pg_alloc();
    for (uint32_t i = 0; i < MANY; i++)
        pg_map(VA_MANY + i * 0x1000, (uint32_t)phys[i & 15], PTE_P | PTE_W);
    for (uint32_t i = 0; i < MANY; i++)     /* a word of its own on its physical page */
        *at(VA_MANY + i * 0x1000 + (i >> 4) * 4) = i;
    for (int round = 0; round < 2; round++) {
        uint32_t bad = 0;
        for (uint32_t i = 0; i < MANY; i++)
            if (*at(VA_MANY + i * 0x1000 + (i >> 4) * 4) != i)
                bad++;
        CHECK_EQ(bad, 0, "9000 linear pages, each reads what was written through it");
    }
}

static void check_user_super(void)
{
    uint8_t *p = pg_alloc();
    *(volatile uint32_t *)(p + 0x20) = 0x5e5e5e5e;
    pg_map(VA + 0x20000, (uint32_t)p, PTE_P | PTE_W);    /* supervisor only */
    u_addr = VA + 0x20020;
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(*at(VA + 0x20020), 0x5e5e5e5e, "ring 0 reads its page");
        pg_reset_traps();
        pg_user_call(u_read);
        CHECK_EQ(pg_ntraps, 1, "ring 3 reads it right after IRET: one fault");
        CHECK_EQ(pg_last.err, PF_P | PF_U, "... a user read, present");
        CHECK_EQ(pg_last.cr2, VA + 0x20020, "... at its address");
    }
    wrmsr(MSR_SYSENTER_CS, SEL_KCODE);
    wrmsr(MSR_SYSENTER_ESP, (uint32_t)sx_kstack + sizeof sx_kstack);
    wrmsr(MSR_SYSENTER_EIP, (uint32_t)sx_kentry);
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(*at(VA + 0x20020), 0x5e5e5e5e, "ring 0 reads its page");
        pg_reset_traps();
        sx_read(VA + 0x20020);
        CHECK_EQ(pg_ntraps, 1, "ring 3 reads it right after SYSEXIT: one fault");
        CHECK_EQ(pg_last.err, PF_P | PF_U, "... a user read, present");
        CHECK_EQ(pg_last.cr2, VA + 0x20020, "... at its address");
    }
    pg_reset_traps();
}

#define BIG 0x80000000u            /* PDE 512: a 4 MiB page */
#define F1  0x00800000u            /* ... at physical 8 MiB */

static void check_large(void)
{
    write_cr4(read_cr4() | CR4_PSE);
    uint32_t *pde = pg_pde(pg_dir, BIG);
    *pde = F1 | PTE_P | PTE_W | PTE_PS;
    invlpg(BIG);
    *at(BIG + 0x1000) = 1;
    uint8_t *code = (uint8_t *)(BIG + 0x2000);
    for (uint32_t v = 1; v <= 4; v++) {
        pg_put_mov_imm(code, 0, 0x100 + v);
        code[5] = 0xc3;
        CHECK_EQ(((uint32_t (*)(void))code)(), 0x100 + v,
                 "code written through a 4 MiB page runs with its new bytes");
        *at(BIG + 0x1000 + 4 * v) = v;
        CHECK_EQ(*at(BIG + 0x1000 + 4 * v), v, "... the 4 KiB page next to it takes writes");
    }
    *pde = F1 | PTE_P | PTE_W | PTE_PS;     /* A and D clear */
    invlpg(BIG + 0x5000);
    CHECK_EQ(*at(BIG + 0x3000 + 8), 0, "a fresh part of the 4 MiB page reads 0");
    CHECK_EQ(*pde & (PTE_A | PTE_D), PTE_A, "a read sets A, not D");
    *at(BIG + 0x3008) = 7;
    CHECK_EQ(*pde & PTE_D, PTE_D, "the first write sets D");
    CHECK_EQ(*at(BIG + 0x3008), 7, "... and lands");
    *pde = 0;
    invlpg(BIG);
}

int kmain(void)
{
    pg_setup();
    pg_paging_on();
    pg_reset_traps();
    check_flags();
    check_unassigned();
    check_wrap();
    check_alias();
    check_many();
    check_large();
    check_user_super();
    CHECK_NOTRAP("these accesses");
    return kdone("t_pg_view");
}
