/*
 * main.c - the command line, the machine's assembly (RAM, BIOS ROM,
 * devices, vCPUs) and the exit status.
 *
 *   ./vm [options] bios.bin [disk.img]
 *   ./vm [options] -kernel kernel.elf [-hda disk.img]
 *
 * Options use QEMU's spelling (see usage()).  Bad input of any kind gets one
 * line on stderr naming the problem and exit status 2.
 *
 * Runs on the main thread before any other thread exists.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "vm.h"

Machine machine;
int log_mask;
FILE *log_file;

#define ROM_CHUNK   (64 * 1024)
#define ROM_MAX     (256 * 1024)
#define RAM_MAX_MB  3072
#define SMP_MAX     16
#define TB_SIZE_MIN_KB 256          /* a TB may need 64 KiB; leave room for several */
#define TB_SIZE_MAX_KB (1024 * 1024)

static void usage(FILE *f)
{
    fprintf(f,
        "usage: vm [options] bios.bin [disk.img]\n"
        "       vm [options] -kernel kernel.elf [-append CMDLINE] [-initrd MODULES] [-hda disk.img]\n"
        "  bios.bin         BIOS image: 64, 128, 192 or 256 KiB, mapped to end at 4 GiB\n"
        "                   (its last 128 KiB also end at 1 MiB); the CPU starts at F000:FFF0.\n"
        "                   vm's own: bios/bios.bin (try: vm bios/bios.bin tests/demo.img)\n"
        "  disk.img         hard disk image (up to 2 TiB): the ATA disk on the primary channel\n"
        "options:\n"
        "  -hda FILE        the hard disk image (instead of the disk.img argument)\n"
        "  -snapshot        keep the guest's disk writes in memory; the image is not changed\n"
        "  -m MB            guest RAM in MiB (default 128, at most %d; suffix M or G allowed)\n"
        "  -smp N           number of vCPUs, 1 to 16 (default 1); the others wait for INIT/SIPI\n"
        "  -accel tcg[,thread=single|multi][,groups=on|off][,views=on|off]  vCPUs on their own threads\n"
        "                   (default) or on one; guest memory through views on (default);\n"
        "                   without views, page groups of memory operands on (default)\n"
        "  -tb-size KB      translated-code buffer size (default 32768, at least 256)\n"
        "  -kernel FILE     boot a multiboot (v1) kernel (ELF32 or with the header's address\n"
        "                   fields) or a Linux bzImage\n"
        "  -append STRING   the kernel's command line\n"
        "  -initrd FILE     Linux: the initial RAM disk; multiboot: modules A[,B] ('file args')\n"
        "  -no-reboot       exit instead of rebooting on a triple fault or reset\n"
        "  -gdb tcp:[HOST]:PORT  wait for gdb on PORT (HOST default 127.0.0.1; see docs/gdb.md)\n"
        "  -s               -gdb tcp::1234\n"
        "  -S               start stopped: the guest runs when gdb says continue\n"
        "  -monitor stdio|none  the (vm) monitor on stdin/stdout (then stdin is not the\n"
        "                   guest's), or none; default: Ctrl-A c on a terminal (docs/monitor.md)\n"
        "  -d ITEM,...      log: in_asm out_asm exec int cpu ioport mmu pcall unimp\n"
        "                   guest_errors (or 'help')\n"
        "  -dfilter R,...   log in_asm/out_asm/exec/cpu only for blocks in START..END or START+LEN\n"
        "  -D FILE          write the -d log to FILE instead of stderr\n"
        "  -perfmap         write /tmp/perf-PID.map: perf report names guest code\n"
        "  -h, -help        show this help\n"
        "The guest exits vm through port 0xF4 with status (value << 1) | 1.\n",
        RAM_MAX_MB);
}

/* One-line error for bad user input, then exit 2. */
void die(const char *fmt, ...)
{
    va_list ap;
    fputs("vm: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file, fmt, ap);
    va_end(ap);
}

/* Every normal way out of vm: the disk's writes reach the image first.
 * Any thread (a vCPU's, for the debug-exit port, with the BQL held). */
void vm_exit(int status)
{
    ata_shutdown();
    fflush(stdout);
    gdb_exit_notify(status);
    if (log_file)
        fflush(log_file);
    exit(status);
}

/* -dfilter RANGE,...: the blocks in_asm, out_asm, exec and cpu log, by
 * linear address; a RANGE is START..END (inclusive) or START+LENGTH, in
 * hex with or without 0x. */
#define DFILTER_MAX 16
static struct { uint32_t lo, hi; } dfilter[DFILTER_MAX];
static int n_dfilter;

int log_pc_wanted(uint32_t pc)
{
    if (!n_dfilter)
        return 1;
    for (int i = 0; i < n_dfilter; i++)
        if (pc >= dfilter[i].lo && pc <= dfilter[i].hi)
            return 1;
    return 0;
}

static uint32_t parse_hex(const char *s, char **end)
{
    errno = 0;
    unsigned long v = strtoul(s, end, 16);
    if (*end == s || errno || v > 0xffffffffu)
        die("-dfilter: bad address in '%s'", s);
    return (uint32_t)v;
}

static void parse_dfilter(const char *list)
{
    char buf[512], *end;
    if (strlen(list) >= sizeof(buf))
        die("-dfilter: list too long");
    strcpy(buf, list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (n_dfilter == DFILTER_MAX)
            die("-dfilter: at most %d ranges", DFILTER_MAX);
        uint32_t lo = parse_hex(tok, &end), hi;
        if (!strncmp(end, "..", 2))
            hi = parse_hex(end + 2, &end);
        else if (*end == '+')
            hi = lo + parse_hex(end + 1, &end) - 1;
        else
            die("-dfilter: '%s' is not START..END or START+LENGTH", tok);
        if (*end || hi < lo)
            die("-dfilter: bad range '%s'", tok);
        dfilter[n_dfilter].lo = lo;
        dfilter[n_dfilter++].hi = hi;
    }
}

/* Parse a whole decimal number in [lo, hi] or die naming the option. */
static unsigned long parse_number(const char *opt, const char *s, unsigned long lo,
                                  unsigned long hi, int allow_size_suffix)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-' || *s == '+')
        die("%s needs a number, got '%s'", opt, s ? s : "");
    unsigned long v = strtoul(s, &end, 10);
    if (allow_size_suffix && (*end == 'M' || *end == 'm') && end[1] == 0)
        end++;
    else if (allow_size_suffix && (*end == 'G' || *end == 'g') && end[1] == 0) {
        if (v > hi / 1024 + 1)
            v = hi + 1;
        else
            v *= 1024;
        end++;
    }
    if (errno || *end || end == s)
        die("%s needs a number, got '%s'", opt, s);
    if (v < lo || v > hi)
        die("%s %s is out of range (%lu to %lu)", opt, s, lo, hi);
    return v;
}

static int parse_log_items(const char *list)
{
    static const struct { const char *name; int bit; } items[] = {
        { "in_asm", LOG_IN_ASM }, { "out_asm", LOG_OUT_ASM }, { "exec", LOG_EXEC },
        { "int", LOG_INT }, { "cpu", LOG_CPU }, { "ioport", LOG_IOPORT },
        { "mmu", LOG_MMU }, { "pcall", LOG_PCALL }, { "unimp", LOG_UNIMP },
        { "guest_errors", LOG_GUEST_ERRORS },
    };
    int mask = 0;
    char buf[256];
    if (strlen(list) >= sizeof(buf))
        die("-d: list too long");
    strcpy(buf, list);
    if (!strcmp(buf, "help")) {
        printf("-d items: in_asm out_asm exec int cpu ioport mmu pcall unimp guest_errors\n");
        exit(0);
    }
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        size_t i;
        for (i = 0; i < sizeof(items) / sizeof(items[0]); i++)
            if (!strcmp(tok, items[i].name))
                break;
        if (i == sizeof(items) / sizeof(items[0]))
            die("-d: unknown log item '%s' (try -d help)", tok);
        mask |= items[i].bit;
    }
    if (!mask)
        die("-d: empty log item list");
    return mask;
}

/* Read the BIOS image and check its size. */
static void load_bios(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open BIOS image '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        die("BIOS image '%s' is not a regular file", path);
    if (st.st_size == 0)
        die("BIOS image '%s' is empty", path);
    if (st.st_size % ROM_CHUNK)
        die("BIOS image '%s' is %lld bytes, not a multiple of 64 KiB", path, (long long)st.st_size);
    if (st.st_size > ROM_MAX)
        die("BIOS image '%s' is %lld bytes, more than 256 KiB", path, (long long)st.st_size);
    machine.rom_size = (uint32_t)st.st_size;
    machine.rom = malloc(machine.rom_size);
    if (!machine.rom)
        die("out of memory");
    if (fread(machine.rom, 1, machine.rom_size, f) != machine.rom_size)
        die("cannot read BIOS image '%s'", path);
    fclose(f);
}

#define DISK_MAX_BYTES ((uint64_t)2 << 40)   /* 2 TiB: 2^32 sectors */

/* Open the disk image and hand it to the ATA disk.  Read-write if we may;
 * a file we may only read gives a write-protected disk.  With -snapshot
 * the file is only ever read. */
static void open_disk(const char *path, int snapshot)
{
    int read_only = 0;
    int fd = open(path, (snapshot ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0 && !snapshot && (errno == EACCES || errno == EROFS || errno == EPERM)) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        read_only = 1;
    }
    if (fd < 0 && errno == EISDIR)
        die("disk image '%s' is a directory", path);
    if (fd < 0)
        die("cannot open disk image '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
        die("disk image '%s' is not a regular file or block device", path);
    off_t size = lseek(fd, 0, SEEK_END);        /* a block device's st_size is 0 */
    if (size < 0)
        die("cannot read disk image '%s': %s", path, strerror(errno));
    if (size == 0)
        die("disk image '%s' is empty", path);
    if ((uint64_t)size > DISK_MAX_BYTES)
        die("disk image '%s' is %lld bytes, more than 2 TiB", path, (long long)size);
    char probe;
    if (pread(fd, &probe, 1, 0) != 1)
        die("cannot read disk image '%s': %s", path, strerror(errno));
    ata_attach(fd, (uint64_t)size, read_only, snapshot);
}

typedef struct Options {
    unsigned long ram_mb, smp;
    const char *bios, *disk, *log_path;
    const char *kernel, *append, *initrd;
    unsigned long tb_kb;
    int no_reboot, log_mask, single_thread, snapshot, perfmap, start_stopped;
} Options;

/* -accel tcg[,thread=single|multi][,groups=on|off][,views=on|off]: how
 * vCPUs map to host threads (returns 1 for single), whether the translator
 * reaches memory through views and, without them, groups memory operands
 * (docs/memory.md; off shows every operand's own lookup). */
static int parse_accel(const char *arg)
{
    int single = 0;
    if (strncmp(arg, "tcg", 3) || (arg[3] && arg[3] != ','))
        die("-accel: only tcg[,thread=single|multi][,groups=on|off][,views=on|off], not '%s'", arg);
    for (const char *p = arg + 3; *p == ','; ) {
        const char *item = p + 1;
        size_t n = strcspn(item, ",");
        if (n == 13 && !strncmp(item, "thread=single", n))
            single = 1;
        else if (n == 12 && !strncmp(item, "thread=multi", n))
            single = 0;
        else if (n == 9 && !strncmp(item, "groups=on", n))
            tb_nogroups = 0;
        else if (n == 10 && !strncmp(item, "groups=off", n))
            tb_nogroups = 1;
        else if (n == 8 && !strncmp(item, "views=on", n))
            mem_views = 1;
        else if (n == 9 && !strncmp(item, "views=off", n))
            mem_views = 0;
        else
            die("-accel: unknown tcg option '%.*s' (thread=single|multi, groups=on|off, "
                "views=on|off)", (int)n, item);
        p = item + n;
    }
    return single;
}

static Options opts;

/* The disk image, from -hda or the argument after the BIOS: one of them. */
static void set_disk(Options *o, const char *path)
{
    if (o->disk)
        die("two disk images given ('%s' and '%s'): vm has one disk", o->disk, path);
    if (!*path)
        die("-hda needs a file name");
    o->disk = path;
}

static void parse_args(int argc, char **argv, Options *o)
{
    if (argc <= 1)
        die("usage: vm [options] bios.bin [disk.img]; try: ./vm bios/bios.bin tests/demo.img"
            " (vm -h for more)");
    int positional = 0;         /* bios.bin, then disk.img */
    o->ram_mb = 128;
    o->smp = 1;
    o->tb_kb = 32 * 1024;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "-help") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "-m") || !strcmp(a, "-smp") || !strcmp(a, "-d") || !strcmp(a, "-D") ||
                   !strcmp(a, "-kernel") || !strcmp(a, "-append") || !strcmp(a, "-initrd") ||
                   !strcmp(a, "-tb-size") || !strcmp(a, "-accel") || !strcmp(a, "-hda") ||
                   !strcmp(a, "-dfilter") || !strcmp(a, "-gdb") || !strcmp(a, "-monitor")) {
            if (!next)
                die("option %s needs an argument", a);
            i++;
            if (!strcmp(a, "-kernel"))
                o->kernel = next;
            else if (!strcmp(a, "-append"))
                o->append = next;
            else if (!strcmp(a, "-initrd"))
                o->initrd = next;
            else if (!strcmp(a, "-m"))
                o->ram_mb = parse_number("-m", next, 1, RAM_MAX_MB, 1);
            else if (!strcmp(a, "-smp"))
                o->smp = parse_number("-smp", next, 1, SMP_MAX, 0);
            else if (!strcmp(a, "-tb-size"))
                o->tb_kb = parse_number("-tb-size", next, TB_SIZE_MIN_KB, TB_SIZE_MAX_KB, 0);
            else if (!strcmp(a, "-accel"))
                o->single_thread = parse_accel(next);
            else if (!strcmp(a, "-hda"))
                set_disk(o, next);
            else if (!strcmp(a, "-gdb"))
                gdb_parse_arg(next);
            else if (!strcmp(a, "-monitor"))
                monitor_parse_arg(next);
            else if (!strcmp(a, "-d"))
                o->log_mask = parse_log_items(next);
            else if (!strcmp(a, "-dfilter"))
                parse_dfilter(next);
            else
                o->log_path = next;
        } else if (!strcmp(a, "-no-reboot")) {
            o->no_reboot = 1;
        } else if (!strcmp(a, "-snapshot")) {
            o->snapshot = 1;
        } else if (!strcmp(a, "-perfmap")) {
            o->perfmap = 1;
        } else if (!strcmp(a, "-s")) {
            gdb_parse_arg("tcp::1234");
        } else if (!strcmp(a, "-S")) {
            o->start_stopped = 1;
        } else if (a[0] == '-' && a[1]) {
            die("unknown option '%s' (try -h)", a);
        } else if (++positional == 1) {
            o->bios = a;
        } else if (positional == 2) {
            set_disk(o, a);
        } else {
            die("unexpected argument '%s' (try -h)", a);
        }
    }
    if (!o->bios && !o->kernel)
        die("no BIOS image or -kernel given (usage: vm [options] bios.bin [disk.img]; try -h)");
    if ((o->append || o->initrd) && !o->kernel)
        die("-append and -initrd need -kernel");
}

/* An application processor after a machine reset: INIT state, waiting
 * for its start-up IPI (run on its own thread). */
static void ap_reset_work(CPU *cpu, void *data)
{
    (void)data;
    cpu_reset(cpu);
    cpu->halted = 1;
    cpu->wait_for_sipi = 1;
}

static void bsp_reset_work(CPU *cpu, void *data)
{
    (void)cpu;
    (void)data;
    vm_request_reset();
}

/* The monitor's system_reset (main thread, BQL held): the boot processor
 * resets the machine at its next block boundary, as if the guest had
 * asked; on a stopped machine, when it runs again. */
void vm_system_reset(void)
{
    async_run_on_cpu(machine.cpus[0], bsp_reset_work, NULL);
}

/* A reset of the whole machine (triple fault, keyboard controller, port
 * 0x92...): RAM keeps its contents, as on a real PC.  Each vCPU resets on
 * its own thread: the boot processor restarts the machine, an AP that asks
 * hands the job to it. */
void vm_request_reset(void)
{
    if (machine.no_reboot) {
        fprintf(stderr, "vm: guest reset, exiting (-no-reboot)\n");
        vm_exit(0);
    }
    CPU *self = current_cpu;
    /* A reset can come from a device write (the BQL is then held) or from a
     * triple fault; either way the vCPU leaves for cpu_exec without it. */
    if (!bql_locked())
        bql_lock();
    if (self && self->index != 0) {
        async_run_on_cpu(machine.cpus[0], bsp_reset_work, NULL);
        bql_unlock();
        ap_reset_work(self, NULL);
        siglongjmp(self->jmp_env, 1);
    }
    for (int i = 1; i < machine.ncpus; i++)
        async_run_on_cpu(machine.cpus[i], ap_reset_work, NULL);
    for (int i = 0; i < machine.ncpus; i++)
        apic_reset(i);
    ioapic_init();
    devices_reset();
    bql_unlock();
    cpu_reset(machine.cpus[0]);
    if (opts.kernel)            /* as QEMU's firmware would, load the kernel again */
        kernel_load(machine.cpus[0], opts.kernel, opts.append, opts.initrd);
    siglongjmp(machine.cpus[0]->jmp_env, 1);
}

int main(int argc, char **argv)
{
    Options o;
    memset(&o, 0, sizeof(o));
    parse_args(argc, argv, &o);
    if (o.bios)
        load_bios(o.bios);
    if (o.kernel)
        kernel_check(o.kernel);         /* fail early, before any setup */
    if (o.disk)
        open_disk(o.disk, o.snapshot);
    log_file = stderr;
    if (o.log_path) {
        log_file = fopen(o.log_path, "w");
        if (!log_file)
            die("cannot open log file '%s': %s", o.log_path, strerror(errno));
    }
    log_mask = o.log_mask;
    tb_nochain = (log_mask & (LOG_EXEC | LOG_CPU)) != 0;
    if (o.perfmap)
        perfmap_open();

    machine.ram_size = (uint32_t)(o.ram_mb << 20);
    machine.smp = (int)o.smp;
    machine.no_reboot = o.no_reboot;
    mem_init(&machine);
    rcu_init();
    loop_init();
    bql_lock();                     /* device setup arms timers and fd handlers */
    devices_init(&machine);
    bql_unlock();
    view_fault_init();                  /* after the console's handlers */
    static CPU cpus[MAX_CPUS];
    machine.ncpus = (int)o.smp;
    bql_lock();
    for (int i = 0; i < machine.ncpus; i++) {
        machine.cpus[i] = &cpus[i];
        apic_new(i);
    }
    ioapic_init();
    bql_unlock();
    for (int i = 0; i < machine.ncpus; i++) {
        cpu_init(&cpus[i], &machine, i);
        if (i > 0) {                    /* application processors wait for INIT/SIPI */
            cpus[i].halted = 1;
            cpus[i].wait_for_sipi = 1;
        }
    }
    bql_lock();
    memory_map_init();
    bql_unlock();
    CPU *cpu0 = &cpus[0];
    opts = o;
    if (o.kernel)
        kernel_load(cpu0, o.kernel, o.append, o.initrd);
    tcg_init((size_t)o.tb_kb << 10);
    machine.single_thread = o.single_thread;
    gdb_start(o.start_stopped);
    bql_lock();
    monitor_init();
    bql_unlock();
    int status = main_loop_run(&machine);
    vm_exit(status);
}
