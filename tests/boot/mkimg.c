/*
 * mkimg.c - build a disk image for a boot-sector guest (tests/boot/NAME.S,
 * tests/demo.S):
 *
 *   mkimg OUT.img CODE.bin SECTORS
 *
 * OUT.img gets CODE.bin (the boot sector and the sectors it loads), padded
 * with zeros to a whole sector, then patterned sectors up to SECTORS in
 * all (none if the code alone is that long).  Dword i (0-127) of patterned
 * sector L holds L + (i << 24), so a guest can check that a read brought
 * the right sector, in the right place, whole.
 *
 * A host tool, run by make.  Errors: one line on stderr, exit status 2.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECTOR 512

/* "mkimg: cannot WHAT 'PATH': the error", and exit 2. */
static void die(const char *what, const char *path)
{
    fprintf(stderr, "mkimg: cannot %s '%s': %s\n", what, path, strerror(errno));
    exit(2);
}

/* Copy the code into out; returns the number of sectors written. */
static unsigned long copy_code(FILE *out, const char *out_path, const char *path)
{
    FILE *in = fopen(path, "rb");
    unsigned char buf[SECTOR];
    unsigned long sectors = 0;
    size_t n;

    if (!in)
        die("open", path);
    while ((n = fread(buf, 1, SECTOR, in)) > 0) {
        memset(buf + n, 0, SECTOR - n);
        if (fwrite(buf, 1, SECTOR, out) != SECTOR)
            die("write", out_path);
        sectors++;
    }
    if (ferror(in))
        die("read", path);
    fclose(in);
    return sectors;
}

static void write_pattern(FILE *out, const char *out_path, unsigned long lba)
{
    unsigned char buf[SECTOR];

    for (uint32_t i = 0; i < SECTOR / 4; i++) {
        uint32_t v = (uint32_t)lba + (i << 24);
        buf[4 * i] = (unsigned char)v;
        buf[4 * i + 1] = (unsigned char)(v >> 8);
        buf[4 * i + 2] = (unsigned char)(v >> 16);
        buf[4 * i + 3] = (unsigned char)(v >> 24);
    }
    if (fwrite(buf, 1, SECTOR, out) != SECTOR)
        die("write", out_path);
}

int main(int argc, char **argv)
{
    char *end;
    unsigned long total, lba;
    FILE *out;

    if (argc != 4) {
        fprintf(stderr, "usage: mkimg OUT.img CODE.bin SECTORS\n");
        return 2;
    }
    errno = 0;
    total = strtoul(argv[3], &end, 10);
    if (errno || *end || end == argv[3]) {
        fprintf(stderr, "mkimg: SECTORS must be a number, not '%s'\n", argv[3]);
        return 2;
    }
    out = fopen(argv[1], "wb");
    if (!out)
        die("create", argv[1]);
    for (lba = copy_code(out, argv[1], argv[2]); lba < total; lba++)
        write_pattern(out, argv[1], lba);
    if (fclose(out) != 0)
        die("write", argv[1]);
    return 0;
}
