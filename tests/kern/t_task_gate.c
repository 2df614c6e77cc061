/* t_task_gate: task gates in the IDT (interrupts and exceptions handled by
 * a task switch).
 *
 * What it checks (Intel SDM Vol. 3 6.11/6.12.2 "Interrupt Tasks", 7.3,
 * 7.4; Vol. 2 INT n pseudo-code, TASK-GATE):
 *   - INT n through a task gate switches to the gate's TSS as a nested
 *     task (NT=1 in the new task, link = the interrupted task's TSS, both
 *     busy); nothing is pushed on the interrupted task's stack and it is
 *     saved with EIP = the instruction after the INT; IRET resumes it.
 *   - an exception with an error code (#GP) through a task gate: the error
 *     code is pushed on the new task's stack (its ESP = TSS.ESP - 4), the
 *     interrupted task is saved with EIP = the faulting instruction.
 *   - from CPL 3, INT n through a DPL-3 task gate switches to a ring-0
 *     task (the new CPL comes from its CS), the interrupted task is saved
 *     with its ring-3 CS, SS, ESP; IRET resumes it at CPL 3.  Through a
 *     DPL-0 task gate: #GP(vector*8 + 2).
 *   - INT n through a task gate whose TSS is busy (the running task calls
 *     itself): #GP(TSS selector), taken in the running task.
 */
#include "seg_lib.h"

enum { I_TSSH = GDT_FIRST_FREE };

static struct tss32 tssH __attribute__((aligned(128)));
static uint8_t stackH[4096] __attribute__((aligned(16)));

/* handler task: records its entry ESP and the dword on top of its stack,
 * a copy of the interrupted task's TSS, its own TR/EFLAGS/CS; resumes the
 * interrupted task with IRET (at seg_fixup if that is set). */
static volatile uint32_t h_esp, h_top, h_count, h_eflags;
static volatile uint16_t h_cs, h_tr;
static struct tss32 prev;
static volatile uint8_t h_busy_self, h_busy_prev;
static volatile int h_selfcall;
__asm__(".text\n"
        "task_h:\n\t"
        "movl %esp, h_esp\n\t"
        "movl (%esp), %eax\n\t"
        "movl %eax, h_top\n\t"
        "call h_work\n\t"
        "iret\n\t"
        "jmp task_h\n");
extern char task_h[];

void h_work(void);
void h_work(void)
{
    h_count++;
    h_eflags = read_eflags();
    h_cs = read_cs();
    __asm__ volatile("str %0" : "=m"(h_tr));
    prev = seg_tss.t;
    h_busy_self = desc_access(seg_gdt[I_TSSH]) & 0xf;
    h_busy_prev = desc_access(seg_gdt[SEL_TSS >> 3]) & 0xf;
    if (seg_fixup) {                    /* resume the faulting task elsewhere */
        seg_tss.t.eip = seg_fixup;
        seg_fixup = 0;
    }
    if (h_selfcall) {                   /* INT 0x40 again: its TSS is busy */
        h_selfcall = 0;
        SEG_TRY("int $0x40", :);
    }
}

static void init_tssH(void)
{
    static const struct tss32 zero;
    uint32_t cr3;
    __asm__ volatile("movl %%cr3, %0" : "=r"(cr3));
    tssH = zero;
    tssH.eip = (uint32_t)task_h;
    tssH.esp = (uint32_t)stackH + sizeof stackH;
    tssH.eflags = FL_1;
    tssH.cs = SEL_KCODE;
    tssH.ss = tssH.ds = tssH.es = tssH.fs = tssH.gs = SEL_KDATA;
    tssH.ldt = SEL_LDT;
    tssH.cr3 = cr3;
    tssH.iomap = sizeof(struct tss32);
    seg_set_gdt(I_TSSH, seg_make_desc((uint32_t)&tssH, TSS32_SIZE - 1, D_P | T_TSS32, 0));
    h_count = 0;
}

static volatile uint32_t r3_after_int __attribute__((used)), r3_esp __attribute__((used));
static void r3_int41(void)
{
    __asm__ volatile("movl %%esp, r3_esp\n\t"
                     "int $0x41\n"
                     "1:\tmovl $1b, r3_after_int" : : : "memory");
}
static void r3_int40(void)
{
    SEG_TRY("int $0x40", :);
}

int kmain(void)
{
    seg_init();
    seg_tss.t.ldt = SEL_LDT;
    __asm__ volatile("movl %%cr3, %0" : "=r"(seg_tss.t.cr3));

    /* ---- INT n through a task gate ---- */
    init_tssH();
    seg_set_idt(0x40, GSEL(I_TSSH), 0, D_P | T_TASKGATE);
    {
        uint32_t esp0, esp1, next;
        __asm__ volatile("movl %%esp, %0\n\t"
                         "int $0x40\n"
                         "1:\tmovl %%esp, %1\n\t"
                         "movl $1b, %2" : "=&r"(esp0), "=&r"(esp1), "=&r"(next) : : "memory");
        CHECK_EQ(h_count, 1, "INT 0x40 ran the handler task");
        CHECK_EQ(h_tr, GSEL(I_TSSH), "handler task: TR");
        CHECK_EQ(h_eflags & FL_NT, FL_NT, "handler task: NT=1 (nested)");
        CHECK_EQ(h_esp, (uint32_t)stackH + sizeof stackH, "INT n via task gate: nothing pushed on the new stack");
        CHECK_EQ(tssH.link, SEL_TSS, "handler task: link = interrupted task");
        CHECK_EQ(h_busy_self, T_TSS32_BUSY, "handler TSS busy");
        CHECK_EQ(h_busy_prev, T_TSS32_BUSY, "interrupted TSS stays busy");
        CHECK_EQ(prev.eip, next, "interrupted task saved with EIP after the INT");
        CHECK_EQ(prev.esp, esp0, "interrupted task saved with its ESP (nothing pushed)");
        CHECK_EQ(esp1, esp0, "interrupted stack untouched");
        CHECK_EQ(desc_access(seg_gdt[I_TSSH]) & 0xf, T_TSS32, "after IRET: handler TSS available");
        __asm__ volatile("clts");
    }

    /* ---- #GP through a task gate: the error code on the new stack ---- */
    init_tssH();
    seg_set_idt(13, GSEL(I_TSSH), 0, D_P | T_TASKGATE);
    SEG_TRY("movw %w0, %%ds", : "r"(SEL_TSS));
    seg_default_idt(13, 0);
    CHECK_EQ(h_count, 1, "#GP ran the handler task");
    CHECK_EQ(h_esp, (uint32_t)stackH + sizeof stackH - 4, "#GP via task gate: error code pushed on the new stack");
    CHECK_EQ(h_top, SEL_TSS, "#GP via task gate: error code = the selector");
    CHECK_EQ(prev.eip, seg_try_start, "#GP via task gate: interrupted task saved with EIP of the fault");
    CHECK_EQ(read_ds(), SEL_KDATA, "DS unchanged");
    __asm__ volatile("clts");

    /* ---- from CPL 3 ---- */
    init_tssH();
    seg_set_idt(0x41, GSEL(I_TSSH), 0, D_P | D_DPL(3) | T_TASKGATE);
    seg_ring3_call(r3_int41);
    CHECK_EQ(h_count, 1, "CPL 3: INT through a DPL 3 task gate ran the task");
    CHECK_EQ(h_cs, SEL_KCODE, "the handler task runs at CPL 0 (its CS)");
    CHECK_EQ(prev.cs, SEL_UCODE, "interrupted task saved with CS = ring-3 code");
    CHECK_EQ(prev.ss, SEL_UDATA, "interrupted task saved with SS = ring-3 stack");
    CHECK_EQ(prev.esp, r3_esp, "interrupted task saved with the ring-3 ESP");
    CHECK_EQ(prev.eip, r3_after_int, "interrupted task saved with EIP after the INT");
    CHECK_EQ(seg_ring0_frame[1] & 0xffff, SEL_UCODE, "the IRET resumed ring 3, which then came back");
    __asm__ volatile("clts");
    seg_set_idt(0x40, GSEL(I_TSSH), 0, D_P | D_DPL(0) | T_TASKGATE);
    h_count = 0;
    seg_ring3_call(r3_int40);
    seg_expect_fault_cs(__FILE__, __LINE__, "CPL 3: INT through a DPL 0 task gate: #GP(0x40*8+2)", 13,
                        0x40 * 8 + 2, SEL_UCODE);
    CHECK_EQ(h_count, 0, "no task switch");

    /* ---- INT to a busy task ---- */
    init_tssH();
    h_selfcall = 1;
    __asm__ volatile("int $0x40" : : : "memory");
    CHECK_EQ(h_count, 1, "handler task ran once");
    CHECK_EQ(seg_trap.count, 1, "INT 0x40 inside the handler task faulted");
    CHECK_EQ(seg_trap.vector, 13, "INT to a busy task: #GP");
    CHECK_EQ(seg_trap.err, GSEL(I_TSSH), "INT to a busy task: error code = TSS selector");
    __asm__ volatile("clts");

    return kdone("t_task_gate");
}
