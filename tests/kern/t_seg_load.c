/* t_seg_load: loading the data and stack segment registers in protected mode.
 *
 * What it checks, with the expected values from the Intel SDM Vol. 2 (MOV,
 * POP, LDS/LES/LFS/LGS/LSS: "Protected Mode Exceptions" and the pseudo-code
 * for loading a segment register) and Vol. 3 ch. 3.4-3.5 (selectors,
 * descriptors, the accessed bit) and ch. 5 (privilege checks for data and
 * stack segments):
 *   - MOV Sreg from GDT and LDT selectors loads the selector; the
 *     descriptor's accessed bit goes from 0 to 1 on the load.
 *   - DS/ES/FS/GS accept data segments and readable code; they reject with
 *     #GP(selector) an execute-only code segment, system descriptors (TSS,
 *     LDT, call gate), an index beyond the GDT/LDT limit (also an LDT
 *     selector while LDTR is null), and data/nonconforming code with
 *     DPL < max(CPL, RPL); a not-present segment gives #NP(selector).
 *   - SS takes only a writable data segment with RPL = DPL = CPL: null
 *     gives #GP(0), the other violations #GP(selector), not present
 *     #SS(selector).
 *   - The error code is the selector with bits 0-1 clear (EXT = IDT = 0),
 *     TI kept; the pushed CS:EIP is the faulting instruction; the register
 *     keeps its old value and POP Sreg leaves ESP unchanged on a fault.
 *   - A null selector (any RPL) loads into DS/ES/FS/GS without a fault.
 *   - At CPL 3: DS <- DPL 0 data is #GP(sel); DS <- a DPL 0 conforming
 *     readable code segment is allowed (conforming code is exempt from the
 *     DPL check); SS <- ring-0 data is #GP(sel).
 *   - LDS/LSS load the pointer's selector and offset; a faulting LDS leaves
 *     the destination register unchanged.
 */
#include "seg_lib.h"

enum {
    I_DATA = GDT_FIRST_FREE,    /* writable data, DPL 0, accessed bit clear */
    I_DATA_RO,                  /* read-only data */
    I_CODE_X,                   /* execute-only code */
    I_CODE_XR,                  /* readable code */
    I_DATA_NP,                  /* writable data, not present */
    I_DATA_DPL3,                /* writable data, DPL 3 */
    I_CONF_XR,                  /* conforming readable code, DPL 0 */
    I_CALLGATE,                 /* a call gate (system descriptor) */
    I_DATA_DPL1,                /* writable data, DPL 1 */
};
#define L_DATA 1                /* LDT entry: writable data, DPL 0 */
#define L_DATA_NP 2             /* LDT entry: not present */

static uint8_t access_of(int index) { return desc_access(seg_gdt[index]); }

/* Load DS with sel and expect #GP/#NP(err) (vector vec), DS unchanged. */
static void ds_fault(uint16_t sel, uint32_t vec, const char *what)
{
    SEG_TRY("movw %w0, %%ds", : "r"(sel));
    SEG_EXPECT_FAULT(vec, sel & 0xfffc, what);
    CHECK_EQ(read_ds(), SEL_KDATA, what);
}

/* Load DS with sel, read it back and put SEL_KDATA back (C code needs DS). */
static void ds_ok(uint16_t sel, const char *what)
{
    uint16_t got = 0xdead;
    SEG_TRY("movw %w1, %%ds\n\tmovw %%ds, %w0\n\tmovw %w2, %%ds", "=&r"(got)
            : "r"(sel), "r"(SEL_KDATA));
    SEG_EXPECT_NONE(what);
    CHECK_EQ(got, sel, what);
}

static void ss_fault(uint16_t sel, uint32_t vec, uint32_t err, const char *what)
{
    SEG_TRY("movw %w0, %%ss", : "r"(sel));
    SEG_EXPECT_FAULT(vec, err, what);
    CHECK_EQ(read_ss(), SEL_KDATA, what);
}

/* Ring-3 parts: each does one SEG_TRY; ring 0 checks seg_trap afterwards. */
static volatile uint16_t r3_sel, r3_got;
static void r3_load_ds(void)
{
    uint16_t got;
    /* read DS back and put SEL_UDATA back before C code runs again */
    SEG_TRY_THEN("movw %w1, %%ds", "movw %%ds, %w0\n\tmovw %w2, %%ds", "=&r"(got)
                 : "r"(r3_sel), "r"(SEL_UDATA));
    r3_got = got;
}
static void r3_load_ss(void)
{
    SEG_TRY("movw %w0, %%ss", : "r"(r3_sel));
}

int kmain(void)
{
    seg_init();

    seg_set_gdt(I_DATA, seg_make_desc(0, 0xfffff, D_DATA_RW, F_G | F_DB));
    seg_set_gdt(I_DATA_RO, seg_make_desc(0, 0xfffff, D_DATA_RO, F_G | F_DB));
    seg_set_gdt(I_CODE_X, seg_make_desc(0, 0xfffff, D_CODE_X, F_G | F_DB));
    seg_set_gdt(I_CODE_XR, seg_make_desc(0, 0xfffff, D_CODE_XR, F_G | F_DB));
    seg_set_gdt(I_DATA_NP, seg_make_desc(0, 0xfffff, D_DATA_RW & ~D_P, F_G | F_DB));
    seg_set_gdt(I_DATA_DPL3, seg_make_desc(0, 0xfffff, D_DATA_RW | D_DPL(3), F_G | F_DB));
    seg_set_gdt(I_CONF_XR, seg_make_desc(0, 0xfffff, D_CODE_XR | D_CONF, F_G | F_DB));
    seg_set_gdt(I_CALLGATE, seg_make_gate(SEL_KCODE, 0, D_P | T_CALL32, 0));
    seg_set_gdt(I_DATA_DPL1, seg_make_desc(0, 0xfffff, D_DATA_RW | D_DPL(1), F_G | F_DB));
    seg_set_ldt(L_DATA, seg_make_desc(0, 0xfffff, D_DATA_RW, F_G | F_DB));
    seg_set_ldt(L_DATA_NP, seg_make_desc(0, 0xfffff, D_DATA_RW & ~D_P, F_G | F_DB));

    /* ---- accessed bit: set by the first load of each register ---- */
    CHECK_EQ(access_of(I_DATA) & D_ACC, 0, "accessed bit clear before any load");
    ds_ok(GSEL(I_DATA), "DS <- writable data");
    CHECK_EQ(access_of(I_DATA) & D_ACC, D_ACC, "MOV DS sets the accessed bit");
    CHECK_EQ(desc_access(seg_ldt[L_DATA]) & D_ACC, 0, "LDT accessed bit clear before");
    ds_ok(LSEL(L_DATA), "DS <- LDT data (TI=1)");
    CHECK_EQ(desc_access(seg_ldt[L_DATA]) & D_ACC, D_ACC, "MOV DS sets the LDT accessed bit");
    CHECK_EQ(access_of(I_DATA_RO) & D_ACC, 0, "accessed clear (read-only)");
    SEG_TRY("movw %w0, %%fs", : "r"(GSEL(I_DATA_RO)));
    SEG_EXPECT_NONE("FS <- read-only data");
    CHECK_EQ(read_fs(), GSEL(I_DATA_RO), "FS <- read-only data");
    CHECK_EQ(access_of(I_DATA_RO) & D_ACC, D_ACC, "MOV FS sets the accessed bit");
    CHECK_EQ(access_of(I_CODE_XR) & D_ACC, 0, "accessed clear (code)");
    SEG_TRY("movw %w0, %%gs", : "r"(GSEL(I_CODE_XR)));
    SEG_EXPECT_NONE("GS <- readable code");
    CHECK_EQ(access_of(I_CODE_XR) & D_ACC, D_ACC, "MOV GS sets the accessed bit of code");
    ds_ok(GSEL(I_DATA_DPL3), "DS <- DPL 3 data at CPL 0");
    ds_ok(SEL(I_DATA_DPL3, 0, 3), "DS <- DPL 3 data, RPL 3");
    ds_ok(GSEL(I_CONF_XR), "DS <- conforming readable code");
    ds_ok(SEL(I_CONF_XR, 0, 3), "DS <- conforming readable code, RPL 3 > DPL 0");
    ds_ok(SEL(I_DATA_DPL1, 0, 1), "DS <- DPL 1 data, RPL 1");

    /* ---- null selectors load into DS/ES/FS/GS ---- */
    ds_ok(0, "DS <- null");
    ds_ok(3, "DS <- null with RPL 3");
    {
        uint16_t es = 1, gs = 1;
        SEG_TRY("movw %w2, %%es\n\tmovw %w2, %%fs\n\tmovw %w2, %%gs\n\t"
                "movw %%es, %w0\n\tmovw %%gs, %w1\n\tmovw %w3, %%es",
                "=&r"(es), "=&r"(gs) : "r"(0), "r"(SEL_KDATA));
        SEG_EXPECT_NONE("ES/FS/GS <- null");
        CHECK_EQ(es, 0, "ES null");
        CHECK_EQ(gs, 0, "GS null");
        CHECK_EQ(read_fs(), 0, "FS null");
    }

    /* ---- DS/ES/FS/GS faults ---- */
    ds_fault(GSEL(I_CODE_X), 13, "DS <- execute-only code: #GP(sel)");
    ds_fault(SEL_TSS, 13, "DS <- TSS: #GP(sel)");
    ds_fault(SEL_LDT, 13, "DS <- LDT descriptor: #GP(sel)");
    ds_fault(GSEL(I_CALLGATE), 13, "DS <- call gate: #GP(sel)");
    ds_fault(GSEL(GDT_ENTRIES), 13, "DS <- index beyond GDT limit: #GP(sel)");
    ds_fault(SEL(GDT_ENTRIES + 5, 0, 3), 13, "DS <- beyond GDT limit, RPL 3: #GP(sel & ~3)");
    ds_fault(SEL(LDT_ENTRIES, 1, 0), 13, "DS <- index beyond LDT limit: #GP(sel|TI)");
    ds_fault(GSEL(I_DATA_NP), 11, "DS <- not-present data: #NP(sel)");
    ds_fault(SEL(L_DATA_NP, 1, 0), 11, "DS <- not-present LDT data: #NP(sel|TI)");
    ds_fault(SEL(L_DATA_NP, 1, 2), 13, "DS <- not-present LDT data, RPL 2 > DPL: #GP(sel) before #NP");
    ds_fault(SEL(I_DATA, 0, 3), 13, "DS <- DPL 0 data with RPL 3: #GP(sel)");
    ds_fault(SEL(I_DATA_DPL1, 0, 2), 13, "DS <- DPL 1 data with RPL 2: #GP(sel)");
    ds_fault(SEL(I_CODE_XR, 0, 1), 13, "DS <- DPL 0 nonconforming code, RPL 1: #GP(sel)");
    /* a not-present descriptor that is also of the wrong type: type first */
    seg_set_gdt(I_DATA_NP, seg_make_desc(0, 0xfffff, D_CODE_X & ~D_P, F_G | F_DB));
    ds_fault(GSEL(I_DATA_NP), 13, "DS <- not-present execute-only code: #GP(sel) before #NP");
    seg_set_gdt(I_DATA_NP, seg_make_desc(0, 0xfffff, D_DATA_RW & ~D_P, F_G | F_DB));

    SEG_TRY("movw %w0, %%es", : "r"(GSEL(I_DATA_NP)));
    SEG_EXPECT_FAULT(11, GSEL(I_DATA_NP), "ES <- not present: #NP(sel)");
    SEG_TRY("movw %w0, %%fs", : "r"(SEL_TSS | 3));
    SEG_EXPECT_FAULT(13, SEL_TSS, "FS <- TSS, RPL 3: #GP(sel & ~3)");
    SEG_TRY("movw %w0, %%gs", : "r"(GSEL(I_CODE_X)));
    SEG_EXPECT_FAULT(13, GSEL(I_CODE_X), "GS <- execute-only code: #GP(sel)");

    /* an LDT selector while LDTR is null */
    __asm__ volatile("lldt %w0" : : "r"(0));
    ds_fault(LSEL(L_DATA), 13, "DS <- LDT selector with null LDTR: #GP(sel)");
    __asm__ volatile("lldt %w0" : : "r"(SEL_LDT));

    /* ---- SS ---- */
    ss_fault(0, 13, 0, "SS <- null: #GP(0)");
    ss_fault(3, 13, 0, "SS <- null with RPL 3: #GP(0)");
    ss_fault(GSEL(I_DATA_RO), 13, GSEL(I_DATA_RO), "SS <- read-only data: #GP(sel)");
    ss_fault(GSEL(I_CODE_XR), 13, GSEL(I_CODE_XR), "SS <- code: #GP(sel)");
    ss_fault(SEL_KDATA | 1, 13, SEL_KDATA, "SS <- RPL 1 at CPL 0: #GP(sel)");
    ss_fault(GSEL(I_DATA_DPL3), 13, GSEL(I_DATA_DPL3), "SS <- DPL 3 data at CPL 0: #GP(sel)");
    ss_fault(SEL_TSS, 13, SEL_TSS, "SS <- TSS: #GP(sel)");
    ss_fault(GSEL(GDT_ENTRIES + 1), 13, GSEL(GDT_ENTRIES + 1), "SS <- beyond GDT limit: #GP(sel)");
    ss_fault(GSEL(I_DATA_NP), 12, GSEL(I_DATA_NP), "SS <- not-present data: #SS(sel)");
    ss_fault(SEL(L_DATA_NP, 1, 0), 12, SEL(L_DATA_NP, 1, 0), "SS <- not-present LDT data: #SS(sel)");
    CHECK_EQ(access_of(I_DATA) & D_ACC, D_ACC, "accessed (already)");
    seg_set_gdt(I_DATA, seg_make_desc(0, 0xfffff, D_DATA_RW, F_G | F_DB));
    {
        uint16_t got = 0;
        SEG_TRY("movw %w1, %%ss\n\tmovw %%ss, %w0\n\tmovw %w2, %%ss", "=&r"(got)
                : "r"(GSEL(I_DATA)), "r"(SEL_KDATA));
        SEG_EXPECT_NONE("SS <- writable data DPL 0");
        CHECK_EQ(got, GSEL(I_DATA), "SS reads back");
    }
    CHECK_EQ(access_of(I_DATA) & D_ACC, D_ACC, "MOV SS sets the accessed bit");

    /* ---- POP Sreg, LDS, LSS ---- */
    {
        uint32_t esp_before, esp_after;
        /* ESP goes back to its value before the PUSH whatever happens */
        SEG_TRY_THEN("movl %%esp, %0\n\tpushl %2\n\t" SEG_MARK "popl %%ds",
                     "movl %%esp, %1\n\tmovl %0, %%esp",
                     "=&r"(esp_before), "=&r"(esp_after) : "r"((uint32_t)GSEL(I_DATA_NP)));
        SEG_EXPECT_FAULT(11, GSEL(I_DATA_NP), "POP DS <- not present: #NP(sel)");
        CHECK_EQ(esp_after, esp_before - 4, "POP DS fault leaves ESP unchanged");
        CHECK_EQ(read_ds(), SEL_KDATA, "POP DS fault leaves DS");
    }
    {
        static volatile struct __attribute__((packed)) { uint32_t off; uint16_t sel; } fp;
        uint32_t reg = 0x11111111;
        fp.off = 0x12345678;
        fp.sel = GSEL(I_CODE_X);
        SEG_TRY("lds %1, %0", "+r"(reg) : "m"(fp));
        SEG_EXPECT_FAULT(13, GSEL(I_CODE_X), "LDS <- execute-only code: #GP(sel)");
        CHECK_EQ(reg, 0x11111111, "faulting LDS leaves the destination register");
        CHECK_EQ(read_ds(), SEL_KDATA, "faulting LDS leaves DS");
        fp.sel = GSEL(I_DATA);
        SEG_TRY("les %1, %0", "+r"(reg) : "m"(fp));
        SEG_EXPECT_NONE("LES <- data");
        CHECK_EQ(reg, 0x12345678, "LES loads the offset");
        CHECK_EQ(read_es(), GSEL(I_DATA), "LES loads ES");
        __asm__ volatile("movw %w0, %%es" : : "r"(SEL_KDATA));
        fp.sel = GSEL(I_DATA_RO);
        SEG_TRY("lss %1, %0", "+r"(reg) : "m"(fp));
        SEG_EXPECT_FAULT(13, GSEL(I_DATA_RO), "LSS <- read-only data: #GP(sel)");
        CHECK_EQ(reg, 0x12345678, "faulting LSS leaves the destination register");
        fp.sel = GSEL(I_DATA_NP);
        SEG_TRY("lfs %1, %0", "+r"(reg) : "m"(fp));
        SEG_EXPECT_FAULT(11, GSEL(I_DATA_NP), "LFS <- not present: #NP(sel)");
    }

    /* ---- CPL 3 ---- */
    r3_sel = SEL_KDATA;
    seg_ring3_call(r3_load_ds);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3: DS <- DPL 0 data: #GP(sel)", 13, SEL_KDATA, SEL_UCODE);
    CHECK_EQ(seg_trap.ss, SEL_UDATA, "CPL 3 fault pushes the ring-3 SS");
    CHECK_EQ(r3_got, SEL_UDATA, "CPL 3: DS unchanged after the fault");
    r3_sel = GSEL(I_CONF_XR) | 3;
    seg_ring3_call(r3_load_ds);
    SEG_EXPECT_NONE("CPL 3: DS <- DPL 0 conforming readable code");
    CHECK_EQ(r3_got, GSEL(I_CONF_XR) | 3, "CPL 3: DS holds the conforming code selector");
    r3_sel = GSEL(I_CODE_XR) | 3;
    seg_ring3_call(r3_load_ds);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3: DS <- DPL 0 nonconforming code: #GP(sel)", 13,
                        GSEL(I_CODE_XR), SEL_UCODE);
    r3_sel = GSEL(I_DATA_DPL3) | 3;
    seg_ring3_call(r3_load_ds);
    SEG_EXPECT_NONE("CPL 3: DS <- DPL 3 data");
    CHECK_EQ(r3_got, GSEL(I_DATA_DPL3) | 3, "CPL 3: DS <- DPL 3 data");
    r3_sel = GSEL(I_DATA_DPL1) | 1;
    seg_ring3_call(r3_load_ds);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3: DS <- DPL 1 data, RPL 1: #GP(sel)", 13,
                        GSEL(I_DATA_DPL1), SEL_UCODE);
    r3_sel = SEL_KDATA | 3;
    seg_ring3_call(r3_load_ss);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3: SS <- DPL 0 data: #GP(sel)", 13, SEL_KDATA, SEL_UCODE);
    r3_sel = GSEL(I_DATA_DPL3);
    seg_ring3_call(r3_load_ss);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3: SS <- DPL 3 data, RPL 0: #GP(sel)", 13,
                        GSEL(I_DATA_DPL3), SEL_UCODE);
    r3_sel = 3;
    seg_ring3_call(r3_load_ss);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3: SS <- null: #GP(0)", 13, 0, SEL_UCODE);

    return kdone("t_seg_load");
}
