/* t_seg_insn: the protected-mode system instructions that inspect
 * descriptors and descriptor-table registers: LAR LSL VERR VERW ARPL SLDT
 * STR SGDT SIDT SMSW (with LMSW/CLTS), and the faults of LGDT LIDT LLDT
 * LTR LMSW CLTS.
 *
 * Expected values come from the Intel SDM Vol. 2 pages of each instruction
 * and Vol. 3 3.5 (system descriptor types):
 *   - LAR sets ZF and loads (descriptor high dword & 00FxFF00) for code and
 *     data segments and for system types 1 2 3 4 5 9 B C; LSL sets ZF and
 *     loads the byte-granular limit (G=1: field << 12 | FFF) for code/data
 *     and system types 1 2 3 9 B.  Interrupt/trap gates and the reserved
 *     types 0 8 A D give ZF=0.  Both check DPL >= max(CPL, RPL) except for
 *     conforming code; neither checks the present bit.  With ZF=0 the
 *     destination is unchanged.  (Bits 19:16 of LAR's result are
 *     undefined and not compared.)
 *   - VERR: ZF=1 for data and readable code (conforming readable code
 *     exempt from the DPL check), VERW: ZF=1 for writable data only; same
 *     DPL rule; system descriptors give ZF=0.  A null selector or one past
 *     the table limit gives ZF=0 for all four, without a fault.
 *   - ARPL raises the destination RPL to the source RPL (ZF=1) or leaves
 *     it (ZF=0); register and memory forms.
 *   - SLDT/STR into a 32-bit register clear bits 31:16 (P6 family and
 *     later); into memory they write 16 bits.  SGDT/SIDT store the 16-bit
 *     limit and the 32-bit base; a 16-bit LGDT/LIDT loads only 24 bits of
 *     base.  SMSW returns CR0[15:0]; LMSW cannot clear PE; CLTS clears TS.
 *   - At CPL 3 SGDT SIDT SLDT STR SMSW work and return the same values,
 *     while LGDT LIDT LLDT LTR LMSW CLTS and MOV CR0 are #GP(0).
 *   - LLDT: null is allowed (LDTR null); a TI=1 selector, a non-LDT
 *     descriptor #GP(sel); not present #NP(sel).  LTR: a busy TSS or a
 *     non-TSS #GP(sel); not present #NP(sel); LTR marks the TSS busy in
 *     the GDT (LTR with a null selector: t_seg_sys_hw).
 */
#include "seg_lib.h"

#define LAR 1
#define LSL 2
#define VR  4
#define VW  8

struct desc_case {
    uint64_t desc;
    uint8_t ok0, ok3;       /* which instructions set ZF at CPL 0 (RPL 0) and CPL 3 (RPL 3) */
    uint32_t limit;         /* LSL's result when it succeeds */
    const char *name;
};

#define SEGD(lim, acc, fl) seg_make_desc(0x12345678, lim, acc, fl)
#define SYSD(type, dpl) seg_make_desc(0x00abcdef, 0x67, (uint8_t)(D_P | D_DPL(dpl) | (type)), 0)
#define GATE(type, dpl) seg_make_gate(SEL_KCODE, 0x89abcdef, (uint8_t)(D_P | D_DPL(dpl) | (type)), 2)

static struct desc_case cases[] = {
    { 0, 15, 0,  0x12345, "data RW DPL0 G=0" },
    { 0, 7,  0,  0x10fff, "data RO DPL0 G=1" },
    { 0, 7,  0,  0xfffff, "code XR DPL0" },
    { 0, 3,  0,  0xfffff, "code X DPL0" },
    { 0, 7,  7,  0xfffff, "conforming XR DPL0" },
    { 0, 3,  3,  0xfffff, "conforming X DPL0" },
    { 0, 15, 15, 0x00fff, "data RW DPL3 expand-down" },
    { 0, 15, 0,  0x0ffff, "data RW DPL0 not present" },
    { 0, 7,  7,  0xfffff, "code XR DPL3" },
    { 0, 3,  0,  0x67,    "TSS32 available DPL0" },
    { 0, 3,  3,  0x67,    "TSS32 available DPL3" },
    { 0, 3,  0,  0x67,    "TSS32 busy DPL0" },
    { 0, 3,  0,  0x67,    "LDT DPL0" },
    { 0, 1,  1,  0,       "call gate 32 DPL3" },
    { 0, 0,  0,  0,       "interrupt gate 32 DPL3" },
    { 0, 0,  0,  0,       "trap gate 32 DPL3" },
    { 0, 1,  1,  0,       "task gate DPL3" },
    { 0, 3,  3,  0x67,    "TSS16 available DPL3" },
    { 0, 3,  3,  0x67,    "TSS16 busy DPL3" },
    { 0, 1,  1,  0,       "call gate 16 DPL3" },
    { 0, 0,  0,  0,       "interrupt gate 16 DPL3" },
    { 0, 0,  0,  0,       "trap gate 16 DPL3" },
    { 0, 0,  0,  0,       "reserved system type 0 DPL3" },
    { 0, 0,  0,  0,       "reserved system type 8 DPL3" },
    { 0, 0,  0,  0,       "reserved system type A DPL3" },
    { 0, 0,  0,  0,       "reserved system type D DPL3" },
};
#define NCASES (int)(sizeof cases / sizeof cases[0])
#define FIRST GDT_FIRST_FREE

static void fill_cases(void)
{
    uint64_t d[NCASES] = {
        SEGD(0x12345, D_DATA_RW, 0),
        SEGD(0x00010, D_DATA_RO, F_G),
        SEGD(0xfffff, D_CODE_XR, F_DB),
        SEGD(0xfffff, D_CODE_X, F_DB),
        SEGD(0xfffff, D_CODE_XR | D_CONF, F_DB),
        SEGD(0xfffff, D_CODE_X | D_CONF, F_DB),
        SEGD(0x00fff, D_DATA_RW | D_EDOWN | D_DPL(3), F_DB),
        SEGD(0x0ffff, D_DATA_RW & ~D_P, 0),
        SEGD(0xfffff, D_CODE_XR | D_DPL(3), F_DB),
        SYSD(T_TSS32, 0),
        SYSD(T_TSS32, 3),
        SYSD(T_TSS32_BUSY, 0),
        SYSD(T_LDT, 0),
        GATE(T_CALL32, 3),
        GATE(T_INT32, 3),
        GATE(T_TRAP32, 3),
        GATE(T_TASKGATE, 3),
        SYSD(T_TSS16, 3),
        SYSD(T_TSS16_BUSY, 3),
        GATE(T_CALL16, 3),
        GATE(T_INT16, 3),
        GATE(T_TRAP16, 3),
        SYSD(0x0, 3),
        SYSD(0x8, 3),
        SYSD(0xa, 3),
        SYSD(0xd, 3),
    };
    for (int i = 0; i < NCASES; i++) {
        cases[i].desc = d[i];
        seg_set_gdt(FIRST + i, d[i]);
    }
}

struct probe { uint32_t lar, lsl, zf; };

/* Run LAR LSL VERR VERW on sel; zf gets the ZF results as LAR|LSL|VR|VW.
 * LAR and LSL start with a marker to check that ZF=0 leaves them alone. */
static void probe(uint16_t sel, struct probe *p)
{
    uint8_t z1, z2, z3, z4;
    uint32_t lar = 0xdeadbeef, lsl = 0xdeadbeef;
    __asm__ volatile("larl %w[s], %[lar]\n\tsetz %[z1]\n\t"
                     "lsll %w[s], %[lsl]\n\tsetz %[z2]\n\t"
                     "verr %w[s]\n\tsetz %[z3]\n\t"
                     "verw %w[s]\n\tsetz %[z4]"
                     : [lar] "+r"(lar), [lsl] "+r"(lsl), [z1] "=&q"(z1), [z2] "=&q"(z2),
                       [z3] "=&q"(z3), [z4] "=&q"(z4)
                     : [s] "r"((uint32_t)sel) : "cc");
    p->lar = lar;
    p->lsl = lsl;
    p->zf = (uint32_t)(z1 | z2 << 1 | z3 << 2 | z4 << 3);
}

static struct probe r3_results[NCASES + 2];
static void r3_probe_all(void)
{
    for (int i = 0; i < NCASES; i++)
        probe(GSEL(FIRST + i) | 3, &r3_results[i]);
    probe(3, &r3_results[NCASES]);
    probe(GSEL(GDT_ENTRIES) | 3, &r3_results[NCASES + 1]);
}

static void check_probe(const struct probe *p, const struct desc_case *c, int ok, const char *cpl)
{
    if (p->zf != (uint32_t)ok) {
        kputs(cpl);
        kputs(c->name);
        kputc('\n');
        CHECK_EQ(p->zf, ok, "ZF of LAR|LSL<<1|VERR<<2|VERW<<3");
    }
    if (ok & LAR)
        CHECK_EQ(p->lar & 0x00f0ff00, (uint32_t)(c->desc >> 32) & 0x00f0ff00, c->name);
    else
        CHECK_EQ(p->lar, 0xdeadbeef, "LAR with ZF=0 leaves the destination");
    if (ok & LSL)
        CHECK_EQ(p->lsl, c->limit, c->name);
    else
        CHECK_EQ(p->lsl, 0xdeadbeef, "LSL with ZF=0 leaves the destination");
}

struct __attribute__((packed)) dtr { uint16_t limit; uint32_t base; uint16_t pad; };

/* CPL-3 reads of the system registers */
static struct dtr r3_gdt, r3_idt;
static uint32_t r3_ldtr, r3_tr, r3_msw;
static void r3_store(void)
{
    __asm__ volatile("sgdt %0\n\tsidt %1" : "=m"(r3_gdt), "=m"(r3_idt));
    __asm__ volatile("sldt %0\n\tstr %1\n\tsmsw %2" : "=r"(r3_ldtr), "=r"(r3_tr), "=r"(r3_msw));
}
static volatile int r3_which;
static void r3_privileged(void)
{
    static struct dtr d;
    switch (r3_which) {
    case 0: SEG_TRY("lgdt %0", : "m"(d)); break;
    case 1: SEG_TRY("lidt %0", : "m"(d)); break;
    case 2: SEG_TRY("lldt %w0", : "r"(0)); break;
    case 3: SEG_TRY("ltr %w0", : "r"(SEL_TSS)); break;
    case 4: SEG_TRY("lmsw %w0", : "r"(1)); break;
    case 5: SEG_TRY("clts", :); break;
    case 6: SEG_TRY("movl %%cr0, %%eax\n\tmovl %%eax, %%cr0", :); break;
    }
}

int kmain(void)
{
    seg_init();
    fill_cases();

    /* ---- LAR LSL VERR VERW ---- */
    for (int i = 0; i < NCASES; i++) {
        struct probe p;
        probe(GSEL(FIRST + i), &p);
        check_probe(&p, &cases[i], cases[i].ok0, "CPL 0: ");
    }
    {
        struct probe p;
        probe(0, &p);
        CHECK_EQ(p.zf, 0, "null selector: ZF=0 for all four");
        probe(GSEL(GDT_ENTRIES), &p);
        CHECK_EQ(p.zf, 0, "selector past the GDT limit: ZF=0 for all four");
        probe(GSEL(FIRST) | 3, &p);
        CHECK_EQ(p.zf, 0, "DPL 0 data with RPL 3 at CPL 0: ZF=0 for all four");
        probe(GSEL(FIRST + 4) | 3, &p);
        CHECK_EQ(p.zf, LAR | LSL | VR, "conforming readable code, RPL 3: exempt from DPL check");
        seg_set_ldt(3, seg_make_desc(0, 0x4321, D_DATA_RW, 0));
        probe(LSEL(3), &p);
        CHECK_EQ(p.zf, 15, "LDT data selector (TI=1)");
        CHECK_EQ(p.lsl, 0x4321, "LSL through the LDT");
        probe(SEL(LDT_ENTRIES, 1, 0), &p);
        CHECK_EQ(p.zf, 0, "selector past the LDT limit: ZF=0");
        probe(SEL_KCODE, &p);
        CHECK_EQ(p.lar & 0x00f0ff00, (uint32_t)(seg_gdt[SEL_KCODE >> 3] >> 32) & 0x00f0ff00,
                 "LAR of the kernel code segment");
        CHECK_EQ(p.lar & 0x00f0fe00, 0x00c09a00, "LAR of the kernel code segment: G D P S type A");
        /* 16-bit LAR: only the access byte */
        uint16_t lar16 = 0;
        __asm__ volatile("larw %w1, %0" : "=r"(lar16) : "r"((uint32_t)SEL_KDATA) : "cc");
        CHECK_EQ(lar16, 0x9300, "16-bit LAR of the kernel data segment");
        /* LAR affects only ZF */
        uint32_t fl, v = 0;
        __asm__ volatile("stc\n\tlarl %w2, %1\n\tpushfl\n\tpopl %0"
                         : "=r"(fl), "+r"(v) : "r"((uint32_t)SEL_KDATA) : "cc");
        CHECK_EQ(fl & (FL_CF | FL_ZF), FL_CF | FL_ZF, "LAR sets ZF and keeps CF");
    }
    seg_ring3_call(r3_probe_all);
    for (int i = 0; i < NCASES; i++)
        check_probe(&r3_results[i], &cases[i], cases[i].ok3, "CPL 3: ");
    CHECK_EQ(r3_results[NCASES].zf, 0, "CPL 3: null selector");
    CHECK_EQ(r3_results[NCASES + 1].zf, 0, "CPL 3: past the GDT limit");

    /* ---- ARPL ---- */
    {
        uint16_t d = 0x1230;
        uint8_t z;
        __asm__ volatile("arpl %w2, %w0\n\tsetz %1" : "+r"(d), "=qm"(z) : "r"(0x0003) : "cc");
        CHECK_EQ(d, 0x1233, "ARPL raises RPL 0 to 3");
        CHECK_EQ(z, 1, "ARPL adjusted: ZF=1");
        d = 0x1232;
        __asm__ volatile("arpl %w2, %w0\n\tsetz %1" : "+r"(d), "=qm"(z) : "r"(0xfff1) : "cc");
        CHECK_EQ(d, 0x1232, "ARPL keeps RPL 2 >= 1");
        CHECK_EQ(z, 0, "ARPL not adjusted: ZF=0");
        d = 0x5551;
        __asm__ volatile("arpl %w2, %w0\n\tsetz %1" : "+r"(d), "=qm"(z) : "r"(0x0001) : "cc");
        CHECK_EQ(d, 0x5551, "ARPL equal RPL: unchanged");
        CHECK_EQ(z, 0, "ARPL equal RPL: ZF=0");
        static volatile uint16_t m[2] = { 0x0008, 0x7777 };
        __asm__ volatile("arpl %w2, %0\n\tsetz %1" : "+m"(m[0]), "=qm"(z) : "r"(0x0002) : "cc");
        CHECK_EQ(m[0], 0x000a, "ARPL on memory");
        CHECK_EQ(m[1], 0x7777, "ARPL writes 16 bits");
        CHECK_EQ(z, 1, "ARPL on memory: ZF=1");
    }

    /* ---- SLDT STR SGDT SIDT ---- */
    {
        uint32_t v = 0xffffffff;
        __asm__ volatile("sldt %0" : "+r"(v));
        CHECK_EQ(v, SEL_LDT, "SLDT r32: the selector, bits 31:16 cleared");
        v = 0xffffffff;
        __asm__ volatile("str %0" : "+r"(v));
        CHECK_EQ(v, SEL_TSS, "STR r32: the selector, bits 31:16 cleared");
        static volatile uint16_t m[2];
        m[0] = m[1] = 0xffff;
        __asm__ volatile("sldt %0" : "=m"(m[0]));
        CHECK_EQ(m[0], SEL_LDT, "SLDT m16");
        CHECK_EQ(m[1], 0xffff, "SLDT m16 writes 2 bytes");
        __asm__ volatile("str %0" : "=m"(m[0]));
        CHECK_EQ(m[0], SEL_TSS, "STR m16");
        CHECK_EQ(m[1], 0xffff, "STR m16 writes 2 bytes");

        struct dtr g = { 0, 0, 0x5a5a }, i = { 0, 0, 0x5a5a };
        __asm__ volatile("sgdt %0\n\tsidt %1" : "+m"(g), "+m"(i));
        CHECK_EQ(g.limit, sizeof seg_gdt - 1, "SGDT limit");
        CHECK_EQ(g.base, (uint32_t)seg_gdt, "SGDT base");
        CHECK_EQ(g.pad, 0x5a5a, "SGDT writes 6 bytes");
        CHECK_EQ(i.limit, sizeof seg_idt - 1, "SIDT limit");
        CHECK_EQ(i.base, (uint32_t)seg_idt, "SIDT base");

        /* LGDT/LIDT with a 16-bit operand size load a 24-bit base */
        struct dtr fake = { 0x1234, 0xab345678, 0 }, got;
        __asm__ volatile("lgdtw %1\n\tsgdt %0\n\tlgdt %2"
                         : "=m"(got) : "m"(fake), "m"(g) : "memory");
        CHECK_EQ(got.limit, 0x1234, "16-bit LGDT limit");
        CHECK_EQ(got.base, 0x00345678, "16-bit LGDT: base bits 31:24 are zero");
        __asm__ volatile("lidtw %1\n\tsidt %0\n\tlidt %2"
                         : "=m"(got) : "m"(fake), "m"(i) : "memory");
        CHECK_EQ(got.base, 0x00345678, "16-bit LIDT: base bits 31:24 are zero");
        __asm__ volatile("sgdt %0" : "=m"(got));
        CHECK_EQ(got.base, (uint32_t)seg_gdt, "GDTR restored");

        /* CPL 3 can read all of them */
        seg_ring3_call(r3_store);
        CHECK_EQ(r3_gdt.base, (uint32_t)seg_gdt, "CPL 3 SGDT base");
        CHECK_EQ(r3_gdt.limit, sizeof seg_gdt - 1, "CPL 3 SGDT limit");
        CHECK_EQ(r3_idt.base, (uint32_t)seg_idt, "CPL 3 SIDT base");
        CHECK_EQ(r3_ldtr, SEL_LDT, "CPL 3 SLDT");
        CHECK_EQ(r3_tr, SEL_TSS, "CPL 3 STR");
        uint32_t cr0;
        __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
        CHECK_EQ(r3_msw & 0xffff, cr0 & 0xffff, "CPL 3 SMSW = CR0[15:0]");
    }

    /* ---- SMSW LMSW CLTS ---- */
    {
        uint32_t cr0, msw = 0, cr0b;
        __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
        __asm__ volatile("smsw %0" : "+r"(msw));
        CHECK_EQ(msw & 0xffff, cr0 & 0xffff, "SMSW r32 = CR0[15:0]");
        static volatile uint16_t m[2];
        m[1] = 0xeeee;
        __asm__ volatile("smsw %0" : "=m"(m[0]));
        CHECK_EQ(m[0], cr0 & 0xffff, "SMSW m16");
        CHECK_EQ(m[1], 0xeeee, "SMSW m16 writes 2 bytes");
        /* LMSW 0x000A: sets MP and TS, tries to clear PE */
        __asm__ volatile("lmsw %w1\n\tmovl %%cr0, %0" : "=r"(cr0b) : "r"(0x000a));
        CHECK_EQ(cr0b & 0xf, 0xb, "LMSW sets MP/TS, cannot clear PE");
        __asm__ volatile("clts\n\tmovl %%cr0, %0" : "=r"(cr0b));
        CHECK_EQ(cr0b & 0x8, 0, "CLTS clears TS");
        __asm__ volatile("movl %0, %%cr0" : : "r"(cr0));
    }

    /* ---- privileged at CPL 3 ---- */
    {
        static const char *const names[] = {
            "CPL 3 LGDT: #GP(0)", "CPL 3 LIDT: #GP(0)", "CPL 3 LLDT: #GP(0)", "CPL 3 LTR: #GP(0)",
            "CPL 3 LMSW: #GP(0)", "CPL 3 CLTS: #GP(0)", "CPL 3 MOV from CR0: #GP(0)",
        };
        for (r3_which = 0; r3_which < 7; r3_which++) {
            seg_ring3_call(r3_privileged);
            seg_expect_fault_cs(__FILE__, __LINE__, names[r3_which], 13, 0, SEL_UCODE);
        }
    }

    /* ---- LLDT ---- */
    {
        uint32_t v = 0xffff;
        SEG_TRY("lldt %w0", : "r"(0));
        SEG_EXPECT_NONE("LLDT null");
        __asm__ volatile("sldt %0" : "+r"(v));
        CHECK_EQ(v, 0, "LDTR null after LLDT 0");
        SEG_TRY("lldt %w0", : "r"(SEL_LDT | 4));
        SEG_EXPECT_FAULT(13, SEL_LDT | 4, "LLDT with TI=1: #GP(sel)");
        SEG_TRY("lldt %w0", : "r"(SEL_KDATA));
        SEG_EXPECT_FAULT(13, SEL_KDATA, "LLDT of a data segment: #GP(sel)");
        SEG_TRY("lldt %w0", : "r"(GSEL(FIRST + 9)));
        SEG_EXPECT_FAULT(13, GSEL(FIRST + 9), "LLDT of a TSS: #GP(sel)");
        seg_set_gdt(FIRST + 12, seg_make_desc((uint32_t)seg_ldt, 0x7f, D_DPL(0) | T_LDT, 0));
        SEG_TRY("lldt %w0", : "r"(GSEL(FIRST + 12)));
        SEG_EXPECT_FAULT(11, GSEL(FIRST + 12), "LLDT of a not-present LDT: #NP(sel)");
        SEG_TRY("lldt %w0", : "r"(GSEL(GDT_ENTRIES + 2)));
        SEG_EXPECT_FAULT(13, GSEL(GDT_ENTRIES + 2), "LLDT past the GDT limit: #GP(sel)");
        SEG_TRY("lldt %w0", : "r"(SEL_LDT | 3));
        SEG_EXPECT_NONE("LLDT of the LDT (RPL ignored)");
        v = 0;
        __asm__ volatile("sldt %0" : "+r"(v));
        CHECK_EQ(v, SEL_LDT | 3, "SLDT returns the selector as loaded");
        __asm__ volatile("lldt %w0" : : "r"(SEL_LDT));
    }

    /* ---- LTR ---- */
    {
        SEG_TRY("ltr %w0", : "r"(SEL_TSS));
        SEG_EXPECT_FAULT(13, SEL_TSS, "LTR of the busy current TSS: #GP(sel)");
        SEG_TRY("ltr %w0", : "r"(SEL_LDT));
        SEG_EXPECT_FAULT(13, SEL_LDT, "LTR of an LDT descriptor: #GP(sel)");
        SEG_TRY("ltr %w0", : "r"(SEL_TSS | 4));
        SEG_EXPECT_FAULT(13, SEL_TSS | 4, "LTR with TI=1: #GP(sel)");
        seg_set_gdt(FIRST + 9, seg_make_desc((uint32_t)&seg_tss, 0x67, T_TSS32, 0));
        SEG_TRY("ltr %w0", : "r"(GSEL(FIRST + 9)));
        SEG_EXPECT_FAULT(11, GSEL(FIRST + 9), "LTR of a not-present TSS: #NP(sel)");
        /* a second available TSS describing the same memory: LTR marks it busy */
        seg_set_gdt(FIRST + 9, seg_make_desc((uint32_t)&seg_tss, 0x67, D_P | T_TSS32, 0));
        SEG_TRY("ltr %w0", : "r"(GSEL(FIRST + 9)));
        SEG_EXPECT_NONE("LTR of an available TSS");
        CHECK_EQ(desc_access(seg_gdt[FIRST + 9]) & 0xf, T_TSS32_BUSY, "LTR sets the busy bit");
        uint32_t tr = 0;
        __asm__ volatile("str %0" : "+r"(tr));
        CHECK_EQ(tr, GSEL(FIRST + 9), "STR after LTR");
        seg_ltr(SEL_TSS);
    }
    return kdone("t_seg_insn");
}
