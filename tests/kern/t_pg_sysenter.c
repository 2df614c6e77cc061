/* t_pg_sysenter: SYSEXIT to ring 3 and SYSENTER back.
 *
 * Checks (Intel SDM Vol. 2 SYSENTER and SYSEXIT, Vol. 3 5.8.7 "Performing
 * Fast Calls to System Procedures with the SYSENTER and SYSEXIT
 * Instructions"), with IA32_SYSENTER_CS = 0x08 and pg_lib's GDT order
 * (0x08 ring-0 code, 0x10 ring-0 data, 0x18 ring-3 code, 0x20 ring-3 data):
 *  - SYSEXIT: CS = (SYSENTER_CS + 16) | 3 = 0x1b, SS = (SYSENTER_CS + 24)
 *    | 3 = 0x23, ESP = ECX, EIP = EDX, CPL 3; other registers and EFLAGS
 *    unchanged (IF stays 1);
 *  - SYSENTER: CS = SYSENTER_CS & 0xfffc = 0x08, SS = CS + 8 = 0x10,
 *    ESP = IA32_SYSENTER_ESP, EIP = IA32_SYSENTER_EIP, CPL 0; EFLAGS.IF
 *    (and VM, RF) cleared, other flags (CF, DF) and registers kept;
 *  - SYSEXIT at CPL 3 is #GP(0); SYSENTER and SYSEXIT with
 *    IA32_SYSENTER_CS[15:2] = 0 are #GP(0).
 * The PICs are masked (pg_setup), so running with IF = 1 is safe.
 */
#include "pg_lib.h"

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

uint8_t se_kstack[4096] __attribute__((aligned(16)));
uint8_t se_ustack[4096] __attribute__((aligned(16)));
#define SE_KSTACK_TOP ((uint32_t)se_kstack + sizeof se_kstack)
#define SE_USTACK_TOP ((uint32_t)se_ustack + sizeof se_ustack)

/* Recorded state: before SYSEXIT (k0_), in ring 3 (u_), after SYSENTER (k_). */
uint32_t se_kesp, se_k0_eflags;
uint32_t se_u_cs, se_u_ss, se_u_esp, se_u_eflags, se_u_ebx, se_u_esi;
uint32_t se_k_cs, se_k_ss, se_k_esp, se_k_eflags, se_k_ebx, se_k_edi;

void se_run(void);
void se_kentry(void);
extern char se_user[];
__asm__(".text\n"
        "se_run:\n\t"
        "pushl %ebp\n\t"
        "pushl %ebx\n\t"
        "pushl %esi\n\t"
        "pushl %edi\n\t"
        "movl %esp, se_kesp\n\t"
        "movl $0x23, %eax\n\t"
        "movl %eax, %ds\n\t"
        "movl %eax, %es\n\t"
        "movl $se_ustack + 4096, %ecx\n\t"
        "movl $se_user, %edx\n\t"
        "movl $0x5a5a5a5a, %ebx\n\t"
        "movl $0x0e0e0e0e, %esi\n\t"
        "sti\n\t"
        "pushfl\n\t"
        "popl se_k0_eflags\n\t"
        "sysexit\n"
        "se_user:\n\t"                      /* CPL 3 */
        "movw %cs, se_u_cs\n\t"
        "movw %ss, se_u_ss\n\t"
        "movl %esp, se_u_esp\n\t"
        "movl %ebx, se_u_ebx\n\t"
        "movl %esi, se_u_esi\n\t"
        "pushfl\n\t"
        "popl se_u_eflags\n\t"
        "movl $0x12345678, %ebx\n\t"
        "movl $0x0d0d0d0d, %edi\n\t"
        "stc\n\t"
        "std\n\t"
        "sysenter\n"
        "se_kentry:\n\t"                    /* CPL 0, ESP = SYSENTER_ESP */
        "pushfl\n\t"
        "popl se_k_eflags\n\t"
        "cld\n\t"
        "movw %cs, se_k_cs\n\t"
        "movw %ss, se_k_ss\n\t"
        "movl %esp, se_k_esp\n\t"
        "movl %ebx, se_k_ebx\n\t"
        "movl %edi, se_k_edi\n\t"
        "movl $0x10, %eax\n\t"
        "movl %eax, %ds\n\t"
        "movl %eax, %es\n\t"
        "movl se_kesp, %esp\n\t"
        "popl %edi\n\t"
        "popl %esi\n\t"
        "popl %ebx\n\t"
        "popl %ebp\n\t"
        "ret\n");

PG_PROBE(p_sysexit, "movl %esp, %ecx; movl $9f, %edx", "sysexit");
PG_PROBE(p_sysenter, "", "sysenter");

int kmain(void)
{
    pg_setup();
    pg_paging_on();
    pg_reset_traps();

    wrmsr(MSR_SYSENTER_CS, SEL_KCODE);
    wrmsr(MSR_SYSENTER_ESP, SE_KSTACK_TOP);
    wrmsr(MSR_SYSENTER_EIP, (uint32_t)se_kentry);
    se_run();
    CHECK_NOTRAP("SYSEXIT + SYSENTER round trip");

    CHECK_EQ(se_u_cs, 0x1b, "after SYSEXIT: CS = SYSENTER_CS + 16 | 3");
    CHECK_EQ(se_u_ss, 0x23, "after SYSEXIT: SS = SYSENTER_CS + 24 | 3");
    CHECK_EQ(se_u_esp, SE_USTACK_TOP, "after SYSEXIT: ESP = ECX");
    CHECK_EQ(se_u_ebx, 0x5a5a5a5a, "after SYSEXIT: EBX kept");
    CHECK_EQ(se_u_esi, 0x0e0e0e0e, "after SYSEXIT: ESI kept");
    CHECK_EQ(se_u_eflags, se_k0_eflags, "after SYSEXIT: EFLAGS unchanged");
    CHECK(se_u_eflags & EFL_IF, "after SYSEXIT: IF still 1");

    CHECK_EQ(se_k_cs, 0x08, "after SYSENTER: CS = SYSENTER_CS");
    CHECK_EQ(se_k_ss, 0x10, "after SYSENTER: SS = SYSENTER_CS + 8");
    CHECK_EQ(se_k_esp, SE_KSTACK_TOP, "after SYSENTER: ESP = SYSENTER_ESP");
    CHECK_EQ(se_k_ebx, 0x12345678, "after SYSENTER: EBX kept");
    CHECK_EQ(se_k_edi, 0x0d0d0d0d, "after SYSENTER: EDI kept");
    CHECK(!(se_k_eflags & EFL_IF), "after SYSENTER: IF cleared");
    CHECK_EQ(se_k_eflags & (EFL_CF | EFL_DF), EFL_CF | EFL_DF, "after SYSENTER: CF and DF kept");
    CHECK(!(read_eflags() & EFL_IF), "IF = 0 again in the kernel");

    /* A second round trip with other MSR values (SYSENTER_CS's RPL bits are ignored). */
    wrmsr(MSR_SYSENTER_CS, SEL_KCODE | 3);
    wrmsr(MSR_SYSENTER_ESP, SE_KSTACK_TOP - 64);
    se_run();
    CHECK_EQ(se_u_cs, 0x1b, "SYSENTER_CS = 0x0b: SYSEXIT CS = 0x1b");
    CHECK_EQ(se_u_ss, 0x23, "SYSENTER_CS = 0x0b: SYSEXIT SS = 0x23");
    CHECK_EQ(se_k_cs, 0x08, "SYSENTER_CS = 0x0b: SYSENTER CS = 0x08");
    CHECK_EQ(se_k_ss, 0x10, "SYSENTER_CS = 0x0b: SYSENTER SS = 0x10");
    CHECK_EQ(se_k_esp, SE_KSTACK_TOP - 64, "second SYSENTER: ESP = new SYSENTER_ESP");
    CHECK_NOTRAP("second round trip");
    __asm__ volatile("cli");
    wrmsr(MSR_SYSENTER_CS, SEL_KCODE);

    /* #GP(0) cases. */
    pg_reset_traps();
    pg_user_call_arg(p_sysexit, 0);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_sysexit_insn), "SYSEXIT at CPL 3");
    CHECK_EQ(pg_last.cs, SEL_UCODE, "SYSEXIT at CPL 3: saved CS");
    wrmsr(MSR_SYSENTER_CS, 0);
    pg_reset_traps();
    pg_user_call_arg(p_sysenter, 0);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_sysenter_insn), "SYSENTER with SYSENTER_CS = 0");
    CHECK_EQ(pg_last.cs, SEL_UCODE, "SYSENTER #GP: saved CS");
    pg_reset_traps();
    p_sysexit(0);
    CHECK_TRAP(VEC_GP, 0, PG_EIP(p_sysexit_insn), "SYSEXIT with SYSENTER_CS = 0");
    CHECK_EQ(read_cs(), SEL_KCODE, "still in ring 0");

    return kdone("t_pg_sysenter");
}
