/*
 * monitor.c - the (vm) monitor: a command line for looking inside the
 * running machine, with QEMU's command names (docs/monitor.md):
 *   info registers|tlb|mem|jit|irq|pic|lapic|cpus, x and xp (memory
 *   dumps and disassembly), cpu N, stop, cont, system_reset, jit_count
 *   (count memory operands for info jit's TLB hit rate), quit, help.
 *
 * Ways in: on a terminal, Ctrl-A c switches the console between the
 * guest's serial port and the monitor (devices.c hands us its bytes, in
 * raw mode: we echo and edit the line ourselves), as QEMU's -serial
 * mon:stdio.  With -monitor stdio the monitor owns stdin (a terminal in
 * its usual line mode, a pipe, or a file) and the guest gets no input:
 * the way for scripts.  -monitor none turns Ctrl-A c off.  Output goes to
 * stdout, with the guest's.
 *
 * Threads and locks: everything here runs on the main loop thread (stdin
 * handlers and the console), with the BQL held; the BQL guards the
 * devices, the interrupt controllers and this file's state (the line
 * being typed, the current vCPU).  A vCPU's registers, TLB and counters
 * and guest memory belong to the vCPU threads while they run: a command
 * that reads them first parks every vCPU at a block boundary
 * (vm_debug_pause, the same stop the gdb stub uses; the park's BQL
 * handover orders their writes before our reads) and lets the machine run
 * on afterwards unless it was stopped already.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

#define MON_LINE_MAX 256

/* The monitor's state (BQL). */
static enum { MON_MUX, MON_STDIO, MON_NONE } mon_mode;
static int cur_cpu;                     /* `cpu N`: x, info tlb and info mem look at it */
static char line[MON_LINE_MAX];
static int line_len, line_overflow;
static int in_pollable;                 /* -monitor stdio: epoll watches stdin */
static BH *in_bh;                       /* -monitor stdio on a file: reads it */

static FILE *out;                       /* stdout */

/* ---- The command line ------------------------------------------------------------------ */

/* -monitor stdio | none. */
void monitor_parse_arg(const char *arg)
{
    if (!strcmp(arg, "stdio"))
        mon_mode = MON_STDIO;
    else if (!strcmp(arg, "none"))
        mon_mode = MON_NONE;
    else
        die("-monitor: only stdio and none exist, not '%s'", arg);
}

int monitor_on_stdio(void)
{
    return mon_mode == MON_STDIO;
}

int monitor_muxed(void)
{
    return mon_mode == MON_MUX;
}

/* ---- Small helpers ----------------------------------------------------------------------- */

/* Every error is one line. */
static void mon_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mon_error(const char *fmt, ...)
{
    va_list ap;
    fputs("error: ", out);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

static CPU *mon_cpu(void)
{
    return machine.cpus[cur_cpu];
}

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* A 32-bit number (C syntax: 0x hex, decimal) or a register of the current
 * vCPU ($eax..$edi, $eip, $pc = the linear CS.base + EIP); the whole
 * string.  0, or -1 with an error said. */
static int parse_value(const char *s, uint32_t *v)
{
    static const char *const regs[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
    const CPU *cpu = mon_cpu();
    if (*s == '$') {
        for (int i = 0; i < 8; i++)
            if (!strcmp(s + 1, regs[i])) {
                *v = cpu->regs[i];
                return 0;
            }
        if (!strcmp(s + 1, "eip")) {
            *v = cpu->eip;
            return 0;
        }
        if (!strcmp(s + 1, "pc")) {
            *v = cpu->seg[S_CS].base + cpu->eip;
            return 0;
        }
        mon_error("unknown register '%s'", s);
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 0);
    if (!*s || *end || errno || n > 0xffffffffull || *s == '-') {
        mon_error("'%s' is not a 32-bit number or $register", s);
        return -1;
    }
    *v = (uint32_t)n;
    return 0;
}

/* One byte of guest memory for the monitor: a linear address through
 * cur's paging (phys == 0), or a physical one.  RAM and ROM only. */
static int mon_read_byte(const CPU *cur, int phys, uint32_t addr, uint8_t *b)
{
    uint32_t pa = addr;
    if (!phys && tlb_debug_phys((CPU *)cur, addr, &pa))
        return -1;
    return phys_debug_access(pa, b, 0);
}

/* A dword of physical memory (a paging-structure entry); -1 if no RAM. */
static int phys_read32(uint32_t addr, uint32_t *v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        if (phys_debug_access(addr + (uint32_t)i, &b[i], 0))
            return -1;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

/* ---- info registers, info cpus -------------------------------------------------------------- */

static const char *cpu_mode(const CPU *cpu)
{
    if (!(cpu->cr[0] & CR0_PE))
        return "real mode";
    if (cpu->eflags & F_VM)
        return "virtual-8086 mode";
    return cpu->seg[S_CS].flags & DESC_B ? "protected mode, 32-bit code" :
                                           "protected mode, 16-bit code";
}

static void print_seg(const char *name, const SegCache *s)
{
    fprintf(out, "%-3s=%04x %08x %08x %08x\n", name, s->sel, s->base, (uint32_t)s->limit,
            s->flags & 0x00ffff00u);
}

/* One vCPU, laid out as QEMU's info registers. */
static void print_registers(const CPU *cpu)
{
    static const char *const segs[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    const uint32_t *r = cpu->regs;
    uint32_t fl = cpu_get_eflags(cpu);
    fprintf(out, "CPU#%d%s%s, %s\n", cpu->index, cpu->index == cur_cpu ? " (current)" : "",
            cpu->wait_for_sipi ? " waiting for SIPI" : cpu->halted ? " halted" : "", cpu_mode(cpu));
    fprintf(out, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", r[R_EAX], r[R_EBX], r[R_ECX], r[R_EDX]);
    fprintf(out, "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", r[R_ESI], r[R_EDI], r[R_EBP], r[R_ESP]);
    fprintf(out, "EIP=%08x EFL=%08x [%c%c%c%c%c%c%c%c] CPL=%d II=%d A20=%d\n", cpu->eip, fl,
            fl & F_IF ? 'I' : '-', fl & F_DF ? 'D' : '-', fl & F_OF ? 'O' : '-',
            fl & F_SF ? 'S' : '-', fl & F_ZF ? 'Z' : '-', fl & F_AF ? 'A' : '-',
            fl & F_PF ? 'P' : '-', fl & F_CF ? 'C' : '-', cpu->cpl, cpu->inhibit_irq != 0,
            cpu->a20_mask == 0xffffffffu);
    for (int i = 0; i < 6; i++)
        print_seg(segs[i], &cpu->seg[i]);
    print_seg("LDT", &cpu->ldtr);
    print_seg("TR", &cpu->tr);
    fprintf(out, "GDT=     %08x %08x\n", cpu->gdt.base, cpu->gdt.limit);
    fprintf(out, "IDT=     %08x %08x\n", cpu->idt.base, cpu->idt.limit);
    fprintf(out, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", cpu->cr[0], cpu->cr[2], cpu->cr[3],
            cpu->cr[4]);
    fprintf(out, "DR0=%08x DR1=%08x DR2=%08x DR3=%08x\n", cpu->dr[0], cpu->dr[1], cpu->dr[2],
            cpu->dr[3]);
    fprintf(out, "DR6=%08x DR7=%08x\n", cpu->dr[6], cpu->dr[7]);
}

static void info_registers(const char *args)
{
    (void)args;
    for (int i = 0; i < machine.ncpus; i++)
        print_registers(machine.cpus[i]);
}

static void info_cpus(const char *args)
{
    (void)args;
    for (int i = 0; i < machine.ncpus; i++) {
        const CPU *cpu = machine.cpus[i];
        fprintf(out, "%c CPU #%d: pc=0x%08x (%04x:%08x) %s%s\n", i == cur_cpu ? '*' : ' ', i,
                cpu->seg[S_CS].base + cpu->eip, cpu->seg[S_CS].sel, cpu->eip, cpu_mode(cpu),
                cpu->wait_for_sipi ? ", waiting for SIPI" : cpu->halted ? ", halted" : "");
    }
}

/* ---- info tlb ------------------------------------------------------------------------------ */

static int tag_valid(uint32_t tag)
{
    return !(tag & TLB_INVALID);
}

/* The valid entries of one of the current vCPU's TLBs (supervisor or
 * user): virtual page, physical page, what the entry lets through the
 * inline fast path and why the rest takes the slow path. */
static int print_tlb(const CPU *cpu, int mmu)
{
    int n = 0;
    for (int i = 0; i < TLB_SIZE; i++) {
        const TLBEntry *e = &cpu->tlb[mmu][i];
        uint32_t tr = e->tag_read, tw = e->tag_write, tc = e->tag_code;
        if (!tag_valid(tr) && !tag_valid(tw) && !tag_valid(tc))
            continue;
        uint32_t page = (tag_valid(tr) ? tr : tag_valid(tc) ? tc : tw) & PAGE_MASK;
        uint32_t bits = (tag_valid(tr) ? tr : 0) | (tag_valid(tw) ? tw : 0) |
                        (tag_valid(tc) ? tc : 0);
        fprintf(out, "  %08x -> %08x %c%c%c%s%s%s%s%s%s%s\n", page, e->phys,
                tag_valid(tr) ? 'r' : '-', tag_valid(tw) ? 'w' : '-', tag_valid(tc) ? 'x' : '-',
                bits & TLB_MMIO ? " device" : "", bits & TLB_ROM ? " rom" : "",
                bits & TLB_WATCH ? " code-watch" : "", bits & TLB_DEBUG ? " gdb-watch" : "",
                e->global & TLB_GLOBAL ? " global" : "", e->global & TLB_FROM_LARGE ? " 4M" : "",
                mmu == MMU_USER ? " user" : "");
        n++;
    }
    return n;
}

static void info_tlb(const char *args)
{
    (void)args;
    const CPU *cpu = mon_cpu();
    fprintf(out, "TLB of CPU#%d: virtual -> physical, r/w/x = the access hits the fast path\n",
            cpu->index);
    int n = print_tlb(cpu, MMU_SUPER) + print_tlb(cpu, MMU_USER);
    fprintf(out, "%d valid entries\n", n);
}

/* ---- info mem -------------------------------------------------------------------------------- */

/* A run of pages with the same attributes, physically contiguous. */
typedef struct MemRun {
    int open;
    uint64_t start, end, phys;          /* [start, end) virtual (end may be 4 GiB), phys of start */
    uint32_t attr;                      /* PTE_US | PTE_RW */
} MemRun;

static void run_flush(MemRun *r)
{
    if (r->open)
        fprintf(out, "%08llx-%08llx %08llx %c%c%c phys %08llx\n", (unsigned long long)r->start,
                (unsigned long long)r->end, (unsigned long long)(r->end - r->start),
                r->attr & PTE_US ? 'u' : '-', 'r', r->attr & PTE_RW ? 'w' : '-',
                (unsigned long long)r->phys);
    r->open = 0;
}

/* Add the mapping [virt, virt+size) -> phys to the run, or start a new one. */
static void run_add(MemRun *r, uint32_t virt, uint32_t size, uint32_t phys, uint32_t attr)
{
    if (r->open && r->end == virt && r->attr == attr && r->phys + (r->end - r->start) == phys) {
        r->end += size;
        return;
    }
    run_flush(r);
    *r = (MemRun){ 1, virt, (uint64_t)virt + size, phys, attr };
}

/* The guest's mappings: walk the current vCPU's page directory from CR3
 * (4 KiB and, with CR4.PSE, 4 MiB pages) as QEMU's info mem does, and
 * print each run of virtual addresses with its size and attributes (u:
 * user, r, w) and where it starts in physical memory. */
static void info_mem(const char *args)
{
    (void)args;
    const CPU *cpu = mon_cpu();
    if (!(cpu->cr[0] & CR0_PG)) {
        fprintf(out, "paging disabled\n");
        return;
    }
    MemRun run = { 0 };
    uint32_t dir = cpu->cr[3] & PAGE_MASK;
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t pde, va = i << 22;
        if (phys_read32(dir + 4 * i, &pde) || !(pde & PTE_P))
            continue;
        if ((pde & PTE_PS) && (cpu->cr[4] & CR4_PSE)) {
            run_add(&run, va, 0x400000, pde & 0xffc00000u, pde & (PTE_US | PTE_RW));
            continue;
        }
        for (uint32_t j = 0; j < 1024; j++) {
            uint32_t pte;
            if (phys_read32((pde & PAGE_MASK) + 4 * j, &pte) || !(pte & PTE_P))
                continue;
            run_add(&run, va | j << 12, PAGE_SIZE, pte & PAGE_MASK,
                    pde & pte & (PTE_US | PTE_RW));
        }
    }
    run_flush(&run);
}

/* ---- info jit ---------------------------------------------------------------------------------- */

static unsigned pct(uint64_t part, uint64_t whole)
{
    return whole ? (unsigned)(part * 100 / whole) : 0;
}

static uint64_t slow_base[MAX_CPUS];     /* slow_accesses when jit_count went on */

static void info_jit(const char *args)
{
    (void)args;
    TBInfo t;
    tb_info(&t);
    uint64_t translated = 0;
    for (int i = 0; i < machine.ncpus; i++)
        translated += machine.cpus[i]->stats.translations;
    fprintf(out, "translation blocks: %u in the code buffer, %llu translated since start\n",
            t.live, (unsigned long long)translated);
    fprintf(out, "code buffer: %zu of %zu bytes used (%u%%), %u flushes, %llu chain patches\n",
            t.used, t.size, pct(t.used, t.size), __atomic_load_n(&tb_flush_count, __ATOMIC_ACQUIRE),
            (unsigned long long)t.chained);
    for (int i = 0; i < machine.ncpus; i++) {
        const CPUStats *s = &machine.cpus[i]->stats;
        uint64_t lookups = s->jc_hits + s->hash_hits + s->translations;
        fprintf(out, "CPU#%d lookups: %llu, jump cache hits %llu (%u%%), hash table hits %llu, "
                "translations %llu\n", i, (unsigned long long)lookups,
                (unsigned long long)s->jc_hits, pct(s->jc_hits, lookups),
                (unsigned long long)s->hash_hits, (unsigned long long)s->translations);
        fprintf(out, "CPU#%d returns to cpu_exec: direct exits not chained yet %llu, others %llu "
                "(indirect jumps, exit requests), exit requests %llu, longjmps %llu\n", i, (unsigned long long)s->exit_unchained,
                (unsigned long long)s->exit_indirect, (unsigned long long)s->exit_request,
                (unsigned long long)s->exit_longjmp);
        fprintf(out, "CPU#%d events: exceptions %llu, interrupts %llu, HLT sleeps %llu\n", i,
                (unsigned long long)s->exceptions, (unsigned long long)s->interrupts,
                (unsigned long long)s->halts);
        fprintf(out, "CPU#%d TLB: %llu fills (misses), %llu slow-path memory operands\n", i,
                (unsigned long long)s->tlb_fills, (unsigned long long)s->slow_accesses);
        if (tb_count_mem) {
            uint64_t slow = s->slow_accesses - slow_base[i], ops = s->mem_ops;
            fprintf(out, "CPU#%d since jit_count on: %llu memory operands, %llu took the slow "
                    "path: TLB hit rate %u%%\n", i, (unsigned long long)ops,
                    (unsigned long long)slow, ops >= slow ? pct(ops - slow, ops) : 0);
        }
    }
    if (!tb_count_mem)
        fprintf(out, "(translated code counts no hits: 'jit_count on' makes it count memory "
                     "operands, for the TLB hit rate; inline jump cache hits are not counted)\n");
}

/* jit_count on|off: translate again with (or without) a counter on every
 * memory operand (translate.c gen_count_mem), for info jit's TLB hit rate.
 * Runs with the vCPUs parked: the code buffer is thrown away under them. */
static void cmd_jit_count(const char *args)
{
    int on = !strcmp(args, "on");
    if (!on && strcmp(args, "off")) {
        mon_error("jit_count on|off, not '%s'", args);
        return;
    }
    for (int i = 0; i < machine.ncpus; i++) {
        machine.cpus[i]->stats.mem_ops = 0;
        slow_base[i] = machine.cpus[i]->stats.slow_accesses;
    }
    if (on != tb_count_mem) {
        tb_count_mem = on;
        tb_flush(NULL);
    }
}

/* ---- info irq, pic, lapic (BQL: no need to stop the vCPUs) ---------------------------------------- */

static void info_irq(const char *args)
{
    (void)args;
    irq_dump(out);
}

static void info_pic(const char *args)
{
    (void)args;
    pic_dump(out);
}

static void info_lapic(const char *args)
{
    (void)args;
    for (int i = 0; i < machine.ncpus; i++)
        apic_dump(i, out);
}

/* ---- x and xp -------------------------------------------------------------------------------------- */

typedef struct DumpFmt {
    int count;          /* units */
    int format;         /* x d u o c i */
    int size;           /* 1 2 4 8 */
} DumpFmt;

/* /Nfs: a count, a format letter and a size letter (b h w g), each
 * optional, in any order after the count (QEMU's and gdb's syntax). */
static int parse_fmt(const char *s, DumpFmt *f)
{
    f->count = 1;
    f->format = 'x';
    f->size = 0;
    if (*s >= '0' && *s <= '9') {
        char *end;
        long n = strtol(s, &end, 10);
        if (n < 1 || n > 4096) {
            mon_error("count %ld out of range (1 to 4096)", n);
            return -1;
        }
        f->count = (int)n;
        s = end;
    }
    for (; *s; s++) {
        if (strchr("xduoci", *s))
            f->format = *s;
        else if (*s == 'b' || *s == 'h' || *s == 'w' || *s == 'g')
            f->size = *s == 'b' ? 1 : *s == 'h' ? 2 : *s == 'w' ? 4 : 8;
        else {
            mon_error("bad format letter '%c' (formats x d u o c i, sizes b h w g)", *s);
            return -1;
        }
    }
    if (!f->size)
        f->size = f->format == 'c' ? 1 : 4;
    return 0;
}

static void say_unreadable(int phys, uint32_t addr)
{
    if (phys)
        mon_error("physical address 0x%08x is not RAM or ROM", addr);
    else
        mon_error("virtual address 0x%08x is not mapped", addr);
}

/* x/Ni: disassemble N instructions (AT&T syntax, as objdump), as the
 * current vCPU's code size decodes them. */
static void dump_insns(const CPU *cpu, int phys, uint32_t addr, int count)
{
    int code32 = (cpu->seg[S_CS].flags & DESC_B) != 0;
    uint32_t cs_base = phys ? 0 : cpu->seg[S_CS].base;
    for (int n = 0; n < count; n++) {
        uint8_t bytes[16];
        int avail = 0;
        while (avail < 16 && !mon_read_byte(cpu, phys, addr + (uint32_t)avail, &bytes[avail]))
            avail++;
        char text[128];
        int len = avail ? disas_insn(bytes, avail, addr - cs_base, code32, text, sizeof(text)) : -1;
        if (len < 0) {
            say_unreadable(phys, addr + (uint32_t)avail);
            return;
        }
        fprintf(out, "0x%08x:  %s\n", addr, text);
        addr += (uint32_t)len;
    }
}

static void print_unit(uint64_t v, const DumpFmt *f)
{
    int bits = f->size * 8;
    int64_t sv = bits == 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
    switch (f->format) {
    case 'x': fprintf(out, " 0x%0*llx", f->size * 2, (unsigned long long)v); break;
    case 'o': fprintf(out, " %#llo", (unsigned long long)v); break;
    case 'u': fprintf(out, " %llu", (unsigned long long)v); break;
    case 'd': fprintf(out, " %lld", (long long)sv); break;
    case 'c':
        if (v >= 32 && v < 127)
            fprintf(out, " '%c'", (int)v);
        else
            fprintf(out, " '\\x%02llx'", (unsigned long long)v & 0xff);
        break;
    }
}

/* x or xp: count units from addr, 16 bytes a line (8 for bytes). */
static void memory_dump(const char *args, int phys)
{
    const char *s = skip_spaces(args);
    DumpFmt f = { 1, 'x', 4 };
    if (*s == '/') {
        char fmt[32];
        size_t n = strcspn(s + 1, " \t");
        if (n >= sizeof(fmt)) {
            mon_error("format too long");
            return;
        }
        memcpy(fmt, s + 1, n);
        fmt[n] = 0;
        if (parse_fmt(fmt, &f))
            return;
        s = skip_spaces(s + 1 + n);
    }
    uint32_t addr;
    if (!*s) {
        mon_error("%s needs an address (%s /FMT ADDR)", phys ? "xp" : "x", phys ? "xp" : "x");
        return;
    }
    if (parse_value(s, &addr))
        return;
    const CPU *cpu = mon_cpu();
    if (f.format == 'i') {
        dump_insns(cpu, phys, addr, f.count);
        return;
    }
    int per_line = (f.size == 1 ? 8 : 16) / f.size;
    for (int n = 0; n < f.count; n++) {
        uint32_t a = addr + (uint32_t)(n * f.size);
        uint64_t v = 0;
        for (int i = 0; i < f.size; i++) {
            uint8_t b;
            if (mon_read_byte(cpu, phys, a + (uint32_t)i, &b)) {
                if (n % per_line)
                    fputc('\n', out);
                say_unreadable(phys, a + (uint32_t)i);
                return;
            }
            v |= (uint64_t)b << (8 * i);
        }
        if (n % per_line == 0)
            fprintf(out, "%08x:", a);
        print_unit(v, &f);
        if (n % per_line == per_line - 1 || n == f.count - 1)
            fputc('\n', out);
    }
}

static void cmd_x(const char *args)
{
    memory_dump(args, 0);
}

static void cmd_xp(const char *args)
{
    memory_dump(args, 1);
}

/* ---- Running and stopping ------------------------------------------------------------------------------ */

static void cmd_cpu(const char *args)
{
    uint32_t n;
    if (!*args) {
        mon_error("cpu needs a number (0 to %d)", machine.ncpus - 1);
        return;
    }
    if (parse_value(args, &n))
        return;
    if (n >= (uint32_t)machine.ncpus) {
        mon_error("no CPU %u: this machine has CPUs 0 to %d", n, machine.ncpus - 1);
        return;
    }
    cur_cpu = (int)n;
}

static void cmd_stop(const char *args)
{
    (void)args;
    if (vm_debug_pause() < 0)
        mon_error("gdb is single-stepping: stop it from gdb");
}

static void cmd_cont(const char *args)
{
    (void)args;
    if (gdb_holds_machine())
        mon_error("gdb has stopped the machine: continue it from gdb");
    else if (vm_debug_stopped())
        vm_debug_resume(NULL);
}

static void cmd_system_reset(const char *args)
{
    (void)args;
    vm_system_reset();
    if (vm_debug_stopped())
        fprintf(out, "the machine is stopped: it resets when it runs again (cont)\n");
}

static void cmd_quit(const char *args)
{
    (void)args;
    fflush(out);
    vm_exit(0);
}

static void cmd_help(const char *args);
static void cmd_info(const char *args);

/* ---- The command tables ------------------------------------------------------------------------------ */

typedef struct MonCmd {
    const char *name;
    const char *usage;
    const char *help;
    void (*fn)(const char *args);
    int park;           /* reads vCPU state or guest memory: park the vCPUs first */
    int args;           /* takes arguments */
} MonCmd;

static const MonCmd commands[] = {
    { "info", "info WHAT", "show machine state (info alone lists what)", cmd_info, 0, 1 },
    { "x", "x /FMT ADDR", "dump memory at a virtual address (the current CPU's paging)", cmd_x, 1, 1 },
    { "xp", "xp /FMT ADDR", "dump memory at a physical address", cmd_xp, 1, 1 },
    { "cpu", "cpu N", "make CPU N the current one (for x, info tlb, info mem)", cmd_cpu, 0, 1 },
    { "stop", "stop", "stop the guest", cmd_stop, 0, 0 },
    { "cont", "cont", "let a stopped guest run again", cmd_cont, 0, 0 },
    { "c", "c", "the same as cont", cmd_cont, 0, 0 },
    { "system_reset", "system_reset", "reset the machine (RAM keeps its contents)",
      cmd_system_reset, 0, 0 },
    { "jit_count", "jit_count on|off", "count memory operands in translated code (info jit: "
      "TLB hit rate)", cmd_jit_count, 1, 1 },
    { "quit", "quit", "exit vm (status 0)", cmd_quit, 0, 0 },
    { "q", "q", "the same as quit", cmd_quit, 0, 0 },
    { "help", "help", "this list", cmd_help, 0, 0 },
    { "?", "?", "the same as help", cmd_help, 0, 0 },
};

static const MonCmd info_commands[] = {
    { "registers", "info registers", "every CPU's registers", info_registers, 1, 0 },
    { "cpus", "info cpus", "where each CPU is", info_cpus, 1, 0 },
    { "tlb", "info tlb", "the valid TLB entries of the current CPU", info_tlb, 1, 0 },
    { "mem", "info mem", "the current CPU's page mappings (from its page tables)", info_mem, 1, 0 },
    { "jit", "info jit", "translation statistics", info_jit, 1, 0 },
    { "irq", "info irq", "how often each ISA interrupt line rose", info_irq, 0, 0 },
    { "pic", "info pic", "the 8259 interrupt controllers", info_pic, 0, 0 },
    { "lapic", "info lapic", "each CPU's local APIC", info_lapic, 0, 0 },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))
#define NINFO (sizeof(info_commands) / sizeof(info_commands[0]))

static void print_table(const MonCmd *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%-16s %s\n", t[i].usage, t[i].help);
}

static void cmd_help(const char *args)
{
    (void)args;
    print_table(commands, NCOMMANDS);
    fprintf(out, "x and xp: FMT is [COUNT][FORMAT][SIZE], FORMAT x d u o c i (i disassembles),"
                 " SIZE b h w g; ADDR a number or $reg ($pc: CS.base + EIP)\n");
}

/* Run a command; one that reads vCPU state runs with every vCPU parked,
 * and the machine runs on afterwards if it ran before. */
static void run_command(const MonCmd *c, const char *args)
{
    if (*args && !c->args) {
        mon_error("%s takes no arguments", c->usage);
        return;
    }
    if (!c->park) {
        c->fn(args);
        return;
    }
    int was = vm_debug_pause();
    if (was < 0) {
        mon_error("gdb is single-stepping the guest: try again when it stops");
        return;
    }
    c->fn(args);
    if (!was)
        vm_debug_resume(NULL);
}

/* Find name (len bytes) in a table; NULL with an error said if absent. */
static const MonCmd *find_command(const MonCmd *t, size_t n, const char *name, size_t len,
                                  const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(t[i].name) == len && !strncmp(t[i].name, name, len))
            return &t[i];
    char shown[MON_LINE_MAX];             /* no control bytes on the terminal */
    for (size_t i = 0; i < len; i++)
        shown[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
    mon_error("unknown %s '%.*s' (try help)", what, (int)len, shown);
    return NULL;
}

static void cmd_info(const char *args)
{
    if (!*args) {
        print_table(info_commands, NINFO);
        return;
    }
    size_t len = strcspn(args, " \t");
    const MonCmd *c = find_command(info_commands, NINFO, args, len, "info command");
    if (c)
        run_command(c, skip_spaces(args + len));
}

/* One line: "name[/fmt] args"; x and xp may have their /fmt right after
 * the name, as in QEMU (x/4xw 0x1000). */
static void execute_line(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    s = (char *)skip_spaces(s);
    if (!*s)
        return;
    size_t len = strcspn(s, " \t/");
    const MonCmd *c = find_command(commands, NCOMMANDS, s, len, "command");
    if (!c)
        return;
    if (s[len] == '/' && c->fn != cmd_x && c->fn != cmd_xp) {
        mon_error("%s takes no /format", c->name);
        return;
    }
    run_command(c, skip_spaces(s + len));   /* info parks for its subcommand */
}

/* ---- Input -------------------------------------------------------------------------------------------- */

static void prompt(void)
{
    fputs("(vm) ", out);
    fflush(out);
}

/* A complete line arrived. */
static void line_done(void)
{
    line[line_len] = 0;
    if (line_overflow)
        mon_error("line too long (at most %d characters)", MON_LINE_MAX - 1);
    else
        execute_line(line);
    line_len = line_overflow = 0;
    prompt();
}

static void line_add(uint8_t c)
{
    if (line_len < MON_LINE_MAX - 1)
        line[line_len++] = (char)c;
    else
        line_overflow = 1;
}

/* Ctrl-A c: the console's bytes come to us now. */
void monitor_enter(void)
{
    line_len = line_overflow = 0;
    fputs("\nvm monitor (Ctrl-A c goes back to the guest; 'help' lists the commands)\n", out);
    prompt();
}

/* A byte from the terminal in raw mode: echo it and edit the line
 * ourselves (Enter runs it, Backspace erases). */
void monitor_input(uint8_t c)
{
    if (c == '\r' || c == '\n') {
        fputc('\n', out);
        line_done();
    } else if (c == 0x7f || c == 0x08) {
        if (line_len && !line_overflow) {
            line_len--;
            fputs("\b \b", out);
        }
    } else if (c >= 0x20 && c < 0x7f) {
        line_add(c);
        fputc(c, out);
    }
    fflush(out);
}

/* -monitor stdio: stdin in its own line mode (or a pipe, or a file), so
 * no echo and no editing here. */
static void stdin_read(void *opaque)
{
    (void)opaque;
    uint8_t buf[4096];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {                       /* the end: the guest runs on */
        if (in_pollable)
            loop_set_fd_handler(STDIN_FILENO, NULL, NULL);
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n')
            line_done();
        else
            line_add(buf[i]);
    }
    if (!in_pollable)                   /* a file: read on in the next round */
        bh_schedule(in_bh);
}

/* With -monitor stdio: read stdin from the main loop and say hello. */
void monitor_init(void)
{
    out = stdout;
    if (mon_mode != MON_STDIO)
        return;
    fputs("vm monitor: 'help' lists the commands\n", out);
    prompt();
    if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp())
        return;                         /* in the background: reading would stop us */
    in_pollable = loop_fd_pollable(STDIN_FILENO);
    if (in_pollable) {
        loop_set_fd_handler(STDIN_FILENO, stdin_read, NULL);
    } else {
        in_bh = bh_new(stdin_read, NULL);
        bh_schedule(in_bh);
    }
}
