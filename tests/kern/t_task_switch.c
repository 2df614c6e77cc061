/* t_task_switch: hardware task switches by JMP, CALL and IRET.
 *
 * What it checks (Intel SDM Vol. 3 ch. 7 "Task Management": 7.3 "Task
 * Switching" (the steps, what is saved in the old TSS and loaded from the
 * new one), 7.4 "Task Linking" (table 7-2: the busy flag, NT and the
 * previous-task link for JMP, CALL and IRET), 2.5 (CR0.TS set on every
 * task switch); Vol. 2 JMP/CALL/IRET "task switch" pseudo-code):
 *   - CALL to a TSS descriptor: the new task starts with the EAX..EDI,
 *     ESP, EFLAGS, EIP, segment registers, LDTR and CR3 of its TSS; EFLAGS.
 *     NT=1; its link field = the old TSS selector; both TSS descriptors are
 *     busy; TR = the new selector; CR0.TS=1.  The old TSS holds the old
 *     task's registers, EFLAGS, segment selectors and EIP = the instruction
 *     after the CALL (its CR3 and LDT fields are not written).
 *   - IRET with NT=1 returns to the linked task: the caller's registers and
 *     EFLAGS come back from its TSS (the CALL "returns"), the called TSS
 *     becomes available and holds its state with NT clear in the saved
 *     EFLAGS and EIP = the instruction after the IRET; LDTR is reloaded.
 *   - JMP to a TSS: no link, NT=0 in the new task, the old TSS becomes
 *     available; a JMP back makes it busy again.
 *   - CALL through a task gate (GDT) works like CALL to the TSS.
 *   - faults, at the JMP/CALL in the old task: JMP/CALL to a busy TSS
 *     #GP(sel); TSS limit < 0x67 #TS(sel); TSS not present #NP(sel); task
 *     gate not present #NP(gate); task gate to a non-TSS #GP(selector in
 *     the gate).
 */
#include "seg_lib.h"

enum {
    I_TSSB = GDT_FIRST_FREE,    /* task B */
    I_TASKGATE_B,               /* task gate -> I_TSSB */
    I_TSS_SHORT,                /* TSS with limit 0x66 */
    I_TSS_NP,                   /* TSS not present */
    I_TASKGATE_NP,              /* task gate, not present */
    I_TASKGATE_BAD,             /* task gate -> SEL_KDATA */
};

static struct tss32 tssB __attribute__((aligned(128)));
static uint8_t stackB[4096] __attribute__((aligned(16)));
static volatile uint32_t b_mode __attribute__((used));  /* 0: back by IRET, 1: by JMP */

/* What task B saw on entry (stored by its first instructions) */
static struct {
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, eflags;
    uint16_t cs, ss, ds, es, fs, gs, tr, ldtr;
    uint32_t cr0, cr3;
} b_seen __attribute__((used));
/* main's registers right after coming back */
static uint32_t after[9] __attribute__((used));
static uint32_t main_esp_at_switch __attribute__((used));

__asm__(".text\n"
        "taskB:\n\t"
        "movl %eax, b_seen\n\t"
        "movl %ecx, b_seen + 4\n\t"
        "movl %edx, b_seen + 8\n\t"
        "movl %ebx, b_seen + 12\n\t"
        "movl %esp, b_seen + 16\n\t"
        "movl %ebp, b_seen + 20\n\t"
        "movl %esi, b_seen + 24\n\t"
        "movl %edi, b_seen + 28\n\t"
        "pushfl\n\t"
        "popl b_seen + 32\n\t"
        "movw %cs, b_seen + 36\n\t"
        "movw %ss, b_seen + 38\n\t"
        "movw %ds, b_seen + 40\n\t"
        "movw %es, b_seen + 42\n\t"
        "movw %fs, b_seen + 44\n\t"
        "movw %gs, b_seen + 46\n\t"
        "str b_seen + 48\n\t"
        "sldt b_seen + 50\n\t"
        "movl %cr0, %eax\n\t"
        "movl %eax, b_seen + 52\n\t"
        "movl %cr3, %eax\n\t"
        "movl %eax, b_seen + 56\n\t"
        "call b_work\n\t"
        "movl $0xb0b0b0b0, %eax\n\t"      /* B's EAX when it leaves */
        "cmpl $0, b_mode\n\t"
        "jne 1f\n\t"
        "iret\n"
        "taskB_after_iret:\n\t"
        "jmp taskB\n"
        "1:\tljmp $0x28, $0\n"            /* SEL_TSS */
        "taskB_after_jmp:\n\t"
        "jmp taskB\n");
extern char taskB[], taskB_after_iret[], taskB_after_jmp[];

/* In task B: copies of the descriptor state and of the old TSS.  The old
 * TSS's CR3 field holds a marker (to see that the switch did not write
 * it); B puts the real CR3 back before the main task is resumed, since the
 * switch back loads CR3 from there. */
#define CR3_MARKER 0x5a5a5000u
static struct tss32 main_saved;
static uint8_t b_busy_B, b_busy_main;
static uint32_t real_cr3;
void b_work(void);
void b_work(void)
{
    main_saved = seg_tss.t;
    seg_tss.t.cr3 = real_cr3;
    b_busy_B = desc_access(seg_gdt[I_TSSB]) & 0xf;
    b_busy_main = desc_access(seg_gdt[SEL_TSS >> 3]) & 0xf;
}

static uint32_t cr3_now(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr3, %0" : "=r"(v));
    return v;
}

static void init_tssB(void)
{
    static const struct tss32 zero;
    tssB = zero;
    tssB.eip = (uint32_t)taskB;
    tssB.esp = (uint32_t)stackB + sizeof stackB;
    tssB.eflags = FL_1 | FL_CF | FL_ZF | FL_OF;
    tssB.eax = 0xb0000001; tssB.ecx = 0xb0000002; tssB.edx = 0xb0000003; tssB.ebx = 0xb0000004;
    tssB.ebp = 0xb0000006; tssB.esi = 0xb0000007; tssB.edi = 0xb0000008;
    tssB.cs = SEL_KCODE;
    tssB.ss = tssB.ds = tssB.es = SEL_KDATA;
    tssB.fs = SEL_UDATA;
    tssB.gs = 0;
    tssB.ldt = 0;
    tssB.cr3 = cr3_now();
    tssB.iomap = sizeof(struct tss32);
    seg_set_gdt(I_TSSB, seg_make_desc((uint32_t)&tssB, TSS32_SIZE - 1, D_P | T_TSS32, 0));
}

/* Switch to task B by `insn` (a far CALL or JMP through sel) with known
 * registers and EFLAGS; store main's registers after it comes back. */
#define SWITCH(insn, sel)                                                     \
    __asm__ volatile("pushl %%ebp\n\t"                                        \
                     "pushl $0x8c7\n\t"   /* CF PF ZF SF OF */                \
                     "popfl\n\t"                                              \
                     "movl $0xa0000001, %%eax\n\t"                            \
                     "movl $0xa0000002, %%ecx\n\t"                            \
                     "movl $0xa0000003, %%edx\n\t"                            \
                     "movl $0xa0000004, %%ebx\n\t"                            \
                     "movl $0xa0000006, %%ebp\n\t"                            \
                     "movl $0xa0000007, %%esi\n\t"                            \
                     "movl $0xa0000008, %%edi\n\t"                            \
                     "movl %%esp, main_esp_at_switch\n\t"                     \
                     insn " %0, $0\n"                                         \
                     "1:\tmovl %%eax, after\n\t"                              \
                     "movl %%ecx, after + 4\n\t"                              \
                     "movl %%edx, after + 8\n\t"                              \
                     "movl %%ebx, after + 12\n\t"                             \
                     "movl %%esp, after + 16\n\t"                             \
                     "movl %%ebp, after + 20\n\t"                             \
                     "movl %%esi, after + 24\n\t"                             \
                     "movl %%edi, after + 28\n\t"                             \
                     "pushfl\n\t"                                             \
                     "popl after + 32\n\t"                                    \
                     "movl $1b, main_ret_eip\n\t"                             \
                     "popl %%ebp\n\t"                                         \
                     "pushl $2\n\t"                                           \
                     "popfl"                                                  \
                     : : "i"(sel) : "eax", "ecx", "edx", "ebx", "esi", "edi", "memory", "cc")
static uint32_t main_ret_eip __attribute__((used));

static void check_main_restored(const char *how)
{
    static const uint32_t want[8] = { 0xa0000001, 0xa0000002, 0xa0000003, 0xa0000004, 0,
                                      0xa0000006, 0xa0000007, 0xa0000008 };
    for (int i = 0; i < 8; i++)
        if (i != 4)
            CHECK_EQ(after[i], want[i], how);
    CHECK_EQ(after[4], main_esp_at_switch, how);
    CHECK_EQ(after[8] & 0x3fffff, 0x8c7, how);
}

static void check_b_started(void)
{
    CHECK_EQ(b_seen.eax, 0xb0000001, "new task: EAX from its TSS");
    CHECK_EQ(b_seen.ecx, 0xb0000002, "new task: ECX");
    CHECK_EQ(b_seen.edx, 0xb0000003, "new task: EDX");
    CHECK_EQ(b_seen.ebx, 0xb0000004, "new task: EBX");
    CHECK_EQ(b_seen.esp, (uint32_t)stackB + sizeof stackB, "new task: ESP");
    CHECK_EQ(b_seen.ebp, 0xb0000006, "new task: EBP");
    CHECK_EQ(b_seen.esi, 0xb0000007, "new task: ESI");
    CHECK_EQ(b_seen.edi, 0xb0000008, "new task: EDI");
    CHECK_EQ(b_seen.cs, SEL_KCODE, "new task: CS");
    CHECK_EQ(b_seen.ss, SEL_KDATA, "new task: SS");
    CHECK_EQ(b_seen.ds, SEL_KDATA, "new task: DS");
    CHECK_EQ(b_seen.fs, SEL_UDATA, "new task: FS");
    CHECK_EQ(b_seen.gs, 0, "new task: GS null");
    CHECK_EQ(b_seen.tr, GSEL(I_TSSB), "new task: TR");
    CHECK_EQ(b_seen.ldtr, 0, "new task: LDTR from its TSS (null)");
    CHECK_EQ(b_seen.cr0 & 8, 8, "task switch sets CR0.TS");
    CHECK_EQ(b_seen.cr3, tssB.cr3, "new task: CR3 from its TSS");
}

/* the main task's state as saved in its TSS, seen from task B */
static void check_main_saved(void)
{
    CHECK_EQ(main_saved.eax, 0xa0000001, "old TSS: EAX saved");
    CHECK_EQ(main_saved.ecx, 0xa0000002, "old TSS: ECX saved");
    CHECK_EQ(main_saved.edx, 0xa0000003, "old TSS: EDX saved");
    CHECK_EQ(main_saved.ebx, 0xa0000004, "old TSS: EBX saved");
    CHECK_EQ(main_saved.esp, main_esp_at_switch, "old TSS: ESP saved");
    CHECK_EQ(main_saved.ebp, 0xa0000006, "old TSS: EBP saved");
    CHECK_EQ(main_saved.esi, 0xa0000007, "old TSS: ESI saved");
    CHECK_EQ(main_saved.edi, 0xa0000008, "old TSS: EDI saved");
    CHECK_EQ(main_saved.eflags & 0x3fffff, 0x8c7, "old TSS: EFLAGS saved");
    CHECK_EQ(main_saved.eip, main_ret_eip, "old TSS: EIP = the instruction after the JMP/CALL");
    CHECK_EQ(main_saved.cs, SEL_KCODE, "old TSS: CS saved");
    CHECK_EQ(main_saved.ss, SEL_KDATA, "old TSS: SS saved");
    CHECK_EQ(main_saved.ds, SEL_KDATA, "old TSS: DS saved");
    CHECK_EQ(main_saved.gs, SEL_KDATA, "old TSS: GS saved");
    CHECK_EQ(main_saved.ldt, SEL_LDT, "old TSS: LDT field (static) unchanged");
    CHECK_EQ(main_saved.cr3, CR3_MARKER, "old TSS: CR3 field (static) not written");
}

static void fault_switch(uint16_t sel, int call, uint32_t vec, uint32_t err, const char *what)
{
    static struct __attribute__((packed)) { uint32_t off; uint16_t sel; } fp;
    fp.off = 0;
    fp.sel = sel;
    if (call)
        SEG_TRY("lcall *%0", : "m"(fp));
    else
        SEG_TRY("ljmp *%0", : "m"(fp));
    SEG_EXPECT_FAULT(vec, err, what);
    uint16_t tr;
    __asm__ volatile("str %0" : "=r"(tr));
    CHECK_EQ(tr, SEL_TSS, "no task switch happened");
}

int kmain(void)
{
    seg_init();
    /* the main TSS's static fields: LDTR is reloaded from it when the main
     * task is resumed */
    seg_tss.t.ldt = SEL_LDT;
    real_cr3 = cr3_now();

    /* ---- CALL to the TSS, IRET back ---- */
    init_tssB();
    b_mode = 0;
    seg_tss.t.cr3 = CR3_MARKER;
    SWITCH("lcall", GSEL(I_TSSB));
    check_main_restored("after CALL/IRET: main registers and EFLAGS restored from its TSS");
    check_b_started();
    CHECK_EQ(b_seen.eflags & 0x3fffff, FL_1 | FL_CF | FL_ZF | FL_OF | FL_NT,
             "CALL: new task EFLAGS from its TSS, plus NT");
    check_main_saved();
    CHECK_EQ(tssB.link, SEL_TSS, "CALL: the new TSS's link = the old TSS selector");
    CHECK_EQ(b_busy_B, T_TSS32_BUSY, "CALL: new TSS busy");
    CHECK_EQ(b_busy_main, T_TSS32_BUSY, "CALL: old TSS stays busy");
    CHECK_EQ(desc_access(seg_gdt[I_TSSB]) & 0xf, T_TSS32, "IRET: the task left becomes available");
    CHECK_EQ(desc_access(seg_gdt[SEL_TSS >> 3]) & 0xf, T_TSS32_BUSY, "IRET: the resumed task is busy");
    CHECK_EQ(tssB.eip, (uint32_t)taskB_after_iret, "IRET: the task left saved EIP after the IRET");
    CHECK_EQ(tssB.eax, 0xb0b0b0b0, "IRET: the task left saved its EAX");
    CHECK_EQ(tssB.eflags & FL_NT, 0, "IRET: NT clear in the saved EFLAGS of the task left");
    {
        uint16_t tr = 0, ldtr = 0;
        uint32_t cr0;
        __asm__ volatile("str %0\n\tsldt %1\n\tmovl %%cr0, %2" : "=r"(tr), "=r"(ldtr), "=r"(cr0));
        CHECK_EQ(tr, SEL_TSS, "IRET: TR = the resumed task");
        CHECK_EQ(ldtr, SEL_LDT, "IRET: LDTR reloaded from the resumed task's TSS");
        CHECK_EQ(cr0 & 8, 8, "IRET task switch sets CR0.TS");
        CHECK_EQ(read_eflags() & FL_NT, 0, "the resumed task runs with its own NT (0)");
        __asm__ volatile("clts");
    }

    /* ---- JMP to the TSS, JMP back ---- */
    seg_tss.t.cr3 = CR3_MARKER;
    init_tssB();
    b_mode = 1;
    SWITCH("ljmp", GSEL(I_TSSB));
    check_main_restored("after JMP/JMP: main registers restored");
    check_b_started();
    CHECK_EQ(b_seen.eflags & 0x3fffff, FL_1 | FL_CF | FL_ZF | FL_OF, "JMP: new task EFLAGS, NT=0");
    check_main_saved();
    CHECK_EQ(tssB.link, 0, "JMP: no link written");
    CHECK_EQ(b_busy_B, T_TSS32_BUSY, "JMP: new TSS busy");
    CHECK_EQ(b_busy_main, T_TSS32, "JMP: old TSS available");
    CHECK_EQ(desc_access(seg_gdt[I_TSSB]) & 0xf, T_TSS32, "JMP back: the task left is available");
    CHECK_EQ(desc_access(seg_gdt[SEL_TSS >> 3]) & 0xf, T_TSS32_BUSY, "JMP back: main busy again");
    CHECK_EQ(tssB.eip, (uint32_t)taskB_after_jmp, "JMP: the task left saved EIP after its JMP");
    __asm__ volatile("clts");

    /* ---- CALL through a task gate ---- */
    seg_tss.t.cr3 = CR3_MARKER;
    init_tssB();
    b_mode = 0;
    seg_set_gdt(I_TASKGATE_B, seg_make_gate(GSEL(I_TSSB), 0, D_P | T_TASKGATE, 0));
    SWITCH("lcall", GSEL(I_TASKGATE_B));
    check_main_restored("after CALL through a task gate");
    check_b_started();
    CHECK_EQ(tssB.link, SEL_TSS, "task gate CALL: link");
    CHECK_EQ(b_busy_B, T_TSS32_BUSY, "task gate CALL: new TSS busy");
    CHECK_EQ(b_seen.eflags & FL_NT, FL_NT, "task gate CALL: NT");
    __asm__ volatile("clts");

    /* ---- faults ---- */
    init_tssB();
    fault_switch(SEL_TSS, 1, 13, SEL_TSS, "CALL to the busy current TSS: #GP(sel)");
    fault_switch(SEL_TSS, 0, 13, SEL_TSS, "JMP to the busy current TSS: #GP(sel)");
    seg_set_gdt(I_TSS_SHORT, seg_make_desc((uint32_t)&tssB, 0x66, D_P | T_TSS32, 0));
    fault_switch(GSEL(I_TSS_SHORT), 0, 10, GSEL(I_TSS_SHORT), "JMP to a TSS with limit 0x66: #TS(sel)");
    seg_set_gdt(I_TSS_NP, seg_make_desc((uint32_t)&tssB, 0x67, T_TSS32, 0));
    fault_switch(GSEL(I_TSS_NP), 1, 11, GSEL(I_TSS_NP), "CALL to a not-present TSS: #NP(sel)");
    seg_set_gdt(I_TASKGATE_NP, seg_make_gate(GSEL(I_TSSB), 0, T_TASKGATE, 0));
    fault_switch(GSEL(I_TASKGATE_NP), 1, 11, GSEL(I_TASKGATE_NP), "CALL through a not-present task gate: #NP(gate)");
    seg_set_gdt(I_TASKGATE_BAD, seg_make_gate(SEL_KDATA, 0, D_P | T_TASKGATE, 0));
    fault_switch(GSEL(I_TASKGATE_BAD), 1, 13, SEL_KDATA, "task gate to a data segment: #GP(its selector)");
    CHECK_EQ(desc_access(seg_gdt[I_TSSB]) & 0xf, T_TSS32, "after the faults: B still available");

    return kdone("t_task_switch");
}
