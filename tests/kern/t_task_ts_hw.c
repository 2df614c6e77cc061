/* t_task_ts_hw: #TS after the commit point of a task switch, and #SS for a
 * not-present TSS.SS0, handled by a task gate.
 *
 * What it checks (Intel SDM Vol. 3 6.15 "Interrupt 10—Invalid TSS
 * Exception (#TS)": "if the exception condition was detected after the
 * commit point ... the saved CS:EIP point to the first instruction of the
 * new task"; 7.3 "Task Switching" step 14, table 7-1; Vol. 2 INT n
 * pseudo-code: "IF new stack segment not present THEN #SS(SS selector +
 * EXT)"):
 *   - INT n from CPL 3 through a DPL-3 interrupt gate to ring 0 whose
 *     TSS.SS0 is a not-present writable data segment: #SS(SS0 selector),
 *     a fault on the INT (delivered through a task gate in IDT[12]).
 *   - a CALL to a task whose TSS has an LDT selector that is not an LDT:
 *     #TS(LDT selector) raised after the switch, in the new task: the #TS
 *     task is linked to the new task, which was saved with EIP = its
 *     first instruction.  The #TS task repairs the TSS, IRETs, and the new
 *     task then runs and returns to the caller.  The same for the other
 *     segment fields of the new TSS (table 7-1): DS = execute-only code
 *     #TS(DS), SS = read-only data #TS(SS), CS = a data segment #TS(CS),
 *     DS not present #NP(DS) (through a task gate in IDT[11]).
 *
 * _hw: QEMU 7.2 raises #TS (not #SS) for a not-present SS0, and on a #TS
 * after the commit point it leaves the old task's EIP and unusable
 * segment caches in the new task (the #TS task returns into garbage).
 */
#include "seg_lib.h"

enum { I_TSSTS = GDT_FIRST_FREE, I_TSSSS, I_TSSNP, I_TSSB, I_K0DATA_NP, I_CODE_X, I_DATA_RO };

static struct tss32 tssTS __attribute__((aligned(128))), tssSS __attribute__((aligned(128))),
    tssNP __attribute__((aligned(128))), tssB __attribute__((aligned(128)));
static uint8_t stackTS[4096] __attribute__((aligned(16))), stackB[4096] __attribute__((aligned(16)));

/* the #TS, #SS and #NP tasks (task_ts, task_ss, task_np) share their code */
static volatile uint32_t t_count, t_err, t_esp, t_link, t_which;
static struct tss32 t_prev;                 /* the task it interrupted */
static volatile uint32_t b_ran __attribute__((used));
__asm__(".text\n"
        "task_ts:\n\t"
        "movl $10, t_which\n\t"
        "jmp 1f\n"
        "task_ss:\n\t"
        "movl $12, t_which\n\t"
        "jmp 1f\n"
        "task_np:\n\t"
        "movl $11, t_which\n"
        "1:\tmovl %esp, t_esp\n\t"
        "popl t_err\n\t"
        "call ts_work\n\t"
        "iret\n\t"
        "jmp task_ts\n"
        /* task B: counts its runs and returns to its caller */
        "task_b:\n\t"
        "incl b_ran\n\t"
        "iret\n\t"
        "jmp task_b\n");
extern char task_ts[], task_ss[], task_np[], task_b[];

void ts_work(void);
void ts_work(void)
{
    t_count++;
    t_link = t_which == 10 ? tssTS.link : t_which == 12 ? tssSS.link : tssNP.link;
    if (t_link == SEL_TSS) {
        t_prev = seg_tss.t;
        seg_tss.t.ss0 = SEL_KDATA;      /* repair */
    } else {
        t_prev = tssB;
        tssB.ldt = SEL_LDT;             /* repair all of B's selectors */
        tssB.cs = SEL_KCODE;
        tssB.ss = tssB.ds = SEL_KDATA;
    }
}

static uint32_t cr3_now(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr3, %0" : "=r"(v));
    return v;
}

static void init_task(struct tss32 *t, int index, void *entry, uint8_t *stack)
{
    static const struct tss32 zero;
    *t = zero;
    t->eip = (uint32_t)entry;
    t->esp = (uint32_t)stack + 4096;
    t->eflags = FL_1;
    t->cs = SEL_KCODE;
    t->ss = t->ds = t->es = t->fs = t->gs = SEL_KDATA;
    t->ldt = SEL_LDT;
    t->cr3 = cr3_now();
    t->iomap = sizeof(struct tss32);
    seg_set_gdt(index, seg_make_desc((uint32_t)t, TSS32_SIZE - 1, D_P | T_TSS32, 0));
}

__asm__(".text\nr3_int30: int $0x30\n");
extern char r3_int30[];

/* CALL task B whose TSS has sel in the selector field at byte offset off;
 * expect the fault (vector vec, error err) in B's context, handled by a
 * task, then B's normal run. */
#define FIELD(f) __builtin_offsetof(struct tss32, f)
static void bad_task(unsigned off, uint16_t sel, uint32_t vec, uint32_t err, const char *what)
{
    init_task(&tssTS, I_TSSTS, task_ts, stackTS);
    init_task(&tssNP, I_TSSNP, task_np, stackTS);
    init_task(&tssB, I_TSSB, task_b, stackB);
    *(volatile uint16_t *)((uint8_t *)&tssB + off) = sel;
    t_count = 0;
    t_which = 0;
    b_ran = 0;
    __asm__ volatile("lcall %0, $0" : : "i"(GSEL(I_TSSB)) : "memory", "cc");
    CHECK_EQ(t_count, 1, what);
    CHECK_EQ(t_which, vec, what);
    CHECK_EQ(t_err, err, what);
    CHECK_EQ(t_link, GSEL(I_TSSB), "the fault happened in the new task (link = new task)");
    CHECK_EQ(t_prev.eip, (uint32_t)task_b, "the new task was saved before its first instruction");
    CHECK_EQ(t_prev.link, SEL_TSS, "the new task is linked to the caller");
    CHECK_EQ(b_ran, 1, "after the repair the new task ran and returned");
    CHECK_EQ(desc_access(seg_gdt[I_TSSB]) & 0xf, T_TSS32, "the new task is available again");
    __asm__ volatile("clts");
}

int kmain(void)
{
    seg_init();
    seg_tss.t.ldt = SEL_LDT;
    seg_tss.t.cr3 = cr3_now();
    seg_set_gdt(I_K0DATA_NP, seg_make_desc(0, 0xfffff, D_DATA_RW & ~D_P, F_G | F_DB));
    seg_set_idt(10, GSEL(I_TSSTS), 0, D_P | T_TASKGATE);
    seg_set_idt(12, GSEL(I_TSSSS), 0, D_P | T_TASKGATE);
    seg_set_idt(11, GSEL(I_TSSNP), 0, D_P | T_TASKGATE);
    seg_set_gdt(I_CODE_X, seg_make_desc(0, 0xfffff, D_CODE_X, F_G | F_DB));
    seg_set_gdt(I_DATA_RO, seg_make_desc(0, 0xfffff, D_DATA_RO, F_G | F_DB));

    /* ---- not-present TSS.SS0: #SS ---- */
    init_task(&tssTS, I_TSSTS, task_ts, stackTS);
    init_task(&tssSS, I_TSSSS, task_ss, stackTS);
    t_count = 0;
    seg_tss.t.ss0 = GSEL(I_K0DATA_NP);
    seg_ring3_enter((void (*)(void))r3_int30);
    CHECK_EQ(t_count, 1, "TSS.SS0 not present: the handler task ran once");
    CHECK_EQ(t_which, 12, "TSS.SS0 not present: #SS, not #TS");
    CHECK_EQ(t_err, GSEL(I_K0DATA_NP), "#SS(SS0 selector)");
    CHECK_EQ(t_prev.eip, (uint32_t)r3_int30, "#SS on INT: a fault, saved EIP = the INT");
    CHECK_EQ(seg_ring0_frame[0], (uint32_t)r3_int30 + 2, "then the INT was retried and reached ring 0");
    __asm__ volatile("clts");

    /* ---- a new task with a bad selector in its TSS ---- */
    bad_task(FIELD(ldt), SEL_KDATA, 10, SEL_KDATA, "new TSS: LDT field is a data segment: #TS(LDT)");
    bad_task(FIELD(ds), GSEL(I_CODE_X), 10, GSEL(I_CODE_X), "new TSS: DS is execute-only code: #TS(DS)");
    bad_task(FIELD(ss), GSEL(I_DATA_RO), 10, GSEL(I_DATA_RO), "new TSS: SS is read-only: #TS(SS)");
    bad_task(FIELD(cs), SEL_KDATA, 10, SEL_KDATA, "new TSS: CS is a data segment: #TS(CS)");
    bad_task(FIELD(ds), GSEL(I_K0DATA_NP), 11, GSEL(I_K0DATA_NP), "new TSS: DS not present: #NP(DS)");

    return kdone("t_task_ts_hw");
}
