/*
 * main.c - the command line, the machine's assembly (RAM, BIOS ROM,
 * devices, vCPUs) and the exit status.
 *
 *   ./vm [options] bios.bin [disk.img]
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

#include "vm.h"

Machine machine;
int log_mask;
FILE *log_file;

#define ROM_CHUNK   (64 * 1024)
#define ROM_MAX     (256 * 1024)
#define RAM_MAX_MB  3072
#define SMP_MAX     255

static void usage(FILE *f)
{
    fprintf(f,
        "usage: vm [options] bios.bin [disk.img]\n"
        "  bios.bin         BIOS image: 64, 128, 192 or 256 KiB, mapped to end at 4 GiB\n"
        "                   (its last 128 KiB also end at 1 MiB); the CPU starts at F000:FFF0\n"
        "  disk.img         hard disk image (used by the BIOS and ATA disk, coming soon)\n"
        "options:\n"
        "  -m MB            guest RAM in MiB (default 128, at most %d; suffix M or G allowed)\n"
        "  -smp N           number of vCPUs (default 1; one runs until the threads issue)\n"
        "  -no-reboot       exit instead of rebooting on a triple fault or reset\n"
        "  -d ITEM,...      log: in_asm out_asm exec int cpu ioport (or 'help')\n"
        "  -D FILE          write the -d log to FILE instead of stderr\n"
        "  -h, -help        show this help\n"
        "The guest exits vm through port 0xF4 with status (value << 1) | 1.\n",
        RAM_MAX_MB);
}

/* One-line error for bad user input, then exit 2. */
static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
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

void vm_exit(int status)
{
    fflush(stdout);
    if (log_file)
        fflush(log_file);
    exit(status);
}

/* A reset of the whole machine (triple fault, keyboard controller, port
 * 0xCF9...): RAM keeps its contents, as on a real PC. */
void vm_request_reset(void)
{
    if (machine.no_reboot) {
        fprintf(stderr, "vm: guest reset, exiting (-no-reboot)\n");
        vm_exit(0);
    }
    for (int i = 0; i < machine.ncpus; i++)
        cpu_reset(machine.cpus[i]);
    siglongjmp(machine.cpus[0]->jmp_env, 1);
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
    };
    int mask = 0;
    char buf[256];
    if (strlen(list) >= sizeof(buf))
        die("-d: list too long");
    strcpy(buf, list);
    if (!strcmp(buf, "help")) {
        printf("-d items: in_asm out_asm exec int cpu ioport\n");
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

static void check_disk(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open disk image '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
        die("disk image '%s' is not a regular file or block device", path);
    fclose(f);
}

typedef struct Options {
    unsigned long ram_mb, smp;
    const char *bios, *disk, *log_path;
    int no_reboot, log_mask;
} Options;

static void parse_args(int argc, char **argv, Options *o)
{
    o->ram_mb = 128;
    o->smp = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "-help") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "-m") || !strcmp(a, "-smp") || !strcmp(a, "-d") || !strcmp(a, "-D")) {
            if (!next)
                die("option %s needs an argument", a);
            i++;
            if (!strcmp(a, "-m"))
                o->ram_mb = parse_number("-m", next, 1, RAM_MAX_MB, 1);
            else if (!strcmp(a, "-smp"))
                o->smp = parse_number("-smp", next, 1, SMP_MAX, 0);
            else if (!strcmp(a, "-d"))
                o->log_mask = parse_log_items(next);
            else
                o->log_path = next;
        } else if (!strcmp(a, "-no-reboot")) {
            o->no_reboot = 1;
        } else if (a[0] == '-' && a[1]) {
            die("unknown option '%s' (try -h)", a);
        } else if (!o->bios) {
            o->bios = a;
        } else if (!o->disk) {
            o->disk = a;
        } else {
            die("unexpected argument '%s' (try -h)", a);
        }
    }
    if (!o->bios)
        die("no BIOS image given (usage: vm [options] bios.bin [disk.img]; try -h)");
}

int main(int argc, char **argv)
{
    Options o;
    memset(&o, 0, sizeof(o));
    parse_args(argc, argv, &o);
    load_bios(o.bios);
    if (o.disk)
        check_disk(o.disk);
    log_file = stderr;
    if (o.log_path) {
        log_file = fopen(o.log_path, "w");
        if (!log_file)
            die("cannot open log file '%s': %s", o.log_path, strerror(errno));
    }
    log_mask = o.log_mask;
    tb_nochain = (log_mask & (LOG_EXEC | LOG_CPU)) != 0;

    machine.ram_size = (uint32_t)(o.ram_mb << 20);
    machine.smp = (int)o.smp;
    machine.no_reboot = o.no_reboot;
    mem_init(&machine);
    devices_init(&machine);
    static CPU cpu0;
    machine.ncpus = 1;
    machine.cpus[0] = &cpu0;
    cpu_init(&cpu0, &machine, 0);
    tcg_init(32u << 20);
    int status = main_loop_run(&machine);
    vm_exit(status);
}
