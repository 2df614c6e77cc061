/* t_pg_cr: control and debug registers and the privileged system
 * instructions around them.
 *
 * Checks (Intel SDM Vol. 3 2.5 "Control Registers", 2.8 "System
 * Instruction Summary", 17.2 "Debug Registers", and the Vol. 2 pages of
 * MOV CR, MOV DR, CLTS, LMSW, SMSW, INVD, WBINVD, INVLPG):
 *  - CR0: MP EM TS NE WP AM round-trip; ET is hardwired to 1 (P6 family
 *    and later);  (the #GP(0) cases of MOV to CR0/CR4 are in t_pg_cr_hw);
 *  - CR2 and CR3 (with PWT, PCD) round-trip, with paging off and on;
 *  - CR4: TSD DE PSE PGE round-trip; CR1 and CR5-CR7 are #UD;
 *  - CLTS clears only TS; LMSW loads only PE MP EM TS and cannot clear
 *    PE; SMSW stores CR0[15:0] (a 16-bit store to memory) and works at
 *    CPL 3 (no UMIP);
 *  - DR0-DR3 round-trip; DR6 reads its reserved bits as 1 (0xffff0ff0 on
 *    P6 and later) and DR7 its bit 10 as 1; with CR4.DE = 0, DR4/DR5 are
 *    DR6/DR7, with CR4.DE = 1 they are #UD;
 *  - WBINVD and INVD run at CPL 0 (memory is intact after WBINVD; INVD);
 *  - at CPL 3, MOV CR, MOV DR, CLTS, LMSW, INVD, WBINVD and INVLPG are
 *    #GP(0) with the saved EIP at the instruction.
 */
#include "pg_lib.h"

/* Probes: one instruction each at a known EIP (4(%esp) is the argument). */
PG_PROBE(p_wr_cr0, "movl 4(%esp), %eax", "movl %eax, %cr0");
PG_PROBE(p_wr_cr4, "movl 4(%esp), %eax", "movl %eax, %cr4");
PG_PROBE(p_rd_cr0, "", "movl %cr0, %eax");
PG_PROBE(p_rd_cr1, "", ".byte 0x0f, 0x20, 0xc8");           /* mov %cr1, %eax */
PG_PROBE(p_wr_cr5, "xorl %eax, %eax", ".byte 0x0f, 0x22, 0xe8"); /* mov %eax, %cr5 */
PG_PROBE(p_rd_cr7, "", ".byte 0x0f, 0x20, 0xf8");           /* mov %cr7, %eax */
PG_PROBE(p_rd_cr3, "", "movl %cr3, %eax");
PG_PROBE(p_rd_dr4, "", "movl %dr4, %eax");
PG_PROBE(p_wr_dr5, "xorl %eax, %eax", "movl %eax, %dr5");
PG_PROBE(p_rd_dr7, "", "movl %dr7, %eax");
PG_PROBE(p_wr_dr0, "xorl %eax, %eax", "movl %eax, %dr0");
PG_PROBE(p_clts, "", "clts");
PG_PROBE(p_lmsw3, "movl $1, %eax", "lmsw %ax");
PG_PROBE(p_smsw, "movl $0xffffffff, %eax", "smsw %eax");
PG_PROBE(p_invd, "", "invd");
PG_PROBE(p_wbinvd, "", "wbinvd");
PG_PROBE(p_invlpg, "", "invlpg (%esp)");

static inline uint32_t read_dr(int n)
{
    uint32_t v = 0;
    switch (n) {
    case 0: __asm__ volatile("mov %%dr0, %0" : "=r"(v)); break;
    case 1: __asm__ volatile("mov %%dr1, %0" : "=r"(v)); break;
    case 2: __asm__ volatile("mov %%dr2, %0" : "=r"(v)); break;
    case 3: __asm__ volatile("mov %%dr3, %0" : "=r"(v)); break;
    case 4: __asm__ volatile("mov %%dr4, %0" : "=r"(v)); break;
    case 5: __asm__ volatile("mov %%dr5, %0" : "=r"(v)); break;
    case 6: __asm__ volatile("mov %%dr6, %0" : "=r"(v)); break;
    case 7: __asm__ volatile("mov %%dr7, %0" : "=r"(v)); break;
    }
    return v;
}

static inline void write_dr(int n, uint32_t v)
{
    switch (n) {
    case 0: __asm__ volatile("mov %0, %%dr0" : : "r"(v)); break;
    case 1: __asm__ volatile("mov %0, %%dr1" : : "r"(v)); break;
    case 2: __asm__ volatile("mov %0, %%dr2" : : "r"(v)); break;
    case 3: __asm__ volatile("mov %0, %%dr3" : : "r"(v)); break;
    case 4: __asm__ volatile("mov %0, %%dr4" : : "r"(v)); break;
    case 5: __asm__ volatile("mov %0, %%dr5" : : "r"(v)); break;
    case 6: __asm__ volatile("mov %0, %%dr6" : : "r"(v)); break;
    case 7: __asm__ volatile("mov %0, %%dr7" : : "r"(v)); break;
    }
}

/* Run probe at CPL 3 and check for #GP(0) at its instruction. */
#define CHECK_GP_CPL3(probe, arg, what) do { \
    pg_reset_traps(); \
    pg_user_call_arg(probe, (arg)); \
    CHECK_TRAP(VEC_GP, 0, PG_EIP(probe##_insn), what); \
    CHECK_EQ(pg_last.cs, SEL_UCODE, what ": from CPL 3"); } while (0)

static void cr_round_trips(const char *phase)
{
    kputs(phase);       /* context for any failure below */
    kputc('\n');
    uint32_t cr0 = read_cr0();
    static const uint32_t bits[] = { CR0_MP, CR0_EM, CR0_TS, CR0_NE, CR0_WP, CR0_AM };
    for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        write_cr0(cr0 | bits[i]);
        CHECK_EQ(read_cr0(), cr0 | bits[i], "CR0 bit set reads back");
        write_cr0(cr0 & ~bits[i]);
        CHECK_EQ(read_cr0(), cr0 & ~bits[i], "CR0 bit clear reads back");
    }
    write_cr0(cr0);

    write_cr2(0x12345678);
    CHECK_EQ(read_cr2(), 0x12345678, "CR2 round-trip");
    write_cr2(0xfffff000);
    CHECK_EQ(read_cr2(), 0xfffff000, "CR2 round-trip 2");

    uint32_t cr3 = read_cr3();
    write_cr3(cr3 | 0x18);
    CHECK_EQ(read_cr3(), cr3 | 0x18, "CR3 with PWT|PCD round-trip");
    write_cr3(cr3);
    CHECK_EQ(read_cr3(), cr3, "CR3 round-trip");

    uint32_t cr4 = read_cr4();
    static const uint32_t bits4[] = { CR4_TSD, CR4_DE, CR4_PSE, CR4_PGE };
    for (unsigned i = 0; i < sizeof bits4 / sizeof bits4[0]; i++) {
        write_cr4(cr4 | bits4[i]);
        CHECK_EQ(read_cr4(), cr4 | bits4[i], "CR4 bit set reads back");
        write_cr4(cr4 & ~bits4[i]);
        CHECK_EQ(read_cr4(), cr4 & ~bits4[i], "CR4 bit clear reads back");
    }
    write_cr4(cr4);
}

int kmain(void)
{
    pg_setup();
    uint32_t cr0 = read_cr0();
    CHECK_EQ(cr0 & (CR0_PE | CR0_PG), CR0_PE, "at entry: PE = 1, PG = 0");
    CHECK(cr0 & CR0_ET, "CR0.ET = 1");
    write_cr0(cr0 & ~CR0_ET);
    CHECK(read_cr0() & CR0_ET, "CR0.ET stays 1 after writing 0");
    write_cr3((uint32_t)pg_dir);
    write_cr4(0);
    CHECK_EQ(read_cr4(), 0, "CR4 = 0");

    cr_round_trips("paging off");
    pg_paging_on();
    cr_round_trips("paging on");

    /* #UD for CR1, CR5-CR7.  (The #GP(0) cases of MOV to CR0 and CR4 are in
     * t_pg_cr_hw: QEMU 7.2 does not raise them.) */
    pg_reset_traps();
    p_rd_cr1(0);
    CHECK_TRAP(VEC_UD, 0, PG_EIP(p_rd_cr1_insn), "MOV from CR1");
    pg_reset_traps();
    p_wr_cr5(0);
    CHECK_TRAP(VEC_UD, 0, PG_EIP(p_wr_cr5_insn), "MOV to CR5");
    pg_reset_traps();
    p_rd_cr7(0);
    CHECK_TRAP(VEC_UD, 0, PG_EIP(p_rd_cr7_insn), "MOV from CR7");

    /* CLTS, LMSW, SMSW. */
    cr0 = read_cr0();
    write_cr0(cr0 | CR0_TS | CR0_MP);
    __asm__ volatile("clts");
    CHECK_EQ(read_cr0(), (cr0 | CR0_MP) & ~CR0_TS, "CLTS clears TS only");
    write_cr0(cr0 & ~(CR0_MP | CR0_EM | CR0_TS | CR0_NE));
    uint32_t base = read_cr0();
    __asm__ volatile("lmsw %w0" : : "r"(0xeu));
    CHECK_EQ(read_cr0(), base | CR0_MP | CR0_EM | CR0_TS, "LMSW 0x000e: sets MP EM TS, PE stays 1");
    __asm__ volatile("lmsw %w0" : : "r"(0xfff0u));
    CHECK_EQ(read_cr0(), base, "LMSW 0xfff0: clears MP EM TS, bits 4-15 and PE unaffected");
    __asm__ volatile("lmsw %w0" : : "r"(0x0u));
    CHECK(read_cr0() & CR0_PE, "LMSW 0 cannot clear PE");
    static const uint16_t msw_mem = 0x000a;    /* MP | TS */
    __asm__ volatile("lmsw %0" : : "m"(msw_mem));
    CHECK_EQ(read_cr0(), base | CR0_MP | CR0_TS, "LMSW m16");
    __asm__ volatile("lmsw %w0" : : "r"(0x0u));
    write_cr0(cr0 | CR0_TS);
    uint32_t msw = 0xffffffff;
    __asm__ volatile("smsw %0" : "+r"(msw));
    CHECK_EQ(msw & 0xffff, (cr0 | CR0_TS) & 0xffff, "SMSW r32: low 16 bits = CR0[15:0]");
    volatile uint16_t mem[2] = { 0xaaaa, 0xaaaa };
    __asm__ volatile("smsw %0" : "=m"(mem[0]));
    CHECK_EQ(mem[0], (cr0 | CR0_TS) & 0xffff, "SMSW m16 = CR0[15:0]");
    CHECK_EQ(mem[1], 0xaaaa, "SMSW m16 stores only 2 bytes");
    pg_reset_traps();
    msw = pg_user_call_arg(p_smsw, 0);
    CHECK_NOTRAP("SMSW at CPL 3");
    CHECK_EQ(msw & 0xffff, (cr0 | CR0_TS) & 0xffff, "SMSW at CPL 3");
    write_cr0(cr0);

    /* Debug registers. */
    static const uint32_t vals[4] = { 0x12345678, 0xfedcba98, 0x00400000, 0xffffffff };
    for (int n = 0; n < 4; n++)
        write_dr(n, vals[n]);
    for (int n = 0; n < 4; n++)
        CHECK_EQ(read_dr(n), vals[n], "DR0-DR3 round-trip");
    write_dr(6, 0);
    CHECK_EQ(read_dr(6), 0xffff0ff0, "DR6 = 0 reads 0xffff0ff0");
    write_dr(6, 0xffff0ff1);
    CHECK_EQ(read_dr(6), 0xffff0ff1, "DR6 B0 round-trip");
    write_dr(7, 0);
    CHECK_EQ(read_dr(7), 0x400, "DR7 = 0 reads 0x400");
    write_dr(7, 0x55550000);      /* R/W and LEN fields only, nothing enabled */
    CHECK_EQ(read_dr(7), 0x55550400, "DR7 R/W and LEN fields round-trip");
    write_cr4(read_cr4() & ~CR4_DE);
    CHECK_EQ(read_dr(4), 0xffff0ff1, "CR4.DE=0: DR4 reads DR6");
    write_dr(5, 0x11110000);
    CHECK_EQ(read_dr(7), 0x11110400, "CR4.DE=0: DR5 writes DR7");
    CHECK_EQ(read_dr(5), 0x11110400, "CR4.DE=0: DR5 reads DR7");
    write_dr(7, 0);
    write_cr4(read_cr4() | CR4_DE);
    pg_reset_traps();
    p_rd_dr4(0);
    CHECK_TRAP(VEC_UD, 0, PG_EIP(p_rd_dr4_insn), "CR4.DE=1: MOV from DR4");
    pg_reset_traps();
    p_wr_dr5(0);
    CHECK_TRAP(VEC_UD, 0, PG_EIP(p_wr_dr5_insn), "CR4.DE=1: MOV to DR5");
    write_cr4(read_cr4() & ~CR4_DE);

    /* Cache control. */
    volatile uint32_t word = 0x13579bdf;
    pg_reset_traps();
    p_wbinvd(0);
    p_invd(0);
    CHECK_NOTRAP("WBINVD, INVD at CPL 0");
    CHECK_EQ(word, 0x13579bdf, "memory intact after WBINVD; INVD");

    /* CPL 3: all #GP(0). */
    CHECK_GP_CPL3(p_rd_cr0, 0, "MOV from CR0 at CPL 3");
    CHECK_GP_CPL3(p_rd_cr3, 0, "MOV from CR3 at CPL 3");
    CHECK_GP_CPL3(p_wr_cr0, read_cr0(), "MOV to CR0 at CPL 3");
    CHECK_GP_CPL3(p_wr_cr4, read_cr4(), "MOV to CR4 at CPL 3");
    CHECK_GP_CPL3(p_rd_dr7, 0, "MOV from DR7 at CPL 3");
    CHECK_GP_CPL3(p_wr_dr0, 0, "MOV to DR0 at CPL 3");
    CHECK_GP_CPL3(p_clts, 0, "CLTS at CPL 3");
    CHECK_GP_CPL3(p_lmsw3, 0, "LMSW at CPL 3");
    CHECK_GP_CPL3(p_invd, 0, "INVD at CPL 3");
    CHECK_GP_CPL3(p_wbinvd, 0, "WBINVD at CPL 3");
    CHECK_GP_CPL3(p_invlpg, 0, "INVLPG at CPL 3");
    CHECK_EQ(read_dr(0), 0x12345678, "DR0 unchanged by the CPL-3 write");

    return kdone("t_pg_cr");
}
