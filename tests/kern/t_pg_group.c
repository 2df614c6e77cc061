/* t_pg_group: memory operands that vm translates as one page group.
 * Groups are for the TLB lookup; with views every operand is one host
 * instruction already, so this runs without them.
 * vm-args: -accel tcg,views=off
 *
 * vm looks up the page of several operands at the same base (and index)
 * registers once, at the first of them (translate.c "Page groups",
 * docs/memory.md).  To the guest nothing may differ from one lookup per
 * access, as on hardware; these cases are where a shortcut would show:
 *  - the operands straddle two pages (apart or next to each other in
 *    physical memory), again and again (until vm gives up on the group);
 *    the second page is not present
 *    (the fault is the third instruction's, after the first two ran, with
 *    its CR2 and EIP); it is read-only (a write fault, W|P);
 *  - a group that only reads leaves the dirty flag clear; one that writes
 *    sets it, also when its first access is a read;
 *  - the operands are device registers (the local APIC): every read
 *    reaches the device;
 *  - a store in a group to a page of translated code: the next call runs
 *    the new code;
 *  - the flags survive the group (STC ... ADC across member accesses);
 *  - an index register: [ebx+esi*8] and [ebx+esi*8+4] over a loop;
 *  - pushes as a group (ESP moves between them), across a missing page;
 *  - absolute addresses (globals), and the stack at [esp+n].
 */
#include "pg_lib.h"

#define VA 0x40000000u

/* grp_rw(b): EAX = [b] + [b+8]; [b+16] = EAX; [b+24] = 0x55; returns EAX.
 * grp_ro(b): returns [b] + [b+8].  grp_mmio(b): returns [b], [b+16] in
 * grp_out.  grp_flags(b): STC, two loads, ADC 0: [b] + [b+4] + 1.
 * grp_code(b, v): [b] = 0xb8 (mov eax, imm32), [b+1] = v, [b+5] = 0xc3.
 * grp_index(b, n): for i < n: [b+i*8] = i, [b+i*8+4] = ~i.
 * grp_stack(): sums four locals written and read at [esp+n]. */
__asm__(
    ".text\n"
    ".globl grp_rw, grp_rw_1, grp_rw_3\n"
    "grp_rw:\n"
    "  push %ebx\n"
    "  mov 8(%esp), %ebx\n"
    "grp_rw_1:\n"
    "  movl 0(%ebx), %eax\n"
    "  addl 8(%ebx), %eax\n"
    "grp_rw_3:\n"
    "  movl %eax, 16(%ebx)\n"
    "  movl $0x55, 24(%ebx)\n"
    "  pop %ebx\n"
    "  ret\n"
    ".globl grp_ro\n"
    "grp_ro:\n"
    "  mov 4(%esp), %ecx\n"
    "  movl 0(%ecx), %eax\n"
    "  addl 8(%ecx), %eax\n"
    "  ret\n"
    ".globl grp_mmio\n"
    "grp_mmio:\n"
    "  mov 4(%esp), %ecx\n"
    "  movl 0(%ecx), %eax\n"
    "  movl 16(%ecx), %edx\n"
    "  movl 0(%ecx), %eax\n"
    "  movl %edx, grp_out\n"
    "  ret\n"
    ".globl grp_flags\n"
    "grp_flags:\n"
    "  mov 4(%esp), %ecx\n"
    "  stc\n"
    "  movl 0(%ecx), %eax\n"
    "  movl 4(%ecx), %edx\n"
    "  adcl %edx, %eax\n"
    "  ret\n"
    ".globl grp_code\n"
    "grp_code:\n"
    "  mov 4(%esp), %ecx\n"
    "  mov 8(%esp), %edx\n"
    "  movb $0xb8, 0(%ecx)\n"
    "  movl %edx, 1(%ecx)\n"
    "  movb $0xc3, 5(%ecx)\n"
    "  ret\n"
    ".globl grp_index\n"
    "grp_index:\n"
    "  push %esi\n"
    "  push %ebx\n"
    "  mov 12(%esp), %ebx\n"
    "  mov 16(%esp), %ecx\n"
    "  xor %esi, %esi\n"
    "1:\n"
    "  mov %esi, %eax\n"
    "  not %eax\n"
    "  movl %esi, 0(%ebx,%esi,8)\n"
    "  movl %eax, 4(%ebx,%esi,8)\n"
    "  inc %esi\n"
    "  cmp %ecx, %esi\n"
    "  jne 1b\n"
    "  pop %ebx\n"
    "  pop %esi\n"
    "  ret\n"
    ".globl grp_stack\n"
    "grp_stack:\n"
    "  sub $16, %esp\n"
    "  movl $1, 0(%esp)\n"
    "  movl $20, 4(%esp)\n"
    "  movl $300, 8(%esp)\n"
    "  movl $4000, 12(%esp)\n"
    "  movl 0(%esp), %eax\n"
    "  addl 4(%esp), %eax\n"
    "  addl 8(%esp), %eax\n"
    "  addl 12(%esp), %eax\n"
    "  add $16, %esp\n"
    "  ret\n"
    /* ring 3: push 1, 2, 3 on the stack at 0x4000e008 and pop the sum */
    ".globl grp_push, grp_push_3\n"
    "grp_push:\n"
    "  mov %esp, %ecx\n"
    "  mov $0x4000e008, %esp\n"
    "  push $1\n"
    "  push $2\n"
    "grp_push_3:\n"
    "  push $3\n"
    "  pop %eax\n"
    "  pop %edx\n"
    "  add %edx, %eax\n"
    "  pop %edx\n"
    "  add %edx, %eax\n"
    "  mov %ecx, %esp\n"
    "  ret\n"
    ".globl grp_globals\n"
    "grp_globals:\n"
    "  movl $7, grp_g\n"
    "  movl $8, grp_g+4\n"
    "  movl grp_g, %eax\n"
    "  addl grp_g+4, %eax\n"
    "  ret\n");

uint32_t grp_rw(uint32_t b);
uint32_t grp_ro(uint32_t b);
uint32_t grp_mmio(uint32_t b);
uint32_t grp_flags(uint32_t b);
void grp_code(uint32_t b, uint32_t v);
void grp_index(uint32_t b, uint32_t n);
uint32_t grp_stack(void);
uint32_t grp_globals(void);
uint32_t grp_push(void);
extern char grp_rw_1[], grp_rw_3[], grp_push_3[];
volatile uint32_t grp_out, grp_g[2];

static uint32_t rd(uint32_t a) { return *(volatile uint32_t *)a; }
static void wr(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

static uint32_t *fix_pte;
static uint32_t fix_bits;
static int fix_set(struct pg_frame *f)
{
    (void)f;
    *fix_pte |= fix_bits;
    invlpg(pg_last.cr2);
    return 1;
}

/* The group at b, whose [b+16] and [b+24] are on the next page when b is
 * 12 bytes before a page's end. */
static void check_rw(uint32_t b, const char *what)
{
    wr(b, 1000);
    wr(b + 8, 234);
    wr(b + 16, 0);
    wr(b + 24, 0);
    CHECK_EQ(grp_rw(b), 1234, what);
    CHECK_EQ(rd(b + 16), 1234, what);
    CHECK_EQ(rd(b + 24), 0x55, what);
}

/* The operand at b+16 is on a page that faults until fix_set has run.
 * warm: read that page first, so the TLB holds it for reading. */
static void check_fault(uint32_t b, uint32_t *pte, uint32_t bits, uint32_t err, int warm, const char *what)
{
    pg_reset_traps();
    *pte &= ~bits;
    invlpg(b + 16);
    if (warm)
        CHECK_EQ(rd(b + 16), rd(b + 16), what);
    fix_pte = pte;
    fix_bits = bits;
    pg_fixup = fix_set;
    wr(b, 1);
    wr(b + 8, 2);
    CHECK_EQ(grp_rw(b), 3, what);
    CHECK_EQ(pg_ntraps, 1, what);
    CHECK_EQ(pg_last.vector, VEC_PF, what);
    CHECK_EQ(pg_last.err, err, what);
    CHECK_EQ(pg_last.cr2, b + 16, what);
    CHECK_EQ(pg_last.eip, PG_EIP(grp_rw_3), "the fault is the third instruction's");
    CHECK_EQ(rd(b + 16), 3, what);
    CHECK_EQ(rd(b + 24), 0x55, what);
    pg_reset_traps();
}

static void check_dirty(void)
{
    uint8_t *p = pg_alloc(), *q = pg_alloc();
    pg_map(VA + 0x4000, (uint32_t)p, PTE_P | PTE_W);
    pg_map(VA + 0x5000, (uint32_t)q, PTE_P | PTE_W);
    uint32_t *pp = pg_pte(VA + 0x4000), *pq = pg_pte(VA + 0x5000);
    CHECK_EQ(grp_ro(VA + 0x4100) + grp_ro(VA + 0x4100), 0, "a fresh page reads 0");
    CHECK_EQ(*pp & (PTE_A | PTE_D), PTE_A, "a group that only reads: A set, D clear");
    CHECK_EQ(grp_rw(VA + 0x5100), 0, "a group that writes, first access a read");
    CHECK_EQ(*pq & (PTE_A | PTE_D), PTE_A | PTE_D, "... sets D");
    CHECK_EQ(rd(VA + 0x5100 + 24), 0x55, "... and writes");
    for (int i = 0; i < 3; i++)                         /* D set: the group's own path */
        check_rw(VA + 0x5200, "a dirty page, again");
}

/* Pages next to each other in physical memory, so in vm's RAM too: once
 * the TLB holds the second, a group may span both (tlb_group_host); it
 * must still leave the second page's D clear when it only reads, and let
 * a store to it fault in its own instruction when the TLB holds it only
 * for reading. */
static void check_adjacent(void)
{
    uint32_t va = VA + 0xc000, b = va + 0x1000 - 12;
    uint8_t *p = pg_alloc(), *q = pg_alloc();
    CHECK_EQ((uint32_t)q, (uint32_t)p + 0x1000, "pg_alloc hands out pages in order");
    pg_map(va, (uint32_t)p, PTE_P | PTE_W);
    pg_map(va + 0x1000, (uint32_t)q, PTE_P | PTE_W);
    uint32_t *pq = pg_pte(va + 0x1000);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(grp_ro(b + 8), 0, "a read-only group over adjacent pages");
    CHECK_EQ(*pq & (PTE_A | PTE_D), PTE_A, "... leaves the second page's D clear");
    for (int i = 0; i < 3; i++)
        check_rw(b, "straddling two adjacent pages");
    CHECK_EQ(*pq & (PTE_A | PTE_D), PTE_A | PTE_D, "a group's store sets the second page's D");
    for (int i = 0; i < 2; i++)
        check_fault(b, pq, PTE_W, PF_W | PF_P, 1, "adjacent pages, the second read-only and in the TLB");
    for (int i = 0; i < 2; i++)
        check_fault(b, pq, PTE_P, PF_W, 0, "adjacent pages, the second not present");
    check_rw(b, "adjacent pages again");
}

static void check_mmio(void)
{
    pg_map(VA + 0x8000, 0xfee00000u, PTE_P | PTE_W | PTE_PCD);
    uint32_t id = pg_rd32(VA + 0x8020), ver = pg_rd32(VA + 0x8030);
    CHECK(ver != 0 && ver != 0xffffffffu, "the local APIC answers");
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(grp_mmio(VA + 0x8020), id, "APIC ID read by a group");
        CHECK_EQ(grp_out, ver, "APIC version read by a group");
    }
}

static void check_code(void)
{
    uint8_t *c = pg_alloc();
    pg_map(VA + 0x9000, (uint32_t)c, PTE_P | PTE_W);
    uint32_t (*fn)(void) = (uint32_t (*)(void))(VA + 0x9000);
    for (uint32_t v = 1; v <= 4; v++) {
        grp_code(VA + 0x9000, 0x1000 + v);
        CHECK_EQ(fn(), 0x1000 + v, "a group's store to translated code: the new code runs");
    }
}

static void check_index(void)
{
    uint8_t *p = pg_alloc();
    pg_map(VA + 0xa000, (uint32_t)p, PTE_P | PTE_W);
    grp_index(VA + 0xa000, 64);
    for (uint32_t i = 0; i < 64; i++) {
        CHECK_EQ(rd(VA + 0xa000 + i * 8), i, "[b+i*8] = i");
        CHECK_EQ(rd(VA + 0xa000 + i * 8 + 4), ~i, "[b+i*8+4] = ~i");
    }
    grp_index(VA + 0xaf80, 40);                         /* runs onto the next page */
    for (uint32_t i = 0; i < 40; i++)
        CHECK_EQ(rd(VA + 0xaf80 + i * 8), i, "across a page: [b+i*8] = i");
}

/* Pushes that straddle two pages, the lower one missing (from ring 3, so
 * the fault has a stack): the third push faults, after the first two. */
static void check_push(void)
{
    pg_map(VA + 0xd000, (uint32_t)pg_alloc(), PTE_P | PTE_W | PTE_U);
    pg_map(VA + 0xe000, (uint32_t)pg_alloc(), PTE_P | PTE_W | PTE_U);
    uint32_t *pte = pg_pte(VA + 0xd000);
    for (int i = 0; i < 2; i++) {
        pg_reset_traps();
        *pte &= ~PTE_P;
        invlpg(VA + 0xd000);
        fix_pte = pte;
        fix_bits = PTE_P;
        pg_fixup = fix_set;
        CHECK_EQ(pg_user_call(grp_push), 6, "push 1, 2, 3 and pop them");
        CHECK_EQ(pg_ntraps, 1, "one fault");
        CHECK_EQ(pg_last.err, PF_W | PF_U, "a user write, not present");
        CHECK_EQ(pg_last.cr2, VA + 0xdffc, "at the third push's slot");
        CHECK_EQ(pg_last.eip, PG_EIP(grp_push_3), "in the third push");
        CHECK_EQ(pg_last.esp, VA + 0xe000, "after the first two pushes");
        CHECK_EQ(rd(VA + 0xe004), 1, "the first push");
        CHECK_EQ(rd(VA + 0xe000), 2, "the second push");
    }
    pg_reset_traps();
    for (int i = 0; i < 2; i++)                         /* all present: the group's own path */
        CHECK_EQ(pg_user_call(grp_push), 6, "push 1, 2, 3 and pop them, no fault");
}

int kmain(void)
{
    pg_setup();
    uint8_t *p0 = pg_alloc(), *p2 = pg_alloc(), *p1 = pg_alloc();  /* p1 not after p0 */
    pg_map(VA, (uint32_t)p0, PTE_P | PTE_W);
    pg_map(VA + 0x1000, (uint32_t)p1, PTE_P | PTE_W);
    pg_map(VA + 0x2000, (uint32_t)p2, PTE_P | PTE_W);
    pg_map(VA + 0xb000, (uint32_t)pg_alloc(), PTE_P | PTE_W);
    pg_paging_on();
    __asm__ volatile("mov %%cr0, %%eax; or %0, %%eax; mov %%eax, %%cr0" : : "i"(CR0_WP) : "eax");
    pg_reset_traps();

    for (int i = 0; i < 3; i++)                         /* translated once, run again */
        check_rw(VA + 0x100, "one page");
    /* past NOGROUP_FAILS: the block goes, and grp_rw is translated
     * without groups from then on (translate.c, tb_group_failed) */
    for (int i = 0; i < 20; i++)
        check_rw(VA + 0x1000 - 12, "straddling two pages");
    check_rw(VA + 0x100, "one page after a straddle");
    for (int i = 0; i < 2; i++)
        check_fault(VA + 0x2000 - 12, pg_pte(VA + 0x2000), PTE_P, PF_W, 0, "second page not present");
    for (int i = 0; i < 2; i++)
        check_fault(VA + 0x2000 - 12, pg_pte(VA + 0x2000), PTE_W, PF_W | PF_P, 0, "second page read-only");
    /* the whole group on a page that is not there: the first access faults */
    pg_reset_traps();
    uint32_t *pte2 = pg_pte(VA + 0x2000);
    *pte2 &= ~PTE_P;
    invlpg(VA + 0x2000);
    fix_pte = pte2;
    fix_bits = PTE_P;
    pg_fixup = fix_set;
    CHECK_EQ(grp_rw(VA + 0x2100), 0, "a group on a page not present");
    CHECK_EQ(pg_ntraps, 1, "one fault");
    CHECK_EQ(pg_last.err, 0, "a read, not present");
    CHECK_EQ(pg_last.cr2, VA + 0x2100, "at the group's first operand");
    CHECK_EQ(pg_last.eip, PG_EIP(grp_rw_1), "in the first instruction");
    pg_reset_traps();
    check_dirty();
    check_adjacent();
    check_mmio();
    check_code();
    wr(VA + 0x300, 40);
    wr(VA + 0x304, 1);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(grp_flags(VA + 0x300), 42, "CF set before the group, read by ADC after it");
    check_index();
    check_push();
    CHECK_EQ(grp_stack(), 4321, "locals at [esp+n]");
    CHECK_EQ(grp_globals(), 15, "globals at absolute addresses");
    return kdone("t_pg_group");
}
