/* t_task_ts: invalid-TSS faults (#TS, vector 10) handled by a task gate.
 *
 * What it checks (Intel SDM Vol. 3 6.15 "Interrupt 10—Invalid TSS
 * Exception (#TS)", 7.3 "Task Switching" (exceptions after the commit
 * point are handled in the context of the new task), table 7-1; Vol. 2
 * INT n pseudo-code, INTER-PRIVILEGE-LEVEL-INTERRUPT: "IF new stack segment
 * selector is NULL THEN #TS(EXT)", "... RPL != new CPL or ... not a
 * writable data segment or DPL != new CPL THEN #TS(SS selector + EXT)"):
 *   - INT n from CPL 3 through a DPL-3 interrupt gate to ring 0 with a bad
 *     TSS.SS0 (null, read-only data, RPL or DPL != 0): #TS with the SS0
 *     selector (or 0) as error code, a fault on the INT: the interrupted
 *     ring-3 task is saved with EIP = the INT, its CS, SS, ESP; nothing was
 *     pushed.  The #TS task repairs SS0 and IRETs: the INT runs again.
 * (A not-present SS0, which is #SS, and a #TS after the commit point of
 * a task switch are in t_task_ts_hw.)
 */
#include "seg_lib.h"

enum { I_TSSTS = GDT_FIRST_FREE, I_UDATA_RO, I_K0DATA_DPL3 };

static struct tss32 tssTS __attribute__((aligned(128)));
static uint8_t stackTS[4096] __attribute__((aligned(16)));

/* the #TS task */
static volatile uint32_t t_count, t_err, t_esp, t_link;
static struct tss32 t_prev;                 /* the task it interrupted */
__asm__(".text\n"
        "task_ts:\n\t"
        "movl %esp, t_esp\n\t"
        "popl t_err\n\t"
        "call ts_work\n\t"
        "iret\n\t"
        "jmp task_ts\n");
extern char task_ts[];

void ts_work(void);
void ts_work(void)
{
    t_count++;
    t_link = tssTS.link;
    t_prev = seg_tss.t;
    seg_tss.t.ss0 = SEL_KDATA;          /* repair */
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

static void bad_ss0(uint16_t ss0, uint32_t err, const char *what)
{
    init_task(&tssTS, I_TSSTS, task_ts, stackTS);
    t_count = 0;
    seg_tss.t.ss0 = ss0;
    seg_ring3_enter((void (*)(void))r3_int30);
    CHECK_EQ(t_count, 1, what);
    CHECK_EQ(t_link, SEL_TSS, "the #TS task interrupted the main task");
    CHECK_EQ(t_err, err, what);
    CHECK_EQ(t_esp, (uint32_t)stackTS + 4096 - 4, "#TS: error code on the #TS task's stack");
    CHECK_EQ(t_prev.eip, (uint32_t)r3_int30, "#TS on INT: a fault, saved EIP = the INT");
    CHECK_EQ(t_prev.cs, SEL_UCODE, "#TS on INT: saved CS = ring 3");
    CHECK_EQ(t_prev.ss, SEL_UDATA, "#TS on INT: saved SS = ring 3");
    CHECK_EQ(t_prev.esp, (uint32_t)seg_ustack_top, "#TS on INT: nothing pushed on the ring-3 stack");
    CHECK_EQ(seg_ring0_frame[0], (uint32_t)r3_int30 + 2, "then the INT was retried and reached ring 0");
    __asm__ volatile("clts");
}

int kmain(void)
{
    seg_init();
    seg_tss.t.ldt = SEL_LDT;
    seg_tss.t.cr3 = cr3_now();
    seg_set_gdt(I_UDATA_RO, seg_make_desc(0, 0xfffff, D_DATA_RO, F_G | F_DB));
    seg_set_gdt(I_K0DATA_DPL3, seg_make_desc(0, 0xfffff, D_DATA_RW | D_DPL(3), F_G | F_DB));
    seg_set_idt(10, GSEL(I_TSSTS), 0, D_P | T_TASKGATE);

    /* ---- bad TSS.SS0 on a ring 3 -> ring 0 interrupt ---- */
    bad_ss0(0, 0, "INT from CPL 3 with TSS.SS0 null: #TS(0)");
    bad_ss0(GSEL(I_UDATA_RO), GSEL(I_UDATA_RO), "TSS.SS0 read-only: #TS(SS0)");
    bad_ss0(SEL_KDATA | 3, SEL_KDATA, "TSS.SS0 with RPL 3: #TS(SS0)");
    bad_ss0(GSEL(I_K0DATA_DPL3), GSEL(I_K0DATA_DPL3), "TSS.SS0 with DPL 3: #TS(SS0)");
    bad_ss0(SEL_KCODE, SEL_KCODE, "TSS.SS0 is code: #TS(SS0)");

    return kdone("t_task_ts");
}
