/*
 * gdbstub.c - a gdb remote-protocol server (-gdb tcp::PORT, -s, -S), so a
 * student can stop the guest, look at its registers and memory, set
 * breakpoints and single-step it with the real gdb.
 *
 * The protocol ("GDB Remote Serial Protocol", gdb manual, Appendix E):
 * packets are $data#cs with a two-hex-digit checksum, acknowledged with
 * + (or - to ask again); a lone 0x03 byte is Ctrl-C.  All-stop mode: when
 * the guest stops, every vCPU stops (cpu.c's vm_debug_stop parks them at
 * block boundaries); one thread per vCPU, thread id = CPU index + 1.
 * Registers: the target description we serve (qXfer:features:read,
 * target.xml) is gdb's i386 core feature (eax..edi, eip, eflags, cs ss ds
 * es fs gs, then the x87 registers, which we report unavailable: the
 * guest's x87 state lives in its thread's host FPU) and our own
 * org.vm.i386.sys feature with cr0, cr2, cr3 and cr4; the 'g' packet
 * carries the first 16, the rest come one by one ('p').
 * In real and virtual-8086 mode "eip" is the linear address CS.base
 * + IP, and every address gdb sends is linear, so a breakpoint at 0x7c00
 * is linear 0x7c00 whatever CS holds (docs/gdb.md).  Breakpoints (Z0, Z1)
 * are not written into guest memory: the translator asks
 * gdb_breakpoint_at for each instruction and stops the machine before one
 * that has a breakpoint (translate.c).  Watchpoints (Z2 write, Z3 read,
 * Z4 access) are on linear addresses too: the TLB sends accesses to
 * watched pages to the slow path (TLB_DEBUG), which asks gdb_watch_hit,
 * and the vCPU stops after the instruction that hit, as x86 data
 * breakpoints do; the stop reply names the watchpoint.  They are not
 * the guest's own debug registers (DR0-DR7), which stay the guest's.
 *
 * Threads and locks: everything here runs on the main thread, in main-loop
 * fd handlers and a bottom half, with the BQL held; it touches vCPU state
 * and guest memory only while every vCPU is parked (stopped == 1).  The
 * breakpoint and watchpoint lists are read on vCPU threads (the
 * translator, the TLB's slow path) without a lock: they change only while
 * every vCPU is parked, and a vCPU takes the BQL on its way out of the
 * park, which orders the change before its reads.  The monitor
 * (monitor.c) parks the vCPUs the same way; gdb_holds_machine tells it
 * when gdb has stopped the guest, so that its cont leaves it to gdb.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vm.h"

#define GDB_PACKET_MAX 4096     /* what we tell gdb (PacketSize), in bytes */
#define GDB_NREGS      16       /* in 'g': eax..edi eip eflags cs ss ds es fs gs */
#define GDB_REG_CR0    32       /* org.vm.i386.sys: cr0 cr2 cr3 cr4 */
#define GDB_REG_LAST   35
#define GDB_MAX_BPS    64
#define GDB_MAX_WATCH  16
#define SIGINT_GDB     2        /* stop signals gdb knows: SIGINT for Ctrl-C */
#define SIGTRAP_GDB    5        /* ... SIGTRAP for a breakpoint or a step */

static struct in_addr listen_addr;
static int listen_port;         /* 0: no -gdb */
static int listen_fd = -1;
static int client_fd = -1;

/* The connection's state (BQL). */
static int stopped;             /* every vCPU is parked for us */
static int g_cpu, c_cpu;        /* Hg (registers, memory) and Hc (step) thread: CPU index */
static int flush_on_resume;     /* breakpoints or guest code changed: old TBs are stale */
static BH *stop_bh;

/* Input: a packet being received. */
static enum { IN_IDLE, IN_DATA, IN_CSUM1, IN_CSUM2 } in_state;
static char in_buf[GDB_PACKET_MAX + 1];
static int in_len, in_overflow;
static uint8_t in_sum, in_csum;

/* Breakpoints: linear addresses (changed only while every vCPU is parked). */
static uint32_t bps[GDB_MAX_BPS];
static int nbps;

/* Watchpoints: [addr, addr+len) of linear addresses, GDB_WATCH_* (changed
 * only while every vCPU is parked, like the breakpoints). */
static struct { uint32_t addr, len; int kind; } watches[GDB_MAX_WATCH];
int gdb_nwatch;

/* ---- The command line ------------------------------------------------------------- */

/* -gdb tcp:[HOST]:PORT (QEMU's spelling); HOST is a dotted IPv4 address,
 * empty for the loopback interface. */
void gdb_parse_arg(const char *arg)
{
    const char *colon = strncmp(arg, "tcp:", 4) ? NULL : strchr(arg + 4, ':');
    if (!colon)
        die("-gdb: expected tcp:[HOST]:PORT (for example tcp::1234), got '%s'", arg);
    char host[64];
    size_t hlen = (size_t)(colon - (arg + 4));
    if (hlen >= sizeof(host))
        die("-gdb: host name too long in '%s'", arg);
    memcpy(host, arg + 4, hlen);
    host[hlen] = 0;
    if (!hlen)
        strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &listen_addr) != 1)
        die("-gdb: '%s' is not an IPv4 address (in '%s')", host, arg);
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port < 1 || port > 65535)
        die("-gdb: bad port '%s' (1 to 65535) in '%s'", colon + 1, arg);
    listen_port = (int)port;
}

/* ---- Sending ------------------------------------------------------------------------ */

static void client_write(const char *buf, size_t len)
{
    while (len && client_fd >= 0) {
        ssize_t n = write(client_fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;                     /* gone: the read handler will notice */
        buf += n;
        len -= (size_t)n;
    }
}

/* Send one packet: $data#checksum. */
static void put_packet(const char *data)
{
    static char out[GDB_PACKET_MAX * 2 + 8];
    size_t len = strlen(data);
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + (uint8_t)data[i]);
    int n = snprintf(out, sizeof(out), "$%s#%02x", data, sum);
    client_write(out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1);
}

/* T05thread:N; or, after a watchpoint hit, T05watch:ADDR;thread:N; (rwatch
 * for reads, awatch for any access), which gdb needs to say which one. */
static void put_stop_reply(int signal, const CPU *cpu)
{
    static const char *const watch_name[] = {
        [GDB_WATCH_WRITE] = "watch", [GDB_WATCH_READ] = "rwatch", [GDB_WATCH_ACCESS] = "awatch",
    };
    char buf[64], watch[32] = "";
    if (cpu->watch_kind)
        snprintf(watch, sizeof(watch), "%s:%x;", watch_name[cpu->watch_kind], cpu->watch_addr);
    snprintf(buf, sizeof(buf), "T%02x%sthread:%x;", signal, watch, cpu->index + 1);
    put_packet(buf);
}

/* ---- Hex ------------------------------------------------------------------------------ */

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parse a hex number up to a non-hex character; *end points after it.
 * Returns -1 if there is no digit or it does not fit 32 bits. */
static int parse_hex(const char *s, uint32_t *value, const char **end)
{
    uint64_t v = 0;
    int n = 0;
    for (; hex_digit(*s) >= 0; s++, n++) {
        v = v << 4 | (uint64_t)hex_digit(*s);
        if (v > 0xffffffffu)
            return -1;
    }
    *value = (uint32_t)v;
    *end = s;
    return n ? 0 : -1;
}

/* A 32-bit register as gdb sends it: 8 hex digits, little-endian bytes. */
static int parse_reg(const char *s, uint32_t *value)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        v |= (uint32_t)(hi << 4 | lo) << (8 * i);
    }
    *value = v;
    return 0;
}

static void put_reg(char *out, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        sprintf(out + 2 * i, "%02x", (v >> (8 * i)) & 0xff);
}

/* ---- Registers --------------------------------------------------------------------------- */

static const int gdb_seg_order[6] = { S_CS, S_SS, S_DS, S_ES, S_FS, S_GS };

static int real_or_v86(const CPU *cpu)
{
    return !(cpu->cr[0] & CR0_PE) || (cpu->eflags & F_VM);
}

/* gdb register n (0-15) of cpu. */
static uint32_t reg_get(const CPU *cpu, int n)
{
    if (n < 8)
        return cpu->regs[n];
    if (n == 8)                 /* real mode: the linear address of CS:IP */
        return real_or_v86(cpu) ? cpu->seg[S_CS].base + cpu->eip : cpu->eip;
    if (n == 9)
        return cpu_get_eflags(cpu);
    return cpu->seg[gdb_seg_order[n - 10]].sel;
}

/* Set gdb register n; 0, or -1 for what cannot be set this way (a
 * protected-mode selector: loading one needs descriptor checks). */
static int reg_set(CPU *cpu, int n, uint32_t v)
{
    if (n < 8) {
        cpu->regs[n] = v;
    } else if (n == 8) {
        cpu->eip = real_or_v86(cpu) ? (v - cpu->seg[S_CS].base) & 0xffff : v;
    } else if (n == 9) {
        cpu_set_eflags(cpu, v, F_WRITABLE);
    } else {
        int seg = gdb_seg_order[n - 10];
        if (cpu->seg[seg].sel == (v & 0xffff))
            return 0;
        if (!real_or_v86(cpu))
            return -1;
        if (seg == S_CS)                /* keep "eip" (linear) where it was */
            cpu->eip = (cpu->seg[S_CS].base + cpu->eip - ((v & 0xffff) << 4)) & 0xffff;
        cpu_load_seg_real(cpu, seg, (uint16_t)v);
        cpu_update_hflags(cpu);
    }
    return 0;
}

static void cmd_read_regs(CPU *cpu)
{
    char out[GDB_NREGS * 8 + 1];
    for (int n = 0; n < GDB_NREGS; n++)
        put_reg(out + 8 * n, reg_get(cpu, n));
    put_packet(out);
}

static void cmd_write_regs(CPU *cpu, const char *args)
{
    if (strlen(args) < GDB_NREGS * 8) {
        put_packet("E01");
        return;
    }
    uint32_t v[GDB_NREGS];
    for (int n = 0; n < GDB_NREGS; n++)
        if (parse_reg(args + 8 * n, &v[n])) {
            put_packet("E01");
            return;
        }
    int bad = 0;
    for (int n = 0; n < GDB_NREGS; n++)
        bad |= reg_set(cpu, n, v[n]);
    flush_on_resume = 1;                /* a mode bit may have changed under a TB */
    put_packet(bad ? "E02" : "OK");
}

/* The size in bytes of a register of the target description that we
 * report as unavailable: st0-st7 (16-23), the x87 control registers
 * (24-31); 0 for no such register.  (The guest's x87 state is in its
 * thread's host x87 unit, out of the stub's reach.) */
static int unavailable_reg_size(uint32_t n)
{
    if (n >= 16 && n < 24)
        return 10;
    return n < 32 ? 4 : 0;
}

/* p n: one register. */
static void cmd_read_reg(CPU *cpu, const char *args)
{
    uint32_t n;
    const char *end;
    if (parse_hex(args, &n, &end) || *end) {
        put_packet("E01");
        return;
    }
    if (n >= GDB_REG_CR0 && n <= GDB_REG_LAST) {
        char out[9];
        put_reg(out, cpu->cr[n == GDB_REG_CR0 ? 0 : n - GDB_REG_CR0 + 1]);
        put_packet(out);
        return;
    }
    if (n >= GDB_NREGS) {
        char out[33];
        int size = unavailable_reg_size(n);
        memset(out, 'x', (size_t)size * 2);
        out[size * 2] = 0;
        put_packet(size ? out : "E00");
        return;
    }
    char out[9];
    put_reg(out, reg_get(cpu, (int)n));
    put_packet(out);
}

static void cmd_write_reg(CPU *cpu, const char *args)
{
    uint32_t n, v;
    const char *end;
    if (parse_hex(args, &n, &end) || *end != '=' || strlen(end + 1) != 8 ||
        parse_reg(end + 1, &v) || n >= GDB_NREGS) {
        put_packet("E01");
        return;
    }
    flush_on_resume = 1;
    put_packet(reg_set(cpu, (int)n, v) ? "E02" : "OK");
}

/* ---- Memory ---------------------------------------------------------------------------- */

/* One byte at a linear address through cpu's current paging. */
static int linear_access(CPU *cpu, uint32_t linear, uint8_t *byte, int is_write)
{
    uint32_t phys;
    if (tlb_debug_phys(cpu, linear, &phys))
        return -1;
    return phys_debug_access(phys, byte, is_write);
}

/* m addr,len */
static void cmd_read_mem(CPU *cpu, const char *args)
{
    uint32_t addr, len;
    const char *end;
    if (parse_hex(args, &addr, &end) || *end != ',' || parse_hex(end + 1, &len, &end) ||
        *end || len > GDB_PACKET_MAX / 2) {
        put_packet("E01");
        return;
    }
    char out[GDB_PACKET_MAX + 1];
    uint32_t i;
    for (i = 0; i < len; i++) {
        uint8_t b;
        if (linear_access(cpu, addr + i, &b, 0))
            break;
        sprintf(out + 2 * i, "%02x", b);
    }
    out[2 * i] = 0;
    put_packet(i || !len ? out : "E14");    /* EFAULT: nothing there at all */
}

/* M addr,len:XX... */
static void cmd_write_mem(CPU *cpu, const char *args)
{
    uint32_t addr, len;
    const char *end;
    if (parse_hex(args, &addr, &end) || *end != ',' || parse_hex(end + 1, &len, &end) ||
        *end != ':' || strlen(end + 1) != 2 * (size_t)len) {
        put_packet("E01");
        return;
    }
    const char *hex = end + 1;
    for (uint32_t i = 0; i < len; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            put_packet("E01");
            return;
        }
        uint8_t b = (uint8_t)(hi << 4 | lo);
        if (linear_access(cpu, addr + i, &b, 1)) {
            put_packet("E14");
            return;
        }
    }
    flush_on_resume = 1;                /* the write may have changed code */
    put_packet("OK");
}

static CPU *cpu_of(int index);

/* ---- Breakpoints and watchpoints ------------------------------------------------------------------------ */

int gdb_breakpoint_at(uint32_t linear)
{
    for (int i = 0; i < nbps; i++)
        if (bps[i] == linear)
            return 1;
    return 0;
}

/* Which watchpoint kinds see an access: writes, reads, or both. */
static int watch_sees(int kind, int is_write)
{
    return kind == GDB_WATCH_ACCESS || (kind == GDB_WATCH_WRITE) == (is_write != 0);
}

/* The TLB's question for the page at `page`: 1 if a watchpoint there
 * wants reads, 2 if one wants writes (or both). */
int gdb_watch_page(uint32_t page)
{
    int w = 0;
    for (int i = 0; i < gdb_nwatch; i++)
        if (watches[i].addr <= page + PAGE_SIZE - 1 && page <= watches[i].addr + watches[i].len - 1)
            w |= (watch_sees(watches[i].kind, 0) ? 1 : 0) | (watch_sees(watches[i].kind, 1) ? 2 : 0);
    return w;
}

/* Does an access of size bytes at linear hit a watchpoint?  Its kind,
 * with its address in *addr, or 0. */
int gdb_watch_hit(uint32_t linear, int size, int is_write, uint32_t *addr)
{
    for (int i = 0; i < gdb_nwatch; i++)
        if (watches[i].addr <= linear + (uint32_t)size - 1 &&
            linear <= watches[i].addr + watches[i].len - 1 && watch_sees(watches[i].kind, is_write)) {
            *addr = watches[i].addr;
            return watches[i].kind;
        }
    return 0;
}

/* The watchpoints changed: every TLB entry goes, so that the pages they
 * cover get TLB_DEBUG when next filled (every vCPU is parked). */
static void watch_changed(void)
{
    for (int i = 0; i < machine.ncpus; i++)
        tlb_flush(cpu_of(i));
}

/* Z2/Z3/Z4 addr,len (insert) and z2/z3/z4 (remove). */
static void cmd_watchpoint(int kind, uint32_t addr, uint32_t len, int insert)
{
    int i;
    if (!len || addr + (len - 1) < addr) {
        put_packet("E16");              /* EINVAL: empty or past 4 GiB */
        return;
    }
    for (i = 0; i < gdb_nwatch; i++)
        if (watches[i].addr == addr && watches[i].len == len && watches[i].kind == kind)
            break;
    if (insert && i == gdb_nwatch) {
        if (gdb_nwatch == GDB_MAX_WATCH) {
            put_packet("E0c");          /* ENOMEM: gdb falls back to stepping */
            return;
        }
        watches[gdb_nwatch].addr = addr;
        watches[gdb_nwatch].len = len;
        watches[gdb_nwatch].kind = kind;
        gdb_nwatch++;
    } else if (!insert && i < gdb_nwatch) {
        watches[i] = watches[--gdb_nwatch];
    }
    watch_changed();
    put_packet("OK");
}

/* Z0/Z1 addr,kind (insert) and z0/z1 (remove): software and hardware
 * breakpoints are the same thing here; Z2-Z4 are watchpoints. */
static void cmd_breakpoint(const char *args, int insert)
{
    uint32_t addr, kind;
    const char *end;
    if (args[0] < '0' || args[0] > '4') {
        put_packet("");
        return;
    }
    if (args[1] != ',' || parse_hex(args + 2, &addr, &end) || *end != ',' ||
        parse_hex(end + 1, &kind, &end) || *end) {
        put_packet("E01");
        return;
    }
    if (args[0] >= '2') {
        cmd_watchpoint(args[0] - '0', addr, kind, insert);
        return;
    }
    int i;
    for (i = 0; i < nbps && bps[i] != addr; i++)
        ;
    if (insert && i == nbps) {
        if (nbps == GDB_MAX_BPS) {
            put_packet("E0c");          /* ENOMEM */
            return;
        }
        bps[nbps++] = addr;
    } else if (!insert && i < nbps) {
        bps[i] = bps[--nbps];
    }
    flush_on_resume = 1;
    put_packet("OK");
}

/* ---- Stopping and resuming ----------------------------------------------------------------- */

static CPU *cpu_of(int index)
{
    return machine.cpus[index];
}

/* Stop the machine (if it runs) and report sig for the vCPU that stopped
 * it, which becomes the current thread. */
static void stop_and_report(int sig)
{
    vm_debug_stop();
    stopped = 1;
    CPU *cpu = vm_debug_stop_cpu();
    if (!cpu)
        cpu = cpu_of(g_cpu);
    g_cpu = c_cpu = cpu->index;
    put_stop_reply(sig, cpu);
    cpu->watch_kind = 0;                /* reported */
}

/* Run the guest again: every vCPU, or only step for one instruction.
 * Changed breakpoints or code make every translated block stale: they are
 * thrown away while no vCPU runs. */
static void resume(CPU *step)
{
    if (flush_on_resume) {
        tb_flush(NULL);
        flush_on_resume = 0;
    }
    stopped = 0;
    vm_debug_resume(step);
}

/* A vCPU hit a breakpoint or ended a step (bottom half, BQL held). */
static void stop_bh_cb(void *opaque)
{
    (void)opaque;
    if (client_fd >= 0 && !stopped) {
        stop_and_report(SIGTRAP_GDB);
    } else if (client_fd < 0 && vm_debug_stop_cpu()) {
        /* gdb left between the hit and now: nobody wants the stop */
        vm_debug_stop();
        for (int i = 0; i < machine.ncpus; i++)
            cpu_of(i)->watch_kind = 0;
        vm_debug_resume(NULL);
    }
}

/* gdb has the machine stopped and decides when it runs (the monitor's
 * cont leaves it alone). */
int gdb_holds_machine(void)
{
    return client_fd >= 0 && stopped;
}

void gdb_stopped(void)
{
    bh_schedule(stop_bh);
}

/* c [addr] / s [addr]: resume at addr if given. */
static void cmd_continue(const char *args, int step)
{
    CPU *cpu = cpu_of(step ? c_cpu : g_cpu);
    if (*args) {
        uint32_t addr;
        const char *end;
        if (parse_hex(args, &addr, &end) || *end) {
            put_packet("E01");
            return;
        }
        reg_set(cpu, 8, addr);
    }
    resume(step ? cpu : NULL);          /* the stop reply comes when it stops */
}

/* ---- Threads ----------------------------------------------------------------------------- */

/* A thread id as gdb sends it: N (1-based), 0 (any) or -1 (all); the CPU
 * index, or -1 when it names no vCPU. */
static int parse_thread(const char *s, int fallback)
{
    if (!strcmp(s, "-1") || !strcmp(s, "0"))
        return fallback;
    uint32_t id;
    const char *end;
    if (parse_hex(s, &id, &end) || *end || id < 1 || id > (uint32_t)machine.ncpus)
        return -1;
    return (int)id - 1;
}

static void cmd_set_thread(const char *args)
{
    int index = parse_thread(args + 1, args[0] == 'g' ? g_cpu : c_cpu);
    if ((args[0] != 'g' && args[0] != 'c') || index < 0) {
        put_packet("E01");
        return;
    }
    if (args[0] == 'g')
        g_cpu = index;
    else
        c_cpu = index;
    put_packet("OK");
}

/* ---- The target description (gdb manual, "Target Descriptions") ---------------------
 * gdb's i386 core feature, register for register as gdb's own
 * 32bit-core.xml has it (gdb insists on every one), then ours: the control
 * registers, numbered from GDB_REG_CR0.  No SSE: our CPU has none.  (No
 * '#', '$', '}' or '*' in it: those would need escaping in a packet.) */
static const char target_xml[] =
    "<?xml version=\"1.0\"?>"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
    "<target version=\"1.0\">"
    "<architecture>i386</architecture>"
    "<feature name=\"org.gnu.gdb.i386.core\">"
    "<flags id=\"i386_eflags\" size=\"4\">"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
    "<field name=\"ID\" start=\"21\" end=\"21\"/>"
    "</flags>"
    "<reg name=\"eax\" bitsize=\"32\" type=\"int32\" regnum=\"0\"/>"
    "<reg name=\"ecx\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"edx\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"ebx\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"esp\" bitsize=\"32\" type=\"data_ptr\"/>"
    "<reg name=\"ebp\" bitsize=\"32\" type=\"data_ptr\"/>"
    "<reg name=\"esi\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"edi\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "</feature>"
    "<feature name=\"org.vm.i386.sys\">"
    "<flags id=\"vm_cr0\" size=\"4\">"
    "<field name=\"PE\" start=\"0\" end=\"0\"/><field name=\"MP\" start=\"1\" end=\"1\"/>"
    "<field name=\"EM\" start=\"2\" end=\"2\"/><field name=\"TS\" start=\"3\" end=\"3\"/>"
    "<field name=\"ET\" start=\"4\" end=\"4\"/><field name=\"NE\" start=\"5\" end=\"5\"/>"
    "<field name=\"WP\" start=\"16\" end=\"16\"/><field name=\"AM\" start=\"18\" end=\"18\"/>"
    "<field name=\"NW\" start=\"29\" end=\"29\"/><field name=\"CD\" start=\"30\" end=\"30\"/>"
    "<field name=\"PG\" start=\"31\" end=\"31\"/>"
    "</flags>"
    "<reg name=\"cr0\" bitsize=\"32\" type=\"vm_cr0\" regnum=\"32\" group=\"system\"/>"
    "<reg name=\"cr2\" bitsize=\"32\" type=\"int32\" group=\"system\"/>"
    "<reg name=\"cr3\" bitsize=\"32\" type=\"int32\" group=\"system\"/>"
    "<reg name=\"cr4\" bitsize=\"32\" type=\"int32\" group=\"system\"/>"
    "</feature>"
    "</target>";
BUILD_CHECK(gdb_cr0_regnum, GDB_REG_CR0 == 32 && GDB_REG_LAST == GDB_REG_CR0 + 3);

/* qXfer:features:read:target.xml:OFFSET,LENGTH: a piece of the
 * description, 'm' when more follows, 'l' for the last. */
static void cmd_read_features(const char *args)
{
    static char out[GDB_PACKET_MAX + 2];
    uint32_t offset, len;
    const char *end;
    if (strncmp(args, "target.xml:", 11)) {
        put_packet("E00");              /* no such annex */
        return;
    }
    if (parse_hex(args + 11, &offset, &end) || *end != ',' || parse_hex(end + 1, &len, &end) ||
        *end) {
        put_packet("E01");
        return;
    }
    size_t total = sizeof(target_xml) - 1;
    if (offset > total)
        offset = (uint32_t)total;
    if (len > GDB_PACKET_MAX)
        len = GDB_PACKET_MAX;
    size_t n = total - offset < len ? total - offset : len;
    out[0] = offset + n < total ? 'm' : 'l';
    memcpy(out + 1, target_xml + offset, n);
    out[n + 1] = 0;
    put_packet(out);
}

static void cmd_query(const char *q)
{
    char out[GDB_PACKET_MAX];
    if (!strncmp(q, "Supported", 9)) {
        snprintf(out, sizeof(out), "PacketSize=%x;qXfer:features:read+", GDB_PACKET_MAX);
        put_packet(out);
    } else if (!strncmp(q, "Xfer:features:read:", 19)) {
        cmd_read_features(q + 19);
    } else if (!strcmp(q, "fThreadInfo")) {
        int n = snprintf(out, sizeof(out), "m");
        for (int i = 0; i < machine.ncpus; i++)
            n += snprintf(out + n, sizeof(out) - (size_t)n, "%s%x", i ? "," : "", i + 1);
        put_packet(out);
    } else if (!strcmp(q, "sThreadInfo")) {
        put_packet("l");
    } else if (!strcmp(q, "C")) {
        snprintf(out, sizeof(out), "QC%x", g_cpu + 1);
        put_packet(out);
    } else if (!strncmp(q, "Attached", 8)) {
        put_packet("1");
    } else {
        put_packet("");                 /* not supported */
    }
}

/* ---- Packets ------------------------------------------------------------------------------ */

static void client_close(void);

/* Handle one complete packet; every vCPU is parked (the stub stops the
 * machine when gdb connects and answers only while it stays stopped). */
static void handle_packet(char *pkt)
{
    CPU *cpu = cpu_of(g_cpu);
    const char *args = pkt + 1;
    switch (pkt[0]) {
    case '?': put_stop_reply(SIGTRAP_GDB, cpu); break;
    case 'g': cmd_read_regs(cpu); break;
    case 'G': cmd_write_regs(cpu, args); break;
    case 'p': cmd_read_reg(cpu, args); break;
    case 'P': cmd_write_reg(cpu, args); break;
    case 'm': cmd_read_mem(cpu, args); break;
    case 'M': cmd_write_mem(cpu, args); break;
    case 'Z': cmd_breakpoint(args, 1); break;
    case 'z': cmd_breakpoint(args, 0); break;
    case 'c': cmd_continue(args, 0); break;
    case 's': cmd_continue(args, 1); break;
    case 'H': cmd_set_thread(args); break;
    case 'T': put_packet(parse_thread(args, -1) >= 0 ? "OK" : "E01"); break;
    case 'q': cmd_query(args); break;
    case 'D':                               /* detach: the guest runs on */
        put_packet("OK");
        client_close();
        break;
    case 'k':                               /* kill: vm exits */
        client_close();
        vm_exit(0);
    default: put_packet(""); break;         /* unknown: the empty reply */
    }
}

/* Feed one received byte to the packet parser. */
static void input_byte(uint8_t c)
{
    switch (in_state) {
    case IN_IDLE:
        if (c == '$') {
            in_state = IN_DATA;
            in_len = in_overflow = 0;
            in_sum = 0;
        } else if (c == 0x03 && !stopped) { /* Ctrl-C */
            stop_and_report(SIGINT_GDB);
        }                                   /* '+', '-' and noise are ignored */
        break;
    case IN_DATA:
        if (c == '#') {
            in_state = IN_CSUM1;
            break;
        }
        in_sum = (uint8_t)(in_sum + c);
        if (in_len < GDB_PACKET_MAX)
            in_buf[in_len++] = (char)c;
        else
            in_overflow = 1;
        break;
    case IN_CSUM1:
        if (hex_digit(c) < 0) {
            in_state = IN_IDLE;
            client_write("-", 1);
            break;
        }
        in_csum = (uint8_t)(hex_digit(c) << 4);
        in_state = IN_CSUM2;
        break;
    case IN_CSUM2:
        in_state = IN_IDLE;
        if (hex_digit(c) < 0 || (uint8_t)(in_csum | hex_digit(c)) != in_sum) {
            client_write("-", 1);           /* gdb sends it again */
            break;
        }
        client_write("+", 1);
        in_buf[in_len] = 0;
        if (in_overflow || !in_len)
            put_packet("E01");
        else if (stopped)
            handle_packet(in_buf);
        break;                              /* while running, only Ctrl-C counts */
    }
}

static void client_read_cb(void *opaque)
{
    (void)opaque;
    uint8_t buf[4096];
    ssize_t n = read(client_fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        client_close();
        return;
    }
    for (ssize_t i = 0; i < n && client_fd >= 0; i++)
        input_byte(buf[i]);
}

/* The client went away or detached: forget its breakpoints and let the
 * guest run; wait for the next client. */
static void client_close(void)
{
    if (client_fd < 0)
        return;
    loop_set_fd_handler(client_fd, NULL, NULL);
    close(client_fd);
    client_fd = -1;
    if (nbps) {
        nbps = 0;
        flush_on_resume = 1;
    }
    if (gdb_nwatch) {
        if (!stopped) {                 /* the TLBs may be changed only now */
            vm_debug_stop();
            stopped = 1;
        }
        gdb_nwatch = 0;
        watch_changed();
        for (int i = 0; i < machine.ncpus; i++)
            cpu_of(i)->watch_kind = 0;
    }
    if (stopped)
        resume(NULL);
}

/* A client connects: one at a time, and the guest stops for it (as
 * QEMU's does) so that its first questions see a still machine. */
static void listen_accept_cb(void *opaque)
{
    (void)opaque;
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0)
        return;
    if (client_fd >= 0) {
        close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    client_fd = fd;
    in_state = IN_IDLE;
    loop_set_fd_handler(client_fd, client_read_cb, NULL);
    if (!stopped) {
        vm_debug_stop();
        stopped = 1;
    }
}

/* Listen on the -gdb port (dies if it cannot: a port in use is bad input),
 * and with -S keep the vCPUs from running until gdb says so. */
void gdb_start(int start_stopped)
{
    if (!listen_port) {
        /* the monitor's cont can start the guest too, if it can be reached */
        if (start_stopped && !monitor_on_stdio() && !(monitor_muxed() && isatty(STDIN_FILENO)))
            die("-S needs -gdb, -s or a monitor (nothing could start the guest)");
        if (start_stopped)
            vm_debug_start_stopped();
        return;
    }
    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd < 0)
        die("-gdb: cannot create a socket: %s", strerror(errno));
    int one = 1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)listen_port);
    sa.sin_addr = listen_addr;
    if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(listen_fd, 1))
        die("-gdb: cannot listen on port %d: %s", listen_port, strerror(errno));
    bql_lock();
    stop_bh = bh_new(stop_bh_cb, NULL);
    loop_set_fd_handler(listen_fd, listen_accept_cb, NULL);
    bql_unlock();
    if (start_stopped)
        vm_debug_start_stopped();
}

/* vm is exiting: tell gdb the guest's exit status (W packet). */
void gdb_exit_notify(int status)
{
    if (client_fd < 0)
        return;
    char buf[8];
    snprintf(buf, sizeof(buf), "W%02x", status & 0xff);
    put_packet(buf);
}
