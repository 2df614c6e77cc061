/*
 * mkcpio.c - write a Linux initramfs: a "newc" cpio archive (the format
 * the kernel unpacks, Documentation/driver-api/early-userspace/
 * buffer-format.rst) from a list of entries, so that building one needs
 * neither cpio nor fakeroot: every entry is owned by root, whoever runs it.
 *
 * usage: mkcpio LIST > archive.cpio
 * LIST has one entry per line (the format of the kernel's gen_init_cpio):
 *   dir   NAME MODE
 *   file  NAME MODE SOURCE        contents of the host file SOURCE
 *   slink NAME TARGET MODE
 *   nod   NAME MODE c|b MAJOR MINOR
 * MODE is octal permission bits; blank lines and '#' comments are skipped.
 * A host tool: single-threaded, no locks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static unsigned long ino = 721;         /* any start will do; each entry its own */
static unsigned long offset;            /* bytes written so far, for the padding */
static int line_no;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mkcpio: line %d: ", line_no);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void out(const void *p, size_t n)
{
    if (fwrite(p, 1, n, stdout) != n)
        die("write error: %s", strerror(errno));
    offset += n;
}

/* Zero bytes up to the next multiple of 4: headers and data are aligned. */
static void pad4(void)
{
    static const char zero[4];
    out(zero, (4 - offset % 4) % 4);
}

/* One header, its name, and the data. */
static void entry(const char *name, unsigned long mode, unsigned long nlink,
                  unsigned long maj, unsigned long min, const void *data, unsigned long size)
{
    char hdr[160];                      /* 110 bytes, if every field fits in 32 bits */
    while (*name == '/' && name[1])     /* names are relative, as gen_init_cpio writes them */
        name++;
    if (size > 0xffffffffu)
        die("'%s' is too big for a cpio archive", name);
    snprintf(hdr, sizeof(hdr),
             "070701%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX",
             ino++, mode, 0ul, 0ul, nlink, 0ul, size, 0ul, 0ul, maj, min,
             (unsigned long)strlen(name) + 1, 0ul);
    out(hdr, 110);
    out(name, strlen(name) + 1);
    pad4();
    out(data, size);
    pad4();
}

static void *read_source(const char *path, unsigned long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open '%s': %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    if (!buf || ferror(f))
        die("cannot read '%s'", path);
    fclose(f);
    *size = n;
    return buf;
}

static unsigned long parse_mode(const char *s)
{
    char *end;
    unsigned long m = s ? strtoul(s, &end, 8) : 0;
    if (!s || *end || m > 07777)
        die("bad mode '%s'", s ? s : "");
    return m;
}

static void do_line(char *line)
{
    char *argv[8];
    int argc = 0;
    for (char *t = strtok(line, " \t\n"); t && argc < 8; t = strtok(NULL, " \t\n"))
        argv[argc++] = t;
    if (argc == 0 || argv[0][0] == '#')
        return;
    const char *kind = argv[0];
    if (!strcmp(kind, "dir") && argc == 3) {
        entry(argv[1], S_IFDIR | parse_mode(argv[2]), 2, 0, 0, "", 0);
    } else if (!strcmp(kind, "file") && argc == 4) {
        unsigned long size;
        void *data = read_source(argv[3], &size);
        entry(argv[1], S_IFREG | parse_mode(argv[2]), 1, 0, 0, data, size);
        free(data);
    } else if (!strcmp(kind, "slink") && argc == 4) {
        entry(argv[1], S_IFLNK | parse_mode(argv[3]), 1, 0, 0, argv[2], strlen(argv[2]));
    } else if (!strcmp(kind, "nod") && argc == 6 && (argv[3][0] == 'c' || argv[3][0] == 'b')) {
        unsigned long type = argv[3][0] == 'c' ? S_IFCHR : S_IFBLK;
        entry(argv[1], type | parse_mode(argv[2]), 1, strtoul(argv[4], NULL, 10),
              strtoul(argv[5], NULL, 10), "", 0);   /* the device is rdevmajor:rdevminor */
    } else {
        die("cannot parse this entry (kind '%s', %d fields)", kind, argc);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkcpio LIST > archive.cpio\n");
        return 2;
    }
    FILE *list = fopen(argv[1], "r");
    if (!list) {
        fprintf(stderr, "mkcpio: cannot open '%s': %s\n", argv[1], strerror(errno));
        return 2;
    }
    char line[4096];
    while (fgets(line, sizeof(line), list)) {
        line_no++;
        do_line(line);
    }
    fclose(list);
    entry("TRAILER!!!", 0, 1, 0, 0, "", 0);
    return 0;
}
