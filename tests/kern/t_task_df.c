/* t_task_df: a double fault handled by a task gate (as Linux does on i386:
 * the #DF task has its own stack, so a kernel stack overflow is caught).
 *
 * What it checks (Intel SDM Vol. 3 6.15 "Interrupt 8—Double Fault
 * Exception (#DF)": "the double-fault handler is best implemented as a
 * task"; error code 0 pushed on the new task's stack; 6.12.2, 7.3, 7.4;
 * table 6-5):
 *   - #GP whose gate is not present -> #NP -> #DF, delivered through the
 *     task gate in IDT[8]: the #DF task starts with ESP = TSS.ESP - 4 and
 *     error code 0 on its stack, NT=1, link = the faulting task's TSS, both
 *     busy; the faulting task is saved in its TSS; the #DF task sets that
 *     TSS's EIP to a recovery point and IRETs back.
 *   - a kernel stack overflow: paging on, ESP at the bottom of a page whose
 *     next lower page is not present; PUSH -> #PF (write, not present);
 *     delivering it pushes on the same stack -> #PF again -> #DF; the #DF
 *     task runs on its own stack, sees CR2 = the address of the failed
 *     write and the faulting task saved with the ESP it had at the PUSH.
 * The saved CS:EIP of the faulting task are undefined for #DF (SDM) and
 * are not compared.
 */
#include "seg_lib.h"

enum { I_TSSDF = GDT_FIRST_FREE };

static struct tss32 tssDF __attribute__((aligned(128)));
static uint8_t stackDF[4096] __attribute__((aligned(16)));
static volatile uint32_t d_esp, d_err, d_count, d_eflags, d_cr2;
static volatile uint8_t d_busy_self, d_busy_prev;
static struct tss32 prev;

__asm__(".text\n"
        "task_df:\n\t"
        "movl %esp, d_esp\n\t"
        "movl (%esp), %eax\n\t"
        "movl %eax, d_err\n\t"
        "addl $4, %esp\n\t"                 /* drop the error code */
        "call df_work\n\t"
        "iret\n\t"
        "jmp task_df\n");
extern char task_df[];

void df_work(void);
void df_work(void)
{
    d_count++;
    d_eflags = read_eflags();
    __asm__ volatile("movl %%cr2, %0" : "=r"(d_cr2));
    prev = seg_tss.t;
    d_busy_self = desc_access(seg_gdt[I_TSSDF]) & 0xf;
    d_busy_prev = desc_access(seg_gdt[SEL_TSS >> 3]) & 0xf;
    seg_tss.t.eip = seg_fixup;          /* resume the faulting task there */
    seg_fixup = 0;
}

static uint32_t cr3_now(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr3, %0" : "=r"(v));
    return v;
}

static void init_tssDF(void)
{
    static const struct tss32 zero;
    tssDF = zero;
    tssDF.eip = (uint32_t)task_df;
    tssDF.esp = (uint32_t)stackDF + sizeof stackDF;
    tssDF.eflags = FL_1;
    tssDF.cs = SEL_KCODE;
    tssDF.ss = tssDF.ds = tssDF.es = tssDF.fs = tssDF.gs = SEL_KDATA;
    tssDF.ldt = SEL_LDT;
    tssDF.cr3 = cr3_now();
    tssDF.iomap = sizeof(struct tss32);
    seg_set_gdt(I_TSSDF, seg_make_desc((uint32_t)&tssDF, TSS32_SIZE - 1, D_P | T_TSS32, 0));
    d_count = 0;
    seg_tss.t.cr3 = tssDF.cr3;
    seg_tss.t.ldt = SEL_LDT;
}

static uint32_t pgdir[1024] __attribute__((aligned(4096)));
static uint32_t pgtab[2][1024] __attribute__((aligned(4096)));
static uint8_t guard[2][4096] __attribute__((aligned(4096)));   /* [0] unmapped, [1] the stack */
static volatile uint32_t saved_esp __attribute__((used));

int kmain(void)
{
    seg_init();
    seg_set_idt(8, GSEL(I_TSSDF), 0, D_P | T_TASKGATE);

    /* ---- #GP -> #NP -> #DF ---- */
    init_tssDF();
    seg_set_idt(13, SEL_KCODE, seg_stub_addr(13), D_DPL(0) | T_INT32);
    {
        static const struct __attribute__((packed)) { uint32_t off; uint16_t sel; } null_fp = { 0, 0 };
        uint32_t esp0;
        SEG_TRY("movl %%esp, %0\n\t" SEG_MARK "ljmp *%1", "=&r"(esp0) : "m"(null_fp));
        CHECK_EQ(d_count, 1, "#DF task ran");
        CHECK_EQ(seg_trap.count, 0, "no interrupt-gate handler ran");
        CHECK_EQ(d_esp, (uint32_t)stackDF + sizeof stackDF - 4, "#DF task: error code pushed on its stack");
        CHECK_EQ(d_err, 0, "#DF error code 0");
        CHECK_EQ(d_eflags & FL_NT, FL_NT, "#DF task: NT=1");
        CHECK_EQ(tssDF.link, SEL_TSS, "#DF task: link = the faulting task");
        CHECK_EQ(d_busy_self, T_TSS32_BUSY, "#DF TSS busy");
        CHECK_EQ(d_busy_prev, T_TSS32_BUSY, "faulting task's TSS stays busy");
        CHECK_EQ(prev.esp, esp0, "faulting task saved with its ESP (nothing pushed)");
        CHECK_EQ(desc_access(seg_gdt[I_TSSDF]) & 0xf, T_TSS32, "after IRET: #DF TSS available");
    }
    seg_default_idt(13, 0);
    __asm__ volatile("clts");

    /* ---- stack overflow into a not-present page ---- */
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 1024; j++)
            pgtab[i][j] = ((uint32_t)(i * 1024 + j) << 12) | 3;
        pgdir[i] = (uint32_t)pgtab[i] | 3;
    }
    CHECK((uint32_t)guard < 0x800000 - 0x2000, "guard pages below 8 MiB");
    uint32_t n = (uint32_t)guard[0] >> 12;
    pgtab[n >> 10][n & 1023] = 0;
    __asm__ volatile("movl %0, %%cr3\n\t"
                     "movl %%cr0, %%eax\n\t"
                     "orl $0x80000000, %%eax\n\t"
                     "movl %%eax, %%cr0" : : "r"(pgdir) : "eax", "memory");
    init_tssDF();                       /* CR3 = pgdir for both tasks now */
    SEG_TRY_THEN("movl %%esp, saved_esp\n\t"
                 "movl %0, %%esp\n\t"
                 SEG_MARK "pushl $0x12345678",
                 "movl saved_esp, %%esp",
                 : "r"(guard[1]));
    __asm__ volatile("movl %%cr0, %%eax\n\t"
                     "andl $0x7fffffff, %%eax\n\t"
                     "movl %%eax, %%cr0" : : : "eax", "memory");
    CHECK_EQ(d_count, 1, "stack overflow: #DF task ran");
    CHECK_EQ(seg_trap.count, 0, "stack overflow: no #PF handler ran");
    CHECK_EQ(d_err, 0, "stack overflow: #DF error code 0");
    CHECK_EQ(d_cr2, (uint32_t)guard[1] - 4, "stack overflow: CR2 = the failed push address");
    CHECK_EQ(prev.esp, (uint32_t)guard[1], "stack overflow: faulting task saved with its ESP at the PUSH");
    CHECK_EQ(d_esp, (uint32_t)stackDF + sizeof stackDF - 4, "stack overflow: #DF task on its own stack");
    __asm__ volatile("clts");

    return kdone("t_task_df");
}
