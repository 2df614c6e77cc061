/* t_seg_limit_hw: segment limit and type checks on memory accesses.
 *
 * What it checks (Intel SDM Vol. 3 3.4.5 "Segment Descriptors" for the
 * limit, G, E and D/B fields; 5.3 "Limit Checking"; 5.4 "Type Checking";
 * 3.4.2 "Segment Selectors" for null selectors; Vol. 2 MOV "Protected Mode
 * Exceptions": #GP(0) for an effective address outside the DS/ES/FS/GS
 * limit, a null selector used, a write to a read-only segment; #SS(0) for
 * one outside the SS limit):
 *   - expand-up, G=0: the last valid byte is at the limit; a dword that
 *     straddles the limit faults.  G=1: the limit is (field << 12) | 0xFFF.
 *   - expand-down, B=0: valid offsets are limit+1 .. 0xFFFF (an access at
 *     the limit, straddling it, or beyond 0xFFFF faults); B=1: limit+1 ..
 *     0xFFFFFFFF, with G=1 scaling as for expand-up.
 *   - accesses through a null DS/FS (any RPL) give #GP(0); so does a write
 *     to read-only data or to a code segment, and a read of execute-only
 *     code through CS.
 *   - SS-relative accesses outside the SS limit give #SS(0) (ring 0,
 *     explicit SS override); PUSH below an expand-down ring-3 stack gives
 *     #SS(0) with SS:ESP unchanged in the pushed frame.
 *   - the faulting instruction has no effect (the destination register
 *     keeps its value).
 *
 * _hw: QEMU (TCG) does not check segment limits, null selectors or
 * read-only/execute-only segment types on data accesses at all, so every
 * check in this kernel fails there; real processors and vm do them.
 */
#include "seg_lib.h"

enum {
    I_UP = GDT_FIRST_FREE,  /* expand-up, G=0, limit 0xFFF, base big */
    I_UPG0,                 /* expand-up, G=1, limit field 0 -> 0xFFF */
    I_UPG1,                 /* expand-up, G=1, limit field 1 -> 0x1FFF */
    I_DOWN16,               /* expand-down, B=0, limit 0xFFF, base big - 0x1000 */
    I_DOWN32,               /* expand-down, B=1, G=1, field 0xFFFFE, base big + 0x1000 */
    I_RO,                   /* read-only, base 0, 4 GiB */
    I_XO,                   /* execute-only code, base 0, 4 GiB */
    I_SS4M,                 /* ring-0 stack, expand-up, G=1, 4 MiB */
    I_SS3DOWN,              /* ring-3 stack, expand-down, B=1, limit 0xFFF, base big */
};

static uint8_t big[0x10000] __attribute__((aligned(4096)));

/* Read size bytes at FS:off; returns 1 if it faulted with #GP(0) (vector
 * and error code are checked), 0 if it did not fault. */
static int fs_read(uint32_t off, int size, const char *what)
{
    uint32_t v = 0xcafebabe;
    if (size == 1)
        SEG_TRY("movb %%fs:(%1), %b0", "+q"(v) : "r"(off));
    else if (size == 2)
        SEG_TRY("movw %%fs:(%1), %w0", "+r"(v) : "r"(off));
    else
        SEG_TRY("movl %%fs:(%1), %0", "+r"(v) : "r"(off));
    if (seg_trap.count == 0)
        return 0;
    SEG_EXPECT_FAULT(13, 0, what);
    CHECK_EQ(v, 0xcafebabe, "faulting load leaves its destination");
    return 1;
}

static void fs_ok(uint32_t off, int size, const char *what)
{
    CHECK_EQ(fs_read(off, size, what), 0, what);
}

static void fs_gp(uint32_t off, int size, const char *what)
{
    CHECK_EQ(fs_read(off, size, what), 1, what);
}

/* Ring 3: push twice on an expand-down stack whose lowest valid offset is
 * 0x1000, starting at ESP = 0x1004: the first push is fine, the second is
 * below the limit. */
static volatile uint32_t r3_esp_after;
static void r3_push(void)
{
    uint32_t tmp;
    SEG_TRY_THEN("movl %%esp, seg_r3_saved_esp\n\t"
                 "movw %%ss, %%bx\n\t"
                 "movw %w2, %%ss\n\t"
                 "movl $0x1004, %%esp\n\t"
                 "pushl $0x11223344\n\t"
                 SEG_MARK "pushl $0x55667788",
                 "movl %%esp, %0\n\t"
                 "movw %%bx, %%ss\n\t"
                 "movl seg_r3_saved_esp, %%esp",
                 "=&r"(r3_esp_after), "=&b"(tmp) : "r"(SEL(I_SS3DOWN, 0, 3)));
}
__asm__(".data\nseg_r3_saved_esp: .long 0\n.text");

int kmain(void)
{
    seg_init();
    uint32_t b = (uint32_t)big;
    seg_set_gdt(I_UP, seg_make_desc(b, 0xfff, D_DATA_RW, F_DB));
    seg_set_gdt(I_UPG0, seg_make_desc(b, 0, D_DATA_RW, F_G | F_DB));
    seg_set_gdt(I_UPG1, seg_make_desc(b, 1, D_DATA_RW, F_G | F_DB));
    seg_set_gdt(I_DOWN16, seg_make_desc(b - 0x1000, 0xfff, D_DATA_RW | D_EDOWN, 0));
    seg_set_gdt(I_DOWN32, seg_make_desc(b + 0x1000, 0xffffe, D_DATA_RW | D_EDOWN, F_G | F_DB));
    seg_set_gdt(I_RO, seg_make_desc(0, 0xfffff, D_DATA_RO, F_G | F_DB));
    seg_set_gdt(I_XO, seg_make_desc(0, 0xfffff, D_CODE_X, F_G | F_DB));
    seg_set_gdt(I_SS4M, seg_make_desc(0, 0x3ff, D_DATA_RW, F_G | F_DB));
    seg_set_gdt(I_SS3DOWN, seg_make_desc(b, 0xfff, D_DATA_RW | D_EDOWN | D_DPL(3), F_DB));

    /* ---- expand-up ---- */
    load_fs(GSEL(I_UP));
    fs_ok(0, 4, "expand-up: offset 0");
    fs_ok(0xfff, 1, "expand-up: byte at the limit");
    fs_ok(0xffc, 4, "expand-up: dword ending at the limit");
    fs_gp(0xffd, 4, "expand-up: dword straddling the limit: #GP(0)");
    fs_gp(0xfff, 2, "expand-up: word straddling the limit: #GP(0)");
    fs_gp(0x1000, 1, "expand-up: byte past the limit: #GP(0)");
    fs_gp(0xfffffffc, 4, "expand-up: far past the limit: #GP(0)");
    load_fs(GSEL(I_UPG0));
    fs_ok(0xffc, 4, "G=1, field 0: limit 0xFFF");
    fs_gp(0x1000, 1, "G=1, field 0: 0x1000 past the limit: #GP(0)");
    load_fs(GSEL(I_UPG1));
    fs_ok(0x1fff, 1, "G=1, field 1: limit 0x1FFF");
    fs_gp(0x1ffe, 4, "G=1, field 1: dword straddling 0x1FFF: #GP(0)");
    fs_gp(0x2000, 1, "G=1, field 1: 0x2000: #GP(0)");

    /* ---- expand-down ---- */
    load_fs(GSEL(I_DOWN16));
    fs_gp(0, 1, "expand-down B=0: offset 0 is below the segment: #GP(0)");
    fs_gp(0xfff, 1, "expand-down B=0: byte at the limit: #GP(0)");
    fs_gp(0xffe, 4, "expand-down B=0: dword straddling limit+1: #GP(0)");
    fs_ok(0x1000, 4, "expand-down B=0: limit+1 is valid");
    fs_ok(0xfffc, 4, "expand-down B=0: dword ending at 0xFFFF");
    fs_ok(0xffff, 1, "expand-down B=0: byte at 0xFFFF");
    fs_gp(0xffff, 2, "expand-down B=0: word past 0xFFFF: #GP(0)");
    fs_gp(0x10000, 1, "expand-down B=0: 0x10000 past the 64 KiB upper bound: #GP(0)");
    load_fs(GSEL(I_DOWN32));
    fs_gp(0, 4, "expand-down B=1 G=1: offset 0: #GP(0)");
    fs_gp(0xffffefff, 1, "expand-down B=1 G=1: byte at the scaled limit 0xFFFFEFFF: #GP(0)");
    fs_gp(0xffffeffe, 2, "expand-down B=1 G=1: word straddling: #GP(0)");
    fs_ok(0xfffff000, 4, "expand-down B=1 G=1: limit+1");
    fs_ok(0xfffffffc, 4, "expand-down B=1 G=1: dword ending at 4 GiB - 1");
    {
        /* the write reaches base + offset: base b + 0x1000, offset 0xFFFFF000 -> big[0] */
        uint32_t v = 0x5a5aa5a5;
        big[0] = 0;
        __asm__ volatile("movl %0, %%fs:(%1)" : : "r"(v), "r"(0xfffff000u) : "memory");
        CHECK_EQ(*(volatile uint32_t *)big, 0x5a5aa5a5, "expand-down B=1: base + offset wraps mod 4 GiB");
    }

    /* ---- null selectors ---- */
    load_fs(0);
    fs_gp(0, 4, "FS null: #GP(0)");
    load_fs(3);
    fs_gp(0x1000, 1, "FS null with RPL 3: #GP(0)");
    {
        uint32_t v = 1;
        /* ESI as the base register: DS is the default segment.  The
         * expected fault address is stored before DS becomes null. */
        SEG_TRY_THEN("movl $2f, seg_try_start\n\t"
                     "movw %w2, %%ds\n"
                     "2:\tmovl (%1), %0", "movw %w3, %%ds",
                     "+r"(v) : "S"(big), "r"(0), "r"(SEL_KDATA));
        SEG_EXPECT_FAULT(13, 0, "DS null: a load through DS: #GP(0)");
        uint32_t d = (uint32_t)big;
        SEG_TRY_THEN("movw %w1, %%es\n\t" SEG_MARK "stosl", "movw %w2, %%es",
                     "+D"(d) : "r"(0), "r"(SEL_KDATA), "a"(0));
        SEG_EXPECT_FAULT(13, 0, "ES null: STOS: #GP(0)");
        SEG_TRY_THEN("movw %w1, %%gs\n\t" SEG_MARK "pushl %%gs:(%0)\n\taddl $4, %%esp", "",
                     : "r"(big), "r"(0));
        SEG_EXPECT_FAULT(13, 0, "GS null: PUSH m32 through GS: #GP(0)");
    }

    /* ---- types ---- */
    load_fs(GSEL(I_RO));
    fs_ok((uint32_t)big, 4, "read-only data can be read");
    {
        uint32_t off = (uint32_t)big;
        big[0] = 0x11;
        uint32_t v = 0;
        SEG_TRY("movl %%cs:(%1), %0", "+r"(v) : "r"(off));
        SEG_EXPECT_NONE("read through CS of readable code");
        CHECK_EQ(v & 0xff, 0x11, "read through CS of readable code");
        SEG_TRY("movb $0x22, %%fs:(%0)", : "r"(off));
        SEG_EXPECT_FAULT(13, 0, "write to read-only data: #GP(0)");
        CHECK_EQ(big[0], 0x11, "the write to read-only data did not happen");
        SEG_TRY("incl %%fs:(%0)", : "r"(off));
        SEG_EXPECT_FAULT(13, 0, "INC (read-modify-write) on read-only data: #GP(0)");
        SEG_TRY("movb $0x22, %%cs:(%0)", : "r"(off));
        SEG_EXPECT_FAULT(13, 0, "write through CS (code is never writable): #GP(0)");
        CHECK_EQ(big[0], 0x11, "the write through CS did not happen");
        /* the same read from execute-only code: jump into it, fault, jump back */
        SEG_TRY_THEN("ljmp %2, $1f\n1:\t"
                     "movl $2f, seg_try_start\n2:\t"
                     "movl %%cs:(%1), %0",
                     "ljmp %3, $3f\n3:",
                     "+r"(v) : "r"(off), "i"(GSEL(I_XO)), "i"(SEL_KCODE));
        seg_expect_fault_cs(__FILE__, __LINE__, "read through CS of execute-only code: #GP(0)",
                            13, 0, GSEL(I_XO));
    }
    load_fs(SEL_KDATA);

    /* ---- stack segment ---- */
    {
        uint32_t v = 7, top = 0x400000;
        CHECK((uint32_t)&v < top, "kernel stack below 4 MiB");
        SEG_TRY_THEN("movw %w2, %%ss\n\t" SEG_MARK "movl %%ss:(%1), %0",
                     "movw %w3, %%ss", "+r"(v) : "r"(top), "r"(GSEL(I_SS4M)), "r"(SEL_KDATA));
        SEG_EXPECT_FAULT(12, 0, "load past the SS limit: #SS(0)");
        CHECK_EQ(v, 7, "faulting SS load leaves its destination");
        SEG_TRY_THEN("movw %w2, %%ss\n\t" SEG_MARK "movl %%ss:(%1), %0",
                     "movw %w3, %%ss", "+r"(v) : "r"(top - 4), "r"(GSEL(I_SS4M)), "r"(SEL_KDATA));
        SEG_EXPECT_NONE("load at the SS limit");
        /* EBP as base register selects SS by default (SDM Vol. 1 3.7.4) */
        uint32_t saved;
        SEG_TRY_THEN("movl %%ebp, %1\n\tmovl %2, %%ebp\n\tmovw %w3, %%ss\n\t"
                     SEG_MARK "movl (%%ebp), %0",
                     "movl %1, %%ebp\n\tmovw %w4, %%ss",
                     "+r"(v), "=&r"(saved) : "r"(top), "r"(GSEL(I_SS4M)), "r"(SEL_KDATA));
        SEG_EXPECT_FAULT(12, 0, "load past the SS limit with EBP as base (default SS): #SS(0)");
    }
    *(volatile uint32_t *)(big + 0xffc) = 0xdeadbeef;
    seg_ring3_call(r3_push);
    seg_expect_fault_cs(__FILE__, __LINE__, "PUSH below an expand-down stack: #SS(0)", 12, 0, SEL_UCODE);
    CHECK_EQ(seg_trap.ss, SEL(I_SS3DOWN, 0, 3), "#SS frame: SS of the faulting stack");
    CHECK_EQ(seg_trap.esp, 0x1000, "#SS frame: ESP after the first push only");
    CHECK_EQ(r3_esp_after, 0x1000, "ESP unchanged by the faulting push");
    CHECK_EQ(*(volatile uint32_t *)(big + 0xffc), 0xdeadbeef, "the faulting push wrote nothing");
    CHECK_EQ(*(volatile uint32_t *)(big + 0x1000), 0x11223344, "the first push wrote at base + 0x1000");

    return kdone("t_seg_limit_hw");
}
